// Azure Resource Manager scopes: where a role assignment or deny assignment
// applies, and what an operation acts on.
//
// A scope is a resource id, one of
//
//   /                                                   the root (tenant)
//   /providers/Microsoft.Management/managementGroups/{mg}
//   /subscriptions/{id}
//   /subscriptions/{id}/resourceGroups/{rg}
//   /subscriptions/{id}/resourceGroups/{rg}/providers/{Namespace}/{type}/
//       {name}[/{childType}/{childName}...]
//
// and resources at subscription or tenant level (`/subscriptions/{id}/
// providers/...`, `/providers/{Namespace}/...`), including extension
// resources (`.../providers/Microsoft.Insights/diagnosticSettings/x` after a
// resource id). Azure compares names without regard to case, so every
// comparison here ignores ASCII case, and tools differ in writing
// `resourceGroups` or `resourcegroups`. Trailing slashes are ignored, a
// missing leading slash is accepted (the REST examples write
// `subscriptions/{id}` in request parameters), and the PIM API's alias
// `/providers/Microsoft.Subscription/subscriptions/{id}` is read as
// `/subscriptions/{id}`.
//
// Scope X is at or above scope Y when X's segments are a prefix of Y's, so
// `/subscriptions/s1` is above `/subscriptions/s1/resourceGroups/rg` but not
// above `/subscriptions/s10`. Management groups are the exception: a
// subscription's management groups are not part of its id, so whether one
// is above another comes from the hierarchy (ScopeParent) that the caller
// supplies to Policy::Compile().
#ifndef PORTCULLIS_ACCESS_RBAC_SCOPE_H_
#define PORTCULLIS_ACCESS_RBAC_SCOPE_H_

#include <array>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace portcullis::rbac {

// The most `/`-separated segments a scope may have. Real resource ids have
// fewer than 20.
inline constexpr int kMaxScopeSegments = 48;

enum class ScopeLevel {
  kRoot,
  kManagementGroup,
  kSubscription,
  kResourceGroup,
  kResource,
};

// Returns "root", "management group", "subscription", "resource group" or
// "resource".
absl::string_view ScopeLevelName(ScopeLevel level);

// A parsed scope: views into the text it was parsed from, which must outlive
// it. It is a value type, and TryParse() never allocates.
class ScopePath {
 public:
  // Parses `text` as described above. Errors are InvalidArgument with a
  // lower-case message that quotes `text` and names what was expected,
  // without a field path.
  static absl::StatusOr<ScopePath> Parse(absl::string_view text);
  // Parses `text` like Parse() but returns no error message, so it never
  // allocates. Policy::Check() uses it.
  static std::optional<ScopePath> TryParse(absl::string_view text);

  ScopeLevel level() const { return level_; }
  // The segments after alias removal, e.g. {"subscriptions", "s1"}.
  int size() const { return size_; }
  absl::string_view segment(int i) const { return segments_[i]; }

  // The subscription id, or "" above subscription level.
  absl::string_view subscription() const { return subscription_; }
  // The management group id for a management-group scope (or a resource
  // inside one), else "".
  absl::string_view management_group() const { return management_group_; }

  // True when this scope is `other` or above it by id, ignoring case.
  // Management groups count only when `other` is written under them; see
  // Policy for the hierarchy.
  bool IsAtOrAbove(const ScopePath& other) const;
  // True when both name the same scope, ignoring case and trailing slashes.
  bool SameAs(const ScopePath& other) const;

  // The canonical text: a leading `/`, no trailing `/`, the alias resolved,
  // and the original case kept. Allocates.
  std::string ToString() const;

 private:
  enum class Failure;

  ScopePath() = default;
  // Fills `path` from `text`; on kNoProviders and kNoResourceName sets
  // `segment_found` to the offending segment.
  static Failure ParseInto(absl::string_view text, ScopePath& path,
                           absl::string_view& segment_found);

  std::array<absl::string_view, kMaxScopeSegments> segments_;
  int size_ = 0;
  ScopeLevel level_ = ScopeLevel::kRoot;
  absl::string_view subscription_;
  absl::string_view management_group_;
};

// Returns OK when `text` is a valid scope (ScopePath::Parse succeeds).
absl::Status ValidateScope(absl::string_view text);

// Returns the canonical text of the valid scope `text` (see
// ScopePath::ToString), or the parse error.
absl::StatusOr<std::string> CanonicalScope(absl::string_view text);

// Returns the last `/`-separated segment of `id`, ignoring trailing slashes:
// the GUID of a role definition id, which may also be a bare GUID.
absl::string_view LastSegment(absl::string_view id);

}  // namespace portcullis::rbac

#endif  // PORTCULLIS_ACCESS_RBAC_SCOPE_H_
