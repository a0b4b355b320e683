// The compiled 5-tuple classifier: the hot path of every NSG decision.
//
// A Classifier is compiled once from a RuleTable and then serves lookups:
// for a flow it returns the deciding rule (index, priority, access), always
// the same result as RuleTable::ReferenceLookup on the same table.
//
//   absl::StatusOr<Classifier> classifier = Classifier::Compile(table);
//   if (!classifier.ok()) return classifier.status();
//   RuleMatch match = classifier->Lookup(flow);
//   if (match.found() && match.access == RuleAccess::kAllow) { ... }
//
//   // Bursts: classify many flows per call, overlapping their memory
//   // accesses.
//   std::vector<RuleMatch> matches(flows.size());
//   classifier->LookupBatch(flows, absl::MakeSpan(matches));
//
// Method. Each address family gets one of two engines, chosen when the
// classifier is compiled (ClassifierOptions::engine):
//
//   - Bit vectors, after Lakshman and Stiliadis, "High-speed policy-based
//     packet forwarding using efficient multi-dimensional range matching",
//     SIGCOMM 1998. Each field of the flow maps to an equivalence class of
//     rules. With rules numbered best first, the first set bit of the AND
//     of the classes' bit vectors is the deciding rule. The protocol and
//     destination port share one vector, so a lookup ANDs three or four.
//     It costs a few short searches and an AND of one 512-bit block per 512
//     rules, whatever the rules look like, so NSG rules made of service tags,
//     `*` and virtual networks cost no more than any others. Its memory
//     grows with rules times classes (the square of the rule count at
//     worst), so it serves only families that fit a byte budget.
//     nsg/internal/bit_vector_space.h draws the layout.
//   - TupleMerge (Daly, Bruschi, Linguaglossa, Pontarelli, Rossi, Tollet,
//     Torng, Yourtchenko, "TupleMerge: Fast Software Packet Processing for
//     Online Packet Classification", IEEE/ACM Transactions on Networking
//     27(4), 2019) for everything else: hash tables keyed on relaxed prefix
//     lengths, visited in order of the best rule they hold, with an early
//     exit once no remaining table can beat the match in hand.
//     nsg/internal/tuple_space.h draws the layout and lists where this
//     implementation departs from the paper. Its memory stays linear in the
//     rule count (about 2 MiB at 100,000 ClassBench rules in the reference
//     code, where rte_acl takes 49 MiB to 1 GiB) and its build takes
//     milliseconds, which keeps full rebuilds of large tables cheap.
//
// By default (ClassifierEngine::kAuto) a family with at most
// bit_vector_max_rules rules uses bit vectors when they fit
// bit_vector_max_bytes, and TupleMerge otherwise. Both engines return the
// same rule for every flow; tests force each one and compare them with the
// reference evaluator.
//
// Augmented rules (many prefixes and port ranges in one rule) cost memory in
// proportion to their prefixes and ranges, not to their product: TupleMerge
// indexes one side and checks the other, and the bit-vector engine's
// intervals grow with the prefixes while the byte budget caps its vectors.
//
// Thread safety: immutable after Compile; every method is const, and
// lookups are noexcept, allocate nothing and take no locks, so any number
// of threads may share one Classifier.
#ifndef PORTCULLIS_NSG_CLASSIFIER_H_
#define PORTCULLIS_NSG_CLASSIFIER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "nsg/internal/bit_vector_space.h"
#include "nsg/internal/tuple_space.h"
#include "nsg/rule_table.h"

namespace portcullis::nsg {

// The lookup engine of one address family (the method notes above compare
// them).
enum class ClassifierEngine : uint8_t {
  // Bit vectors for families with at most bit_vector_max_rules rules whose
  // engine fits bit_vector_max_bytes, TupleMerge for the others.
  kAuto = 0,
  kTupleSpace = 1,
  // Bit vectors whenever they fit bit_vector_max_bytes, whatever the rule
  // count; TupleMerge for a family that does not fit.
  kBitVector = 2,
};

// Returns "auto", "tuple_space" or "bit_vector".
const char* ClassifierEngineName(ClassifierEngine engine);

struct ClassifierOptions {
  // Maximum entries that share one hash key in a table before an entry
  // moves to a more specific table. Larger values mean fewer tables but
  // longer groups to scan. Raising it from 12 to 24 cut ipc1_10k from 41
  // tables to 18 and made lookups on acl1_10k and ipc1_10k 8 to 15% faster
  // (2 GHz AMD EPYC without AVX-512); 40 was no faster than 24.
  int collision_limit = 24;
  // A rule whose source and destination sets multiply to at most this many
  // pairs (or to at most their sum) gets one entry per pair; larger rules are
  // indexed on one side and checked on the other.
  int max_cross_product = 16;
  // LookupBatch interleaves flows only when the hash slots of a family take
  // at least this many bytes, and otherwise classifies the flows one after
  // another. Small slots sit in the L2 cache, where the out-of-order core
  // already overlaps one flow's probes and the lane bookkeeping made batches
  // 10-50% slower on the 1k and 10k ClassBench sets; on the 100k sets
  // (8-12 MiB) interleaving was 1.3-1.6 times faster (Zen 4, 1 MiB L2).
  size_t interleave_min_bytes = size_t{2} << 20;
  // TupleMerge fills its hash tables to a load factor of 0.8 when their
  // slots would take at least this many bytes at load 0.5, and to 0.5
  // otherwise. Dense tables cost longer probes but less memory, which pays
  // off once the slots outgrow the caches (nsg/internal/tuple_space.cc has
  // the measurements). 0 makes every table dense.
  size_t dense_slots_min_bytes = size_t{2} << 20;
  // Lets lookups use AVX-512 when the CPU has it: TupleMerge's IPv4
  // lookups with AVX-512F and AVX-512DQ, the bit-vector engine with
  // AVX-512F. Every path returns the same rule; tests turn it off to check
  // the others.
  bool allow_avx512 = true;
  // Lets the bit-vector engine AND its rows with AVX2 when the CPU has AVX2
  // and AVX-512F is not used. With allow_avx512 and allow_avx2 off, it runs
  // its portable loop.
  bool allow_avx2 = true;
  // Lets the bit-vector engine AND one service row per flow in place of
  // its protocol and destination port rows, and of a source port row that
  // is the same for every port (nsg/internal/bit_vector_space.h). Every
  // setting returns the same rule; tests turn it off to check the other.
  bool bit_vector_service_rows = true;

