#include "pim/import.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pim/activation.h"
#include "pim/policy.h"
#include "pim/request_status.h"
#include "tests/pim/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::pim {
namespace {

using portcullis::testing::IsOk;
using portcullis::testing::StatusIs;
using ::testing::HasSubstr;

struct BadInput {
  std::string name;
  std::string json;
  std::string message;  // expected substring
};

void PrintTo(const BadInput& input, std::ostream* os) { *os << input.name; }

std::string Replace(std::string text, const std::string& from,
                    const std::string& to) {
  size_t at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// `json` without the rule whose "@odata.type" and "id" start with `head`.
std::string RemoveRule(std::string json, const std::string& head) {
  size_t at = json.find(head);
  if (at == std::string::npos) return json;
  size_t end = json.find("}},\n", at);
  if (end == std::string::npos) return json;
  json.erase(at, end + 4 - at);
  return json;
}

// `json` with `rule` appended to its rules.
std::string AppendRule(std::string json, const std::string& rule) {
  size_t end = json.rfind("]}");
  if (end != std::string::npos) json.insert(end, absl::StrCat(",\n", rule));
  return json;
}

class BadPolicyTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadPolicyTest, IsRejectedWithPath) {
  absl::StatusOr<RoleManagementPolicy> policy =
      ImportRoleManagementPolicy(GetParam().json);
  absl::Status status = policy.status();
  if (status.ok()) status = RolePolicy::Compile(*policy).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr(GetParam().message)));
}

