// Small PIM inputs written for the tests, as Graph JSON text, so that the
// tests run through the importers as real input does.
#ifndef PORTCULLIS_TESTS_PIM_FIXTURES_H_
#define PORTCULLIS_TESTS_PIM_FIXTURES_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "proto/pim.pb.h"

namespace portcullis::pim::testing {

inline constexpr char kPrincipal[] = "071cc716-8147-4397-a5ba-b2105951cc0b";
inline constexpr char kRole[] = "8424c6f0-a189-499e-bbd0-26c1753c96d4";

// The activation-relevant settings of a Graph policy.
struct PolicySettings {
  std::string maximum_duration = "PT8H";
  bool expiration_required = true;
  std::vector<std::string> enabled_rules = {"MultiFactorAuthentication",
                                            "Justification"};
  bool approval_required = false;
  bool requestor_justification_required = true;
  std::string approval_mode = "SingleStage";
  int approval_timeout_days = 1;
  std::string claim_value;  // empty: authentication context disabled
  std::string admin_assignment_maximum = "P180D";
  bool admin_assignment_required = false;
  std::string admin_eligibility_maximum = "P365D";
  bool admin_eligibility_required = false;
};

// A Graph unifiedRoleManagementPolicy with the eight non-notification rules.
std::string PolicyJson(const PolicySettings& settings);

// The same policy with `rules` from `rules` and `effectiveRules` from
// `effective`.
std::string PolicyWithEffectiveRulesJson(const PolicySettings& rules,
                                         const PolicySettings& effective);

// A Graph selfActivate (or other action) request body.
struct RequestSettings {
  std::string action = "selfActivate";
  std::string principal = kPrincipal;
  std::string role = kRole;
  std::string scope = "/";
  std::string start;  // empty: no startDateTime
  std::string expiration_type = "afterDuration";
  std::string duration = "PT5H";
  std::string end;
  std::string justification = "rotate the signing keys";
  std::string ticket_number;
  // Members appended verbatim, such as R"("status": "Denied")".
  std::string extra_members;
};
std::string RequestJson(const RequestSettings& settings);

// One instance of a Graph `{"value": [...]}` list.
struct InstanceSettings {
  std::string principal = kPrincipal;
  std::string role = kRole;
  std::string scope = "/";
  std::string start;
  std::string end;  // empty: permanent
  std::string status;  // empty: none
};
std::string InstanceListJson(const std::vector<InstanceSettings>& instances);

// Parses an RFC 3339 time in a test; aborts on bad input.
absl::Time At(const std::string& rfc3339);

}  // namespace portcullis::pim::testing

#endif  // PORTCULLIS_TESTS_PIM_FIXTURES_H_
