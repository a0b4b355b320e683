#include "net/ip_address.h"

#include <arpa/inet.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/hash/hash_testing.h"
#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::net {
namespace {

using ::portcullis::testing::IsOk;
using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

absl::uint128 Bits(uint64_t high, uint64_t low) {
  return absl::MakeUint128(high, low);
}

// A valid input, the address it names and its canonical text.
struct ValidCase {
  std::string name;
  std::string input;
  IpAddress expected;
  std::string canonical;  // Empty when the input is already canonical.
};

void PrintTo(const ValidCase& test, std::ostream* out) {
  *out << test.name << " (" << test.input << ")";
}

std::vector<ValidCase> ValidCases() {
  return {
      {"v4_zero", "0.0.0.0", IpAddress::V4(0), ""},
      {"v4_documentation", "192.0.2.1", IpAddress::V4(0xc0000201), ""},
      {"v4_all_ones", "255.255.255.255", IpAddress::V4(0xffffffff), ""},
      {"v4_mixed_widths", "198.51.100.255", IpAddress::V4(0xc63364ff), ""},
      {"v4_single_zero_fields", "203.0.0.113", IpAddress::V4(0xcb000071), ""},
      {"v6_unspecified", "::", IpAddress::V6(0), ""},
      {"v6_loopback", "::1", IpAddress::V6(1), ""},
      {"v6_full", "2001:db8:a1e0:ab12:4843:cd96:626b:430b",
       IpAddress::V6(Bits(0x20010db8a1e0ab12, 0x4843cd96626b430b)), ""},
      {"v6_elided_middle", "2001:db8::626b:430b",
       IpAddress::V6(Bits(0x20010db800000000, 0x00000000626b430b)), ""},
      {"v6_elided_end", "2001:db8:a1e0:ab12:4843:cd96::",
       IpAddress::V6(Bits(0x20010db8a1e0ab12, 0x4843cd9600000000)), ""},
      {"v6_elided_single_group_at_end", "2001:db8:a1e0:ab12:4843:cd96:626b::",
       IpAddress::V6(Bits(0x20010db8a1e0ab12, 0x4843cd96626b0000)),
       "2001:db8:a1e0:ab12:4843:cd96:626b:0"},
      {"v6_elided_single_group_in_middle", "2001:db8:a1e0::4843:cd96:626b:430b",
       IpAddress::V6(Bits(0x20010db8a1e00000, 0x4843cd96626b430b)),
       "2001:db8:a1e0:0:4843:cd96:626b:430b"},
      {"v6_elided_single_group_at_start", "::db8:1:2:3:4:5:6",
       IpAddress::V6(Bits(0x00000db800010002, 0x0003000400050006)),
       "0:db8:1:2:3:4:5:6"},
      {"v6_all_groups_written_zero", "0:0:0:0:0:0:0:0", IpAddress::V6(0), "::"},
      {"v6_four_digit_zero_groups", "0000:0000::0000", IpAddress::V6(0), "::"},
      {"v6_leading_zeros_in_groups", "2001:0db8:0000:0000:0000:0000:0000:0001",
       IpAddress::V6(Bits(0x20010db800000000, 1)), "2001:db8::1"},
      {"v6_upper_case", "2001:DB8:F01D::1",
       IpAddress::V6(Bits(0x20010db8f01d0000, 1)), "2001:db8:f01d::1"},
      {"v6_mixed_case", "2001:dB8::Cafe",
       IpAddress::V6(Bits(0x20010db800000000, 0xcafe)), "2001:db8::cafe"},
      {"v6_all_ones", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
       IpAddress::V6(absl::Uint128Max()), ""},
      {"v6_first_of_two_equal_runs_elided", "2001:db8:0:0:1:0:0:1",
       IpAddress::V6(Bits(0x20010db800000000, 0x0001000000000001)),
       "2001:db8::1:0:0:1"},
      {"v6_longer_second_run_elided", "2001:0:0:1:0:0:0:1",
       IpAddress::V6(Bits(0x2001000000000001, 1)), "2001:0:0:1::1"},
      {"v6_elided_seven_groups_at_start", "::8", IpAddress::V6(8), ""},
      {"v6_elided_seven_groups_at_end",
       "1::", IpAddress::V6(Bits(0x0001000000000000, 0)), ""},
      {"v6_one_group_then_elided_end", "1:2:3:4:5:6:7::",
       IpAddress::V6(Bits(0x0001000200030004, 0x0005000600070000)),
       "1:2:3:4:5:6:7:0"},
      {"v6_v4_mapped", "::ffff:192.0.2.128",
       IpAddress::V6(Bits(0, 0x0000ffffc0000280)), ""},
      {"v6_v4_mapped_written_in_hex", "::ffff:c000:280",
       IpAddress::V6(Bits(0, 0x0000ffffc0000280)), "::ffff:192.0.2.128"},
      {"v6_v4_mapped_upper_case", "::FFFF:198.51.100.7",
       IpAddress::V6(Bits(0, 0x0000ffffc6336407)), "::ffff:198.51.100.7"},
      {"v6_v4_mapped_zero", "::ffff:0.0.0.0",
       IpAddress::V6(Bits(0, 0x0000ffff00000000)), ""},
      {"v6_nat64_well_known_prefix", "64:ff9b::192.0.2.33",
       IpAddress::V6(Bits(0x0064ff9b00000000, 0x00000000c0000221)),
       "64:ff9b::c000:221"},
      {"v6_v4_compatible", "::192.0.2.1",
       IpAddress::V6(Bits(0, 0x00000000c0000201)), "::c000:201"},
      {"v6_six_groups_and_v4", "1:2:3:4:5:6:192.0.2.1",
       IpAddress::V6(Bits(0x0001000200030004, 0x00050006c0000201)),
       "1:2:3:4:5:6:c000:201"},
      {"v6_groups_elision_and_v4", "2001:db8::ffff:192.0.2.1",
       IpAddress::V6(Bits(0x20010db800000000, 0x0000ffffc0000201)),
       "2001:db8::ffff:c000:201"},
      {"v6_embedded_v4_after_five_groups_and_elision", "1:2:3:4:5::192.0.2.1",
       IpAddress::V6(Bits(0x0001000200030004, 0x00050000c0000201)),
       "1:2:3:4:5:0:c000:201"},
      {"v6_link_local", "fe80::1", IpAddress::V6(Bits(0xfe80000000000000, 1)),
       ""},
      {"v6_multicast", "ff02::1:ff00:1",
       IpAddress::V6(Bits(0xff02000000000000, 0x00000001ff000001)), ""},
      {"v6_ula", "fd7a:115c:a1e0::1",
       IpAddress::V6(Bits(0xfd7a115ca1e00000, 1)), ""},
      {"v6_only_high_bit", "8000::", IpAddress::V6(Bits(0x8000000000000000, 0)),
       ""},
  };
}

class ValidAddressTest : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ValidAddressTest, ParsesAndFormats) {
  const ValidCase& test = GetParam();
  ASSERT_OK_AND_ASSIGN(IpAddress address, IpAddress::Parse(test.input));
  EXPECT_EQ(address, test.expected);

