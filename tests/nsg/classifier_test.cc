#include "nsg/classifier.h"

#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nsg/rule_table.h"
#include "tests/nsg/classifier_random_rules.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::nsg {
namespace {

using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

constexpr uint32_t kNet1 = 0xC0000200;  // 192.0.2.0
constexpr uint32_t kNet2 = 0xC6336400;  // 198.51.100.0
const absl::uint128 kNet6 = absl::MakeUint128(0x20010DB800000000u, 0);

TableRule Rule(uint32_t priority, Ipv4Cidr source, Ipv4Cidr destination,
               PortInterval destination_ports, std::optional<uint8_t> protocol,
               RuleAccess access) {
  TableRule rule;
  rule.priority = priority;
  rule.source_v4 = {source};
  rule.destination_v4 = {destination};
  rule.source_ports = {PortInterval::Any()};
  rule.destination_ports = {destination_ports};
  rule.protocol = protocol;
  rule.access = access;
  return rule;
}

FlowV4 Flow(uint32_t source, uint32_t destination, uint16_t destination_port,
            uint8_t protocol) {
  return FlowV4{source, destination, 40000, destination_port, protocol};
}

struct LookupCase {
  std::string name;
  std::vector<TableRule> rules;
  FlowV4 flow;
  uint32_t expected_index;  // RuleMatch::kNoRule for no match
};

std::vector<LookupCase> LookupCases() {
  const Ipv4Cidr any = Ipv4Cidr::Any();
  const Ipv4Cidr net1{kNet1, 24};
  const Ipv4Cidr host1{kNet1 | 7, 32};
  return {
      {"LowerPriorityNumberWins",
       {Rule(200, any, any, PortInterval::Any(), std::nullopt, RuleAccess::kAllow),
        Rule(100, net1, any, PortInterval::Any(), std::nullopt, RuleAccess::kDeny)},
       Flow(kNet1 | 7, kNet2, 22, 6),
       1},
      {"TieGoesToLowerIndex",
       {Rule(100, any, any, PortInterval::Any(), std::nullopt, RuleAccess::kAllow),
        Rule(100, host1, any, PortInterval::Any(), std::nullopt, RuleAccess::kDeny)},
       Flow(kNet1 | 7, kNet2, 22, 6),
       0},
      {"HostPrefixMissesNeighbour",
       {Rule(100, host1, any, PortInterval::Any(), std::nullopt, RuleAccess::kDeny)},
       Flow(kNet1 | 8, kNet2, 22, 6),
       RuleMatch::kNoRule},
      {"ZeroLengthMatchesTopAddress",
       {Rule(100, any, any, PortInterval::Any(), std::nullopt, RuleAccess::kDeny)},
       Flow(0xFFFFFFFF, 0, 0, 0),
       0},
      {"PortZeroAndTopEdges",
       {Rule(100, any, any, PortInterval{0, 0}, std::nullopt, RuleAccess::kDeny),
        Rule(101, any, any, PortInterval{65535, 65535}, std::nullopt,
             RuleAccess::kAllow)},
       Flow(kNet1, kNet2, 65535, 17),
       1},
      {"PortJustOutsideRange",
       {Rule(100, any, any, PortInterval{80, 90}, std::nullopt, RuleAccess::kDeny)},
       Flow(kNet1, kNet2, 91, 6),
       RuleMatch::kNoRule},
      {"ProtocolZeroIsExact",
       {Rule(100, any, any, PortInterval::Any(), 0, RuleAccess::kDeny),
        Rule(101, any, any, PortInterval::Any(), 255, RuleAccess::kAllow)},
       Flow(kNet1, kNet2, 1, 255),
       1},
      {"ProtocolAnyMatchesGre",
       {Rule(100, any, any, PortInterval::Any(), 6, RuleAccess::kDeny),
        Rule(101, any, any, PortInterval::Any(), std::nullopt, RuleAccess::kAllow)},
       Flow(kNet1, kNet2, 1, 47),
       1},
      {"NoRules", {}, Flow(kNet1, kNet2, 22, 6), RuleMatch::kNoRule},
  };
}

class ClassifierLookupTest : public ::testing::TestWithParam<LookupCase> {};

TEST_P(ClassifierLookupTest, MatchesExpectedRule) {
  const LookupCase& test = GetParam();
  ASSERT_OK_AND_ASSIGN(RuleTable table, RuleTable::Create(test.rules));
  ASSERT_OK_AND_ASSIGN(Classifier classifier, Classifier::Compile(table));
  EXPECT_EQ(table.ReferenceLookup(test.flow).index, test.expected_index);
  EXPECT_EQ(classifier.Lookup(test.flow).index, test.expected_index);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ClassifierLookupTest, ::testing::ValuesIn(LookupCases()),
    [](const ::testing::TestParamInfo<LookupCase>& info) { return info.param.name; });

TEST(ClassifierTest, ReportsPriorityAndAccess) {
  TableRule rule = Rule(4096, Ipv4Cidr::Any(), Ipv4Cidr::Any(),
                        PortInterval::Single(3389), 6, RuleAccess::kAllow);
  ASSERT_OK_AND_ASSIGN(RuleTable table, RuleTable::Create({rule}));
  ASSERT_OK_AND_ASSIGN(Classifier classifier, Classifier::Compile(table));
  RuleMatch match = classifier.Lookup(Flow(kNet1, kNet2, 3389, 6));
  EXPECT_EQ(match.index, 0u);
  EXPECT_EQ(match.priority, 4096u);
  EXPECT_EQ(match.access, RuleAccess::kAllow);
}

TEST(ClassifierTest, FamiliesStayApart) {
  TableRule v4_only = Rule(100, Ipv4Cidr::Any(), Ipv4Cidr::Any(),
                           PortInterval::Any(), std::nullopt, RuleAccess::kDeny);
  TableRule v6_only;
  v6_only.priority = 200;
  v6_only.source_v6 = {Ipv6Cidr{kNet6, 32}};
  v6_only.destination_v6 = {Ipv6Cidr::Any()};
  v6_only.source_ports = {PortInterval::Any()};
  v6_only.destination_ports = {PortInterval::Any()};
  v6_only.access = RuleAccess::kAllow;
  ASSERT_OK_AND_ASSIGN(RuleTable table, RuleTable::Create({v4_only, v6_only}));
  ASSERT_OK_AND_ASSIGN(Classifier classifier, Classifier::Compile(table));

  EXPECT_EQ(classifier.Lookup(Flow(kNet1, kNet2, 22, 6)).index, 0u);
  FlowV6 inside{kNet6 | 1, kNet6 | 2, 1000, 22, 6};
  EXPECT_EQ(classifier.Lookup(inside).index, 1u);
  FlowV6 outside{absl::MakeUint128(0x20010DB900000000u, 0), kNet6, 1000, 22, 6};
  EXPECT_FALSE(classifier.Lookup(outside).found());
}

TEST(ClassifierTest, EmptySetNeverMatches) {
  TableRule rule = Rule(100, Ipv4Cidr::Any(), Ipv4Cidr::Any(),
                        PortInterval::Any(), std::nullopt, RuleAccess::kAllow);
  rule.destination_ports.clear();
  ASSERT_OK_AND_ASSIGN(RuleTable table, RuleTable::Create({rule}));
  ASSERT_OK_AND_ASSIGN(Classifier classifier, Classifier::Compile(table));
  EXPECT_FALSE(classifier.Lookup(Flow(kNet1, kNet2, 22, 6)).found());
}

TEST(ClassifierTest, RejectsInvalidOptions) {
  ASSERT_OK_AND_ASSIGN(RuleTable table, RuleTable::Create({}));
  ClassifierOptions options;
  options.collision_limit = 0;
  EXPECT_THAT(Classifier::Compile(table, options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("collision_limit: invalid value 0")));
}

// A rule with thousands of prefixes on both sides and several port ranges
// must not cost their product (4 million pairs here).
TEST(ClassifierTest, AugmentedRuleMemoryGrowsWithPrefixes) {
  TableRule rule;
  rule.priority = 100;
  for (uint32_t i = 0; i < 2000; ++i) {
    rule.source_v4.push_back(Ipv4Cidr{0x0A000000u | (i << 8), 24});
    rule.destination_v4.push_back(Ipv4Cidr{0xC0000000u | (i << 4), 28});
  }
  rule.source_ports = {PortInterval::Any()};
  rule.destination_ports = {PortInterval{22, 22}, PortInterval{80, 90},
                            PortInterval{443, 443}};
  rule.protocol = 6;
  rule.access = RuleAccess::kAllow;
  ASSERT_OK_AND_ASSIGN(RuleTable table, RuleTable::Create({rule}));
  ASSERT_OK_AND_ASSIGN(Classifier classifier, Classifier::Compile(table));

  EXPECT_LT(classifier.memory_bytes(), size_t{4000} * 200);
  EXPECT_TRUE(classifier.Lookup(FlowV4{0x0A000105, 0xC0000105, 1, 85, 6}).found());
  EXPECT_FALSE(classifier.Lookup(FlowV4{0x0A000105, 0xC0000105, 1, 91, 6}).found());
  EXPECT_FALSE(
      classifier.Lookup(FlowV4{0x0A000105, 0xC1000105, 1, 22, 6}).found());
}

struct DifferentialCase {
  std::string name;
  uint64_t seed;
  testing::RandomRuleOptions rules;
  ClassifierOptions options;
  int flows;
};

std::vector<DifferentialCase> DifferentialCases() {
  std::vector<DifferentialCase> cases;
  auto add = [&](std::string name, uint64_t seed, int rule_count,
                 int max_set_size, uint32_t priority_span, int collision_limit,
                 int max_cross_product, int flows) {
    DifferentialCase test;
    test.name = std::move(name);
    test.seed = seed;
    test.rules.rule_count = rule_count;
    test.rules.max_set_size = max_set_size;
    test.rules.priority_span = priority_span;
    test.options.collision_limit = collision_limit;
    test.options.max_cross_product = max_cross_product;
    // Always take the interleaved batch path, which large tables use.
    test.options.interleave_min_bytes = 0;
    test.flows = flows;
    cases.push_back(std::move(test));
  };
  add("FewRules", 1, 8, 4, 10, 8, 16, 300000);
  add("ManyTies", 2, 60, 4, 3, 8, 16, 150000);
  add("NsgSized", 3, 300, 6, 4000, 8, 16, 100000);
  add("LargeSets", 4, 100, 40, 1000, 8, 16, 150000);
  add("CollisionLimitOne", 5, 200, 4, 1000, 1, 16, 100000);
  add("NoCrossProduct", 6, 200, 8, 1000, 4, 1, 100000);
  add("Thousand", 7, 1000, 4, 100000, 8, 16, 50000);
  add("PortableNsgSized", 8, 300, 6, 4000, 8, 16, 60000);
  cases.back().options.allow_avx512 = false;
  add("PortableThousand", 9, 1000, 4, 100000, 12, 16, 30000);
  cases.back().options.allow_avx512 = false;
  return cases;
}

class ClassifierDifferentialTest
    : public ::testing::TestWithParam<DifferentialCase> {};

TEST_P(ClassifierDifferentialTest, AgreesWithReference) {
  const DifferentialCase& test = GetParam();
  std::mt19937_64 rng(test.seed);
  ASSERT_OK_AND_ASSIGN(RuleTable table,
                       RuleTable::Create(testing::RandomRules(rng, test.rules)));
  ASSERT_OK_AND_ASSIGN(Classifier classifier,
                       Classifier::Compile(table, test.options));

  const int flows = test.flows / testing::SanitizerSlowdown();
  std::vector<FlowV4> v4;
  std::vector<FlowV6> v6;
  int found = 0;
  for (int i = 0; i < flows; ++i) {
    if (i % 2 == 0) {
      v4.push_back(testing::RandomFlowV4(rng, table.rules()));
      RuleMatch expected = table.ReferenceLookup(v4.back());
      found += expected.found();
      ASSERT_EQ(classifier.Lookup(v4.back()), expected)
          << "flow " << i << " expected rule " << expected.index;
    } else {
      v6.push_back(testing::RandomFlowV6(rng, table.rules()));
      RuleMatch expected = table.ReferenceLookup(v6.back());
      found += expected.found();
      ASSERT_EQ(classifier.Lookup(v6.back()), expected)
          << "flow " << i << " expected rule " << expected.index;
    }
  }
  // The flows must exercise matches, not only misses.
  EXPECT_GT(found, flows / 10);

  std::vector<RuleMatch> batch_v4(v4.size());
  classifier.LookupBatch(v4, absl::MakeSpan(batch_v4));
  for (size_t i = 0; i < v4.size(); ++i) {
    ASSERT_EQ(batch_v4[i], classifier.Lookup(v4[i])) << "v4 flow " << i;
  }
  std::vector<RuleMatch> batch_v6(v6.size());
  classifier.LookupBatch(v6, absl::MakeSpan(batch_v6));
  for (size_t i = 0; i < v6.size(); ++i) {
    ASSERT_EQ(batch_v6[i], classifier.Lookup(v6[i])) << "v6 flow " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Random, ClassifierDifferentialTest, ::testing::ValuesIn(DifferentialCases()),
    [](const ::testing::TestParamInfo<DifferentialCase>& info) {
      return info.param.name;
    });

}  // namespace
}  // namespace portcullis::nsg
