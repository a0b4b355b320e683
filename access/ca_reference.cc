#include "access/ca_reference.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "access/ca_app_groups.h"
#include "access/ca_controls.h"
#include "schedule/rfc3339.h"
#include "schedule/work_hours.h"

namespace portcullis::access {
namespace {

using Ids = google::protobuf::RepeatedPtrField<std::string>;
using Enums = google::protobuf::RepeatedField<int>;

bool Listed(const Ids& list, absl::string_view id) {
  for (const std::string& item : list) {
    if (absl::EqualsIgnoreCase(item, id)) return true;
  }
  return false;
}

bool AnyListed(const Ids& list, const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    if (Listed(list, id)) return true;
  }
  return false;
}

bool Has(const Enums& list, int value) {
  for (int item : list) {
    if (item == value) return true;
  }
  return false;
}

bool InGroup(absl::Span<const absl::string_view> group,
             const std::vector<std::string>& extra, absl::string_view app) {
  for (absl::string_view id : group) {
    if (absl::EqualsIgnoreCase(id, app)) return true;
  }
  for (const std::string& id : extra) {
    if (absl::EqualsIgnoreCase(id, app)) return true;
  }
  return false;
}

Tri GuestMatch(const ca::GuestsOrExternalUsers* spec, const SignIn& s) {
  // A guests object that selects no type (Graph's `none`) matches no user.
  if (spec != nullptr && spec->guest_or_external_user_types().empty()) {
    return Tri::kFalse;
  }
  std::optional<uint32_t> possible = PossibleExternalUserTypes(s);
  if (!possible.has_value()) return Tri::kUnknown;
  // The legacy token (spec == nullptr) selects every type, in every tenant.
  uint32_t selected = 0;
  for (int type = ca::EXTERNAL_USER_TYPE_INTERNAL_GUEST;
       type <= ca::EXTERNAL_USER_TYPE_SERVICE_PROVIDER; ++type) {
    auto kind = static_cast<ca::ExternalUserType>(type);
    if (spec == nullptr || Has(spec->guest_or_external_user_types(), kind)) {
      selected |= ExternalUserTypeBit(kind);
    }
  }
  if ((*possible & selected) == 0) return Tri::kFalse;
  bool tenant = spec == nullptr || spec->all_external_tenants() ||
                Listed(spec->external_tenant_ids(), s.external_tenant_id);
  if (!tenant) return Tri::kFalse;
  return (*possible & ~selected) == 0 ? Tri::kTrue : Tri::kUnknown;
}

Tri UsersSide(const ca::UserCondition& users, const SignIn& s, bool exclude) {
  const Ids& user_ids = exclude ? users.exclude_users() : users.include_users();
  const Ids& groups = exclude ? users.exclude_groups() : users.include_groups();
  const Ids& roles = exclude ? users.exclude_roles() : users.include_roles();
  Tri result = Tri::kFalse;
  for (const std::string& id : user_ids) {
    // All and None are keywords only in includeUsers. Graph's excludeUsers
    // takes ids and GuestsOrExternalUsers, so there they are plain ids.
    if (!exclude && (id == "All" || id == "None")) {
      if (id == "All") result = Tri::kTrue;
    } else if (id == "GuestsOrExternalUsers") {
      result = Or(result, GuestMatch(nullptr, s));
    } else if (!s.user_id.empty() && absl::EqualsIgnoreCase(id, s.user_id)) {
      result = Tri::kTrue;
    }
  }
  if (!groups.empty() || !roles.empty()) {
    if (!s.directory_known) {
      result = Or(result, Tri::kUnknown);
    } else {
      if (!roles.empty()) {
        result = Or(result, RoleMembershipKnown(s)
                                ? ToTri(AnyListed(roles, s.role_ids))
                                : Tri::kUnknown);
      }
      if (!groups.empty()) {
        result = Or(result, GroupMembershipKnown(s)
                                ? ToTri(AnyListed(groups, s.group_ids))
                                : Tri::kUnknown);
      }
    }
  }
  bool has_guests = exclude ? users.has_exclude_guests_or_external_users()
                            : users.has_include_guests_or_external_users();
  if (has_guests) {
    result = Or(result,
                GuestMatch(exclude ? &users.exclude_guests_or_external_users()
                                   : &users.include_guests_or_external_users(),
                           s));
  }
  return result;
}

Tri Identity(const ca::Policy& policy, const SignIn& s) {
  const ca::Conditions& c = policy.conditions();
  if (s.identity == SignIn::Identity::kServicePrincipal) {
    if (!c.has_client_applications()) return Tri::kFalse;
    const ca::ClientApplicationCondition& sp = c.client_applications();
    bool in = Listed(sp.include_service_principals(),
                     "ServicePrincipalsInMyTenant") ||
              (!s.service_principal_id.empty() &&
               Listed(sp.include_service_principals(), s.service_principal_id));
    if (!s.service_principal_id.empty() &&
        Listed(sp.exclude_service_principals(), s.service_principal_id)) {
      in = false;
    }
    Tri result = ToTri(in);
    if (sp.has_service_principal_filter()) result = And(result, Tri::kUnknown);
    return result;
  }
  if (!c.has_users()) return Tri::kFalse;
  return And(UsersSide(c.users(), s, false),
             Not(UsersSide(c.users(), s, true)));
}

Tri AppMatches(const ca::ApplicationCondition& apps, absl::string_view app,
               const CompileOptions& options) {
  auto member = [&](const Ids& list) {
    return Listed(list, app) ||
           (Listed(list, "Office365") &&
            InGroup(Office365AppIds(), options.extra_office365_app_ids, app)) ||
           (Listed(list, "MicrosoftAdminPortals") &&
            InGroup(AdminPortalAppIds(), {}, app));
  };
  bool included = Listed(apps.include_applications(), "All") ||
                  member(apps.include_applications());
  bool excluded = member(apps.exclude_applications());
  return ToTri(included && !excluded);
}

Tri Target(const ca::Policy& policy, const SignIn& s,
           const CompileOptions& options) {
  if (!policy.conditions().has_applications()) return Tri::kFalse;
  const ca::ApplicationCondition& apps = policy.conditions().applications();
  Tri filter = apps.has_application_filter() ? Tri::kUnknown : Tri::kTrue;
  bool all = Listed(apps.include_applications(), "All");

  if (s.target == SignIn::Target::kUserAction) {
    bool security =
        s.user_action == SignIn::UserAction::kRegisterSecurityInformation;
    return ToTri(Listed(apps.include_user_actions(),
                        security ? "urn:user:registersecurityinfo"
                                 : "urn:user:registerdevice") ||
                 (security && all));
  }
  if (s.target == SignIn::Target::kAuthenticationContext) {
    return ToTri(Listed(apps.include_authentication_context_class_references(),
                        s.authentication_context));
  }
  if (s.target == SignIn::Target::kApplications && !s.application_ids.empty()) {
    Tri any = Tri::kFalse;
    for (const std::string& app : s.application_ids) {
      any = Or(any, AppMatches(apps, app, options));
    }
    return And(any, filter);
  }

  // The target is not supplied: only "All" without exclusions or filter is
  // certain; anything else the policy targets might be the one.
  bool targets_something = false;
  for (const std::string& id : apps.include_applications()) {
    if (id != "None") targets_something = true;
  }
  targets_something =
      targets_something || !apps.include_user_actions().empty() ||
      !apps.include_authentication_context_class_references().empty();
  if (all && apps.exclude_applications().empty()) return filter;
  return targets_something ? Tri::kUnknown : Tri::kFalse;
}

Tri Platform(const ca::Conditions& c, const SignIn& s) {
  if (!c.has_platforms()) return Tri::kTrue;
  const ca::PlatformCondition& p = c.platforms();
  bool include_all = Has(p.include_platforms(), ca::DEVICE_PLATFORM_ALL);
  bool exclude_all = Has(p.exclude_platforms(), ca::DEVICE_PLATFORM_ALL);
  if (!s.device_platform.has_value() ||
      *s.device_platform == ca::DEVICE_PLATFORM_ALL) {
    return include_all && p.exclude_platforms().empty() ? Tri::kTrue
                                                        : Tri::kUnknown;
  }
  int value = *s.device_platform;
  bool known = value != ca::DEVICE_PLATFORM_UNSPECIFIED;
  bool included = include_all || (known && Has(p.include_platforms(), value));
  bool excluded = exclude_all || (known && Has(p.exclude_platforms(), value));
  return ToTri(included && !excluded);
}

Tri Devices(const ca::Conditions& c, const SignIn& s,
            const CompileOptions& options, bool* invalid) {
  if (!c.has_devices() || !c.devices().has_device_filter()) return Tri::kTrue;
  if (!s.device.has_value()) return Tri::kUnknown;
  absl::StatusOr<DeviceFilter> filter = DeviceFilter::Parse(
      c.devices().device_filter().rule(), options.device_filter);
  if (!filter.ok()) {
    *invalid = true;
    return Tri::kFalse;
  }
  bool depends_on_unknown = false;
  Tri rule = filter->Evaluate(*s.device, &depends_on_unknown);
  if (depends_on_unknown) return Tri::kUnknown;
  bool exclude = c.devices().device_filter().mode() == ca::FILTER_MODE_EXCLUDE;
  if (rule == Tri::kUnknown) return Tri::kFalse;
  return exclude ? Not(rule) : rule;
}

Tri ClientApps(const ca::Conditions& c, const SignIn& s) {
  if (c.client_app_types().empty() ||
      Has(c.client_app_types(), ca::CLIENT_APP_TYPE_ALL)) {
    return Tri::kTrue;
  }
  if (!s.client_app_type.has_value() ||
      *s.client_app_type == ca::CLIENT_APP_TYPE_ALL) {
    return Tri::kUnknown;
  }
  return ToTri(Has(c.client_app_types(), *s.client_app_type));
}

// Whether the sign-in is in the named location at `index`.
Tri InLocation(const NamedLocationSet& locations, int index, const SignIn& s) {
  const NamedLocationSet::Location& l = locations.locations()[index];
  switch (l.kind) {
    case NamedLocationSet::Location::Kind::kIp:
      if (!s.ip_address.has_value()) return Tri::kUnknown;
      // An IPv4-mapped address is the IPv4 host it stands for.
      return ToTri(locations.IpLocationContains(index, s.ip_address->Unmap()));
    case NamedLocationSet::Location::Kind::kCountry: {
      if (!s.country.has_value()) return Tri::kUnknown;
      bool letters =
          s.country->size() == 2 &&
          absl::ascii_isalpha(static_cast<unsigned char>((*s.country)[0])) &&
          absl::ascii_isalpha(static_cast<unsigned char>((*s.country)[1]));
      if (!letters) return ToTri(l.include_unknown_countries);
      for (const std::string& code : l.countries) {
        if (absl::EqualsIgnoreCase(code, *s.country)) return Tri::kTrue;
      }
      return Tri::kFalse;
    }
    case NamedLocationSet::Location::Kind::kUnsupported:
      return Tri::kUnknown;
  }
  return Tri::kUnknown;
}

Tri LocationRef(const NamedLocationSet* locations, const std::string& ref,
                const SignIn& s) {
  if (ref == "All") return Tri::kTrue;
  if (locations == nullptr) return Tri::kUnknown;
  if (ref == "AllTrusted") {
    Tri any = Tri::kFalse;
    for (size_t l = 0; l < locations->locations().size(); ++l) {
      const NamedLocationSet::Location& location = locations->locations()[l];
      if (location.kind == NamedLocationSet::Location::Kind::kIp &&
          location.trusted) {
        any = Or(any, InLocation(*locations, static_cast<int>(l), s));
      }
    }
    return any;
  }
  int index = locations->Find(ref);
  if (index < 0) return Tri::kUnknown;
  return InLocation(*locations, index, s);
}

Tri Location(const ca::Conditions& c, const NamedLocationSet* locations,
             const SignIn& s) {
  if (!c.has_locations()) return Tri::kTrue;
  Tri include = Tri::kFalse;
  for (const std::string& ref : c.locations().include_locations()) {
    include = Or(include, LocationRef(locations, ref, s));
  }
  Tri exclude = Tri::kFalse;
  for (const std::string& ref : c.locations().exclude_locations()) {
    exclude = Or(exclude, LocationRef(locations, ref, s));
  }
  return And(include, Not(exclude));
}

template <typename Value>
Tri Level(const Enums& levels, const std::optional<Value>& value) {
  if (levels.empty()) return Tri::kTrue;
  if (!value.has_value()) return Tri::kUnknown;
  return ToTri(Has(levels, *value));
}

Tri Flow(const ca::Conditions& c, const SignIn& s) {
  if (!c.has_authentication_flows()) return Tri::kTrue;
  return Level(c.authentication_flows().transfer_methods(),
               s.authentication_flow);
}

// Fails when the schedule cannot be expanded around `now`, naming the
// policy, so that a failure never reads as "outside the schedule".
absl::StatusOr<Tri> Time(const ca::Policy& policy, absl::Time now,
                         bool* invalid) {
  const ca::Conditions& c = policy.conditions();
  if (!c.has_schedule()) return Tri::kTrue;
  absl::StatusOr<schedule::WorkHours> hours =
      schedule::WorkHours::FromJsonValue(c.schedule().work_hours());
  if (!hours.ok()) {
    *invalid = true;
    return Tri::kFalse;
  }
  absl::StatusOr<schedule::IntervalSet> windows =
      hours->Expand(now - absl::Hours(24 * 8), now + absl::Seconds(1));
  if (!windows.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "policy \"", policy.id(), "\": the work hours around ",
        schedule::FormatRfc3339(now), " could not be expanded: ",
        windows.status().message()));
  }
  bool exclude = c.schedule().mode() == ca::FILTER_MODE_EXCLUDE;
  return ToTri(windows->Contains(now) != exclude);
}

}  // namespace

