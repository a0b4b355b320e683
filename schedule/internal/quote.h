// Quoting of user input inside error messages of the schedule parsers.
#ifndef PORTCULLIS_SCHEDULE_INTERNAL_QUOTE_H_
#define PORTCULLIS_SCHEDULE_INTERNAL_QUOTE_H_

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace portcullis::schedule::internal {

// Returns `text` in double quotes with C escapes, cut to 64 bytes plus "..."
// so that a huge input does not flood a message.
inline std::string Quote(absl::string_view text) {
  constexpr size_t kMaxQuoted = 64;
  if (text.size() <= kMaxQuoted) {
    return absl::StrCat("\"", absl::CHexEscape(text), "\"");
  }
  return absl::StrCat("\"", absl::CHexEscape(text.substr(0, kMaxQuoted)),
                      "...\"");
}

// Returns the character `c` in single quotes with C escapes.
inline std::string QuoteChar(char c) {
  return absl::StrCat("'", absl::CHexEscape(absl::string_view(&c, 1)), "'");
}

}  // namespace portcullis::schedule::internal

#endif  // PORTCULLIS_SCHEDULE_INTERNAL_QUOTE_H_
