// Side-by-side benchmark of the classifier and DPDK's rte_acl (Debian's
// DPDK 22.11) on the same rules and flows, in one run.
//
//   bazel run --config=opt //benchmarks:classifier_vs_dpdk --
//       --classbench_dir=/path/to/classbench --benchmark_format=json
//
// Each set gets `<set>/portcullis`, `<set>/portcullis_batch` and
// `<set>/rte_acl_<algorithm>` for every rte_acl algorithm this machine runs
// (scalar, sse, avx2, avx512x16, avx512x32). rte_acl classifies a burst of
// kBurst flows per call, like portcullis_batch. After the run, a summary on
// standard error gives per set the CPU ns per lookup of each side, the best
// rte_acl algorithm, the ratio of our time to its time, and both memory
// footprints. Without --classbench_dir the run uses a generated
// ClassBench-like set of 1,000 rules, so the binary runs anywhere DPDK is
// installed.
//
// EAL starts without hugepages, PCI or shared config (--no-huge --no-pci
// --no-shconf), with -m from --dpdk_memory_mb (default 4096: rte_acl needs
// about 1 GiB for fw1_100k, plus temporary memory while it builds). EAL and
// rte_acl messages go to standard error.
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_eal.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_vect.h>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "benchmarks/classifier_bench_sets.h"
#include "nsg/classifier.h"

