#include "nsg/arm_template.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/message_differencer.h"
#include "json/json.h"
#include "nsg/model.h"

namespace portcullis::nsg {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

// Largest array an expression may build.
constexpr int kMaxArrayItems = 100000;

Value MakeString(std::string text) {
  Value value;
  value.set_string_value(std::move(text));
  return value;
}

Value MakeNumber(double number) {
  Value value;
  value.set_number_value(number);
  return value;
}

Value MakeBool(bool flag) {
  Value value;
  value.set_bool_value(flag);
  return value;
}

absl::Status InvalidArgs(absl::string_view function, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("template function ", function, "(): ", why));
}

// Writes an integral number without a fraction, as templates print ints.
std::string NumberText(double number) {
  if (std::isfinite(number) && number == std::floor(number) &&
      std::fabs(number) < 9.0e15) {
    return absl::StrCat(static_cast<int64_t>(number));
  }
  return absl::StrCat(number);
}

// The text of a scalar for concat(), format() and string().
absl::StatusOr<std::string> ScalarText(const Value& value,
                                       absl::string_view function) {
  switch (value.kind_case()) {
    case Value::kStringValue:
      return value.string_value();
    case Value::kNumberValue:
      return NumberText(value.number_value());
    case Value::kBoolValue:
      return std::string(value.bool_value() ? "True" : "False");
    default:
      return InvalidArgs(function,
                         absl::StrCat("cannot turn ", json::TypeName(value),
                                      " ", json::Describe(value), " into text"));
  }
}

absl::StatusOr<std::string> StringArg(const std::vector<Value>& args, size_t i,
                                      absl::string_view function) {
  if (i >= args.size() || args[i].kind_case() != Value::kStringValue) {
    return InvalidArgs(function,
                       absl::StrCat("argument ", i + 1, " must be a string"));
  }
  return args[i].string_value();
}

absl::StatusOr<bool> BoolArg(const std::vector<Value>& args, size_t i,
                             absl::string_view function) {
  if (i >= args.size() || args[i].kind_case() != Value::kBoolValue) {
    return InvalidArgs(function,
                       absl::StrCat("argument ", i + 1, " must be a boolean"));
  }
  return args[i].bool_value();
}

bool ValuesEqual(const Value& a, const Value& b) {
  if (a.kind_case() != b.kind_case()) return false;
  switch (a.kind_case()) {
    case Value::kStringValue:
      return a.string_value() == b.string_value();
    case Value::kNumberValue:
      return a.number_value() == b.number_value();
    case Value::kBoolValue:
      return a.bool_value() == b.bool_value();
    case Value::kListValue: {
      if (a.list_value().values_size() != b.list_value().values_size()) {
        return false;
      }
      for (int i = 0; i < a.list_value().values_size(); ++i) {
        if (!ValuesEqual(a.list_value().values(i), b.list_value().values(i))) {
          return false;
        }
      }
      return true;
    }
    case Value::kStructValue: {
      const auto& left = a.struct_value().fields();
      const auto& right = b.struct_value().fields();
      if (left.size() != right.size()) return false;
      for (const auto& [key, item] : left) {
        auto other = right.find(key);
        if (other == right.end() || !ValuesEqual(item, other->second)) {
          return false;
        }
      }
      return true;
    }
    default:
      return true;
  }
}

absl::Status CheckSize(const Value& value) {
  if (value.kind_case() == Value::kStringValue &&
      value.string_value().size() > kMaxExpressionResultBytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("template expression result of ",
                     value.string_value().size(), " bytes; expected at most ",
                     kMaxExpressionResultBytes));
  }
  if (value.kind_case() == Value::kListValue &&
      value.list_value().values_size() > kMaxArrayItems) {
    return absl::ResourceExhaustedError(
        absl::StrCat("template expression result of ",
                     value.list_value().values_size(),
                     " items; expected at most ", kMaxArrayItems));
  }
  return absl::OkStatus();
}

