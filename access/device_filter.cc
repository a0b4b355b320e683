#include "access/device_filter.h"

#include <cctype>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "re2/re2.h"

namespace portcullis::access {
namespace {

constexpr absl::string_view kPropertyNames[kDevicePropertyCount] = {
    "deviceId",
    "displayName",
    "deviceOwnership",
    "enrollmentProfileName",
    "isCompliant",
    "manufacturer",
    "mdmAppId",
    "model",
    "operatingSystem",
    "operatingSystemVersion",
    "profileType",
    "trustType",
    "extensionAttribute1",
    "extensionAttribute2",
    "extensionAttribute3",
    "extensionAttribute4",
    "extensionAttribute5",
    "extensionAttribute6",
    "extensionAttribute7",
    "extensionAttribute8",
    "extensionAttribute9",
    "extensionAttribute10",
    "extensionAttribute11",
    "extensionAttribute12",
    "extensionAttribute13",
    "extensionAttribute14",
    "extensionAttribute15",
    "physicalIds",
    "systemLabels",
};

struct OperatorSpelling {
  absl::string_view name;
  FilterOperator op;
};

constexpr OperatorSpelling kOperators[] = {
    {"-eq", FilterOperator::kEquals},
    {"-ne", FilterOperator::kNotEquals},
    {"-startsWith", FilterOperator::kStartsWith},
    {"-notStartsWith", FilterOperator::kNotStartsWith},
    {"-endsWith", FilterOperator::kEndsWith},
    {"-notEndsWith", FilterOperator::kNotEndsWith},
    {"-contains", FilterOperator::kContains},
    {"-notContains", FilterOperator::kNotContains},
    {"-in", FilterOperator::kIn},
    {"-notIn", FilterOperator::kNotIn},
    {"-match", FilterOperator::kMatch},
    {"-notMatch", FilterOperator::kNotMatch},
};

constexpr absl::string_view kSupportedOperators =
    "-eq, -ne, -startsWith, -notStartsWith, -endsWith, -notEndsWith, "
    "-contains, -notContains, -in, -notIn, -match or -notMatch";

bool IsExtensionAttribute(DeviceProperty property) {
  return property >= DeviceProperty::kExtensionAttribute1 &&
         property <= DeviceProperty::kExtensionAttribute15;
}

// The operators Microsoft lists for each property in the filter-for-devices
// documentation; -match and -notMatch join the string properties.
bool OperatorAllowed(DeviceProperty property, FilterOperator op) {
  switch (property) {
    case DeviceProperty::kDeviceId:
    case DeviceProperty::kMdmAppId:
      return op == FilterOperator::kEquals ||
             op == FilterOperator::kNotEquals || op == FilterOperator::kIn ||
             op == FilterOperator::kNotIn;
    case DeviceProperty::kDeviceOwnership:
    case DeviceProperty::kIsCompliant:
    case DeviceProperty::kProfileType:
    case DeviceProperty::kTrustType:
      return op == FilterOperator::kEquals || op == FilterOperator::kNotEquals;
    case DeviceProperty::kPhysicalIds:
    case DeviceProperty::kSystemLabels:
      return op == FilterOperator::kContains ||
             op == FilterOperator::kNotContains;
    default:
      return true;
  }
}

absl::string_view AllowedOperatorsText(DeviceProperty property) {
  switch (property) {
    case DeviceProperty::kDeviceId:
    case DeviceProperty::kMdmAppId:
      return "-eq, -ne, -in or -notIn";
    case DeviceProperty::kDeviceOwnership:
    case DeviceProperty::kIsCompliant:
    case DeviceProperty::kProfileType:
    case DeviceProperty::kTrustType:
      return "-eq or -ne";
    case DeviceProperty::kPhysicalIds:
    case DeviceProperty::kSystemLabels:
      return "-contains or -notContains";
    default:
      return kSupportedOperators;
  }
}

// Finds `needle` in `haystack` without regard to ASCII case. Allocates
// nothing; rules and device properties are short, so the quadratic worst
// case does not matter.
bool ContainsIgnoreCase(absl::string_view haystack, absl::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t start = 0; start + needle.size() <= haystack.size(); ++start) {
    if (absl::EqualsIgnoreCase(haystack.substr(start, needle.size()), needle)) {
      return true;
    }
  }
  return false;
}

// Quotes `text` for messages, cut to 40 characters.
std::string Quote(absl::string_view text) {
  if (text.size() > 40) return absl::StrCat("\"", text.substr(0, 40), "...\"");
  return absl::StrCat("\"", text, "\"");
}

}  // namespace

