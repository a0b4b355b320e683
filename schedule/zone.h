// IANA time zones and local wall-clock times.
//
// Work-hour schedules and recurrence rules are written in local time, and a
// local time maps to zero, one or two UTC instants. In New York on 2026-03-08
// the clocks jump from 02:00 to 03:00, so 02:30 is skipped. On 2026-11-01 they
// fall back from 02:00 to 01:00, so 01:30 is repeated, first at 05:30Z (EDT)
// and again at 06:30Z (EST). ResolveLocalTime() turns a local time into an
// instant by a stated policy:
//
//   skipped 02:30 (New York, 2026-03-08)
//     kTransition    07:00Z  the instant of the transition, 03:00 EDT
//     kShiftForward  07:30Z  the offset before the gap, 02:30 EST = 03:30 EDT
//     kSkip          none    the local time does not exist
//   repeated 01:30 (New York, 2026-11-01)
//     kEarlier       05:30Z  the first occurrence, 01:30 EDT
//     kLater         06:30Z  the second occurrence, 01:30 EST
//
// kTransition with kEarlier is what absl::FromCivil() does, and it is the
// default for work hours because it is order-preserving: a later local time
// never maps to an earlier instant. RFC 5545 section 3.3.5 resolves a lone
// DATE-TIME with kShiftForward and kEarlier, and section 3.3.10 drops
// recurrence instances at skipped times (kSkip).
//
// LoadIanaTimeZone() fails on unknown names. absl::LoadTimeZone() alone
// reports the failure through its return value but leaves UTC in its output,
// so a caller that ignores the flag silently evaluates in UTC.
#ifndef PORTCULLIS_SCHEDULE_ZONE_H_
#define PORTCULLIS_SCHEDULE_ZONE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace portcullis::schedule {

// Loads the IANA time zone `name` ("Europe/Berlin", "America/New_York",
// "Etc/GMT+5", "UTC") from the system's zoneinfo database (TZDIR, else
// /usr/share/zoneinfo). Rejects names that are not in the database, and names
// that absl would read from elsewhere: "localtime", absolute or relative
// paths, "file:" names and absl's "Fixed/UTC+hh:mm:ss" offsets. Windows names
// such as "Pacific Standard Time" are not IANA names and are rejected.
absl::StatusOr<absl::TimeZone> LoadIanaTimeZone(absl::string_view name);

// The rule that turns a local time the clocks skip (a spring-forward gap)
// into an instant.
enum class SkippedTimePolicy {
  // The instant of the transition, which absl::FromCivil() also returns.
  kTransition,
  // The local time read with the UTC offset in force before the gap, as
  // RFC 5545 reads a lone DATE-TIME. The result lies after the transition.
  kShiftForward,
  // No instant: a window with such a boundary, or a recurrence instance at
  // such a time, is dropped, as RFC 5545 does for RRULE instances.
  kSkip,
};

// The rule that turns a local time that occurs twice (a fall-back overlap)
// into an instant.
enum class RepeatedTimePolicy {
  // The first occurrence, as absl::FromCivil() and RFC 5545 choose.
  kEarlier,
  // The second occurrence.
  kLater,
};

// The policies used to turn local times into instants.
struct LocalTimePolicy {
  SkippedTimePolicy skipped = SkippedTimePolicy::kTransition;
  RepeatedTimePolicy repeated = RepeatedTimePolicy::kEarlier;
};

// A local time turned into an instant, with what the zone made of it.
struct ResolvedTime {
  // The instant, or nullopt when the time was skipped under kSkip.
  std::optional<absl::Time> time;
  // UNIQUE, SKIPPED or REPEATED.
  absl::TimeZone::TimeInfo::CivilKind kind = absl::TimeZone::TimeInfo::UNIQUE;
};

// Turns `local` in `zone` into an instant under `policy`.
ResolvedTime ResolveLocalTime(absl::CivilSecond local,
                              const absl::TimeZone& zone,
                              LocalTimePolicy policy);

// Parses a time of day "hh:mm" or "hh:mm:ss" (24-hour clock) into seconds
// after midnight. "24:00" (and "24:00:00") parses to 86400 only when
// `allow_end_of_day` is true, for the end of a window.
absl::StatusOr<int> ParseTimeOfDay(absl::string_view text,
                                   bool allow_end_of_day);

// Formats seconds after midnight as "hh:mm", or "hh:mm:ss" when the seconds
// are not zero. 86400 formats as "24:00".
std::string FormatTimeOfDay(int seconds);

// Parses a local date "YYYY-MM-DD", checking the calendar.
absl::StatusOr<absl::CivilDay> ParseLocalDate(absl::string_view text);

// Parses a local date and time "YYYY-MM-DDThh:mm" or "YYYY-MM-DDThh:mm:ss",
// without offset or zone, checking the calendar.
absl::StatusOr<absl::CivilSecond> ParseLocalDateTime(absl::string_view text);

}  // namespace portcullis::schedule

#endif  // PORTCULLIS_SCHEDULE_ZONE_H_
