#include "access/ca_sign_in_import.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::access {
namespace {

using ::portcullis::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Graph's first What-If example request, with the user's groups from a
// directory file.
TEST(CaSignInImportTest, GraphExampleRequest) {
  ASSERT_OK_AND_ASSIGN(Directory directory, ParseDirectory(R"({"users": [
      {"id": "15DC174B-F34C-4588-AC45-61D6E05DCE93", "userType": "guest",
       "groups": ["g1"], "roles": ["62e90394-69f5-4237-9190-012177145e10"]}]})"));
  ASSERT_OK_AND_ASSIGN(ParsedSignIn parsed, ParseWhatIfRequest(R"({
    "signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn",
                       "userId": "15dc174b-f34c-4588-ac45-61d6e05dce93"},
    "signInContext": {"@odata.type": "#microsoft.graph.applicationContext",
                      "includeApplications": ["00000003-0000-0ff1-ce00-000000000000"]},
    "signInConditions": {"devicePlatform": "ios", "clientAppType": "browser",
      "signInRiskLevel": "high", "userRiskLevel": "none", "country": "us",
      "ipAddress": "2001:db8::1", "insiderRiskLevel": "elevated",
      "authenticationFlow": {"transferMethod": "deviceCodeFlow"},
      "deviceInfo": {"isCompliant": true, "ownership": "Company",
                     "systemLabels": ["CloudPC"], "extensionAttribute1": "SAW"}},
    "appliedPoliciesOnly": true})",
                                                               &directory));
  const SignIn& s = parsed.sign_in;
  EXPECT_TRUE(parsed.applied_policies_only);
  EXPECT_TRUE(s.directory_known);
  EXPECT_EQ(s.user_type, SignIn::UserType::kGuest);
  EXPECT_THAT(s.group_ids, ElementsAre("g1"));
  EXPECT_EQ(s.target, SignIn::Target::kApplications);
  EXPECT_EQ(s.device_platform, ca::DEVICE_PLATFORM_IOS);
  EXPECT_EQ(s.client_app_type, ca::CLIENT_APP_TYPE_BROWSER);
  EXPECT_EQ(s.sign_in_risk, ca::RISK_LEVEL_HIGH);
  EXPECT_EQ(s.user_risk, ca::RISK_LEVEL_NONE);
  EXPECT_EQ(s.insider_risk, ca::INSIDER_RISK_LEVEL_ELEVATED);
  EXPECT_EQ(s.authentication_flow, ca::TRANSFER_METHOD_DEVICE_CODE_FLOW);
  EXPECT_EQ(s.country, "US");
  EXPECT_EQ(s.ip_address->ToString(), "2001:db8::1");
  ASSERT_TRUE(s.device.has_value());
  EXPECT_EQ(*s.device->Get(DeviceProperty::kDeviceOwnership), "Company");
  EXPECT_EQ(*s.device->Get(DeviceProperty::kIsCompliant), "True");
  EXPECT_THAT(*s.device->GetCollection(DeviceProperty::kSystemLabels),
              ElementsAre("CloudPC"));
  EXPECT_TRUE(s.satisfied.built_in &
              ControlBit(ca::BUILT_IN_CONTROL_COMPLIANT_DEVICE));
  EXPECT_TRUE(parsed.warnings.empty());
}

TEST(CaSignInImportTest, DefaultsAreNotSupplied) {
  ASSERT_OK_AND_ASSIGN(ParsedSignIn parsed, ParseWhatIfRequest(R"({
    "signInIdentity": {"userId": "u"},
    "signInConditions": {"devicePlatform": "all", "clientAppType": "all",
                         "country": "unknown"}})",
                                                               nullptr));
  EXPECT_FALSE(parsed.sign_in.device_platform.has_value());
  EXPECT_FALSE(parsed.sign_in.client_app_type.has_value());
  EXPECT_EQ(parsed.sign_in.country, "");
  EXPECT_EQ(parsed.sign_in.target, SignIn::Target::kNotSupplied);
  EXPECT_FALSE(parsed.sign_in.directory_known);
}

