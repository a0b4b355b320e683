#include "access/rbac_import.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

constexpr char kReaderGuid[] = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

std::string ReadExample(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFileToString(path);
  EXPECT_THAT(bytes, IsOk()) << path;
  return bytes.ok() ? *bytes : "";
}

std::string RealDataPath(absl::string_view relative) {
  return absl::StrCat(*SharedDir(), "/realdata/rbac/", relative);
}

std::string ReadRealData(absl::string_view relative) {
  absl::StatusOr<std::string> bytes = ReadFileToString(RealDataPath(relative));
  EXPECT_THAT(bytes, IsOk());
  return bytes.ok() ? *bytes : "";
}

// What each file of the real-data folder is, so that a new file fails the
// test until someone decides how it is read.
enum class Kind {
  kRoleDefinitions,
  kRoleAssignments,
  kDenyAssignments,
  kProviderOperations,
  kPimSchedule,    // read by the PIM importer; RBAC importers reject it
  kOtherResource,  // a NIC or VM; not an RBAC input
};

const std::map<std::string, Kind>& RealDataKinds() {
  static const auto* kinds = new std::map<std::string, Kind>{
      {"builtin-roles/azure-service-bus-data-receiver.json",
       Kind::kRoleDefinitions},
      {"builtin-roles/contributor.json", Kind::kRoleDefinitions},
      {"builtin-roles/key-vault-administrator.json", Kind::kRoleDefinitions},
      {"builtin-roles/key-vault-data-access-administrator.json",
       Kind::kRoleDefinitions},
      {"builtin-roles/key-vault-reader.json", Kind::kRoleDefinitions},
      {"builtin-roles/key-vault-secrets-user.json", Kind::kRoleDefinitions},
      {"builtin-roles/owner.json", Kind::kRoleDefinitions},
      {"builtin-roles/reader.json", Kind::kRoleDefinitions},
      {"builtin-roles/storage-actions-task-assignment-contributor.json",
       Kind::kRoleDefinitions},
      {"builtin-roles/user-access-administrator.json", Kind::kRoleDefinitions},
      {"builtin-roles/virtual-machine-administrator-login.json",
       Kind::kRoleDefinitions},
      {"builtin-roles/virtual-machine-contributor.json",
       Kind::kRoleDefinitions},
      {"builtin-roles/virtual-machine-user-login.json",
       Kind::kRoleDefinitions},
      {"docs-examples/DERIVED.deny-assignments.rest-shape.json",
       Kind::kDenyAssignments},
      {"docs-examples/custom-role.vmoperator.az-cli-input.json",
       Kind::kRoleDefinitions},
      {"docs-examples/custom-role.vmoperator.az-cli-list-output.json",
       Kind::kRoleDefinitions},
      {"docs-examples/custom-role.vmoperator.powershell-with-mg-scope.json",
       Kind::kRoleDefinitions},
      {"docs-examples/role-assignments.list-rest-output.json",
       Kind::kRoleAssignments},
      {"provider-operations/Microsoft.Compute.json",
       Kind::kProviderOperations},
      {"provider-operations/Microsoft.KeyVault.json",
       Kind::kProviderOperations},
      {"provider-operations/Microsoft.Network.json",
       Kind::kProviderOperations},
      {"provider-operations/Microsoft.Security.json",
       Kind::kProviderOperations},
      {"rest-examples/DERIVED.authorization-2020-10-01."
       "GetRoleAssignmentScheduleInstancesByScope.activated.json",
       Kind::kPimSchedule},
      {"rest-examples/authorization-2020-10-01."
       "GetRoleAssignmentScheduleInstancesByScope.json",
       Kind::kPimSchedule},
      {"rest-examples/authorization-2020-10-01."
       "GetRoleAssignmentSchedulesByScope.json",
       Kind::kPimSchedule},
      {"rest-examples/authorization-2020-10-01."
       "PutRoleAssignmentScheduleRequest.json",
       Kind::kPimSchedule},
      {"rest-examples/authorization-2022-04-01.GetDenyAssignmentById.json",
       Kind::kDenyAssignments},
      {"rest-examples/authorization-2022-04-01.GetDenyAssignmentByScope.json",
       Kind::kDenyAssignments},
      {"rest-examples/authorization-2022-04-01.GetRoleDefinitionById.json",
       Kind::kRoleDefinitions},
      {"rest-examples/authorization-2022-04-01.RoleAssignments_Get.json",
       Kind::kRoleAssignments},
      {"rest-examples/compute-2024-07-01.VirtualMachine_Get.json",
       Kind::kOtherResource},
      {"rest-examples/network-2024-05-01.NetworkInterfaceGet.json",
       Kind::kOtherResource},
  };
  return *kinds;
}

