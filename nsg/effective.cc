#include "nsg/effective.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "net/ip_prefix.h"
#include "net/port_range.h"
#include "nsg/model.h"

namespace portcullis::nsg {
namespace {

using TagMap = std::map<std::string, std::pair<std::string, std::vector<std::string>>>;

std::vector<std::string> PrefixStrings(const net::PrefixSet& set) {
  std::vector<std::string> out;
  out.reserve(set.prefixes().size());
  for (const net::IpPrefix& prefix : set.prefixes()) {
    out.push_back(prefix.ToString());
  }
  return out;
}

absl::Status RuleError(const SecurityRule& rule, const absl::Status& status) {
  return absl::InvalidArgumentError(absl::StrCat(
      "rule ", RuleReference(rule, false), ": ", status.message()));
}

// Fills the address fields of one side and records the tags it names.
absl::Status NormalizeAddresses(const SecurityRule& rule, Side side,
                                const AddressResolver& resolver,
                                std::vector<std::string>& prefixes,
                                std::vector<std::string>& expanded,
                                std::vector<std::string>& groups,
                                TagMap& tag_map) {
  net::PrefixSet expanded_set;
  bool expands = false;

  for (const std::string& entry : AddressEntries(rule, side)) {
    if (entry == "*") {
      prefixes.push_back("0.0.0.0/0");
      continue;
    }
    if (absl::StatusOr<net::IpPrefix> prefix = net::IpPrefix::ParseStrict(entry);
        prefix.ok()) {
      prefixes.push_back(prefix->ToString());
      continue;
    }
    absl::StatusOr<net::PrefixSet> tag = resolver.ResolveEntry(entry);
    if (!tag.ok()) return RuleError(rule, tag.status());
    prefixes.push_back(entry);
    expanded_set = net::PrefixSet::Union(expanded_set, *tag);
    expands = true;
    std::string key = absl::AsciiStrToLower(entry);
    if (tag_map.find(key) == tag_map.end()) {
      tag_map[key] = {entry, PrefixStrings(*tag)};
    }
  }

  for (const std::string& id : ApplicationSecurityGroups(rule, side)) {
    absl::StatusOr<net::PrefixSet> members =
        resolver.ResolveApplicationSecurityGroup(id);
    if (!members.ok()) return RuleError(rule, members.status());
    groups.push_back(id);
    expanded_set = net::PrefixSet::Union(expanded_set, *members);
    expands = true;
  }

  if (expands) expanded = PrefixStrings(expanded_set);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> NormalizePorts(
    const SecurityRule& rule, Side side) {
  absl::StatusOr<std::vector<net::PortRange>> ranges = ParsePorts(rule, side);
  if (!ranges.ok()) return ranges.status();
  std::vector<std::string> out;
  for (const net::PortRange& range : *ranges) {
    out.push_back(absl::StrCat(range.first, "-", range.last));
  }
  return out;
}

absl::StatusOr<EffectiveRule> Normalize(const SecurityRule& rule,
                                        bool is_default,
                                        const AddressResolver& resolver,
                                        TagMap& tag_map) {
  EffectiveRule out;
  out.name = RuleReference(rule, is_default);
  out.protocol = rule.protocol() == PROTOCOL_ANY
                     ? "All"
                     : std::string(ProtocolName(rule.protocol()));
  out.access = rule.access();
  out.priority = rule.priority();
  out.direction = rule.direction();

  absl::StatusOr<std::vector<std::string>> source_ports =
      NormalizePorts(rule, Side::kSource);
  if (!source_ports.ok()) return source_ports.status();
  out.source_port_ranges = *std::move(source_ports);
  absl::StatusOr<std::vector<std::string>> destination_ports =
      NormalizePorts(rule, Side::kDestination);
  if (!destination_ports.ok()) return destination_ports.status();
  out.destination_port_ranges = *std::move(destination_ports);

  absl::Status status = NormalizeAddresses(
      rule, Side::kSource, resolver, out.source_address_prefixes,
      out.expanded_source_address_prefix,
      out.source_application_security_groups, tag_map);
  if (!status.ok()) return status;
  status = NormalizeAddresses(
      rule, Side::kDestination, resolver, out.destination_address_prefixes,
      out.expanded_destination_address_prefix,
      out.destination_application_security_groups, tag_map);
  if (!status.ok()) return status;
  return out;
}

}  // namespace

absl::StatusOr<EffectiveNsg> EffectiveRules(const NetworkSecurityGroup& nsg,
                                            Attachment attachment,
                                            const AddressResolver& resolver) {
  EffectiveNsg view;
  view.nsg_id = nsg.id();
  view.nsg_name = nsg.name();
  view.attachment = attachment;
  TagMap tag_map;

  for (const SecurityRule& rule : nsg.security_rules()) {
    absl::StatusOr<EffectiveRule> one =
        Normalize(rule, /*is_default=*/false, resolver, tag_map);
    if (!one.ok()) return one.status();
    view.rules.push_back(*std::move(one));
  }
  for (const SecurityRule& rule : DefaultSecurityRules()) {
    absl::StatusOr<EffectiveRule> one =
        Normalize(rule, /*is_default=*/true, resolver, tag_map);
    if (!one.ok()) return one.status();
    view.rules.push_back(*std::move(one));
  }

  std::stable_sort(view.rules.begin(), view.rules.end(),
                   [](const EffectiveRule& a, const EffectiveRule& b) {
                     bool a_inbound = a.direction == DIRECTION_INBOUND;
                     bool b_inbound = b.direction == DIRECTION_INBOUND;
                     if (a_inbound != b_inbound) return a_inbound;
                     return a.priority < b.priority;
                   });
  for (auto& [key, entry] : tag_map) {
    view.tag_map.push_back(std::move(entry));
  }
  return view;
}

}  // namespace portcullis::nsg
