#include "access/internal/ca_location_index.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"

namespace portcullis::access::internal {
namespace {

// A boundary: at `position` location `location` starts (opening) or has
// ended (closing, the address after its last one). IPv6 boundaries use this
// struct; IPv4 boundaries are packed into 64 bits (see PackV4).
template <typename Address>
struct Boundary {
  Address position;
  int location;
  bool opening;
};

// An IPv4 boundary as one integer: the position in the high 32 bits, the
// location in bits 1 to 31 and the opening flag in bit 0. Sorting these
// integers by their high half sorts the boundaries by position.
uint64_t PackV4(uint32_t position, int location, bool opening) {
  return (uint64_t{position} << 32) | (static_cast<uint64_t>(location) << 1) |
         (opening ? 1 : 0);
}

uint32_t Position(uint64_t packed) {
  return static_cast<uint32_t>(packed >> 32);
}
int Location(uint64_t packed) {
  return static_cast<int>((packed & 0xffffffff) >> 1);
}
bool Opening(uint64_t packed) { return (packed & 1) != 0; }

const absl::uint128& Position(const Boundary<absl::uint128>& b) {
  return b.position;
}
int Location(const Boundary<absl::uint128>& b) { return b.location; }
bool Opening(const Boundary<absl::uint128>& b) { return b.opening; }

struct SetHash {
  size_t operator()(const std::vector<int>& set) const {
    return absl::HashOf(set);
  }
};

// Sorts packed IPv4 boundaries by position with a least-significant-digit
// radix sort over the 32 position bits, in three passes of 11, 11 and 10
// bits. For the hundreds of thousands of boundaries of a full tenant (195
// locations of 2,000 ranges) it is several times faster than a comparison
// sort.
// A pass in which every boundary has the same digit is skipped. The order
// of boundaries at one position does not matter to Sweep().
void SortBoundaries(std::vector<uint64_t>& boundaries) {
  if (boundaries.empty()) return;
  constexpr int kShifts[3] = {32, 43, 54};
  constexpr size_t kBuckets = 2048;
  std::vector<uint32_t> counts(3 * kBuckets, 0);
  for (uint64_t b : boundaries) {
    for (int pass = 0; pass < 3; ++pass) {
      ++counts[pass * kBuckets + ((b >> kShifts[pass]) & (kBuckets - 1))];
    }
  }

  std::vector<uint64_t> buffer(boundaries.size());
  for (int pass = 0; pass < 3; ++pass) {
    uint32_t* count = &counts[pass * kBuckets];
    int shift = kShifts[pass];
    if (count[(boundaries[0] >> shift) & (kBuckets - 1)] == boundaries.size()) {
      continue;
    }
    uint32_t next = 0;
    for (size_t digit = 0; digit < kBuckets; ++digit) {
      uint32_t bucket_size = count[digit];
      count[digit] = next;
      next += bucket_size;
    }
    for (uint64_t b : boundaries) {
      buffer[count[(b >> shift) & (kBuckets - 1)]++] = b;
    }
    boundaries.swap(buffer);
  }
}

void SortBoundaries(std::vector<Boundary<absl::uint128>>& boundaries) {
  std::sort(
      boundaries.begin(), boundaries.end(),
      [](const auto& a, const auto& b) { return a.position < b.position; });
}

using SetIds = absl::flat_hash_map<std::vector<int>, uint32_t, SetHash>;

// The id of the location set `active`, assigned on first sight. Most
// segments hold no location or exactly one, so those skip the hash table.
uint32_t SetId(const std::vector<int>& active, SetIds& set_ids,
               std::vector<uint32_t>& single_ids,
               std::vector<std::vector<int>>& sets) {
  if (active.empty()) return 0;
  if (active.size() == 1) {
    uint32_t& id = single_ids[active[0]];
    if (id == 0) {
      id = static_cast<uint32_t>(sets.size());
      sets.push_back(active);
    }
    return id;
  }
  auto [it, inserted] =
      set_ids.try_emplace(active, static_cast<uint32_t>(sets.size()));
  if (inserted) sets.push_back(active);
  return it->second;
}

// Sweeps sorted boundaries into segments: starts[i] opens a segment whose
// locations form set sets[i].
template <typename Address, typename BoundaryType>
void Sweep(std::vector<BoundaryType>& boundaries, size_t location_count,
           SetIds& set_ids, std::vector<uint32_t>& single_ids,
           std::vector<std::vector<int>>& sets, std::vector<Address>& starts,
           std::vector<uint32_t>& segment_sets) {
  SortBoundaries(boundaries);
  std::vector<int> depth(location_count, 0);
  std::vector<int> active;
  starts.reserve(boundaries.size() + 1);
  segment_sets.reserve(boundaries.size() + 1);
  starts.push_back(Address(0));
  segment_sets.push_back(0);

  size_t i = 0;
  while (i < boundaries.size()) {
    Address position = Position(boundaries[i]);
    for (; i < boundaries.size() && Position(boundaries[i]) == position; ++i) {
      int location = Location(boundaries[i]);
      int& d = depth[location];
      if (Opening(boundaries[i])) {
        if (d++ == 0) {
          active.insert(
              std::lower_bound(active.begin(), active.end(), location),
              location);
        }
      } else if (--d == 0) {
        active.erase(std::lower_bound(active.begin(), active.end(), location));
      }
    }
    uint32_t id = SetId(active, set_ids, single_ids, sets);
    if (id == segment_sets.back()) continue;
    if (starts.back() == position) {
      segment_sets.back() = id;
    } else {
      starts.push_back(position);
      segment_sets.push_back(id);
    }
  }
}

}  // namespace

LocationIndex LocationIndex::Build(
    const std::vector<const net::PrefixSet*>& locations) {
  size_t v4_count = 0;
  size_t v6_count = 0;
  for (const net::PrefixSet* set : locations) {
    if (set == nullptr) continue;
    v4_count += 2 * set->v4_ranges().size();
    v6_count += 2 * set->v6_ranges().size();
  }

  std::vector<uint64_t> v4;
  std::vector<Boundary<absl::uint128>> v6;
  v4.reserve(v4_count);
  v6.reserve(v6_count);
  for (size_t l = 0; l < locations.size(); ++l) {
    if (locations[l] == nullptr) continue;
    int location = static_cast<int>(l);
    for (const net::PrefixSet::V4Range& r : locations[l]->v4_ranges()) {
      v4.push_back(PackV4(r.first, location, true));
      if (r.last != UINT32_MAX)
        v4.push_back(PackV4(r.last + 1, location, false));
    }
    for (const net::PrefixSet::V6Range& r : locations[l]->v6_ranges()) {
      v6.push_back({r.first, location, true});
      if (r.last != absl::Uint128Max()) {
        v6.push_back({r.last + 1, location, false});
      }
    }
  }

  LocationIndex index;
  SetIds set_ids;
  std::vector<uint32_t> single_ids(locations.size(), 0);
  Sweep(v4, locations.size(), set_ids, single_ids, index.sets_,
        index.v4_starts_, index.v4_sets_);
  Sweep(v6, locations.size(), set_ids, single_ids, index.sets_,
        index.v6_starts_, index.v6_sets_);
  return index;
}

uint32_t LocationIndex::Lookup(const net::IpAddress& address) const {
  if (address.is_v4()) {
    auto it =
        std::upper_bound(v4_starts_.begin(), v4_starts_.end(), address.v4());
    return v4_sets_[static_cast<size_t>(it - v4_starts_.begin()) - 1];
  }
  auto it =
      std::upper_bound(v6_starts_.begin(), v6_starts_.end(), address.v6());
  return v6_sets_[static_cast<size_t>(it - v6_starts_.begin()) - 1];
}

}  // namespace portcullis::access::internal
