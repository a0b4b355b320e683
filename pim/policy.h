// A role management policy compiled for decisions.
//
// A PIM policy holds 17 predefined rules, one per (rule type, caller, level),
// named `<Type>_<Caller>_<Level>`: `Expiration_EndUser_Assignment` bounds
// activations, `Enablement_EndUser_Assignment` lists what an activation must
// carry (MFA, justification, ticket), `Approval_EndUser_Assignment` and
// `AuthenticationContext_EndUser_Assignment` gate activations, and the
// `_Admin_Assignment` and `_Admin_Eligibility` rules govern what admins
// assign. RolePolicy::Compile() checks that each rule's id, type and target
// agree and reduces the rules to the few values a decision reads:
//
//   absl::StatusOr<RolePolicy> policy = RolePolicy::Compile(imported);
//   policy->Rules(CALLER_END_USER, LEVEL_ASSIGNMENT).maximum_duration;
//
// Notification rules are kept in the message but do not change decisions.
#ifndef PORTCULLIS_PIM_POLICY_H_
#define PORTCULLIS_PIM_POLICY_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "proto/pim.pb.h"

namespace portcullis::pim {

// Returns the bit of `operation` in an operations mask.
constexpr uint32_t OperationBit(Operation operation) {
  return uint32_t{1} << static_cast<int>(operation);
}

// The operation a request action performs, as rule targets name them.
Operation OperationOf(Action action);

// The rules of one (caller, level) pair, reduced to what decisions read.
// Each rule applies to the operations in its mask; a rule that lists "All"
// (or no operations) applies to every operation.
struct LevelRules {
  // Expiration rule.
  uint32_t expiration_operations = 0;
  bool expiration_required = false;
  // absl::InfiniteDuration() when the rule sets no maximum. The maximum
  // bounds a request only while expiration is required: a policy that allows
  // permanent assignments carries a maximum that the portal ignores.
  absl::Duration maximum_duration = absl::InfiniteDuration();

  // Enablement rule.
  uint32_t enablement_operations = 0;
  bool require_mfa = false;
  bool require_justification = false;
  bool require_ticketing = false;

  // Whether the expiration (enablement) rule applies to `operation`.
  bool ExpirationAppliesTo(Operation operation) const {
    return (expiration_operations & OperationBit(operation)) != 0;
  }
  bool EnablementAppliesTo(Operation operation) const {
    return (enablement_operations & OperationBit(operation)) != 0;
  }
};

// Immutable after Compile(); thread-safe to read from several threads.
class RolePolicy {
 public:
  // The approval time limit when a stage sets none: approvers of Microsoft
  // Entra roles have 24 hours, which the default policy states as
  // approvalStageTimeOutInDays 1.
  static constexpr absl::Duration kDefaultApprovalTimeout = absl::Hours(24);

  // Compiles `policy.rules` and, when the export carries them,
  // `policy.effective_rules`, which then decide: they are the rules Azure
  // computed and applies. Errors name the rule by its JSON path and id: an
  // id that is not one of the 17 predefined ids; a rule whose id names one
  // caller, level or type and whose target or type names another; a target
  // whose operations leave out the operation the id governs (Activate for
  // the EndUser rules, Assign for the Admin ones); a duplicate rule id; a
  // second rule of one type for the same caller and level (naming both
  // rules), which would otherwise override the first depending on its
  // position; an expiration rule that requires expiration without a
  // positive maximumDuration; and a list without
  // Expiration_EndUser_Assignment, Enablement_EndUser_Assignment or
  // Approval_EndUser_Assignment, because Graph and ARM always return them
  // and a list without one lost the bound or the checks it holds.
  static absl::StatusOr<RolePolicy> Compile(const RoleManagementPolicy& policy);

  // The rules for `caller` at `level`: CALLER_END_USER with LEVEL_ASSIGNMENT
  // for activations, CALLER_ADMIN with LEVEL_ASSIGNMENT or
  // LEVEL_ELIGIBILITY for admin requests. Other pairs have no rules.
  const LevelRules& Rules(Caller caller, Level level) const;

  // Approval_EndUser_Assignment.
  bool approval_required() const { return approval_required_; }
  bool approval_required_for_extension() const {
    return approval_required_for_extension_;
  }
  bool requestor_justification_required() const {
    return requestor_justification_required_;
  }
  // How long a request may stay pending: the first stage's
  // approvalStageTimeOutInDays, or kDefaultApprovalTimeout when unset.
  absl::Duration approval_timeout() const { return approval_timeout_; }

  // AuthenticationContext_EndUser_Assignment: the claim value ("c1") an
  // activation must satisfy, or "" when the rule is disabled.
  const std::string& required_authentication_context() const {
    return required_authentication_context_;
  }

  const std::string& id() const { return id_; }

  // True when effectiveRules, not rules, were compiled.
  bool judged_by_effective_rules() const { return judged_by_effective_rules_; }

  // Checks that this policy governs requests for `role_definition_id` at
  // `scope`, both in the comparison form of pim/internal/ids.h. A policy
  // without a scope (a message built in code, or an export without
  // `scope`/`scopeId`) governs every scope, and one without a
  // roleDefinitionId every role. The error names `scope_text`, the
  // request's scope as written, and the policy's scope field.
  absl::Status CheckGoverns(absl::string_view role_definition_id,
                            absl::string_view scope,
                            absl::string_view scope_text) const;

 private:
  RolePolicy() = default;

  // Compiles one rule list; `path` names it in errors ("properties.rules").
  absl::Status CompileRules(const google::protobuf::RepeatedPtrField<PolicyRule>& rules,
                            absl::string_view path);
  // Reduces one rule of `caller` into `rules`.
  absl::Status CompileRule(const PolicyRule& rule, absl::string_view where,
                           Caller caller, uint32_t operations, LevelRules& rules);

  std::string id_;
  LevelRules end_user_assignment_;
  LevelRules admin_assignment_;
  LevelRules admin_eligibility_;
  LevelRules none_;
  bool approval_required_ = false;
  bool approval_required_for_extension_ = false;
  bool requestor_justification_required_ = false;
  absl::Duration approval_timeout_ = kDefaultApprovalTimeout;
  std::string required_authentication_context_;
  bool judged_by_effective_rules_ = false;
  // The policy's scope and role in comparison form (empty when unknown),
  // and the scope as written with the JSON path of its field.
  std::string scope_;
  std::string scope_text_;
  std::string scope_path_;
  std::string role_definition_id_;
};

}  // namespace portcullis::pim

#endif  // PORTCULLIS_PIM_POLICY_H_
