// Fuzzes the RBAC importers, compilation and evaluation.
//
// The input is up to four JSON documents separated by lines of `---`: role
// definitions, role assignments, deny assignments and management-group
// entities. Each part goes through every importer (each must fail cleanly or
// succeed); the parts that import are compiled into a policy, and requests
// built from the imported principals, scopes and actions are decided by
// Policy::Check() and by the reference evaluator, which must agree.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "access/rbac.h"
#include "access/rbac_import.h"
#include "access/rbac_pattern.h"
#include "access/rbac_reference.h"
#include "access/rbac_scope.h"

namespace {

using namespace portcullis::rbac;  // NOLINT: a fuzzer's single function.

constexpr int kMaxChecks = 40;

void Agree(const RbacInput& input, const Policy& policy,
           const Request& request) {
  const absl::Time now = absl::FromUnixSeconds(1796400000);
  Decision fast = policy.Check(request, now);
  Decision slow = ReferenceCheck(input, request, now);
  bool same = fast.allowed == slow.allowed && fast.reason == slow.reason &&
              fast.assignment == slow.assignment &&
              fast.role_block == slow.role_block &&
              fast.grant_pattern == slow.grant_pattern &&
              fast.deny_assignment == slow.deny_assignment &&
              fast.deny_block == slow.deny_block &&
              fast.deny_pattern == slow.deny_pattern;
  if (!same) {
    std::fprintf(stderr,
                 "Check and ReferenceCheck disagree on principal '%.*s' "
                 "action '%.*s' scope '%.*s'\n",
                 static_cast<int>(request.principal_id.size()),
                 request.principal_id.data(),
                 static_cast<int>(request.action.size()), request.action.data(),
                 static_cast<int>(request.scope.size()), request.scope.data());
    std::abort();
  }
  policy.Explain(request, fast);
  policy.Trace(request, now);
}

// Actions to ask about: each pattern with its wildcards replaced.
std::vector<std::string> ActionsOf(const RbacInput& input) {
  std::vector<std::string> actions = {"Microsoft.Compute/virtualMachines/read"};
  auto add = [&](const google::protobuf::RepeatedPtrField<std::string>& list) {
    for (const std::string& pattern : list) {
      if (actions.size() >= 8) return;
      actions.push_back(absl::StrReplaceAll(pattern, {{"*", "x"}}));
      actions.push_back(absl::StrReplaceAll(pattern, {{"/*", ""}}));
    }
  };
  for (const RoleDefinition& role : input.role_definitions()) {
    for (const Permission& permission : role.permissions()) {
      add(permission.actions());
      add(permission.data_actions());
      add(permission.not_actions());
    }
  }
  for (const DenyAssignment& deny : input.deny_assignments()) {
    for (const Permission& permission : deny.permissions()) {
      add(permission.actions());
    }
  }
  return actions;
}

void CheckScopeParsers(absl::string_view text) {
  absl::StatusOr<ScopePath> parsed = ScopePath::Parse(text);
  std::optional<ScopePath> tried = ScopePath::TryParse(text);
  if (parsed.ok() != tried.has_value()) std::abort();
  if (parsed.ok()) {
    std::string canonical = parsed->ToString();
    absl::StatusOr<ScopePath> again = ScopePath::Parse(canonical);
    if (!again.ok() || !again->SameAs(*parsed)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> parts = absl::StrSplit(bytes, "\n---\n");

  RbacInput input;
  for (size_t i = 0; i < parts.size() && i < 4; ++i) {
    absl::string_view part = parts[i];
    auto roles = ParseRoleDefinitions(part, "roles");
    auto assignments = ParseRoleAssignments(part, "assignments");
    auto denies = ParseDenyAssignments(part, "denies");
    auto parents = ParseManagementGroupEntities(part, "groups");
    (void)ParseProviderOperations(part);
    if (i == 0 && roles.ok()) {
      for (const RoleDefinition& role : *roles) *input.add_role_definitions() = role;
    }
    if (i == 1 && assignments.ok()) {
      for (const RoleAssignment& assignment : *assignments) {
        *input.add_role_assignments() = assignment;
      }
    }
    if (i == 2 && denies.ok()) {
      for (const DenyAssignment& deny : *denies) *input.add_deny_assignments() = deny;
    }
    if (i == 3 && parents.ok()) {
      for (const ScopeParent& parent : *parents) *input.add_scope_parents() = parent;
    }
  }
  CheckScopeParsers(bytes.substr(0, 300));
  (void)ActionPattern::Compile(bytes.substr(0, 200));

  absl::StatusOr<Policy> policy = Policy::Compile(input);
  if (!policy.ok()) return 0;

  std::vector<std::string> principals = {"someone"};
  std::vector<std::string> scopes = {"/"};
  for (const RoleAssignment& assignment : input.role_assignments()) {
    if (principals.size() < 4) principals.push_back(assignment.principal_id());
    if (scopes.size() < 4) {
      scopes.push_back(assignment.scope());
      scopes.push_back(assignment.scope() + "/providers/Microsoft.Compute/"
                                            "virtualMachines/vm1");
    }
  }
  for (const DenyAssignment& deny : input.deny_assignments()) {
    if (scopes.size() < 8) scopes.push_back(deny.scope());
  }
  std::vector<std::string> actions = ActionsOf(input);

  int checks = 0;
  for (const std::string& principal : principals) {
    for (const std::string& scope : scopes) {
      for (const std::string& action : actions) {
        if (++checks > kMaxChecks) return 0;
        Request request;
        request.principal_id = principal;
        request.action = action;
        request.scope = scope;
        request.plane = checks % 2 == 0 ? Plane::kData : Plane::kControl;
        Agree(input, *policy, request);
      }
    }
  }
  return 0;
}
