#include "schedule/zone.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "schedule/rfc3339.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::schedule {
namespace {

using ::portcullis::testing::IsOk;
using ::portcullis::testing::IsOkAndHolds;
using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

absl::Time Utc(const char* text) {
  absl::StatusOr<absl::Time> time = ParseRfc3339(text);
  EXPECT_TRUE(time.ok()) << time.status();
  return time.ok() ? *time : absl::InfinitePast();
}

TEST(LoadIanaTimeZoneTest, AcceptsIanaNames) {
  for (const char* name :
       {"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
        "Pacific/Apia", "Etc/GMT+5", "Asia/Tokyo", "America/Argentina/Buenos_Aires"}) {
    absl::StatusOr<absl::TimeZone> zone = LoadIanaTimeZone(name);
    ASSERT_THAT(zone, IsOk()) << name;
    EXPECT_EQ(zone->name(), name);
  }
}

TEST(LoadIanaTimeZoneTest, UnknownNameIsNotFound) {
  for (const char* name :
       {"Europe/Berlim", "Europe/berlin", "utc", "Mars/Olympus_Mons"}) {
    EXPECT_THAT(LoadIanaTimeZone(name),
                StatusIs(absl::StatusCode::kNotFound,
                         HasSubstr("unknown time zone")))
        << name;
  }
}

TEST(LoadIanaTimeZoneTest, RejectsNamesAbslReadsElsewhere) {
  for (const char* name :
       {"", "Pacific Standard Time", "localtime", "/usr/share/zoneinfo/UTC",
        "file:/usr/share/zoneinfo/UTC", "../zoneinfo/UTC", "Europe/../UTC",
        "Europe//Berlin", "Fixed/UTC+05:00:00", "UTC ", "Europe/Berlin\n"}) {
    EXPECT_THAT(LoadIanaTimeZone(name),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("invalid time zone")))
        << name;
  }
}

TEST(LoadIanaTimeZoneTest, EtcSignIsInverted) {
  ASSERT_OK_AND_ASSIGN(absl::TimeZone zone, LoadIanaTimeZone("Etc/GMT+5"));
  EXPECT_EQ(zone.At(absl::UnixEpoch()).offset, -5 * 3600);
}

struct ResolveCase {
  std::string name;
  std::string zone;
  absl::CivilSecond local;
  LocalTimePolicy policy;
  absl::TimeZone::TimeInfo::CivilKind kind;
  std::string expected;  // RFC 3339, or "" for no instant
};

class ResolveLocalTimeTest : public ::testing::TestWithParam<ResolveCase> {};

TEST_P(ResolveLocalTimeTest, MatchesVector) {
  const ResolveCase& c = GetParam();
  ASSERT_OK_AND_ASSIGN(absl::TimeZone zone, LoadIanaTimeZone(c.zone));
  const ResolvedTime resolved = ResolveLocalTime(c.local, zone, c.policy);
  EXPECT_EQ(resolved.kind, c.kind);
  if (c.expected.empty()) {
    EXPECT_FALSE(resolved.time.has_value());
  } else {
    ASSERT_TRUE(resolved.time.has_value());
    EXPECT_EQ(FormatRfc3339(*resolved.time), c.expected);
  }
}

constexpr LocalTimePolicy kDefault = {};
constexpr LocalTimePolicy kShift = {SkippedTimePolicy::kShiftForward,
                                    RepeatedTimePolicy::kEarlier};
constexpr LocalTimePolicy kSkipLater = {SkippedTimePolicy::kSkip,
                                        RepeatedTimePolicy::kLater};
constexpr auto kUnique = absl::TimeZone::TimeInfo::UNIQUE;
constexpr auto kSkipped = absl::TimeZone::TimeInfo::SKIPPED;
constexpr auto kRepeated = absl::TimeZone::TimeInfo::REPEATED;

