// The compiled state of every layer of the decision chain, built once and
// published as a whole.
//
// A gateway that decides connections needs Conditional Access policies, the
// PIM state of the role that grants access, RBAC role and deny assignments,
// the JIT policy with its grants and the NSGs on the path, all as of one
// moment. Snapshot::Build() compiles them together into one immutable
// object, so a reader never reads one part new and another old. The holder in
// holder.h swaps whole snapshots atomically.
//
//   SnapshotInput input;                    // typed messages, see below
//   input.conditional_access = ...;         // or LoadScenario() (scenario.h)
//   BuildOptions options;
//   options.valid_from = now - absl::Hours(24);
//   options.valid_until = now + absl::Hours(24 * 7);
//   absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
//       Snapshot::Build(std::move(input), options);
//   Decision decision = Decide(**snapshot, attempt, now);   // decide.h
//
// What Build() compiles:
//   - Conditional Access: the policy set with its named locations
//     (access/conditional_access.h), work-hour conditions expanded over the
//     validity range.
//   - PIM: an ActivationEvaluator for the role's policy, eligibilities,
//     active instances and work hours (expanded over the validity range and
//     a week past it, so the next opening is known, and back to the
//     processing time of the requests on record, at most a year), and the
//     requests on record with their processing times. Active instances become time-bound role
//     assignments of the RBAC policy; each activation request also gets an
//     RBAC policy holding the assignment that it gives once granted, so an
//     activation granted at `now` grants its role to the RBAC layer without
//     a rebuild.
//   - RBAC: the compiled policy (access/rbac.h), and per VM the operations
//     a connection needs, as access/rbac_operations.h lists them: reading
//     the VM and its network interface, through Azure Bastion also the
//     bastion host and virtual network operations, initiating JIT access on
//     the JIT policy resource when the policy protects the VM, and the
//     Entra ID sign-in data actions. For each principal the snapshot stores
//     which of those operations its assignments grant
//     (internal/rbac_masks.h).
//   - JIT: the grants of the JIT policy's request history
//     (jit::GrantsFromHistory) with their effective windows: a newer grant
//     for the same VM and port ends an older one at its start.
//   - NSG: the inbound rules of the bastion subnet's NSG and of each VM's
//     subnet and network interface NSGs, and the outbound rules of the
//     bastion subnet's NSG, compiled into classifiers
//     (internal/compiled_nsg.h); the NSG that receives the VM's JIT rules
//     gets the policy's deny rule in its base and the grants without
//     rejections as time-bound overlays.
//
// Thread safety: a Snapshot is immutable after Build() and safe to share
// between any number of threads.
#ifndef PORTCULLIS_DECIDE_SNAPSHOT_H_
#define PORTCULLIS_DECIDE_SNAPSHOT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "access/conditional_access.h"
#include "access/rbac.h"
#include "access/rbac_operations.h"
#include "decide/internal/compiled_nsg.h"
#include "decide/internal/rbac_masks.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "nsg/classifier.h"
#include "nsg/jit.h"
#include "nsg/service_tags.h"
#include "pim/activation.h"
#include "proto/ca.pb.h"
#include "proto/jit.pb.h"
#include "proto/nsg.pb.h"
#include "proto/pim.pb.h"
#include "proto/rbac.pb.h"
#include "schedule/interval.h"
#include "schedule/work_hours.h"