absl::StatusOr<Value> Concat(const std::vector<Value>& args) {
  bool arrays = !args.empty() && args[0].kind_case() == Value::kListValue;
  if (arrays) {
    Value result;
    ListValue* list = result.mutable_list_value();
    for (const Value& arg : args) {
      if (arg.kind_case() != Value::kListValue) {
        return InvalidArgs("concat", "cannot mix arrays and other values");
      }
      if (list->values_size() + arg.list_value().values_size() >
          kMaxArrayItems) {
        return absl::ResourceExhaustedError(
            "template function concat(): result too large");
      }
      for (const Value& item : arg.list_value().values()) {
        *list->add_values() = item;
      }
    }
    return result;
  }

  std::string text;
  for (const Value& arg : args) {
    absl::StatusOr<std::string> part = ScalarText(arg, "concat");
    if (!part.ok()) return part.status();
    if (text.size() + part->size() > kMaxExpressionResultBytes) {
      return absl::ResourceExhaustedError(
          "template function concat(): result too large");
    }
    text += *part;
  }
  return MakeString(std::move(text));
}

// Composite formatting as .NET's String.Format does it, for "{0}" items and
// "{{" / "}}" escapes. Format specifiers ("{0:N2}") are not supported.
absl::StatusOr<Value> Format(const std::vector<Value>& args) {
  absl::StatusOr<std::string> pattern = StringArg(args, 0, "format");
  if (!pattern.ok()) return pattern.status();

  std::string out;
  for (size_t i = 0; i < pattern->size(); ++i) {
    char c = (*pattern)[i];
    if (c == '}' && i + 1 < pattern->size() && (*pattern)[i + 1] == '}') {
      out += '}';
      ++i;
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < pattern->size() && (*pattern)[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    size_t close = pattern->find('}', i);
    int index = 0;
    if (close == std::string::npos ||
        !absl::SimpleAtoi(pattern->substr(i + 1, close - i - 1), &index) ||
        index < 0 || static_cast<size_t>(index) + 1 >= args.size()) {
      return InvalidArgs("format",
                         absl::StrCat("invalid format item in ",
                                      QuoteForMessage(*pattern),
                                      "; expected {0} to {",
                                      args.size() >= 2 ? args.size() - 2 : 0,
                                      "}"));
    }
    absl::StatusOr<std::string> part = ScalarText(args[index + 1], "format");
    if (!part.ok()) return part.status();
    out += *part;
    if (out.size() > kMaxExpressionResultBytes) {
      return absl::ResourceExhaustedError(
          "template function format(): result too large");
    }
    i = close;
  }
  return MakeString(std::move(out));
}

// resourceId([subscriptionId,] [resourceGroupName,] resourceType,
// resourceName1, [resourceName2, ...]): the type is the first argument that
// contains a '/', and it needs one name per type segment after the namespace.
absl::StatusOr<Value> ResourceId(const std::vector<Value>& args,
                                 const DeploymentScope& scope) {
  std::vector<std::string> texts;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::StatusOr<std::string> text = StringArg(args, i, "resourceId");
    if (!text.ok()) return text.status();
    texts.push_back(*std::move(text));
  }
  size_t type_index = 0;
  while (type_index < texts.size() &&
         !absl::StrContains(texts[type_index], '/')) {
    ++type_index;
  }
  if (type_index >= texts.size() || type_index > 2) {
    return InvalidArgs("resourceId",
                       "expected a resource type such as "
                       "'Microsoft.Network/networkSecurityGroups'");
  }

  std::string subscription = scope.subscription_id.empty()
                                 ? "{subscriptionId}"
                                 : scope.subscription_id;
  std::string group =
      scope.resource_group.empty() ? "{resourceGroupName}" : scope.resource_group;
  if (type_index == 2) subscription = texts[0];
  if (type_index >= 1) group = texts[type_index - 1];

  std::vector<std::string> segments = absl::StrSplit(
      absl::StripSuffix(texts[type_index], "/"), '/');
  std::vector<std::string> names(texts.begin() + type_index + 1, texts.end());
  if (segments.size() < 2 || names.size() != segments.size() - 1) {
    return InvalidArgs(
        "resourceId",
        absl::StrCat("type ", QuoteForMessage(texts[type_index]), " needs ",
                     segments.size() < 2 ? 1 : segments.size() - 1,
                     " resource names, got ", names.size()));
  }

  std::string id = absl::StrCat("/subscriptions/", subscription,
                                "/resourceGroups/", group, "/providers/",
                                segments[0]);
  for (size_t i = 1; i < segments.size(); ++i) {
    absl::StrAppend(&id, "/", segments[i], "/", names[i - 1]);
  }
  return MakeString(std::move(id));
}

absl::StatusOr<Value> Length(const std::vector<Value>& args) {
  if (args.size() != 1) return InvalidArgs("length", "expected 1 argument");
  switch (args[0].kind_case()) {
    case Value::kStringValue:
      return MakeNumber(static_cast<double>(args[0].string_value().size()));
    case Value::kListValue:
      return MakeNumber(args[0].list_value().values_size());
    case Value::kStructValue:
      return MakeNumber(args[0].struct_value().fields_size());
    default:
      return InvalidArgs("length", "expected a string, an array or an object");
  }
}

absl::StatusOr<Value> ToInt(const std::vector<Value>& args) {
  if (args.size() != 1) return InvalidArgs("int", "expected 1 argument");
  int64_t number = 0;
  if (args[0].kind_case() == Value::kNumberValue) {
    return MakeNumber(std::trunc(args[0].number_value()));
  }
  if (args[0].kind_case() == Value::kStringValue &&
      absl::SimpleAtoi(args[0].string_value(), &number)) {
    return MakeNumber(static_cast<double>(number));
  }
  return InvalidArgs("int", absl::StrCat("cannot turn ",
                                         json::Describe(args[0]),
                                         " into an integer"));
}

absl::StatusOr<Value> ToBool(const std::vector<Value>& args) {
  if (args.size() != 1) return InvalidArgs("bool", "expected 1 argument");
  if (args[0].kind_case() == Value::kBoolValue) return args[0];
  if (args[0].kind_case() == Value::kStringValue) {
    if (absl::EqualsIgnoreCase(args[0].string_value(), "true")) {
      return MakeBool(true);
    }
    if (absl::EqualsIgnoreCase(args[0].string_value(), "false")) {
      return MakeBool(false);
    }
  }
  if (args[0].kind_case() == Value::kNumberValue) {
    return MakeBool(args[0].number_value() != 0);
  }
  return InvalidArgs("bool", absl::StrCat("cannot turn ",
                                          json::Describe(args[0]),
                                          " into a boolean"));
}

// Functions that need a live deployment and cannot be evaluated offline.
bool NeedsDeployment(absl::string_view name) {
  static constexpr absl::string_view kNames[] = {
      "reference", "list",     "listKeys",    "uniqueString", "deployment",
      "environment", "newGuid", "utcNow",     "managementGroup", "tenant",
      "providers", "extensionResourceId", "subscriptionResourceId",
      "tenantResourceId", "pickZones", "copyIndex"};
  for (absl::string_view known : kNames) {
    if (absl::EqualsIgnoreCase(name, known)) return true;
  }
  return false;
}

}  // namespace

