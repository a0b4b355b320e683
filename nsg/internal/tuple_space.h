// The compiled tuple space behind Classifier: TupleMerge over one address
// family. Private to //nsg; the public face is nsg/classifier.h.
//
// The method follows TupleMerge (J. Daly, V. Bruschi, L. Linguaglossa,
// S. Pontarelli, D. Rossi, J. Tollet, E. Torng, A. Yourtchenko, "TupleMerge:
// Fast Software Packet Processing for Online Packet Classification",
// IEEE/ACM Transactions on Networking 27(4), 2019), itself a refinement of
// Tuple Space Search (Srinivasan, Suri, Varghese, SIGCOMM 1999):
//
//   - Every rule entry has a tuple: its source and destination prefix
//     lengths, the prefix lengths of its port ranges (the bits that all
//     ports of the range share, so 16 for a single port) and whether its
//     protocol is exact. Tuple Space Search keeps one
//     hash table per distinct tuple. TupleMerge lets an entry join a table
//     whose tuple is shorter than its own ("relaxed"), hashing only the
//     table's bits and checking the rest of the entry after the probe, so
//     far fewer tables exist. A group of entries that share a hash key in
//     one table is capped (the collision limit); an entry that would
//     overflow a group goes to another compatible table or opens a new one.
//   - Tables are visited in order of the best (lowest) rank they hold, and a
//     lookup stops as soon as the best match found so far outranks every
//     table still to visit.
//
//   tuples_ (sorted by best_rank)     slots_ (open addressing, per table)
//   +--------------------------+      +------------------------------+
//   | /24 /32 proto  best=0    |----->| entry: rank 0 | overflow: -  |
//   | /16 /16 any    best=3    |--+   | (empty)                      |
//   | /0  /8  proto  best=17   |  |   | entry: rank 9 | overflow: 4 -+--> rank 12, rank 40, end
//   +--------------------------+  +-->| ...                          |
//
// Departures from the paper, each for the NSG use:
//   - A group's best entry is stored inline in its hash slot, so a probe that
//     decides costs one cache line per table.
//   - Tables use linear probing at a load factor of 0.5, or 0.8 once the
//     slots would take megabytes (ClassifierOptions::dense_slots_min_bytes),
//     so large rule sets need about half the memory of power-of-two tables.
//   - Each table has a filter of 16 bits per group, tested before the slots:
//     most tables hold no candidate for a given flow, and the filter turns
//     their probes into loads from a few kilobytes of cache. On CPUs with
//     AVX-512, IPv4 lookups hash the flow for 8 tables at once and gather
//     their filter words in one instruction, then probe only the tables
//     whose filter passed.
//     An AVX2 version of that step (4 tables, 64-bit multiplies built from
//     32-bit ones) was 1.4 to 2 times slower than the scalar loop on a
//     2 GHz AMD EPYC, in one run under load. CPUs without AVX-512 therefore
//     test one table at a time.
//   - Port ranges are never expanded into prefixes: a range joins the key
//     only through the leading bits all its ports share, and is checked on
//     the entry in full.
//   - Augmented rules (sets of prefixes and ports) are not expanded into
//     their cross product. A rule whose source and destination sets would
//     multiply past kMaxCrossProduct entries is indexed by its smaller
//     address set only, and the other set becomes a sorted range list
//     checked by binary search. Port sets with more than one interval are
//     checked on a per-rule list. Memory thus grows with the number of
//     prefixes and intervals, not with their product.
//   - The classifier is compiled once from the whole table (the paper's
//     offline variant); small changes go through the overlay of
//     publisher.h instead of in-place updates, so lookups never see a
//     half-updated table.
//
// Lookups are noexcept, allocate nothing and only read.
#ifndef PORTCULLIS_NSG_INTERNAL_TUPLE_SPACE_H_
#define PORTCULLIS_NSG_INTERNAL_TUPLE_SPACE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"
#include "nsg/rule_table.h"

namespace portcullis::nsg::internal {

inline constexpr uint32_t kNoRank = std::numeric_limits<uint32_t>::max();
inline constexpr uint32_t kNoIndex = std::numeric_limits<uint32_t>::max();

// Address-family traits: IPv4 keys fit one 64-bit word, IPv6 keys fold.
struct Ipv4Family {
  using Address = uint32_t;
  using Cidr = Ipv4Cidr;
  using Flow = FlowV4;
  static constexpr int kBits = 32;
  // New tables round prefix lengths down to a multiple of this. Steps of 4
  // and 8 made 1.5 to 2 times as many tables on the ClassBench sets and
  // slower lookups; 16 gave the fewest tables.
  static constexpr int kRelaxStep = 16;

