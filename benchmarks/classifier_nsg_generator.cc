#include "benchmarks/classifier_nsg_generator.h"

#include <algorithm>
#include <random>

namespace portcullis::benchmarks {

namespace {

using nsg::FlowV4;
using nsg::FlowV6;
using nsg::Ipv4Cidr;
using nsg::Ipv6Cidr;
using nsg::PortInterval;
using nsg::RuleAccess;
using nsg::TableRule;

constexpr int kRuleCount = 1000;

// A service tag's prefixes, like one entry of Azure's service tag file.
struct Tag {
  std::vector<Ipv4Cidr> v4;
  std::vector<Ipv6Cidr> v6;
};

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  NsgShapedSet Generate(size_t flow_count) {
    MakeTags();
    NsgShapedSet set;
    for (int i = 0; i < kRuleCount - 3; ++i) {
      set.rules.push_back(MakeRule(static_cast<uint32_t>(100 + i * 4)));
    }
    AddDefaultRules(&set.rules);
    for (const TableRule& rule : set.rules) {
      set.prefix_references += rule.source_v4.size() + rule.destination_v4.size() +
                               rule.source_v6.size() + rule.destination_v6.size();
    }
    for (size_t i = 0; i < flow_count; ++i) {
      set.flows_v4.push_back(FlowV4For(set.rules));
      set.flows_v6.push_back(FlowV6For(set.rules));
    }
    return set;
  }

 private:
  uint32_t Next32() { return static_cast<uint32_t>(rng_()); }
  bool Chance(double p) {
    return std::uniform_real_distribution<double>(0, 1)(rng_) < p;
  }

  Ipv4Cidr RandomV4(int min_length, int max_length) {
    const int length = min_length + static_cast<int>(rng_() % (max_length - min_length + 1));
    return Ipv4Cidr{Next32() & nsg::Ipv4Mask(length), static_cast<uint8_t>(length)};
  }

  Ipv6Cidr RandomV6(int min_length, int max_length) {
    const int length = min_length + static_cast<int>(rng_() % (max_length - min_length + 1));
    // Inside 2001:db8::/32 so the addresses stay in the documentation range.
    absl::uint128 address = absl::MakeUint128(
        0x20010DB800000000u | Next32(), rng_());
    return Ipv6Cidr{address & nsg::Ipv6Mask(length), static_cast<uint8_t>(length)};
  }

  // Tags sized like Azure's larger service tags. Rules below reference them
  // so that the references add up to about 100,000 prefixes.
  void MakeTags() {
    const int sizes[] = {30000, 20000, 12000, 8000, 4000, 2000, 1000, 500};
    for (int size : sizes) {
      Tag tag;
      for (int i = 0; i < size; ++i) {
        if (i % 10 == 9) {
          tag.v6.push_back(RandomV6(40, 64));
        } else {
          tag.v4.push_back(RandomV4(18, 32));
        }
      }
      tags_.push_back(std::move(tag));
    }
    // The VNet's address space, as VirtualNetwork resolves it.
    vnet_.v4 = {Ipv4Cidr{0x0A000000, 16}, Ipv4Cidr{0x0A010000, 16},
                Ipv4Cidr{0xA83F8110, 32}};
    vnet_.v6 = {Ipv6Cidr{absl::MakeUint128(0x20010DB8AB000000u, 0), 48}};
  }

  // Fills one side of a rule: a tag, the VNet, "*", or explicit prefixes.
  void MakeSide(std::vector<Ipv4Cidr>* v4, std::vector<Ipv6Cidr>* v6,
                bool allow_tag) {
    const double roll = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (allow_tag && roll < 0.006) {
      const Tag& tag = tags_[rng_() % tags_.size()];
      *v4 = tag.v4;
      *v6 = tag.v6;
    } else if (roll < 0.25) {
      *v4 = vnet_.v4;
      *v6 = vnet_.v6;
    } else if (roll < 0.45) {
      *v4 = {Ipv4Cidr::Any()};
      *v6 = {Ipv6Cidr::Any()};
    } else if (roll < 0.75) {
      // An augmented rule: several explicit prefixes.
      const int count = 2 + static_cast<int>(rng_() % 30);
      for (int i = 0; i < count; ++i) {
        if (Chance(0.8)) {
          v4->push_back(RandomV4(16, 32));
        } else {
          v6->push_back(RandomV6(48, 128));
        }
      }
    } else {
      if (Chance(0.85)) {
        v4->push_back(RandomV4(20, 32));
      } else {
        v6->push_back(RandomV6(48, 128));
      }
    }
  }

  std::vector<PortInterval> MakePorts() {
    const double roll = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (roll < 0.3) return {PortInterval::Any()};
    const uint16_t common[] = {22, 80, 443, 1433, 3389, 5986, 8080, 8443};
    if (roll < 0.7) return {PortInterval::Single(common[rng_() % 8])};
    std::vector<PortInterval> ports;
    const int count = 2 + static_cast<int>(rng_() % 4);
    for (int i = 0; i < count; ++i) {
      const uint16_t first = static_cast<uint16_t>(1024 + rng_() % 60000);
      ports.push_back(PortInterval{first, static_cast<uint16_t>(first + rng_() % 100)});
    }
    return ports;
  }

