// PIM activation decisions: one Decide() call on a compiled evaluator, and
// building the evaluator, over growing numbers of eligibility instances.
// Target: a decision in at most 1 microsecond (median).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "pim/activation.h"
#include "pim/policy.h"
#include "proto/pim.pb.h"
#include "schedule/interval.h"

namespace portcullis::pim {
namespace {

constexpr char kPrincipal[] = "071cc716-8147-4397-a5ba-b2105951cc0b";
constexpr char kRole[] = "8424c6f0-a189-499e-bbd0-26c1753c96d4";

const absl::Time kNow = absl::FromUnixSeconds(1772442000);  // 2026-03-02T09:00Z

google::protobuf::Timestamp Stamp(absl::Time time) {
  google::protobuf::Timestamp out;
  out.set_seconds(absl::ToUnixSeconds(time));
  return out;
}

PolicyRule* AddRule(RoleManagementPolicy& policy, const std::string& id,
                    Caller caller, Level level) {
  PolicyRule* rule = policy.add_rules();
  rule->set_id(id);
  rule->mutable_target()->set_caller(caller);
  rule->mutable_target()->set_level(level);
  rule->mutable_target()->add_operations(OPERATION_ALL);
  return rule;
}

// The Graph default policy's activation rules: PT8H, MFA and justification.
RolePolicy DefaultPolicy() {
  RoleManagementPolicy policy;
  PolicyRule* expiration = AddRule(policy, "Expiration_EndUser_Assignment",
                                   CALLER_END_USER, LEVEL_ASSIGNMENT);
  expiration->mutable_expiration()->set_is_expiration_required(true);
  expiration->mutable_expiration()->mutable_maximum_duration()->set_seconds(8 * 3600);
  PolicyRule* enablement = AddRule(policy, "Enablement_EndUser_Assignment",
                                   CALLER_END_USER, LEVEL_ASSIGNMENT);
  enablement->mutable_enablement()->add_enabled_rules(
      ENABLED_RULE_MULTI_FACTOR_AUTHENTICATION);
  enablement->mutable_enablement()->add_enabled_rules(ENABLED_RULE_JUSTIFICATION);
  AddRule(policy, "Approval_EndUser_Assignment", CALLER_END_USER, LEVEL_ASSIGNMENT)
      ->mutable_approval();
  absl::StatusOr<RolePolicy> compiled = RolePolicy::Compile(policy);
  if (!compiled.ok()) std::abort();
  return *compiled;
}

// `count` eligibilities: the matching one last, others for other roles.
std::vector<ScheduleInstance> Eligibilities(int count) {
  std::vector<ScheduleInstance> out;
  for (int i = 0; i < count; ++i) {
    ScheduleInstance instance;
    instance.set_principal_id(kPrincipal);
    instance.set_role_definition_id(
        i == count - 1 ? std::string(kRole)
                       : absl::StrCat("00000000-0000-0000-0000-", 100000000000 + i));
    instance.set_directory_scope_id("/");
    *instance.mutable_start_time() = Stamp(kNow - absl::Hours(24 * 30));
    *instance.mutable_end_time() = Stamp(kNow + absl::Hours(24 * 60));
    out.push_back(instance);
  }
  return out;
}

ActivationRequest Request() {
  ScheduleRequest request;
  request.set_action(ACTION_SELF_ACTIVATE);
  request.set_principal_id(kPrincipal);
  request.set_role_definition_id(kRole);
  request.set_directory_scope_id("/");
  request.set_justification("rotate the signing keys");
  request.mutable_schedule_info()->mutable_expiration()->set_type(
      EXPIRATION_TYPE_AFTER_DURATION);
  request.mutable_schedule_info()->mutable_expiration()->mutable_duration()->set_seconds(
      5 * 3600);
  absl::StatusOr<ActivationRequest> compiled = ActivationRequest::Create(request);
  if (!compiled.ok()) std::abort();
  return *compiled;
}

// Work hours 08:00-18:00 UTC on each of 60 days around now.
schedule::IntervalSet WorkWindows() {
  std::vector<schedule::Window> windows;
  absl::Time day = kNow - absl::Hours(9) - absl::Hours(24 * 30);
  for (int i = 0; i < 60; ++i, day += absl::Hours(24)) {
    windows.push_back({day + absl::Hours(8), day + absl::Hours(18)});
  }
  return schedule::IntervalSet::FromWindows(windows);
}

void RunDecisions(benchmark::State& state, bool mfa, bool work_hours) {
  std::vector<ScheduleInstance> active;
  std::optional<schedule::IntervalSet> work;
  if (work_hours) work = WorkWindows();
  absl::StatusOr<ActivationEvaluator> evaluator = ActivationEvaluator::Create(
      DefaultPolicy(), Eligibilities(static_cast<int>(state.range(0))), active,
      ActivationOptions(), work);
  if (!evaluator.ok()) std::abort();
  ActivationRequest request = Request();
  RequestContext context{kNow, mfa, {}};
  for (auto _ : state) {
    ActivationDecision decision = evaluator->Decide(request, context);
    benchmark::DoNotOptimize(decision);
  }
}

void BM_PimActivation_Granted(benchmark::State& state) {
  RunDecisions(state, /*mfa=*/true, /*work_hours=*/false);
}
BENCHMARK(BM_PimActivation_Granted)->Arg(1)->Arg(8)->Arg(64);

void BM_PimActivation_RefusedMfa(benchmark::State& state) {
  RunDecisions(state, /*mfa=*/false, /*work_hours=*/false);
}
BENCHMARK(BM_PimActivation_RefusedMfa)->Arg(1)->Arg(8)->Arg(64);

void BM_PimActivation_WorkHours(benchmark::State& state) {
  RunDecisions(state, /*mfa=*/true, /*work_hours=*/true);
}
BENCHMARK(BM_PimActivation_WorkHours)->Arg(1)->Arg(8)->Arg(64);

// Building the evaluator, kept apart from deciding.
void BM_PimEvaluator_Create(benchmark::State& state) {
  RolePolicy policy = DefaultPolicy();
  std::vector<ScheduleInstance> eligibilities =
      Eligibilities(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    absl::StatusOr<ActivationEvaluator> evaluator = ActivationEvaluator::Create(
        policy, eligibilities, {}, ActivationOptions());
    benchmark::DoNotOptimize(evaluator);
  }
}
BENCHMARK(BM_PimEvaluator_Create)->Arg(1)->Arg(8)->Arg(64);

}  // namespace
}  // namespace portcullis::pim