TEST(CaSignInImportTest, UnknownUserWarns) {
  Directory empty;
  ASSERT_OK_AND_ASSIGN(ParsedSignIn parsed, ParseWhatIfRequest(R"({
    "signInIdentity": {"userId": "u"},
    "signInConditions": {"devicePlatform": "iOS"}})",
                                                               &empty));
  EXPECT_EQ(parsed.sign_in.device_platform, ca::DEVICE_PLATFORM_IOS);
  ASSERT_EQ(parsed.warnings.size(), 1u);
  EXPECT_EQ(parsed.warnings[0].path, "signInIdentity.userId");
}

// Graph's What-If request accepts only the platforms it names. A misspelt
// platform taken as "some other platform" would skip every policy that
// blocks the intended one, so it is an error naming the field and value.
TEST(CaSignInImportTest, UnknownPlatformIsError) {
  for (const char* platform : {"chromeOS", "andriod", " android"}) {
    absl::StatusOr<ParsedSignIn> parsed = ParseWhatIfRequest(
        absl::StrCat(R"({"signInIdentity": {"userId": "u"},
                         "signInConditions": {"devicePlatform": ")",
                     platform, R"("}})"),
        nullptr);
    ASSERT_FALSE(parsed.ok()) << platform;
    EXPECT_THAT(parsed.status().message(),
                HasSubstr(absl::StrCat("signInConditions.devicePlatform: invalid value \"",
                                       platform, "\"")));
    EXPECT_THAT(parsed.status().message(), HasSubstr("android, iOS, windows"));
  }
}

TEST(CaSignInImportTest, DirectoryEntryWithoutUserTypeIsUnknown) {
  ASSERT_OK_AND_ASSIGN(Directory directory, ParseDirectory(R"({"users": [
      {"id": "missing", "groups": [], "roles": []},
      {"id": "null", "userType": null, "groups": [], "roles": []},
      {"id": "member", "userType": "Member", "groups": [], "roles": []}]})"));
  EXPECT_EQ(directory.users.at("missing").user_type, SignIn::UserType::kUnknown);
  EXPECT_EQ(directory.users.at("null").user_type, SignIn::UserType::kUnknown);
  EXPECT_EQ(directory.users.at("member").user_type, SignIn::UserType::kMember);

  ASSERT_OK_AND_ASSIGN(ParsedSignIn missing, ParseWhatIfRequest(
      R"({"signInIdentity": {"userId": "missing"}})", &directory));
  EXPECT_EQ(missing.sign_in.user_type, SignIn::UserType::kUnknown);
  EXPECT_FALSE(PossibleExternalUserTypes(missing.sign_in).has_value());
  ASSERT_EQ(missing.warnings.size(), 1u);
  EXPECT_THAT(missing.warnings[0].message, HasSubstr("no \"userType\" member"));

  // The request's own externalUserType settles the kind without a warning.
  ASSERT_OK_AND_ASSIGN(ParsedSignIn stated, ParseWhatIfRequest(
      R"({"signInIdentity": {"userId": "missing", "externalUserType": "none"}})",
      &directory));
  EXPECT_EQ(PossibleExternalUserTypes(stated.sign_in),
            ExternalUserTypeBit(ca::EXTERNAL_USER_TYPE_UNSPECIFIED));
  EXPECT_TRUE(stated.warnings.empty());
}