std::vector<BadInput> BadPolicies() {
  std::string good = testing::PolicyJson({});
  return {
      {"NotJson", "{", "invalid JSON"},
      {"NoRules", R"({"id": "p"})", "rules: missing; expected an array"},
      {"DayInTimePart", testing::PolicyJson({.maximum_duration = "PT1D"}),
       "rules[4].maximumDuration: "},
      {"YearsRejected", testing::PolicyJson({.maximum_duration = "P1Y"}),
       "rules[4].maximumDuration: "},
      {"ActivationOverOneDay", testing::PolicyJson({.maximum_duration = "PT25H"}),
       "rules[4].maximumDuration: invalid value 25h; expected an activation maximum from "
       "30 minutes to 24 hours"},
      {"ActivationOfTwoWeeks", testing::PolicyJson({.maximum_duration = "P14D"}),
       "rules[4].maximumDuration: invalid value 336h"},
      {"ActivationUnderHalfHour", testing::PolicyJson({.maximum_duration = "PT10M"}),
       "rules[4].maximumDuration: invalid value 10m"},
      {"ActivationWithoutExpiration", testing::PolicyJson({.expiration_required = false}),
       "rules[4].isExpirationRequired: invalid value false; expected true"},
      {"EmptyEffectiveRules", Replace(good, R"("rules": [)", R"("effectiveRules": [], "rules": [)"),
       "effectiveRules: invalid value []"},
      {"UnknownRuleType",
       Replace(good, "unifiedRoleManagementPolicyEnablementRule",
               "unifiedRoleManagementPolicyMagicRule"),
       "rules[1].@odata.type: invalid value"},
      {"UnknownEnabledRule",
       Replace(good, "\"MultiFactorAuthentication\"", "\"Fido2\""),
       "rules[5].enabledRules[0]: invalid value \"Fido2\""},
      {"UnknownCaller", Replace(good, "\"caller\": \"Admin\"", "\"caller\": \"Guest\""),
       "rules[0].target.caller: invalid value \"Guest\""},
      {"LevelDisagreesWithId",
       Replace(good,
               R"("id": "Expiration_Admin_Assignment", "isExpirationRequired": false, "maximumDuration": "P180D", "target": {"caller": "Admin", "operations": ["all"], "level": "Assignment")",
               R"("id": "Expiration_Admin_Assignment", "isExpirationRequired": false, "maximumDuration": "P180D", "target": {"caller": "Admin", "operations": ["all"], "level": "Eligibility")"),
       "rules[2].target.level: invalid value \"Eligibility\"; expected "
       "\"Assignment\""},
      {"TypeDisagreesWithId",
       Replace(good, R"("id": "Expiration_Admin_Eligibility")",
               R"("id": "Enablement_Admin_Eligibility")"),
       "rules[0]: rule \"Enablement_Admin_Eligibility\" is an expiration rule; "
       "expected an enablement rule"},
      {"RequiredWithoutMaximum",
       Replace(good, R"("isExpirationRequired": true, "maximumDuration": "PT8H")",
               R"("isExpirationRequired": true, "maximumDuration": null)"),
       "rules[4].maximumDuration: missing"},
      {"NoActivationExpirationRule",
       RemoveRule(good,
                  R"({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "id": "Expiration_EndUser_Assignment")"),
       "missing rule \"Expiration_EndUser_Assignment\""},
      {"RuleIdNotPredefined",
       Replace(good,
               R"("id": "Expiration_EndUser_Assignment", "isExpirationRequired": true, "maximumDuration": "PT8H", "target": {"caller": "EndUser")",
               R"("id": "Custom_Rule", "isExpirationRequired": true, "maximumDuration": "PT8H", "target": {"caller": "None")"),
       "rules[4].id: invalid value \"Custom_Rule\"; expected one of the rule ids PIM "
       "predefines"},
      {"NotificationRecipientNotPredefined",
       Replace(good, "Notification_Approver_EndUser_Assignment",
               "Notification_Owner_EndUser_Assignment"),
       "rules[8].id: invalid value \"Notification_Owner_EndUser_Assignment\""},
      {"ApprovalRuleForAdminNotPredefined",
       Replace(good, R"("id": "Approval_EndUser_Assignment", "target": {"caller": "EndUser")",
               R"("id": "Approval_Admin_Assignment", "target": {"caller": "Admin")"),
       "rules[6].id: invalid value \"Approval_Admin_Assignment\""},
      {"SecondApprovalRuleUnderOwnId",
       AppendRule(good,
                  R"({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule", "id": "Approval_EndUser_Assignment_Override", "target": {"caller": "EndUser", "operations": ["all"], "level": "Assignment"}, "setting": {"isApprovalRequired": false, "approvalMode": "NoApproval", "approvalStages": []}})"),
       "rules[9]: rule \"Approval_EndUser_Assignment_Override\" is an approval rule "
       "for EndUser Assignment like rules[6] \"Approval_EndUser_Assignment\"; "
       "expected one rule of each type per caller and level"},
      {"SecondEnablementRuleUnderOwnId",
       AppendRule(good,
                  R"({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule", "id": "Enablement_EndUser_Assignment2", "enabledRules": [], "target": {"caller": "EndUser", "operations": ["all"], "level": "Assignment"}})"),
       "rules[9]: rule \"Enablement_EndUser_Assignment2\" is an enablement rule for "
       "EndUser Assignment like rules[5] \"Enablement_EndUser_Assignment\""},
      {"DuplicateRuleId",
       AppendRule(good,
                  R"({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule", "id": "Enablement_EndUser_Assignment", "enabledRules": [], "target": {"caller": "EndUser", "operations": ["all"], "level": "Assignment"}})"),
       "rules[9].id: duplicate rule id \"Enablement_EndUser_Assignment\" (rules[5].id "
       "has it too)"},
      {"BooleanAsString",
       Replace(good, R"("isExpirationRequired": true)", R"("isExpirationRequired": "yes")"),
       "rules[4].isExpirationRequired: invalid value \"yes\"; expected true or false"},
      {"AuthenticationContextWithoutClaim",
       Replace(good, R"("isEnabled": false)", R"("isEnabled": true)"),
       "rules[7].claimValue: missing"},
      {"NoActivationEnablementRule",
       RemoveRule(good,
                  R"({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule", "id": "Enablement_EndUser_Assignment")"),
       "rules: missing rule \"Enablement_EndUser_Assignment\""},
      {"NoActivationApprovalRule",
       RemoveRule(good,
                  R"({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule", "id": "Approval_EndUser_Assignment")"),
       "rules: missing rule \"Approval_EndUser_Assignment\""},
      {"EnabledRulesNull",
       Replace(good, R"("enabledRules": ["MultiFactorAuthentication", "Justification"])",
               R"("enabledRules": null)"),
       "rules[5].enabledRules: missing; expected an array"},
      {"EnabledRulesAbsent",
       Replace(good, R"("enabledRules": ["MultiFactorAuthentication", "Justification"], )", ""),
       "rules[5].enabledRules: missing; expected an array"},
      {"ActivationExpirationOnlyForDeactivate",
       Replace(good,
               R"("maximumDuration": "PT8H", "target": {"caller": "EndUser", "operations": ["all"])",
               R"("maximumDuration": "PT8H", "target": {"caller": "EndUser", "operations": ["Deactivate"])"),
       "rules[4].target.operations: invalid value [\"Deactivate\"]; expected \"All\" or "
       "\"Activate\""},
      {"ActivationEnablementOnlyForRenew",
       Replace(good,
               R"("Justification"], "target": {"caller": "EndUser", "operations": ["all"])",
               R"("Justification"], "target": {"caller": "EndUser", "operations": ["renew", "extend"])"),
       "rules[5].target.operations: invalid value [\"Renew\", \"Extend\"]"},
      {"AdminExpirationOnlyForUpdate",
       Replace(good,
               R"("maximumDuration": "P180D", "target": {"caller": "Admin", "operations": ["all"])",
               R"("maximumDuration": "P180D", "target": {"caller": "Admin", "operations": ["update"])"),
       "rules[2].target.operations: invalid value [\"Update\"]; expected \"All\" or "
       "\"Assign\""},
      {"ListWithTwoPolicies",
       absl::StrCat(R"({"value": [)", good, ",", good, "]}"),
       "value: invalid value"},
  };
}

