// A slow, obviously correct twin of Policy::Check() for differential tests.
//
// ReferenceCheck() reads the RbacInput directly on every call: it lower-cases
// and splits strings as it goes, turns each action pattern into an RE2
// regular expression, resolves roles by a linear search and walks the
// management-group links for each scope. It follows the decision procedure
// written in rbac.h step by step and shares no matching code with Policy,
// so the two can be compared on the same inputs.
#ifndef PORTCULLIS_ACCESS_RBAC_REFERENCE_H_
#define PORTCULLIS_ACCESS_RBAC_REFERENCE_H_

#include "absl/time/time.h"
#include "access/rbac.h"
#include "proto/rbac.pb.h"

namespace portcullis::rbac {

// Decides `request` at `now` against `input`, which must be an input that
// Policy::Compile() accepts. Fills the same fields as Policy::Check(): the
// first deny assignment in input order that blocks, and the first assignment
// in input order that grants (its first granting block and pattern).
Decision ReferenceCheck(const RbacInput& input, const Request& request,
                        absl::Time now);

}  // namespace portcullis::rbac

#endif  // PORTCULLIS_ACCESS_RBAC_REFERENCE_H_
