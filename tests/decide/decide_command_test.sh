#!/bin/bash
# Runs `portcullis decide` on the scenario files and checks its decisions,
# JSON shape, --now override and exit codes.
set -uo pipefail

portcullis="$1"
examples="$2"
source tests/testing/checks.sh

scenes="$examples/scenarios"

out=$("$portcullis" decide --scenario "$scenes/01-admin-through-bastion.json" --json)
check "allowed attempt exits 0" 0 $?
json_check "allowed attempt has no deniedBy" \
  'doc["decision"] == "allow" and "deniedBy" not in doc' "$out"
json_check "every layer lists its reasons as an array" \
  'all(isinstance(l["reasons"], list) for l in doc["layers"].values())' "$out"
json_check "pim reason codes have their own field" \
  'isinstance(doc["layers"]["pim"]["reasonCodes"], str)' "$out"
json_check "layers in evaluation order" \
  'list(doc["layers"]) == ["conditionalAccess", "pim", "rbac", "jit", "nsg"]' "$out"
json_check "every layer allows with reasons" \
  'all(l["outcome"] == "allow" and l["reasons"] for l in doc["layers"].values())' "$out"
json_check "jit grant closes at the end of its window" \
  'doc["layers"]["jit"]["closesAt"] == "2026-03-02T10:00:00Z"' "$out"

out=$("$portcullis" decide --scenario "$scenes/02-unmanaged-device.json" --json)
check "denied attempt exits 0" 0 $?
json_check "unmanaged device denied by conditional access" \
  'doc["decision"] == "deny" and doc["deniedBy"] == "conditionalAccess" and doc["layers"]["conditionalAccess"]["requirements"] == "compliantDevice"' "$out"

out=$("$portcullis" decide --scenario "$scenes/07-activation-awaits-approval.json" --json)
json_check "approval keeps the attempt pending" \
  'doc["decision"] == "pending" and "deniedBy" not in doc and doc["layers"]["pim"]["outcome"] == "pending"' "$out"

out=$("$portcullis" decide --scenario "$scenes/01-admin-through-bastion.json" \
  --now 2026-03-02T10:00:00Z --json)
json_check "--now overrides the scenario's instant" \
  'doc["decision"] == "deny" and doc["deniedBy"] == "jit"' "$out"

out=$("$portcullis" decide --scenario "$scenes/03-outside-work-hours.json")
check "text output exits 0" 0 $?
if grep -q "decision: deny (denied by pim)" <<<"$out" && grep -q "next work window opens at 2026-03-03T07:00:00Z" <<<"$out"; then
  echo "ok   text output names the layer and the next opening"
else
  echo "FAIL text output names the layer and the next opening:"
  echo "$out"
  failures=$((failures + 1))
fi

"$portcullis" decide --scenario "$examples/reference-architecture.json" >/dev/null 2>"$TEST_TMPDIR/stderr"
check "scenario without now exits 2" 2 $?
if grep -q -- "--now: missing" "$TEST_TMPDIR/stderr"; then echo "ok   missing now is named"; else
  echo "FAIL missing now is named"; failures=$((failures + 1)); fi

"$portcullis" decide --scenario "$scenes/01-admin-through-bastion.json" --now yesterday \
  >/dev/null 2>"$TEST_TMPDIR/stderr"
check "bad --now exits 2" 2 $?

"$portcullis" decide --scenario "$TEST_TMPDIR/missing.json" >/dev/null 2>&1
check "missing scenario exits 2" 2 $?

"$portcullis" decide >/dev/null 2>&1
check "missing --scenario exits 2" 2 $?

printf '{"base": "%s/reference-architecture.json", "now": "2026-03-02T09:30:00Z", "attempt": {"prot": "tcp"}}' \
  "$(pwd)/$examples" >"$TEST_TMPDIR/typo.json"
