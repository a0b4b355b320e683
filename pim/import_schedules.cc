// Importers for schedule instances and schedule requests (Graph and ARM
// shapes).
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "json/json.h"
#include "pim/import.h"
#include "pim/internal/json_reader.h"
#include "pim/internal/status_macros.h"
#include "pim/request_status.h"
#include "proto/pim.pb.h"

namespace portcullis::pim {
namespace {

using ::google::protobuf::ListValue;
using ::google::protobuf::Struct;
using ::google::protobuf::Value;
using internal::EnumName;
using internal::ObjectReader;

const std::vector<EnumName>& MemberTypeNames() {
  static const auto* names = new std::vector<EnumName>{
      {"Direct", MEMBER_TYPE_DIRECT},
      {"Group", MEMBER_TYPE_GROUP},
      {"Inherited", MEMBER_TYPE_INHERITED}};
  return *names;
}

const std::vector<EnumName>& AssignmentTypeNames() {
  static const auto* names = new std::vector<EnumName>{
      {"Assigned", ASSIGNMENT_TYPE_ASSIGNED},
      {"Activated", ASSIGNMENT_TYPE_ACTIVATED}};
  return *names;
}

const std::vector<EnumName>& ActionNames() {
  static const auto* names = new std::vector<EnumName>{
      {"adminAssign", ACTION_ADMIN_ASSIGN},
      {"adminUpdate", ACTION_ADMIN_UPDATE},
      {"adminRemove", ACTION_ADMIN_REMOVE},
      {"selfActivate", ACTION_SELF_ACTIVATE},
      {"selfDeactivate", ACTION_SELF_DEACTIVATE},
      {"adminExtend", ACTION_ADMIN_EXTEND},
      {"adminRenew", ACTION_ADMIN_RENEW},
      {"selfExtend", ACTION_SELF_EXTEND},
      {"selfRenew", ACTION_SELF_RENEW}};
  return *names;
}

const std::vector<EnumName>& ExpirationTypeNames() {
  static const auto* names = new std::vector<EnumName>{
      {"notSpecified", EXPIRATION_TYPE_NOT_SPECIFIED},
      {"noExpiration", EXPIRATION_TYPE_NO_EXPIRATION},
      {"afterDateTime", EXPIRATION_TYPE_AFTER_DATE_TIME},
      {"afterDuration", EXPIRATION_TYPE_AFTER_DURATION}};
  return *names;
}

// Tells the level from a type name such as
// "Microsoft.Authorization/RoleEligibilityScheduleInstances",
// "#microsoft.graph.unifiedRoleAssignmentScheduleInstance" or an
// `@odata.context` URL; LEVEL_UNSPECIFIED when it names neither.
Level LevelFromTypeName(absl::string_view text) {
  std::string lower = absl::AsciiStrToLower(text);
  bool eligibility = absl::StrContains(lower, "roleeligibilityschedule");
  bool assignment = absl::StrContains(lower, "roleassignmentschedule");
  if (eligibility == assignment) return LEVEL_UNSPECIFIED;
  return eligibility ? LEVEL_ELIGIBILITY : LEVEL_ASSIGNMENT;
}

absl::string_view LevelName(Level level) {
  return level == LEVEL_ELIGIBILITY ? "eligibility" : "assignment";
}

// Checks the type hints of an item against the level the caller expects.
absl::Status CheckLevelHint(const ObjectReader& reader, absl::string_view name,
                            Level expected) {
  const Value* value = reader.Find(name);
  if (value == nullptr || value->kind_case() != Value::kStringValue) {
    return absl::OkStatus();
  }
  Level hinted = LevelFromTypeName(value->string_value());
  if (hinted == LEVEL_UNSPECIFIED || hinted == expected) return absl::OkStatus();
  return json::InvalidField(
      reader.FieldPath(name), *value,
      absl::StrCat("a role ", LevelName(expected),
                   " schedule or instance; this one is a role ",
                   LevelName(hinted)));
}

// The object that holds the fields: ARM's `properties` or the item itself.
struct Body {
  ObjectReader reader;
  bool arm;
};

absl::StatusOr<Body> ReadBody(const ObjectReader& envelope,
                              absl::string_view data_field) {
  PIM_ASSIGN_OR_RETURN(const Struct* properties,
                       envelope.OptionalObject("properties"));
  if (properties != nullptr && envelope.Find(data_field) == nullptr) {
    return Body{ObjectReader(*properties, envelope.FieldPath("properties")), true};
  }
  return Body{envelope, false};
}

// Reads the scope: Graph directoryScopeId / appScopeId, or ARM scope, with
// `fallback_scope` (an example URL's scope) when the body has none.
absl::Status ReadScope(const Body& body, absl::string_view fallback_scope,
                       std::string& directory_scope, std::string& app_scope) {
  if (body.arm) {
    PIM_ASSIGN_OR_RETURN(directory_scope, body.reader.OptionalString("scope"));
  } else {
    PIM_ASSIGN_OR_RETURN(directory_scope,
                         body.reader.OptionalString("directoryScopeId"));
    PIM_ASSIGN_OR_RETURN(app_scope, body.reader.OptionalString("appScopeId"));
  }
  if (directory_scope.empty()) directory_scope = std::string(fallback_scope);
  if (directory_scope.empty() && app_scope.empty()) {
    return json::MissingField(
        body.reader.FieldPath(body.arm ? "scope" : "directoryScopeId"),
        "a scope such as \"/\" or \"/subscriptions/<id>\"");
  }
  return absl::OkStatus();
}

// Reads the ABAC condition (`condition`, `conditionVersion`) of an instance
// or a request, in either shape.
absl::Status ReadCondition(const ObjectReader& reader, std::string& condition,
                           std::string& version) {
  PIM_ASSIGN_OR_RETURN(condition, reader.OptionalString("condition"));
  PIM_ASSIGN_OR_RETURN(version, reader.OptionalString("conditionVersion"));
  return absl::OkStatus();
}

absl::StatusOr<ScheduleInstance> ReadInstance(const Value& value,
                                              const json::Path& path,
                                              Level level) {
  PIM_ASSIGN_OR_RETURN(const Struct* object, json::GetObject(value, path));
  ObjectReader envelope(*object, path);
  PIM_RETURN_IF_ERROR(CheckLevelHint(envelope, "@odata.type", level));
  PIM_RETURN_IF_ERROR(CheckLevelHint(envelope, "type", level));
  PIM_ASSIGN_OR_RETURN(Body body, ReadBody(envelope, "principalId"));
  const ObjectReader& reader = body.reader;

  ScheduleInstance instance;
  instance.set_level(level);
  instance.set_source_format(body.arm ? SOURCE_FORMAT_ARM : SOURCE_FORMAT_GRAPH);
  PIM_ASSIGN_OR_RETURN(std::string id, envelope.OptionalString("id"));
  if (id.empty()) {
    PIM_ASSIGN_OR_RETURN(id, envelope.OptionalString("name"));
  }
  instance.set_id(id);

  PIM_ASSIGN_OR_RETURN(std::string principal,
                       reader.RequiredString("principalId", "a principal id"));
  instance.set_principal_id(principal);
  PIM_ASSIGN_OR_RETURN(
      std::string role,
      reader.RequiredString("roleDefinitionId", "a role definition id"));
  instance.set_role_definition_id(role);
  PIM_RETURN_IF_ERROR(ReadScope(body, "", *instance.mutable_directory_scope_id(),
                                *instance.mutable_app_scope_id()));

  PIM_ASSIGN_OR_RETURN(bool has_start,
                       reader.OptionalTime("startDateTime",
                                           instance.mutable_start_time()));
  if (!has_start) {
    return json::MissingField(reader.FieldPath("startDateTime"),
                              "an RFC 3339 time such as "
                              "\"2022-04-14T00:00:00Z\"");
  }
  google::protobuf::Timestamp end;
  PIM_ASSIGN_OR_RETURN(bool has_end, reader.OptionalTime("endDateTime", &end));
  if (has_end) {
    if (end.seconds() < instance.start_time().seconds() ||
        (end.seconds() == instance.start_time().seconds() &&
         end.nanos() < instance.start_time().nanos())) {
      return json::InvalidField(reader.FieldPath("endDateTime"),
                                *reader.Find("endDateTime"),
                                "a time not before startDateTime");
    }
    *instance.mutable_end_time() = end;
  }

  PIM_ASSIGN_OR_RETURN(int member_type,
                       reader.OptionalEnum("memberType", MemberTypeNames(),
                                           MEMBER_TYPE_UNSPECIFIED));
  instance.set_member_type(static_cast<MemberType>(member_type));
  PIM_ASSIGN_OR_RETURN(int assignment_type,
                       reader.OptionalEnum("assignmentType", AssignmentTypeNames(),
                                           ASSIGNMENT_TYPE_UNSPECIFIED));
  instance.set_assignment_type(static_cast<AssignmentType>(assignment_type));
  PIM_ASSIGN_OR_RETURN(std::string linked,
                       reader.OptionalString("linkedRoleEligibilityScheduleId"));
  instance.set_linked_eligibility_schedule_id(linked);
  for (absl::string_view name :
       {"roleEligibilityScheduleId", "roleAssignmentScheduleId"}) {
    PIM_ASSIGN_OR_RETURN(std::string schedule_id, reader.OptionalString(name));
    if (!schedule_id.empty()) instance.set_schedule_id(schedule_id);
  }
  PIM_ASSIGN_OR_RETURN(std::string status, reader.OptionalString("status"));
  if (!ParseRequestStatus(status).has_value()) {
    return json::InvalidField(reader.FieldPath("status"), *reader.Find("status"),
                              absl::StrCat("one of ", KnownRequestStatuses()));
  }
  instance.set_status(status);
  PIM_RETURN_IF_ERROR(ReadCondition(reader, *instance.mutable_condition(),
                                    *instance.mutable_condition_version()));
  return instance;
}

absl::Status ReadExpiration(const ObjectReader& reader, Expiration& out) {
  PIM_ASSIGN_OR_RETURN(int type, reader.OptionalEnum("type", ExpirationTypeNames(),
                                                     EXPIRATION_TYPE_UNSPECIFIED));
  if (type == EXPIRATION_TYPE_UNSPECIFIED) {
    return json::MissingField(reader.FieldPath("type"),
                              "one of \"noExpiration\", \"afterDateTime\", "
                              "\"afterDuration\", \"notSpecified\"");
  }
  out.set_type(static_cast<ExpirationType>(type));
  PIM_ASSIGN_OR_RETURN(bool has_end,
                       reader.OptionalTime("endDateTime", out.mutable_end_time()));
  PIM_ASSIGN_OR_RETURN(bool has_duration,
                       reader.OptionalDuration("duration", out.mutable_duration()));
  if (!has_end) out.clear_end_time();
  if (!has_duration) out.clear_duration();

  // expirationPattern: a duration goes with afterDuration only, and an end
  // time with afterDateTime only.
  const Value* type_value = reader.Find("type");
  if (type == EXPIRATION_TYPE_AFTER_DURATION && !has_duration) {
    return json::MissingField(reader.FieldPath("duration"),
                              "an ISO 8601 duration such as \"PT8H\" because "
                              "type is afterDuration");
  }
  if (type == EXPIRATION_TYPE_AFTER_DATE_TIME && !has_end) {
    return json::MissingField(reader.FieldPath("endDateTime"),
                              "an RFC 3339 time because type is afterDateTime");
  }
  if (has_duration && type != EXPIRATION_TYPE_AFTER_DURATION) {
    return json::InvalidField(reader.FieldPath("type"), *type_value,
                              "\"afterDuration\" because a duration is set");
  }
  if (has_end && type != EXPIRATION_TYPE_AFTER_DATE_TIME) {
    return json::InvalidField(reader.FieldPath("type"), *type_value,
                              "\"afterDateTime\" because an endDateTime is set");
  }
  return absl::OkStatus();
}

absl::Status ReadScheduleInfo(const ObjectReader& request, ScheduleInfo& out) {
  PIM_ASSIGN_OR_RETURN(const Struct* object, request.OptionalObject("scheduleInfo"));
  if (object == nullptr) return absl::OkStatus();
  ObjectReader reader(*object, request.FieldPath("scheduleInfo"));

  PIM_ASSIGN_OR_RETURN(bool has_start,
                       reader.OptionalTime("startDateTime", out.mutable_start_time()));
  if (!has_start) out.clear_start_time();
  PIM_ASSIGN_OR_RETURN(const Struct* expiration, reader.OptionalObject("expiration"));
  if (expiration != nullptr) {
    PIM_RETURN_IF_ERROR(ReadExpiration(
        ObjectReader(*expiration, reader.FieldPath("expiration")),
        *out.mutable_expiration()));
  }
  return absl::OkStatus();
}

absl::StatusOr<ScheduleRequest> ReadRequest(const internal::Unwrapped& document) {
  PIM_ASSIGN_OR_RETURN(const Struct* object,
                       json::GetObject(*document.value, document.path));
  ObjectReader envelope(*object, document.path);
  // A Graph or ARM list response ({"value": [...]}) is a common mistake for
  // a request file. Without this check it fails on the missing action.
  const Value* list = envelope.Find("value");
  if (list != nullptr && list->kind_case() == Value::kListValue &&
      envelope.Find("action") == nullptr &&
      envelope.Find("properties") == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        envelope.FieldPath("value").ToString(), ": a list of ",
        list->list_value().values_size(),
        list->list_value().values_size() == 1 ? " entry" : " entries",
        ", as a list response returns them; a request file holds one "
        "request, so pass one entry of the list"));
  }
  PIM_ASSIGN_OR_RETURN(Body body, ReadBody(envelope, "principalId"));
  const ObjectReader& reader = body.reader;

