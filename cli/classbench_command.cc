#include "cli/classbench_command.h"

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cli/flags.h"
#include "nsg/classbench.h"
#include "nsg/classifier.h"

namespace portcullis::cli {

namespace {

constexpr char kUsage[] =
    "usage: portcullis classbench --rules FILE --trace FILE\n"
    "prints, per trace line, the 1-based number of the deciding rule (0 for none)\n";

int Fail(const absl::Status& status) {
  std::cerr << "portcullis classbench: " << status.message() << "\n";
  return 2;
}

}  // namespace

int RunClassBenchCommand(const std::vector<std::string>& args) {
  FlagParser parser;
  parser.AddValue("rules", "FILE", "the ClassBench filter set");
  parser.AddValue("trace", "FILE", "the ClassBench trace to classify");
  if (parser.PrintHelpIfRequested(args, kUsage)) return 0;
  absl::StatusOr<ParsedFlags> flags = parser.Parse(args);
  if (!flags.ok()) {
    std::cerr << "portcullis classbench: " << flags.status().message() << "\n" << kUsage;
    return 2;
  }
  absl::Status required = FlagParser::Require(*flags, {"rules", "trace"});
  if (!required.ok() || !flags->positional().empty()) {
    std::cerr << "portcullis classbench: "
              << (required.ok() ? "unexpected argument '" + flags->positional()[0] + "'"
                                : std::string(required.message()))
              << "\n"
              << kUsage;
    return 2;
  }

  absl::StatusOr<std::string> rules_text = ReadUserFile(flags->Value("rules"));
  if (!rules_text.ok()) return Fail(rules_text.status());
  absl::StatusOr<nsg::RuleTable> table = nsg::ParseClassBenchRules(*rules_text);
  if (!table.ok()) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat(flags->Value("rules"), ": ", table.status().message())));
  }
  absl::StatusOr<std::string> trace_text = ReadUserFile(flags->Value("trace"));
  if (!trace_text.ok()) return Fail(trace_text.status());
  absl::StatusOr<std::vector<nsg::FlowV4>> flows = nsg::ParseClassBenchTrace(*trace_text);
  if (!flows.ok()) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat(flags->Value("trace"), ": ", flows.status().message())));
  }
  absl::StatusOr<nsg::Classifier> classifier = nsg::Classifier::Compile(*table);
  if (!classifier.ok()) return Fail(classifier.status());

  std::vector<nsg::RuleMatch> matches(flows->size());
  classifier->LookupBatch(*flows, absl::MakeSpan(matches));
  std::string output;
  output.reserve(matches.size() * 6);
  for (const nsg::RuleMatch& match : matches) {
    // ClassBench priority is line order, so the index is the line number.
    absl::StrAppend(&output, match.found() ? match.index + 1 : 0, "\n");
  }
  std::fwrite(output.data(), 1, output.size(), stdout);
  return 0;
}

}  // namespace portcullis::cli
