// Runs every scenario file of examples/scenarios and compares the decision
// with the file's `expect` field, so a new scene is a new file. Then checks
// each scene of the reference architecture layer by layer.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/decide/scenario_fixture.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::decide::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class ScenarioFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioFileTest, DecisionMatchesExpect) {
  const std::string path = absl::StrCat(kScenarioDir, "/", GetParam());
  ASSERT_OK_AND_ASSIGN(DecidedScenario decided, DecideScenarioFile(path));
  ASSERT_TRUE(decided.scenario->expect.has_value()) << path << " has no expect field";
  EXPECT_EQ(VerdictName(decided.decision.verdict), VerdictName(*decided.scenario->expect))
      << path << ": " << Summarize(decided.decision, decided.reports);
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.size() - 5);  // ".json"
  return absl::StrReplaceAll(name, {{"-", "_"}, {".", "_"}});
}

INSTANTIATE_TEST_SUITE_P(Examples, ScenarioFileTest, ::testing::ValuesIn(ScenarioFiles()),
                         TestName);

TEST(ScenarioFilesTest, FolderHoldsEveryScene) {
  EXPECT_GE(ScenarioFiles().size(), 8u);
}

// Each scene of the reference architecture, layer by layer.
class SceneTest : public ::testing::Test {
 protected:
  DecidedScenario Scene(const std::string& file) {
    absl::StatusOr<DecidedScenario> decided =
        DecideScenarioFile(absl::StrCat(kScenarioDir, "/", file));
    EXPECT_OK(decided.status());
    return decided.ok() ? *std::move(decided) : DecidedScenario{};
  }

  static LayerOutcome Outcome(const DecidedScenario& scene, Layer layer) {
    return scene.decision.layer(layer).outcome;
  }
};

TEST_F(SceneTest, AdministratorGetsInThroughBastion) {
  DecidedScenario scene = Scene("01-admin-through-bastion.json");
  ASSERT_FALSE(scene.reports.empty());
  EXPECT_EQ(scene.decision.verdict, Verdict::kAllow);
  EXPECT_FALSE(scene.decision.has_denied_by);
  for (int i = 0; i < kLayerCount; ++i) {
    EXPECT_EQ(scene.decision.layers[i].outcome, LayerOutcome::kAllow)
        << LayerName(static_cast<Layer>(i));
  }
  EXPECT_EQ(scene.Fact(Layer::kPim, "basis"), "request");
  // The recorded request's own start, not `now`.
  EXPECT_EQ(scene.Fact(Layer::kPim, "start"), "2026-03-02T08:55:00Z");
  EXPECT_EQ(scene.Fact(Layer::kPim, "end"), "2026-03-02T12:55:00Z");
  EXPECT_THAT(scene.Reasons(Layer::kRbac), HasSubstr("activated now through PIM"));
  EXPECT_EQ(scene.Fact(Layer::kJit, "closesAt"), "2026-03-02T10:00:00Z");
  EXPECT_EQ(scene.Fact(Layer::kNsg, "bastionFlowRule"),
            "securityRules/AllowHttpsFromOnPremisesInBound");
  // The bastion's session to the VM leaves AzureBastionSubnet through the
  // outbound rule of Microsoft's required Bastion NSG.
  EXPECT_EQ(scene.Fact(Layer::kNsg, "bastionOutboundRule"),
            "securityRules/AllowSshRdpOutBound");
  EXPECT_THAT(scene.Reasons(Layer::kNsg),
              HasSubstr("the bastion's session leaving AzureBastionSubnet (tcp "
                        "10.0.1.4:50000 -> 10.0.2.4:22) is allowed: nsg-bastion allows by "
                        "securityRules/AllowSshRdpOutBound"));
  // The grant's allow rule admits the bastion ahead of the JIT deny rule.
  EXPECT_THAT(scene.Fact(Layer::kNsg, "vmFlowRule"),
              StartsWith("securityRules/SecurityCenter-JITRule-"));
  EXPECT_EQ(scene.Fact(Layer::kJit, "rule"), scene.Fact(Layer::kNsg, "vmFlowRule").substr(14));
}

