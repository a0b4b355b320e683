// Maps an address to the set of IP named locations that contain it, with one
// binary search however many locations there are.
//
// The ranges of all locations are cut into elementary segments at every
// range boundary (a sweep over the sorted boundaries, as in the "elementary
// intervals" of a segment tree). Each segment carries the id of the set of
// locations that cover it; equal sets share one id. For two overlapping
// locations A = [10, 30] and B = [20, 40]:
//
//   address  0      10        20        31        41
//            |------|---------|---------|---------|------ ...
//   set      {}     {A}       {A,B}     {B}       {}
//
// Lookup() finds the last segment start at or below the address. Set id 0 is
// always the empty set.
#ifndef PORTCULLIS_ACCESS_INTERNAL_CA_LOCATION_INDEX_H_
#define PORTCULLIS_ACCESS_INTERNAL_CA_LOCATION_INDEX_H_

#include <cstdint>
#include <vector>

#include "absl/numeric/int128.h"
#include "net/ip_address.h"
#include "net/prefix_set.h"

namespace portcullis::access::internal {

// Immutable after Build(); safe to read from any number of threads.
class LocationIndex {
 public:
  LocationIndex() : sets_(1) {}

  // Indexes `locations`; entry i is location i. Null entries hold nothing.
  static LocationIndex Build(
      const std::vector<const net::PrefixSet*>& locations);

  // The id of the set of locations containing `address`. Never allocates.
  uint32_t Lookup(const net::IpAddress& address) const;

  // The location numbers in set `id`, ascending.
  const std::vector<int>& Members(uint32_t id) const { return sets_[id]; }
  size_t set_count() const { return sets_.size(); }
  size_t segment_count() const { return v4_starts_.size() + v6_starts_.size(); }

 private:
  std::vector<uint32_t> v4_starts_;
  std::vector<uint32_t> v4_sets_;
  std::vector<absl::uint128> v6_starts_;
  std::vector<uint32_t> v6_sets_;
  std::vector<std::vector<int>> sets_;
};

}  // namespace portcullis::access::internal

#endif  // PORTCULLIS_ACCESS_INTERNAL_CA_LOCATION_INDEX_H_
