// Evaluation of the Azure Resource Manager template expressions that NSG
// templates use.
//
// In a template, a JSON string that starts with '[' and ends with ']' is an
// expression, and one that starts with "[[" is a literal whose first '[' is
// dropped. TemplateEvaluator evaluates the functions that real NSG templates
// use to build names, prefixes and ids:
//
//   parameters('x')     the value from the parameters file, else the
//                       template's defaultValue
//   variables('x')      the template's variable, itself evaluated
//   concat(a, b, ...)   strings (numbers and booleans as text) or arrays
//   format('{0}-{1}', a, b)
//   resourceId([subscriptionId,] [resourceGroup,] type, name, ...)
//                       the id string, with the deployment scope given in
//                       DeploymentScope
//   string, int, bool, toLower, toUpper, equals, not, and, or, if,
//   createArray, empty, length, replace
//
// plus property access (`parameters('p').name`) and indexing
// (`variables('list')[0]`). Everything else, such as resourceGroup() or
// reference(), needs a live deployment, so it fails with a message naming
// the function. Importers keep such fields as text when evaluation does not
// need them.
//
//   absl::StatusOr<TemplateEvaluator> evaluator =
//       TemplateEvaluator::Create(template_root, parameters_file, {});
//   absl::StatusOr<google::protobuf::Value> name =
//       evaluator->EvaluateString("[concat(parameters('prefix'), '-nsg')]");
#ifndef PORTCULLIS_NSG_ARM_TEMPLATE_H_
#define PORTCULLIS_NSG_ARM_TEMPLATE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"

namespace portcullis::nsg {

// True when `text` is a template expression: it starts with '[' but not
// "[[", and ends with ']'.
bool IsTemplateExpression(absl::string_view text);

// The subscription and resource group a template is deployed to, for
// resourceId(), subscription() and resourceGroup().name. Empty fields are unknown: resourceId() then writes
// the placeholders `{subscriptionId}` and `{resourceGroupName}`, and the
// functions that return them fail.
struct DeploymentScope {
  std::string subscription_id;
  std::string resource_group;
};

// Budgets that keep evaluation of hostile templates bounded.
inline constexpr int kMaxExpressionDepth = 64;
inline constexpr size_t kMaxExpressionResultBytes = 1 << 20;

// Evaluates expressions of one template. Not thread-safe: it caches
// evaluated variables and parameters, so each thread needs its own.
class TemplateEvaluator {
 public:
  // `template_root` is the template object; `parameters_file` the whole
  // parameters file (`{"parameters": {"x": {"value": ...}}}`) or nullptr.
  // Fails when the template's `parameters` or `variables` member, or the
  // parameters file, is not an object of the documented shape, and when the
  // parameters file names a parameter the template does not declare (Azure's
  // InvalidTemplate).
  static absl::StatusOr<TemplateEvaluator> Create(
      const google::protobuf::Struct& template_root,
      const google::protobuf::Value* parameters_file, DeploymentScope scope);

  // Evaluates `text`: an expression gives its value; any other string is
  // returned as a string value, with a leading "[[" turned into "[".
  absl::StatusOr<google::protobuf::Value> EvaluateString(
      absl::string_view text);

  // Returns `value` with every expression inside it (in strings, array items
  // and object members) evaluated.
  absl::StatusOr<google::protobuf::Value> Resolve(
      const google::protobuf::Value& value);

 private:
  struct Parser;

  TemplateEvaluator() = default;

  class DepthGuard;

  absl::StatusOr<google::protobuf::Value> Call(
      absl::string_view name, const std::vector<google::protobuf::Value>& args);
  absl::StatusOr<google::protobuf::Value> Parameter(absl::string_view name);
  absl::StatusOr<google::protobuf::Value> Variable(absl::string_view name);

  google::protobuf::Struct parameters_;      // the template's declarations
  google::protobuf::Struct given_values_;    // from the parameters file
  google::protobuf::Struct variables_;
  DeploymentScope scope_;
  // Evaluated parameters and variables by lower-case name; names being
  // evaluated are in `evaluating_`, to report cycles.
  absl::flat_hash_map<std::string, google::protobuf::Value> cache_;
  absl::flat_hash_set<std::string> evaluating_;
  // Nesting of expressions, parameter and variable references, and values
  // being resolved; bounded by kMaxExpressionDepth.
  int depth_ = 0;
};

}  // namespace portcullis::nsg

#endif  // PORTCULLIS_NSG_ARM_TEMPLATE_H_