INSTANTIATE_TEST_SUITE_P(
    Policies, BadPolicyTest, ::testing::ValuesIn(BadPolicies()),
    [](const ::testing::TestParamInfo<BadInput>& info) { return info.param.name; });

TEST(ImportPolicyTest, ReadsGraphRules) {
  ASSERT_OK_AND_ASSIGN(RoleManagementPolicy policy,
                       ImportRoleManagementPolicy(testing::PolicyJson(
                           {.approval_required = true, .claim_value = "c1"})));
  EXPECT_EQ(policy.source_format(), SOURCE_FORMAT_GRAPH);
  ASSERT_EQ(policy.rules_size(), 9);
  EXPECT_EQ(policy.rules(4).id(), "Expiration_EndUser_Assignment");
  EXPECT_EQ(policy.rules(4).expiration().maximum_duration().seconds(), 8 * 3600);
  EXPECT_EQ(policy.rules(4).target().caller(), CALLER_END_USER);
  EXPECT_EQ(policy.rules(4).target().operations(0), OPERATION_ALL);
  const ApprovalRule& approval = policy.rules(6).approval();
  EXPECT_TRUE(approval.is_approval_required());
  EXPECT_EQ(approval.approval_mode(), APPROVAL_MODE_SINGLE_STAGE);
  ASSERT_EQ(approval.approval_stages_size(), 1);
  ASSERT_EQ(approval.approval_stages(0).primary_approvers_size(), 1);
  EXPECT_EQ(approval.approval_stages(0).primary_approvers(0).kind(), "groupMembers");
  EXPECT_EQ(approval.approval_stages(0).primary_approvers(0).id(),
            "2385b0f3-5fa9-43cf-8ca4-b01dc97298cd");
  EXPECT_EQ(policy.rules(7).authentication_context().claim_value(), "c1");
  EXPECT_EQ(policy.rules(8).notification().recipient_type(), "Approver");

  ASSERT_OK_AND_ASSIGN(RolePolicy compiled, RolePolicy::Compile(policy));
  EXPECT_TRUE(compiled.approval_required());
  EXPECT_EQ(compiled.required_authentication_context(), "c1");
  const LevelRules& activation = compiled.Rules(CALLER_END_USER, LEVEL_ASSIGNMENT);
  EXPECT_EQ(activation.maximum_duration, absl::Hours(8));
  EXPECT_TRUE(activation.require_mfa);
  EXPECT_TRUE(activation.require_justification);
  EXPECT_FALSE(activation.require_ticketing);
}

TEST(ImportPolicyTest, OneDayAndTwentyFourHoursAgree) {
  ASSERT_OK_AND_ASSIGN(RoleManagementPolicy day, ImportRoleManagementPolicy(
                                                     testing::PolicyJson({.maximum_duration = "P1D"})));
  ASSERT_OK_AND_ASSIGN(RoleManagementPolicy hours, ImportRoleManagementPolicy(
                                                       testing::PolicyJson({.maximum_duration = "PT24H"})));
  EXPECT_EQ(day.rules(4).expiration().maximum_duration().seconds(),
            hours.rules(4).expiration().maximum_duration().seconds());
}

