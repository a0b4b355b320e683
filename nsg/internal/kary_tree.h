// A static k-ary search tree over the elementary intervals of one port or
// IPv4 address field, for the bit-vector engine (nsg/internal/
// bit_vector_space.h). Private to //nsg.
//
// The layout follows the cache-line-blocked search trees of C. Kim et al.,
// "FAST: Fast Architecture Sensitive Tree Search on Modern CPUs and GPUs",
// SIGMOD 2010, and the k-ary search of B. Schlegel, R. Gemulla and W.
// Lehner, "k-ary search on modern processors", DaMoN 2009. Every node is
// one 64-byte cache line of sorted keys (16 IPv4 keys or 32 port keys), and
// one SIMD compare of the search key with all of them picks the child to
// descend into. A node has K keys and K + 1 children, numbered like a
// complete (K + 1)-ary heap. Node g's children are (K + 1) * g + 1 to
// (K + 1) * g + K + 1, so no child pointers are stored.
//
//   level 0            [ s0 s1 ... s15 ]                  one line
//                     /    |        \    (17 children)
//   level 1   [ ... ]  [ ... ]  ...  [ ... ]              17 lines
//                      ...
//   bottom     [ e0 .. e15 ] [ e16 .. e31 ] ...           the last keys
//
// The bottom level contains the last key of every interval but the last
// one, in order. The number of those keys below the search key is the
// index of the key's interval. An upper node's key t is the largest bottom
// key under its child t, or the maximum key when no bottom key follows
// that child. So the number of an upper node's keys below the search key
// names the child whose keys bracket it.
//
// With AVX2, a level costs two 256-bit compares, one pack, one movemask
// and one popcount, and no branch. The depth (1 to kMaxDepth) is fixed per
// tree. Keys are stored with their top bit flipped, so that AVX2's signed
// compares order them as unsigned numbers. The portable search counts the
// same keys with a loop.
#ifndef PORTCULLIS_NSG_INTERNAL_KARY_TREE_H_
#define PORTCULLIS_NSG_INTERNAL_KARY_TREE_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

namespace portcullis::nsg::internal {

template <typename Key>
class KaryTree {
  static_assert(std::is_same_v<Key, uint16_t> || std::is_same_v<Key, uint32_t>,
                "KaryTree takes port (uint16_t) or IPv4 (uint32_t) keys");

 public:
  static constexpr int kMaxDepth = 4;
  // Keys per node: one 64-byte cache line.
  static constexpr size_t kKeysPerNode = 64 / sizeof(Key);
  static constexpr size_t kFanout = kKeysPerNode + 1;

  KaryTree() = default;
  // The tree keeps pointers into its own buffers, which moves keep and
  // copies would not.
  KaryTree(const KaryTree&) = delete;
  KaryTree& operator=(const KaryTree&) = delete;
  KaryTree(KaryTree&&) = default;
  KaryTree& operator=(KaryTree&&) = default;

  // `starts` must be strictly increasing and begin with 0; interval j is
  // [starts[j], starts[j + 1]) and has the value values[j]. Returns false,
  // leaving the tree empty, when it would need more than `max_depth`
  // (at most kMaxDepth) levels or more than `max_bytes` bytes.
  bool Build(const std::vector<Key>& starts, const std::vector<uint32_t>& values, int max_depth,
             size_t max_bytes);

  // Returns the value of the interval that contains `key`. kAvx2 selects
  // the AVX2 search (which also uses POPCNT, present on every CPU with
  // AVX2), and the caller may only choose it on CPUs with AVX2.
  template <bool kAvx2>
  __attribute__((always_inline)) uint32_t Find(Key key) const noexcept {
#if defined(__x86_64__)
    if constexpr (kAvx2) {
      switch (depth_) {
        case 1:
          return FindAvx2<1>(key);
        case 2:
          return FindAvx2<2>(key);
        case 3:
          return FindAvx2<3>(key);
        default:
          return FindAvx2<4>(key);
      }
    }
#endif
    return FindPortable(key);
  }

