#include "tests/nsg/classifier_random_rules.h"

#include <algorithm>
#include <cstdint>

namespace portcullis::nsg::testing {

namespace {

// 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and a /16 around the first.
constexpr uint32_t kV4Pool[] = {0xC0000200, 0xC6336400, 0xCB007100,
                                0xC0000000};
// 2001:db8::/32 and two networks inside it.
const absl::uint128 kV6Pool[] = {
    absl::MakeUint128(0x20010DB800000000u, 0),
    absl::MakeUint128(0x20010DB800010000u, 0),
    absl::MakeUint128(0x20010DB8ABCD0000u, 0x1),
};
constexpr int kV4Lengths[] = {0, 1, 8, 15, 16, 17, 22, 23, 24, 25, 28, 30, 31, 32, 32};
constexpr int kV6Lengths[] = {0, 1, 16, 32, 33, 48, 56, 64, 96, 112, 127, 128, 128};
constexpr uint8_t kProtocols[] = {0, 1, 6, 17, 47, 255};

template <typename T, size_t N>
T Pick(std::mt19937_64& rng, const T (&values)[N]) {
  return values[rng() % N];
}

bool Chance(std::mt19937_64& rng, double p) {
  return std::uniform_real_distribution<double>(0, 1)(rng) < p;
}

uint32_t NearV4(std::mt19937_64& rng) {
  uint32_t address = Pick(rng, kV4Pool);
  switch (rng() % 4) {
    case 0: return address;
    case 1: return address | static_cast<uint32_t>(rng() & 0xff);
    case 2: return address ^ static_cast<uint32_t>(rng() & 0xffff);
    default: return static_cast<uint32_t>(rng());
  }
}

absl::uint128 NearV6(std::mt19937_64& rng) {
  absl::uint128 address = Pick(rng, kV6Pool);
  switch (rng() % 4) {
    case 0: return address;
    case 1: return address | absl::uint128(rng() & 0xffff);
    case 2: return address ^ absl::MakeUint128(rng() & 0xffffffff, rng());
    default: return absl::MakeUint128(rng(), rng());
  }
}

Ipv4Cidr RandomV4Cidr(std::mt19937_64& rng) {
  Ipv4Cidr cidr;
  cidr.length = static_cast<uint8_t>(Pick(rng, kV4Lengths));
  cidr.address = NearV4(rng) & Ipv4Mask(cidr.length);
  return cidr;
}

Ipv6Cidr RandomV6Cidr(std::mt19937_64& rng) {
  Ipv6Cidr cidr;
  cidr.length = static_cast<uint8_t>(Pick(rng, kV6Lengths));
  cidr.address = NearV6(rng) & Ipv6Mask(cidr.length);
  return cidr;
}

uint16_t RandomPort(std::mt19937_64& rng) {
  switch (rng() % 6) {
    case 0: return 0;
    case 1: return 65535;
    case 2: return static_cast<uint16_t>(rng() % 1024);
    case 3: return 22;
    case 4: return 443;
    default: return static_cast<uint16_t>(rng());
  }
}

PortInterval RandomInterval(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0: return PortInterval::Any();
    case 1: return PortInterval::Single(RandomPort(rng));
    default: {
      uint16_t a = RandomPort(rng);
      uint16_t b = RandomPort(rng);
      return PortInterval{std::min(a, b), std::max(a, b)};
    }
  }
}

std::vector<PortInterval> RandomPorts(std::mt19937_64& rng) {
  if (Chance(rng, 0.4)) return {PortInterval::Any()};
  std::vector<PortInterval> ports;
  const int count = Chance(rng, 0.8) ? 1 : 2 + static_cast<int>(rng() % 4);
  for (int i = 0; i < count; ++i) ports.push_back(RandomInterval(rng));
  return ports;
}

int SetSize(std::mt19937_64& rng, const RandomRuleOptions& options) {
  if (Chance(rng, 0.02)) return 0;  // an empty set: the rule never matches
  if (Chance(rng, options.large_set_share)) {
    return 1 + static_cast<int>(rng() % std::max(1, options.max_set_size));
  }
  return Chance(rng, 0.7) ? 1 : 2 + static_cast<int>(rng() % 2);
}

template <typename Cidr, typename Make>
std::vector<Cidr> RandomSet(std::mt19937_64& rng,
                            const RandomRuleOptions& options, Make make) {
  if (Chance(rng, 0.15)) return {Cidr::Any()};
  std::vector<Cidr> set;
  const int size = SetSize(rng, options);
  for (int i = 0; i < size; ++i) set.push_back(make(rng));
  return set;
}

template <typename Flow>
void FillCommon(std::mt19937_64& rng, const TableRule* inside, Flow* flow) {
  auto port_in = [&](const std::vector<PortInterval>& set) -> uint16_t {
    if (set.empty() || Chance(rng, 0.1)) return RandomPort(rng);
    const PortInterval& interval = set[rng() % set.size()];
    switch (rng() % 3) {
      case 0: return interval.first;
      case 1: return interval.last;
      default:
        return static_cast<uint16_t>(
            interval.first + rng() % (uint32_t{interval.last} - interval.first + 1));
    }
  };
  if (inside != nullptr) {
    flow->source_port = port_in(inside->source_ports);
    flow->destination_port = port_in(inside->destination_ports);
    flow->protocol = inside->protocol.has_value() && !Chance(rng, 0.05)
                         ? *inside->protocol
                         : Pick(rng, kProtocols);
  } else {
    flow->source_port = RandomPort(rng);
    flow->destination_port = RandomPort(rng);
    flow->protocol = Pick(rng, kProtocols);
  }
}

const TableRule* PickRule(std::mt19937_64& rng,
                          const std::vector<TableRule>& rules) {
  if (rules.empty() || Chance(rng, 0.5)) return nullptr;
  return &rules[rng() % rules.size()];
}

}  // namespace

