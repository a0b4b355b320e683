// Hash tables keyed by object ids, compared without regard to ASCII case, so
// that "5D1F..." in a policy and "5d1f..." in a sign-in meet. Lookups take a
// string_view and allocate nothing.
#ifndef PORTCULLIS_ACCESS_INTERNAL_CA_ID_TABLE_H_
#define PORTCULLIS_ACCESS_INTERNAL_CA_ID_TABLE_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace portcullis::access::internal {

// FNV-1a over the lower-cased bytes.
struct CaseInsensitiveHash {
  using is_transparent = void;
  size_t operator()(absl::string_view text) const {
    uint64_t hash = 14695981039346656037u;
    for (char c : text) {
      hash ^= static_cast<unsigned char>(
          absl::ascii_tolower(static_cast<unsigned char>(c)));
      hash *= 1099511628211u;
    }
    return static_cast<size_t>(hash);
  }
};

struct CaseInsensitiveEqual {
  using is_transparent = void;
  bool operator()(absl::string_view a, absl::string_view b) const {
    return absl::EqualsIgnoreCase(a, b);
  }
};

template <typename Value>
using IdTable = absl::flat_hash_map<std::string, Value, CaseInsensitiveHash,
                                    CaseInsensitiveEqual>;

}  // namespace portcullis::access::internal

#endif  // PORTCULLIS_ACCESS_INTERNAL_CA_ID_TABLE_H_
