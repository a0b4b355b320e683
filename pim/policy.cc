#include "pim/policy.h"

#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
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
  // The first rule index of each id, and of each (type, caller, level).
  absl::flat_hash_map<std::string, int> first_with_id;
  absl::flat_hash_map<std::tuple<int, int, int>, int> first_of_kind;
  bool has_activation_expiration = false;

  for (int i = 0; i < policy.rules_size(); ++i) {
    const PolicyRule& rule = policy.rules(i);
    std::string where = absl::StrCat("rules[", i, "]");
    if (auto [it, added] = first_with_id.try_emplace(rule.id(), i); !added) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ".id: duplicate rule id \"", rule.id(), "\" (rules[", it->second,
          "].id has it too); expected each id once"));
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
        const std::string& first_id = policy.rules(it->second).id();
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": rule \"", rule.id(), "\" is ", KindText(rule.kind_case()),
            " for ", CallerText(caller), " ", LevelText(level), " like rules[",
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
    LevelRules* rules = nullptr;
    if (caller == CALLER_END_USER && level == LEVEL_ASSIGNMENT) {
      rules = &out.end_user_assignment_;
    } else if (caller == CALLER_ADMIN && level == LEVEL_ASSIGNMENT) {
      rules = &out.admin_assignment_;
    } else if (caller == CALLER_ADMIN && level == LEVEL_ELIGIBILITY) {
      rules = &out.admin_eligibility_;
    } else {
      // CALLER_NONE and end-user eligibility rules exist in the schema but no
      // request is judged by them.
      continue;
    }
    uint32_t operations = OperationsMask(rule.target());

    switch (rule.kind_case()) {
      case PolicyRule::kExpiration: {
        const ExpirationRule& expiration = rule.expiration();
        rules->expiration_operations = operations;
        rules->expiration_required = expiration.is_expiration_required();
        if (expiration.has_maximum_duration()) {
          absl::Duration maximum =
              internal::FromDurationProto(expiration.maximum_duration());
          if (maximum <= absl::ZeroDuration()) {
            return absl::InvalidArgumentError(absl::StrCat(
                where, ".maximumDuration: invalid value ",
                absl::FormatDuration(maximum), "; expected a positive duration"));
          }
          rules->maximum_duration = maximum;
        } else {
          rules->maximum_duration = absl::InfiniteDuration();
          if (expiration.is_expiration_required()) {
            return absl::InvalidArgumentError(absl::StrCat(
                where, ".maximumDuration: missing; expected an ISO 8601 "
                       "duration because isExpirationRequired is true"));
          }
        }
        if (caller == CALLER_END_USER) has_activation_expiration = true;
        break;
      }
      case PolicyRule::kEnablement:
        rules->enablement_operations = operations;
        rules->require_mfa = rules->require_justification =
            rules->require_ticketing = false;
        for (int enabled : rule.enablement().enabled_rules()) {
          if (enabled == ENABLED_RULE_MULTI_FACTOR_AUTHENTICATION) {
            rules->require_mfa = true;
          } else if (enabled == ENABLED_RULE_JUSTIFICATION) {
            rules->require_justification = true;
          } else if (enabled == ENABLED_RULE_TICKETING) {
            rules->require_ticketing = true;
          }
        }
        break;
      case PolicyRule::kApproval: {
        if (caller != CALLER_END_USER) break;
        const ApprovalRule& approval = rule.approval();
        out.approval_required_ = approval.is_approval_required() &&
                                 approval.approval_mode() != APPROVAL_MODE_NO_APPROVAL;
        out.approval_required_for_extension_ =
            approval.is_approval_required_for_extension();
        out.requestor_justification_required_ =
            approval.is_requestor_justification_required();
        out.approval_timeout_ = kDefaultApprovalTimeout;
        if (!approval.approval_stages().empty() &&
            approval.approval_stages(0).approval_stage_time_out_in_days() > 0) {
          out.approval_timeout_ =
              absl::Hours(24) *
              approval.approval_stages(0).approval_stage_time_out_in_days();
        }
        break;
      }
      case PolicyRule::kAuthenticationContext:
        if (caller != CALLER_END_USER) break;
        out.required_authentication_context_.clear();
        if (rule.authentication_context().is_enabled()) {
          if (rule.authentication_context().claim_value().empty()) {
            return absl::InvalidArgumentError(absl::StrCat(
                where, ".claimValue: missing; expected an authentication "
                       "context id such as \"c1\" because isEnabled is true"));
          }
          out.required_authentication_context_ =
              rule.authentication_context().claim_value();
        }
        break;
      default:
        break;
    }
  }

  if (!has_activation_expiration) {
    return absl::InvalidArgumentError(
        "rules: missing rule \"Expiration_EndUser_Assignment\"; expected the "
        "activation expiration rule, which bounds every activation");
  }
  return out;
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
