// Command-line parsing for the `portcullis` tool.
//
// Flags are written `--name value` or `--name=value`; a flag declared as a
// switch takes no value. Unknown flags, missing values and repeated
// single-valued flags are errors, so a typo never changes a decision.
//
//   FlagParser parser;
//   parser.AddValue("policy", "FILE", "the JIT policy");
//   parser.AddSwitch("json", "print one JSON object");
//   absl::StatusOr<ParsedFlags> flags = parser.Parse(args);
//   std::string file = flags->Value("policy");
#ifndef PORTCULLIS_CLI_FLAGS_H_
#define PORTCULLIS_CLI_FLAGS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace portcullis::cli {

// The result of FlagParser::Parse.
class ParsedFlags {
 public:
  bool Has(absl::string_view name) const;
  // The value of a single-valued flag, or "" when absent.
  std::string Value(absl::string_view name) const;
  // Every value of a repeatable flag, in order.
  std::vector<std::string> Values(absl::string_view name) const;
  bool Switch(absl::string_view name) const { return Has(name); }
  // Arguments that are not flags, in order.
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  friend class FlagParser;
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
  std::vector<std::string> positional_;
};

// Declares the flags of one command and parses its arguments.
class FlagParser {
 public:
  // A flag that takes one value; `repeatable` allows it more than once.
  void AddValue(std::string name, std::string value_name, std::string help,
                bool repeatable = false);
  // A flag that takes no value.
  void AddSwitch(std::string name, std::string help);

  absl::StatusOr<ParsedFlags> Parse(const std::vector<std::string>& args) const;

  // Returns an error naming every flag in `names` that is missing.
  static absl::Status Require(const ParsedFlags& flags,
                              const std::vector<std::string>& names);

  // One line per flag, for usage messages.
  std::string Help() const;

  // When `args` contains --help or -h, prints `usage` and the flag list to
  // standard output and returns true; the caller then exits 0.
  bool PrintHelpIfRequested(const std::vector<std::string>& args,
                            absl::string_view usage) const;

 private:
  struct Spec {
    std::string value_name;  // empty for a switch
    std::string help;
    bool repeatable = false;
  };
  std::map<std::string, Spec, std::less<>> specs_;
};

// Returns true for `--help` and `-h`, the two spellings of a help request.
bool IsHelpFlag(absl::string_view arg);

// Returns true when `args` contains `--help` or `-h`: print the usage to
// standard output and exit 0.
bool HelpRequested(const std::vector<std::string>& args);

// Returns true when the first argument of a command group is a help request,
// which then prints the group's usage rather than a subcommand's.
bool GroupHelpRequested(const std::vector<std::string>& args);

// Resolves a path the user typed: relative paths are taken from
// BUILD_WORKING_DIRECTORY when the tool runs under `bazel run`, so users can
// pass paths as they see them.
std::string ResolveUserPath(const std::string& path);

// Reads a whole file named by the user (through ResolveUserPath).
absl::StatusOr<std::string> ReadUserFile(const std::string& path);

// Lists the JSON files of a directory as decide::ListJsonFiles() does
// (`.json` in any case, sorted; a directory without one is an error naming
// it), or returns {path} when `path` is a file. Paths are returned as
// resolved by ResolveUserPath.
absl::StatusOr<std::vector<std::string>> ExpandJsonPaths(
    const std::string& path);

}  // namespace portcullis::cli

#endif  // PORTCULLIS_CLI_FLAGS_H_
