#include "pim/decision.h"

#include <ostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace portcullis::pim {

absl::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kGranted:
      return "granted";
    case Outcome::kScheduled:
      return "scheduled";
    case Outcome::kPending:
      return "pending";
    case Outcome::kRefused:
      return "refused";
  }
  return "refused";
}

absl::string_view ReasonName(Reason reason) {
  switch (reason) {
    case Reason::kEligibilityRule:
      return "EligibilityRule";
    case Reason::kExpirationRule:
      return "ExpirationRule";
    case Reason::kActiveDurationTooShort:
      return "ActiveDurationTooShort";
    case Reason::kMfaRule:
      return "MfaRule";
    case Reason::kJustificationRule:
      return "JustificationRule";
    case Reason::kTicketingRule:
      return "TicketingRule";
    case Reason::kAcrsRule:
      return "AcrsRule";
    case Reason::kOutsideWorkWindow:
      return "OutsideWorkWindow";
    case Reason::kRoleAssignmentExists:
      return "RoleAssignmentExists";
    case Reason::kRoleAssignmentDoesNotExist:
      return "RoleAssignmentDoesNotExist";
    case Reason::kDeactivationTooSoon:
      return "DeactivationTooSoon";
    case Reason::kExtensionNotYetAllowed:
      return "ExtensionNotYetAllowed";
    case Reason::kRenewalPeriodOver:
      return "RenewalPeriodOver";
    case Reason::kApprovalRequired:
      return "ApprovalRequired";
    case Reason::kStartMovedToNow:
      return "StartMovedToNow";
    case Reason::kDurationFromPolicyMaximum:
      return "DurationFromPolicyMaximum";
    case Reason::kClippedToPolicyMaximum:
      return "ClippedToPolicyMaximum";
    case Reason::kClippedToEligibilityEnd:
      return "ClippedToEligibilityEnd";
    case Reason::kClippedToWorkWindow:
      return "ClippedToWorkWindow";
  }
  return "Unknown";
}

bool IsRejecting(Reason reason) {
  return static_cast<int>(reason) <= static_cast<int>(Reason::kRenewalPeriodOver);
}

bool ReasonList::AnyRejecting() const {
  for (Reason reason : *this) {
    if (IsRejecting(reason)) return true;
  }
  return false;
}

std::string ReasonList::ToString() const {
  std::string out;
  for (Reason reason : *this) {
    if (!out.empty()) out += ", ";
    absl::StrAppend(&out, ReasonName(reason));
  }
  return out;
}

absl::string_view EndBoundName(EndBound bound) {
  switch (bound) {
    case EndBound::kRequested:
      return "requested";
    case EndBound::kPolicyMaximum:
      return "policyMaximum";
    case EndBound::kEligibilityEnd:
      return "eligibilityEnd";
    case EndBound::kWorkWindowClose:
      return "workWindowClose";
    case EndBound::kNow:
      return "now";
  }
  return "requested";
}

std::string ActivationDecision::ToString() const {
  std::string out = std::string(OutcomeName(outcome));
  if (outcome != Outcome::kRefused) {
    absl::StrAppend(&out, " ", window.ToString(), " end set by ",
                    EndBoundName(end_bound));
  }
  if (!reasons.empty()) absl::StrAppend(&out, " [", reasons.ToString(), "]");
  return out;
}

std::ostream& operator<<(std::ostream& os, const ActivationDecision& decision) {
  return os << decision.ToString();
}

}  // namespace portcullis::pim
