// Field readers shared by the PIM importers: nullable fields, enums matched
// without regard to case, RFC 3339 times and ISO 8601 durations, each
// reporting errors with the JSON path and the offending value.
#ifndef PORTCULLIS_PIM_INTERNAL_JSON_READER_H_
#define PORTCULLIS_PIM_INTERNAL_JSON_READER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "json/json.h"

namespace portcullis::pim::internal {

// One accepted spelling of an enum value and the number it maps to.
struct EnumName {
  absl::string_view name;
  int value;
};

// An object being read, with the path that names it in messages.
class ObjectReader {
 public:
  ObjectReader(const google::protobuf::Struct& object, json::Path path)
      : object_(&object), path_(std::move(path)) {}

  const google::protobuf::Struct& object() const { return *object_; }
  const json::Path& path() const { return path_; }
  json::Path FieldPath(absl::string_view name) const {
    return path_.Field(name);
  }

  // The member `name` (exact, then without regard to case), or nullptr when
  // absent or null.
  const google::protobuf::Value* Find(absl::string_view name) const;

  // A string member; "" when absent or null.
  absl::StatusOr<std::string> OptionalString(absl::string_view name) const;
  // A string member that must be present and non-empty.
  absl::StatusOr<std::string> RequiredString(absl::string_view name,
                                             absl::string_view expected) const;
  // A boolean member; false when absent or null.
  absl::StatusOr<bool> OptionalBool(absl::string_view name) const;
  // An integer member in [min, max]; 0 when absent or null.
  absl::StatusOr<int64_t> OptionalInteger(absl::string_view name, int64_t min,
                                          int64_t max) const;
  // An object member, or nullptr when absent or null.
  absl::StatusOr<const google::protobuf::Struct*> OptionalObject(
      absl::string_view name) const;
  // An array member, or nullptr when absent or null.
  absl::StatusOr<const google::protobuf::ListValue*> OptionalArray(
      absl::string_view name) const;
  // An array of strings; empty when absent or null. Non-string entries are
  // errors.
  absl::StatusOr<std::vector<std::string>> OptionalStringArray(
      absl::string_view name) const;
  // An enum member matched without regard to ASCII case against `names`;
  // `absent` when absent or null.
  absl::StatusOr<int> OptionalEnum(absl::string_view name,
                                   const std::vector<EnumName>& names,
                                   int absent) const;
  // An RFC 3339 time into `out`; returns false (and leaves `out`) when absent
  // or null.
  absl::StatusOr<bool> OptionalTime(absl::string_view name,
                                    google::protobuf::Timestamp* out) const;
  // An ISO 8601 duration into `out`; returns false when absent or null.
  absl::StatusOr<bool> OptionalDuration(absl::string_view name,
                                        google::protobuf::Duration* out) const;

 private:
  const google::protobuf::Struct* object_;
  json::Path path_;
};

// Matches `text` against `names` without regard to ASCII case; the error
// quotes `value` at `path` and lists the accepted names.
absl::StatusOr<int> ParseEnum(const google::protobuf::Value& value,
                              const json::Path& path,
                              const std::vector<EnumName>& names);

// A document unwrapped to the object (or array) that holds the data.
struct Unwrapped {
  const google::protobuf::Value* value;
  json::Path path;
  // The request URL's `scope` parameter of an API example file, if any.
  std::string url_scope;
  // The names of the URL parameters of an API example file, lower case,
  // joined by spaces; they tell roleEligibility... from roleAssignment....
  std::string url_parameter_names;
};

// Which part of an Azure REST API example file (`{"parameters": ...,
// "responses": {"200": {"body": ...}}}`) to read.
enum class ExamplePart { kResponseBody, kRequestBody };

// Returns the data of `root`: `root` itself, or for an API example file the
// request body (`parameters.parameters`, when `part` is kRequestBody and it
// exists) or the first 2xx response body.
absl::StatusOr<Unwrapped> UnwrapDocument(const google::protobuf::Value& root,
                                         ExamplePart part);

}  // namespace portcullis::pim::internal

#endif  // PORTCULLIS_PIM_INTERNAL_JSON_READER_H_