  ClassifierEngine engine = ClassifierEngine::kAuto;
  // kAuto uses bit vectors only for families with at most this many rules,
  // which covers two NSGs of Azure's 1,000 custom rules each. Bit vectors
  // were faster than TupleMerge on the 1k ClassBench sets and on the
  // 1,000-rule NSG-shaped set, and 1.4 to 3.3 times slower on the 10k
  // ClassBench sets (benchmarks/README.md has the figures).
  // NOTE: the crossover between 1,000 and 10,000 rules was not measured
  // with traces that match the rules, so this limit is an estimate.
  size_t bit_vector_max_rules = 2048;
  // Upper bound on the bytes of one family's bit-vector engine (its
  // interval maps and rows). A family that needs more uses TupleMerge, even
  // under kBitVector.
  size_t bit_vector_max_bytes = size_t{4} << 20;
};

class Classifier {
 public:
  // Compiles `table`. Fails only on invalid options.
  static absl::StatusOr<Classifier> Compile(const RuleTable& table,
                                            const ClassifierOptions& options = {});

  Classifier() = default;
  Classifier(Classifier&&) = default;
  Classifier& operator=(Classifier&&) = default;

  // Returns the deciding rule for `flow`, or a RuleMatch whose found() is
  // false when no rule matches.
  RuleMatch Lookup(const FlowV4& flow) const noexcept {
    return Outcome(v4_uses_bits_ ? v4_bits_.Lookup(flow) : v4_.Lookup(flow));
  }
  RuleMatch Lookup(const FlowV6& flow) const noexcept {
    return Outcome(v6_uses_bits_ ? v6_bits_.Lookup(flow) : v6_.Lookup(flow));
  }

  // Classifies flows[i] into matches[i]. `matches` must be at least as long
  // as `flows`; extra elements are left untouched.
  void LookupBatch(absl::Span<const FlowV4> flows,
                   absl::Span<RuleMatch> matches) const noexcept;
  void LookupBatch(absl::Span<const FlowV6> flows,
                   absl::Span<RuleMatch> matches) const noexcept;

  // Bytes of the compiled structure (heap included), for budgets and
  // benchmarks.
  size_t memory_bytes() const;
  // Number of rules of the table compiled from.
  size_t rule_count() const { return outcomes_.size(); }
  // Number of hash tables per family (0 for a bit-vector family), for
  // tuning and benchmarks.
  size_t table_count_v4() const { return v4_.table_count(); }
  size_t table_count_v6() const { return v6_.table_count(); }
  // The engine each family uses: kTupleSpace or kBitVector, never kAuto.
  ClassifierEngine engine_v4() const {
    return v4_uses_bits_ ? ClassifierEngine::kBitVector : ClassifierEngine::kTupleSpace;
  }
  ClassifierEngine engine_v6() const {
    return v6_uses_bits_ ? ClassifierEngine::kBitVector : ClassifierEngine::kTupleSpace;
  }

 private:
  RuleMatch Outcome(uint32_t rank) const noexcept {
    return rank == internal::kNoRank ? RuleMatch{} : outcomes_[rank];
  }

  template <typename Space, typename Flow>
  void Batch(const Space& space, absl::Span<const Flow> flows,
             absl::Span<RuleMatch> matches) const noexcept;

  // Per family, the engine in use is the bit-vector one when *_uses_bits_
  // is set, and the other one stays empty.
  internal::TupleSpace<internal::Ipv4Family> v4_;
  internal::TupleSpace<internal::Ipv6Family> v6_;
  internal::BitVectorSpace<internal::Ipv4Family> v4_bits_;
  internal::BitVectorSpace<internal::Ipv6Family> v6_bits_;
  bool v4_uses_bits_ = false;
  bool v6_uses_bits_ = false;
  // The rule behind each rank: rank 0 is the lowest (priority, index).
  std::vector<RuleMatch> outcomes_;
};

}  // namespace portcullis::nsg

#endif  // PORTCULLIS_NSG_CLASSIFIER_H_
