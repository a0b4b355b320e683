#include "access/rbac_scope.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace portcullis::rbac {

namespace {

std::string Quote(absl::string_view text) {
  constexpr size_t kLimit = 120;
  if (text.size() <= kLimit) return absl::StrCat("'", text, "'");
  return absl::StrCat("'", text.substr(0, kLimit), "...'");
}

absl::Status ScopeError(absl::string_view text, absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid value ", Quote(text), "; expected ", expected));
}

constexpr absl::string_view kExpectedScope =
    "a scope such as '/', '/subscriptions/{id}', "
    "'/subscriptions/{id}/resourceGroups/{name}', a resource id or "
    "'/providers/Microsoft.Management/managementGroups/{id}'";

bool Is(absl::string_view segment, absl::string_view word) {
  return absl::EqualsIgnoreCase(segment, word);
}

}  // namespace

absl::string_view ScopeLevelName(ScopeLevel level) {
  switch (level) {
    case ScopeLevel::kRoot:
      return "root";
    case ScopeLevel::kManagementGroup:
      return "management group";
    case ScopeLevel::kSubscription:
      return "subscription";
    case ScopeLevel::kResourceGroup:
      return "resource group";
    case ScopeLevel::kResource:
      return "resource";
  }
  return "unknown";
}

absl::StatusOr<ScopePath> ScopePath::Parse(absl::string_view text) {
  if (text.empty()) return ScopeError(text, kExpectedScope);

  // Splits on '/', after dropping one leading slash and any trailing ones.
  absl::string_view rest = text;
  if (rest.front() == '/') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);

  ScopePath path;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    absl::string_view segment = rest.substr(0, slash);
    if (segment.empty()) {
      return ScopeError(text, "a scope without empty segments ('//')");
    }
    for (char c : segment) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7F) {
        return ScopeError(text, "a scope without control characters");
      }
    }
    if (path.size_ == kMaxScopeSegments) {
      return ScopeError(text, absl::StrCat("a scope of at most ",
                                           kMaxScopeSegments, " segments"));
    }
    path.segments_[path.size_++] = segment;
    if (slash == absl::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }

  // The PIM alias /providers/Microsoft.Subscription/subscriptions/{id}.
  if (path.size_ >= 4 && Is(path.segments_[0], "providers") &&
      Is(path.segments_[1], "Microsoft.Subscription") &&
      Is(path.segments_[2], "subscriptions")) {
    for (int i = 2; i < path.size_; ++i) {
      path.segments_[i - 2] = path.segments_[i];
    }
    path.size_ -= 2;
  }

  const int n = path.size_;
  const auto& s = path.segments_;
  if (n == 0) {
    path.level_ = ScopeLevel::kRoot;
    return path;
  }

  int i = 0;
  if (Is(s[0], "subscriptions")) {
    if (n < 2) return ScopeError(text, "a subscription id after 'subscriptions'");
    path.subscription_ = s[1];
    path.level_ = ScopeLevel::kSubscription;
    i = 2;
    if (i < n && Is(s[i], "resourceGroups")) {
      if (i + 1 >= n) {
        return ScopeError(text, "a resource group name after 'resourceGroups'");
      }
      path.level_ = ScopeLevel::kResourceGroup;
      i += 2;
    }
  } else if (Is(s[0], "providers")) {
    if (n >= 4 && Is(s[1], "Microsoft.Management") &&
        Is(s[2], "managementGroups")) {
      path.management_group_ = s[3];
      path.level_ = ScopeLevel::kManagementGroup;
      i = 4;
    }
  } else {
    return ScopeError(text, kExpectedScope);
  }

  // Resource parts: `providers/{Namespace}` then type/name pairs, repeated
  // for extension resources.
  while (i < n) {
    if (!Is(s[i], "providers")) {
      return ScopeError(text,
                        absl::StrCat(kExpectedScope, "; found '", s[i],
                                     "' where 'providers' belongs"));
    }
    if (i + 1 >= n) {
      return ScopeError(text, "a resource provider namespace after 'providers'");
    }
    i += 2;
    int pairs = 0;
    while (i < n && !Is(s[i], "providers")) {
      if (i + 1 >= n) {
        return ScopeError(text, absl::StrCat("a resource name after type '",
                                             s[i], "'"));
      }
      i += 2;
      ++pairs;
    }
    if (pairs == 0) {
      return ScopeError(text,
                        "a resource type and name after the provider namespace");
    }
    path.level_ = ScopeLevel::kResource;
  }
  return path;
}

bool ScopePath::IsAtOrAbove(const ScopePath& other) const {
  if (size_ > other.size_) return false;
  for (int i = 0; i < size_; ++i) {
    if (!absl::EqualsIgnoreCase(segments_[i], other.segments_[i])) return false;
  }
  return true;
}

bool ScopePath::SameAs(const ScopePath& other) const {
  return size_ == other.size_ && IsAtOrAbove(other);
}

std::string ScopePath::ToString() const {
  if (size_ == 0) return "/";
  std::string out;
  for (int i = 0; i < size_; ++i) absl::StrAppend(&out, "/", segments_[i]);
  return out;
}

absl::Status ValidateScope(absl::string_view text) {
  return ScopePath::Parse(text).status();
}

absl::StatusOr<std::string> CanonicalScope(absl::string_view text) {
  absl::StatusOr<ScopePath> path = ScopePath::Parse(text);
  if (!path.ok()) return path.status();
  return path->ToString();
}

absl::string_view LastSegment(absl::string_view id) {
  while (!id.empty() && id.back() == '/') id.remove_suffix(1);
  size_t slash = id.rfind('/');
  if (slash == absl::string_view::npos) return id;
  return id.substr(slash + 1);
}

}  // namespace portcullis::rbac
