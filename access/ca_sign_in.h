// The facts of one sign-in that Conditional Access evaluates, and the
// controls it has already satisfied.
//
// Every fact is optional. A fact left unset is "not supplied": the strict
// mode then reports notEnoughInformation for any condition that needs it,
// and the lenient mode counts such a condition as satisfied. A SignIn is
// usually read from the body of Microsoft Graph's What-If request by
// ParseWhatIfRequest() (ca_sign_in_import.h), but callers may fill it in
// code:
//
//   SignIn sign_in;
//   sign_in.user_id = "5d1f7c2e-...";
//   sign_in.directory_known = true;
//   sign_in.group_ids = {"0b6f..."};
//   sign_in.target = SignIn::Target::kApplications;
//   sign_in.application_ids = {"00000003-0000-0ff1-ce00-000000000000"};
//   sign_in.ip_address = *net::IpAddress::Parse("203.0.113.7");
//   sign_in.satisfied.built_in |= ControlBit(ca::BUILT_IN_CONTROL_MFA);
//
// Object ids (users, groups, roles, applications, tenants) are compared
// without regard to ASCII case.
#ifndef PORTCULLIS_ACCESS_CA_SIGN_IN_H_
#define PORTCULLIS_ACCESS_CA_SIGN_IN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "access/device_filter.h"
#include "net/ip_address.h"
#include "proto/ca.pb.h"

namespace portcullis::access {

// Authentication methods, as Graph's authenticationMethodModes names them.
enum class AuthenticationMethod : uint8_t {
  kPassword,
  kVoice,
  kHardwareOath,
  kSoftwareOath,
  kSms,
  kFido2,
  kWindowsHelloForBusiness,
  kMicrosoftAuthenticatorPush,
  kDeviceBasedPush,
  kTemporaryAccessPassOneTime,
  kTemporaryAccessPassMultiUse,
  kEmail,
  kX509CertificateSingleFactor,
  kX509CertificateMultiFactor,
  kFederatedSingleFactor,
  kFederatedMultiFactor,
  kQrCodePin,
};

inline constexpr int kAuthenticationMethodCount = 17;

// Graph's spelling of `method`, such as "windowsHelloForBusiness".
absl::string_view AuthenticationMethodName(AuthenticationMethod method);

// Looks up a method by Graph's spelling, ignoring case.
std::optional<AuthenticationMethod> AuthenticationMethodFromName(
    absl::string_view name);

constexpr uint32_t MethodBit(AuthenticationMethod method) {
  return uint32_t{1} << static_cast<int>(method);
}

constexpr uint32_t ControlBit(ca::BuiltInControl control) {
  return uint32_t{1} << static_cast<int>(control);
}

// Controls and authentication methods the sign-in has already satisfied.
struct SatisfiedControls {
  // Built-in grant controls, as ControlBit() bits.
  uint32_t built_in = 0;
  // Authentication methods used, as MethodBit() bits. They satisfy
  // authentication strengths whose allowed combinations they cover.
  uint32_t methods = 0;
  // Accepted terms of use agreement ids.
  std::vector<std::string> terms_of_use;
  // Authentication strength ids satisfied outright.
  std::vector<std::string> authentication_strengths;
  // Satisfied custom control ids.
  std::vector<std::string> custom_authentication_factors;
};

struct SignIn {
  enum class Identity : uint8_t { kUser, kServicePrincipal };
  enum class UserType : uint8_t { kUnknown, kMember, kGuest };
  enum class Target : uint8_t {
    kNotSupplied,
    kApplications,
    kUserAction,
    kAuthenticationContext,
  };
  enum class UserAction : uint8_t {
    kRegisterSecurityInformation,
    kRegisterOrJoinDevices,
  };

  Identity identity = Identity::kUser;

  // For user sign-ins.
  std::string user_id;
  // True when the directory supplied the user's type, groups and roles. When
  // false, group and role conditions are not supplied facts.
  bool directory_known = false;
  // False when the directory lists the user without a `groups` member, so
  // group conditions are not supplied facts although the user type is.
  // GroupMembershipKnown() combines both flags.
  bool groups_known = true;
  // The same for the `roles` member; RoleMembershipKnown() combines it with
  // directory_known.
  bool roles_known = true;
  UserType user_type = UserType::kUnknown;
  // Transitive group ids and active directory role template ids.
  std::vector<std::string> group_ids;
  std::vector<std::string> role_ids;
  // The external user type, as Graph's userSignIn.externalUserType gives it;
  // EXTERNAL_USER_TYPE_UNSPECIFIED marks an internal user (Graph's
  // `none`). When unset it follows from `user_type`, as
  // PossibleExternalUserTypes() describes. ParseWhatIfRequest() rejects a
  // value that contradicts the directory's `user_type`.
  std::optional<ca::ExternalUserType> external_user_type;
  // The home tenant of an external user.
  std::string external_tenant_id;

