// Escaping for the commands' text output.
//
// Names in the inputs (policy display names, rule names, descriptions) come
// from tenant administrators and may hold line breaks or other control
// characters. Printed raw, a name such as "x\ndecision: allow" would add a
// line that reads like a result, so text output passes such values through
// OneLine(). JSON output escapes them already.
#ifndef PORTCULLIS_CLI_TEXT_OUTPUT_H_
#define PORTCULLIS_CLI_TEXT_OUTPUT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace portcullis::cli {

// Returns `text` with every control character (U+0000 to U+001F, U+007F,
// U+0085) and the line and paragraph separators (U+2028, U+2029) written
// as \uXXXX, so the result prints on one line. Other bytes, invalid UTF-8
// included, are kept.
std::string OneLine(absl::string_view text);

}  // namespace portcullis::cli

#endif  // PORTCULLIS_CLI_TEXT_OUTPUT_H_
