// A minimal program that links the Portcullis library. It loads a scenario
// file and compiles its inputs into a snapshot. Then it decides the attempt
// at the scenario's instant, or at the RFC 3339 time given second, and
// prints the verdict with each layer's reasons.
//
//   bazel run //examples/library:decide_scenario -- \
//       examples/scenarios/01-admin-through-bastion.json
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "decide/decide.h"
#include "decide/explain.h"
#include "decide/scenario.h"
#include "decide/snapshot.h"
#include "schedule/rfc3339.h"

namespace {

namespace decide = ::portcullis::decide;

// Paths given to `bazel run` are relative to where the user ran it.
std::string UserPath(const std::string& path) {
  const char* dir = std::getenv("BUILD_WORKING_DIRECTORY");
  if (dir == nullptr || path.empty() || path[0] == '/') return path;
  return std::string(dir) + "/" + path;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: decide_scenario SCENARIO [RFC3339]\n";
    return 2;
  }
  absl::StatusOr<decide::Scenario> scenario =
      decide::LoadScenario(UserPath(argv[1]));
  if (!scenario.ok()) {
    std::cerr << scenario.status().message() << "\n";
    return 2;
  }

  // The library never reads the clock: the instant is always passed in.
  absl::Time now = scenario->now.value_or(absl::InfinitePast());
  if (argc == 3) {
    absl::StatusOr<absl::Time> parsed = portcullis::schedule::ParseRfc3339(argv[2]);
    if (!parsed.ok()) {
      std::cerr << parsed.status().message() << "\n";
      return 2;
    }
    now = *parsed;
  } else if (!scenario->now.has_value()) {
    std::cerr << "the scenario names no instant; pass one as RFC 3339\n";
    return 2;
  }

  // Build once, then decide as often as needed: Decide() is thread-safe and
  // allocates nothing.
  absl::StatusOr<std::shared_ptr<const decide::Snapshot>> snapshot =
      decide::Snapshot::Build(scenario->input, decide::BuildOptionsAround(now));
  if (!snapshot.ok()) {
    std::cerr << snapshot.status().message() << "\n";
    return 2;
  }
  decide::Attempt attempt = scenario->attempt();
  decide::Decision decision = decide::Decide(**snapshot, attempt, now);

  absl::StatusOr<std::vector<decide::LayerReport>> reports =
      decide::Explain(snapshot->get(), attempt, decision);
  if (!reports.ok()) {
    std::cerr << reports.status().message() << "\n";
    return 2;
  }
  std::cout << decide::VerdictName(decision.verdict) << "\n";
  for (const decide::LayerReport& report : *reports) {
    std::cout << "  " << decide::LayerName(report.layer) << ": "
              << decide::LayerOutcomeName(report.outcome) << "\n";
    for (const std::string& reason : report.reasons) {
      std::cout << "    - " << reason << "\n";
    }
  }
  return 0;
}
