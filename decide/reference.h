// The slow, obviously correct twin of the network layers of Decide(), for
// differential tests.
//
// It decides from the inputs the snapshot kept, with the reference
// evaluators of the nsg package. The JIT layer uses jit::PortOpenState()
// over the VM's grants. The NSG layer uses nsg::EvaluateFlow() over the
// NSGs with the JIT rules that jit::WithJitRules() adds at `now`, resolved
// afresh on every call. It allocates freely and is not for production use.
#ifndef PORTCULLIS_DECIDE_REFERENCE_H_
#define PORTCULLIS_DECIDE_REFERENCE_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "decide/decide.h"
#include "decide/snapshot.h"
#include "proto/nsg.pb.h"

namespace portcullis::decide {

struct ReferenceNetworkDecision {
  // False when no JIT policy port covers the attempt's port on the VM.
  bool jit_applies = false;
  // Whether a grant opens the port for the JIT source at `now`.
  bool jit_open = false;
  // The verdict on the flow to the VM, and through the bastion on the flow
  // to the bastion.
  nsg::Verdict to_vm;
  std::optional<nsg::Verdict> to_bastion;
};

// Checks each RBAC operation of `decision` (which Decide() returned for
// `attempt` at `now`) with rbac::Policy::Check(), in the order of
// decision.rbac.checks, counting the role of a PIM activation granted now as
// Decide() does. Returns one entry per check: whether it is allowed.
std::vector<bool> CheckRbacReference(const Snapshot& snapshot, const Attempt& attempt,
                                     const Decision& decision, absl::Time now);

// Decides the JIT and NSG layers of `attempt` at `now`. Fails where
// Decide() reports an error for those layers (an unknown VM, no NSG on a
// path, no bastion).
absl::StatusOr<ReferenceNetworkDecision> DecideNetworkReference(
    const Snapshot& snapshot, const Attempt& attempt, absl::Time now);

}  // namespace portcullis::decide

#endif  // PORTCULLIS_DECIDE_REFERENCE_H_
