// Tests of a JIT policy's recorded request history: the checks each
// recorded grant gets (GrantsFromHistory's rejections), and the sweeps of
// GrantsFromHistory() and EffectiveEnds() against their quadratic twins in
// jit::reference on random histories.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "nsg/jit.h"
#include "schedule/rfc3339.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::jit {
namespace {

using ::portcullis::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kVmId[] =
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/"
    "providers/Microsoft.Compute/virtualMachines/vm1";
constexpr char kOtherVmId[] =
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/"
    "providers/Microsoft.Compute/virtualMachines/vm2";

const absl::Time kStart = absl::FromUnixSeconds(1772442000);  // 2026-03-02T09:00Z

// Port 22 (TCP, 198.51.100.0/26, at most 3 hours) and port 3389 (any
// protocol, 198.51.100.0/26 or 203.0.113.7, at most 1 hour).
JitPolicy Policy() {
  JitPolicy policy;
  policy.set_id("/subscriptions/00000000-0000-0000-0000-000000000001/"
                "resourceGroups/rg/providers/Microsoft.Security/locations/"
                "westeurope/jitNetworkAccessPolicies/default");
  policy.set_name("default");
  JitPolicyVirtualMachine* vm = policy.add_virtual_machines();
  vm->set_id(kVmId);
  JitPolicyPort* ssh = vm->add_ports();
  ssh->set_number(22);
  ssh->set_protocol(JIT_PROTOCOL_TCP);
  ssh->set_allowed_source_address_prefix("198.51.100.0/26");
  ssh->set_max_request_access_duration("PT3H");
  JitPolicyPort* rdp = vm->add_ports();
  rdp->set_number(3389);
  rdp->set_protocol(JIT_PROTOCOL_ANY);
  rdp->add_allowed_source_address_prefixes("198.51.100.0/26");
  rdp->add_allowed_source_address_prefixes("203.0.113.7");
  rdp->set_max_request_access_duration("PT1H");
  return policy;
}

VmTarget Target() {
  VmTarget target;
  target.vm_id = kVmId;
  target.private_address = "192.0.2.4";
  return target;
}

nsg::NetworkSecurityGroup Nsg() {
  nsg::NetworkSecurityGroup nsg;
  nsg.set_name("vm1-nsg");
  return nsg;
}

// Appends a request with one port to `policy`'s history, with the json_path
// values the importer would give it.
JitRequestPort* Record(JitPolicy& policy, absl::string_view vm_id,
                       absl::Time start, uint32_t port, absl::string_view source,
                       absl::Time end, absl::string_view status = "Initiated") {
  JitRequest* request = policy.add_requests();
  std::string path =
      absl::StrCat("properties.requests[", policy.requests_size() - 1, "]");
  request->set_json_path(path);
  request->set_start_time_utc(schedule::FormatRfc3339(start));
  request->set_requestor("admin@contoso.example");
  JitRequestVirtualMachine* vm = request->add_virtual_machines();
  vm->set_id(std::string(vm_id));
  vm->set_json_path(absl::StrCat(path, ".virtualMachines[0]"));
  JitRequestPort* recorded = vm->add_ports();
  recorded->set_json_path(absl::StrCat(path, ".virtualMachines[0].ports[0]"));
  recorded->set_number(port);
  recorded->set_allowed_source_address_prefix(std::string(source));
  recorded->set_end_time_utc(schedule::FormatRfc3339(end));
  recorded->set_status(std::string(status));
  return recorded;
}

std::vector<std::string> Codes(const Grant& grant) {
  std::vector<std::string> codes;
  for (const Rejection& rejection : grant.rejections) {
    codes.push_back(rejection.code);
  }
  return codes;
}

bool OpenFor(const std::vector<Grant>& grants, absl::string_view source,
             uint32_t port, absl::Time now) {
  absl::StatusOr<net::IpAddress> address = net::IpAddress::Parse(source);
  EXPECT_TRUE(address.ok()) << address.status();
  return PortOpenState(grants, kVmId, port, *address, now).open;
}

TEST(RecordedGrant, InsidePolicyOpensPort) {
  JitPolicy policy = Policy();
  Record(policy, kVmId, kStart, 22, "198.51.100.4", kStart + absl::Hours(3));
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  ASSERT_EQ(grants->size(), 1u);
  EXPECT_THAT((*grants)[0].rejections, IsEmpty());
  EXPECT_TRUE(OpenFor(*grants, "198.51.100.4", 22, kStart));
  EXPECT_TRUE(StateAt(*grants, 0, kStart).active);
}

TEST(RecordedGrant, SourceOutsidePolicyOpensNothing) {
  JitPolicy policy = Policy();
  Record(policy, kVmId, kStart, 22, "203.0.113.50", kStart + absl::Hours(1));
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  ASSERT_EQ(grants->size(), 1u);
  EXPECT_THAT(Codes((*grants)[0]), ElementsAre("SourceNotAllowed"));
  EXPECT_THAT((*grants)[0].rejections[0].message,
              HasSubstr("properties.requests[0].virtualMachines[0].ports[0]."
                        "allowedSourceAddressPrefix: source 203.0.113.50 is "
                        "not inside the allowed source prefixes of port 22: "
                        "198.51.100.0/26"));
  EXPECT_FALSE(OpenFor(*grants, "203.0.113.50", 22, kStart));
  GrantState state = StateAt(*grants, 0, kStart);
  EXPECT_FALSE(state.active);
  EXPECT_EQ(state.status, "Ignored");
  EXPECT_EQ(state.status_reason, "SourceNotAllowed");

  absl::StatusOr<nsg::NetworkSecurityGroup> merged =
      WithJitRules(Nsg(), policy, Target(), *grants, kStart);
  ASSERT_TRUE(merged.ok()) << merged.status();
  ASSERT_EQ(merged->security_rules_size(), 1);
  EXPECT_EQ(merged->security_rules(0).access(), nsg::ACCESS_DENY);
}

TEST(RecordedGrant, AnySourceNeedsAllowedAny) {
  JitPolicy policy = Policy();
  Record(policy, kVmId, kStart, 22, "*", kStart + absl::Hours(1));
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  EXPECT_THAT(Codes((*grants)[0]), ElementsAre("SourceNotAllowed"));
  EXPECT_FALSE(OpenFor(*grants, "198.51.100.4", 22, kStart));

  policy.mutable_virtual_machines(0)->mutable_ports(0)
      ->set_allowed_source_address_prefix("*");
  grants = GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  EXPECT_THAT((*grants)[0].rejections, IsEmpty());
  EXPECT_TRUE(OpenFor(*grants, "198.51.100.4", 22, kStart));
}

TEST(RecordedGrant, OneOfSeveralSourcesNamed) {
  JitPolicy policy = Policy();
  JitRequestPort* port =
      Record(policy, kVmId, kStart, 3389, "203.0.113.7", kStart + absl::Hours(1));
  port->clear_allowed_source_address_prefix();
  port->add_allowed_source_address_prefixes("203.0.113.8");
  port->add_allowed_source_address_prefixes("203.0.113.7");
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  ASSERT_EQ(grants->size(), 2u);
  ASSERT_THAT(Codes((*grants)[0]), ElementsAre("SourceNotAllowed"));
  EXPECT_THAT((*grants)[0].rejections[0].message,
              HasSubstr("ports[0].allowedSourceAddressPrefixes[0]: source "
                        "203.0.113.8"));
  EXPECT_THAT((*grants)[1].rejections, IsEmpty());
  EXPECT_FALSE(OpenFor(*grants, "203.0.113.8", 3389, kStart));
  EXPECT_TRUE(OpenFor(*grants, "203.0.113.7", 3389, kStart));
}

TEST(RecordedGrant, SeveralSourcesAllOpen) {
  JitPolicy policy = Policy();
  JitRequestPort* port =
      Record(policy, kVmId, kStart, 3389, "203.0.113.7", kStart + absl::Hours(1));
  port->add_allowed_source_address_prefixes("198.51.100.9");
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  ASSERT_EQ(grants->size(), 2u);
  EXPECT_NE((*grants)[0].batch, 0u);
  EXPECT_EQ((*grants)[0].batch, (*grants)[1].batch);
  EXPECT_TRUE(OpenFor(*grants, "203.0.113.7", 3389, kStart));
  EXPECT_TRUE(OpenFor(*grants, "198.51.100.9", 3389, kStart));
  EXPECT_TRUE(StateAt(*grants, 0, kStart).active);
  EXPECT_TRUE(StateAt(*grants, 1, kStart).active);

  absl::StatusOr<nsg::NetworkSecurityGroup> merged =
      WithJitRules(Nsg(), policy, Target(), *grants, kStart);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->security_rules_size(), 3);
}

