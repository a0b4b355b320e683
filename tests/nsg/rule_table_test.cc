#include "nsg/rule_table.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::nsg {
namespace {

using ::portcullis::testing::IsOk;
using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

TableRule AnyRule() {
  TableRule rule;
  rule.source_v4 = {Ipv4Cidr::Any()};
  rule.destination_v4 = {Ipv4Cidr::Any()};
  rule.source_v6 = {Ipv6Cidr::Any()};
  rule.destination_v6 = {Ipv6Cidr::Any()};
  rule.source_ports = {PortInterval::Any()};
  rule.destination_ports = {PortInterval::Any()};
  return rule;
}

struct InvalidCase {
  std::string name;
  TableRule rule;
  std::string message;
};

std::vector<InvalidCase> InvalidCases() {
  std::vector<InvalidCase> cases;
  TableRule rule = AnyRule();
  rule.source_v4 = {Ipv4Cidr::Any(), Ipv4Cidr{0xC0000201, 24}};
  cases.push_back({"V4HostBits", rule,
                   "rules[1].source_v4[1]: invalid cidr 192.0.2.1/24; host bits are set"});
  rule = AnyRule();
  rule.destination_v4 = {Ipv4Cidr{0, 33}};
  cases.push_back({"V4LengthTooLong", rule,
                   "rules[1].destination_v4[0]: invalid cidr length 33; expected 0 to 32"});
  rule = AnyRule();
  rule.source_v6 = {Ipv6Cidr{absl::MakeUint128(0x20010DB800000000u, 1), 64}};
  cases.push_back({"V6HostBits", rule,
                   "rules[1].source_v6[0]: invalid cidr 2001:db8::1/64; host bits are set"});
  rule = AnyRule();
  rule.destination_v6 = {Ipv6Cidr{0, 129}};
  cases.push_back({"V6LengthTooLong", rule,
                   "rules[1].destination_v6[0]: invalid cidr length 129; expected 0 to 128"});
  rule = AnyRule();
  rule.destination_ports = {PortInterval{90, 80}};
  cases.push_back({"ReversedPorts", rule,
                   "rules[1].destination_ports[0]: invalid port interval 90-80; "
                   "expected first <= last"});
  return cases;
}

class RuleTableInvalidTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(RuleTableInvalidTest, NamesFieldAndValue) {
  EXPECT_THAT(RuleTable::Create({AnyRule(), GetParam().rule}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RuleTableInvalidTest, ::testing::ValuesIn(InvalidCases()),
    [](const ::testing::TestParamInfo<InvalidCase>& info) { return info.param.name; });

TEST(RuleTableTest, AcceptsEdgeLengths) {
  TableRule rule = AnyRule();
  rule.source_v4 = {Ipv4Cidr{0xFFFFFFFF, 32}};
  rule.source_v6 = {Ipv6Cidr{~absl::uint128(0), 128}};
  rule.source_ports = {PortInterval{65535, 65535}, PortInterval{0, 0}};
  EXPECT_THAT(RuleTable::Create({rule}), IsOk());
}

TEST(RuleTableTest, ReferenceFindsLowestPriorityThenIndex) {
  TableRule late = AnyRule();
  late.priority = 300;
  TableRule tie_first = AnyRule();
  tie_first.priority = 200;
  tie_first.access = RuleAccess::kAllow;
  TableRule tie_second = AnyRule();
  tie_second.priority = 200;
  ASSERT_OK_AND_ASSIGN(RuleTable table,
                       RuleTable::Create({late, tie_first, tie_second}));
  RuleMatch match = table.ReferenceLookup(FlowV4{1, 2, 3, 4, 6});
  EXPECT_EQ(match.index, 1u);
  EXPECT_EQ(match.priority, 200u);
  EXPECT_EQ(match.access, RuleAccess::kAllow);
}

TEST(RuleTableTest, ReferenceChecksEveryField) {
  TableRule rule = AnyRule();
  rule.source_v4 = {Ipv4Cidr{0xC0000200, 24}};
  rule.destination_v4 = {Ipv4Cidr{0xC6336400, 24}, Ipv4Cidr{0xCB007100, 24}};
  rule.source_ports = {PortInterval{1024, 65535}};
  rule.destination_ports = {PortInterval::Single(22), PortInterval::Single(3389)};
  rule.protocol = 6;
  rule.source_v6.clear();
  rule.destination_v6.clear();
  ASSERT_OK_AND_ASSIGN(RuleTable table, RuleTable::Create({rule}));

  const FlowV4 base{0xC0000205, 0xCB007107, 50000, 3389, 6};
  EXPECT_TRUE(table.ReferenceLookup(base).found());
  FlowV4 flow = base;
  flow.source = 0xC0000305;
  EXPECT_FALSE(table.ReferenceLookup(flow).found());
  flow = base;
  flow.destination = 0xC6336500;
  EXPECT_FALSE(table.ReferenceLookup(flow).found());
  flow = base;
  flow.source_port = 1023;
  EXPECT_FALSE(table.ReferenceLookup(flow).found());
  flow = base;
  flow.destination_port = 23;
  EXPECT_FALSE(table.ReferenceLookup(flow).found());
  flow = base;
  flow.protocol = 17;
  EXPECT_FALSE(table.ReferenceLookup(flow).found());
  // The rule has no IPv6 sets, so no IPv6 flow matches it.
  EXPECT_FALSE(table.ReferenceLookup(FlowV6{1, 2, 50000, 22, 6}).found());
}

TEST(RuleTableTest, FormatsCidrs) {
  EXPECT_EQ((Ipv4Cidr{0xC0000200, 24}).ToString(), "192.0.2.0/24");
  EXPECT_EQ(Ipv6Cidr::Any().ToString(), "::/0");
  EXPECT_EQ((Ipv6Cidr{absl::MakeUint128(0x20010DB800000000u, 0), 32}).ToString(),
            "2001:db8::/32");
}

}  // namespace
}  // namespace portcullis::nsg
