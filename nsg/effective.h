// The effective security rules of an NSG, normalized and expanded the way
// Azure shows them (`az network nic list-effective-nsg`, the REST API's
// effectiveNetworkSecurityGroups):
//
//   - rules are named `securityRules/<name>` or `defaultSecurityRules/<name>`
//     and include Azure's six default rules;
//   - protocol `*` is shown as `All`;
//   - port ranges are shown as `first-last`: `*` becomes `0-65535` and `22`
//     becomes `22-22`;
//   - address `*` is shown as `0.0.0.0/0` and a single address as a /32 or
//     /128 prefix;
//   - a service tag keeps its name, with its prefixes listed in
//     `expandedSourceAddressPrefix` / `expandedDestinationAddressPrefix`
//     and in the tag map.
//
//   absl::StatusOr<EffectiveNsg> view =
//       EffectiveRules(nsg, ATTACHMENT_SUBNET, resolver);
//   for (const EffectiveRule& rule : view->rules) ...
#ifndef PORTCULLIS_NSG_EFFECTIVE_H_
#define PORTCULLIS_NSG_EFFECTIVE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "nsg/service_tags.h"
#include "proto/nsg.pb.h"

namespace portcullis::nsg {

// One rule as Azure's effective rules view shows it. Lists with one entry
// correspond to Azure's singular fields, longer lists to its plural ones.
struct EffectiveRule {
  std::string name;
  std::string protocol;  // "Tcp", "Udp", "Icmp", "Esp", "Ah" or "All"
  std::vector<std::string> source_port_ranges;       // "0-65535", "22-22"
  std::vector<std::string> destination_port_ranges;
  std::vector<std::string> source_address_prefixes;  // "0.0.0.0/0", tags
  std::vector<std::string> destination_address_prefixes;
  // Addresses of the tags and application security groups on each side;
  // empty when the side names only addresses and prefixes.
  std::vector<std::string> expanded_source_address_prefix;
  std::vector<std::string> expanded_destination_address_prefix;
  // Application security group ids on each side.
  std::vector<std::string> source_application_security_groups;
  std::vector<std::string> destination_application_security_groups;
  Access access = ACCESS_DENY;
  int priority = 0;
  Direction direction = DIRECTION_INBOUND;
};

// The effective rules of one NSG at one attachment.
struct EffectiveNsg {
  std::string nsg_id;
  std::string nsg_name;
  Attachment attachment = ATTACHMENT_UNSPECIFIED;
  // Inbound rules by priority, then outbound rules by priority.
  std::vector<EffectiveRule> rules;
  // Each service tag the rules name, sorted by name (any case, as first
  // written), with its prefixes.
  std::vector<std::pair<std::string, std::vector<std::string>>> tag_map;
};

// Builds the effective rules of `nsg` attached at `attachment`, with tags
// and application security groups expanded through `resolver`. Azure's six
// default rules are always included, in Azure's own form. Fails, naming
// the rule, on an entry that cannot be parsed or resolved.
absl::StatusOr<EffectiveNsg> EffectiveRules(const NetworkSecurityGroup& nsg,
                                            Attachment attachment,
                                            const AddressResolver& resolver);

}  // namespace portcullis::nsg

#endif  // PORTCULLIS_NSG_EFFECTIVE_H_
