// `portcullis pim`: PIM role activation decisions and work-hour windows.
//
//   portcullis pim activate --policy FILE --eligibility FILE [--active FILE]
//       --request FILE --now RFC3339 [--mfa] [--work-hours FILE] [--json]
//   portcullis pim windows --schedule FILE --from RFC3339 --to RFC3339
//
// Exit status: 0 when the request was decided (whatever the decision), 2 on
// bad flags or unreadable input.
#ifndef PORTCULLIS_CLI_PIM_COMMAND_H_
#define PORTCULLIS_CLI_PIM_COMMAND_H_

#include <string>
#include <vector>

namespace portcullis::cli {

int RunPimCommand(const std::vector<std::string>& args);

}  // namespace portcullis::cli

#endif  // PORTCULLIS_CLI_PIM_COMMAND_H_
