#include "nsg/evaluate.h"

#include <vector>

#include "absl/status/status.h"

namespace portcullis::nsg {
namespace {

// 168.63.129.16 and 169.254.169.254.
constexpr uint32_t kAzureHostAddress = 0xA83F8110;
constexpr uint32_t kInstanceMetadataAddress = 0xA9FEA9FE;

struct StageInput {
  const ResolvedNsg* nsg;
  Attachment attachment;
};

Stage EvaluateStage(const StageInput& input, const ResolvedFlow& flow,
                    bool trace) {
  const ResolvedRule& rule = EvaluateNsg(*input.nsg, flow);
  Stage stage;
  stage.set_nsg_name(input.nsg->name());
  stage.set_nsg_id(input.nsg->id());
  stage.set_attachment(input.attachment);
  stage.set_access(rule.access);
  stage.set_rule(rule.reference);
  if (trace) {
    for (RuleTraceEntry& entry : TraceNsg(*input.nsg, flow)) {
      *stage.add_trace() = std::move(entry);
    }
  }
  return stage;
}

}  // namespace

bool IsPlatformExempt(const ResolvedFlow& flow) {
  if (flow.direction != DIRECTION_OUTBOUND || !flow.remote.is_v4()) {
    return false;
  }
  return flow.remote.v4() == kAzureHostAddress ||
         flow.remote.v4() == kInstanceMetadataAddress;
}

FiveTuple ToFiveTuple(const ResolvedFlow& flow) {
  uint8_t protocol = 255;
  switch (flow.protocol) {
    case PROTOCOL_TCP:
      protocol = kProtocolTcp;
      break;
    case PROTOCOL_UDP:
      protocol = kProtocolUdp;
      break;
    case PROTOCOL_ICMP:
      protocol = kProtocolIcmp;
      break;
    case PROTOCOL_ESP:
      protocol = kProtocolEsp;
      break;
    case PROTOCOL_AH:
      protocol = kProtocolAh;
      break;
    default:
      break;
  }
  return FiveTuple{protocol, flow.source(), flow.source_port(),
                   flow.destination(), flow.destination_port()};
}

absl::StatusOr<Verdict> EvaluateFlow(const NsgAttachments& attachments,
                                     const ResolvedFlow& flow,
                                     const EvaluateOptions& options) {
  if (attachments.subnet == nullptr &&
      attachments.network_interface == nullptr) {
    return absl::FailedPreconditionError(
        "no network security group to evaluate: give the subnet's NSG, the "
        "network interface's NSG, or both");
  }

  Verdict verdict;
  if (options.platform_exemption && IsPlatformExempt(flow)) {
    verdict.set_access(ACCESS_ALLOW);
    verdict.set_rule(kPlatformExemptionRule);
    return verdict;
  }

  const StageInput subnet{attachments.subnet, ATTACHMENT_SUBNET};
  const StageInput nic{attachments.network_interface,
                       ATTACHMENT_NETWORK_INTERFACE};
  const std::vector<StageInput> order =
      flow.direction == DIRECTION_INBOUND ? std::vector<StageInput>{subnet, nic}
                                          : std::vector<StageInput>{nic, subnet};

  for (const StageInput& input : order) {
    if (input.nsg == nullptr) continue;
    Stage& stage = *verdict.add_stages();
    stage = EvaluateStage(input, flow, options.trace);
    verdict.set_access(stage.access());
    verdict.set_rule(stage.rule());
    if (stage.access() == ACCESS_DENY) break;
  }
  return verdict;
}

}  // namespace portcullis::nsg
