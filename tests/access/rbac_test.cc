#include "access/rbac.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
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
using ::portcullis::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

// The reference architecture's resources, as in examples/.
const std::string kSubscription =
    "/subscriptions/00000000-0000-0000-0000-000000000000";
const std::string kGroup = kSubscription + "/resourceGroups/rg-jit-demo";
const std::string kOtherGroup = kSubscription + "/resourceGroups/rg-other";
const std::string kVm =
    kGroup + "/providers/Microsoft.Compute/virtualMachines/vm-app01";
const std::string kOtherVm =
    kOtherGroup + "/providers/Microsoft.Compute/virtualMachines/vm-other";
const std::string kNic =
    kGroup + "/providers/Microsoft.Network/networkInterfaces/nic-vm-app01";
const std::string kPublicIp =
    kGroup + "/providers/Microsoft.Network/publicIPAddresses/pip-bastion";
const std::string kBastion =
    kGroup + "/providers/Microsoft.Network/bastionHosts/bas-jit-demo";
const std::string kVnet =
    kGroup + "/providers/Microsoft.Network/virtualNetworks/vnet-jit-demo";
const std::string kJitPolicy =
    kGroup +
    "/providers/Microsoft.Security/locations/westeurope/"
    "jitNetworkAccessPolicies/default";
const std::string kVault =
    kGroup + "/providers/Microsoft.KeyVault/vaults/kv-jit-demo";
const std::string kSecret = kVault + "/secrets/vm-app01-admin-password";
const std::string kOtherVault =
    kOtherGroup + "/providers/Microsoft.KeyVault/vaults/kv-other";

constexpr char kOperator[] = "5d9a3c1e-2b47-4f86-a0d3-8e1f6c2b9a74";
constexpr char kAuditor[] = "2b8e5f1c-7d3a-4c9e-86b0-4f1a9d2c7e83";
constexpr char kUser[] = "11111111-aaaa-4bbb-8ccc-000000000001";
constexpr char kOperatorsGroup[] = "22222222-aaaa-4bbb-8ccc-000000000002";

constexpr char kOwner[] = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
constexpr char kContributor[] = "b24988ac-6180-42a0-ab88-20f7382dd24c";
constexpr char kReader[] = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
constexpr char kUserAccessAdministrator[] =
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
constexpr char kVmAdministratorLogin[] = "1c0163c0-47e6-4577-8991-ea5c82e286e4";
constexpr char kVmUserLogin[] = "fb879df8-f326-4884-b1cf-06f3ad86be52";
constexpr char kVmContributor[] = "9980e02c-c2be-4d73-94e8-173b1dc7cf3c";
constexpr char kKeyVaultSecretsUser[] = "4633458b-17de-408a-b874-0445c86b69e6";
constexpr char kKeyVaultReader[] = "21090545-7ca7-4776-b22c-e363652d74d2";
constexpr char kKeyVaultAdministrator[] =
    "00482a5a-887f-4fb3-b363-3b7fe8e74483";
constexpr char kKeyVaultDataAccessAdministrator[] =
    "8b54135c-b56d-4d72-a534-26097cfdc8d8";
constexpr char kServiceBusDataReceiver[] =
    "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0";
constexpr char kStorageTaskAssignmentContributor[] =
    "77789c21-1643-48a2-8f27-47f858540b51";
constexpr char kSecureVmOperator[] = "3c6e2f8a-5d1b-4e7a-9f02-6b8d4c1a7e55";

const absl::Time kNow = absl::FromUnixSeconds(1796400000);  // 2026-12-04

std::string ReadOrDie(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFileToString(path);
  EXPECT_THAT(bytes, IsOk()) << path;
  return bytes.ok() ? *bytes : "";
}

void AddRoles(const std::string& path, RbacInput& input) {
  absl::StatusOr<std::vector<RoleDefinition>> roles =
      ParseRoleDefinitions(ReadOrDie(path), path);
  ASSERT_THAT(roles, IsOk()) << path;
  for (RoleDefinition& role : *roles) {
    *input.add_role_definitions() = std::move(role);
  }
}

// Every built-in role of the real-data folder and both forms of the example
// custom role.
RbacInput RolesInput() {
  RbacInput input;
  if (SharedDir()) {
    std::string folder = *SharedDir() + "/realdata/rbac/builtin-roles";
    for (const std::string& name :
         portcullis::testing::ListFiles(folder, ".json")) {
      AddRoles(folder + "/" + name, input);
    }
  }
  AddRoles("examples/rbac/roles/secure-vm-operator.rest.json", input);
  AddRoles("examples/rbac/roles/secure-vm-operator.az-input.json", input);
  return input;
}

std::string AssignmentJson(const std::string& name, const std::string& role,
                           const std::string& principal,
                           const std::string& scope,
                           const std::string& extra = "") {
  return absl::StrCat(
      R"({"id": ")", scope == "/" ? "" : scope,
      "/providers/Microsoft.Authorization/roleAssignments/", name,
      R"(", "name": ")", name,
      R"(", "type": "Microsoft.Authorization/roleAssignments", "properties": {)",
      R"("roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/)",
      role, R"(", "principalId": ")", principal,
      R"(", "principalType": "User", "scope": ")", scope, "\"", extra, "}}");
}

void AddAssignments(const std::string& json, RbacInput& input) {
  absl::StatusOr<std::vector<RoleAssignment>> assignments =
      ParseRoleAssignments(json, "test");
  ASSERT_THAT(assignments, IsOk()) << json;
  for (RoleAssignment& assignment : *assignments) {
    *input.add_role_assignments() = std::move(assignment);
  }
}

void AddDenies(const std::string& json, RbacInput& input) {
  absl::StatusOr<std::vector<DenyAssignment>> denies =
      ParseDenyAssignments(json, "test");
  ASSERT_THAT(denies, IsOk()) << json;
  for (DenyAssignment& deny : *denies) {
    *input.add_deny_assignments() = std::move(deny);
  }
}

void AddLink(const std::string& child, const std::string& parent,
             RbacInput& input) {
  ScopeParent* link = input.add_scope_parents();
  link->set_child(child);
  link->set_parent(parent);
}

// A deny assignment at management group `group` that blocks every delete
// for all principals.
std::string DeleteDenyAtGroup(const std::string& group) {
  const std::string scope =
      "/providers/Microsoft.Management/managementGroups/" + group;
  return absl::StrCat(
      R"({"value": [{"id": ")", scope,
      R"(/providers/Microsoft.Authorization/denyAssignments/d1", "name": "d1",
      "properties": {"denyAssignmentName": "no deletes", "scope": ")",
      scope, R"(", "permissions": [{"actions": ["*/delete"]}],
      "principals": [{"id": "00000000-0000-0000-0000-000000000000", "type": "SystemDefined"}]}}]})");
}

Request Ask(absl::string_view principal, absl::string_view action,
            absl::string_view scope, Plane plane = Plane::kControl) {
  Request request;
  request.principal_id = principal;
  request.action = action;
  request.scope = scope;
  request.plane = plane;
  return request;
}

class RbacTest : public ::testing::Test {
 protected:
  // Most cases assign Azure's built-in roles, which come from the shared
  // real-data folder, so the whole suite skips without it.
  void SetUp() override {
    if (!SharedDir()) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
    input_ = RolesInput();
  }

  void RequireBuiltIns() {
    if (!SharedDir()) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  }

  void Assign(const std::string& role, const std::string& principal,
              const std::string& scope, const std::string& extra = "") {
    AddAssignments(
        AssignmentJson(absl::StrCat("a", input_.role_assignments_size()), role,
                       principal, scope, extra),
        input_);
  }

  const Policy& Compiled() {
    if (!policy_) {
      absl::StatusOr<Policy> policy = Policy::Compile(input_);
      EXPECT_THAT(policy, IsOk());
      if (!policy.ok()) {
        static Policy* empty = new Policy(*Policy::Compile(RbacInput()));
        return *empty;
      }
      policy_ = std::make_unique<Policy>(*std::move(policy));
    }
    return *policy_;
  }

  Decision Check(absl::string_view principal, absl::string_view action,
                 absl::string_view scope, Plane plane = Plane::kControl) {
    return Compiled().Check(Ask(principal, action, scope, plane), kNow);
  }

  bool Allowed(absl::string_view principal, absl::string_view action,
               absl::string_view scope, Plane plane = Plane::kControl) {
    return Check(principal, action, scope, plane).allowed;
  }

  RbacInput input_;
  std::unique_ptr<Policy> policy_;
};

// --- The reference architecture's custom role -----------------------------

struct OperatorCase {
  std::string name;
  std::string action;
  const std::string* scope;
  Plane plane;
  bool allowed;
};

class SecureVmOperatorTest : public RbacTest,
                             public ::testing::WithParamInterface<OperatorCase> {
};

