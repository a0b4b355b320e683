// The bit-vector engine behind Classifier for rule sets of NSG size: one
// address family, private to //nsg (the public face is nsg/classifier.h).
//
// The method is the bit-parallel scheme of T. V. Lakshman and D. Stiliadis,
// "High-speed policy-based packet forwarding using efficient
// multi-dimensional range matching", SIGCOMM 1998:
//
//   - Each of the five fields (source address, destination address, source
//     port, destination port, protocol) is cut into elementary intervals at
//     every edge of every rule's set for that field. All values of one
//     interval match the same rules, so each interval maps to the bit vector
//     of those rules: bit i is set when rule i matches the field.
//   - A lookup maps each field of the flow to its interval, ANDs the five
//     vectors and takes the first set bit. Rules are numbered best first
//     (lowest rank first), so that bit is the deciding rule.
//
// A lookup costs d range lookups plus an AND of d * N / w words. It needs
// no hashing and no per-rule checks, and its time does not depend on how
// rules overlap. Overlap is what makes the TupleMerge tables slow on NSG
// rules, because service tags, `*` and virtual-network sides spread one
// rule over many tables. Its weakness is memory: with N rules a
// field has up to 2N intervals, each with an N-bit vector, so O(N^2) bits
// per field. This engine therefore serves only tables whose vectors fit a
// byte budget (BitVectorOptions::max_bytes); Classifier uses TupleMerge for
// the others.
//
// Layout and the departures from the paper:
//
//   field value --> IntervalMap --> class id --> class row (words_ words)
//
//   IntervalMap (one per address and port field)
//   table_: root over [low_, high_)         intervals_ (key order)
//   +------------------------------+        +--------------------------+
//   | leaf: first interval --------+------->| start a1, class c1       |
//   | child: node, stride ---+     |        | start a2, class c0       |
//   | ...                    |     |        | ...                      |
//   +------------------------+-----+        +--------------------------+
//   | node: 2^stride entries <+    |
//   +------------------------------+
//
//   - Equivalence classes: intervals whose rule sets are equal share one
//     class id and one row. On NSG rules, a service tag of thousands of
//     prefixes makes thousands of intervals but only a few distinct rows,
//     so the rows stay small while the interval lists grow with the
//     prefixes.
//   - Interval search: the paper searches each field's edges with a binary
//     search. Here a trie over the span between the second and the last
//     edge does most of the work. The root cuts the span into about four
//     slices per interval (at most 2^16). A slice into which more than
//     three intervals start gets a child node of about four slices per
//     start, and so on, so the tables grow with the edges and adapt to
//     clustered prefixes. A leaf names the interval that contains its
//     slice's first key, and a branch-free two-step search over the next
//     three finishes. Because the root follows the span of the edges and
//     not the top bits of the key, IPv6 prefixes that share a long prefix
//     such as 2001:db8::/32 cost no extra levels. The protocol uses a
//     256-entry table.
//   - Rows are padded to whole 512-bit blocks and aligned to 64 bytes. On
//     CPUs with AVX-512F the AND runs one block of 512 rules per step;
//     a portable loop does one 64-bit word per step. Both stop at the first
//     non-zero block or word.
//   - Aggregated bit vectors (Baboescu and Varghese, SIGCOMM 2001) are not
//     used: at the sizes this engine accepts a row is one to a few blocks,
//     so a summary level would save little.
//
// Lookups are noexcept, allocate nothing and only read.
#ifndef PORTCULLIS_NSG_INTERNAL_BIT_VECTOR_SPACE_H_
#define PORTCULLIS_NSG_INTERNAL_BIT_VECTOR_SPACE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/numeric/int128.h"
#include "nsg/internal/tuple_space.h"
#include "nsg/rule_table.h"

namespace portcullis::nsg::internal {

// Maps a key (an address or a port) to the class id of the elementary
// interval that contains it.
template <typename Key>
class IntervalMap {
 public:
  // `starts` must be strictly increasing and begin with 0; interval j is
  // [starts[j], starts[j + 1]) and has class classes[j]. `max_root` (a
  // power of two) caps the root table. Returns false as soon as the map
  // would take more than `max_bytes` or need more than 2^26 table entries.
  bool Build(const std::vector<Key>& starts, const std::vector<uint16_t>& classes,
             size_t max_root, size_t max_bytes);

  uint32_t Find(Key key) const noexcept {
    if (key < low_) return intervals_[0].class_id;
    if (key >= high_) return intervals_[intervals_.size() - 4].class_id;
    return Search(key, Walk(key));
  }

