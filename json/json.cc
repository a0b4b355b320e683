#include "json/json.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/unknown_field_set.h"
#include "google/protobuf/util/json_util.h"

namespace portcullis::json {

namespace {

using ::google::protobuf::ListValue;
using ::google::protobuf::Struct;
using ::google::protobuf::Value;

constexpr size_t kDescribeLimit = 80;
// The deepest nesting of objects and arrays ParseJson() accepts. Real Azure
// and Graph exports nest about 13 levels deep.
constexpr int kMaxDepth = 32;
// The unknown field of a number Value in which ParseJson() keeps the number's
// literal as written, when it is not a short integer literal. Unknown fields
// are copied with the Value. google.protobuf.Value uses field numbers 1 to 6.
constexpr int kNumberLiteralField = 1000;

// True for an optional minus sign followed by one or more decimal digits.
bool IsDecimalInteger(absl::string_view text) {
  absl::ConsumePrefix(&text, "-");
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return absl::ascii_isdigit(static_cast<unsigned char>(c));
         });
}

// True for an integer literal of at most 15 digits. A double represents
// every integer up to 2^53 (about 9.007e15) exactly, so such a literal
// loses nothing.
bool IsShortIntegerLiteral(absl::string_view literal) {
  return IsDecimalInteger(literal) &&
         literal.size() - (literal[0] == '-' ? 1 : 0) <= 15;
}

// Returns the literal that ParseJson() kept for a number Value, or nullopt
// for a short integer literal and for a Value not made by ParseJson().
std::optional<std::string> NumberLiteral(const Value& value) {
  const google::protobuf::UnknownFieldSet& unknown =
      value.GetReflection()->GetUnknownFields(value);
  for (int i = 0; i < unknown.field_count(); ++i) {
    const google::protobuf::UnknownField& field = unknown.field(i);
    if (field.number() == kNumberLiteralField &&
        field.type() == google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
      return field.length_delimited();
    }
  }
  return std::nullopt;
}

void AppendUtf8(uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// Converts UTF-16 text (after its byte-order mark) to UTF-8.
absl::StatusOr<std::string> Utf16ToUtf8(absl::string_view bytes,
                                        bool little_endian) {
  if (bytes.size() % 2 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid UTF-16 text: odd byte count ", bytes.size() + 2));
  }
  auto unit_at = [&](size_t i) -> uint32_t {
    uint8_t first = static_cast<uint8_t>(bytes[i]);
    uint8_t second = static_cast<uint8_t>(bytes[i + 1]);
    return little_endian ? (first | (second << 8)) : ((first << 8) | second);
  };

  std::string out;
  out.reserve(bytes.size() / 2);
  for (size_t i = 0; i < bytes.size(); i += 2) {
    uint32_t unit = unit_at(i);
    if (unit >= 0xDC00 && unit <= 0xDFFF) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid UTF-16 text: unpaired low surrogate at byte ", i + 2));
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      if (i + 3 >= bytes.size()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "invalid UTF-16 text: unpaired high surrogate at byte ", i + 2));
      }
      uint32_t low = unit_at(i + 2);
      if (low < 0xDC00 || low > 0xDFFF) {
        return absl::InvalidArgumentError(absl::StrCat(
            "invalid UTF-16 text: unpaired high surrogate at byte ", i + 2));
      }
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
      i += 2;
    }
    AppendUtf8(unit, out);
  }
  return out;
}

// Cuts `text` to kDescribeLimit characters for messages.
std::string ShortText(absl::string_view text) {
  if (text.size() <= kDescribeLimit) return std::string(text);
  return absl::StrCat(text.substr(0, kDescribeLimit - 3), "...");
}