TEST_P(SecureVmOperatorTest, AllowsOnlyItsJob) {
  AddAssignments(ReadOrDie("examples/rbac/role-assignments.json"), input_);
  const OperatorCase& test = GetParam();
  Decision decision = Check(kOperator, test.action, *test.scope, test.plane);
  EXPECT_EQ(decision.allowed, test.allowed)
      << Compiled().Explain(Ask(kOperator, test.action, *test.scope, test.plane),
                            decision);
  EXPECT_EQ(decision.reason, test.allowed ? Reason::kGranted : Reason::kNoGrant);
}

INSTANTIATE_TEST_SUITE_P(
    Operations, SecureVmOperatorTest,
    ::testing::ValuesIn(std::vector<OperatorCase>{
        // Reading the VM, its NIC and public addresses.
        {"ReadVm", "Microsoft.Compute/virtualMachines/read", &kVm,
         Plane::kControl, true},
        {"ReadNic", "Microsoft.Network/networkInterfaces/read", &kNic,
         Plane::kControl, true},
        {"ReadNicIpConfiguration",
         "Microsoft.Network/networkInterfaces/ipconfigurations/read", &kNic,
         Plane::kControl, true},
        {"ReadPublicIp", "Microsoft.Network/publicIPAddresses/read", &kPublicIp,
         Plane::kControl, true},
        // Using the bastion.
        {"ReadBastion", "Microsoft.Network/bastionHosts/read", &kBastion,
         Plane::kControl, true},
        {"ReadVnet", "Microsoft.Network/virtualNetworks/read", &kVnet,
         Plane::kControl, true},
        {"VnetBastionHosts",
         "Microsoft.Network/virtualNetworks/BastionHosts/action", &kVnet,
         Plane::kControl, true},
        {"VnetBastionHostsDefault",
         "Microsoft.Network/virtualNetworks/bastionHosts/default/action",
         &kVnet, Plane::kControl, true},
        {"VnetSubnetVms",
         "Microsoft.Network/virtualNetworks/subnets/virtualMachines/read",
         &kVnet, Plane::kControl, true},
        {"VnetVms", "Microsoft.Network/virtualNetworks/virtualMachines/read",
         &kVnet, Plane::kControl, true},
        // Initiating JIT access, on the JIT policy resource.
        {"InitiateJit",
         "Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action",
         &kJitPolicy, Plane::kControl, true},
        {"ReadJitPolicy",
         "Microsoft.Security/locations/jitNetworkAccessPolicies/read",
         &kJitPolicy, Plane::kControl, true},
        // Entra ID sign-in and the password secret: data actions.
        {"LoginToVm", "Microsoft.Compute/virtualMachines/login/action", &kVm,
         Plane::kData, true},
        {"LoginToVmAsAdmin",
         "Microsoft.Compute/virtualMachines/loginAsAdmin/action", &kVm,
         Plane::kData, true},
        {"GetSecretAtVault",
         "Microsoft.KeyVault/vaults/secrets/getSecret/action", &kVault,
         Plane::kData, true},
        {"GetSecretAtSecret",
         "Microsoft.KeyVault/vaults/secrets/getSecret/action", &kSecret,
         Plane::kData, true},
        // Anything else is not.
        {"WriteVm", "Microsoft.Compute/virtualMachines/write", &kVm,
         Plane::kControl, false},
        {"DeleteVm", "Microsoft.Compute/virtualMachines/delete", &kVm,
         Plane::kControl, false},
        {"StartVm", "Microsoft.Compute/virtualMachines/start/action", &kVm,
         Plane::kControl, false},
        {"RunCommand", "Microsoft.Compute/virtualMachines/runCommand/action",
         &kVm, Plane::kControl, false},
        {"WriteVmExtension", "Microsoft.Compute/virtualMachines/extensions/write",
         &kVm, Plane::kControl, false},
        {"WriteNic", "Microsoft.Network/networkInterfaces/write", &kNic,
         Plane::kControl, false},
        {"WritePublicIp", "Microsoft.Network/publicIPAddresses/write",
         &kPublicIp, Plane::kControl, false},
        {"JoinSubnet", "Microsoft.Network/virtualNetworks/subnets/join/action",
         &kVnet, Plane::kControl, false},
        {"WriteNsgRule",
         "Microsoft.Network/networkSecurityGroups/securityRules/write", &kGroup,
         Plane::kControl, false},
        {"ReadNsg", "Microsoft.Network/networkSecurityGroups/read", &kGroup,
         Plane::kControl, false},
        {"WriteJitPolicy",
         "Microsoft.Security/locations/jitNetworkAccessPolicies/write",
         &kJitPolicy, Plane::kControl, false},
        {"DeleteJitPolicy",
         "Microsoft.Security/locations/jitNetworkAccessPolicies/delete",
         &kJitPolicy, Plane::kControl, false},
        {"WriteBastion", "Microsoft.Network/bastionHosts/write", &kBastion,
         Plane::kControl, false},
        {"BastionShareableLinks",
         "Microsoft.Network/bastionHosts/createShareableLinks/action",
         &kBastion, Plane::kControl, false},
        {"BastionActiveSessions",
         "Microsoft.Network/bastionHosts/getactivesessions/action", &kBastion,
         Plane::kControl, false},
        {"ReadVaultResource", "Microsoft.KeyVault/vaults/read", &kVault,
         Plane::kControl, false},
        {"WriteVault", "Microsoft.KeyVault/vaults/write", &kVault,
         Plane::kControl, false},
        {"SetSecret", "Microsoft.KeyVault/vaults/secrets/setSecret/action",
         &kSecret, Plane::kData, false},
        {"ReadSecretMetadata",
         "Microsoft.KeyVault/vaults/secrets/readMetadata/action", &kSecret,
         Plane::kData, false},
        {"GetSecretAsControlAction",
         "Microsoft.KeyVault/vaults/secrets/getSecret/action", &kVault,
         Plane::kControl, false},
        {"LoginAsControlAction",
         "Microsoft.Compute/virtualMachines/login/action", &kVm,
         Plane::kControl, false},
        {"ReadVmAsDataAction", "Microsoft.Compute/virtualMachines/read", &kVm,
         Plane::kData, false},
        {"WriteRoleAssignment", "Microsoft.Authorization/roleAssignments/write",
         &kGroup, Plane::kControl, false},
        // The assignment is scoped to the resource group.
        {"ReadVmInOtherGroup", "Microsoft.Compute/virtualMachines/read",
         &kOtherVm, Plane::kControl, false},
        {"LoginInOtherGroup", "Microsoft.Compute/virtualMachines/login/action",
         &kOtherVm, Plane::kData, false},
        {"GetSecretInOtherVault",
         "Microsoft.KeyVault/vaults/secrets/getSecret/action", &kOtherVault,
         Plane::kData, false},
        {"ReadSubscription", "Microsoft.Resources/subscriptions/read",
         &kSubscription, Plane::kControl, false},
    }),
    [](const ::testing::TestParamInfo<OperatorCase>& info) {
      return info.param.name;
    });