  std::string canonical = test.canonical.empty() ? test.input : test.canonical;
  EXPECT_EQ(address.ToString(), canonical);

  ASSERT_OK_AND_ASSIGN(IpAddress reparsed, IpAddress::Parse(canonical));
  EXPECT_EQ(reparsed, address);
}

INSTANTIATE_TEST_SUITE_P(Cases, ValidAddressTest,
                         ::testing::ValuesIn(ValidCases()),
                         [](const ::testing::TestParamInfo<ValidCase>& info) {
                           return info.param.name;
                         });

// An invalid input and a part of the message that the error must contain.
struct InvalidCase {
  std::string name;
  std::string input;
  std::string message;
};

void PrintTo(const InvalidCase& test, std::ostream* out) { *out << test.name; }

std::vector<InvalidCase> InvalidCases() {
  return {
      {"empty", "", "empty"},
      {"word", "bad", "unexpected character \"b\""},
      {"single_number", "1234", "field \"1234\" is out of range"},
      {"v4_zone", "192.0.2.1%eth0", "zones"},
      {"v4_empty_first_field", ".1.2.3", "field 1 is empty"},
      {"v4_trailing_dot", "1.2.3.", "field 4 is empty"},
      {"v4_empty_middle_field", "1..2.3", "field 2 is empty"},
      {"v4_five_fields", "1.2.3.4.5", "unexpected text \".5\""},
      {"v4_six_fields", "192.168.0.1.5.6", "after the fourth IPv4 field"},
      {"v4_three_fields", "127.0.1", "has 3 fields"},
      {"v4_two_fields", "127.1", "has 2 fields"},
      {"v4_class_b_form", "192.168.12345", "out of range"},
      {"v4_class_a_form", "192.1234567", "out of range"},
      {"v4_leading_zero", "192.0.2.01", "\"01\" has a leading zero"},
      {"v4_padded_fields", "010.000.015.001", "leading zero"},
      {"v4_many_leading_zeros", "000001.00000002.00000003.000000004",
       "leading zero"},
      {"v4_dotted_octal", "0300.0250.0214.0377", "leading zero"},
      {"v4_dotted_hex", "0xc0.0xa8.0x8c.0xff", "unexpected character \"x\""},
      {"v4_field_256", "192.0.2.256", "field 256 is out of range"},
      {"v4_field_300", "192.168.300.1", "field 300 is out of range"},
      {"v4_field_999", "999.0.2.1", "field 999 is out of range"},
      {"v4_plus_sign", "192.0.2.+1", "unexpected character \"+\""},
      {"v4_minus_sign", "-1.0.2.1", "unexpected character \"-\""},
      {"v4_leading_space", " 192.0.2.1", "unexpected character \" \""},
      {"v4_trailing_space", "192.0.2.1 ", "unexpected text \" \""},
      {"v4_trailing_newline", "192.0.2.1\n", "unexpected text \"\\n\""},
      {"v4_embedded_nul", std::string("192.0.2.1\0", 10),
       "unexpected text \"\\x00\""},
      {"v4_with_prefix_length", "192.0.2.1/32", "prefix length"},
      {"v4_with_port", "192.0.2.1:80", "last two groups"},
      {"v4_non_ascii_digit", "192.0.2.\xd9\xa1", "unexpected character"},
      {"v6_seven_groups", "1:2:3:4:5:6:7", "has 7 groups"},
      {"v6_nine_groups", "1:2:3:4:5:6:7:8:9", "more than 8 groups"},
      {"v6_eight_groups_and_elision", "1:2:3:4::5:6:7:8",
       "at least one zero group"},
      {"v6_eight_groups_then_elision",
       "1:2:3:4:5:6:7:8::", "at least one zero group"},
      {"v6_elision_then_eight_groups", "::1:2:3:4:5:6:7:8",
       "at least one zero group"},
      {"v6_five_digit_group", "fe801::1", "\"fe801\" has more than 4 hex"},
      {"v6_five_digit_zero_group", "00000::", "more than 4 hex digits"},
      {"v6_non_hex", "fe80:tail:scal:e::", "unexpected character \"t\""},
      {"v6_zone", "fe80::1%eth0", "zones"},
      {"v6_empty_zone", "fe80::1%", "zones"},
      {"v6_zone_after_embedded_v4", "::ffff:192.0.2.1%eth1", "zones"},
      {"v6_numeric_zone", "fe80::1%1", "zones"},
      {"v6_seven_groups_and_v4", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:192.0.2.1",
       "last two groups"},
      {"v6_elision_seven_groups_and_v4",
       "ffff::ffff:ffff:ffff:ffff:ffff:ffff:192.0.2.1", "last two groups"},
      {"v6_elision_six_groups_and_v4", "::1:2:3:4:5:6:192.0.2.1",
       "at least one zero group"},
      {"v6_five_groups_and_v4", "1:2:3:4:5:192.0.2.1", "last two groups"},
      {"v6_v4_not_last", "::192.0.2.1:1", "after the fourth IPv4 field"},
      {"v6_v4_first", "192.0.2.1::", "last two groups"},
      {"v6_invalid_embedded_v4", "::ffff:192.168.140.bad",
       "embedded IPv4 address"},
      {"v6_embedded_v4_leading_zero", "::ffff:1.2.03.4", "leading zero"},
      {"v6_embedded_v4_three_fields", "::ffff:192.0.2", "has 3 fields"},
      {"v6_embedded_v4_five_fields", "::ffff:192.0.2.1.5", "unexpected text"},
      {"v6_embedded_v4_out_of_range", "::ffff:192.0.2.256", "out of range"},
      {"v6_embedded_v4_hex_field", "::ffff:c0.0.2.1", "unexpected character"},
      {"v6_two_elisions", "fe80::1::1", "'::' more than once"},
      {"v6_two_adjacent_elisions", "1::::2", "empty group"},
      {"v6_triple_colon", "1:::2", "empty group"},
      {"v6_only_triple_colon", ":::", "empty group"},
      {"v6_leading_single_colon", ":1::", "starts with a single ':'"},
      {"v6_lone_colon", ":", "starts with a single ':'"},
      {"v6_trailing_single_colon", "fe80:", "ends with a single ':'"},
      {"v6_full_with_trailing_colon",
       "1:2:3:4:5:6:7:8:", "ends with a single ':'"},
      {"v6_elision_then_trailing_colon", "1::2:", "ends with a single ':'"},
      {"v6_question_mark", "fe80:1?:1", "unexpected character \"?\""},
      {"v6_brackets", "[2001:db8::1]", "unexpected character \"[\""},
      {"v6_with_prefix_length", "2001:db8::/32", "prefix length"},
      {"v6_leading_space", " ::1", "unexpected character \" \""},
      {"v6_trailing_space", "::1 ", "unexpected character \" \""},
      {"v6_sign", "::+1", "unexpected character \"+\""},
      {"v6_overlong_group", "2001:db8::" + std::string(100, '0'),
       "more than 4 hex digits"},
      {"v6_overlong_input", std::string(1000, ':'), "empty group"},
  };
}

class InvalidAddressTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidAddressTest, IsRejected) {
  const InvalidCase& test = GetParam();
  EXPECT_THAT(
      IpAddress::Parse(test.input),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(test.message)));
  EXPECT_THAT(IpAddress::Parse(test.input),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid IP address \"")));
}

INSTANTIATE_TEST_SUITE_P(Cases, InvalidAddressTest,
                         ::testing::ValuesIn(InvalidCases()),
                         [](const ::testing::TestParamInfo<InvalidCase>& info) {
                           return info.param.name;
                         });

TEST(IpAddressParse, MessageQuotesInputAndExpectation) {
  EXPECT_THAT(IpAddress::Parse("192.0.2.300"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid IP address \"192.0.2.300\": IPv4 field 300 "
                       "is out of range; expected a decimal number from 0 "
                       "to 255"));
}

TEST(IpAddressParse, LongInputIsCutInMessage) {
  std::string input(5000, '1');
  absl::StatusOr<IpAddress> result = IpAddress::Parse(input);
  ASSERT_FALSE(result.ok());
  EXPECT_LT(result.status().message().size(), 400u);
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("(5000 bytes)"));
}

TEST(IpAddressParse, ZoneMessageSaysZonesAreUnsupported) {
  EXPECT_THAT(IpAddress::Parse("fe80::1%eth0"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid IP address \"fe80::1%eth0\": zones (the '%' "
                       "suffix) are not supported; expected an address "
                       "without a zone"));
}

