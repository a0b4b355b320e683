// Weekly work-hour schedules in an IANA time zone, expanded into UTC windows.
//
// A schedule lists local wall-clock windows per weekday, exceptions for
// particular dates (holidays, special hours) and local date-time ranges, and
// optionally RFC 5545 recurrences. Expand() turns it into the UTC windows of
// any range, as an IntervalSet that meets PIM activations and JIT grants by
// intersection:
//
//   absl::StatusOr<WorkHours> hours = WorkHours::FromJson(R"({
//     "timeZone": "Europe/Berlin",
//     "weekly": [{"days": ["MO", "TU", "WE", "TH", "FR"],
//                 "start": "08:00", "end": "18:00"}],
//     "exceptions": [{"date": "2026-12-25", "closed": true}]})");
//   absl::StatusOr<IntervalSet> windows = hours->Expand(from, to);
//
// The JSON format is described in the README under "Work-hour schedule
// format".
//
// Rules, each tested:
//  - Boundaries are local wall-clock times, never a start plus a duration, so
//    a 09:00-17:00 window lasts 8 hours on every day, and 00:00-24:00 lasts
//    23 or 25 hours on DST days.
//  - A window whose end is at or before its start is an overnight window that
//    ends on the next day; start == end makes a 24-hour window. A window
//    belongs to the local date on which it starts: weekday and date
//    exceptions are judged on that local date, never on the UTC date.
//  - A boundary in a skipped or repeated local time follows LocalTimePolicy.
//    The default (kTransition, kEarlier) is absl::FromCivil(): a start at
//    02:30 on a spring-forward night in New York opens at 03:00 EDT, an end
//    at 01:30 on a fall-back night closes at the first 01:30. A day that the
//    zone skips entirely, such as 2011-12-30 in Pacific/Apia, has no windows
//    under kTransition because both boundaries map to the same instant.
//  - A date exception replaces everything that starts on that local date:
//    weekly windows and recurrence instances.
//  - Ranges are applied last: open ranges are added, then closed ranges are
//    removed, so a closure wins over everything else.
#ifndef PORTCULLIS_SCHEDULE_WORK_HOURS_H_
#define PORTCULLIS_SCHEDULE_WORK_HOURS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "json/json.h"
#include "schedule/interval.h"
#include "schedule/rrule.h"
#include "schedule/zone.h"

namespace portcullis::schedule {

// A local window within a day, in seconds after local midnight. `start` is in
// [0, 86400) and `end` in [0, 86400], where 86400 is 24:00. When end <= start
// the window ends on the next day.
struct DailyWindow {
  int start = 0;
  int end = 0;

  friend bool operator==(const DailyWindow& a, const DailyWindow& b) {
    return a.start == b.start && a.end == b.end;
  }
};

// The windows that start on one local date in place of the weekly ones. No
// windows means the date is closed.
struct DateException {
  absl::CivilDay date;
  std::vector<DailyWindow> windows;
};

// A local date-time range [start, end) that is closed (removed from the
// schedule) or open (added to it).
struct RangeException {
  absl::CivilSecond start;
  absl::CivilSecond end;
  bool closed = true;
};

// Windows of a fixed length that start at each instance of a recurrence.
struct RecurringWindow {
  RecurrenceRule rule;
  absl::CivilSecond dtstart;
  absl::Duration duration;
};

// The typed form of a schedule, as the JSON form maps onto it.
struct WorkHoursSpec {
  // An IANA zone name, loaded by LoadIanaTimeZone().
  std::string time_zone;
  // Windows per weekday, indexed by absl::Weekday (monday = 0).
  std::array<std::vector<DailyWindow>, 7> weekly;
  std::vector<DateException> date_exceptions;
  std::vector<RangeException> range_exceptions;
  std::vector<RecurringWindow> recurrences;
  LocalTimePolicy policy;
};

// Limits of one expansion, so that a huge range fails instead of exhausting
// memory.
struct ExpandOptions {
  // The range may span at most this many local days (100 years).
  int64_t max_days = 36525;
  // Recurrences may produce at most this many instances.
  size_t max_instances = 1000000;
};

// A window boundary that fell in a skipped or repeated local time during an
// expansion, for explanations.
struct DstAdjustment {
  // The local wall-clock boundary.
  absl::CivilSecond local;
  // SKIPPED or REPEATED.
  absl::TimeZone::TimeInfo::CivilKind kind;
  // The instant chosen, or nullopt when the policy dropped the window.
  std::optional<absl::Time> resolved;
  // True for a window start, false for an end.
  bool is_start = true;
};

// A validated schedule bound to its time zone. Immutable and safe to share
// across threads.
class WorkHours {
 public:
  // Validates `spec`: the zone must load, windows and ranges must be in range
  // and non-empty, dates must not repeat, recurrence windows must last
  // between 1 second and 7 days and their DTSTART must be an instance.
  static absl::StatusOr<WorkHours> Create(WorkHoursSpec spec);

  // Parses the JSON form (bytes as ParseJson() accepts them). Errors name
  // the field path and the offending value.
  static absl::StatusOr<WorkHours> FromJson(absl::string_view bytes);

  // Parses the JSON form from a parsed document. `path` names `value` in
  // messages, for schedules embedded in larger documents.
  static absl::StatusOr<WorkHours> FromJsonValue(
      const google::protobuf::Value& value, const json::Path& path = {});

  // Returns the UTC windows of the schedule within [from, to). Both bounds
  // must be finite. When `adjustments` is not null, it receives the
  // boundaries within the range that fell in skipped or repeated local times.
  absl::StatusOr<IntervalSet> Expand(
      absl::Time from, absl::Time to, const ExpandOptions& options = {},
      std::vector<DstAdjustment>* adjustments = nullptr) const;

  const WorkHoursSpec& spec() const { return spec_; }
  const absl::TimeZone& zone() const { return zone_; }

 private:
  WorkHours(WorkHoursSpec spec, absl::TimeZone zone)
      : spec_(std::move(spec)), zone_(zone) {}


  // Appends the windows of `recurrence` that may reach into [from, to).
  absl::Status AddRecurringWindows(const Recurrence& recurrence,
                                   absl::Duration duration, absl::Time from,
                                   absl::Time to, const ExpandOptions& options,
                                   std::vector<Window>* windows) const;

  // The date exception for `day`, or nullptr.
  const DateException* ExceptionFor(absl::CivilDay day) const;

  WorkHoursSpec spec_;  // date_exceptions sorted by date
  absl::TimeZone zone_;
  std::vector<Recurrence> recurrences_;  // parallel to spec_.recurrences
  IntervalSet open_ranges_;
  IntervalSet closed_ranges_;
};

}  // namespace portcullis::schedule

#endif  // PORTCULLIS_SCHEDULE_WORK_HOURS_H_
