#include "net/prefix_set.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/numeric/bits.h"
#include "absl/numeric/int128.h"
#include "absl/strings/str_join.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"

namespace portcullis::net {
namespace {

// The largest value of a range's address type.
template <typename Range>
auto MaxValue() -> decltype(Range::first) {
  using Value = decltype(Range::first);
  return ~Value(0);
}

// Below this many ranges std::sort beats the radix sort's fixed cost of
// clearing 1,024 counters.
constexpr size_t kRadixSortMinimum = 64;

// Sorts IPv4 ranges by first address with a least-significant-digit radix
// sort: four stable counting passes, one per byte of `first`. Passes in
// which every range has the same byte are skipped.
void SortByFirst(std::vector<PrefixSet::V4Range>& ranges) {
  if (ranges.size() < kRadixSortMinimum) {
    std::sort(ranges.begin(), ranges.end(),
              [](const PrefixSet::V4Range& a, const PrefixSet::V4Range& b) {
                return a.first < b.first;
              });
    return;
  }

  uint32_t counts[4][256] = {};
  for (const PrefixSet::V4Range& range : ranges) {
    for (int byte = 0; byte < 4; ++byte) {
      ++counts[byte][(range.first >> (8 * byte)) & 0xff];
    }
  }

  std::vector<PrefixSet::V4Range> buffer(ranges.size());
  for (int byte = 0; byte < 4; ++byte) {
    uint32_t* count = counts[byte];
    int shift = 8 * byte;
    if (count[(ranges[0].first >> shift) & 0xff] == ranges.size()) continue;

    // Turn the counts into the first output index of each byte value.
    uint32_t next = 0;
    for (int value = 0; value < 256; ++value) {
      uint32_t bucket_size = count[value];
      count[value] = next;
      next += bucket_size;
    }
    for (const PrefixSet::V4Range& range : ranges) {
      buffer[count[(range.first >> shift) & 0xff]++] = range;
    }
    ranges.swap(buffer);
  }
}

void SortByFirst(std::vector<PrefixSet::V6Range>& ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const PrefixSet::V6Range& a, const PrefixSet::V6Range& b) {
              return a.first < b.first;
            });
}

// Sorts `ranges` and merges overlapping and adjacent ones in place, so that
// each range starts at least two addresses after the previous one ends.
template <typename Range>
std::vector<Range> Normalize(std::vector<Range> ranges) {
  ranges.erase(std::remove_if(ranges.begin(), ranges.end(),
                              [](const Range& r) { return r.first > r.last; }),
               ranges.end());
  if (!std::is_sorted(
          ranges.begin(), ranges.end(),
          [](const Range& a, const Range& b) { return a.first < b.first; })) {
    SortByFirst(ranges);
  }

  size_t merged = 0;  // ranges[0, merged) is the normalized prefix.
  for (const Range& range : ranges) {
    // range.first > ranges[merged - 1].last implies range.first >= 1, so the
    // subtraction cannot wrap.
    if (merged > 0 && (range.first <= ranges[merged - 1].last ||
                       range.first - 1 == ranges[merged - 1].last)) {
      ranges[merged - 1].last = std::max(ranges[merged - 1].last, range.last);
    } else {
      ranges[merged++] = range;
    }
  }
  ranges.resize(merged);
  return ranges;
}

template <typename Range>
std::vector<Range> Concatenate(const std::vector<Range>& a,
                               const std::vector<Range>& b) {
  std::vector<Range> all = a;
  all.insert(all.end(), b.begin(), b.end());
  return all;
}

