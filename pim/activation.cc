#include "pim/activation.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "pim/internal/ids.h"
#include "pim/internal/proto_time.h"

namespace portcullis::pim {
namespace {

using schedule::Window;

// True when `instance` is in force and gives the request's principal its
// role at a scope that covers the request's.
bool SameHolder(const CompiledInstance& instance,
                const ActivationRequest& request) {
  return instance.in_force() && instance.principal_id == request.principal_id &&
         instance.role_definition_id == request.role_definition_id &&
         internal::ScopeCovers(instance.scope, request.scope);
}

// True when `window` and [start, end) share an instant; empty windows share
// none.
bool Overlaps(const Window& window, absl::Time start, absl::Time end) {
  return !window.empty() && window.start < end && start < window.end;
}

// The start and end of a new window while the checks shape it.
struct PlannedWindow {
  absl::Time start;
  absl::Time end;
};

// Step 1: the start, moved to `now` when it lies in the past (option).
PlannedWindow PlanWindow(const ActivationRequest& request, absl::Time now,
                         const ActivationOptions& options,
                         ActivationDecision& decision) {
  absl::Time start = request.start.value_or(now);
  if (request.start.has_value() && *request.start < now &&
      options.past_start == ActivationOptions::PastStart::kMoveToNow) {
    start = now;
    decision.reasons.Add(Reason::kStartMovedToNow);
  }
  return PlannedWindow{start, absl::InfiniteFuture()};
}

// Step 3: the requested end, the minimum and the maximum.
void CheckExpiration(const ActivationRequest& request, const LevelRules& rules,
                     Operation operation, const ActivationOptions& options,
                     PlannedWindow& planned, ActivationDecision& decision) {
  bool required =
      rules.ExpirationAppliesTo(operation) && rules.expiration_required;
  absl::Duration maximum =
      required ? rules.maximum_duration : absl::InfiniteDuration();
  absl::Time start = planned.start;
  absl::Time end = absl::InfiniteFuture();

  switch (request.expiration_type) {
    case EXPIRATION_TYPE_AFTER_DURATION:
      end = start + request.duration;
      break;
    case EXPIRATION_TYPE_AFTER_DATE_TIME:
      end = request.end;
      break;
    case EXPIRATION_TYPE_NO_EXPIRATION:
      if (required) decision.reasons.Add(Reason::kExpirationRule);
      break;
    default:
      // notSpecified: permanent where the policy allows it, else an option.
      if (!required) break;
      if (options.not_specified ==
              ActivationOptions::NotSpecified::kPolicyMaximum &&
          maximum != absl::InfiniteDuration()) {
        end = start + maximum;
        decision.reasons.Add(Reason::kDurationFromPolicyMaximum);
      } else {
        decision.reasons.Add(Reason::kExpirationRule);
      }
      break;
  }
  decision.requested_end = end;

  if (end != absl::InfiniteFuture()) {
    if (end <= start) {
      decision.reasons.Add(Reason::kExpirationRule);
    } else if (end - start < options.minimum_duration) {
      decision.reasons.Add(Reason::kActiveDurationTooShort);
    }
  }
  if (maximum != absl::InfiniteDuration()) {
    absl::Time maximum_end = start + maximum;
    decision.policy_maximum_end = maximum_end;
    if (end > maximum_end) {
      if (options.over_maximum == ActivationOptions::OverMaximum::kClip &&
          request.expiration_type != EXPIRATION_TYPE_NO_EXPIRATION) {
        end = maximum_end;
        decision.end_bound = EndBound::kPolicyMaximum;
        decision.reasons.Add(Reason::kClippedToPolicyMaximum);
      } else {
        decision.reasons.Add(Reason::kExpirationRule);
      }
    }
  }
  planned.end = end;
}

// Step 4 without approval: MFA, justification, ticket.
void CheckEnablement(const ActivationRequest& request, const LevelRules& rules,
                     Operation operation, const RequestContext& context,
                     ActivationDecision& decision) {
  if (!rules.EnablementAppliesTo(operation)) return;
  if (rules.require_mfa && !context.mfa_satisfied) {
    decision.reasons.Add(Reason::kMfaRule);
  }
  if (rules.require_justification && !request.has_justification) {
    decision.reasons.Add(Reason::kJustificationRule);
  }
  if (rules.require_ticketing && !request.has_ticket) {
    decision.reasons.Add(Reason::kTicketingRule);
  }
}

// Fills the outcome and the times derived from the window.
void Finish(absl::Time now, const ActivationOptions& options,
            PlannedWindow planned, bool needs_approval, absl::Duration approval_timeout,
            ActivationDecision& decision) {
  if (decision.reasons.AnyRejecting()) {
    decision.outcome = Outcome::kRefused;
    decision.window = Window();
    return;
  }
  decision.window = Window{planned.start, planned.end};
  if (needs_approval) {
    decision.outcome = Outcome::kPending;
    decision.reasons.Add(Reason::kApprovalRequired);
    decision.approval_deadline = now + approval_timeout;
  } else if (planned.start > now) {
    decision.outcome = Outcome::kScheduled;
  } else {
    decision.outcome = Outcome::kGranted;
  }

  decision.deactivation_opens = planned.start + options.deactivation_delay;
  if (planned.end != absl::InfiniteFuture()) {
    decision.extension_opens = planned.end - options.extension_lead;
    decision.renewal_closes = planned.end + options.renewal_period;
    decision.tokens_valid_until = planned.end + options.token_lifetime;
  }
}

bool HasClaim(const RequestContext& context, const std::string& claim) {
  for (const std::string& satisfied : context.authentication_contexts) {
    if (satisfied == claim) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<ActivationRequest> ActivationRequest::Create(
    const ScheduleRequest& request) {
  ActivationRequest out;
  if (request.action() == ACTION_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "action: missing; expected a request action such as selfActivate");
  }
  out.action = request.action();
  out.level = request.level() == LEVEL_ELIGIBILITY ? LEVEL_ELIGIBILITY
                                                   : LEVEL_ASSIGNMENT;
  if (request.principal_id().empty()) {
    return absl::InvalidArgumentError("principalId: missing; expected a principal id");
  }
  if (request.role_definition_id().empty()) {
    return absl::InvalidArgumentError(
        "roleDefinitionId: missing; expected a role definition id");
  }
  out.principal_id = internal::NormalizeId(request.principal_id());
  out.role_definition_id = internal::NormalizeId(request.role_definition_id());
  // An app scope is kept apart from directory scopes by its own prefix.
  out.scope = !request.directory_scope_id().empty()
                  ? internal::NormalizeScope(request.directory_scope_id())
                  : internal::NormalizeScope(
                        absl::StrCat("/app:", request.app_scope_id()));
  if (request.directory_scope_id().empty() && request.app_scope_id().empty()) {
    return absl::InvalidArgumentError(
        "directoryScopeId: missing; expected a scope such as \"/\"");
  }
  if (!request.linked_eligibility_schedule_id().empty()) {
    out.linked_eligibility_id =
        internal::NormalizeId(request.linked_eligibility_schedule_id());
  }

  const ScheduleInfo& info = request.schedule_info();
  if (info.has_start_time()) out.start = internal::FromTimestamp(info.start_time());
  const Expiration& expiration = info.expiration();
  out.expiration_type = expiration.type() == EXPIRATION_TYPE_UNSPECIFIED
                            ? EXPIRATION_TYPE_NOT_SPECIFIED
                            : expiration.type();
  if (out.expiration_type == EXPIRATION_TYPE_AFTER_DURATION) {
    if (!expiration.has_duration()) {
      return absl::InvalidArgumentError(
          "scheduleInfo.expiration.duration: missing; expected a duration "
          "because type is afterDuration");
    }
    out.duration = internal::FromDurationProto(expiration.duration());
    if (out.duration < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "scheduleInfo.expiration.duration: invalid value ",
          absl::FormatDuration(out.duration), "; expected a duration of at least 0"));
    }
  }
  if (out.expiration_type == EXPIRATION_TYPE_AFTER_DATE_TIME) {
    if (!expiration.has_end_time()) {
      return absl::InvalidArgumentError(
          "scheduleInfo.expiration.endDateTime: missing; expected a time "
          "because type is afterDateTime");
    }
    out.end = internal::FromTimestamp(expiration.end_time());
  }
  out.has_justification = !request.justification().empty();
  out.has_ticket = !request.ticket_info().ticket_number().empty();
  if (request.has_created_time()) {
    out.created = internal::FromTimestamp(request.created_time());
  }
  std::optional<RequestStatus> status = ParseRequestStatus(request.status());
  if (!status.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("status: invalid value \"",
                                                   request.status(), "\"; expected one of ",
                                                   KnownRequestStatuses()));
  }
  out.status = *status;
  return out;
}

