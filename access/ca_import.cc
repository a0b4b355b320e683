#include "access/ca_import.h"

#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "access/device_filter.h"
#include "access/internal/ca_json_reader.h"
#include "json/json.h"
#include "net/ip_prefix.h"
#include "schedule/work_hours.h"

namespace portcullis::access {
namespace {

using internal::EnumName;
using internal::Items;
using internal::kClientAppTypes;
using internal::kExternalUserTypes;
using internal::kInsiderRiskLevels;
using internal::kPlatforms;
using internal::kRiskLevels;
using internal::kTransferMethods;
using internal::ListValue;
using internal::Member;
using internal::Reader;
using internal::RejectUnknownMembers;
using internal::Struct;
using internal::Value;

constexpr EnumName<ca::FilterMode> kFilterModes[] = {
    {"include", ca::FILTER_MODE_INCLUDE},
    {"exclude", ca::FILTER_MODE_EXCLUDE},
};

constexpr EnumName<ca::PolicyState> kStates[] = {
    {"enabled", ca::POLICY_STATE_ENABLED},
    {"disabled", ca::POLICY_STATE_DISABLED},
    {"enabledForReportingButNotEnforced", ca::POLICY_STATE_REPORT_ONLY},
};

constexpr EnumName<ca::BuiltInControl> kBuiltInControls[] = {
    {"block", ca::BUILT_IN_CONTROL_BLOCK},
    {"mfa", ca::BUILT_IN_CONTROL_MFA},
    {"compliantDevice", ca::BUILT_IN_CONTROL_COMPLIANT_DEVICE},
    {"domainJoinedDevice", ca::BUILT_IN_CONTROL_DOMAIN_JOINED_DEVICE},
    {"approvedApplication", ca::BUILT_IN_CONTROL_APPROVED_APPLICATION},
    {"compliantApplication", ca::BUILT_IN_CONTROL_COMPLIANT_APPLICATION},
    {"passwordChange", ca::BUILT_IN_CONTROL_PASSWORD_CHANGE},
};

constexpr EnumName<ca::GrantOperator> kOperators[] = {
    {"AND", ca::GRANT_OPERATOR_AND},
    {"OR", ca::GRANT_OPERATOR_OR},
};

// Replaces a special token by its canonical spelling; leaves ids alone.
std::string CanonicalToken(absl::string_view text,
                           std::initializer_list<absl::string_view> tokens) {
  for (absl::string_view token : tokens) {
    if (absl::EqualsIgnoreCase(text, token)) return std::string(token);
  }
  return std::string(text);
}

// Reads a list of object ids that may also hold `tokens`, warns about
// entries that are neither (template placeholders such as "<Group>"), and
// appends them to `out`.
template <typename RepeatedField>
absl::Status ReadIds(Reader& reader, const Struct& object,
                     absl::string_view key, const json::Path& parent,
                     std::initializer_list<absl::string_view> tokens,
                     bool graph_always_writes, RepeatedField* out) {
  json::Path path = parent.Field(key);
  absl::StatusOr<std::vector<std::string>> ids =
      reader.StringList(Member(object, key), path, graph_always_writes);
  if (!ids.ok()) return ids.status();
  for (size_t i = 0; i < ids->size(); ++i) {
    // Spaces around an entry are a typing slip. Kept, they would make
    // "All " match no user, so a block policy would block no one.
    const absl::string_view raw = (*ids)[i];
    const absl::string_view trimmed = absl::StripAsciiWhitespace(raw);
    if (trimmed.size() != raw.size()) {
      reader.Warn(path.Index(static_cast<int>(i)),
                  absl::StrCat("\"", raw, "\" has spaces around it and is read as \"", trimmed,
                               "\""));
    }
    std::string id = CanonicalToken(trimmed, tokens);
    bool is_token = false;
    for (absl::string_view token : tokens) is_token = is_token || id == token;
    if (!is_token && !IsGuid(id)) {
      reader.Warn(path.Index(static_cast<int>(i)),
                  absl::StrCat("\"", id,
                               "\" is not an object id; only a "
                               "sign-in naming the same text "
                               "matches it"));
    }
    out->Add(std::move(id));
  }
  return absl::OkStatus();
}

// Checks a guests object whose guestOrExternalUserTypes selects no type
// (missing, null, "", "none" or only unknownFutureValue). Such an object
// matches no user, unlike the legacy token GuestsOrExternalUsers, which
// selects every type. Graph accepts externalTenants only when
// guestOrExternalUserTypes is neither null nor empty, so an object with
// tenants and no type cannot come from the service and is an error. Read as
// "every guest", such an exclusion would take every guest out of a block.
absl::Status CheckNoGuestType(Reader& reader, const Struct& object,
                              const json::Path& path,
                              const std::vector<std::string>& names) {
  json::Path types_path = path.Field("guestOrExternalUserTypes");
  bool future_type = false;
  for (const std::string& name : names) {
    future_type = future_type || absl::EqualsIgnoreCase(name, "unknownFutureValue");
  }
  if (!future_type && !json::IsNullOrAbsent(Member(object, "externalTenants"))) {
    constexpr absl::string_view kExpected =
        "at least one of internalGuest, b2bCollaborationGuest, b2bCollaborationMember, "
        "b2bDirectConnectUser, otherExternalUser, serviceProvider, because Graph accepts "
        "externalTenants only next to a type";
    const Value* types = Member(object, "guestOrExternalUserTypes");
    if (json::IsNullOrAbsent(types)) return json::MissingField(types_path, kExpected);
    return json::InvalidField(types_path, *types, kExpected);
  }
  reader.Warn(types_path, "selects no guest or external user type, so this condition matches no user");
  return absl::OkStatus();
}

absl::Status ReadGuests(Reader& reader, const Value* value,
                        const json::Path& path, ca::GuestsOrExternalUsers* out,
                        bool* present) {
  absl::StatusOr<const Struct*> object =
      reader.OptionalObject(value, path, /*graph_always_writes=*/false);
  if (!object.ok()) return object.status();
  *present = *object != nullptr;
  if (*object == nullptr) return absl::OkStatus();

  json::Path types_path = path.Field("guestOrExternalUserTypes");
  absl::StatusOr<std::vector<std::string>> names = reader.FlagList(
      Member(**object, "guestOrExternalUserTypes"), types_path, true);
  if (!names.ok()) return names.status();
  absl::StatusOr<std::vector<ca::ExternalUserType>> types =
      reader.Enums(*names, types_path, kExternalUserTypes,
                   /*none_is_empty=*/true);
  if (!types.ok()) return types.status();
  for (ca::ExternalUserType type : *types) {
    out->add_guest_or_external_user_types(type);
  }

  json::Path tenants_path = path.Field("externalTenants");
  if (types->empty()) {
    absl::Status status = CheckNoGuestType(reader, **object, path, *names);
    if (!status.ok()) return status;
  }
  absl::StatusOr<const Struct*> tenants = reader.OptionalObject(
      Member(**object, "externalTenants"), tenants_path, false);
  if (!tenants.ok()) return tenants.status();
  if (*tenants == nullptr) {
    out->set_all_external_tenants(true);
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> kind =
      reader.OptionalString(Member(**tenants, "membershipKind"),
                            tenants_path.Field("membershipKind"));
  if (!kind.ok()) return kind.status();
  if (kind->empty()) {
    const Value* type = (*tenants)->fields().count("@odata.type")
                            ? &(*tenants)->fields().at("@odata.type")
                            : nullptr;
    if (type != nullptr && type->has_string_value() &&
        absl::StrContains(absl::AsciiStrToLower(type->string_value()),
                          "enumerated")) {
      *kind = "enumerated";
    } else {
      *kind = "all";
    }
  }
  if (absl::EqualsIgnoreCase(*kind, "all")) {
    out->set_all_external_tenants(true);
    return absl::OkStatus();
  }
  if (!absl::EqualsIgnoreCase(*kind, "enumerated")) {
    return json::InvalidField(tenants_path.Field("membershipKind"),
                              *Member(**tenants, "membershipKind"),
                              "all or enumerated");
  }
  absl::StatusOr<std::vector<std::string>> members = reader.StringList(
      Member(**tenants, "members"), tenants_path.Field("members"), true);
  if (!members.ok()) return members.status();
  for (std::string& member : *members) {
    out->add_external_tenant_ids(std::move(member));
  }
  return absl::OkStatus();
}

absl::Status ReadUsers(Reader& reader, const Struct& object,
                       const json::Path& path, ca::UserCondition* users) {
  const std::initializer_list<absl::string_view> kIncludeTokens = {
      "All", "None", "GuestsOrExternalUsers"};
  const std::initializer_list<absl::string_view> kExcludeTokens = {
      "GuestsOrExternalUsers"};
  struct {
    absl::string_view key;
    std::initializer_list<absl::string_view> tokens;
    google::protobuf::RepeatedPtrField<std::string>* out;
  } lists[] = {
      {"includeUsers", kIncludeTokens, users->mutable_include_users()},
      {"excludeUsers", kExcludeTokens, users->mutable_exclude_users()},
      {"includeGroups", {}, users->mutable_include_groups()},
      {"excludeGroups", {}, users->mutable_exclude_groups()},
      {"includeRoles", {}, users->mutable_include_roles()},
      {"excludeRoles", {}, users->mutable_exclude_roles()},
  };
  for (auto& list : lists) {
    absl::Status status = ReadIds(reader, object, list.key, path, list.tokens,
                                  /*graph_always_writes=*/true, list.out);
    if (!status.ok()) return status;
  }

  bool present = false;
  absl::Status status =
      ReadGuests(reader, Member(object, "includeGuestsOrExternalUsers"),
                 path.Field("includeGuestsOrExternalUsers"),
                 users->mutable_include_guests_or_external_users(), &present);
  if (!status.ok()) return status;
  if (!present) users->clear_include_guests_or_external_users();
  status =
      ReadGuests(reader, Member(object, "excludeGuestsOrExternalUsers"),
                 path.Field("excludeGuestsOrExternalUsers"),
                 users->mutable_exclude_guests_or_external_users(), &present);
  if (!status.ok()) return status;
  if (!present) users->clear_exclude_guests_or_external_users();
  return absl::OkStatus();
}

// Reads a {mode, rule} filter. Device filters are parsed to validate them;
// filters on custom security attributes are kept as text.
absl::StatusOr<bool> ReadFilter(Reader& reader, const Value* value,
                                const json::Path& path, bool device_filter,
                                ca::Filter* out) {
  absl::StatusOr<const Struct*> object =
      reader.OptionalObject(value, path, false);
  if (!object.ok()) return object.status();
  if (*object == nullptr) return false;

  json::Path mode_path = path.Field("mode");
  const Value* mode_value = Member(**object, "mode");
  if (json::IsNullOrAbsent(mode_value)) {
    return json::MissingField(mode_path, "include or exclude");
  }
  absl::StatusOr<std::string> mode_name =
      json::GetString(*mode_value, mode_path);
  if (!mode_name.ok()) return mode_name.status();
  absl::StatusOr<ca::FilterMode> mode =
      reader.OneEnum(*mode_name, mode_path, kFilterModes);
  if (!mode.ok()) return mode.status();

  json::Path rule_path = path.Field("rule");
  const Value* rule_value = Member(**object, "rule");
  if (json::IsNullOrAbsent(rule_value)) {
    return json::MissingField(rule_path, "a filter rule");
  }
  absl::StatusOr<std::string> rule = json::GetString(*rule_value, rule_path);
  if (!rule.ok()) return rule.status();

  if (device_filter) {
    absl::StatusOr<DeviceFilter> parsed = DeviceFilter::Parse(*rule);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(rule_path.ToString(),
                       ": invalid filter rule: ", parsed.status().message()));
    }
    if (parsed->uses_extension()) {
      reader.Warn(rule_path,
                  "uses -match or -notMatch, a Portcullis "
                  "extension that Microsoft's service does not "
                  "list for device filters");
    }
  }
  out->set_mode(*mode);
  out->set_rule(*std::move(rule));
  return true;
}

absl::Status ReadApplications(Reader& reader, const Struct& object,
                              const json::Path& path,
                              ca::ApplicationCondition* apps) {
  absl::Status status =
      ReadIds(reader, object, "includeApplications", path,
              {"All", "None", "Office365", "MicrosoftAdminPortals"}, true,
              apps->mutable_include_applications());
  if (!status.ok()) return status;
  status = ReadIds(reader, object, "excludeApplications", path,
                   {"Office365", "MicrosoftAdminPortals"}, true,
                   apps->mutable_exclude_applications());
  if (!status.ok()) return status;

  json::Path actions_path = path.Field("includeUserActions");
  absl::StatusOr<std::vector<std::string>> actions = reader.StringList(
      Member(object, "includeUserActions"), actions_path, false);
  if (!actions.ok()) return actions.status();
  for (size_t i = 0; i < actions->size(); ++i) {
    std::string action = absl::AsciiStrToLower((*actions)[i]);
    if (action != "urn:user:registersecurityinfo" &&
        action != "urn:user:registerdevice") {
      reader.Warn(actions_path.Index(static_cast<int>(i)),
                  absl::StrCat("unknown user action \"", action,
                               "\"; no sign-in matches it"));
    }
    apps->add_include_user_actions(std::move(action));
  }

  json::Path contexts_path =
      path.Field("includeAuthenticationContextClassReferences");
  absl::StatusOr<std::vector<std::string>> contexts = reader.StringList(
      Member(object, "includeAuthenticationContextClassReferences"),
      contexts_path, false);
  if (!contexts.ok()) return contexts.status();
  for (size_t i = 0; i < contexts->size(); ++i) {
    std::string context = absl::AsciiStrToLower((*contexts)[i]);
    int number = 0;
    if (context.size() < 2 || context[0] != 'c' ||
        !absl::SimpleAtoi(absl::string_view(context).substr(1), &number) ||
        number < 1 || number > 99 || context[1] == '0' || context[1] == '+') {
      Value shown;
      shown.set_string_value((*contexts)[i]);
      return json::InvalidField(contexts_path.Index(static_cast<int>(i)), shown,
                                "an authentication context c1 to c99");
    }
    apps->add_include_authentication_context_class_references(
        std::move(context));
  }

  absl::StatusOr<bool> has_filter =
      ReadFilter(reader, Member(object, "applicationFilter"),
                 path.Field("applicationFilter"), false,
                 apps->mutable_application_filter());
  if (!has_filter.ok()) return has_filter.status();
  if (*has_filter) {
    reader.Warn(path.Field("applicationFilter"),
                "filters on custom security attributes cannot be evaluated "
                "from a sign-in; the application condition of this policy is "
                "unknown");
  } else {
    apps->clear_application_filter();
  }
  return absl::OkStatus();
}

absl::Status ReadClientApplications(Reader& reader, const Struct& object,
                                    const json::Path& path,
                                    ca::ClientApplicationCondition* out) {
  absl::Status status = ReadIds(reader, object, "includeServicePrincipals",
                                path, {"ServicePrincipalsInMyTenant"}, false,
                                out->mutable_include_service_principals());
  if (!status.ok()) return status;
  status = ReadIds(reader, object, "excludeServicePrincipals", path, {}, false,
                   out->mutable_exclude_service_principals());
  if (!status.ok()) return status;
  absl::StatusOr<bool> has_filter =
      ReadFilter(reader, Member(object, "servicePrincipalFilter"),
                 path.Field("servicePrincipalFilter"), false,
                 out->mutable_service_principal_filter());
  if (!has_filter.ok()) return has_filter.status();
  if (*has_filter) {
    reader.Warn(path.Field("servicePrincipalFilter"),
                "filters on custom security attributes cannot be evaluated "
                "from a sign-in; the workload identity condition of this "
                "policy is unknown");
  } else {
    out->clear_service_principal_filter();
  }
  return absl::OkStatus();
}

absl::Status ReadSchedule(Reader& reader, const Struct& object,
                          const json::Path& path,
                          ca::ScheduleCondition* schedule) {
  // The extension is Portcullis's own, so no export carries other members.
  // A misspelt "mode" would otherwise fall back to include and invert the
  // schedule.
  absl::Status members = RejectUnknownMembers(object, path, {"mode", "workHours"});
  if (!members.ok()) return members;

  json::Path mode_path = path.Field("mode");
  absl::StatusOr<std::string> mode_name =
      reader.OptionalString(Member(object, "mode"), mode_path);
  if (!mode_name.ok()) return mode_name.status();
  schedule->set_mode(ca::FILTER_MODE_INCLUDE);
  if (!mode_name->empty()) {
    absl::StatusOr<ca::FilterMode> mode =
        reader.OneEnum(*mode_name, mode_path, kFilterModes);
    if (!mode.ok()) return mode.status();
    schedule->set_mode(*mode);
  }

  json::Path hours_path = path.Field("workHours");
  const Value* hours = Member(object, "workHours");
  if (json::IsNullOrAbsent(hours)) {
    return json::MissingField(hours_path,
                              "a work-hour schedule with "
                              "\"timeZone\" and \"weekly\"");
  }
  absl::StatusOr<schedule::WorkHours> parsed =
      schedule::WorkHours::FromJsonValue(*hours, hours_path);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(parsed.status().message());
  }
  *schedule->mutable_work_hours() = *hours;
  return absl::OkStatus();
}

