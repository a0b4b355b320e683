#include "net/ip_prefix.h"

#include <algorithm>
#include <ostream>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "net/internal/quote.h"

namespace portcullis::net {
namespace {

absl::Status InvalidPrefix(absl::string_view text, absl::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid IP prefix ", internal::Quote(text), ": ", reason));
}

// Parses a prefix length: decimal digits, no sign, no leading zero, at most
// `bit_length`.
absl::StatusOr<int> ParseLength(absl::string_view whole,
                                absl::string_view digits, int bit_length) {
  std::string expected =
      absl::StrCat("expected a prefix length from 0 to ", bit_length);
  if (digits.empty()) {
    return InvalidPrefix(whole,
                         absl::StrCat("prefix length is empty; ", expected));
  }
  for (char c : digits) {
    if (!absl::ascii_isdigit(c)) {
      return InvalidPrefix(
          whole, absl::StrCat("prefix length ", internal::Quote(digits),
                              " is not a decimal number; ", expected));
    }
  }
  if (digits.size() > 1 && digits[0] == '0') {
    return InvalidPrefix(whole,
                         absl::StrCat("prefix length ", internal::Quote(digits),
                                      " has a leading zero; ", expected));
  }
  if (digits.size() > 3) {
    return InvalidPrefix(whole,
                         absl::StrCat("prefix length ", internal::Quote(digits),
                                      " is out of range; ", expected));
  }
  int length = 0;
  for (char c : digits) length = length * 10 + (c - '0');
  if (length > bit_length) {
    return InvalidPrefix(whole, absl::StrCat("prefix length ", length,
                                             " is out of range; ", expected));
  }
  return length;
}

// The address and length of `text`, before any host-bit check.
struct ParsedPrefix {
  IpAddress address;
  int length;
};

absl::StatusOr<ParsedPrefix> ParseParts(absl::string_view text) {
  size_t slash = text.find('/');
  absl::string_view address_text = text.substr(0, slash);

  absl::StatusOr<IpAddress> address = IpAddress::Parse(address_text);
  if (!address.ok()) {
    // The address error quotes only the address; name the whole input too.
    return InvalidPrefix(text, address.status().message());
  }
  if (slash == absl::string_view::npos) {
    return ParsedPrefix{*address, address->bit_length()};
  }

  absl::StatusOr<int> length =
      ParseLength(text, text.substr(slash + 1), address->bit_length());
  if (!length.ok()) return length.status();
  return ParsedPrefix{*address, *length};
}

}  // namespace

absl::uint128 PrefixMask(int length, int bit_length) {
  length = std::clamp(length, 0, bit_length);
  if (length == 0) return 0;
  absl::uint128 all =
      bit_length == 128 ? absl::Uint128Max() : absl::uint128(0xffffffffu);
  return (all >> (bit_length - length)) << (bit_length - length);
}

absl::StatusOr<IpPrefix> IpPrefix::ParseStrict(absl::string_view text) {
  absl::StatusOr<ParsedPrefix> parts = ParseParts(text);
  if (!parts.ok()) return parts.status();

  IpPrefix masked = Masked(parts->address, parts->length);
  if (masked.address_ != parts->address) {
    return InvalidPrefix(
        text, absl::StrCat("host bits are set; expected the network address ",
                           masked.ToString()));
  }
  return masked;
}

absl::StatusOr<IpPrefix> IpPrefix::ParseLenient(absl::string_view text) {
  absl::StatusOr<ParsedPrefix> parts = ParseParts(text);
  if (!parts.ok()) return parts.status();
  return Masked(parts->address, parts->length);
}

absl::StatusOr<IpPrefix> IpPrefix::Create(IpAddress address, int length) {
  if (length < 0 || length > address.bit_length()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid prefix length ", length, " for ", address.ToString(),
        "; expected 0 to ", address.bit_length()));
  }
  IpPrefix masked = Masked(address, length);
  if (masked.address_ != address) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid IP prefix ", address.ToString(), "/", length,
                     ": host bits are set; expected the network address ",
                     masked.ToString()));
  }
  return masked;
}

IpPrefix IpPrefix::Masked(IpAddress address, int length) {
  length = std::clamp(length, 0, address.bit_length());
  absl::uint128 bits =
      address.bits() & PrefixMask(length, address.bit_length());
  IpAddress network = address.is_v6()
                          ? IpAddress::V6(bits)
                          : IpAddress::V4(static_cast<uint32_t>(bits));
  return IpPrefix(network, length);
}

bool IpPrefix::Contains(const IpAddress& address) const {
  if (address.is_v6() != address_.is_v6()) return false;
  absl::uint128 mask = PrefixMask(length_, address_.bit_length());
  return (address.bits() & mask) == address_.bits();
}

bool IpPrefix::Contains(const IpPrefix& other) const {
  return other.length_ >= length_ && Contains(other.address_);
}

bool IpPrefix::Overlaps(const IpPrefix& other) const {
  return Contains(other.address_) || other.Contains(address_);
}

IpAddress IpPrefix::last() const {
  absl::uint128 host = ~PrefixMask(length_, address_.bit_length());
  if (address_.is_v4()) {
    return IpAddress::V4(address_.v4() | static_cast<uint32_t>(host));
  }
  return IpAddress::V6(address_.v6() | host);
}

std::string IpPrefix::ToString() const {
  return absl::StrCat(address_.ToString(), "/", length());
}

std::ostream& operator<<(std::ostream& out, const IpPrefix& prefix) {
  return out << prefix.ToString();
}

}  // namespace portcullis::net