namespace {

// `Target` is an ActivationRequest or a CompiledInstance: both name a
// principal, a role and a scope.
template <typename Target>
bool EndsRoleOf(const ActivationRequest& deactivation, const Target& target) {
  bool ends = deactivation.action == ACTION_SELF_DEACTIVATE ||
              deactivation.action == ACTION_ADMIN_REMOVE;
  return ends && deactivation.level == LEVEL_ASSIGNMENT &&
         deactivation.principal_id == target.principal_id &&
         deactivation.role_definition_id == target.role_definition_id &&
         deactivation.scope == target.scope;
}

}  // namespace

bool DeactivationEnds(const ActivationRequest& deactivation,
                      const ActivationRequest& activation) {
  return EndsRoleOf(deactivation, activation);
}

bool MayBack(const CompiledInstance& eligibility, const ActivationRequest& request) {
  if (!SameHolder(eligibility, request)) return false;
  return request.linked_eligibility_id.empty() ||
         request.linked_eligibility_id == eligibility.id ||
         request.linked_eligibility_id == eligibility.schedule_id;
}

bool DeactivationEnds(const ActivationRequest& deactivation,
                      const CompiledInstance& instance) {
  return EndsRoleOf(deactivation, instance);
}

absl::StatusOr<std::vector<CompiledInstance>> CompileInstances(
    absl::Span<const ScheduleInstance> instances) {
  std::vector<CompiledInstance> out;
  out.reserve(instances.size());
  for (size_t i = 0; i < instances.size(); ++i) {
    const ScheduleInstance& instance = instances[i];
    std::string where = absl::StrCat("instance ", i);
    if (instance.principal_id().empty() || instance.role_definition_id().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": missing principalId or roleDefinitionId"));
    }
    if (instance.directory_scope_id().empty() && instance.app_scope_id().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": missing directoryScopeId; expected a scope"));
    }
    if (!instance.has_start_time()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": missing startDateTime"));
    }
    CompiledInstance compiled;
    compiled.status_text = instance.status();
    compiled.principal_id = internal::NormalizeId(instance.principal_id());
    compiled.role_definition_id =
        internal::NormalizeId(instance.role_definition_id());
    compiled.scope = !instance.directory_scope_id().empty()
                         ? internal::NormalizeScope(instance.directory_scope_id())
                         : internal::NormalizeScope(
                               absl::StrCat("/app:", instance.app_scope_id()));
    if (!instance.id().empty()) compiled.id = internal::NormalizeId(instance.id());
    if (!instance.schedule_id().empty()) {
      compiled.schedule_id = internal::NormalizeId(instance.schedule_id());
    }
    if (!instance.linked_eligibility_schedule_id().empty()) {
      compiled.linked_eligibility_id =
          internal::NormalizeId(instance.linked_eligibility_schedule_id());
    }
    compiled.window.start = internal::FromTimestamp(instance.start_time());
    compiled.window.end = instance.has_end_time()
                              ? internal::FromTimestamp(instance.end_time())
                              : absl::InfiniteFuture();
    if (compiled.window.end < compiled.window.start) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": endDateTime is before startDateTime"));
    }
    std::optional<RequestStatus> status = ParseRequestStatus(instance.status());
    if (!status.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": status: invalid value \"", instance.status(), "\"; expected one of ",
          KnownRequestStatuses()));
    }
    compiled.status = *status;
    out.push_back(std::move(compiled));
  }
  return out;
}

