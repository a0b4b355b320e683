#include "nsg/classifier.h"

#include <algorithm>
#include <numeric>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace portcullis::nsg {

namespace {

// Returns true when `family_rules` should try the bit-vector engine.
bool WantsBitVectors(const ClassifierOptions& options, size_t family_rules) {
  switch (options.engine) {
    case ClassifierEngine::kAuto:
      return family_rules <= options.bit_vector_max_rules;
    case ClassifierEngine::kBitVector:
      return true;
    case ClassifierEngine::kTupleSpace:
      return false;
  }
  return false;
}

}  // namespace

const char* ClassifierEngineName(ClassifierEngine engine) {
  switch (engine) {
    case ClassifierEngine::kAuto:
      return "auto";
    case ClassifierEngine::kTupleSpace:
      return "tuple_space";
    case ClassifierEngine::kBitVector:
      return "bit_vector";
  }
  return "unknown";
}

absl::StatusOr<Classifier> Classifier::Compile(const RuleTable& table,
                                               const ClassifierOptions& options) {
  if (options.collision_limit < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("collision_limit: invalid value ", options.collision_limit,
                     "; expected at least 1"));
  }
  if (options.max_cross_product < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_cross_product: invalid value ",
                     options.max_cross_product, "; expected at least 1"));
  }

  if (options.engine != ClassifierEngine::kAuto &&
      options.engine != ClassifierEngine::kTupleSpace &&
      options.engine != ClassifierEngine::kBitVector) {
    return absl::InvalidArgumentError(
        absl::StrCat("engine: invalid value ", static_cast<int>(options.engine),
                     "; expected kAuto, kTupleSpace or kBitVector"));
  }

  // Rank the rules by (priority, index): the order the reference evaluator
  // decides by.
  const std::vector<TableRule>& rules = table.rules();
  std::vector<uint32_t> order(rules.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return rules[a].priority < rules[b].priority;
  });

  Classifier classifier;
  classifier.outcomes_.reserve(rules.size());
  std::vector<internal::TupleSpace<internal::Ipv4Family>::RankedRule> v4;
  std::vector<internal::TupleSpace<internal::Ipv6Family>::RankedRule> v6;
  for (uint32_t rank = 0; rank < order.size(); ++rank) {
    const TableRule& rule = rules[order[rank]];
    classifier.outcomes_.push_back(
        RuleMatch{order[rank], rule.priority, rule.access});
    if (!rule.source_v4.empty() && !rule.destination_v4.empty()) {
      v4.push_back({rank, &rule});
    }
    if (!rule.source_v6.empty() && !rule.destination_v6.empty()) {
      v6.push_back({rank, &rule});
    }
  }

  internal::TupleSpaceOptions space_options;
  space_options.collision_limit = options.collision_limit;
  space_options.max_cross_product = options.max_cross_product;
  space_options.interleave_min_bytes = options.interleave_min_bytes;
  space_options.dense_min_bytes = options.dense_slots_min_bytes;
  space_options.allow_avx512 = options.allow_avx512;
  internal::BitVectorOptions bit_options;
  bit_options.max_bytes = options.bit_vector_max_bytes;
  bit_options.allow_avx512 = options.allow_avx512;
  bit_options.allow_avx2 = options.allow_avx2;
  bit_options.service_rows = options.bit_vector_service_rows;
  classifier.v4_uses_bits_ =
      WantsBitVectors(options, v4.size()) && classifier.v4_bits_.Build(v4, bit_options);
  classifier.v6_uses_bits_ =
      WantsBitVectors(options, v6.size()) && classifier.v6_bits_.Build(v6, bit_options);
  if (!classifier.v4_uses_bits_) classifier.v4_.Build(v4, space_options);
  if (!classifier.v6_uses_bits_) classifier.v6_.Build(v6, space_options);
  return classifier;
}

template <typename Space, typename Flow>
void Classifier::Batch(const Space& space, absl::Span<const Flow> flows,
                       absl::Span<RuleMatch> matches) const noexcept {
  constexpr size_t kChunk = 256;
  uint32_t ranks[kChunk];
  const size_t count = std::min(flows.size(), matches.size());
  for (size_t begin = 0; begin < count; begin += kChunk) {
    const size_t size = std::min(kChunk, count - begin);
    space.LookupBatch(flows.data() + begin, size, ranks);
    // Raw pointers, because the span's checked operator[] cost a compare
    // and a branch per flow, and stores through `out` made GCC reload
    // outcomes_'s data pointer per flow. `count` bounds every index.
    RuleMatch* out = matches.data() + begin;
    const RuleMatch* outcomes = outcomes_.data();
    for (size_t i = 0; i < size; ++i) {
      out[i] = ranks[i] == internal::kNoRank ? RuleMatch{} : outcomes[ranks[i]];
    }
  }
}

void Classifier::LookupBatch(absl::Span<const FlowV4> flows,
                             absl::Span<RuleMatch> matches) const noexcept {
  if (v4_uses_bits_) {
    Batch(v4_bits_, flows, matches);
  } else {
    Batch(v4_, flows, matches);
  }
}

void Classifier::LookupBatch(absl::Span<const FlowV6> flows,
                             absl::Span<RuleMatch> matches) const noexcept {
  if (v6_uses_bits_) {
    Batch(v6_bits_, flows, matches);
  } else {
    Batch(v6_, flows, matches);
  }
}

size_t Classifier::memory_bytes() const {
  return sizeof(*this) + v4_.memory_bytes() + v6_.memory_bytes() +
         v4_bits_.memory_bytes() + v6_bits_.memory_bytes() +
         outcomes_.capacity() * sizeof(RuleMatch);
}

}  // namespace portcullis::nsg
