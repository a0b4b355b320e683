// Tests the bit-vector engine's k-ary search tree against std::upper_bound
// over the same starts, in both of its searches: the portable loop and, on
// CPUs with AVX2, the AVX2 assembly. Sizes sweep the edges of nodes and
// levels, and keys include the type's maximum and every start's
// neighbours.
#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nsg/internal/bit_vector_space.h"
#include "nsg/internal/kary_tree.h"
#include "tests/nsg/classifier_random_rules.h"

namespace portcullis::nsg::internal {
namespace {

constexpr size_t kNoLimit = ~size_t{0};

bool HasAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}

// Returns the index of the interval holding `key`: the last start <= key.
template <typename Key>
uint32_t ReferenceFind(const std::vector<Key>& starts, Key key) {
  return static_cast<uint32_t>(std::upper_bound(starts.begin(), starts.end(), key) -
                               starts.begin() - 1);
}

// Values are the interval numbers, so a wrong interval shows.
std::vector<uint32_t> IndexValues(size_t count) {
  std::vector<uint32_t> values(count);
  for (size_t i = 0; i < count; ++i) values[i] = static_cast<uint32_t>(i);
  return values;
}

// Checks both searches of `tree` at `key`.
template <typename Key>
void ExpectFind(const KaryTree<Key>& tree, const std::vector<Key>& starts, Key key,
                const std::string& context) {
  const uint32_t expected = ReferenceFind(starts, key);
  ASSERT_EQ(tree.template Find<false>(key), expected)
      << context << ", portable search, key " << static_cast<uint64_t>(key);
  if (HasAvx2()) {
    ASSERT_EQ(tree.template Find<true>(key), expected)
        << context << ", AVX2 search, key " << static_cast<uint64_t>(key);
  }
}

// Checks every start, its neighbours, 0, the maximum key and random keys.
template <typename Key>
void CheckStarts(const std::vector<Key>& starts, std::mt19937_64& rng, const std::string& context) {
  KaryTree<Key> tree;
  ASSERT_TRUE(tree.Build(starts, IndexValues(starts.size()), KaryTree<Key>::kMaxDepth, kNoLimit))
      << context;
  const Key top = static_cast<Key>(~Key(0));
  ExpectFind<Key>(tree, starts, 0, context);
  ExpectFind<Key>(tree, starts, top, context);
  ExpectFind<Key>(tree, starts, static_cast<Key>(top - 1), context);
  for (Key start : starts) {
    ExpectFind<Key>(tree, starts, start, context);
    ExpectFind<Key>(tree, starts, static_cast<Key>(start - 1), context);
    ExpectFind<Key>(tree, starts, static_cast<Key>(start + 1), context);
  }
  for (int i = 0; i < 200; ++i) ExpectFind<Key>(tree, starts, static_cast<Key>(rng()), context);
}

// `count` distinct sorted starts beginning with 0, spread over the key
// range, or packed at its top.
template <typename Key>
std::vector<Key> RandomStarts(std::mt19937_64& rng, size_t count, bool near_top) {
  std::set<Key> keys = {0};
  const Key top = static_cast<Key>(~Key(0));
  while (keys.size() < count) {
    keys.insert(near_top ? static_cast<Key>(top - static_cast<Key>(rng() % (4 * count)))
                         : static_cast<Key>(rng()));
  }
  return std::vector<Key>(keys.begin(), keys.end());
}

// Interval counts at the edges of one node, of two levels and of three
// levels: the tree contains count - 1 keys, K per bottom node, and K + 1
// children per node.
template <typename Key>
std::vector<size_t> EdgeCounts() {
  const size_t k = KaryTree<Key>::kKeysPerNode;
  const size_t fanout = KaryTree<Key>::kFanout;
  std::vector<size_t> counts = {1, 2, 3, k, k + 1, k + 2, 2 * k + 1, fanout * k,
                                fanout * k + 1, fanout * k + 2};
  if (sizeof(Key) == 4) {
    counts.push_back(fanout * fanout * k);
    counts.push_back(fanout * fanout * k + 1);
    counts.push_back(fanout * fanout * k + 2);
  }
  return counts;
}

template <typename Key>
void CheckEdgeSizes(uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (size_t count : EdgeCounts<Key>()) {
    for (bool near_top : {false, true}) {
      const std::vector<Key> starts = RandomStarts<Key>(rng, count, near_top);
      CheckStarts(starts, rng,
                  std::to_string(count) + " intervals" + (near_top ? " near the top" : ""));
    }
  }
}

TEST(ClassifierKaryTreeTest, PortKeysAtNodeEdges) { CheckEdgeSizes<uint16_t>(11); }

TEST(ClassifierKaryTreeTest, Ipv4KeysAtNodeEdges) { CheckEdgeSizes<uint32_t>(12); }

template <typename Key>
void CheckRandomSizes(uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int rounds = 300 / ::portcullis::nsg::testing::SanitizerSlowdown();
  for (int round = 0; round < rounds; ++round) {
    const size_t count = 1 + rng() % 1200;
    const std::vector<Key> starts = RandomStarts<Key>(rng, count, round % 3 == 0);
    CheckStarts(starts, rng, "round " + std::to_string(round));
  }
}

TEST(ClassifierKaryTreeTest, PortKeysMatchUpperBound) { CheckRandomSizes<uint16_t>(21); }

TEST(ClassifierKaryTreeTest, Ipv4KeysMatchUpperBound) { CheckRandomSizes<uint32_t>(22); }

// Every port is a start, so the tree needs its maximum depth and every key
// is some interval's first and last key.
TEST(ClassifierKaryTreeTest, EveryPortIsAStart) {
  std::vector<uint16_t> starts(65536);
  for (size_t i = 0; i < starts.size(); ++i) starts[i] = static_cast<uint16_t>(i);
  KaryTree<uint16_t> tree;
  ASSERT_TRUE(tree.Build(starts, IndexValues(starts.size()), KaryTree<uint16_t>::kMaxDepth,
                         kNoLimit));
  EXPECT_EQ(tree.depth(), 4);
  for (size_t key = 0; key < starts.size(); ++key) {
    ASSERT_EQ(tree.Find<false>(static_cast<uint16_t>(key)), key);
    if (HasAvx2()) {
      ASSERT_EQ(tree.Find<true>(static_cast<uint16_t>(key)), key);
    }
  }
}

TEST(ClassifierKaryTreeTest, OneIntervalCoversEveryKey) {
  KaryTree<uint32_t> tree;
  ASSERT_TRUE(tree.Build({0}, {42}, 1, kNoLimit));
  EXPECT_EQ(tree.depth(), 1);
  for (uint32_t key : {0u, 1u, 0xC0000201u, 0xFFFFFFFEu, 0xFFFFFFFFu}) {
    EXPECT_EQ(tree.Find<false>(key), 42u);
    if (HasAvx2()) {
      EXPECT_EQ(tree.Find<true>(key), 42u);
    }
  }
}

// Starts at the type's top key: the last interval contains only that key.
TEST(ClassifierKaryTreeTest, StartAtTopKey) {
  KaryTree<uint16_t> ports;
  ASSERT_TRUE(ports.Build({0, 65535}, {1, 2}, 1, kNoLimit));
  KaryTree<uint32_t> addresses;
  ASSERT_TRUE(addresses.Build({0, 0x80000000u, 0xFFFFFFFFu}, {1, 2, 3}, 1, kNoLimit));
  for (bool avx2 : {false, true}) {
    if (avx2 && !HasAvx2()) continue;
    auto find16 = [&](uint16_t key) {
      return avx2 ? ports.Find<true>(key) : ports.Find<false>(key);
    };
    auto find32 = [&](uint32_t key) {
      return avx2 ? addresses.Find<true>(key) : addresses.Find<false>(key);
    };
    EXPECT_EQ(find16(0), 1u);
    EXPECT_EQ(find16(65534), 1u);
    EXPECT_EQ(find16(65535), 2u);
    EXPECT_EQ(find32(0x7FFFFFFFu), 1u);
    EXPECT_EQ(find32(0x80000000u), 2u);
    EXPECT_EQ(find32(0xFFFFFFFEu), 2u);
    EXPECT_EQ(find32(0xFFFFFFFFu), 3u);
  }
}

// Neighbouring intervals may share a value, and the tree returns it for
// both.
TEST(ClassifierKaryTreeTest, RepeatedValues) {
  std::vector<uint32_t> starts = {0};
  for (uint32_t i = 1; i < 100; ++i) starts.push_back(i * 7);
  std::vector<uint32_t> values(starts.size());
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<uint32_t>(i / 10);
  KaryTree<uint32_t> tree;
  ASSERT_TRUE(tree.Build(starts, values, 2, kNoLimit));
  for (uint32_t key = 0; key < 800; ++key) {
    const uint32_t expected = values[ReferenceFind(starts, key)];
    ASSERT_EQ(tree.Find<false>(key), expected) << key;
    if (HasAvx2()) {
      ASSERT_EQ(tree.Find<true>(key), expected) << key;
    }
  }
}

TEST(ClassifierKaryTreeTest, RejectsTreesTooDeepOrLarge) {
  std::vector<uint32_t> starts = {0};
  for (uint32_t i = 1; i <= 17; ++i) starts.push_back(i * 1000);
  KaryTree<uint32_t> tree;
  // 17 keys (the last keys of all intervals but the last) need a second
  // level.
  EXPECT_FALSE(tree.Build(starts, IndexValues(starts.size()), 1, kNoLimit));
  EXPECT_TRUE(tree.empty());
  EXPECT_FALSE(tree.Build(starts, IndexValues(starts.size()), 2, 100));
  EXPECT_TRUE(tree.empty());
  ASSERT_TRUE(tree.Build(starts, IndexValues(starts.size()), 2, kNoLimit));
  EXPECT_EQ(tree.depth(), 2);
  EXPECT_EQ(tree.Find<false>(16999), 16u);
  EXPECT_EQ(tree.Find<false>(17000), 17u);
}

// Interval maps with a tree depth use the tree when it fits and their trie
// otherwise, and both give the interval of every key.
TEST(ClassifierKaryTreeTest, IntervalMapPicksTreeOrTrie) {
  std::mt19937_64 rng(31);
  for (size_t count : {2u, 3u, 200u, 300u, 5000u}) {
    const std::vector<uint32_t> starts = RandomStarts<uint32_t>(rng, count, false);
    IntervalMap<uint32_t> map;
    ASSERT_TRUE(map.Build(starts, IndexValues(starts.size()), 256, kNoLimit, 2));
    // Maps of fewer than 3 intervals and maps that need 3 levels keep
    // their trie.
    const bool tree = count >= 3 && count <= 272;
    EXPECT_EQ(map.tree_depth() != 0, tree) << count;
    for (int query = 0; query < 2000; ++query) {
      const uint32_t key = query % 2 == 0 ? static_cast<uint32_t>(rng())
                                          : starts[rng() % starts.size()];
      const uint32_t expected = ReferenceFind(starts, key);
      // kTrie and the batch steps are only for maps without a tree.
      if (!tree) {
        ASSERT_EQ(map.Find<MapSearch::kTrie>(key), expected) << count;
      }
      ASSERT_EQ(map.Find<MapSearch::kTreePortable>(key), expected) << count;
      if (HasAvx2()) {
        ASSERT_EQ(map.Find<MapSearch::kTreeAvx2>(key), expected) << count;
      }
      if (!tree) {
        ASSERT_EQ(map.ValueOf(key, map.Leaf(key)), expected) << count;
      }
    }
  }
}

}  // namespace
}  // namespace portcullis::nsg::internal
