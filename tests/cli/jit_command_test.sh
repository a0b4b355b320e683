#!/bin/bash
# Runs `portcullis jit` on the reference architecture's examples and checks
# its decisions, JSON shape and exit codes.
set -uo pipefail

portcullis="$1"
examples="$2"
source tests/testing/checks.sh

vm="/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-jit-demo/providers/Microsoft.Compute/virtualMachines/vm-app01"
common=(--nsg "$examples/azuredeploy.json" --nsg-name nsg-vm-app01-nic
        --nic "$examples/nic-vm-app01.json")

out=$("$portcullis" jit request --policy "$examples/jit/jit-policy.json" "${common[@]}" \
  --vm "$vm" --port 22 --source 10.0.1.0/26 --duration PT1H \
  --now 2026-03-02T09:00:00Z --json)
check "granted request exits 0" 0 $?
json_check "granted request is granted" 'doc["granted"] is True and doc["reasons"] == []' "$out"
# The example NIC NSG already holds the policy's deny rule at 201, so only
# the allow rule is added.
json_check "granted request adds one allow rule" \
  '[r["access"] for r in doc["rules"]] == ["Allow"]' "$out"
json_check "allow rule window and target" \
  'doc["rules"][0]["notBefore"] == "2026-03-02T09:00:00Z" and doc["rules"][0]["notAfter"] == "2026-03-02T10:00:00Z" and doc["rules"][0]["destination"] == "10.0.2.4" and doc["rules"][0]["port"] == "22" and doc["rules"][0]["source"] == "10.0.1.0/26"' "$out"
json_check "allow rule precedes the deny rule at 201" \
  'doc["rules"][0]["priority"] == 100' "$out"
json_check "rules go on the NIC NSG" 'doc["placement"] == "networkInterface"' "$out"

again=$("$portcullis" jit request --policy "$examples/jit/jit-policy.json" "${common[@]}" \
  --vm "$vm" --port 22 --source 10.0.1.0/26 --duration PT1H \
  --now 2026-03-02T09:00:00Z --json)
if [[ "$out" == "$again" ]]; then echo "ok   rule names are deterministic"; else
  echo "FAIL rule names are deterministic"; failures=$((failures + 1)); fi

out=$("$portcullis" jit request --policy "$examples/jit/jit-policy.json" "${common[@]}" \
  --vm "$vm" --port 22 --source 203.0.113.5 --duration PT4H \
  --now 2026-03-02T09:00:00Z --json)
check "rejected request exits 1" 1 $?
json_check "rejected request lists reasons" \
  'doc["granted"] is False and [r["code"] for r in doc["reasons"]] == ["DurationTooLong", "SourceNotAllowed"] and doc["rules"] == []' "$out"

"$portcullis" jit request --policy "$examples/jit/jit-policy.json" "${common[@]}" \
  --vm "$vm" --port 22 --source 10.0.1.4 --duration PT1H --now yesterday \
  >/dev/null 2>"$TEST_TMPDIR/stderr"
check "bad --now exits 2" 2 $?
if grep -q -- "--now" "$TEST_TMPDIR/stderr"; then echo "ok   bad --now is named"; else
  echo "FAIL bad --now is named"; failures=$((failures + 1)); fi

"$portcullis" jit request --policy "$examples/jit/jit-policy.json" "${common[@]}" \
  --vm "$vm" --port 22 >/dev/null 2>&1
check "missing flags exit 2" 2 $?

"$portcullis" jit request --policy "$examples/jit" "${common[@]}" \
  --vm "$vm" --port 22 --source 10.0.1.4 --duration PT1H \
  --now 2026-03-02T09:00:00Z >/dev/null 2>"$TEST_TMPDIR/stderr"
check "directory as --policy exits 2" 2 $?
if grep -q "is a directory" "$TEST_TMPDIR/stderr"; then
  echo "ok   directory as --policy is explained"; else
  echo "FAIL directory as --policy is explained"; failures=$((failures + 1)); fi

for port in +22 " 22" "22 " -0 022222 ""; do
  "$portcullis" jit request --policy "$examples/jit/jit-policy.json" "${common[@]}" \
    --vm "$vm" --port "$port" --source 10.0.1.4 --duration PT1H \
    --now 2026-03-02T09:00:00Z >/dev/null 2>&1
  check "--port '$port' exits 2" 2 $?
