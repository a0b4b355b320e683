// A slow, obviously correct Conditional Access evaluator: one policy at a
// time, one condition at a time, straight from the proto messages, with
// Kleene logic on each comparison. Tests compare the compiled
// ConditionalAccessPolicySet with it on generated policies and sign-ins.
// Not for production: it re-reads every policy and parses every device
// filter on each call.
#ifndef PORTCULLIS_ACCESS_CA_REFERENCE_H_
#define PORTCULLIS_ACCESS_CA_REFERENCE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "access/ca_named_locations.h"
#include "access/conditional_access.h"
#include "proto/ca.pb.h"

namespace portcullis::access {

// Evaluates `policies` for `sign_in` as ConditionalAccessPolicySet::Explain()
// does. `locations` may be null. Policies whose device filter or schedule
// does not parse count as not applying with reason invalidPolicy. Fails
// where Explain() fails: for a `now` that is not finite, and for a schedule
// that cannot be expanded around `now`.
absl::StatusOr<WhatIfResult> ReferenceExplain(
    const std::vector<ca::Policy>& policies, const NamedLocationSet* locations,
    const SignIn& sign_in, absl::Time now, EvaluationMode mode,
    const CompileOptions& options = {});

}  // namespace portcullis::access

#endif  // PORTCULLIS_ACCESS_CA_REFERENCE_H_
