#include "schedule/zone.h"

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "schedule/internal/quote.h"

namespace portcullis::schedule {
namespace {

// IANA names are made of these characters, in components split by '/'.
bool IsNameCharacter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '+';
}

bool HasIanaNameSyntax(absl::string_view name) {
  if (name.empty()) return false;
  for (absl::string_view component : absl::StrSplit(name, '/')) {
    if (component.empty()) return false;
    for (char c : component) {
      if (!IsNameCharacter(c)) return false;
    }
  }
  return true;
}

// Reads exactly `width` digits at `*pos`, advancing it.
bool ReadDigits(absl::string_view text, size_t* pos, int width, int* value) {
  if (text.size() - *pos < static_cast<size_t>(width)) return false;
  int result = 0;
  for (int i = 0; i < width; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  *pos += width;
  *value = result;
  return true;
}

bool ReadChar(absl::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

// Reads "hh:mm" or "hh:mm:ss" at `*pos` into seconds after midnight, with
// 24:00 allowed when `allow_end_of_day`. Returns a reason on failure.
std::optional<std::string> ReadTimeOfDay(absl::string_view text, size_t* pos,
                                         bool allow_end_of_day, int* seconds) {
  int hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, pos, 2, &hour) || !ReadChar(text, pos, ':') ||
      !ReadDigits(text, pos, 2, &minute)) {
    return std::string("the time must be written hh:mm or hh:mm:ss");
  }
  if (ReadChar(text, pos, ':') && !ReadDigits(text, pos, 2, &second)) {
    return std::string("the seconds must be two digits");
  }
  if (minute > 59) return absl::StrCat("minute ", minute, " is not in 00-59");
  if (second > 59) return absl::StrCat("second ", second, " is not in 00-59");
  if (hour == 24 && minute == 0 && second == 0) {
    if (allow_end_of_day) {
      *seconds = 86400;
      return std::nullopt;
    }
    return std::string("24:00 is allowed only as the end of a window");
  }
  if (hour > 23) return absl::StrCat("hour ", hour, " is not in 00-23");
  *seconds = hour * 3600 + minute * 60 + second;
  return std::nullopt;
}

// Reads "YYYY-MM-DD" at `*pos`, checking the calendar.
std::optional<std::string> ReadDate(absl::string_view text, size_t* pos,
                                    absl::CivilDay* day) {
  int year = 0, month = 0, mday = 0;
  if (!ReadDigits(text, pos, 4, &year) || !ReadChar(text, pos, '-') ||
      !ReadDigits(text, pos, 2, &month) || !ReadChar(text, pos, '-') ||
      !ReadDigits(text, pos, 2, &mday)) {
    return std::string("the date must be written YYYY-MM-DD");
  }
  if (month < 1 || month > 12) {
    return absl::StrCat("month ", month, " is not in 01-12");
  }
  // CivilDay normalizes 2026-02-30 to 2026-03-02, so a changed month or day
  // means the date does not exist.
  const absl::CivilDay normalized(year, month, mday);
  if (mday < 1 || normalized.month() != month || normalized.day() != mday) {
    return absl::StrFormat("day %02d does not exist in %04d-%02d", mday, year,
                           month);
  }
  *day = normalized;
  return std::nullopt;
}

absl::Status Invalid(absl::string_view what, absl::string_view text,
                     absl::string_view reason, absl::string_view expected) {
  return absl::InvalidArgumentError(absl::StrCat("invalid ", what, " ",
                                                 internal::Quote(text), ": ",
                                                 reason, "; expected ",
                                                 expected));
}

}  // namespace

absl::StatusOr<absl::TimeZone> LoadIanaTimeZone(absl::string_view name) {
  const std::string expected =
      "an iana time zone name such as \"Europe/Berlin\" or \"UTC\"";
  if (!HasIanaNameSyntax(name) || name == "localtime" ||
      absl::StartsWith(name, "Fixed/")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid time zone ", internal::Quote(name), "; expected ", expected));
  }
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(std::string(name), &zone)) {
    return absl::NotFoundError(absl::StrCat(
        "unknown time zone ", internal::Quote(name),
        ": not found in the zoneinfo database (check the spelling, which is "
        "case-sensitive, and that tzdata is installed); expected ",
        expected));
  }
  return zone;
}

