// Checks that PrefixSet::Contains allocates nothing, by counting calls to the
// global operator new. The counting replacement applies to this whole test
// binary, which is why this test has a binary of its own.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

#include "absl/numeric/int128.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "net/prefix_set.h"

namespace {
std::atomic<int64_t> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  void* pointer = std::malloc(size == 0 ? 1 : size);
  if (pointer == nullptr) throw std::bad_alloc();
  return pointer;
}

void operator delete(void* pointer) noexcept { std::free(pointer); }
void operator delete(void* pointer, std::size_t) noexcept {
  std::free(pointer);
}

namespace portcullis::net {
namespace {

TEST(PrefixSetAllocation, ContainsDoesNotAllocate) {
  std::vector<IpPrefix> prefixes;
  for (uint32_t i = 0; i < 1000; ++i) {
    prefixes.push_back(
        IpPrefix::Masked(IpAddress::V4(0xc0000000 + i * 64), 27));
    prefixes.push_back(IpPrefix::Masked(
        IpAddress::V6(absl::MakeUint128(0x20010db800000000, i << 16)), 116));
  }
  PrefixSet set = PrefixSet::FromPrefixes(prefixes);
  ASSERT_GT(set.range_count(), 1000u);

  int64_t before = allocations.load();
  int found = 0;
  for (uint32_t i = 0; i < 100000; ++i) {
    found += set.Contains(IpAddress::V4(0xc0000000 + i)) ? 1 : 0;
    found += set.Contains(IpAddress::V6(
                 absl::MakeUint128(0x20010db800000000, uint64_t{i} << 4)))
                 ? 1
                 : 0;
    found += set.Contains(prefixes[i % prefixes.size()]) ? 1 : 0;
  }
  int64_t after = allocations.load();

  EXPECT_EQ(after - before, 0);
  EXPECT_GT(found, 0);
}

TEST(PrefixSetAllocation, CounterSeesAllocations) {
  int64_t before = allocations.load();
  std::vector<int>* vector = new std::vector<int>(10);
  delete vector;
  EXPECT_GE(allocations.load() - before, 2);
}

}  // namespace
}  // namespace portcullis::net
