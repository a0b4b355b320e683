#include "nsg/snapshot.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace portcullis::nsg {

absl::StatusOr<std::unique_ptr<const ClassifierSnapshot>> ClassifierSnapshot::Create(
    uint64_t version, std::shared_ptr<const RuleTable> base_table,
    std::shared_ptr<const Classifier> base, std::vector<TableRule> overlay_rules,
    std::vector<uint64_t> overlay_ids, const ClassifierOptions& options) {
  if (base_table == nullptr || base == nullptr) {
    return absl::InvalidArgumentError("base: missing table or classifier");
  }
  if (overlay_ids.size() != overlay_rules.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("overlay_ids: invalid size ", overlay_ids.size(),
                     "; expected one id per overlay rule (", overlay_rules.size(), ")"));
  }
  absl::StatusOr<RuleTable> overlay_table = RuleTable::Create(std::move(overlay_rules));
  if (!overlay_table.ok()) return overlay_table.status();
  absl::StatusOr<Classifier> overlay = Classifier::Compile(*overlay_table, options);
  if (!overlay.ok()) return overlay.status();

  std::unique_ptr<ClassifierSnapshot> snapshot(new ClassifierSnapshot());
  snapshot->version_ = version;
  snapshot->base_table_ = std::move(base_table);
  snapshot->base_ = std::move(base);
  snapshot->overlay_table_ = std::move(*overlay_table);
  snapshot->overlay_ = std::move(*overlay);
  snapshot->overlay_ids_ = std::move(overlay_ids);
  return std::unique_ptr<const ClassifierSnapshot>(std::move(snapshot));
}

template <typename Flow>
void ClassifierSnapshot::Batch(absl::Span<const Flow> flows,
                               absl::Span<RuleMatch> matches) const noexcept {
  base_->LookupBatch(flows, matches);
  if (overlay_table_.size() == 0) return;

  constexpr size_t kChunk = 256;
  RuleMatch overlay[kChunk];
  const size_t count = std::min(flows.size(), matches.size());
  for (size_t begin = 0; begin < count; begin += kChunk) {
    const size_t size = std::min(kChunk, count - begin);
    overlay_.LookupBatch(flows.subspan(begin, size), absl::MakeSpan(overlay, size));
    for (size_t i = 0; i < size; ++i) {
      matches[begin + i] = Merge(matches[begin + i], overlay[i]);
    }
  }
}

void ClassifierSnapshot::LookupBatch(absl::Span<const FlowV4> flows,
                                     absl::Span<RuleMatch> matches) const noexcept {
  Batch(flows, matches);
}

void ClassifierSnapshot::LookupBatch(absl::Span<const FlowV6> flows,
                                     absl::Span<RuleMatch> matches) const noexcept {
  Batch(flows, matches);
}

RuleMatch ClassifierSnapshot::ReferenceLookup(const FlowV4& flow) const {
  return Merge(base_table_->ReferenceLookup(flow), overlay_table_.ReferenceLookup(flow));
}

RuleMatch ClassifierSnapshot::ReferenceLookup(const FlowV6& flow) const {
  return Merge(base_table_->ReferenceLookup(flow), overlay_table_.ReferenceLookup(flow));
}

const TableRule& ClassifierSnapshot::rule(size_t index) const {
  if (index < base_table_->size()) return base_table_->rule(index);
  return overlay_table_.rule(index - base_table_->size());
}

}  // namespace portcullis::nsg
