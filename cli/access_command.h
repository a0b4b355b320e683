// `portcullis access`: Conditional Access What-If.
//
//   portcullis access what-if --policies FILE|DIR [--policies ...]
//       [--named-locations FILE|DIR ...] --sign-in FILE --directory FILE
//       [--satisfied-controls LIST] [--now RFC3339] [--strict] [--json]
//
// Policies and named locations are read in Microsoft Graph's JSON as
// exported: one object, an array, or a list response. A directory gives its
// .json files. The sign-in is the body of Graph's What-If request
// (`POST /identity/conditionalAccess/evaluate`); the directory file gives
// the users' type, groups and roles; --satisfied-controls lists what the
// sign-in has already satisfied (mfa,compliantDevice,termsOfUse:<id>,
// authenticationStrength:<id>,method:fido2, ...).
//
// The decision is block, allow, or the controls still required in
// Microsoft's prompt order, followed by one line per policy with whether it
// applies and why not, as Graph's whatIfAnalysisReasons spell it. --strict
// evaluates as Graph's What-If API does (missing facts: notEnoughInformation);
// the default is the lenient reading of the portal's older What If tool.
// --now (default: the current time) only matters for the schedule extension.
//
// Exit status: 0 when the sign-in was evaluated, whatever the decision; 2 on
// bad flags or unreadable or invalid input.
#ifndef PORTCULLIS_CLI_ACCESS_COMMAND_H_
#define PORTCULLIS_CLI_ACCESS_COMMAND_H_

#include <string>
#include <vector>

namespace portcullis::cli {

int RunAccessCommand(const std::vector<std::string>& args);

}  // namespace portcullis::cli

#endif  // PORTCULLIS_CLI_ACCESS_COMMAND_H_
