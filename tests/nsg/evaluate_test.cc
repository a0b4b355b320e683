#include "nsg/evaluate.h"

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nsg/evaluate_rules.h"
#include "tests/nsg/evaluate_test_util.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::nsg {
namespace {

using ::portcullis::nsg::testing::InboundAllow;
using ::portcullis::nsg::testing::InboundDeny;
using ::portcullis::nsg::testing::MakeFlow;
using ::portcullis::nsg::testing::Nsg;
using ::portcullis::nsg::testing::OutboundRule;
using ::portcullis::nsg::testing::Resolver;
using ::portcullis::nsg::testing::Rule;
using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

ResolvedNsg MustResolve(const NetworkSecurityGroup& nsg,
                        const AddressResolver& resolver) {
  absl::StatusOr<ResolvedNsg> resolved = ResolveNsg(nsg, resolver);
  EXPECT_TRUE(resolved.ok()) << resolved.status();
  if (!resolved.ok()) std::abort();
  return *std::move(resolved);
}

ResolvedFlow MustFlow(const Flow& flow) {
  absl::StatusOr<ResolvedFlow> resolved = ResolvedFlow::FromProto(flow);
  EXPECT_TRUE(resolved.ok()) << resolved.status();
  if (!resolved.ok()) std::abort();
  return *resolved;
}

// An expected stage: attachment, access and deciding rule.
struct ExpectedStage {
  Attachment attachment;
  Access access;
  std::string rule;
};

void ExpectVerdict(const absl::StatusOr<Verdict>& verdict, Access access,
                   const std::string& rule,
                   const std::vector<ExpectedStage>& stages,
                   const std::string& name) {
  ASSERT_TRUE(verdict.ok()) << name << ": " << verdict.status();
  EXPECT_EQ(verdict->access(), access) << name;
  EXPECT_EQ(verdict->rule(), rule) << name;
  ASSERT_EQ(verdict->stages_size(), static_cast<int>(stages.size())) << name;
  for (size_t i = 0; i < stages.size(); ++i) {
    const Stage& stage = verdict->stages(static_cast<int>(i));
    EXPECT_EQ(stage.attachment(), stages[i].attachment) << name << " stage " << i;
    EXPECT_EQ(stage.access(), stages[i].access) << name << " stage " << i;
    EXPECT_EQ(stage.rule(), stages[i].rule) << name << " stage " << i;
  }
}

constexpr Attachment kSubnet = ATTACHMENT_SUBNET;
constexpr Attachment kNic = ATTACHMENT_NETWORK_INTERFACE;

// Azure's documented example of subnet and NIC NSGs: NSG1 on Subnet1 (VM1,
// VM2), NSG2 on the NIC of VM1 and of VM3 (in Subnet2, which has no NSG),
// and VM4 in Subnet3 without any NSG. Traffic is TCP port 80 from the
// Internet.
class MultiVmExampleTest : public ::testing::Test {
 protected:
  const AddressResolver resolver_ = Resolver({"10.0.0.0/16"});
  const SecurityRule allow_http_ =
      InboundAllow("AllowHttpInBound", 200, "Internet", "80");

  ResolvedNsg Nsg1(bool allows_http) {
    return MustResolve(
        Nsg("NSG1", allows_http ? std::vector<SecurityRule>{allow_http_}
                                : std::vector<SecurityRule>{}),
        resolver_);
  }
  ResolvedNsg Nsg2(std::vector<SecurityRule> rules) {
    return MustResolve(Nsg("NSG2", rules), resolver_);
  }

