#include "nsg/model.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace portcullis::nsg {
namespace {

SecurityRule MakeDefaultRule(absl::string_view name, int priority,
                             Direction direction, Access access,
                             absl::string_view source,
                             absl::string_view destination,
                             absl::string_view description) {
  SecurityRule rule;
  rule.set_name(std::string(name));
  rule.set_priority(priority);
  rule.set_direction(direction);
  rule.set_access(access);
  rule.set_protocol(PROTOCOL_ANY);
  rule.set_source_address_prefix(std::string(source));
  rule.set_destination_address_prefix(std::string(destination));
  rule.set_source_port_range("*");
  rule.set_destination_port_range("*");
  rule.set_description(std::string(description));
  return rule;
}

}  // namespace

namespace {

// Escapes `text` for a double-quoted message: a backslash before '"' and
// '\\', and \xNN for control bytes and bytes from 0x7f up. Single quotes,
// common in template expressions, stay as they are.
// Returns `id` without its trailing slashes.
absl::string_view WithoutTrailingSlashes(absl::string_view id) {
  while (absl::ConsumeSuffix(&id, "/")) {
  }
  return id;
}

std::string EscapeForMessage(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      absl::StrAppend(&out, "\\x", absl::Hex(byte, absl::kZeroPad2));
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string QuoteForMessage(absl::string_view text) {
  // Long enough for a whole Azure resource id (an application security
  // group's id runs to about 180 characters), short enough to keep a
  // hostile megabyte out of messages.
  constexpr size_t kLimit = 256;
  if (text.size() <= kLimit) {
    return absl::StrCat("\"", EscapeForMessage(text), "\"");
  }
  return absl::StrCat("\"", EscapeForMessage(text.substr(0, kLimit)), "...\"");
}

absl::StatusOr<Protocol> ParseProtocol(absl::string_view text) {
  struct Name {
    absl::string_view text;
    Protocol protocol;
  };
  static constexpr Name kNames[] = {
      {"Tcp", PROTOCOL_TCP}, {"Udp", PROTOCOL_UDP}, {"Icmp", PROTOCOL_ICMP},
      {"Esp", PROTOCOL_ESP}, {"Ah", PROTOCOL_AH},   {"*", PROTOCOL_ANY},
      {"Any", PROTOCOL_ANY}, {"All", PROTOCOL_ANY},
  };
  for (const Name& name : kNames) {
    if (absl::EqualsIgnoreCase(text, name.text)) return name.protocol;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("invalid protocol ", QuoteForMessage(text),
                   "; expected Tcp, Udp, Icmp, Esp, Ah or *"));
}

absl::StatusOr<Direction> ParseDirection(absl::string_view text) {
  if (absl::EqualsIgnoreCase(text, "Inbound")) return DIRECTION_INBOUND;
  if (absl::EqualsIgnoreCase(text, "Outbound")) return DIRECTION_OUTBOUND;
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid direction ", QuoteForMessage(text), "; expected Inbound or Outbound"));
}

absl::StatusOr<Access> ParseAccess(absl::string_view text) {
  if (absl::EqualsIgnoreCase(text, "Allow")) return ACCESS_ALLOW;
  if (absl::EqualsIgnoreCase(text, "Deny")) return ACCESS_DENY;
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid access ", QuoteForMessage(text), "; expected Allow or Deny"));
}

absl::string_view ProtocolName(Protocol protocol) {
  switch (protocol) {
    case PROTOCOL_TCP:
      return "Tcp";
    case PROTOCOL_UDP:
      return "Udp";
    case PROTOCOL_ICMP:
      return "Icmp";
    case PROTOCOL_ESP:
      return "Esp";
    case PROTOCOL_AH:
      return "Ah";
    case PROTOCOL_ANY:
      return "*";
    default:
      return "";
  }
}

absl::string_view DirectionName(Direction direction) {
  switch (direction) {
    case DIRECTION_INBOUND:
      return "Inbound";
    case DIRECTION_OUTBOUND:
      return "Outbound";
    default:
      return "";
  }
}

absl::string_view AccessName(Access access) {
  switch (access) {
    case ACCESS_ALLOW:
      return "Allow";
    case ACCESS_DENY:
      return "Deny";
    default:
      return "";
  }
}

std::vector<SecurityRule> DefaultSecurityRules() {
  // Names, priorities and descriptions as the REST API returns them
  // (Microsoft.Network 2024-05-01).
  return {
      MakeDefaultRule("AllowVnetInBound", 65000, DIRECTION_INBOUND,
                      ACCESS_ALLOW, "VirtualNetwork", "VirtualNetwork",
                      "Allow inbound traffic from all VMs in VNET"),
      MakeDefaultRule("AllowAzureLoadBalancerInBound", 65001,
                      DIRECTION_INBOUND, ACCESS_ALLOW, "AzureLoadBalancer", "*",
                      "Allow inbound traffic from azure load balancer"),
      MakeDefaultRule("DenyAllInBound", 65500, DIRECTION_INBOUND, ACCESS_DENY,
                      "*", "*", "Deny all inbound traffic"),
      MakeDefaultRule("AllowVnetOutBound", 65000, DIRECTION_OUTBOUND,
                      ACCESS_ALLOW, "VirtualNetwork", "VirtualNetwork",
                      "Allow outbound traffic from all VMs to all VMs in VNET"),
      MakeDefaultRule("AllowInternetOutBound", 65001, DIRECTION_OUTBOUND,
                      ACCESS_ALLOW, "*", "Internet",
                      "Allow outbound traffic from all VMs to Internet"),
      MakeDefaultRule("DenyAllOutBound", 65500, DIRECTION_OUTBOUND,
                      ACCESS_DENY, "*", "*", "Deny all outbound traffic"),
  };
}

void AddMissingDefaultRules(NetworkSecurityGroup& nsg) {
  for (SecurityRule& standard : DefaultSecurityRules()) {
    bool present = false;
    for (const SecurityRule& rule : nsg.default_security_rules()) {
      if (absl::EqualsIgnoreCase(rule.name(), standard.name())) present = true;
    }
    if (!present) *nsg.add_default_security_rules() = std::move(standard);
  }
}

std::string RuleReference(const SecurityRule& rule, bool is_default) {
  return absl::StrCat(is_default ? "defaultSecurityRules/" : "securityRules/",
                      rule.name());
}

absl::string_view SideName(Side side) {
  return side == Side::kSource ? "source" : "destination";
}

std::vector<std::string> AddressEntries(const SecurityRule& rule, Side side) {
  const std::string& single = side == Side::kSource
                                  ? rule.source_address_prefix()
                                  : rule.destination_address_prefix();
  if (!single.empty()) return {single};
  const auto& list = side == Side::kSource
                         ? rule.source_address_prefixes()
                         : rule.destination_address_prefixes();
  return std::vector<std::string>(list.begin(), list.end());
}

std::vector<std::string> PortEntries(const SecurityRule& rule, Side side) {
  const std::string& single = side == Side::kSource
                                  ? rule.source_port_range()
                                  : rule.destination_port_range();
  if (!single.empty()) return {single};
  const auto& list = side == Side::kSource ? rule.source_port_ranges()
                                           : rule.destination_port_ranges();
  return std::vector<std::string>(list.begin(), list.end());
}

std::vector<std::string> ApplicationSecurityGroups(const SecurityRule& rule,
                                                   Side side) {
  const auto& list = side == Side::kSource
                         ? rule.source_application_security_groups()
                         : rule.destination_application_security_groups();
  return std::vector<std::string>(list.begin(), list.end());
}

absl::StatusOr<std::vector<net::PortRange>> ParsePorts(const SecurityRule& rule,
                                                       Side side) {
  std::vector<std::string> entries = PortEntries(rule, side);
  if (entries.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("rule ", QuoteForMessage(rule.name()), ": no ", SideName(side),
                     " port range; expected \"*\", a port or a range"));
  }

  std::vector<net::PortRange> ranges;
  ranges.reserve(entries.size());
  for (const std::string& entry : entries) {
    absl::StatusOr<net::PortRange> range = net::PortRange::Parse(entry);
    if (!range.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("rule ", QuoteForMessage(rule.name()), ": ", SideName(side),
                       " port range: ", range.status().message()));
    }
    ranges.push_back(*range);
  }
  return ranges;
}

absl::Status CheckApplicationSecurityGroupId(absl::string_view id) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(WithoutTrailingSlashes(id), '/');
  const bool valid =
      parts.size() == 9 && parts[0].empty() &&
      absl::EqualsIgnoreCase(parts[1], "subscriptions") &&
      absl::EqualsIgnoreCase(parts[3], "resourceGroups") &&
      absl::EqualsIgnoreCase(parts[5], "providers") &&
      absl::EqualsIgnoreCase(parts[6], "Microsoft.Network") &&
      absl::EqualsIgnoreCase(parts[7], "applicationSecurityGroups") &&
      !parts[2].empty() && !parts[4].empty() && !parts[8].empty() &&
      std::none_of(id.begin(), id.end(), [](char c) {
        return absl::ascii_isspace(static_cast<unsigned char>(c));
      });
  if (valid) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid application security group id ", QuoteForMessage(id),
      "; expected /subscriptions/{subscriptionId}/resourceGroups/"
      "{resourceGroupName}/providers/Microsoft.Network/"
      "applicationSecurityGroups/{name}"));
}

std::string ResourceIdKey(absl::string_view id) {
  return absl::AsciiStrToLower(WithoutTrailingSlashes(id));
}

}  // namespace portcullis::nsg