TEST_F(SceneTest, UnmanagedDeviceStoppedByConditionalAccess) {
  DecidedScenario scene = Scene("02-unmanaged-device.json");
  ASSERT_FALSE(scene.reports.empty());
  EXPECT_EQ(scene.decision.verdict, Verdict::kDeny);
  EXPECT_EQ(scene.decision.denied_by, Layer::kConditionalAccess);
  EXPECT_EQ(scene.Fact(Layer::kConditionalAccess, "requirements"), "compliantDevice");
  EXPECT_EQ(scene.Fact(Layer::kConditionalAccess, "policy"),
            "7c1e4b2a-9f3d-4e6a-8b5c-2d7f1a9e3c40");
  EXPECT_THAT(scene.Reasons(Layer::kConditionalAccess), HasSubstr("requires compliantDevice"));
}

TEST_F(SceneTest, OutsideWorkHoursActivationRefusedWithNextOpening) {
  DecidedScenario scene = Scene("03-outside-work-hours.json");
  ASSERT_FALSE(scene.reports.empty());
  EXPECT_EQ(scene.decision.verdict, Verdict::kDeny);
  EXPECT_EQ(scene.decision.denied_by, Layer::kPim);
  EXPECT_EQ(Outcome(scene, Layer::kConditionalAccess), LayerOutcome::kAllow);
  EXPECT_THAT(scene.Fact(Layer::kPim, "reasonCodes"), HasSubstr("OutsideWorkWindow"));
  // Monday 22:15 in Amsterdam; work opens Tuesday 08:00 CET.
  EXPECT_EQ(scene.Fact(Layer::kPim, "nextOpening"), "2026-03-03T07:00:00Z");
  EXPECT_THAT(scene.Reasons(Layer::kPim), HasSubstr("next work window opens at"));
}

TEST_F(SceneTest, AfterJitWindowDenyStopsAdministrator) {
  DecidedScenario scene = Scene("04-after-jit-window.json");
  ASSERT_FALSE(scene.reports.empty());
  EXPECT_EQ(scene.decision.verdict, Verdict::kDeny);
  EXPECT_EQ(scene.decision.denied_by, Layer::kJit);
  EXPECT_EQ(Outcome(scene, Layer::kPim), LayerOutcome::kAllow);
  EXPECT_EQ(Outcome(scene, Layer::kRbac), LayerOutcome::kAllow);
  EXPECT_EQ(scene.decision.jit.state, JitDetail::State::kExpired);
  EXPECT_EQ(scene.Fact(Layer::kJit, "endedAt"), "2026-03-02T10:00:00Z");
  // With the grant gone, the JIT deny rule on the NIC's NSG decides.
  EXPECT_EQ(Outcome(scene, Layer::kNsg), LayerOutcome::kDeny);
  EXPECT_THAT(scene.Fact(Layer::kNsg, "vmFlowRule"),
              StartsWith("securityRules/SecurityCenter-JITRule_"));
}

TEST_F(SceneTest, InternetBruteForceOnSshNeverReachesVm) {
  DecidedScenario scene = Scene("05-internet-brute-force-ssh.json");
  ASSERT_FALSE(scene.reports.empty());
  EXPECT_EQ(scene.decision.verdict, Verdict::kDeny);
  EXPECT_EQ(Outcome(scene, Layer::kConditionalAccess), LayerOutcome::kNotApplicable);
  EXPECT_EQ(Outcome(scene, Layer::kPim), LayerOutcome::kNotApplicable);
  EXPECT_EQ(Outcome(scene, Layer::kRbac), LayerOutcome::kNotApplicable);
  EXPECT_EQ(Outcome(scene, Layer::kJit), LayerOutcome::kDeny);
  EXPECT_EQ(Outcome(scene, Layer::kNsg), LayerOutcome::kDeny);
  EXPECT_EQ(scene.Fact(Layer::kNsg, "vmFlowRule"), "securityRules/DenySshInBound");
}

