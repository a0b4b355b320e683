#include "nsg/connection_table.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::nsg {
namespace {

using ::portcullis::testing::IsOk;
using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

net::IpAddress Ip(const char* text) {
  absl::StatusOr<net::IpAddress> address = net::IpAddress::Parse(text);
  EXPECT_TRUE(address.ok()) << address.status();
  return address.ok() ? *address : net::IpAddress();
}

// 203.0.113.10:50000 -> 192.0.2.4:22 over TCP, an SSH connection from
// outside to a VM.
FiveTuple Ssh() {
  return FiveTuple{kProtocolTcp, Ip("203.0.113.10"), 50000, Ip("192.0.2.4"),
                   22};
}

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

std::unique_ptr<ConnectionTable> NewTable(ConnectionTableOptions options = {}) {
  absl::StatusOr<std::unique_ptr<ConnectionTable>> table =
      ConnectionTable::Create(options);
  EXPECT_TRUE(table.ok()) << table.status();
  return table.ok() ? std::move(*table) : nullptr;
}

bool AllowAll(const FiveTuple&) { return true; }
bool DenyAll(const FiveTuple&) { return false; }

TEST(FiveTupleTest, ReversedSwapsEnds) {
  FiveTuple reply = Ssh().Reversed();
  EXPECT_EQ(reply.source, Ip("192.0.2.4"));
  EXPECT_EQ(reply.source_port, 22);
  EXPECT_EQ(reply.destination, Ip("203.0.113.10"));
  EXPECT_EQ(reply.destination_port, 50000);
  EXPECT_EQ(reply.Reversed(), Ssh());
}

TEST(FiveTupleTest, ToStringNamesProtocolAndBracketsIpv6) {
  EXPECT_EQ(Ssh().ToString(), "tcp 203.0.113.10:50000 -> 192.0.2.4:22");
  FiveTuple v6{kProtocolUdp, Ip("2001:db8::1"), 53, Ip("2001:db8::2"), 5353};
  EXPECT_EQ(v6.ToString(), "udp [2001:db8::1]:53 -> [2001:db8::2]:5353");
  FiveTuple gre{47, Ip("192.0.2.1"), 0, Ip("192.0.2.2"), 0};
  EXPECT_EQ(gre.ToString(), "protocol 47 192.0.2.1:0 -> 192.0.2.2:0");
}

TEST(ConnectionTableTest, CreateRejectsBadOptions) {
  ConnectionTableOptions zero_size;
  zero_size.max_connections = 0;
  EXPECT_THAT(ConnectionTable::Create(zero_size),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("max_connections: invalid value 0")));

  ConnectionTableOptions zero_timeout;
  zero_timeout.idle_timeout = absl::ZeroDuration();
  EXPECT_THAT(ConnectionTable::Create(zero_timeout),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("idle_timeout: invalid value 0")));

  ConnectionTableOptions infinite_timeout;
  infinite_timeout.idle_timeout = absl::InfiniteDuration();
  EXPECT_THAT(ConnectionTable::Create(infinite_timeout),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("idle_timeout: invalid value inf")));
}

TEST(ConnectionTableTest, ReplyOfAllowedFlowIsAdmitted) {
  std::unique_ptr<ConnectionTable> table = NewTable();
  StatefulDecision opened = table->Admit(Ssh(), kStart, AllowAll);
  EXPECT_TRUE(opened.allowed);
  EXPECT_EQ(opened.reason, StatefulReason::kRulesAllow);

  // The reverse direction has no allow rule at all, yet the reply passes.
  StatefulDecision reply =
      table->Admit(Ssh().Reversed(), kStart + absl::Seconds(1), DenyAll);
  EXPECT_TRUE(reply.allowed);
  EXPECT_EQ(reply.reason, StatefulReason::kReply);

  StatefulDecision more =
      table->Admit(Ssh(), kStart + absl::Seconds(2), DenyAll);
  EXPECT_TRUE(more.allowed);
  EXPECT_EQ(more.reason, StatefulReason::kEstablished);
  EXPECT_EQ(table->size(), 1u);
}