done

status_at() {
  "$portcullis" jit status --policy "$examples/jit/jit-policy-with-request.json" \
    "${common[@]}" --now "$1" --port 22 --source 10.0.1.4 --json
}
out=$(status_at 2026-03-02T09:59:59Z)
check "status exits 0" 0 $?
json_check "open one second before the end" \
  'doc["open"] is True and doc["closesAt"] == "2026-03-02T10:00:00Z"' "$out"
json_check "deny rule is the one in the NSG" \
  'doc["denyRule"]["priority"] == 201 and doc["denyRule"]["name"].startswith("SecurityCenter-JITRule_")' "$out"
json_check "revoked port opens nothing" \
  'len(doc["grants"]) == 2 and doc["grants"][0]["port"] == "22" and doc["grants"][1]["port"] == "3389" and doc["grants"][1]["status"] == "Ignored" and doc["grants"][1]["statusReason"] == "StatusRevoked"' "$out"
out=$(status_at 2026-03-02T10:00:00Z)
json_check "closed at the end" \
  'doc["open"] is False and doc["grants"][0]["statusReason"] == "Expired"' "$out"
out=$(status_at 2026-03-02T08:59:59Z)
json_check "closed before the start, opens at the start" \
  'doc["open"] is False and doc["nextOpening"] == "2026-03-02T09:00:00Z"' "$out"

# Copies the example history with port 22's recorded entry changed by the
# Python statement $2 (on `port`) into the file $1.
recorded_variant() {
  recorded_port_variant "$examples/jit/jit-policy-with-request.json" "$1" "$2"
}
status_of() {
  "$portcullis" jit status --policy "$1" "${common[@]}" \
    --now 2026-03-02T09:30:00Z --port 22 --source "$2" "${@:3}"
}
recorded_variant "$TEST_TMPDIR/outside.json" 'port["allowedSourceAddressPrefix"] = "203.0.113.50"'
out=$(status_of "$TEST_TMPDIR/outside.json" 203.0.113.50 --json)
json_check "source outside the policy opens nothing" \
  'doc["open"] is False and doc["grants"][0]["status"] == "Ignored" and doc["grants"][0]["statusReason"] == "SourceNotAllowed"' "$out"
json_check "ignored grant names the recorded field" \
  '"requests[0].virtualMachines[0].ports[0].allowedSourceAddressPrefix: source 203.0.113.50" in doc["grants"][0]["reasons"][0]["message"]' "$out"
out=$(status_of "$TEST_TMPDIR/outside.json" 203.0.113.50)
contains "text status gives the reason" "ignored, SourceNotAllowed: " "$out"
contains "text status says closed" "port 22 for 203.0.113.50: closed" "$out"
recorded_variant "$TEST_TMPDIR/star.json" 'port["allowedSourceAddressPrefix"] = "*"'
out=$(status_of "$TEST_TMPDIR/star.json" 203.0.113.50 --json)
json_check "any source where the policy does not allow it opens nothing" \
  'doc["open"] is False and doc["grants"][0]["statusReason"] == "SourceNotAllowed"' "$out"
recorded_variant "$TEST_TMPDIR/far.json" 'port["endTimeUtc"] = "2026-03-12T10:00:00Z"'
out=$(status_of "$TEST_TMPDIR/far.json" 10.0.1.4 --json)
json_check "window over the port's maximum opens nothing" \
  'doc["open"] is False and [r["code"] for r in doc["grants"][0]["reasons"]] == ["DurationTooLong"]' "$out"
recorded_variant "$TEST_TMPDIR/initiating.json" 'port["status"] = "Initiating"'
out=$(status_of "$TEST_TMPDIR/initiating.json" 10.0.1.4 --json)
json_check "Initiating port opens nothing" \
  'doc["open"] is False and doc["grants"][0]["statusReason"] == "StatusInitiating" and doc["grants"][0]["active"] is False' "$out"
out=$(status_at 2026-03-02T09:30:00Z)
json_check "grant inside the policy has no reasons" \
  'doc["open"] is True and doc["grants"][0]["reasons"] == []' "$out"

