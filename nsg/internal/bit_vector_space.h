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
//   field value --> IntervalMap --> row offset --> class row (words_ words)
//
//   IntervalMap (one per address and port field)
//   table_: root over [low_, low_ + span_)  intervals_ (key order)
//   +------------------------------+        +--------------------------+
//   | leaf: first interval --------+------->| start a1, row of c1      |
//   | child: node -----------+     |        | start a2, row of c0      |
//   | ...                    |     |        | ...                      |
//   +------------------------+-----+        +--------------------------+
//   | node: first, last, shift <+  |
//   |       slots (entries)        |
//   +------------------------------+
//
//   - Equivalence classes: intervals whose rule sets are equal share one
//     class and one row. The maps store a class as its row's offset in
//     words from the first row of the first field, which saves a multiply
//     per field and lets all fields share one base pointer. IPv4 and IPv6
//     intervals keep their size (their start pads them to 8 and 32
//     bytes), and port intervals grow from 4 to 8 bytes. On NSG rules, a service tag of thousands of
//     prefixes makes thousands of intervals but only a few distinct rows,
//     so the rows stay small while the interval lists grow with the
//     prefixes.
//   - Interval search: the paper searches each field's edges with a binary
//     search. Here a trie over the span between the second and the last
//     edge does most of the work. A leaf names the interval that contains
//     its slice's first key, and a branch-free binary search over that
//     interval and the next few finishes. Maps whose intervals fit 32 KiB
//     search 16 intervals in four steps, and their root cuts the span into
//     about one slice per interval. Larger maps search 4 intervals in two
//     steps, which touches fewer cache lines, and their root has about four
//     slices per interval. Address roots have at most 2^16 slices and port
//     roots 2^12. A slice into which more intervals start than its leaf
//     searches gets a child node instead. The node covers only the keys
//     from just before the slice's first start to its last start. Other
//     keys of the slice share an interval with one of those two, so they
//     are clamped into that range. The node cuts it into about one slot per
//     start, or four with narrow leaves. So a cluster of /32 hosts deep
//     inside a wide slice costs one level, not one level per few bits of
//     the slice. Because the root follows the span of the edges and not
//     the top bits of the key, IPv6 prefixes that share a long prefix such
//     as 2001:db8::/32 cost no extra levels.
//   - Port maps of up to 1,056 intervals and IPv4 maps of up to 4,624
//     intervals with at least 3 intervals search a KaryTree
//     (nsg/internal/kary_tree.h) instead: a static tree of 64-byte nodes
//     after Kim et al. (FAST, SIGMOD 2010), one or two levels for ports
//     and up to three for IPv4, each level an AVX2 compare of the key with
//     a whole node. It has no branch that depends on the key, where the
//     trie branches on the range check and on child nodes. On a 2 GHz AMD
//     EPYC (Zen 1), it cut fw1_1k's lookups from 54 to 46 ns (single) and
//     from 52 to 38 ns (batch), and ipc1_1k's batches from 55 to 50 ns.
//     acl1_1k did not change. These are medians of three alternated runs
//     under load 4 to 5, and the tree runs about as many instructions.
//     Engines whose maps have no tree (the NSG-shaped set's large maps,
//     IPv6) run lookups compiled without the tree code.
//   - Port maps whose direct table fits 128 KiB use it before a tree: each
//     block of 16 ports names a row of 16 values, and equal rows are
//     stored once. A lookup is two dependent loads in integer registers.
//     On the first Zen generation, 256-bit instructions split in two, and
//     the tree searches of the address and port maps kept the vector
//     units busy. Trees with fewer levels (32-key IPv4 nodes) and lookups
//     that took one tree level of all lanes at a time were no faster. With
//     direct port tables, batches took 27.7 instead of 30.9 ns on acl1_1k,
//     28.6 instead of 33.3 on fw1_1k and 35.5 instead of 41.6 on ipc1_1k
//     (medians of four alternated runs at load 1, 2 GHz AMD EPYC).
//     The protocol uses a 256-entry table.
//   - Service rows: the protocol and the destination port share one row,
//     and a source port that has one class for every key (its row is the
//     same for all flows) is folded into it. The two fields' classes index
//     a table of protocol classes times port classes, each entry the
//     offset of the AND of the two rows, deduplicated. This is the
//     cross-product step of Recursive Flow Classification (P. Gupta and
//     N. McKeown, "Packet classification on multiple fields", SIGCOMM
//     1999), applied to two small fields only, so that a lookup ANDs three
//     or four rows instead of five. acl1_1k has 4 protocol classes, 100
//     destination port classes and 113 distinct service rows; its source
//     ports are all `*`. Tables whose service table would pass
//     kMaxServiceEntries, or whose rows would pass the byte budget, keep
//     five rows.
//   - Rows are padded to whole 512-bit blocks and aligned to 64 bytes. On
//     CPUs with AVX-512F the AND runs two blocks of 512 rules per step. On
//     CPUs with AVX2 but not AVX-512F it runs one block per step as two
//     256-bit ANDs, whose zero 64-bit words a compare turns into one mask,
//     so one branch per block decides where the match lies. The portable
//     loop does one 64-bit word per step. All stop at the first non-zero
//     step.
//   - Aggregated bit vectors (F. Baboescu and G. Varghese, "Scalable
//     packet classification", SIGCOMM 2001) are not used. A version with
//     one summary bit per 64-bit word, kept beside each interval's class,
//     was tried on a 2 GHz AMD EPYC without AVX-512. Its batch lookups
//     took 75, 71 and 77 ns on ipc1_1k, fw1_1k and the NSG-shaped set.
//     The AVX2 AND of whole rows took 65, 60 and 57 ns, and the two tied on
//     acl1_1k. Rows of broad rules such as `*` or service tags set most
//     summary bits, so the AND of the summaries often points at words
//     whose AND is zero.
//   - The variants below were tried on a 2 GHz AMD EPYC of the first Zen
//     generation (AVX2, no AVX-512) and dropped. Each was measured against
//     the same code without it, pinned to one core under load 2 to 3,
//     mostly with the two binaries run alternately, in ns per lookup. Callgrind counted about
//     275 instructions per batch lookup on acl1_1k, 213 of them finding
//     the rows, and batches without the AND took 38 of 52 ns. So the
//     lookups are bound by instruction throughput (an estimated 2.6 per
//     cycle), not by the latency of their loads, and changes that add
//     instructions to hide latency lose:
//       * Leaf starts in their own array, searched by one AVX2 compare of
//         all 16 instead of four dependent steps. Conditional moves
//         replaced the range branches. Batches got slower: fw1_1k 62
//         against 58, nsg_shaped_v6 65 to 69 against 53 to 57. This CPU
//         splits 256-bit operations in two, and the values took a cache
//         line of their own.
//       * A root over the whole key range for ports and IPv4 addresses,
//         without range branches: fw1_1k single 64 to 76 against 53 to 58,
//         because wider slices need more child nodes.
//       * Taking the first child level without a branch in maps with many
//         nested intervals: acl1_1k single 62 against 53.
//       * Staging all four maps across the 16 lanes of a batch (root
//         entries, then leaves, then searches, each prefetched): acl1_1k
//         batch 57 against 53, fw1_1k 75 against 63.
//       * One map at a time for all lanes of a batch: no gain (fw1_1k 58
//         to 60 against 56 to 62).
//       * ANDing both blocks of a two-block row before one branch:
//         acl1_1k single 54 to 56 against 52 to 53, batch unchanged. With
//         three rows and direct port tables it paid off, and small engines
//         now do it (see both_blocks_).
//       * Prefetching no rows, or only the two address rows: acl1_1k
//         batch 48 to 52 against 45 to 46.
//     Two more were counted with callgrind and dropped:
//       * One test of the OR of a block's two 256-bit ANDs, building the
//         zero-word mask only in the block that matches. It was tried with
//         the conditional-move search steps. Batch lookups took 2 to 5
//         more instructions per flow on acl1_1k, ipc1_1k, fw1_1k and
//         nsg_shaped, because the matching block, which every lookup
//         reaches, then needs the compares as well.
//       * Narrow leaves for every map, with four root slices per interval:
//         no fewer instructions on acl1_1k (246 against 243 per batch
//         lookup), because slices with four starts need child nodes. And
//         acl1_1k's snapshot grew to 108,116 bytes, more than a tenth of
//         rte_acl's 1,037,504.
//
// Lookups are noexcept, allocate nothing and only read.
#ifndef PORTCULLIS_NSG_INTERNAL_BIT_VECTOR_SPACE_H_
#define PORTCULLIS_NSG_INTERNAL_BIT_VECTOR_SPACE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "absl/numeric/int128.h"
#include "nsg/internal/kary_tree.h"
#include "nsg/internal/tuple_space.h"
#include "nsg/rule_table.h"

