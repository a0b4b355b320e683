#include "access/ca_sign_in_import.h"

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "access/ca_controls.h"
#include "access/internal/ca_json_reader.h"
#include "json/json.h"

namespace portcullis::access {
namespace {

using internal::EnumName;
using internal::kClientAppTypes;
using internal::kExternalUserTypes;
using internal::kInsiderRiskLevels;
using internal::kPlatforms;
using internal::kRiskLevels;
using internal::kTransferMethods;
using internal::ListValue;
using internal::Member;
using internal::RejectUnknownMembers;
using internal::Struct;
using internal::Value;

// The `@odata.type` of `object` without the "#microsoft.graph." prefix, or
// "" when absent.
std::string ODataType(const Struct& object) {
  auto it = object.fields().find("@odata.type");
  if (it == object.fields().end() || !it->second.has_string_value()) {
    return "";
  }
  absl::string_view type = it->second.string_value();
  absl::ConsumePrefix(&type, "#");
  absl::ConsumePrefix(&type, "microsoft.graph.");
  return std::string(type);
}

absl::StatusOr<std::optional<std::string>> OptionalString(
    const Struct& object, absl::string_view key, const json::Path& path) {
  const Value* value = Member(object, key);
  if (json::IsNullOrAbsent(value)) return std::optional<std::string>();
  absl::StatusOr<std::string> text = json::GetString(*value, path.Field(key));
  if (!text.ok()) return text.status();
  return std::optional<std::string>(*std::move(text));
}

// Reads an optional enum member; unknownFutureValue counts as absent.
template <typename Enum, size_t N>
absl::StatusOr<std::optional<Enum>> OptionalEnum(
    const Struct& object, absl::string_view key, const json::Path& path,
    const EnumName<Enum> (&table)[N]) {
  absl::StatusOr<std::optional<std::string>> text =
      OptionalString(object, key, path);
  if (!text.ok()) return text.status();
  if (!text->has_value() ||
      absl::EqualsIgnoreCase(**text, "unknownFutureValue")) {
    return std::optional<Enum>();
  }
  for (const EnumName<Enum>& entry : table) {
    if (absl::EqualsIgnoreCase(entry.name, **text)) return entry.value;
  }
  std::string expected;
  for (const EnumName<Enum>& entry : table) {
    absl::StrAppend(&expected, expected.empty() ? "" : ", ", entry.name);
  }
  return json::InvalidField(path.Field(key), *Member(object, key),
                            absl::StrCat("one of ", expected));
}

absl::StatusOr<std::vector<std::string>> StringArray(const Value* value,
                                                     const json::Path& path) {
  std::vector<std::string> out;
  if (json::IsNullOrAbsent(value)) return out;
  absl::StatusOr<const ListValue*> list = json::GetArray(*value, path);
  if (!list.ok()) return list.status();
  for (int i = 0; i < (*list)->values_size(); ++i) {
    absl::StatusOr<std::string> text =
        json::GetString((*list)->values(i), path.Index(i));
    if (!text.ok()) return text.status();
    out.push_back(*std::move(text));
  }
  return out;
}

// Rejects a request externalUserType that contradicts the directory entry's
// userType. Microsoft defines internal users (`none`) and B2B collaboration
// members by userType Member, and internal guests, B2B collaboration guests
// and other external users by userType Guest. Taking either file's word
// silently could drop every policy aimed at the user's real kind.
absl::Status CheckExternalUserType(const SignIn& s, const Struct& object,
                                   const json::Path& path) {
  constexpr uint32_t kMemberTypes =
      ExternalUserTypeBit(ca::EXTERNAL_USER_TYPE_UNSPECIFIED) |
      ExternalUserTypeBit(ca::EXTERNAL_USER_TYPE_B2B_COLLABORATION_MEMBER);
  constexpr uint32_t kGuestTypes =
      ExternalUserTypeBit(ca::EXTERNAL_USER_TYPE_INTERNAL_GUEST) |
      ExternalUserTypeBit(ca::EXTERNAL_USER_TYPE_B2B_COLLABORATION_GUEST) |
      ExternalUserTypeBit(ca::EXTERNAL_USER_TYPE_OTHER_EXTERNAL_USER);
  if (!s.external_user_type.has_value()) return absl::OkStatus();
  uint32_t stated = ExternalUserTypeBit(*s.external_user_type);
  bool guest = s.user_type == SignIn::UserType::kGuest;
  bool member = s.user_type == SignIn::UserType::kMember;
  if ((guest && (stated & kMemberTypes) != 0) || (member && (stated & kGuestTypes) != 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        path.Field("externalUserType").ToString(), ": \"",
        Member(object, "externalUserType")->string_value(),
        "\" contradicts the directory entry of user \"", s.user_id, "\", whose userType is ",
        guest ? "guest" : "member",
        ". The types none and b2bCollaborationMember have userType member, and internalGuest, "
        "b2bCollaborationGuest and otherExternalUser have userType guest, so correct the "
        "request or the directory"));
  }
  return absl::OkStatus();
}

// One of the types an object of the What-If request may have, with the
// members that only this type defines.
struct ODataKind {
  absl::string_view type;
  std::vector<absl::string_view> members;
};

// Returns the index in `kinds` of the type of `object`: the one its
// `@odata.type` names, or else the only type whose members it has, even as
// null (the first type when it has none). An unknown `@odata.type` and members of
// two types are errors, because the service rejects such a request and a
// guess would decide which policies apply.
absl::StatusOr<size_t> ObjectKind(const Struct& object, const json::Path& path,
                                  const std::vector<ODataKind>& kinds) {
  std::vector<absl::string_view> names;
  for (const ODataKind& kind : kinds) names.push_back(kind.type);
  std::optional<size_t> declared;
  std::string type = ODataType(object);
  if (!type.empty()) {
    for (size_t i = 0; i < kinds.size(); ++i) {
      if (absl::EqualsIgnoreCase(type, kinds[i].type)) declared = i;
    }
    if (!declared.has_value()) {
      return json::InvalidField(path.Field("@odata.type"), *Member(object, "@odata.type"),
                                absl::StrCat("#microsoft.graph. followed by ",
                                             absl::StrJoin(names, " or ")));
    }
  }

  std::optional<size_t> carried;
  absl::string_view carried_member;
  for (size_t i = 0; i < kinds.size(); ++i) {
    for (absl::string_view member : kinds[i].members) {
      if (Member(object, member) == nullptr) continue;
      if (declared.has_value() && *declared != i) {
        return absl::InvalidArgumentError(absl::StrCat(
            path.Field(member).ToString(), ": not a member of ", kinds[*declared].type,
            ", the type that @odata.type names; remove it or correct @odata.type"));
      }
      if (carried.has_value() && *carried != i) {
        return absl::InvalidArgumentError(absl::StrCat(
            path.ToString(), ": has members of two types, ", carried_member, " of ",
            kinds[*carried].type, " and ", member, " of ", kinds[i].type,
            ", so it is not one request; keep one type's members and state it in @odata.type"));
      }
      carried = i;
      carried_member = member;
    }
  }
  if (declared.has_value()) return *declared;
  return carried.value_or(0);
}

absl::Status ReadIdentity(const Struct& object, const json::Path& path,
                          const Directory* directory, ParsedSignIn& out) {
  absl::Status members = RejectUnknownMembers(
      object, path, {"userId", "externalTenantId", "externalUserType", "servicePrincipalId"});
  if (!members.ok()) return members;
  SignIn& s = out.sign_in;
  absl::StatusOr<size_t> kind = ObjectKind(
      object, path,
      {{"userSignIn", {"userId", "externalTenantId", "externalUserType"}},
       {"servicePrincipalSignIn", {"servicePrincipalId"}}});
  if (!kind.ok()) return kind.status();
  if (*kind == 1) {
    s.identity = SignIn::Identity::kServicePrincipal;
    absl::StatusOr<std::optional<std::string>> id =
        OptionalString(object, "servicePrincipalId", path);
    if (!id.ok()) return id.status();
    if (!id->has_value()) {
      return json::MissingField(path.Field("servicePrincipalId"),
                                "a service principal id");
    }
    s.service_principal_id = **id;
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<std::string>> user_id =
      OptionalString(object, "userId", path);
  if (!user_id.ok()) return user_id.status();
  if (!user_id->has_value()) {
    return json::MissingField(path.Field("userId"), "a user object id");
  }
  s.user_id = **user_id;
  absl::StatusOr<std::optional<std::string>> tenant =
      OptionalString(object, "externalTenantId", path);
  if (!tenant.ok()) return tenant.status();
  if (tenant->has_value()) s.external_tenant_id = **tenant;
  absl::StatusOr<std::optional<ca::ExternalUserType>> external =
      OptionalEnum(object, "externalUserType", path, kExternalUserTypes);
  if (!external.ok()) return external.status();
  s.external_user_type = *external;

  if (directory == nullptr) return absl::OkStatus();
  auto it = directory->users.find(absl::AsciiStrToLower(s.user_id));
  if (it == directory->users.end()) {
    out.warnings.push_back(ImportWarning{
        path.Field("userId").ToString(),
        absl::StrCat("user \"", s.user_id,
                     "\" is not in the directory; group and role membership "
                     "are unknown")});
    return absl::OkStatus();
  }
  s.directory_known = true;
  s.user_type = it->second.user_type;
  absl::Status consistent = CheckExternalUserType(s, object, path);
  if (!consistent.ok()) return consistent;
  // A missing member leaves that membership unknown, not empty.
  auto warn_unknown = [&](absl::string_view member, absl::string_view kind) {
    out.warnings.push_back(ImportWarning{
        path.Field("userId").ToString(),
        absl::StrCat("the directory entry of user \"", s.user_id,
                     "\" has no \"", member, "\" member, so ", kind,
                     " membership is unknown; write \"", member,
                     "\": [] for a user in no ", kind)});
  };
  // Taking a missing userType as member would let a guest skip every
  // policy aimed at guests, so the user's kind stays unknown.
  if (s.user_type == SignIn::UserType::kUnknown && !s.external_user_type.has_value()) {
    out.warnings.push_back(ImportWarning{
        path.Field("userId").ToString(),
        absl::StrCat("the directory entry of user \"", s.user_id,
                     "\" has no \"userType\" member, so whether the user is a guest "
                     "is unknown; write \"userType\": \"member\" or \"guest\"")});
  }
  s.groups_known = it->second.groups_known;
  if (!s.groups_known) warn_unknown("groups", "group");
  s.roles_known = it->second.roles_known;
  if (!s.roles_known) warn_unknown("roles", "role");
  s.group_ids = it->second.groups;
  s.role_ids = it->second.roles;
  return absl::OkStatus();
}

absl::Status ReadContext(const Struct& object, const json::Path& path,
                         SignIn& s) {
  absl::Status members = RejectUnknownMembers(
      object, path, {"includeApplications", "userAction", "authenticationContextValue"});
  if (!members.ok()) return members;
  absl::StatusOr<size_t> kind =
      ObjectKind(object, path,
                 {{"applicationContext", {"includeApplications"}},
                  {"userActionContext", {"userAction"}},
                  {"authContext", {"authenticationContextValue"}}});
  if (!kind.ok()) return kind.status();
  if (*kind == 1) {
    absl::StatusOr<std::optional<std::string>> action =
        OptionalString(object, "userAction", path);
    if (!action.ok()) return action.status();
    s.target = SignIn::Target::kUserAction;
    if (action->has_value() &&
        absl::EqualsIgnoreCase(**action, "registerSecurityInformation")) {
      s.user_action = SignIn::UserAction::kRegisterSecurityInformation;
    } else if (action->has_value() &&
               absl::EqualsIgnoreCase(**action, "registerOrJoinDevices")) {
      s.user_action = SignIn::UserAction::kRegisterOrJoinDevices;
    } else {
      Value shown;
      if (action->has_value()) shown.set_string_value(**action);
      return json::InvalidField(path.Field("userAction"), shown,
                                "registerSecurityInformation or "
                                "registerOrJoinDevices");
    }
    return absl::OkStatus();
  }
  if (*kind == 2) {
    absl::StatusOr<std::optional<std::string>> value =
        OptionalString(object, "authenticationContextValue", path);
    if (!value.ok()) return value.status();
    if (!value->has_value()) {
      return json::MissingField(path.Field("authenticationContextValue"),
                                "an authentication context such as \"c1\"");
    }
    s.target = SignIn::Target::kAuthenticationContext;
    s.authentication_context = absl::AsciiStrToLower(**value);
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<std::string>> apps = StringArray(
      Member(object, "includeApplications"), path.Field("includeApplications"));
  if (!apps.ok()) return apps.status();
  s.target = SignIn::Target::kApplications;
  s.application_ids = *std::move(apps);
  return absl::OkStatus();
}

absl::Status ReadDevice(const Struct& object, const json::Path& path,
                        DeviceInfo& device) {
  for (const auto& [key, value] : object.fields()) {
    if (absl::StrContains(key, "@odata")) continue;
    json::Path field = path.Field(key);
    // Graph's deviceInfo names the filter property deviceOwnership
    // `ownership`. The filter name is rejected, because a request carrying
    // both names would give the property two values.
    if (absl::EqualsIgnoreCase(key, "deviceOwnership")) {
      return absl::InvalidArgumentError(absl::StrCat(
          field.ToString(), ": unknown member; Graph's deviceInfo names this property ownership"));
    }
    std::optional<DeviceProperty> property =
        absl::EqualsIgnoreCase(key, "ownership")
            ? std::optional<DeviceProperty>(DeviceProperty::kDeviceOwnership)
            : DevicePropertyFromName(key);
    if (!property.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          field.ToString(),
          ": unknown member; expected a device property such as isCompliant, trustType, "
          "operatingSystem, ownership or extensionAttribute1"));
    }
    if (json::IsNullOrAbsent(&value)) {
      device.SetNull(*property);
      continue;
    }
    if (IsCollection(*property)) {
      absl::StatusOr<std::vector<std::string>> items =
          StringArray(&value, field);
      if (!items.ok()) return items.status();
      device.SetEmptyCollection(*property);
      for (std::string& item : *items) device.Add(*property, std::move(item));
      continue;
    }
    if (*property == DeviceProperty::kIsCompliant) {
      // Graph's isCompliant is a Boolean; the text "true" or "false" is
      // accepted too. Anything else is an error rather than "not compliant".
      bool compliant = false;
      if (value.has_bool_value()) {
        compliant = value.bool_value();
      } else if (value.has_string_value() &&
                 (absl::EqualsIgnoreCase(value.string_value(), "true") ||
                  absl::EqualsIgnoreCase(value.string_value(), "false"))) {
        compliant = absl::EqualsIgnoreCase(value.string_value(), "true");
      } else {
        return json::InvalidField(field, value, "true or false");
      }
      device.Set(*property, compliant ? "True" : "False");
      continue;
    }
    absl::StatusOr<std::string> text = json::GetString(value, field);
    if (!text.ok()) return text.status();
    device.Set(*property, *std::move(text));
  }
  return absl::OkStatus();
}

// A compliant device satisfies compliantDevice and a hybrid joined one
// (trustType ServerAD) domainJoinedDevice: the device is the proof.
void SatisfyDeviceControls(const DeviceInfo& device,
                           SatisfiedControls& satisfied) {
  const std::string* compliant = device.Get(DeviceProperty::kIsCompliant);
  if (compliant != nullptr && absl::EqualsIgnoreCase(*compliant, "true")) {
    satisfied.built_in |= ControlBit(ca::BUILT_IN_CONTROL_COMPLIANT_DEVICE);
  }
  const std::string* trust = device.Get(DeviceProperty::kTrustType);
  if (trust != nullptr && absl::EqualsIgnoreCase(*trust, "ServerAD")) {
    satisfied.built_in |= ControlBit(ca::BUILT_IN_CONTROL_DOMAIN_JOINED_DEVICE);
  }
}

absl::Status ReadConditions(const Struct& object, const json::Path& path,
                            ParsedSignIn& out) {
  absl::Status members = RejectUnknownMembers(
      object, path,
      {"devicePlatform", "clientAppType", "signInRiskLevel", "userRiskLevel",
       "servicePrincipalRiskLevel", "insiderRiskLevel", "country", "ipAddress",
       "authenticationFlow", "deviceInfo"});
  if (!members.ok()) return members;
  SignIn& s = out.sign_in;
  // Graph's What-If request accepts only the platforms it names, so any
  // other value is an error, as for the other enumerations. A warning
  // would let a misspelt platform skip every policy that blocks it.
  absl::StatusOr<std::optional<ca::DevicePlatform>> platform =
      OptionalEnum(object, "devicePlatform", path, kPlatforms);
  if (!platform.ok()) return platform.status();
  s.device_platform = *platform;
  if (s.device_platform == ca::DEVICE_PLATFORM_ALL) s.device_platform.reset();

  absl::StatusOr<std::optional<ca::ClientAppType>> client =
      OptionalEnum(object, "clientAppType", path, kClientAppTypes);
  if (!client.ok()) return client.status();
  s.client_app_type = *client;
  if (s.client_app_type == ca::CLIENT_APP_TYPE_ALL) s.client_app_type.reset();

  struct RiskField {
    absl::string_view key;
    std::optional<ca::RiskLevel>* out;
  };
  for (RiskField field :
       {RiskField{"signInRiskLevel", &s.sign_in_risk},
        RiskField{"userRiskLevel", &s.user_risk},
        RiskField{"servicePrincipalRiskLevel", &s.service_principal_risk}}) {
    absl::StatusOr<std::optional<ca::RiskLevel>> level =
        OptionalEnum(object, field.key, path, kRiskLevels);
    if (!level.ok()) return level.status();
    *field.out = *level;
  }
  absl::StatusOr<std::optional<ca::InsiderRiskLevel>> insider =
      OptionalEnum(object, "insiderRiskLevel", path, kInsiderRiskLevels);
  if (!insider.ok()) return insider.status();
  s.insider_risk = *insider;

  absl::StatusOr<std::optional<std::string>> country =
      OptionalString(object, "country", path);
  if (!country.ok()) return country.status();
  if (country->has_value()) {
    std::string code = absl::AsciiStrToUpper(**country);
    if (code == "UNKNOWN") code.clear();
    if (!code.empty() && (code.size() != 2 || !absl::ascii_isalpha(code[0]) ||
                          !absl::ascii_isalpha(code[1]))) {
      return json::InvalidField(path.Field("country"),
                                *Member(object, "country"),
                                "a two-letter ISO 3166 code, \"\" or "
                                "\"unknown\"");
    }
    s.country = code;
  }

  absl::StatusOr<std::optional<std::string>> address =
      OptionalString(object, "ipAddress", path);
  if (!address.ok()) return address.status();
  if (address->has_value()) {
    absl::StatusOr<net::IpAddress> parsed = net::IpAddress::Parse(**address);
    if (!parsed.ok()) {
      return json::InvalidField(path.Field("ipAddress"),
                                *Member(object, "ipAddress"),
                                "an IPv4 or IPv6 address");
    }
    s.ip_address = *parsed;
  }

  const Value* flow = Member(object, "authenticationFlow");
  if (!json::IsNullOrAbsent(flow)) {
    absl::StatusOr<const Struct*> flow_object =
        json::GetObject(*flow, path.Field("authenticationFlow"));
    if (!flow_object.ok()) return flow_object.status();
    members = RejectUnknownMembers(**flow_object, path.Field("authenticationFlow"),
                                   {"transferMethod"});
    if (!members.ok()) return members;
    absl::StatusOr<std::optional<ca::TransferMethod>> method =
        OptionalEnum(**flow_object, "transferMethod",
                     path.Field("authenticationFlow"), kTransferMethods);
    if (!method.ok()) return method.status();
    s.authentication_flow = *method;
  }

  const Value* device = Member(object, "deviceInfo");
  if (!json::IsNullOrAbsent(device)) {
    absl::StatusOr<const Struct*> device_object =
        json::GetObject(*device, path.Field("deviceInfo"));
    if (!device_object.ok()) return device_object.status();
    s.device.emplace();
    // A registered device has the properties the request leaves out, only
    // their values are not given.
    s.device->set_unstated_unknown(true);
    absl::Status status =
        ReadDevice(**device_object, path.Field("deviceInfo"), *s.device);
    if (!status.ok()) return status;
    SatisfyDeviceControls(*s.device, s.satisfied);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Directory> ParseDirectory(absl::string_view bytes) {
  absl::StatusOr<Value> root = json::ParseJson(bytes);
  if (!root.ok()) return root.status();
  json::Path path;
  absl::StatusOr<const Struct*> object = json::GetObject(*root, path);
  if (!object.ok()) return object.status();
  const Value* users = Member(**object, "users");
  if (json::IsNullOrAbsent(users)) {
    return json::MissingField(path.Field("users"), "an array of users");
  }
  absl::StatusOr<const ListValue*> list =
      json::GetArray(*users, path.Field("users"));
  if (!list.ok()) return list.status();

  Directory directory;
  for (int i = 0; i < (*list)->values_size(); ++i) {
    json::Path item_path = path.Field("users").Index(i);
    absl::StatusOr<const Struct*> item =
        json::GetObject((*list)->values(i), item_path);
    if (!item.ok()) return item.status();
    DirectoryUser user;
    absl::StatusOr<std::optional<std::string>> id =
        OptionalString(**item, "id", item_path);
    if (!id.ok()) return id.status();
    if (!id->has_value() || (*id)->empty()) {
      return json::MissingField(item_path.Field("id"), "a user object id");
    }
    user.id = **id;
    absl::StatusOr<std::optional<std::string>> type =
        OptionalString(**item, "userType", item_path);
    if (!type.ok()) return type.status();
    if (type->has_value()) {
      if (absl::EqualsIgnoreCase(**type, "guest")) {
        user.user_type = SignIn::UserType::kGuest;
      } else if (absl::EqualsIgnoreCase(**type, "member")) {
        user.user_type = SignIn::UserType::kMember;
      } else {
        return json::InvalidField(item_path.Field("userType"),
                                  *Member(**item, "userType"),
                                  "member or guest");
      }
    }
    user.groups_known = !json::IsNullOrAbsent(Member(**item, "groups"));
    user.roles_known = !json::IsNullOrAbsent(Member(**item, "roles"));
    absl::StatusOr<std::vector<std::string>> groups =
        StringArray(Member(**item, "groups"), item_path.Field("groups"));
    if (!groups.ok()) return groups.status();
    user.groups = *std::move(groups);
    absl::StatusOr<std::vector<std::string>> roles =
        StringArray(Member(**item, "roles"), item_path.Field("roles"));
    if (!roles.ok()) return roles.status();
    user.roles = *std::move(roles);
    std::string key = absl::AsciiStrToLower(user.id);
    if (!directory.users.emplace(key, std::move(user)).second) {
      return json::InvalidField(item_path.Field("id"), *Member(**item, "id"),
                                "an id that no other user has");
    }
  }
  return directory;
}

absl::StatusOr<ParsedSignIn> ParseWhatIfRequest(absl::string_view bytes,
                                                const Directory* directory) {
  absl::StatusOr<Value> root = json::ParseJson(bytes);
  if (!root.ok()) return root.status();
  json::Path path;
  absl::StatusOr<const Struct*> object = json::GetObject(*root, path);
  if (!object.ok()) return object.status();

  absl::Status members = RejectUnknownMembers(
      **object, path,
      {"signInIdentity", "signInContext", "signInConditions", "appliedPoliciesOnly"});
  if (!members.ok()) return members;
  ParsedSignIn out;
  const Value* identity = Member(**object, "signInIdentity");
  if (json::IsNullOrAbsent(identity)) {
    return json::MissingField(path.Field("signInIdentity"),
                              "a userSignIn or servicePrincipalSignIn object");
  }
  absl::StatusOr<const Struct*> identity_object =
      json::GetObject(*identity, path.Field("signInIdentity"));
  if (!identity_object.ok()) return identity_object.status();
  absl::Status status = ReadIdentity(
      **identity_object, path.Field("signInIdentity"), directory, out);
  if (!status.ok()) return status;

  const Value* context = Member(**object, "signInContext");
  if (!json::IsNullOrAbsent(context)) {
    absl::StatusOr<const Struct*> context_object =
        json::GetObject(*context, path.Field("signInContext"));
    if (!context_object.ok()) return context_object.status();
    status =
        ReadContext(**context_object, path.Field("signInContext"), out.sign_in);
    if (!status.ok()) return status;
  }

  const Value* conditions = Member(**object, "signInConditions");
  if (!json::IsNullOrAbsent(conditions)) {
    absl::StatusOr<const Struct*> conditions_object =
        json::GetObject(*conditions, path.Field("signInConditions"));
    if (!conditions_object.ok()) return conditions_object.status();
    status = ReadConditions(**conditions_object, path.Field("signInConditions"),
                            out);
    if (!status.ok()) return status;
  }

  const Value* applied = Member(**object, "appliedPoliciesOnly");
  if (!json::IsNullOrAbsent(applied)) {
    absl::StatusOr<bool> flag =
        json::GetBool(*applied, path.Field("appliedPoliciesOnly"));
    if (!flag.ok()) return flag.status();
    out.applied_policies_only = *flag;
  }
  return out;
}

absl::Status CheckControlsAgainstDevice(const SignIn& sign_in) {
  if (!sign_in.device.has_value()) return absl::OkStatus();
  const DeviceInfo& device = *sign_in.device;
  const std::string* compliant = device.Get(DeviceProperty::kIsCompliant);
  if (compliant != nullptr && !absl::EqualsIgnoreCase(*compliant, "true") &&
      (sign_in.satisfied.built_in & ControlBit(ca::BUILT_IN_CONTROL_COMPLIANT_DEVICE)) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "compliantDevice is listed as satisfied, but signInConditions.deviceInfo.isCompliant "
        "is \"", *compliant, "\"; a device is compliant only by its own deviceInfo"));
  }
  const std::string* trust = device.Get(DeviceProperty::kTrustType);
  if (trust != nullptr && !absl::EqualsIgnoreCase(*trust, "ServerAD") &&
      (sign_in.satisfied.built_in & ControlBit(ca::BUILT_IN_CONTROL_DOMAIN_JOINED_DEVICE)) !=
          0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "domainJoinedDevice is listed as satisfied, but signInConditions.deviceInfo.trustType "
        "is \"", *trust, "\"; a hybrid joined device has trustType ServerAD"));
  }
  return absl::OkStatus();
}

