// Decide() on the reference architecture: an error in any layer denies,
// pending yields to a later error, the bastion subnet's outbound rules judge
// the session to the VM, and Conditional Access judges the connection's
// source.
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "access/ca_import.h"
#include "access/rbac_import.h"
#include "decide/decide.h"
#include "decide/explain.h"
#include "decide/holder.h"
#include "decide/reference.h"
#include "decide/scenario.h"
#include "decide/snapshot.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "proto/pim.pb.h"
#include "schedule/rfc3339.h"
#include "tests/decide/scenario_fixture.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::decide::testing {
namespace {

using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

absl::Time At(const char* text) { return *schedule::ParseRfc3339(text); }

// The reference architecture at 09:30 on 2 March 2026, when its
// administrator's activation and JIT grant are both in force.
class DecideErrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Scenario> loaded = LoadScenario(kReferenceArchitecture);
    ASSERT_OK(loaded.status());
    scenario_ = std::make_unique<Scenario>(*std::move(loaded));
  }

  // Builds the (possibly edited) input around `now_`.
  std::shared_ptr<const Snapshot> Build() {
    absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
        Snapshot::Build(scenario_->input, BuildOptionsAround(now_));
    EXPECT_OK(snapshot.status());
    return snapshot.ok() ? *snapshot : nullptr;
  }

  // Expects a denial by `layer` with `error`.
  static void ExpectErrorDenies(const Decision& decision, Layer layer, ErrorCode error) {
    EXPECT_EQ(decision.verdict, Verdict::kDeny);
    EXPECT_TRUE(decision.has_denied_by);
    EXPECT_EQ(decision.denied_by, layer) << LayerName(decision.denied_by);
    EXPECT_EQ(decision.layer(layer).outcome, LayerOutcome::kError);
    EXPECT_EQ(decision.layer(layer).error, error) << ErrorMessage(decision.layer(layer).error);
  }

  std::unique_ptr<Scenario> scenario_;
  absl::Time now_ = At("2026-03-02T09:30:00Z");
};

TEST_F(DecideErrorTest, ReferenceArchitectureAllowsWithoutEdits) {
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  Decision decision = Decide(*snapshot, scenario_->attempt(), now_);
  EXPECT_EQ(decision.verdict, Verdict::kAllow);
}

TEST_F(DecideErrorTest, MissingConditionalAccessDenies) {
  scenario_->input.conditional_access.reset();
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  Decision decision = Decide(*snapshot, scenario_->attempt(), now_);
  ExpectErrorDenies(decision, Layer::kConditionalAccess, ErrorCode::kLayerNotConfigured);
}

TEST_F(DecideErrorTest, SignInWithoutUserDenies) {
  scenario_->sign_in->user_id.clear();
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  Decision decision = Decide(*snapshot, scenario_->attempt(), now_);
  ExpectErrorDenies(decision, Layer::kConditionalAccess, ErrorCode::kNoUser);
  EXPECT_EQ(decision.layer(Layer::kPim).error, ErrorCode::kNoUser);
  EXPECT_EQ(decision.layer(Layer::kRbac).error, ErrorCode::kNoUser);
}

TEST_F(DecideErrorTest, MissingPimDenies) {
  scenario_->input.pim.reset();
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  Decision decision = Decide(*snapshot, scenario_->attempt(), now_);
  ExpectErrorDenies(decision, Layer::kPim, ErrorCode::kLayerNotConfigured);
}

TEST_F(DecideErrorTest, InstantPastWorkHoursRangeDenies) {
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  // Work hours were expanded up to a week after `now_`. A Monday 09:30 two
  // weeks later is inside work hours but outside the expanded range.
  Decision decision =
      Decide(*snapshot, scenario_->attempt(), now_ + absl::Hours(24 * 14));
  ExpectErrorDenies(decision, Layer::kPim, ErrorCode::kOutsideValidity);
  EXPECT_EQ(decision.layer(Layer::kConditionalAccess).outcome, LayerOutcome::kAllow);
}

TEST_F(DecideErrorTest, MissingRbacDenies) {
  scenario_->input.rbac.reset();
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  Decision decision = Decide(*snapshot, scenario_->attempt(), now_);
  ExpectErrorDenies(decision, Layer::kRbac, ErrorCode::kLayerNotConfigured);
  EXPECT_EQ(decision.layer(Layer::kPim).outcome, LayerOutcome::kAllow);
}

TEST_F(DecideErrorTest, UnknownVmDeniesRawFlowAtJit) {
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  Attempt attempt = scenario_->attempt();
  attempt.sign_in = nullptr;
  attempt.via_bastion = false;
  attempt.vm_id =
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-jit-demo/"
      "providers/Microsoft.Compute/virtualMachines/vm-missing";
  Decision decision = Decide(*snapshot, attempt, now_);
  ExpectErrorDenies(decision, Layer::kJit, ErrorCode::kUnknownVm);
  EXPECT_EQ(decision.layer(Layer::kNsg).error, ErrorCode::kUnknownVm);
  ASSERT_OK_AND_ASSIGN(std::vector<LayerReport> reports,
                       Explain(snapshot.get(), attempt, decision));
  EXPECT_THAT(Summarize(decision, reports),
              HasSubstr("the snapshot has no VM with the attempt's VM id \"/subscriptions/"
                        "00000000-0000-0000-0000-000000000000/resourceGroups/rg-jit-demo/"
                        "providers/Microsoft.Compute/virtualMachines/vm-missing\""));
}

TEST_F(DecideErrorTest, UnknownVmDeniesSignedInAttemptAtRbac) {
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  Attempt attempt = scenario_->attempt();
  attempt.vm_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/x/"
                  "providers/Microsoft.Compute/virtualMachines/vm-missing";
  Decision decision = Decide(*snapshot, attempt, now_);
  ExpectErrorDenies(decision, Layer::kRbac, ErrorCode::kUnknownVm);
}