TEST(RecordedGrant, LaterRequestEndsWholeBatch) {
  JitPolicy policy = Policy();
  JitRequestPort* port =
      Record(policy, kVmId, kStart, 3389, "203.0.113.7", kStart + absl::Hours(1));
  port->add_allowed_source_address_prefixes("198.51.100.9");
  const absl::Time later = kStart + absl::Minutes(10);
  Record(policy, kVmId, later, 3389, "198.51.100.20", later + absl::Hours(1));
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  ASSERT_EQ(grants->size(), 3u);
  EXPECT_TRUE(OpenFor(*grants, "203.0.113.7", 3389, kStart));
  EXPECT_FALSE(OpenFor(*grants, "203.0.113.7", 3389, later));
  EXPECT_FALSE(OpenFor(*grants, "198.51.100.9", 3389, later));
  EXPECT_TRUE(OpenFor(*grants, "198.51.100.20", 3389, later));
  EXPECT_EQ(StateAt(*grants, 0, later).status_reason, "NewerRequestInitiated");
  EXPECT_EQ(StateAt(*grants, 1, later).status_reason, "NewerRequestInitiated");
}

TEST(RecordedGrant, MissingSourceIsError) {
  JitPolicy policy = Policy();
  JitRequestPort* port =
      Record(policy, kVmId, kStart, 22, "198.51.100.4", kStart + absl::Hours(1));
  port->clear_allowed_source_address_prefix();
  EXPECT_THAT(GrantsFromHistory(policy, Nsg(), Target()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("properties.requests[0].virtualMachines[0]."
                                 "ports[0].allowedSourceAddressPrefix: "
                                 "missing")));
}

