#include "schedule/duration.h"

#include <cstdint>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "schedule/internal/quote.h"

namespace portcullis::schedule {
namespace {

constexpr int kMaxIntegerDigits = 18;
constexpr int kMaxFractionDigits = 9;
constexpr int64_t kNanosPerSecond = 1000 * 1000 * 1000;

// Components in the order ISO 8601 writes them. A component may only follow
// one of a lower rank.
enum class Unit { kWeek, kDay, kHour, kMinute, kSecond };

int64_t SecondsPerUnit(Unit unit) {
  switch (unit) {
    case Unit::kWeek:
      return 7 * 24 * 3600;
    case Unit::kDay:
      return 24 * 3600;
    case Unit::kHour:
      return 3600;
    case Unit::kMinute:
      return 60;
    case Unit::kSecond:
      return 1;
  }
  return 0;
}

absl::Status Invalid(absl::string_view text, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid duration ", internal::Quote(text), ": ", reason,
      "; expected an iso 8601 duration such as \"PT8H\", \"PT30M\" or "
      "\"P1D\""));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Maps the designator `c` to a unit, or explains why it is not accepted.
absl::StatusOr<Unit> UnitFor(char c, bool in_time, absl::string_view text) {
  if (in_time) {
    switch (c) {
      case 'H':
        return Unit::kHour;
      case 'M':
        return Unit::kMinute;
      case 'S':
        return Unit::kSecond;
      case 'D':
        return Invalid(text,
                       "days ('D') must come before 'T', as in \"P1D\"");
      case 'W':
        return Invalid(text, "weeks ('W') must come before 'T', as in \"P1W\"");
      default:
        break;
    }
  } else {
    switch (c) {
      case 'W':
        return Unit::kWeek;
      case 'D':
        return Unit::kDay;
      case 'M':
        return Invalid(text,
                       "months are not supported because their length "
                       "varies; use days, or \"PT<n>M\" for minutes");
      case 'H':
      case 'S':
        return Invalid(text, absl::StrCat("'", std::string(1, c),
                                          "' must come after 'T'"));
      default:
        break;
    }
  }
  if (c == 'Y') {
    return Invalid(text,
                   "years are not supported because their length varies; "
                   "use days");
  }
  if (absl::ascii_islower(static_cast<unsigned char>(c))) {
    return Invalid(text, "designators must be upper case");
  }
  return Invalid(text, absl::StrCat("unexpected character ",
                                    internal::QuoteChar(c)));
}

}  // namespace

