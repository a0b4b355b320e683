// One decision per connection: the reference architecture's layers run in
// order over a compiled snapshot.
//
//   Attempt attempt;
//   attempt.sign_in = &sign_in;          // nullptr for a raw network flow
//   attempt.vm_id = vm_id;               // the target VM's resource id
//   attempt.port = 22;
//   attempt.source = client_address;     // as the NSG sees it
//   attempt.via_bastion = true;
//   Decision decision = Decide(*snapshot, attempt, now);
//   if (decision.verdict == Verdict::kAllow) ...
//   std::vector<LayerReport> why = Explain(*snapshot, attempt, decision);
//
// The layers, in the order they run:
//
//   conditionalAccess  the sign-in against the Conditional Access policies:
//                      a block or unmet grant controls (MFA, a compliant
//                      device, ...) deny, naming the policy and the controls.
//                      Location conditions and the NSGs judge one address:
//                      a sign-in without an IP address is judged from the
//                      attempt's source, and a sign-in whose address differs
//                      from the source (IPv4-mapped forms count as their
//                      IPv4 address) is denied without evaluating the
//                      policies. The layer judges a sign-in to Azure
//                      management (kAzureManagementAppId), which Bastion
//                      sessions and JIT requests need: a sign-in without a
//                      target is judged as one, and a sign-in for another
//                      application, a user action or an authentication
//                      context is denied without evaluating the policies.
//                      In strict mode a policy skipped for missing facts
//                      that would block or require an unmet control denies
//                      (CaDetail::missing_facts), so missing facts never
//                      lead to an allow in either mode.
//   pim                the user's role through PIM: an active assignment
//                      instance at `now` allows when the user is eligible
//                      for its role and its scope is the VM or an
//                      ancestor of it; otherwise the user's
//                      activation requests on record decide. PIM keeps one
//                      activation per role and scope, so the requests are
//                      grouped by role and scope. In each group the latest
//                      request (by processing time, not by its place in the
//                      list) decides, and the layer takes the least
//                      restrictive group. PIM's judgement of a request at
//                      the time PIM processed it fixes its window: allow while the
//                      window contains `now`, deny before its start and
//                      after its end or a later deactivation of the role;
//                      awaiting approval: pending until the approval
//                      deadline, then deny; refused: deny with PIM's reason
//                      codes, and the next work-window opening when outside
//                      work hours. An eligible user without either is
//                      denied. A user with no PIM eligibility and no
//                      request is left to the rbac layer.
//   rbac               every RBAC operation the connection needs (reading
//                      the VM and its NIC; through the bastion also the
//                      bastion host and VNet operations; initiating JIT
//                      access when the VM is JIT-protected; signing in with
//                      Entra ID when asked), with the roles that the granted
//                      activations give. Precomputed masks answer unless a
//                      deny assignment may block one of the operations.
//   jit                for a port the JIT policy manages: an active grant
//                      covering the source (the bastion's address through
//                      the bastion). A grant not yet started, expired or
//                      superseded denies, saying when.
//   nsg                the classifier's verdict for the flow to the VM
//                      (the VM subnet's NSG, then the NIC's, JIT rules
//                      included). Through the bastion also for the user's
//                      HTTPS flow to the bastion (the inbound rules of
//                      AzureBastionSubnet's NSG) and for the bastion's
//                      session to the VM as it leaves AzureBastionSubnet
//                      (that NSG's outbound rules). The session is the flow
//                      to the VM: from the bastion's address, with the
//                      attempt's source port.
//
// An attempt without a signed-in user (a raw flow, such as a scan from the
// Internet) skips the three identity layers (kNotApplicable) and is decided
// by the network layers alone, as Azure decides it. The exception is a raw
// flow through the bastion: Azure Bastion opens sessions only for signed-in
// users, so the conditionalAccess layer denies it.
//
// The verdict comes from the first layer, in the order above, whose outcome
// is neither allow nor not-applicable: deny or an error gives kDeny with
// `denied_by` set to that layer, and pending gives kPending unless a later
// layer fails with an error, which denies. Every layer is evaluated whatever
// the earlier ones said, so the decision explains each of them. Layers after
// a pending PIM layer see the user without the pending role.
//
// Fail-closed: an error (a layer the snapshot lacks for a signed-in user, a
// VM the snapshot does not know, an instant outside the range the work hours
// were expanded for or not finite at all, a flow the classifier cannot take)
// is a layer outcome kError that denies, with an ErrorCode saying why. No
// error becomes an allow.
//
// Decide() is thread-safe (the snapshot is immutable) and allocates nothing:
// a Decision holds enums, indexes into the snapshot and times, and only
// Explain() (explain.h) turns them into text.
#ifndef PORTCULLIS_DECIDE_DECIDE_H_
#define PORTCULLIS_DECIDE_DECIDE_H_

