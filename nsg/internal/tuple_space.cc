#include "nsg/internal/tuple_space.h"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "nsg/internal/x86_simd.h"

namespace portcullis::nsg::internal {

namespace {

// Rounds a prefix length down to the family's relaxation step.
int Relax(int length, int step) { return length - length % step; }

// Returns the number of leading bits shared by every port in [first, last].
int PortPrefixLength(uint16_t first, uint16_t last) {
  const uint32_t differing = uint32_t{first} ^ last;
  return differing == 0 ? 16 : __builtin_clz(differing) - 16;
}

uint16_t PortMask(int length) {
  return static_cast<uint16_t>(0xFFFF0000u >> length);
}


size_t NextPowerOfTwo(size_t n) {
  size_t power = 2;
  while (power < n) power <<= 1;
  return power;
}

// Load factors of the tables' slots, chosen by the size of the whole tuple
// space. By the standard estimate for linear probing, a hit reads
// (1 + 1 / (1 - load)) / 2 slots on average: 1.5 at load 0.5 and 3 at load
// 0.8 (the filter keeps most misses away from the slots). Small tuple
// spaces sit in the L2 or L3 cache, where the longer probes cost more than
// the smaller arrays save: load 0.8 made lookups on the 10k-rule ClassBench
// sets 6 to 8% slower than 0.5. Large ones wait on cache and TLB misses. At
// load 0.8 their slots take 3.7 to 4.0 MB on the 100k-rule sets, against 7
// to 11 MB with power-of-two tables. On a 2 GHz AMD EPYC (512 KiB L2, 8 MiB
// L3), single lookups on acl1_100k were about 10% faster than with those
// tables and ipc1_100k's were no faster. Interleaved batches were 5 to 15%
// slower, because their probes walk further.
constexpr double kSparseLoad = 0.5;
constexpr double kDenseLoad = 0.8;

// Returns the slot count for `groups` groups at `load`: at least one slot
// stays empty, which ends every probe sequence.
size_t SlotCount(size_t groups, double load) {
  return std::max(groups + 1, static_cast<size_t>(groups / load) + 1);
}

size_t NextSlot(size_t slot, size_t slot_count) {
  return slot + 1 == slot_count ? 0 : slot + 1;
}

int Log2(size_t power_of_two) {
  int log = 0;
  while ((size_t{1} << log) < power_of_two) ++log;
  return log;
}

// The IPv4 tables' hash parameters, one 64-bit lane per table.
struct LaneTables {
  const uint64_t* source_mask;
  const uint64_t* destination_mask;
  const uint64_t* extra_mask;
  const uint64_t* filter_begin;
  const uint64_t* filter_shift;
  const uint64_t* filters;
};

// Computes Ipv4Family::Hash of the flow for tables [base, base + 8) into
// `hashes`, gathers their filter words, and returns a bit mask of the
// tables whose filter bit is set. A separate function so that only it is
// compiled for AVX-512; callers check the CPU first.
__attribute__((target("avx512f,avx512dq"))) unsigned FilterEightTables(
    const LaneTables& lanes, size_t base, uint32_t source, uint32_t destination,
    uint64_t extra, uint64_t* hashes) {
  const __m512i source_key = _mm512_and_si512(
      _mm512_set1_epi64(source), _mm512_loadu_si512(lanes.source_mask + base));
  const __m512i destination_key = _mm512_and_si512(
      _mm512_set1_epi64(destination), _mm512_loadu_si512(lanes.destination_mask + base));
  const __m512i extra_key = _mm512_and_si512(
      _mm512_set1_epi64(static_cast<long long>(extra)),
      _mm512_loadu_si512(lanes.extra_mask + base));
  const __m512i key = _mm512_xor_si512(
      _mm512_or_si512(_mm512_slli_epi64(source_key, 32), destination_key),
      _mm512_mullo_epi64(extra_key,
                         _mm512_set1_epi64(static_cast<long long>(0x9E3779B97F4A7C15u))));
  const __m512i hash =
      _mm512_mullo_epi64(key, _mm512_set1_epi64(static_cast<long long>(0xD6E8FEB86659FD93u)));
  _mm512_store_si512(hashes, hash);

  const __m512i bit = _mm512_srlv_epi64(hash, _mm512_loadu_si512(lanes.filter_shift + base));
  const __m512i word_index = _mm512_add_epi64(_mm512_loadu_si512(lanes.filter_begin + base),
                                              _mm512_srli_epi64(bit, 6));
  const __m512i words = _mm512_i64gather_epi64(word_index, lanes.filters, 8);
  const __m512i passed = _mm512_and_si512(
      _mm512_srlv_epi64(words, _mm512_and_si512(bit, _mm512_set1_epi64(63))),
      _mm512_set1_epi64(1));
  return _mm512_test_epi64_mask(passed, passed);
}

}  // namespace

// A table while the tuple space is built: its tuple and its groups of entry
// positions keyed by the masked fields.
template <typename Family>
struct TupleSpace<Family>::BuildTable {
  struct Key {
    Address source;
    Address destination;
    uint64_t extra;
    friend bool operator==(const Key& a, const Key& b) {
      return a.source == b.source && a.destination == b.destination &&
             a.extra == b.extra;
    }
  };
  struct KeyHash {
    size_t operator()(const Key& key) const {
      uint64_t hash = Family::Hash(key.source, key.destination, key.extra);
      return static_cast<size_t>(hash ^ (hash >> 29));
    }
  };

