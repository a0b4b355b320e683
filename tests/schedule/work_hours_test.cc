#include "schedule/work_hours.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "schedule/interval.h"
#include "schedule/rfc3339.h"
#include "schedule/zone.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::schedule {
namespace {

using ::portcullis::testing::IsOk;
using ::portcullis::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

absl::Time Utc(absl::string_view text) {
  absl::StatusOr<absl::Time> time = ParseRfc3339(text);
  EXPECT_TRUE(time.ok()) << time.status();
  return time.ok() ? *time : absl::InfinitePast();
}

// The windows of `set` as "start/end" strings in RFC 3339.
std::vector<std::string> Windows(const IntervalSet& set) {
  std::vector<std::string> out;
  for (const Window& w : set.windows()) {
    out.push_back(absl::StrCat(FormatRfc3339(w.start), "/",
                               FormatRfc3339(w.end)));
  }
  return out;
}

// A schedule in `zone` with one window on `days`, plus `extra` top-level
// JSON members.
std::string Schedule(absl::string_view zone, absl::string_view days,
                     absl::string_view start, absl::string_view end,
                     absl::string_view extra = "") {
  return absl::StrCat("{\"timeZone\": \"", zone, "\", \"weekly\": [{\"days\": ",
                      days, ", \"start\": \"", start, "\", \"end\": \"", end,
                      "\"}]", extra, "}");
}

struct ExpandCase {
  std::string name;
  std::string json;
  std::string from;
  std::string to;
  std::vector<std::string> expected;
};

class ExpandTest : public ::testing::TestWithParam<ExpandCase> {};

TEST_P(ExpandTest, MatchesVector) {
  const ExpandCase& c = GetParam();
  ASSERT_OK_AND_ASSIGN(WorkHours hours, WorkHours::FromJson(c.json));
  ASSERT_OK_AND_ASSIGN(IntervalSet windows,
                       hours.Expand(Utc(c.from), Utc(c.to)));
  EXPECT_EQ(Windows(windows), c.expected);
}

const char kAllDays[] = "[\"MO\",\"TU\",\"WE\",\"TH\",\"FR\",\"SA\",\"SU\"]";

INSTANTIATE_TEST_SUITE_P(
    DstVectors, ExpandTest,
    ::testing::ValuesIn(std::vector<ExpandCase>{
        // New York springs forward on Sunday 2026-03-08 at 02:00.
        {"NewYorkStartInGapOpensAtTransition",
         Schedule("America/New_York", "[\"SU\"]", "02:30", "10:00"),
         "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z",
         {"2026-03-08T07:00:00Z/2026-03-08T14:00:00Z"}},
        {"NewYorkStartInGapShiftForward",
         Schedule("America/New_York", "[\"SU\"]", "02:30", "10:00",
                  ", \"skippedTime\": \"shiftForward\""),
         "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z",
         {"2026-03-08T07:30:00Z/2026-03-08T14:00:00Z"}},
        {"NewYorkStartInGapSkip",
         Schedule("America/New_York", "[\"SU\"]", "02:30", "10:00",
                  ", \"skippedTime\": \"skip\""),
         "2026-03-01T00:00:00Z", "2026-03-16T00:00:00Z",
         {"2026-03-01T07:30:00Z/2026-03-01T15:00:00Z",
          "2026-03-15T06:30:00Z/2026-03-15T14:00:00Z"}},
        // New York falls back on Sunday 2026-11-01 at 02:00.
        {"NewYorkEndInOverlapEarlier",
         Schedule("America/New_York", "[\"SU\"]", "00:00", "01:30"),
         "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z",
         {"2026-11-01T04:00:00Z/2026-11-01T05:30:00Z"}},
        {"NewYorkEndInOverlapLater",
         Schedule("America/New_York", "[\"SU\"]", "00:00", "01:30",
                  ", \"repeatedTime\": \"later\""),
         "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z",
         {"2026-11-01T04:00:00Z/2026-11-01T06:30:00Z"}},
        {"NewYorkEightHoursEveryDay",
         Schedule("America/New_York", kAllDays, "09:00", "17:00"),
         "2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z",
         {"2026-03-07T14:00:00Z/2026-03-07T22:00:00Z",
          "2026-03-08T13:00:00Z/2026-03-08T21:00:00Z",
          "2026-03-09T13:00:00Z/2026-03-09T21:00:00Z"}},
        {"NewYorkWholeDayIs23Hours",
         Schedule("America/New_York", "[\"SU\"]", "00:00", "24:00"),
         "2026-03-02T12:00:00Z", "2026-03-14T00:00:00Z",
         {"2026-03-08T05:00:00Z/2026-03-09T04:00:00Z"}},
        {"NewYorkWholeDayIs25Hours",
         Schedule("America/New_York", "[\"SU\"]", "00:00", "24:00"),
         "2026-10-26T12:00:00Z", "2026-11-07T00:00:00Z",
         {"2026-11-01T04:00:00Z/2026-11-02T05:00:00Z"}},
        // Berlin: spring forward 2026-03-29 02:00, fall back 2026-10-25 03:00.
        {"BerlinStartInGap",
         Schedule("Europe/Berlin", "[\"SU\"]", "02:30", "04:00"),
         "2026-03-28T00:00:00Z", "2026-03-30T00:00:00Z",
         {"2026-03-29T01:00:00Z/2026-03-29T02:00:00Z"}},
        {"BerlinStartInOverlapEarlier",
         Schedule("Europe/Berlin", "[\"SU\"]", "02:30", "03:30"),
         "2026-10-24T00:00:00Z", "2026-10-26T00:00:00Z",
         {"2026-10-25T00:30:00Z/2026-10-25T02:30:00Z"}},
        {"BerlinStartInOverlapLater",
         Schedule("Europe/Berlin", "[\"SU\"]", "02:30", "03:30",
                  ", \"repeatedTime\": \"later\""),
         "2026-10-24T00:00:00Z", "2026-10-26T00:00:00Z",
         {"2026-10-25T01:30:00Z/2026-10-25T02:30:00Z"}},
        {"BerlinOvernightSaturday",
         Schedule("Europe/Berlin", "[\"SA\"]", "22:00", "02:00"),
         "2026-01-01T00:00:00Z", "2026-01-12T00:00:00Z",
         {"2026-01-03T21:00:00Z/2026-01-04T01:00:00Z",
          "2026-01-10T21:00:00Z/2026-01-11T01:00:00Z"}},
        {"BerlinOvernightIntoSkippedHour",
         Schedule("Europe/Berlin", "[\"SA\"]", "22:00", "02:30"),
         "2026-03-28T00:00:00Z", "2026-03-30T00:00:00Z",
         {"2026-03-28T21:00:00Z/2026-03-29T01:00:00Z"}},
        // Lord Howe shifts by 30 minutes: back on 2026-04-05 at 02:00 (to
        // 01:30), forward on 2026-10-04 at 02:00 (to 02:30).
        {"LordHoweOverlapEarlier",
         Schedule("Australia/Lord_Howe", "[\"SU\"]", "01:45", "03:00"),
         "2026-04-04T00:00:00Z", "2026-04-06T00:00:00Z",
         {"2026-04-04T14:45:00Z/2026-04-04T16:30:00Z"}},
        {"LordHoweOverlapLater",
         Schedule("Australia/Lord_Howe", "[\"SU\"]", "01:45", "03:00",
                  ", \"repeatedTime\": \"later\""),
         "2026-04-04T00:00:00Z", "2026-04-06T00:00:00Z",
         {"2026-04-04T15:15:00Z/2026-04-04T16:30:00Z"}},
        {"LordHoweGapTransition",
         Schedule("Australia/Lord_Howe", "[\"SU\"]", "02:15", "04:00"),
         "2026-10-03T00:00:00Z", "2026-10-05T00:00:00Z",
         {"2026-10-03T15:30:00Z/2026-10-03T17:00:00Z"}},
        {"LordHoweGapShiftForward",
         Schedule("Australia/Lord_Howe", "[\"SU\"]", "02:15", "04:00",
                  ", \"skippedTime\": \"shiftForward\""),
         "2026-10-03T00:00:00Z", "2026-10-05T00:00:00Z",
         {"2026-10-03T15:45:00Z/2026-10-03T17:00:00Z"}},
        // Apia skipped Friday 2011-12-30: 2011-12-29 24:00 (-10) was
        // followed by 2011-12-31 00:00 (+14).
        {"ApiaSkippedDayHasNoWindow",
         Schedule("Pacific/Apia", kAllDays, "08:00", "18:00"),
         "2011-12-28T12:00:00Z", "2011-12-31T12:00:00Z",
         {"2011-12-28T18:00:00Z/2011-12-29T04:00:00Z",
          "2011-12-29T18:00:00Z/2011-12-30T04:00:00Z",
          "2011-12-30T18:00:00Z/2011-12-31T04:00:00Z"}},
        {"ApiaOvernightIntoSkippedDay",
         Schedule("Pacific/Apia", "[\"TH\"]", "22:00", "02:00"),
         "2011-12-28T00:00:00Z", "2012-01-01T00:00:00Z",
         {"2011-12-30T08:00:00Z/2011-12-30T10:00:00Z"}},
        {"ApiaSkippedDayShiftForward",
         Schedule("Pacific/Apia", "[\"FR\"]", "08:00", "18:00",
                  ", \"skippedTime\": \"shiftForward\""),
         "2011-12-28T00:00:00Z", "2012-01-01T00:00:00Z",
         {"2011-12-30T18:00:00Z/2011-12-31T04:00:00Z"}},
        {"EtcGmtPlusFiveIsUtcMinusFive",
         Schedule("Etc/GMT+5", "[\"MO\"]", "09:00", "17:00"),
         "2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z",
         {"2026-01-05T14:00:00Z/2026-01-05T22:00:00Z"}},
        // Monday 08:00 in Tokyo is Sunday 23:00 UTC: the weekday is local.
        {"TokyoWeekdayIsLocal",
         Schedule("Asia/Tokyo", "[\"MO\"]", "08:00", "10:00"),
         "2026-01-04T00:00:00Z", "2026-01-06T00:00:00Z",
         {"2026-01-04T23:00:00Z/2026-01-05T01:00:00Z"}},
        {"StartEqualsEndIsFullDay",
         Schedule("UTC", "[\"MO\"]", "06:00", "06:00"),
         "2026-01-05T00:00:00Z", "2026-01-08T00:00:00Z",
         {"2026-01-05T06:00:00Z/2026-01-06T06:00:00Z"}},
        {"RangeClipsWindows",
         Schedule("UTC", "[\"MO\"]", "08:00", "18:00"),
         "2026-01-05T12:00:00Z", "2026-01-05T13:00:00Z",
         {"2026-01-05T12:00:00Z/2026-01-05T13:00:00Z"}},
        {"AdjacentDaysMerge",
         Schedule("UTC", "[\"MO\",\"TU\"]", "00:00", "24:00"),
         "2026-01-04T00:00:00Z", "2026-01-08T00:00:00Z",
         {"2026-01-05T00:00:00Z/2026-01-07T00:00:00Z"}},
    }),
    [](const ::testing::TestParamInfo<ExpandCase>& info) {
      return info.param.name;
    });

TEST(WorkHoursTest, Exceptions) {
  ASSERT_OK_AND_ASSIGN(WorkHours hours, WorkHours::FromJson(R"({
    "timeZone": "Europe/Berlin",
    "weekly": [{"days": ["MO", "TU", "WE", "TH", "FR"],
                "start": "08:00", "end": "18:00"},
               {"days": ["TH"], "start": "22:00", "end": "02:00"}],
    "exceptions": [
      {"date": "2026-12-25", "closed": true, "name": "Christmas Day"},
      {"date": "2026-12-24", "windows": [{"start": "08:00", "end": "12:00"}]},
      {"date": "2026-12-28", "windows": []},
      {"start": "2026-12-29T12:00", "end": "2026-12-29T13:00"},
      {"start": "2026-12-27T10:00", "end": "2026-12-27T11:00",
       "closed": false},
      {"start": "2026-12-30T10:00", "end": "2026-12-30T20:00",
       "closed": false},
      {"start": "2026-12-30T15:00", "end": "2026-12-30T16:00"}
    ]})"));
  ASSERT_OK_AND_ASSIGN(IntervalSet windows,
                       hours.Expand(Utc("2026-12-24T00:00:00Z"),
                                    Utc("2026-12-31T00:00:00Z")));
  EXPECT_THAT(
      Windows(windows),
      ElementsAre(
          // Thursday 24th: special hours replace both weekly windows.
          "2026-12-24T07:00:00Z/2026-12-24T11:00:00Z",
          // Friday 25th is closed. Sunday 27th: an open range.
          "2026-12-27T09:00:00Z/2026-12-27T10:00:00Z",
          // Monday 28th: an empty list closes the date. Tuesday 29th: a
          // closed lunch hour.
          "2026-12-29T07:00:00Z/2026-12-29T11:00:00Z",
          "2026-12-29T12:00:00Z/2026-12-29T17:00:00Z",
          // Wednesday 30th: open until 20:00, but the closed hour wins.
          "2026-12-30T07:00:00Z/2026-12-30T14:00:00Z",
          "2026-12-30T15:00:00Z/2026-12-30T19:00:00Z"));
}

TEST(WorkHoursTest, ClosedDateKeepsOvernightWindowOfDayBefore) {
  ASSERT_OK_AND_ASSIGN(WorkHours hours, WorkHours::FromJson(R"({
    "timeZone": "UTC",
    "weekly": [{"days": ["TH", "FR"], "start": "22:00", "end": "02:00"}],
    "exceptions": [{"date": "2026-12-25", "closed": true}]})"));
  ASSERT_OK_AND_ASSIGN(IntervalSet windows,
                       hours.Expand(Utc("2026-12-24T00:00:00Z"),
                                    Utc("2026-12-27T00:00:00Z")));
  EXPECT_THAT(Windows(windows),
              ElementsAre("2026-12-24T22:00:00Z/2026-12-25T02:00:00Z"));
}

TEST(WorkHoursTest, DateExceptionIsLocalDate) {
  // Monday 2026-01-05 08:00 in Tokyo is Sunday 23:00 UTC; closing the local
  // Monday removes it.
  ASSERT_OK_AND_ASSIGN(WorkHours hours, WorkHours::FromJson(R"({
    "timeZone": "Asia/Tokyo",
    "weekly": [{"days": ["MO"], "start": "08:00", "end": "10:00"}],
    "exceptions": [{"date": "2026-01-05", "closed": true}]})"));
  ASSERT_OK_AND_ASSIGN(IntervalSet windows,
                       hours.Expand(Utc("2026-01-01T00:00:00Z"),
                                    Utc("2026-01-13T00:00:00Z")));
  EXPECT_THAT(Windows(windows),
              ElementsAre("2026-01-11T23:00:00Z/2026-01-12T01:00:00Z"));
}

TEST(WorkHoursTest, RecurrenceWindows) {
  ASSERT_OK_AND_ASSIGN(WorkHours hours, WorkHours::FromJson(R"({
    "timeZone": "America/New_York",
    "weekly": [],
    "recurrences": [{"rrule": "FREQ=WEEKLY;BYDAY=SU;BYHOUR=1,10;COUNT=5",
                     "dtstart": "2026-03-01T01:00", "duration": "PT30M"}],
    "exceptions": [{"date": "2026-03-15", "closed": true}]})"));
  ASSERT_OK_AND_ASSIGN(IntervalSet windows,
                       hours.Expand(Utc("2026-02-01T00:00:00Z"),
                                    Utc("2026-04-01T00:00:00Z")));
  EXPECT_THAT(Windows(windows),
              ElementsAre("2026-03-01T06:00:00Z/2026-03-01T06:30:00Z",
                          "2026-03-01T15:00:00Z/2026-03-01T15:30:00Z",
                          "2026-03-08T06:00:00Z/2026-03-08T06:30:00Z",
                          "2026-03-08T14:00:00Z/2026-03-08T14:30:00Z"));
}

TEST(WorkHoursTest, AdjustmentsReportDstBoundaries) {
  ASSERT_OK_AND_ASSIGN(
      WorkHours hours,
      WorkHours::FromJson(Schedule("America/New_York", "[\"SU\"]", "01:30",
                                   "02:30")));
  std::vector<DstAdjustment> adjustments;
  ASSERT_OK_AND_ASSIGN(IntervalSet windows,
                       hours.Expand(Utc("2026-01-01T00:00:00Z"),
                                    Utc("2027-01-01T00:00:00Z"), {},
                                    &adjustments));
  ASSERT_EQ(adjustments.size(), 2u);
  EXPECT_EQ(adjustments[0].local, absl::CivilSecond(2026, 3, 8, 2, 30, 0));
  EXPECT_EQ(adjustments[0].kind, absl::TimeZone::TimeInfo::SKIPPED);
  EXPECT_FALSE(adjustments[0].is_start);
  EXPECT_EQ(adjustments[0].resolved, Utc("2026-03-08T07:00:00Z"));
  EXPECT_EQ(adjustments[1].local, absl::CivilSecond(2026, 11, 1, 1, 30, 0));
  EXPECT_EQ(adjustments[1].kind, absl::TimeZone::TimeInfo::REPEATED);
  EXPECT_TRUE(adjustments[1].is_start);
  EXPECT_EQ(adjustments[1].resolved, Utc("2026-11-01T05:30:00Z"));
  // 2026-03-08 is shortened to 01:30-03:00 EDT, 30 minutes.
  EXPECT_EQ(windows.WindowAt(Utc("2026-03-08T06:45:00Z"))->length(),
            absl::Minutes(30));
}

TEST(WorkHoursTest, ExpandRejectsInfiniteAndHugeRanges) {
  ASSERT_OK_AND_ASSIGN(
      WorkHours hours,
      WorkHours::FromJson(Schedule("UTC", "[\"MO\"]", "08:00", "18:00")));
  EXPECT_THAT(hours.Expand(absl::InfinitePast(), Utc("2026-01-01T00:00:00Z")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("both bounds must be finite")));
  EXPECT_THAT(hours.Expand(Utc("2026-01-01T00:00:00Z"),
                           Utc("2300-01-01T00:00:00Z")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected at most 36525")));
  ASSERT_OK_AND_ASSIGN(IntervalSet empty,
                       hours.Expand(Utc("2026-01-02T00:00:00Z"),
                                    Utc("2026-01-01T00:00:00Z")));
  EXPECT_TRUE(empty.empty());
}

// A range between two equal infinite bounds is not an empty range, because
// a caller would read "no windows" as "outside the work hours".
TEST(WorkHoursTest, ExpandRejectsEqualInfiniteBounds) {
  ASSERT_OK_AND_ASSIGN(
      WorkHours hours,
      WorkHours::FromJson(Schedule("UTC", "[\"MO\"]", "08:00", "18:00")));
  for (absl::Time bound : {absl::InfiniteFuture(), absl::InfinitePast()}) {
    EXPECT_THAT(hours.Expand(bound, bound),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("both bounds must be finite")));
  }
  EXPECT_THAT(hours.Expand(absl::InfiniteFuture(), Utc("2026-01-01T00:00:00Z")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("both bounds must be finite")));
}

struct InvalidJsonCase {
  std::string name;
  std::string json;
  std::string message;
};

class FromJsonInvalidTest : public ::testing::TestWithParam<InvalidJsonCase> {};

TEST_P(FromJsonInvalidTest, Rejects) {
  absl::StatusOr<WorkHours> hours = WorkHours::FromJson(GetParam().json);
  ASSERT_FALSE(hours.ok());
  EXPECT_THAT(std::string(hours.status().message()),
              HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Schedules, FromJsonInvalidTest,
    ::testing::ValuesIn(std::vector<InvalidJsonCase>{
        {"NotJson", "{", ""},
        {"NotObject", "[]", "(root): invalid value []; expected"},
        {"MissingZone", R"({"weekly": []})", "timeZone: missing"},
        {"UnknownZone", Schedule("Europe/Berlim", "[\"MO\"]", "08:00", "18:00"),
         "timeZone: unknown time zone \"Europe/Berlim\""},
        {"WindowsZoneName",
         Schedule("W. Europe Standard Time", "[\"MO\"]", "08:00", "18:00"),
         "timeZone: invalid time zone \"W. Europe Standard Time\""},
        {"LowerCaseUtc", Schedule("utc", "[\"MO\"]", "08:00", "18:00"),
         "timeZone: unknown time zone \"utc\""},
        {"LocaltimeZone", Schedule("localtime", "[\"MO\"]", "08:00", "18:00"),
         "timeZone: invalid time zone \"localtime\""},
        {"ZoneNotString", R"({"timeZone": 1, "weekly": []})",
         "timeZone: invalid value 1; expected"},
        {"MissingWeekly", R"({"timeZone": "UTC"})", "weekly: missing"},
        {"UnknownField", R"({"timeZone": "UTC", "weekly": [], "exeptions": []})",
         "exeptions: unknown field; expected one of"},
        {"BadDay", Schedule("UTC", "[\"MO\", \"XX\"]", "08:00", "18:00"),
         "weekly[0].days[1]: invalid value \"XX\"; expected a weekday"},
        {"NoDays", Schedule("UTC", "[]", "08:00", "18:00"),
         "weekly[0].days: invalid value []; expected at least one weekday"},
        {"BadStart", Schedule("UTC", "[\"MO\"]", "25:00", "18:00"),
         "weekly[0].start: invalid time of day \"25:00\": hour 25 is not in "
         "00-23"},
        {"StartAt24", Schedule("UTC", "[\"MO\"]", "24:00", "18:00"),
         "weekly[0].start: invalid time of day \"24:00\": 24:00 is allowed "
         "only as the end"},
        {"MissingEnd", R"({"timeZone": "UTC", "weekly": [{"days": ["MO"],
           "start": "08:00"}]})",
         "weekly[0].end: missing"},
        {"UnknownWindowField", R"({"timeZone": "UTC", "weekly": [{"days":
           ["MO"], "start": "08:00", "end": "09:00", "zone": "UTC"}]})",
         "weekly[0].zone: unknown field"},
        {"BadDate", Schedule("UTC", "[\"MO\"]", "08:00", "18:00",
                             R"(, "exceptions": [{"date": "2026-02-30",
                                 "closed": true}])"),
         "exceptions[0].date: invalid date \"2026-02-30\": day 30 does not "
         "exist in 2026-02"},
        {"DuplicateDate", Schedule("UTC", "[\"MO\"]", "08:00", "18:00",
                                   R"(, "exceptions": [
                                     {"date": "2026-12-25", "closed": true},
                                     {"date": "2026-12-25", "closed": true}])"),
         "exceptions[1].date: invalid value \"2026-12-25\"; expected each "
         "date in at most one exception"},
        {"DateWithoutEffect", Schedule("UTC", "[\"MO\"]", "08:00", "18:00",
                                       R"(, "exceptions": [
                                         {"date": "2026-12-25"}])"),
         "exceptions[0]: a date exception needs \"closed\": true or a "
         "\"windows\" list"},
        {"DateClosedFalse", Schedule("UTC", "[\"MO\"]", "08:00", "18:00",
                                     R"(, "exceptions": [
                                       {"date": "2026-12-25", "closed": false}])"),
         "a date exception needs \"closed\": true"},
        {"DateClosedAndWindows",
         Schedule("UTC", "[\"MO\"]", "08:00", "18:00",
                  R"(, "exceptions": [{"date": "2026-12-25", "closed": true,
                      "windows": []}])"),
         "exceptions[0]: \"closed\" and \"windows\" cannot both appear"},
        {"DateAndStart", Schedule("UTC", "[\"MO\"]", "08:00", "18:00",
                                  R"(, "exceptions": [{"date": "2026-12-25",
                                      "start": "2026-12-25T00:00"}])"),
         "exceptions[0]: \"date\" and \"start\" cannot both appear"},
        {"EmptyException", Schedule("UTC", "[\"MO\"]", "08:00", "18:00",
                                    R"(, "exceptions": [{}])"),
         "exceptions[0].date: missing"},
        {"RangeBackwards", Schedule("UTC", "[\"MO\"]", "08:00", "18:00",
                                    R"(, "exceptions": [
                                      {"start": "2026-12-25T10:00",
                                       "end": "2026-12-25T09:00"}])"),
         "exceptions[0].end: invalid value \"2026-12-25T09:00\"; expected a "
         "local date-time after \"start\""},
        {"RangeWithOffset", Schedule("UTC", "[\"MO\"]", "08:00", "18:00",
                                     R"(, "exceptions": [
                                       {"start": "2026-12-25T10:00Z",
                                        "end": "2026-12-25T11:00"}])"),
         "exceptions[0].start: invalid local date-time \"2026-12-25T10:00Z\""},
        {"RangeClosedNotBool", Schedule("UTC", "[\"MO\"]", "08:00", "18:00",
                                        R"(, "exceptions": [
                                          {"start": "2026-12-25T10:00",
                                           "end": "2026-12-25T11:00",
                                           "closed": "yes"}])"),
         "exceptions[0].closed: invalid value \"yes\"; expected"},
        {"BadPolicy", Schedule("UTC", "[\"MO\"]", "08:00", "18:00",
                               R"(, "skippedTime": "forward")"),
         "skippedTime: invalid value \"forward\"; expected \"transition\", "
         "\"shiftForward\" or \"skip\""},
        {"BadRepeatedPolicy", Schedule("UTC", "[\"MO\"]", "08:00", "18:00",
                                       R"(, "repeatedTime": "first")"),
         "repeatedTime: invalid value \"first\"; expected \"earlier\" or "
         "\"later\""},
        {"BadRrule", Schedule("UTC", "[\"MO\"]", "08:00", "18:00",
                              R"(, "recurrences": [{"rrule": "FREQ=DAILY",
                                  "dtstart": "2026-01-05T08:00",
                                  "duration": "PT1H"}])"),
         "recurrences[0].rrule: invalid recurrence rule \"FREQ=DAILY\""},
        {"DtstartNotInstance",
         Schedule("UTC", "[\"MO\"]", "08:00", "18:00",
                  R"(, "recurrences": [{"rrule": "FREQ=WEEKLY;BYDAY=TU",
                      "dtstart": "2026-01-05T08:00", "duration": "PT1H"}])"),
         "recurrences[0].dtstart: dtstart 2026-01-05T08:00:00 (MO) is not an "
         "instance"},
        {"RecurrenceDurationTooLong",
         Schedule("UTC", "[\"MO\"]", "08:00", "18:00",
                  R"(, "recurrences": [{"rrule": "FREQ=WEEKLY",
                      "dtstart": "2026-01-05T08:00", "duration": "P8D"}])"),
         "recurrences[0].duration: invalid value \"P8D\"; expected a duration "
         "between PT1S and P7D"},
        {"RecurrenceDurationInvalid",
         Schedule("UTC", "[\"MO\"]", "08:00", "18:00",
                  R"(, "recurrences": [{"rrule": "FREQ=WEEKLY",
                      "dtstart": "2026-01-05T08:00", "duration": "PT1D"}])"),
         "recurrences[0].duration: invalid duration \"PT1D\""},
    }),
    [](const ::testing::TestParamInfo<InvalidJsonCase>& info) {
      return info.param.name;
    });

