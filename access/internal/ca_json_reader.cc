#include "access/internal/ca_json_reader.h"

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace portcullis::access::internal {

absl::Status RejectUnknownMembers(
    const Struct& object, const json::Path& path,
    std::initializer_list<absl::string_view> members) {
  // The map's order varies between runs, so the smallest unknown name is
  // reported, the same one every time.
  std::optional<std::string> first_unknown;
  for (const auto& [key, value] : object.fields()) {
    if (absl::StrContains(key, "@odata")) continue;
    bool known = false;
    for (absl::string_view member : members) {
      known = known || absl::EqualsIgnoreCase(key, member);
    }
    if (!known && (!first_unknown.has_value() || key < *first_unknown)) {
      first_unknown = key;
    }
  }
  if (!first_unknown.has_value()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      path.Field(*first_unknown).ToString(),
      ": unknown member; expected one of ", absl::StrJoin(members, ", ")));
}

absl::StatusOr<std::vector<std::pair<const Value*, json::Path>>> Items(
    const Value& root) {
  std::vector<std::pair<const Value*, json::Path>> items;
  const ListValue* list = nullptr;
  json::Path base;
  if (root.has_list_value()) {
    list = &root.list_value();
  } else if (root.has_struct_value()) {
    const Value* value = Member(root.struct_value(), "value");
    if (value != nullptr && value->has_list_value() &&
        Member(root.struct_value(), "conditions") == nullptr) {
      // Graph pages long lists. Evaluating one page would silently drop the
      // policies on the others, and a missing block policy is an allow.
      absl::Status complete =
          json::RejectNextPageLink(root.struct_value(), json::Path());
      if (!complete.ok()) return complete;
      list = &value->list_value();
      base = base.Field("value");
    }
  } else {
    return json::InvalidField(json::Path(), root,
                              "an object, an array of objects or a Graph "
                              "list response");
  }
  if (list == nullptr) {
    items.emplace_back(&root, json::Path());
    return items;
  }
  for (int i = 0; i < list->values_size(); ++i) {
    items.emplace_back(&list->values(i), base.Index(i));
  }
  return items;
}

}  // namespace portcullis::access::internal