TEST(ImportPolicyTest, ReadsArmRuleTypeAndProperties) {
  std::string arm = R"({"id": "/subscriptions/s/providers/Microsoft.Authorization/roleManagementPolicies/p",
    "name": "p", "type": "Microsoft.Authorization/RoleManagementPolicies",
    "properties": {"scope": "/subscriptions/s", "rules": [
      {"isExpirationRequired": true, "maximumDuration": "PT7H", "id": "Expiration_EndUser_Assignment",
       "ruleType": "RoleManagementPolicyExpirationRule",
       "target": {"caller": "EndUser", "operations": ["All"], "level": "Assignment",
                  "targetObjects": null, "inheritableSettings": null, "enforcedSettings": null}},
      {"enabledRules": ["MultiFactorAuthentication"], "id": "Enablement_EndUser_Assignment",
       "ruleType": "RoleManagementPolicyEnablementRule",
       "target": {"caller": "EndUser", "operations": ["All"], "level": "Assignment"}},
      {"setting": {"isApprovalRequired": true, "approvalMode": "singlestage", "approvalStages": [
         {"approvalStageTimeOutInDays": 1, "primaryApprovers": [
           {"id": "2f4913c9-d15b-406a-9946-1d66a28f2690", "description": "pim_approvers_group",
            "isBackup": false, "userType": "Group"}], "escalationApprovers": null}]},
       "id": "Approval_EndUser_Assignment", "ruleType": "roleManagementPolicyApprovalRule",
       "target": {"caller": "EndUser", "operations": ["All"], "level": "Assignment"}}]}})";
  ASSERT_OK_AND_ASSIGN(RoleManagementPolicy policy, ImportRoleManagementPolicy(arm));
  EXPECT_EQ(policy.source_format(), SOURCE_FORMAT_ARM);
  EXPECT_EQ(policy.scope_id(), "/subscriptions/s");
  ASSERT_EQ(policy.rules_size(), 3);
  EXPECT_EQ(policy.rules(2).approval().approval_stages(0).primary_approvers(0).kind(),
            "Group");
  ASSERT_OK_AND_ASSIGN(RolePolicy compiled, RolePolicy::Compile(policy));
  EXPECT_EQ(compiled.Rules(CALLER_END_USER, LEVEL_ASSIGNMENT).maximum_duration,
            absl::Hours(7));
  EXPECT_TRUE(compiled.approval_required());
}

TEST(ImportPolicyTest, ArmErrorsNameProperties) {
  std::string arm = R"({"id": "p", "properties": {"scope": "/subscriptions/s", "rules": [
      {"isExpirationRequired": true, "maximumDuration": "PT7H", "id": "Expiration_EndUser_Assignment",
       "ruleType": "RoleManagementPolicyExpirationRule",
       "target": {"caller": "EndUser", "operations": ["All"], "level": "Assignment"}}]}})";
  ASSERT_OK_AND_ASSIGN(RoleManagementPolicy policy, ImportRoleManagementPolicy(arm));
  EXPECT_THAT(RolePolicy::Compile(policy).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("properties.rules: missing rule "
                                 "\"Enablement_EndUser_Assignment\"")));

  std::string zero = Replace(arm, "\"PT7H\"", "\"PT0S\"");
  ASSERT_OK_AND_ASSIGN(policy, ImportRoleManagementPolicy(zero));
  EXPECT_THAT(RolePolicy::Compile(policy).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("properties.rules[0].maximumDuration: invalid value")));
}

TEST(ImportPolicyTest, EmptyEnabledRulesRequireNothing) {
  ASSERT_OK_AND_ASSIGN(RoleManagementPolicy policy,
                       ImportRoleManagementPolicy(testing::PolicyJson({.enabled_rules = {}})));
  ASSERT_OK_AND_ASSIGN(RolePolicy compiled, RolePolicy::Compile(policy));
  EXPECT_FALSE(compiled.Rules(CALLER_END_USER, LEVEL_ASSIGNMENT).require_mfa);
}

TEST(ImportPolicyTest, EffectiveRulesDecide) {
  ASSERT_OK_AND_ASSIGN(
      RoleManagementPolicy policy,
      ImportRoleManagementPolicy(testing::PolicyWithEffectiveRulesJson(
          {.maximum_duration = "PT8H", .enabled_rules = {}},
          {.maximum_duration = "PT1H", .enabled_rules = {"Ticketing"},
           .approval_required = true})));
  ASSERT_OK_AND_ASSIGN(RolePolicy compiled, RolePolicy::Compile(policy));
  EXPECT_TRUE(compiled.judged_by_effective_rules());
  const LevelRules& activation = compiled.Rules(CALLER_END_USER, LEVEL_ASSIGNMENT);
  EXPECT_EQ(activation.maximum_duration, absl::Hours(1));
  EXPECT_TRUE(activation.require_ticketing);
  EXPECT_TRUE(compiled.approval_required());
}

