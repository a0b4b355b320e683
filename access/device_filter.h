// The filter-for-devices rule language of Conditional Access, parsed once
// and evaluated against the device of a sign-in.
//
//   absl::StatusOr<DeviceFilter> filter = DeviceFilter::Parse(
//       "device.isCompliant -eq True -or device.trustType -eq \"ServerAD\"");
//   DeviceInfo device;
//   device.Set(DeviceProperty::kTrustType, "ServerAD");
//   filter->Evaluate(device);  // Tri::kTrue
//
// Grammar (keywords, property names and string comparisons ignore case):
//
//   rule       := or
//   or         := and { "-or" and }
//   and        := primary { "-and" primary }
//   primary    := "(" or ")" | comparison
//   comparison := "device." property operator value
//   operator   := -eq -ne -startsWith -notStartsWith -endsWith -notEndsWith
//                 -contains -notContains -in -notIn
//                 -match -notMatch          (extension, see below)
//   value      := string | bare word (True, False, Company, ...) | null
//               | "[" string { "," string } "]"   (only after -in / -notIn)
//   string     := "..." with \" and \\ escapes | '...' with '' for a quote
//
// `-and` binds tighter than `-or`, as in Microsoft's dynamic membership rules.
// A rule is at most 3,072 characters, the service's limit, and parentheses
// nest at most 64 deep. Each property accepts the operators Microsoft lists
// for it (deviceOwnership only -eq and -ne, physicalIds only -contains and
// -notContains, ...). `-contains` on the collections physicalIds and
// systemLabels compares whole elements; on strings it finds a substring.
//
// Extension: `-match` and `-notMatch` take an RE2 regular expression (partial
// match, case-insensitive) on string properties. Microsoft's dynamic group
// rules have these operators but Conditional Access does not list them, so
// DeviceFilter::uses_extension() reports a rule that needs them, and
// DeviceFilterOptions::allow_match_operators turns them off. Each expression
// is compiled under DeviceFilterOptions::regex_max_memory.
//
// Missing properties. An unregistered device has no properties, so every
// comparison reads null. Microsoft documents that positive operators (-eq,
// -startsWith, -endsWith, -contains, -in) are then false and negative ones
// (-ne, -notStartsWith, ...) true. A field report on the service saw an
// exclude-mode rule with a positive operator leave unregistered devices out
// of scope instead. NullSemantics selects between the two readings: under
// kFieldReport a positive comparison on null is unknown, and a rule whose
// result is unknown matches in neither mode.
//
// extensionAttribute1 to 15 only have values when the device is managed by an
// MDM (mdmAppId set), compliant or hybrid joined (trustType ServerAD), as
// Microsoft documents; otherwise they read as null. The option
// extension_attributes_need_management turns that rule off.
//
// Unknown properties. A registered device read from a What-If request may
// leave out properties it has in the directory. Such a property is unknown,
// not null (DeviceInfo::Known()), and a rule whose result it could change is
// unknown too, so the policy's device condition is a missing fact.
#ifndef PORTCULLIS_ACCESS_DEVICE_FILTER_H_
#define PORTCULLIS_ACCESS_DEVICE_FILTER_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "access/ca_tri.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace portcullis::access {

// The device properties a rule may name. The scalar properties come first,
// then the two collections.
enum class DeviceProperty : uint8_t {
  kDeviceId,
  kDisplayName,
  kDeviceOwnership,
  kEnrollmentProfileName,
  kIsCompliant,
  kManufacturer,
  kMdmAppId,
  kModel,
  kOperatingSystem,
  kOperatingSystemVersion,
  kProfileType,
  kTrustType,
  kExtensionAttribute1,
  kExtensionAttribute2,
  kExtensionAttribute3,
  kExtensionAttribute4,
  kExtensionAttribute5,
  kExtensionAttribute6,
  kExtensionAttribute7,
  kExtensionAttribute8,
  kExtensionAttribute9,
  kExtensionAttribute10,
  kExtensionAttribute11,
  kExtensionAttribute12,
  kExtensionAttribute13,
  kExtensionAttribute14,
  kExtensionAttribute15,
  kPhysicalIds,
  kSystemLabels,
};

inline constexpr int kScalarDevicePropertyCount = 27;
inline constexpr int kDevicePropertyCount = 29;

// The rule-language name of `property`, such as "deviceOwnership".
absl::string_view DevicePropertyName(DeviceProperty property);

// Looks up a property by its rule-language name, ignoring case.
std::optional<DeviceProperty> DevicePropertyFromName(absl::string_view name);

// True for physicalIds and systemLabels.
constexpr bool IsCollection(DeviceProperty property) {
  return property == DeviceProperty::kPhysicalIds ||
         property == DeviceProperty::kSystemLabels;
}

// The properties of the device a sign-in comes from. A property that was
// never set is null, unless set_unstated_unknown() makes it unknown. A
// device with no property set is unregistered.
// A value type; const methods are safe to call from several threads.
class DeviceInfo {
 public:
  // Sets a scalar property; isCompliant is "True" or "False".
  void Set(DeviceProperty property, std::string value);
  // Records that `property` is null, as a JSON null in a request states.
  void SetNull(DeviceProperty property);
  // When true, a property of a registered device that was neither set nor
  // stated null is unknown instead of null. An unregistered device keeps
  // every property null, as Microsoft documents.
  void set_unstated_unknown(bool unknown) { unstated_unknown_ = unknown; }
  // Appends an element to physicalIds or systemLabels, which stop being null.
  void Add(DeviceProperty collection, std::string element);
  // Makes physicalIds or systemLabels an empty, non-null collection.
  void SetEmptyCollection(DeviceProperty collection);

