// `portcullis jit`: just-in-time VM access requests and their state.
//
//   portcullis jit request --policy FILE --nsg FILE --nic FILE --vm ID
//       --port N --source IP|CIDR --duration ISO8601 --now RFC3339 [--json]
//   portcullis jit status --policy FILE --nsg FILE --nic FILE --now RFC3339
//       [--port N --source IP] [--json]
//
// `request` exits 0 when the request is granted, 1 when it is rejected and
// 2 on bad input. `status` exits 0 when it evaluated its input.
#ifndef PORTCULLIS_CLI_JIT_COMMAND_H_
#define PORTCULLIS_CLI_JIT_COMMAND_H_

#include <string>
#include <vector>

namespace portcullis::cli {

int RunJitCommand(const std::vector<std::string>& args);

}  // namespace portcullis::cli

#endif  // PORTCULLIS_CLI_JIT_COMMAND_H_