// Every operation of the four provider lists, at the VM: allowed exactly
// when the role names it in the right plane.
TEST_F(RbacTest, OperatorRoleGrantsOnlyListedOperations) {
  RequireBuiltIns();
  AddAssignments(ReadOrDie("examples/rbac/role-assignments.json"), input_);
  const RoleDefinition* role = Compiled().FindRoleDefinition(kSecureVmOperator);
  ASSERT_NE(role, nullptr);
  std::set<std::string> control;
  std::set<std::string> data;
  for (const std::string& action : role->permissions(0).actions()) {
    control.insert(absl::AsciiStrToLower(action));
  }
  for (const std::string& action : role->permissions(0).data_actions()) {
    data.insert(absl::AsciiStrToLower(action));
  }

  int checked = 0;
  std::set<std::string> seen_control;
  std::set<std::string> seen_data;
  for (const char* provider : {"Microsoft.Compute", "Microsoft.Network",
                               "Microsoft.Security", "Microsoft.KeyVault"}) {
    ASSERT_OK_AND_ASSIGN(
        ProviderOperationSet operations,
        ParseProviderOperations(ReadOrDie(absl::StrCat(
            *SharedDir(), "/realdata/rbac/provider-operations/", provider,
            ".json"))));
    for (const ProviderOperation& operation : operations.operations()) {
      Plane plane = operation.is_data_action() ? Plane::kData : Plane::kControl;
      std::string lowered = absl::AsciiStrToLower(operation.name());
      const std::set<std::string>& granted =
          operation.is_data_action() ? data : control;
      bool expected = granted.count(lowered) > 0;
      EXPECT_EQ(Allowed(kOperator, operation.name(), kVm, plane), expected)
          << operation.name();
      if (expected) {
        (operation.is_data_action() ? seen_data : seen_control).insert(lowered);
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 1500);
  // Every operation the role names exists, in the plane the role puts it.
  EXPECT_EQ(seen_control, control);
  EXPECT_EQ(seen_data, data);
}

TEST_F(RbacTest, SecureVmOperatorBothFormsAreOneRole) {
  const Policy& policy = Compiled();
  int copies = 0;
  for (const RoleDefinition& role : policy.input().role_definitions()) {
    if (role.name() == kSecureVmOperator) ++copies;
  }
  EXPECT_EQ(copies, 1);
  const RoleDefinition* role = policy.FindRoleDefinition(kSecureVmOperator);
  ASSERT_NE(role, nullptr);
  EXPECT_EQ(role->role_name(), "Secure VM Access Operator");
  EXPECT_EQ(role->role_type(), ROLE_TYPE_CUSTOM);
}

TEST_F(RbacTest, OperatorOutsideAssignableScopes) {
  Assign(kSecureVmOperator, kUser, kSubscription);
  Assign(kSecureVmOperator, kUser, kOtherGroup);
  EXPECT_FALSE(Allowed(kUser, "Microsoft.Compute/virtualMachines/read", kVm));
  EXPECT_FALSE(
      Allowed(kUser, "Microsoft.Compute/virtualMachines/read", kOtherVm));
  ASSERT_THAT(Compiled().problems(), SizeIs(2));
  EXPECT_THAT(Compiled().problems()[0].ToString(),
              HasSubstr("is outside the assignable scopes of role 'Secure VM "
                        "Access Operator'"));
  EXPECT_THAT(Compiled().Trace(Ask(kUser, "Microsoft.Compute/virtualMachines/read",
                                   kVm),
                               kNow),
              Contains(HasSubstr("grants nothing: scope")));
}

TEST_F(RbacTest, OperatorAtVmCannotReadSecret) {
  Assign(kSecureVmOperator, kUser, kVm);
  EXPECT_TRUE(Allowed(kUser, "Microsoft.Compute/virtualMachines/login/action",
                      kVm, Plane::kData));
  EXPECT_FALSE(Allowed(kUser,
                       "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                       kVault, Plane::kData));
}

TEST_F(RbacTest, SecureVmOperatorAtSecretScope) {
  Assign(kSecureVmOperator, kUser, kSecret);
  EXPECT_TRUE(Allowed(kUser,
                      "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                      kSecret, Plane::kData));
  EXPECT_FALSE(Allowed(kUser,
                       "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                       kVault, Plane::kData));
  EXPECT_FALSE(Allowed(kUser,
                       "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                       kVault + "/secrets/other-secret", Plane::kData));
}

TEST_F(RbacTest, ReaderStopsAtBastionAndJit) {
  RequireBuiltIns();
  AddAssignments(ReadOrDie("examples/rbac/role-assignments.json"), input_);
  EXPECT_TRUE(Allowed(kAuditor, "Microsoft.Compute/virtualMachines/read", kVm));
  EXPECT_FALSE(Allowed(
      kAuditor, "Microsoft.Network/virtualNetworks/BastionHosts/action", kVnet));
  EXPECT_FALSE(Allowed(
      kAuditor,
      "Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action",
      kJitPolicy));
  EXPECT_FALSE(Allowed(kAuditor,
                       "Microsoft.Compute/virtualMachines/login/action", kVm,
                       Plane::kData));
}

// --- Built-in roles --------------------------------------------------------

struct BuiltInCase {
  std::string name;
  std::string role;
  std::string action;
  Plane plane;
  bool allowed;
};

class BuiltInRoleTest : public RbacTest,
                        public ::testing::WithParamInterface<BuiltInCase> {};

TEST_P(BuiltInRoleTest, Behaves) {
  RequireBuiltIns();
  const BuiltInCase& test = GetParam();
  Assign(test.role, kUser, kGroup);
  Decision decision = Check(kUser, test.action, kVm, test.plane);
  EXPECT_EQ(decision.allowed, test.allowed)
      << Compiled().Explain(Ask(kUser, test.action, kVm, test.plane), decision);
  EXPECT_THAT(Compiled().problems(), IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(
    Roles, BuiltInRoleTest,
    ::testing::ValuesIn(std::vector<BuiltInCase>{
        {"ReaderReads", kReader, "Microsoft.Compute/virtualMachines/read",
         Plane::kControl, true},
        {"ReaderCannotWrite", kReader, "Microsoft.Compute/virtualMachines/write",
         Plane::kControl, false},
        {"ReaderCannotStart", kReader,
         "Microsoft.Compute/virtualMachines/start/action", Plane::kControl,
         false},
        {"ReaderCannotReadData", kReader,
         "Microsoft.KeyVault/vaults/secrets/getSecret/action", Plane::kData,
         false},
        {"ContributorWrites", kContributor,
         "Microsoft.Compute/virtualMachines/write", Plane::kControl, true},
        {"ContributorCannotWriteRoleAssignments", kContributor,
         "Microsoft.Authorization/roleAssignments/write", Plane::kControl,
         false},
        {"ContributorCannotDeleteRoleAssignments", kContributor,
         "Microsoft.Authorization/roleAssignments/delete", Plane::kControl,
         false},
        {"ContributorCannotElevate", kContributor,
         "Microsoft.Authorization/elevateAccess/action", Plane::kControl, false},
        {"ContributorReadsRoleAssignments", kContributor,
         "Microsoft.Authorization/roleAssignments/read", Plane::kControl, true},
        {"ContributorCannotLogin", kContributor,
         "Microsoft.Compute/virtualMachines/login/action", Plane::kData, false},
        {"OwnerWritesRoleAssignments", kOwner,
         "Microsoft.Authorization/roleAssignments/write", Plane::kControl, true},
        {"OwnerCannotLogin", kOwner,
         "Microsoft.Compute/virtualMachines/login/action", Plane::kData, false},
        {"OwnerCannotGetSecret", kOwner,
         "Microsoft.KeyVault/vaults/secrets/getSecret/action", Plane::kData,
         false},
        {"OwnerCannotReadBlobs", kOwner,
         "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
         Plane::kData, false},
        {"UserLoginLogsIn", kVmUserLogin,
         "Microsoft.Compute/virtualMachines/login/action", Plane::kData, true},
        {"UserLoginNotAsAdmin", kVmUserLogin,
         "Microsoft.Compute/virtualMachines/loginAsAdmin/action", Plane::kData,
         false},
        // `virtualMachines/*/read` grants `virtualMachines/read` by policy.
        {"UserLoginReadsVm", kVmUserLogin,
         "Microsoft.Compute/virtualMachines/read", Plane::kControl, true},
        {"UserLoginReadsVmExtensions", kVmUserLogin,
         "Microsoft.Compute/virtualMachines/extensions/read", Plane::kControl,
         true},
        {"UserLoginCannotWriteVm", kVmUserLogin,
         "Microsoft.Compute/virtualMachines/write", Plane::kControl, false},
        {"UserLoginLoginIsNotControl", kVmUserLogin,
         "Microsoft.Compute/virtualMachines/login/action", Plane::kControl,
         false},
        {"AdministratorLoginAsAdmin", kVmAdministratorLogin,
         "Microsoft.Compute/virtualMachines/loginAsAdmin/action", Plane::kData,
         true},
        {"VmContributorWritesVm", kVmContributor,
         "Microsoft.Compute/virtualMachines/write", Plane::kControl, true},
        {"VmContributorCannotLogin", kVmContributor,
         "Microsoft.Compute/virtualMachines/login/action", Plane::kData, false},
        {"SecretsUserGetsSecret", kKeyVaultSecretsUser,
         "Microsoft.KeyVault/vaults/secrets/getSecret/action", Plane::kData,
         true},
        {"SecretsUserCannotSetSecret", kKeyVaultSecretsUser,
         "Microsoft.KeyVault/vaults/secrets/setSecret/action", Plane::kData,
         false},
        {"SecretsUserCannotReadVaultResource", kKeyVaultSecretsUser,
         "Microsoft.KeyVault/vaults/read", Plane::kControl, false},
        {"KeyVaultReaderCannotGetSecret", kKeyVaultReader,
         "Microsoft.KeyVault/vaults/secrets/getSecret/action", Plane::kData,
         false},
        {"KeyVaultReaderReadsMetadata", kKeyVaultReader,
         "Microsoft.KeyVault/vaults/secrets/readMetadata/action", Plane::kData,
         true},
        {"KeyVaultAdministratorGetsSecret", kKeyVaultAdministrator,
         "Microsoft.KeyVault/vaults/secrets/getSecret/action", Plane::kData,
         true},
        {"KeyVaultAdministratorCannotWriteVault", kKeyVaultAdministrator,
         "Microsoft.KeyVault/vaults/write", Plane::kControl, false},
        {"ServiceBusReceiverReadsQueues", kServiceBusDataReceiver,
         "Microsoft.ServiceBus/namespaces/queues/read", Plane::kControl, true},
        {"ServiceBusReceiverReceives", kServiceBusDataReceiver,
         "Microsoft.ServiceBus/namespaces/queues/messages/receive/action",
         Plane::kData, true},
        {"UserAccessAdministratorWritesRoleAssignments",
         kUserAccessAdministrator,
         "Microsoft.Authorization/roleAssignments/write", Plane::kControl, true},
        {"UserAccessAdministratorCannotWriteVm", kUserAccessAdministrator,
         "Microsoft.Compute/virtualMachines/write", Plane::kControl, false},
        {"StorageTaskUnconditionalBlock", kStorageTaskAssignmentContributor,
         "Microsoft.Storage/storageAccounts/read", Plane::kControl, true},
    }),
    [](const ::testing::TestParamInfo<BuiltInCase>& info) {
      return info.param.name;
    });

TEST_F(RbacTest, ContributorExplainsNotActions) {
  RequireBuiltIns();
  Assign(kContributor, kUser, kSubscription);
  Request request =
      Ask(kUser, "Microsoft.Authorization/roleAssignments/write", kGroup);
  Decision decision = Compiled().Check(request, kNow);
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.reason, Reason::kNoGrant);
  EXPECT_THAT(Compiled().Trace(request, kNow),
              Contains(HasSubstr("the role's notActions entry "
                                 "'Microsoft.Authorization/*/Write' excludes")));
}

TEST_F(RbacTest, ConditionalRoleBlockDoesNotGrant) {
  RequireBuiltIns();
  Assign(kKeyVaultDataAccessAdministrator, kUser, kGroup);
  Assign(kStorageTaskAssignmentContributor, kUser, kGroup);
  Request request =
      Ask(kUser, "Microsoft.Authorization/roleAssignments/write", kVault);
  Decision decision = Compiled().Check(request, kNow);
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.reason, Reason::kConditionNotEvaluated);
  EXPECT_EQ(decision.assignment, 0);
  EXPECT_THAT(Compiled().Explain(request, decision),
              HasSubstr("Portcullis does not evaluate conditions"));
}

TEST_F(RbacTest, ConditionalAssignmentDoesNotGrant) {
  RequireBuiltIns();
  Assign(kReader, kUser, kGroup,
         R"(, "condition": "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:ContainerName] StringEqualsIgnoreCase 'logs'", "conditionVersion": "2.0")");
  Decision decision =
      Check(kUser, "Microsoft.Compute/virtualMachines/read", kVm);
  EXPECT_EQ(decision.reason, Reason::kConditionNotEvaluated);
  Assign(kReader, kUser, kSubscription);
  policy_.reset();
  decision = Check(kUser, "Microsoft.Compute/virtualMachines/read", kVm);
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.assignment, 1);
}

// --- Grants add up, and only deny assignments take away -------------------

TEST_F(RbacTest, InheritedStarBeatsNotActions) {
  RequireBuiltIns();
  Assign(kOwner, kUser, kSubscription);
  Assign(kContributor, kUser, kGroup);
  EXPECT_TRUE(
      Allowed(kUser, "Microsoft.Authorization/roleAssignments/write", kGroup));
  EXPECT_TRUE(Allowed(kUser, "Microsoft.Storage/storageAccounts/delete",
                      kGroup + "/providers/Microsoft.Storage/storageAccounts/st1"));
}

TEST_F(RbacTest, NotActionsAreNotDenies) {
  RequireBuiltIns();
  Assign(kContributor, kUser, kGroup);
  Assign(kUserAccessAdministrator, kUser, kGroup);
  Decision decision =
      Check(kUser, "Microsoft.Authorization/roleAssignments/write", kVm);
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.assignment, 1);
}

TEST_F(RbacTest, NoUpwardInheritance) {
  RequireBuiltIns();
  Assign(kReader, kUser, kVm);
  EXPECT_TRUE(Allowed(kUser, "Microsoft.Compute/virtualMachines/read", kVm));
  EXPECT_FALSE(
      Allowed(kUser, "Microsoft.Resources/subscriptions/resourceGroups/read",
              kGroup));
  EXPECT_FALSE(Allowed(kUser, "Microsoft.Compute/virtualMachines/read",
                       kGroup + "/providers/Microsoft.Compute/"
                                "virtualMachines/vm-app02"));
}

TEST_F(RbacTest, ScopesCompareWholeSegments) {
  RequireBuiltIns();
  Assign(kReader, kUser, "/subscriptions/s1");
  EXPECT_FALSE(Allowed(kUser, "Microsoft.Compute/virtualMachines/read",
                       "/subscriptions/s10/resourceGroups/rg"));
  EXPECT_TRUE(Allowed(kUser, "Microsoft.Compute/virtualMachines/read",
                      "/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/providers/"
                      "Microsoft.Compute/virtualMachines/vm/"));
  EXPECT_TRUE(Allowed(kUser, "MICROSOFT.COMPUTE/VIRTUALMACHINES/READ",
                      "/subscriptions/s1"));
  EXPECT_TRUE(Allowed(absl::AsciiStrToUpper(kUser),
                      "Microsoft.Compute/virtualMachines/read",
                      "/subscriptions/s1"));
}

TEST_F(RbacTest, RootAssignmentCoversEverything) {
  RequireBuiltIns();
  Assign(kUserAccessAdministrator, kUser, "/");
  EXPECT_TRUE(
      Allowed(kUser, "Microsoft.Authorization/roleAssignments/write", kVm));
  EXPECT_TRUE(Allowed(
      kUser, "Microsoft.Authorization/roleAssignments/write",
      "/providers/Microsoft.Management/managementGroups/mg-platform"));
}

TEST_F(RbacTest, GroupAssignmentsGrantTheirMembers) {
  RequireBuiltIns();
  Assign(kReader, kOperatorsGroup, kGroup);
  std::vector<std::string> groups = {"33333333-0000-4000-8000-000000000003",
                                     kOperatorsGroup};
  Request request = Ask(kUser, "Microsoft.Compute/virtualMachines/read", kVm);
  EXPECT_FALSE(Compiled().Check(request, kNow).allowed);
  request.group_ids = groups;
  Decision decision = Compiled().Check(request, kNow);
  EXPECT_TRUE(decision.allowed);
  EXPECT_THAT(Compiled().Explain(request, decision),
              HasSubstr(kOperatorsGroup));
}

TEST_F(RbacTest, FirstGrantInInputOrder) {
  RequireBuiltIns();
  Assign(kContributor, kOperatorsGroup, kGroup);
  Assign(kReader, kUser, kSubscription);
  std::vector<std::string> groups = {kOperatorsGroup};
  Request request = Ask(kUser, "Microsoft.Compute/virtualMachines/read", kVm);
  request.group_ids = groups;
  EXPECT_EQ(Compiled().Check(request, kNow).assignment, 0);
}

// --- Management groups -----------------------------------------------------

TEST_F(RbacTest, ManagementGroupNeedsHierarchy) {
  RequireBuiltIns();
  Assign(kReader, kUser,
         "/providers/Microsoft.Management/managementGroups/mg-platform");
  EXPECT_FALSE(Allowed(kUser, "Microsoft.Compute/virtualMachines/read", kVm));

  absl::StatusOr<std::vector<ScopeParent>> links =
      ParseManagementGroupEntities(
          ReadOrDie("examples/rbac/management-groups.json"));
  ASSERT_THAT(links, IsOk());
  for (const ScopeParent& link : *links) *input_.add_scope_parents() = link;
  policy_.reset();
  EXPECT_TRUE(Allowed(kUser, "Microsoft.Compute/virtualMachines/read", kVm));
  EXPECT_TRUE(Allowed(
      kUser, "Microsoft.Management/managementGroups/read",
      "/providers/Microsoft.Management/managementGroups/mg-platform"));
  // A subscription outside the management group.
  EXPECT_FALSE(Allowed(kUser, "Microsoft.Compute/virtualMachines/read",
                       "/subscriptions/99999999-0000-0000-0000-000000000000"));
}

TEST_F(RbacTest, ManagementGroupChainOfTwoLevels) {
  RequireBuiltIns();
  Assign(kReader, kUser,
         "/providers/Microsoft.Management/managementGroups/top");
  auto link = [&](const std::string& child, const std::string& parent) {
    ScopeParent* added = input_.add_scope_parents();
    added->set_child(child);
    added->set_parent(
        "/providers/Microsoft.Management/managementGroups/" + parent);
  };
  link("/providers/Microsoft.Management/managementGroups/middle", "TOP");
  link(kSubscription, "middle");
  EXPECT_TRUE(Allowed(kUser, "Microsoft.Compute/virtualMachines/read", kVm));
  EXPECT_TRUE(Allowed(
      kUser, "Microsoft.Compute/virtualMachines/read",
      "/providers/Microsoft.Management/managementGroups/middle"));
}

TEST_F(RbacTest, AssignableAtManagementGroup) {
  AddRoles("examples/rbac/roles/secure-vm-operator.rest.json", input_);
  RoleDefinition* role = input_.mutable_role_definitions(
      input_.role_definitions_size() - 1);
  role->set_name("44444444-0000-4000-8000-000000000004");
  role->clear_assignable_scopes();
  role->add_assignable_scopes(
      "/providers/Microsoft.Management/managementGroups/mg-platform");
  Assign("44444444-0000-4000-8000-000000000004", kUser, kGroup);
  EXPECT_FALSE(Allowed(kUser, "Microsoft.Compute/virtualMachines/read", kVm));
  ScopeParent* link = input_.add_scope_parents();
  link->set_child(kSubscription);
  link->set_parent(
      "/providers/Microsoft.Management/managementGroups/mg-platform");
  policy_.reset();
  EXPECT_TRUE(Allowed(kUser, "Microsoft.Compute/virtualMachines/read", kVm));
}

// An assignment outside its role's assignableScopes grants nothing, and the
// denial names it instead of claiming that no assignment exists.
TEST_F(RbacTest, NoGrantNamesUnusableAssignment) {
  Assign(kSecureVmOperator, kUser, kSubscription);
  Request request = Ask(kUser, "Microsoft.Compute/virtualMachines/read", kVm);
  Decision decision = Compiled().Check(request, kNow);
  EXPECT_EQ(decision.reason, Reason::kNoGrant);
  EXPECT_EQ(Compiled().FindUnusableGrant(request), 0);
  EXPECT_THAT(
      Compiled().Explain(request, decision),
      AllOf(HasSubstr("denied: no usable role assignment of principal"),
            HasSubstr("role assignment 'a0' at '" + kSubscription +
                      "' grants nothing because scope '" + kSubscription +
                      "' is outside the assignable scopes of role 'Secure VM "
                      "Access Operator'")));

  // The role does not grant writes, so the assignment is not the reason.
  Request write = Ask(kUser, "Microsoft.Compute/virtualMachines/write", kVm);
  EXPECT_EQ(Compiled().FindUnusableGrant(write), -1);
  EXPECT_THAT(Compiled().Explain(write, Compiled().Check(write, kNow)),
              HasSubstr("denied: no active role assignment of principal"));
  // Nor is an assignment that does not cover the requested scope.
  Request other = Ask(kUser, "Microsoft.Compute/virtualMachines/read",
                      "/subscriptions/99999999-0000-0000-0000-000000000000");
  EXPECT_EQ(Compiled().FindUnusableGrant(other), -1);
}

// An assignment of a role that is not loaded may be the one that would
// grant, so the denial names it too.
TEST_F(RbacTest, NoGrantNamesAssignmentOfMissingRole) {
  Assign("99999999-0000-4000-8000-000000000009", kUser, kGroup);
  Request request = Ask(kUser, "Microsoft.Compute/virtualMachines/read", kVm);
  EXPECT_THAT(Compiled().Explain(request, Compiled().Check(request, kNow)),
              HasSubstr("role assignment 'a0' at '" + kGroup +
                        "' grants nothing because role definition "
                        "'99999999-0000-4000-8000-000000000009' is not loaded"));
}

// --- Deny assignments ------------------------------------------------------

TEST_F(RbacTest, ExampleDenyBlocksDeletes) {
  RequireBuiltIns();
  AddDenies(ReadOrDie("examples/rbac/deny-assignments.json"), input_);
  Assign(kOwner, kUser, kSubscription);
  Assign(kOwner, "0c4d8e2f-6a1b-4f3d-8e5c-7b9a1d3f5e20", kSubscription);
  Request request = Ask(kUser, "Microsoft.Compute/virtualMachines/delete", kVm);
  Decision decision = Compiled().Check(request, kNow);
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.reason, Reason::kDenyAssignment);
  EXPECT_EQ(decision.deny_assignment, 0);
  EXPECT_EQ(decision.assignment, 0);
  EXPECT_THAT(Compiled().Explain(request, decision),
              AllOf(HasSubstr("blocks 'Microsoft.Compute/virtualMachines/"
                              "delete' for all principals"),
                    HasSubstr("entry '*/delete'"),
                    HasSubstr("without it, role assignment 'a0'")));
  EXPECT_TRUE(Allowed(kUser, "Microsoft.Compute/virtualMachines/write", kVm));
  EXPECT_TRUE(Allowed(kUser, "Microsoft.Authorization/locks/delete", kGroup));
  EXPECT_TRUE(Allowed("0c4d8e2f-6a1b-4f3d-8e5c-7b9a1d3f5e20",
                      "Microsoft.Compute/virtualMachines/delete", kVm));
  EXPECT_TRUE(Allowed(kUser, "Microsoft.Compute/virtualMachines/delete",
                      kOtherVm));
}

// A deny assignment at a management group applies wherever the tree does
// not place the requested scope, because the group might be above it. Only
// a tree that places the subscription elsewhere lets the request through.
TEST_F(RbacTest, ManagementGroupDenyWithUnknownPlacementApplies) {
  RequireBuiltIns();
  AddDenies(DeleteDenyAtGroup("mg1"), input_);
  Assign(kOwner, kUser, kSubscription);
  const char* kDelete = "Microsoft.Compute/virtualMachines/delete";
  Request request = Ask(kUser, kDelete, kVm);
  Decision decision = Compiled().Check(request, kNow);
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.reason, Reason::kDenyAssignment);
  EXPECT_THAT(Compiled().Explain(request, decision),
              HasSubstr("because the management-group tree does not place it"));

  // The tree places mg1 but not the subscription: still unknown.
  auto link = [&](const std::string& child, const std::string& parent) {
    ScopeParent* added = input_.add_scope_parents();
    added->set_child(child);
    added->set_parent("/providers/Microsoft.Management/managementGroups/" + parent);
    policy_.reset();
  };
  link("/providers/Microsoft.Management/managementGroups/mg1", "root");
  EXPECT_FALSE(Allowed(kUser, kDelete, kVm));

  // Placed under mg2, beside mg1, but the parent of "root" is unknown, so
  // mg1 may still be above it.
  link("/providers/Microsoft.Management/managementGroups/mg2", "root");
  link(kSubscription, "mg2");
  decision = Compiled().Check(request, kNow);
  EXPECT_EQ(decision.reason, Reason::kDenyAssignment);
  EXPECT_THAT(Compiled().Explain(request, decision),
              HasSubstr("because the management-group tree stops at "
                        "management group 'root', whose parent it does not "
                        "list"));
  // With "root" as the tenant root group, the deny does not reach it.
  AddLink("/providers/Microsoft.Management/managementGroups/root", "/", input_);
  policy_.reset();
  EXPECT_TRUE(Allowed(kUser, kDelete, kVm));
  // A deny that applies to its own scope only never reaches below it.
  input_.mutable_scope_parents()->Clear();
  input_.mutable_deny_assignments(0)->set_do_not_apply_to_child_scopes(true);
  policy_.reset();
  EXPECT_TRUE(Allowed(kUser, kDelete, kVm));
}

// A getEntities export whose chain stops below the tenant root group does
// not rule out a deny assignment at a group it does not list.
TEST_F(RbacTest, ManagementGroupDenyWithIncompleteChainApplies) {
  RequireBuiltIns();
  AddDenies(DeleteDenyAtGroup("mgX"), input_);
  Assign(kOwner, kUser, kSubscription);
  const char* kDelete = "Microsoft.Compute/virtualMachines/delete";
  auto with_tree = [&](const std::string& entities) {
    absl::StatusOr<std::vector<ScopeParent>> links =
        ParseManagementGroupEntities(entities, "mg.json");
    EXPECT_THAT(links, IsOk());
    input_.clear_scope_parents();
    if (links.ok()) {
      for (const ScopeParent& link : *links) *input_.add_scope_parents() = link;
    }
    policy_.reset();
  };
  const std::string subscription_entity = absl::StrCat(
      R"({"id": ")", kSubscription,
      R"(", "properties": {"parent": {"id": "/providers/Microsoft.Management/managementGroups/mg1"}}})");

  // mg1 is not listed.
  with_tree(absl::StrCat(R"({"value": [)", subscription_entity, "]}"));
  EXPECT_FALSE(Allowed(kUser, kDelete, kVm));
  // mg1 sits in mgY, which is not listed.
  with_tree(absl::StrCat(
      R"({"value": [)", subscription_entity,
      R"(, {"id": "/providers/Microsoft.Management/managementGroups/mg1",
            "properties": {"parent": {"id": "/providers/Microsoft.Management/managementGroups/mgY"}}}]})"));
  EXPECT_FALSE(Allowed(kUser, kDelete, kVm));
  // mgY is the tenant root group, known from its null parent.
  with_tree(absl::StrCat(
      R"({"value": [)", subscription_entity,
      R"(, {"id": "/providers/Microsoft.Management/managementGroups/mg1",
            "properties": {"parent": {"id": "/providers/Microsoft.Management/managementGroups/mgY"}}},
          {"id": "/providers/Microsoft.Management/managementGroups/mgY",
            "properties": {"parent": null}}]})"));
  EXPECT_TRUE(Allowed(kUser, kDelete, kVm));
  // mg1 sits directly in the tenant root group, known from the tenant id.
  with_tree(absl::StrCat(
      R"({"value": [)", subscription_entity,
      R"(, {"id": "/providers/Microsoft.Management/managementGroups/mg1",
            "properties": {"tenantId": "t1", "parent": {"id": "/providers/Microsoft.Management/managementGroups/t1"}}}]})"));
  EXPECT_TRUE(Allowed(kUser, kDelete, kVm));
}

