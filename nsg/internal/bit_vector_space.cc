#include "nsg/internal/bit_vector_space.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "nsg/internal/x86_simd.h"

namespace portcullis::nsg::internal {

namespace {

constexpr uint32_t kNoClass = std::numeric_limits<uint32_t>::max();
constexpr size_t kMaxClasses = size_t{1} << 16;
// Caps on an interval map's root table: 256 KiB of entries for an address
// field, 16 KiB for a port.
constexpr size_t kMaxAddressBuckets = size_t{1} << 16;
constexpr size_t kMaxPortBuckets = size_t{1} << 12;
constexpr size_t kBlockWords = 8;  // 512 bits

// The deepest KaryTree an IPv4 map (up to 4,624 intervals) and a port map
// (up to 1,056 intervals) use; larger maps use their trie. On a 2 GHz AMD
// EPYC (Zen 1), port trees of three levels made the NSG-shaped set's
// lookups slower than the trie's single root step. IPv4 trees of four
// levels took 82 against 72 ns per single lookup on that set.
constexpr int kMaxAddressTreeDepth = 3;
constexpr int kMaxPortTreeDepth = 2;

// The largest table of protocol classes times destination port classes
// that service rows may use (64 KiB of row offsets).
constexpr size_t kMaxServiceEntries = size_t{1} << 14;

// Batch lookups stage the address maps from this size on (see staged_).
constexpr size_t kStagedMinBytes = size_t{512} << 10;

// A rule entering (delta +1) or leaving (delta -1) a field's value range
// at `at`.
template <typename Key>
struct Event {
  Key at;
  uint32_t rule;
  int32_t delta;
};

// A per-rule random word (the splitmix64 finalizer of the rule number). The
// XOR of the words of a rule set is the set's hash, updated in O(1) as
// rules enter and leave it.
uint64_t RuleHash(uint32_t rule) {
  uint64_t x = uint64_t{rule} + 0x9E3779B97F4A7C15u;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
  return x ^ (x >> 31);
}

int BitLength(uint16_t value) { return value == 0 ? 0 : 32 - __builtin_clz(value); }
int BitLength(uint32_t value) { return value == 0 ? 0 : 32 - __builtin_clz(value); }
int BitLength(absl::uint128 value) {
  const uint64_t high = absl::Uint128High64(value);
  const uint64_t low = absl::Uint128Low64(value);
  if (high != 0) return 128 - __builtin_clzll(high);
  return low == 0 ? 0 : 64 - __builtin_clzll(low);
}

// Returns the last key of the slice of 2^shift keys that starts at
// `first`. The last slice of a map may reach past the largest key, so the
// sum saturates there instead of wrapping.
template <typename Key>
Key SliceLast(Key first, int shift) {
  const Key width_less_one = static_cast<Key>((Key(1) << shift) - 1);
  const Key room = static_cast<Key>(std::numeric_limits<Key>::max() - first);
  return room < width_less_one ? std::numeric_limits<Key>::max()
                               : static_cast<Key>(first + width_less_one);
}

// One field's distinct rows while the engine is built.
class RowSet {
 public:
  RowSet(size_t rule_count, size_t words, size_t max_words)
      : counts_(rule_count, 0), current_(words, 0), words_(words), max_words_(max_words) {}

  void Apply(uint32_t rule, int32_t delta) {
    const uint32_t before = counts_[rule];
    counts_[rule] = static_cast<uint32_t>(static_cast<int64_t>(before) + delta);
    if ((before == 0) != (counts_[rule] == 0)) {
      current_[rule / 64] ^= uint64_t{1} << (rule % 64);
      hash_ ^= RuleHash(rule);
    }
  }

  // Returns the class id of the current rule set, adding a row for it when
  // it is new, or kNoClass when a new row would pass the limits.
  uint32_t CurrentClass() { return Intern(current_.data(), hash_); }

  // Returns the class id of `row` (words_ words), whose hash is `hash`,
  // adding it when it is new, or kNoClass when it would pass the limits.
  // All rows of one RowSet must be hashed the same way.
  uint32_t Intern(const uint64_t* row, uint64_t hash) {
    auto [it, inserted] = first_with_hash_.try_emplace(hash, kNoClass);
    for (uint32_t id = it->second; id != kNoClass; id = next_with_hash_[id]) {
      if (std::equal(row, row + words_, rows_.begin() + size_t{id} * words_)) return id;
    }
    const size_t id = next_with_hash_.size();
    if (id >= kMaxClasses || (id + 1) * words_ > max_words_) return kNoClass;
    next_with_hash_.push_back(it->second);
    it->second = static_cast<uint32_t>(id);
    rows_.insert(rows_.end(), row, row + words_);
    return static_cast<uint32_t>(id);
  }

  size_t class_count() const { return next_with_hash_.size(); }
  const std::vector<uint64_t>& rows() const { return rows_; }
  std::vector<uint64_t> TakeRows() { return std::move(rows_); }

