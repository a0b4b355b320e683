// Checks that JIT grants published through the classifier's overlay give
// the same deciding rule as the reference evaluator over the NSG with the
// grants written into it, at every edge of every grant window.
#include "nsg/jit_publisher.h"

#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "nsg/compile.h"
#include "nsg/evaluate_rules.h"
#include "nsg/jit.h"
#include "nsg/jit_import.h"
#include "nsg/publisher.h"
#include "nsg/service_tags.h"
#include "schedule/rfc3339.h"

namespace portcullis::jit {
namespace {

constexpr char kVmId[] =
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/"
    "virtualMachines/vm1";

absl::Time At(absl::string_view text) {
  absl::StatusOr<absl::Time> time = schedule::ParseRfc3339(text);
  EXPECT_TRUE(time.ok());
  return time.ok() ? *time : absl::UnixEpoch();
}

JitPolicy Policy() {
  absl::StatusOr<std::vector<JitPolicy>> policies =
      ImportJitPolicies(absl::StrCat(R"({"id": "policy-1", "name": "default",
        "properties": {"virtualMachines": [{"id": ")",
                                     kVmId, R"(", "ports": [
          {"number": 22, "protocol": "TCP",
           "allowedSourceAddressPrefix": "10.0.0.0/16",
           "maxRequestAccessDuration": "PT3H"},
          {"number": 3389, "protocol": "*",
           "allowedSourceAddressPrefix": "*",
           "maxRequestAccessDuration": "PT3H"}]}]}})"));
  EXPECT_TRUE(policies.ok()) << policies.status();
  return policies.ok() ? (*policies)[0] : JitPolicy();
}

nsg::SecurityRule Rule(absl::string_view name, int priority,
                       nsg::Access access, absl::string_view source,
                       absl::string_view port) {
  nsg::SecurityRule rule;
  rule.set_name(std::string(name));
  rule.set_priority(priority);
  rule.set_direction(nsg::DIRECTION_INBOUND);
  rule.set_access(access);
  rule.set_protocol(nsg::PROTOCOL_TCP);
  rule.set_source_address_prefix(std::string(source));
  rule.set_source_port_range("*");
  rule.set_destination_address_prefix("*");
  rule.set_destination_port_range(std::string(port));
  return rule;
}

struct Fixture {
  nsg::NetworkSecurityGroup nsg;  // with the policy's deny rule
  VmTarget target;
  JitPolicy policy;
  std::vector<Grant> grants;
};

// Grants with overlapping windows, supersession on port 22, and sources
// both inside and outside the VNet.
Fixture MakeFixture() {
  Fixture fixture;
  fixture.policy = Policy();
  fixture.target.vm_id = kVmId;
  fixture.target.private_address = "10.0.2.4";

  nsg::NetworkSecurityGroup base;
  base.set_name("vm1-nic-nsg");
  *base.add_security_rules() =
      Rule("DenyRdp", 200, nsg::ACCESS_DENY, "*", "3389");
  *base.add_security_rules() =
      Rule("AllowWeb", 300, nsg::ACCESS_ALLOW, "*", "80");
  absl::StatusOr<nsg::SecurityRule> deny =
      PlanDenyRule(base, fixture.policy, fixture.target);
  EXPECT_TRUE(deny.ok()) << deny.status();
  *base.add_security_rules() = *deny;
  fixture.nsg = base;

  struct Ask {
    uint32_t port;
    const char* source;
    const char* start;
    absl::Duration length;
  };
  const Ask asks[] = {
      {22, "10.0.1.0/26", "2026-03-02T09:00:00Z", absl::Hours(1)},
      {3389, "203.0.113.7", "2026-03-02T09:15:00Z", absl::Minutes(30)},
      {22, "10.0.1.4", "2026-03-02T09:30:00Z", absl::Hours(2)},
      {3389, "198.51.100.0/24", "2026-03-02T09:20:00Z", absl::Minutes(5)},
      {22, "10.0.3.0/24", "2026-03-02T12:00:00Z", absl::Minutes(10)},
  };
  for (const Ask& ask : asks) {
    AccessRequest request;
    request.vm_id = kVmId;
    request.port = ask.port;
    request.source = ask.source;
    request.start = At(ask.start);
    request.end = request.start + ask.length;
    absl::StatusOr<RequestDecision> decision = DecideRequest(
        fixture.policy, fixture.nsg, fixture.target, request, fixture.grants);
    EXPECT_TRUE(decision.ok()) << decision.status();
    if (!decision.ok()) continue;
    EXPECT_TRUE(decision->granted) << ask.source;
    for (Grant& grant : decision->grants) {
      fixture.grants.push_back(std::move(grant));
    }
  }
  return fixture;
}

absl::StatusOr<nsg::AddressResolver> Resolver() {
  nsg::AddressContext context;
  context.virtual_network.push_back(*net::IpPrefix::ParseStrict("10.0.0.0/16"));
  return nsg::AddressResolver::Create(nsg::ServiceTags(), context);
}

// The inbound rule table of the fixture's NSG, without grants.
absl::StatusOr<std::shared_ptr<const nsg::RuleTable>> InboundTable(
    const Fixture& fixture, const nsg::AddressResolver& resolver) {
  absl::StatusOr<nsg::ResolvedNsg> resolved =
      nsg::ResolveNsg(fixture.nsg, resolver);
  if (!resolved.ok()) return resolved.status();
  absl::StatusOr<nsg::CompiledNsg> compiled =
      nsg::CompiledNsg::Compile(*resolved);
  if (!compiled.ok()) return compiled.status();
  return std::make_shared<const nsg::RuleTable>(
      compiled->table(nsg::DIRECTION_INBOUND));
}

// Every instant where a grant starts or ends, one nanosecond before it,
// and the instants between.
std::vector<absl::Time> Instants(const std::vector<Grant>& grants) {
  std::vector<absl::Time> instants = {At("2026-03-02T08:00:00Z")};
  for (const Grant& grant : grants) {
    for (absl::Time edge : {grant.window.start, grant.window.end}) {
      instants.push_back(edge - absl::Nanoseconds(1));
      instants.push_back(edge);
      instants.push_back(edge + absl::Minutes(1));
    }
  }
  std::sort(instants.begin(), instants.end());
  return instants;
}

void CheckAgainstReference(size_t max_overlay_rules) {
  Fixture fixture = MakeFixture();
  absl::StatusOr<nsg::AddressResolver> resolver = Resolver();
  ASSERT_TRUE(resolver.ok()) << resolver.status();
  absl::StatusOr<nsg::ResolvedNsg> resolved =
      nsg::ResolveNsg(fixture.nsg, *resolver);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  absl::StatusOr<nsg::CompiledNsg> compiled =
      nsg::CompiledNsg::Compile(*resolved);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  auto base = std::make_shared<const nsg::RuleTable>(
      compiled->table(nsg::DIRECTION_INBOUND));
  const std::vector<nsg::ResolvedRule>& base_rules =
      compiled->nsg().rules(nsg::DIRECTION_INBOUND);

  nsg::PublisherOptions options;
  options.max_overlay_rules = max_overlay_rules;
  absl::StatusOr<std::unique_ptr<nsg::ClassifierPublisher>> publisher =
      nsg::ClassifierPublisher::Create(base, options);
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  JitGrantSync sync(publisher->get(), base, &*resolver);

  const char* sources[] = {"10.0.1.4", "10.0.1.63", "10.0.1.64", "10.0.3.9",
                           "203.0.113.7", "203.0.113.8", "198.51.100.200",
                           "192.0.2.1"};
  const uint16_t ports[] = {22, 80, 3389, 443};
  const uint8_t protocols[] = {6, 17};
  int checked = 0;
  for (absl::Time now : Instants(fixture.grants)) {
    absl::StatusOr<int> changes = sync.Sync(fixture.grants, now);
    ASSERT_TRUE(changes.ok()) << changes.status();

    absl::StatusOr<nsg::NetworkSecurityGroup> merged = WithJitRules(
        fixture.nsg, fixture.policy, fixture.target, fixture.grants, now);
    ASSERT_TRUE(merged.ok()) << merged.status();
    absl::StatusOr<nsg::ResolvedNsg> reference =
        nsg::ResolveNsg(*merged, *resolver);
    ASSERT_TRUE(reference.ok()) << reference.status();

    const nsg::ClassifierSnapshot& snapshot =
        (*publisher)->current_for_writer();
    for (const char* source : sources) {
      for (uint16_t port : ports) {
        for (uint8_t protocol : protocols) {
          nsg::Flow flow;
          flow.set_direction(nsg::DIRECTION_INBOUND);
          flow.set_protocol(protocol == 6 ? nsg::PROTOCOL_TCP
                                          : nsg::PROTOCOL_UDP);
          flow.set_local_address("10.0.2.4");
          flow.set_local_port(port);
          flow.set_remote_address(source);
          flow.set_remote_port(50000);
          absl::StatusOr<nsg::ResolvedFlow> resolved_flow =
              nsg::ResolvedFlow::FromProto(flow);
          ASSERT_TRUE(resolved_flow.ok());
          std::string expected =
              nsg::EvaluateNsg(*reference, *resolved_flow).reference;

          nsg::FlowV4 tuple;
          tuple.source = net::IpAddress::Parse(source)->v4();
          tuple.destination = net::IpAddress::Parse("10.0.2.4")->v4();
          tuple.source_port = 50000;
          tuple.destination_port = port;
          tuple.protocol = protocol;
          nsg::RuleMatch match = snapshot.Lookup(tuple);
          ASSERT_TRUE(match.found());
          std::string grant_name = sync.GrantRuleName(snapshot, match);
          std::string actual =
              grant_name.empty() ? base_rules[match.index].reference
                                 : absl::StrCat("securityRules/", grant_name);
          EXPECT_EQ(actual, expected)
              << "at " << schedule::FormatRfc3339(now) << " from " << source
              << " to port " << port << " protocol " << int{protocol};
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(JitGrantSync, OverlayMatchesReference) { CheckAgainstReference(64); }

TEST(JitGrantSync, FoldedOverlayMatchesReference) {
  // With an overlay of at most one rule, grants are folded into rebuilt
  // bases and must be withdrawn by republishing.
  CheckAgainstReference(1);
}

TEST(JitGrantSync, NextChangeFollowsWindowEdges) {
  Fixture fixture = MakeFixture();
  std::optional<absl::Time> next =
      JitGrantSync::NextChange(fixture.grants, At("2026-03-02T08:00:00Z"));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, At("2026-03-02T09:00:00Z"));
  next = JitGrantSync::NextChange(fixture.grants, At("2026-03-02T09:00:00Z"));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, At("2026-03-02T09:15:00Z"));
  EXPECT_FALSE(
      JitGrantSync::NextChange(fixture.grants, At("2026-03-02T13:00:00Z"))
          .has_value());
}

TEST(JitGrantSync, WithdrawsSupersededGrant) {
  Fixture fixture = MakeFixture();
  absl::StatusOr<nsg::AddressResolver> resolver = Resolver();
  ASSERT_TRUE(resolver.ok());
  absl::StatusOr<std::shared_ptr<const nsg::RuleTable>> base =
      InboundTable(fixture, *resolver);
  ASSERT_TRUE(base.ok()) << base.status();
  absl::StatusOr<std::unique_ptr<nsg::ClassifierPublisher>> publisher =
      nsg::ClassifierPublisher::Create(*base);
  ASSERT_TRUE(publisher.ok());
  JitGrantSync sync(publisher->get(), *base, &*resolver);

  ASSERT_TRUE(sync.Sync(fixture.grants, At("2026-03-02T09:17:00Z")).ok());
  // Port 22 from the first request and 3389 from the second.
  EXPECT_EQ(sync.published_names().size(), 2u);
  // At 09:20 the newer 3389 request supersedes the older one.
  absl::StatusOr<int> changes =
      sync.Sync(fixture.grants, At("2026-03-02T09:20:00Z"));
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(*changes, 2);
  EXPECT_EQ(sync.published_names().size(), 2u);
  // At 09:30 the newer port-22 request supersedes the first; at 09:45 the
  // 3389 grants have ended.
  ASSERT_TRUE(sync.Sync(fixture.grants, At("2026-03-02T09:45:00Z")).ok());
  ASSERT_EQ(sync.published_names().size(), 1u);
  EXPECT_EQ(sync.published_names()[0], fixture.grants[2].rule.name());
}

// A reader that pins a snapshot and classifies through the same reader
// keeps that snapshot while Sync() publishes a grant.
TEST(JitGrantSync, PinnedSnapshotSurvivesSync) {
  Fixture fixture = MakeFixture();
  absl::StatusOr<nsg::AddressResolver> resolver = Resolver();
  ASSERT_TRUE(resolver.ok());
  absl::StatusOr<std::shared_ptr<const nsg::RuleTable>> base =
      InboundTable(fixture, *resolver);
  ASSERT_TRUE(base.ok()) << base.status();
  absl::StatusOr<std::unique_ptr<nsg::ClassifierPublisher>> publisher =
      nsg::ClassifierPublisher::Create(*base);
  ASSERT_TRUE(publisher.ok());
  absl::StatusOr<nsg::SnapshotReader> reader = (*publisher)->NewReader();
  ASSERT_TRUE(reader.ok());
  JitGrantSync sync(publisher->get(), *base, &*resolver);

  // SSH from 10.0.1.4, which the first grant allows from 09:00.
  nsg::FlowV4 ssh;
  ssh.source = net::IpAddress::Parse("10.0.1.4")->v4();
  ssh.destination = net::IpAddress::Parse("10.0.2.4")->v4();
  ssh.source_port = 50000;
  ssh.destination_port = 22;
  ssh.protocol = 6;

  nsg::SnapshotGuard pinned = reader->Pin();
  const nsg::RuleMatch before = reader->Lookup(ssh);
  ASSERT_TRUE(before.found());
  EXPECT_EQ(before.access, nsg::RuleAccess::kDeny);

  absl::StatusOr<int> changes = sync.Sync(fixture.grants, At("2026-03-02T09:05:00Z"));
  ASSERT_TRUE(changes.ok()) << changes.status();
  EXPECT_EQ(*changes, 1);
  EXPECT_EQ((*publisher)->retired_count(), 1u);

  // The pinned snapshot predates the grant and still denies.
  EXPECT_EQ(pinned->Lookup(ssh), before);
  EXPECT_EQ(sync.GrantRuleName(*pinned, before), "");
  EXPECT_EQ(reader->Lookup(ssh), before);

  { nsg::SnapshotGuard released = std::move(pinned); }
  const nsg::RuleMatch after = reader->Lookup(ssh);
  EXPECT_EQ(after.access, nsg::RuleAccess::kAllow);
  EXPECT_EQ(sync.GrantRuleName((*publisher)->current_for_writer(), after),
            fixture.grants[0].rule.name());
  (*publisher)->CollectRetired();
  EXPECT_EQ((*publisher)->retired_count(), 0u);
}

}  // namespace
}  // namespace portcullis::jit
