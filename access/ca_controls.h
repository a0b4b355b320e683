// Grant and session controls of Conditional Access: which controls a sign-in
// still has to satisfy, in the order Microsoft prompts for them, and how the
// session controls of several policies merge.
//
// Grant controls. A policy lists built-in controls, terms of use, custom
// controls and at most one authentication strength, joined by AND (all
// needed) or OR (any one suffices). A sign-in satisfies:
//   - a built-in control when SatisfiedControls::built_in has its bit. `mfa`
//     is also satisfied by methods that cover a combination of the built-in
//     "Multifactor authentication" strength, or by any built-in strength
//     listed as satisfied;
//   - an authentication strength when its id is listed as satisfied, or the
//     methods used cover one of its allowed combinations (the policy's own
//     list when the export carries one, else the built-in list), or, for the
//     built-in "Multifactor authentication" strength, when `mfa` is satisfied,
//     because Microsoft documents the two as equivalent;
//   - terms of use and custom controls when their ids are listed.
//
// Prompt order, from Microsoft's "Building a Conditional Access policy"
// page: MFA, compliant device, hybrid joined device, approved client app,
// app protection policy, password change, terms of use, custom controls.
// The page does not place authentication strengths; they come right after
// MFA here because they are the same kind of interactive requirement and a
// policy cannot require both.
#ifndef PORTCULLIS_ACCESS_CA_CONTROLS_H_
#define PORTCULLIS_ACCESS_CA_CONTROLS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "access/ca_sign_in.h"
#include "proto/ca.pb.h"

namespace portcullis::access {

// The built-in authentication strength ids.
inline constexpr absl::string_view kMfaStrengthId =
    "00000000-0000-0000-0000-000000000002";
inline constexpr absl::string_view kPasswordlessMfaStrengthId =
    "00000000-0000-0000-0000-000000000003";
inline constexpr absl::string_view kPhishingResistantMfaStrengthId =
    "00000000-0000-0000-0000-000000000004";

// Graph's spelling of a built-in control, such as "compliantDevice".
absl::string_view BuiltInControlName(ca::BuiltInControl control);

// Parses a comma-separated set of authenticationMethodModes ("password,sms",
// "sms, password") into MethodBit() bits; nullopt when a name is unknown.
std::optional<uint32_t> ParseMethodCombination(absl::string_view text);

// The allowed combinations of a built-in strength, as MethodBit() sets, or
// an empty list for other ids. From Graph's authenticationStrengthPolicy
// list (v1.0 documentation).
const std::vector<uint32_t>& BuiltInStrengthCombinations(
    absl::string_view strength_id);

// A policy's grant controls prepared for evaluation. Immutable.
struct CompiledGrant {
  bool present = false;  // false for session-only policies
  bool block = false;
  bool require_all = true;  // AND; false for OR
  uint32_t built_in = 0;    // ControlBit() bits, block excluded
  std::vector<std::string> terms_of_use;
  std::vector<std::string> custom_factors;
  std::string strength_id;  // empty when none
  std::vector<uint32_t> strength_combinations;

  // Prepares `grant`. Unknown method names in allowed combinations drop that
  // combination and are reported in `warnings` (a combination no sign-in can
  // cover never grants access).
  static CompiledGrant Create(const ca::GrantControls& grant,
                              std::vector<std::string>* warnings);

  // The number of controls, block included.
  int control_count() const;
};

// The outcome of one policy's grant controls for one sign-in. Plain data; no
// allocation.
struct GrantResult {
  enum class Outcome : uint8_t { kNoControls, kSatisfied, kBlock, kUnmet };
  Outcome outcome = Outcome::kNoControls;
  // Controls still needed. For OR every control is listed, because any one
  // of them would do.
  uint32_t unmet_built_in = 0;
  bool unmet_strength = false;
  uint64_t unmet_terms = 0;   // bit i: terms_of_use[i] (first 64)
  uint64_t unmet_custom = 0;  // bit i: custom_factors[i] (first 64)

  // True when every unmet control needs the user to act (MFA, a strength,
  // terms of use, a password change, a custom control) and none needs a
  // device or an app the sign-in lacks.
  bool only_interactive_unmet() const;
};

// Evaluates `grant` against `satisfied`. Allocates nothing.
GrantResult EvaluateGrant(const CompiledGrant& grant,
                          const SatisfiedControls& satisfied);

// The unmet controls of `result` as the What-If output spells them:
// built-in controls as Graph names them, "authenticationStrength:<id>",
// "termsOfUse:<id>", "customAuthenticationFactor:<id>", in prompt order.
std::vector<std::string> UnmetControlNames(const CompiledGrant& grant,
                                           const GrantResult& result);

// The position of a control name (as UnmetControlNames() spells it) in
// Microsoft's prompt order; smaller comes first.
int PromptRank(absl::string_view control);

// Sorts control names into prompt order and removes duplicates.
void SortByPromptOrder(std::vector<std::string>& controls);

// Merges `from` into `into`, keeping the stricter setting of each control:
//   - sign-in frequency: every time beats any period, else the shorter period
//     wins; primary-and-secondary authentication beats secondary only;
//   - persistent browser: never beats always;
//   - cloud app security: block downloads > custom policy > monitor only;
//   - continuous access evaluation: strict location > strict enforcement >
//     disabled;
//   - application enforced restrictions, disabled resilience defaults and
//     token protection: on when any policy turns them on.
// Microsoft documents only the sign-in frequency rule (the strictest
// setting applies), and a field report disputes even that one. The rest are
// this library's reading of "most restrictive wins".
void MergeSessionControls(const ca::SessionControls& from,
                          ca::SessionControls* into);

}  // namespace portcullis::access

#endif  // PORTCULLIS_ACCESS_CA_CONTROLS_H_
