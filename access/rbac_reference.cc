#include "access/rbac_reference.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "access/rbac_import.h"
#include "access/rbac_pattern.h"
#include "access/rbac_scope.h"
#include "re2/re2.h"

namespace portcullis::rbac {

namespace {

std::string Lower(absl::string_view text) {
  return absl::AsciiStrToLower(text);
}

// Lower-cased segments of a scope, with the PIM subscription alias removed.
std::vector<std::string> Segments(absl::string_view scope) {
  std::vector<std::string> segments =
      absl::StrSplit(Lower(scope), '/', absl::SkipEmpty());
  if (segments.size() >= 4 && segments[0] == "providers" &&
      segments[1] == "microsoft.subscription" &&
      segments[2] == "subscriptions") {
    segments.erase(segments.begin(), segments.begin() + 2);
  }
  return segments;
}

bool IsPrefix(const std::vector<std::string>& a,
              const std::vector<std::string>& b) {
  if (a.size() > b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// The management group id of a pure management-group scope, or "".
std::string GroupOf(const std::vector<std::string>& segments) {
  if (segments.size() == 4 && segments[0] == "providers" &&
      segments[1] == "microsoft.management" &&
      segments[2] == "managementgroups") {
    return segments[3];
  }
  return "";
}

// The parent management group of `child` (segments of a subscription or
// management group scope) in the input's links, or "".
std::string ParentOf(const RbacInput& input,
                     const std::vector<std::string>& child) {
  for (const ScopeParent& link : input.scope_parents()) {
    if (Segments(link.child()) == child) return GroupOf(Segments(link.parent()));
  }
  return "";
}

// Management groups above `scope`, found by walking the links upwards.
std::vector<std::string> Ancestors(const RbacInput& input,
                                   const std::vector<std::string>& scope) {
  std::vector<std::string> start;
  if (scope.size() >= 2 && scope[0] == "subscriptions") {
    start = {scope[0], scope[1]};
  } else if (scope.size() >= 4 && !GroupOf({scope.begin(), scope.begin() + 4})
                                       .empty()) {
    start = {scope.begin(), scope.begin() + 4};
  } else {
    return {};
  }
  std::vector<std::string> groups;
  std::string parent = ParentOf(input, start);
  while (!parent.empty() && groups.size() <= input.scope_parents_size()) {
    groups.push_back(parent);
    parent = ParentOf(input, {"providers", "microsoft.management",
                              "managementgroups", parent});
  }
  return groups;
}

bool Covers(const RbacInput& input, absl::string_view assigned,
            absl::string_view requested, bool exact) {
  std::vector<std::string> a = Segments(assigned);
  std::vector<std::string> r = Segments(requested);
  if (exact) return a == r;
  if (IsPrefix(a, r)) return true;
  std::string group = GroupOf(a);
  if (group.empty()) return false;
  for (const std::string& above : Ancestors(input, r)) {
    if (above == group) return true;
  }
  return false;
}

// True when the links lead from the subscription or management group that
// `scope` lies in up to the root scope `/`, the parent of the tenant root
// group. The root scope itself needs no place.
bool Placed(const RbacInput& input, const std::vector<std::string>& scope) {
  std::vector<std::string> node;
  if (scope.size() >= 2 && scope[0] == "subscriptions") {
    node = {scope[0], scope[1]};
  } else if (scope.size() >= 4 &&
             !GroupOf({scope.begin(), scope.begin() + 4}).empty()) {
    node = {scope.begin(), scope.begin() + 4};
  } else {
    return true;
  }
  // Compile() rejects cycles, so the walk ends within one step per link.
  for (int step = 0; step <= input.scope_parents_size(); ++step) {
    const ScopeParent* found = nullptr;
    for (const ScopeParent& link : input.scope_parents()) {
      if (Segments(link.child()) == node) {
        found = &link;
        break;
      }
    }
    if (found == nullptr) return false;
    std::vector<std::string> parent = Segments(found->parent());
    if (parent.empty()) return true;
    node = parent;
  }
  return false;
}

// A deny assignment's reach: its scope covers the requested one, or it sits
// at a management group and the links do not lead from the requested scope
// up to the root, so the group might be above it.
bool DenyCovers(const RbacInput& input, const DenyAssignment& deny,
                absl::string_view requested) {
  if (Covers(input, deny.scope(), requested, deny.do_not_apply_to_child_scopes())) {
    return true;
  }
  return !deny.do_not_apply_to_child_scopes() && !GroupOf(Segments(deny.scope())).empty() &&
         !Placed(input, Segments(requested));
}

// The pattern as an RE2 expression over lower-cased text: `*` is `.*`, and a
// `*` between two slashes together with the slash after it is optional, so
// `x/*/read` matches `x/read`.
std::string PatternToRegex(absl::string_view pattern) {
  std::string lowered = Lower(pattern);
  std::string regex;
  for (size_t i = 0; i < lowered.size(); ++i) {
    char c = lowered[i];
    if (c != '*') {
      regex += RE2::QuoteMeta(re2::StringPiece(&lowered[i], 1));
      continue;
    }
    bool interior = i > 0 && lowered[i - 1] == '/' && i + 1 < lowered.size() &&
                    lowered[i + 1] == '/';
    if (interior) {
      regex += "(?:.*/)?";
      ++i;  // The slash after the star is part of the optional group.
    } else {
      regex += ".*";
    }
  }
  return regex;
}

bool PatternMatches(absl::string_view pattern, absl::string_view action) {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);
  options.set_dot_nl(true);
  RE2 regex(PatternToRegex(pattern), options);
  return RE2::FullMatch(Lower(action), regex);
}

// Index of the first entry of `allow` that matches, or -1 when none does or
// an entry of `except` matches.
int FirstMatch(const google::protobuf::RepeatedPtrField<std::string>& allow,
               const google::protobuf::RepeatedPtrField<std::string>& except,
               absl::string_view action) {
  int found = -1;
  for (int i = 0; i < allow.size(); ++i) {
    if (PatternMatches(allow[i], action)) {
      found = i;
      break;
    }
  }
  if (found < 0) return -1;
  for (const std::string& pattern : except) {
    if (PatternMatches(pattern, action)) return -1;
  }
  return found;
}

int BlockMatch(const Permission& permission, Plane plane,
               absl::string_view action) {
  if (plane == Plane::kControl) {
    return FirstMatch(permission.actions(), permission.not_actions(), action);
  }
  return FirstMatch(permission.data_actions(), permission.not_data_actions(),
                    action);
}

bool IsPrincipal(absl::string_view id, const Request& request) {
  if (Lower(id) == Lower(request.principal_id)) return true;
  for (const std::string& group : request.group_ids) {
    if (Lower(id) == Lower(group)) return true;
  }
  return false;
}

// Whether a principal of a deny assignment or role assignment covers the
// requester when the requester's groups are unknown.
enum class Membership { kNo, kMaybe, kYes };

Membership MembershipOf(absl::string_view id, absl::string_view type,
                        const Request& request) {
  if (Lower(id) == Lower(request.principal_id)) return Membership::kYes;
  std::string kind = Lower(type);
  bool not_a_group = kind == "user" || kind == "serviceprincipal" || kind == "device";
  return not_a_group ? Membership::kNo : Membership::kMaybe;
}

bool Unconditional(const RoleAssignment& assignment, const Permission& block) {
  return assignment.condition().empty() && block.condition().empty();
}

// ReferenceCheck() for a request without known groups, as rbac.h describes
// for Request::groups_known.
Decision CheckWithoutGroups(const RbacInput& input, const Request& request,
                            absl::Time now);

const RoleDefinition* FindRole(const RbacInput& input, absl::string_view id) {
  std::string guid = Lower(LastSegment(id));
  for (const RoleDefinition& role : input.role_definitions()) {
    std::string name =
        role.name().empty() ? Lower(LastSegment(role.id())) : Lower(role.name());
    if (!name.empty() && name == guid) return &role;
  }
  return nullptr;
}

bool Assignable(const RbacInput& input, const RoleDefinition& role,
                absl::string_view scope) {
  if (role.assignable_scopes().empty()) {
    return role.role_type() == ROLE_TYPE_BUILT_IN;
  }
  for (const std::string& allowed : role.assignable_scopes()) {
    if (Covers(input, allowed, scope, false)) return true;
  }
  return false;
}

absl::Time StartOf(const RoleAssignment& assignment) {
  if (!assignment.has_start_time()) return absl::InfinitePast();
  return absl::FromUnixSeconds(assignment.start_time().seconds()) +
         absl::Nanoseconds(assignment.start_time().nanos());
}

absl::Time EndOf(const RoleAssignment& assignment) {
  if (!assignment.has_end_time()) return absl::InfiniteFuture();
  return absl::FromUnixSeconds(assignment.end_time().seconds()) +
         absl::Nanoseconds(assignment.end_time().nanos());
}

}  // namespace

Decision ReferenceCheck(const RbacInput& input, const Request& request,
                        absl::Time now) {
  Decision decision;
  bool valid_action = !request.action.empty() &&
                      request.action.size() <= kMaxActionLength &&
                      request.action.find('*') == absl::string_view::npos;
  if (!valid_action || !ValidateScope(request.scope).ok()) {
    decision.reason = Reason::kInvalidRequest;
    return decision;
  }
  if (!request.groups_known) return CheckWithoutGroups(input, request, now);

  // Step 1: the first deny assignment that blocks.
  for (int d = 0; d < input.deny_assignments_size(); ++d) {
    const DenyAssignment& deny = input.deny_assignments(d);
    bool named = false;
    for (const Principal& principal : deny.principals()) {
      if (Lower(principal.id()) == kAllPrincipalsId ||
          IsPrincipal(principal.id(), request)) {
        named = true;
      }
    }
    bool excluded = false;
    for (const Principal& principal : deny.exclude_principals()) {
      if (IsPrincipal(principal.id(), request)) excluded = true;
    }
    if (!named || excluded) continue;
    if (!DenyCovers(input, deny, request.scope)) continue;
    for (int b = 0; b < deny.permissions_size(); ++b) {
      int pattern = BlockMatch(deny.permissions(b), request.plane, request.action);
      if (pattern >= 0) {
        decision.deny_assignment = d;
        decision.deny_block = b;
        decision.deny_pattern = pattern;
        break;
      }
    }
    if (decision.deny_assignment >= 0) break;
  }

  // Step 2: the first assignment that grants, with and without conditions.
  Decision conditional;
  for (int a = 0; a < input.role_assignments_size(); ++a) {
    const RoleAssignment& assignment = input.role_assignments(a);
    if (!IsPrincipal(assignment.principal_id(), request)) continue;
    if (now < StartOf(assignment) || now >= EndOf(assignment)) continue;
    const RoleDefinition* role = FindRole(input, assignment.role_definition_id());
    if (role == nullptr) continue;
    if (!Assignable(input, *role, assignment.scope())) continue;
    if (!Covers(input, assignment.scope(), request.scope, false)) continue;
    for (int b = 0; b < role->permissions_size(); ++b) {
      int pattern = BlockMatch(role->permissions(b), request.plane, request.action);
      if (pattern < 0) continue;
      bool has_condition = !assignment.condition().empty() ||
                           !role->permissions(b).condition().empty();
      Decision& target = has_condition ? conditional : decision;
      if (target.assignment < 0) {
        target.assignment = a;
        target.role_block = b;
        target.grant_pattern = pattern;
      }
      if (!has_condition) break;
    }
    if (decision.assignment >= 0) break;
  }

  // Step 3: the outcome.
  if (decision.deny_assignment >= 0) {
    decision.reason = Reason::kDenyAssignment;
  } else if (decision.assignment >= 0) {
    decision.allowed = true;
    decision.reason = Reason::kGranted;
  } else if (conditional.assignment >= 0) {
    decision.reason = Reason::kConditionNotEvaluated;
    decision.assignment = conditional.assignment;
    decision.role_block = conditional.role_block;
    decision.grant_pattern = conditional.grant_pattern;
  } else {
    decision.reason = Reason::kNoGrant;
  }
  return decision;
}

namespace {

Decision CheckWithoutGroups(const RbacInput& input, const Request& request,
                            absl::Time now) {
  // Step 1: a deny assignment that certainly applies wins; otherwise the
  // first one that may apply through a group.
  Decision certain;
  Decision maybe;
  for (int d = 0; d < input.deny_assignments_size(); ++d) {
    const DenyAssignment& deny = input.deny_assignments(d);
    Membership named = Membership::kNo;
    for (const Principal& principal : deny.principals()) {
      Membership m = Lower(principal.id()) == kAllPrincipalsId
                         ? Membership::kYes
                         : MembershipOf(principal.id(), principal.type(), request);
      if (m > named) named = m;
    }
    Membership excluded = Membership::kNo;
    for (const Principal& principal : deny.exclude_principals()) {
      Membership m = MembershipOf(principal.id(), principal.type(), request);
      if (m > excluded) excluded = m;
    }
    if (named == Membership::kNo || excluded == Membership::kYes) continue;
    if (!DenyCovers(input, deny, request.scope)) continue;
    bool sure = named == Membership::kYes && excluded == Membership::kNo;
    Decision& target = sure ? certain : maybe;
    if (target.deny_assignment >= 0) continue;
    for (int b = 0; b < deny.permissions_size(); ++b) {
      int pattern = BlockMatch(deny.permissions(b), request.plane, request.action);
      if (pattern >= 0) {
        target.deny_assignment = d;
        target.deny_block = b;
        target.deny_pattern = pattern;
        break;
      }
    }
    if (certain.deny_assignment >= 0) break;
  }
  if (certain.deny_assignment >= 0) {
    certain.reason = Reason::kDenyAssignment;
    return certain;
  }
  if (maybe.deny_assignment >= 0) {
    maybe.reason = Reason::kGroupMembershipUnknown;
    return maybe;
  }

  // Step 2: grants to the requester itself, then unconditional grants to a
  // principal that may be one of its groups.
  Decision granted;
  Decision conditional;
  Decision through_group;
  for (int a = 0; a < input.role_assignments_size(); ++a) {
    const RoleAssignment& assignment = input.role_assignments(a);
    Membership member =
        MembershipOf(assignment.principal_id(), assignment.principal_type(), request);
    if (member == Membership::kNo) continue;
    if (now < StartOf(assignment) || now >= EndOf(assignment)) continue;
    const RoleDefinition* role = FindRole(input, assignment.role_definition_id());
    if (role == nullptr) continue;
    if (!Assignable(input, *role, assignment.scope())) continue;
    if (!Covers(input, assignment.scope(), request.scope, false)) continue;
    for (int b = 0; b < role->permissions_size(); ++b) {
      const Permission& block = role->permissions(b);
      int pattern = BlockMatch(block, request.plane, request.action);
      if (pattern < 0) continue;
      Decision* target = nullptr;
      if (member == Membership::kYes) {
        target = Unconditional(assignment, block) ? &granted : &conditional;
      } else if (Unconditional(assignment, block)) {
        target = &through_group;
      }
      if (target != nullptr && target->assignment < 0) {
        target->assignment = a;
        target->role_block = b;
        target->grant_pattern = pattern;
      }
    }
  }
  if (granted.assignment >= 0) {
    granted.allowed = true;
    granted.reason = Reason::kGranted;
    return granted;
  }
  if (through_group.assignment >= 0) {
    through_group.reason = Reason::kGroupMembershipUnknown;
    return through_group;
  }
  conditional.reason = conditional.assignment >= 0 ? Reason::kConditionNotEvaluated
                                                   : Reason::kNoGrant;
  return conditional;
}

}  // namespace

}  // namespace portcullis::rbac
