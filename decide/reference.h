// The slow, obviously correct twins of the PIM layer and the network layers
// of Decide(), for differential tests.
//
// The PIM twin reads each request's processing time from its message and
// judges every activation request of the user in full, then sorts them to
// find the one that decides. The network twin decides from the inputs the
// snapshot kept, with the reference evaluators of the nsg package. The JIT
// layer uses jit::PortOpenState() over the VM's grants. The NSG layer uses
// nsg::EvaluateFlow() over the NSGs with the JIT rules that
// jit::WithJitRules() adds at `now`, resolved afresh on every call. Both
// allocate freely and are not for production use.
#ifndef PORTCULLIS_DECIDE_REFERENCE_H_
#define PORTCULLIS_DECIDE_REFERENCE_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "access/ca_sign_in.h"
#include "decide/decide.h"
#include "decide/snapshot.h"
#include "proto/nsg.pb.h"

namespace portcullis::decide {

struct ReferenceNetworkDecision {
  // False when no JIT policy port covers the attempt's port on the VM.
  bool jit_applies = false;
  // Whether a grant opens the port for the JIT source at `now`.
  bool jit_open = false;
  // The verdict on the flow to the VM. Through the bastion also the verdicts
  // on the flow to the bastion and on the bastion's session to the VM as it
  // leaves AzureBastionSubnet (an outbound flow through that subnet's NSG).
  nsg::Verdict to_vm;
  std::optional<nsg::Verdict> to_bastion;
  std::optional<nsg::Verdict> from_bastion;
};

struct ReferencePimDecision {
  LayerOutcome outcome = LayerOutcome::kNotApplicable;
  PimDetail::Basis basis = PimDetail::Basis::kNone;
  // The same indexes as PimDetail's.
  int instance = -1;
  int request = -1;
  int deactivation = -1;
  // The deciding request of every group of one role and scope that allows,
  // in the order of CompiledPim::activation_groups, whatever the basis.
  std::vector<int> granted;
};

// Decides the PIM layer for `sign_in` at `now` as Decide() does for the VM
// `vm_id`. An active instance of the user allows when it contains `now`, no
// deactivation ended it, the user is eligible for its role and its scope
// covers the VM. Otherwise the user's activation requests decide, grouped
// by role and scope. In each group the request that PIM processed last
// decides, the most restrictive outcome first among requests processed at
// the same instant, then the greater serialized message, then the lower
// index. Of the groups' outcomes the least restrictive is the layer's, and
// among equal ones the latest request, then the greater message, is named.
// A deactivation processed at or after the activation and by `now` (or
// with no recorded time) ends it, and the earliest one is named. `granted`
// lists the allowing groups whichever basis decides. Returns kError where
// Decide() fails the layer, such as for a `now` that is not finite.
ReferencePimDecision DecidePimReference(const Snapshot& snapshot,
                                        const access::SignIn& sign_in, absl::string_view vm_id,
                                        absl::Time now);

// Checks each RBAC operation of `decision` (which Decide() returned for
// `attempt` at `now`) with rbac::Policy::Check(), in the order of
// decision.rbac.checks, counting the roles of the PIM activations that
// DecidePimReference() grants now. Returns one entry per check: whether it is allowed.
std::vector<bool> CheckRbacReference(const Snapshot& snapshot, const Attempt& attempt,
                                     const Decision& decision, absl::Time now);

// Decides the JIT and NSG layers of `attempt` at `now`. Fails where
// Decide() reports an error for those layers (a `now` that is not finite,
// an unknown VM, no NSG on a path, no bastion).
absl::StatusOr<ReferenceNetworkDecision> DecideNetworkReference(
    const Snapshot& snapshot, const Attempt& attempt, absl::Time now);

}  // namespace portcullis::decide

#endif  // PORTCULLIS_DECIDE_REFERENCE_H_
