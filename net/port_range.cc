#include "net/port_range.h"

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "net/internal/quote.h"

namespace portcullis::net {
namespace {

constexpr char kExpectedForms[] =
    "expected a port \"N\", a range \"N-M\" or \"*\", with ports from 0 to "
    "65535";

absl::Status InvalidRange(absl::string_view text, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("invalid port range ",
                                                 internal::Quote(text), ": ",
                                                 reason, "; ", kExpectedForms));
}

// Parses one port: decimal digits only, no leading zero, at most 65535.
absl::StatusOr<uint16_t> ParsePort(absl::string_view whole,
                                   absl::string_view digits) {
  if (digits.empty()) return InvalidRange(whole, "a port number is missing");
  for (char c : digits) {
    if (!absl::ascii_isdigit(c)) {
      return InvalidRange(
          whole, absl::StrCat("unexpected character ",
                              internal::Quote(absl::string_view(&c, 1))));
    }
  }
  if (digits.size() > 1 && digits[0] == '0') {
    return InvalidRange(whole, absl::StrCat("port ", internal::Quote(digits),
                                            " has a leading zero"));
  }
  if (digits.size() > 5) {
    return InvalidRange(whole, absl::StrCat("port ", internal::Quote(digits),
                                            " is greater than 65535"));
  }
  uint32_t port = 0;
  for (char c : digits) port = port * 10 + static_cast<uint32_t>(c - '0');
  if (port > 65535) {
    return InvalidRange(whole,
                        absl::StrCat("port ", port, " is greater than 65535"));
  }
  return static_cast<uint16_t>(port);
}

}  // namespace

absl::StatusOr<PortRange> PortRange::Parse(absl::string_view text) {
  if (text.empty()) return InvalidRange(text, "empty");
  if (text == "*") return Any();

  size_t dash = text.find('-');
  absl::StatusOr<uint16_t> first = ParsePort(text, text.substr(0, dash));
  if (!first.ok()) return first.status();
  if (dash == absl::string_view::npos) return Single(*first);

  absl::StatusOr<uint16_t> last = ParsePort(text, text.substr(dash + 1));
  if (!last.ok()) return last.status();
  if (*first > *last) {
    return InvalidRange(text, absl::StrCat("the range is reversed (", *first,
                                           " is greater than ", *last, ")"));
  }
  return PortRange{*first, *last};
}

absl::StatusOr<PortRange> PortRange::Create(int first, int last) {
  if (first < 0 || last > 65535 || first > last) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid port range ", first, "-", last,
                     "; expected 0 <= first <= last <= 65535"));
  }
  return PortRange{static_cast<uint16_t>(first), static_cast<uint16_t>(last)};
}

std::string PortRange::ToString() const {
  if (is_any()) return "*";
  if (first == last) return absl::StrCat(first);
  return absl::StrCat(first, "-", last);
}

std::ostream& operator<<(std::ostream& out, const PortRange& range) {
  return out << range.ToString();
}

}  // namespace portcullis::net
