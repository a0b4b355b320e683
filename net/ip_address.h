// IPv4 and IPv6 addresses as small values, with a strict parser and a
// canonical formatter.
//
//   absl::StatusOr<IpAddress> address = IpAddress::Parse("2001:DB8:0:0::1");
//   if (!address.ok()) return address.status();
//   address->ToString();  // "2001:db8::1" (RFC 5952 form)
//
// Parse() accepts exactly these forms:
//
//   - IPv4 in dotted decimal, four fields from 0 to 255 with no leading
//     zeros: "192.0.2.1". "192.0.2.01" is rejected because some parsers
//     read a leading zero as octal, so the same text would name two
//     different hosts.
//   - IPv6 as in RFC 4291 section 2.2: up to eight groups of one to four hex
//     digits (either case), with at most one "::" that replaces one or more
//     zero groups. An IPv4 address may take the place of the last two groups
//     ("::ffff:192.0.2.1", "64:ff9b::192.0.2.1").
//
// Everything else is an error, including zones ("fe80::1%eth0"), spaces,
// brackets and prefix lengths. Access rules name addresses without zones,
// so a zone would only make two spellings of one rule differ.
//
// An IPv4 address and its IPv4-mapped IPv6 form (::ffff:192.0.2.1) are
// different values: they compare unequal, and prefixes of one family never
// contain addresses of the other. Unmap() converts explicitly.
#ifndef PORTCULLIS_NET_IP_ADDRESS_H_
#define PORTCULLIS_NET_IP_ADDRESS_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace portcullis::net {

// An IPv4 or IPv6 address. A trivially copyable value type: copies are
// independent, and a const IpAddress is safe to read from any thread.
// A default-constructed IpAddress is the IPv4 address 0.0.0.0.
class IpAddress {
 public:
  constexpr IpAddress() = default;

  // Parses an IPv4 or IPv6 address in the forms listed at the top of this
  // file. Errors are InvalidArgument with a message that quotes `text`.
  static absl::StatusOr<IpAddress> Parse(absl::string_view text);

  // Returns the IPv4 address whose 32 bits are `host_order` (most significant
  // bit first): V4(0xC0000201) is 192.0.2.1.
  static constexpr IpAddress V4(uint32_t host_order) {
    return IpAddress(host_order, /*is_v6=*/false);
  }
  // Returns the IPv6 address whose 128 bits are `host_order`.
  static constexpr IpAddress V6(absl::uint128 host_order) {
    return IpAddress(host_order, /*is_v6=*/true);
  }

  bool is_v4() const { return !is_v6_; }
  bool is_v6() const { return is_v6_; }

  // The 32 bits of an IPv4 address. Only meaningful when is_v4().
  uint32_t v4() const { return static_cast<uint32_t>(bits_); }
  // The 128 bits of an IPv6 address. Only meaningful when is_v6().
  absl::uint128 v6() const { return bits_; }
  // The address bits of either family, zero-extended to 128 bits.
  absl::uint128 bits() const { return bits_; }

  // 32 for IPv4, 128 for IPv6.
  int bit_length() const { return is_v6_ ? 128 : 32; }

  // True for an IPv6 address in ::ffff:0:0/96, the IPv4-mapped range.
  bool is_v4_mapped() const;
  // Returns the embedded IPv4 address of an IPv4-mapped IPv6 address, and
  // any other address unchanged.
  IpAddress Unmap() const;

  // Formats IPv4 as dotted decimal and IPv6 as RFC 5952 section 4 requires:
  // lower-case hex, no leading zeros, and "::" in place of the longest run of
  // two or more zero groups (the first one on a tie). IPv4-mapped addresses
  // keep the dotted tail ("::ffff:192.0.2.1"), as RFC 5952 section 5
  // recommends. Other IPv6 addresses, IPv4-compatible ones included, are
  // written in hex only, as Go's net/netip does.
  std::string ToString() const;

  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.is_v6_ == b.is_v6_ && a.bits_ == b.bits_;
  }
  friend bool operator!=(const IpAddress& a, const IpAddress& b) {
    return !(a == b);
  }
  // Orders every IPv4 address before every IPv6 address, and addresses of
  // one family by their bits.
  friend bool operator<(const IpAddress& a, const IpAddress& b) {
    if (a.is_v6_ != b.is_v6_) return b.is_v6_;
    return a.bits_ < b.bits_;
  }
  friend bool operator>(const IpAddress& a, const IpAddress& b) {
    return b < a;
  }
  friend bool operator<=(const IpAddress& a, const IpAddress& b) {
    return !(b < a);
  }
  friend bool operator>=(const IpAddress& a, const IpAddress& b) {
    return !(a < b);
  }

  template <typename H>
  friend H AbslHashValue(H state, const IpAddress& address) {
    return H::combine(std::move(state), address.is_v6_,
                      absl::Uint128High64(address.bits_),
                      absl::Uint128Low64(address.bits_));
  }

 private:
  constexpr IpAddress(absl::uint128 bits, bool is_v6)
      : bits_(bits), is_v6_(is_v6) {}

  absl::uint128 bits_ = 0;
  bool is_v6_ = false;
};

static_assert(std::is_trivially_copyable<IpAddress>::value,
              "IpAddress must stay a plain value");

// Writes ToString() to `out`, so that GoogleTest messages show addresses.
std::ostream& operator<<(std::ostream& out, const IpAddress& address);

}  // namespace portcullis::net

#endif  // PORTCULLIS_NET_IP_ADDRESS_H_
