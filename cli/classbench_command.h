// `portcullis classbench`: classifies a ClassBench trace against a
// ClassBench filter set, for checking results against other classifiers.
//
//   portcullis classbench --rules FILE --trace FILE
//
// Prints one line per trace header: the 1-based number of the
// highest-priority matching rule (the first rule line is 1), or 0 when no
// rule matches. The trace's own last column is not used: it names the rule
// a header was generated from (0-based), not its best match.
//
// Exit status: 0 when the trace was classified, 2 on bad flags or
// unreadable or invalid input.
#ifndef PORTCULLIS_CLI_CLASSBENCH_COMMAND_H_
#define PORTCULLIS_CLI_CLASSBENCH_COMMAND_H_

#include <string>
#include <vector>

namespace portcullis::cli {

int RunClassBenchCommand(const std::vector<std::string>& args);

}  // namespace portcullis::cli

#endif  // PORTCULLIS_CLI_CLASSBENCH_COMMAND_H_
