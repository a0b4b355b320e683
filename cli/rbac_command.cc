#include "cli/rbac_command.h"

#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "access/rbac.h"
#include "access/rbac_import.h"
#include "access/rbac_pattern.h"
#include "access/rbac_scope.h"
#include "access/rbac_validate.h"
#include "cli/flags.h"
#include "cli/json_output.h"

namespace portcullis::cli {
namespace {

constexpr char kUsage[] =
    "usage: portcullis rbac check --roles FILE|DIR [--roles ...] "
    "--assignments FILE [--assignments ...]\n"
    "           [--deny-assignments FILE ...] [--management-groups FILE]\n"
    "           --principal ID [--group ID ...] --action OPERATION "
    "[--data-action]\n"
    "           --scope SCOPE [--json]\n"
    "       portcullis rbac validate --roles FILE|DIR [--roles ...] "
    "[--operations FILE|DIR ...]\n";

int Fail(const absl::Status& status) {
  std::cerr << "portcullis rbac: " << status.message() << "\n";
  return 2;
}

// Reads every file that the repeatable flag `name` lists (directories give
// their .json files) with `parse`, and appends what it returns to `out`.
template <typename T, typename Parse>
absl::Status ReadAll(const ParsedFlags& flags, const std::string& name,
                     Parse parse, std::vector<T>& out) {
  for (const std::string& value : flags.Values(name)) {
    absl::StatusOr<std::vector<std::string>> paths = ExpandJsonPaths(value);
    if (!paths.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, ": ", paths.status().message()));
    }
    if (paths->empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, ": no .json files in ", value));
    }
    for (const std::string& path : *paths) {
      absl::StatusOr<std::string> bytes = ReadUserFile(path);
      if (!bytes.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, ": ", bytes.status().message()));
      }
      absl::StatusOr<std::vector<T>> items = parse(*bytes, path);
      if (!items.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--", name, " ", path, ": ", items.status().message()));
      }
      for (T& item : *items) out.push_back(std::move(item));
    }
  }
  return absl::OkStatus();
}

template <typename T>
void Append(std::vector<T>& items,
            google::protobuf::RepeatedPtrField<T>* out) {
  for (T& item : items) *out->Add() = std::move(item);
}

absl::StatusOr<rbac::RbacInput> ReadInput(const ParsedFlags& flags) {
  std::vector<rbac::RoleDefinition> roles;
  std::vector<rbac::RoleAssignment> assignments;
  std::vector<rbac::DenyAssignment> denies;
  std::vector<rbac::ScopeParent> parents;
  absl::Status status = ReadAll(
      flags, "roles",
      [](const std::string& bytes, const std::string& path) {
        return rbac::ParseRoleDefinitions(bytes, path);
      },
      roles);
  if (status.ok()) {
    status = ReadAll(
        flags, "assignments",
        [](const std::string& bytes, const std::string& path) {
          return rbac::ParseRoleAssignments(bytes, path);
        },
        assignments);
  }
  if (status.ok()) {
    status = ReadAll(
        flags, "deny-assignments",
        [](const std::string& bytes, const std::string& path) {
          return rbac::ParseDenyAssignments(bytes, path);
        },
        denies);
  }
  if (status.ok()) {
    status = ReadAll(
        flags, "management-groups",
        [](const std::string& bytes, const std::string& path) {
          return rbac::ParseManagementGroupEntities(bytes, path);
        },
        parents);
  }
  if (!status.ok()) return status;

  rbac::RbacInput input;
  Append(roles, input.mutable_role_definitions());
  Append(assignments, input.mutable_role_assignments());
  Append(denies, input.mutable_deny_assignments());
  Append(parents, input.mutable_scope_parents());
  return input;
}

absl::Status CheckRequest(const rbac::Request& request) {
  absl::Status action = rbac::ValidateActionString(request.action);
  if (!action.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--action: ", action.message()));
  }
  if (rbac::HasWildcard(request.action)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--action: invalid value '", request.action,
                     "'; expected one operation, without '*'"));
  }
  absl::Status scope = rbac::ValidateScope(request.scope);
  if (!scope.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--scope: ", scope.message()));
  }
  return absl::OkStatus();
}

JsonValue GrantJson(const rbac::Policy& policy, const rbac::Request& request,
                    const rbac::Decision& decision) {
  const rbac::RoleAssignment& assignment =
      policy.input().role_assignments(decision.assignment);
  const rbac::RoleDefinition* role =
      policy.FindRoleDefinition(assignment.role_definition_id());
  const rbac::Permission& block = role->permissions(decision.role_block);
  JsonValue grant = JsonValue::Object();
  grant.Set("roleAssignment", JsonValue::String(assignment.name()));
  grant.Set("source", JsonValue::String(assignment.source()));
  grant.Set("principalId", JsonValue::String(assignment.principal_id()));
  grant.Set("scope", JsonValue::String(assignment.scope()));
  grant.Set("roleDefinitionId", JsonValue::String(role->name()));
  grant.Set("roleName", JsonValue::String(role->role_name()));
  grant.Set("matched",
            JsonValue::String(request.plane == rbac::Plane::kControl
                                  ? block.actions(decision.grant_pattern)
                                  : block.data_actions(decision.grant_pattern)));
  return grant;
}