INSTANTIATE_TEST_SUITE_P(
    DstVectors, ResolveLocalTimeTest,
    ::testing::ValuesIn(std::vector<ResolveCase>{
        {"NewYorkGapTransition", "America/New_York",
         absl::CivilSecond(2026, 3, 8, 2, 30, 0), kDefault, kSkipped,
         "2026-03-08T07:00:00Z"},
        {"NewYorkGapShiftForward", "America/New_York",
         absl::CivilSecond(2026, 3, 8, 2, 30, 0), kShift, kSkipped,
         "2026-03-08T07:30:00Z"},
        {"NewYorkGapSkip", "America/New_York",
         absl::CivilSecond(2026, 3, 8, 2, 30, 0), kSkipLater, kSkipped, ""},
        {"NewYorkOverlapEarlier", "America/New_York",
         absl::CivilSecond(2026, 11, 1, 1, 30, 0), kDefault, kRepeated,
         "2026-11-01T05:30:00Z"},
        {"NewYorkOverlapLater", "America/New_York",
         absl::CivilSecond(2026, 11, 1, 1, 30, 0), kSkipLater, kRepeated,
         "2026-11-01T06:30:00Z"},
        {"NewYorkUnique", "America/New_York",
         absl::CivilSecond(2026, 3, 8, 3, 0, 0), kSkipLater, kUnique,
         "2026-03-08T07:00:00Z"},
        {"BerlinGap", "Europe/Berlin", absl::CivilSecond(2026, 3, 29, 2, 30, 0),
         kDefault, kSkipped, "2026-03-29T01:00:00Z"},
        {"BerlinOverlap", "Europe/Berlin",
         absl::CivilSecond(2026, 10, 25, 2, 30, 0), kDefault, kRepeated,
         "2026-10-25T00:30:00Z"},
        {"LordHoweOverlapEarlier", "Australia/Lord_Howe",
         absl::CivilSecond(2026, 4, 5, 1, 45, 0), kDefault, kRepeated,
         "2026-04-04T14:45:00Z"},
        {"LordHoweOverlapLater", "Australia/Lord_Howe",
         absl::CivilSecond(2026, 4, 5, 1, 45, 0), kSkipLater, kRepeated,
         "2026-04-04T15:15:00Z"},
        {"LordHoweGapTransition", "Australia/Lord_Howe",
         absl::CivilSecond(2026, 10, 4, 2, 15, 0), kDefault, kSkipped,
         "2026-10-03T15:30:00Z"},
        {"LordHoweGapShiftForward", "Australia/Lord_Howe",
         absl::CivilSecond(2026, 10, 4, 2, 15, 0), kShift, kSkipped,
         "2026-10-03T15:45:00Z"},
        {"ApiaSkippedDayTransition", "Pacific/Apia",
         absl::CivilSecond(2011, 12, 30, 8, 0, 0), kDefault, kSkipped,
         "2011-12-30T10:00:00Z"},
        {"ApiaSkippedDayShiftForward", "Pacific/Apia",
         absl::CivilSecond(2011, 12, 30, 8, 0, 0), kShift, kSkipped,
         "2011-12-30T18:00:00Z"},
        {"ApiaDayBefore", "Pacific/Apia",
         absl::CivilSecond(2011, 12, 29, 8, 0, 0), kDefault, kUnique,
         "2011-12-29T18:00:00Z"},
        {"ApiaDayAfter", "Pacific/Apia",
         absl::CivilSecond(2011, 12, 31, 8, 0, 0), kDefault, kUnique,
         "2011-12-30T18:00:00Z"},
        {"EtcGmtPlusFive", "Etc/GMT+5", absl::CivilSecond(2026, 1, 5, 9, 0, 0),
         kDefault, kUnique, "2026-01-05T14:00:00Z"},
    }),
    [](const ::testing::TestParamInfo<ResolveCase>& info) {
      return info.param.name;
    });

TEST(ResolveLocalTimeTest, CivilDayLengthFollowsDst) {
  ASSERT_OK_AND_ASSIGN(absl::TimeZone zone,
                       LoadIanaTimeZone("America/New_York"));
  auto midnight = [&](int month, int day) {
    return *ResolveLocalTime(absl::CivilSecond(2026, month, day, 0, 0, 0),
                             zone, {})
                .time;
  };
  EXPECT_EQ(midnight(3, 9) - midnight(3, 8), absl::Hours(23));
  EXPECT_EQ(midnight(11, 2) - midnight(11, 1), absl::Hours(25));
  EXPECT_EQ(midnight(6, 2) - midnight(6, 1), absl::Hours(24));
  EXPECT_EQ(midnight(3, 8), Utc("2026-03-08T05:00:00Z"));
}

struct TimeOfDayCase {
  std::string text;
  bool allow_end_of_day;
  int expected;  // -1 for an error
};

TEST(ParseTimeOfDayTest, Table) {
  const std::vector<TimeOfDayCase> cases = {
      {"00:00", false, 0},          {"08:30", false, 30600},
      {"23:59:59", false, 86399},   {"24:00", true, 86400},
      {"24:00:00", true, 86400},    {"24:00", false, -1},
      {"24:01", true, -1},          {"25:00", true, -1},
      {"12:60", false, -1},         {"12:00:60", false, -1},
      {"8:00", false, -1},          {"0800", false, -1},
      {"08:00 ", false, -1},        {"08:00Z", false, -1},
      {"", false, -1},              {"08:00:0", false, -1},
  };
  for (const TimeOfDayCase& c : cases) {
    absl::StatusOr<int> seconds = ParseTimeOfDay(c.text, c.allow_end_of_day);
    if (c.expected < 0) {
      EXPECT_THAT(seconds, StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("invalid time of day")))
          << c.text;
    } else {
      EXPECT_THAT(seconds, IsOkAndHolds(c.expected)) << c.text;
    }
  }
  EXPECT_EQ(FormatTimeOfDay(30600), "08:30");
  EXPECT_EQ(FormatTimeOfDay(86400), "24:00");
  EXPECT_EQ(FormatTimeOfDay(3661), "01:01:01");
}

TEST(ParseLocalDateTest, ChecksCalendar) {
  EXPECT_THAT(ParseLocalDate("2026-12-25"),
              IsOkAndHolds(absl::CivilDay(2026, 12, 25)));
  EXPECT_THAT(ParseLocalDate("2024-02-29"),
              IsOkAndHolds(absl::CivilDay(2024, 2, 29)));
  EXPECT_THAT(ParseLocalDate("2026-02-29"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("day 29 does not exist in 2026-02")));
  EXPECT_THAT(ParseLocalDate("2026-13-01"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("month 13")));
  EXPECT_THAT(ParseLocalDate("2026-12-25T00:00"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unexpected text after the date")));
}

TEST(ParseLocalDateTimeTest, RejectsOffsets) {
  EXPECT_THAT(ParseLocalDateTime("2026-12-24T12:00"),
              IsOkAndHolds(absl::CivilSecond(2026, 12, 24, 12, 0, 0)));
  EXPECT_THAT(ParseLocalDateTime("2026-12-24T12:00:30"),
              IsOkAndHolds(absl::CivilSecond(2026, 12, 24, 12, 0, 30)));
  EXPECT_THAT(ParseLocalDateTime("2026-12-24T12:00Z"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("local times take no offset")));
  EXPECT_THAT(ParseLocalDateTime("2026-12-24T24:00"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("24:00 is allowed only")));
  EXPECT_THAT(ParseLocalDateTime("2026-12-24 12:00"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("followed by 'T'")));
}

}  // namespace
}  // namespace portcullis::schedule