absl::Status ParseSatisfiedControls(absl::string_view list,
                                    SatisfiedControls* out) {
  constexpr ca::BuiltInControl kControls[] = {
      ca::BUILT_IN_CONTROL_MFA,
      ca::BUILT_IN_CONTROL_COMPLIANT_DEVICE,
      ca::BUILT_IN_CONTROL_DOMAIN_JOINED_DEVICE,
      ca::BUILT_IN_CONTROL_APPROVED_APPLICATION,
      ca::BUILT_IN_CONTROL_COMPLIANT_APPLICATION,
      ca::BUILT_IN_CONTROL_PASSWORD_CHANGE,
  };
  for (absl::string_view item : absl::StrSplit(list, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (item.empty()) continue;
    bool known = false;
    for (ca::BuiltInControl control : kControls) {
      if (absl::EqualsIgnoreCase(item, BuiltInControlName(control))) {
        out->built_in |= ControlBit(control);
        known = true;
      }
    }
    if (known) continue;
    size_t colon = item.find(':');
    absl::string_view kind = item.substr(0, colon);
    absl::string_view value =
        colon == absl::string_view::npos ? "" : item.substr(colon + 1);
    if (!value.empty() && absl::EqualsIgnoreCase(kind, "termsOfUse")) {
      out->terms_of_use.emplace_back(value);
    } else if (!value.empty() &&
               absl::EqualsIgnoreCase(kind, "authenticationStrength")) {
      out->authentication_strengths.emplace_back(value);
    } else if (!value.empty() &&
               absl::EqualsIgnoreCase(kind, "customAuthenticationFactor")) {
      out->custom_authentication_factors.emplace_back(value);
    } else if (!value.empty() && absl::EqualsIgnoreCase(kind, "method")) {
      std::optional<AuthenticationMethod> method =
          AuthenticationMethodFromName(value);
      if (!method.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "unknown authentication method \"", value,
            "\"; expected an authenticationMethodModes name such as fido2, "
            "password or sms"));
      }
      out->methods |= MethodBit(*method);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown control \"", item,
          "\"; expected mfa, compliantDevice, domainJoinedDevice, "
          "approvedApplication, compliantApplication, passwordChange, "
          "termsOfUse:<id>, authenticationStrength:<id>, "
          "customAuthenticationFactor:<id> or method:<name>"));
    }
  }
  return absl::OkStatus();
}

}  // namespace portcullis::access
