#include "nsg/import.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nsg/model.h"
#include "proto/nsg.pb.h"
#include "tests/testing/shared_data.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::nsg {
namespace {

using ::portcullis::testing::IsOk;
using ::portcullis::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const SecurityRule* FindRule(const NetworkSecurityGroup& nsg,
                             absl::string_view name) {
  for (const SecurityRule& rule : nsg.security_rules()) {
    if (rule.name() == name) return &rule;
  }
  for (const SecurityRule& rule : nsg.default_security_rules()) {
    if (rule.name() == name) return &rule;
  }
  return nullptr;
}

std::vector<std::string> RuleNames(const NetworkSecurityGroup& nsg) {
  std::vector<std::string> names;
  for (const SecurityRule& rule : nsg.security_rules()) {
    names.push_back(rule.name());
  }
  return names;
}

std::vector<std::string> ProblemSummaries(const ImportResult& result) {
  std::vector<std::string> out;
  for (const Problem& problem : result.problems) {
    out.push_back(absl::StrCat(problem.path, "|", problem.azure_error));
  }
  return out;
}

// One rule in the REST shape, with `properties`.
constexpr char kRestRule[] = R"({
  "name": "allow-ssh",
  "id": "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/web-nsg/securityRules/allow-ssh",
  "type": "Microsoft.Network/networkSecurityGroups/securityRules",
  "properties": {
    "provisioningState": "Succeeded",
    "protocol": "Tcp",
    "sourcePortRange": "*",
    "destinationPortRange": "22",
    "sourceAddressPrefix": "203.0.113.0/24",
    "destinationAddressPrefix": "*",
    "access": "Allow",
    "priority": 100,
    "direction": "Inbound",
    "sourcePortRanges": [],
    "destinationPortRanges": [],
    "sourceAddressPrefixes": [],
    "destinationAddressPrefixes": []
  }
})";

struct ShapeCase {
  std::string name;
  std::string json;
  std::string format;
  // Expected NSG names and, for the first NSG, its user rule names.
  std::vector<std::string> nsg_names;
  std::vector<std::string> rule_names;
};

class ImportShapeTest : public ::testing::TestWithParam<ShapeCase> {};

