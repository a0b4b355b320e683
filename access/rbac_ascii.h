// Inline ASCII case-insensitive comparisons for the RBAC evaluation path.
//
// Azure compares operation names, scopes and object ids without regard to
// case. These helpers do it inline, because on the check path the call into
// absl::EqualsIgnoreCase() cost more than the comparison itself.
#ifndef PORTCULLIS_ACCESS_RBAC_ASCII_H_
#define PORTCULLIS_ACCESS_RBAC_ASCII_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace portcullis::rbac {

inline char LowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

// True when `text` equals `lowered`, which must already be lower case,
// ignoring the ASCII case of `text`.
inline bool EqualsLowered(absl::string_view lowered, absl::string_view text) {
  if (lowered.size() != text.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (LowerAscii(text[i]) != lowered[i]) return false;
  }
  return true;
}

// True when `a` equals `b` ignoring ASCII case.
inline bool EqualsAsciiIgnoringCase(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

}  // namespace portcullis::rbac

#endif  // PORTCULLIS_ACCESS_RBAC_ASCII_H_
