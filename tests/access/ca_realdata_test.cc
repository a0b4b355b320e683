// Real exported policies and named locations, with sign-ins whose outcome
// was worked out by reading each policy.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "access/ca_import.h"
#include "access/ca_named_locations.h"
#include "access/ca_sign_in_import.h"
#include "access/conditional_access.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/shared_data.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::access {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Policy ids of the j0eyv baseline exports.
constexpr char kCa000Mfa[] = "809741fe-fb1b-4746-9ff0-83a978a4c891";
constexpr char kCa001Countries[] = "19bbdbd4-d871-4964-a6ef-9b3054b9337c";
constexpr char kCa002Legacy[] = "c1acdef5-cfc8-470b-a7db-1f71ba4be1fb";
constexpr char kCa003RegisterDevice[] = "5c19fad7-8c1b-4a0e-9087-3423c99680ad";
constexpr char kCa004Flows[] = "1bf06972-bd5c-4d06-98ce-6b5bf5f1959f";
constexpr char kCa006Restrictions[] = "5ec953b4-0e21-423a-a45d-f3762453c945";
constexpr char kCa100Admins[] = "977083ba-6daf-4860-bdf8-2bc5505a6428";
constexpr char kCa201UserRisk[] = "d367aefa-e32c-4382-bfdc-a903896ba628";
constexpr char kCa204Platforms[] = "d6d86da8-6be9-4cf4-9229-a1f2ed6f538f";
constexpr char kCa205Windows[] = "bf40d6e7-542e-4e5a-94b0-f74860c3d0b4";
constexpr char kCa301ServiceAccounts[] = "ff0b4179-d1e7-41b4-aaeb-7c8ef89048d2";
constexpr char kCa400Guests[] = "1ccca3dd-93cb-4c14-9ae1-abe557971060";

// Groups and roles those exports name.
constexpr char kInternals[] = "ceeac9b8-ddf5-48cb-afcb-e2ab8bfd1a57";
constexpr char kBreakGlass[] = "2802b872-ccfb-4b29-a9a9-459808dfb11b";
constexpr char kServiceAccounts[] = "77c1ed37-10d0-4ef1-93dc-198e70abb166";
constexpr char kGlobalAdmin[] = "62e90394-69f5-4237-9190-012177145e10";

constexpr char kAlice[] = "a11ce000-0000-0000-0000-000000000001";
constexpr char kBob[] = "b0b00000-0000-0000-0000-000000000002";
constexpr char kBreakGlassUser[] = "b4ea6000-0000-0000-0000-000000000003";
constexpr char kService[] = "5e4f1ce0-0000-0000-0000-000000000004";
constexpr char kGuest[] = "9e570000-0000-0000-0000-000000000005";

constexpr char kSharePoint[] = "00000003-0000-0ff1-ce00-000000000000";
constexpr char kAzurePortal[] = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";

const absl::Time kNow = absl::FromUnixSeconds(1780000000);

// A signInConditions body: no risk, no transfer flow, plus `facts` (JSON
// members, such as R"("country": "NL")") that may override those.
std::string Facts(const std::string& facts) {
  std::string defaults;
  for (const char* member :
       {R"("signInRiskLevel": "none")", R"("userRiskLevel": "none")",
        R"("insiderRiskLevel": "none")",
        R"("authenticationFlow": {"transferMethod": "none"})"}) {
    std::string key =
        std::string(member).substr(0, std::string(member).find(':'));
    if (facts.find(key) == std::string::npos) {
      absl::StrAppend(&defaults, member, ", ");
    }
  }
  return absl::StrCat("{", defaults, facts, "}");
}

class CaRealDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> shared = portcullis::testing::SharedDir();
    if (!shared) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
    std::string dir = *shared + "/realdata/ca";

    std::vector<ca::Policy> policies;
    std::vector<ca::NamedLocation> locations;
    for (const std::string& name :
         portcullis::testing::ListFiles(dir, ".json")) {
      absl::StatusOr<std::string> bytes =
          portcullis::testing::ReadFileToString(dir + "/" + name);
      ASSERT_OK(bytes);
      if (absl::StrContains(name, "_NL_") ||
          absl::StrContains(name, "namedLocations")) {
        ASSERT_OK_AND_ASSIGN(std::vector<ImportedNamedLocation> imported,
                             ImportNamedLocations(*bytes, name));
        for (ImportedNamedLocation& l : imported) {
          locations.push_back(std::move(l.location));
        }
      } else {
        ASSERT_OK_AND_ASSIGN(std::vector<ImportedPolicy> imported,
                             ImportPolicies(*bytes, name));
        for (ImportedPolicy& p : imported)
          policies.push_back(std::move(p.policy));
      }
    }
    ASSERT_EQ(policies.size(), 24u);
    ASSERT_EQ(locations.size(), 5u);
    ASSERT_OK_AND_ASSIGN(NamedLocationSet named,
                         NamedLocationSet::Create(locations));
    ASSERT_OK_AND_ASSIGN(
        ConditionalAccessPolicySet set,
        ConditionalAccessPolicySet::Compile(
            policies, std::make_shared<const NamedLocationSet>(named)));
    set_ = std::make_unique<ConditionalAccessPolicySet>(std::move(set));
    for (size_t i = 0; i < set_->policies().size(); ++i) {
      const ca::Policy& p = set_->policies()[i];
      index_[p.id()] = static_cast<int>(i);
      // The AlexFilipin templates have no id; their file names start with
      // "alexfilipin_<number>".
      if (absl::StartsWith(p.id(), "alexfilipin_")) {
        index_[p.id().substr(12, 3)] = static_cast<int>(i);
      }
    }

    ASSERT_OK_AND_ASSIGN(
        directory_,
        ParseDirectory(absl::StrCat(
            R"({"users": [
              {"id": ")",
            kAlice, R"(", "userType": "member", "roles": [], "groups": [")", kInternals,
            R"("]},
              {"id": ")",
            kBob, R"(", "userType": "member", "groups": [")", kInternals,
            R"("], "roles": [")", kGlobalAdmin, R"("]},
              {"id": ")",
            kBreakGlassUser, R"(", "userType": "member", "roles": [], "groups": [")",
            kBreakGlass, R"("]},
              {"id": ")",
            kService, R"(", "userType": "member", "roles": [], "groups": [")",
            kServiceAccounts, R"("]},
              {"id": ")",
            kGuest, R"(", "userType": "guest", "groups": [], "roles": []}]})")));
  }

  // Evaluates a What-If request for `user` reaching `app` under
  // `conditions`, with `satisfied` controls.
  WhatIfResult Run(const std::string& user, const std::string& app,
                   const std::string& conditions,
                   const std::string& satisfied = "",
                   EvaluationMode mode = EvaluationMode::kLenient) {
    std::string request = absl::StrCat(
        R"({"signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": ")",
        user, R"("}, "signInContext": )", app.empty() ? "null" : app,
        R"(, "signInConditions": )", conditions, "}");
    return RunRequest(request, satisfied, mode);
  }

  WhatIfResult RunRequest(const std::string& request,
                          const std::string& satisfied = "",
                          EvaluationMode mode = EvaluationMode::kLenient) {
    absl::StatusOr<ParsedSignIn> parsed =
        ParseWhatIfRequest(request, &directory_);
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    if (!parsed.ok()) return WhatIfResult();
    EXPECT_OK(ParseSatisfiedControls(satisfied, &parsed->sign_in.satisfied));
    WhatIfResult result = set_->Explain(parsed->sign_in, kNow, mode).value();
    EXPECT_EQ(set_->Evaluate(parsed->sign_in, kNow, mode).value().outcome,
              result.outcome);
    return result;
  }

  const PolicyResult& Policy(const WhatIfResult& result,
                             const std::string& id) {
    return result.policies.at(index_.at(id));
  }

  // The first reason, or "applies".
  std::string Why(const WhatIfResult& result, const std::string& id) {
    const PolicyResult& p = Policy(result, id);
    return p.applies ? "applies"
                     : std::string(WhatIfReasonName(p.first_reason));
  }

  static std::string App(const char* id) {
    return absl::StrCat(
        R"({"@odata.type": "#microsoft.graph.applicationContext", "includeApplications": [")",
        id, R"("]})");
  }

  std::unique_ptr<ConditionalAccessPolicySet> set_;
  std::map<std::string, int> index_;
  Directory directory_;
};

// A member of the internal users group on a compliant company laptop in the
// Netherlands, opening SharePoint in a browser.
constexpr char kOffice[] = R"({"devicePlatform": "windows",
    "clientAppType": "browser", "ipAddress": "192.0.2.10", "country": "NL",
    "signInRiskLevel": "none", "userRiskLevel": "none",
    "insiderRiskLevel": "none", "authenticationFlow": {"transferMethod": "none"},
    "deviceInfo": {"trustType": "AzureAD", "isCompliant": true,
                   "ownership": "Company"}})";

