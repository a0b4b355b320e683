#include "net/prefix_set.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "tests/net/test_values.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::net {
namespace {

using ::portcullis::net::testing::Address;
using ::portcullis::net::testing::LinearContains;
using ::portcullis::net::testing::Prefix;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

PrefixSet Set(const std::vector<std::string>& texts) {
  std::vector<IpPrefix> prefixes;
  for (const std::string& text : texts) prefixes.push_back(Prefix(text));
  return PrefixSet::FromPrefixes(prefixes);
}

// The address `bits` of the given family as text.
std::string MakeText(absl::uint128 bits, bool v6) {
  return v6 ? IpAddress::V6(bits).ToString()
            : IpAddress::V4(static_cast<uint32_t>(bits)).ToString();
}

std::vector<std::string> Texts(const PrefixSet& set) {
  std::vector<std::string> texts;
  for (const IpPrefix& prefix : set.prefixes()) {
    texts.push_back(prefix.ToString());
  }
  return texts;
}

TEST(PrefixSet, EmptySet) {
  PrefixSet set;
  EXPECT_TRUE(set.empty());
  EXPECT_EQ(set.range_count(), 0u);
  EXPECT_THAT(set.prefixes(), IsEmpty());
  EXPECT_FALSE(set.Contains(Address("0.0.0.0")));
  EXPECT_FALSE(set.Contains(Address("::")));
  EXPECT_EQ(set.ToString(), "");
  EXPECT_EQ(PrefixSet::FromPrefixes({}), set);
}

TEST(PrefixSet, MergesAdjacentHalves) {
  PrefixSet set = Set({"192.0.2.128/25", "192.0.2.0/25"});
  EXPECT_THAT(Texts(set), ElementsAre("192.0.2.0/24"));
  EXPECT_EQ(set.range_count(), 1u);
}

TEST(PrefixSet, MergesOverlapsAndDuplicates) {
  PrefixSet set =
      Set({"192.0.2.0/24", "192.0.2.64/26", "192.0.2.0/24", "192.0.2.255/32"});
  EXPECT_THAT(Texts(set), ElementsAre("192.0.2.0/24"));
}

TEST(PrefixSet, KeepsSeparatePrefixesSorted) {
  PrefixSet set = Set(
      {"2001:db8::/32", "203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24"});
  EXPECT_THAT(Texts(set), ElementsAre("192.0.2.0/24", "198.51.100.0/24",
                                      "203.0.113.0/24", "2001:db8::/32"));
  EXPECT_EQ(set.range_count(), 4u);
  EXPECT_EQ(set.ToString(),
            "192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32");
}

TEST(PrefixSet, AdjacentUnalignedPrefixesStaySeparatePrefixes) {
  // 192.0.2.128/25 and 192.0.3.0/25 are adjacent but no /24 covers both.
  PrefixSet set = Set({"192.0.2.128/25", "192.0.3.0/25"});
  EXPECT_EQ(set.range_count(), 1u);
  EXPECT_THAT(Texts(set), ElementsAre("192.0.2.128/25", "192.0.3.0/25"));
}

TEST(PrefixSet, RangeSplitsIntoFewestPrefixes) {
  // 192.0.2.1 to 192.0.2.6.
  PrefixSet set = PrefixSet::FromRanges({{0xc0000201, 0xc0000206}}, {});
  EXPECT_THAT(Texts(set), ElementsAre("192.0.2.1/32", "192.0.2.2/31",
                                      "192.0.2.4/31", "192.0.2.6/32"));
}

TEST(PrefixSet, FromRangesIgnoresReversedRanges) {
  PrefixSet set = PrefixSet::FromRanges({{10, 5}}, {{absl::uint128(9), 1}});
  EXPECT_TRUE(set.empty());
}

TEST(PrefixSet, WholeV4Space) {
  PrefixSet set = Set({"0.0.0.0/1", "128.0.0.0/1"});
  EXPECT_THAT(Texts(set), ElementsAre("0.0.0.0/0"));
  EXPECT_TRUE(set.Contains(Address("0.0.0.0")));
  EXPECT_TRUE(set.Contains(Address("255.255.255.255")));
  EXPECT_FALSE(set.Contains(Address("::")));
  EXPECT_FALSE(set.Contains(Address("::ffff:192.0.2.1")));
}

TEST(PrefixSet, WholeV6Space) {
  PrefixSet set = Set({"::/1", "8000::/1"});
  EXPECT_THAT(Texts(set), ElementsAre("::/0"));
  EXPECT_TRUE(set.Contains(Address("::")));
  EXPECT_TRUE(set.Contains(Address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
  EXPECT_FALSE(set.Contains(Address("192.0.2.1")));
}

TEST(PrefixSet, SingleAddressesAtEdges) {
  PrefixSet set = Set({"0.0.0.0/32", "255.255.255.255/32", "::/128",
                       "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"});
  EXPECT_EQ(set.range_count(), 4u);
  EXPECT_TRUE(set.Contains(Address("0.0.0.0")));
  EXPECT_FALSE(set.Contains(Address("0.0.0.1")));
  EXPECT_FALSE(set.Contains(Address("255.255.255.254")));
  EXPECT_TRUE(set.Contains(Address("255.255.255.255")));
  EXPECT_TRUE(set.Contains(Address("::")));
  EXPECT_FALSE(set.Contains(Address("::1")));
  EXPECT_TRUE(set.Contains(Address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
  EXPECT_FALSE(
      set.Contains(Address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")));
}

TEST(PrefixSet, ContainsAtRangeBoundaries) {
  PrefixSet set = Set({"192.0.2.0/24", "198.51.100.0/24"});
  EXPECT_FALSE(set.Contains(Address("192.0.1.255")));
  EXPECT_TRUE(set.Contains(Address("192.0.2.0")));
  EXPECT_TRUE(set.Contains(Address("192.0.2.255")));
  EXPECT_FALSE(set.Contains(Address("192.0.3.0")));
  EXPECT_FALSE(set.Contains(Address("198.51.99.255")));
  EXPECT_TRUE(set.Contains(Address("198.51.100.0")));
  EXPECT_TRUE(set.Contains(Address("198.51.100.255")));
  EXPECT_FALSE(set.Contains(Address("198.51.101.0")));
}

TEST(PrefixSet, ContainsPrefix) {
  PrefixSet set = Set({"192.0.2.0/25", "192.0.2.128/25", "2001:db8::/32"});
  EXPECT_TRUE(set.Contains(Prefix("192.0.2.0/24")));
  EXPECT_TRUE(set.Contains(Prefix("192.0.2.64/26")));
  EXPECT_FALSE(set.Contains(Prefix("192.0.2.0/23")));
  EXPECT_TRUE(set.Contains(Prefix("2001:db8:1::/48")));
  EXPECT_FALSE(set.Contains(Prefix("2001:db8::/31")));
  EXPECT_FALSE(set.Contains(Prefix("::ffff:192.0.2.0/120")));
}

TEST(PrefixSet, Union) {
  PrefixSet a = Set({"192.0.2.0/25", "2001:db8::/33"});
  PrefixSet b = Set({"192.0.2.128/25", "2001:db8:8000::/33"});
  EXPECT_THAT(Texts(PrefixSet::Union(a, b)),
              ElementsAre("192.0.2.0/24", "2001:db8::/32"));
  EXPECT_EQ(PrefixSet::Union(a, PrefixSet()), a);
}

TEST(PrefixSet, Intersect) {
  PrefixSet a = Set({"192.0.2.0/24", "2001:db8::/32"});
  PrefixSet b = Set({"192.0.2.64/26", "198.51.100.0/24", "2001:db8:5::/48"});
  EXPECT_THAT(Texts(PrefixSet::Intersect(a, b)),
              ElementsAre("192.0.2.64/26", "2001:db8:5::/48"));
  EXPECT_TRUE(PrefixSet::Intersect(a, PrefixSet()).empty());
}

TEST(PrefixSet, MinusCarvesHole) {
  PrefixSet set = Set({"192.0.2.0/24"}).Minus(Set({"192.0.2.64/26"}));
  EXPECT_THAT(Texts(set), ElementsAre("192.0.2.0/26", "192.0.2.128/25"));
  EXPECT_FALSE(set.Contains(Address("192.0.2.64")));
  EXPECT_FALSE(set.Contains(Address("192.0.2.127")));
  EXPECT_TRUE(set.Contains(Address("192.0.2.63")));
  EXPECT_TRUE(set.Contains(Address("192.0.2.128")));
}

TEST(PrefixSet, MinusSingleAddressFromWholeSpace) {
  PrefixSet set = Set({"0.0.0.0/0"}).Minus(Set({"192.0.2.1/32"}));
  EXPECT_EQ(set.prefixes().size(), 32u);
  EXPECT_FALSE(set.Contains(Address("192.0.2.1")));
  EXPECT_TRUE(set.Contains(Address("192.0.2.0")));
  EXPECT_TRUE(set.Contains(Address("192.0.2.2")));
  EXPECT_TRUE(set.Contains(Address("0.0.0.0")));
  EXPECT_TRUE(set.Contains(Address("255.255.255.255")));
}

TEST(PrefixSet, MinusEdges) {
  PrefixSet set = Set({"192.0.2.0/24", "2001:db8::/32"});
  EXPECT_EQ(set.Minus(PrefixSet()), set);
  EXPECT_TRUE(set.Minus(set).empty());
  EXPECT_TRUE(set.Minus(Set({"0.0.0.0/0", "::/0"})).empty());
  EXPECT_EQ(set.Minus(Set({"::/0"})), Set({"192.0.2.0/24"}));
  EXPECT_EQ(set.Minus(Set({"198.51.100.0/24"})), set);
  EXPECT_THAT(
      Texts(
          Set({"192.0.2.0/24"}).Minus(Set({"192.0.2.0/32", "192.0.2.255/32"}))),
      ElementsAre("192.0.2.1/32", "192.0.2.2/31", "192.0.2.4/30",
                  "192.0.2.8/29", "192.0.2.16/28", "192.0.2.32/27",
                  "192.0.2.64/26", "192.0.2.128/26", "192.0.2.192/27",
                  "192.0.2.224/28", "192.0.2.240/29", "192.0.2.248/30",
                  "192.0.2.252/31", "192.0.2.254/32"));
}

TEST(PrefixSet, MinusOneHoleSpanningTwoRanges) {
  PrefixSet set =
      Set({"192.0.2.0/25", "192.0.2.192/26"})
          .Minus(Set({"192.0.2.64/26", "192.0.2.128/26", "192.0.2.192/27"}));
  EXPECT_THAT(Texts(set), ElementsAre("192.0.2.0/26", "192.0.2.224/27"));
}

TEST(PrefixSet, Complement) {
  EXPECT_THAT(Texts(PrefixSet().Complement()),
              ElementsAre("0.0.0.0/0", "::/0"));
  EXPECT_TRUE(Set({"0.0.0.0/0", "::/0"}).Complement().empty());
  PrefixSet upper_half = Set({"128.0.0.0/1", "8000::/1"});
  EXPECT_THAT(Texts(upper_half.Complement()), ElementsAre("0.0.0.0/1", "::/1"));
}

// Random prefixes packed into a small space so that they overlap, nest and
// touch, plus a few anywhere.
std::vector<IpPrefix> RandomPrefixes(std::mt19937_64& random, int count,
                                     bool v6) {
  std::vector<IpPrefix> prefixes;
  for (int i = 0; i < count; ++i) {
    if (v6) {
      absl::uint128 bits = absl::MakeUint128(
          0x20010db800000000, random() % 4 == 0 ? random() : random() % 4096);
      int length = random() % 8 == 0 ? static_cast<int>(random() % 129)
                                     : 112 + static_cast<int>(random() % 17);
      prefixes.push_back(IpPrefix::Masked(IpAddress::V6(bits), length));
    } else {
      uint32_t bits = random() % 8 == 0
                          ? static_cast<uint32_t>(random())
                          : 0xc0000000 + static_cast<uint32_t>(random() % 4096);
      int length = random() % 8 == 0 ? static_cast<int>(random() % 33)
                                     : 20 + static_cast<int>(random() % 13);
      prefixes.push_back(IpPrefix::Masked(IpAddress::V4(bits), length));
    }
  }
  return prefixes;
}

// Addresses at and around the bounds of `prefixes`, plus random ones.
std::vector<IpAddress> ProbeAddresses(std::mt19937_64& random,
                                      const std::vector<IpPrefix>& prefixes) {
  std::vector<IpAddress> probes;
  for (const IpPrefix& prefix : prefixes) {
    for (IpAddress bound : {prefix.first(), prefix.last()}) {
      probes.push_back(bound);
      if (bound.is_v4()) {
        probes.push_back(IpAddress::V4(bound.v4() - 1));
        probes.push_back(IpAddress::V4(bound.v4() + 1));
      } else {
        probes.push_back(IpAddress::V6(bound.v6() - 1));
        probes.push_back(IpAddress::V6(bound.v6() + 1));
      }
    }
  }
  for (int i = 0; i < 200; ++i) {
    probes.push_back(
        IpAddress::V4(0xc0000000 + static_cast<uint32_t>(random() % 4096)));
    probes.push_back(IpAddress::V4(static_cast<uint32_t>(random())));
    probes.push_back(
        IpAddress::V6(absl::MakeUint128(0x20010db800000000, random() % 4096)));
    probes.push_back(IpAddress::V6(absl::MakeUint128(random(), random())));
  }
  probes.push_back(IpAddress::V4(0));
  probes.push_back(IpAddress::V4(0xffffffff));
  probes.push_back(IpAddress::V6(0));
  probes.push_back(IpAddress::V6(absl::Uint128Max()));
  return probes;
}

std::vector<IpPrefix> RandomMixedPrefixes(std::mt19937_64& random) {
  int count = static_cast<int>(random() % 40);
  std::vector<IpPrefix> prefixes = RandomPrefixes(random, count, false);
  std::vector<IpPrefix> v6 = RandomPrefixes(random, count / 2, true);
  prefixes.insert(prefixes.end(), v6.begin(), v6.end());
  std::shuffle(prefixes.begin(), prefixes.end(), random);
  return prefixes;
}

TEST(PrefixSetDifferential, ContainsMatchesLinearScan) {
  std::mt19937_64 random(42);
  for (int round = 0; round < 300; ++round) {
    std::vector<IpPrefix> prefixes = RandomMixedPrefixes(random);
    PrefixSet set = PrefixSet::FromPrefixes(prefixes);
    for (const IpAddress& probe : ProbeAddresses(random, prefixes)) {
      ASSERT_EQ(set.Contains(probe), LinearContains(prefixes, probe))
          << "round " << round << ", address " << probe << ", set "
          << set.ToString();
    }
  }
}

TEST(PrefixSetDifferential, PrefixesDescribeTheSameSet) {
  std::mt19937_64 random(43);
  for (int round = 0; round < 300; ++round) {
    std::vector<IpPrefix> prefixes = RandomMixedPrefixes(random);
    PrefixSet set = PrefixSet::FromPrefixes(prefixes);
    const std::vector<IpPrefix>& cover = set.prefixes();

    ASSERT_TRUE(std::is_sorted(cover.begin(), cover.end()));
    for (size_t i = 0; i + 1 < cover.size(); ++i) {
      ASSERT_FALSE(cover[i].Overlaps(cover[i + 1]))
          << cover[i] << " and " << cover[i + 1];
      // Two sibling prefixes would merge into their parent, so a cover
      // that has them is not the fewest prefixes.
      bool siblings =
          cover[i].length() == cover[i + 1].length() && cover[i].length() > 0 &&
          cover[i].is_v4() == cover[i + 1].is_v4() &&
          IpPrefix::Masked(cover[i].address(), cover[i].length() - 1) ==
              IpPrefix::Masked(cover[i + 1].address(),
                               cover[i + 1].length() - 1);
      ASSERT_FALSE(siblings) << cover[i] << " and " << cover[i + 1];
    }
    ASSERT_EQ(PrefixSet::FromPrefixes(cover), set);
    for (const IpAddress& probe : ProbeAddresses(random, prefixes)) {
      ASSERT_EQ(LinearContains(cover, probe), LinearContains(prefixes, probe))
          << "round " << round << ", address " << probe;
    }
  }
}

TEST(PrefixSetDifferential, SetOperationsMatchMembership) {
  std::mt19937_64 random(44);
  for (int round = 0; round < 300; ++round) {
    std::vector<IpPrefix> a_prefixes = RandomMixedPrefixes(random);
    std::vector<IpPrefix> b_prefixes = RandomMixedPrefixes(random);
    PrefixSet a = PrefixSet::FromPrefixes(a_prefixes);
    PrefixSet b = PrefixSet::FromPrefixes(b_prefixes);
    PrefixSet both = PrefixSet::Union(a, b);
    PrefixSet common = PrefixSet::Intersect(a, b);
    PrefixSet a_only = a.Minus(b);
    PrefixSet outside_a = a.Complement();

    std::vector<IpPrefix> all = a_prefixes;
    all.insert(all.end(), b_prefixes.begin(), b_prefixes.end());
    for (const IpAddress& probe : ProbeAddresses(random, all)) {
      bool in_a = LinearContains(a_prefixes, probe);
      bool in_b = LinearContains(b_prefixes, probe);
      ASSERT_EQ(both.Contains(probe), in_a || in_b) << probe;
      ASSERT_EQ(common.Contains(probe), in_a && in_b) << probe;
      ASSERT_EQ(a_only.Contains(probe), in_a && !in_b) << probe;
      ASSERT_EQ(outside_a.Contains(probe), !in_a) << probe;
    }
    ASSERT_EQ(outside_a.Complement(), a);
    ASSERT_EQ(PrefixSet::Union(a_only, common), a);
  }
}

TEST(PrefixSetDifferential, RangesAreSortedDisjointAndApart) {
  std::mt19937_64 random(45);
  for (int round = 0; round < 300; ++round) {
    PrefixSet set = PrefixSet::FromPrefixes(RandomMixedPrefixes(random));
    const auto& v4 = set.v4_ranges();
    for (size_t i = 0; i < v4.size(); ++i) {
      ASSERT_LE(v4[i].first, v4[i].last);
      if (i > 0) {
        ASSERT_GT(v4[i].first, uint64_t{v4[i - 1].last} + 1);
      }
    }
    const auto& v6 = set.v6_ranges();
    for (size_t i = 0; i < v6.size(); ++i) {
      ASSERT_LE(v6[i].first, v6[i].last);
      if (i > 0) {
        ASSERT_GT(v6[i].first, v6[i - 1].last);
        ASSERT_NE(v6[i].first - 1, v6[i - 1].last);
      }
    }
  }
}

// "first-last" for each range.
template <typename Range>
std::vector<std::string> RangeTexts(const std::vector<Range>& ranges) {
  constexpr bool v6 = std::is_same_v<Range, PrefixSet::V6Range>;
  std::vector<std::string> texts;
  for (const Range& range : ranges) {
    texts.push_back(
        absl::StrCat(MakeText(range.first, v6), "-", MakeText(range.last, v6)));
  }
  return texts;
}

// The slow twin of FromPrefixes' range building: each prefix's range from
// IpPrefix::first() and last(), std::sort, and a merge into a new vector.
template <typename Range>
std::vector<std::string> ReferenceRanges(
    const std::vector<IpPrefix>& prefixes) {
  std::vector<Range> ranges;
  for (const IpPrefix& prefix : prefixes) {
    if constexpr (std::is_same_v<Range, PrefixSet::V6Range>) {
      if (prefix.is_v6()) {
        ranges.push_back(Range{prefix.first().v6(), prefix.last().v6()});
      }
    } else {
      if (prefix.is_v4()) {
        ranges.push_back(Range{prefix.first().v4(), prefix.last().v4()});
      }
    }
  }
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
    return a.first < b.first || (a.first == b.first && a.last < b.last);
  });
  std::vector<Range> merged;
  for (const Range& range : ranges) {
    // Overlapping or adjacent: the range starts at most one address after
    // the last merged one ends.
    bool touches = !merged.empty() &&
                   (range.first == 0 || range.first - 1 <= merged.back().last);
    if (touches) {
      merged.back().last = std::max(merged.back().last, range.last);
    } else {
      merged.push_back(range);
    }
  }
  return RangeTexts(merged);
}

// The slow twin of the cover in PrefixSet::prefixes(): from each range's
// first address, widen a prefix one bit at a time while it still starts
// there and ends within the range.
std::vector<std::string> ReferenceCover(const PrefixSet& set) {
  std::vector<std::string> texts;
  auto cover = [&texts](IpAddress first, IpAddress last) {
    while (true) {
      IpPrefix block = IpPrefix::Masked(first, first.bit_length());
      while (block.length() > 0) {
        IpPrefix wider = IpPrefix::Masked(first, block.length() - 1);
        if (wider.first() != first || wider.last() > last) break;
        block = wider;
      }
      texts.push_back(block.ToString());
      if (block.last() >= last) return;
      first = block.last().is_v6() ? IpAddress::V6(block.last().v6() + 1)
                                   : IpAddress::V4(block.last().v4() + 1);
    }
  };
  for (const PrefixSet::V4Range& range : set.v4_ranges()) {
    cover(IpAddress::V4(range.first), IpAddress::V4(range.last));
  }
  for (const PrefixSet::V6Range& range : set.v6_ranges()) {
    cover(IpAddress::V6(range.first), IpAddress::V6(range.last));
  }
  return texts;
}

// Sets large enough for the radix sort (64 IPv4 ranges or more), including
// sets whose first addresses share bytes, sorted input, and whole-space
// prefixes.
TEST(PrefixSetDifferential, LargeSetsMatchReference) {
  std::mt19937_64 random(46);
  for (int count : {63, 64, 65, 300, 2000, 20000}) {
    for (int round = 0; round < 6; ++round) {
      std::vector<IpPrefix> prefixes;
      switch (round % 3) {
        case 0:
          prefixes = RandomPrefixes(random, count, /*v6=*/false);
          break;
        case 1:
          // Only the last byte differs, so three radix passes are skipped.
          for (int i = 0; i < count; ++i) {
            prefixes.push_back(IpPrefix::Masked(
                IpAddress::V4(0xc0000200 +
                              static_cast<uint32_t>(random() % 256)),
                24 + static_cast<int>(random() % 9)));
          }
          break;
        default:
          prefixes = RandomPrefixes(random, count, /*v6=*/false);
          std::sort(prefixes.begin(), prefixes.end());
          break;
      }
      std::vector<IpPrefix> v6 = RandomPrefixes(random, count / 4, true);
      prefixes.insert(prefixes.end(), v6.begin(), v6.end());
      if (round == 5) {
        prefixes.push_back(IpPrefix::AnyV4());
        prefixes.push_back(IpPrefix::AnyV6());
      }
      if (round % 3 != 2)
        std::shuffle(prefixes.begin(), prefixes.end(), random);

      PrefixSet set = PrefixSet::FromPrefixes(prefixes);
      SCOPED_TRACE(absl::StrCat(count, " prefixes, round ", round));
      ASSERT_EQ(RangeTexts(set.v4_ranges()),
                ReferenceRanges<PrefixSet::V4Range>(prefixes));
      ASSERT_EQ(RangeTexts(set.v6_ranges()),
                ReferenceRanges<PrefixSet::V6Range>(prefixes));
      ASSERT_EQ(Texts(set), ReferenceCover(set));
    }
  }
}

}  // namespace
}  // namespace portcullis::net
