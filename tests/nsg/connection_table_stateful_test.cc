// The connection table on top of the reference evaluator: the replies of
// an allowed connection pass whatever the reverse direction's rules decide,
// and a rule change keeps established connections unless the NSG sets
// flushConnection.
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nsg/connection_table.h"
#include "nsg/evaluate.h"
#include "nsg/evaluate_rules.h"
#include "tests/nsg/evaluate_test_util.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::nsg {
namespace {

using ::portcullis::nsg::testing::InboundAllow;
using ::portcullis::nsg::testing::MakeFlow;
using ::portcullis::nsg::testing::Nsg;
using ::portcullis::nsg::testing::OutboundRule;
using ::portcullis::nsg::testing::Resolver;

const absl::Time kStart = absl::FromUnixSeconds(1700000000);
// The VM's address: packets to it are inbound, packets from it outbound.
constexpr char kVm[] = "10.0.2.4";

// Turns a packet into the flow the NSGs see from the VM's side.
ResolvedFlow FlowOf(const FiveTuple& packet) {
  bool inbound = packet.destination.ToString() == kVm;
  ResolvedFlow flow;
  flow.direction = inbound ? DIRECTION_INBOUND : DIRECTION_OUTBOUND;
  flow.protocol = packet.protocol == kProtocolTcp ? PROTOCOL_TCP : PROTOCOL_UDP;
  flow.local = inbound ? packet.destination : packet.source;
  flow.local_port = inbound ? packet.destination_port : packet.source_port;
  flow.remote = inbound ? packet.source : packet.destination;
  flow.remote_port = inbound ? packet.source_port : packet.destination_port;
  return flow;
}

bool Allows(const ResolvedNsg& nsg, const FiveTuple& packet) {
  absl::StatusOr<Verdict> verdict =
      EvaluateFlow({&nsg, nullptr}, FlowOf(packet));
  return verdict.ok() && verdict->access() == ACCESS_ALLOW;
}

class StatefulNsgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(table_, ConnectionTable::Create({}));
  }

  absl::StatusOr<ResolvedNsg> Resolve(std::vector<SecurityRule> rules,
                                      bool flush_connection) {
    NetworkSecurityGroup nsg = Nsg("nsg-workload", rules);
    nsg.set_flush_connection(flush_connection);
    return ResolveNsg(nsg, resolver_);
  }

  const AddressResolver resolver_ = Resolver({"10.0.0.0/16"});
  std::unique_ptr<ConnectionTable> table_;
  // SSH from an administrator at 198.51.100.25, and the NSG lets it in but
  // denies everything outbound.
  const std::vector<SecurityRule> rules_ = {
      InboundAllow("AllowSshFromAdmin", 100, "198.51.100.25", "22"),
      OutboundRule("DenyAllOut", 100, ACCESS_DENY, "*", "*")};
};

TEST_F(StatefulNsgTest, ReplyPassesDespiteOutboundDeny) {
  ASSERT_OK_AND_ASSIGN(ResolvedNsg nsg, Resolve(rules_, false));
  ASSERT_OK_AND_ASSIGN(
      ResolvedFlow ssh,
      ResolvedFlow::FromProto(MakeFlow(DIRECTION_INBOUND, PROTOCOL_TCP, kVm,
                                       22, "198.51.100.25", 50000)));
  FiveTuple opening = ToFiveTuple(ssh);
  EXPECT_EQ(opening.ToString(), "tcp 198.51.100.25:50000 -> 10.0.2.4:22");

  auto rules = [&](const FiveTuple& packet) { return Allows(nsg, packet); };
  EXPECT_FALSE(rules(opening.Reversed())) << "the rules alone deny the reply";

  StatefulDecision opened = table_->Admit(opening, kStart, rules);
  EXPECT_EQ(opened.reason, StatefulReason::kRulesAllow);
  StatefulDecision reply =
      table_->Admit(opening.Reversed(), kStart + absl::Seconds(1), rules);
  EXPECT_TRUE(reply.allowed);
  EXPECT_EQ(reply.reason, StatefulReason::kReply);

  // The VM cannot open a connection of its own to the same host.
  FiveTuple own{kProtocolTcp, opening.destination, 40000, opening.source, 22};
  EXPECT_FALSE(table_->Admit(own, kStart + absl::Seconds(2), rules).allowed);
}

TEST_F(StatefulNsgTest, RuleRemovalKeepsSessionUnlessFlushed) {
  for (bool flush : {false, true}) {
    SCOPED_TRACE(flush ? "flushConnection" : "default");
    ASSERT_OK_AND_ASSIGN(table_, ConnectionTable::Create({}));
    ASSERT_OK_AND_ASSIGN(ResolvedNsg before, Resolve(rules_, flush));
    FiveTuple opening{kProtocolTcp, *net::IpAddress::Parse("198.51.100.25"),
                      50000, *net::IpAddress::Parse(kVm), 22};
    auto old_rules = [&](const FiveTuple& packet) {
      return Allows(before, packet);
    };
    ASSERT_TRUE(table_->Admit(opening, kStart, old_rules).allowed);

    // The allow rule is removed: SSH now falls to DenyAllInBound.
    ASSERT_OK_AND_ASSIGN(ResolvedNsg after, Resolve({rules_[1]}, flush));
    auto new_rules = [&](const FiveTuple& packet) {
      return Allows(after, packet);
    };
    size_t removed = table_->ReevaluateAfterRuleChange(
        after.flush_connection(), new_rules);
    StatefulDecision next =
        table_->Admit(opening, kStart + absl::Seconds(5), new_rules);
    if (flush) {
      EXPECT_EQ(removed, 1u);
      EXPECT_FALSE(next.allowed);
      EXPECT_EQ(next.reason, StatefulReason::kRulesDeny);
    } else {
      EXPECT_EQ(removed, 0u);
      EXPECT_TRUE(next.allowed);
      EXPECT_EQ(next.reason, StatefulReason::kEstablished);
    }
  }
}

TEST(ToFiveTupleTest, FollowsDirectionAndProtocol) {
  ASSERT_OK_AND_ASSIGN(
      ResolvedFlow out,
      ResolvedFlow::FromProto(MakeFlow(DIRECTION_OUTBOUND, PROTOCOL_UDP, kVm,
                                       5353, "2001:db8::53", 53)));
  FiveTuple tuple = ToFiveTuple(out);
  EXPECT_EQ(tuple.protocol, kProtocolUdp);
  EXPECT_EQ(tuple.source.ToString(), kVm);
  EXPECT_EQ(tuple.source_port, 5353);
  EXPECT_EQ(tuple.destination.ToString(), "2001:db8::53");
  EXPECT_EQ(tuple.destination_port, 53);

  struct Case {
    Protocol protocol;
    uint8_t number;
  };
  for (const Case& c : std::vector<Case>{{PROTOCOL_ICMP, 1},
                                         {PROTOCOL_ESP, 50},
                                         {PROTOCOL_AH, 51},
                                         {PROTOCOL_ANY, 255}}) {
    ASSERT_OK_AND_ASSIGN(ResolvedFlow flow,
                         ResolvedFlow::FromProto(MakeFlow(
                             DIRECTION_INBOUND, c.protocol, kVm, 0,
                             "192.0.2.1", 0)));
    EXPECT_EQ(ToFiveTuple(flow).protocol, c.number) << c.protocol;
  }
}

}  // namespace
}  // namespace portcullis::nsg
