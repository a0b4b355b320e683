// Feeds arbitrary text to the ClassBench rule and trace parsers: no crash,
// and a parsed rule set compiles on both engines and classifies the parsed
// trace the same way as the reference evaluator.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "nsg/classbench.h"
#include "nsg/classifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // Text before a line "--" is the rule set; the rest is the trace.
  const size_t split = text.find("\n--\n");
  const std::string rules_text = text.substr(0, split);
  const std::string trace_text = split == std::string::npos ? text : text.substr(split + 4);

  absl::StatusOr<portcullis::nsg::RuleTable> table =
      portcullis::nsg::ParseClassBenchRules(rules_text);
  absl::StatusOr<std::vector<portcullis::nsg::FlowV4>> flows =
      portcullis::nsg::ParseClassBenchTrace(trace_text);
  if (!table.ok() || !flows.ok()) return 0;
  portcullis::nsg::ClassifierOptions options;
  options.engine = portcullis::nsg::ClassifierEngine::kTupleSpace;
  absl::StatusOr<portcullis::nsg::Classifier> classifier =
      portcullis::nsg::Classifier::Compile(*table, options);
  options.engine = portcullis::nsg::ClassifierEngine::kBitVector;
  absl::StatusOr<portcullis::nsg::Classifier> bits =
      portcullis::nsg::Classifier::Compile(*table, options);
  if (!classifier.ok() || !bits.ok()) std::abort();
  for (const portcullis::nsg::FlowV4& flow : *flows) {
    const portcullis::nsg::RuleMatch expected = table->ReferenceLookup(flow);
    if (classifier->Lookup(flow) != expected || bits->Lookup(flow) != expected) std::abort();
  }
  return 0;
}