TEST(RealData, EveryFileImportsWithItsImporter) {
  if (!SharedDir()) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  int files = 0;
  for (const char* folder :
       {"builtin-roles", "docs-examples", "provider-operations",
        "rest-examples"}) {
    for (const std::string& name : portcullis::testing::ListFiles(
             RealDataPath(folder), ".json")) {
      std::string relative = absl::StrCat(folder, "/", name);
      SCOPED_TRACE(relative);
      ++files;
      auto kind = RealDataKinds().find(relative);
      ASSERT_NE(kind, RealDataKinds().end())
          << "new real-data file; add it to RealDataKinds()";
      std::string bytes = ReadRealData(relative);
      switch (kind->second) {
        case Kind::kRoleDefinitions: {
          absl::StatusOr<std::vector<RoleDefinition>> roles =
              ParseRoleDefinitions(bytes, relative);
          ASSERT_THAT(roles, IsOk());
          ASSERT_THAT(*roles, SizeIs(1));
          EXPECT_FALSE((*roles)[0].role_name().empty());
          EXPECT_GE((*roles)[0].permissions_size(), 1);
          EXPECT_TRUE(absl::StartsWith((*roles)[0].source(), relative));
          break;
        }
        case Kind::kRoleAssignments: {
          absl::StatusOr<std::vector<RoleAssignment>> assignments =
              ParseRoleAssignments(bytes, relative);
          ASSERT_THAT(assignments, IsOk());
          ASSERT_THAT(*assignments, SizeIs(1));
          EXPECT_FALSE((*assignments)[0].scope().empty());
          break;
        }
        case Kind::kDenyAssignments: {
          absl::StatusOr<std::vector<DenyAssignment>> denies =
              ParseDenyAssignments(bytes, relative);
          ASSERT_THAT(denies, IsOk());
          EXPECT_FALSE(denies->empty());
          break;
        }
        case Kind::kProviderOperations: {
          absl::StatusOr<ProviderOperationSet> operations =
              ParseProviderOperations(bytes);
          ASSERT_THAT(operations, IsOk());
          EXPECT_GT(operations->operations_size(), 100);
          break;
        }
        case Kind::kPimSchedule:
          EXPECT_THAT(ParseRoleAssignments(bytes),
                      StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("import it with the PIM importer")));
          break;
        case Kind::kOtherResource:
          EXPECT_THAT(ParseRoleDefinitions(bytes),
                      StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("type: invalid value")));
          EXPECT_THAT(ParseRoleAssignments(bytes),
                      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("type")));
          EXPECT_THAT(ParseDenyAssignments(bytes),
                      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("type")));
          break;
      }
    }
  }
  EXPECT_EQ(files, static_cast<int>(RealDataKinds().size()));
}

TEST(RealData, ReaderRoleFields) {
  if (!SharedDir()) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  ASSERT_OK_AND_ASSIGN(
      std::vector<RoleDefinition> roles,
      ParseRoleDefinitions(ReadRealData("builtin-roles/reader.json")));
  ASSERT_THAT(roles, SizeIs(1));
  const RoleDefinition& reader = roles[0];
  EXPECT_EQ(reader.name(), kReaderGuid);
  EXPECT_EQ(reader.id(),
            absl::StrCat("/providers/Microsoft.Authorization/roleDefinitions/",
                         kReaderGuid));
  EXPECT_EQ(reader.role_name(), "Reader");
  EXPECT_EQ(reader.role_type(), ROLE_TYPE_BUILT_IN);
  EXPECT_THAT(reader.assignable_scopes(), ElementsAre("/"));
  ASSERT_EQ(reader.permissions_size(), 1);
  EXPECT_THAT(reader.permissions(0).actions(), ElementsAre("*/read"));
  EXPECT_TRUE(reader.permissions(0).data_actions().empty());
}

TEST(RealData, TwoPermissionBlocksKeepTheirCondition) {
  if (!SharedDir()) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  ASSERT_OK_AND_ASSIGN(
      std::vector<RoleDefinition> roles,
      ParseRoleDefinitions(ReadRealData(
          "builtin-roles/storage-actions-task-assignment-contributor.json")));
  ASSERT_THAT(roles, SizeIs(1));
  ASSERT_EQ(roles[0].permissions_size(), 2);
  EXPECT_TRUE(roles[0].permissions(0).condition().empty());
  EXPECT_THAT(roles[0].permissions(1).condition(),
              HasSubstr("ActionMatches"));
  EXPECT_EQ(roles[0].permissions(1).condition_version(), "2.0");
}

TEST(RealData, InputFormWithoutIdHasNoGuid) {
  if (!SharedDir()) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  ASSERT_OK_AND_ASSIGN(
      std::vector<RoleDefinition> roles,
      ParseRoleDefinitions(ReadRealData(
          "docs-examples/custom-role.vmoperator.az-cli-input.json")));
  ASSERT_THAT(roles, SizeIs(1));
  EXPECT_EQ(roles[0].role_name(), "Virtual Machine Operator");
  EXPECT_EQ(roles[0].name(), "");
  EXPECT_EQ(roles[0].role_type(), ROLE_TYPE_CUSTOM);
  EXPECT_THAT(roles[0].assignable_scopes(), SizeIs(2));
  ASSERT_EQ(roles[0].permissions_size(), 1);
  EXPECT_EQ(roles[0].permissions(0).actions_size(), 10);
  EXPECT_TRUE(roles[0].permissions(0).not_actions().empty());
}

TEST(RealData, PowerShellFormKeepsIdAndManagementGroupScope) {
  if (!SharedDir()) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  ASSERT_OK_AND_ASSIGN(
      std::vector<RoleDefinition> roles,
      ParseRoleDefinitions(ReadRealData(
          "docs-examples/custom-role.vmoperator.powershell-with-mg-scope.json")));
  ASSERT_THAT(roles, SizeIs(1));
  EXPECT_EQ(roles[0].name(), "88888888-8888-8888-8888-888888888888");
  EXPECT_EQ(roles[0].assignable_scopes(2),
            "/providers/Microsoft.Management/managementGroups/{groupId1}");
}

