// A small JSON document builder that keeps members in insertion order, so
// command output is stable and reads in a deliberate order ("access" first).
//
//   JsonValue verdict = JsonValue::Object();
//   verdict.Set("access", JsonValue::String("Deny"));
//   verdict.Set("stages", JsonValue::Array());
//   std::cout << verdict.Render() << "\n";
//
// protobuf's JSON printer is not used for output because Struct members come
// out in map order.
#ifndef PORTCULLIS_CLI_JSON_OUTPUT_H_
#define PORTCULLIS_CLI_JSON_OUTPUT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace portcullis::cli {

// A JSON value: null, a boolean, an integer, a string, an array or an object
// whose members keep the order they were set in. Not thread-safe to modify.
class JsonValue {
 public:
  JsonValue() = default;  // null

  static JsonValue Bool(bool value);
  static JsonValue Integer(int64_t value);
  static JsonValue String(absl::string_view value);
  static JsonValue Array();
  static JsonValue Object();
  // An array of strings.
  static JsonValue Strings(const std::vector<std::string>& values);

  // Sets member `key` of an object, replacing an existing one in place.
  JsonValue& Set(absl::string_view key, JsonValue value);
  // Appends to an array.
  JsonValue& Append(JsonValue value);

  // Renders the value with two-space indentation and no trailing newline.
  // Empty arrays and objects render as [] and {}.
  std::string Render() const;

 private:
  enum class Kind { kNull, kBool, kInteger, kString, kArray, kObject };

  void RenderTo(std::string& out, int depth) const;

  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  int64_t integer_ = 0;
  std::string string_;
  std::vector<JsonValue> items_;
  std::vector<std::pair<std::string, JsonValue>> members_;
};

// Returns `text` as a JSON string literal with quotes and escapes.
std::string JsonQuote(absl::string_view text);

}  // namespace portcullis::cli

#endif  // PORTCULLIS_CLI_JSON_OUTPUT_H_