TEST_F(DecideErrorTest, RawFlowThroughBastionDenies) {
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  Attempt attempt = scenario_->attempt();
  ASSERT_TRUE(attempt.via_bastion);
  attempt.sign_in = nullptr;
  Decision decision = Decide(*snapshot, attempt, now_);
  EXPECT_EQ(decision.verdict, Verdict::kDeny);
  EXPECT_TRUE(decision.has_denied_by);
  EXPECT_EQ(decision.denied_by, Layer::kConditionalAccess) << LayerName(decision.denied_by);
  EXPECT_EQ(decision.layer(Layer::kConditionalAccess).outcome, LayerOutcome::kDeny);
  EXPECT_EQ(decision.layer(Layer::kPim).outcome, LayerOutcome::kNotApplicable);
  EXPECT_EQ(decision.layer(Layer::kRbac).outcome, LayerOutcome::kNotApplicable);
  ASSERT_OK_AND_ASSIGN(std::vector<LayerReport> reports,
                       Explain(snapshot.get(), attempt, decision));
  EXPECT_THAT(Summarize(decision, reports),
              HasSubstr("denied by conditionalAccess: no signed-in user: Azure Bastion "
                        "opens a session only for a user signed in"));

  // The same flow straight to the VM is left to the network layers.
  attempt.via_bastion = false;
  Decision direct = Decide(*snapshot, attempt, now_);
  EXPECT_EQ(direct.layer(Layer::kConditionalAccess).outcome, LayerOutcome::kNotApplicable);
}

// A deny assignment on reading VMs for a group the administrator is not in.
constexpr char kGroupDeny[] = R"({"value": [{"properties": {
    "denyAssignmentName": "operators may not read VMs",
    "permissions": [{"actions": ["Microsoft.Compute/virtualMachines/read"]}],
    "scope": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-jit-demo",
    "principals": [{"id": "7e1f3a5c-0000-4000-8000-00000000000a", "type": "Group"}]},
  "name": "6f3b8d2e-0a4c-5e7f-9b1d-3c5e7a9f1b2d"}]})";

TEST_F(DecideErrorTest, UnknownGroupMembershipDeniesAtRbac) {
  ASSERT_OK_AND_ASSIGN(std::vector<rbac::DenyAssignment> denies,
                       rbac::ParseDenyAssignments(kGroupDeny, "group-deny.json"));
  ASSERT_TRUE(scenario_->input.rbac.has_value());
  for (rbac::DenyAssignment& deny : denies) {
    *scenario_->input.rbac->add_deny_assignments() = std::move(deny);
  }
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  ASSERT_TRUE(scenario_->sign_in.has_value());
  ASSERT_TRUE(access::GroupMembershipKnown(*scenario_->sign_in));
  EXPECT_EQ(Decide(*snapshot, scenario_->attempt(), now_).verdict, Verdict::kAllow);

  struct Case {
    const char* name;
    bool directory_known;
    bool groups_known;
  };
  for (const Case& c : {Case{"entry without groups", true, false},
                        Case{"user not in the directory", false, true}}) {
    SCOPED_TRACE(c.name);
    access::SignIn sign_in = *scenario_->sign_in;
    sign_in.directory_known = c.directory_known;
    sign_in.groups_known = c.groups_known;
    Attempt attempt = scenario_->attempt();
    attempt.sign_in = &sign_in;
    Decision decision = Decide(*snapshot, attempt, now_);
    EXPECT_EQ(decision.verdict, Verdict::kDeny);
    EXPECT_EQ(decision.denied_by, Layer::kRbac) << LayerName(decision.denied_by);
    EXPECT_EQ(decision.layer(Layer::kRbac).outcome, LayerOutcome::kDeny);
    EXPECT_TRUE(decision.rbac.checked_each);
    ASSERT_OK_AND_ASSIGN(std::vector<LayerReport> reports,
                         Explain(snapshot.get(), attempt, decision));
    EXPECT_THAT(Summarize(decision, reports), HasSubstr("group membership of principal"));
    bool reason_fact = false;
    for (const auto& fact : reports[static_cast<int>(Layer::kRbac)].facts) {
      if (fact.first == "reason") {
        EXPECT_EQ(fact.second, "group membership unknown");
        reason_fact = true;
      }
    }
    EXPECT_TRUE(reason_fact);
  }
}

TEST_F(DecideErrorTest, MappedSourceIsItsIpv4Address) {
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  Attempt attempt = scenario_->attempt();
  ASSERT_FALSE(attempt.source.is_v6());
  const net::IpAddress v4 = attempt.source;
  attempt.source = *net::IpAddress::Parse(absl::StrCat("::ffff:", v4.ToString()));
  ASSERT_TRUE(attempt.source.is_v4_mapped());
  Decision decision = Decide(*snapshot, attempt, now_);
  EXPECT_EQ(decision.verdict, Verdict::kAllow);
  EXPECT_EQ(decision.layer(Layer::kNsg).outcome, LayerOutcome::kAllow);
  EXPECT_EQ(decision.nsg.to_bastion.v4.source, v4.v4());

  // A raw flow from the same mapped address meets the same JIT and NSG
  // verdicts as its IPv4 form.
  attempt.sign_in = nullptr;
  attempt.via_bastion = false;
  Decision mapped = Decide(*snapshot, attempt, now_);
  attempt.source = v4;
  Decision plain = Decide(*snapshot, attempt, now_);
  EXPECT_EQ(mapped.verdict, plain.verdict);
  EXPECT_EQ(mapped.layer(Layer::kJit).outcome, plain.layer(Layer::kJit).outcome);
  EXPECT_EQ(mapped.layer(Layer::kNsg).outcome, plain.layer(Layer::kNsg).outcome);
  EXPECT_EQ(mapped.layer(Layer::kNsg).error, ErrorCode::kNone);
}

