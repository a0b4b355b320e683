// Explanations of decisions: turns the enums and indexes a Decision contains
// into sentences and named facts, off the hot path.
//
//   Decision decision = Decide(*snapshot, attempt, now);
//   absl::StatusOr<std::vector<LayerReport>> reports =
//       Explain(snapshot.get(), attempt, decision);
//   for (const LayerReport& report : *reports)
//     std::cout << LayerName(report.layer) << ": "
//               << LayerOutcomeName(report.outcome) << "\n";
//
// Each layer's report reads the part of the snapshot that decided it: the
// Conditional Access What-If result of the sign-in (which allocates), PIM's
// reason codes and window, the RBAC policy's own explanation of each check,
// the JIT grant and its times, and the NSG rules named as Azure's IP flow
// verify names them.
#ifndef PORTCULLIS_DECIDE_EXPLAIN_H_
#define PORTCULLIS_DECIDE_EXPLAIN_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "decide/decide.h"
#include "decide/snapshot.h"

namespace portcullis::decide {

struct LayerReport {
  Layer layer = Layer::kConditionalAccess;
  LayerOutcome outcome = LayerOutcome::kNotApplicable;
  // Sentences in lower case, the one that decided the layer first.
  std::vector<std::string> reasons;
  // Named facts for machine-readable output, in a fixed order per layer,
  // such as {"requirements", "compliantDevice"} or {"nextOpening",
  // "2026-03-03T07:00:00Z"}. Times are RFC 3339 in UTC.
  std::vector<std::pair<std::string, std::string>> facts;
};

// Explains every layer of `decision`, which Decide(*snapshot, attempt, ...)
// returned. `snapshot` may be null only for a decision made without one.
// Fails with InvalidArgument when the decision came from another snapshot.
absl::StatusOr<std::vector<LayerReport>> Explain(const Snapshot* snapshot,
                                                 const Attempt& attempt,
                                                 const Decision& decision);

// Returns "allowed", "denied by <layer>: <its first reason>" or "pending in
// <layer>: <its first reason>", from the reports of `decision`.
std::string Summarize(const Decision& decision,
                      const std::vector<LayerReport>& reports);

}  // namespace portcullis::decide

#endif  // PORTCULLIS_DECIDE_EXPLAIN_H_
