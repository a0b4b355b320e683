// One decision per connection: Decide() over the reference architecture's
// snapshot (target: at most 5 microseconds median per decision), the same
// with NSGs whose service tags expand to 100,000 prefixes, decisions through
// the snapshot holder, and snapshot builds. Snapshots are built once, before
// the timed loops; the build benchmarks time builds alone.
//
// The inputs are the scenario files of examples/, found from the working
// directory (the repository or the runfiles root under `bazel run`) or the
// binary's runfiles.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "decide/decide.h"
#include "decide/holder.h"
#include "decide/scenario.h"
#include "decide/snapshot.h"
#include "net/ip_address.h"
#include "nsg/service_tags.h"
#include "proto/nsg.pb.h"

namespace portcullis::decide {
namespace {

// Service tags and rules of the large case: 100 tags of 500 disjoint IPv4
// /24 prefixes each, referenced by 100 rules on the VM subnet's NSG and 100
// on the NIC's: 100,000 prefixes for the classifiers.
constexpr int kTags = 100;
constexpr int kPrefixesPerTag = 500;

bool Exists(const std::string& path) { return std::ifstream(path).good(); }

// The examples folder: ./examples, else the binary's runfiles.
std::string ExamplesDir() {
  std::vector<std::string> candidates = {"examples"};
  if (const char* runfiles = std::getenv("RUNFILES_DIR")) {
    candidates.push_back(absl::StrCat(runfiles, "/portcullis/examples"));
  }
  char buffer[4096];
  ssize_t length = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  if (length > 0) {
    candidates.push_back(
        absl::StrCat(std::string(buffer, length), ".runfiles/portcullis/examples"));
  }
  for (const std::string& dir : candidates) {
    if (Exists(dir + "/reference-architecture.json")) return dir;
  }
  return "";
}

struct Scene {
  std::unique_ptr<Scenario> scenario;
  // The input the snapshot was built from, for the build benchmarks.
  SnapshotInput input;
  std::shared_ptr<const Snapshot> snapshot;
  absl::Time now;
  std::string error;
};

// The examples' ServiceTags_Public download with kTags synthetic tags of
// kPrefixesPerTag prefixes each added, none adjacent to another so none
// merge.
absl::StatusOr<std::string> ServiceTagsJson(const std::string& dir) {
  std::ifstream file(dir + "/ServiceTags_Public_20251028.subset.json");
  if (!file) return absl::NotFoundError("ServiceTags_Public_20251028.subset.json not found");
  std::string json((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const std::string values = "\"values\": [";
  size_t at = json.find(values);
  if (at == std::string::npos) return absl::InvalidArgumentError("no values array");
  std::string tags;
  for (int tag = 0; tag < kTags; ++tag) {
    absl::StrAppend(&tags, R"({"name": "Synthetic.Tag)", tag, R"(", "id": "Synthetic.Tag)",
                    tag, R"(", "properties": {"changeNumber": 1, "addressPrefixes": [)");
    for (int i = 0; i < kPrefixesPerTag; ++i) {
      int first = 20 + tag / 10;
      int second = (tag % 10) * 25 + i / 40;
      int third = (i % 40) * 4;
      absl::StrAppend(&tags, i == 0 ? "" : ",", "\"", first, ".", second, ".", third,
                      ".0/24\"");
    }
    absl::StrAppend(&tags, "]}},");
  }
  json.insert(at + values.size(), tags);
  return json;
}

// Adds kTags inbound rules from the synthetic tags to `group`, from
// `first_priority` on; tags of even number allow HTTPS, odd ones deny SSH.
void AddTagRules(nsg::NetworkSecurityGroup& group, int first_priority) {
  for (int tag = 0; tag < kTags; ++tag) {
    nsg::SecurityRule* rule = group.add_security_rules();
    rule->set_name(absl::StrCat("SyntheticTag", tag, "InBound"));
    rule->set_priority(first_priority + tag);
    rule->set_direction(nsg::DIRECTION_INBOUND);
    rule->set_access(tag % 2 == 0 ? nsg::ACCESS_ALLOW : nsg::ACCESS_DENY);
    rule->set_protocol(nsg::PROTOCOL_TCP);
    rule->set_source_address_prefix(absl::StrCat("Synthetic.Tag", tag));
    rule->set_source_port_range("*");
    rule->set_destination_address_prefix("VirtualNetwork");
    rule->set_destination_port_range(tag % 2 == 0 ? "443" : "22");
  }
}

// Adds the synthetic tags and their rules to the first VM's NSGs.
absl::Status AddLargeNsgs(const std::string& dir, SnapshotInput& input) {
  absl::StatusOr<std::string> json = ServiceTagsJson(dir);
  if (!json.ok()) return json.status();
  absl::StatusOr<nsg::ServiceTags> tags = nsg::ServiceTags::Load(*json);
  if (!tags.ok()) return tags.status();
  input.network.service_tags = *std::move(tags);
  AddTagRules(*input.network.vms[0].subnet_nsg, 200);
  AddTagRules(*input.network.vms[0].nic_nsg, 300);
  return absl::OkStatus();
}

Scene LoadScene(const std::string& file, bool large_nsgs) {
  Scene scene;
  std::string dir = ExamplesDir();
  if (dir.empty()) {
    scene.error = "examples folder not found; run from the repository or with bazel run";
    return scene;
  }
  absl::StatusOr<Scenario> loaded = LoadScenario(absl::StrCat(dir, "/scenarios/", file));
  if (!loaded.ok()) {
    scene.error = std::string(loaded.status().message());
    return scene;
  }
  scene.scenario = std::make_unique<Scenario>(*std::move(loaded));
  scene.now = *scene.scenario->now;
  scene.input = scene.scenario->input;
  if (large_nsgs) {
    if (absl::Status status = AddLargeNsgs(dir, scene.input); !status.ok()) {
      scene.error = std::string(status.message());
      return scene;
    }
  }
  return scene;
}

// The scene's inputs, read once, and its snapshot, built once unless a
// build benchmark already left one.
Scene& CachedInputs(const std::string& file, bool large_nsgs) {
  static auto* scenes = new std::vector<std::pair<std::string, std::unique_ptr<Scene>>>();
  std::string key = absl::StrCat(file, large_nsgs ? "+large" : "");
  for (auto& [name, scene] : *scenes) {
    if (name == key) return *scene;
  }
  scenes->emplace_back(key, std::make_unique<Scene>(LoadScene(file, large_nsgs)));
  return *scenes->back().second;
}

const Scene& CachedScene(const std::string& file, bool large_nsgs) {
  Scene& scene = CachedInputs(file, large_nsgs);
  if (scene.error.empty() && scene.snapshot == nullptr) {
    absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
        Snapshot::Build(scene.input, BuildOptionsAround(scene.now));
    if (snapshot.ok()) {
      scene.snapshot = *std::move(snapshot);
    } else {
      scene.error = std::string(snapshot.status().message());
    }
  }
  return scene;
}

// Times builds of scene 01's inputs; the last snapshot built serves the
// decision benchmarks, so a brief run builds the large snapshot only once.
void RunBuilds(benchmark::State& state, bool large_nsgs) {
  Scene& scene = CachedInputs("01-admin-through-bastion.json", large_nsgs);
  if (!scene.error.empty()) {
    state.SkipWithError(scene.error.c_str());
    return;
  }
  std::shared_ptr<const Snapshot> last;
  for (auto _ : state) {
    absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
        Snapshot::Build(scene.input, BuildOptionsAround(scene.now));
    benchmark::DoNotOptimize(snapshot);
    if (snapshot.ok()) last = *std::move(snapshot);
  }
  if (scene.snapshot == nullptr) scene.snapshot = std::move(last);
}

void BM_Snapshot_BuildDemo(benchmark::State& state) { RunBuilds(state, false); }
BENCHMARK(BM_Snapshot_BuildDemo)->Unit(benchmark::kMillisecond);

void BM_Snapshot_BuildServiceTags100k(benchmark::State& state) { RunBuilds(state, true); }
BENCHMARK(BM_Snapshot_BuildServiceTags100k)->Unit(benchmark::kMillisecond);

// Decides the scene's attempt, or with `raw_flow` a scan of SSH from the
// Internet (scene 05's attempt) against the scene's snapshot.
void RunDecisions(benchmark::State& state, const std::string& file, bool large_nsgs,
                  bool raw_flow = false) {
  const Scene& scene = CachedScene(file, large_nsgs);
  if (!scene.error.empty()) {
    state.SkipWithError(scene.error.c_str());
    return;
  }
  Attempt attempt = scene.scenario->attempt();
  if (raw_flow) {
    attempt.sign_in = nullptr;
    attempt.via_bastion = false;
    attempt.source = net::IpAddress::V4(0xCB007132);  // 203.0.113.50
    attempt.source_port = 50022;
    attempt.port = 22;
  }
  Verdict verdict = Verdict::kDeny;
  for (auto _ : state) {
    Decision decision = Decide(*scene.snapshot, attempt, scene.now);
    benchmark::DoNotOptimize(decision);
    verdict = decision.verdict;
  }
  size_t memory = 0;
  for (const internal::CompiledNsg& nsg : scene.snapshot->nsgs()) {
    memory += nsg.memory_bytes();
  }
  state.counters["classifier_bytes"] = static_cast<double>(memory);
  state.SetLabel(absl::StrCat(file, raw_flow ? " with scene 05's raw SSH flow" : "", ": ",
                              VerdictName(verdict)));
}

// Every layer runs and allows: the longest path.
void BM_Decide_AdminThroughBastion(benchmark::State& state) {
  RunDecisions(state, "01-admin-through-bastion.json", false);
}
BENCHMARK(BM_Decide_AdminThroughBastion);

void BM_Decide_UnmanagedDevice(benchmark::State& state) {
  RunDecisions(state, "02-unmanaged-device.json", false);
}
BENCHMARK(BM_Decide_UnmanagedDevice);

void BM_Decide_InternetBruteForce(benchmark::State& state) {
  RunDecisions(state, "05-internet-brute-force-ssh.json", false);
}
BENCHMARK(BM_Decide_InternetBruteForce);

void BM_Decide_PendingApproval(benchmark::State& state) {
  RunDecisions(state, "07-activation-awaits-approval.json", false);
}
BENCHMARK(BM_Decide_PendingApproval);

// The first scene with 100,000 service-tag prefixes in the VM's NSGs.
void BM_Decide_ServiceTags100k(benchmark::State& state) {
  RunDecisions(state, "01-admin-through-bastion.json", true);
}
BENCHMARK(BM_Decide_ServiceTags100k);

void BM_Decide_ServiceTags100kBruteForce(benchmark::State& state) {
  RunDecisions(state, "01-admin-through-bastion.json", true, /*raw_flow=*/true);
}
BENCHMARK(BM_Decide_ServiceTags100kBruteForce);

// Through the holder: pin, decide, unpin.
void BM_Decide_ThroughHolder(benchmark::State& state) {
  const Scene& scene = CachedScene("01-admin-through-bastion.json", false);
  if (!scene.error.empty()) {
    state.SkipWithError(scene.error.c_str());
    return;
  }
  SnapshotHolder holder;
  holder.Publish(scene.snapshot);
  absl::StatusOr<SnapshotReader> reader = holder.NewReader();
  if (!reader.ok()) {
    state.SkipWithError("no reader slot");
    return;
  }
  const Attempt attempt = scene.scenario->attempt();
  for (auto _ : state) {
    Decision decision = reader->Decide(attempt, scene.now);
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(BM_Decide_ThroughHolder);

}  // namespace
}  // namespace portcullis::decide
