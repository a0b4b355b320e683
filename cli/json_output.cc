#include "cli/json_output.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace portcullis::cli {

JsonValue JsonValue::Bool(bool value) {
  JsonValue result;
  result.kind_ = Kind::kBool;
  result.bool_ = value;
  return result;
}

JsonValue JsonValue::Integer(int64_t value) {
  JsonValue result;
  result.kind_ = Kind::kInteger;
  result.integer_ = value;
  return result;
}

JsonValue JsonValue::String(absl::string_view value) {
  JsonValue result;
  result.kind_ = Kind::kString;
  result.string_ = std::string(value);
  return result;
}

JsonValue JsonValue::Array() {
  JsonValue result;
  result.kind_ = Kind::kArray;
  return result;
}

JsonValue JsonValue::Object() {
  JsonValue result;
  result.kind_ = Kind::kObject;
  return result;
}

JsonValue JsonValue::Strings(const std::vector<std::string>& values) {
  JsonValue result = Array();
  for (const std::string& value : values) result.Append(String(value));
  return result;
}

JsonValue& JsonValue::Set(absl::string_view key, JsonValue value) {
  for (auto& [name, member] : members_) {
    if (name == key) {
      member = std::move(value);
      return *this;
    }
  }
  members_.emplace_back(std::string(key), std::move(value));
  return *this;
}

JsonValue& JsonValue::Append(JsonValue value) {
  items_.push_back(std::move(value));
  return *this;
}

std::string JsonValue::Render() const {
  std::string out;
  RenderTo(out, 0);
  return out;
}

void JsonValue::RenderTo(std::string& out, int depth) const {
  const std::string indent(2 * (depth + 1), ' ');
  const std::string closing_indent(2 * depth, ' ');
  switch (kind_) {
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBool:
      out += bool_ ? "true" : "false";
      return;
    case Kind::kInteger:
      absl::StrAppend(&out, integer_);
      return;
    case Kind::kString:
      out += JsonQuote(string_);
      return;
    case Kind::kArray:
      if (items_.empty()) {
        out += "[]";
        return;
      }
      out += "[\n";
      for (size_t i = 0; i < items_.size(); ++i) {
        out += indent;
        items_[i].RenderTo(out, depth + 1);
        out += i + 1 < items_.size() ? ",\n" : "\n";
      }
      out += closing_indent + "]";
      return;
    case Kind::kObject:
      if (members_.empty()) {
        out += "{}";
        return;
      }
      out += "{\n";
      for (size_t i = 0; i < members_.size(); ++i) {
        absl::StrAppend(&out, indent, JsonQuote(members_[i].first), ": ");
        members_[i].second.RenderTo(out, depth + 1);
        out += i + 1 < members_.size() ? ",\n" : "\n";
      }
      out += closing_indent + "}";
      return;
  }
}

std::string JsonQuote(absl::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += "\"";
  return out;
}

}  // namespace portcullis::cli
