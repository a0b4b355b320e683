// Conditional Access evaluation: policies compiled once, sign-ins evaluated
// many times, with What-If explanations.
//
//   absl::StatusOr<ConditionalAccessPolicySet> set =
//       ConditionalAccessPolicySet::Compile(policies, locations);
//   absl::StatusOr<ConditionalAccessPolicySet::Decision> d =
//       set->Evaluate(sign_in, now);
//   if (!d.ok() || d->outcome == Outcome::kBlock) ...
//   absl::StatusOr<WhatIfResult> why =
//       set->Explain(sign_in, now, EvaluationMode::kStrict);
//
// Semantics, as Microsoft documents them:
//   - Disabled policies are skipped. Report-only policies are evaluated and
//     reported, never enforced.
//   - A policy applies when every condition it configures holds; inside a
//     condition an exclusion wins over an inclusion. A condition that is not
//     configured holds for every sign-in.
//   - Any applying enforced policy that blocks decides the sign-in.
//     Otherwise the grant controls of every applying enforced policy must be
//     met; no applying policy means access is allowed.
//
// Facts the sign-in does not supply make a condition unknown (Kleene logic,
// see ca_tri.h). EvaluationMode decides what unknown means:
//   - kStrict, as Graph's What-If API does: the policy does not apply and
//     the reason is notEnoughInformation;
//   - kLenient (the default), as the portal's older What If tool did: the
//     condition counts as satisfied, so the policy still applies. This is
//     the fail-closed choice for enforcement.
//
// Conditions are checked in a fixed order. The first one that keeps a policy
// from applying is reported, as the portal's What If tool reports "the first
// condition that wasn't satisfied". The order is: users (or workload
// identities), target resources, device platforms, devices, client apps,
// locations, sign-in risk, user risk, service principal risk, insider risk,
// authentication flows, and the schedule extension.
//
// Extension: a policy's ScheduleCondition (proto/ca.proto) restricts it to
// inside or outside a work-hour schedule at the `now` passed in; the reason
// is Graph's `time`.
//
// An instant that cannot be judged is an error, never a sign-in that no
// policy applies to. Evaluate() and Explain() fail with InvalidArgument when
// `now` is absl::InfiniteFuture() or absl::InfinitePast(). They also fail,
// naming the policy, when a schedule cannot be expanded around `now`.
//
// A policy set is immutable and safe to evaluate from any number of threads
// at once; copies share the compiled data. Evaluate() allocates nothing for
// up to 256 policies, except when a device filter uses the -match extension
// (RE2 may allocate) or a schedule must be expanded outside the range given
// in CompileOptions.
#ifndef PORTCULLIS_ACCESS_CONDITIONAL_ACCESS_H_
#define PORTCULLIS_ACCESS_CONDITIONAL_ACCESS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "access/ca_controls.h"
#include "access/ca_named_locations.h"
#include "access/ca_sign_in.h"
#include "access/ca_tri.h"
#include "access/device_filter.h"
#include "proto/ca.pb.h"

namespace portcullis::access {

enum class EvaluationMode : uint8_t { kLenient, kStrict };

// Graph's whatIfAnalysisReasons, in Graph's order.
enum class WhatIfReason : uint8_t {
  kNotSet,
  kNotEnoughInformation,
  kInvalidCondition,
  kUsers,
  kWorkloadIdentities,
  kApplication,
  kUserActions,
  kAuthenticationContext,
  kDevicePlatform,
  kDevices,
  kClientApps,
  kLocation,
  kSignInRisk,
  kEmptyPolicy,
  kInvalidPolicy,
  kPolicyNotEnabled,
  kUserRisk,
  kTime,
  kInsiderRisk,
  kAuthenticationFlow,
};

// Graph's spelling, such as "notEnoughInformation".
absl::string_view WhatIfReasonName(WhatIfReason reason);

// The conditions of a policy, in evaluation order.
enum class Condition : uint8_t {
  kIdentity,  // users and groups, or workload identities
  kTarget,    // applications, user actions or authentication contexts
  kDevicePlatform,
  kDevices,
  kClientApps,
  kLocation,
  kSignInRisk,
  kUserRisk,
  kServicePrincipalRisk,
  kInsiderRisk,
  kAuthenticationFlow,
  kTime,
};

inline constexpr int kConditionCount = 12;

// The reason Graph gives when `condition` fails for `sign_in`. Graph has no
// service principal risk reason; that condition reports workloadIdentities.
// It holds for every user sign-in, because it concerns workload identities.
WhatIfReason ReasonFor(Condition condition, const SignIn& sign_in);

struct CompileOptions {
  // Options for reading device filter rules (null semantics, -match).
  DeviceFilterOptions device_filter;
  // Application ids to count as members of `Office365` besides the built-in
  // list of ca_app_groups.h.
  std::vector<std::string> extra_office365_app_ids;
  // Work-hour schedules are expanded once over [schedule_from, schedule_to)
  // so that evaluation inside that range allocates nothing. Outside it (and
  // by default) each evaluation expands the week around `now`.
  absl::Time schedule_from = absl::InfinitePast();
  absl::Time schedule_to = absl::InfinitePast();
};

// One policy's part in a What-If result. Plain data.
struct PolicyResult {
  int policy = -1;       // index into ConditionalAccessPolicySet::policies()
  bool enabled = false;  // enabled or report-only
  bool report_only = false;
  bool applies = false;
  // Each condition's value for this sign-in (kTrue when not configured).
  std::array<Tri, kConditionCount> conditions{};
  // Bits (1 << WhatIfReason): kNotSet alone when the policy applies;
  // otherwise the reason of every condition that keeps it from applying,
  // with kNotEnoughInformation for unknown ones in strict mode.
  uint32_t reasons = 0;
  // The reason of the first such condition in evaluation order, or
  // kPolicyNotEnabled; kNotSet when the policy applies.
  WhatIfReason first_reason = WhatIfReason::kNotSet;
  // Meaningful when the policy applies.
  GrantResult grant;