// The directory's userType is what the service looks up, so a request
// externalUserType of the other kind is an error naming both.
TEST(CaSignInImportTest, ExternalUserTypeMustMatchDirectory) {
  ASSERT_OK_AND_ASSIGN(Directory directory, ParseDirectory(R"({"users": [
      {"id": "guest", "userType": "guest", "groups": [], "roles": []},
      {"id": "member", "userType": "member", "groups": [], "roles": []}]})"));
  auto request = [](const std::string& user, const std::string& type) {
    return absl::StrCat(R"({"signInIdentity": {"userId": ")", user,
                        R"(", "externalUserType": ")", type, R"("}})");
  };
  struct Case {
    std::string user;
    std::string type;
  };
  for (const Case& c : std::vector<Case>{{"guest", "none"},
                                         {"guest", "b2bCollaborationMember"},
                                         {"member", "internalGuest"},
                                         {"member", "b2bCollaborationGuest"},
                                         {"member", "otherExternalUser"}}) {
    SCOPED_TRACE(c.user + " " + c.type);
    absl::StatusOr<ParsedSignIn> parsed = ParseWhatIfRequest(request(c.user, c.type), &directory);
    EXPECT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("signInIdentity.externalUserType")));
    EXPECT_THAT(parsed.status().message(), HasSubstr("whose userType is " + c.user));
  }
  for (const Case& c : std::vector<Case>{{"guest", "internalGuest"},
                                         {"guest", "b2bCollaborationGuest"},
                                         {"guest", "serviceProvider"},
                                         {"member", "none"},
                                         {"member", "b2bCollaborationMember"},
                                         {"member", "b2bDirectConnectUser"}}) {
    SCOPED_TRACE(c.user + " " + c.type);
    EXPECT_OK(ParseWhatIfRequest(request(c.user, c.type), &directory).status());
  }
}

// A directory guest whose kind nothing states may be any kind with
// userType Guest, not only a B2B collaboration guest.
TEST(CaSignInImportTest, DirectoryGuestKindIsOpen) {
  ASSERT_OK_AND_ASSIGN(Directory directory, ParseDirectory(R"({"users": [
      {"id": "guest", "userType": "guest", "groups": [], "roles": []}]})"));
  ASSERT_OK_AND_ASSIGN(ParsedSignIn parsed, ParseWhatIfRequest(
      R"({"signInIdentity": {"userId": "guest"}})", &directory));
  EXPECT_EQ(PossibleExternalUserTypes(parsed.sign_in), kDirectoryGuestTypes);
}

// A device's compliance and join type come from its deviceInfo, so a
// claimed control that contradicts them is an error. Without deviceInfo,
// or without the property, the claim is accepted.
TEST(CaSignInImportTest, ClaimedDeviceControlsMustMatchDevice) {
  auto check = [](const std::string& device, const std::string& controls) {
    absl::StatusOr<ParsedSignIn> parsed = ParseWhatIfRequest(
        absl::StrCat(R"({"signInIdentity": {"userId": "u"}, "signInConditions": )", device, "}"),
        nullptr);
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    if (!parsed.ok()) return parsed.status();
    absl::Status status = ParseSatisfiedControls(controls, &parsed->sign_in.satisfied);
    if (!status.ok()) return status;
    return CheckControlsAgainstDevice(parsed->sign_in);
  };
  const std::string not_compliant = R"({"deviceInfo": {"isCompliant": false}})";
  EXPECT_THAT(check(not_compliant, "mfa,compliantDevice").message(),
              HasSubstr("deviceInfo.isCompliant is \"False\""));
  EXPECT_OK(check(not_compliant, "mfa"));
  EXPECT_OK(check(R"({"deviceInfo": {}})", "compliantDevice"));
  EXPECT_OK(check("{}", "compliantDevice,domainJoinedDevice"));
  EXPECT_OK(check(R"({"deviceInfo": {"isCompliant": true}})", "compliantDevice"));
  EXPECT_THAT(check(R"({"deviceInfo": {"trustType": "AzureAD"}})", "domainJoinedDevice").message(),
              HasSubstr("deviceInfo.trustType is \"AzureAD\""));
  EXPECT_OK(check(R"({"deviceInfo": {"trustType": "ServerAD"}})", "domainJoinedDevice"));
}

