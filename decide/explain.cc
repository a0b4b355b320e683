#include "decide/explain.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "access/ca_controls.h"
#include "nsg/model.h"
#include "pim/decision.h"
#include "pim/internal/ids.h"
#include "pim/request_status.h"
#include "schedule/rfc3339.h"

namespace portcullis::decide {
namespace {

std::string Time(absl::Time time) {
  if (time == absl::InfiniteFuture()) return "never";
  if (time == absl::InfinitePast()) return "the beginning of time";
  return schedule::FormatRfc3339(time);
}

std::string Quoted(absl::string_view text) { return absl::StrCat("\"", text, "\""); }

// The display name of a role definition id, or the id itself.
std::string RoleName(const Snapshot& snapshot, absl::string_view role_id) {
  if (snapshot.rbac().has_value()) {
    const rbac::RoleDefinition* role = snapshot.rbac()->FindRoleDefinition(role_id);
    if (role != nullptr && !role->role_name().empty()) return Quoted(role->role_name());
  }
  return std::string(role_id);
}

std::string PolicyName(const ca::Policy& policy) {
  if (policy.display_name().empty()) return Quoted(policy.id());
  return absl::StrCat(Quoted(policy.display_name()), " (", policy.id(), ")");
}

// Describes what a sign-in is for: its applications, user action or
// authentication context.
std::string TargetText(const access::SignIn& sign_in) {
  switch (sign_in.target) {
    case access::SignIn::Target::kApplications:
      if (sign_in.application_ids.empty()) return "no application";
      return absl::StrCat(sign_in.application_ids.size() == 1 ? "application " : "applications ",
                          absl::StrJoin(sign_in.application_ids, ", "));
    case access::SignIn::Target::kUserAction:
      return sign_in.user_action == access::SignIn::UserAction::kRegisterOrJoinDevices
                 ? "the user action registerOrJoinDevices"
                 : "the user action registerSecurityInformation";
    case access::SignIn::Target::kAuthenticationContext:
      return absl::StrCat("authentication context ", sign_in.authentication_context);
    case access::SignIn::Target::kNotSupplied:
      break;
  }
  return "no target";
}

void ExplainConditionalAccess(const Snapshot& snapshot, const Attempt& attempt,
                              const Decision& decision, LayerReport& report) {
  const CompiledConditionalAccess& ca = *snapshot.conditional_access();
  if (decision.ca.address == CaDetail::Address::kConflict) {
    const std::string own = attempt.sign_in->ip_address->ToString();
    const std::string source = attempt.source.ToString();
    report.reasons.push_back(absl::StrCat(
        "the sign-in's IP address ", own, " differs from the connection's source ", source,
        ", and location conditions must judge the address the NSGs judge, so the attempt "
        "is denied without evaluating the policies"));
    report.facts.push_back({"signInAddress", own});
    report.facts.push_back({"source", source});
    return;
  }
  if (decision.ca.target == CaDetail::Target::kOther) {
    const std::string target = TargetText(*attempt.sign_in);
    report.reasons.push_back(absl::StrCat(
        "the sign-in is for ", target, ", but a session through Azure Bastion and a JIT "
        "request sign in to the Windows Azure Service Management API (",
        kAzureManagementAppId, "), so the attempt is denied without evaluating the policies"));
    report.facts.push_back({"signInTarget", target});
    return;
  }
  std::optional<access::SignIn> storage;
  const access::SignIn& sign_in = SignInForAttempt(attempt, storage);
  absl::StatusOr<access::WhatIfResult> explained =
      ca.policies.Explain(sign_in, decision.now, ca.mode);
  if (!explained.ok()) {
    report.reasons.emplace_back(explained.status().message());
    return;
  }
  const access::WhatIfResult& what_if = *explained;
  // The requirements come from the reading that decided: the lenient one
  // when strict mode skipped the deciding policy for missing facts.
  absl::StatusOr<access::WhatIfResult> lenient = explained;
  if (decision.ca.missing_facts) {
    lenient = ca.policies.Explain(sign_in, decision.now, access::EvaluationMode::kLenient);
    if (!lenient.ok()) {
      report.reasons.emplace_back(lenient.status().message());
      return;
    }
  }
  const std::vector<std::string>& requirements = lenient->requirements;
  const std::vector<ca::Policy>& policies = ca.policies.policies();
  const int deciding = decision.ca.decision.deciding_policy;
  const std::string skipped =
      decision.ca.missing_facts
          ? std::string(" if it applies, and strict mode skipped it for missing facts "
                        "(notEnoughInformation), which never leads to an allow")
          : std::string();

  switch (decision.ca.decision.outcome) {
    case access::Outcome::kBlock:
      report.reasons.push_back(absl::StrCat("policy ", PolicyName(policies[deciding]),
                                            " blocks the sign-in", skipped));
      report.facts.push_back({"policy", policies[deciding].id()});
      break;
    case access::Outcome::kRequirements: {
      std::vector<std::string> unmet =
          access::UnmetControlNames(ca.policies.grant(deciding), decision.ca.grant);
      report.reasons.push_back(absl::StrCat(
          "policy ", PolicyName(policies[deciding]), " requires ",
          absl::StrJoin(unmet, " and "), ", which the sign-in has not satisfied", skipped));
      report.reasons.push_back(absl::StrCat("unmet controls of every applying policy: ",
                                            absl::StrJoin(requirements, ", ")));
      report.facts.push_back({"policy", policies[deciding].id()});
      report.facts.push_back({"requirements", absl::StrJoin(requirements, ",")});
      break;
    }
    case access::Outcome::kAllow:
      report.reasons.push_back(
          "no enforced policy blocks the sign-in or requires a control it lacks");
      break;
  }
  if (decision.ca.target == CaDetail::Target::kFilled) {
    report.reasons.push_back(absl::StrCat(
        "the sign-in names no application, so it is judged as a sign-in to the Windows "
        "Azure Service Management API (", kAzureManagementAppId, ")"));
  }
  if (decision.ca.address == CaDetail::Address::kSource) {
    report.reasons.push_back(absl::StrCat(
        "the sign-in has no IP address, so location conditions judge the connection's "
        "source ", attempt.source.ToString()));
    report.facts.push_back({"signInAddress", attempt.source.ToString()});
  }
  std::vector<std::string> not_evaluated;
  for (const access::PolicyResult& result : what_if.policies) {
    const uint32_t missing = uint32_t{1}
                             << static_cast<int>(access::WhatIfReason::kNotEnoughInformation);
    if (!result.applies && (result.reasons & missing) != 0) {
      report.reasons.push_back(absl::StrCat(
          "strict mode skipped policy ", PolicyName(policies[result.policy]), " (",
          result.ResultName(), ": ", absl::StrJoin(result.ReasonNames(), ", "), ")"));
      not_evaluated.push_back(policies[result.policy].id());
    }
    if (!result.applies) continue;
    report.reasons.push_back(absl::StrCat(
        "policy ", PolicyName(policies[result.policy]), " applies (",
        result.ResultName(), ")"));
  }
  if (!not_evaluated.empty()) {
    report.facts.push_back({"notEnoughInformation", absl::StrJoin(not_evaluated, ",")});
  }
}

// The message of the error that made Conditional Access evaluation fail
// for `decision`, evaluated again.
std::string CaEvaluationError(const Snapshot& snapshot, const Attempt& attempt,
                              const Decision& decision) {
  const CompiledConditionalAccess& ca = *snapshot.conditional_access();
  std::optional<access::SignIn> storage;
  const access::SignIn& sign_in = SignInForAttempt(attempt, storage);
  absl::Status status = ca.policies.Explain(sign_in, decision.now, ca.mode).status();
  if (status.ok()) {
    status = ca.policies.Explain(sign_in, decision.now, access::EvaluationMode::kLenient)
                 .status();
  }
  return std::string(status.message());
}

std::string ReasonCodes(const pim::ReasonList& reasons) {
  std::vector<std::string> codes;
  for (pim::Reason reason : reasons) codes.emplace_back(pim::ReasonName(reason));
  return absl::StrJoin(codes, ",");
}

// The last segment of a request's id, or "" when it has none.
absl::string_view RequestName(const pim::ScheduleRequest& message) {
  absl::string_view name = message.id();
  if (size_t slash = name.rfind('/'); slash != absl::string_view::npos) {
    name = name.substr(slash + 1);
  }
  return name;
}

// The reason for a granted or scheduled activation: in force, not started
// yet, ended, or ended early by a deactivation request.
std::string WindowReason(const Snapshot& snapshot, const Decision& decision,
                         const std::string& request, const std::string& role) {
  const pim::ActivationDecision& activation = decision.pim.activation;
  const schedule::Window& window = activation.window;
  if (decision.pim.deactivation >= 0) {
    const CompiledPim& pim = *snapshot.pim();
    absl::string_view name = RequestName(pim.request_messages[decision.pim.deactivation]);
    absl::Time processed = pim.processed_at[decision.pim.deactivation];
    std::string ended = processed == absl::InfinitePast()
                            ? std::string(" ended it")
                            : absl::StrCat(" ended it at ", Time(processed));
    // A scheduled activation can be removed before its window opens.
    if (processed != absl::InfinitePast() && processed < window.start) {
      ended = absl::StrCat(" removed it at ", Time(processed), ", before it started");
    }
    return absl::StrCat(request, " activated role ", role, " for [", Time(window.start),
                        ", ", Time(window.end), "), but deactivation request ",
                        name.empty() ? absl::StrCat(decision.pim.deactivation) : name,
                        ended);
  }
  if (window.Contains(decision.now)) {
    return absl::StrCat(request, " activates role ", role, " from ", Time(window.start),
                        " until ", Time(window.end));
  }
  if (decision.now < window.start) {
    return absl::StrCat(request, " is scheduled: role ", role, " becomes active at ",
                        Time(window.start));
  }
  return absl::StrCat(request, " activated role ", role, " for [", Time(window.start),
                      ", ", Time(window.end), "), which ended before ",
                      Time(decision.now));
}

// The state of the judged activation at `now`: "granted" while its window
// contains `now`, "scheduled" before, "ended" after it or after a
// deactivation, and PIM's outcome ("pending", "refused") otherwise. An
// approval deadline that has passed gives "refused".
std::string ActivationState(const Decision& decision) {
  const pim::ActivationDecision& activation = decision.pim.activation;
  switch (activation.outcome) {
    case pim::Outcome::kGranted:
    case pim::Outcome::kScheduled:
      if (decision.pim.deactivation >= 0) return "ended";
      if (decision.now < activation.window.start) return "scheduled";
      return activation.window.Contains(decision.now) ? "granted" : "ended";
    case pim::Outcome::kPending:
      return decision.now < activation.approval_deadline ? "pending" : "refused";
    case pim::Outcome::kRefused:
      break;
  }
  return "refused";
}

void ExplainRequest(const Snapshot& snapshot, const Decision& decision,
                    LayerReport& report) {
  const CompiledPim& pim = *snapshot.pim();
  const pim::ActivationDecision& activation = decision.pim.activation;
  const pim::ScheduleRequest& message = pim.request_messages[decision.pim.request];
  std::string role = RoleName(snapshot, message.role_definition_id());
  absl::string_view name = RequestName(message);
  std::string request = name.empty()
                            ? absl::StrCat("activation request ", decision.pim.request)
                            : absl::StrCat("activation request ", name);
  report.facts.push_back({"basis", "request"});
  report.facts.push_back({"request", message.id()});
  if (pim.requests[decision.pim.request].status == pim::RequestStatus::kNoActivation) {
    report.reasons.push_back(absl::StrCat(request, " for role ", role, " has status ",
                                          message.status(), ", so it activates nothing"));
    report.facts.push_back({"activation", "refused"});
    report.facts.push_back({"status", message.status()});
    return;
  }

  switch (activation.outcome) {
    case pim::Outcome::kGranted:
    case pim::Outcome::kScheduled:
      report.reasons.push_back(WindowReason(snapshot, decision, request, role));
      break;
    case pim::Outcome::kPending:
      if (decision.now < activation.approval_deadline) {
        report.reasons.push_back(absl::StrCat(request, " for role ", role,
                                              " awaits approval until ",
                                              Time(activation.approval_deadline)));
      } else {
        report.reasons.push_back(absl::StrCat(
            request, " for role ", role, " awaited approval until ",
            Time(activation.approval_deadline),
            ", and PIM denies a request that is not approved by then"));
      }
      break;
    case pim::Outcome::kRefused:
      report.reasons.push_back(absl::StrCat(request, " for role ", role,
                                            " is refused: ",
                                            activation.reasons.ToString()));
      if (activation.reasons.Contains(pim::Reason::kOutsideWorkWindow)) {
        // The opening follows the processing time, which may lie well before
        // `now`: then it is history too.
        const absl::Time opening = activation.next_work_window_opening;
        report.reasons.push_back(
            opening > decision.now
                ? absl::StrCat("activations may start only in work hours; the next work "
                               "window opens at ",
                               Time(opening))
                : absl::StrCat("activations may start only in work hours; when PIM "
                               "processed the request, the next work window was to open at ",
                               Time(opening), ", which has passed"));
      }
      break;
  }
  report.facts.push_back({"activation", ActivationState(decision)});
  if (!message.status().empty()) report.facts.push_back({"status", message.status()});
  report.facts.push_back({"reasonCodes", ReasonCodes(activation.reasons)});
  if (activation.outcome != pim::Outcome::kRefused) {
    report.facts.push_back({"start", Time(activation.window.start)});
    report.facts.push_back({"end", Time(activation.window.end)});
  }
  if (activation.outcome == pim::Outcome::kPending) {
    report.facts.push_back({"approvalDeadline", Time(activation.approval_deadline)});
  }
  if (pim.processed_at[decision.pim.request] != absl::InfinitePast()) {
    report.facts.push_back({"processedAt", Time(pim.processed_at[decision.pim.request])});
  }
  if (decision.pim.deactivation >= 0) {
    report.facts.push_back(
        {"deactivatedBy", pim.request_messages[decision.pim.deactivation].id()});
  }
  if (activation.reasons.Contains(pim::Reason::kOutsideWorkWindow)) {
    report.facts.push_back({"nextOpening", Time(activation.next_work_window_opening)});
  }
}

// Names the granted activations of other roles or scopes than the one
// explained: the rbac layer counts their roles too.
void ExplainOtherActivations(const Snapshot& snapshot, const access::SignIn* sign_in,
                             const Decision& decision, LayerReport& report) {
  const CompiledPim& pim = *snapshot.pim();
  std::vector<std::string> ids;
  for (int i = 0; i < decision.pim.granted_count; ++i) {
    const int index = decision.pim.granted[i];
    if (index == decision.pim.request) continue;
    const pim::ScheduleRequest& message = pim.request_messages[index];
    absl::string_view name = RequestName(message);
    pim::RequestContext context;
    context.now = pim.processed_at[index];
    context.mfa_satisfied =
        sign_in != nullptr &&
        (sign_in->satisfied.built_in & access::ControlBit(ca::BUILT_IN_CONTROL_MFA)) != 0;
    const schedule::Window window = pim.evaluator->Decide(pim.requests[index], context).window;
    report.reasons.push_back(absl::StrCat(
        "activation request ", name.empty() ? absl::StrCat(index) : name,
        " also activates role ", RoleName(snapshot, message.role_definition_id()), " at ",
        message.directory_scope_id().empty() ? absl::StrCat("/app:", message.app_scope_id())
                                             : message.directory_scope_id(),
        " from ", Time(window.start), " until ", Time(window.end)));
    ids.push_back(message.id());
  }
  if (!ids.empty()) report.facts.push_back({"alsoActivatedBy", absl::StrJoin(ids, ",")});
}

// Returns why active instance `index` gives the PIM layer nothing for the
// decision's VM at its `now`, or "" when it counts or belongs to neither
// the user nor a user's group.
std::string WhyInstanceDoesNotCount(const Snapshot& snapshot, const access::SignIn& sign_in,
                                    int index, const Decision& decision) {
  const absl::Time now = decision.now;
  const pim::CompiledInstance& instance =
      snapshot.pim()->evaluator->active_instances()[index];
  const std::string name = absl::StrCat(
      "active instance '", instance.id, "' of role ",
      RoleName(snapshot, instance.role_definition_id), " at ", instance.scope);
  if (!absl::EqualsIgnoreCase(instance.principal_id, sign_in.user_id)) {
    for (const std::string& group : sign_in.group_ids) {
      if (!absl::EqualsIgnoreCase(group, instance.principal_id)) continue;
      return absl::StrCat(
          name, " is assigned to group ", group,
          ", which the user belongs to; the PIM layer counts only instances "
          "assigned to the user, although the RBAC layer grants the group's role");
    }
    return "";
  }
  if (!instance.in_force()) {
    return absl::StrCat(name, " has status ", instance.status_text,
                        ", so it gives nothing");
  }
  bool eligible = false;
  for (const pim::CompiledInstance& eligibility : snapshot.pim()->evaluator->eligibilities()) {
    eligible = eligible ||
               (eligibility.in_force() &&
                absl::EqualsIgnoreCase(eligibility.principal_id, sign_in.user_id) &&
                absl::EqualsIgnoreCase(eligibility.role_definition_id,
                                       instance.role_definition_id));
  }
  if (!eligible) {
    return absl::StrCat(name, " is not of a role the user is eligible for, so it does not ",
                        "activate the eligible role");
  }
  if (decision.vm < 0) {
    return absl::StrCat(name, " does not count, because the snapshot has no VM with the ",
                        "attempt's VM id");
  }
  const CompiledVm& vm = snapshot.vms()[decision.vm];
  if (!pim::internal::ScopeCovers(instance.scope, vm.pim_scope)) {
    return absl::StrCat(name, " does not cover VM ", vm.vm_id,
                        ", which lies outside that scope");
  }
  if (now < instance.window.start) {
    return absl::StrCat(name, " starts at ", Time(instance.window.start),
                        ", which is after now");
  }
  const absl::Time until = snapshot.pim()->active_until[index];
  if (until < instance.window.end) {
    return absl::StrCat(name, " was ended at ", Time(until), " by a deactivation request");
  }
  return absl::StrCat(name, " ended at ", Time(instance.window.end),
                      ", which is not after now");
}

void ExplainPim(const Snapshot& snapshot, const access::SignIn* sign_in,
                const Decision& decision, LayerReport& report) {
  const pim::ActivationEvaluator& evaluator = *snapshot.pim()->evaluator;
  switch (decision.pim.basis) {
    case PimDetail::Basis::kActiveInstance: {
      const pim::CompiledInstance& instance =
          evaluator.active_instances()[decision.pim.instance];
      // Earlier than the instance's end when a deactivation ends it.
      const absl::Time until = snapshot.pim()->active_until[decision.pim.instance];
      report.reasons.push_back(absl::StrCat(
          "an active assignment of role ", RoleName(snapshot, instance.role_definition_id),
          " at ", instance.scope, " holds from ", Time(instance.window.start), " until ",
          Time(until)));
      report.facts.push_back({"basis", "activeInstance"});
      report.facts.push_back({"start", Time(instance.window.start)});
      report.facts.push_back({"end", Time(until)});
      return ExplainOtherActivations(snapshot, sign_in, decision, report);
    }
    case PimDetail::Basis::kRequest:
      ExplainRequest(snapshot, decision, report);
      return ExplainOtherActivations(snapshot, sign_in, decision, report);
    case PimDetail::Basis::kEligibleOnly: {
      const pim::CompiledInstance& instance =
          evaluator.eligibilities()[decision.pim.instance];
      std::vector<std::string> unused;
      for (size_t i = 0; sign_in != nullptr && i < evaluator.active_instances().size(); ++i) {
        std::string why =
            WhyInstanceDoesNotCount(snapshot, *sign_in, static_cast<int>(i), decision);
        if (!why.empty()) unused.push_back(std::move(why));
      }
      report.reasons.push_back(absl::StrCat(
          "the user is eligible for role ", RoleName(snapshot, instance.role_definition_id),
          " at ", instance.scope,
          unused.empty() ? " but has neither an active assignment nor an activation request"
                         : " but has no active assignment in force now and no "
                           "activation request"));
      for (std::string& why : unused) report.reasons.push_back(std::move(why));
      report.facts.push_back({"basis", "eligibleOnly"});
      return;
    }
    case PimDetail::Basis::kNone:
      report.reasons.push_back(
          "the user has no PIM eligibility and no activation request; the rbac layer "
          "decides from standing role assignments and active PIM assignments");
      return;
  }
}

// "role "Reader" assigned at /subscriptions/...", for the assignment that
// granted `decision`.
std::string GrantText(const rbac::Policy& policy, const rbac::Decision& decision) {
  if (decision.assignment < 0 ||
      decision.assignment >= policy.input().role_assignments_size()) {
    return "an assignment";
  }
  const rbac::RoleAssignment& assignment =
      policy.input().role_assignments(decision.assignment);
  const rbac::RoleDefinition* role =
      policy.FindRoleDefinition(assignment.role_definition_id());
  std::string name = role != nullptr && !role->role_name().empty()
                         ? Quoted(role->role_name())
                         : assignment.role_definition_id();
  return absl::StrCat("role ", name, " assigned at ", assignment.scope());
}

void ExplainRbac(const Snapshot& snapshot, const Attempt& attempt,
                 const Decision& decision, LayerReport& report) {
  const CompiledVm& vm = snapshot.vms()[decision.vm];
  const std::vector<RbacCheck>& checks =
      attempt.via_bastion ? vm.bastion_checks : vm.direct_checks;
  auto check_of = [&](const RbacCheckResult& result) -> const RbacCheck& {
    if (result.check == kUserLoginCheck) return vm.user_login;
    if (result.check == kAdminLoginCheck) return vm.admin_login;
    return checks[result.check];
  };
  // The roles of the activations the PIM layer granted.
  std::vector<const rbac::Policy*> activations;
  if (decision.layer(Layer::kPim).outcome == LayerOutcome::kAllow &&
      !snapshot.pim()->request_grants.empty()) {
    for (int i = 0; i < decision.pim.granted_count; ++i) {
      activations.push_back(&snapshot.pim()->request_grants[decision.pim.granted[i]]);
    }
  }
  auto policy_of = [&](const RbacCheckResult& result) -> const rbac::Policy& {
    return result.through_activation ? snapshot.pim()->request_grants[result.activation]
                                     : *snapshot.rbac();
  };
  auto request_of = [&](const RbacCheckResult& result) {
    const RbacCheck& check = check_of(result);
    rbac::Request request;
    request.principal_id = attempt.sign_in->user_id;
    request.group_ids = absl::MakeConstSpan(attempt.sign_in->group_ids);
    request.groups_known = access::GroupMembershipKnown(*attempt.sign_in);
    request.action = check.action;
    request.plane = check.plane;
    request.scope = check.scope;
    return request;
  };
  // Decisions record only whether each check passed, so the reason comes
  // from checking again with the policy that decided it.
  auto decision_of = [&](const RbacCheckResult& result) {
    return policy_of(result).Check(request_of(result), decision.now);
  };

  // One line per step (consecutive checks with the same purpose), the step
  // that failed first.
  std::vector<std::string> lines;
  std::string failed_line;
  int begin = 0;
  while (begin < decision.rbac.check_count) {
    const std::string& purpose = check_of(decision.rbac.checks[begin]).purpose;
    int end = begin;
    int first_denied = -1;
    int denied = 0;
    while (end < decision.rbac.check_count &&
           check_of(decision.rbac.checks[end]).purpose == purpose) {
      if (!decision.rbac.checks[end].allowed) {
        if (first_denied < 0) first_denied = end;
        ++denied;
      }
      ++end;
    }
    if (first_denied < 0) {
      const RbacCheckResult& first = decision.rbac.checks[begin];
      lines.push_back(absl::StrCat(
          purpose, ": ", end - begin,
          end - begin == 1 ? " operation allowed by " : " operations allowed by ",
          GrantText(policy_of(first), decision_of(first)),
          first.through_activation ? ", activated now through PIM" : ""));
    } else {
      const RbacCheckResult& result = decision.rbac.checks[first_denied];
      const RbacCheck& check = check_of(result);
      rbac::Decision denial = decision_of(result);
      const rbac::Policy* explaining = &*snapshot.rbac();
      // Where no standing grant exists, the role of a granted activation
      // may still explain the denial, such as a condition on the request or
      // a scope outside the role's assignableScopes. The first such
      // activation explains it.
      for (const rbac::Policy* activation : activations) {
        if (denial.reason != rbac::Reason::kNoGrant || explaining != &*snapshot.rbac()) break;
        const rbac::Request request = request_of(result);
        rbac::Decision activated = activation->Check(request, decision.now);
        if (activated.reason != rbac::Reason::kNoGrant ||
            (explaining->FindUnusableGrant(request) < 0 &&
             activation->FindUnusableGrant(request) >= 0)) {
          denial = activated;
          explaining = activation;
        }
      }
      std::string line =
          absl::StrCat(purpose, ": ", explaining->Explain(request_of(result), denial));
      if (denied == 2) {
        absl::StrAppend(&line, " (1 more operation of this step is denied)");
      } else if (denied > 2) {
        absl::StrAppend(&line, " (", denied - 1, " more operations of this step are denied)");
      }
      if (first_denied == decision.rbac.failed) {
        failed_line = std::move(line);
        report.facts.push_back({"action", check.action});
        report.facts.push_back({"scope", check.scope});
        report.facts.push_back({"reason", std::string(rbac::ReasonName(denial.reason))});
      } else {
        lines.push_back(std::move(line));
      }
    }
    begin = end;
  }
  if (!failed_line.empty()) report.reasons.push_back(std::move(failed_line));
  for (std::string& line : lines) report.reasons.push_back(std::move(line));
}

void ExplainJit(const Snapshot& snapshot, const Attempt& attempt,
                const Decision& decision, LayerReport& report) {
  const CompiledVm& vm = snapshot.vms()[decision.vm];
  const JitDetail& jit = decision.jit;
  std::string source = jit.source.ToString();
  std::string port = absl::StrCat("port ", attempt.port);
  const jit::Grant* grant = jit.grant >= 0 ? &vm.grants[jit.grant] : nullptr;
  std::string granted_source = grant != nullptr ? grant->source : "";

  switch (jit.state) {
    case JitDetail::State::kNotApplicable:
    case JitDetail::State::kPortNotManaged:
      report.reasons.push_back(
          vm.jit_protected
              ? absl::StrCat(port, " is not one of the JIT policy's ports for the VM")
              : std::string("no JIT policy protects the VM"));
      break;
    case JitDetail::State::kActive:
      report.reasons.push_back(absl::StrCat(
          "a JIT grant opens ", port, " for ", granted_source, " (which holds ", source,
          ") until ", Time(jit.at), grant->requestor.empty() ? "" : ", requested by ",
          grant->requestor));
      report.facts.push_back({"closesAt", Time(jit.at)});
      break;
    case JitDetail::State::kNoGrant:
      report.reasons.push_back(
          absl::StrCat("no JIT request opened ", port, " for ", source));
      break;
    case JitDetail::State::kSourceNotGranted:
      report.reasons.push_back(absl::StrCat(
          "JIT grants for ", port, " cover other sources, not ", source));
      break;
    case JitDetail::State::kNotStarted:
      report.reasons.push_back(absl::StrCat("the JIT grant for ", port, " and ",
                                            granted_source, " opens at ", Time(jit.at)));
      report.facts.push_back({"opensAt", Time(jit.at)});
      break;
    case JitDetail::State::kExpired:
      report.reasons.push_back(absl::StrCat("the JIT grant for ", port, " and ",
                                            granted_source, " expired at ", Time(jit.at),
                                            " (Expired)"));
      report.facts.push_back({"endedAt", Time(jit.at)});
      break;
    case JitDetail::State::kSuperseded:
      report.reasons.push_back(absl::StrCat(
          "the JIT grant for ", port, " and ", granted_source,
          " was ended at ", Time(jit.at), " by a newer request (NewerRequestInitiated)"));
      report.facts.push_back({"endedAt", Time(jit.at)});
      break;
    case JitDetail::State::kIgnored:
      report.reasons.push_back(absl::StrCat(
          "the recorded JIT grant for ", port, " and ", granted_source,
          " would be in force until ", Time(jit.at), ", but it opens nothing"));
      for (const jit::Rejection& rejection : grant->rejections) {
        report.reasons.push_back(absl::StrCat(rejection.code, ": ", rejection.message));
      }
      break;
  }
  if (grant != nullptr) report.facts.push_back({"rule", grant->rule.name()});
}

std::string FlowText(const NsgFlow& flow) {
  net::IpAddress source =
      flow.is_v6 ? net::IpAddress::V6(flow.v6.source) : net::IpAddress::V4(flow.v4.source);
  net::IpAddress destination = flow.is_v6 ? net::IpAddress::V6(flow.v6.destination)
                                          : net::IpAddress::V4(flow.v4.destination);
  uint16_t source_port = flow.is_v6 ? flow.v6.source_port : flow.v4.source_port;
  uint16_t destination_port =
      flow.is_v6 ? flow.v6.destination_port : flow.v4.destination_port;
  uint8_t protocol = flow.is_v6 ? flow.v6.protocol : flow.v4.protocol;
  return absl::StrCat(protocol == 6 ? "tcp " : "udp ", source.ToString(), ":",
                      source_port, " -> ", destination.ToString(), ":",
                      destination_port);
}

// "nsg-workload allows by securityRules/X, then nsg-vm-app01-nic denies by
// securityRules/Y": each stage's NSG, verdict and deciding rule.
std::string StagesText(const Snapshot& snapshot, const NsgFlow& flow,
                       std::vector<std::string>* rules) {
  std::vector<std::string> stages;
  for (int i = 0; i < flow.stage_count; ++i) {
    const NsgStage& stage = flow.stages[i];
    const internal::CompiledNsg& nsg = snapshot.nsgs()[stage.nsg];
    bool allowed = stage.match.match.found() &&
                   stage.match.match.access == nsg::RuleAccess::kAllow;
    std::string rule(nsg.RuleName(stage.match));
    stages.push_back(
        absl::StrCat(nsg.name(), allowed ? " allows by " : " denies by ", rule));
    rules->push_back(std::move(rule));
  }
  return absl::StrJoin(stages, ", then ");
}

void ExplainNsg(const Snapshot& snapshot, const Decision& decision,
                LayerReport& report) {
  const NsgDetail& nsg = decision.nsg;
  struct Named {
    const NsgFlow* flow;
    const char* name;
    // The fact that names the flow's deciding rule.
    const char* fact;
  };
  const Named flows[] = {
      {&nsg.to_vm, "the flow to the VM", "vmFlowRule"},
      {&nsg.to_bastion, "the flow to the bastion", "bastionFlowRule"},
      {&nsg.from_bastion, "the bastion's session leaving AzureBastionSubnet",
       "bastionOutboundRule"}};
  std::vector<std::string> denied;
  std::vector<std::string> allowed;
  for (const Named& named : flows) {
    const NsgFlow& flow = *named.flow;
    if (!flow.evaluated) continue;
    std::vector<std::string> rules;
    std::string line = absl::StrCat(named.name, " (", FlowText(flow), ") is ",
                                     flow.allowed ? "allowed" : "denied", ": ",
                                     StagesText(snapshot, flow, &rules));
    (flow.allowed ? allowed : denied).push_back(std::move(line));
    report.facts.push_back({named.fact, rules.empty() ? "" : rules.back()});
  }
  for (std::string& line : denied) report.reasons.push_back(std::move(line));
  for (std::string& line : allowed) report.reasons.push_back(std::move(line));
}

}  // namespace

absl::StatusOr<std::vector<LayerReport>> Explain(const Snapshot* snapshot,
                                                 const Attempt& attempt,
                                                 const Decision& decision) {
  if (decision.snapshot_id != 0 &&
      (snapshot == nullptr || snapshot->id() != decision.snapshot_id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "decision: made against snapshot ", decision.snapshot_id,
        "; expected the snapshot it was decided against"));
  }
  std::vector<LayerReport> reports;
  for (int i = 0; i < kLayerCount; ++i) {
    LayerReport report;
    report.layer = static_cast<Layer>(i);
    report.outcome = decision.layers[i].outcome;
    const LayerResult& result = decision.layers[i];
    if (result.outcome == LayerOutcome::kError) {
      if (result.error == ErrorCode::kUnknownVm) {
        report.reasons.push_back(
            absl::StrCat(ErrorMessage(result.error), " \"", attempt.vm_id, "\""));
      } else if (result.error == ErrorCode::kNonFiniteTime) {
        report.reasons.push_back(absl::StrCat(
            ErrorMessage(result.error), " (",
            schedule::CheckFinite("now", decision.now).message(), ")"));
      } else if (result.error == ErrorCode::kEvaluationFailed && snapshot != nullptr &&
                 report.layer == Layer::kConditionalAccess) {
        report.reasons.push_back(absl::StrCat(ErrorMessage(result.error), ": ",
                                              CaEvaluationError(*snapshot, attempt, decision)));
      } else {
        report.reasons.emplace_back(ErrorMessage(result.error));
      }
    } else if (snapshot == nullptr) {
      report.reasons.push_back("no snapshot");
    } else if (report.layer == Layer::kConditionalAccess && attempt.sign_in == nullptr &&
               attempt.via_bastion) {
      report.reasons.push_back(
          "no signed-in user: Azure Bastion opens a session only for a user signed in "
          "to Microsoft Entra ID");
    } else if (result.outcome == LayerOutcome::kNotApplicable &&
               attempt.sign_in == nullptr &&
               (report.layer == Layer::kConditionalAccess || report.layer == Layer::kPim ||
                report.layer == Layer::kRbac)) {
      report.reasons.push_back(
          "no signed-in user: a raw network flow is decided by the network layers");
    } else {
      switch (report.layer) {
        case Layer::kConditionalAccess:
          ExplainConditionalAccess(*snapshot, attempt, decision, report);
          break;
        case Layer::kPim:
          ExplainPim(*snapshot, attempt.sign_in, decision, report);
          break;
        case Layer::kRbac:
          ExplainRbac(*snapshot, attempt, decision, report);
          break;
        case Layer::kJit:
          ExplainJit(*snapshot, attempt, decision, report);
          break;
        case Layer::kNsg:
          ExplainNsg(*snapshot, decision, report);
          break;
      }
    }
    reports.push_back(std::move(report));
  }
  return reports;
}

std::string Summarize(const Decision& decision,
                      const std::vector<LayerReport>& reports) {
  auto first_reason = [&](Layer layer) -> std::string {
    const LayerReport& report = reports[static_cast<int>(layer)];
    return report.reasons.empty() ? "" : report.reasons.front();
  };
  switch (decision.verdict) {
    case Verdict::kAllow:
      return "allowed";
    case Verdict::kDeny:
      return absl::StrCat("denied by ", LayerName(decision.denied_by), ": ",
                          first_reason(decision.denied_by));
    case Verdict::kPending:
      for (int i = 0; i < kLayerCount; ++i) {
        if (decision.layers[i].outcome == LayerOutcome::kPending) {
          return absl::StrCat("pending in ", LayerName(static_cast<Layer>(i)), ": ",
                              first_reason(static_cast<Layer>(i)));
        }
      }
      return "pending";
  }
  return "";
}

}  // namespace portcullis::decide
