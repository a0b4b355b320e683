#include "access/rbac_operations.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace portcullis::rbac {

namespace {

void Add(std::vector<Operation>& operations, absl::string_view action,
         const std::string& scope, Plane plane = Plane::kControl) {
  operations.push_back(Operation{std::string(action), plane, scope});
}

Request RequestFor(absl::string_view principal_id,
                   absl::Span<const std::string> group_ids,
                   const Operation& operation) {
  Request request;
  request.principal_id = principal_id;
  request.group_ids = group_ids;
  request.action = operation.action;
  request.plane = operation.plane;
  request.scope = operation.scope;
  return request;
}

}  // namespace

std::vector<Operation> ReadVmOperations(const VmAccessTarget& target) {
  std::vector<Operation> operations;
  Add(operations, "Microsoft.Compute/virtualMachines/read", target.vm);
  Add(operations, "Microsoft.Network/networkInterfaces/read", target.nic);
  Add(operations, "Microsoft.Network/networkInterfaces/ipconfigurations/read",
      target.nic);
  for (const std::string& address : target.public_ips) {
    Add(operations, "Microsoft.Network/publicIPAddresses/read", address);
  }
  return operations;
}

std::vector<Operation> BastionConnectOperations(const VmAccessTarget& target) {
  std::vector<Operation> operations;
  Add(operations, "Microsoft.Network/bastionHosts/read", target.bastion);
  Add(operations, "Microsoft.Network/virtualNetworks/read", target.vnet);
  Add(operations, "Microsoft.Network/virtualNetworks/BastionHosts/action",
      target.vnet);
  Add(operations,
      "Microsoft.Network/virtualNetworks/bastionHosts/default/action",
      target.vnet);
  Add(operations,
      "Microsoft.Network/virtualNetworks/subnets/virtualMachines/read",
      target.vnet);
  Add(operations, "Microsoft.Network/virtualNetworks/virtualMachines/read",
      target.vnet);
  Add(operations, "Microsoft.Compute/virtualMachines/read", target.vm);
  Add(operations, "Microsoft.Network/networkInterfaces/read", target.nic);
  Add(operations, "Microsoft.Network/networkInterfaces/ipconfigurations/read",
      target.nic);
  return operations;
}

std::vector<Operation> InitiateJitOperations(const VmAccessTarget& target) {
  std::vector<Operation> operations;
  Add(operations, "Microsoft.Security/locations/jitNetworkAccessPolicies/read",
      target.jit_policy);
  Add(operations,
      "Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action",
      target.jit_policy);
  return operations;
}

std::vector<Operation> EntraLoginOperations(const VmAccessTarget& target,
                                            bool as_administrator) {
  std::vector<Operation> operations;
  Add(operations,
      as_administrator ? "Microsoft.Compute/virtualMachines/loginAsAdmin/action"
                       : "Microsoft.Compute/virtualMachines/login/action",
      target.vm, Plane::kData);
  return operations;
}

std::vector<Operation> ReadPasswordOperations(const VmAccessTarget& target) {
  std::vector<Operation> operations;
  Add(operations, "Microsoft.KeyVault/vaults/secrets/getSecret/action",
      target.password_secret, Plane::kData);
  return operations;
}

MultiDecision CheckAll(const Policy& policy, absl::string_view principal_id,
                       absl::Span<const std::string> group_ids,
                       absl::Span<const Operation> operations, absl::Time now) {
  MultiDecision result;
  result.allowed = true;
  for (size_t i = 0; i < operations.size(); ++i) {
    result.decision =
        policy.Check(RequestFor(principal_id, group_ids, operations[i]), now);
    if (!result.decision.allowed) {
      result.allowed = false;
      result.operation = static_cast<int>(i);
      return result;
    }
  }
  return result;
}

std::string ExplainAll(const Policy& policy, absl::string_view principal_id,
                       absl::Span<const std::string> group_ids,
                       absl::Span<const Operation> operations,
                       const MultiDecision& result) {
  if (operations.empty()) return "allowed: no operation to check";
  size_t index = result.allowed ? operations.size() - 1
                                : static_cast<size_t>(result.operation);
  const Operation& operation = operations[index];
  std::string explanation = policy.Explain(
      RequestFor(principal_id, group_ids, operation), result.decision);
  if (result.allowed) {
    if (operations.size() == 1) return explanation;
    return absl::StrCat("all ", operations.size(),
                        " operations allowed; the last: ", explanation);
  }
  return absl::StrCat("operation ", index + 1, " of ", operations.size(), " ('",
                      operation.action, "' at '", operation.scope,
                      "'): ", explanation);
}

}  // namespace portcullis::rbac
