#include "access/conditional_access.h"

#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "access/ca_app_groups.h"
#include "access/internal/ca_id_table.h"
#include "access/internal/ca_policy_mask.h"
#include "schedule/rfc3339.h"
#include "schedule/work_hours.h"

namespace portcullis::access {
namespace internal {

struct IdMasks {
  PolicyMask include;
  PolicyMask exclude;
};

struct GuestSpec {
  int policy = 0;
  bool exclude = false;
  uint32_t types = 0;  // ExternalUserTypeBit() bits
  bool all_tenants = true;
  std::vector<std::string> tenants;
};

struct DeviceFilterSpec {
  int policy = 0;
  int filter = 0;  // index into CompiledPolicies::filters
  bool exclude = false;
};

struct ScheduleSpec {
  int policy = 0;
  schedule::WorkHours hours;
  bool exclude = false;
  schedule::IntervalSet precomputed;
  absl::Time from;
  absl::Time to;
};

// Number of risk levels, platforms and client app types, indexed by their
// proto enum values.
constexpr int kRiskSlots = 6;
constexpr int kPlatformSlots = 8;
constexpr int kClientSlots = 6;
constexpr int kInsiderSlots = 4;
constexpr int kFlowSlots = 3;
constexpr int kCountrySlots = 26 * 26 + 1;  // the last one: unknown country

// Everything Compile() derives from the policies. Each `*_match` array
// contains, per value of a sign-in fact, the policies whose condition that
// value satisfies. Each `*_unsupplied` mask contains the policies whose
// condition is true whatever the fact is.
struct CompiledPolicies {
  size_t words = 0;
  std::vector<ca::Policy> policies;
  std::vector<CompiledGrant> grants;
  std::shared_ptr<const NamedLocationSet> locations;
  std::vector<std::string> warnings;

  PolicyMask valid, enabled, enforced, blocking;

  // Users.
  PolicyMask user_targeted, user_all;
  // Policies that include (exclude) groups, whose user condition is unknown
  // when the user's groups are.
  PolicyMask group_include, group_exclude;
  // The same for roles, when the user's roles are unknown.
  PolicyMask role_include, role_exclude;
  IdTable<IdMasks> users, groups, roles;
  std::vector<GuestSpec> guests;

  // Workload identities.
  PolicyMask sp_targeted, sp_all, sp_filter;
  IdTable<IdMasks> service_principals;

  // Target resources.
  PolicyMask app_all, app_targets_any, app_has_exclusions, app_filter;
  IdTable<IdMasks> apps;
  PolicyMask action_security_info, action_register_device;
  IdTable<IdMasks> auth_contexts;

  std::array<PolicyMask, kPlatformSlots> platform_match;
  PolicyMask platform_unsupplied;
  std::array<PolicyMask, kClientSlots> client_match;
  PolicyMask client_unsupplied;

  // Distinct rules, each evaluated once per sign-in.
  std::vector<DeviceFilter> filters;
  absl::flat_hash_map<std::string, int> filter_by_rule;
  std::vector<DeviceFilterSpec> device_filters;
  PolicyMask has_device_filter;

  // Locations.
  PolicyMask no_location, location_include_all, location_exclude_all;
  PolicyMask location_include_unknown, location_exclude_unknown;
  PolicyMask include_any_ip, exclude_any_ip;
  PolicyMask include_any_country, exclude_any_country;
  std::vector<IdMasks> by_location;  // per named location
  std::vector<IdMasks> by_ip_set;    // per LocationIndex set id
  std::vector<IdMasks> by_country;   // per country slot

  std::array<PolicyMask, kRiskSlots> sign_in_risk_match, user_risk_match,
      sp_risk_match;
  PolicyMask sign_in_risk_unsupplied, user_risk_unsupplied, sp_risk_unsupplied;
  std::array<PolicyMask, kInsiderSlots> insider_match;
  PolicyMask insider_unsupplied;
  std::array<PolicyMask, kFlowSlots> flow_match;
  PolicyMask flow_unsupplied;

  std::vector<ScheduleSpec> schedules;
  PolicyMask has_schedule;
};

}  // namespace internal

namespace {

using internal::CompiledPolicies;
using internal::IdMasks;
using internal::PolicyMask;
using internal::TriMask;

// Builds what the legacy token GuestsOrExternalUsers in includeUsers or
// excludeUsers selects: every guest and external type, in every tenant.
ca::GuestsOrExternalUsers LegacyGuestsToken() {
  ca::GuestsOrExternalUsers guests;
  for (int type = ca::EXTERNAL_USER_TYPE_INTERNAL_GUEST;
       type <= ca::EXTERNAL_USER_TYPE_SERVICE_PROVIDER; ++type) {
    guests.add_guest_or_external_user_types(static_cast<ca::ExternalUserType>(type));
  }
  guests.set_all_external_tenants(true);
  return guests;
}

constexpr absl::string_view kReasonNames[] = {
    "notSet",
    "notEnoughInformation",
    "invalidCondition",
    "users",
    "workloadIdentities",
    "application",
    "userActions",
    "authenticationContext",
    "devicePlatform",
    "devices",
    "clientApps",
    "location",
    "signInRisk",
    "emptyPolicy",
    "invalidPolicy",
    "policyNotEnabled",
    "userRisk",
    "time",
    "insiderRisk",
    "authenticationFlow",
};

// A compiler of one policy set: fills CompiledPolicies policy by policy.
class Compiler {
 public:
  Compiler(CompiledPolicies& data, const CompileOptions& options)
      : d_(data), options_(options) {}

  absl::Status Run();

