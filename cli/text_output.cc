#include "cli/text_output.h"

#include <cstdint>

#include "absl/strings/str_format.h"

namespace portcullis::cli {

std::string OneLine(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<uint8_t>(text[i]);
    if (byte < 0x20 || byte == 0x7f) {
      absl::StrAppendFormat(&out, "\\u%04x", byte);
    } else if (byte == 0xc2 && i + 1 < text.size() &&
               static_cast<uint8_t>(text[i + 1]) == 0x85) {
      out += "\\u0085";
      ++i;
    } else if (byte == 0xe2 && i + 2 < text.size() &&
               static_cast<uint8_t>(text[i + 1]) == 0x80 &&
               (static_cast<uint8_t>(text[i + 2]) == 0xa8 ||
                static_cast<uint8_t>(text[i + 2]) == 0xa9)) {
      absl::StrAppendFormat(&out, "\\u%04x",
                            static_cast<uint8_t>(text[i + 2]) == 0xa8 ? 0x2028 : 0x2029);
      i += 2;
    } else {
      out += static_cast<char>(byte);
    }
  }
  return out;
}

}  // namespace portcullis::cli
