// RFC 3339 timestamps, as Azure Resource Manager and Microsoft Graph send them.
//
// Graph writes `2022-05-13T16:18:40.0835993Z` (seven fractional digits) and
// ARM writes `2020-09-09T21:33:14.557+00:00`. ParseRfc3339() accepts the
// `date-time` production of RFC 3339 section 5.6:
//
//   YYYY-MM-DD ('T' | 't') hh:mm:ss [('.' digit{1,9})] ('Z' | 'z' | ('+'|'-') hh:mm)
//
// with the calendar checked (no 30 February; 29 February only in leap years)
// and hours 00-23, minutes 00-59, offsets up to 23:59. The text must be exact:
// no spaces, no missing offset, no week or ordinal dates. Fractions beyond
// 9 digits are rejected rather than rounded. Leap seconds (`23:59:60`) are
// rejected because absl::Time does not represent them and no Azure service
// sends them. `-00:00` is taken as UTC.
//
//   absl::StatusOr<absl::Time> t = ParseRfc3339("2026-03-08T02:30:00-05:00");
//   FormatRfc3339(*t);  // "2026-03-08T07:30:00Z"
#ifndef PORTCULLIS_SCHEDULE_RFC3339_H_
#define PORTCULLIS_SCHEDULE_RFC3339_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace portcullis::schedule {

// Parses an RFC 3339 date-time with any offset. Errors are InvalidArgument
// with a lower-case message that quotes `text` and names what was expected.
absl::StatusOr<absl::Time> ParseRfc3339(absl::string_view text);

// Formats `time` in UTC as `YYYY-MM-DDThh:mm:ss[.fraction]Z`. The fraction
// appears only when non-zero, with up to 9 digits and no trailing zeros;
// anything below a nanosecond is dropped. Years outside 0000-9999 and the
// infinite times (`infinite-future`, `infinite-past`) cannot be parsed back.
std::string FormatRfc3339(absl::Time time);

// Returns OK for a finite `time`. For absl::InfiniteFuture() or
// absl::InfinitePast() returns InvalidArgument naming `field` and the value,
// because no schedule, window or grant can be judged at such an instant.
absl::Status CheckFinite(absl::string_view field, absl::Time time);

}  // namespace portcullis::schedule

#endif  // PORTCULLIS_SCHEDULE_RFC3339_H_