  const ResolvedFlow http_in_ = MustFlow(MakeFlow(
      DIRECTION_INBOUND, PROTOCOL_TCP, "10.0.1.4", 80, "203.0.113.9", 50000));
  const ResolvedFlow http_out_ = MustFlow(MakeFlow(
      DIRECTION_OUTBOUND, PROTOCOL_TCP, "10.0.1.4", 50000, "203.0.113.9", 80));
};

TEST_F(MultiVmExampleTest, Vm1DeniedBySubnetWithoutAllowRule) {
  ResolvedNsg nsg1 = Nsg1(false);
  ResolvedNsg nsg2 = Nsg2({allow_http_});
  ExpectVerdict(EvaluateFlow({&nsg1, &nsg2}, http_in_), ACCESS_DENY,
                "defaultSecurityRules/DenyAllInBound",
                {{kSubnet, ACCESS_DENY, "defaultSecurityRules/DenyAllInBound"}},
                "NSG2 is never evaluated");
}

TEST_F(MultiVmExampleTest, Vm1NeedsAllowInBothNsgs) {
  ResolvedNsg nsg1 = Nsg1(true);
  ResolvedNsg nsg2_without = Nsg2({});
  ResolvedNsg nsg2_with = Nsg2({allow_http_});
  ExpectVerdict(
      EvaluateFlow({&nsg1, &nsg2_without}, http_in_), ACCESS_DENY,
      "defaultSecurityRules/DenyAllInBound",
      {{kSubnet, ACCESS_ALLOW, "securityRules/AllowHttpInBound"},
       {kNic, ACCESS_DENY, "defaultSecurityRules/DenyAllInBound"}},
      "only the subnet allows");
  ExpectVerdict(EvaluateFlow({&nsg1, &nsg2_with}, http_in_), ACCESS_ALLOW,
                "securityRules/AllowHttpInBound",
                {{kSubnet, ACCESS_ALLOW, "securityRules/AllowHttpInBound"},
                 {kNic, ACCESS_ALLOW, "securityRules/AllowHttpInBound"}},
                "both allow");
}

TEST_F(MultiVmExampleTest, Vm2FollowsSubnetNsgAlone) {
  ResolvedNsg allows = Nsg1(true);
  ResolvedNsg denies = Nsg1(false);
  ExpectVerdict(EvaluateFlow({&allows, nullptr}, http_in_), ACCESS_ALLOW,
                "securityRules/AllowHttpInBound",
                {{kSubnet, ACCESS_ALLOW, "securityRules/AllowHttpInBound"}},
                "subnet allows");
  ExpectVerdict(EvaluateFlow({&denies, nullptr}, http_in_), ACCESS_DENY,
                "defaultSecurityRules/DenyAllInBound",
                {{kSubnet, ACCESS_DENY, "defaultSecurityRules/DenyAllInBound"}},
                "subnet denies");
}

TEST_F(MultiVmExampleTest, Vm3FollowsNicNsgAlone) {
  ResolvedNsg nsg2 = Nsg2({allow_http_});
  ExpectVerdict(EvaluateFlow({nullptr, &nsg2}, http_in_), ACCESS_ALLOW,
                "securityRules/AllowHttpInBound",
                {{kNic, ACCESS_ALLOW, "securityRules/AllowHttpInBound"}},
                "NIC allows");
}

TEST_F(MultiVmExampleTest, Vm4WithoutNsgIsAnError) {
  EXPECT_THAT(EvaluateFlow({nullptr, nullptr}, http_in_),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("no network security group")));
}

TEST_F(MultiVmExampleTest, OutboundGoesNicFirstThenSubnet) {
  ResolvedNsg nsg1 = Nsg1(false);
  ResolvedNsg nsg2 = Nsg2({});
  ExpectVerdict(
      EvaluateFlow({&nsg1, &nsg2}, http_out_), ACCESS_ALLOW,
      "defaultSecurityRules/AllowInternetOutBound",
      {{kNic, ACCESS_ALLOW, "defaultSecurityRules/AllowInternetOutBound"},
       {kSubnet, ACCESS_ALLOW, "defaultSecurityRules/AllowInternetOutBound"}},
      "defaults allow");

  ResolvedNsg nsg2_deny =
      Nsg2({OutboundRule("DenyHttpOutBound", 100, ACCESS_DENY, "Internet", "80")});
  ExpectVerdict(EvaluateFlow({&nsg1, &nsg2_deny}, http_out_), ACCESS_DENY,
                "securityRules/DenyHttpOutBound",
                {{kNic, ACCESS_DENY, "securityRules/DenyHttpOutBound"}},
                "NIC denies; NSG1 is never evaluated");

  ResolvedNsg nsg1_deny = MustResolve(
      Nsg("NSG1", {OutboundRule("DenyHttpOutBound", 100, ACCESS_DENY,
                                "Internet", "80")}),
      resolver_);
  ExpectVerdict(
      EvaluateFlow({&nsg1_deny, &nsg2}, http_out_), ACCESS_DENY,
      "securityRules/DenyHttpOutBound",
      {{kNic, ACCESS_ALLOW, "defaultSecurityRules/AllowInternetOutBound"},
       {kSubnet, ACCESS_DENY, "securityRules/DenyHttpOutBound"}},
      "subnet denies after the NIC allowed");
}

// One NSG, one flow, one expected deciding rule.
struct SingleCase {
  std::string name;
  std::vector<SecurityRule> rules;
  Flow flow;
  Access access;
  std::string rule;
  std::vector<std::string> vnet = {"10.0.0.0/16"};
  EvaluateOptions options = {};
};

class SingleNsgTest : public ::testing::TestWithParam<SingleCase> {};

TEST_P(SingleNsgTest, DecidesByFirstMatch) {
  const SingleCase& c = GetParam();
  AddressResolver resolver = Resolver(c.vnet);
  ResolvedNsg nsg = MustResolve(Nsg("nsg", c.rules), resolver);
  absl::StatusOr<Verdict> verdict =
      EvaluateFlow({&nsg, nullptr}, MustFlow(c.flow), c.options);
  ASSERT_TRUE(verdict.ok()) << verdict.status();
  EXPECT_EQ(verdict->access(), c.access);
  EXPECT_EQ(verdict->rule(), c.rule);
}

