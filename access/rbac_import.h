// Importing Azure RBAC objects from the JSON that Azure tools print.
//
// Each importer takes a whole document and recognizes its shape:
//
//   - one object, an array of objects (`az ... list`), or a list response
//     `{"value": [...]}` (REST). A list response whose `nextLink` (or
//     `@odata.nextLink`) names a next page is an error, since the items on
//     the other pages would be missing;
//   - an example file of the REST API specification, whose response sits in
//     `responses.200.body` (or `201`) and is read as above.
//
// Role definitions come in three dialects, told apart per object:
//
//   REST          {"id", "name": guid, "properties": {"roleName", "type",
//                  "description", "assignableScopes", "permissions": [...]}}
//   az output     the same fields flattened: {"roleName", "roleType",
//                  "name": guid, "permissions": [...], ...}
//   az/PowerShell {"Name": display name, "Id": guid, "IsCustom",
//   input form     "Actions", "NotActions", "DataActions", "NotDataActions",
//                  "AssignableScopes"} (what `az role definition create`
//                  and New-AzRoleDefinition read and Get-AzRoleDefinition
//                  prints), or with a `Permissions` array in place of the
//                  flat lists.
//
// An object with `properties` is REST; one with `roleName` is az output;
// anything else is the input form, where `Name` is the display name. Keys
// are matched exactly first, then without regard to case, as json::FindField
// does. Unknown keys are ignored, except inside permission blocks and in the
// input form, where a misspelled `NotActions` would silently widen a role:
// there they are errors.
//
// Role assignments: REST (`properties.principalId`, `roleDefinitionId`,
// `scope`), `az role assignment list` output (the same fields flat) and
// Get-AzRoleAssignment output (`ObjectId`, `RoleDefinitionId`, `Scope`). A
// missing scope is taken from the id. PIM schedule instances and schedules
// are rejected with a message: they are time-bound and belong to //pim.
//
// Deny assignments: REST (`properties.permissions`, `principals`,
// `excludePrincipals`, `doNotApplyToChildScopes`, `scope`) and the flat
// shape with the same fields.
//
// Every error is InvalidArgument naming the JSON path and quoting the value,
// e.g. `value[1].properties.permissions[0].actions[2]: invalid value 3;
// expected a string`. Each imported object records its path in `source`,
// prefixed by `source_name` and ": " when that is not empty.
#ifndef PORTCULLIS_ACCESS_RBAC_IMPORT_H_
#define PORTCULLIS_ACCESS_RBAC_IMPORT_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/rbac.pb.h"

namespace portcullis::rbac {

// The zero GUID that, with type `SystemDefined`, names all principals in a
// deny assignment.
inline constexpr absl::string_view kAllPrincipalsId =
    "00000000-0000-0000-0000-000000000000";

absl::StatusOr<std::vector<RoleDefinition>> ParseRoleDefinitions(
    absl::string_view json_bytes, absl::string_view source_name = "");

absl::StatusOr<std::vector<RoleAssignment>> ParseRoleAssignments(
    absl::string_view json_bytes, absl::string_view source_name = "");

absl::StatusOr<std::vector<DenyAssignment>> ParseDenyAssignments(
    absl::string_view json_bytes, absl::string_view source_name = "");

// Reads the management-group tree from the Entities - List response
// (`POST /providers/Microsoft.Management/getEntities`, or `az account
// management-group entities list`), with the fields in `properties` or
// flat. Each link is returned once:
//   - `parent.id` links the entity to its parent.
//   - A management group with `parent: null` is the tenant root group, and
//     so is the group named by `tenantId` (its name is the tenant id). Both
//     are linked to the root scope `/`. A tenant has one root group, so a
//     second group with a null parent, one whose name is not the tenantId,
//     and entities that name two tenants are errors. Such a group's parent
//     is missing from the file, and taking it for the root would hide the
//     deny assignments above it.
//   - `parentNameChain` (the groups above, from the top down) links each
//     name to the one before it, and the entity to the last one. A chain
//     that contradicts `parent` is an error.
// A subscription with `parent: null`, and an entity without parent or
// chain, give no link of their own, so their placement stays unknown.
absl::StatusOr<std::vector<ScopeParent>> ParseManagementGroupEntities(
    absl::string_view json_bytes, absl::string_view source_name = "");

// Reads `az provider operation show` output (one provider: `operations[]`
// and `resourceTypes[].operations[]`) or `az provider operation list`
// output (an array of those).
absl::StatusOr<ProviderOperationSet> ParseProviderOperations(
    absl::string_view json_bytes);

}  // namespace portcullis::rbac

#endif  // PORTCULLIS_ACCESS_RBAC_IMPORT_H_
