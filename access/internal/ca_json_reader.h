// Reading Graph JSON members with the Conditional Access importers' rules:
// a missing, null or wrongly shaped condition is "not configured", flag
// enums may be comma-separated strings, enum values ignore case, and every
// problem names its JSON path. Shared by the policy, named location and
// sign-in importers.
#ifndef PORTCULLIS_ACCESS_INTERNAL_CA_JSON_READER_H_
#define PORTCULLIS_ACCESS_INTERNAL_CA_JSON_READER_H_

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "access/ca_import_warning.h"
#include "google/protobuf/struct.pb.h"
#include "json/json.h"
#include "proto/ca.pb.h"

namespace portcullis::access::internal {

using ::google::protobuf::ListValue;
using ::google::protobuf::Struct;
using ::google::protobuf::Value;

template <typename Enum>
struct EnumName {
  absl::string_view name;
  Enum value;
};

// Collects warnings and reads typed members with the importer's rules for
// missing, null and wrongly shaped values.
inline const Value* FindMember(const Struct& object, absl::string_view key) {
  return json::FindField(object, key);
}

class Reader {
 public:
  explicit Reader(std::vector<ImportWarning>& warnings) : warnings_(warnings) {}

  void Warn(const json::Path& path, std::string message) {
    warnings_.push_back(ImportWarning{path.ToString(), std::move(message)});
  }

  // An object member that may be absent, null or of the wrong container
  // (not configured). Returns nullptr then.
  absl::StatusOr<const Struct*> OptionalObject(const Value* value,
                                               const json::Path& path,
                                               bool graph_always_writes) {
    if (value == nullptr) {
      if (graph_always_writes) Warn(path, "missing; taken as not configured");
      return nullptr;
    }
    switch (value->kind_case()) {
      case Value::kNullValue:
        return nullptr;
      case Value::kStructValue:
        return &value->struct_value();
      case Value::kListValue:
        if (value->list_value().values().empty()) {
          Warn(path,
               "expected an object, found an empty array; taken as not "
               "configured");
          return nullptr;
        }
        break;
      case Value::kStringValue:
        if (value->string_value().empty()) {
          Warn(path,
               "expected an object, found an empty string; taken as "
               "not configured");
          return nullptr;
        }
        break;
      default:
        break;
    }
    return json::InvalidField(path, *value, "an object or null");
  }

  // An array of strings that may be absent, null or an empty object.
  absl::StatusOr<std::vector<std::string>> StringList(
      const Value* value, const json::Path& path, bool graph_always_writes) {
    std::vector<std::string> out;
    if (value == nullptr) {
      if (graph_always_writes) Warn(path, "missing; taken as not configured");
      return out;
    }
    if (value->has_null_value()) return out;
    if (value->has_struct_value() && value->struct_value().fields().empty()) {
      Warn(path,
           "expected an array, found an empty object; taken as not "
           "configured");
      return out;
    }
    if (!value->has_list_value()) {
      return json::InvalidField(path, *value, "an array of strings");
    }
    const ListValue& list = value->list_value();
    for (int i = 0; i < list.values_size(); ++i) {
      const Value& item = list.values(i);
      if (item.has_null_value()) {
        Warn(path.Index(i), "null entry skipped");
        continue;
      }
      absl::StatusOr<std::string> text = json::GetString(item, path.Index(i));
      if (!text.ok()) return text.status();
      out.push_back(*std::move(text));
    }
    return out;
  }

  // Like StringList, and also accepts Graph's comma-separated flag string.
  absl::StatusOr<std::vector<std::string>> FlagList(const Value* value,
                                                    const json::Path& path,
                                                    bool graph_always_writes) {
    if (value != nullptr && value->has_string_value()) {
      std::vector<std::string> out;
      for (absl::string_view part :
           absl::StrSplit(value->string_value(), ',')) {
        part = absl::StripAsciiWhitespace(part);
        if (!part.empty()) out.emplace_back(part);
      }
      return out;
    }
    return StringList(value, path, graph_always_writes);
  }

  // Parses each name of `names` as one of `table`, without regard to case.
  // Graph's `unknownFutureValue` and `none` (when `none_is_empty`) are
  // skipped; `unknownFutureValue` adds a warning.
  template <typename Enum, size_t N>
  absl::StatusOr<std::vector<Enum>> Enums(const std::vector<std::string>& names,
                                          const json::Path& path,
                                          const EnumName<Enum> (&table)[N],
                                          bool none_is_empty = false) {
    std::vector<Enum> out;
    for (size_t i = 0; i < names.size(); ++i) {
      absl::string_view name = names[i];
      if (absl::EqualsIgnoreCase(name, "unknownFutureValue")) {
        Warn(path, "value unknownFutureValue skipped");
        continue;
      }
      if (none_is_empty && absl::EqualsIgnoreCase(name, "none")) continue;
      absl::StatusOr<Enum> value = OneEnum(name, path, table);
      if (!value.ok()) return value.status();
      if (static_cast<int>(*value) == 0) continue;  // Graph's `none`
      bool seen = false;
      for (Enum e : out) seen = seen || e == *value;
      if (!seen) out.push_back(*value);
    }
    return out;
  }

  template <typename Enum, size_t N>
  absl::StatusOr<Enum> OneEnum(absl::string_view name, const json::Path& path,
                               const EnumName<Enum> (&table)[N]) {
    for (const EnumName<Enum>& entry : table) {
      if (absl::EqualsIgnoreCase(entry.name, name)) return entry.value;
    }
    std::vector<absl::string_view> expected;
    for (const EnumName<Enum>& entry : table) expected.push_back(entry.name);
    Value shown;
    shown.set_string_value(std::string(name));
    return json::InvalidField(
        path, shown, absl::StrCat("one of ", absl::StrJoin(expected, ", ")));
  }

