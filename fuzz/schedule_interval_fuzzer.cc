// Fuzzes the IntervalSet algebra. The input bytes describe two lists of
// windows on a small grid. Every operation must match a model that decides
// membership instant by instant. Every result must be canonical: sorted,
// disjoint, not touching, none empty.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "schedule/interval.h"

namespace {

using portcullis::schedule::IntervalSet;
using portcullis::schedule::Window;

// Byte 255 as a bound means an infinite bound; other bytes are seconds.
absl::Time StartFrom(uint8_t byte) {
  return byte == 255 ? absl::InfinitePast() : absl::FromUnixSeconds(byte);
}
absl::Time EndFrom(uint8_t byte) {
  return byte == 255 ? absl::InfiniteFuture() : absl::FromUnixSeconds(byte);
}

bool ModelContains(const std::vector<Window>& windows, absl::Time t) {
  for (const Window& w : windows) {
    if (w.Contains(t)) return true;
  }
  return false;
}

void CheckCanonical(const IntervalSet& set) {
  const std::vector<Window>& windows = set.windows();
  for (size_t i = 0; i < windows.size(); ++i) {
    if (windows[i].empty()) __builtin_trap();
    if (i > 0 && !(windows[i - 1].end < windows[i].start)) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t split = data[0];
  std::vector<Window> a_windows;
  std::vector<Window> b_windows;
  for (size_t i = 1; i + 1 < size && a_windows.size() + b_windows.size() < 64;
       i += 2) {
    const Window w{StartFrom(data[i]), EndFrom(data[i + 1])};
    (i / 2 < split ? a_windows : b_windows).push_back(w);
  }

  const IntervalSet a = IntervalSet::FromWindows(a_windows);
  const IntervalSet b = IntervalSet::FromWindows(b_windows);
  IntervalSet a_added;
  for (const Window& w : a_windows) a_added.Add(w);
  if (a_added != a) __builtin_trap();

  const IntervalSet unioned = a.Union(b);
  const IntervalSet intersected = a.Intersect(b);
  const IntervalSet difference = a.Difference(b);
  CheckCanonical(a);
  CheckCanonical(b);
  CheckCanonical(unioned);
  CheckCanonical(intersected);
  CheckCanonical(difference);

  std::vector<absl::Time> probes = {absl::InfinitePast(),
                                    absl::InfiniteFuture()};
  for (int s = -1; s <= 256; ++s) {
    probes.push_back(absl::FromUnixSeconds(s));
    probes.push_back(absl::FromUnixMillis(s * 1000 + 500));
  }
  for (absl::Time t : probes) {
    const bool in_a = ModelContains(a_windows, t);
    const bool in_b = ModelContains(b_windows, t);
    if (a.Contains(t) != in_a) __builtin_trap();
    if (unioned.Contains(t) != (in_a || in_b)) __builtin_trap();
    if (intersected.Contains(t) != (in_a && in_b)) __builtin_trap();
    if (difference.Contains(t) != (in_a && !in_b)) __builtin_trap();

    const std::optional<absl::Time> opening = a.NextOpening(t);
    if (in_a && opening != t) __builtin_trap();
    if (opening && !a.Contains(*opening)) __builtin_trap();
    const std::optional<absl::Time> closing = a.NextClosing(t);
    if (closing.has_value() != in_a) __builtin_trap();
    if (closing && (a.Contains(*closing) || *closing <= t)) __builtin_trap();
  }
  return 0;
}