  static Address Mask(int length) {
    return static_cast<uint32_t>(~uint64_t{0} << (32 - length));
  }
  static Address Last(const Cidr& cidr) {
    return cidr.address | ~Mask(cidr.length);
  }
  // `extra` packs the ports and protocol (see PortsAndProtocol).
  static uint64_t Hash(Address source, Address destination, uint64_t extra) {
    uint64_t key = (uint64_t{source} << 32) | destination;
    key ^= extra * 0x9E3779B97F4A7C15u;
    return key * 0xD6E8FEB86659FD93u;
  }
  static const std::vector<Cidr>& Sources(const TableRule& rule) {
    return rule.source_v4;
  }
  static const std::vector<Cidr>& Destinations(const TableRule& rule) {
    return rule.destination_v4;
  }
};

struct Ipv6Family {
  using Address = absl::uint128;
  using Cidr = Ipv6Cidr;
  using Flow = FlowV6;
  static constexpr int kBits = 128;
  static constexpr int kRelaxStep = 16;

  static Address Mask(int length) { return Ipv6Mask(length); }
  static Address Last(const Cidr& cidr) {
    return cidr.address | ~Mask(cidr.length);
  }
  static uint64_t Hash(Address source, Address destination, uint64_t extra) {
    uint64_t key = absl::Uint128Low64(source) * 0x9E3779B97F4A7C15u;
    key ^= absl::Uint128High64(source) * 0xC2B2AE3D27D4EB4Fu;
    key ^= absl::Uint128Low64(destination) * 0x165667B19E3779F9u;
    key ^= absl::Uint128High64(destination) * 0x27D4EB2F165667C5u;
    key ^= extra * 0x94D049BB133111EBu;
    key ^= key >> 31;
    return key * 0xD6E8FEB86659FD93u;
  }
  static const std::vector<Cidr>& Sources(const TableRule& rule) {
    return rule.source_v6;
  }
  static const std::vector<Cidr>& Destinations(const TableRule& rule) {
    return rule.destination_v6;
  }
};

// Packs a source port, destination port and protocol into one word, so a
// table's key and masks cover them with one AND.
inline uint64_t PortsAndProtocol(uint16_t source_port, uint16_t destination_port,
                                 uint8_t protocol) {
  return (uint64_t{source_port} << 32) | (uint64_t{destination_port} << 16) |
         protocol;
}

// A rule's fields that did not fit inline in its entries: an address set
// indexed on the other side, or a port set of more than one interval. Each
// [begin, end) names a run in the classifier's range arrays; begin == end
// means the field is checked inline instead.
struct SetRecord {
  uint32_t source_begin = 0;
  uint32_t source_end = 0;
  uint32_t destination_begin = 0;
  uint32_t destination_end = 0;
  uint32_t source_ports_begin = 0;
  uint32_t source_ports_end = 0;
  uint32_t destination_ports_begin = 0;
  uint32_t destination_ports_end = 0;
};

struct TupleSpaceOptions {
  // Maximum entries sharing one hash key in a relaxed table.
  int collision_limit = 24;
  // A rule with source and destination sets whose product is at most this
  // (or at most their sum) is expanded into one entry per pair.
  int max_cross_product = 16;
  // See ClassifierOptions::interleave_min_bytes.
  size_t interleave_min_bytes = size_t{2} << 20;
  // See ClassifierOptions::dense_slots_min_bytes.
  size_t dense_min_bytes = size_t{2} << 20;
  // See ClassifierOptions::allow_avx512.
  bool allow_avx512 = true;
};

template <typename Family>
class TupleSpace {
 public:
  using Address = typename Family::Address;
  using Cidr = typename Family::Cidr;
  using Flow = typename Family::Flow;

  // One rule of the family: its position in priority order and its fields.
  // Rules must come in increasing rank.
  struct RankedRule {
    uint32_t rank;
    const TableRule* rule;
  };

  void Build(const std::vector<RankedRule>& rules,
             const TupleSpaceOptions& options);

  // Returns the best (lowest) rank matching `flow`, or kNoRank.
  uint32_t Lookup(const Flow& flow) const noexcept;

  // Writes the best rank of flows[i] to ranks[i] for i < count, working on
  // up to kLanes flows at once so their memory accesses overlap.
  void LookupBatch(const Flow* flows, size_t count,
                   uint32_t* ranks) const noexcept;

  static constexpr size_t kLanes = 16;

  size_t memory_bytes() const;
  size_t table_count() const { return tuples_.size(); }
  size_t entry_count() const { return entry_count_; }
  bool empty() const { return tuples_.empty(); }

