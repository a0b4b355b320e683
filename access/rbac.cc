#include "access/rbac.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "access/rbac_ascii.h"
#include "access/rbac_import.h"
#include "access/rbac_pattern.h"
#include "access/rbac_scope.h"

namespace portcullis::rbac {

namespace {

// Hashes the ASCII-lower-cased text, so ids that differ only in case hash
// alike. Lookups by string_view lower-case into a stack buffer instead of a
// heap copy; longer keys (never a real object id) fall back to FNV-1a.
struct CaseInsensitiveHash {
  using is_transparent = void;
  size_t operator()(absl::string_view text) const {
    constexpr size_t kBuffer = 128;
    if (text.size() <= kBuffer) {
      char lowered[kBuffer];
      for (size_t i = 0; i < text.size(); ++i) {
        lowered[i] = LowerAscii(text[i]);
      }
      return absl::Hash<absl::string_view>()(
          absl::string_view(lowered, text.size()));
    }
    uint64_t hash = 14695981039346656037ull;
    for (char c : text) {
      hash ^= static_cast<unsigned char>(absl::ascii_tolower(c));
      hash *= 1099511628211ull;
    }
    return static_cast<size_t>(hash);
  }
};

struct CaseInsensitiveEqual {
  using is_transparent = void;
  bool operator()(absl::string_view a, absl::string_view b) const {
    return EqualsAsciiIgnoringCase(a, b);
  }
};

template <typename V>
using CaseInsensitiveMap =
    absl::flat_hash_map<std::string, V, CaseInsensitiveHash,
                        CaseInsensitiveEqual>;

struct CompiledScope {
  // The canonical text, in its original case, for messages.
  std::string text;
  // Lower-case segments, compared with the request's by EqualsLowered().
  std::vector<std::string> segments;
  ScopeLevel level = ScopeLevel::kRoot;
  // Lower case; set for a management-group scope itself (not a resource
  // inside one).
  std::string management_group;
};

struct CompiledBlock {
  std::vector<ActionPattern> actions;
  std::vector<ActionPattern> not_actions;
  std::vector<ActionPattern> data_actions;
  std::vector<ActionPattern> not_data_actions;
  bool conditional = false;
};

struct CompiledRole {
  std::vector<CompiledBlock> blocks;
};

struct CompiledAssignment {
  // Index into Compiled::roles, or -1 when the role is not loaded.
  int role = -1;
  CompiledScope scope;
  bool conditional = false;
  // False when the assignment grants nothing (role not loaded, outside the
  // role's assignable scopes).
  bool usable = true;
  std::string unusable_reason;
  absl::Time start = absl::InfinitePast();
  absl::Time end = absl::InfiniteFuture();
  // True when the principal may be a group (principalType Group or not
  // given), which matters when the requester's groups are unknown.
  bool may_be_group = true;
};

struct CompiledDeny {
  std::vector<CompiledBlock> blocks;
  CompiledScope scope;
  bool exact_scope = false;
  bool all_principals = false;
  std::vector<std::string> principals;
  std::vector<std::string> excluded;
  // The ids of `principals` and `excluded` whose type is Group or not given.
  std::vector<std::string> group_principals;
  std::vector<std::string> group_excluded;
};

// True unless `type` (a principalType) names a kind of principal that is
// not a group. An empty or unfamiliar type may be a group.
bool MayBeGroup(absl::string_view type) {
  return !(absl::EqualsIgnoreCase(type, "User") ||
           absl::EqualsIgnoreCase(type, "ServicePrincipal") ||
           absl::EqualsIgnoreCase(type, "Device"));
}

std::string SourceOr(const std::string& source, absl::string_view fallback) {
  return source.empty() ? std::string(fallback) : source;
}

absl::Status CompileError(absl::string_view where, absl::string_view field,
                          absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(where, ": ", field, ": ", message));
}

absl::StatusOr<CompiledScope> CompileScope(absl::string_view text) {
  absl::StatusOr<ScopePath> path = ScopePath::Parse(text);
  if (!path.ok()) return path.status();
  CompiledScope scope;
  scope.text = path->ToString();
  scope.level = path->level();
  for (int i = 0; i < path->size(); ++i) {
    scope.segments.push_back(absl::AsciiStrToLower(path->segment(i)));
  }
  if (path->level() == ScopeLevel::kManagementGroup && path->size() == 4) {
    scope.management_group = absl::AsciiStrToLower(path->management_group());
  }
  return scope;
}

absl::Status CompilePatterns(
    const google::protobuf::RepeatedPtrField<std::string>& texts,
    absl::string_view where, absl::string_view field,
    std::vector<ActionPattern>& out) {
  for (int i = 0; i < texts.size(); ++i) {
    absl::StatusOr<ActionPattern> pattern = ActionPattern::Compile(texts[i]);
    if (!pattern.ok()) {
      return CompileError(where, absl::StrCat(field, "[", i, "]"),
                          pattern.status().message());
    }
    out.push_back(*std::move(pattern));
  }
  return absl::OkStatus();
}

absl::StatusOr<CompiledBlock> CompileBlock(const Permission& permission,
                                           absl::string_view where,
                                           absl::string_view prefix) {
  CompiledBlock block;
  block.conditional = !permission.condition().empty();
  absl::Status status =
      CompilePatterns(permission.actions(), where,
                      absl::StrCat(prefix, ".actions"), block.actions);
  if (status.ok()) {
    status = CompilePatterns(permission.not_actions(), where,
                             absl::StrCat(prefix, ".notActions"),
                             block.not_actions);
  }
  if (status.ok()) {
    status = CompilePatterns(permission.data_actions(), where,
                             absl::StrCat(prefix, ".dataActions"),
                             block.data_actions);
  }
  if (status.ok()) {
    status = CompilePatterns(permission.not_data_actions(), where,
                             absl::StrCat(prefix, ".notDataActions"),
                             block.not_data_actions);
  }
  if (!status.ok()) return status;
  return block;
}

absl::StatusOr<std::vector<CompiledBlock>> CompileBlocks(
    const google::protobuf::RepeatedPtrField<Permission>& permissions,
    absl::string_view where) {
  std::vector<CompiledBlock> blocks;
  for (int i = 0; i < permissions.size(); ++i) {
    absl::StatusOr<CompiledBlock> block =
        CompileBlock(permissions[i], where, absl::StrCat("permissions[", i, "]"));
    if (!block.ok()) return block.status();
    blocks.push_back(*std::move(block));
  }
  return blocks;
}

// Returns the index of the pattern in the block's allow list for `plane`
// that matches `action`, or -1 when none does or an exception matches.
int MatchBlock(const CompiledBlock& block, Plane plane,
               absl::string_view action) {
  const std::vector<ActionPattern>& allow =
      plane == Plane::kControl ? block.actions : block.data_actions;
  const std::vector<ActionPattern>& except =
      plane == Plane::kControl ? block.not_actions : block.not_data_actions;
  int found = -1;
  for (size_t i = 0; i < allow.size(); ++i) {
    if (allow[i].Matches(action)) {
      found = static_cast<int>(i);
      break;
    }
  }
  if (found < 0) return -1;
  for (const ActionPattern& pattern : except) {
    if (pattern.Matches(action)) return -1;
  }
  return found;
}

// The pattern in the block's exception list for `plane` that matches, or
// nullptr.
const ActionPattern* MatchingException(const CompiledBlock& block, Plane plane,
                                       absl::string_view action) {
  const std::vector<ActionPattern>& except =
      plane == Plane::kControl ? block.not_actions : block.not_data_actions;
  for (const ActionPattern& pattern : except) {
    if (pattern.Matches(action)) return &pattern;
  }
  return nullptr;
}

absl::StatusOr<absl::Time> TimestampToTime(
    const google::protobuf::Timestamp& timestamp, absl::string_view where,
    absl::string_view field) {
  if (timestamp.nanos() < 0 || timestamp.nanos() >= 1000000000) {
    return CompileError(where, field,
                        absl::StrCat("invalid nanos ", timestamp.nanos(),
                                     "; expected 0 to 999999999"));
  }
  return absl::FromUnixSeconds(timestamp.seconds()) +
         absl::Nanoseconds(timestamp.nanos());
}

// The permissions of a role in a form where case and order within a list
// do not matter, for telling duplicate definitions apart.
std::string PermissionsKey(const RoleDefinition& role) {
  auto list = [](const google::protobuf::RepeatedPtrField<std::string>& texts) {
    std::vector<std::string> lowered;
    for (const std::string& text : texts) {
      lowered.push_back(absl::AsciiStrToLower(text));
    }
    std::sort(lowered.begin(), lowered.end());
    lowered.erase(std::unique(lowered.begin(), lowered.end()), lowered.end());
    return absl::StrJoin(lowered, ",");
  };
  std::string key;
  for (const Permission& permission : role.permissions()) {
    absl::StrAppend(&key, "[", list(permission.actions()), "|",
                    list(permission.not_actions()), "|",
                    list(permission.data_actions()), "|",
                    list(permission.not_data_actions()), "|",
                    permission.condition(), "]");
  }
  return key;
}

std::string RoleLabel(const RoleDefinition& role) {
  if (role.role_name().empty()) return absl::StrCat("'", role.name(), "'");
  if (role.name().empty()) return absl::StrCat("'", role.role_name(), "'");
  return absl::StrCat("'", role.role_name(), "' (", role.name(), ")");
}

std::string AssignmentLabel(const RoleAssignment& assignment, int index) {
  if (!assignment.name().empty()) {
    return absl::StrCat("role assignment '", assignment.name(), "'");
  }
  if (!assignment.source().empty()) {
    return absl::StrCat("role assignment at ", assignment.source());
  }
  return absl::StrCat("role assignment #", index);
}

// Names a deny assignment by its GUID, because Azure's display names embed
// quoted resource ids and read poorly inside a sentence.
std::string DenyLabel(const DenyAssignment& deny, int index) {
  if (!deny.name().empty()) {
    return absl::StrCat("deny assignment '", deny.name(), "'");
  }
  if (!deny.deny_assignment_name().empty()) {
    return absl::StrCat("deny assignment \"", deny.deny_assignment_name(),
                        "\"");
  }
  if (!deny.source().empty()) {
    return absl::StrCat("deny assignment at ", deny.source());
  }
  return absl::StrCat("deny assignment #", index);
}

absl::string_view PlaneName(Plane plane) {
  return plane == Plane::kControl ? "control-plane action" : "data action";
}

absl::string_view AllowListName(Plane plane) {
  return plane == Plane::kControl ? "actions" : "dataActions";
}

absl::string_view ExceptListName(Plane plane) {
  return plane == Plane::kControl ? "notActions" : "notDataActions";
}

}  // namespace

