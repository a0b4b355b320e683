// Quoting of user input inside error messages, shared by the net/ parsers.
#ifndef PORTCULLIS_NET_INTERNAL_QUOTE_H_
#define PORTCULLIS_NET_INTERNAL_QUOTE_H_

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace portcullis::net::internal {

// Maximum number of input bytes that an error message repeats. No valid
// address, prefix or port range is longer, so a longer input is cut.
inline constexpr size_t kMaxQuotedLength = 64;

// Returns `text` in double quotes, with non-printable bytes and quotes
// escaped, cut to kMaxQuotedLength bytes with "..." after the cut.
inline std::string Quote(absl::string_view text) {
  if (text.size() <= kMaxQuotedLength) {
    return absl::StrCat("\"", absl::CHexEscape(text), "\"");
  }
  return absl::StrCat("\"", absl::CHexEscape(text.substr(0, kMaxQuotedLength)),
                      "...\" (", text.size(), " bytes)");
}

}  // namespace portcullis::net::internal

#endif  // PORTCULLIS_NET_INTERNAL_QUOTE_H_
