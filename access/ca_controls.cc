#include "access/ca_controls.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace portcullis::access {
namespace {

constexpr absl::string_view kMethodNames[kAuthenticationMethodCount] = {
    "password",
    "voice",
    "hardwareOath",
    "softwareOath",
    "sms",
    "fido2",
    "windowsHelloForBusiness",
    "microsoftAuthenticatorPush",
    "deviceBasedPush",
    "temporaryAccessPassOneTime",
    "temporaryAccessPassMultiUse",
    "email",
    "x509CertificateSingleFactor",
    "x509CertificateMultiFactor",
    "federatedSingleFactor",
    "federatedMultiFactor",
    "qrCodePin",
};

// Allowed combinations of the built-in strengths, from Graph's v1.0
// authenticationStrengthPolicy list response.
constexpr absl::string_view kMfaCombinations[] = {
    "windowsHelloForBusiness",
    "fido2",
    "x509CertificateMultiFactor",
    "deviceBasedPush",
    "temporaryAccessPassOneTime",
    "temporaryAccessPassMultiUse",
    "password,microsoftAuthenticatorPush",
    "password,softwareOath",
    "password,hardwareOath",
    "password,x509CertificateSingleFactor",
    "password,x509CertificateMultiFactor",
    "password,sms",
    "password,voice",
    "federatedMultiFactor",
    "microsoftAuthenticatorPush,federatedSingleFactor",
    "softwareOath,federatedSingleFactor",
    "hardwareOath,federatedSingleFactor",
    "sms,federatedSingleFactor",
    "voice,federatedSingleFactor",
};

constexpr absl::string_view kPasswordlessCombinations[] = {
    "windowsHelloForBusiness",
    "fido2",
    "x509CertificateMultiFactor",
    "deviceBasedPush",
};

constexpr absl::string_view kPhishingResistantCombinations[] = {
    "windowsHelloForBusiness",
    "fido2",
    "x509CertificateMultiFactor",
};

template <size_t N>
std::vector<uint32_t> ParseAll(const absl::string_view (&list)[N]) {
  std::vector<uint32_t> out;
  for (absl::string_view text : list) {
    std::optional<uint32_t> bits = ParseMethodCombination(text);
    if (bits.has_value()) out.push_back(*bits);
  }
  return out;
}

bool CoversAny(const std::vector<uint32_t>& combinations, uint32_t methods) {
  for (uint32_t combination : combinations) {
    if ((combination & methods) == combination) return true;
  }
  return false;
}

bool ContainsIgnoreCase(const std::vector<std::string>& list,
                        absl::string_view value) {
  for (const std::string& item : list) {
    if (absl::EqualsIgnoreCase(item, value)) return true;
  }
  return false;
}

bool IsBuiltInStrength(absl::string_view id) {
  return absl::EqualsIgnoreCase(id, kMfaStrengthId) ||
         absl::EqualsIgnoreCase(id, kPasswordlessMfaStrengthId) ||
         absl::EqualsIgnoreCase(id, kPhishingResistantMfaStrengthId);
}

bool MfaSatisfied(const SatisfiedControls& satisfied) {
  if (satisfied.built_in & ControlBit(ca::BUILT_IN_CONTROL_MFA)) return true;
  if (CoversAny(BuiltInStrengthCombinations(kMfaStrengthId),
                satisfied.methods)) {
    return true;
  }
  for (const std::string& id : satisfied.authentication_strengths) {
    if (IsBuiltInStrength(id)) return true;
  }
  return false;
}

bool StrengthSatisfied(const CompiledGrant& grant,
                       const SatisfiedControls& satisfied) {
  if (ContainsIgnoreCase(satisfied.authentication_strengths,
                         grant.strength_id)) {
    return true;
  }
  if (CoversAny(grant.strength_combinations, satisfied.methods)) return true;
  return absl::EqualsIgnoreCase(grant.strength_id, kMfaStrengthId) &&
         (satisfied.built_in & ControlBit(ca::BUILT_IN_CONTROL_MFA)) != 0;
}

constexpr ca::BuiltInControl kPromptOrder[] = {
    ca::BUILT_IN_CONTROL_MFA,
    ca::BUILT_IN_CONTROL_COMPLIANT_DEVICE,
    ca::BUILT_IN_CONTROL_DOMAIN_JOINED_DEVICE,
    ca::BUILT_IN_CONTROL_APPROVED_APPLICATION,
    ca::BUILT_IN_CONTROL_COMPLIANT_APPLICATION,
    ca::BUILT_IN_CONTROL_PASSWORD_CHANGE,
};

}  // namespace

absl::string_view AuthenticationMethodName(AuthenticationMethod method) {
  return kMethodNames[static_cast<int>(method)];
}

std::optional<AuthenticationMethod> AuthenticationMethodFromName(
    absl::string_view name) {
  for (int i = 0; i < kAuthenticationMethodCount; ++i) {
    if (absl::EqualsIgnoreCase(kMethodNames[i], name)) {
      return static_cast<AuthenticationMethod>(i);
    }
  }
  return std::nullopt;
}

