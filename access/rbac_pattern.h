// Azure RBAC action strings and the wildcard patterns that role definitions
// and deny assignments write in `actions`, `notActions`, `dataActions` and
// `notDataActions`.
//
// An operation is `{Company}.{Provider}/{resourceType}[/{childType}...]/
// {verb}`, e.g. `Microsoft.Compute/virtualMachines/read`. A pattern is such a
// string in which `*` stands for any run of characters, `/` included:
//
//   pattern                               matches
//   *                                     every operation
//   */read                                every operation ending in `/read`
//   Microsoft.Compute/virtualMachines/*   the VM operations and those of its
//                                         child types (`.../extensions/read`)
//   Microsoft.ServiceBus/*/queues/read    `Microsoft.ServiceBus/namespaces/
//                                         queues/read`
//
// Matching ignores ASCII case, because Azure treats permission strings
// without regard to case and its own built-in roles mix `Delete` and
// `delete`.
//
// Policy for `/*/` inside a pattern: the wildcard also matches zero segments,
// so `Microsoft.Compute/virtualMachines/*/read` matches
// `Microsoft.Compute/virtualMachines/read` as well as
// `Microsoft.Compute/virtualMachines/extensions/read`. Microsoft does not
// publish its matcher, and the sources disagree: a plain glob would not match,
// but hundreds of built-in roles (Virtual Machine User Login among them) grant
// only `X/*/read` and are documented to let their holders view `X`, and the
// Defender JIT documentation lists `jitNetworkAccessPolicies/*/read` as what
// reading JIT policies needs. The same rule applies in `notActions` and in
// deny assignments. A trailing `/*` does not match the bare prefix
// (`Microsoft.Compute/*` does not match `Microsoft.Compute`).
//
// Azure accepts one `*` per action string in custom roles; this matcher
// handles up to kMaxWildcards so hand-written and older data still load, and
// ValidateActionString() rejects more.
#ifndef PORTCULLIS_ACCESS_RBAC_PATTERN_H_
#define PORTCULLIS_ACCESS_RBAC_PATTERN_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace portcullis::rbac {

// The most `*` characters one action pattern may contain.
inline constexpr int kMaxWildcards = 4;
// The longest action string or pattern accepted, in bytes.
inline constexpr size_t kMaxActionLength = 1024;

// Returns OK when `text` is a well-formed action string or pattern: not
// empty, at most kMaxActionLength bytes of printable ASCII without spaces,
// no empty segment (`//`, or a leading or trailing `/`), and at most
// kMaxWildcards `*`. Otherwise InvalidArgument "invalid value
// '<text>'; expected ..." without a path, for callers to prefix.
absl::Status ValidateActionString(absl::string_view text);

// True when `pattern_text` contains `*`.
bool HasWildcard(absl::string_view pattern_text);

// A compiled action pattern. Immutable after Compile(), so it is thread-safe
// to share; Matches() does not allocate.
class ActionPattern {
 public:
  // Compiles `text`, which must pass ValidateActionString().
  static absl::StatusOr<ActionPattern> Compile(absl::string_view text);

  // True when `action` matches this pattern, without regard to ASCII case.
  bool Matches(absl::string_view action) const;

  // The pattern as written.
  const std::string& text() const { return text_; }

 private:
  ActionPattern() = default;

  // One lower-case glob, with the split that the common shapes match by:
  // no `*` (compared whole) or one `*` (prefix and suffix compared).
  struct Glob {
    std::string text;
    int wildcards = 0;
    size_t star = 0;  // position of the `*` when wildcards == 1

    bool Matches(absl::string_view action) const;
  };

  std::string text_;
  // Globs whose union is the pattern: the pattern itself and, for each
  // subset of its `/*/` wildcards, the glob with those wildcards collapsed
  // to one `/`. At most 2^kMaxWildcards entries.
  std::vector<Glob> globs_;
};

// True when the lower-case glob `glob` (where `*` matches any run of
// characters) matches `text` without regard to ASCII case. Exposed for tests.
bool GlobMatchesIgnoringCase(absl::string_view glob, absl::string_view text);

}  // namespace portcullis::rbac

#endif  // PORTCULLIS_ACCESS_RBAC_PATTERN_H_
