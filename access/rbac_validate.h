// Checks a role definition the way Azure checks a custom role when it is
// created, and against the provider operation lists.
//
// Azure Resource Manager rejects a custom role in these cases:
//
//   - the name is empty or longer than 512 characters, or the description
//     is longer than 2,048;
//   - there is no assignable scope, or more than 2,000;
//   - an assignable scope is the root `/`, or more than one is a
//     management group, or one is a management group and the role has
//     dataActions;
//   - an action string carries more than one `*`.
//
// ValidateRoleDefinition() reports each as a Problem. Policy::Compile()
// accepts such roles anyway (built-in roles and exports may predate a
// rule); this is the check for roles a user writes.
//
// With the provider operation lists (`az provider operation show`), it also
// reports entries that can never grant anything: an operation of a listed
// provider that does not exist, an operation in the wrong plane (such as
// `Microsoft.Compute/virtualMachines/login/action` under `actions`, which
// only `dataActions` can grant), and a wildcard that matches no operation of
// its plane. Providers missing from the lists are not checked.
//
//   std::vector<Problem> problems = ValidateRoleDefinition(role, &operations);
#ifndef PORTCULLIS_ACCESS_RBAC_VALIDATE_H_
#define PORTCULLIS_ACCESS_RBAC_VALIDATE_H_

#include <vector>

#include "access/rbac.h"
#include "proto/rbac.pb.h"

namespace portcullis::rbac {

// Azure's limits for custom roles.
inline constexpr int kMaxRoleNameLength = 512;
inline constexpr int kMaxRoleDescriptionLength = 2048;
inline constexpr int kMaxAssignableScopes = 2000;

// Returns every problem of `role`, in field order; empty when Azure would
// accept it. The custom-role rules apply unless the role is built in.
// `operations` may be null, which skips the checks against operation lists.
std::vector<Problem> ValidateRoleDefinition(
    const RoleDefinition& role, const ProviderOperationSet* operations);

}  // namespace portcullis::rbac

#endif  // PORTCULLIS_ACCESS_RBAC_VALIDATE_H_
