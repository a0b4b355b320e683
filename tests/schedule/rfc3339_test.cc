#include "schedule/rfc3339.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::schedule {
namespace {

using ::portcullis::testing::IsOkAndHolds;
using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s),
                         absl::UTCTimeZone());
}

struct ValidCase {
  std::string name;
  std::string text;
  absl::Time expected;
  std::string canonical;
};

class ParseValidTest : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ParseValidTest, ParsesAndFormats) {
  const ValidCase& c = GetParam();
  EXPECT_THAT(ParseRfc3339(c.text), IsOkAndHolds(c.expected));
  EXPECT_EQ(FormatRfc3339(c.expected), c.canonical);
  EXPECT_THAT(ParseRfc3339(c.canonical), IsOkAndHolds(c.expected));
}

INSTANTIATE_TEST_SUITE_P(
    Timestamps, ParseValidTest,
    ::testing::ValuesIn(std::vector<ValidCase>{
        {"Zulu", "2026-03-08T07:30:00Z", Utc(2026, 3, 8, 7, 30, 0),
         "2026-03-08T07:30:00Z"},
        {"LowerCase", "2026-03-08t07:30:00z", Utc(2026, 3, 8, 7, 30, 0),
         "2026-03-08T07:30:00Z"},
        {"GraphSevenDigits", "2022-05-13T16:18:40.0835993Z",
         Utc(2022, 5, 13, 16, 18, 40) + absl::Nanoseconds(83599300),
         "2022-05-13T16:18:40.0835993Z"},
        {"ArmOffsetZero", "2020-09-09T21:33:14.557+00:00",
         Utc(2020, 9, 9, 21, 33, 14) + absl::Milliseconds(557),
         "2020-09-09T21:33:14.557Z"},
        {"TwoDigitFraction", "2020-09-09T21:35:27.91Z",
         Utc(2020, 9, 9, 21, 35, 27) + absl::Milliseconds(910),
         "2020-09-09T21:35:27.91Z"},
        {"NineDigits", "2026-01-01T00:00:00.000000001Z",
         Utc(2026, 1, 1, 0, 0, 0) + absl::Nanoseconds(1),
         "2026-01-01T00:00:00.000000001Z"},
        {"ZeroFraction", "2026-01-01T00:00:00.000Z", Utc(2026, 1, 1, 0, 0, 0),
         "2026-01-01T00:00:00Z"},
        {"NegativeOffset", "2026-03-08T02:30:00-05:00",
         Utc(2026, 3, 8, 7, 30, 0), "2026-03-08T07:30:00Z"},
        {"PositiveOffset", "2026-03-29T03:30:00+02:00",
         Utc(2026, 3, 29, 1, 30, 0), "2026-03-29T01:30:00Z"},
        {"HalfHourOffset", "2026-04-05T01:45:00+10:30",
         Utc(2026, 4, 4, 15, 15, 0), "2026-04-04T15:15:00Z"},
        {"UnknownLocalOffset", "2026-01-01T12:00:00-00:00",
         Utc(2026, 1, 1, 12, 0, 0), "2026-01-01T12:00:00Z"},
        {"OffsetCrossesYear", "2025-12-31T23:30:00-01:00",
         Utc(2026, 1, 1, 0, 30, 0), "2026-01-01T00:30:00Z"},
        {"MaximumOffset", "2026-01-01T00:00:00+23:59",
         Utc(2025, 12, 31, 0, 1, 0), "2025-12-31T00:01:00Z"},
        {"LeapDay2024", "2024-02-29T12:00:00Z", Utc(2024, 2, 29, 12, 0, 0),
         "2024-02-29T12:00:00Z"},
        {"LeapDay2000", "2000-02-29T00:00:00Z", Utc(2000, 2, 29, 0, 0, 0),
         "2000-02-29T00:00:00Z"},
        {"LastSecondOfYear", "2026-12-31T23:59:59.999999999Z",
         Utc(2027, 1, 1, 0, 0, 0) - absl::Nanoseconds(1),
         "2026-12-31T23:59:59.999999999Z"},
        {"Epoch", "1970-01-01T00:00:00Z", absl::UnixEpoch(),
         "1970-01-01T00:00:00Z"},
        {"YearZero", "0000-01-01T00:00:00Z", Utc(0, 1, 1, 0, 0, 0),
         "0000-01-01T00:00:00Z"},
        {"Year9999", "9999-12-31T23:59:59Z", Utc(9999, 12, 31, 23, 59, 59),
         "9999-12-31T23:59:59Z"},
    }),
    [](const ::testing::TestParamInfo<ValidCase>& info) {
      return info.param.name;
    });

struct InvalidCase {
  std::string name;
  std::string text;
  std::string message;
};

class ParseInvalidTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(ParseInvalidTest, Rejects) {
  const InvalidCase& c = GetParam();
  EXPECT_THAT(ParseRfc3339(c.text),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(c.message)));
}

