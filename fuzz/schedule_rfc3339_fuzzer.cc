// Fuzzes ParseRfc3339. Property: a timestamp that parses formats (in UTC) to
// text that parses back to the same instant, and that text is a fixed point
// of formatting.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "schedule/rfc3339.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<absl::Time> parsed = portcullis::schedule::ParseRfc3339(text);
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) __builtin_trap();
    return 0;
  }

  // A year-0000 instant with a positive offset, or a year-9999 one with a
  // negative offset, lands outside the four-digit years in UTC.
  const absl::Time first = absl::FromCivil(absl::CivilSecond(0, 1, 1, 0, 0, 0),
                                           absl::UTCTimeZone());
  const absl::Time last = absl::FromCivil(
      absl::CivilSecond(10000, 1, 1, 0, 0, 0), absl::UTCTimeZone());
  if (*parsed < first || *parsed >= last) return 0;

  const std::string formatted = portcullis::schedule::FormatRfc3339(*parsed);
  absl::StatusOr<absl::Time> again =
      portcullis::schedule::ParseRfc3339(formatted);

  if (!again.ok() || *again != *parsed) {
    std::fprintf(stderr, "round trip failed: %s -> %s\n",
                 std::string(text).c_str(), formatted.c_str());
    __builtin_trap();
  }
  if (portcullis::schedule::FormatRfc3339(*again) != formatted) {
    __builtin_trap();
  }
  return 0;
}