TEST(ImportPolicyTest, BadEffectiveRulesAreNamed) {
  std::string json = testing::PolicyWithEffectiveRulesJson({}, {.maximum_duration = "PT0S"});
  ASSERT_OK_AND_ASSIGN(RoleManagementPolicy policy, ImportRoleManagementPolicy(json));
  EXPECT_THAT(RolePolicy::Compile(policy).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("effectiveRules[4].maximumDuration")));
}

TEST(ImportPolicyTest, ApprovalRequiredWinsOverNoApprovalMode) {
  ASSERT_OK_AND_ASSIGN(RoleManagementPolicy policy,
                       ImportRoleManagementPolicy(testing::PolicyJson(
                           {.approval_required = true, .approval_mode = "NoApproval"})));
  ASSERT_OK_AND_ASSIGN(RolePolicy compiled, RolePolicy::Compile(policy));
  EXPECT_TRUE(compiled.approval_required());
}

TEST(ImportPolicyTest, PolicyGovernsOnlyItsScopeAndRole) {
  std::string json = Replace(
      testing::PolicyJson({}), R"("scopeId": "/")",
      R"("scopeId": "/subscriptions/S1/resourceGroups/RG/", "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/r1")");
  ASSERT_OK_AND_ASSIGN(RoleManagementPolicy policy, ImportRoleManagementPolicy(json));
  ASSERT_OK_AND_ASSIGN(RolePolicy compiled, RolePolicy::Compile(policy));
  EXPECT_THAT(compiled.CheckGoverns("r1", "/subscriptions/s1/resourcegroups/rg",
                                    "/subscriptions/s1/resourceGroups/rg"),
              IsOk());
  EXPECT_THAT(compiled.CheckGoverns("r1", "/subscriptions/s1/resourcegroups/other",
                                    "/subscriptions/s1/resourceGroups/other"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("the request's scope \"/subscriptions/s1/resourceGroups/other\" "
                                 "differs from the policy's scopeId "
                                 "\"/subscriptions/S1/resourceGroups/RG/\"")));
  EXPECT_THAT(compiled.CheckGoverns("r1", "/subscriptions/s1", "/subscriptions/s1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("differs")));
  EXPECT_THAT(compiled.CheckGoverns("r2", "/subscriptions/s1/resourcegroups/rg",
                                    "/subscriptions/s1/resourceGroups/rg"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("roleDefinitionId \"r2\" differs")));
}

TEST(ImportRequestTest, EnumsMatchInAnyCase) {
  for (const char* type : {"AfterDuration", "afterDuration", "AFTERDURATION"}) {
    ASSERT_OK_AND_ASSIGN(ScheduleRequest request,
                         ImportScheduleRequest(testing::RequestJson(
                             {.action = "SelfActivate", .expiration_type = type})));
    EXPECT_EQ(request.action(), ACTION_SELF_ACTIVATE);
    EXPECT_EQ(request.schedule_info().expiration().type(),
              EXPIRATION_TYPE_AFTER_DURATION);
  }
}

TEST(ImportRequestTest, ReadsEveryAction) {
  const std::vector<std::pair<std::string, Action>> actions = {
      {"adminAssign", ACTION_ADMIN_ASSIGN},     {"adminUpdate", ACTION_ADMIN_UPDATE},
      {"adminRemove", ACTION_ADMIN_REMOVE},     {"selfActivate", ACTION_SELF_ACTIVATE},
      {"selfDeactivate", ACTION_SELF_DEACTIVATE}, {"adminExtend", ACTION_ADMIN_EXTEND},
      {"adminRenew", ACTION_ADMIN_RENEW},       {"selfExtend", ACTION_SELF_EXTEND},
      {"selfRenew", ACTION_SELF_RENEW}};
  for (const auto& [name, action] : actions) {
    ASSERT_OK_AND_ASSIGN(ScheduleRequest request,
                         ImportScheduleRequest(testing::RequestJson({.action = name})));
    EXPECT_EQ(request.action(), action) << name;
    EXPECT_EQ(ActionName(action), name);
  }
}

TEST(ImportRequestTest, ListResponseNamed) {
  const std::string list = absl::StrCat(
      R"({"@odata.context": "x", "value": [)",
      testing::RequestJson({.action = "selfActivate"}), "]}");
  EXPECT_THAT(ImportScheduleRequest(list).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("value: a list of 1 entry, as a list")));
}

TEST(ImportRequestTest, ReadsCreatedTime) {
  ASSERT_OK_AND_ASSIGN(
      ScheduleRequest graph,
      ImportScheduleRequest(testing::RequestJson(
          {.extra_members = R"("createdDateTime": "2026-03-02T08:50:00Z")"})));
  EXPECT_TRUE(graph.has_created_time());
  EXPECT_EQ(graph.created_time().seconds(),
            absl::ToUnixSeconds(testing::At("2026-03-02T08:50:00Z")));

  ASSERT_OK_AND_ASSIGN(
      ScheduleRequest arm,
      ImportScheduleRequest(R"({"properties": {"requestType": "SelfActivate",
          "principalId": "p", "roleDefinitionId": "r", "scope": "/subscriptions/s",
          "createdOn": "2026-03-02T08:51:00Z"}, "name": "n",
          "type": "Microsoft.Authorization/RoleAssignmentScheduleRequests"})"));
  EXPECT_EQ(arm.created_time().seconds(),
            absl::ToUnixSeconds(testing::At("2026-03-02T08:51:00Z")));

  ASSERT_OK_AND_ASSIGN(ScheduleRequest posted,
                       ImportScheduleRequest(testing::RequestJson({})));
  EXPECT_FALSE(posted.has_created_time());
}

