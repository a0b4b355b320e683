#include "nsg/publisher.h"

#include <algorithm>
#include <utility>

#include "absl/memory/memory.h"
#include "absl/strings/str_cat.h"

namespace portcullis::nsg {

SnapshotReader::SnapshotReader(SnapshotReader&& other) noexcept
    : publisher_(other.publisher_), slot_(other.slot_) {
  other.slot_ = nullptr;
}

SnapshotReader& SnapshotReader::operator=(SnapshotReader&& other) noexcept {
  if (this != &other) {
    if (slot_ != nullptr) slot_->Release();
    publisher_ = other.publisher_;
    slot_ = other.slot_;
    other.slot_ = nullptr;
  }
  return *this;
}

SnapshotReader::~SnapshotReader() {
  if (slot_ != nullptr) slot_->Release();
}

SnapshotGuard SnapshotReader::Pin() const noexcept {
  return SnapshotGuard(slot_->Pin(publisher_->current_), slot_);
}

absl::StatusOr<std::unique_ptr<ClassifierPublisher>> ClassifierPublisher::Create(
    std::shared_ptr<const RuleTable> table, const PublisherOptions& options) {
  std::unique_ptr<ClassifierPublisher> publisher =
      absl::WrapUnique(new ClassifierPublisher(options));
  absl::Status status = publisher->Publish(std::move(table));
  if (!status.ok()) return status;
  return publisher;
}

absl::StatusOr<std::unique_ptr<ClassifierPublisher>> ClassifierPublisher::Create(
    std::shared_ptr<const RuleTable> table, std::shared_ptr<const Classifier> compiled,
    const PublisherOptions& options) {
  if (table == nullptr || compiled == nullptr) {
    return absl::InvalidArgumentError("table: missing table or classifier");
  }
  if (compiled->rule_count() != table->size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("classifier: compiled from ", compiled->rule_count(),
                     " rules, but the table has ", table->size()));
  }
  std::unique_ptr<ClassifierPublisher> publisher =
      absl::WrapUnique(new ClassifierPublisher(options));
  absl::Status status = publisher->PublishCompiled(std::move(table), std::move(compiled));
  if (!status.ok()) return status;
  return publisher;
}

ClassifierPublisher::~ClassifierPublisher() {
  delete current_.load(std::memory_order_acquire);
}

absl::StatusOr<SnapshotReader> ClassifierPublisher::NewReader() const {
  if (internal::ReaderSlot* slot = slots_.Acquire(); slot != nullptr) {
    return SnapshotReader(this, slot);
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("readers: all ", kMaxReaders,
                   " reader slots are in use; destroy an unused SnapshotReader"));
}

absl::Status ClassifierPublisher::Publish(std::shared_ptr<const RuleTable> table) {
  if (table == nullptr) return absl::InvalidArgumentError("table: missing");
  absl::StatusOr<Classifier> compiled = Classifier::Compile(*table, options_.classifier);
  if (!compiled.ok()) return compiled.status();
  return PublishCompiled(std::move(table),
                         std::make_shared<const Classifier>(std::move(*compiled)));
}

absl::Status ClassifierPublisher::PublishCompiled(std::shared_ptr<const RuleTable> table,
                                                  std::shared_ptr<const Classifier> compiled) {
  std::lock_guard<std::mutex> lock(mutex_);
  const ClassifierSnapshot* current = current_.load(std::memory_order_acquire);
  const uint64_t version = current == nullptr ? 1 : current->version() + 1;
  absl::StatusOr<std::unique_ptr<const ClassifierSnapshot>> next = ClassifierSnapshot::Create(
      version, std::move(table), std::move(compiled), {}, {}, options_.classifier);
  if (!next.ok()) return next.status();
  Install(std::move(*next));
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> ClassifierPublisher::AddRule(TableRule rule) {
  std::lock_guard<std::mutex> lock(mutex_);
  const ClassifierSnapshot& current = *current_.load(std::memory_order_acquire);
  std::vector<TableRule> rules = current.overlay_table().rules();
  std::vector<uint64_t> ids = current.overlay_ids();
  rules.push_back(std::move(rule));
  const uint64_t id = next_rule_id_++;
  ids.push_back(id);

  absl::Status status = rules.size() > options_.max_overlay_rules
                            ? RebuildLocked(std::move(rules))
                            : PublishOverlay(std::move(rules), std::move(ids));
  if (!status.ok()) return status;
  return id;
}

absl::Status ClassifierPublisher::RemoveRule(uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  const ClassifierSnapshot& current = *current_.load(std::memory_order_acquire);
  std::vector<TableRule> rules = current.overlay_table().rules();
  std::vector<uint64_t> ids = current.overlay_ids();
  auto it = std::find(ids.begin(), ids.end(), id);
  if (it == ids.end()) {
    return absl::NotFoundError(
        absl::StrCat("overlay rule ", id, ": not found; it was never added, was "
                     "removed, or was folded into the base by a rebuild"));
  }
  const size_t position = static_cast<size_t>(it - ids.begin());
  rules.erase(rules.begin() + position);
  ids.erase(it);
  return PublishOverlay(std::move(rules), std::move(ids));
}

absl::Status ClassifierPublisher::Consolidate() {
  std::lock_guard<std::mutex> lock(mutex_);
  return RebuildLocked(current_.load(std::memory_order_acquire)->overlay_table().rules());
}

absl::Status ClassifierPublisher::PublishOverlay(std::vector<TableRule> rules,
                                                 std::vector<uint64_t> ids) {
  const ClassifierSnapshot& current = *current_.load(std::memory_order_acquire);
  absl::StatusOr<std::unique_ptr<const ClassifierSnapshot>> next =
      ClassifierSnapshot::Create(current.version() + 1, current.base_table(),
                                 current.base(), std::move(rules), std::move(ids),
                                 options_.classifier);
  if (!next.ok()) return next.status();
  Install(std::move(*next));
  return absl::OkStatus();
}

absl::Status ClassifierPublisher::RebuildLocked(std::vector<TableRule> extra_rules) {
  const ClassifierSnapshot& current = *current_.load(std::memory_order_acquire);
  std::vector<TableRule> rules = current.base_table()->rules();
  rules.insert(rules.end(), std::make_move_iterator(extra_rules.begin()),
               std::make_move_iterator(extra_rules.end()));
  absl::StatusOr<RuleTable> table = RuleTable::Create(std::move(rules));
  if (!table.ok()) return table.status();
  absl::StatusOr<Classifier> compiled = Classifier::Compile(*table, options_.classifier);
  if (!compiled.ok()) return compiled.status();

  absl::StatusOr<std::unique_ptr<const ClassifierSnapshot>> next =
      ClassifierSnapshot::Create(
          current.version() + 1, std::make_shared<const RuleTable>(std::move(*table)),
          std::make_shared<const Classifier>(std::move(*compiled)), {}, {},
          options_.classifier);
  if (!next.ok()) return next.status();
  Install(std::move(*next));
  return absl::OkStatus();
}

void ClassifierPublisher::Install(std::unique_ptr<const ClassifierSnapshot> next) {
  const ClassifierSnapshot* previous =
      current_.exchange(next.release(), std::memory_order_seq_cst);
  if (previous != nullptr) retired_.emplace_back(previous);
  slots_.Reclaim(retired_);
}

void ClassifierPublisher::CollectRetired() {
  std::lock_guard<std::mutex> lock(mutex_);
  slots_.Reclaim(retired_);
}

size_t ClassifierPublisher::retired_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return retired_.size();
}

}  // namespace portcullis::nsg
