// The reference parsers: each check is a separate step with its own
// message. See ip_parse.h.
#include "net/internal/ip_parse.h"

#include <cstdint>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "net/internal/quote.h"

namespace portcullis::net::internal {
namespace {

// The reasons below become "invalid IP address \"<text>\": <reason>".
absl::Status Reason(absl::string_view reason) {
  return absl::InvalidArgumentError(reason);
}

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Parses four dotted decimal fields from 0 to 255 without leading zeros.
absl::StatusOr<uint32_t> ParseV4(absl::string_view text) {
  uint32_t value = 0;
  size_t i = 0;
  for (int field = 0; field < 4; ++field) {
    if (field > 0) {
      if (i == text.size()) {
        return Reason(absl::StrCat("IPv4 address has ", field,
                                   " fields; expected 4 fields separated "
                                   "by dots"));
      }
      if (text[i] != '.') {
        return Reason(absl::StrCat("unexpected character ",
                                   Quote(text.substr(i, 1)),
                                   " in IPv4 address; expected a digit or "
                                   "'.'"));
      }
      ++i;
    }

    size_t start = i;
    while (i < text.size() && absl::ascii_isdigit(text[i])) ++i;
    absl::string_view digits = text.substr(start, i - start);
    if (digits.empty() && i < text.size() && text[i] != '.') {
      return Reason(absl::StrCat("unexpected character ",
                                 Quote(text.substr(i, 1)),
                                 " in IPv4 address; expected a decimal "
                                 "digit"));
    }
    if (digits.empty()) {
      return Reason(absl::StrCat("IPv4 field ", field + 1,
                                 " is empty; expected a decimal number "
                                 "from 0 to 255"));
    }
    if (digits.size() > 1 && digits[0] == '0') {
      return Reason(absl::StrCat("IPv4 field ", Quote(digits),
                                 " has a leading zero, which some parsers "
                                 "read as octal; expected a decimal number "
                                 "from 0 to 255"));
    }
    if (digits.size() > 3) {
      return Reason(absl::StrCat("IPv4 field ", Quote(digits),
                                 " is out of range; expected a decimal "
                                 "number from 0 to 255"));
    }
    uint32_t number = 0;
    for (char c : digits) number = number * 10 + static_cast<uint32_t>(c - '0');
    if (number > 255) {
      return Reason(absl::StrCat("IPv4 field ", number,
                                 " is out of range; expected a decimal "
                                 "number from 0 to 255"));
    }
    value = (value << 8) | number;
  }

  if (i != text.size()) {
    return Reason(absl::StrCat("unexpected text ", Quote(text.substr(i)),
                               " after the fourth IPv4 field"));
  }
  return value;
}

// Parses the RFC 4291 section 2.2 text forms of an IPv6 address.
absl::StatusOr<absl::uint128> ParseV6(absl::string_view text) {
  uint16_t groups[8] = {};
  int count = 0;
  int ellipsis = -1;  // Index in `groups` of the "::", or -1 without one.
  size_t i = 0;

  if (absl::StartsWith(text, "::")) {
    ellipsis = 0;
    i = 2;
  } else if (absl::StartsWith(text, ":")) {
    return Reason(
        "IPv6 address starts with a single ':'; expected a group "
        "or '::'");
  }

  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && absl::ascii_isxdigit(text[i])) ++i;
    absl::string_view digits = text.substr(start, i - start);

    if (i < text.size() && text[i] == '.') {
      // An embedded IPv4 address takes the place of the last two groups.
      if (count > 6 || (ellipsis < 0 && count != 6)) {
        return Reason(
            "embedded IPv4 address must take the place of the "
            "last two groups, after 6 groups or '::'");
      }
      absl::StatusOr<uint32_t> v4 = ParseV4(text.substr(start));
      if (!v4.ok()) {
        return Reason(
            absl::StrCat("embedded IPv4 address: ", v4.status().message()));
      }
      groups[count++] = static_cast<uint16_t>(*v4 >> 16);
      groups[count++] = static_cast<uint16_t>(*v4 & 0xffff);
      i = text.size();
      break;
    }

