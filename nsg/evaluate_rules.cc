#include "nsg/evaluate_rules.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "nsg/model.h"

namespace portcullis::nsg {
namespace {

// The JSON path of a rule's properties object for messages: the importer's
// path when the rule came from a document, else a path in the message.
std::string RulePath(const SecurityRule& rule, absl::string_view list,
                     int index) {
  if (!rule.origin().properties_path().empty()) {
    return rule.origin().properties_path();
  }
  return absl::StrCat(list, "[", index, "]");
}

absl::Status RuleError(absl::string_view path, absl::string_view field,
                       absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, field.empty() ? "" : ".", field, ": ", message));
}

absl::Status CheckEnums(const SecurityRule& rule, absl::string_view path) {
  if (rule.direction() != DIRECTION_INBOUND &&
      rule.direction() != DIRECTION_OUTBOUND) {
    return RuleError(path, "direction", "missing; expected Inbound or Outbound");
  }
  if (rule.access() != ACCESS_ALLOW && rule.access() != ACCESS_DENY) {
    return RuleError(path, "access", "missing; expected Allow or Deny");
  }
  if (rule.protocol() == PROTOCOL_UNSPECIFIED) {
    return RuleError(path, "protocol",
                     "missing; expected Tcp, Udp, Icmp, Esp, Ah or *");
  }
  return absl::OkStatus();
}

absl::StatusOr<ResolvedRule> ResolveRule(const SecurityRule& rule,
                                         bool is_default,
                                         absl::string_view path,
                                         const AddressResolver& resolver) {
  if (absl::Status status = CheckEnums(rule, path); !status.ok()) {
    return status;
  }

  ResolvedRule resolved;
  resolved.reference = RuleReference(rule, is_default);
  resolved.is_default = is_default;
  resolved.priority = rule.priority();
  resolved.direction = rule.direction();
  resolved.access = rule.access();
  resolved.protocol = rule.protocol();

  struct SideTarget {
    Side side;
    net::PrefixSet* addresses;
    std::vector<net::PortRange>* ports;
  };
  const SideTarget sides[] = {
      {Side::kSource, &resolved.source, &resolved.source_ports},
      {Side::kDestination, &resolved.destination,
       &resolved.destination_ports},
  };
  for (const SideTarget& target : sides) {
    absl::StatusOr<net::PrefixSet> addresses =
        resolver.ResolveSide(rule, target.side);
    if (!addresses.ok()) {
      return RuleError(path, "", addresses.status().message());
    }
    *target.addresses = *std::move(addresses);

    absl::StatusOr<std::vector<net::PortRange>> ports =
        ParsePorts(rule, target.side);
    if (!ports.ok()) return RuleError(path, "", ports.status().message());
    *target.ports = *std::move(ports);
  }
  return resolved;
}

bool AnyRangeContains(const std::vector<net::PortRange>& ranges,
                      uint16_t port) {
  for (const net::PortRange& range : ranges) {
    if (range.Contains(port)) return true;
  }
  return false;
}

// Sorts `rules` by priority and fails when two share one.
absl::Status SortByPriority(std::vector<ResolvedRule>& rules,
                            absl::string_view direction) {
  std::stable_sort(rules.begin(), rules.end(),
                   [](const ResolvedRule& a, const ResolvedRule& b) {
                     return a.priority < b.priority;
                   });
  for (size_t i = 1; i < rules.size(); ++i) {
    if (rules[i].priority == rules[i - 1].priority) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rule ", rules[i].reference, " conflicts with rule ",
          rules[i - 1].reference, ": both are ", direction,
          " with priority ", rules[i].priority,
          "; rules cannot have the same priority and direction "
          "(SecurityRuleConflict)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ResolvedFlow> ResolvedFlow::FromProto(const Flow& flow) {
  ResolvedFlow resolved;
  if (flow.direction() != DIRECTION_INBOUND &&
      flow.direction() != DIRECTION_OUTBOUND) {
    return absl::InvalidArgumentError(
        "flow.direction: missing; expected inbound or outbound");
  }
  if (flow.protocol() == PROTOCOL_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "flow.protocol: missing; expected tcp, udp, icmp, esp, ah or any");
  }
  resolved.direction = flow.direction();
  resolved.protocol = flow.protocol();

  struct Endpoint {
    absl::string_view field;
    const std::string& address;
    uint32_t port;
    net::IpAddress* address_out;
    uint16_t* port_out;
  };
  const Endpoint endpoints[] = {
      {"local", flow.local_address(), flow.local_port(), &resolved.local,
       &resolved.local_port},
      {"remote", flow.remote_address(), flow.remote_port(), &resolved.remote,
       &resolved.remote_port},
  };
  for (const Endpoint& endpoint : endpoints) {
    absl::StatusOr<net::IpAddress> address =
        net::IpAddress::Parse(endpoint.address);
    if (!address.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("flow.", endpoint.field, "_address: ",
                       address.status().message()));
    }
    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 host on the
    // wire. Evaluating it as IPv6 would let it slip past IPv4 rules, so it is
    // evaluated as the IPv4 address it stands for.
    *endpoint.address_out = address->Unmap();

    if (endpoint.port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("flow.", endpoint.field, "_port: invalid value ",
                       endpoint.port, "; expected 0 to 65535"));
    }
    if (endpoint.port != 0 && !HasPorts(flow.protocol())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "flow.", endpoint.field, "_port: invalid value ", endpoint.port,
          "; only tcp and udp flows have ports, so expected 0"));
    }
    *endpoint.port_out = static_cast<uint16_t>(endpoint.port);
  }
  return resolved;
}

