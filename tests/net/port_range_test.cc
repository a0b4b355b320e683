#include "net/port_range.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/hash/hash_testing.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::net {
namespace {

using ::portcullis::testing::IsOk;
using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

struct ValidCase {
  std::string name;
  std::string input;
  uint16_t first;
  uint16_t last;
  std::string canonical;  // Empty when the input is already canonical.
};

void PrintTo(const ValidCase& test, std::ostream* out) {
  *out << test.name << " (" << test.input << ")";
}

std::vector<ValidCase> ValidCases() {
  return {
      {"single_port", "22", 22, 22, ""},
      {"port_zero", "0", 0, 0, ""},
      {"port_65535", "65535", 65535, 65535, ""},
      {"range", "80-90", 80, 90, ""},
      {"range_of_one", "443-443", 443, 443, "443"},
      {"asterisk", "*", 0, 65535, ""},
      {"full_range", "0-65535", 0, 65535, "*"},
      {"range_from_zero", "0-1023", 0, 1023, ""},
      {"range_to_65535", "1024-65535", 1024, 65535, ""},
      {"range_at_top", "65534-65535", 65534, 65535, ""},
  };
}

class ValidPortRangeTest : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ValidPortRangeTest, ParsesAndFormats) {
  const ValidCase& test = GetParam();
  ASSERT_OK_AND_ASSIGN(PortRange range, PortRange::Parse(test.input));
  EXPECT_EQ(range.first, test.first);
  EXPECT_EQ(range.last, test.last);

  std::string canonical = test.canonical.empty() ? test.input : test.canonical;
  EXPECT_EQ(range.ToString(), canonical);
  ASSERT_OK_AND_ASSIGN(PortRange reparsed, PortRange::Parse(canonical));
  EXPECT_EQ(reparsed, range);
}

INSTANTIATE_TEST_SUITE_P(Cases, ValidPortRangeTest,
                         ::testing::ValuesIn(ValidCases()),
                         [](const ::testing::TestParamInfo<ValidCase>& info) {
                           return info.param.name;
                         });

struct InvalidCase {
  std::string name;
  std::string input;
  std::string message;
};

void PrintTo(const InvalidCase& test, std::ostream* out) { *out << test.name; }

std::vector<InvalidCase> InvalidCases() {
  return {
      {"empty", "", "empty"},
      {"list", "80,443", "unexpected character \",\""},
      {"list_with_space", "80, 443", "unexpected character \",\""},
      {"reversed", "90-80", "the range is reversed (90 is greater than 80)"},
      {"above_max", "65536", "port 65536 is greater than 65535"},
      {"range_above_max", "80-70000", "port 70000 is greater than 65535"},
      {"overlong_number", "1000000", "port \"1000000\" is greater than 65535"},
      {"very_long_number", std::string(300, '9'), "is greater than 65535"},
      {"plus_sign", "+22", "unexpected character \"+\""},
      {"minus_sign", "-22", "a port number is missing"},
      {"negative_range", "-1-5", "a port number is missing"},
      {"leading_space", " 22", "unexpected character \" \""},
      {"trailing_space", "22 ", "unexpected character \" \""},
      {"space_around_dash", "80 - 90", "unexpected character \" \""},
      {"missing_last", "80-", "a port number is missing"},
      {"only_dash", "-", "a port number is missing"},
      {"double_dash", "80--90", "unexpected character \"-\""},
      {"three_parts", "80-90-100", "unexpected character \"-\""},
      {"leading_zero", "022", "port \"022\" has a leading zero"},
      {"leading_zero_in_last", "80-090", "port \"090\" has a leading zero"},
      {"asterisk_in_range", "*-80", "unexpected character \"*\""},
      {"double_asterisk", "**", "unexpected character \"*\""},
      {"word", "any", "unexpected character \"a\""},
      {"service_name", "ssh", "unexpected character \"s\""},
      {"hex", "0x16", "unexpected character \"x\""},
      {"decimal_point", "22.0", "unexpected character \".\""},
      {"en_dash",
       "80\xe2\x80\x93"
       "90",
       "unexpected character"},
      {"nul_byte", std::string("22\0", 3), "unexpected character \"\\x00\""},
  };
}

class InvalidPortRangeTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidPortRangeTest, IsRejected) {
  const InvalidCase& test = GetParam();
  EXPECT_THAT(
      PortRange::Parse(test.input),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(test.message)));
  EXPECT_THAT(PortRange::Parse(test.input),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected a port \"N\", a range \"N-M\" or "
                                 "\"*\", with ports from 0 to 65535")));
}