// Returns the length of the well-formed UTF-8 sequence of two to four bytes
// at the start of `text`, or 0 when there is none. Overlong forms, encoded
// surrogates and code points above U+10FFFF are not well formed.
size_t Utf8SequenceLength(absl::string_view text) {
  auto byte_at = [&](size_t i) {
    return i < text.size() ? static_cast<unsigned char>(text[i]) : 0;
  };
  auto continuation = [](unsigned char byte, unsigned char low = 0x80,
                         unsigned char high = 0xBF) {
    return byte >= low && byte <= high;
  };
  unsigned char lead = byte_at(0);
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(byte_at(1)) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;
    unsigned char high = lead == 0xED ? 0x9F : 0xBF;
    return continuation(byte_at(1), low, high) && continuation(byte_at(2))
               ? 3
               : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    unsigned char low = lead == 0xF0 ? 0x90 : 0x80;
    unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;
    return continuation(byte_at(1), low, high) && continuation(byte_at(2)) &&
                   continuation(byte_at(3))
               ? 4
               : 0;
  }
  return 0;
}

// Escapes the bytes of `text` that a terminal would act on, so that an error
// message shows them: ASCII and C1 control characters become \n, \r, \t
// or \u00XX, and bytes that are not UTF-8 become \xXX. Other UTF-8 text is
// kept.
std::string EscapeForMessage(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    unsigned char byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7F) {
      out.push_back(text[i++]);
      continue;
    }
    if (byte < 0x80) {
      constexpr absl::string_view kControls = "\n\r\t";
      constexpr absl::string_view kEscapes = "nrt";
      if (size_t at = kControls.find(text[i]); at != absl::string_view::npos) {
        absl::StrAppend(&out, "\\", kEscapes.substr(at, 1));
      } else {
        absl::StrAppend(&out, "\\u00", absl::Hex(byte, absl::kZeroPad2));
      }
      ++i;
      continue;
    }
    size_t length = Utf8SequenceLength(text.substr(i));
    if (length == 0) {
      absl::StrAppend(&out, "\\x", absl::Hex(byte, absl::kZeroPad2));
      ++i;
      continue;
    }
    // U+0080 to U+009F, the C1 controls, are C2 80 to C2 9F in UTF-8.
    unsigned char second = static_cast<unsigned char>(text[i + 1]);
    if (byte == 0xC2 && second < 0xA0) {
      absl::StrAppend(&out, "\\u00", absl::Hex(second, absl::kZeroPad2));
    } else {
      out.append(text.data() + i, length);
    }
    i += length;
  }
  return out;
}

// Escapes `text` as EscapeForMessage() does, but keeps its line breaks, both
// LF and CR LF, as LF.
std::string EscapeLinesForMessage(absl::string_view text) {
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  std::vector<std::string> escaped;
  escaped.reserve(lines.size());
  for (absl::string_view line : lines) {
    escaped.push_back(EscapeForMessage(absl::StripSuffix(line, "\r")));
  }
  return absl::StrJoin(escaped, "\n");
}

void DescribeInto(const Value& value, std::string& out) {
  if (out.size() > kDescribeLimit) return;
  switch (value.kind_case()) {
    case Value::kNullValue:
      out += "null";
      return;
    case Value::kBoolValue:
      out += value.bool_value() ? "true" : "false";
      return;
    case Value::kNumberValue: {
      if (std::optional<std::string> literal = NumberLiteral(value)) {
        out += *literal;
        return;
      }
      double number = value.number_value();
      if (std::isfinite(number) && number == std::floor(number) &&
          std::fabs(number) < 1e15) {
        absl::StrAppend(&out, static_cast<int64_t>(number));
      } else {
        absl::StrAppend(&out, number);
      }
      return;
    }
    case Value::kStringValue:
      absl::StrAppend(&out, "\"", EscapeForMessage(value.string_value()),
                      "\"");
      return;
    case Value::kListValue: {
      out += "[";
      bool first = true;
      for (const Value& item : value.list_value().values()) {
        if (!first) out += ",";
        first = false;
        DescribeInto(item, out);
        if (out.size() > kDescribeLimit) return;
      }
      out += "]";
      return;
    }
    case Value::kStructValue: {
      out += "{";
      bool first = true;
      for (const auto& [key, item] : value.struct_value().fields()) {
        if (!first) out += ",";
        first = false;
        absl::StrAppend(&out, "\"", EscapeForMessage(key), "\":");
        DescribeInto(item, out);
        if (out.size() > kDescribeLimit) return;
      }
      out += "}";
      return;
    }
    default:
      out += "(unset)";
      return;
  }
}

