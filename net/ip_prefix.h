// CIDR prefixes such as 192.0.2.0/24 and 2001:db8::/32.
//
// Azure and Entra read the same text two ways, so there are two parsers:
//
//   IpPrefix::ParseStrict("192.0.2.0/24");   // OK
//   IpPrefix::ParseStrict("192.0.2.7/24");   // error: host bits are set
//   IpPrefix::ParseLenient("192.0.2.7/24");  // OK, 192.0.2.0/24
//
// Azure network security groups reject a rule whose prefix has host bits
// set, so NSG importers use ParseStrict(). Conditional Access named
// locations store such a prefix and match it as its network, so their
// importer uses ParseLenient(). Both take a bare address as a /32 (IPv4) or
// /128 (IPv6) prefix, and both reject what IpAddress::Parse() rejects, a
// prefix length with a sign, a leading zero or spaces, and lengths above 32
// (IPv4) or 128 (IPv6).
#ifndef PORTCULLIS_NET_IP_PREFIX_H_
#define PORTCULLIS_NET_IP_PREFIX_H_

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>

#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/ip_address.h"

namespace portcullis::net {

// A network address and a prefix length, with all host bits zero. A
// trivially copyable value type; a const IpPrefix is safe to read from any
// thread. A default-constructed IpPrefix is 0.0.0.0/0.
class IpPrefix {
 public:
  constexpr IpPrefix() = default;

  // Parses "address/length" or a bare address, rejecting set host bits.
  static absl::StatusOr<IpPrefix> ParseStrict(absl::string_view text);
  // Parses "address/length" or a bare address, clearing set host bits.
  static absl::StatusOr<IpPrefix> ParseLenient(absl::string_view text);

  // Returns address/length. Fails when `length` is outside 0 to
  // address.bit_length() or when `address` has host bits set.
  static absl::StatusOr<IpPrefix> Create(IpAddress address, int length);
  // Returns address/length with the host bits of `address` cleared. `length`
  // must be between 0 and address.bit_length(); it is clamped to that range
  // otherwise. Defined inline because building a named location or a
  // PrefixSet calls it once per prefix.
  static IpPrefix Masked(IpAddress address, int length) {
    if (address.is_v4()) {
      length = std::clamp(length, 0, 32);
      uint32_t mask = length == 0 ? 0 : ~uint32_t{0} << (32 - length);
      return IpPrefix(IpAddress::V4(address.v4() & mask), length);
    }
    length = std::clamp(length, 0, 128);
    absl::uint128 mask = length == 0 ? 0 : absl::Uint128Max() << (128 - length);
    return IpPrefix(IpAddress::V6(address.v6() & mask), length);
  }

  // 0.0.0.0/0, every IPv4 address.
  static IpPrefix AnyV4() { return IpPrefix(IpAddress::V4(0), 0); }
  // ::/0, every IPv6 address.
  static IpPrefix AnyV6() { return IpPrefix(IpAddress::V6(0), 0); }

  // The network address: the first address, with all host bits zero.
  const IpAddress& address() const { return address_; }
  int length() const { return length_; }
  bool is_v4() const { return address_.is_v4(); }
  bool is_v6() const { return address_.is_v6(); }

  // True when `address` is of this prefix's family and within it.
  bool Contains(const IpAddress& address) const;
  // True when every address of `other` is within this prefix (false across
  // families).
  bool Contains(const IpPrefix& other) const;
  // True when the two prefixes share at least one address.
  bool Overlaps(const IpPrefix& other) const;

  // The first and last address of the prefix.
  IpAddress first() const { return address_; }
  IpAddress last() const;

  // "address/length", with the address formatted by IpAddress::ToString().
  // The length is always written, also for /32 and /128.
  std::string ToString() const;

  friend bool operator==(const IpPrefix& a, const IpPrefix& b) {
    return a.address_ == b.address_ && a.length_ == b.length_;
  }
  friend bool operator!=(const IpPrefix& a, const IpPrefix& b) {
    return !(a == b);
  }
  // Orders by address (IPv4 first), then shorter prefixes first.
  friend bool operator<(const IpPrefix& a, const IpPrefix& b) {
    if (a.address_ != b.address_) return a.address_ < b.address_;
    return a.length_ < b.length_;
  }

  template <typename H>
  friend H AbslHashValue(H state, const IpPrefix& prefix) {
    return H::combine(std::move(state), prefix.address_, prefix.length_);
  }

 private:
  constexpr IpPrefix(IpAddress address, int length)
      : address_(address), length_(static_cast<uint8_t>(length)) {}

  IpAddress address_;
  uint8_t length_ = 0;
};

// Returns the mask of a prefix of `length` bits in a `bit_length`-bit family,
// zero-extended to 128 bits: PrefixMask(24, 32) is 0xffffff00.
absl::uint128 PrefixMask(int length, int bit_length);

// Writes ToString() to `out`, so that GoogleTest messages show prefixes.
std::ostream& operator<<(std::ostream& out, const IpPrefix& prefix);

}  // namespace portcullis::net

#endif  // PORTCULLIS_NET_IP_PREFIX_H_
