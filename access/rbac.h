// Azure RBAC evaluation: may a principal perform an operation at a scope?
//
// Policy::Compile() takes role definitions, role assignments, deny
// assignments and the management-group tree (an RbacInput, as the importers
// in rbac_import.h fill it) and builds an immutable policy. Check() then
// decides one request the way Azure Resource Manager does:
//
//   1. A deny assignment applies when its scope is the request's scope or
//      above it (only the scope itself with doNotApplyToChildScopes), it
//      names the principal, one of its groups or all principals, it excludes
//      none of them, and one of its permission blocks matches the operation
//      (its actions, or dataActions for a data action) without matching that
//      block's notActions (notDataActions). Such a request is denied,
//      whatever any role grants. A deny assignment at a management group
//      counts as above the request's scope unless the management-group links
//      lead from the scope's subscription (or group) up to the root scope
//      `/` without passing it, because an unlisted group may be above.
//   2. Otherwise the request is allowed when an assignment to the principal
//      or one of its groups, at the request's scope or above and active at
//      `now`, has a role with a permission block whose actions
//      (dataActions) match the operation and whose notActions
//      (notDataActions) do not. Grants add up: a notAction in one role never
//      takes away what another role grants.
//   3. Otherwise it is denied because nothing grants it.
//
// Control and data actions are separate planes, as Azure documents: `*` in
// `actions` never grants a data action such as
// `Microsoft.Compute/virtualMachines/login/action`. The request names its
// plane because Azure publishes some operation names, such as
// `Microsoft.KeyVault/vaults/keys/read`, in both. Wildcards and case follow
// rbac_pattern.h (where `X/*/read` also matches `X/read`), and scopes follow
// rbac_scope.h.
//
// Fail-closed choices: conditions are not evaluated, so an assignment or
// role block with an ABAC condition does not grant (the decision reports
// kConditionNotEvaluated), and a deny assignment with a condition blocks as
// if the condition held. An assignment whose role is not loaded grants
// nothing, and so does an assignment of a role outside the role's
// assignableScopes; problems() lists both. A malformed request scope or
// action is denied.
//
//   absl::StatusOr<Policy> policy = Policy::Compile(input);
//   Request request;
//   request.principal_id = "9f5b...";
//   request.action = "Microsoft.Compute/virtualMachines/read";
//   request.scope = "/subscriptions/.../virtualMachines/vm1";
//   Decision decision = policy->Check(request, now);
//   std::cout << policy->Explain(request, decision);
#ifndef PORTCULLIS_ACCESS_RBAC_H_
#define PORTCULLIS_ACCESS_RBAC_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "proto/rbac.pb.h"

namespace portcullis::rbac {

// Which permission lists an operation is checked against.
enum class Plane {
  // `actions` / `notActions`: Azure Resource Manager operations.
  kControl,
  // `dataActions` / `notDataActions`: operations on data inside a resource.
  kData,
};

// One authorization question. The views must outlive the Check() call.
struct Request {
  // The object id of the user, service principal or managed identity.
  absl::string_view principal_id;
  // Object ids of every group the principal belongs to, transitively (as
  // the ARM token lists them). Portcullis does not resolve group nesting.
  absl::Span<const std::string> group_ids;
  // False when the principal's groups are unknown (a user the directory
  // does not list, or lists without groups). `group_ids` is then ignored,
  // and any principal that may be a group may include the requester, so
  // a deny assignment or a grant that depends on membership gives
  // kGroupMembershipUnknown.
  bool groups_known = true;
  // The operation, e.g. `Microsoft.Compute/virtualMachines/read`, without
  // wildcards.
  absl::string_view action;
  Plane plane = Plane::kControl;
  // The resource id the operation acts on.
  absl::string_view scope;
};

enum class Reason {
  // Allowed: an assignment grants the operation and no deny assignment
  // applies.
  kGranted,
  // Denied: a deny assignment blocks the operation.
  kDenyAssignment,
  // Denied: no active assignment at the scope or above grants it.
  kNoGrant,
  // Denied: only assignments or role blocks with an ABAC condition grant
  // it, and conditions are not evaluated.
  kConditionNotEvaluated,
  // Denied: the request's scope or action is malformed.
  kInvalidRequest,
  // Denied: the principal's groups are unknown, and a deny assignment that
  // names a group (or excludes one) may block the operation, or only an
  // assignment to a group grants it.
  kGroupMembershipUnknown,
};

// Returns "granted", "deny assignment", "no grant", "condition not
// evaluated", "invalid request" or "group membership unknown".
absl::string_view ReasonName(Reason reason);

// The outcome of Check(): a small value that points into the policy's input.
// Indexes are -1 when unset.
struct Decision {
  bool allowed = false;
  Reason reason = Reason::kNoGrant;

