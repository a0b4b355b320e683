// The Azure operations that each step of secure VM access needs, and a check
// of several operations at once.
//
// Reaching a VM through Azure Bastion after a just-in-time request touches
// several resources, and Azure checks each operation at the resource it acts
// on. The lists below name the operations as the provider operation lists do
// (`az provider operation show`) and put each at its scope:
//
//   step               operations                                   scope
//   read the VM        virtualMachines/read                         VM
//                      networkInterfaces/read, .../ipconfigurations/read
//                                                                   NIC
//                      publicIPAddresses/read                       each public IP
//   use the Bastion    bastionHosts/read                            Bastion host
//                      virtualNetworks/read, BastionHosts/action,
//                      bastionHosts/default/action,
//                      subnets/virtualMachines/read,
//                      virtualNetworks/virtualMachines/read         VNet
//   initiate JIT       jitNetworkAccessPolicies/read, .../initiate/action
//                                                                   JIT policy
//   sign in with       virtualMachines/login/action (data), or
//   Entra ID           loginAsAdmin/action for administrators       VM
//   read the password  vaults/secrets/getSecret/action (data)       secret
//
// The Bastion list follows the Azure Bastion FAQ's table of required
// permissions. The VNet operations are checked at the VNet, which may sit in
// another resource group or subscription than the VM. The JIT operations are
// checked on the JIT policy resource
// (`.../providers/Microsoft.Security/locations/{location}/
// jitNetworkAccessPolicies/{name}`), which is what Defender for Cloud
// authorizes a request against.
//
//   VmAccessTarget target = {...};
//   std::vector<Operation> operations = BastionConnectOperations(target);
//   MultiDecision result = CheckAll(policy, user, groups, operations, now);
//   if (!result.allowed) std::cout << ExplainAll(policy, user, groups,
//                                                operations, result);
#ifndef PORTCULLIS_ACCESS_RBAC_OPERATIONS_H_
#define PORTCULLIS_ACCESS_RBAC_OPERATIONS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "access/rbac.h"

namespace portcullis::rbac {

// One operation at one scope.
struct Operation {
  std::string action;
  Plane plane = Plane::kControl;
  std::string scope;
};

// Resource ids of the resources that VM access touches.
struct VmAccessTarget {
  // `.../providers/Microsoft.Compute/virtualMachines/{name}`.
  std::string vm;
  // The VM's network interface.
  std::string nic;
  // Public IP addresses of the VM's NIC; may be empty.
  std::vector<std::string> public_ips;
  // `.../providers/Microsoft.Network/bastionHosts/{name}`.
  std::string bastion;
  // The virtual network of the Bastion host, which contains the VM's subnet
  // or is peered with its VNet.
  std::string vnet;
  // `.../providers/Microsoft.Security/locations/{location}/
  // jitNetworkAccessPolicies/{name}`.
  std::string jit_policy;
  // The Key Vault secret with the VM's local administrator password,
  // `.../providers/Microsoft.KeyVault/vaults/{vault}/secrets/{name}`.
  std::string password_secret;
};

// Reading the VM, its NIC and its public IP addresses.
std::vector<Operation> ReadVmOperations(const VmAccessTarget& target);

// Connecting through the Bastion host: the Bastion and VNet operations and
// the VM and NIC reads.
std::vector<Operation> BastionConnectOperations(const VmAccessTarget& target);

// Requesting just-in-time access on the JIT policy.
std::vector<Operation> InitiateJitOperations(const VmAccessTarget& target);

// Signing in to the VM with Microsoft Entra ID, as a user or (with
// `as_administrator`) as an administrator.
std::vector<Operation> EntraLoginOperations(const VmAccessTarget& target,
                                            bool as_administrator);

// Reading the VM's password secret from Key Vault (vaults that use the
// Azure RBAC permission model).
std::vector<Operation> ReadPasswordOperations(const VmAccessTarget& target);

// The outcome of CheckAll().
struct MultiDecision {
  // True when every operation is allowed.
  bool allowed = false;
  // The index of the first operation denied, or -1 when all are allowed
  // (or there are none).
  int operation = -1;
  // The decision for that operation, or for the last one when all are
  // allowed.
  Decision decision;
};

// Checks each of `operations` in order for the principal and its groups
// and stops at the first denial. An empty list is allowed. Does not
// allocate.
MultiDecision CheckAll(const Policy& policy, absl::string_view principal_id,
                       absl::Span<const std::string> group_ids,
                       absl::Span<const Operation> operations, absl::Time now);

// Explains `result`, which CheckAll() returned for the same arguments: the
// denied operation and why, or how the last operation was granted.
std::string ExplainAll(const Policy& policy, absl::string_view principal_id,
                       absl::Span<const std::string> group_ids,
                       absl::Span<const Operation> operations,
                       const MultiDecision& result);

}  // namespace portcullis::rbac

#endif  // PORTCULLIS_ACCESS_RBAC_OPERATIONS_H_
