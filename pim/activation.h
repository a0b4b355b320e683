// Decisions on PIM schedule requests: activations above all, and the other
// request actions (deactivate, extend, renew, and the admin actions).
//
// The evaluator is built once from a role's compiled policy, the principal's
// eligibility and active schedule instances, options and, optionally, the
// work hours as UTC windows; each Decide() call then judges one request at a
// given `now` without allocating:
//
//   absl::StatusOr<ActivationEvaluator> evaluator = ActivationEvaluator::Create(
//       *policy, eligibilities, active_instances, ActivationOptions());
//   absl::StatusOr<ActivationRequest> request = ActivationRequest::Create(proto);
//   ActivationDecision decision =
//       evaluator->Decide(*request, RequestContext{now, /*mfa_satisfied=*/true});
//   // decision.outcome == Outcome::kGranted,
//   // decision.window == [now, now + 5h), decision.reasons empty
//
// Windows are half-open [start, end) in UTC. The rules come from Microsoft
// Entra PIM as documented on Microsoft Learn; where the documentation leaves
// a point open, ActivationOptions decides it and its comment says what the
// service is known to do.
#ifndef PORTCULLIS_PIM_ACTIVATION_H_
#define PORTCULLIS_PIM_ACTIVATION_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "pim/decision.h"
#include "pim/policy.h"
#include "pim/request_status.h"
#include "proto/pim.pb.h"
#include "schedule/interval.h"

namespace portcullis::pim {

// Choices for the points the PIM documentation leaves open, and the fixed
// time limits it documents. A plain struct; the defaults are documented per
// field.
struct ActivationOptions {
  // A request that ends after the backing eligibility does. PIM does not
  // document this case. kClip (default) ends the window with the
  // eligibility and adds ClippedToEligibilityEnd; kReject refuses with
  // EligibilityRule.
  enum class EligibilityEnd { kClip, kReject };
  EligibilityEnd eligibility_end = EligibilityEnd::kClip;

  // A request longer than the policy maximum. The service rejects it with
  // ExpirationRule, which kReject (default) mirrors; kClip shortens it to
  // the maximum and adds ClippedToPolicyMaximum, as some clients do.
  enum class OverMaximum { kReject, kClip };
  OverMaximum over_maximum = OverMaximum::kReject;

  // A start before `now`. The service replaces it by the processing time,
  // which kMoveToNow (default) mirrors, adding StartMovedToNow; kKeep keeps
  // the requested start, so the window may have begun in the past. Judging
  // a recorded request at a later `now` with kMoveToNow would move its
  // window along with `now`. So the decision layer (decide/) passes the
  // request's processing time as RequestContext::now instead.
  enum class PastStart { kMoveToNow, kKeep };
  PastStart past_start = PastStart::kMoveToNow;

  // An expiration of type notSpecified (or none at all) where expiration is
  // required. kReject (default) refuses with ExpirationRule; kPolicyMaximum
  // grants the policy maximum and adds DurationFromPolicyMaximum.
  enum class NotSpecified { kReject, kPolicyMaximum };
  NotSpecified not_specified = NotSpecified::kReject;

  // The shortest activation or assignment PIM accepts ("The Active duration
  // is too short. Minimum Required is 5 minutes.").
  absl::Duration minimum_duration = absl::Minutes(5);
  // How long after activation a role can be deactivated.
  absl::Duration deactivation_delay = absl::Minutes(5);
  // How long before the end an extension can be requested (the portal
  // offers it 14 days before).
  absl::Duration extension_lead = absl::Hours(24 * 14);
  // How long after the end an expired assignment can be renewed.
  absl::Duration renewal_period = absl::Hours(24 * 30);
  // The longest lifetime of an access token issued inside the window:
  // Microsoft Entra access tokens live 60 to 90 minutes and cannot be
  // revoked, so access can outlive the window by this much.
  absl::Duration token_lifetime = absl::Minutes(90);
};

// What the request's sender proved when signing in.
struct RequestContext {
  absl::Time now;
  // The sign-in satisfied multifactor authentication.
  bool mfa_satisfied = false;
  // Authentication context ids ("c1") the sign-in satisfied.
  absl::Span<const std::string> authentication_contexts;
};

// A schedule request compiled for decisions: ids in comparison form, times
// as absl types. A value type; thread-safe to read.
struct ActivationRequest {
  Level level = LEVEL_ASSIGNMENT;
  Action action = ACTION_UNSPECIFIED;
  std::string principal_id;
  std::string role_definition_id;
  std::string scope;
  std::string linked_eligibility_id;
  // nullopt: start when processed.
  std::optional<absl::Time> start;
  ExpirationType expiration_type = EXPIRATION_TYPE_NOT_SPECIFIED;
  // For EXPIRATION_TYPE_AFTER_DURATION.
  absl::Duration duration = absl::ZeroDuration();
  // For EXPIRATION_TYPE_AFTER_DATE_TIME.
  absl::Time end = absl::InfiniteFuture();
  bool has_justification = false;
  bool has_ticket = false;
  // When the service recorded the request (createdDateTime or createdOn);
  // nullopt in a request as posted.
  std::optional<absl::Time> created;
  // What the recorded `status` means; kOpen when there is none.
  RequestStatus status = RequestStatus::kOpen;