// The example tree reaches the tenant root group through `tenantId`.
TEST_F(RbacTest, ExampleTreeRulesOutOtherGroups) {
  RequireBuiltIns();
  AddDenies(DeleteDenyAtGroup("mg-security"), input_);
  Assign(kOwner, kUser, kSubscription);
  absl::StatusOr<std::vector<ScopeParent>> links = ParseManagementGroupEntities(
      ReadOrDie("examples/rbac/management-groups.json"));
  ASSERT_THAT(links, IsOk());
  for (const ScopeParent& link : *links) *input_.add_scope_parents() = link;
  EXPECT_TRUE(Allowed(kUser, "Microsoft.Compute/virtualMachines/delete", kVm));
}

TEST_F(RbacTest, BlueprintDenyOwnScopeOnly) {
  RequireBuiltIns();
  AddDenies(ReadOrDie(*SharedDir() + "/realdata/rbac/docs-examples/"
                                     "DERIVED.deny-assignments.rest-shape.json"),
            input_);
  const std::string locked =
      "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/"
      "TestingBPLocks";
  Assign(kOwner, kUser, "/subscriptions/11111111-1111-1111-1111-111111111111");
  Assign(kOwner, "2311a0b7-657a-4ca2-af6f-d1c33f6d2fff",
         "/subscriptions/11111111-1111-1111-1111-111111111111");
  EXPECT_EQ(Check(kUser, "Microsoft.Resources/subscriptions/resourceGroups/write",
                  locked)
                .reason,
            Reason::kDenyAssignment);
  EXPECT_TRUE(Allowed(
      kUser, "Microsoft.Resources/subscriptions/resourceGroups/read", locked));
  EXPECT_TRUE(
      Allowed(kUser, "Microsoft.Storage/storageAccounts/write",
              locked + "/providers/Microsoft.Storage/storageAccounts/st1"));
  EXPECT_TRUE(Allowed("2311a0b7-657a-4ca2-af6f-d1c33f6d2fff",
                      "Microsoft.Resources/subscriptions/resourceGroups/write",
                      locked));
  EXPECT_EQ(Check(kUser, "Microsoft.Resources/subscriptions/resourceGroups/write",
                  absl::AsciiStrToLower(locked) + "/")
                .reason,
            Reason::kDenyAssignment);
}