  ScheduleRequest request;
  request.set_source_format(body.arm ? SOURCE_FORMAT_ARM : SOURCE_FORMAT_GRAPH);

  // The level: hints in the object, else the example's URL parameters.
  Level level = LEVEL_UNSPECIFIED;
  for (absl::string_view name : {"@odata.context", "@odata.type", "type"}) {
    const Value* hint = envelope.Find(name);
    if (hint != nullptr && hint->kind_case() == Value::kStringValue &&
        level == LEVEL_UNSPECIFIED) {
      level = LevelFromTypeName(hint->string_value());
    }
  }
  if (level == LEVEL_UNSPECIFIED) {
    if (absl::StrContains(document.url_parameter_names,
                          "roleeligibilityschedulerequestname")) {
      level = LEVEL_ELIGIBILITY;
    } else if (reader.Find("targetRoleEligibilityScheduleId") != nullptr) {
      level = LEVEL_ELIGIBILITY;
    }
  }
  request.set_level(level == LEVEL_UNSPECIFIED ? LEVEL_ASSIGNMENT : level);

  PIM_ASSIGN_OR_RETURN(std::string id, envelope.OptionalString("id"));
  if (id.empty()) {
    PIM_ASSIGN_OR_RETURN(id, envelope.OptionalString("name"));
  }
  request.set_id(id);