std::string Problem::ToString() const {
  return absl::StrCat(source, ": ", message);
}

absl::string_view ReasonName(Reason reason) {
  switch (reason) {
    case Reason::kGranted:
      return "granted";
    case Reason::kDenyAssignment:
      return "deny assignment";
    case Reason::kNoGrant:
      return "no grant";
    case Reason::kConditionNotEvaluated:
      return "condition not evaluated";
    case Reason::kInvalidRequest:
      return "invalid request";
    case Reason::kGroupMembershipUnknown:
      return "group membership unknown";
  }
  return "unknown";
}

struct Policy::Compiled {
  RbacInput input;
  std::vector<Problem> problems;

  std::vector<CompiledRole> roles;  // parallel to input.role_definitions
  CaseInsensitiveMap<int> role_by_guid;
  std::vector<CompiledAssignment> assignments;  // parallel to input
  // Role assignments and deny assignments that name each principal, each
  // list in input order, so a check reads only those of the principal and
  // its groups.
  struct PrincipalEntry {
    std::vector<int> assignments;
    std::vector<int> denies;
  };
  CaseInsensitiveMap<PrincipalEntry> by_principal;
  std::vector<CompiledDeny> denies;  // parallel to input
  // Deny assignments that name all principals, in input order.
  std::vector<int> denies_for_all;

  // The management groups above a subscription or management group,
  // nearest first, as far as the links go.
  struct Ancestry {
    std::vector<std::string> groups;
    // True when the links end at the root scope `/` (the tenant root group's
    // parent). Otherwise the last group's parent is unknown, so a group that
    // is not listed may still be above.
    bool reaches_root = false;
  };
  // Only subscriptions and management groups with a parent link have one.
  CaseInsensitiveMap<Ancestry> subscription_ancestors;
  CaseInsensitiveMap<Ancestry> group_ancestors;

  absl::Status CompileRoles();
  absl::Status CompileHierarchy();
  absl::Status CompileAssignments();
  absl::Status CompileDenies();