bool IsTemplateExpression(absl::string_view text) {
  return text.size() >= 2 && text.front() == '[' && text.back() == ']' &&
         !absl::StartsWith(text, "[[");
}

// Keeps depth_ within kMaxExpressionDepth over one nested evaluation.
class TemplateEvaluator::DepthGuard {
 public:
  explicit DepthGuard(TemplateEvaluator* evaluator) : evaluator_(evaluator) {
    ++evaluator_->depth_;
  }
  ~DepthGuard() { --evaluator_->depth_; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;

  absl::Status Check() const {
    if (evaluator_->depth_ > kMaxExpressionDepth) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "template expressions nested more than ", kMaxExpressionDepth,
          " levels deep"));
    }
    return absl::OkStatus();
  }

 private:
  TemplateEvaluator* evaluator_;
};

// A recursive-descent parser that evaluates while it parses:
//
//   expression := primary accessor*
//   primary    := 'string' | integer | name '(' [expression {',' expression}] ')'
//   accessor   := '.' name | '[' expression ']'
struct TemplateEvaluator::Parser {
  TemplateEvaluator* evaluator;
  absl::string_view text;
  size_t pos = 0;

  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid template expression ", QuoteForMessage(text),
                     ": ", what, " at offset ", pos));
  }

  void SkipSpaces() {
    while (pos < text.size() &&
           absl::ascii_isspace(static_cast<unsigned char>(text[pos]))) {
      ++pos;
    }
  }

  bool Consume(char c) {
    SkipSpaces();
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }

  absl::string_view Name() {
    SkipSpaces();
    size_t start = pos;
    while (pos < text.size() &&
           (absl::ascii_isalnum(static_cast<unsigned char>(text[pos])) ||
            text[pos] == '_' || text[pos] == '$')) {
      ++pos;
    }
    return text.substr(start, pos - start);
  }

  absl::StatusOr<Value> Expression() {
    DepthGuard guard(evaluator);
    if (absl::Status status = guard.Check(); !status.ok()) return status;

    absl::StatusOr<Value> value = Primary();
    if (!value.ok()) return value.status();
    while (true) {
      if (Consume('.')) {
        absl::string_view member = Name();
        if (member.empty()) return Error("expected a property name");
        value = Member(*value, member);
      } else if (Consume('[')) {
        absl::StatusOr<Value> index = Expression();
        if (!index.ok()) return index.status();
        if (!Consume(']')) return Error("expected ']'");
        value = Index(*value, *index);
      } else {
        return value;
      }
      if (!value.ok()) return value.status();
    }
  }

  absl::StatusOr<Value> Member(const Value& object, absl::string_view member) {
    if (object.kind_case() != Value::kStructValue) {
      return Error(absl::StrCat("property ", QuoteForMessage(member),
                                " of a value that is not an object"));
    }
    const Value* found = json::FindField(object.struct_value(), member);
    if (found == nullptr) {
      return Error(absl::StrCat("no property ", QuoteForMessage(member)));
    }
    return *found;
  }

  absl::StatusOr<Value> Index(const Value& container, const Value& index) {
    if (index.kind_case() == Value::kStringValue) {
      return Member(container, index.string_value());
    }
    if (container.kind_case() != Value::kListValue ||
        index.kind_case() != Value::kNumberValue) {
      return Error("expected an array index");
    }
    double number = index.number_value();
    int size = container.list_value().values_size();
    if (!(number >= 0 && number < size && number == std::floor(number))) {
      return Error(absl::StrCat("index ", NumberText(number),
                                " outside an array of ", size, " items"));
    }
    return container.list_value().values(static_cast<int>(number));
  }

  absl::StatusOr<Value> Primary() {
    SkipSpaces();
    if (pos >= text.size()) return Error("unexpected end");
    char c = text[pos];
    if (c == '\'') return StringLiteral();
    if (c == '-' || absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return Integer();
    }
    absl::string_view name = Name();
    if (name.empty()) return Error("expected a function call");
    if (!Consume('(')) return Error("expected '(' after a function name");

    std::vector<Value> args;
    if (!Consume(')')) {
      while (true) {
        absl::StatusOr<Value> arg = Expression();
        if (!arg.ok()) return arg.status();
        args.push_back(*std::move(arg));
        if (Consume(')')) break;
        if (!Consume(',')) return Error("expected ',' or ')'");
      }
    }
    absl::StatusOr<Value> result = evaluator->Call(name, args);
    if (!result.ok()) return result.status();
    if (absl::Status status = CheckSize(*result); !status.ok()) return status;
    return result;
  }

  // 'text' with '' standing for one quote.
  absl::StatusOr<Value> StringLiteral() {
    ++pos;
    std::string out;
    while (pos < text.size()) {
      if (text[pos] == '\'') {
        if (pos + 1 < text.size() && text[pos + 1] == '\'') {
          out += '\'';
          pos += 2;
          continue;
        }
        ++pos;
        return MakeString(std::move(out));
      }
      out += text[pos++];
    }
    return Error("unterminated string literal");
  }

  absl::StatusOr<Value> Integer() {
    size_t start = pos;
    if (text[pos] == '-') ++pos;
    while (pos < text.size() &&
           absl::ascii_isdigit(static_cast<unsigned char>(text[pos]))) {
      ++pos;
    }
    int64_t number = 0;
    if (!absl::SimpleAtoi(text.substr(start, pos - start), &number) ||
        std::llabs(number) > (int64_t{1} << 53)) {
      return Error("invalid integer");
    }
    return MakeNumber(static_cast<double>(number));
  }
};