// The same sign-in from a personal, unmanaged Windows laptop.
constexpr char kPersonalLaptop[] = R"({"devicePlatform": "windows",
    "clientAppType": "browser", "ipAddress": "192.0.2.10", "country": "NL",
    "signInRiskLevel": "none", "userRiskLevel": "none",
    "insiderRiskLevel": "none", "authenticationFlow": {"transferMethod": "none"},
    "deviceInfo": {"trustType": "Workplace", "isCompliant": false,
                   "ownership": "Personal"}})";

TEST_F(CaRealDataTest, InternalUserAtTheOffice) {
  WhatIfResult r = Run(kAlice, App(kSharePoint), kOffice);
  EXPECT_EQ(Why(r, kCa000Mfa), "applies");
  EXPECT_EQ(Why(r, kCa001Countries), "location");
  EXPECT_EQ(Why(r, kCa002Legacy), "clientApps");
  EXPECT_EQ(Why(r, kCa003RegisterDevice), "application");
  EXPECT_EQ(Why(r, kCa004Flows), "authenticationFlow");
  EXPECT_EQ(Why(r, kCa006Restrictions), "devices");
  EXPECT_EQ(Why(r, kCa100Admins), "users");
  EXPECT_EQ(Why(r, kCa201UserRisk), "userRisk");
  EXPECT_EQ(Why(r, kCa204Platforms), "devicePlatform");
  EXPECT_EQ(Why(r, kCa205Windows), "applies");
  EXPECT_EQ(Why(r, kCa301ServiceAccounts), "users");
  EXPECT_EQ(Why(r, kCa400Guests), "users");
  EXPECT_EQ(Why(r, "102"), "users");
  EXPECT_EQ(Why(r, "104"), "application");
  EXPECT_EQ(Why(r, "201"), "application");
  EXPECT_EQ(Why(r, "206"), "userRisk");
  EXPECT_EQ(Why(r, "208"), "applies");
  EXPECT_EQ(Why(r, "210"), "users");
  EXPECT_EQ(Why(r, "300"), "clientApps");
  EXPECT_EQ(Why(r, "301"), "clientApps");
  EXPECT_EQ(Why(r, "302"), "devicePlatform");
  EXPECT_EQ(Why(r, "403"), "application");
  EXPECT_EQ(Why(r, "601"), "insiderRisk");
  EXPECT_EQ(Why(r, "700"), "users");

  // The compliant device meets the device policies.
  EXPECT_EQ(r.outcome, Outcome::kRequirements);
  EXPECT_THAT(r.requirements, ElementsAre("mfa"));
  EXPECT_EQ(Policy(r, kCa205Windows).ResultName(), "success");
  EXPECT_EQ(Policy(r, "208").ResultName(), "reportOnlySuccess");

  WhatIfResult done = Run(kAlice, App(kSharePoint), kOffice, "mfa");
  EXPECT_EQ(done.outcome, Outcome::kAllow);
  EXPECT_EQ(Policy(done, kCa000Mfa).ResultName(), "success");

  // The same sign-in from a personal, unmanaged Windows device.
  WhatIfResult unmanaged =
      Run(kAlice, App(kSharePoint), kPersonalLaptop, "mfa");
  EXPECT_EQ(unmanaged.outcome, Outcome::kRequirements);
  EXPECT_THAT(unmanaged.requirements,
              ElementsAre("compliantDevice", "domainJoinedDevice"));
  EXPECT_EQ(Policy(unmanaged, "208").ResultName(), "reportOnlyFailure");
}

TEST_F(CaRealDataTest, UnmanagedBrowserGetsAppEnforcedRestrictions) {
  WhatIfResult r =
      Run(kAlice, App(kSharePoint), Facts(R"("devicePlatform": "macOS",
      "clientAppType": "browser", "ipAddress": "192.0.2.10", "country": "BE",
      "deviceInfo": {"trustType": "Workplace", "isCompliant": false})"),
          "mfa");
  EXPECT_EQ(Why(r, kCa006Restrictions), "applies");
  EXPECT_EQ(r.outcome, Outcome::kAllow);
  EXPECT_TRUE(r.session_controls.application_enforced_restrictions());
}