 private:
  PolicyMask Empty() const { return PolicyMask(d_.words); }
  IdMasks& Entry(internal::IdTable<IdMasks>& table, absl::string_view id) {
    auto it = table.find(id);
    if (it != table.end()) return it->second;
    return table.emplace(std::string(id), IdMasks{Empty(), Empty()})
        .first->second;
  }
  void Warn(int policy, std::string message) {
    d_.warnings.push_back(
        absl::StrCat("policy \"", d_.policies[policy].id(), "\": ", message));
  }

  void CompileUsers(int i, const ca::UserCondition& users);
  void CompileGuests(int i, const ca::GuestsOrExternalUsers& guests,
                     bool exclude);
  void CompileWorkloads(int i, const ca::ClientApplicationCondition& sp);
  void CompileApplications(int i, const ca::ApplicationCondition& apps);
  void CompilePlatforms(int i, const ca::Conditions& conditions);
  void CompileClientApps(int i, const ca::Conditions& conditions);
  absl::Status CompileDevices(int i, const ca::Conditions& conditions);
  void CompileLocations(int i, const ca::Conditions& conditions);
  void CompileLocationRef(int i, const std::string& ref, bool exclude);
  void CompileRisks(int i, const ca::Conditions& conditions);
  absl::Status CompileSchedule(int i, const ca::Conditions& conditions);
  void FinishLocations();

