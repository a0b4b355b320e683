#include "access/ca_import.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/shared_data.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::access {
namespace {

using ::portcullis::testing::StatusIs;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> WarningPaths(const std::vector<ImportWarning>& list) {
  std::vector<std::string> paths;
  for (const ImportWarning& w : list) paths.push_back(w.path);
  return paths;
}

std::string WarningText(const std::vector<ImportWarning>& list) {
  std::string text;
  for (const ImportWarning& w : list)
    absl::StrAppend(&text, w.ToString(), "\n");
  return text;
}

ca::Policy ImportOne(const std::string& json) {
  absl::StatusOr<std::vector<ImportedPolicy>> policies =
      ImportPolicies(json, "test.json");
  EXPECT_TRUE(policies.ok()) << policies.status();
  if (!policies.ok() || policies->size() != 1) return ca::Policy();
  return (*policies)[0].policy;
}

std::vector<ImportWarning> WarningsOf(const std::string& json) {
  absl::StatusOr<std::vector<ImportedPolicy>> policies =
      ImportPolicies(json, "test.json");
  EXPECT_TRUE(policies.ok()) << policies.status();
  if (!policies.ok() || policies->empty()) return {};
  return (*policies)[0].warnings;
}

constexpr char kMinimal[] = R"json({
  "id": "p1", "displayName": "Minimal", "state": "enabled",
  "conditions": {
    "users": {"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [],
              "excludeGroups": [], "includeRoles": [], "excludeRoles": []},
    "applications": {"includeApplications": ["All"], "excludeApplications": []},
    "clientAppTypes": ["all"], "signInRiskLevels": [], "userRiskLevels": []
  },
  "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
})json";

TEST(CaImportTest, MinimalPolicyHasNoWarnings) {
  absl::StatusOr<std::vector<ImportedPolicy>> policies =
      ImportPolicies(kMinimal, "x.json");
  ASSERT_OK(policies);
  ASSERT_EQ(policies->size(), 1u);
  EXPECT_THAT((*policies)[0].warnings, IsEmpty());
  const ca::Policy& p = (*policies)[0].policy;
  EXPECT_EQ(p.id(), "p1");
  EXPECT_EQ(p.state(), ca::POLICY_STATE_ENABLED);
  EXPECT_THAT(p.conditions().users().include_users(), ElementsAre("All"));
  EXPECT_EQ(p.grant_controls().operator_(), ca::GRANT_OPERATOR_OR);
  EXPECT_THAT(p.grant_controls().built_in_controls(),
              ElementsAre(ca::BUILT_IN_CONTROL_MFA));
}

TEST(CaImportTest, ByteOrderMarkAndUtf16) {
  std::string with_bom = std::string("\xEF\xBB\xBF") + kMinimal;
  EXPECT_EQ(ImportOne(with_bom).id(), "p1");

  std::string utf16 = "\xFF\xFE";
  for (char c : std::string(kMinimal)) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  EXPECT_EQ(ImportOne(utf16).id(), "p1");
}

TEST(CaImportTest, OdataAndUnknownKeysIgnored) {
  ca::Policy p = ImportOne(R"json({
    "@odata.context": "https://graph.microsoft.com/beta/$metadata#x",
    "id": "p1", "state": "enabled", "displayName": "d",
    "futureField": {"anything": [1, 2]},
    "conditions": {
      "users": {"includeUsers@odata.type": "#Collection(String)",
                "includeUsers": ["all"], "excludeUsers": [], "includeGroups": [],
                "excludeGroups": [], "includeRoles": [], "excludeRoles": []},
      "applications": {"includeApplications": ["office365"],
                       "excludeApplications": ["MICROSOFTADMINPORTALS"]},
      "clientAppTypes": ["All"], "signInRiskLevels": [], "userRiskLevels": [],
      "unknownCondition": null
    },
    "grantControls": null, "sessionControls": null
  })json");
  EXPECT_THAT(p.conditions().users().include_users(), ElementsAre("All"));
  EXPECT_THAT(p.conditions().applications().include_applications(),
              ElementsAre("Office365"));
  EXPECT_THAT(p.conditions().applications().exclude_applications(),
              ElementsAre("MicrosoftAdminPortals"));
  EXPECT_THAT(p.conditions().client_app_types(),
              ElementsAre(ca::CLIENT_APP_TYPE_ALL));
  EXPECT_FALSE(p.has_grant_controls());
  EXPECT_FALSE(p.has_session_controls());
}

