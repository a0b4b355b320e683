#include "decide/snapshot.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "access/ca_named_locations.h"
#include "access/rbac_operations.h"
#include "net/mapped_prefix.h"
#include "pim/internal/ids.h"
#include "pim/internal/proto_time.h"
#include "pim/policy.h"

namespace portcullis::decide {
namespace {

std::atomic<uint64_t> next_snapshot_id{1};

// How far back work hours are expanded for recorded PIM requests.
constexpr absl::Duration kRequestHistoryReach = absl::Hours(24 * 366);

absl::Status Prefixed(absl::string_view prefix, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(prefix, ": ", status.message()));
}

// Returns how messages name `group`: its resource id, else its name.
absl::string_view NsgLabel(const nsg::NetworkSecurityGroup& group) {
  return group.id().empty() ? absl::string_view(group.name()) : absl::string_view(group.id());
}

// True when `group` is the NSG with resource id `id`. Where the group's
// document gives an id, the full ids must match, else the group's name must
// be the last segment of `id`. Azure compares resource ids and names
// without regard to case.
bool IsNsgWithId(const nsg::NetworkSecurityGroup& group, absl::string_view id) {
  if (!group.id().empty()) return jit::SameResourceId(group.id(), id);
  while (absl::ConsumeSuffix(&id, "/")) {
  }
  const size_t slash = id.rfind('/');
  const absl::string_view name = slash == absl::string_view::npos ? id : id.substr(slash + 1);
  return absl::EqualsIgnoreCase(group.name(), name);
}

// Checks that the VM's nicNsg is the NSG its NIC names, and that there is
// none when the NIC names none. A NIC's NSG left out or swapped for another
// would drop its rules from every decision. `where` is the VM's field path.
// NOTE: subnetNsg cannot be checked the same way, because the NIC names
// only its subnet and the inputs do not say which NSG the subnet has.
absl::Status CheckNicNsg(const VmInput& vm, absl::string_view where) {
  const std::string& named = vm.nic.network_security_group_id();
  if (named.empty()) {
    if (!vm.nic_nsg.has_value()) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(
        where, ".nicNsg: unexpected NSG \"", NsgLabel(*vm.nic_nsg), "\"; the NIC \"",
        vm.nic.id(), "\" names no networkSecurityGroup, so remove nicNsg or export the "
        "NIC again"));
  }
  if (!vm.nic_nsg.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ".nicNsg: missing; expected the NSG that the NIC names, ", named));
  }
  if (!IsNsgWithId(*vm.nic_nsg, named)) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ".nicNsg: invalid value \"", NsgLabel(*vm.nic_nsg),
        "\"; expected the NSG that the NIC names, ", named));
  }
  return absl::OkStatus();
}

// The role assignment that an active PIM instance stands for, valid on the
// instance's window.
rbac::RoleAssignment AssignmentForInstance(const pim::ScheduleInstance& instance,
                                           int index) {
  rbac::RoleAssignment assignment;
  assignment.set_id(instance.id());
  assignment.set_name(instance.id());
  assignment.set_scope(instance.directory_scope_id());
  assignment.set_role_definition_id(instance.role_definition_id());
  assignment.set_principal_id(instance.principal_id());
  assignment.set_principal_type("User");
  assignment.set_description("active PIM assignment schedule instance");
  // The RBAC layer does not evaluate conditions, so a conditioned instance
  // grants nothing that depends on it, as a standing assignment would not.
  assignment.set_condition(instance.condition());
  assignment.set_condition_version(instance.condition_version());
  if (instance.has_start_time()) *assignment.mutable_start_time() = instance.start_time();
  if (instance.has_end_time()) *assignment.mutable_end_time() = instance.end_time();
  assignment.set_source(absl::StrCat("pim.activeInstances[", index, "]"));
  return assignment;
}