namespace portcullis::decide {

// The inputs of each layer, as the importers of each package produce them.

struct ConditionalAccessInput {
  std::vector<ca::Policy> policies;
  std::vector<ca::NamedLocation> named_locations;
  // Build() sets the schedule range to the snapshot's validity range.
  access::CompileOptions options;
  // kLenient, the default, counts a condition whose fact the sign-in does
  // not supply as satisfied: the fail-closed choice for enforcement.
  access::EvaluationMode mode = access::EvaluationMode::kLenient;
};

// The PIM state of the role that gives access.
struct PimInput {
  pim::RoleManagementPolicy policy;
  std::vector<pim::ScheduleInstance> eligibilities;
  // Active assignment schedule instances: assignments activated earlier
  // and direct active assignments.
  std::vector<pim::ScheduleInstance> active_instances;
  // Requests on record (roleAssignmentScheduleRequests), in any order: the
  // order of events comes from each request's processing time
  // (createdDateTime, else its start), never from its place in the list.
  // When the user has no active instance, the user's latest selfActivate
  // request by that time for each role and scope is judged at it, which
  // fixes its window. A selfDeactivate or adminRemove of the same role and
  // scope processed at or after that time ends it. Each selfActivate
  // request needs a createdDateTime or a start.
  std::vector<pim::ScheduleRequest> requests;
  // When set, activations may start only inside these work hours.
  std::optional<schedule::WorkHours> work_hours;
  pim::ActivationOptions options;
};

struct BastionInput {
  // The bastion host's resource id, the scope of `bastionHosts/read`.
  std::string host_id;
  // The address the bastion uses to reach VMs, inside AzureBastionSubnet.
  net::IpAddress address;
  // The NSG of AzureBastionSubnet.
  std::optional<nsg::NetworkSecurityGroup> subnet_nsg;
};

struct VmInput {
  // The VM's network interface: VM id, private address, NSG id, subnet id.
  jit::NetworkInterface nic;
  // The NSG of the NIC's subnet. Build() cannot check that it is the
  // subnet's, because the NIC names only the subnet.
  std::optional<nsg::NetworkSecurityGroup> subnet_nsg;
  // The NSG that the NIC names (its network_security_group_id). Build()
  // rejects a missing one, another NSG, and one for a NIC that names none.
  std::optional<nsg::NetworkSecurityGroup> nic_nsg;
};

struct NetworkInput {
  nsg::ServiceTags service_tags;
  // The value of VirtualNetwork and of application security groups.
  nsg::AddressContext addresses;
  std::optional<BastionInput> bastion;
  std::vector<VmInput> vms;
  // The JIT policy protecting the VMs, with its request history.
  std::optional<jit::JitPolicy> jit_policy;
  jit::JitOptions jit_options;
  nsg::ClassifierOptions classifier;
};

struct SnapshotInput {
  // Identity layers: every signed-in attempt needs all three.
  std::optional<ConditionalAccessInput> conditional_access;
  std::optional<PimInput> pim;
  std::optional<rbac::RbacInput> rbac;
  NetworkInput network;
};

struct BuildOptions {
  // The instants the snapshot decides for: work-hour schedules are expanded
  // over [valid_from, valid_until), and both must be finite when the input
  // has work hours. Outside the range, decisions that need work hours fail
  // (and so deny); rebuild the snapshot before the range runs out.
  absl::Time valid_from = absl::InfinitePast();
  absl::Time valid_until = absl::InfiniteFuture();
};

// Compiled parts. Read-only views for Decide(), explanations and tests.

struct CompiledConditionalAccess {
  access::ConditionalAccessPolicySet policies;
  access::EvaluationMode mode = access::EvaluationMode::kLenient;
};

// At most this many groups of self-activation requests (role and scope
// pairs) per principal; Snapshot::Build() rejects more. A Decision stores the
// activations granted at `now` in a fixed array of this size.
inline constexpr int kMaxActivationGroupsPerPrincipal = 16;

struct CompiledPim {
  std::optional<pim::ActivationEvaluator> evaluator;
  // Parallel to PimInput::requests.
  std::vector<pim::ScheduleRequest> request_messages;
  std::vector<pim::ActivationRequest> requests;
  // Per request: when PIM processed it, the time Decide() judges it at. It
  // is the createdDateTime, else the start, else absl::InfinitePast() (for
  // a deactivation, which then counts as done before any `now`).
  std::vector<absl::Time> processed_at;
  // Per request: its place when the requests are sorted by their serialized
  // messages. Among requests processed at the same instant that lead to
  // the same outcome, Decide() prefers the higher rank, so the choice does
  // not depend on the order of PimInput::requests. Identical messages share
  // a rank.
  std::vector<int> content_rank;
  // The self-activation requests grouped by principal, role and scope. PIM
  // keeps one activation per principal, role and scope, so a request
  // replaces or ends only the activations of its own group, and a user may
  // hold activations of several groups at once. Groups are sorted by their
  // key, so their order does not depend on the order of PimInput::requests.
  struct ActivationGroup {
    // Normalized, as in pim::ActivationRequest.
    std::string principal_id;
    // Indexes into `requests` of the group's requests processed at its
    // latest processing time, in increasing order.
    std::vector<int> latest;
  };
  std::vector<ActivationGroup> activation_groups;
  // Per request: the RBAC policy whose only assignment is the role that the
  // activation gives (principal, role, scope), with the deny assignments,
  // role definitions and management groups of the RBAC input.
  std::vector<rbac::Policy> request_grants;
  // Parallel to the evaluator's active_instances(): when each stops giving
  // its role. That is its end, or the processing time of the first recorded
  // selfDeactivate or adminRemove request that ends it, taken from those
  // processed at or after its start (one with no recorded time counts as
  // processed at its start). An instance that is not in force (a revoked or
  // pending status) gives nothing: its entry is its start.
  std::vector<absl::Time> active_until;
  // Work hours are known on [work_hours_from, work_hours_until).
  bool has_work_hours = false;
  absl::Time work_hours_from = absl::InfinitePast();
  absl::Time work_hours_until = absl::InfiniteFuture();
};

// One RBAC question that a connection needs answered.
struct RbacCheck {
  // The step the check belongs to, such as "read the VM".
  std::string purpose;
  std::string action;
  rbac::Plane plane = rbac::Plane::kControl;
  std::string scope;
};

// A JIT grant ready for lookups.
struct CompiledGrant {
  uint32_t port = 0;
  jit::JitProtocol protocol = jit::JIT_PROTOCOL_ANY;
  // True for the source `*`.
  bool any_source = false;
  net::IpPrefix source;
  // The grant's own window, and the end of its effective window: its own
  // end, or the start of the first newer grant for the same port.
  schedule::Window window;
  absl::Time effective_end = absl::InfiniteFuture();
  // True when the recorded grant has rejections (jit::GrantsFromHistory):
  // it opens nothing, but still ends older grants for the same port.
  bool ignored = false;
};

struct CompiledJitPort {
  uint32_t number = 0;
  jit::JitProtocol protocol = jit::JIT_PROTOCOL_ANY;
};

struct CompiledVm {
  std::string vm_id;
  std::string nic_id;
  std::string virtual_network_id;
  // The VM id in the comparison form of PIM scopes (pim/internal/ids.h). An
  // active PIM instance counts for the VM only at a scope that covers it.
  std::string pim_scope;
  net::IpAddress private_address;
  // Indexes into Snapshot::nsgs(), or -1 when the VM has none there.
  int subnet_nsg = -1;
  int nic_nsg = -1;

