// One published state of the classifier: a compiled base table plus a small
// overlay of rules added since the base was compiled.
//
// A just-in-time grant adds one rule. Recompiling a 10,000-rule table for
// it takes milliseconds, so the publisher compiles only the few overlay
// rules and merges the two results by (priority, index) at lookup time. The
// snapshot behaves exactly like one RuleTable whose rules are the base
// rules followed by the overlay rules: overlay rule k has index
// base_size() + k, so on equal priority a base rule wins.
//
//   base rules  0 .. n-1   (compiled once, shared between snapshots)
//   overlay     n .. n+m-1 (compiled per snapshot, m small)
//
// Thread safety: immutable; every method is const and lookups are
// noexcept, allocate nothing and take no locks.
#ifndef PORTCULLIS_NSG_SNAPSHOT_H_
#define PORTCULLIS_NSG_SNAPSHOT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "nsg/classifier.h"
#include "nsg/rule_table.h"

namespace portcullis::nsg {

class ClassifierSnapshot {
 public:
  // Builds a snapshot from a compiled base and the overlay rules, which are
  // validated and compiled here. `overlay_ids` names each overlay rule for
  // the publisher and must be as long as `overlay_rules`.
  static absl::StatusOr<std::unique_ptr<const ClassifierSnapshot>> Create(
      uint64_t version, std::shared_ptr<const RuleTable> base_table,
      std::shared_ptr<const Classifier> base,
      std::vector<TableRule> overlay_rules, std::vector<uint64_t> overlay_ids,
      const ClassifierOptions& options);

  // Returns the deciding rule among base and overlay rules.
  RuleMatch Lookup(const FlowV4& flow) const noexcept {
    return Merge(base_->Lookup(flow), overlay_.Lookup(flow));
  }
  RuleMatch Lookup(const FlowV6& flow) const noexcept {
    return Merge(base_->Lookup(flow), overlay_.Lookup(flow));
  }

  // Classifies flows[i] into matches[i], as Classifier::LookupBatch does.
  void LookupBatch(absl::Span<const FlowV4> flows,
                   absl::Span<RuleMatch> matches) const noexcept;
  void LookupBatch(absl::Span<const FlowV6> flows,
                   absl::Span<RuleMatch> matches) const noexcept;

  // Returns the deciding rule by the reference evaluator over the same
  // rules, for tests.
  RuleMatch ReferenceLookup(const FlowV4& flow) const;
  RuleMatch ReferenceLookup(const FlowV6& flow) const;

  // The publication counter: 1 for the first snapshot, then one more for
  // each publication.
  uint64_t version() const { return version_; }
  size_t base_size() const { return base_table_->size(); }
  size_t rule_count() const { return base_table_->size() + overlay_table_.size(); }
  // The rule at `index` in the combined order described above.
  const TableRule& rule(size_t index) const;
  const std::shared_ptr<const RuleTable>& base_table() const { return base_table_; }
  const std::shared_ptr<const Classifier>& base() const { return base_; }
  const RuleTable& overlay_table() const { return overlay_table_; }
  const std::vector<uint64_t>& overlay_ids() const { return overlay_ids_; }

  // Bytes of the base classifier plus the overlay's, for budgets.
  size_t memory_bytes() const {
    return base_->memory_bytes() + overlay_.memory_bytes();
  }

 private:
  ClassifierSnapshot() = default;

  RuleMatch Merge(RuleMatch base, RuleMatch overlay) const noexcept {
    if (!overlay.found()) return base;
    overlay.index += static_cast<uint32_t>(base_table_->size());
    if (!base.found() || overlay.priority < base.priority) return overlay;
    return base;
  }

  template <typename Flow>
  void Batch(absl::Span<const Flow> flows,
             absl::Span<RuleMatch> matches) const noexcept;

  uint64_t version_ = 0;
  std::shared_ptr<const RuleTable> base_table_;
  std::shared_ptr<const Classifier> base_;
  RuleTable overlay_table_;
  Classifier overlay_;
  std::vector<uint64_t> overlay_ids_;
};

}  // namespace portcullis::nsg

#endif  // PORTCULLIS_NSG_SNAPSHOT_H_