  CompiledPolicies& d_;
  const CompileOptions& options_;
  std::vector<std::string> office365_;
};

absl::Status Compiler::Run() {
  size_t count = d_.policies.size();
  d_.words = (count + 63) / 64;
  for (PolicyMask* mask : {&d_.valid,
                           &d_.enabled,
                           &d_.enforced,
                           &d_.blocking,
                           &d_.user_targeted,
                           &d_.user_all,
                           &d_.group_include,
                           &d_.group_exclude,
                           &d_.role_include,
                           &d_.role_exclude,
                           &d_.sp_targeted,
                           &d_.sp_all,
                           &d_.sp_filter,
                           &d_.app_all,
                           &d_.app_targets_any,
                           &d_.app_has_exclusions,
                           &d_.app_filter,
                           &d_.action_security_info,
                           &d_.action_register_device,
                           &d_.platform_unsupplied,
                           &d_.client_unsupplied,
                           &d_.has_device_filter,
                           &d_.no_location,
                           &d_.location_include_all,
                           &d_.location_exclude_all,
                           &d_.location_include_unknown,
                           &d_.location_exclude_unknown,
                           &d_.include_any_ip,
                           &d_.exclude_any_ip,
                           &d_.include_any_country,
                           &d_.exclude_any_country,
                           &d_.sign_in_risk_unsupplied,
                           &d_.user_risk_unsupplied,
                           &d_.sp_risk_unsupplied,
                           &d_.insider_unsupplied,
                           &d_.flow_unsupplied,
                           &d_.has_schedule}) {
    *mask = Empty();
  }
  for (auto* array :
       {&d_.sign_in_risk_match, &d_.user_risk_match, &d_.sp_risk_match}) {
    for (PolicyMask& mask : *array) mask = Empty();
  }
  for (PolicyMask& mask : d_.platform_match) mask = Empty();
  for (PolicyMask& mask : d_.client_match) mask = Empty();
  for (PolicyMask& mask : d_.insider_match) mask = Empty();
  for (PolicyMask& mask : d_.flow_match) mask = Empty();
  size_t location_count =
      d_.locations == nullptr ? 0 : d_.locations->locations().size();
  d_.by_location.assign(location_count, IdMasks{Empty(), Empty()});

  for (absl::string_view id : Office365AppIds()) office365_.emplace_back(id);
  for (const std::string& id : options_.extra_office365_app_ids) {
    office365_.push_back(absl::AsciiStrToLower(id));
  }

  for (size_t index = 0; index < count; ++index) {
    int i = static_cast<int>(index);
    const ca::Policy& policy = d_.policies[index];
    d_.valid.Set(i);
    if (policy.state() == ca::POLICY_STATE_ENABLED) {
      d_.enabled.Set(i);
      d_.enforced.Set(i);
    } else if (policy.state() == ca::POLICY_STATE_REPORT_ONLY) {
      d_.enabled.Set(i);
    }

    std::vector<std::string> grant_warnings;
    d_.grants.push_back(
        policy.has_grant_controls()
            ? CompiledGrant::Create(policy.grant_controls(), &grant_warnings)
            : CompiledGrant());
    for (std::string& w : grant_warnings) Warn(i, std::move(w));
    if (d_.grants.back().block) d_.blocking.Set(i);

    const ca::Conditions& conditions = policy.conditions();
    if (conditions.has_users()) CompileUsers(i, conditions.users());
    if (conditions.has_client_applications()) {
      CompileWorkloads(i, conditions.client_applications());
    }
    if (conditions.has_applications()) {
      CompileApplications(i, conditions.applications());
    }
    CompilePlatforms(i, conditions);
    CompileClientApps(i, conditions);
    absl::Status status = CompileDevices(i, conditions);
    if (!status.ok()) return status;
    CompileLocations(i, conditions);
    CompileRisks(i, conditions);
    status = CompileSchedule(i, conditions);
    if (!status.ok()) return status;
  }
  FinishLocations();
  return absl::OkStatus();
}

void Compiler::CompileUsers(int i, const ca::UserCondition& users) {
  bool targeted = !users.include_users().empty() ||
                  !users.include_groups().empty() ||
                  !users.include_roles().empty() ||
                  users.has_include_guests_or_external_users();
  if (targeted) d_.user_targeted.Set(i);

  for (const std::string& id : users.include_users()) {
    if (id == "All") {
      d_.user_all.Set(i);
    } else if (id == "GuestsOrExternalUsers") {
      CompileGuests(i, LegacyGuestsToken(), /*exclude=*/false);
    } else if (id != "None") {
      Entry(d_.users, id).include.Set(i);
    }
  }
  for (const std::string& id : users.exclude_users()) {
    if (id == "GuestsOrExternalUsers") {
      CompileGuests(i, LegacyGuestsToken(), /*exclude=*/true);
    } else {
      Entry(d_.users, id).exclude.Set(i);
    }
  }
  for (const std::string& id : users.include_groups()) {
    Entry(d_.groups, id).include.Set(i);
  }
  for (const std::string& id : users.exclude_groups()) {
    Entry(d_.groups, id).exclude.Set(i);
  }
  for (const std::string& id : users.include_roles()) {
    Entry(d_.roles, id).include.Set(i);
  }
  for (const std::string& id : users.exclude_roles()) {
    Entry(d_.roles, id).exclude.Set(i);
  }
  if (!users.include_groups().empty()) d_.group_include.Set(i);
  if (!users.exclude_groups().empty()) d_.group_exclude.Set(i);
  if (!users.include_roles().empty()) d_.role_include.Set(i);
  if (!users.exclude_roles().empty()) d_.role_exclude.Set(i);
  if (users.has_include_guests_or_external_users()) {
    CompileGuests(i, users.include_guests_or_external_users(), false);
  }
  if (users.has_exclude_guests_or_external_users()) {
    CompileGuests(i, users.exclude_guests_or_external_users(), true);
  }
}

// An empty type list selects no user (Graph's `none`), so it adds nothing.
void Compiler::CompileGuests(int i, const ca::GuestsOrExternalUsers& guests,
                             bool exclude) {
  if (guests.guest_or_external_user_types().empty()) return;
  internal::GuestSpec spec;
  spec.policy = i;
  spec.exclude = exclude;
  for (int type : guests.guest_or_external_user_types()) {
    spec.types |= ExternalUserTypeBit(static_cast<ca::ExternalUserType>(type));
  }
  spec.all_tenants = guests.all_external_tenants();
  spec.tenants.assign(guests.external_tenant_ids().begin(),
                      guests.external_tenant_ids().end());
  d_.guests.push_back(std::move(spec));
}

void Compiler::CompileWorkloads(int i,
                                const ca::ClientApplicationCondition& sp) {
  if (!sp.include_service_principals().empty()) d_.sp_targeted.Set(i);
  for (const std::string& id : sp.include_service_principals()) {
    if (id == "ServicePrincipalsInMyTenant") {
      d_.sp_all.Set(i);
    } else {
      Entry(d_.service_principals, id).include.Set(i);
    }
  }
  for (const std::string& id : sp.exclude_service_principals()) {
    Entry(d_.service_principals, id).exclude.Set(i);
  }
  if (sp.has_service_principal_filter()) d_.sp_filter.Set(i);
}

void Compiler::CompileApplications(int i,
                                   const ca::ApplicationCondition& apps) {
  auto add_group = [&](absl::Span<const absl::string_view> members,
                       bool exclude) {
    for (absl::string_view id : members) {
      IdMasks& entry = Entry(d_.apps, id);
      (exclude ? entry.exclude : entry.include).Set(i);
    }
  };
  std::vector<absl::string_view> office365(office365_.begin(),
                                           office365_.end());
  for (bool exclude : {false, true}) {
    const auto& list =
        exclude ? apps.exclude_applications() : apps.include_applications();
    for (const std::string& id : list) {
      if (id == "All" && !exclude) {
        d_.app_all.Set(i);
        d_.app_targets_any.Set(i);
      } else if (id == "Office365") {
        add_group(office365, exclude);
        if (!exclude) d_.app_targets_any.Set(i);
      } else if (id == "MicrosoftAdminPortals") {
        add_group(AdminPortalAppIds(), exclude);
        if (!exclude) d_.app_targets_any.Set(i);
      } else if (id != "None") {
        IdMasks& entry = Entry(d_.apps, id);
        (exclude ? entry.exclude : entry.include).Set(i);
        if (!exclude) d_.app_targets_any.Set(i);
      }
    }
  }
  if (!apps.exclude_applications().empty()) d_.app_has_exclusions.Set(i);
  for (const std::string& action : apps.include_user_actions()) {
    if (action == "urn:user:registersecurityinfo") {
      d_.action_security_info.Set(i);
    } else if (action == "urn:user:registerdevice") {
      d_.action_register_device.Set(i);
    }
    d_.app_targets_any.Set(i);
  }
  for (const std::string& context :
       apps.include_authentication_context_class_references()) {
    Entry(d_.auth_contexts, context).include.Set(i);
    d_.app_targets_any.Set(i);
  }
  if (apps.has_application_filter()) d_.app_filter.Set(i);
}

void Compiler::CompilePlatforms(int i, const ca::Conditions& conditions) {
  if (!conditions.has_platforms()) {
    d_.platform_unsupplied.Set(i);
    for (PolicyMask& mask : d_.platform_match) mask.Set(i);
    return;
  }
  const ca::PlatformCondition& platforms = conditions.platforms();
  auto has = [](const google::protobuf::RepeatedField<int>& list, int value) {
    for (int item : list) {
      if (item == value) return true;
    }
    return false;
  };
  bool include_all =
      has(platforms.include_platforms(), ca::DEVICE_PLATFORM_ALL);
  bool exclude_all =
      has(platforms.exclude_platforms(), ca::DEVICE_PLATFORM_ALL);
  if (include_all && platforms.exclude_platforms().empty()) {
    d_.platform_unsupplied.Set(i);
  }
  for (int value = 0; value < internal::kPlatformSlots; ++value) {
    if (value == ca::DEVICE_PLATFORM_ALL) continue;
    bool specific = value != ca::DEVICE_PLATFORM_UNSPECIFIED;
    bool included =
        include_all || (specific && has(platforms.include_platforms(), value));
    bool excluded =
        exclude_all || (specific && has(platforms.exclude_platforms(), value));
    if (included && !excluded) d_.platform_match[value].Set(i);
  }
}

void Compiler::CompileClientApps(int i, const ca::Conditions& conditions) {
  bool all = conditions.client_app_types().empty();
  for (int type : conditions.client_app_types()) {
    if (type == ca::CLIENT_APP_TYPE_ALL) all = true;
  }
  if (all) {
    d_.client_unsupplied.Set(i);
    for (PolicyMask& mask : d_.client_match) mask.Set(i);
    return;
  }
  for (int type : conditions.client_app_types()) d_.client_match[type].Set(i);
}

absl::Status Compiler::CompileDevices(int i, const ca::Conditions& conditions) {
  if (!conditions.has_devices() || !conditions.devices().has_device_filter()) {
    return absl::OkStatus();
  }
  const ca::Filter& filter = conditions.devices().device_filter();
  bool exclude = filter.mode() == ca::FILTER_MODE_EXCLUDE;
  auto known = d_.filter_by_rule.find(filter.rule());
  if (known != d_.filter_by_rule.end()) {
    d_.device_filters.push_back(
        internal::DeviceFilterSpec{i, known->second, exclude});
    d_.has_device_filter.Set(i);
    return absl::OkStatus();
  }
  absl::StatusOr<DeviceFilter> parsed =
      DeviceFilter::Parse(filter.rule(), options_.device_filter);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("policy \"", d_.policies[i].id(),
                     "\": conditions.devices.deviceFilter.rule: ",
                     parsed.status().message()));
  }
  int index = static_cast<int>(d_.filters.size());
  d_.filters.push_back(*std::move(parsed));
  d_.filter_by_rule.emplace(filter.rule(), index);
  d_.device_filters.push_back(internal::DeviceFilterSpec{i, index, exclude});
  d_.has_device_filter.Set(i);
  return absl::OkStatus();
}

