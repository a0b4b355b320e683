#include "schedule/work_hours.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "schedule/duration.h"
#include "schedule/internal/resolver.h"

namespace portcullis::schedule {
namespace {

constexpr int kSecondsPerDay = 86400;
constexpr absl::Duration kMaxRecurringWindow = absl::Hours(24 * 7);

const char* WeekdayName(int index) {
  static constexpr const char* kNames[] = {"monday", "tuesday", "wednesday",
                                           "thursday", "friday", "saturday",
                                           "sunday"};
  return kNames[index];
}

absl::Status CheckDailyWindow(const DailyWindow& window,
                              absl::string_view where) {
  if (window.start < 0 || window.start >= kSecondsPerDay || window.end < 0 ||
      window.end > kSecondsPerDay) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": invalid window ", window.start, "-", window.end,
        " seconds; expected a start in [0, 86400) and an end in [0, 86400]"));
  }
  return absl::OkStatus();
}

// The local start and end of `window` on `day`.
std::pair<absl::CivilSecond, absl::CivilSecond> LocalBounds(
    absl::CivilDay day, const DailyWindow& window) {
  const absl::CivilSecond midnight(day);
  const absl::CivilSecond start = midnight + window.start;
  const absl::CivilSecond end = window.end > window.start
                                    ? midnight + window.end
                                    : absl::CivilSecond(day + 1) + window.end;
  return {start, end};
}

// Resolves a local window boundary and records it in `adjustments` (when not
// null) if it is skipped or repeated and lies in [from, to].
std::optional<absl::Time> ResolveBoundary(
    internal::CachedResolver& resolver, const absl::TimeZone& zone,
    absl::CivilSecond local, bool is_start, absl::Time from, absl::Time to,
    std::vector<DstAdjustment>* adjustments) {
  const ResolvedTime resolved = resolver.Resolve(local);
  if (adjustments != nullptr &&
      resolved.kind != absl::TimeZone::TimeInfo::UNIQUE) {
    const absl::Time when =
        resolved.time ? *resolved.time : zone.At(local).trans;
    if (from <= when && when <= to) {
      adjustments->push_back({local, resolved.kind, resolved.time, is_start});
    }
  }
  return resolved.time;
}

}  // namespace

absl::StatusOr<WorkHours> WorkHours::Create(WorkHoursSpec spec) {
  absl::StatusOr<absl::TimeZone> zone = LoadIanaTimeZone(spec.time_zone);
  if (!zone.ok()) return zone.status();

  for (int day = 0; day < 7; ++day) {
    for (const DailyWindow& window : spec.weekly[day]) {
      absl::Status status = CheckDailyWindow(window, WeekdayName(day));
      if (!status.ok()) return status;
    }
  }

  std::sort(spec.date_exceptions.begin(), spec.date_exceptions.end(),
            [](const DateException& a, const DateException& b) {
              return a.date < b.date;
            });
  for (size_t i = 0; i < spec.date_exceptions.size(); ++i) {
    const DateException& exception = spec.date_exceptions[i];
    const std::string where = absl::StrCat("exception for ",
                                           absl::FormatCivilTime(exception.date));
    if (i > 0 && spec.date_exceptions[i - 1].date == exception.date) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": the date appears more than once; expected "
                              "one exception per date"));
    }
    for (const DailyWindow& window : exception.windows) {
      absl::Status status = CheckDailyWindow(window, where);
      if (!status.ok()) return status;
    }
  }

  // Ranges are one-off closures or openings, not recurring instances, so a
  // boundary in a skipped time maps to the transition even under kSkip:
  // dropping a closure would widen access.
  LocalTimePolicy range_policy = spec.policy;
  if (range_policy.skipped == SkippedTimePolicy::kSkip) {
    range_policy.skipped = SkippedTimePolicy::kTransition;
  }
  std::vector<Window> open;
  std::vector<Window> closed;
  for (const RangeException& range : spec.range_exceptions) {
    if (range.end <= range.start) {
      return absl::InvalidArgumentError(absl::StrCat(
          "range ", absl::FormatCivilTime(range.start), " to ",
          absl::FormatCivilTime(range.end),
          ": invalid range; expected an end after the start"));
    }
    const Window window{*ResolveLocalTime(range.start, *zone, range_policy).time,
                        *ResolveLocalTime(range.end, *zone, range_policy).time};
    (range.closed ? closed : open).push_back(window);
  }

  std::vector<Recurrence> recurrences;
  for (const RecurringWindow& recurring : spec.recurrences) {
    if (recurring.duration < absl::Seconds(1) ||
        recurring.duration > kMaxRecurringWindow) {
      return absl::InvalidArgumentError(absl::StrCat(
          "recurrence ", FormatRecurrenceRule(recurring.rule),
          ": invalid duration ", FormatIsoDuration(recurring.duration),
          "; expected between PT1S and P7D"));
    }
    absl::StatusOr<Recurrence> recurrence = Recurrence::Create(
        recurring.rule, recurring.dtstart, *zone, spec.policy);
    if (!recurrence.ok()) return recurrence.status();
    recurrences.push_back(*std::move(recurrence));
  }

  WorkHours hours(std::move(spec), *zone);
  hours.recurrences_ = std::move(recurrences);
  hours.open_ranges_ = IntervalSet::FromWindows(std::move(open));
  hours.closed_ranges_ = IntervalSet::FromWindows(std::move(closed));
  return hours;
}