TEST_P(ImportShapeTest, ImportsNsgsAndRules) {
  const ShapeCase& test_case = GetParam();

  absl::StatusOr<ImportResult> result = ImportNsgs(test_case.json);

  ASSERT_THAT(result, IsOk());
  EXPECT_THAT(result->problems, IsEmpty()) << result->ToStatus();
  EXPECT_TRUE(result->ok());
  EXPECT_EQ(result->format, test_case.format);
  std::vector<std::string> names;
  for (const NetworkSecurityGroup& nsg : result->nsgs) names.push_back(nsg.name());
  EXPECT_EQ(names, test_case.nsg_names);
  ASSERT_FALSE(result->nsgs.empty());
  EXPECT_EQ(RuleNames(result->nsgs[0]), test_case.rule_names);
  // Azure's six default rules are always present.
  EXPECT_EQ(result->nsgs[0].default_security_rules_size(), 6);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ImportShapeTest,
    ::testing::ValuesIn(std::vector<ShapeCase>{
        {"RestResourceWithoutDefaults",
         absl::StrCat(R"({"name": "web-nsg", "location": "westus",
             "type": "Microsoft.Network/networkSecurityGroups",
             "properties": {"securityRules": [)",
                      kRestRule, "]}}"),
         "resource",
         {"web-nsg"},
         {"allow-ssh"}},
        {"RestResourceWithDefaults",
         absl::StrCat(R"({"name": "web-nsg", "properties": {
             "securityRules": [)",
                      kRestRule, R"(],
             "defaultSecurityRules": [{
               "name": "DenyAllInBound",
               "id": "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/web-nsg/defaultSecurityRules/DenyAllInBound",
               "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
               "properties": {"protocol": "*", "sourcePortRange": "*",
                 "destinationPortRange": "*", "sourceAddressPrefix": "*",
                 "destinationAddressPrefix": "*", "access": "Deny",
                 "priority": 65500, "direction": "Inbound"}}]}})"),
         "resource",
         {"web-nsg"},
         {"allow-ssh"}},
        {"AzCliFlattenedNsg",
         R"({"name": "web-nsg", "resourceGroup": "rg1", "flushConnection": false,
             "securityRules": [{"name": "allow-rdp", "access": "Allow",
               "direction": "Inbound", "priority": 300, "protocol": "TCP",
               "sourceAddressPrefix": "198.51.100.0/24", "sourceAddressPrefixes": [],
               "sourcePortRange": "*", "sourcePortRanges": [],
               "destinationAddressPrefix": "*", "destinationAddressPrefixes": [],
               "destinationPortRange": "3389", "destinationPortRanges": [],
               "sourceApplicationSecurityGroups": null}],
             "defaultSecurityRules": []})",
         "resource",
         {"web-nsg"},
         {"allow-rdp"}},
        {"RestRequestEnvelope",
         absl::StrCat(R"({"parameters": {"api-version": "2024-05-01",
             "networkSecurityGroupName": "web-nsg",
             "parameters": {"location": "eastus", "properties": {
               "securityRules": [)",
                      kRestRule, R"(]}}}, "responses": {"202": {}}})"),
         "rest example",
         {"web-nsg"},
         {"allow-ssh"}},
        {"RestResponse201",
         absl::StrCat(R"({"parameters": {}, "responses": {"201": {"body": {
             "name": "web-nsg", "properties": {"securityRules": [)",
                      kRestRule, "]}}}}}"),
         "rest example",
         {"web-nsg"},
         {"allow-ssh"}},
        {"SingleRuleResource", kRestRule, "rule", {"web-nsg"}, {"allow-ssh"}},
        {"RuleRequestEnvelope",
         R"({"parameters": {"networkSecurityGroupName": "web-nsg",
             "securityRuleName": "deny-out",
             "securityRuleParameters": {"properties": {"protocol": "*",
               "sourceAddressPrefix": "192.0.2.0/24",
               "destinationAddressPrefix": "198.51.100.0/24", "access": "Deny",
               "destinationPortRange": "8080", "sourcePortRange": "*",
               "priority": 100, "direction": "Outbound"}}},
             "responses": {}})",
         "rest example",
         {"web-nsg"},
         {"deny-out"}},
        {"RuleListArray",
         absl::StrCat("[", kRestRule, R"(, {"name": "allow-https",
             "id": "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/web-nsg/securityRules/allow-https",
             "access": "Allow", "direction": "Inbound", "priority": 110,
             "protocol": "Tcp", "sourceAddressPrefix": "Internet",
             "sourcePortRange": "*", "destinationAddressPrefix": "*",
             "destinationPortRange": "443"}])"),
         "rule list",
         {"web-nsg"},
         {"allow-ssh", "allow-https"}},
        {"NsgListEnvelope",
         R"({"value": [
             {"name": "first", "properties": {"securityRules": []}},
             {"name": "second", "properties": {"securityRules": []}}]})",
         "resource list",
         {"first", "second"},
         {}},
        {"EffectiveRules",
         R"({"value": [{"networkSecurityGroup": {"id": "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/nic-nsg"},
             "effectiveSecurityRules": [
               {"name": "securityRules/allow-ssh", "protocol": "Tcp",
                "sourcePortRange": "0-65535", "destinationPortRange": "22-22",
                "sourceAddressPrefix": "203.0.113.0/24",
                "destinationAddressPrefix": "0.0.0.0/0", "access": "Allow",
                "priority": 100, "direction": "Inbound"},
               {"name": "defaultSecurityRules/DenyAllInBound", "protocol": "All",
                "sourcePortRange": "0-65535", "destinationPortRange": "0-65535",
                "sourceAddressPrefix": "0.0.0.0/0",
                "destinationAddressPrefix": "0.0.0.0/0", "access": "Deny",
                "priority": 65500, "direction": "Inbound"}]}]})",
         "effective rules",
         {"nic-nsg"},
         {"allow-ssh"}},
    }),
    [](const ::testing::TestParamInfo<ShapeCase>& info) {
      return info.param.name;
    });

