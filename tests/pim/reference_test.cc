// Differential test: the compiled evaluator against the slow reference on
// random activations.
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "pim/activation.h"
#include "pim/import.h"
#include "pim/policy.h"
#include "pim/reference.h"
#include "schedule/interval.h"
#include "tests/pim/fixtures.h"

namespace portcullis::pim {
namespace {

using schedule::IntervalSet;
using schedule::Window;

google::protobuf::Timestamp Stamp(absl::Time time) {
  google::protobuf::Timestamp out;
  out.set_seconds(absl::ToUnixSeconds(time));
  return out;
}

TEST(ReferenceTest, AgreesOnRandomActivations) {
  const absl::Time base = testing::At("2026-03-02T09:00:00Z");
  std::mt19937 random(20260302);
  auto pick = [&random](int n) {
    return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(random));
  };
  auto minutes = [&](int range) { return absl::Minutes(pick(range) - range / 4); };

  std::vector<RoleManagementPolicy> policies;
  for (const char* maximum : {"PT30M", "PT2H", "PT8H"}) {
    for (bool approval : {false, true}) {
      for (const char* claim : {"", "c1"}) {
        testing::PolicySettings settings;
        settings.maximum_duration = maximum;
        settings.approval_required = approval;
        settings.claim_value = claim;
        settings.enabled_rules = {"MultiFactorAuthentication", "Ticketing"};
        absl::StatusOr<RoleManagementPolicy> policy =
            ImportRoleManagementPolicy(testing::PolicyJson(settings));
        ASSERT_TRUE(policy.ok()) << policy.status();
        policies.push_back(*policy);
      }
    }
    // A contradicting approval mode, and effectiveRules that differ from
    // rules.
    testing::PolicySettings no_approval_mode;
    no_approval_mode.maximum_duration = maximum;
    no_approval_mode.approval_required = true;
    no_approval_mode.approval_mode = "NoApproval";
    absl::StatusOr<RoleManagementPolicy> policy =
        ImportRoleManagementPolicy(testing::PolicyJson(no_approval_mode));
    ASSERT_TRUE(policy.ok()) << policy.status();
    policies.push_back(*policy);
    testing::PolicySettings lenient;
    lenient.maximum_duration = "PT8H";
    lenient.enabled_rules = {};
    policy = ImportRoleManagementPolicy(
        testing::PolicyWithEffectiveRulesJson(lenient, no_approval_mode));
    ASSERT_TRUE(policy.ok()) << policy.status();
    policies.push_back(*policy);
  }
  const std::vector<std::string> roles = {testing::kRole,
                                          "62e90394-69f5-4237-9190-012177145e10"};
  const std::vector<std::string> scopes = {"/", "/subscriptions/s", "/subscriptions/s/resourceGroups/rg"};

  auto random_instance = [&](Level level) {
    ScheduleInstance instance;
    instance.set_level(level);
    instance.set_id(absl::StrCat("instance-", pick(3)));
    instance.set_principal_id(testing::kPrincipal);
    instance.set_role_definition_id(roles[pick(2)]);
    instance.set_directory_scope_id(scopes[pick(3)]);
    absl::Time start = base + minutes(600);
    *instance.mutable_start_time() = Stamp(start);
    if (pick(4) != 0) *instance.mutable_end_time() = Stamp(start + absl::Minutes(pick(900)));
    // Most instances have no status, the others one in force or not in force.
    static const char* const kStatuses[] = {"Provisioned", "granted", "Revoked",
                                            "PendingApproval", "Canceled"};
    if (pick(3) == 0) instance.set_status(kStatuses[pick(5)]);
    return instance;
  };