  // Find in steps, so that a batch can prefetch between them: the root
  // entry, the leaf entry (walking child nodes), then the class.
  const uint32_t* RootEntry(Key key) const noexcept {
    if (key < low_ || key >= high_) return table_.data();
    return table_.data() + static_cast<uint32_t>(static_cast<Key>((key - low_) >> shift_));
  }
  uint32_t Leaf(Key key) const noexcept {
    return key < low_ || key >= high_ ? 0 : Walk(key);
  }
  // Prefetches the intervals ClassOf(key, leaf) reads.
  void PrefetchLeaf(uint32_t leaf) const noexcept {
    const Interval* first = intervals_.data() + (leaf & kIndexMask);
    __builtin_prefetch(first);
    __builtin_prefetch(first + 3);
  }
  uint32_t ClassOf(Key key, uint32_t leaf) const noexcept {
    if (key < low_) return intervals_[0].class_id;
    if (key >= high_) return intervals_[intervals_.size() - 4].class_id;
    return Search(key, leaf);
  }

  // Elementary intervals after merging neighbours of equal class.
  size_t interval_count() const { return intervals_.size() - 3; }
  size_t memory_bytes() const {
    return table_.capacity() * sizeof(uint32_t) + intervals_.capacity() * sizeof(Interval);
  }

 private:
  // Returns the class of `key` in [low_, high_) from its leaf.
  uint32_t Search(Key key, uint32_t leaf) const noexcept {
    // A leaf names the interval holding its slice's first key, and at most
    // three more intervals start inside the slice. A two-step binary search
    // over those four finds the key's interval without a branch. Starts
    // past the slice are greater than the key, so the search never takes
    // them, and intervals_ ends with three padding elements to keep the
    // reads in bounds.
    uint32_t first = leaf & kIndexMask;
    first += static_cast<uint32_t>(intervals_[first + 2].start <= key) * 2;
    first += static_cast<uint32_t>(intervals_[first + 1].start <= key);
    return intervals_[first].class_id;
  }

  // Returns the leaf entry of a key in [low_, high_), walking child nodes
  // from the root.
  uint32_t Walk(Key key) const noexcept {
    const Key offset = static_cast<Key>(key - low_);
    uint32_t entry = table_[static_cast<uint32_t>(static_cast<Key>(offset >> shift_))];
    int shift = shift_;
    while ((entry >> kKindShift) == kChild) {
      const int stride = static_cast<int>((entry >> kStrideShift) & kStrideMask);
      shift -= stride;
      const uint32_t slot =
          static_cast<uint32_t>(static_cast<Key>(offset >> shift)) & ((uint32_t{1} << stride) - 1);
      entry = table_[(entry & kNodeMask) + slot];
    }
    return entry;
  }

  struct Interval {
    Key start;
    uint16_t class_id;
  };

  // A table entry is a leaf or a child. A leaf (top 2 bits 0) stores its
  // slice's first interval in the low 30 bits; at most three more
  // intervals start inside its slice. A child (top bits kChild) stores the index
  // in table_ of a node (low 26 bits) that splits the slice into 2^stride
  // slices (stride in bits 26 to 29, 1 to kMaxStride): about four per
  // start, so that the nodes' size follows the starts.
  static constexpr int kKindShift = 30;
  static constexpr uint32_t kIndexMask = (uint32_t{1} << kKindShift) - 1;
  static constexpr uint32_t kChild = 3;
  static constexpr int kStrideShift = 26;
  static constexpr uint32_t kStrideMask = 15;
  static constexpr uint32_t kNodeMask = (uint32_t{1} << kStrideShift) - 1;
  static constexpr int kMaxStride = 8;

  // Computes the entry of the slice of width 2^shift that starts at
  // `first_key`, whose first interval is `first` and which contains
  // `extra` more starts, appending child nodes to table_ as needed. Returns
  // false when table_ would pass `max_entries` or outgrow the node index.
  bool MakeEntry(Key first_key, int shift, uint32_t first, uint32_t extra, size_t max_entries,
                 uint32_t* entry);

  // Keys below low_ (the second start) are in the first interval and keys
  // from high_ (the last start) on in the last one. The root splits
  // [low_, high_) into slices of 2^shift_ keys.
  Key low_ = 0;
  Key high_ = 0;
  int shift_ = 0;
  // The root's entries, then the child nodes.
  std::vector<uint32_t> table_;
  // The intervals in key order, then three padding elements.
  std::vector<Interval> intervals_ = {Interval{Key(0), 0}, Interval{Key(0), 0},
                                      Interval{Key(0), 0}, Interval{Key(0), 0}};
};

struct BitVectorOptions {
  // Upper bound on memory_bytes(); Build fails past it.
  size_t max_bytes = size_t{8} << 20;
  // Lets lookups AND the rows with AVX-512F when the CPU has it.
  bool allow_avx512 = true;
};

template <typename Family>
class BitVectorSpace {
 public:
  using Address = typename Family::Address;
  using Flow = typename Family::Flow;
  using RankedRule = typename TupleSpace<Family>::RankedRule;