absl::string_view DevicePropertyName(DeviceProperty property) {
  return kPropertyNames[static_cast<int>(property)];
}

std::optional<DeviceProperty> DevicePropertyFromName(absl::string_view name) {
  for (int i = 0; i < kDevicePropertyCount; ++i) {
    if (absl::EqualsIgnoreCase(kPropertyNames[i], name)) {
      return static_cast<DeviceProperty>(i);
    }
  }
  return std::nullopt;
}

absl::string_view FilterOperatorName(FilterOperator op) {
  for (const OperatorSpelling& spelling : kOperators) {
    if (spelling.op == op) return spelling.name;
  }
  return "-eq";
}

void DeviceInfo::Set(DeviceProperty property, std::string value) {
  if (IsCollection(property)) {
    Add(property, std::move(value));
    return;
  }
  scalars_[static_cast<int>(property)] = std::move(value);
}

void DeviceInfo::SetNull(DeviceProperty property) {
  stated_null_ |= uint32_t{1} << static_cast<int>(property);
}

bool DeviceInfo::Known(DeviceProperty property) const {
  if (!unstated_unknown_) return true;
  if ((stated_null_ >> static_cast<int>(property)) & 1) return true;
  bool has_value = IsCollection(property) ? GetCollection(property) != nullptr
                                          : Get(property) != nullptr;
  return has_value || !registered();
}

void DeviceInfo::Add(DeviceProperty collection, std::string element) {
  if (!IsCollection(collection)) {
    Set(collection, std::move(element));
    return;
  }
  std::optional<std::vector<std::string>>& list =
      collection == DeviceProperty::kPhysicalIds ? physical_ids_
                                                 : system_labels_;
  if (!list.has_value()) list.emplace();
  list->push_back(std::move(element));
}

void DeviceInfo::SetEmptyCollection(DeviceProperty collection) {
  if (collection == DeviceProperty::kPhysicalIds) physical_ids_.emplace();
  if (collection == DeviceProperty::kSystemLabels) system_labels_.emplace();
}

const std::string* DeviceInfo::Get(DeviceProperty property) const {
  if (IsCollection(property)) return nullptr;
  const std::optional<std::string>& value =
      scalars_[static_cast<int>(property)];
  return value.has_value() ? &*value : nullptr;
}

const std::vector<std::string>* DeviceInfo::GetCollection(
    DeviceProperty property) const {
  if (property == DeviceProperty::kPhysicalIds && physical_ids_.has_value()) {
    return &*physical_ids_;
  }
  if (property == DeviceProperty::kSystemLabels && system_labels_.has_value()) {
    return &*system_labels_;
  }
  return nullptr;
}

bool DeviceInfo::registered() const {
  for (const std::optional<std::string>& value : scalars_) {
    if (value.has_value()) return true;
  }
  return physical_ids_.has_value() || system_labels_.has_value();
}

bool DeviceInfo::extension_attributes_available() const {
  const std::string* compliant = Get(DeviceProperty::kIsCompliant);
  const std::string* trust = Get(DeviceProperty::kTrustType);
  const std::string* mdm = Get(DeviceProperty::kMdmAppId);
  return (compliant != nullptr && absl::EqualsIgnoreCase(*compliant, "true")) ||
         (trust != nullptr && absl::EqualsIgnoreCase(*trust, "ServerAD")) ||
         (mdm != nullptr && !mdm->empty());
}