  // The management groups above `path` (for a subscription or anything in
  // it, or for a management group or anything in it), nearest first.
  absl::Span<const std::string> AncestorGroups(const ScopePath& path) const;
  bool ScopeCovers(const CompiledScope& scope, const ScopePath& path,
                   absl::Span<const std::string> groups, bool exact) const;
  // The ancestry of the subscription or management group of `path`, or
  // nullptr when no link places it (or `path` is the root scope).
  const Ancestry* AncestryOf(const ScopePath& path) const;
  // True when AncestorGroups(path) is complete: the links lead from the
  // subscription or management group of `path` up to the root scope. The
  // root scope has nothing above it.
  bool PlacementComplete(const ScopePath& path) const;
  // Why PlacementComplete(path) is false, for messages: "the
  // management-group tree does not place it" or where the links stop.
  std::string PlacementGap(const ScopePath& path) const;
  // True when `deny` applies at `path`: its scope covers it, or it sits at a
  // management group and the placement of `path` is incomplete. Whether the
  // group is above `path` is then unknown, and a deny assignment that might
  // apply does apply.
  bool DenyReaches(const CompiledDeny& deny, const ScopePath& path,
                   absl::Span<const std::string> groups) const;
  bool IsWithinAssignableScopes(const RoleDefinition& role,
                                const CompiledScope& scope) const;
  // Records in `decision` the first deny assignment of `list` that blocks
  // the request, unless `decision` already holds an earlier one.
  void ConsiderDenies(const std::vector<int>& list, const Request& request,
                      const ScopePath& path,
                      absl::Span<const std::string> groups,
                      Decision& decision) const;
  // Records in `decision` (or, for grants under a condition, in
  // `conditional`) the first assignment of `list` that grants the request,
  // unless an earlier one is already recorded.
  void ConsiderGrants(const std::vector<int>& list, const Request& request,
                      const ScopePath& path,
                      absl::Span<const std::string> groups, absl::Time now,
                      Decision& decision, Decision& conditional) const;
  bool DenyNamesPrincipal(const CompiledDeny& deny,
                          const Request& request) const;
  bool DenyExcludesPrincipal(const CompiledDeny& deny,
                             const Request& request) const;
  // Check() for a request whose group membership is unknown.
  Decision CheckWithUnknownGroups(const Request& request, const ScopePath& path,
                                  absl::Span<const std::string> groups,
                                  absl::Time now) const;
};

absl::Status Policy::Compiled::CompileRoles() {
  google::protobuf::RepeatedPtrField<RoleDefinition> unique;
  std::vector<std::string> keys;
  for (int i = 0; i < input.role_definitions_size(); ++i) {
    RoleDefinition& role = *input.mutable_role_definitions(i);
    std::string where = SourceOr(role.source(),
                                 absl::StrCat("role_definitions[", i, "]"));
    if (role.name().empty() && !role.id().empty()) {
      role.set_name(std::string(LastSegment(role.id())));
    }
    for (int s = 0; s < role.assignable_scopes_size(); ++s) {
      absl::Status valid = ValidateScope(role.assignable_scopes(s));
      if (!valid.ok()) {
        return CompileError(where, absl::StrCat("assignableScopes[", s, "]"),
                            valid.message());
      }
    }
    absl::StatusOr<std::vector<CompiledBlock>> blocks =
        CompileBlocks(role.permissions(), where);
    if (!blocks.ok()) return blocks.status();

    if (role.name().empty()) {
      problems.push_back(
          {where, absl::StrCat("role ", RoleLabel(role),
                               " has no id, so no assignment can refer to "
                               "it; add its GUID as `Id`")});
    } else {
      auto existing = role_by_guid.find(role.name());
      if (existing != role_by_guid.end()) {
        const RoleDefinition& first = unique[existing->second];
        if (PermissionsKey(first) != PermissionsKey(role)) {
          return CompileError(
              where, "name",
              absl::StrCat("role definition ", role.name(),
                           " is defined twice with different permissions (",
                           "first at ",
                           SourceOr(first.source(), "an earlier entry"),
                           "); expected one definition per GUID"));
        }
        continue;  // The same role written twice, e.g. in both dialects.
      }
      role_by_guid.emplace(role.name(), unique.size());
    }
    roles.push_back(CompiledRole{*std::move(blocks)});
    *unique.Add() = std::move(role);
  }
  input.mutable_role_definitions()->Swap(&unique);
  return absl::OkStatus();
}

