#include "access/rbac_import.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "access/rbac_pattern.h"
#include "access/rbac_scope.h"
#include "google/protobuf/struct.pb.h"
#include "json/json.h"

namespace portcullis::rbac {

namespace {

using ::google::protobuf::ListValue;
using ::google::protobuf::Struct;
using ::google::protobuf::Value;

constexpr absl::string_view kRoleDefinitionType =
    "Microsoft.Authorization/roleDefinitions";
constexpr absl::string_view kRoleAssignmentType =
    "Microsoft.Authorization/roleAssignments";
constexpr absl::string_view kDenyAssignmentType =
    "Microsoft.Authorization/denyAssignments";

// One object of the document, with its path.
struct Item {
  const Struct* object;
  json::Path path;
};

absl::Status FieldError(const json::Path& path, absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(path.ToString(), ": ", message));
}

// Prefixes a path-less error from a validator with `path`.
absl::Status AtPath(const json::Path& path, const absl::Status& status) {
  return FieldError(path, status.message());
}

std::string SourceOf(absl::string_view source_name, const json::Path& path) {
  if (source_name.empty()) return path.ToString();
  return absl::StrCat(source_name, ": ", path.ToString());
}

// The response body of a REST API specification example: the 200 response,
// else the 201 one.
absl::StatusOr<std::pair<const Value*, json::Path>> ExampleBody(
    const Struct& root, const json::Path& path) {
  const Value* responses = json::FindField(root, "responses");
  json::Path responses_path = path.Field("responses");
  absl::StatusOr<const Struct*> by_code =
      json::GetObject(*responses, responses_path);
  if (!by_code.ok()) return by_code.status();
  for (absl::string_view code : {"200", "201"}) {
    const Value* response = json::FindField(**by_code, code);
    if (json::IsNullOrAbsent(response)) continue;
    json::Path response_path = responses_path.Field(code);
    absl::StatusOr<const Struct*> object =
        json::GetObject(*response, response_path);
    if (!object.ok()) return object.status();
    const Value* body = json::FindField(**object, "body");
    if (json::IsNullOrAbsent(body)) {
      return json::MissingField(response_path.Field("body"),
                                "the response body");
    }
    return std::make_pair(body, response_path.Field("body"));
  }
  return json::MissingField(responses_path.Field("200"),
                            "a '200' or '201' response with a body");
}

// True when `object` looks like a list response `{"value": [...]}` rather
// than one item.
bool IsListResponse(const Struct& object) {
  const Value* value = json::FindField(object, "value");
  return value != nullptr && value->has_list_value() &&
         json::FindField(object, "properties") == nullptr;
}

// Flattens the document into the objects it holds, as the header describes.
absl::Status CollectItems(const Value& value, const json::Path& path,
                          int depth, std::vector<Item>& items) {
  constexpr absl::string_view kExpected =
      "an object, an array of objects, a list response {\"value\": [...]} "
      "or a REST API example with responses";
  if (depth > 3) return json::InvalidField(path, value, kExpected);

  if (value.has_list_value()) {
    const ListValue& list = value.list_value();
    for (int i = 0; i < list.values_size(); ++i) {
      json::Path item_path = path.Index(i);
      absl::StatusOr<const Struct*> object =
          json::GetObject(list.values(i), item_path);
      if (!object.ok()) return object.status();
      items.push_back({*object, item_path});
    }
    return absl::OkStatus();
  }
  if (!value.has_struct_value()) {
    return json::InvalidField(path, value, kExpected);
  }

  const Struct& object = value.struct_value();
  if (json::FindField(object, "responses") != nullptr &&
      json::FindField(object, "properties") == nullptr) {
    absl::StatusOr<std::pair<const Value*, json::Path>> body =
        ExampleBody(object, path);
    if (!body.ok()) return body.status();
    return CollectItems(*body->first, body->second, depth + 1, items);
  }
  if (IsListResponse(object)) {
    // ARM pages long lists. A deny assignment on a later page would be
    // missing, and a missing deny is an allow.
    absl::Status complete = json::RejectNextPageLink(object, path);
    if (!complete.ok()) return complete;
    return CollectItems(*json::FindField(object, "value"), path.Field("value"),
                        depth + 1, items);
  }
  items.push_back({&object, path});
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Item>> ParseItems(absl::string_view json_bytes,
                                             Value& root) {
  absl::StatusOr<Value> parsed = json::ParseJson(json_bytes);
  if (!parsed.ok()) return parsed.status();
  root = *std::move(parsed);
  std::vector<Item> items;
  absl::Status collected = CollectItems(root, json::Path(), 0, items);
  if (!collected.ok()) return collected;
  return items;
}

// A string field that may be absent or null (then "").
absl::StatusOr<std::string> OptionalString(const Struct& object,
                                           absl::string_view name,
                                           const json::Path& path) {
  const Value* value = json::FindField(object, name);
  if (json::IsNullOrAbsent(value)) return std::string();
  return json::GetString(*value, path.Field(name));
}

// The first of `names` that is present and not null, as a string.
absl::StatusOr<std::string> OptionalStringOf(
    const Struct& object, std::initializer_list<absl::string_view> names,
    const json::Path& path) {
  for (absl::string_view name : names) {
    const Value* value = json::FindField(object, name);
    if (!json::IsNullOrAbsent(value)) {
      return json::GetString(*value, path.Field(name));
    }
  }
  return std::string();
}

absl::StatusOr<bool> OptionalBool(const Struct& object, absl::string_view name,
                                  const json::Path& path) {
  const Value* value = json::FindField(object, name);
  if (json::IsNullOrAbsent(value)) return false;
  return json::GetBool(*value, path.Field(name));
}

// Reads a list of strings, each checked by `validate`; absent or null is
// empty.
absl::Status ReadStringList(
    const Struct& object, absl::string_view name, const json::Path& path,
    absl::Status (*validate)(absl::string_view),
    google::protobuf::RepeatedPtrField<std::string>* out) {
  const Value* value = json::FindField(object, name);
  if (json::IsNullOrAbsent(value)) return absl::OkStatus();
  json::Path list_path = path.Field(name);
  absl::StatusOr<const ListValue*> list = json::GetArray(*value, list_path);
  if (!list.ok()) return list.status();
  for (int i = 0; i < (*list)->values_size(); ++i) {
    json::Path item_path = list_path.Index(i);
    absl::StatusOr<std::string> text =
        json::GetString((*list)->values(i), item_path);
    if (!text.ok()) return text.status();
    absl::Status valid = validate(*text);
    if (!valid.ok()) return AtPath(item_path, valid);
    out->Add(*std::move(text));
  }
  return absl::OkStatus();
}

// Reads a list of action strings or patterns; absent or null is empty.
absl::Status ReadActions(const Struct& object, absl::string_view name,
                         const json::Path& path,
                         google::protobuf::RepeatedPtrField<std::string>* out) {
  return ReadStringList(object, name, path, ValidateActionString, out);
}

// Reads a list of scopes; absent or null is empty.
absl::Status ReadScopes(const Struct& object, absl::string_view name,
                        const json::Path& path,
                        google::protobuf::RepeatedPtrField<std::string>* out) {
  return ReadStringList(object, name, path, ValidateScope, out);
}

// Fails on a key of `object` that is not in `known` (ignoring case).
absl::Status RejectUnknownKeys(const Struct& object, const json::Path& path,
                               const std::vector<absl::string_view>& known) {
  for (const auto& [key, value] : object.fields()) {
    bool found = false;
    for (absl::string_view name : known) {
      if (absl::EqualsIgnoreCase(key, name)) {
        found = true;
        break;
      }
    }
    if (!found) {
      return FieldError(
          path.Field(key),
          absl::StrCat("unknown field; expected one of ",
                       absl::StrJoin(known, ", "),
                       " (a misspelled field could widen the permissions)"));
    }
  }
  return absl::OkStatus();
}

const std::vector<absl::string_view>& PermissionKeys() {
  static const auto* keys = new std::vector<absl::string_view>{
      "actions",          "notActions", "dataActions",
      "notDataActions",   "condition",  "conditionVersion"};
  return *keys;
}

// Reads the four action lists and the condition of one permission block
// from `object`, whose keys are checked by the caller.
absl::Status ReadPermissionFields(const Struct& object, const json::Path& path,
                                  Permission* out) {
  absl::Status status = ReadActions(object, "actions", path,
                                    out->mutable_actions());
  if (status.ok()) {
    status = ReadActions(object, "notActions", path, out->mutable_not_actions());
  }
  if (status.ok()) {
    status =
        ReadActions(object, "dataActions", path, out->mutable_data_actions());
  }
  if (status.ok()) {
    status = ReadActions(object, "notDataActions", path,
                         out->mutable_not_data_actions());
  }
  if (!status.ok()) return status;

  absl::StatusOr<std::string> condition =
      OptionalString(object, "condition", path);
  if (!condition.ok()) return condition.status();
  absl::StatusOr<std::string> version =
      OptionalString(object, "conditionVersion", path);
  if (!version.ok()) return version.status();
  out->set_condition(*std::move(condition));
  out->set_condition_version(*std::move(version));
  return absl::OkStatus();
}

// Reads a `permissions` array of blocks.
absl::Status ReadPermissions(const Value& value, const json::Path& path,
                             google::protobuf::RepeatedPtrField<Permission>* out) {
  absl::StatusOr<const ListValue*> list = json::GetArray(value, path);
  if (!list.ok()) return list.status();
  for (int i = 0; i < (*list)->values_size(); ++i) {
    json::Path block_path = path.Index(i);
    absl::StatusOr<const Struct*> block =
        json::GetObject((*list)->values(i), block_path);
    if (!block.ok()) return block.status();
    absl::Status known = RejectUnknownKeys(**block, block_path, PermissionKeys());
    if (!known.ok()) return known;
    absl::Status read = ReadPermissionFields(**block, block_path, out->Add());
    if (!read.ok()) return read;
  }
  return absl::OkStatus();
}

// Fails when the object's `type` is present and is not `expected`, with a
// pointer to the right importer for PIM objects.
absl::Status CheckType(const Struct& object, const json::Path& path,
                       absl::string_view expected) {
  absl::StatusOr<std::string> type = OptionalString(object, "type", path);
  if (!type.ok()) return type.status();
  if (type->empty() || absl::EqualsIgnoreCase(*type, expected)) {
    return absl::OkStatus();
  }
  std::string hint;
  std::string lowered = absl::AsciiStrToLower(*type);
  if (absl::StrContains(lowered, "roleassignmentschedule") ||
      absl::StrContains(lowered, "roleeligibilityschedule")) {
    hint = " (a PIM schedule is time-bound; import it with the PIM importer)";
  }
  return FieldError(path.Field("type"),
                    absl::StrCat("invalid value '", *type, "'; expected '",
                                 expected, "'", hint));
}

// Sets `name` from the GUID at the end of `id` when `name` is empty, and
// fails when both are set and disagree.
absl::Status ReconcileName(const std::string& id, const json::Path& name_path,
                           std::string* name) {
  if (id.empty()) return absl::OkStatus();
  absl::string_view from_id = LastSegment(id);
  if (name->empty()) {
    *name = std::string(from_id);
    return absl::OkStatus();
  }
  if (!absl::EqualsIgnoreCase(*name, from_id)) {
    return FieldError(name_path,
                      absl::StrCat("invalid value '", *name,
                                   "'; expected the last segment of id '", id,
                                   "'"));
  }
  return absl::OkStatus();
}

RoleType ParseRoleType(absl::string_view text) {
  if (absl::EqualsIgnoreCase(text, "BuiltInRole")) return ROLE_TYPE_BUILT_IN;
  if (absl::EqualsIgnoreCase(text, "CustomRole")) return ROLE_TYPE_CUSTOM;
  return ROLE_TYPE_UNSPECIFIED;
}

// The REST shape and the flat `az` output share every field but nesting:
// `fields` is `properties` for REST and the object itself for az output.
absl::Status ReadOutputRole(const Struct& object, const json::Path& path,
                            const Struct& fields, const json::Path& fields_path,
                            bool rest, RoleDefinition* role) {
  absl::StatusOr<std::string> id = OptionalString(object, "id", path);
  if (!id.ok()) return id.status();
  absl::StatusOr<std::string> name = OptionalString(object, "name", path);
  if (!name.ok()) return name.status();
  role->set_id(*id);
  role->set_name(*name);
  absl::Status named = ReconcileName(*id, path.Field("name"), role->mutable_name());
  if (!named.ok()) return named;

  absl::StatusOr<std::string> role_name =
      OptionalString(fields, "roleName", fields_path);
  if (!role_name.ok()) return role_name.status();
  role->set_role_name(*role_name);

  // REST names the role type `properties.type`; az output `roleType`.
  absl::StatusOr<std::string> role_type =
      rest ? OptionalStringOf(fields, {"type", "roleType"}, fields_path)
           : OptionalString(fields, "roleType", fields_path);
  if (!role_type.ok()) return role_type.status();
  role->set_role_type(ParseRoleType(*role_type));

  absl::StatusOr<std::string> description =
      OptionalString(fields, "description", fields_path);
  if (!description.ok()) return description.status();
  role->set_description(*description);

  absl::Status scopes = ReadScopes(fields, "assignableScopes", fields_path,
                                   role->mutable_assignable_scopes());
  if (!scopes.ok()) return scopes;

  const Value* permissions = json::FindField(fields, "permissions");
  if (json::IsNullOrAbsent(permissions)) {
    return json::MissingField(fields_path.Field("permissions"),
                              "an array of permission blocks");
  }
  return ReadPermissions(*permissions, fields_path.Field("permissions"),
                         role->mutable_permissions());
}

// The `az role definition create` / New-AzRoleDefinition input form.
absl::Status ReadInputFormRole(const Struct& object, const json::Path& path,
                               RoleDefinition* role) {
  static const auto* known = new std::vector<absl::string_view>{
      "Name",          "Id",          "IsCustom",       "Description",
      "Actions",       "NotActions",  "DataActions",    "NotDataActions",
      "AssignableScopes", "Condition", "ConditionVersion", "Permissions"};
  absl::Status keys = RejectUnknownKeys(object, path, *known);
  if (!keys.ok()) return keys;

  const Value* name = json::FindField(object, "Name");
  if (json::IsNullOrAbsent(name)) {
    return json::MissingField(path.Field("Name"), "the role's display name");
  }
  absl::StatusOr<std::string> role_name =
      json::GetString(*name, path.Field("Name"));
  if (!role_name.ok()) return role_name.status();
  role->set_role_name(*role_name);

  // `Id` is the GUID; accept a full role definition id too.
  absl::StatusOr<std::string> id = OptionalString(object, "Id", path);
  if (!id.ok()) return id.status();
  if (absl::StrContains(*id, '/')) role->set_id(*id);
  role->set_name(std::string(LastSegment(*id)));

  const Value* is_custom = json::FindField(object, "IsCustom");
  if (!json::IsNullOrAbsent(is_custom)) {
    absl::StatusOr<bool> custom =
        json::GetBool(*is_custom, path.Field("IsCustom"));
    if (!custom.ok()) return custom.status();
    role->set_role_type(*custom ? ROLE_TYPE_CUSTOM : ROLE_TYPE_BUILT_IN);
  } else {
    // The input form creates custom roles.
    role->set_role_type(ROLE_TYPE_CUSTOM);
  }

  absl::StatusOr<std::string> description =
      OptionalString(object, "Description", path);
  if (!description.ok()) return description.status();
  role->set_description(*description);

  absl::Status scopes = ReadScopes(object, "AssignableScopes", path,
                                   role->mutable_assignable_scopes());
  if (!scopes.ok()) return scopes;

  const Value* permissions = json::FindField(object, "Permissions");
  bool has_flat = false;
  for (absl::string_view flat : {"Actions", "NotActions", "DataActions",
                                 "NotDataActions", "Condition"}) {
    if (json::FindField(object, flat) != nullptr) has_flat = true;
  }
  if (!json::IsNullOrAbsent(permissions)) {
    if (has_flat) {
      return FieldError(path.Field("Permissions"),
                        "present together with flat Actions or DataActions; "
                        "expected one of the two forms");
    }
    return ReadPermissions(*permissions, path.Field("Permissions"),
                           role->mutable_permissions());
  }
  return ReadPermissionFields(object, path, role->add_permissions());
}

absl::Status ReadRoleDefinition(const Item& item, RoleDefinition* role) {
  const Struct& object = *item.object;
  absl::Status type = CheckType(object, item.path, kRoleDefinitionType);
  if (!type.ok()) return type;

  const Value* properties = json::FindField(object, "properties");
  if (!json::IsNullOrAbsent(properties)) {
    json::Path properties_path = item.path.Field("properties");
    absl::StatusOr<const Struct*> fields =
        json::GetObject(*properties, properties_path);
    if (!fields.ok()) return fields.status();
    return ReadOutputRole(object, item.path, **fields, properties_path,
                          /*rest=*/true, role);
  }
  if (json::FindField(object, "roleName") != nullptr) {
    return ReadOutputRole(object, item.path, object, item.path,
                          /*rest=*/false, role);
  }
  return ReadInputFormRole(object, item.path, role);
}

// Derives a scope from an assignment id `<scope>/providers/
// Microsoft.Authorization/<collection>/<guid>`.
std::string ScopeFromId(absl::string_view id, absl::string_view collection) {
  std::string marker =
      absl::AsciiStrToLower(absl::StrCat("/providers/Microsoft.Authorization/",
                                         collection, "/"));
  std::string lowered = absl::AsciiStrToLower(id);
  size_t at = lowered.rfind(marker);
  if (at == std::string::npos) return "";
  if (at == 0) return "/";
  return std::string(id.substr(0, at));
}

// The object that holds an assignment's fields: `properties` for REST, the
// object itself for flat shapes.
absl::StatusOr<std::pair<const Struct*, json::Path>> FieldsOf(const Item& item) {
  const Value* properties = json::FindField(*item.object, "properties");
  if (json::IsNullOrAbsent(properties)) {
    return std::make_pair(item.object, item.path);
  }
  json::Path properties_path = item.path.Field("properties");
  absl::StatusOr<const Struct*> fields =
      json::GetObject(*properties, properties_path);
  if (!fields.ok()) return fields.status();
  return std::make_pair(*fields, properties_path);
}

// Reads the assignment's scope, or derives it from its id.
absl::StatusOr<std::string> ReadScope(const Struct& fields,
                                      const json::Path& fields_path,
                                      const std::string& id,
                                      const json::Path& id_path,
                                      absl::string_view collection) {
  absl::StatusOr<std::string> scope =
      OptionalString(fields, "scope", fields_path);
  if (!scope.ok()) return scope.status();
  if (!scope->empty()) {
    absl::Status valid = ValidateScope(*scope);
    if (!valid.ok()) return AtPath(fields_path.Field("scope"), valid);
    return scope;
  }
  std::string derived = ScopeFromId(id, collection);
  if (derived.empty()) {
    return json::MissingField(
        fields_path.Field("scope"),
        absl::StrCat("a scope, or an id ending in '/providers/"
                     "Microsoft.Authorization/",
                     collection, "/{guid}'"));
  }
  absl::Status valid = ValidateScope(derived);
  if (!valid.ok()) return AtPath(id_path, valid);
  return derived;
}

absl::StatusOr<std::string> RequiredString(
    const Struct& object, std::initializer_list<absl::string_view> names,
    const json::Path& path, absl::string_view expected) {
  absl::StatusOr<std::string> text = OptionalStringOf(object, names, path);
  if (!text.ok()) return text.status();
  if (text->empty()) {
    return json::MissingField(path.Field(*names.begin()), expected);
  }
  return text;
}

absl::Status ReadRoleAssignment(const Item& item, RoleAssignment* assignment) {
  absl::Status type = CheckType(*item.object, item.path, kRoleAssignmentType);
  if (!type.ok()) return type;
  absl::StatusOr<std::pair<const Struct*, json::Path>> fields = FieldsOf(item);
  if (!fields.ok()) return fields.status();
  const Struct& object = *fields->first;
  const json::Path& path = fields->second;

  absl::StatusOr<std::string> id =
      OptionalStringOf(*item.object, {"id", "RoleAssignmentId"}, item.path);
  if (!id.ok()) return id.status();
  absl::StatusOr<std::string> name =
      OptionalStringOf(*item.object, {"name", "RoleAssignmentName"}, item.path);
  if (!name.ok()) return name.status();
  absl::StatusOr<std::string> principal = RequiredString(
      object, {"principalId", "ObjectId"}, path, "the principal's object id");
  if (!principal.ok()) return principal.status();
  absl::StatusOr<std::string> principal_type =
      OptionalStringOf(object, {"principalType", "ObjectType"}, path);
  if (!principal_type.ok()) return principal_type.status();
  absl::StatusOr<std::string> role = RequiredString(
      object, {"roleDefinitionId"}, path, "the role definition id or GUID");
  if (!role.ok()) return role.status();
  if (LastSegment(*role).empty()) {
    return FieldError(path.Field("roleDefinitionId"),
                      absl::StrCat("invalid value '", *role,
                                   "'; expected an id ending in a GUID"));
  }
  absl::StatusOr<std::string> scope =
      ReadScope(object, path, *id, item.path.Field("id"), "roleAssignments");
  if (!scope.ok()) return scope.status();
  absl::StatusOr<std::string> condition =
      OptionalString(object, "condition", path);
  if (!condition.ok()) return condition.status();
  absl::StatusOr<std::string> version =
      OptionalString(object, "conditionVersion", path);
  if (!version.ok()) return version.status();
  absl::StatusOr<std::string> description =
      OptionalString(object, "description", path);
  if (!description.ok()) return description.status();

  assignment->set_id(*id);
  assignment->set_name(*name);
  if (assignment->name().empty() && !id->empty()) {
    assignment->set_name(std::string(LastSegment(*id)));
  }
  assignment->set_scope(*scope);
  assignment->set_role_definition_id(*role);
  assignment->set_principal_id(*principal);
  assignment->set_principal_type(*principal_type);
  assignment->set_condition(*condition);
  assignment->set_condition_version(*version);
  assignment->set_description(*description);
  return absl::OkStatus();
}

absl::Status ReadPrincipals(const Struct& object, absl::string_view name,
                            const json::Path& path,
                            google::protobuf::RepeatedPtrField<Principal>* out) {
  const Value* value = json::FindField(object, name);
  if (json::IsNullOrAbsent(value)) return absl::OkStatus();
  json::Path list_path = path.Field(name);
  absl::StatusOr<const ListValue*> list = json::GetArray(*value, list_path);
  if (!list.ok()) return list.status();
  for (int i = 0; i < (*list)->values_size(); ++i) {
    json::Path item_path = list_path.Index(i);
    absl::StatusOr<const Struct*> principal =
        json::GetObject((*list)->values(i), item_path);
    if (!principal.ok()) return principal.status();
    absl::StatusOr<std::string> id = RequiredString(
        **principal, {"id", "ObjectId"}, item_path, "the principal's object id");
    if (!id.ok()) return id.status();
    absl::StatusOr<std::string> type =
        OptionalStringOf(**principal, {"type", "ObjectType"}, item_path);
    if (!type.ok()) return type.status();
    Principal* added = out->Add();
    added->set_id(*id);
    added->set_type(*type);
  }
  return absl::OkStatus();
}

absl::Status ReadDenyAssignment(const Item& item, DenyAssignment* deny) {
  absl::Status type = CheckType(*item.object, item.path, kDenyAssignmentType);
  if (!type.ok()) return type;
  absl::StatusOr<std::pair<const Struct*, json::Path>> fields = FieldsOf(item);
  if (!fields.ok()) return fields.status();
  const Struct& object = *fields->first;
  const json::Path& path = fields->second;

  absl::StatusOr<std::string> id = OptionalString(*item.object, "id", item.path);
  if (!id.ok()) return id.status();
  absl::StatusOr<std::string> name =
      OptionalString(*item.object, "name", item.path);
  if (!name.ok()) return name.status();
  deny->set_id(*id);
  deny->set_name(name->empty() && !id->empty()
                     ? std::string(LastSegment(*id))
                     : *name);

  absl::StatusOr<std::string> deny_name =
      OptionalString(object, "denyAssignmentName", path);
  if (!deny_name.ok()) return deny_name.status();
  deny->set_deny_assignment_name(*deny_name);
  absl::StatusOr<std::string> description =
      OptionalString(object, "description", path);
  if (!description.ok()) return description.status();
  deny->set_description(*description);

  const Value* permissions = json::FindField(object, "permissions");
  bool rest = &object != item.object;
  if (!json::IsNullOrAbsent(permissions)) {
    absl::Status read = ReadPermissions(*permissions, path.Field("permissions"),
                                        deny->mutable_permissions());
    if (!read.ok()) return read;
  } else if (rest) {
    return json::MissingField(path.Field("permissions"),
                              "an array of permission blocks");
  } else {
    // The flat PowerShell shape lists the actions beside the other fields.
    absl::Status read = ReadPermissionFields(object, path, deny->add_permissions());
    if (!read.ok()) return read;
    deny->mutable_permissions(0)->clear_condition();
    deny->mutable_permissions(0)->clear_condition_version();
  }

  absl::StatusOr<std::string> scope =
      ReadScope(object, path, *id, item.path.Field("id"), "denyAssignments");
  if (!scope.ok()) return scope.status();
  deny->set_scope(*scope);

  absl::StatusOr<bool> no_children =
      OptionalBool(object, "doNotApplyToChildScopes", path);
  if (!no_children.ok()) return no_children.status();
  deny->set_do_not_apply_to_child_scopes(*no_children);
  absl::StatusOr<bool> system = OptionalBool(object, "isSystemProtected", path);
  if (!system.ok()) return system.status();
  deny->set_is_system_protected(*system);

  absl::Status principals =
      ReadPrincipals(object, "principals", path, deny->mutable_principals());
  if (!principals.ok()) return principals;
  absl::Status excluded = ReadPrincipals(object, "excludePrincipals", path,
                                         deny->mutable_exclude_principals());
  if (!excluded.ok()) return excluded;
  for (int i = 0; i < deny->exclude_principals_size(); ++i) {
    if (absl::EqualsIgnoreCase(deny->exclude_principals(i).id(),
                               kAllPrincipalsId)) {
      return FieldError(
          path.Field("excludePrincipals").Index(i).Field("id"),
          absl::StrCat("invalid value '", deny->exclude_principals(i).id(),
                       "'; all principals may appear in principals only"));
    }
  }
  // Azure deny assignments always name their principals and at least one
  // action. Without them the assignment would deny nothing, so a truncated
  // or hand-edited one is an error rather than one that is not there.
  if (deny->principals_size() == 0) {
    return json::MissingField(path.Field("principals"),
                              "the principals the deny assignment applies to (at least one)");
  }
  bool denies_something = false;
  for (const Permission& permission : deny->permissions()) {
    denies_something = denies_something || permission.actions_size() > 0 ||
                       permission.data_actions_size() > 0;
  }
  if (!denies_something) {
    return json::MissingField(path.Field("permissions"),
                              "at least one action or data action to deny");
  }

  absl::StatusOr<std::string> condition =
      OptionalString(object, "condition", path);
  if (!condition.ok()) return condition.status();
  absl::StatusOr<std::string> version =
      OptionalString(object, "conditionVersion", path);
  if (!version.ok()) return version.status();
  deny->set_condition(*condition);
  deny->set_condition_version(*version);
  return absl::OkStatus();
}

constexpr absl::string_view kManagementGroupPrefix =
    "/providers/Microsoft.Management/managementGroups/";

// The links of one getEntities document, each once.
class EntityLinks {
 public:
  EntityLinks(absl::string_view source_name, std::vector<ScopeParent>& out)
      : source_name_(source_name), out_(out) {}

  // Records that `child` sits directly below `parent` (`/` for the tenant
  // root group), as the field at `path` states.
  void Add(absl::string_view child, absl::string_view parent,
           const json::Path& path) {
    std::string key = absl::AsciiStrToLower(absl::StrCat(child, "\n", parent));
    if (!seen_.insert(std::move(key)).second) return;
    ScopeParent link;
    link.set_child(std::string(child));
    link.set_parent(std::string(parent));
    link.set_source(SourceOf(source_name_, path));
    out_.push_back(std::move(link));
  }

 private:
  absl::string_view source_name_;
  std::vector<ScopeParent>& out_;
  absl::flat_hash_set<std::string> seen_;
};

// The management group id of `name`, or an error at `path` when `name` is
// not a management group name.
absl::StatusOr<std::string> GroupIdOf(absl::string_view name,
                                      const json::Path& path) {
  std::string id = absl::StrCat(kManagementGroupPrefix, name);
  absl::StatusOr<ScopePath> scope = ScopePath::Parse(id);
  if (name.empty() || !scope.ok() ||
      scope->level() != ScopeLevel::kManagementGroup || scope->size() != 4) {
    return FieldError(path, absl::StrCat("invalid value '", name,
                                         "'; expected a management group name"));
  }
  return id;
}

// Reads `parentNameChain`, the names of the management groups above entity
// `id` from the top down, so its last name is the entity's parent. Each name
// gives the link to the name before it, and the last one the entity's link
// unless `parent.id` gave it. `parent_name` is the group that `parent.id`
// names, "" for none, and `parent_is_null` is true when `parent` is JSON
// null. A chain that contradicts `parent` is an error.
absl::Status ReadParentNameChain(const Struct& fields, const json::Path& path,
                                 absl::string_view id,
                                 absl::string_view parent_name,
                                 bool parent_is_null, EntityLinks& links) {
  const Value* value = json::FindField(fields, "parentNameChain");
  if (json::IsNullOrAbsent(value)) return absl::OkStatus();
  json::Path chain_path = path.Field("parentNameChain");
  absl::StatusOr<const ListValue*> list = json::GetArray(*value, chain_path);
  if (!list.ok()) return list.status();
  const int size = (*list)->values_size();
  if (size == 0) {
    if (parent_name.empty()) return absl::OkStatus();
    return FieldError(chain_path,
                      absl::StrCat("invalid value []; expected the management "
                                   "groups above, ending with the parent '",
                                   parent_name, "'"));
  }
  if (parent_is_null) {
    return FieldError(chain_path,
                      "names management groups above the entity, but its "
                      "parent is null; expected the two to agree");
  }
  std::string previous;
  for (int k = 0; k < size; ++k) {
    json::Path item_path = chain_path.Index(k);
    absl::StatusOr<std::string> name =
        json::GetString((*list)->values(k), item_path);
    if (!name.ok()) return name.status();
    absl::StatusOr<std::string> id = GroupIdOf(*name, item_path);
    if (!id.ok()) return id.status();
    if (k > 0) {
      links.Add(*id, absl::StrCat(kManagementGroupPrefix, previous),
                chain_path.Index(k - 1));
    }
    previous = *std::move(name);
  }
  if (parent_name.empty()) {
    links.Add(id, absl::StrCat(kManagementGroupPrefix, previous),
              chain_path.Index(size - 1));
  } else if (!absl::EqualsIgnoreCase(previous, parent_name)) {
    return FieldError(
        chain_path.Index(size - 1),
        absl::StrCat("invalid value '", previous, "'; expected '", parent_name,
                     "', the parent that parent.id names"));
  }
  return absl::OkStatus();
}

// The tenant and its root group as a getEntities document gives them. A
// tenant has one root group, named by the tenant id. So a second group with
// a null parent, or one named otherwise, is a group whose parent the file
// leaves out. Taking it for the root would end its chains early and hide the
// deny assignments of the groups above it.
struct TenantRoot {
  std::string tenant;  // the first `tenantId`, "" when no entity names one
  json::Path tenant_path;
  std::string group;  // the first management group with a null parent
  json::Path group_path;
};

// Finds the tenant the entities name. Entities of two tenants are an error.
// Fields that cannot be read are left for ReadEntity to report.
absl::StatusOr<TenantRoot> FindTenant(const std::vector<Item>& items) {
  TenantRoot root;
  for (const Item& item : items) {
    absl::StatusOr<std::pair<const Struct*, json::Path>> fields = FieldsOf(item);
    if (!fields.ok()) continue;
    absl::StatusOr<std::string> tenant =
        OptionalString(*fields->first, "tenantId", fields->second);
    if (!tenant.ok() || tenant->empty()) continue;
    json::Path tenant_path = fields->second.Field("tenantId");
    if (root.tenant.empty()) {
      root.tenant = *std::move(tenant);
      root.tenant_path = std::move(tenant_path);
    } else if (!absl::EqualsIgnoreCase(*tenant, root.tenant)) {
      return FieldError(
          tenant_path,
          absl::StrCat("invalid value '", *tenant, "'; expected '",
                       root.tenant, "', the tenantId at ",
                       root.tenant_path.ToString(),
                       ", since one getEntities response covers one tenant"));
    }
  }
  return root;
}

// Checks that the management group `name`, whose `parent` at `path` is null,
// can be the tenant root group, and records it.
absl::Status CheckRootGroup(absl::string_view name, const Value& parent,
                            const json::Path& path, TenantRoot& root) {
  std::string reason;
  if (!root.tenant.empty() && !absl::EqualsIgnoreCase(name, root.tenant)) {
    reason = absl::StrCat("only the tenant root group '", root.tenant,
                          "' (the tenantId at ", root.tenant_path.ToString(),
                          ") has none");
  } else if (!root.group.empty() && !absl::EqualsIgnoreCase(name, root.group)) {
    reason = absl::StrCat("management group '", root.group, "' has none (at ",
                          root.group_path.ToString(),
                          ") and a tenant has one root group");
  }
  if (!reason.empty()) {
    return json::InvalidField(
        path, parent,
        absl::StrCat("the parent of management group '", name, "', since ",
                     reason));
  }
  if (root.group.empty()) {
    root.group = std::string(name);
    root.group_path = path;
  }
  return absl::OkStatus();
}

absl::Status ReadEntity(const Item& item, TenantRoot& root,
                        EntityLinks& links) {
  absl::StatusOr<std::string> id = RequiredString(
      *item.object, {"id"}, item.path, "the entity's id");
  if (!id.ok()) return id.status();
  absl::StatusOr<ScopePath> child = ScopePath::Parse(*id);
  if (!child.ok()) return AtPath(item.path.Field("id"), child.status());
  const bool is_group = child->level() == ScopeLevel::kManagementGroup;
  if (child->level() != ScopeLevel::kSubscription && !is_group) {
    return FieldError(item.path.Field("id"),
                      absl::StrCat("invalid value '", *id,
                                   "'; expected a subscription or management "
                                   "group id"));
  }

  // The REST response nests the fields in `properties`; az flattens them.
  absl::StatusOr<std::pair<const Struct*, json::Path>> fields = FieldsOf(item);
  if (!fields.ok()) return fields.status();
  const Struct& object = *fields->first;
  const json::Path& path = fields->second;

  // The tenant root group's name is the tenant id.
  absl::StatusOr<std::string> tenant = OptionalString(object, "tenantId", path);
  if (!tenant.ok()) return tenant.status();
  if (!tenant->empty()) {
    absl::StatusOr<std::string> root = GroupIdOf(*tenant, path.Field("tenantId"));
    if (!root.ok()) return root.status();
    links.Add(*root, "/", path.Field("tenantId"));
  }

  // A management group whose parent is null is the tenant root group, if it
  // can be. A subscription always has a parent, so a null one leaves it
  // unplaced.
  const Value* parent = json::FindField(object, "parent");
  const bool parent_is_null =
      parent != nullptr && parent->kind_case() == Value::kNullValue;
  if (parent_is_null && is_group) {
    absl::Status valid = CheckRootGroup(child->management_group(), *parent,
                                        path.Field("parent"), root);
    if (!valid.ok()) return valid;
    links.Add(*id, "/", path.Field("parent"));
  }
  std::string parent_name;
  if (!json::IsNullOrAbsent(parent)) {
    json::Path parent_path = path.Field("parent");
    absl::StatusOr<const Struct*> parent_object =
        json::GetObject(*parent, parent_path);
    if (!parent_object.ok()) return parent_object.status();
    absl::StatusOr<std::string> parent_id =
        OptionalString(**parent_object, "id", parent_path);
    if (!parent_id.ok()) return parent_id.status();
    if (!parent_id->empty()) {
      absl::StatusOr<ScopePath> parent_scope = ScopePath::Parse(*parent_id);
      if (!parent_scope.ok()) {
        return AtPath(parent_path.Field("id"), parent_scope.status());
      }
      if (parent_scope->level() != ScopeLevel::kManagementGroup) {
        return FieldError(parent_path.Field("id"),
                          absl::StrCat("invalid value '", *parent_id,
                                       "'; expected a management group id"));
      }
      parent_name = std::string(parent_scope->management_group());
      links.Add(*id, *parent_id, parent_path.Field("id"));
    }
  }

  return ReadParentNameChain(object, path, *id, parent_name, parent_is_null,
                             links);
}

absl::Status ReadOperation(const Struct& object, const json::Path& path,
                           ProviderOperationSet& out) {
  absl::StatusOr<std::string> name =
      RequiredString(object, {"name"}, path, "the operation name");
  if (!name.ok()) return name.status();
  absl::Status valid = ValidateActionString(*name);
  if (!valid.ok()) return AtPath(path.Field("name"), valid);
  if (HasWildcard(*name)) {
    return FieldError(path.Field("name"),
                      absl::StrCat("invalid value '", *name,
                                   "'; expected an operation without '*'"));
  }
  absl::StatusOr<bool> data = OptionalBool(object, "isDataAction", path);
  if (!data.ok()) return data.status();
  absl::StatusOr<std::string> display =
      OptionalString(object, "displayName", path);
  if (!display.ok()) return display.status();
  absl::StatusOr<std::string> description =
      OptionalString(object, "description", path);
  if (!description.ok()) return description.status();
  absl::StatusOr<std::string> origin = OptionalString(object, "origin", path);
  if (!origin.ok()) return origin.status();

  ProviderOperation* operation = out.add_operations();
  operation->set_name(*name);
  operation->set_is_data_action(*data);
  operation->set_display_name(*display);
  operation->set_description(*description);
  operation->set_origin(*origin);
  return absl::OkStatus();
}

absl::Status ReadOperationList(const Struct& object, const json::Path& path,
                               ProviderOperationSet& out) {
  const Value* operations = json::FindField(object, "operations");
  if (json::IsNullOrAbsent(operations)) return absl::OkStatus();
  json::Path list_path = path.Field("operations");
  absl::StatusOr<const ListValue*> list = json::GetArray(*operations, list_path);
  if (!list.ok()) return list.status();
  for (int i = 0; i < (*list)->values_size(); ++i) {
    json::Path item_path = list_path.Index(i);
    absl::StatusOr<const Struct*> operation =
        json::GetObject((*list)->values(i), item_path);
    if (!operation.ok()) return operation.status();
    absl::Status read = ReadOperation(**operation, item_path, out);
    if (!read.ok()) return read;
  }
  return absl::OkStatus();
}

absl::Status ReadProvider(const Struct& object, const json::Path& path,
                          ProviderOperationSet& out) {
  absl::StatusOr<std::string> name =
      RequiredString(object, {"name"}, path, "the provider namespace");
  if (!name.ok()) return name.status();
  out.add_namespaces(*name);

  absl::Status own = ReadOperationList(object, path, out);
  if (!own.ok()) return own;

  const Value* types = json::FindField(object, "resourceTypes");
  if (json::IsNullOrAbsent(types)) return absl::OkStatus();
  json::Path types_path = path.Field("resourceTypes");
  absl::StatusOr<const ListValue*> list = json::GetArray(*types, types_path);
  if (!list.ok()) return list.status();
  for (int i = 0; i < (*list)->values_size(); ++i) {
    json::Path type_path = types_path.Index(i);
    absl::StatusOr<const Struct*> type =
        json::GetObject((*list)->values(i), type_path);
    if (!type.ok()) return type.status();
    absl::Status read = ReadOperationList(**type, type_path, out);
    if (!read.ok()) return read;
  }
  return absl::OkStatus();
}

// Reads every object of the document with `read` and records its source.
template <typename Message>
absl::StatusOr<std::vector<Message>> ReadEach(
    absl::string_view json_bytes, absl::string_view source_name,
    absl::Status (*read)(const Item&, Message*)) {
  Value root;
  absl::StatusOr<std::vector<Item>> items = ParseItems(json_bytes, root);
  if (!items.ok()) return items.status();
  std::vector<Message> messages;
  for (const Item& item : *items) {
    Message message;
    absl::Status status = read(item, &message);
    if (!status.ok()) return status;
    message.set_source(SourceOf(source_name, item.path));
    messages.push_back(std::move(message));
  }
  return messages;
}

}  // namespace

absl::StatusOr<std::vector<RoleDefinition>> ParseRoleDefinitions(
    absl::string_view json_bytes, absl::string_view source_name) {
  return ReadEach<RoleDefinition>(json_bytes, source_name, ReadRoleDefinition);
}

absl::StatusOr<std::vector<RoleAssignment>> ParseRoleAssignments(
    absl::string_view json_bytes, absl::string_view source_name) {
  return ReadEach<RoleAssignment>(json_bytes, source_name, ReadRoleAssignment);
}

absl::StatusOr<std::vector<DenyAssignment>> ParseDenyAssignments(
    absl::string_view json_bytes, absl::string_view source_name) {
  return ReadEach<DenyAssignment>(json_bytes, source_name, ReadDenyAssignment);
}

absl::StatusOr<std::vector<ScopeParent>> ParseManagementGroupEntities(
    absl::string_view json_bytes, absl::string_view source_name) {
  Value root;
  absl::StatusOr<std::vector<Item>> items = ParseItems(json_bytes, root);
  if (!items.ok()) return items.status();
  absl::StatusOr<TenantRoot> tenant_root = FindTenant(*items);
  if (!tenant_root.ok()) return tenant_root.status();
  std::vector<ScopeParent> links;
  EntityLinks unique_links(source_name, links);
  for (const Item& item : *items) {
    absl::Status read = ReadEntity(item, *tenant_root, unique_links);
    if (!read.ok()) return read;
  }
  return links;
}

absl::StatusOr<ProviderOperationSet> ParseProviderOperations(
    absl::string_view json_bytes) {
  absl::StatusOr<Value> root = json::ParseJson(json_bytes);
  if (!root.ok()) return root.status();
  ProviderOperationSet set;
  json::Path path;
  if (root->has_list_value()) {
    const ListValue& list = root->list_value();
    for (int i = 0; i < list.values_size(); ++i) {
      absl::StatusOr<const Struct*> provider =
          json::GetObject(list.values(i), path.Index(i));
      if (!provider.ok()) return provider.status();
      absl::Status read = ReadProvider(**provider, path.Index(i), set);
      if (!read.ok()) return read;
    }
    return set;
  }
  absl::StatusOr<const Struct*> provider = json::GetObject(*root, path);
  if (!provider.ok()) {
    return json::InvalidField(path, *root,
                              "a provider object with operations, or an "
                              "array of them");
  }
  absl::Status read = ReadProvider(**provider, path, set);
  if (!read.ok()) return read;
  return set;
}

}  // namespace portcullis::rbac
