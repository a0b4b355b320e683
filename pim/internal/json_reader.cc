#include "pim/internal/json_reader.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pim/internal/proto_time.h"
#include "schedule/duration.h"
#include "schedule/rfc3339.h"

namespace portcullis::pim::internal {

using ::google::protobuf::ListValue;
using ::google::protobuf::Struct;
using ::google::protobuf::Value;

namespace {

// Prefixes a parser's message with the field path.
absl::Status AtPath(const json::Path& path, const absl::Status& status) {
  return absl::InvalidArgumentError(
      absl::StrCat(path.ToString(), ": ", status.message()));
}

}  // namespace

const Value* ObjectReader::Find(absl::string_view name) const {
  const Value* value = json::FindField(*object_, name);
  return json::IsNullOrAbsent(value) ? nullptr : value;
}

absl::StatusOr<std::string> ObjectReader::OptionalString(
    absl::string_view name) const {
  const Value* value = Find(name);
  if (value == nullptr) return std::string();
  return json::GetString(*value, FieldPath(name));
}

absl::StatusOr<std::string> ObjectReader::RequiredString(
    absl::string_view name, absl::string_view expected) const {
  const Value* value = Find(name);
  if (value == nullptr) return json::MissingField(FieldPath(name), expected);
  absl::StatusOr<std::string> text = json::GetString(*value, FieldPath(name));
  if (!text.ok()) return text.status();
  if (text->empty()) return json::InvalidField(FieldPath(name), *value, expected);
  return text;
}

absl::StatusOr<bool> ObjectReader::OptionalBool(absl::string_view name) const {
  const Value* value = Find(name);
  if (value == nullptr) return false;
  return json::GetBool(*value, FieldPath(name));
}

absl::StatusOr<int64_t> ObjectReader::OptionalInteger(absl::string_view name,
                                                      int64_t min,
                                                      int64_t max) const {
  const Value* value = Find(name);
  if (value == nullptr) return 0;
  return json::GetInteger(*value, FieldPath(name), min, max);
}

absl::StatusOr<const Struct*> ObjectReader::OptionalObject(
    absl::string_view name) const {
  const Value* value = Find(name);
  if (value == nullptr) return static_cast<const Struct*>(nullptr);
  return json::GetObject(*value, FieldPath(name));
}

absl::StatusOr<const ListValue*> ObjectReader::OptionalArray(
    absl::string_view name) const {
  const Value* value = Find(name);
  if (value == nullptr) return static_cast<const ListValue*>(nullptr);
  return json::GetArray(*value, FieldPath(name));
}

absl::StatusOr<std::vector<std::string>> ObjectReader::OptionalStringArray(
    absl::string_view name) const {
  absl::StatusOr<const ListValue*> array = OptionalArray(name);
  if (!array.ok()) return array.status();
  std::vector<std::string> out;
  if (*array == nullptr) return out;
  for (int i = 0; i < (*array)->values_size(); ++i) {
    absl::StatusOr<std::string> item =
        json::GetString((*array)->values(i), FieldPath(name).Index(i));
    if (!item.ok()) return item.status();
    out.push_back(*std::move(item));
  }
  return out;
}

absl::StatusOr<int> ObjectReader::OptionalEnum(
    absl::string_view name, const std::vector<EnumName>& names,
    int absent) const {
  const Value* value = Find(name);
  if (value == nullptr) return absent;
  return ParseEnum(*value, FieldPath(name), names);
}

absl::StatusOr<bool> ObjectReader::OptionalTime(
    absl::string_view name, google::protobuf::Timestamp* out) const {
  const Value* value = Find(name);
  if (value == nullptr) return false;
  absl::StatusOr<std::string> text = json::GetString(*value, FieldPath(name));
  if (!text.ok()) return text.status();
  absl::StatusOr<absl::Time> time = schedule::ParseRfc3339(*text);
  if (!time.ok()) return AtPath(FieldPath(name), time.status());
  *out = ToTimestamp(*time);
  return true;
}

absl::StatusOr<bool> ObjectReader::OptionalDuration(
    absl::string_view name, google::protobuf::Duration* out) const {
  const Value* value = Find(name);
  if (value == nullptr) return false;
  absl::StatusOr<std::string> text = json::GetString(*value, FieldPath(name));
  if (!text.ok()) return text.status();
  absl::StatusOr<absl::Duration> duration = schedule::ParseIsoDuration(*text);
  if (!duration.ok()) return AtPath(FieldPath(name), duration.status());
  *out = ToDurationProto(*duration);
  return true;
}

absl::StatusOr<int> ParseEnum(const Value& value, const json::Path& path,
                              const std::vector<EnumName>& names) {
  std::vector<std::string> quoted;
  for (const EnumName& name : names) {
    if (value.kind_case() == Value::kStringValue &&
        absl::EqualsIgnoreCase(value.string_value(), name.name)) {
      return name.value;
    }
    quoted.push_back(absl::StrCat("\"", name.name, "\""));
  }
  return json::InvalidField(
      path, value, absl::StrCat("one of ", absl::StrJoin(quoted, ", "),
                                " (in any case)"));
}

absl::StatusOr<Unwrapped> UnwrapDocument(const Value& root, ExamplePart part) {
  Unwrapped out{&root, json::Path(), "", ""};
  if (root.kind_case() != Value::kStructValue) return out;
  const Struct& object = root.struct_value();
  const Value* parameters = json::FindField(object, "parameters");
  const Value* responses = json::FindField(object, "responses");
  if (parameters == nullptr || responses == nullptr ||
      parameters->kind_case() != Value::kStructValue ||
      responses->kind_case() != Value::kStructValue) {
    return out;
  }

  // An Azure REST API example: URL parameters and responses by status code.
  std::vector<std::string> parameter_names;
  for (const auto& [key, value] : parameters->struct_value().fields()) {
    parameter_names.push_back(absl::AsciiStrToLower(key));
    if (absl::EqualsIgnoreCase(key, "scope") &&
        value.kind_case() == Value::kStringValue) {
      out.url_scope = value.string_value();
    }
  }
  std::sort(parameter_names.begin(), parameter_names.end());
  out.url_parameter_names = absl::StrJoin(parameter_names, " ");

  if (part == ExamplePart::kRequestBody) {
    const Value* body = json::FindField(parameters->struct_value(), "parameters");
    if (!json::IsNullOrAbsent(body)) {
      out.value = body;
      out.path = json::Path("parameters.parameters");
      return out;
    }
  }
  for (absl::string_view code : {"200", "201"}) {
    const Value* response = json::FindField(responses->struct_value(), code);
    if (response == nullptr || response->kind_case() != Value::kStructValue) {
      continue;
    }
    const Value* body = json::FindField(response->struct_value(), "body");
    if (json::IsNullOrAbsent(body)) continue;
    out.value = body;
    out.path = json::Path(absl::StrCat("responses.", code, ".body"));
    return out;
  }
  return json::MissingField(json::Path("responses"),
                            "a \"200\" or \"201\" response with a body");
}

}  // namespace portcullis::pim::internal
