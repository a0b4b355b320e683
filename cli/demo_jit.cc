#include "cli/demo_jit.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/flags.h"
#include "cli/nsg_command.h"
#include "nsg/evaluate.h"
#include "nsg/jit.h"
#include "nsg/jit_import.h"
#include "schedule/duration.h"
#include "schedule/rfc3339.h"

namespace portcullis::cli {

namespace {

constexpr char kTemplateFile[] = "azuredeploy.json";
constexpr char kNicFile[] = "nic-vm-app01.json";
constexpr char kPolicyFile[] = "jit/jit-policy.json";
constexpr char kBastionAddress[] = "10.0.1.4";
constexpr char kBastionSubnet[] = "10.0.1.0/26";
// Another VM of the workload subnet, which is not a place to start SSH from.
constexpr char kNeighbourAddress[] = "10.0.2.5";
constexpr char kRequestTime[] = "2026-03-02T09:00:00Z";
constexpr char kRequestDuration[] = "PT1H";

absl::StatusOr<std::string> ReadExample(const std::string& dir,
                                        absl::string_view name) {
  return ReadUserFile(absl::StrCat(dir, "/", name));
}

// One JIT step: an SSH connection to the VM at an instant.
struct JitStep {
  std::string title;
  std::string story;
  std::string source;
  absl::Time at;
};

}  // namespace

absl::Status PrintJitDemo(const std::string& dir,
                          const nsg::AddressResolver& resolver,
                          const nsg::ResolvedNsg& workload, int first_step,
                          std::ostream& out) {
  absl::StatusOr<std::string> nic_bytes = ReadExample(dir, kNicFile);
  if (!nic_bytes.ok()) return nic_bytes.status();
  absl::StatusOr<jit::NetworkInterface> nic =
      jit::ImportNetworkInterface(*nic_bytes);
  if (!nic.ok()) return nic.status();
  absl::StatusOr<std::string> policy_bytes = ReadExample(dir, kPolicyFile);
  if (!policy_bytes.ok()) return policy_bytes.status();
  absl::StatusOr<std::vector<jit::JitPolicy>> policies =
      jit::ImportJitPolicies(*policy_bytes);
  if (!policies.ok()) return policies.status();
  if (policies->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kPolicyFile, " holds no JIT policy"));
  }
  const jit::JitPolicy& policy = policies->front();

  // The NSG's name is the last segment of the NIC's NSG id.
  const std::string& nsg_id = nic->network_security_group_id();
  std::string nsg_name = nsg_id.substr(nsg_id.rfind('/') + 1);
  absl::StatusOr<nsg::NetworkSecurityGroup> base =
      LoadNsgFile(absl::StrCat(dir, "/", kTemplateFile), nsg_name, "");
  if (!base.ok()) return base.status();
  absl::StatusOr<jit::VmTarget> target = jit::TargetForNic(*nic, *base);
  if (!target.ok()) return target.status();

  absl::StatusOr<absl::Time> start = schedule::ParseRfc3339(kRequestTime);
  if (!start.ok()) return start.status();
  absl::StatusOr<absl::Duration> duration =
      schedule::ParseIsoDuration(kRequestDuration);
  if (!duration.ok()) return duration.status();
  jit::AccessRequest request;
  request.vm_id = target->vm_id;
  request.port = 22;
  request.source = kBastionSubnet;
  request.start = *start;
  request.end = *start + *duration;
  request.requestor = "alex@contoso.example";
  absl::StatusOr<jit::RequestDecision> decision =
      jit::DecideRequest(policy, *base, *target, request, {});
  if (!decision.ok()) return decision.status();
  if (!decision->granted) {
    return absl::InternalError("the demo's JIT request was rejected");
  }

  out << "\nJust-in-time access: the JIT policy " << policy.name()
      << " closes 22 and 3389 on " << target->private_address
      << " with a deny rule on NSG " << nsg_name << ".\n"
      << "At " << kRequestTime << " an administrator asks for port 22 from the"
      << " bastion subnet " << kBastionSubnet << " for " << kRequestDuration
      << ":\n    $ portcullis jit request --policy examples/" << kPolicyFile
      << " --nsg examples/" << kTemplateFile << " --nsg-name " << nsg_name
      << " --nic examples/" << kNicFile << " --vm " << target->vm_id
      << " --port 22 --source " << kBastionSubnet << " --duration "
      << kRequestDuration << " --now " << kRequestTime << "\n";
  for (const jit::Grant& grant : decision->grants) {
    out << "granted: " << grant.rule.name() << " (priority "
        << grant.rule.priority() << ", Allow Tcp from " << grant.source
        << " to port " << grant.port << ") valid " << grant.window.ToString()
        << "\n";
  }

  const std::vector<JitStep> steps = {
      {"Bastion opens SSH to the VM before any JIT request",
       "The JIT deny rule on the NIC closes port 22.", kBastionAddress,
       *start - absl::Minutes(5)},
      {"Bastion opens SSH to the VM once the request is granted",
       "The grant's allow rule sits ahead of the JIT deny rule.",
       kBastionAddress, *start},
      {"Another VM of the VNet tries SSH during the grant",
       "The grant admits the bastion subnet only.", kNeighbourAddress,
       *start + absl::Minutes(10)},
      {"Bastion opens SSH one second before the grant ends",
       "Windows are half-open, so the last second still counts.",
       kBastionAddress, request.end - absl::Seconds(1)},
      {"Bastion opens SSH when the grant ends",
       "At the end instant the grant is gone and the deny rule decides again;"
       " connections already open are left to the connection table.",
       kBastionAddress, request.end},
  };

  int number = first_step;
  for (const JitStep& step : steps) {
    absl::StatusOr<nsg::NetworkSecurityGroup> merged = jit::WithJitRules(
        *base, policy, *target, decision->grants, step.at);
    if (!merged.ok()) return merged.status();
    absl::StatusOr<nsg::ResolvedNsg> resolved =
        nsg::ResolveNsg(*merged, resolver);
    if (!resolved.ok()) return resolved.status();

    nsg::Flow flow;
    flow.set_direction(nsg::DIRECTION_INBOUND);
    flow.set_protocol(nsg::PROTOCOL_TCP);
    flow.set_local_address(target->private_address);
    flow.set_local_port(22);
    flow.set_remote_address(step.source);
    flow.set_remote_port(50400);
    absl::StatusOr<nsg::ResolvedFlow> resolved_flow =
        nsg::ResolvedFlow::FromProto(flow);
    if (!resolved_flow.ok()) return resolved_flow.status();
    nsg::NsgAttachments attachments{&workload, &*resolved};
    absl::StatusOr<nsg::Verdict> verdict =
        nsg::EvaluateFlow(attachments, *resolved_flow);
    if (!verdict.ok()) return verdict.status();

    out << "\n[" << number++ << "] " << step.title << "\n"
        << "    " << step.story << "\n"
        << "    at " << schedule::FormatRfc3339(step.at) << "\n"
        << FormatVerdictText(*resolved_flow, attachments, *verdict);
  }
  return absl::OkStatus();
}

}  // namespace portcullis::cli