TEST(IpAddress, DefaultIsV4Zero) {
  IpAddress address;
  EXPECT_TRUE(address.is_v4());
  EXPECT_EQ(address.v4(), 0u);
  EXPECT_EQ(address.ToString(), "0.0.0.0");
}

TEST(IpAddress, Accessors) {
  IpAddress v4 = IpAddress::V4(0xc0000201);
  EXPECT_TRUE(v4.is_v4());
  EXPECT_FALSE(v4.is_v6());
  EXPECT_EQ(v4.bit_length(), 32);
  EXPECT_EQ(v4.v4(), 0xc0000201u);
  EXPECT_EQ(v4.bits(), absl::uint128(0xc0000201u));

  IpAddress v6 = IpAddress::V6(Bits(0x20010db800000000, 1));
  EXPECT_TRUE(v6.is_v6());
  EXPECT_FALSE(v6.is_v4());
  EXPECT_EQ(v6.bit_length(), 128);
  EXPECT_EQ(v6.v6(), Bits(0x20010db800000000, 1));
}

TEST(IpAddress, V4DiffersFromItsMappedForm) {
  IpAddress v4 = IpAddress::V4(0xc0000201);
  IpAddress mapped = IpAddress::V6(Bits(0, 0x0000ffffc0000201));
  EXPECT_NE(v4, mapped);
  EXPECT_TRUE(mapped.is_v4_mapped());
  EXPECT_FALSE(v4.is_v4_mapped());
  EXPECT_EQ(mapped.Unmap(), v4);
  EXPECT_EQ(v4.Unmap(), v4);
}

