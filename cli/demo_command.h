// `portcullis demo`: a walkthrough of the reference architecture in
// examples/, deciding one flow per step through the real evaluator and
// printing each verdict with its deciding rule.
#ifndef PORTCULLIS_CLI_DEMO_COMMAND_H_
#define PORTCULLIS_CLI_DEMO_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace portcullis::cli {

// Runs `portcullis demo [--examples DIR]` and returns the exit status: 0
// after printing the walkthrough, 2 when the examples cannot be found or
// read.
int RunDemoCommand(const std::vector<std::string>& args);

// Returns the examples folder: `override_dir` when not empty, else the first
// of these that contains azuredeploy.json: the `examples` folder in the
// binary's Bazel runfiles ($RUNFILES_DIR, then <binary>.runfiles), in the
// workspace ($BUILD_WORKSPACE_DIRECTORY, set by `bazel run`), and in the
// current directory.
absl::StatusOr<std::string> FindExamplesDir(const std::string& override_dir);

}  // namespace portcullis::cli

#endif  // PORTCULLIS_CLI_DEMO_COMMAND_H_
