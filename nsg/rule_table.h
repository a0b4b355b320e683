// The general 5-tuple rule table beneath the NSG model, and its reference
// evaluator.
//
// A table is an ordered list of rules. Each rule has a priority, source and
// destination address sets (IPv4 and IPv6 CIDR blocks kept apart), source
// and destination port interval sets, an IP protocol number or "any", and an
// access. A flow matches a rule when every field of the flow is in the
// rule's set for that field; an empty set matches nothing. The deciding rule
// for a flow is the matching rule with the lowest priority number, and among
// equal priorities the one with the lowest index:
//
//   TableRule ssh;
//   ssh.priority = 100;
//   ssh.source_v4 = {Ipv4Cidr{0xC0000200, 24}};        // 192.0.2.0/24
//   ssh.destination_v4 = {Ipv4Cidr::Any()};
//   ssh.source_ports = {PortInterval::Any()};
//   ssh.destination_ports = {PortInterval{22, 22}};
//   ssh.protocol = 6;
//   ssh.access = RuleAccess::kAllow;
//   absl::StatusOr<RuleTable> table = RuleTable::Create({ssh});
//   RuleMatch match = table->ReferenceLookup(flow);
//
// NSGs compile into this table after validation, service tags and
// application security groups are resolved; ClassBench files load into it
// directly (see classbench.h). The reference evaluator is a linear scan that
// is slow on purpose: the compiled classifier (classifier.h) must return the
// same rule for every flow, and tests compare the two.
#ifndef PORTCULLIS_NSG_RULE_TABLE_H_
#define PORTCULLIS_NSG_RULE_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace portcullis::nsg {

// An IPv4 CIDR block. `address` is in host byte order and has no bits set
// past `length` (0 to 32).
struct Ipv4Cidr {
  uint32_t address = 0;
  uint8_t length = 0;

  static Ipv4Cidr Any() { return {0, 0}; }
  bool Contains(uint32_t host) const;
  std::string ToString() const;
  friend bool operator==(const Ipv4Cidr& a, const Ipv4Cidr& b) {
    return a.address == b.address && a.length == b.length;
  }
};

// An IPv6 CIDR block. `address` is in host byte order and has no bits set
// past `length` (0 to 128).
struct Ipv6Cidr {
  absl::uint128 address = 0;
  uint8_t length = 0;

  static Ipv6Cidr Any() { return {0, 0}; }
  bool Contains(absl::uint128 host) const;
  std::string ToString() const;
  friend bool operator==(const Ipv6Cidr& a, const Ipv6Cidr& b) {
    return a.address == b.address && a.length == b.length;
  }
};

// An inclusive range of ports, first <= last.
struct PortInterval {
  uint16_t first = 0;
  uint16_t last = 65535;

  static PortInterval Any() { return {0, 65535}; }
  static PortInterval Single(uint16_t port) { return {port, port}; }
  bool Contains(uint16_t port) const { return first <= port && port <= last; }
  friend bool operator==(const PortInterval& a, const PortInterval& b) {
    return a.first == b.first && a.last == b.last;
  }
};

enum class RuleAccess : uint8_t { kDeny = 0, kAllow = 1 };

// One rule of a RuleTable. A field that should match everything contains the
// "any" element (Ipv4Cidr::Any(), PortInterval::Any(), no protocol). An
// empty set matches no flow, which is how a rule naming an empty
// application security group behaves.
struct TableRule {
  // Lower numbers win. Ties are broken by the rule's index in the table.
  uint32_t priority = 0;
  std::vector<Ipv4Cidr> source_v4;
  std::vector<Ipv4Cidr> destination_v4;
  std::vector<Ipv6Cidr> source_v6;
  std::vector<Ipv6Cidr> destination_v6;
  std::vector<PortInterval> source_ports;
  std::vector<PortInterval> destination_ports;
  // The IP protocol number, or nullopt for any protocol.
  std::optional<uint8_t> protocol;
  RuleAccess access = RuleAccess::kDeny;
};

// The 5-tuple of an IPv4 flow, addresses in host byte order.
struct FlowV4 {
  uint32_t source = 0;
  uint32_t destination = 0;
  uint16_t source_port = 0;
  uint16_t destination_port = 0;
  uint8_t protocol = 0;
};

// The 5-tuple of an IPv6 flow, addresses in host byte order.
struct FlowV6 {
  absl::uint128 source = 0;
  absl::uint128 destination = 0;
  uint16_t source_port = 0;
  uint16_t destination_port = 0;
  uint8_t protocol = 0;
};

// The deciding rule for a flow, or no rule (`found()` is false).
struct RuleMatch {
  static constexpr uint32_t kNoRule = std::numeric_limits<uint32_t>::max();

  uint32_t index = kNoRule;
  uint32_t priority = 0;
  RuleAccess access = RuleAccess::kDeny;

  bool found() const { return index != kNoRule; }
  friend bool operator==(const RuleMatch& a, const RuleMatch& b) {
    return a.index == b.index && a.priority == b.priority &&
           a.access == b.access;
  }
  friend bool operator!=(const RuleMatch& a, const RuleMatch& b) {
    return !(a == b);
  }
};

// True when `flow` is in every field set of `rule`.
bool RuleMatchesFlow(const TableRule& rule, const FlowV4& flow);
bool RuleMatchesFlow(const TableRule& rule, const FlowV6& flow);

// An immutable, validated list of rules. Thread-safe: every method is const.
class RuleTable {
 public:
  // The largest table Create accepts. Rule indexes and ranks are 32-bit in
  // the compiled classifier, and RuleMatch::kNoRule must stay free.
  static constexpr size_t kMaxRules = size_t{1} << 30;

  // Validates `rules`: CIDR lengths within 0-32 or 0-128 with no host bits
  // set, and port intervals with first <= last. Errors name the field, such
  // as `rules[3].source_v4[1]: invalid cidr 192.0.2.1/24; host bits are set`.
  static absl::StatusOr<RuleTable> Create(std::vector<TableRule> rules);

  RuleTable() = default;

  // Returns the deciding rule for `flow`: the first matching rule in
  // (priority, index) order, found by testing the rules one by one in that
  // order. Slow on purpose.
  RuleMatch ReferenceLookup(const FlowV4& flow) const;
  RuleMatch ReferenceLookup(const FlowV6& flow) const;

  const std::vector<TableRule>& rules() const { return rules_; }
  size_t size() const { return rules_.size(); }
  const TableRule& rule(size_t index) const { return rules_[index]; }

 private:
  explicit RuleTable(std::vector<TableRule> rules);

  template <typename Flow>
  RuleMatch Scan(const Flow& flow) const;

  std::vector<TableRule> rules_;
  // Rule indexes sorted by (priority, index).
  std::vector<uint32_t> order_;
};

// Returns the IPv4 mask of a CIDR length (0 to 32): length one bits from the top.
inline uint32_t Ipv4Mask(int length) {
  return length == 0 ? 0 : ~uint32_t{0} << (32 - length);
}

// Returns the IPv6 mask of a CIDR length (0 to 128).
inline absl::uint128 Ipv6Mask(int length) {
  return length == 0 ? absl::uint128(0) : ~absl::uint128(0) << (128 - length);
}

}  // namespace portcullis::nsg

#endif  // PORTCULLIS_NSG_RULE_TABLE_H_
