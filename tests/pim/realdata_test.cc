// Imports every PIM file of the shared real-data folder and decides the
// requests they hold, with outcomes worked out by reading the files.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pim/activation.h"
#include "pim/import.h"
#include "pim/policy.h"
#include "schedule/rfc3339.h"
#include "tests/pim/fixtures.h"
#include "tests/testing/shared_data.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::pim {
namespace {

using portcullis::testing::StatusIs;
using schedule::FormatRfc3339;
using testing::At;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kGraphPolicy[] = "graph-v1.0-unifiedRoleManagementPolicy-get-example2.response.json";
constexpr char kGraphRequest[] =
    "graph-v1.0-roleAssignmentScheduleRequests-post-example2-selfActivate.request.json";
constexpr char kGraphResponse[] =
    "graph-v1.0-roleAssignmentScheduleRequests-post-example2-selfActivate.response.json";
constexpr char kArmPolicy[] = "specs-2020-10-01-GetRoleManagementPolicyByName.json";
constexpr char kArmEligibility[] = "specs-2020-10-01-GetRoleEligibilityScheduleByName.json";
constexpr char kArmActivation[] = "specs-2020-10-01-PutRoleAssignmentScheduleRequest.json";
constexpr char kArmEligibilityRequest[] =
    "specs-2020-10-01-PutRoleEligibilityScheduleRequest.json";

class RealDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> dir = portcullis::testing::SharedDir();
    if (!dir) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
    dir_ = *dir;
  }

  std::string Read(const std::string& relative) {
    absl::StatusOr<std::string> bytes =
        portcullis::testing::ReadFileToString(dir_ + "/realdata/" + relative);
    EXPECT_TRUE(bytes.ok()) << bytes.status();
    return bytes.ok() ? *bytes : std::string();
  }
  std::string ReadPim(const std::string& name) { return Read("pim/" + name); }

  absl::StatusOr<RolePolicy> Policy(const std::string& name) {
    absl::StatusOr<RoleManagementPolicy> policy =
        ImportRoleManagementPolicy(ReadPim(name));
    if (!policy.ok()) return policy.status();
    return RolePolicy::Compile(*policy);
  }

  std::string dir_;
};

absl::Time TimeOf(const google::protobuf::Timestamp& time) {
  return absl::FromUnixSeconds(time.seconds()) + absl::Nanoseconds(time.nanos());
}

std::vector<std::string> Names(const ReasonList& reasons) {
  std::vector<std::string> out;
  for (Reason reason : reasons) out.emplace_back(ReasonName(reason));
  return out;
}

TEST_F(RealDataTest, EveryPimFileIsCovered) {
  // The tests below name each file; a new file needs a test of its own.
  EXPECT_THAT(portcullis::testing::ListFiles(dir_ + "/realdata/pim", ".json"),
              ElementsAre(kGraphRequest, kGraphResponse, kGraphPolicy, kArmEligibility,
                          kArmPolicy, kArmActivation, kArmEligibilityRequest));
}

