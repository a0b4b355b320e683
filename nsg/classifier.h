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
// Method. One tuple space per address family, built as TupleMerge builds
// its tables (Daly, Bruschi, Linguaglossa, Pontarelli, Rossi, Tollet, Torng,
// Yourtchenko, "TupleMerge: Fast Software Packet Processing for Online
// Packet Classification", IEEE/ACM Transactions on Networking 27(4), 2019):
// hash tables keyed on relaxed prefix lengths, visited in order of the best
// rule they hold, with an early exit once no remaining table can beat the
// match in hand. nsg/internal/tuple_space.h draws the layout and lists
// where this implementation departs from the paper. TupleMerge was chosen
// over decision trees and DPDK-style multibit tries because its memory stays
// linear in the rule count (about 2 MiB at 100,000 ClassBench rules in the
// reference code, where rte_acl takes 49 MiB to 1 GiB) and its build takes
// milliseconds, which keeps full rebuilds cheap; over bit-vector methods
// because their memory grows with the square of the rule count.
//
// Augmented rules (many prefixes and port ranges in one rule) cost memory in
// proportion to their prefixes and ranges, not to their product.
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
#include "nsg/internal/tuple_space.h"
#include "nsg/rule_table.h"

namespace portcullis::nsg {

struct ClassifierOptions {
  // Maximum entries that share one hash key in a table before an entry
  // moves to a more specific table. Larger values mean fewer tables but
  // longer groups to scan.
  int collision_limit = 12;
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
  // Lets IPv4 lookups use AVX-512 when the CPU has AVX-512F and AVX-512DQ.
  // Both paths return the same rule; tests turn it off to check the
  // portable one.
  bool allow_avx512 = true;
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
    return Outcome(v4_.Lookup(flow));
  }
  RuleMatch Lookup(const FlowV6& flow) const noexcept {
    return Outcome(v6_.Lookup(flow));
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
  // Number of hash tables per family, for tuning and benchmarks.
  size_t table_count_v4() const { return v4_.table_count(); }
  size_t table_count_v6() const { return v6_.table_count(); }

 private:
  RuleMatch Outcome(uint32_t rank) const noexcept {
    return rank == internal::kNoRank ? RuleMatch{} : outcomes_[rank];
  }

  template <typename Space, typename Flow>
  void Batch(const Space& space, absl::Span<const Flow> flows,
             absl::Span<RuleMatch> matches) const noexcept;

  internal::TupleSpace<internal::Ipv4Family> v4_;
  internal::TupleSpace<internal::Ipv6Family> v6_;
  // The rule behind each rank: rank 0 is the lowest (priority, index).
  std::vector<RuleMatch> outcomes_;
};

}  // namespace portcullis::nsg

#endif  // PORTCULLIS_NSG_CLASSIFIER_H_
