#include "schedule/rrule.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "schedule/internal/quote.h"
#include "schedule/internal/resolver.h"

namespace portcullis::schedule {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
constexpr int kMaxInterval = 10000;

struct WeekdayName {
  absl::Weekday day;
  const char* code;
  const char* name;
};

constexpr WeekdayName kWeekdays[] = {
    {absl::Weekday::monday, "MO", "monday"},
    {absl::Weekday::tuesday, "TU", "tuesday"},
    {absl::Weekday::wednesday, "WE", "wednesday"},
    {absl::Weekday::thursday, "TH", "thursday"},
    {absl::Weekday::friday, "FR", "friday"},
    {absl::Weekday::saturday, "SA", "saturday"},
    {absl::Weekday::sunday, "SU", "sunday"},
};

const char* WeekdayCode(absl::Weekday day) {
  return kWeekdays[static_cast<int>(day)].code;
}

// Days from `week_start` forward to `day`, 0-6.
int DaysAfter(absl::Weekday week_start, absl::Weekday day) {
  return (static_cast<int>(day) - static_cast<int>(week_start) + 7) % 7;
}

absl::Status InvalidRule(absl::string_view text, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid recurrence rule ", internal::Quote(text), ": ", reason,
      "; expected an rfc 5545 rule such as "
      "\"FREQ=WEEKLY;BYDAY=MO,TU;BYHOUR=9;BYMINUTE=0\""));
}

