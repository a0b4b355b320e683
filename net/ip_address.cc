#include "net/ip_address.h"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "net/internal/ip_parse.h"

namespace portcullis::net {
namespace {

IpAddress FromParsed(const internal::ParsedAddress& parsed) {
  return parsed.is_v6 ? IpAddress::V6(parsed.bits)
                      : IpAddress::V4(static_cast<uint32_t>(parsed.bits));
}

void AppendV4(uint32_t value, std::string* out) {
  absl::StrAppend(out, value >> 24, ".", (value >> 16) & 0xff, ".",
                  (value >> 8) & 0xff, ".", value & 0xff);
}

void AppendHexGroup(uint16_t group, std::string* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    int digit = (group >> shift) & 0xf;
    if (digit == 0 && !started && shift > 0) continue;
    started = true;
    out->push_back(kDigits[digit]);
  }
}

std::string FormatV6(absl::uint128 bits) {
  uint16_t groups[8];
  for (int g = 0; g < 8; ++g) {
    groups[g] = static_cast<uint16_t>(bits >> (112 - 16 * g));
  }

  // Find the first longest run of two or more zero groups.
  int best_start = -1;
  int best_length = 1;
  for (int g = 0; g < 8;) {
    if (groups[g] != 0) {
      ++g;
      continue;
    }
    int end = g;
    while (end < 8 && groups[end] == 0) ++end;
    if (end - g > best_length) {
      best_start = g;
      best_length = end - g;
    }
    g = end;
  }

  std::string out;
  for (int g = 0; g < 8; ++g) {
    if (g == best_start) {
      out.append("::");
      g += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out.push_back(':');
    AppendHexGroup(groups[g], &out);
  }
  return out;
}

}  // namespace

absl::StatusOr<IpAddress> IpAddress::Parse(absl::string_view text) {
  std::optional<internal::ParsedAddress> parsed =
      internal::ParseAddressFast(text);
  if (parsed.has_value()) return FromParsed(*parsed);

  // The fast parser rejected `text`. The reference parser explains why, and
  // would return the value if the fast parser had wrongly rejected it.
  absl::StatusOr<internal::ParsedAddress> checked =
      internal::ParseAddressReference(text);
  if (!checked.ok()) return checked.status();
  return FromParsed(*checked);
}

bool IpAddress::is_v4_mapped() const {
  return is_v6_ && (bits_ >> 32) == absl::uint128(0xffff);
}

IpAddress IpAddress::Unmap() const {
  if (!is_v4_mapped()) return *this;
  return V4(static_cast<uint32_t>(bits_));
}

std::string IpAddress::ToString() const {
  std::string out;
  if (!is_v6_) {
    AppendV4(v4(), &out);
    return out;
  }
  if (is_v4_mapped()) {
    out = "::ffff:";
    AppendV4(static_cast<uint32_t>(bits_), &out);
    return out;
  }
  return FormatV6(bits_);
}

std::ostream& operator<<(std::ostream& out, const IpAddress& address) {
  return out << address.ToString();
}

}  // namespace portcullis::net