TEST_F(DecideErrorTest, VmWithoutNsgDeniesAtNsg) {
  scenario_->input.network.vms[0].subnet_nsg.reset();
  scenario_->input.network.vms[0].nic_nsg.reset();
  scenario_->input.network.vms[0].nic.clear_network_security_group_id();
  scenario_->input.network.jit_policy.reset();
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  Attempt attempt = scenario_->attempt();
  attempt.sign_in = nullptr;
  attempt.via_bastion = false;
  Decision decision = Decide(*snapshot, attempt, now_);
  EXPECT_EQ(decision.layer(Layer::kJit).outcome, LayerOutcome::kNotApplicable);
  ExpectErrorDenies(decision, Layer::kNsg, ErrorCode::kNoNsg);
}

// Without JIT, only the check against the NIC keeps its NSG on the path:
// an NSG left out or swapped for another would drop the NIC's rules.
constexpr char kNicNsgId[] =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-jit-demo/"
    "providers/Microsoft.Network/networkSecurityGroups/nsg-vm-app01-nic";

TEST_F(DecideErrorTest, MissingNicNsgIsError) {
  scenario_->input.network.jit_policy.reset();
  scenario_->input.network.vms[0].nic_nsg.reset();
  absl::Status status = Snapshot::Build(scenario_->input, BuildOptionsAround(now_)).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("network.vms[0].nicNsg: missing")));
  EXPECT_THAT(status.message(), HasSubstr(kNicNsgId));
}

TEST_F(DecideErrorTest, OtherNicNsgIsError) {
  scenario_->input.network.jit_policy.reset();
  VmInput& vm = scenario_->input.network.vms[0];
  vm.nic_nsg = vm.subnet_nsg;
  absl::Status status = Snapshot::Build(scenario_->input, BuildOptionsAround(now_)).status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("network.vms[0].nicNsg: invalid value \"nsg-workload\"")));
  EXPECT_THAT(status.message(), HasSubstr(kNicNsgId));
}

TEST_F(DecideErrorTest, NicNsgIdMatchesIgnoringCase) {
  scenario_->input.network.jit_policy.reset();
  VmInput& vm = scenario_->input.network.vms[0];
  vm.nic_nsg->set_name("NSG-VM-APP01-NIC");
  EXPECT_OK(Snapshot::Build(scenario_->input, BuildOptionsAround(now_)).status());
  vm.nic_nsg->set_id(absl::AsciiStrToUpper(kNicNsgId));
  EXPECT_OK(Snapshot::Build(scenario_->input, BuildOptionsAround(now_)).status());
}

TEST_F(DecideErrorTest, NicNsgOfSameNameElsewhereIsError) {
  scenario_->input.network.jit_policy.reset();
  VmInput& vm = scenario_->input.network.vms[0];
  vm.nic_nsg->set_id(
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-other/"
      "providers/Microsoft.Network/networkSecurityGroups/nsg-vm-app01-nic");
  EXPECT_THAT(Snapshot::Build(scenario_->input, BuildOptionsAround(now_)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("network.vms[0].nicNsg: invalid value \"/subscriptions/"
                                 "00000000-0000-0000-0000-000000000000/resourceGroups/"
                                 "rg-other/")));
}

TEST_F(DecideErrorTest, NicNsgForNicWithoutNsgIsError) {
  scenario_->input.network.jit_policy.reset();
  scenario_->input.network.vms[0].nic.clear_network_security_group_id();
  EXPECT_THAT(Snapshot::Build(scenario_->input, BuildOptionsAround(now_)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("network.vms[0].nicNsg: unexpected NSG \"nsg-vm-app01-nic\"; "
                                 "the NIC")));
}

TEST_F(DecideErrorTest, UnsupportedProtocolDeniesAtNsg) {
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  Attempt attempt = scenario_->attempt();
  attempt.protocol = nsg::PROTOCOL_ICMP;
  attempt.port = 0;
  Decision decision = Decide(*snapshot, attempt, now_);
  ExpectErrorDenies(decision, Layer::kNsg, ErrorCode::kUnsupportedProtocol);
}

TEST_F(DecideErrorTest, AddressFamilyMismatchDeniesAtNsg) {
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  Attempt attempt = scenario_->attempt();
  attempt.sign_in = nullptr;
  attempt.via_bastion = false;
  attempt.port = 443;
  attempt.source = *net::IpAddress::Parse("2001:db8::25");
  Decision decision = Decide(*snapshot, attempt, now_);
  ExpectErrorDenies(decision, Layer::kNsg, ErrorCode::kAddressFamilyMismatch);
}

TEST_F(DecideErrorTest, BastionAttemptWithoutBastionDenies) {
  scenario_->input.network.bastion.reset();
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  Decision decision = Decide(*snapshot, scenario_->attempt(), now_);
  ExpectErrorDenies(decision, Layer::kRbac, ErrorCode::kNoBastion);
  EXPECT_EQ(decision.layer(Layer::kJit).error, ErrorCode::kNoBastion);
  EXPECT_EQ(decision.layer(Layer::kNsg).error, ErrorCode::kNoBastion);
}

TEST_F(DecideErrorTest, PendingThenErrorDenies) {
  absl::StatusOr<Scenario> pending =
      LoadScenario(std::string(kScenarioDir) + "/07-activation-awaits-approval.json");
  ASSERT_OK(pending.status());
  pending->input.network.bastion->subnet_nsg.reset();
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
      Snapshot::Build(pending->input, BuildOptionsAround(now_));
  ASSERT_OK(snapshot.status());
  Decision decision = Decide(**snapshot, pending->attempt(), now_);
  EXPECT_EQ(decision.layer(Layer::kPim).outcome, LayerOutcome::kPending);
  ExpectErrorDenies(decision, Layer::kNsg, ErrorCode::kNoNsg);
}