TEST_F(RbacTest, StackDenyHonorsExceptions) {
  RequireBuiltIns();
  AddDenies(ReadOrDie(*SharedDir() + "/realdata/rbac/docs-examples/"
                                     "DERIVED.deny-assignments.rest-shape.json"),
            input_);
  const std::string account =
      "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/"
      "demoRg/providers/Microsoft.Storage/storageAccounts/storef2dfaqv5dzzfy";
  Assign(kOwner, kUser, "/subscriptions/11111111-1111-1111-1111-111111111111");
  EXPECT_EQ(Check(kUser, "Microsoft.Storage/storageAccounts/fileServices/delete",
                  account)
                .reason,
            Reason::kDenyAssignment);
  EXPECT_TRUE(Allowed(kUser, "Microsoft.Storage/storageAccounts/delete",
                      account));
  EXPECT_TRUE(Allowed(kUser, "Microsoft.Authorization/locks/delete", account));
  Request request =
      Ask(kUser, "Microsoft.Storage/storageAccounts/delete", account);
  EXPECT_THAT(Compiled().Trace(request, kNow),
              Contains(HasSubstr("exempts 'Microsoft.Storage/storageAccounts/"
                                 "delete' through notActions entry")));
}

TEST_F(RbacTest, ManagedGroupDenyBeatsOwner) {
  RequireBuiltIns();
  Assign(kOwner, kUser, kSubscription);
  AddDenies(absl::StrCat(R"({"properties": {"denyAssignmentName": "managed",
      "permissions": [{"actions": ["*/delete"]}], "scope": ")",
                         kGroup, R"(", "principals": [
      {"id": "00000000-0000-0000-0000-000000000000", "type": "SystemDefined"}]}})"),
            input_);
  EXPECT_EQ(
      Check(kUser, "Microsoft.Resources/subscriptions/resourceGroups/delete",
            kGroup)
          .reason,
      Reason::kDenyAssignment);
}

