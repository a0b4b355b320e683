#include <string>
#include <vector>

#include "absl/time/time.h"
#include "access/conditional_access.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/access/ca_test_util.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::access {
namespace {

using ::portcullis::access::testing::MakeLocations;
using ::portcullis::access::testing::MakePolicy;
using ::portcullis::access::testing::MakeSignIn;
using ::portcullis::access::testing::MustCompile;
using ::portcullis::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kUser[] = "11111111-1111-1111-1111-111111111111";
constexpr char kGuest[] = "22222222-2222-2222-2222-222222222222";
constexpr char kAdmin[] = "33333333-3333-3333-3333-333333333333";
constexpr char kStranger[] = "44444444-4444-4444-4444-444444444444";
constexpr char kExcludedGroup[] = "aaaaaaaa-0000-0000-0000-000000000001";
constexpr char kStaffGroup[] = "aaaaaaaa-0000-0000-0000-000000000002";
constexpr char kGlobalAdminRole[] = "62e90394-69f5-4237-9190-012177145e10";
constexpr char kSharePoint[] = "00000003-0000-0ff1-ce00-000000000000";
constexpr char kTeams[] = "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe";
constexpr char kAzurePortal[] = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";
constexpr char kOtherApp[] = "bbbbbbbb-0000-0000-0000-000000000009";
constexpr char kPartnerTenant[] = "cccccccc-0000-0000-0000-000000000001";

const absl::Time kNow = absl::FromUnixSeconds(1780000000);  // 2026-05-28

Directory TestDirectory() {
  absl::StatusOr<Directory> directory = ParseDirectory(absl::StrCat(
      R"({"users": [)", R"({"id": ")", kUser, R"(", "userType": "member",
      "roles": [], "groups": [")",
      kStaffGroup, R"("]},)", R"({"id": ")", kGuest,
      R"(", "userType": "guest", "groups": [], "roles": []},)", R"({"id": ")", kAdmin,
      R"(", "userType": "member", "groups": [")", kExcludedGroup, R"(", ")",
      kStaffGroup, R"("], "roles": [")", kGlobalAdminRole, R"("]}]})"));
  EXPECT_TRUE(directory.ok()) << directory.status();
  return directory.ok() ? *std::move(directory) : Directory();
}

// A What-If request for `user` with `conditions` (a signInConditions body)
// and an application context of `apps` (a JSON array).
std::string Request(const std::string& user, const std::string& conditions,
                    const std::string& apps = absl::StrCat("[\"", kSharePoint,
                                                           "\"]")) {
  return absl::StrCat(
      R"({"signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn",
          "userId": ")",
      user,
      R"("}, "signInContext": {"@odata.type": "#microsoft.graph.applicationContext",
          "includeApplications": )",
      apps, R"(}, "signInConditions": )", conditions, "}");
}

// A request that supplies every fact, for the conditions a test does not
// vary.
constexpr char kFull[] = R"({"devicePlatform": "windows",
    "clientAppType": "browser", "ipAddress": "198.51.100.7", "country": "NL",
    "signInRiskLevel": "none", "userRiskLevel": "none",
    "servicePrincipalRiskLevel": "none", "insiderRiskLevel": "none",
    "authenticationFlow": {"transferMethod": "none"},
    "deviceInfo": {"trustType": "AzureAD", "isCompliant": false}})";

class CaEvaluateTest : public ::testing::Test {
 protected:
  WhatIfResult Explain(
      const std::vector<ca::Policy>& policies, const std::string& request,
      EvaluationMode mode = EvaluationMode::kLenient,
      std::shared_ptr<const NamedLocationSet> locations = nullptr,
      const std::string& satisfied = "") {
    ConditionalAccessPolicySet set = MustCompile(policies, locations);
    SignIn sign_in = MakeSignIn(request, &directory_);
    EXPECT_OK(ParseSatisfiedControls(satisfied, &sign_in.satisfied));
    WhatIfResult result = set.Explain(sign_in, kNow, mode).value();
    ConditionalAccessPolicySet::Decision decision =
        set.Evaluate(sign_in, kNow, mode).value();
    EXPECT_EQ(decision.outcome, result.outcome)
        << "Evaluate and Explain differ";
    return result;
  }

  // The reasons of the only policy.
  std::vector<std::string> Reasons(
      const ca::Policy& policy, const std::string& request, EvaluationMode mode,
      std::shared_ptr<const NamedLocationSet> locations = nullptr) {
    WhatIfResult result = Explain({policy}, request, mode, locations);
    return result.policies.at(0).ReasonNames();
  }

  Directory directory_ = TestDirectory();
};

const std::vector<std::string> kApplies = {"notSet"};
const std::vector<std::string> kNotEnough = {"notEnoughInformation"};

TEST_F(CaEvaluateTest, ExclusionGroupWinsOverAllUsers) {
  ca::Policy policy = MakePolicy(
      "p",
      absl::StrCat(R"({"users": {"includeUsers": ["All"], "excludeGroups": [")",
                   kExcludedGroup, R"("]}})"));
  EXPECT_EQ(Reasons(policy, Request(kUser, kFull), EvaluationMode::kStrict),
            kApplies);
  EXPECT_EQ(Reasons(policy, Request(kAdmin, kFull), EvaluationMode::kStrict),
            std::vector<std::string>{"users"});
  EXPECT_EQ(Reasons(policy, Request(kAdmin, kFull), EvaluationMode::kLenient),
            std::vector<std::string>{"users"});
}

TEST_F(CaEvaluateTest, UnknownUserGroupsDependOnMode) {
  ca::Policy policy =
      MakePolicy("p", absl::StrCat(R"({"users": {"includeGroups": [")",
                                   kStaffGroup, R"("]}})"));
  EXPECT_EQ(Reasons(policy, Request(kStranger, kFull), EvaluationMode::kStrict),
            kNotEnough);
  EXPECT_EQ(
      Reasons(policy, Request(kStranger, kFull), EvaluationMode::kLenient),
      kApplies);
  EXPECT_EQ(Reasons(policy, Request(kUser, kFull), EvaluationMode::kStrict),
            kApplies);
  EXPECT_EQ(Reasons(policy, Request(kGuest, kFull), EvaluationMode::kStrict),
            std::vector<std::string>{"users"});
}

TEST_F(CaEvaluateTest, DirectoryEntryWithoutGroupsIsUnknown) {
  ASSERT_OK_AND_ASSIGN(directory_, ParseDirectory(absl::StrCat(
      R"({"users": [{"id": ")", kUser, R"(", "userType": "member", "roles": [")",
      kGlobalAdminRole, R"("]}, {"id": ")", kGuest,
      R"(", "userType": "member", "groups": []}]})")));
  ca::Policy include = MakePolicy(
      "p", absl::StrCat(R"({"users": {"includeGroups": [")", kStaffGroup, R"("]}})"));
  ca::Policy exclude = MakePolicy(
      "p", absl::StrCat(R"({"users": {"includeUsers": ["All"], "excludeGroups": [")",
                        kExcludedGroup, R"("]}})"));
  ca::Policy role = MakePolicy(
      "p", absl::StrCat(R"({"users": {"includeRoles": [")", kGlobalAdminRole,
                        R"("], "includeGroups": [")", kStaffGroup, R"("]}})"));
  // No `groups` member: group conditions are missing facts.
  EXPECT_EQ(Reasons(include, Request(kUser, kFull), EvaluationMode::kStrict), kNotEnough);
  EXPECT_EQ(Reasons(include, Request(kUser, kFull), EvaluationMode::kLenient), kApplies);
  EXPECT_EQ(Reasons(exclude, Request(kUser, kFull), EvaluationMode::kStrict), kNotEnough);
  EXPECT_EQ(Reasons(exclude, Request(kUser, kFull), EvaluationMode::kLenient), kApplies);
  // The roles are still known, and a known role decides.
  EXPECT_EQ(Reasons(role, Request(kUser, kFull), EvaluationMode::kStrict), kApplies);
  // `"groups": []` is no groups.
  EXPECT_EQ(Reasons(include, Request(kGuest, kFull), EvaluationMode::kStrict),
            std::vector<std::string>{"users"});
  EXPECT_EQ(Reasons(exclude, Request(kGuest, kFull), EvaluationMode::kStrict), kApplies);
}

