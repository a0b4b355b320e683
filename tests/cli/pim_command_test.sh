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

out=$("$portcullis" pim windows --schedule "$examples/work-hours.json" \
  --from 2026-03-02T00:00:00Z --to 2026-03-03T00:00:00Z)
check "windows exits 0" 0 $?
if [[ "$out" == "2026-03-02T07:00:00Z 2026-03-02T17:00:00Z" ]]; then
  echo "ok   windows prints Monday's UTC window"; else
  echo "FAIL windows prints Monday's UTC window: $out"; failures=$((failures + 1)); fi

finish