TEST(IpAddress, UnmapLeavesOtherV6Alone) {
  IpAddress nat64 = IpAddress::V6(Bits(0x0064ff9b00000000, 0xc0000201));
  EXPECT_FALSE(nat64.is_v4_mapped());
  EXPECT_EQ(nat64.Unmap(), nat64);
  IpAddress compatible = IpAddress::V6(Bits(0, 0xc0000201));
  EXPECT_FALSE(compatible.is_v4_mapped());
}

TEST(IpAddress, V4SortsBeforeV6) {
  IpAddress largest_v4 = IpAddress::V4(0xffffffff);
  IpAddress smallest_v6 = IpAddress::V6(0);
  EXPECT_LT(largest_v4, smallest_v6);
  EXPECT_FALSE(smallest_v6 < largest_v4);
  EXPECT_GT(smallest_v6, largest_v4);
  EXPECT_LE(largest_v4, largest_v4);
  EXPECT_GE(smallest_v6, smallest_v6);
}

TEST(IpAddress, OrdersWithinFamilyByValue) {
  EXPECT_LT(IpAddress::V4(1), IpAddress::V4(2));
  EXPECT_LT(IpAddress::V6(Bits(0, 0xffffffffffffffff)),
            IpAddress::V6(Bits(1, 0)));
}

TEST(IpAddress, HashIsConsistentWithEquality) {
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly({
      IpAddress::V4(0),
      IpAddress::V4(0xc0000201),
      IpAddress::V6(0),
      IpAddress::V6(0xc0000201),
      IpAddress::V6(Bits(0, 0x0000ffffc0000201)),
      IpAddress::V6(absl::Uint128Max()),
  }));
}