absl::StatusOr<ActivationEvaluator> ActivationEvaluator::Create(
    RolePolicy policy, absl::Span<const ScheduleInstance> eligibilities,
    absl::Span<const ScheduleInstance> active_instances,
    ActivationOptions options, std::optional<schedule::IntervalSet> work_windows) {
  if (options.minimum_duration < absl::ZeroDuration() ||
      options.deactivation_delay < absl::ZeroDuration() ||
      options.extension_lead < absl::ZeroDuration() ||
      options.renewal_period < absl::ZeroDuration() ||
      options.token_lifetime < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "activation options: durations must not be negative");
  }
  ActivationEvaluator evaluator(std::move(policy), options);
  absl::StatusOr<std::vector<CompiledInstance>> eligible =
      CompileInstances(eligibilities);
  if (!eligible.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("eligibilities: ", eligible.status().message()));
  }
  absl::StatusOr<std::vector<CompiledInstance>> active =
      CompileInstances(active_instances);
  if (!active.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("active instances: ", active.status().message()));
  }
  evaluator.eligibilities_ = *std::move(eligible);
  evaluator.active_ = *std::move(active);
  evaluator.work_windows_ = std::move(work_windows);
  return evaluator;
}

ActivationDecision ActivationEvaluator::Decide(
    const ActivationRequest& request, const RequestContext& context) const {
  switch (request.action) {
    case ACTION_SELF_ACTIVATE:
      return DecideActivation(request, context);
    case ACTION_SELF_DEACTIVATE:
    case ACTION_ADMIN_REMOVE:
      return DecideDeactivation(request, context);
    case ACTION_SELF_EXTEND:
    case ACTION_SELF_RENEW:
    case ACTION_ADMIN_EXTEND:
    case ACTION_ADMIN_RENEW:
      return DecideExtendOrRenew(request, context);
    default:
      return DecideAdmin(request, context);
  }
}