// Microsoft's required Bastion NSG without AllowSshRdpOutBound: the
// session from the bastion to the VM leaves AzureBastionSubnet and meets
// DenyAllOtherOutBound, although the client's flow to the bastion and the
// VM side's inbound rules allow.
TEST_F(DecideErrorTest, BastionSubnetOutboundDenyStopsSession) {
  nsg::NetworkSecurityGroup& bastion = *scenario_->input.network.bastion->subnet_nsg;
  int removed = -1;
  for (int i = 0; i < bastion.security_rules_size(); ++i) {
    if (bastion.security_rules(i).name() == "AllowSshRdpOutBound") removed = i;
  }
  ASSERT_GE(removed, 0);
  bastion.mutable_security_rules()->DeleteSubrange(removed, 1);
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  Attempt attempt = scenario_->attempt();

  Decision decision = Decide(*snapshot, attempt, now_);
  EXPECT_EQ(decision.verdict, Verdict::kDeny);
  EXPECT_EQ(decision.denied_by, Layer::kNsg) << LayerName(decision.denied_by);
  EXPECT_EQ(decision.layer(Layer::kNsg).outcome, LayerOutcome::kDeny);
  EXPECT_TRUE(decision.nsg.to_bastion.allowed);
  EXPECT_TRUE(decision.nsg.to_vm.allowed);
  ASSERT_TRUE(decision.nsg.from_bastion.evaluated);
  EXPECT_FALSE(decision.nsg.from_bastion.allowed);

  ASSERT_OK_AND_ASSIGN(std::vector<LayerReport> reports,
                       Explain(snapshot.get(), attempt, decision));
  EXPECT_EQ(Summarize(decision, reports),
            "denied by nsg: the bastion's session leaving AzureBastionSubnet (tcp "
            "10.0.1.4:50000 -> 10.0.2.4:22) is denied: nsg-bastion denies by "
            "securityRules/DenyAllOtherOutBound");

  ASSERT_OK_AND_ASSIGN(ReferenceNetworkDecision reference,
                       DecideNetworkReference(*snapshot, attempt, now_));
  ASSERT_TRUE(reference.from_bastion.has_value());
  EXPECT_EQ(reference.from_bastion->access(), nsg::ACCESS_DENY);
  EXPECT_EQ(reference.from_bastion->rule(), "securityRules/DenyAllOtherOutBound");

  // A direct flow does not pass the bastion, so the bastion's NSG is not evaluated.
  attempt.via_bastion = false;
  Decision direct = Decide(*snapshot, attempt, now_);
  EXPECT_FALSE(direct.nsg.from_bastion.evaluated);
  EXPECT_FALSE(direct.nsg.to_bastion.evaluated);
}

// A decision of the (possibly edited) reference attempt with its
// explanation, for tests that read the layers' reasons.
class ExplainedDecisionTest : public DecideErrorTest {
 protected:
  // Builds the input, decides the reference attempt, from `source` when
  // given, and explains it.
  void DecideAndExplain(std::optional<net::IpAddress> source = std::nullopt) {
    snapshot_ = Build();
    ASSERT_NE(snapshot_, nullptr);
    attempt_ = scenario_->attempt();
    if (source.has_value()) attempt_.source = *source;
    decision_ = Decide(*snapshot_, attempt_, now_);
    ASSERT_OK_AND_ASSIGN(reports_, Explain(snapshot_.get(), attempt_, decision_));
  }

  std::string CaReasons() const {
    return absl::StrJoin(reports_[static_cast<int>(Layer::kConditionalAccess)].reasons,
                         "\n");
  }

  std::shared_ptr<const Snapshot> snapshot_;
  Attempt attempt_;
  Decision decision_;
  std::vector<LayerReport> reports_;
};

// CA101 of the reference architecture blocks Azure management sign-ins from
// outside the trusted 198.51.100.0/24.
class SignInAddressTest : public ExplainedDecisionTest,
                          public ::testing::WithParamInterface<access::EvaluationMode> {
 protected:
  void SetUp() override {
    ExplainedDecisionTest::SetUp();
    scenario_->input.conditional_access->mode = GetParam();
  }

  // Decides the reference attempt with the sign-in's address `own` (none
  // when empty) from `source`, and explains it.
  void DecideWith(const std::string& own, const std::string& source) {
    if (own.empty()) {
      scenario_->sign_in->ip_address.reset();
    } else {
      scenario_->sign_in->ip_address = *net::IpAddress::Parse(own);
    }
    DecideAndExplain(*net::IpAddress::Parse(source));
  }
};

TEST_P(SignInAddressTest, MissingAddressOutsideIsBlocked) {
  DecideWith("", "203.0.113.9");
  EXPECT_EQ(decision_.ca.address, CaDetail::Address::kSource);
  EXPECT_EQ(decision_.layer(Layer::kConditionalAccess).outcome, LayerOutcome::kDeny);
  EXPECT_EQ(decision_.verdict, Verdict::kDeny);
  EXPECT_EQ(decision_.denied_by, Layer::kConditionalAccess);
  EXPECT_EQ(decision_.ca.decision.outcome, access::Outcome::kBlock);
  EXPECT_THAT(CaReasons(), HasSubstr("blocks the sign-in"));
  EXPECT_THAT(CaReasons(), HasSubstr("the sign-in has no IP address, so location conditions "
                                     "judge the connection's source 203.0.113.9"));
}

TEST_P(SignInAddressTest, MissingAddressInsideIsAllowed) {
  DecideWith("", "198.51.100.25");
  EXPECT_EQ(decision_.ca.address, CaDetail::Address::kSource);
  EXPECT_EQ(decision_.layer(Layer::kConditionalAccess).outcome, LayerOutcome::kAllow);
  EXPECT_EQ(decision_.verdict, Verdict::kAllow);
}