TEST(CaImportTest, GrantControlsAllowAnnotationsAndCase) {
  ca::Policy p = ImportOne(R"json({"id": "p1", "state": "enabled",
    "conditions": {"users": {"includeUsers": ["All"]},
                   "applications": {"includeApplications": ["All"]}},
    "grantControls": {
      "@odata.type": "#microsoft.graph.conditionalAccessGrantControls",
      "Operator": "AND",
      "builtInControls@odata.type": "#Collection(microsoft.graph.conditionalAccessGrantControl)",
      "builtInControls": ["mfa"],
      "authenticationStrength@odata.context": "https://graph.microsoft.com/beta/$metadata#x",
      "AuthenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}}})json");
  EXPECT_EQ(p.grant_controls().operator_(), ca::GRANT_OPERATOR_AND);
  EXPECT_THAT(p.grant_controls().built_in_controls(),
              ElementsAre(ca::BUILT_IN_CONTROL_MFA));
  EXPECT_EQ(p.grant_controls().authentication_strength().id(),
            "00000000-0000-0000-0000-000000000004");
}

TEST(CaImportTest, WrongContainerIsNotConfiguredWithWarning) {
  std::string json = R"json({"id": "p", "state": "enabled", "conditions": {
      "users": {"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [],
                "excludeGroups": [], "includeRoles": [], "excludeRoles": []},
      "applications": {"includeApplications": ["All"], "excludeApplications": []},
      "clientAppTypes": ["all"], "signInRiskLevels": [], "userRiskLevels": [],
      "locations": [], "platforms": null},
      "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}})json";
  ca::Policy p = ImportOne(json);
  EXPECT_FALSE(p.conditions().has_locations());
  EXPECT_FALSE(p.conditions().has_platforms());
  std::vector<ImportWarning> warnings = WarningsOf(json);
  ASSERT_THAT(WarningPaths(warnings), ElementsAre("conditions.locations"));
  EXPECT_THAT(warnings[0].message,
              HasSubstr("expected an object, found an empty array; taken as "
                        "not configured"));
}

TEST(CaImportTest, SpacedIdsAreTrimmed) {
  std::string json = R"json({"id": "p", "state": "enabled", "conditions": {
      "users": {"includeUsers": ["All "], "excludeUsers": [],
                "includeGroups": [" 8d3f6a1c-2b4e-4f1a-9c7d-5e6f7a8b9c0d"],
                "excludeGroups": [], "includeRoles": [], "excludeRoles": []},
      "applications": {"includeApplications": ["All"], "excludeApplications": []},
      "clientAppTypes": ["all"], "signInRiskLevels": [], "userRiskLevels": []},
      "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}})json";
  ca::Policy p = ImportOne(json);
  EXPECT_THAT(p.conditions().users().include_users(), ElementsAre("All"));
  EXPECT_THAT(p.conditions().users().include_groups(),
              ElementsAre("8d3f6a1c-2b4e-4f1a-9c7d-5e6f7a8b9c0d"));
  std::vector<ImportWarning> warnings = WarningsOf(json);
  ASSERT_THAT(WarningPaths(warnings), ElementsAre("conditions.users.includeUsers[0]",
                                                  "conditions.users.includeGroups[0]"));
  EXPECT_THAT(warnings[0].message, HasSubstr("\"All \" has spaces around it and is read as \"All\""));
}

TEST(CaImportTest, MissingKeysWarn) {
  std::string json = R"json({"id": "p", "state": "enabled", "conditions": {
      "users": {"includeUsers": ["All"]},
      "applications": {"includeApplications": ["All"]}},
      "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}})json";
  std::vector<ImportWarning> warnings = WarningsOf(json);
  EXPECT_THAT(
      WarningPaths(warnings),
      ElementsAre(
          "conditions.users.excludeUsers", "conditions.users.includeGroups",
          "conditions.users.excludeGroups", "conditions.users.includeRoles",
          "conditions.users.excludeRoles",
          "conditions.applications.excludeApplications",
          "conditions.clientAppTypes", "conditions.signInRiskLevels",
          "conditions.userRiskLevels"))
      << WarningText(warnings);
}

TEST(CaImportTest, FlagEnumsAsCommaStrings) {
  ca::Policy p =
      ImportOne(R"json({"id": "p", "state": "enabled", "conditions": {
      "users": {"includeUsers": [], "excludeUsers": [], "includeGroups": [],
                "excludeGroups": [], "includeRoles": [], "excludeRoles": [],
                "includeGuestsOrExternalUsers": {
                  "guestOrExternalUserTypes": "internalGuest, serviceProvider",
                  "externalTenants": {
                    "@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
                    "membershipKind": "enumerated",
                    "members": ["11111111-2222-3333-4444-555555555555"]}}},
      "applications": {"includeApplications": ["All"], "excludeApplications": []},
      "clientAppTypes": ["all"], "signInRiskLevels": [], "userRiskLevels": [],
      "insiderRiskLevels": "minor,elevated",
      "authenticationFlows": {"transferMethods": "deviceCodeFlow,authenticationTransfer"}}})json");
  const ca::GuestsOrExternalUsers& guests =
      p.conditions().users().include_guests_or_external_users();
  EXPECT_THAT(guests.guest_or_external_user_types(),
              ElementsAre(ca::EXTERNAL_USER_TYPE_INTERNAL_GUEST,
                          ca::EXTERNAL_USER_TYPE_SERVICE_PROVIDER));
  EXPECT_FALSE(guests.all_external_tenants());
  EXPECT_THAT(guests.external_tenant_ids(),
              ElementsAre("11111111-2222-3333-4444-555555555555"));
  EXPECT_THAT(p.conditions().insider_risk_levels(),
              ElementsAre(ca::INSIDER_RISK_LEVEL_MINOR,
                          ca::INSIDER_RISK_LEVEL_ELEVATED));
  EXPECT_THAT(p.conditions().authentication_flows().transfer_methods(),
              ElementsAre(ca::TRANSFER_METHOD_DEVICE_CODE_FLOW,
                          ca::TRANSFER_METHOD_AUTHENTICATION_TRANSFER));
}