  Shape shape;
  uint64_t extra_mask = 0;
  uint32_t best_rank = kNoRank;
  std::vector<Key> keys;  // in order of first use, for a stable layout
  absl::flat_hash_map<Key, std::vector<uint32_t>, KeyHash> groups;

  bool Accepts(const Shape& entry) const {
    return shape.source_length <= entry.source_length &&
           shape.destination_length <= entry.destination_length &&
           shape.source_port_length <= entry.source_port_length &&
           shape.destination_port_length <= entry.destination_port_length &&
           (shape.protocol_mask & ~entry.protocol_mask) == 0;
  }

  Key KeyOf(const Entry& entry) const {
    return Key{entry.source & Family::Mask(shape.source_length),
               entry.destination & Family::Mask(shape.destination_length),
               PortsAndProtocol(entry.source_port_first,
                                entry.destination_port_first, entry.protocol) &
                   extra_mask};
  }

  // Adds entry `position` to its group unless the group already has
  // `limit` entries.
  bool TryAdd(const Entry& entry, uint32_t position, size_t limit) {
    const Key key = KeyOf(entry);
    auto [it, inserted] = groups.try_emplace(key);
    if (inserted) {
      keys.push_back(key);
    } else if (it->second.size() >= limit) {
      return false;
    }
    it->second.push_back(position);
    best_rank = std::min(best_rank, entry.rank);
    return true;
  }
};

template <typename Family>
uint32_t TupleSpace<Family>::AddRanges(const std::vector<Cidr>& cidrs) {
  std::vector<Range> ranges;
  ranges.reserve(cidrs.size());
  for (const Cidr& cidr : cidrs) {
    ranges.push_back(Range{cidr.address, Family::Last(cidr)});
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const Range& a, const Range& b) { return a.first < b.first; });

  const uint32_t begin = static_cast<uint32_t>(ranges_.size());
  for (const Range& range : ranges) {
    if (ranges_.size() > begin) {
      Range& last = ranges_.back();
      // Merge overlapping or adjacent ranges. last.last + 1 cannot wrap
      // here unless last.last is the top address, which covers everything.
      if (last.last == ~Address(0) || range.first <= last.last + 1) {
        last.last = std::max(last.last, range.last);
        continue;
      }
    }
    ranges_.push_back(range);
  }
  return begin;
}