// Returns the byte offset where nesting first exceeds kMaxDepth, or npos.
// Brackets inside strings do not count. Strings may be in single quotes, as
// protobuf's parser accepts them, so that a double quote inside single
// quotes cannot hide deep nesting after it from this check. The parser's
// time grows much faster than linearly with depth.
size_t FindTooDeepNesting(absl::string_view text) {
  int depth = 0;
  char quote = '\0';  // the quote of the string being skipped, or NUL
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote != '\0') {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = '\0';
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return absl::string_view::npos;
}

absl::Status NestingTooDeepError(size_t at) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid JSON: nesting deeper than ", kMaxDepth, " levels at byte ", at,
      "; expected at most ", kMaxDepth, " nested objects and arrays"));
}

// Walks the JSON text a second time, because protobuf's parser keeps neither
// the text of a number nor the path where it failed. With `document` (the
// Value parsed from `text`), Scan() records on each number Value the literal
// as written when it is not a short integer literal (see NumberLiteral()).
// Without it, after the parser failed, Scan() looks for the errors it can
// name by path: a repeated member or a number out of the range of a double.
//
// The scan accepts what protobuf 3.21's parser accepts beyond RFC 8259
// (single quotes, unquoted member names, trailing commas, numbers such as
// `1.` and `-.5`), so that a document the parser took is annotated in full.
// Its recursion stops at kMaxDepth levels.
class TextScanner {
 public:
  TextScanner(absl::string_view text, Value* document)
      : text_(text), document_(document) {}

