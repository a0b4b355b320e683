// Fuzzes the JIT policy, request and network interface importers. Any input
// either fails with a status or imports; an imported policy's request
// history must also turn into grants or a status, never a crash.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "nsg/jit.h"
#include "nsg/jit_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  portcullis::jit::ImportJitRequest(bytes).IgnoreError();
  portcullis::jit::ImportNetworkInterface(bytes).IgnoreError();

  auto policies = portcullis::jit::ImportJitPolicies(bytes);
  if (!policies.ok()) return 0;
  portcullis::nsg::NetworkSecurityGroup nsg;
  nsg.set_name("fuzz-nsg");
  for (const portcullis::jit::JitPolicy& policy : *policies) {
    for (const auto& vm : policy.virtual_machines()) {
      portcullis::jit::VmTarget target;
      target.vm_id = vm.id();
      target.private_address = "192.0.2.4";
      auto grants = portcullis::jit::GrantsFromHistory(policy, nsg, target);
      if (!grants.ok()) continue;
      for (size_t i = 0; i < grants->size(); ++i) {
        portcullis::jit::StateAt(*grants, i, absl::UnixEpoch());
      }
    }
  }
  return 0;
}
