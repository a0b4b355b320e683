#include "schedule/duration.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::schedule {
namespace {

using ::portcullis::testing::IsOkAndHolds;
using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

struct ValidCase {
  std::string name;
  std::string text;
  absl::Duration expected;
  std::string canonical;
};

class ParseValidTest : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ParseValidTest, ParsesAndFormats) {
  const ValidCase& c = GetParam();
  EXPECT_THAT(ParseIsoDuration(c.text), IsOkAndHolds(c.expected));
  EXPECT_EQ(FormatIsoDuration(c.expected), c.canonical);
  EXPECT_THAT(ParseIsoDuration(c.canonical), IsOkAndHolds(c.expected));
}

INSTANTIATE_TEST_SUITE_P(
    Durations, ParseValidTest,
    ::testing::ValuesIn(std::vector<ValidCase>{
        {"PimDefaultMaximum", "PT8H", absl::Hours(8), "PT8H"},
        {"PortalMinimum", "PT30M", absl::Minutes(30), "PT30M"},
        {"LegacyOverRangeMinutes", "PT720M", absl::Hours(12), "PT12H"},
        {"OneDay", "P1D", absl::Hours(24), "P1D"},
        {"EligibilityYear", "P365D", absl::Hours(24 * 365), "P365D"},
        {"OneYearPlusDay", "P366D", absl::Hours(24 * 366), "P366D"},
        {"HoursAndMinutes", "PT1H30M", absl::Minutes(90), "PT1H30M"},
        {"UpdateRulesExample", "PT1H45M", absl::Minutes(105), "PT1H45M"},
        {"ApprovalExample", "PT5H30M", absl::Minutes(330), "PT5H30M"},
        {"JitMaximum", "PT3H", absl::Hours(3), "PT3H"},
        {"HalfSecond", "PT0.5S", absl::Milliseconds(500), "PT0.5S"},
        {"CommaFraction", "PT0,25S", absl::Milliseconds(250), "PT0.25S"},
        {"NanosecondFraction", "PT1.000000001S",
         absl::Seconds(1) + absl::Nanoseconds(1), "PT1.000000001S"},
        {"SevenDigitFraction", "PT0.0000001S", absl::Nanoseconds(100),
         "PT0.0000001S"},
        {"FractionalHour", "PT1.5H", absl::Minutes(90), "PT1H30M"},
        {"FractionalMinuteAfterHour", "PT1H0.5M",
         absl::Hours(1) + absl::Seconds(30), "PT1H30S"},
        {"FractionalDay", "P0.5D", absl::Hours(12), "PT12H"},
        {"FractionalWeek", "P0.5W", absl::Hours(84), "P3DT12H"},
        {"OneWeek", "P1W", absl::Hours(24 * 7), "P7D"},
        {"DayAndTime", "P1DT2H", absl::Hours(26), "P1DT2H"},
        {"AllComponents", "P1DT1H1M1S",
         absl::Hours(25) + absl::Minutes(1) + absl::Seconds(1), "P1DT1H1M1S"},
        {"OverRangeHours", "PT36H", absl::Hours(36), "P1DT12H"},
        {"OverRangeSeconds", "PT3600S", absl::Hours(1), "PT1H"},
        {"ZeroSeconds", "PT0S", absl::ZeroDuration(), "PT0S"},
        {"ZeroDays", "P0D", absl::ZeroDuration(), "PT0S"},
        {"ZeroHours", "PT0H", absl::ZeroDuration(), "PT0S"},
        {"LeadingZeros", "PT008H", absl::Hours(8), "PT8H"},
        {"EighteenDigits", "PT999999999999999999S",
         absl::Seconds(999999999999999999), "P11574074074074DT1H46M39S"},
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
  EXPECT_THAT(ParseIsoDuration(c.text),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(c.message)));
}

INSTANTIATE_TEST_SUITE_P(
    Durations, ParseInvalidTest,
    ::testing::ValuesIn(std::vector<InvalidCase>{
        {"Empty", "", "the text is empty"},
        {"DaysAfterT", "PT1D", "days ('D') must come before 'T'"},
        {"WeeksAfterT", "PT1W", "weeks ('W') must come before 'T'"},
        {"Years", "P1Y", "years are not supported"},
        {"Months", "P1M", "months are not supported"},
        {"YearsAfterT", "PT1Y", "years are not supported"},
        {"BareP", "P", "it has no components"},
        {"BareT", "PT", "'T' must be followed by hours"},
        {"TrailingT", "P1DT", "'T' must be followed by hours"},
        {"DoubleT", "PT1HT1M", "'T' appears twice"},
        {"MissingP", "T8H", "it must start with 'P'"},
        {"NumberOnly", "8", "it must start with 'P'"},
        {"GarbledClientValue", "1230M", "it must start with 'P'"},
        {"LowerCaseP", "pt8h", "designators must be upper case"},
        {"LowerCaseUnit", "PT8h", "designators must be upper case"},
        {"NegativeSign", "-PT8H", "signs are not allowed"},
        {"PlusSign", "+PT8H", "signs are not allowed"},
        {"InnerSign", "PT-8H", "unexpected character '-'"},
        {"LeadingSpace", " PT8H", "it must start with 'P'"},
        {"TrailingSpace", "PT8H ", "unexpected character ' '"},
        {"InnerSpace", "PT8 H", "unexpected character ' '"},
        {"NoDesignator", "PT8", "the last number has no designator"},
        {"DesignatorWithoutNumber", "PTH", "designator 'H' has no number"},
        {"HoursBeforeT", "P8H", "'H' must come after 'T'"},
        {"SecondsBeforeT", "P8S", "'S' must come after 'T'"},
        {"WrongOrder", "PT30M1H", "in the order D, H, M, S"},
        {"Repeated", "PT1H1H", "in the order D, H, M, S"},
        {"DaysAfterWeeks", "P1W1D", "weeks cannot be combined"},
        {"WeeksAfterDays", "P1D1W", "in the order D, H, M, S"},
        {"WeeksWithTime", "P1WT1H", "weeks cannot be combined"},
        {"FractionNotLast", "PT1.5H30M", "only the last component"},
        {"FractionWithoutDigits", "PT1.S", "must be followed by digits"},
        {"FractionWithoutInteger", "PT.5S", "unexpected character '.'"},
        {"TenFractionDigits", "PT0.0000000001S", "more than 9 digits"},
        {"NineteenDigits", "PT1000000000000000000S", "more than 18 digits"},
        {"TooLong", "P999999999999999999D", "the duration is too long"},
        {"NulByte", std::string("PT8H\0", 5), "unexpected character '\\x00'"},
        {"Unicode", "PT８H", "unexpected character"},
    }),
    [](const ::testing::TestParamInfo<InvalidCase>& info) {
      return info.param.name;
    });

TEST(ParseIsoDurationTest, MessageQuotesInputAndExpectation) {
  absl::StatusOr<absl::Duration> result = ParseIsoDuration("PT1D");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "invalid duration \"PT1D\": days ('D') must come before 'T', as in "
            "\"P1D\"; expected an iso 8601 duration such as \"PT8H\", "
            "\"PT30M\" or \"P1D\"");
}