TEST(CaImportTest, IdFromFileName) {
  std::string json = R"json({"state": "disabled", "conditions": null})json";
  absl::StatusOr<std::vector<ImportedPolicy>> one =
      ImportPolicies(json, "/some/dir/CA042-Test.json");
  ASSERT_OK(one);
  EXPECT_EQ((*one)[0].policy.id(), "CA042-Test");

  absl::StatusOr<std::vector<ImportedPolicy>> list = ImportPolicies(
      absl::StrCat("{\"value\": [", json, ",", json, "]}"), "export.json");
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].policy.id(), "export[1]");
  EXPECT_EQ((*list)[1].warnings[0].path, "value[1].id");
}

TEST(CaImportTest, UnknownFutureValueSkippedWithWarning) {
  std::string json = R"json({"id": "p", "state": "enabled", "conditions": {
      "users": {"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [],
                "excludeGroups": [], "includeRoles": [], "excludeRoles": []},
      "applications": {"includeApplications": ["All"], "excludeApplications": []},
      "clientAppTypes": ["browser", "unknownFutureValue"],
      "signInRiskLevels": ["HIGH"], "userRiskLevels": []},
      "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}})json";
  ca::Policy p = ImportOne(json);
  EXPECT_THAT(p.conditions().client_app_types(),
              ElementsAre(ca::CLIENT_APP_TYPE_BROWSER));
  EXPECT_THAT(p.conditions().sign_in_risk_levels(),
              ElementsAre(ca::RISK_LEVEL_HIGH));
  EXPECT_THAT(WarningPaths(WarningsOf(json)),
              ElementsAre("conditions.clientAppTypes"));
}

// A guests object whose types select nothing matches no user. With
// externalTenants beside it the service could not have written it, so the
// file is rejected; without tenants it is read with a warning.
TEST(CaImportTest, GuestObjectWithoutTypes) {
  auto policy = [](const std::string& guests) {
    return absl::StrCat(R"json({"id": "p", "state": "enabled", "conditions": {
        "users": {"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [],
                  "excludeGroups": [], "includeRoles": [], "excludeRoles": [],
                  "excludeGuestsOrExternalUsers": )json",
                        guests, R"json(},
        "applications": {"includeApplications": ["All"], "excludeApplications": []},
        "clientAppTypes": ["all"], "signInRiskLevels": [], "userRiskLevels": []},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}})json");
  };
  const std::string tenants = R"("externalTenants": {"membershipKind": "all"})";
  for (const std::string& types :
       {std::string(R"("guestOrExternalUserTypes": "",)"),
        std::string(R"("guestOrExternalUserTypes": "none",)"),
        std::string(R"("guestOrExternalUserTypes": null,)"), std::string()}) {
    SCOPED_TRACE(types);
    EXPECT_THAT(ImportPolicies(policy(absl::StrCat("{", types, tenants, "}")), "t.json"),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("conditions.users.excludeGuestsOrExternalUsers."
                                   "guestOrExternalUserTypes")));
  }

  ca::Policy none = ImportOne(policy(R"({"guestOrExternalUserTypes": "none"})"));
  EXPECT_TRUE(none.conditions().users().has_exclude_guests_or_external_users());
  EXPECT_THAT(none.conditions().users().exclude_guests_or_external_users()
                  .guest_or_external_user_types(),
              IsEmpty());
  EXPECT_THAT(WarningText(WarningsOf(policy(R"({"guestOrExternalUserTypes": "none"})"))),
              HasSubstr("selects no guest or external user type"));

  // A type the service added later is skipped with a warning. The object
  // then selects no known type, and Graph may write tenants beside it.
  ca::Policy future = ImportOne(
      policy(absl::StrCat(R"({"guestOrExternalUserTypes": "unknownFutureValue", )", tenants, "}")));
  EXPECT_THAT(future.conditions().users().exclude_guests_or_external_users()
                  .guest_or_external_user_types(),
              IsEmpty());
}

