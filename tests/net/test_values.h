// Short constructors for net/ values in tests: they parse text and record a
// test failure when the text is invalid.
#ifndef PORTCULLIS_TESTS_NET_TEST_VALUES_H_
#define PORTCULLIS_TESTS_NET_TEST_VALUES_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"

namespace portcullis::net::testing {

// Returns the address `text`, or 0.0.0.0 after a test failure.
inline IpAddress Address(absl::string_view text) {
  absl::StatusOr<IpAddress> address = IpAddress::Parse(text);
  EXPECT_TRUE(address.ok()) << address.status();
  return address.ok() ? *address : IpAddress();
}

// Returns the prefix `text` (strict parse), or 0.0.0.0/0 after a test
// failure.
inline IpPrefix Prefix(absl::string_view text) {
  absl::StatusOr<IpPrefix> prefix = IpPrefix::ParseStrict(text);
  EXPECT_TRUE(prefix.ok()) << prefix.status();
  return prefix.ok() ? *prefix : IpPrefix();
}

// Returns whether any of `prefixes` contains `address`: the obviously correct
// membership test that PrefixSet must agree with.
inline bool LinearContains(const std::vector<IpPrefix>& prefixes,
                           const IpAddress& address) {
  for (const IpPrefix& prefix : prefixes) {
    if (prefix.Contains(address)) return true;
  }
  return false;
}

}  // namespace portcullis::net::testing

#endif  // PORTCULLIS_TESTS_NET_TEST_VALUES_H_