// A recursive-descent parser over the rule text. Each method leaves `pos_`
// after what it consumed; errors carry the 1-based column.
class DeviceFilterParser {
 public:
  DeviceFilterParser(absl::string_view text, const DeviceFilterOptions& options,
                     DeviceFilter& filter)
      : text_(text), options_(options), filter_(filter) {}

  absl::Status ParseRule() {
    SkipSpace();
    if (pos_ == text_.size())
      return Error(pos_,
                   "empty rule; expected a comparison such as device.trustType "
                   "-eq \"AzureAD\"");
    absl::StatusOr<int> root = ParseOr(0);
    if (!root.ok()) return root.status();
    SkipSpace();
    if (pos_ != text_.size()) {
      return Error(pos_, absl::StrCat("unexpected ", Quote(PeekWord()),
                                      "; expected -and, -or or the end of "
                                      "the rule"));
    }
    filter_.root_ = *root;
    return absl::OkStatus();
  }

 private:
  absl::Status Error(size_t position, absl::string_view message) const {
    return absl::InvalidArgumentError(
        absl::StrCat("column ", position + 1, ": ", message));
  }

  void SkipSpace() {
    while (pos_ < text_.size() &&
           absl::ascii_isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
  }

  // The run of non-space characters at pos_, for messages.
  absl::string_view PeekWord() const {
    size_t end = pos_;
    while (end < text_.size() &&
           !absl::ascii_isspace(static_cast<unsigned char>(text_[end]))) {
      ++end;
    }
    return text_.substr(pos_, end - pos_);
  }

  // Consumes the keyword `word` (such as "-and") when it comes next, followed
  // by a space, a parenthesis, a quote or the end.
  bool ConsumeKeyword(absl::string_view word) {
    SkipSpace();
    if (text_.size() - pos_ < word.size()) return false;
    if (!absl::EqualsIgnoreCase(text_.substr(pos_, word.size()), word)) {
      return false;
    }
    size_t after = pos_ + word.size();
    if (after < text_.size()) {
      char c = text_[after];
      if (!absl::ascii_isspace(static_cast<unsigned char>(c)) && c != '(' &&
          c != '"' && c != '\'' && c != '[') {
        return false;
      }
    }
    pos_ = after;
    return true;
  }

  int AddNode(DeviceFilter::Node node) {
    filter_.nodes_.push_back(std::move(node));
    return static_cast<int>(filter_.nodes_.size()) - 1;
  }

  absl::StatusOr<int> ParseOr(int depth) {
    absl::StatusOr<int> left = ParseAnd(depth);
    if (!left.ok()) return left;
    while (ConsumeKeyword("-or")) {
      absl::StatusOr<int> right = ParseAnd(depth);
      if (!right.ok()) return right;
      DeviceFilter::Node node;
      node.kind = DeviceFilter::Node::Kind::kOr;
      node.left = *left;
      node.right = *right;
      left = AddNode(std::move(node));
    }
    return left;
  }

  absl::StatusOr<int> ParseAnd(int depth) {
    absl::StatusOr<int> left = ParsePrimary(depth);
    if (!left.ok()) return left;
    while (ConsumeKeyword("-and")) {
      absl::StatusOr<int> right = ParsePrimary(depth);
      if (!right.ok()) return right;
      DeviceFilter::Node node;
      node.kind = DeviceFilter::Node::Kind::kAnd;
      node.left = *left;
      node.right = *right;
      left = AddNode(std::move(node));
    }
    return left;
  }

  absl::StatusOr<int> ParsePrimary(int depth) {
    SkipSpace();
    if (pos_ == text_.size()) {
      return Error(pos_,
                   "unexpected end of rule; expected a comparison or "
                   "\"(\"");
    }
    if (text_[pos_] == '(') {
      if (depth >= DeviceFilter::kMaxNesting) {
        return Error(pos_, absl::StrCat("parentheses nest deeper than ",
                                        DeviceFilter::kMaxNesting, " levels"));
      }
      size_t open = pos_;
      ++pos_;
      absl::StatusOr<int> inner = ParseOr(depth + 1);
      if (!inner.ok()) return inner;
      SkipSpace();
      if (pos_ == text_.size() || text_[pos_] != ')') {
        return Error(pos_ == text_.size() ? open : pos_,
                     pos_ == text_.size()
                         ? "unclosed \"(\"; expected \")\""
                         : absl::StrCat("unexpected ", Quote(PeekWord()),
                                        "; expected \")\", -and or -or"));
      }
      ++pos_;
      return inner;
    }
    if (ConsumeKeyword("-not")) {
      return Error(pos_ - 4,
                   "operator -not is not supported in filters for "
                   "devices; use a negative operator such as -ne "
                   "or -notContains");
    }
    return ParseComparison();
  }

  absl::StatusOr<DeviceProperty> ParseProperty() {
    size_t start = pos_;
    size_t end = pos_;
    while (end < text_.size() &&
           (absl::ascii_isalnum(static_cast<unsigned char>(text_[end])) ||
            text_[end] == '.' || text_[end] == '_')) {
      ++end;
    }
    absl::string_view word = text_.substr(start, end - start);
    if (word.empty()) {
      return Error(start, absl::StrCat("unexpected ", Quote(PeekWord()),
                                       "; expected a property such as "
                                       "device.trustType"));
    }
    constexpr absl::string_view kPrefix = "device.";
    if (!absl::StartsWithIgnoreCase(word, kPrefix)) {
      return Error(start, absl::StrCat("unexpected ", Quote(word),
                                       "; expected a property such as "
                                       "device.trustType"));
    }
    std::optional<DeviceProperty> property =
        DevicePropertyFromName(word.substr(kPrefix.size()));
    if (!property.has_value()) {
      return Error(start,
                   absl::StrCat("unknown device property ", Quote(word),
                                "; expected one of "
                                "deviceId, displayName, "
                                "deviceOwnership, enrollmentProfileName, "
                                "isCompliant, manufacturer, mdmAppId, "
                                "model, operatingSystem, "
                                "operatingSystemVersion, physicalIds, "
                                "profileType, systemLabels, trustType, "
                                "extensionAttribute1-15"));
    }
    pos_ = end;
    return *property;
  }

  absl::StatusOr<FilterOperator> ParseOperator(DeviceProperty property) {
    SkipSpace();
    size_t start = pos_;
    if (pos_ == text_.size()) {
      return Error(pos_, absl::StrCat("unexpected end of rule; expected an "
                                      "operator such as -eq"));
    }

    size_t end = pos_;
    if (text_[end] == '-') ++end;
    while (end < text_.size() &&
           absl::ascii_isalpha(static_cast<unsigned char>(text_[end]))) {
      ++end;
    }
    absl::string_view word = text_.substr(start, end - start);

    std::optional<FilterOperator> op;
    for (const OperatorSpelling& spelling : kOperators) {
      if (absl::EqualsIgnoreCase(spelling.name, word)) op = spelling.op;
    }
    if (!op.has_value()) {
      return Error(start, absl::StrCat("unknown operator ", Quote(PeekWord()),
                                       "; expected ", kSupportedOperators));
    }

    bool is_match =
        *op == FilterOperator::kMatch || *op == FilterOperator::kNotMatch;
    if (is_match && !options_.allow_match_operators) {
      return Error(start, absl::StrCat("operator ", FilterOperatorName(*op),
                                       " is an extension that these options "
                                       "turn off"));
    }
    if (!OperatorAllowed(property, *op)) {
      return Error(start,
                   absl::StrCat("operator ", FilterOperatorName(*op),
                                " cannot be used with device.",
                                DevicePropertyName(property), "; expected ",
                                AllowedOperatorsText(property)));
    }
    pos_ = end;
    return *op;
  }

  // A quoted string at pos_, with its escapes resolved.
  absl::StatusOr<std::string> ParseString() {
    size_t start = pos_;
    char quote = text_[pos_++];
    std::string value;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (quote == '"' && c == '\\' && pos_ + 1 < text_.size() &&
          (text_[pos_ + 1] == '"' || text_[pos_ + 1] == '\\')) {
        value.push_back(text_[pos_ + 1]);
        pos_ += 2;
        continue;
      }
      if (c == quote) {
        if (quote == '\'' && pos_ + 1 < text_.size() &&
            text_[pos_ + 1] == '\'') {
          value.push_back('\'');
          pos_ += 2;
          continue;
        }
        ++pos_;
        return value;
      }
      value.push_back(c);
      ++pos_;
    }
    return Error(start, absl::StrCat("unterminated string; expected a "
                                     "closing ",
                                     quote == '"' ? "\"" : "'"));
  }