TEST_F(RbacTest, DenyNamesAndExcludesGroups) {
  RequireBuiltIns();
  Assign(kOwner, kUser, kSubscription);
  AddDenies(absl::StrCat(R"({"properties": {"denyAssignmentName": "group deny",
      "permissions": [{"actions": ["Microsoft.Compute/*"]}], "scope": ")",
                         kSubscription, R"(", "principals": [{"id": ")",
                         kOperatorsGroup, R"(", "type": "Group"}]}})"),
            input_);
  AddDenies(absl::StrCat(R"({"properties": {"denyAssignmentName": "all but",
      "permissions": [{"actions": ["Microsoft.Network/*"]}], "scope": ")",
                         kSubscription, R"(", "principals": [
      {"id": "00000000-0000-0000-0000-000000000000", "type": "SystemDefined"}],
      "excludePrincipals": [{"id": ")",
                         kOperatorsGroup, R"(", "type": "Group"}]}})"),
            input_);
  std::vector<std::string> groups = {kOperatorsGroup};
  Request compute = Ask(kUser, "Microsoft.Compute/virtualMachines/read", kVm);
  Request network = Ask(kUser, "Microsoft.Network/networkInterfaces/read", kNic);
  EXPECT_TRUE(Compiled().Check(compute, kNow).allowed);
  EXPECT_EQ(Compiled().Check(network, kNow).reason, Reason::kDenyAssignment);
  compute.group_ids = groups;
  network.group_ids = groups;
  EXPECT_EQ(Compiled().Check(compute, kNow).reason, Reason::kDenyAssignment);
  EXPECT_TRUE(Compiled().Check(network, kNow).allowed);
}

TEST_F(RbacTest, UnknownGroupsDenyThroughGroupDeny) {
  RequireBuiltIns();
  Assign(kOwner, kUser, kSubscription);
  AddDenies(absl::StrCat(R"({"properties": {"denyAssignmentName": "group deny",
      "permissions": [{"actions": ["Microsoft.Compute/*"]}], "scope": ")",
                         kSubscription, R"(", "principals": [{"id": ")",
                         kOperatorsGroup, R"(", "type": "Group"}]}})"),
            input_);
  AddDenies(absl::StrCat(R"({"properties": {"denyAssignmentName": "all but",
      "permissions": [{"actions": ["Microsoft.Network/*"]}], "scope": ")",
                         kSubscription, R"(", "principals": [
      {"id": "00000000-0000-0000-0000-000000000000", "type": "SystemDefined"}],
      "excludePrincipals": [{"id": ")",
                         kOperatorsGroup, R"(", "type": "Group"}]}})"),
            input_);
  AddDenies(absl::StrCat(R"({"properties": {"denyAssignmentName": "other user",
      "permissions": [{"actions": ["Microsoft.KeyVault/*"]}], "scope": ")",
                         kSubscription, R"(", "principals": [{"id": ")",
                         kAuditor, R"(", "type": "User"}]}})"),
            input_);
  Request compute = Ask(kUser, "Microsoft.Compute/virtualMachines/read", kVm);
  Request network = Ask(kUser, "Microsoft.Network/networkInterfaces/read", kNic);
  Request vault = Ask(kUser, "Microsoft.KeyVault/vaults/read", kVault);
  compute.groups_known = false;
  network.groups_known = false;
  vault.groups_known = false;

  // The user may be in the denied group.
  Decision decision = Compiled().Check(compute, kNow);
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.reason, Reason::kGroupMembershipUnknown);
  EXPECT_EQ(decision.deny_assignment, 0);
  EXPECT_THAT(Compiled().Explain(compute, decision),
              AllOf(HasSubstr("group membership of principal"),
                    HasSubstr("is unknown"),
                    HasSubstr("if the principal is in a group it names")));

  // The user may be in the excluded group, which a deny for everyone
  // spares, but the deny applies otherwise.
  decision = Compiled().Check(network, kNow);
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.reason, Reason::kGroupMembershipUnknown);
  EXPECT_EQ(decision.deny_assignment, 1);
  EXPECT_THAT(Compiled().Explain(network, decision),
              HasSubstr("unless the principal is in a group it excludes"));

  // A deny on another user does not depend on groups.
  EXPECT_TRUE(Compiled().Check(vault, kNow).allowed);

  // An empty list of known groups is "no groups", as before.
  compute.groups_known = true;
  network.groups_known = true;
  EXPECT_TRUE(Compiled().Check(compute, kNow).allowed);
  EXPECT_EQ(Compiled().Check(network, kNow).reason, Reason::kDenyAssignment);
}

