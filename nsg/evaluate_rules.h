// The reference evaluator of one network security group: rules with their
// addresses resolved, flows with parsed addresses, and the first-match scan.
//
// Azure evaluates the rules of an NSG that apply to a flow's direction in
// ascending priority order, and the first rule whose five fields all match
// decides. Below the user's rules (priorities 100 to 4096) sit Azure's
// default rules, which cannot be changed or removed:
//
//   Inbound                               Outbound
//   65000 AllowVnetInBound                65000 AllowVnetOutBound
//   65001 AllowAzureLoadBalancerInBound   65001 AllowInternetOutBound
//   65500 DenyAllInBound                  65500 DenyAllOutBound
//
// DenyAll* match every flow, so every flow has a deciding rule.
//
// Evaluation has two steps. First, ResolveNsg() turns the NSG message into
// ResolvedRules once: it expands service tags and application security
// groups into address sets and parses port ranges. This step can fail on bad
// input.
// EvaluateNsg() then decides flows against the resolved rules; it cannot
// fail and allocates nothing:
//
//   absl::StatusOr<ResolvedNsg> nsg = ResolveNsg(imported, resolver);
//   absl::StatusOr<ResolvedFlow> flow = ResolvedFlow::FromProto(flow_message);
//   const ResolvedRule& rule = EvaluateNsg(*nsg, *flow);
//   // rule.access, rule.reference ("securityRules/DenySshInBound")
//
// The scan is deliberately a plain loop over a sorted list, so it can serve
// as the slow, obviously correct twin of compiled classifiers.
#ifndef PORTCULLIS_NSG_EVALUATE_RULES_H_
#define PORTCULLIS_NSG_EVALUATE_RULES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "net/ip_address.h"
#include "net/port_range.h"
#include "net/prefix_set.h"
#include "nsg/service_tags.h"
#include "proto/nsg.pb.h"

namespace portcullis::nsg {

// A flow with its addresses parsed, from the point of view of the VM's
// network interface. Inbound flows go from `remote` to `local`; outbound
// flows go from `local` to `remote`.
struct ResolvedFlow {
  Direction direction = DIRECTION_INBOUND;
  // A concrete protocol, or PROTOCOL_ANY for a protocol that no rule can
  // name (GRE, for example), which only rules with protocol `*` match.
  Protocol protocol = PROTOCOL_TCP;
  net::IpAddress local;
  uint16_t local_port = 0;
  net::IpAddress remote;
  uint16_t remote_port = 0;

  // Parses a Flow message. Fails with InvalidArgument, naming the field,
  // on an unspecified direction or protocol, an address that does not parse
  // or a port above 65535. Flows of protocols without ports (ICMP, ESP, AH
  // and PROTOCOL_ANY) must carry port 0 on both sides.
  static absl::StatusOr<ResolvedFlow> FromProto(const Flow& flow);

  // The sending side: `remote` for inbound flows, `local` for outbound ones.
  const net::IpAddress& source() const {
    return direction == DIRECTION_INBOUND ? remote : local;
  }
  uint16_t source_port() const {
    return direction == DIRECTION_INBOUND ? remote_port : local_port;
  }
  // The receiving side: `local` for inbound flows, `remote` for outbound ones.
  const net::IpAddress& destination() const {
    return direction == DIRECTION_INBOUND ? local : remote;
  }
  uint16_t destination_port() const {
    return direction == DIRECTION_INBOUND ? local_port : remote_port;
  }

  // Formats as "inbound tcp 203.0.113.5:50000 -> 10.0.1.4:22", source first.
  std::string ToString() const;
};

// True for protocols whose packets carry ports: TCP and UDP.
bool HasPorts(Protocol protocol);

// A security rule ready for matching: service tags and application security
// groups expanded into address sets, port strings parsed.
struct ResolvedRule {
  // The rule as Azure's IP flow verify names it: `securityRules/<name>` or
  // `defaultSecurityRules/<name>`.
  std::string reference;
  bool is_default = false;
  int priority = 0;
  Direction direction = DIRECTION_INBOUND;
  Access access = ACCESS_DENY;
  // PROTOCOL_ANY (Azure's `*`) matches every flow.
  Protocol protocol = PROTOCOL_ANY;
  net::PrefixSet source;
  std::vector<net::PortRange> source_ports;
  net::PrefixSet destination;
  std::vector<net::PortRange> destination_ports;
};

// An NSG ready for evaluation: the rules of each direction sorted by
// priority, Azure's default rules last. Built only by ResolveNsg(), which
// guarantees that the last rule of each direction matches every flow.
// Immutable, so safe to share between threads.
class ResolvedNsg {
 public:
  const std::string& name() const { return name_; }
  const std::string& id() const { return id_; }
  bool flush_connection() const { return flush_connection_; }

