// The IPv4 reading of IPv4-mapped IPv6 prefixes in NSG rules
// (AddressResolver::ResolveEntry in nsg/service_tags.cc), JIT sources and
// named locations.
//
// Flows and sign-ins from an IPv4-mapped address (::ffff:192.0.2.1) are
// judged as the IPv4 address it carries, so a prefix written inside the
// mapped range must be read as IPv4 too. Read as IPv6, it would contain no
// address that is ever looked up.
#ifndef PORTCULLIS_NET_MAPPED_PREFIX_H_
#define PORTCULLIS_NET_MAPPED_PREFIX_H_

#include "absl/numeric/int128.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"

namespace portcullis::net {

// Returns the IPv4 prefix of an IPv4-mapped prefix, one of /96 or longer
// inside ::ffff:0:0/96: 192.0.2.0/24 for ::ffff:192.0.2.0/120. Returns any
// other prefix unchanged. A prefix shorter than /96 that contains
// ::ffff:0:0/96, such as ::/0, also contains other IPv6 addresses, so it
// stays IPv6 and contains no IPv4 address.
inline IpPrefix UnmapPrefix(const IpPrefix& prefix) {
  if (prefix.length() < 96 || !prefix.address().is_v4_mapped()) return prefix;
  return IpPrefix::Masked(prefix.address().Unmap(), prefix.length() - 96);
}

// True when `prefix` is shorter than /96 and contains ::ffff:0:0/96, so
// UnmapPrefix() keeps it IPv6 although it contains every mapped address.
inline bool ContainsMappedRange(const IpPrefix& prefix) {
  const IpPrefix mapped_range =
      IpPrefix::Masked(IpAddress::V6(absl::uint128(0xffff) << 32), 96);
  return prefix.length() < 96 && prefix.Contains(mapped_range);
}

}  // namespace portcullis::net

#endif  // PORTCULLIS_NET_MAPPED_PREFIX_H_
