// Fuzzes the role management policy importer and compiler: any input fails
// with a status or yields a policy that compiles or fails with a status.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "pim/import.h"
#include "pim/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto policy = portcullis::pim::ImportRoleManagementPolicy(bytes);
  if (!policy.ok()) return 0;
  auto compiled = portcullis::pim::RolePolicy::Compile(*policy);
  if (compiled.ok()) compiled->approval_timeout();
  return 0;
}