void Compiler::CompileLocations(int i, const ca::Conditions& conditions) {
  if (!conditions.has_locations()) {
    d_.no_location.Set(i);
    return;
  }
  for (const std::string& ref : conditions.locations().include_locations()) {
    CompileLocationRef(i, ref, /*exclude=*/false);
  }
  for (const std::string& ref : conditions.locations().exclude_locations()) {
    CompileLocationRef(i, ref, /*exclude=*/true);
  }
}

void Compiler::CompileLocationRef(int i, const std::string& ref, bool exclude) {
  PolicyMask& unknown =
      exclude ? d_.location_exclude_unknown : d_.location_include_unknown;
  if (ref == "All") {
    (exclude ? d_.location_exclude_all : d_.location_include_all).Set(i);
    return;
  }
  if (d_.locations == nullptr) {
    unknown.Set(i);
    Warn(i, absl::StrCat("location \"", ref,
                         "\" cannot be evaluated without named locations; "
                         "the location condition is unknown"));
    return;
  }
  const std::vector<NamedLocationSet::Location>& all =
      d_.locations->locations();
  if (ref == "AllTrusted") {
    for (size_t l = 0; l < all.size(); ++l) {
      if (all[l].kind == NamedLocationSet::Location::Kind::kIp &&
          all[l].trusted) {
        IdMasks& masks = d_.by_location[l];
        (exclude ? masks.exclude : masks.include).Set(i);
      }
    }
    return;
  }
  int l = d_.locations->Find(ref);
  if (l < 0) {
    unknown.Set(i);
    Warn(i, absl::StrCat("location \"", ref,
                         "\" is not among the named locations; the location "
                         "condition is unknown"));
    return;
  }
  if (all[l].kind == NamedLocationSet::Location::Kind::kUnsupported) {
    unknown.Set(i);
    return;
  }
  IdMasks& masks = d_.by_location[l];
  (exclude ? masks.exclude : masks.include).Set(i);
}

void Compiler::FinishLocations() {
  if (d_.locations == nullptr) {
    d_.by_ip_set.assign(1, IdMasks{Empty(), Empty()});
    d_.by_country.assign(internal::kCountrySlots, IdMasks{Empty(), Empty()});
    return;
  }
  const std::vector<NamedLocationSet::Location>& all =
      d_.locations->locations();
  for (size_t l = 0; l < all.size(); ++l) {
    const IdMasks& masks = d_.by_location[l];
    if (all[l].kind == NamedLocationSet::Location::Kind::kIp) {
      d_.include_any_ip |= masks.include;
      d_.exclude_any_ip |= masks.exclude;
    } else if (all[l].kind == NamedLocationSet::Location::Kind::kCountry) {
      d_.include_any_country |= masks.include;
      d_.exclude_any_country |= masks.exclude;
    }
  }

  const internal::LocationIndex& index = d_.locations->ip_index();
  d_.by_ip_set.assign(index.set_count(), IdMasks{Empty(), Empty()});
  for (size_t s = 0; s < index.set_count(); ++s) {
    for (int l : index.Members(static_cast<uint32_t>(s))) {
      d_.by_ip_set[s].include |= d_.by_location[l].include;
      d_.by_ip_set[s].exclude |= d_.by_location[l].exclude;
    }
  }

  d_.by_country.assign(internal::kCountrySlots, IdMasks{Empty(), Empty()});
  for (size_t l = 0; l < all.size(); ++l) {
    if (all[l].kind != NamedLocationSet::Location::Kind::kCountry) continue;
    const IdMasks& masks = d_.by_location[l];
    for (const std::string& code : all[l].countries) {
      int slot = (code[0] - 'A') * 26 + (code[1] - 'A');
      d_.by_country[slot].include |= masks.include;
      d_.by_country[slot].exclude |= masks.exclude;
    }
    if (all[l].include_unknown_countries) {
      d_.by_country.back().include |= masks.include;
      d_.by_country.back().exclude |= masks.exclude;
    }
  }
}

