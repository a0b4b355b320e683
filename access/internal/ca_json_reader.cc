#include "access/internal/ca_json_reader.h"

namespace portcullis::access::internal {

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
