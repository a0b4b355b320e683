// Compares the RBAC layer's precomputed masks with rbac::Policy::Check() for
// the reference architecture's users and groups, with and without a PIM
// activation, with a time-bound PIM instance, and with a deny assignment
// that sends decisions down the per-check path.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "decide/decide.h"
#include "decide/reference.h"
#include "decide/scenario.h"
#include "decide/snapshot.h"
#include "gtest/gtest.h"
#include "schedule/rfc3339.h"
#include "tests/decide/scenario_fixture.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::decide::testing {
namespace {

constexpr char kResourceGroup[] =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-jit-demo";
constexpr char kOperatorRole[] =
    "/subscriptions/00000000-0000-0000-0000-000000000000/providers/"
    "Microsoft.Authorization/roleDefinitions/3c6e2f8a-5d1b-4e7a-9f02-6b8d4c1a7e55";

// Users of the examples (Alex, Sam, Morgan, the standing operator), one that
// no file names, and the same ids in upper case.
const char* const kUsers[] = {
    "8f14e45f-ceea-4167-a5a7-1d3b6c8e9f02", "c3e1b5a7-9d2f-4c6e-8a1b-7f3d5e9c2a40",
    "2b8e5f1c-7d3a-4c9e-86b0-4f1a9d2c7e83", "5d9a3c1e-2b47-4f86-a0d3-8e1f6c2b9a74",
    "11111111-2222-4333-8444-555555555555", "5D9A3C1E-2B47-4F86-A0D3-8E1F6C2B9A74"};

class RbacMasksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Scenario> loaded = LoadScenario(kReferenceArchitecture);
    ASSERT_OK(loaded.status());
    scenario_ = std::make_unique<Scenario>(*std::move(loaded));
    // Sam has the role through an active PIM instance from 09:00 to 11:00.
    pim::ScheduleInstance* active = &scenario_->input.pim->active_instances.emplace_back();
    active->set_level(pim::LEVEL_ASSIGNMENT);
    active->set_id("active-sam");
    active->set_principal_id("c3e1b5a7-9d2f-4c6e-8a1b-7f3d5e9c2a40");
    active->set_role_definition_id(kOperatorRole);
    active->set_directory_scope_id(kResourceGroup);
    active->mutable_start_time()->set_seconds(
        absl::ToUnixSeconds(*schedule::ParseRfc3339("2026-03-02T09:00:00Z")));
    active->mutable_end_time()->set_seconds(
        absl::ToUnixSeconds(*schedule::ParseRfc3339("2026-03-02T11:00:00Z")));
  }

  std::shared_ptr<const Snapshot> Build() {
    absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot = Snapshot::Build(
        scenario_->input,
        BuildOptionsAround(*schedule::ParseRfc3339("2026-03-02T09:30:00Z")));
    EXPECT_OK(snapshot.status());
    return snapshot.ok() ? *snapshot : nullptr;
  }

  // Decides every user with each group list, route and login at each
  // instant, and compares each RBAC check with the reference. Returns how
  // many decisions took the per-check path.
  int CompareAll(const Snapshot& snapshot) {
    const std::vector<std::vector<std::string>> group_lists = {
        {},
        {"4d9a6c2e-3b1f-4e8a-9c7d-5f2e1a0b3c64"},
        {"6b0e2d8a-4c7f-4a19-b5e3-8d1f9c2a7e46", "22222222-aaaa-4bbb-8ccc-000000000002"}};
    const char* instants[] = {"2026-03-02T08:59:59Z", "2026-03-02T09:00:00Z",
                              "2026-03-02T09:30:00Z", "2026-03-02T10:59:59Z",
                              "2026-03-02T11:00:00Z", "2026-03-02T21:15:00Z"};
    int checked_each = 0;
    access::SignIn sign_in = *scenario_->sign_in;
    Attempt attempt = scenario_->attempt();
    attempt.sign_in = &sign_in;
    for (const char* user : kUsers) {
      for (const std::vector<std::string>& groups : group_lists) {
        for (const char* instant : instants) {
          for (bool via_bastion : {true, false}) {
            for (VmLogin login : {VmLogin::kNone, VmLogin::kUser, VmLogin::kAdministrator}) {
              sign_in.user_id = user;
              sign_in.group_ids = groups;
              attempt.via_bastion = via_bastion;
              attempt.login = login;
              absl::Time now = *schedule::ParseRfc3339(instant);
              SCOPED_TRACE(absl::StrCat(user, " with ", groups.size(), " groups at ",
                                        instant, via_bastion ? " via bastion" : ""));
              Decision decision = Decide(snapshot, attempt, now);
              std::vector<bool> expected = CheckRbacReference(snapshot, attempt, decision, now);
              EXPECT_EQ(static_cast<int>(expected.size()), decision.rbac.check_count);
              for (int i = 0; i < decision.rbac.check_count && i < expected.size(); ++i) {
                EXPECT_EQ(decision.rbac.checks[i].allowed, expected[i]) << "check " << i;
              }
              if (decision.rbac.checked_each) ++checked_each;
            }
          }
        }
      }
    }
    return checked_each;
  }

  std::unique_ptr<Scenario> scenario_;
};

