#include "cli/demo_scenes.h"

#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "cli/decide_command.h"
#include "decide/decide.h"
#include "decide/explain.h"
#include "decide/scenario.h"
#include "decide/snapshot.h"
#include "schedule/rfc3339.h"

namespace portcullis::cli {
namespace {

int Fail(const std::string& file, const absl::Status& status) {
  std::cerr << "portcullis demo: " << file << ": " << status.message() << "\n";
  return 2;
}

}  // namespace

int PrintDecisionScenes(const std::string& examples_dir, std::ostream& out) {
  const std::string folder = absl::StrCat(examples_dir, "/scenarios");
  absl::StatusOr<std::vector<std::string>> files = decide::ScenarioFilesIn(folder);
  if (!files.ok()) return Fail(folder, files.status());

  out << "\nThe decision chain: each scene through Conditional Access, PIM, RBAC, "
         "JIT and the NSGs\n";
  int scene = 0;
  for (const std::string& file : *files) {
    absl::StatusOr<decide::Scenario> scenario = decide::LoadScenario(file);
    if (!scenario.ok()) return Fail(file, scenario.status());
    if (!scenario->now.has_value()) {
      return Fail(file, absl::InvalidArgumentError("now: missing; a scene names its instant"));
    }
    const absl::Time now = *scenario->now;
    absl::StatusOr<std::shared_ptr<const decide::Snapshot>> snapshot =
        decide::Snapshot::Build(std::move(scenario->input), decide::BuildOptionsAround(now));
    if (!snapshot.ok()) return Fail(file, snapshot.status());

    decide::Attempt attempt = scenario->attempt();
    decide::Decision decision = decide::Decide(**snapshot, attempt, now);
    absl::StatusOr<std::vector<decide::LayerReport>> reports =
        decide::Explain(snapshot->get(), attempt, decision);
    if (!reports.ok()) return Fail(file, reports.status());

    std::string name = file.substr(file.rfind('/') + 1);
    out << "\n[scene " << ++scene << "] " << scenario->description << "\n"
        << "    $ portcullis decide --scenario examples/scenarios/" << name << "\n"
        << "    at " << schedule::FormatRfc3339(now) << "\n"
        << FormatDecisionText(decision, *reports, "    ");
  }
  return 0;
}

}  // namespace portcullis::cli