"$portcullis" decide --scenario "$TEST_TMPDIR/typo.json" >/dev/null 2>"$TEST_TMPDIR/stderr"
check "unknown key exits 2" 2 $?
if grep -q "attempt.prot: unknown key" "$TEST_TMPDIR/stderr"; then echo "ok   unknown key is named"; else
  echo "FAIL unknown key is named"; cat "$TEST_TMPDIR/stderr"; failures=$((failures + 1)); fi

# A user the directory does not list: the warning reaches stderr, and the
# decision still comes out as JSON on stdout.
printf '{"users": [{"id": "someone-else", "groups": []}]}' >"$TEST_TMPDIR/directory.json"
printf '{"base": "%s/scenarios/01-admin-through-bastion.json", "conditionalAccess": {"directory": "%s"}}' \
  "$(pwd)/$examples" "$TEST_TMPDIR/directory.json" >"$TEST_TMPDIR/no-user.json"
out=$("$portcullis" decide --scenario "$TEST_TMPDIR/no-user.json" --json 2>"$TEST_TMPDIR/stderr")
check "user missing from the directory exits 0" 0 $?
if grep -q "warning: .*is not in the directory; group and role membership are unknown" \
  "$TEST_TMPDIR/stderr"; then echo "ok   membership warning is printed"; else
  echo "FAIL membership warning is printed"; cat "$TEST_TMPDIR/stderr"; failures=$((failures + 1)); fi
json_check "decision is still JSON" 'doc["decision"] in ("allow", "deny", "pending")' "$out"

# An assignment outside its role's assignableScopes grants nothing, and the
# rbac layer names it instead of saying that no assignment exists. The first
# case is an active instance at the subscription, the second an activation
# of a role that may only be assigned in another resource group.
python3 - "$(pwd)/$examples" "$TEST_TMPDIR" <<'PY'
import json, sys
examples, out = sys.argv[1], sys.argv[2]
subscription = "/subscriptions/00000000-0000-0000-0000-000000000000"
role_id = (subscription + "/providers/Microsoft.Authorization/roleDefinitions/"
           "3c6e2f8a-5d1b-4e7a-9f02-6b8d4c1a7e55")
instance = {"name": "instance-at-subscription", "properties": {
    "scope": subscription, "roleDefinitionId": role_id,
    "principalId": "8f14e45f-ceea-4167-a5a7-1d3b6c8e9f02", "principalType": "User",
    "status": "Provisioned", "startDateTime": "2026-03-02T09:00:00Z",
    "endDateTime": "2026-03-02T10:00:00Z", "memberType": "Direct",
    "assignmentType": "Activated"}}
json.dump({"value": [instance]}, open(f"{out}/active-at-subscription.json", "w"))
json.dump({"base": f"{examples}/reference-architecture.json", "now": "2026-03-02T09:30:00Z",
           "pim": {"requests": [], "active": f"{out}/active-at-subscription.json"}},
          open(f"{out}/active-outside-assignable.json", "w"))
role = json.load(open(f"{examples}/rbac/roles/secure-vm-operator.rest.json"))
role["properties"]["assignableScopes"] = [subscription + "/resourceGroups/rg-other"]
json.dump(role, open(f"{out}/operator-elsewhere.json", "w"))
json.dump({"base": f"{examples}/reference-architecture.json", "now": "2026-03-02T09:30:00Z",
           "rbac": {"roleDefinitions": [f"{out}/operator-elsewhere.json",
                                        f"{examples}/rbac/roles/reader.json"]}},
          open(f"{out}/activation-outside-assignable.json", "w"))
PY
for scenario in active-outside-assignable activation-outside-assignable; do
  out=$("$portcullis" decide --scenario "$TEST_TMPDIR/$scenario.json" --json)
  check "$scenario exits 0" 0 $?
  json_check "$scenario: rbac names the unusable assignment" \
    'doc["deniedBy"] == "rbac" and "is outside the assignable scopes" in doc["layers"]["rbac"]["reasons"][0] and "no active role assignment" not in doc["layers"]["rbac"]["reasons"][0]' \
    "$out"