absl::Status Policy::Compiled::CompileHierarchy() {
  // The parent of each subscription and management group, and the field it
  // was read from. An empty parent is the root scope `/`, above the tenant
  // root group.
  struct Link {
    std::string parent;
    std::string where;
  };
  CaseInsensitiveMap<Link> subscription_parent;
  CaseInsensitiveMap<Link> group_parent;
  // The children in input order, so that errors do not depend on hashing.
  std::vector<std::pair<bool, std::string>> children;  // {is_group, id}
  for (int i = 0; i < input.scope_parents_size(); ++i) {
    const ScopeParent& link = input.scope_parents(i);
    // Importers set `source` to the field that names the parent.
    std::string where =
        SourceOr(link.source(), absl::StrCat("scope_parents[", i, "].parent"));
    std::string child_where =
        SourceOr(link.source(), absl::StrCat("scope_parents[", i, "]"));
    absl::StatusOr<ScopePath> child = ScopePath::Parse(link.child());
    if (!child.ok()) {
      return CompileError(child_where, "child", child.status().message());
    }
    const bool child_is_group = child->level() == ScopeLevel::kManagementGroup &&
                                child->size() == 4;
    if (!child_is_group && (child->level() != ScopeLevel::kSubscription ||
                            child->size() != 2)) {
      return CompileError(child_where, "child",
                          absl::StrCat("invalid value '", link.child(),
                                       "'; expected a subscription or a "
                                       "management group"));
    }
    absl::StatusOr<ScopePath> parent = ScopePath::Parse(link.parent());
    if (!parent.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": ", parent.status().message()));
    }
    const bool parent_is_root = parent->level() == ScopeLevel::kRoot;
    const bool parent_is_group =
        parent->level() == ScopeLevel::kManagementGroup && parent->size() == 4;
    if (!parent_is_group && !(parent_is_root && child_is_group)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": invalid value '", link.parent(), "' as the parent of '",
          link.child(), "'; expected a management group",
          child_is_group ? ", or '/' for the tenant root group" : ""));
    }
    CaseInsensitiveMap<Link>& parents =
        child_is_group ? group_parent : subscription_parent;
    std::string key(child_is_group ? child->management_group()
                                   : child->subscription());
    std::string parent_id(parent->management_group());
    auto [it, inserted] = parents.emplace(key, Link{parent_id, where});
    if (inserted) {
      children.emplace_back(child_is_group, std::move(key));
    } else if (!absl::EqualsIgnoreCase(it->second.parent, parent_id)) {
      auto describe_parent = [](absl::string_view group) {
        return group.empty()
                   ? std::string("the root scope '/' (as the tenant root group)")
                   : absl::StrCat("management group '", group, "'");
      };
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": '", link.child(), "' has two parents, ",
          describe_parent(it->second.parent), " (read at ", it->second.where,
          ") and ", describe_parent(parent_id), "; expected one"));
    }
  }

  // Walks the links up from `first`, the parent read at `first_where`.
  auto walk = [&](const std::string& first, const std::string& first_where,
                  absl::string_view what) -> absl::StatusOr<Ancestry> {
    Ancestry ancestry;
    const std::string* current = &first;
    const std::string* where = &first_where;
    while (!current->empty()) {
      for (size_t seen = 0; seen < ancestry.groups.size(); ++seen) {
        if (!absl::EqualsIgnoreCase(ancestry.groups[seen], *current)) continue;
        std::vector<absl::string_view> cycle(ancestry.groups.begin() + seen,
                                             ancestry.groups.end());
        cycle.push_back(*current);
        return absl::InvalidArgumentError(absl::StrCat(
            *where, ": management group '", *current,
            "' is its own ancestor (parent chain ", absl::StrJoin(cycle, ", "),
            ", above ", what, "); expected a tree"));
      }
      ancestry.groups.push_back(*current);
      auto next = group_parent.find(*current);
      if (next == group_parent.end()) return ancestry;
      current = &next->second.parent;
      where = &next->second.where;
    }
    ancestry.reaches_root = true;
    return ancestry;
  };
  for (const auto& [is_group, id] : children) {
    const Link& link = is_group ? group_parent.at(id) : subscription_parent.at(id);
    absl::StatusOr<Ancestry> ancestry =
        walk(link.parent, link.where,
             absl::StrCat(is_group ? "management group '" : "subscription '", id,
                          "'"));
    if (!ancestry.ok()) return ancestry.status();
    (is_group ? group_ancestors : subscription_ancestors)
        .emplace(id, *std::move(ancestry));
  }
  return absl::OkStatus();
}

absl::Status Policy::Compiled::CompileAssignments() {
  for (int i = 0; i < input.role_assignments_size(); ++i) {
    const RoleAssignment& assignment = input.role_assignments(i);
    std::string where = SourceOr(assignment.source(),
                                 absl::StrCat("role_assignments[", i, "]"));
    CompiledAssignment compiled;
    absl::StatusOr<CompiledScope> scope = CompileScope(assignment.scope());
    if (!scope.ok()) return CompileError(where, "scope", scope.status().message());
    compiled.scope = *std::move(scope);
    if (assignment.principal_id().empty()) {
      return CompileError(where, "principalId",
                          "missing; expected the principal's object id");
    }
    compiled.conditional = !assignment.condition().empty();
    if (assignment.has_start_time()) {
      absl::StatusOr<absl::Time> start =
          TimestampToTime(assignment.start_time(), where, "start_time");
      if (!start.ok()) return start.status();
      compiled.start = *start;
    }
    if (assignment.has_end_time()) {
      absl::StatusOr<absl::Time> end =
          TimestampToTime(assignment.end_time(), where, "end_time");
      if (!end.ok()) return end.status();
      compiled.end = *end;
    }
    if (compiled.end < compiled.start) {
      return CompileError(
          where, "end_time",
          absl::StrCat("invalid value ", absl::FormatTime(compiled.end),
                       "; expected a time at or after start_time ",
                       absl::FormatTime(compiled.start)));
    }

    absl::string_view guid = LastSegment(assignment.role_definition_id());
    auto role = role_by_guid.find(guid);
    if (role == role_by_guid.end()) {
      compiled.usable = false;
      compiled.unusable_reason =
          absl::StrCat("role definition '", guid, "' is not loaded");
      problems.push_back(
          {where, absl::StrCat(compiled.unusable_reason,
                               ", so the assignment grants nothing")});
    } else {
      compiled.role = role->second;
      const RoleDefinition& definition =
          input.role_definitions(compiled.role);
      if (!IsWithinAssignableScopes(definition, compiled.scope)) {
        compiled.usable = false;
        compiled.unusable_reason = absl::StrCat(
            "scope '", compiled.scope.text,
            "' is outside the assignable scopes of role ",
            RoleLabel(definition), " (",
            absl::StrJoin(definition.assignable_scopes(), ", "), ")");
        problems.push_back(
            {where, absl::StrCat(compiled.unusable_reason,
                                 ", so the assignment grants nothing")});
      }
    }

    compiled.may_be_group = MayBeGroup(assignment.principal_type());
    by_principal[assignment.principal_id()].assignments.push_back(i);
    assignments.push_back(std::move(compiled));
  }
  return absl::OkStatus();
}

absl::Status Policy::Compiled::CompileDenies() {
  for (int i = 0; i < input.deny_assignments_size(); ++i) {
    const DenyAssignment& deny = input.deny_assignments(i);
    std::string where = SourceOr(deny.source(),
                                 absl::StrCat("deny_assignments[", i, "]"));
    CompiledDeny compiled;
    absl::StatusOr<CompiledScope> scope = CompileScope(deny.scope());
    if (!scope.ok()) return CompileError(where, "scope", scope.status().message());
    compiled.scope = *std::move(scope);
    compiled.exact_scope = deny.do_not_apply_to_child_scopes();
    absl::StatusOr<std::vector<CompiledBlock>> blocks =
        CompileBlocks(deny.permissions(), where);
    if (!blocks.ok()) return blocks.status();
    compiled.blocks = *std::move(blocks);

    for (const Principal& principal : deny.principals()) {
      if (absl::EqualsIgnoreCase(principal.id(), kAllPrincipalsId)) {
        compiled.all_principals = true;
      } else {
        compiled.principals.push_back(principal.id());
        if (MayBeGroup(principal.type())) {
          compiled.group_principals.push_back(principal.id());
        }
      }
    }
    if (compiled.all_principals) {
      denies_for_all.push_back(i);
    } else {
      for (const std::string& principal : compiled.principals) {
        std::vector<int>& list = by_principal[principal].denies;
        if (list.empty() || list.back() != i) list.push_back(i);
      }
    }
    for (int p = 0; p < deny.exclude_principals_size(); ++p) {
      const Principal& principal = deny.exclude_principals(p);
      if (absl::EqualsIgnoreCase(principal.id(), kAllPrincipalsId)) {
        return CompileError(
            where, absl::StrCat("excludePrincipals[", p, "].id"),
            absl::StrCat("invalid value '", principal.id(),
                         "'; all principals may appear in principals only"));
      }
      compiled.excluded.push_back(principal.id());
      if (MayBeGroup(principal.type())) {
        compiled.group_excluded.push_back(principal.id());
      }
    }
    denies.push_back(std::move(compiled));
  }
  return absl::OkStatus();
}

