#include "decide/holder.h"

#include <utility>

#include "absl/status/status.h"

namespace portcullis::decide {

SnapshotReader::SnapshotReader(SnapshotReader&& other) noexcept
    : holder_(other.holder_), slot_(other.slot_) {
  other.slot_ = nullptr;
}

SnapshotReader& SnapshotReader::operator=(SnapshotReader&& other) noexcept {
  if (this != &other) {
    if (slot_ != nullptr) slot_->Release();
    holder_ = other.holder_;
    slot_ = other.slot_;
    other.slot_ = nullptr;
  }
  return *this;
}

SnapshotReader::~SnapshotReader() {
  if (slot_ != nullptr) slot_->Release();
}

PinnedSnapshot SnapshotReader::Pin() const noexcept {
  return PinnedSnapshot(slot_->Pin(holder_->current_), slot_);
}

Decision SnapshotReader::Decide(const Attempt& attempt, absl::Time now) const noexcept {
  PinnedSnapshot pinned = Pin();
  if (!pinned) return DecideWithoutSnapshot(attempt, now);
  return decide::Decide(*pinned, attempt, now);
}

SnapshotHolder::~SnapshotHolder() = default;

absl::StatusOr<SnapshotReader> SnapshotHolder::NewReader() const {
  if (internal::ReaderSlot* slot = slots_.Acquire(); slot != nullptr) {
    return SnapshotReader(this, slot);
  }
  return absl::ResourceExhaustedError(
      "snapshot holder: every reader slot is taken; destroy a reader first");
}

void SnapshotHolder::Publish(std::shared_ptr<const Snapshot> snapshot) {
  std::lock_guard<std::mutex> lock(mutex_);
  current_.store(snapshot.get(), std::memory_order_seq_cst);
  if (current_owner_ != nullptr) retired_.push_back(std::move(current_owner_));
  current_owner_ = std::move(snapshot);
  slots_.Reclaim(retired_);
}

std::shared_ptr<const Snapshot> SnapshotHolder::Current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_owner_;
}

void SnapshotHolder::CollectRetired() {
  std::lock_guard<std::mutex> lock(mutex_);
  slots_.Reclaim(retired_);
}

size_t SnapshotHolder::retired_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return retired_.size();
}

}  // namespace portcullis::decide
