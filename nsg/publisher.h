// Publication of classifier snapshots to concurrent readers.
//
// Readers keep classifying from one snapshot while a writer prepares the
// next and publishes it with one atomic pointer exchange. A retired
// snapshot is freed only once no reader can still hold it. The hazard
// pointers of sync/hazard_slots.h track this. Each reader owns a slot in
// which it announces the snapshot it is about to use, and the writer frees
// only retired snapshots that no slot names.
//
//   absl::StatusOr<std::unique_ptr<ClassifierPublisher>> publisher =
//       ClassifierPublisher::Create(std::make_shared<const RuleTable>(table));
//   absl::StatusOr<SnapshotReader> reader = (*publisher)->NewReader();
//
//   // Reader thread: pin once per burst, classify many flows.
//   {
//     SnapshotGuard snapshot = reader->Pin();
//     snapshot->LookupBatch(flows, absl::MakeSpan(matches));
//   }
//
//   // Writer: a just-in-time grant, published without a full rebuild.
//   absl::StatusOr<uint64_t> grant = (*publisher)->AddRule(rule);
//   ...
//   (*publisher)->RemoveRule(*grant);
//
// Pins on one reader nest. While a reader has a live guard, its Pin()
// returns the guarded snapshot again and its Lookup() classifies from it,
// even when a newer one has been published since. The snapshot stays pinned
// until the reader's last guard is destroyed.
//
// Cost on the read path: the first Pin() is one sequentially consistent
// store and two loads, and destroying the last guard is one release store.
// A nested pin only counts. No reference counts are touched, so readers on
// different cores do not contend on a shared cache line.
// std::atomic<std::shared_ptr> was not used: GCC 12's
// libstdc++ offers it only under C++20 (the project builds C++17), and its
// load takes a lock bit and increments the shared count on every call.
//
// Small changes (AddRule, RemoveRule) go to an overlay compiled on its own
// (see snapshot.h); once the overlay grows past
// PublisherOptions::max_overlay_rules, the next change folds it into a full
// rebuild of the base.
//
// Thread safety: writer methods (Publish, AddRule, RemoveRule, Consolidate)
// may be called from any thread and are serialized by a std::mutex. Each
// SnapshotReader is used by one thread at a time, and creating or
// destroying one of its guards counts as a use. Every guard must be
// destroyed before its reader, and all readers before the publisher.
#ifndef PORTCULLIS_NSG_PUBLISHER_H_
#define PORTCULLIS_NSG_PUBLISHER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nsg/classifier.h"
#include "nsg/rule_table.h"
#include "nsg/snapshot.h"
#include "sync/hazard_slots.h"

namespace portcullis::nsg {

struct PublisherOptions {
  ClassifierOptions classifier;
  // Overlay size past which a change triggers a full rebuild of the base.
  size_t max_overlay_rules = 64;
};

namespace internal {
using ReaderSlot = sync::HazardSlot<ClassifierSnapshot>;
}  // namespace internal

// A pinned snapshot: valid until the guard is destroyed. Move-only.
class SnapshotGuard {
 public:
  SnapshotGuard(SnapshotGuard&& other) noexcept
      : snapshot_(other.snapshot_), slot_(other.slot_) {
    other.slot_ = nullptr;
  }
  SnapshotGuard& operator=(SnapshotGuard&&) = delete;
  SnapshotGuard(const SnapshotGuard&) = delete;
  ~SnapshotGuard() {
    if (slot_ != nullptr) slot_->Unpin();
  }

  const ClassifierSnapshot& operator*() const { return *snapshot_; }
  const ClassifierSnapshot* operator->() const { return snapshot_; }

 private:
  friend class SnapshotReader;
  SnapshotGuard(const ClassifierSnapshot* snapshot, internal::ReaderSlot* slot)
      : snapshot_(snapshot), slot_(slot) {}

  const ClassifierSnapshot* snapshot_;
  internal::ReaderSlot* slot_;
};

class ClassifierPublisher;

// A registered reader of a publisher. Move-only; releases its slot when
// destroyed.
class SnapshotReader {
 public:
  SnapshotReader(SnapshotReader&& other) noexcept;
  SnapshotReader& operator=(SnapshotReader&& other) noexcept;
  SnapshotReader(const SnapshotReader&) = delete;
  ~SnapshotReader();