  // The rules that apply to flows of `direction`, in evaluation order.
  const std::vector<ResolvedRule>& rules(Direction direction) const {
    return direction == DIRECTION_OUTBOUND ? outbound_ : inbound_;
  }

 private:
  friend absl::StatusOr<ResolvedNsg> ResolveNsg(
      const NetworkSecurityGroup& nsg, const AddressResolver& resolver);

  ResolvedNsg() = default;

  std::string name_;
  std::string id_;
  bool flush_connection_ = false;
  std::vector<ResolvedRule> inbound_;
  std::vector<ResolvedRule> outbound_;
};

// Resolves the user rules of `nsg` followed by Azure's six default rules, in
// document order. The default rules are always Azure's own: Azure does not
// let anyone change them, so default rules listed in the document, which
// may be shown in normalized forms such as `0.0.0.0/0`, are not consulted.
//
// Fails with InvalidArgument, naming the rule's JSON path, when a rule has
// no priority or one outside 100 to 4096, or an unspecified direction,
// access or protocol. It also fails on a port entry Azure rejects and on an
// address entry, service tag or application security group that `resolver`
// cannot resolve.
absl::StatusOr<std::vector<ResolvedRule>> ResolveRules(
    const NetworkSecurityGroup& nsg, const AddressResolver& resolver);

// Resolves `nsg` (see ResolveRules) and sorts the rules of each direction by
// priority. Also fails when two rules of one direction share a priority, as
// Azure does (SecurityRuleConflict), because first-match order would
// otherwise be undefined.
absl::StatusOr<ResolvedNsg> ResolveNsg(const NetworkSecurityGroup& nsg,
                                       const AddressResolver& resolver);

// The per-field result of comparing a rule with a flow, in the manner of
// Azure's NSG diagnostics. The rule matches when all five fields match.
struct FieldMatch {
  bool protocol = false;
  bool source = false;
  bool source_port = false;
  bool destination = false;
  bool destination_port = false;

  bool all() const {
    return protocol && source && source_port && destination &&
           destination_port;
  }
};

// Compares each field of `rule` with `flow`. Direction is not compared:
// callers pass only rules of the flow's direction. Port-less flows carry
// port 0, so they match a rule's port ranges only when those include 0,
// as `*` does.
FieldMatch MatchFields(const ResolvedRule& rule, const ResolvedFlow& flow);

// True when every field of `rule` matches `flow`.
bool RuleMatches(const ResolvedRule& rule, const ResolvedFlow& flow);

// Returns the first rule of `rules`, in the order given, that matches
// `flow`, or nullptr when none does. The rules are expected to be those of
// the flow's direction sorted by priority, as ResolvedNsg::rules() returns
// them. This loop is the whole of first-match semantics.
const ResolvedRule* FirstMatch(absl::Span<const ResolvedRule> rules,
                               const ResolvedFlow& flow);

// Returns the rule of `nsg` that decides `flow`. Never fails, because
// ResolveNsg() ends each direction with Azure's DenyAllInBound or
// DenyAllOutBound, which match every flow.
const ResolvedRule& EvaluateNsg(const ResolvedNsg& nsg,
                                const ResolvedFlow& flow);

// Lists, like Azure's NSG diagnostics, every rule of `nsg` for the flow's
// direction in priority order up to and including the deciding one, with the
// fields each matched. The last entry has `decided` set.
std::vector<RuleTraceEntry> TraceNsg(const ResolvedNsg& nsg,
                                     const ResolvedFlow& flow);

}  // namespace portcullis::nsg

#endif  // PORTCULLIS_NSG_EVALUATE_RULES_H_