TEST_F(CaEvaluateTest, DirectoryEntryWithoutRolesIsUnknown) {
  ASSERT_OK_AND_ASSIGN(directory_, ParseDirectory(absl::StrCat(
      R"({"users": [{"id": ")", kUser, R"(", "userType": "member", "groups": [")",
      kStaffGroup, R"("]}, {"id": ")", kGuest,
      R"(", "userType": "member", "groups": [], "roles": []}]})")));
  ca::Policy include = MakePolicy(
      "p", absl::StrCat(R"({"users": {"includeRoles": [")", kGlobalAdminRole, R"("]}})"));
  ca::Policy exclude = MakePolicy(
      "p", absl::StrCat(R"({"users": {"includeUsers": ["All"], "excludeRoles": [")",
                        kGlobalAdminRole, R"("]}})"));
  ca::Policy group = MakePolicy(
      "p", absl::StrCat(R"({"users": {"includeRoles": [")", kGlobalAdminRole,
                        R"("], "includeGroups": [")", kStaffGroup, R"("]}})"));
  // No `roles` member: role conditions are missing facts, so a policy that
  // targets a role applies in lenient mode instead of being skipped.
  EXPECT_EQ(Reasons(include, Request(kUser, kFull), EvaluationMode::kStrict), kNotEnough);
  EXPECT_EQ(Reasons(include, Request(kUser, kFull), EvaluationMode::kLenient), kApplies);
  EXPECT_EQ(Reasons(exclude, Request(kUser, kFull), EvaluationMode::kStrict), kNotEnough);
  EXPECT_EQ(Reasons(exclude, Request(kUser, kFull), EvaluationMode::kLenient), kApplies);
  // The groups are still known, and a known group decides.
  EXPECT_EQ(Reasons(group, Request(kUser, kFull), EvaluationMode::kStrict), kApplies);
  // `"roles": []` is no roles.
  EXPECT_EQ(Reasons(include, Request(kGuest, kFull), EvaluationMode::kStrict),
            std::vector<std::string>{"users"});
  EXPECT_EQ(Reasons(exclude, Request(kGuest, kFull), EvaluationMode::kStrict), kApplies);
}

TEST_F(CaEvaluateTest, RolesAndNone) {
  ca::Policy roles =
      MakePolicy("p", absl::StrCat(R"({"users": {"includeRoles": [")",
                                   kGlobalAdminRole, R"("]}})"));
  EXPECT_EQ(Reasons(roles, Request(kAdmin, kFull), EvaluationMode::kStrict),
            kApplies);
  EXPECT_EQ(Reasons(roles, Request(kUser, kFull), EvaluationMode::kStrict),
            std::vector<std::string>{"users"});
  ca::Policy none = MakePolicy("p", R"({"users": {"includeUsers": ["None"]}})");
  EXPECT_EQ(Reasons(none, Request(kUser, kFull), EvaluationMode::kLenient),
            std::vector<std::string>{"users"});
}

TEST_F(CaEvaluateTest, UserIdsIgnoreCase) {
  ca::Policy policy = MakePolicy(
      "p",
      R"({"users": {"includeUsers": ["11111111-1111-1111-1111-11111111111A"]}})");
  EXPECT_EQ(
      Reasons(policy, Request("11111111-1111-1111-1111-11111111111a", kFull),
              EvaluationMode::kStrict),
      kApplies);
}

// A directory entry without userType leaves the user's kind unknown: a
// policy aimed at guests applies in lenient mode and lacks information in
// strict mode, as for a user missing from the directory.
TEST_F(CaEvaluateTest, DirectoryEntryWithoutUserTypeMayBeGuest) {
  ASSERT_OK_AND_ASSIGN(directory_, ParseDirectory(absl::StrCat(
      R"({"users": [{"id": ")", kUser, R"(", "groups": [], "roles": []}]})")));
  ca::Policy guests = MakePolicy("p", R"({"users": {
      "includeGuestsOrExternalUsers": {
        "guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest",
        "externalTenants": {"membershipKind": "all"}}}})");
  EXPECT_EQ(Reasons(guests, Request(kUser, kFull), EvaluationMode::kLenient), kApplies);
  EXPECT_EQ(Reasons(guests, Request(kUser, kFull), EvaluationMode::kStrict), kNotEnough);
}

TEST_F(CaEvaluateTest, GuestTypesAndTenants) {
  ca::Policy all_guests = MakePolicy("p", R"({"users": {
      "includeGuestsOrExternalUsers": {
        "guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider",
        "externalTenants": {"membershipKind": "all"}}}})");
  EXPECT_EQ(
      Reasons(all_guests, Request(kGuest, kFull), EvaluationMode::kStrict),
      kApplies);
  EXPECT_EQ(Reasons(all_guests, Request(kUser, kFull), EvaluationMode::kStrict),
            std::vector<std::string>{"users"});
  // A user the directory does not know: the guest type is unknown.
  EXPECT_EQ(
      Reasons(all_guests, Request(kStranger, kFull), EvaluationMode::kStrict),
      kNotEnough);

  ca::Policy direct_connect = MakePolicy(
      "p", absl::StrCat(R"({"users": {"includeGuestsOrExternalUsers": {
        "guestOrExternalUserTypes": "b2bDirectConnectUser",
        "externalTenants": {"membershipKind": "enumerated", "members": [")",
                        kPartnerTenant, R"("]}}}})"));
  auto external = [&](const std::string& type, const std::string& tenant) {
    return absl::StrCat(
        R"({"signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn",
            "userId": ")",
        kStranger, R"(", "externalUserType": ")", type,
        R"(", "externalTenantId": ")", tenant, R"("},
            "signInContext": {"includeApplications": ["x"]},
            "signInConditions": )",
        kFull, "}");
  };
  EXPECT_EQ(
      Reasons(direct_connect, external("b2bDirectConnectUser", kPartnerTenant),
              EvaluationMode::kStrict),
      kApplies);
  EXPECT_EQ(Reasons(direct_connect,
                    external("b2bDirectConnectUser",
                             "dddddddd-0000-0000-0000-000000000000"),
                    EvaluationMode::kStrict),
            std::vector<std::string>{"users"});
  EXPECT_EQ(
      Reasons(direct_connect, external("otherExternalUser", kPartnerTenant),
              EvaluationMode::kStrict),
      std::vector<std::string>{"users"});
}