TEST(ImportRequestTest, ReadsKnownStatuses) {
  const std::vector<std::pair<std::string, RequestStatus>> statuses = {
      {"Provisioned", RequestStatus::kOpen},
      {"granted", RequestStatus::kOpen},
      {"PendingApproval", RequestStatus::kAwaitingApproval},
      {"PendingAdminDecision", RequestStatus::kAwaitingApproval},
      {"Denied", RequestStatus::kNoActivation},
      {"Canceled", RequestStatus::kNoActivation},
      {"Failed", RequestStatus::kNoActivation},
      {"Revoked", RequestStatus::kNoActivation},
      {"TimedOut", RequestStatus::kNoActivation},
  };
  for (const auto& [text, meaning] : statuses) {
    ASSERT_OK_AND_ASSIGN(
        ScheduleRequest request,
        ImportScheduleRequest(testing::RequestJson(
            {.extra_members = absl::StrCat(R"("status": ")", text, "\"")})));
    EXPECT_EQ(request.status(), text);
    ASSERT_OK_AND_ASSIGN(ActivationRequest compiled, ActivationRequest::Create(request));
    EXPECT_EQ(compiled.status, meaning) << text;
  }
  ASSERT_OK_AND_ASSIGN(ScheduleRequest without,
                       ImportScheduleRequest(testing::RequestJson({})));
  ASSERT_OK_AND_ASSIGN(ActivationRequest compiled, ActivationRequest::Create(without));
  EXPECT_EQ(compiled.status, RequestStatus::kOpen);
}

TEST(ActivationRequestTest, RejectsUnknownStatus) {
  ASSERT_OK_AND_ASSIGN(ScheduleRequest request,
                       ImportScheduleRequest(testing::RequestJson({})));
  request.set_status("Cancelled");
  EXPECT_THAT(ActivationRequest::Create(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("status: invalid value \"Cancelled\"")));
}

class BadRequestTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadRequestTest, IsRejectedWithPath) {
  EXPECT_THAT(ImportScheduleRequest(GetParam().json),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(GetParam().message)));
}