  // A boolean member; absent or null yields `fallback`.
  absl::StatusOr<bool> OptionalBool(const Value* value, const json::Path& path,
                                    bool fallback) {
    if (json::IsNullOrAbsent(value)) return fallback;
    return json::GetBool(*value, path);
  }

  // The `id` member of `object`, or `fallback` (taken from the file name)
  // with a warning when it is missing.
  absl::StatusOr<std::string> IdOrFileName(const Struct& object,
                                           const json::Path& path,
                                           absl::string_view fallback) {
    absl::StatusOr<std::string> id =
        OptionalString(FindMember(object, "id"), path.Field("id"));
    if (!id.ok() || !id->empty()) return id;
    Warn(path.Field("id"), absl::StrCat("missing; the id \"", fallback,
                                        "\" is taken from the file name"));
    return std::string(fallback);
  }

  // A string member; absent or null yields "".
  absl::StatusOr<std::string> OptionalString(const Value* value,
                                             const json::Path& path) {
    if (json::IsNullOrAbsent(value)) return std::string();
    return json::GetString(*value, path);
  }

 private:
  std::vector<ImportWarning>& warnings_;
};

inline const Value* Member(const Struct& object, absl::string_view key) {
  return json::FindField(object, key);
}

// The enum spellings shared by policies and What-If requests. Each `none`
// maps to the UNSPECIFIED value, which lists of conditions skip.
inline constexpr EnumName<ca::ClientAppType> kClientAppTypes[] = {
    {"all", ca::CLIENT_APP_TYPE_ALL},
    {"browser", ca::CLIENT_APP_TYPE_BROWSER},
    {"mobileAppsAndDesktopClients",
     ca::CLIENT_APP_TYPE_MOBILE_APPS_AND_DESKTOP_CLIENTS},
    {"exchangeActiveSync", ca::CLIENT_APP_TYPE_EXCHANGE_ACTIVE_SYNC},
    {"easSupported", ca::CLIENT_APP_TYPE_EXCHANGE_ACTIVE_SYNC},
    {"other", ca::CLIENT_APP_TYPE_OTHER},
};

inline constexpr EnumName<ca::DevicePlatform> kPlatforms[] = {
    {"all", ca::DEVICE_PLATFORM_ALL},
    {"android", ca::DEVICE_PLATFORM_ANDROID},
    {"iOS", ca::DEVICE_PLATFORM_IOS},
    {"windows", ca::DEVICE_PLATFORM_WINDOWS},
    {"windowsPhone", ca::DEVICE_PLATFORM_WINDOWS_PHONE},
    {"macOS", ca::DEVICE_PLATFORM_MAC_OS},
    {"linux", ca::DEVICE_PLATFORM_LINUX},
};

inline constexpr EnumName<ca::RiskLevel> kRiskLevels[] = {
    {"low", ca::RISK_LEVEL_LOW},   {"medium", ca::RISK_LEVEL_MEDIUM},
    {"high", ca::RISK_LEVEL_HIGH}, {"hidden", ca::RISK_LEVEL_HIDDEN},
    {"none", ca::RISK_LEVEL_NONE},
};

inline constexpr EnumName<ca::InsiderRiskLevel> kInsiderRiskLevels[] = {
    {"none", ca::INSIDER_RISK_LEVEL_UNSPECIFIED},
    {"minor", ca::INSIDER_RISK_LEVEL_MINOR},
    {"moderate", ca::INSIDER_RISK_LEVEL_MODERATE},
    {"elevated", ca::INSIDER_RISK_LEVEL_ELEVATED},
};

inline constexpr EnumName<ca::ExternalUserType> kExternalUserTypes[] = {
    {"none", ca::EXTERNAL_USER_TYPE_UNSPECIFIED},
    {"internalGuest", ca::EXTERNAL_USER_TYPE_INTERNAL_GUEST},
    {"b2bCollaborationGuest", ca::EXTERNAL_USER_TYPE_B2B_COLLABORATION_GUEST},
    {"b2bCollaborationMember", ca::EXTERNAL_USER_TYPE_B2B_COLLABORATION_MEMBER},
    {"b2bDirectConnectUser", ca::EXTERNAL_USER_TYPE_B2B_DIRECT_CONNECT_USER},
    {"otherExternalUser", ca::EXTERNAL_USER_TYPE_OTHER_EXTERNAL_USER},
    {"serviceProvider", ca::EXTERNAL_USER_TYPE_SERVICE_PROVIDER},
};

inline constexpr EnumName<ca::TransferMethod> kTransferMethods[] = {
    {"none", ca::TRANSFER_METHOD_UNSPECIFIED},
    {"deviceCodeFlow", ca::TRANSFER_METHOD_DEVICE_CODE_FLOW},
    {"authenticationTransfer", ca::TRANSFER_METHOD_AUTHENTICATION_TRANSFER},
};

// Fails on a member of `object` that is not one of `members`, naming the
// first such member in name order. Names compare ignoring case, as Member()
// finds them, and `@odata` annotations are allowed. For objects whose members
// are few and fixed, where a misspelt member silently dropped would remove a
// fact or weaken a control.
absl::Status RejectUnknownMembers(
    const Struct& object, const json::Path& path,
    std::initializer_list<absl::string_view> members);

// Splits a parsed file into its items: an array, a Graph list response or
// one object, each with its path.
absl::StatusOr<std::vector<std::pair<const Value*, json::Path>>> Items(
    const Value& root);

}  // namespace portcullis::access::internal

#endif  // PORTCULLIS_ACCESS_INTERNAL_CA_JSON_READER_H_
