// A set of IPv4 and IPv6 addresses built from CIDR prefixes, with fast
// membership tests.
//
//   PrefixSet allowed = PrefixSet::FromPrefixes({
//       *IpPrefix::ParseStrict("192.0.2.0/25"),
//       *IpPrefix::ParseStrict("192.0.2.128/25"),
//       *IpPrefix::ParseStrict("2001:db8::/32")});
//   allowed.Contains(*IpAddress::Parse("192.0.2.7"));  // true
//   allowed.prefixes();  // {192.0.2.0/24, 2001:db8::/32}
//
// The set keeps, per family, a sorted list of disjoint, non-adjacent
// inclusive address ranges. Contains() binary searches that list, so a
// lookup costs O(log n) comparisons and allocates nothing. Intersect, Minus
// and Complement walk the sorted range lists in linear time; FromPrefixes and
// Union sort first, in O(n log n).
//
// IPv4 addresses and IPv6 addresses are separate: 0.0.0.0/0 does not contain
// ::ffff:192.0.2.1, and ::/0 does not contain 192.0.2.1.
#ifndef PORTCULLIS_NET_PREFIX_SET_H_
#define PORTCULLIS_NET_PREFIX_SET_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"

namespace portcullis::net {

// An immutable set of addresses. Safe to read from any number of threads at
// once. prefixes() computes the covering prefixes on its first call, under
// std::call_once, and copies of a set share that list. Most sets, such as
// Conditional Access named locations, only serve Contains() lookups and
// never pay for it.
class PrefixSet {
 public:
  // An inclusive range of IPv4 addresses, first <= last.
  struct V4Range {
    uint32_t first;
    uint32_t last;
    friend bool operator==(const V4Range& a, const V4Range& b) {
      return a.first == b.first && a.last == b.last;
    }
  };
  // An inclusive range of IPv6 addresses, first <= last.
  struct V6Range {
    absl::uint128 first;
    absl::uint128 last;
    friend bool operator==(const V6Range& a, const V6Range& b) {
      return a.first == b.first && a.last == b.last;
    }
  };

  // The empty set.
  PrefixSet() = default;

  // Returns the set of addresses within any of `prefixes`, in any order,
  // overlapping or adjacent.
  static PrefixSet FromPrefixes(std::vector<IpPrefix> prefixes);
  // Returns the set of addresses within any of `ranges`, in any order,
  // overlapping or adjacent. A range with first > last is ignored.
  static PrefixSet FromRanges(std::vector<V4Range> v4, std::vector<V6Range> v6);

  // Returns the addresses in `a` or `b`.
  static PrefixSet Union(const PrefixSet& a, const PrefixSet& b);
  // Returns the addresses in both `a` and `b`.
  static PrefixSet Intersect(const PrefixSet& a, const PrefixSet& b);
  // Returns the addresses in this set and not in `other`.
  PrefixSet Minus(const PrefixSet& other) const;
  // Returns every IPv4 address not in this set, and every IPv6 address not
  // in this set: the complement within each family.
  PrefixSet Complement() const;

  // True when `address` is in the set. Never allocates.
  bool Contains(const IpAddress& address) const;
  // True when every address of `prefix` is in the set.
  bool Contains(const IpPrefix& prefix) const;

  bool empty() const { return v4_.empty() && v6_.empty(); }

  // The minimal list of prefixes whose union is this set, sorted (IPv4
  // first). The first call on a set or any of its copies computes the list,
  // in time linear in the number of ranges, and allocates. Later calls
  // return the same list.
  const std::vector<IpPrefix>& prefixes() const;
  // The sorted, disjoint, non-adjacent ranges of each family.
  const std::vector<V4Range>& v4_ranges() const { return v4_; }
  const std::vector<V6Range>& v6_ranges() const { return v6_; }
  // Number of ranges over both families.
  size_t range_count() const { return v4_.size() + v6_.size(); }

  // The prefixes, comma separated: "192.0.2.0/24, 2001:db8::/32".
  std::string ToString() const;

  friend bool operator==(const PrefixSet& a, const PrefixSet& b) {
    return a.v4_ == b.v4_ && a.v6_ == b.v6_;
  }
  friend bool operator!=(const PrefixSet& a, const PrefixSet& b) {
    return !(a == b);
  }

 private:
  PrefixSet(std::vector<V4Range> v4, std::vector<V6Range> v6);

  // The covering prefixes, filled in by the first prefixes() call.
  struct Cover {
    std::once_flag computed;
    std::vector<IpPrefix> prefixes;
  };

  std::vector<V4Range> v4_;
  std::vector<V6Range> v6_;
  // Null for a default-constructed or moved-from set, whose cover is empty.
  std::shared_ptr<Cover> cover_;
};

}  // namespace portcullis::net

#endif  // PORTCULLIS_NET_PREFIX_SET_H_