// Formats `bits` the slow way: eight groups, then the first longest run of
// two or more zero groups replaced by "::".
std::string SlowFormatV6(absl::uint128 bits) {
  std::vector<std::string> groups;
  for (int g = 0; g < 8; ++g) {
    groups.push_back(
        absl::StrFormat("%x", static_cast<uint16_t>(bits >> (112 - 16 * g))));
  }
  int best_start = -1;
  int best_length = 0;
  for (int start = 0; start < 8; ++start) {
    int length = 0;
    while (start + length < 8 && groups[start + length] == "0") ++length;
    if (length >= 2 && length > best_length) {
      best_start = start;
      best_length = length;
    }
  }
  std::string out;
  for (int g = 0; g < 8; ++g) {
    if (g == best_start) {
      out += "::";
      g += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ":";
    out += groups[g];
  }
  return out;
}

// Random 128-bit values with many zero groups, so that every placement of
// "::" comes up.
absl::uint128 RandomV6WithZeroRuns(std::mt19937_64& random) {
  absl::uint128 bits = 0;
  for (int g = 0; g < 8; ++g) {
    uint64_t kind = random() % 4;
    uint16_t group = 0;
    if (kind == 1) group = static_cast<uint16_t>(random() % 16);
    if (kind >= 2) group = static_cast<uint16_t>(random());
    bits = (bits << 16) | group;
  }
  return bits;
}

TEST(IpAddressProperty, V6FormatMatchesSlowFormatter) {
  std::mt19937_64 random(20240601);
  for (int i = 0; i < 20000; ++i) {
    absl::uint128 bits = RandomV6WithZeroRuns(random);
    IpAddress address = IpAddress::V6(bits);
    if (address.is_v4_mapped()) continue;
    ASSERT_EQ(address.ToString(), SlowFormatV6(bits)) << absl::StrFormat(
        "%016x%016x", absl::Uint128High64(bits), absl::Uint128Low64(bits));
  }
}

TEST(IpAddressProperty, FormatThenParseRoundTrips) {
  std::mt19937_64 random(7);
  for (int i = 0; i < 20000; ++i) {
    IpAddress address;
    switch (i % 3) {
      case 0:
        address = IpAddress::V4(static_cast<uint32_t>(random()));
        break;
      case 1:
        address = IpAddress::V6(RandomV6WithZeroRuns(random));
        break;
      default:
        address = IpAddress::V6(
            Bits(0, 0x0000ffff00000000 | static_cast<uint32_t>(random())));
        break;
    }
    std::string text = address.ToString();
    absl::StatusOr<IpAddress> parsed = IpAddress::Parse(text);
    ASSERT_THAT(parsed, IsOk()) << text;
    ASSERT_EQ(*parsed, address) << text;
  }
}

TEST(IpAddressProperty, ExpandedV6ParsesToSameValue) {
  std::mt19937_64 random(11);
  for (int i = 0; i < 5000; ++i) {
    absl::uint128 bits = RandomV6WithZeroRuns(random);
    std::string expanded;
    for (int g = 0; g < 8; ++g) {
      if (g > 0) expanded += ":";
      expanded += absl::StrFormat(
          "%04X", static_cast<uint16_t>(bits >> (112 - 16 * g)));
    }
    ASSERT_OK_AND_ASSIGN(IpAddress parsed, IpAddress::Parse(expanded));
    ASSERT_EQ(parsed, IpAddress::V6(bits)) << expanded;
  }
}

TEST(IpAddressProperty, EveryV4FieldValue) {
  for (int field = 0; field < 256; ++field) {
    std::string text = absl::StrCat("192.0.", field, ".1");
    ASSERT_OK_AND_ASSIGN(IpAddress parsed, IpAddress::Parse(text));
    EXPECT_EQ(parsed.v4(), 0xc0000001u | (static_cast<uint32_t>(field) << 8));
    EXPECT_EQ(parsed.ToString(), text);
  }
}

// Parses `text` with glibc's inet_pton(), an independent implementation of
// the same textual forms: both reject leading zeros in IPv4 fields, zones,
// and IPv4 addresses anywhere but in the last 32 bits.
std::optional<IpAddress> ParseWithGlibc(const std::string& text) {
  unsigned char bytes[16];
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) {
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) value = (value << 8) | bytes[i];
    return IpAddress::V4(value);
  }
  if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) {
    absl::uint128 value = 0;
    for (int i = 0; i < 16; ++i) value = (value << 8) | bytes[i];
    return IpAddress::V6(value);
  }
  return std::nullopt;
}