JsonValue DenyJson(const rbac::Policy& policy, const rbac::Request& request,
                   const rbac::Decision& decision) {
  const rbac::DenyAssignment& deny =
      policy.input().deny_assignments(decision.deny_assignment);
  const rbac::Permission& block = deny.permissions(decision.deny_block);
  JsonValue denied = JsonValue::Object();
  denied.Set("denyAssignment", JsonValue::String(deny.name()));
  denied.Set("denyAssignmentName",
             JsonValue::String(deny.deny_assignment_name()));
  denied.Set("source", JsonValue::String(deny.source()));
  denied.Set("scope", JsonValue::String(deny.scope()));
  denied.Set("matched",
             JsonValue::String(request.plane == rbac::Plane::kControl
                                   ? block.actions(decision.deny_pattern)
                                   : block.data_actions(decision.deny_pattern)));
  return denied;
}

void PrintJson(const rbac::Policy& policy, const rbac::Request& request,
               const rbac::Decision& decision,
               const std::vector<std::string>& trace) {
  JsonValue out = JsonValue::Object();
  out.Set("decision", JsonValue::String(decision.allowed ? "allow" : "deny"));
  out.Set("reason", JsonValue::String(rbac::ReasonName(decision.reason)));
  out.Set("explanation", JsonValue::String(policy.Explain(request, decision)));
  if (decision.assignment >= 0) {
    // The assignment that grants, or would grant without the deny
    // assignment, or grants only under a condition.
    const char* key = decision.reason == rbac::Reason::kGranted ? "grantedBy"
                      : decision.reason == rbac::Reason::kDenyAssignment
                          ? "blockedGrant"
                          : "conditionalGrant";
    out.Set(key, GrantJson(policy, request, decision));
  }
  if (decision.deny_assignment >= 0) {
    out.Set("deniedBy", DenyJson(policy, request, decision));
  }
  out.Set("trace", JsonValue::Strings(trace));
  std::vector<std::string> problems;
  for (const rbac::Problem& problem : policy.problems()) {
    problems.push_back(problem.ToString());
  }
  out.Set("problems", JsonValue::Strings(problems));
  std::cout << out.Render() << "\n";
}

void PrintText(const rbac::Policy& policy, const rbac::Request& request,
               const rbac::Decision& decision,
               const std::vector<std::string>& trace) {
  std::cout << (decision.allowed ? "allow" : "deny") << ": "
            << policy.Explain(request, decision) << "\n";
  std::cout << "considered:\n";
  for (const std::string& line : trace) std::cout << "  " << line << "\n";
  if (!policy.problems().empty()) {
    std::cout << "problems in the input:\n";
    for (const rbac::Problem& problem : policy.problems()) {
      std::cout << "  " << problem.ToString() << "\n";
    }
  }
}