  // Graph's appliedConditionalAccessPolicyResult spelling: success,
  // failure, notApplied, notEnabled, or for report-only policies
  // reportOnlySuccess, reportOnlyFailure (a block, or a device or app
  // control not met), reportOnlyInterrupted (only interactive controls not
  // met) and reportOnlyNotApplied.
  absl::string_view ResultName() const;

  // The reasons as Graph spells them, in Graph's order.
  std::vector<std::string> ReasonNames() const;
};

enum class Outcome : uint8_t { kAllow, kBlock, kRequirements };

// "allow", "block" or "requirements".
absl::string_view OutcomeName(Outcome outcome);

// The result of a What-If evaluation with every policy's part.
struct WhatIfResult {
  Outcome outcome = Outcome::kAllow;
  // The first applying enforced policy that blocks, or -1.
  int blocking_policy = -1;
  // Controls still needed from applying enforced policies, in Microsoft's
  // prompt order (see ca_controls.h); empty on block and allow.
  std::vector<std::string> requirements;
  // Merged session controls of the applying enforced policies.
  ca::SessionControls session_controls;
  // One entry per policy, in compile order.
  std::vector<PolicyResult> policies;
};

namespace internal {
struct CompiledPolicies;
}  // namespace internal

// A compiled, immutable set of policies and the named locations they use.
class ConditionalAccessPolicySet {
 public:
  // The hot-path result: fixed size, no allocation.
  struct Decision {
    Outcome outcome = Outcome::kAllow;
    // The blocking policy, or the first applying enforced policy with unmet
    // controls; -1 when access is allowed.
    int deciding_policy = -1;
  };

  // Compiles `policies` against `locations` (which may be null when no
  // policy names a location). Fails when a policy's device filter does not
  // parse or its schedule is invalid, naming the policy. Ids the policies
  // name that `locations` lacks are unknown locations: they add a warning
  // and make the location condition unknown.
  static absl::StatusOr<ConditionalAccessPolicySet> Compile(
      std::vector<ca::Policy> policies,
      std::shared_ptr<const NamedLocationSet> locations,
      const CompileOptions& options = {});

  // Decides a sign-in at `now`. Fails with InvalidArgument for a `now`
  // that is not finite or a schedule that cannot be expanded around it.
  absl::StatusOr<Decision> Evaluate(
      const SignIn& sign_in, absl::Time now,
      EvaluationMode mode = EvaluationMode::kLenient) const;

  // Decides a sign-in and explains every policy's part. Fails as Evaluate()
  // does.
  absl::StatusOr<WhatIfResult> Explain(
      const SignIn& sign_in, absl::Time now,
      EvaluationMode mode = EvaluationMode::kLenient) const;

  const std::vector<ca::Policy>& policies() const;
  const CompiledGrant& grant(int policy) const;
  // Problems found while compiling that did not stop it, such as policies
  // naming locations that the named location set lacks.
  const std::vector<std::string>& warnings() const;

 private:
  explicit ConditionalAccessPolicySet(
      std::shared_ptr<const internal::CompiledPolicies> data)
      : data_(std::move(data)) {}

  std::shared_ptr<const internal::CompiledPolicies> data_;
};

}  // namespace portcullis::access

#endif  // PORTCULLIS_ACCESS_CONDITIONAL_ACCESS_H_
