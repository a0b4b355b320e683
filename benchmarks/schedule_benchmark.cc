// Benchmarks of schedule/: work-hour expansion (target: a year of a weekly
// schedule in at most 100 microseconds), recurrences, interval algebra and
// the duration and timestamp parsers. Schedules are parsed outside the timed
// loops, so build time and expansion time are reported apart.
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "schedule/duration.h"
#include "schedule/interval.h"
#include "schedule/rfc3339.h"
#include "schedule/rrule.h"
#include "schedule/work_hours.h"

namespace portcullis::schedule {
namespace {

constexpr char kOfficeHours[] = R"({
  "timeZone": "Europe/Berlin",
  "weekly": [{"days": ["MO", "TU", "WE", "TH", "FR"],
              "start": "08:00", "end": "18:00"}]})";

// Several windows a day, an overnight shift, holidays and a closed range.
constexpr char kBusyHours[] = R"({
  "timeZone": "America/New_York",
  "weekly": [{"days": ["MO", "TU", "WE", "TH", "FR"],
              "start": "07:00", "end": "12:00"},
             {"days": ["MO", "TU", "WE", "TH", "FR"],
              "start": "13:00", "end": "19:00"},
             {"days": ["SA"], "start": "22:00", "end": "02:00"}],
  "exceptions": [{"date": "2026-01-01", "closed": true},
                 {"date": "2026-07-03", "closed": true},
                 {"date": "2026-11-26", "closed": true},
                 {"date": "2026-12-24", "windows": [{"start": "07:00",
                                                    "end": "12:00"}]},
                 {"date": "2026-12-25", "closed": true},
                 {"start": "2026-08-10T00:00", "end": "2026-08-24T00:00"}]})";

WorkHours MustParse(const char* json) {
  absl::StatusOr<WorkHours> hours = WorkHours::FromJson(json);
  if (!hours.ok()) std::abort();
  return *std::move(hours);
}

const absl::Time kFrom = absl::FromUnixSeconds(1767225600);  // 2026-01-01Z

// Expands the schedule `json` over state.range(0) days.
void BM_WorkHours_Expand(benchmark::State& state, const char* json) {
  const WorkHours hours = MustParse(json);
  const absl::Time to = kFrom + absl::Hours(24) * state.range(0);
  size_t windows = 0;
  for (auto _ : state) {
    absl::StatusOr<IntervalSet> set = hours.Expand(kFrom, to);
    windows = set->windows().size();
    benchmark::DoNotOptimize(set);
  }
  state.counters["windows"] = static_cast<double>(windows);
}
BENCHMARK_CAPTURE(BM_WorkHours_Expand, office, kOfficeHours)
    ->Arg(7)
    ->Arg(31)
    ->Arg(365);
BENCHMARK_CAPTURE(BM_WorkHours_Expand, busy, kBusyHours)
    ->Arg(7)
    ->Arg(31)
    ->Arg(365);

void BM_WorkHours_ParseJson(benchmark::State& state) {
  for (auto _ : state) {
    absl::StatusOr<WorkHours> hours = WorkHours::FromJson(kBusyHours);
    benchmark::DoNotOptimize(hours);
  }
}
BENCHMARK(BM_WorkHours_ParseJson);

void BM_Recurrence_InstancesYear(benchmark::State& state) {
  absl::StatusOr<Recurrence> recurrence = Recurrence::Parse(
      "DTSTART;TZID=Europe/Berlin:20260105T080000\n"
      "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8,13");
  if (!recurrence.ok()) std::abort();
  for (auto _ : state) {
    auto instances = recurrence->Instances(
        kFrom, kFrom + absl::Hours(24 * 365), 100000);
    benchmark::DoNotOptimize(instances);
  }
}
BENCHMARK(BM_Recurrence_InstancesYear);

// Two sets of state.range(0) windows each, interleaved.
std::vector<Window> Windows(int count, int offset_minutes) {
  std::vector<Window> windows;
  for (int i = 0; i < count; ++i) {
    const absl::Time start =
        kFrom + absl::Hours(i) + absl::Minutes(offset_minutes);
    windows.push_back({start, start + absl::Minutes(40)});
  }
  return windows;
}

void BM_IntervalSet_Intersect(benchmark::State& state) {
  const IntervalSet a = IntervalSet::FromWindows(Windows(state.range(0), 0));
  const IntervalSet b = IntervalSet::FromWindows(Windows(state.range(0), 20));
  for (auto _ : state) {
    IntervalSet c = a.Intersect(b);
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_IntervalSet_Intersect)->Arg(16)->Arg(256)->Arg(4096);

void BM_IntervalSet_Contains(benchmark::State& state) {
  const IntervalSet a = IntervalSet::FromWindows(Windows(state.range(0), 0));
  absl::Time t = kFrom;
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.Contains(t));
    t += absl::Minutes(7);
    if (t > kFrom + absl::Hours(state.range(0))) t = kFrom;
  }
}
BENCHMARK(BM_IntervalSet_Contains)->Arg(16)->Arg(256)->Arg(4096);

void BM_Duration_Parse(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseIsoDuration("P1DT2H30M15.5S"));
  }
}
BENCHMARK(BM_Duration_Parse);

void BM_Rfc3339_Parse(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseRfc3339("2022-05-13T16:18:40.0835993Z"));
  }
}
BENCHMARK(BM_Rfc3339_Parse);

}  // namespace
}  // namespace portcullis::schedule