template <typename Family>
void TupleSpace<Family>::ExpandRule(const RankedRule& ranked,
                                    const TupleSpaceOptions& options,
                                    std::vector<Entry>* entries) {
  const TableRule& rule = *ranked.rule;
  const std::vector<Cidr>& sources = Family::Sources(rule);
  const std::vector<Cidr>& destinations = Family::Destinations(rule);
  if (sources.empty() || destinations.empty() || rule.source_ports.empty() ||
      rule.destination_ports.empty()) {
    return;  // The rule matches no flow of this family.
  }

  Entry base;
  base.rank = ranked.rank;
  if (rule.protocol.has_value()) {
    base.protocol = *rule.protocol;
    base.protocol_mask = 0xff;
  }

  SetRecord record;
  bool needs_record = false;
  if (rule.source_ports.size() == 1) {
    base.source_port_first = rule.source_ports[0].first;
    base.source_port_last = rule.source_ports[0].last;
  } else {
    record.source_ports_begin = static_cast<uint32_t>(ports_.size());
    ports_.insert(ports_.end(), rule.source_ports.begin(),
                  rule.source_ports.end());
    record.source_ports_end = static_cast<uint32_t>(ports_.size());
    needs_record = true;
  }
  if (rule.destination_ports.size() == 1) {
    base.destination_port_first = rule.destination_ports[0].first;
    base.destination_port_last = rule.destination_ports[0].last;
  } else {
    record.destination_ports_begin = static_cast<uint32_t>(ports_.size());
    ports_.insert(ports_.end(), rule.destination_ports.begin(),
                  rule.destination_ports.end());
    record.destination_ports_end = static_cast<uint32_t>(ports_.size());
    needs_record = true;
  }

  const size_t product = sources.size() * destinations.size();
  const bool cross = product <= static_cast<size_t>(options.max_cross_product) ||
                     product <= sources.size() + destinations.size();
  // Index the larger set: its prefixes spread over more hash keys, and the
  // smaller set makes the shorter range list to search.
  const bool index_sources = sources.size() >= destinations.size();
  if (!cross) {
    needs_record = true;
    if (index_sources) {
      record.destination_begin = AddRanges(destinations);
      record.destination_end = static_cast<uint32_t>(ranges_.size());
    } else {
      record.source_begin = AddRanges(sources);
      record.source_end = static_cast<uint32_t>(ranges_.size());
    }
  }
  if (needs_record) {
    base.sets = static_cast<uint32_t>(sets_.size());
    sets_.push_back(record);
  }

  auto add = [&](const Cidr* source, const Cidr* destination) {
    Entry entry = base;
    if (source != nullptr) {
      entry.source = source->address;
      entry.source_length = source->length;
    }
    if (destination != nullptr) {
      entry.destination = destination->address;
      entry.destination_length = destination->length;
    }
    entries->push_back(entry);
  };
  if (cross) {
    for (const Cidr& source : sources) {
      for (const Cidr& destination : destinations) add(&source, &destination);
    }
  } else if (index_sources) {
    for (const Cidr& source : sources) add(&source, nullptr);
  } else {
    for (const Cidr& destination : destinations) add(nullptr, &destination);
  }
}