TEST(ImportRuleFieldsTest, MapsEveryField) {
  ASSERT_OK_AND_ASSIGN(ImportResult result, ImportNsgs(R"({"name": "nsg1",
      "properties": {"flushConnection": true, "securityRules": [{
        "name": "web", "properties": {
          "description": "web traffic", "protocol": "Udp",
          "sourcePortRanges": ["1024-65535"],
          "destinationPortRanges": ["80", "443"],
          "sourceAddressPrefixes": ["192.0.2.0/24", "198.51.100.0/24"],
          "destinationApplicationSecurityGroups": [
            {"id": "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Network/applicationSecurityGroups/web"}],
          "access": "Deny", "priority": "4096", "direction": "Outbound"}}]}})"));
  ASSERT_TRUE(result.ok()) << result.ToStatus();
  const NetworkSecurityGroup& nsg = result.nsgs[0];
  EXPECT_TRUE(nsg.flush_connection());
  const SecurityRule& rule = nsg.security_rules(0);

  EXPECT_EQ(rule.description(), "web traffic");
  EXPECT_EQ(rule.protocol(), PROTOCOL_UDP);
  EXPECT_EQ(rule.access(), ACCESS_DENY);
  EXPECT_EQ(rule.direction(), DIRECTION_OUTBOUND);
  EXPECT_EQ(rule.priority(), 4096);
  EXPECT_THAT(rule.source_port_ranges(), ElementsAre("1024-65535"));
  EXPECT_THAT(rule.destination_port_ranges(), ElementsAre("80", "443"));
  EXPECT_THAT(rule.source_address_prefixes(),
              ElementsAre("192.0.2.0/24", "198.51.100.0/24"));
  EXPECT_THAT(rule.destination_application_security_groups(),
              ElementsAre("/subscriptions/sub1/resourceGroups/rg1/providers/"
                          "Microsoft.Network/applicationSecurityGroups/web"));
  EXPECT_EQ(rule.origin().object_path(), "properties.securityRules[0]");
  EXPECT_EQ(rule.origin().properties_path(),
            "properties.securityRules[0].properties");
}

struct ProtocolCase {
  std::string text;
  Protocol protocol;
};

class ImportProtocolTest : public ::testing::TestWithParam<ProtocolCase> {};

TEST_P(ImportProtocolTest, ProtocolNamesIgnoreCase) {
  std::string json = absl::StrCat(
      R"([{"name": "r", "priority": 100, "direction": "inbound",
          "access": "ALLOW", "sourceAddressPrefix": "*",
          "sourcePortRange": "*", "destinationAddressPrefix": "*",
          "destinationPortRange": "*", "protocol": ")",
      GetParam().text, "\"}]");

  ASSERT_OK_AND_ASSIGN(ImportResult result, ImportNsgs(json));

  EXPECT_TRUE(result.ok()) << result.ToStatus();
  EXPECT_EQ(result.nsgs[0].security_rules(0).protocol(), GetParam().protocol);
}

INSTANTIATE_TEST_SUITE_P(
    Protocols, ImportProtocolTest,
    ::testing::Values(ProtocolCase{"Tcp", PROTOCOL_TCP},
                      ProtocolCase{"TCP", PROTOCOL_TCP},
                      ProtocolCase{"tcp", PROTOCOL_TCP},
                      ProtocolCase{"Udp", PROTOCOL_UDP},
                      ProtocolCase{"ICMP", PROTOCOL_ICMP},
                      ProtocolCase{"Esp", PROTOCOL_ESP},
                      ProtocolCase{"AH", PROTOCOL_AH},
                      ProtocolCase{"*", PROTOCOL_ANY},
                      ProtocolCase{"Any", PROTOCOL_ANY}),
    [](const ::testing::TestParamInfo<ProtocolCase>& info) {
      std::string name = info.param.text == "*" ? "Star" : info.param.text;
      return absl::StrCat(name, info.index);
    });

struct ProblemCase {
  std::string name;
  // Fields of rule "r" (inside "properties"), replacing the valid defaults.
  std::string properties;
  std::vector<std::string> problems;
  std::string message_part;
};

class ImportProblemTest : public ::testing::TestWithParam<ProblemCase> {};