TEST(CaSignInImportTest, IsCompliantIsBoolean) {
  for (const char* text : {R"("yes")", "1", R"("")"}) {
    absl::StatusOr<ParsedSignIn> parsed = ParseWhatIfRequest(
        absl::StrCat(R"({"signInIdentity": {"userId": "u"},
                         "signInConditions": {"deviceInfo": {"isCompliant": )",
                     text, "}}}"),
        nullptr);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_THAT(parsed.status().message(),
                HasSubstr("signInConditions.deviceInfo.isCompliant: invalid value"));
    EXPECT_THAT(parsed.status().message(), HasSubstr("expected true or false"));
  }
  ASSERT_OK_AND_ASSIGN(ParsedSignIn text, ParseWhatIfRequest(
      R"({"signInIdentity": {"userId": "u"},
          "signInConditions": {"deviceInfo": {"isCompliant": "TRUE"}}})",
      nullptr));
  ASSERT_TRUE(text.sign_in.device.has_value());
  EXPECT_EQ(*text.sign_in.device->Get(DeviceProperty::kIsCompliant), "True");
}

// A member that Graph's What-If request does not define is an error naming
// it, so that a misspelt "ipAdress" cannot drop the address that a
// location policy blocks. @odata annotations are allowed anywhere.
TEST(CaSignInImportTest, UnknownMembersAreErrors) {
  struct Case {
    const char* request;
    const char* path;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"signInIdentity": {"userId": "u"}, "signInConditions": {"ipAdress": "203.0.113.9"}})",
            "signInConditions.ipAdress: unknown member"},
           {R"({"signInIdentity": {"userId": "u"}, "signInConditions": {"devicePlatfrom": "android"}})",
            "signInConditions.devicePlatfrom: unknown member"},
           {R"({"signInIdentity": {"userId": "u", "userType": "guest"}})",
            "signInIdentity.userType: unknown member"},
           {R"({"signInIdentity": {"userId": "u"}, "signInContext": {"includeApplication": ["x"]}})",
            "signInContext.includeApplication: unknown member"},
           {R"({"signInIdentity": {"userId": "u"}, "signInConditions": {"deviceInfo": {"isCompilant": true}}})",
            "signInConditions.deviceInfo.isCompilant: unknown member"},
           {R"({"signInIdentity": {"userId": "u"}, "signInConditions": {"authenticationFlow": {"method": "none"}}})",
            "signInConditions.authenticationFlow.method: unknown member"},
           {R"({"signInIdentity": {"userId": "u"}, "signInCondition": {}})",
            "signInCondition: unknown member"},
           // Graph's deviceInfo spells the ownership property `ownership`.
           {R"({"signInIdentity": {"userId": "u"}, "signInConditions": {"deviceInfo": {"deviceOwnership": "Company"}}})",
            "signInConditions.deviceInfo.deviceOwnership: unknown member"},
           {R"({"signInIdentity": {"userId": "u"}, "signInConditions": {"deviceInfo": {"ownership": "Personal", "deviceOwnership": "Company"}}})",
            "signInConditions.deviceInfo.deviceOwnership: unknown member"},
       }) {
    absl::StatusOr<ParsedSignIn> parsed = ParseWhatIfRequest(c.request, nullptr);
    ASSERT_FALSE(parsed.ok()) << c.request;
    EXPECT_THAT(parsed.status().message(), HasSubstr(c.path));
  }
  EXPECT_OK(ParseWhatIfRequest(
      R"({"@odata.context": "x", "signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn",
          "userId": "u"}, "signInConditions": {"IPADDRESS": "203.0.113.9",
          "deviceInfo": {"ownership": "company", "extensionAttribute3": "x"}}})",
      nullptr)
                .status());
}

