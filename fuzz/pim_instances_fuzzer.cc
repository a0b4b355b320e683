// Fuzzes the schedule instance importer at both levels, and compiles what it
// accepts for an evaluator.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "pim/activation.h"
#include "pim/import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (portcullis::pim::Level level :
       {portcullis::pim::LEVEL_ELIGIBILITY, portcullis::pim::LEVEL_ASSIGNMENT}) {
    auto instances = portcullis::pim::ImportScheduleInstances(bytes, level);
    if (!instances.ok()) continue;
    auto compiled = portcullis::pim::CompileInstances(*instances);
    if (compiled.ok() && compiled->empty() != instances->empty()) std::abort();
  }
  return 0;
}
