#include "nsg/compile.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace portcullis::nsg {

namespace {

// A flow's protocol number: rules never compile to 0, so PROTOCOL_ANY (a
// protocol no rule can name) gets 0 and only `*` rules match it.
uint8_t FlowProtocol(Protocol protocol) {
  absl::StatusOr<std::optional<uint8_t>> number = CompiledProtocol(protocol);
  if (!number.ok() || !number->has_value()) return 0;
  return **number;
}

absl::StatusOr<RuleTable> CompileDirection(const std::vector<ResolvedRule>& rules) {
  std::vector<TableRule> table_rules;
  table_rules.reserve(rules.size());
  for (const ResolvedRule& rule : rules) {
    absl::StatusOr<TableRule> table_rule = ToTableRule(rule);
    if (!table_rule.ok()) return table_rule.status();
    table_rules.push_back(std::move(*table_rule));
  }
  return RuleTable::Create(std::move(table_rules));
}

}  // namespace

absl::StatusOr<std::optional<uint8_t>> CompiledProtocol(Protocol protocol) {
  switch (protocol) {
    case PROTOCOL_TCP: return std::optional<uint8_t>(6);
    case PROTOCOL_UDP: return std::optional<uint8_t>(17);
    case PROTOCOL_ICMP: return std::optional<uint8_t>(1);
    case PROTOCOL_ESP: return std::optional<uint8_t>(50);
    case PROTOCOL_AH: return std::optional<uint8_t>(51);
    case PROTOCOL_ANY: return std::optional<uint8_t>();
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("protocol: invalid value ", static_cast<int>(protocol),
                       "; expected tcp, udp, icmp, esp, ah or any"));
  }
}

absl::StatusOr<TableRule> ToTableRule(const ResolvedRule& rule) {
  TableRule table_rule;
  if (rule.priority < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        rule.reference, ".priority: invalid value ", rule.priority, "; expected at least 0"));
  }
  table_rule.priority = static_cast<uint32_t>(rule.priority);
  table_rule.access = rule.access == ACCESS_ALLOW ? RuleAccess::kAllow : RuleAccess::kDeny;
  absl::StatusOr<std::optional<uint8_t>> protocol = CompiledProtocol(rule.protocol);
  if (!protocol.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(rule.reference, ".", protocol.status().message()));
  }
  table_rule.protocol = *protocol;

  auto add_side = [](const net::PrefixSet& set, std::vector<Ipv4Cidr>* v4,
                     std::vector<Ipv6Cidr>* v6) {
    for (const net::IpPrefix& prefix : set.prefixes()) {
      const uint8_t length = static_cast<uint8_t>(prefix.length());
      if (prefix.is_v4()) {
        v4->push_back(Ipv4Cidr{prefix.address().v4(), length});
      } else {
        v6->push_back(Ipv6Cidr{prefix.address().v6(), length});
      }
    }
  };
  add_side(rule.source, &table_rule.source_v4, &table_rule.source_v6);
  add_side(rule.destination, &table_rule.destination_v4, &table_rule.destination_v6);
  for (const net::PortRange& range : rule.source_ports) {
    table_rule.source_ports.push_back(PortInterval{range.first, range.last});
  }
  for (const net::PortRange& range : rule.destination_ports) {
    table_rule.destination_ports.push_back(PortInterval{range.first, range.last});
  }
  return table_rule;
}

absl::StatusOr<CompiledNsg> CompiledNsg::Compile(ResolvedNsg nsg,
                                                 const ClassifierOptions& options) {
  CompiledNsg compiled;
  absl::StatusOr<RuleTable> inbound = CompileDirection(nsg.rules(DIRECTION_INBOUND));
  if (!inbound.ok()) return inbound.status();
  absl::StatusOr<RuleTable> outbound = CompileDirection(nsg.rules(DIRECTION_OUTBOUND));
  if (!outbound.ok()) return outbound.status();
  absl::StatusOr<Classifier> inbound_classifier = Classifier::Compile(*inbound, options);
  if (!inbound_classifier.ok()) return inbound_classifier.status();
  absl::StatusOr<Classifier> outbound_classifier = Classifier::Compile(*outbound, options);
  if (!outbound_classifier.ok()) return outbound_classifier.status();

  compiled.nsg_.emplace(std::move(nsg));
  compiled.inbound_table_ = std::move(*inbound);
  compiled.outbound_table_ = std::move(*outbound);
  compiled.inbound_ = std::move(*inbound_classifier);
  compiled.outbound_ = std::move(*outbound_classifier);
  return compiled;
}

const ResolvedRule& CompiledNsg::Evaluate(const ResolvedFlow& flow) const noexcept {
  const std::vector<ResolvedRule>& rules = nsg_->rules(flow.direction);
  const net::IpAddress& source = flow.source();
  const net::IpAddress& destination = flow.destination();
  RuleMatch match;
  if (source.is_v4() && destination.is_v4()) {
    match = classifier(flow.direction)
                .Lookup(FlowV4{source.v4(), destination.v4(), flow.source_port(),
                               flow.destination_port(), FlowProtocol(flow.protocol)});
  } else if (source.is_v6() && destination.is_v6()) {
    match = classifier(flow.direction)
                .Lookup(FlowV6{source.v6(), destination.v6(), flow.source_port(),
                               flow.destination_port(), FlowProtocol(flow.protocol)});
  } else {
    const ResolvedRule* first = FirstMatch(rules, flow);
    return first != nullptr ? *first : rules.back();
  }
  // ResolveNsg ends each direction with a rule that matches every flow, so
  // a miss cannot happen; the last rule (DenyAll) keeps it fail-closed.
  return match.found() ? rules[match.index] : rules.back();
}

}  // namespace portcullis::nsg