// The role assignment that activation request `index` gives once granted.
rbac::RoleAssignment AssignmentForRequest(const pim::ScheduleRequest& request,
                                          int index) {
  rbac::RoleAssignment assignment;
  assignment.set_id(request.id());
  assignment.set_name(request.id());
  assignment.set_scope(request.directory_scope_id());
  assignment.set_role_definition_id(request.role_definition_id());
  assignment.set_principal_id(request.principal_id());
  assignment.set_principal_type("User");
  assignment.set_description("role activated by a PIM request");
  assignment.set_condition(request.condition());
  assignment.set_condition_version(request.condition_version());
  assignment.set_source(absl::StrCat("pim.requests[", index, "]"));
  return assignment;
}

// `assignment`, the role that `request` activates, with the ABAC condition
// of an eligibility that could back the request when the request carries
// none. The activated role is the eligible one made active, so it keeps
// the eligibility's condition. Portcullis does not evaluate conditions, so
// when any eligibility that could back the request carries one, the
// activated role is taken to carry it (the RBAC layer then grants nothing
// through it).
rbac::RoleAssignment WithEligibilityCondition(rbac::RoleAssignment assignment,
                                              const pim::ActivationRequest& request,
                                              const pim::ActivationEvaluator& evaluator,
                                              const std::vector<pim::ScheduleInstance>& eligibilities) {
  if (!assignment.condition().empty()) return assignment;
  const std::vector<pim::CompiledInstance>& compiled = evaluator.eligibilities();
  for (size_t e = 0; e < compiled.size() && e < eligibilities.size(); ++e) {
    if (eligibilities[e].condition().empty() || !pim::MayBack(compiled[e], request)) continue;
    assignment.set_condition(eligibilities[e].condition());
    assignment.set_condition_version(eligibilities[e].condition_version());
    assignment.set_description(
        absl::StrCat("role activated by a PIM request, with the condition of eligibility '",
                     eligibilities[e].id(), "'"));
    break;
  }
  return assignment;
}

// The VNet id of a subnet id (`.../virtualNetworks/<vnet>/subnets/<name>`),
// or "" when it has no such shape.
std::string VirtualNetworkOf(absl::string_view subnet_id) {
  size_t at = subnet_id.rfind("/subnets/");
  if (at == absl::string_view::npos) {
    std::string lower(subnet_id);
    for (char& c : lower) c = absl::ascii_tolower(c);
    at = lower.rfind("/subnets/");
    if (at == std::string::npos) return "";
  }
  return std::string(subnet_id.substr(0, at));
}

absl::StatusOr<net::IpAddress> ParseNicAddress(absl::string_view text) {
  // Some NIC exports write the address with its prefix length.
  size_t slash = text.find('/');
  if (slash != absl::string_view::npos) text = text.substr(0, slash);
  return net::IpAddress::Parse(text);
}

}  // namespace

// Compiles each part of a snapshot. A friend of Snapshot.
class SnapshotBuilder {
 public:
  SnapshotBuilder(SnapshotInput input, const BuildOptions& options)
      : input_(std::move(input)), options_(options) {
    snapshot_.reset(new Snapshot());
    snapshot_->id_ = next_snapshot_id.fetch_add(1, std::memory_order_relaxed);
    snapshot_->options_ = options;
  }

  absl::StatusOr<std::shared_ptr<const Snapshot>> Build() {
    if (options_.valid_until <= options_.valid_from) {
      return absl::InvalidArgumentError(absl::StrCat(
          "validity range: invalid value [", absl::FormatTime(options_.valid_from),
          ", ", absl::FormatTime(options_.valid_until),
          "); expected valid_from before valid_until"));
    }
    if (absl::Status s = BuildConditionalAccess(); !s.ok()) {
      return Prefixed("conditionalAccess", s);
    }
    // PIM first: the RBAC layer takes the active instances as PIM left them.
    if (absl::Status s = BuildPim(); !s.ok()) return Prefixed("pim", s);
    if (absl::Status s = BuildRbac(); !s.ok()) return Prefixed("rbac", s);
    if (absl::Status s = BuildNetwork(); !s.ok()) return s;
    return std::shared_ptr<const Snapshot>(std::move(snapshot_));
  }

