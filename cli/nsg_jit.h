// Adds just-in-time rules to the NSGs that `portcullis nsg verify` reads,
// so a verdict can be taken as of an instant: the policy's deny rule for the
// NIC's VM and the allow rules of the grants its request history records.
#ifndef PORTCULLIS_CLI_NSG_JIT_H_
#define PORTCULLIS_CLI_NSG_JIT_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "proto/nsg.pb.h"

namespace portcullis::cli {

// The files and instant named by `--jit-policy`, `--nic` and `--now`.
struct JitFlags {
  std::string policy_path;
  std::string nic_path;
  std::string now;
};

// Adds the JIT rules in force at `flags.now` to the NSG that JIT manages for
// the NIC's VM: `network_interface` when the NIC has an NSG (which must then
// be given), else `subnet`. Requests whose port status is `Revoked` give no
// grant. Fails, naming the flag, on unreadable or invalid input.
absl::Status ApplyJitRules(const JitFlags& flags,
                           std::optional<nsg::NetworkSecurityGroup>& subnet,
                           std::optional<nsg::NetworkSecurityGroup>&
                               network_interface);

}  // namespace portcullis::cli

#endif  // PORTCULLIS_CLI_NSG_JIT_H_
