#include "access/internal/ca_location_index.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <utility>

#include "absl/container/fixed_array.h"
#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"

namespace portcullis::access::internal {
namespace {

// Sorts `items` by key(item) with a least-significant-digit radix sort over
// the kBits-bit digits of the key at `shifts`, lowest first. Each pass is a
// stable counting sort; a pass in which every item has the same digit is
// skipped.
template <int kBits, typename T, typename Key, size_t kPasses>
void RadixSort(std::vector<T>& items, Key key, const int (&shifts)[kPasses]) {
  constexpr size_t kBuckets = size_t{1} << kBits;
  if (items.size() < 2) return;
  std::vector<uint32_t> counts(kPasses * kBuckets, 0);
  for (const T& item : items) {
    uint64_t k = key(item);
    for (size_t pass = 0; pass < kPasses; ++pass) {
      ++counts[pass * kBuckets + ((k >> shifts[pass]) & (kBuckets - 1))];
    }
  }

  // Left uninitialized: every slot is written before it is read.
  absl::FixedArray<T, 0> buffer(items.size());
  T* from = items.data();
  T* to = buffer.data();
  for (size_t pass = 0; pass < kPasses; ++pass) {
    uint32_t* count = &counts[pass * kBuckets];
    int shift = shifts[pass];
    if (count[(key(from[0]) >> shift) & (kBuckets - 1)] == items.size()) {
      continue;
    }

    // Turn the counts into the first output index of each digit.
    uint32_t next = 0;
    for (size_t digit = 0; digit < kBuckets; ++digit) {
      uint32_t bucket_size = count[digit];
      count[digit] = next;
      next += bucket_size;
    }
    for (size_t i = 0; i < items.size(); ++i) {
      to[count[(key(from[i]) >> shift) & (kBuckets - 1)]++] = from[i];
    }
    std::swap(from, to);
  }
  if (from != items.data()) {
    std::memcpy(items.data(), from, items.size() * sizeof(T));
  }
}

// A prefix of one location as an inclusive range.
template <typename Address>
struct Range {
  Address first;
  Address last;
  int location;
};

// Ids of location sets, assigned on first sight. Set 0 is the empty set.
class SetTable {
 public:
  SetTable(size_t location_count, std::vector<std::vector<int>>& sets)
      : single_ids_(location_count, 0), sets_(sets) {}

  uint32_t Single(int location) {
    uint32_t& id = single_ids_[location];
    if (id == 0) {
      id = static_cast<uint32_t>(sets_.size());
      sets_.push_back({location});
    }
    return id;
  }

  // `active` is sorted. Most segments hold no location or exactly one, so
  // those skip the hash table.
  uint32_t Of(const std::vector<int>& active) {
    if (active.empty()) return 0;
    if (active.size() == 1) return Single(active[0]);
    auto [it, inserted] =
        multiple_ids_.try_emplace(active, static_cast<uint32_t>(sets_.size()));
    if (inserted) sets_.push_back(active);
    return it->second;
  }

 private:
  struct Hash {
    size_t operator()(const std::vector<int>& set) const {
      return absl::HashOf(set);
    }
  };

  std::vector<uint32_t> single_ids_;
  absl::flat_hash_map<std::vector<int>, uint32_t, Hash> multiple_ids_;
  std::vector<std::vector<int>>& sets_;
};

// Appends segments in address order, merging a segment into the previous
// one when both have the same set.
template <typename Address>
class SegmentWriter {
 public:
  SegmentWriter(size_t capacity, std::vector<Address>& starts,
                std::vector<uint32_t>& sets)
      : starts_(starts), sets_(sets) {
    starts_.clear();
    sets_.clear();
    starts_.reserve(capacity);
    sets_.reserve(capacity);
    starts_.push_back(Address(0));
    sets_.push_back(0);
  }

  // Starts a segment of set `id` at `position`, which is at or after the
  // last segment's start. At the same position the new set replaces the
  // last segment's.
  void Emit(Address position, uint32_t id) {
    if (starts_.back() == position) {
      sets_.back() = id;
      size_t size = sets_.size();
      if (size >= 2 && sets_[size - 2] == id) {
        starts_.pop_back();
        sets_.pop_back();
      }
      return;
    }
    if (sets_.back() == id) return;
    starts_.push_back(position);
    sets_.push_back(id);
  }

