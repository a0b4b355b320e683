#include "decide/reference.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "access/ca_sign_in.h"
#include "nsg/evaluate.h"
#include "nsg/evaluate_rules.h"
#include "nsg/jit.h"
#include "pim/activation.h"
#include "pim/internal/ids.h"
#include "pim/request_status.h"
#include "proto/ca.pb.h"
#include "proto/pim.pb.h"
#include "schedule/rfc3339.h"

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

// Returns the Flow message of packets from `source` to `destination`, as the
// NSGs of the destination see it (inbound) or those of the source (outbound).
nsg::Flow FlowMessage(nsg::Direction direction, const net::IpAddress& source,
                      uint16_t source_port, const net::IpAddress& destination,
                      uint16_t port, nsg::Protocol protocol) {
  const bool inbound = direction == nsg::DIRECTION_INBOUND;
  nsg::Flow flow;
  flow.set_direction(direction);
  flow.set_protocol(protocol);
  flow.set_local_address((inbound ? destination : source).ToString());
  flow.set_local_port(inbound ? port : source_port);
  flow.set_remote_address((inbound ? source : destination).ToString());
  flow.set_remote_port(inbound ? source_port : port);
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

// When PIM processed `request`: its createdDateTime, else its start, else
// absl::InfinitePast().
absl::Time ProcessedAt(const pim::ScheduleRequest& request) {
  const google::protobuf::Timestamp* stamp = nullptr;
  if (request.has_created_time()) {
    stamp = &request.created_time();
  } else if (request.schedule_info().has_start_time()) {
    stamp = &request.schedule_info().start_time();
  }
  if (stamp == nullptr) return absl::InfinitePast();
  return absl::FromUnixSeconds(stamp->seconds()) + absl::Nanoseconds(stamp->nanos());
}

// A deactivation request with the time it ends an activation at.
struct Ending {
  absl::Time at;
  std::string message;
  int index;
};

// Returns the deactivation request that ended activation request
// `activation`, which PIM processed at `activated`, by `now`, or -1.
int FirstDeactivation(const CompiledPim& pim, int activation, absl::Time activated,
                      absl::Time now) {
  std::vector<Ending> endings;
  for (size_t i = 0; i < pim.requests.size(); ++i) {
    const pim::ActivationRequest& request = pim.requests[i];
    if (request.status == pim::RequestStatus::kNoActivation ||
        !pim::DeactivationEnds(request, pim.requests[activation])) {
      continue;
    }
    absl::Time at = ProcessedAt(pim.request_messages[i]);
    if (at == absl::InfinitePast()) {
      at = activated;
    } else if (at < activated || at > now) {
      continue;
    }
    endings.push_back({at, pim.request_messages[i].SerializeAsString(), static_cast<int>(i)});
  }
  if (endings.empty()) return -1;
  std::sort(endings.begin(), endings.end(), [](const Ending& a, const Ending& b) {
    return std::tie(a.at, a.message, a.index) < std::tie(b.at, b.message, b.index);
  });
  return endings.front().index;
}

// One activation request of the user, judged in full.
struct JudgedRequest {
  absl::Time processed;
  // 0 for allow, 1 for pending, 2 for deny.
  int restriction = 0;
  std::string message;
  int index = -1;
  LayerOutcome outcome = LayerOutcome::kDeny;
  int deactivation = -1;
};

JudgedRequest JudgeRequest(const CompiledPim& pim, const access::SignIn& sign_in, int index,
                           absl::Time now) {
  JudgedRequest judged;
  judged.processed = ProcessedAt(pim.request_messages[index]);
  judged.message = pim.request_messages[index].SerializeAsString();
  judged.index = index;
  const pim::ActivationRequest& request = pim.requests[index];

  pim::RequestContext context;
  context.now = judged.processed;
  context.mfa_satisfied =
      (sign_in.satisfied.built_in & access::ControlBit(ca::BUILT_IN_CONTROL_MFA)) != 0;
  pim::ActivationDecision activation = pim.evaluator->Decide(request, context);
  const bool windowed = activation.outcome == pim::Outcome::kGranted ||
                        activation.outcome == pim::Outcome::kScheduled;
  if (request.status == pim::RequestStatus::kNoActivation ||
      activation.outcome == pim::Outcome::kRefused) {
    judged.outcome = LayerOutcome::kDeny;
  } else if (request.status == pim::RequestStatus::kAwaitingApproval && windowed) {
    absl::Time deadline = judged.processed + pim.evaluator->policy().approval_timeout();
    judged.outcome = now < deadline ? LayerOutcome::kPending : LayerOutcome::kDeny;
  } else if (activation.outcome == pim::Outcome::kPending) {
    judged.outcome =
        now < activation.approval_deadline ? LayerOutcome::kPending : LayerOutcome::kDeny;
  } else if (!activation.window.Contains(now)) {
    judged.outcome = LayerOutcome::kDeny;
  } else {
    judged.deactivation = FirstDeactivation(pim, index, judged.processed, now);
    judged.outcome = judged.deactivation >= 0 ? LayerOutcome::kDeny : LayerOutcome::kAllow;
  }
  judged.restriction = judged.outcome == LayerOutcome::kAllow     ? 0
                       : judged.outcome == LayerOutcome::kPending ? 1
                                                                  : 2;
  return judged;
}

// True when an active instance of the user contains `now` and no deactivation
// request processed at or after its start (or with no recorded time) ended
// it by then.
bool InstanceHolds(const CompiledPim& pim, const pim::CompiledInstance& instance,
                   absl::Time now) {
  if (!instance.in_force() || now < instance.window.start) return false;
  absl::Time until = instance.window.end;
  for (size_t i = 0; i < pim.requests.size(); ++i) {
    const pim::ActivationRequest& request = pim.requests[i];
    if (request.status == pim::RequestStatus::kNoActivation ||
        !pim::DeactivationEnds(request, instance)) {
      continue;
    }
    absl::Time at = ProcessedAt(pim.request_messages[i]);
    if (at == absl::InfinitePast()) at = instance.window.start;
    if (at >= instance.window.start) until = std::min(until, at);
  }
  return now < until;
}

}  // namespace