TEST_P(SignInAddressTest, TrustedSignInFromOtherSourceDenied) {
  DecideWith("198.51.100.25", "203.0.113.9");
  EXPECT_EQ(decision_.ca.address, CaDetail::Address::kConflict);
  EXPECT_EQ(decision_.ca.decision.outcome, access::Outcome::kBlock);
  EXPECT_EQ(decision_.ca.decision.deciding_policy, -1);
  EXPECT_EQ(decision_.layer(Layer::kConditionalAccess).outcome, LayerOutcome::kDeny);
  EXPECT_EQ(decision_.verdict, Verdict::kDeny);
  EXPECT_EQ(decision_.denied_by, Layer::kConditionalAccess);
  EXPECT_THAT(Summarize(decision_, reports_),
              HasSubstr("denied by conditionalAccess: the sign-in's IP address "
                        "198.51.100.25 differs from the connection's source 203.0.113.9"));
}

TEST_P(SignInAddressTest, OutsideSignInFromTrustedSourceDenied) {
  DecideWith("203.0.113.9", "198.51.100.25");
  EXPECT_EQ(decision_.ca.address, CaDetail::Address::kConflict);
  EXPECT_EQ(decision_.verdict, Verdict::kDeny);
  EXPECT_EQ(decision_.denied_by, Layer::kConditionalAccess);
  EXPECT_THAT(CaReasons(), HasSubstr("203.0.113.9 differs from the connection's source "
                                     "198.51.100.25"));
}

TEST_P(SignInAddressTest, MappedSourceMatchesSignIn) {
  DecideWith("198.51.100.25", "::ffff:198.51.100.25");
  EXPECT_EQ(decision_.ca.address, CaDetail::Address::kSignIn);
  EXPECT_EQ(decision_.verdict, Verdict::kAllow);
}

INSTANTIATE_TEST_SUITE_P(Modes, SignInAddressTest,
                         ::testing::Values(access::EvaluationMode::kStrict,
                                           access::EvaluationMode::kLenient),
                         [](const ::testing::TestParamInfo<access::EvaluationMode>& info) {
                           return info.param == access::EvaluationMode::kStrict
                                      ? std::string("Strict")
                                      : std::string("Lenient");
                         });

// The connection needs a sign-in to Azure management, whatever the sign-in
// names. The reference sign-in is for Azure management from the trusted
// 198.51.100.25.
class SignInTargetTest : public ExplainedDecisionTest {};

TEST_F(SignInTargetTest, AzureManagementSignInAllows) {
  DecideAndExplain();
  EXPECT_EQ(decision_.ca.target, CaDetail::Target::kSignIn);
  EXPECT_EQ(decision_.verdict, Verdict::kAllow);
}

TEST_F(SignInTargetTest, OtherApplicationDenies) {
  scenario_->sign_in->application_ids = {"00000003-0000-0000-c000-000000000000"};
  DecideAndExplain();
  EXPECT_EQ(decision_.ca.target, CaDetail::Target::kOther);
  EXPECT_EQ(decision_.ca.decision.deciding_policy, -1);
  EXPECT_EQ(decision_.verdict, Verdict::kDeny);
  EXPECT_EQ(decision_.denied_by, Layer::kConditionalAccess);
  EXPECT_THAT(CaReasons(), HasSubstr("the sign-in is for application "
                                     "00000003-0000-0000-c000-000000000000, but a session "
                                     "through Azure Bastion"));
}

TEST_F(SignInTargetTest, UserActionDenies) {
  scenario_->sign_in->target = access::SignIn::Target::kUserAction;
  scenario_->sign_in->application_ids.clear();
  DecideAndExplain();
  EXPECT_EQ(decision_.ca.target, CaDetail::Target::kOther);
  EXPECT_EQ(decision_.denied_by, Layer::kConditionalAccess);
  EXPECT_THAT(CaReasons(), HasSubstr("the user action registerSecurityInformation"));
}

TEST_F(SignInTargetTest, AuthenticationContextDenies) {
  scenario_->sign_in->target = access::SignIn::Target::kAuthenticationContext;
  scenario_->sign_in->authentication_context = "c1";
  DecideAndExplain();
  EXPECT_EQ(decision_.ca.target, CaDetail::Target::kOther);
  EXPECT_EQ(decision_.denied_by, Layer::kConditionalAccess);
  EXPECT_THAT(CaReasons(), HasSubstr("authentication context c1"));
}

TEST_F(SignInTargetTest, ManagementAmongSeveralAllows) {
  scenario_->sign_in->application_ids.insert(scenario_->sign_in->application_ids.begin(),
                                             "00000003-0000-0000-c000-000000000000");
  DecideAndExplain();
  EXPECT_EQ(decision_.ca.target, CaDetail::Target::kSignIn);
  EXPECT_EQ(decision_.verdict, Verdict::kAllow);
}

TEST_F(SignInTargetTest, MissingTargetIsAzureManagement) {
  // Without a target, the unmanaged device must still meet CA100's
  // compliant-device control for Azure management.
  scenario_->sign_in->target = access::SignIn::Target::kNotSupplied;
  scenario_->sign_in->application_ids.clear();
  scenario_->sign_in->device = access::DeviceInfo{};
  DecideAndExplain();
  EXPECT_EQ(decision_.ca.target, CaDetail::Target::kFilled);
  EXPECT_EQ(decision_.denied_by, Layer::kConditionalAccess);
  EXPECT_THAT(CaReasons(), HasSubstr("the sign-in names no application, so it is judged as "
                                     "a sign-in to the Windows Azure Service Management API"));
}

// Conditional Access policies added to the reference architecture's.
class ConditionalAccessEdgeTest : public ExplainedDecisionTest {
 protected:
  void AddPolicy(const std::string& json) {
    absl::StatusOr<std::vector<access::ImportedPolicy>> imported =
        access::ImportPolicies(json, "added.json");
    ASSERT_OK(imported.status());
    for (access::ImportedPolicy& policy : *imported) {
      scenario_->input.conditional_access->policies.push_back(std::move(policy.policy));
    }
  }