absl::StatusOr<WhatIfResult> ReferenceExplain(
    const std::vector<ca::Policy>& policies, const NamedLocationSet* locations,
    const SignIn& s, absl::Time now, EvaluationMode mode,
    const CompileOptions& options) {
  if (absl::Status finite = schedule::CheckFinite("now", now); !finite.ok()) {
    return finite;
  }
  WhatIfResult result;
  for (size_t index = 0; index < policies.size(); ++index) {
    const ca::Policy& policy = policies[index];
    const ca::Conditions& c = policy.conditions();
    PolicyResult p;
    p.policy = static_cast<int>(index);
    p.enabled = policy.state() == ca::POLICY_STATE_ENABLED ||
                policy.state() == ca::POLICY_STATE_REPORT_ONLY;
    p.report_only = policy.state() == ca::POLICY_STATE_REPORT_ONLY;

    bool invalid = false;
    absl::StatusOr<Tri> time = Time(policy, now, &invalid);
    if (!time.ok()) return time.status();
    p.conditions = {
        Identity(policy, s),
        Target(policy, s, options),
        Platform(c, s),
        Devices(c, s, options, &invalid),
        ClientApps(c, s),
        Location(c, locations, s),
        Level(c.sign_in_risk_levels(), s.sign_in_risk),
        Level(c.user_risk_levels(), s.user_risk),
        s.identity == SignIn::Identity::kUser
            ? Tri::kTrue
            : Level(c.service_principal_risk_levels(),
                    s.service_principal_risk),
        Level(c.insider_risk_levels(), s.insider_risk),
        Flow(c, s),
        *time,
    };

    if (!p.enabled) {
      p.reasons = uint32_t{1}
                  << static_cast<int>(WhatIfReason::kPolicyNotEnabled);
      p.first_reason = WhatIfReason::kPolicyNotEnabled;
    } else if (invalid) {
      p.reasons = uint32_t{1} << static_cast<int>(WhatIfReason::kInvalidPolicy);
      p.first_reason = WhatIfReason::kInvalidPolicy;
    } else {
      bool first = true;
      for (int i = 0; i < kConditionCount; ++i) {
        WhatIfReason reason;
        if (p.conditions[i] == Tri::kFalse) {
          reason = ReasonFor(static_cast<Condition>(i), s);
        } else if (p.conditions[i] == Tri::kUnknown &&
                   mode == EvaluationMode::kStrict) {
          reason = WhatIfReason::kNotEnoughInformation;
        } else {
          continue;
        }
        p.reasons |= uint32_t{1} << static_cast<int>(reason);
        if (first) p.first_reason = reason;
        first = false;
      }
      p.applies = first;
      if (p.applies) {
        p.reasons = 1;
        CompiledGrant grant =
            policy.has_grant_controls()
                ? CompiledGrant::Create(policy.grant_controls(), nullptr)
                : CompiledGrant();
        p.grant = EvaluateGrant(grant, s.satisfied);
        if (!p.report_only) {
          if (policy.has_session_controls()) {
            MergeSessionControls(policy.session_controls(),
                                 &result.session_controls);
          }
          if (p.grant.outcome == GrantResult::Outcome::kBlock &&
              result.blocking_policy < 0) {
            result.blocking_policy = p.policy;
          }
          if (p.grant.outcome == GrantResult::Outcome::kUnmet) {
            for (std::string& name : UnmetControlNames(grant, p.grant)) {
              result.requirements.push_back(std::move(name));
            }
          }
        }
      }
    }
    result.policies.push_back(p);
  }
  if (result.blocking_policy >= 0) {
    result.outcome = Outcome::kBlock;
    result.requirements.clear();
  } else if (!result.requirements.empty()) {
    result.outcome = Outcome::kRequirements;
    SortByPromptOrder(result.requirements);
  }
  return result;
}

}  // namespace portcullis::access