  TableRule MakeRule(uint32_t priority) {
    TableRule rule;
    rule.priority = priority;
    MakeSide(&rule.source_v4, &rule.source_v6, /*allow_tag=*/true);
    MakeSide(&rule.destination_v4, &rule.destination_v6, /*allow_tag=*/true);
    rule.source_ports = {PortInterval::Any()};
    rule.destination_ports = MakePorts();
    const double roll = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (roll < 0.5) {
      rule.protocol = 6;
    } else if (roll < 0.7) {
      rule.protocol = 17;
    } else if (roll < 0.75) {
      rule.protocol = 1;
    }
    rule.access = Chance(0.6) ? RuleAccess::kAllow : RuleAccess::kDeny;
    return rule;
  }

  void AddDefaultRules(std::vector<TableRule>* rules) {
    TableRule vnet;
    vnet.priority = 65000;
    vnet.source_v4 = vnet_.v4;
    vnet.source_v6 = vnet_.v6;
    vnet.destination_v4 = vnet_.v4;
    vnet.destination_v6 = vnet_.v6;
    vnet.source_ports = {PortInterval::Any()};
    vnet.destination_ports = {PortInterval::Any()};
    vnet.access = RuleAccess::kAllow;
    rules->push_back(vnet);

    TableRule load_balancer = vnet;
    load_balancer.priority = 65001;
    load_balancer.source_v4 = {Ipv4Cidr{0xA83F8110, 32}};  // 168.63.129.16
    load_balancer.source_v6.clear();
    load_balancer.destination_v4 = {Ipv4Cidr::Any()};
    load_balancer.destination_v6 = {Ipv6Cidr::Any()};
    rules->push_back(load_balancer);

    TableRule deny_all = load_balancer;
    deny_all.priority = 65500;
    deny_all.source_v4 = {Ipv4Cidr::Any()};
    deny_all.source_v6 = {Ipv6Cidr::Any()};
    deny_all.access = RuleAccess::kDeny;
    rules->push_back(deny_all);
  }

  template <typename Cidr, typename Address>
  Address Inside(const std::vector<Cidr>& set, Address random, Address fallback) {
    if (set.empty()) return fallback;
    const Cidr& cidr = set[rng_() % set.size()];
    if constexpr (sizeof(Address) == 4) {
      return cidr.address | (random & ~nsg::Ipv4Mask(cidr.length));
    } else {
      return cidr.address | (random & ~nsg::Ipv6Mask(cidr.length));
    }
  }

  uint16_t PortFor(const TableRule& rule) {
    const PortInterval& interval =
        rule.destination_ports[rng_() % rule.destination_ports.size()];
    return static_cast<uint16_t>(interval.first +
                                 rng_() % (uint32_t{interval.last} - interval.first + 1));
  }

  uint8_t ProtocolFor(const TableRule& rule) {
    if (rule.protocol.has_value()) return *rule.protocol;
    const uint8_t protocols[] = {1, 6, 17};
    return protocols[rng_() % 3];
  }

  FlowV4 FlowV4For(const std::vector<TableRule>& rules) {
    FlowV4 flow{Next32(), Next32(), static_cast<uint16_t>(Next32()),
                static_cast<uint16_t>(Next32()), Chance(0.5) ? uint8_t{6} : uint8_t{17}};
    if (Chance(0.5)) {
      const TableRule& rule = rules[rng_() % rules.size()];
      flow.source = Inside(rule.source_v4, Next32(), flow.source);
      flow.destination = Inside(rule.destination_v4, Next32(), flow.destination);
      flow.destination_port = PortFor(rule);
      flow.protocol = ProtocolFor(rule);
    }
    return flow;
  }

  FlowV6 FlowV6For(const std::vector<TableRule>& rules) {
    const absl::uint128 random_source = absl::MakeUint128(rng_(), rng_());
    const absl::uint128 random_destination = absl::MakeUint128(rng_(), rng_());
    FlowV6 flow{random_source, random_destination, static_cast<uint16_t>(Next32()),
                static_cast<uint16_t>(Next32()), 6};
    if (Chance(0.5)) {
      const TableRule& rule = rules[rng_() % rules.size()];
      flow.source = Inside(rule.source_v6, absl::MakeUint128(rng_(), rng_()), flow.source);
      flow.destination =
          Inside(rule.destination_v6, absl::MakeUint128(rng_(), rng_()), flow.destination);
      flow.destination_port = PortFor(rule);
      flow.protocol = ProtocolFor(rule);
    }
    return flow;
  }

  std::mt19937_64 rng_;
  std::vector<Tag> tags_;
  Tag vnet_;
};

}  // namespace

NsgShapedSet GenerateNsgShapedSet(uint64_t seed, size_t flow_count) {
  return Generator(seed).Generate(flow_count);
}

}  // namespace portcullis::benchmarks