TEST(RealData, CliListOutputIsArray) {
  if (!SharedDir()) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  ASSERT_OK_AND_ASSIGN(
      std::vector<RoleDefinition> roles,
      ParseRoleDefinitions(ReadRealData(
          "docs-examples/custom-role.vmoperator.az-cli-list-output.json")));
  ASSERT_THAT(roles, SizeIs(1));
  EXPECT_EQ(roles[0].role_type(), ROLE_TYPE_CUSTOM);
  EXPECT_EQ(roles[0].name(), "00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(roles[0].source(), "[0]");
}

TEST(RealData, RestRoleDefinitionExample) {
  if (!SharedDir()) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  ASSERT_OK_AND_ASSIGN(
      std::vector<RoleDefinition> roles,
      ParseRoleDefinitions(ReadRealData(
          "rest-examples/authorization-2022-04-01.GetRoleDefinitionById.json")));
  ASSERT_THAT(roles, SizeIs(1));
  EXPECT_EQ(roles[0].role_name(), "Role name");
  EXPECT_EQ(roles[0].name(), "roleDefinitionId");
  EXPECT_EQ(roles[0].source(), "responses.200.body");
  // The example's placeholder "roletype" is neither built-in nor custom.
  EXPECT_EQ(roles[0].role_type(), ROLE_TYPE_UNSPECIFIED);
  EXPECT_THAT(roles[0].permissions(0).data_actions(), ElementsAre("dataAction"));
}

TEST(RealData, RoleAssignmentListOutput) {
  if (!SharedDir()) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  ASSERT_OK_AND_ASSIGN(
      std::vector<RoleAssignment> assignments,
      ParseRoleAssignments(
          ReadRealData("docs-examples/role-assignments.list-rest-output.json"),
          "list.json"));
  ASSERT_THAT(assignments, SizeIs(1));
  const RoleAssignment& assignment = assignments[0];
  EXPECT_EQ(assignment.principal_id(), "{objectId1}");
  EXPECT_EQ(assignment.principal_type(), "User");
  EXPECT_EQ(assignment.scope(), "/subscriptions/{subscriptionId1}");
  EXPECT_EQ(assignment.role_definition_id(),
            "/subscriptions/{subscriptionId1}/providers/"
            "Microsoft.Authorization/roleDefinitions/"
            "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1");
  EXPECT_EQ(assignment.name(), "{roleAssignmentId1}");
  EXPECT_EQ(assignment.condition(), "");
  EXPECT_EQ(assignment.source(), "list.json: value[0]");
}

TEST(RealData, RoleAssignmentGetExample) {
  if (!SharedDir()) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  ASSERT_OK_AND_ASSIGN(
      std::vector<RoleAssignment> assignments,
      ParseRoleAssignments(ReadRealData(
          "rest-examples/authorization-2022-04-01.RoleAssignments_Get.json")));
  ASSERT_THAT(assignments, SizeIs(1));
  EXPECT_EQ(assignments[0].role_definition_id(),
            "/providers/Microsoft.Authorization/roleDefinitions/"
            "0b5fe924-9a61-425c-96af-cfe6e287ca2d");
  EXPECT_EQ(assignments[0].principal_id(),
            "ce2ce14e-85d7-4629-bdbc-454d0519d987");
}

TEST(RealData, DenyAssignmentsRestShape) {
  if (!SharedDir()) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  ASSERT_OK_AND_ASSIGN(
      std::vector<DenyAssignment> denies,
      ParseDenyAssignments(ReadRealData(
          "docs-examples/DERIVED.deny-assignments.rest-shape.json")));
  ASSERT_THAT(denies, SizeIs(2));
  const DenyAssignment& stack = denies[0];
  EXPECT_TRUE(stack.do_not_apply_to_child_scopes());
  EXPECT_TRUE(stack.is_system_protected());
  ASSERT_EQ(stack.principals_size(), 1);
  EXPECT_EQ(stack.principals(0).id(), kAllPrincipalsId);
  EXPECT_EQ(stack.principals(0).type(), "SystemDefined");
  ASSERT_EQ(stack.exclude_principals_size(), 1);
  EXPECT_EQ(stack.exclude_principals(0).type(), "User");
  EXPECT_THAT(stack.permissions(0).actions(), ElementsAre("*/delete"));
  EXPECT_THAT(stack.permissions(0).not_actions(),
              ElementsAre("Microsoft.Authorization/locks/delete",
                          "Microsoft.Storage/storageAccounts/delete"));
  const DenyAssignment& blueprint = denies[1];
  EXPECT_EQ(blueprint.name(), "22222222-2222-2222-2222-222222222222");
  EXPECT_EQ(blueprint.scope(),
            "/subscriptions/11111111-1111-1111-1111-111111111111/"
            "resourceGroups/TestingBPLocks");
  EXPECT_THAT(blueprint.permissions(0).not_actions(), ElementsAre("*/read"));
}

TEST(RealData, DenyAssignmentByIdExample) {
  if (!SharedDir()) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  ASSERT_OK_AND_ASSIGN(
      std::vector<DenyAssignment> denies,
      ParseDenyAssignments(ReadRealData(
          "rest-examples/authorization-2022-04-01.GetDenyAssignmentById.json")));
  ASSERT_THAT(denies, SizeIs(1));
  EXPECT_EQ(denies[0].scope(), "/subscriptions/subId/resourcegroups/rgname");
  EXPECT_EQ(denies[0].deny_assignment_name(), "Deny assignment name");
  EXPECT_FALSE(denies[0].do_not_apply_to_child_scopes());
  EXPECT_EQ(denies[0].exclude_principals(0).id(), "principalId2");
}

TEST(RealData, ProviderOperationsPlanes) {
  if (!SharedDir()) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  ASSERT_OK_AND_ASSIGN(
      ProviderOperationSet operations,
      ParseProviderOperations(
          ReadRealData("provider-operations/Microsoft.Compute.json")));
  EXPECT_THAT(operations.namespaces(), ElementsAre("Microsoft.Compute"));
  bool found_login = false;
  bool found_read = false;
  for (const ProviderOperation& operation : operations.operations()) {
    if (operation.name() == "Microsoft.Compute/virtualMachines/login/action") {
      found_login = true;
      EXPECT_TRUE(operation.is_data_action());
    }
    if (operation.name() == "Microsoft.Compute/virtualMachines/read") {
      found_read = true;
      EXPECT_FALSE(operation.is_data_action());
    }
  }
  EXPECT_TRUE(found_login);
  EXPECT_TRUE(found_read);
}

TEST(ParseRoleDefinitions, ReadsUtf16WithByteOrderMark) {
  std::string text =
      R"({"Name":"R","Id":"11111111-2222-3333-4444-555555555555",)"
      R"("Actions":["*/read"],"AssignableScopes":["/subscriptions/s1"]})";
  std::string utf16 = "\xFF\xFE";
  for (char c : text) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  ASSERT_OK_AND_ASSIGN(std::vector<RoleDefinition> roles,
                       ParseRoleDefinitions(utf16));
  ASSERT_THAT(roles, SizeIs(1));
  EXPECT_EQ(roles[0].name(), "11111111-2222-3333-4444-555555555555");
}

TEST(ParseRoleDefinitions, InputFormWithPermissionsArray) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<RoleDefinition> roles,
      ParseRoleDefinitions(R"({"Name": "R", "Id": "g1", "Permissions": [
        {"Actions": ["*/read"], "DataActions": ["Microsoft.KeyVault/vaults/*"]}
      ], "AssignableScopes": ["/subscriptions/s1"]})"));
  ASSERT_THAT(roles, SizeIs(1));
  EXPECT_THAT(roles[0].permissions(0).data_actions(),
              ElementsAre("Microsoft.KeyVault/vaults/*"));
}

