#include "schedule/interval.h"

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace portcullis::schedule {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

// Instants on a small grid of seconds after the epoch keep cases readable.
absl::Time T(int seconds) { return absl::FromUnixSeconds(seconds); }
Window W(int start, int end) { return {T(start), T(end)}; }

const absl::Time kPast = absl::InfinitePast();
const absl::Time kFuture = absl::InfiniteFuture();

TEST(WindowTest, HalfOpen) {
  const Window w = W(10, 20);
  EXPECT_FALSE(w.Contains(T(9)));
  EXPECT_TRUE(w.Contains(T(10)));
  EXPECT_TRUE(w.Contains(T(20) - absl::Nanoseconds(1)));
  EXPECT_FALSE(w.Contains(T(20)));
  EXPECT_EQ(w.length(), absl::Seconds(10));
  EXPECT_FALSE(w.empty());
}

TEST(WindowTest, EmptyAndReversed) {
  EXPECT_TRUE(W(10, 10).empty());
  EXPECT_TRUE(W(20, 10).empty());
  EXPECT_FALSE(W(10, 10).Contains(T(10)));
  EXPECT_EQ(W(20, 10).length(), absl::ZeroDuration());
}

TEST(WindowTest, Unbounded) {
  const Window all{kPast, kFuture};
  EXPECT_TRUE(all.Contains(T(0)));
  EXPECT_EQ(all.length(), absl::InfiniteDuration());
  EXPECT_EQ(all.ToString(), "[infinite-past, infinite-future)");
  EXPECT_EQ(W(0, 60).ToString(),
            "[1970-01-01T00:00:00Z, 1970-01-01T00:01:00Z)");
}

TEST(IntervalSetTest, OfEmptyWindowIsEmpty) {
  EXPECT_TRUE(IntervalSet::Of(W(5, 5)).empty());
  EXPECT_TRUE(IntervalSet::Of(W(6, 5)).empty());
  EXPECT_EQ(IntervalSet().ToString(), "{}");
}

TEST(IntervalSetTest, FromWindowsMergesOverlapAndTouch) {
  const IntervalSet set = IntervalSet::FromWindows(
      {W(30, 40), W(0, 10), W(10, 15), W(5, 8), W(20, 25), W(24, 30),
       W(50, 50), W(60, 55)});
  EXPECT_THAT(set.windows(), ElementsAre(W(0, 15), W(20, 40)));
}

TEST(IntervalSetTest, AddMergesNeighbours) {
  IntervalSet set = IntervalSet::FromWindows({W(0, 10), W(20, 30), W(40, 50)});
  set.Add(W(10, 20));
  EXPECT_THAT(set.windows(), ElementsAre(W(0, 30), W(40, 50)));
  set.Add(W(35, 36));
  EXPECT_THAT(set.windows(), ElementsAre(W(0, 30), W(35, 36), W(40, 50)));
  set.Add(W(-5, 100));
  EXPECT_THAT(set.windows(), ElementsAre(W(-5, 100)));
  set.Add(W(200, 200));
  EXPECT_THAT(set.windows(), ElementsAre(W(-5, 100)));
}

TEST(IntervalSetTest, UnionIntersectDifference) {
  const IntervalSet a = IntervalSet::FromWindows({W(0, 10), W(20, 30)});
  const IntervalSet b = IntervalSet::FromWindows({W(5, 20), W(25, 26)});
  EXPECT_THAT(a.Union(b).windows(), ElementsAre(W(0, 30)));
  EXPECT_THAT(a.Intersect(b).windows(), ElementsAre(W(5, 10), W(25, 26)));
  EXPECT_THAT(a.Difference(b).windows(),
              ElementsAre(W(0, 5), W(20, 25), W(26, 30)));
  EXPECT_THAT(b.Difference(a).windows(), ElementsAre(W(10, 20)));
}

TEST(IntervalSetTest, TouchingWindowsDoNotIntersect) {
  const IntervalSet a = IntervalSet::Of(W(0, 10));
  const IntervalSet b = IntervalSet::Of(W(10, 20));
  EXPECT_TRUE(a.Intersect(b).empty());
  EXPECT_THAT(a.Union(b).windows(), ElementsAre(W(0, 20)));
  EXPECT_THAT(a.Difference(b).windows(), ElementsAre(W(0, 10)));
}

TEST(IntervalSetTest, InfiniteBounds) {
  const IntervalSet all = IntervalSet::Of({kPast, kFuture});
  const IntervalSet from_now = IntervalSet::Of({T(100), kFuture});
  EXPECT_THAT(all.Difference(from_now).windows(),
              ElementsAre(Window{kPast, T(100)}));
  EXPECT_THAT(all.Intersect(from_now).windows(),
              ElementsAre(Window{T(100), kFuture}));
  EXPECT_EQ(from_now.NextClosing(T(1000)), std::optional<absl::Time>(kFuture));
  EXPECT_THAT(from_now.NextOpening(kPast), Optional(T(100)));
  EXPECT_TRUE(all.Contains(kPast));
  EXPECT_FALSE(all.Contains(kFuture));
  EXPECT_TRUE(all.Difference(all).empty());
}

TEST(IntervalSetTest, NextOpeningAndClosing) {
  const IntervalSet set = IntervalSet::FromWindows({W(10, 20), W(30, 40)});
  EXPECT_THAT(set.NextOpening(T(0)), Optional(T(10)));
  EXPECT_THAT(set.NextOpening(T(10)), Optional(T(10)));
  EXPECT_THAT(set.NextOpening(T(15)), Optional(T(15)));
  EXPECT_THAT(set.NextOpening(T(20)), Optional(T(30)));
  EXPECT_EQ(set.NextOpening(T(40)), std::nullopt);
  EXPECT_EQ(set.NextClosing(T(9)), std::nullopt);
  EXPECT_THAT(set.NextClosing(T(10)), Optional(T(20)));
  EXPECT_THAT(set.NextClosing(T(39)), Optional(T(40)));
  EXPECT_EQ(set.NextClosing(T(40)), std::nullopt);
  EXPECT_THAT(set.WindowAt(T(35)), Optional(W(30, 40)));
  EXPECT_EQ(set.WindowAt(T(25)), std::nullopt);
}

// ---------------------------------------------------------------------------
// Property tests: every operation against a slow model that decides
// membership instant by instant.

// Random sets of windows on the grid [0, kGrid), with infinite bounds now and
// then.
constexpr int kGrid = 60;

std::vector<Window> RandomWindows(std::mt19937& rng) {
  std::uniform_int_distribution<int> count(0, 6);
  std::uniform_int_distribution<int> point(0, kGrid);
  std::uniform_int_distribution<int> percent(0, 99);
  std::vector<Window> windows;
  const int n = count(rng);
  for (int i = 0; i < n; ++i) {
    Window w = W(point(rng), point(rng));
    if (percent(rng) < 5) w.start = kPast;
    if (percent(rng) < 5) w.end = kFuture;
    windows.push_back(w);
  }
  return windows;
}

bool ModelContains(const std::vector<Window>& windows, absl::Time t) {
  for (const Window& w : windows) {
    if (w.Contains(t)) return true;
  }
  return false;
}

// The instants that matter on the grid: each point and a point between each
// pair, plus both infinities.
std::vector<absl::Time> Probes() {
  std::vector<absl::Time> probes = {kPast, kFuture};
  for (int i = -1; i <= kGrid + 1; ++i) {
    probes.push_back(T(i));
    probes.push_back(T(i) + absl::Milliseconds(500));
  }
  return probes;
}

void ExpectCanonical(const IntervalSet& set) {
  const std::vector<Window>& windows = set.windows();
  for (size_t i = 0; i < windows.size(); ++i) {
    EXPECT_FALSE(windows[i].empty()) << set;
    if (i > 0) {
      EXPECT_LT(windows[i - 1].end, windows[i].start) << set;
    }
  }
}

TEST(IntervalSetPropertyTest, OperationsMatchModel) {
  std::mt19937 rng(20260308);
  const std::vector<absl::Time> probes = Probes();
  for (int round = 0; round < 3000; ++round) {
    const std::vector<Window> a_windows = RandomWindows(rng);
    const std::vector<Window> b_windows = RandomWindows(rng);
    const IntervalSet a = IntervalSet::FromWindows(a_windows);
    const IntervalSet b = IntervalSet::FromWindows(b_windows);

    IntervalSet a_added;
    for (const Window& w : a_windows) a_added.Add(w);
    EXPECT_EQ(a_added, a);

    const IntervalSet unioned = a.Union(b);
    const IntervalSet intersected = a.Intersect(b);
    const IntervalSet difference = a.Difference(b);
    ExpectCanonical(a);
    ExpectCanonical(unioned);
    ExpectCanonical(intersected);
    ExpectCanonical(difference);
    EXPECT_EQ(unioned, b.Union(a));
    EXPECT_EQ(intersected, b.Intersect(a));

    for (absl::Time t : probes) {
      const bool in_a = ModelContains(a_windows, t);
      const bool in_b = ModelContains(b_windows, t);
      ASSERT_EQ(a.Contains(t), in_a) << a << " at " << t;
      ASSERT_EQ(unioned.Contains(t), in_a || in_b) << a << " | " << b;
      ASSERT_EQ(intersected.Contains(t), in_a && in_b) << a << " & " << b;
      ASSERT_EQ(difference.Contains(t), in_a && !in_b) << a << " - " << b;
      ASSERT_EQ(a.WindowAt(t).has_value(), in_a);
      if (in_a) {
        ASSERT_TRUE(a.WindowAt(t)->Contains(t));
      }
    }
  }
}

// NextOpening and NextClosing against a scan over the probes, which include
// every window bound on the grid.
TEST(IntervalSetPropertyTest, NextOpeningAndClosingMatchScan) {
  std::mt19937 rng(20111230);
  const std::vector<absl::Time> probes = Probes();
  for (int round = 0; round < 3000; ++round) {
    const std::vector<Window> windows = RandomWindows(rng);
    const IntervalSet set = IntervalSet::FromWindows(windows);
    for (absl::Time t : probes) {
      std::optional<absl::Time> opening;
      if (ModelContains(windows, t)) {
        opening = t;
      } else {
        for (const Window& w : set.windows()) {
          if (w.start > t) {
            opening = w.start;
            break;
          }
        }
      }
      ASSERT_EQ(set.NextOpening(t), opening) << set << " at " << t;

      std::optional<absl::Time> closing;
      if (ModelContains(windows, t)) {
        // The first instant after t that no input window contains: a window
        // end, because membership only drops at ends.
        absl::Time end = t;
        bool moved = true;
        while (moved) {
          moved = false;
          for (const Window& w : windows) {
            if (w.Contains(end)) {
              end = w.end;
              moved = true;
            }
          }
        }
        closing = end;
      }
      ASSERT_EQ(set.NextClosing(t), closing) << set << " at " << t;
    }
  }
}

}  // namespace
}  // namespace portcullis::schedule
