#include "pim/activation.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pim/decision.h"
#include "pim/import.h"
#include "pim/policy.h"
#include "schedule/interval.h"
#include "schedule/rfc3339.h"
#include "tests/pim/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::pim {
namespace {

using schedule::FormatRfc3339;
using schedule::IntervalSet;
using schedule::Window;
using testing::At;
using testing::InstanceSettings;
using testing::PolicySettings;
using testing::RequestSettings;
using ::testing::ElementsAreArray;

constexpr char kNow[] = "2026-03-02T09:00:00Z";

struct Case {
  std::string name;
  PolicySettings policy;
  std::vector<InstanceSettings> eligibilities = {
      {.start = "2026-03-01T00:00:00Z", .end = "2026-06-01T00:00:00Z"}};
  std::vector<InstanceSettings> active;
  RequestSettings request;
  Level level = LEVEL_ASSIGNMENT;
  std::string now = kNow;
  bool mfa = true;
  std::vector<std::string> authentication_contexts;
  ActivationOptions options;
  std::optional<std::vector<Window>> work_windows;

  std::string outcome = "granted";
  std::vector<std::string> reasons;
  std::string start;  // checked when not refused
  std::string end;    // "inf" for no end
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<std::string> ReasonNames(const ReasonList& reasons) {
  std::vector<std::string> out;
  for (Reason reason : reasons) out.emplace_back(ReasonName(reason));
  return out;
}

// Imports the case's JSON and decides it.
absl::StatusOr<ActivationDecision> DecideCase(const Case& c) {
  absl::StatusOr<RoleManagementPolicy> policy =
      ImportRoleManagementPolicy(testing::PolicyJson(c.policy));
  if (!policy.ok()) return policy.status();
  absl::StatusOr<RolePolicy> compiled = RolePolicy::Compile(*policy);
  if (!compiled.ok()) return compiled.status();
  absl::StatusOr<std::vector<ScheduleInstance>> eligibilities =
      ImportScheduleInstances(testing::InstanceListJson(c.eligibilities),
                              LEVEL_ELIGIBILITY);
  if (!eligibilities.ok()) return eligibilities.status();
  absl::StatusOr<std::vector<ScheduleInstance>> active =
      ImportScheduleInstances(testing::InstanceListJson(c.active), LEVEL_ASSIGNMENT);
  if (!active.ok()) return active.status();
  absl::StatusOr<ScheduleRequest> request =
      ImportScheduleRequest(testing::RequestJson(c.request));
  if (!request.ok()) return request.status();
  request->set_level(c.level);

  std::optional<IntervalSet> work;
  if (c.work_windows.has_value()) work = IntervalSet::FromWindows(*c.work_windows);
  absl::StatusOr<ActivationEvaluator> evaluator = ActivationEvaluator::Create(
      *std::move(compiled), *eligibilities, *active, c.options, work);
  if (!evaluator.ok()) return evaluator.status();
  absl::StatusOr<ActivationRequest> compiled_request =
      ActivationRequest::Create(*request);
  if (!compiled_request.ok()) return compiled_request.status();
  RequestContext context{At(c.now), c.mfa, c.authentication_contexts};
  return evaluator->Decide(*compiled_request, context);
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  auto add = [&cases](Case c) { cases.push_back(std::move(c)); };
  Case base;
  base.start = kNow;
  base.end = "2026-03-02T14:00:00Z";

  { Case c = base; c.name = "GrantedNow"; add(c); }
  { Case c = base; c.name = "OtherRoleIsNotEligible";
    c.eligibilities[0].role = "62e90394-69f5-4237-9190-012177145e10";
    c.outcome = "refused"; c.reasons = {"EligibilityRule"}; add(c); }
  { Case c = base; c.name = "OtherPrincipalIsNotEligible";
    c.eligibilities[0].principal = "a3bb8764-cb92-4276-9d2a-ca1e895e55ea";
    c.outcome = "refused"; c.reasons = {"EligibilityRule"}; add(c); }
  { Case c = base; c.name = "EligibilityNotStarted";
    c.eligibilities[0].start = "2026-03-02T09:00:01Z";
    c.outcome = "refused"; c.reasons = {"EligibilityRule"}; add(c); }
  { Case c = base; c.name = "EligibilityStartsExactlyNow";
    c.eligibilities[0].start = kNow; add(c); }
  { Case c = base; c.name = "EligibilityEndedExactlyNow";
    c.eligibilities[0].end = kNow;
    c.outcome = "refused"; c.reasons = {"EligibilityRule"}; add(c); }
  { Case c = base; c.name = "ProvisionedEligibility";
    c.eligibilities[0].status = "Provisioned"; add(c); }
  { Case c = base; c.name = "RevokedEligibilityGivesNothing";
    c.eligibilities[0].status = "Revoked";
    c.outcome = "refused"; c.reasons = {"EligibilityRule"}; add(c); }
  { Case c = base; c.name = "PermanentEligibility";
    c.eligibilities[0].end = ""; add(c); }
  // A request over the maximum is rejected, not clipped, by the service.
  { Case c = base; c.name = "OverMaximumRejected"; c.request.duration = "PT9H";
    c.outcome = "refused"; c.reasons = {"ExpirationRule"}; add(c); }
  { Case c = base; c.name = "OverMaximumClipped"; c.request.duration = "PT9H";
    c.options.over_maximum = ActivationOptions::OverMaximum::kClip;
    c.reasons = {"ClippedToPolicyMaximum"}; c.end = "2026-03-02T17:00:00Z"; add(c); }
  { Case c = base; c.name = "ExactlyMaximum"; c.request.duration = "PT8H";
    c.end = "2026-03-02T17:00:00Z"; add(c); }
  // A one-day maximum allows 24 hours, not the 8 hours some clients assume.
  { Case c = base; c.name = "OneDayMaximumAllows24Hours";
    c.policy.maximum_duration = "P1D"; c.request.duration = "PT24H";
    c.eligibilities[0].end = ""; c.end = "2026-03-03T09:00:00Z"; add(c); }
  // The portal's smallest maximum is half an hour.
  { Case c = base; c.name = "HalfHourMaximumAllowsHalfHour";
    c.policy.maximum_duration = "PT30M"; c.request.duration = "PT30M";
    c.end = "2026-03-02T09:30:00Z"; add(c); }
  { Case c = base; c.name = "HalfHourMaximumRejects31Minutes";
    c.policy.maximum_duration = "PT30M"; c.request.duration = "PT31M";
    c.outcome = "refused"; c.reasons = {"ExpirationRule"}; add(c); }
  // "The Active duration is too short. Minimum Required is 5 minutes."
  { Case c = base; c.name = "JustUnderFiveMinutes"; c.request.duration = "PT4M59S";
    c.outcome = "refused"; c.reasons = {"ActiveDurationTooShort"}; add(c); }
  { Case c = base; c.name = "ExactlyFiveMinutes"; c.request.duration = "PT5M";
    c.end = "2026-03-02T09:05:00Z"; add(c); }
  // The legacy PIM API sends over-range minutes.
  { Case c = base; c.name = "LegacyMinutesDuration";
    c.policy.maximum_duration = "PT12H"; c.request.duration = "PT720M";
    c.end = "2026-03-02T21:00:00Z"; add(c); }
  { Case c = base; c.name = "MfaMissing"; c.mfa = false;
    c.outcome = "refused"; c.reasons = {"MfaRule"}; add(c); }
  { Case c = base; c.name = "JustificationMissing"; c.request.justification = "";
    c.outcome = "refused"; c.reasons = {"JustificationRule"}; add(c); }
  { Case c = base; c.name = "TicketMissing";
    c.policy.enabled_rules = {"Ticketing"};
    c.outcome = "refused"; c.reasons = {"TicketingRule"}; add(c); }
  { Case c = base; c.name = "TicketGiven"; c.policy.enabled_rules = {"Ticketing"};
    c.request.ticket_number = "CONTOSO:Normal-67890"; add(c); }
  { Case c = base; c.name = "NothingEnabled"; c.policy.enabled_rules = {};
    c.mfa = false; c.request.justification = ""; add(c); }
  // Several failing rules are reported together, in check order.
  { Case c = base; c.name = "SeveralRulesFailTogether";
    c.eligibilities.clear(); c.request.duration = "PT9H"; c.mfa = false;
    c.request.justification = ""; c.policy.enabled_rules.push_back("Ticketing");
    c.outcome = "refused";
    c.reasons = {"EligibilityRule", "ExpirationRule", "MfaRule",
                 "JustificationRule", "TicketingRule"};
    add(c); }
  { Case c = base; c.name = "FutureStartIsScheduled";
    c.request.start = "2026-03-03T08:00:00Z"; c.outcome = "scheduled";
    c.start = "2026-03-03T08:00:00Z"; c.end = "2026-03-03T13:00:00Z"; add(c); }
  // The maximum bounds the active length, not how far ahead it starts.
  { Case c = base; c.name = "MaximumDoesNotBoundLeadTime";
    c.request.start = "2026-03-20T08:00:00Z"; c.request.duration = "PT8H";
    c.outcome = "scheduled"; c.start = "2026-03-20T08:00:00Z";
    c.end = "2026-03-20T16:00:00Z"; add(c); }
  { Case c = base; c.name = "PastStartMovedToNow";
    c.request.start = "2026-03-02T07:00:00Z"; c.reasons = {"StartMovedToNow"};
    add(c); }
  { Case c = base; c.name = "PastStartKept";
    c.request.start = "2026-03-02T07:00:00Z";
    c.options.past_start = ActivationOptions::PastStart::kKeep;
    c.start = "2026-03-02T07:00:00Z"; c.end = "2026-03-02T12:00:00Z"; add(c); }
  { Case c = base; c.name = "NoExpirationRejected";
    c.request.expiration_type = "noExpiration"; c.request.duration = "";
    c.outcome = "refused"; c.reasons = {"ExpirationRule"}; add(c); }
  { Case c = base; c.name = "NotSpecifiedRejected";
    c.request.expiration_type = "notSpecified"; c.request.duration = "";
    c.outcome = "refused"; c.reasons = {"ExpirationRule"}; add(c); }
  { Case c = base; c.name = "NotSpecifiedGetsPolicyMaximum";
    c.request.expiration_type = "NotSpecified"; c.request.duration = "";
    c.options.not_specified = ActivationOptions::NotSpecified::kPolicyMaximum;
    c.reasons = {"DurationFromPolicyMaximum"}; c.end = "2026-03-02T17:00:00Z";
    add(c); }
  { Case c = base; c.name = "AfterDateTime";
    c.request.expiration_type = "AFTERDATETIME"; c.request.duration = "";
    c.request.end = "2026-03-02T10:30:00.5Z"; c.end = "2026-03-02T10:30:00.5Z";
    add(c); }
  { Case c = base; c.name = "AfterDateTimeBeforeStart";
    c.request.expiration_type = "afterDateTime"; c.request.duration = "";
    c.request.end = "2026-03-02T08:00:00Z";
    c.outcome = "refused"; c.reasons = {"ExpirationRule"}; add(c); }
  { Case c = base; c.name = "EligibilityEndClips";
    c.eligibilities[0].end = "2026-03-02T11:00:00Z";
    c.reasons = {"ClippedToEligibilityEnd"}; c.end = "2026-03-02T11:00:00Z";
    add(c); }
  { Case c = base; c.name = "EligibilityEndRejects";
    c.eligibilities[0].end = "2026-03-02T11:00:00Z";
    c.options.eligibility_end = ActivationOptions::EligibilityEnd::kReject;
    c.outcome = "refused"; c.reasons = {"EligibilityRule"}; add(c); }
  { Case c = base; c.name = "EligibilityEndLeavesTooLittle";
    c.eligibilities[0].end = "2026-03-02T09:04:00Z"; c.outcome = "refused";
    c.reasons = {"ClippedToEligibilityEnd", "ActiveDurationTooShort"}; add(c); }
  { Case c = base; c.name = "LongestEligibilityChosen";
    c.eligibilities = {{.start = "2026-03-01T00:00:00Z", .end = "2026-03-02T10:00:00Z"},
                       {.start = "2026-03-01T00:00:00Z", .end = "2026-03-02T12:00:00Z"}};
    c.reasons = {"ClippedToEligibilityEnd"}; c.end = "2026-03-02T12:00:00Z"; add(c); }
  // One active activation per principal, role and scope.
  { Case c = base; c.name = "OverlappingActivationExists";
    c.active = {{.start = "2026-03-02T08:00:00Z", .end = "2026-03-02T09:30:00Z"}};
    c.outcome = "refused"; c.reasons = {"RoleAssignmentExists"}; add(c); }
  { Case c = base; c.name = "SequentialActivationAllowed";
    c.active = {{.start = "2026-03-02T01:00:00Z", .end = kNow}}; add(c); }
  { Case c = base; c.name = "ScheduledAfterActiveEnds";
    c.active = {{.start = kNow, .end = "2026-03-02T12:00:00Z"}};
    c.request.start = "2026-03-02T12:00:00Z"; c.outcome = "scheduled";
    c.start = "2026-03-02T12:00:00Z"; c.end = "2026-03-02T17:00:00Z"; add(c); }
  { Case c = base; c.name = "ApprovalPending"; c.policy.approval_required = true;
    c.outcome = "pending"; c.reasons = {"ApprovalRequired"}; add(c); }
  { Case c = base; c.name = "ApprovalNeedsJustification";
    c.policy.approval_required = true; c.policy.enabled_rules = {};
    c.request.justification = ""; c.outcome = "refused";
    c.reasons = {"JustificationRule"}; add(c); }
  { Case c = base; c.name = "AuthenticationContextMissing";
    c.policy.claim_value = "c1"; c.authentication_contexts = {"c2"};
    c.outcome = "refused"; c.reasons = {"AcrsRule"}; add(c); }
  { Case c = base; c.name = "AuthenticationContextSatisfied";
    c.policy.claim_value = "c1"; c.authentication_contexts = {"c2", "c1"}; add(c); }
  { Case c = base; c.name = "WorkWindowClips";
    c.work_windows = {{At("2026-03-02T08:00:00Z"), At("2026-03-02T12:00:00Z")}};
    c.reasons = {"ClippedToWorkWindow"}; c.end = "2026-03-02T12:00:00Z"; add(c); }
  { Case c = base; c.name = "WorkWindowHoldsWholeRequest";
    c.work_windows = {{At("2026-03-02T08:00:00Z"), At("2026-03-02T18:00:00Z")}};
    add(c); }
  { Case c = base; c.name = "OutsideWorkWindow";
    c.work_windows = {{At("2026-03-02T10:00:00Z"), At("2026-03-02T18:00:00Z")}};
    c.outcome = "refused"; c.reasons = {"OutsideWorkWindow"}; add(c); }
  { Case c = base; c.name = "WorkWindowClosesAtStart";
    c.work_windows = {{At("2026-03-02T01:00:00Z"), At(kNow)}};
    c.outcome = "refused"; c.reasons = {"OutsideWorkWindow"}; add(c); }
  { Case c = base; c.name = "WorkWindowLeavesTooLittle";
    c.work_windows = {{At("2026-03-02T08:00:00Z"), At("2026-03-02T09:04:59Z")}};
    c.outcome = "refused";
    c.reasons = {"ClippedToWorkWindow", "ActiveDurationTooShort"}; add(c); }
  { Case c = base; c.name = "EligibilityThenWorkWindow";
    c.eligibilities[0].end = "2026-03-02T13:00:00Z";
    c.work_windows = {{At("2026-03-02T08:00:00Z"), At("2026-03-02T12:00:00Z")}};
    c.reasons = {"ClippedToEligibilityEnd", "ClippedToWorkWindow"};
    c.end = "2026-03-02T12:00:00Z"; add(c); }
  // Azure resource scopes: a parent scope's eligibility covers a child.
  { Case c = base; c.name = "SubscriptionCoversResourceGroup";
    c.eligibilities[0].scope = "/subscriptions/dfa2a084-766f-4003-8ae1-c4aeb893a99f";
    c.request.scope = "/subscriptions/DFA2A084-766F-4003-8AE1-C4AEB893A99F/resourceGroups/rg1";
    add(c); }
  { Case c = base; c.name = "SubscriptionAliasMatches";
    c.eligibilities[0].scope =
        "/providers/Microsoft.Subscription/subscriptions/dfa2a084-766f-4003-8ae1-c4aeb893a99f";
    c.request.scope = "/subscriptions/dfa2a084-766f-4003-8ae1-c4aeb893a99f/";
    add(c); }
  { Case c = base; c.name = "ResourceGroupDoesNotCoverSubscription";
    c.eligibilities[0].scope = "/subscriptions/dfa2a084-766f-4003-8ae1-c4aeb893a99f/resourceGroups/rg1";
    c.request.scope = "/subscriptions/dfa2a084-766f-4003-8ae1-c4aeb893a99f";
    c.outcome = "refused"; c.reasons = {"EligibilityRule"}; add(c); }
  { Case c = base; c.name = "PrefixIsNotParentScope";
    c.eligibilities[0].scope = "/subscriptions/dfa2a084-766f-4003-8ae1-c4aeb893a99f/resourceGroups/rg1";
    c.request.scope = "/subscriptions/dfa2a084-766f-4003-8ae1-c4aeb893a99f/resourceGroups/rg10";
    c.outcome = "refused"; c.reasons = {"EligibilityRule"}; add(c); }
  { Case c = base; c.name = "ArmRoleIdMatchesGuid";
    c.eligibilities[0].role =
        "/subscriptions/dfa2a084-766f-4003-8ae1-c4aeb893a99f/providers/Microsoft.Authorization/roleDefinitions/8424C6F0-A189-499E-BBD0-26C1753C96D4";
    add(c); }

  // Deactivation within and after the first five minutes.
  { Case c = base; c.name = "DeactivateTooSoon"; c.request.action = "selfDeactivate";
    c.active = {{.start = "2026-03-02T08:56:00Z", .end = "2026-03-02T12:00:00Z"}};
    c.outcome = "refused"; c.reasons = {"DeactivationTooSoon"}; add(c); }
  { Case c = base; c.name = "DeactivateAfterFiveMinutes";
    c.request.action = "selfDeactivate";
    c.active = {{.start = "2026-03-02T08:55:00Z", .end = "2026-03-02T12:00:00Z"}};
    c.start = "2026-03-02T08:55:00Z"; c.end = kNow; add(c); }
  { Case c = base; c.name = "DeactivateRevokedInstance";
    c.request.action = "selfDeactivate";
    c.active = {{.start = "2026-03-02T08:55:00Z", .end = "2026-03-02T12:00:00Z",
                 .status = "Revoked"}};
    c.outcome = "refused"; c.reasons = {"RoleAssignmentDoesNotExist"}; add(c); }
  { Case c = base; c.name = "DeactivateWithoutActivation";
    c.request.action = "selfDeactivate"; c.outcome = "refused";
    c.reasons = {"RoleAssignmentDoesNotExist"}; add(c); }
  // Extension opens 14 days before the end; renewal closes 30 days after.
  { Case c = base; c.name = "ExtendTooEarly"; c.request.action = "selfExtend";
    c.request.duration = "P30D";
    c.active = {{.start = "2026-01-01T00:00:00Z", .end = "2026-03-22T00:00:00Z"}};
    c.outcome = "refused"; c.reasons = {"ExtensionNotYetAllowed"}; add(c); }
  { Case c = base; c.name = "ExtendWithinLead"; c.request.action = "selfExtend";
    c.request.duration = "P30D";
    c.active = {{.start = "2026-01-01T00:00:00Z", .end = "2026-03-12T00:00:00Z"}};
    c.outcome = "pending"; c.reasons = {"ApprovalRequired"};
    c.end = "2026-04-01T09:00:00Z"; add(c); }
  { Case c = base; c.name = "RenewWithinPeriod"; c.request.action = "selfRenew";
    c.request.duration = "P30D";
    c.active = {{.start = "2026-01-01T00:00:00Z", .end = "2026-02-20T00:00:00Z"}};
    c.outcome = "pending"; c.reasons = {"ApprovalRequired"};
    c.end = "2026-04-01T09:00:00Z"; add(c); }
  { Case c = base; c.name = "RenewTooLate"; c.request.action = "selfRenew";
    c.request.duration = "P30D";
    c.active = {{.start = "2026-01-01T00:00:00Z", .end = "2026-01-31T09:00:00Z"}};
    c.outcome = "refused"; c.reasons = {"RenewalPeriodOver"}; add(c); }
  // Admin eligibility assignments.
  { Case c = base; c.name = "AdminEligibilityOverYear";
    c.request.action = "adminAssign"; c.level = LEVEL_ELIGIBILITY;
    c.policy.admin_eligibility_required = true; c.request.duration = "P366D";
    c.eligibilities.clear(); c.outcome = "refused"; c.reasons = {"ExpirationRule"};
    add(c); }
  { Case c = base; c.name = "AdminEligibilityOneYear";
    c.request.action = "adminAssign"; c.level = LEVEL_ELIGIBILITY;
    c.policy.admin_eligibility_required = true; c.request.duration = "P365D";
    c.eligibilities.clear(); c.end = "2027-03-02T09:00:00Z"; add(c); }
  { Case c = base; c.name = "AdminPermanentWhenAllowed";
    c.request.action = "adminAssign"; c.level = LEVEL_ELIGIBILITY;
    c.request.expiration_type = "noExpiration"; c.request.duration = "";
    c.eligibilities.clear(); c.end = "inf"; add(c); }
  { Case c = base; c.name = "AdminPermanentWhenRequired";
    c.request.action = "adminAssign"; c.level = LEVEL_ELIGIBILITY;
    c.policy.admin_eligibility_required = true;
    c.request.expiration_type = "noExpiration"; c.request.duration = "";
    c.eligibilities.clear(); c.outcome = "refused"; c.reasons = {"ExpirationRule"};
    add(c); }
  { Case c = base; c.name = "AdminAssignEndInPast";
    c.request.action = "adminAssign"; c.request.expiration_type = "afterDateTime";
    c.request.duration = ""; c.request.start = "2026-01-01T00:00:00Z";
    c.request.end = "2026-02-01T00:00:00Z"; c.outcome = "refused";
    c.reasons = {"StartMovedToNow", "ExpirationRule"}; add(c); }
  { Case c = base; c.name = "AdminAssignNeedsJustification";
    c.request.action = "adminAssign"; c.request.justification = "";
    c.outcome = "refused"; c.reasons = {"JustificationRule"}; add(c); }
  { Case c = base; c.name = "AdminAssignOverlapsEligibility";
    c.request.action = "adminAssign"; c.level = LEVEL_ELIGIBILITY;
    c.outcome = "refused"; c.reasons = {"RoleAssignmentExists"}; add(c); }
  return cases;
}

class ActivationCaseTest : public ::testing::TestWithParam<Case> {};

TEST_P(ActivationCaseTest, Decides) {
  const Case& c = GetParam();
  ASSERT_OK_AND_ASSIGN(ActivationDecision decision, DecideCase(c));
  EXPECT_EQ(OutcomeName(decision.outcome), c.outcome) << decision;
  EXPECT_THAT(ReasonNames(decision.reasons), ElementsAreArray(c.reasons))
      << decision;
  if (decision.outcome == Outcome::kRefused) {
    EXPECT_TRUE(decision.window.empty());
    return;
  }
  EXPECT_EQ(FormatRfc3339(decision.window.start), c.start) << decision;
  std::string end = decision.window.end == absl::InfiniteFuture()
                        ? "inf"
                        : FormatRfc3339(decision.window.end);
  EXPECT_EQ(end, c.end) << decision;
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ActivationCaseTest, ::testing::ValuesIn(Cases()),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

Case BaseCase() {
  Case c;
  c.start = kNow;
  c.end = "2026-03-02T14:00:00Z";
  return c;
}

TEST(ActivationDecisionTest, DerivedTimes) {
  ASSERT_OK_AND_ASSIGN(ActivationDecision decision, DecideCase(BaseCase()));
  EXPECT_EQ(decision.deactivation_opens, At("2026-03-02T09:05:00Z"));
  EXPECT_EQ(decision.extension_opens, At("2026-02-16T14:00:00Z"));
  EXPECT_EQ(decision.renewal_closes, At("2026-04-01T14:00:00Z"));
  EXPECT_EQ(decision.tokens_valid_until, At("2026-03-02T15:30:00Z"));
  EXPECT_EQ(decision.end_bound, EndBound::kRequested);
  EXPECT_EQ(decision.policy_maximum_end, At("2026-03-02T17:00:00Z"));
  EXPECT_EQ(decision.eligibility_end, At("2026-06-01T00:00:00Z"));
  EXPECT_EQ(decision.work_window_close, absl::InfiniteFuture());
  EXPECT_EQ(decision.eligibility_index, 0);
}

TEST(ActivationDecisionTest, ApprovalDeadlineFollowsStageTimeout) {
  Case c = BaseCase();
  c.policy.approval_required = true;
  c.policy.approval_timeout_days = 2;
  ASSERT_OK_AND_ASSIGN(ActivationDecision decision, DecideCase(c));
  EXPECT_EQ(decision.outcome, Outcome::kPending);
  EXPECT_EQ(decision.approval_deadline, At("2026-03-04T09:00:00Z"));
  EXPECT_EQ(decision.window, (Window{At(kNow), At("2026-03-02T14:00:00Z")}));
}

TEST(ActivationDecisionTest, NoApprovalModeStillNeedsApproval) {
  Case c = BaseCase();
  c.policy.approval_required = true;
  c.policy.approval_mode = "NoApproval";
  ASSERT_OK_AND_ASSIGN(ActivationDecision decision, DecideCase(c));
  EXPECT_EQ(decision.outcome, Outcome::kPending);
}

TEST(ActivationDecisionTest, BoundsNameTheClip) {
  Case c = BaseCase();
  c.eligibilities[0].end = "2026-03-02T13:00:00Z";
  c.work_windows = {{At("2026-03-02T08:00:00Z"), At("2026-03-02T12:00:00Z")}};
  ASSERT_OK_AND_ASSIGN(ActivationDecision decision, DecideCase(c));
  EXPECT_EQ(decision.end_bound, EndBound::kWorkWindowClose);
  EXPECT_EQ(decision.eligibility_end, At("2026-03-02T13:00:00Z"));
  EXPECT_EQ(decision.work_window_close, At("2026-03-02T12:00:00Z"));
  EXPECT_EQ(decision.requested_end, At("2026-03-02T14:00:00Z"));
}

TEST(ActivationDecisionTest, OutsideWorkWindowGivesNextOpening) {
  Case c = BaseCase();
  c.work_windows = {{At("2026-03-02T10:00:00Z"), At("2026-03-02T18:00:00Z")}};
  ASSERT_OK_AND_ASSIGN(ActivationDecision decision, DecideCase(c));
  EXPECT_EQ(decision.next_work_window_opening, At("2026-03-02T10:00:00Z"));
}

TEST(ActivationDecisionTest, WorkWindowsMeetJitGrantByIntersection) {
  // A JIT grant and the work hours meet by intersection; the activation
  // window is then clipped by what is left.
  IntervalSet work = IntervalSet::Of({At("2026-03-02T08:00:00Z"), At("2026-03-02T17:00:00Z")});
  IntervalSet jit = IntervalSet::Of({At("2026-03-02T08:30:00Z"), At("2026-03-02T11:30:00Z")});
  Case c = BaseCase();
  c.work_windows = work.Intersect(jit).windows();
  ASSERT_OK_AND_ASSIGN(ActivationDecision decision, DecideCase(c));
  EXPECT_EQ(decision.window, (Window{At(kNow), At("2026-03-02T11:30:00Z")}));
}

TEST(ActivationDecisionTest, ReasonNamesArePascalCase) {
  EXPECT_EQ(ReasonName(Reason::kEligibilityRule), "EligibilityRule");
  EXPECT_EQ(ReasonName(Reason::kActiveDurationTooShort), "ActiveDurationTooShort");
  EXPECT_EQ(ReasonName(Reason::kRoleAssignmentExists), "RoleAssignmentExists");
  EXPECT_EQ(ReasonName(Reason::kOutsideWorkWindow), "OutsideWorkWindow");
  EXPECT_TRUE(IsRejecting(Reason::kRenewalPeriodOver));
  EXPECT_FALSE(IsRejecting(Reason::kApprovalRequired));
}

TEST(ActivationEvaluatorTest, RejectsNegativeOptions) {
  ASSERT_OK_AND_ASSIGN(RoleManagementPolicy policy,
                       ImportRoleManagementPolicy(testing::PolicyJson({})));
  ASSERT_OK_AND_ASSIGN(RolePolicy compiled, RolePolicy::Compile(policy));
  ActivationOptions options;
  options.minimum_duration = -absl::Minutes(1);
  EXPECT_THAT(ActivationEvaluator::Create(compiled, {}, {}, options),
              portcullis::testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                            ::testing::HasSubstr("negative")));
}

TEST(ActivationRequestTest, RejectsMissingRole) {
  ScheduleRequest request;
  request.set_action(ACTION_SELF_ACTIVATE);
  request.set_principal_id(testing::kPrincipal);
  request.set_directory_scope_id("/");
  EXPECT_THAT(ActivationRequest::Create(request),
              portcullis::testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                            ::testing::HasSubstr("roleDefinitionId")));
}

}  // namespace
}  // namespace portcullis::pim
