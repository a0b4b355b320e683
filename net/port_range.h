// TCP and UDP port ranges as Azure network security rules write them.
//
//   PortRange::Parse("22");     // 22
//   PortRange::Parse("80-90");  // 80 to 90, both included
//   PortRange::Parse("*");      // 0 to 65535
//
// Parse() rejects every other form: lists ("80,443", which Azure writes as
// separate array items), reversed ranges ("90-80"), numbers above 65535,
// signs, leading zeros, spaces and empty text.
//
// NOTE: Azure's documentation does not say whether it takes leading zeros
// ("080"). They are rejected here, so that each range has one spelling and an
// import fails loudly instead of guessing.
#ifndef PORTCULLIS_NET_PORT_RANGE_H_
#define PORTCULLIS_NET_PORT_RANGE_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace portcullis::net {

// An inclusive range of ports, first <= last. A plain value type; a const
// PortRange is safe to read from any thread. The default is every port.
struct PortRange {
  uint16_t first = 0;
  uint16_t last = 65535;

  // Parses "N", "N-M" (N <= M) or "*", with N and M decimal from 0 to 65535
  // without leading zeros. Errors are InvalidArgument with a message that
  // quotes `text`.
  static absl::StatusOr<PortRange> Parse(absl::string_view text);

  // Returns first-last, or an error when first > last.
  static absl::StatusOr<PortRange> Create(int first, int last);

  // 0-65535, written "*".
  static PortRange Any() { return PortRange{}; }
  // The single port `port`.
  static PortRange Single(uint16_t port) { return PortRange{port, port}; }

  bool Contains(uint16_t port) const { return first <= port && port <= last; }
  bool is_any() const { return first == 0 && last == 65535; }
  bool is_single() const { return first == last; }
  bool Overlaps(const PortRange& other) const {
    return first <= other.last && other.first <= last;
  }
  // Number of ports in the range, from 1 to 65536.
  int size() const { return last - first + 1; }

  // "*" for 0-65535, "N" for a single port, "N-M" otherwise. Parse() reads
  // every output back to the same range.
  std::string ToString() const;

  friend bool operator==(const PortRange& a, const PortRange& b) {
    return a.first == b.first && a.last == b.last;
  }
  friend bool operator!=(const PortRange& a, const PortRange& b) {
    return !(a == b);
  }
  // Orders by first port, then by last port.
  friend bool operator<(const PortRange& a, const PortRange& b) {
    if (a.first != b.first) return a.first < b.first;
    return a.last < b.last;
  }

  template <typename H>
  friend H AbslHashValue(H state, const PortRange& range) {
    return H::combine(std::move(state), range.first, range.last);
  }
};

// Writes ToString() to `out`, so that GoogleTest messages show ranges.
std::ostream& operator<<(std::ostream& out, const PortRange& range);

}  // namespace portcullis::net

#endif  // PORTCULLIS_NET_PORT_RANGE_H_
