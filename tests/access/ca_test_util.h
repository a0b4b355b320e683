// Helpers for Conditional Access tests: policies, named locations and
// sign-ins written as Graph JSON.
#ifndef PORTCULLIS_TESTS_ACCESS_CA_TEST_UTIL_H_
#define PORTCULLIS_TESTS_ACCESS_CA_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "access/ca_import.h"
#include "access/ca_named_locations.h"
#include "access/ca_sign_in_import.h"
#include "access/conditional_access.h"
#include "gtest/gtest.h"

namespace portcullis::access::testing {

// A policy with id `id` whose `conditions` object is given; users and
// applications default to All when the object lacks them.
inline ca::Policy MakePolicy(
    const std::string& id, const std::string& conditions,
    const std::string& grant =
        R"({"operator": "OR", "builtInControls": ["block"]})",
    const std::string& state = "enabled", const std::string& session = "null") {
  std::string body = conditions;
  if (body.find("\"users\"") == std::string::npos &&
      body.find("\"clientApplications\"") == std::string::npos) {
    body.insert(1, R"("users": {"includeUsers": ["All"]},)");
  }
  if (body.find("\"applications\"") == std::string::npos) {
    body.insert(1, R"("applications": {"includeApplications": ["All"]},)");
  }
  if (body == "{") body = "{}";
  if (body.size() >= 2 && body[body.size() - 2] == ',') {
    body.erase(body.size() - 2, 1);
  }
  std::string json = absl::StrCat(
      R"({"id": ")", id, R"(", "displayName": ")", id, R"(", "state": ")",
      state, R"(", "conditions": )", body, R"(, "grantControls": )", grant,
      R"(, "sessionControls": )", session, "}");
  absl::StatusOr<std::vector<ImportedPolicy>> policies =
      ImportPolicies(json, "test.json");
  EXPECT_TRUE(policies.ok()) << policies.status() << "\n" << json;
  if (!policies.ok()) return ca::Policy();
  return (*policies)[0].policy;
}

inline std::shared_ptr<const NamedLocationSet> MakeLocations(
    const std::string& json) {
  absl::StatusOr<std::vector<ImportedNamedLocation>> imported =
      ImportNamedLocations(json, "locations.json");
  EXPECT_TRUE(imported.ok()) << imported.status();
  std::vector<ca::NamedLocation> protos;
  if (imported.ok()) {
    for (const ImportedNamedLocation& l : *imported)
      protos.push_back(l.location);
  }
  absl::StatusOr<NamedLocationSet> set = NamedLocationSet::Create(protos);
  EXPECT_TRUE(set.ok()) << set.status();
  if (!set.ok()) return nullptr;
  return std::make_shared<const NamedLocationSet>(*std::move(set));
}

inline SignIn MakeSignIn(const std::string& json,
                         const Directory* directory = nullptr) {
  absl::StatusOr<ParsedSignIn> parsed = ParseWhatIfRequest(json, directory);
  EXPECT_TRUE(parsed.ok()) << parsed.status() << "\n" << json;
  if (!parsed.ok()) return SignIn();
  return parsed->sign_in;
}

inline ConditionalAccessPolicySet MustCompile(
    std::vector<ca::Policy> policies,
    std::shared_ptr<const NamedLocationSet> locations = nullptr,
    const CompileOptions& options = {}) {
  absl::StatusOr<ConditionalAccessPolicySet> set =
      ConditionalAccessPolicySet::Compile(std::move(policies),
                                          std::move(locations), options);
  EXPECT_TRUE(set.ok()) << set.status();
  if (!set.ok()) {
    return *ConditionalAccessPolicySet::Compile({}, nullptr);
  }
  return *std::move(set);
}

}  // namespace portcullis::access::testing

#endif  // PORTCULLIS_TESTS_ACCESS_CA_TEST_UTIL_H_