const Policy::Compiled::Ancestry* Policy::Compiled::AncestryOf(
    const ScopePath& path) const {
  if (!path.subscription().empty()) {
    auto found = subscription_ancestors.find(path.subscription());
    return found == subscription_ancestors.end() ? nullptr : &found->second;
  }
  if (!path.management_group().empty()) {
    auto found = group_ancestors.find(path.management_group());
    return found == group_ancestors.end() ? nullptr : &found->second;
  }
  return nullptr;
}

absl::Span<const std::string> Policy::Compiled::AncestorGroups(
    const ScopePath& path) const {
  const Ancestry* ancestry = AncestryOf(path);
  if (ancestry == nullptr) return {};
  return ancestry->groups;
}

bool Policy::Compiled::ScopeCovers(const CompiledScope& scope,
                                   const ScopePath& path,
                                   absl::Span<const std::string> groups,
                                   bool exact) const {
  const int size = static_cast<int>(scope.segments.size());
  bool prefix = size <= path.size();
  for (int i = 0; prefix && i < size; ++i) {
    prefix = EqualsLowered(scope.segments[i], path.segment(i));
  }
  if (exact) return prefix && size == path.size();
  if (prefix) return true;
  if (scope.management_group.empty()) return false;
  for (const std::string& group : groups) {
    if (EqualsLowered(scope.management_group, group)) return true;
  }
  return false;
}

bool Policy::Compiled::PlacementComplete(const ScopePath& path) const {
  if (path.subscription().empty() && path.management_group().empty()) {
    return true;
  }
  const Ancestry* ancestry = AncestryOf(path);
  return ancestry != nullptr && ancestry->reaches_root;
}

std::string Policy::Compiled::PlacementGap(const ScopePath& path) const {
  const Ancestry* ancestry = AncestryOf(path);
  if (ancestry == nullptr || ancestry->groups.empty()) {
    return "the management-group tree does not place it";
  }
  return absl::StrCat("the management-group tree stops at management group '",
                      ancestry->groups.back(),
                      "', whose parent it does not list");
}

bool Policy::Compiled::DenyReaches(const CompiledDeny& deny,
                                   const ScopePath& path,
                                   absl::Span<const std::string> groups) const {
  if (ScopeCovers(deny.scope, path, groups, deny.exact_scope)) return true;
  return !deny.exact_scope && !deny.scope.management_group.empty() &&
         !PlacementComplete(path);
}

bool Policy::Compiled::IsWithinAssignableScopes(
    const RoleDefinition& role, const CompiledScope& scope) const {
  if (role.assignable_scopes().empty()) {
    return role.role_type() == ROLE_TYPE_BUILT_IN;
  }
  std::string text = scope.text;
  absl::StatusOr<ScopePath> path = ScopePath::Parse(text);
  if (!path.ok()) return false;
  absl::Span<const std::string> groups = AncestorGroups(*path);
  for (const std::string& assignable : role.assignable_scopes()) {
    absl::StatusOr<CompiledScope> allowed = CompileScope(assignable);
    if (allowed.ok() && ScopeCovers(*allowed, *path, groups, false)) {
      return true;
    }
  }
  return false;
}

void Policy::Compiled::ConsiderDenies(const std::vector<int>& list,
                                      const Request& request,
                                      const ScopePath& path,
                                      absl::Span<const std::string> groups,
                                      Decision& decision) const {
  for (int index : list) {
    if (decision.deny_assignment >= 0 && index > decision.deny_assignment) {
      return;
    }
    const CompiledDeny& deny = denies[index];
    if (DenyExcludesPrincipal(deny, request)) continue;
    if (!DenyReaches(deny, path, groups)) continue;
    for (size_t b = 0; b < deny.blocks.size(); ++b) {
      int pattern = MatchBlock(deny.blocks[b], request.plane, request.action);
      if (pattern >= 0) {
        decision.deny_assignment = index;
        decision.deny_block = static_cast<int>(b);
        decision.deny_pattern = pattern;
        return;
      }
    }
  }
}

void Policy::Compiled::ConsiderGrants(const std::vector<int>& list,
                                      const Request& request,
                                      const ScopePath& path,
                                      absl::Span<const std::string> groups,
                                      absl::Time now, Decision& decision,
                                      Decision& conditional) const {
  for (int index : list) {
    if (decision.assignment >= 0 && index > decision.assignment) return;
    const CompiledAssignment& assignment = assignments[index];
    if (!assignment.usable) continue;
    if (now < assignment.start || now >= assignment.end) continue;
    if (!ScopeCovers(assignment.scope, path, groups, false)) continue;
    const CompiledRole& role = roles[assignment.role];
    for (size_t b = 0; b < role.blocks.size(); ++b) {
      int pattern = MatchBlock(role.blocks[b], request.plane, request.action);
      if (pattern < 0) continue;
      bool has_condition =
          assignment.conditional || role.blocks[b].conditional;
      Decision& target = has_condition ? conditional : decision;
      if (target.assignment < 0 || index < target.assignment) {
        target.assignment = index;
        target.role_block = static_cast<int>(b);
        target.grant_pattern = pattern;
      }
      if (!has_condition) return;
    }
  }
}

bool Policy::Compiled::DenyNamesPrincipal(const CompiledDeny& deny,
                                          const Request& request) const {
  if (deny.all_principals) return true;
  for (const std::string& id : deny.principals) {
    if (EqualsAsciiIgnoringCase(id, request.principal_id)) return true;
    for (const std::string& group : request.group_ids) {
      if (EqualsAsciiIgnoringCase(id, group)) return true;
    }
  }
  return false;
}

