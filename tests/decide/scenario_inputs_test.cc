// Scenario inputs: which files a folder stands for, and errors that name
// the scenario file, the field and the value.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "decide/decide.h"
#include "decide/scenario.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/decide/scenario_fixture.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::decide::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kPolicy[] =
    "CA100-AzureManagement-AllUsers-RequireMfaAndCompliantDevice.json";
constexpr char kOtherPolicy[] =
    "CA101-AzureManagement-AllUsers-BlockOutsideOnPremises.json";

class ScenarioInputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char cwd[4096];
    ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
    examples_ = absl::StrCat(cwd, "/examples");
    // Parameterized test names contain '/', which a folder name cannot.
    folder_ = absl::StrCat(
        std::getenv("TEST_TMPDIR"), "/inputs-",
        absl::StrReplaceAll(::testing::UnitTest::GetInstance()->current_test_info()->name(),
                            {{"/", "-"}}));
    ASSERT_TRUE(mkdir(folder_.c_str(), 0755) == 0 || errno == EEXIST);
  }

  static std::string ReadText(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  void WriteText(const std::string& name, const std::string& text) {
    std::ofstream(folder_ + "/" + name) << text;
  }

  void MakeFolder(const std::string& name) {
    std::string path = folder_ + "/" + name;
    ASSERT_TRUE(mkdir(path.c_str(), 0755) == 0 || errno == EEXIST);
  }

  // Writes scene.json: the first example scene with `overrides` (members of
  // the top-level object, without braces) on top.
  std::string WriteScene(const std::string& overrides) {
    WriteText("scene.json", absl::StrCat(R"({"base": ")", examples_,
                                         R"(/scenarios/01-admin-through-bastion.json", )",
                                         overrides, "}"));
    return folder_ + "/scene.json";
  }

  std::string examples_;
  std::string folder_;
};

TEST_F(ScenarioInputsTest, PolicyFolderReadsJsonInAnyCase) {
  MakeFolder("policies");
  WriteText("policies/A.JSON",
            ReadText(examples_ + "/conditional-access/policies/" + kPolicy));
  WriteText("policies/b.Json",
            ReadText(examples_ + "/conditional-access/policies/" + kOtherPolicy));
  WriteText("policies/notes.txt", "not a policy");
  ASSERT_OK_AND_ASSIGN(
      Scenario scenario,
      LoadScenario(WriteScene(R"("conditionalAccess": {"policies": "policies"})")));
  ASSERT_TRUE(scenario.input.conditional_access.has_value());
  EXPECT_EQ(scenario.input.conditional_access->policies.size(), 2u);
}

TEST_F(ScenarioInputsTest, UnknownNsgNameNamesTheField) {
  WriteText("azuredeploy.json", ReadText(examples_ + "/azuredeploy.json"));
  WriteText("nic.json", ReadText(examples_ + "/nic-vm-app01.json"));
  absl::StatusOr<Scenario> scenario = LoadScenario(WriteScene(
      R"("network": {"vms": [{"nic": "nic.json",
          "subnetNsg": {"file": "azuredeploy.json", "name": "nsg-workloadX"}}]})"));
  ASSERT_FALSE(scenario.ok());
  EXPECT_THAT(scenario.status().message(),
              HasSubstr("scene.json: network.vms[0].subnetNsg: "));
  EXPECT_THAT(scenario.status().message(),
              HasSubstr("azuredeploy.json: no network security group named \"nsg-workloadX\""));
}

TEST_F(ScenarioInputsTest, RoleFolderReadsItsFiles) {
  ASSERT_OK_AND_ASSIGN(
      Scenario scenario,
      LoadScenario(WriteScene(absl::StrCat(R"("rbac": {"roleDefinitions": ")", examples_,
                                           R"(/rbac/roles"})"))));
  ASSERT_TRUE(scenario.input.rbac.has_value());
  // Every file of the folder: the example role in its REST and its `az`
  // input form, and Reader.
  std::vector<std::string> names;
  for (const rbac::RoleDefinition& role : scenario.input.rbac->role_definitions()) {
    names.push_back(role.role_name());
  }
  EXPECT_THAT(names, ::testing::IsSupersetOf({"Secure VM Access Operator",
                                              "Secure VM Access Operator", "Reader"}));
}

TEST_F(ScenarioInputsTest, TrailingSlashVmIdIsTheVm) {
  ASSERT_OK_AND_ASSIGN(
      Scenario scenario,
      LoadScenario(WriteScene(
          R"("attempt": {"vm": "/subscriptions/00000000-0000-0000-0000-000000000000/)"
          R"(resourceGroups/rg-jit-demo/providers/Microsoft.Compute/virtualMachines/)"
          R"(VM-APP01/"})")));
  ASSERT_TRUE(scenario.now.has_value());
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Snapshot> snapshot,
                       Snapshot::Build(scenario.input, BuildOptionsAround(*scenario.now)));
  Decision decision = Decide(*snapshot, scenario.attempt(), *scenario.now);
  EXPECT_GE(decision.vm, 0);
  EXPECT_EQ(decision.verdict, Verdict::kAllow) << VerdictName(decision.verdict);
}

