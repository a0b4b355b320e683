#include "pim/policy.h"

#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "pim/internal/ids.h"
#include "pim/internal/proto_time.h"

namespace portcullis::pim {
namespace {

absl::string_view CallerText(Caller caller) {
  switch (caller) {
    case CALLER_NONE:
      return "None";
    case CALLER_ADMIN:
      return "Admin";
    case CALLER_END_USER:
      return "EndUser";
    default:
      return "unspecified";
  }
}

absl::string_view LevelText(Level level) {
  switch (level) {
    case LEVEL_ELIGIBILITY:
      return "Eligibility";
    case LEVEL_ASSIGNMENT:
      return "Assignment";
    default:
      return "unspecified";
  }
}

// What a predefined rule id such as "Notification_Admin_EndUser_Assignment"
// says about its rule.
struct RuleIdParts {
  PolicyRule::KindCase kind = PolicyRule::KIND_NOT_SET;
  Caller caller = CALLER_UNSPECIFIED;
  Level level = LEVEL_UNSPECIFIED;
};

// Returns the parts of `id` when it is one of the 17 rule ids Microsoft
// predefines, or all-unspecified parts for any other id.
RuleIdParts ParseRuleId(absl::string_view id) {
  std::vector<absl::string_view> parts = absl::StrSplit(id, '_');
  RuleIdParts out;
  if (parts.size() < 3) return out;
  absl::string_view type = parts[0];
  if (type == "Expiration" && parts.size() == 3) {
    out.kind = PolicyRule::kExpiration;
  } else if (type == "Enablement" && parts.size() == 3) {
    out.kind = PolicyRule::kEnablement;
  } else if (type == "Approval" && parts.size() == 3) {
    out.kind = PolicyRule::kApproval;
  } else if (type == "AuthenticationContext" && parts.size() == 3) {
    out.kind = PolicyRule::kAuthenticationContext;
  } else if (type == "Notification" && parts.size() == 4 &&
             (parts[1] == "Admin" || parts[1] == "Requestor" ||
              parts[1] == "Approver")) {
    out.kind = PolicyRule::kNotification;
  } else {
    return RuleIdParts();
  }
  absl::string_view caller = parts[parts.size() - 2];
  absl::string_view level = parts[parts.size() - 1];
  if (caller == "Admin") out.caller = CALLER_ADMIN;
  if (caller == "EndUser") out.caller = CALLER_END_USER;
  if (level == "Eligibility") out.level = LEVEL_ELIGIBILITY;
  if (level == "Assignment") out.level = LEVEL_ASSIGNMENT;
  // The predefined pairs: Admin with either level and EndUser with
  // Assignment; approval and authentication context rules exist for
  // EndUser_Assignment only.
  bool end_user_assignment =
      out.caller == CALLER_END_USER && out.level == LEVEL_ASSIGNMENT;
  bool admin = out.caller == CALLER_ADMIN && out.level != LEVEL_UNSPECIFIED;
  bool only_end_user = out.kind == PolicyRule::kApproval ||
                       out.kind == PolicyRule::kAuthenticationContext;
  if (only_end_user ? !end_user_assignment : !(admin || end_user_assignment)) {
    return RuleIdParts();
  }
  return out;
}

absl::string_view KindText(PolicyRule::KindCase kind) {
  switch (kind) {
    case PolicyRule::kExpiration:
      return "an expiration rule";
    case PolicyRule::kEnablement:
      return "an enablement rule";
    case PolicyRule::kApproval:
      return "an approval rule";
    case PolicyRule::kAuthenticationContext:
      return "an authentication context rule";
    case PolicyRule::kNotification:
      return "a notification rule";
    default:
      return "no rule type";
  }
}

uint32_t OperationsMask(const RuleTarget& target) {
  if (target.operations().empty()) return ~uint32_t{0};
  uint32_t mask = 0;
  for (int operation : target.operations()) {
    if (operation == OPERATION_ALL) return ~uint32_t{0};
    mask |= OperationBit(static_cast<Operation>(operation));
  }
  return mask;
}

absl::string_view OperationText(Operation operation) {
  switch (operation) {
    case OPERATION_ALL:
      return "All";
    case OPERATION_ACTIVATE:
      return "Activate";
    case OPERATION_DEACTIVATE:
      return "Deactivate";
    case OPERATION_ASSIGN:
      return "Assign";
    case OPERATION_UPDATE:
      return "Update";
    case OPERATION_REMOVE:
      return "Remove";
    case OPERATION_EXTEND:
      return "Extend";
    case OPERATION_RENEW:
      return "Renew";
    default:
      return "unspecified";
  }
}

// The operations of `target` as a JSON array, such as ["Deactivate"].
std::string OperationsText(const RuleTarget& target) {
  std::vector<std::string> names;
  for (int operation : target.operations()) {
    names.push_back(absl::StrCat("\"", OperationText(static_cast<Operation>(operation)), "\""));
  }
  return absl::StrCat("[", absl::StrJoin(names, ", "), "]");
}

}  // namespace

Operation OperationOf(Action action) {
  switch (action) {
    case ACTION_SELF_ACTIVATE:
      return OPERATION_ACTIVATE;
    case ACTION_SELF_DEACTIVATE:
      return OPERATION_DEACTIVATE;
    case ACTION_ADMIN_ASSIGN:
      return OPERATION_ASSIGN;
    case ACTION_ADMIN_UPDATE:
      return OPERATION_UPDATE;
    case ACTION_ADMIN_REMOVE:
      return OPERATION_REMOVE;
    case ACTION_ADMIN_EXTEND:
    case ACTION_SELF_EXTEND:
      return OPERATION_EXTEND;
    case ACTION_ADMIN_RENEW:
    case ACTION_SELF_RENEW:
      return OPERATION_RENEW;
    default:
      return OPERATION_UNSPECIFIED;
  }
}

absl::StatusOr<RolePolicy> RolePolicy::Compile(
    const RoleManagementPolicy& policy) {
  RolePolicy out;
  out.id_ = policy.id();
  out.scope_ = internal::NormalizeScope(policy.scope_id());
  out.scope_text_ = policy.scope_id();
  out.scope_path_ = policy.scope_path().empty() ? "scope" : policy.scope_path();
  if (!policy.role_definition_id().empty()) {
    out.role_definition_id_ = internal::NormalizeId(policy.role_definition_id());
  }

  // The rules that `rules` lists must compile even when the computed
  // effectiveRules decide.
  const std::string rules_path =
      policy.rules_path().empty() ? "rules" : policy.rules_path();
  RolePolicy from_rules = out;
  if (absl::Status s = from_rules.CompileRules(policy.rules(), rules_path); !s.ok()) {
    return s;
  }
  if (policy.effective_rules().empty()) return from_rules;

  // effectiveRules are the rules Azure computed and applies, which may be
  // stricter than `rules` (a tenant-wide setting, for example), so they
  // decide when the export carries them.
  const std::string effective_path = policy.effective_rules_path().empty()
                                          ? "effectiveRules"
                                          : policy.effective_rules_path();
  out.judged_by_effective_rules_ = true;
  if (absl::Status s = out.CompileRules(policy.effective_rules(), effective_path);
      !s.ok()) {
    return s;
  }
  return out;
}

absl::Status RolePolicy::CompileRules(
    const google::protobuf::RepeatedPtrField<PolicyRule>& rules,
    absl::string_view path) {
  // The first rule index of each id, and of each (type, caller, level).
  absl::flat_hash_map<std::string, int> first_with_id;
  absl::flat_hash_map<std::tuple<int, int, int>, int> first_of_kind;

  for (int i = 0; i < rules.size(); ++i) {
    const PolicyRule& rule = rules[i];
    std::string where = absl::StrCat(path, "[", i, "]");
    if (auto [it, added] = first_with_id.try_emplace(rule.id(), i); !added) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ".id: duplicate rule id \"", rule.id(), "\" (", path, "[",
          it->second, "].id has it too); expected each id once"));
    }

    // The id, the type and the target must agree; a target without caller or
    // level (as some ARM exports send) takes them from the id.
    RuleIdParts parts = ParseRuleId(rule.id());
    Caller caller = rule.target().caller();
    Level level = rule.target().level();
    if (parts.kind != PolicyRule::KIND_NOT_SET) {
      if (rule.kind_case() != parts.kind) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": rule \"", rule.id(), "\" is ", KindText(rule.kind_case()),
            "; expected ", KindText(parts.kind), " as its id says"));
      }
      if (caller != CALLER_UNSPECIFIED && caller != parts.caller) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ".target.caller: invalid value \"", CallerText(caller),
            "\"; expected \"", CallerText(parts.caller), "\" for rule \"",
            rule.id(), "\""));
      }
      if (level != LEVEL_UNSPECIFIED && level != parts.level) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ".target.level: invalid value \"", LevelText(level),
            "\"; expected \"", LevelText(parts.level), "\" for rule \"",
            rule.id(), "\""));
      }
      caller = parts.caller;
      level = parts.level;
    }
    // With two rules of one type for the same caller and level, the one
    // listed last would win. So a second rule, such as an extra approval
    // rule under an id of its own, is an error rather than an override.
    if (rule.kind_case() != PolicyRule::kNotification &&
        rule.kind_case() != PolicyRule::KIND_NOT_SET &&
        caller != CALLER_UNSPECIFIED && level != LEVEL_UNSPECIFIED) {
      auto [it, added] = first_of_kind.try_emplace(
          std::make_tuple(static_cast<int>(rule.kind_case()), static_cast<int>(caller),
                          static_cast<int>(level)),
          i);
      if (!added) {
        const std::string& first_id = rules[it->second].id();
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": rule \"", rule.id(), "\" is ", KindText(rule.kind_case()),
            " for ", CallerText(caller), " ", LevelText(level), " like ", path, "[",
            it->second, "] \"", first_id,
            "\"; expected one rule of each type per caller and level"));
      }
    }
    if (parts.kind == PolicyRule::KIND_NOT_SET) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ".id: invalid value \"", rule.id(),
          "\"; expected one of the rule ids PIM predefines, such as "
          "\"Expiration_EndUser_Assignment\" or \"Approval_EndUser_Assignment\""));
    }
    if (rule.kind_case() == PolicyRule::kNotification) continue;

    // The id fixes the requests a rule governs: activations for the EndUser
    // rules, assignments for the Admin ones. A target whose operations leave
    // that operation out would let it pass unchecked.
    uint32_t operations = OperationsMask(rule.target());
    Operation governed = caller == CALLER_END_USER ? OPERATION_ACTIVATE : OPERATION_ASSIGN;
    if ((operations & OperationBit(governed)) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ".target.operations: invalid value ", OperationsText(rule.target()),
          "; expected \"All\" or \"", OperationText(governed), "\", because rule \"",
          rule.id(), "\" governs every ",
          governed == OPERATION_ACTIVATE ? "activation" : "admin assignment"));
    }

    LevelRules* level_rules = nullptr;
    if (caller == CALLER_END_USER && level == LEVEL_ASSIGNMENT) {
      level_rules = &end_user_assignment_;
    } else if (caller == CALLER_ADMIN && level == LEVEL_ASSIGNMENT) {
      level_rules = &admin_assignment_;
    } else if (caller == CALLER_ADMIN && level == LEVEL_ELIGIBILITY) {
      level_rules = &admin_eligibility_;
    } else {
      // CALLER_NONE and end-user eligibility rules exist in the schema but no
      // request is judged by them.
      continue;
    }
    if (absl::Status s = CompileRule(rule, where, caller, operations, *level_rules);
        !s.ok()) {
      return s;
    }
  }

  // Graph and ARM return every predefined rule, so a policy without one of
  // the rules that gate activations is a truncated or filtered export.
  // Reading it as "nothing required" would drop the bound, MFA,
  // justification, ticket or approval that the policy requires.
  for (const auto& [id, what] :
       {std::pair<absl::string_view, absl::string_view>{
            "Expiration_EndUser_Assignment",
            "the activation expiration rule, which bounds every activation"},
        {"Enablement_EndUser_Assignment",
         "the activation enablement rule, which lists the MFA, justification "
         "and ticket every activation needs"},
        {"Approval_EndUser_Assignment",
         "the activation approval rule, which says whether activations need "
         "approval"}}) {
    if (!first_with_id.contains(id)) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": missing rule \"", id, "\"; expected ", what));
    }
  }
  return absl::OkStatus();
}

