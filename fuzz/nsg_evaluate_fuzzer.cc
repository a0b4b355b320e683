// Fuzzes the reference NSG evaluator with random rules and flows.
//
// The input bytes drive a small generator: up to two NSGs (subnet and NIC)
// of random rules built from Azure's address and port forms, a random
// VirtualNetwork, and a series of flows. Rules that Azure would reject are
// fine: resolution may fail, but must not crash. For every flow that is
// evaluated, the fuzzer checks that
//   - evaluation succeeds and the verdict names a rule;
//   - each stage names a `securityRules/` or `defaultSecurityRules/` rule,
//     and that rule is the lowest-priority match found by an independent
//     scan over the unsorted rules;
//   - stages follow Azure's order and stop at the first deny;
//   - the per-rule trace ends with the deciding rule.
// A broken check aborts, which libFuzzer reports as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "nsg/effective.h"
#include "nsg/evaluate.h"
#include "nsg/evaluate_rules.h"
#include "nsg/service_tags.h"
#include "proto/nsg.pb.h"

namespace portcullis::nsg {
namespace {

// Reads values from the fuzzer input; returns zeros once it is used up.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  uint8_t Byte() { return position_ < size_ ? data_[position_++] : 0; }
  uint16_t Short() { return static_cast<uint16_t>(Byte() << 8 | Byte()); }
  uint32_t Word() { return uint32_t{Short()} << 16 | Short(); }
  bool Bit() { return (Byte() & 1) != 0; }
  bool empty() const { return position_ >= size_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t position_ = 0;
};

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "nsg_evaluate_fuzzer: check failed: %s\n", what);
  std::abort();
}

// Addresses come from a few small pools so that rules and flows meet often.
net::IpAddress RandomAddress(ByteReader& in) {
  switch (in.Byte() % 6) {
    case 0:
      return net::IpAddress::V4(0x0A000000 | (in.Short() & 0x03FF));  // 10.0/22
    case 1:
      return net::IpAddress::V4(0xC0000200 | in.Byte());  // 192.0.2.0/24
    case 2:
      return net::IpAddress::V4(0xA83F8110);  // 168.63.129.16
    case 3:
      return net::IpAddress::V4(in.Word());
    case 4:
      return net::IpAddress::V6((absl::uint128(0x20010DB800000000) << 64) |
                                in.Byte());  // 2001:db8::/120
    default:
      return net::IpAddress::V6(absl::MakeUint128(in.Word(), in.Word()));
  }
}

std::string RandomPrefix(ByteReader& in) {
  net::IpAddress address = RandomAddress(in);
  int length = in.Byte() % (address.bit_length() + 1);
  net::IpPrefix prefix = net::IpPrefix::Masked(address, length);
  // Half of the single addresses are written bare, as Azure allows.
  if (length == address.bit_length() && in.Bit()) {
    return prefix.address().ToString();
  }
  return prefix.ToString();
}

// Fills one side of a rule: `*`, a tag, one prefix, or a list of prefixes.
void RandomAddressSide(ByteReader& in, SecurityRule& rule, bool source) {
  static const char* const kSingles[] = {"*", "VirtualNetwork", "Internet",
                                         "AzureLoadBalancer"};
  uint8_t choice = in.Byte() % 7;
  if (choice < 4) {
    if (source) {
      rule.set_source_address_prefix(kSingles[choice]);
    } else {
      rule.set_destination_address_prefix(kSingles[choice]);
    }
    return;
  }
  if (choice < 6) {
    std::string prefix = RandomPrefix(in);
    if (source) {
      rule.set_source_address_prefix(prefix);
    } else {
      rule.set_destination_address_prefix(prefix);
    }
    return;
  }
  int count = 1 + in.Byte() % 3;
  for (int i = 0; i < count; ++i) {
    if (source) {
      rule.add_source_address_prefixes(RandomPrefix(in));
    } else {
      rule.add_destination_address_prefixes(RandomPrefix(in));
    }
  }
}

std::string RandomPortRange(ByteReader& in) {
  switch (in.Byte() % 4) {
    case 0:
      return "*";
    case 1:
      return absl::StrCat(in.Byte() % 4 == 0 ? in.Short() : 20 + in.Byte() % 8);
    default: {
      uint16_t first = in.Short();
      uint16_t last = in.Short();
      if (first > last) std::swap(first, last);
      return absl::StrCat(first, "-", last);
    }
  }
}

