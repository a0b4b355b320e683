#include "sync/hazard_slots.h"

#include <atomic>
#include <memory>
#include <vector>

#include "gtest/gtest.h"

namespace portcullis::sync {
namespace {

using Slots = HazardSlots<int, 2>;

TEST(HazardSlotTest, NestedPinKeepsOuterSnapshot) {
  Slots slots;
  HazardSlot<int>* slot = slots.Acquire();
  ASSERT_NE(slot, nullptr);
  auto first = std::make_shared<const int>(1);
  auto second = std::make_shared<const int>(2);
  std::atomic<const int*> current{first.get()};
  std::weak_ptr<const int> watch = first;

  EXPECT_EQ(slot->Pin(current), first.get());
  current.store(second.get());
  EXPECT_EQ(slot->Pin(current), first.get());
  slot->Unpin();

  std::vector<std::shared_ptr<const int>> retired = {std::move(first)};
  slots.Reclaim(retired);
  EXPECT_EQ(retired.size(), 1u);
  EXPECT_FALSE(watch.expired());

  slot->Unpin();
  slots.Reclaim(retired);
  EXPECT_TRUE(retired.empty());
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(slot->Pin(current), second.get());
  slot->Unpin();
  slot->Release();
}

TEST(HazardSlotTest, NestedPinOfNothingStaysEmpty) {
  Slots slots;
  HazardSlot<int>* slot = slots.Acquire();
  ASSERT_NE(slot, nullptr);
  auto snapshot = std::make_shared<const int>(1);
  std::atomic<const int*> current{nullptr};

  EXPECT_EQ(slot->Pin(current), nullptr);
  current.store(snapshot.get());
  EXPECT_EQ(slot->Pin(current), nullptr);
  slot->Unpin();
  slot->Unpin();
  EXPECT_EQ(slot->Pin(current), snapshot.get());
  slot->Unpin();
  slot->Release();
}

TEST(HazardSlotTest, ReleaseDropsRemainingPins) {
  Slots slots;
  HazardSlot<int>* slot = slots.Acquire();
  ASSERT_NE(slot, nullptr);
  auto first = std::make_shared<const int>(1);
  auto second = std::make_shared<const int>(2);
  std::atomic<const int*> current{first.get()};
  slot->Pin(current);
  slot->Release();

  std::vector<std::shared_ptr<const int>> retired = {std::move(first)};
  slots.Reclaim(retired);
  EXPECT_TRUE(retired.empty());

  // The next reader of the slot starts with no pins.
  HazardSlot<int>* reused = slots.Acquire();
  ASSERT_EQ(reused, slot);
  current.store(second.get());
  EXPECT_EQ(reused->Pin(current), second.get());
  reused->Unpin();
  EXPECT_EQ(reused->hazard.load(), nullptr);
  reused->Release();
}

}  // namespace
}  // namespace portcullis::sync