namespace portcullis::benchmarks {
namespace {

using nsg::FlowV4;
using nsg::RuleMatch;

constexpr size_t kBurst = 256;

// The classification input rte_acl reads, in network byte order. The first
// field must be one byte (rte_acl reads it alone, then four-byte groups).
struct AclInput {
  uint8_t protocol;
  uint32_t source;
  uint32_t destination;
  uint16_t source_port;
  uint16_t destination_port;
};

enum { kProtocolField, kSourceField, kDestinationField, kSourcePortField,
       kDestinationPortField, kFieldCount };

RTE_ACL_RULE_DEF(AclRule, kFieldCount);

const rte_acl_field_def kFieldDefs[kFieldCount] = {
    {RTE_ACL_FIELD_TYPE_BITMASK, sizeof(uint8_t), kProtocolField, 0,
     offsetof(AclInput, protocol)},
    {RTE_ACL_FIELD_TYPE_MASK, sizeof(uint32_t), kSourceField, 1,
     offsetof(AclInput, source)},
    {RTE_ACL_FIELD_TYPE_MASK, sizeof(uint32_t), kDestinationField, 2,
     offsetof(AclInput, destination)},
    {RTE_ACL_FIELD_TYPE_RANGE, sizeof(uint16_t), kSourcePortField, 3,
     offsetof(AclInput, source_port)},
    {RTE_ACL_FIELD_TYPE_RANGE, sizeof(uint16_t), kDestinationPortField, 3,
     offsetof(AclInput, destination_port)},
};

struct Algorithm {
  enum rte_acl_classify_alg id;
  const char* name;
};

const Algorithm kAlgorithms[] = {
    {RTE_ACL_CLASSIFY_SCALAR, "scalar"},     {RTE_ACL_CLASSIFY_SSE, "sse"},
    {RTE_ACL_CLASSIFY_AVX2, "avx2"},         {RTE_ACL_CLASSIFY_AVX512X16, "avx512x16"},
    {RTE_ACL_CLASSIFY_AVX512X32, "avx512x32"},
};

double ThreadCpuSeconds() {
  timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Per set: CPU ns per lookup of each implementation, and memory.
struct Summary {
  std::map<std::string, double> ns_per_lookup;
  // The classifier's engine for the set's IPv4 flows.
  std::string engine;
  size_t portcullis_bytes = 0;
  size_t rte_acl_bytes = 0;
};
std::map<std::string, Summary>& Summaries() {
  static auto* summaries = new std::map<std::string, Summary>();
  return *summaries;
}

// A built rte_acl context for one set, with the inputs in its format.
class AclSet {
 public:
  explicit AclSet(BenchSet* set) : set_(set) {}
  ~AclSet() {
    if (context_ != nullptr) rte_acl_free(context_);
  }

  // Builds on first use; returns "" or an error message.
  std::string Build() {
    if (built_) return error_;
    built_ = true;
    const nsg::RuleTable& table = set_->table();
    std::vector<AclRule> rules;
    for (size_t i = 0; i < table.size(); ++i) {
      const nsg::TableRule& rule = table.rule(i);
      if (rule.source_v4.size() != 1 || rule.destination_v4.size() != 1 ||
          rule.source_ports.size() != 1 || rule.destination_ports.size() != 1) {
        return error_ = absl::StrCat("rule ", i, " has sets; rte_acl takes one value per field");
      }
      AclRule acl{};
      acl.data.category_mask = 1;
      // rte_acl prefers the highest priority value; the table the lowest
      // (priority, index), so rank by index within the ClassBench order.
      acl.data.priority = static_cast<int32_t>(RTE_ACL_MAX_PRIORITY - i);
      acl.data.userdata = static_cast<uint32_t>(i + 1);
      acl.field[kProtocolField].value.u8 = rule.protocol.value_or(0);
      acl.field[kProtocolField].mask_range.u8 = rule.protocol.has_value() ? 0xff : 0;
      acl.field[kSourceField].value.u32 = rule.source_v4[0].address;
      acl.field[kSourceField].mask_range.u32 = rule.source_v4[0].length;
      acl.field[kDestinationField].value.u32 = rule.destination_v4[0].address;
      acl.field[kDestinationField].mask_range.u32 = rule.destination_v4[0].length;
      acl.field[kSourcePortField].value.u16 = rule.source_ports[0].first;
      acl.field[kSourcePortField].mask_range.u16 = rule.source_ports[0].last;
      acl.field[kDestinationPortField].value.u16 = rule.destination_ports[0].first;
      acl.field[kDestinationPortField].mask_range.u16 = rule.destination_ports[0].last;
      rules.push_back(acl);
    }

    rte_malloc_socket_stats before{};
    rte_malloc_get_socket_stats(0, &before);
    const std::string name = "classifier_vs_dpdk_" + set_->name();
    rte_acl_param param{};
    param.name = name.c_str();
    param.socket_id = SOCKET_ID_ANY;
    param.rule_size = RTE_ACL_RULE_SZ(kFieldCount);
    param.max_rule_num = static_cast<uint32_t>(rules.size());
    context_ = rte_acl_create(&param);
    if (context_ == nullptr) return error_ = "rte_acl_create failed";
    int result = rte_acl_add_rules(context_, reinterpret_cast<const rte_acl_rule*>(rules.data()),
                                   static_cast<uint32_t>(rules.size()));
    if (result != 0) return error_ = absl::StrCat("rte_acl_add_rules failed: ", result);
    rte_acl_config config{};
    config.num_categories = 1;
    config.num_fields = kFieldCount;
    std::memcpy(config.defs, kFieldDefs, sizeof(kFieldDefs));
    const double start = ThreadCpuSeconds();
    result = rte_acl_build(context_, &config);
    build_seconds_ = ThreadCpuSeconds() - start;
    if (result != 0) return error_ = absl::StrCat("rte_acl_build failed: ", result);
    rte_malloc_socket_stats after{};
    rte_malloc_get_socket_stats(0, &after);
    bytes_ = after.heap_allocsz_bytes - before.heap_allocsz_bytes;

    for (const FlowV4& flow : set_->flows_v4()) {
      inputs_.push_back(AclInput{flow.protocol, rte_cpu_to_be_32(flow.source),
                                 rte_cpu_to_be_32(flow.destination),
                                 rte_cpu_to_be_16(flow.source_port),
                                 rte_cpu_to_be_16(flow.destination_port)});
    }
    for (const AclInput& input : inputs_) {
      pointers_.push_back(reinterpret_cast<const uint8_t*>(&input));
    }
    return error_;
  }

  // Returns "" when `algorithm` runs here and agrees with portcullis on the
  // first flows, or why not.
  std::string Select(enum rte_acl_classify_alg algorithm) {
    if (rte_acl_set_ctx_classify(context_, algorithm) != 0) return "not supported here";
    const size_t count = std::min<size_t>(pointers_.size(), 4096);
    std::vector<uint32_t> results(count);
    rte_acl_classify(context_, const_cast<const uint8_t**>(pointers_.data()), results.data(),
                     static_cast<uint32_t>(count), 1);
    for (size_t i = 0; i < count; ++i) {
      const RuleMatch ours = set_->classifier().Lookup(set_->flows_v4()[i]);
      const uint32_t expected = ours.found() ? ours.index + 1 : 0;
      if (results[i] != expected) {
        return absl::StrCat("disagrees on flow ", i, ": rule ", results[i], " against ",
                            expected);
      }
    }
    return "";
  }

  rte_acl_ctx* context() const { return context_; }
  const std::vector<const uint8_t*>& pointers() const { return pointers_; }
  size_t bytes() const { return bytes_; }
  double build_seconds() const { return build_seconds_; }

 private:
  BenchSet* set_;
  bool built_ = false;
  std::string error_;
  rte_acl_ctx* context_ = nullptr;
  std::vector<AclInput> inputs_;
  std::vector<const uint8_t*> pointers_;
  size_t bytes_ = 0;
  double build_seconds_ = 0;
};

void RecordTime(const std::string& set, const std::string& implementation,
                double cpu_seconds, int64_t items) {
  if (items > 0) {
    Summaries()[set].ns_per_lookup[implementation] = cpu_seconds * 1e9 / items;
  }
}

void RunPortcullis(benchmark::State& state, BenchSet* set, bool batch) {
  const nsg::Classifier& classifier = set->classifier();
  const std::vector<FlowV4>& flows = set->flows_v4();
  std::vector<RuleMatch> matches(kBurst);
  size_t next = 0;
  int64_t items = 0;
  const double start = ThreadCpuSeconds();
  for (auto _ : state) {
    if (batch) {
      const size_t count = std::min(kBurst, flows.size() - next);
      classifier.LookupBatch(absl::MakeConstSpan(flows.data() + next, count),
                             absl::MakeSpan(matches));
      benchmark::DoNotOptimize(matches.data());
      items += static_cast<int64_t>(count);
      next += count;
    } else {
      RuleMatch match = classifier.Lookup(flows[next]);
      benchmark::DoNotOptimize(match);
      ++items;
      ++next;
    }
    if (next == flows.size()) next = 0;
  }
  RecordTime(set->name(), batch ? "portcullis_batch" : "portcullis",
             ThreadCpuSeconds() - start, items);
  state.SetItemsProcessed(items);
  state.counters["snapshot_bytes"] = static_cast<double>(classifier.memory_bytes());
  const char* engine = nsg::ClassifierEngineName(classifier.engine_v4());
  state.SetLabel(std::string("engine=") + engine);
  Summaries()[set->name()].portcullis_bytes = classifier.memory_bytes();
  Summaries()[set->name()].engine = engine;
}

void RunAcl(benchmark::State& state, BenchSet* set, AclSet* acl, const Algorithm& algorithm) {
  std::string error = acl->Build();
  if (error.empty()) error = acl->Select(algorithm.id);
  if (!error.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  const std::vector<const uint8_t*>& pointers = acl->pointers();
  uint32_t results[kBurst];
  size_t next = 0;
  int64_t items = 0;
  const double start = ThreadCpuSeconds();
  for (auto _ : state) {
    const size_t count = std::min(kBurst, pointers.size() - next);
    rte_acl_classify(acl->context(), const_cast<const uint8_t**>(pointers.data() + next), results,
                     static_cast<uint32_t>(count), 1);
    benchmark::DoNotOptimize(results);
    items += static_cast<int64_t>(count);
    next += count;
    if (next == pointers.size()) next = 0;
  }
  RecordTime(set->name(), std::string("rte_acl_") + algorithm.name,
             ThreadCpuSeconds() - start, items);
  state.SetItemsProcessed(items);
  state.counters["rte_acl_bytes"] = static_cast<double>(acl->bytes());
  state.counters["rte_acl_build_seconds"] = acl->build_seconds();
  Summaries()[set->name()].rte_acl_bytes = acl->bytes();
}

void PrintSummary() {
  std::fprintf(stderr,
               "\nset (engine): portcullis ns, portcullis_batch ns, best rte_acl (ns), "
               "time ratio ours/theirs, bytes ours/theirs\n");
  for (const auto& [set, summary] : Summaries()) {
    double ours = 0;
    double best = 0;
    std::string best_name;
    for (const auto& [name, ns] : summary.ns_per_lookup) {
      if (name.rfind("rte_acl_", 0) == 0) {
        if (best_name.empty() || ns < best) {
          best = ns;
          best_name = name;
        }
      } else if (ours == 0 || ns < ours) {
        ours = ns;
      }
    }
    auto ns_of = [&](const char* name) {
      auto it = summary.ns_per_lookup.find(name);
      return it == summary.ns_per_lookup.end() ? 0.0 : it->second;
    };
    std::fprintf(stderr, "%s (%s): %.1f, %.1f, %s (%.1f), %.2f, %zu/%zu (%.3f)\n",
                 set.c_str(), summary.engine.c_str(), ns_of("portcullis"),
                 ns_of("portcullis_batch"), best_name.c_str(), best,
                 best > 0 ? ours / best : 0.0, summary.portcullis_bytes,
                 summary.rte_acl_bytes,
                 summary.rte_acl_bytes > 0
                     ? static_cast<double>(summary.portcullis_bytes) / summary.rte_acl_bytes
                     : 0.0);
  }
}

bool StartEal(const std::string& memory_mb) {
  rte_openlog_stream(stderr);
  std::vector<std::string> args = {"classifier_vs_dpdk", "--no-huge", "--no-pci",
                                   "--no-shconf",        "-m",        memory_mb,
                                   "-l",                 "0",
                                   "--force-max-simd-bitwidth=512",
                                   "--log-level=lib.eal:warning"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0) {
    std::fprintf(stderr, "classifier_vs_dpdk: rte_eal_init failed: %s\n",
                 rte_strerror(rte_errno));
    return false;
  }
  return true;
}

}  // namespace
}  // namespace portcullis::benchmarks

int main(int argc, char** argv) {
  namespace bench = portcullis::benchmarks;
  const std::string dir = bench::TakeFlag(&argc, argv, "classbench_dir");
  if (!bench::TakeClassifierFlags(&argc, argv)) return 1;
  std::string memory_mb = bench::TakeFlag(&argc, argv, "dpdk_memory_mb");
  if (memory_mb.empty()) memory_mb = "4096";
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (!bench::StartEal(memory_mb)) return 2;

  std::vector<std::unique_ptr<bench::BenchSet>> sets = bench::ClassBenchSets(dir);
  if (sets.empty()) sets.push_back(bench::SyntheticClassBenchSet());
  std::vector<std::unique_ptr<bench::AclSet>> acl_sets;
  for (auto& set : sets) {
    bench::BenchSet* raw = set.get();
    acl_sets.push_back(std::make_unique<bench::AclSet>(raw));
    bench::AclSet* acl = acl_sets.back().get();
    benchmark::RegisterBenchmark((raw->name() + "/portcullis").c_str(),
                                 [raw](benchmark::State& state) {
                                   bench::RunPortcullis(state, raw, false);
                                 });
    benchmark::RegisterBenchmark((raw->name() + "/portcullis_batch").c_str(),
                                 [raw](benchmark::State& state) {
                                   bench::RunPortcullis(state, raw, true);
                                 });
    for (const bench::Algorithm& algorithm : bench::kAlgorithms) {
      benchmark::RegisterBenchmark(
          (raw->name() + "/rte_acl_" + algorithm.name).c_str(),
          [raw, acl, algorithm](benchmark::State& state) {
            bench::RunAcl(state, raw, acl, algorithm);
          });
    }
  }

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  bench::PrintSummary();
  acl_sets.clear();
  rte_eal_cleanup();
  return 0;
}