TEST(ConnectionTableTest, DeniedFlowIsNotRecorded) {
  std::unique_ptr<ConnectionTable> table = NewTable();
  StatefulDecision denied = table->Admit(Ssh(), kStart, DenyAll);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.reason, StatefulReason::kRulesDeny);
  EXPECT_EQ(table->size(), 0u);
  EXPECT_EQ(table->Lookup(Ssh().Reversed(), kStart), ConnectionMatch::kNone);
}

TEST(ConnectionTableTest, OtherTuplesDoNotMatch) {
  std::unique_ptr<ConnectionTable> table = NewTable();
  ASSERT_OK(table->Open(Ssh(), kStart));

  struct Case {
    std::string name;
    FiveTuple packet;
  };
  FiveTuple other_port = Ssh();
  other_port.source_port = 50001;
  FiveTuple other_protocol = Ssh();
  other_protocol.protocol = kProtocolUdp;
  FiveTuple other_source = Ssh();
  other_source.source = Ip("203.0.113.11");
  // The IPv4-mapped form of the same address is another address.
  FiveTuple mapped = Ssh();
  mapped.destination = Ip("::ffff:192.0.2.4");
  const std::vector<Case> cases = {
      {"other source port", other_port},
      {"other protocol", other_protocol},
      {"other source address", other_source},
      {"ipv4-mapped destination", mapped},
      {"reply of other port", other_port.Reversed()},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(table->Lookup(c.packet, kStart), ConnectionMatch::kNone)
        << c.name;
  }
}

TEST(ConnectionTableTest, IdleConnectionExpiresAtTimeout) {
  ConnectionTableOptions options;
  options.idle_timeout = absl::Minutes(4);
  std::unique_ptr<ConnectionTable> table = NewTable(options);
  ASSERT_OK(table->Open(Ssh(), kStart));

  // The last instant before the timeout still matches and refreshes.
  const absl::Time almost = kStart + absl::Minutes(4) - absl::Nanoseconds(1);
  EXPECT_EQ(table->Lookup(Ssh().Reversed(), almost), ConnectionMatch::kReply);

  // Idle for exactly the timeout since that refresh: gone.
  EXPECT_EQ(table->Lookup(Ssh(), almost + absl::Minutes(4)),
            ConnectionMatch::kNone);
  EXPECT_EQ(table->size(), 0u);
}

TEST(ConnectionTableTest, ExpireIdleDropsOnlyIdleConnections) {
  ConnectionTableOptions options;
  options.idle_timeout = absl::Seconds(60);
  std::unique_ptr<ConnectionTable> table = NewTable(options);
  FiveTuple second = Ssh();
  second.source_port = 50001;
  ASSERT_OK(table->Open(Ssh(), kStart));
  ASSERT_OK(table->Open(second, kStart + absl::Seconds(30)));

  EXPECT_EQ(table->ExpireIdle(kStart + absl::Seconds(59)), 0u);
  EXPECT_EQ(table->ExpireIdle(kStart + absl::Seconds(60)), 1u);
  EXPECT_EQ(table->size(), 1u);
  EXPECT_EQ(table->Lookup(second, kStart + absl::Seconds(61)),
            ConnectionMatch::kOriginal);
}

TEST(ConnectionTableTest, EarlierTimeIsTakenAsLatest) {
  ConnectionTableOptions options;
  options.idle_timeout = absl::Seconds(60);
  std::unique_ptr<ConnectionTable> table = NewTable(options);
  ASSERT_OK(table->Open(Ssh(), kStart + absl::Seconds(100)));

  // A stale time cannot make the connection look fresher than it is...
  EXPECT_EQ(table->Lookup(Ssh(), kStart), ConnectionMatch::kOriginal);
  // ...and the refresh it caused counts at the latest time, 100 s.
  EXPECT_EQ(table->Lookup(Ssh(), kStart + absl::Seconds(159)),
            ConnectionMatch::kOriginal);
  EXPECT_EQ(table->Lookup(Ssh(), kStart + absl::Seconds(219)),
            ConnectionMatch::kNone);
}