struct ErrorCase {
  std::string name;
  // Files to write before loading: name, then content ("/" ends a folder).
  std::vector<std::pair<std::string, std::string>> files;
  std::string overrides;
  // Substrings the error must contain.
  std::vector<std::string> expected;
};

void PrintTo(const ErrorCase& error_case, std::ostream* out) { *out << error_case.name; }

class ScenarioErrorTest : public ScenarioInputsTest,
                          public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(ScenarioErrorTest, NamesFileFieldAndValue) {
  for (const auto& [name, content] : GetParam().files) {
    if (!name.empty() && name.back() == '/') {
      MakeFolder(name.substr(0, name.size() - 1));
    } else {
      WriteText(name, content);
    }
  }
  absl::StatusOr<Scenario> scenario = LoadScenario(WriteScene(GetParam().overrides));
  ASSERT_FALSE(scenario.ok());
  for (const std::string& expected : GetParam().expected) {
    EXPECT_THAT(scenario.status().message(), HasSubstr(expected));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, ScenarioErrorTest,
    ::testing::ValuesIn(std::vector<ErrorCase>{
        {"EmptyPolicyFolder",
         {{"empty/", ""}},
         R"("conditionalAccess": {"policies": "empty"})",
         {"scene.json: conditionalAccess.policies: ", "/empty: the folder contains no JSON file"}},
        {"PoliciesRemoved",
         {},
         R"("conditionalAccess": {"policies": null})",
         {"scene.json: conditionalAccess.policies: missing", "{\"value\": []}"}},
        {"PoliciesMisspelt",
         {},
         R"("conditionalAccess": {"policies": null, "polices": "x.json"})",
         {"scene.json: conditionalAccess.polices"}},
        {"EmptyNamedLocationFolder",
         {{"empty/", ""}},
         R"("conditionalAccess": {"namedLocations": "empty"})",
         {"scene.json: conditionalAccess.namedLocations: ", "/empty: the folder contains no JSON"}},
        {"EmptyRoleFolder",
         {{"roles/", ""}},
         R"("rbac": {"roleDefinitions": "roles"})",
         {"scene.json: rbac.roleDefinitions: ", "/roles: the folder contains no JSON file"}},
        {"TruncatedRoleFile",
         {{"roles.json", R"({"value": [{"properties": )"}},
         R"("rbac": {"roleDefinitions": "roles.json"})",
         {"scene.json: rbac.roleDefinitions: ", "/roles.json: invalid JSON"}},
        {"RoleNameNotAString",
         {{"roles.json", R"({"value": [{"properties": {"roleName": 5}}]})"}},
         R"("rbac": {"roleDefinitions": "roles.json"})",
         {"scene.json: rbac.roleDefinitions: ", "/roles.json: ", "roleName: invalid value 5"}},
        {"MissingAssignmentFile",
         {},
         R"("rbac": {"roleAssignments": "no-such.json"})",
         {"scene.json: rbac.roleAssignments: ", "/no-such.json: failed to open"}},
        {"SignInIsAFolder",
         {{"sign-in/", ""}},
         R"("attempt": {"signIn": "sign-in"})",
         {"/sign-in: is a folder; expected a file"}},
        {"VmsNotAnArray",
         {},
         R"("network": {"vms": {"nic": "x.json"}})",
         {"scene.json: network.vms: invalid value {\"nic\":\"x.json\"}; expected an array"}},
        {"VnetPrefixesNotAnArray",
         {},
         R"("network": {"virtualNetworkPrefixes": "10.0.0.0/16"})",
         {"scene.json: network.virtualNetworkPrefixes: invalid value \"10.0.0.0/16\""}},
        {"UnknownVm",
         {},
         R"("attempt": {"vm": "/subscriptions/x/resourceGroups/y/providers/)"
         R"(Microsoft.Compute/virtualMachines/zzz"})",
         {"scene.json: attempt.vm: invalid value \"/subscriptions/x/resourceGroups/y/"
          "providers/Microsoft.Compute/virtualMachines/zzz\"",
          "expected the id of a VM in network.vms", "virtualMachines/vm-app01"}},
    }),
    [](const ::testing::TestParamInfo<ErrorCase>& info) { return info.param.name; });

}  // namespace
}  // namespace portcullis::decide::testing