TEST(ParseRoleDefinitions, InputFormFullIdKeepsId) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<RoleDefinition> roles,
      ParseRoleDefinitions(
          R"({"Name": "R", "Id": "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/g1", "Actions": []})"));
  EXPECT_EQ(roles[0].name(), "g1");
  EXPECT_EQ(roles[0].id(),
            "/subscriptions/s1/providers/Microsoft.Authorization/"
            "roleDefinitions/g1");
}

TEST(ParseRoleDefinitions, IsCustomFalseIsBuiltIn) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<RoleDefinition> roles,
      ParseRoleDefinitions(
          R"({"Name": "R", "Id": "g1", "IsCustom": false, "Actions": ["*"]})"));
  EXPECT_EQ(roles[0].role_type(), ROLE_TYPE_BUILT_IN);
}

struct ErrorCase {
  std::string name;
  std::string json;
  std::string message;
};

class RoleDefinitionErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(RoleDefinitionErrorTest, NamesPathAndValue) {
  EXPECT_THAT(ParseRoleDefinitions(GetParam().json),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, RoleDefinitionErrorTest,
    ::testing::ValuesIn(std::vector<ErrorCase>{
        {"NotJson", "{", ""},
        {"NumberDocument", "3", "(root): invalid value 3"},
        {"ActionNotString",
         R"({"roleName": "R", "name": "g", "permissions": [{"actions": ["a", 3]}]})",
         "permissions[0].actions[1]: invalid value 3; expected a string"},
        {"ActionWithSpace",
         R"({"roleName": "R", "name": "g", "permissions": [{"actions": ["Microsoft.Compute/ read"]}]})",
         "permissions[0].actions[0]: invalid value 'Microsoft.Compute/ read'"},
        {"UnknownBlockKey",
         R"({"roleName": "R", "name": "g", "permissions": [{"actions": ["*"], "notAction": ["*/write"]}]})",
         "permissions[0].notAction: unknown field"},
        {"MisspelledInputFormKey",
         R"({"Name": "R", "Actions": ["*"], "NotAction": ["*/write"]})",
         "NotAction: unknown field"},
        {"InputFormWithoutName", R"({"Actions": ["*/read"]})",
         "Name: missing; expected the role's display name"},
        {"BothPermissionForms",
         R"({"Name": "R", "Actions": ["*"], "Permissions": [{"actions": ["*"]}]})",
         "Permissions: present together with flat Actions"},
        {"RestWithoutPermissions",
         R"({"name": "g", "properties": {"roleName": "R"}})",
         "properties.permissions: missing"},
        {"NameDisagreesWithId",
         R"({"id": "/providers/Microsoft.Authorization/roleDefinitions/g1", "name": "g2", "roleName": "R", "permissions": []})",
         "name: invalid value 'g2'; expected the last segment of id"},
        {"BadAssignableScope",
         R"({"roleName": "R", "name": "g", "assignableScopes": ["/subscription/s1"], "permissions": []})",
         "assignableScopes[0]: invalid value '/subscription/s1'"},
        {"WrongType",
         R"({"type": "Microsoft.Authorization/roleAssignments", "properties": {"roleName": "R", "permissions": []}})",
         "type: invalid value 'Microsoft.Authorization/roleAssignments'; "
         "expected 'Microsoft.Authorization/roleDefinitions'"},
        {"ArrayOfStrings", R"(["a"])",
         "[0]: invalid value \"a\"; expected an object"},
        {"ExampleWithoutBody", R"({"parameters": {}, "responses": {"200": {}}})",
         "responses.200.body: missing"},
        {"TooManyWildcards",
         R"({"roleName": "R", "name": "g", "permissions": [{"actions": ["a/*/*/*/*/*"]}]})",
         "with 5 wildcards"},
    }),
    [](const ::testing::TestParamInfo<ErrorCase>& info) {
      return info.param.name;
    });

TEST(ParseRoleAssignments, AzListOutputFlat) {
  ASSERT_OK_AND_ASSIGN(std::vector<RoleAssignment> assignments,
                       ParseRoleAssignments(R"([{
        "condition": null, "conditionVersion": null,
        "id": "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/a1",
        "name": "a1", "principalId": "p1", "principalName": "alice@example.com",
        "principalType": "User",
        "roleDefinitionId": "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
        "roleDefinitionName": "Reader",
        "scope": "/subscriptions/s1/resourceGroups/rg",
        "type": "Microsoft.Authorization/roleAssignments"}])"));
  ASSERT_THAT(assignments, SizeIs(1));
  EXPECT_EQ(assignments[0].principal_id(), "p1");
  EXPECT_EQ(assignments[0].scope(), "/subscriptions/s1/resourceGroups/rg");
}

TEST(ParseRoleAssignments, PowerShellOutput) {
  ASSERT_OK_AND_ASSIGN(std::vector<RoleAssignment> assignments,
                       ParseRoleAssignments(R"({
        "RoleAssignmentName": "a1",
        "RoleAssignmentId": "/subscriptions/s1/providers/Microsoft.Authorization/roleAssignments/a1",
        "Scope": "/subscriptions/s1", "DisplayName": "Alice",
        "RoleDefinitionName": "Reader",
        "RoleDefinitionId": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        "ObjectId": "p1", "ObjectType": "User", "CanDelegate": false})"));
  ASSERT_THAT(assignments, SizeIs(1));
  EXPECT_EQ(assignments[0].principal_id(), "p1");
  EXPECT_EQ(assignments[0].principal_type(), "User");
  EXPECT_EQ(assignments[0].name(), "a1");
  EXPECT_EQ(assignments[0].role_definition_id(),
            "acdd72a7-3385-48ef-bd42-f606fba81ae7");
}

TEST(ParseRoleAssignments, ScopeFromId) {
  ASSERT_OK_AND_ASSIGN(std::vector<RoleAssignment> assignments,
                       ParseRoleAssignments(R"({
        "id": "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/a1",
        "properties": {"principalId": "p1", "roleDefinitionId": "g1"}})"));
  EXPECT_EQ(assignments[0].scope(), "/subscriptions/s1/resourceGroups/rg");
  EXPECT_EQ(assignments[0].name(), "a1");
}

class RoleAssignmentErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(RoleAssignmentErrorTest, NamesPathAndValue) {
  EXPECT_THAT(ParseRoleAssignments(GetParam().json),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, RoleAssignmentErrorTest,
    ::testing::ValuesIn(std::vector<ErrorCase>{
        {"MissingPrincipal",
         R"({"properties": {"roleDefinitionId": "g", "scope": "/"}})",
         "properties.principalId: missing"},
        {"MissingRole", R"({"value": [{"properties": {"principalId": "p", "scope": "/"}}]})",
         "value[0].properties.roleDefinitionId: missing"},
        {"MissingScope", R"({"properties": {"principalId": "p", "roleDefinitionId": "g"}})",
         "properties.scope: missing"},
        {"BadScope",
         R"({"properties": {"principalId": "p", "roleDefinitionId": "g", "scope": "/subscriptions//rg"}})",
         "properties.scope: invalid value '/subscriptions//rg'"},
        {"RoleIdEndsInSlashOnly",
         R"({"properties": {"principalId": "p", "roleDefinitionId": "/", "scope": "/"}})",
         "roleDefinitionId: invalid value '/'"},
        {"PrincipalNotString",
         R"({"properties": {"principalId": 7, "roleDefinitionId": "g", "scope": "/"}})",
         "properties.principalId: invalid value 7; expected a string"},
        {"PimInstance",
         R"({"type": "Microsoft.Authorization/RoleAssignmentScheduleInstances", "properties": {}})",
         "import it with the PIM importer"},
    }),
    [](const ::testing::TestParamInfo<ErrorCase>& info) {
      return info.param.name;
    });

TEST(ParseDenyAssignments, FlatPowerShellShape) {
  ASSERT_OK_AND_ASSIGN(std::vector<DenyAssignment> denies,
                       ParseDenyAssignments(R"({
        "Id": "/subscriptions/s1/providers/Microsoft.Authorization/denyAssignments/d1",
        "DenyAssignmentName": "lock", "Actions": ["*"], "NotActions": ["*/read"],
        "DataActions": [], "NotDataActions": [], "Scope": "/subscriptions/s1",
        "DoNotApplyToChildScopes": true,
        "Principals": [{"ObjectId": "00000000-0000-0000-0000-000000000000", "ObjectType": "SystemDefined"}],
        "ExcludePrincipals": [{"ObjectId": "sp1", "ObjectType": "ServicePrincipal"}],
        "IsSystemProtected": true})"));
  ASSERT_THAT(denies, SizeIs(1));
  EXPECT_EQ(denies[0].name(), "d1");
  EXPECT_THAT(denies[0].permissions(0).not_actions(), ElementsAre("*/read"));
  EXPECT_TRUE(denies[0].do_not_apply_to_child_scopes());
  EXPECT_EQ(denies[0].principals(0).type(), "SystemDefined");
  EXPECT_EQ(denies[0].exclude_principals(0).id(), "sp1");
}

class DenyAssignmentErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(DenyAssignmentErrorTest, NamesPathAndValue) {
  EXPECT_THAT(ParseDenyAssignments(GetParam().json),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, DenyAssignmentErrorTest,
    ::testing::ValuesIn(std::vector<ErrorCase>{
        {"AllPrincipalsExcluded",
         R"({"properties": {"permissions": [], "scope": "/", "principals": [],
             "excludePrincipals": [{"id": "00000000-0000-0000-0000-000000000000"}]}})",
         "properties.excludePrincipals[0].id: invalid value "
         "'00000000-0000-0000-0000-000000000000'"},
        {"RestWithoutPermissions", R"({"properties": {"scope": "/"}})",
         "properties.permissions: missing"},
        {"NoPrincipals",
         R"({"properties": {"permissions": [{"actions": ["*/delete"]}], "scope": "/"}})",
         "properties.principals: missing"},
        {"EmptyPrincipals",
         R"({"properties": {"permissions": [{"actions": ["*/delete"]}], "scope": "/",
             "principals": []}})",
         "properties.principals: missing"},
        {"NothingDenied",
         R"({"properties": {"permissions": [{"actions": null, "notActions": ["a/read"]}],
             "scope": "/", "principals": [{"id": "00000000-0000-0000-0000-000000000000"}]}})",
         "properties.permissions: missing"},
        {"PrincipalWithoutId",
         R"({"properties": {"permissions": [], "scope": "/", "principals": [{"type": "User"}]}})",
         "properties.principals[0].id: missing"},
        {"ChildScopesNotBool",
         R"({"properties": {"permissions": [], "scope": "/", "doNotApplyToChildScopes": "yes"}})",
         "properties.doNotApplyToChildScopes: invalid value \"yes\""},
        {"WrongType",
         R"({"type": "Microsoft.Authorization/roleAssignments", "properties": {}})",
         "expected 'Microsoft.Authorization/denyAssignments'"},
    }),
    [](const ::testing::TestParamInfo<ErrorCase>& info) {
      return info.param.name;
    });