absl::StatusOr<absl::Duration> ParseIsoDuration(absl::string_view text) {
  if (text.empty()) return Invalid(text, "the text is empty");
  if (text[0] == '-' || text[0] == '+') {
    return Invalid(text, "signs are not allowed");
  }
  if (text[0] != 'P') {
    if (text[0] == 'p') return Invalid(text, "designators must be upper case");
    return Invalid(text, "it must start with 'P'");
  }

  const size_t n = text.size();
  size_t pos = 1;
  bool in_time = false;
  bool has_component = false;
  bool has_fraction = false;
  bool has_weeks = false;
  int last_rank = -1;
  absl::int128 total_nanos = 0;
  const absl::int128 max_nanos =
      absl::int128(INT64_MAX) * kNanosPerSecond + (kNanosPerSecond - 1);

  while (pos < n) {
    if (text[pos] == 'T') {
      if (in_time) return Invalid(text, "'T' appears twice");
      in_time = true;
      ++pos;
      if (pos == n) {
        return Invalid(text, "'T' must be followed by hours, minutes or seconds");
      }
      continue;
    }
    if (has_fraction) {
      return Invalid(text, "only the last component may have a fraction");
    }

    const size_t int_start = pos;
    while (pos < n && IsDigit(text[pos])) ++pos;
    const size_t int_digits = pos - int_start;
    if (int_digits == 0) {
      if (absl::ascii_isalpha(static_cast<unsigned char>(text[pos]))) {
        return Invalid(text, absl::StrCat("designator ",
                                          internal::QuoteChar(text[pos]),
                                          " has no number before it"));
      }
      return Invalid(text, absl::StrCat("unexpected character ",
                                        internal::QuoteChar(text[pos])));
    }
    if (int_digits > kMaxIntegerDigits) {
      return Invalid(text, "a number has more than 18 digits");
    }
    int64_t integer = 0;
    for (size_t i = int_start; i < pos; ++i) integer = integer * 10 + (text[i] - '0');

    int64_t fraction = 0;
    int64_t fraction_scale = 1;
    if (pos < n && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      const size_t fraction_start = pos;
      while (pos < n && IsDigit(text[pos])) ++pos;
      const size_t fraction_digits = pos - fraction_start;
      if (fraction_digits == 0) {
        return Invalid(text, "a decimal separator must be followed by digits");
      }
      if (fraction_digits > kMaxFractionDigits) {
        return Invalid(text, "a fraction has more than 9 digits");
      }
      for (size_t i = fraction_start; i < pos; ++i) {
        fraction = fraction * 10 + (text[i] - '0');
        fraction_scale *= 10;
      }
      has_fraction = true;
    }
    if (pos == n) {
      return Invalid(text, "the last number has no designator");
    }

    absl::StatusOr<Unit> unit = UnitFor(text[pos], in_time, text);
    if (!unit.ok()) return unit.status();
    ++pos;
    const int rank = static_cast<int>(*unit);
    if (rank <= last_rank) {
      return Invalid(text,
                     "components must appear at most once each, in the order "
                     "D, H, M, S");
    }
    if (*unit == Unit::kWeek) {
      has_weeks = true;
    } else if (has_weeks) {
      return Invalid(text, "weeks cannot be combined with other components");
    }
    last_rank = rank;
    has_component = true;

    // Every unit is a whole number of seconds and a fraction has at most 9
    // digits, so the fractional part is an exact number of nanoseconds.
    const absl::int128 unit_nanos =
        absl::int128(SecondsPerUnit(*unit)) * kNanosPerSecond;
    total_nanos += unit_nanos * integer + unit_nanos * fraction / fraction_scale;
    if (total_nanos > max_nanos) {
      return Invalid(text, "the duration is too long");
    }
  }
  if (!has_component) return Invalid(text, "it has no components");

  const int64_t seconds =
      static_cast<int64_t>(total_nanos / kNanosPerSecond);
  const int64_t nanos = static_cast<int64_t>(total_nanos % kNanosPerSecond);
  return absl::Seconds(seconds) + absl::Nanoseconds(nanos);
}

std::string FormatIsoDuration(absl::Duration duration) {
  if (duration == absl::InfiniteDuration()) return "inf";
  if (duration == -absl::InfiniteDuration()) return "-inf";

  absl::Duration remainder;
  const int64_t whole_seconds =
      absl::IDivDuration(duration, absl::Seconds(1), &remainder);
  const int64_t nanos = absl::ToInt64Nanoseconds(remainder);
  absl::int128 total = absl::int128(whole_seconds) * kNanosPerSecond + nanos;

  std::string out;
  if (total < 0) {
    out = "-";
    total = -total;
  }
  out += "P";
  if (total == 0) return "PT0S";

  const absl::int128 nanos_per_day = absl::int128(86400) * kNanosPerSecond;
  const absl::int128 days = total / nanos_per_day;
  total %= nanos_per_day;
  const int64_t rest = static_cast<int64_t>(total);
  const int64_t hours = rest / (3600 * kNanosPerSecond);
  const int64_t minutes = rest / (60 * kNanosPerSecond) % 60;
  const int64_t seconds = rest / kNanosPerSecond % 60;
  const int64_t fraction = rest % kNanosPerSecond;

  if (days != 0) absl::StrAppend(&out, static_cast<uint64_t>(days), "D");
  if (rest == 0) return out;
  out += "T";
  if (hours != 0) absl::StrAppend(&out, hours, "H");
  if (minutes != 0) absl::StrAppend(&out, minutes, "M");
  if (seconds != 0 || fraction != 0) {
    absl::StrAppend(&out, seconds);
    if (fraction != 0) {
      std::string digits = absl::StrFormat("%09d", fraction);
      digits.erase(digits.find_last_not_of('0') + 1);
      absl::StrAppend(&out, ".", digits);
    }
    out += "S";
  }
  return out;
}

}  // namespace portcullis::schedule