std::string FormatWithGlibc(absl::uint128 bits) {
  unsigned char bytes[16];
  for (int i = 15; i >= 0; --i) {
    bytes[i] = static_cast<unsigned char>(bits & 0xff);
    bits >>= 8;
  }
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, bytes, text, sizeof(text)) == nullptr) return "";
  return text;
}

TEST(IpAddressDifferential, TableAgreesWithGlibc) {
  for (const ValidCase& test : ValidCases()) {
    std::optional<IpAddress> glibc = ParseWithGlibc(test.input);
    ASSERT_TRUE(glibc.has_value()) << test.name;
    EXPECT_EQ(*glibc, test.expected) << test.name;
  }
  for (const InvalidCase& test : InvalidCases()) {
    if (test.input.find('\0') != std::string::npos) continue;
    EXPECT_FALSE(ParseWithGlibc(test.input).has_value()) << test.name;
  }
}

// Random strings over the characters that matter to the grammar.
TEST(IpAddressDifferential, RandomTextAgreesWithGlibc) {
  static constexpr char kAlphabet[] = "0000111225569aAfF::::....%/ x";
  std::mt19937_64 random(99);
  int accepted = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string text;
    int length = static_cast<int>(random() % 24);
    for (int k = 0; k < length; ++k) {
      text.push_back(kAlphabet[random() % (sizeof(kAlphabet) - 1)]);
    }
    absl::StatusOr<IpAddress> ours = IpAddress::Parse(text);
    std::optional<IpAddress> glibc = ParseWithGlibc(text);
    ASSERT_EQ(ours.ok(), glibc.has_value())
        << "\"" << text << "\": " << ours.status();
    if (ours.ok()) {
      ASSERT_EQ(*ours, *glibc) << text;
      ++accepted;
    }
  }
  // The alphabet must produce valid addresses too, or the test checks little.
  EXPECT_GT(accepted, 500);
}

// Mutations of valid addresses: one character replaced, inserted or removed.
TEST(IpAddressDifferential, MutatedAddressesAgreeWithGlibc) {
  static constexpr char kCharacters[] = "0129afAF:.%/-+ ";
  std::mt19937_64 random(100);
  std::vector<ValidCase> cases = ValidCases();
  for (int i = 0; i < 100000; ++i) {
    std::string text = cases[random() % cases.size()].input;
    size_t position = random() % (text.size() + 1);
    char c = kCharacters[random() % (sizeof(kCharacters) - 1)];
    switch (random() % 3) {
      case 0:
        if (position < text.size()) text[position] = c;
        break;
      case 1:
        text.insert(text.begin() + position, c);
        break;
      default:
        if (position < text.size()) text.erase(position, 1);
        break;
    }
    absl::StatusOr<IpAddress> ours = IpAddress::Parse(text);
    std::optional<IpAddress> glibc = ParseWithGlibc(text);
    ASSERT_EQ(ours.ok(), glibc.has_value())
        << "\"" << text << "\": " << ours.status();
    if (ours.ok()) {
      ASSERT_EQ(*ours, *glibc) << text;
    }
  }
}

// glibc's inet_ntop() follows RFC 5952 too, except that it still prints
// IPv4-compatible addresses (::w.x.y.z, deprecated by RFC 4291) in dotted
// form; those are skipped.
TEST(IpAddressDifferential, V6FormatAgreesWithGlibc) {
  std::mt19937_64 random(101);
  for (int i = 0; i < 50000; ++i) {
    absl::uint128 bits = RandomV6WithZeroRuns(random);
    bool glibc_dotted = (bits >> 32) == 0 && ((bits >> 16) & 0xffff) != 0;
    if (glibc_dotted) continue;
    ASSERT_EQ(IpAddress::V6(bits).ToString(), FormatWithGlibc(bits));
  }
  EXPECT_EQ(IpAddress::V6(absl::MakeUint128(0, 0x0000ffffc0000201)).ToString(),
            FormatWithGlibc(absl::MakeUint128(0, 0x0000ffffc0000201)));
}

}  // namespace
}  // namespace portcullis::net
