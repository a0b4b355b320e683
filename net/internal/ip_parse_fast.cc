// The fast parsers: one pass over the text, no allocation, no absl::Status.
// Every rule below mirrors a check of the reference parsers in ip_parse.cc,
// which tests/net/ip_parse_test.cc compares them against.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>

#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"
#include "net/internal/ip_parse.h"

namespace portcullis::net::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The value of each byte as a hex digit (either case), or -1 for a byte
// that is not one. A table lookup costs less than the three range checks
// it replaces, whose branches the mix of digits and letters in IPv6 text
// mispredicts.
constexpr std::array<int8_t, 256> MakeHexValues() {
  std::array<int8_t, 256> values{};
  for (int c = 0; c < 256; ++c) {
    values[c] = c >= '0' && c <= '9'   ? static_cast<int8_t>(c - '0')
                : c >= 'a' && c <= 'f' ? static_cast<int8_t>(c - 'a' + 10)
                : c >= 'A' && c <= 'F' ? static_cast<int8_t>(c - 'A' + 10)
                                       : int8_t{-1};
  }
  return values;
}
constexpr std::array<int8_t, 256> kHexValues = MakeHexValues();

int HexValue(char c) { return kHexValues[static_cast<unsigned char>(c)]; }

// Four dot-separated decimal fields and the position after the last one.
struct V4Fields {
  uint32_t value;
  const char* stop;
};

// Parses four dot-separated decimal fields from 0 to 255 at the start of
// [p, end), each "0" or one to three digits without a leading zero. The
// fourth field ends at the first byte that is not a digit.
std::optional<V4Fields> ScanV4Fields(const char* p, const char* end) {
  uint32_t value = 0;
  for (int field = 0; field < 4; ++field) {
    if (field > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    if (p == end || !IsDigit(*p)) return std::nullopt;

    uint32_t number = static_cast<uint32_t>(*p - '0');
    ++p;
    // A field that starts with 0 ends there; otherwise it has at most two
    // more digits.
    int more_digits = number == 0 ? 0 : 2;
    for (; more_digits > 0 && p != end && IsDigit(*p); --more_digits, ++p) {
      number = number * 10 + static_cast<uint32_t>(*p - '0');
    }
    if (p != end && IsDigit(*p)) return std::nullopt;
    if (number > 255) return std::nullopt;
    value = (value << 8) | number;
  }
  return V4Fields{value, p};
}

// Parses [p, end) as exactly four fields, as ScanV4Fields() reads them.
std::optional<uint32_t> ScanV4(const char* p, const char* end) {
  std::optional<V4Fields> fields = ScanV4Fields(p, end);
  if (!fields.has_value() || fields->stop != end) return std::nullopt;
  return fields->value;
}

// Parses [p, end) as RFC 4291 section 2.2 text: up to eight groups of one to
// four hex digits, with at most one "::" that replaces one or more zero
// groups. An IPv4 address may take the place of the last two groups.
std::optional<absl::uint128> ScanV6(const char* p, const char* end) {
  uint16_t groups[8];
  int count = 0;
  int ellipsis = -1;  // Index in `groups` of the "::", or -1 without one.

  if (end - p >= 2 && p[0] == ':' && p[1] == ':') {
    ellipsis = 0;
    p += 2;
  } else if (p != end && *p == ':') {
    return std::nullopt;
  }

  while (p != end) {
    const char* start = p;
    uint32_t group = 0;
    for (int digit; p != end && (digit = HexValue(*p)) >= 0; ++p) {
      group = (group << 4) | static_cast<uint32_t>(digit);
    }
    ptrdiff_t digits = p - start;

    if (p != end && *p == '.') {
      if (count > 6 || (ellipsis < 0 && count != 6)) return std::nullopt;
      std::optional<uint32_t> v4 = ScanV4(start, end);
      if (!v4.has_value()) return std::nullopt;
      groups[count++] = static_cast<uint16_t>(*v4 >> 16);
      groups[count++] = static_cast<uint16_t>(*v4 & 0xffff);
      break;
    }

    if (digits == 0 || digits > 4 || count == 8) return std::nullopt;
    groups[count++] = static_cast<uint16_t>(group);

    if (p == end) break;
    if (*p != ':') return std::nullopt;
    ++p;
    if (p != end && *p == ':') {
      if (ellipsis >= 0) return std::nullopt;
      ellipsis = count;
      ++p;
    } else if (p == end) {
      return std::nullopt;
    }
  }

  // Without "::" all eight groups are written; with it, at least one is not.
  if (ellipsis < 0 ? count != 8 : count == 8) return std::nullopt;

  int head = ellipsis < 0 ? count : ellipsis;
  absl::uint128 bits = 0;
  for (int g = 0; g < head; ++g) bits = (bits << 16) | groups[g];
  // Shift in the zero groups that "::" replaces. With no group before the
  // "::", `bits` is still zero, and a shift by all 128 bits would be
  // undefined.
  if (head > 0) bits <<= 16 * (8 - count);
  for (int g = head; g < count; ++g) bits = (bits << 16) | groups[g];
  return bits;
}

// IPv4 prefix text of kMinSize to kMaxSize bytes, the common case: named
// locations and service tags list hundreds of thousands of prefixes. The
// text is copied into a zero-padded buffer first, so that the scan reads
// ahead without comparing each position with the end. A zero byte is not a
// digit, so it stops any field.
class PaddedV4Prefix {
 public:
  // The shortest text read here is "0.0.0.0/" plus a digit (shorter ones,
  // such as a bare "0.0.0.0", go to the general scanners), the longest
  // "255.255.255.255/32".
  static constexpr size_t kMinSize = 8;
  static constexpr size_t kMaxSize = 18;

  // Copies `text`, kMinSize <= size <= kMaxSize, in fixed copies of eight
  // bytes: the first eight, the second eight when the text is longer than
  // 16, and the last eight.
  explicit PaddedV4Prefix(absl::string_view text) : size_(text.size()) {
    std::memcpy(bytes_, text.data(), 8);
    if (size_ > 16) std::memcpy(bytes_ + 8, text.data() + 8, 8);
    std::memcpy(bytes_ + size_ - 8, text.data() + size_ - 8, 8);
  }

  // The prefix, or std::nullopt unless the text is "a.b.c.d" or
  // "a.b.c.d/length" as ScanV4Fields() and the length rules read them.
  std::optional<ParsedPrefix> Parse() const {
    const unsigned char* p = bytes_;
    uint32_t address = 0;
    for (int field = 0; field < 4; ++field) {
      if (field > 0 && *p++ != '.') return std::nullopt;
      int value = Number(p, 255);
      if (value < 0) return std::nullopt;
      address = (address << 8) | static_cast<uint32_t>(value);
    }

    int length = 32;
    if (Position(p) != size_) {
      if (*p++ != '/') return std::nullopt;
      length = Number(p, 32);
      if (length < 0 || Position(p) != size_) return std::nullopt;
    }
    return ParsedPrefix{ParsedAddress{address, /*is_v6=*/false}, length};
  }

 private:
  static unsigned Digit(unsigned char c) { return c - unsigned{'0'}; }

  // Reads "0" or one to three digits without a leading zero at `p`, at most
  // `max`, and advances `p` past them. Returns -1 for anything else.
  static int Number(const unsigned char*& p, int max) {
    unsigned first = Digit(p[0]);
    if (first > 9) return -1;
    unsigned second = Digit(p[1]);
    if (second > 9) {
      p += 1;
      return static_cast<int>(first);
    }
    if (first == 0) return -1;
    unsigned third = Digit(p[2]);
    unsigned value;
    if (third > 9) {
      value = first * 10 + second;
      p += 2;
    } else {
      // A fourth digit needs no check here: the separator or end of text
      // that every caller expects next rejects it.
      value = first * 100 + second * 10 + third;
      p += 3;
    }
    return value > static_cast<unsigned>(max) ? -1 : static_cast<int>(value);
  }

  size_t Position(const unsigned char* p) const {
    return static_cast<size_t>(p - bytes_);
  }

  size_t size_;
  // The text, then zeros. A scan reads at most the first 19 bytes: four
  // fields of up to three digits with their separators, a '/', and three
  // bytes for the length.
  unsigned char bytes_[24] = {};
};

}  // namespace