std::string ResolvedFlow::ToString() const {
  auto endpoint = [this](const net::IpAddress& address, uint16_t port) {
    if (!HasPorts(protocol)) return address.ToString();
    if (address.is_v6()) return absl::StrCat("[", address.ToString(), "]:", port);
    return absl::StrCat(address.ToString(), ":", port);
  };
  absl::string_view protocol_name =
      protocol == PROTOCOL_ANY ? "any" : ProtocolName(protocol);
  return absl::StrCat(
      direction == DIRECTION_INBOUND ? "inbound " : "outbound ",
      absl::AsciiStrToLower(protocol_name), " ",
      endpoint(source(), source_port()), " -> ",
      endpoint(destination(), destination_port()));
}

bool HasPorts(Protocol protocol) {
  return protocol == PROTOCOL_TCP || protocol == PROTOCOL_UDP;
}

absl::StatusOr<std::vector<ResolvedRule>> ResolveRules(
    const NetworkSecurityGroup& nsg, const AddressResolver& resolver) {
  std::vector<ResolvedRule> resolved;
  resolved.reserve(nsg.security_rules_size() + 6);

  for (int i = 0; i < nsg.security_rules_size(); ++i) {
    const SecurityRule& rule = nsg.security_rules(i);
    std::string path = RulePath(rule, "securityRules", i);
    if (!rule.has_priority()) {
      return RuleError(path, "priority",
                       "missing; expected an integer between 100 and 4096");
    }
    if (rule.priority() < 100 || rule.priority() > 4096) {
      return RuleError(path, "priority",
                       absl::StrCat("invalid value ", rule.priority(),
                                    "; expected an integer between 100 and "
                                    "4096"));
    }
    absl::StatusOr<ResolvedRule> one =
        ResolveRule(rule, /*is_default=*/false, path, resolver);
    if (!one.ok()) return one.status();
    resolved.push_back(*std::move(one));
  }

  const std::vector<SecurityRule> defaults = DefaultSecurityRules();
  for (size_t i = 0; i < defaults.size(); ++i) {
    absl::StatusOr<ResolvedRule> one =
        ResolveRule(defaults[i], /*is_default=*/true,
                    absl::StrCat("defaultSecurityRules[", i, "]"), resolver);
    if (!one.ok()) return one.status();
    resolved.push_back(*std::move(one));
  }
  return resolved;
}

absl::StatusOr<ResolvedNsg> ResolveNsg(const NetworkSecurityGroup& nsg,
                                       const AddressResolver& resolver) {
  absl::StatusOr<std::vector<ResolvedRule>> rules = ResolveRules(nsg, resolver);
  if (!rules.ok()) return rules.status();

  ResolvedNsg resolved;
  resolved.name_ = nsg.name();
  resolved.id_ = nsg.id();
  resolved.flush_connection_ = nsg.flush_connection();
  for (ResolvedRule& rule : *rules) {
    if (rule.direction == DIRECTION_INBOUND) {
      resolved.inbound_.push_back(std::move(rule));
    } else {
      resolved.outbound_.push_back(std::move(rule));
    }
  }

  if (absl::Status status = SortByPriority(resolved.inbound_, "inbound");
      !status.ok()) {
    return status;
  }
  if (absl::Status status = SortByPriority(resolved.outbound_, "outbound");
      !status.ok()) {
    return status;
  }
  return resolved;
}

FieldMatch MatchFields(const ResolvedRule& rule, const ResolvedFlow& flow) {
  FieldMatch match;
  match.protocol =
      rule.protocol == PROTOCOL_ANY || rule.protocol == flow.protocol;
  match.source = rule.source.Contains(flow.source());
  match.source_port = AnyRangeContains(rule.source_ports, flow.source_port());
  match.destination = rule.destination.Contains(flow.destination());
  match.destination_port =
      AnyRangeContains(rule.destination_ports, flow.destination_port());
  return match;
}

bool RuleMatches(const ResolvedRule& rule, const ResolvedFlow& flow) {
  return MatchFields(rule, flow).all();
}

const ResolvedRule* FirstMatch(absl::Span<const ResolvedRule> rules,
                               const ResolvedFlow& flow) {
  for (const ResolvedRule& rule : rules) {
    if (RuleMatches(rule, flow)) return &rule;
  }
  return nullptr;
}

const ResolvedRule& EvaluateNsg(const ResolvedNsg& nsg,
                                const ResolvedFlow& flow) {
  const std::vector<ResolvedRule>& rules = nsg.rules(flow.direction);
  const ResolvedRule* decided = FirstMatch(rules, flow);
  // ResolveNsg() ends each direction with DenyAll*, which matches every
  // flow, so `decided` is never null; the fallback keeps that invariant
  // visible instead of dereferencing null.
  return decided != nullptr ? *decided : rules.back();
}

std::vector<RuleTraceEntry> TraceNsg(const ResolvedNsg& nsg,
                                     const ResolvedFlow& flow) {
  std::vector<RuleTraceEntry> trace;
  for (const ResolvedRule& rule : nsg.rules(flow.direction)) {
    FieldMatch match = MatchFields(rule, flow);
    RuleTraceEntry& entry = trace.emplace_back();
    entry.set_rule(rule.reference);
    entry.set_priority(rule.priority);
    entry.set_access(rule.access);
    entry.set_protocol_matched(match.protocol);
    entry.set_source_matched(match.source);
    entry.set_source_port_matched(match.source_port);
    entry.set_destination_matched(match.destination);
    entry.set_destination_port_matched(match.destination_port);
    if (match.all()) {
      entry.set_decided(true);
      break;
    }
  }
  return trace;
}

}  // namespace portcullis::nsg
