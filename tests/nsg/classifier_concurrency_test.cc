// Readers classify while a writer publishes: every result must be the
// reference result of the snapshot version the reader pinned, never a mix of
// two versions. Run under TSan (tag "concurrency") to check the hazard
// pointer protocol for data races and use after free.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "nsg/publisher.h"
#include "nsg/rule_table.h"
#include "tests/nsg/classifier_random_rules.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::nsg {
namespace {

struct Observation {
  uint64_t version;
  FlowV4 flow;
  RuleMatch match;
};

RuleTable CombinedTable(const ClassifierSnapshot& snapshot) {
  std::vector<TableRule> rules;
  for (size_t i = 0; i < snapshot.rule_count(); ++i) rules.push_back(snapshot.rule(i));
  absl::StatusOr<RuleTable> table = RuleTable::Create(std::move(rules));
  return table.ok() ? std::move(*table) : RuleTable();
}

TEST(ClassifierConcurrencyTest, ReadersSeeWholeSnapshots) {
  std::mt19937_64 rng(5);
  testing::RandomRuleOptions options;
  options.rule_count = 120;
  options.v6_share = 0;
  ASSERT_OK_AND_ASSIGN(RuleTable base, RuleTable::Create(testing::RandomRules(rng, options)));
  PublisherOptions publisher_options;
  publisher_options.max_overlay_rules = 8;  // rebuilds happen during the run too
  ASSERT_OK_AND_ASSIGN(auto publisher,
                       ClassifierPublisher::Create(std::make_shared<const RuleTable>(base),
                                                   publisher_options));

  // Tables of every published version, recorded by the writer.
  std::mutex versions_mutex;
  std::map<uint64_t, RuleTable> versions;
  versions.emplace(1, CombinedTable(publisher->current_for_writer()));

  // A fixed pool of flows that hit the rules often.
  std::vector<FlowV4> flows;
  for (int i = 0; i < 512; ++i) flows.push_back(testing::RandomFlowV4(rng, base.rules()));

  constexpr int kReaders = 3;
  const int publications = 150 / testing::SanitizerSlowdown() + 20;
  std::atomic<bool> done{false};
  constexpr size_t kMaxObservations = 40000;
  std::atomic<uint64_t> lookup_sink{0};
  std::vector<std::vector<Observation>> observed(kReaders);
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    absl::StatusOr<SnapshotReader> reader = publisher->NewReader();
    ASSERT_TRUE(reader.ok()) << reader.status();
    readers.emplace_back([&, r, reader = std::move(*reader)]() {
      std::vector<RuleMatch> matches(16);
      size_t next = static_cast<size_t>(r) * 97;
      while (!done.load(std::memory_order_acquire)) {
        SnapshotGuard snapshot = reader.Pin();
        if (observed[r].size() > kMaxObservations) {
          // Keep pinning and classifying, but stop recording.
          lookup_sink += snapshot->Lookup(flows[next++ % flows.size()]).index;
          continue;
        }
        // One single lookup and one burst from the same pin.
        const FlowV4& flow = flows[next % flows.size()];
        observed[r].push_back({snapshot->version(), flow, snapshot->Lookup(flow)});
        // A lookup through the reader classifies from the version it pins.
        observed[r].push_back({snapshot->version(), flow, reader.Lookup(flow)});
        const size_t begin = (next * 16) % (flows.size() - 16);
        snapshot->LookupBatch(absl::MakeConstSpan(flows.data() + begin, 16),
                              absl::MakeSpan(matches));
        for (size_t i = 0; i < 16; ++i) {
          observed[r].push_back({snapshot->version(), flows[begin + i], matches[i]});
        }
        ++next;
      }
    });
  }

  std::vector<uint64_t> ids;
  options.rule_count = 1;
  for (int i = 0; i < publications; ++i) {
    const int action = static_cast<int>(rng() % 10);
    if (action < 5 || ids.empty()) {
      absl::StatusOr<uint64_t> id = publisher->AddRule(testing::RandomRules(rng, options)[0]);
      ASSERT_TRUE(id.ok()) << id.status();
      ids.push_back(*id);
    } else if (action < 9) {
      const size_t pick = rng() % ids.size();
      // Ids folded into the base by a rebuild are gone; that is expected.
      absl::Status status = publisher->RemoveRule(ids[pick]);
      ASSERT_TRUE(status.ok() || absl::IsNotFound(status)) << status;
      ids.erase(ids.begin() + pick);
    } else {
      ASSERT_OK(publisher->Consolidate());
    }
    std::lock_guard<std::mutex> lock(versions_mutex);
    const ClassifierSnapshot& current = publisher->current_for_writer();
    versions.emplace(current.version(), CombinedTable(current));
  }
  done.store(true, std::memory_order_release);
  for (std::thread& thread : readers) thread.join();

  size_t total = 0;
  std::map<uint64_t, int> seen_versions;
  for (const std::vector<Observation>& list : observed) {
    for (const Observation& observation : list) {
      auto it = versions.find(observation.version);
      ASSERT_NE(it, versions.end()) << "unknown version " << observation.version;
      ASSERT_EQ(observation.match, it->second.ReferenceLookup(observation.flow))
          << "version " << observation.version;
      ++seen_versions[observation.version];
      ++total;
    }
  }
  EXPECT_GT(total, 0u);
  // Readers must have seen more than the first version.
  EXPECT_GT(seen_versions.size(), 1u);
  publisher->CollectRetired();
  EXPECT_EQ(publisher->retired_count(), 0u);
}

}  // namespace
}  // namespace portcullis::nsg