TEST(RecordedGrant, OverPortMaximumOpensNothing) {
  JitPolicy policy = Policy();
  Record(policy, kVmId, kStart, 22, "198.51.100.4",
         kStart + absl::Hours(3) + absl::Seconds(1));
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  ASSERT_THAT(Codes((*grants)[0]), ElementsAre("DurationTooLong"));
  EXPECT_THAT((*grants)[0].rejections[0].message,
              HasSubstr("ports[0].endTimeUtc: the recorded window"));
  EXPECT_THAT((*grants)[0].rejections[0].message,
              HasSubstr("lasts PT3H1S, longer than the maximum PT3H for port 22"));
  EXPECT_FALSE(OpenFor(*grants, "198.51.100.4", 22, kStart));
}

TEST(RecordedGrant, OverOneDayOpensNothing) {
  JitPolicy policy = Policy();
  policy.mutable_virtual_machines(0)->mutable_ports(0)
      ->set_max_request_access_duration("P1D");
  Record(policy, kVmId, kStart, 22, "198.51.100.4", kStart + absl::Hours(24));
  Record(policy, kOtherVmId, kStart, 22, "198.51.100.4", kStart);
  JitOptions options;
  options.max_duration = absl::Hours(2);
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg(), Target(), options);
  ASSERT_TRUE(grants.ok()) << grants.status();
  ASSERT_EQ(grants->size(), 1u);
  EXPECT_THAT(Codes((*grants)[0]), ElementsAre("DurationTooLong"));

  grants = GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  EXPECT_THAT((*grants)[0].rejections, IsEmpty());
}