int SanitizerSlowdown() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return 10;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  return 10;
#else
  return 1;
#endif
#else
  return 1;
#endif
}

std::vector<TableRule> RandomRules(std::mt19937_64& rng,
                                   const RandomRuleOptions& options) {
  std::vector<TableRule> rules;
  rules.reserve(options.rule_count);
  for (int i = 0; i < options.rule_count; ++i) {
    TableRule rule;
    rule.priority = static_cast<uint32_t>(rng() % std::max<uint32_t>(1, options.priority_span));
    const bool v6 = Chance(rng, options.v6_share);
    const bool v4 = !v6 || Chance(rng, 0.5);
    if (v4) {
      rule.source_v4 = RandomSet<Ipv4Cidr>(rng, options, RandomV4Cidr);
      rule.destination_v4 = RandomSet<Ipv4Cidr>(rng, options, RandomV4Cidr);
    }
    if (v6) {
      rule.source_v6 = RandomSet<Ipv6Cidr>(rng, options, RandomV6Cidr);
      rule.destination_v6 = RandomSet<Ipv6Cidr>(rng, options, RandomV6Cidr);
    }
    rule.source_ports = RandomPorts(rng);
    if (Chance(rng, options.any_source_port_share)) rule.source_ports = {PortInterval::Any()};
    rule.destination_ports = RandomPorts(rng);
    if (Chance(rng, 0.6)) rule.protocol = Pick(rng, kProtocols);
    rule.access = Chance(rng, 0.5) ? RuleAccess::kAllow : RuleAccess::kDeny;
    rules.push_back(std::move(rule));
  }
  return rules;
}

FlowV4 RandomFlowV4(std::mt19937_64& rng, const std::vector<TableRule>& rules) {
  FlowV4 flow;
  const TableRule* inside = PickRule(rng, rules);
  if (inside != nullptr && inside->source_v4.empty()) inside = nullptr;
  auto address_in = [&](const std::vector<Ipv4Cidr>& set) -> uint32_t {
    if (set.empty()) return NearV4(rng);
    const Ipv4Cidr& cidr = set[rng() % set.size()];
    return cidr.address | (static_cast<uint32_t>(rng()) & ~Ipv4Mask(cidr.length));
  };
  flow.source = inside ? address_in(inside->source_v4) : NearV4(rng);
  flow.destination = inside ? address_in(inside->destination_v4) : NearV4(rng);
  FillCommon(rng, inside, &flow);
  return flow;
}

FlowV6 RandomFlowV6(std::mt19937_64& rng, const std::vector<TableRule>& rules) {
  FlowV6 flow;
  const TableRule* inside = PickRule(rng, rules);
  if (inside != nullptr && inside->source_v6.empty()) inside = nullptr;
  auto address_in = [&](const std::vector<Ipv6Cidr>& set) -> absl::uint128 {
    if (set.empty()) return NearV6(rng);
    const Ipv6Cidr& cidr = set[rng() % set.size()];
    return cidr.address |
           (absl::MakeUint128(rng(), rng()) & ~Ipv6Mask(cidr.length));
  };
  flow.source = inside ? address_in(inside->source_v6) : NearV6(rng);
  flow.destination = inside ? address_in(inside->destination_v6) : NearV6(rng);
  FillCommon(rng, inside, &flow);
  return flow;
}

}  // namespace portcullis::nsg::testing