TEST_P(ImportProblemTest, ReportsProblemWithPath) {
  std::string json = absl::StrCat(
      R"({"name": "nsg1", "properties": {"securityRules": [
          {"name": "ok", "properties": {"protocol": "Tcp", "priority": 100,
           "direction": "Inbound", "access": "Allow", "sourcePortRange": "*",
           "destinationPortRange": "22", "sourceAddressPrefix": "*",
           "destinationAddressPrefix": "*"}},
          {"name": "r", "properties": {)",
      GetParam().properties, "}}]}}");

  ASSERT_OK_AND_ASSIGN(ImportResult result, ImportNsgs(json));

  EXPECT_FALSE(result.ok());
  EXPECT_EQ(ProblemSummaries(result), GetParam().problems);
  ASSERT_FALSE(result.problems.empty());
  EXPECT_THAT(result.problems[0].message, HasSubstr(GetParam().message_part));
  EXPECT_THAT(result.ToStatus(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().problems[0].substr(
                           0, GetParam().problems[0].find('|')))));
}

constexpr char kRest[] =
    R"("sourcePortRange": "*", "destinationPortRange": "22",
       "sourceAddressPrefix": "*", "destinationAddressPrefix": "*")";

INSTANTIATE_TEST_SUITE_P(
    Problems, ImportProblemTest,
    ::testing::ValuesIn(std::vector<ProblemCase>{
        {"UnknownProtocol",
         absl::StrCat(R"("protocol": "Gre", "priority": 200,
             "direction": "Inbound", "access": "Allow", )",
                      kRest),
         {"properties.securityRules[1].properties.protocol|"
          "SecurityRuleInvalidProtocol"},
         "invalid protocol \"Gre\"; expected Tcp, Udp, Icmp, Esp, Ah or *"},
        {"PriorityNotNumber",
         absl::StrCat(R"("protocol": "Tcp", "priority": "high",
             "direction": "Inbound", "access": "Allow", )",
                      kRest),
         {"properties.securityRules[1].properties.priority|"
          "SecurityRuleInvalidPriority"},
         "invalid value \"high\"; expected an integer between 100 and 4096"},
        {"PriorityFraction",
         absl::StrCat(R"("protocol": "Tcp", "priority": 200.5,
             "direction": "Inbound", "access": "Allow", )",
                      kRest),
         {"properties.securityRules[1].properties.priority|"
          "SecurityRuleInvalidPriority"},
         "200.5"},
        {"PriorityRoundedUpToInteger",
         absl::StrCat(R"("protocol": "Tcp", "priority": 99.99999999999999999,
             "direction": "Inbound", "access": "Allow", )",
                      kRest),
         {"properties.securityRules[1].properties.priority|"
          "SecurityRuleInvalidPriority"},
         "invalid value 99.99999999999999999; expected an integer between 100 "
         "and 4096"},
        {"PriorityRoundedDownToInteger",
         absl::StrCat(R"("protocol": "Tcp", "priority": 4096.0000000000001,
             "direction": "Inbound", "access": "Allow", )",
                      kRest),
         {"properties.securityRules[1].properties.priority|"
          "SecurityRuleInvalidPriority"},
         "invalid value 4096.0000000000001"},
        {"PriorityExponent",
         absl::StrCat(R"("protocol": "Tcp", "priority": 2e2,
             "direction": "Inbound", "access": "Allow", )",
                      kRest),
         {"properties.securityRules[1].properties.priority|"
          "SecurityRuleInvalidPriority"},
         "invalid value 2e2"},
        {"PriorityOutOfRange",
         absl::StrCat(R"("protocol": "Tcp", "priority": 5000,
             "direction": "Inbound", "access": "Allow", )",
                      kRest),
         {"properties.securityRules[1].properties.priority|"
          "SecurityRuleInvalidPriority"},
         "invalid value 5000; expected an integer between 100 and 4096"},
        {"SamePrioritySameDirection",
         absl::StrCat(R"("protocol": "Tcp", "priority": 100,
             "direction": "Inbound", "access": "Deny", )",
                      kRest),
         {"properties.securityRules[1].properties.priority|"
          "SecurityRuleConflict"},
         "\"r\" conflicts with rule \"ok\""},
        {"UnknownDirection",
         absl::StrCat(R"("protocol": "Tcp", "priority": 200,
             "direction": "Sideways", "access": "Allow", )",
                      kRest),
         {"properties.securityRules[1].properties.direction|"
          "SecurityRuleInvalidDirection"},
         "\"Sideways\""},
        {"PrefixNotString",
         R"("protocol": "Tcp", "priority": 200, "direction": "Inbound",
            "access": "Allow", "sourcePortRange": "*",
            "destinationPortRange": "22", "sourceAddressPrefix": 10,
            "destinationAddressPrefix": "*")",
         {"properties.securityRules[1].properties.sourceAddressPrefix|"
          "SecurityRuleInvalidAddressPrefix"},
         "invalid value 10; expected a string"},
        {"CommaPorts",
         R"("protocol": "Tcp", "priority": 200, "direction": "Inbound",
            "access": "Allow", "sourcePortRange": "*",
            "destinationPortRange": "25,587,25028",
            "sourceAddressPrefix": "*", "destinationAddressPrefix": "*")",
         {"properties.securityRules[1].properties.destinationPortRange|"
          "SecurityRuleInvalidPortRange"},
         "invalid value \"25,587,25028\""},
        {"TagInArray",
         R"("protocol": "Tcp", "priority": 200, "direction": "Inbound",
            "access": "Allow", "sourcePortRange": "*",
            "destinationPortRange": "22",
            "sourceAddressPrefixes": ["VirtualNetwork", "192.0.2.0/24"],
            "destinationAddressPrefix": "*")",
         {"properties.securityRules[1].properties.sourceAddressPrefixes[0]|"
          "SecurityRuleParameterContainsUnsupportedValue"},
         "\"VirtualNetwork\""},
        {"HostBits",
         R"("protocol": "Tcp", "priority": 200, "direction": "Inbound",
            "access": "Allow", "sourcePortRange": "*",
            "destinationPortRange": "22",
            "sourceAddressPrefix": "198.51.100.68/27",
            "destinationAddressPrefix": "*")",
         {"properties.securityRules[1].properties.sourceAddressPrefix|"
          "SecurityRuleInvalidAddressPrefix"},
         "expected 198.51.100.64/27"},
        {"MissingEverything", R"("description": "nothing else")",
         {"properties.securityRules[1].properties.priority|"
          "SecurityRuleInvalidPriority",
          "properties.securityRules[1].properties.protocol|"
          "SecurityRuleInvalidProtocol",
          "properties.securityRules[1].properties.direction|"
          "SecurityRuleInvalidDirection",
          "properties.securityRules[1].properties.access|"
          "SecurityRuleInvalidAccessType",
          "properties.securityRules[1].properties.sourcePortRange|"
          "SecurityRuleParametersMissing",
          "properties.securityRules[1].properties.sourceAddressPrefix|"
          "SecurityRuleParametersMissing",
          "properties.securityRules[1].properties.destinationPortRange|"
          "SecurityRuleParametersMissing",
          "properties.securityRules[1].properties.destinationAddressPrefix|"
          "SecurityRuleParametersMissing"},
         "missing"},
        {"GroupWithoutId",
         R"("protocol": "Tcp", "priority": 200, "direction": "Inbound",
            "access": "Allow", "sourcePortRange": "*",
            "destinationPortRange": "22", "sourceAddressPrefix": "*",
            "destinationApplicationSecurityGroups": [{"name": "web"}])",
         {"properties.securityRules[1].properties."
          "destinationApplicationSecurityGroups[0]|InvalidRequestFormat",
          "properties.securityRules[1].properties.destinationAddressPrefix|"
          "SecurityRuleParametersMissing"},
         "\"id\""},
        {"GroupByName",
         R"("protocol": "Tcp", "priority": 200, "direction": "Inbound",
            "access": "Allow", "sourcePortRange": "*",
            "destinationPortRange": "22", "sourceAddressPrefix": "*",
            "destinationApplicationSecurityGroups": [{"id": "asg-web"}])",
         {"properties.securityRules[1].properties."
          "destinationApplicationSecurityGroups[0].id|InvalidRequestFormat",
          "properties.securityRules[1].properties.destinationAddressPrefix|"
          "SecurityRuleParametersMissing"},
         "invalid application security group id \"asg-web\""},
    }),
    [](const ::testing::TestParamInfo<ProblemCase>& info) {
      return info.param.name;
    });