  BitVectorSpace() = default;
  // Moves keep the rows' alignment (the heap block moves as it is); copies
  // would not, so there are none.
  BitVectorSpace(const BitVectorSpace&) = delete;
  BitVectorSpace& operator=(const BitVectorSpace&) = delete;
  BitVectorSpace(BitVectorSpace&&) = default;
  BitVectorSpace& operator=(BitVectorSpace&&) = default;

  // Builds the engine from `rules` (in increasing rank). Returns false, and
  // leaves the engine empty, when it would take more than
  // options.max_bytes or a field would have more than 65,536 classes.
  bool Build(const std::vector<RankedRule>& rules, const BitVectorOptions& options);

  // Returns the best (lowest) rank matching `flow`, or kNoRank.
  uint32_t Lookup(const Flow& flow) const noexcept {
    return use_avx512_ ? LookupAvx512(flow) : LookupPortable(flow);
  }

  // Writes the best rank of flows[i] to ranks[i] for i < count. Finds the
  // rows of kLanes flows and prefetches them before ANDing any, so that
  // their cache misses overlap.
  void LookupBatch(const Flow* flows, size_t count, uint32_t* ranks) const noexcept;

  static constexpr size_t kLanes = 16;

  size_t memory_bytes() const;
  size_t rule_count() const { return ranks_.size(); }
  // Distinct rows over the five fields.
  size_t class_count() const;

 private:
  enum Field { kSource, kDestination, kSourcePort, kDestinationPort, kProtocol, kFields };

  struct Rows {
    const uint64_t* field[kFields];
  };

  const uint64_t* Row(int field, uint32_t class_id) const {
    return pool_.data() + pool_offset_ + row_begin_[field] + size_t{class_id} * words_;
  }
  Rows RowsOf(const Flow& flow) const noexcept {
    return Rows{{Row(kSource, source_.Find(flow.source)),
                 Row(kDestination, destination_.Find(flow.destination)),
                 Row(kSourcePort, source_port_.Find(flow.source_port)),
                 Row(kDestinationPort, destination_port_.Find(flow.destination_port)),
                 Row(kProtocol, protocol_[flow.protocol])}};
  }
  // Fills rows[i] for flows[i], i < lanes <= kLanes, and prefetches the
  // rows. With staged_ set, it walks the address maps of all lanes level by
  // level, prefetching each lane's next level before using any.
  void FindRows(const Flow* flows, size_t lanes, Rows* rows) const noexcept;

  // The lookups with the AND in AVX-512 and in portable code. Each is one
  // function with the interval searches inlined into it, because a call
  // per step cost more than the AND of a 1,000-rule row.
  __attribute__((target("avx512f"))) uint32_t LookupAvx512(const Flow& flow) const noexcept;
  uint32_t LookupPortable(const Flow& flow) const noexcept;
  __attribute__((target("avx512f"))) void LookupBatchAvx512(const Flow* flows, size_t count,
                                                            uint32_t* ranks) const noexcept;
  void LookupBatchPortable(const Flow* flows, size_t count, uint32_t* ranks) const noexcept;

  IntervalMap<Address> source_;
  IntervalMap<Address> destination_;
  IntervalMap<uint16_t> source_port_;
  IntervalMap<uint16_t> destination_port_;
  uint16_t protocol_[256] = {};

  // Words per row: the rule count rounded up to whole 512-bit blocks, or 0
  // when the engine has no rules.
  size_t words_ = 0;
  // Every row of every field. Rows start at pool_offset_, which aligns them
  // to 64 bytes, and a field's rows at row_begin_[field] words after it.
  std::vector<uint64_t> pool_;
  size_t pool_offset_ = 0;
  size_t row_begin_[kFields] = {};
  size_t class_count_[kFields] = {};
  // The rank of each bit: ranks_[i] is rule i's position in priority order.
  std::vector<uint32_t> ranks_;
  bool use_avx512_ = false;
  // Set when the address maps are too large to stay in the L2 cache, where
  // staging the batch lookup pays for its bookkeeping.
  bool staged_ = false;
};

extern template class BitVectorSpace<Ipv4Family>;
extern template class BitVectorSpace<Ipv6Family>;

}  // namespace portcullis::nsg::internal

#endif  // PORTCULLIS_NSG_INTERNAL_BIT_VECTOR_SPACE_H_