namespace portcullis::nsg::internal {

// The search that IntervalMap::Find runs. kTrie ignores KaryTrees, so
// engines with no tree pay nothing for them. kTreeAvx2 may only run on CPUs with AVX2.
enum class MapSearch : uint8_t { kTrie, kTreePortable, kTreeAvx2 };

// Maps a key (an address or a port) to the value of the elementary
// interval that contains it. For the engine, the value is the offset of
// the interval's class row.
template <typename Key>
class IntervalMap {
 public:
  // `starts` must be strictly increasing and begin with 0; interval j is
  // [starts[j], starts[j + 1]) and has the value values[j]. `max_root` (a
  // power of two) caps the root table. Returns false as soon as the map
  // would take more than `max_bytes` or need more than 2^26 table entries.
  // With `max_tree_depth` above 0, port and IPv4 maps whose intervals fit
  // a KaryTree of that depth use the tree in place of the trie. With
  // `direct`, port maps of at least 3 intervals whose direct table fits
  // use it before a tree.
  bool Build(const std::vector<Key>& starts, const std::vector<uint32_t>& values,
             size_t max_root, size_t max_bytes, int max_tree_depth = 0, bool direct = false);

  // Find, Search and Walk are forced inline: GCC 12 called the IPv6 Find
  // out of line from every lookup, and inlining it cut callgrind's count
  // for single IPv6 lookups of the NSG-shaped set from 254 to 236
  // instructions.
  template <MapSearch kSearch = MapSearch::kTreePortable>
  __attribute__((always_inline)) uint32_t Find(Key key) const noexcept {
    if constexpr (kHasDirect) {
      if (!direct_blocks_.empty()) {
        const uint32_t block = direct_blocks_[key >> kDirectShift];
        return direct_values_[block << kDirectShift | (key & (kDirectWidth - 1))];
      }
    }
    if constexpr (kHasTree && kSearch != MapSearch::kTrie) {
      if (!tree_.empty()) return tree_.template Find<kSearch == MapSearch::kTreeAvx2>(key);
    }
    // One unsigned compare tests both ends of [low_, low_ + span_).
    const Start start_key = ToStart(key);
    const Start offset = static_cast<Start>(start_key - low_);
    if (offset >= span_) return start_key < low_ ? first_value_ : last_value_;
    return Search(start_key, Walk(start_key, offset));
  }

