#include "access/rbac_scope.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::rbac {
namespace {

using ::portcullis::testing::IsOk;
using ::portcullis::testing::IsOkAndHolds;
using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kSubscription[] =
    "/subscriptions/00000000-0000-0000-0000-000000000000";
constexpr char kGroup[] =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
    "rg-jit-demo";
constexpr char kVm[] =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
    "rg-jit-demo/providers/Microsoft.Compute/virtualMachines/vm-app01";

struct LevelCase {
  std::string name;
  std::string scope;
  ScopeLevel level;
};

class ScopeLevelTest : public ::testing::TestWithParam<LevelCase> {};

TEST_P(ScopeLevelTest, ParsesLevel) {
  ASSERT_OK_AND_ASSIGN(ScopePath path, ScopePath::Parse(GetParam().scope));
  EXPECT_EQ(path.level(), GetParam().level);
}

INSTANTIATE_TEST_SUITE_P(
    Levels, ScopeLevelTest,
    ::testing::ValuesIn(std::vector<LevelCase>{
        {"Root", "/", ScopeLevel::kRoot},
        {"RootTwoSlashes", "//", ScopeLevel::kRoot},
        {"ManagementGroup",
         "/providers/Microsoft.Management/managementGroups/mg-platform",
         ScopeLevel::kManagementGroup},
        {"Subscription", kSubscription, ScopeLevel::kSubscription},
        {"SubscriptionTrailingSlash", std::string(kSubscription) + "/",
         ScopeLevel::kSubscription},
        {"SubscriptionWithoutLeadingSlash",
         "subscriptions/00000000-0000-0000-0000-000000000000",
         ScopeLevel::kSubscription},
        {"ResourceGroup", kGroup, ScopeLevel::kResourceGroup},
        {"ResourceGroupLowerCase",
         "/subscriptions/s1/resourcegroups/rgname",
         ScopeLevel::kResourceGroup},
        {"Resource", kVm, ScopeLevel::kResource},
        {"ChildResource",
         "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/"
         "vaults/kv/secrets/admin-password",
         ScopeLevel::kResource},
        {"ExtensionResource",
         std::string(kVm) +
             "/providers/Microsoft.Insights/diagnosticSettings/default",
         ScopeLevel::kResource},
        {"SubscriptionLevelResource",
         "/subscriptions/s1/providers/Microsoft.Security/locations/westeurope/"
         "jitNetworkAccessPolicies/default",
         ScopeLevel::kResource},
        {"TenantLevelResource",
         "/providers/Microsoft.Authorization/roleDefinitions/"
         "acdd72a7-3385-48ef-bd42-f606fba81ae7",
         ScopeLevel::kResource},
        {"PimSubscriptionAlias",
         "/providers/Microsoft.Subscription/subscriptions/"
         "dfa2a084-766f-4003-8ae1-c4aeb893a99f",
         ScopeLevel::kSubscription},
    }),
    [](const ::testing::TestParamInfo<LevelCase>& info) {
      return info.param.name;
    });

struct InvalidCase {
  std::string name;
  std::string scope;
  std::string message;
};

class ScopeInvalidTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(ScopeInvalidTest, Rejects) {
  EXPECT_THAT(ScopePath::Parse(GetParam().scope),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Invalid, ScopeInvalidTest,
    ::testing::ValuesIn(std::vector<InvalidCase>{
        {"Empty", "", "invalid value ''"},
        {"Typo", "/subscription/s1", "invalid value '/subscription/s1'"},
        {"NoSubscriptionId", "/subscriptions", "a subscription id"},
        {"EmptyInnerSegment", "/subscriptions//resourceGroups/rg",
         "without empty segments"},
        {"NoGroupName", "/subscriptions/s1/resourceGroups",
         "a resource group name"},
        {"NamespaceOnly", "/subscriptions/s1/resourceGroups/rg/providers/"
                          "Microsoft.Compute",
         "a resource type and name"},
        {"TypeWithoutName",
         "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/"
         "virtualMachines",
         "a resource name after type 'virtualMachines'"},
        {"JunkAfterGroup", "/subscriptions/s1/resourceGroups/rg/extra",
         "found 'extra' where 'providers' belongs"},
        {"ControlCharacter", "/subscriptions/s1\n", "control characters"},
        {"TooDeep",
         [] {
           std::string scope = "/subscriptions/s1/resourceGroups/rg/providers/"
                               "Microsoft.Compute";
           for (int i = 0; i < 30; ++i) scope += "/t/n";
           return scope;
         }(),
         "at most 48 segments"},
    }),
    [](const ::testing::TestParamInfo<InvalidCase>& info) {
      return info.param.name;
    });

bool AtOrAbove(const std::string& above, const std::string& below) {
  absl::StatusOr<ScopePath> a = ScopePath::Parse(above);
  absl::StatusOr<ScopePath> b = ScopePath::Parse(below);
  EXPECT_THAT(a, IsOk());
  EXPECT_THAT(b, IsOk());
  return a.ok() && b.ok() && a->IsAtOrAbove(*b);
}

TEST(ScopePathIsAtOrAbove, Nesting) {
  EXPECT_TRUE(AtOrAbove("/", kVm));
  EXPECT_TRUE(AtOrAbove(kSubscription, kVm));
  EXPECT_TRUE(AtOrAbove(kGroup, kVm));
  EXPECT_TRUE(AtOrAbove(kVm, kVm));
  EXPECT_FALSE(AtOrAbove(kVm, kGroup));
  EXPECT_FALSE(AtOrAbove(kGroup, kSubscription));
}

TEST(ScopePathIsAtOrAbove, ComparesWholeSegments) {
  EXPECT_FALSE(AtOrAbove("/subscriptions/s1", "/subscriptions/s10"));
  EXPECT_FALSE(AtOrAbove("/subscriptions/s1/resourceGroups/rg",
                         "/subscriptions/s1/resourceGroups/rg-other"));
}

TEST(ScopePathIsAtOrAbove, IgnoresCaseAndTrailingSlashes) {
  EXPECT_TRUE(AtOrAbove("/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/",
                        "/subscriptions/s1/resourceGroups/rg/providers/"
                        "Microsoft.Compute/virtualMachines/vm"));
}

TEST(ScopePathIsAtOrAbove, ResolvesPimAlias) {
  EXPECT_TRUE(AtOrAbove("/providers/Microsoft.Subscription/subscriptions/s1",
                        "/subscriptions/s1/resourceGroups/rg"));
}

TEST(ScopePathSameAs, IgnoresCase) {
  ASSERT_OK_AND_ASSIGN(ScopePath a, ScopePath::Parse(kGroup));
  ASSERT_OK_AND_ASSIGN(
      ScopePath b,
      ScopePath::Parse("/Subscriptions/00000000-0000-0000-0000-000000000000/"
                       "resourcegroups/RG-JIT-DEMO//"));
  EXPECT_TRUE(a.SameAs(b));
  ASSERT_OK_AND_ASSIGN(ScopePath vm, ScopePath::Parse(kVm));
  EXPECT_FALSE(a.SameAs(vm));
}

TEST(ScopePath, Accessors) {
  ASSERT_OK_AND_ASSIGN(ScopePath vm, ScopePath::Parse(kVm));
  EXPECT_EQ(vm.subscription(), "00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(vm.size(), 8);
  EXPECT_EQ(vm.segment(7), "vm-app01");
  ASSERT_OK_AND_ASSIGN(
      ScopePath group,
      ScopePath::Parse(
          "/providers/Microsoft.Management/managementGroups/mg-platform"));
  EXPECT_EQ(group.management_group(), "mg-platform");
  EXPECT_EQ(group.subscription(), "");
}

TEST(CanonicalScope, NormalizesForm) {
  EXPECT_THAT(CanonicalScope("subscriptions/s1/resourceGroups/rg//"),
              IsOkAndHolds(std::string("/subscriptions/s1/resourceGroups/rg")));
  EXPECT_THAT(CanonicalScope("/"), IsOkAndHolds(std::string("/")));
  EXPECT_THAT(
      CanonicalScope("/providers/Microsoft.Subscription/subscriptions/s1"),
      IsOkAndHolds(std::string("/subscriptions/s1")));
}

TEST(LastSegment, TakesGuid) {
  EXPECT_EQ(LastSegment("/providers/Microsoft.Authorization/roleDefinitions/"
                        "acdd72a7-3385-48ef-bd42-f606fba81ae7"),
            "acdd72a7-3385-48ef-bd42-f606fba81ae7");
  EXPECT_EQ(LastSegment("acdd72a7"), "acdd72a7");
  EXPECT_EQ(LastSegment("a/b/"), "b");
  EXPECT_EQ(LastSegment(""), "");
}

TEST(ScopeLevelName, NamesEveryLevel) {
  EXPECT_EQ(ScopeLevelName(ScopeLevel::kRoot), "root");
  EXPECT_EQ(ScopeLevelName(ScopeLevel::kManagementGroup), "management group");
  EXPECT_EQ(ScopeLevelName(ScopeLevel::kResource), "resource");
}

}  // namespace
}  // namespace portcullis::rbac