ReferencePimDecision DecidePimReference(const Snapshot& snapshot,
                                        const access::SignIn& sign_in, absl::string_view vm_id,
                                        absl::Time now) {
  ReferencePimDecision decision;
  const bool finite = schedule::CheckFinite("now", now).ok();
  if (!snapshot.pim().has_value() || sign_in.user_id.empty() || !finite) {
    decision.outcome = LayerOutcome::kError;
    return decision;
  }
  const CompiledPim& pim = *snapshot.pim();
  if (pim.has_work_hours && (now < pim.work_hours_from || now >= pim.work_hours_until)) {
    decision.outcome = LayerOutcome::kError;
    return decision;
  }
  const std::string& user = sign_in.user_id;

  // The roles the user is eligible for, and the VM as a PIM scope.
  std::set<std::string> eligible_roles;
  for (const pim::CompiledInstance& eligibility : pim.evaluator->eligibilities()) {
    if (eligibility.in_force() && absl::EqualsIgnoreCase(eligibility.principal_id, user)) {
      eligible_roles.insert(absl::AsciiStrToLower(eligibility.role_definition_id));
    }
  }
  const int vm = snapshot.FindVm(vm_id);
  const std::string target =
      vm < 0 ? std::string() : pim::internal::NormalizeScope(snapshot.vms()[vm].vm_id);

  const std::vector<pim::CompiledInstance>& active = pim.evaluator->active_instances();
  for (size_t i = 0; i < active.size(); ++i) {
    const bool eligible_role =
        eligible_roles.count(absl::AsciiStrToLower(active[i].role_definition_id)) > 0;
    if (absl::EqualsIgnoreCase(active[i].principal_id, user) && eligible_role &&
        pim::internal::ScopeCovers(active[i].scope, target) &&
        InstanceHolds(pim, active[i], now)) {
      decision.outcome = LayerOutcome::kAllow;
      decision.basis = PimDetail::Basis::kActiveInstance;
      decision.instance = static_cast<int>(i);
      break;
    }
  }

  // The user's activation requests by role and scope.
  std::map<std::pair<std::string, std::string>, std::vector<JudgedRequest>> groups;
  for (size_t i = 0; i < pim.requests.size(); ++i) {
    const pim::ActivationRequest& request = pim.requests[i];
    if (request.action == pim::ACTION_SELF_ACTIVATE &&
        absl::EqualsIgnoreCase(request.principal_id, user)) {
      groups[{request.role_definition_id, request.scope}].push_back(
          JudgeRequest(pim, sign_in, static_cast<int>(i), now));
    }
  }
  if (!groups.empty()) {
    std::vector<JudgedRequest> deciding;
    for (auto& [key, judged] : groups) {
      // In each group the last one decides: the latest, then the most
      // restrictive, then the greatest message, then the lowest index.
      std::sort(judged.begin(), judged.end(),
                [](const JudgedRequest& a, const JudgedRequest& b) {
                  return std::make_tuple(a.processed, a.restriction, a.message, -a.index) <
                         std::make_tuple(b.processed, b.restriction, b.message, -b.index);
                });
      deciding.push_back(judged.back());
      if (judged.back().outcome == LayerOutcome::kAllow) {
        decision.granted.push_back(judged.back().index);
      }
    }
    // Of the groups, the first after sorting explains: the least
    // restrictive, then the latest, then the greatest message.
    std::sort(deciding.begin(), deciding.end(),
              [](const JudgedRequest& a, const JudgedRequest& b) {
                return std::make_tuple(a.restriction, b.processed, b.message) <
                       std::make_tuple(b.restriction, a.processed, a.message);
              });
    // An active instance that counts decides the layer, but the granted
    // activations stay for the rbac layer.
    if (decision.basis == PimDetail::Basis::kActiveInstance) return decision;
    decision.outcome = deciding.front().outcome;
    decision.basis = PimDetail::Basis::kRequest;
    decision.request = deciding.front().index;
    decision.deactivation = deciding.front().deactivation;
    return decision;
  }
  if (decision.basis == PimDetail::Basis::kActiveInstance) return decision;

  const std::vector<pim::CompiledInstance>& eligible = pim.evaluator->eligibilities();
  for (size_t i = 0; i < eligible.size(); ++i) {
    if (eligible[i].in_force() && absl::EqualsIgnoreCase(eligible[i].principal_id, user)) {
      decision.outcome = LayerOutcome::kDeny;
      decision.basis = PimDetail::Basis::kEligibleOnly;
      decision.instance = static_cast<int>(i);
      return decision;
    }
  }
  return decision;
}

