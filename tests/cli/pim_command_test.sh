#!/bin/bash
# Runs `portcullis pim` on the PIM examples and checks its decisions, JSON
# shape and exit codes.
set -uo pipefail

portcullis="$1"
examples="$2/pim"
source tests/testing/checks.sh

common=(--policy "$examples/policy-secure-vm-operator.json"
        --eligibility "$examples/eligibility.json"
        --request "$examples/requests/alex-activate-now.json")

out=$("$portcullis" pim activate "${common[@]}" --now 2026-03-02T09:00:00Z \
  --mfa --json)
check "granted activation exits 0" 0 $?
json_check "activation is granted for four hours" \
  'doc["decision"] == "granted" and doc["start"] == "2026-03-02T09:00:00Z" and doc["end"] == "2026-03-02T13:00:00Z"' "$out"

# Work hours are expanded around the planned start only, so a --now far
# from the requested start is still evaluated.
for now in 0001-01-01T00:00:00Z 9999-12-31T23:00:00Z; do
  out=$("$portcullis" pim activate "${common[@]}" --now "$now" --mfa \
    --work-hours "$examples/work-hours.json" --json)
  check "--now $now with work hours exits 0" 0 $?
  json_check "--now $now gives a decision" 'doc["decision"] in ("granted", "scheduled", "pending", "refused")' "$out"
done

"$portcullis" pim activate "${common[@]}" --now 2026-03-02T09:00:00Z \
  --work-hours "$examples" >/dev/null 2>"$TEST_TMPDIR/stderr"
check "directory as --work-hours exits 2" 2 $?
if grep -q -- "--work-hours" "$TEST_TMPDIR/stderr"; then
  echo "ok   directory as --work-hours is named"; else
  echo "FAIL directory as --work-hours is named"; failures=$((failures + 1)); fi

"$portcullis" pim activate --policy "$examples/policy-secure-vm-operator.json" \
  --now 2026-03-02T09:00:00Z >/dev/null 2>&1
check "missing flags exit 2" 2 $?

# A policy for another scope does not govern the request.
python3 - "$examples/policy-secure-vm-operator.json" "$TEST_TMPDIR" <<'PY'
import json, sys
policy = json.load(open(sys.argv[1]))
other = json.loads(json.dumps(policy))
other["properties"]["scope"] = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/other"
json.dump(other, open(sys.argv[2] + "/other-scope.json", "w"))
# effectiveRules stricter than rules: a one-hour maximum and a ticket.
stricter = json.loads(json.dumps(policy))
effective = json.loads(json.dumps(policy["properties"]["rules"]))
for rule in effective:
    if rule["id"] == "Expiration_EndUser_Assignment":
        rule["maximumDuration"] = "PT1H"
    if rule["id"] == "Enablement_EndUser_Assignment":
        rule["enabledRules"] = ["MultiFactorAuthentication", "Ticketing"]
stricter["properties"]["effectiveRules"] = effective
json.dump(stricter, open(sys.argv[2] + "/effective.json", "w"))
trimmed = json.loads(json.dumps(policy))
trimmed["properties"]["rules"] = [
    rule for rule in trimmed["properties"]["rules"]
    if rule["id"] != "Enablement_EndUser_Assignment"]
json.dump(trimmed, open(sys.argv[2] + "/no-enablement.json", "w"))
PY

rest=(--eligibility "$examples/eligibility.json"
      --request "$examples/requests/alex-activate-now.json"
      --now 2026-03-02T09:00:00Z --mfa)
# Runs pim activate with policy $2 and checks that it exits 2 with an error
# matching the grep pattern $3; $1 names the case.
expect_policy_error() {
  "$portcullis" pim activate --policy "$2" "${rest[@]}" >/dev/null 2>"$TEST_TMPDIR/stderr"
  check "$1 exits 2" 2 $?
  if grep -q "$3" "$TEST_TMPDIR/stderr"; then
    echo "ok   $1 is named"; else
    echo "FAIL $1 is named: $(cat "$TEST_TMPDIR/stderr")"; failures=$((failures + 1)); fi
}

expect_policy_error "policy of another scope" "$TEST_TMPDIR/other-scope.json" \
  'differs from the policy.s properties.scope "/subscriptions/1111'

out=$("$portcullis" pim activate --policy "$TEST_TMPDIR/effective.json" "${rest[@]}" --json)
check "policy with effectiveRules exits 0" 0 $?
json_check "effectiveRules decide" \
  'doc["decision"] == "refused" and "ExpirationRule" in doc["reasons"] and "TicketingRule" in doc["reasons"]' "$out"

expect_policy_error "missing enablement rule" "$TEST_TMPDIR/no-enablement.json" \
  'properties.rules: missing rule "Enablement_EndUser_Assignment"'

python3 - "$examples/requests/alex-activate-now.json" "$TEST_TMPDIR" <<'PY'
import json, sys
request = json.load(open(sys.argv[1]))
request["properties"]["requestType"] = "AdminAssign"
json.dump(request, open(sys.argv[2] + "/admin-assign.json", "w"))
PY
"$portcullis" pim activate --policy "$examples/policy-secure-vm-operator.json" \
  --eligibility "$examples/eligibility.json" --request "$TEST_TMPDIR/admin-assign.json" \
  --now 2026-03-02T09:00:00Z --mfa >/dev/null 2>"$TEST_TMPDIR/stderr"
check "admin request exits 2" 2 $?
if grep -q 'properties.requestType: invalid value "AdminAssign"' "$TEST_TMPDIR/stderr"; then
  echo "ok   admin request names requestType"; else
  echo "FAIL admin request names requestType: $(cat "$TEST_TMPDIR/stderr")"
  failures=$((failures + 1)); fi

out=$("$portcullis" pim windows --schedule "$examples/work-hours.json" \
  --from 2026-03-02T00:00:00Z --to 2026-03-03T00:00:00Z)
check "windows exits 0" 0 $?
if [[ "$out" == "2026-03-02T07:00:00Z 2026-03-02T17:00:00Z" ]]; then
  echo "ok   windows prints Monday's UTC window"; else
  echo "FAIL windows prints Monday's UTC window: $out"; failures=$((failures + 1)); fi

finish