  // Returns the error found, or OK. After a failed parse, OK means the scan
  // stopped at text that is not JSON, leaving that error to protobuf's
  // message. After a successful parse, text the scan cannot follow is an
  // error, so that no number escapes the annotation.
  absl::Status Scan() {
    SkipWhitespace();
    bool complete = ReadValue(Path(), document_);
    if (!error_.ok() || document_ == nullptr) return error_;
    if (complete) SkipWhitespace();
    if (!complete || pos_ < text_.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid JSON: unsupported syntax at byte ", pos_, " (",
          EscapeForMessage(ShortText(text_.substr(pos_))),
          "); expected JSON as RFC 8259 defines it"));
    }
    return absl::OkStatus();
  }

 private:
  // Each Read function returns false when the scan stops: on text it cannot
  // follow, or once error_ is set. `value` is the matching part of the
  // parsed document, or nullptr.
  bool ReadValue(const Path& path, Value* value) {
    if (pos_ >= text_.size()) return false;
    char c = text_[pos_];
    if (c == '{' || c == '[') {
      // FindTooDeepNesting() has rejected deeper text already, but this
      // check keeps the recursion bounded on its own.
      if (depth_ == kMaxDepth) {
        error_ = NestingTooDeepError(pos_);
        return false;
      }
      ++depth_;
      bool complete =
          c == '{' ? ReadObject(path, value) : ReadArray(path, value);
      --depth_;
      return complete;
    }
    if (c == '"' || c == '\'') {
      std::string ignored;
      return ReadString(ignored);
    }
    if (c == '-' || absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return ReadNumber(path, value);
    }
    for (absl::string_view literal : {"true", "false", "null"}) {
      if (absl::StartsWith(text_.substr(pos_), literal)) {
        pos_ += literal.size();
        return true;
      }
    }
    return false;
  }

  bool ReadObject(const Path& path, Value* value) {
    ++pos_;  // '{'
    SkipWhitespace();
    if (Consume('}')) return true;
    std::set<std::string> names;
    while (true) {
      std::string name;
      if (!ReadMemberName(name)) return false;
      Path member_path = path.Field(name);
      if (!names.insert(name).second) {
        error_ = absl::InvalidArgumentError(
            absl::StrCat("invalid JSON: ", member_path.ToString(),
                         ": duplicate member; expected each member once"));
        return false;
      }
      Value* member = nullptr;
      if (value != nullptr) {
        member = FindMember(*value, name);
        if (member == nullptr) return false;
      }
      SkipWhitespace();
      if (!Consume(':')) return false;
      SkipWhitespace();
      if (!ReadValue(member_path, member)) return false;
      SkipWhitespace();
      if (Consume('}')) return true;
      if (!Consume(',')) return false;
      SkipWhitespace();
      if (Consume('}')) return true;  // a trailing comma
    }
  }

  bool ReadArray(const Path& path, Value* value) {
    ++pos_;  // '['
    SkipWhitespace();
    if (Consume(']')) return true;
    for (int index = 0;; ++index) {
      Value* item = nullptr;
      if (value != nullptr) {
        if (!value->has_list_value() ||
            index >= value->list_value().values_size()) {
          return false;
        }
        item = value->mutable_list_value()->mutable_values(index);
      }
      if (!ReadValue(path.Index(index), item)) return false;
      SkipWhitespace();
      if (Consume(']')) return true;
      if (!Consume(',')) return false;
      SkipWhitespace();
      if (Consume(']')) return true;  // a trailing comma
    }
  }

  static Value* FindMember(Value& object, const std::string& name) {
    if (!object.has_struct_value()) return nullptr;
    auto& fields = *object.mutable_struct_value()->mutable_fields();
    auto it = fields.find(name);
    return it == fields.end() ? nullptr : &it->second;
  }

  // Reads a quoted member name, or an unquoted one of letters, digits, `_`
  // and `$` as protobuf's parser allows.
  bool ReadMemberName(std::string& out) {
    if (pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\'')) {
      return ReadString(out);
    }
    auto is_name_char = [](char c) {
      return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
             c == '$';
    };
    if (pos_ >= text_.size() ||
        absl::ascii_isdigit(static_cast<unsigned char>(text_[pos_])) ||
        !is_name_char(text_[pos_])) {
      return false;
    }
    while (pos_ < text_.size() && is_name_char(text_[pos_])) {
      out.push_back(text_[pos_++]);
    }
    return true;
  }

  // Reads a string in double or single quotes and decodes its escapes into
  // `out` as protobuf's parser does, so that a name written with an escape
  // equals the same name written plainly. An escape that JSON does not
  // define (`\q`) is read as the character after the backslash.
  bool ReadString(std::string& out) {
    char quote = text_[pos_++];
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == quote) return true;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return false;
      char escape = text_[pos_++];
      constexpr absl::string_view kEscapes = "bfnrt";
      constexpr absl::string_view kDecoded = "\b\f\n\r\t";
      if (size_t at = kEscapes.find(escape); at != absl::string_view::npos) {
        out.push_back(kDecoded[at]);
        continue;
      }
      if (escape != 'u') {
        out.push_back(escape);
        continue;
      }
      std::optional<uint32_t> code_point = ReadEscapedCodePoint();
      if (!code_point.has_value()) return false;
      AppendUtf8(*code_point, out);
    }
    return false;
  }

  // Reads the four hex digits of a \uXXXX escape, and a second escape for a
  // surrogate pair. Returns nullopt on an unpaired surrogate.
  std::optional<uint32_t> ReadEscapedCodePoint() {
    std::optional<uint32_t> unit = ReadHex4();
    if (!unit.has_value() || (*unit >= 0xDC00 && *unit <= 0xDFFF)) {
      return std::nullopt;
    }
    if (*unit < 0xD800 || *unit > 0xDBFF) return unit;
    if (!Consume('\\') || !Consume('u')) return std::nullopt;
    std::optional<uint32_t> low = ReadHex4();
    if (!low.has_value() || *low < 0xDC00 || *low > 0xDFFF) {
      return std::nullopt;
    }
    return 0x10000 + ((*unit - 0xD800) << 10) + (*low - 0xDC00);
  }

  std::optional<uint32_t> ReadHex4() {
    if (text_.size() - pos_ < 4) return std::nullopt;
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
        return std::nullopt;
      }
      int digit = absl::ascii_isdigit(static_cast<unsigned char>(c))
                      ? c - '0'
                      : absl::ascii_tolower(c) - 'a' + 10;
      value = value * 16 + static_cast<uint32_t>(digit);
    }
    return value;
  }

  // Reads a number as protobuf's parser delimits it: the run of digits,
  // signs, points and exponent marks.
  bool ReadNumber(const Path& path, Value* value) {
    size_t start = pos_;
    while (pos_ < text_.size() &&
           (absl::ascii_isdigit(static_cast<unsigned char>(text_[pos_])) ||
            absl::string_view("+-.eE").find(text_[pos_]) !=
                absl::string_view::npos)) {
      ++pos_;
    }
    absl::string_view literal = text_.substr(start, pos_ - start);
    double number = 0;
    if (!absl::SimpleAtod(literal, &number)) return false;
    if (std::isinf(number)) {
      error_ = absl::InvalidArgumentError(absl::StrCat(
          "invalid JSON: ", path.ToString(), ": invalid value ",
          EscapeForMessage(ShortText(literal)),
          "; expected a number within the range of a double, at most "
          "1.7976931348623157e308 in magnitude"));
      return false;
    }
    if (value != nullptr) {
      if (!value->has_number_value()) return false;
      if (!IsShortIntegerLiteral(literal)) {
        value->GetReflection()
            ->MutableUnknownFields(value)
            ->AddLengthDelimited(kNumberLiteralField, std::string(literal));
      }
    }
    return true;
  }

  bool Consume(char c) {
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  void SkipWhitespace() {
    while (pos_ < text_.size() &&
           absl::ascii_isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
  }

  absl::string_view text_;
  Value* document_;
  size_t pos_ = 0;
  absl::Status error_;
  int depth_ = 0;
};

// Rejects objects whose member names differ only in ASCII case. FindField()
// falls back to a case-insensitive lookup, so such members would make the
// result depend on map order, and Azure itself reads names without regard
// to case.
absl::Status CheckMemberNames(const Value& value, const Path& path) {
  if (value.kind_case() == Value::kListValue) {
    const ListValue& list = value.list_value();
    for (int i = 0; i < list.values_size(); ++i) {
      absl::Status status = CheckMemberNames(list.values(i), path.Index(i));
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }
  if (value.kind_case() != Value::kStructValue) return absl::OkStatus();

  std::map<std::string, std::string> lower_to_name;
  for (const auto& [name, member] : value.struct_value().fields()) {
    auto [it, inserted] =
        lower_to_name.emplace(absl::AsciiStrToLower(name), name);
    if (!inserted) {
      const std::string& first = std::min(it->second, name);
      const std::string& second = std::max(it->second, name);
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid JSON: ", path.ToString(), ": members \"",
          EscapeForMessage(first), "\" and \"", EscapeForMessage(second),
          "\" differ only in case; expected unique member names, because "
          "Azure reads member names without regard to case"));
    }
  }
  // Visit members in name order, so the first problem reported is stable.
  for (const auto& [lower, name] : lower_to_name) {
    absl::Status status = CheckMemberNames(
        value.struct_value().fields().at(name), path.Field(name));
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

// Returns "UTF-16LE" or "UTF-16BE" when the first eight bytes of `bytes`
// (fewer in a shorter text, but at least four) alternate between NUL and
// other bytes, as ASCII text does in UTF-16. JSON text starts with ASCII,
// and UTF-8 JSON has no NUL bytes.
std::optional<absl::string_view> Utf16WithoutBom(absl::string_view bytes) {
  size_t checked = std::min<size_t>(bytes.size(), 8) & ~size_t{1};
  if (checked < 4) return std::nullopt;
  bool little_endian = true;
  bool big_endian = true;
  for (size_t i = 0; i < checked; i += 2) {
    little_endian = little_endian && bytes[i] != '\0' && bytes[i + 1] == '\0';
    big_endian = big_endian && bytes[i] == '\0' && bytes[i + 1] != '\0';
  }
  if (little_endian) return "UTF-16LE";
  if (big_endian) return "UTF-16BE";
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::string> DecodeToUtf8(absl::string_view bytes) {
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    return std::string(bytes.substr(3));
  }
  if (bytes.size() >= 2 && bytes.substr(0, 2) == "\xFF\xFE") {
    return Utf16ToUtf8(bytes.substr(2), /*little_endian=*/true);
  }
  if (bytes.size() >= 2 && bytes.substr(0, 2) == "\xFE\xFF") {
    return Utf16ToUtf8(bytes.substr(2), /*little_endian=*/false);
  }
  if (std::optional<absl::string_view> encoding = Utf16WithoutBom(bytes)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid text: the file looks like ", *encoding,
        " without a byte-order mark, because every second byte of its start "
        "is NUL; convert it to UTF-8 (for example with `iconv -f ", *encoding,
        " -t UTF-8 FILE`) or save it as UTF-16 with a byte-order mark"));
  }
  return std::string(bytes);
}

