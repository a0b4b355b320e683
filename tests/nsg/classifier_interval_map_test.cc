// Tests the bit-vector engine's interval map against a binary search over
// the same starts, its slow and obviously correct twin. The starts come in
// the three key types and are spread out, packed near the top of the key
// range, clustered, or dense.
#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "gtest/gtest.h"
#include "nsg/internal/bit_vector_space.h"
#include "tests/nsg/classifier_random_rules.h"

namespace portcullis::nsg::internal {
namespace {

template <typename Key>
Key RandomKey(std::mt19937_64& rng) {
  if constexpr (std::is_same_v<Key, absl::uint128>) {
    return absl::MakeUint128(rng(), rng());
  } else {
    return static_cast<Key>(rng());
  }
}

constexpr size_t kNoLimit = ~size_t{0};

enum class Layout { kSpread, kNearTop, kClustered, kDense };

template <typename Key>
std::vector<Key> RandomStarts(std::mt19937_64& rng, Layout layout, int count) {
  const Key top = ~Key(0);
  std::vector<Key> starts = {Key(0)};
  for (int i = 0; i < count; ++i) {
    switch (layout) {
      case Layout::kSpread:
        starts.push_back(RandomKey<Key>(rng));
        break;
      case Layout::kNearTop:
        starts.push_back(static_cast<Key>(top - Key(rng() % 5000)));
        break;
      case Layout::kClustered:
        // A few narrow clusters, so that slices need child nodes.
        starts.push_back(static_cast<Key>(Key(rng() % 4) * static_cast<Key>(top / Key(5)) +
                                          Key(rng() % 300)));
        break;
      case Layout::kDense:
        starts.push_back(Key(rng() % 16));
        break;
    }
  }
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  return starts;
}

// Returns the index of the interval holding `key`: the last start <= key.
template <typename Key>
uint32_t ReferenceFind(const std::vector<Key>& starts, Key key) {
  return static_cast<uint32_t>(std::upper_bound(starts.begin(), starts.end(), key) -
                               starts.begin() - 1);
}

template <typename Key>
void CheckLayouts(uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int rounds = 600 / ::portcullis::nsg::testing::SanitizerSlowdown();
  for (int round = 0; round < rounds; ++round) {
    const Layout layout = static_cast<Layout>(round % 4);
    const std::vector<Key> starts = RandomStarts<Key>(rng, layout, 1 + rng() % 400);
    // Class ids are the interval numbers, so a wrong interval shows.
    std::vector<uint32_t> classes(starts.size());
    for (size_t i = 0; i < classes.size(); ++i) classes[i] = static_cast<uint32_t>(i);
    IntervalMap<Key> map;
    // A small root cap forces child nodes even for a few hundred starts.
    const size_t max_root = round % 2 == 0 ? 256 : size_t{1} << 16;
    ASSERT_TRUE(map.Build(starts, classes, max_root, kNoLimit));
    ASSERT_EQ(map.interval_count(), starts.size());

    for (int query = 0; query < 500; ++query) {
      Key key;
      switch (query % 4) {
        case 0:
          key = RandomKey<Key>(rng);
          break;
        case 1:
          key = starts[rng() % starts.size()];
          break;
        case 2:
          key = static_cast<Key>(starts[rng() % starts.size()] - Key(1));
          break;
        default:
          key = static_cast<Key>(~Key(0) - Key(rng() % 3));
          break;
      }
      ASSERT_EQ(map.Find(key), ReferenceFind(starts, key))
          << "round " << round << ", layout " << static_cast<int>(layout) << ", "
          << starts.size() << " starts";
      // The steps a batch lookup takes one by one.
      ASSERT_EQ(map.ValueOf(key, map.Leaf(key)), ReferenceFind(starts, key))
          << "round " << round << ", layout " << static_cast<int>(layout) << ", "
          << starts.size() << " starts";
    }
  }
}

TEST(ClassifierIntervalMapTest, PortKeysMatchBinarySearch) { CheckLayouts<uint16_t>(1); }

TEST(ClassifierIntervalMapTest, Ipv4KeysMatchBinarySearch) { CheckLayouts<uint32_t>(2); }

TEST(ClassifierIntervalMapTest, Ipv6KeysMatchBinarySearch) { CheckLayouts<absl::uint128>(3); }

TEST(ClassifierIntervalMapTest, SingleIntervalCoversEveryKey) {
  IntervalMap<uint32_t> map;
  ASSERT_TRUE(map.Build({0}, {7}, 256, kNoLimit));
  EXPECT_EQ(map.Find(0), 7u);
  EXPECT_EQ(map.Find(0xC0000201), 7u);
  EXPECT_EQ(map.Find(0xFFFFFFFF), 7u);
}

// Dense IPv6 starts far down a long common prefix need a chain of child
// nodes. A byte limit below that size makes Build fail instead of
// allocating it.
TEST(ClassifierIntervalMapTest, RespectsByteLimit) {
  std::vector<absl::uint128> starts = {0};
  for (uint64_t i = 1; i <= 1000; ++i) {
    starts.push_back(absl::MakeUint128(0x20010DB800000000u, i * 3));
  }
  const std::vector<uint32_t> classes(starts.size(), 1);
  IntervalMap<absl::uint128> unlimited;
  ASSERT_TRUE(unlimited.Build(starts, classes, 256, kNoLimit));
  const size_t needed = unlimited.memory_bytes();

  IntervalMap<absl::uint128> limited;
  EXPECT_FALSE(limited.Build(starts, classes, 256, needed / 2));
  EXPECT_FALSE(limited.Build(starts, classes, 256, 100));
  IntervalMap<absl::uint128> exact;
  ASSERT_TRUE(exact.Build(starts, classes, 256, needed));
  EXPECT_EQ(exact.Find(starts[500]), 1u);
}

// The engine stores row offsets as the values, and these pass 16 bits for
// wide rows. Find returns them whole, also for keys below the second start
// and from the last start on.
TEST(ClassifierIntervalMapTest, ValuesPastSixteenBits) {
  std::vector<uint32_t> starts = {0};
  for (uint32_t i = 1; i < 300; ++i) starts.push_back(i * 1000);
  std::vector<uint32_t> values(starts.size());
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<uint32_t>(i) * 100000 + 7;
  IntervalMap<uint32_t> map;
  ASSERT_TRUE(map.Build(starts, values, 256, kNoLimit));
  EXPECT_EQ(map.Find(0), 7u);
  EXPECT_EQ(map.Find(999), 7u);
  EXPECT_EQ(map.Find(1000), 100007u);
  EXPECT_EQ(map.Find(150500), 15000007u);
  EXPECT_EQ(map.Find(299000), 29900007u);
  EXPECT_EQ(map.Find(0xFFFFFFFF), 29900007u);
  EXPECT_EQ(map.ValueOf(150500, map.Leaf(150500)), 15000007u);
}

// Returns the size in bytes of a port map's direct table without its
// intervals: the block entries, then 16 values per distinct row.
size_t DirectTableBytes(const std::vector<uint16_t>& starts, const std::vector<uint32_t>& values) {
  constexpr uint32_t kWidth = 16;
  std::set<std::vector<uint32_t>> rows;
  for (uint32_t first = 0; first <= 65535; first += kWidth) {
    std::vector<uint32_t> row;
    for (uint32_t port = first; port < first + kWidth; ++port) {
      row.push_back(values[ReferenceFind(starts, static_cast<uint16_t>(port))]);
    }
    rows.insert(std::move(row));
  }
  return (65536 / kWidth) * sizeof(uint16_t) + rows.size() * kWidth * sizeof(uint32_t);
}

// Port maps built with `direct` use a direct table when it fits, and
// every port gets its interval's value, whichever structure the map uses.
TEST(ClassifierIntervalMapTest, PortMapsUseDirectTableWhenSmall) {
  std::mt19937_64 rng(41);
  for (Layout layout : {Layout::kSpread, Layout::kNearTop, Layout::kClustered, Layout::kDense}) {
    for (int count : {1, 2, 3, 20, 100, 250, 2000, 5000}) {
      const std::vector<uint16_t> starts = RandomStarts<uint16_t>(rng, layout, count);
      std::vector<uint32_t> values(starts.size());
      for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<uint32_t>(7 * i + 3);
      IntervalMap<uint16_t> map;
      ASSERT_TRUE(map.Build(starts, values, 256, kNoLimit, 2, true));
      const std::string context = std::to_string(starts.size()) + " intervals, layout " +
                                  std::to_string(static_cast<int>(layout));
      // A direct table has one row of 16 values for each distinct block of
      // 16 ports: at most one per start and one per interval, so maps of up
      // to 100 starts always fit. Maps whose rows alone exceed the cap,
      // such as 5,000 spread starts, keep their trees.
      const size_t table_bytes = DirectTableBytes(starts, values);
      if (starts.size() >= 3 && starts.size() <= 100) {
        EXPECT_TRUE(map.direct()) << context;
      }
      if (starts.size() < 3 || table_bytes > IntervalMap<uint16_t>::kMaxDirectBytes) {
        EXPECT_FALSE(map.direct()) << context << ", " << table_bytes << " bytes";
      }
      if (layout == Layout::kSpread && count == 5000) {
        EXPECT_GT(table_bytes, IntervalMap<uint16_t>::kMaxDirectBytes) << context;
      }
      for (uint32_t port = 0; port <= 65535; ++port) {
        const uint16_t key = static_cast<uint16_t>(port);
        ASSERT_EQ(map.Find(key), values[ReferenceFind(starts, key)]) << context << ", port " << port;
        // kTrie skips trees, so engines only use it when no map has one.
        if (map.tree_depth() == 0) {
          ASSERT_EQ(map.Find<MapSearch::kTrie>(key), values[ReferenceFind(starts, key)])
              << context << ", port " << port;
        }
      }
    }
  }
}

// A map that fits its budget takes no more than it, whichever structure
// it picks.
TEST(ClassifierIntervalMapTest, PortMapsStayWithinBudget) {
  std::mt19937_64 rng(43);
  for (int count : {2, 20, 80}) {
    const std::vector<uint16_t> starts = RandomStarts<uint16_t>(rng, Layout::kSpread, count);
    std::vector<uint32_t> values(starts.size());
    for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<uint32_t>(i);
    for (size_t budget = 64; budget <= 30000; budget += 8) {
      IntervalMap<uint16_t> map;
      if (map.Build(starts, values, 256, budget, 2, true)) {
        ASSERT_LE(map.memory_bytes(), budget) << starts.size() << " intervals";
      }
    }
  }
}

TEST(ClassifierIntervalMapTest, StartAtTopKey) {
  IntervalMap<uint16_t> map;
  ASSERT_TRUE(map.Build({0, 65535}, {1, 2}, 256, kNoLimit));
  EXPECT_EQ(map.Find(0), 1u);
  EXPECT_EQ(map.Find(65534), 1u);
  EXPECT_EQ(map.Find(65535), 2u);
}

}  // namespace
}  // namespace portcullis::nsg::internal