INSTANTIATE_TEST_SUITE_P(
    Timestamps, ParseInvalidTest,
    ::testing::ValuesIn(std::vector<InvalidCase>{
        {"Empty", "", "the text is empty"},
        {"February30", "2026-02-30T00:00:00Z",
         "day 30 does not exist in 2026-02"},
        {"February29NonLeap", "2026-02-29T00:00:00Z",
         "day 29 does not exist in 2026-02"},
        {"February29Century", "1900-02-29T00:00:00Z",
         "day 29 does not exist in 1900-02"},
        {"April31", "2026-04-31T00:00:00Z", "day 31 does not exist"},
        {"DayZero", "2026-01-00T00:00:00Z", "day 00 does not exist"},
        {"MonthZero", "2026-00-10T00:00:00Z", "month 0 is not in 01-12"},
        {"Month13", "2026-13-01T00:00:00Z", "month 13 is not in 01-12"},
        {"Hour24", "2026-01-01T24:00:00Z", "hour 24 is not in 00-23"},
        {"Minute60", "2026-01-01T12:60:00Z", "minute 60 is not in 00-59"},
        {"LeapSecond", "2016-12-31T23:59:60Z", "leap seconds are not supported"},
        {"Second61", "2026-01-01T12:00:61Z", "second 61 is not in 00-59"},
        {"NoOffset", "2026-01-01T12:00:00", "the offset is missing"},
        {"DateOnly", "2026-01-01", "followed by 'T'"},
        {"SpaceSeparator", "2026-01-01 12:00:00Z", "followed by 'T'"},
        {"ShortYear", "26-01-01T12:00:00Z", "written YYYY-MM-DD"},
        {"FiveDigitYear", "20260-01-01T12:00:00Z", "written YYYY-MM-DD"},
        {"SingleDigitMonth", "2026-1-01T12:00:00Z", "written YYYY-MM-DD"},
        {"SlashDate", "2026/01/01T12:00:00Z", "written YYYY-MM-DD"},
        {"NoSeconds", "2026-01-01T12:00Z", "written hh:mm:ss"},
        {"CompactTime", "2026-01-01T120000Z", "written hh:mm:ss"},
        {"EmptyFraction", "2026-01-01T12:00:00.Z", "must be followed by digits"},
        {"TenDigitFraction", "2026-01-01T12:00:00.0000000001Z",
         "more than 9 digits"},
        {"CompactOffset", "2026-01-01T12:00:00+0100", "written +hh:mm"},
        {"HourOnlyOffset", "2026-01-01T12:00:00+01", "written +hh:mm"},
        {"OffsetHour24", "2026-01-01T12:00:00+24:00", "offset is out of range"},
        {"OffsetMinute60", "2026-01-01T12:00:00+01:60",
         "offset is out of range"},
        {"TrailingText", "2026-01-01T12:00:00Zjunk", "unexpected text after"},
        {"TrailingSpace", "2026-01-01T12:00:00Z ", "unexpected text after"},
        {"LeadingSpace", " 2026-01-01T12:00:00Z", "written YYYY-MM-DD"},
        {"ZoneName", "2026-01-01T12:00:00 UTC", "unexpected character ' '"},
        {"SignedYear", "+2026-01-01T12:00:00Z", "written YYYY-MM-DD"},
    }),
    [](const ::testing::TestParamInfo<InvalidCase>& info) {
      return info.param.name;
    });

TEST(ParseRfc3339Test, MessageQuotesInputAndExpectation) {
  absl::StatusOr<absl::Time> result = ParseRfc3339("2026-02-30T00:00:00Z");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "invalid timestamp \"2026-02-30T00:00:00Z\": day 30 does not "
            "exist in 2026-02; expected an rfc 3339 date-time such as "
            "\"2026-03-08T07:30:00Z\" or \"2026-03-08T02:30:00.5-05:00\"");
}

TEST(ParseRfc3339Test, LeapYearsOverFourCenturies) {
  // Checks the calendar against absl's civil-time normalization: day 29 of
  // February exists exactly when it does not roll over into March.
  for (int year = 1800; year <= 2400; ++year) {
    const bool leap =
        absl::CivilDay(year, 2, 29) != absl::CivilDay(year, 3, 1) &&
        absl::CivilDay(year, 2, 29).month() == 2;
    const std::string text = std::to_string(year) + "-02-29T00:00:00Z";
    EXPECT_EQ(ParseRfc3339(text).ok(), leap) << text;
  }
}

TEST(FormatRfc3339Test, SpecialValues) {
  EXPECT_EQ(FormatRfc3339(absl::InfiniteFuture()), "infinite-future");
  EXPECT_EQ(FormatRfc3339(absl::InfinitePast()), "infinite-past");
  EXPECT_EQ(FormatRfc3339(absl::UnixEpoch() - absl::Nanoseconds(1)),
            "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(FormatRfc3339(absl::UnixEpoch() + absl::Nanoseconds(1) / 4),
            "1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace portcullis::schedule