ResolvedTime ResolveLocalTime(absl::CivilSecond local,
                              const absl::TimeZone& zone,
                              LocalTimePolicy policy) {
  const absl::TimeZone::TimeInfo info = zone.At(local);
  ResolvedTime result;
  result.kind = info.kind;
  switch (info.kind) {
    case absl::TimeZone::TimeInfo::UNIQUE:
      result.time = info.pre;
      break;
    case absl::TimeZone::TimeInfo::SKIPPED:
      // For a skipped time absl's `pre` applies the offset before the gap
      // and lands after the transition; `post` lands before it.
      if (policy.skipped == SkippedTimePolicy::kTransition) {
        result.time = info.trans;
      } else if (policy.skipped == SkippedTimePolicy::kShiftForward) {
        result.time = info.pre;
      }
      break;
    case absl::TimeZone::TimeInfo::REPEATED:
      result.time = policy.repeated == RepeatedTimePolicy::kEarlier ? info.pre
                                                                    : info.post;
      break;
  }
  return result;
}

absl::StatusOr<int> ParseTimeOfDay(absl::string_view text,
                                   bool allow_end_of_day) {
  const char* expected = allow_end_of_day
                             ? "hh:mm or hh:mm:ss on a 24-hour clock, or 24:00"
                             : "hh:mm or hh:mm:ss on a 24-hour clock";
  size_t pos = 0;
  int seconds = 0;
  std::optional<std::string> error =
      ReadTimeOfDay(text, &pos, allow_end_of_day, &seconds);
  if (error) return Invalid("time of day", text, *error, expected);
  if (pos != text.size()) {
    return Invalid("time of day", text, "unexpected text after the time",
                   expected);
  }
  return seconds;
}

std::string FormatTimeOfDay(int seconds) {
  const int hour = seconds / 3600;
  const int minute = seconds / 60 % 60;
  const int second = seconds % 60;
  if (second != 0) return absl::StrFormat("%02d:%02d:%02d", hour, minute, second);
  return absl::StrFormat("%02d:%02d", hour, minute);
}

absl::StatusOr<absl::CivilDay> ParseLocalDate(absl::string_view text) {
  constexpr char kExpected[] = "a local date YYYY-MM-DD";
  size_t pos = 0;
  absl::CivilDay day;
  std::optional<std::string> error = ReadDate(text, &pos, &day);
  if (error) return Invalid("date", text, *error, kExpected);
  if (pos != text.size()) {
    return Invalid("date", text, "unexpected text after the date", kExpected);
  }
  return day;
}

absl::StatusOr<absl::CivilSecond> ParseLocalDateTime(absl::string_view text) {
  constexpr char kExpected[] =
      "a local date and time YYYY-MM-DDThh:mm[:ss] without offset";
  size_t pos = 0;
  absl::CivilDay day;
  std::optional<std::string> error = ReadDate(text, &pos, &day);
  if (error) return Invalid("local date-time", text, *error, kExpected);
  if (!ReadChar(text, &pos, 'T')) {
    return Invalid("local date-time", text,
                   "the date must be followed by 'T' and a time", kExpected);
  }
  int seconds = 0;
  error = ReadTimeOfDay(text, &pos, /*allow_end_of_day=*/false, &seconds);
  if (error) return Invalid("local date-time", text, *error, kExpected);
  if (pos != text.size()) {
    return Invalid("local date-time", text,
                   "unexpected text after the time (local times take no "
                   "offset, because the schedule's time zone applies)",
                   kExpected);
  }
  return absl::CivilSecond(day) + seconds;
}

}  // namespace portcullis::schedule
