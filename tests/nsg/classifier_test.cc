#include "nsg/classifier.h"

#include <algorithm>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
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

// Both engines, forced, for the parameterized suites below.
constexpr ClassifierEngine kEngines[] = {ClassifierEngine::kTupleSpace,
                                         ClassifierEngine::kBitVector};

// Returns a table of `rule_count` random rules drawn from `rng`.
absl::StatusOr<RuleTable> RandomTable(std::mt19937_64& rng, int rule_count) {
  testing::RandomRuleOptions rule_options;
  rule_options.rule_count = rule_count;
  return RuleTable::Create(testing::RandomRules(rng, rule_options));
}

ClassifierOptions ForEngine(ClassifierEngine engine) {
  ClassifierOptions options;
  options.engine = engine;
  return options;
}

// "TupleSpace" or "BitVector", for test names.
std::string EngineTestName(ClassifierEngine engine) {
  return engine == ClassifierEngine::kBitVector ? "BitVector" : "TupleSpace";
}

class ClassifierLookupTest
    : public ::testing::TestWithParam<std::tuple<LookupCase, ClassifierEngine>> {};

TEST_P(ClassifierLookupTest, MatchesExpectedRule) {
  const auto& [test, engine] = GetParam();
  ASSERT_OK_AND_ASSIGN(RuleTable table, RuleTable::Create(test.rules));
  ASSERT_OK_AND_ASSIGN(Classifier classifier, Classifier::Compile(table, ForEngine(engine)));
  ASSERT_EQ(classifier.engine_v4(), engine);
  EXPECT_EQ(table.ReferenceLookup(test.flow).index, test.expected_index);
  EXPECT_EQ(classifier.Lookup(test.flow).index, test.expected_index);
  std::vector<RuleMatch> batch(1);
  classifier.LookupBatch(absl::MakeConstSpan(&test.flow, 1), absl::MakeSpan(batch));
  EXPECT_EQ(batch[0].index, test.expected_index);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ClassifierLookupTest,
    ::testing::Combine(::testing::ValuesIn(LookupCases()), ::testing::ValuesIn(kEngines)),
    [](const ::testing::TestParamInfo<std::tuple<LookupCase, ClassifierEngine>>& info) {
      return std::get<0>(info.param).name + EngineTestName(std::get<1>(info.param));
    });

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

class ClassifierEngineTest : public ::testing::TestWithParam<ClassifierEngine> {};

// A rule with thousands of prefixes on both sides and several port ranges
// must not cost their product (4 million pairs here).
TEST_P(ClassifierEngineTest, AugmentedRuleMemoryGrowsWithPrefixes) {
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
  ASSERT_OK_AND_ASSIGN(Classifier classifier, Classifier::Compile(table, ForEngine(GetParam())));
  ASSERT_EQ(classifier.engine_v4(), GetParam());

  EXPECT_LT(classifier.memory_bytes(), size_t{4000} * 200);
  EXPECT_TRUE(classifier.Lookup(FlowV4{0x0A000105, 0xC0000105, 1, 85, 6}).found());
  EXPECT_FALSE(classifier.Lookup(FlowV4{0x0A000105, 0xC0000105, 1, 91, 6}).found());
  EXPECT_FALSE(
      classifier.Lookup(FlowV4{0x0A000105, 0xC1000105, 1, 22, 6}).found());
}

INSTANTIATE_TEST_SUITE_P(Engines, ClassifierEngineTest, ::testing::ValuesIn(kEngines),
                         [](const ::testing::TestParamInfo<ClassifierEngine>& info) {
                           return EngineTestName(info.param);
                         });

// Edges of the bit-vector engine's elementary intervals: every case lists
// flows on both sides of each rule's edges, checked on both engines and
// against the reference evaluator.
struct EdgeCase {
  std::string name;
  std::vector<TableRule> rules;
  std::vector<std::pair<FlowV4, uint32_t>> flows;  // flow, expected index
};