TEST(ImportDocumentTest, RejectsTextThatIsNotJson) {
  EXPECT_THAT(ImportNsgs("{\"name\": "),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid JSON")));
}

TEST(ImportDocumentTest, RejectsUnrecognizedDocument) {
  EXPECT_THAT(ImportNsgs(R"({"kind": "Basic", "properties": {}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a network security group")));
  EXPECT_THAT(ImportNsgs("[1, 2]"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("[0]: invalid value 1")));
}

// An ARM list page whose nextLink names a next page misses the rules on the
// other pages.
TEST(ImportDocumentTest, RejectsPageOfPagedList) {
  EXPECT_THAT(
      ImportNsgs(absl::StrCat(R"({"value": [)", kRestRule,
                              R"(], "nextLink": "https://management.azure.com/p2"})")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("nextLink: the file is one page of a paged Azure "
                         "Resource Manager list")));
  EXPECT_THAT(ImportNsgs(absl::StrCat(R"({"value": [)", kRestRule,
                                      R"(], "nextLink": null})")),
              IsOk());
}

TEST(ImportDocumentTest, ReadsByteOrderMarkAndUtf16) {
  std::string utf8 = absl::StrCat("\xEF\xBB\xBF", kRestRule);
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string(kRestRule)) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }

  for (const std::string& bytes : {utf8, utf16}) {
    ASSERT_OK_AND_ASSIGN(ImportResult result, ImportNsgs(bytes));
    EXPECT_TRUE(result.ok()) << result.ToStatus();
    EXPECT_EQ(result.nsgs[0].security_rules(0).name(), "allow-ssh");
  }
}