  // Find in steps, so that a batch can prefetch between them: the root
  // entry, the leaf entry (walking child nodes), then the value.
  const uint32_t* RootEntry(Key key) const noexcept {
    const Start offset = static_cast<Start>(ToStart(key) - low_);
    if (offset >= span_) return table_.data();
    return table_.data() + static_cast<uint32_t>(static_cast<Start>(offset >> shift_));
  }
  uint32_t Leaf(Key key) const noexcept {
    const Start start_key = ToStart(key);
    const Start offset = static_cast<Start>(start_key - low_);
    return offset >= span_ ? 0 : Walk(start_key, offset);
  }
  // Prefetches the intervals ValueOf(key, leaf) reads.
  void PrefetchLeaf(uint32_t leaf) const noexcept {
    const Interval* first = intervals_.data() + (leaf & kIndexMask);
    __builtin_prefetch(first);
    __builtin_prefetch(first + leaf_width_ / 2);
    __builtin_prefetch(first + leaf_width_ - 1);
  }
  // RootEntry, Leaf and ValueOf search the trie, so they are only for maps
  // whose tree_depth() is 0.
  uint32_t ValueOf(Key key, uint32_t leaf) const noexcept {
    const Start start_key = ToStart(key);
    const Start offset = static_cast<Start>(start_key - low_);
    if (offset >= span_) return start_key < low_ ? first_value_ : last_value_;
    return Search(start_key, leaf);
  }

