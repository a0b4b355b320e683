#include "schedule/interval.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "schedule/rfc3339.h"

namespace portcullis::schedule {

std::string Window::ToString() const {
  return absl::StrCat("[", FormatRfc3339(start), ", ", FormatRfc3339(end),
                      ")");
}

std::ostream& operator<<(std::ostream& os, const Window& window) {
  return os << window.ToString();
}

IntervalSet IntervalSet::Of(Window window) {
  IntervalSet set;
  if (!window.empty()) set.windows_.push_back(window);
  return set;
}

IntervalSet IntervalSet::FromWindows(std::vector<Window> windows) {
  windows.erase(std::remove_if(windows.begin(), windows.end(),
                               [](const Window& w) { return w.empty(); }),
                windows.end());
  std::sort(windows.begin(), windows.end(),
            [](const Window& a, const Window& b) { return a.start < b.start; });

  IntervalSet set;
  for (const Window& window : windows) {
    if (!set.windows_.empty() && window.start <= set.windows_.back().end) {
      set.windows_.back().end = std::max(set.windows_.back().end, window.end);
    } else {
      set.windows_.push_back(window);
    }
  }
  return set;
}

void IntervalSet::Add(Window window) {
  if (window.empty()) return;

  // Windows [first, last) overlap or touch `window`: each ends at or after
  // window.start and starts at or before window.end.
  auto first = std::lower_bound(
      windows_.begin(), windows_.end(), window.start,
      [](const Window& w, absl::Time t) { return w.end < t; });
  auto last = std::upper_bound(
      first, windows_.end(), window.end,
      [](absl::Time t, const Window& w) { return t < w.start; });
  if (first != last) {
    window.start = std::min(window.start, first->start);
    window.end = std::max(window.end, (last - 1)->end);
  }
  auto position = windows_.erase(first, last);
  windows_.insert(position, window);
}

IntervalSet IntervalSet::Union(const IntervalSet& other) const {
  IntervalSet result;
  result.windows_.reserve(windows_.size() + other.windows_.size());
  size_t i = 0;
  size_t j = 0;
  while (i < windows_.size() || j < other.windows_.size()) {
    const Window* next;
    if (j == other.windows_.size() ||
        (i < windows_.size() && windows_[i].start <= other.windows_[j].start)) {
      next = &windows_[i++];
    } else {
      next = &other.windows_[j++];
    }
    if (!result.windows_.empty() && next->start <= result.windows_.back().end) {
      result.windows_.back().end = std::max(result.windows_.back().end, next->end);
    } else {
      result.windows_.push_back(*next);
    }
  }
  return result;
}

IntervalSet IntervalSet::Intersect(const IntervalSet& other) const {
  IntervalSet result;
  size_t i = 0;
  size_t j = 0;
  while (i < windows_.size() && j < other.windows_.size()) {
    const Window& a = windows_[i];
    const Window& b = other.windows_[j];
    const Window overlap{std::max(a.start, b.start), std::min(a.end, b.end)};
    // Pieces of two canonical sets never touch each other, so the overlaps
    // come out sorted, disjoint and not touching.
    if (!overlap.empty()) result.windows_.push_back(overlap);
    if (a.end < b.end) {
      ++i;
    } else {
      ++j;
    }
  }
  return result;
}

IntervalSet IntervalSet::Difference(const IntervalSet& other) const {
  IntervalSet result;
  size_t j = 0;
  for (const Window& window : windows_) {
    absl::Time cursor = window.start;
    // Skip the windows of `other` that end before this window starts.
    while (j < other.windows_.size() && other.windows_[j].end <= cursor) ++j;
    size_t k = j;
    while (k < other.windows_.size() && other.windows_[k].start < window.end) {
      const Window& cut = other.windows_[k];
      if (cut.start > cursor) result.windows_.push_back({cursor, cut.start});
      cursor = std::max(cursor, cut.end);
      if (cut.end >= window.end) break;
      ++k;
    }
    if (cursor < window.end) result.windows_.push_back({cursor, window.end});
    j = k;
  }
  return result;
}

size_t IntervalSet::FirstEndingAfter(absl::Time t) const {
  auto it = std::upper_bound(
      windows_.begin(), windows_.end(), t,
      [](absl::Time value, const Window& w) { return value < w.end; });
  return static_cast<size_t>(it - windows_.begin());
}

bool IntervalSet::Contains(absl::Time t) const {
  const size_t i = FirstEndingAfter(t);
  return i < windows_.size() && windows_[i].start <= t;
}

std::optional<absl::Time> IntervalSet::NextOpening(absl::Time t) const {
  const size_t i = FirstEndingAfter(t);
  if (i == windows_.size()) return std::nullopt;
  return std::max(t, windows_[i].start);
}

std::optional<absl::Time> IntervalSet::NextClosing(absl::Time t) const {
  std::optional<Window> window = WindowAt(t);
  if (!window) return std::nullopt;
  return window->end;
}

std::optional<Window> IntervalSet::WindowAt(absl::Time t) const {
  const size_t i = FirstEndingAfter(t);
  if (i == windows_.size() || windows_[i].start > t) return std::nullopt;
  return windows_[i];
}

std::string IntervalSet::ToString() const {
  if (windows_.empty()) return "{}";
  return absl::StrJoin(windows_, " U ",
                       [](std::string* out, const Window& w) {
                         out->append(w.ToString());
                       });
}

std::ostream& operator<<(std::ostream& os, const IntervalSet& set) {
  return os << set.ToString();
}

}  // namespace portcullis::schedule