absl::string_view BuiltInControlName(ca::BuiltInControl control) {
  switch (control) {
    case ca::BUILT_IN_CONTROL_BLOCK:
      return "block";
    case ca::BUILT_IN_CONTROL_MFA:
      return "mfa";
    case ca::BUILT_IN_CONTROL_COMPLIANT_DEVICE:
      return "compliantDevice";
    case ca::BUILT_IN_CONTROL_DOMAIN_JOINED_DEVICE:
      return "domainJoinedDevice";
    case ca::BUILT_IN_CONTROL_APPROVED_APPLICATION:
      return "approvedApplication";
    case ca::BUILT_IN_CONTROL_COMPLIANT_APPLICATION:
      return "compliantApplication";
    case ca::BUILT_IN_CONTROL_PASSWORD_CHANGE:
      return "passwordChange";
    default:
      return "unknown";
  }
}

std::optional<uint32_t> ParseMethodCombination(absl::string_view text) {
  uint32_t bits = 0;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (part.empty()) continue;
    std::optional<AuthenticationMethod> method =
        AuthenticationMethodFromName(part);
    if (!method.has_value()) return std::nullopt;
    bits |= MethodBit(*method);
  }
  if (bits == 0) return std::nullopt;
  return bits;
}

const std::vector<uint32_t>& BuiltInStrengthCombinations(
    absl::string_view strength_id) {
  static const std::vector<uint32_t> kMfa = ParseAll(kMfaCombinations);
  static const std::vector<uint32_t> kPasswordless =
      ParseAll(kPasswordlessCombinations);
  static const std::vector<uint32_t> kPhishingResistant =
      ParseAll(kPhishingResistantCombinations);
  static const std::vector<uint32_t> kNone;
  if (absl::EqualsIgnoreCase(strength_id, kMfaStrengthId)) return kMfa;
  if (absl::EqualsIgnoreCase(strength_id, kPasswordlessMfaStrengthId)) {
    return kPasswordless;
  }
  if (absl::EqualsIgnoreCase(strength_id, kPhishingResistantMfaStrengthId)) {
    return kPhishingResistant;
  }
  return kNone;
}

CompiledGrant CompiledGrant::Create(const ca::GrantControls& grant,
                                    std::vector<std::string>* warnings) {
  CompiledGrant out;
  out.present = true;
  out.require_all = grant.operator_() != ca::GRANT_OPERATOR_OR;
  for (int control : grant.built_in_controls()) {
    if (control == ca::BUILT_IN_CONTROL_BLOCK) {
      out.block = true;
    } else {
      out.built_in |= ControlBit(static_cast<ca::BuiltInControl>(control));
    }
  }
  out.terms_of_use.assign(grant.terms_of_use().begin(),
                          grant.terms_of_use().end());
  out.custom_factors.assign(grant.custom_authentication_factors().begin(),
                            grant.custom_authentication_factors().end());
  if (grant.has_authentication_strength()) {
    const ca::AuthenticationStrength& strength =
        grant.authentication_strength();
    out.strength_id = absl::AsciiStrToLower(strength.id());
    for (const std::string& text : strength.allowed_combinations()) {
      std::optional<uint32_t> bits = ParseMethodCombination(text);
      if (bits.has_value()) {
        out.strength_combinations.push_back(*bits);
      } else if (warnings != nullptr) {
        warnings->push_back(absl::StrCat(
            "authentication strength ", strength.id(), ": combination \"", text,
            "\" names an unknown method and never grants access"));
      }
    }
    if (strength.allowed_combinations().empty()) {
      out.strength_combinations = BuiltInStrengthCombinations(out.strength_id);
    }
  }
  return out;
}

int CompiledGrant::control_count() const {
  int count = block ? 1 : 0;
  for (uint32_t bits = built_in; bits != 0; bits &= bits - 1) ++count;
  count += static_cast<int>(terms_of_use.size() + custom_factors.size());
  if (!strength_id.empty()) ++count;
  return count;
}

bool GrantResult::only_interactive_unmet() const {
  constexpr uint32_t kInteractive =
      ControlBit(ca::BUILT_IN_CONTROL_MFA) |
      ControlBit(ca::BUILT_IN_CONTROL_PASSWORD_CHANGE);
  return (unmet_built_in & ~kInteractive) == 0;
}

