#include "decide/reference.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "nsg/evaluate.h"
#include "nsg/evaluate_rules.h"
#include "nsg/jit.h"

namespace portcullis::decide {
namespace {

// The NSG at `index` as it is at `now`, which for the VM's JIT NSG includes
// the JIT rules active then.
absl::StatusOr<nsg::ResolvedNsg> NsgAt(const Snapshot& snapshot, const CompiledVm* vm,
                                       int index, absl::Time now) {
  const internal::CompiledNsg& compiled = snapshot.nsgs()[index];
  if (vm == nullptr || vm->jit_nsg != index) {
    return nsg::ResolveNsg(compiled.source(), snapshot.address_resolver());
  }
  absl::StatusOr<nsg::NetworkSecurityGroup> with_rules =
      jit::WithJitRules(compiled.source(), *snapshot.jit_policy(), vm->jit_target,
                        vm->grants, now, snapshot.jit_options());
  if (!with_rules.ok()) return with_rules.status();
  return nsg::ResolveNsg(*with_rules, snapshot.address_resolver());
}

nsg::Flow InboundFlow(const net::IpAddress& source, uint16_t source_port,
                      const net::IpAddress& destination, uint16_t port,
                      nsg::Protocol protocol) {
  nsg::Flow flow;
  flow.set_direction(nsg::DIRECTION_INBOUND);
  flow.set_protocol(protocol);
  flow.set_local_address(destination.ToString());
  flow.set_local_port(port);
  flow.set_remote_address(source.ToString());
  flow.set_remote_port(source_port);
  return flow;
}

absl::StatusOr<nsg::Verdict> Evaluate(const Snapshot& snapshot, const CompiledVm* vm,
                                      int subnet, int nic, const nsg::Flow& message,
                                      absl::Time now) {
  std::optional<nsg::ResolvedNsg> subnet_nsg;
  std::optional<nsg::ResolvedNsg> nic_nsg;
  if (subnet >= 0) {
    absl::StatusOr<nsg::ResolvedNsg> resolved = NsgAt(snapshot, vm, subnet, now);
    if (!resolved.ok()) return resolved.status();
    subnet_nsg = *std::move(resolved);
  }
  if (nic >= 0) {
    absl::StatusOr<nsg::ResolvedNsg> resolved = NsgAt(snapshot, vm, nic, now);
    if (!resolved.ok()) return resolved.status();
    nic_nsg = *std::move(resolved);
  }
  absl::StatusOr<nsg::ResolvedFlow> flow = nsg::ResolvedFlow::FromProto(message);
  if (!flow.ok()) return flow.status();
  nsg::NsgAttachments attachments;
  attachments.subnet = subnet_nsg.has_value() ? &*subnet_nsg : nullptr;
  attachments.network_interface = nic_nsg.has_value() ? &*nic_nsg : nullptr;
  return nsg::EvaluateFlow(attachments, *flow);
}

}  // namespace

std::vector<bool> CheckRbacReference(const Snapshot& snapshot, const Attempt& attempt,
                                     const Decision& decision, absl::Time now) {
  std::vector<bool> allowed;
  if (decision.vm < 0 || attempt.sign_in == nullptr || !snapshot.rbac().has_value()) {
    return allowed;
  }
  const CompiledVm& vm = snapshot.vms()[decision.vm];
  const rbac::Policy* activation = nullptr;
  if (decision.pim.basis == PimDetail::Basis::kRequest &&
      decision.layer(Layer::kPim).outcome == LayerOutcome::kAllow) {
    activation = &snapshot.pim()->request_grants[decision.pim.request];
  }
  for (int i = 0; i < decision.rbac.check_count; ++i) {
    int index = decision.rbac.checks[i].check;
    const RbacCheck& check =
        index == kUserLoginCheck    ? vm.user_login
        : index == kAdminLoginCheck ? vm.admin_login
        : attempt.via_bastion       ? vm.bastion_checks[index]
                                    : vm.direct_checks[index];
    rbac::Request request;
    request.principal_id = attempt.sign_in->user_id;
    request.group_ids = absl::MakeConstSpan(attempt.sign_in->group_ids);
    request.groups_known = access::GroupMembershipKnown(*attempt.sign_in);
    request.action = check.action;
    request.plane = check.plane;
    request.scope = check.scope;
    rbac::Decision base = snapshot.rbac()->Check(request, now);
    bool through = !base.allowed && base.deny_assignment < 0 &&
                   activation != nullptr && activation->Check(request, now).allowed;
    allowed.push_back(base.allowed || through);
  }
  return allowed;
}

absl::StatusOr<ReferenceNetworkDecision> DecideNetworkReference(
    const Snapshot& snapshot, const Attempt& attempt, absl::Time now) {
  int index = snapshot.FindVm(attempt.vm_id);
  if (index < 0) return absl::NotFoundError(absl::StrCat("unknown VM ", attempt.vm_id));
  if (attempt.via_bastion && !snapshot.has_bastion()) {
    return absl::FailedPreconditionError("the snapshot has no bastion");
  }
  const CompiledVm& vm = snapshot.vms()[index];
  ReferenceNetworkDecision decision;

  net::IpAddress source = attempt.via_bastion ? snapshot.bastion_address() : attempt.source;
  if (vm.jit_protected) {
    for (const CompiledJitPort& port : vm.jit_ports) {
      bool protocol = port.protocol == jit::JIT_PROTOCOL_ANY ||
                      (port.protocol == jit::JIT_PROTOCOL_TCP &&
                       attempt.protocol == nsg::PROTOCOL_TCP) ||
                      (port.protocol == jit::JIT_PROTOCOL_UDP &&
                       attempt.protocol == nsg::PROTOCOL_UDP);
      if (port.number == attempt.port && protocol) decision.jit_applies = true;
    }
    decision.jit_open =
        jit::PortOpenState(vm.grants, vm.vm_id, attempt.port, source, now).open;
  }

  absl::StatusOr<nsg::Verdict> to_vm =
      Evaluate(snapshot, &vm, vm.subnet_nsg, vm.nic_nsg,
               InboundFlow(source, attempt.source_port, vm.private_address, attempt.port,
                           attempt.protocol),
               now);
  if (!to_vm.ok()) return to_vm.status();
  decision.to_vm = *std::move(to_vm);

  if (attempt.via_bastion) {
    if (snapshot.bastion_nsg() < 0) {
      return absl::FailedPreconditionError("no NSG on AzureBastionSubnet");
    }
    absl::StatusOr<nsg::Verdict> to_bastion = Evaluate(
        snapshot, nullptr, snapshot.bastion_nsg(), -1,
        InboundFlow(attempt.source, attempt.source_port, snapshot.bastion_address(), 443,
                    nsg::PROTOCOL_TCP),
        now);
    if (!to_bastion.ok()) return to_bastion.status();
    decision.to_bastion = *std::move(to_bastion);
  }
  return decision;
}

}  // namespace portcullis::decide
