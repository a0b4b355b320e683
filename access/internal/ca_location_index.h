// Maps an address to the set of IP named locations that contain it, with one
// binary search however many locations there are.
//
// The ranges of all locations are cut into elementary segments at every
// range boundary (a sweep over the ranges sorted by first address, as in the
// "elementary intervals" of a segment tree). Each segment carries the id of
// the set of locations that cover it; equal sets share one id. For two
// overlapping locations A = [10, 30] and B = [20, 40]:
//
//   address  0      10        20        31        41
//            |------|---------|---------|---------|------ ...
//   set      {}     {A}       {A,B}     {B}       {}
//
// Lookup() finds the last segment start at or below the address. Set id 0 is
// always the empty set.
//
// LocationIndexBuilder sorts the prefixes of all locations together once
// and derives from that one order both each location's PrefixSet and the
// segments, so no location's ranges are sorted twice.
#ifndef PORTCULLIS_ACCESS_INTERNAL_CA_LOCATION_INDEX_H_
#define PORTCULLIS_ACCESS_INTERNAL_CA_LOCATION_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/numeric/int128.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "net/prefix_set.h"

namespace portcullis::access::internal {

// Immutable after LocationIndexBuilder::Build(); safe to read from any
// number of threads.
class LocationIndex {
 public:
  // The index of no locations: every address maps to the empty set.
  LocationIndex()
      : v4_starts_(1), v4_sets_(1), v6_starts_(1), v6_sets_(1), sets_(1) {}

  // The id of the set of locations containing `address`, with an
  // IPv4-mapped address read as its IPv4 address. Never allocates.
  uint32_t Lookup(const net::IpAddress& address) const;

  // The location numbers in set `id`, ascending.
  const std::vector<int>& Members(uint32_t id) const { return sets_[id]; }
  size_t set_count() const { return sets_.size(); }
  size_t segment_count() const { return v4_starts_.size() + v6_starts_.size(); }

 private:
  friend class LocationIndexBuilder;

  std::vector<uint32_t> v4_starts_;
  std::vector<uint32_t> v4_sets_;
  std::vector<absl::uint128> v6_starts_;
  std::vector<uint32_t> v6_sets_;
  std::vector<std::vector<int>> sets_;
};

// Collects the prefixes of IP named locations, then builds each location's
// PrefixSet and the LocationIndex over all of them. Not thread-safe.
//
//   LocationIndexBuilder builder(locations.size());
//   builder.Add(0, prefix);  // once per prefix of each location
//   LocationIndexBuilder::Result built = std::move(builder).Build();
class LocationIndexBuilder {
 public:
  // Locations are numbered 0 to location_count - 1. An IPv4 prefix is packed
  // with its location into 64 bits, which leaves 26 bits for the number.
  static constexpr size_t kMaxLocations = size_t{1} << 26;

  // `location_count` must be at most kMaxLocations.
  explicit LocationIndexBuilder(size_t location_count);

  // Makes room for `count` prefixes of either family, so that Add() does
  // not reallocate.
  void Reserve(size_t count);

  // Adds `prefix` to location `location`. The prefix's host bits must be
  // clear, as IpPrefix keeps them.
  void Add(int location, const net::IpPrefix& prefix);

  // Adds every prefix of `other`, which has the same location count, after
  // those already added. Build() gives the same result as if they had been
  // added here in that order.
  void Append(LocationIndexBuilder&& other);

  struct Result {
    // Entry i contains the addresses of every prefix added to location i.
    std::vector<net::PrefixSet> sets;
    LocationIndex index;
  };
  Result Build() &&;

 private:
  // An IPv6 prefix: its first address in two halves, its length and its
  // location.
  struct V6Entry {
    uint64_t high;
    uint64_t low;
    uint32_t location;
    uint32_t length;
  };

  size_t location_count_;
  // IPv4 prefixes as first address << 32 | location << 6 | length.
  std::vector<uint64_t> v4_;
  std::vector<V6Entry> v6_;
  std::vector<uint32_t> v4_counts_;  // per location
  std::vector<uint32_t> v6_counts_;  // per location
};

}  // namespace portcullis::access::internal

#endif  // PORTCULLIS_ACCESS_INTERNAL_CA_LOCATION_INDEX_H_