  bool AtQuote() const {
    return pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\'');
  }

  // A quoted string or a bare word such as True.
  absl::StatusOr<std::string> ParseScalar(bool* is_null) {
    SkipSpace();
    if (pos_ == text_.size()) {
      return Error(pos_, "unexpected end of rule; expected a value");
    }
    if (AtQuote()) return ParseString();
    size_t start = pos_;
    while (pos_ < text_.size() &&
           (absl::ascii_isalnum(static_cast<unsigned char>(text_[pos_])) ||
            text_[pos_] == '.' || text_[pos_] == '_' || text_[pos_] == ':')) {
      ++pos_;
    }
    absl::string_view word = text_.substr(start, pos_ - start);
    if (word.empty()) {
      return Error(start, absl::StrCat("unexpected ", Quote(PeekWord()),
                                       "; expected a value such as \"text\" "
                                       "or True"));
    }
    if (is_null != nullptr) *is_null = absl::EqualsIgnoreCase(word, "null");
    return std::string(word);
  }

  absl::StatusOr<std::vector<std::string>> ParseList() {
    size_t open = pos_;
    ++pos_;  // '['
    std::vector<std::string> values;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return values;
    }
    while (true) {
      SkipSpace();
      absl::StatusOr<std::string> value = ParseScalar(nullptr);
      if (!value.ok()) return value.status();
      values.push_back(*std::move(value));
      SkipSpace();
      if (pos_ == text_.size()) {
        return Error(open, "unclosed \"[\"; expected \"]\"");
      }
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (text_[pos_] == ']') {
        ++pos_;
        return values;
      }
      return Error(pos_, absl::StrCat("unexpected ", Quote(PeekWord()),
                                      "; expected \",\" or \"]\""));
    }
  }

  absl::StatusOr<int> ParseComparison() {
    absl::StatusOr<DeviceProperty> property = ParseProperty();
    if (!property.ok()) return property.status();
    absl::StatusOr<FilterOperator> op = ParseOperator(*property);
    if (!op.ok()) return op.status();

    DeviceFilter::Node node;
    node.kind = DeviceFilter::Node::Kind::kCompare;
    node.property = *property;
    node.op = *op;

    SkipSpace();
    size_t value_start = pos_;
    bool list_operator =
        *op == FilterOperator::kIn || *op == FilterOperator::kNotIn;
    if (list_operator) {
      if (pos_ == text_.size() || text_[pos_] != '[') {
        return Error(pos_, absl::StrCat("operator ", FilterOperatorName(*op),
                                        " needs a list such as [\"a\", "
                                        "\"b\"]"));
      }
      absl::StatusOr<std::vector<std::string>> values = ParseList();
      if (!values.ok()) return values.status();
      node.values = *std::move(values);
    } else {
      if (pos_ < text_.size() && text_[pos_] == '[') {
        return Error(pos_, absl::StrCat("a list is only valid after -in or "
                                        "-notIn, not after ",
                                        FilterOperatorName(*op)));
      }
      bool quoted = AtQuote();
      bool is_null = false;
      absl::StatusOr<std::string> value = ParseScalar(&is_null);
      if (!value.ok()) return value.status();
      node.null_literal = is_null && !quoted;
      if (node.null_literal && *op != FilterOperator::kEquals &&
          *op != FilterOperator::kNotEquals) {
        return Error(value_start, absl::StrCat("null can only be compared "
                                               "with -eq or -ne, not ",
                                               FilterOperatorName(*op)));
      }
      if (*property == DeviceProperty::kIsCompliant && !node.null_literal &&
          !absl::EqualsIgnoreCase(*value, "true") &&
          !absl::EqualsIgnoreCase(*value, "false")) {
        return Error(value_start, absl::StrCat("invalid value ", Quote(*value),
                                               " for device.isCompliant; "
                                               "expected True or False"));
      }
      node.values.push_back(*std::move(value));
    }

    if (*op == FilterOperator::kMatch || *op == FilterOperator::kNotMatch) {
      RE2::Options re_options;
      re_options.set_case_sensitive(false);
      re_options.set_log_errors(false);
      re_options.set_max_mem(options_.regex_max_memory);
      auto regex = std::make_shared<const RE2>(node.values.front(), re_options);
      if (!regex->ok()) {
        return Error(value_start, absl::StrCat("invalid regular expression ",
                                               Quote(node.values.front()), ": ",
                                               regex->error()));
      }
      node.regex = std::move(regex);
      filter_.uses_extension_ = true;
    }
    return AddNode(std::move(node));
  }

  absl::string_view text_;
  const DeviceFilterOptions& options_;
  DeviceFilter& filter_;
  size_t pos_ = 0;
};