template <typename Family>
void TupleSpace<Family>::Build(const std::vector<RankedRule>& rules,
                               const TupleSpaceOptions& options) {
  std::vector<Entry> entries;
  for (const RankedRule& ranked : rules) ExpandRule(ranked, options, &entries);
  entry_count_ = entries.size();
  interleave_min_bytes_ = options.interleave_min_bytes;
  dense_min_bytes_ = static_cast<double>(options.dense_min_bytes);
  allow_avx512_ = options.allow_avx512;

  // Place entries in rank order, each in the first compatible table whose
  // group for its key has room, as TupleMerge does.
  std::vector<BuildTable> tables;
  const size_t limit = static_cast<size_t>(std::max(1, options.collision_limit));
  auto find_table = [&](const Shape& shape) -> BuildTable* {
    for (BuildTable& table : tables) {
      if (table.shape == shape) return &table;
    }
    return nullptr;
  };
  for (uint32_t position = 0; position < entries.size(); ++position) {
    const Entry& entry = entries[position];
    Shape exact;
    exact.source_length = entry.source_length;
    exact.destination_length = entry.destination_length;
    exact.source_port_length =
        PortPrefixLength(entry.source_port_first, entry.source_port_last);
    exact.destination_port_length =
        PortPrefixLength(entry.destination_port_first, entry.destination_port_last);
    exact.protocol_mask = entry.protocol_mask;

    bool placed = false;
    for (BuildTable& table : tables) {
      if (table.Accepts(exact) && table.TryAdd(entry, position, limit)) {
        placed = true;
        break;
      }
    }
    if (placed) continue;

    // No room: open a table with the relaxed shape, or with the entry's
    // exact shape when the relaxed one exists and was full. Relaxed shapes
    // leave ports out of the key, because keying on them multiplied the
    // tables on ClassBench sets; exact shapes use them to split groups that
    // share addresses. Entries whose exact keys are equal cannot be told
    // apart by any table, so the exact table takes them past the limit.
    Shape shape;
    shape.source_length = Relax(exact.source_length, Family::kRelaxStep);
    shape.destination_length = Relax(exact.destination_length, Family::kRelaxStep);
    shape.protocol_mask = exact.protocol_mask;
    if (find_table(shape) != nullptr) shape = exact;
    BuildTable* table = find_table(shape);
    if (table == nullptr) {
      tables.emplace_back();
      table = &tables.back();
      table->shape = shape;
      table->extra_mask = PortsAndProtocol(PortMask(shape.source_port_length),
                                           PortMask(shape.destination_port_length),
                                           shape.protocol_mask);
    }
    table->TryAdd(entry, position, std::numeric_limits<size_t>::max());
  }

  LayOut(tables, entries);
}

template <typename Family>
void TupleSpace<Family>::LayOut(std::vector<BuildTable>& tables,
                                const std::vector<Entry>& entries) {
  std::sort(tables.begin(), tables.end(),
            [](const BuildTable& a, const BuildTable& b) {
              return a.best_rank < b.best_rank;
            });

  size_t total_groups = 0;
  for (const BuildTable& table : tables) total_groups += table.groups.size();
  const double sparse_bytes = total_groups * sizeof(Entry) / kSparseLoad;
  const double load = sparse_bytes >= dense_min_bytes_ ? kDenseLoad : kSparseLoad;
  size_t total_slots = 0;
  size_t total_filter_words = 0;
  for (const BuildTable& table : tables) {
    total_slots += SlotCount(table.groups.size(), load);
    total_filter_words += NextPowerOfTwo(16 * table.groups.size()) / 64 + 1;
  }
  // Two empty entries after the last table keep LookupBatch's prefetch of
  // the line after a home slot inside the array.
  slots_.assign(total_slots + 2, Entry{});
  // One more word for the all-zero word of PrepareAvx512's padding lanes.
  filters_.reserve(total_filter_words + 1);
  filters_.assign(total_filter_words, 0);
  tuples_.clear();
  tuples_.reserve(tables.size());

  size_t slot_begin = 0;
  size_t filter_begin = 0;
  for (const BuildTable& table : tables) {
    const size_t slot_count = SlotCount(table.groups.size(), load);
    const size_t filter_bits = std::max<size_t>(64, NextPowerOfTwo(16 * table.groups.size()));
    Tuple tuple;
    tuple.source_mask = Family::Mask(table.shape.source_length);
    tuple.destination_mask = Family::Mask(table.shape.destination_length);
    tuple.extra_mask = table.extra_mask;
    tuple.best_rank = table.best_rank;
    tuple.slot_begin = static_cast<uint32_t>(slot_begin);
    tuple.slot_count = static_cast<uint32_t>(slot_count);
    tuple.filter_begin = static_cast<uint32_t>(filter_begin);
    tuple.filter_shift = static_cast<uint8_t>(64 - Log2(filter_bits));

    Entry* slots = slots_.data() + slot_begin;
    for (const auto& key : table.keys) {
      const std::vector<uint32_t>& group = table.groups.find(key)->second;
      Entry head = entries[group[0]];
      if (group.size() > 1) {
        head.overflow = static_cast<uint32_t>(overflow_.size());
        for (size_t i = 1; i < group.size(); ++i) {
          overflow_.push_back(entries[group[i]]);
        }
        overflow_.push_back(Entry{});  // rank kNoRank ends the run
      }
      const uint64_t hash = Family::Hash(key.source, key.destination, key.extra);
      const uint64_t bit = hash >> tuple.filter_shift;
      filters_[filter_begin + (bit >> 6)] |= uint64_t{1} << (bit & 63);
      size_t slot = HomeSlot(tuple, hash);
      while (slots[slot].rank != kNoRank) slot = NextSlot(slot, slot_count);
      slots[slot] = head;
    }
    tuples_.push_back(tuple);
    slot_begin += slot_count;
    filter_begin += filter_bits / 64;
  }
  PrepareAvx512(allow_avx512_);
  overflow_.shrink_to_fit();
  ranges_.shrink_to_fit();
  ports_.shrink_to_fit();
  sets_.shrink_to_fit();
}

