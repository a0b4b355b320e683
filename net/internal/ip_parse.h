// The address and prefix parsers behind IpAddress::Parse(),
// IpPrefix::ParseStrict() and IpPrefix::ParseLenient(), in two versions:
//
//   - the reference parsers, written for clarity: they validate step by step
//     and explain every rejection in an InvalidArgument status;
//   - the fast parsers, one pass over the text with no allocation and no
//     absl::Status. They accept exactly the texts that the reference parsers
//     accept, with the same values, and only report whether the text is valid.
//
// The public entry points run the fast parser and fall back on the reference
// parser when it rejects the text, so a rejected text gets the reference
// parser's message, and a fast parser that wrongly rejected a valid text
// would only cost time. tests/net/ip_parse_test.cc compares the two over
// edge cases, generated addresses and random mutations of them.
//
// Neither version knows about host bits: a prefix is returned as written,
// and IpPrefix decides whether to mask or reject set host bits.
#ifndef PORTCULLIS_NET_INTERNAL_IP_PARSE_H_
#define PORTCULLIS_NET_INTERNAL_IP_PARSE_H_

#include <optional>

#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace portcullis::net::internal {

// The bits of a parsed address. An IPv4 address has its 32 bits in the low
// end of `bits`.
struct ParsedAddress {
  absl::uint128 bits = 0;
  bool is_v6 = false;

  friend bool operator==(const ParsedAddress& a, const ParsedAddress& b) {
    return a.bits == b.bits && a.is_v6 == b.is_v6;
  }
};

// A parsed prefix as written: the address, host bits included, and the
// prefix length (32 or 128 for a bare address).
struct ParsedPrefix {
  ParsedAddress address;
  int length = 0;

  friend bool operator==(const ParsedPrefix& a, const ParsedPrefix& b) {
    return a.address == b.address && a.length == b.length;
  }
};

// Reference parser of the address forms listed in net/ip_address.h. Errors
// are InvalidArgument: "invalid IP address \"<text>\": <reason>".
absl::StatusOr<ParsedAddress> ParseAddressReference(absl::string_view text);

// Reference parser of "address/length" and of a bare address. Errors are
// InvalidArgument: "invalid IP prefix \"<text>\": <reason>".
absl::StatusOr<ParsedPrefix> ParsePrefixReference(absl::string_view text);

// Returns what ParseAddressReference() returns for a valid `text`, and
// std::nullopt for an invalid one.
std::optional<ParsedAddress> ParseAddressFast(absl::string_view text);

// Returns what ParsePrefixReference() returns for a valid `text`, and
// std::nullopt for an invalid one.
std::optional<ParsedPrefix> ParsePrefixFast(absl::string_view text);

}  // namespace portcullis::net::internal

#endif  // PORTCULLIS_NET_INTERNAL_IP_PARSE_H_