// An action with an empty segment names no operation. In a deny assignment
// it would deny nothing without a word, so every action list rejects it.
TEST(ParseActions, RejectEmptySegments) {
  for (absl::string_view list :
       {"actions", "notActions", "dataActions", "notDataActions"}) {
    for (absl::string_view action :
         {"Microsoft.Compute/virtualMachines/read/", "Microsoft.Compute//virtualMachines/read",
          "/Microsoft.Compute/virtualMachines/read"}) {
      const std::string expected =
          absl::StrCat("value[0].properties.permissions[0].", list,
                       "[0]: invalid value '", action, "' with an empty segment");
      EXPECT_THAT(
          ParseDenyAssignments(absl::StrCat(
              R"({"value": [{"properties": {"scope": "/subscriptions/s1",
                  "principals": [{"id": "00000000-0000-0000-0000-000000000000", "type": "SystemDefined"}],
                  "permissions": [{")",
              list, R"(": [")", action, R"("])",
              list == "actions" ? "" : R"(, "actions": ["*/delete"])", "}]}}]}")),
          StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(expected)))
          << list << " " << action;
      EXPECT_THAT(
          ParseRoleDefinitions(absl::StrCat(
              R"({"value": [{"name": "r1", "properties": {"roleName": "R",
                  "assignableScopes": ["/"], "permissions": [{")",
              list, R"(": [")", action, R"("]}]}}]})")),
          StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(expected)))
          << list << " " << action;
    }
  }
}