ActivationDecision ActivationEvaluator::DecideActivation(
    const ActivationRequest& request, const RequestContext& context) const {
  ActivationDecision decision;
  const LevelRules& rules = policy_.Rules(CALLER_END_USER, LEVEL_ASSIGNMENT);
  const Operation operation = OPERATION_ACTIVATE;

  // 1. Start.
  PlannedWindow planned = PlanWindow(request, context.now, options_, decision);

  // 2. Eligibility: among the matches, the one that lasts longest.
  const CompiledInstance* eligibility = nullptr;
  for (size_t i = 0; i < eligibilities_.size(); ++i) {
    const CompiledInstance& candidate = eligibilities_[i];
    if (!MayBack(candidate, request) || !candidate.window.Contains(planned.start)) {
      continue;
    }
    if (eligibility == nullptr || candidate.window.end > eligibility->window.end) {
      eligibility = &candidate;
      decision.eligibility_index = static_cast<int>(i);
    }
  }
  if (eligibility == nullptr) decision.reasons.Add(Reason::kEligibilityRule);

  // 3. Expiration.
  CheckExpiration(request, rules, operation, options_, planned, decision);

  // 4. Enablement, authentication context, justification for approval.
  CheckEnablement(request, rules, operation, context, decision);
  const std::string& claim = policy_.required_authentication_context();
  if (!claim.empty() && !HasClaim(context, claim)) {
    decision.reasons.Add(Reason::kAcrsRule);
  }
  if (policy_.approval_required() && policy_.requestor_justification_required() &&
      !request.has_justification) {
    decision.reasons.Add(Reason::kJustificationRule);
  }

  // 5. The end of the eligibility. A request already rejected for its
  // expiration gets no clipping reasons.
  const bool expiration_rejected = decision.reasons.Contains(Reason::kExpirationRule);
  if (eligibility != nullptr) {
    decision.eligibility_end = eligibility->window.end;
    if (eligibility->window.end < planned.end && !expiration_rejected) {
      if (options_.eligibility_end == ActivationOptions::EligibilityEnd::kClip) {
        planned.end = eligibility->window.end;
        decision.end_bound = EndBound::kEligibilityEnd;
        decision.reasons.Add(Reason::kClippedToEligibilityEnd);
      } else {
        decision.reasons.Add(Reason::kEligibilityRule);
      }
    }
  }

  // 6. Work hours.
  if (work_windows_.has_value()) {
    std::optional<Window> work = work_windows_->WindowAt(planned.start);
    if (!work.has_value()) {
      decision.reasons.Add(Reason::kOutsideWorkWindow);
      decision.next_work_window_opening =
          work_windows_->NextOpening(planned.start).value_or(absl::InfiniteFuture());
    } else {
      decision.work_window_close = work->end;
      if (work->end < planned.end && !expiration_rejected) {
        planned.end = work->end;
        decision.end_bound = EndBound::kWorkWindowClose;
        decision.reasons.Add(Reason::kClippedToWorkWindow);
      }
    }
  }

  // 7. A window cut below the minimum.
  if (decision.end_bound != EndBound::kRequested &&
      planned.end - planned.start < options_.minimum_duration) {
    decision.reasons.Add(Reason::kActiveDurationTooShort);
  }

  // 8. Overlap with an active assignment.
  for (size_t i = 0; i < active_.size(); ++i) {
    if (planned.start < planned.end && SameHolder(active_[i], request) &&
        Overlaps(active_[i].window, planned.start, planned.end)) {
      decision.reasons.Add(Reason::kRoleAssignmentExists);
      decision.active_index = static_cast<int>(i);
      break;
    }
  }

  // 9. Approval.
  Finish(context.now, options_, planned, policy_.approval_required(),
         policy_.approval_timeout(), decision);
  return decision;
}