  int depth() const { return depth_; }
  bool empty() const { return depth_ == 0; }
  size_t memory_bytes() const {
    return nodes_storage_.capacity() * sizeof(Lane) + values_.capacity() * sizeof(uint32_t);
  }

 private:
  using Lane = std::make_signed_t<Key>;
  static constexpr Key kSignBit = static_cast<Key>(Key(1) << (8 * sizeof(Key) - 1));

  static Lane ToLane(Key key) { return static_cast<Lane>(static_cast<Key>(key ^ kSignBit)); }

  // The index of the first bottom node: the node count of the levels above.
  static size_t FirstBottom(int depth) {
    size_t first = 0;
    size_t level = 1;
    for (int i = 1; i < depth; ++i) {
      first += level;
      level *= kFanout;
    }
    return first;
  }

  // Returns the value of the interval at bottom position `node` * K + `below`,
  // where `node` counts nodes from the root.
  uint32_t ValueAt(size_t node, size_t below) const noexcept {
    return *reinterpret_cast<const uint32_t*>(value_base_ +
                                              (node * kKeysPerNode + below) * sizeof(uint32_t));
  }

  uint32_t FindPortable(Key key) const noexcept {
    const Lane lane = ToLane(key);
    size_t node = 0;
    for (int level = 0;; ++level) {
      const Lane* keys = nodes_ + node * kKeysPerNode;
      size_t below = 0;
      for (size_t i = 0; i < kKeysPerNode; ++i) below += static_cast<size_t>(keys[i] < lane);
      if (level + 1 == depth_) return ValueAt(node, below);
      node = node * kFanout + 1 + below;
    }
  }

#if defined(__x86_64__)
  // The AVX2 search, written in inline assembly so that it can be inlined
  // into lookups compiled for any target. Callers pick it only on CPUs with
  // AVX2. One asm statement runs all kDepth levels, because the broadcast
  // key must stay in its register. Per level it compares the key with the
  // node's two 32-byte halves, packs the two masks into one and counts its
  // set bits (two per IPv4 key, one per port key), then steps to the
  // child: offset = K1 * offset + 64 * (count + 1), where `offset` is 64
  // times the node's number and K1 the fanout.
  // The type of the asm's memory operand, which informs the compiler that
  // the asm reads the nodes. Its size only needs to cover them.
  using NodeBytes = char[size_t{1} << 30];