TEST(CaSignInImportTest, DirectoryEntryWithoutGroupsIsUnknown) {
  ASSERT_OK_AND_ASSIGN(Directory directory, ParseDirectory(R"({"users": [
      {"id": "missing", "userType": "member", "roles": ["r1"]},
      {"id": "null", "userType": "member", "groups": null, "roles": []},
      {"id": "none", "userType": "member", "groups": [], "roles": []}]})"));
  EXPECT_FALSE(directory.users.at("missing").groups_known);
  EXPECT_FALSE(directory.users.at("null").groups_known);
  EXPECT_TRUE(directory.users.at("none").groups_known);

  ASSERT_OK_AND_ASSIGN(ParsedSignIn missing, ParseWhatIfRequest(
      R"({"signInIdentity": {"userId": "missing"}})", &directory));
  EXPECT_TRUE(missing.sign_in.directory_known);
  EXPECT_FALSE(missing.sign_in.groups_known);
  EXPECT_FALSE(GroupMembershipKnown(missing.sign_in));
  EXPECT_THAT(missing.sign_in.role_ids, ElementsAre("r1"));
  ASSERT_EQ(missing.warnings.size(), 1u);
  EXPECT_EQ(missing.warnings[0].path, "signInIdentity.userId");
  EXPECT_THAT(missing.warnings[0].message,
              HasSubstr("has no \"groups\" member, so group membership is unknown"));

  ASSERT_OK_AND_ASSIGN(ParsedSignIn none, ParseWhatIfRequest(
      R"({"signInIdentity": {"userId": "none"}})", &directory));
  EXPECT_TRUE(GroupMembershipKnown(none.sign_in));
  EXPECT_TRUE(none.sign_in.group_ids.empty());
  EXPECT_TRUE(none.warnings.empty());

  ASSERT_OK_AND_ASSIGN(ParsedSignIn absent, ParseWhatIfRequest(
      R"({"signInIdentity": {"userId": "absent"}})", &directory));
  EXPECT_FALSE(GroupMembershipKnown(absent.sign_in));
}

TEST(CaSignInImportTest, ServicePrincipalAndContexts) {
  ASSERT_OK_AND_ASSIGN(ParsedSignIn sp, ParseWhatIfRequest(R"({
    "signInIdentity": {"@odata.type": "#microsoft.graph.servicePrincipalSignIn",
                       "servicePrincipalId": "sp"},
    "signInContext": {"@odata.type": "#microsoft.graph.authContext",
                      "authenticationContextValue": "C3"}})",
                                                           nullptr));
  EXPECT_EQ(sp.sign_in.identity, SignIn::Identity::kServicePrincipal);
  EXPECT_EQ(sp.sign_in.service_principal_id, "sp");
  EXPECT_EQ(sp.sign_in.target, SignIn::Target::kAuthenticationContext);
  EXPECT_EQ(sp.sign_in.authentication_context, "c3");

  ASSERT_OK_AND_ASSIGN(ParsedSignIn action, ParseWhatIfRequest(R"({
    "signInIdentity": {"userId": "u"},
    "signInContext": {"@odata.type": "#microsoft.graph.userActionContext",
                      "userAction": "registerOrJoinDevices"}})",
                                                               nullptr));
  EXPECT_EQ(action.sign_in.target, SignIn::Target::kUserAction);
  EXPECT_EQ(action.sign_in.user_action,
            SignIn::UserAction::kRegisterOrJoinDevices);
}