int RunCheck(const std::vector<std::string>& args) {
  FlagParser parser;
  parser.AddValue("roles", "FILE|DIR",
                  "role definitions (REST, az output or az/PowerShell input "
                  "form); a directory gives its .json files",
                  /*repeatable=*/true);
  parser.AddValue("assignments", "FILE|DIR",
                  "role assignments (REST list, az or PowerShell output)",
                  /*repeatable=*/true);
  parser.AddValue("deny-assignments", "FILE|DIR",
                  "deny assignments (REST list)", /*repeatable=*/true);
  parser.AddValue("management-groups", "FILE",
                  "the management-group tree (Entities - List response)",
                  /*repeatable=*/true);
  parser.AddValue("principal", "ID", "the principal's object id");
  parser.AddValue("group", "ID",
                  "a group the principal belongs to, directly or through "
                  "nesting",
                  /*repeatable=*/true);
  parser.AddValue("action", "OPERATION",
                  "the operation, e.g. Microsoft.Compute/virtualMachines/read");
  parser.AddSwitch("data-action",
                   "check a data action (dataActions) instead of a control "
                   "action (actions)");
  parser.AddValue("scope", "SCOPE", "the resource id the operation acts on");
  parser.AddSwitch("json", "print one JSON object");
  if (parser.PrintHelpIfRequested(args, kUsage)) return 0;
  absl::StatusOr<ParsedFlags> flags = parser.Parse(args);
  if (!flags.ok()) {
    std::cerr << kUsage;
    return Fail(flags.status());
  }
  absl::Status required = FlagParser::Require(
      *flags, {"roles", "assignments", "principal", "action", "scope"});
  if (!required.ok()) {
    std::cerr << kUsage << parser.Help();
    return Fail(required);
  }

  std::string principal = flags->Value("principal");
  std::string action = flags->Value("action");
  std::string scope = flags->Value("scope");
  std::vector<std::string> groups = flags->Values("group");
  rbac::Request request;
  request.principal_id = principal;
  request.group_ids = groups;
  request.action = action;
  request.scope = scope;
  request.plane = flags->Switch("data-action") ? rbac::Plane::kData
                                               : rbac::Plane::kControl;
  absl::Status valid = CheckRequest(request);
  if (!valid.ok()) return Fail(valid);

  absl::StatusOr<rbac::RbacInput> input = ReadInput(*flags);
  if (!input.ok()) return Fail(input.status());
  absl::StatusOr<rbac::Policy> policy = rbac::Policy::Compile(*std::move(input));
  if (!policy.ok()) return Fail(policy.status());

  // Only time-bound assignments depend on the time, and the formats read
  // here have none, so the current time is as good as any.
  absl::Time now = absl::Now();
  rbac::Decision decision = policy->Check(request, now);
  std::vector<std::string> trace = policy->Trace(request, now);
  if (flags->Switch("json")) {
    PrintJson(*policy, request, decision, trace);
  } else {
    PrintText(*policy, request, decision, trace);
  }
  return 0;
}

// Reads `az provider operation show` files into one set.
absl::StatusOr<rbac::ProviderOperationSet> ReadOperations(
    const ParsedFlags& flags) {
  std::vector<rbac::ProviderOperationSet> sets;
  absl::Status status = ReadAll(
      flags, "operations",
      [](const std::string& bytes, const std::string& path)
          -> absl::StatusOr<std::vector<rbac::ProviderOperationSet>> {
        absl::StatusOr<rbac::ProviderOperationSet> set =
            rbac::ParseProviderOperations(bytes);
        if (!set.ok()) return set.status();
        return std::vector<rbac::ProviderOperationSet>{*std::move(set)};
      },
      sets);
  if (!status.ok()) return status;
  rbac::ProviderOperationSet all;
  for (const rbac::ProviderOperationSet& set : sets) all.MergeFrom(set);
  return all;
}

// Exit status: 0 when no role has a problem, 1 when any has, 2 on bad input.
int RunValidate(const std::vector<std::string>& args) {
  FlagParser parser;
  parser.AddValue("roles", "FILE|DIR", "role definitions to check",
                  /*repeatable=*/true);
  parser.AddValue("operations", "FILE|DIR",
                  "provider operation lists (az provider operation show) to "
                  "check action names and planes against",
                  /*repeatable=*/true);
  if (parser.PrintHelpIfRequested(args, kUsage)) return 0;
  absl::StatusOr<ParsedFlags> flags = parser.Parse(args);
  if (!flags.ok()) {
    std::cerr << kUsage;
    return Fail(flags.status());
  }
  absl::Status required = FlagParser::Require(*flags, {"roles"});
  if (!required.ok()) {
    std::cerr << kUsage << parser.Help();
    return Fail(required);
  }

  std::vector<rbac::RoleDefinition> roles;
  absl::Status read = ReadAll(
      *flags, "roles",
      [](const std::string& bytes, const std::string& path) {
        return rbac::ParseRoleDefinitions(bytes, path);
      },
      roles);
  if (!read.ok()) return Fail(read);
  absl::StatusOr<rbac::ProviderOperationSet> operations =
      ReadOperations(*flags);
  if (!operations.ok()) return Fail(operations.status());
  const rbac::ProviderOperationSet* catalog =
      flags->Has("operations") ? &*operations : nullptr;

  int problems = 0;
  for (const rbac::RoleDefinition& role : roles) {
    for (const rbac::Problem& problem :
         rbac::ValidateRoleDefinition(role, catalog)) {
      std::cout << problem.ToString() << "\n";
      ++problems;
    }
  }
  std::cout << roles.size() << (roles.size() == 1 ? " role" : " roles")
            << " checked, " << problems
            << (problems == 1 ? " problem" : " problems") << "\n";
  return problems == 0 ? 0 : 1;
}

}  // namespace

int RunRbacCommand(const std::vector<std::string>& args) {
  if (GroupHelpRequested(args)) {
    std::cout << kUsage;
    return 0;
  }
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "check") return RunCheck(rest);
  if (args[0] == "validate") return RunValidate(rest);
  std::cerr << "portcullis rbac: unknown subcommand '" << args[0] << "'\n"
            << kUsage;
  return 2;
}

}  // namespace portcullis::cli