 private:
  std::vector<uint32_t> counts_;
  std::vector<uint64_t> current_;
  uint64_t hash_ = 0;
  size_t words_;
  size_t max_words_;
  std::vector<uint64_t> rows_;
  // Classes chained by the hash of their rule set.
  absl::flat_hash_map<uint64_t, uint32_t> first_with_hash_;
  std::vector<uint32_t> next_with_hash_;
};

// Cuts one field into elementary intervals and their classes by sweeping
// the events in key order. Returns false when `rows` passes its limits.
template <typename Key>
bool Sweep(std::vector<Event<Key>>& events, RowSet& rows, std::vector<Key>* starts,
           std::vector<uint16_t>* classes) {
  std::sort(events.begin(), events.end(),
            [](const Event<Key>& a, const Event<Key>& b) { return a.at < b.at; });
  size_t next = 0;
  Key at = 0;
  for (;;) {
    while (next < events.size() && events[next].at == at) {
      rows.Apply(events[next].rule, events[next].delta);
      ++next;
    }
    const uint32_t id = rows.CurrentClass();
    if (id == kNoClass) return false;
    // Neighbouring intervals with equal rule sets merge into one.
    if (classes->empty() || classes->back() != id) {
      starts->push_back(at);
      classes->push_back(static_cast<uint16_t>(id));
    }
    if (next == events.size()) return true;
    at = events[next].at;
  }
}

template <typename Key>
void AddRange(Key first, Key last, uint32_t rule, std::vector<Event<Key>>* events) {
  events->push_back(Event<Key>{first, rule, 1});
  if (last != std::numeric_limits<Key>::max()) {
    events->push_back(Event<Key>{static_cast<Key>(last + 1), rule, -1});
  }
}

// Returns the AND of word `word` of the first kRows rows.
template <int kRows>
uint64_t WordAnd(const uint64_t* const* rows, size_t word) {
  uint64_t bits = rows[0][word];
  for (int row = 1; row < kRows; ++row) bits &= rows[row][word];
  return bits;
}

// The bit of the first rule set in all kRows rows of `words` words (a
// multiple of kBlockWords, rows 64-byte aligned), or -1. The AVX-512 form
// is only called on CPUs that have AVX-512F.
template <int kRows>
struct FirstBitAvx512 {
  __attribute__((target("avx512f"), always_inline)) inline static __m512i Block(
      const uint64_t* const* rows, size_t word) {
    __m512i block = _mm512_load_si512(rows[0] + word);
    for (int row = 1; row < kRows; ++row) {
      block = _mm512_and_si512(block, _mm512_load_si512(rows[row] + word));
    }
    return block;
  }

  __attribute__((target("avx512f"), always_inline)) inline static int64_t Find(
      const uint64_t* const* rows, size_t words) {
    // Two blocks (1,024 rules) per step, tested together, so that the
    // branch on where the match lies is taken once per 1,024 rules.
    size_t word = 0;
    unsigned nonzero = 0;
    for (; word + 2 * kBlockWords <= words; word += 2 * kBlockWords) {
      const __m512i low = Block(rows, word);
      const __m512i high = Block(rows, word + kBlockWords);
      nonzero = _mm512_test_epi64_mask(low, low) |
                (static_cast<unsigned>(_mm512_test_epi64_mask(high, high)) << 8);
      if (nonzero != 0) break;
    }
    if (nonzero == 0) {
      if (word == words) return -1;
      const __m512i last = Block(rows, word);
      nonzero = _mm512_test_epi64_mask(last, last);
      if (nonzero == 0) return -1;
    }
    const size_t hit = word + static_cast<size_t>(__builtin_ctz(nonzero));
    const uint64_t bits = WordAnd<kRows>(rows, hit);
    return static_cast<int64_t>(hit * 64 + static_cast<size_t>(__builtin_ctzll(bits)));
  }
};

// The AVX2 form of FirstBitAvx512, for CPUs without AVX-512F. The AND of
// the rows takes two 256-bit steps per block of 512 rules. A compare with
// zero turns them into one mask of zero words, so that one branch per block
// decides whether the match lies there. Steps of two blocks, as in
// FirstBitAvx512, were slower on a 2 GHz AMD EPYC with a 512 KiB L2 cache,
// because they load a second cache line of each row that the first block
// often makes unnecessary. It is only called on CPUs that have AVX2.
template <int kRows>
struct FirstBitAvx2 {
  __attribute__((target("avx2"), always_inline)) inline static __m256i Load(const uint64_t* words) {
    return _mm256_load_si256(reinterpret_cast<const __m256i*>(words));
  }

  // The AND of the rows' four words from `word`, as a tree of pairs, so
  // that the ANDs do not wait for each other in one chain.
  __attribute__((target("avx2"), always_inline)) inline static __m256i Quarter(
      const uint64_t* const* rows, size_t word) {
    const __m256i pair = _mm256_and_si256(Load(rows[0] + word), Load(rows[1] + word));
    if constexpr (kRows == 3) {
      return _mm256_and_si256(pair, Load(rows[2] + word));
    } else if constexpr (kRows == 4) {
      return _mm256_and_si256(pair, _mm256_and_si256(Load(rows[2] + word), Load(rows[3] + word)));
    } else {
      static_assert(kRows == 5);
      return _mm256_and_si256(
          pair, _mm256_and_si256(_mm256_and_si256(Load(rows[2] + word), Load(rows[3] + word)),
                                 Load(rows[4] + word)));
    }
  }

  __attribute__((target("avx2"), always_inline)) inline static unsigned ZeroWords(
      const uint64_t* const* rows, size_t word) {
    const __m256i zero = _mm256_cmpeq_epi64(Quarter(rows, word), _mm256_setzero_si256());
    return static_cast<unsigned>(_mm256_movemask_pd(_mm256_castsi256_pd(zero)));
  }

