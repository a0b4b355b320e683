// ISO 8601 durations as Azure Resource Manager and Microsoft Graph send them.
//
// PIM policies and requests carry durations such as `PT8H`, `PT30M`, `P1D`
// and `P365D`, and the legacy PIM API sends over-range components such as
// `PT720M`. ParseIsoDuration() reads the fixed-length subset of ISO 8601:
//
//   P[nW]                    weeks, on their own (`P2W` is 14 days)
//   P[nD][T[nH][nM][nS]]     days, hours, minutes, seconds, in this order
//
// Every component is a decimal integer of up to 18 digits. The last
// component written may carry a fraction after `.` or `,` (`PT0.5S`,
// `PT1.5H`, `P0.5D`), of up to 9 digits, and the result must be a whole number
// of nanoseconds. A day is exactly 24 hours: these durations measure elapsed
// time, not civil days. Years (`P1Y`) and months (`P1M`) are rejected because
// their length depends on the calendar, and so are signs, spaces, lower-case
// designators, a `D` after `T` (`PT1D`) and an empty duration (`P`, `PT`).
//
//   absl::StatusOr<absl::Duration> d = ParseIsoDuration("PT1H30M");
//   // *d == absl::Minutes(90)
//   FormatIsoDuration(absl::Hours(26));  // "P1DT2H"
#ifndef PORTCULLIS_SCHEDULE_DURATION_H_
#define PORTCULLIS_SCHEDULE_DURATION_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace portcullis::schedule {

// Parses an ISO 8601 duration of the form described above. Errors are
// InvalidArgument with a lower-case message that quotes `text` and names what
// was expected.
absl::StatusOr<absl::Duration> ParseIsoDuration(absl::string_view text);

// Formats `duration` as the shortest canonical ISO 8601 duration: days, then
// `T` with hours, minutes and seconds, leaving out zero components (`PT3H`,
// `P1DT2H`, `PT1M0.5S`, `P7D`), and `PT0S` for zero. Weeks are never used.
// Seconds keep their fraction up to nanoseconds, without trailing zeros;
// anything below a nanosecond is dropped. Negative durations get a leading
// `-` (which ParseIsoDuration() rejects), and infinite ones format as `inf`
// and `-inf`, which are not ISO 8601.
std::string FormatIsoDuration(absl::Duration duration);

}  // namespace portcullis::schedule

#endif  // PORTCULLIS_SCHEDULE_DURATION_H_