  // Elementary intervals after merging neighbours of equal value.
  size_t interval_count() const { return interval_count_; }
  // The depth of the KaryTree in use, or 0 when the map uses its trie or
  // its direct table.
  int tree_depth() const { return tree_.depth(); }
  // Whether the map looks ports up in its direct table.
  bool direct() const { return !direct_blocks_.empty(); }
  // The cap on a direct table with the map's intervals: at most 1,920 rows
  // of 64 bytes after 8 KiB of block entries. The NSG-shaped set's port
  // maps fit it, which made its lookups 9 to 14% faster
  // (benchmarks/README.md).
  static constexpr size_t kMaxDirectBytes = size_t{128} << 10;
  size_t memory_bytes() const {
    return table_.capacity() * sizeof(uint32_t) + intervals_.capacity() * sizeof(Interval) +
           tree_.memory_bytes() + direct_blocks_.capacity() * sizeof(uint16_t) +
           direct_values_.capacity() * sizeof(uint32_t);
  }

 private:
  // The type of interval starts, node keys, low_ and span_. IPv6 maps use
  // the compiler's 128-bit integer where it has one, and lookups convert
  // the key once. With absl::uint128, GCC 12 rebuilt each operand as that
  // integer, partly through the stack, at every compare and subtraction.
  // On the NSG-shaped set, callgrind counted 199 instructions per single
  // IPv6 lookup with absl::uint128 and 158 with the native type (186 and
  // 169 per batch lookup).
#if defined(__SIZEOF_INT128__)
  using Start =
      std::conditional_t<std::is_same_v<Key, absl::uint128>, unsigned __int128, Key>;
#else
  using Start = Key;
#endif
  static Start ToStart(Key key) noexcept {
    if constexpr (std::is_same_v<Start, Key>) {
      return key;
    } else {
      return static_cast<Start>(absl::Uint128High64(key)) << 64 | absl::Uint128Low64(key);
    }
  }
  static Key FromStart(Start start) noexcept {
    if constexpr (std::is_same_v<Start, Key>) {
      return start;
    } else {
      return absl::MakeUint128(static_cast<uint64_t>(start >> 64), static_cast<uint64_t>(start));
    }
  }

  // Returns the value of `key` in [low_, low_ + span_) from its leaf.
  __attribute__((always_inline)) uint32_t Search(Start key, uint32_t leaf) const noexcept {
    // A leaf names the interval holding its slice's first key, and fewer
    // than leaf_width_ more intervals start inside the slice. A binary
    // search of two or four steps over those leaf_width_ finds the key's
    // interval without a branch. Starts past the slice are greater than
    // the key, so the search never takes them, and intervals_ ends with
    // kPadding padding elements to keep the reads in bounds.
    // Leaf entries have their kind bits clear, so the entry is the index.
    uint32_t first = leaf;
    if (leaf_width_ == kWideLeaf) {
      first = Step(first, 8, key);
      first = Step(first, 4, key);
    }
    first = Step(first, 2, key);
    first += static_cast<uint32_t>(intervals_[first + 1].start <= key);
    return intervals_[first].value;
  }

  // Returns first + step when the interval there starts at or below `key`,
  // and `first` otherwise. On x86-64 with address or port keys this is a
  // compare and a conditional move, three instructions with the add, where
  // GCC 12 emits five for the multiply-and-add form and four, with a
  // register copy, for a conditional expression. Callgrind counted about
  // 15 fewer instructions per single lookup on acl1_1k than with the
  // multiply-and-add form.
  uint32_t Step(uint32_t first, uint32_t step, Start key) const noexcept {
#if defined(__x86_64__)
    if constexpr (sizeof(Key) <= sizeof(uint32_t)) {
      const uint32_t next = first + step;
      asm("cmp %[start], %[key]\n\tcmovae %[next], %[first]"
          : [first] "+r"(first)
          : [key] "r"(key), [start] "rm"(intervals_[next].start), [next] "r"(next)
          : "cc");
      return first;
    }
#endif
    return first + static_cast<uint32_t>(intervals_[first + step].start <= key) * step;
  }

