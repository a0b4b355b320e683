// Members of the application groups that Conditional Access policies name
// by token: `Office365` and `MicrosoftAdminPortals`.
//
// Microsoft lists the admin portals with their application ids on its
// "Targeting resources in Conditional Access policies" page. For Office 365
// it lists member names only and warns that the list changes. The ids here
// are the members whose ids a Microsoft support article ("Verify first-party
// Microsoft applications in sign-in reports") confirms. Another member
// signing in is not seen as part of Office 365. NOTE: callers who know more
// members (from their tenant's service principals) pass them through
// CompileOptions::extra_office365_app_ids.
#ifndef PORTCULLIS_ACCESS_CA_APP_GROUPS_H_
#define PORTCULLIS_ACCESS_CA_APP_GROUPS_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace portcullis::access {

// Application ids of the Office 365 suite, lower case.
absl::Span<const absl::string_view> Office365AppIds();

// Application ids of the Microsoft Admin Portals group, lower case.
absl::Span<const absl::string_view> AdminPortalAppIds();

}  // namespace portcullis::access

#endif  // PORTCULLIS_ACCESS_CA_APP_GROUPS_H_