absl::StatusOr<DeviceFilter> DeviceFilter::Parse(
    absl::string_view rule, const DeviceFilterOptions& options) {
  if (rule.size() > kMaxRuleLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("rule is ", rule.size(),
                     " characters long; expected at most ", kMaxRuleLength));
  }
  DeviceFilter filter;
  filter.rule_ = std::string(rule);
  filter.options_ = options;
  DeviceFilterParser parser(filter.rule_, options, filter);
  absl::Status status = parser.ParseRule();
  if (!status.ok()) return status;
  return filter;
}

Tri DeviceFilter::Evaluate(const DeviceInfo& device,
                           bool* depends_on_unknown) const {
  Result result = root_ < 0 ? Result::kFalse : EvaluateNode(root_, device);
  if (depends_on_unknown != nullptr) {
    *depends_on_unknown = result == Result::kDependsOnUnknown;
  }
  switch (result) {
    case Result::kFalse:
      return Tri::kFalse;
    case Result::kTrue:
      return Tri::kTrue;
    default:
      return Tri::kUnknown;
  }
}

// Combines like Kleene's logic, with a result that an unknown property could
// change dominating the field report's unknown: -and with false is false and
// -or with true is true whatever the property is.
DeviceFilter::Result DeviceFilter::EvaluateNode(int index,
                                                const DeviceInfo& device) const {
  const Node& node = nodes_[index];
  if (node.kind == Node::Kind::kCompare) return EvaluateComparison(node, device);

  const Result decisive =
      node.kind == Node::Kind::kAnd ? Result::kFalse : Result::kTrue;
  Result left = EvaluateNode(node.left, device);
  if (left == decisive) return decisive;
  Result right = EvaluateNode(node.right, device);
  if (right == decisive) return decisive;
  if (left == Result::kDependsOnUnknown || right == Result::kDependsOnUnknown) {
    return Result::kDependsOnUnknown;
  }
  if (left == Result::kUnknown || right == Result::kUnknown) {
    return Result::kUnknown;
  }
  return left;  // both are the non-decisive value
}