void Compiler::CompileRisks(int i, const ca::Conditions& conditions) {
  auto risk = [&](const google::protobuf::RepeatedField<int>& levels,
                  std::array<PolicyMask, internal::kRiskSlots>& match,
                  PolicyMask& unsupplied) {
    if (levels.empty()) {
      unsupplied.Set(i);
      for (PolicyMask& mask : match) mask.Set(i);
      return;
    }
    for (int level : levels) match[level].Set(i);
  };
  risk(conditions.sign_in_risk_levels(), d_.sign_in_risk_match,
       d_.sign_in_risk_unsupplied);
  risk(conditions.user_risk_levels(), d_.user_risk_match,
       d_.user_risk_unsupplied);
  risk(conditions.service_principal_risk_levels(), d_.sp_risk_match,
       d_.sp_risk_unsupplied);

  if (conditions.insider_risk_levels().empty()) {
    d_.insider_unsupplied.Set(i);
    for (PolicyMask& mask : d_.insider_match) mask.Set(i);
  } else {
    for (int level : conditions.insider_risk_levels()) {
      d_.insider_match[level].Set(i);
    }
  }

  if (!conditions.has_authentication_flows() ||
      conditions.authentication_flows().transfer_methods().empty()) {
    d_.flow_unsupplied.Set(i);
    for (PolicyMask& mask : d_.flow_match) mask.Set(i);
  } else {
    for (int method : conditions.authentication_flows().transfer_methods()) {
      d_.flow_match[method].Set(i);
    }
  }
}

absl::Status Compiler::CompileSchedule(int i,
                                       const ca::Conditions& conditions) {
  if (!conditions.has_schedule()) return absl::OkStatus();
  const ca::ScheduleCondition& condition = conditions.schedule();
  absl::StatusOr<schedule::WorkHours> hours =
      schedule::WorkHours::FromJsonValue(condition.work_hours(),
                                         json::Path("workHours"));
  if (!hours.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "policy \"", d_.policies[i].id(),
        "\": conditions.x-portcullis-schedule.", hours.status().message()));
  }
  internal::ScheduleSpec spec{i,
                              *std::move(hours),
                              condition.mode() == ca::FILTER_MODE_EXCLUDE,
                              schedule::IntervalSet(),
                              options_.schedule_from,
                              options_.schedule_to};
  if (spec.from != absl::InfinitePast() && spec.to > spec.from &&
      spec.to != absl::InfiniteFuture()) {
    absl::StatusOr<schedule::IntervalSet> windows =
        spec.hours.Expand(spec.from, spec.to);
    if (!windows.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "policy \"", d_.policies[i].id(),
          "\": expanding the schedule failed: ", windows.status().message()));
    }
    spec.precomputed = *std::move(windows);
  } else {
    spec.from = spec.to = absl::InfinitePast();
  }
  d_.schedules.push_back(std::move(spec));
  d_.has_schedule.Set(i);
  return absl::OkStatus();
}

// True when the schedule contains `now`. Outside the precomputed range this
// expands the eight days before `now`, which covers any window that can
// still be open, because overnight windows and recurrences last at most 7
// days. A failed expansion is an error naming the policy, never "outside":
// for an "include" block, "outside" would drop the block.
absl::StatusOr<bool> InSchedule(const internal::ScheduleSpec& spec,
                                const ca::Policy& policy, absl::Time now) {
  if (now >= spec.from && now < spec.to) return spec.precomputed.Contains(now);
  absl::Status finite = schedule::CheckFinite("now", now);
  if (!finite.ok()) return finite;
  absl::StatusOr<schedule::IntervalSet> windows =
      spec.hours.Expand(now - absl::Hours(24 * 8), now + absl::Seconds(1));
  if (!windows.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "policy \"", policy.id(),
        "\": conditions.x-portcullis-schedule: expanding the work hours around ",
        schedule::FormatRfc3339(now), " failed: ", windows.status().message()));
  }
  return windows->Contains(now);
}

int CountrySlot(absl::string_view code) {
  if (code.size() != 2) return internal::kCountrySlots - 1;
  char a = absl::ascii_toupper(static_cast<unsigned char>(code[0]));
  char b = absl::ascii_toupper(static_cast<unsigned char>(code[1]));
  if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z') {
    return internal::kCountrySlots - 1;
  }
  return (a - 'A') * 26 + (b - 'A');
}

// Per-condition results for every policy at once.
using ConditionMasks = std::array<TriMask, kConditionCount>;

TriMask Known(PolicyMask t, size_t words) {
  return TriMask{std::move(t), PolicyMask(words)};
}

// A condition whose fact was not supplied: true for the policies in
// `always_true`, whose condition is true whatever the fact is, and unknown
// for the others.
TriMask Unsupplied(const CompiledPolicies& d, const PolicyMask& always_true) {
  return TriMask{always_true, Minus(d.valid, always_true)};
}

