// Many threads evaluating one compiled policy set see the answers a single
// thread sees. Runs under ThreadSanitizer with --config=tsan. The inputs are
// built as protos, so the test exercises evaluation and not JSON parsing.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "access/ca_named_locations.h"
#include "access/conditional_access.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"

namespace portcullis::access {
namespace {

ca::Policy Policy(const std::string& id, const std::string& excluded_location,
                  ca::BuiltInControl control) {
  ca::Policy p;
  p.set_id(id);
  p.set_state(ca::POLICY_STATE_ENABLED);
  p.mutable_conditions()->mutable_users()->add_include_users("All");
  p.mutable_conditions()->mutable_applications()->add_include_applications(
      "All");
  if (!excluded_location.empty()) {
    ca::LocationCondition* l = p.mutable_conditions()->mutable_locations();
    l->add_include_locations("All");
    l->add_exclude_locations(excluded_location);
  }
  p.mutable_grant_controls()->set_operator_(ca::GRANT_OPERATOR_OR);
  p.mutable_grant_controls()->add_built_in_controls(control);
  return p;
}

TEST(CaConcurrencyTest, SharedPolicySetGivesSameAnswers) {
  ca::NamedLocation office;
  office.set_id("office");
  office.mutable_ip()->set_is_trusted(true);
  office.mutable_ip()->add_cidr_ranges("192.0.2.0/24");
  ca::NamedLocation nl;
  nl.set_id("nl");
  nl.mutable_country()->add_countries_and_regions("NL");
  absl::StatusOr<NamedLocationSet> locations =
      NamedLocationSet::Create({office, nl});
  ASSERT_TRUE(locations.ok()) << locations.status();

  ca::Policy device =
      Policy("device", "", ca::BUILT_IN_CONTROL_COMPLIANT_DEVICE);
  ca::Filter* filter =
      device.mutable_conditions()->mutable_devices()->mutable_device_filter();
  filter->set_mode(ca::FILTER_MODE_EXCLUDE);
  filter->set_rule("device.displayName -match \"^saw-\"");
  absl::StatusOr<ConditionalAccessPolicySet> compiled =
      ConditionalAccessPolicySet::Compile(
          {Policy("block-abroad", "nl", ca::BUILT_IN_CONTROL_BLOCK),
           Policy("mfa-outside", "AllTrusted", ca::BUILT_IN_CONTROL_MFA),
           device},
          std::make_shared<const NamedLocationSet>(*std::move(locations)));
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const ConditionalAccessPolicySet& set = *compiled;

  std::vector<SignIn> sign_ins;
  for (uint32_t ip : {0xC0000201u, 0xCB007101u}) {  // 192.0.2.1, 203.0.113.1
    for (const char* country : {"NL", "US"}) {
      for (const char* name : {"saw-1", "laptop"}) {
        SignIn s;
        s.user_id = "u";
        s.ip_address = net::IpAddress::V4(ip);
        s.country = country;
        s.device.emplace();
        s.device->Set(DeviceProperty::kDisplayName, name);
        sign_ins.push_back(std::move(s));
      }
    }
  }
  const absl::Time now = absl::FromUnixSeconds(1780000000);
  std::vector<Outcome> expected;
  for (const SignIn& s : sign_ins) {
    expected.push_back(set.Evaluate(s, now).value().outcome);
  }

  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      ConditionalAccessPolicySet copy = set;  // copies share the data
      for (int round = 0; round < 500; ++round) {
        size_t i = (round + t) % sign_ins.size();
        if (copy.Evaluate(sign_ins[i], now).value().outcome != expected[i]) {
          mismatches.fetch_add(1);
        }
        if (copy.Explain(sign_ins[i], now).value().outcome != expected[i]) {
          mismatches.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(expected[0], Outcome::kAllow);         // office, NL, SAW
  EXPECT_EQ(expected[1], Outcome::kRequirements);  // office, NL, laptop
  EXPECT_EQ(expected[7], Outcome::kBlock);         // abroad
}

}  // namespace
}  // namespace portcullis::access