bool Policy::Compiled::DenyExcludesPrincipal(const CompiledDeny& deny,
                                             const Request& request) const {
  for (const std::string& id : deny.excluded) {
    if (EqualsAsciiIgnoringCase(id, request.principal_id)) return true;
    for (const std::string& group : request.group_ids) {
      if (EqualsAsciiIgnoringCase(id, group)) return true;
    }
  }
  return false;
}

// Without the requester's groups, any principal that may be a group may
// include the requester. A deny assignment that names such a principal, or
// that applies to the requester unless such a principal is excluded, then
// denies with kGroupMembershipUnknown, because the requester may be in its
// reach. A grant through such a principal does not count, and a denial
// that it could have prevented gives kGroupMembershipUnknown too. Scans every deny assignment and
// assignment, which is slower than Check()'s lookup by principal but
// allocates nothing either.
Decision Policy::Compiled::CheckWithUnknownGroups(
    const Request& request, const ScopePath& path,
    absl::Span<const std::string> groups, absl::Time now) const {
  auto is_requester = [&](const std::string& id) {
    return EqualsAsciiIgnoringCase(id, request.principal_id);
  };
  auto lists_other = [&](const std::vector<std::string>& ids) {
    for (const std::string& id : ids) {
      if (!is_requester(id)) return true;
    }
    return false;
  };

  Decision decision;
  Decision uncertain;
  for (size_t i = 0; i < denies.size(); ++i) {
    const CompiledDeny& deny = denies[i];
    bool names_requester = deny.all_principals;
    for (const std::string& id : deny.principals) {
      names_requester = names_requester || is_requester(id);
    }
    bool excludes_requester = false;
    for (const std::string& id : deny.excluded) {
      excludes_requester = excludes_requester || is_requester(id);
    }
    if (excludes_requester) continue;
    if (!names_requester && !lists_other(deny.group_principals)) continue;
    if (!DenyReaches(deny, path, groups)) continue;
    int block = -1;
    int pattern = -1;
    for (size_t b = 0; b < deny.blocks.size(); ++b) {
      pattern = MatchBlock(deny.blocks[b], request.plane, request.action);
      if (pattern >= 0) {
        block = static_cast<int>(b);
        break;
      }
    }
    if (pattern < 0) continue;
    const bool certain = names_requester && !lists_other(deny.group_excluded);
    Decision& target = certain ? decision : uncertain;
    if (target.deny_assignment >= 0) continue;
    target.deny_assignment = static_cast<int>(i);
    target.deny_block = block;
    target.deny_pattern = pattern;
    if (certain) break;
  }
  if (decision.deny_assignment >= 0) {
    decision.reason = Reason::kDenyAssignment;
    return decision;
  }
  if (uncertain.deny_assignment >= 0) {
    uncertain.reason = Reason::kGroupMembershipUnknown;
    return uncertain;
  }

  // Grants to the requester itself.
  Decision conditional;
  auto found = by_principal.find(request.principal_id);
  if (found != by_principal.end()) {
    ConsiderGrants(found->second.assignments, request, path, groups, now,
                   decision, conditional);
  }
  if (decision.assignment >= 0) {
    decision.allowed = true;
    decision.reason = Reason::kGranted;
    return decision;
  }

  // An unconditional grant through a principal that may be a group of the
  // requester.
  for (size_t i = 0; i < assignments.size(); ++i) {
    const CompiledAssignment& assignment = assignments[i];
    if (!assignment.may_be_group || !assignment.usable || assignment.conditional) {
      continue;
    }
    if (is_requester(input.role_assignments(static_cast<int>(i)).principal_id())) continue;
    if (now < assignment.start || now >= assignment.end) continue;
    if (!ScopeCovers(assignment.scope, path, groups, false)) continue;
    const CompiledRole& role = roles[assignment.role];
    for (size_t b = 0; b < role.blocks.size(); ++b) {
      if (role.blocks[b].conditional) continue;
      int pattern = MatchBlock(role.blocks[b], request.plane, request.action);
      if (pattern < 0) continue;
      Decision through_group;
      through_group.reason = Reason::kGroupMembershipUnknown;
      through_group.assignment = static_cast<int>(i);
      through_group.role_block = static_cast<int>(b);
      through_group.grant_pattern = pattern;
      return through_group;
    }
  }
  if (conditional.assignment >= 0) {
    decision.reason = Reason::kConditionNotEvaluated;
    decision.assignment = conditional.assignment;
    decision.role_block = conditional.role_block;
    decision.grant_pattern = conditional.grant_pattern;
    return decision;
  }
  decision.reason = Reason::kNoGrant;
  return decision;
}

Policy::Policy(std::unique_ptr<Compiled> compiled)
    : compiled_(std::move(compiled)) {}
Policy::Policy(Policy&&) noexcept = default;
Policy& Policy::operator=(Policy&&) noexcept = default;
Policy::~Policy() = default;

absl::StatusOr<Policy> Policy::Compile(RbacInput input) {
  auto compiled = std::make_unique<Compiled>();
  compiled->input = std::move(input);
  absl::Status status = compiled->CompileRoles();
  if (status.ok()) status = compiled->CompileHierarchy();
  if (status.ok()) status = compiled->CompileAssignments();
  if (status.ok()) status = compiled->CompileDenies();
  if (!status.ok()) return status;
  return Policy(std::move(compiled));
}

namespace {

bool IsWellFormedAction(absl::string_view action) {
  return !action.empty() && action.size() <= kMaxActionLength &&
         !HasWildcard(action);
}

}  // namespace

Decision Policy::Check(const Request& request, absl::Time now) const {
  const Compiled& c = *compiled_;
  Decision decision;
  if (!IsWellFormedAction(request.action)) {
    decision.reason = Reason::kInvalidRequest;
    return decision;
  }
  std::optional<ScopePath> path = ScopePath::TryParse(request.scope);
  if (!path.has_value()) {
    decision.reason = Reason::kInvalidRequest;
    return decision;
  }
  absl::Span<const std::string> groups = c.AncestorGroups(*path);
  if (!request.groups_known) {
    return c.CheckWithUnknownGroups(request, *path, groups, now);
  }

  // Deny assignments and grants are read from the lists of all principals,
  // the principal and each group. Each list is in input order, so a scan
  // stops at its first match, and the lowest index across lists wins.
  Decision conditional;
  c.ConsiderDenies(c.denies_for_all, request, *path, groups, decision);
  auto consider = [&](absl::string_view principal) {
    auto found = c.by_principal.find(principal);
    if (found == c.by_principal.end()) return;
    c.ConsiderDenies(found->second.denies, request, *path, groups, decision);
    c.ConsiderGrants(found->second.assignments, request, *path, groups, now,
                     decision, conditional);
  };
  consider(request.principal_id);
  for (const std::string& group : request.group_ids) consider(group);

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

const std::string& GrantPatternText(const RoleDefinition& role, int block,
                                    int pattern, Plane plane) {
  const Permission& permission = role.permissions(block);
  return plane == Plane::kControl ? permission.actions(pattern)
                                  : permission.data_actions(pattern);
}

const std::string& DenyPatternText(const DenyAssignment& deny, int block,
                                   int pattern, Plane plane) {
  const Permission& permission = deny.permissions(block);
  return plane == Plane::kControl ? permission.actions(pattern)
                                  : permission.data_actions(pattern);
}

}  // namespace