// Parses a comma-separated list of integers in [min, max], sorted and
// without duplicates.
absl::StatusOr<std::vector<int>> ParseIntegerList(absl::string_view rule,
                                                  absl::string_view part,
                                                  absl::string_view value,
                                                  int min, int max) {
  std::vector<int> result;
  for (absl::string_view item : absl::StrSplit(value, ',')) {
    int number = 0;
    const bool digits_only =
        !item.empty() && item.size() <= 4 &&
        std::all_of(item.begin(), item.end(),
                    [](char c) { return absl::ascii_isdigit(c); });
    if (!digits_only || !absl::SimpleAtoi(item, &number) || number < min ||
        number > max) {
      return InvalidRule(rule, absl::StrFormat("%s value %s is not an integer "
                                               "in %d-%d",
                                               part, internal::Quote(item), min,
                                               max));
    }
    result.push_back(number);
  }
  std::sort(result.begin(), result.end());
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

// Reads exactly `width` digits from the front of `*text`.
bool TakeDigits(absl::string_view* text, int width, int* value) {
  if (text->size() < static_cast<size_t>(width)) return false;
  int result = 0;
  for (int i = 0; i < width; ++i) {
    const char c = (*text)[i];
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  text->remove_prefix(width);
  *value = result;
  return true;
}

// Parses RFC 5545 "YYYYMMDD" or "YYYYMMDDThhmmss" (basic format), leaving a
// trailing "Z" in `*rest`. Returns nullopt when the text is malformed or the
// date or time does not exist.
std::optional<absl::CivilSecond> ParseBasicDateTime(absl::string_view text,
                                                    bool* has_time,
                                                    absl::string_view* rest) {
  int year = 0, month = 0, day = 0;
  if (!TakeDigits(&text, 4, &year) || !TakeDigits(&text, 2, &month) ||
      !TakeDigits(&text, 2, &day)) {
    return std::nullopt;
  }
  int hour = 0, minute = 0, second = 0;
  *has_time = false;
  if (absl::ConsumePrefix(&text, "T")) {
    if (!TakeDigits(&text, 2, &hour) || !TakeDigits(&text, 2, &minute) ||
        !TakeDigits(&text, 2, &second)) {
      return std::nullopt;
    }
    *has_time = true;
  }
  const absl::CivilSecond result(year, month, day, hour, minute, second);
  if (month < 1 || day < 1 || hour > 23 || minute > 59 || second > 59 ||
      result.month() != month || result.day() != day) {
    return std::nullopt;
  }
  *rest = text;
  return result;
}

absl::Status ParseUntil(absl::string_view rule, absl::string_view value,
                        RecurrenceRule* result) {
  bool has_time = false;
  absl::string_view rest;
  std::optional<absl::CivilSecond> parsed =
      ParseBasicDateTime(value, &has_time, &rest);
  if (!parsed) {
    return InvalidRule(rule, absl::StrCat("UNTIL value ", internal::Quote(value),
                                          " is not a date YYYYMMDD or a UTC "
                                          "date-time YYYYMMDDThhmmssZ"));
  }
  if (!has_time && rest.empty()) {
    result->until_date = absl::CivilDay(*parsed);
    return absl::OkStatus();
  }
  if (has_time && rest == "Z") {
    result->until = absl::FromCivil(*parsed, absl::UTCTimeZone());
    return absl::OkStatus();
  }
  if (has_time && rest.empty()) {
    return InvalidRule(rule, absl::StrCat("UNTIL value ", internal::Quote(value),
                                          " must be in UTC, ending in 'Z', "
                                          "because DTSTART has a time zone"));
  }
  return InvalidRule(rule, absl::StrCat("UNTIL value ", internal::Quote(value),
                                        " has unexpected text at the end"));
}

absl::Status ParsePart(absl::string_view rule, absl::string_view name,
                       absl::string_view value, RecurrenceRule* result) {
  if (name == "FREQ") {
    if (!absl::EqualsIgnoreCase(value, "WEEKLY")) {
      return InvalidRule(rule, absl::StrCat("FREQ ", internal::Quote(value),
                                            " is not supported; only WEEKLY "
                                            "is"));
    }
    return absl::OkStatus();
  }
  if (name == "INTERVAL") {
    absl::StatusOr<std::vector<int>> interval =
        ParseIntegerList(rule, name, value, 1, kMaxInterval);
    if (!interval.ok()) return interval.status();
    if (interval->size() != 1) {
      return InvalidRule(rule, "INTERVAL takes one value");
    }
    result->interval = interval->front();
    return absl::OkStatus();
  }
  if (name == "WKST") {
    std::optional<absl::Weekday> day = ParseWeekday(value);
    if (!day || value.size() != 2) {
      return InvalidRule(rule, absl::StrCat("WKST value ",
                                            internal::Quote(value),
                                            " is not a weekday MO-SU"));
    }
    result->week_start = *day;
    return absl::OkStatus();
  }
  if (name == "BYDAY") {
    for (absl::string_view item : absl::StrSplit(value, ',')) {
      std::optional<absl::Weekday> day = ParseWeekday(item);
      if (!day || item.size() != 2) {
        return InvalidRule(
            rule, absl::StrCat("BYDAY value ", internal::Quote(item),
                               " is not a weekday MO-SU (numeric prefixes "
                               "such as 1MO apply only to monthly and yearly "
                               "rules)"));
      }
      result->days.push_back(*day);
    }
    std::sort(result->days.begin(), result->days.end());
    result->days.erase(std::unique(result->days.begin(), result->days.end()),
                       result->days.end());
    return absl::OkStatus();
  }
  if (name == "BYHOUR") {
    absl::StatusOr<std::vector<int>> hours =
        ParseIntegerList(rule, name, value, 0, 23);
    if (!hours.ok()) return hours.status();
    result->hours = *std::move(hours);
    return absl::OkStatus();
  }
  if (name == "BYMINUTE") {
    absl::StatusOr<std::vector<int>> minutes =
        ParseIntegerList(rule, name, value, 0, 59);
    if (!minutes.ok()) return minutes.status();
    result->minutes = *std::move(minutes);
    return absl::OkStatus();
  }
  if (name == "UNTIL") return ParseUntil(rule, value, result);
  if (name == "COUNT") {
    int64_t count = 0;
    const bool digits_only =
        !value.empty() && value.size() <= 9 &&
        std::all_of(value.begin(), value.end(),
                    [](char c) { return absl::ascii_isdigit(c); });
    if (!digits_only || !absl::SimpleAtoi(value, &count) || count < 1) {
      return InvalidRule(rule, absl::StrCat("COUNT value ",
                                            internal::Quote(value),
                                            " is not an integer in "
                                            "1-999999999"));
    }
    result->count = count;
    return absl::OkStatus();
  }
  return InvalidRule(rule, absl::StrCat("rule part ", internal::Quote(name),
                                        " is not supported; supported parts "
                                        "are FREQ, INTERVAL, WKST, BYDAY, "
                                        "BYHOUR, BYMINUTE, UNTIL and COUNT"));
}

}  // namespace

std::optional<absl::Weekday> ParseWeekday(absl::string_view text) {
  for (const WeekdayName& weekday : kWeekdays) {
    if (absl::EqualsIgnoreCase(text, weekday.code) ||
        absl::EqualsIgnoreCase(text, weekday.name)) {
      return weekday.day;
    }
  }
  return std::nullopt;
}

absl::StatusOr<RecurrenceRule> ParseRecurrenceRule(absl::string_view text) {
  absl::string_view body = text;
  if (body.size() >= 6 && absl::EqualsIgnoreCase(body.substr(0, 6), "RRULE:")) {
    body.remove_prefix(6);
  }
  if (body.empty()) return InvalidRule(text, "the rule is empty");

  RecurrenceRule result;
  std::vector<std::string> seen;
  for (absl::string_view part : absl::StrSplit(body, ';')) {
    const size_t equals = part.find('=');
    if (equals == absl::string_view::npos || equals == 0 ||
        equals + 1 == part.size()) {
      return InvalidRule(text, absl::StrCat("rule part ", internal::Quote(part),
                                            " is not NAME=VALUE"));
    }
    const std::string name = absl::AsciiStrToUpper(part.substr(0, equals));
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      return InvalidRule(text, absl::StrCat("rule part ", name,
                                            " appears more than once"));
    }
    seen.push_back(name);
    absl::Status status =
        ParsePart(text, name, part.substr(equals + 1), &result);
    if (!status.ok()) return status;
  }

  if (std::find(seen.begin(), seen.end(), "FREQ") == seen.end()) {
    return InvalidRule(text, "FREQ is missing");
  }
  if (result.count && (result.until || result.until_date)) {
    return InvalidRule(text, "UNTIL and COUNT cannot both appear");
  }
  return result;
}

