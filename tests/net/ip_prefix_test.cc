#include "net/ip_prefix.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/hash/hash_testing.h"
#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "tests/net/test_values.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::net {
namespace {

using ::portcullis::net::testing::Address;
using ::portcullis::net::testing::Prefix;
using ::portcullis::testing::IsOk;
using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

// An input that both parsers accept unchanged.
struct ValidCase {
  std::string name;
  std::string input;
  std::string address;
  int length;
  std::string canonical;  // Empty when the input is already canonical.
};

void PrintTo(const ValidCase& test, std::ostream* out) {
  *out << test.name << " (" << test.input << ")";
}

std::vector<ValidCase> ValidCases() {
  return {
      {"v4_slash_24", "192.0.2.0/24", "192.0.2.0", 24, ""},
      {"v4_slash_0", "0.0.0.0/0", "0.0.0.0", 0, ""},
      {"v4_slash_32", "192.0.2.1/32", "192.0.2.1", 32, ""},
      {"v4_slash_31", "198.51.100.6/31", "198.51.100.6", 31, ""},
      {"v4_slash_1_upper_half", "128.0.0.0/1", "128.0.0.0", 1, ""},
      {"v4_bare_address", "203.0.113.9", "203.0.113.9", 32, "203.0.113.9/32"},
      {"v4_broadcast_slash_32", "255.255.255.255/32", "255.255.255.255", 32,
       ""},
      {"v6_slash_32", "2001:db8::/32", "2001:db8::", 32, ""},
      {"v6_slash_0", "::/0", "::", 0, ""},
      {"v6_slash_128", "2001:db8::1/128", "2001:db8::1", 128, ""},
      {"v6_slash_127", "2001:db8::2/127", "2001:db8::2", 127, ""},
      {"v6_slash_64", "2001:db8:0:1::/64", "2001:db8:0:1::", 64, ""},
      {"v6_slash_3", "2000::/3", "2000::", 3, ""},
      {"v6_bare_address", "2001:db8::7", "2001:db8::7", 128, "2001:db8::7/128"},
      {"v6_upper_case", "2001:DB8::/32", "2001:db8::", 32, "2001:db8::/32"},
      {"v6_expanded", "2001:0db8:0000:0000:0000:0000:0000:0000/32",
       "2001:db8::", 32, "2001:db8::/32"},
      {"v6_v4_mapped_slash_96", "::ffff:0.0.0.0/96", "::ffff:0.0.0.0", 96, ""},
      {"v6_v4_mapped_slash_120", "::ffff:192.0.2.0/120", "::ffff:192.0.2.0",
       120, ""},
      {"v6_nat64_slash_96", "64:ff9b::/96", "64:ff9b::", 96, ""},
      {"v6_last_address", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
       "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128, ""},
  };
}

class ValidPrefixTest : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ValidPrefixTest, BothParsersAgree) {
  const ValidCase& test = GetParam();
  ASSERT_OK_AND_ASSIGN(IpPrefix strict, IpPrefix::ParseStrict(test.input));
  ASSERT_OK_AND_ASSIGN(IpPrefix lenient, IpPrefix::ParseLenient(test.input));
  EXPECT_EQ(strict, lenient);

  EXPECT_EQ(strict.address(), Address(test.address));
  EXPECT_EQ(strict.length(), test.length);
  std::string canonical = test.canonical.empty() ? test.input : test.canonical;
  EXPECT_EQ(strict.ToString(), canonical);

