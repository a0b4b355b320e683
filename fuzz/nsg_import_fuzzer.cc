// Fuzzes NSG import: any bytes either fail with a status or give NSGs and a
// list of problems. When the list is empty, every user rule must be fit for
// evaluation: a user priority, known enums, and port entries that parse.
//
// An input may carry an ARM parameters file after a NUL byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "nsg/import.h"
#include "nsg/model.h"
#include "nsg/validate.h"

namespace {

using portcullis::nsg::SecurityRule;
using portcullis::nsg::Side;

void CheckFitForEvaluation(const SecurityRule& rule) {
  bool fit = rule.has_priority() && rule.priority() >= 100 &&
             rule.priority() <= 4096 &&
             rule.protocol() != portcullis::nsg::PROTOCOL_UNSPECIFIED &&
             rule.direction() != portcullis::nsg::DIRECTION_UNSPECIFIED &&
             rule.access() != portcullis::nsg::ACCESS_UNSPECIFIED &&
             portcullis::nsg::ParsePorts(rule, Side::kSource).ok() &&
             portcullis::nsg::ParsePorts(rule, Side::kDestination).ok();
  if (!fit) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  portcullis::nsg::ImportOptions options;
  size_t split = input.find('\0');
  if (split != absl::string_view::npos) {
    options.parameters_json = std::string(input.substr(split + 1));
    input = input.substr(0, split);
  }

  auto result = portcullis::nsg::ImportNsgs(input, options);
  if (!result.ok()) return 0;
  for (const auto& problem : result->problems) problem.ToString();
  if (!result->ok()) return 0;

  for (const auto& nsg : result->nsgs) {
    if (nsg.default_security_rules_size() < 6) std::abort();
    for (const SecurityRule& rule : nsg.security_rules()) {
      CheckFitForEvaluation(rule);
    }
    if (!portcullis::nsg::Validate(nsg).empty()) std::abort();
  }
  return 0;
}
