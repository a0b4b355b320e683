// Compares the fast address and prefix parsers with the reference parsers:
// on every input both must accept or both reject, and an accepted input must
// give the same value. The inputs are named edge cases, every short string
// over the characters of the grammar, generated valid texts in all their
// spellings, and random mutations of those.
#include "net/internal/ip_parse.h"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"

namespace portcullis::net::internal {
namespace {

std::string Show(absl::string_view text) {
  return absl::StrCat("\"", absl::CHexEscape(text), "\"");
}

// Compares the two address parsers on `text`. Returns true when both accept.
bool AddressParsersAgree(absl::string_view text) {
  std::optional<ParsedAddress> fast = ParseAddressFast(text);
  absl::StatusOr<ParsedAddress> reference = ParseAddressReference(text);
  EXPECT_EQ(fast.has_value(), reference.ok())
      << Show(text) << ": " << reference.status();
  if (fast.has_value() && reference.ok()) {
    EXPECT_TRUE(*fast == *reference) << Show(text);
  }
  return fast.has_value() && reference.ok();
}

// Compares the two prefix parsers on `text`. Returns true when both accept.
bool PrefixParsersAgree(absl::string_view text) {
  std::optional<ParsedPrefix> fast = ParsePrefixFast(text);
  absl::StatusOr<ParsedPrefix> reference = ParsePrefixReference(text);
  EXPECT_EQ(fast.has_value(), reference.ok())
      << Show(text) << ": " << reference.status();
  if (fast.has_value() && reference.ok()) {
    EXPECT_TRUE(*fast == *reference) << Show(text);
  }
  return fast.has_value() && reference.ok();
}

struct EdgeCase {
  std::string name;
  std::string input;
  bool valid;
};

std::vector<EdgeCase> AddressEdgeCases() {
  return {
      {"empty", "", false},
      {"v4", "192.0.2.1", true},
      {"v4_zero", "0.0.0.0", true},
      {"v4_all_ones", "255.255.255.255", true},
      {"v4_field_256", "192.0.2.256", false},
      {"v4_field_999", "192.0.999.1", false},
      {"v4_field_four_digits", "192.0.2.1000", false},
      {"v4_leading_zero", "192.0.2.01", false},
      {"v4_double_zero", "192.0.2.00", false},
      {"v4_three_fields", "192.0.2", false},
      {"v4_five_fields", "192.0.2.1.5", false},
      {"v4_empty_field", "192..2.1", false},
      {"v4_trailing_dot", "192.0.2.1.", false},
      {"v4_leading_dot", ".192.0.2.1", false},
      {"v4_sign", "+192.0.2.1", false},
      {"v4_space", "192.0.2.1 ", false},
      {"v4_hex_field", "192.0.2.a", false},
      {"v4_nul", std::string("192.0.2.1\0", 10), false},
      {"v4_with_length", "192.0.2.0/24", false},
      {"v4_zone", "192.0.2.1%eth0", false},
      {"v6_unspecified", "::", true},
      {"v6_loopback", "::1", true},
      {"v6_trailing_elision", "2001:db8::", true},
      {"v6_full", "2001:db8:1:2:3:4:5:6", true},
      {"v6_full_upper", "2001:DB8:ABCD:EF01:2345:6789:AbCd:eF00", true},
      {"v6_four_digit_zeros", "0000:0000:0000:0000:0000:0000:0000:0000", true},
      {"v6_nine_groups", "1:2:3:4:5:6:7:8:9", false},
      {"v6_seven_groups", "1:2:3:4:5:6:7", false},
      {"v6_eight_groups_and_elision", "1:2:3:4::5:6:7:8", false},
      {"v6_seven_groups_and_elision", "1:2:3:4::5:6:7", true},
      {"v6_five_digit_group", "2001:db8::12345", false},
      {"v6_triple_colon", ":::", false},
      {"v6_triple_colon_inside", "1:::2", false},
      {"v6_two_elisions", "1::2::3", false},
      {"v6_single_leading_colon", ":1::2", false},
      {"v6_single_trailing_colon", "1::2:", false},
      {"v6_single_colon", ":", false},
      {"v6_non_hex", "2001:db8::g", false},
      {"v6_zone", "fe80::1%eth0", false},
      {"v6_brackets", "[2001:db8::1]", false},
      {"v6_with_length", "2001:db8::/32", false},
      {"v6_mapped", "::ffff:192.0.2.1", true},
      {"v6_compatible", "::192.0.2.1", true},
      {"v6_six_groups_and_v4", "1:2:3:4:5:6:192.0.2.1", true},
      {"v6_seven_groups_and_v4", "1:2:3:4:5:6:7:192.0.2.1", false},
      {"v6_five_groups_and_v4", "1:2:3:4:5:192.0.2.1", false},
      {"v6_six_groups_elision_and_v4", "1:2:3:4:5:6::192.0.2.1", false},
      {"v6_five_groups_elision_and_v4", "1:2:3:4:5::192.0.2.1", true},
      {"v6_v4_then_group", "::192.0.2.1:1", false},
      {"v6_v4_then_elision", "1::192.0.2.1::", false},
      {"v6_v4_leading_zero", "::ffff:192.0.2.01", false},
      {"v6_v4_field_256", "::ffff:192.0.2.256", false},
      {"v6_v4_hex_field", "::ffff:1a.0.2.1", false},
      {"v6_v4_three_fields", "::ffff:192.0.2", false},
      {"v6_v4_empty_first_field", "::.0.2.1", false},
      {"v6_v4_at_start", "192.0.2.1::", false},
      {"v6_elision_v4_only", "::0.0.0.0", true},
  };
}

TEST(IpParseDifferential, AddressEdgeCases) {
  for (const EdgeCase& test : AddressEdgeCases()) {
    SCOPED_TRACE(test.name);
    EXPECT_EQ(AddressParsersAgree(test.input), test.valid);
  }
}

TEST(IpParseDifferential, PrefixEdgeCases) {
  const std::vector<EdgeCase> cases = {
      {"v4_slash_24", "192.0.2.0/24", true},
      {"v4_host_bits", "192.0.2.77/24", true},
      {"v4_slash_0", "0.0.0.0/0", true},
      {"v4_slash_32", "192.0.2.1/32", true},
      {"v4_slash_33", "192.0.2.1/33", false},
      {"v4_bare", "203.0.113.9", true},
      {"v4_empty_length", "192.0.2.0/", false},
      {"v4_leading_zero_length", "192.0.2.0/024", false},
      {"v4_zero_zero_length", "0.0.0.0/00", false},
      {"v4_four_digit_length", "192.0.2.0/0024", false},
      {"v4_signed_length", "192.0.2.0/+24", false},
      {"v4_negative_length", "192.0.2.0/-1", false},
      {"v4_spaced_length", "192.0.2.0/ 24", false},
      {"v4_two_slashes", "192.0.2.0/24/8", false},
      {"v4_dotted_mask", "192.0.2.0/255.255.255.0", false},
      {"only_slash", "/", false},
      {"only_length", "/24", false},
      {"empty", "", false},
      {"v6_slash_32", "2001:db8::/32", true},
      {"v6_slash_0", "::/0", true},
      {"v6_slash_128", "2001:db8::1/128", true},
      {"v6_slash_129", "2001:db8::1/129", false},
      {"v6_slash_999", "2001:db8::1/999", false},
      {"v6_slash_1000", "2001:db8::1/1000", false},
      {"v6_bare", "2001:db8::7", true},
      {"v6_mapped_slash_96", "::ffff:0.0.0.0/96", true},
      {"v6_zone_before_length", "2001:db8::%eth0/32", false},
      {"v6_zone_after_length", "fe80::/64%eth0", false},
  };
  for (const EdgeCase& test : cases) {
    SCOPED_TRACE(test.name);
    EXPECT_EQ(PrefixParsersAgree(test.input), test.valid);
  }
  for (const EdgeCase& test : AddressEdgeCases()) {
    SCOPED_TRACE(test.name);
    PrefixParsersAgree(test.input);
    PrefixParsersAgree(test.input + "/0");
    PrefixParsersAgree(test.input + "/32");
    PrefixParsersAgree(test.input + "/128");
  }
}

// Every string of up to seven characters over an alphabet that reaches each
// branch of the grammar: digits, hex letters, ':', '.', '/'.
TEST(IpParseDifferential, EveryShortString) {
  static constexpr char kAlphabet[] = "01a:./";
  constexpr int kSymbols = sizeof(kAlphabet) - 1;
  int accepted = 0;
  for (int length = 0; length <= 7; ++length) {
    std::vector<int> digits(length, 0);
    while (true) {
      std::string text;
      for (int d : digits) text.push_back(kAlphabet[d]);
      if (PrefixParsersAgree(text)) ++accepted;
      if (AddressParsersAgree(text)) ++accepted;
      if (::testing::Test::HasFailure()) return;

      int position = 0;
      while (position < length && ++digits[position] == kSymbols) {
        digits[position++] = 0;
      }
      if (position == length) break;
    }
  }
  // "::", "::1", "1::a", "::/0" and the like must be among them.
  EXPECT_GT(accepted, 1000);
}

// Returns a valid text of a random address, in one of the spellings the
// grammar allows: IPv4; IPv6 with or without leading zeros, in either case,
// with "::" at any run of zero groups, and with an embedded IPv4 tail.
std::string RandomAddressText(std::mt19937_64& random) {
  if (random() % 2 == 0) {
    uint32_t bits = static_cast<uint32_t>(random());
    if (random() % 4 == 0) bits &= 0xff00ff00;  // Zero fields.
    return IpAddress::V4(bits).ToString();
  }

  uint16_t groups[8];
  for (uint16_t& group : groups) {
    switch (random() % 4) {
      case 0:
        group = 0;
        break;
      case 1:
        group = static_cast<uint16_t>(random() % 16);
        break;
      default:
        group = static_cast<uint16_t>(random());
        break;
    }
  }
  bool v4_tail = random() % 5 == 0;
  int written = v4_tail ? 6 : 8;
  // Elide the zero run [start, end), if the start group is zero.
  int start = static_cast<int>(random() % (written + 1));
  int end = start;
  while (end < written && groups[end] == 0 && random() % 4 != 0) ++end;
  bool elide = end > start && random() % 4 != 0;

  std::string text;
  for (int g = 0; g < written; ++g) {
    if (elide && g == start) {
      text += "::";
      g = end - 1;
      continue;
    }
    if (!text.empty() && text.back() != ':') text += ":";
    const char* format = random() % 3 == 0   ? "%04x"
                         : random() % 2 == 0 ? "%x"
                                             : "%X";
    text += absl::StrFormat(format, groups[g]);
  }
  if (v4_tail) {
    if (!text.empty() && text.back() != ':') text += ":";
    text += IpAddress::V4(static_cast<uint32_t>(random())).ToString();
  }
  return text;
}

TEST(IpParseDifferential, GeneratedAddresses) {
  std::mt19937_64 random(20261205);
  for (int i = 0; i < 100000; ++i) {
    std::string text = RandomAddressText(random);
    EXPECT_TRUE(AddressParsersAgree(text)) << Show(text);
    std::string prefix = absl::StrCat(text, "/", random() % 131);
    PrefixParsersAgree(prefix);
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(IpParseDifferential, MutatedAddresses) {
  static constexpr char kCharacters[] = "0125789afAFgG:.%/-+ \0";
  std::mt19937_64 random(20261206);
  for (int i = 0; i < 200000; ++i) {
    std::string text = RandomAddressText(random);
    if (random() % 2 == 0) absl::StrAppend(&text, "/", random() % 140);
    int mutations = 1 + static_cast<int>(random() % 3);
    for (int m = 0; m < mutations; ++m) {
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
    }
    AddressParsersAgree(text);
    PrefixParsersAgree(text);
    if (::testing::Test::HasFailure()) return;
  }
}

// IPv4 prefixes assembled from fields of every width, valid or not, with
// every separator and length suffix that the padded IPv4 reader of the fast
// parser checks, at every text size it reads (8 to 18 bytes) and around it.
TEST(IpParseDifferential, IpV4FieldCombinations) {
  const std::vector<std::string> fields = {"",    "0",   "7",   "00",  "01",
                                           "10",  "99",  "100", "199", "255",
                                           "256", "300", "999", "012", "1000"};
  const std::vector<std::string> separators = {".", "/", ":", "a",
                                               std::string(1, '\0')};
  const std::vector<std::string> suffixes = {
      "",    "/",   "/0",   "/9",   "/10", "/32", "/33", "/99",
      "/03", "/00", "/100", "/032", "/x",  "/3/", "/1.", std::string("/1\0", 3),
      ".",   ".5",  "a",    " "};
  int accepted = 0;
  for (const std::string& a : fields) {
    for (const std::string& b : fields) {
      for (const std::string& c : fields) {
        for (const std::string& d : fields) {
          std::string address = absl::StrCat(a, ".", b, ".", c, ".", d);
          for (const std::string& suffix : suffixes) {
            if (PrefixParsersAgree(address + suffix)) ++accepted;
          }
          if (::testing::Test::HasFailure()) return;
        }
      }
    }
  }
  // A wrong separator in each position.
  for (const std::string& separator : separators) {
    for (int position = 0; position < 3; ++position) {
      std::vector<std::string> chosen = {".", ".", "."};
      chosen[position] = separator;
      for (const std::string& suffix : suffixes) {
        PrefixParsersAgree(absl::StrCat("192", chosen[0], "0", chosen[1], "2",
                                        chosen[2], "123", suffix));
        PrefixParsersAgree(absl::StrCat("1", chosen[0], "2", chosen[1], "3",
                                        chosen[2], "4", suffix));
      }
    }
  }
  EXPECT_GT(accepted, 10000);
}

// The public parsers take their messages from the reference parsers.
TEST(IpParseDifferential, PublicErrorsComeFromReference) {
  for (absl::string_view text :
       {"192.0.2.256", "2001:db8::g", "", "1::2::3", "192.0.2.0/24"}) {
    EXPECT_EQ(IpAddress::Parse(text).status(),
              ParseAddressReference(text).status())
        << Show(text);
  }
  for (absl::string_view text :
       {"192.0.2.0/33", "192.0.2.0/024", "2001:db8::/", "x/24"}) {
    EXPECT_EQ(IpPrefix::ParseLenient(text).status(),
              ParsePrefixReference(text).status())
        << Show(text);
    EXPECT_EQ(IpPrefix::ParseStrict(text).status(),
              ParsePrefixReference(text).status())
        << Show(text);
  }
}

}  // namespace
}  // namespace portcullis::net::internal
