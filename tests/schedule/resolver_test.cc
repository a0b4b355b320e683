#include "schedule/internal/resolver.h"

#include <random>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "schedule/zone.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::schedule {
namespace {

// The cached resolver against ResolveLocalTime() on local times drawn in
// runs, as an expansion walks them: mostly ascending, with jumps back and
// forth, in zones with half-hour shifts, skipped days and no DST at all.
TEST(CachedResolverTest, MatchesResolveLocalTime) {
  const std::vector<std::string> zones = {
      "Europe/Berlin",   "America/New_York", "Australia/Lord_Howe",
      "Pacific/Apia",    "Asia/Kathmandu",   "America/Sao_Paulo",
      "Antarctica/Troll", "UTC",             "Etc/GMT-14",
      "Europe/Dublin",   "Africa/Casablanca"};
  const std::vector<LocalTimePolicy> policies = {
      {SkippedTimePolicy::kTransition, RepeatedTimePolicy::kEarlier},
      {SkippedTimePolicy::kShiftForward, RepeatedTimePolicy::kLater},
      {SkippedTimePolicy::kSkip, RepeatedTimePolicy::kEarlier}};
  std::mt19937 rng(1306886400);
  std::uniform_int_distribution<int> step_minutes(1, 6 * 60);
  std::uniform_int_distribution<int> jump_days(-400, 400);
  std::uniform_int_distribution<int> percent(0, 99);

  for (const std::string& name : zones) {
    ASSERT_OK_AND_ASSIGN(absl::TimeZone zone, LoadIanaTimeZone(name));
    for (const LocalTimePolicy& policy : policies) {
      internal::CachedResolver resolver(zone, policy);
      absl::CivilSecond local(2008, 1, 1, 0, 0, 0);
      for (int i = 0; i < 40000; ++i) {
        local += step_minutes(rng) * 60;
        if (percent(rng) == 0) local += jump_days(rng) * 86400;
        const ResolvedTime expected = ResolveLocalTime(local, zone, policy);
        const ResolvedTime actual = resolver.Resolve(local);
        ASSERT_EQ(actual.kind, expected.kind)
            << name << " " << absl::FormatCivilTime(local);
        ASSERT_EQ(actual.time, expected.time)
            << name << " " << absl::FormatCivilTime(local);
      }
    }
  }
}

}  // namespace
}  // namespace portcullis::schedule