TEST(ImportDocumentTest, RejectsUtf16WithoutByteOrderMark) {
  std::string utf16;
  for (char c : std::string(kRestRule)) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  absl::StatusOr<ImportResult> result = ImportNsgs(utf16);
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("looks like UTF-16LE without a "
                                         "byte-order mark")));
  EXPECT_THAT(result.status().message(),
              ::testing::Not(HasSubstr(std::string(1, '\0'))));
}

TEST(ImportDocumentTest, NamesPathOfNumberOutOfRange) {
  EXPECT_THAT(
      ImportNsgs(R"({"name": "nsg1", "properties": {"securityRules": [
          {"name": "r", "properties": {"priority": 1e400}}]}})"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("properties.securityRules[0].properties.priority: "
                         "invalid value 1e400")));
}

TEST(ImportDocumentTest, ChoosesNsgByNameIgnoringCase) {
  constexpr char kTwo[] = R"([
      {"name": "First", "properties": {"securityRules": []}},
      {"name": "second", "properties": {"securityRules": []}}])";
  ImportOptions options;
  options.nsg_name = "SECOND";

  ASSERT_OK_AND_ASSIGN(ImportResult result, ImportNsgs(kTwo, options));
  ASSERT_EQ(result.nsgs.size(), 1u);
  EXPECT_EQ(result.nsgs[0].name(), "second");

  options.nsg_name = "third";
  EXPECT_THAT(ImportNsgs(kTwo, options),
              StatusIs(absl::StatusCode::kNotFound,
                       "no network security group named \"third\"; the "
                       "document contains \"First\", \"second\""));
}

TEST(ImportValidNsgTest, ReturnsTheOnlyValidNsg) {
  ASSERT_OK_AND_ASSIGN(NetworkSecurityGroup nsg, ImportValidNsg(kRestRule));
  EXPECT_EQ(nsg.name(), "web-nsg");
  EXPECT_EQ(nsg.security_rules_size(), 1);
}

TEST(ImportValidNsgTest, RejectsNsgWithProblems) {
  EXPECT_THAT(
      ImportValidNsg(R"({"name": "nsg1", "properties": {"securityRules": [
          {"name": "r", "properties": {"protocol": "Tcp", "priority": 50,
           "direction": "Inbound", "access": "Allow", "sourcePortRange": "*",
           "destinationPortRange": "22", "sourceAddressPrefix": "*",
           "destinationAddressPrefix": "*"}}]}})"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "1 problem:\nproperties.securityRules[0].properties.priority: "
               "invalid value 50; expected an integer between 100 and 4096 "
               "(SecurityRuleInvalidPriority)"));
}

TEST(ImportValidNsgTest, RejectsSeveralNsgs) {
  EXPECT_THAT(ImportValidNsg(R"([
      {"name": "a", "properties": {"securityRules": []}},
      {"name": "b", "properties": {"securityRules": []}}])"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("contains 2 network security groups")));
}

TEST(ImportOptionsTest, ValidationCanBeLeftOut) {
  ImportOptions options;
  options.validate = false;
  ASSERT_OK_AND_ASSIGN(
      ImportResult result,
      ImportNsgs(R"([{"name": "r", "priority": 1, "direction": "Inbound",
                    "access": "Allow", "protocol": "Tcp"}])",
                 options));
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.nsgs[0].security_rules(0).priority(), 1);
}

