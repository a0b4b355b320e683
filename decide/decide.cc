#include "decide/decide.h"

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/types/span.h"
#include "pim/activation.h"
#include "pim/internal/ids.h"
#include "pim/policy.h"
#include "pim/request_status.h"
#include "proto/ca.pb.h"

namespace portcullis::decide {
namespace {

LayerResult& Slot(Decision& decision, Layer layer) {
  return decision.layers[static_cast<int>(layer)];
}

void Fail(Decision& decision, Layer layer, ErrorCode code) {
  Slot(decision, layer) = {LayerOutcome::kError, code};
}

void Set(Decision& decision, Layer layer, LayerOutcome outcome) {
  Slot(decision, layer) = {outcome, ErrorCode::kNone};
}

bool HasUser(const access::SignIn& sign_in) {
  return !sign_in.user_id.empty();
}

// Classifies what `sign_in` is for, against the Azure management
// application that the connection needs.
CaDetail::Target TargetOf(const access::SignIn& sign_in) {
  switch (sign_in.target) {
    case access::SignIn::Target::kNotSupplied:
      return CaDetail::Target::kFilled;
    case access::SignIn::Target::kApplications:
      for (const std::string& id : sign_in.application_ids) {
        if (absl::EqualsIgnoreCase(id, kAzureManagementAppId)) return CaDetail::Target::kSignIn;
      }
      return CaDetail::Target::kOther;
    case access::SignIn::Target::kUserAction:
    case access::SignIn::Target::kAuthenticationContext:
      return CaDetail::Target::kOther;
  }
  return CaDetail::Target::kOther;
}

void DecideConditionalAccess(const Snapshot& snapshot, const Attempt& attempt,
                             absl::Time now, Decision& decision) {
  constexpr Layer kLayer = Layer::kConditionalAccess;
  if (!snapshot.conditional_access().has_value()) {
    return Fail(decision, kLayer, ErrorCode::kLayerNotConfigured);
  }
  if (attempt.sign_in->identity == access::SignIn::Identity::kUser &&
      !HasUser(*attempt.sign_in)) {
    return Fail(decision, kLayer, ErrorCode::kNoUser);
  }
  // Location conditions must judge the address the NSGs judge. Judging a
  // trusted sign-in address while the network admits another would let the
  // location policy and the NSGs pass two different connections.
  const std::optional<net::IpAddress>& own = attempt.sign_in->ip_address;
  if (own.has_value() && own->Unmap() != attempt.source.Unmap()) {
    decision.ca.address = CaDetail::Address::kConflict;
    decision.ca.decision.outcome = access::Outcome::kBlock;
    return Set(decision, kLayer, LayerOutcome::kDeny);
  }
  decision.ca.address = own.has_value() ? CaDetail::Address::kSignIn
                                        : CaDetail::Address::kSource;
  // Judging a sign-in to another application would skip every policy for
  // Azure management, which the connection needs.
  decision.ca.target = TargetOf(*attempt.sign_in);
  if (decision.ca.target == CaDetail::Target::kOther) {
    decision.ca.decision.outcome = access::Outcome::kBlock;
    return Set(decision, kLayer, LayerOutcome::kDeny);
  }
  std::optional<access::SignIn> storage;
  const access::SignIn& sign_in = SignInForAttempt(attempt, storage);

  const CompiledConditionalAccess& ca = *snapshot.conditional_access();
  absl::StatusOr<access::ConditionalAccessPolicySet::Decision> evaluated =
      ca.policies.Evaluate(sign_in, now, ca.mode);
  if (!evaluated.ok()) return Fail(decision, kLayer, ErrorCode::kEvaluationFailed);
  decision.ca.decision = *evaluated;
  // Strict mode skips a policy whose conditions lack facts, as Graph's
  // What-If API does. Enforcement must not allow what such a policy could
  // deny, so the lenient reading, which applies it, decides then.
  if (ca.mode == access::EvaluationMode::kStrict &&
      decision.ca.decision.outcome == access::Outcome::kAllow) {
    evaluated = ca.policies.Evaluate(sign_in, now, access::EvaluationMode::kLenient);
    if (!evaluated.ok()) return Fail(decision, kLayer, ErrorCode::kEvaluationFailed);
    if (evaluated->outcome != access::Outcome::kAllow) {
      decision.ca.decision = *evaluated;
      decision.ca.missing_facts = true;
    }
  }
  if (decision.ca.decision.deciding_policy >= 0) {
    decision.ca.grant = access::EvaluateGrant(
        ca.policies.grant(decision.ca.decision.deciding_policy), sign_in.satisfied);
  }
  Set(decision, kLayer,
      decision.ca.decision.outcome == access::Outcome::kAllow ? LayerOutcome::kAllow
                                                              : LayerOutcome::kDeny);
}

// The outcome of the PIM layer at `now` for an activation request that PIM
// judged when it processed it.
LayerOutcome OutcomeOfRequest(const pim::ActivationDecision& activation,
                              absl::Time now) {
  switch (activation.outcome) {
    case pim::Outcome::kGranted:
    case pim::Outcome::kScheduled:
      return activation.window.Contains(now) ? LayerOutcome::kAllow
                                             : LayerOutcome::kDeny;
    case pim::Outcome::kPending:
      // PIM denies a request that no approver approved by its deadline.
      return now < activation.approval_deadline ? LayerOutcome::kPending
                                                : LayerOutcome::kDeny;
    case pim::Outcome::kRefused:
      return LayerOutcome::kDeny;
  }
  return LayerOutcome::kDeny;
}

// Makes a judged activation pending because its recorded status shows that
// an approver has yet to decide, even where the policy requires no approval.
void AwaitApproval(const pim::RolePolicy& policy, absl::Time processed,
                   pim::ActivationDecision& activation) {
  if (activation.outcome != pim::Outcome::kGranted &&
      activation.outcome != pim::Outcome::kScheduled) {
    return;
  }
  activation.outcome = pim::Outcome::kPending;
  activation.reasons.Add(pim::Reason::kApprovalRequired);
  activation.approval_deadline = processed + policy.approval_timeout();
}

// The index of a selfDeactivate or adminRemove request that ended the
// activation request `activation` by `now`, or -1. PIM must have processed
// the deactivation at or after the activation, and by `now`. One with no
// recorded time counts as processed together with the activation, whatever
// `now` is. Of several, the earliest ended it, and at the same instant the
// lowest content rank is named.
int DeactivationBy(const CompiledPim& pim, int activation, absl::Time now) {
  const absl::Time activated = pim.processed_at[activation];
  int found = -1;
  absl::Time found_at = absl::InfiniteFuture();
  for (int i = 0; i < static_cast<int>(pim.requests.size()); ++i) {
    // A deactivation that was denied or failed ends nothing.
    if (!pim::DeactivationEnds(pim.requests[i], pim.requests[activation]) ||
        pim.requests[i].status == pim::RequestStatus::kNoActivation) {
      continue;
    }
    const bool untimed = pim.processed_at[i] == absl::InfinitePast();
    const absl::Time at = untimed ? activated : pim.processed_at[i];
    if (!untimed && (at < activated || at > now)) continue;
    if (found < 0 || at < found_at ||
        (at == found_at && pim.content_rank[i] < pim.content_rank[found])) {
      found = i;
      found_at = at;
    }
  }
  return found;
}

// Ranks an outcome of the PIM layer by how restrictive it is: allow 0,
// pending 1, deny 2.
int Restriction(LayerOutcome outcome) {
  switch (outcome) {
    case LayerOutcome::kAllow:
      return 0;
    case LayerOutcome::kPending:
      return 1;
    default:
      return 2;
  }
}

// Judges the activation request at `index` for the PIM layer at `now`,
// filling `detail`.
LayerOutcome JudgeRequest(const CompiledPim& pim, const access::SignIn& sign_in,
                          int index, absl::Time now, PimDetail& detail) {
  const pim::ActivationRequest& request = pim.requests[index];
  detail = PimDetail();
  detail.basis = PimDetail::Basis::kRequest;
  detail.request = index;
  // A request recorded as denied, canceled, revoked or failed activates
  // nothing, whatever PIM's rules would decide for it.
  if (request.status == pim::RequestStatus::kNoActivation) return LayerOutcome::kDeny;

  // A recorded request is history: PIM judged it when it processed it,
  // which fixes its window whatever `now` is.
  pim::RequestContext context;
  context.now = pim.processed_at[index];
  context.mfa_satisfied =
      (sign_in.satisfied.built_in & access::ControlBit(ca::BUILT_IN_CONTROL_MFA)) != 0;
  detail.activation = pim.evaluator->Decide(request, context);
  if (request.status == pim::RequestStatus::kAwaitingApproval) {
    AwaitApproval(pim.evaluator->policy(), context.now, detail.activation);
  }
  LayerOutcome outcome = OutcomeOfRequest(detail.activation, now);
  if (outcome == LayerOutcome::kAllow) {
    detail.deactivation = DeactivationBy(pim, index, now);
    if (detail.deactivation >= 0) outcome = LayerOutcome::kDeny;
  }
  return outcome;
}

// Decides one group of activation requests (one principal, role and scope)
// from the requests PIM processed last in it: the most restrictive outcome,
// and among equal outcomes the highest content rank.
LayerOutcome DecideGroup(const CompiledPim& pim, const CompiledPim::ActivationGroup& group,
                         const access::SignIn& sign_in, absl::Time now, PimDetail& detail) {
  PimDetail candidate;
  LayerOutcome outcome = LayerOutcome::kDeny;
  int chosen = -1;
  for (int i : group.latest) {
    LayerOutcome judged = JudgeRequest(pim, sign_in, i, now, candidate);
    bool wins = chosen < 0 || Restriction(judged) > Restriction(outcome) ||
                (Restriction(judged) == Restriction(outcome) &&
                 pim.content_rank[i] > pim.content_rank[chosen]);
    if (wins) {
      detail = candidate;
      outcome = judged;
      chosen = i;
    }
  }
  return outcome;
}

// Decides the PIM layer from the user's activation requests, group by group
// (CompiledPim::activation_groups). The layer takes the least restrictive
// group; of equal ones it explains the one processed last, then the one of
// highest content rank. Every group that allows is listed in
// PimDetail::granted. Returns false when the user has no activation
// request.
bool DecideByRequests(const CompiledPim& pim, const access::SignIn& sign_in, absl::Time now,
                      Decision& decision) {
  const absl::string_view user = sign_in.user_id;
  std::array<int, kMaxActivationGroupsPerPrincipal> granted{};
  int granted_count = 0;
  LayerOutcome outcome = LayerOutcome::kDeny;
  bool any = false;
  PimDetail candidate;
  for (const CompiledPim::ActivationGroup& group : pim.activation_groups) {
    if (!absl::EqualsIgnoreCase(group.principal_id, user)) continue;
    LayerOutcome judged = DecideGroup(pim, group, sign_in, now, candidate);
    // Snapshot::Build() caps the groups per principal at the array's size.
    if (judged == LayerOutcome::kAllow && granted_count < kMaxActivationGroupsPerPrincipal) {
      granted[granted_count++] = candidate.request;
    }
    const int best = decision.pim.request;
    bool wins = !any || Restriction(judged) < Restriction(outcome) ||
                (Restriction(judged) == Restriction(outcome) &&
                 (pim.processed_at[candidate.request] > pim.processed_at[best] ||
                  (pim.processed_at[candidate.request] == pim.processed_at[best] &&
                   pim.content_rank[candidate.request] > pim.content_rank[best])));
    if (wins) {
      decision.pim = candidate;
      outcome = judged;
      any = true;
    }
  }
  if (!any) return false;
  decision.pim.granted = granted;
  decision.pim.granted_count = granted_count;
  Set(decision, Layer::kPim, outcome);
  return true;
}

// True when `user` has an eligibility in force for `role`.
bool EligibleFor(const pim::ActivationEvaluator& evaluator, absl::string_view user,
                 absl::string_view role) {
  for (const pim::CompiledInstance& eligibility : evaluator.eligibilities()) {
    if (eligibility.in_force() && absl::EqualsIgnoreCase(eligibility.principal_id, user) &&
        absl::EqualsIgnoreCase(eligibility.role_definition_id, role)) {
      return true;
    }
  }
  return false;
}

// Returns the index of the first active instance that gives `user` the
// eligible role at the VM at `now`, or -1. An instance counts only when the
// user is eligible for its role and its scope is the VM or an ancestor of
// it. Another role, or a scope elsewhere, does not activate the role.
int CountingInstance(const Snapshot& snapshot, const CompiledPim& pim, absl::string_view user,
                     int vm, absl::Time now) {
  if (vm < 0) return -1;
  const absl::string_view vm_scope = snapshot.vms()[vm].pim_scope;
  const std::vector<pim::CompiledInstance>& active = pim.evaluator->active_instances();
  for (size_t i = 0; i < active.size(); ++i) {
    if (absl::EqualsIgnoreCase(active[i].principal_id, user) &&
        active[i].window.start <= now && now < pim.active_until[i] &&
        pim::internal::ScopeCovers(active[i].scope, vm_scope) &&
        EligibleFor(*pim.evaluator, user, active[i].role_definition_id)) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

void DecidePim(const Snapshot& snapshot, const access::SignIn& sign_in,
               absl::Time now, Decision& decision) {
  constexpr Layer kLayer = Layer::kPim;
  if (!snapshot.pim().has_value()) {
    return Fail(decision, kLayer, ErrorCode::kLayerNotConfigured);
  }
  if (!HasUser(sign_in)) return Fail(decision, kLayer, ErrorCode::kNoUser);
  const CompiledPim& pim = *snapshot.pim();
  if (pim.has_work_hours && (now < pim.work_hours_from || now >= pim.work_hours_until)) {
    return Fail(decision, kLayer, ErrorCode::kOutsideValidity);
  }
  const pim::ActivationEvaluator& evaluator = *pim.evaluator;
  const absl::string_view user = sign_in.user_id;

  // The requests are judged even when an instance allows, because the
  // rbac layer counts the roles of every activation granted at `now`.
  const bool requested = DecideByRequests(pim, sign_in, now, decision);
  const int instance = CountingInstance(snapshot, pim, user, decision.vm, now);
  if (instance >= 0) {
    const std::array<int, kMaxActivationGroupsPerPrincipal> granted = decision.pim.granted;
    const int granted_count = decision.pim.granted_count;
    decision.pim = PimDetail();
    decision.pim.basis = PimDetail::Basis::kActiveInstance;
    decision.pim.instance = instance;
    decision.pim.granted = granted;
    decision.pim.granted_count = granted_count;
    return Set(decision, kLayer, LayerOutcome::kAllow);
  }
  if (requested) return;

  const std::vector<pim::CompiledInstance>& eligible = evaluator.eligibilities();
  for (size_t i = 0; i < eligible.size(); ++i) {
    if (eligible[i].in_force() && absl::EqualsIgnoreCase(eligible[i].principal_id, user)) {
      decision.pim.basis = PimDetail::Basis::kEligibleOnly;
      decision.pim.instance = static_cast<int>(i);
      return Set(decision, kLayer, LayerOutcome::kDeny);
    }
  }
  Set(decision, kLayer, LayerOutcome::kNotApplicable);
}

// The activations the PIM layer granted at `now`, as indexes into
// CompiledPim::requests. They count whether an active instance or a
// request made the layer allow, and there are none unless it allows.
absl::Span<const int> GrantedActivations(const Snapshot& snapshot, const Decision& decision) {
  if (decision.layer(Layer::kPim).outcome != LayerOutcome::kAllow ||
      snapshot.pim()->request_grants.size() != snapshot.pim()->requests.size()) {
    return {};
  }
  return absl::MakeConstSpan(decision.pim.granted.data(),
                             static_cast<size_t>(decision.pim.granted_count));
}

// Runs one check through rbac::Policy::Check(): the path for operations
// that a deny assignment may block. Sets `activation` to the granted
// activation that alone allows it, or -1.
bool CheckOne(const Snapshot& snapshot, absl::Span<const int> granted, const RbacCheck& check,
              const access::SignIn& sign_in, absl::Time now, int* activation) {
  rbac::Request request;
  request.principal_id = sign_in.user_id;
  request.group_ids = absl::MakeConstSpan(sign_in.group_ids);
  request.groups_known = access::GroupMembershipKnown(sign_in);
  request.action = check.action;
  request.plane = check.plane;
  request.scope = check.scope;
  rbac::Decision decision = snapshot.rbac()->Check(request, now);
  *activation = -1;
  // An activation never overrides a deny assignment, including one that
  // may apply through a group of unknown membership.
  if (decision.allowed || decision.deny_assignment >= 0) return decision.allowed;
  for (int index : granted) {
    if (snapshot.pim()->request_grants[index].Check(request, now).allowed) {
      *activation = index;
      return true;
    }
  }
  return false;
}

void DecideRbac(const Snapshot& snapshot, const Attempt& attempt, absl::Time now,
                Decision& decision) {
  constexpr Layer kLayer = Layer::kRbac;
  const access::SignIn& sign_in = *attempt.sign_in;
  if (!snapshot.rbac().has_value()) {
    return Fail(decision, kLayer, ErrorCode::kLayerNotConfigured);
  }
  if (!HasUser(sign_in)) return Fail(decision, kLayer, ErrorCode::kNoUser);
  if (decision.vm < 0) return Fail(decision, kLayer, ErrorCode::kUnknownVm);
  if (attempt.via_bastion && !snapshot.has_bastion()) {
    return Fail(decision, kLayer, ErrorCode::kNoBastion);
  }

  // The checks in order: the connection's, then the sign-in's data action.
  const CompiledVm& vm = snapshot.vms()[decision.vm];
  const std::vector<RbacCheck>& checks =
      attempt.via_bastion ? vm.bastion_checks : vm.direct_checks;
  const std::vector<int>& operations =
      attempt.via_bastion ? vm.bastion_operations : vm.direct_operations;
  RbacDetail& detail = decision.rbac;
  int operation_of[kMaxRbacChecks];
  const RbacCheck* check_of[kMaxRbacChecks];
  for (size_t i = 0; i < checks.size() && detail.check_count < kMaxRbacChecks; ++i) {
    operation_of[detail.check_count] = operations[i];
    check_of[detail.check_count] = &checks[i];
    detail.checks[detail.check_count++].check = static_cast<int>(i);
  }
  if (attempt.login != VmLogin::kNone && detail.check_count < kMaxRbacChecks) {
    bool admin = attempt.login == VmLogin::kAdministrator;
    operation_of[detail.check_count] =
        admin ? vm.admin_login_operation : vm.user_login_operation;
    check_of[detail.check_count] = admin ? &vm.admin_login : &vm.user_login;
    detail.checks[detail.check_count++].check = admin ? kAdminLoginCheck : kUserLoginCheck;
  }
  uint32_t required = 0;
  for (int i = 0; i < detail.check_count; ++i) required |= uint32_t{1} << operation_of[i];

  // The precomputed masks decide unless a deny assignment may block one of
  // the operations or the user's groups are unknown, in which case every
  // check runs through the policy.
  const absl::Span<const int> activations = GrantedActivations(snapshot, decision);
  uint32_t granted = 0;
  const bool masks = vm.rbac_masks.has_value() && access::GroupMembershipKnown(sign_in) &&
                     (required & vm.rbac_masks->deny_relevant()) == 0 &&
                     vm.rbac_masks->Granted(sign_in.user_id, sign_in.group_ids, now, &granted);
  uint32_t activated = 0;
  if (masks) {
    for (int index : activations) activated |= vm.request_masks[index];
  }
  detail.checked_each = !masks;

  for (int i = 0; i < detail.check_count; ++i) {
    RbacCheckResult& result = detail.checks[i];
    if (masks) {
      const uint32_t bit = uint32_t{1} << operation_of[i];
      result.allowed = ((granted | activated) & bit) != 0;
      result.activation = -1;
      if ((granted & bit) == 0 && (activated & bit) != 0) {
        for (int index : activations) {
          if ((vm.request_masks[index] & bit) != 0) {
            result.activation = index;
            break;
          }
        }
      }
    } else {
      result.allowed =
          CheckOne(snapshot, activations, *check_of[i], sign_in, now, &result.activation);
    }
    result.through_activation = result.activation >= 0;
    if (!result.allowed && detail.failed < 0) detail.failed = i;
  }
  Set(decision, kLayer, detail.failed < 0 ? LayerOutcome::kAllow : LayerOutcome::kDeny);
}

bool ProtocolCovers(jit::JitProtocol jit_protocol, nsg::Protocol protocol) {
  switch (jit_protocol) {
    case jit::JIT_PROTOCOL_TCP:
      return protocol == nsg::PROTOCOL_TCP;
    case jit::JIT_PROTOCOL_UDP:
      return protocol == nsg::PROTOCOL_UDP;
    default:
      return true;
  }
}

void DecideJit(const Snapshot& snapshot, const Attempt& attempt, absl::Time now,
               Decision& decision) {
  constexpr Layer kLayer = Layer::kJit;
  if (decision.vm < 0) return Fail(decision, kLayer, ErrorCode::kUnknownVm);
  if (attempt.via_bastion && !snapshot.has_bastion()) {
    return Fail(decision, kLayer, ErrorCode::kNoBastion);
  }
  const CompiledVm& vm = snapshot.vms()[decision.vm];
  JitDetail& detail = decision.jit;
  detail.source = attempt.via_bastion ? snapshot.bastion_address() : attempt.source;

  bool managed = false;
  for (const CompiledJitPort& port : vm.jit_ports) {
    if (port.number == attempt.port && ProtocolCovers(port.protocol, attempt.protocol)) {
      managed = true;
    }
  }
  if (!vm.jit_protected || !managed) {
    detail.state = JitDetail::State::kPortNotManaged;
    return Set(decision, kLayer, LayerOutcome::kNotApplicable);
  }

  int upcoming = -1;
  int ended = -1;
  int ignored = -1;
  bool other_sources = false;
  const std::vector<CompiledGrant>& grants = vm.compiled_grants;
  for (size_t i = 0; i < grants.size(); ++i) {
    const CompiledGrant& grant = grants[i];
    if (grant.port != attempt.port || !ProtocolCovers(grant.protocol, attempt.protocol)) {
      continue;
    }
    // An ignored grant with an empty window, such as a revoked port, only
    // ends older grants, so it takes no part in judging the source.
    if (grant.ignored && grant.window.end <= grant.window.start) continue;
    if (!grant.any_source && !grant.source.Contains(detail.source)) {
      other_sources = true;
      continue;
    }
    const int index = static_cast<int>(i);
    if (grant.ignored) {
      if (grant.window.start <= now && now < grant.effective_end) ignored = index;
      continue;
    }
    if (grant.window.start <= now && now < grant.effective_end) {
      detail.state = JitDetail::State::kActive;
      detail.grant = index;
      detail.at = grant.effective_end;
      return Set(decision, kLayer, LayerOutcome::kAllow);
    }
    if (now < grant.window.start) {
      if (upcoming < 0 || grant.window.start < grants[upcoming].window.start) {
        upcoming = index;
      }
    } else if (ended < 0 || grant.effective_end > grants[ended].effective_end) {
      ended = index;
    }
  }

  if (ignored >= 0) {
    detail.state = JitDetail::State::kIgnored;
    detail.grant = ignored;
    detail.at = grants[ignored].effective_end;
  } else if (upcoming >= 0) {
    detail.state = JitDetail::State::kNotStarted;
    detail.grant = upcoming;
    detail.at = grants[upcoming].window.start;
  } else if (ended >= 0) {
    const CompiledGrant& grant = grants[ended];
    detail.state = grant.effective_end < grant.window.end ? JitDetail::State::kSuperseded
                                                          : JitDetail::State::kExpired;
    detail.grant = ended;
    detail.at = grant.effective_end;
  } else {
    detail.state = other_sources ? JitDetail::State::kSourceNotGranted
                                 : JitDetail::State::kNoGrant;
  }
  Set(decision, kLayer, LayerOutcome::kDeny);
}

// Fills `flow` with the 5-tuple; false when the families differ.
bool MakeFlow(const net::IpAddress& source, uint16_t source_port,
              const net::IpAddress& destination, uint16_t destination_port,
              uint8_t protocol, NsgFlow& flow) {
  if (source.is_v6() != destination.is_v6()) return false;
  flow.is_v6 = source.is_v6();
  if (flow.is_v6) {
    flow.v6 = {source.v6(), destination.v6(), source_port, destination_port, protocol};
  } else {
    flow.v4 = {source.v4(), destination.v4(), source_port, destination_port, protocol};
  }
  return true;
}

// Runs `flow` through the NSGs in `order` (-1 entries are absent NSGs);
// false when no NSG is on the path.
bool Classify(const Snapshot& snapshot, std::array<int, 2> order, absl::Time now,
              NsgFlow& flow) {
  flow.evaluated = true;
  flow.allowed = true;
  for (int nsg : order) {
    if (nsg < 0) continue;
    const internal::CompiledNsg& compiled = snapshot.nsgs()[nsg];
    NsgStage& stage = flow.stages[flow.stage_count++];
    stage.nsg = nsg;
    stage.match = flow.is_v6 ? compiled.Lookup(flow.v6, now) : compiled.Lookup(flow.v4, now);
    if (!stage.match.match.found() ||
        stage.match.match.access != nsg::RuleAccess::kAllow) {
      flow.allowed = false;
      break;
    }
  }
  return flow.stage_count > 0;
}

void DecideNsg(const Snapshot& snapshot, const Attempt& attempt, absl::Time now,
               Decision& decision) {
  constexpr Layer kLayer = Layer::kNsg;
  if (attempt.protocol != nsg::PROTOCOL_TCP && attempt.protocol != nsg::PROTOCOL_UDP) {
    return Fail(decision, kLayer, ErrorCode::kUnsupportedProtocol);
  }
  if (decision.vm < 0) return Fail(decision, kLayer, ErrorCode::kUnknownVm);
  if (attempt.via_bastion && !snapshot.has_bastion()) {
    return Fail(decision, kLayer, ErrorCode::kNoBastion);
  }
  const CompiledVm& vm = snapshot.vms()[decision.vm];
  const uint8_t protocol = attempt.protocol == nsg::PROTOCOL_TCP ? 6 : 17;
  NsgDetail& detail = decision.nsg;

  const net::IpAddress& from =
      attempt.via_bastion ? snapshot.bastion_address() : attempt.source;
  if (!MakeFlow(from, attempt.source_port, vm.private_address, attempt.port, protocol,
                detail.to_vm)) {
    return Fail(decision, kLayer, ErrorCode::kAddressFamilyMismatch);
  }
  if (!Classify(snapshot, {vm.subnet_nsg, vm.nic_nsg}, now, detail.to_vm)) {
    return Fail(decision, kLayer, ErrorCode::kNoNsg);
  }

  if (attempt.via_bastion) {
    if (!MakeFlow(attempt.source, attempt.source_port, snapshot.bastion_address(), 443,
                  6, detail.to_bastion)) {
      return Fail(decision, kLayer, ErrorCode::kAddressFamilyMismatch);
    }
    if (!Classify(snapshot, {snapshot.bastion_nsg(), -1}, now, detail.to_bastion)) {
      return Fail(decision, kLayer, ErrorCode::kNoNsg);
    }
    // The session leaves AzureBastionSubnet for the VM. Outbound flows pass
    // the NIC's NSG and then the subnet's, and the bastion's instances have
    // only the subnet's.
    if (!MakeFlow(from, attempt.source_port, vm.private_address, attempt.port, protocol,
                  detail.from_bastion)) {
      return Fail(decision, kLayer, ErrorCode::kAddressFamilyMismatch);
    }
    if (!Classify(snapshot, {snapshot.bastion_outbound_nsg(), -1}, now,
                  detail.from_bastion)) {
      return Fail(decision, kLayer, ErrorCode::kNoNsg);
    }
  }
  bool allowed = detail.to_vm.allowed &&
                 (!attempt.via_bastion ||
                  (detail.to_bastion.allowed && detail.from_bastion.allowed));
  Set(decision, kLayer, allowed ? LayerOutcome::kAllow : LayerOutcome::kDeny);
}

// Sets the verdict from the layer outcomes, as decide.h describes.
void Conclude(Decision& decision) {
  int first = -1;
  for (int i = 0; i < kLayerCount; ++i) {
    LayerOutcome outcome = decision.layers[i].outcome;
    if (outcome != LayerOutcome::kAllow && outcome != LayerOutcome::kNotApplicable) {
      first = i;
      break;
    }
  }
  if (first < 0) {
    decision.verdict = Verdict::kAllow;
    return;
  }
  int denying = first;
  if (decision.layers[first].outcome == LayerOutcome::kPending) {
    denying = -1;
    for (int i = first + 1; i < kLayerCount; ++i) {
      if (decision.layers[i].outcome == LayerOutcome::kError) {
        denying = i;
        break;
      }
    }
    if (denying < 0) {
      decision.verdict = Verdict::kPending;
      return;
    }
  }
  decision.verdict = Verdict::kDeny;
  decision.has_denied_by = true;
  decision.denied_by = static_cast<Layer>(denying);
}

// Fails every layer that applies to `attempt` with `code`: the identity
// layers only for a signed-in attempt. Then sets the verdict, a denial.
void FailEveryLayer(const Attempt& attempt, ErrorCode code, Decision& decision) {
  for (int i = 0; i < kLayerCount; ++i) {
    Layer layer = static_cast<Layer>(i);
    bool identity = layer == Layer::kConditionalAccess || layer == Layer::kPim ||
                    layer == Layer::kRbac;
    if (identity && attempt.sign_in == nullptr) continue;
    Fail(decision, layer, code);
  }
  Conclude(decision);
}

}  // namespace

absl::string_view LayerName(Layer layer) {
  switch (layer) {
    case Layer::kConditionalAccess:
      return "conditionalAccess";
    case Layer::kPim:
      return "pim";
    case Layer::kRbac:
      return "rbac";
    case Layer::kJit:
      return "jit";
    case Layer::kNsg:
      return "nsg";
  }
  return "unknown";
}

absl::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAllow:
      return "allow";
    case Verdict::kDeny:
      return "deny";
    case Verdict::kPending:
      return "pending";
  }
  return "deny";
}

absl::string_view LayerOutcomeName(LayerOutcome outcome) {
  switch (outcome) {
    case LayerOutcome::kAllow:
      return "allow";
    case LayerOutcome::kDeny:
      return "deny";
    case LayerOutcome::kPending:
      return "pending";
    case LayerOutcome::kNotApplicable:
      return "notApplicable";
    case LayerOutcome::kError:
      return "error";
  }
  return "error";
}

absl::string_view ErrorMessage(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNone:
      return "no error";
    case ErrorCode::kLayerNotConfigured:
      return "the snapshot was built without this layer's input, so a signed-in "
             "attempt cannot be decided";
    case ErrorCode::kNoUser:
      return "the sign-in names no user";
    case ErrorCode::kOutsideValidity:
      return "the instant lies outside the range the snapshot's work hours were "
             "expanded for; rebuild the snapshot";
    case ErrorCode::kUnknownVm:
      return "the snapshot has no VM with the attempt's VM id";
    case ErrorCode::kNoBastion:
      return "the attempt goes through Azure Bastion, but the snapshot has no bastion";
    case ErrorCode::kNoNsg:
      return "no NSG is on the flow's path, which Azure's IP flow verify refuses too";
    case ErrorCode::kUnsupportedProtocol:
      return "the attempt's protocol is neither TCP nor UDP";
    case ErrorCode::kAddressFamilyMismatch:
      return "the flow's source and destination addresses are of different families";
    case ErrorCode::kNoSnapshot:
      return "no snapshot is published";
    case ErrorCode::kNonFiniteTime:
      return "the instant to decide at is not finite, so no layer can judge it";
    case ErrorCode::kEvaluationFailed:
      return "Conditional Access evaluation failed";
  }
  return "unknown error";
}