Flow In(Protocol protocol, const std::string& local, uint32_t local_port,
        const std::string& remote, uint32_t remote_port) {
  return MakeFlow(DIRECTION_INBOUND, protocol, local, local_port, remote,
                  remote_port);
}

Flow Out(Protocol protocol, const std::string& local, uint32_t local_port,
         const std::string& remote, uint32_t remote_port) {
  return MakeFlow(DIRECTION_OUTBOUND, protocol, local, local_port, remote,
                  remote_port);
}

EvaluateOptions NoPlatformExemption() {
  EvaluateOptions options;
  options.platform_exemption = false;
  return options;
}

SecurityRule WithPlural(SecurityRule rule, std::vector<std::string> ports) {
  rule.clear_destination_port_range();
  for (const std::string& port : ports) rule.add_destination_port_ranges(port);
  return rule;
}

SecurityRule WithSourceList(SecurityRule rule,
                            std::vector<std::string> prefixes) {
  rule.clear_source_address_prefix();
  for (const std::string& prefix : prefixes) {
    rule.add_source_address_prefixes(prefix);
  }
  return rule;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SingleNsgTest,
    ::testing::Values(
        SingleCase{"LowerPriorityNumberWinsWhateverTheOrder",
                   {InboundAllow("AllowSsh", 300, "*", "22"),
                    InboundDeny("DenySsh", 200, "*", "22")},
                   In(PROTOCOL_TCP, "10.0.1.4", 22, "203.0.113.9", 50000),
                   ACCESS_DENY,
                   "securityRules/DenySsh"},
        SingleCase{"SamePriorityInBothDirectionsIsFine",
                   {InboundAllow("AllowSsh", 100, "*", "22"),
                    OutboundRule("DenyAllOut", 100, ACCESS_DENY, "*", "*")},
                   In(PROTOCOL_TCP, "10.0.1.4", 22, "203.0.113.9", 50000),
                   ACCESS_ALLOW,
                   "securityRules/AllowSsh"},
        SingleCase{"UnmatchedInternetFlowHitsDenyAllInBound",
                   {InboundAllow("AllowHttps", 100, "*", "443")},
                   In(PROTOCOL_TCP, "10.0.1.4", 22, "203.0.113.9", 50000),
                   ACCESS_DENY,
                   "defaultSecurityRules/DenyAllInBound"},
        SingleCase{"VnetPeerAllowedByDefault",
                   {},
                   In(PROTOCOL_TCP, "10.0.1.4", 22, "10.0.2.9", 50000),
                   ACCESS_ALLOW,
                   "defaultSecurityRules/AllowVnetInBound"},
        SingleCase{"LoadBalancerProbeAllowedByDefault",
                   {},
                   In(PROTOCOL_TCP, "10.0.1.4", 80, "168.63.129.16", 50000),
                   ACCESS_ALLOW,
                   // VirtualNetwork holds 168.63.129.16, and its rule comes
                   // first (65000 before 65001).
                   "defaultSecurityRules/AllowVnetInBound"},
        SingleCase{"DenyVirtualNetworkBlocksProbes",
                   {InboundDeny("DenyVnet", 200, "VirtualNetwork", "*")},
                   In(PROTOCOL_TCP, "10.0.1.4", 80, "168.63.129.16", 50000),
                   ACCESS_DENY,
                   "securityRules/DenyVnet"},
        SingleCase{"ProbeAllowRuleAheadOfDenyVirtualNetwork",
                   {InboundAllow("AllowProbes", 100, "AzureLoadBalancer", "*",
                                 PROTOCOL_ANY),
                    InboundDeny("DenyVnet", 200, "VirtualNetwork", "*")},
                   In(PROTOCOL_TCP, "10.0.1.4", 80, "168.63.129.16", 50000),
                   ACCESS_ALLOW,
                   "securityRules/AllowProbes"},
        SingleCase{"ForcedTunnellingMakesVnetRuleAllowAll",
                   {},
                   In(PROTOCOL_TCP, "10.0.1.4", 22, "203.0.113.9", 50000),
                   ACCESS_ALLOW,
                   "defaultSecurityRules/AllowVnetInBound",
                   {"10.0.0.0/16", "0.0.0.0/0"}},
        SingleCase{"ForcedTunnellingMakesDenyVnetBlockInternet",
                   {OutboundRule("DenyVnetOut", 100, ACCESS_DENY,
                                 "VirtualNetwork", "*")},
                   Out(PROTOCOL_TCP, "10.0.1.4", 50000, "203.0.113.9", 443),
                   ACCESS_DENY,
                   "securityRules/DenyVnetOut",
                   {"10.0.0.0/16", "0.0.0.0/0"}},
        SingleCase{"InternetOutboundAllowedByDefault",
                   {},
                   Out(PROTOCOL_TCP, "10.0.1.4", 50000, "203.0.113.9", 443),
                   ACCESS_ALLOW,
                   "defaultSecurityRules/AllowInternetOutBound"},
        SingleCase{"PrivateSpaceOutsideVnetDeniedOutbound",
                   {},
                   Out(PROTOCOL_TCP, "10.0.1.4", 50000, "192.168.7.9", 443),
                   ACCESS_DENY,
                   "defaultSecurityRules/DenyAllOutBound"},
        SingleCase{"PlatformDnsIsNotFiltered",
                   {OutboundRule("DenyEverything", 100, ACCESS_DENY, "*", "*")},
                   Out(PROTOCOL_UDP, "10.0.1.4", 50000, "168.63.129.16", 53),
                   ACCESS_ALLOW,
                   "platformExemption"},
        SingleCase{"InstanceMetadataIsNotFiltered",
                   {OutboundRule("DenyEverything", 100, ACCESS_DENY, "*", "*")},
                   Out(PROTOCOL_TCP, "10.0.1.4", 50000, "169.254.169.254", 80),
                   ACCESS_ALLOW,
                   "platformExemption"},
        SingleCase{"PlatformExemptionCanBeTurnedOff",
                   {OutboundRule("DenyEverything", 100, ACCESS_DENY, "*", "*")},
                   Out(PROTOCOL_UDP, "10.0.1.4", 50000, "168.63.129.16", 53),
                   ACCESS_DENY,
                   "securityRules/DenyEverything",
                   {"10.0.0.0/16"},
                   NoPlatformExemption()},
        SingleCase{"InboundFromPlatformAddressIsFiltered",
                   {InboundDeny("DenyEverything", 100, "*", "*")},
                   In(PROTOCOL_TCP, "10.0.1.4", 80, "168.63.129.16", 50000),
                   ACCESS_DENY,
                   "securityRules/DenyEverything"},
        SingleCase{"NeighbourOfPlatformAddressIsFiltered",
                   {OutboundRule("DenyEverything", 100, ACCESS_DENY, "*", "*")},
                   Out(PROTOCOL_UDP, "10.0.1.4", 50000, "168.63.129.17", 53),
                   ACCESS_DENY,
                   "securityRules/DenyEverything"},
        SingleCase{"PluralPortRangesMatchEachEntry",
                   {WithPlural(InboundAllow("AllowWeb", 100, "*", ""),
                               {"80", "443", "8000-8080"})},
                   In(PROTOCOL_TCP, "10.0.1.4", 8080, "203.0.113.9", 50000),
                   ACCESS_ALLOW,
                   "securityRules/AllowWeb"},
        SingleCase{"PortJustOutsideRangeFallsThrough",
                   {WithPlural(InboundAllow("AllowWeb", 100, "*", ""),
                               {"80", "443", "8000-8080"})},
                   In(PROTOCOL_TCP, "10.0.1.4", 8081, "203.0.113.9", 50000),
                   ACCESS_DENY,
                   "defaultSecurityRules/DenyAllInBound"},
        SingleCase{"PortZeroAndMaxMatchStar",
                   {InboundAllow("AllowAll", 100, "*", "*", PROTOCOL_UDP)},
                   In(PROTOCOL_UDP, "10.0.1.4", 65535, "203.0.113.9", 0),
                   ACCESS_ALLOW,
                   "securityRules/AllowAll"},
        SingleCase{"SourcePortRangeIsChecked",
                   {Rule("FromHighPorts", 100, DIRECTION_INBOUND, ACCESS_ALLOW,
                         PROTOCOL_TCP, "*", "1024-65535", "*", "22")},
                   In(PROTOCOL_TCP, "10.0.1.4", 22, "203.0.113.9", 1023),
                   ACCESS_DENY,
                   "defaultSecurityRules/DenyAllInBound"},
        SingleCase{"SourcePrefixListMatchesAnyEntry",
                   {WithSourceList(InboundAllow("AllowPartners", 100, "", "443"),
                                   {"192.0.2.0/24", "198.51.100.7"})},
                   In(PROTOCOL_TCP, "10.0.1.4", 443, "198.51.100.7", 50000),
                   ACCESS_ALLOW,
                   "securityRules/AllowPartners"},
        SingleCase{"SingleAddressPrefixIsExact",
                   {WithSourceList(InboundAllow("AllowPartners", 100, "", "443"),
                                   {"192.0.2.0/24", "198.51.100.7"})},
                   In(PROTOCOL_TCP, "10.0.1.4", 443, "198.51.100.8", 50000),
                   ACCESS_DENY,
                   "defaultSecurityRules/DenyAllInBound"},
        SingleCase{"ProtocolMustMatch",
                   {InboundAllow("AllowDnsTcp", 100, "*", "53", PROTOCOL_TCP)},
                   In(PROTOCOL_UDP, "10.0.1.4", 53, "203.0.113.9", 50000),
                   ACCESS_DENY,
                   "defaultSecurityRules/DenyAllInBound"},
        SingleCase{"IcmpIsNotMatchedBySpecificPorts",
                   {InboundDeny("DenySsh", 100, "*", "22"),
                    InboundAllow("AllowAny", 200, "*", "*", PROTOCOL_ANY)},
                   In(PROTOCOL_ICMP, "10.0.1.4", 0, "203.0.113.9", 0),
                   ACCESS_ALLOW,
                   "securityRules/AllowAny"},
        SingleCase{"IcmpRuleMatchesIcmp",
                   {InboundAllow("AllowPing", 100, "*", "*", PROTOCOL_ICMP)},
                   In(PROTOCOL_ICMP, "10.0.1.4", 0, "203.0.113.9", 0),
                   ACCESS_ALLOW,
                   "securityRules/AllowPing"},
        SingleCase{"EspMatchedByStarProtocol",
                   {InboundAllow("AllowTcp", 100, "*", "*", PROTOCOL_TCP),
                    InboundAllow("AllowAnyProtocol", 200, "*", "*",
                                 PROTOCOL_ANY)},
                   In(PROTOCOL_ESP, "10.0.1.4", 0, "203.0.113.9", 0),
                   ACCESS_ALLOW,
                   "securityRules/AllowAnyProtocol"},
        SingleCase{"OtherProtocolOnlyMatchedByStar",
                   {InboundAllow("AllowTcp", 100, "*", "*", PROTOCOL_TCP),
                    InboundAllow("AllowAh", 110, "*", "*", PROTOCOL_AH)},
                   In(PROTOCOL_ANY, "10.0.1.4", 0, "203.0.113.9", 0),
                   ACCESS_DENY,
                   "defaultSecurityRules/DenyAllInBound"},
        SingleCase{"StarAddressCoversIpv6",
                   {InboundAllow("AllowSsh", 100, "*", "22")},
                   In(PROTOCOL_TCP, "2001:db8::4", 22, "2001:db8:1::9", 50000),
                   ACCESS_ALLOW,
                   "securityRules/AllowSsh"},
        SingleCase{"Ipv4PrefixDoesNotCoverIpv6",
                   {InboundAllow("AllowAllV4", 100, "0.0.0.0/0", "22")},
                   In(PROTOCOL_TCP, "2001:db8::4", 22, "2001:db8:1::9", 50000),
                   ACCESS_DENY,
                   "defaultSecurityRules/DenyAllInBound"},
        // An IPv4-mapped address is its IPv4 host, so IPv4 rules apply to
        // it: otherwise it would slip past IPv4 deny rules.
        SingleCase{"Ipv4PrefixCoversMappedIpv6",
                   {InboundAllow("AllowDocNet", 100, "192.0.2.0/24", "22")},
                   In(PROTOCOL_TCP, "10.0.1.4", 22, "::ffff:192.0.2.9", 50000),
                   ACCESS_ALLOW,
                   "securityRules/AllowDocNet"},
        SingleCase{"Ipv4DenyStopsMappedIpv6",
                   {InboundDeny("DenyDocNet", 100, "192.0.2.0/24", "*"),
                    InboundAllow("AllowAll", 200, "*", "22")},
                   In(PROTOCOL_TCP, "10.0.1.4", 22, "::ffff:192.0.2.9", 50000),
                   ACCESS_DENY,
                   "securityRules/DenyDocNet"},
        SingleCase{"Ipv6PrefixMatches",
                   {InboundAllow("AllowDocV6", 100, "2001:db8:1::/48", "22")},
                   In(PROTOCOL_TCP, "2001:db8::4", 22, "2001:db8:1::9", 50000),
                   ACCESS_ALLOW,
                   "securityRules/AllowDocV6"},
        SingleCase{"SlashZeroMatchesEveryIpv4",
                   {InboundAllow("AllowAllV4", 100, "0.0.0.0/0", "22")},
                   In(PROTOCOL_TCP, "10.0.1.4", 22, "255.255.255.255", 50000),
                   ACCESS_ALLOW,
                   "securityRules/AllowAllV4"},
        SingleCase{"InternetTagExcludesVnet",
                   {InboundAllow("AllowInternetSsh", 100, "Internet", "22"),
                    InboundDeny("DenySsh", 200, "*", "22")},
                   In(PROTOCOL_TCP, "10.0.1.4", 22, "10.0.9.9", 50000),
                   ACCESS_DENY,
                   "securityRules/DenySsh"},
        SingleCase{"DestinationPrefixNarrowsInbound",
                   {Rule("AllowSshToVm5", 100, DIRECTION_INBOUND, ACCESS_ALLOW,
                         PROTOCOL_TCP, "*", "*", "10.0.1.5", "22")},
                   In(PROTOCOL_TCP, "10.0.1.4", 22, "203.0.113.9", 50000),
                   ACCESS_DENY,
                   "defaultSecurityRules/DenyAllInBound"},
        SingleCase{"UserRuleNamedLikeDefaultKeepsUserReference",
                   {InboundDeny("DenyAllInBound", 1000, "*", "*")},
                   In(PROTOCOL_TCP, "10.0.1.4", 22, "10.0.2.9", 50000),
                   ACCESS_DENY,
                   "securityRules/DenyAllInBound"}),
    [](const ::testing::TestParamInfo<SingleCase>& info) {
      return info.param.name;
    });