  int compared = 0;
  for (int round = 0; round < 20000; ++round) {
    const RoleManagementPolicy& policy = policies[pick(policies.size())];
    std::vector<ScheduleInstance> eligibilities, active;
    for (int i = pick(4); i > 0; --i) eligibilities.push_back(random_instance(LEVEL_ELIGIBILITY));
    for (int i = pick(3); i > 0; --i) active.push_back(random_instance(LEVEL_ASSIGNMENT));

    ScheduleRequest request;
    request.set_action(ACTION_SELF_ACTIVATE);
    request.set_principal_id(testing::kPrincipal);
    request.set_role_definition_id(roles[pick(2)]);
    request.set_directory_scope_id(scopes[pick(3)]);
    if (pick(3) == 0) request.set_linked_eligibility_schedule_id(absl::StrCat("instance-", pick(3)));
    if (pick(2) == 0) request.set_justification("maintenance");
    if (pick(2) == 0) request.mutable_ticket_info()->set_ticket_number("T-1");
    ScheduleInfo& info = *request.mutable_schedule_info();
    if (pick(3) != 0) *info.mutable_start_time() = Stamp(base + minutes(240));
    Expiration& expiration = *info.mutable_expiration();
    switch (pick(4)) {
      case 0:
        expiration.set_type(EXPIRATION_TYPE_AFTER_DURATION);
        expiration.mutable_duration()->set_seconds(60 * pick(600));
        break;
      case 1:
        expiration.set_type(EXPIRATION_TYPE_AFTER_DATE_TIME);
        *expiration.mutable_end_time() = Stamp(base + minutes(600));
        break;
      case 2:
        expiration.set_type(EXPIRATION_TYPE_NO_EXPIRATION);
        break;
      default:
        expiration.set_type(EXPIRATION_TYPE_NOT_SPECIFIED);
    }

    ActivationOptions options;
    if (pick(2)) options.eligibility_end = ActivationOptions::EligibilityEnd::kReject;
    if (pick(2)) options.over_maximum = ActivationOptions::OverMaximum::kClip;
    if (pick(2)) options.past_start = ActivationOptions::PastStart::kKeep;
    if (pick(2)) options.not_specified = ActivationOptions::NotSpecified::kPolicyMaximum;
    std::optional<IntervalSet> work;
    if (pick(2)) {
      std::vector<Window> windows;
      for (int i = pick(4); i > 0; --i) {
        absl::Time start = base + minutes(600);
        windows.push_back({start, start + absl::Minutes(1 + pick(300))});
      }
      work = IntervalSet::FromWindows(windows);
    }
    std::vector<std::string> claims;
    if (pick(2)) claims.push_back("c1");
    RequestContext context{base + minutes(60), pick(2) == 0, claims};

    absl::StatusOr<RolePolicy> compiled = RolePolicy::Compile(policy);
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    absl::StatusOr<ActivationEvaluator> evaluator =
        ActivationEvaluator::Create(*compiled, eligibilities, active, options, work);
    ASSERT_TRUE(evaluator.ok()) << evaluator.status();
    absl::StatusOr<ActivationRequest> compiled_request = ActivationRequest::Create(request);
    ASSERT_TRUE(compiled_request.ok()) << compiled_request.status();

    ActivationDecision fast = evaluator->Decide(*compiled_request, context);
    ActivationDecision slow = DecideActivationReference(
        policy, eligibilities, active, request, context, options,
        work.has_value() ? &*work : nullptr);
    std::string where = absl::StrCat("round ", round, ": fast ", fast.ToString(),
                                     " slow ", slow.ToString(), " request ",
                                     request.ShortDebugString());
    ASSERT_EQ(fast.outcome, slow.outcome) << where;
    ASSERT_TRUE(fast.reasons == slow.reasons) << where;
    ASSERT_EQ(fast.window, slow.window) << where;
    ASSERT_EQ(fast.requested_end, slow.requested_end) << where;
    ASSERT_EQ(fast.policy_maximum_end, slow.policy_maximum_end) << where;
    ASSERT_EQ(fast.eligibility_end, slow.eligibility_end) << where;
    ASSERT_EQ(fast.work_window_close, slow.work_window_close) << where;
    ASSERT_EQ(fast.next_work_window_opening, slow.next_work_window_opening) << where;
    ASSERT_EQ(fast.approval_deadline, slow.approval_deadline) << where;
    ASSERT_EQ(fast.tokens_valid_until, slow.tokens_valid_until) << where;
    ASSERT_EQ(fast.eligibility_index, slow.eligibility_index) << where;
    ASSERT_EQ(fast.active_index, slow.active_index) << where;
    if (fast.outcome != Outcome::kRefused) {
      ASSERT_EQ(fast.end_bound, slow.end_bound) << where;
    }
    ++compared;
  }
  EXPECT_EQ(compared, 20000);
}

}  // namespace
}  // namespace portcullis::pim