// selfDeactivate and adminRemove end a current or future instance, from the
// eligibility list when the request is at the eligibility level. Both are
// refused within the deactivation delay after the instance started, because
// PIM does not allow removing an assignment in its first five minutes. The
// resulting window is [instance start, now).
ActivationDecision ActivationEvaluator::DecideDeactivation(
    const ActivationRequest& request, const RequestContext& context) const {
  ActivationDecision decision;
  const std::vector<CompiledInstance>& instances =
      request.level == LEVEL_ELIGIBILITY ? eligibilities_ : active_;
  const CompiledInstance* target = nullptr;
  for (size_t i = 0; i < instances.size(); ++i) {
    const CompiledInstance& candidate = instances[i];
    bool current_or_future = candidate.window.end > context.now;
    if (SameHolder(candidate, request) && current_or_future) {
      target = &candidate;
      decision.active_index = static_cast<int>(i);
      break;
    }
  }
  if (target == nullptr) {
    decision.reasons.Add(Reason::kRoleAssignmentDoesNotExist);
    Finish(context.now, options_, PlannedWindow{context.now, context.now}, false,
           absl::ZeroDuration(), decision);
    return decision;
  }

  decision.deactivation_opens = target->window.start + options_.deactivation_delay;
  if (context.now >= target->window.start &&
      context.now < decision.deactivation_opens) {
    decision.reasons.Add(Reason::kDeactivationTooSoon);
  }
  absl::Time start = std::min(target->window.start, context.now);
  decision.requested_end = context.now;
  decision.end_bound = EndBound::kNow;
  absl::Time opens = decision.deactivation_opens;
  Finish(context.now, options_, PlannedWindow{start, context.now}, false,
         absl::ZeroDuration(), decision);
  decision.deactivation_opens = opens;
  return decision;
}

