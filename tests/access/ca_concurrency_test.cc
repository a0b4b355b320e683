// Many threads evaluating one compiled policy set see the answers a single
// thread sees. Runs under ThreadSanitizer with --config=tsan.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "access/conditional_access.h"
#include "gtest/gtest.h"
#include "tests/access/ca_test_util.h"

namespace portcullis::access {
namespace {

using ::portcullis::access::testing::MakeLocations;
using ::portcullis::access::testing::MakePolicy;
using ::portcullis::access::testing::MakeSignIn;
using ::portcullis::access::testing::MustCompile;

TEST(CaConcurrencyTest, SharedPolicySetGivesSameAnswers) {
  auto locations = MakeLocations(R"({"value": [
    {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "office",
     "isTrusted": true, "ipRanges": [{"cidrAddress": "192.0.2.0/24"}]},
    {"@odata.type": "#microsoft.graph.countryNamedLocation", "id": "nl",
     "countriesAndRegions": ["NL"]}]})");
  std::vector<ca::Policy> policies = {
      MakePolicy("block-abroad", R"({"locations": {"includeLocations": ["All"],
          "excludeLocations": ["nl"]}})"),
      MakePolicy("mfa-outside", R"({"locations": {"includeLocations": ["All"],
          "excludeLocations": ["AllTrusted"]}})",
                 R"({"operator": "OR", "builtInControls": ["mfa"]})"),
      MakePolicy(
          "device", R"({"devices": {"deviceFilter": {"mode": "exclude",
          "rule": "device.displayName -match \"^saw-\""}}})",
          R"({"operator": "OR", "builtInControls": ["compliantDevice"]})"),
  };
  ConditionalAccessPolicySet set = MustCompile(policies, locations);

  std::vector<SignIn> sign_ins;
  for (const char* ip : {"192.0.2.1", "203.0.113.1"}) {
    for (const char* country : {"NL", "US"}) {
      for (const char* name : {"saw-1", "laptop"}) {
        sign_ins.push_back(MakeSignIn(absl::StrCat(
            R"({"signInIdentity": {"userId": "u"}, "signInConditions": {
                "ipAddress": ")",
            ip, R"(", "country": ")", country,
            R"(", "deviceInfo": {"displayName": ")", name, R"("}}})")));
      }
    }
  }
  const absl::Time now = absl::FromUnixSeconds(1780000000);
  std::vector<Outcome> expected;
  for (const SignIn& s : sign_ins)
    expected.push_back(set.Evaluate(s, now).outcome);

  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      ConditionalAccessPolicySet copy = set;  // copies share the data
      for (int round = 0; round < 500; ++round) {
        size_t i = (round + t) % sign_ins.size();
        if (copy.Evaluate(sign_ins[i], now).outcome != expected[i]) {
          mismatches.fetch_add(1);
        }
        if (copy.Explain(sign_ins[i], now).outcome != expected[i]) {
          mismatches.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(expected[0], Outcome::kAllow);
  EXPECT_EQ(expected[1], Outcome::kRequirements);
  EXPECT_EQ(expected[7], Outcome::kBlock);
}

}  // namespace
}  // namespace portcullis::access
