#!/bin/bash
# Runs `portcullis rbac check` on the reference architecture's RBAC examples
# and checks its decisions, JSON shape and exit codes.
set -uo pipefail

portcullis="$1"
examples="$2/rbac"
source tests/testing/checks.sh

group="/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-jit-demo"
vm="$group/providers/Microsoft.Compute/virtualMachines/vm-app01"
jit="$group/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default"
operator="5d9a3c1e-2b47-4f86-a0d3-8e1f6c2b9a74"
inputs=(--roles "$examples/roles" --assignments "$examples/role-assignments.json"
        --deny-assignments "$examples/deny-assignments.json"
        --management-groups "$examples/management-groups.json")

out=$("$portcullis" rbac check "${inputs[@]}" --principal "$operator" \
  --action Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action \
  --scope "$jit" --json)
check "jit initiation exits 0" 0 $?
json_check "operator may initiate jit" \
  'doc["decision"] == "allow" and doc["reason"] == "granted" and doc["grantedBy"]["roleName"] == "Secure VM Access Operator" and doc["grantedBy"]["roleAssignment"] == "9b1f0e6d-4c2a-4d8e-b5f7-2a6c8e0d1f34"' \
  "$out"

out=$("$portcullis" rbac check "${inputs[@]}" --principal "$operator" \
  --action Microsoft.Compute/virtualMachines/login/action --data-action \
  --scope "$vm" --json)
check "login exits 0" 0 $?
json_check "operator may sign in with entra id" \
  'doc["decision"] == "allow" and doc["grantedBy"]["matched"] == "Microsoft.Compute/virtualMachines/login/action"' \
  "$out"

out=$("$portcullis" rbac check "${inputs[@]}" --principal "$operator" \
  --action Microsoft.Compute/virtualMachines/login/action \
  --scope "$vm" --json)
check "login as control action exits 0" 0 $?
json_check "login is a data action" \
  'doc["decision"] == "deny" and doc["reason"] == "no grant" and "grantedBy" not in doc' \
  "$out"

out=$("$portcullis" rbac check \
  --roles "$examples/roles/secure-vm-operator.rest.json" \
  --assignments "$examples/role-assignments.json" --principal "$operator" \
  --action Microsoft.Compute/virtualMachines/write --scope "$vm")
check "vm write exits 0" 0 $?
contains "operator may not write the vm" "deny: denied: no active role assignment" "$out"
contains "text lists the considered assignment" \
  "the role does not grant the control-plane action" "$out"
contains "text lists the unloaded reader role" \
  "role definition 'acdd72a7-3385-48ef-bd42-f606fba81ae7' is not loaded" "$out"

out=$("$portcullis" rbac check "${inputs[@]}" --principal "$operator" \
  --action Microsoft.Compute/virtualMachines/delete --scope "$vm" --json)
check "vm delete exits 0" 0 $?
json_check "deny assignment blocks delete" \
  'doc["decision"] == "deny" and doc["reason"] == "deny assignment" and doc["deniedBy"]["matched"] == "*/delete" and doc["deniedBy"]["denyAssignment"] == "6f3b8d2e-0a4c-5e7f-9b1d-3c5e7a9f1b2d"' \
  "$out"

"$portcullis" rbac check "${inputs[@]}" --principal "$operator" \
  --action Microsoft.Compute/virtualMachines/read --scope /subscription/x \
  >/dev/null 2>&1
check "malformed scope exits 2" 2 $?

"$portcullis" rbac check "${inputs[@]}" --principal "$operator" \
  --action 'Microsoft.Compute/*' --scope "$vm" >/dev/null 2>&1
check "wildcard action exits 2" 2 $?

"$portcullis" rbac check --roles "$examples/roles" \
  --assignments "$examples/no-such-file.json" --principal "$operator" \
  --action Microsoft.Compute/virtualMachines/read --scope "$vm" \
  >/dev/null 2>&1
check "missing file exits 2" 2 $?

err=$("$portcullis" rbac check --roles "$examples/roles" \
  --assignments "$examples/roles/secure-vm-operator.rest.json" \
  --principal "$operator" --action Microsoft.Compute/virtualMachines/read \
  --scope "$vm" 2>&1 >/dev/null)
check "role file as assignments exits 2" 2 $?
contains "error names the field" \
  "type: invalid value 'Microsoft.Authorization/roleDefinitions'" "$err"

"$portcullis" rbac check --roles "$examples/roles" --principal "$operator" \
  --action Microsoft.Compute/virtualMachines/read --scope "$vm" >/dev/null 2>&1
check "missing --assignments exits 2" 2 $?

"$portcullis" rbac frobnicate >/dev/null 2>&1
check "unknown subcommand exits 2" 2 $?

out=$("$portcullis" rbac validate --roles "$examples/roles")
check "validate example roles exits 0" 0 $?
roles_checked="$(ls "$examples"/roles/*.json | wc -l | tr -d ' ') roles checked, 0 problems"
contains "validate counts roles" "$roles_checked" "$out"

bad="$TEST_TMPDIR/bad-role.json"
cat >"$bad" <<'JSON'
{"Name": "Too wide", "Actions": ["Microsoft.CostManagement/*/query/*"],
 "AssignableScopes": ["/"]}
JSON
out=$("$portcullis" rbac validate --roles "$bad")
check "validate bad role exits 1" 1 $?
contains "validate names the root scope" "assignableScopes[0]: invalid value '/'" "$out"
contains "validate names two wildcards" "with 2 wildcards; Azure accepts one" "$out"

if [[ -n "${PORTCULLIS_SHARED_DIR:-}" && -d "$PORTCULLIS_SHARED_DIR/realdata/rbac" ]]; then
  out=$("$portcullis" rbac validate --roles "$examples/roles" \
    --operations "$PORTCULLIS_SHARED_DIR/realdata/rbac/provider-operations")
  check "validate against operation lists exits 0" 0 $?
  contains "example roles name real operations" "$roles_checked" "$out"

  builtin="$PORTCULLIS_SHARED_DIR/realdata/rbac/builtin-roles"
  out=$("$portcullis" rbac check --roles "$builtin" "${inputs[@]}" \
    --principal 2b8e5f1c-7d3a-4c9e-86b0-4f1a9d2c7e83 \
    --action Microsoft.Compute/virtualMachines/read --scope "$vm" --json)
  check "auditor read exits 0" 0 $?
  json_check "reader reads the vm" \
    'doc["decision"] == "allow" and doc["grantedBy"]["roleName"] == "Reader" and doc["problems"] == []' \
    "$out"
else
  echo "skip built-in role checks: PORTCULLIS_SHARED_DIR is not set"
fi

finish
