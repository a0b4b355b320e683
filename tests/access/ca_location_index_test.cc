// Compares the named-location index and each location's PrefixSet, as
// NamedLocationSet::Create() builds them, with slow twins: each location's
// ranges parsed one by one into PrefixSet::FromPrefixes(), and a linear
// check of every location for each probed address.
#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "access/ca_named_locations.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "net/mapped_prefix.h"
#include "net/prefix_set.h"

namespace portcullis::access {
namespace {

using net::IpAddress;

// Random named locations whose ranges crowd into small windows, so that
// they nest, overlap, touch and repeat, within and across locations.
class LocationGenerator {
 public:
  explicit LocationGenerator(uint32_t seed) : rng_(seed) {}

  std::vector<ca::NamedLocation> Locations() {
    std::vector<ca::NamedLocation> out;
    int count = 1 + Int(40);
    for (int l = 0; l < count; ++l) {
      ca::NamedLocation location;
      location.set_id(absl::StrCat("location-", l));
      if (Int(8) == 0) {
        location.mutable_country()->add_countries_and_regions("NL");
      } else if (Int(12) != 0) {
        location.mutable_ip();  // an IP location, possibly empty
        int ranges = Int(4) == 0 ? Int(3) : Int(120);
        for (int r = 0; r < ranges; ++r) {
          location.mutable_ip()->add_cidr_ranges(Range());
        }
      }
      out.push_back(std::move(location));
    }
    return out;
  }

  // An address near the ranges, or at either end of a family.
  IpAddress Probe() {
    switch (Int(10)) {
      case 0:
        return IpAddress::V4(Int(2) == 0 ? 0 : UINT32_MAX);
      case 1:
        return IpAddress::V6(Int(2) == 0 ? absl::uint128(0)
                                         : absl::Uint128Max());
      case 2:
        return IpAddress::V6(kMappedBase | V4Near());
      case 3:
      case 4:
        return IpAddress::V6(V6Near());
      default:
        return IpAddress::V4(V4Near());
    }
  }

 private:
  static constexpr uint32_t kV4Base = 0xC0000200;  // 192.0.2.0
  // ::ffff:0.0.0.0, the IPv4-mapped range.
  static constexpr absl::uint128 kMappedBase = absl::uint128(0xffff) << 32;