  // For workload identity sign-ins.
  std::string service_principal_id;

  // What the sign-in is for.
  Target target = Target::kNotSupplied;
  std::vector<std::string> application_ids;
  UserAction user_action = UserAction::kRegisterSecurityInformation;
  // "c1" to "c99".
  std::string authentication_context;

  // Conditions. DEVICE_PLATFORM_UNSPECIFIED is a platform that none of the
  // named values describes (such as ChromeOS): only policies that include
  // `all` platforms match it.
  std::optional<ca::ClientAppType> client_app_type;
  std::optional<ca::DevicePlatform> device_platform;
  std::optional<net::IpAddress> ip_address;
  // ISO 3166 alpha-2 code; "" when the address maps to no country.
  std::optional<std::string> country;
  std::optional<ca::RiskLevel> sign_in_risk;
  std::optional<ca::RiskLevel> user_risk;
  std::optional<ca::RiskLevel> service_principal_risk;
  // INSIDER_RISK_LEVEL_UNSPECIFIED is Graph's `none`.
  std::optional<ca::InsiderRiskLevel> insider_risk;
  // TRANSFER_METHOD_UNSPECIFIED is Graph's `none`.
  std::optional<ca::TransferMethod> authentication_flow;
  // The device; a DeviceInfo with no property set is unregistered.
  std::optional<DeviceInfo> device;

  SatisfiedControls satisfied;
};

// True when `group_ids` is the user's full list of groups: the directory
// lists the user and the entry has `groups` (an empty array means none).
inline bool GroupMembershipKnown(const SignIn& sign_in) {
  return sign_in.directory_known && sign_in.groups_known;
}

// True when `role_ids` is the user's full list of directory roles: the
// directory lists the user and the entry has `roles` (an empty array means
// none).
inline bool RoleMembershipKnown(const SignIn& sign_in) {
  return sign_in.directory_known && sign_in.roles_known;
}

// The bit of `type` in a set of external user types. Bit 0 is
// EXTERNAL_USER_TYPE_UNSPECIFIED, an internal user.
constexpr uint32_t ExternalUserTypeBit(ca::ExternalUserType type) {
  return uint32_t{1} << static_cast<int>(type);
}

// The kinds a user with userType Guest may be when nothing states more.
// Microsoft's "Assigning Conditional Access policies to external user types"
// defines internal guests, B2B collaboration guests and other external users
// by userType Guest, and B2B direct connect users by having no user object in
// the tenant. NOTE: the page does not say whether service provider users
// have a user object, so a guest may be one.
inline constexpr uint32_t kDirectoryGuestTypes =
    ExternalUserTypeBit(ca::EXTERNAL_USER_TYPE_INTERNAL_GUEST) |
    ExternalUserTypeBit(ca::EXTERNAL_USER_TYPE_B2B_COLLABORATION_GUEST) |
    ExternalUserTypeBit(ca::EXTERNAL_USER_TYPE_OTHER_EXTERNAL_USER) |
    ExternalUserTypeBit(ca::EXTERNAL_USER_TYPE_SERVICE_PROVIDER);

// The external user types the signed-in user may have, as
// ExternalUserTypeBit() bits: the request's type when it states one, else
// kDirectoryGuestTypes for a directory guest and an internal user for a
// directory member. nullopt when neither the request nor the directory gives
// the user's kind. A condition that selects some but not all of the possible
// types is unknown for the user.
inline std::optional<uint32_t> PossibleExternalUserTypes(const SignIn& sign_in) {
  if (sign_in.external_user_type.has_value()) {
    return ExternalUserTypeBit(*sign_in.external_user_type);
  }
  switch (sign_in.user_type) {
    case SignIn::UserType::kGuest:
      return kDirectoryGuestTypes;
    case SignIn::UserType::kMember:
      return ExternalUserTypeBit(ca::EXTERNAL_USER_TYPE_UNSPECIFIED);
    default:
      return std::nullopt;
  }
}

}  // namespace portcullis::access

#endif  // PORTCULLIS_ACCESS_CA_SIGN_IN_H_
