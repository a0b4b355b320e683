// Fuzzes IpAddress::Parse. Properties checked on every input:
//   - the result agrees with glibc's inet_pton(), an independent parser of
//     the same forms (inputs with a NUL byte skip this check, because
//     inet_pton() reads a C string);
//   - a parsed address formats to text that parses back to the same
//     address, and formatting is stable;
//   - IPv6 text matches glibc's inet_ntop(), except that glibc still prints
//     IPv4-compatible addresses as ::a.b.c.d. RFC 4291 deprecated them, and
//     this library prints them in hex;
//   - errors are InvalidArgument and quote the input.
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "net/ip_address.h"

namespace {

using ::portcullis::net::IpAddress;

void Require(bool condition, const char* property, absl::string_view input) {
  if (condition) return;
  std::fprintf(stderr, "property failed: %s\ninput: \"%.*s\"\n", property,
               static_cast<int>(input.size()), input.data());
  std::abort();
}

// Parses `text` with glibc. Returns false when glibc rejects it.
bool ParseWithGlibc(const std::string& text, IpAddress* out) {
  unsigned char bytes[16];
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) {
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) value = (value << 8) | bytes[i];
    *out = IpAddress::V4(value);
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) {
    absl::uint128 value = 0;
    for (int i = 0; i < 16; ++i) value = (value << 8) | bytes[i];
    *out = IpAddress::V6(value);
    return true;
  }
  return false;
}

std::string FormatWithGlibc(const IpAddress& address) {
  unsigned char bytes[16];
  absl::uint128 value = address.v6();
  for (int i = 15; i >= 0; --i) {
    bytes[i] = static_cast<unsigned char>(value & 0xff);
    value >>= 8;
  }
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, bytes, text, sizeof(text)) == nullptr) return "";
  return text;
}

// True for ::w.x.y.z with w.x.y.z >= 0.1.0.0, which glibc prints dotted.
bool IsGlibcDottedCompatible(const IpAddress& address) {
  return address.is_v6() && (address.v6() >> 32) == 0 &&
         ((address.v6() >> 16) & 0xffff) != 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<IpAddress> parsed = IpAddress::Parse(input);

  if (input.find('\0') == absl::string_view::npos) {
    IpAddress from_glibc;
    bool glibc_ok = ParseWithGlibc(std::string(input), &from_glibc);
    Require(parsed.ok() == glibc_ok, "accepts exactly what inet_pton accepts",
            input);
    if (glibc_ok) {
      Require(*parsed == from_glibc, "same value as inet_pton", input);
    }
  }

  if (!parsed.ok()) {
    Require(parsed.status().code() == absl::StatusCode::kInvalidArgument,
            "errors are InvalidArgument", input);
    Require(
        absl::StartsWith(parsed.status().message(), "invalid IP address \""),
        "errors quote the input", input);
    return 0;
  }

  std::string text = parsed->ToString();
  absl::StatusOr<IpAddress> reparsed = IpAddress::Parse(text);
  Require(reparsed.ok(), "formatted address parses", input);
  Require(*reparsed == *parsed, "format then parse gives the same address",
          input);
  Require(reparsed->ToString() == text, "formatting is stable", input);

  if (parsed->is_v6() && !IsGlibcDottedCompatible(*parsed)) {
    Require(text == FormatWithGlibc(*parsed), "same text as inet_ntop", input);
  }
  return 0;
}