  // A block of Azure management sign-ins inside work hours that cover every
  // hour of the week.
  void AddScheduledBlock() {
    AddPolicy(R"({"id": "11111111-1111-4111-8111-111111111111", "displayName": "block",
        "state": "enabled", "conditions": {"clientAppTypes": ["all"],
          "applications": {"includeApplications": ["797f4846-ba00-4fd7-ba43-dac1f8f63013"]},
          "users": {"includeUsers": ["All"]},
          "x-portcullis-schedule": {"mode": "include", "workHours": {"timeZone": "UTC",
            "weekly": [{"days": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
                        "start": "00:00", "end": "24:00"}]}}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}})");
  }

  // A policy for every user outside one group, with `control` as its grant
  // control. Its user condition is unknown while the user's groups are.
  void AddGroupExclusion(const std::string& id, const std::string& control) {
    AddPolicy(absl::StrCat(R"({"id": ")", id, R"(", "displayName": "probe",
        "state": "enabled", "conditions": {"clientAppTypes": ["all"],
          "applications": {"includeApplications": ["All"]},
          "users": {"includeUsers": ["All"],
                    "excludeGroups": ["4d9a6c2e-3b1f-4e8a-9c7d-5f2e1a0b3c64"]}},
        "grantControls": {"operator": "OR", "builtInControls": [")",
                           control, R"("]}})"));
  }
};

TEST_F(ConditionalAccessEdgeTest, ScheduledBlockDeniesAtFiniteInstants) {
  AddScheduledBlock();
  for (const char* at : {"2026-03-02T09:30:00Z", "9999-12-31T23:59:59Z"}) {
    SCOPED_TRACE(at);
    snapshot_ = Build();
    ASSERT_NE(snapshot_, nullptr);
    Decision decision = Decide(*snapshot_, scenario_->attempt(), At(at));
    EXPECT_EQ(decision.verdict, Verdict::kDeny);
    EXPECT_EQ(decision.denied_by, Layer::kConditionalAccess);
    EXPECT_EQ(decision.layer(Layer::kConditionalAccess).outcome, LayerOutcome::kDeny);
  }
}

TEST_F(ConditionalAccessEdgeTest, NonFiniteInstantFailsEveryLayer) {
  AddScheduledBlock();
  snapshot_ = Build();
  ASSERT_NE(snapshot_, nullptr);
  const Attempt attempt = scenario_->attempt();
  for (absl::Time now : {absl::InfiniteFuture(), absl::InfinitePast()}) {
    const std::string value =
        now == absl::InfiniteFuture() ? "infinite-future" : "infinite-past";
    SCOPED_TRACE(value);
    Decision decision = Decide(*snapshot_, attempt, now);
    ExpectErrorDenies(decision, Layer::kConditionalAccess, ErrorCode::kNonFiniteTime);
    for (int i = 0; i < kLayerCount; ++i) {
      EXPECT_EQ(decision.layers[i].outcome, LayerOutcome::kError) << i;
      EXPECT_EQ(decision.layers[i].error, ErrorCode::kNonFiniteTime) << i;
    }
    ASSERT_OK_AND_ASSIGN(std::vector<LayerReport> reports,
                         Explain(snapshot_.get(), attempt, decision));
    EXPECT_THAT(Summarize(decision, reports),
                HasSubstr("denied by conditionalAccess: the instant to decide at is not "
                          "finite, so no layer can judge it (now: invalid instant " +
                          value + "; expected a finite time)"));

    // A raw flow has no identity layers, and the network layers fail.
    Attempt raw = attempt;
    raw.sign_in = nullptr;
    raw.via_bastion = false;
    Decision flow = Decide(*snapshot_, raw, now);
    ExpectErrorDenies(flow, Layer::kJit, ErrorCode::kNonFiniteTime);
    EXPECT_EQ(flow.layer(Layer::kNsg).error, ErrorCode::kNonFiniteTime);
    EXPECT_EQ(flow.layer(Layer::kConditionalAccess).outcome, LayerOutcome::kNotApplicable);
  }
}

// Strict mode skips a policy whose user condition is unknown. The decision
// chain still denies what that policy would block, and names it.
TEST_F(ConditionalAccessEdgeTest, StrictModeDeniesForMissingFacts) {
  const std::string id = "22222222-2222-4222-8222-222222222222";
  AddGroupExclusion(id, "block");
  scenario_->sign_in->groups_known = false;
  for (access::EvaluationMode mode :
       {access::EvaluationMode::kLenient, access::EvaluationMode::kStrict}) {
    const bool strict = mode == access::EvaluationMode::kStrict;
    SCOPED_TRACE(strict ? "strict" : "lenient");
    scenario_->input.conditional_access->mode = mode;
    DecideAndExplain();
    EXPECT_EQ(decision_.verdict, Verdict::kDeny);
    EXPECT_EQ(decision_.denied_by, Layer::kConditionalAccess);
    EXPECT_EQ(decision_.ca.decision.outcome, access::Outcome::kBlock);
    EXPECT_EQ(decision_.ca.missing_facts, strict);
    const LayerReport& report = reports_[static_cast<int>(Layer::kConditionalAccess)];
    ASSERT_FALSE(report.reasons.empty());
    EXPECT_THAT(report.reasons[0], HasSubstr("policy \"probe\" (" + id + ") blocks the sign-in"));
    if (strict) {
      EXPECT_THAT(report.reasons[0],
                  HasSubstr("if it applies, and strict mode skipped it for missing facts "
                            "(notEnoughInformation)"));
      EXPECT_THAT(CaReasons(), HasSubstr("strict mode skipped policy \"probe\" (" + id +
                                         ") (notApplied: notEnoughInformation)"));
    }
  }
}

