// Azure RBAC decisions: Policy::Check() on a compiled policy, swept over the
// number of role assignments and deny assignments, and Policy::Compile()
// over the number of assignments. The roles mirror Reader, Contributor,
// Virtual Machine User Login and the reference architecture's operator role;
// the checked principal has a few assignments among many of other principals.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "access/rbac.h"
#include "access/rbac_pattern.h"
#include "access/rbac_scope.h"
#include "benchmark/benchmark.h"
#include "proto/rbac.pb.h"

namespace portcullis::rbac {
namespace {

constexpr char kOperator[] = "5d9a3c1e-2b47-4f86-a0d3-8e1f6c2b9a74";
constexpr char kGroup[] = "22222222-aaaa-4bbb-8ccc-000000000002";
const std::string kVm =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
    "rg-jit-demo/providers/Microsoft.Compute/virtualMachines/vm-app01";
const absl::Time kNow = absl::FromUnixSeconds(1796400000);

void AddRole(RbacInput& input, const std::string& guid,
             std::vector<std::string> actions,
             std::vector<std::string> not_actions,
             std::vector<std::string> data_actions) {
  RoleDefinition* role = input.add_role_definitions();
  role->set_name(guid);
  role->set_role_name(guid);
  role->set_role_type(ROLE_TYPE_BUILT_IN);
  role->add_assignable_scopes("/");
  Permission* permission = role->add_permissions();
  for (const std::string& action : actions) permission->add_actions(action);
  for (const std::string& action : not_actions) {
    permission->add_not_actions(action);
  }
  for (const std::string& action : data_actions) {
    permission->add_data_actions(action);
  }
}

void AddAssignment(RbacInput& input, const std::string& guid,
                   const std::string& principal, const std::string& scope) {
  RoleAssignment* assignment = input.add_role_assignments();
  assignment->set_name(absl::StrCat("assignment-", input.role_assignments_size()));
  assignment->set_role_definition_id(guid);
  assignment->set_principal_id(principal);
  assignment->set_scope(scope);
}

// A policy with `assignments` role assignments and `denies` deny
// assignments, of which the operator has four assignments and one deny
// assignment (for all principals) applies to the VM.
RbacInput MakeInput(int assignments, int denies) {
  RbacInput input;
  AddRole(input, "reader", {"*/read"}, {}, {});
  AddRole(input, "contributor", {"*"},
          {"Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write",
           "Microsoft.Authorization/elevateAccess/Action",
           "Microsoft.Blueprint/blueprintAssignments/write",
           "Microsoft.Blueprint/blueprintAssignments/delete",
           "Microsoft.Compute/galleries/share/action"},
          {});
  AddRole(input, "vm-user-login",
          {"Microsoft.Network/publicIPAddresses/read",
           "Microsoft.Network/virtualNetworks/read",
           "Microsoft.Network/loadBalancers/read",
           "Microsoft.Network/networkInterfaces/read",
           "Microsoft.Compute/virtualMachines/*/read"},
          {}, {"Microsoft.Compute/virtualMachines/login/action"});
  AddRole(input, "operator",
          {"Microsoft.Network/networkInterfaces/read",
           "Microsoft.Network/networkInterfaces/ipconfigurations/read",
           "Microsoft.Network/publicIPAddresses/read",
           "Microsoft.Network/bastionHosts/read",
           "Microsoft.Network/virtualNetworks/read",
           "Microsoft.Network/virtualNetworks/BastionHosts/action",
           "Microsoft.Network/virtualNetworks/bastionHosts/default/action",
           "Microsoft.Security/locations/jitNetworkAccessPolicies/read",
           "Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action",
           "Microsoft.Compute/virtualMachines/read"},
          {},
          {"Microsoft.Compute/virtualMachines/login/action",
           "Microsoft.Compute/virtualMachines/loginAsAdmin/action",
           "Microsoft.KeyVault/vaults/secrets/getSecret/action"});

  const char* roles[] = {"reader", "contributor", "vm-user-login", "operator"};
  for (int i = 0; i + 4 < assignments; ++i) {
    AddAssignment(input, roles[i % 4], absl::StrCat("principal-", i % 5000),
                  absl::StrCat("/subscriptions/00000000-0000-0000-0000-",
                               i % 7, "/resourceGroups/rg-", i));
  }
  AddAssignment(input, "reader", kOperator,
                "/subscriptions/00000000-0000-0000-0000-000000000000/"
                "resourceGroups/rg-other");
  AddAssignment(input, "vm-user-login", kGroup,
                "/subscriptions/00000000-0000-0000-0000-000000000001");
  AddAssignment(input, "operator", kOperator,
                "/subscriptions/00000000-0000-0000-0000-000000000000/"
                "resourceGroups/rg-jit-demo");
  AddAssignment(input, "contributor", kGroup,
                "/subscriptions/00000000-0000-0000-0000-000000000002");

  for (int i = 0; i < denies; ++i) {
    DenyAssignment* deny = input.add_deny_assignments();
    deny->set_name(absl::StrCat("deny-", i));
    bool for_all = i + 1 == denies;
    deny->set_scope(for_all ? "/subscriptions/00000000-0000-0000-0000-000000000000"
                            : absl::StrCat("/subscriptions/s", i));
    deny->add_principals()->set_id(
        for_all ? "00000000-0000-0000-0000-000000000000"
                : absl::StrCat("principal-", i));
    Permission* permission = deny->add_permissions();
    permission->add_actions("*/delete");
    permission->add_not_actions("Microsoft.Authorization/locks/delete");
  }
  return input;
}

Request OperatorRequest(absl::string_view action, Plane plane) {
  static const std::vector<std::string>* groups =
      new std::vector<std::string>{kGroup, "33333333-0000-4000-8000-000000000003"};
  Request request;
  request.principal_id = kOperator;
  request.group_ids = *groups;
  request.action = action;
  request.plane = plane;
  request.scope = kVm;
  return request;
}

void RunCheck(benchmark::State& state, absl::string_view action, Plane plane,
              bool expected) {
  absl::StatusOr<Policy> policy = Policy::Compile(
      MakeInput(static_cast<int>(state.range(0)), static_cast<int>(state.range(1))));
  if (!policy.ok()) {
    state.SkipWithError(std::string(policy.status().message()).c_str());
    return;
  }
  Request request = OperatorRequest(action, plane);
  if (policy->Check(request, kNow).allowed != expected) {
    state.SkipWithError("unexpected decision");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(policy->Check(request, kNow));
  }
}

void BM_RbacPolicy_CheckAllowedRead(benchmark::State& state) {
  RunCheck(state, "Microsoft.Compute/virtualMachines/read", Plane::kControl,
           true);
}

void BM_RbacPolicy_CheckAllowedDataAction(benchmark::State& state) {
  RunCheck(state, "Microsoft.Compute/virtualMachines/login/action",
           Plane::kData, true);
}

void BM_RbacPolicy_CheckNoGrant(benchmark::State& state) {
  RunCheck(state, "Microsoft.Compute/virtualMachines/write", Plane::kControl,
           false);
}

void BM_RbacPolicy_CheckDenyAssignment(benchmark::State& state) {
  RunCheck(state, "Microsoft.Compute/virtualMachines/delete", Plane::kControl,
           false);
}

// {role assignments, deny assignments}
void Sizes(benchmark::internal::Benchmark* benchmark) {
  for (int assignments : {10, 1000, 100000}) {
    for (int denies : {1, 100}) benchmark->Args({assignments, denies});
  }
}

BENCHMARK(BM_RbacPolicy_CheckAllowedRead)->Apply(Sizes);
BENCHMARK(BM_RbacPolicy_CheckAllowedDataAction)->Apply(Sizes);
BENCHMARK(BM_RbacPolicy_CheckNoGrant)->Apply(Sizes);
BENCHMARK(BM_RbacPolicy_CheckDenyAssignment)->Apply(Sizes);

void BM_RbacPolicy_Compile(benchmark::State& state) {
  RbacInput input = MakeInput(static_cast<int>(state.range(0)), 10);
  for (auto _ : state) {
    absl::StatusOr<Policy> policy = Policy::Compile(input);
    benchmark::DoNotOptimize(policy.ok());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RbacPolicy_Compile)->Arg(10)->Arg(1000)->Arg(100000)
    ->Unit(benchmark::kMillisecond);

void BM_ActionPattern_MatchMiddleWildcard(benchmark::State& state) {
  absl::StatusOr<ActionPattern> pattern =
      ActionPattern::Compile("Microsoft.Compute/virtualMachines/*/read");
  if (!pattern.ok()) {
    state.SkipWithError("pattern failed to compile");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        pattern->Matches("Microsoft.Compute/virtualMachines/extensions/read"));
    benchmark::DoNotOptimize(
        pattern->Matches("Microsoft.Compute/virtualMachines/write"));
  }
}
BENCHMARK(BM_ActionPattern_MatchMiddleWildcard);

void BM_ScopePath_ParseResource(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(ScopePath::TryParse(kVm));
  }
}
BENCHMARK(BM_ScopePath_ParseResource);

}  // namespace
}  // namespace portcullis::rbac