absl::StatusOr<TemplateEvaluator> TemplateEvaluator::Create(
    const Struct& template_root, const Value* parameters_file,
    DeploymentScope scope) {
  TemplateEvaluator evaluator;
  evaluator.scope_ = std::move(scope);

  const Value* parameters = json::FindField(template_root, "parameters");
  if (!json::IsNullOrAbsent(parameters)) {
    absl::StatusOr<const Struct*> object =
        json::GetObject(*parameters, json::Path("parameters"));
    if (!object.ok()) return object.status();
    evaluator.parameters_ = **object;
  }
  const Value* variables = json::FindField(template_root, "variables");
  if (!json::IsNullOrAbsent(variables)) {
    absl::StatusOr<const Struct*> object =
        json::GetObject(*variables, json::Path("variables"));
    if (!object.ok()) return object.status();
    evaluator.variables_ = **object;
  }

  if (parameters_file == nullptr) return evaluator;
  absl::StatusOr<const Struct*> file_root =
      json::GetObject(*parameters_file, json::Path());
  if (!file_root.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("parameters file: ", file_root.status().message()));
  }
  // Parameters files wrap the values in `parameters`; a bare map of
  // `{"x": {"value": ...}}` is accepted too.
  const Struct* values = *file_root;
  json::Path values_path;
  const Value* wrapped = json::FindField(**file_root, "parameters");
  if (wrapped != nullptr && wrapped->has_struct_value()) {
    values = &wrapped->struct_value();
    values_path = json::Path("parameters");
  }
  for (const auto& [name, entry] : values->fields()) {
    if (absl::StartsWith(name, "$") || absl::EqualsIgnoreCase(name, "contentVersion")) {
      continue;
    }
    json::Path path = values_path.Field(name);
    if (json::FindField(evaluator.parameters_, name) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "parameters file: ", path.ToString(),
          ": the template declares no parameter ", QuoteForMessage(name),
          " (InvalidTemplate)"));
    }
    const Value* value = entry.has_struct_value()
                             ? json::FindField(entry.struct_value(), "value")
                             : nullptr;
    if (value == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("parameters file: ", path.ToString(),
                       ": missing; expected an object with a \"value\" "
                       "member (Key Vault references are not supported)"));
    }
    (*evaluator.given_values_.mutable_fields())[absl::AsciiStrToLower(name)] =
        *value;
  }
  return evaluator;
}

