#include "net/mapped_prefix.h"

#include <utility>

#include "gtest/gtest.h"
#include "net/ip_prefix.h"
#include "tests/net/test_values.h"

namespace portcullis::net {
namespace {

using ::portcullis::net::testing::Prefix;

TEST(UnmapPrefix, GivesMappedIpv4Prefix) {
  const std::pair<const char*, const char*> cases[] = {
      {"::ffff:192.0.2.0/120", "192.0.2.0/24"},
      {"::ffff:192.0.2.1/128", "192.0.2.1/32"},
      {"::ffff:0.0.0.0/96", "0.0.0.0/0"},
      {"::ffff:128.0.0.0/97", "128.0.0.0/1"},
      // Shorter than /96: the prefix contains IPv6 addresses beside the
      // mapped range, so it stays IPv6, also where it contains
      // ::ffff:0:0/96.
      {"::/0", "::/0"},
      {"::/80", "::/80"},
      {"::fffe:0:0/95", "::fffe:0:0/95"},
      // Beside the mapped range.
      {"::fffe:0:0/96", "::fffe:0:0/96"},
      {"64:ff9b::/96", "64:ff9b::/96"},
      {"2001:db8::/32", "2001:db8::/32"},
      {"192.0.2.0/24", "192.0.2.0/24"},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(UnmapPrefix(Prefix(text)), Prefix(expected));
  }
}

TEST(ContainsMappedRange, OnlyPrefixesShorterThan96) {
  for (const char* around : {"::/0", "::/9", "::/80", "::ff00:0:0/88",
                             "::fffe:0:0/95"}) {
    SCOPED_TRACE(around);
    EXPECT_TRUE(ContainsMappedRange(Prefix(around)));
  }
  for (const char* other : {"::ffff:0.0.0.0/96", "::ffff:192.0.2.0/120",
                            "::fffe:0:0/96", "::1/128", "2001:db8::/32",
                            "0.0.0.0/0"}) {
    SCOPED_TRACE(other);
    EXPECT_FALSE(ContainsMappedRange(Prefix(other)));
  }
}

}  // namespace
}  // namespace portcullis::net