  int Int(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  uint32_t V4Near() {
    if (Int(20) == 0) return static_cast<uint32_t>(rng_());
    return kV4Base + static_cast<uint32_t>(Int(2048));
  }
  absl::uint128 V6Near() {
    // 2001:db8:: with a small last group, and a few addresses elsewhere.
    absl::uint128 base = absl::MakeUint128(0x20010db800000000u, 0);
    if (Int(20) == 0) return absl::MakeUint128(rng_(), rng_());
    return base | absl::uint128(Int(4096));
  }

  // CIDR text with host bits often set; lengths lean towards the window's
  // scale, with /0, /32 and /128 now and then.
  std::string Range() {
    switch (Int(16)) {
      case 0:
        return Int(2) == 0 ? "0.0.0.0/0" : "::/0";
      case 1:
        return Int(2) == 0 ? "255.255.255.255/32" : "0.0.0.0/32";
      case 2:
        return Int(2) == 0 ? "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"
                           : "::/128";
      case 3:
        // An IPv4-mapped range is read as the IPv4 range it maps. A range
        // shorter than /96 around the mapped range stays IPv6.
        if (Int(4) == 0) return absl::StrCat("::/", 9 + Int(72));
        return absl::StrCat("::ffff:", IpAddress::V4(V4Near()).ToString(), "/",
                            96 + 20 + Int(13));
      case 4:
      case 5:
      case 6:
        return absl::StrCat(IpAddress::V6(V6Near()).ToString(), "/",
                            Int(6) == 0 ? Int(129) : 116 + Int(13));
      case 7:
        // A bare address is a /32.
        return IpAddress::V4(V4Near()).ToString();
      default:
        return absl::StrCat(IpAddress::V4(V4Near()).ToString(), "/",
                            Int(10) == 0 ? Int(33) : 20 + Int(13));
    }
  }

  std::mt19937 rng_;
};

// The locations containing `address`, checked one by one.
std::vector<int> ContainingLocations(const NamedLocationSet& set,
                                     const IpAddress& address) {
  std::vector<int> out;
  for (int l = 0; l < static_cast<int>(set.locations().size()); ++l) {
    if (set.IpLocationContains(l, address)) out.push_back(l);
  }
  return out;
}

// Every address where some range starts or ends, and its neighbors.
std::vector<IpAddress> EdgeProbes(const NamedLocationSet& set) {
  std::vector<IpAddress> out;
  for (const NamedLocationSet::Location& location : set.locations()) {
    for (const net::PrefixSet::V4Range& r : location.prefixes.v4_ranges()) {
      for (uint32_t a : {r.first - 1, r.first, r.last, r.last + 1}) {
        out.push_back(IpAddress::V4(a));
      }
    }
    for (const net::PrefixSet::V6Range& r : location.prefixes.v6_ranges()) {
      for (absl::uint128 a : {r.first - 1, r.first, r.last, r.last + 1}) {
        out.push_back(IpAddress::V6(a));
      }
    }
  }
  return out;
}

// The minimum number of segments for `set`: one per family to start with,
// and one more at every range edge where the set of containing locations
// changes.
size_t MinimalSegmentCount(const NamedLocationSet& set) {
  std::vector<uint32_t> v4_edges;
  std::vector<absl::uint128> v6_edges;
  for (const NamedLocationSet::Location& location : set.locations()) {
    for (const net::PrefixSet::V4Range& r : location.prefixes.v4_ranges()) {
      v4_edges.push_back(r.first);
      if (r.last != UINT32_MAX) v4_edges.push_back(r.last + 1);
    }
    for (const net::PrefixSet::V6Range& r : location.prefixes.v6_ranges()) {
      v6_edges.push_back(r.first);
      if (r.last != absl::Uint128Max()) v6_edges.push_back(r.last + 1);
    }
  }
  size_t count = 2;
  auto count_changes = [&](auto& edges, auto make_address) {
    std::sort(edges.begin(), edges.end());
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
    for (const auto& edge : edges) {
      if (edge == 0) continue;
      if (ContainingLocations(set, make_address(edge - 1)) !=
          ContainingLocations(set, make_address(edge))) {
        ++count;
      }
    }
  };
  count_changes(v4_edges, [](uint32_t a) { return IpAddress::V4(a); });
  count_changes(v6_edges, [](absl::uint128 a) { return IpAddress::V6(a); });
  return count;
}

TEST(CaLocationIndexTest, PrefixSetsMatchOneByOneParsing) {
  for (uint32_t seed = 1; seed <= 150; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    std::vector<ca::NamedLocation> protos = LocationGenerator(seed).Locations();
    absl::StatusOr<NamedLocationSet> set = NamedLocationSet::Create(protos);
    ASSERT_TRUE(set.ok()) << set.status();

    for (size_t l = 0; l < protos.size(); ++l) {
      std::vector<net::IpPrefix> prefixes;
      for (const std::string& text : protos[l].ip().cidr_ranges()) {
        absl::StatusOr<net::IpPrefix> prefix =
            net::IpPrefix::ParseLenient(text);
        ASSERT_TRUE(prefix.ok()) << prefix.status();
        prefixes.push_back(net::UnmapPrefix(*prefix));
      }
      EXPECT_EQ(set->locations()[l].prefixes,
                net::PrefixSet::FromPrefixes(prefixes))
          << "location " << l;
    }
  }
}

TEST(CaLocationIndexTest, LookupMatchesEachLocation) {
  for (uint32_t seed = 1; seed <= 150; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    LocationGenerator generator(seed);
    absl::StatusOr<NamedLocationSet> set =
        NamedLocationSet::Create(generator.Locations());
    ASSERT_TRUE(set.ok()) << set.status();

    std::vector<IpAddress> probes = EdgeProbes(*set);
    for (int i = 0; i < 2000; ++i) probes.push_back(generator.Probe());
    for (const IpAddress& address : probes) {
      ASSERT_EQ(set->ip_index().Members(set->ip_index().Lookup(address)),
                ContainingLocations(*set, address))
          << address.ToString();
    }
  }
}

TEST(CaLocationIndexTest, SegmentsAreMinimal) {
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    absl::StatusOr<NamedLocationSet> set =
        NamedLocationSet::Create(LocationGenerator(seed).Locations());
    ASSERT_TRUE(set.ok()) << set.status();
    EXPECT_EQ(set->ip_index().segment_count(), MinimalSegmentCount(*set));
  }
}

TEST(CaLocationIndexTest, EveryAddressOfBothFamilies) {
  std::vector<ca::NamedLocation> protos(4);
  protos[0].set_id("all-v4");
  protos[0].mutable_ip()->add_cidr_ranges("0.0.0.0/0");
  protos[1].set_id("all-v6");
  protos[1].mutable_ip()->add_cidr_ranges("::/0");
  protos[2].set_id("halves");
  protos[2].mutable_ip()->add_cidr_ranges("128.0.0.0/1");
  protos[2].mutable_ip()->add_cidr_ranges("0.0.0.0/1");
  protos[2].mutable_ip()->add_cidr_ranges("8000::/1");
  protos[3].set_id("ends");
  protos[3].mutable_ip()->add_cidr_ranges("255.255.255.255/32");
  protos[3].mutable_ip()->add_cidr_ranges("0.0.0.0/32");
  protos[3].mutable_ip()->add_cidr_ranges(
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
  absl::StatusOr<NamedLocationSet> set = NamedLocationSet::Create(protos);
  ASSERT_TRUE(set.ok()) << set.status();
  const internal::LocationIndex& index = set->ip_index();

  EXPECT_EQ(index.Members(index.Lookup(IpAddress::V4(0))),
            (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(index.Members(index.Lookup(IpAddress::V4(1))),
            (std::vector<int>{0, 2}));
  EXPECT_EQ(index.Members(index.Lookup(IpAddress::V4(UINT32_MAX))),
            (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(index.Members(index.Lookup(IpAddress::V6(0))),
            (std::vector<int>{1}));
  EXPECT_EQ(index.Members(index.Lookup(IpAddress::V6(absl::Uint128Max()))),
            (std::vector<int>{1, 2, 3}));
  // ::ffff:192.0.2.1 is looked up as 192.0.2.1, so ::/0 does not contain it.
  EXPECT_EQ(index.Members(index.Lookup(*IpAddress::Parse("::ffff:192.0.2.1"))),
            (std::vector<int>{0, 2}));
  EXPECT_FALSE(set->IpLocationContains(1, *IpAddress::Parse("::ffff:192.0.2.1")));
  EXPECT_EQ(index.segment_count(), 6u);
}

TEST(CaLocationIndexTest, MappedRangeIsItsIpv4Range) {
  std::vector<ca::NamedLocation> protos(2);
  protos[0].set_id("mapped");
  protos[0].mutable_ip()->add_cidr_ranges("::ffff:198.51.100.0/120");
  protos[1].set_id("around-mapped");
  protos[1].mutable_ip()->add_cidr_ranges("::/80");
  absl::StatusOr<NamedLocationSet> set = NamedLocationSet::Create(protos);
  ASSERT_TRUE(set.ok()) << set.status();
  const internal::LocationIndex& index = set->ip_index();

  EXPECT_EQ(set->locations()[0].prefixes,
            net::PrefixSet::FromPrefixes(
                {*net::IpPrefix::ParseStrict("198.51.100.0/24")}));
  for (const char* text : {"198.51.100.25", "::ffff:198.51.100.25"}) {
    SCOPED_TRACE(text);
    IpAddress address = *IpAddress::Parse(text);
    EXPECT_TRUE(set->IpLocationContains(0, address));
    EXPECT_FALSE(set->IpLocationContains(1, address));
    EXPECT_EQ(index.Members(index.Lookup(address)), (std::vector<int>{0}));
  }
  EXPECT_EQ(index.Members(index.Lookup(*IpAddress::Parse("::1"))),
            (std::vector<int>{1}));
  EXPECT_EQ(index.Members(index.Lookup(*IpAddress::Parse("198.51.101.1"))),
            (std::vector<int>{}));
}

absl::StatusOr<NamedLocationSet> CreateWithThreads(
    const std::vector<ca::NamedLocation>& protos, int threads) {
  NamedLocationSet::Options options;
  options.parse_threads = threads;
  return NamedLocationSet::Create(protos, options);
}

TEST(CaLocationIndexTest, ParseThreadsGiveTheSameSet) {
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    LocationGenerator generator(seed);
    std::vector<ca::NamedLocation> protos = generator.Locations();
    absl::StatusOr<NamedLocationSet> one = NamedLocationSet::Create(protos);
    ASSERT_TRUE(one.ok()) << one.status();
    std::vector<IpAddress> probes = EdgeProbes(*one);
    for (int i = 0; i < 500; ++i) probes.push_back(generator.Probe());

    for (int threads : {2, 3, 8, 64}) {
      SCOPED_TRACE(absl::StrCat(threads, " threads"));
      absl::StatusOr<NamedLocationSet> many =
          CreateWithThreads(protos, threads);
      ASSERT_TRUE(many.ok()) << many.status();
      ASSERT_EQ(many->locations().size(), one->locations().size());
      for (size_t l = 0; l < protos.size(); ++l) {
        EXPECT_EQ(many->locations()[l].prefixes, one->locations()[l].prefixes)
            << "location " << l;
      }
      EXPECT_EQ(many->ip_index().segment_count(),
                one->ip_index().segment_count());
      for (const IpAddress& address : probes) {
        ASSERT_EQ(many->ip_index().Members(many->ip_index().Lookup(address)),
                  ContainingLocations(*one, address))
            << address.ToString();
      }
    }
  }
}

// A location with an invalid range and, later, one with a duplicate id:
// every thread count reports the first of the two, as one thread does.
TEST(CaLocationIndexTest, ParseThreadsGiveTheSameError) {
  std::vector<ca::NamedLocation> protos(40);
  for (size_t l = 0; l < protos.size(); ++l) {
    protos[l].set_id(absl::StrCat("location-", l));
    for (int r = 0; r < 50; ++r) {
      protos[l].mutable_ip()->add_cidr_ranges(
          absl::StrCat("198.51.100.", r, "/32"));
    }
  }
  protos[25].mutable_ip()->set_cidr_ranges(7, "198.51.100.7/33");
  protos[31].mutable_ip()->set_cidr_ranges(3, "203.0.113.0/x");
  protos[33].set_id("location-2");

  const std::string expected =
      "named location \"location-25\": ipRanges[7]: invalid IP prefix";
  for (int threads : {1, 2, 3, 8, 64}) {
    SCOPED_TRACE(absl::StrCat(threads, " threads"));
    absl::StatusOr<NamedLocationSet> set = CreateWithThreads(protos, threads);
    ASSERT_FALSE(set.ok());
    EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(set.status().message().substr(0, expected.size()), expected)
        << set.status();
  }

  // With the duplicate id moved before the invalid range, it comes first.
  protos[20].set_id("LOCATION-3");
  for (int threads : {1, 2, 8}) {
    SCOPED_TRACE(absl::StrCat(threads, " threads"));
    absl::StatusOr<NamedLocationSet> set = CreateWithThreads(protos, threads);
    ASSERT_FALSE(set.ok());
    EXPECT_EQ(set.status().message(),
              "named location \"LOCATION-3\": duplicate id; each named "
              "location needs its own id");
  }
}

TEST(CaLocationIndexTest, ParseThreadsBelowOneRejected) {
  absl::StatusOr<NamedLocationSet> set = CreateWithThreads({}, 0);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().message(),
            "invalid parse_threads 0; expected 1 or more");
}

TEST(CaLocationIndexTest, EmptySetMapsToNothing) {
  NamedLocationSet empty;
  EXPECT_TRUE(empty.ip_index()
                  .Members(empty.ip_index().Lookup(IpAddress::V4(0)))
                  .empty());
  EXPECT_TRUE(empty.ip_index()
                  .Members(empty.ip_index().Lookup(IpAddress::V6(1)))
                  .empty());
}

}  // namespace
}  // namespace portcullis::access
