// Reading real-world JSON exports into protobuf's generic Value, and walking
// them with field paths for error messages.
//
// Real Azure and Graph files come as UTF-8 with or without a byte-order mark,
// and as UTF-16 (little or big endian) with one, because PowerShell writes
// them that way. ParseJson() decodes all of these and parses the text into a
// google::protobuf::Value, so importers can map fields by hand and report
// every problem with its JSON path:
//
//   absl::StatusOr<google::protobuf::Value> root = json::ParseJson(bytes);
//   if (!root.ok()) return root.status();
//   json::Path path;  // ""
//   const google::protobuf::Value* rules =
//       json::FindField(root->struct_value(), "securityRules");
//   ... json::Path item = path.Field("securityRules").Index(3);
//   return json::InvalidField(item.Field("priority"), value,
//                             "an integer between 100 and 4096");
//
// Numbers arrive as doubles. A double cannot tell 100 from 100.0 or from
// 99.99999999999999999, which rounds to 100, so ParseJson() also keeps the
// literal of each number that is not a short integer literal, and
// GetInteger() accepts only integer literals. Error messages escape control
// characters, so that a message never writes them raw to a terminal.
#ifndef PORTCULLIS_JSON_JSON_H_
#define PORTCULLIS_JSON_JSON_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"

namespace portcullis::json {

// Decodes `bytes` to UTF-8: strips a UTF-8 byte-order mark, and converts
// UTF-16LE or UTF-16BE text that starts with a byte-order mark. Fails on
// malformed UTF-16 (an unpaired surrogate or an odd byte count), and on text
// without a byte-order mark whose first bytes alternate between NUL and
// other bytes, which is UTF-16 that cannot be decoded without guessing.
absl::StatusOr<std::string> DecodeToUtf8(absl::string_view bytes);

// Parses a JSON document (after DecodeToUtf8) into a generic Value. Any JSON
// value is accepted at the top level. Rejects nesting deeper than 32 levels,
// repeated member names, numbers beyond the range of a double (naming their
// path), and member names of one object that differ only in ASCII case
// (FindField() could not tell them apart).
//
// A number written with a fraction, an exponent or more than 15 digits keeps
// its literal in an unknown field of its Value, which copies of the Value
// keep too. Describe() prints that literal and GetInteger() checks it.
absl::StatusOr<google::protobuf::Value> ParseJson(absl::string_view bytes);

// A JSON path such as `properties.securityRules[3].properties.priority`,
// built up while walking a document. Cheap to copy.
class Path {
 public:
  Path() = default;
  explicit Path(std::string text) : text_(std::move(text)) {}

  // Returns this path followed by `.name` (or `name` at the root), with
  // control characters in `name` escaped.
  Path Field(absl::string_view name) const;
  // Returns this path followed by `[index]`.
  Path Index(int index) const;

  // The path text; "(root)" for the empty path.
  std::string ToString() const;
  bool empty() const { return text_.empty(); }

 private:
  std::string text_;
};

// Returns the member `name` of `object`, or nullptr when absent. The lookup is
// exact first, then without regard to ASCII case, because Azure tools print
// both `Actions` and `actions` for the same field.
const google::protobuf::Value* FindField(const google::protobuf::Struct& object,
                                         absl::string_view name);

// True when `value` is absent (nullptr) or JSON null.
bool IsNullOrAbsent(const google::protobuf::Value* value);

// Renders `value` as compact JSON for messages, cut to about 80 characters.
// Numbers read by ParseJson() appear as written, and control characters in
// strings and member names are escaped (`\u001b`).
std::string Describe(const google::protobuf::Value& value);

// Returns the name of the JSON type of `value`: "string", "number", "object",
// "array", "boolean" or "null".
absl::string_view TypeName(const google::protobuf::Value& value);

// An InvalidArgument status "<path>: invalid value <value>; expected
// <expected>", with the value rendered by Describe().
absl::Status InvalidField(const Path& path,
                          const google::protobuf::Value& value,
                          absl::string_view expected);

// An InvalidArgument status "<path>: missing; expected <expected>".
absl::Status MissingField(const Path& path, absl::string_view expected);

// Fails when the list response `list` (`{"value": [...]}`, named by `path`)
// is one page of a longer list: ARM's `nextLink` or Graph's
// `@odata.nextLink` (or the older `odata.nextLink`) names the next page.
// Reading one page would silently drop the items on the others, so the
// error names the member and its value and says to merge the pages.
// A link that is absent, null or "" marks the last page and passes.
absl::Status RejectNextPageLink(const google::protobuf::Struct& list,
                                const Path& path);

// Typed accessors: each returns the value, or InvalidField when it has
// another type. `path` names `value` in messages.
absl::StatusOr<std::string> GetString(const google::protobuf::Value& value,
                                      const Path& path);
absl::StatusOr<bool> GetBool(const google::protobuf::Value& value,
                             const Path& path);
// Reads an integer in [min, max]: a number written as an integer literal
// such as `100`, or a string that contains a decimal integer, because some
// exports quote numbers. A fraction or exponent is rejected even when it is
// zero, as in `100.0` or `1e2`. A number built in code has no literal, so it
// is accepted when its double is integral.
absl::StatusOr<int64_t> GetInteger(const google::protobuf::Value& value,
                                   const Path& path, int64_t min, int64_t max);
absl::StatusOr<const google::protobuf::Struct*> GetObject(
    const google::protobuf::Value& value, const Path& path);
absl::StatusOr<const google::protobuf::ListValue*> GetArray(
    const google::protobuf::Value& value, const Path& path);

}  // namespace portcullis::json

#endif  // PORTCULLIS_JSON_JSON_H_