  absl::string_view action_field = body.arm ? "requestType" : "action";
  const Value* action = reader.Find(action_field);
  if (action == nullptr) {
    return json::MissingField(reader.FieldPath(action_field),
                              "a request action such as \"selfActivate\"");
  }
  PIM_ASSIGN_OR_RETURN(
      int action_value,
      internal::ParseEnum(*action, reader.FieldPath(action_field), ActionNames()));
  request.set_action(static_cast<Action>(action_value));

  PIM_ASSIGN_OR_RETURN(std::string principal,
                       reader.RequiredString("principalId", "a principal id"));
  request.set_principal_id(principal);
  PIM_ASSIGN_OR_RETURN(
      std::string role,
      reader.RequiredString("roleDefinitionId", "a role definition id"));
  request.set_role_definition_id(role);
  PIM_RETURN_IF_ERROR(ReadScope(body, document.url_scope,
                                *request.mutable_directory_scope_id(),
                                *request.mutable_app_scope_id()));

  PIM_RETURN_IF_ERROR(ReadScheduleInfo(reader, *request.mutable_schedule_info()));
  PIM_ASSIGN_OR_RETURN(std::string justification,
                       reader.OptionalString("justification"));
  request.set_justification(justification);
  PIM_ASSIGN_OR_RETURN(const Struct* ticket, reader.OptionalObject("ticketInfo"));
  if (ticket != nullptr) {
    ObjectReader ticket_reader(*ticket, reader.FieldPath("ticketInfo"));
    PIM_ASSIGN_OR_RETURN(std::string number,
                         ticket_reader.OptionalString("ticketNumber"));
    request.mutable_ticket_info()->set_ticket_number(number);
    PIM_ASSIGN_OR_RETURN(std::string system,
                         ticket_reader.OptionalString("ticketSystem"));
    request.mutable_ticket_info()->set_ticket_system(system);
  }
  PIM_ASSIGN_OR_RETURN(bool validation_only,
                       reader.OptionalBool("isValidationOnly"));
  request.set_is_validation_only(validation_only);