done

# A raw flow through the bastion has no signed-in user.
printf '{"base": "%s/scenarios/01-admin-through-bastion.json", "attempt": {"signIn": null, "satisfiedControls": null}}' \
  "$(pwd)/$examples" >"$TEST_TMPDIR/raw-bastion.json"
out=$("$portcullis" decide --scenario "$TEST_TMPDIR/raw-bastion.json" --json)
check "raw flow through the bastion exits 0" 0 $?
json_check "raw flow through the bastion is denied by conditionalAccess" \
  'doc["decision"] == "deny" and doc["deniedBy"] == "conditionalAccess"' "$out"

# Recorded PIM requests are ordered by their creation time, not by their
# place in pim.requests: each pair below is decided in both orders.
python3 - "$examples/pim/requests/alex-activate-now.json" "$TEST_TMPDIR" <<'PY'
import copy, json, sys
source, out = sys.argv[1], sys.argv[2]
activation = json.load(open(source))
def variant(name, created, request_type=None, status=None, schedule=True):
    request = copy.deepcopy(activation)
    request["name"] = name
    request["id"] = request["id"].rsplit("/", 1)[0] + "/" + name
    request["properties"]["createdOn"] = created
    if request_type:
        request["properties"]["requestType"] = request_type
    if status:
        request["properties"]["status"] = status
    if not schedule:
        del request["properties"]["scheduleInfo"]
    json.dump(request, open(f"{out}/{name}.json", "w"))
variant("activate-0855", "2026-03-02T08:55:00Z")
variant("deactivate-0910", "2026-03-02T09:10:00Z", "SelfDeactivate", schedule=False)
variant("remove-0910", "2026-03-02T09:10:00Z", "AdminRemove", schedule=False)
variant("deactivate-0800", "2026-03-02T08:00:00Z", "SelfDeactivate", schedule=False)
variant("canceled-0910", "2026-03-02T09:10:00Z", status="Canceled")
variant("canceled-0800", "2026-03-02T08:00:00Z", status="Canceled")
PY

# Decides the reference architecture at 09:30 with the PIM requests named
# by $1 and $2, in that order, and prints the JSON decision.
decide_with_requests() {
  printf '{"base": "%s/reference-architecture.json", "now": "2026-03-02T09:30:00Z", "pim": {"requests": ["%s/%s.json", "%s/%s.json"]}}' \
    "$(pwd)/$examples" "$TEST_TMPDIR" "$1" "$TEST_TMPDIR" "$2" >"$TEST_TMPDIR/pim-order.json"
  "$portcullis" decide --scenario "$TEST_TMPDIR/pim-order.json" --json
}

for ending in deactivate-0910 remove-0910; do
  for order in "$ending activate-0855" "activate-0855 $ending"; do
    out=$(decide_with_requests $order)
    json_check "$ending ends the activation ($order)" \
      'doc["decision"] == "deny" and doc["deniedBy"] == "pim"' "$out"
  done
done
for order in "deactivate-0800 activate-0855" "activate-0855 deactivate-0800"; do
  out=$(decide_with_requests $order)
  json_check "deactivation before the activation keeps it ($order)" \
    'doc["decision"] == "allow" and doc["layers"]["pim"]["outcome"] == "allow"' "$out"
done
for order in "canceled-0910 activate-0855" "activate-0855 canceled-0910"; do
  out=$(decide_with_requests $order)
  json_check "later canceled request decides ($order)" \
    'doc["decision"] == "deny" and doc["deniedBy"] == "pim"' "$out"
done
for order in "canceled-0800 activate-0855" "activate-0855 canceled-0800"; do
  out=$(decide_with_requests $order)
  json_check "earlier canceled request is history ($order)" \
    'doc["decision"] == "allow" and doc["layers"]["pim"]["outcome"] == "allow"' "$out"
