// The result of judging a PIM schedule request: outcome, ordered reason
// codes, the granted window and the bounds that shaped it.
//
// Reason codes use the names Microsoft Graph and ARM report in
// `RoleAssignmentRequestPolicyValidationFailed` errors ("The following policy
// rules failed: [\"ExpirationRule\"]") where such a name exists, and
// PascalCase names of the same style for the outcomes Graph reports in other
// ways (a clipped window, a moved start).
#ifndef PORTCULLIS_PIM_DECISION_H_
#define PORTCULLIS_PIM_DECISION_H_

#include <array>
#include <cstdint>
#include <ostream>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "schedule/interval.h"

namespace portcullis::pim {

enum class Outcome : uint8_t {
  // The request takes effect now.
  kGranted,
  // The request is accepted and takes effect at a later start (Graph returns
  // status "Granted" until then).
  kScheduled,
  // The request waits for an approver until `approval_deadline`.
  kPending,
  // The request is rejected; `reasons` holds at least one rejecting code.
  kRefused,
};

// Returns "granted", "scheduled", "pending" or "refused".
absl::string_view OutcomeName(Outcome outcome);

enum class Reason : uint8_t {
  // Rejecting reasons.
  kEligibilityRule,        // no eligibility covers the request
  kExpirationRule,         // no expiration where required, over the maximum,
                           // or an end not after the start
  kActiveDurationTooShort, // shorter than the minimum (5 minutes)
  kMfaRule,                // MFA required and not satisfied
  kJustificationRule,      // justification required and empty
  kTicketingRule,          // ticket number required and empty
  kAcrsRule,               // authentication context required, not satisfied
  kOutsideWorkWindow,      // the start is outside the work hours
  kRoleAssignmentExists,   // an active assignment overlaps the window
  kRoleAssignmentDoesNotExist,  // nothing to deactivate, extend or renew
  kDeactivationTooSoon,    // within the minimum time after activation
  kExtensionNotYetAllowed, // more than the extension lead before the end
  kRenewalPeriodOver,      // expired longer ago than the renewal period
  // Informational reasons.
  kApprovalRequired,
  kStartMovedToNow,
  kDurationFromPolicyMaximum,
  kClippedToPolicyMaximum,
  kClippedToEligibilityEnd,
  kClippedToWorkWindow,
};

inline constexpr int kReasonCount = 19;

// Returns the PascalCase code of `reason`, e.g. "ExpirationRule".
absl::string_view ReasonName(Reason reason);

// True for the reasons that make a request refused.
bool IsRejecting(Reason reason);

// An ordered list of distinct reasons in fixed storage (no allocation).
class ReasonList {
 public:
  // Appends `reason` unless it is already present.
  void Add(Reason reason) {
    uint32_t bit = uint32_t{1} << static_cast<int>(reason);
    if ((present_ & bit) != 0) return;
    present_ |= bit;
    items_[size_++] = reason;
  }
  bool Contains(Reason reason) const {
    return (present_ & (uint32_t{1} << static_cast<int>(reason))) != 0;
  }
  bool AnyRejecting() const;
  int size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Reason operator[](int i) const { return items_[i]; }
  const Reason* begin() const { return items_.data(); }
  const Reason* end() const { return items_.data() + size_; }
  // The codes joined by ", ", e.g. "EligibilityRule, ExpirationRule".
  std::string ToString() const;

  friend bool operator==(const ReasonList& a, const ReasonList& b) {
    if (a.size_ != b.size_) return false;
    for (int i = 0; i < a.size_; ++i) {
      if (a.items_[i] != b.items_[i]) return false;
    }
    return true;
  }

 private:
  std::array<Reason, kReasonCount> items_{};
  uint8_t size_ = 0;
  uint32_t present_ = 0;
};

// What set the end of the granted window.
enum class EndBound : uint8_t {
  kRequested,       // the request's own end
  kPolicyMaximum,   // start + the policy's maximum (with clipping)
  kEligibilityEnd,  // the end of the backing eligibility
  kWorkWindowClose, // the close of the current work window
  kNow,             // a deactivation or removal ends the window now
};

// Returns "requested", "policyMaximum", "eligibilityEnd", "workWindowClose"
// or "now".
absl::string_view EndBoundName(EndBound bound);

// A decision. Times that do not apply are absl::InfiniteFuture().
struct ActivationDecision {
  Outcome outcome = Outcome::kRefused;
  // In the order the checks run (see ActivationEvaluator::Decide).
  ReasonList reasons;

  // The granted (or, when pending, proposed) half-open window in UTC; empty
  // when refused. An end of absl::InfiniteFuture() means no expiration.
  schedule::Window window;
  EndBound end_bound = EndBound::kRequested;

  // The bounds considered for the end: the request's own end (after the
  // start was normalized), start + the policy maximum, the backing
  // eligibility's end, and the close of the work window holding the start.
  absl::Time requested_end = absl::InfiniteFuture();
  absl::Time policy_maximum_end = absl::InfiniteFuture();
  absl::Time eligibility_end = absl::InfiniteFuture();
  absl::Time work_window_close = absl::InfiniteFuture();
  // With kOutsideWorkWindow: when the next work window opens.
  absl::Time next_work_window_opening = absl::InfiniteFuture();

  // When pending: the time after which the request is denied automatically.
  absl::Time approval_deadline = absl::InfiniteFuture();

  // For a window that is not refused: the earliest time the role can be
  // deactivated (start + 5 minutes), the time from which an extension can be
  // requested (end - 14 days), the time until which an expired assignment
  // can be renewed (end + 30 days), and the latest time an access token
  // issued inside the window can still be valid (end + the maximum token
  // lifetime, 90 minutes by default).
  absl::Time deactivation_opens = absl::InfiniteFuture();
  // NOTE: PIM extends and renews assignments, not activations. The two times
  // below apply only to an assignment's window, so `pim activate` does not
  // print them.
  absl::Time extension_opens = absl::InfiniteFuture();
  absl::Time renewal_closes = absl::InfiniteFuture();
  absl::Time tokens_valid_until = absl::InfiniteFuture();

  // Index of the eligibility (active) instance the decision used, or -1.
  int eligibility_index = -1;
  int active_index = -1;

  // A one-line summary for logs and tests.
  std::string ToString() const;
};

std::ostream& operator<<(std::ostream& os, const ActivationDecision& decision);

}  // namespace portcullis::pim

#endif  // PORTCULLIS_PIM_DECISION_H_