absl::StatusOr<Value> TemplateEvaluator::EvaluateString(absl::string_view text) {
  if (!IsTemplateExpression(text)) {
    if (absl::StartsWith(text, "[[")) return MakeString(std::string(text.substr(1)));
    return MakeString(std::string(text));
  }
  Parser parser{this, text.substr(1, text.size() - 2)};
  absl::StatusOr<Value> value = parser.Expression();
  if (!value.ok()) return value.status();
  parser.SkipSpaces();
  if (parser.pos != parser.text.size()) {
    return parser.Error("unexpected text after the expression");
  }
  return value;
}

absl::StatusOr<Value> TemplateEvaluator::Resolve(const Value& value) {
  DepthGuard guard(this);
  if (absl::Status status = guard.Check(); !status.ok()) return status;

  switch (value.kind_case()) {
    case Value::kStringValue:
      return EvaluateString(value.string_value());
    case Value::kListValue: {
      Value result;
      ListValue* list = result.mutable_list_value();
      for (const Value& item : value.list_value().values()) {
        absl::StatusOr<Value> resolved = Resolve(item);
        if (!resolved.ok()) return resolved.status();
        *list->add_values() = *std::move(resolved);
      }
      return result;
    }
    case Value::kStructValue: {
      Value result;
      Struct* object = result.mutable_struct_value();
      for (const auto& [key, item] : value.struct_value().fields()) {
        absl::StatusOr<Value> resolved = Resolve(item);
        if (!resolved.ok()) return resolved.status();
        (*object->mutable_fields())[key] = *std::move(resolved);
      }
      return result;
    }
    default:
      return value;
  }
}