TEST_F(SceneTest, InternetBruteForceOnRdpNeverReachesVm) {
  DecidedScenario scene = Scene("06-internet-brute-force-rdp.json");
  ASSERT_FALSE(scene.reports.empty());
  EXPECT_EQ(scene.decision.verdict, Verdict::kDeny);
  EXPECT_EQ(Outcome(scene, Layer::kNsg), LayerOutcome::kDeny);
  EXPECT_EQ(scene.Fact(Layer::kNsg, "vmFlowRule"), "securityRules/DenyRdpInBound");
  EXPECT_EQ(scene.decision.jit.state, JitDetail::State::kNoGrant);
}

TEST_F(SceneTest, ActivationNeedingApprovalStaysPending) {
  DecidedScenario scene = Scene("07-activation-awaits-approval.json");
  ASSERT_FALSE(scene.reports.empty());
  EXPECT_EQ(scene.decision.verdict, Verdict::kPending);
  EXPECT_FALSE(scene.decision.has_denied_by);
  EXPECT_EQ(Outcome(scene, Layer::kPim), LayerOutcome::kPending);
  EXPECT_EQ(scene.Fact(Layer::kPim, "activation"), "pending");
  // A day after the request's start (09:10), when PIM processed it.
  EXPECT_EQ(scene.Fact(Layer::kPim, "approvalDeadline"), "2026-03-03T09:10:00Z");
}

TEST_F(SceneTest, UserWithoutCustomRoleStoppedByRbac) {
  DecidedScenario scene = Scene("08-user-without-role.json");
  ASSERT_FALSE(scene.reports.empty());
  EXPECT_EQ(scene.decision.verdict, Verdict::kDeny);
  EXPECT_EQ(scene.decision.denied_by, Layer::kRbac);
  EXPECT_EQ(Outcome(scene, Layer::kPim), LayerOutcome::kNotApplicable);
  EXPECT_EQ(scene.Fact(Layer::kRbac, "action"),
            "Microsoft.Network/virtualNetworks/BastionHosts/action");
  EXPECT_EQ(scene.Fact(Layer::kRbac, "reason"), "no grant");
}

TEST_F(SceneTest, ScheduledActivationDeniesWithStartTime) {
  DecidedScenario scene = Scene("09-activation-scheduled-for-tomorrow.json");
  ASSERT_FALSE(scene.reports.empty());
  EXPECT_EQ(scene.decision.verdict, Verdict::kDeny);
  EXPECT_EQ(scene.decision.denied_by, Layer::kPim);
  EXPECT_EQ(scene.Fact(Layer::kPim, "activation"), "scheduled");
  EXPECT_EQ(scene.Fact(Layer::kPim, "start"), "2026-03-03T07:30:00Z");
}


// Application security groups: the VM's NIC names the group, and the
// workload NSG's bastion rule names the group instead of the subnet.
class ApplicationSecurityGroupSceneTest : public ::testing::Test {
 protected:
  static constexpr char kGroupId[] =
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
      "rg-jit-demo/providers/Microsoft.Network/applicationSecurityGroups/"
      "asg-app-servers";

  void SetUp() override {
    char cwd[4096];
    ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
    examples_ = absl::StrCat(cwd, "/examples");
    folder_ = absl::StrCat(std::getenv("TEST_TMPDIR"), "/asg");
    ASSERT_EQ(mkdir(folder_.c_str(), 0755) == 0 || errno == EEXIST, true);

    std::string nsgs = ReadText(examples_ + "/azuredeploy.json");
    const std::string subnet_target =
        "\"destinationAddressPrefix\": \"[parameters('workloadSubnetPrefix')]\",";
    ASSERT_EQ(absl::StrContains(nsgs, subnet_target), true);
    absl::StrReplaceAll(
        {{subnet_target,
          absl::StrCat("\"destinationApplicationSecurityGroups\": [{\"id\": \"",
                       kGroupId, "\"}],")}},
        &nsgs);
    WriteText("azuredeploy.json", nsgs);
  }

