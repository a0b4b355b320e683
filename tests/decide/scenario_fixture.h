// Loading and deciding the scenario files of examples/scenarios in tests.
#ifndef PORTCULLIS_TESTS_DECIDE_SCENARIO_FIXTURE_H_
#define PORTCULLIS_TESTS_DECIDE_SCENARIO_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "decide/decide.h"
#include "decide/explain.h"
#include "decide/scenario.h"
#include "decide/snapshot.h"

namespace portcullis::decide::testing {

// The folder of the scenario files, relative to the test's working
// directory (the runfiles root).
inline constexpr char kScenarioDir[] = "examples/scenarios";

// The reference architecture that the scenarios name as their base.
inline constexpr char kReferenceArchitecture[] = "examples/reference-architecture.json";

// The built-in Reader role, as ARM writes its role definition id. The
// reference architecture's PIM policy names no role, so it governs Reader
// activations too.
inline constexpr char kReaderRoleId[] =
    "/subscriptions/00000000-0000-0000-0000-000000000000/providers/"
    "Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7";

// The scenario file names, sorted.
std::vector<std::string> ScenarioFiles();

// A scenario with its snapshot, decision and explanation.
struct DecidedScenario {
  std::unique_ptr<Scenario> scenario;
  std::shared_ptr<const Snapshot> snapshot;
  absl::Time now;
  Decision decision;
  std::vector<LayerReport> reports;

  const LayerReport& report(Layer layer) const {
    return reports[static_cast<int>(layer)];
  }
  // The value of fact `name` of `layer`, or "" when absent.
  std::string Fact(Layer layer, absl::string_view name) const;
  // All reasons of `layer` joined by newlines.
  std::string Reasons(Layer layer) const;
};

// Loads `path`, builds its snapshot around its `now` and decides it.
absl::StatusOr<DecidedScenario> DecideScenarioFile(const std::string& path);

}  // namespace portcullis::decide::testing

#endif  // PORTCULLIS_TESTS_DECIDE_SCENARIO_FIXTURE_H_