 private:
  // One rule entry: a single (source, destination) prefix pair of a rule.
  // In a hash slot it is the best entry of its group, and `overflow` points
  // at the group's other entries in overflow_, ended by an entry whose rank
  // is kNoRank. A slot whose rank is kNoRank is empty.
  struct Entry {
    Address source = 0;
    Address destination = 0;
    uint16_t source_port_first = 0;
    uint16_t source_port_last = 65535;
    uint16_t destination_port_first = 0;
    uint16_t destination_port_last = 65535;
    uint32_t rank = kNoRank;
    uint8_t source_length = 0;
    uint8_t destination_length = 0;
    uint8_t protocol = 0;
    uint8_t protocol_mask = 0;
    uint32_t sets = kNoIndex;
    uint32_t overflow = kNoIndex;
  };

  // One hash table of the tuple space.
  struct Tuple {
    Address source_mask;
    Address destination_mask;
    // PortsAndProtocol of the port and protocol masks.
    uint64_t extra_mask;
    uint32_t best_rank;
    uint32_t slot_begin;
    // Slots of the table: any count, not only a power of two, so that the
    // load factor can be chosen (see HomeSlot).
    uint32_t slot_count;
    uint32_t filter_begin;  // first word of the table's filter in filters_
    uint8_t filter_shift;   // hash >> filter_shift is the filter bit
  };

  struct Range {
    Address first;
    Address last;
  };

  // The prefix lengths a table hashes on, or the longest an entry allows.
  struct Shape {
    int source_length = 0;
    int destination_length = 0;
    int source_port_length = 0;
    int destination_port_length = 0;
    uint8_t protocol_mask = 0;
    friend bool operator==(const Shape& a, const Shape& b) {
      return a.source_length == b.source_length &&
             a.destination_length == b.destination_length &&
             a.source_port_length == b.source_port_length &&
             a.destination_port_length == b.destination_port_length &&
             a.protocol_mask == b.protocol_mask;
    }
  };

  struct BuildTable;

  static bool InRanges(const Range* begin, const Range* end, Address address);
  static bool InPorts(const PortInterval* begin, const PortInterval* end,
                      uint16_t port);

  bool Matches(const Entry& entry, const Flow& flow) const;
  // Returns the better of `best` and the best matching entry of the group
  // whose slot is `head`.
  uint32_t ScanGroup(const Entry& head, const Flow& flow, uint32_t best) const;
  const Entry* FindGroup(const Tuple& tuple, const Flow& flow,
                         size_t slot) const;
  static uint64_t HashOf(const Tuple& tuple, const Flow& flow);
  // Maps the top 32 bits of `hash` onto [0, slot_count): their product
  // with slot_count, shifted right by 32. Unlike a mask, this works for
  // any table size.
  static size_t HomeSlot(const Tuple& tuple, uint64_t hash) {
    return static_cast<size_t>(((hash >> 32) * tuple.slot_count) >> 32);
  }
  // False when no group of the table can have the key behind `hash`.
  bool FilterPasses(const Tuple& tuple, uint64_t hash) const {
    const uint64_t bit = hash >> tuple.filter_shift;
    return (filters_[tuple.filter_begin + (bit >> 6)] >> (bit & 63)) & 1;
  }

  void ExpandRule(const RankedRule& ranked, const TupleSpaceOptions& options,
                  std::vector<Entry>* entries);
  uint32_t AddRanges(const std::vector<Cidr>& cidrs);
  void LayOut(std::vector<BuildTable>& tables,
              const std::vector<Entry>& entries);

  std::vector<Tuple> tuples_;
  std::vector<Entry> slots_;
  // Per table, one bit per hash prefix: a bit is set when some group's key
  // hashes to it. Lookups test it before touching the slots, so a table
  // without a candidate costs a load from this small array (2 bytes per
  // group, so it stays in cache) instead of a slot that may miss.
  std::vector<uint64_t> filters_;
  std::vector<Entry> overflow_;
  std::vector<SetRecord> sets_;
  std::vector<Range> ranges_;
  std::vector<PortInterval> ports_;
  size_t entry_count_ = 0;
  size_t interleave_min_bytes_ = 0;
  double dense_min_bytes_ = 0;

  // The tables' hash parameters as arrays of 64-bit lanes, padded to a
  // multiple of 8, for LookupAvx512. Filled for IPv4 on CPUs with
  // AVX-512F and AVX-512DQ; padding lanes read an all-zero filter word.
  void PrepareAvx512(bool allow);
  uint32_t LookupAvx512(const Flow& flow) const noexcept;
  bool allow_avx512_ = true;
  bool use_avx512_ = false;
  std::vector<uint64_t> lane_source_mask_;
  std::vector<uint64_t> lane_destination_mask_;
  std::vector<uint64_t> lane_extra_mask_;
  std::vector<uint64_t> lane_filter_begin_;
  std::vector<uint64_t> lane_filter_shift_;
};

extern template class TupleSpace<Ipv4Family>;
extern template class TupleSpace<Ipv6Family>;

}  // namespace portcullis::nsg::internal

#endif  // PORTCULLIS_NSG_INTERNAL_TUPLE_SPACE_H_
