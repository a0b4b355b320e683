// Builders for NSG evaluation tests: rules, NSGs and flows written in one
// line each.
#ifndef PORTCULLIS_TESTS_NSG_EVALUATE_TEST_UTIL_H_
#define PORTCULLIS_TESTS_NSG_EVALUATE_TEST_UTIL_H_

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "net/ip_prefix.h"
#include "nsg/evaluate_rules.h"
#include "nsg/service_tags.h"
#include "proto/nsg.pb.h"

namespace portcullis::nsg::testing {

// A user rule; address and port arguments take Azure's strings.
inline SecurityRule Rule(const std::string& name, int priority,
                         Direction direction, Access access,
                         Protocol protocol, const std::string& source,
                         const std::string& source_ports,
                         const std::string& destination,
                         const std::string& destination_ports) {
  SecurityRule rule;
  rule.set_name(name);
  rule.set_priority(priority);
  rule.set_direction(direction);
  rule.set_access(access);
  rule.set_protocol(protocol);
  rule.set_source_address_prefix(source);
  rule.set_source_port_range(source_ports);
  rule.set_destination_address_prefix(destination);
  rule.set_destination_port_range(destination_ports);
  return rule;
}

inline SecurityRule InboundAllow(const std::string& name, int priority,
                                 const std::string& source,
                                 const std::string& destination_ports,
                                 Protocol protocol = PROTOCOL_TCP) {
  return Rule(name, priority, DIRECTION_INBOUND, ACCESS_ALLOW, protocol,
              source, "*", "*", destination_ports);
}

inline SecurityRule InboundDeny(const std::string& name, int priority,
                                const std::string& source,
                                const std::string& destination_ports,
                                Protocol protocol = PROTOCOL_ANY) {
  return Rule(name, priority, DIRECTION_INBOUND, ACCESS_DENY, protocol, source,
              "*", "*", destination_ports);
}

inline SecurityRule OutboundRule(const std::string& name, int priority,
                                 Access access, const std::string& destination,
                                 const std::string& destination_ports,
                                 Protocol protocol = PROTOCOL_ANY) {
  return Rule(name, priority, DIRECTION_OUTBOUND, access, protocol, "*", "*",
              destination, destination_ports);
}

inline NetworkSecurityGroup Nsg(const std::string& name,
                                const std::vector<SecurityRule>& rules) {
  NetworkSecurityGroup nsg;
  nsg.set_name(name);
  nsg.set_id("/subscriptions/00000000-0000-0000-0000-000000000000/"
             "resourceGroups/rg/providers/Microsoft.Network/"
             "networkSecurityGroups/" +
             name);
  for (const SecurityRule& rule : rules) *nsg.add_security_rules() = rule;
  return nsg;
}

// A resolver whose VirtualNetwork tag holds `vnet` (comma-free CIDRs).
inline AddressResolver Resolver(const std::vector<std::string>& vnet,
                                AddressContext context = {}) {
  for (const std::string& text : vnet) {
    context.virtual_network.push_back(*net::IpPrefix::ParseStrict(text));
  }
  absl::StatusOr<AddressResolver> resolver =
      AddressResolver::Create(ServiceTags(), std::move(context));
  if (!resolver.ok()) {
    std::cerr << "cannot build the test resolver: " << resolver.status()
              << "\n";
    std::abort();
  }
  return *std::move(resolver);
}

inline Flow MakeFlow(Direction direction, Protocol protocol,
                     const std::string& local, uint32_t local_port,
                     const std::string& remote, uint32_t remote_port) {
  Flow flow;
  flow.set_direction(direction);
  flow.set_protocol(protocol);
  flow.set_local_address(local);
  flow.set_local_port(local_port);
  flow.set_remote_address(remote);
  flow.set_remote_port(remote_port);
  return flow;
}

}  // namespace portcullis::nsg::testing

#endif  // PORTCULLIS_TESTS_NSG_EVALUATE_TEST_UTIL_H_
