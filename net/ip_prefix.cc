#include "net/ip_prefix.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "net/internal/ip_parse.h"
#include "net/internal/quote.h"

namespace portcullis::net {
namespace {

absl::Status InvalidPrefix(absl::string_view text, absl::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid IP prefix ", internal::Quote(text), ": ", reason));
}

IpAddress FromParsed(const internal::ParsedAddress& parsed) {
  return parsed.is_v6 ? IpAddress::V6(parsed.bits)
                      : IpAddress::V4(static_cast<uint32_t>(parsed.bits));
}

// Returns the address and length of `text`, before any host-bit check.
absl::StatusOr<internal::ParsedPrefix> ParseParts(absl::string_view text) {
  std::optional<internal::ParsedPrefix> parts = internal::ParsePrefixFast(text);
  if (parts.has_value()) return *parts;

  // The fast parser rejected `text`. The reference parser explains why, and
  // would return the parts if the fast parser had wrongly rejected them.
  return internal::ParsePrefixReference(text);
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
  absl::StatusOr<internal::ParsedPrefix> parts = ParseParts(text);
  if (!parts.ok()) return parts.status();

  IpAddress written = FromParsed(parts->address);
  IpPrefix masked = Masked(written, parts->length);
  if (masked.address_ != written) {
    return InvalidPrefix(
        text, absl::StrCat("host bits are set; expected the network address ",
                           masked.ToString()));
  }
  return masked;
}

absl::StatusOr<IpPrefix> IpPrefix::ParseLenient(absl::string_view text) {
  // Named locations parse hundreds of thousands of ranges, so the common
  // case skips the StatusOr of ParseParts.
  std::optional<internal::ParsedPrefix> fast = internal::ParsePrefixFast(text);
  if (fast.has_value()) {
    return Masked(FromParsed(fast->address), fast->length);
  }
  absl::StatusOr<internal::ParsedPrefix> parts = ParseParts(text);
  if (!parts.ok()) return parts.status();
  return Masked(FromParsed(parts->address), parts->length);
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
