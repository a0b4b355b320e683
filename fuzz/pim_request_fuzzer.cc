// Fuzzes the schedule request importer, and decides every accepted request
// against a fixed policy and eligibility, so that odd times and durations
// reach the decision code.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pim/activation.h"
#include "pim/import.h"
#include "pim/policy.h"

namespace {

const portcullis::pim::ActivationEvaluator& Evaluator() {
  static const portcullis::pim::ActivationEvaluator* evaluator = [] {
    using namespace portcullis::pim;
    RoleManagementPolicy policy;
    PolicyRule* rule = policy.add_rules();
    rule->set_id("Expiration_EndUser_Assignment");
    rule->mutable_expiration()->set_is_expiration_required(true);
    rule->mutable_expiration()->mutable_maximum_duration()->set_seconds(8 * 3600);
    // A policy needs every rule that gates activations to compile.
    PolicyRule* enablement = policy.add_rules();
    enablement->set_id("Enablement_EndUser_Assignment");
    enablement->mutable_enablement();
    PolicyRule* approval = policy.add_rules();
    approval->set_id("Approval_EndUser_Assignment");
    approval->mutable_approval();
    auto compiled = RolePolicy::Compile(policy);
    if (!compiled.ok()) std::abort();
    ScheduleInstance eligibility;
    eligibility.set_principal_id("071cc716-8147-4397-a5ba-b2105951cc0b");
    eligibility.set_role_definition_id("8424c6f0-a189-499e-bbd0-26c1753c96d4");
    eligibility.set_directory_scope_id("/");
    eligibility.mutable_start_time()->set_seconds(1600000000);
    std::vector<ScheduleInstance> eligibilities = {eligibility};
    auto created = ActivationEvaluator::Create(*compiled, eligibilities,
                                               eligibilities, ActivationOptions());
    if (!created.ok()) std::abort();
    return new ActivationEvaluator(*std::move(created));
  }();
  return *evaluator;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto proto = portcullis::pim::ImportScheduleRequest(bytes);
  if (!proto.ok()) return 0;
  auto request = portcullis::pim::ActivationRequest::Create(*proto);
  if (!request.ok()) return 0;
  for (int64_t seconds : {int64_t{0}, int64_t{1649894400}, int64_t{253402300799}}) {
    portcullis::pim::RequestContext context{absl::FromUnixSeconds(seconds), true, {}};
    Evaluator().Decide(*request, context);
  }
  return 0;
}
