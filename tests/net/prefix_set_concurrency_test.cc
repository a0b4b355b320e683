// Checks that PrefixSet::prefixes(), which computes the cover on its first
// call, returns the same list to threads that race on one set and on its
// copies. Runs under TSan with the other concurrency tests.
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/numeric/int128.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "net/prefix_set.h"

namespace portcullis::net {
namespace {

constexpr int kThreads = 8;

PrefixSet MakeSet() {
  std::vector<IpPrefix> prefixes;
  for (uint32_t i = 0; i < 500; ++i) {
    // Unaligned ranges of three /27s, so each range needs two prefixes.
    prefixes.push_back(
        IpPrefix::Masked(IpAddress::V4(0xc0000000 + i * 256 + 32), 27));
    prefixes.push_back(
        IpPrefix::Masked(IpAddress::V4(0xc0000000 + i * 256 + 64), 26));
    prefixes.push_back(IpPrefix::Masked(
        IpAddress::V6(absl::MakeUint128(0x20010db800000000, i << 16)), 112));
  }
  return PrefixSet::FromPrefixes(prefixes);
}

std::string Texts(const std::vector<IpPrefix>& prefixes) {
  std::string out;
  for (const IpPrefix& prefix : prefixes) out += prefix.ToString() + " ";
  return out;
}

TEST(PrefixSetConcurrency, FirstPrefixesCallRaces) {
  const std::string expected = Texts(MakeSet().prefixes());
  ASSERT_FALSE(expected.empty());

  for (int round = 0; round < 20; ++round) {
    const PrefixSet set = MakeSet();
    const PrefixSet copy = set;
    std::vector<std::string> seen(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      const PrefixSet& target = t % 2 == 0 ? set : copy;
      threads.emplace_back(
          [&target, &seen, t] { seen[t] = Texts(target.prefixes()); });
    }
    for (std::thread& thread : threads) thread.join();

    for (int t = 0; t < kThreads; ++t) {
      EXPECT_EQ(seen[t], expected) << "round " << round << ", thread " << t;
    }
    EXPECT_EQ(&set.prefixes(), &copy.prefixes());
  }
}

TEST(PrefixSetConcurrency, EmptySetsHaveNoPrefixes) {
  EXPECT_TRUE(PrefixSet().prefixes().empty());
  EXPECT_TRUE(PrefixSet::FromPrefixes({}).prefixes().empty());
}

}  // namespace
}  // namespace portcullis::net