template <typename Family>
bool TupleSpace<Family>::InRanges(const Range* begin, const Range* end,
                                  Address address) {
  // The first range starting after `address`; the one before it is the only
  // candidate.
  const Range* after = std::upper_bound(
      begin, end, address,
      [](const Address& value, const Range& range) { return value < range.first; });
  return after != begin && address <= (after - 1)->last;
}

template <typename Family>
bool TupleSpace<Family>::InPorts(const PortInterval* begin,
                                 const PortInterval* end, uint16_t port) {
  for (const PortInterval* interval = begin; interval != end; ++interval) {
    if (interval->Contains(port)) return true;
  }
  return false;
}

// ScanGroup and FindGroup are inlined into the lookups: as calls, single
// lookups on the 10k ClassBench sets took about 5% longer (73.7 -> 68.6 ns
// on acl1_10k, 2 GHz AMD EPYC). Matches stays a call. GCC 12 kept it out
// of line even with always_inline on this definition. With the attribute
// on its declaration it is inlined, and single lookups got 3 to 7% slower
// (medians of three alternated runs on the same CPU: acl1_10k 70.6
// against 68.2 ns, fw1_10k 60.4 against 56.6, ipc1_10k 74.0 against 70.3).
template <typename Family>
inline bool TupleSpace<Family>::Matches(
    const Entry& entry, const Flow& flow) const {
  if (((flow.source ^ entry.source) & Family::Mask(entry.source_length)) != 0 ||
      ((flow.destination ^ entry.destination) &
       Family::Mask(entry.destination_length)) != 0) {
    return false;
  }
  if ((flow.protocol & entry.protocol_mask) != entry.protocol) return false;
  // Unsigned 16-bit wrap-around turns each interval test into one compare.
  if (static_cast<uint16_t>(flow.source_port - entry.source_port_first) >
          static_cast<uint16_t>(entry.source_port_last -
                                entry.source_port_first) ||
      static_cast<uint16_t>(flow.destination_port -
                            entry.destination_port_first) >
          static_cast<uint16_t>(entry.destination_port_last -
                                entry.destination_port_first)) {
    return false;
  }
  if (entry.sets == kNoIndex) return true;

  const SetRecord& record = sets_[entry.sets];
  const Range* ranges = ranges_.data();
  const PortInterval* ports = ports_.data();
  if (record.source_begin != record.source_end &&
      !InRanges(ranges + record.source_begin, ranges + record.source_end,
                flow.source)) {
    return false;
  }
  if (record.destination_begin != record.destination_end &&
      !InRanges(ranges + record.destination_begin,
                ranges + record.destination_end, flow.destination)) {
    return false;
  }
  if (record.source_ports_begin != record.source_ports_end &&
      !InPorts(ports + record.source_ports_begin,
               ports + record.source_ports_end, flow.source_port)) {
    return false;
  }
  return record.destination_ports_begin == record.destination_ports_end ||
         InPorts(ports + record.destination_ports_begin,
                 ports + record.destination_ports_end, flow.destination_port);
}