// Without @odata.type the members decide the type, and members of two
// types are an error instead of a guess. With @odata.type, a member of
// another type is an error too.
TEST(CaSignInImportTest, IdentityAndContextHaveOneType) {
  struct Case {
    const char* part;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {R"("signInIdentity": {"userId": "u", "servicePrincipalId": "sp"})",
            "signInIdentity: has members of two types, userId of userSignIn and "
            "servicePrincipalId of servicePrincipalSignIn"},
           {R"("signInIdentity": {"externalUserType": "none", "servicePrincipalId": "sp"})",
            "signInIdentity: has members of two types"},
           {R"("signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": "u",
               "servicePrincipalId": "sp"})",
            "signInIdentity.servicePrincipalId: not a member of userSignIn"},
           {R"("signInIdentity": {"@odata.type": "#microsoft.graph.deviceSignIn", "userId": "u"})",
            "signInIdentity.@odata.type: invalid value \"#microsoft.graph.deviceSignIn\""},
           {R"("signInIdentity": {"userId": "u"}, "signInContext": {"includeApplications": ["a"],
               "userAction": "registerSecurityInformation"})",
            "signInContext: has members of two types, includeApplications of applicationContext "
            "and userAction of userActionContext"},
           {R"("signInIdentity": {"userId": "u"}, "signInContext": {"includeApplications": ["a"],
               "authenticationContextValue": "c1"})",
            "signInContext: has members of two types"},
           {R"("signInIdentity": {"userId": "u"}, "signInContext": {
               "@odata.type": "#microsoft.graph.applicationContext", "includeApplications": ["a"],
               "userAction": "registerSecurityInformation"})",
            "signInContext.userAction: not a member of applicationContext"},
       }) {
    absl::StatusOr<ParsedSignIn> parsed = ParseWhatIfRequest(absl::StrCat("{", c.part, "}"), nullptr);
    EXPECT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)))
        << c.part;
  }

  ASSERT_OK_AND_ASSIGN(ParsedSignIn sp, ParseWhatIfRequest(
      R"({"signInIdentity": {"servicePrincipalId": "sp"}})", nullptr));
  EXPECT_EQ(sp.sign_in.identity, SignIn::Identity::kServicePrincipal);
  ASSERT_OK_AND_ASSIGN(ParsedSignIn auth, ParseWhatIfRequest(
      R"({"signInIdentity": {"userId": "u"}, "signInContext": {"authenticationContextValue": "c2"}})",
      nullptr));
  EXPECT_EQ(auth.sign_in.target, SignIn::Target::kAuthenticationContext);
}

TEST(CaSignInImportTest, Errors) {
  EXPECT_THAT(ParseWhatIfRequest(R"({"signInConditions": {}})", nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("signInIdentity: missing")));
  EXPECT_THAT(
      ParseWhatIfRequest(R"({"signInIdentity": {"userId": "u"},
          "signInConditions": {"ipAddress": "192.0.2.999"}})",
                         nullptr),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("signInConditions.ipAddress: invalid value "
                         "\"192.0.2.999\"; expected an IPv4 or IPv6 address")));
  EXPECT_THAT(
      ParseWhatIfRequest(R"({"signInIdentity": {"userId": "u"},
          "signInConditions": {"signInRiskLevel": "extreme"}})",
                         nullptr),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("signInConditions.signInRiskLevel: invalid value "
                         "\"extreme\"; expected one of low")));
  EXPECT_THAT(
      ParseDirectory(R"({"users": [{"id": "a", "userType": "admin"}]})"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("users[0].userType: invalid value \"admin\"; "
                         "expected member or guest")));
}

TEST(CaSignInImportTest, SatisfiedControls) {
  SatisfiedControls controls;
  ASSERT_OK(ParseSatisfiedControls(
      "mfa, compliantDevice,termsOfUse:T1,authenticationStrength:S,"
      "customAuthenticationFactor:C,method:password,method:SMS",
      &controls));
  EXPECT_EQ(controls.built_in,
            ControlBit(ca::BUILT_IN_CONTROL_MFA) |
                ControlBit(ca::BUILT_IN_CONTROL_COMPLIANT_DEVICE));
  EXPECT_EQ(controls.methods, MethodBit(AuthenticationMethod::kPassword) |
                                  MethodBit(AuthenticationMethod::kSms));
  EXPECT_THAT(controls.terms_of_use, ElementsAre("T1"));
  EXPECT_THAT(controls.authentication_strengths, ElementsAre("S"));
  EXPECT_THAT(controls.custom_authentication_factors, ElementsAre("C"));
  EXPECT_THAT(ParseSatisfiedControls("block", &controls),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown control \"block\"")));
  EXPECT_THAT(ParseSatisfiedControls("method:retina", &controls),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown authentication method \"retina\"")));
}

}  // namespace
}  // namespace portcullis::access
