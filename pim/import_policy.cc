// Importer for role management policies (Graph and ARM shapes).
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "json/json.h"
#include "pim/import.h"
#include "pim/internal/json_reader.h"
#include "pim/internal/status_macros.h"
#include "proto/pim.pb.h"

namespace portcullis::pim {
namespace {

using ::google::protobuf::ListValue;
using ::google::protobuf::Struct;
using ::google::protobuf::Value;
using internal::EnumName;
using internal::ObjectReader;

const std::vector<EnumName>& CallerNames() {
  static const auto* names = new std::vector<EnumName>{
      {"None", CALLER_NONE}, {"Admin", CALLER_ADMIN}, {"EndUser", CALLER_END_USER}};
  return *names;
}

const std::vector<EnumName>& LevelNames() {
  static const auto* names = new std::vector<EnumName>{
      {"Eligibility", LEVEL_ELIGIBILITY}, {"Assignment", LEVEL_ASSIGNMENT}};
  return *names;
}

const std::vector<EnumName>& OperationNames() {
  static const auto* names = new std::vector<EnumName>{
      {"All", OPERATION_ALL},         {"Activate", OPERATION_ACTIVATE},
      {"Deactivate", OPERATION_DEACTIVATE}, {"Assign", OPERATION_ASSIGN},
      {"Update", OPERATION_UPDATE},   {"Remove", OPERATION_REMOVE},
      {"Extend", OPERATION_EXTEND},   {"Renew", OPERATION_RENEW}};
  return *names;
}

const std::vector<EnumName>& EnabledRuleNames() {
  static const auto* names = new std::vector<EnumName>{
      {"MultiFactorAuthentication", ENABLED_RULE_MULTI_FACTOR_AUTHENTICATION},
      {"Justification", ENABLED_RULE_JUSTIFICATION},
      {"Ticketing", ENABLED_RULE_TICKETING}};
  return *names;
}

const std::vector<EnumName>& ApprovalModeNames() {
  static const auto* names = new std::vector<EnumName>{
      {"SingleStage", APPROVAL_MODE_SINGLE_STAGE},
      {"Serial", APPROVAL_MODE_SERIAL},
      {"Parallel", APPROVAL_MODE_PARALLEL},
      {"NoApproval", APPROVAL_MODE_NO_APPROVAL}};
  return *names;
}

enum RuleKind {
  kExpirationRule,
  kEnablementRule,
  kApprovalRule,
  kAuthenticationContextRule,
  kNotificationRule,
};

const std::vector<EnumName>& RuleTypeNames() {
  static const auto* names = new std::vector<EnumName>{
      {"RoleManagementPolicyExpirationRule", kExpirationRule},
      {"RoleManagementPolicyEnablementRule", kEnablementRule},
      {"RoleManagementPolicyApprovalRule", kApprovalRule},
      {"RoleManagementPolicyAuthenticationContextRule",
       kAuthenticationContextRule},
      {"RoleManagementPolicyNotificationRule", kNotificationRule}};
  return *names;
}

// Reads the rule type from `@odata.type`
// ("#microsoft.graph.unifiedRoleManagementPolicyExpirationRule") or ARM
// `ruleType` ("RoleManagementPolicyExpirationRule").
absl::StatusOr<RuleKind> ReadRuleKind(const ObjectReader& rule) {
  const Value* odata_type = rule.Find("@odata.type");
  if (odata_type != nullptr) {
    json::Path path = rule.FieldPath("@odata.type");
    absl::StatusOr<std::string> text = json::GetString(*odata_type, path);
    if (!text.ok()) return text.status();
    absl::string_view name = *text;
    absl::ConsumePrefix(&name, "#");
    if (!absl::ConsumePrefix(&name, "microsoft.graph.unified")) name = "";
    for (const EnumName& kind : RuleTypeNames()) {
      if (absl::EqualsIgnoreCase(name, kind.name)) {
        return static_cast<RuleKind>(kind.value);
      }
    }
    return json::InvalidField(
        path, *odata_type,
        "a policy rule type such as "
        "\"#microsoft.graph.unifiedRoleManagementPolicyExpirationRule\"");
  }
  const Value* rule_type = rule.Find("ruleType");
  if (rule_type == nullptr) {
    return json::MissingField(rule.FieldPath("@odata.type"),
                              "the rule type in \"@odata.type\" (Graph) or "
                              "\"ruleType\" (Azure Resource Manager)");
  }
  PIM_ASSIGN_OR_RETURN(
      int kind, internal::ParseEnum(*rule_type, rule.FieldPath("ruleType"),
                                    RuleTypeNames()));
  return static_cast<RuleKind>(kind);
}

absl::Status ReadTarget(const ObjectReader& rule, RuleTarget& target) {
  PIM_ASSIGN_OR_RETURN(const Struct* object, rule.OptionalObject("target"));
  if (object == nullptr) {
    return json::MissingField(rule.FieldPath("target"),
                              "an object with caller, level and operations");
  }
  ObjectReader reader(*object, rule.FieldPath("target"));

  PIM_ASSIGN_OR_RETURN(
      int caller, reader.OptionalEnum("caller", CallerNames(), CALLER_UNSPECIFIED));
  target.set_caller(static_cast<Caller>(caller));
  PIM_ASSIGN_OR_RETURN(
      int level, reader.OptionalEnum("level", LevelNames(), LEVEL_UNSPECIFIED));
  target.set_level(static_cast<Level>(level));

  PIM_ASSIGN_OR_RETURN(const ListValue* operations,
                       reader.OptionalArray("operations"));
  if (operations != nullptr) {
    for (int i = 0; i < operations->values_size(); ++i) {
      PIM_ASSIGN_OR_RETURN(
          int operation,
          internal::ParseEnum(operations->values(i),
                              reader.FieldPath("operations").Index(i),
                              OperationNames()));
      target.add_operations(static_cast<Operation>(operation));
    }
  }

  for (absl::string_view name :
       {"inheritableSettings", "enforcedSettings", "targetObjects"}) {
    PIM_ASSIGN_OR_RETURN(const ListValue* list, reader.OptionalArray(name));
    if (list == nullptr) continue;
    for (const Value& item : list->values()) {
      std::string text = item.kind_case() == Value::kStringValue
                             ? item.string_value()
                             : json::Describe(item);
      if (name == "inheritableSettings") {
        target.add_inheritable_settings(text);
      } else if (name == "enforcedSettings") {
        target.add_enforced_settings(text);
      } else {
        target.add_target_objects(text);
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ReadExpiration(const ObjectReader& rule, ExpirationRule& out) {
  PIM_ASSIGN_OR_RETURN(bool required, rule.OptionalBool("isExpirationRequired"));
  out.set_is_expiration_required(required);
  google::protobuf::Duration maximum;
  PIM_ASSIGN_OR_RETURN(bool has_maximum,
                       rule.OptionalDuration("maximumDuration", &maximum));
  if (has_maximum) *out.mutable_maximum_duration() = maximum;
  return absl::OkStatus();
}

// `enabledRules` must be an array. Graph and ARM always return the list,
// `[]` when nothing is required. So a null or missing list is an error: it
// means a truncated or filtered export whose MFA, justification and ticket
// settings are lost, not "nothing required".
absl::Status ReadEnablement(const ObjectReader& rule, EnablementRule& out) {
  PIM_ASSIGN_OR_RETURN(const ListValue* list, rule.OptionalArray("enabledRules"));
  if (list == nullptr) {
    return json::MissingField(
        rule.FieldPath("enabledRules"),
        "an array such as [\"MultiFactorAuthentication\", \"Justification\"], "
        "or [] when the rule requires nothing");
  }
  for (int i = 0; i < list->values_size(); ++i) {
    PIM_ASSIGN_OR_RETURN(
        int enabled,
        internal::ParseEnum(list->values(i),
                            rule.FieldPath("enabledRules").Index(i),
                            EnabledRuleNames()));
    out.add_enabled_rules(static_cast<EnabledRule>(enabled));
  }
  return absl::OkStatus();
}

// Reads a Graph subjectSet (`@odata.type` "#microsoft.graph.singleUser" with
// userId, groupMembers with groupId, requestorManager with managerLevel) or
// an ARM approver (`id`, `userType`, `isBackup`).
absl::Status ReadApprover(const Value& value, const json::Path& path,
                          Approver& out) {
  PIM_ASSIGN_OR_RETURN(const Struct* object, json::GetObject(value, path));
  ObjectReader reader(*object, path);

  absl::StatusOr<std::string> odata_type = reader.OptionalString("@odata.type");
  if (!odata_type.ok()) return odata_type.status();
  absl::string_view kind = *odata_type;
  absl::ConsumePrefix(&kind, "#");
  absl::ConsumePrefix(&kind, "microsoft.graph.");
  PIM_ASSIGN_OR_RETURN(std::string user_type, reader.OptionalString("userType"));
  out.set_kind(kind.empty() ? user_type : std::string(kind));

  std::string id;
  for (absl::string_view name : {"id", "userId", "groupId", "connectedOrganizationId"}) {
    PIM_ASSIGN_OR_RETURN(id, reader.OptionalString(name));
    if (!id.empty()) break;
  }
  out.set_id(id);
  PIM_ASSIGN_OR_RETURN(std::string description,
                       reader.OptionalString("description"));
  out.set_description(description);
  PIM_ASSIGN_OR_RETURN(bool is_backup, reader.OptionalBool("isBackup"));
  out.set_is_backup(is_backup);
  PIM_ASSIGN_OR_RETURN(int64_t manager_level,
                       reader.OptionalInteger("managerLevel", 0, 100));
  out.set_manager_level(static_cast<int32_t>(manager_level));
  return absl::OkStatus();
}

absl::Status ReadApprovers(const ObjectReader& stage, absl::string_view name,
                           google::protobuf::RepeatedPtrField<Approver>& out) {
  PIM_ASSIGN_OR_RETURN(const ListValue* list, stage.OptionalArray(name));
  if (list == nullptr) return absl::OkStatus();
  for (int i = 0; i < list->values_size(); ++i) {
    PIM_RETURN_IF_ERROR(ReadApprover(list->values(i),
                                     stage.FieldPath(name).Index(i), *out.Add()));
  }
  return absl::OkStatus();
}

absl::Status ReadApprovalStage(const Value& value, const json::Path& path,
                               ApprovalStage& out) {
  PIM_ASSIGN_OR_RETURN(const Struct* object, json::GetObject(value, path));
  ObjectReader stage(*object, path);

  // Graph documents 1 to 7 days; 0 is taken as "not set".
  PIM_ASSIGN_OR_RETURN(
      int64_t timeout_days,
      stage.OptionalInteger("approvalStageTimeOutInDays", 0, 3650));
  out.set_approval_stage_time_out_in_days(static_cast<int32_t>(timeout_days));
  PIM_ASSIGN_OR_RETURN(bool approver_justification,
                       stage.OptionalBool("isApproverJustificationRequired"));
  out.set_is_approver_justification_required(approver_justification);
  PIM_ASSIGN_OR_RETURN(
      int64_t escalation_minutes,
      stage.OptionalInteger("escalationTimeInMinutes", 0, 10 * 365 * 24 * 60));
  out.set_escalation_time_in_minutes(static_cast<int32_t>(escalation_minutes));
  PIM_ASSIGN_OR_RETURN(bool escalation, stage.OptionalBool("isEscalationEnabled"));
  out.set_is_escalation_enabled(escalation);

  PIM_RETURN_IF_ERROR(
      ReadApprovers(stage, "primaryApprovers", *out.mutable_primary_approvers()));
  PIM_RETURN_IF_ERROR(ReadApprovers(stage, "escalationApprovers",
                                    *out.mutable_escalation_approvers()));
  return absl::OkStatus();
}

absl::Status ReadApproval(const ObjectReader& rule, ApprovalRule& out) {
  PIM_ASSIGN_OR_RETURN(const Struct* object, rule.OptionalObject("setting"));
  if (object == nullptr) {
    return json::MissingField(rule.FieldPath("setting"),
                              "an object with the approval settings");
  }
  ObjectReader setting(*object, rule.FieldPath("setting"));

  PIM_ASSIGN_OR_RETURN(bool required, setting.OptionalBool("isApprovalRequired"));
  out.set_is_approval_required(required);
  PIM_ASSIGN_OR_RETURN(bool for_extension,
                       setting.OptionalBool("isApprovalRequiredForExtension"));
  out.set_is_approval_required_for_extension(for_extension);
  PIM_ASSIGN_OR_RETURN(bool justification,
                       setting.OptionalBool("isRequestorJustificationRequired"));
  out.set_is_requestor_justification_required(justification);
  PIM_ASSIGN_OR_RETURN(
      int mode, setting.OptionalEnum("approvalMode", ApprovalModeNames(),
                                     APPROVAL_MODE_UNSPECIFIED));
  out.set_approval_mode(static_cast<ApprovalMode>(mode));

  PIM_ASSIGN_OR_RETURN(const ListValue* stages,
                       setting.OptionalArray("approvalStages"));
  if (stages == nullptr) return absl::OkStatus();
  for (int i = 0; i < stages->values_size(); ++i) {
    PIM_RETURN_IF_ERROR(ReadApprovalStage(
        stages->values(i), setting.FieldPath("approvalStages").Index(i),
        *out.add_approval_stages()));
  }
  return absl::OkStatus();
}

absl::Status ReadAuthenticationContext(const ObjectReader& rule,
                                       AuthenticationContextRule& out) {
  PIM_ASSIGN_OR_RETURN(bool enabled, rule.OptionalBool("isEnabled"));
  out.set_is_enabled(enabled);
  PIM_ASSIGN_OR_RETURN(std::string claim, rule.OptionalString("claimValue"));
  out.set_claim_value(claim);
  return absl::OkStatus();
}

absl::Status ReadNotification(const ObjectReader& rule, NotificationRule& out) {
  PIM_ASSIGN_OR_RETURN(std::string type, rule.OptionalString("notificationType"));
  out.set_notification_type(type);
  PIM_ASSIGN_OR_RETURN(std::string recipient, rule.OptionalString("recipientType"));
  out.set_recipient_type(recipient);
  PIM_ASSIGN_OR_RETURN(std::string level, rule.OptionalString("notificationLevel"));
  out.set_notification_level(level);
  PIM_ASSIGN_OR_RETURN(bool defaults,
                       rule.OptionalBool("isDefaultRecipientsEnabled"));
  out.set_is_default_recipients_enabled(defaults);
  PIM_ASSIGN_OR_RETURN(std::vector<std::string> recipients,
                       rule.OptionalStringArray("notificationRecipients"));
  for (std::string& recipient_address : recipients) {
    out.add_notification_recipients(std::move(recipient_address));
  }
  return absl::OkStatus();
}

absl::Status ReadRule(const Value& value, const json::Path& path,
                      PolicyRule& out) {
  PIM_ASSIGN_OR_RETURN(const Struct* object, json::GetObject(value, path));
  ObjectReader rule(*object, path);

  PIM_ASSIGN_OR_RETURN(std::string id,
                       rule.RequiredString("id", "a rule id such as "
                                                 "\"Expiration_EndUser_Assignment\""));
  out.set_id(id);
  PIM_ASSIGN_OR_RETURN(RuleKind kind, ReadRuleKind(rule));
  PIM_RETURN_IF_ERROR(ReadTarget(rule, *out.mutable_target()));

  switch (kind) {
    case kExpirationRule:
      return ReadExpiration(rule, *out.mutable_expiration());
    case kEnablementRule:
      return ReadEnablement(rule, *out.mutable_enablement());
    case kApprovalRule:
      return ReadApproval(rule, *out.mutable_approval());
    case kAuthenticationContextRule:
      return ReadAuthenticationContext(rule, *out.mutable_authentication_context());
    case kNotificationRule:
      return ReadNotification(rule, *out.mutable_notification());
  }
  return absl::InternalError("unhandled rule kind");
}

absl::Status ReadRules(const ObjectReader& policy, absl::string_view name,
                       bool required,
                       google::protobuf::RepeatedPtrField<PolicyRule>& out) {
  PIM_ASSIGN_OR_RETURN(const ListValue* list, policy.OptionalArray(name));
  if (list == nullptr) {
    if (!required) return absl::OkStatus();
    return json::MissingField(policy.FieldPath(name), "an array of policy rules");
  }
  for (int i = 0; i < list->values_size(); ++i) {
    PIM_RETURN_IF_ERROR(
        ReadRule(list->values(i), policy.FieldPath(name).Index(i), *out.Add()));
  }
  return absl::OkStatus();
}

absl::StatusOr<RoleManagementPolicy> ReadPolicy(const Value& value,
                                                const json::Path& path) {
  PIM_ASSIGN_OR_RETURN(const Struct* object, json::GetObject(value, path));
  ObjectReader envelope(*object, path);
  RoleManagementPolicy policy;

  // ARM wraps the policy in {id, name, type, properties}.
  PIM_ASSIGN_OR_RETURN(const Struct* properties,
                       envelope.OptionalObject("properties"));
  bool arm = properties != nullptr && envelope.Find("rules") == nullptr;
  ObjectReader body = arm ? ObjectReader(*properties, envelope.FieldPath("properties"))
                          : envelope;
  policy.set_source_format(arm ? SOURCE_FORMAT_ARM : SOURCE_FORMAT_GRAPH);

  PIM_ASSIGN_OR_RETURN(std::string id, envelope.OptionalString("id"));
  if (id.empty()) {
    PIM_ASSIGN_OR_RETURN(id, envelope.OptionalString("name"));
  }
  policy.set_id(id);
  PIM_ASSIGN_OR_RETURN(std::string display_name, body.OptionalString("displayName"));
  policy.set_display_name(display_name);
  PIM_ASSIGN_OR_RETURN(std::string description, body.OptionalString("description"));
  policy.set_description(description);
  PIM_ASSIGN_OR_RETURN(std::string scope,
                       body.OptionalString(arm ? "scope" : "scopeId"));
  policy.set_scope_id(scope);
  PIM_ASSIGN_OR_RETURN(std::string scope_type, body.OptionalString("scopeType"));
  policy.set_scope_type(scope_type);
  PIM_ASSIGN_OR_RETURN(bool is_default, body.OptionalBool("isOrganizationDefault"));
  policy.set_is_organization_default(is_default);

  PIM_ASSIGN_OR_RETURN(std::string role, body.OptionalString("roleDefinitionId"));
  policy.set_role_definition_id(role);

  PIM_RETURN_IF_ERROR(ReadRules(body, "rules", true, *policy.mutable_rules()));
  PIM_RETURN_IF_ERROR(
      ReadRules(body, "effectiveRules", false, *policy.mutable_effective_rules()));
  // effectiveRules, when given, are the rules Azure applies, and those
  // always include the expiration, enablement and approval rules. An empty
  // list would silently hand the decision back to `rules`. A null value
  // counts as absent: Graph returns the relationship only when expanded.
  if (const Value* effective = body.Find("effectiveRules");
      effective != nullptr && policy.effective_rules().empty()) {
    return json::InvalidField(body.FieldPath("effectiveRules"), *effective,
                              "the rules Azure applies, which are never empty; export "
                              "the policy again, or remove the key to judge by rules");
  }
  policy.set_rules_path(body.FieldPath("rules").ToString());
  policy.set_effective_rules_path(body.FieldPath("effectiveRules").ToString());
  policy.set_scope_path(body.FieldPath(arm ? "scope" : "scopeId").ToString());
  return policy;
}

}  // namespace

absl::StatusOr<RoleManagementPolicy> ImportRoleManagementPolicy(
    absl::string_view json_bytes) {
  PIM_ASSIGN_OR_RETURN(Value root, json::ParseJson(json_bytes));
  PIM_ASSIGN_OR_RETURN(
      internal::Unwrapped document,
      internal::UnwrapDocument(root, internal::ExamplePart::kResponseBody));
  const Value& value = *document.value;

  // A Graph list of policies is accepted when it contains exactly one.
  if (value.kind_case() == Value::kStructValue) {
    const Value* list = json::FindField(value.struct_value(), "value");
    if (list != nullptr && json::FindField(value.struct_value(), "rules") == nullptr) {
      PIM_RETURN_IF_ERROR(
          json::RejectNextPageLink(value.struct_value(), document.path));
      json::Path list_path = document.path.Field("value");
      PIM_ASSIGN_OR_RETURN(const ListValue* items, json::GetArray(*list, list_path));
      if (items->values_size() != 1) {
        return json::InvalidField(list_path, *list,
                                  "a list holding exactly one policy");
      }
      return ReadPolicy(items->values(0), list_path.Index(0));
    }
  }
  return ReadPolicy(value, document.path);
}

}  // namespace portcullis::pim
