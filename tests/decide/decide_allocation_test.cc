// Checks that Decide() allocates nothing once the snapshot is built, by
// replacing the global operator new in this test binary and counting the
// calls made while decisions run.
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "absl/time/time.h"
#include "decide/decide.h"
#include "gtest/gtest.h"
#include "tests/decide/scenario_fixture.h"
#include "tests/testing/status_matchers.h"

namespace {

std::atomic<bool> counting{false};
std::atomic<int> allocations{0};

}  // namespace

namespace {

void* Allocate(std::size_t size) noexcept {
  if (counting.load(std::memory_order_relaxed)) {
    allocations.fetch_add(1, std::memory_order_relaxed);
  }
  return std::malloc(size == 0 ? 1 : size);
}

}  // namespace

// Every replaceable form, so that no allocation bypasses the count and
// sanitizers see matching allocation and release functions.
void* operator new(std::size_t size) {
  void* memory = Allocate(size);
  if (memory == nullptr) throw std::bad_alloc();
  return memory;
}
void* operator new[](std::size_t size) {
  void* memory = Allocate(size);
  if (memory == nullptr) throw std::bad_alloc();
  return memory;
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return Allocate(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return Allocate(size);
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete(void* memory, const std::nothrow_t&) noexcept { std::free(memory); }
void operator delete[](void* memory, const std::nothrow_t&) noexcept { std::free(memory); }

namespace portcullis::decide::testing {
namespace {

class DecideAllocationTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DecideAllocationTest, SceneDecidesWithoutAllocating) {
  ASSERT_OK_AND_ASSIGN(DecidedScenario scene,
                       DecideScenarioFile(std::string(kScenarioDir) + "/" + GetParam()));
  Attempt attempt = scene.scenario->attempt();
  // Decide several instants around the scene's, crossing the JIT grant's
  // window and the work-hour boundaries.
  const absl::Duration offsets[] = {absl::ZeroDuration(), absl::Minutes(-31),
                                    absl::Minutes(29), absl::Hours(11), absl::Hours(-3)};
  allocations.store(0);
  counting.store(true);
  Verdict verdicts[5];
  for (int i = 0; i < 5; ++i) {
    verdicts[i] = Decide(*scene.snapshot, attempt, scene.now + offsets[i]).verdict;
  }
  counting.store(false);
  EXPECT_EQ(allocations.load(), 0);
  EXPECT_EQ(verdicts[0], scene.decision.verdict);
}

// Unknown group membership sends every RBAC check through the slow scan of
// rbac::Policy, which must not allocate either.
TEST_P(DecideAllocationTest, UnknownGroupsDecideWithoutAllocating) {
  ASSERT_OK_AND_ASSIGN(DecidedScenario scene,
                       DecideScenarioFile(std::string(kScenarioDir) + "/" + GetParam()));
  if (!scene.scenario->sign_in.has_value()) GTEST_SKIP() << "a raw flow has no groups";
  access::SignIn sign_in = *scene.scenario->sign_in;
  sign_in.groups_known = false;
  Attempt attempt = scene.scenario->attempt();
  attempt.sign_in = &sign_in;
  allocations.store(0);
  counting.store(true);
  Decision decision = Decide(*scene.snapshot, attempt, scene.now);
  counting.store(false);
  EXPECT_EQ(allocations.load(), 0);
  EXPECT_TRUE(decision.layer(Layer::kRbac).outcome == LayerOutcome::kNotApplicable ||
              decision.rbac.checked_each);
}

INSTANTIATE_TEST_SUITE_P(Examples, DecideAllocationTest,
                         ::testing::ValuesIn(ScenarioFiles()));

}  // namespace
}  // namespace portcullis::decide::testing
