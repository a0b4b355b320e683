#!/bin/bash
# Runs `portcullis access what-if` on small Graph exports written here and
# checks its decisions, JSON shape and exit codes.
set -uo pipefail

portcullis="$1"
dir="${TEST_TMPDIR:-/tmp}/access_command_test"
mkdir -p "$dir/policies"
source tests/testing/checks.sh

cat >"$dir/policies/block-abroad.json" <<'JSON'
{"id": "block-abroad", "displayName": "Block outside the allowed countries",
 "state": "enabled",
 "conditions": {"users": {"includeUsers": ["All"], "excludeGroups": ["g-break-glass"]},
   "applications": {"includeApplications": ["All"]}, "clientAppTypes": ["all"],
   "locations": {"includeLocations": ["All"], "excludeLocations": ["allowed"]}},
 "grantControls": {"operator": "OR", "builtInControls": ["block"]}}
JSON
cat >"$dir/policies/mfa.json" <<'JSON'
{"displayName": "Require MFA outside the office", "state": "enabled",
 "conditions": {"users": {"includeUsers": ["All"]},
   "applications": {"includeApplications": ["All"]}, "clientAppTypes": ["all"],
   "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}},
 "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
 "sessionControls": {"signInFrequency": {"value": 8, "type": "hours", "isEnabled": true}}}
JSON
cat >"$dir/locations.json" <<'JSON'
{"value": [
 {"@odata.type": "#microsoft.graph.countryNamedLocation", "id": "allowed",
  "countriesAndRegions": ["NL", "BE"], "includeUnknownCountriesAndRegions": false},
 {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "office",
  "isTrusted": true, "ipRanges": [{"cidrAddress": "192.0.2.0/24"}]}]}
JSON
cat >"$dir/directory.json" <<'JSON'
{"users": [{"id": "u-1", "userType": "member", "groups": []},
           {"id": "u-2", "userType": "member", "groups": ["g-break-glass"]}]}
JSON
sign_in() {
  cat >"$dir/$1.json" <<JSON
{"signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": "$2"},
 "signInContext": {"@odata.type": "#microsoft.graph.applicationContext",
                   "includeApplications": ["00000003-0000-0ff1-ce00-000000000000"]},
 "signInConditions": {"ipAddress": "$3", "country": "$4"}}
JSON
}
sign_in home u-1 203.0.113.9 NL
sign_in office u-1 192.0.2.9 NL
sign_in abroad u-1 203.0.113.9 US
sign_in break-glass u-2 203.0.113.9 US

run() {
  "$portcullis" access what-if --policies "$dir/policies" \
    --named-locations "$dir/locations.json" --directory "$dir/directory.json" \
    "$@"
}

out=$(run --sign-in "$dir/home.json" --json 2>/dev/null)
check "home sign-in evaluates" 0 $?
json_check "home needs mfa" \
  'doc["decision"] == "requirements" and doc["requirements"] == ["mfa"]' "$out"
json_check "home merges session controls" \
  'doc["sessionControls"] == ["signInFrequency 8h"]' "$out"
json_check "one entry per policy" \
  '[p["id"] for p in doc["policies"]] == ["block-abroad", "mfa"]' "$out"
json_check "policy without id takes the file name" \
  'any("id: missing" in w for w in doc["warnings"])' "$out"
json_check "reasons spelled as Graph" \
  'doc["policies"][0]["reasons"] == ["location"] and doc["policies"][1]["reasons"] == ["notSet"]' "$out"

out=$(run --sign-in "$dir/home.json" --satisfied-controls mfa --json 2>/dev/null)
json_check "mfa satisfied allows" 'doc["decision"] == "allow"' "$out"

out=$(run --sign-in "$dir/office.json" --json 2>/dev/null)
json_check "trusted office allows" \
  'doc["decision"] == "allow" and doc["policies"][1]["applies"] is False' "$out"

out=$(run --sign-in "$dir/abroad.json" --json 2>/dev/null)
json_check "abroad blocks" \
  'doc["decision"] == "block" and doc["blockingPolicy"] == "block-abroad"' "$out"

out=$(run --sign-in "$dir/break-glass.json" --json 2>/dev/null)
json_check "excluded group is not blocked" \
  'doc["decision"] == "requirements" and doc["policies"][0]["reasons"] == ["users"]' "$out"

out=$(run --sign-in "$dir/home.json" 2>/dev/null)
check "text output evaluates" 0 $?
if grep -q "^decision: requirements (lenient mode)" <<<"$out"; then
  echo "ok   text decision line"
else
  echo "FAIL text decision line: $out"
  failures=$((failures + 1))
fi