// A skipped policy that would not deny leaves the layer's decision alone,
// but strict mode's explanation still names it.
TEST_F(ConditionalAccessEdgeTest, StrictModeNamesSkippedPolicy) {
  const std::string id = "33333333-3333-4333-8333-333333333333";
  AddGroupExclusion(id, "mfa");
  scenario_->sign_in->groups_known = false;
  scenario_->input.conditional_access->mode = access::EvaluationMode::kStrict;
  DecideAndExplain();
  EXPECT_EQ(decision_.layer(Layer::kConditionalAccess).outcome, LayerOutcome::kAllow);
  EXPECT_FALSE(decision_.ca.missing_facts);
  EXPECT_THAT(CaReasons(), HasSubstr("strict mode skipped policy \"probe\" (" + id +
                                     ") (notApplied: notEnoughInformation)"));
  const LayerReport& report = reports_[static_cast<int>(Layer::kConditionalAccess)];
  bool named = false;
  for (const auto& fact : report.facts) {
    if (fact.first == "notEnoughInformation") named = fact.second == id;
  }
  EXPECT_TRUE(named);
}

TEST_F(DecideErrorTest, ErrorsExplainThemselves) {
  scenario_->input.rbac.reset();
  std::shared_ptr<const Snapshot> snapshot = Build();
  ASSERT_NE(snapshot, nullptr);
  Attempt attempt = scenario_->attempt();
  Decision decision = Decide(*snapshot, attempt, now_);
  ASSERT_OK_AND_ASSIGN(std::vector<LayerReport> reports,
                       Explain(snapshot.get(), attempt, decision));
  EXPECT_THAT(Summarize(decision, reports),
              HasSubstr("denied by rbac: the snapshot was built without this layer's input"));
}

TEST_F(DecideErrorTest, ExplainRejectsOtherSnapshot) {
  std::shared_ptr<const Snapshot> first = Build();
  std::shared_ptr<const Snapshot> second = Build();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_NE(first->id(), second->id());
  Decision decision = Decide(*first, scenario_->attempt(), now_);
  EXPECT_THAT(Explain(second.get(), scenario_->attempt(), decision).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("made against snapshot")));
}

TEST(SnapshotHolderTest, NothingPublishedDenies) {
  SnapshotHolder holder;
  ASSERT_OK_AND_ASSIGN(SnapshotReader reader, holder.NewReader());
  Attempt attempt;
  attempt.port = 22;
  Decision decision = reader.Decide(attempt, At("2026-03-02T09:30:00Z"));
  EXPECT_EQ(decision.verdict, Verdict::kDeny);
  EXPECT_EQ(decision.denied_by, Layer::kJit);
  EXPECT_EQ(decision.layer(Layer::kJit).error, ErrorCode::kNoSnapshot);
  EXPECT_EQ(decision.layer(Layer::kConditionalAccess).outcome, LayerOutcome::kNotApplicable);
}

TEST(SnapshotHolderTest, WithdrawnSnapshotDenies) {
  absl::StatusOr<Scenario> scenario = LoadScenario(kReferenceArchitecture);
  ASSERT_OK(scenario.status());
  absl::Time now = At("2026-03-02T09:30:00Z");
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Snapshot> snapshot,
                       Snapshot::Build(scenario->input, BuildOptionsAround(now)));
  SnapshotHolder holder;
  ASSERT_OK_AND_ASSIGN(SnapshotReader reader, holder.NewReader());
  holder.Publish(snapshot);
  EXPECT_EQ(reader.Decide(scenario->attempt(), now).verdict, Verdict::kAllow);
  EXPECT_EQ(reader.Decide(scenario->attempt(), now).snapshot_id, snapshot->id());

  holder.Publish(nullptr);
  Decision decision = reader.Decide(scenario->attempt(), now);
  EXPECT_EQ(decision.verdict, Verdict::kDeny);
  EXPECT_EQ(decision.denied_by, Layer::kConditionalAccess);
  EXPECT_EQ(decision.layer(Layer::kConditionalAccess).error, ErrorCode::kNoSnapshot);
}

TEST(SnapshotHolderTest, PinnedSnapshotOutlivesReplacement) {
  absl::StatusOr<Scenario> scenario = LoadScenario(kReferenceArchitecture);
  ASSERT_OK(scenario.status());
  absl::Time now = At("2026-03-02T09:30:00Z");
  SnapshotHolder holder;
  ASSERT_OK_AND_ASSIGN(SnapshotReader reader, holder.NewReader());
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Snapshot> first,
                       Snapshot::Build(scenario->input, BuildOptionsAround(now)));
  const uint64_t first_id = first->id();
  holder.Publish(std::move(first));
  {
    PinnedSnapshot pinned = reader.Pin();
    ASSERT_TRUE(pinned);
    ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Snapshot> second,
                         Snapshot::Build(scenario->input, BuildOptionsAround(now)));
    holder.Publish(std::move(second));
    EXPECT_EQ(holder.retired_count(), 1u);
    Decision decision = Decide(*pinned, scenario->attempt(), now);
    EXPECT_EQ(decision.snapshot_id, first_id);
    EXPECT_OK(Explain(pinned.get(), scenario->attempt(), decision).status());
  }
  holder.CollectRetired();
  EXPECT_EQ(holder.retired_count(), 0u);
  EXPECT_NE(reader.Decide(scenario->attempt(), now).snapshot_id, first_id);
}