template <typename Family>
__attribute__((always_inline)) inline uint32_t TupleSpace<Family>::ScanGroup(
    const Entry& head, const Flow& flow, uint32_t best) const {
  if (head.rank >= best) return best;
  if (Matches(head, flow)) return head.rank;
  if (head.overflow == kNoIndex) return best;
  for (const Entry* entry = overflow_.data() + head.overflow;
       entry->rank < best; ++entry) {
    if (Matches(*entry, flow)) return entry->rank;
  }
  return best;
}

template <typename Family>
uint64_t TupleSpace<Family>::HashOf(const Tuple& tuple, const Flow& flow) {
  const uint64_t extra =
      PortsAndProtocol(flow.source_port, flow.destination_port, flow.protocol);
  return Family::Hash(flow.source & tuple.source_mask,
                      flow.destination & tuple.destination_mask,
                      extra & tuple.extra_mask);
}

template <typename Family>
__attribute__((always_inline)) inline const typename TupleSpace<Family>::Entry*
TupleSpace<Family>::FindGroup(const Tuple& tuple, const Flow& flow,
                              size_t slot) const {
  const Entry* slots = slots_.data() + tuple.slot_begin;
  const Address source = flow.source & tuple.source_mask;
  const Address destination = flow.destination & tuple.destination_mask;
  const uint64_t extra =
      PortsAndProtocol(flow.source_port, flow.destination_port, flow.protocol) &
      tuple.extra_mask;
  for (;;) {
    const Entry& entry = slots[slot];
    if (entry.rank == kNoRank) return nullptr;
    const uint64_t entry_extra = PortsAndProtocol(entry.source_port_first,
                                                  entry.destination_port_first,
                                                  entry.protocol);
    if ((entry.source & tuple.source_mask) == source &&
        (entry.destination & tuple.destination_mask) == destination &&
        (entry_extra & tuple.extra_mask) == extra) {
      return &entry;
    }
    slot = NextSlot(slot, tuple.slot_count);
  }
}

template <typename Family>
void TupleSpace<Family>::PrepareAvx512(bool allow) {
  if constexpr (std::is_same_v<Family, Ipv4Family>) {
    __builtin_cpu_init();
    use_avx512_ = allow && __builtin_cpu_supports("avx512f") &&
                  __builtin_cpu_supports("avx512dq") && !tuples_.empty();
    if (!use_avx512_) return;
    const size_t lanes = (tuples_.size() + 7) / 8 * 8;
    const uint64_t zero_word = filters_.size();
    filters_.push_back(0);
    lane_source_mask_.assign(lanes, 0);
    lane_destination_mask_.assign(lanes, 0);
    lane_extra_mask_.assign(lanes, 0);
    lane_filter_begin_.assign(lanes, zero_word);
    lane_filter_shift_.assign(lanes, 63);
    for (size_t i = 0; i < tuples_.size(); ++i) {
      lane_source_mask_[i] = tuples_[i].source_mask;
      lane_destination_mask_[i] = tuples_[i].destination_mask;
      lane_extra_mask_[i] = tuples_[i].extra_mask;
      lane_filter_begin_[i] = tuples_[i].filter_begin;
      lane_filter_shift_[i] = tuples_[i].filter_shift;
    }
  }
}

template <typename Family>
uint32_t TupleSpace<Family>::LookupAvx512(const Flow& flow) const noexcept {
  uint32_t best = kNoRank;
  if constexpr (std::is_same_v<Family, Ipv4Family>) {
    const LaneTables lanes{lane_source_mask_.data(),  lane_destination_mask_.data(),
                           lane_extra_mask_.data(),   lane_filter_begin_.data(),
                           lane_filter_shift_.data(), filters_.data()};
    const uint64_t extra =
        PortsAndProtocol(flow.source_port, flow.destination_port, flow.protocol);
    alignas(64) uint64_t hashes[8];
    for (size_t base = 0; base < tuples_.size(); base += 8) {
      if (tuples_[base].best_rank >= best) break;  // no later table can do better
      unsigned passed = FilterEightTables(lanes, base, flow.source, flow.destination, extra,
                                          hashes);
      while (passed != 0) {
        const size_t index = base + static_cast<size_t>(__builtin_ctz(passed));
        passed &= passed - 1;
        const Tuple& tuple = tuples_[index];
        if (tuple.best_rank >= best) return best;
        const Entry* head =
            FindGroup(tuple, flow, HomeSlot(tuple, hashes[index - base]));
        if (head != nullptr) best = ScanGroup(*head, flow, best);
      }
    }
  }
  return best;
}

