#include "nsg/validate.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nsg/model.h"
#include "proto/nsg.pb.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::nsg {
namespace {

using ::portcullis::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A rule Azure accepts: inbound TCP 22 from 203.0.113.0/24.
SecurityRule ValidRule(absl::string_view name, int priority) {
  SecurityRule rule;
  rule.set_name(std::string(name));
  rule.set_priority(priority);
  rule.set_direction(DIRECTION_INBOUND);
  rule.set_access(ACCESS_ALLOW);
  rule.set_protocol(PROTOCOL_TCP);
  rule.set_source_address_prefix("203.0.113.0/24");
  rule.set_source_port_range("*");
  rule.set_destination_address_prefix("*");
  rule.set_destination_port_range("22");
  return rule;
}

NetworkSecurityGroup NsgWith(std::vector<SecurityRule> rules) {
  NetworkSecurityGroup nsg;
  nsg.set_name("nsg1");
  for (SecurityRule& rule : rules) *nsg.add_security_rules() = std::move(rule);
  AddMissingDefaultRules(nsg);
  return nsg;
}

struct RuleCase {
  std::string name;
  std::function<void(SecurityRule&)> change;
  // Expected problems as "path|code", in order; empty when valid.
  std::vector<std::string> problems;
  // A part of the first problem's message, when there is one.
  std::string message_part;
};

std::vector<std::string> Summaries(const std::vector<Problem>& problems) {
  std::vector<std::string> out;
  for (const Problem& problem : problems) {
    out.push_back(absl::StrCat(problem.path, "|", problem.azure_error));
  }
  return out;
}

constexpr char kProps[] = "securityRules[0].properties.";

std::string At(absl::string_view field, absl::string_view code) {
  return absl::StrCat(kProps, field, "|", code);
}

class RuleValidationTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(RuleValidationTest, ReportsExpectedProblems) {
  const RuleCase& test_case = GetParam();
  SecurityRule rule = ValidRule("rule1", 100);
  test_case.change(rule);

  std::vector<Problem> problems = Validate(NsgWith({rule}));

