// Tests the bit-vector engine's ways of finding the first set bit of the
// AND of five rows (AVX-512, AVX2 and the portable loop) against each other
// and against the expected rank, with the deciding rule at every bit
// position of rows one to three 512-bit blocks wide, so that a path that
// skips or misreads any word, 256-bit half or block returns a wrong rank.
#include <cstddef>
#include <cstdint>
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

std::vector<AndOption> AndOptions() {
  std::vector<AndOption> options(3);
  options[0].name = "default";
  options[1].name = "no AVX-512";
  options[1].options.allow_avx512 = false;
  options[2].name = "portable";
  options[2].options.allow_avx512 = false;
  options[2].options.allow_avx2 = false;
  return options;
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
        std::vector<uint32_t> batch(flows.size());
        space.LookupBatch(flows.data(), flows.size(), batch.data());
        for (size_t i = 0; i < flows.size(); ++i) {
          ASSERT_EQ(space.Lookup(flows[i]), expected[i]) << "port " << i;
          ASSERT_EQ(batch[i], expected[i]) << "port " << i << " in a batch";
        }
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