// An exclusion object whose types select nothing excludes no one, unlike
// the legacy token GuestsOrExternalUsers, which excludes every guest.
TEST_F(CaEvaluateTest, GuestExclusionWithoutTypesExcludesNoOne) {
  for (const char* types : {"", "none", "unknownFutureValue"}) {
    SCOPED_TRACE(types);
    ca::Policy policy = MakePolicy(
        "p", absl::StrCat(R"({"users": {"includeUsers": ["All"],
        "excludeGuestsOrExternalUsers": {"guestOrExternalUserTypes": ")",
                          types, R"("}}})"));
    EXPECT_EQ(Reasons(policy, Request(kGuest, kFull), EvaluationMode::kStrict), kApplies);
    EXPECT_EQ(Reasons(policy, Request(kGuest, kFull), EvaluationMode::kLenient), kApplies);
    EXPECT_EQ(Reasons(policy, Request(kUser, kFull), EvaluationMode::kStrict), kApplies);
    // Whatever kind an unknown user is, the exclusion cannot take it out.
    EXPECT_EQ(Reasons(policy, Request(kStranger, kFull), EvaluationMode::kStrict), kApplies);
  }
}

// The directory records only that kGuest is a guest, not which kind, so a
// condition on some guest kinds is unknown for it.
TEST_F(CaEvaluateTest, GuestOfUnknownKind) {
  ca::Policy internal = MakePolicy("p", R"({"users": {
      "includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "internalGuest",
        "externalTenants": {"membershipKind": "all"}}}})");
  EXPECT_EQ(Reasons(internal, Request(kGuest, kFull), EvaluationMode::kLenient), kApplies);
  EXPECT_EQ(Reasons(internal, Request(kGuest, kFull), EvaluationMode::kStrict), kNotEnough);
  EXPECT_EQ(Reasons(internal, Request(kUser, kFull), EvaluationMode::kLenient),
            std::vector<std::string>{"users"});

  ca::Policy all_but_internal = MakePolicy("p", R"({"users": {"includeUsers": ["All"],
      "excludeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "internalGuest",
        "externalTenants": {"membershipKind": "all"}}}})");
  EXPECT_EQ(Reasons(all_but_internal, Request(kGuest, kFull), EvaluationMode::kLenient),
            kApplies);
  EXPECT_EQ(Reasons(all_but_internal, Request(kGuest, kFull), EvaluationMode::kStrict),
            kNotEnough);

  // Every kind a guest may be is selected, so the condition holds.
  ca::Policy guest_kinds = MakePolicy("p", R"({"users": {
      "includeGuestsOrExternalUsers": {
        "guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest,otherExternalUser,serviceProvider",
        "externalTenants": {"membershipKind": "all"}}}})");
  EXPECT_EQ(Reasons(guest_kinds, Request(kGuest, kFull), EvaluationMode::kStrict), kApplies);
}

// A registered device whose request leaves out the property a filter names
// is a missing fact: the policy applies in lenient mode and lacks
// information in strict mode. A stated null follows Microsoft's null rules.
TEST_F(CaEvaluateTest, DeviceFilterOnUnstatedProperty) {
  ca::Policy old_windows = MakePolicy("p", R"({"devices": {"deviceFilter": {
      "mode": "include", "rule": "device.operatingSystemVersion -startsWith \"10.0.1\""}}})");
  ca::Policy surface_only = MakePolicy("p", R"({"devices": {"deviceFilter": {
      "mode": "exclude", "rule": "device.model -ne \"Surface\""}}})");
  auto request = [](const std::string& extra) {
    return Request(kUser, absl::StrCat(R"({"devicePlatform": "windows",
        "clientAppType": "browser", "ipAddress": "198.51.100.7", "country": "NL",
        "signInRiskLevel": "none", "userRiskLevel": "none",
        "servicePrincipalRiskLevel": "none", "insiderRiskLevel": "none",
        "authenticationFlow": {"transferMethod": "none"},
        "deviceInfo": {"trustType": "AzureAD", "isCompliant": true,
                       "operatingSystem": "Windows")",
                                       extra, "}}"));
  };
  for (const ca::Policy& policy : {old_windows, surface_only}) {
    SCOPED_TRACE(policy.conditions().devices().device_filter().rule());
    EXPECT_EQ(Reasons(policy, request(""), EvaluationMode::kLenient), kApplies);
    EXPECT_EQ(Reasons(policy, request(""), EvaluationMode::kStrict), kNotEnough);
    EXPECT_EQ(Reasons(policy, request(R"(, "operatingSystemVersion": null, "model": null)"),
                      EvaluationMode::kStrict),
              std::vector<std::string>{"devices"});
  }
  EXPECT_EQ(Reasons(old_windows, request(R"(, "operatingSystemVersion": "10.0.19045")"),
                    EvaluationMode::kStrict),
            kApplies);
  EXPECT_EQ(Reasons(surface_only, request(R"(, "model": "Surface Laptop")"),
                    EvaluationMode::kStrict),
            std::vector<std::string>{"devices"});
  EXPECT_EQ(Reasons(surface_only, request(R"(, "model": "Surface")"), EvaluationMode::kStrict),
            kApplies);
}

TEST_F(CaEvaluateTest, LegacyGuestTokenExcludesGuests) {
  ca::Policy policy = MakePolicy(
      "p",
      R"({"users": {"includeUsers": ["All"], "excludeUsers": ["guestsorexternalusers"]}})");
  EXPECT_EQ(Reasons(policy, Request(kGuest, kFull), EvaluationMode::kStrict),
            std::vector<std::string>{"users"});
  EXPECT_EQ(Reasons(policy, Request(kUser, kFull), EvaluationMode::kStrict),
            kApplies);
}

TEST_F(CaEvaluateTest, ReportOnlyGuestPolicyIsReportedNotEnforced) {
  ca::Policy policy =
      MakePolicy("p", R"({"users": {
      "includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationGuest",
        "externalTenants": {"membershipKind": "all"}}}})",
                 R"({"operator": "OR", "builtInControls": ["mfa"]})",
                 "enabledForReportingButNotEnforced");
  WhatIfResult result = Explain({policy}, Request(kGuest, kFull));
  ASSERT_EQ(result.policies.size(), 1u);
  EXPECT_TRUE(result.policies[0].applies);
  EXPECT_TRUE(result.policies[0].report_only);
  EXPECT_EQ(result.policies[0].ResultName(), "reportOnlyInterrupted");
  EXPECT_EQ(result.outcome, Outcome::kAllow);
  EXPECT_THAT(result.requirements, IsEmpty());
}

TEST_F(CaEvaluateTest, WorkloadIdentities) {
  ca::Policy workload = MakePolicy("w", R"({
      "users": {"includeUsers": ["None"]},
      "clientApplications": {"includeServicePrincipals": ["ServicePrincipalsInMyTenant"]},
      "servicePrincipalRiskLevels": ["high"]})");
  ca::Policy users = MakePolicy("u", R"({})");
  std::string sp = absl::StrCat(
      R"({"signInIdentity": {"@odata.type": "#microsoft.graph.servicePrincipalSignIn",
          "servicePrincipalId": "eeeeeeee-0000-0000-0000-000000000001"},
          "signInContext": {"includeApplications": [")",
      kSharePoint,
      R"("]}, "signInConditions": {"servicePrincipalRiskLevel": "high"}})");
  WhatIfResult result =
      Explain({workload, users}, sp, EvaluationMode::kLenient);
  EXPECT_THAT(result.policies[0].ReasonNames(), ElementsAre("notSet"));
  EXPECT_THAT(result.policies[1].ReasonNames(),
              ElementsAre("workloadIdentities"));
  WhatIfResult user_result = Explain({workload, users}, Request(kUser, kFull),
                                     EvaluationMode::kStrict);
  EXPECT_THAT(user_result.policies[0].ReasonNames(), ElementsAre("users"));
}