TriMask UserCondition(const CompiledPolicies& d, const SignIn& s) {
  TriMask include = Known(d.user_all, d.words);
  TriMask exclude = Known(PolicyMask(d.words), d.words);
  auto add = [&](const internal::IdTable<IdMasks>& table,
                 absl::string_view id) {
    auto it = table.find(id);
    if (it == table.end()) return;
    include.t |= it->second.include;
    exclude.t |= it->second.exclude;
  };
  if (!s.user_id.empty()) add(d.users, s.user_id);
  if (RoleMembershipKnown(s)) {
    for (const std::string& role : s.role_ids) add(d.roles, role);
  } else {
    include.u |= d.role_include;
    exclude.u |= d.role_exclude;
  }
  if (GroupMembershipKnown(s)) {
    for (const std::string& group : s.group_ids) add(d.groups, group);
  } else {
    include.u |= d.group_include;
    exclude.u |= d.group_exclude;
  }

  // A guest condition holds when every type the user may have is selected,
  // and is unknown when only some are.
  std::optional<uint32_t> types = PossibleExternalUserTypes(s);
  for (const internal::GuestSpec& spec : d.guests) {
    TriMask& side = spec.exclude ? exclude : include;
    if (!types.has_value()) {
      side.u.Set(spec.policy);
      continue;
    }
    if ((*types & spec.types) == 0) continue;
    bool tenant_ok = spec.all_tenants;
    for (const std::string& tenant : spec.tenants) {
      tenant_ok =
          tenant_ok || absl::EqualsIgnoreCase(tenant, s.external_tenant_id);
    }
    if (!tenant_ok) continue;
    if ((*types & ~spec.types) == 0) {
      side.t.Set(spec.policy);
    } else {
      side.u.Set(spec.policy);
    }
  }
  include.u.Remove(include.t);
  exclude.u.Remove(exclude.t);

  TriMask result = And(include, Not(exclude, d.valid));
  result.t &= d.user_targeted;
  result.u &= d.user_targeted;
  return result;
}

TriMask WorkloadCondition(const CompiledPolicies& d, const SignIn& s) {
  PolicyMask in = d.sp_all;
  auto it = d.service_principals.find(s.service_principal_id);
  if (it != d.service_principals.end()) {
    in |= it->second.include;
    in.Remove(it->second.exclude);
  }
  in &= d.sp_targeted;
  return TriMask{Minus(in, d.sp_filter), in & d.sp_filter};
}

TriMask TargetCondition(const CompiledPolicies& d, const SignIn& s) {
  switch (s.target) {
    case SignIn::Target::kUserAction:
      return Known(
          s.user_action == SignIn::UserAction::kRegisterSecurityInformation
              ? d.action_security_info | d.app_all
              : d.action_register_device,
          d.words);
    case SignIn::Target::kAuthenticationContext: {
      auto it = d.auth_contexts.find(s.authentication_context);
      return Known(it == d.auth_contexts.end() ? PolicyMask(d.words)
                                               : it->second.include,
                   d.words);
    }
    case SignIn::Target::kApplications:
      if (!s.application_ids.empty()) break;
      [[fallthrough]];
    case SignIn::Target::kNotSupplied: {
      PolicyMask holds =
          Minus(Minus(d.app_all, d.app_has_exclusions), d.app_filter);
      return TriMask{holds, Minus(d.app_targets_any, holds)};
    }
  }
  PolicyMask matched(d.words);
  for (const std::string& app : s.application_ids) {
    PolicyMask in = d.app_all;
    auto it = d.apps.find(app);
    if (it != d.apps.end()) {
      in |= it->second.include;
      in.Remove(it->second.exclude);
    }
    matched |= in;
  }
  return TriMask{Minus(matched, d.app_filter), matched & d.app_filter};
}

TriMask LocationCondition(const CompiledPolicies& d, const SignIn& s) {
  TriMask include{d.location_include_all, d.location_include_unknown};
  TriMask exclude{d.location_exclude_all, d.location_exclude_unknown};
  if (s.ip_address.has_value()) {
    // An IPv4-mapped address (::ffff:a.b.c.d) is the IPv4 host on the
    // wire, so it matches IPv4 ranges; as IPv6 it would slip past them.
    uint32_t set = d.locations == nullptr
                       ? 0
                       : d.locations->ip_index().Lookup(s.ip_address->Unmap());
    include.t |= d.by_ip_set[set].include;
    exclude.t |= d.by_ip_set[set].exclude;
  } else {
    include.u |= d.include_any_ip;
    exclude.u |= d.exclude_any_ip;
  }
  if (s.country.has_value()) {
    const IdMasks& masks = d.by_country[CountrySlot(*s.country)];
    include.t |= masks.include;
    exclude.t |= masks.exclude;
  } else {
    include.u |= d.include_any_country;
    exclude.u |= d.exclude_any_country;
  }
  include.u.Remove(include.t);
  exclude.u.Remove(exclude.t);

  TriMask result = And(include, Not(exclude, d.valid));
  result.t |= d.no_location;
  return result;
}

template <size_t N, typename Value>
TriMask EnumCondition(const CompiledPolicies& d,
                      const std::optional<Value>& value,
                      const std::array<PolicyMask, N>& match,
                      const PolicyMask& unsupplied) {
  if (!value.has_value()) return Unsupplied(d, unsupplied);
  size_t slot = static_cast<size_t>(*value);
  if (slot >= N) return Known(unsupplied, d.words);
  return Known(match[slot], d.words);
}