absl::Status RolePolicy::CompileRule(const PolicyRule& rule, absl::string_view where,
                                     Caller caller, uint32_t operations,
                                     LevelRules& rules) {
  switch (rule.kind_case()) {
    case PolicyRule::kExpiration: {
      const ExpirationRule& expiration = rule.expiration();
      // PIM activations always expire, so a rule that lets one run without
      // an end did not come from PIM.
      if (&rules == &end_user_assignment_ && !expiration.is_expiration_required()) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ".isExpirationRequired: invalid value false; expected true, because "
                   "PIM activations always expire"));
      }
      rules.expiration_operations = operations;
      rules.expiration_required = expiration.is_expiration_required();
      if (expiration.has_maximum_duration()) {
        absl::Duration maximum =
            internal::FromDurationProto(expiration.maximum_duration());
        if (maximum <= absl::ZeroDuration()) {
          return absl::InvalidArgumentError(absl::StrCat(
              where, ".maximumDuration: invalid value ",
              absl::FormatDuration(maximum), "; expected a positive duration"));
        }
        rules.maximum_duration = maximum;
        // PIM lets administrators set the activation maximum from 30 minutes
        // to 24 hours, so a value outside that range did not come from PIM.
        if (&rules == &end_user_assignment_ &&
            (maximum < absl::Minutes(30) || maximum > absl::Hours(24))) {
          return absl::InvalidArgumentError(absl::StrCat(
              where, ".maximumDuration: invalid value ", absl::FormatDuration(maximum),
              "; expected an activation maximum from 30 minutes to 24 hours (PT30M to "
              "PT24H), the range PIM allows"));
        }
      } else {
        rules.maximum_duration = absl::InfiniteDuration();
        if (expiration.is_expiration_required()) {
          return absl::InvalidArgumentError(absl::StrCat(
              where, ".maximumDuration: missing; expected an ISO 8601 "
                     "duration because isExpirationRequired is true"));
        }
      }
      break;
    }
    case PolicyRule::kEnablement:
      rules.enablement_operations = operations;
      rules.require_mfa = rules.require_justification = rules.require_ticketing = false;
      for (int enabled : rule.enablement().enabled_rules()) {
        if (enabled == ENABLED_RULE_MULTI_FACTOR_AUTHENTICATION) {
          rules.require_mfa = true;
        } else if (enabled == ENABLED_RULE_JUSTIFICATION) {
          rules.require_justification = true;
        } else if (enabled == ENABLED_RULE_TICKETING) {
          rules.require_ticketing = true;
        }
      }
      break;
    case PolicyRule::kApproval: {
      if (caller != CALLER_END_USER) break;
      const ApprovalRule& approval = rule.approval();
      // isApprovalRequired decides, whatever the approvalMode. A policy that
      // sets it with approvalMode "NoApproval" contradicts itself, and only
      // the strict reading cannot skip an approver.
      approval_required_ = approval.is_approval_required();
      approval_required_for_extension_ = approval.is_approval_required_for_extension();
      requestor_justification_required_ = approval.is_requestor_justification_required();
      approval_timeout_ = kDefaultApprovalTimeout;
      if (!approval.approval_stages().empty() &&
          approval.approval_stages(0).approval_stage_time_out_in_days() > 0) {
        approval_timeout_ =
            absl::Hours(24) * approval.approval_stages(0).approval_stage_time_out_in_days();
      }
      break;
    }
    case PolicyRule::kAuthenticationContext:
      if (caller != CALLER_END_USER) break;
      required_authentication_context_.clear();
      if (rule.authentication_context().is_enabled()) {
        if (rule.authentication_context().claim_value().empty()) {
          return absl::InvalidArgumentError(absl::StrCat(
              where, ".claimValue: missing; expected an authentication "
                     "context id such as \"c1\" because isEnabled is true"));
        }
        required_authentication_context_ = rule.authentication_context().claim_value();
      }
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

absl::Status RolePolicy::CheckGoverns(absl::string_view role_definition_id,
                                      absl::string_view scope,
                                      absl::string_view scope_text) const {
  if (!scope_.empty() && scope_ != scope) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the request's scope \"", scope_text, "\" differs from the policy's ", scope_path_, " \"",
        scope_text_,
        "\"; expected the policy of the request's own scope, because PIM keeps one "
        "policy per role and scope and a scope does not inherit another's settings"));
  }
  if (!role_definition_id_.empty() && role_definition_id_ != role_definition_id) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the request's roleDefinitionId \"", role_definition_id,
        "\" differs from the policy's roleDefinitionId \"", role_definition_id_,
        "\"; expected the policy of the request's role"));
  }
  return absl::OkStatus();
}

const LevelRules& RolePolicy::Rules(Caller caller, Level level) const {
  if (caller == CALLER_END_USER && level == LEVEL_ASSIGNMENT) {
    return end_user_assignment_;
  }
  if (caller == CALLER_ADMIN && level == LEVEL_ASSIGNMENT) return admin_assignment_;
  if (caller == CALLER_ADMIN && level == LEVEL_ELIGIBILITY) {
    return admin_eligibility_;
  }
  return none_;
}

}  // namespace portcullis::pim
