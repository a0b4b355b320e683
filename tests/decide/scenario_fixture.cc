#include "tests/decide/scenario_fixture.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/testing/shared_data.h"

namespace portcullis::decide::testing {

std::vector<std::string> ScenarioFiles() {
  return portcullis::testing::ListFiles(kScenarioDir, ".json");
}

std::string DecidedScenario::Fact(Layer layer, absl::string_view name) const {
  for (const auto& [key, value] : report(layer).facts) {
    if (key == name) return value;
  }
  return "";
}

std::string DecidedScenario::Reasons(Layer layer) const {
  return absl::StrJoin(report(layer).reasons, "\n");
}

absl::StatusOr<DecidedScenario> DecideScenarioFile(const std::string& path) {
  absl::StatusOr<Scenario> loaded = LoadScenario(path);
  if (!loaded.ok()) return loaded.status();
  DecidedScenario decided;
  decided.scenario = std::make_unique<Scenario>(*std::move(loaded));
  if (!decided.scenario->now.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": no now"));
  }
  decided.now = *decided.scenario->now;
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot = Snapshot::Build(
      std::move(decided.scenario->input), BuildOptionsAround(decided.now));
  if (!snapshot.ok()) return snapshot.status();
  decided.snapshot = *std::move(snapshot);
  Attempt attempt = decided.scenario->attempt();
  decided.decision = Decide(*decided.snapshot, attempt, decided.now);
  absl::StatusOr<std::vector<LayerReport>> reports =
      Explain(decided.snapshot.get(), attempt, decided.decision);
  if (!reports.ok()) return reports.status();
  decided.reports = *std::move(reports);
  return decided;
}

}  // namespace portcullis::decide::testing