// Graph requires a policy to target users (or workload identities) and
// resources. An enforced or report-only policy without them, such as one
// with a misspelt "includeUser", is an error naming the member, while a
// disabled one is read as written. A policy without controls warns.
TEST(CaImportTest, PolicyWithoutTargetsIsError) {
  const std::string grant = R"("grantControls": {"operator": "OR", "builtInControls": ["block"]})";
  struct Case {
    std::string conditions;
    std::string expected;
  };
  for (const Case& c : std::vector<Case>{
           {"null", "conditions.users: missing"},
           {R"({"applications": {"includeApplications": ["All"]}})", "conditions.users: missing"},
           {R"({"users": {"includeUser": ["All"]}, "applications": {"includeApplications": ["All"]}})",
            "conditions.users: missing"},
           {R"({"users": {"includeUsers": ["All"]}})", "conditions.applications: missing"},
           {R"({"users": {"includeUsers": ["All"]}, "applications": {"includeApplication": ["All"]}})",
            "conditions.applications: missing"},
       }) {
    for (const char* state : {"enabled", "enabledForReportingButNotEnforced"}) {
      absl::StatusOr<std::vector<ImportedPolicy>> policies = ImportPolicies(
          absl::StrCat(R"({"id": "p", "state": ")", state, R"(", "conditions": )", c.conditions,
                       ", ", grant, "}"),
          "p.json");
      ASSERT_FALSE(policies.ok()) << c.conditions;
      EXPECT_THAT(policies.status().message(), HasSubstr(c.expected));
    }
    EXPECT_OK(ImportPolicies(absl::StrCat(R"({"id": "p", "state": "disabled", "conditions": )",
                                          c.conditions, ", ", grant, "}"),
                             "p.json")
                  .status());
  }
  // A guests inclusion that selects no type includes no one.
  EXPECT_THAT(ImportPolicies(absl::StrCat(R"({"id": "p", "state": "enabled", "conditions": {
      "users": {"includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "none"}},
      "applications": {"includeApplications": ["All"]}}, )",
                                          grant, "}"),
                             "p.json"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("conditions.users: missing")));
  // A workload identity policy targets service principals instead of users.
  EXPECT_OK(ImportPolicies(absl::StrCat(R"({"id": "p", "state": "enabled", "conditions": {
      "users": {"includeUsers": ["None"]},
      "clientApplications": {"includeServicePrincipals": ["ServicePrincipalsInMyTenant"]},
      "applications": {"includeApplications": ["All"]}}, )",
                                        grant, "}"),
                           "p.json")
                .status());

  std::vector<ImportWarning> warnings = WarningsOf(R"json({"id": "p", "state": "enabled",
      "conditions": {"users": {"includeUsers": ["All"]},
                     "applications": {"includeApplications": ["All"]}},
      "grantControl": {"operator": "OR", "builtInControls": ["block"]}})json");
  EXPECT_THAT(WarningPaths(warnings), Contains("grantControls"));
}

TEST(CaImportTest, SessionControls) {
  ca::Policy p =
      ImportOne(R"json({"id": "p", "state": "enabled", "conditions": {
      "users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}},
    "sessionControls": {
      "applicationEnforcedRestrictions": {"isEnabled": true},
      "cloudAppSecurity": {"cloudAppSecurityType": "blockDownloads", "isEnabled": true},
      "signInFrequency": {"value": 2, "type": "days", "isEnabled": true,
                          "authenticationType": "primaryAndSecondaryAuthentication",
                          "frequencyInterval": "timeBased"},
      "persistentBrowser": {"mode": "never", "isEnabled": false},
      "continuousAccessEvaluation": {"mode": "strictLocation"},
      "disableResilienceDefaults": true}})json");
  const ca::SessionControls& s = p.session_controls();
  EXPECT_TRUE(s.application_enforced_restrictions());
  EXPECT_EQ(s.cloud_app_security().type(),
            ca::CloudAppSecurity::TYPE_BLOCK_DOWNLOADS);
  EXPECT_EQ(s.sign_in_frequency().hours(), 48);
  EXPECT_FALSE(s.has_persistent_browser());
  EXPECT_EQ(s.continuous_access_evaluation().mode(),
            ca::ContinuousAccessEvaluation::MODE_STRICT_LOCATION);
  EXPECT_TRUE(s.disable_resilience_defaults());
}

TEST(CaImportTest, ScheduleExtension) {
  ca::Policy p =
      ImportOne(R"json({"id": "p", "state": "enabled", "conditions": {
      "users": {"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [],
                "excludeGroups": [], "includeRoles": [], "excludeRoles": []},
      "applications": {"includeApplications": ["All"], "excludeApplications": []},
      "clientAppTypes": ["all"], "signInRiskLevels": [], "userRiskLevels": [],
      "x-portcullis-schedule": {"mode": "exclude", "workHours": {
        "timeZone": "Europe/Amsterdam",
        "weekly": [{"days": ["MO", "FR"], "start": "08:30", "end": "17:00"}]}}}})json");
  const ca::ScheduleCondition& s = p.conditions().schedule();
  EXPECT_EQ(s.mode(), ca::FILTER_MODE_EXCLUDE);
  EXPECT_EQ(
      s.work_hours().struct_value().fields().at("timeZone").string_value(),
      "Europe/Amsterdam");
}

struct ErrorCase {
  std::string name;
  std::string json;
  std::string message;
};

class CaImportErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(CaImportErrorTest, Rejects) {
  EXPECT_THAT(ImportPolicies(GetParam().json, "t.json"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Policies, CaImportErrorTest,
    ::testing::Values(
        ErrorCase{"MalformedJson", "{\"id\": ", ""},
        ErrorCase{
            "PagedList",
            R"json({"@odata.context": "x", "@odata.nextLink": "https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies?$skiptoken=x",
              "value": [{"id": "p", "state": "enabled"}]})json",
            "@odata.nextLink: the file is one page of a paged Graph list"},
        ErrorCase{"MissingState", R"json({"id": "p"})json",
                  "state: missing; expected enabled, disabled or "
                  "enabledForReportingButNotEnforced"},
        ErrorCase{"BadState", R"json({"id": "p", "state": "on"})json",
                  "state: invalid value \"on\"; expected one of enabled"},
        ErrorCase{
            "BadClientAppType",
            R"json({"id": "p", "state": "enabled", "conditions": {"clientAppTypes": ["fax"]}})json",
            "conditions.clientAppTypes: invalid value \"fax\""},
        ErrorCase{
            "UsersNotAList",
            R"json({"id": "p", "state": "enabled", "conditions": {"users": {"includeUsers": "All"}}})json",
            "conditions.users.includeUsers: invalid value \"All\"; "
            "expected an array of strings"},
        ErrorCase{
            "NonEmptyWrongContainer",
            R"json({"id": "p", "state": "enabled", "conditions": {"locations": ["x"]}})json",
            "conditions.locations: invalid value [\"x\"]; expected an "
            "object or null"},
        ErrorCase{
            "BadDeviceFilter",
            R"json({"id": "p", "state": "enabled", "conditions": {"devices": {"deviceFilter": {"mode": "include", "rule": "device.model -eqq \"x\""}}}})json",
            "conditions.devices.deviceFilter.rule: invalid filter rule: "
            "column 14: unknown operator"},
        ErrorCase{
            "BadFilterMode",
            R"json({"id": "p", "state": "enabled", "conditions": {"devices": {"deviceFilter": {"mode": "maybe", "rule": "device.model -eq \"x\""}}}})json",
            "conditions.devices.deviceFilter.mode: invalid value "
            "\"maybe\""},
        ErrorCase{
            "BadAuthContext",
            R"json({"id": "p", "state": "enabled", "conditions": {"applications": {"includeAuthenticationContextClassReferences": ["c100"]}}})json",
            "includeAuthenticationContextClassReferences[0]: invalid "
            "value \"c100\"; expected an authentication context c1 to "
            "c99"},
        ErrorCase{
            "BadOperator",
            R"json({"id": "p", "state": "enabled", "grantControls": {"operator": "XOR", "builtInControls": ["mfa"]}})json",
            "grantControls.operator: invalid value \"XOR\""},
        ErrorCase{
            "BadControl",
            R"json({"id": "p", "state": "enabled", "grantControls": {"operator": "OR", "builtInControls": ["smile"]}})json",
            "grantControls.builtInControls: invalid value \"smile\""},
        ErrorCase{
            "MisspeltStrengthBesideMfa",
            R"json({"id": "p", "state": "enabled", "grantControls": {"operator": "AND", "builtInControls": ["mfa"], "authenticationStrenght": {"id": "00000000-0000-0000-0000-000000000004"}}})json",
            "grantControls.authenticationStrenght: unknown member; expected "
            "one of operator, builtInControls, customAuthenticationFactors, "
            "termsOfUse, authenticationStrength"},
        ErrorCase{
            "MisspeltTermsOfUseBesideMfa",
            R"json({"id": "p", "state": "enabled", "grantControls": {"operator": "AND", "builtInControls": ["mfa"], "termOfUse": ["11111111-1111-1111-1111-111111111111"]}})json",
            "grantControls.termOfUse: unknown member"},
        ErrorCase{
            "BadFrequency",
            R"json({"id": "p", "state": "enabled", "sessionControls": {"signInFrequency": {"value": 0, "type": "hours", "isEnabled": true}}})json",
            "sessionControls.signInFrequency.value: invalid value 0"},
        ErrorCase{
            "BadScheduleZone",
            R"json({"id": "p", "state": "enabled", "conditions": {"x-portcullis-schedule": {"workHours": {"timeZone": "Mars/Olympus", "weekly": []}}}})json",
            "conditions.x-portcullis-schedule.workHours.timeZone"},
        ErrorCase{
            "MissingWorkHours",
            R"json({"id": "p", "state": "enabled", "conditions": {"x-portcullis-schedule": {"mode": "include"}}})json",
            "conditions.x-portcullis-schedule.workHours: missing"},
        ErrorCase{
            "MisspeltScheduleMode",
            R"json({"id": "p", "state": "enabled", "conditions": {"x-portcullis-schedule": {"mdoe": "exclude", "workHours": {"timeZone": "UTC", "weekly": []}}}})json",
            "conditions.x-portcullis-schedule.mdoe: unknown member; expected "
            "one of mode, workHours"},
        ErrorCase{
            "UnknownScheduleMember",
            R"json({"id": "p", "state": "enabled", "conditions": {"x-portcullis-schedule": {"mode": "exclude", "extra": 1, "workHours": {"timeZone": "UTC", "weekly": []}}}})json",
            "conditions.x-portcullis-schedule.extra: unknown member"},
        ErrorCase{"NotAnObject", "42", "(root): invalid value 42"}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) {
      return info.param.name;
    });