TEST_F(RealDataTest, GraphDefaultPolicy) {
  ASSERT_OK_AND_ASSIGN(RoleManagementPolicy policy,
                       ImportRoleManagementPolicy(ReadPim(kGraphPolicy)));
  EXPECT_EQ(policy.id(),
            "DirectoryRole_cab01047-8ad9-4792-8e42-569340767f1b_70c808b5-0d35-4863-a0ba-07888e99d448");
  EXPECT_EQ(policy.scope_id(), "/");
  EXPECT_EQ(policy.scope_type(), "DirectoryRole");
  EXPECT_EQ(policy.rules_size(), 17);
  EXPECT_EQ(policy.effective_rules_size(), 17);
  int notifications = 0;
  for (const PolicyRule& rule : policy.rules()) {
    if (rule.has_notification()) ++notifications;
  }
  EXPECT_EQ(notifications, 9);

  ASSERT_OK_AND_ASSIGN(RolePolicy compiled, RolePolicy::Compile(policy));
  const LevelRules& activation = compiled.Rules(CALLER_END_USER, LEVEL_ASSIGNMENT);
  EXPECT_TRUE(activation.expiration_required);
  EXPECT_EQ(activation.maximum_duration, absl::Hours(8));
  EXPECT_TRUE(activation.require_mfa);
  EXPECT_TRUE(activation.require_justification);
  EXPECT_FALSE(activation.require_ticketing);
  EXPECT_FALSE(compiled.approval_required());
  EXPECT_TRUE(compiled.requestor_justification_required());
  EXPECT_EQ(compiled.approval_timeout(), absl::Hours(24));
  EXPECT_EQ(compiled.required_authentication_context(), "");
  const LevelRules& eligibility = compiled.Rules(CALLER_ADMIN, LEVEL_ELIGIBILITY);
  EXPECT_FALSE(eligibility.expiration_required);
  EXPECT_EQ(eligibility.maximum_duration, absl::Hours(24 * 365));
  const LevelRules& assignment = compiled.Rules(CALLER_ADMIN, LEVEL_ASSIGNMENT);
  EXPECT_EQ(assignment.maximum_duration, absl::Hours(24 * 180));
  EXPECT_TRUE(assignment.require_justification);
  EXPECT_FALSE(assignment.require_mfa);
}

TEST_F(RealDataTest, ArmPolicy) {
  ASSERT_OK_AND_ASSIGN(RoleManagementPolicy policy,
                       ImportRoleManagementPolicy(ReadPim(kArmPolicy)));
  EXPECT_EQ(policy.source_format(), SOURCE_FORMAT_ARM);
  EXPECT_EQ(policy.scope_id(), "/subscriptions/129ff972-28f8-46b8-a726-e497be039368");
  EXPECT_EQ(policy.rules_size(), 17);
  EXPECT_EQ(policy.effective_rules_size(), 17);
  const PolicyRule& approval = policy.rules(10);
  ASSERT_TRUE(approval.has_approval());
  ASSERT_EQ(approval.approval().approval_stages_size(), 1);
  const ApprovalStage& stage = approval.approval().approval_stages(0);
  ASSERT_EQ(stage.primary_approvers_size(), 2);
  EXPECT_EQ(stage.primary_approvers(1).description(), "pim_approvers_group");
  EXPECT_EQ(stage.primary_approvers(1).kind(), "Group");
  EXPECT_EQ(policy.rules(2).notification().notification_recipients(0),
            "admin_admin_eligible@test.com");

  ASSERT_OK_AND_ASSIGN(RolePolicy compiled, RolePolicy::Compile(policy));
  const LevelRules& activation = compiled.Rules(CALLER_END_USER, LEVEL_ASSIGNMENT);
  EXPECT_EQ(activation.maximum_duration, absl::Hours(7));
  EXPECT_TRUE(activation.require_mfa);
  EXPECT_TRUE(activation.require_justification);
  EXPECT_TRUE(activation.require_ticketing);
  EXPECT_TRUE(compiled.approval_required());
  EXPECT_EQ(compiled.required_authentication_context(), "");
  const LevelRules& eligibility = compiled.Rules(CALLER_ADMIN, LEVEL_ELIGIBILITY);
  EXPECT_TRUE(eligibility.expiration_required);
  EXPECT_EQ(eligibility.maximum_duration, absl::Hours(24 * 90));
  const LevelRules& assignment = compiled.Rules(CALLER_ADMIN, LEVEL_ASSIGNMENT);
  EXPECT_FALSE(assignment.expiration_required);
  EXPECT_TRUE(assignment.require_mfa);
}

