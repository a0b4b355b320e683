#include "cli/nsg_jit.h"

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/flags.h"
#include "nsg/jit.h"
#include "nsg/jit_import.h"
#include "schedule/rfc3339.h"

namespace portcullis::cli {

absl::Status ApplyJitRules(
    const JitFlags& flags, std::optional<nsg::NetworkSecurityGroup>& subnet,
    std::optional<nsg::NetworkSecurityGroup>& network_interface) {
  if (flags.nic_path.empty() || flags.now.empty()) {
    return absl::InvalidArgumentError(
        "--jit-policy needs --nic (the VM's network interface) and --now");
  }
  absl::StatusOr<absl::Time> now = schedule::ParseRfc3339(flags.now);
  if (!now.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--now: ", now.status().message()));
  }

  absl::StatusOr<std::string> nic_bytes = ReadUserFile(flags.nic_path);
  if (!nic_bytes.ok()) return nic_bytes.status();
  absl::StatusOr<jit::NetworkInterface> nic =
      jit::ImportNetworkInterface(*nic_bytes);
  if (!nic.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--nic ", flags.nic_path, ": ", nic.status().message()));
  }

  std::optional<nsg::NetworkSecurityGroup>& target_nsg =
      nic->network_security_group_id().empty() ? subnet : network_interface;
  if (!target_nsg.has_value()) {
    return absl::InvalidArgumentError(
        nic->network_security_group_id().empty()
            ? "the NIC has no NSG, so JIT rules go on the subnet's NSG: give "
              "it with --nsg"
            : absl::StrCat("JIT rules go on the NIC's NSG ",
                           nic->network_security_group_id(),
                           ": give it with --nic-nsg"));
  }
  absl::StatusOr<jit::VmTarget> target = jit::TargetForNic(*nic, *target_nsg);
  if (!target.ok()) return target.status();

  absl::StatusOr<std::string> policy_bytes = ReadUserFile(flags.policy_path);
  if (!policy_bytes.ok()) return policy_bytes.status();
  absl::StatusOr<std::vector<jit::JitPolicy>> policies =
      jit::ImportJitPolicies(*policy_bytes);
  if (!policies.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--jit-policy ", flags.policy_path, ": ", policies.status().message()));
  }
  const jit::JitPolicy* policy = nullptr;
  for (const jit::JitPolicy& candidate : *policies) {
    if (jit::FindVirtualMachine(candidate, target->vm_id) != nullptr) {
      policy = &candidate;
      break;
    }
  }
  if (policy == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--jit-policy ", flags.policy_path,
        ": no policy covers the NIC's virtual machine ", target->vm_id));
  }

  absl::StatusOr<std::vector<jit::Grant>> grants =
      jit::GrantsFromHistory(*policy, *target_nsg, *target);
  if (!grants.ok()) return grants.status();
  absl::StatusOr<nsg::NetworkSecurityGroup> merged = jit::WithJitRules(
      *target_nsg, *policy, *target, *grants, *now);
  if (!merged.ok()) return merged.status();
  target_nsg = *std::move(merged);
  return absl::OkStatus();
}

}  // namespace portcullis::cli