std::string FormatRecurrenceRule(const RecurrenceRule& rule) {
  std::string out = "FREQ=WEEKLY";
  if (rule.interval != 1) absl::StrAppend(&out, ";INTERVAL=", rule.interval);
  if (rule.week_start != absl::Weekday::monday) {
    absl::StrAppend(&out, ";WKST=", WeekdayCode(rule.week_start));
  }
  if (!rule.days.empty()) {
    absl::StrAppend(&out, ";BYDAY=",
                    absl::StrJoin(rule.days, ",",
                                  [](std::string* s, absl::Weekday day) {
                                    s->append(WeekdayCode(day));
                                  }));
  }
  if (!rule.hours.empty()) {
    absl::StrAppend(&out, ";BYHOUR=", absl::StrJoin(rule.hours, ","));
  }
  if (!rule.minutes.empty()) {
    absl::StrAppend(&out, ";BYMINUTE=", absl::StrJoin(rule.minutes, ","));
  }
  if (rule.until) {
    absl::StrAppend(&out, ";UNTIL=",
                    absl::FormatTime("%Y%m%dT%H%M%SZ", *rule.until,
                                     absl::UTCTimeZone()));
  }
  if (rule.until_date) {
    absl::StrAppend(&out, ";UNTIL=",
                    absl::StrFormat("%04d%02d%02d", rule.until_date->year(),
                                    rule.until_date->month(),
                                    rule.until_date->day()));
  }
  if (rule.count) absl::StrAppend(&out, ";COUNT=", *rule.count);
  return out;
}