TEST_F(RealDataTest, GraphRequestAndResponse) {
  ASSERT_OK_AND_ASSIGN(ScheduleRequest request, ImportScheduleRequest(ReadPim(kGraphRequest)));
  EXPECT_EQ(request.action(), ACTION_SELF_ACTIVATE);
  EXPECT_EQ(request.level(), LEVEL_ASSIGNMENT);
  EXPECT_EQ(request.directory_scope_id(), "/");
  EXPECT_EQ(request.schedule_info().expiration().type(), EXPIRATION_TYPE_AFTER_DURATION);
  EXPECT_EQ(request.schedule_info().expiration().duration().seconds(), 5 * 3600);
  EXPECT_EQ(request.ticket_info().ticket_number(), "CONTOSO:Normal-67890");

  ASSERT_OK_AND_ASSIGN(ScheduleRequest response, ImportScheduleRequest(ReadPim(kGraphResponse)));
  EXPECT_EQ(response.status(), "Granted");
  EXPECT_EQ(response.level(), LEVEL_ASSIGNMENT);
  EXPECT_EQ(response.schedule_info().expiration().type(), EXPIRATION_TYPE_AFTER_DURATION);
  EXPECT_EQ(response.schedule_info().start_time().seconds(),
            request.schedule_info().start_time().seconds());
}

// The Graph example activates a day ahead; the service answered "Granted"
// (scheduled). The principal's eligibility is not in the example, so the
// test gives it a permanent one at the tenant scope.
TEST_F(RealDataTest, GraphActivationIsScheduled) {
  ASSERT_OK_AND_ASSIGN(RolePolicy policy, Policy(kGraphPolicy));
  ASSERT_OK_AND_ASSIGN(ScheduleRequest proto, ImportScheduleRequest(ReadPim(kGraphRequest)));
  ASSERT_OK_AND_ASSIGN(std::vector<ScheduleInstance> eligibilities,
                       ImportScheduleInstances(testing::InstanceListJson(
                                                   {{.start = "2022-01-01T00:00:00Z"}}),
                                               LEVEL_ELIGIBILITY));
  ASSERT_OK_AND_ASSIGN(ActivationEvaluator evaluator,
                       ActivationEvaluator::Create(policy, eligibilities, {}, {}));
  ASSERT_OK_AND_ASSIGN(ActivationRequest request, ActivationRequest::Create(proto));

  // createdDateTime of the response.
  absl::Time now = At("2022-04-13T08:52:32.6485851Z");
  ActivationDecision decision = evaluator.Decide(request, {now, /*mfa_satisfied=*/true});
  EXPECT_EQ(decision.outcome, Outcome::kScheduled) << decision;
  EXPECT_TRUE(decision.reasons.empty()) << decision;
  EXPECT_EQ(FormatRfc3339(decision.window.start), "2022-04-14T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(decision.window.end), "2022-04-14T05:00:00Z");

  ActivationDecision without_mfa = evaluator.Decide(request, {now, false});
  EXPECT_EQ(without_mfa.outcome, Outcome::kRefused);
  EXPECT_THAT(Names(without_mfa.reasons), ElementsAre("MfaRule"));
}

TEST_F(RealDataTest, ArmEligibilitySchedule) {
  ASSERT_OK_AND_ASSIGN(std::vector<ScheduleInstance> instances,
                       ImportScheduleInstances(ReadPim(kArmEligibility), LEVEL_ELIGIBILITY));
  ASSERT_EQ(instances.size(), 1u);
  const ScheduleInstance& eligibility = instances[0];
  EXPECT_EQ(eligibility.source_format(), SOURCE_FORMAT_ARM);
  EXPECT_EQ(eligibility.principal_id(), "a3bb8764-cb92-4276-9d2a-ca1e895e55ea");
  EXPECT_EQ(FormatRfc3339(TimeOf(eligibility.start_time())), "2020-09-09T21:33:14.557Z");
  EXPECT_EQ(FormatRfc3339(TimeOf(eligibility.end_time())), "2021-09-09T21:32:28.49Z");
  EXPECT_EQ(eligibility.member_type(), MEMBER_TYPE_DIRECT);

  EXPECT_THAT(ImportScheduleInstances(ReadPim(kArmEligibility), LEVEL_ASSIGNMENT),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("responses.200.body.type: invalid value")));
}