absl::Status ComputeConditions(const CompiledPolicies& d, const SignIn& s,
                               absl::Time now, ConditionMasks& c) {
  c[static_cast<int>(Condition::kIdentity)] =
      s.identity == SignIn::Identity::kUser ? UserCondition(d, s)
                                            : WorkloadCondition(d, s);
  c[static_cast<int>(Condition::kTarget)] = TargetCondition(d, s);

  std::optional<ca::DevicePlatform> platform = s.device_platform;
  if (platform == ca::DEVICE_PLATFORM_ALL) platform.reset();
  c[static_cast<int>(Condition::kDevicePlatform)] =
      EnumCondition(d, platform, d.platform_match, d.platform_unsupplied);

  TriMask devices = Unsupplied(d, Minus(d.valid, d.has_device_filter));
  if (s.device.has_value()) {
    devices.u = PolicyMask(d.words);
    absl::InlinedVector<Tri, 16> rules;
    absl::InlinedVector<bool, 16> depends_on_unknown;
    for (const DeviceFilter& filter : d.filters) {
      bool unknown = false;
      rules.push_back(filter.Evaluate(*s.device, &unknown));
      depends_on_unknown.push_back(unknown);
    }
    for (const internal::DeviceFilterSpec& spec : d.device_filters) {
      if (depends_on_unknown[spec.filter]) {
        devices.u.Set(spec.policy);
      } else if (FilterModeResult(rules[spec.filter], spec.exclude) == Tri::kTrue) {
        devices.t.Set(spec.policy);
      }
    }
  }
  c[static_cast<int>(Condition::kDevices)] = std::move(devices);

  std::optional<ca::ClientAppType> client = s.client_app_type;
  if (client == ca::CLIENT_APP_TYPE_ALL) client.reset();
  c[static_cast<int>(Condition::kClientApps)] =
      EnumCondition(d, client, d.client_match, d.client_unsupplied);

  c[static_cast<int>(Condition::kLocation)] = LocationCondition(d, s);
  c[static_cast<int>(Condition::kSignInRisk)] = EnumCondition(
      d, s.sign_in_risk, d.sign_in_risk_match, d.sign_in_risk_unsupplied);
  c[static_cast<int>(Condition::kUserRisk)] =
      EnumCondition(d, s.user_risk, d.user_risk_match, d.user_risk_unsupplied);
  // Service principal risk concerns workload identities only.
  c[static_cast<int>(Condition::kServicePrincipalRisk)] =
      s.identity == SignIn::Identity::kUser
          ? Known(d.valid, d.words)
          : EnumCondition(d, s.service_principal_risk, d.sp_risk_match,
                          d.sp_risk_unsupplied);
  c[static_cast<int>(Condition::kInsiderRisk)] =
      EnumCondition(d, s.insider_risk, d.insider_match, d.insider_unsupplied);
  c[static_cast<int>(Condition::kAuthenticationFlow)] =
      EnumCondition(d, s.authentication_flow, d.flow_match, d.flow_unsupplied);

  TriMask time = Known(Minus(d.valid, d.has_schedule), d.words);
  for (const internal::ScheduleSpec& spec : d.schedules) {
    absl::StatusOr<bool> inside = InSchedule(spec, d.policies[spec.policy], now);
    if (!inside.ok()) return inside.status();
    if (*inside != spec.exclude) time.t.Set(spec.policy);
  }
  c[static_cast<int>(Condition::kTime)] = std::move(time);
  return absl::OkStatus();
}

PolicyMask Applying(const CompiledPolicies& d, const ConditionMasks& c,
                    EvaluationMode mode) {
  PolicyMask applies = d.enabled;
  for (const TriMask& condition : c) {
    if (mode == EvaluationMode::kStrict) {
      applies &= condition.t;
    } else {
      applies &= condition.t | condition.u;
    }
  }
  return applies;
}

}  // namespace

absl::string_view WhatIfReasonName(WhatIfReason reason) {
  return kReasonNames[static_cast<int>(reason)];
}

absl::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAllow:
      return "allow";
    case Outcome::kBlock:
      return "block";
    case Outcome::kRequirements:
      return "requirements";
  }
  return "allow";
}

WhatIfReason ReasonFor(Condition condition, const SignIn& sign_in) {
  switch (condition) {
    case Condition::kIdentity:
      return sign_in.identity == SignIn::Identity::kServicePrincipal
                 ? WhatIfReason::kWorkloadIdentities
                 : WhatIfReason::kUsers;
    case Condition::kTarget:
      if (sign_in.target == SignIn::Target::kUserAction) {
        return WhatIfReason::kUserActions;
      }
      if (sign_in.target == SignIn::Target::kAuthenticationContext) {
        return WhatIfReason::kAuthenticationContext;
      }
      return WhatIfReason::kApplication;
    case Condition::kDevicePlatform:
      return WhatIfReason::kDevicePlatform;
    case Condition::kDevices:
      return WhatIfReason::kDevices;
    case Condition::kClientApps:
      return WhatIfReason::kClientApps;
    case Condition::kLocation:
      return WhatIfReason::kLocation;
    case Condition::kSignInRisk:
      return WhatIfReason::kSignInRisk;
    case Condition::kUserRisk:
      return WhatIfReason::kUserRisk;
    case Condition::kServicePrincipalRisk:
      return WhatIfReason::kWorkloadIdentities;
    case Condition::kInsiderRisk:
      return WhatIfReason::kInsiderRisk;
    case Condition::kAuthenticationFlow:
      return WhatIfReason::kAuthenticationFlow;
    case Condition::kTime:
      return WhatIfReason::kTime;
  }
  return WhatIfReason::kInvalidCondition;
}

