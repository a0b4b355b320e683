// Fuzzes the JIT policy, request and network interface importers. Any input
// either fails with a status or imports; an imported policy's request
// history must also turn into grants or a status, never a crash, and the
// sweeps of GrantsFromHistory() and EffectiveEnds() must agree with their
// quadratic twins in jit::reference.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

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
      auto slow =
          portcullis::jit::reference::GrantsFromHistory(policy, nsg, target);
      if (grants.status() != slow.status()) std::abort();
      if (!grants.ok()) continue;
      if (grants->size() != slow->size()) std::abort();
      for (size_t i = 0; i < grants->size(); ++i) {
        if ((*grants)[i].rule.priority() != (*slow)[i].rule.priority() ||
            (*grants)[i].rejections.size() != (*slow)[i].rejections.size()) {
          std::abort();
        }
      }
      if (portcullis::jit::EffectiveEnds(*grants) !=
          portcullis::jit::reference::EffectiveEnds(*grants)) {
        std::abort();
      }
      std::vector<portcullis::jit::GrantState> states =
          portcullis::jit::StatesAt(*grants, absl::UnixEpoch());
      for (size_t i = 0; i < grants->size(); ++i) {
        if (portcullis::jit::StateAt(*grants, i, absl::UnixEpoch()).active !=
            states[i].active) {
          std::abort();
        }
      }
    }
  }
  return 0;
}