// The ARM activation example asks PT8H for role c8d4ff99 at a subscription
// whose role policy example allows PT7H and requires MFA, justification and
// a ticket; the eligibility example is for role b24988ac (the upstream
// examples are not a consistent pair). So the request fails four rules.
TEST_F(RealDataTest, ArmActivationAgainstArmExamples) {
  ASSERT_OK_AND_ASSIGN(RolePolicy policy, Policy(kArmPolicy));
  ASSERT_OK_AND_ASSIGN(ScheduleRequest proto, ImportScheduleRequest(ReadPim(kArmActivation)));
  EXPECT_EQ(proto.action(), ACTION_SELF_ACTIVATE);
  EXPECT_EQ(proto.linked_eligibility_schedule_id(), "b1477448-2cc6-4ceb-93b4-54a202a89413");
  EXPECT_EQ(proto.directory_scope_id(),
            "providers/Microsoft.Subscription/subscriptions/dfa2a084-766f-4003-8ae1-c4aeb893a99f");
  ASSERT_OK_AND_ASSIGN(std::vector<ScheduleInstance> eligibilities,
                       ImportScheduleInstances(ReadPim(kArmEligibility), LEVEL_ELIGIBILITY));
  ASSERT_OK_AND_ASSIGN(ActivationRequest request, ActivationRequest::Create(proto));
  absl::Time now = At("2020-09-09T21:35:27.91Z");

  ASSERT_OK_AND_ASSIGN(ActivationEvaluator evaluator,
                       ActivationEvaluator::Create(policy, eligibilities, {}, {}));
  ActivationDecision decision = evaluator.Decide(request, {now, true});
  EXPECT_EQ(decision.outcome, Outcome::kRefused);
  EXPECT_THAT(Names(decision.reasons),
              ElementsAre("EligibilityRule", "ExpirationRule", "JustificationRule",
                          "TicketingRule"));

  // With the eligibility's role set to the requested one, the linked
  // eligibility (same schedule name, subscription alias scope) backs it and
  // only the policy rules fail.
  eligibilities[0].set_role_definition_id(proto.role_definition_id());
  ASSERT_OK_AND_ASSIGN(ActivationEvaluator paired,
                       ActivationEvaluator::Create(policy, eligibilities, {}, {}));
  decision = paired.Decide(request, {now, true});
  EXPECT_THAT(Names(decision.reasons),
              ElementsAre("ExpirationRule", "JustificationRule", "TicketingRule"));
  EXPECT_EQ(decision.eligibility_index, 0);

  // Under the Graph default policy (PT8H, MFA and justification) the paired
  // request lacks only its justification.
  ASSERT_OK_AND_ASSIGN(RolePolicy graph_policy, Policy(kGraphPolicy));
  ASSERT_OK_AND_ASSIGN(ActivationEvaluator graph,
                       ActivationEvaluator::Create(graph_policy, eligibilities, {}, {}));
  decision = graph.Decide(request, {now, true});
  EXPECT_THAT(Names(decision.reasons), ElementsAre("JustificationRule"));
  request.has_justification = true;
  decision = graph.Decide(request, {now, true});
  EXPECT_EQ(decision.outcome, Outcome::kGranted) << decision;
  EXPECT_EQ(FormatRfc3339(decision.window.start), "2020-09-09T21:35:27.91Z");
  EXPECT_EQ(FormatRfc3339(decision.window.end), "2020-09-10T05:35:27.91Z");
  EXPECT_EQ(FormatRfc3339(decision.eligibility_end), "2021-09-09T21:32:28.49Z");

  // The active instance lists of the RBAC examples hold that activation.
  for (const char* name :
       {"rest-examples/authorization-2020-10-01.GetRoleAssignmentScheduleInstancesByScope.json",
        "rest-examples/DERIVED.authorization-2020-10-01.GetRoleAssignmentScheduleInstancesByScope.activated.json",
        "rest-examples/authorization-2020-10-01.GetRoleAssignmentSchedulesByScope.json"}) {
    ASSERT_OK_AND_ASSIGN(std::vector<ScheduleInstance> active,
                         ImportScheduleInstances(Read(std::string("rbac/") + name),
                                                 LEVEL_ASSIGNMENT));
    ASSERT_EQ(active.size(), 1u) << name;
    EXPECT_EQ(FormatRfc3339(TimeOf(active[0].end_time())), "2020-09-10T05:35:17.91Z");
    ASSERT_OK_AND_ASSIGN(ActivationEvaluator with_active,
                         ActivationEvaluator::Create(graph_policy, eligibilities, active, {}));
    decision = with_active.Decide(request, {now, true});
    EXPECT_EQ(decision.outcome, Outcome::kRefused) << name;
    EXPECT_THAT(Names(decision.reasons), ElementsAre("RoleAssignmentExists")) << name;
    // Once that activation has ended, a new one is allowed.
    decision = with_active.Decide(request, {At("2020-09-10T05:35:17.91Z"), true});
    EXPECT_EQ(decision.outcome, Outcome::kGranted) << name << " " << decision;
  }
  EXPECT_THAT(ImportScheduleInstances(
                  Read("rbac/rest-examples/authorization-2020-10-01.GetRoleAssignmentScheduleInstancesByScope.json"),
                  LEVEL_ELIGIBILITY),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("value[0].type")));
}