  // Returns the leaf entry of `key`, whose offset from low_ is less than
  // span_, walking child nodes from the root.
  __attribute__((always_inline)) uint32_t Walk(Start key, Start offset) const noexcept {
    uint32_t entry = table_[static_cast<uint32_t>(static_cast<Start>(offset >> shift_))];
    while (entry >= kChildEntry) {
      // Keys of the parent slice below the node's first key or above its
      // last key lie in the same interval as that key, so clamping them
      // into [first, last] keeps their interval.
      const uint32_t* node = table_.data() + (entry & kIndexMask);
      const Start first = LoadStart(node);
      const Start last = LoadStart(node + kKeyEntries);
      const Start clamped = key < first ? first : (key > last ? last : key);
      const int shift = static_cast<int>(node[2 * kKeyEntries]);
      entry = node[2 * kKeyEntries + 1 +
                   static_cast<uint32_t>(static_cast<Start>(clamped - first) >> shift)];
    }
    return entry;
  }

  // Reads a key stored in kKeyEntries table entries, low bytes first.
  static Start LoadStart(const uint32_t* entries) noexcept {
    if constexpr (std::is_same_v<Key, absl::uint128>) {
      uint64_t low;
      uint64_t high;
      std::memcpy(&low, entries, sizeof(low));
      std::memcpy(&high, entries + 2, sizeof(high));
      return ToStart(absl::MakeUint128(high, low));
    } else {
      Key key;
      std::memcpy(&key, entries, sizeof(Key));
      return key;
    }
  }
  static void StoreKey(Key key, uint32_t* entries) noexcept {
    if constexpr (std::is_same_v<Key, absl::uint128>) {
      const uint64_t low = absl::Uint128Low64(key);
      const uint64_t high = absl::Uint128High64(key);
      std::memcpy(entries, &low, sizeof(low));
      std::memcpy(entries + 2, &high, sizeof(high));
    } else {
      std::memcpy(entries, &key, sizeof(Key));
    }
  }

  struct Interval {
    Start start;
    uint32_t value;
  };

  // IPv6 maps have no KaryTree.
  struct NoTree {
    int depth() const { return 0; }
    bool empty() const { return true; }
    size_t memory_bytes() const { return 0; }
  };
  static constexpr bool kHasTree = sizeof(Key) <= sizeof(uint32_t);

  // Port maps of at least 3 intervals built with `direct` use a direct
  // table when it fits kMaxDirectBytes. The block of 16 ports that
  // contains the key names a row of 16 values, and blocks with the same
  // values share a row. A lookup is two dependent loads, with no vector
  // instructions and no branch on the key. ClassBench's 1k sets need 1 to
  // 86 rows per port field, about 8 to 14 KiB per map.
  static constexpr bool kHasDirect = sizeof(Key) == sizeof(uint16_t);
  static constexpr int kDirectShift = 4;
  static constexpr uint32_t kDirectWidth = uint32_t{1} << kDirectShift;
  // Builds the direct table, or returns false, leaving it empty, when it
  // would pass kMaxDirectBytes or `max_bytes`.
  bool BuildDirect(const std::vector<Key>& starts, const std::vector<uint32_t>& values,
                   size_t max_bytes);

  // A table entry is a leaf or a child. A leaf (top 2 bits 0) stores its
  // slice's first interval in the low 30 bits, and fewer than leaf_width_
  // more intervals start inside its slice. A child (top bits kChild)
  // stores the index in table_ of a node (low 30 bits). The node covers
  // only the keys from just before the slice's first start to its last
  // start, so that a cluster of starts deep inside a wide slice costs one
  // level. It stores its first key and its last key (kKeyEntries entries
  // each), the shift from a key's offset to a slot, then the slots: about
  // one per start, and at most 2^kMaxStride.
  static constexpr int kKindShift = 30;
  static constexpr uint32_t kIndexMask = (uint32_t{1} << kKindShift) - 1;
  static constexpr uint32_t kChild = 3;
  // Entries from this value on are children.
  static constexpr uint32_t kChildEntry = kChild << kKindShift;
  static constexpr int kMaxStride = 10;
  static constexpr size_t kKeyEntries = (sizeof(Key) + sizeof(uint32_t) - 1) / sizeof(uint32_t);
  // Intervals a leaf's search covers: the slice's first and up to 3 or 15
  // more. Maps whose intervals fit kWideLeafMaxBytes use wide leaves and
  // need about a quarter of the table entries. Larger maps live in the
  // L2 cache or beyond, where the search's extra cache lines cost more
  // than the entries save (IPv6 intervals take 32 bytes each).
  static constexpr uint32_t kNarrowLeaf = 4;
  static constexpr uint32_t kWideLeaf = 16;
  static constexpr size_t kWideLeafMaxBytes = size_t{32} << 10;
  static constexpr size_t kPadding = kWideLeaf - 1;