  // Writes a copy of the example NIC, in the group when `member` is set.
  // The NIC spells the id in upper case, which must not matter.
  void WriteNic(bool member) {
    std::string nic = ReadText(examples_ + "/nic-vm-app01.json");
    const std::string address = "\"privateIPAddress\": \"10.0.2.4\",";
    ASSERT_EQ(absl::StrContains(nic, address), true);
    if (member) {
      absl::StrReplaceAll(
          {{address, absl::StrCat("\"applicationSecurityGroups\": [{\"id\": \"",
                                  absl::AsciiStrToUpper(kGroupId), "\"}], ",
                                  address)}},
          &nic);
    }
    WriteText("nic.json", nic);
    WriteText("scene.json",
              absl::StrCat(R"({"base": ")", examples_,
                           R"(/scenarios/01-admin-through-bastion.json",
                "network": {"vms": [{"nic": "nic.json",
                  "subnetNsg": {"file": "azuredeploy.json", "name": "nsg-workload"},
                  "nicNsg": {"file": "azuredeploy.json", "name": "nsg-vm-app01-nic"}}]}})"));
  }

  static std::string ReadText(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  void WriteText(const std::string& name, const std::string& text) {
    std::ofstream(folder_ + "/" + name) << text;
  }

  std::string examples_;
  std::string folder_;
};

TEST_F(ApplicationSecurityGroupSceneTest, MemberNicIsReachedThroughGroupRule) {
  WriteNic(/*member=*/true);
  ASSERT_OK_AND_ASSIGN(DecidedScenario decided,
                       DecideScenarioFile(folder_ + "/scene.json"));
  EXPECT_EQ(VerdictName(decided.decision.verdict), "allow")
      << Summarize(decided.decision, decided.reports);
  // The VM flow passes the subnet NSG by the rule that names the group,
  // then the NIC NSG by the JIT grant.
  EXPECT_THAT(decided.Reasons(Layer::kNsg),
              HasSubstr("nsg-workload allows by "
                        "securityRules/AllowSshRdpFromBastionInBound"));
}

TEST_F(ApplicationSecurityGroupSceneTest, NicOutsideGroupFailsClosed) {
  WriteNic(/*member=*/false);
  absl::StatusOr<DecidedScenario> decided =
      DecideScenarioFile(folder_ + "/scene.json");
  if (decided.ok()) {
    EXPECT_NE(VerdictName(decided->decision.verdict), "allow")
        << Summarize(decided->decision, decided->reports);
  } else {
    EXPECT_THAT(decided.status().message(),
                HasSubstr("unknown application security group"));
  }
}


TEST(ScenarioBaseTest, CopiedScenarioNamesUnreadableBase) {
  const std::string copy = absl::StrCat(std::getenv("TEST_TMPDIR"), "/copied.json");
  std::ifstream in(absl::StrCat(kScenarioDir, "/01-admin-through-bastion.json"));
  std::ofstream(copy) << std::string(std::istreambuf_iterator<char>(in), {});

  absl::StatusOr<Scenario> scenario = LoadScenario(copy);
  ASSERT_FALSE(scenario.ok());
  EXPECT_EQ(scenario.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(scenario.status().message(),
              HasSubstr(absl::StrCat(copy, ": base: \"../reference-architecture.json\" "
                                           "resolves to ")));
  EXPECT_THAT(scenario.status().message(), HasSubstr("cannot be read"));
}

}  // namespace
}  // namespace portcullis::decide::testing