TableRule SourceRule(uint32_t priority, std::vector<Ipv4Cidr> sources) {
  TableRule rule = Rule(priority, Ipv4Cidr::Any(), Ipv4Cidr::Any(), PortInterval::Any(),
                        std::nullopt, RuleAccess::kAllow);
  rule.source_v4 = std::move(sources);
  return rule;
}

std::vector<EdgeCase> EdgeCases() {
  const Ipv4Cidr any = Ipv4Cidr::Any();
  constexpr uint32_t kNoRule = RuleMatch::kNoRule;
  std::vector<EdgeCase> cases;
  cases.push_back({"AnyMatchesBothEnds",
                   {Rule(100, any, any, PortInterval::Any(), std::nullopt, RuleAccess::kAllow)},
                   {{FlowV4{0, 0, 0, 0, 0}, 0},
                    {FlowV4{0xFFFFFFFF, 0xFFFFFFFF, 65535, 65535, 255}, 0}}});
  cases.push_back({"HostInsideZeroLength",
                   {SourceRule(200, {any}), SourceRule(100, {Ipv4Cidr{kNet1 | 7, 32}})},
                   {{Flow(kNet1 | 7, kNet2, 22, 6), 1},
                    {Flow(kNet1 | 6, kNet2, 22, 6), 0},
                    {Flow(kNet1 | 8, kNet2, 22, 6), 0}}});
  cases.push_back({"HostAtTopAddress",
                   {SourceRule(100, {Ipv4Cidr{0xFFFFFFFF, 32}})},
                   {{Flow(0xFFFFFFFF, kNet2, 22, 6), 0},
                    {Flow(0xFFFFFFFE, kNet2, 22, 6), kNoRule}}});
  cases.push_back({"HostAtZeroAddress",
                   {SourceRule(100, {Ipv4Cidr{0, 32}})},
                   {{Flow(0, kNet2, 22, 6), 0}, {Flow(1, kNet2, 22, 6), kNoRule}}});
  cases.push_back({"AdjacentPrefixes",
                   {SourceRule(100, {Ipv4Cidr{kNet1, 25}}),
                    SourceRule(101, {Ipv4Cidr{kNet1 | 128, 25}})},
                   {{Flow(kNet1 - 1, kNet2, 22, 6), kNoRule},
                    {Flow(kNet1, kNet2, 22, 6), 0},
                    {Flow(kNet1 | 127, kNet2, 22, 6), 0},
                    {Flow(kNet1 | 128, kNet2, 22, 6), 1},
                    {Flow(kNet1 | 255, kNet2, 22, 6), 1},
                    {Flow(kNet1 + 256, kNet2, 22, 6), kNoRule}}});
  cases.push_back({"AdjacentPrefixesOfOneRule",
                   {SourceRule(100, {Ipv4Cidr{kNet1, 25}, Ipv4Cidr{kNet1 | 128, 25}})},
                   {{Flow(kNet1 | 127, kNet2, 22, 6), 0},
                    {Flow(kNet1 | 128, kNet2, 22, 6), 0},
                    {Flow(kNet1 + 256, kNet2, 22, 6), kNoRule}}});
  cases.push_back({"NestedPrefixes",
                   {SourceRule(300, {Ipv4Cidr{0xC0000000, 16}}),
                    SourceRule(200, {Ipv4Cidr{kNet1, 24}}),
                    SourceRule(100, {Ipv4Cidr{kNet1 | 7, 32}})},
                   {{Flow(kNet1 | 7, kNet2, 22, 6), 2},
                    {Flow(kNet1 | 8, kNet2, 22, 6), 1},
                    {Flow(kNet1 | 255, kNet2, 22, 6), 1},
                    {Flow(0xC0000301, kNet2, 22, 6), 0},
                    {Flow(0xC0010000, kNet2, 22, 6), kNoRule}}});
  cases.push_back({"OverlappingPrefixesOfOneRule",
                   {SourceRule(100, {Ipv4Cidr{0xC0000000, 16}, Ipv4Cidr{kNet1, 24}})},
                   {{Flow(kNet1 | 255, kNet2, 22, 6), 0},
                    {Flow(kNet1 + 256, kNet2, 22, 6), 0},
                    {Flow(0xC0010000, kNet2, 22, 6), kNoRule}}});
  cases.push_back({"PortEdges",
                   {Rule(100, any, any, PortInterval{0, 0}, std::nullopt, RuleAccess::kDeny),
                    Rule(101, any, any, PortInterval{65535, 65535}, std::nullopt,
                         RuleAccess::kAllow),
                    Rule(102, any, any, PortInterval{1, 65534}, 6, RuleAccess::kAllow)},
                   {{Flow(kNet1, kNet2, 0, 6), 0},
                    {Flow(kNet1, kNet2, 65535, 6), 1},
                    {Flow(kNet1, kNet2, 1, 6), 2},
                    {Flow(kNet1, kNet2, 65534, 6), 2},
                    {Flow(kNet1, kNet2, 65534, 17), kNoRule}}});
  cases.push_back({"ProtocolAnyZeroAndTop",
                   {Rule(100, any, any, PortInterval::Any(), 0, RuleAccess::kDeny),
                    Rule(101, any, any, PortInterval::Any(), 255, RuleAccess::kDeny),
                    Rule(102, any, any, PortInterval::Any(), std::nullopt, RuleAccess::kAllow)},
                   {{Flow(kNet1, kNet2, 22, 0), 0},
                    {Flow(kNet1, kNet2, 22, 255), 1},
                    {Flow(kNet1, kNet2, 22, 254), 2},
                    {Flow(kNet1, kNet2, 22, 1), 2}}});
  cases.push_back({"OneRule",
                   {Rule(4096, Ipv4Cidr{kNet1, 24}, Ipv4Cidr{kNet2, 24}, PortInterval::Single(443),
                         6, RuleAccess::kAllow)},
                   {{Flow(kNet1 | 1, kNet2 | 2, 443, 6), 0},
                    {Flow(kNet1 | 1, kNet2 | 2, 443, 17), kNoRule},
                    {Flow(kNet1 | 1, kNet2 | 2, 444, 6), kNoRule},
                    {Flow(kNet2 | 1, kNet1 | 2, 443, 6), kNoRule}}});
  cases.push_back({"NoRules", {}, {{Flow(kNet1, kNet2, 22, 6), kNoRule}}});
  return cases;
}