  // Computes the entry of the slice of width 2^shift that starts at
  // `first_key`, whose first interval is `first` and which contains
  // `extra` more starts, appending child nodes to table_ as needed. Returns
  // false when table_ would pass `max_entries` or outgrow the node index.
  bool MakeEntry(Key first_key, int shift, uint32_t first, uint32_t extra, size_t max_entries,
                 uint32_t* entry);

  // Keys below low_ (the second start) are in the first interval and keys
  // from low_ + span_ (the last start) on in the last one. The root splits
  // [low_, low_ + span_) into slices of 2^shift_ keys.
  Start low_ = 0;
  Start span_ = 0;
  int shift_ = 0;
  // The root's entries, then the child nodes.
  std::vector<uint32_t> table_;
  uint32_t leaf_width_ = kNarrowLeaf;
  // The values of the first and the last interval, which Find returns for
  // keys outside [low_, low_ + span_) without reading intervals_.
  uint32_t first_value_ = 0;
  uint32_t last_value_ = 0;
  // The intervals in key order, then kPadding padding elements. Only the
  // padding when the map uses its KaryTree.
  std::vector<Interval> intervals_ = std::vector<Interval>(1 + kPadding, Interval{Start(0), 0});
  size_t interval_count_ = 1;
  std::conditional_t<kHasTree, KaryTree<std::conditional_t<kHasTree, Key, uint32_t>>, NoTree>
      tree_;
  // The direct table: each block's row, then the rows of kDirectWidth
  // values. Both empty unless the map uses it.
  std::vector<uint16_t> direct_blocks_;
  std::vector<uint32_t> direct_values_;
};

struct BitVectorOptions {
  // Upper bound on memory_bytes(); Build fails past it.
  size_t max_bytes = size_t{8} << 20;
  // Lets lookups AND the rows with AVX-512F when the CPU has it.
  bool allow_avx512 = true;
  // Lets lookups AND the rows with AVX2 when the CPU has it and AVX-512F is
  // not used. With both off, lookups run the portable 64-bit loop.
  bool allow_avx2 = true;
  // Lets the engine merge the protocol and destination port rows, and a
  // source port of one class, into service rows. Every setting returns the
  // same rank; tests turn it off to compare.
  bool service_rows = true;
  // Lets small port maps use a direct table (IntervalMap::BuildDirect).
  bool direct_port_tables = true;
  // Engines up to this size whose rows have two 512-bit blocks AND both
  // blocks before one branch in their AVX2 lookups (see both_blocks_).
  size_t both_blocks_max_bytes = size_t{256} << 10;
};

// The instructions a BitVectorSpace ANDs its rows with.
enum class BitVectorAnd : uint8_t { kPortable, kAvx2, kAvx512 };

// The rows a lookup ANDs after the two address rows. kFiveRows has the
// source port, destination port and protocol rows. kSourcePortAndService
// has the source port row and a service row. kService has a service row
// alone, for tables whose source port has one class.
enum class RowLayout : uint8_t { kFiveRows, kSourcePortAndService, kService };

constexpr int RowCount(RowLayout layout) {
  if (layout == RowLayout::kFiveRows) return 5;
  if (layout == RowLayout::kSourcePortAndService) return 4;
  return 3;
}

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
  // Service rows and direct port tables cost memory, so when the engine
  // does not fit with them, Build tries again without both.
  bool Build(const std::vector<RankedRule>& rules, const BitVectorOptions& options);

  // Returns the best (lowest) rank matching `flow`, or kNoRank. Build
  // picks the lookup for the CPU, the maps and the row layout.
  uint32_t Lookup(const Flow& flow) const noexcept { return (this->*lookup_)(flow); }

  // Writes the best rank of flows[i] to ranks[i] for i < count. Finds the
  // rows of kLanes flows and prefetches them before ANDing any, so that
  // their cache misses overlap.
  void LookupBatch(const Flow* flows, size_t count, uint32_t* ranks) const noexcept {
    (this->*batch_)(flows, count, ranks);
  }

  static constexpr size_t kLanes = 16;