  ASSERT_OK_AND_ASSIGN(IpPrefix reparsed, IpPrefix::ParseStrict(canonical));
  EXPECT_EQ(reparsed, strict);
}

INSTANTIATE_TEST_SUITE_P(Cases, ValidPrefixTest,
                         ::testing::ValuesIn(ValidCases()),
                         [](const ::testing::TestParamInfo<ValidCase>& info) {
                           return info.param.name;
                         });

// An input with host bits set: ParseStrict rejects it, ParseLenient masks.
struct HostBitsCase {
  std::string name;
  std::string input;
  std::string masked;
};

void PrintTo(const HostBitsCase& test, std::ostream* out) {
  *out << test.name << " (" << test.input << ")";
}

std::vector<HostBitsCase> HostBitsCases() {
  return {
      {"v4_slash_24", "192.0.2.7/24", "192.0.2.0/24"},
      {"v4_slash_0", "198.51.100.1/0", "0.0.0.0/0"},
      {"v4_slash_31", "192.0.2.7/31", "192.0.2.6/31"},
      {"v4_slash_1", "203.0.113.0/1", "128.0.0.0/1"},
      {"v4_slash_16", "198.51.100.0/16", "198.51.0.0/16"},
      {"v6_slash_32", "2001:db8::1/32", "2001:db8::/32"},
      {"v6_slash_0", "2001:db8::/0", "::/0"},
      {"v6_slash_127", "2001:db8::1/127", "2001:db8::/127"},
      {"v6_slash_64", "2001:db8:0:1:2::/64", "2001:db8:0:1::/64"},
      {"v6_slash_65", "2001:db8::ffff:0:0:0/65", "2001:db8:0:0:8000::/65"},
      {"v6_slash_96_v4_mapped", "::ffff:192.0.2.1/96", "::ffff:0.0.0.0/96"},
  };
}

class HostBitsTest : public ::testing::TestWithParam<HostBitsCase> {};

TEST_P(HostBitsTest, StrictRejectsLenientMasks) {
  const HostBitsCase& test = GetParam();
  EXPECT_THAT(
      IpPrefix::ParseStrict(test.input),
      StatusIs(absl::StatusCode::kInvalidArgument,
               absl::StrCat("invalid IP prefix \"", test.input,
                            "\": host bits are set; expected the network "
                            "address ",
                            test.masked)));

  ASSERT_OK_AND_ASSIGN(IpPrefix lenient, IpPrefix::ParseLenient(test.input));
  EXPECT_EQ(lenient.ToString(), test.masked);
  EXPECT_EQ(lenient, Prefix(test.masked));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HostBitsTest, ::testing::ValuesIn(HostBitsCases()),
    [](const ::testing::TestParamInfo<HostBitsCase>& info) {
      return info.param.name;
    });

// An input that both parsers reject, and a part of the message.
struct InvalidCase {
  std::string name;
  std::string input;
  std::string message;
};

void PrintTo(const InvalidCase& test, std::ostream* out) { *out << test.name; }

std::vector<InvalidCase> InvalidCases() {
  return {
      {"empty", "", "empty"},
      {"only_slash", "/24", "empty"},
      {"empty_length", "192.0.2.0/", "prefix length is empty"},
      {"v4_length_33", "192.0.2.0/33",
       "prefix length 33 is out of range; expected a prefix length from 0 to "
       "32"},
      {"v4_length_128", "192.0.2.0/128", "out of range"},
      {"v6_length_129", "2001:db8::/129",
       "prefix length 129 is out of range; expected a prefix length from 0 "
       "to 128"},
      {"v6_length_1000", "2001:db8::/1000", "out of range"},
      {"overlong_length", "192.0.2.0/" + std::string(100, '9'), "out of range"},
      {"negative_length", "192.0.2.0/-1", "is not a decimal number"},
      {"plus_sign", "192.0.2.0/+24", "is not a decimal number"},
      {"leading_zero", "192.0.2.0/024", "\"024\" has a leading zero"},
      {"leading_zero_v6", "2001:db8::/032", "leading zero"},
      {"zero_zero", "0.0.0.0/00", "leading zero"},
      {"letter_length", "192.0.2.0/q", "is not a decimal number"},
      {"hex_length", "192.0.2.0/0x18", "is not a decimal number"},
      {"dotted_mask", "192.0.2.0/255.255.255.0", "is not a decimal number"},
      {"two_slashes", "192.0.2.0/24/8", "is not a decimal number"},
      {"space_before_slash", "192.0.2.0 /24", "unexpected text"},
      {"space_after_slash", "192.0.2.0/ 24", "is not a decimal number"},
      {"trailing_space", "192.0.2.0/24 ", "is not a decimal number"},
      {"bad_address", "192.0.2.256/24", "field 256 is out of range"},
      {"address_leading_zero", "192.0.2.01/32", "leading zero"},
      {"v4_zone", "192.0.2.0%eth0/24", "zones"},
      {"v6_zone", "2001:db8::%eth0/32", "zones"},
      {"v6_zone_after_length", "fe80::/64%eth0", "is not a decimal number"},
      {"v6_brackets", "[2001:db8::]/32", "unexpected character \"[\""},
      {"word", "any", "unexpected character"},
      {"service_tag", "Internet", "unexpected character"},
      {"asterisk", "*", "unexpected character \"*\""},
      {"range_form", "192.0.2.0-192.0.2.255", "unexpected text"},
  };
}

class InvalidPrefixTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidPrefixTest, BothParsersReject) {
  const InvalidCase& test = GetParam();
  std::string quoted = absl::StrCat("invalid IP prefix \"");
  EXPECT_THAT(
      IpPrefix::ParseStrict(test.input),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(test.message)));
  EXPECT_THAT(IpPrefix::ParseStrict(test.input),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(quoted)));
  EXPECT_THAT(
      IpPrefix::ParseLenient(test.input),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(test.message)));
}