TEST_F(CaEvaluateTest, ApplicationGroups) {
  ca::Policy office = MakePolicy(
      "o",
      absl::StrCat(R"({"applications": {"includeApplications": ["Office365"],
        "excludeApplications": [")",
                   kTeams, R"("]}})"));
  ca::Policy portals = MakePolicy(
      "a",
      R"({"applications": {"includeApplications": ["MicrosoftAdminPortals"]}})");
  auto with_app = [&](const char* app) {
    return Request(kUser, kFull, absl::StrCat("[\"", app, "\"]"));
  };
  WhatIfResult sharepoint = Explain({office, portals}, with_app(kSharePoint));
  EXPECT_THAT(sharepoint.policies[0].ReasonNames(), ElementsAre("notSet"));
  EXPECT_THAT(sharepoint.policies[1].ReasonNames(), ElementsAre("application"));
  // Excluding a member of the suite takes that member out.
  WhatIfResult teams = Explain({office, portals}, with_app(kTeams));
  EXPECT_THAT(teams.policies[0].ReasonNames(), ElementsAre("application"));
  WhatIfResult azure = Explain({office, portals}, with_app(kAzurePortal));
  EXPECT_THAT(azure.policies[0].ReasonNames(), ElementsAre("application"));
  EXPECT_THAT(azure.policies[1].ReasonNames(), ElementsAre("notSet"));
  WhatIfResult other = Explain({office, portals}, with_app(kOtherApp));
  EXPECT_THAT(other.policies[0].ReasonNames(), ElementsAre("application"));
  // A group name given as the application does not match.
  WhatIfResult by_name = Explain({office}, with_app("Office365"));
  EXPECT_THAT(by_name.policies[0].ReasonNames(), ElementsAre("application"));
}

TEST_F(CaEvaluateTest, ExtraOffice365Members) {
  ca::Policy office = MakePolicy(
      "o", R"({"applications": {"includeApplications": ["Office365"]}})");
  CompileOptions options;
  options.extra_office365_app_ids = {kOtherApp};
  ConditionalAccessPolicySet set = MustCompile({office}, nullptr, options);
  SignIn sign_in =
      MakeSignIn(Request(kUser, kFull, absl::StrCat("[\"", kOtherApp, "\"]")),
                 &directory_);
  EXPECT_TRUE(set.Explain(sign_in, kNow).value().policies[0].applies);
}

TEST_F(CaEvaluateTest, UserActionsAndAuthenticationContexts) {
  ca::Policy all_apps = MakePolicy("all", R"({})");
  ca::Policy register_device = MakePolicy(
      "rd",
      R"({"applications": {"includeUserActions": ["urn:user:registerdevice"]}})");
  ca::Policy context = MakePolicy(
      "c",
      R"({"applications": {"includeAuthenticationContextClassReferences": ["c7"]}})");
  auto action = [&](const char* name) {
    return absl::StrCat(
        R"({"signInIdentity": {"userId": ")", kUser,
        R"("}, "signInContext": {"@odata.type": "#microsoft.graph.userActionContext",
            "userAction": ")",
        name, R"("}, "signInConditions": )", kFull, "}");
  };
  WhatIfResult security = Explain({all_apps, register_device, context},
                                  action("registerSecurityInformation"));
  EXPECT_THAT(security.policies[0].ReasonNames(), ElementsAre("notSet"));
  EXPECT_THAT(security.policies[1].ReasonNames(), ElementsAre("userActions"));
  WhatIfResult device = Explain({all_apps, register_device, context},
                                action("registerOrJoinDevices"));
  EXPECT_THAT(device.policies[0].ReasonNames(), ElementsAre("userActions"));
  EXPECT_THAT(device.policies[1].ReasonNames(), ElementsAre("notSet"));

  std::string c7 = absl::StrCat(
      R"({"signInIdentity": {"userId": ")", kUser,
      R"("}, "signInContext": {"@odata.type": "#microsoft.graph.authContext",
          "authenticationContextValue": "C7"}, "signInConditions": )",
      kFull, "}");
  WhatIfResult contexts = Explain({all_apps, register_device, context}, c7);
  EXPECT_THAT(contexts.policies[0].ReasonNames(),
              ElementsAre("authenticationContext"));
  EXPECT_THAT(contexts.policies[2].ReasonNames(), ElementsAre("notSet"));
}

TEST_F(CaEvaluateTest, ReportOnlyUserActionPolicyIsNeverEnforced) {
  ca::Policy policy = MakePolicy(
      "p",
      R"({"applications": {"includeUserActions": ["urn:user:registersecurityinfo"]}})",
      R"({"operator": "OR", "builtInControls": ["block"]})",
      "enabledForReportingButNotEnforced");
  std::string request = absl::StrCat(
      R"({"signInIdentity": {"userId": ")", kUser,
      R"("}, "signInContext": {"userAction": "registerSecurityInformation"},
          "signInConditions": )",
      kFull, "}");
  WhatIfResult result = Explain({policy}, request);
  EXPECT_TRUE(result.policies[0].applies);
  EXPECT_EQ(result.policies[0].ResultName(), "reportOnlyFailure");
  EXPECT_EQ(result.outcome, Outcome::kAllow);
}

TEST_F(CaEvaluateTest, ClientAppTypes) {
  ca::Policy legacy =
      MakePolicy("p", R"({"clientAppTypes": ["exchangeActiveSync", "other"]})");
  auto with_client = [&](const char* client) {
    return Request(kUser,
                   absl::StrCat(R"({"clientAppType": ")", client, "\"}"));
  };
  EXPECT_EQ(Reasons(legacy, with_client("other"), EvaluationMode::kStrict),
            kApplies);
  EXPECT_EQ(
      Reasons(legacy, with_client("easSupported"), EvaluationMode::kStrict),
      kApplies);
  EXPECT_EQ(Reasons(legacy, with_client("browser"), EvaluationMode::kStrict),
            std::vector<std::string>{"clientApps"});
  // `all` is Graph's default and supplies nothing.
  EXPECT_EQ(Reasons(legacy, with_client("all"), EvaluationMode::kStrict),
            kNotEnough);
  EXPECT_EQ(Reasons(legacy, Request(kUser, "{}"), EvaluationMode::kLenient),
            kApplies);
}

TEST_F(CaEvaluateTest, UnknownPlatformsPolicy) {
  ca::Policy policy = MakePolicy("p", R"({"platforms": {
      "includePlatforms": ["all"], "excludePlatforms": ["android", "iOS", "windows", "macOS"]}})");
  auto with_platform = [&](const char* platform) {
    return Request(kUser,
                   absl::StrCat(R"({"devicePlatform": ")", platform, "\"}"));
  };
  EXPECT_EQ(Reasons(policy, with_platform("linux"), EvaluationMode::kStrict),
            kApplies);
  EXPECT_EQ(Reasons(policy, with_platform("windows"), EvaluationMode::kStrict),
            std::vector<std::string>{"devicePlatform"});
  EXPECT_EQ(Reasons(policy, Request(kUser, "{}"), EvaluationMode::kStrict),
            kNotEnough);
}

