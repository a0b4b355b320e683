// The slow, obviously correct twin of ActivationEvaluator::Decide for
// activations (selfActivate), for differential tests.
//
// It reads the imported messages directly on every call (rules are looked
// up by id, durations and times converted each time) and shapes the window
// with interval algebra: the requested window intersected with the bounds
// that clip it, taking the piece that holds the start. It allocates freely
// and is not meant for production use.
#ifndef PORTCULLIS_PIM_REFERENCE_H_
#define PORTCULLIS_PIM_REFERENCE_H_

#include "absl/types/span.h"
#include "pim/activation.h"
#include "pim/decision.h"
#include "proto/pim.pb.h"
#include "schedule/interval.h"

namespace portcullis::pim {

// Decides a selfActivate `request` as ActivationEvaluator::Decide does.
// `policy` must compile (RolePolicy::Compile) and the instances must
// compile (CompileInstances); `work_windows` may be null.
ActivationDecision DecideActivationReference(
    const RoleManagementPolicy& policy,
    absl::Span<const ScheduleInstance> eligibilities,
    absl::Span<const ScheduleInstance> active_instances,
    const ScheduleRequest& request, const RequestContext& context,
    const ActivationOptions& options,
    const schedule::IntervalSet* work_windows);

}  // namespace portcullis::pim

#endif  // PORTCULLIS_PIM_REFERENCE_H_