INSTANTIATE_TEST_SUITE_P(Cases, InvalidPrefixTest,
                         ::testing::ValuesIn(InvalidCases()),
                         [](const ::testing::TestParamInfo<InvalidCase>& info) {
                           return info.param.name;
                         });

TEST(IpPrefixParse, AddressErrorNamesWholeInput) {
  EXPECT_THAT(IpPrefix::ParseStrict("192.0.2.256/24"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "invalid IP prefix \"192.0.2.256/24\": invalid IP "
                       "address \"192.0.2.256\": IPv4 field 256 is out of "
                       "range; expected a decimal number from 0 to 255"));
}

TEST(IpPrefixCreate, AcceptsNetworkAddress) {
  ASSERT_OK_AND_ASSIGN(IpPrefix prefix,
                       IpPrefix::Create(Address("192.0.2.0"), 24));
  EXPECT_EQ(prefix.ToString(), "192.0.2.0/24");
}

TEST(IpPrefixCreate, RejectsHostBits) {
  EXPECT_THAT(IpPrefix::Create(Address("192.0.2.1"), 24),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("host bits are set; expected the network "
                                 "address 192.0.2.0/24")));
}

TEST(IpPrefixCreate, RejectsLengthOutOfRange) {
  EXPECT_THAT(IpPrefix::Create(Address("192.0.2.0"), 33),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid prefix length 33")));
  EXPECT_THAT(IpPrefix::Create(Address("192.0.2.0"), -1),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid prefix length -1")));
  EXPECT_THAT(IpPrefix::Create(Address("2001:db8::"), 129),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected 0 to 128")));
  EXPECT_THAT(IpPrefix::Create(Address("2001:db8::"), 128), IsOk());
  EXPECT_THAT(IpPrefix::Create(Address("0.0.0.0"), 0), IsOk());
}

TEST(IpPrefixMasked, ClearsHostBits) {
  EXPECT_EQ(IpPrefix::Masked(Address("192.0.2.77"), 26).ToString(),
            "192.0.2.64/26");
  EXPECT_EQ(IpPrefix::Masked(Address("2001:db8::1"), 0).ToString(), "::/0");
  EXPECT_EQ(IpPrefix::Masked(Address("2001:db8::1"), 128).ToString(),
            "2001:db8::1/128");
}

TEST(IpPrefixMasked, ClampsLength) {
  EXPECT_EQ(IpPrefix::Masked(Address("192.0.2.1"), 40).length(), 32);
  EXPECT_EQ(IpPrefix::Masked(Address("192.0.2.1"), -3).length(), 0);
}

TEST(IpPrefix, AnyPrefixes) {
  EXPECT_EQ(IpPrefix::AnyV4().ToString(), "0.0.0.0/0");
  EXPECT_EQ(IpPrefix::AnyV6().ToString(), "::/0");
  EXPECT_TRUE(IpPrefix::AnyV4().is_v4());
  EXPECT_TRUE(IpPrefix::AnyV6().is_v6());
  EXPECT_EQ(IpPrefix(), IpPrefix::AnyV4());
}

TEST(IpPrefix, FirstAndLast) {
  IpPrefix v4 = Prefix("198.51.100.0/22");
  EXPECT_EQ(v4.first(), Address("198.51.100.0"));
  EXPECT_EQ(v4.last(), Address("198.51.103.255"));

  EXPECT_EQ(IpPrefix::AnyV4().last(), Address("255.255.255.255"));
  EXPECT_EQ(IpPrefix::AnyV6().last(),
            Address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));

  IpPrefix host = Prefix("192.0.2.9/32");
  EXPECT_EQ(host.first(), host.last());

  IpPrefix v6 = Prefix("2001:db8::/32");
  EXPECT_EQ(v6.last(), Address("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
}

// A prefix, an address, and whether the prefix contains it.
struct ContainsCase {
  std::string prefix;
  std::string address;
  bool contains;
};

TEST(IpPrefix, ContainsAddress) {
  std::vector<ContainsCase> cases = {
      {"192.0.2.0/24", "192.0.2.0", true},
      {"192.0.2.0/24", "192.0.2.255", true},
      {"192.0.2.0/24", "192.0.1.255", false},
      {"192.0.2.0/24", "192.0.3.0", false},
      {"0.0.0.0/0", "0.0.0.0", true},
      {"0.0.0.0/0", "255.255.255.255", true},
      {"0.0.0.0/0", "::", false},
      {"0.0.0.0/0", "::ffff:192.0.2.1", false},
      {"192.0.2.1/32", "192.0.2.1", true},
      {"192.0.2.1/32", "192.0.2.2", false},
      {"2000::/3", "2001:db8::1", true},
      {"2000::/3", "fe80::1", false},
      {"::/0", "192.0.2.1", false},
      {"::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true},
      {"::ffff:0.0.0.0/96", "::ffff:192.0.2.1", true},
      {"::ffff:0.0.0.0/96", "192.0.2.1", false},
      {"2001:db8::1/128", "2001:db8::1", true},
      {"2001:db8::1/128", "2001:db8::", false},
      {"2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff", true},
      {"2001:db8::/64", "2001:db8:0:1::", false},
  };
  for (const ContainsCase& test : cases) {
    EXPECT_EQ(Prefix(test.prefix).Contains(Address(test.address)),
              test.contains)
        << test.prefix << " contains " << test.address;
  }
}

// Two prefixes: whether the first contains the second, and whether they
// overlap.
struct PairCase {
  std::string a;
  std::string b;
  bool a_contains_b;
  bool overlaps;
};

TEST(IpPrefix, ContainsPrefixAndOverlaps) {
  std::vector<PairCase> cases = {
      {"192.0.2.0/24", "192.0.2.0/24", true, true},
      {"192.0.2.0/24", "192.0.2.128/25", true, true},
      {"192.0.2.128/25", "192.0.2.0/24", false, true},
      {"192.0.2.0/25", "192.0.2.128/25", false, false},
      {"0.0.0.0/0", "192.0.2.1/32", true, true},
      {"192.0.2.1/32", "0.0.0.0/0", false, true},
      {"0.0.0.0/0", "::/0", false, false},
      {"::/0", "0.0.0.0/0", false, false},
      {"::ffff:0.0.0.0/96", "192.0.2.0/24", false, false},
      {"2001:db8::/32", "2001:db8:1::/48", true, true},
      {"2001:db8::1/128", "2001:db8::2/128", false, false},
      {"100::/8", "::1/128", false, false},
      {"2001:db8::/32", "2001:db9::/32", false, false},
  };
  for (const PairCase& test : cases) {
    IpPrefix a = Prefix(test.a);
    IpPrefix b = Prefix(test.b);
    EXPECT_EQ(a.Contains(b), test.a_contains_b) << test.a << " ⊇ " << test.b;
    EXPECT_EQ(a.Overlaps(b), test.overlaps) << test.a << " ∩ " << test.b;
    EXPECT_EQ(b.Overlaps(a), test.overlaps) << test.b << " ∩ " << test.a;
  }
}

TEST(IpPrefix, OrdersByAddressThenLength) {
  std::vector<IpPrefix> sorted = {
      Prefix("0.0.0.0/0"),      Prefix("192.0.2.0/24"), Prefix("192.0.2.0/25"),
      Prefix("192.0.2.128/25"), Prefix("::/0"),         Prefix("2001:db8::/32"),
  };
  for (size_t i = 0; i + 1 < sorted.size(); ++i) {
    EXPECT_LT(sorted[i], sorted[i + 1]) << sorted[i] << " < " << sorted[i + 1];
    EXPECT_FALSE(sorted[i + 1] < sorted[i]);
    EXPECT_NE(sorted[i], sorted[i + 1]);
  }
}

TEST(IpPrefix, HashIsConsistentWithEquality) {
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly({
      IpPrefix::AnyV4(),
      IpPrefix::AnyV6(),
      Prefix("192.0.2.0/24"),
      Prefix("192.0.2.0/25"),
      Prefix("2001:db8::/32"),
      Prefix("::ffff:192.0.2.0/120"),
  }));
}

TEST(PrefixMask, Edges) {
  EXPECT_EQ(PrefixMask(0, 32), absl::uint128(0));
  EXPECT_EQ(PrefixMask(24, 32), absl::uint128(0xffffff00u));
  EXPECT_EQ(PrefixMask(32, 32), absl::uint128(0xffffffffu));
  EXPECT_EQ(PrefixMask(0, 128), absl::uint128(0));
  EXPECT_EQ(PrefixMask(1, 128), absl::MakeUint128(0x8000000000000000, 0));
  EXPECT_EQ(PrefixMask(64, 128), absl::MakeUint128(~uint64_t{0}, 0));
  EXPECT_EQ(PrefixMask(128, 128), absl::Uint128Max());
}

TEST(IpPrefixProperty, FormatThenParseRoundTrips) {
  std::mt19937_64 random(3);
  for (int i = 0; i < 20000; ++i) {
    bool v6 = i % 2 == 1;
    IpAddress address =
        v6 ? IpAddress::V6(absl::MakeUint128(random(), random()))
           : IpAddress::V4(static_cast<uint32_t>(random()));
    int length = static_cast<int>(random() % (address.bit_length() + 1));
    IpPrefix prefix = IpPrefix::Masked(address, length);

    std::string text = prefix.ToString();
    absl::StatusOr<IpPrefix> strict = IpPrefix::ParseStrict(text);
    ASSERT_THAT(strict, IsOk()) << text;
    ASSERT_EQ(*strict, prefix) << text;

    // Lenient parsing of the unmasked address gives the same prefix, and
    // strict parsing fails exactly when host bits were set.
    std::string unmasked = absl::StrCat(address.ToString(), "/", length);
    absl::StatusOr<IpPrefix> lenient = IpPrefix::ParseLenient(unmasked);
    ASSERT_THAT(lenient, IsOk()) << unmasked;
    ASSERT_EQ(*lenient, prefix) << unmasked;
    ASSERT_EQ(IpPrefix::ParseStrict(unmasked).ok(), address == prefix.address())
        << unmasked;
  }
}

TEST(IpPrefixProperty, ContainsMatchesFirstAndLast) {
  std::mt19937_64 random(5);
  for (int i = 0; i < 20000; ++i) {
    IpPrefix prefix = IpPrefix::Masked(
        IpAddress::V4(0xc0000200 | static_cast<uint32_t>(random() % 256)),
        static_cast<int>(24 + random() % 9));
    IpAddress address =
        IpAddress::V4(0xc0000200 + static_cast<uint32_t>(random() % 512) - 128);
    bool in_bounds = prefix.first() <= address && address <= prefix.last();
    ASSERT_EQ(prefix.Contains(address), in_bounds)
        << prefix << " contains " << address;
  }
}

}  // namespace
}  // namespace portcullis::net