DeviceFilter::Result DeviceFilter::EvaluateComparison(
    const Node& node, const DeviceInfo& device) const {
  auto result = [](bool value) { return value ? Result::kTrue : Result::kFalse; };
  const std::string* scalar = nullptr;
  const std::vector<std::string>* collection = nullptr;
  bool known = device.Known(node.property);
  if (IsCollection(node.property)) {
    collection = device.GetCollection(node.property);
  } else {
    scalar = device.Get(node.property);
    // NOTE: when the request leaves out isCompliant, trustType and
    // mdmAppId, extension attributes read as null here, although the
    // device might be managed.
    if (IsExtensionAttribute(node.property) &&
        options_.extension_attributes_need_management &&
        !device.extension_attributes_available()) {
      scalar = nullptr;
      known = true;
    }
  }
  if (!known) return Result::kDependsOnUnknown;
  bool is_null = scalar == nullptr && collection == nullptr;
  bool negative = IsNegative(node.op);

  if (node.null_literal) {
    bool equal = is_null;
    return result(node.op == FilterOperator::kEquals ? equal : !equal);
  }
  if (is_null) {
    if (negative) return Result::kTrue;
    return options_.null_semantics == NullSemantics::kFieldReport
               ? Result::kUnknown
               : Result::kFalse;
  }

  const std::string& operand = node.values.empty() ? rule_ : node.values[0];
  bool positive = false;
  switch (node.op) {
    case FilterOperator::kEquals:
    case FilterOperator::kNotEquals:
      positive = absl::EqualsIgnoreCase(*scalar, operand);
      break;
    case FilterOperator::kStartsWith:
    case FilterOperator::kNotStartsWith:
      positive = absl::StartsWithIgnoreCase(*scalar, operand);
      break;
    case FilterOperator::kEndsWith:
    case FilterOperator::kNotEndsWith:
      positive = absl::EndsWithIgnoreCase(*scalar, operand);
      break;
    case FilterOperator::kContains:
    case FilterOperator::kNotContains:
      if (collection != nullptr) {
        for (const std::string& element : *collection) {
          if (absl::EqualsIgnoreCase(element, operand)) positive = true;
        }
      } else {
        positive = ContainsIgnoreCase(*scalar, operand);
      }
      break;
    case FilterOperator::kIn:
    case FilterOperator::kNotIn:
      for (const std::string& value : node.values) {
        if (absl::EqualsIgnoreCase(*scalar, value)) positive = true;
      }
      break;
    case FilterOperator::kMatch:
    case FilterOperator::kNotMatch:
      positive = RE2::PartialMatch(*scalar, *node.regex);
      break;
  }
  return result(negative ? !positive : positive);
}