 private:
  absl::Status BuildConditionalAccess() {
    if (!input_.conditional_access.has_value()) return absl::OkStatus();
    ConditionalAccessInput& ca = *input_.conditional_access;
    absl::StatusOr<access::NamedLocationSet> locations =
        access::NamedLocationSet::Create(ca.named_locations);
    if (!locations.ok()) return locations.status();
    access::CompileOptions compile = ca.options;
    if (options_.valid_from != absl::InfinitePast() &&
        options_.valid_until != absl::InfiniteFuture()) {
      compile.schedule_from = options_.valid_from;
      compile.schedule_to = options_.valid_until;
    }
    absl::StatusOr<access::ConditionalAccessPolicySet> set =
        access::ConditionalAccessPolicySet::Compile(
            std::move(ca.policies),
            std::make_shared<const access::NamedLocationSet>(*std::move(locations)),
            compile);
    if (!set.ok()) return set.status();
    snapshot_->conditional_access_ = CompiledConditionalAccess{*std::move(set), ca.mode};
    return absl::OkStatus();
  }

  // The RBAC input with the active PIM instances added as time-bound
  // assignments, each until CompiledPim::active_until.
  absl::Status BuildRbac() {
    if (!input_.rbac.has_value()) return absl::OkStatus();
    rbac::RbacInput with_pim = *input_.rbac;
    if (input_.pim.has_value()) {
      const std::vector<pim::ScheduleInstance>& active = input_.pim->active_instances;
      const std::vector<pim::CompiledInstance>& compiled =
          snapshot_->pim_->evaluator->active_instances();
      const std::vector<absl::Time>& until = snapshot_->pim_->active_until;
      for (size_t i = 0; i < active.size(); ++i) {
        if (until[i] <= compiled[i].window.start) continue;
        rbac::RoleAssignment assignment =
            AssignmentForInstance(active[i], static_cast<int>(i));
        if (until[i] < compiled[i].window.end) {
          *assignment.mutable_end_time() = pim::internal::ToTimestamp(until[i]);
        }
        *with_pim.add_role_assignments() = std::move(assignment);
      }
    }
    rbac_input_ = with_pim;
    absl::StatusOr<rbac::Policy> policy = rbac::Policy::Compile(std::move(with_pim));
    if (!policy.ok()) return policy.status();
    snapshot_->rbac_ = *std::move(policy);
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<schedule::IntervalSet>> WorkWindows() {
    if (!input_.pim->work_hours.has_value()) return std::nullopt;
    if (options_.valid_from == absl::InfinitePast() ||
        options_.valid_until == absl::InfiniteFuture()) {
      return absl::InvalidArgumentError(
          "workHours: the snapshot's validity range must be finite to expand "
          "work hours; set BuildOptions::valid_from and valid_until");
    }
    // A day before the range, so a window open at its start is whole, and
    // a week past it, so the next opening after any instant in it is known.
    // Recorded requests are judged at their processing time, so the range
    // also reaches back to the earliest one, but by a year at most: an older
    // request is judged outside work hours, which refuses it.
    absl::Time earliest = options_.valid_from;
    for (absl::Time processed : processed_at_) {
      if (processed >= options_.valid_from - kRequestHistoryReach) {
        earliest = std::min(earliest, processed);
      }
    }
    absl::Time from = earliest - absl::Hours(24);
    absl::Time to = options_.valid_until + absl::Hours(24 * 8);
    absl::StatusOr<schedule::IntervalSet> windows =
        input_.pim->work_hours->Expand(from, to);
    if (!windows.ok()) return Prefixed("workHours", windows.status());
    return std::optional<schedule::IntervalSet>(*std::move(windows));
  }

  // When PIM processed each recorded request: its createdDateTime, else its
  // start. A selfActivate request without either has no fixed window, which
  // is an error. A deactivation without either counts as done before any
  // `now`.
  absl::Status ProcessingTimes() {
    const std::vector<pim::ScheduleRequest>& requests = input_.pim->requests;
    for (size_t i = 0; i < requests.size(); ++i) {
      const pim::ScheduleRequest& request = requests[i];
      absl::Time processed = absl::InfinitePast();
      if (request.has_created_time()) {
        processed = pim::internal::FromTimestamp(request.created_time());
      } else if (request.schedule_info().has_start_time()) {
        processed = pim::internal::FromTimestamp(request.schedule_info().start_time());
      } else if (request.action() == pim::ACTION_SELF_ACTIVATE) {
        return absl::InvalidArgumentError(absl::StrCat(
            "requests[", i, "].createdDateTime: missing; expected createdDateTime "
            "or scheduleInfo.startDateTime, because a recorded activation is judged "
            "at the time PIM processed it"));
      }
      processed_at_.push_back(processed);
    }
    return absl::OkStatus();
  }

  absl::Status BuildPim() {
    if (!input_.pim.has_value()) return absl::OkStatus();
    PimInput& input = *input_.pim;
    CompiledPim compiled;
    if (absl::Status s = ProcessingTimes(); !s.ok()) return s;
    compiled.processed_at = processed_at_;

    absl::StatusOr<pim::RolePolicy> policy = pim::RolePolicy::Compile(input.policy);
    if (!policy.ok()) return Prefixed("policy", policy.status());
    absl::StatusOr<std::optional<schedule::IntervalSet>> windows = WorkWindows();
    if (!windows.ok()) return windows.status();
    if (windows->has_value()) {
      compiled.has_work_hours = true;
      compiled.work_hours_from = options_.valid_from;
      compiled.work_hours_until = options_.valid_until;
    }
    absl::StatusOr<pim::ActivationEvaluator> evaluator =
        pim::ActivationEvaluator::Create(*std::move(policy), input.eligibilities,
                                         input.active_instances, input.options,
                                         *std::move(windows));
    if (!evaluator.ok()) return evaluator.status();
    compiled.evaluator.emplace(*std::move(evaluator));

    for (size_t i = 0; i < input.requests.size(); ++i) {
      std::string where = absl::StrCat("requests[", i, "]");
      absl::StatusOr<pim::ActivationRequest> request =
          pim::ActivationRequest::Create(input.requests[i]);
      if (!request.ok()) return Prefixed(where, request.status());
      // An activation is judged by the policy, so the policy must be the
      // one of its role and scope.
      if (request->action == pim::ACTION_SELF_ACTIVATE) {
        const pim::ScheduleRequest& message = input.requests[i];
        absl::Status governs = compiled.evaluator->policy().CheckGoverns(
            request->role_definition_id, request->scope,
            message.directory_scope_id().empty()
                ? absl::StrCat("/app:", message.app_scope_id())
                : message.directory_scope_id());
        if (!governs.ok()) return Prefixed(where, governs);
      }
      compiled.requests.push_back(*std::move(request));
      compiled.request_messages.push_back(input.requests[i]);

      if (!input_.rbac.has_value()) continue;
      rbac::RbacInput grant = *input_.rbac;
      grant.clear_role_assignments();
      *grant.add_role_assignments() = WithEligibilityCondition(
          AssignmentForRequest(input.requests[i], static_cast<int>(i)), compiled.requests.back(),
          *compiled.evaluator, input.eligibilities);
      absl::StatusOr<rbac::Policy> grant_policy = rbac::Policy::Compile(std::move(grant));
      if (!grant_policy.ok()) return Prefixed(where, grant_policy.status());
      compiled.request_grants.push_back(*std::move(grant_policy));
    }
    compiled.content_rank = ContentRanks(input.requests);
    absl::StatusOr<std::vector<CompiledPim::ActivationGroup>> groups =
        ActivationGroups(compiled);
    if (!groups.ok()) return groups.status();
    compiled.activation_groups = *std::move(groups);
    compiled.active_until = ActiveUntil(compiled);
    snapshot_->pim_ = std::move(compiled);
    return absl::OkStatus();
  }

  // Fills CompiledPim::content_rank. Messages without map fields serialize
  // to the same bytes in every run of one binary, so the ranks are stable.
  static std::vector<int> ContentRanks(const std::vector<pim::ScheduleRequest>& requests) {
    std::vector<std::pair<std::string, int>> keyed;
    keyed.reserve(requests.size());
    for (size_t i = 0; i < requests.size(); ++i) {
      keyed.emplace_back(requests[i].SerializeAsString(), static_cast<int>(i));
    }
    std::sort(keyed.begin(), keyed.end());
    std::vector<int> ranks(requests.size(), 0);
    int rank = 0;
    for (size_t k = 0; k < keyed.size(); ++k) {
      if (k > 0 && keyed[k].first != keyed[k - 1].first) ++rank;
      ranks[keyed[k].second] = rank;
    }
    return ranks;
  }

  // Fills CompiledPim::activation_groups. Fails when a principal has
  // self-activation requests in more than kMaxActivationGroupsPerPrincipal
  // groups.
  static absl::StatusOr<std::vector<CompiledPim::ActivationGroup>> ActivationGroups(
      const CompiledPim& pim) {
    // Key: principal, role and scope, separated by a character that none of
    // the normalized forms holds.
    std::map<std::string, std::vector<int>> members;
    for (size_t i = 0; i < pim.requests.size(); ++i) {
      const pim::ActivationRequest& request = pim.requests[i];
      if (request.action != pim::ACTION_SELF_ACTIVATE) continue;
      members[absl::StrCat(request.principal_id, "\n", request.role_definition_id, "\n",
                           request.scope)]
          .push_back(static_cast<int>(i));
    }
    std::vector<CompiledPim::ActivationGroup> groups;
    std::map<std::string, int> per_principal;
    for (const auto& [key, indexes] : members) {
      CompiledPim::ActivationGroup& group = groups.emplace_back();
      group.principal_id = pim.requests[indexes.front()].principal_id;
      if (++per_principal[group.principal_id] > kMaxActivationGroupsPerPrincipal) {
        return absl::InvalidArgumentError(absl::StrCat(
            "requests: principal \"", group.principal_id,
            "\" has selfActivate requests for more than ", kMaxActivationGroupsPerPrincipal,
            " pairs of role and scope; at most ", kMaxActivationGroupsPerPrincipal,
            " are supported"));
      }
      absl::Time latest = absl::InfinitePast();
      for (int i : indexes) latest = std::max(latest, pim.processed_at[i]);
      for (int i : indexes) {
        if (pim.processed_at[i] == latest) group.latest.push_back(i);
      }
    }
    return groups;
  }

  // Fills CompiledPim::active_until.
  static std::vector<absl::Time> ActiveUntil(const CompiledPim& pim) {
    const std::vector<pim::CompiledInstance>& active = pim.evaluator->active_instances();
    std::vector<absl::Time> until;
    until.reserve(active.size());
    for (const pim::CompiledInstance& instance : active) {
      absl::Time end = instance.in_force() ? instance.window.end : instance.window.start;
      for (size_t j = 0; j < pim.requests.size(); ++j) {
        const pim::ActivationRequest& request = pim.requests[j];
        // A deactivation that was denied or failed ends nothing.
        if (request.status == pim::RequestStatus::kNoActivation ||
            !pim::DeactivationEnds(request, instance)) {
          continue;
        }
        // A deactivation recorded before the instance started belongs to an
        // earlier activation. One with no recorded time counts as done.
        absl::Time at = pim.processed_at[j] == absl::InfinitePast() ? instance.window.start
                                                                    : pim.processed_at[j];
        if (at >= instance.window.start) end = std::min(end, at);
      }
      until.push_back(end);
    }
    return until;
  }

  // Compiles the rules of `group` for `direction` into Snapshot::nsgs() and
  // returns their index.
  absl::StatusOr<int> AddNsg(const nsg::NetworkSecurityGroup& group,
                             nsg::Direction direction,
                             const std::vector<internal::TimedRule>& timed) {
    absl::StatusOr<internal::CompiledNsg> compiled = internal::CompiledNsg::Compile(
        group, direction, *snapshot_->resolver_, timed, input_.network.classifier);
    if (!compiled.ok()) return compiled.status();
    snapshot_->nsgs_.push_back(*std::move(compiled));
    return static_cast<int>(snapshot_->nsgs_.size()) - 1;
  }

  absl::Status BuildNetwork() {
    NetworkInput& network = input_.network;
    absl::StatusOr<nsg::AddressResolver> resolver =
        nsg::AddressResolver::Create(network.service_tags, network.addresses);
    if (!resolver.ok()) return Prefixed("network", resolver.status());
    snapshot_->resolver_.emplace(*std::move(resolver));
    snapshot_->jit_policy_ = network.jit_policy;
    snapshot_->jit_options_ = network.jit_options;

    if (network.bastion.has_value()) {
      snapshot_->has_bastion_ = true;
      snapshot_->bastion_host_id_ = network.bastion->host_id;
      snapshot_->bastion_address_ = network.bastion->address;
      if (network.bastion->subnet_nsg.has_value()) {
        const nsg::NetworkSecurityGroup& group = *network.bastion->subnet_nsg;
        absl::StatusOr<int> index = AddNsg(group, nsg::DIRECTION_INBOUND, {});
        if (!index.ok()) return Prefixed("network.bastion.nsg", index.status());
        snapshot_->bastion_nsg_ = *index;
        index = AddNsg(group, nsg::DIRECTION_OUTBOUND, {});
        if (!index.ok()) return Prefixed("network.bastion.nsg", index.status());
        snapshot_->bastion_outbound_nsg_ = *index;
      }
    }

    for (size_t i = 0; i < network.vms.size(); ++i) {
      std::string where = absl::StrCat("network.vms[", i, "]");
      if (absl::Status status = CheckNicNsg(network.vms[i], where); !status.ok()) {
        return status;
      }
      absl::StatusOr<CompiledVm> vm = BuildVm(network.vms[i]);
      if (!vm.ok()) return Prefixed(where, vm.status());
      if (snapshot_->FindVm(vm->vm_id) >= 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ".nic.virtualMachine.id: duplicate value \"", vm->vm_id,
            "\"; expected each VM once"));
      }
      snapshot_->vms_.push_back(*std::move(vm));
    }
    return absl::OkStatus();
  }

  void AddRbacChecks(CompiledVm& vm) {
    rbac::VmAccessTarget target;
    target.vm = vm.vm_id;
    target.nic = vm.nic_id;
    target.bastion = snapshot_->bastion_host_id_;
    target.vnet = vm.virtual_network_id;
    if (snapshot_->jit_policy_.has_value()) target.jit_policy = snapshot_->jit_policy_->id();

    auto add = [](std::vector<RbacCheck>& checks, absl::string_view purpose,
                  const std::vector<rbac::Operation>& operations) {
      for (const rbac::Operation& operation : operations) {
        checks.push_back({std::string(purpose), operation.action, operation.plane,
                          operation.scope});
      }
    };
    add(vm.direct_checks, "read the VM", rbac::ReadVmOperations(target));
    add(vm.bastion_checks, "use the bastion", rbac::BastionConnectOperations(target));
    if (vm.jit_protected && snapshot_->jit_policy_.has_value()) {
      std::vector<rbac::Operation> initiate = rbac::InitiateJitOperations(target);
      add(vm.direct_checks, "initiate JIT access", initiate);
      add(vm.bastion_checks, "initiate JIT access", initiate);
    }
    std::vector<rbac::Operation> login = rbac::EntraLoginOperations(target, false);
    std::vector<rbac::Operation> admin = rbac::EntraLoginOperations(target, true);
    vm.user_login = {"sign in with Microsoft Entra ID", login[0].action, login[0].plane,
                     login[0].scope};
    vm.admin_login = {"sign in as administrator with Microsoft Entra ID",
                      admin[0].action, admin[0].plane, admin[0].scope};
  }

  // Lists the distinct operations of the VM's checks and compiles which of
  // them each principal is granted.
  absl::Status CompileRbacOperations(CompiledVm& vm) {
    auto index_of = [&vm](const RbacCheck& check) {
      for (size_t k = 0; k < vm.rbac_operations.size(); ++k) {
        const rbac::Operation& operation = vm.rbac_operations[k];
        if (operation.action == check.action && operation.plane == check.plane &&
            operation.scope == check.scope) {
          return static_cast<int>(k);
        }
      }
      vm.rbac_operations.push_back({check.action, check.plane, check.scope});
      return static_cast<int>(vm.rbac_operations.size()) - 1;
    };
    for (const RbacCheck& check : vm.bastion_checks) {
      vm.bastion_operations.push_back(index_of(check));
    }
    for (const RbacCheck& check : vm.direct_checks) {
      vm.direct_operations.push_back(index_of(check));
    }
    vm.user_login_operation = index_of(vm.user_login);
    vm.admin_login_operation = index_of(vm.admin_login);
    if (!rbac_input_.has_value()) return absl::OkStatus();

    absl::StatusOr<internal::RbacMasks> masks =
        internal::RbacMasks::Compile(*rbac_input_, vm.rbac_operations);
    if (!masks.ok()) return masks.status();
    vm.rbac_masks = *std::move(masks);
    if (snapshot_->pim_.has_value()) {
      const CompiledPim& pim = *snapshot_->pim_;
      for (size_t r = 0; r < pim.request_grants.size(); ++r) {
        vm.request_masks.push_back(internal::RbacMasks::CheckEach(
            pim.request_grants[r], pim.request_messages[r].principal_id(),
            vm.rbac_operations, absl::UnixEpoch()));
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<CompiledVm> BuildVm(const VmInput& input) {
    CompiledVm vm;
    vm.vm_id = input.nic.virtual_machine_id();
    vm.nic_id = input.nic.id();
    vm.virtual_network_id = VirtualNetworkOf(input.nic.subnet_id());
    vm.pim_scope = pim::internal::NormalizeScope(vm.vm_id);
    if (vm.vm_id.empty()) {
      return absl::InvalidArgumentError(
          "nic.virtualMachine.id: missing; expected the id of the VM the NIC "
          "belongs to");
    }
    if (input.nic.private_ip_addresses().empty()) {
      return absl::InvalidArgumentError(
          "nic.ipConfigurations: missing; expected a private address");
    }
    absl::StatusOr<net::IpAddress> address =
        ParseNicAddress(input.nic.private_ip_addresses(0));
    if (!address.ok()) return Prefixed("nic.privateIPAddress", address.status());
    vm.private_address = *address;

    const std::optional<jit::JitPolicy>& policy = snapshot_->jit_policy_;
    const jit::JitPolicyVirtualMachine* protected_vm =
        policy.has_value() ? jit::FindVirtualMachine(*policy, vm.vm_id) : nullptr;
    std::optional<nsg::NetworkSecurityGroup> subnet_nsg = input.subnet_nsg;
    std::optional<nsg::NetworkSecurityGroup> nic_nsg = input.nic_nsg;
    std::vector<internal::TimedRule> subnet_timed;
    std::vector<internal::TimedRule> nic_timed;

    if (protected_vm != nullptr) {
      bool on_nic = !input.nic.network_security_group_id().empty();
      std::optional<nsg::NetworkSecurityGroup>& holder = on_nic ? nic_nsg : subnet_nsg;
      if (!holder.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(
            on_nic ? "nicNsg" : "subnetNsg",
            ": missing; expected the NSG that receives the VM's JIT rules"));
      }
      absl::StatusOr<jit::VmTarget> target = jit::TargetForNic(input.nic, *holder);
      if (!target.ok()) return Prefixed("jit", target.status());
      absl::StatusOr<std::vector<jit::Grant>> grants = jit::GrantsFromHistory(
          *policy, *holder, *target, snapshot_->jit_options_);
      if (!grants.ok()) return Prefixed("jit", grants.status());
      absl::StatusOr<nsg::NetworkSecurityGroup> with_deny = jit::WithJitRules(
          *holder, *policy, *target, {}, absl::InfinitePast(), snapshot_->jit_options_);
      if (!with_deny.ok()) return Prefixed("jit", with_deny.status());
      *holder = *std::move(with_deny);

      vm.jit_protected = true;
      vm.jit_target = *target;
      for (const jit::JitPolicyPort& port : protected_vm->ports()) {
        vm.jit_ports.push_back({port.number(), port.protocol()});
      }
      absl::StatusOr<std::vector<CompiledGrant>> compiled = CompileGrants(*grants);
      if (!compiled.ok()) return Prefixed("jit", compiled.status());
      vm.compiled_grants = *std::move(compiled);
      // A grant with rejections puts no rule on the NSG.
      std::vector<internal::TimedRule>& timed = on_nic ? nic_timed : subnet_timed;
      for (size_t g = 0; g < grants->size(); ++g) {
        if (vm.compiled_grants[g].ignored) continue;
        timed.push_back({(*grants)[g].rule,
                         {(*grants)[g].window.start, vm.compiled_grants[g].effective_end}});
      }
      vm.grants = *std::move(grants);
    }

    if (subnet_nsg.has_value()) {
      absl::StatusOr<int> index = AddNsg(*subnet_nsg, nsg::DIRECTION_INBOUND, subnet_timed);
      if (!index.ok()) return Prefixed("subnetNsg", index.status());
      vm.subnet_nsg = *index;
    }
    if (nic_nsg.has_value()) {
      absl::StatusOr<int> index = AddNsg(*nic_nsg, nsg::DIRECTION_INBOUND, nic_timed);
      if (!index.ok()) return Prefixed("nicNsg", index.status());
      vm.nic_nsg = *index;
    }
    if (vm.jit_protected) {
      vm.jit_nsg = input.nic.network_security_group_id().empty() ? vm.subnet_nsg
                                                                 : vm.nic_nsg;
    }
    AddRbacChecks(vm);
    if (absl::Status status = CompileRbacOperations(vm); !status.ok()) {
      return Prefixed("rbac", status);
    }
    return vm;
  }

  absl::StatusOr<std::vector<CompiledGrant>> CompileGrants(
      const std::vector<jit::Grant>& grants) {
    std::vector<absl::Time> ends = jit::EffectiveEnds(grants);
    std::vector<CompiledGrant> compiled;
    for (size_t i = 0; i < grants.size(); ++i) {
      CompiledGrant grant;
      grant.port = grants[i].port;
      grant.protocol = grants[i].protocol;
      grant.window = grants[i].window;
      grant.effective_end = ends[i];
      grant.ignored = !grants[i].rejections.empty();
      if (grants[i].source == "*") {
        grant.any_source = true;
      } else if (grant.ignored && grants[i].source.empty()) {
        // A revoked port recorded without a source: it matches no source.
      } else {
        absl::StatusOr<net::IpPrefix> source = net::IpPrefix::ParseStrict(grants[i].source);
        if (!source.ok()) {
          return Prefixed(absl::StrCat("grants[", i, "].source"), source.status());
        }
        // As the JIT rule's NSG source is read, and as Decide() reads the
        // attempt's source: an IPv4-mapped prefix is IPv4.
        grant.source = net::UnmapPrefix(*source);
      }
      compiled.push_back(grant);
    }
    return compiled;
  }

  SnapshotInput input_;
  // Filled by ProcessingTimes(), parallel to the PIM requests.
  std::vector<absl::Time> processed_at_;
  BuildOptions options_;
  std::unique_ptr<Snapshot> snapshot_;
  // The RBAC input with the active PIM instances, when there is one.
  std::optional<rbac::RbacInput> rbac_input_;
};

absl::StatusOr<std::shared_ptr<const Snapshot>> Snapshot::Build(
    SnapshotInput input, const BuildOptions& options) {
  return SnapshotBuilder(std::move(input), options).Build();
}

int Snapshot::FindVm(absl::string_view vm_id) const {
  // Trailing slashes do not change a resource id, as in the JIT layer.
  auto trimmed = [](absl::string_view id) {
    while (absl::ConsumeSuffix(&id, "/")) {
    }
    return id;
  };
  for (size_t i = 0; i < vms_.size(); ++i) {
    if (absl::EqualsIgnoreCase(trimmed(vms_[i].vm_id), trimmed(vm_id))) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace portcullis::decide
