// Weekly recurrence rules in the subset of RFC 5545 that schedules use.
//
// A rule such as
//
//   DTSTART;TZID=Europe/Berlin:20260105T080000
//   RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8,13;BYMINUTE=0,30;COUNT=40
//
// names local wall-clock instants in a time zone: every week, on the listed
// days, at every listed hour and minute (the seconds come from DTSTART).
// Supported rule parts: FREQ=WEEKLY (required), INTERVAL, WKST, BYDAY
// (without numeric prefixes), BYHOUR, BYMINUTE, and at most one of UNTIL and
// COUNT. A part left out takes its value from DTSTART, as RFC 5545 section
// 3.3.10 specifies. Other parts (BYSECOND, BYSETPOS, BYMONTH, ...) and other
// frequencies are rejected rather than ignored.
//
// Local times in a spring-forward gap follow LocalTimePolicy. The default,
// kRfc5545Policy, drops such instances without counting them toward COUNT
// and takes the first occurrence of a repeated time, as RFC 5545 requires.
//
// DTSTART must itself be an instance of the rule, because RFC 5545 leaves
// the result undefined otherwise.
#ifndef PORTCULLIS_SCHEDULE_RRULE_H_
#define PORTCULLIS_SCHEDULE_RRULE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "schedule/zone.h"

namespace portcullis::schedule {

// The RFC 5545 resolution for recurrence instances: skipped times are
// dropped, repeated times take their first occurrence.
inline constexpr LocalTimePolicy kRfc5545Policy = {
    SkippedTimePolicy::kSkip, RepeatedTimePolicy::kEarlier};

// The parts of an RRULE value with FREQ=WEEKLY.
struct RecurrenceRule {
  // INTERVAL: every `interval` weeks, counted from the week of DTSTART.
  int interval = 1;
  // WKST: the first day of a week, which matters when interval > 1.
  absl::Weekday week_start = absl::Weekday::monday;
  // BYDAY, BYHOUR, BYMINUTE: sorted, without duplicates. Empty lists take
  // the weekday, hour or minute of DTSTART.
  std::vector<absl::Weekday> days;
  std::vector<int> hours;
  std::vector<int> minutes;
  // UNTIL as a UTC date-time (inclusive), or as a local date: instances on
  // or before that local date.
  std::optional<absl::Time> until;
  std::optional<absl::CivilDay> until_date;
  // COUNT: the number of instances, DTSTART included.
  std::optional<int64_t> count;
};

// Parses an RRULE value ("FREQ=WEEKLY;BYDAY=MO"), with or without the
// "RRULE:" prefix. Part names and values are upper case, as RFC 5545 writes
// them, but are matched without regard to case.
absl::StatusOr<RecurrenceRule> ParseRecurrenceRule(absl::string_view text);

// Formats `rule` as an RRULE value without the "RRULE:" prefix, listing the
// parts in the order FREQ, INTERVAL, WKST, BYDAY, BYHOUR, BYMINUTE, UNTIL,
// COUNT and leaving out defaults.
std::string FormatRecurrenceRule(const RecurrenceRule& rule);

// A rule anchored at DTSTART in a time zone: an immutable value, safe to
// share across threads.
class Recurrence {
 public:
  // Checks that `dtstart` is an instance of `rule`.
  static absl::StatusOr<Recurrence> Create(
      RecurrenceRule rule, absl::CivilSecond dtstart, absl::TimeZone zone,
      LocalTimePolicy policy = kRfc5545Policy);

  // Parses a DTSTART line and an RRULE line, separated by CRLF or LF:
  // "DTSTART;TZID=<iana name>:YYYYMMDDThhmmss" or "DTSTART:YYYYMMDDThhmmssZ"
  // (UTC). A DTSTART without TZID and without Z is a floating time with no
  // zone and is rejected.
  static absl::StatusOr<Recurrence> Parse(
      absl::string_view text, LocalTimePolicy policy = kRfc5545Policy);

  // Returns the instances in [from, to) in ascending order. Fails when there
  // would be more than `max_instances` of them. Under kTransition, several
  // skipped local times map to the same instant, which then appears more
  // than once.
  absl::StatusOr<std::vector<absl::Time>> Instances(
      absl::Time from, absl::Time to, size_t max_instances) const;

  const RecurrenceRule& rule() const { return rule_; }
  absl::CivilSecond dtstart() const { return dtstart_; }
  const absl::TimeZone& zone() const { return zone_; }

 private:
  Recurrence(RecurrenceRule rule, absl::CivilSecond dtstart,
             absl::TimeZone zone, LocalTimePolicy policy);

  RecurrenceRule rule_;
  absl::CivilSecond dtstart_;
  absl::TimeZone zone_;
  LocalTimePolicy policy_;
  // Day offsets from the week start, and seconds within the day, of every
  // instance in a week, in ascending order.
  std::vector<int64_t> offsets_in_week_;
  absl::CivilDay first_week_;
};

// Parses a weekday as RFC 5545 writes it ("MO" ... "SU") or as an English
// name ("Monday"), without regard to case.
std::optional<absl::Weekday> ParseWeekday(absl::string_view text);

}  // namespace portcullis::schedule

#endif  // PORTCULLIS_SCHEDULE_RRULE_H_
