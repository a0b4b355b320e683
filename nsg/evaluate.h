// The reference evaluator of a flow through the NSGs of a subnet and a
// network interface, with the verdict explained the way Azure's IP flow
// verify explains it.
//
// Azure filters a VM's traffic with up to two NSGs, one on the subnet and
// one on the network interface (NIC). Inbound flows pass the subnet's NSG
// first and then the NIC's; outbound flows pass the NIC's first and then the
// subnet's. Both must allow a flow; the first deny ends evaluation, and the
// later NSG is not consulted. An absent NSG lets everything through.
//
//   subnet NSG ──inbound──▶ NIC NSG ──▶ VM ──outbound──▶ NIC NSG ──▶ subnet NSG
//
// Outbound flows from the VM to Azure's platform addresses 168.63.129.16
// (DHCP, DNS, health probes) and 169.254.169.254 (instance metadata) are not
// filtered by NSGs. Inbound flows from 168.63.129.16, such as load balancer
// probes, are filtered like any other, which is why a rule that denies
// VirtualNetwork (a tag that contains 168.63.129.16) can block probes.
//
//   NsgAttachments attachments;
//   attachments.subnet = &subnet_nsg;            // a ResolvedNsg
//   attachments.network_interface = &nic_nsg;    // or nullptr
//   absl::StatusOr<Verdict> verdict = EvaluateFlow(attachments, flow);
//   verdict->access();  // ACCESS_DENY
//   verdict->rule();    // "securityRules/DenySshInBound"
#ifndef PORTCULLIS_NSG_EVALUATE_H_
#define PORTCULLIS_NSG_EVALUATE_H_

#include "absl/status/statusor.h"
#include "net/ip_address.h"
#include "nsg/connection_table.h"
#include "nsg/evaluate_rules.h"
#include "proto/nsg.pb.h"

namespace portcullis::nsg {

// The rule name that verdicts give for platform traffic NSGs do not filter.
inline constexpr char kPlatformExemptionRule[] = "platformExemption";

// The NSGs on a VM's path. Either may be null; at least one must be set.
// The pointers must outlive the EvaluateFlow() call.
struct NsgAttachments {
  const ResolvedNsg* subnet = nullptr;
  const ResolvedNsg* network_interface = nullptr;
};

// Options of EvaluateFlow(). A plain struct; the defaults mirror Azure.
struct EvaluateOptions {
  // When true, outbound flows to 168.63.129.16 and 169.254.169.254 are
  // allowed without consulting any NSG, as Azure does. Turn off to see what
  // the rules alone would decide.
  bool platform_exemption = true;
  // When true, each stage lists the rules consulted and the fields each one
  // matched (Stage.trace).
  bool trace = false;
};

// True when `flow` is outbound to 168.63.129.16 or 169.254.169.254.
bool IsPlatformExempt(const ResolvedFlow& flow);

// Returns the 5-tuple of `flow` as its packets are sent: from the remote to
// the local end for inbound flows, from the local to the remote end for
// outbound ones. PROTOCOL_ANY, which stands for a protocol no rule names,
// maps to 255, a number IANA reserves, so it never equals a named protocol.
// A ConnectionTable keyed by this tuple admits the reply of an allowed flow,
// which is the same flow in the other direction.
FiveTuple ToFiveTuple(const ResolvedFlow& flow);

// Decides `flow` through the NSGs of `attachments`.
//
// The verdict has one stage per NSG evaluated, in evaluation order; stages
// after a deny are left out. Its rule is the denying stage's rule on a deny
// and the last stage's rule on an allow, or kPlatformExemptionRule (with no
// stages) for exempt platform traffic.
//
// Fails with FailedPrecondition when both attachments are null, as IP flow
// verify fails for a VM without any NSG.
absl::StatusOr<Verdict> EvaluateFlow(const NsgAttachments& attachments,
                                     const ResolvedFlow& flow,
                                     const EvaluateOptions& options = {});

}  // namespace portcullis::nsg

#endif  // PORTCULLIS_NSG_EVALUATE_H_