TEST(CaImportTest, NamedLocationKinds) {
  absl::StatusOr<std::vector<ImportedNamedLocation>> locations =
      ImportNamedLocations(R"json({"value": [
    {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "a",
     "displayName": "Office", "isTrusted": true,
     "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange",
                   "cidrAddress": "192.0.2.77/24"},
                  {"@odata.type": "#microsoft.graph.iPv6CidrRange",
                   "cidrAddress": "2001:DB8::1/48"}]},
    {"@odata.type": "#microsoft.graph.countryNamedLocation", "id": "b",
     "countriesAndRegions": ["nl", "BE"], "includeUnknownCountriesAndRegions": true},
    {"@odata.type": "#microsoft.graph.compliantNetworkNamedLocation", "id": "c",
     "compliantNetworkType": "allTenantCompliantNetworks", "isTrusted": true}]})json",
                           "locations.json");
  ASSERT_OK(locations);
  ASSERT_EQ(locations->size(), 3u);
  const ca::NamedLocation& ip = (*locations)[0].location;
  EXPECT_TRUE(ip.ip().is_trusted());
  EXPECT_THAT(ip.ip().cidr_ranges(),
              ElementsAre("192.0.2.77/24", "2001:DB8::1/48"));
  EXPECT_THAT((*locations)[0].warnings, IsEmpty());
  const ca::NamedLocation& country = (*locations)[1].location;
  EXPECT_THAT(country.country().countries_and_regions(),
              ElementsAre("NL", "BE"));
  EXPECT_TRUE(country.country().include_unknown_countries_and_regions());
  const ca::NamedLocation& other = (*locations)[2].location;
  EXPECT_TRUE(other.has_unsupported());
  EXPECT_TRUE(other.unsupported().is_trusted());
  ASSERT_THAT(WarningPaths((*locations)[2].warnings),
              ElementsAre("value[2].@odata.type"));
  EXPECT_THAT((*locations)[2].warnings[0].message,
              HasSubstr("is not evaluated"));
}

TEST(CaImportTest, NamedLocationErrors) {
  EXPECT_THAT(ImportNamedLocations(
                  R"json({"@odata.nextLink": "https://graph.microsoft.com/v1.0/x",
        "value": [{"@odata.type": "#microsoft.graph.ipNamedLocation",
        "id": "a", "ipRanges": [{"cidrAddress": "192.0.2.0/24"}]}]})json",
                  "l.json"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("one page of a paged Graph list")));
  EXPECT_THAT(ImportNamedLocations(
                  R"json({"@odata.type": "#microsoft.graph.ipNamedLocation",
        "id": "a", "ipRanges": [{"cidrAddress": "192.0.2.300/24"}]})json",
                  "l.json"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("ipRanges[0].cidrAddress: invalid value "
                                 "\"192.0.2.300/24\"; expected a CIDR range")));
  EXPECT_THAT(
      ImportNamedLocations(
          R"json({"@odata.type": "#microsoft.graph.countryNamedLocation",
        "id": "a", "countriesAndRegions": ["NLD"]})json",
          "l.json"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("countriesAndRegions[0]: invalid value \"NLD\"; "
                         "expected a two-letter ISO 3166 country code")));
}

TEST(CaImportTest, NamedLocationWithBothKindsIsError) {
  // Typed as an IP location, with countries beside the ranges.
  EXPECT_THAT(
      ImportNamedLocations(R"json({"value": [
        {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "a",
         "ipRanges": [{"cidrAddress": "192.0.2.0/24"}],
         "countriesAndRegions": ["RU"]}]})json",
                           "l.json"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("value[0].countriesAndRegions: invalid value "
                         "[\"RU\"]; expected no countriesAndRegions in an "
                         "IP location, because a named location holds IP "
                         "ranges or countries, never both")));
  // Untyped: the ranges make it an IP location, so the countries belong to
  // the other kind.
  EXPECT_THAT(ImportNamedLocations(R"json({"id": "a",
        "countriesAndRegions": ["RU"], "ipRanges": ["192.0.2.0/24"]})json",
                                   "l.json"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("countriesAndRegions: invalid value")));
  EXPECT_THAT(ImportNamedLocations(R"json({"id": "a",
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        "ipRanges": ["192.0.2.0/24"],
        "includeUnknownCountriesAndRegions": true})json",
                                   "l.json"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("includeUnknownCountriesAndRegions: invalid "
                                 "value true")));
  EXPECT_THAT(ImportNamedLocations(R"json({"id": "a",
        "@odata.type": "#microsoft.graph.countryNamedLocation",
        "countriesAndRegions": ["RU"],
        "ipRanges": [{"cidrAddress": "192.0.2.0/24"}]})json",
                                   "l.json"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("ipRanges: invalid value")));
}

TEST(CaImportTest, NamedLocationOtherKindNullsAccepted) {
  // A script that selects the properties of both kinds writes null for
  // those the location does not have.
  absl::StatusOr<std::vector<ImportedNamedLocation>> locations =
      ImportNamedLocations(R"json([
    {"id": "a", "ipRanges": ["192.0.2.0/24"], "countriesAndRegions": null,
     "includeUnknownCountriesAndRegions": null, "countryLookupMethod": null},
    {"id": "b", "ipRanges": null, "countriesAndRegions": ["NL"]}])json",
                           "l.json");
  ASSERT_OK(locations);
  ASSERT_EQ(locations->size(), 2u);
  EXPECT_THAT((*locations)[0].location.ip().cidr_ranges(),
              ElementsAre("192.0.2.0/24"));
  EXPECT_THAT((*locations)[1].location.country().countries_and_regions(),
              ElementsAre("NL"));
}