// A platform that Conditional Access does not name (the evaluator's
// DEVICE_PLATFORM_UNSPECIFIED) matches only policies that include all
// platforms. A What-If request cannot carry one, because the importer
// rejects unknown platforms, so the test sets it on the parsed sign-in.
TEST_F(CaEvaluateTest, UnnamedPlatformMatchesOnlyAllPlatforms) {
  ca::Policy all_but = MakePolicy("p", R"({"platforms": {
      "includePlatforms": ["all"], "excludePlatforms": ["android", "iOS", "windows", "macOS"]}})");
  ca::Policy windows_only =
      MakePolicy("w", R"({"platforms": {"includePlatforms": ["windows"]}})");
  SignIn sign_in =
      MakeSignIn(Request(kUser, R"({"devicePlatform": "windows"})"), &directory_);
  sign_in.device_platform = ca::DEVICE_PLATFORM_UNSPECIFIED;
  for (EvaluationMode mode : {EvaluationMode::kStrict, EvaluationMode::kLenient}) {
    ConditionalAccessPolicySet set = MustCompile({all_but, windows_only}, nullptr);
    WhatIfResult result = set.Explain(sign_in, kNow, mode).value();
    EXPECT_EQ(result.policies.at(0).ReasonNames(), kApplies);
    EXPECT_EQ(result.policies.at(1).ReasonNames(), std::vector<std::string>{"devicePlatform"});
  }
}

constexpr char kLocations[] = R"({"value": [
  {"@odata.type": "#microsoft.graph.countryNamedLocation",
   "id": "allowed-countries", "countriesAndRegions": ["BE", "LU", "NL"],
   "includeUnknownCountriesAndRegions": false},
  {"@odata.type": "#microsoft.graph.countryNamedLocation",
   "id": "nl-or-unknown", "countriesAndRegions": ["NL"],
   "includeUnknownCountriesAndRegions": true},
  {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "office",
   "isTrusted": true, "ipRanges": [
     {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "192.0.2.77/24"},
     {"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "2001:db8:1::/48"}]},
  {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "guest-wifi",
   "isTrusted": false, "ipRanges": [{"cidrAddress": "203.0.113.0/24"}]},
  {"@odata.type": "#microsoft.graph.ipNamedLocation",
   "id": "00000000-0000-0000-0000-000000000000", "ipRanges": [{"cidrAddress": "198.51.100.0/25"}]},
  {"@odata.type": "#microsoft.graph.compliantNetworkNamedLocation",
   "id": "compliant-network", "isTrusted": true}]})";

// A request from `ip` (none when empty) in `country` ("" for a country that
// geolocation cannot tell).
std::string At(const std::string& ip, const std::string& country) {
  std::string conditions = absl::StrCat(R"({"country": ")", country, "\"");
  if (!ip.empty())
    absl::StrAppend(&conditions, R"(, "ipAddress": ")", ip, "\"");
  conditions += "}";
  return Request(kUser, conditions);
}

TEST_F(CaEvaluateTest, CountryAllowListAndUnknownCountry) {
  auto locations = MakeLocations(kLocations);
  ca::Policy block_outside = MakePolicy("p", R"({"locations": {
      "includeLocations": ["All"], "excludeLocations": ["allowed-countries"]}})");
  EXPECT_EQ(Reasons(block_outside, At("192.0.2.1", "NL"),
                    EvaluationMode::kStrict, locations),
            std::vector<std::string>{"location"});
  EXPECT_EQ(Reasons(block_outside, At("192.0.2.1", "US"),
                    EvaluationMode::kStrict, locations),
            kApplies);
  // An IPv6 sign-in that geolocation cannot place is outside the allow list
  // unless it includes unknown countries.
  EXPECT_EQ(Reasons(block_outside, At("2001:db8:9::1", ""),
                    EvaluationMode::kStrict, locations),
            kApplies);
  ca::Policy with_unknown = MakePolicy("p", R"({"locations": {
      "includeLocations": ["All"], "excludeLocations": ["nl-or-unknown"]}})");
  EXPECT_EQ(Reasons(with_unknown, At("2001:db8:9::1", "unknown"),
                    EvaluationMode::kStrict, locations),
            std::vector<std::string>{"location"});
}

TEST_F(CaEvaluateTest, AllTrustedIncludesMfaTrustedIps) {
  auto locations = MakeLocations(kLocations);
  ca::Policy untrusted = MakePolicy("p", R"({"locations": {
      "includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}})");
  // Host bits of 192.0.2.77/24 are masked, so .5 is inside.
  EXPECT_EQ(Reasons(untrusted, At("192.0.2.5", "NL"), EvaluationMode::kStrict,
                    locations),
            std::vector<std::string>{"location"});
  EXPECT_EQ(Reasons(untrusted, At("2001:db8:1:ffff::1", "NL"),
                    EvaluationMode::kStrict, locations),
            std::vector<std::string>{"location"});
  EXPECT_EQ(Reasons(untrusted, At("198.51.100.9", "NL"),
                    EvaluationMode::kStrict, locations),
            std::vector<std::string>{"location"});
  EXPECT_EQ(Reasons(untrusted, At("203.0.113.9", "NL"), EvaluationMode::kStrict,
                    locations),
            kApplies);
  // The IPv4-mapped form is the IPv4 address.
  EXPECT_EQ(Reasons(untrusted, At("::ffff:192.0.2.5", "NL"),
                    EvaluationMode::kStrict, locations),
            std::vector<std::string>{"location"});
  EXPECT_EQ(Reasons(untrusted, At("::ffff:203.0.113.9", "NL"),
                    EvaluationMode::kStrict, locations),
            kApplies);
  // AllTrusted with an unknown country: the address alone decides.
  EXPECT_EQ(Reasons(untrusted, At("192.0.2.5", ""), EvaluationMode::kStrict,
                    locations),
            std::vector<std::string>{"location"});
  EXPECT_EQ(
      Reasons(untrusted, At("", "NL"), EvaluationMode::kStrict, locations),
      kNotEnough);
}

// An IPv4-mapped range is read as the IPv4 range it maps, as NSG rules read
// it, so it contains IPv4 sign-ins in either form. A range shorter than /96
// that contains ::ffff:0:0/96 stays IPv6 and contains no IPv4 sign-in.
TEST_F(CaEvaluateTest, MappedRangeMatchesIpv4SignIns) {
  auto locations = MakeLocations(R"({"value": [
    {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "mapped",
     "ipRanges": [{"@odata.type": "#microsoft.graph.iPv6CidrRange",
                   "cidrAddress": "::ffff:198.51.100.0/120"}]},
    {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "low-v6",
     "ipRanges": [{"@odata.type": "#microsoft.graph.iPv6CidrRange",
                   "cidrAddress": "::/16"}]}]})");
  ca::Policy in_mapped = MakePolicy("p", R"({"locations": {
      "includeLocations": ["mapped"]}})");
  EXPECT_EQ(Reasons(in_mapped, At("198.51.100.25", "NL"),
                    EvaluationMode::kStrict, locations),
            kApplies);
  EXPECT_EQ(Reasons(in_mapped, At("::ffff:198.51.100.25", "NL"),
                    EvaluationMode::kStrict, locations),
            kApplies);
  EXPECT_EQ(Reasons(in_mapped, At("198.51.101.25", "NL"),
                    EvaluationMode::kStrict, locations),
            std::vector<std::string>{"location"});

  ca::Policy in_low_v6 = MakePolicy("p", R"({"locations": {
      "includeLocations": ["low-v6"]}})");
  EXPECT_EQ(Reasons(in_low_v6, At("::1", "NL"), EvaluationMode::kStrict,
                    locations),
            kApplies);
  EXPECT_EQ(Reasons(in_low_v6, At("198.51.100.25", "NL"),
                    EvaluationMode::kStrict, locations),
            std::vector<std::string>{"location"});
  EXPECT_EQ(Reasons(in_low_v6, At("::ffff:198.51.100.25", "NL"),
                    EvaluationMode::kStrict, locations),
            std::vector<std::string>{"location"});
}

