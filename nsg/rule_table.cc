#include "nsg/rule_table.h"

#include <arpa/inet.h>

#include <algorithm>
#include <numeric>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace portcullis::nsg {

namespace {

std::string FormatIpv6(absl::uint128 address) {
  unsigned char bytes[16];
  for (int i = 0; i < 16; ++i) {
    bytes[i] = static_cast<unsigned char>(
        absl::Uint128Low64(address >> (8 * (15 - i))) & 0xff);
  }
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, bytes, text, sizeof(text)) == nullptr) return "?";
  return text;
}

template <typename Cidr>
bool AnyContains(const std::vector<Cidr>& set, decltype(Cidr::address) host) {
  for (const Cidr& cidr : set) {
    if (cidr.Contains(host)) return true;
  }
  return false;
}

bool AnyContainsPort(const std::vector<PortInterval>& set, uint16_t port) {
  for (const PortInterval& interval : set) {
    if (interval.Contains(port)) return true;
  }
  return false;
}

template <typename Flow>
bool CommonFieldsMatch(const TableRule& rule, const Flow& flow) {
  if (rule.protocol.has_value() && *rule.protocol != flow.protocol) {
    return false;
  }
  return AnyContainsPort(rule.source_ports, flow.source_port) &&
         AnyContainsPort(rule.destination_ports, flow.destination_port);
}

absl::Status CheckV4(const std::vector<Ipv4Cidr>& set, absl::string_view path) {
  for (size_t i = 0; i < set.size(); ++i) {
    const Ipv4Cidr& cidr = set[i];
    if (cidr.length > 32) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, "[", i, "]: invalid cidr length ", cidr.length,
                       "; expected 0 to 32"));
    }
    if ((cidr.address & ~Ipv4Mask(cidr.length)) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, "[", i, "]: invalid cidr ", cidr.ToString(),
                       "; host bits are set"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckV6(const std::vector<Ipv6Cidr>& set, absl::string_view path) {
  for (size_t i = 0; i < set.size(); ++i) {
    const Ipv6Cidr& cidr = set[i];
    if (cidr.length > 128) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, "[", i, "]: invalid cidr length ", cidr.length,
                       "; expected 0 to 128"));
    }
    if ((cidr.address & ~Ipv6Mask(cidr.length)) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, "[", i, "]: invalid cidr ", cidr.ToString(),
                       "; host bits are set"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPorts(const std::vector<PortInterval>& set,
                        absl::string_view path) {
  for (size_t i = 0; i < set.size(); ++i) {
    if (set[i].first > set[i].last) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, "[", i, "]: invalid port interval ", set[i].first,
                       "-", set[i].last, "; expected first <= last"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRule(const TableRule& rule, size_t index) {
  const std::string path = absl::StrCat("rules[", index, "]");
  absl::Status status = CheckV4(rule.source_v4, path + ".source_v4");
  if (status.ok()) status = CheckV4(rule.destination_v4, path + ".destination_v4");
  if (status.ok()) status = CheckV6(rule.source_v6, path + ".source_v6");
  if (status.ok()) status = CheckV6(rule.destination_v6, path + ".destination_v6");
  if (status.ok()) status = CheckPorts(rule.source_ports, path + ".source_ports");
  if (status.ok()) {
    status = CheckPorts(rule.destination_ports, path + ".destination_ports");
  }
  return status;
}

}  // namespace

bool Ipv4Cidr::Contains(uint32_t host) const {
  return ((host ^ address) & Ipv4Mask(length)) == 0;
}

std::string Ipv4Cidr::ToString() const {
  return absl::StrCat(address >> 24, ".", (address >> 16) & 0xff, ".",
                      (address >> 8) & 0xff, ".", address & 0xff, "/", length);
}

bool Ipv6Cidr::Contains(absl::uint128 host) const {
  return ((host ^ address) & Ipv6Mask(length)) == 0;
}

std::string Ipv6Cidr::ToString() const {
  return absl::StrCat(FormatIpv6(address), "/", length);
}

bool RuleMatchesFlow(const TableRule& rule, const FlowV4& flow) {
  return CommonFieldsMatch(rule, flow) &&
         AnyContains(rule.source_v4, flow.source) &&
         AnyContains(rule.destination_v4, flow.destination);
}

bool RuleMatchesFlow(const TableRule& rule, const FlowV6& flow) {
  return CommonFieldsMatch(rule, flow) &&
         AnyContains(rule.source_v6, flow.source) &&
         AnyContains(rule.destination_v6, flow.destination);
}

absl::StatusOr<RuleTable> RuleTable::Create(std::vector<TableRule> rules) {
  if (rules.size() > kMaxRules) {
    return absl::InvalidArgumentError(
        absl::StrCat("rules: too many rules (", rules.size(), "); expected at most ",
                     kMaxRules));
  }
  for (size_t i = 0; i < rules.size(); ++i) {
    absl::Status status = CheckRule(rules[i], i);
    if (!status.ok()) return status;
  }
  return RuleTable(std::move(rules));
}

RuleTable::RuleTable(std::vector<TableRule> rules) : rules_(std::move(rules)) {
  order_.resize(rules_.size());
  std::iota(order_.begin(), order_.end(), 0);
  std::stable_sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
    return rules_[a].priority < rules_[b].priority;
  });
}

template <typename Flow>
RuleMatch RuleTable::Scan(const Flow& flow) const {
  for (uint32_t index : order_) {
    const TableRule& rule = rules_[index];
    if (RuleMatchesFlow(rule, flow)) {
      return RuleMatch{index, rule.priority, rule.access};
    }
  }
  return RuleMatch{};
}

RuleMatch RuleTable::ReferenceLookup(const FlowV4& flow) const {
  return Scan(flow);
}

RuleMatch RuleTable::ReferenceLookup(const FlowV6& flow) const {
  return Scan(flow);
}

}  // namespace portcullis::nsg