  EXPECT_EQ(Summaries(problems), test_case.problems);
  if (!test_case.message_part.empty() && !problems.empty()) {
    EXPECT_THAT(problems[0].message, HasSubstr(test_case.message_part));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rules, RuleValidationTest,
    ::testing::ValuesIn(std::vector<RuleCase>{
        {"Valid", [](SecurityRule&) {}, {}, ""},
        {"PriorityLowestAllowed", [](SecurityRule& r) { r.set_priority(100); },
         {}, ""},
        {"PriorityHighestAllowed",
         [](SecurityRule& r) { r.set_priority(4096); }, {}, ""},
        {"PriorityBelowRange", [](SecurityRule& r) { r.set_priority(99); },
         {At("priority", "SecurityRuleInvalidPriority")},
         "invalid value 99; expected an integer between 100 and 4096"},
        {"PriorityAboveRange", [](SecurityRule& r) { r.set_priority(4097); },
         {At("priority", "SecurityRuleInvalidPriority")},
         "invalid value 4097"},
        {"PriorityDefaultRange",
         [](SecurityRule& r) { r.set_priority(65000); },
         {At("priority", "SecurityRuleInvalidPriority")}, ""},
        {"PriorityMissing", [](SecurityRule& r) { r.clear_priority(); },
         {At("priority", "SecurityRuleInvalidPriority")}, "missing"},
        {"ProtocolMissing",
         [](SecurityRule& r) { r.set_protocol(PROTOCOL_UNSPECIFIED); },
         {At("protocol", "SecurityRuleInvalidProtocol")}, "missing"},
        {"DirectionMissing",
         [](SecurityRule& r) { r.set_direction(DIRECTION_UNSPECIFIED); },
         {At("direction", "SecurityRuleInvalidDirection")}, ""},
        {"AccessMissing",
         [](SecurityRule& r) { r.set_access(ACCESS_UNSPECIFIED); },
         {At("access", "SecurityRuleInvalidAccessType")}, ""},
        {"NameEmpty", [](SecurityRule& r) { r.set_name(""); },
         {"securityRules[0].name|InvalidResourceName"}, ""},
        {"NameStartsWithDot", [](SecurityRule& r) { r.set_name(".ssh"); },
         {"securityRules[0].name|InvalidResourceName"},
         "invalid value \".ssh\""},
        {"NameEndsWithDash", [](SecurityRule& r) { r.set_name("ssh-"); },
         {"securityRules[0].name|InvalidResourceName"}, ""},
        {"NameEndsWithUnderscore", [](SecurityRule& r) { r.set_name("ssh_"); },
         {}, ""},
        {"NameWithSpace", [](SecurityRule& r) { r.set_name("allow ssh"); },
         {"securityRules[0].name|InvalidResourceName"}, ""},
        {"NameWithDotsAndDashes",
         [](SecurityRule& r) { r.set_name("Allow-SSH.from_office"); }, {}, ""},
        {"Name80Characters",
         [](SecurityRule& r) { r.set_name(std::string(80, 'a')); }, {}, ""},
        {"Name81Characters",
         [](SecurityRule& r) { r.set_name(std::string(81, 'a')); },
         {"securityRules[0].name|InvalidResourceName"}, ""},
        {"DescriptionTooLong",
         [](SecurityRule& r) { r.set_description(std::string(141, 'd')); },
         {At("description", "SecurityRuleInvalidDescription")}, "141"},
        {"CommaInPortString",
         [](SecurityRule& r) { r.set_destination_port_range("80,443"); },
         {At("destinationPortRange", "SecurityRuleInvalidPortRange")},
         "invalid value \"80,443\""},
        {"CommaSpaceInPortListItem",
         [](SecurityRule& r) {
           r.clear_destination_port_range();
           r.add_destination_port_ranges("636, 389");
         },
         {At("destinationPortRanges[0]", "SecurityRuleInvalidPortRange")},
         "separate items"},
        {"FileNameAsPort",
         [](SecurityRule& r) { r.set_source_port_range("README.md"); },
         {At("sourcePortRange", "SecurityRuleInvalidPortRange")}, ""},
        {"ReversedPortRange",
         [](SecurityRule& r) { r.set_destination_port_range("90-80"); },
         {At("destinationPortRange", "SecurityRuleInvalidPortRange")}, ""},
        {"PortAbove65535",
         [](SecurityRule& r) { r.set_destination_port_range("65536"); },
         {At("destinationPortRange", "SecurityRuleInvalidPortRange")}, ""},
        {"PortZeroAndMax",
         [](SecurityRule& r) { r.set_destination_port_range("0-65535"); }, {},
         ""},
        {"PortListValid",
         [](SecurityRule& r) {
           r.clear_destination_port_range();
           r.add_destination_port_ranges("80");
           r.add_destination_port_ranges("443");
           r.add_destination_port_ranges("8080-8090");
         },
         {}, ""},
        {"StarInPortList",
         [](SecurityRule& r) {
           r.clear_destination_port_range();
           r.add_destination_port_ranges("*");
         },
         {At("destinationPortRanges[0]",
             "SecurityRuleParameterContainsInvalidPortRanges")},
         ""},
        {"BothPortFormsSet",
         [](SecurityRule& r) { r.add_destination_port_ranges("443"); },
         {At("destinationPortRanges", "SecurityRuleParametersConflict")},
         "both destinationPortRange and destinationPortRanges"},
        {"NoPortGiven",
         [](SecurityRule& r) { r.clear_source_port_range(); },
         {At("sourcePortRange", "SecurityRuleParametersMissing")}, ""},
        {"NoSourceAddress",
         [](SecurityRule& r) { r.clear_source_address_prefix(); },
         {At("sourceAddressPrefix", "SecurityRuleParametersMissing")},
         "sourceApplicationSecurityGroups"},
        {"BothAddressFormsSet",
         [](SecurityRule& r) { r.add_source_address_prefixes("192.0.2.0/24"); },
         {At("sourceAddressPrefix", "SecurityRuleParametersConflict")}, ""},
        {"PrefixAndGroupSet",
         [](SecurityRule& r) {
           r.add_destination_application_security_groups("/asg/web");
         },
         {At("destinationAddressPrefix", "SecurityRuleParametersConflict")},
         ""},
        {"GroupOnly",
         [](SecurityRule& r) {
           r.clear_destination_address_prefix();
           r.add_destination_application_security_groups("/asg/web");
         },
         {}, ""},
        {"HostBitsSet",
         [](SecurityRule& r) { r.set_source_address_prefix("203.0.113.68/27"); },
         {At("sourceAddressPrefix", "SecurityRuleInvalidAddressPrefix")},
         "host bits are set; expected 203.0.113.64/27"},
        {"PrefixLengthTooLong",
         [](SecurityRule& r) { r.set_source_address_prefix("192.168.0.0/34"); },
         {At("sourceAddressPrefix", "SecurityRuleInvalidAddressPrefix")},
         "valid length"},
        {"MalformedAddress",
         [](SecurityRule& r) { r.set_source_address_prefix("10.0.0/0/16"); },
         {At("sourceAddressPrefix", "SecurityRuleInvalidAddressPrefix")}, ""},
        {"AnyInsteadOfStar",
         [](SecurityRule& r) { r.set_source_address_prefix("any"); },
         {At("sourceAddressPrefix", "SecurityRuleInvalidAddressPrefix")},
         "expected \"*\""},
        {"ClassicTagName",
         [](SecurityRule& r) { r.set_source_address_prefix("VIRTUAL_NETWORK"); },
         {At("sourceAddressPrefix", "SecurityRuleInvalidAddressPrefix")}, ""},
        {"ServiceTagSingular",
         [](SecurityRule& r) { r.set_source_address_prefix("Storage.WestUS"); },
         {}, ""},
        {"Ipv6Prefix",
         [](SecurityRule& r) { r.set_source_address_prefix("2001:db8::/64"); },
         {}, ""},
        {"Ipv6HostBits",
         [](SecurityRule& r) { r.set_source_address_prefix("2001:db8::1/64"); },
         {At("sourceAddressPrefix", "SecurityRuleInvalidAddressPrefix")},
         "expected 2001:db8::/64"},
        {"SingleAddressSlash32",
         [](SecurityRule& r) { r.set_source_address_prefix("198.51.100.7/32"); },
         {}, ""},
        {"EverythingSlash0",
         [](SecurityRule& r) { r.set_source_address_prefix("0.0.0.0/0"); }, {},
         ""},
        {"TagInPlural",
         [](SecurityRule& r) {
           r.clear_destination_address_prefix();
           r.add_destination_address_prefixes("192.0.2.0/24");
           r.add_destination_address_prefixes("VirtualNetwork");
         },
         {At("destinationAddressPrefixes[1]",
             "SecurityRuleParameterContainsUnsupportedValue")},
         "invalid value \"VirtualNetwork\""},
        {"InternetAloneInPlural",
         [](SecurityRule& r) {
           r.clear_source_address_prefix();
           r.add_source_address_prefixes("Internet");
         },
         {At("sourceAddressPrefixes[0]",
             "SecurityRuleParameterContainsUnsupportedValue")},
         ""},
        {"StarInPlural",
         [](SecurityRule& r) {
           r.clear_source_address_prefix();
           r.add_source_address_prefixes("*");
         },
         {At("sourceAddressPrefixes[0]",
             "SecurityRuleParameterContainsUnsupportedValue")},
         ""},
        {"MixedFamiliesAcrossSides",
         [](SecurityRule& r) {
           r.set_source_address_prefix("198.51.100.0/24");
           r.set_destination_address_prefix("2001:db8::1");
         },
         {At("destinationAddressPrefix",
             "ResourceCannotContainAddressPrefixesFromDifferentAddressFamilies")},
         "invalid value \"2001:db8::1\": an IPv6 prefix in a rule whose "
         "sourceAddressPrefix \"198.51.100.0/24\" is IPv4"},
        {"MixedFamiliesInPlural",
         [](SecurityRule& r) {
           r.clear_source_address_prefix();
           r.add_source_address_prefixes("2001:db8::/32");
           r.add_source_address_prefixes("203.0.113.0/24");
         },
         {At("sourceAddressPrefixes[1]",
             "ResourceCannotContainAddressPrefixesFromDifferentAddressFamilies")},
         "is IPv6"},
        {"OneFamilyWithTagsIsFine",
         [](SecurityRule& r) {
           r.set_source_address_prefix("2001:db8::/32");
           r.set_destination_address_prefix("VirtualNetwork");
         },
         {}, ""},
        {"OverlapInPlural",
         [](SecurityRule& r) {
           r.clear_source_address_prefix();
           r.add_source_address_prefixes("198.51.100.0/24");
           r.add_source_address_prefixes("198.51.100.22/32");
         },
         {At("sourceAddressPrefixes[1]",
             "OverlappingSubnetsNotPermittedInSecurityRule")},
         "198.51.100.22/32 overlaps 198.51.100.0/24 at sourceAddressPrefixes[0]"},
        {"OverlapListedWideLast",
         [](SecurityRule& r) {
           r.clear_source_address_prefix();
           r.add_source_address_prefixes("198.51.100.128/25");
           r.add_source_address_prefixes("192.0.2.0/24");
           r.add_source_address_prefixes("198.51.100.0/24");
         },
         {At("sourceAddressPrefixes[0]",
             "OverlappingSubnetsNotPermittedInSecurityRule")},
         ""},
        {"DuplicateInPlural",
         [](SecurityRule& r) {
           r.clear_source_address_prefix();
           r.add_source_address_prefixes("192.0.2.1");
           r.add_source_address_prefixes("192.0.2.1/32");
         },
         {At("sourceAddressPrefixes[1]",
             "OverlappingSubnetsNotPermittedInSecurityRule")},
         ""},
        {"AdjacentInPluralIsFine",
         [](SecurityRule& r) {
           r.clear_source_address_prefix();
           r.add_source_address_prefixes("198.51.100.0/25");
           r.add_source_address_prefixes("198.51.100.128/25");
         },
         {}, ""},
        {"PlatformDnsAllow",
         [](SecurityRule& r) {
           r.set_direction(DIRECTION_OUTBOUND);
           r.set_destination_address_prefix("AzurePlatformDNS");
         },
         {At("access", "SecurityRuleInvalidAccessType")}, "expected Deny"},
        {"PlatformDnsDeny",
         [](SecurityRule& r) {
           r.set_direction(DIRECTION_OUTBOUND);
           r.set_access(ACCESS_DENY);
           r.set_destination_address_prefix("AzurePlatformDNS");
         },
         {}, ""},
    }),
    [](const ::testing::TestParamInfo<RuleCase>& info) {
      return info.param.name;
    });

TEST(ValidateNsgTest, SamePriorityBothDirectionsIsFine) {
  SecurityRule inbound = ValidRule("in100", 100);
  SecurityRule outbound = ValidRule("out100", 100);
  outbound.set_direction(DIRECTION_OUTBOUND);

  EXPECT_THAT(Validate(NsgWith({inbound, outbound})), IsEmpty());
}

TEST(ValidateNsgTest, SamePrioritySameDirectionConflicts) {
  std::vector<Problem> problems =
      Validate(NsgWith({ValidRule("first", 100), ValidRule("second", 100)}));

  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, "securityRules[1].properties.priority");
  EXPECT_EQ(problems[0].azure_error, "SecurityRuleConflict");
  EXPECT_THAT(problems[0].message,
              HasSubstr("\"second\" conflicts with rule \"first\""));
}

TEST(ValidateNsgTest, DuplicateNamesIgnoringCase) {
  std::vector<Problem> problems =
      Validate(NsgWith({ValidRule("AllowSsh", 100), ValidRule("allowssh", 200)}));

  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, "securityRules[1].name");
  EXPECT_EQ(problems[0].azure_error, "DuplicateResourceName");
}