TEST(WorkHoursTest, CreateValidatesSpec) {
  WorkHoursSpec spec;
  spec.time_zone = "UTC";
  spec.weekly[0].push_back({0, 86401});
  EXPECT_THAT(WorkHours::Create(spec),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("monday: invalid window 0-86401")));
  spec.weekly[0] = {{0, 3600}};
  spec.date_exceptions = {{absl::CivilDay(2026, 1, 1), {}},
                          {absl::CivilDay(2026, 1, 1), {}}};
  EXPECT_THAT(WorkHours::Create(spec),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("appears more than once")));
  spec.date_exceptions.clear();
  spec.time_zone = "Nowhere/Special";
  EXPECT_THAT(WorkHours::Create(spec),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("unknown time zone")));
}

// ---------------------------------------------------------------------------
// The expansion against a slow model that judges each instant by its local
// wall-clock time. The model needs no DST rule, so it is exact only away
// from transitions: samples within two days of one are left out, and the
// vectors above cover them.

struct ModelWindow {
  int weekday;  // absl::Weekday as int
  int start;
  int end;
};

bool ModelContains(const std::vector<ModelWindow>& windows,
                   absl::CivilSecond local) {
  const absl::CivilDay today(local);
  for (int back = 0; back <= 1; ++back) {
    const absl::CivilDay day = today - back;
    const int weekday = static_cast<int>(absl::GetWeekday(day));
    for (const ModelWindow& w : windows) {
      if (w.weekday != weekday) continue;
      const absl::CivilSecond start = absl::CivilSecond(day) + w.start;
      const absl::CivilSecond end = w.end > w.start
                                        ? absl::CivilSecond(day) + w.end
                                        : absl::CivilSecond(day + 1) + w.end;
      if (start <= local && local < end) return true;
    }
  }
  return false;
}