std::vector<BadInput> BadRequests() {
  return {
      {"UnknownAction", testing::RequestJson({.action = "selfElevate"}),
       "action: invalid value \"selfElevate\""},
      {"MangledDuration", testing::RequestJson({.duration = "1230M"}),
       "scheduleInfo.expiration.duration: "},
      {"DayInTimePart", testing::RequestJson({.duration = "PT1D"}),
       "scheduleInfo.expiration.duration: "},
      {"AfterDurationWithoutDuration", testing::RequestJson({.duration = ""}),
       "scheduleInfo.expiration.duration: missing"},
      {"AfterDateTimeWithoutEnd",
       testing::RequestJson({.expiration_type = "afterDateTime", .duration = ""}),
       "scheduleInfo.expiration.endDateTime: missing"},
      {"DurationWithNoExpiration",
       testing::RequestJson({.expiration_type = "noExpiration"}),
       "scheduleInfo.expiration.type: invalid value \"noExpiration\""},
      {"UnknownExpirationType", testing::RequestJson({.expiration_type = "someday"}),
       "scheduleInfo.expiration.type: invalid value \"someday\""},
      {"StartWithoutOffset", testing::RequestJson({.start = "2026-03-02T09:00:00"}),
       "scheduleInfo.startDateTime: "},
      {"NoPrincipal", Replace(testing::RequestJson({}), "\"principalId\"", "\"owner\""),
       "principalId: missing"},
      {"NoScope", testing::RequestJson({.scope = ""}), "directoryScopeId"},
      {"UnknownStatus",
       testing::RequestJson({.extra_members = R"("status": "Cancelled")"}),
       "status: invalid value \"Cancelled\"; expected one of \"Accepted\""},
      {"StatusWithTrailingSpace",
       testing::RequestJson({.extra_members = R"("status": "Revoked ")"}),
       "status: invalid value \"Revoked \""},
      {"StatusNotString", testing::RequestJson({.extra_members = R"("status": 3)"}),
       "status: invalid value 3"},
      {"CreatedNotTime",
       testing::RequestJson({.extra_members = R"("createdDateTime": "yesterday")"}),
       "createdDateTime: "},
  };
}

INSTANTIATE_TEST_SUITE_P(
    Requests, BadRequestTest, ::testing::ValuesIn(BadRequests()),
    [](const ::testing::TestParamInfo<BadInput>& info) { return info.param.name; });

TEST(ImportInstancesTest, ChecksStatus) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<ScheduleInstance> instances,
      ImportScheduleInstances(testing::InstanceListJson({{.start = "2026-03-01T00:00:00Z",
                                                          .status = "Revoked"}}),
                              LEVEL_ASSIGNMENT));
  ASSERT_EQ(instances.size(), 1u);
  EXPECT_EQ(instances[0].status(), "Revoked");
  EXPECT_THAT(ImportScheduleInstances(
                  testing::InstanceListJson({{.start = "2026-03-01T00:00:00Z",
                                              .status = "Revokd"}}),
                  LEVEL_ASSIGNMENT),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("value[0].status: invalid value \"Revokd\"")));
}

TEST(ImportInstancesTest, ReadsGraphList) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<ScheduleInstance> instances,
      ImportScheduleInstances(
          testing::InstanceListJson({{.start = "2026-03-01T00:00:00Z", .end = ""},
                                     {.start = "2026-03-01T00:00:00Z",
                                      .end = "2026-03-02T00:00:00.1234567Z"}}),
          LEVEL_ELIGIBILITY));
  ASSERT_EQ(instances.size(), 2u);
  EXPECT_FALSE(instances[0].has_end_time());
  EXPECT_EQ(instances[1].end_time().nanos(), 123456700);
  EXPECT_EQ(instances[1].member_type(), MEMBER_TYPE_DIRECT);
  EXPECT_EQ(instances[1].level(), LEVEL_ELIGIBILITY);
}

// Graph pages eligibility lists with @odata.nextLink (ARM with nextLink). A
// missing eligibility can leave PIM saying it does not govern the user, so
// one page of a longer list is rejected, and the last page is read.
TEST(ImportInstancesTest, RejectsPageOfPagedList) {
  const std::string list =
      testing::InstanceListJson({{.start = "2026-03-01T00:00:00Z", .end = ""}});
  auto with = [&](absl::string_view member) {
    return absl::StrCat("{", member, ", ", list.substr(1));
  };
  EXPECT_THAT(
      ImportScheduleInstances(
          with(R"("@odata.nextLink": "https://graph.microsoft.com/v1.0/p2")"),
          LEVEL_ELIGIBILITY),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("@odata.nextLink: the file is one page of a paged "
                         "Graph list, so the items on later pages are missing; "
                         "follow @odata.nextLink "
                         "(\"https://graph.microsoft.com/v1.0/p2\")")));
  EXPECT_THAT(ImportScheduleInstances(with(R"("nextLink": "https://arm/p2")"),
                                      LEVEL_ASSIGNMENT),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("nextLink: the file is one page of a paged "
                                 "Azure Resource Manager list")));
  EXPECT_THAT(ImportScheduleInstances(with(R"("@odata.nextLink": null)"),
                                      LEVEL_ELIGIBILITY),
              IsOk());
  EXPECT_THAT(ImportScheduleInstances(with(R"("nextLink": "")"),
                                      LEVEL_ELIGIBILITY),
              IsOk());
}