  // Compiles `request`. Fails when the action, principal, role or scope is
  // missing, when the expiration lacks the duration or end its type needs,
  // or when the status is not a value Graph or ARM defines.
  static absl::StatusOr<ActivationRequest> Create(const ScheduleRequest& request);
};

// True when `deactivation`, a selfDeactivate or adminRemove request at the
// assignment level, ends the role that `activation` activates: the same
// principal, role and scope. A deactivation removes the assignment at its
// own scope only, so one at a parent scope ends nothing below it.
bool DeactivationEnds(const ActivationRequest& deactivation,
                      const ActivationRequest& activation);

// One eligibility or active instance in comparison form.
struct CompiledInstance {
  std::string principal_id;
  std::string role_definition_id;
  std::string scope;
  // Comparison forms of the instance id, its schedule id and the eligibility
  // schedule it was activated from (empty when unknown).
  std::string id;
  std::string schedule_id;
  std::string linked_eligibility_id;
  schedule::Window window;
  // What the recorded `status` (ARM's RoleManagementScheduleStatus) means;
  // kOpen when there is none. A revoked, canceled or failed instance, or
  // one still waiting for approval, grants nothing.
  RequestStatus status = RequestStatus::kOpen;
  // The recorded `status` as written, for messages; empty when none.
  std::string status_text;

  bool in_force() const { return status == RequestStatus::kOpen; }
};

// True when `deactivation`, a selfDeactivate or adminRemove request at the
// assignment level, targets `instance`: the same principal, role and scope. The caller checks when the
// deactivation took effect.
bool DeactivationEnds(const ActivationRequest& deactivation,
                      const CompiledInstance& instance);

// True when `eligibility` could back activation `request`: it is in force,
// gives the request's principal its role at a scope that covers the
// request's, and is the eligibility the request links to when it names
// one. ActivationEvaluator::Decide() uses, among these, one whose window
// contains the start.
bool MayBack(const CompiledInstance& eligibility, const ActivationRequest& request);

// Compiles instances for an evaluator. Fails on a missing principal, role,
// scope or start, or a status that neither Graph nor ARM defines, naming the
// instance by index.
absl::StatusOr<std::vector<CompiledInstance>> CompileInstances(
    absl::Span<const ScheduleInstance> instances);

// Judges requests for one role policy against fixed instances. Immutable
// after Create(); Decide() is thread-safe and allocates nothing.
class ActivationEvaluator {
 public:
  // `work_windows`, when given, holds the UTC windows in which activations
  // may run (for example a weekly schedule expanded over the coming weeks);
  // instants outside them are outside work hours.
  static absl::StatusOr<ActivationEvaluator> Create(
      RolePolicy policy, absl::Span<const ScheduleInstance> eligibilities,
      absl::Span<const ScheduleInstance> active_instances,
      ActivationOptions options,
      std::optional<schedule::IntervalSet> work_windows = std::nullopt);

  // Decides `request` at `context.now`. For selfActivate the checks run in
  // this order, and `reasons` lists their findings in the same order:
  //   1. start: absent means now; a past start is moved to now (option);
  //   2. eligibility: an eligibility of the same principal and role whose
  //      scope covers the request's and whose window holds the start (and,
  //      when the request names one, the linked eligibility) -> EligibilityRule;
  //   3. expiration against Expiration_EndUser_Assignment: noExpiration or
  //      notSpecified where expiration is required, an end not after the
  //      start -> ExpirationRule; shorter than the minimum ->
  //      ActiveDurationTooShort; longer than the maximum -> ExpirationRule
  //      or clipped (option);
  //   4. Enablement_EndUser_Assignment: MfaRule, JustificationRule,
  //      TicketingRule; then the authentication context -> AcrsRule; and a
  //      justification when approval requires one -> JustificationRule;
  //   5. the end of the eligibility -> clipped or EligibilityRule (option);
  //   6. work hours: the start outside them -> OutsideWorkWindow, else the
  //      end is clipped to the close of the work window;
  //   7. a window cut below the minimum by steps 5-6 -> ActiveDurationTooShort;
  //   8. an active instance of the same principal and role whose scope covers
  //      the request's and whose window overlaps -> RoleAssignmentExists;
  //   9. Approval_EndUser_Assignment -> pending with ApprovalRequired.
  // The outcome is refused when any rejecting reason was found, else pending
  // when approval is required, else scheduled when the start is after now,
  // else granted. Other actions are documented in activation.cc next to
  // their code.
  ActivationDecision Decide(const ActivationRequest& request,
                            const RequestContext& context) const;

  const RolePolicy& policy() const { return policy_; }
  const ActivationOptions& options() const { return options_; }
  const std::vector<CompiledInstance>& eligibilities() const {
    return eligibilities_;
  }
  const std::vector<CompiledInstance>& active_instances() const {
    return active_;
  }
  const std::optional<schedule::IntervalSet>& work_windows() const {
    return work_windows_;
  }

 private:
  ActivationEvaluator(RolePolicy policy, ActivationOptions options)
      : policy_(std::move(policy)), options_(options) {}

  ActivationDecision DecideActivation(const ActivationRequest& request,
                                      const RequestContext& context) const;
  ActivationDecision DecideDeactivation(const ActivationRequest& request,
                                        const RequestContext& context) const;
  ActivationDecision DecideExtendOrRenew(const ActivationRequest& request,
                                         const RequestContext& context) const;
  ActivationDecision DecideAdmin(const ActivationRequest& request,
                                 const RequestContext& context) const;

  RolePolicy policy_;
  ActivationOptions options_;
  std::vector<CompiledInstance> eligibilities_;
  std::vector<CompiledInstance> active_;
  std::optional<schedule::IntervalSet> work_windows_;
};

}  // namespace portcullis::pim

#endif  // PORTCULLIS_PIM_ACTIVATION_H_