  for (absl::string_view name : {"targetScheduleId", "targetRoleAssignmentScheduleId",
                                 "targetRoleEligibilityScheduleId"}) {
    PIM_ASSIGN_OR_RETURN(std::string target, reader.OptionalString(name));
    if (!target.empty()) request.set_target_schedule_id(target);
  }
  PIM_ASSIGN_OR_RETURN(std::string linked,
                       reader.OptionalString("linkedRoleEligibilityScheduleId"));
  request.set_linked_eligibility_schedule_id(linked);
  PIM_ASSIGN_OR_RETURN(std::string status, reader.OptionalString("status"));
  if (!ParseRequestStatus(status).has_value()) {
    return json::InvalidField(reader.FieldPath("status"), *reader.Find("status"),
                              absl::StrCat("one of ", KnownRequestStatuses()));
  }
  request.set_status(status);
  PIM_RETURN_IF_ERROR(ReadCondition(reader, *request.mutable_condition(),
                                    *request.mutable_condition_version()));
  // Graph createdDateTime, ARM createdOn.
  for (absl::string_view name : {"createdDateTime", "createdOn"}) {
    PIM_ASSIGN_OR_RETURN(bool has_created,
                         reader.OptionalTime(name, request.mutable_created_time()));
    if (has_created) break;
    request.clear_created_time();
  }
  return request;
}

}  // namespace