#include <array>
#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "access/ca_controls.h"
#include "access/ca_sign_in.h"
#include "access/conditional_access.h"
#include "access/rbac.h"
#include "decide/snapshot.h"
#include "net/ip_address.h"
#include "nsg/rule_table.h"
#include "pim/decision.h"
#include "proto/nsg.pb.h"

namespace portcullis::decide {

enum class Layer : uint8_t { kConditionalAccess, kPim, kRbac, kJit, kNsg };

inline constexpr int kLayerCount = 5;

// "conditionalAccess", "pim", "rbac", "jit" or "nsg".
absl::string_view LayerName(Layer layer);

enum class Verdict : uint8_t { kAllow, kDeny, kPending };

// "allow", "deny" or "pending".
absl::string_view VerdictName(Verdict verdict);

enum class LayerOutcome : uint8_t {
  kAllow,
  kDeny,
  kPending,
  // The layer has nothing to say about this attempt: an identity layer for
  // a raw flow, PIM for a user PIM does not govern, JIT for a port no JIT
  // policy manages.
  kNotApplicable,
  // The layer could not decide; the decision denies.
  kError,
};

// "allow", "deny", "pending", "notApplicable" or "error".
absl::string_view LayerOutcomeName(LayerOutcome outcome);

enum class ErrorCode : uint8_t {
  kNone,
  // A signed-in attempt, but the snapshot was built without this layer.
  kLayerNotConfigured,
  // The sign-in names no user.
  kNoUser,
  // `now` lies outside the range the snapshot's work hours were expanded for.
  kOutsideValidity,
  // The attempt names a VM the snapshot does not know.
  kUnknownVm,
  // Through the bastion, but the snapshot has no bastion.
  kNoBastion,
  // No NSG on the flow's path, which Azure's IP flow verify refuses too.
  kNoNsg,
  // A protocol other than TCP or UDP.
  kUnsupportedProtocol,
  // The flow's source and destination are of different address families.
  kAddressFamilyMismatch,
  // Decided through a holder that has no snapshot published.
  kNoSnapshot,
  // `now` is absl::InfiniteFuture() or absl::InfinitePast(), at which no
  // schedule, activation window or grant can be judged. Every layer fails.
  kNonFiniteTime,
  // Conditional Access evaluation failed, such as a policy's work-hour
  // schedule that could not be expanded around `now`.
  kEvaluationFailed,
};

// A sentence such as "the snapshot has no PIM input".
absl::string_view ErrorMessage(ErrorCode code);

enum class VmLogin : uint8_t { kNone, kUser, kAdministrator };

// A connection attempt. The views must outlive the Decide() call.
struct Attempt {
  // The signed-in user's sign-in (with directory facts and satisfied
  // controls), or nullptr for a raw flow with no user behind it.
  const access::SignIn* sign_in = nullptr;
  // The target VM's resource id.
  absl::string_view vm_id;
  uint16_t port = 0;
  // PROTOCOL_TCP or PROTOCOL_UDP.
  nsg::Protocol protocol = nsg::PROTOCOL_TCP;
  // The address the NSGs see the connection come from: the client's address
  // (which reaches the bastion through the bastion), or the raw flow's
  // source. It must be the sign-in's IP address when the sign-in has one;
  // otherwise the conditionalAccess layer denies.
  net::IpAddress source;
  uint16_t source_port = 50000;
  // True when the user connects through Azure Bastion: the bastion reaches
  // the VM from its own address, and the client reaches the bastion on 443.
  bool via_bastion = false;
  // Signing in to the VM with Microsoft Entra ID adds its data action to the
  // RBAC checks.
  VmLogin login = VmLogin::kNone;
};

// Conditional Access: the hot-path decision and, for the deciding policy,
// which of its grant controls are unmet.
// The application id of the Windows Azure Service Management API, the
// application that the Azure portal, Azure PowerShell and the Azure CLI sign
// in to for Azure Resource Manager.
// NOTE: the Entra ID sign-in to the VM itself (VmLogin) goes to the VM
// sign-in application, which the conditionalAccess layer does not evaluate.
inline constexpr char kAzureManagementAppId[] = "797f4846-ba00-4fd7-ba43-dac1f8f63013";

struct CaDetail {
  // The source of the address that location conditions judged.
  enum class Address : uint8_t {
    // The sign-in's own IP address, which equals the attempt's source.
    kSignIn,
    // The sign-in has none, so the attempt's source stood in for it.
    kSource,
    // The sign-in's address differs from the attempt's source. The layer
    // denies without evaluating the policies: `decision` is a block with no
    // deciding policy.
    kConflict,
  };
  Address address = Address::kSignIn;
  // The target of the judged sign-in. A Bastion session and a JIT request both
  // go through Azure Resource Manager, so the layer judges a sign-in to the
  // Windows Azure Service Management API (kAzureManagementAppId).
  enum class Target : uint8_t {
    // The sign-in names that application among its applications.
    kSignIn,
    // The sign-in names no target, so the layer judges it as a sign-in to
    // that application.
    kFilled,
    // The sign-in is for other applications, a user action or an
    // authentication context. The layer denies without evaluating the
    // policies: `decision` is a block with no deciding policy.
    kOther,
  };
  Target target = Target::kSignIn;
  // Strict mode only: true when the strict reading allows, but a policy that
  // strict mode skipped for missing facts (notEnoughInformation) would block
  // or require a control the sign-in lacks if it applied. The layer then
  // denies, and `decision` is the lenient reading's, whose deciding policy
  // is such a skipped policy.
  bool missing_facts = false;
  access::ConditionalAccessPolicySet::Decision decision;
  access::GrantResult grant;
};

struct PimDetail {
  enum class Basis : uint8_t {
    kNone,
    // An active assignment instance whose window contains `now`, of a role
    // the user is eligible for, at the VM's scope or an ancestor of it.
    kActiveInstance,
    // The user's activation requests, judged at `now`: in each group of
    // one role and scope the request PIM processed last, and of the groups
    // the one with the least restrictive outcome (see `request`).
    kRequest,
    // Eligible, but neither activated nor requested.
    kEligibleOnly,
  };
  Basis basis = Basis::kNone;
  // Index into the evaluator's active_instances() or eligibilities().
  int instance = -1;
  // Index into CompiledPim::requests: the request explained. Of the
  // groups' deciding requests, the one whose outcome is least restrictive
  // (allow, then pending, then deny), then the one processed last, then
  // the highest content rank.
  int request = -1;
  // Indexes into CompiledPim::requests of every group's deciding request
  // that allows at `now`, in the order of CompiledPim::activation_groups:
  // the roles the rbac layer counts. They are listed whichever basis
  // decides, and `request` is one of them when a request makes the layer
  // allow.
  std::array<int, kMaxActivationGroupsPerPrincipal> granted{};
  int granted_count = 0;
  // PIM's judgement of the request at its processing time
  // (CompiledPim::processed_at), which fixes its window.
  pim::ActivationDecision activation;
  // Index into CompiledPim::requests of a selfDeactivate or adminRemove
  // request that ended the activation: processed at or after it and by
  // `now`, or with no recorded time. -1 when none did.
  int deactivation = -1;
};

// At most this many RBAC checks per attempt.
inline constexpr int kMaxRbacChecks = 24;

struct RbacCheckResult {
  // The check: an index into the VM's bastion_checks or direct_checks, or
  // kUserLoginCheck / kAdminLoginCheck.
  int check = -1;
  bool allowed = false;
  // True when only a role that one of the PIM layer's granted activations
  // gives allows it.
  bool through_activation = false;
  // When through_activation: the index into CompiledPim::requests of that
  // activation, the first of PimDetail::granted that allows it.
  int activation = -1;
};

inline constexpr int kUserLoginCheck = -2;
inline constexpr int kAdminLoginCheck = -3;

struct RbacDetail {
  std::array<RbacCheckResult, kMaxRbacChecks> checks{};
  int check_count = 0;
  // The first check that was not allowed, or -1.
  int failed = -1;
  // True when the checks ran through rbac::Policy::Check() because a deny
  // assignment may block one of them; false when the precomputed masks of
  // internal/rbac_masks.h decided them.
  bool checked_each = false;
};

struct JitDetail {
  enum class State : uint8_t {
    kNotApplicable,
    // The VM is not protected by the JIT policy, or the port is not one of
    // its ports.
    kPortNotManaged,
    kActive,
    // No grant for this port ever covered the source.
    kNoGrant,
    // Grants exist for the port, but none covers the source.
    kSourceNotGranted,
    kNotStarted,
    kExpired,
    // A newer request for the same port ended the grant early.
    kSuperseded,
    // A recorded grant covering the source would be in force now, but it
    // has rejections (jit::GrantsFromHistory), so it opens nothing.
    kIgnored,
  };
  State state = State::kNotApplicable;
  // The source checked: the bastion's address or the attempt's source.
  net::IpAddress source;
  // Index into the VM's grants, when one is relevant.
  int grant = -1;
  // When the grant ends (kActive, kIgnored), starts (kNotStarted) or ended
  // (kExpired, kSuperseded).
  absl::Time at = absl::InfiniteFuture();
};

// One NSG's verdict on one flow.
struct NsgStage {
  // Index into Snapshot::nsgs().
  int nsg = -1;
  internal::NsgMatch match;
};

struct NsgFlow {
  bool evaluated = false;
  bool allowed = false;
  nsg::FlowV4 v4;
  nsg::FlowV6 v6;
  bool is_v6 = false;
  std::array<NsgStage, 2> stages{};
  int stage_count = 0;
};

struct NsgDetail {
  // The client's HTTPS flow to the bastion (through the bastion only).
  NsgFlow to_bastion;
  // Through the bastion only: the bastion's session to the VM, the same
  // 5-tuple as `to_vm`, judged by the outbound rules of AzureBastionSubnet's
  // NSG as it leaves the subnet.
  NsgFlow from_bastion;
  // The flow that reaches the VM: from the bastion, or from the source.
  NsgFlow to_vm;
};

struct LayerResult {
  LayerOutcome outcome = LayerOutcome::kNotApplicable;
  ErrorCode error = ErrorCode::kNone;
};

struct Decision {
  Verdict verdict = Verdict::kDeny;
  // Set when the verdict is kDeny.
  bool has_denied_by = false;
  Layer denied_by = Layer::kConditionalAccess;
  std::array<LayerResult, kLayerCount> layers{};
  // The snapshot decided against (Snapshot::id()), 0 when there was none.
  uint64_t snapshot_id = 0;
  // The instant decided at.
  absl::Time now = absl::InfinitePast();
  // The VM, an index into Snapshot::vms(), or -1.
  int vm = -1;