std::optional<ParsedAddress> ParseAddressFast(absl::string_view text) {
  const char* begin = text.data();
  const char* end = begin + text.size();

  // As in the reference parser, a colon anywhere makes the text IPv6. Each
  // scanner rejects '%', '/' and every other byte outside its grammar.
  if (std::memchr(begin, ':', text.size()) != nullptr) {
    std::optional<absl::uint128> bits = ScanV6(begin, end);
    if (!bits.has_value()) return std::nullopt;
    return ParsedAddress{*bits, /*is_v6=*/true};
  }
  std::optional<uint32_t> bits = ScanV4(begin, end);
  if (!bits.has_value()) return std::nullopt;
  return ParsedAddress{*bits, /*is_v6=*/false};
}

std::optional<ParsedPrefix> ParsePrefixFast(absl::string_view text) {
  // Text that PaddedV4Prefix rejects may still be valid in a form it does
  // not read, so the scanners below decide.
  if (text.size() >= PaddedV4Prefix::kMinSize &&
      text.size() <= PaddedV4Prefix::kMaxSize) {
    std::optional<ParsedPrefix> v4 = PaddedV4Prefix(text).Parse();
    if (v4.has_value()) return v4;
  }

  const char* begin = text.data();
  const char* end = begin + text.size();

  // Most prefixes are IPv4, so try that first. When four fields end the
  // text or stop at a '/', the address part holds only digits and dots and
  // is IPv4 for the reference parser too.
  ParsedPrefix prefix;
  const char* slash;
  std::optional<V4Fields> v4 = ScanV4Fields(begin, end);
  if (v4.has_value() && (v4->stop == end || *v4->stop == '/')) {
    prefix = ParsedPrefix{ParsedAddress{v4->value, /*is_v6=*/false}, 32};
    slash = v4->stop;
  } else {
    // Otherwise the address part must be IPv6. IPv4 text without a colon
    // was rejected above: ScanV4Fields() reads only digits and dots, so it
    // reads the text up to the first '/' as it would read that part alone.
    slash = std::find(begin, end, '/');
    if (std::find(begin, slash, ':') == slash) return std::nullopt;
    std::optional<absl::uint128> bits = ScanV6(begin, slash);
    if (!bits.has_value()) return std::nullopt;
    prefix = ParsedPrefix{ParsedAddress{*bits, /*is_v6=*/true}, 128};
  }
  if (slash == end) return prefix;

  // The length: "0", or one to three digits without a leading zero, at most
  // the address's bit length.
  absl::string_view digits(slash + 1, static_cast<size_t>(end - slash - 1));
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  int length = 0;
  for (char c : digits) {
    if (!IsDigit(c)) return std::nullopt;
    length = length * 10 + (c - '0');
  }
  if (length > prefix.length) return std::nullopt;
  prefix.length = length;
  return prefix;
}

}  // namespace portcullis::net::internal