namespace {

// True when two parameter values are the same; strings compare without
// regard to case, the more accepting reading of allowedValues.
bool SameParameterValue(const Value& a, const Value& b) {
  if (a.kind_case() == Value::kStringValue &&
      b.kind_case() == Value::kStringValue) {
    return absl::EqualsIgnoreCase(a.string_value(), b.string_value());
  }
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// Checks `value` against the declaration's allowedValues, as Azure does
// before it deploys anything (InvalidTemplate).
absl::Status CheckAllowedValues(absl::string_view name,
                                const Value& declaration, const Value& value) {
  if (!declaration.has_struct_value()) return absl::OkStatus();
  const Value* allowed =
      json::FindField(declaration.struct_value(), "allowedValues");
  if (json::IsNullOrAbsent(allowed)) return absl::OkStatus();
  if (!allowed->has_list_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "template parameter ", QuoteForMessage(name),
        ": invalid allowedValues ", json::Describe(*allowed),
        "; expected an array"));
  }
  for (const Value& candidate : allowed->list_value().values()) {
    if (SameParameterValue(candidate, value)) return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "template parameter ", QuoteForMessage(name), ": invalid value ",
      json::Describe(value), "; expected one of its allowedValues ",
      json::Describe(*allowed)));
}

}  // namespace

absl::StatusOr<Value> TemplateEvaluator::Parameter(absl::string_view name) {
  std::string key = absl::StrCat("p:", absl::AsciiStrToLower(name));
  if (auto cached = cache_.find(key); cached != cache_.end()) {
    return cached->second;
  }

  const Value* declaration = json::FindField(parameters_, name);
  if (declaration == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "template parameter ", QuoteForMessage(name), " is not declared"));
  }
  const Value* given =
      json::FindField(given_values_, absl::AsciiStrToLower(name));
  if (given != nullptr) {
    if (absl::Status allowed = CheckAllowedValues(name, *declaration, *given);
        !allowed.ok()) {
      return allowed;
    }
    cache_[key] = *given;
    return *given;
  }

  const Value* fallback = declaration->has_struct_value()
                              ? json::FindField(declaration->struct_value(),
                                                "defaultValue")
                              : nullptr;
  if (fallback == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the value of template parameter ", QuoteForMessage(name),
        " is not provided; give it in a parameters file"));
  }
  if (!evaluating_.insert(key).second) {
    return absl::InvalidArgumentError(absl::StrCat(
        "template parameter ", QuoteForMessage(name), " refers to itself"));
  }
  absl::StatusOr<Value> resolved = Resolve(*fallback);
  evaluating_.erase(key);
  if (!resolved.ok()) {
    return absl::Status(resolved.status().code(),
                        absl::StrCat("default value of template parameter ",
                                     QuoteForMessage(name), ": ",
                                     resolved.status().message()));
  }
  if (absl::Status allowed = CheckAllowedValues(name, *declaration, *resolved);
      !allowed.ok()) {
    return allowed;
  }
  cache_[key] = *resolved;
  return resolved;
}

absl::StatusOr<Value> TemplateEvaluator::Variable(absl::string_view name) {
  std::string key = absl::StrCat("v:", absl::AsciiStrToLower(name));
  if (auto cached = cache_.find(key); cached != cache_.end()) {
    return cached->second;
  }

  const Value* declaration = json::FindField(variables_, name);
  if (declaration == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "template variable ", QuoteForMessage(name), " is not declared"));
  }
  if (!evaluating_.insert(key).second) {
    return absl::InvalidArgumentError(absl::StrCat(
        "template variable ", QuoteForMessage(name), " refers to itself"));
  }
  absl::StatusOr<Value> resolved = Resolve(*declaration);
  evaluating_.erase(key);
  if (!resolved.ok()) {
    return absl::Status(resolved.status().code(),
                        absl::StrCat("template variable ",
                                     QuoteForMessage(name), ": ",
                                     resolved.status().message()));
  }
  cache_[key] = *resolved;
  return resolved;
}

