#include "schedule/rfc3339.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "schedule/internal/quote.h"

namespace portcullis::schedule {
namespace {

absl::Status Invalid(absl::string_view text, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid timestamp ", internal::Quote(text), ": ", reason,
      "; expected an rfc 3339 date-time such as \"2026-03-08T07:30:00Z\" or "
      "\"2026-03-08T02:30:00.5-05:00\""));
}

// A cursor over the text that reads fixed-width fields.
class Reader {
 public:
  explicit Reader(absl::string_view text) : text_(text) {}

  size_t pos() const { return pos_; }
  bool AtEnd() const { return pos_ == text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  void Skip() { ++pos_; }

  // Reads exactly `width` decimal digits.
  bool ReadNumber(int width, int* value) {
    if (text_.size() - pos_ < static_cast<size_t>(width)) return false;
    int result = 0;
    for (int i = 0; i < width; ++i) {
      const char c = text_[pos_ + i];
      if (c < '0' || c > '9') return false;
      result = result * 10 + (c - '0');
    }
    pos_ += width;
    *value = result;
    return true;
  }

  bool Consume(char c) {
    if (Peek() != c || AtEnd()) return false;
    ++pos_;
    return true;
  }

 private:
  absl::string_view text_;
  size_t pos_ = 0;
};

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && leap) return 29;
  return kDays[month - 1];
}

}  // namespace

absl::StatusOr<absl::Time> ParseRfc3339(absl::string_view text) {
  if (text.empty()) return Invalid(text, "the text is empty");
  Reader in(text);

  int year = 0, month = 0, day = 0;
  if (!in.ReadNumber(4, &year) || !in.Consume('-') ||
      !in.ReadNumber(2, &month) || !in.Consume('-') ||
      !in.ReadNumber(2, &day)) {
    return Invalid(text, "the date must be written YYYY-MM-DD");
  }
  if (month < 1 || month > 12) {
    return Invalid(text, absl::StrCat("month ", month, " is not in 01-12"));
  }
  if (day < 1 || day > DaysInMonth(year, month)) {
    return Invalid(text, absl::StrFormat("day %02d does not exist in %04d-%02d",
                                         day, year, month));
  }

  if (!in.Consume('T') && !in.Consume('t')) {
    return Invalid(text, "the date must be followed by 'T' and a time");
  }

  int hour = 0, minute = 0, second = 0;
  if (!in.ReadNumber(2, &hour) || !in.Consume(':') ||
      !in.ReadNumber(2, &minute) || !in.Consume(':') ||
      !in.ReadNumber(2, &second)) {
    return Invalid(text, "the time must be written hh:mm:ss");
  }
  if (hour > 23) {
    return Invalid(text, absl::StrCat("hour ", hour, " is not in 00-23"));
  }
  if (minute > 59) {
    return Invalid(text, absl::StrCat("minute ", minute, " is not in 00-59"));
  }
  if (second == 60) {
    return Invalid(text, "leap seconds are not supported");
  }
  if (second > 59) {
    return Invalid(text, absl::StrCat("second ", second, " is not in 00-59"));
  }

  int64_t nanos = 0;
  if (in.Consume('.')) {
    int digits = 0;
    while (in.Peek() >= '0' && in.Peek() <= '9') {
      if (digits == 9) {
        return Invalid(text, "the fraction has more than 9 digits");
      }
      nanos = nanos * 10 + (in.Peek() - '0');
      in.Skip();
      ++digits;
    }
    if (digits == 0) {
      return Invalid(text, "'.' must be followed by digits");
    }
    for (int i = digits; i < 9; ++i) nanos *= 10;
  }

  int offset_seconds = 0;
  if (in.Consume('Z') || in.Consume('z')) {
    offset_seconds = 0;
  } else if (in.Peek() == '+' || in.Peek() == '-') {
    const int sign = in.Peek() == '-' ? -1 : 1;
    in.Skip();
    int offset_hours = 0, offset_minutes = 0;
    if (!in.ReadNumber(2, &offset_hours) || !in.Consume(':') ||
        !in.ReadNumber(2, &offset_minutes)) {
      return Invalid(text, "the offset must be written +hh:mm or -hh:mm");
    }
    if (offset_hours > 23 || offset_minutes > 59) {
      return Invalid(text, "the offset is out of range");
    }
    offset_seconds = sign * (offset_hours * 3600 + offset_minutes * 60);
  } else if (in.AtEnd()) {
    return Invalid(text, "the offset is missing ('Z' or +hh:mm)");
  } else {
    return Invalid(text, absl::StrCat("unexpected character ",
                                      internal::QuoteChar(in.Peek())));
  }
  if (!in.AtEnd()) {
    return Invalid(text, "unexpected text after the offset");
  }

  const absl::Time local = absl::FromCivil(
      absl::CivilSecond(year, month, day, hour, minute, second),
      absl::UTCTimeZone());
  return local - absl::Seconds(offset_seconds) + absl::Nanoseconds(nanos);
}

std::string FormatRfc3339(absl::Time time) {
  if (time == absl::InfiniteFuture()) return "infinite-future";
  if (time == absl::InfinitePast()) return "infinite-past";

  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::TimeZone::CivilInfo info = utc.At(time);
  const absl::CivilSecond cs = info.cs;
  std::string out = absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d", cs.year(),
                                    cs.month(), cs.day(), cs.hour(),
                                    cs.minute(), cs.second());
  const int64_t nanos = absl::ToInt64Nanoseconds(info.subsecond);
  if (nanos != 0) {
    std::string digits = absl::StrFormat("%09d", nanos);
    digits.erase(digits.find_last_not_of('0') + 1);
    absl::StrAppend(&out, ".", digits);
  }
  out += "Z";
  return out;
}

absl::Status CheckFinite(absl::string_view field, absl::Time time) {
  if (time != absl::InfiniteFuture() && time != absl::InfinitePast()) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": invalid instant ", FormatRfc3339(time),
      "; expected a finite time"));
}

}  // namespace portcullis::schedule