  size_t memory_bytes() const;
  size_t rule_count() const { return rule_count_; }
  // Distinct rows that lookups read, over all fields.
  size_t class_count() const;
  // The AND in use, chosen by Build from the options and the CPU.
  BitVectorAnd and_path() const { return and_; }
  // The rows each lookup ANDs, chosen by Build.
  RowLayout row_layout() const { return layout_; }

 private:
  enum Field { kSource, kDestination, kSourcePort, kDestinationPort, kProtocol, kFields };

  static constexpr int kMaxRows = 5;
  struct Rows {
    const uint64_t* field[kMaxRows];
  };

  using LookupFunction = uint32_t (BitVectorSpace::*)(const Flow&) const noexcept;
  using BatchFunction = void (BitVectorSpace::*)(const Flow*, size_t, uint32_t*) const noexcept;

  // The maps store each class as the offset of its row in words from the
  // first row of all fields, which saves a multiply per field, and lets the
  // fields share one base pointer.
  const uint64_t* Row(uint32_t offset) const { return rows_ + offset; }
  uint32_t RankOf(int64_t bit) const noexcept {
    if (bit < 0) return kNoRank;
    return ranks_.empty() ? static_cast<uint32_t>(bit) : ranks_[static_cast<size_t>(bit)];
  }
  // Returns the offset of the service row of `flow`. protocol_ stores the
  // protocol's class times the number of destination port classes, and the
  // destination port map stores the port's class.
  template <MapSearch kSearch>
  __attribute__((always_inline)) uint32_t ServiceOf(const Flow& flow) const noexcept {
    return service_[protocol_[flow.protocol] +
                    destination_port_.template Find<kSearch>(flow.destination_port)];
  }
  // The rows after the two address rows.
  template <MapSearch kSearch, RowLayout kLayout>
  __attribute__((always_inline)) void PortRowsOf(const Flow& flow, Rows* rows) const noexcept {
    if constexpr (kLayout == RowLayout::kFiveRows) {
      rows->field[2] = Row(source_port_.template Find<kSearch>(flow.source_port));
      rows->field[3] = Row(destination_port_.template Find<kSearch>(flow.destination_port));
      rows->field[4] = Row(protocol_[flow.protocol]);
    } else if constexpr (kLayout == RowLayout::kSourcePortAndService) {
      rows->field[2] = Row(source_port_.template Find<kSearch>(flow.source_port));
      rows->field[3] = Row(ServiceOf<kSearch>(flow));
    } else {
      rows->field[2] = Row(ServiceOf<kSearch>(flow));
    }
  }
  template <MapSearch kSearch, RowLayout kLayout>
  __attribute__((always_inline)) Rows RowsOf(const Flow& flow) const noexcept {
    Rows rows;
    rows.field[0] = Row(source_.template Find<kSearch>(flow.source));
    rows.field[1] = Row(destination_.template Find<kSearch>(flow.destination));
    PortRowsOf<kSearch, kLayout>(flow, &rows);
    return rows;
  }
  // Prefetches the first block of each row, and the second too with
  // both_blocks_. A protocol row of kFiveRows is left out, because a table
  // has few protocol classes and their rows stay cached.
  template <RowLayout kLayout>
  void PrefetchRows(const Rows& rows) const noexcept {
    constexpr int kPrefetched = kLayout == RowLayout::kFiveRows ? 4 : RowCount(kLayout);
    for (int row = 0; row < kPrefetched; ++row) __builtin_prefetch(rows.field[row]);
    if (both_blocks_) {
      for (int row = 0; row < kPrefetched; ++row) __builtin_prefetch(rows.field[row] + 8);
    }
  }
  // Fills rows[i] for flows[i], i < lanes <= kLanes, and prefetches the
  // rows. With staged_ set, it walks the address maps of all lanes level by
  // level, prefetching each lane's next level before using any.
  template <MapSearch kSearch, RowLayout kLayout>
  void FindRows(const Flow* flows, size_t lanes, Rows* rows) const noexcept;
  // LookupBatch with one way of searching the maps and one row layout.
  template <MapSearch kSearch, RowLayout kLayout>
  void Batch(const Flow* flows, size_t count, uint32_t* ranks) const noexcept;