  // Pins the current snapshot until the guard is destroyed. When this
  // reader already has a live guard, returns that guard's snapshot again.
  SnapshotGuard Pin() const noexcept;

  // Pins, classifies one flow and unpins, so it classifies from the
  // snapshot this reader already pins, if any, and leaves that pin in place.
  RuleMatch Lookup(const FlowV4& flow) const noexcept { return Pin()->Lookup(flow); }
  RuleMatch Lookup(const FlowV6& flow) const noexcept { return Pin()->Lookup(flow); }

 private:
  friend class ClassifierPublisher;
  SnapshotReader(const ClassifierPublisher* publisher, internal::ReaderSlot* slot)
      : publisher_(publisher), slot_(slot) {}

  const ClassifierPublisher* publisher_;
  internal::ReaderSlot* slot_;
};

class ClassifierPublisher {
 public:
  // Maximum number of SnapshotReader objects alive at once.
  static constexpr size_t kMaxReaders = 128;

  // Compiles `table` and publishes it as version 1.
  static absl::StatusOr<std::unique_ptr<ClassifierPublisher>> Create(
      std::shared_ptr<const RuleTable> table, const PublisherOptions& options = {});

  // Publishes `table` with `compiled`, a classifier already compiled from
  // it (for example on another thread), as version 1. Fails when the rule
  // counts differ; beyond that, pairing them correctly is the caller's duty.
  static absl::StatusOr<std::unique_ptr<ClassifierPublisher>> Create(
      std::shared_ptr<const RuleTable> table, std::shared_ptr<const Classifier> compiled,
      const PublisherOptions& options = {});

  ClassifierPublisher(const ClassifierPublisher&) = delete;
  ClassifierPublisher& operator=(const ClassifierPublisher&) = delete;
  ~ClassifierPublisher();

  // Registers a reader. Fails with kResourceExhausted when kMaxReaders
  // readers are alive.
  absl::StatusOr<SnapshotReader> NewReader() const;

  // Compiles `table` as the new base, drops the overlay and publishes.
  absl::Status Publish(std::shared_ptr<const RuleTable> table);

  // Adds `rule` to the overlay and publishes. Returns the rule's id for
  // RemoveRule. Overlay rules follow the base rules in index order.
  absl::StatusOr<uint64_t> AddRule(TableRule rule);

  // Removes the overlay rule `id` and publishes. Fails with kNotFound for
  // an id that is not in the overlay (never added, removed, or folded into
  // the base by a rebuild).
  absl::Status RemoveRule(uint64_t id);

  // Folds the overlay into a rebuilt base and publishes.
  absl::Status Consolidate();

  // The snapshot most recently published, for writers and tests. Readers
  // use SnapshotReader::Pin instead: this pointer may be freed by the next
  // publication.
  const ClassifierSnapshot& current_for_writer() const {
    return *current_.load(std::memory_order_acquire);
  }

  // Frees the retired snapshots that no reader has pinned any more. Every
  // publication does this too; call it to release memory after readers
  // unpin without a further publication.
  void CollectRetired();

  // Retired snapshots not yet freed because a reader may still hold them.
  size_t retired_count() const;

 private:
  friend class SnapshotReader;

  explicit ClassifierPublisher(const PublisherOptions& options) : options_(options) {}

  // Replaces the current snapshot and frees what no reader holds. Requires
  // mutex_.
  void Install(std::unique_ptr<const ClassifierSnapshot> next);
  absl::Status PublishCompiled(std::shared_ptr<const RuleTable> table,
                               std::shared_ptr<const Classifier> compiled);
  absl::Status PublishOverlay(std::vector<TableRule> rules, std::vector<uint64_t> ids);
  absl::Status RebuildLocked(std::vector<TableRule> extra_rules);

  const PublisherOptions options_;
  std::atomic<const ClassifierSnapshot*> current_{nullptr};
  mutable sync::HazardSlots<ClassifierSnapshot, kMaxReaders> slots_;

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<const ClassifierSnapshot>> retired_;
  uint64_t next_rule_id_ = 1;
};

}  // namespace portcullis::nsg

#endif  // PORTCULLIS_NSG_PUBLISHER_H_