TEST(ResolveNsgTest, RejectsSamePriorityAndDirection) {
  EXPECT_THAT(
      ResolveNsg(Nsg("nsg", {InboundAllow("First", 100, "*", "22"),
                             InboundDeny("Second", 100, "*", "3389")}),
                 Resolver({})),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("SecurityRuleConflict")));
}

TEST(ResolveNsgTest, RejectsPriorityOutsideUserRange) {
  for (int priority : {99, 4097, 65000}) {
    EXPECT_THAT(ResolveNsg(Nsg("nsg", {InboundAllow("Rule", priority, "*",
                                                    "22")}),
                           Resolver({})),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("securityRules[0].priority: invalid value " +
                                   std::to_string(priority))))
        << priority;
  }
}

TEST(ResolveNsgTest, RejectsMissingPriorityWithOriginPath) {
  SecurityRule rule = InboundAllow("Rule", 100, "*", "22");
  rule.clear_priority();
  rule.mutable_origin()->set_properties_path(
      "properties.securityRules[4].properties");
  EXPECT_THAT(
      ResolveNsg(Nsg("nsg", {rule}), Resolver({})),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("properties.securityRules[4].properties.priority: "
                         "missing")));
}

TEST(ResolveNsgTest, RejectsUnspecifiedEnums) {
  SecurityRule no_direction = InboundAllow("Rule", 100, "*", "22");
  no_direction.set_direction(DIRECTION_UNSPECIFIED);
  EXPECT_THAT(ResolveNsg(Nsg("nsg", {no_direction}), Resolver({})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("securityRules[0].direction: missing")));

  SecurityRule no_access = InboundAllow("Rule", 100, "*", "22");
  no_access.set_access(ACCESS_UNSPECIFIED);
  EXPECT_THAT(ResolveNsg(Nsg("nsg", {no_access}), Resolver({})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("securityRules[0].access: missing")));

  SecurityRule no_protocol = InboundAllow("Rule", 100, "*", "22");
  no_protocol.set_protocol(PROTOCOL_UNSPECIFIED);
  EXPECT_THAT(ResolveNsg(Nsg("nsg", {no_protocol}), Resolver({})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("securityRules[0].protocol: missing")));
}