// Warns when a condition the library does not evaluate carries a value.
void WarnIfSet(Reader& reader, const Struct& object, absl::string_view key,
               const json::Path& path, absl::string_view what) {
  const Value* value = Member(object, key);
  if (json::IsNullOrAbsent(value)) return;
  bool empty =
      (value->has_list_value() && value->list_value().values().empty()) ||
      (value->has_string_value() && value->string_value().empty());
  if (value->has_struct_value()) {
    empty = true;
    for (const auto& [name, member] : value->struct_value().fields()) {
      if (absl::StrContains(name, "@odata")) continue;
      if (json::IsNullOrAbsent(&member)) continue;
      if (member.has_list_value() && member.list_value().values().empty()) {
        continue;
      }
      empty = false;
    }
  }
  if (!empty) {
    reader.Warn(path.Field(key),
                absl::StrCat(what,
                             " is not evaluated; the policy is "
                             "evaluated without it"));
  }
}

absl::Status ReadRiskLevels(Reader& reader, const Struct& object,
                            absl::string_view key, const json::Path& path,
                            bool graph_always_writes,
                            google::protobuf::RepeatedField<int>* out) {
  json::Path risk_path = path.Field(key);
  absl::StatusOr<std::vector<std::string>> names =
      reader.FlagList(Member(object, key), risk_path, graph_always_writes);
  if (!names.ok()) return names.status();
  absl::StatusOr<std::vector<ca::RiskLevel>> levels =
      reader.Enums(*names, risk_path, kRiskLevels);
  if (!levels.ok()) return levels.status();
  for (ca::RiskLevel level : *levels) out->Add(level);
  return absl::OkStatus();
}

