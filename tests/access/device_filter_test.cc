#include "access/device_filter.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::access {
namespace {

using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

struct Property {
  DeviceProperty property;
  std::string value;
};

DeviceInfo MakeDevice(const std::vector<Property>& properties) {
  DeviceInfo device;
  for (const Property& p : properties) device.Set(p.property, p.value);
  return device;
}

const DeviceInfo kUnregistered;

DeviceInfo CompliantCompanyDevice() {
  return MakeDevice({{DeviceProperty::kIsCompliant, "True"},
                     {DeviceProperty::kDeviceOwnership, "Company"},
                     {DeviceProperty::kTrustType, "AzureAD"}});
}

struct EvalCase {
  std::string name;
  std::string rule;
  DeviceInfo device;
  Tri expected;
};

class DeviceFilterEvalTest : public ::testing::TestWithParam<EvalCase> {};

TEST_P(DeviceFilterEvalTest, Evaluates) {
  const EvalCase& c = GetParam();
  ASSERT_OK_AND_ASSIGN(DeviceFilter filter, DeviceFilter::Parse(c.rule));
  EXPECT_EQ(filter.Evaluate(c.device), c.expected) << filter.ToString();
}

DeviceInfo Labels(std::vector<std::string> labels) {
  DeviceInfo device;
  device.Set(DeviceProperty::kTrustType, "AzureAD");
  for (std::string& label : labels) {
    device.Add(DeviceProperty::kSystemLabels, std::move(label));
  }
  return device;
}

INSTANTIATE_TEST_SUITE_P(
    Rules, DeviceFilterEvalTest,
    ::testing::Values(
        EvalCase{"EqMatchesIgnoringCase", "device.trustType -eq \"azuread\"",
                 CompliantCompanyDevice(), Tri::kTrue},
        EvalCase{"EqBareTrue", "device.isCompliant -eq True",
                 CompliantCompanyDevice(), Tri::kTrue},
        EvalCase{"EqQuotedTrue", "device.isCompliant -eq \"True\"",
                 CompliantCompanyDevice(), Tri::kTrue},
        EvalCase{"NeOnMatch", "device.trustType -ne \"AzureAD\"",
                 CompliantCompanyDevice(), Tri::kFalse},
        EvalCase{"StartsWith", "device.displayName -startsWith \"SAW-\"",
                 MakeDevice({{DeviceProperty::kDisplayName, "saw-0042"}}),
                 Tri::kTrue},
        EvalCase{"NotStartsWith", "device.displayName -notStartsWith \"SAW-\"",
                 MakeDevice({{DeviceProperty::kDisplayName, "laptop"}}),
                 Tri::kTrue},
        EvalCase{"EndsWith", "device.model -endsWith \"pro\"",
                 MakeDevice({{DeviceProperty::kModel, "Surface Pro"}}),
                 Tri::kTrue},
        EvalCase{"NotEndsWith", "device.model -notEndsWith \"pro\"",
                 MakeDevice({{DeviceProperty::kModel, "Surface Pro"}}),
                 Tri::kFalse},
        EvalCase{"ContainsSubstring", "device.manufacturer -contains \"soft\"",
                 MakeDevice({{DeviceProperty::kManufacturer, "Microsoft"}}),
                 Tri::kTrue},
        EvalCase{"NotContainsSubstring",
                 "device.manufacturer -notContains \"soft\"",
                 MakeDevice({{DeviceProperty::kManufacturer, "Microsoft"}}),
                 Tri::kFalse},
        EvalCase{"InList",
                 "device.operatingSystemVersion -in [\"10.0.18363\", "
                 "\"10.0.19041\"]",
                 MakeDevice({{DeviceProperty::kOperatingSystemVersion,
                              "10.0.19041"}}),
                 Tri::kTrue},
        EvalCase{"NotInList", "device.mdmAppId -notIn [\"a\", \"b\"]",
                 MakeDevice({{DeviceProperty::kMdmAppId, "c"}}), Tri::kTrue},
        EvalCase{"EmptyInList", "device.deviceId -in []",
                 MakeDevice({{DeviceProperty::kDeviceId, "c"}}), Tri::kFalse},
        EvalCase{"CollectionContainsWholeElement",
                 "device.systemLabels -contains \"CloudPC\" -and "
                 "device.trustType -eq \"AzureAD\"",
                 Labels({"CloudPC"}), Tri::kTrue},
        EvalCase{"CollectionContainsNotSubstring",
                 "device.systemLabels -contains \"Cloud\"", Labels({"CloudPC"}),
                 Tri::kFalse},
        EvalCase{"CollectionNotContains",
                 "device.systemLabels -notContains \"CloudPC\"",
                 Labels({"M365Managed"}), Tri::kTrue},
        EvalCase{"PhysicalIds", "(device.physicalIds -contains \"[ZTDId]:x\")",
                 [] {
                   DeviceInfo d;
                   d.Add(DeviceProperty::kPhysicalIds, "[ZTDId]:X");
                   return d;
                 }(),
                 Tri::kTrue},
        EvalCase{"AndBindsTighterThanOr",
                 "device.trustType -eq \"ServerAD\" -or device.isCompliant "
                 "-eq True -and device.deviceOwnership -eq \"Personal\"",
                 MakeDevice({{DeviceProperty::kTrustType, "ServerAD"}}),
                 Tri::kTrue},
        EvalCase{"ParenthesesOverridePrecedence",
                 "(device.trustType -eq \"ServerAD\" -or device.isCompliant "
                 "-eq True) -and device.deviceOwnership -eq \"Personal\"",
                 MakeDevice({{DeviceProperty::kTrustType, "ServerAD"}}),
                 Tri::kFalse},
        EvalCase{"KeywordsIgnoreCase",
                 "DEVICE.TRUSTTYPE -EQ \"AzureAD\" -AND device.isCompliant -Eq "
                 "true",
                 CompliantCompanyDevice(), Tri::kTrue},
        EvalCase{"EscapedQuote", "device.displayName -eq \"say \\\"hi\\\"\"",
                 MakeDevice({{DeviceProperty::kDisplayName, "say \"hi\""}}),
                 Tri::kTrue},
        EvalCase{"SingleQuotedDoubledQuote", "device.displayName -eq 'o''neil'",
                 MakeDevice({{DeviceProperty::kDisplayName, "O'Neil"}}),
                 Tri::kTrue},
        EvalCase{"NullLiteralEq", "device.model -eq null", kUnregistered,
                 Tri::kTrue},
        EvalCase{"NullLiteralNe", "device.model -ne null",
                 MakeDevice({{DeviceProperty::kModel, "x"}}), Tri::kTrue},
        EvalCase{"MatchExtension", "device.displayName -match \"^saw-[0-9]+$\"",
                 MakeDevice({{DeviceProperty::kDisplayName, "SAW-12"}}),
                 Tri::kTrue},
        EvalCase{"NotMatchExtension",
                 "device.displayName -notMatch \"^saw-[0-9]+$\"",
                 MakeDevice({{DeviceProperty::kDisplayName, "SAW-12"}}),
                 Tri::kFalse},
        // Unregistered devices: positive operators false, negative true.
        EvalCase{"UnregisteredPositiveIsFalse",
                 "device.extensionAttribute1 -eq \"SAW\"", kUnregistered,
                 Tri::kFalse},
        EvalCase{"UnregisteredNegativeIsTrue",
                 "device.extensionAttribute1 -ne \"SAW\"", kUnregistered,
                 Tri::kTrue},
        EvalCase{"UnregisteredNotInIsTrue", "device.deviceId -notIn [\"a\"]",
                 kUnregistered, Tri::kTrue},
        EvalCase{"UnregisteredCollectionNotContains",
                 "device.systemLabels -notContains \"CloudPC\"", kUnregistered,
                 Tri::kTrue},
        // Extension attributes need an MDM, compliance or hybrid join.
        EvalCase{"ExtensionAttributeHiddenOnUnmanagedDevice",
                 "device.extensionAttribute1 -eq \"SAW\"",
                 MakeDevice({{DeviceProperty::kTrustType, "Workplace"},
                             {DeviceProperty::kExtensionAttribute1, "SAW"}}),
                 Tri::kFalse},
        EvalCase{"ExtensionAttributeOnCompliantDevice",
                 "device.extensionAttribute1 -eq \"SAW\"",
                 MakeDevice({{DeviceProperty::kIsCompliant, "True"},
                             {DeviceProperty::kExtensionAttribute1, "SAW"}}),
                 Tri::kTrue},
        EvalCase{"ExtensionAttributeOnHybridJoinedDevice",
                 "device.extensionAttribute15 -eq \"SAW\"",
                 MakeDevice({{DeviceProperty::kTrustType, "ServerAD"},
                             {DeviceProperty::kExtensionAttribute15, "SAW"}}),
                 Tri::kTrue},
        EvalCase{"ExtensionAttributeOnManagedDevice",
                 "device.extensionAttribute2 -eq \"SAW\"",
                 MakeDevice({{DeviceProperty::kMdmAppId,
                              "0000000a-0000-0000-c000-000000000000"},
                             {DeviceProperty::kExtensionAttribute2, "SAW"}}),
                 Tri::kTrue},
        // The -or trap: "not hybrid joined or not compliant" is true for a
        // compliant Entra joined device, so such a block catches it.
        EvalCase{"OrTrapCatchesCompliantDevice",
                 "device.trustType -ne \"ServerAD\" -or device.isCompliant -ne "
                 "True",
                 CompliantCompanyDevice(), Tri::kTrue},
        EvalCase{"AndFormSparesCompliantDevice",
                 "device.trustType -ne \"ServerAD\" -and device.isCompliant "
                 "-ne True",
                 CompliantCompanyDevice(), Tri::kFalse},
        EvalCase{"AndFormCatchesUnmanagedDevice",
                 "device.trustType -ne \"ServerAD\" -and device.isCompliant "
                 "-ne True",
                 MakeDevice({{DeviceProperty::kTrustType, "Workplace"},
                             {DeviceProperty::kIsCompliant, "False"}}),
                 Tri::kTrue}),
    [](const ::testing::TestParamInfo<EvalCase>& info) {
      return info.param.name;
    });

TEST(DeviceFilterTest, FieldReportMakesPositiveNullUnknown) {
  DeviceFilterOptions options;
  options.null_semantics = NullSemantics::kFieldReport;
  ASSERT_OK_AND_ASSIGN(
      DeviceFilter positive,
      DeviceFilter::Parse("device.extensionAttribute1 -eq \"SAW\"", options));
  ASSERT_OK_AND_ASSIGN(
      DeviceFilter negative,
      DeviceFilter::Parse("device.extensionAttribute1 -ne \"SAW\"", options));

  EXPECT_EQ(positive.Evaluate(kUnregistered), Tri::kUnknown);
  EXPECT_EQ(negative.Evaluate(kUnregistered), Tri::kTrue);
  // Unknown matches in neither mode.
  EXPECT_EQ(FilterModeResult(Tri::kUnknown, /*exclude_mode=*/true),
            Tri::kFalse);
  EXPECT_EQ(FilterModeResult(Tri::kUnknown, /*exclude_mode=*/false),
            Tri::kFalse);
}

TEST(DeviceFilterTest, FieldReportKleeneOr) {
  DeviceFilterOptions options;
  options.null_semantics = NullSemantics::kFieldReport;
  ASSERT_OK_AND_ASSIGN(
      DeviceFilter filter,
      DeviceFilter::Parse("device.model -eq \"x\" -or device.model -ne \"y\"",
                          options));
  EXPECT_EQ(filter.Evaluate(kUnregistered), Tri::kTrue);
}

// Microsoft's secure admin workstation example: exclude mode with
// `-eq "SAW"` and include mode with `-ne "SAW"` scope the same devices under
// the documented semantics, unregistered devices included.
// A registered device read from a request that leaves a property out has
// that property unknown, not null. A rule is unknown only when the property
// could change its result.
TEST(DeviceFilterTest, UnstatedPropertyOfRegisteredDeviceIsUnknown) {
  DeviceInfo device = CompliantCompanyDevice();
  device.set_unstated_unknown(true);
  device.SetNull(DeviceProperty::kModel);
  EXPECT_FALSE(device.Known(DeviceProperty::kOperatingSystemVersion));
  EXPECT_TRUE(device.Known(DeviceProperty::kModel));
  EXPECT_TRUE(device.Known(DeviceProperty::kTrustType));

  struct Case {
    std::string rule;
    Tri expected;
    bool depends_on_unknown;
  };
  for (const Case& c : std::vector<Case>{
           {R"(device.operatingSystemVersion -startsWith "10.0.1")", Tri::kUnknown, true},
           {R"(device.operatingSystemVersion -ne "10.0.1")", Tri::kUnknown, true},
           {R"(device.operatingSystemVersion -eq null)", Tri::kUnknown, true},
           {R"(device.physicalIds -contains "[ZTDId]:x")", Tri::kUnknown, true},
           // A stated null follows Microsoft's null rules.
           {R"(device.model -eq "Surface")", Tri::kFalse, false},
           {R"(device.model -ne "Surface")", Tri::kTrue, false},
           // A known operand decides whatever the unknown one is.
           {R"(device.trustType -eq "AzureAD" -or device.manufacturer -eq "x")", Tri::kTrue, false},
           {R"(device.trustType -eq "ServerAD" -and device.manufacturer -eq "x")", Tri::kFalse,
            false},
           {R"(device.trustType -eq "AzureAD" -and device.manufacturer -eq "x")", Tri::kUnknown,
            true},
       }) {
    SCOPED_TRACE(c.rule);
    ASSERT_OK_AND_ASSIGN(DeviceFilter filter, DeviceFilter::Parse(c.rule));
    bool depends_on_unknown = !c.depends_on_unknown;
    EXPECT_EQ(filter.Evaluate(device, &depends_on_unknown), c.expected);
    EXPECT_EQ(depends_on_unknown, c.depends_on_unknown);
  }

  // An unregistered device has every property null, as Microsoft documents.
  DeviceInfo unregistered;
  unregistered.set_unstated_unknown(true);
  EXPECT_TRUE(unregistered.Known(DeviceProperty::kModel));
  ASSERT_OK_AND_ASSIGN(DeviceFilter ne, DeviceFilter::Parse(R"(device.model -ne "Surface")"));
  bool depends_on_unknown = true;
  EXPECT_EQ(ne.Evaluate(unregistered, &depends_on_unknown), Tri::kTrue);
  EXPECT_FALSE(depends_on_unknown);
}

TEST(DeviceFilterTest, ExcludeEqualsAndIncludeNotEqualsAgree) {
  ASSERT_OK_AND_ASSIGN(DeviceFilter eq,
                       DeviceFilter::Parse("device.extensionAttribute1 -eq "
                                           "\"SAW\""));
  ASSERT_OK_AND_ASSIGN(DeviceFilter ne,
                       DeviceFilter::Parse("device.extensionAttribute1 -ne "
                                           "\"SAW\""));
  std::vector<DeviceInfo> devices = {
      kUnregistered,
      MakeDevice({{DeviceProperty::kIsCompliant, "True"},
                  {DeviceProperty::kExtensionAttribute1, "SAW"}}),
      MakeDevice({{DeviceProperty::kIsCompliant, "True"},
                  {DeviceProperty::kExtensionAttribute1, "Laptop"}}),
      MakeDevice({{DeviceProperty::kTrustType, "Workplace"},
                  {DeviceProperty::kExtensionAttribute1, "SAW"}}),
  };
  for (size_t i = 0; i < devices.size(); ++i) {
    EXPECT_EQ(FilterModeResult(eq.Evaluate(devices[i]), /*exclude_mode=*/true),
              FilterModeResult(ne.Evaluate(devices[i]), /*exclude_mode=*/false))
        << "device " << i;
  }
  EXPECT_EQ(FilterModeResult(eq.Evaluate(kUnregistered), true), Tri::kTrue);
}

// Two exclude-mode policies on complementary rules: for any value exactly
// one of them keeps the device in scope.
TEST(DeviceFilterTest, ComplementaryExcludeRulesScopeExactlyOne) {
  ASSERT_OK_AND_ASSIGN(DeviceFilter ne,
                       DeviceFilter::Parse("device.extensionAttribute3 -ne "
                                           "\"MFA Allowed\""));
  ASSERT_OK_AND_ASSIGN(DeviceFilter eq,
                       DeviceFilter::Parse("device.extensionAttribute3 -eq "
                                           "\"MFA Allowed\""));
  for (const char* value : {"MFA Allowed", "mfa allowed", "other"}) {
    DeviceInfo device =
        MakeDevice({{DeviceProperty::kIsCompliant, "True"},
                    {DeviceProperty::kExtensionAttribute3, value}});
    bool first = FilterModeResult(ne.Evaluate(device), true) == Tri::kTrue;
    bool second = FilterModeResult(eq.Evaluate(device), true) == Tri::kTrue;
    EXPECT_NE(first, second) << value;
  }
}

TEST(DeviceFilterTest, ExtensionAttributeRuleCanBeTurnedOff) {
  DeviceFilterOptions options;
  options.extension_attributes_need_management = false;
  ASSERT_OK_AND_ASSIGN(
      DeviceFilter filter,
      DeviceFilter::Parse("device.extensionAttribute1 -eq \"SAW\"", options));
  EXPECT_EQ(filter.Evaluate(
                MakeDevice({{DeviceProperty::kTrustType, "Workplace"},
                            {DeviceProperty::kExtensionAttribute1, "SAW"}})),
            Tri::kTrue);
}

TEST(DeviceFilterTest, ToStringNormalizes) {
  ASSERT_OK_AND_ASSIGN(
      DeviceFilter filter,
      DeviceFilter::Parse("  DEVICE.isCompliant   -EQ True -or "
                          "(device.trustType -eq 'Server\"AD')"));
  EXPECT_EQ(filter.ToString(),
            "(device.isCompliant -eq \"True\" -or device.trustType -eq "
            "\"Server\\\"AD\")");
  ASSERT_OK_AND_ASSIGN(DeviceFilter again,
                       DeviceFilter::Parse(filter.ToString()));
  EXPECT_EQ(again.ToString(), filter.ToString());
}

// A chain of one operator prints without nesting, so a chain longer than
// the nesting limit still parses again.
TEST(DeviceFilterTest, LongChainPrintsFlat) {
  std::string rule = "device.model -eq \"m0\"";
  for (int i = 1; i <= 100; ++i) {
    absl::StrAppend(&rule, " -and device.model -eq \"m", i, "\"");
  }
  ASSERT_OK_AND_ASSIGN(DeviceFilter filter, DeviceFilter::Parse(rule));
  EXPECT_EQ(filter.ToString(), absl::StrCat("(", rule, ")"));
  ASSERT_OK_AND_ASSIGN(DeviceFilter again, DeviceFilter::Parse(filter.ToString()));
  EXPECT_EQ(again.ToString(), filter.ToString());
}

TEST(DeviceFilterTest, ReportsExtensionUse) {
  ASSERT_OK_AND_ASSIGN(DeviceFilter plain,
                       DeviceFilter::Parse("device.model -eq \"x\""));
  ASSERT_OK_AND_ASSIGN(DeviceFilter extended,
                       DeviceFilter::Parse("device.model -match \"x\""));
  EXPECT_FALSE(plain.uses_extension());
  EXPECT_TRUE(extended.uses_extension());
}

struct ErrorCase {
  std::string name;
  std::string rule;
  std::string message;
};

class DeviceFilterErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(DeviceFilterErrorTest, Rejects) {
  const ErrorCase& c = GetParam();
  EXPECT_THAT(
      DeviceFilter::Parse(c.rule),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, DeviceFilterErrorTest,
    ::testing::Values(
        ErrorCase{"Empty", "   ", "column 4: empty rule"},
        ErrorCase{"UnknownOperator", "device.model -eqq \"x\"",
                  "column 14: unknown operator \"-eqq\""},
        ErrorCase{"UnknownProperty", "device.color -eq \"red\"",
                  "column 1: unknown device property \"device.color\""},
        ErrorCase{"MissingDevicePrefix", "model -eq \"x\"",
                  "column 1: unexpected \"model\"; expected a property"},
        ErrorCase{"OperatorNotAllowed",
                  "device.deviceOwnership -contains \"C\"",
                  "column 24: operator -contains cannot be used with "
                  "device.deviceOwnership; expected -eq or -ne"},
        ErrorCase{"CollectionEq", "device.systemLabels -eq \"CloudPC\"",
                  "expected -contains or -notContains"},
        ErrorCase{"InWithoutList", "device.deviceId -in \"a\"",
                  "column 21: operator -in needs a list"},
        ErrorCase{"ListAfterEq", "device.model -eq [\"a\"]",
                  "column 18: a list is only valid after -in or -notIn"},
        ErrorCase{"UnclosedParenthesis", "(device.model -eq \"a\"",
                  "column 1: unclosed \"(\""},
        ErrorCase{"UnclosedString", "device.model -eq \"abc",
                  "column 18: unterminated string"},
        ErrorCase{"UnclosedList", "device.deviceId -in [\"a\", \"b\"",
                  "column 21: unclosed \"[\""},
        ErrorCase{"TrailingText", "device.model -eq \"a\" device.model",
                  "column 22: unexpected \"device.model\"; expected -and, -or"},
        ErrorCase{"DanglingAnd", "device.model -eq \"a\" -and",
                  "column 26: unexpected end of rule"},
        ErrorCase{"NotOperator", "-not (device.model -eq \"a\")",
                  "column 1: operator -not is not supported"},
        ErrorCase{"BadCompliantValue", "device.isCompliant -eq \"yes\"",
                  "expected True or False"},
        ErrorCase{"NullWithStartsWith", "device.model -startsWith null",
                  "null can only be compared with -eq or -ne"},
        ErrorCase{"BadRegex", "device.model -match \"(\"",
                  "column 21: invalid regular expression"},
        ErrorCase{"TooLong",
                  "device.model -eq \"" + std::string(3060, 'a') + "\"",
                  "rule is 3079 characters long; expected at most 3072"},
        ErrorCase{"TooDeep",
                  std::string(65, '(') + "device.model -eq \"a\"" +
                      std::string(65, ')'),
                  "column 65: parentheses nest deeper than 64 levels"}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) {
      return info.param.name;
    });

TEST(DeviceFilterTest, MatchCanBeTurnedOff) {
  DeviceFilterOptions options;
  options.allow_match_operators = false;
  EXPECT_THAT(DeviceFilter::Parse("device.model -match \"x\"", options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("column 14: operator -match is an "
                                 "extension")));
}

TEST(DeviceFilterTest, RegexMemoryLimitApplies) {
  DeviceFilterOptions options;
  options.regex_max_memory = 1024;
  EXPECT_THAT(
      DeviceFilter::Parse("device.model -match \"((a{1,100}){1,100}){1,100}\"",
                          options),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("invalid regular expression")));
}

TEST(DeviceFilterTest, AcceptsMaximumLengthAndNesting) {
  std::string rule =
      std::string(64, '(') + "device.model -eq \"a\"" + std::string(64, ')');
  EXPECT_OK(DeviceFilter::Parse(rule));
  std::string long_rule =
      "device.model -eq \"" + std::string(3072 - 19, 'a') + "\"";
  ASSERT_EQ(long_rule.size(), 3072u);
  EXPECT_OK(DeviceFilter::Parse(long_rule));
}

}  // namespace
}  // namespace portcullis::access