TEST(ResolveNsgTest, RejectsUnknownServiceTag) {
  EXPECT_THAT(ResolveNsg(Nsg("nsg", {InboundAllow("Rule", 100, "NoSuchTag",
                                                  "22")}),
                         Resolver({})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("NoSuchTag")));
}

TEST(ResolveNsgTest, RejectsCommaInPortString) {
  EXPECT_THAT(ResolveNsg(Nsg("nsg", {InboundAllow("Rule", 100, "*", "80,443")}),
                         Resolver({})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("80,443")));
}

TEST(ResolveNsgTest, SortsEachDirectionAndAppendsDefaults) {
  absl::StatusOr<ResolvedNsg> nsg = ResolveNsg(
      Nsg("nsg", {InboundAllow("B", 300, "*", "22"),
                  OutboundRule("Out", 150, ACCESS_DENY, "*", "25"),
                  InboundAllow("A", 200, "*", "22")}),
      Resolver({}));
  ASSERT_TRUE(nsg.ok()) << nsg.status();

  std::vector<std::string> inbound;
  for (const ResolvedRule& rule : nsg->rules(DIRECTION_INBOUND)) {
    inbound.push_back(rule.reference);
  }
  EXPECT_THAT(inbound,
              ::testing::ElementsAre(
                  "securityRules/A", "securityRules/B",
                  "defaultSecurityRules/AllowVnetInBound",
                  "defaultSecurityRules/AllowAzureLoadBalancerInBound",
                  "defaultSecurityRules/DenyAllInBound"));
  std::vector<std::string> outbound;
  for (const ResolvedRule& rule : nsg->rules(DIRECTION_OUTBOUND)) {
    outbound.push_back(rule.reference);
  }
  EXPECT_THAT(outbound,
              ::testing::ElementsAre(
                  "securityRules/Out", "defaultSecurityRules/AllowVnetOutBound",
                  "defaultSecurityRules/AllowInternetOutBound",
                  "defaultSecurityRules/DenyAllOutBound"));
  EXPECT_EQ(nsg->name(), "nsg");
}