// ARM pages long lists with `nextLink`. One page of a deny assignment list
// would silently drop the denies on the other pages, so every list reader
// rejects a page that names a next one, and reads the last page.
TEST(ParseLists, RejectPageWithNextLink) {
  const std::string deny = R"({"properties": {"scope": "/subscriptions/s1",
      "permissions": [{"actions": ["*"]}],
      "principals": [{"id": "00000000-0000-0000-0000-000000000000", "type": "SystemDefined"}]}})";
  const std::string assignment = R"({"properties": {"principalId": "p1",
      "roleDefinitionId": "acdd72a7-3385-48ef-bd42-f606fba81ae7", "scope": "/subscriptions/s1"}})";
  const std::string role = R"({"name": "r1", "properties": {"roleName": "R",
      "assignableScopes": ["/"], "permissions": [{"actions": ["*/read"]}]}})";
  const std::string entity = R"({"id": "/subscriptions/s1", "properties":
      {"parent": {"id": "/providers/Microsoft.Management/managementGroups/mg1"}}})";
  const std::string link =
      "https://management.azure.com/subscriptions/s1/providers/"
      "Microsoft.Authorization/denyAssignments?$skiptoken=abc";
  auto page = [&](const std::string& item, absl::string_view next) {
    return absl::StrCat(R"({"value": [)", item, "], ", next, "}");
  };
  const std::string next = absl::StrCat(R"("nextLink": ")", link, R"(")");
  const auto paged = StatusIs(
      absl::StatusCode::kInvalidArgument,
      HasSubstr("nextLink: the file is one page of a paged Azure Resource "
                "Manager list, so the items on later pages are missing; follow "
                "nextLink (\"https://management.azure.com/subscriptions/s1/"
                "providers/Microsoft.Authorizat...) and merge every page's value "
                "array into one file"));
  EXPECT_THAT(ParseDenyAssignments(page(deny, next)), paged);
  EXPECT_THAT(ParseRoleAssignments(page(assignment, next)), paged);
  EXPECT_THAT(ParseRoleDefinitions(page(role, next)), paged);
  EXPECT_THAT(ParseManagementGroupEntities(page(entity, next)), paged);
  // Graph's spelling, and a page inside a REST API example.
  EXPECT_THAT(
      ParseDenyAssignments(page(deny, R"("@odata.nextLink": "https://graph/p2")")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("@odata.nextLink: the file is one page of a paged "
                         "Graph list")));
  EXPECT_THAT(
      ParseDenyAssignments(absl::StrCat(R"({"parameters": {}, "responses": {"200": {"body": )",
                                        page(deny, next), "}}}")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("responses.200.body.nextLink: ")));
  // The last page: no link, null or "".
  for (absl::string_view last : {R"("nextLink": null)", R"("nextLink": "")",
                                 R"("@odata.nextLink": null)"}) {
    EXPECT_THAT(ParseDenyAssignments(page(deny, last)), IsOk()) << last;
    EXPECT_THAT(ParseRoleAssignments(page(assignment, last)), IsOk()) << last;
    EXPECT_THAT(ParseRoleDefinitions(page(role, last)), IsOk()) << last;
    EXPECT_THAT(ParseManagementGroupEntities(page(entity, last)), IsOk()) << last;
  }
}

