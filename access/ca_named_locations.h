// Named locations, validated and indexed for Conditional Access evaluation.
//
//   absl::StatusOr<NamedLocationSet> locations =
//       NamedLocationSet::Create(imported_locations);
//
// IP ranges are read leniently, as the service stores them: host bits are
// cleared, so "192.0.2.77/24" is 192.0.2.0/24. An IPv4-mapped range is read
// as the IPv4 range it maps (net::UnmapPrefix), so "::ffff:192.0.2.0/120" is
// 192.0.2.0/24, and lookups read an IPv4-mapped address as its IPv4 address.
// A range shorter than /96, such as ::/16, stays IPv6 and contains no IPv4
// address in either form. The location whose id is
// 00000000-0000-0000-0000-000000000000 is the tenant's MFA trusted IPs; it
// counts as trusted, so `AllTrusted` includes it.
#ifndef PORTCULLIS_ACCESS_CA_NAMED_LOCATIONS_H_
#define PORTCULLIS_ACCESS_CA_NAMED_LOCATIONS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "access/internal/ca_location_index.h"
#include "net/ip_address.h"
#include "net/prefix_set.h"
#include "proto/ca.pb.h"

namespace portcullis::access {

inline constexpr absl::string_view kMfaTrustedIpsLocationId =
    "00000000-0000-0000-0000-000000000000";

// An immutable set of named locations. Safe to read from any number of
// threads; share it through std::shared_ptr<const NamedLocationSet>.
class NamedLocationSet {
 public:
  struct Location {
    enum class Kind { kIp, kCountry, kUnsupported };
    std::string id;
    std::string display_name;
    Kind kind = Kind::kIp;
    // For IP locations: isTrusted, or the MFA trusted IPs.
    bool trusted = false;
    net::PrefixSet prefixes;
    // For country locations: upper-case codes.
    std::vector<std::string> countries;
    bool include_unknown_countries = false;
  };

  struct Options {
    // Threads that parse the IP ranges, the calling thread included. With
    // 1, the default, Create() starts no thread. With more, each thread
    // parses a block of consecutive locations, and their prefixes are then
    // copied into one array, so the total CPU time is higher than with one.
    // On a 2-vCPU AMD EPYC at 2 GHz, 2 threads built 195 locations of 2,000
    // ranges in about 39 ms of wall time against 44 ms for one.
    int parse_threads = 1;
  };

  NamedLocationSet() = default;

  // Validates and indexes `locations`. Fails on duplicate ids (ignoring
  // case), invalid CIDR ranges and invalid country codes, naming the
  // location, and on more than 2^26 locations. The result and the error
  // do not depend on options.parse_threads; a value below 1 is an error.
  static absl::StatusOr<NamedLocationSet> Create(
      const std::vector<ca::NamedLocation>& locations);
  static absl::StatusOr<NamedLocationSet> Create(
      const std::vector<ca::NamedLocation>& locations, const Options& options);

  const std::vector<Location>& locations() const { return locations_; }

  // The index of the location with `id` (ignoring case), or -1.
  int Find(absl::string_view id) const;

  // True when IP location `index` contains `address`, with an IPv4-mapped
  // address read as its IPv4 address: the slow, obviously correct lookup
  // that the index is tested against.
  bool IpLocationContains(int index, const net::IpAddress& address) const;

  // The index from addresses to sets of IP locations.
  const internal::LocationIndex& ip_index() const { return ip_index_; }

 private:
  std::vector<Location> locations_;
  absl::flat_hash_map<std::string, int> by_id_;  // lower-case ids
  internal::LocationIndex ip_index_;
};

}  // namespace portcullis::access

#endif  // PORTCULLIS_ACCESS_CA_NAMED_LOCATIONS_H_