void RandomPortSide(ByteReader& in, SecurityRule& rule, bool source) {
  if (in.Byte() % 4 != 0) {
    if (source) {
      rule.set_source_port_range(RandomPortRange(in));
    } else {
      rule.set_destination_port_range(RandomPortRange(in));
    }
    return;
  }
  int count = 1 + in.Byte() % 3;
  for (int i = 0; i < count; ++i) {
    if (source) {
      rule.add_source_port_ranges(RandomPortRange(in));
    } else {
      rule.add_destination_port_ranges(RandomPortRange(in));
    }
  }
}

constexpr Protocol kProtocols[] = {PROTOCOL_TCP, PROTOCOL_UDP, PROTOCOL_ICMP,
                                   PROTOCOL_ESP, PROTOCOL_AH,  PROTOCOL_ANY};

NetworkSecurityGroup RandomNsg(ByteReader& in, const std::string& name) {
  NetworkSecurityGroup nsg;
  nsg.set_name(name);
  int count = in.Byte() % 12;
  for (int i = 0; i < count; ++i) {
    SecurityRule& rule = *nsg.add_security_rules();
    rule.set_name(absl::StrCat("rule", i));
    // Some priorities cluster so that duplicates, which resolution rejects,
    // occur too.
    rule.set_priority(100 + (in.Bit() ? in.Byte() % 16 : in.Short() % 3997));
    rule.set_direction(in.Bit() ? DIRECTION_INBOUND : DIRECTION_OUTBOUND);
    rule.set_access(in.Bit() ? ACCESS_ALLOW : ACCESS_DENY);
    rule.set_protocol(kProtocols[in.Byte() % 6]);
    RandomAddressSide(in, rule, /*source=*/true);
    RandomAddressSide(in, rule, /*source=*/false);
    RandomPortSide(in, rule, /*source=*/true);
    RandomPortSide(in, rule, /*source=*/false);
  }
  return nsg;
}

Flow RandomFlow(ByteReader& in) {
  Flow flow;
  flow.set_direction(in.Bit() ? DIRECTION_INBOUND : DIRECTION_OUTBOUND);
  Protocol protocol = kProtocols[in.Byte() % 6];
  flow.set_protocol(protocol);
  flow.set_local_address(RandomAddress(in).ToString());
  flow.set_remote_address(RandomAddress(in).ToString());
  if (HasPorts(protocol)) {
    flow.set_local_port(in.Byte() % 2 == 0 ? 22 : in.Short());
    flow.set_remote_port(in.Short());
  }
  return flow;
}

// The independent twin: the matching rule of `flow`'s direction with the
// lowest priority, found without relying on the sorted order.
const ResolvedRule* SlowDecidingRule(const ResolvedNsg& nsg,
                                     const ResolvedFlow& flow) {
  const ResolvedRule* best = nullptr;
  for (const ResolvedRule& rule : nsg.rules(flow.direction)) {
    Check(rule.direction == flow.direction, "rule listed under its direction");
    bool matches = (rule.protocol == PROTOCOL_ANY ||
                    rule.protocol == flow.protocol) &&
                   rule.source.Contains(flow.source()) &&
                   rule.destination.Contains(flow.destination());
    bool source_port = false;
    for (const net::PortRange& range : rule.source_ports) {
      source_port = source_port || range.Contains(flow.source_port());
    }
    bool destination_port = false;
    for (const net::PortRange& range : rule.destination_ports) {
      destination_port =
          destination_port || range.Contains(flow.destination_port());
    }
    if (!matches || !source_port || !destination_port) continue;
    if (best == nullptr || rule.priority < best->priority) best = &rule;
  }
  return best;
}

void CheckStage(const Stage& stage, const ResolvedNsg& nsg,
                const ResolvedFlow& flow) {
  Check(absl::StartsWith(stage.rule(), "securityRules/") ||
            absl::StartsWith(stage.rule(), "defaultSecurityRules/"),
        "stage names a rule");
  const ResolvedRule* slow = SlowDecidingRule(nsg, flow);
  Check(slow != nullptr, "some rule matches every flow");
  Check(slow->reference == stage.rule(), "first match is the lowest priority");
  Check(slow->access == stage.access(), "stage access is the rule's access");
  Check(stage.trace_size() > 0, "trace requested");
  const RuleTraceEntry& last = stage.trace(stage.trace_size() - 1);
  Check(last.decided() && last.rule() == stage.rule(),
        "trace ends with the deciding rule");
  for (int i = 0; i + 1 < stage.trace_size(); ++i) {
    Check(!stage.trace(i).decided(), "only the last trace entry decides");
  }
}

