// Fuzzes the Conditional Access importers, compilation and evaluation.
//
// The input is a policy file and, after a line `---`, a named location file.
// Both importers must fail cleanly or succeed. What imports is compiled, and
// a few sign-ins are evaluated by the compiled set and by the reference
// evaluator, which must agree on every policy and on the decision.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "access/ca_import.h"
#include "access/ca_named_locations.h"
#include "access/ca_reference.h"
#include "access/ca_sign_in.h"
#include "access/conditional_access.h"
#include "net/ip_address.h"

namespace {

using namespace portcullis::access;  // NOLINT: a fuzzer's single function.
namespace ca = portcullis::ca;

std::vector<SignIn> SignIns(const std::vector<ca::Policy>& policies) {
  std::vector<SignIn> out;
  SignIn bare;
  bare.user_id = "u";
  out.push_back(bare);

  SignIn full;
  full.user_id =
      policies.empty() || !policies[0].conditions().has_users() ||
              policies[0].conditions().users().include_users().empty()
          ? "u"
          : policies[0].conditions().users().include_users(0);
  full.directory_known = true;
  full.user_type = SignIn::UserType::kGuest;
  if (!policies.empty() && policies[0].conditions().has_users()) {
    const ca::UserCondition& users = policies[0].conditions().users();
    for (const std::string& g : users.exclude_groups())
      full.group_ids.push_back(g);
    for (const std::string& r : users.include_roles())
      full.role_ids.push_back(r);
  }
  full.target = SignIn::Target::kApplications;
  full.application_ids = {"00000003-0000-0ff1-ce00-000000000000"};
  full.client_app_type = ca::CLIENT_APP_TYPE_BROWSER;
  full.device_platform = ca::DEVICE_PLATFORM_UNSPECIFIED;
  full.ip_address = portcullis::net::IpAddress::V4(0xC0000205);  // 192.0.2.5
  full.country = "";
  full.sign_in_risk = ca::RISK_LEVEL_HIGH;
  full.user_risk = ca::RISK_LEVEL_NONE;
  full.insider_risk = ca::INSIDER_RISK_LEVEL_ELEVATED;
  full.authentication_flow = ca::TRANSFER_METHOD_DEVICE_CODE_FLOW;
  full.device.emplace();
  full.device->Set(DeviceProperty::kTrustType, "ServerAD");
  full.device->Set(DeviceProperty::kExtensionAttribute1, "SAW");
  out.push_back(full);
  // The same sign-in from the IPv4-mapped form of its address.
  full.ip_address = portcullis::net::IpAddress::V6(
      (absl::uint128(0xffff) << 32) | 0xC0000205);  // ::ffff:192.0.2.5
  out.push_back(full);

  SignIn workload;
  workload.identity = SignIn::Identity::kServicePrincipal;
  workload.service_principal_id = "sp";
  workload.target = SignIn::Target::kUserAction;
  out.push_back(workload);
  return out;
}

void Check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "compiled and reference evaluators differ: %s\n",
                 what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  absl::string_view policy_text = input;
  absl::string_view location_text;
  size_t separator = input.find("\n---\n");
  if (separator != absl::string_view::npos) {
    policy_text = input.substr(0, separator);
    location_text = input.substr(separator + 5);
  }

  std::vector<ca::Policy> policies;
  absl::StatusOr<std::vector<ImportedPolicy>> imported =
      ImportPolicies(policy_text, "fuzz.json");
  if (imported.ok()) {
    for (ImportedPolicy& p : *imported) policies.push_back(std::move(p.policy));
  }

  std::shared_ptr<const NamedLocationSet> locations;
  if (!location_text.empty()) {
    absl::StatusOr<std::vector<ImportedNamedLocation>> named =
        ImportNamedLocations(location_text, "locations.json");
    if (named.ok()) {
      std::vector<ca::NamedLocation> protos;
      for (ImportedNamedLocation& l : *named) protos.push_back(l.location);
      absl::StatusOr<NamedLocationSet> set = NamedLocationSet::Create(protos);
      if (set.ok()) {
        locations = std::make_shared<const NamedLocationSet>(*std::move(set));
      }
    }
  }
  if (policies.empty() || policies.size() > 64) return 0;

  absl::StatusOr<ConditionalAccessPolicySet> set =
      ConditionalAccessPolicySet::Compile(policies, locations);
  if (!set.ok()) return 0;
  const absl::Time now = absl::FromUnixSeconds(1780000000);
  for (const SignIn& sign_in : SignIns(policies)) {
    for (EvaluationMode mode :
         {EvaluationMode::kLenient, EvaluationMode::kStrict}) {
      absl::StatusOr<WhatIfResult> fast_or = set->Explain(sign_in, now, mode);
      absl::StatusOr<WhatIfResult> slow_or =
          ReferenceExplain(policies, locations.get(), sign_in, now, mode);
      Check(fast_or.ok() == slow_or.ok(), "both evaluators fail alike");
      if (!fast_or.ok() || !slow_or.ok()) continue;
      const WhatIfResult& fast = *fast_or;
      const WhatIfResult& slow = *slow_or;
      Check(fast.policies.size() == slow.policies.size(), "policy count");
      for (size_t i = 0; i < fast.policies.size(); ++i) {
        Check(fast.policies[i].applies == slow.policies[i].applies, "applies");
        Check(fast.policies[i].reasons == slow.policies[i].reasons, "reasons");
      }
      Check(fast.outcome == slow.outcome, "outcome");
      Check(fast.requirements == slow.requirements, "requirements");
      absl::StatusOr<ConditionalAccessPolicySet::Decision> decision =
          set->Evaluate(sign_in, now, mode);
      Check(decision.ok() && decision->outcome == fast.outcome,
            "Evaluate and Explain");
    }
  }
  return 0;
}
