// Checks that one compiled Policy answers the same from many threads at
// once, under TSan.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "access/rbac.h"
#include "gtest/gtest.h"

namespace portcullis::rbac {
namespace {

RbacInput MakeInput() {
  RbacInput input;
  RoleDefinition* role = input.add_role_definitions();
  role->set_name("operator");
  role->set_role_type(ROLE_TYPE_BUILT_IN);
  Permission* permission = role->add_permissions();
  permission->add_actions("Microsoft.Compute/virtualMachines/*/read");
  permission->add_not_actions("Microsoft.Compute/virtualMachines/extensions/read");
  permission->add_data_actions("Microsoft.Compute/virtualMachines/login/action");
  for (int i = 0; i < 200; ++i) {
    RoleAssignment* assignment = input.add_role_assignments();
    assignment->set_principal_id(absl::StrCat("user-", i % 20));
    assignment->set_role_definition_id("operator");
    assignment->set_scope(absl::StrCat("/subscriptions/s1/resourceGroups/rg", i));
  }
  DenyAssignment* deny = input.add_deny_assignments();
  deny->set_scope("/subscriptions/s1/resourceGroups/rg7");
  deny->add_principals()->set_id("00000000-0000-0000-0000-000000000000");
  deny->add_permissions()->add_data_actions("*");
  return input;
}

std::vector<Request> MakeRequests(std::vector<std::string>& storage) {
  storage.clear();
  for (int i = 0; i < 40; ++i) {
    storage.push_back(absl::StrCat("user-", i % 25));
    storage.push_back(absl::StrCat("/subscriptions/s1/resourceGroups/rg", i,
                                   "/providers/Microsoft.Compute/"
                                   "virtualMachines/vm"));
  }
  const char* actions[] = {"Microsoft.Compute/virtualMachines/read",
                           "Microsoft.Compute/virtualMachines/extensions/read",
                           "Microsoft.Compute/virtualMachines/login/action"};
  std::vector<Request> requests;
  for (int i = 0; i < 40; ++i) {
    for (int a = 0; a < 3; ++a) {
      Request request;
      request.principal_id = storage[2 * i];
      request.scope = storage[2 * i + 1];
      request.action = actions[a];
      request.plane = a == 2 ? Plane::kData : Plane::kControl;
      requests.push_back(request);
    }
  }
  return requests;
}

TEST(PolicyConcurrency, ThreadsAgreeWithSingleThread) {
  absl::StatusOr<Policy> policy = Policy::Compile(MakeInput());
  ASSERT_TRUE(policy.ok()) << policy.status();
  std::vector<std::string> storage;
  std::vector<Request> requests = MakeRequests(storage);
  const absl::Time now = absl::UnixEpoch();
  std::vector<bool> expected;
  int allowed = 0;
  for (const Request& request : requests) {
    expected.push_back(policy->Check(request, now).allowed);
    allowed += expected.back();
  }
  ASSERT_GT(allowed, 10);
  ASSERT_LT(allowed, static_cast<int>(requests.size()));

  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 200; ++round) {
        for (size_t i = 0; i < requests.size(); ++i) {
          if (policy->Check(requests[i], now).allowed != expected[i]) {
            mismatches.fetch_add(1);
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace portcullis::rbac