TEST(RecordedGrant, EmptyWindowIsTooShort) {
  JitPolicy policy = Policy();
  Record(policy, kVmId, kStart, 22, "198.51.100.4", kStart - absl::Hours(1));
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  EXPECT_THAT(Codes((*grants)[0]), ElementsAre("DurationTooShort"));
}

TEST(RecordedGrant, PortOutsidePolicyOpensNothing) {
  JitPolicy policy = Policy();
  Record(policy, kVmId, kStart, 8080, "198.51.100.4", kStart + absl::Hours(1));
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  ASSERT_THAT(Codes((*grants)[0]), ElementsAre("PortNotInPolicy"));
  EXPECT_THAT((*grants)[0].rejections[0].message,
              HasSubstr("ports[0].number: port 8080 is not in the policy for "
                        "this VM; allowed ports: 22, 3389"));
  EXPECT_FALSE(OpenFor(*grants, "198.51.100.4", 8080, kStart));
}

TEST(RecordedGrant, SeveralBreachesAllListed) {
  JitPolicy policy = Policy();
  Record(policy, kVmId, kStart, 22, "203.0.113.50", kStart + absl::Hours(240),
         "Initiating");
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  EXPECT_THAT(Codes((*grants)[0]),
              ElementsAre("StatusInitiating", "DurationTooLong",
                          "SourceNotAllowed"));
}

TEST(RecordedGrant, InitiatingOpensNothing) {
  JitPolicy policy = Policy();
  Record(policy, kVmId, kStart, 22, "198.51.100.4", kStart + absl::Hours(1),
         "Initiating");
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  ASSERT_THAT(Codes((*grants)[0]), ElementsAre("StatusInitiating"));
  EXPECT_THAT((*grants)[0].rejections[0].message,
              HasSubstr("ports[0].status: \"Initiating\""));
  EXPECT_FALSE(OpenFor(*grants, "198.51.100.4", 22, kStart));
}

TEST(RecordedGrant, InitiatingStillEndsOlderGrant) {
  // Closing early is the safe side: the newer request's initiation has
  // begun, so the older rule may already be gone.
  JitPolicy policy = Policy();
  Record(policy, kVmId, kStart, 22, "198.51.100.4", kStart + absl::Hours(2));
  Record(policy, kVmId, kStart + absl::Hours(1), 22, "198.51.100.5",
         kStart + absl::Hours(2), "Initiating");
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  EXPECT_TRUE(OpenFor(*grants, "198.51.100.4", 22, kStart));
  EXPECT_FALSE(OpenFor(*grants, "198.51.100.4", 22, kStart + absl::Hours(1)));
  EXPECT_FALSE(OpenFor(*grants, "198.51.100.5", 22, kStart + absl::Hours(1)));
  EXPECT_EQ(StateAt(*grants, 0, kStart + absl::Hours(1)).status_reason,
            "NewerRequestInitiated");
}

TEST(RecordedGrant, RevokedOpensNothing) {
  JitPolicy policy = Policy();
  Record(policy, kVmId, kStart, 22, "198.51.100.4", kStart + absl::Hours(1),
         "Revoked");
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  ASSERT_EQ(grants->size(), 1u);
  EXPECT_THAT(Codes((*grants)[0]), ElementsAre("StatusRevoked"));
  EXPECT_EQ((*grants)[0].window.start, kStart);
  EXPECT_EQ((*grants)[0].window.end, kStart);
  EXPECT_FALSE(OpenFor(*grants, "198.51.100.4", 22, kStart));
  EXPECT_EQ(StateAt(*grants, 0, kStart).status, "Ignored");
}