std::string DeviceFilter::ToString() const {
  std::string out;
  if (root_ >= 0) AppendNode(root_, out);
  return out;
}

void DeviceFilter::AppendNode(int index, std::string& out,
                              bool in_chain) const {
  const Node& node = nodes_[index];
  if (node.kind != Node::Kind::kCompare) {
    if (!in_chain) out.push_back('(');
    AppendNode(node.left, out, nodes_[node.left].kind == node.kind);
    out.append(node.kind == Node::Kind::kAnd ? " -and " : " -or ");
    AppendNode(node.right, out);
    if (!in_chain) out.push_back(')');
    return;
  }
  absl::StrAppend(&out, "device.", DevicePropertyName(node.property), " ",
                  FilterOperatorName(node.op), " ");
  auto quoted = [](const std::string& value) {
    std::string escaped;
    for (char c : value) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      escaped.push_back(c);
    }
    return absl::StrCat("\"", escaped, "\"");
  };
  if (node.null_literal) {
    out.append("null");
  } else if (node.op == FilterOperator::kIn ||
             node.op == FilterOperator::kNotIn) {
    std::vector<std::string> items;
    for (const std::string& value : node.values) items.push_back(quoted(value));
    absl::StrAppend(&out, "[", absl::StrJoin(items, ", "), "]");
  } else {
    out.append(quoted(node.values[0]));
  }
}

}  // namespace portcullis::access
