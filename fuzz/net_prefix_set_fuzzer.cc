// Fuzzes PrefixSet against a linear scan over the prefixes it was built
// from. The input is a list of records: a tag byte (bit 0: IPv6, bit 1:
// second set), the address bytes (4 or 16, most significant first) and a
// length byte taken modulo the family's bit length plus one. Properties, at
// the first, last and neighbouring addresses of every prefix:
//   - Contains() of each set equals the linear scan;
//   - Union, Intersect, Minus and Complement hold the expected addresses;
//   - prefixes() builds the same set again.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "net/prefix_set.h"

namespace {

using ::portcullis::net::IpAddress;
using ::portcullis::net::IpPrefix;
using ::portcullis::net::PrefixSet;

void Require(bool condition, const char* property, const IpAddress& probe) {
  if (condition) return;
  std::fprintf(stderr, "property failed: %s\naddress: %s\n", property,
               probe.ToString().c_str());
  std::abort();
}

bool LinearContains(const std::vector<IpPrefix>& prefixes,
                    const IpAddress& address) {
  for (const IpPrefix& prefix : prefixes) {
    if (prefix.Contains(address)) return true;
  }
  return false;
}

// Returns the address `delta` (-1, 0 or 1) after `address`, wrapping around
// at the ends of the family's space.
IpAddress Offset(const IpAddress& address, int delta) {
  if (address.is_v4()) {
    return IpAddress::V4(address.v4() + static_cast<uint32_t>(delta));
  }
  return delta < 0 ? IpAddress::V6(address.v6() - 1)
                   : IpAddress::V6(address.v6() + absl::uint128(delta));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<IpPrefix> a_prefixes;
  std::vector<IpPrefix> b_prefixes;
  size_t i = 0;
  while (i < size) {
    uint8_t tag = data[i++];
    bool v6 = (tag & 1) != 0;
    size_t address_size = v6 ? 16 : 4;
    if (size - i < address_size + 1) break;

    absl::uint128 bits = 0;
    for (size_t k = 0; k < address_size; ++k) bits = (bits << 8) | data[i + k];
    i += address_size;
    IpAddress address =
        v6 ? IpAddress::V6(bits) : IpAddress::V4(static_cast<uint32_t>(bits));
    int length = data[i++] % (address.bit_length() + 1);

    IpPrefix prefix = IpPrefix::Masked(address, length);
    ((tag & 2) != 0 ? b_prefixes : a_prefixes).push_back(prefix);
  }

  PrefixSet a = PrefixSet::FromPrefixes(a_prefixes);
  PrefixSet b = PrefixSet::FromPrefixes(b_prefixes);
  PrefixSet both = PrefixSet::Union(a, b);
  PrefixSet common = PrefixSet::Intersect(a, b);
  PrefixSet a_only = a.Minus(b);
  PrefixSet outside_a = a.Complement();
  PrefixSet rebuilt = PrefixSet::FromPrefixes(a.prefixes());
  if (!(rebuilt == a)) {
    std::fprintf(stderr, "property failed: prefixes() rebuilds the set\n");
    std::abort();
  }

  std::vector<IpAddress> probes = {IpAddress::V4(0), IpAddress::V4(~0u),
                                   IpAddress::V6(0),
                                   IpAddress::V6(absl::Uint128Max())};
  for (const std::vector<IpPrefix>* list : {&a_prefixes, &b_prefixes}) {
    for (const IpPrefix& prefix : *list) {
      for (int delta : {-1, 0}) probes.push_back(Offset(prefix.first(), delta));
      for (int delta : {0, 1}) probes.push_back(Offset(prefix.last(), delta));
    }
  }

  for (const IpAddress& probe : probes) {
    bool in_a = LinearContains(a_prefixes, probe);
    bool in_b = LinearContains(b_prefixes, probe);
    Require(a.Contains(probe) == in_a, "Contains matches linear scan", probe);
    Require(b.Contains(probe) == in_b, "Contains matches linear scan", probe);
    Require(both.Contains(probe) == (in_a || in_b), "Union", probe);
    Require(common.Contains(probe) == (in_a && in_b), "Intersect", probe);
    Require(a_only.Contains(probe) == (in_a && !in_b), "Minus", probe);
    Require(outside_a.Contains(probe) == !in_a, "Complement", probe);
  }
  return 0;
}
