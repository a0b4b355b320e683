// Service tags and application security groups: turning the address entries
// of NSG rules into sets of addresses.
//
// A rule's address entry is `*`, an address, a CIDR prefix or a service tag
// name. Most tags come from Microsoft's weekly `ServiceTags_Public_*.json`
// download; four are built in, because they depend on the network the rule
// protects:
//
//   *                  every IPv4 and IPv6 address.
//   VirtualNetwork     the address spaces of the VNet and of everything it
//                      reaches privately (peered VNets, on-premises ranges,
//                      prefixes of user-defined routes), as the caller
//                      gives them, plus the host address 168.63.129.16. With
//                      a forced-tunnelling route of 0.0.0.0/0 the caller
//                      passes 0.0.0.0/0, and the tag then contains every IPv4
//                      address, as in Azure.
//   AzureLoadBalancer  168.63.129.16/32, where health probes come from.
//   Internet           every address outside VirtualNetwork, except
//                      private-use, shared, loopback, link-local and
//                      multicast space (10/8, 172.16/12, 192.168/16,
//                      100.64/10, 127/8, 169.254/16, 224/4, fc00::/7,
//                      fe80::/10, ::1/128 and ff00::/8).
//
// The download does not list AzurePlatformDNS and AzurePlatformIMDS, so they
// are built in too, as the single addresses of those services:
// 168.63.129.16/32 and 169.254.169.254/32.
//
// Tag names are compared without regard to case. Regional tags such as
// `Storage.WestUS` are separate entries of the download and resolve as
// listed there.
//
//   absl::StatusOr<ServiceTags> tags = ServiceTags::Load(file_bytes);
//   AddressContext context;
//   context.virtual_network = {*net::IpPrefix::ParseStrict("10.0.0.0/16")};
//   absl::StatusOr<AddressResolver> resolver =
//       AddressResolver::Create(*tags, std::move(context));
//   absl::StatusOr<net::PrefixSet> sources =
//       resolver->ResolveSide(rule, Side::kSource);
#ifndef PORTCULLIS_NSG_SERVICE_TAGS_H_
#define PORTCULLIS_NSG_SERVICE_TAGS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "net/prefix_set.h"
#include "nsg/model.h"
#include "proto/nsg.pb.h"

namespace portcullis::nsg {

// The address 168.63.129.16, Azure's host address for DHCP, DNS and health
// probes.
net::IpAddress AzureHostAddress();

// The service tags of one `ServiceTags_Public` download. Immutable, so safe
// to share between threads; copies share the loaded sets.
class ServiceTags {
 public:
  // No tags from a download: only the built-in tags resolve.
  ServiceTags();

  // Loads the download format: `{"changeNumber": n, "cloud": "Public",
  // "values": [{"name": "Storage.WestUS", "properties": {"addressPrefixes":
  // [...]}}]}`. Fails naming the path of the first malformed entry. Entries
  // named like a built-in tag are rejected, because the built-ins depend on
  // the caller's network and cannot come from the download.
  static absl::StatusOr<ServiceTags> Load(absl::string_view json_bytes);

  // The addresses of the downloaded tag `name` (any case), or nullptr when
  // the download has no such tag. Built-in tags are not found here.
  const net::PrefixSet* Find(absl::string_view name) const;

  // Number of downloaded tags.
  size_t size() const;
  // The download's `changeNumber` and `cloud`; 0 and "" when empty.
  int64_t change_number() const { return change_number_; }
  const std::string& cloud() const { return cloud_; }

 private:
  using TagMap = absl::flat_hash_map<std::string, net::PrefixSet>;

  std::shared_ptr<const TagMap> tags_;  // keyed by lower-case name
  int64_t change_number_ = 0;
  std::string cloud_;
};

// The caller's network: the values of VirtualNetwork and of each
// application security group.
struct AddressContext {
  // Address spaces of the VNet, its peers, on-premises ranges and the
  // prefixes of user-defined routes. 168.63.129.16 is always added.
  std::vector<net::IpPrefix> virtual_network;
  // Members of each application security group: the addresses of its NICs,
  // keyed by the group's resource id (compared without regard to case).
  absl::flat_hash_map<std::string, std::vector<net::IpAddress>>
      application_security_groups;
};

// Resolves rule address entries to address sets. Immutable after Create(),
// so safe to share between threads.
class AddressResolver {
 public:
  static absl::StatusOr<AddressResolver> Create(ServiceTags tags,
                                                AddressContext context);

  // Resolves one address entry: `*`, an address, a CIDR prefix (host bits
  // must be clear) or a tag name. Fails on an unknown tag or a malformed
  // prefix.
  absl::StatusOr<net::PrefixSet> ResolveEntry(absl::string_view entry) const;

  // Resolves an application security group id to its members' addresses.
  // Fails when the context has no such group.
  absl::StatusOr<net::PrefixSet> ResolveApplicationSecurityGroup(
      absl::string_view id) const;

  // Resolves one side of `rule`: the union of its address entries and its
  // application security groups. Fails naming the rule and the entry.
  absl::StatusOr<net::PrefixSet> ResolveSide(const SecurityRule& rule,
                                             Side side) const;

  const net::PrefixSet& virtual_network() const { return virtual_network_; }
  const net::PrefixSet& internet() const { return internet_; }
  const net::PrefixSet& azure_load_balancer() const {
    return azure_load_balancer_;
  }
  const net::PrefixSet& any() const { return any_; }
  const ServiceTags& service_tags() const { return tags_; }

 private:
  AddressResolver() = default;

  ServiceTags tags_;
  net::PrefixSet virtual_network_;
  net::PrefixSet internet_;
  net::PrefixSet azure_load_balancer_;
  net::PrefixSet any_;
  // Keyed by lower-case group id.
  absl::flat_hash_map<std::string, net::PrefixSet> groups_;
};

// The IPv4 and IPv6 ranges that are never part of Internet: private-use,
// shared, loopback, link-local and multicast space.
const net::PrefixSet& NonInternetSpace();

}  // namespace portcullis::nsg

#endif  // PORTCULLIS_NSG_SERVICE_TAGS_H_