absl::StatusOr<Value> ParseJson(absl::string_view bytes) {
  absl::StatusOr<std::string> text = DecodeToUtf8(bytes);
  if (!text.ok()) return text.status();
  if (absl::StripAsciiWhitespace(*text).empty()) {
    return absl::InvalidArgumentError("invalid JSON: the document is empty");
  }

  // Protobuf's parser fails past about 33 nested objects with a message
  // that does not mention depth, so deep documents are rejected here first.
  if (size_t at = FindTooDeepNesting(*text); at != absl::string_view::npos) {
    return NestingTooDeepError(at);
  }

  Value value;
  google::protobuf::util::JsonParseOptions options;
  // Protobuf 3.21 returns its own status type, so only its message is used.
  auto status =
      google::protobuf::util::JsonStringToMessage(*text, &value, options);
  if (!status.ok()) {
    // A repeated member or an out-of-range number is named by its path.
    absl::Status found = TextScanner(*text, nullptr).Scan();
    if (!found.ok()) return found;
    // Protobuf's message quotes the text around the error after its first
    // line and marks the spot with a caret on the line after that.
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid JSON: ", EscapeLinesForMessage(std::string(status.message())),
        " (document starts ",
        EscapeLinesForMessage(ShortText(absl::StripAsciiWhitespace(*text))),
        ")"));
  }
  absl::Status literals = TextScanner(*text, &value).Scan();
  if (!literals.ok()) return literals;
  absl::Status names = CheckMemberNames(value, Path());
  if (!names.ok()) return names;
  return value;
}

