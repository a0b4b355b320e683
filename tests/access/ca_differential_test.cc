// Compares the compiled ConditionalAccessPolicySet with the slow reference
// evaluator on generated policies, named locations and sign-ins.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "access/ca_import.h"
#include "access/ca_named_locations.h"
#include "access/ca_reference.h"
#include "access/conditional_access.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"

namespace portcullis::access {
namespace {

// "All" and "None" are keywords only in includeUsers. In excludeUsers
// they are ids like any other, which only a sign-in of that id matches.
const char* const kUsers[] = {"u-1", "U-2", "u-3", "All", "None"};
const char* const kGroups[] = {"g-1", "g-2", "G-3"};
const char* const kRoles[] = {"r-1", "r-2"};
const char* const kApps[] = {"app-1", "app-2",
                             "00000003-0000-0ff1-ce00-000000000000",
                             "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
                             "00000006-0000-0ff1-ce00-000000000000"};
const char* const kTenants[] = {"t-1", "t-2"};
const char* const kLocationIds[] = {
    "ip-trusted",      "ip-plain",  "country-nl",
    "country-unknown", "compliant", "00000000-0000-0000-0000-000000000000",
    "ip-mapped",       "ip-around-mapped", "missing"};
const char* const kCountries[] = {"NL", "BE", "US"};
const char* const kRules[] = {
    "device.isCompliant -eq True",
    "device.trustType -eq \"ServerAD\" -or device.isCompliant -eq True",
    "device.extensionAttribute1 -ne \"SAW\"",
    "device.systemLabels -contains \"CloudPC\" -and device.trustType -eq "
    "\"AzureAD\"",
    "device.model -ne \"Surface\"",
};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  bool Coin(int percent = 50) { return Int(100) < percent; }
  int Int(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  template <typename T, size_t N>
  const T& Pick(const T (&array)[N]) {
    return array[Int(N)];
  }

  NamedLocationSet Locations() {
    std::vector<ca::NamedLocation> protos;
    auto ip = [&](const char* id, bool trusted,
                  std::vector<std::string> ranges) {
      ca::NamedLocation l;
      l.set_id(id);
      l.mutable_ip()->set_is_trusted(trusted);
      for (std::string& r : ranges) l.mutable_ip()->add_cidr_ranges(r);
      protos.push_back(l);
    };
    ip("ip-trusted", true, {"192.0.2.0/25", "2001:db8:1::/48"});
    ip("ip-plain", false, {"192.0.2.64/26", "203.0.113.7/32"});
    ip("00000000-0000-0000-0000-000000000000", false, {"198.51.100.0/24"});
    // Read as 192.0.2.0/28, and an IPv6 range that stays IPv6.
    ip("ip-mapped", true, {"::ffff:192.0.2.0/124"});
    ip("ip-around-mapped", false, {"::/64"});
    ca::NamedLocation nl;
    nl.set_id("country-nl");
    nl.mutable_country()->add_countries_and_regions("NL");
    protos.push_back(nl);
    ca::NamedLocation unknown;
    unknown.set_id("country-unknown");
    unknown.mutable_country()->add_countries_and_regions("BE");
    unknown.mutable_country()->set_include_unknown_countries_and_regions(true);
    protos.push_back(unknown);
    ca::NamedLocation compliant;
    compliant.set_id("compliant");
    compliant.mutable_unsupported()->set_is_trusted(true);
    protos.push_back(compliant);
    return *NamedLocationSet::Create(protos);
  }

  ca::Policy Policy(int index) {
    ca::Policy p;
    p.set_id(absl::StrCat("p", index));
    int state = Int(10);
    p.set_state(state < 6   ? ca::POLICY_STATE_ENABLED
                : state < 9 ? ca::POLICY_STATE_REPORT_ONLY
                            : ca::POLICY_STATE_DISABLED);
    ca::Conditions* c = p.mutable_conditions();

    if (Coin(85)) {
      ca::UserCondition* u = c->mutable_users();
      if (Coin(50)) u->add_include_users("All");
      if (Coin(20)) u->add_include_users(Pick(kUsers));
      if (Coin(5)) u->add_include_users("None");
      if (Coin(25)) u->add_include_groups(Pick(kGroups));
      if (Coin(15)) u->add_include_roles(Pick(kRoles));
      if (Coin(25)) u->add_exclude_groups(Pick(kGroups));
      if (Coin(10)) u->add_exclude_users(Pick(kUsers));
      if (Coin(10)) u->add_exclude_roles(Pick(kRoles));
      if (Coin(10)) u->add_include_users("GuestsOrExternalUsers");
      if (Coin(10)) u->add_exclude_users("GuestsOrExternalUsers");
      if (Coin(15)) Guests(u->mutable_include_guests_or_external_users());
      if (Coin(10)) Guests(u->mutable_exclude_guests_or_external_users());
    }
    if (Coin(15)) {
      ca::ClientApplicationCondition* sp = c->mutable_client_applications();
      sp->add_include_service_principals(Coin() ? "ServicePrincipalsInMyTenant"
                                                : "sp-1");
      if (Coin(30)) sp->add_exclude_service_principals("sp-2");
      if (Coin(10)) {
        sp->mutable_service_principal_filter()->set_mode(
            ca::FILTER_MODE_INCLUDE);
        sp->mutable_service_principal_filter()->set_rule("x");
      }
    }
    if (Coin(95)) {
      ca::ApplicationCondition* a = c->mutable_applications();
      int kind = Int(10);
      if (kind < 4) {
        a->add_include_applications("All");
      } else if (kind < 5) {
        a->add_include_applications("Office365");
      } else if (kind < 6) {
        a->add_include_applications("MicrosoftAdminPortals");
      } else if (kind < 7) {
        a->add_include_user_actions(Coin() ? "urn:user:registersecurityinfo"
                                           : "urn:user:registerdevice");
      } else if (kind < 8) {
        a->add_include_authentication_context_class_references(Coin() ? "c1"
                                                                      : "c2");
      } else if (kind < 9) {
        a->add_include_applications(Pick(kApps));
      } else {
        a->add_include_applications("None");
      }
      if (Coin(20)) a->add_exclude_applications(Pick(kApps));
      if (Coin(5)) a->add_exclude_applications("Office365");
      if (Coin(5)) {
        a->mutable_application_filter()->set_mode(ca::FILTER_MODE_EXCLUDE);
        a->mutable_application_filter()->set_rule("x");
      }
    }
    if (Coin(30)) {
      c->add_client_app_types(static_cast<ca::ClientAppType>(1 + Int(5)));
      if (Coin()) {
        c->add_client_app_types(static_cast<ca::ClientAppType>(2 + Int(4)));
      }
    }
    if (Coin(30)) {
      ca::PlatformCondition* pl = c->mutable_platforms();
      pl->add_include_platforms(
          static_cast<ca::DevicePlatform>(Coin() ? 1 : 2 + Int(6)));
      if (Coin(40)) {
        pl->add_exclude_platforms(static_cast<ca::DevicePlatform>(2 + Int(6)));
      }
      if (Coin(3)) pl->add_exclude_platforms(ca::DEVICE_PLATFORM_ALL);
    }
    if (Coin(35)) {
      ca::LocationCondition* l = c->mutable_locations();
      l->add_include_locations(Coin(40) ? "All" : Pick(kLocationIds));
      if (Coin(20)) l->add_include_locations("AllTrusted");
      if (Coin(50)) l->add_exclude_locations(Pick(kLocationIds));
      if (Coin(20)) l->add_exclude_locations("AllTrusted");
    }
    auto risks = [&](google::protobuf::RepeatedField<int>* out) {
      if (Coin(75)) return;
      out->Add(1 + Int(5));
      if (Coin()) out->Add(1 + Int(5));
    };
    risks(c->mutable_sign_in_risk_levels());
    risks(c->mutable_user_risk_levels());
    risks(c->mutable_service_principal_risk_levels());
    if (Coin(15))
      c->add_insider_risk_levels(static_cast<ca::InsiderRiskLevel>(1 + Int(3)));
    if (Coin(15)) {
      c->mutable_authentication_flows()->add_transfer_methods(
          static_cast<ca::TransferMethod>(1 + Int(2)));
    }
    if (Coin(25)) {
      ca::Filter* f = c->mutable_devices()->mutable_device_filter();
      f->set_mode(Coin() ? ca::FILTER_MODE_INCLUDE : ca::FILTER_MODE_EXCLUDE);
      f->set_rule(Pick(kRules));
    }

    if (Coin(85)) {
      ca::GrantControls* g = p.mutable_grant_controls();
      g->set_operator_(Coin() ? ca::GRANT_OPERATOR_AND : ca::GRANT_OPERATOR_OR);
      if (Coin(25)) {
        g->add_built_in_controls(ca::BUILT_IN_CONTROL_BLOCK);
      } else {
        int n = Int(3);
        for (int k = 0; k < n; ++k) {
          g->add_built_in_controls(static_cast<ca::BuiltInControl>(2 + Int(6)));
        }
        if (Coin(15)) g->add_terms_of_use(Coin() ? "tou-1" : "tou-2");
        if (Coin(15)) {
          g->mutable_authentication_strength()->set_id(
              Coin() ? "00000000-0000-0000-0000-000000000002"
                     : "00000000-0000-0000-0000-000000000004");
        }
      }
    }
    if (Coin(30)) {
      ca::SessionControls* s = p.mutable_session_controls();
      s->mutable_sign_in_frequency()->set_interval(
          Coin(30) ? ca::SignInFrequency::INTERVAL_EVERY_TIME
                   : ca::SignInFrequency::INTERVAL_TIME_BASED);
      s->mutable_sign_in_frequency()->set_hours(1 + Int(24));
      if (Coin())
        s->mutable_persistent_browser()->set_mode(
            Coin() ? ca::PersistentBrowser::MODE_ALWAYS
                   : ca::PersistentBrowser::MODE_NEVER);
      s->set_application_enforced_restrictions(Coin());
    }
    return p;
  }

  void Guests(ca::GuestsOrExternalUsers* g) {
    // An object without types (Graph's `none`) selects no user.
    if (Coin(10)) return;
    g->add_guest_or_external_user_types(
        static_cast<ca::ExternalUserType>(1 + Int(6)));
    if (Coin()) {
      g->add_guest_or_external_user_types(
          static_cast<ca::ExternalUserType>(1 + Int(6)));
    }
    if (Coin()) {
      g->set_all_external_tenants(true);
    } else {
      g->add_external_tenant_ids(Pick(kTenants));
    }
  }

  SignIn MakeSignIn() {
    SignIn s;
    if (Coin(10)) {
      s.identity = SignIn::Identity::kServicePrincipal;
      s.service_principal_id = Coin() ? "sp-1" : "sp-2";
      if (Coin())
        s.service_principal_risk = static_cast<ca::RiskLevel>(1 + Int(5));
    } else {
      s.user_id = Pick(kUsers);
      s.directory_known = Coin(75);
      if (s.directory_known) {
        s.user_type =
            Coin(25) ? SignIn::UserType::kGuest : SignIn::UserType::kMember;
        if (Coin()) s.group_ids.push_back(Pick(kGroups));
        if (Coin(30)) s.group_ids.push_back(Pick(kGroups));
        if (Coin(20)) s.role_ids.push_back(Pick(kRoles));
        // A directory entry may lack `groups` or `roles`: unknown, not none.
        s.groups_known = Coin(85);
        s.roles_known = Coin(85);
      }
      if (Coin(20)) {
        s.external_user_type = static_cast<ca::ExternalUserType>(Int(7));
        s.external_tenant_id = Pick(kTenants);
      }
    }
    int target = Int(10);
    if (target < 6) {
      s.target = SignIn::Target::kApplications;
      s.application_ids.push_back(Pick(kApps));
      if (Coin(10)) s.application_ids.push_back(Pick(kApps));
    } else if (target < 7) {
      s.target = SignIn::Target::kUserAction;
      s.user_action = Coin() ? SignIn::UserAction::kRegisterSecurityInformation
                             : SignIn::UserAction::kRegisterOrJoinDevices;
    } else if (target < 8) {
      s.target = SignIn::Target::kAuthenticationContext;
      s.authentication_context = Coin() ? "c1" : "C2";
    }
    if (Coin(70)) s.client_app_type = static_cast<ca::ClientAppType>(Int(6));
    if (Coin(70)) s.device_platform = static_cast<ca::DevicePlatform>(Int(8));
    if (Coin(70)) {
      const char* addresses[] = {
          "192.0.2.1",     "192.0.2.100",   "203.0.113.7",     "198.51.100.3",
          "2001:db8:1::5", "2001:db8:2::5", "::ffff:192.0.2.1",
          "::ffff:203.0.113.7", "::1"};
      s.ip_address = *net::IpAddress::Parse(Pick(addresses));
    }
    if (Coin(70)) s.country = Coin(20) ? std::string() : Pick(kCountries);
    if (Coin(70)) s.sign_in_risk = static_cast<ca::RiskLevel>(1 + Int(5));
    if (Coin(70)) s.user_risk = static_cast<ca::RiskLevel>(1 + Int(5));
    if (Coin(50)) s.insider_risk = static_cast<ca::InsiderRiskLevel>(Int(4));
    if (Coin(50)) {
      s.authentication_flow = static_cast<ca::TransferMethod>(Int(3));
    }
    if (Coin(70)) {
      s.device.emplace();
      if (Coin(80)) {
        s.device->Set(DeviceProperty::kTrustType,
                      Coin() ? "AzureAD" : "ServerAD");
        s.device->Set(DeviceProperty::kIsCompliant, Coin() ? "True" : "False");
        if (Coin()) s.device->Set(DeviceProperty::kExtensionAttribute1, "SAW");
        if (Coin()) s.device->Add(DeviceProperty::kSystemLabels, "CloudPC");
        if (s.device->Get(DeviceProperty::kExtensionAttribute1) == nullptr && Coin()) {
          s.device->SetNull(DeviceProperty::kExtensionAttribute1);
        }
      }
      // As ParseWhatIfRequest() reads it: properties left out are unknown.
      s.device->set_unstated_unknown(Coin());
    }
    uint32_t controls = static_cast<uint32_t>(Int(256)) << 2;
    s.satisfied.built_in = controls;
    if (Coin(20)) s.satisfied.methods = MethodBit(AuthenticationMethod::kFido2);
    if (Coin(20)) s.satisfied.terms_of_use.push_back("TOU-1");
    return s;
  }

 private:
  std::mt19937 rng_;
};

void ExpectSame(const WhatIfResult& fast, const WhatIfResult& slow,
                const std::vector<ca::Policy>& policies) {
  ASSERT_EQ(fast.policies.size(), slow.policies.size());
  for (size_t i = 0; i < fast.policies.size(); ++i) {
    const PolicyResult& a = fast.policies[i];
    const PolicyResult& b = slow.policies[i];
    SCOPED_TRACE(policies[i].ShortDebugString());
    for (int c = 0; c < kConditionCount; ++c) {
      EXPECT_EQ(a.conditions[c], b.conditions[c]) << "condition " << c;
    }
    EXPECT_EQ(a.applies, b.applies);
    EXPECT_EQ(a.reasons, b.reasons);
    EXPECT_EQ(a.first_reason, b.first_reason);
    EXPECT_EQ(a.grant.outcome, b.grant.outcome);
    EXPECT_EQ(a.ResultName(), b.ResultName());
  }
  EXPECT_EQ(fast.outcome, slow.outcome);
  EXPECT_EQ(fast.blocking_policy, slow.blocking_policy);
  EXPECT_EQ(fast.requirements, slow.requirements);
  EXPECT_EQ(fast.session_controls.SerializeAsString(),
            slow.session_controls.SerializeAsString());
}

TEST(CaDifferentialTest, CompiledMatchesReference) {
  const absl::Time now = absl::FromUnixSeconds(1780000000);
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    Generator gen(seed);
    auto locations = std::make_shared<const NamedLocationSet>(gen.Locations());
    std::vector<ca::Policy> policies;
    // Every 25th seed compiles more than 256 policies, so that the masks
    // keep their words on the heap instead of in the mask object.
    int count = seed % 25 == 0 ? 257 + gen.Int(150) : 1 + gen.Int(70);
    for (int i = 0; i < count; ++i) policies.push_back(gen.Policy(i));
    absl::StatusOr<ConditionalAccessPolicySet> set =
        ConditionalAccessPolicySet::Compile(policies, locations);
    ASSERT_TRUE(set.ok()) << set.status();
    for (int n = 0; n < 20; ++n) {
      SignIn sign_in = gen.MakeSignIn();
      for (EvaluationMode mode :
           {EvaluationMode::kLenient, EvaluationMode::kStrict}) {
        SCOPED_TRACE(absl::StrCat("seed ", seed, " sign-in ", n, " mode ",
                                  mode == EvaluationMode::kStrict));
        WhatIfResult fast = set->Explain(sign_in, now, mode).value();
        WhatIfResult slow =
            ReferenceExplain(policies, locations.get(), sign_in, now, mode).value();
        ExpectSame(fast, slow, policies);
        EXPECT_EQ(set->Evaluate(sign_in, now, mode).value().outcome, fast.outcome);
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
}

// A block for all users with "All" or "None" in excludeUsers. Both
// evaluators read the excluded text as an id, in any case, so the policy
// skips only a sign-in of that id.
TEST(CaDifferentialTest, KeywordsInExcludeUsersAreIds) {
  const absl::Time now = absl::FromUnixSeconds(1780000000);
  for (const char* excluded : {"All", "None"}) {
    ca::Policy policy;
    policy.set_id("p");
    policy.set_state(ca::POLICY_STATE_ENABLED);
    ca::UserCondition* users = policy.mutable_conditions()->mutable_users();
    users->add_include_users("All");
    users->add_exclude_users(excluded);
    policy.mutable_conditions()->mutable_applications()->add_include_applications("All");
    policy.mutable_grant_controls()->set_operator_(ca::GRANT_OPERATOR_OR);
    policy.mutable_grant_controls()->add_built_in_controls(ca::BUILT_IN_CONTROL_BLOCK);
    const std::vector<ca::Policy> policies = {policy};
    absl::StatusOr<ConditionalAccessPolicySet> set =
        ConditionalAccessPolicySet::Compile(policies, nullptr);
    ASSERT_TRUE(set.ok()) << set.status();
    const std::string lower = absl::AsciiStrToLower(excluded);
    for (const std::string& user : {std::string(excluded), lower, std::string("u-1")}) {
      SignIn sign_in;
      sign_in.user_id = user;
      sign_in.target = SignIn::Target::kApplications;
      sign_in.application_ids = {"app-1"};
      SCOPED_TRACE(absl::StrCat("excludeUsers ", excluded, ", user ", user));
      WhatIfResult fast = set->Explain(sign_in, now, EvaluationMode::kStrict).value();
      WhatIfResult slow =
          ReferenceExplain(policies, nullptr, sign_in, now, EvaluationMode::kStrict).value();
      ExpectSame(fast, slow, policies);
      ASSERT_EQ(fast.policies.size(), 1u);
      EXPECT_EQ(fast.policies[0].applies, user == "u-1");
    }
  }
}

// A block inside work hours that cover the whole week. Both evaluators
// block at finite instants, including one far outside any precomputed
// range, and both fail at the infinite ones rather than skip the block.
TEST(CaDifferentialTest, NonFiniteInstantFailsInBoth) {
  absl::StatusOr<std::vector<ImportedPolicy>> imported = ImportPolicies(R"({
      "id": "11111111-1111-4111-8111-111111111111", "displayName": "block",
      "state": "enabled", "conditions": {"clientAppTypes": ["all"],
        "applications": {"includeApplications": ["All"]},
        "users": {"includeUsers": ["All"]},
        "x-portcullis-schedule": {"mode": "include", "workHours": {"timeZone": "UTC",
          "weekly": [{"days": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
                      "start": "00:00", "end": "24:00"}]}}},
      "grantControls": {"operator": "OR", "builtInControls": ["block"]}})",
                                                                 "block.json");
  ASSERT_TRUE(imported.ok()) << imported.status();
  const std::vector<ca::Policy> policies = {(*imported)[0].policy};
  CompileOptions options;
  options.schedule_from = absl::FromUnixSeconds(1780000000);
  options.schedule_to = options.schedule_from + absl::Hours(24 * 8);
  absl::StatusOr<ConditionalAccessPolicySet> set =
      ConditionalAccessPolicySet::Compile(policies, nullptr, options);
  ASSERT_TRUE(set.ok()) << set.status();
  SignIn sign_in;
  sign_in.user_id = "u-1";
  sign_in.target = SignIn::Target::kApplications;
  sign_in.application_ids = {"app-1"};

  const absl::Time finite[] = {
      options.schedule_from + absl::Hours(1),
      absl::FromCivil(absl::CivilSecond(9999, 12, 31, 23, 59, 59), absl::UTCTimeZone()),
      absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), absl::UTCTimeZone()),
  };
  for (EvaluationMode mode : {EvaluationMode::kLenient, EvaluationMode::kStrict}) {
    for (absl::Time now : finite) {
      SCOPED_TRACE(absl::FormatTime(now));
      absl::StatusOr<WhatIfResult> fast = set->Explain(sign_in, now, mode);
      absl::StatusOr<WhatIfResult> slow =
          ReferenceExplain(policies, nullptr, sign_in, now, mode, options);
      ASSERT_TRUE(fast.ok()) << fast.status();
      ASSERT_TRUE(slow.ok()) << slow.status();
      ExpectSame(*fast, *slow, policies);
      EXPECT_EQ(fast->outcome, Outcome::kBlock);
    }
    for (absl::Time now : {absl::InfiniteFuture(), absl::InfinitePast()}) {
      SCOPED_TRACE(absl::FormatTime(now));
      absl::StatusOr<WhatIfResult> fast = set->Explain(sign_in, now, mode);
      absl::StatusOr<WhatIfResult> slow =
          ReferenceExplain(policies, nullptr, sign_in, now, mode, options);
      EXPECT_EQ(fast.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(slow.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(set->Evaluate(sign_in, now, mode).status().code(),
                absl::StatusCode::kInvalidArgument);
    }
  }
}

// The segment index against per-location PrefixSet lookups, on overlapping
// random ranges of both families.
TEST(CaDifferentialTest, LocationIndexMatchesPrefixSets) {
  std::mt19937 rng(7);
  std::vector<ca::NamedLocation> protos;
  for (int l = 0; l < 12; ++l) {
    ca::NamedLocation location;
    location.set_id(absl::StrCat("l", l));
    for (int r = 0; r < 30; ++r) {
      uint32_t base = 0xC0000200u + (rng() % 512);  // around 192.0.2.0
      int length = 22 + static_cast<int>(rng() % 11);
      location.mutable_ip()->add_cidr_ranges(
          absl::StrCat(net::IpAddress::V4(base).ToString(), "/", length));
      location.mutable_ip()->add_cidr_ranges(absl::StrCat(
          "2001:db8::", absl::Hex(rng() % 4096), "/", 116 + rng() % 13));
    }
    if (l == 3) location.mutable_ip()->add_cidr_ranges("0.0.0.0/0");
    if (l == 5) location.mutable_ip()->add_cidr_ranges("255.255.255.255/32");
    if (l == 7) location.mutable_ip()->add_cidr_ranges("::ffff:192.0.2.128/121");
    if (l == 8) location.mutable_ip()->add_cidr_ranges("::/80");
    protos.push_back(location);
  }
  absl::StatusOr<NamedLocationSet> set = NamedLocationSet::Create(protos);
  ASSERT_TRUE(set.ok()) << set.status();
  std::vector<net::IpAddress> probes = {
      net::IpAddress::V4(0), net::IpAddress::V4(0xFFFFFFFFu),
      *net::IpAddress::Parse("::"),
      *net::IpAddress::Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")};
  for (int i = 0; i < 20000; ++i) {
    uint32_t v4 = 0xC0000000u + (rng() % 4096);
    probes.push_back(net::IpAddress::V4(v4));
    probes.push_back(net::IpAddress::V6((absl::uint128(0xffff) << 32) | v4));
    probes.push_back(*net::IpAddress::Parse(
        absl::StrCat("2001:db8::", absl::Hex(rng() % 8192))));
  }
  for (const net::IpAddress& address : probes) {
    std::vector<int> expected;
    for (int l = 0; l < static_cast<int>(protos.size()); ++l) {
      if (set->IpLocationContains(l, address)) expected.push_back(l);
    }
    EXPECT_EQ(set->ip_index().Members(set->ip_index().Lookup(address)),
              expected)
        << address.ToString();
  }
}

}  // namespace
}  // namespace portcullis::access