absl::Status ReadConditions(Reader& reader, const Struct& object,
                            const json::Path& path,
                            ca::Conditions* conditions) {
  // Users or workload identities.
  absl::StatusOr<const Struct*> client_apps =
      reader.OptionalObject(Member(object, "clientApplications"),
                            path.Field("clientApplications"), false);
  if (!client_apps.ok()) return client_apps.status();
  if (*client_apps != nullptr) {
    absl::Status status = ReadClientApplications(
        reader, **client_apps, path.Field("clientApplications"),
        conditions->mutable_client_applications());
    if (!status.ok()) return status;
  }
  absl::StatusOr<const Struct*> users =
      reader.OptionalObject(Member(object, "users"), path.Field("users"),
                            /*graph_always_writes=*/*client_apps == nullptr);
  if (!users.ok()) return users.status();
  if (*users != nullptr) {
    absl::Status status = ReadUsers(reader, **users, path.Field("users"),
                                    conditions->mutable_users());
    if (!status.ok()) return status;
  }

  // Target resources.
  absl::StatusOr<const Struct*> apps = reader.OptionalObject(
      Member(object, "applications"), path.Field("applications"), true);
  if (!apps.ok()) return apps.status();
  if (*apps != nullptr) {
    absl::Status status =
        ReadApplications(reader, **apps, path.Field("applications"),
                         conditions->mutable_applications());
    if (!status.ok()) return status;
  }

  // Client app types: `all` and an empty list both mean every client.
  json::Path client_path = path.Field("clientAppTypes");
  absl::StatusOr<std::vector<std::string>> client_names =
      reader.FlagList(Member(object, "clientAppTypes"), client_path, true);
  if (!client_names.ok()) return client_names.status();
  for (const std::string& name : *client_names) {
    if (absl::EqualsIgnoreCase(name, "easSupported") ||
        absl::EqualsIgnoreCase(name, "easUnsupported")) {
      reader.Warn(client_path, absl::StrCat("deprecated value ", name,
                                            " read as exchangeActiveSync"));
    }
  }
  std::vector<std::string> mapped_names;
  for (const std::string& name : *client_names) {
    mapped_names.push_back(absl::EqualsIgnoreCase(name, "easUnsupported")
                               ? "exchangeActiveSync"
                               : name);
  }
  absl::StatusOr<std::vector<ca::ClientAppType>> client_types =
      reader.Enums(mapped_names, client_path, kClientAppTypes);
  if (!client_types.ok()) return client_types.status();
  for (ca::ClientAppType type : *client_types) {
    conditions->add_client_app_types(type);
  }

  // Device platforms.
  json::Path platforms_path = path.Field("platforms");
  absl::StatusOr<const Struct*> platforms =
      reader.OptionalObject(Member(object, "platforms"), platforms_path, false);
  if (!platforms.ok()) return platforms.status();
  if (*platforms != nullptr) {
    for (bool include : {true, false}) {
      absl::string_view key = include ? "includePlatforms" : "excludePlatforms";
      absl::StatusOr<std::vector<std::string>> names = reader.FlagList(
          Member(**platforms, key), platforms_path.Field(key), include);
      if (!names.ok()) return names.status();
      absl::StatusOr<std::vector<ca::DevicePlatform>> values =
          reader.Enums(*names, platforms_path.Field(key), kPlatforms);
      if (!values.ok()) return values.status();
      for (ca::DevicePlatform platform : *values) {
        if (include) {
          conditions->mutable_platforms()->add_include_platforms(platform);
        } else {
          conditions->mutable_platforms()->add_exclude_platforms(platform);
        }
      }
    }
    if (conditions->platforms().include_platforms().empty()) {
      reader.Warn(platforms_path.Field("includePlatforms"),
                  "no platform included; taken as not configured");
      conditions->clear_platforms();
    }
  }

  // Locations.
  json::Path locations_path = path.Field("locations");
  absl::StatusOr<const Struct*> locations =
      reader.OptionalObject(Member(object, "locations"), locations_path, false);
  if (!locations.ok()) return locations.status();
  if (*locations != nullptr) {
    ca::LocationCondition* out = conditions->mutable_locations();
    absl::Status status =
        ReadIds(reader, **locations, "includeLocations", locations_path,
                {"All", "AllTrusted"}, true, out->mutable_include_locations());
    if (!status.ok()) return status;
    status =
        ReadIds(reader, **locations, "excludeLocations", locations_path,
                {"All", "AllTrusted"}, true, out->mutable_exclude_locations());
    if (!status.ok()) return status;
    if (out->include_locations().empty()) {
      reader.Warn(locations_path.Field("includeLocations"),
                  "no location included; taken as not configured");
      conditions->clear_locations();
    }
  }

  // Risk levels.
  absl::Status status =
      ReadRiskLevels(reader, object, "signInRiskLevels", path, true,
                     conditions->mutable_sign_in_risk_levels());
  if (!status.ok()) return status;
  status = ReadRiskLevels(reader, object, "userRiskLevels", path, true,
                          conditions->mutable_user_risk_levels());
  if (!status.ok()) return status;
  status =
      ReadRiskLevels(reader, object, "servicePrincipalRiskLevels", path, false,
                     conditions->mutable_service_principal_risk_levels());
  if (!status.ok()) return status;
  json::Path insider_path = path.Field("insiderRiskLevels");
  absl::StatusOr<std::vector<std::string>> insider_names =
      reader.FlagList(Member(object, "insiderRiskLevels"), insider_path, false);
  if (!insider_names.ok()) return insider_names.status();
  absl::StatusOr<std::vector<ca::InsiderRiskLevel>> insider =
      reader.Enums(*insider_names, insider_path, kInsiderRiskLevels);
  if (!insider.ok()) return insider.status();
  for (ca::InsiderRiskLevel level : *insider) {
    conditions->add_insider_risk_levels(level);
  }

  // Devices.
  json::Path devices_path = path.Field("devices");
  absl::StatusOr<const Struct*> devices =
      reader.OptionalObject(Member(object, "devices"), devices_path, false);
  if (!devices.ok()) return devices.status();
  if (*devices != nullptr) {
    absl::StatusOr<bool> has_filter =
        ReadFilter(reader, Member(**devices, "deviceFilter"),
                   devices_path.Field("deviceFilter"), true,
                   conditions->mutable_devices()->mutable_device_filter());
    if (!has_filter.ok()) return has_filter.status();
    if (!*has_filter) conditions->clear_devices();
    for (absl::string_view legacy :
         {"includeDeviceStates", "excludeDeviceStates", "includeDevices",
          "excludeDevices"}) {
      WarnIfSet(reader, **devices, legacy, devices_path,
                "the deprecated device state condition");
    }
  }
  WarnIfSet(reader, object, "deviceStates", path,
            "the deprecated device state condition");
  WarnIfSet(reader, object, "times", path, "the deprecated times condition");
  WarnIfSet(reader, object, "agentIdRiskLevels", path,
            "the agent identity risk condition");
  WarnIfSet(reader, object, "agents", path, "the agent identity condition");

  // Authentication flows.
  json::Path flows_path = path.Field("authenticationFlows");
  absl::StatusOr<const Struct*> flows = reader.OptionalObject(
      Member(object, "authenticationFlows"), flows_path, false);
  if (!flows.ok()) return flows.status();
  if (*flows != nullptr) {
    json::Path methods_path = flows_path.Field("transferMethods");
    absl::StatusOr<std::vector<std::string>> names =
        reader.FlagList(Member(**flows, "transferMethods"), methods_path, true);
    if (!names.ok()) return names.status();
    absl::StatusOr<std::vector<ca::TransferMethod>> methods = reader.Enums(
        *names, methods_path, kTransferMethods, /*none_is_empty=*/true);
    if (!methods.ok()) return methods.status();
    for (ca::TransferMethod method : *methods) {
      conditions->mutable_authentication_flows()->add_transfer_methods(method);
    }
    if (methods->empty()) conditions->clear_authentication_flows();
  }

  // The schedule extension.
  json::Path schedule_path = path.Field("x-portcullis-schedule");
  absl::StatusOr<const Struct*> schedule = reader.OptionalObject(
      Member(object, "x-portcullis-schedule"), schedule_path, false);
  if (!schedule.ok()) return schedule.status();
  if (*schedule != nullptr) {
    status = ReadSchedule(reader, **schedule, schedule_path,
                          conditions->mutable_schedule());
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status ReadGrantControls(Reader& reader, const Struct& object,
                               const json::Path& path,
                               ca::GrantControls* grant) {
  // Graph's grant controls have these members only. Any other member is a
  // misspelt or unknown control, and dropping it would let a sign-in pass
  // without that control, so it is an error rather than skipped.
  absl::Status members = RejectUnknownMembers(
      object, path,
      {"operator", "builtInControls", "customAuthenticationFactors",
       "termsOfUse", "authenticationStrength"});
  if (!members.ok()) return members;

  json::Path controls_path = path.Field("builtInControls");
  absl::StatusOr<std::vector<std::string>> names =
      reader.FlagList(Member(object, "builtInControls"), controls_path, true);
  if (!names.ok()) return names.status();
  absl::StatusOr<std::vector<ca::BuiltInControl>> controls =
      reader.Enums(*names, controls_path, kBuiltInControls);
  if (!controls.ok()) return controls.status();
  for (ca::BuiltInControl control : *controls) {
    grant->add_built_in_controls(control);
  }

  absl::Status status = ReadIds(reader, object, "termsOfUse", path, {}, false,
                                grant->mutable_terms_of_use());
  if (!status.ok()) return status;
  status = ReadIds(reader, object, "customAuthenticationFactors", path, {},
                   false, grant->mutable_custom_authentication_factors());
  if (!status.ok()) return status;

  json::Path strength_path = path.Field("authenticationStrength");
  absl::StatusOr<const Struct*> strength = reader.OptionalObject(
      Member(object, "authenticationStrength"), strength_path, false);
  if (!strength.ok()) return strength.status();
  if (*strength != nullptr) {
    ca::AuthenticationStrength* out = grant->mutable_authentication_strength();
    const Value* id = Member(**strength, "id");
    if (json::IsNullOrAbsent(id)) {
      return json::MissingField(strength_path.Field("id"),
                                "an authentication strength id");
    }
    absl::StatusOr<std::string> id_text =
        json::GetString(*id, strength_path.Field("id"));
    if (!id_text.ok()) return id_text.status();
    out->set_id(absl::AsciiStrToLower(*id_text));
    absl::StatusOr<std::string> name = reader.OptionalString(
        Member(**strength, "displayName"), strength_path.Field("displayName"));
    if (!name.ok()) return name.status();
    out->set_display_name(*name);
    absl::StatusOr<std::vector<std::string>> combinations =
        reader.StringList(Member(**strength, "allowedCombinations"),
                          strength_path.Field("allowedCombinations"), false);
    if (!combinations.ok()) return combinations.status();
    for (std::string& combination : *combinations) {
      out->add_allowed_combinations(std::move(combination));
    }
  }

  json::Path operator_path = path.Field("operator");
  const Value* op = Member(object, "operator");
  int control_count = grant->built_in_controls_size() +
                      grant->terms_of_use_size() +
                      grant->custom_authentication_factors_size() +
                      (grant->has_authentication_strength() ? 1 : 0);
  if (json::IsNullOrAbsent(op)) {
    if (control_count > 1) {
      reader.Warn(operator_path,
                  "missing; taken as AND, the portal's "
                  "default for several controls");
    }
    grant->set_operator_(ca::GRANT_OPERATOR_AND);
  } else {
    absl::StatusOr<std::string> op_name = json::GetString(*op, operator_path);
    if (!op_name.ok()) return op_name.status();
    absl::StatusOr<ca::GrantOperator> value =
        reader.OneEnum(*op_name, operator_path, kOperators);
    if (!value.ok()) return value.status();
    grant->set_operator_(*value);
  }

  for (ca::BuiltInControl control : *controls) {
    if (control == ca::BUILT_IN_CONTROL_BLOCK && control_count > 1) {
      reader.Warn(controls_path,
                  "block is combined with other controls; a "
                  "policy that applies blocks whatever else "
                  "is satisfied");
    }
  }
  return absl::OkStatus();
}

// Reads the `isEnabled` member of a session control; absent means enabled.
absl::StatusOr<bool> SessionControlEnabled(Reader& reader,
                                           const Struct& control,
                                           const json::Path& path) {
  return reader.OptionalBool(Member(control, "isEnabled"),
                             path.Field("isEnabled"), true);
}

absl::Status ReadSignInFrequency(Reader& reader, const Struct& object,
                                 const json::Path& path,
                                 ca::SignInFrequency* out) {
  absl::StatusOr<std::string> interval = reader.OptionalString(
      Member(object, "frequencyInterval"), path.Field("frequencyInterval"));
  if (!interval.ok()) return interval.status();
  if (absl::EqualsIgnoreCase(*interval, "everyTime")) {
    out->set_interval(ca::SignInFrequency::INTERVAL_EVERY_TIME);
  } else if (interval->empty() ||
             absl::EqualsIgnoreCase(*interval, "timeBased")) {
    out->set_interval(ca::SignInFrequency::INTERVAL_TIME_BASED);
    const Value* value = Member(object, "value");
    if (json::IsNullOrAbsent(value)) {
      return json::MissingField(path.Field("value"),
                                "a number of hours or days");
    }
    absl::StatusOr<int64_t> amount =
        json::GetInteger(*value, path.Field("value"), 1, 8760);
    if (!amount.ok()) return amount.status();
    absl::StatusOr<std::string> unit =
        reader.OptionalString(Member(object, "type"), path.Field("type"));
    if (!unit.ok()) return unit.status();
    if (absl::EqualsIgnoreCase(*unit, "days")) {
      out->set_hours(static_cast<int32_t>(*amount * 24));
    } else if (absl::EqualsIgnoreCase(*unit, "hours")) {
      out->set_hours(static_cast<int32_t>(*amount));
    } else {
      const Value* shown = Member(object, "type");
      Value empty;
      return json::InvalidField(path.Field("type"),
                                shown != nullptr ? *shown : empty,
                                "hours or days");
    }
  } else {
    return json::InvalidField(path.Field("frequencyInterval"),
                              *Member(object, "frequencyInterval"),
                              "timeBased or everyTime");
  }
  absl::StatusOr<std::string> type = reader.OptionalString(
      Member(object, "authenticationType"), path.Field("authenticationType"));
  if (!type.ok()) return type.status();
  out->set_authentication_type(
      absl::EqualsIgnoreCase(*type, "secondaryAuthentication")
          ? ca::SignInFrequency::AUTHENTICATION_TYPE_SECONDARY
          : ca::SignInFrequency::AUTHENTICATION_TYPE_PRIMARY_AND_SECONDARY);
  return absl::OkStatus();
}

absl::Status ReadSessionControls(Reader& reader, const Struct& object,
                                 const json::Path& path,
                                 ca::SessionControls* session) {
  auto control = [&](absl::string_view key) -> absl::StatusOr<const Struct*> {
    absl::StatusOr<const Struct*> value =
        reader.OptionalObject(Member(object, key), path.Field(key), false);
    if (!value.ok() || *value == nullptr) return value;
    absl::StatusOr<bool> enabled =
        SessionControlEnabled(reader, **value, path.Field(key));
    if (!enabled.ok()) return enabled.status();
    return *enabled ? *value : nullptr;
  };

  absl::StatusOr<const Struct*> restrictions =
      control("applicationEnforcedRestrictions");
  if (!restrictions.ok()) return restrictions.status();
  session->set_application_enforced_restrictions(*restrictions != nullptr);

  absl::StatusOr<const Struct*> mcas = control("cloudAppSecurity");
  if (!mcas.ok()) return mcas.status();
  if (*mcas != nullptr) {
    json::Path type_path =
        path.Field("cloudAppSecurity").Field("cloudAppSecurityType");
    absl::StatusOr<std::string> type = reader.OptionalString(
        Member(**mcas, "cloudAppSecurityType"), type_path);
    if (!type.ok()) return type.status();
    constexpr EnumName<ca::CloudAppSecurity::Type> kTypes[] = {
        {"monitorOnly", ca::CloudAppSecurity::TYPE_MONITOR_ONLY},
        {"mcasConfigured", ca::CloudAppSecurity::TYPE_MCAS_CONFIGURED},
        {"blockDownloads", ca::CloudAppSecurity::TYPE_BLOCK_DOWNLOADS},
    };
    absl::StatusOr<ca::CloudAppSecurity::Type> value = reader.OneEnum(
        type->empty() ? "mcasConfigured" : *type, type_path, kTypes);
    if (!value.ok()) return value.status();
    session->mutable_cloud_app_security()->set_type(*value);
  }

  absl::StatusOr<const Struct*> frequency = control("signInFrequency");
  if (!frequency.ok()) return frequency.status();
  if (*frequency != nullptr) {
    absl::Status status =
        ReadSignInFrequency(reader, **frequency, path.Field("signInFrequency"),
                            session->mutable_sign_in_frequency());
    if (!status.ok()) return status;
  }

  absl::StatusOr<const Struct*> browser = control("persistentBrowser");
  if (!browser.ok()) return browser.status();
  if (*browser != nullptr) {
    json::Path mode_path = path.Field("persistentBrowser").Field("mode");
    absl::StatusOr<std::string> mode =
        reader.OptionalString(Member(**browser, "mode"), mode_path);
    if (!mode.ok()) return mode.status();
    constexpr EnumName<ca::PersistentBrowser::Mode> kModes[] = {
        {"always", ca::PersistentBrowser::MODE_ALWAYS},
        {"never", ca::PersistentBrowser::MODE_NEVER},
    };
    absl::StatusOr<ca::PersistentBrowser::Mode> value =
        reader.OneEnum(*mode, mode_path, kModes);
    if (!value.ok()) return value.status();
    session->mutable_persistent_browser()->set_mode(*value);
  }

  json::Path cae_path = path.Field("continuousAccessEvaluation");
  absl::StatusOr<const Struct*> cae = reader.OptionalObject(
      Member(object, "continuousAccessEvaluation"), cae_path, false);
  if (!cae.ok()) return cae.status();
  if (*cae != nullptr) {
    absl::StatusOr<std::string> mode =
        reader.OptionalString(Member(**cae, "mode"), cae_path.Field("mode"));
    if (!mode.ok()) return mode.status();
    constexpr EnumName<ca::ContinuousAccessEvaluation::Mode> kModes[] = {
        {"disabled", ca::ContinuousAccessEvaluation::MODE_DISABLED},
        {"strictEnforcement",
         ca::ContinuousAccessEvaluation::MODE_STRICT_ENFORCEMENT},
        {"strictLocation",
         ca::ContinuousAccessEvaluation::MODE_STRICT_LOCATION},
    };
    absl::StatusOr<ca::ContinuousAccessEvaluation::Mode> value =
        reader.OneEnum(*mode, cae_path.Field("mode"), kModes);
    if (!value.ok()) return value.status();
    session->mutable_continuous_access_evaluation()->set_mode(*value);
  }

  absl::StatusOr<bool> resilience =
      reader.OptionalBool(Member(object, "disableResilienceDefaults"),
                          path.Field("disableResilienceDefaults"), false);
  if (!resilience.ok()) return resilience.status();
  session->set_disable_resilience_defaults(*resilience);

  absl::StatusOr<const Struct*> token = control("secureSignInSession");
  if (!token.ok()) return token.status();
  session->set_secure_sign_in_session(*token != nullptr);

  for (absl::string_view key :
       {"networkAccessSecurity", "globalSecureAccessFilteringProfile",
        "blockSensitiveActions"}) {
    WarnIfSet(reader, object, key, path, "this session control");
  }
  return absl::OkStatus();
}

}  // namespace

std::string ImportWarning::ToString() const {
  return absl::StrCat(path, ": ", message);
}

std::string FileStem(absl::string_view name) {
  size_t slash = name.find_last_of('/');
  if (slash != absl::string_view::npos) name.remove_prefix(slash + 1);
  if (absl::EndsWithIgnoreCase(name, ".json")) {
    name.remove_suffix(5);
  }
  return std::string(name);
}

bool IsGuid(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (text[i] == '-')) return false;
    if (!dash && !absl::ascii_isxdigit(static_cast<unsigned char>(text[i]))) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<ImportedPolicy> ImportPolicyValue(
    const Value& value, const json::Path& path, absl::string_view fallback_id) {
  ImportedPolicy result;
  Reader reader(result.warnings);
  absl::StatusOr<const Struct*> object = json::GetObject(value, path);
  if (!object.ok()) return object.status();
  ca::Policy& policy = result.policy;

  absl::StatusOr<std::string> id =
      reader.IdOrFileName(**object, path, fallback_id);
  if (!id.ok()) return id.status();
  policy.set_id(*id);
  absl::StatusOr<std::string> name = reader.OptionalString(
      Member(**object, "displayName"), path.Field("displayName"));
  if (!name.ok()) return name.status();
  policy.set_display_name(*name);

  json::Path state_path = path.Field("state");
  const Value* state = Member(**object, "state");
  if (json::IsNullOrAbsent(state)) {
    return json::MissingField(state_path,
                              "enabled, disabled or "
                              "enabledForReportingButNotEnforced");
  }
  absl::StatusOr<std::string> state_name = json::GetString(*state, state_path);
  if (!state_name.ok()) return state_name.status();
  absl::StatusOr<ca::PolicyState> state_value =
      reader.OneEnum(*state_name, state_path, kStates);
  if (!state_value.ok()) return state_value.status();
  policy.set_state(*state_value);

  json::Path conditions_path = path.Field("conditions");
  absl::StatusOr<const Struct*> conditions = reader.OptionalObject(
      Member(**object, "conditions"), conditions_path, true);
  if (!conditions.ok()) return conditions.status();
  if (*conditions != nullptr) {
    absl::Status status = ReadConditions(reader, **conditions, conditions_path,
                                         policy.mutable_conditions());
    if (!status.ok()) return status;
  }

  json::Path grant_path = path.Field("grantControls");
  absl::StatusOr<const Struct*> grant = reader.OptionalObject(
      Member(**object, "grantControls"), grant_path, false);
  if (!grant.ok()) return grant.status();
  if (*grant != nullptr) {
    absl::Status status = ReadGrantControls(reader, **grant, grant_path,
                                            policy.mutable_grant_controls());
    if (!status.ok()) return status;
  }

  json::Path session_path = path.Field("sessionControls");
  absl::StatusOr<const Struct*> session = reader.OptionalObject(
      Member(**object, "sessionControls"), session_path, false);
  if (!session.ok()) return session.status();
  if (*session != nullptr) {
    absl::Status status = ReadSessionControls(
        reader, **session, session_path, policy.mutable_session_controls());
    if (!status.ok()) return status;
  }

  // Graph requires a policy to target some users or workload identities
  // and some resources. Without them a policy would apply to no one, so in
  // a policy that is enforced or reported, a missing or misspelt member
  // (such as "includeUser") would silently drop a block. Such a policy is
  // an error, naming the member; disabled policies are never evaluated, so
  // they only need to parse. A policy without controls has no effect,
  // which a misspelt "grantControl" also causes, so it gets a warning.
  if (policy.state() != ca::POLICY_STATE_DISABLED) {
    const ca::Conditions& c = policy.conditions();
    const ca::UserCondition& users = c.users();
    const bool targets_users = users.include_users_size() > 0 ||
                               users.include_groups_size() > 0 ||
                               users.include_roles_size() > 0 ||
                               users.include_guests_or_external_users()
                                       .guest_or_external_user_types_size() > 0;
    const bool targets_workloads =
        c.client_applications().include_service_principals_size() > 0 ||
        c.client_applications().has_service_principal_filter();
    if (!targets_users && !targets_workloads) {
      return json::MissingField(
          conditions_path.Field("users"),
          "includeUsers, includeGroups, includeRoles or "
          "includeGuestsOrExternalUsers (or conditions.clientApplications."
          "includeServicePrincipals for workload identities)");
    }
    const ca::ApplicationCondition& apps = c.applications();
    if (apps.include_applications_size() == 0 && apps.include_user_actions_size() == 0 &&
        apps.include_authentication_context_class_references_size() == 0 &&
        !apps.has_application_filter()) {
      return json::MissingField(conditions_path.Field("applications"),
                                "includeApplications, includeUserActions or "
                                "includeAuthenticationContextClassReferences");
    }
    const ca::GrantControls& grants = policy.grant_controls();
    const bool grants_something = grants.built_in_controls_size() > 0 ||
                                  grants.terms_of_use_size() > 0 ||
                                  grants.custom_authentication_factors_size() > 0 ||
                                  grants.has_authentication_strength();
    if (!grants_something && policy.session_controls().ByteSizeLong() == 0) {
      reader.Warn(grant_path,
                  "no grant or session control; the policy has no effect (a "
                  "block needs \"grantControls\": {\"builtInControls\": [\"block\"]})");
    }
  }

  bool has_user_actions =
      policy.conditions().applications().include_user_actions_size() > 0;
  if (policy.state() == ca::POLICY_STATE_REPORT_ONLY && has_user_actions) {
    reader.Warn(state_path,
                "report-only mode does not apply to policies on "
                "user actions in Microsoft's service; the policy "
                "is evaluated and reported, never enforced");
  }
  return result;
}

absl::StatusOr<std::vector<ImportedPolicy>> ImportPolicies(
    absl::string_view bytes, absl::string_view file_name) {
  absl::StatusOr<Value> root = json::ParseJson(bytes);
  if (!root.ok()) return root.status();
  absl::StatusOr<std::vector<std::pair<const Value*, json::Path>>> items =
      Items(*root);
  if (!items.ok()) return items.status();

  std::string stem = FileStem(file_name);
  std::vector<ImportedPolicy> policies;
  for (size_t i = 0; i < items->size(); ++i) {
    std::string fallback =
        (*items)[i].first == &*root ? stem : absl::StrCat(stem, "[", i, "]");
    absl::StatusOr<ImportedPolicy> policy =
        ImportPolicyValue(*(*items)[i].first, (*items)[i].second, fallback);
    if (!policy.ok()) return policy.status();
    policies.push_back(*std::move(policy));
  }
  return policies;
}

}  // namespace portcullis::access