absl::StatusOr<Value> TemplateEvaluator::Call(absl::string_view name,
                                             const std::vector<Value>& args) {
  auto is = [&](absl::string_view known) {
    return absl::EqualsIgnoreCase(name, known);
  };

  if (is("parameters") || is("variables")) {
    absl::StatusOr<std::string> key = StringArg(args, 0, name);
    if (!key.ok()) return key.status();
    return is("parameters") ? Parameter(*key) : Variable(*key);
  }
  if (is("concat")) return Concat(args);
  if (is("format")) return Format(args);
  if (is("resourceId")) return ResourceId(args, scope_);
  if (is("string")) {
    if (args.size() != 1) return InvalidArgs("string", "expected 1 argument");
    absl::StatusOr<std::string> text = ScalarText(args[0], "string");
    if (!text.ok()) return text.status();
    return MakeString(*std::move(text));
  }
  if (is("int")) return ToInt(args);
  if (is("bool")) return ToBool(args);
  if (is("toLower") || is("toUpper")) {
    absl::StatusOr<std::string> text = StringArg(args, 0, name);
    if (!text.ok()) return text.status();
    return MakeString(is("toLower") ? absl::AsciiStrToLower(*text)
                                    : absl::AsciiStrToUpper(*text));
  }
  if (is("replace")) {
    absl::StatusOr<std::string> text = StringArg(args, 0, name);
    absl::StatusOr<std::string> from = StringArg(args, 1, name);
    absl::StatusOr<std::string> to = StringArg(args, 2, name);
    if (!text.ok()) return text.status();
    if (!from.ok()) return from.status();
    if (!to.ok()) return to.status();
    if (from->empty()) return InvalidArgs("replace", "argument 2 is empty");
    std::string replaced = absl::StrReplaceAll(*text, {{*from, *to}});
    return MakeString(std::move(replaced));
  }
  if (is("equals")) {
    if (args.size() != 2) return InvalidArgs("equals", "expected 2 arguments");
    return MakeBool(ValuesEqual(args[0], args[1]));
  }
  if (is("not")) {
    absl::StatusOr<bool> flag = BoolArg(args, 0, name);
    if (!flag.ok()) return flag.status();
    return MakeBool(!*flag);
  }
  if (is("and") || is("or")) {
    if (args.size() < 2) return InvalidArgs(name, "expected 2 or more arguments");
    bool result = is("and");
    for (size_t i = 0; i < args.size(); ++i) {
      absl::StatusOr<bool> flag = BoolArg(args, i, name);
      if (!flag.ok()) return flag.status();
      result = is("and") ? (result && *flag) : (result || *flag);
    }
    return MakeBool(result);
  }
  if (is("if")) {
    absl::StatusOr<bool> flag = BoolArg(args, 0, name);
    if (!flag.ok()) return flag.status();
    if (args.size() != 3) return InvalidArgs("if", "expected 3 arguments");
    return *flag ? args[1] : args[2];
  }
  if (is("true") || is("false")) return MakeBool(is("true"));
  if (is("createArray")) {
    Value result;
    for (const Value& arg : args) *result.mutable_list_value()->add_values() = arg;
    return result;
  }
  if (is("empty")) {
    if (args.size() != 1) return InvalidArgs("empty", "expected 1 argument");
    absl::StatusOr<Value> length = Length(args);
    if (args[0].kind_case() == Value::kNullValue) return MakeBool(true);
    if (!length.ok()) return length.status();
    return MakeBool(length->number_value() == 0);
  }
  if (is("length")) return Length(args);
  if (is("subscription") && !scope_.subscription_id.empty()) {
    Value result;
    auto& fields = *result.mutable_struct_value()->mutable_fields();
    fields["subscriptionId"] = MakeString(scope_.subscription_id);
    fields["id"] = MakeString(absl::StrCat("/subscriptions/", scope_.subscription_id));
    return result;
  }
  if (is("resourceGroup") && !scope_.resource_group.empty()) {
    // Only the name is known offline; `.location` fails as "no property".
    Value result;
    (*result.mutable_struct_value()->mutable_fields())["name"] =
        MakeString(scope_.resource_group);
    return result;
  }
  if (is("subscription") || is("resourceGroup") || NeedsDeployment(name)) {
    return absl::UnimplementedError(absl::StrCat(
        "template function ", name,
        "() needs a live deployment and cannot be evaluated offline"));
  }
  return absl::UnimplementedError(
      absl::StrCat("template function ", QuoteForMessage(absl::StrCat(name, "()")),
                   " is not supported"));
}

}  // namespace portcullis::nsg