TEST_F(CaEvaluateTest, MappedAddressMatchesIpv4Location) {
  auto locations = MakeLocations(kLocations);
  ca::Policy block_wifi = MakePolicy("p", R"({"locations": {
      "includeLocations": ["guest-wifi"]}})");
  for (EvaluationMode mode : {EvaluationMode::kStrict, EvaluationMode::kLenient}) {
    EXPECT_EQ(Reasons(block_wifi, At("203.0.113.50", "NL"), mode, locations),
              kApplies);
    EXPECT_EQ(Reasons(block_wifi, At("::ffff:203.0.113.50", "NL"), mode, locations),
              kApplies);
    EXPECT_EQ(Reasons(block_wifi, At("::FFFF:CB00:7132", "NL"), mode, locations),
              kApplies);
    EXPECT_EQ(Reasons(block_wifi, At("::ffff:198.51.100.9", "NL"), mode, locations),
              std::vector<std::string>{"location"});
  }
  WhatIfResult blocked =
      Explain({block_wifi}, At("::ffff:203.0.113.50", "NL"), EvaluationMode::kLenient,
              locations);
  EXPECT_EQ(blocked.outcome, Outcome::kBlock);
}

TEST_F(CaEvaluateTest, UnsupportedAndMissingLocationsAreUnknown) {
  auto locations = MakeLocations(kLocations);
  ca::Policy compliant = MakePolicy("p", R"({"locations": {
      "includeLocations": ["All"], "excludeLocations": ["compliant-network"]}})");
  EXPECT_EQ(Reasons(compliant, At("192.0.2.5", "NL"), EvaluationMode::kStrict,
                    locations),
            kNotEnough);
  EXPECT_EQ(Reasons(compliant, At("192.0.2.5", "NL"), EvaluationMode::kLenient,
                    locations),
            kApplies);
  ca::Policy missing = MakePolicy("m", R"({"locations": {
      "includeLocations": ["no-such-location"]}})");
  ConditionalAccessPolicySet set = MustCompile({missing}, locations);
  ASSERT_EQ(set.warnings().size(), 1u);
  EXPECT_THAT(set.warnings()[0],
              HasSubstr("location \"no-such-location\" is not among the named "
                        "locations"));
}

// Microsoft's comparison of the legacy What If tool and the API: a policy on
// all users, Office 365, location United States and high sign-in risk.
TEST_F(CaEvaluateTest, LegacyAndApiModesFollowMicrosoftsTable) {
  auto locations =
      MakeLocations(R"({"@odata.type": "#microsoft.graph.countryNamedLocation",
      "id": "us", "countriesAndRegions": ["US"]})");
  ca::Policy policy = MakePolicy("p", R"({
      "applications": {"includeApplications": ["Office365"]},
      "locations": {"includeLocations": ["us"]},
      "signInRiskLevels": ["high"]})");
  std::string user_only =
      absl::StrCat(R"({"signInIdentity": {"userId": ")", kUser, R"("}})");
  std::string with_app = Request(kUser, "{}");
  std::string with_location = Request(kUser, R"({"country": "US"})");
  std::string with_risk =
      Request(kUser, R"({"country": "US", "signInRiskLevel": "high"})");
  for (const std::string& request : {user_only, with_app, with_location}) {
    EXPECT_EQ(Reasons(policy, request, EvaluationMode::kLenient, locations),
              kApplies);
    EXPECT_EQ(Reasons(policy, request, EvaluationMode::kStrict, locations),
              kNotEnough);
  }
  EXPECT_EQ(Reasons(policy, with_risk, EvaluationMode::kLenient, locations),
            kApplies);
  EXPECT_EQ(Reasons(policy, with_risk, EvaluationMode::kStrict, locations),
            kApplies);
}

TEST_F(CaEvaluateTest, RiskLevels) {
  ca::Policy policy = MakePolicy("p", R"({
      "signInRiskLevels": ["high", "medium"], "userRiskLevels": ["high"],
      "insiderRiskLevels": "elevated"})");
  EXPECT_EQ(Reasons(policy, Request(kUser, R"({"signInRiskLevel": "medium",
      "userRiskLevel": "high", "insiderRiskLevel": "elevated"})"),
                    EvaluationMode::kStrict),
            kApplies);
  EXPECT_EQ(
      Reasons(policy, Request(kUser, R"({"signInRiskLevel": "low",
      "userRiskLevel": "none", "insiderRiskLevel": "minor"})"),
              EvaluationMode::kStrict),
      (std::vector<std::string>{"signInRisk", "userRisk", "insiderRisk"}));
  WhatIfResult result =
      Explain({policy}, Request(kUser, R"({"signInRiskLevel": "low",
      "userRiskLevel": "none"})"),
              EvaluationMode::kStrict);
  EXPECT_EQ(result.policies[0].first_reason, WhatIfReason::kSignInRisk);
  EXPECT_THAT(result.policies[0].ReasonNames(),
              ElementsAre("notEnoughInformation", "signInRisk", "userRisk"));
}

TEST_F(CaEvaluateTest, AuthenticationFlows) {
  ca::Policy policy = MakePolicy("p", R"({"authenticationFlows": {
      "transferMethods": "deviceCodeFlow,authenticationTransfer"}})");
  EXPECT_EQ(
      Reasons(
          policy,
          Request(
              kUser,
              R"({"authenticationFlow": {"transferMethod": "deviceCodeFlow"}})"),
          EvaluationMode::kStrict),
      kApplies);
  EXPECT_EQ(
      Reasons(policy,
              Request(kUser,
                      R"({"authenticationFlow": {"transferMethod": "none"}})"),
              EvaluationMode::kStrict),
      std::vector<std::string>{"authenticationFlow"});
}

TEST_F(CaEvaluateTest, DeviceFilterModes) {
  ca::Policy unmanaged = MakePolicy("p", R"({"devices": {"deviceFilter": {
      "mode": "exclude", "rule": "device.isCompliant -eq True"}}})");
  auto with_device = [&](const std::string& device) {
    return Request(kUser, absl::StrCat(R"({"deviceInfo": )", device, "}"));
  };
  EXPECT_EQ(Reasons(unmanaged, with_device(R"({"isCompliant": true})"),
                    EvaluationMode::kStrict),
            std::vector<std::string>{"devices"});
  EXPECT_EQ(Reasons(unmanaged, with_device(R"({"isCompliant": false})"),
                    EvaluationMode::kStrict),
            kApplies);
  // An unregistered device (no properties) is not excluded.
  EXPECT_EQ(Reasons(unmanaged, with_device("{}"), EvaluationMode::kStrict),
            kApplies);
  // No device information at all.
  EXPECT_EQ(Reasons(unmanaged, Request(kUser, "{}"), EvaluationMode::kStrict),
            kNotEnough);
  EXPECT_EQ(Reasons(unmanaged, Request(kUser, "{}"), EvaluationMode::kLenient),
            kApplies);
}

