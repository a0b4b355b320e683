// Validation of network security groups as Azure Resource Manager validates
// them when a rule is created or updated.
//
// Azure rejects a bad rule with an error code such as SecurityRuleConflict
// and a message. Validate() reports each such mistake as a Problem with the
// same error code, the JSON path of the offending field and the offending
// value. It reports every problem instead of stopping at the first:
//
//   std::vector<Problem> problems = Validate(nsg);
//   for (const Problem& problem : problems) {
//     std::cerr << problem.ToString() << "\n";
//     // properties.securityRules[1].properties.priority: invalid value 5000;
//     // expected an integer between 100 and 4096 (SecurityRuleInvalidPriority)
//   }
//
// Checks of each rule:
//   - name: 1 to 80 letters, digits, '.', '-' and '_', starting with a
//     letter, digit or '_' and ending with one of those, and unique in
//     the NSG;
//   - priority: 100 to 4096, unique per direction;
//   - direction, access and protocol: present;
//   - each side: exactly one of the singular and plural port fields, and
//     exactly one of the singular prefix, the plural prefixes and the
//     application security groups;
//   - ports: `*`, `22` or `80-90` (never `80,443`);
//   - prefixes: no host bits, valid lengths, no service tag or `*` inside a
//     plural list, no overlap within one side;
//   - description: at most 140 characters.
// Checks of the NSG: at most 1,000 rules, and at most 4,000 addresses and
// ranges on each of the source and destination sides.
//
// Validation never resolves service tags: a singular prefix that is not an
// address, a CIDR prefix or `*` is taken as a tag name and only its spelling
// is checked. Unknown tags are reported when addresses are resolved.
#ifndef PORTCULLIS_NSG_VALIDATE_H_
#define PORTCULLIS_NSG_VALIDATE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "proto/nsg.pb.h"

namespace portcullis::nsg {

// The Azure error codes that problems name. Each was seen in an Azure
// response quoted in a public report, unless a NOTE states otherwise.
namespace azure_error {
inline constexpr char kInvalidResourceName[] = "InvalidResourceName";
// NOTE: no captured Azure response shows the code for two rules with one
// name, so this code is an estimate.
inline constexpr char kDuplicateResourceName[] = "DuplicateResourceName";
inline constexpr char kInvalidPriority[] = "SecurityRuleInvalidPriority";
inline constexpr char kConflict[] = "SecurityRuleConflict";
// NOTE: the codes for a bad protocol and a bad direction are not confirmed
// by a captured Azure response.
inline constexpr char kInvalidProtocol[] = "SecurityRuleInvalidProtocol";
inline constexpr char kInvalidDirection[] = "SecurityRuleInvalidDirection";
inline constexpr char kInvalidAccess[] = "SecurityRuleInvalidAccessType";
inline constexpr char kParametersMissing[] = "SecurityRuleParametersMissing";
// NOTE: the code for a side that sets both the singular and the plural field
// is not confirmed by a captured Azure response.
inline constexpr char kParametersConflict[] = "SecurityRuleParametersConflict";
inline constexpr char kInvalidPortRange[] = "SecurityRuleInvalidPortRange";
inline constexpr char kInvalidPortRanges[] =
    "SecurityRuleParameterContainsInvalidPortRanges";
inline constexpr char kInvalidAddressPrefix[] = "SecurityRuleInvalidAddressPrefix";
inline constexpr char kUnsupportedValue[] =
    "SecurityRuleParameterContainsUnsupportedValue";
inline constexpr char kOverlappingPrefixes[] =
    "OverlappingSubnetsNotPermittedInSecurityRule";
inline constexpr char kMixedAddressFamilies[] =
    "ResourceCannotContainAddressPrefixesFromDifferentAddressFamilies";
inline constexpr char kRuleCountLimit[] = "SecurityRuleCountLimitReached";
// NOTE: the codes for the prefix limit and for a long description are not
// confirmed by a captured Azure response.
inline constexpr char kPrefixCountLimit[] = "SecurityRuleAddressPrefixCountLimitReached";
inline constexpr char kInvalidDescription[] = "SecurityRuleInvalidDescription";
// A template expression that cannot be evaluated, or a parameter without a
// value.
inline constexpr char kInvalidTemplate[] = "InvalidTemplate";
// A field of the wrong JSON type. Azure rejects it with "Cannot parse the
// request".
inline constexpr char kInvalidRequestFormat[] = "InvalidRequestFormat";
}  // namespace azure_error

// One mistake in a user's NSG, as Azure would reject it.
struct Problem {
  // JSON path of the offending field, e.g.
  // `properties.securityRules[3].properties.priority`.
  std::string path;
  // The Azure error code this problem mirrors, e.g. `SecurityRuleConflict`,
  // or `InvalidTemplate` for a template expression that cannot be resolved.
  // Empty for a limit of this importer that Azure does not share, such as an
  // unsupported template feature.
  std::string azure_error;
  // Lower-case explanation that quotes the offending value and states what was
  // expected, without the path.
  std::string message;

  // "<path>: <message> (<azure_error>)", or "<path>: <message>" without an
  // error code.
  std::string ToString() const;

  friend bool operator==(const Problem& a, const Problem& b) {
    return a.path == b.path && a.azure_error == b.azure_error &&
           a.message == b.message;
  }
};

// Azure's limits that validation enforces.
inline constexpr int kMinUserPriority = 100;
inline constexpr int kMaxUserPriority = 4096;
inline constexpr int kMaxRulesPerNsg = 1000;
// Addresses and ranges per NSG, counted separately for sources and
// destinations.
inline constexpr int kMaxPrefixesPerSide = 4000;
inline constexpr int kMaxRuleNameLength = 80;
inline constexpr int kMaxDescriptionLength = 140;

// Returns every problem of `nsg`, in document order; empty when Azure would
// accept it. Default rules are checked for shape only, because Azure itself
// gives them priorities outside the user range.
std::vector<Problem> Validate(const NetworkSecurityGroup& nsg);

// Returns OK when `problems` is empty, else an InvalidArgument status whose
// message lists every problem, one per line.
absl::Status ProblemsToStatus(const std::vector<Problem>& problems);

}  // namespace portcullis::nsg

#endif  // PORTCULLIS_NSG_VALIDATE_H_
