// Fuzzes scenario files end to end. Each input is written as a scenario next
// to a link to the examples folder, so seeds can name the real inputs (such
// as `examples/reference-architecture.json` as a base). A scenario that
// loads is built into a snapshot, decided and explained.
// Invariants: nothing crashes; an allowed decision has no layer that denied,
// failed or is pending; a denied one names a layer that denied or failed;
// the explanation has one report per layer. The PIM layer agrees with
// DecidePimReference() and gives the same outcome with `pim.requests`
// reversed.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "decide/decide.h"
#include "decide/explain.h"
#include "decide/reference.h"
#include "decide/scenario.h"
#include "decide/snapshot.h"

namespace {

const std::string& WorkDir();

void RemoveWorkDir() {
  const std::string& dir = WorkDir();
  std::remove((dir + "/scenario.json").c_str());
  std::remove((dir + "/examples").c_str());
  rmdir(dir.c_str());
}

// A folder holding `examples` (a link to the examples folder) where each
// input is written as scenario.json; empty when the examples are missing.
const std::string& WorkDir() {
  static const std::string* dir = [] {
    char cwd[4096];
    std::string examples;
    if (getcwd(cwd, sizeof(cwd)) != nullptr) {
      std::string candidate = std::string(cwd) + "/examples";
      if (std::ifstream(candidate + "/reference-architecture.json").good()) {
        examples = candidate;
      }
    }
    char work[] = "/tmp/decide_scenario_fuzzer.XXXXXX";
    if (examples.empty() || mkdtemp(work) == nullptr) return new std::string();
    std::string link = std::string(work) + "/examples";
    if (symlink(examples.c_str(), link.c_str()) != 0) return new std::string();
    std::atexit(RemoveWorkDir);
    return new std::string(work);
  }();
  return *dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace portcullis::decide;
  const std::string& dir = WorkDir();
  if (dir.empty()) return 0;
  const std::string path = dir + "/scenario.json";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }

  absl::StatusOr<Scenario> scenario = LoadScenario(path);
  if (!scenario.ok() || !scenario->now.has_value()) return 0;
  const absl::Time now = *scenario->now;
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
      Snapshot::Build(scenario->input, BuildOptionsAround(now));
  if (!snapshot.ok()) return 0;

  const Attempt attempt = scenario->attempt();
  const Decision decision = Decide(**snapshot, attempt, now);
  for (int i = 0; i < kLayerCount; ++i) {
    const LayerOutcome outcome = decision.layers[i].outcome;
    if (decision.verdict == Verdict::kAllow && outcome != LayerOutcome::kAllow &&
        outcome != LayerOutcome::kNotApplicable) {
      std::abort();
    }
  }
  if (decision.verdict == Verdict::kDeny) {
    const LayerOutcome outcome = decision.layer(decision.denied_by).outcome;
    if (!decision.has_denied_by ||
        (outcome != LayerOutcome::kDeny && outcome != LayerOutcome::kError)) {
      std::abort();
    }
  }
  absl::StatusOr<std::vector<LayerReport>> reports =
      Explain(snapshot->get(), attempt, decision);
  if (!reports.ok() || reports->size() != kLayerCount) std::abort();

  if (attempt.sign_in == nullptr || !scenario->input.pim.has_value()) return 0;
  const PimDetail& pim = decision.pim;
  const ReferencePimDecision reference = DecidePimReference(**snapshot, *attempt.sign_in, attempt.vm_id, now);
  if (reference.outcome != decision.layer(Layer::kPim).outcome ||
      reference.basis != pim.basis || reference.request != pim.request ||
      reference.deactivation != pim.deactivation ||
      reference.granted !=
          std::vector<int>(pim.granted.begin(), pim.granted.begin() + pim.granted_count)) {
    std::abort();
  }
  std::vector<portcullis::pim::ScheduleRequest>& requests = scenario->input.pim->requests;
  if (requests.size() < 2) return 0;
  std::reverse(requests.begin(), requests.end());
  absl::StatusOr<std::shared_ptr<const Snapshot>> reversed =
      Snapshot::Build(scenario->input, BuildOptionsAround(now));
  if (!reversed.ok()) std::abort();
  const Decision reversed_decision = Decide(**reversed, scenario->attempt(), now);
  if (reversed_decision.layer(Layer::kPim).outcome != decision.layer(Layer::kPim).outcome) {
    std::abort();
  }
  return 0;
}