  // Returns the first bit in the word `hit`, which is known to be non-zero.
  static int64_t BitIn(const uint64_t* const* rows, size_t hit) {
    const uint64_t bits = WordAnd<kRows>(rows, hit);
    return static_cast<int64_t>(hit * 64 + static_cast<size_t>(__builtin_ctzll(bits)));
  }

  // With `both_blocks`, rows of two blocks are ANDed whole, with no branch
  // on which block contains the match.
  __attribute__((target("avx2"), always_inline)) inline static int64_t Find(
      const uint64_t* const* rows, size_t words, bool both_blocks) {
    if (both_blocks) {
      const unsigned zero = ZeroWords(rows, 0) | ZeroWords(rows, 4) << 4 |
                            ZeroWords(rows, 8) << 8 | ZeroWords(rows, 12) << 12;
      if (zero == 0xFFFF) return -1;
      return BitIn(rows, static_cast<size_t>(__builtin_ctz(~zero)));
    }
    for (size_t word = 0; word < words; word += kBlockWords) {
      const unsigned zero = ZeroWords(rows, word) | ZeroWords(rows, word + 4) << 4;
      if (zero != 0xFF) return BitIn(rows, word + static_cast<size_t>(__builtin_ctz(~zero)));
    }
    return -1;
  }
};

template <int kRows>
inline int64_t FirstBitPortable(const uint64_t* const* rows, size_t words) {
  for (size_t word = 0; word < words; ++word) {
    const uint64_t bits = WordAnd<kRows>(rows, word);
    if (bits != 0) {
      return static_cast<int64_t>(word * 64 + static_cast<size_t>(__builtin_ctzll(bits)));
    }
  }
  return -1;
}

// Returns the value of `key` in the intervals that start at `starts`, one
// value per interval.
template <typename Key, typename Value>
Value ValueAt(const std::vector<Key>& starts, const std::vector<Value>& values, Key key) {
  const auto after = std::upper_bound(starts.begin(), starts.end(), key);
  return values[static_cast<size_t>(after - starts.begin()) - 1];
}

}  // namespace

template <typename Key>
bool IntervalMap<Key>::Build(const std::vector<Key>& starts, const std::vector<uint32_t>& values,
                             size_t max_root, size_t max_bytes, int max_tree_depth,
                             bool direct) {
  const size_t count = starts.size();
  interval_count_ = count;
  first_value_ = values[0];
  last_value_ = values[count - 1];
  tree_ = {};
  direct_blocks_.clear();
  direct_values_.clear();
  // Port maps try the direct table first, then port and IPv4 maps the
  // tree. Find reads only the structure built, so the trie stays empty,
  // and Leaf and RootEntry return its first entries.
  bool trie_unused = false;
  if constexpr (kHasDirect) {
    trie_unused = direct && count >= 3 && BuildDirect(starts, values, max_bytes);
  }
  if constexpr (kHasTree) {
    trie_unused = trie_unused || (max_tree_depth > 0 && count >= 3 &&
                                  tree_.Build(starts, values, max_tree_depth, max_bytes));
  }
  if (trie_unused && memory_bytes() > max_bytes) {
    // The structure fits, but not with the padding of intervals_, so the
    // map falls back on its trie, which checks its own size.
    tree_ = {};
    direct_blocks_ = {};
    direct_values_ = {};
    trie_unused = false;
  }
  if (trie_unused) {
    intervals_.assign(1 + kPadding, Interval{Start(0), 0});
    table_.clear();
    low_ = 0;
    span_ = 0;
    shift_ = 0;
    return true;
  }
  if ((count + kPadding) * sizeof(Interval) > max_bytes) return false;
  intervals_.clear();
  intervals_.reserve(count + kPadding);
  for (size_t i = 0; i < count; ++i) intervals_.push_back(Interval{ToStart(starts[i]), values[i]});
  for (size_t padding = 0; padding < kPadding; ++padding) {
    intervals_.push_back(Interval{ToStart(std::numeric_limits<Key>::max()), 0});
  }
  leaf_width_ = count * sizeof(Interval) <= kWideLeafMaxBytes ? kWideLeaf : kNarrowLeaf;
  table_.clear();
  if (count < 3) {
    // At most one start past 0: the two range checks decide every key.
    low_ = ToStart(count == 2 ? starts[1] : std::numeric_limits<Key>::max());
    span_ = 0;
    shift_ = 0;
    return true;
  }

  // The root has about one slice per interval over [low_, low_ + span_)
  // with wide leaves and four with narrow ones. Slices into which
  // leaf_width_ or more intervals start get child nodes.
  const Key low = starts[1];
  const Key span = static_cast<Key>(starts[count - 1] - low);
  low_ = ToStart(low);
  span_ = ToStart(span);
  int root_bits = 0;
  const size_t slices_per_interval = kWideLeaf / leaf_width_;
  while ((size_t{1} << root_bits) < slices_per_interval * count &&
         (size_t{1} << root_bits) < max_root) {
    ++root_bits;
  }
  shift_ = std::max(0, BitLength(span) - root_bits);
  const size_t root_size = static_cast<size_t>(static_cast<Key>(span >> shift_)) + 1;
  const size_t max_entries =
      (max_bytes - (count + kPadding) * sizeof(Interval)) / sizeof(uint32_t);
  if (root_size > max_entries) return false;
  table_.assign(root_size, 0);

  uint32_t interval = 1;
  for (size_t slot = 0; slot < root_size; ++slot) {
    const Key first_key = static_cast<Key>(low + static_cast<Key>(Key(slot) << shift_));
    while (interval + 1 < count && starts[interval + 1] <= first_key) ++interval;
    // Starts inside the slice: those up to its last key.
    const Key last_key = SliceLast(first_key, shift_);
    uint32_t end = interval;
    while (end + 1 < count && starts[end + 1] <= last_key) ++end;
    uint32_t entry;
    if (!MakeEntry(first_key, shift_, interval, end - interval, max_entries, &entry)) {
      return false;
    }
    table_[slot] = entry;
  }
  table_.shrink_to_fit();
  return true;
}

template <typename Key>
bool IntervalMap<Key>::BuildDirect(const std::vector<Key>& starts,
                                   const std::vector<uint32_t>& values, size_t max_bytes) {
  if constexpr (kHasDirect) {
    constexpr uint32_t kBlocks = uint32_t{1} << (8 * sizeof(Key) - kDirectShift);
    const size_t limit = std::min(kMaxDirectBytes, max_bytes);
    const size_t count = starts.size();
    std::vector<uint16_t> blocks(kBlocks);
    std::vector<uint32_t> rows;
    // Rows whose 16 values are all one value, and the others.
    absl::flat_hash_map<uint32_t, uint16_t> uniform_row;
    absl::flat_hash_map<std::array<uint32_t, kDirectWidth>, uint16_t> mixed_row;
    auto add_row = [&](const uint32_t* row) {
      rows.insert(rows.end(), row, row + kDirectWidth);
      return static_cast<uint16_t>(rows.size() / kDirectWidth - 1);
    };
    // Blocks from `block` up to the one that contains the next start lie
    // in interval `interval` and share its uniform row, so each interval
    // costs one lookup and a fill. A block that a start splits gets its
    // own row.
    size_t interval = 0;
    uint32_t block = 0;
    while (block < kBlocks) {
      const uint32_t first = block << kDirectShift;
      const uint32_t last = first + kDirectWidth - 1;
      while (interval + 1 < count && starts[interval + 1] <= first) ++interval;
      if (interval + 1 == count || starts[interval + 1] > last) {
        const uint32_t end = interval + 1 == count
                                 ? kBlocks
                                 : static_cast<uint32_t>(starts[interval + 1] >> kDirectShift);
        auto [it, inserted] = uniform_row.try_emplace(values[interval], 0);
        if (inserted) {
          std::array<uint32_t, kDirectWidth> row;
          row.fill(values[interval]);
          it->second = add_row(row.data());
        }
        std::fill(blocks.begin() + block, blocks.begin() + end, it->second);
        block = end;
      } else {
        std::array<uint32_t, kDirectWidth> row;
        size_t at = interval;
        for (uint32_t i = 0; i < kDirectWidth; ++i) {
          while (at + 1 < count && starts[at + 1] <= first + i) ++at;
          row[i] = values[at];
        }
        auto [it, inserted] = mixed_row.try_emplace(row, 0);
        if (inserted) it->second = add_row(row.data());
        blocks[block] = it->second;
        ++block;
      }
      if (kBlocks * sizeof(uint16_t) + rows.size() * sizeof(uint32_t) > limit) return false;
    }
    // memory_bytes() counts capacities and the padding of intervals_, which
    // the checks above leave out.
    rows.shrink_to_fit();
    if (blocks.capacity() * sizeof(uint16_t) + rows.capacity() * sizeof(uint32_t) +
            intervals_.capacity() * sizeof(Interval) >
        limit) {
      return false;
    }
    direct_blocks_ = std::move(blocks);
    direct_values_ = std::move(rows);
    return true;
  }
  return false;
}

template <typename Key>
bool IntervalMap<Key>::MakeEntry(Key first_key, int shift, uint32_t first, uint32_t extra,
                                 size_t max_entries, uint32_t* entry) {
  if (extra < leaf_width_) {
    *entry = first;
    return true;
  }
  // The node spans [node_first, node_last]: from the key before the
  // slice's first start, which still lies in interval `first`, to its last
  // start. Every start lies above `first_key`, so node_first does not wrap.
  const uint32_t last = first + extra;
  const Key node_first = static_cast<Key>(FromStart(intervals_[first + 1].start) - Key(1));
  const Key node_last = FromStart(intervals_[last].start);
  const Key span = static_cast<Key>(node_last - node_first);
  int stride = 1;
  const uint32_t slots_per_start = kWideLeaf / leaf_width_;
  while (stride < kMaxStride && (uint32_t{1} << stride) < slots_per_start * extra) ++stride;
  const int child_shift = std::max(0, BitLength(span) - stride);
  const size_t slots = static_cast<size_t>(static_cast<Key>(span >> child_shift)) + 1;
  const size_t node = table_.size();
  const size_t header = 2 * kKeyEntries + 1;
  if (node + header + slots > std::min<size_t>(kIndexMask, max_entries)) return false;
  table_.resize(node + header + slots, 0);
  StoreKey(node_first, &table_[node]);
  StoreKey(node_last, &table_[node + kKeyEntries]);
  table_[node + 2 * kKeyEntries] = static_cast<uint32_t>(child_shift);
  uint32_t interval = first;
  for (size_t slot = 0; slot < slots; ++slot) {
    const Key slot_key = static_cast<Key>(node_first + static_cast<Key>(Key(slot) << child_shift));
    while (interval < last && FromStart(intervals_[interval + 1].start) <= slot_key) ++interval;
    const Key last_key = SliceLast(slot_key, child_shift);
    uint32_t end = interval;
    while (end < last && FromStart(intervals_[end + 1].start) <= last_key) ++end;
    uint32_t slot_entry;
    if (!MakeEntry(slot_key, child_shift, interval, end - interval, max_entries, &slot_entry)) {
      return false;
    }
    table_[node + header + slot] = slot_entry;
  }
  *entry = static_cast<uint32_t>(node) | (kChild << kKindShift);
  return true;
}

template <typename Family>
bool BitVectorSpace<Family>::Build(const std::vector<RankedRule>& rules,
                                   const BitVectorOptions& options) {
  if (BuildWith(rules, options)) return true;
  if (!options.service_rows && !options.direct_port_tables) return false;
  BitVectorOptions plain = options;
  plain.service_rows = false;
  plain.direct_port_tables = false;
  return BuildWith(rules, plain);
}

template <typename Family>
bool BitVectorSpace<Family>::BuildWith(const std::vector<RankedRule>& rules,
                                       const BitVectorOptions& options) {
  *this = BitVectorSpace();
  if (rules.empty()) return true;

  const size_t rule_count = rules.size();
  const size_t words = (rule_count + 511) / 512 * kBlockWords;
  std::vector<Event<Address>> source_events;
  std::vector<Event<Address>> destination_events;
  std::vector<Event<uint16_t>> source_port_events;
  std::vector<Event<uint16_t>> destination_port_events;
  std::vector<Event<uint16_t>> protocol_events;
  for (uint32_t bit = 0; bit < rule_count; ++bit) {
    const TableRule& rule = *rules[bit].rule;
    for (const auto& cidr : Family::Sources(rule)) {
      AddRange(cidr.address, Family::Last(cidr), bit, &source_events);
    }
    for (const auto& cidr : Family::Destinations(rule)) {
      AddRange(cidr.address, Family::Last(cidr), bit, &destination_events);
    }
    for (const PortInterval& ports : rule.source_ports) {
      AddRange(ports.first, ports.last, bit, &source_port_events);
    }
    for (const PortInterval& ports : rule.destination_ports) {
      AddRange(ports.first, ports.last, bit, &destination_port_events);
    }
    if (rule.protocol.has_value()) {
      AddRange<uint16_t>(*rule.protocol, *rule.protocol, bit, &protocol_events);
    } else {
      AddRange<uint16_t>(0, 255, bit, &protocol_events);
    }
  }

  // Sweep each field, charging its rows to the budget.
  std::vector<uint64_t> field_rows[kFields];
  std::vector<uint16_t> classes[kFields];
  std::vector<Address> address_starts[2];
  std::vector<uint16_t> port_starts[kFields];
  size_t bytes_left = options.max_bytes;
  auto sweep = [&](auto& events, auto* starts, int field) {
    RowSet rows(rule_count, words, bytes_left / sizeof(uint64_t));
    if (!Sweep(events, rows, starts, &classes[field])) return false;
    bytes_left -= rows.rows().size() * sizeof(uint64_t);
    class_count_[field] = rows.class_count();
    field_rows[field] = rows.TakeRows();
    return true;
  };
  if (!sweep(source_events, &address_starts[kSource], kSource) ||
      !sweep(destination_events, &address_starts[kDestination], kDestination) ||
      !sweep(source_port_events, &port_starts[kSourcePort], kSourcePort) ||
      !sweep(destination_port_events, &port_starts[kDestinationPort], kDestinationPort) ||
      !sweep(protocol_events, &port_starts[kProtocol], kProtocol)) {
    *this = BitVectorSpace();
    return false;
  }

  // Service rows: the AND of each protocol class's row with each
  // destination port class's row, and with the source port's one row when
  // it has one class. The table of pairs costs 4 bytes per pair.
  const size_t protocol_classes = class_count_[kProtocol];
  const size_t port_classes = class_count_[kDestinationPort];
  const bool fold_source_port = class_count_[kSourcePort] == 1;
  std::vector<uint32_t> service_classes;
  std::vector<uint64_t> service_rows;
  if (options.service_rows && protocol_classes * port_classes <= kMaxServiceEntries &&
      protocol_classes * port_classes * sizeof(uint32_t) <= bytes_left) {
    // The protocol and destination port rows leave the pool, so their bytes
    // return to the budget.
    size_t budget = bytes_left - protocol_classes * port_classes * sizeof(uint32_t) +
                    (field_rows[kProtocol].size() + field_rows[kDestinationPort].size()) *
                        sizeof(uint64_t);
    if (fold_source_port) budget += field_rows[kSourcePort].size() * sizeof(uint64_t);
    RowSet services(rule_count, words, budget / sizeof(uint64_t));
    std::vector<uint64_t> row(words);
    service_classes.reserve(protocol_classes * port_classes);
    for (size_t protocol = 0; protocol < protocol_classes && service_classes.size() ==
                                                                 protocol * port_classes;
         ++protocol) {
      const uint64_t* protocol_row = field_rows[kProtocol].data() + protocol * words;
      for (size_t port = 0; port < port_classes; ++port) {
        const uint64_t* port_row = field_rows[kDestinationPort].data() + port * words;
        uint64_t hash = 0;
        for (size_t word = 0; word < words; ++word) {
          row[word] = protocol_row[word] & port_row[word];
          if (fold_source_port) row[word] &= field_rows[kSourcePort][word];
          hash = (hash ^ row[word]) * 0x9E3779B97F4A7C15u + word;
        }
        const uint32_t id = services.Intern(row.data(), hash);
        if (id == kNoClass) break;
        service_classes.push_back(id);
      }
    }
    if (service_classes.size() == protocol_classes * port_classes) {
      layout_ = fold_source_port ? RowLayout::kService : RowLayout::kSourcePortAndService;
      service_rows = services.TakeRows();
      bytes_left = budget - service_rows.size() * sizeof(uint64_t);
    } else {
      service_classes.clear();
    }
  }

  // Lay the rows the lookups read out in one pool aligned to 64 bytes, so
  // that each block of a row is one cache line and one aligned AVX-512
  // load. The address rows come first, then the source port's unless it is
  // folded, then the service rows or the destination port's and protocol's.
  std::vector<const std::vector<uint64_t>*> pooled = {&field_rows[kSource],
                                                      &field_rows[kDestination]};
  if (layout_ != RowLayout::kService) pooled.push_back(&field_rows[kSourcePort]);
  if (layout_ == RowLayout::kFiveRows) {
    pooled.push_back(&field_rows[kDestinationPort]);
    pooled.push_back(&field_rows[kProtocol]);
  } else {
    pooled.push_back(&service_rows);
    class_count_[kDestinationPort] = 0;
    class_count_[kProtocol] = service_rows.size() / words;
    if (layout_ == RowLayout::kService) class_count_[kSourcePort] = 0;
  }
  size_t pool_words = 0;
  for (const std::vector<uint64_t>* rows : pooled) pool_words += rows->size();
  // The maps and the service table store row offsets in 32 bits.
  if (pool_words > std::numeric_limits<uint32_t>::max()) {
    *this = BitVectorSpace();
    return false;
  }
  pool_.assign(pool_words + kBlockWords, 0);
  const uintptr_t address = reinterpret_cast<uintptr_t>(pool_.data());
  pool_offset_ = (64 - address % 64) % 64 / sizeof(uint64_t);
  // The offset of each pooled field's first row.
  std::vector<uint32_t> first_row;
  size_t filled = 0;
  for (const std::vector<uint64_t>* rows : pooled) {
    first_row.push_back(static_cast<uint32_t>(filled));
    std::copy(rows->begin(), rows->end(),
              pool_.begin() + static_cast<ptrdiff_t>(pool_offset_ + filled));
    filled += rows->size();
  }
  auto offsets = [&](const auto& field_classes, uint32_t first) {
    std::vector<uint32_t> result(field_classes.size());
    for (size_t i = 0; i < field_classes.size(); ++i) {
      result[i] = first + static_cast<uint32_t>(size_t{field_classes[i]} * words);
    }
    return result;
  };

  // Build the maps from what is left of the budget.
  auto build = [&](auto* map, const auto& starts, const std::vector<uint32_t>& values,
                   size_t max_buckets, int max_tree_depth) {
    if (!map->Build(starts, values, max_buckets, bytes_left, max_tree_depth,
                    options.direct_port_tables)) {
      return false;
    }
    bytes_left -= std::min(bytes_left, map->memory_bytes());
    return true;
  };
  bool built = build(&source_, address_starts[kSource], offsets(classes[kSource], first_row[0]),
                     kMaxAddressBuckets, kMaxAddressTreeDepth) &&
               build(&destination_, address_starts[kDestination],
                     offsets(classes[kDestination], first_row[1]), kMaxAddressBuckets,
                     kMaxAddressTreeDepth);
  if (built && layout_ != RowLayout::kService) {
    built = build(&source_port_, port_starts[kSourcePort],
                  offsets(classes[kSourcePort], first_row[2]), kMaxPortBuckets,
                  kMaxPortTreeDepth);
  }
  std::vector<uint32_t> protocol_values;
  if (built && layout_ == RowLayout::kFiveRows) {
    built = build(&destination_port_, port_starts[kDestinationPort],
                  offsets(classes[kDestinationPort], first_row[3]), kMaxPortBuckets,
                  kMaxPortTreeDepth);
    protocol_values = offsets(classes[kProtocol], first_row[4]);
  } else if (built) {
    // The destination port map stores classes, protocol_ the first index of
    // a protocol class's entries, and service_ the rows' offsets.
    const std::vector<uint16_t>& port_classes_of = classes[kDestinationPort];
    built = build(&destination_port_, port_starts[kDestinationPort],
                  std::vector<uint32_t>(port_classes_of.begin(), port_classes_of.end()),
                  kMaxPortBuckets, kMaxPortTreeDepth);
    for (uint16_t protocol_class : classes[kProtocol]) {
      protocol_values.push_back(static_cast<uint32_t>(protocol_class * port_classes));
    }
    service_ = offsets(service_classes, first_row.back());
  }
  if (!built) {
    *this = BitVectorSpace();
    return false;
  }
  for (int protocol = 0; protocol < 256; ++protocol) {
    protocol_[protocol] =
        ValueAt(port_starts[kProtocol], protocol_values, static_cast<uint16_t>(protocol));
  }

  words_ = words;
  rows_ = pool_.data() + pool_offset_;
  // Rules of a table with one address family have ranks 0, 1, 2, ... and
  // need no table.
  bool identity = true;
  for (uint32_t bit = 0; bit < rule_count; ++bit) identity = identity && rules[bit].rank == bit;
  if (!identity) {
    ranks_.reserve(rule_count);
    for (const RankedRule& ranked : rules) ranks_.push_back(ranked.rank);
  }
  rule_count_ = rule_count;

  if (memory_bytes() > options.max_bytes) {
    *this = BitVectorSpace();
    return false;
  }
  __builtin_cpu_init();
  // The AVX-512 lookups search their KaryTrees with AVX2, which every CPU
  // with AVX-512F has.
  if (options.allow_avx512 && __builtin_cpu_supports("avx512f") &&
      __builtin_cpu_supports("avx2")) {
    and_ = BitVectorAnd::kAvx512;
  } else if (options.allow_avx2 && __builtin_cpu_supports("avx2")) {
    and_ = BitVectorAnd::kAvx2;
  } else {
    and_ = BitVectorAnd::kPortable;
  }
  // NOTE: staging made the IPv6 batches of the NSG-shaped set slower (52
  // against 30 ns per flow), for reasons not found yet, so only IPv4 uses it.
  trees_ = source_.tree_depth() != 0 || destination_.tree_depth() != 0 ||
           source_port_.tree_depth() != 0 || destination_port_.tree_depth() != 0;
  staged_ = std::is_same_v<Family, Ipv4Family> && source_.tree_depth() == 0 &&
            destination_.tree_depth() == 0 &&
            source_.memory_bytes() + destination_.memory_bytes() >= kStagedMinBytes;
  both_blocks_ = words_ == 2 * kBlockWords && memory_bytes() <= options.both_blocks_max_bytes;
  SelectLookups();
  return true;
}

template <typename Family>
template <MapSearch kSearch, RowLayout kLayout>
void BitVectorSpace<Family>::SelectLookupsFor() {
  switch (and_) {
    case BitVectorAnd::kAvx512:
      lookup_ = &BitVectorSpace::LookupAvx512<kSearch, kLayout>;
      break;
    case BitVectorAnd::kAvx2:
      lookup_ = &BitVectorSpace::LookupAvx2<kSearch, kLayout>;
      break;
    case BitVectorAnd::kPortable:
      lookup_ = &BitVectorSpace::LookupPortable<kSearch, kLayout>;
      break;
  }
  batch_ = &BitVectorSpace::Batch<kSearch, kLayout>;
}

template <typename Family>
void BitVectorSpace<Family>::SelectLookups() {
  // The SIMD lookups search trees with AVX2, and the portable lookup
  // without it.
  const MapSearch search = !trees_                           ? MapSearch::kTrie
                           : and_ == BitVectorAnd::kPortable ? MapSearch::kTreePortable
                                                             : MapSearch::kTreeAvx2;
  auto select = [&](auto layout) {
    constexpr RowLayout kLayout = decltype(layout)::value;
    switch (search) {
      case MapSearch::kTrie:
        SelectLookupsFor<MapSearch::kTrie, kLayout>();
        break;
      case MapSearch::kTreePortable:
        SelectLookupsFor<MapSearch::kTreePortable, kLayout>();
        break;
      case MapSearch::kTreeAvx2:
        SelectLookupsFor<MapSearch::kTreeAvx2, kLayout>();
        break;
    }
  };
  switch (layout_) {
    case RowLayout::kFiveRows:
      select(std::integral_constant<RowLayout, RowLayout::kFiveRows>());
      break;
    case RowLayout::kSourcePortAndService:
      select(std::integral_constant<RowLayout, RowLayout::kSourcePortAndService>());
      break;
    case RowLayout::kService:
      select(std::integral_constant<RowLayout, RowLayout::kService>());
      break;
  }
}

template <typename Family>
template <MapSearch kSearch, RowLayout kLayout>
__attribute__((target("avx512f"))) uint32_t BitVectorSpace<Family>::LookupAvx512(
    const Flow& flow) const noexcept {
  const Rows rows = RowsOf<kSearch, kLayout>(flow);
  return RankOf(FirstBitAvx512<RowCount(kLayout)>::Find(rows.field, words_));
}

template <typename Family>
template <MapSearch kSearch, RowLayout kLayout>
__attribute__((target("avx2"))) uint32_t BitVectorSpace<Family>::LookupAvx2(
    const Flow& flow) const noexcept {
  const Rows rows = RowsOf<kSearch, kLayout>(flow);
  return RankOf(FirstBitAvx2<RowCount(kLayout)>::Find(rows.field, words_, both_blocks_));
}

template <typename Family>
template <MapSearch kSearch, RowLayout kLayout>
uint32_t BitVectorSpace<Family>::LookupPortable(const Flow& flow) const noexcept {
  const Rows rows = RowsOf<kSearch, kLayout>(flow);
  return RankOf(FirstBitPortable<RowCount(kLayout)>(rows.field, words_));
}

template <typename Family>
template <MapSearch kSearch, RowLayout kLayout>
void BitVectorSpace<Family>::Batch(const Flow* flows, size_t count,
                                   uint32_t* ranks) const noexcept {
  constexpr int kRows = RowCount(kLayout);
  Rows rows[kLanes];
  for (size_t base = 0; base < count; base += kLanes) {
    const size_t lanes = std::min(kLanes, count - base);
    FindRows<kSearch, kLayout>(flows + base, lanes, rows);
    switch (and_) {
      case BitVectorAnd::kAvx512:
        RanksAvx512<kRows>(rows, lanes, ranks + base);
        break;
      case BitVectorAnd::kAvx2:
        RanksAvx2<kRows>(rows, lanes, ranks + base);
        break;
      case BitVectorAnd::kPortable:
        RanksPortable<kRows>(rows, lanes, ranks + base);
        break;
    }
  }
}

template <typename Family>
template <MapSearch kSearch, RowLayout kLayout>
inline void BitVectorSpace<Family>::FindRows(const Flow* flows, size_t lanes,
                                             Rows* rows) const noexcept {
  if (!staged_) {
    for (size_t lane = 0; lane < lanes; ++lane) {
      rows[lane] = RowsOf<kSearch, kLayout>(flows[lane]);
      PrefetchRows<kLayout>(rows[lane]);
    }
#if defined(__x86_64__)
    // The AVX2 tree searches leave the upper halves of the ymm registers
    // set, which slows the SSE code that follows on some Intel CPUs.
    if constexpr (kSearch == MapSearch::kTreeAvx2) asm volatile("vzeroupper" ::: "xmm0", "xmm1", "xmm2");
#endif
    return;
  }
  for (size_t lane = 0; lane < lanes; ++lane) {
    __builtin_prefetch(source_.RootEntry(flows[lane].source));
    __builtin_prefetch(destination_.RootEntry(flows[lane].destination));
  }
  uint32_t source_leaf[kLanes];
  uint32_t destination_leaf[kLanes];
  for (size_t lane = 0; lane < lanes; ++lane) {
    source_leaf[lane] = source_.Leaf(flows[lane].source);
    destination_leaf[lane] = destination_.Leaf(flows[lane].destination);
    source_.PrefetchLeaf(source_leaf[lane]);
    destination_.PrefetchLeaf(destination_leaf[lane]);
  }
  for (size_t lane = 0; lane < lanes; ++lane) {
    const Flow& flow = flows[lane];
    rows[lane].field[0] = Row(source_.ValueOf(flow.source, source_leaf[lane]));
    rows[lane].field[1] = Row(destination_.ValueOf(flow.destination, destination_leaf[lane]));
    PortRowsOf<kSearch, kLayout>(flow, &rows[lane]);
    PrefetchRows<kLayout>(rows[lane]);
  }
}

template <typename Family>
template <int kRows>
__attribute__((target("avx512f"))) void BitVectorSpace<Family>::RanksAvx512(
    const Rows* rows, size_t lanes, uint32_t* ranks) const noexcept {
  for (size_t lane = 0; lane < lanes; ++lane) {
    ranks[lane] = RankOf(FirstBitAvx512<kRows>::Find(rows[lane].field, words_));
  }
}

template <typename Family>
template <int kRows>
__attribute__((target("avx2"))) void BitVectorSpace<Family>::RanksAvx2(
    const Rows* rows, size_t lanes, uint32_t* ranks) const noexcept {
  for (size_t lane = 0; lane < lanes; ++lane) {
    ranks[lane] = RankOf(FirstBitAvx2<kRows>::Find(rows[lane].field, words_, both_blocks_));
  }
}

template <typename Family>
template <int kRows>
void BitVectorSpace<Family>::RanksPortable(const Rows* rows, size_t lanes,
                                           uint32_t* ranks) const noexcept {
  for (size_t lane = 0; lane < lanes; ++lane) {
    ranks[lane] = RankOf(FirstBitPortable<kRows>(rows[lane].field, words_));
  }
}

template <typename Family>
size_t BitVectorSpace<Family>::memory_bytes() const {
  return source_.memory_bytes() + destination_.memory_bytes() + source_port_.memory_bytes() +
         destination_port_.memory_bytes() + pool_.capacity() * sizeof(uint64_t) +
         service_.capacity() * sizeof(uint32_t) + ranks_.capacity() * sizeof(uint32_t);
}

template <typename Family>
size_t BitVectorSpace<Family>::class_count() const {
  size_t total = 0;
  for (size_t count : class_count_) total += count;
  return total;
}

template class IntervalMap<uint16_t>;
template class IntervalMap<uint32_t>;
template class IntervalMap<absl::uint128>;
template class BitVectorSpace<Ipv4Family>;
template class BitVectorSpace<Ipv6Family>;

// The functions that a default-constructed BitVectorSpace points at, named
// in the header. Build selects the others here.
template uint32_t
BitVectorSpace<Ipv4Family>::LookupPortable<MapSearch::kTrie, RowLayout::kFiveRows>(
    const FlowV4&) const noexcept;
template uint32_t
BitVectorSpace<Ipv6Family>::LookupPortable<MapSearch::kTrie, RowLayout::kFiveRows>(
    const FlowV6&) const noexcept;
template void BitVectorSpace<Ipv4Family>::Batch<MapSearch::kTrie, RowLayout::kFiveRows>(
    const FlowV4*, size_t, uint32_t*) const noexcept;
template void BitVectorSpace<Ipv6Family>::Batch<MapSearch::kTrie, RowLayout::kFiveRows>(
    const FlowV6*, size_t, uint32_t*) const noexcept;

}  // namespace portcullis::nsg::internal
