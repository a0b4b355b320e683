#include "access/rbac_scope.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "access/rbac_ascii.h"

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
  return EqualsAsciiIgnoringCase(segment, word);
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

// Why a scope failed to parse, without building a message, so that
// ScopePath::TryParse() never allocates.
enum class ScopePath::Failure {
  kNone,
  kEmpty,
  kEmptySegment,
  kControlCharacter,
  kTooManySegments,
  kUnknownStart,
  kNoSubscriptionId,
  kNoResourceGroupName,
  kNoProviders,
  kNoNamespace,
  kNoResourceName,
  kNoResourceType,
};

ScopePath::Failure ScopePath::ParseInto(absl::string_view text,
                                        ScopePath& path,
                                        absl::string_view& segment_found) {
  if (text.empty()) return Failure::kEmpty;

  // Splits on '/', after dropping one leading slash and any trailing ones.
  absl::string_view rest = text;
  if (rest.front() == '/') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);

  while (!rest.empty()) {
    size_t slash = rest.find('/');
    absl::string_view segment = rest.substr(0, slash);
    if (segment.empty()) return Failure::kEmptySegment;
    for (char c : segment) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7F) return Failure::kControlCharacter;
    }
    if (path.size_ == kMaxScopeSegments) return Failure::kTooManySegments;
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
  path.level_ = ScopeLevel::kRoot;
  if (n == 0) return Failure::kNone;

  int i = 0;
  if (Is(s[0], "subscriptions")) {
    if (n < 2) return Failure::kNoSubscriptionId;
    path.subscription_ = s[1];
    path.level_ = ScopeLevel::kSubscription;
    i = 2;
    if (i < n && Is(s[i], "resourceGroups")) {
      if (i + 1 >= n) return Failure::kNoResourceGroupName;
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
    return Failure::kUnknownStart;
  }

  // Resource parts: `providers/{Namespace}` then type/name pairs, repeated
  // for extension resources.
  while (i < n) {
    if (!Is(s[i], "providers")) {
      segment_found = s[i];
      return Failure::kNoProviders;
    }
    if (i + 1 >= n) return Failure::kNoNamespace;
    i += 2;
    int pairs = 0;
    while (i < n && !Is(s[i], "providers")) {
      if (i + 1 >= n) {
        segment_found = s[i];
        return Failure::kNoResourceName;
      }
      i += 2;
      ++pairs;
    }
    if (pairs == 0) return Failure::kNoResourceType;
    path.level_ = ScopeLevel::kResource;
  }
  return Failure::kNone;
}

absl::StatusOr<ScopePath> ScopePath::Parse(absl::string_view text) {
  ScopePath path;
  absl::string_view segment;
  switch (ParseInto(text, path, segment)) {
    case Failure::kNone:
      return path;
    case Failure::kEmpty:
    case Failure::kUnknownStart:
      return ScopeError(text, kExpectedScope);
    case Failure::kEmptySegment:
      return ScopeError(text, "a scope without empty segments ('//')");
    case Failure::kControlCharacter:
      return ScopeError(text, "a scope without control characters");
    case Failure::kTooManySegments:
      return ScopeError(text, absl::StrCat("a scope of at most ",
                                           kMaxScopeSegments, " segments"));
    case Failure::kNoSubscriptionId:
      return ScopeError(text, "a subscription id after 'subscriptions'");
    case Failure::kNoResourceGroupName:
      return ScopeError(text, "a resource group name after 'resourceGroups'");
    case Failure::kNoProviders:
      return ScopeError(text, absl::StrCat(kExpectedScope, "; found '",
                                           segment,
                                           "' where 'providers' belongs"));
    case Failure::kNoNamespace:
      return ScopeError(text, "a resource provider namespace after 'providers'");
    case Failure::kNoResourceName:
      return ScopeError(
          text, absl::StrCat("a resource name after type '", segment, "'"));
    case Failure::kNoResourceType:
      return ScopeError(text,
                        "a resource type and name after the provider namespace");
  }
  return ScopeError(text, kExpectedScope);
}

std::optional<ScopePath> ScopePath::TryParse(absl::string_view text) {
  ScopePath path;
  absl::string_view segment;
  if (ParseInto(text, path, segment) != Failure::kNone) return std::nullopt;
  return path;
}

bool ScopePath::IsAtOrAbove(const ScopePath& other) const {
  if (size_ > other.size_) return false;
  for (int i = 0; i < size_; ++i) {
    if (!EqualsAsciiIgnoringCase(segments_[i], other.segments_[i])) return false;
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