TEST(CaImportTest, NamedLocationMaskLimit) {
  auto import_range = [](absl::string_view cidr) {
    return ImportNamedLocations(
        absl::StrCat(R"json({"value": [{"@odata.type": "#microsoft.graph.ipNamedLocation",
          "id": "a", "isTrusted": true, "ipRanges": [{"cidrAddress": ")json",
                     cidr, R"json("}]}]})json"),
        "l.json");
  };
  for (absl::string_view wide :
       {"0.0.0.0/0", "0.0.0.0/1", "10.0.0.0/8", "::/0", "2000::/3",
        "2001:db8::/8"}) {
    SCOPED_TRACE(wide);
    EXPECT_THAT(
        import_range(wide),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 HasSubstr(absl::StrCat("value[0].ipRanges[0].cidrAddress: "
                                        "invalid value \"",
                                        wide, "\"; expected a range with a "
                                              "mask from /9"))));
  }
  for (absl::string_view narrow :
       {"198.0.0.0/9", "192.0.2.1/32", "2001:db8::/9", "2001:db8::1/128"}) {
    SCOPED_TRACE(narrow);
    EXPECT_OK(import_range(narrow));
  }
  // The MFA trusted IPs get the same limit.
  EXPECT_THAT(ImportNamedLocations(R"json({"id": "00000000-0000-0000-0000-000000000000",
        "ipRanges": ["0.0.0.0/0"]})json",
                                   "l.json"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("ipRanges[0]: invalid value \"0.0.0.0/0\"")));
}

ImportedNamedLocation ImportOneRange(absl::string_view cidr) {
  absl::StatusOr<std::vector<ImportedNamedLocation>> locations =
      ImportNamedLocations(
          absl::StrCat(R"json({"value": [{"@odata.type": "#microsoft.graph.ipNamedLocation",
            "id": "a", "ipRanges": [{"@odata.type": "#microsoft.graph.iPv6CidrRange",
            "cidrAddress": ")json",
                       cidr, R"json("}]}]})json"),
          "l.json");
  EXPECT_OK(locations);
  if (!locations.ok() || locations->size() != 1) return {};
  return (*locations)[0];
}

TEST(CaImportTest, NamedLocationMappedRangeWarns) {
  ImportedNamedLocation location = ImportOneRange("::ffff:198.51.100.0/120");
  // The range is kept as written; NamedLocationSet maps it.
  EXPECT_THAT(location.location.ip().cidr_ranges(),
              ElementsAre("::ffff:198.51.100.0/120"));
  ASSERT_THAT(WarningPaths(location.warnings),
              ElementsAre("value[0].ipRanges[0].cidrAddress"));
  EXPECT_THAT(location.warnings[0].message,
              HasSubstr("\"::ffff:198.51.100.0/120\" is an IPv4-mapped "
                        "IPv6 range, read as the IPv4 range 198.51.100.0/24"));

  // Host bits are cleared before mapping, as for any other range.
  location = ImportOneRange("::ffff:198.51.100.7/120");
  ASSERT_THAT(WarningPaths(location.warnings),
              ElementsAre("value[0].ipRanges[0].cidrAddress"));
  EXPECT_THAT(location.warnings[0].message,
              HasSubstr("read as the IPv4 range 198.51.100.0/24"));
}

TEST(CaImportTest, NamedLocationRangeAroundMappedRangeWarns) {
  for (absl::string_view wide : {"::/9", "::/80", "::ff00:0:0/88", "::fffe:0:0/95"}) {
    SCOPED_TRACE(wide);
    ImportedNamedLocation location = ImportOneRange(wide);
    ASSERT_THAT(WarningPaths(location.warnings),
                ElementsAre("value[0].ipRanges[0].cidrAddress"));
    EXPECT_THAT(location.warnings[0].message,
                HasSubstr(absl::StrCat("\"", wide,
                                       "\" contains the IPv4-mapped range "
                                       "::ffff:0.0.0.0/96")));
  }
  // Ranges beside the mapped range get no warning.
  for (absl::string_view other : {"::fffe:0:0/96", "::1/128", "2001:db8::/32", "64:ff9b::/96"}) {
    SCOPED_TRACE(other);
    EXPECT_THAT(ImportOneRange(other).warnings, IsEmpty());
  }
}

TEST(CaImportTest, NamedLocationMappedRangeMaskLimit) {
  // A mapped range is held to the IPv4 limit as the range it is read as.
  for (absl::string_view wide :
       {"::ffff:0.0.0.0/96", "::ffff:0.0.0.0/100", "::ffff:10.0.0.0/104"}) {
    SCOPED_TRACE(wide);
    EXPECT_THAT(
        ImportNamedLocations(
            absl::StrCat(R"json({"id": "a", "ipRanges": [")json", wide,
                         R"json("]})json"),
            "l.json"),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 HasSubstr(absl::StrCat(
                     "ipRanges[0]: invalid value \"", wide,
                     "\"; expected an IPv4-mapped range with a mask from "
                     "/105 to /128"))));
  }
  EXPECT_THAT(ImportOneRange("::ffff:10.0.0.0/105").warnings,
              ElementsAre(::testing::Field(&ImportWarning::message,
                                           HasSubstr("10.0.0.0/9"))));
}