// Both inputs are normalized; so is the result.
template <typename Range>
std::vector<Range> IntersectRanges(const std::vector<Range>& a,
                                   const std::vector<Range>& b) {
  std::vector<Range> out;
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    auto first = std::max(a[i].first, b[j].first);
    auto last = std::min(a[i].last, b[j].last);
    if (first <= last) out.push_back(Range{first, last});
    if (a[i].last < b[j].last) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

// Both inputs are normalized; so is the result.
template <typename Range>
std::vector<Range> SubtractRanges(const std::vector<Range>& a,
                                  const std::vector<Range>& b) {
  std::vector<Range> out;
  size_t j = 0;
  for (const Range& range : a) {
    while (j < b.size() && b[j].last < range.first) ++j;

    auto next = range.first;  // First address of `range` not yet decided.
    bool exhausted = false;
    for (size_t k = j; k < b.size() && b[k].first <= range.last; ++k) {
      if (b[k].first > next) out.push_back(Range{next, b[k].first - 1});
      if (b[k].last >= range.last) {
        exhausted = true;
        break;
      }
      next = b[k].last + 1;
    }
    if (!exhausted) out.push_back(Range{next, range.last});
  }
  return out;
}

// Returns the range of `ranges` that contains [first, last], or nullptr.
template <typename Range, typename Value>
const Range* FindCovering(const std::vector<Range>& ranges, Value first,
                          Value last) {
  auto after = std::upper_bound(
      ranges.begin(), ranges.end(), first,
      [](Value value, const Range& range) { return value < range.first; });
  if (after == ranges.begin()) return nullptr;
  const Range& candidate = *(after - 1);
  return last <= candidate.last ? &candidate : nullptr;
}

// floor(log2(value)) for value >= 1.
int FloorLog2(absl::uint128 value) {
  uint64_t high = absl::Uint128High64(value);
  if (high != 0) return 127 - absl::countl_zero(high);
  return 63 - absl::countl_zero(absl::Uint128Low64(value));
}

// The number of trailing zero bits of `value`, 128 for zero.
int CountTrailingZeros(absl::uint128 value) {
  uint64_t low = absl::Uint128Low64(value);
  if (low != 0) return absl::countr_zero(low);
  return 64 + absl::countr_zero(absl::Uint128High64(value));
}

// Appends the fewest prefixes that cover exactly [first, last]: at each step
// the largest aligned block that starts at `first` and ends by `last`. Its
// size is 2^host_bits, where host_bits is the smaller of the trailing zeros
// of `first` (the alignment) and floor(log2(last - first + 1)) (what fits).
// The IPv4 version counts in 64 bits, so that the end of the range, last + 1,
// cannot wrap.
void AppendCoveringPrefixes(uint32_t first, uint32_t last,
                            std::vector<IpPrefix>* out) {
  uint64_t next = first;
  uint64_t end = uint64_t{last} + 1;
  do {
    int alignment = std::min(absl::countr_zero(next), 32);
    int fits = 63 - absl::countl_zero(end - next);
    int host_bits = std::min(alignment, fits);
    out->push_back(IpPrefix::Masked(IpAddress::V4(static_cast<uint32_t>(next)),
                                    32 - host_bits));
    next += uint64_t{1} << host_bits;
  } while (next < end);
}

void AppendCoveringPrefixes(absl::uint128 first, absl::uint128 last,
                            std::vector<IpPrefix>* out) {
  while (true) {
    absl::uint128 span = last - first;  // The block holds span + 1 addresses.
    int fits = span == absl::Uint128Max() ? 128 : FloorLog2(span + 1);
    int host_bits = std::min(CountTrailingZeros(first), fits);
    out->push_back(IpPrefix::Masked(IpAddress::V6(first), 128 - host_bits));
    if (host_bits == 128) return;

    absl::uint128 block_last = first | ((absl::uint128(1) << host_bits) - 1);
    if (block_last >= last) return;
    first = block_last + 1;
  }
}

}  // namespace

PrefixSet::PrefixSet(std::vector<V4Range> v4, std::vector<V6Range> v6)
    : v4_(std::move(v4)),
      v6_(std::move(v6)),
      cover_(std::make_shared<Cover>()) {}