const DateException* WorkHours::ExceptionFor(absl::CivilDay day) const {
  const std::vector<DateException>& exceptions = spec_.date_exceptions;
  auto it = std::lower_bound(
      exceptions.begin(), exceptions.end(), day,
      [](const DateException& e, absl::CivilDay d) { return e.date < d; });
  if (it == exceptions.end() || it->date != day) return nullptr;
  return &*it;
}

absl::Status WorkHours::AddRecurringWindows(const Recurrence& recurrence,
                                            absl::Duration duration,
                                            absl::Time from, absl::Time to,
                                            const ExpandOptions& options,
                                            std::vector<Window>* windows) const {
  absl::StatusOr<std::vector<absl::Time>> starts =
      recurrence.Instances(from - duration, to, options.max_instances);
  if (!starts.ok()) return starts.status();
  for (absl::Time start : *starts) {
    // A date exception replaces what starts on its local date.
    if (ExceptionFor(absl::CivilDay(zone_.At(start).cs)) != nullptr) continue;
    windows->push_back({start, start + duration});
  }
  return absl::OkStatus();
}

absl::StatusOr<IntervalSet> WorkHours::Expand(
    absl::Time from, absl::Time to, const ExpandOptions& options,
    std::vector<DstAdjustment>* adjustments) const {
  // Checked before the empty range, because a range of two equal infinite
  // bounds would otherwise come back empty, and a caller could read that as
  // "outside every window".
  if (from == absl::InfinitePast() || from == absl::InfiniteFuture() ||
      to == absl::InfinitePast() || to == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError(
        "invalid expansion range: both bounds must be finite instants");
  }
  if (to <= from) return IntervalSet();

  // A window starting on local day d ends before day d + 2 begins, so the
  // days from two before `from` to one after `to` cover every window that
  // reaches into the range.
  const absl::CivilDay first_day = absl::CivilDay(zone_.At(from).cs) - 2;
  const absl::CivilDay last_day = absl::CivilDay(zone_.At(to).cs) + 1;
  if (last_day - first_day > options.max_days) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid expansion range: ", last_day - first_day,
        " days; expected at most ", options.max_days));
  }

  internal::CachedResolver resolver(zone_, spec_.policy);
  std::vector<Window> windows;
  windows.reserve(static_cast<size_t>(last_day - first_day + 1) * 2);
  for (absl::CivilDay day = first_day; day <= last_day; ++day) {
    const DateException* exception = ExceptionFor(day);
    const std::vector<DailyWindow>& daily =
        exception != nullptr
            ? exception->windows
            : spec_.weekly[static_cast<int>(absl::GetWeekday(day))];
    for (const DailyWindow& window : daily) {
      const auto [local_start, local_end] = LocalBounds(day, window);
      const std::optional<absl::Time> start = ResolveBoundary(
          resolver, zone_, local_start, true, from, to, adjustments);
      const std::optional<absl::Time> end = ResolveBoundary(
          resolver, zone_, local_end, false, from, to, adjustments);
      if (start && end) windows.push_back({*start, *end});
    }
  }

  for (size_t i = 0; i < recurrences_.size(); ++i) {
    absl::Status status =
        AddRecurringWindows(recurrences_[i], spec_.recurrences[i].duration,
                            from, to, options, &windows);
    if (!status.ok()) return status;
  }

  IntervalSet result = IntervalSet::FromWindows(std::move(windows));
  if (!open_ranges_.empty()) result = result.Union(open_ranges_);
  if (!closed_ranges_.empty()) result = result.Difference(closed_ranges_);
  return result.Intersect(IntervalSet::Of({from, to}));
}

}  // namespace portcullis::schedule
