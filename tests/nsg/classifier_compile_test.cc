// CompiledNsg against the reference NSG evaluator: on the real NSG files of
// the shared data folder and on random NSGs that use real service tags, every
// flow must be decided by the same rule.
#include "nsg/compile.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/ip_prefix.h"
#include "nsg/evaluate_rules.h"
#include "nsg/import.h"
#include "nsg/service_tags.h"
#include "tests/nsg/classifier_random_rules.h"
#include "tests/testing/shared_data.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::nsg {
namespace {

using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

constexpr Protocol kProtocols[] = {PROTOCOL_TCP, PROTOCOL_UDP, PROTOCOL_ICMP,
                                   PROTOCOL_ESP, PROTOCOL_AH,  PROTOCOL_ANY};

AddressContext Context() {
  AddressContext context;
  for (const char* text : {"10.0.0.0/16", "192.0.2.0/24", "2001:db8:1::/48"}) {
    absl::StatusOr<net::IpPrefix> prefix = net::IpPrefix::ParseStrict(text);
    if (prefix.ok()) context.virtual_network.push_back(*prefix);
  }
  return context;
}

// An address inside a random prefix of a random rule, or a random one.
net::IpAddress PickAddress(std::mt19937_64& rng, const ResolvedNsg& nsg, bool v6) {
  const std::vector<ResolvedRule>& rules =
      nsg.rules(rng() % 2 ? DIRECTION_INBOUND : DIRECTION_OUTBOUND);
  const ResolvedRule& rule = rules[rng() % rules.size()];
  const net::PrefixSet& set = rng() % 2 ? rule.source : rule.destination;
  std::vector<net::IpPrefix> family;
  for (const net::IpPrefix& prefix : set.prefixes()) {
    if (prefix.is_v4() != v6) family.push_back(prefix);
  }
  const absl::uint128 noise = absl::MakeUint128(rng(), rng());
  if (family.empty() || rng() % 5 == 0) {
    return v6 ? net::IpAddress::V6(noise) : net::IpAddress::V4(static_cast<uint32_t>(rng()));
  }
  const net::IpPrefix& prefix = family[rng() % family.size()];
  switch (rng() % 3) {
    case 0: return prefix.first();
    case 1: return prefix.last();
    default:
      if (v6) {
        return net::IpAddress::V6(prefix.address().v6() | (noise & ~Ipv6Mask(prefix.length())));
      }
      return net::IpAddress::V4(prefix.address().v4() |
                                (static_cast<uint32_t>(rng()) & ~Ipv4Mask(prefix.length())));
  }
}

ResolvedFlow RandomFlow(std::mt19937_64& rng, const ResolvedNsg& nsg) {
  ResolvedFlow flow;
  flow.direction = rng() % 2 ? DIRECTION_INBOUND : DIRECTION_OUTBOUND;
  flow.protocol = kProtocols[rng() % 6];
  const bool v6 = rng() % 4 == 0;
  flow.local = PickAddress(rng, nsg, v6);
  flow.remote = PickAddress(rng, nsg, v6);
  if (HasPorts(flow.protocol)) {
    const uint16_t ports[] = {0, 22, 80, 443, 3389, 65535};
    flow.local_port = rng() % 2 ? ports[rng() % 6] : static_cast<uint16_t>(rng());
    flow.remote_port = static_cast<uint16_t>(rng());
  }
  return flow;
}

void ExpectSameDecisions(const ResolvedNsg& nsg, const CompiledNsg& compiled, uint64_t seed,
                         int flows) {
  std::mt19937_64 rng(seed);
  for (int i = 0; i < flows; ++i) {
    const ResolvedFlow flow = RandomFlow(rng, nsg);
    const ResolvedRule& expected = EvaluateNsg(nsg, flow);
    const ResolvedRule& actual = compiled.Evaluate(flow);
    ASSERT_EQ(actual.reference, expected.reference) << flow.ToString();
    ASSERT_EQ(actual.direction, expected.direction) << flow.ToString();
  }
}

TEST(CompiledNsgTest, RealNsgsAgreeWithReference) {
  std::optional<std::string> shared = ::portcullis::testing::SharedDir();
  if (!shared) GTEST_SKIP() << ::portcullis::testing::kNoSharedDirMessage;
  ASSERT_OK_AND_ASSIGN(std::string tags_json,
                       ::portcullis::testing::ReadFileToString(
                           *shared + "/realdata/servicetags/ServiceTags_Public_20251028.json"));
  ASSERT_OK_AND_ASSIGN(ServiceTags tags, ServiceTags::Load(tags_json));
  ASSERT_OK_AND_ASSIGN(AddressResolver resolver, AddressResolver::Create(tags, Context()));

  const std::string dir = *shared + "/realdata/nsg";
  int compiled_count = 0;
  for (const std::string& name : ::portcullis::testing::ListFiles(dir, ".json")) {
    SCOPED_TRACE(name);
    ASSERT_OK_AND_ASSIGN(std::string bytes,
                         ::portcullis::testing::ReadFileToString(dir + "/" + name));
    absl::StatusOr<ImportResult> imported = ImportNsgs(bytes);
    if (!imported.ok() || !imported->ok()) continue;  // files that Azure rejects
    for (const NetworkSecurityGroup& message : imported->nsgs) {
      absl::StatusOr<ResolvedNsg> resolved = ResolveNsg(message, resolver);
      if (!resolved.ok()) continue;
      ASSERT_OK_AND_ASSIGN(CompiledNsg compiled, CompiledNsg::Compile(*resolved));
      ExpectSameDecisions(*resolved, compiled, compiled_count + 1,
                          20000 / testing::SanitizerSlowdown());
      ++compiled_count;
    }
  }
  EXPECT_GT(compiled_count, 0);
}

// Random NSGs of Azure's rule forms, with real service tags on some sides.
NetworkSecurityGroup RandomNsg(std::mt19937_64& rng) {
  const char* const kEntries[] = {"*",           "VirtualNetwork", "Internet",
                                  "AzureLoadBalancer", "Storage.WestEurope", "AzureCloud.eastus",
                                  "203.0.113.0/24", "198.51.100.7", "10.0.1.0/24",
                                  "2001:db8:1::/64", "0.0.0.0/1", "10.0.0.0/8"};
  const char* const kPorts[] = {"*", "22", "3389", "80-90", "443", "1024-65535", "0"};
  NetworkSecurityGroup nsg;
  nsg.set_name("random");
  const int count = 1 + static_cast<int>(rng() % 40);
  for (int i = 0; i < count; ++i) {
    SecurityRule& rule = *nsg.add_security_rules();
    rule.set_name(absl::StrCat("rule", i));
    rule.set_priority(100 + i * 7);
    rule.set_direction(rng() % 2 ? DIRECTION_INBOUND : DIRECTION_OUTBOUND);
    rule.set_access(rng() % 2 ? ACCESS_ALLOW : ACCESS_DENY);
    rule.set_protocol(kProtocols[rng() % 6]);
    if (rng() % 3 == 0) {
      for (int k = 0; k < 3; ++k) rule.add_source_address_prefixes(kEntries[6 + rng() % 6]);
    } else {
      rule.set_source_address_prefix(kEntries[rng() % 12]);
    }
    rule.set_destination_address_prefix(kEntries[rng() % 12]);
    if (rng() % 3 == 0) {
      rule.add_destination_port_ranges("22");
      rule.add_destination_port_ranges("8080-8090");
    } else {
      rule.set_destination_port_range(kPorts[rng() % 7]);
    }
    rule.set_source_port_range(rng() % 4 == 0 ? "1024-65535" : "*");
  }
  return nsg;
}

TEST(CompiledNsgTest, RandomNsgsAgreeWithReference) {
  std::optional<std::string> shared = ::portcullis::testing::SharedDir();
  if (!shared) GTEST_SKIP() << ::portcullis::testing::kNoSharedDirMessage;
  ASSERT_OK_AND_ASSIGN(std::string tags_json,
                       ::portcullis::testing::ReadFileToString(
                           *shared + "/realdata/servicetags/ServiceTags_Public_20251028.json"));
  ASSERT_OK_AND_ASSIGN(ServiceTags tags, ServiceTags::Load(tags_json));
  ASSERT_OK_AND_ASSIGN(AddressResolver resolver, AddressResolver::Create(tags, Context()));

  std::mt19937_64 rng(3);
  int compiled_count = 0;
  for (int n = 0; n < 12; ++n) {
    absl::StatusOr<ResolvedNsg> resolved = ResolveNsg(RandomNsg(rng), resolver);
    ASSERT_OK(resolved.status());
    ASSERT_OK_AND_ASSIGN(CompiledNsg compiled, CompiledNsg::Compile(*resolved));
    ExpectSameDecisions(*resolved, compiled, 100 + n, 10000 / testing::SanitizerSlowdown());
    ++compiled_count;
  }
  EXPECT_EQ(compiled_count, 12);
}

TEST(CompiledNsgTest, UnspecifiedProtocolIsRejected) {
  EXPECT_THAT(CompiledProtocol(PROTOCOL_UNSPECIFIED),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("protocol: invalid value 0")));
}

}  // namespace
}  // namespace portcullis::nsg