TEST_F(RbacMasksTest, MasksAgreeWithPolicyChecks) {
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  // The examples' deny assignment blocks deletions only, so the masks
  // answer every decision.
  EXPECT_EQ(CompareAll(*snapshot), 0);
}

TEST_F(RbacMasksTest, ActiveInstanceGrantsOnlyInsideItsWindow) {
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  access::SignIn sign_in = *scenario_->sign_in;
  sign_in.user_id = "c3e1b5a7-9d2f-4c6e-8a1b-7f3d5e9c2a40";
  Attempt attempt = scenario_->attempt();
  attempt.sign_in = &sign_in;
  Decision inside = Decide(*snapshot, attempt, *schedule::ParseRfc3339("2026-03-02T10:59:59Z"));
  EXPECT_EQ(inside.layer(Layer::kPim).outcome, LayerOutcome::kAllow);
  EXPECT_EQ(inside.pim.basis, PimDetail::Basis::kActiveInstance);
  EXPECT_EQ(inside.layer(Layer::kRbac).outcome, LayerOutcome::kAllow);
  Decision after = Decide(*snapshot, attempt, *schedule::ParseRfc3339("2026-03-02T11:00:00Z"));
  EXPECT_EQ(after.layer(Layer::kRbac).outcome, LayerOutcome::kDeny);
}

TEST_F(RbacMasksTest, RelevantDenyAssignmentChecksEachOperation) {
  // A deny assignment on connecting through the VNet's bastion, for
  // everyone but the standing operator.
  rbac::DenyAssignment* deny = scenario_->input.rbac->add_deny_assignments();
  deny->set_id(absl::StrCat(kResourceGroup,
                            "/providers/Microsoft.Authorization/denyAssignments/"
                            "0d6c2a8e-4f1b-4c3d-9e5a-7b8c9d0e1f2a"));
  deny->set_scope(kResourceGroup);
  deny->add_permissions()->add_actions("Microsoft.Network/virtualNetworks/BastionHosts/action");
  rbac::Principal* everyone = deny->add_principals();
  everyone->set_id("00000000-0000-0000-0000-000000000000");
  everyone->set_type("SystemDefined");
  deny->add_exclude_principals()->set_id("5d9a3c1e-2b47-4f86-a0d3-8e1f6c2b9a74");
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  EXPECT_GT(CompareAll(*snapshot), 0);

  Decision decision =
      Decide(*snapshot, scenario_->attempt(), *schedule::ParseRfc3339("2026-03-02T09:30:00Z"));
  EXPECT_TRUE(decision.rbac.checked_each);
  EXPECT_EQ(decision.layer(Layer::kRbac).outcome, LayerOutcome::kDeny);
}

}  // namespace
}  // namespace portcullis::decide::testing