TEST(ParseManagementGroupEntities, RestListResponse) {
  ASSERT_OK_AND_ASSIGN(std::vector<ScopeParent> links,
                       ParseManagementGroupEntities(R"({"value": [
        {"id": "/providers/Microsoft.Management/managementGroups/root", "type": "Microsoft.Management/managementGroups",
         "name": "root", "properties": {"displayName": "Tenant Root Group", "parent": null}},
        {"id": "/providers/Microsoft.Management/managementGroups/mg1", "type": "Microsoft.Management/managementGroups",
         "name": "mg1", "properties": {"parent": {"id": "/providers/Microsoft.Management/managementGroups/root"}}},
        {"id": "/subscriptions/s1", "type": "/subscriptions", "name": "s1",
         "properties": {"parent": {"id": "/providers/Microsoft.Management/managementGroups/mg1"}}}
      ]})"));
  ASSERT_THAT(links, SizeIs(3));
  // The group whose parent is null is the tenant root group.
  EXPECT_EQ(links[0].child(),
            "/providers/Microsoft.Management/managementGroups/root");
  EXPECT_EQ(links[0].parent(), "/");
  EXPECT_EQ(links[0].source(), "value[0].properties.parent");
  EXPECT_EQ(links[1].child(),
            "/providers/Microsoft.Management/managementGroups/mg1");
  EXPECT_EQ(links[1].parent(),
            "/providers/Microsoft.Management/managementGroups/root");
  EXPECT_EQ(links[1].source(), "value[1].properties.parent.id");
  EXPECT_EQ(links[2].child(), "/subscriptions/s1");
}

TEST(ParseManagementGroupEntities, SubscriptionWithNullParentStaysUnplaced) {
  ASSERT_OK_AND_ASSIGN(std::vector<ScopeParent> links,
                       ParseManagementGroupEntities(R"([
        {"id": "/subscriptions/s1", "properties": {"parent": null}}])"));
  EXPECT_THAT(links, IsEmpty());
}

TEST(ParseManagementGroupEntities, TenantIdNamesTheRootGroup) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<ScopeParent> links,
      ParseManagementGroupEntities(ReadExample("examples/rbac/management-groups.json"),
                                   "mg.json"));
  const std::string root =
      "/providers/Microsoft.Management/managementGroups/"
      "aaaabbbb-0000-cccc-1111-dddd2222eeee";
  const std::string platform =
      "/providers/Microsoft.Management/managementGroups/mg-platform";
  std::vector<std::string> seen;
  for (const ScopeParent& link : links) {
    seen.push_back(absl::StrCat(link.child(), " -> ", link.parent(), " at ",
                                link.source()));
  }
  // Each link once, although both entities repeat the tenant and the chain.
  EXPECT_THAT(seen, UnorderedElementsAre(
                        absl::StrCat(root, " -> / at mg.json: value[0].properties.tenantId"),
                        absl::StrCat(platform, " -> ", root,
                                     " at mg.json: value[0].properties.parent.id"),
                        absl::StrCat("/subscriptions/00000000-0000-0000-0000-000000000000 -> ",
                                     platform, " at mg.json: value[1].properties.parent.id")));
}

TEST(ParseManagementGroupEntities, ParentNameChainGivesLinksAbove) {
  ASSERT_OK_AND_ASSIGN(std::vector<ScopeParent> links,
                       ParseManagementGroupEntities(R"([
        {"id": "/subscriptions/s1", "parentNameChain": ["top", "mid", "low"]}])"));
  std::vector<std::string> seen;
  for (const ScopeParent& link : links) {
    seen.push_back(absl::StrCat(link.child(), " -> ", link.parent(), " at ",
                                link.source()));
  }
  const std::string groups = "/providers/Microsoft.Management/managementGroups/";
  EXPECT_THAT(seen, ElementsAre(
                        absl::StrCat(groups, "mid -> ", groups, "top at [0].parentNameChain[0]"),
                        absl::StrCat(groups, "low -> ", groups, "mid at [0].parentNameChain[1]"),
                        absl::StrCat("/subscriptions/s1 -> ", groups,
                                     "low at [0].parentNameChain[2]")));
}

TEST(ParseManagementGroupEntities, RejectsChainThatContradictsParent) {
  EXPECT_THAT(
      ParseManagementGroupEntities(
          R"({"value": [{"id": "/subscriptions/s1", "properties": {
                "parent": {"id": "/providers/Microsoft.Management/managementGroups/mg1"},
                "parentNameChain": ["root", "mg2"]}}]})",
          "mg.json"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("value[0].properties.parentNameChain[1]: invalid "
                         "value 'mg2'; expected 'mg1', the parent that "
                         "parent.id names")));
  EXPECT_THAT(
      ParseManagementGroupEntities(
          R"([{"id": "/subscriptions/s1", "parent": {"id": "/providers/Microsoft.Management/managementGroups/mg1"},
               "parentNameChain": []}])"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("[0].parentNameChain: invalid value []")));
  EXPECT_THAT(
      ParseManagementGroupEntities(
          R"([{"id": "/providers/Microsoft.Management/managementGroups/mg1", "parent": null,
               "parentNameChain": ["mgX"]}])"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("[0].parentNameChain: names management groups above "
                         "the entity, but its parent is null")));
  EXPECT_THAT(ParseManagementGroupEntities(
                  R"([{"id": "/subscriptions/s1", "parentNameChain": ["a/b"]}])"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("[0].parentNameChain[0]: invalid value 'a/b'; "
                                 "expected a management group name")));
}

