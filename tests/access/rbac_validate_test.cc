#include "access/rbac_validate.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

RoleDefinition ParseOne(const std::string& json) {
  absl::StatusOr<std::vector<RoleDefinition>> roles =
      ParseRoleDefinitions(json, "role.json");
  EXPECT_THAT(roles, IsOk());
  EXPECT_THAT(*roles, SizeIs(1));
  return (*roles)[0];
}

ProviderOperationSet RealOperations() {
  ProviderOperationSet all;
  for (const char* provider : {"Microsoft.Compute", "Microsoft.Network",
                               "Microsoft.Security", "Microsoft.KeyVault"}) {
    absl::StatusOr<std::string> bytes = ReadFileToString(absl::StrCat(
        *SharedDir(), "/realdata/rbac/provider-operations/", provider, ".json"));
    EXPECT_THAT(bytes, IsOk());
    absl::StatusOr<ProviderOperationSet> set = ParseProviderOperations(*bytes);
    EXPECT_THAT(set, IsOk());
    all.MergeFrom(*set);
  }
  return all;
}

TEST(ValidateRoleDefinition, ExampleRoleHasNoProblems) {
  for (const char* file : {"examples/rbac/roles/secure-vm-operator.rest.json",
                           "examples/rbac/roles/secure-vm-operator.az-input.json"}) {
    absl::StatusOr<std::string> bytes = ReadFileToString(file);
    ASSERT_THAT(bytes, IsOk());
    RoleDefinition role = ParseOne(*bytes);
    EXPECT_THAT(ValidateRoleDefinition(role, nullptr), IsEmpty()) << file;
    if (SharedDir()) {
      ProviderOperationSet operations = RealOperations();
      EXPECT_THAT(ValidateRoleDefinition(role, &operations), IsEmpty()) << file;
    }
  }
}

TEST(ValidateRoleDefinition, BuiltInRolesPassAgainstOperationLists) {
  if (!SharedDir()) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  ProviderOperationSet operations = RealOperations();
  std::string folder = *SharedDir() + "/realdata/rbac/builtin-roles";
  for (const std::string& name :
       portcullis::testing::ListFiles(folder, ".json")) {
    absl::StatusOr<std::string> bytes = ReadFileToString(folder + "/" + name);
    ASSERT_THAT(bytes, IsOk());
    RoleDefinition role = ParseOne(*bytes);
    EXPECT_THAT(ValidateRoleDefinition(role, &operations), IsEmpty()) << name;
  }
}

TEST(ValidateRoleDefinition, DataActionUnderActions) {
  if (!SharedDir()) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  ProviderOperationSet operations = RealOperations();
  RoleDefinition role = ParseOne(R"({"Name": "Login", "Id": "g",
      "Actions": ["Microsoft.Compute/virtualMachines/login/action",
                  "Microsoft.Compute/virtualMachines/raed",
                  "Microsoft.Compute/virtualMachines/*/frobnicate",
                  "Microsoft.Storage/storageAccounts/read"],
      "DataActions": ["Microsoft.Compute/virtualMachines/read"],
      "AssignableScopes": ["/subscriptions/s1"]})");
  std::vector<Problem> problems = ValidateRoleDefinition(role, &operations);
  ASSERT_THAT(problems, SizeIs(4));
  EXPECT_EQ(problems[0].ToString(),
            "role.json: (root).permissions[0].actions[0]: invalid value "
            "'Microsoft.Compute/virtualMachines/login/action'; it is not a "
            "control action, so this list can never grant it; expected it "
            "under dataActions");
  EXPECT_THAT(problems[1].message, HasSubstr("no such operation"));
  EXPECT_THAT(problems[2].message, HasSubstr("matches no control action"));
  EXPECT_THAT(problems[3].ToString(),
              HasSubstr("permissions[0].dataActions[0]: invalid value "
                        "'Microsoft.Compute/virtualMachines/read'; it is not "
                        "a data action"));
}

TEST(ValidateRoleDefinition, CustomRoleRules) {
  RoleDefinition role = ParseOne(R"({"Name": "Too wide", "Id": "g",
      "Actions": ["Microsoft.CostManagement/*/query/*"],
      "DataActions": ["Microsoft.KeyVault/vaults/secrets/getSecret/action"],
      "AssignableScopes": ["/",
          "/providers/Microsoft.Management/managementGroups/a",
          "/providers/Microsoft.Management/managementGroups/b"]})");
  std::vector<Problem> problems = ValidateRoleDefinition(role, nullptr);
  std::vector<std::string> texts;
  for (const Problem& problem : problems) texts.push_back(problem.ToString());
  EXPECT_THAT(
      texts,
      ElementsAre(
          HasSubstr("assignableScopes[0]: invalid value '/'"),
          HasSubstr("assignableScopes[1]: invalid value "
                    "'/providers/Microsoft.Management/managementGroups/a'; a "
                    "custom role with dataActions"),
          HasSubstr("assignableScopes[2]: invalid value "
                    "'/providers/Microsoft.Management/managementGroups/b'; a "
                    "custom role may name at most one management group"),
          HasSubstr("assignableScopes[2]: invalid value "
                    "'/providers/Microsoft.Management/managementGroups/b'; a "
                    "custom role with dataActions"),
          HasSubstr("permissions[0].actions[0]: invalid value "
                    "'Microsoft.CostManagement/*/query/*' with 2 wildcards; "
                    "Azure accepts one")));
}

TEST(ValidateRoleDefinition, CustomRoleNeedsNameAndScopes) {
  RoleDefinition role;
  role.set_role_type(ROLE_TYPE_CUSTOM);
  role.add_permissions()->add_actions("*/read");
  std::vector<Problem> problems = ValidateRoleDefinition(role, nullptr);
  EXPECT_THAT(problems,
              ElementsAre(Field(&Problem::source, "roleName"),
                          Field(&Problem::source, "assignableScopes")));
  role.set_role_name(std::string(kMaxRoleNameLength + 1, 'r'));
  role.set_description(std::string(kMaxRoleDescriptionLength + 1, 'd'));
  role.add_assignable_scopes("/subscriptions/s1");
  problems = ValidateRoleDefinition(role, nullptr);
  ASSERT_THAT(problems, SizeIs(2));
  EXPECT_THAT(problems[0].message, HasSubstr("513 characters"));
  EXPECT_THAT(problems[1].message, HasSubstr("2049 characters"));
}

TEST(ValidateRoleDefinition, BuiltInRoleSkipsCustomRules) {
  RoleDefinition role;
  role.set_role_type(ROLE_TYPE_BUILT_IN);
  role.add_assignable_scopes("/");
  role.add_permissions()->add_actions("*");
  EXPECT_THAT(ValidateRoleDefinition(role, nullptr), IsEmpty());
}

}  // namespace
}  // namespace portcullis::rbac
