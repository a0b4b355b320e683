#include "access/rbac_pattern.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::rbac {
namespace {

using ::portcullis::testing::IsOk;
using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

struct MatchCase {
  std::string name;
  std::string pattern;
  std::string action;
  bool matches;
};

class ActionPatternMatchTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(ActionPatternMatchTest, Matches) {
  const MatchCase& test = GetParam();
  ASSERT_OK_AND_ASSIGN(ActionPattern pattern,
                       ActionPattern::Compile(test.pattern));
  EXPECT_EQ(pattern.Matches(test.action), test.matches)
      << "pattern '" << test.pattern << "' action '" << test.action << "'";
}

INSTANTIATE_TEST_SUITE_P(
    Wildcards, ActionPatternMatchTest,
    ::testing::ValuesIn(std::vector<MatchCase>{
        {"ExactName", "Microsoft.Compute/virtualMachines/read",
         "Microsoft.Compute/virtualMachines/read", true},
        {"ExactNameOtherCase", "Microsoft.Compute/virtualMachines/read",
         "MICROSOFT.COMPUTE/VIRTUALMACHINES/READ", true},
        {"MixedCasePattern", "Microsoft.Authorization/*/Delete",
         "Microsoft.Authorization/roleAssignments/delete", true},
        {"ExactNameDiffers", "Microsoft.Compute/virtualMachines/read",
         "Microsoft.Compute/virtualMachines/write", false},
        {"ExactNameIsNotPrefix", "Microsoft.Compute/virtualMachines/read",
         "Microsoft.Compute/virtualMachines/readx", false},
        {"StarMatchesAll", "*", "Microsoft.Compute/virtualMachines/read", true},
        {"StarMatchesDataAction", "*",
         "Microsoft.KeyVault/vaults/secrets/getSecret/action", true},
        {"StarSlashRead", "*/read", "Microsoft.Network/publicIPAddresses/read",
         true},
        {"StarSlashReadDeepChild", "*/read",
         "Microsoft.Network/bastionHosts/getsessionrecordingsasurl/read", true},
        {"StarSlashReadNotWrite", "*/read",
         "Microsoft.Network/publicIPAddresses/write", false},
        {"StarSlashReadNotSuffixOfWord", "*/read",
         "Microsoft.KeyVault/vaults/secrets/unread", false},
        {"TrailingStarDirectChild", "Microsoft.Compute/virtualMachines/*",
         "Microsoft.Compute/virtualMachines/start/action", true},
        {"TrailingStarGrandchild", "Microsoft.Compute/virtualMachines/*",
         "Microsoft.Compute/virtualMachines/extensions/read", true},
        {"TrailingStarNotSibling", "Microsoft.Compute/virtualMachines/*",
         "Microsoft.Compute/virtualMachineScaleSets/read", false},
        {"TrailingStarNotBarePrefix", "Microsoft.Compute/*", "Microsoft.Compute",
         false},
        {"TrailingStarOtherProvider", "Microsoft.Compute/*",
         "Microsoft.Network/networkInterfaces/read", false},
        {"MiddleStarSpansSegments", "Microsoft.ServiceBus/*/queues/read",
         "Microsoft.ServiceBus/namespaces/queues/read", true},
        {"MiddleStarSpansTwoSegments", "Microsoft.Network/*/read",
         "Microsoft.Network/virtualNetworks/subnets/virtualMachines/read", true},
        // The policy choice: `X/*/read` also grants `X/read`.
        {"MiddleStarMatchesZeroSegments",
         "Microsoft.Compute/virtualMachines/*/read",
         "Microsoft.Compute/virtualMachines/read", true},
        {"MiddleStarZeroSegmentsJit",
         "Microsoft.Security/locations/jitNetworkAccessPolicies/*/read",
         "Microsoft.Security/locations/jitNetworkAccessPolicies/read", true},
        {"MiddleStarOneSegment", "Microsoft.Compute/virtualMachines/*/read",
         "Microsoft.Compute/virtualMachines/extensions/read", true},
        {"MiddleStarNotOtherVerb", "Microsoft.Compute/virtualMachines/*/read",
         "Microsoft.Compute/virtualMachines/write", false},
        {"MiddleStarNotOtherType", "Microsoft.Compute/virtualMachines/*/read",
         "Microsoft.Compute/virtualMachineScaleSets/read", false},
        {"MiddleStarNeedsSlashBefore", "Microsoft.Compute/virtualMachines/*/read",
         "Microsoft.Compute/virtualMachinesread", false},
        {"KeyVaultReaderDataWildcardNotGetSecret", "Microsoft.KeyVault/vaults/*/read",
         "Microsoft.KeyVault/vaults/secrets/getSecret/action", false},
        {"KeyVaultReaderDataWildcardReadMetadata",
         "Microsoft.KeyVault/vaults/*/read",
         "Microsoft.KeyVault/vaults/secrets/read", true},
        {"TwoWildcardsBothCollapse", "Microsoft.CostManagement/*/query/*",
         "Microsoft.CostManagement/query/action", true},
        {"TwoWildcardsSpan", "Microsoft.CostManagement/*/query/*",
         "Microsoft.CostManagement/exports/query/run/action", true},
        {"AdjacentInteriorWildcards", "a/*/*/b", "a/b", true},
        {"AdjacentInteriorWildcardsSpan", "a/*/*/b", "a/x/y/z/b", true},
        {"PartialSegmentWildcard", "Microsoft.Comp*/read",
         "Microsoft.Compute/virtualMachines/read", true},
        {"LeadingStarMiddle", "*/virtualMachines/*",
         "Microsoft.Compute/virtualMachines/start/action", true},
        {"EmptyActionNeverMatchesName", "Microsoft.Compute/*", "", false},
    }),
    [](const ::testing::TestParamInfo<MatchCase>& info) {
      return info.param.name;
    });

TEST(ValidateActionString, AcceptsRealForms) {
  EXPECT_THAT(ValidateActionString("*"), IsOk());
  EXPECT_THAT(ValidateActionString("Microsoft.Authorization/*/Delete"), IsOk());
  EXPECT_THAT(ValidateActionString("action"), IsOk());
}

TEST(ValidateActionString, RejectsEmpty) {
  EXPECT_THAT(ValidateActionString(""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid value ''")));
}

TEST(ValidateActionString, RejectsSpaces) {
  EXPECT_THAT(ValidateActionString("Microsoft.Compute/virtualMachines/ read"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected printable ASCII without spaces")));
}

// Azure operations have no empty segment, so these name no operation and
// would never match. In a deny assignment that would deny nothing.
TEST(ValidateActionString, RejectsEmptySegments) {
  for (absl::string_view text :
       {"Microsoft.Compute/virtualMachines/read/", "/Microsoft.Compute/virtualMachines/read",
        "Microsoft.Compute//virtualMachines/read", "/", "//", "*/", "/*",
        "Microsoft.Compute/*//read"}) {
    EXPECT_THAT(ValidateActionString(text),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(absl::StrCat("invalid value '", text,
                                                "' with an empty segment"))))
        << text;
    EXPECT_THAT(ActionPattern::Compile(text), Not(IsOk())) << text;
  }
}

TEST(ValidateActionString, RejectsTooManyWildcards) {
  EXPECT_THAT(ValidateActionString("*/*/*/*/*"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("with 5 wildcards; expected at most 4")));
}

TEST(ValidateActionString, RejectsOverlongText) {
  EXPECT_THAT(ValidateActionString(std::string(kMaxActionLength + 1, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected at most 1024")));
}

TEST(ActionPatternCompile, KeepsText) {
  ASSERT_OK_AND_ASSIGN(ActionPattern pattern,
                       ActionPattern::Compile("Microsoft.Authorization/*/Write"));
  EXPECT_EQ(pattern.text(), "Microsoft.Authorization/*/Write");
}

TEST(ActionPatternCompile, RejectsInvalid) {
  EXPECT_THAT(ActionPattern::Compile("a b"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'a b'")));
}

TEST(GlobMatchesIgnoringCase, BacktracksAcrossStars) {
  EXPECT_TRUE(GlobMatchesIgnoringCase("*a*b", "xxaxxaxb"));
  EXPECT_FALSE(GlobMatchesIgnoringCase("*a*b", "xxaxxaxc"));
  EXPECT_TRUE(GlobMatchesIgnoringCase("**", ""));
  EXPECT_FALSE(GlobMatchesIgnoringCase("a", ""));
}

}  // namespace
}  // namespace portcullis::rbac
