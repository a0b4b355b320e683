#include "access/rbac_pattern.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "access/rbac_ascii.h"

namespace portcullis::rbac {

namespace {

// Cuts `text` for quoting in messages.
std::string Quote(absl::string_view text) {
  constexpr size_t kLimit = 80;
  if (text.size() <= kLimit) return absl::StrCat("'", text, "'");
  return absl::StrCat("'", text.substr(0, kLimit), "...'");
}

// Positions of the `*` characters of `glob` that sit between two slashes.
std::vector<size_t> InteriorWildcards(absl::string_view glob) {
  std::vector<size_t> positions;
  for (size_t i = 1; i + 1 < glob.size(); ++i) {
    if (glob[i] == '*' && glob[i - 1] == '/' && glob[i + 1] == '/') {
      positions.push_back(i);
    }
  }
  return positions;
}

// Returns `glob` with the interior wildcards at the positions selected by
// `mask` removed together with the slash that follows each, so `a/*/b`
// becomes `a/b`.
std::string Collapse(absl::string_view glob, const std::vector<size_t>& stars,
                     unsigned mask) {
  std::string out;
  out.reserve(glob.size());
  size_t next = 0;
  for (size_t i = 0; i < glob.size(); ++i) {
    if (next < stars.size() && i == stars[next]) {
      bool collapse = (mask >> next) & 1u;
      ++next;
      if (collapse) {
        ++i;  // Skips the `*` and the `/` after it.
        continue;
      }
    }
    out.push_back(glob[i]);
  }
  return out;
}

}  // namespace

absl::Status ValidateActionString(absl::string_view text) {
  if (text.empty()) {
    return absl::InvalidArgumentError(
        "invalid value ''; expected an operation such as "
        "'Microsoft.Compute/virtualMachines/read' or a pattern with '*'");
  }
  if (text.size() > kMaxActionLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid value ", Quote(text), " of ", text.size(),
                     " bytes; expected at most ", kMaxActionLength));
  }
  int wildcards = 0;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid value ", Quote(text),
                       "; expected printable ASCII without spaces"));
    }
    if (c == '*') ++wildcards;
  }
  // An operation is `{Company}.{Provider}/{resourceType}/.../{action}`, so a
  // string with an empty segment names no operation. In a deny assignment it
  // would silently deny nothing.
  if (absl::StartsWith(text, "/") || absl::EndsWith(text, "/") ||
      absl::StrContains(text, "//")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid value ", Quote(text),
        " with an empty segment; expected names separated by single '/', "
        "such as 'Microsoft.Compute/virtualMachines/read'"));
  }
  if (wildcards > kMaxWildcards) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid value ", Quote(text), " with ", wildcards,
        " wildcards; expected at most ", kMaxWildcards,
        " (Azure accepts one)"));
  }
  return absl::OkStatus();
}

bool HasWildcard(absl::string_view pattern_text) {
  return pattern_text.find('*') != absl::string_view::npos;
}

absl::StatusOr<ActionPattern> ActionPattern::Compile(absl::string_view text) {
  absl::Status valid = ValidateActionString(text);
  if (!valid.ok()) return valid;

  ActionPattern pattern;
  pattern.text_ = std::string(text);
  std::string lowered = absl::AsciiStrToLower(text);
  std::vector<size_t> stars = InteriorWildcards(lowered);
  unsigned variants = 1u << stars.size();
  for (unsigned mask = 0; mask < variants; ++mask) {
    Glob glob;
    glob.text = Collapse(lowered, stars, mask);
    for (size_t i = 0; i < glob.text.size(); ++i) {
      if (glob.text[i] != '*') continue;
      if (glob.wildcards == 0) glob.star = i;
      ++glob.wildcards;
    }
    pattern.globs_.push_back(std::move(glob));
  }
  return pattern;
}

bool ActionPattern::Glob::Matches(absl::string_view action) const {
  if (wildcards == 0) return EqualsLowered(text, action);
  if (wildcards == 1) {
    absl::string_view prefix = absl::string_view(text).substr(0, star);
    absl::string_view suffix = absl::string_view(text).substr(star + 1);
    return action.size() >= prefix.size() + suffix.size() &&
           EqualsLowered(prefix, action.substr(0, prefix.size())) &&
           EqualsLowered(suffix, action.substr(action.size() - suffix.size()));
  }
  return GlobMatchesIgnoringCase(text, action);
}

bool ActionPattern::Matches(absl::string_view action) const {
  for (const Glob& glob : globs_) {
    if (glob.Matches(action)) return true;
  }
  return false;
}

// The classic greedy glob match: on a mismatch, retry from the last `*` with
// that star swallowing one more character. Linear space, O(n * m) time in the
// worst case, no allocation.
bool GlobMatchesIgnoringCase(absl::string_view glob, absl::string_view text) {
  size_t g = 0;
  size_t t = 0;
  size_t star = absl::string_view::npos;
  size_t resume = 0;
  while (t < text.size()) {
    if (g < glob.size() && glob[g] == '*') {
      star = g++;
      resume = t;
      continue;
    }
    if (g < glob.size() && glob[g] == LowerAscii(text[t])) {
      ++g;
      ++t;
      continue;
    }
    if (star == absl::string_view::npos) return false;
    g = star + 1;
    t = ++resume;
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

}  // namespace portcullis::rbac