  CaDetail ca;
  PimDetail pim;
  RbacDetail rbac;
  JitDetail jit;
  NsgDetail nsg;

  const LayerResult& layer(Layer which) const {
    return layers[static_cast<int>(which)];
  }
};

// Decides `attempt` at `now` against `snapshot`. Thread-safe; allocates
// nothing, except inside Conditional Access for the cases its header names
// (device filters with -match, work hours outside the validity range) and
// for a copy of a sign-in that lacks an IP address, which receives the
// attempt's source.
Decision Decide(const Snapshot& snapshot, const Attempt& attempt, absl::Time now);

// Returns the sign-in as the conditionalAccess layer judges it:
// `attempt.sign_in` itself, or a copy in `storage` that fills what it lacks.
// A sign-in without an IP address receives the attempt's source, and one
// without a target receives kAzureManagementAppId as its application.
// `attempt.sign_in` must be set.
const access::SignIn& SignInForAttempt(const Attempt& attempt,
                                       std::optional<access::SignIn>& storage);

// The decision when no snapshot is available: every layer fails with
// kNoSnapshot, and the attempt is denied by the first layer that applies.
Decision DecideWithoutSnapshot(const Attempt& attempt, absl::Time now);

}  // namespace portcullis::decide

#endif  // PORTCULLIS_DECIDE_DECIDE_H_
