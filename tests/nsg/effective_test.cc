#include "nsg/effective.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "json/json.h"
#include "nsg/import.h"
#include "tests/nsg/evaluate_test_util.h"
#include "tests/testing/shared_data.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::nsg {
namespace {

using ::portcullis::nsg::testing::InboundAllow;
using ::portcullis::nsg::testing::Nsg;
using ::portcullis::nsg::testing::OutboundRule;
using ::portcullis::nsg::testing::Resolver;
using ::portcullis::nsg::testing::Rule;
using ::portcullis::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const EffectiveRule* FindRule(const EffectiveNsg& view,
                              const std::string& name) {
  for (const EffectiveRule& rule : view.rules) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

TEST(EffectiveRulesTest, NormalizesPortsAddressesAndProtocol) {
  SecurityRule web = InboundAllow("AllowWeb", 100, "*", "443");
  web.clear_destination_port_range();
  web.add_destination_port_ranges("80");
  web.add_destination_port_ranges("8000-8080");
  web.set_destination_address_prefix("10.0.1.4");
  SecurityRule v6 = Rule("AllowV6", 110, DIRECTION_INBOUND, ACCESS_ALLOW,
                         PROTOCOL_ANY, "2001:db8::7", "*", "*", "*");

  ASSERT_OK_AND_ASSIGN(
      EffectiveNsg view,
      EffectiveRules(Nsg("nsg", {web, v6}), ATTACHMENT_SUBNET,
                     Resolver({"10.0.0.0/16"})));
  const EffectiveRule* rule = FindRule(view, "securityRules/AllowWeb");
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->protocol, "Tcp");
  EXPECT_THAT(rule->source_port_ranges, ElementsAre("0-65535"));
  EXPECT_THAT(rule->destination_port_ranges, ElementsAre("80-80", "8000-8080"));
  EXPECT_THAT(rule->source_address_prefixes, ElementsAre("0.0.0.0/0"));
  EXPECT_THAT(rule->destination_address_prefixes, ElementsAre("10.0.1.4/32"));
  EXPECT_THAT(rule->expanded_source_address_prefix, IsEmpty());
  EXPECT_EQ(rule->priority, 100);
  EXPECT_EQ(rule->access, ACCESS_ALLOW);

  const EffectiveRule* any = FindRule(view, "securityRules/AllowV6");
  ASSERT_NE(any, nullptr);
  EXPECT_EQ(any->protocol, "All");
  EXPECT_THAT(any->source_address_prefixes, ElementsAre("2001:db8::7/128"));
}

TEST(EffectiveRulesTest, ExpandsTagsAndListsTagMap) {
  ASSERT_OK_AND_ASSIGN(
      EffectiveNsg view,
      EffectiveRules(Nsg("nsg", {InboundAllow("AllowProbes", 100,
                                              "AzureLoadBalancer", "*")}),
                     ATTACHMENT_NETWORK_INTERFACE, Resolver({"10.0.0.0/16"})));
  EXPECT_EQ(view.attachment, ATTACHMENT_NETWORK_INTERFACE);
  const EffectiveRule* rule = FindRule(view, "securityRules/AllowProbes");
  ASSERT_NE(rule, nullptr);
  EXPECT_THAT(rule->source_address_prefixes, ElementsAre("AzureLoadBalancer"));
  EXPECT_THAT(rule->expanded_source_address_prefix,
              ElementsAre("168.63.129.16/32"));

  const EffectiveRule* vnet =
      FindRule(view, "defaultSecurityRules/AllowVnetInBound");
  ASSERT_NE(vnet, nullptr);
  EXPECT_THAT(vnet->expanded_source_address_prefix,
              ElementsAre("10.0.0.0/16", "168.63.129.16/32"));

  std::vector<std::string> tags;
  for (const auto& [tag, prefixes] : view.tag_map) tags.push_back(tag);
  EXPECT_THAT(tags,
              ElementsAre("AzureLoadBalancer", "Internet", "VirtualNetwork"));
}

TEST(EffectiveRulesTest, OrdersInboundThenOutboundByPriority) {
  ASSERT_OK_AND_ASSIGN(
      EffectiveNsg view,
      EffectiveRules(
          Nsg("nsg", {OutboundRule("Out", 300, ACCESS_DENY, "*", "25"),
                      InboundAllow("Late", 400, "*", "22"),
                      InboundAllow("Early", 200, "*", "443")}),
          ATTACHMENT_SUBNET, Resolver({})));
  std::vector<std::string> names;
  for (const EffectiveRule& rule : view.rules) names.push_back(rule.name);
  EXPECT_THAT(names,
              ElementsAre("securityRules/Early", "securityRules/Late",
                          "defaultSecurityRules/AllowVnetInBound",
                          "defaultSecurityRules/AllowAzureLoadBalancerInBound",
                          "defaultSecurityRules/DenyAllInBound",
                          "securityRules/Out",
                          "defaultSecurityRules/AllowVnetOutBound",
                          "defaultSecurityRules/AllowInternetOutBound",
                          "defaultSecurityRules/DenyAllOutBound"));
}

TEST(EffectiveRulesTest, UnknownTagIsAnError) {
  EXPECT_THAT(EffectiveRules(Nsg("nsg", {InboundAllow("Rule", 100, "Storage",
                                                      "443")}),
                             ATTACHMENT_SUBNET, Resolver({})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Storage")));
}

// Azure's own effective rules example: importing it and showing it again
// must reproduce Azure's normalized fields for the user rules.
TEST(EffectiveRulesTest, ReproducesAzureExample) {
  std::optional<std::string> dir = portcullis::testing::SharedDir();
  if (!dir) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  ASSERT_OK_AND_ASSIGN(
      std::string bytes,
      portcullis::testing::ReadFileToString(absl::StrCat(
          *dir,
          "/realdata/nsg/specs-2022-01-01-NetworkInterfaceEffectiveNSGList."
          "json")));
  ASSERT_OK_AND_ASSIGN(NetworkSecurityGroup group, ImportValidNsg(bytes));
  ASSERT_OK_AND_ASSIGN(EffectiveNsg view,
                       EffectiveRules(group, ATTACHMENT_SUBNET, Resolver({})));

  const EffectiveRule* rule1 = FindRule(view, "securityRules/rule1");
  ASSERT_NE(rule1, nullptr);
  EXPECT_EQ(rule1->protocol, "Tcp");
  EXPECT_THAT(rule1->source_port_ranges, ElementsAre("456-456"));
  EXPECT_THAT(rule1->destination_port_ranges, ElementsAre("6579-6579"));
  EXPECT_THAT(rule1->source_address_prefixes, ElementsAre("0.0.0.0/32"));
  EXPECT_THAT(rule1->destination_address_prefixes, ElementsAre("0.0.0.0/32"));
  EXPECT_EQ(rule1->priority, 234);

  const EffectiveRule* rdp = FindRule(view, "securityRules/default-allow-rdp");
  ASSERT_NE(rdp, nullptr);
  EXPECT_THAT(rdp->source_port_ranges, ElementsAre("0-65535"));
  EXPECT_THAT(rdp->destination_port_ranges, ElementsAre("3389-3389"));
  EXPECT_THAT(rdp->source_address_prefixes, ElementsAre("1.1.1.1/32"));
  EXPECT_THAT(rdp->destination_address_prefixes, ElementsAre("0.0.0.0/0"));
  EXPECT_EQ(rdp->priority, 1000);

  const EffectiveRule* internet =
      FindRule(view, "defaultSecurityRules/AllowInternetOutBound");
  ASSERT_NE(internet, nullptr);
  EXPECT_EQ(internet->protocol, "All");
  EXPECT_THAT(internet->source_address_prefixes, ElementsAre("0.0.0.0/0"));
  EXPECT_THAT(internet->destination_address_prefixes, ElementsAre("Internet"));
  EXPECT_EQ(internet->priority, 65001);
}

}  // namespace
}  // namespace portcullis::nsg
