// Fuzzes the work-hour schedule JSON parser and expander. A schedule that
// parses must expand without error over a year that spans DST changes. Every
// window must lie in the range, and expanding a sub-range must give the
// year's windows clipped to it.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "schedule/interval.h"
#include "schedule/work_hours.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using portcullis::schedule::IntervalSet;
  using portcullis::schedule::Window;
  using portcullis::schedule::WorkHours;

  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<WorkHours> hours = WorkHours::FromJson(bytes);
  if (!hours.ok()) {
    if (hours.status().message().empty()) __builtin_trap();
    return 0;
  }

  // 2011-06-01 to 2012-06-01 contains ordinary DST changes and Apia's
  // skipped day.
  const absl::Time from = absl::FromUnixSeconds(1306886400);
  const absl::Time to = from + absl::Hours(24 * 366);
  absl::StatusOr<IntervalSet> year = hours->Expand(from, to);
  if (!year.ok()) {
    // Only recurrences with too many instances may fail here.
    if (year.status().code() != absl::StatusCode::kResourceExhausted) {
      __builtin_trap();
    }
    return 0;
  }
  for (const Window& window : year->windows()) {
    if (window.empty() || window.start < from || window.end > to) {
      __builtin_trap();
    }
  }

  const absl::Time middle_from = from + absl::Hours(24 * 150) + absl::Seconds(1);
  const absl::Time middle_to = middle_from + absl::Hours(24 * 60);
  absl::StatusOr<IntervalSet> middle = hours->Expand(middle_from, middle_to);
  if (!middle.ok()) __builtin_trap();
  if (*middle != year->Intersect(IntervalSet::Of({middle_from, middle_to}))) {
    __builtin_trap();
  }
  return 0;
}
