// Lookup, build and publish benchmarks of the compiled classifier.
//
//   bazel run --config=opt //benchmarks:classifier_benchmark --
//       --classbench_dir=/path/to/classbench --benchmark_format=json
//
// Every ClassBench set in --classbench_dir (each file NAME with its trace
// NAME_trace) is benchmarked, plus the built-in NSG-shaped set, which needs
// no input. Lookup benchmarks are named `<set>/<implementation>`:
// `portcullis` classifies one flow per call, `portcullis_batch` a burst of
// kBurst flows per call. Both cycle through the set's trace and report
// lookups per second as items_per_second. `<set>/build` times a full
// compile and `<set>/publish_one_rule` the publication of a one-rule change.
// Each result's label names the engine of the family looked up;
// `--engine=tuple_space|bit_vector` forces one and `--bit_vector_max_bytes`
// sets the bit-vector budget. Only Google Benchmark writes to standard output; notes go to standard
// error.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "benchmarks/classifier_bench_sets.h"
#include "nsg/classifier.h"
#include "nsg/publisher.h"

namespace portcullis::benchmarks {
namespace {

using nsg::Classifier;
using nsg::FlowV4;
using nsg::FlowV6;
using nsg::RuleMatch;

constexpr size_t kBurst = 256;

template <typename Flow>
void RunSingle(benchmark::State& state, const Classifier& classifier,
               const std::vector<Flow>& flows) {
  size_t next = 0;
  for (auto _ : state) {
    RuleMatch match = classifier.Lookup(flows[next]);
    benchmark::DoNotOptimize(match);
    if (++next == flows.size()) next = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

template <typename Flow>
void RunBatch(benchmark::State& state, const Classifier& classifier,
              const std::vector<Flow>& flows) {
  std::vector<RuleMatch> matches(kBurst);
  size_t next = 0;
  int64_t items = 0;
  for (auto _ : state) {
    const size_t count = std::min(kBurst, flows.size() - next);
    classifier.LookupBatch(absl::MakeConstSpan(flows.data() + next, count),
                           absl::MakeSpan(matches));
    benchmark::DoNotOptimize(matches.data());
    items += static_cast<int64_t>(count);
    next += count;
    if (next == flows.size()) next = 0;
  }
  state.SetItemsProcessed(items);
}

void AddCounters(benchmark::State& state, BenchSet& set) {
  const Classifier& classifier = set.classifier();
  // The engine of the family whose flows the set looks up.
  state.SetLabel(std::string("engine=") +
                 nsg::ClassifierEngineName(set.is_v6() ? classifier.engine_v6()
                                                       : classifier.engine_v4()));
  state.counters["snapshot_bytes"] =
      static_cast<double>(set.classifier().memory_bytes());
  state.counters["rules"] = static_cast<double>(set.table().size());
  state.counters["tables"] =
      static_cast<double>(set.classifier().table_count_v4() +
                          set.classifier().table_count_v6());
}

void RunBuild(benchmark::State& state, BenchSet* set) {
  for (auto _ : state) {
    absl::StatusOr<Classifier> classifier =
        Classifier::Compile(set->table(), BenchClassifierOptions());
    benchmark::DoNotOptimize(classifier);
  }
  AddCounters(state, *set);
}

// Publishes one extra rule on top of the set and withdraws it again, as a
// just-in-time grant does; each iteration times one publication.
void RunPublishOneRule(benchmark::State& state, BenchSet* set) {
  absl::StatusOr<std::unique_ptr<nsg::ClassifierPublisher>> publisher =
      nsg::ClassifierPublisher::Create(set->shared_table(), set->shared_classifier());
  if (!publisher.ok()) {
    state.SkipWithError(std::string(publisher.status().message()).c_str());
    return;
  }
  nsg::TableRule grant = set->table().rule(0);
  grant.priority = set->table().rule(0).priority;
  std::optional<uint64_t> added;
  for (auto _ : state) {
    if (added.has_value()) {
      absl::Status status = (*publisher)->RemoveRule(*added);
      benchmark::DoNotOptimize(status);
      added.reset();
    } else {
      absl::StatusOr<uint64_t> id = (*publisher)->AddRule(grant);
      if (id.ok()) added = *id;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void Register(BenchSet* set) {
  const std::string& name = set->name();
  benchmark::RegisterBenchmark((name + "/portcullis").c_str(),
                               [set](benchmark::State& state) {
                                 if (set->is_v6()) {
                                   RunSingle(state, set->classifier(), set->flows_v6());
                                 } else {
                                   RunSingle(state, set->classifier(), set->flows_v4());
                                 }
                                 AddCounters(state, *set);
                               });
  benchmark::RegisterBenchmark((name + "/portcullis_batch").c_str(),
                               [set](benchmark::State& state) {
                                 if (set->is_v6()) {
                                   RunBatch(state, set->classifier(), set->flows_v6());
                                 } else {
                                   RunBatch(state, set->classifier(), set->flows_v4());
                                 }
                                 AddCounters(state, *set);
                               });
  // Sets that only look up other flows of a table registered before them
  // (nsg_shaped_v6) skip the build and publish benchmarks.
  if (set->is_v6()) return;
  benchmark::RegisterBenchmark((name + "/build").c_str(),
                               [set](benchmark::State& state) { RunBuild(state, set); })
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(
      (name + "/publish_one_rule").c_str(),
      [set](benchmark::State& state) { RunPublishOneRule(state, set); })
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace
}  // namespace portcullis::benchmarks

int main(int argc, char** argv) {
  using portcullis::benchmarks::BenchSet;
  const std::string dir =
      portcullis::benchmarks::TakeFlag(&argc, argv, "classbench_dir");
  if (!portcullis::benchmarks::TakeClassifierFlags(&argc, argv)) return 1;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  std::vector<std::unique_ptr<BenchSet>> sets =
      portcullis::benchmarks::NsgShapedBenchSets();
  std::vector<std::unique_ptr<BenchSet>> classbench =
      portcullis::benchmarks::ClassBenchSets(dir);
  for (auto& set : classbench) sets.push_back(std::move(set));
  for (auto& set : sets) portcullis::benchmarks::Register(set.get());

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