// An admin assigns a 365-day eligibility. The ARM policy example requires
// eligibilities to expire within 90 days; the Graph default allows a year.
TEST_F(RealDataTest, ArmEligibilityRequest) {
  ASSERT_OK_AND_ASSIGN(ScheduleRequest proto,
                       ImportScheduleRequest(ReadPim(kArmEligibilityRequest)));
  EXPECT_EQ(proto.action(), ACTION_ADMIN_ASSIGN);
  EXPECT_EQ(proto.level(), LEVEL_ELIGIBILITY);
  EXPECT_EQ(proto.schedule_info().expiration().duration().seconds(), 365 * 86400);
  ASSERT_OK_AND_ASSIGN(ActivationRequest request, ActivationRequest::Create(proto));
  absl::Time now = At("2020-09-09T21:31:27.91Z");

  ASSERT_OK_AND_ASSIGN(RolePolicy arm_policy, Policy(kArmPolicy));
  ASSERT_OK_AND_ASSIGN(ActivationEvaluator arm,
                       ActivationEvaluator::Create(arm_policy, {}, {}, {}));
  ActivationDecision decision = arm.Decide(request, {now, false});
  EXPECT_EQ(decision.outcome, Outcome::kRefused);
  EXPECT_THAT(Names(decision.reasons), ElementsAre("ExpirationRule"));
  EXPECT_EQ(FormatRfc3339(decision.policy_maximum_end), "2020-12-08T21:31:27.91Z");

  ASSERT_OK_AND_ASSIGN(RolePolicy graph_policy, Policy(kGraphPolicy));
  ASSERT_OK_AND_ASSIGN(ActivationEvaluator graph,
                       ActivationEvaluator::Create(graph_policy, {}, {}, {}));
  decision = graph.Decide(request, {now, false});
  EXPECT_EQ(decision.outcome, Outcome::kGranted) << decision;
  EXPECT_EQ(FormatRfc3339(decision.window.start), "2020-09-09T21:31:27.91Z");
  EXPECT_EQ(FormatRfc3339(decision.window.end), "2021-09-09T21:31:27.91Z");
}

}  // namespace
}  // namespace portcullis::pim