// The instants within two days of a transition of `zone` in [from, to).
IntervalSet NearTransitions(const absl::TimeZone& zone, absl::Time from,
                            absl::Time to) {
  std::vector<Window> near;
  absl::TimeZone::CivilTransition transition;
  absl::Time t = from - absl::Hours(48);
  while (zone.NextTransition(t, &transition)) {
    const absl::Time instant = zone.At(transition.to).trans;
    if (instant <= t || instant > to + absl::Hours(48)) break;
    near.push_back({instant - absl::Hours(48), instant + absl::Hours(48)});
    t = instant;
  }
  return IntervalSet::FromWindows(std::move(near));
}

TEST(WorkHoursModelTest, RandomSchedulesMatchLocalModel) {
  std::mt19937 rng(20260329);
  const std::vector<std::string> zones = {
      "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
      "Pacific/Apia",  "Asia/Tokyo",       "UTC",
      "Asia/Kathmandu"};
  std::uniform_int_distribution<int> weekday(0, 6);
  std::uniform_int_distribution<int> quarter_hour(0, 96);
  std::uniform_int_distribution<int> count(1, 6);
  const char* kCodes[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};

  for (int round = 0; round < 28; ++round) {
    const std::string zone_name = zones[round % zones.size()];
    std::vector<ModelWindow> model;
    std::string weekly;
    const int n = count(rng);
    for (int i = 0; i < n; ++i) {
      ModelWindow w{weekday(rng), quarter_hour(rng) % 96 * 900,
                    quarter_hour(rng) * 900};
      model.push_back(w);
      absl::StrAppend(&weekly, i == 0 ? "" : ",", "{\"days\": [\"",
                      kCodes[w.weekday], "\"], \"start\": \"",
                      FormatTimeOfDay(w.start), "\", \"end\": \"",
                      FormatTimeOfDay(w.end), "\"}");
    }
    const std::string json = absl::StrCat("{\"timeZone\": \"", zone_name,
                                          "\", \"weekly\": [", weekly, "]}");
    ASSERT_OK_AND_ASSIGN(WorkHours hours, WorkHours::FromJson(json));
    const absl::TimeZone& zone = hours.zone();

    const absl::Time from =
        round % 2 == 0 ? Utc("2011-06-01T00:00:00Z") : Utc("2025-06-01T00:00:00Z");
    const absl::Time to = from + absl::Hours(24 * 366);
    ASSERT_OK_AND_ASSIGN(IntervalSet windows, hours.Expand(from, to));

    const IntervalSet near = NearTransitions(zone, from, to);
    int compared = 0;
    for (absl::Time t = from; t < to; t += absl::Minutes(11)) {
      if (near.Contains(t)) continue;
      ++compared;
      ASSERT_EQ(windows.Contains(t), ModelContains(model, zone.At(t).cs))
          << json << " at " << FormatRfc3339(t);
    }
    EXPECT_GT(compared, 40000) << json;

    // Expanding a sub-range gives the same windows, clipped.
    const absl::Time middle_from = from + absl::Hours(24 * 100) + absl::Minutes(13);
    const absl::Time middle_to = middle_from + absl::Hours(24 * 40);
    ASSERT_OK_AND_ASSIGN(IntervalSet middle,
                         hours.Expand(middle_from, middle_to));
    EXPECT_EQ(middle, windows.Intersect(IntervalSet::Of({middle_from, middle_to})))
        << json;
  }
}

}  // namespace
}  // namespace portcullis::schedule
