// Fuzzes IpPrefix::ParseStrict, IpPrefix::ParseLenient and the fast prefix
// parser behind them. Properties:
//   - the strict and lenient parsers reject the same inputs, except that
//     the strict one also rejects set host bits and names the network
//     address. Where both succeed, they give the same prefix;
//   - a parsed prefix formats to text that parses strictly back to the same
//     prefix, and the prefix contains its first and last address;
//   - errors are InvalidArgument and quote the input;
//   - the fast prefix parser accepts exactly what the reference parser
//     accepts, with the same address and length.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "net/internal/ip_parse.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"

namespace {

using ::portcullis::net::IpAddress;
using ::portcullis::net::IpPrefix;

void Require(bool condition, const char* property, absl::string_view input) {
  if (condition) return;
  std::fprintf(stderr, "property failed: %s\ninput: \"%.*s\"\n", property,
               static_cast<int>(input.size()), input.data());
  std::abort();
}

void CheckError(const absl::Status& status, absl::string_view input) {
  Require(status.code() == absl::StatusCode::kInvalidArgument,
          "errors are InvalidArgument", input);
  Require(absl::StartsWith(status.message(), "invalid IP prefix \""),
          "errors quote the input", input);
}

void CheckRoundTrip(const IpPrefix& prefix, absl::string_view input) {
  std::string text = prefix.ToString();
  absl::StatusOr<IpPrefix> reparsed = IpPrefix::ParseStrict(text);
  Require(reparsed.ok(), "formatted prefix parses strictly", input);
  Require(*reparsed == prefix, "format then parse gives the same prefix",
          input);
  Require(reparsed->ToString() == text, "formatting is stable", input);
  Require(prefix.Contains(prefix.first()) && prefix.Contains(prefix.last()),
          "prefix contains its bounds", input);
  Require(prefix.first() <= prefix.last(), "first <= last", input);
}

void CheckFastParser(absl::string_view input) {
  using ::portcullis::net::internal::ParsedPrefix;
  std::optional<ParsedPrefix> fast =
      ::portcullis::net::internal::ParsePrefixFast(input);
  absl::StatusOr<ParsedPrefix> reference =
      ::portcullis::net::internal::ParsePrefixReference(input);
  Require(fast.has_value() == reference.ok(),
          "fast and reference parsers accept the same texts", input);
  if (fast.has_value() && reference.ok()) {
    Require(*fast == *reference,
            "fast and reference parsers give the same prefix", input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  CheckFastParser(input);
  absl::StatusOr<IpPrefix> strict = IpPrefix::ParseStrict(input);
  absl::StatusOr<IpPrefix> lenient = IpPrefix::ParseLenient(input);

  if (!lenient.ok()) {
    CheckError(lenient.status(), input);
    Require(!strict.ok(), "strict rejects what lenient rejects", input);
    CheckError(strict.status(), input);
    return 0;
  }
  CheckRoundTrip(*lenient, input);

  // The two parsers differ only when the written address has host bits set.
  absl::StatusOr<IpAddress> written =
      IpAddress::Parse(input.substr(0, input.find('/')));
  Require(written.ok(), "lenient success implies a valid address", input);
  bool host_bits = *written != lenient->address();
  if (!host_bits) {
    Require(strict.ok() && *strict == *lenient,
            "strict and lenient agree without host bits", input);
    return 0;
  }
  Require(!strict.ok(), "strict rejects set host bits", input);
  CheckError(strict.status(), input);
  Require(absl::EndsWith(strict.status().message(),
                         absl::StrCat(": host bits are set; expected the "
                                      "network address ",
                                      lenient->ToString())),
          "host bits error names the network address", input);
  return 0;
}