TEST(ValidateNsgTest, UsesImportedPaths) {
  SecurityRule rule = ValidRule("rule1", 5000);
  rule.mutable_origin()->set_object_path("resources[1].properties.securityRules[3]");
  rule.mutable_origin()->set_properties_path(
      "resources[1].properties.securityRules[3].properties");

  std::vector<Problem> problems = Validate(NsgWith({rule}));

  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].ToString(),
            "resources[1].properties.securityRules[3].properties.priority: "
            "invalid value 5000; expected an integer between 100 and 4096 "
            "(SecurityRuleInvalidPriority)");
}

TEST(ValidateNsgTest, ReportsEveryProblemOfOneRule) {
  SecurityRule rule = ValidRule("bad name!", 50);
  rule.set_destination_port_range("22,3389");

  std::vector<Problem> problems = Validate(NsgWith({rule}));

  EXPECT_THAT(problems,
              ElementsAre(Field(&Problem::azure_error, "InvalidResourceName"),
                          Field(&Problem::azure_error,
                                "SecurityRuleInvalidPriority"),
                          Field(&Problem::azure_error,
                                "SecurityRuleInvalidPortRange")));
}

TEST(ValidateNsgTest, DefaultRulesAreValid) {
  EXPECT_THAT(Validate(NsgWith({})), IsEmpty());
}

