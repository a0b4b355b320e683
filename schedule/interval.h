// Half-open time windows and sets of them.
//
// Every access window in Portcullis is a half-open interval [start, end) of
// UTC instants: a PIM activation, a JIT grant, an eligibility, a work-hour
// window. A window that ends at 17:00 no longer contains 17:00, so two windows
// that touch never both claim the boundary. IntervalSet keeps a union of
// windows in canonical form (sorted, disjoint, not touching, none empty), and
// combines sets the way the layers meet:
//
//   IntervalSet granted = IntervalSet::Of({activation_start, activation_end});
//   IntervalSet usable = granted.Intersect(work_hours).Difference(holidays);
//   if (usable.Contains(now)) { ...; usable.NextClosing(now); }
//
// absl::InfinitePast() and absl::InfiniteFuture() are valid bounds, so
// "from now on" is {now, absl::InfiniteFuture()}.
#ifndef PORTCULLIS_SCHEDULE_INTERVAL_H_
#define PORTCULLIS_SCHEDULE_INTERVAL_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace portcullis::schedule {

// A half-open window [start, end). A window with end <= start is empty.
struct Window {
  absl::Time start;
  absl::Time end;

  bool empty() const { return end <= start; }
  // True when start <= t < end.
  bool Contains(absl::Time t) const { return start <= t && t < end; }
  // end - start, or zero for an empty window. Infinite for unbounded windows.
  absl::Duration length() const {
    return empty() ? absl::ZeroDuration() : end - start;
  }
  // "[2026-03-08T07:00:00Z, 2026-03-08T15:00:00Z)" in RFC 3339.
  std::string ToString() const;

  friend bool operator==(const Window& a, const Window& b) {
    return a.start == b.start && a.end == b.end;
  }
  friend bool operator!=(const Window& a, const Window& b) { return !(a == b); }
};

std::ostream& operator<<(std::ostream& os, const Window& window);

// A set of instants, kept as sorted, disjoint, non-adjacent, non-empty
// half-open windows. A value type: copies are independent, and const methods
// may be called from several threads at once; mutation needs exclusive
// access. Queries take O(log n); set operations take O(n + m).
class IntervalSet {
 public:
  IntervalSet() = default;

  // The set holding `window`, or the empty set when `window` is empty.
  static IntervalSet Of(Window window);

  // The union of `windows`, given in any order. Overlapping and touching
  // windows merge, and empty ones are dropped. Takes O(n log n).
  static IntervalSet FromWindows(std::vector<Window> windows);

  // Adds `window` to the set, merging it with the windows it overlaps or
  // touches. Takes O(n).
  void Add(Window window);

  IntervalSet Union(const IntervalSet& other) const;
  IntervalSet Intersect(const IntervalSet& other) const;
  // The instants of this set that are not in `other`.
  IntervalSet Difference(const IntervalSet& other) const;

  bool Contains(absl::Time t) const;

  // Returns `t` when the set contains it, else the start of the first window
  // after `t`, or nullopt when no window follows.
  std::optional<absl::Time> NextOpening(absl::Time t) const;

  // Returns the end of the window that contains `t`, or nullopt when `t` is
  // outside the set. Because windows never touch, the set does not contain
  // the returned instant.
  std::optional<absl::Time> NextClosing(absl::Time t) const;

  // Returns the window that contains `t`, or nullopt.
  std::optional<Window> WindowAt(absl::Time t) const;

  const std::vector<Window>& windows() const { return windows_; }
  bool empty() const { return windows_.empty(); }

  // The windows joined by " U ", or "{}" for the empty set.
  std::string ToString() const;

  friend bool operator==(const IntervalSet& a, const IntervalSet& b) {
    return a.windows_ == b.windows_;
  }
  friend bool operator!=(const IntervalSet& a, const IntervalSet& b) {
    return !(a == b);
  }

 private:
  // Index of the first window whose end is after `t`, or windows_.size()
  // when there is none. That window contains `t` exactly when start <= t.
  size_t FirstEndingAfter(absl::Time t) const;

  std::vector<Window> windows_;
};

std::ostream& operator<<(std::ostream& os, const IntervalSet& set);

}  // namespace portcullis::schedule

#endif  // PORTCULLIS_SCHEDULE_INTERVAL_H_