GrantResult EvaluateGrant(const CompiledGrant& grant,
                          const SatisfiedControls& satisfied) {
  GrantResult result;
  if (!grant.present || grant.control_count() == 0) return result;
  if (grant.block) {
    result.outcome = GrantResult::Outcome::kBlock;
    return result;
  }

  int met = 0;
  int total = 0;
  for (uint32_t bits = grant.built_in; bits != 0; bits &= bits - 1) {
    uint32_t bit = bits & (~bits + 1);
    bool ok = (satisfied.built_in & bit) != 0 ||
              (bit == ControlBit(ca::BUILT_IN_CONTROL_MFA) &&
               MfaSatisfied(satisfied));
    ++total;
    if (ok) {
      ++met;
    } else {
      result.unmet_built_in |= bit;
    }
  }
  if (!grant.strength_id.empty()) {
    ++total;
    if (StrengthSatisfied(grant, satisfied)) {
      ++met;
    } else {
      result.unmet_strength = true;
    }
  }
  for (size_t i = 0; i < grant.terms_of_use.size(); ++i) {
    ++total;
    if (ContainsIgnoreCase(satisfied.terms_of_use, grant.terms_of_use[i])) {
      ++met;
    } else if (i < 64) {
      result.unmet_terms |= uint64_t{1} << i;
    }
  }
  for (size_t i = 0; i < grant.custom_factors.size(); ++i) {
    ++total;
    if (ContainsIgnoreCase(satisfied.custom_authentication_factors,
                           grant.custom_factors[i])) {
      ++met;
    } else if (i < 64) {
      result.unmet_custom |= uint64_t{1} << i;
    }
  }

  bool satisfied_now = grant.require_all ? met == total : met > 0;
  if (satisfied_now) {
    result = GrantResult();
    result.outcome = GrantResult::Outcome::kSatisfied;
    return result;
  }
  result.outcome = GrantResult::Outcome::kUnmet;
  return result;
}

std::vector<std::string> UnmetControlNames(const CompiledGrant& grant,
                                           const GrantResult& result) {
  std::vector<std::string> names;
  for (ca::BuiltInControl control : kPromptOrder) {
    if (result.unmet_built_in & ControlBit(control)) {
      names.emplace_back(BuiltInControlName(control));
    }
    if (control == ca::BUILT_IN_CONTROL_MFA && result.unmet_strength) {
      names.push_back(
          absl::StrCat("authenticationStrength:", grant.strength_id));
    }
  }
  for (size_t i = 0; i < grant.terms_of_use.size() && i < 64; ++i) {
    if (result.unmet_terms & (uint64_t{1} << i)) {
      names.push_back(absl::StrCat("termsOfUse:", grant.terms_of_use[i]));
    }
  }
  for (size_t i = 0; i < grant.custom_factors.size() && i < 64; ++i) {
    if (result.unmet_custom & (uint64_t{1} << i)) {
      names.push_back(
          absl::StrCat("customAuthenticationFactor:", grant.custom_factors[i]));
    }
  }
  return names;
}

int PromptRank(absl::string_view control) {
  if (control == "mfa") return 0;
  if (absl::StartsWith(control, "authenticationStrength:")) return 1;
  for (int i = 1; i < 6; ++i) {
    if (control == BuiltInControlName(kPromptOrder[i])) return i + 1;
  }
  if (absl::StartsWith(control, "termsOfUse:")) return 7;
  return 8;
}

void SortByPromptOrder(std::vector<std::string>& controls) {
  std::stable_sort(controls.begin(), controls.end(),
                   [](const std::string& a, const std::string& b) {
                     int rank_a = PromptRank(a);
                     int rank_b = PromptRank(b);
                     if (rank_a != rank_b) return rank_a < rank_b;
                     return a < b;
                   });
  controls.erase(std::unique(controls.begin(), controls.end()), controls.end());
}

void MergeSessionControls(const ca::SessionControls& from,
                          ca::SessionControls* into) {
  if (from.application_enforced_restrictions()) {
    into->set_application_enforced_restrictions(true);
  }
  if (from.disable_resilience_defaults()) {
    into->set_disable_resilience_defaults(true);
  }
  if (from.secure_sign_in_session()) into->set_secure_sign_in_session(true);

  if (from.has_cloud_app_security() &&
      (!into->has_cloud_app_security() ||
       from.cloud_app_security().type() > into->cloud_app_security().type())) {
    *into->mutable_cloud_app_security() = from.cloud_app_security();
  }

  if (from.has_persistent_browser() &&
      (!into->has_persistent_browser() ||
       from.persistent_browser().mode() == ca::PersistentBrowser::MODE_NEVER)) {
    *into->mutable_persistent_browser() = from.persistent_browser();
  }

  if (from.has_continuous_access_evaluation() &&
      (!into->has_continuous_access_evaluation() ||
       from.continuous_access_evaluation().mode() >
           into->continuous_access_evaluation().mode())) {
    *into->mutable_continuous_access_evaluation() =
        from.continuous_access_evaluation();
  }

  if (from.has_sign_in_frequency()) {
    const ca::SignInFrequency& a = from.sign_in_frequency();
    if (!into->has_sign_in_frequency()) {
      *into->mutable_sign_in_frequency() = a;
    } else {
      ca::SignInFrequency* b = into->mutable_sign_in_frequency();
      bool a_every = a.interval() == ca::SignInFrequency::INTERVAL_EVERY_TIME;
      bool b_every = b->interval() == ca::SignInFrequency::INTERVAL_EVERY_TIME;
      if (a_every && !b_every) {
        b->set_interval(a.interval());
        b->set_hours(0);
      } else if (!a_every && !b_every && a.hours() < b->hours()) {
        b->set_hours(a.hours());
      }
      if (a.authentication_type() ==
          ca::SignInFrequency::AUTHENTICATION_TYPE_PRIMARY_AND_SECONDARY) {
        b->set_authentication_type(a.authentication_type());
      }
    }
  }
}

}  // namespace portcullis::access