// SnapshotReader::Decide() inside a Pin() on the same reader leaves the pin
// in place, so the next publication cannot free the pinned snapshot.
TEST(SnapshotHolderTest, DecideKeepsReaderPin) {
  absl::StatusOr<Scenario> scenario =
      LoadScenario(std::string(kScenarioDir) + "/01-admin-through-bastion.json");
  ASSERT_OK(scenario.status());
  ASSERT_TRUE(scenario->now.has_value());
  const absl::Time now = *scenario->now;
  SnapshotHolder holder;
  ASSERT_OK_AND_ASSIGN(SnapshotReader reader, holder.NewReader());
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Snapshot> first,
                       Snapshot::Build(scenario->input, BuildOptionsAround(now)));
  const uint64_t first_id = first->id();
  holder.Publish(std::move(first));

  PinnedSnapshot pinned = reader.Pin();
  ASSERT_TRUE(pinned);
  std::weak_ptr<const Snapshot> watch = holder.Current();
  Decision nested = reader.Decide(scenario->attempt(), now);
  EXPECT_EQ(nested.verdict, Verdict::kAllow);
  EXPECT_EQ(nested.snapshot_id, first_id);

  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Snapshot> second,
                       Snapshot::Build(scenario->input, BuildOptionsAround(now)));
  const uint64_t second_id = second->id();
  holder.Publish(std::move(second));
  EXPECT_FALSE(watch.expired());
  EXPECT_EQ(holder.retired_count(), 1u);

  // While the pin lasts, the reader keeps deciding from the pinned snapshot.
  EXPECT_EQ(reader.Decide(scenario->attempt(), now).snapshot_id, first_id);
  Decision decision = Decide(*pinned, scenario->attempt(), now);
  EXPECT_EQ(decision.snapshot_id, first_id);
  EXPECT_OK(Explain(pinned.get(), scenario->attempt(), decision).status());

  { PinnedSnapshot released = std::move(pinned); }
  holder.CollectRetired();
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(holder.retired_count(), 0u);
  EXPECT_EQ(reader.Decide(scenario->attempt(), now).snapshot_id, second_id);
}

// A Pin() nested in another on the same reader returns the outer pin's
// snapshot, and ending the inner pin keeps the outer one.
TEST(SnapshotHolderTest, NestedPinsShareSnapshot) {
  absl::StatusOr<Scenario> scenario = LoadScenario(kReferenceArchitecture);
  ASSERT_OK(scenario.status());
  absl::Time now = At("2026-03-02T09:30:00Z");
  SnapshotHolder holder;
  ASSERT_OK_AND_ASSIGN(SnapshotReader reader, holder.NewReader());
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Snapshot> first,
                       Snapshot::Build(scenario->input, BuildOptionsAround(now)));
  holder.Publish(first);
  std::weak_ptr<const Snapshot> watch = first;
  first.reset();

  PinnedSnapshot outer = reader.Pin();
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Snapshot> second,
                       Snapshot::Build(scenario->input, BuildOptionsAround(now)));
  holder.Publish(std::move(second));
  {
    PinnedSnapshot inner = reader.Pin();
    EXPECT_EQ(inner.get(), outer.get());
  }
  holder.CollectRetired();
  EXPECT_FALSE(watch.expired());
  EXPECT_EQ(holder.retired_count(), 1u);
  EXPECT_EQ(Decide(*outer, scenario->attempt(), now).verdict, Verdict::kAllow);
}

TEST(SnapshotHolderTest, ReaderSlotsRunOut) {
  SnapshotHolder holder;
  std::vector<SnapshotReader> readers;
  for (size_t i = 0; i < SnapshotHolder::kMaxReaders; ++i) {
    ASSERT_OK_AND_ASSIGN(SnapshotReader reader, holder.NewReader());
    readers.push_back(std::move(reader));
  }
  EXPECT_THAT(holder.NewReader().status(),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("reader slot")));
  readers.pop_back();
  EXPECT_OK(holder.NewReader().status());
}

TEST(SnapshotBuildTest, WorkHoursNeedFiniteRange) {
  absl::StatusOr<Scenario> scenario = LoadScenario(kReferenceArchitecture);
  ASSERT_OK(scenario.status());
  EXPECT_THAT(Snapshot::Build(scenario->input, BuildOptions()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pim: workHours: the snapshot's validity range must be finite")));
}

// The role a request activates is the eligible one made active, so it
// keeps the eligibility's ABAC condition. Portcullis does not evaluate
// conditions, so RBAC grants nothing through such an activation, as it
// grants nothing through a conditioned request or instance.
TEST(DecideEligibilityConditionTest, ConditionOnEligibilityStopsRbac) {
  const absl::Time now = *schedule::ParseRfc3339("2026-03-02T09:30:00Z");
  absl::StatusOr<Scenario> scenario = LoadScenario(kReferenceArchitecture);
  ASSERT_OK(scenario.status());
  ASSERT_TRUE(scenario->input.pim.has_value());
  {
    absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
        Snapshot::Build(scenario->input, BuildOptionsAround(now));
    ASSERT_OK(snapshot.status());
    Decision decision = Decide(**snapshot, scenario->attempt(), now);
    ASSERT_EQ(decision.layer(Layer::kRbac).outcome, LayerOutcome::kAllow);
  }
  for (pim::ScheduleInstance& eligibility : scenario->input.pim->eligibilities) {
    eligibility.set_condition("@Resource[Microsoft.Storage/storageAccounts:name] StringEquals 'x'");
    eligibility.set_condition_version("2.0");
  }
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
      Snapshot::Build(scenario->input, BuildOptionsAround(now));
  ASSERT_OK(snapshot.status());
  Decision decision = Decide(**snapshot, scenario->attempt(), now);
  EXPECT_EQ(decision.layer(Layer::kPim).outcome, LayerOutcome::kAllow);
  EXPECT_EQ(decision.layer(Layer::kRbac).outcome, LayerOutcome::kDeny);
  EXPECT_EQ(decision.verdict, Verdict::kDeny);
  absl::StatusOr<std::vector<LayerReport>> reports =
      Explain(snapshot->get(), scenario->attempt(), decision);
  ASSERT_OK(reports.status());
  EXPECT_THAT(absl::StrJoin((*reports)[static_cast<int>(Layer::kRbac)].reasons, "\n"),
              HasSubstr("condition"));
}

}  // namespace
}  // namespace portcullis::decide::testing
