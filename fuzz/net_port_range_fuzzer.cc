// Fuzzes PortRange::Parse. Properties:
//   - the result agrees with an independent reading of the grammar by a
//     regular expression ("*", "N" or "N-M", decimal without leading zeros,
//     each at most 65535, N <= M);
//   - a parsed range formats to text that parses back to the same range;
//   - errors are InvalidArgument and quote the input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "net/port_range.h"
#include "re2/re2.h"

namespace {

using ::portcullis::net::PortRange;

void Require(bool condition, const char* property, absl::string_view input) {
  if (condition) return;
  std::fprintf(stderr, "property failed: %s\ninput: \"%.*s\"\n", property,
               static_cast<int>(input.size()), input.data());
  std::abort();
}

// The grammar read by RE2, with range checks by absl::SimpleAtoi.
bool ParseWithRegex(absl::string_view input, PortRange* out) {
  static const RE2* const kAny = new RE2(R"(\*)");
  static const RE2* const kRange =
      new RE2(R"((0|[1-9][0-9]{0,4})(?:-(0|[1-9][0-9]{0,4}))?)");
  re2::StringPiece text(input.data(), input.size());
  if (RE2::FullMatch(text, *kAny)) {
    *out = PortRange::Any();
    return true;
  }
  std::string first_text;
  std::string last_text;
  if (!RE2::FullMatch(text, *kRange, &first_text, &last_text)) return false;
  if (last_text.empty()) last_text = first_text;

  int first = 0;
  int last = 0;
  if (!absl::SimpleAtoi(first_text, &first) ||
      !absl::SimpleAtoi(last_text, &last)) {
    return false;
  }
  if (first > 65535 || last > 65535 || first > last) return false;
  *out = PortRange{static_cast<uint16_t>(first), static_cast<uint16_t>(last)};
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<PortRange> parsed = PortRange::Parse(input);

  PortRange from_regex;
  bool regex_ok = ParseWithRegex(input, &from_regex);
  Require(parsed.ok() == regex_ok, "accepts exactly the grammar", input);

  if (!parsed.ok()) {
    Require(parsed.status().code() == absl::StatusCode::kInvalidArgument,
            "errors are InvalidArgument", input);
    Require(
        absl::StartsWith(parsed.status().message(), "invalid port range \""),
        "errors quote the input", input);
    return 0;
  }

  Require(*parsed == from_regex, "same range as the grammar", input);
  Require(parsed->first <= parsed->last, "first <= last", input);

  std::string text = parsed->ToString();
  absl::StatusOr<PortRange> reparsed = PortRange::Parse(text);
  Require(reparsed.ok(), "formatted range parses", input);
  Require(*reparsed == *parsed, "format then parse gives the same range",
          input);
  Require(reparsed->ToString() == text, "formatting is stable", input);
  return 0;
}
