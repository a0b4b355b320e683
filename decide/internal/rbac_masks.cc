#include "decide/internal/rbac_masks.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "access/rbac_import.h"

namespace portcullis::decide::internal {
namespace {

// A built-in role that grants every control and data action, to find out
// which operations a deny assignment blocks.
constexpr char kEverythingRoleId[] = "6a0c5f3e-0000-4000-8000-0000000000a1";
constexpr char kProbePrincipal[] = "6a0c5f3e-0000-4000-8000-0000000000a2";

absl::Time ToTime(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

bool IsTimeBound(const rbac::RoleAssignment& assignment) {
  return assignment.has_start_time() || assignment.has_end_time();
}

// Writes the lower-case form of `id` to `buffer`; false when it is too long.
bool LowerInto(absl::string_view id, char (&buffer)[kMaxPrincipalIdLength],
               absl::string_view* out) {
  if (id.size() > kMaxPrincipalIdLength) return false;
  for (size_t i = 0; i < id.size(); ++i) buffer[i] = absl::ascii_tolower(id[i]);
  *out = absl::string_view(buffer, id.size());
  return true;
}

// The principal a deny assignment names that is not excluded, or the probe
// principal when it names all principals; "" when it names none.
std::string PrincipalDeniedBy(const rbac::DenyAssignment& deny) {
  for (const rbac::Principal& principal : deny.principals()) {
    if (principal.id() == rbac::kAllPrincipalsId) return kProbePrincipal;
    bool excluded = false;
    for (const rbac::Principal& exclude : deny.exclude_principals()) {
      if (absl::EqualsIgnoreCase(exclude.id(), principal.id())) excluded = true;
    }
    if (!excluded) return principal.id();
  }
  return "";
}

// The operations `deny` blocks for the principals it applies to.
absl::StatusOr<uint32_t> BlockedBy(const rbac::RbacInput& input,
                                   const rbac::DenyAssignment& deny,
                                   absl::Span<const rbac::Operation> operations) {
  std::string principal = PrincipalDeniedBy(deny);
  if (principal.empty()) return 0;

  rbac::RbacInput probe;
  *probe.mutable_scope_parents() = input.scope_parents();
  rbac::RoleDefinition* role = probe.add_role_definitions();
  role->set_name(kEverythingRoleId);
  role->set_role_name("every action");
  role->set_role_type(rbac::ROLE_TYPE_BUILT_IN);
  role->add_assignable_scopes("/");
  rbac::Permission* permission = role->add_permissions();
  permission->add_actions("*");
  permission->add_data_actions("*");
  rbac::RoleAssignment* assignment = probe.add_role_assignments();
  assignment->set_name("probe");
  assignment->set_principal_id(principal);
  assignment->set_role_definition_id(kEverythingRoleId);
  assignment->set_scope("/");
  *probe.add_deny_assignments() = deny;
  absl::StatusOr<rbac::Policy> policy = rbac::Policy::Compile(std::move(probe));
  if (!policy.ok()) return policy.status();

  uint32_t blocked = 0;
  for (size_t k = 0; k < operations.size(); ++k) {
    rbac::Request request;
    request.principal_id = principal;
    request.action = operations[k].action;
    request.plane = operations[k].plane;
    request.scope = operations[k].scope;
    if (policy->Check(request, absl::UnixEpoch()).reason ==
        rbac::Reason::kDenyAssignment) {
      blocked |= uint32_t{1} << k;
    }
  }
  return blocked;
}

}  // namespace

uint32_t RbacMasks::CheckEach(const rbac::Policy& policy, absl::string_view principal,
                              absl::Span<const rbac::Operation> operations,
                              absl::Time now) {
  uint32_t granted = 0;
  for (size_t k = 0; k < operations.size(); ++k) {
    rbac::Request request;
    request.principal_id = principal;
    request.action = operations[k].action;
    request.plane = operations[k].plane;
    request.scope = operations[k].scope;
    if (policy.Check(request, now).allowed) granted |= uint32_t{1} << k;
  }
  return granted;
}

absl::StatusOr<RbacMasks> RbacMasks::Compile(const rbac::RbacInput& input,
                                             absl::Span<const rbac::Operation> operations) {
  if (operations.size() > kMaxRbacOperations) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rbac: ", operations.size(), " operations; expected at most ", kMaxRbacOperations));
  }
  RbacMasks masks;

  // Standing assignments, without deny assignments: one check per
  // principal and operation.
  rbac::RbacInput standing = input;
  standing.clear_deny_assignments();
  standing.clear_role_assignments();
  for (const rbac::RoleAssignment& assignment : input.role_assignments()) {
    if (!IsTimeBound(assignment)) *standing.add_role_assignments() = assignment;
  }
  absl::StatusOr<rbac::Policy> policy = rbac::Policy::Compile(standing);
  if (!policy.ok()) return policy.status();
  for (const rbac::RoleAssignment& assignment : standing.role_assignments()) {
    std::string principal = absl::AsciiStrToLower(assignment.principal_id());
    if (masks.standing_.contains(principal)) continue;
    masks.standing_[principal] =
        CheckEach(*policy, principal, operations, absl::UnixEpoch());
  }

  // Time-bound assignments (active PIM instances), each on its own with
  // its window.
  for (const rbac::RoleAssignment& assignment : input.role_assignments()) {
    if (!IsTimeBound(assignment)) continue;
    rbac::RbacInput single = standing;
    single.clear_role_assignments();
    rbac::RoleAssignment* timeless = single.add_role_assignments();
    *timeless = assignment;
    timeless->clear_start_time();
    timeless->clear_end_time();
    absl::StatusOr<rbac::Policy> one = rbac::Policy::Compile(std::move(single));
    if (!one.ok()) return one.status();
    TimedGrant grant;
    grant.principal = absl::AsciiStrToLower(assignment.principal_id());
    grant.window.start = assignment.has_start_time() ? ToTime(assignment.start_time())
                                                     : absl::InfinitePast();
    grant.window.end = assignment.has_end_time() ? ToTime(assignment.end_time())
                                                 : absl::InfiniteFuture();
    grant.mask = CheckEach(*one, grant.principal, operations, absl::UnixEpoch());
    masks.timed_.push_back(std::move(grant));
  }

  for (const rbac::DenyAssignment& deny : input.deny_assignments()) {
    absl::StatusOr<uint32_t> blocked = BlockedBy(input, deny, operations);
    if (!blocked.ok()) return blocked.status();
    masks.deny_relevant_ |= *blocked;
  }
  return masks;
}

bool RbacMasks::Granted(absl::string_view principal, absl::Span<const std::string> groups,
                        absl::Time now, uint32_t* granted) const {
  char buffer[kMaxPrincipalIdLength];
  uint32_t mask = 0;
  auto add = [&](absl::string_view id) {
    absl::string_view lower;
    if (!LowerInto(id, buffer, &lower)) return false;
    if (auto found = standing_.find(lower); found != standing_.end()) mask |= found->second;
    for (const TimedGrant& grant : timed_) {
      if (grant.principal == lower && grant.window.Contains(now)) mask |= grant.mask;
    }
    return true;
  };
  if (!add(principal)) return false;
  for (const std::string& group : groups) {
    if (!add(group)) return false;
  }
  *granted = mask;
  return true;
}

}  // namespace portcullis::decide::internal