  // RBAC checks for connections through the bastion and direct ones, and
  // the data actions of signing in with Microsoft Entra ID.
  std::vector<RbacCheck> bastion_checks;
  std::vector<RbacCheck> direct_checks;
  RbacCheck user_login;
  RbacCheck admin_login;
  // The distinct operations of those checks, and for each check the index
  // of its operation there.
  std::vector<rbac::Operation> rbac_operations;
  std::vector<int> bastion_operations;
  std::vector<int> direct_operations;
  int user_login_operation = -1;
  int admin_login_operation = -1;
  // The operations each principal is granted (set with an RBAC input),
  // and the operations each PIM activation request grants once granted.
  std::optional<internal::RbacMasks> rbac_masks;
  std::vector<uint32_t> request_masks;

  // JIT: whether the policy covers the VM, and its ports and grants.
  bool jit_protected = false;
  jit::VmTarget jit_target;
  std::vector<CompiledJitPort> jit_ports;
  std::vector<jit::Grant> grants;
  std::vector<CompiledGrant> compiled_grants;
  // The NSG (an index into Snapshot::nsgs()) holding the JIT rules.
  int jit_nsg = -1;
};

class Snapshot {
 public:
  // Compiles `input`. Fails with the first error of any layer, prefixed by
  // the layer (`pim: ...`, `network.vms[0]: ...`): a part that does not
  // compile is never left out, because a missing layer would change
  // decisions.
  static absl::StatusOr<std::shared_ptr<const Snapshot>> Build(
      SnapshotInput input, const BuildOptions& options = {});

  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // A number that no other snapshot built by this process has; decisions
  // record it so that explanations can check they read the right snapshot.
  uint64_t id() const { return id_; }
  const BuildOptions& options() const { return options_; }

  const std::optional<CompiledConditionalAccess>& conditional_access() const {
    return conditional_access_;
  }
  const std::optional<CompiledPim>& pim() const { return pim_; }
  const std::optional<rbac::Policy>& rbac() const { return rbac_; }

  // The bastion, when the input has one.
  bool has_bastion() const { return has_bastion_; }
  const std::string& bastion_host_id() const { return bastion_host_id_; }
  const net::IpAddress& bastion_address() const { return bastion_address_; }
  // The inbound and the outbound rules of AzureBastionSubnet's NSG: indexes
  // into nsgs(), or -1 when the bastion has no NSG.
  int bastion_nsg() const { return bastion_nsg_; }
  int bastion_outbound_nsg() const { return bastion_outbound_nsg_; }

  const std::vector<CompiledVm>& vms() const { return vms_; }
  // The VM whose id is `vm_id` (without regard to case), or -1.
  int FindVm(absl::string_view vm_id) const;

  const std::vector<internal::CompiledNsg>& nsgs() const { return nsgs_; }
  const std::optional<jit::JitPolicy>& jit_policy() const { return jit_policy_; }
  const nsg::AddressResolver& address_resolver() const { return *resolver_; }
  const jit::JitOptions& jit_options() const { return jit_options_; }

 private:
  Snapshot() = default;

  friend class SnapshotBuilder;

  uint64_t id_ = 0;
  BuildOptions options_;
  std::optional<CompiledConditionalAccess> conditional_access_;
  std::optional<CompiledPim> pim_;
  std::optional<rbac::Policy> rbac_;
  bool has_bastion_ = false;
  std::string bastion_host_id_;
  net::IpAddress bastion_address_;
  int bastion_nsg_ = -1;
  int bastion_outbound_nsg_ = -1;
  std::vector<CompiledVm> vms_;
  std::vector<internal::CompiledNsg> nsgs_;
  std::optional<jit::JitPolicy> jit_policy_;
  std::optional<nsg::AddressResolver> resolver_;
  jit::JitOptions jit_options_;
};

}  // namespace portcullis::decide

#endif  // PORTCULLIS_DECIDE_SNAPSHOT_H_