// Extensions and renewals. An extension needs an instance that contains
// `now` and ends. A user may ask for one only within the extension lead
// before the end. A renewal needs an instance that has ended; a user may ask within the
// renewal period after the end. The new window is planned like an admin
// assignment (Expiration_Admin_<level>); requests from users wait for an
// admin's approval, admin requests take effect.
ActivationDecision ActivationEvaluator::DecideExtendOrRenew(
    const ActivationRequest& request, const RequestContext& context) const {
  ActivationDecision decision;
  bool self = request.action == ACTION_SELF_EXTEND ||
              request.action == ACTION_SELF_RENEW;
  bool renew = request.action == ACTION_SELF_RENEW ||
               request.action == ACTION_ADMIN_RENEW;
  Operation operation = OperationOf(request.action);
  const LevelRules& expiration_rules = policy_.Rules(CALLER_ADMIN, request.level);
  const LevelRules& enablement_rules =
      policy_.Rules(self ? CALLER_END_USER : CALLER_ADMIN, request.level);
  const std::vector<CompiledInstance>& instances =
      request.level == LEVEL_ELIGIBILITY ? eligibilities_ : active_;

  PlannedWindow planned = PlanWindow(request, context.now, options_, decision);

  // The instance to extend (contains now, ends latest) or renew (ended
  // latest).
  const CompiledInstance* target = nullptr;
  for (size_t i = 0; i < instances.size(); ++i) {
    const CompiledInstance& candidate = instances[i];
    if (!SameHolder(candidate, request)) continue;
    bool fits = renew ? candidate.window.end <= context.now
                      : candidate.window.Contains(context.now) &&
                            candidate.window.end != absl::InfiniteFuture();
    if (fits && (target == nullptr || candidate.window.end > target->window.end)) {
      target = &candidate;
      decision.active_index = static_cast<int>(i);
    }
  }
  if (target == nullptr) {
    decision.reasons.Add(Reason::kRoleAssignmentDoesNotExist);
  } else if (self && !renew &&
             context.now < target->window.end - options_.extension_lead) {
    decision.reasons.Add(Reason::kExtensionNotYetAllowed);
  } else if (self && renew &&
             context.now >= target->window.end + options_.renewal_period) {
    decision.reasons.Add(Reason::kRenewalPeriodOver);
  }

  CheckExpiration(request, expiration_rules, operation, options_, planned, decision);
  CheckEnablement(request, enablement_rules, operation, context, decision);
  Finish(context.now, options_, planned, self, policy_.approval_timeout(), decision);
  return decision;
}

// adminAssign and adminUpdate at either level, judged by
// Expiration_Admin_<level> and Enablement_Admin_<level>. An assignment may
// not overlap an existing instance of the same principal, role and scope at
// that level; an update needs one.
ActivationDecision ActivationEvaluator::DecideAdmin(
    const ActivationRequest& request, const RequestContext& context) const {
  ActivationDecision decision;
  Operation operation = OperationOf(request.action);
  const LevelRules& rules = policy_.Rules(CALLER_ADMIN, request.level);
  const std::vector<CompiledInstance>& instances =
      request.level == LEVEL_ELIGIBILITY ? eligibilities_ : active_;

  PlannedWindow planned = PlanWindow(request, context.now, options_, decision);
  CheckExpiration(request, rules, operation, options_, planned, decision);
  CheckEnablement(request, rules, operation, context, decision);

  int existing = -1;
  for (size_t i = 0; i < instances.size(); ++i) {
    if (SameHolder(instances[i], request) &&
        (request.action != ACTION_ADMIN_ASSIGN ||
         Overlaps(instances[i].window, planned.start, planned.end))) {
      existing = static_cast<int>(i);
      break;
    }
  }
  decision.active_index = existing;
  if (request.action == ACTION_ADMIN_ASSIGN && existing >= 0) {
    decision.reasons.Add(Reason::kRoleAssignmentExists);
  } else if (request.action == ACTION_ADMIN_UPDATE && existing < 0) {
    decision.reasons.Add(Reason::kRoleAssignmentDoesNotExist);
  }
  if (request.action == ACTION_UNSPECIFIED) {
    decision.reasons.Add(Reason::kRoleAssignmentDoesNotExist);
  }
  Finish(context.now, options_, planned, false, absl::ZeroDuration(), decision);
  return decision;
}

}  // namespace portcullis::pim