void CheckVerdict(const Verdict& verdict, const NsgAttachments& attachments,
                  const ResolvedFlow& flow) {
  Check(!verdict.rule().empty(), "verdict names a rule");
  if (verdict.rule() == kPlatformExemptionRule) {
    Check(IsPlatformExempt(flow), "exemption only for platform traffic");
    Check(verdict.access() == ACCESS_ALLOW && verdict.stages_size() == 0,
          "exempt flows are allowed without stages");
    return;
  }
  Check(verdict.stages_size() >= 1 && verdict.stages_size() <= 2,
        "one stage per evaluated NSG");

  const ResolvedNsg* first = attachments.subnet;
  const ResolvedNsg* second = attachments.network_interface;
  if (flow.direction == DIRECTION_OUTBOUND) std::swap(first, second);
  std::vector<const ResolvedNsg*> order;
  if (first != nullptr) order.push_back(first);
  if (second != nullptr) order.push_back(second);

  for (int i = 0; i < verdict.stages_size(); ++i) {
    Check(static_cast<size_t>(i) < order.size(), "no stage without an NSG");
    CheckStage(verdict.stages(i), *order[i], flow);
    bool last = i + 1 == verdict.stages_size();
    if (!last) Check(verdict.stages(i).access() == ACCESS_ALLOW, "deny stops");
  }
  const Stage& final_stage = verdict.stages(verdict.stages_size() - 1);
  Check(verdict.access() == final_stage.access(), "verdict access");
  Check(verdict.rule() == final_stage.rule(), "verdict rule");
  if (verdict.access() == ACCESS_ALLOW) {
    Check(static_cast<size_t>(verdict.stages_size()) == order.size(),
          "an allow passes every NSG");
  }
}

}  // namespace
}  // namespace portcullis::nsg

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace portcullis::nsg;  // NOLINT: fuzzer entry point
  ByteReader in(data, size);

  // Building a resolver computes the Internet tag, which is slow, so the
  // fuzzer picks one of a few VirtualNetwork layouts built once.
  static const std::vector<AddressResolver>* const kResolvers = [] {
    const std::vector<std::vector<std::string>> layouts = {
        {},
        {"10.0.0.0/22"},
        {"10.0.0.0/22", "0.0.0.0/0"},  // forced tunnelling
        {"10.0.0.0/23", "2001:db8::/64"},
    };
    auto* resolvers = new std::vector<AddressResolver>();
    for (const std::vector<std::string>& layout : layouts) {
      AddressContext context;
      for (const std::string& text : layout) {
        absl::StatusOr<portcullis::net::IpPrefix> prefix =
            portcullis::net::IpPrefix::ParseStrict(text);
        Check(prefix.ok(), "layout prefix parses");
        context.virtual_network.push_back(*prefix);
      }
      absl::StatusOr<AddressResolver> resolver =
          AddressResolver::Create(ServiceTags(), std::move(context));
      Check(resolver.ok(), "layout resolver builds");
      resolvers->push_back(*std::move(resolver));
    }
    return resolvers;
  }();
  const AddressResolver* resolver =
      &(*kResolvers)[in.Byte() % kResolvers->size()];

  uint8_t layout = in.Byte() % 3;  // subnet only, NIC only, or both
  std::optional<ResolvedNsg> subnet;
  std::optional<ResolvedNsg> nic;
  NetworkSecurityGroup subnet_message = RandomNsg(in, "subnet-nsg");
  NetworkSecurityGroup nic_message = RandomNsg(in, "nic-nsg");
  if (layout != 1) {
    absl::StatusOr<ResolvedNsg> resolved = ResolveNsg(subnet_message, *resolver);
    if (!resolved.ok()) return 0;
    subnet = *std::move(resolved);
    (void)EffectiveRules(subnet_message, ATTACHMENT_SUBNET, *resolver);
  }
  if (layout != 0) {
    absl::StatusOr<ResolvedNsg> resolved = ResolveNsg(nic_message, *resolver);
    if (!resolved.ok()) return 0;
    nic = *std::move(resolved);
  }
  NsgAttachments attachments;
  attachments.subnet = subnet ? &*subnet : nullptr;
  attachments.network_interface = nic ? &*nic : nullptr;

  EvaluateOptions options;
  options.trace = true;
  for (int i = 0; i < 16 && !in.empty(); ++i) {
    absl::StatusOr<ResolvedFlow> flow = ResolvedFlow::FromProto(RandomFlow(in));
    Check(flow.ok(), "generated flows are valid");
    options.platform_exemption = in.Bit();
    absl::StatusOr<Verdict> verdict =
        EvaluateFlow(attachments, *flow, options);
    Check(verdict.ok(), "evaluation succeeds with an NSG");
    CheckVerdict(*verdict, attachments, *flow);
  }
  return 0;
}
