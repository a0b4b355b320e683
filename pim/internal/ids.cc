#include "pim/internal/ids.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace portcullis::pim::internal {

std::string NormalizeScope(absl::string_view scope) {
  std::string text = absl::AsciiStrToLower(scope);
  if (text.empty()) return text;
  if (text.front() != '/') text.insert(text.begin(), '/');
  while (text.size() > 1 && text.back() == '/') text.pop_back();

  constexpr absl::string_view kSubscriptionAlias =
      "/providers/microsoft.subscription/subscriptions/";
  if (absl::StartsWith(text, kSubscriptionAlias)) {
    text = absl::StrCat("/subscriptions/",
                        text.substr(kSubscriptionAlias.size()));
  }
  return text;
}

bool ScopeCovers(absl::string_view holder, absl::string_view target) {
  if (holder.empty() || target.empty()) return false;
  if (holder == "/" || holder == target) return true;
  return target.size() > holder.size() && absl::StartsWith(target, holder) &&
         target[holder.size()] == '/';
}

std::string NormalizeId(absl::string_view id) {
  while (!id.empty() && id.back() == '/') id.remove_suffix(1);
  size_t slash = id.rfind('/');
  if (slash != absl::string_view::npos) id = id.substr(slash + 1);
  return absl::AsciiStrToLower(id);
}

}  // namespace portcullis::pim::internal