TEST_F(CaRealDataTest, CountryAllowListBlocks) {
  WhatIfResult abroad =
      Run(kAlice, App(kSharePoint), R"({"devicePlatform": "windows",
      "clientAppType": "browser", "ipAddress": "203.0.113.5", "country": "US"})");
  EXPECT_EQ(abroad.outcome, Outcome::kBlock);
  EXPECT_EQ(abroad.blocking_policy, index_.at(kCa001Countries));
  // An IPv6 address that geolocation cannot place is not in the allow list.
  WhatIfResult unknown =
      Run(kAlice, App(kSharePoint), R"({"devicePlatform": "windows",
      "clientAppType": "browser", "ipAddress": "2001:db8::5", "country": ""})");
  EXPECT_EQ(Why(unknown, kCa001Countries), "applies");
  EXPECT_EQ(unknown.outcome, Outcome::kBlock);
  // The emergency access group is excluded from the block and from MFA.
  WhatIfResult break_glass = Run(kBreakGlassUser, App(kSharePoint),
                                 R"({"devicePlatform": "windows",
      "clientAppType": "browser", "ipAddress": "203.0.113.5", "country": "US"})");
  EXPECT_EQ(Why(break_glass, kCa001Countries), "users");
  EXPECT_EQ(Why(break_glass, kCa000Mfa), "users");
  EXPECT_EQ(break_glass.outcome, Outcome::kAllow);
}

TEST_F(CaRealDataTest, StrictModeNeedsTheFacts) {
  WhatIfResult r =
      Run(kAlice, App(kSharePoint), "{}", "", EvaluationMode::kStrict);
  EXPECT_EQ(Why(r, kCa000Mfa), "applies");
  EXPECT_EQ(Why(r, kCa001Countries), "notEnoughInformation");
  EXPECT_EQ(Why(r, kCa002Legacy), "notEnoughInformation");
  EXPECT_EQ(Why(r, kCa205Windows), "notEnoughInformation");
  EXPECT_EQ(r.outcome, Outcome::kRequirements);
  EXPECT_THAT(r.requirements, ElementsAre("mfa"));
  // The lenient mode lets every policy whose facts are missing apply, so
  // the country block decides.
  WhatIfResult lenient = Run(kAlice, App(kSharePoint), "{}");
  EXPECT_EQ(lenient.outcome, Outcome::kBlock);
}

TEST_F(CaRealDataTest, AttackSurfaceBlocks) {
  auto with = [](const std::string& extra) {
    return Facts(
        absl::StrCat(R"("ipAddress": "192.0.2.10", "country": "NL", )", extra));
  };
  WhatIfResult legacy = Run(
      kAlice, App(kSharePoint),
      with(
          R"("clientAppType": "exchangeActiveSync", "devicePlatform": "iOS")"));
  EXPECT_EQ(legacy.blocking_policy, index_.at(kCa002Legacy));
  EXPECT_EQ(Policy(legacy, "301").ResultName(), "reportOnlyFailure");
  WhatIfResult linux_desktop =
      Run(kAlice, App(kSharePoint),
          with(R"("clientAppType": "browser", "devicePlatform": "linux")"));
  EXPECT_EQ(linux_desktop.blocking_policy, index_.at(kCa204Platforms));
  EXPECT_EQ(Why(linux_desktop, "302"), "applies");
  WhatIfResult device_code = Run(
      kAlice, App(kSharePoint),
      with(
          R"("clientAppType": "mobileAppsAndDesktopClients", "devicePlatform": "android",
              "authenticationFlow": {"transferMethod": "deviceCodeFlow"})"));
  EXPECT_EQ(device_code.blocking_policy, index_.at(kCa004Flows));
  WhatIfResult risky =
      Run(kAlice, App(kSharePoint),
          with(R"("clientAppType": "browser", "devicePlatform": "iOS",
              "userRiskLevel": "high", "insiderRiskLevel": "elevated")"));
  EXPECT_EQ(risky.blocking_policy, index_.at(kCa201UserRisk));
  EXPECT_EQ(Policy(risky, "206").ResultName(), "reportOnlyInterrupted");
  EXPECT_EQ(Policy(risky, "601").ResultName(), "reportOnlyFailure");
}

TEST_F(CaRealDataTest, AdminAtTheAzurePortal) {
  std::string conditions = Facts(R"("devicePlatform": "windows",
      "clientAppType": "browser", "ipAddress": "192.0.2.10", "country": "NL",
      "deviceInfo": {"trustType": "ServerAD", "isCompliant": true})");
  WhatIfResult r = Run(kBob, App(kAzurePortal), conditions);
  EXPECT_EQ(Why(r, kCa100Admins), "applies");
  EXPECT_EQ(Why(r, kCa205Windows), "applies");
  EXPECT_THAT(r.requirements,
              ElementsAre("mfa",
                          "authenticationStrength:00000000-0000-0000-"
                          "0000-000000000002"));
  EXPECT_EQ(Policy(r, "102").ResultName(), "reportOnlyFailure");
  EXPECT_EQ(Policy(r, "104").ResultName(), "reportOnlyInterrupted");
  // Microsoft documents the built-in MFA strength as equal to requiring MFA.
  WhatIfResult mfa = Run(kBob, App(kAzurePortal), conditions, "mfa");
  EXPECT_EQ(mfa.outcome, Outcome::kAllow);
  WhatIfResult fido = Run(kBob, App(kAzurePortal), conditions, "method:fido2");
  EXPECT_EQ(fido.outcome, Outcome::kAllow);
  EXPECT_EQ(Policy(fido, "104").ResultName(), "reportOnlySuccess");
}

TEST_F(CaRealDataTest, GuestNeedsMfaAndTermsOfUse) {
  WhatIfResult r = Run(kGuest, App(kSharePoint), kOffice);
  EXPECT_EQ(Why(r, kCa400Guests), "applies");
  EXPECT_EQ(Why(r, kCa000Mfa), "applies");
  EXPECT_EQ(Why(r, kCa205Windows), "users");
  EXPECT_EQ(Why(r, "210"), "applies");
  EXPECT_EQ(Policy(r, "210").ResultName(), "reportOnlyInterrupted");
  EXPECT_THAT(r.requirements, ElementsAre("mfa"));
}

TEST_F(CaRealDataTest, ServiceAccountsOnlyFromTheNetherlands) {
  std::string from_belgium = R"({"clientAppType": "other", "country": "BE",
      "ipAddress": "198.51.100.20"})";
  WhatIfResult belgium = Run(kService, App(kSharePoint), from_belgium);
  EXPECT_EQ(Why(belgium, kCa301ServiceAccounts), "applies");
  EXPECT_EQ(belgium.outcome, Outcome::kBlock);
  WhatIfResult netherlands = Run(
      kService, App(kSharePoint),
      R"({"clientAppType": "browser", "devicePlatform": "windows", "country": "NL",
          "ipAddress": "198.51.100.20"})");
  EXPECT_EQ(Why(netherlands, kCa301ServiceAccounts), "location");
}

