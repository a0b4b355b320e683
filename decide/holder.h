// Publication of whole decision snapshots to concurrent readers.
//
// A gateway decides connections on many threads while a control thread
// rebuilds the snapshot when an input changes (a policy edit, a PIM
// activation, a JIT grant). Publish() swaps the current snapshot with one
// atomic pointer store, so every decision reads one snapshot, never parts of
// two. A replaced snapshot is freed only when no reader still holds it:
// readers announce the snapshot they use in the hazard pointers of
// sync/hazard_slots.h, as nsg/publisher.h does for classifier snapshots.
//
//   SnapshotHolder holder;
//   holder.Publish(*Snapshot::Build(input, options));
//   absl::StatusOr<SnapshotReader> reader = holder.NewReader();   // per thread
//
//   // Reader thread:
//   Decision decision = reader->Decide(attempt, now);
//   // or, to explain it from the same snapshot:
//   PinnedSnapshot pinned = reader->Pin();
//   Decision d = reader->Decide(attempt, now);     // decides from *pinned
//   std::vector<LayerReport> why = Explain(*pinned, attempt, d);
//
// Pins on one reader nest. While a reader pins a snapshot, its Pin()
// returns that snapshot again and its Decide() decides from it, even when a
// newer one has been published since, and the snapshot stays pinned until
// the reader's last PinnedSnapshot is destroyed. To decide from the newest
// snapshot, destroy the reader's pins first.
//
// Cost on the read path: the first Pin() is one sequentially consistent
// store and two loads, and unpinning the last one is one release store. A
// nested pin only counts. No reference count is touched.
//
// Thread safety: Publish(), Current() and CollectRetired() may be called
// from any thread and are serialized by a std::mutex. Each SnapshotReader is
// used by one thread at a time, and creating or destroying one of its
// PinnedSnapshot objects counts as a use. Every PinnedSnapshot must be
// destroyed before its reader, and all readers before the holder.
#ifndef PORTCULLIS_DECIDE_HOLDER_H_
#define PORTCULLIS_DECIDE_HOLDER_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "decide/decide.h"
#include "decide/snapshot.h"
#include "sync/hazard_slots.h"

namespace portcullis::decide {

namespace internal {
using ReaderSlot = sync::HazardSlot<Snapshot>;
}  // namespace internal

// A snapshot pinned by a reader: valid until the PinnedSnapshot is
// destroyed. Empty (false) when the reader's outermost pin found nothing
// published. Move-only.
class PinnedSnapshot {
 public:
  PinnedSnapshot(PinnedSnapshot&& other) noexcept
      : snapshot_(other.snapshot_), slot_(other.slot_) {
    other.slot_ = nullptr;
  }
  PinnedSnapshot& operator=(PinnedSnapshot&&) = delete;
  PinnedSnapshot(const PinnedSnapshot&) = delete;
  ~PinnedSnapshot() {
    if (slot_ != nullptr) slot_->Unpin();
  }

  explicit operator bool() const { return snapshot_ != nullptr; }
  const Snapshot& operator*() const { return *snapshot_; }
  const Snapshot* operator->() const { return snapshot_; }
  const Snapshot* get() const { return snapshot_; }

 private:
  friend class SnapshotReader;
  PinnedSnapshot(const Snapshot* snapshot, internal::ReaderSlot* slot)
      : snapshot_(snapshot), slot_(slot) {}

  const Snapshot* snapshot_;
  internal::ReaderSlot* slot_;
};

class SnapshotHolder;

// A registered reader of a holder. Move-only; frees its slot when destroyed.
class SnapshotReader {
 public:
  SnapshotReader(SnapshotReader&& other) noexcept;
  SnapshotReader& operator=(SnapshotReader&& other) noexcept;
  SnapshotReader(const SnapshotReader&) = delete;
  ~SnapshotReader();

  // Pins the current snapshot until the returned object is destroyed. When
  // this reader already pins a snapshot, returns that one again.
  PinnedSnapshot Pin() const noexcept;

  // Pins, decides and unpins, so it decides from the snapshot this reader
  // already pins, if any, and leaves that pin in place. Without a snapshot
  // every applicable layer fails with kNoSnapshot, which denies. The
  // decision keeps no pointer into the snapshot, so Explain() needs the
  // snapshot whose id it records.
  Decision Decide(const Attempt& attempt, absl::Time now) const noexcept;

 private:
  friend class SnapshotHolder;
  SnapshotReader(const SnapshotHolder* holder, internal::ReaderSlot* slot)
      : holder_(holder), slot_(slot) {}

  const SnapshotHolder* holder_;
  internal::ReaderSlot* slot_;
};

class SnapshotHolder {
 public:
  // Maximum number of SnapshotReader objects alive at once.
  static constexpr size_t kMaxReaders = 128;

  // A holder with nothing published.
  SnapshotHolder() = default;
  SnapshotHolder(const SnapshotHolder&) = delete;
  SnapshotHolder& operator=(const SnapshotHolder&) = delete;
  ~SnapshotHolder();

  // Registers a reader. Fails with kResourceExhausted when kMaxReaders
  // readers are alive.
  absl::StatusOr<SnapshotReader> NewReader() const;

  // Makes `snapshot` current (nullptr withdraws the current one, so
  // decisions deny) and frees replaced snapshots that no reader holds.
  void Publish(std::shared_ptr<const Snapshot> snapshot);

  // The current snapshot, for writers and tools; readers use Pin().
  std::shared_ptr<const Snapshot> Current() const;

  // Frees the replaced snapshots that no reader holds any more.
  void CollectRetired();

  // Replaced snapshots not yet freed because a reader may still hold them.
  size_t retired_count() const;

 private:
  friend class SnapshotReader;

  std::atomic<const Snapshot*> current_{nullptr};
  mutable sync::HazardSlots<Snapshot, kMaxReaders> slots_;

  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> current_owner_;
  std::vector<std::shared_ptr<const Snapshot>> retired_;
};

}  // namespace portcullis::decide

#endif  // PORTCULLIS_DECIDE_HOLDER_H_