absl::string_view PolicyResult::ResultName() const {
  if (!enabled) return "notEnabled";
  bool failed = grant.outcome == GrantResult::Outcome::kBlock ||
                grant.outcome == GrantResult::Outcome::kUnmet;
  if (!report_only) {
    if (!applies) return "notApplied";
    return failed ? "failure" : "success";
  }
  if (!applies) return "reportOnlyNotApplied";
  if (grant.outcome == GrantResult::Outcome::kBlock) return "reportOnlyFailure";
  if (grant.outcome == GrantResult::Outcome::kUnmet) {
    return grant.only_interactive_unmet() ? "reportOnlyInterrupted"
                                          : "reportOnlyFailure";
  }
  return "reportOnlySuccess";
}

std::vector<std::string> PolicyResult::ReasonNames() const {
  std::vector<std::string> names;
  for (int r = 0; r <= static_cast<int>(WhatIfReason::kAuthenticationFlow);
       ++r) {
    if (reasons & (uint32_t{1} << r)) {
      names.emplace_back(WhatIfReasonName(static_cast<WhatIfReason>(r)));
    }
  }
  return names;
}

absl::StatusOr<ConditionalAccessPolicySet> ConditionalAccessPolicySet::Compile(
    std::vector<ca::Policy> policies,
    std::shared_ptr<const NamedLocationSet> locations,
    const CompileOptions& options) {
  auto data = std::make_shared<CompiledPolicies>();
  data->policies = std::move(policies);
  data->locations = std::move(locations);
  Compiler compiler(*data, options);
  absl::Status status = compiler.Run();
  if (!status.ok()) return status;
  return ConditionalAccessPolicySet(std::move(data));
}

absl::StatusOr<ConditionalAccessPolicySet::Decision>
ConditionalAccessPolicySet::Evaluate(const SignIn& sign_in, absl::Time now,
                                     EvaluationMode mode) const {
  absl::Status status = schedule::CheckFinite("now", now);
  if (!status.ok()) return status;
  const CompiledPolicies& d = *data_;
  ConditionMasks conditions;
  status = ComputeConditions(d, sign_in, now, conditions);
  if (!status.ok()) return status;
  PolicyMask enforced = Applying(d, conditions, mode) & d.enforced;

  Decision decision;
  int blocking = (enforced & d.blocking).Next(0);
  if (blocking >= 0) {
    decision.outcome = Outcome::kBlock;
    decision.deciding_policy = blocking;
    return decision;
  }
  for (int i = enforced.Next(0); i >= 0; i = enforced.Next(i + 1)) {
    if (EvaluateGrant(d.grants[i], sign_in.satisfied).outcome ==
        GrantResult::Outcome::kUnmet) {
      decision.outcome = Outcome::kRequirements;
      decision.deciding_policy = i;
      return decision;
    }
  }
  return decision;
}

absl::StatusOr<WhatIfResult> ConditionalAccessPolicySet::Explain(
    const SignIn& sign_in, absl::Time now, EvaluationMode mode) const {
  absl::Status status = schedule::CheckFinite("now", now);
  if (!status.ok()) return status;
  const CompiledPolicies& d = *data_;
  ConditionMasks conditions;
  status = ComputeConditions(d, sign_in, now, conditions);
  if (!status.ok()) return status;
  PolicyMask applying = Applying(d, conditions, mode);

  WhatIfResult result;
  result.policies.reserve(d.policies.size());
  for (size_t index = 0; index < d.policies.size(); ++index) {
    int i = static_cast<int>(index);
    PolicyResult& p = result.policies.emplace_back();
    p.policy = i;
    p.enabled = d.enabled.Test(i);
    p.report_only = p.enabled && !d.enforced.Test(i);
    for (int c = 0; c < kConditionCount; ++c) {
      p.conditions[c] = conditions[c].t.Test(i)   ? Tri::kTrue
                        : conditions[c].u.Test(i) ? Tri::kUnknown
                                                  : Tri::kFalse;
    }
    if (!p.enabled) {
      p.reasons = uint32_t{1}
                  << static_cast<int>(WhatIfReason::kPolicyNotEnabled);
      p.first_reason = WhatIfReason::kPolicyNotEnabled;
      continue;
    }
    p.applies = applying.Test(i);
    if (p.applies) {
      p.reasons = 1;  // notSet
      p.grant = EvaluateGrant(d.grants[i], sign_in.satisfied);
      continue;
    }
    bool first = true;
    for (int c = 0; c < kConditionCount; ++c) {
      WhatIfReason reason;
      if (p.conditions[c] == Tri::kFalse) {
        reason = ReasonFor(static_cast<Condition>(c), sign_in);
      } else if (p.conditions[c] == Tri::kUnknown &&
                 mode == EvaluationMode::kStrict) {
        reason = WhatIfReason::kNotEnoughInformation;
      } else {
        continue;
      }
      p.reasons |= uint32_t{1} << static_cast<int>(reason);
      if (first) p.first_reason = reason;
      first = false;
    }
  }

  for (const PolicyResult& p : result.policies) {
    if (!p.applies || p.report_only) continue;
    if (d.policies[p.policy].has_session_controls()) {
      MergeSessionControls(d.policies[p.policy].session_controls(),
                           &result.session_controls);
    }
    if (p.grant.outcome == GrantResult::Outcome::kBlock &&
        result.blocking_policy < 0) {
      result.blocking_policy = p.policy;
    }
    if (p.grant.outcome == GrantResult::Outcome::kUnmet) {
      for (std::string& name : UnmetControlNames(d.grants[p.policy], p.grant)) {
        result.requirements.push_back(std::move(name));
      }
    }
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

const std::vector<ca::Policy>& ConditionalAccessPolicySet::policies() const {
  return data_->policies;
}

const CompiledGrant& ConditionalAccessPolicySet::grant(int policy) const {
  return data_->grants[policy];
}

const std::vector<std::string>& ConditionalAccessPolicySet::warnings() const {
  return data_->warnings;
}

}  // namespace portcullis::access