 private:
  std::vector<Address>& starts_;
  std::vector<uint32_t>& sets_;
};

// The locations covering the sweep position: how many open ranges each has,
// and the sorted list of those with at least one.
class ActiveLocations {
 public:
  explicit ActiveLocations(size_t location_count) : depth_(location_count) {}

  void Open(int location) {
    if (depth_[location]++ == 0) {
      active_.insert(std::lower_bound(active_.begin(), active_.end(), location),
                     location);
    }
  }
  void Close(int location) {
    if (--depth_[location] == 0) {
      active_.erase(std::lower_bound(active_.begin(), active_.end(), location));
    }
  }
  const std::vector<int>& sorted() const { return active_; }

 private:
  std::vector<int> depth_;
  std::vector<int> active_;
};

// Sweeps `count` ranges, sorted by first address, into segments, and
// passes each range to visit(range) in that order. range_at(i) returns
// range i. A range that overlaps no other, the common case, takes the short
// path: its own segment and the empty one after it. Overlapping ranges go
// through a min-heap of open ranges by last address.
template <typename Address, typename RangeAt, typename Visit>
void Sweep(size_t count, RangeAt range_at, Visit visit, size_t location_count,
           SetTable& set_table, std::vector<Address>& starts,
           std::vector<uint32_t>& segment_sets) {
  constexpr Address kMax = ~Address(0);
  SegmentWriter<Address> out(2 * count + 1, starts, segment_sets);
  if (count == 0) return;
  ActiveLocations active(location_count);
  // Open ranges as (last address, location), a min-heap by last address.
  using Open = std::pair<Address, int>;
  std::vector<Open> open;
  auto later = std::greater<Open>();

  // Closes every open range whose last address is below `position`, one
  // segment per distinct last address.
  auto close_before = [&](Address position) {
    while (!open.empty() && open.front().first < position) {
      Address last = open.front().first;
      while (!open.empty() && open.front().first == last) {
        active.Close(open.front().second);
        std::pop_heap(open.begin(), open.end(), later);
        open.pop_back();
      }
      // last < position, so last + 1 does not wrap.
      out.Emit(last + 1, set_table.Of(active.sorted()));
    }
  };

  size_t i = 0;
  Range<Address> range = range_at(0);
  while (true) {
    if (!open.empty()) close_before(range.first);
    bool has_next = i + 1 < count;
    Range<Address> next = has_next ? range_at(i + 1) : range;
    if (open.empty() && (!has_next || next.first > range.last)) {
      visit(range);
      out.Emit(range.first, set_table.Single(range.location));
      if (range.last != kMax) out.Emit(range.last + 1, 0);
    } else {
      // Open every range that starts here.
      Address position = range.first;
      while (true) {
        visit(range);
        open.emplace_back(range.last, range.location);
        std::push_heap(open.begin(), open.end(), later);
        active.Open(range.location);
        if (!has_next || next.first != position) break;
        range = next;
        ++i;
        has_next = i + 1 < count;
        if (has_next) next = range_at(i + 1);
      }
      out.Emit(position, set_table.Of(active.sorted()));
    }
    if (!has_next) break;
    range = next;
    ++i;
  }

  // Close what is still open. A range that ends at the last address never
  // closes, and after it nothing does.
  while (!open.empty() && open.front().first != kMax) {
    close_before(open.front().first + 1);
  }
}

constexpr uint64_t kV4LocationMask = (uint64_t{1} << 26) - 1;

uint32_t V4First(uint64_t packed) {
  return static_cast<uint32_t>(packed >> 32);
}
int V4Location(uint64_t packed) {
  return static_cast<int>((packed >> 6) & kV4LocationMask);
}
uint32_t V4Last(uint64_t packed) {
  int length = static_cast<int>(packed & 0x3f);
  uint32_t host = static_cast<uint32_t>(uint64_t{0xffffffff} >> length);
  return V4First(packed) | host;
}

}  // namespace

LocationIndexBuilder::LocationIndexBuilder(size_t location_count)
    : location_count_(location_count),
      v4_counts_(location_count, 0),
      v6_counts_(location_count, 0) {}

void LocationIndexBuilder::Reserve(size_t count) {
  // On Linux the pages of a large allocation that are never written take no
  // physical memory, so sizing both families for every prefix is cheap.
  v4_.reserve(count);
  v6_.reserve(count);
}

void LocationIndexBuilder::Add(int location, const net::IpPrefix& prefix) {
  if (prefix.is_v4()) {
    v4_.push_back((uint64_t{prefix.address().v4()} << 32) |
                  (static_cast<uint64_t>(location) << 6) |
                  static_cast<uint64_t>(prefix.length()));
    ++v4_counts_[location];
  } else {
    absl::uint128 first = prefix.address().v6();
    v6_.push_back(V6Entry{absl::Uint128High64(first), absl::Uint128Low64(first),
                          static_cast<uint32_t>(location),
                          static_cast<uint32_t>(prefix.length())});
    ++v6_counts_[location];
  }
}

void LocationIndexBuilder::Append(LocationIndexBuilder&& other) {
  v4_.insert(v4_.end(), other.v4_.begin(), other.v4_.end());
  v6_.insert(v6_.end(), other.v6_.begin(), other.v6_.end());
  for (size_t l = 0; l < location_count_; ++l) {
    v4_counts_[l] += other.v4_counts_[l];
    v6_counts_[l] += other.v6_counts_[l];
  }
}

LocationIndexBuilder::Result LocationIndexBuilder::Build() && {
  // Sort each family once by first address: IPv4 in three passes of 11
  // bits, IPv6 by its high half in passes of 8 bits, skipping the bytes
  // that every range shares.
  constexpr int kV4Shifts[] = {32, 43, 54};
  RadixSort<11>(
      v4_, [](uint64_t packed) { return packed; }, kV4Shifts);
  constexpr int kV6Shifts[] = {0, 8, 16, 24, 32, 40, 48, 56};
  RadixSort<8>(
      v6_, [](const V6Entry& entry) { return entry.high; }, kV6Shifts);
  // Prefixes that share the high half are ordered by the low half.
  for (size_t begin = 0; begin < v6_.size();) {
    size_t end = begin + 1;
    while (end < v6_.size() && v6_[end].high == v6_[begin].high) ++end;
    if (end - begin > 1) {
      std::sort(
          v6_.begin() + begin, v6_.begin() + end,
          [](const V6Entry& a, const V6Entry& b) { return a.low < b.low; });
    }
    begin = end;
  }

  // Each location's ranges, visited in the one sorted order, come out
  // sorted; FromRanges() then only merges them.
  std::vector<std::vector<net::PrefixSet::V4Range>> v4_by_location(
      location_count_);
  std::vector<std::vector<net::PrefixSet::V6Range>> v6_by_location(
      location_count_);
  std::vector<net::PrefixSet::V4Range*> v4_next(location_count_);
  std::vector<net::PrefixSet::V6Range*> v6_next(location_count_);
  for (size_t l = 0; l < location_count_; ++l) {
    v4_by_location[l].resize(v4_counts_[l]);
    v6_by_location[l].resize(v6_counts_[l]);
    v4_next[l] = v4_by_location[l].data();
    v6_next[l] = v6_by_location[l].data();
  }

  Result result;
  LocationIndex& index = result.index;
  SetTable set_table(location_count_, index.sets_);
  Sweep(
      v4_.size(),
      [this](size_t i) {
        uint64_t packed = v4_[i];
        return Range<uint32_t>{V4First(packed), V4Last(packed),
                               V4Location(packed)};
      },
      [&v4_next](const Range<uint32_t>& range) {
        *v4_next[range.location]++ = {range.first, range.last};
      },
      location_count_, set_table, index.v4_starts_, index.v4_sets_);
  Sweep(
      v6_.size(),
      [this](size_t i) {
        const V6Entry& entry = v6_[i];
        absl::uint128 first = absl::MakeUint128(entry.high, entry.low);
        absl::uint128 host = entry.length == 128
                                 ? absl::uint128(0)
                                 : absl::Uint128Max() >> entry.length;
        return Range<absl::uint128>{first, first | host,
                                    static_cast<int>(entry.location)};
      },
      [&v6_next](const Range<absl::uint128>& range) {
        *v6_next[range.location]++ = {range.first, range.last};
      },
      location_count_, set_table, index.v6_starts_, index.v6_sets_);

  result.sets.reserve(location_count_);
  for (size_t l = 0; l < location_count_; ++l) {
    result.sets.push_back(net::PrefixSet::FromRanges(
        std::move(v4_by_location[l]), std::move(v6_by_location[l])));
  }
  return result;
}

uint32_t LocationIndex::Lookup(const net::IpAddress& given) const {
  // Named locations hold IPv4-mapped ranges as IPv4 ranges.
  const net::IpAddress address = given.Unmap();
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
