// Checks that Policy::Check() does not allocate, by replacing the global
// operator new in this test binary and counting calls made while a check
// runs.
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "access/rbac.h"
#include "access/rbac_import.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace {

std::atomic<bool> counting{false};
std::atomic<int> allocations{0};

}  // namespace

void* operator new(std::size_t size) {
  if (counting.load(std::memory_order_relaxed)) {
    allocations.fetch_add(1, std::memory_order_relaxed);
  }
  void* memory = std::malloc(size == 0 ? 1 : size);
  if (memory == nullptr) throw std::bad_alloc();
  return memory;
}

void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }

namespace portcullis::rbac {
namespace {

TEST(PolicyCheck, DoesNotAllocate) {
  RbacInput input;
  absl::StatusOr<std::vector<RoleDefinition>> roles = ParseRoleDefinitions(R"({
      "Name": "Operator", "Id": "3c6e2f8a-5d1b-4e7a-9f02-6b8d4c1a7e55",
      "Actions": ["Microsoft.Compute/virtualMachines/*/read",
                  "Microsoft.Network/*/read"],
      "NotActions": ["Microsoft.Network/networkSecurityGroups/read"],
      "DataActions": ["Microsoft.Compute/virtualMachines/login/action"],
      "AssignableScopes": ["/subscriptions/s1"]})");
  ASSERT_TRUE(roles.ok()) << roles.status();
  *input.add_role_definitions() = (*roles)[0];
  for (int i = 0; i < 50; ++i) {
    RoleAssignment* assignment = input.add_role_assignments();
    assignment->set_principal_id(absl::StrCat("user-", i));
    assignment->set_role_definition_id("3c6e2f8a-5d1b-4e7a-9f02-6b8d4c1a7e55");
    assignment->set_scope(absl::StrCat("/subscriptions/s1/resourceGroups/rg", i));
  }
  DenyAssignment* deny = input.add_deny_assignments();
  deny->set_scope("/subscriptions/s1");
  deny->add_principals()->set_id("00000000-0000-0000-0000-000000000000");
  deny->add_exclude_principals()->set_id("group-admins");
  deny->add_permissions()->add_actions("*/delete");
  ScopeParent* link = input.add_scope_parents();
  link->set_child("/subscriptions/s1");
  link->set_parent("/providers/Microsoft.Management/managementGroups/mg");
  absl::StatusOr<Policy> policy = Policy::Compile(input);
  ASSERT_TRUE(policy.ok()) << policy.status();

  std::vector<std::string> groups = {"group-readers", "group-admins"};
  const std::string vm =
      "/subscriptions/S1/resourceGroups/RG7/providers/Microsoft.Compute/"
      "virtualMachines/vm1/";
  std::vector<Request> requests(5);
  requests[0].principal_id = "USER-7";
  requests[0].action = "Microsoft.Compute/virtualMachines/read";
  requests[0].scope = vm;
  requests[1] = requests[0];
  requests[1].action = "Microsoft.Compute/virtualMachines/login/action";
  requests[1].plane = Plane::kData;
  requests[2] = requests[0];
  requests[2].action = "Microsoft.Compute/virtualMachines/delete";
  requests[3] = requests[0];
  requests[3].principal_id = "user-8";
  requests[3].group_ids = groups;
  requests[4] = requests[0];
  requests[4].scope = "/subscriptions/s1/resourceGroups//x";

  int allowed = 0;
  allocations = 0;
  counting = true;
  for (int round = 0; round < 100; ++round) {
    for (const Request& request : requests) {
      if (policy->Check(request, absl::UnixEpoch()).allowed) ++allowed;
    }
  }
  counting = false;
  EXPECT_EQ(allocations.load(), 0);
  // Requests 0 and 1 are allowed; the others are not.
  EXPECT_EQ(allowed, 200);
}

}  // namespace
}  // namespace portcullis::rbac