TEST(ConnectionTableTest, FullTableRejectsNewConnections) {
  ConnectionTableOptions options;
  options.max_connections = 2;
  options.idle_timeout = absl::Seconds(60);
  std::unique_ptr<ConnectionTable> table = NewTable(options);
  FiveTuple a = Ssh();
  FiveTuple b = Ssh();
  b.source_port = 50001;
  FiveTuple c = Ssh();
  c.source_port = 50002;
  ASSERT_OK(table->Open(a, kStart));
  ASSERT_OK(table->Open(b, kStart));

  EXPECT_THAT(table->Open(c, kStart + absl::Seconds(1)),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("connection table full")));
  StatefulDecision rejected =
      table->Admit(c, kStart + absl::Seconds(1), AllowAll);
  EXPECT_FALSE(rejected.allowed);
  EXPECT_EQ(rejected.reason, StatefulReason::kTableFull);

  // Established connections keep working and reopening one is not new.
  EXPECT_TRUE(table->Admit(a.Reversed(), kStart + absl::Seconds(2), DenyAll)
                  .allowed);
  EXPECT_THAT(table->Open(b, kStart + absl::Seconds(3)), IsOk());

  // Once the old ones are idle, room frees up.
  EXPECT_TRUE(table->Admit(c, kStart + absl::Seconds(63), AllowAll).allowed);
  EXPECT_EQ(table->size(), 1u);
}

TEST(ConnectionTableTest, RuleChangeKeepsConnectionsWithoutFlush) {
  std::unique_ptr<ConnectionTable> table = NewTable();
  ASSERT_TRUE(table->Admit(Ssh(), kStart, AllowAll).allowed);

  // The allow rule is removed; without flushConnection the session stays.
  EXPECT_EQ(table->ReevaluateAfterRuleChange(/*flush_connection=*/false,
                                             DenyAll),
            0u);
  StatefulDecision after =
      table->Admit(Ssh(), kStart + absl::Seconds(1), DenyAll);
  EXPECT_TRUE(after.allowed);
  EXPECT_EQ(after.reason, StatefulReason::kEstablished);

  // A new connection is judged by the new rules.
  FiveTuple fresh = Ssh();
  fresh.source_port = 50001;
  EXPECT_FALSE(table->Admit(fresh, kStart + absl::Seconds(1), DenyAll).allowed);
}

TEST(ConnectionTableTest, FlushConnectionReevaluatesFlows) {
  std::unique_ptr<ConnectionTable> table = NewTable();
  FiveTuple web = Ssh();
  web.destination_port = 443;
  ASSERT_TRUE(table->Admit(Ssh(), kStart, AllowAll).allowed);
  ASSERT_TRUE(table->Admit(web, kStart, AllowAll).allowed);

  // The new rules deny port 22 only.
  auto new_rules = [](const FiveTuple& flow) {
    return flow.destination_port != 22;
  };
  EXPECT_EQ(table->ReevaluateAfterRuleChange(/*flush_connection=*/true,
                                             new_rules),
            1u);
  EXPECT_EQ(table->Lookup(Ssh().Reversed(), kStart), ConnectionMatch::kNone);
  EXPECT_EQ(table->Lookup(web.Reversed(), kStart), ConnectionMatch::kReply);
}

TEST(ConnectionTableTest, StatefulReasonNamesAreDistinct) {
  EXPECT_STREQ(StatefulReasonName(StatefulReason::kEstablished), "established");
  EXPECT_STREQ(StatefulReasonName(StatefulReason::kReply), "reply");
  EXPECT_STREQ(StatefulReasonName(StatefulReason::kRulesAllow), "rules allow");
  EXPECT_STREQ(StatefulReasonName(StatefulReason::kRulesDeny), "rules deny");
  EXPECT_STREQ(StatefulReasonName(StatefulReason::kTableFull),
               "connection table full");
}

}  // namespace
}  // namespace portcullis::nsg
