// Hazard pointers (M. M. Michael, "Hazard Pointers: Safe Memory Reclamation
// for Lock-Free Objects", IEEE TPDS 15(6), 2004) for publishing immutable
// snapshots to concurrent readers. nsg/publisher.h publishes classifier
// snapshots with them and decide/holder.h whole decision snapshots.
//
// A writer replaces the current snapshot with one atomic store and keeps the
// old one on a retired list. Each reader owns a slot in which it announces
// the snapshot it is about to use. The writer frees only retired snapshots
// that no slot names.
//
//   sync::HazardSlots<Snapshot, 128> slots;
//   sync::HazardSlot<Snapshot>* slot = slots.Acquire();     // per reader
//   const Snapshot* pinned = slot->Pin(current);            // read path
//   ...
//   slot->Unpin();
//   slots.Reclaim(retired);                                 // writer
//   slot->Release();                                        // reader gone
//
// Each slot is used by one reader thread at a time and announces at most one
// snapshot. Pins on one slot nest: while the slot pins a snapshot, Pin()
// returns that snapshot again instead of announcing the current one, and
// the announcement stays until the last Unpin(). Acquire() and Reclaim()
// may run on any thread.
#ifndef PORTCULLIS_SYNC_HAZARD_SLOTS_H_
#define PORTCULLIS_SYNC_HAZARD_SLOTS_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <vector>

namespace portcullis::sync {

// One reader's hazard pointer, alone on its cache line.
template <typename T>
struct alignas(64) HazardSlot {
  std::atomic<const T*> hazard{nullptr};
  std::atomic<bool> in_use{false};
  // Pins not yet ended by Unpin(). Only the thread that uses the slot reads
  // or writes it, and Release() resets it before the slot is handed on.
  size_t pin_count = 0;

  // Pins the snapshot `current` points to and returns it. When the slot
  // already pins a snapshot, returns that one (nullptr when nothing was
  // published then) and only counts the nested pin. Each call needs one
  // Unpin().
  const T* Pin(const std::atomic<const T*>& current) noexcept {
    if (pin_count++ > 0) return hazard.load(std::memory_order_relaxed);
    return Protect(current);
  }

  // Ends one pin, and withdraws the announcement when it was the last.
  void Unpin() noexcept {
    if (--pin_count == 0) Clear();
  }

  // Announces the snapshot `current` points to and returns it, once it is
  // still current after the announcement. A writer that replaces it later
  // finds the announcement and keeps it. When the writer replaced it in
  // between, its scan may have missed the announcement, so the loop retries
  // with the new one. Both steps are sequentially consistent, so the
  // writer's store and scan cannot both miss it.
  const T* Protect(const std::atomic<const T*>& current) noexcept {
    const T* snapshot = current.load(std::memory_order_acquire);
    for (;;) {
      hazard.store(snapshot, std::memory_order_seq_cst);
      const T* again = current.load(std::memory_order_seq_cst);
      if (again == snapshot) return snapshot;
      snapshot = again;
    }
  }

  // Withdraws the announcement, whatever pins remain. Readers use Unpin().
  void Clear() noexcept { hazard.store(nullptr, std::memory_order_release); }

  // Withdraws the announcement, drops any remaining pins and frees the slot
  // for another reader.
  void Release() noexcept {
    pin_count = 0;
    Clear();
    in_use.store(false, std::memory_order_release);
  }
};

template <typename T, size_t kCount>
class HazardSlots {
 public:
  static constexpr size_t kSlots = kCount;

  // Takes a free slot, or returns nullptr when all kCount are in use.
  HazardSlot<T>* Acquire() noexcept {
    for (HazardSlot<T>& slot : slots_) {
      bool expected = false;
      if (slot.in_use.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
        return &slot;
      }
    }
    return nullptr;
  }

  // Drops from `retired` every owner (a smart pointer to T) whose snapshot
  // no slot announces, which frees the snapshot unless it has other owners.
  // The caller serializes writers.
  template <typename Owner>
  void Reclaim(std::vector<Owner>& retired) const {
    std::vector<const T*> pinned;
    for (const HazardSlot<T>& slot : slots_) {
      const T* hazard = slot.hazard.load(std::memory_order_seq_cst);
      if (hazard != nullptr) pinned.push_back(hazard);
    }
    retired.erase(std::remove_if(retired.begin(), retired.end(),
                                 [&pinned](const Owner& owner) {
                                   return std::find(pinned.begin(), pinned.end(),
                                                    owner.get()) == pinned.end();
                                 }),
                  retired.end());
  }

 private:
  HazardSlot<T> slots_[kCount];
};

}  // namespace portcullis::sync

#endif  // PORTCULLIS_SYNC_HAZARD_SLOTS_H_