TEST(ValidateNsgTest, DefaultRuleWithUserPriorityIsReported) {
  NetworkSecurityGroup nsg = NsgWith({});
  nsg.mutable_default_security_rules(0)->set_priority(100);

  std::vector<Problem> problems = Validate(nsg);

  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, "defaultSecurityRules[0].properties.priority");
}

TEST(ValidateNsgTest, RuleCountLimit) {
  std::vector<SecurityRule> rules;
  for (int i = 0; i < kMaxRulesPerNsg + 1; ++i) {
    SecurityRule rule = ValidRule(absl::StrCat("rule", i), 100 + i % 3997);
    rule.set_direction(i < 3997 ? DIRECTION_INBOUND : DIRECTION_OUTBOUND);
    rules.push_back(rule);
  }
  EXPECT_THAT(Validate(NsgWith(rules)),
              ElementsAre(Field(&Problem::azure_error,
                                "SecurityRuleCountLimitReached")));

  rules.pop_back();
  EXPECT_THAT(Validate(NsgWith(rules)), IsEmpty());
}

TEST(ValidateNsgTest, PrefixCountLimitPerSide) {
  // 4 rules of 1,000 source prefixes each reach the limit exactly; one more
  // prefix crosses it. Destinations stay at one entry per rule.
  std::vector<SecurityRule> rules;
  for (int r = 0; r < 4; ++r) {
    SecurityRule rule = ValidRule(absl::StrCat("rule", r), 100 + r);
    rule.clear_source_address_prefix();
    for (int i = 0; i < 1000; ++i) {
      rule.add_source_address_prefixes(
          absl::StrCat("10.", r, ".", i / 256, ".", i % 256));
    }
    rules.push_back(rule);
  }
  EXPECT_THAT(Validate(NsgWith(rules)), IsEmpty());

  rules.push_back(ValidRule("one_more", 200));
  std::vector<Problem> problems = Validate(NsgWith(rules));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].azure_error, "SecurityRuleAddressPrefixCountLimitReached");
  EXPECT_THAT(problems[0].message, HasSubstr("4001 source addresses"));
}

TEST(ProblemsToStatusTest, ListsEveryProblem) {
  EXPECT_OK(ProblemsToStatus({}));
  EXPECT_THAT(
      ProblemsToStatus({{"a.priority", "SecurityRuleInvalidPriority", "bad"},
                        {"b.name", "InvalidResourceName", "worse"}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "2 problems:\na.priority: bad (SecurityRuleInvalidPriority)\n"
               "b.name: worse (InvalidResourceName)"));
}

}  // namespace
}  // namespace portcullis::nsg