  // The value of a scalar property, or nullptr when null.
  const std::string* Get(DeviceProperty property) const;
  // The elements of a collection property, or nullptr when null.
  const std::vector<std::string>* GetCollection(DeviceProperty property) const;

  // True when any property is set.
  bool registered() const;
  // False when the value of `property` is unknown (see
  // set_unstated_unknown()); a known property is its value or null.
  bool Known(DeviceProperty property) const;
  // True when the device is MDM managed, compliant or hybrid joined, the
  // cases in which Microsoft fills extensionAttribute1 to 15.
  bool extension_attributes_available() const;

 private:
  std::array<std::optional<std::string>, kScalarDevicePropertyCount> scalars_;
  std::optional<std::vector<std::string>> physical_ids_;
  std::optional<std::vector<std::string>> system_labels_;
  uint32_t stated_null_ = 0;  // bit (1 << DeviceProperty)
  bool unstated_unknown_ = false;
};

enum class NullSemantics : uint8_t {
  // Microsoft's documentation: a positive operator on null is false, a
  // negative one is true.
  kDocumented,
  // The field report: a positive operator on null is unknown, and a rule
  // whose result is unknown matches in neither include nor exclude mode.
  kFieldReport,
};

struct DeviceFilterOptions {
  NullSemantics null_semantics = NullSemantics::kDocumented;
  // Read extensionAttribute1-15 as null unless the device is MDM managed,
  // compliant or hybrid joined.
  bool extension_attributes_need_management = true;
  // Accept the -match and -notMatch extension.
  bool allow_match_operators = true;
  // RE2 memory budget for each regular expression, in bytes.
  int64_t regex_max_memory = 1 << 20;
};

// Operators of the rule language.
enum class FilterOperator : uint8_t {
  kEquals,
  kNotEquals,
  kStartsWith,
  kNotStartsWith,
  kEndsWith,
  kNotEndsWith,
  kContains,
  kNotContains,
  kIn,
  kNotIn,
  kMatch,
  kNotMatch,
};

// The rule spelling of `op`, such as "-notStartsWith".
absl::string_view FilterOperatorName(FilterOperator op);

// True for the negative operators (-ne, -notStartsWith, -notEndsWith,
// -notContains, -notIn, -notMatch).
constexpr bool IsNegative(FilterOperator op) {
  return op == FilterOperator::kNotEquals ||
         op == FilterOperator::kNotStartsWith ||
         op == FilterOperator::kNotEndsWith ||
         op == FilterOperator::kNotContains || op == FilterOperator::kNotIn ||
         op == FilterOperator::kNotMatch;
}

// A parsed rule. Immutable and safe to evaluate from any number of threads
// at once; copies share the compiled regular expressions.
class DeviceFilter {
 public:
  static constexpr size_t kMaxRuleLength = 3072;
  static constexpr int kMaxNesting = 64;

  // Parses `rule`. Errors are InvalidArgument, start with "column N: " (1 for
  // the first character) and say what was expected there.
  static absl::StatusOr<DeviceFilter> Parse(
      absl::string_view rule, const DeviceFilterOptions& options = {});

  // Evaluates the rule for `device`. Returns kUnknown under
  // NullSemantics::kFieldReport when a null decides. It also returns kUnknown
  // when a property whose value `device` leaves unknown could change the
  // result, and then sets `*depends_on_unknown`, when given, to true.
  // Allocates nothing, except that RE2 may allocate on the first use of a
  // -match expression.
  Tri Evaluate(const DeviceInfo& device,
               bool* depends_on_unknown = nullptr) const;

  // True when the rule uses -match or -notMatch.
  bool uses_extension() const { return uses_extension_; }

  // The rule with normalized spacing, operators and property names, and
  // explicit parentheses around each -and and -or:
  // `(device.isCompliant -eq "True" -or device.trustType -eq "ServerAD")`.
  std::string ToString() const;

  const std::string& rule() const { return rule_; }
  const DeviceFilterOptions& options() const { return options_; }

 private:
  friend class DeviceFilterParser;

  struct Node {
    enum class Kind : uint8_t { kAnd, kOr, kCompare };
    Kind kind = Kind::kCompare;
    int left = -1;
    int right = -1;
    DeviceProperty property = DeviceProperty::kDeviceId;
    FilterOperator op = FilterOperator::kEquals;
    bool null_literal = false;
    std::vector<std::string> values;
    std::shared_ptr<const re2::RE2> regex;
  };

  // Tri, plus a result that a property with an unknown value could change.
  // kUnknown here is the field report's null result.
  enum class Result : uint8_t { kFalse, kTrue, kUnknown, kDependsOnUnknown };

  Result EvaluateNode(int index, const DeviceInfo& device) const;
  Result EvaluateComparison(const Node& node, const DeviceInfo& device) const;
  // Appends node `index`. A binary node is put in parentheses unless
  // `in_chain`: it is the left operand of the same operator, which the
  // parser reads left to right, so a long chain does not nest.
  void AppendNode(int index, std::string& out, bool in_chain = false) const;

  std::string rule_;
  DeviceFilterOptions options_;
  std::vector<Node> nodes_;
  int root_ = -1;
  bool uses_extension_ = false;
};

// Whether the device condition of a policy holds, given the rule's result
// and the filter mode: include mode needs the rule true, exclude mode needs
// it false, and an unknown result matches in neither.
constexpr Tri FilterModeResult(Tri rule_result, bool exclude_mode) {
  if (rule_result == Tri::kUnknown) return Tri::kFalse;
  return exclude_mode ? Not(rule_result) : rule_result;
}

}  // namespace portcullis::access

#endif  // PORTCULLIS_ACCESS_DEVICE_FILTER_H_