const access::SignIn& SignInForAttempt(const Attempt& attempt,
                                       std::optional<access::SignIn>& storage) {
  const access::SignIn& original = *attempt.sign_in;
  const bool has_target = original.target != access::SignIn::Target::kNotSupplied;
  if (original.ip_address.has_value() && has_target) return original;
  storage.emplace(original);
  if (!original.ip_address.has_value()) storage->ip_address = attempt.source;
  if (!has_target) {
    storage->target = access::SignIn::Target::kApplications;
    storage->application_ids = {kAzureManagementAppId};
  }
  return *storage;
}

Decision Decide(const Snapshot& snapshot, const Attempt& attempt, absl::Time now) {
  Decision decision;
  decision.snapshot_id = snapshot.id();
  decision.now = now;
  decision.vm = snapshot.FindVm(attempt.vm_id);
  // At an infinite instant a work-hour schedule cannot be expanded and
  // every window reads as over or never started, which could turn a block
  // into an allow. No layer judges it.
  if (now == absl::InfiniteFuture() || now == absl::InfinitePast()) {
    FailEveryLayer(attempt, ErrorCode::kNonFiniteTime, decision);
    return decision;
  }

  if (attempt.sign_in != nullptr) {
    DecideConditionalAccess(snapshot, attempt, now, decision);
    DecidePim(snapshot, *attempt.sign_in, now, decision);
    DecideRbac(snapshot, attempt, now, decision);
  } else if (attempt.via_bastion) {
    // Azure Bastion opens a session only for a user signed in to Microsoft
    // Entra ID, so a flow through it without one is denied rather than left
    // to the network layers.
    Set(decision, Layer::kConditionalAccess, LayerOutcome::kDeny);
  }
  // An IPv4-mapped source (::ffff:a.b.c.d) is the IPv4 host on the wire,
  // and the NSG evaluator reads it so. Read as IPv6, it would miss IPv4
  // grants and rules.
  Attempt network = attempt;
  network.source = attempt.source.Unmap();
  DecideJit(snapshot, network, now, decision);
  DecideNsg(snapshot, network, now, decision);
  Conclude(decision);
  return decision;
}

Decision DecideWithoutSnapshot(const Attempt& attempt, absl::Time now) {
  Decision decision;
  decision.now = now;
  FailEveryLayer(attempt, ErrorCode::kNoSnapshot, decision);
  return decision;
}

}  // namespace portcullis::decide