Recurrence::Recurrence(RecurrenceRule rule, absl::CivilSecond dtstart,
                       absl::TimeZone zone, LocalTimePolicy policy)
    : rule_(std::move(rule)),
      dtstart_(dtstart),
      zone_(zone),
      policy_(policy) {
  const absl::CivilDay start_day(dtstart_);
  first_week_ = start_day -
                DaysAfter(rule_.week_start, absl::GetWeekday(start_day));

  std::vector<absl::Weekday> days = rule_.days;
  if (days.empty()) days.push_back(absl::GetWeekday(start_day));
  std::vector<int> hours = rule_.hours;
  if (hours.empty()) hours.push_back(dtstart_.hour());
  std::vector<int> minutes = rule_.minutes;
  if (minutes.empty()) minutes.push_back(dtstart_.minute());

  for (absl::Weekday day : days) {
    for (int hour : hours) {
      for (int minute : minutes) {
        offsets_in_week_.push_back(DaysAfter(rule_.week_start, day) *
                                       kSecondsPerDay +
                                   hour * 3600 + minute * 60 +
                                   dtstart_.second());
      }
    }
  }
  std::sort(offsets_in_week_.begin(), offsets_in_week_.end());
}

absl::StatusOr<Recurrence> Recurrence::Create(RecurrenceRule rule,
                                              absl::CivilSecond dtstart,
                                              absl::TimeZone zone,
                                              LocalTimePolicy policy) {
  const absl::Weekday weekday = absl::GetWeekday(absl::CivilDay(dtstart));
  const bool day_matches =
      rule.days.empty() ||
      std::find(rule.days.begin(), rule.days.end(), weekday) != rule.days.end();
  const bool hour_matches =
      rule.hours.empty() || std::find(rule.hours.begin(), rule.hours.end(),
                                      dtstart.hour()) != rule.hours.end();
  const bool minute_matches =
      rule.minutes.empty() ||
      std::find(rule.minutes.begin(), rule.minutes.end(), dtstart.minute()) !=
          rule.minutes.end();
  if (!day_matches || !hour_matches || !minute_matches) {
    return absl::InvalidArgumentError(absl::StrCat(
        "dtstart ", absl::FormatCivilTime(dtstart), " (", WeekdayCode(weekday),
        ") is not an instance of the rule ", FormatRecurrenceRule(rule),
        "; expected a dtstart on one of its days, hours and minutes"));
  }
  if (rule.interval < 1 || rule.interval > kMaxInterval) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid interval ", rule.interval, "; expected 1-", kMaxInterval));
  }
  return Recurrence(std::move(rule), dtstart, zone, policy);
}