cat >"$dir/partial.json" <<JSON
{"signInIdentity": {"userId": "u-1"}, "signInContext": {"includeApplications": ["x"]}}
JSON
out=$(run --sign-in "$dir/partial.json" --strict --json 2>/dev/null)
json_check "strict mode lacks the location" \
  'doc["mode"] == "strict" and doc["policies"][0]["reasons"] == ["notEnoughInformation"] and doc["decision"] == "allow"' "$out"
out=$(run --sign-in "$dir/partial.json" --json 2>/dev/null)
json_check "lenient mode blocks without the location" 'doc["decision"] == "block"' "$out"

run --sign-in "$dir/home.json" --bogus >/dev/null 2>&1
check "unknown flag" 2 $?
"$portcullis" access what-if --policies "$dir/policies" --directory "$dir/directory.json" >/dev/null 2>&1
check "missing --sign-in" 2 $?
run --sign-in "$dir/missing.json" >/dev/null 2>&1
check "unreadable sign-in" 2 $?
echo '{"signInIdentity": {"userId": "u-1"}, "signInConditions": {"ipAddress": "nope"}}' >"$dir/bad.json"
err=$(run --sign-in "$dir/bad.json" 2>&1 >/dev/null)
check "invalid sign-in" 2 $?
if grep -q 'signInConditions.ipAddress: invalid value "nope"' <<<"$err"; then
  echo "ok   invalid sign-in names the field"
else
  echo "FAIL invalid sign-in message: $err"
  failures=$((failures + 1))
fi
run --sign-in "$dir/home.json" --satisfied-controls smile >/dev/null 2>&1
check "unknown satisfied control" 2 $?
run --sign-in "$dir/home.json" --now yesterday >/dev/null 2>&1
check "invalid --now" 2 $?

# Folder listing: `.json` in any case, and a folder without one is an error.
mkdir -p "$dir/upper" "$dir/empty"
cp "$dir/policies/block-abroad.json" "$dir/upper/BLOCK.JSON"
cp "$dir/policies/mfa.json" "$dir/upper/mfa.Json"
out=$("$portcullis" access what-if --policies "$dir/upper" \
  --named-locations "$dir/locations.json" --directory "$dir/directory.json" \
  --sign-in "$dir/abroad.json" --json 2>/dev/null)
check "upper-case extensions evaluate" 0 $?
json_check "upper-case extensions load both policies" \
  'len(doc["policies"]) == 2 and doc["decision"] == "block"' "$out"
err=$("$portcullis" access what-if --policies "$dir/empty" \
  --named-locations "$dir/locations.json" --directory "$dir/directory.json" \
  --sign-in "$dir/abroad.json" 2>&1 >/dev/null)
check "policy folder without JSON" 2 $?
if grep -q -- "--policies: .*/empty: the folder contains no JSON file" <<<"$err"; then
  echo "ok   empty policy folder is named"
else
  echo "FAIL empty policy folder message: $err"
  failures=$((failures + 1))
fi
run --named-locations "$dir/empty" --sign-in "$dir/abroad.json" >/dev/null 2>&1
check "named-location folder without JSON" 2 $?

# An IPv4-mapped address is its IPv4 address: the office is trusted.
sign_in office-mapped u-1 ::ffff:192.0.2.9 NL
sign_in abroad-mapped u-1 ::ffff:203.0.113.9 US
out=$(run --sign-in "$dir/office-mapped.json" --json 2>/dev/null)
json_check "mapped office address is trusted" \
  'doc["decision"] == "allow" and doc["policies"][1]["applies"] is False' "$out"

# A directory entry without `groups` leaves membership unknown: the
# break-glass exclusion may hold, which lenient mode ignores and strict mode
# reports as notEnoughInformation.
cat >"$dir/directory-no-groups.json" <<'JSON'
{"users": [{"id": "u-2", "userType": "member"}]}
JSON
out=$("$portcullis" access what-if --policies "$dir/policies" \
  --named-locations "$dir/locations.json" --directory "$dir/directory-no-groups.json" \
  --sign-in "$dir/break-glass.json" --json 2>/dev/null)
json_check "unknown groups apply the policy in lenient mode" \
  'doc["decision"] == "block" and any("group membership is unknown" in w for w in doc["warnings"])' "$out"
out=$("$portcullis" access what-if --policies "$dir/policies" \
  --named-locations "$dir/locations.json" --directory "$dir/directory-no-groups.json" \
  --sign-in "$dir/break-glass.json" --strict --json 2>/dev/null)
json_check "unknown groups lack information in strict mode" \
  'doc["policies"][0]["reasons"] == ["notEnoughInformation"]' "$out"

finish
