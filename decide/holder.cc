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
    if (slot_ != nullptr) slot_->in_use.store(false, std::memory_order_release);
    holder_ = other.holder_;
    slot_ = other.slot_;
    other.slot_ = nullptr;
  }
  return *this;
}

SnapshotReader::~SnapshotReader() {
  if (slot_ != nullptr) {
    slot_->hazard.store(nullptr, std::memory_order_release);
    slot_->in_use.store(false, std::memory_order_release);
  }
}

PinnedSnapshot SnapshotReader::Pin() const noexcept {
  // Announce the pointer, then check that it is still current. If it is,
  // every writer that replaces it from now on sees the announcement and
  // keeps it. If not, a writer may already have freed it, so try again.
  const Snapshot* snapshot = holder_->current_.load(std::memory_order_acquire);
  while (true) {
    slot_->hazard.store(snapshot, std::memory_order_seq_cst);
    const Snapshot* again = holder_->current_.load(std::memory_order_seq_cst);
    if (again == snapshot) break;
    snapshot = again;
  }
  return PinnedSnapshot(snapshot, slot_);
}

Decision SnapshotReader::Decide(const Attempt& attempt, absl::Time now) const noexcept {
  PinnedSnapshot pinned = Pin();
  if (!pinned) return DecideWithoutSnapshot(attempt, now);
  return decide::Decide(*pinned, attempt, now);
}

SnapshotHolder::~SnapshotHolder() = default;

absl::StatusOr<SnapshotReader> SnapshotHolder::NewReader() const {
  for (internal::SnapshotSlot& slot : slots_) {
    bool expected = false;
    if (slot.in_use.compare_exchange_strong(expected, true,
                                            std::memory_order_acq_rel)) {
      return SnapshotReader(this, &slot);
    }
  }
  return absl::ResourceExhaustedError(
      "snapshot holder: every reader slot is taken; destroy a reader first");
}

void SnapshotHolder::Publish(std::shared_ptr<const Snapshot> snapshot) {
  std::lock_guard<std::mutex> lock(mutex_);
  current_.store(snapshot.get(), std::memory_order_seq_cst);
  if (current_owner_ != nullptr) retired_.push_back(std::move(current_owner_));
  current_owner_ = std::move(snapshot);
  Reclaim();
}

std::shared_ptr<const Snapshot> SnapshotHolder::Current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_owner_;
}

void SnapshotHolder::CollectRetired() {
  std::lock_guard<std::mutex> lock(mutex_);
  Reclaim();
}

size_t SnapshotHolder::retired_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return retired_.size();
}

void SnapshotHolder::Reclaim() {
  std::vector<std::shared_ptr<const Snapshot>> kept;
  for (std::shared_ptr<const Snapshot>& retired : retired_) {
    bool held = false;
    for (const internal::SnapshotSlot& slot : slots_) {
      if (slot.hazard.load(std::memory_order_seq_cst) == retired.get()) {
        held = true;
        break;
      }
    }
    if (held) kept.push_back(std::move(retired));
  }
  retired_ = std::move(kept);
}

}  // namespace portcullis::decide