absl::StatusOr<Recurrence> Recurrence::Parse(absl::string_view text,
                                             LocalTimePolicy policy) {
  std::vector<absl::string_view> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    absl::ConsumeSuffix(&line, "\r");
    if (!line.empty()) lines.push_back(line);
  }
  if (lines.size() != 2 ||
      !absl::StartsWithIgnoreCase(lines[0], "DTSTART") ||
      !absl::StartsWithIgnoreCase(lines[1], "RRULE:")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid recurrence ", internal::Quote(text),
        ": expected a DTSTART line and an RRULE line, such as "
        "\"DTSTART;TZID=Europe/Berlin:20260105T080000\" and "
        "\"RRULE:FREQ=WEEKLY;BYDAY=MO\""));
  }

  // DTSTART[;TZID=zone][;VALUE=DATE-TIME]:value
  absl::string_view dtstart_line = lines[0];
  const size_t colon = dtstart_line.find(':');
  const absl::string_view value =
      colon == absl::string_view::npos ? "" : dtstart_line.substr(colon + 1);
  std::optional<std::string> zone_name;
  for (absl::string_view parameter :
       absl::StrSplit(dtstart_line.substr(0, colon), ';', absl::SkipEmpty())) {
    if (absl::EqualsIgnoreCase(parameter, "DTSTART") ||
        absl::EqualsIgnoreCase(parameter, "VALUE=DATE-TIME")) {
      continue;
    }
    if (absl::StartsWithIgnoreCase(parameter, "TZID=")) {
      zone_name = std::string(parameter.substr(5));
      continue;
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid dtstart ", internal::Quote(dtstart_line),
        ": unsupported parameter ", internal::Quote(parameter),
        "; expected only TZID"));
  }

  bool has_time = false;
  absl::string_view rest;
  std::optional<absl::CivilSecond> local =
      ParseBasicDateTime(value, &has_time, &rest);
  if (!local || !has_time || !(rest.empty() || rest == "Z") ||
      (rest == "Z" && zone_name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid dtstart ", internal::Quote(dtstart_line),
        "; expected a local date-time YYYYMMDDThhmmss with TZID, or a UTC "
        "date-time YYYYMMDDThhmmssZ"));
  }
  absl::TimeZone zone = absl::UTCTimeZone();
  if (zone_name) {
    absl::StatusOr<absl::TimeZone> loaded = LoadIanaTimeZone(*zone_name);
    if (!loaded.ok()) return loaded.status();
    zone = *loaded;
  } else if (rest != "Z") {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid dtstart ", internal::Quote(dtstart_line),
        ": a floating local time has no time zone; expected TZID=<iana "
        "name> or a UTC time ending in 'Z'"));
  }

  absl::StatusOr<RecurrenceRule> rule = ParseRecurrenceRule(lines[1]);
  if (!rule.ok()) return rule.status();
  return Create(*std::move(rule), *local, zone, policy);
}

absl::StatusOr<std::vector<absl::Time>> Recurrence::Instances(
    absl::Time from, absl::Time to, size_t max_instances) const {
  std::vector<absl::Time> result;
  if (to <= from) return result;

  // Local bounds with a day of slack, because resolution moves an instant
  // by at most the size of a transition, which is under a day.
  const absl::CivilSecond kLastLocal(9999, 12, 31, 23, 59, 59);
  absl::CivilSecond stop = kLastLocal;
  if (to != absl::InfiniteFuture()) {
    stop = std::min(stop, zone_.At(to).cs + kSecondsPerDay);
  }
  if (rule_.until) {
    stop = std::min(stop, zone_.At(*rule_.until).cs + kSecondsPerDay);
  }
  if (rule_.until_date) {
    stop = std::min(stop, absl::CivilSecond(*rule_.until_date + 1) - 1);
  }

  // Without COUNT the walk may start at the week before `from`; with COUNT
  // it must count every instance from DTSTART.
  const int64_t week_step = 7 * static_cast<int64_t>(rule_.interval);
  int64_t week = 0;
  if (!rule_.count && from != absl::InfinitePast()) {
    const absl::CivilDay from_day(zone_.At(from).cs);
    const int64_t days = (from_day - 2) - first_week_;
    if (days > 0) week = days / week_step;
  }

  internal::CachedResolver resolver(zone_, policy_);
  int64_t counted = 0;
  bool done = false;
  for (; !done; ++week) {
    const absl::CivilSecond week_start(first_week_ + week * week_step);
    if (week_start > stop) break;
    for (int64_t offset : offsets_in_week_) {
      const absl::CivilSecond local = week_start + offset;
      if (local < dtstart_) continue;
      if (local > stop) {
        done = true;
        break;
      }

      const ResolvedTime resolved = resolver.Resolve(local);
      if (!resolved.time) continue;
      if (rule_.count && ++counted > *rule_.count) {
        done = true;
        break;
      }
      if (rule_.until && *resolved.time > *rule_.until) continue;
      if (*resolved.time < from || *resolved.time >= to) continue;

      if (result.size() == max_instances) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "the recurrence has more than ", max_instances,
            " instances in the requested range; expected a shorter range"));
      }
      result.push_back(*resolved.time);
    }
  }

  // Under kShiftForward a skipped time lands after the transition and may
  // pass the next local time, so the walk order is not always time order.
  std::sort(result.begin(), result.end());
  return result;
}

}  // namespace portcullis::schedule