    if (digits.empty()) {
      if (i < text.size() && text[i] == ':') {
        return Reason(
            "IPv6 address has an empty group (':::' or a second "
            "'::'); expected 1 to 4 hex digits per group");
      }
      return Reason(absl::StrCat("unexpected character ",
                                 Quote(text.substr(i, 1)),
                                 " in IPv6 address; expected a hex digit"));
    }
    if (digits.size() > 4) {
      return Reason(absl::StrCat("IPv6 group ", Quote(digits),
                                 " has more than 4 hex digits"));
    }
    if (count == 8) {
      return Reason("IPv6 address has more than 8 groups");
    }
    uint16_t group = 0;
    for (char c : digits) {
      group = static_cast<uint16_t>((group << 4) | HexDigitValue(c));
    }
    groups[count++] = group;

    if (i == text.size()) break;
    if (text[i] != ':') {
      return Reason(absl::StrCat("unexpected character ",
                                 Quote(text.substr(i, 1)),
                                 " in IPv6 address; expected a hex digit, "
                                 "':' or '.'"));
    }
    ++i;
    if (i < text.size() && text[i] == ':') {
      if (ellipsis >= 0) {
        return Reason("IPv6 address has '::' more than once");
      }
      ellipsis = count;
      ++i;
    } else if (i == text.size()) {
      return Reason(
          "IPv6 address ends with a single ':'; expected a group "
          "or '::'");
    }
  }

  if (ellipsis < 0 && count < 8) {
    return Reason(absl::StrCat("IPv6 address has ", count,
                               " groups; expected 8 groups, or fewer with "
                               "'::'"));
  }
  if (ellipsis >= 0 && count == 8) {
    return Reason(
        "IPv6 address has 8 groups and '::', which must replace "
        "at least one zero group");
  }

  // Move the groups after "::" to the end and fill the gap with zeros.
  uint16_t expanded[8] = {};
  if (ellipsis < 0) {
    for (int g = 0; g < 8; ++g) expanded[g] = groups[g];
  } else {
    int tail = count - ellipsis;
    for (int g = 0; g < ellipsis; ++g) expanded[g] = groups[g];
    for (int g = 0; g < tail; ++g)
      expanded[8 - tail + g] = groups[ellipsis + g];
  }
  absl::uint128 bits = 0;
  for (uint16_t group : expanded) bits = (bits << 16) | group;
  return bits;
}

absl::Status InvalidPrefix(absl::string_view text, absl::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid IP prefix ", Quote(text), ": ", reason));
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
          whole, absl::StrCat("prefix length ", Quote(digits),
                              " is not a decimal number; ", expected));
    }
  }
  if (digits.size() > 1 && digits[0] == '0') {
    return InvalidPrefix(whole,
                         absl::StrCat("prefix length ", Quote(digits),
                                      " has a leading zero; ", expected));
  }
  if (digits.size() > 3) {
    return InvalidPrefix(whole, absl::StrCat("prefix length ", Quote(digits),
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

}  // namespace

absl::StatusOr<ParsedAddress> ParseAddressReference(absl::string_view text) {
  auto invalid = [text](absl::string_view reason) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid IP address ", Quote(text), ": ", reason));
  };

  if (text.empty()) {
    return invalid("empty; expected an IPv4 or IPv6 address");
  }
  if (text.find('%') != absl::string_view::npos) {
    return invalid(
        "zones (the '%' suffix) are not supported; expected an "
        "address without a zone");
  }
  if (text.find('/') != absl::string_view::npos) {
    return invalid(
        "a prefix length is not allowed here; expected a single "
        "address");
  }

  if (text.find(':') != absl::string_view::npos) {
    absl::StatusOr<absl::uint128> bits = ParseV6(text);
    if (!bits.ok()) return invalid(bits.status().message());
    return ParsedAddress{*bits, /*is_v6=*/true};
  }
  absl::StatusOr<uint32_t> bits = ParseV4(text);
  if (!bits.ok()) return invalid(bits.status().message());
  return ParsedAddress{*bits, /*is_v6=*/false};
}

absl::StatusOr<ParsedPrefix> ParsePrefixReference(absl::string_view text) {
  size_t slash = text.find('/');
  absl::string_view address_text = text.substr(0, slash);

  absl::StatusOr<ParsedAddress> address = ParseAddressReference(address_text);
  if (!address.ok()) {
    // The address error quotes only the address; name the whole input too.
    return InvalidPrefix(text, address.status().message());
  }
  if (slash == absl::string_view::npos) {
    return ParsedPrefix{*address, address->is_v6 ? 128 : 32};
  }

  absl::StatusOr<int> length =
      ParseLength(text, text.substr(slash + 1), address->is_v6 ? 128 : 32);
  if (!length.ok()) return length.status();
  return ParsedPrefix{*address, *length};
}

}  // namespace portcullis::net::internal