// ---- Real files -------------------------------------------------------------

class RealNsgFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> dir = ::portcullis::testing::SharedDir();
    if (!dir) GTEST_SKIP() << ::portcullis::testing::kNoSharedDirMessage;
    dir_ = *dir + "/realdata/nsg/";
  }

  std::string Read(absl::string_view name) {
    absl::StatusOr<std::string> bytes =
        ::portcullis::testing::ReadFileToString(absl::StrCat(dir_, name));
    EXPECT_THAT(bytes, IsOk());
    return bytes.ok() ? *bytes : "";
  }

  std::string dir_;
};

TEST_F(RealNsgFileTest, EveryFileImportsWithoutProblems) {
  std::vector<std::string> files =
      ::portcullis::testing::ListFiles(dir_, ".json");
  ASSERT_FALSE(files.empty());
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    absl::StatusOr<ImportResult> result = ImportNsgs(Read(file));
    ASSERT_THAT(result, IsOk());
    EXPECT_TRUE(result->ok()) << result->ToStatus();
    EXPECT_FALSE(result->nsgs.empty());
  }
}

TEST_F(RealNsgFileTest, RestExampleCreateWithRule) {
  ASSERT_OK_AND_ASSIGN(
      ImportResult result,
      ImportNsgs(Read("specs-2024-05-01-NetworkSecurityGroupCreateWithRule.json")));
  ASSERT_EQ(result.nsgs.size(), 1u);
  const NetworkSecurityGroup& nsg = result.nsgs[0];

  EXPECT_EQ(result.format, "rest example");
  EXPECT_EQ(nsg.name(), "testnsg");
  EXPECT_EQ(nsg.location(), "eastus");
  EXPECT_EQ(nsg.json_path(), "responses.200.body");
  EXPECT_THAT(RuleNames(nsg), ElementsAre("rule1"));
  const SecurityRule& rule = nsg.security_rules(0);
  EXPECT_EQ(rule.priority(), 130);
  EXPECT_EQ(rule.protocol(), PROTOCOL_ANY);
  EXPECT_EQ(rule.destination_port_range(), "80");
  EXPECT_EQ(nsg.default_security_rules_size(), 6);
  const SecurityRule* deny = FindRule(nsg, "DenyAllOutBound");
  ASSERT_NE(deny, nullptr);
  EXPECT_EQ(deny->priority(), 65500);
  EXPECT_EQ(deny->description(), "Deny all outbound traffic");
  EXPECT_EQ(deny->origin().object_path(),
            "responses.200.body.properties.defaultSecurityRules[5]");
}

TEST_F(RealNsgFileTest, RestExampleRuleCreate) {
  ASSERT_OK_AND_ASSIGN(
      ImportResult result,
      ImportNsgs(Read("specs-2024-05-01-NetworkSecurityGroupRuleCreate.json")));
  ASSERT_EQ(result.nsgs.size(), 1u);
  const NetworkSecurityGroup& nsg = result.nsgs[0];

  EXPECT_EQ(nsg.name(), "testnsg");
  ASSERT_EQ(nsg.security_rules_size(), 1);
  const SecurityRule& rule = nsg.security_rules(0);
  EXPECT_EQ(rule.name(), "rule1");
  EXPECT_EQ(rule.access(), ACCESS_DENY);
  EXPECT_EQ(rule.direction(), DIRECTION_OUTBOUND);
  EXPECT_EQ(rule.source_address_prefix(), "10.0.0.0/8");
  EXPECT_EQ(rule.destination_address_prefix(), "11.0.0.0/8");
  EXPECT_EQ(rule.destination_port_range(), "8080");
}

