#include "cli/decide_command.h"

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/flags.h"
#include "cli/json_output.h"
#include "cli/text_output.h"
#include "decide/scenario.h"
#include "decide/snapshot.h"
#include "schedule/rfc3339.h"

namespace portcullis::cli {
namespace {

constexpr char kUsage[] =
    "usage: portcullis decide --scenario FILE [--now RFC3339] [--json]\n";

int Fail(const absl::Status& status) {
  std::cerr << "portcullis decide: " << status.message() << "\n";
  return 2;
}

JsonValue DecisionJson(const decide::Decision& decision,
                       const std::vector<decide::LayerReport>& reports) {
  JsonValue out = JsonValue::Object();
  out.Set("decision", JsonValue::String(decide::VerdictName(decision.verdict)));
  if (decision.has_denied_by) {
    out.Set("deniedBy", JsonValue::String(decide::LayerName(decision.denied_by)));
  }
  JsonValue layers = JsonValue::Object();
  for (const decide::LayerReport& report : reports) {
    JsonValue layer = JsonValue::Object();
    layer.Set("outcome", JsonValue::String(decide::LayerOutcomeName(report.outcome)));
    layer.Set("reasons", JsonValue::Strings(report.reasons));
    for (const auto& [name, value] : report.facts) {
      layer.Set(name, JsonValue::String(value));
    }
    layers.Set(decide::LayerName(report.layer), std::move(layer));
  }
  out.Set("layers", std::move(layers));
  return out;
}

}  // namespace

std::string FormatDecisionText(const decide::Decision& decision,
                               const std::vector<decide::LayerReport>& reports,
                               const std::string& indent) {
  std::string text = absl::StrCat(indent, "decision: ",
                                  decide::VerdictName(decision.verdict));
  if (decision.has_denied_by) {
    absl::StrAppend(&text, " (denied by ", decide::LayerName(decision.denied_by), ")");
  }
  absl::StrAppend(&text, "\n");
  for (const decide::LayerReport& report : reports) {
    absl::StrAppend(&text, indent, "  ", decide::LayerName(report.layer), ": ",
                    decide::LayerOutcomeName(report.outcome), "\n");
    for (const std::string& reason : report.reasons) {
      absl::StrAppend(&text, indent, "    - ", OneLine(reason), "\n");
    }
  }
  return text;
}

int RunDecideCommand(const std::vector<std::string>& args) {
  FlagParser parser;
  parser.AddValue("scenario", "FILE", "the scenario file (see \"Scenario format\" in the README)");
  parser.AddValue("now", "RFC3339", "the instant to decide at, overriding the scenario's now");
  parser.AddSwitch("json", "print one JSON object");
  parser.AddSwitch("help", "print this help");
  absl::StatusOr<ParsedFlags> flags = parser.Parse(args);
  if (!flags.ok()) return Fail(flags.status());
  if (flags->Switch("help")) {
    std::cout << kUsage << "\n" << parser.Help();
    return 0;
  }
  if (!flags->positional().empty()) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "unexpected argument \"", flags->positional().front(), "\"")));
  }
  if (absl::Status status = FlagParser::Require(*flags, {"scenario"}); !status.ok()) {
    return Fail(status);
  }

  absl::StatusOr<decide::Scenario> scenario =
      decide::LoadScenario(ResolveUserPath(flags->Value("scenario")));
  if (!scenario.ok()) return Fail(scenario.status());
  for (const std::string& warning : scenario->warnings) {
    std::cerr << "warning: " << warning << "\n";
  }
  std::optional<absl::Time> now = scenario->now;
  if (flags->Has("now")) {
    absl::StatusOr<absl::Time> parsed = schedule::ParseRfc3339(flags->Value("now"));
    if (!parsed.ok()) {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat("--now: ", parsed.status().message())));
    }
    now = *parsed;
  }
  if (!now.has_value()) {
    return Fail(absl::InvalidArgumentError(
        "--now: missing; the scenario names no instant, so pass --now"));
  }

  absl::StatusOr<std::shared_ptr<const decide::Snapshot>> snapshot =
      decide::Snapshot::Build(std::move(scenario->input), decide::BuildOptionsAround(*now));
  if (!snapshot.ok()) return Fail(snapshot.status());
  decide::Attempt attempt = scenario->attempt();
  decide::Decision decision = decide::Decide(**snapshot, attempt, *now);
  absl::StatusOr<std::vector<decide::LayerReport>> reports =
      decide::Explain(snapshot->get(), attempt, decision);
  if (!reports.ok()) return Fail(reports.status());

  if (flags->Switch("json")) {
    std::cout << DecisionJson(decision, *reports).Render() << "\n";
    return 0;
  }
  if (!scenario->description.empty()) std::cout << OneLine(scenario->description) << "\n";
  std::cout << "at " << schedule::FormatRfc3339(*now) << "\n"
            << FormatDecisionText(decision, *reports, "");
  return 0;
}

}  // namespace portcullis::cli
