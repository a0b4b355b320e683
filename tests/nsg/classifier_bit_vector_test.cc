// Tests the bit-vector engine's ways of finding the first set bit of the
// AND of its rows (AVX-512, AVX2 and the portable loop) against each other
// and against the expected rank, with the deciding rule at every bit
// position of rows one to three 512-bit blocks wide, so that a path that
// skips or misreads any word, 256-bit half or block returns a wrong rank.
// Each runs with the three row layouts: five rows, a source port row and a
// service row, and a service row alone.
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nsg/internal/bit_vector_space.h"
#include "nsg/rule_table.h"

namespace portcullis::nsg::internal {
namespace {

using Space = BitVectorSpace<Ipv4Family>;

// Rule i matches destination port i only; every other field is `*`. With
// `catch_all`, a last rule matches every flow.
std::vector<TableRule> PortRules(int count, bool catch_all) {
  std::vector<TableRule> rules;
  for (int i = 0; i < count + (catch_all ? 1 : 0); ++i) {
    TableRule rule;
    rule.priority = static_cast<uint32_t>(i);
    rule.source_v4 = {Ipv4Cidr::Any()};
    rule.destination_v4 = {Ipv4Cidr::Any()};
    rule.source_ports = {PortInterval::Any()};
    rule.destination_ports = {i < count ? PortInterval{static_cast<uint16_t>(i),
                                                       static_cast<uint16_t>(i)}
                                        : PortInterval::Any()};
    rules.push_back(rule);
  }
  return rules;
}

std::vector<Space::RankedRule> Ranked(const std::vector<TableRule>& rules) {
  std::vector<Space::RankedRule> ranked;
  for (uint32_t i = 0; i < rules.size(); ++i) ranked.push_back({i, &rules[i]});
  return ranked;
}

struct AndOption {
  std::string name;
  BitVectorOptions options;
};

// Each AND with service rows and without.
std::vector<AndOption> AndOptions() {
  std::vector<AndOption> options(3);
  options[0].name = "default";
  options[1].name = "no AVX-512";
  options[1].options.allow_avx512 = false;
  options[2].name = "portable";
  options[2].options.allow_avx512 = false;
  options[2].options.allow_avx2 = false;
  for (size_t i = 0; i < 3; ++i) {
    AndOption five_rows = options[i];
    five_rows.name += ", five rows";
    five_rows.options.service_rows = false;
    options.push_back(five_rows);
  }
  // The AVX2 AND of two-block rows with a branch per block, which large
  // engines use.
  AndOption branch = options[1];
  branch.name += ", a branch per block";
  branch.options.both_blocks_max_bytes = 0;
  options.push_back(branch);
  return options;
}

// The layout that `options` gives rules whose source ports are all `*`
// (`any_source_port`) or not.
RowLayout LayoutFor(const BitVectorOptions& options, bool any_source_port) {
  if (!options.service_rows) return RowLayout::kFiveRows;
  return any_source_port ? RowLayout::kService : RowLayout::kSourcePortAndService;
}

bool Contains(const std::vector<PortInterval>& ports, uint16_t port) {
  for (const PortInterval& interval : ports) {
    if (interval.first <= port && port <= interval.last) return true;
  }
  return false;
}

bool Matches(const TableRule& rule, const FlowV4& flow) {
  auto contains = [](const std::vector<Ipv4Cidr>& set, uint32_t address) {
    for (const Ipv4Cidr& cidr : set) {
      const uint32_t mask = cidr.length == 0 ? 0 : ~uint32_t{0} << (32 - cidr.length);
      if ((address & mask) == cidr.address) return true;
    }
    return false;
  };
  return contains(rule.source_v4, flow.source) &&
         contains(rule.destination_v4, flow.destination) &&
         Contains(rule.source_ports, flow.source_port) &&
         Contains(rule.destination_ports, flow.destination_port) &&
         (!rule.protocol.has_value() || *rule.protocol == flow.protocol);
}

// Checks the single and the batch lookup of each of `flows` against
// `expected`.
void ExpectRanks(const Space& space, const std::vector<FlowV4>& flows,
                 const std::vector<uint32_t>& expected) {
  std::vector<uint32_t> batch(flows.size());
  space.LookupBatch(flows.data(), flows.size(), batch.data());
  for (size_t i = 0; i < flows.size(); ++i) {
    ASSERT_EQ(space.Lookup(flows[i]), expected[i]) << "flow " << i;
    ASSERT_EQ(batch[i], expected[i]) << "flow " << i << " in a batch";
  }
}

// Random IPv4 rules over a few networks, ports and protocols, so that
// fields have many classes and rules overlap. With `any_source_port`, the
// source port has one class.
std::vector<TableRule> RandomRules(std::mt19937_64& rng, int count, bool any_source_port) {
  auto ports = [&](int values) {
    const uint16_t first = static_cast<uint16_t>(rng() % values);
    const uint16_t last = static_cast<uint16_t>(first + rng() % 3);
    return rng() % 4 == 0 ? PortInterval::Any() : PortInterval{first, last};
  };
  auto cidr = [&]() {
    const uint8_t length = static_cast<uint8_t>(rng() % 5 == 0 ? 0 : 24 + rng() % 9);
    const uint32_t address = 0xC0000200u | static_cast<uint32_t>(rng() % 64);
    const uint32_t mask = length == 0 ? 0 : ~uint32_t{0} << (32 - length);
    return Ipv4Cidr{address & mask, length};
  };
  std::vector<TableRule> rules;
  for (int i = 0; i < count; ++i) {
    TableRule rule;
    rule.priority = static_cast<uint32_t>(i);
    rule.source_v4 = {cidr()};
    rule.destination_v4 = {cidr(), cidr()};
    rule.source_ports = {any_source_port ? PortInterval::Any() : ports(8)};
    // A rule with no source port never matches. It leaves the source port
    // one class, whose row then lacks the rule.
    if (any_source_port && rng() % 10 == 0) rule.source_ports.clear();
    rule.destination_ports = {ports(40), ports(40)};
    if (rng() % 3 != 0) rule.protocol = static_cast<uint8_t>(rng() % 2 == 0 ? 6 : 17);
    rules.push_back(rule);
  }
  return rules;
}

TEST(ClassifierBitVectorTest, LayoutsAgreeWithBruteForce) {
  std::mt19937_64 rng(7);
  for (int count : {1, 40, 700}) {
    for (bool any_source_port : {false, true}) {
      const std::vector<TableRule> rules = RandomRules(rng, count, any_source_port);
      std::vector<FlowV4> flows;
      for (int i = 0; i < 3000; ++i) {
        flows.push_back(FlowV4{0xC0000200u | static_cast<uint32_t>(rng() % 70),
                               0xC0000200u | static_cast<uint32_t>(rng() % 70),
                               static_cast<uint16_t>(rng() % 12),
                               static_cast<uint16_t>(rng() % 45),
                               static_cast<uint8_t>(rng() % 3 == 0 ? 1 : 6 + 11 * (rng() % 2))});
      }
      // The first matching rule of each flow, by brute force.
      std::vector<uint32_t> expected(flows.size(), kNoRank);
      int found = 0;
      for (size_t i = 0; i < flows.size(); ++i) {
        for (uint32_t rule = 0; rule < rules.size(); ++rule) {
          if (Matches(rules[rule], flows[i])) {
            expected[i] = rule;
            ++found;
            break;
          }
        }
      }
      // The flows must exercise matches, not only misses.
      EXPECT_GT(found, count == 1 ? 10 : 300);
      for (const AndOption& option : AndOptions()) {
        SCOPED_TRACE(std::to_string(count) + " rules, any source port " +
                     std::to_string(any_source_port) + ", " + option.name);
        Space space;
        ASSERT_TRUE(space.Build(Ranked(rules), option.options));
        ASSERT_EQ(space.row_layout(), LayoutFor(option.options, any_source_port));
        ASSERT_NO_FATAL_FAILURE(ExpectRanks(space, flows, expected));
      }
    }
  }
}

// Rules that give 2,121 distinct service rows: rule i < 100 matches
// destination port i, and each of 20 more rules one protocol.
std::vector<TableRule> ManyServiceRows() {
  std::vector<TableRule> rules = PortRules(100, false);
  for (int protocol = 0; protocol < 20; ++protocol) {
    TableRule rule = rules[0];
    rule.priority = static_cast<uint32_t>(rules.size());
    rule.destination_ports = {PortInterval::Any()};
    rule.protocol = static_cast<uint8_t>(protocol);
    rules.push_back(rule);
  }
  return rules;
}

// Service rows and direct tables cost memory, so a budget that fits the
// engine without them must still fit it with the defaults, and no engine
// may pass its budget.
TEST(ClassifierBitVectorTest, ExtrasNeverCostTheEngineItsBudget) {
  std::mt19937_64 rng(9);
  const std::vector<std::vector<TableRule>> tables = {ManyServiceRows(),
                                                      RandomRules(rng, 300, false)};
  BitVectorOptions plain;
  plain.service_rows = false;
  plain.direct_port_tables = false;
  for (size_t table = 0; table < tables.size(); ++table) {
    const std::vector<Space::RankedRule> ranked = Ranked(tables[table]);
    int plain_fits = 0;
    for (size_t budget = 2000; budget <= 400000; budget += 1500) {
      SCOPED_TRACE("table " + std::to_string(table) + ", budget " + std::to_string(budget));
      plain.max_bytes = budget;
      BitVectorOptions defaults;
      defaults.max_bytes = budget;
      Space without;
      Space with;
      const bool without_fits = without.Build(ranked, plain);
      const bool with_fits = with.Build(ranked, defaults);
      plain_fits += without_fits;
      if (without_fits) {
        EXPECT_TRUE(with_fits);
        EXPECT_LE(without.memory_bytes(), budget);
      }
      if (with_fits) {
        EXPECT_LE(with.memory_bytes(), budget);
      }
    }
    // The budgets must reach both sides of the plain engine's size.
    EXPECT_GT(plain_fits, 0);
    EXPECT_LT(plain_fits, 266);
  }
}

TEST(ClassifierBitVectorTest, OptionsPickTheAnd) {
  __builtin_cpu_init();
  const std::vector<TableRule> rules = PortRules(10, true);
  const std::vector<AndOption> options = AndOptions();
  Space space;
  ASSERT_TRUE(space.Build(Ranked(rules), options[1].options));
  EXPECT_EQ(space.and_path(), __builtin_cpu_supports("avx2") ? BitVectorAnd::kAvx2
                                                              : BitVectorAnd::kPortable);
  ASSERT_TRUE(space.Build(Ranked(rules), options[2].options));
  EXPECT_EQ(space.and_path(), BitVectorAnd::kPortable);
  ASSERT_TRUE(space.Build(Ranked(rules), options[0].options));
  EXPECT_EQ(space.and_path(), __builtin_cpu_supports("avx512f") ? BitVectorAnd::kAvx512
                              : __builtin_cpu_supports("avx2") ? BitVectorAnd::kAvx2
                                                                : BitVectorAnd::kPortable);
}

// 500 rules fill one 512-bit block, 1,000 two and 1,500 three.
TEST(ClassifierBitVectorTest, EveryBitPositionDecides) {
  for (int count : {1, 63, 64, 65, 500, 1000, 1500}) {
    for (bool catch_all : {false, true}) {
      const std::vector<TableRule> rules = PortRules(count, catch_all);
      for (const AndOption& option : AndOptions()) {
        SCOPED_TRACE(std::to_string(count) + " rules, catch-all " +
                     std::to_string(catch_all) + ", " + option.name);
        Space space;
        ASSERT_TRUE(space.Build(Ranked(rules), option.options));
        ASSERT_EQ(space.row_layout(), LayoutFor(option.options, true));
        std::vector<FlowV4> flows;
        std::vector<uint32_t> expected;
        // Ports past the last rule's match only the catch-all rule.
        for (int port = 0; port < count + 70; ++port) {
          flows.push_back(FlowV4{0xC0000207, 0xC6336409, 40000, static_cast<uint16_t>(port), 6});
          if (port < count) {
            expected.push_back(static_cast<uint32_t>(port));
          } else {
            expected.push_back(catch_all ? static_cast<uint32_t>(count) : kNoRank);
          }
        }
        // Flow i has destination port i.
        ASSERT_NO_FATAL_FAILURE(ExpectRanks(space, flows, expected));
      }
    }
  }
}

// Ranks need not equal bits when the other family's rules take ranks too.
TEST(ClassifierBitVectorTest, RanksOtherThanBitsAreMapped) {
  const std::vector<TableRule> rules = PortRules(100, false);
  std::vector<Space::RankedRule> ranked;
  for (uint32_t i = 0; i < rules.size(); ++i) ranked.push_back({3 * i + 1, &rules[i]});
  for (const AndOption& option : AndOptions()) {
    SCOPED_TRACE(option.name);
    Space space;
    ASSERT_TRUE(space.Build(ranked, option.options));
    for (uint16_t port = 0; port < 100; ++port) {
      ASSERT_EQ(space.Lookup(FlowV4{1, 2, 3, port, 17}), 3u * port + 1) << "port " << port;
    }
  }
}

}  // namespace
}  // namespace portcullis::nsg::internal