const std::vector<IpPrefix>& PrefixSet::prefixes() const {
  static const std::vector<IpPrefix> kNone;
  if (cover_ == nullptr) return kNone;

  // Copies share cover_ and have the same ranges, so whichever copy runs
  // this first computes the list for all of them.
  std::call_once(cover_->computed, [this] {
    std::vector<IpPrefix>& out = cover_->prefixes;
    out.reserve(v4_.size() + v6_.size());
    for (const V4Range& range : v4_) {
      AppendCoveringPrefixes(range.first, range.last, &out);
    }
    for (const V6Range& range : v6_) {
      AppendCoveringPrefixes(range.first, range.last, &out);
    }
  });
  return cover_->prefixes;
}

PrefixSet PrefixSet::FromPrefixes(std::vector<IpPrefix> prefixes) {
  size_t v4_count = static_cast<size_t>(
      std::count_if(prefixes.begin(), prefixes.end(),
                    [](const IpPrefix& prefix) { return prefix.is_v4(); }));
  std::vector<V4Range> v4(v4_count);
  std::vector<V6Range> v6(prefixes.size() - v4_count);
  size_t v4_index = 0;
  size_t v6_index = 0;
  for (const IpPrefix& prefix : prefixes) {
    if (prefix.is_v4()) {
      uint32_t first = prefix.address().v4();
      uint32_t host =
          static_cast<uint32_t>(uint64_t{0xffffffff} >> prefix.length());
      v4[v4_index++] = V4Range{first, first | host};
    } else {
      absl::uint128 first = prefix.address().v6();
      absl::uint128 host = prefix.length() == 128
                               ? absl::uint128(0)
                               : absl::Uint128Max() >> prefix.length();
      v6[v6_index++] = V6Range{first, first | host};
    }
  }
  return FromRanges(std::move(v4), std::move(v6));
}

PrefixSet PrefixSet::FromRanges(std::vector<V4Range> v4,
                                std::vector<V6Range> v6) {
  return PrefixSet(Normalize(std::move(v4)), Normalize(std::move(v6)));
}

PrefixSet PrefixSet::Union(const PrefixSet& a, const PrefixSet& b) {
  return PrefixSet(Normalize(Concatenate(a.v4_, b.v4_)),
                   Normalize(Concatenate(a.v6_, b.v6_)));
}

PrefixSet PrefixSet::Intersect(const PrefixSet& a, const PrefixSet& b) {
  return PrefixSet(IntersectRanges(a.v4_, b.v4_),
                   IntersectRanges(a.v6_, b.v6_));
}

PrefixSet PrefixSet::Minus(const PrefixSet& other) const {
  return PrefixSet(SubtractRanges(v4_, other.v4_),
                   SubtractRanges(v6_, other.v6_));
}

PrefixSet PrefixSet::Complement() const {
  std::vector<V4Range> all_v4 = {V4Range{0, MaxValue<V4Range>()}};
  std::vector<V6Range> all_v6 = {V6Range{0, MaxValue<V6Range>()}};
  return PrefixSet(SubtractRanges(all_v4, v4_), SubtractRanges(all_v6, v6_));
}

bool PrefixSet::Contains(const IpAddress& address) const {
  if (address.is_v4()) {
    return FindCovering(v4_, address.v4(), address.v4()) != nullptr;
  }
  return FindCovering(v6_, address.v6(), address.v6()) != nullptr;
}

bool PrefixSet::Contains(const IpPrefix& prefix) const {
  if (prefix.is_v4()) {
    return FindCovering(v4_, prefix.first().v4(), prefix.last().v4()) !=
           nullptr;
  }
  return FindCovering(v6_, prefix.first().v6(), prefix.last().v6()) != nullptr;
}

std::string PrefixSet::ToString() const {
  return absl::StrJoin(prefixes(), ", ",
                       [](std::string* out, const IpPrefix& prefix) {
                         out->append(prefix.ToString());
                       });
}

}  // namespace portcullis::net