TEST_F(RbacTest, UnknownGroupsDenyAppliesToUserDirectly) {
  RequireBuiltIns();
  Assign(kOwner, kUser, kSubscription);
  AddDenies(absl::StrCat(R"({"properties": {"denyAssignmentName": "user deny",
      "permissions": [{"actions": ["Microsoft.Compute/*"]}], "scope": ")",
                         kSubscription, R"(", "principals": [{"id": ")", kUser,
                         R"(", "type": "User"}]}})"),
            input_);
  Request compute = Ask(kUser, "Microsoft.Compute/virtualMachines/read", kVm);
  compute.groups_known = false;
  EXPECT_EQ(Compiled().Check(compute, kNow).reason, Reason::kDenyAssignment);
}

TEST_F(RbacTest, UnknownGroupsGrantNothingThroughGroups) {
  RequireBuiltIns();
  AddAssignments(
      absl::StrReplaceAll(AssignmentJson("g", kReader, kOperatorsGroup, kGroup),
                          {{R"("principalType": "User")", R"("principalType": "Group")"}}),
      input_);
  Assign(kReader, kAuditor, kGroup);
  Request request = Ask(kUser, "Microsoft.Compute/virtualMachines/read", kVm);
  request.groups_known = false;
  Decision decision = Compiled().Check(request, kNow);
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.reason, Reason::kGroupMembershipUnknown);
  EXPECT_EQ(decision.assignment, 0);
  EXPECT_THAT(Compiled().Explain(request, decision),
              AllOf(HasSubstr("only a group may grant"), HasSubstr(kOperatorsGroup)));

  // A grant to another user (principalType User) is not a group's.
  Request auditor_only = Ask(kUser, "Microsoft.Compute/virtualMachines/read", kVm);
  auditor_only.groups_known = false;
  input_.mutable_role_assignments()->DeleteSubrange(0, 1);
  policy_.reset();
  EXPECT_EQ(Compiled().Check(auditor_only, kNow).reason, Reason::kNoGrant);

  // The user's own grant allows whatever the groups are.
  Assign(kReader, kUser, kGroup);
  policy_.reset();
  EXPECT_TRUE(Compiled().Check(auditor_only, kNow).allowed);
}

TEST_F(RbacTest, DataPlaneDenyIsSeparate) {
  RequireBuiltIns();
  Assign(kKeyVaultAdministrator, kUser, kGroup);
  AddDenies(absl::StrCat(R"({"properties": {"permissions": [
      {"actions": ["*"], "dataActions": ["Microsoft.KeyVault/vaults/secrets/*"],
       "notDataActions": ["Microsoft.KeyVault/vaults/secrets/readMetadata/action"]}],
      "scope": ")",
                         kVault, R"(", "principals": [{"id": ")", kUser,
                         R"("}]}})"),
            input_);
  EXPECT_EQ(Check(kUser, "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                  kSecret, Plane::kData)
                .reason,
            Reason::kDenyAssignment);
  EXPECT_TRUE(Allowed(kUser,
                      "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
                      kSecret, Plane::kData));
  EXPECT_TRUE(Allowed(kUser, "Microsoft.KeyVault/vaults/keys/decrypt/action",
                      kVault, Plane::kData));
}

TEST_F(RbacTest, ConditionalDenyStillBlocks) {
  RequireBuiltIns();
  Assign(kOwner, kUser, kSubscription);
  AddDenies(absl::StrCat(R"({"properties": {"permissions": [
      {"actions": ["*/write"], "condition": "@Resource[x] StringEquals 'y'", "conditionVersion": "2.0"}],
      "scope": ")",
                         kSubscription, R"(", "principals": [{"id": ")", kUser,
                         R"("}]}})"),
            input_);
  EXPECT_EQ(Check(kUser, "Microsoft.Compute/virtualMachines/write", kVm).reason,
            Reason::kDenyAssignment);
}

// --- Time-bound assignments ------------------------------------------------

TEST_F(RbacTest, TimeBoundAssignmentIsHalfOpen) {
  Assign(kSecureVmOperator, kUser, kGroup);
  RoleAssignment* assignment = input_.mutable_role_assignments(0);
  assignment->mutable_start_time()->set_seconds(absl::ToUnixSeconds(kNow));
  assignment->mutable_end_time()->set_seconds(
      absl::ToUnixSeconds(kNow + absl::Hours(8)));
  const Policy& policy = Compiled();
  Request request = Ask(kUser, "Microsoft.Compute/virtualMachines/read", kVm);
  EXPECT_FALSE(policy.Check(request, kNow - absl::Nanoseconds(1)).allowed);
  EXPECT_TRUE(policy.Check(request, kNow).allowed);
  EXPECT_TRUE(
      policy.Check(request, kNow + absl::Hours(8) - absl::Nanoseconds(1))
          .allowed);
  EXPECT_FALSE(policy.Check(request, kNow + absl::Hours(8)).allowed);
  EXPECT_THAT(policy.Trace(request, kNow + absl::Hours(9)),
              Contains(HasSubstr("not active at")));
}

// --- Explanations, problems and invalid input -----------------------------

TEST_F(RbacTest, ExplainsGrant) {
  AddAssignments(ReadOrDie("examples/rbac/role-assignments.json"), input_);
  Request request = Ask(kOperator,
                        "Microsoft.Security/locations/jitNetworkAccessPolicies/"
                        "initiate/action",
                        kJitPolicy);
  Decision decision = Compiled().Check(request, kNow);
  ASSERT_TRUE(decision.allowed);
  EXPECT_EQ(Compiled().Explain(request, decision),
            absl::StrCat(
                "allowed: role assignment '9b1f0e6d-4c2a-4d8e-b5f7-2a6c8e0d1f34' "
                "gives User '",
                kOperator,
                "' the role 'Secure VM Access Operator' "
                "(3c6e2f8a-5d1b-4e7a-9f02-6b8d4c1a7e55) at '",
                kGroup,
                "', whose actions entry 'Microsoft.Security/locations/"
                "jitNetworkAccessPolicies/initiate/action' matches "
                "'Microsoft.Security/locations/jitNetworkAccessPolicies/"
                "initiate/action'"));
}

TEST_F(RbacTest, ExplainsNoGrant) {
  Request request = Ask(kUser, "Microsoft.Compute/virtualMachines/login/action",
                        kVm, Plane::kData);
  Decision decision = Compiled().Check(request, kNow);
  EXPECT_EQ(decision.reason, Reason::kNoGrant);
  EXPECT_THAT(Compiled().Explain(request, decision),
              AllOf(HasSubstr("denied: no active role assignment of principal"),
                    HasSubstr("data actions are granted only through "
                              "dataActions")));
  EXPECT_THAT(Compiled().Trace(request, kNow),
              Contains(HasSubstr("no role assignment or deny assignment names")));
}

TEST_F(RbacTest, TraceNamesPlaneMismatch) {
  RequireBuiltIns();
  Assign(kOwner, kUser, kGroup);
  Request request = Ask(kUser, "Microsoft.Compute/virtualMachines/login/action",
                        kVm, Plane::kData);
  EXPECT_FALSE(Compiled().Check(request, kNow).allowed);
  EXPECT_THAT(Compiled().Trace(request, kNow),
              Contains(HasSubstr("actions match it, but a data action needs "
                                 "dataActions")));
}

TEST_F(RbacTest, UnknownRoleGrantsNothing) {
  AddAssignments(
      AssignmentJson("x", "99999999-9999-4999-8999-999999999999", kUser, kGroup),
      input_);
  EXPECT_FALSE(Allowed(kUser, "Microsoft.Compute/virtualMachines/read", kVm));
  ASSERT_THAT(Compiled().problems(), SizeIs(1));
  EXPECT_EQ(Compiled().problems()[0].ToString(),
            "test: (root): role definition "
            "'99999999-9999-4999-8999-999999999999' is not loaded, so the "
            "assignment grants nothing");
}

TEST_F(RbacTest, RoleWithoutIdIsAProblem) {
  input_.Clear();
  RoleDefinition* role = input_.add_role_definitions();
  role->set_role_name("Nameless");
  role->add_permissions()->add_actions("*");
  EXPECT_THAT(Compiled().problems(), SizeIs(1));
  EXPECT_THAT(Compiled().problems()[0].message,
              HasSubstr("role 'Nameless' has no id"));
}