// A tenant has one root group, named by the tenant id. A group with a null
// parent that cannot be it is a group whose parent the file leaves out, and
// taking it for the root would hide a deny assignment at a group above it.
TEST(ParseManagementGroupEntities, RejectsGroupThatCannotBeTheRoot) {
  const std::string groups = "/providers/Microsoft.Management/managementGroups/";
  const std::string tenant = "tttttttt-0000-0000-0000-000000000001";
  auto entity = [&](absl::string_view name, absl::string_view parent,
                    absl::string_view tenant_id) {
    return absl::StrCat(R"({"id": ")", groups, name,
                        R"(", "properties": {"tenantId": ")", tenant_id,
                        R"(", "parent": )", parent, "}}");
  };
  const std::string under_fake = absl::StrCat(
      R"({"id": "/subscriptions/s1", "properties": {"tenantId": ")", tenant,
      R"(", "parent": {"id": ")", groups, R"(mgFake"}}})");
  // The only group with a null parent is not the tenant's root group.
  EXPECT_THAT(
      ParseManagementGroupEntities(absl::StrCat(
          R"({"value": [)", entity("mgFake", "null", tenant), ", ", under_fake,
          "]}")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr(absl::StrCat(
                   "value[0].properties.parent: invalid value null; expected "
                   "the parent of management group 'mgFake', since only the "
                   "tenant root group '",
                   tenant,
                   "' (the tenantId at value[0].properties.tenantId) has "
                   "none"))));
  // The root group and a second group with a null parent.
  EXPECT_THAT(
      ParseManagementGroupEntities(absl::StrCat(
          R"({"value": [)", entity(tenant, "null", tenant), ", ",
          entity("mgFake", "null", tenant), ", ", under_fake, "]}")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("value[1].properties.parent: invalid value null; "
                         "expected the parent of management group 'mgFake'")));
  // Without a tenantId, two groups with a null parent cannot both be it.
  EXPECT_THAT(
      ParseManagementGroupEntities(absl::StrCat(
          "[", R"({"id": ")", groups, R"(a", "parent": null}, {"id": ")",
          groups, R"(b", "parent": null}])")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("[1].parent: invalid value null; expected the parent "
                         "of management group 'b', since management group 'a' "
                         "has none (at [0].parent) and a tenant has one root "
                         "group")));
  // Entities of two tenants cannot come from one getEntities response.
  EXPECT_THAT(
      ParseManagementGroupEntities(absl::StrCat(
          R"({"value": [)", entity("mgA", "null", "mgA"), ", ", under_fake,
          "]}")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr(absl::StrCat("value[1].properties.tenantId: invalid "
                                      "value '",
                                      tenant,
                                      "'; expected 'mgA', the tenantId at "
                                      "value[0].properties.tenantId"))));
  // The root group named by the tenant id, in any case, listed twice.
  ASSERT_OK_AND_ASSIGN(
      std::vector<ScopeParent> links,
      ParseManagementGroupEntities(absl::StrCat(
          R"({"value": [)", entity(absl::AsciiStrToUpper(tenant), "null", tenant),
          ", ", entity(tenant, "null", tenant), ", ",
          entity("mgX", absl::StrCat(R"({"id": ")", groups, tenant, R"("})"),
                 tenant),
          "]}")));
  // The tenant's link to `/` once, and mgX's link to the root group.
  EXPECT_THAT(links, SizeIs(2));
}

TEST(ParseManagementGroupEntities, AzFlatShape) {
  ASSERT_OK_AND_ASSIGN(std::vector<ScopeParent> links,
                       ParseManagementGroupEntities(R"([
        {"id": "/subscriptions/s1", "parent": {"id": "/providers/Microsoft.Management/managementGroups/mg1"}}])"));
  ASSERT_THAT(links, SizeIs(1));
}

TEST(ParseManagementGroupEntities, RejectsResourceGroupChild) {
  EXPECT_THAT(
      ParseManagementGroupEntities(
          R"([{"id": "/subscriptions/s1/resourceGroups/rg", "parent": {"id": "/providers/Microsoft.Management/managementGroups/mg1"}}])"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("[0].id: invalid value "
                         "'/subscriptions/s1/resourceGroups/rg'; expected a "
                         "subscription or management group id")));
}

TEST(ParseManagementGroupEntities, RejectsSubscriptionParent) {
  EXPECT_THAT(ParseManagementGroupEntities(
                  R"([{"id": "/subscriptions/s1", "parent": {"id": "/subscriptions/s2"}}])"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("[0].parent.id: invalid value "
                                 "'/subscriptions/s2'; expected a management "
                                 "group id")));
}

TEST(ParseProviderOperations, RejectsWildcardOperation) {
  EXPECT_THAT(ParseProviderOperations(
                  R"({"name": "Microsoft.X", "operations": [{"name": "Microsoft.X/*"}]})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("operations[0].name: invalid value "
                                 "'Microsoft.X/*'")));
}

TEST(ParseProviderOperations, ReadsListOfProviders) {
  ASSERT_OK_AND_ASSIGN(ProviderOperationSet set, ParseProviderOperations(R"([
      {"name": "Microsoft.A", "operations": [{"name": "Microsoft.A/x/read", "isDataAction": false}]},
      {"name": "Microsoft.B", "resourceTypes": [{"name": "t", "operations": [
        {"name": "Microsoft.B/t/get/action", "isDataAction": true}]}]}])"));
  EXPECT_THAT(set.namespaces(), ElementsAre("Microsoft.A", "Microsoft.B"));
  ASSERT_EQ(set.operations_size(), 2);
  EXPECT_TRUE(set.operations(1).is_data_action());
}

}  // namespace
}  // namespace portcullis::rbac
