#include "nsg/internal/kary_tree.h"

#include <algorithm>

namespace portcullis::nsg::internal {

template <typename Key>
bool KaryTree<Key>::Build(const std::vector<Key>& starts, const std::vector<uint32_t>& values,
                          int max_depth, size_t max_bytes) {
  *this = KaryTree();
  if (starts.empty() || starts.size() != values.size()) return false;

  // The bottom level contains the last key of every interval but the last.
  const size_t ends = starts.size() - 1;
  const size_t bottom_nodes = std::max<size_t>(1, (ends + kKeysPerNode - 1) / kKeysPerNode);
  int depth = 1;
  size_t capacity = 1;
  while (capacity < bottom_nodes) {
    ++depth;
    capacity *= kFanout;
  }
  if (depth > std::min(max_depth, kMaxDepth)) return false;
  const size_t first_bottom = FirstBottom(depth);
  const size_t node_count = first_bottom + bottom_nodes;
  // One node's worth of extra lanes leaves room to align the nodes to 64
  // bytes.
  const size_t lanes = (node_count + 1) * kKeysPerNode;
  if (lanes * sizeof(Lane) + values.size() * sizeof(uint32_t) > max_bytes) return false;

  // Unused keys hold the maximum, which no search key is above.
  nodes_storage_.assign(lanes, std::numeric_limits<Lane>::max());
  const uintptr_t address = reinterpret_cast<uintptr_t>(nodes_storage_.data());
  Lane* nodes = nodes_storage_.data() + (64 - address % 64) % 64 / sizeof(Lane);
  auto end_lane = [&](size_t i) { return ToLane(static_cast<Key>(starts[i + 1] - 1)); };
  for (size_t i = 0; i < ends; ++i) nodes[first_bottom * kKeysPerNode + i] = end_lane(i);

  // Key t of an upper node is the last bottom key under its child t, or
  // stays the maximum when no bottom key follows that child.
  size_t level_first = 0;
  size_t level_size = 1;
  for (int level = 0; level + 1 < depth; ++level) {
    // Bottom nodes under one node of the next level.
    size_t child_span = 1;
    for (int below = level + 2; below < depth; ++below) child_span *= kFanout;
    for (size_t node = 0; node < level_size; ++node) {
      for (size_t t = 0; t < kKeysPerNode; ++t) {
        const size_t ends_through = (node * kFanout + t + 1) * child_span * kKeysPerNode;
        if (ends_through < ends) {
          nodes[(level_first + node) * kKeysPerNode + t] = end_lane(ends_through - 1);
        }
      }
    }
    level_first += level_size;
    level_size *= kFanout;
  }

  nodes_ = nodes;
  values_ = values;
  value_base_ = reinterpret_cast<uintptr_t>(values_.data()) -
                first_bottom * kKeysPerNode * sizeof(uint32_t);
  depth_ = depth;
  return true;
}

template class KaryTree<uint16_t>;
template class KaryTree<uint32_t>;

}  // namespace portcullis::nsg::internal
