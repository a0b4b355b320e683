// Reads a sign-in from the body of Microsoft Graph's What-If request
// (`POST /identity/conditionalAccess/evaluate`), so that a request written
// for the real service works unchanged:
//
//   {"signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn",
//                       "userId": "..."},
//    "signInContext": {"@odata.type": "#microsoft.graph.applicationContext",
//                      "includeApplications": ["..."]},
//    "signInConditions": {"devicePlatform": "windows", "ipAddress": "...",
//                         "country": "NL", "clientAppType": "browser",
//                         "signInRiskLevel": "none", "deviceInfo": {...}},
//    "appliedPoliciesOnly": true}
//
// Facts the service looks up itself (the user's type, transitive groups and
// active roles) come from a directory file:
//
//   {"users": [{"id": "...", "userType": "member", "groups": ["..."],
//               "roles": ["62e90394-69f5-4237-9190-012177145e10"]}]}
//
// and the controls the sign-in already satisfied from a list such as
// "mfa,compliantDevice,termsOfUse:<id>" (ParseSatisfiedControls()).
//
// The device proves two grant controls: `deviceInfo.isCompliant: true`
// satisfies compliantDevice, and `trustType: "ServerAD"` (hybrid joined)
// satisfies domainJoinedDevice.
//
// Values Graph documents as defaults are read as "not supplied": a
// clientAppType or devicePlatform of `all`. A country of "" or "unknown"
// means that the address maps to no country.
#ifndef PORTCULLIS_ACCESS_CA_SIGN_IN_IMPORT_H_
#define PORTCULLIS_ACCESS_CA_SIGN_IN_IMPORT_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "access/ca_import.h"
#include "access/ca_sign_in.h"

namespace portcullis::access {

struct DirectoryUser {
  std::string id;
  // kUnknown when the entry has no `userType` member (or null): whether the
  // user is a guest is then not a supplied fact.
  SignIn::UserType user_type = SignIn::UserType::kUnknown;
  std::vector<std::string> groups;
  // False when the entry has no `groups` member (or null): membership is
  // then unknown, while `"groups": []` means no groups.
  bool groups_known = false;
  std::vector<std::string> roles;
  // The same for `roles`.
  bool roles_known = false;
};

// Users by lower-case id.
struct Directory {
  absl::flat_hash_map<std::string, DirectoryUser> users;
};

// Reads a directory file. Errors name the JSON path.
absl::StatusOr<Directory> ParseDirectory(absl::string_view bytes);

struct ParsedSignIn {
  SignIn sign_in;
  bool applied_policies_only = false;
  std::vector<ImportWarning> warnings;
};

// Reads a What-If request body. `directory` may be null, which leaves group
// and role membership unknown.
absl::StatusOr<ParsedSignIn> ParseWhatIfRequest(absl::string_view bytes,
                                                const Directory* directory);

// Adds the controls in `list` (comma separated) to `out`: built-in controls
// as Graph spells them (mfa, compliantDevice, domainJoinedDevice,
// approvedApplication, compliantApplication, passwordChange),
// termsOfUse:<id>, authenticationStrength:<id>,
// customAuthenticationFactor:<id>, and method:<authenticationMethodModes
// name> for each authentication method used (method:password,method:sms).
absl::Status ParseSatisfiedControls(absl::string_view list,
                                    SatisfiedControls* out);

// Fails when the satisfied controls claim what the sign-in's own device
// facts deny: compliantDevice with deviceInfo.isCompliant false, or
// domainJoinedDevice with a deviceInfo.trustType other than ServerAD. A
// device's compliance and join type are facts about the device, not steps
// of the sign-in, so the claim cannot stand against them.
absl::Status CheckControlsAgainstDevice(const SignIn& sign_in);

}  // namespace portcullis::access

#endif  // PORTCULLIS_ACCESS_CA_SIGN_IN_IMPORT_H_
