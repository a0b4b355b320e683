// Importers for PIM objects as Microsoft Graph and Azure Resource Manager
// return them.
//
// Each importer reads JSON bytes (UTF-8 with or without a byte-order mark, or
// UTF-16 with one) into the messages of proto/pim.proto. Two shapes are
// accepted for every object:
//
//   Graph:  {"id": ..., "rules": [{"@odata.type":
//             "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
//             "id": "Expiration_EndUser_Assignment", ...}]}
//   ARM:    {"id": ..., "name": ..., "type": ..., "properties": {"rules":
//             [{"ruleType": "RoleManagementPolicyExpirationRule", ...}]}}
//
// and an Azure REST API example file (`{"parameters": ..., "responses":
// {"200": {"body": ...}}}`) is read through its body. Enum values match
// without regard to case, because requests send `AfterDuration` where
// responses return `afterDuration`. Unknown members are ignored; members
// that decisions depend on are checked, and an error names the JSON path and
// the offending value:
//
//   absl::StatusOr<RoleManagementPolicy> policy =
//       ImportRoleManagementPolicy(bytes);
//   // rules[10].maximumDuration: invalid ISO 8601 duration "PT1D"; ...
//
// Importing checks each field on its own; RolePolicy::Compile() checks that
// the rules fit together.
#ifndef PORTCULLIS_PIM_IMPORT_H_
#define PORTCULLIS_PIM_IMPORT_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/pim.pb.h"

namespace portcullis::pim {

// Imports one role management policy: a Graph unifiedRoleManagementPolicy, an
// ARM roleManagementPolicies resource, or a Graph list (`{"value": [...]}`)
// that contains exactly one policy and names no next page. Rules are told apart
// by `@odata.type` (Graph) or `ruleType` (ARM); an unknown rule type is an
// error, because a rule that cannot be read cannot be enforced.
absl::StatusOr<RoleManagementPolicy> ImportRoleManagementPolicy(
    absl::string_view json_bytes);

// Imports eligibility (`level` = LEVEL_ELIGIBILITY) or assignment
// (LEVEL_ASSIGNMENT) schedule instances: a Graph list `{"value": [...]}` (an
// error when `@odata.nextLink` or ARM's `nextLink` names a next page), a
// bare array, or a single object, each item in the Graph shape or the ARM
// shape with `properties`. Schedules with resolved `startDateTime` and
// `endDateTime` are accepted as instances too. A null or missing
// `endDateTime` means permanent. An item whose `@odata.type`, ARM `type` or
// list `@odata.context` names the other level is an error, so an active
// assignment list can never be read as eligibilities.
absl::StatusOr<std::vector<ScheduleInstance>> ImportScheduleInstances(
    absl::string_view json_bytes, Level level);

// Imports a role assignment or role eligibility schedule request (Graph
// `action`, ARM `requestType`), as posted or as returned with its status.
// The level comes from `@odata.context` or the ARM `type` or, in an API
// example, the URL parameter names; it is LEVEL_ASSIGNMENT otherwise. From an
// API example file the posted body is read, with the URL's scope.
absl::StatusOr<ScheduleRequest> ImportScheduleRequest(
    absl::string_view json_bytes);

// Returns the name Graph uses for `action` ("selfActivate"), for messages.
absl::string_view ActionName(Action action);

}  // namespace portcullis::pim

#endif  // PORTCULLIS_PIM_IMPORT_H_
