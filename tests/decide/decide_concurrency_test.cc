// Decisions on several threads while a writer republishes whole snapshots:
// every decision reads one snapshot, never parts of two, and replaced
// snapshots are freed only when no reader holds them. Runs under TSan
// (tag "concurrency").
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "decide/decide.h"
#include "decide/explain.h"
#include "decide/holder.h"
#include "decide/scenario.h"
#include "tests/decide/inline_inputs.h"
#include "decide/snapshot.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::decide::testing {
namespace {

constexpr int kReaders = 4;

// Two kinds of snapshot of the reference architecture at 09:30: with the
// JIT request history (the administrator gets in) and without it (the JIT
// layer denies). Every other layer allows in both, so a decision that mixed
// the two kinds would show a JIT outcome that disagrees with its verdict.
// The inputs are built in code because JSON cannot be parsed under TSan
// (see inline_inputs.h).
// True when `decision` is what one of the two kinds of snapshot decides.
bool Consistent(const Decision& decision) {
  for (Layer layer : {Layer::kConditionalAccess, Layer::kPim, Layer::kRbac}) {
    if (decision.layer(layer).outcome != LayerOutcome::kAllow) return false;
  }
  if (decision.verdict == Verdict::kAllow) {
    return decision.layer(Layer::kJit).outcome == LayerOutcome::kAllow &&
           decision.layer(Layer::kNsg).outcome == LayerOutcome::kAllow;
  }
  return decision.verdict == Verdict::kDeny && decision.denied_by == Layer::kJit &&
         decision.jit.state == JitDetail::State::kNoGrant &&
         decision.layer(Layer::kNsg).outcome == LayerOutcome::kDeny;
}

TEST(DecideConcurrencyTest, ReadersSeeWholeSnapshotsWhileWriterRepublishes) {
  const InlineInputs with_grant = MakeInlineInputs(/*with_jit_grant=*/true);
  const InlineInputs without_grant = MakeInlineInputs(/*with_jit_grant=*/false);
  const absl::Time now = absl::FromCivil(absl::CivilSecond(2026, 3, 2, 9, 30, 0),
                                         absl::UTCTimeZone());
  const BuildOptions options = BuildOptionsAround(now);
  const Attempt attempt = with_grant.attempt();

  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Snapshot> allow,
                       Snapshot::Build(with_grant.input, options));
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Snapshot> deny,
                       Snapshot::Build(without_grant.input, options));
  ASSERT_TRUE(Consistent(Decide(*allow, attempt, now)));
  ASSERT_EQ(Decide(*allow, attempt, now).verdict, Verdict::kAllow);
  ASSERT_EQ(Decide(*deny, attempt, now).verdict, Verdict::kDeny);

  SnapshotHolder holder;
  holder.Publish(allow);
  std::atomic<bool> stop{false};
  std::atomic<int> inconsistent{0};
  std::atomic<int> backwards{0};
  std::atomic<long> decisions{0};
  std::atomic<int> explained{0};
  std::atomic<int> left_pin{0};

  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      absl::StatusOr<SnapshotReader> reader = holder.NewReader();
      if (!reader.ok()) {
        inconsistent.fetch_add(1);
        return;
      }
      uint64_t last_id = 0;
      for (long i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        Decision decision = reader->Decide(attempt, now);
        if (!Consistent(decision)) inconsistent.fetch_add(1);
        // Snapshot ids grow with each build, and each is published after
        // the one before it, so a reader never goes back.
        if (decision.snapshot_id < last_id) backwards.fetch_add(1);
        last_id = decision.snapshot_id;
        decisions.fetch_add(1, std::memory_order_relaxed);
        if (i % 64 == r) {
          // Explaining reads the snapshot deeply while it stays pinned.
          PinnedSnapshot pinned = reader->Pin();
          Decision pinned_decision = Decide(*pinned, attempt, now);
          // Deciding through the reader uses the snapshot it pins and
          // leaves the pin in place for Explain().
          if (reader->Decide(attempt, now).snapshot_id != pinned->id()) left_pin.fetch_add(1);
          if (Explain(pinned.get(), attempt, pinned_decision).ok()) explained.fetch_add(1);
        }
      }
    });
  }

  // The writer alternates the two kinds, building a fresh snapshot for
  // every publication so that replaced ones must be freed.
  for (int round = 0; round < 24; ++round) {
    absl::StatusOr<std::shared_ptr<const Snapshot>> next =
        Snapshot::Build(round % 2 == 0 ? without_grant.input : with_grant.input, options);
    ASSERT_OK(next.status());
    holder.Publish(*std::move(next));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  while (decisions.load() < 2000) std::this_thread::yield();
  stop.store(true);
  for (std::thread& reader : readers) reader.join();

  EXPECT_EQ(inconsistent.load(), 0);
  EXPECT_EQ(backwards.load(), 0);
  EXPECT_GT(explained.load(), 0);
  EXPECT_EQ(left_pin.load(), 0);
  holder.CollectRetired();
  EXPECT_EQ(holder.retired_count(), 0u);
}

}  // namespace
}  // namespace portcullis::decide::testing