// Every real export imports; the warnings each one yields are listed here.
TEST(CaImportRealDataTest, EveryFileImportsWithExpectedWarnings) {
  std::optional<std::string> shared = portcullis::testing::SharedDir();
  if (!shared) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  std::string dir = *shared + "/realdata/ca";

  const std::vector<std::string> kPlaceholderGroups3 = {
      "conditions.users.excludeGroups[0]", "conditions.users.excludeGroups[1]",
      "conditions.users.excludeGroups[2]"};
  auto alex = [&](std::vector<std::string> extra_before,
                  std::vector<std::string> extra_after) {
    std::vector<std::string> all = {"id"};
    all.insert(all.end(), extra_before.begin(), extra_before.end());
    all.insert(all.end(), kPlaceholderGroups3.begin(),
               kPlaceholderGroups3.end());
    all.insert(all.end(), extra_after.begin(), extra_after.end());
    return all;
  };
  const std::map<std::string, std::vector<std::string>> kExpected = {
      {"alexfilipin_102_admins-block-untrusted-location.json",
       alex({"conditions.users.includeGroups[0]"},
            {"conditions.userRiskLevels"})},
      {"alexfilipin_104_privileged-systems-strong-auth.json",
       alex({}, {"conditions.userRiskLevels"})},
      {"alexfilipin_201_register-secinfo-mfa-or-trusted.json",
       alex({}, {"conditions.userRiskLevels", "state"})},
      {"alexfilipin_206_password-change-high-user-risk.json", alex({}, {})},
      {"alexfilipin_208_strong-auth-or-trusted-device.json",
       alex({}, {"conditions.users.excludeGroups[3]",
                 "conditions.userRiskLevels"})},
      {"alexfilipin_210_tou-external-users.json",
       {"id", "conditions.users.excludeGroups[0]",
        "conditions.users.excludeGroups[1]", "conditions.userRiskLevels",
        "grantControls.termsOfUse[0]"}},
      {"alexfilipin_300_block-other-clients.json",
       alex({}, {"conditions.userRiskLevels"})},
      {"alexfilipin_301_block-activesync.json",
       alex({}, {"conditions.userRiskLevels"})},
      {"alexfilipin_302_block-unknown-platforms.json",
       alex({}, {"conditions.userRiskLevels"})},
      {"alexfilipin_403_mcas-monitoring.json",
       alex({}, {"conditions.userRiskLevels"})},
      {"alexfilipin_601_block-elevated-insider-risk.json",
       {"id", "conditions.users.excludeGroups[0]",
        "conditions.users.excludeGroups[1]", "conditions.userRiskLevels"}},
      {"alexfilipin_700_workload-block-untrusted-location.json",
       {"id", "conditions.userRiskLevels"}},
  };

  int policy_files = 0;
  int location_files = 0;
  for (const std::string& name : portcullis::testing::ListFiles(dir, ".json")) {
    SCOPED_TRACE(name);
    absl::StatusOr<std::string> bytes =
        portcullis::testing::ReadFileToString(dir + "/" + name);
    ASSERT_OK(bytes);
    bool is_location = name.find("_NL_") != std::string::npos ||
                       name.find("namedLocations") != std::string::npos;
    if (is_location) {
      absl::StatusOr<std::vector<ImportedNamedLocation>> locations =
          ImportNamedLocations(*bytes, name);
      ASSERT_OK(locations);
      for (const ImportedNamedLocation& l : *locations) {
        EXPECT_THAT(l.warnings, IsEmpty()) << WarningText(l.warnings);
      }
      ++location_files;
      continue;
    }
    absl::StatusOr<std::vector<ImportedPolicy>> policies =
        ImportPolicies(*bytes, name);
    ASSERT_OK(policies);
    ASSERT_EQ(policies->size(), 1u);
    auto expected = kExpected.find(name);
    std::vector<std::string> paths = WarningPaths((*policies)[0].warnings);
    if (expected == kExpected.end()) {
      EXPECT_THAT(paths, IsEmpty()) << WarningText((*policies)[0].warnings);
    } else {
      EXPECT_EQ(paths, expected->second)
          << WarningText((*policies)[0].warnings);
    }
    ++policy_files;
  }
  EXPECT_EQ(policy_files, 24);
  EXPECT_EQ(location_files, 3);
}

TEST(CaImportRealDataTest, Utf16ExportDetails) {
  std::optional<std::string> shared = portcullis::testing::SharedDir();
  if (!shared) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  absl::StatusOr<std::string> bytes = portcullis::testing::ReadFileToString(
      *shared +
      "/realdata/ca/"
      "j0eyv_CA006-Global-DataProtection-Office365-AnyPlatform-Browser-"
      "Unmanaged-AppEnforceRestrictions.json");
  ASSERT_OK(bytes);
  ASSERT_OK_AND_ASSIGN(std::vector<ImportedPolicy> policies,
                       ImportPolicies(*bytes, "CA006.json"));
  const ca::Policy& p = policies[0].policy;
  EXPECT_EQ(p.id(), "5ec953b4-0e21-423a-a45d-f3762453c945");
  EXPECT_EQ(p.conditions().devices().device_filter().mode(),
            ca::FILTER_MODE_EXCLUDE);
  EXPECT_EQ(p.conditions().devices().device_filter().rule(),
            "device.isCompliant -eq True -and device.deviceOwnership -eq "
            "\"Company\"");
  EXPECT_TRUE(p.session_controls().application_enforced_restrictions());
  EXPECT_FALSE(p.has_grant_controls());
}

}  // namespace
}  // namespace portcullis::access
