#include "access/internal/ca_location_index.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"

namespace portcullis::access::internal {
namespace {

// A boundary: at `position` location `location` starts (opening) or has
// ended (closing, the address after its last one).
template <typename Address>
struct Boundary {
  Address position;
  int location;
  bool opening;
};

struct SetHash {
  size_t operator()(const std::vector<int>& set) const {
    return absl::HashOf(set);
  }
};

// Sorts IPv4 boundaries by position with a least-significant-digit radix
// sort on the four address bytes, which is several times faster than a
// comparison sort for the hundreds of thousands of boundaries of a full
// tenant (195 locations of 2,000 ranges).
void SortBoundaries(std::vector<Boundary<uint32_t>>& boundaries) {
  std::vector<Boundary<uint32_t>> buffer(boundaries.size());
  for (int shift = 0; shift < 32; shift += 8) {
    size_t counts[257] = {};
    for (const auto& b : boundaries)
      ++counts[((b.position >> shift) & 0xFF) + 1];
    for (int i = 0; i < 256; ++i) counts[i + 1] += counts[i];
    for (const auto& b : boundaries) {
      buffer[counts[(b.position >> shift) & 0xFF]++] = b;
    }
    boundaries.swap(buffer);
  }
}

void SortBoundaries(std::vector<Boundary<absl::uint128>>& boundaries) {
  std::stable_sort(
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
template <typename Address>
void Sweep(std::vector<Boundary<Address>>& boundaries, size_t location_count,
           SetIds& set_ids, std::vector<uint32_t>& single_ids,
           std::vector<std::vector<int>>& sets, std::vector<Address>& starts,
           std::vector<uint32_t>& segment_sets) {
  SortBoundaries(boundaries);
  std::vector<int> depth(location_count, 0);
  std::vector<int> active;
  starts.push_back(Address(0));
  segment_sets.push_back(0);

  size_t i = 0;
  while (i < boundaries.size()) {
    Address position = boundaries[i].position;
    for (; i < boundaries.size() && boundaries[i].position == position; ++i) {
      const Boundary<Address>& b = boundaries[i];
      int& d = depth[b.location];
      if (b.opening) {
        if (d++ == 0) {
          active.insert(
              std::lower_bound(active.begin(), active.end(), b.location),
              b.location);
        }
      } else if (--d == 0) {
        active.erase(
            std::lower_bound(active.begin(), active.end(), b.location));
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
  std::vector<Boundary<uint32_t>> v4;
  std::vector<Boundary<absl::uint128>> v6;
  for (size_t l = 0; l < locations.size(); ++l) {
    if (locations[l] == nullptr) continue;
    int location = static_cast<int>(l);
    for (const net::PrefixSet::V4Range& r : locations[l]->v4_ranges()) {
      v4.push_back({r.first, location, true});
      if (r.last != UINT32_MAX) v4.push_back({r.last + 1, location, false});
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
