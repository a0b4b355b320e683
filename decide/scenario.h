// Scenario files: a connection attempt and the real-format inputs of every
// layer, in one JSON document of Portcullis's own.
//
// A scenario names the input files (Graph JSON for Conditional Access,
// Graph or ARM JSON for PIM, ARM JSON for RBAC, NSGs, NICs and the JIT
// policy, the ServiceTags_Public download, a work-hour schedule) and the
// attempt. The README describes the format under "Scenario format":
//
//   {
//     "description": "an administrator gets in through the bastion",
//     "base": "../reference-architecture.json",
//     "now": "2026-03-02T09:30:00Z",
//     "expect": "allow",
//     "attempt": {"signIn": "../ca/sign-in-admin.json",
//                 "satisfiedControls": "mfa", "source": "198.51.100.25",
//                 "port": 22, "viaBastion": true}
//   }
//
// Relative paths resolve from the folder of the file that names them, so a
// scenario and its base may live in different folders. `base` names another
// scenario file whose sections serve as defaults (bases may chain, up to 8
// deep). Each field of the sections `conditionalAccess`, `pim`, `rbac`,
// `network` and `attempt` comes from the scenario when it sets the field and
// from the base otherwise, and `null` removes a base's field. The top-level
// `description` and `now` follow the same rule. `expect` is never taken from
// a base, and deciding ignores it: tests compare it with the decision.
//
// Unknown keys are errors, because a misspelled field would silently drop
// an input. Every error names the file and the JSON path.
#ifndef PORTCULLIS_DECIDE_SCENARIO_H_
#define PORTCULLIS_DECIDE_SCENARIO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "access/ca_sign_in.h"
#include "decide/decide.h"
#include "decide/snapshot.h"
#include "net/ip_address.h"
#include "proto/nsg.pb.h"

namespace portcullis::decide {

struct Scenario {
  // The file read.
  std::string path;
  std::string description;
  // The scenario's instant, when it names one.
  std::optional<absl::Time> now;
  // The expected verdict, when the scenario names one.
  std::optional<Verdict> expect;

  SnapshotInput input;

  // The attempt's sign-in (empty for a raw flow) and target VM, which
  // attempt() points `fields` at.
  std::optional<access::SignIn> sign_in;
  std::string vm_id;
  // The attempt's other fields; its sign_in and vm_id are left unset.
  Attempt fields;

  // Import warnings that did not stop loading ("<file>: <path>: message").
  std::vector<std::string> warnings;

  // The attempt, viewing this scenario's fields: valid while the scenario
  // lives and is not moved.
  Attempt attempt() const;
};

// Reads the scenario at `path` and every input it names.
absl::StatusOr<Scenario> LoadScenario(const std::string& path);

// The `.json` files of `folder`, as paths, sorted by name.
absl::StatusOr<std::vector<std::string>> ScenarioFilesIn(const std::string& folder);

// The build options for deciding one instant: a validity range from a day
// before `now` to a week after it.
BuildOptions BuildOptionsAround(absl::Time now);

// Parses "allow", "deny" or "pending".
absl::StatusOr<Verdict> ParseVerdict(absl::string_view text);

}  // namespace portcullis::decide

#endif  // PORTCULLIS_DECIDE_SCENARIO_H_
