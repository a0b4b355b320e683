#include "pim/reference.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pim/internal/ids.h"
#include "pim/internal/proto_time.h"
#include "pim/request_status.h"

namespace portcullis::pim {
namespace {

using schedule::IntervalSet;
using schedule::Window;

// Looks `id` up in effectiveRules when the policy carries them, else in
// rules.
const PolicyRule* FindRule(const RoleManagementPolicy& policy,
                           absl::string_view id) {
  const auto& rules =
      policy.effective_rules().empty() ? policy.rules() : policy.effective_rules();
  for (const PolicyRule& rule : rules) {
    if (rule.id() == id) return &rule;
  }
  return nullptr;
}

bool AppliesToActivation(const PolicyRule& rule) {
  if (rule.target().operations().empty()) return true;
  for (int operation : rule.target().operations()) {
    if (operation == OPERATION_ALL || operation == OPERATION_ACTIVATE) return true;
  }
  return false;
}

std::string ScopeOf(const std::string& directory_scope,
                    const std::string& app_scope) {
  return directory_scope.empty()
             ? internal::NormalizeScope(absl::StrCat("/app:", app_scope))
             : internal::NormalizeScope(directory_scope);
}

// An instance whose status is not a granted or provisioned one (or empty)
// gives nothing.
bool SameHolder(const ScheduleInstance& instance, const ScheduleRequest& request) {
  return ParseRequestStatus(instance.status()) == RequestStatus::kOpen &&
         internal::NormalizeId(instance.principal_id()) ==
             internal::NormalizeId(request.principal_id()) &&
         internal::NormalizeId(instance.role_definition_id()) ==
             internal::NormalizeId(request.role_definition_id()) &&
         internal::ScopeCovers(
             ScopeOf(instance.directory_scope_id(), instance.app_scope_id()),
             ScopeOf(request.directory_scope_id(), request.app_scope_id()));
}

Window WindowOf(const ScheduleInstance& instance) {
  return Window{internal::FromTimestamp(instance.start_time()),
                instance.has_end_time() ? internal::FromTimestamp(instance.end_time())
                                        : absl::InfiniteFuture()};
}

}  // namespace

ActivationDecision DecideActivationReference(
    const RoleManagementPolicy& policy,
    absl::Span<const ScheduleInstance> eligibilities,
    absl::Span<const ScheduleInstance> active_instances,
    const ScheduleRequest& request, const RequestContext& context,
    const ActivationOptions& options, const IntervalSet* work_windows) {
  ActivationDecision decision;
  const absl::Time now = context.now;

  // Start.
  absl::Time start = now;
  if (request.schedule_info().has_start_time()) {
    start = internal::FromTimestamp(request.schedule_info().start_time());
    if (start < now && options.past_start == ActivationOptions::PastStart::kMoveToNow) {
      start = now;
      decision.reasons.Add(Reason::kStartMovedToNow);
    }
  }

  // Eligibility.
  std::optional<Window> eligibility;
  std::string linked = request.linked_eligibility_schedule_id().empty()
                           ? ""
                           : internal::NormalizeId(request.linked_eligibility_schedule_id());
  for (size_t i = 0; i < eligibilities.size(); ++i) {
    const ScheduleInstance& instance = eligibilities[i];
    Window window = WindowOf(instance);
    bool linked_ok =
        linked.empty() ||
        (!instance.id().empty() && internal::NormalizeId(instance.id()) == linked) ||
        (!instance.schedule_id().empty() &&
         internal::NormalizeId(instance.schedule_id()) == linked);
    if (SameHolder(instance, request) && linked_ok && window.Contains(start) &&
        (!eligibility.has_value() || window.end > eligibility->end)) {
      eligibility = window;
      decision.eligibility_index = static_cast<int>(i);
    }
  }
  if (!eligibility.has_value()) decision.reasons.Add(Reason::kEligibilityRule);

  // Expiration.
  const PolicyRule* expiration_rule = FindRule(policy, "Expiration_EndUser_Assignment");
  bool required = expiration_rule != nullptr && AppliesToActivation(*expiration_rule) &&
                  expiration_rule->expiration().is_expiration_required();
  std::optional<absl::Duration> maximum;
  if (required && expiration_rule->expiration().has_maximum_duration()) {
    maximum = internal::FromDurationProto(expiration_rule->expiration().maximum_duration());
  }
  const Expiration& expiration = request.schedule_info().expiration();
  std::optional<absl::Time> requested_end;
  switch (expiration.type()) {
    case EXPIRATION_TYPE_AFTER_DURATION:
      requested_end = start + internal::FromDurationProto(expiration.duration());
      break;
    case EXPIRATION_TYPE_AFTER_DATE_TIME:
      requested_end = internal::FromTimestamp(expiration.end_time());
      break;
    case EXPIRATION_TYPE_NO_EXPIRATION:
      if (required) decision.reasons.Add(Reason::kExpirationRule);
      break;
    default:
      if (!required) break;
      if (options.not_specified == ActivationOptions::NotSpecified::kPolicyMaximum &&
          maximum.has_value()) {
        requested_end = start + *maximum;
        decision.reasons.Add(Reason::kDurationFromPolicyMaximum);
      } else {
        decision.reasons.Add(Reason::kExpirationRule);
      }
  }
  absl::Time end = requested_end.value_or(absl::InfiniteFuture());
  decision.requested_end = end;
  if (requested_end.has_value()) {
    absl::Duration length = *requested_end - start;
    if (length <= absl::ZeroDuration()) {
      decision.reasons.Add(Reason::kExpirationRule);
    } else if (length < options.minimum_duration) {
      decision.reasons.Add(Reason::kActiveDurationTooShort);
    }
  }

  // The bounds, as sets the requested window is intersected with.
  IntervalSet allowed = IntervalSet::Of(Window{start, end});
  struct Bound {
    EndBound kind;
    absl::Time end;
  };
  std::vector<Bound> bounds = {{EndBound::kRequested, end}};
  if (maximum.has_value()) {
    decision.policy_maximum_end = start + *maximum;
    bool over = expiration.type() == EXPIRATION_TYPE_NO_EXPIRATION ||
                !requested_end.has_value() || *requested_end > start + *maximum;
    if (over) {
      if (options.over_maximum == ActivationOptions::OverMaximum::kClip &&
          expiration.type() != EXPIRATION_TYPE_NO_EXPIRATION) {
        allowed = allowed.Intersect(IntervalSet::Of(Window{start, start + *maximum}));
        bounds.push_back({EndBound::kPolicyMaximum, start + *maximum});
        decision.reasons.Add(Reason::kClippedToPolicyMaximum);
      } else {
        decision.reasons.Add(Reason::kExpirationRule);
      }
    }
  }

  // Enablement, authentication context, approval justification.
  const PolicyRule* enablement = FindRule(policy, "Enablement_EndUser_Assignment");
  if (enablement != nullptr && AppliesToActivation(*enablement)) {
    for (int wanted : {ENABLED_RULE_MULTI_FACTOR_AUTHENTICATION,
                       ENABLED_RULE_JUSTIFICATION, ENABLED_RULE_TICKETING}) {
      bool enabled = false;
      for (int rule : enablement->enablement().enabled_rules()) {
        enabled = enabled || rule == wanted;
      }
      if (!enabled) continue;
      if (wanted == ENABLED_RULE_MULTI_FACTOR_AUTHENTICATION && !context.mfa_satisfied) {
        decision.reasons.Add(Reason::kMfaRule);
      }
      if (wanted == ENABLED_RULE_JUSTIFICATION && request.justification().empty()) {
        decision.reasons.Add(Reason::kJustificationRule);
      }
      if (wanted == ENABLED_RULE_TICKETING &&
          request.ticket_info().ticket_number().empty()) {
        decision.reasons.Add(Reason::kTicketingRule);
      }
    }
  }
  const PolicyRule* acrs = FindRule(policy, "AuthenticationContext_EndUser_Assignment");
  if (acrs != nullptr && acrs->authentication_context().is_enabled()) {
    bool satisfied = false;
    for (const std::string& claim : context.authentication_contexts) {
      satisfied = satisfied || claim == acrs->authentication_context().claim_value();
    }
    if (!satisfied) decision.reasons.Add(Reason::kAcrsRule);
  }
  const PolicyRule* approval = FindRule(policy, "Approval_EndUser_Assignment");
  bool needs_approval = approval != nullptr && approval->approval().is_approval_required();
  if (needs_approval && approval->approval().is_requestor_justification_required() &&
      request.justification().empty()) {
    decision.reasons.Add(Reason::kJustificationRule);
  }

  // The end of the eligibility; no clipping once the expiration failed.
  bool expiration_failed = decision.reasons.Contains(Reason::kExpirationRule);
  if (eligibility.has_value()) {
    decision.eligibility_end = eligibility->end;
    if (!expiration_failed &&
        !allowed.Difference(IntervalSet::Of(*eligibility)).empty()) {
      if (options.eligibility_end == ActivationOptions::EligibilityEnd::kClip) {
        allowed = allowed.Intersect(IntervalSet::Of(*eligibility));
        bounds.push_back({EndBound::kEligibilityEnd, eligibility->end});
        decision.reasons.Add(Reason::kClippedToEligibilityEnd);
      } else {
        decision.reasons.Add(Reason::kEligibilityRule);
      }
    }
  }

  // Work hours.
  if (work_windows != nullptr) {
    if (!work_windows->Contains(start)) {
      decision.reasons.Add(Reason::kOutsideWorkWindow);
      decision.next_work_window_opening =
          work_windows->NextOpening(start).value_or(absl::InfiniteFuture());
    } else {
      decision.work_window_close = *work_windows->NextClosing(start);
      if (!expiration_failed && !allowed.Difference(*work_windows).empty()) {
        allowed = allowed.Intersect(*work_windows);
        bounds.push_back({EndBound::kWorkWindowClose, decision.work_window_close});
        decision.reasons.Add(Reason::kClippedToWorkWindow);
      }
    }
  }

  // The granted window is the piece of `allowed` that holds the start.
  std::optional<Window> piece = allowed.WindowAt(start);
  Window window = piece.value_or(Window{start, start});
  for (const Bound& bound : bounds) {
    if (bound.end == window.end) {
      decision.end_bound = bound.kind;
      break;
    }
  }
  if (bounds.size() > 1 && window.length() < options.minimum_duration) {
    decision.reasons.Add(Reason::kActiveDurationTooShort);
  }

  // Overlap with an active assignment.
  for (size_t i = 0; i < active_instances.size(); ++i) {
    if (SameHolder(active_instances[i], request) &&
        !IntervalSet::Of(WindowOf(active_instances[i]))
             .Intersect(IntervalSet::Of(Window{start, window.end}))
             .empty()) {
      decision.reasons.Add(Reason::kRoleAssignmentExists);
      decision.active_index = static_cast<int>(i);
      break;
    }
  }

  // Outcome.
  if (decision.reasons.AnyRejecting()) {
    decision.outcome = Outcome::kRefused;
    decision.window = Window();
    return decision;
  }
  decision.window = window;
  if (needs_approval) {
    decision.outcome = Outcome::kPending;
    decision.reasons.Add(Reason::kApprovalRequired);
    int days = approval->approval().approval_stages().empty()
                   ? 0
                   : approval->approval().approval_stages(0).approval_stage_time_out_in_days();
    decision.approval_deadline = now + (days > 0 ? absl::Hours(24) * days : absl::Hours(24));
  } else {
    decision.outcome = start > now ? Outcome::kScheduled : Outcome::kGranted;
  }
  decision.deactivation_opens = window.start + options.deactivation_delay;
  if (window.end != absl::InfiniteFuture()) {
    decision.extension_opens = window.end - options.extension_lead;
    decision.renewal_closes = window.end + options.renewal_period;
    decision.tokens_valid_until = window.end + options.token_lifetime;
  }
  return decision;
}

}  // namespace portcullis::pim
