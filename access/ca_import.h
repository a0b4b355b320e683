// Import of Conditional Access policies and named locations from Microsoft
// Graph JSON, exactly as people export them.
//
//   absl::StatusOr<std::vector<ImportedPolicy>> policies =
//       ImportPolicies(file_bytes, "CA001-Block-Countries.json");
//   for (const ImportedPolicy& p : *policies)
//     for (const ImportWarning& w : p.warnings) std::cerr << w.ToString();
//
// What the importer tolerates, because real exports do it:
//   - UTF-8 with or without a byte-order mark, UTF-16 with one (PowerShell's
//     Out-File), decoded by json::ParseJson().
//   - `@odata.*` annotations and keys the library does not know: ignored.
//   - A condition given as null, missing, `[]` or a container of the wrong
//     kind (`"locations": []`): not configured. A missing key that Graph
//     always writes, and any wrong container, add a warning.
//   - Flag enums (guest types, insider risk levels, transfer methods) as one
//     comma-separated string, as Graph writes them, or as an array.
//   - Special tokens (`All`, `None`, `GuestsOrExternalUsers`, `Office365`,
//     `MicrosoftAdminPortals`, `AllTrusted`, `ServicePrincipalsInMyTenant`)
//     and enum values in any case; they are stored in canonical spelling.
//   - A policy without `id` takes the file name without `.json`, with
//     `[i]` appended for the i-th policy of a list.
//   - Named location types the library does not evaluate (compliant network
//     locations and future types): imported as UnsupportedNamedLocation with
//     a warning. No sign-in is ever shown to be in one.
//   - Conditions the library cannot evaluate from a sign-in (filters on
//     custom security attributes, the deprecated device states and times)
//     are kept or dropped, and a warning names each one.
//
// What it rejects, with the JSON path and the offending value: malformed
// JSON, values of the wrong type where no "not configured" reading exists,
// unknown enum values (other than Graph's `unknownFutureValue`, which is
// skipped with a warning), invalid CIDR ranges and country codes, and device
// filter rules that do not parse (the message gives the column).
//
// The extension condition `x-portcullis-schedule` of `conditions` (see
// ScheduleCondition in proto/ca.proto) holds a mode and a work-hour schedule
// in the JSON form of schedule/work_hours.h:
//
//   "x-portcullis-schedule": {"mode": "include", "workHours": {
//     "timeZone": "Europe/Amsterdam",
//     "weekly": [{"days": ["MO", "TU", "WE", "TH", "FR"],
//                 "start": "08:00", "end": "18:00"}]}}
#ifndef PORTCULLIS_ACCESS_CA_IMPORT_H_
#define PORTCULLIS_ACCESS_CA_IMPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "access/ca_import_warning.h"
#include "google/protobuf/struct.pb.h"
#include "json/json.h"
#include "proto/ca.pb.h"

namespace portcullis::access {

struct ImportedPolicy {
  ca::Policy policy;
  std::vector<ImportWarning> warnings;
};

struct ImportedNamedLocation {
  ca::NamedLocation location;
  std::vector<ImportWarning> warnings;
};

// Reads a file holding one policy object, an array of policies, or a Graph
// list response (`{"value": [...]}`). `file_name` supplies missing ids.
absl::StatusOr<std::vector<ImportedPolicy>> ImportPolicies(
    absl::string_view bytes, absl::string_view file_name);

// Reads one parsed policy object found at `path`; `fallback_id` is used when
// it has no `id`.
absl::StatusOr<ImportedPolicy> ImportPolicyValue(
    const google::protobuf::Value& value, const json::Path& path,
    absl::string_view fallback_id);

// Reads a file holding one named location, an array of them, or a Graph
// list response.
absl::StatusOr<std::vector<ImportedNamedLocation>> ImportNamedLocations(
    absl::string_view bytes, absl::string_view file_name);

// Returns `name` without its folders and a trailing ".json".
std::string FileStem(absl::string_view name);

// True for text shaped like an object id: 8-4-4-4-12 hex digits.
bool IsGuid(absl::string_view text);

}  // namespace portcullis::access

#endif  // PORTCULLIS_ACCESS_CA_IMPORT_H_
