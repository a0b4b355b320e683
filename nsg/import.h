// Importing network security groups from the JSON that Azure tools write.
//
// ImportNsgs() recognizes each real shape by its members and maps it to
// NetworkSecurityGroup messages:
//
//   - an NSG resource as `az network nsg show` or the REST API returns it
//     (`properties.securityRules[].properties`, with or without
//     `defaultSecurityRules`);
//   - the REST API's example files, whose request sits in
//     `parameters.parameters` (or `parameters.securityRuleParameters`) and
//     whose responses sit in `responses.200.body` / `responses.201.body`;
//   - a single security rule resource, and the array that
//     `az network nsg rule list` prints;
//   - an ARM template whose `resources[]` hold NSGs, with the rules inline or
//     as child resources of type
//     `Microsoft.Network/networkSecurityGroups/securityRules`;
//   - the effective security rules view (`value[].effectiveSecurityRules`).
//
// A list response (`{"value": [...]}`) whose `nextLink` names a next page is
// an error: the rules on the other pages would be missing.
//
// Template expressions in the fields that evaluation needs are resolved (see
// arm_template.h); other fields, such as `location` and `tags`, are kept as
// text. Every mistake is reported as a Problem with its JSON path, together
// with the problems that Validate() finds, so a caller cannot take a broken
// file for a good one without looking at ok():
//
//   absl::StatusOr<ImportResult> result = ImportNsgs(bytes, {});
//   if (!result.ok()) return result.status();       // not an NSG document
//   if (!result->ok()) return result->ToStatus();   // rules Azure rejects
//   for (const NetworkSecurityGroup& nsg : result->nsgs) ...
//
// or in one step, for callers that want exactly one valid NSG:
//
//   absl::StatusOr<NetworkSecurityGroup> nsg = ImportValidNsg(bytes, {});
#ifndef PORTCULLIS_NSG_IMPORT_H_
#define PORTCULLIS_NSG_IMPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nsg/arm_template.h"
#include "nsg/validate.h"
#include "proto/nsg.pb.h"

namespace portcullis::nsg {

// Options of ImportNsgs(). A plain struct: the defaults import every NSG of
// the document and resolve template parameters from their default values.
struct ImportOptions {
  // When not empty, only the NSG with this name (compared without regard to
  // case) is imported, and a document without it is an error. Needed to pick
  // one NSG out of a template that declares several.
  std::string nsg_name;
  // Content of an ARM parameters file
  // (`{"parameters": {"x": {"value": ...}}}`); its values take precedence
  // over the template's `defaultValue`s.
  std::optional<std::string> parameters_json;
  // Subscription and resource group of the deployment, for resourceId();
  // unknown by default.
  DeploymentScope scope;
  // When true (the default), NSGs are also checked with Validate() and its
  // problems are added to ImportResult::problems.
  bool validate = true;
};

// The outcome of importing a document that contains NSGs.
struct ImportResult {
  // The NSGs found, in document order. Each contains Azure's six default rules,
  // whether the document lists them or not.
  std::vector<NetworkSecurityGroup> nsgs;
  // Every problem found, in document order: fields of the wrong type,
  // unknown enum values, expressions that cannot be resolved, and (with
  // ImportOptions::validate) what Validate() reports. The NSGs are only fit
  // for evaluation when this is empty.
  std::vector<Problem> problems;
  // The shape recognized, for messages: "resource", "rest example",
  // "rule", "rule list", "template" or "effective rules".
  std::string format;

  // True when there are no problems.
  bool ok() const { return problems.empty(); }
  // OK when there are no problems, else InvalidArgument listing them all.
  absl::Status ToStatus() const { return ProblemsToStatus(problems); }
};

// Imports every NSG of `json_bytes` (UTF-8 with or without a byte-order mark,
// or UTF-16 with one). Fails with InvalidArgument when the bytes are not
// JSON, when the document has none of the shapes above or contains no NSG, and
// with NotFound when `options.nsg_name` names no NSG of the document.
// Mistakes inside the NSGs are not failures: they are listed in
// ImportResult::problems.
absl::StatusOr<ImportResult> ImportNsgs(absl::string_view json_bytes,
                                        const ImportOptions& options = {});

// Imports exactly one NSG and fails unless it is free of problems. With
// several NSGs in the document, `options.nsg_name` must choose one. The
// error message lists every problem with its path.
absl::StatusOr<NetworkSecurityGroup> ImportValidNsg(
    absl::string_view json_bytes, const ImportOptions& options = {});

}  // namespace portcullis::nsg

#endif  // PORTCULLIS_NSG_IMPORT_H_