# Resource ids compare without regard to case or trailing slashes.
upper_vm="/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/resourceGroups/rg-jit-demo/providers/Microsoft.Compute/virtualMachines/VM-APP01/"
"$portcullis" jit request --policy "$examples/jit/jit-policy.json" "${common[@]}" \
  --vm "$upper_vm" --port 22 --source 10.0.1.4 --duration PT1H \
  --now 2026-03-02T09:00:00Z >/dev/null
check "--vm in another case with a trailing slash is the NIC's VM" 0 $?
"$portcullis" jit request --policy "$examples/jit/jit-policy.json" "${common[@]}" \
  --vm "${vm}2" --port 22 --source 10.0.1.4 --duration PT1H \
  --now 2026-03-02T09:00:00Z >/dev/null 2>&1
check "--vm of another VM exits 2" 2 $?

verify_at() {
  "$portcullis" nsg verify --nsg "$examples/azuredeploy.json" --nsg-name nsg-workload \
    --nic-nsg "$examples/azuredeploy.json" --nic-nsg-name nsg-vm-app01-nic \
    --service-tags "$examples/ServiceTags_Public_20251028.subset.json" \
    --vnet-prefixes 10.0.0.0/16 --direction inbound --protocol tcp \
    --local 10.0.2.4:22 --remote "$2:50022" \
    --jit-policy "$examples/jit/jit-policy-with-request.json" \
    --nic "$examples/nic-vm-app01.json" --now "$1" --json
}
out=$(verify_at 2026-03-02T08:59:59Z 10.0.1.4)
json_check "verify: JIT deny rule before the grant" \
  'doc["access"] == "Deny" and doc["rule"].startswith("securityRules/SecurityCenter-JITRule_")' "$out"
out=$(verify_at 2026-03-02T09:00:00Z 10.0.1.4)
json_check "verify: grant admits the bastion at its first instant" \
  'doc["access"] == "Allow" and doc["rule"].startswith("securityRules/SecurityCenter-JITRule-")' "$out"
out=$(verify_at 2026-03-02T09:59:59Z 10.0.1.4)
json_check "verify: grant admits the bastion one second before the end" \
  'doc["access"] == "Allow"' "$out"
out=$(verify_at 2026-03-02T10:00:00Z 10.0.1.4)
json_check "verify: JIT deny rule at the end" \
  'doc["access"] == "Deny" and doc["rule"].startswith("securityRules/SecurityCenter-JITRule_")' "$out"
# 10.0.1.0/24 contains the bastion's address but is wider than the policy's
# 10.0.1.0/26, so the recorded grant adds no allow rule.
recorded_variant "$TEST_TMPDIR/wide.json" 'port["allowedSourceAddressPrefix"] = "10.0.1.0/24"'
out=$("$portcullis" nsg verify --nsg "$examples/azuredeploy.json" --nsg-name nsg-workload \
  --nic-nsg "$examples/azuredeploy.json" --nic-nsg-name nsg-vm-app01-nic \
  --service-tags "$examples/ServiceTags_Public_20251028.subset.json" \
  --vnet-prefixes 10.0.0.0/16 --direction inbound --protocol tcp \
  --local 10.0.2.4:22 --remote 10.0.1.4:50022 \
  --jit-policy "$TEST_TMPDIR/wide.json" --nic "$examples/nic-vm-app01.json" \
  --now 2026-03-02T09:30:00Z --json)
json_check "verify: ignored grant adds no allow rule" \
  'doc["access"] == "Deny" and doc["rule"].startswith("securityRules/SecurityCenter-JITRule_")' "$out"
"$portcullis" nsg verify --nsg "$examples/azuredeploy.json" --nsg-name nsg-workload \
  --direction inbound --protocol tcp --local 10.0.2.4:22 --remote 10.0.1.4:50022 \
  --jit-policy "$examples/jit/jit-policy-with-request.json" \
  --nic "$examples/nic-vm-app01.json" --now 2026-03-02T09:30:00Z >/dev/null 2>&1
check "verify: JIT needs the NIC's NSG when the NIC has one" 2 $?

finish