INSTANTIATE_TEST_SUITE_P(Cases, InvalidPortRangeTest,
                         ::testing::ValuesIn(InvalidCases()),
                         [](const ::testing::TestParamInfo<InvalidCase>& info) {
                           return info.param.name;
                         });

TEST(PortRangeParse, FullMessage) {
  EXPECT_THAT(PortRange::Parse("80,443"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid port range \"80,443\": unexpected character "
                       "\",\"; expected a port \"N\", a range \"N-M\" or "
                       "\"*\", with ports from 0 to 65535"));
}

TEST(PortRangeParse, EveryPortRoundTrips) {
  for (int port = 0; port <= 65535; ++port) {
    std::string text = absl::StrCat(port);
    absl::StatusOr<PortRange> range = PortRange::Parse(text);
    ASSERT_THAT(range, IsOk()) << text;
    ASSERT_EQ(*range, PortRange::Single(static_cast<uint16_t>(port)));
    ASSERT_EQ(range->ToString(), text);
  }
}

TEST(PortRange, DefaultIsAny) {
  PortRange range;
  EXPECT_TRUE(range.is_any());
  EXPECT_EQ(range, PortRange::Any());
  EXPECT_EQ(range.ToString(), "*");
  EXPECT_EQ(range.size(), 65536);
}

TEST(PortRange, Contains) {
  PortRange range{80, 90};
  EXPECT_FALSE(range.Contains(79));
  EXPECT_TRUE(range.Contains(80));
  EXPECT_TRUE(range.Contains(90));
  EXPECT_FALSE(range.Contains(91));
  EXPECT_TRUE(PortRange::Any().Contains(0));
  EXPECT_TRUE(PortRange::Any().Contains(65535));
  EXPECT_TRUE(PortRange::Single(0).Contains(0));
  EXPECT_FALSE(PortRange::Single(0).Contains(1));
  EXPECT_TRUE(PortRange::Single(65535).Contains(65535));
}

TEST(PortRange, Overlaps) {
  EXPECT_TRUE(PortRange({80, 90}).Overlaps({90, 100}));
  EXPECT_TRUE(PortRange({90, 100}).Overlaps({80, 90}));
  EXPECT_FALSE(PortRange({80, 89}).Overlaps({90, 100}));
  EXPECT_TRUE(PortRange::Any().Overlaps(PortRange::Single(65535)));
  EXPECT_TRUE(PortRange({10, 20}).Overlaps({12, 13}));
  EXPECT_FALSE(PortRange::Single(0).Overlaps(PortRange::Single(1)));
}

TEST(PortRange, Predicates) {
  EXPECT_TRUE(PortRange::Single(22).is_single());
  EXPECT_FALSE(PortRange::Single(22).is_any());
  EXPECT_EQ(PortRange::Single(22).size(), 1);
  EXPECT_FALSE(PortRange({0, 65534}).is_any());
  EXPECT_EQ(PortRange({0, 65534}).ToString(), "0-65534");
}

TEST(PortRangeCreate, ChecksBounds) {
  ASSERT_OK_AND_ASSIGN(PortRange range, PortRange::Create(80, 90));
  EXPECT_EQ(range, PortRange({80, 90}));
  EXPECT_THAT(PortRange::Create(90, 80),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid port range 90-80")));
  EXPECT_THAT(PortRange::Create(-1, 80),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("-1")));
  EXPECT_THAT(PortRange::Create(0, 65536),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("65536")));
  EXPECT_THAT(PortRange::Create(0, 65535), IsOk());
}

TEST(PortRange, Ordering) {
  EXPECT_LT(PortRange({22, 22}), PortRange({80, 80}));
  EXPECT_LT(PortRange({80, 80}), PortRange({80, 90}));
  EXPECT_FALSE(PortRange({80, 90}) < PortRange({80, 90}));
  EXPECT_NE(PortRange({80, 90}), PortRange({80, 91}));
}

TEST(PortRange, HashIsConsistentWithEquality) {
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly({
      PortRange::Any(),
      PortRange::Single(0),
      PortRange::Single(22),
      PortRange{80, 90},
      PortRange{90, 90},
  }));
}

}  // namespace
}  // namespace portcullis::net