std::string Policy::Explain(const Request& request,
                            const Decision& decision) const {
  const Compiled& c = *compiled_;
  std::string grant;
  if (decision.assignment >= 0) {
    const RoleAssignment& assignment =
        c.input.role_assignments(decision.assignment);
    const CompiledAssignment& compiled = c.assignments[decision.assignment];
    const RoleDefinition& role = c.input.role_definitions(compiled.role);
    grant = absl::StrCat(
        AssignmentLabel(assignment, decision.assignment), " gives ",
        assignment.principal_type().empty() ? "principal"
                                            : assignment.principal_type(),
        " '", assignment.principal_id(), "' the role ", RoleLabel(role),
        " at '", compiled.scope.text, "', whose ",
        AllowListName(request.plane), " entry '",
        GrantPatternText(role, decision.role_block, decision.grant_pattern,
                         request.plane),
        "' matches '", request.action, "'");
  }

  switch (decision.reason) {
    case Reason::kGranted:
      return absl::StrCat("allowed: ", grant);
    case Reason::kDenyAssignment: {
      const DenyAssignment& deny =
          c.input.deny_assignments(decision.deny_assignment);
      const CompiledDeny& compiled = c.denies[decision.deny_assignment];
      std::string text = absl::StrCat(
          "denied: ", DenyLabel(deny, decision.deny_assignment), " at '",
          compiled.scope.text, "' blocks '", request.action, "' for ",
          compiled.all_principals ? "all principals" : "the principal",
          " through its ", AllowListName(request.plane), " entry '",
          DenyPatternText(deny, decision.deny_block, decision.deny_pattern,
                          request.plane),
          "'");
      absl::StatusOr<ScopePath> path = ScopePath::Parse(request.scope);
      if (path.ok() && !c.ScopeCovers(compiled.scope, *path, c.AncestorGroups(*path),
                                      compiled.exact_scope)) {
        absl::StrAppend(&text, " (taken to cover '", request.scope,
                        "' because ", c.PlacementGap(*path), ")");
      }
      if (!grant.empty()) {
        absl::StrAppend(&text, "; without it, ", grant);
      }
      return text;
    }
    case Reason::kConditionNotEvaluated:
      return absl::StrCat(
          "denied: only a grant under an ABAC condition covers '",
          request.action, "' (", grant,
          "), and Portcullis does not evaluate conditions");
    case Reason::kNoGrant: {
      const int unusable = FindUnusableGrant(request);
      std::string text = absl::StrCat(
          "denied: no ", unusable >= 0 ? "usable" : "active",
          " role assignment of principal '", request.principal_id, "'");
      if (!request.group_ids.empty()) {
        absl::StrAppend(&text, " or its ", request.group_ids.size(),
                        request.group_ids.size() == 1 ? " group" : " groups");
      }
      absl::StrAppend(&text, " at '", request.scope, "' or above grants the ",
                      PlaneName(request.plane), " '", request.action, "'");
      if (request.plane == Plane::kData) {
        absl::StrAppend(&text,
                        " (data actions are granted only through dataActions)");
      }
      if (unusable >= 0) {
        const CompiledAssignment& compiled = c.assignments[unusable];
        absl::StrAppend(
            &text, ": ",
            AssignmentLabel(c.input.role_assignments(unusable), unusable),
            " at '", compiled.scope.text, "' grants nothing because ",
            compiled.unusable_reason);
      }
      return text;
    }
    case Reason::kGroupMembershipUnknown: {
      std::string text = absl::StrCat(
          "denied: the group membership of principal '", request.principal_id,
          "' is unknown, and ");
      if (decision.deny_assignment >= 0) {
        const DenyAssignment& deny =
            c.input.deny_assignments(decision.deny_assignment);
        const CompiledDeny& compiled = c.denies[decision.deny_assignment];
        bool names_requester = compiled.all_principals;
        for (const std::string& id : compiled.principals) {
          names_requester = names_requester ||
                            EqualsAsciiIgnoringCase(id, request.principal_id);
        }
        absl::StrAppend(
            &text, DenyLabel(deny, decision.deny_assignment), " at '",
            compiled.scope.text, "' blocks '", request.action,
            "' through its ", AllowListName(request.plane), " entry '",
            DenyPatternText(deny, decision.deny_block, decision.deny_pattern,
                            request.plane),
            names_requester
                ? "' unless the principal is in a group it excludes"
                : "' if the principal is in a group it names");
      } else {
        absl::StrAppend(&text, "only a group may grant '", request.action,
                        "': ", grant);
      }
      absl::StrAppend(&text,
                      "; list the user's groups in the directory (\"groups\": "
                      "[] for none)");
      return text;
    }
    case Reason::kInvalidRequest: {
      if (!IsWellFormedAction(request.action)) {
        return absl::StrCat("denied: invalid action '", request.action,
                            "'; expected an operation name without '*'");
      }
      absl::Status scope = ValidateScope(request.scope);
      return absl::StrCat("denied: invalid scope: ", scope.message());
    }
  }
  return "denied";
}