absl::StatusOr<std::vector<ScheduleInstance>> ImportScheduleInstances(
    absl::string_view json_bytes, Level level) {
  if (level != LEVEL_ELIGIBILITY && level != LEVEL_ASSIGNMENT) {
    return absl::InvalidArgumentError(
        "instance level must be LEVEL_ELIGIBILITY or LEVEL_ASSIGNMENT");
  }
  PIM_ASSIGN_OR_RETURN(Value root, json::ParseJson(json_bytes));
  PIM_ASSIGN_OR_RETURN(
      internal::Unwrapped document,
      internal::UnwrapDocument(root, internal::ExamplePart::kResponseBody));

  const ListValue* items = nullptr;
  json::Path items_path = document.path;
  std::vector<ScheduleInstance> out;
  if (document.value->kind_case() == Value::kListValue) {
    items = &document.value->list_value();
  } else if (document.value->kind_case() == Value::kStructValue) {
    ObjectReader list(document.value->struct_value(), document.path);
    PIM_RETURN_IF_ERROR(CheckLevelHint(list, "@odata.context", level));
    const Value* value = json::FindField(document.value->struct_value(), "value");
    if (value != nullptr) {
      // A missing eligibility can leave PIM saying it does not govern the
      // user, which hands the decision to standing assignments.
      PIM_RETURN_IF_ERROR(json::RejectNextPageLink(
          document.value->struct_value(), document.path));
      items_path = document.path.Field("value");
      PIM_ASSIGN_OR_RETURN(items, json::GetArray(*value, items_path));
    } else {
      PIM_ASSIGN_OR_RETURN(ScheduleInstance single,
                           ReadInstance(*document.value, document.path, level));
      out.push_back(std::move(single));
      return out;
    }
  } else {
    return json::InvalidField(document.path, *document.value,
                              "an object or a list of schedule instances");
  }

  for (int i = 0; i < items->values_size(); ++i) {
    PIM_ASSIGN_OR_RETURN(ScheduleInstance instance,
                         ReadInstance(items->values(i), items_path.Index(i), level));
    out.push_back(std::move(instance));
  }
  return out;
}

absl::StatusOr<ScheduleRequest> ImportScheduleRequest(
    absl::string_view json_bytes) {
  PIM_ASSIGN_OR_RETURN(Value root, json::ParseJson(json_bytes));
  PIM_ASSIGN_OR_RETURN(
      internal::Unwrapped document,
      internal::UnwrapDocument(root, internal::ExamplePart::kRequestBody));
  return ReadRequest(document);
}

absl::string_view ActionName(Action action) {
  for (const EnumName& name : ActionNames()) {
    if (name.value == action) return name.name;
  }
  return "unspecified";
}

}  // namespace portcullis::pim
