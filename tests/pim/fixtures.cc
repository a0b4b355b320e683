#include "tests/pim/fixtures.h"

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "schedule/rfc3339.h"

namespace portcullis::pim::testing {
namespace {

std::string Target(const std::string& caller, const std::string& level) {
  return absl::StrCat(R"("target": {"caller": ")", caller,
                      R"(", "operations": ["all"], "level": ")", level,
                      R"(", "inheritableSettings": [], "enforcedSettings": []})");
}

std::string ExpirationRule(const std::string& id, bool required,
                           const std::string& maximum, const std::string& caller,
                           const std::string& level) {
  return absl::StrCat(
      R"({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "id": ")",
      id, R"(", "isExpirationRequired": )", required ? "true" : "false",
      R"(, "maximumDuration": ")", maximum, R"(", )", Target(caller, level), "}");
}

std::string EnablementRule(const std::string& id,
                           const std::vector<std::string>& enabled,
                           const std::string& caller, const std::string& level) {
  std::vector<std::string> quoted;
  for (const std::string& name : enabled) quoted.push_back(absl::StrCat("\"", name, "\""));
  return absl::StrCat(
      R"({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule", "id": ")",
      id, R"(", "enabledRules": [)", absl::StrJoin(quoted, ", "), "], ",
      Target(caller, level), "}");
}

std::string Quoted(const std::string& text) {
  return text.empty() ? "null" : absl::StrCat("\"", text, "\"");
}

// The rules array of a Graph policy.
std::string RulesJson(const PolicySettings& s) {
  std::vector<std::string> rules = {
      ExpirationRule("Expiration_Admin_Eligibility", s.admin_eligibility_required,
                     s.admin_eligibility_maximum, "Admin", "Eligibility"),
      EnablementRule("Enablement_Admin_Eligibility", {}, "Admin", "Eligibility"),
      ExpirationRule("Expiration_Admin_Assignment", s.admin_assignment_required,
                     s.admin_assignment_maximum, "Admin", "Assignment"),
      EnablementRule("Enablement_Admin_Assignment", {"Justification"}, "Admin",
                     "Assignment"),
      ExpirationRule("Expiration_EndUser_Assignment", s.expiration_required,
                     s.maximum_duration, "EndUser", "Assignment"),
      EnablementRule("Enablement_EndUser_Assignment", s.enabled_rules, "EndUser",
                     "Assignment"),
      absl::StrCat(
          R"({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule", "id": "Approval_EndUser_Assignment", )",
          Target("EndUser", "Assignment"),
          R"(, "setting": {"isApprovalRequired": )",
          s.approval_required ? "true" : "false",
          R"(, "isApprovalRequiredForExtension": false, "isRequestorJustificationRequired": )",
          s.requestor_justification_required ? "true" : "false",
          R"(, "approvalMode": ")", s.approval_mode,
          R"(", "approvalStages": [{"approvalStageTimeOutInDays": )",
          s.approval_timeout_days,
          R"(, "isApproverJustificationRequired": true, "escalationTimeInMinutes": 0, "isEscalationEnabled": false, "primaryApprovers": [{"@odata.type": "#microsoft.graph.groupMembers", "groupId": "2385b0f3-5fa9-43cf-8ca4-b01dc97298cd", "description": "approvers"}], "escalationApprovers": []}]}})"),
      absl::StrCat(
          R"({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule", "id": "AuthenticationContext_EndUser_Assignment", "isEnabled": )",
          s.claim_value.empty() ? "false" : "true", R"(, "claimValue": )",
          Quoted(s.claim_value), ", ", Target("EndUser", "Assignment"), "}"),
      absl::StrCat(
          R"({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule", "id": "Notification_Approver_EndUser_Assignment", "notificationType": "Email", "recipientType": "Approver", "notificationLevel": "All", "isDefaultRecipientsEnabled": true, "notificationRecipients": [], )",
          Target("EndUser", "Assignment"), "}"),
  };
  return absl::StrCat("[", absl::StrJoin(rules, ",\n"), "]");
}

constexpr char kPolicyHead[] =
    R"({"id": "DirectoryRole_test", "scopeId": "/", "scopeType": "DirectoryRole", "isOrganizationDefault": false, "rules": )";

}  // namespace

std::string PolicyJson(const PolicySettings& s) {
  return absl::StrCat(kPolicyHead, RulesJson(s), "}");
}

std::string PolicyWithEffectiveRulesJson(const PolicySettings& rules,
                                         const PolicySettings& effective) {
  return absl::StrCat(kPolicyHead, RulesJson(rules), R"(, "effectiveRules": )",
                      RulesJson(effective), "}");
}

std::string RequestJson(const RequestSettings& s) {
  std::string expiration = absl::StrCat(R"({"type": ")", s.expiration_type, "\"");
  if (!s.duration.empty()) absl::StrAppend(&expiration, R"(, "duration": ")", s.duration, "\"");
  if (!s.end.empty()) absl::StrAppend(&expiration, R"(, "endDateTime": ")", s.end, "\"");
  expiration += "}";
  std::string schedule = absl::StrCat(R"({"expiration": )", expiration);
  if (!s.start.empty()) absl::StrAppend(&schedule, R"(, "startDateTime": ")", s.start, "\"");
  schedule += "}";
  std::string ticket =
      s.ticket_number.empty()
          ? "null"
          : absl::StrCat(R"({"ticketNumber": ")", s.ticket_number,
                         R"(", "ticketSystem": "MS Project"})");
  return absl::StrCat(R"({"action": ")", s.action, R"(", "principalId": ")",
                      s.principal, R"(", "roleDefinitionId": ")", s.role,
                      R"(", "directoryScopeId": ")", s.scope,
                      R"(", "justification": )", Quoted(s.justification),
                      R"(, "scheduleInfo": )", schedule, R"(, "ticketInfo": )",
                      ticket, s.extra_members.empty() ? "" : ", ", s.extra_members,
                      "}");
}

std::string InstanceListJson(const std::vector<InstanceSettings>& instances) {
  std::vector<std::string> items;
  int n = 0;
  for (const InstanceSettings& s : instances) {
    items.push_back(absl::StrCat(
        R"({"id": "instance-)", n++, R"(", "principalId": ")", s.principal,
        R"(", "roleDefinitionId": ")", s.role, R"(", "directoryScopeId": ")",
        s.scope, R"(", "appScopeId": null, "startDateTime": ")", s.start,
        R"(", "endDateTime": )", Quoted(s.end),
        R"(, "memberType": "Direct", "assignmentType": "Activated")",
        s.status.empty() ? "" : absl::StrCat(R"(, "status": ")", s.status, "\""), "}"));
  }
  return absl::StrCat(R"({"value": [)", absl::StrJoin(items, ", "), "]}");
}

absl::Time At(const std::string& rfc3339) {
  absl::StatusOr<absl::Time> time = schedule::ParseRfc3339(rfc3339);
  if (!time.ok()) {
    std::cerr << "bad test time " << rfc3339 << ": " << time.status() << "\n";
    std::abort();
  }
  return *time;
}

}  // namespace portcullis::pim::testing