TEST(ParseIsoDurationTest, MessageCutsLongInput) {
  const std::string text = "PT" + std::string(500, 'x');
  absl::StatusOr<absl::Duration> result = ParseIsoDuration(text);
  ASSERT_FALSE(result.ok());
  EXPECT_LT(result.status().message().size(), 300u);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("...\""));
}

TEST(FormatIsoDurationTest, SpecialValues) {
  EXPECT_EQ(FormatIsoDuration(-absl::Hours(3)), "-PT3H");
  EXPECT_EQ(FormatIsoDuration(absl::InfiniteDuration()), "inf");
  EXPECT_EQ(FormatIsoDuration(-absl::InfiniteDuration()), "-inf");
  EXPECT_EQ(FormatIsoDuration(absl::Nanoseconds(1)), "PT0.000000001S");
  EXPECT_EQ(FormatIsoDuration(absl::Nanoseconds(1) / 4), "PT0S");
  EXPECT_EQ(FormatIsoDuration(absl::Hours(24 * 7)), "P7D");
  EXPECT_EQ(FormatIsoDuration(absl::Hours(24) + absl::Seconds(1)),
            "P1DT1S");
}

TEST(FormatIsoDurationTest, LargestDurationRoundTrips) {
  const absl::Duration largest =
      absl::Seconds(INT64_MAX) + absl::Nanoseconds(999999999);
  const std::string text = FormatIsoDuration(largest);
  EXPECT_THAT(ParseIsoDuration(text), IsOkAndHolds(largest));
}

}  // namespace
}  // namespace portcullis::schedule