TEST(RecordedGrant, NewerRevokedEndsOlderGrant) {
  JitPolicy policy = Policy();
  Record(policy, kVmId, kStart, 22, "198.51.100.4", kStart + absl::Hours(3));
  const absl::Time later = kStart + absl::Minutes(10);
  Record(policy, kVmId, later, 22, "198.51.100.5", later + absl::Hours(1),
         "Revoked");
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  ASSERT_EQ(grants->size(), 2u);
  EXPECT_TRUE(OpenFor(*grants, "198.51.100.4", 22, kStart));
  EXPECT_FALSE(OpenFor(*grants, "198.51.100.4", 22, later));
  EXPECT_EQ(StateAt(*grants, 0, later).status_reason, "NewerRequestInitiated");
}

TEST(RecordedGrant, OlderRevokedLeavesNewerOpen) {
  JitPolicy policy = Policy();
  Record(policy, kVmId, kStart, 22, "198.51.100.4", kStart + absl::Hours(1),
         "Revoked");
  const absl::Time later = kStart + absl::Minutes(10);
  Record(policy, kVmId, later, 22, "198.51.100.4", later + absl::Hours(1));
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  EXPECT_TRUE(OpenFor(*grants, "198.51.100.4", 22, later));
}

TEST(SameResourceId, IgnoresCaseAndTrailingSlashes) {
  EXPECT_TRUE(SameResourceId(kVmId, absl::StrCat(kVmId, "/")));
  EXPECT_TRUE(SameResourceId(absl::AsciiStrToUpper(kVmId),
                             absl::StrCat(kVmId, "//")));
  EXPECT_FALSE(SameResourceId(kVmId, kOtherVmId));
  EXPECT_FALSE(SameResourceId(kVmId, absl::StrCat(kVmId, "x")));
}

// Builds a random history for the differential tests. Starts come from few
// distinct instants, so they tie and windows overlap. Statuses, sources and
// durations break the policy at times, and some requests name another VM
// or the same VM in another case.
JitPolicy RandomHistory(std::mt19937_64& random, int requests) {
  JitPolicy policy = Policy();
  const std::vector<std::string> vms = {
      kVmId, absl::AsciiStrToUpper(kVmId), absl::StrCat(kVmId, "/"),
      kOtherVmId};
  const std::vector<std::string> sources = {
      "198.51.100.4", "198.51.100.0/26", "198.51.100.5", "203.0.113.7",
      "203.0.113.50", "*"};
  const std::vector<uint32_t> ports = {22, 22, 3389, 8080};
  const std::vector<std::string> statuses = {"Initiated", "Initiated",
                                             "Initiating", "Revoked"};
  const std::vector<absl::Duration> lengths = {
      absl::Minutes(-20), absl::ZeroDuration(), absl::Minutes(2),
      absl::Minutes(30),  absl::Hours(1),       absl::Hours(3),
      absl::Hours(5),     absl::Hours(30)};
  auto pick = [&](const auto& list) {
    return list[std::uniform_int_distribution<size_t>(0, list.size() - 1)(
        random)];
  };
  for (int i = 0; i < requests; ++i) {
    absl::Time start =
        kStart + absl::Minutes(10) *
                     std::uniform_int_distribution<int>(0, requests)(random);
    JitRequestPort* port = Record(policy, pick(vms), start, pick(ports),
                                  pick(sources), start + pick(lengths),
                                  pick(statuses));
    if (random() % 4 == 0) port->add_allowed_source_address_prefixes(pick(sources));
  }
  return policy;
}

void ExpectSameGrants(const std::vector<Grant>& fast,
                      const std::vector<Grant>& slow) {
  ASSERT_EQ(fast.size(), slow.size());
  for (size_t i = 0; i < fast.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("grant ", i));
    EXPECT_EQ(fast[i].port, slow[i].port);
    EXPECT_EQ(fast[i].source, slow[i].source);
    EXPECT_EQ(fast[i].window, slow[i].window);
    EXPECT_EQ(fast[i].rule.name(), slow[i].rule.name());
    EXPECT_EQ(fast[i].rule.priority(), slow[i].rule.priority());
    EXPECT_EQ(Codes(fast[i]), Codes(slow[i]));
  }
}