Path Path::Field(absl::string_view name) const {
  if (text_.empty()) return Path(EscapeForMessage(name));
  return Path(absl::StrCat(text_, ".", EscapeForMessage(name)));
}

Path Path::Index(int index) const {
  return Path(absl::StrCat(text_, "[", index, "]"));
}

std::string Path::ToString() const {
  return text_.empty() ? std::string("(root)") : text_;
}

const Value* FindField(const Struct& object, absl::string_view name) {
  auto exact = object.fields().find(std::string(name));
  if (exact != object.fields().end()) return &exact->second;
  for (const auto& [key, value] : object.fields()) {
    if (absl::EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

bool IsNullOrAbsent(const Value* value) {
  return value == nullptr || value->kind_case() == Value::kNullValue ||
         value->kind_case() == Value::KIND_NOT_SET;
}

std::string Describe(const Value& value) {
  std::string out;
  DescribeInto(value, out);
  return ShortText(out);
}

absl::string_view TypeName(const Value& value) {
  switch (value.kind_case()) {
    case Value::kBoolValue:
      return "boolean";
    case Value::kNumberValue:
      return "number";
    case Value::kStringValue:
      return "string";
    case Value::kListValue:
      return "array";
    case Value::kStructValue:
      return "object";
    default:
      return "null";
  }
}

absl::Status InvalidField(const Path& path, const Value& value,
                          absl::string_view expected) {
  return absl::InvalidArgumentError(absl::StrCat(
      path.ToString(), ": invalid value ", Describe(value), "; expected ",
      expected));
}

absl::Status MissingField(const Path& path, absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat(path.ToString(), ": missing; expected ", expected));
}

absl::Status RejectNextPageLink(const Struct& list, const Path& path) {
  for (const auto& [key, value] : list.fields()) {
    if (!absl::EqualsIgnoreCase(key, "nextLink") &&
        !absl::EqualsIgnoreCase(key, "@odata.nextLink") &&
        !absl::EqualsIgnoreCase(key, "odata.nextLink")) {
      continue;
    }
    if (IsNullOrAbsent(&value)) continue;
    Path link_path = path.Field(key);
    if (value.kind_case() != Value::kStringValue) {
      return InvalidField(link_path, value,
                          "the URL of the next page, or null on the last page");
    }
    if (value.string_value().empty()) continue;
    const bool graph = !absl::EqualsIgnoreCase(key, "nextLink");
    return absl::InvalidArgumentError(absl::StrCat(
        link_path.ToString(), ": the file is one page of a paged ",
        graph ? "Graph" : "Azure Resource Manager",
        " list, so the items on later pages are missing; follow ", key, " (",
        Describe(value), ") and merge every page's value array into one file"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> GetString(const Value& value, const Path& path) {
  if (value.kind_case() != Value::kStringValue) {
    return InvalidField(path, value, "a string");
  }
  return value.string_value();
}

absl::StatusOr<bool> GetBool(const Value& value, const Path& path) {
  if (value.kind_case() != Value::kBoolValue) {
    return InvalidField(path, value, "true or false");
  }
  return value.bool_value();
}

absl::StatusOr<int64_t> GetInteger(const Value& value, const Path& path,
                                   int64_t min, int64_t max) {
  std::string expected =
      absl::StrCat("an integer between ", min, " and ", max);
  if (value.kind_case() == Value::kStringValue) {
    int64_t parsed = 0;
    absl::string_view text = value.string_value();
    if (!IsDecimalInteger(text) || !absl::SimpleAtoi(text, &parsed) ||
        parsed < min || parsed > max) {
      return InvalidField(path, value, expected);
    }
    return parsed;
  }
  if (value.kind_case() != Value::kNumberValue) {
    return InvalidField(path, value, expected);
  }
  // A number read by ParseJson() with a fraction, an exponent or more than
  // 15 digits has its literal kept. The literal decides, because its double
  // may have been rounded to an integer (99.99999999999999999 is 100.0).
  if (std::optional<std::string> literal = NumberLiteral(value)) {
    int64_t parsed = 0;
    if (!IsDecimalInteger(*literal)) {
      return InvalidField(
          path, value,
          absl::StrCat(expected, ", written without a fraction or exponent"));
    }
    if (!absl::SimpleAtoi(*literal, &parsed) || parsed < min || parsed > max) {
      return InvalidField(path, value, expected);
    }
    return parsed;
  }
  double number = value.number_value();
  if (!std::isfinite(number) || number != std::floor(number) ||
      number < static_cast<double>(min) || number > static_cast<double>(max)) {
    return InvalidField(path, value, expected);
  }
  return static_cast<int64_t>(number);
}

absl::StatusOr<const Struct*> GetObject(const Value& value, const Path& path) {
  if (value.kind_case() != Value::kStructValue) {
    return InvalidField(path, value, "an object");
  }
  return &value.struct_value();
}

absl::StatusOr<const ListValue*> GetArray(const Value& value,
                                          const Path& path) {
  if (value.kind_case() != Value::kListValue) {
    return InvalidField(path, value, "an array");
  }
  return &value.list_value();
}

}  // namespace portcullis::json