done

# The bastion NSG of azuredeploy.json without AllowSshRdpOutBound: the
# bastion's session to the VM leaves AzureBastionSubnet and is denied.
python3 - "$examples/azuredeploy.json" "$TEST_TMPDIR/no-ssh-out.json" <<'PY'
import json, sys
template = json.load(open(sys.argv[1]))
for resource in template["resources"]:
    rules = resource.get("properties", {}).get("securityRules", [])
    rules[:] = [rule for rule in rules if rule["name"] != "AllowSshRdpOutBound"]
json.dump(template, open(sys.argv[2], "w"))
PY
printf '{"base": "%s/scenarios/01-admin-through-bastion.json", "network": {"bastion": {"id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-jit-demo/providers/Microsoft.Network/bastionHosts/bas-jit-demo", "address": "10.0.1.4", "nsg": {"file": "%s", "name": "nsg-bastion"}}}}' \
  "$(pwd)/$examples" "$TEST_TMPDIR/no-ssh-out.json" >"$TEST_TMPDIR/no-ssh-out-scene.json"
out=$("$portcullis" decide --scenario "$TEST_TMPDIR/no-ssh-out-scene.json" --json)
check "bastion without outbound SSH exits 0" 0 $?
json_check "bastion subnet's outbound rules deny the session" \
  'doc["decision"] == "deny" and doc["deniedBy"] == "nsg" and doc["layers"]["nsg"]["bastionOutboundRule"] == "securityRules/DenyAllOtherOutBound"' "$out"
out=$("$portcullis" decide --scenario "$scenes/01-admin-through-bastion.json" --json)
json_check "reference bastion NSG lets the session out" \
  'doc["layers"]["nsg"]["bastionOutboundRule"] == "securityRules/AllowSshRdpOutBound"' "$out"

# Conditional Access judges the connection's source: a sign-in without an
# address takes it, and one with another address is denied, in both modes.
python3 - "$examples/conditional-access/sign-ins/alex-compliant-device.json" \
  "$TEST_TMPDIR/no-ip.json" <<'PY'
import json, sys
request = json.load(open(sys.argv[1]))
del request["signInConditions"]["ipAddress"]
json.dump(request, open(sys.argv[2], "w"))
PY
for mode in strict lenient; do
  printf '{"base": "%s/scenarios/01-admin-through-bastion.json", "conditionalAccess": {"mode": "%s"}, "attempt": {"signIn": "%s", "source": "203.0.113.9"}}' \
    "$(pwd)/$examples" "$mode" "$TEST_TMPDIR/no-ip.json" >"$TEST_TMPDIR/no-ip-$mode.json"
  out=$("$portcullis" decide --scenario "$TEST_TMPDIR/no-ip-$mode.json" --json)
  json_check "$mode: sign-in without address is judged from the source" \
    'doc["deniedBy"] == "conditionalAccess" and doc["layers"]["conditionalAccess"]["signInAddress"] == "203.0.113.9" and doc["layers"]["conditionalAccess"]["policy"] == "3a9d5f7b-1c2e-4b8a-9d6f-4e0c2b7a1f95"' "$out"

  printf '{"base": "%s/scenarios/01-admin-through-bastion.json", "conditionalAccess": {"mode": "%s"}, "attempt": {"source": "203.0.113.9"}}' \
    "$(pwd)/$examples" "$mode" >"$TEST_TMPDIR/conflict-$mode.json"
  out=$("$portcullis" decide --scenario "$TEST_TMPDIR/conflict-$mode.json")
  check "$mode: conflicting addresses exit 0" 0 $?
  contains "$mode: conflicting addresses are denied, naming both" \
    "the sign-in's IP address 198.51.100.25 differs from the connection's source 203.0.113.9" "$out"
  contains "$mode: conflicting addresses deny at conditionalAccess" \
    "decision: deny (denied by conditionalAccess)" "$out"
done