class HistoryDifferential : public ::testing::TestWithParam<int> {};

TEST_P(HistoryDifferential, SweepMatchesReference) {
  const int requests = GetParam();
  std::mt19937_64 random(requests);
  const int rounds = requests >= 100 ? 6 : 40;
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    JitPolicy policy = RandomHistory(random, requests);
    // Few allow priorities in some rounds, so placement can run out.
    JitOptions options;
    if (round % 3 == 0) options.allow_priority_start = 995;
    nsg::NetworkSecurityGroup nsg = Nsg();
    for (int taken : {100, 102, 996}) {
      nsg::SecurityRule* rule = nsg.add_security_rules();
      rule->set_name(absl::StrCat("taken-", taken));
      rule->set_priority(taken);
      rule->set_direction(nsg::DIRECTION_INBOUND);
      rule->set_access(nsg::ACCESS_DENY);
      rule->set_protocol(nsg::PROTOCOL_TCP);
      rule->set_source_address_prefix("*");
      rule->set_source_port_range("*");
      rule->set_destination_address_prefix("*");
      rule->set_destination_port_range("8443");
    }

    absl::StatusOr<std::vector<Grant>> fast =
        GrantsFromHistory(policy, nsg, Target(), options);
    absl::StatusOr<std::vector<Grant>> slow =
        reference::GrantsFromHistory(policy, nsg, Target(), options);
    ASSERT_EQ(fast.status(), slow.status());
    if (!fast.ok()) continue;
    ExpectSameGrants(*fast, *slow);

    // Grants in the order a caller may pass them, not only start order.
    std::vector<Grant> shuffled = *fast;
    std::shuffle(shuffled.begin(), shuffled.end(), random);
    for (const std::vector<Grant>* grants : {&*fast, &shuffled}) {
      std::vector<absl::Time> ends = EffectiveEnds(*grants);
      EXPECT_EQ(ends, reference::EffectiveEnds(*grants));
      for (int probe = 0; probe < 8; ++probe) {
        absl::Time now = kStart + absl::Minutes(5) *
                                      std::uniform_int_distribution<int>(
                                          -2, 2 * requests + 60)(random);
        std::vector<GrantState> states = StatesAt(*grants, now);
        for (size_t i = 0; i < grants->size(); ++i) {
          GrantState single = StateAt(*grants, i, now);
          EXPECT_EQ(states[i].status, single.status);
          EXPECT_EQ(states[i].status_reason, single.status_reason);
          EXPECT_EQ(states[i].active, single.active);
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, HistoryDifferential,
                         ::testing::Values(1, 2, 5, 20, 80, 300));

TEST(GrantsFromHistory, ProcessesTwentyThousandRequests) {
  // One request every 10 minutes, each opening port 22 for an hour, so
  // each supersedes the one before and six windows overlap at any time.
  JitPolicy policy = Policy();
  constexpr int kRequests = 20000;
  for (int i = 0; i < kRequests; ++i) {
    absl::Time start = kStart + absl::Minutes(10) * i;
    Record(policy, kVmId, start, 22, "198.51.100.4", start + absl::Hours(1));
  }
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg(), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  ASSERT_EQ(grants->size(), static_cast<size_t>(kRequests));
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ((*grants)[i].rule.priority(), 100 + i);
  }
  EXPECT_EQ((*grants)[6].rule.priority(), 100);

  absl::Time last_start = kStart + absl::Minutes(10) * (kRequests - 1);
  std::vector<GrantState> states = StatesAt(*grants, last_start);
  EXPECT_TRUE(states.back().active);
  EXPECT_EQ(states[kRequests - 2].status_reason, "NewerRequestInitiated");
  EXPECT_TRUE(OpenFor(*grants, "198.51.100.4", 22, last_start));
  absl::StatusOr<nsg::NetworkSecurityGroup> merged =
      WithJitRules(Nsg(), policy, Target(), *grants, last_start);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->security_rules_size(), 2);
}

}  // namespace
}  // namespace portcullis::jit
