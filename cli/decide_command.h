// `portcullis decide`: one connection attempt through every layer of the
// reference architecture.
//
//   portcullis decide --scenario FILE [--now RFC3339] [--json]
//
// The scenario file (format in the README under "Scenario format") names
// the real-format inputs of each layer and the attempt; --now overrides its
// `now`. The text output gives the decision and each layer's outcome with
// its reasons. With --json it prints one object: "decision" ("allow",
// "deny" or "pending"), "deniedBy" (the first layer that said no, when
// denied) and "layers", one member per layer in evaluation order, each with
// "outcome" and "reasons" and the layer's named facts.
//
// Exit status: 0 when the attempt was decided, whatever the decision; 2 on
// bad flags or an unreadable or invalid scenario.
#ifndef PORTCULLIS_CLI_DECIDE_COMMAND_H_
#define PORTCULLIS_CLI_DECIDE_COMMAND_H_

#include <string>
#include <vector>

#include "decide/decide.h"
#include "decide/explain.h"

namespace portcullis::cli {

int RunDecideCommand(const std::vector<std::string>& args);

// The text form of a decision: a summary line, then one block per layer.
// Each line starts with `indent`.
std::string FormatDecisionText(const decide::Decision& decision,
                               const std::vector<decide::LayerReport>& reports,
                               const std::string& indent);

}  // namespace portcullis::cli

#endif  // PORTCULLIS_CLI_DECIDE_COMMAND_H_
