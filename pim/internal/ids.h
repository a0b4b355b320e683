// Comparison forms of the principal, role and scope ids that PIM objects
// carry, so that Graph and ARM spellings of the same thing compare equal.
#ifndef PORTCULLIS_PIM_INTERNAL_IDS_H_
#define PORTCULLIS_PIM_INTERNAL_IDS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace portcullis::pim::internal {

// Returns the comparison form of a scope: lower case, one leading `/`, no
// trailing `/`, and the ARM alias `/providers/Microsoft.Subscription/
// subscriptions/...` written as `/subscriptions/...`. The tenant root (Graph
// directoryScopeId "/") stays "/". Empty input stays empty.
std::string NormalizeScope(absl::string_view scope);

// True when a role held at scope `holder` applies at scope `target`: the same
// scope, the root "/", or a parent in the ARM hierarchy (management group,
// subscription, resource group, resource). Both must be normalized.
bool ScopeCovers(absl::string_view holder, absl::string_view target);

// Returns the comparison form of an id that may be written as a bare GUID or
// as a resource id ending in that GUID: the last `/` segment, lower case. ARM
// writes role definitions as `/subscriptions/<sub>/providers/
// Microsoft.Authorization/roleDefinitions/<guid>` while Graph writes the
// GUID, and built-in role GUIDs are the same in every subscription.
std::string NormalizeId(absl::string_view id);

}  // namespace portcullis::pim::internal

#endif  // PORTCULLIS_PIM_INTERNAL_IDS_H_