  // The granting assignment: an index into input().role_assignments(), its
  // role's permission block, and the pattern in that block's actions (or
  // data_actions) that matched. Set when allowed, when a deny assignment
  // blocked what this assignment grants, for kConditionNotEvaluated (the
  // conditional grant), and for kGroupMembershipUnknown when a grant to a
  // group is what membership would decide.
  int assignment = -1;
  int role_block = -1;
  int grant_pattern = -1;

  // The blocking deny assignment: an index into input().deny_assignments(),
  // its permission block and the pattern in that block's actions (or
  // data_actions) that matched. Set for kDenyAssignment, and for
  // kGroupMembershipUnknown when such a deny assignment may apply.
  int deny_assignment = -1;
  int deny_block = -1;
  int deny_pattern = -1;
};

// A mistake in the input that does not stop compilation, because the
// affected assignment simply grants nothing.
struct Problem {
  // Where the object was read (its `source`), or a synthetic path such as
  // `role_assignments[3]`.
  std::string source;
  std::string message;

  // "<source>: <message>".
  std::string ToString() const;
};

// A compiled RBAC policy. Immutable once compiled: Check() and every other
// const method are thread-safe, and Check() does not allocate.
class Policy {
 public:
  // Compiles `input`. Fails with InvalidArgument, naming the object's source
  // and field, on a malformed action pattern or scope, a time-bound
  // assignment whose end is before its start, two role definitions with one
  // GUID but different permissions, all principals listed in a deny
  // assignment's excludePrincipals, a scope parent that is not a management
  // group (or `/` above a management group), a subscription or management
  // group with two parents, or a cycle in the management-group tree.
  static absl::StatusOr<Policy> Compile(RbacInput input);

  Policy(Policy&&) noexcept;
  Policy& operator=(Policy&&) noexcept;
  ~Policy();

  // Decides `request` at `now` (which only matters for time-bound
  // assignments).
  Decision Check(const Request& request, absl::Time now) const;

  // One or two sentences on `decision`, which Check(request, ...) returned:
  // which assignment and role granted it, which deny assignment blocked it,
  // or that nothing granted it, naming the assignment FindUnusableGrant()
  // returns when there is one.
  std::string Explain(const Request& request, const Decision& decision) const;

  // Describes, a line each, the assignments and deny assignments that name
  // the principal or its groups: whether each applies to `request` at `now`,
  // and if not why (scope, time window, role not loaded, notActions, plane).
  // Meant for explaining denials, and allocates.
  std::vector<std::string> Trace(const Request& request, absl::Time now) const;

  // Finds the first assignment, in input order, to the principal or one of
  // its groups that covers the request's scope but grants nothing because
  // of a mistake in the input. Its role is not loaded, or its scope is
  // outside the role's assignableScopes, and a loaded role would grant the
  // operation. Returns an index into input().role_assignments(), or -1.
  // Ignores time windows. Meant for explaining denials, and allocates.
  int FindUnusableGrant(const Request& request) const;

  // The input as compiled (role definitions deduplicated by GUID).
  const RbacInput& input() const;

  // Assignments that grant nothing because of a mistake in the input, and
  // role definitions no assignment can use.
  const std::vector<Problem>& problems() const;

  // The role definition with GUID `id_or_guid` (a bare GUID or a role
  // definition id; case ignored), or nullptr.
  const RoleDefinition* FindRoleDefinition(absl::string_view id_or_guid) const;

 private:
  struct Compiled;
  explicit Policy(std::unique_ptr<Compiled> compiled);

  std::unique_ptr<Compiled> compiled_;
};

}  // namespace portcullis::rbac

#endif  // PORTCULLIS_ACCESS_RBAC_H_