TEST(ImportPolicyTest, RejectsPageOfPagedList) {
  const std::string policy = testing::PolicyJson({});
  EXPECT_THAT(
      ImportRoleManagementPolicy(absl::StrCat(
          R"({"@odata.nextLink": "https://graph/p2", "value": [)", policy, "]}")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("@odata.nextLink: the file is one page of a paged "
                         "Graph list")));
  EXPECT_THAT(ImportRoleManagementPolicy(absl::StrCat(
                  R"({"@odata.nextLink": null, "value": [)", policy, "]}")),
              IsOk());
}

TEST(ImportInstancesTest, ReadsArmCondition) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<ScheduleInstance> instances,
      ImportScheduleInstances(
          R"({"value": [{"properties": {"scope": "/subscriptions/s", "roleDefinitionId": "r",
              "principalId": "p", "startDateTime": "2026-03-02T09:00:00Z",
              "condition": "@Resource[Microsoft.Compute/virtualMachines:name] StringEquals 'vm1'",
              "conditionVersion": "2.0"}, "name": "i1"},
            {"properties": {"scope": "/subscriptions/s", "roleDefinitionId": "r",
              "principalId": "p", "startDateTime": "2026-03-02T09:00:00Z",
              "condition": null, "conditionVersion": null}, "name": "i2"}]})",
          LEVEL_ASSIGNMENT));
  ASSERT_EQ(instances.size(), 2u);
  EXPECT_EQ(instances[0].condition(),
            "@Resource[Microsoft.Compute/virtualMachines:name] StringEquals 'vm1'");
  EXPECT_EQ(instances[0].condition_version(), "2.0");
  EXPECT_EQ(instances[1].condition(), "");
  EXPECT_EQ(instances[1].condition_version(), "");
}

TEST(ImportRequestTest, ReadsCondition) {
  ASSERT_OK_AND_ASSIGN(
      ScheduleRequest request,
      ImportScheduleRequest(testing::RequestJson(
          {.extra_members = R"("condition": "@Request[x] StringEquals 'y'", "conditionVersion": "2.0")"})));
  EXPECT_EQ(request.condition(), "@Request[x] StringEquals 'y'");
  EXPECT_EQ(request.condition_version(), "2.0");
  EXPECT_THAT(ImportScheduleRequest(
                  testing::RequestJson({.extra_members = R"("condition": 7)"})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("condition: invalid value 7")));
}

TEST(ImportInstancesTest, RejectsOtherLevel) {
  std::string json = R"({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignmentScheduleInstances", "value": []})";
  EXPECT_THAT(ImportScheduleInstances(json, LEVEL_ELIGIBILITY),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("@odata.context: invalid value")));
  EXPECT_THAT(ImportScheduleInstances(json, LEVEL_ASSIGNMENT), IsOk());
}

TEST(ImportInstancesTest, RejectsEndBeforeStart) {
  EXPECT_THAT(ImportScheduleInstances(
                  testing::InstanceListJson({{.start = "2026-03-02T00:00:00Z",
                                              .end = "2026-03-01T00:00:00Z"}}),
                  LEVEL_ASSIGNMENT),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("value[0].endDateTime: invalid value")));
}

TEST(ImportInstancesTest, RejectsMissingStart) {
  EXPECT_THAT(ImportScheduleInstances(
                  R"({"value": [{"principalId": "p", "roleDefinitionId": "r", "directoryScopeId": "/"}]})",
                  LEVEL_ASSIGNMENT),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("value[0].startDateTime: missing")));
}

TEST(ImportInstancesTest, ReadsUtf16WithByteOrderMark) {
  std::string utf8 = testing::InstanceListJson({{.start = "2026-03-01T00:00:00Z"}});
  std::string utf16 = "\xFF\xFE";
  for (char c : utf8) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  ASSERT_OK_AND_ASSIGN(std::vector<ScheduleInstance> instances,
                       ImportScheduleInstances(utf16, LEVEL_ELIGIBILITY));
  EXPECT_EQ(instances.size(), 1u);
}

}  // namespace
}  // namespace portcullis::pim
