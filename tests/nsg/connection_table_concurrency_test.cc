// Several threads open connections and send replies through one table.
// Run under --config=tsan to check the locking.
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nsg/connection_table.h"

namespace portcullis::nsg {
namespace {

TEST(ConnectionTableConcurrencyTest, ThreadsShareOneTable) {
  ConnectionTableOptions options;
  options.max_connections = 1000;
  options.idle_timeout = absl::Seconds(30);
  absl::StatusOr<std::unique_ptr<ConnectionTable>> created =
      ConnectionTable::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  ConnectionTable& table = **created;

  constexpr int kThreads = 4;
  constexpr int kConnectionsPerThread = 400;
  const absl::Time start = absl::FromUnixSeconds(1700000000);
  std::atomic<int> admitted{0};
  std::atomic<int> replies{0};
  std::atomic<int> full{0};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kConnectionsPerThread; ++i) {
        FiveTuple flow{kProtocolTcp, net::IpAddress::V4(0xCB007100 + t),
                       static_cast<uint16_t>(40000 + i),
                       net::IpAddress::V4(0xC0000204), 443};
        absl::Time now = start + absl::Milliseconds(i);
        StatefulDecision opened =
            table.Admit(flow, now, [](const FiveTuple&) { return true; });
        if (opened.reason == StatefulReason::kTableFull) {
          ++full;
          continue;
        }
        ++admitted;
        StatefulDecision reply = table.Admit(
            flow.Reversed(), now, [](const FiveTuple&) { return false; });
        if (reply.allowed) ++replies;
        table.size();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  // 1,600 distinct connections compete for 1,000 places within 0.4 s, long
  // before any of them is idle.
  EXPECT_EQ(admitted.load(), 1000);
  EXPECT_EQ(full.load(), kThreads * kConnectionsPerThread - 1000);
  EXPECT_EQ(replies.load(), admitted.load());
  EXPECT_EQ(table.size(), 1000u);
}

}  // namespace
}  // namespace portcullis::nsg
