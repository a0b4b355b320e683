// Fuzzes ParseIsoDuration. Property: a duration that parses formats to text
// that parses back to the same duration, and that text is a fixed point of
// formatting.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "schedule/duration.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<absl::Duration> parsed =
      portcullis::schedule::ParseIsoDuration(text);
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) __builtin_trap();
    return 0;
  }
  if (*parsed < absl::ZeroDuration()) __builtin_trap();

  const std::string formatted = portcullis::schedule::FormatIsoDuration(*parsed);
  absl::StatusOr<absl::Duration> again =
      portcullis::schedule::ParseIsoDuration(formatted);
  if (!again.ok() || *again != *parsed) {
    std::fprintf(stderr, "round trip failed: %s -> %s\n",
                 std::string(text).c_str(), formatted.c_str());
    __builtin_trap();
  }
  if (portcullis::schedule::FormatIsoDuration(*again) != formatted) {
    __builtin_trap();
  }
  return 0;
}