TEST(ResolveNsgTest, IgnoresDocumentDefaultRules) {
  NetworkSecurityGroup group = Nsg("nsg", {});
  // An effective-rules export shows defaults in normalized form; Azure's own
  // defaults are used whatever the document lists.
  SecurityRule shown = Rule("DenyAllInBound", 65500, DIRECTION_INBOUND,
                            ACCESS_DENY, PROTOCOL_ANY, "0.0.0.0/0",
                            "0-65535", "0.0.0.0/0", "0-65535");
  *group.add_default_security_rules() = shown;
  ResolvedNsg nsg = MustResolve(group, Resolver({}));
  const ResolvedRule& rule = EvaluateNsg(
      nsg, MustFlow(In(PROTOCOL_TCP, "2001:db8::4", 22, "2001:db8:1::9", 1)));
  EXPECT_EQ(rule.reference, "defaultSecurityRules/DenyAllInBound");
  EXPECT_EQ(rule.access, ACCESS_DENY);
}

TEST(ResolveNsgTest, ApplicationSecurityGroupsResolveToMembers) {
  const std::string web_servers =
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/"
      "providers/Microsoft.Network/applicationSecurityGroups/asg-web";
  SecurityRule rule = Rule("AllowHttpsToWeb", 100, DIRECTION_INBOUND,
                           ACCESS_ALLOW, PROTOCOL_TCP, "Internet", "*", "",
                           "443");
  rule.add_destination_application_security_groups(web_servers);

  AddressContext context;
  context.application_security_groups[web_servers] = {
      *net::IpAddress::Parse("10.0.1.4"), *net::IpAddress::Parse("10.0.1.5")};
  AddressResolver resolver = Resolver({"10.0.0.0/16"}, context);
  ResolvedNsg nsg = MustResolve(Nsg("nsg", {rule}), resolver);

  EXPECT_EQ(EvaluateNsg(nsg, MustFlow(In(PROTOCOL_TCP, "10.0.1.5", 443,
                                         "203.0.113.9", 50000)))
                .reference,
            "securityRules/AllowHttpsToWeb");
  EXPECT_EQ(EvaluateNsg(nsg, MustFlow(In(PROTOCOL_TCP, "10.0.1.6", 443,
                                         "203.0.113.9", 50000)))
                .reference,
            "defaultSecurityRules/DenyAllInBound");

  EXPECT_THAT(ResolveNsg(Nsg("nsg", {rule}), Resolver({})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown application security group")));
}

TEST(ResolvedFlowTest, RejectsBadFlows) {
  struct Case {
    std::string name;
    Flow flow;
    std::string message;
  };
  Flow no_direction = In(PROTOCOL_TCP, "10.0.1.4", 22, "203.0.113.9", 1);
  no_direction.set_direction(DIRECTION_UNSPECIFIED);
  Flow no_protocol = In(PROTOCOL_TCP, "10.0.1.4", 22, "203.0.113.9", 1);
  no_protocol.set_protocol(PROTOCOL_UNSPECIFIED);
  const std::vector<Case> cases = {
      {"direction", no_direction, "flow.direction: missing"},
      {"protocol", no_protocol, "flow.protocol: missing"},
      {"local address", In(PROTOCOL_TCP, "10.0.1", 22, "203.0.113.9", 1),
       "flow.local_address"},
      {"zone", In(PROTOCOL_TCP, "fe80::1%eth0", 22, "203.0.113.9", 1),
       "flow.local_address"},
      {"remote address", In(PROTOCOL_TCP, "10.0.1.4", 22, "", 1),
       "flow.remote_address"},
      {"port range", In(PROTOCOL_TCP, "10.0.1.4", 65536, "203.0.113.9", 1),
       "flow.local_port: invalid value 65536"},
      {"icmp port", In(PROTOCOL_ICMP, "10.0.1.4", 0, "203.0.113.9", 8),
       "flow.remote_port: invalid value 8"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ResolvedFlow::FromProto(c.flow),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(c.message)))
        << c.name;
  }
}

TEST(ResolvedFlowTest, SidesFollowDirection) {
  ResolvedFlow in =
      MustFlow(In(PROTOCOL_TCP, "10.0.1.4", 22, "203.0.113.9", 50000));
  EXPECT_EQ(in.source().ToString(), "203.0.113.9");
  EXPECT_EQ(in.source_port(), 50000);
  EXPECT_EQ(in.destination().ToString(), "10.0.1.4");
  EXPECT_EQ(in.destination_port(), 22);
  EXPECT_EQ(in.ToString(), "inbound tcp 203.0.113.9:50000 -> 10.0.1.4:22");

  ResolvedFlow out =
      MustFlow(Out(PROTOCOL_UDP, "2001:db8::4", 5353, "2001:db8::53", 53));
  EXPECT_EQ(out.source().ToString(), "2001:db8::4");
  EXPECT_EQ(out.destination_port(), 53);
  EXPECT_EQ(out.ToString(),
            "outbound udp [2001:db8::4]:5353 -> [2001:db8::53]:53");

  ResolvedFlow ping = MustFlow(In(PROTOCOL_ICMP, "10.0.1.4", 0, "192.0.2.1", 0));
  EXPECT_EQ(ping.ToString(), "inbound icmp 192.0.2.1 -> 10.0.1.4");
}

TEST(TraceNsgTest, ListsRulesUpToDecidingOne) {
  ResolvedNsg nsg = MustResolve(
      Nsg("nsg", {InboundAllow("AllowHttps", 100, "*", "443"),
                  Rule("AllowSshFromBastion", 110, DIRECTION_INBOUND,
                       ACCESS_ALLOW, PROTOCOL_TCP, "10.0.1.0/26", "*", "*",
                       "22"),
                  InboundDeny("DenySsh", 4000, "*", "22"),
                  InboundDeny("DenyRdp", 4001, "*", "3389")}),
      Resolver({"10.0.0.0/16"}));
  ResolvedFlow flow =
      MustFlow(In(PROTOCOL_TCP, "10.0.2.4", 22, "203.0.113.9", 50000));
  std::vector<RuleTraceEntry> trace = TraceNsg(nsg, flow);

  ASSERT_EQ(trace.size(), 3u);
  EXPECT_EQ(trace[0].rule(), "securityRules/AllowHttps");
  EXPECT_TRUE(trace[0].protocol_matched());
  EXPECT_TRUE(trace[0].source_matched());
  EXPECT_TRUE(trace[0].source_port_matched());
  EXPECT_TRUE(trace[0].destination_matched());
  EXPECT_FALSE(trace[0].destination_port_matched());
  EXPECT_FALSE(trace[0].decided());

  EXPECT_EQ(trace[1].rule(), "securityRules/AllowSshFromBastion");
  EXPECT_EQ(trace[1].priority(), 110);
  EXPECT_FALSE(trace[1].source_matched());
  EXPECT_TRUE(trace[1].destination_port_matched());
  EXPECT_FALSE(trace[1].decided());

  EXPECT_EQ(trace[2].rule(), "securityRules/DenySsh");
  EXPECT_EQ(trace[2].access(), ACCESS_DENY);
  EXPECT_TRUE(trace[2].decided());

  EvaluateOptions options;
  options.trace = true;
  absl::StatusOr<Verdict> verdict = EvaluateFlow({&nsg, nullptr}, flow, options);
  ASSERT_TRUE(verdict.ok()) << verdict.status();
  ASSERT_EQ(verdict->stages_size(), 1);
  EXPECT_EQ(verdict->stages(0).trace_size(), 3);
  EXPECT_EQ(verdict->stages(0).nsg_name(), "nsg");

  absl::StatusOr<Verdict> untraced = EvaluateFlow({&nsg, nullptr}, flow);
  ASSERT_TRUE(untraced.ok());
  EXPECT_EQ(untraced->stages(0).trace_size(), 0);
}

TEST(FirstMatchTest, EmptyListMatchesNothing) {
  ResolvedFlow flow =
      MustFlow(In(PROTOCOL_TCP, "10.0.2.4", 22, "203.0.113.9", 50000));
  EXPECT_EQ(FirstMatch({}, flow), nullptr);
}

TEST(PlatformExemptionTest, OnlyOutboundToPlatformAddresses) {
  EXPECT_TRUE(IsPlatformExempt(
      MustFlow(Out(PROTOCOL_TCP, "10.0.1.4", 1, "168.63.129.16", 80))));
  EXPECT_TRUE(IsPlatformExempt(
      MustFlow(Out(PROTOCOL_TCP, "10.0.1.4", 1, "169.254.169.254", 80))));
  EXPECT_FALSE(IsPlatformExempt(
      MustFlow(In(PROTOCOL_TCP, "10.0.1.4", 80, "168.63.129.16", 1))));
  EXPECT_TRUE(IsPlatformExempt(
      MustFlow(Out(PROTOCOL_TCP, "10.0.1.4", 1, "::ffff:168.63.129.16", 80))));
  EXPECT_FALSE(IsPlatformExempt(
      MustFlow(Out(PROTOCOL_TCP, "168.63.129.16", 1, "10.0.1.4", 80))));
}

}  // namespace
}  // namespace portcullis::nsg