  // The lookups with the AND in AVX-512, AVX2 and portable code. Each is
  // one function with the interval searches inlined into it, because a
  // call per step cost more than the AND of a 1,000-rule row.
  // The AVX-512 and AVX2 lookups search KaryTrees with AVX2 (every CPU
  // with AVX-512F has it).
  template <MapSearch kSearch, RowLayout kLayout>
  __attribute__((target("avx512f"))) uint32_t LookupAvx512(const Flow& flow) const noexcept;
  template <MapSearch kSearch, RowLayout kLayout>
  __attribute__((target("avx2"))) uint32_t LookupAvx2(const Flow& flow) const noexcept;
  template <MapSearch kSearch, RowLayout kLayout>
  uint32_t LookupPortable(const Flow& flow) const noexcept;

  // Writes the rank of the first bit of the AND of rows[i]'s first kRows
  // rows to ranks[i] for i < lanes.
  template <int kRows>
  __attribute__((target("avx512f"))) void RanksAvx512(const Rows* rows, size_t lanes,
                                                      uint32_t* ranks) const noexcept;
  template <int kRows>
  __attribute__((target("avx2"))) void RanksAvx2(const Rows* rows, size_t lanes,
                                                 uint32_t* ranks) const noexcept;
  template <int kRows>
  void RanksPortable(const Rows* rows, size_t lanes, uint32_t* ranks) const noexcept;

  // Builds the engine with exactly the options given, without Build's
  // second try.
  bool BuildWith(const std::vector<RankedRule>& rules, const BitVectorOptions& options);

  // Points lookup_ and batch_ at the functions for and_, the maps' search
  // and layout_.
  void SelectLookups();
  template <MapSearch kSearch, RowLayout kLayout>
  void SelectLookupsFor();

  IntervalMap<Address> source_;
  IntervalMap<Address> destination_;
  IntervalMap<uint16_t> source_port_;
  IntervalMap<uint16_t> destination_port_;
  // With kFiveRows, the row offset of each protocol number. Otherwise the
  // protocol's class times the number of destination port classes, the
  // first index of its entries in service_.
  uint32_t protocol_[256] = {};
  // The row offset of each pair of protocol and destination port classes.
  // Empty with kFiveRows.
  std::vector<uint32_t> service_;

  // Words per row: the rule count rounded up to whole 512-bit blocks, or 0
  // when the engine has no rules.
  size_t words_ = 0;
  size_t rule_count_ = 0;
  // Every row of every field that a lookup reads. Rows start at
  // pool_offset_, which aligns them to 64 bytes.
  std::vector<uint64_t> pool_;
  size_t pool_offset_ = 0;
  // Distinct rows stored per field. Service rows count under kProtocol.
  size_t class_count_[kFields] = {};
  // The first row of the first field in pool_.
  const uint64_t* rows_ = nullptr;
  // The rank of each bit: ranks_[i] is rule i's position in priority order.
  // Empty when every rule's rank is its bit.
  std::vector<uint32_t> ranks_;
  BitVectorAnd and_ = BitVectorAnd::kPortable;
  RowLayout layout_ = RowLayout::kFiveRows;
  LookupFunction lookup_ = &BitVectorSpace::LookupPortable<MapSearch::kTrie, RowLayout::kFiveRows>;
  BatchFunction batch_ = &BitVectorSpace::Batch<MapSearch::kTrie, RowLayout::kFiveRows>;
  // Set when a port or address map uses a KaryTree.
  bool trees_ = false;
  // Set when the rows have two 512-bit blocks and the engine takes at most
  // BitVectorOptions::both_blocks_max_bytes. The AVX2 lookups then AND both
  // blocks before one branch, in place of a branch on whether the first
  // block contains the match, and batches prefetch both lines of each row.
  // On ClassBench's acl1_1k, 69% of the trace's flows match in the second
  // block, so that branch is often mispredicted. Larger engines, such as
  // the NSG-shaped set's (2.3 MB), keep the branch: their second blocks are
  // less often cached, and ANDing both made that set no faster.
  bool both_blocks_ = false;
  // Set when the address maps are too large to stay in the L2 cache, where
  // staging the batch lookup pays for its bookkeeping.
  bool staged_ = false;
};

extern template class BitVectorSpace<Ipv4Family>;
extern template class BitVectorSpace<Ipv6Family>;

}  // namespace portcullis::nsg::internal

#endif  // PORTCULLIS_NSG_INTERNAL_BIT_VECTOR_SPACE_H_