TEST_F(RbacTest, InvalidRequestsAreDenied) {
  RequireBuiltIns();
  Assign(kOwner, kUser, "/");
  for (const Request& request :
       {Ask(kUser, "Microsoft.Compute/virtualMachines/read", "/subscription/s1"),
        Ask(kUser, "Microsoft.Compute/virtualMachines/read", ""),
        Ask(kUser, "", kVm), Ask(kUser, "Microsoft.Compute/*", kVm)}) {
    Decision decision = Compiled().Check(request, kNow);
    EXPECT_FALSE(decision.allowed);
    EXPECT_EQ(decision.reason, Reason::kInvalidRequest);
    EXPECT_THAT(Compiled().Explain(request, decision),
                HasSubstr("denied: invalid"));
  }
}

struct CompileErrorCase {
  std::string name;
  std::string message;
  void (*mutate)(RbacInput&);
};

class CompileErrorTest : public ::testing::TestWithParam<CompileErrorCase> {};

TEST_P(CompileErrorTest, Rejects) {
  RbacInput input;
  GetParam().mutate(input);
  EXPECT_THAT(Policy::Compile(input),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, CompileErrorTest,
    ::testing::ValuesIn(std::vector<CompileErrorCase>{
        {"BadAssignmentScope",
         "role_assignments[0]: scope: invalid value '/subscription/s1'",
         [](RbacInput& input) {
           RoleAssignment* a = input.add_role_assignments();
           a->set_scope("/subscription/s1");
           a->set_principal_id("p");
           a->set_role_definition_id("g");
         }},
        {"MissingPrincipal", "role_assignments[0]: principalId: missing",
         [](RbacInput& input) {
           RoleAssignment* a = input.add_role_assignments();
           a->set_scope("/");
           a->set_role_definition_id("g");
         }},
        {"EndBeforeStart", "end_time: invalid value",
         [](RbacInput& input) {
           RoleAssignment* a = input.add_role_assignments();
           a->set_scope("/");
           a->set_principal_id("p");
           a->set_role_definition_id("g");
           a->mutable_start_time()->set_seconds(100);
           a->mutable_end_time()->set_seconds(50);
         }},
        {"BadPattern", "r.json: permissions[0].notActions[0]: invalid value 'a b'",
         [](RbacInput& input) {
           RoleDefinition* r = input.add_role_definitions();
           r->set_name("g");
           r->set_source("r.json");
           r->add_permissions()->add_not_actions("a b");
         }},
        {"DuplicateRoleDiffers", "defined twice with different permissions",
         [](RbacInput& input) {
           RoleDefinition* r = input.add_role_definitions();
           r->set_name("g");
           r->add_permissions()->add_actions("*/read");
           RoleDefinition* s = input.add_role_definitions();
           s->set_name("G");
           s->add_permissions()->add_actions("*");
         }},
        {"AllPrincipalsExcluded",
         "excludePrincipals[0].id: invalid value "
         "'00000000-0000-0000-0000-000000000000'",
         [](RbacInput& input) {
           DenyAssignment* d = input.add_deny_assignments();
           d->set_scope("/");
           d->add_exclude_principals()->set_id(
               "00000000-0000-0000-0000-000000000000");
         }},
        {"DenyScope", "deny_assignments[0]: scope: invalid value ''",
         [](RbacInput& input) { input.add_deny_assignments(); }},
        {"ParentNotGroup", "parent: invalid value '/subscriptions/s2'",
         [](RbacInput& input) {
           ScopeParent* p = input.add_scope_parents();
           p->set_child("/subscriptions/s1");
           p->set_parent("/subscriptions/s2");
         }},
        {"ChildNotSubscription", "child: invalid value",
         [](RbacInput& input) {
           ScopeParent* p = input.add_scope_parents();
           p->set_child("/subscriptions/s1/resourceGroups/rg");
           p->set_parent(
               "/providers/Microsoft.Management/managementGroups/mg");
         }},
        {"TwoParents", "has two parents",
         [](RbacInput& input) {
           for (const char* parent : {"a", "b"}) {
             ScopeParent* p = input.add_scope_parents();
             p->set_child("/subscriptions/s1");
             p->set_parent(absl::StrCat(
                 "/providers/Microsoft.Management/managementGroups/", parent));
           }
         }},
        {"RootAboveSubscription",
         "scope_parents[0].parent: invalid value '/' as the parent of "
         "'/subscriptions/s1'; expected a management group",
         [](RbacInput& input) { AddLink("/subscriptions/s1", "/", input); }},
        {"RootAndGroupAsParents",
         "scope_parents[1].parent: "
         "'/providers/Microsoft.Management/managementGroups/a' has two "
         "parents, the root scope '/' (as the tenant root group) (read at "
         "scope_parents[0].parent) and management group 'b'",
         [](RbacInput& input) {
           const std::string groups =
               "/providers/Microsoft.Management/managementGroups/";
           AddLink(groups + "a", "/", input);
           AddLink(groups + "a", groups + "b", input);
         }},
        {"Cycle",
         "scope_parents[0].parent: management group 'b' is its own ancestor "
         "(parent chain b, a, b, above management group 'a')",
         [](RbacInput& input) {
           for (auto [child, parent] :
                {std::pair<const char*, const char*>{"a", "b"}, {"b", "a"}}) {
             ScopeParent* p = input.add_scope_parents();
             p->set_child(absl::StrCat(
                 "/providers/Microsoft.Management/managementGroups/", child));
             p->set_parent(absl::StrCat(
                 "/providers/Microsoft.Management/managementGroups/", parent));
           }
         }},
    }),
    [](const ::testing::TestParamInfo<CompileErrorCase>& info) {
      return info.param.name;
    });

// A chain that disagrees with another entity's parent is found when the
// links are compiled, and the error names both fields.
TEST(PolicyCompileTree, ChainAgainstOtherEntityFails) {
  ASSERT_OK_AND_ASSIGN(std::vector<ScopeParent> links,
                       ParseManagementGroupEntities(R"({"value": [
        {"id": "/subscriptions/s1", "properties": {
          "parent": {"id": "/providers/Microsoft.Management/managementGroups/mg1"},
          "parentNameChain": ["mgX", "mg1"]}},
        {"id": "/providers/Microsoft.Management/managementGroups/mg1",
         "properties": {"parent": null}}]})",
                                                    "mg.json"));
  RbacInput input;
  for (const ScopeParent& link : links) *input.add_scope_parents() = link;
  EXPECT_THAT(
      Policy::Compile(input),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("mg.json: value[1].properties.parent: "),
                     HasSubstr("has two parents, management group 'mgX' (read "
                               "at mg.json: value[0].properties."
                               "parentNameChain[0])"))));
}

TEST(PolicyCompileTree, CycleErrorNamesFileAndField) {
  ASSERT_OK_AND_ASSIGN(std::vector<ScopeParent> links,
                       ParseManagementGroupEntities(R"({"value": [
        {"id": "/providers/Microsoft.Management/managementGroups/mg1",
         "properties": {"parent": {"id": "/providers/Microsoft.Management/managementGroups/mg2"}}},
        {"id": "/providers/Microsoft.Management/managementGroups/mg2",
         "properties": {"parent": {"id": "/providers/Microsoft.Management/managementGroups/mg1"}}}]})",
                                                    "mg.json"));
  RbacInput input;
  for (const ScopeParent& link : links) *input.add_scope_parents() = link;
  absl::StatusOr<Policy> policy = Policy::Compile(input);
  EXPECT_THAT(policy,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("mg.json: value[0].properties.parent.id: "
                                 "management group 'mg2' is its own ancestor")));
  EXPECT_THAT(policy.status().message(), Not(HasSubstr("scope_parents")));
}

TEST(PolicyFindRoleDefinition, AcceptsIdOrGuidInAnyCase) {
  RbacInput input;
  RoleDefinition* role = input.add_role_definitions();
  role->set_id("/providers/Microsoft.Authorization/roleDefinitions/"
               "acdd72a7-3385-48ef-bd42-f606fba81ae7");
  role->set_role_name("Reader");
  ASSERT_OK_AND_ASSIGN(Policy policy, Policy::Compile(input));
  EXPECT_NE(policy.FindRoleDefinition("ACDD72A7-3385-48EF-BD42-F606FBA81AE7"),
            nullptr);
  EXPECT_NE(policy.FindRoleDefinition(
                "/subscriptions/s1/providers/Microsoft.Authorization/"
                "roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"),
            nullptr);
  EXPECT_EQ(policy.FindRoleDefinition("b24988ac-6180-42a0-ab88-20f7382dd24c"),
            nullptr);
}

TEST(ReasonName, NamesEveryReason) {
  EXPECT_EQ(ReasonName(Reason::kGranted), "granted");
  EXPECT_EQ(ReasonName(Reason::kDenyAssignment), "deny assignment");
  EXPECT_EQ(ReasonName(Reason::kNoGrant), "no grant");
  EXPECT_EQ(ReasonName(Reason::kConditionNotEvaluated),
            "condition not evaluated");
  EXPECT_EQ(ReasonName(Reason::kInvalidRequest), "invalid request");
  EXPECT_EQ(ReasonName(Reason::kGroupMembershipUnknown), "group membership unknown");
}

}  // namespace
}  // namespace portcullis::rbac