TEST_F(CaEvaluateTest, DeviceFilterFieldReportOption) {
  ca::Policy saw = MakePolicy("p", R"({"devices": {"deviceFilter": {
      "mode": "exclude", "rule": "device.extensionAttribute1 -eq \"SAW\""}}})");
  SignIn unregistered =
      MakeSignIn(Request(kUser, R"({"deviceInfo": {}})"), &directory_);
  ConditionalAccessPolicySet documented = MustCompile({saw});
  EXPECT_EQ(documented.Evaluate(unregistered, kNow).value().outcome, Outcome::kBlock);
  CompileOptions options;
  options.device_filter.null_semantics = NullSemantics::kFieldReport;
  ConditionalAccessPolicySet field_report =
      MustCompile({saw}, nullptr, options);
  EXPECT_EQ(field_report.Evaluate(unregistered, kNow).value().outcome, Outcome::kAllow);
}

// Excluding a trusted location and excluding compliant devices in one MFA
// policy skips MFA when either holds, because exclusions in different
// conditions each take the policy out of scope.
TEST_F(CaEvaluateTest, ExclusionsAcrossConditionsEachSkipThePolicy) {
  auto locations = MakeLocations(kLocations);
  ca::Policy policy =
      MakePolicy("p", R"({
      "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]},
      "devices": {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}}})",
                 R"({"operator": "OR", "builtInControls": ["mfa"]})");
  auto sign_in = [&](const char* ip, bool compliant) {
    return Request(
        kUser,
        absl::StrCat(R"({"ipAddress": ")", ip,
                     R"(", "country": "NL", "deviceInfo": {"isCompliant": )",
                     compliant ? "true" : "false", "}}"));
  };
  EXPECT_EQ(Explain({policy}, sign_in("192.0.2.5", false),
                    EvaluationMode::kStrict, locations)
                .outcome,
            Outcome::kAllow);
  EXPECT_EQ(Explain({policy}, sign_in("203.0.113.5", true),
                    EvaluationMode::kStrict, locations)
                .outcome,
            Outcome::kAllow);
  WhatIfResult neither = Explain({policy}, sign_in("203.0.113.5", false),
                                 EvaluationMode::kStrict, locations);
  EXPECT_EQ(neither.outcome, Outcome::kRequirements);
  EXPECT_THAT(neither.requirements, ElementsAre("mfa"));
}

TEST_F(CaEvaluateTest, DisabledPoliciesAreSkipped) {
  ca::Policy policy = MakePolicy(
      "p", R"({})", R"({"operator": "OR", "builtInControls": ["block"]})",
      "disabled");
  WhatIfResult result = Explain({policy}, Request(kUser, kFull));
  EXPECT_EQ(result.outcome, Outcome::kAllow);
  EXPECT_THAT(result.policies[0].ReasonNames(),
              ElementsAre("policyNotEnabled"));
  EXPECT_EQ(result.policies[0].ResultName(), "notEnabled");
}

TEST_F(CaEvaluateTest, GrantControlsCombineAcrossPolicies) {
  ca::Policy mfa = MakePolicy(
      "mfa", R"({})", R"({"operator": "OR", "builtInControls": ["mfa"]})");
  ca::Policy device = MakePolicy(
      "device", R"({})",
      R"({"operator": "OR", "builtInControls": ["domainJoinedDevice", "compliantDevice"]})");
  ca::Policy tou = MakePolicy(
      "tou", R"({})",
      R"({"operator": "AND", "builtInControls": ["passwordChange"], "termsOfUse": ["tou-1"]})");
  WhatIfResult none = Explain({tou, device, mfa}, Request(kUser, kFull));
  EXPECT_EQ(none.outcome, Outcome::kRequirements);
  EXPECT_THAT(none.requirements,
              ElementsAre("mfa", "compliantDevice", "domainJoinedDevice",
                          "passwordChange", "termsOfUse:tou-1"));
  WhatIfResult some = Explain({tou, device, mfa}, Request(kUser, kFull),
                              EvaluationMode::kLenient, nullptr,
                              "mfa,domainJoinedDevice,termsOfUse:TOU-1");
  EXPECT_THAT(some.requirements, ElementsAre("passwordChange"));
  EXPECT_EQ(some.policies[1].ResultName(), "success");
  EXPECT_EQ(some.policies[0].ResultName(), "failure");
  WhatIfResult all = Explain(
      {tou, device, mfa}, Request(kUser, kFull), EvaluationMode::kLenient,
      nullptr, "mfa,compliantDevice,passwordChange,termsOfUse:tou-1");
  EXPECT_EQ(all.outcome, Outcome::kAllow);
}

TEST_F(CaEvaluateTest, BlockWinsOverEverything) {
  ca::Policy mfa = MakePolicy(
      "mfa", R"({})", R"({"operator": "OR", "builtInControls": ["mfa"]})");
  ca::Policy block = MakePolicy("block", R"({})");
  WhatIfResult result = Explain({mfa, block}, Request(kUser, kFull),
                                EvaluationMode::kLenient, nullptr, "mfa");
  EXPECT_EQ(result.outcome, Outcome::kBlock);
  EXPECT_EQ(result.blocking_policy, 1);
  EXPECT_THAT(result.requirements, IsEmpty());
  ca::Policy report_only_block = MakePolicy(
      "rob", R"({})", R"({"operator": "OR", "builtInControls": ["block"]})",
      "enabledForReportingButNotEnforced");
  WhatIfResult reported = Explain({report_only_block}, Request(kUser, kFull));
  EXPECT_EQ(reported.outcome, Outcome::kAllow);
  EXPECT_EQ(reported.policies[0].ResultName(), "reportOnlyFailure");
}

TEST_F(CaEvaluateTest, AuthenticationStrengths) {
  ca::Policy phishing_resistant = MakePolicy(
      "p", R"({})",
      R"({"operator": "OR", "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}})");
  ca::Policy mfa_strength = MakePolicy(
      "m", R"({})",
      R"({"operator": "OR", "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000002"}})");
  std::string request = Request(kUser, kFull);
  WhatIfResult with_mfa = Explain({phishing_resistant, mfa_strength}, request,
                                  EvaluationMode::kLenient, nullptr, "mfa");
  EXPECT_THAT(with_mfa.requirements,
              ElementsAre("authenticationStrength:00000000-0000-0000-0000-"
                          "000000000004"));
  WhatIfResult with_sms =
      Explain({phishing_resistant, mfa_strength}, request,
              EvaluationMode::kLenient, nullptr, "method:password,method:sms");
  EXPECT_THAT(with_sms.requirements,
              ElementsAre("authenticationStrength:00000000-0000-0000-0000-"
                          "000000000004"));
  WhatIfResult with_fido =
      Explain({phishing_resistant, mfa_strength}, request,
              EvaluationMode::kLenient, nullptr, "method:fido2");
  EXPECT_EQ(with_fido.outcome, Outcome::kAllow);
}