std::string FlowText(const FlowV4& flow) {
  return Ipv4Cidr{flow.source, 32}.ToString() + " -> " +
         Ipv4Cidr{flow.destination, 32}.ToString() + " port " +
         std::to_string(flow.destination_port) + " protocol " + std::to_string(flow.protocol);
}

class ClassifierEdgeTest
    : public ::testing::TestWithParam<std::tuple<EdgeCase, ClassifierEngine>> {};

TEST_P(ClassifierEdgeTest, MatchesReferenceAtEdges) {
  const auto& [test, engine] = GetParam();
  ASSERT_OK_AND_ASSIGN(RuleTable table, RuleTable::Create(test.rules));
  ASSERT_OK_AND_ASSIGN(Classifier classifier, Classifier::Compile(table, ForEngine(engine)));
  ASSERT_EQ(classifier.engine_v4(), engine);
  for (const auto& [flow, expected] : test.flows) {
    SCOPED_TRACE(FlowText(flow));
    EXPECT_EQ(table.ReferenceLookup(flow).index, expected);
    EXPECT_EQ(classifier.Lookup(flow).index, expected);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ClassifierEdgeTest,
    ::testing::Combine(::testing::ValuesIn(EdgeCases()), ::testing::ValuesIn(kEngines)),
    [](const ::testing::TestParamInfo<std::tuple<EdgeCase, ClassifierEngine>>& info) {
      return std::get<0>(info.param).name + EngineTestName(std::get<1>(info.param));
    });

TEST_P(ClassifierEngineTest, Ipv6HostAndZeroLength) {
  TableRule host;
  host.priority = 100;
  host.source_v6 = {Ipv6Cidr{kNet6 | 1, 128}};
  host.destination_v6 = {Ipv6Cidr::Any()};
  host.source_ports = {PortInterval::Any()};
  host.destination_ports = {PortInterval::Any()};
  host.access = RuleAccess::kDeny;
  TableRule top = host;
  top.priority = 101;
  top.source_v6 = {Ipv6Cidr{~absl::uint128(0), 128}};
  TableRule everything = host;
  everything.priority = 200;
  everything.source_v6 = {Ipv6Cidr::Any()};
  everything.destination_ports = {PortInterval{0, 1023}};
  ASSERT_OK_AND_ASSIGN(RuleTable table, RuleTable::Create({host, top, everything}));
  ASSERT_OK_AND_ASSIGN(Classifier classifier, Classifier::Compile(table, ForEngine(GetParam())));
  ASSERT_EQ(classifier.engine_v6(), GetParam());

  const std::vector<std::pair<FlowV6, uint32_t>> flows = {
      {FlowV6{kNet6 | 1, kNet6, 1, 2000, 6}, 0},
      {FlowV6{kNet6, kNet6, 1, 2000, 6}, RuleMatch::kNoRule},
      {FlowV6{kNet6 | 2, kNet6, 1, 2000, 6}, RuleMatch::kNoRule},
      {FlowV6{kNet6 | 2, kNet6, 1, 1023, 6}, 2},
      {FlowV6{~absl::uint128(0), kNet6, 1, 2000, 6}, 1},
      {FlowV6{~absl::uint128(0) - 1, kNet6, 1, 2000, 6}, RuleMatch::kNoRule},
      {FlowV6{0, 0, 0, 0, 0}, 2},
  };
  for (size_t i = 0; i < flows.size(); ++i) {
    EXPECT_EQ(table.ReferenceLookup(flows[i].first).index, flows[i].second) << "flow " << i;
    EXPECT_EQ(classifier.Lookup(flows[i].first).index, flows[i].second) << "flow " << i;
  }
  // IPv4 flows see no IPv6 rule.
  EXPECT_FALSE(classifier.Lookup(Flow(kNet1, kNet2, 22, 6)).found());
}

// Thousands of /32s and /28s in one rule: every prefix's first and last
// address match, and the addresses just outside do not.
TEST_P(ClassifierEngineTest, RuleWithManyPrefixes) {
  TableRule many = SourceRule(200, {});
  for (uint32_t i = 0; i < 3000; ++i) {
    many.source_v4.push_back(Ipv4Cidr{0xC6330000u | (i << 4), 28});  // 198.51.x.y/28
    many.source_v4.push_back(Ipv4Cidr{0xCB000000u | (i * 7), 32});   // 203.0.x.y/32
  }
  TableRule fallback = SourceRule(300, {Ipv4Cidr::Any()});
  fallback.destination_ports = {PortInterval{0, 1023}};
  ASSERT_OK_AND_ASSIGN(RuleTable table, RuleTable::Create({many, fallback}));
  ASSERT_OK_AND_ASSIGN(Classifier classifier, Classifier::Compile(table, ForEngine(GetParam())));
  ASSERT_EQ(classifier.engine_v4(), GetParam());

  for (uint32_t i = 0; i < 3000; i += 7) {
    for (uint32_t address : {0xC6330000u | (i << 4), 0xC6330000u | (i << 4) | 15,
                             0xCB000000u | (i * 7), (0xCB000000u | (i * 7)) + 1,
                             (0xCB000000u | (i * 7)) - 1}) {
      for (uint16_t port : {uint16_t{80}, uint16_t{8080}}) {
        const FlowV4 flow = Flow(address, kNet2, port, 6);
        ASSERT_EQ(classifier.Lookup(flow), table.ReferenceLookup(flow))
            << Ipv4Cidr{address, 32}.ToString() << " port " << port;
      }
    }
  }
  EXPECT_EQ(classifier.Lookup(Flow(0xC6330000u, kNet2, 8080, 6)).index, 0u);
  EXPECT_EQ(classifier.Lookup(Flow(0xC6330000u + 3000 * 16, kNet2, 8080, 6)).index,
            RuleMatch::kNoRule);
}

TEST(ClassifierTest, BitVectorsOverBudgetFallBack) {
  std::mt19937_64 rng(11);
  ASSERT_OK_AND_ASSIGN(RuleTable table, RandomTable(rng, 400));
  ClassifierOptions options = ForEngine(ClassifierEngine::kBitVector);
  ASSERT_OK_AND_ASSIGN(Classifier fits, Classifier::Compile(table, options));
  EXPECT_EQ(fits.engine_v4(), ClassifierEngine::kBitVector);

  // A budget far below what either family's engine needs, so that both
  // fall back.
  options.bit_vector_max_bytes = 4096;
  ASSERT_OK_AND_ASSIGN(Classifier fallback, Classifier::Compile(table, options));
  EXPECT_EQ(fallback.engine_v4(), ClassifierEngine::kTupleSpace);
  EXPECT_EQ(fallback.engine_v6(), ClassifierEngine::kTupleSpace);
  EXPECT_GT(fallback.table_count_v4(), 0u);
  for (int i = 0; i < 2000; ++i) {
    const FlowV4 flow = testing::RandomFlowV4(rng, table.rules());
    ASSERT_EQ(fallback.Lookup(flow), table.ReferenceLookup(flow)) << "flow " << i;
  }
}

TEST(ClassifierTest, AutoPicksEngineByRuleCount) {
  std::mt19937_64 rng(12);
  testing::RandomRuleOptions rule_options;
  rule_options.rule_count = 50;
  rule_options.v6_share = 0;
  ASSERT_OK_AND_ASSIGN(RuleTable table,
                       RuleTable::Create(testing::RandomRules(rng, rule_options)));
  // The IPv4 family counts the rules with IPv4 sources and destinations.
  const size_t v4_rules = std::count_if(
      table.rules().begin(), table.rules().end(), [](const TableRule& rule) {
        return !rule.source_v4.empty() && !rule.destination_v4.empty();
      });
  ASSERT_GT(v4_rules, 0u);
  ClassifierOptions options;
  options.bit_vector_max_rules = v4_rules;
  ASSERT_OK_AND_ASSIGN(Classifier small, Classifier::Compile(table, options));
  EXPECT_EQ(small.engine_v4(), ClassifierEngine::kBitVector);
  EXPECT_EQ(small.table_count_v4(), 0u);

  options.bit_vector_max_rules = v4_rules - 1;
  ASSERT_OK_AND_ASSIGN(Classifier large, Classifier::Compile(table, options));
  EXPECT_EQ(large.engine_v4(), ClassifierEngine::kTupleSpace);
}

TEST(ClassifierTest, RejectsUnknownEngine) {
  ASSERT_OK_AND_ASSIGN(RuleTable table, RuleTable::Create({}));
  ClassifierOptions options;
  options.engine = static_cast<ClassifierEngine>(7);
  EXPECT_THAT(Classifier::Compile(table, options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("engine: invalid value 7")));
}

TEST(ClassifierTest, DenseTablesTakeLessMemory) {
  std::mt19937_64 rng(13);
  ASSERT_OK_AND_ASSIGN(RuleTable table, RandomTable(rng, 3000));
  ClassifierOptions options = ForEngine(ClassifierEngine::kTupleSpace);
  options.dense_slots_min_bytes = std::numeric_limits<size_t>::max();
  ASSERT_OK_AND_ASSIGN(Classifier sparse, Classifier::Compile(table, options));
  options.dense_slots_min_bytes = 0;
  ASSERT_OK_AND_ASSIGN(Classifier dense, Classifier::Compile(table, options));
  // Load 0.8 against 0.5: the slots shrink by about 3/8.
  EXPECT_LT(dense.memory_bytes(), sparse.memory_bytes());
}

struct DifferentialCase {
  std::string name;
  ClassifierEngine engine = ClassifierEngine::kTupleSpace;
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
  // Without SIMD: the portable paths of both engines.
  add("PortableNsgSized", 8, 300, 6, 4000, 8, 16, 60000);
  cases.back().options.allow_avx512 = false;
  cases.back().options.allow_avx2 = false;
  add("PortableThousand", 9, 1000, 4, 100000, 12, 16, 30000);
  cases.back().options.allow_avx512 = false;
  cases.back().options.allow_avx2 = false;
  // The bit-vector engine's AVX2 path where the CPU has AVX2, even where it
  // has AVX-512 too.
  add("Avx2NsgSized", 10, 300, 6, 4000, 8, 16, 60000);
  cases.back().options.allow_avx512 = false;
  add("Avx2Thousand", 11, 1000, 4, 100000, 12, 16, 30000);
  cases.back().options.allow_avx512 = false;
  // Rows of three 512-bit blocks.
  add("ThreeBlocks", 12, 1500, 4, 100000, 12, 16, 20000);
  add("Avx2ThreeBlocks", 13, 1500, 4, 100000, 12, 16, 20000);
  cases.back().options.allow_avx512 = false;
  add("PortableThreeBlocks", 14, 1500, 4, 100000, 12, 16, 20000);
  cases.back().options.allow_avx512 = false;
  cases.back().options.allow_avx2 = false;
  // Tables at the dense load factor that large rule sets get, with the
  // vector filter where the CPU has one and without it.
  add("DenseNsgSized", 15, 300, 6, 4000, 8, 16, 60000);
  cases.back().options.dense_slots_min_bytes = 0;
  add("DenseCollisionLimitOne", 16, 200, 4, 1000, 1, 16, 60000);
  cases.back().options.dense_slots_min_bytes = 0;
  add("PortableDenseThousand", 17, 1000, 4, 100000, 12, 16, 30000);
  cases.back().options.dense_slots_min_bytes = 0;
  cases.back().options.allow_avx512 = false;
  cases.back().options.allow_avx2 = false;

  // Every case again on the bit-vector engine.
  const size_t tuple_space_cases = cases.size();
  for (size_t i = 0; i < tuple_space_cases; ++i) {
    DifferentialCase test = cases[i];
    test.name += "BitVector";
    test.engine = ClassifierEngine::kBitVector;
    cases.push_back(std::move(test));
  }
  // The bit-vector engine with source ports that are all `*`, whose row it
  // folds into the service rows, and without service rows.
  add("AnySourcePortBitVector", 18, 300, 6, 4000, 8, 16, 100000);
  cases.back().engine = ClassifierEngine::kBitVector;
  cases.back().rules.any_source_port_share = 1;
  add("PortableAnySourcePortBitVector", 19, 1000, 4, 100000, 12, 16, 30000);
  cases.back().engine = ClassifierEngine::kBitVector;
  cases.back().rules.any_source_port_share = 1;
  cases.back().options.allow_avx512 = false;
  cases.back().options.allow_avx2 = false;
  add("FiveRowsBitVector", 20, 300, 6, 4000, 8, 16, 100000);
  cases.back().engine = ClassifierEngine::kBitVector;
  cases.back().options.bit_vector_service_rows = false;
  add("FiveRowsThreeBlocksBitVector", 21, 1500, 4, 100000, 12, 16, 20000);
  cases.back().engine = ClassifierEngine::kBitVector;
  cases.back().options.bit_vector_service_rows = false;
  for (DifferentialCase& test : cases) test.options.engine = test.engine;
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
  ASSERT_EQ(classifier.engine_v4(), test.engine);
  ASSERT_EQ(classifier.engine_v6(), test.engine);

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