TEST_F(RealNsgFileTest, EffectiveRulesList) {
  ASSERT_OK_AND_ASSIGN(
      ImportResult result,
      ImportNsgs(Read("specs-2022-01-01-NetworkInterfaceEffectiveNSGList.json")));
  ASSERT_EQ(result.nsgs.size(), 1u);
  const NetworkSecurityGroup& nsg = result.nsgs[0];

  EXPECT_EQ(result.format, "effective rules");
  EXPECT_EQ(nsg.name(), "test-nsg");
  EXPECT_THAT(RuleNames(nsg), ElementsAre("rule1", "default-allow-rdp"));
  const SecurityRule* rdp = FindRule(nsg, "default-allow-rdp");
  ASSERT_NE(rdp, nullptr);
  EXPECT_EQ(rdp->source_address_prefix(), "1.1.1.1/32");
  EXPECT_EQ(rdp->destination_port_range(), "3389-3389");
  const SecurityRule* internet = FindRule(nsg, "AllowInternetOutBound");
  ASSERT_NE(internet, nullptr);
  // The file's own version of the default rule is kept.
  EXPECT_EQ(internet->source_address_prefix(), "0.0.0.0/0");
  EXPECT_EQ(nsg.default_security_rules_size(), 6);
}

TEST_F(RealNsgFileTest, QuickstartTemplate) {
  ASSERT_OK_AND_ASSIGN(
      ImportResult result,
      ImportNsgs(Read("qs-security-group-create.azuredeploy.json")));
  ASSERT_EQ(result.nsgs.size(), 1u);
  const NetworkSecurityGroup& nsg = result.nsgs[0];

  EXPECT_EQ(result.format, "template");
  EXPECT_EQ(nsg.name(), "networkSecurityGroup1");
  // The default of `location` needs a deployment, so it stays text.
  EXPECT_EQ(nsg.location(), "[parameters('location')]");
  const SecurityRule* rule = FindRule(nsg, "first_rule");
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->priority(), 123);
  EXPECT_EQ(rule->source_port_range(), "23-45");
  EXPECT_EQ(rule->destination_port_range(), "46-56");
  EXPECT_EQ(rule->description(), "This is the first rule");
}

TEST_F(RealNsgFileTest, BastionTemplateKeepsUnresolvedNameAsText) {
  ASSERT_OK_AND_ASSIGN(
      ImportResult result,
      ImportNsgs(Read("qs-azure-bastion-nsg.azuredeploy.json")));
  ASSERT_EQ(result.nsgs.size(), 1u);
  const NetworkSecurityGroup& nsg = result.nsgs[0];

  // bastion-host-name has no default value, so the name cannot be
  // evaluated; evaluation does not need it.
  EXPECT_EQ(nsg.name(), "[variables('nsg-name')]");
  EXPECT_EQ(nsg.security_rules_size(), 10);
  const SecurityRule* bastion = FindRule(nsg, "AllowBastionHostCommunicationInBound");
  ASSERT_NE(bastion, nullptr);
  EXPECT_THAT(bastion->destination_port_ranges(), ElementsAre("8080", "5701"));
  EXPECT_EQ(bastion->source_address_prefix(), "VirtualNetwork");
  const SecurityRule* deny = FindRule(nsg, "DenyAllOutBound");
  ASSERT_NE(deny, nullptr);
  EXPECT_EQ(deny->priority(), 1000);
  EXPECT_EQ(deny->direction(), DIRECTION_OUTBOUND);
}

TEST_F(RealNsgFileTest, BastionTemplateWithParametersFile) {
  ImportOptions options;
  options.parameters_json = R"({
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
      "contentVersion": "1.0.0.0",
      "parameters": {"bastion-host-name": {"value": "bastion1"},
                     "location": {"value": "westeurope"}}})";
  options.nsg_name = "bastion1-nsg";

  ASSERT_OK_AND_ASSIGN(
      ImportResult result,
      ImportNsgs(Read("qs-azure-bastion-nsg.azuredeploy.json"), options));

  ASSERT_EQ(result.nsgs.size(), 1u);
  EXPECT_TRUE(result.ok()) << result.ToStatus();
  EXPECT_EQ(result.nsgs[0].name(), "bastion1-nsg");
  EXPECT_EQ(result.nsgs[0].location(), "westeurope");
}

TEST_F(RealNsgFileTest, BastionTemplateRejectsUndeclaredParameter) {
  ImportOptions options;
  options.parameters_json =
      R"({"parameters": {"bastion-name": {"value": "bastion1"}}})";

  EXPECT_THAT(
      ImportNsgs(Read("qs-azure-bastion-nsg.azuredeploy.json"), options),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("parameters.bastion-name: the template declares no "
                         "parameter \"bastion-name\" (InvalidTemplate)")));
}

}  // namespace
}  // namespace portcullis::nsg