TEST_F(CaEvaluateTest, SessionControlsMerge) {
  ca::Policy twelve = MakePolicy(
      "a", R"({})", "null", "enabled",
      R"({"signInFrequency": {"value": 12, "type": "hours", "isEnabled": true},
          "persistentBrowser": {"mode": "always", "isEnabled": true},
          "cloudAppSecurity": {"cloudAppSecurityType": "monitorOnly", "isEnabled": true}})");
  ca::Policy one_day = MakePolicy(
      "b", R"({})", "null", "enabled",
      R"({"signInFrequency": {"value": 1, "type": "days", "isEnabled": true},
          "persistentBrowser": {"mode": "never", "isEnabled": true},
          "cloudAppSecurity": {"cloudAppSecurityType": "blockDownloads", "isEnabled": true},
          "applicationEnforcedRestrictions": {"isEnabled": true}})");
  ca::Policy every_time = MakePolicy(
      "c", R"({})", "null", "enabledForReportingButNotEnforced",
      R"({"signInFrequency": {"frequencyInterval": "everyTime", "isEnabled": true}})");
  WhatIfResult result =
      Explain({twelve, one_day, every_time}, Request(kUser, kFull));
  EXPECT_EQ(result.outcome, Outcome::kAllow);
  const ca::SessionControls& s = result.session_controls;
  EXPECT_EQ(s.sign_in_frequency().hours(), 12);
  EXPECT_EQ(s.sign_in_frequency().interval(),
            ca::SignInFrequency::INTERVAL_TIME_BASED);
  EXPECT_EQ(s.persistent_browser().mode(), ca::PersistentBrowser::MODE_NEVER);
  EXPECT_EQ(s.cloud_app_security().type(),
            ca::CloudAppSecurity::TYPE_BLOCK_DOWNLOADS);
  EXPECT_TRUE(s.application_enforced_restrictions());

  ca::Policy enforced_every_time = MakePolicy(
      "d", R"({})", "null", "enabled",
      R"({"signInFrequency": {"frequencyInterval": "everyTime", "isEnabled": true}})");
  WhatIfResult strictest =
      Explain({twelve, enforced_every_time}, Request(kUser, kFull));
  EXPECT_EQ(strictest.session_controls.sign_in_frequency().interval(),
            ca::SignInFrequency::INTERVAL_EVERY_TIME);
}

TEST_F(CaEvaluateTest, ScheduleExtension) {
  // Block outside Amsterdam office hours, Monday to Friday 09:00-17:00.
  ca::Policy policy = MakePolicy("p", R"({"x-portcullis-schedule": {
      "mode": "exclude", "workHours": {"timeZone": "Europe/Amsterdam",
        "weekly": [{"days": ["MO", "TU", "WE", "TH", "FR"], "start": "09:00", "end": "17:00"}]}}})");
  ConditionalAccessPolicySet set = MustCompile({policy});
  SignIn sign_in = MakeSignIn(Request(kUser, kFull), &directory_);
  absl::TimeZone amsterdam;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &amsterdam));
  // Thursday 2026-05-28.
  absl::Time open =
      absl::FromCivil(absl::CivilSecond(2026, 5, 28, 9, 0, 0), amsterdam);
  absl::Time last =
      absl::FromCivil(absl::CivilSecond(2026, 5, 28, 16, 59, 59), amsterdam);
  absl::Time close =
      absl::FromCivil(absl::CivilSecond(2026, 5, 28, 17, 0, 0), amsterdam);
  absl::Time saturday =
      absl::FromCivil(absl::CivilSecond(2026, 5, 30, 11, 0, 0), amsterdam);
  EXPECT_EQ(set.Evaluate(sign_in, open).value().outcome, Outcome::kAllow);
  EXPECT_EQ(set.Evaluate(sign_in, last).value().outcome, Outcome::kAllow);
  EXPECT_EQ(set.Evaluate(sign_in, close).value().outcome, Outcome::kBlock);
  EXPECT_EQ(set.Evaluate(sign_in, saturday).value().outcome, Outcome::kBlock);
  EXPECT_THAT(set.Explain(sign_in, open).value().policies[0].ReasonNames(),
              ElementsAre("time"));

  CompileOptions options;
  options.schedule_from = open - absl::Hours(24 * 30);
  options.schedule_to = open + absl::Hours(24 * 30);
  ConditionalAccessPolicySet precomputed =
      MustCompile({policy}, nullptr, options);
  EXPECT_EQ(precomputed.Evaluate(sign_in, open).value().outcome, Outcome::kAllow);
  EXPECT_EQ(precomputed.Evaluate(sign_in, saturday).value().outcome, Outcome::kBlock);
}

// A block inside work hours that cover every hour of the week. At an
// infinite instant no window can be found, and that must not read as
// "outside the work hours", which would drop the block.
TEST_F(CaEvaluateTest, NonFiniteInstantIsError) {
  ca::Policy always = MakePolicy("p", R"({"x-portcullis-schedule": {
      "mode": "include", "workHours": {"timeZone": "UTC", "weekly": [{"days":
        ["MO", "TU", "WE", "TH", "FR", "SA", "SU"], "start": "00:00", "end": "24:00"}]}}})");
  ca::Policy plain = MakePolicy("q", "{}");
  CompileOptions options;
  options.schedule_from = kNow - absl::Hours(24);
  options.schedule_to = kNow + absl::Hours(24 * 7);
  SignIn sign_in = MakeSignIn(Request(kUser, kFull), &directory_);

  struct Case {
    const char* name;
    ConditionalAccessPolicySet set;
  };
  const Case cases[] = {
      {"schedule", MustCompile({always})},
      {"precomputed schedule", MustCompile({always}, nullptr, options)},
      {"no schedule", MustCompile({plain})},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.set.Evaluate(sign_in, kNow).value().outcome, Outcome::kBlock);
    for (absl::Time now : {absl::InfiniteFuture(), absl::InfinitePast()}) {
      const std::string value =
          now == absl::InfiniteFuture() ? "infinite-future" : "infinite-past";
      for (EvaluationMode mode : {EvaluationMode::kLenient, EvaluationMode::kStrict}) {
        EXPECT_THAT(c.set.Evaluate(sign_in, now, mode).status(),
                    StatusIs(absl::StatusCode::kInvalidArgument,
                             HasSubstr("now: invalid instant " + value)));
        EXPECT_THAT(c.set.Explain(sign_in, now, mode).status(),
                    StatusIs(absl::StatusCode::kInvalidArgument,
                             HasSubstr("now: invalid instant " + value)));
      }
    }
  }

  // 9999-12-31T23:59:59Z lies far outside the precomputed range, and the
  // block still applies there.
  absl::Time last = absl::FromCivil(absl::CivilSecond(9999, 12, 31, 23, 59, 59),
                                    absl::UTCTimeZone());
  EXPECT_EQ(cases[1].set.Evaluate(sign_in, last).value().outcome, Outcome::kBlock);
}

TEST_F(CaEvaluateTest, CompileRejectsBadDeviceFilterOption) {
  ca::Policy policy = MakePolicy("p", R"({"devices": {"deviceFilter": {
      "mode": "include", "rule": "device.model -match \"x\""}}})");
  CompileOptions options;
  options.device_filter.allow_match_operators = false;
  absl::StatusOr<ConditionalAccessPolicySet> set =
      ConditionalAccessPolicySet::Compile({policy}, nullptr, options);
  EXPECT_THAT(set,
              portcullis::testing::StatusIs(
                  absl::StatusCode::kInvalidArgument,
                  HasSubstr("policy \"p\": conditions.devices.deviceFilter."
                            "rule: column 14: operator -match")));
}

}  // namespace
}  // namespace portcullis::access