template <typename Family>
uint32_t TupleSpace<Family>::Lookup(const Flow& flow) const noexcept {
  if (use_avx512_) return LookupAvx512(flow);
  uint32_t best = kNoRank;
  for (const Tuple& tuple : tuples_) {
    if (tuple.best_rank >= best) break;  // no later table can do better
    const uint64_t hash = HashOf(tuple, flow);
    if (!FilterPasses(tuple, hash)) continue;
    const Entry* head = FindGroup(tuple, flow, HomeSlot(tuple, hash));
    if (head != nullptr) best = ScanGroup(*head, flow, best);
  }
  return best;
}

template <typename Family>
void TupleSpace<Family>::LookupBatch(const Flow* flows, size_t count,
                                     uint32_t* ranks) const noexcept {
  if (slots_.size() * sizeof(Entry) < interleave_min_bytes_) {
    for (size_t i = 0; i < count; ++i) ranks[i] = Lookup(flows[i]);
    return;
  }
  for (size_t base = 0; base < count; base += kLanes) {
    const size_t lanes = std::min(kLanes, count - base);
    const Flow* lane_flows = flows + base;
    uint32_t best[kLanes];
    uint32_t slot[kLanes];
    uint8_t probe_lane[kLanes];
    std::fill(best, best + lanes, kNoRank);

    for (const Tuple& tuple : tuples_) {
      // Hash every lane that can still improve, test the filter, and
      // prefetch the slots of the lanes that pass, so that their misses are
      // in flight together.
      const Entry* slots = slots_.data() + tuple.slot_begin;
      bool any = false;
      size_t probes = 0;
      for (size_t lane = 0; lane < lanes; ++lane) {
        if (best[lane] <= tuple.best_rank) continue;
        any = true;
        const uint64_t hash = HashOf(tuple, lane_flows[lane]);
        if (!FilterPasses(tuple, hash)) continue;
        slot[probes] = static_cast<uint32_t>(HomeSlot(tuple, hash));
        probe_lane[probes++] = static_cast<uint8_t>(lane);
        // Also the line after the home slot's, where most probe sequences
        // that leave the home slot end.
        __builtin_prefetch(slots + slot[probes - 1]);
        __builtin_prefetch(slots + slot[probes - 1] + 2);
      }
      if (!any) break;  // tables are sorted, so no later one helps either

      for (size_t i = 0; i < probes; ++i) {
        const size_t lane = probe_lane[i];
        const Entry* head = FindGroup(tuple, lane_flows[lane], slot[i]);
        if (head != nullptr) {
          best[lane] = ScanGroup(*head, lane_flows[lane], best[lane]);
        }
      }
    }
    std::copy(best, best + lanes, ranks + base);
  }
}

template <typename Family>
size_t TupleSpace<Family>::memory_bytes() const {
  return tuples_.capacity() * sizeof(Tuple) + slots_.capacity() * sizeof(Entry) +
         filters_.capacity() * sizeof(uint64_t) +
         5 * lane_source_mask_.capacity() * sizeof(uint64_t) +
         overflow_.capacity() * sizeof(Entry) +
         sets_.capacity() * sizeof(SetRecord) +
         ranges_.capacity() * sizeof(Range) +
         ports_.capacity() * sizeof(PortInterval);
}

template class TupleSpace<Ipv4Family>;
template class TupleSpace<Ipv6Family>;

}  // namespace portcullis::nsg::internal