std::vector<bool> CheckRbacReference(const Snapshot& snapshot, const Attempt& attempt,
                                     const Decision& decision, absl::Time now) {
  std::vector<bool> allowed;
  if (decision.vm < 0 || attempt.sign_in == nullptr || !snapshot.rbac().has_value()) {
    return allowed;
  }
  const CompiledVm& vm = snapshot.vms()[decision.vm];
  // Every activation the reference PIM layer grants counts.
  std::vector<const rbac::Policy*> activations;
  ReferencePimDecision pim = DecidePimReference(snapshot, *attempt.sign_in, attempt.vm_id, now);
  if (pim.outcome == LayerOutcome::kAllow) {
    for (int index : pim.granted) {
      activations.push_back(&snapshot.pim()->request_grants[index]);
    }
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
    bool through = false;
    for (const rbac::Policy* activation : activations) {
      through = through || (!base.allowed && base.deny_assignment < 0 &&
                            activation->Check(request, now).allowed);
    }
    allowed.push_back(base.allowed || through);
  }
  return allowed;
}

absl::StatusOr<ReferenceNetworkDecision> DecideNetworkReference(
    const Snapshot& snapshot, const Attempt& attempt, absl::Time now) {
  if (absl::Status finite = schedule::CheckFinite("now", now); !finite.ok()) {
    return finite;
  }
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
               FlowMessage(nsg::DIRECTION_INBOUND, source, attempt.source_port,
                           vm.private_address, attempt.port, attempt.protocol),
               now);
  if (!to_vm.ok()) return to_vm.status();
  decision.to_vm = *std::move(to_vm);

  if (attempt.via_bastion) {
    if (snapshot.bastion_nsg() < 0) {
      return absl::FailedPreconditionError("no NSG on AzureBastionSubnet");
    }
    absl::StatusOr<nsg::Verdict> to_bastion = Evaluate(
        snapshot, nullptr, snapshot.bastion_nsg(), -1,
        FlowMessage(nsg::DIRECTION_INBOUND, attempt.source, attempt.source_port,
                    snapshot.bastion_address(), 443, nsg::PROTOCOL_TCP),
        now);
    if (!to_bastion.ok()) return to_bastion.status();
    decision.to_bastion = *std::move(to_bastion);

    // The bastion has no NIC NSG, so only the subnet's outbound rules apply.
    absl::StatusOr<nsg::Verdict> from_bastion = Evaluate(
        snapshot, nullptr, snapshot.bastion_nsg(), -1,
        FlowMessage(nsg::DIRECTION_OUTBOUND, source, attempt.source_port,
                    vm.private_address, attempt.port, attempt.protocol),
        now);
    if (!from_bastion.ok()) return from_bastion.status();
    decision.from_bastion = *std::move(from_bastion);
  }
  return decision;
}

}  // namespace portcullis::decide