TEST_F(CaRealDataTest, UserActions) {
  auto action = [&](const char* name, const char* ip) {
    return absl::StrCat(
        R"({"signInIdentity": {"userId": ")", kAlice,
        R"("}, "signInContext": {"@odata.type": "#microsoft.graph.userActionContext",
            "userAction": ")",
        name, R"("}, "signInConditions": {"clientAppType": "browser",
            "devicePlatform": "windows", "country": "NL", "ipAddress": ")",
        ip, "\"}}");
  };
  WhatIfResult device =
      RunRequest(action("registerOrJoinDevices", "192.0.2.10"));
  EXPECT_EQ(Why(device, kCa003RegisterDevice), "applies");
  EXPECT_EQ(Why(device, kCa000Mfa), "userActions");
  WhatIfResult security =
      RunRequest(action("registerSecurityInformation", "192.0.2.10"));
  EXPECT_EQ(Why(security, kCa000Mfa), "applies");
  EXPECT_EQ(Why(security, "201"), "applies");
  // From the trusted IPv6 range of Graph's example the report-only policy
  // on security information stays out of scope.
  WhatIfResult trusted =
      RunRequest(action("registerSecurityInformation", "2001:4898:80e8::10"));
  EXPECT_EQ(Why(trusted, "201"), "location");
}

TEST_F(CaRealDataTest, WorkloadIdentityFromUntrustedAddress) {
  WhatIfResult r = RunRequest(absl::StrCat(
      R"({"signInIdentity": {"@odata.type": "#microsoft.graph.servicePrincipalSignIn",
          "servicePrincipalId": "0c1e0000-0000-0000-0000-000000000009"},
          "signInContext": {"includeApplications": [")",
      kSharePoint, R"("]}, "signInConditions": {"ipAddress": "192.0.2.10"}})"));
  EXPECT_EQ(Why(r, "700"), "applies");
  EXPECT_EQ(Policy(r, "700").ResultName(), "reportOnlyFailure");
  EXPECT_EQ(Why(r, kCa000Mfa), "workloadIdentities");
  EXPECT_EQ(r.outcome, Outcome::kAllow);
}

TEST_F(CaRealDataTest, McasPolicyTargetsNoApplication) {
  WhatIfResult r = Run(kAlice, App(kSharePoint), kOffice, "mfa");
  EXPECT_EQ(Why(r, "403"), "application");
  EXPECT_FALSE(r.session_controls.has_cloud_app_security());
}

}  // namespace
}  // namespace portcullis::access