  template <int kDepth>
  __attribute__((always_inline)) uint32_t FindAvx2(Key key) const noexcept {
    static_assert(kDepth >= 1 && kDepth <= kMaxDepth);
    uint64_t offset = 0;
    uint64_t below;
    const uint32_t lane = static_cast<Key>(key ^ kSignBit);
#define PORTCULLIS_KARY_ASM(text)                                                 \
  asm(text                                                                        \
      : [offset] "+r"(offset), [below] "=&r"(below)                               \
      : [lane] "r"(lane), [nodes] "r"(nodes_), "m"(*reinterpret_cast<const NodeBytes*>(nodes_)) \
      : "xmm0", "xmm1", "xmm2", "cc")
// Runs kDepth levels: the broadcast, then kDepth - 1 steps to a child,
// then the count in the bottom node. The key type's START, COUNT and
// LEVEL are defined before each use.
#define PORTCULLIS_KARY_SEARCH()                                                          \
  if constexpr (kDepth == 1) {                                                            \
    PORTCULLIS_KARY_ASM(PORTCULLIS_KARY_START PORTCULLIS_KARY_COUNT);                     \
  } else if constexpr (kDepth == 2) {                                                     \
    PORTCULLIS_KARY_ASM(PORTCULLIS_KARY_START PORTCULLIS_KARY_LEVEL PORTCULLIS_KARY_COUNT); \
  } else if constexpr (kDepth == 3) {                                                     \
    PORTCULLIS_KARY_ASM(PORTCULLIS_KARY_START PORTCULLIS_KARY_LEVEL PORTCULLIS_KARY_LEVEL  \
                            PORTCULLIS_KARY_COUNT);                                       \
  } else {                                                                                \
    PORTCULLIS_KARY_ASM(PORTCULLIS_KARY_START PORTCULLIS_KARY_LEVEL PORTCULLIS_KARY_LEVEL  \
                            PORTCULLIS_KARY_LEVEL PORTCULLIS_KARY_COUNT);                 \
  }
    if constexpr (sizeof(Key) == 4) {
#define PORTCULLIS_KARY_START "vmovd %k[lane], %%xmm0\n\tvpbroadcastd %%xmm0, %%ymm0\n\t"
#define PORTCULLIS_KARY_COUNT                            \
  "vpcmpgtd (%[nodes],%[offset]), %%ymm0, %%ymm1\n\t"   \
  "vpcmpgtd 32(%[nodes],%[offset]), %%ymm0, %%ymm2\n\t" \
  "vpackssdw %%ymm2, %%ymm1, %%ymm1\n\t"                \
  "vpmovmskb %%ymm1, %k[below]\n\t"                     \
  "popcnt %k[below], %k[below]\n\t"
#define PORTCULLIS_KARY_LEVEL            \
  PORTCULLIS_KARY_COUNT                  \
  "imul $17, %[offset], %[offset]\n\t"  \
  "shl $5, %k[below]\n\t"               \
  "lea 64(%[offset],%[below]), %[offset]\n\t"
      PORTCULLIS_KARY_SEARCH();
#undef PORTCULLIS_KARY_START
#undef PORTCULLIS_KARY_COUNT
#undef PORTCULLIS_KARY_LEVEL
      // The count has two bits per key, and 16 values follow per node.
      return *reinterpret_cast<const uint32_t*>(value_base_ + offset + below * 2);
    } else {
#define PORTCULLIS_KARY_START "vmovd %k[lane], %%xmm0\n\tvpbroadcastw %%xmm0, %%ymm0\n\t"
#define PORTCULLIS_KARY_COUNT                            \
  "vpcmpgtw (%[nodes],%[offset]), %%ymm0, %%ymm1\n\t"   \
  "vpcmpgtw 32(%[nodes],%[offset]), %%ymm0, %%ymm2\n\t" \
  "vpacksswb %%ymm2, %%ymm1, %%ymm1\n\t"                \
  "vpmovmskb %%ymm1, %k[below]\n\t"                     \
  "popcnt %k[below], %k[below]\n\t"
#define PORTCULLIS_KARY_LEVEL            \
  PORTCULLIS_KARY_COUNT                  \
  "imul $33, %[offset], %[offset]\n\t"  \
  "shl $6, %k[below]\n\t"               \
  "lea 64(%[offset],%[below]), %[offset]\n\t"
      PORTCULLIS_KARY_SEARCH();
#undef PORTCULLIS_KARY_START
#undef PORTCULLIS_KARY_COUNT
#undef PORTCULLIS_KARY_LEVEL
      // 32 values follow per node, and the count has one bit per key.
      return *reinterpret_cast<const uint32_t*>(value_base_ + offset * 2 + below * 4);
    }
#undef PORTCULLIS_KARY_SEARCH
#undef PORTCULLIS_KARY_ASM
  }
#endif

  // The nodes, level by level, 64-byte aligned inside nodes_storage_.
  std::vector<Lane> nodes_storage_;
  const Lane* nodes_ = nullptr;
  // The value of each interval.
  std::vector<uint32_t> values_;
  // The address of values_[0] less FirstBottom(depth_) * K values, so that
  // a bottom node's number and its count of keys give the address.
  uintptr_t value_base_ = 0;
  int depth_ = 0;
};

extern template class KaryTree<uint16_t>;
extern template class KaryTree<uint32_t>;

}  // namespace portcullis::nsg::internal

#endif  // PORTCULLIS_NSG_INTERNAL_KARY_TREE_H_