std::vector<std::string> Policy::Trace(const Request& request,
                                       absl::Time now) const {
  const Compiled& c = *compiled_;
  std::vector<std::string> lines;
  absl::StatusOr<ScopePath> path = ScopePath::Parse(request.scope);
  if (!path.ok()) {
    lines.push_back(absl::StrCat("invalid scope: ", path.status().message()));
    return lines;
  }
  absl::Span<const std::string> groups = c.AncestorGroups(*path);

  auto concerns = [&](absl::string_view principal) {
    if (absl::EqualsIgnoreCase(principal, request.principal_id)) return true;
    for (const std::string& group : request.group_ids) {
      if (absl::EqualsIgnoreCase(principal, group)) return true;
    }
    return false;
  };

  for (int i = 0; i < c.input.role_assignments_size(); ++i) {
    const RoleAssignment& assignment = c.input.role_assignments(i);
    if (!concerns(assignment.principal_id())) continue;
    const CompiledAssignment& compiled = c.assignments[i];
    std::string line = AssignmentLabel(assignment, i);
    if (compiled.role >= 0) {
      absl::StrAppend(&line, " of role ",
                      RoleLabel(c.input.role_definitions(compiled.role)));
    }
    absl::StrAppend(&line, " at '", compiled.scope.text, "': ");
    if (!compiled.usable) {
      absl::StrAppend(&line, "grants nothing: ", compiled.unusable_reason);
    } else if (now < compiled.start || now >= compiled.end) {
      absl::StrAppend(&line, "not active at ", absl::FormatTime(now),
                      " (active from ", absl::FormatTime(compiled.start),
                      " until ", absl::FormatTime(compiled.end), ")");
    } else if (!c.ScopeCovers(compiled.scope, *path, groups, false)) {
      absl::StrAppend(&line, "does not cover '", request.scope,
                      "' (assignments apply at their scope and below only)");
    } else {
      const CompiledRole& role = c.roles[compiled.role];
      std::string outcome;
      for (size_t b = 0; b < role.blocks.size() && outcome.empty(); ++b) {
        const CompiledBlock& block = role.blocks[b];
        int pattern = MatchBlock(block, request.plane, request.action);
        if (pattern >= 0) {
          outcome = absl::StrCat(
              "grants '", request.action, "' through ",
              AllowListName(request.plane), " entry '",
              GrantPatternText(c.input.role_definitions(compiled.role),
                               static_cast<int>(b), pattern, request.plane),
              "'");
          if (compiled.conditional || block.conditional) {
            absl::StrAppend(&outcome,
                            ", but only under an ABAC condition, which is "
                            "not evaluated");
          }
        }
      }
      for (size_t b = 0; b < role.blocks.size() && outcome.empty(); ++b) {
        const ActionPattern* except =
            MatchingException(role.blocks[b], request.plane, request.action);
        if (except != nullptr) {
          outcome = absl::StrCat("the role's ", ExceptListName(request.plane),
                                 " entry '", except->text(), "' excludes '",
                                 request.action, "'");
        }
      }
      if (outcome.empty() && request.plane == Plane::kData) {
        for (const CompiledBlock& block : role.blocks) {
          if (MatchBlock(block, Plane::kControl, request.action) >= 0) {
            outcome = "the role's actions match it, but a data action needs "
                      "dataActions";
            break;
          }
        }
      }
      if (outcome.empty()) {
        outcome = absl::StrCat("the role does not grant the ",
                               PlaneName(request.plane), " '", request.action,
                               "'");
      }
      absl::StrAppend(&line, outcome);
    }
    lines.push_back(std::move(line));
  }

  for (size_t d = 0; d < c.denies.size(); ++d) {
    const CompiledDeny& deny = c.denies[d];
    if (!c.DenyNamesPrincipal(deny, request)) continue;
    std::string line = absl::StrCat(
        DenyLabel(c.input.deny_assignments(d), static_cast<int>(d)), " at '",
        deny.scope.text, "': ");
    if (c.DenyExcludesPrincipal(deny, request)) {
      absl::StrAppend(&line, "excludes the principal or one of its groups");
    } else if (!c.DenyReaches(deny, *path, groups)) {
      absl::StrAppend(&line, "does not cover '", request.scope, "'",
                      deny.exact_scope ? " (it applies to its own scope only)"
                                       : "");
    } else {
      if (!c.ScopeCovers(deny.scope, *path, groups, deny.exact_scope)) {
        absl::StrAppend(&line, "taken to cover '", request.scope, "' because ",
                        c.PlacementGap(*path), "; ");
      }
      std::string outcome;
      for (const CompiledBlock& block : deny.blocks) {
        if (MatchBlock(block, request.plane, request.action) >= 0) {
          outcome = absl::StrCat("blocks '", request.action, "'");
          break;
        }
        const ActionPattern* except =
            MatchingException(block, request.plane, request.action);
        if (except != nullptr) {
          outcome = absl::StrCat("exempts '", request.action, "' through ",
                                 ExceptListName(request.plane), " entry '",
                                 except->text(), "'");
        }
      }
      if (outcome.empty()) {
        outcome = absl::StrCat("does not name '", request.action, "'");
      }
      absl::StrAppend(&line, outcome);
    }
    lines.push_back(std::move(line));
  }
  if (lines.empty()) {
    lines.push_back(absl::StrCat(
        "no role assignment or deny assignment names principal '",
        request.principal_id, "' or its groups"));
  }
  return lines;
}

int Policy::FindUnusableGrant(const Request& request) const {
  const Compiled& c = *compiled_;
  absl::StatusOr<ScopePath> path = ScopePath::Parse(request.scope);
  if (!path.ok()) return -1;
  absl::Span<const std::string> groups = c.AncestorGroups(*path);
  int found = -1;
  auto consider = [&](absl::string_view principal) {
    auto entry = c.by_principal.find(principal);
    if (entry == c.by_principal.end()) return;
    for (int index : entry->second.assignments) {
      if (found >= 0 && index >= found) return;
      const CompiledAssignment& assignment = c.assignments[index];
      if (assignment.usable) continue;
      if (!c.ScopeCovers(assignment.scope, *path, groups, false)) continue;
      bool would_grant = assignment.role < 0;
      if (!would_grant) {
        for (const CompiledBlock& block : c.roles[assignment.role].blocks) {
          would_grant =
              would_grant || MatchBlock(block, request.plane, request.action) >= 0;
        }
      }
      if (would_grant) {
        found = index;
        return;
      }
    }
  };
  consider(request.principal_id);
  for (const std::string& group : request.group_ids) consider(group);
  return found;
}

const RbacInput& Policy::input() const { return compiled_->input; }

const std::vector<Problem>& Policy::problems() const {
  return compiled_->problems;
}

const RoleDefinition* Policy::FindRoleDefinition(
    absl::string_view id_or_guid) const {
  auto found = compiled_->role_by_guid.find(LastSegment(id_or_guid));
  if (found == compiled_->role_by_guid.end()) return nullptr;
  return &compiled_->input.role_definitions(found->second);
}

}  // namespace portcullis::rbac