# A block for every user outside one group, with a directory that does not
# list the user, so the group condition is unknown. Strict mode skips the
# policy for missing facts, and the chain still denies and names it.
cat >"$TEST_TMPDIR/probe-policy.json" <<'JSON'
{"id": "22222222-2222-4222-8222-222222222222", "displayName": "probe", "state": "enabled",
 "conditions": {"clientAppTypes": ["all"], "applications": {"includeApplications": ["All"]},
   "users": {"includeUsers": ["All"], "excludeGroups": ["4d9a6c2e-3b1f-4e8a-9c7d-5f2e1a0b3c64"]}},
 "grantControls": {"operator": "OR", "builtInControls": ["block"]}}
JSON
echo '{"users": []}' >"$TEST_TMPDIR/empty-directory.json"
for mode in strict lenient; do
  printf '{"base": "%s/scenarios/01-admin-through-bastion.json", "conditionalAccess": {"policies": "%s", "directory": "%s", "mode": "%s"}}' \
    "$(pwd)/$examples" "$TEST_TMPDIR/probe-policy.json" "$TEST_TMPDIR/empty-directory.json" \
    "$mode" >"$TEST_TMPDIR/probe-$mode.json"
  out=$("$portcullis" decide --scenario "$TEST_TMPDIR/probe-$mode.json" --json 2>/dev/null)
  json_check "$mode: a policy with unknown group membership denies, named" \
    'doc["decision"] == "deny" and doc["deniedBy"] == "conditionalAccess" and doc["layers"]["conditionalAccess"]["policy"] == "22222222-2222-4222-8222-222222222222"' "$out"
done
json_check "strict: the policy skipped for missing facts is listed" \
  'doc["layers"]["conditionalAccess"]["notEnoughInformation"] == "22222222-2222-4222-8222-222222222222" and any("strict mode skipped policy" in r for r in doc["layers"]["conditionalAccess"]["reasons"])' \
  "$("$portcullis" decide --scenario "$TEST_TMPDIR/probe-strict.json" --json 2>/dev/null)"

# Recorded JIT grants that the policy could not have made, or whose port is
# still Initiating, open nothing; the jit layer names the recorded field.
jit_variant() {
  recorded_port_variant "$examples/jit/jit-policy-with-request.json" \
    "$TEST_TMPDIR/$1-policy.json" "$2"
  printf '{"base": "%s/scenarios/01-admin-through-bastion.json", "network": {"jitPolicy": "%s"}}' \
    "$(pwd)/$examples" "$TEST_TMPDIR/$1-policy.json" >"$TEST_TMPDIR/$1.json"
  "$portcullis" decide --scenario "$TEST_TMPDIR/$1.json" --json
}
out=$(jit_variant initiating 'port["status"] = "Initiating"')
json_check "Initiating JIT port denies at jit" \
  'doc["decision"] == "deny" and doc["deniedBy"] == "jit" and any(r.startswith("StatusInitiating: ") for r in doc["layers"]["jit"]["reasons"])' "$out"
out=$(jit_variant wide 'port["allowedSourceAddressPrefix"] = "10.0.1.0/24"')
json_check "recorded source outside the policy denies at jit" \
  'doc["deniedBy"] == "jit" and any("allowedSourceAddressPrefix: source 10.0.1.0/24 is not inside" in r for r in doc["layers"]["jit"]["reasons"])' "$out"
out=$(jit_variant long 'port["endTimeUtc"] = "2026-03-12T10:00:00Z"')
json_check "recorded window over the maximum denies at jit and nsg" \
  'doc["deniedBy"] == "jit" and doc["layers"]["nsg"]["outcome"] == "deny" and any(r.startswith("DurationTooLong: ") for r in doc["layers"]["jit"]["reasons"])' "$out"
out=$(jit_variant same 'pass')
json_check "unchanged JIT history still allows" 'doc["decision"] == "allow"' "$out"

finish
