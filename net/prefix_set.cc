#include "net/prefix_set.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

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

// Sorts `ranges` and merges overlapping and adjacent ones, so that each
// range starts at least two addresses after the previous one ends.
template <typename Range>
std::vector<Range> Normalize(std::vector<Range> ranges) {
  ranges.erase(std::remove_if(ranges.begin(), ranges.end(),
                              [](const Range& r) { return r.first > r.last; }),
               ranges.end());
  std::sort(ranges.begin(), ranges.end(),
            [](const Range& a, const Range& b) { return a.first < b.first; });

  std::vector<Range> merged;
  for (const Range& range : ranges) {
    // range.first > merged.back().last implies range.first >= 1, so the
    // subtraction cannot wrap.
    if (!merged.empty() && (range.first <= merged.back().last ||
                            range.first - 1 == merged.back().last)) {
      merged.back().last = std::max(merged.back().last, range.last);
    } else {
      merged.push_back(range);
    }
  }
  return merged;
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

// 2^bits - 1, for bits from 0 to 128.
absl::uint128 LowMask(int bits) {
  if (bits <= 0) return 0;
  if (bits >= 128) return absl::Uint128Max();
  return (absl::uint128(1) << bits) - 1;
}

IpAddress MakeAddress(absl::uint128 bits, bool is_v6) {
  return is_v6 ? IpAddress::V6(bits)
               : IpAddress::V4(static_cast<uint32_t>(bits));
}

// Appends the fewest prefixes that cover exactly [first, last]: at each step
// the largest aligned block that starts at `first` and ends by `last`.
void AppendCoveringPrefixes(absl::uint128 first, absl::uint128 last,
                            int bit_length, std::vector<IpPrefix>* out) {
  bool is_v6 = bit_length == 128;
  while (true) {
    int host_bits = 0;
    while (host_bits < bit_length) {
      absl::uint128 wider = LowMask(host_bits + 1);
      if ((first & wider) != 0 || (first | wider) > last) break;
      ++host_bits;
    }
    out->push_back(
        IpPrefix::Masked(MakeAddress(first, is_v6), bit_length - host_bits));

    absl::uint128 block_last = first | LowMask(host_bits);
    if (block_last >= last) return;
    first = block_last + 1;
  }
}

}  // namespace

PrefixSet::PrefixSet(std::vector<V4Range> v4, std::vector<V6Range> v6)
    : v4_(std::move(v4)), v6_(std::move(v6)) {
  for (const V4Range& range : v4_) {
    AppendCoveringPrefixes(range.first, range.last, 32, &prefixes_);
  }
  for (const V6Range& range : v6_) {
    AppendCoveringPrefixes(range.first, range.last, 128, &prefixes_);
  }
}

PrefixSet PrefixSet::FromPrefixes(std::vector<IpPrefix> prefixes) {
  std::vector<V4Range> v4;
  std::vector<V6Range> v6;
  for (const IpPrefix& prefix : prefixes) {
    if (prefix.is_v4()) {
      v4.push_back(V4Range{prefix.first().v4(), prefix.last().v4()});
    } else {
      v6.push_back(V6Range{prefix.first().v6(), prefix.last().v6()});
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
  return absl::StrJoin(prefixes_, ", ",
                       [](std::string* out, const IpPrefix& prefix) {
                         out->append(prefix.ToString());
                       });
}

}  // namespace portcullis::net
