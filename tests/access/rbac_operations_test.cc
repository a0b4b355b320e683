#include "access/rbac_operations.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "access/rbac.h"
#include "access/rbac_import.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/shared_data.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::rbac {
namespace {

using ::portcullis::testing::IsOk;
using ::portcullis::testing::ReadFileToString;
using ::portcullis::testing::SharedDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kSubscription =
    "/subscriptions/00000000-0000-0000-0000-000000000000";
const std::string kGroup = kSubscription + "/resourceGroups/rg-jit-demo";
const std::string kHubGroup = kSubscription + "/resourceGroups/rg-hub";

constexpr char kOperator[] = "5d9a3c1e-2b47-4f86-a0d3-8e1f6c2b9a74";
constexpr char kAuditor[] = "2b8e5f1c-7d3a-4c9e-86b0-4f1a9d2c7e83";
const absl::Time kNow = absl::FromUnixSeconds(1796400000);

VmAccessTarget Target() {
  VmAccessTarget target;
  target.vm = kGroup + "/providers/Microsoft.Compute/virtualMachines/vm-app01";
  target.nic =
      kGroup + "/providers/Microsoft.Network/networkInterfaces/nic-vm-app01";
  target.public_ips = {
      kGroup + "/providers/Microsoft.Network/publicIPAddresses/pip-bastion"};
  target.bastion =
      kGroup + "/providers/Microsoft.Network/bastionHosts/bas-jit-demo";
  target.vnet =
      kGroup + "/providers/Microsoft.Network/virtualNetworks/vnet-jit-demo";
  target.jit_policy = kGroup +
                      "/providers/Microsoft.Security/locations/westeurope/"
                      "jitNetworkAccessPolicies/default";
  target.password_secret = kGroup +
                           "/providers/Microsoft.KeyVault/vaults/kv-jit-demo/"
                           "secrets/vm-app01-admin-password";
  return target;
}

std::string Read(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFileToString(path);
  EXPECT_THAT(bytes, IsOk()) << path;
  return bytes.ok() ? *bytes : "";
}

// The example operator role and assignments, with the built-in roles when
// the real-data folder is present.
Policy ExamplePolicy() {
  RbacInput input;
  std::vector<std::string> role_files = {
      "examples/rbac/roles/secure-vm-operator.rest.json"};
  if (SharedDir()) {
    for (const char* name : {"reader.json", "virtual-machine-user-login.json"}) {
      role_files.push_back(
          absl::StrCat(*SharedDir(), "/realdata/rbac/builtin-roles/", name));
    }
  }
  for (const std::string& file : role_files) {
    absl::StatusOr<std::vector<RoleDefinition>> roles =
        ParseRoleDefinitions(Read(file), file);
    EXPECT_THAT(roles, IsOk());
    for (const RoleDefinition& role : *roles) {
      *input.add_role_definitions() = role;
    }
  }
  absl::StatusOr<std::vector<RoleAssignment>> assignments =
      ParseRoleAssignments(Read("examples/rbac/role-assignments.json"));
  EXPECT_THAT(assignments, IsOk());
  for (const RoleAssignment& assignment : *assignments) {
    *input.add_role_assignments() = assignment;
  }
  absl::StatusOr<Policy> policy = Policy::Compile(input);
  EXPECT_THAT(policy, IsOk());
  return *std::move(policy);
}

TEST(CheckAll, OperatorPassesEveryStep) {
  Policy policy = ExamplePolicy();
  VmAccessTarget target = Target();
  for (const std::vector<Operation>& operations :
       {ReadVmOperations(target), BastionConnectOperations(target),
        InitiateJitOperations(target), EntraLoginOperations(target, false),
        EntraLoginOperations(target, true), ReadPasswordOperations(target)}) {
    MultiDecision result = CheckAll(policy, kOperator, {}, operations, kNow);
    EXPECT_TRUE(result.allowed)
        << ExplainAll(policy, kOperator, {}, operations, result);
    EXPECT_EQ(result.operation, -1);
    // One operation is explained alone, several by the last one.
    EXPECT_THAT(ExplainAll(policy, kOperator, {}, operations, result),
                StartsWith(operations.size() == 1
                               ? std::string("allowed: ")
                               : absl::StrCat("all ", operations.size(),
                                              " operations allowed; the last: "
                                              "allowed: ")));
  }
}

TEST(CheckAll, ReaderStopsAtBastionAction) {
  if (!SharedDir()) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  Policy policy = ExamplePolicy();
  VmAccessTarget target = Target();
  EXPECT_TRUE(
      CheckAll(policy, kAuditor, {}, ReadVmOperations(target), kNow).allowed);

  std::vector<Operation> bastion = BastionConnectOperations(target);
  MultiDecision result = CheckAll(policy, kAuditor, {}, bastion, kNow);
  EXPECT_FALSE(result.allowed);
  EXPECT_EQ(result.operation, 2);
  EXPECT_EQ(bastion[2].action,
            "Microsoft.Network/virtualNetworks/BastionHosts/action");
  EXPECT_EQ(result.decision.reason, Reason::kNoGrant);
  EXPECT_THAT(ExplainAll(policy, kAuditor, {}, bastion, result),
              HasSubstr("operation 3 of 9 ('Microsoft.Network/virtualNetworks/"
                        "BastionHosts/action' at '"));

  result = CheckAll(policy, kAuditor, {}, InitiateJitOperations(target), kNow);
  EXPECT_FALSE(result.allowed);
  EXPECT_EQ(result.operation, 1);
}

TEST(CheckAll, VnetInAnotherGroupNeedsItsOwnGrant) {
  Policy policy = ExamplePolicy();
  VmAccessTarget target = Target();
  target.bastion =
      kHubGroup + "/providers/Microsoft.Network/bastionHosts/bas-hub";
  target.vnet =
      kHubGroup + "/providers/Microsoft.Network/virtualNetworks/vnet-hub";
  MultiDecision result =
      CheckAll(policy, kOperator, {}, BastionConnectOperations(target), kNow);
  EXPECT_FALSE(result.allowed);
  EXPECT_EQ(result.operation, 0);
}

TEST(CheckAll, PasswordNeedsDataActionAtSecret) {
  Policy policy = ExamplePolicy();
  VmAccessTarget target = Target();
  target.password_secret =
      kHubGroup + "/providers/Microsoft.KeyVault/vaults/kv-hub/secrets/pw";
  MultiDecision result =
      CheckAll(policy, kOperator, {}, ReadPasswordOperations(target), kNow);
  EXPECT_FALSE(result.allowed);
  EXPECT_EQ(result.operation, 0);
}

TEST(CheckAll, EmptyListIsAllowed) {
  Policy policy = ExamplePolicy();
  MultiDecision result = CheckAll(policy, kOperator, {}, {}, kNow);
  EXPECT_TRUE(result.allowed);
  EXPECT_EQ(result.operation, -1);
  EXPECT_EQ(ExplainAll(policy, kOperator, {}, {}, result),
            "allowed: no operation to check");
}

TEST(Operations, PlanesAndScopes) {
  VmAccessTarget target = Target();
  std::vector<Operation> login = EntraLoginOperations(target, true);
  ASSERT_EQ(login.size(), 1u);
  EXPECT_EQ(login[0].action,
            "Microsoft.Compute/virtualMachines/loginAsAdmin/action");
  EXPECT_EQ(login[0].plane, Plane::kData);
  EXPECT_EQ(login[0].scope, target.vm);
  std::vector<Operation> read = ReadVmOperations(target);
  ASSERT_EQ(read.size(), 4u);
  EXPECT_EQ(read[3].scope, target.public_ips[0]);
  EXPECT_EQ(read[3].plane, Plane::kControl);
  std::vector<Operation> jit = InitiateJitOperations(target);
  ASSERT_EQ(jit.size(), 2u);
  EXPECT_EQ(jit[1].scope, target.jit_policy);
}

}  // namespace
}  // namespace portcullis::rbac
