// Compares the network layers of Decide() (compiled classifiers with JIT
// overlays, effective grant windows) with the reference evaluators over the
// same inputs (jit::PortOpenState, jit::WithJitRules and nsg::EvaluateFlow).
// The request history has superseded, revoked and overlapping grants, and
// the instants are every window boundary and random ones in between. Also
// compares the PIM layer with DecidePimReference() over random request
// histories in several list orders.
#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "decide/decide.h"
#include "decide/explain.h"
#include "decide/reference.h"
#include "decide/scenario.h"
#include "decide/snapshot.h"
#include "gtest/gtest.h"
#include "proto/pim.pb.h"
#include "schedule/rfc3339.h"
#include "tests/decide/scenario_fixture.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::decide::testing {
namespace {

constexpr char kVm[] =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-jit-demo/"
    "providers/Microsoft.Compute/virtualMachines/vm-app01";

struct PortRecord {
  uint32_t port;
  std::string source;
  std::string end;
  std::string status;
};

void AddRequest(jit::JitPolicy& policy, const std::string& start,
                const std::vector<PortRecord>& ports) {
  jit::JitRequest* request = policy.add_requests();
  request->set_start_time_utc(start);
  request->set_requestor("operator@contoso.example");
  jit::JitRequestVirtualMachine* vm = request->add_virtual_machines();
  vm->set_id(kVm);
  for (const PortRecord& record : ports) {
    jit::JitRequestPort* port = vm->add_ports();
    port->set_number(record.port);
    port->set_allowed_source_address_prefix(record.source);
    port->set_end_time_utc(record.end);
    port->set_status(record.status);
  }
}

// The rule that decided `flow`: the denying stage's, else the last stage's.
std::string DecidingRule(const Snapshot& snapshot, const NsgFlow& flow) {
  const NsgStage& stage = flow.stages[flow.stage_count - 1];
  return std::string(snapshot.nsgs()[stage.nsg].RuleName(stage.match));
}

class NetworkReferenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Scenario> loaded = LoadScenario(kReferenceArchitecture);
    ASSERT_OK(loaded.status());
    scenario_ = std::make_unique<Scenario>(*std::move(loaded));
    jit::JitPolicy& policy = *scenario_->input.network.jit_policy;
    policy.clear_requests();
    // Grants: the bastion subnet for an hour, a single bastion address
    // inside it, a newer request that supersedes the first on 22, a revoked
    // port, a port still Initiating, and grants that start later the same
    // day, one of them for "*", which the policy does not allow on 3389,
    // and one for a bastion address in IPv4-mapped form.
    AddRequest(policy, "2026-03-02T09:00:00Z",
               {{22, "10.0.1.0/26", "2026-03-02T10:00:00Z", "Initiated"},
                {3389, "10.0.1.0/26", "2026-03-02T10:00:00Z", "Revoked"}});
    AddRequest(policy, "2026-03-02T09:20:00Z",
               {{3389, "10.0.1.5", "2026-03-02T09:50:00Z", "Initiated"}});
    AddRequest(policy, "2026-03-02T09:40:00Z",
               {{22, "10.0.1.4", "2026-03-02T11:00:00Z", "Initiated"}});
    AddRequest(policy, "2026-03-02T12:00:00Z",
               {{22, "10.0.1.4", "2026-03-02T12:30:00Z", "Initiating"}});
    AddRequest(policy, "2026-03-02T13:00:00Z",
               {{22, "10.0.1.0/26", "2026-03-02T13:05:00Z", "Initiated"},
                {3389, "*", "2026-03-02T14:00:00Z", "Initiated"}});
    AddRequest(policy, "2026-03-02T14:10:00Z",
               {{22, "::ffff:10.0.1.6", "2026-03-02T14:50:00Z", "Initiated"}});
    absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot = Snapshot::Build(
        scenario_->input,
        BuildOptionsAround(*schedule::ParseRfc3339("2026-03-02T09:30:00Z")));
    ASSERT_OK(snapshot.status());
    snapshot_ = *std::move(snapshot);
  }

  // Decides `attempt` both ways at `now` and compares the network layers.
  void Compare(const Attempt& attempt, absl::Time now) {
    SCOPED_TRACE(absl::StrCat("source ", attempt.source.ToString(), " port ", attempt.port,
                              attempt.via_bastion ? " via bastion" : "", " at ",
                              schedule::FormatRfc3339(now)));
    Decision decision = Decide(*snapshot_, attempt, now);
    ASSERT_OK_AND_ASSIGN(ReferenceNetworkDecision reference,
                         DecideNetworkReference(*snapshot_, attempt, now));
    ++compared_;

    if (reference.jit_applies) {
      EXPECT_EQ(decision.layer(Layer::kJit).outcome == LayerOutcome::kAllow,
                reference.jit_open);
      EXPECT_NE(decision.layer(Layer::kJit).outcome, LayerOutcome::kNotApplicable);
    } else {
      EXPECT_EQ(decision.layer(Layer::kJit).outcome, LayerOutcome::kNotApplicable);
    }

    const NsgFlow& to_vm = decision.nsg.to_vm;
    ASSERT_TRUE(to_vm.evaluated);
    EXPECT_EQ(to_vm.allowed, reference.to_vm.access() == nsg::ACCESS_ALLOW);
    EXPECT_EQ(DecidingRule(*snapshot_, to_vm), reference.to_vm.rule());
    if (attempt.via_bastion) {
      ASSERT_TRUE(reference.to_bastion.has_value());
      const NsgFlow& to_bastion = decision.nsg.to_bastion;
      ASSERT_TRUE(to_bastion.evaluated);
      EXPECT_EQ(to_bastion.allowed, reference.to_bastion->access() == nsg::ACCESS_ALLOW);
      EXPECT_EQ(DecidingRule(*snapshot_, to_bastion), reference.to_bastion->rule());

      ASSERT_TRUE(reference.from_bastion.has_value());
      const NsgFlow& from_bastion = decision.nsg.from_bastion;
      ASSERT_TRUE(from_bastion.evaluated);
      EXPECT_EQ(from_bastion.allowed,
                reference.from_bastion->access() == nsg::ACCESS_ALLOW);
      EXPECT_EQ(DecidingRule(*snapshot_, from_bastion), reference.from_bastion->rule());
    } else {
      EXPECT_FALSE(reference.from_bastion.has_value());
      EXPECT_FALSE(decision.nsg.from_bastion.evaluated);
    }
    EXPECT_EQ(decision.layer(Layer::kNsg).outcome == LayerOutcome::kAllow,
              reference.to_vm.access() == nsg::ACCESS_ALLOW &&
                  (!attempt.via_bastion ||
                   (reference.to_bastion->access() == nsg::ACCESS_ALLOW &&
                    reference.from_bastion->access() == nsg::ACCESS_ALLOW)));
  }

  std::unique_ptr<Scenario> scenario_;
  std::shared_ptr<const Snapshot> snapshot_;
  int compared_ = 0;
};

TEST_F(NetworkReferenceTest, AgreesAtEveryGrantBoundary) {
  std::vector<absl::Time> instants;
  for (const CompiledGrant& grant : snapshot_->vms()[0].compiled_grants) {
    for (absl::Time edge : {grant.window.start, grant.window.end, grant.effective_end}) {
      instants.push_back(edge - absl::Seconds(1));
      instants.push_back(edge);
      instants.push_back(edge + absl::Seconds(1));
    }
  }
  const char* sources[] = {"10.0.1.4",        "10.0.1.5",        "10.0.1.6",
                           "10.0.1.40",       "203.0.113.50",    "::ffff:10.0.1.4",
                           "::ffff:10.0.1.6", "::ffff:10.0.1.40"};
  const uint16_t ports[] = {22, 3389, 443};
  Attempt attempt = scenario_->attempt();
  attempt.sign_in = nullptr;
  for (absl::Time now : instants) {
    for (const char* source : sources) {
      for (uint16_t port : ports) {
        for (bool via_bastion : {false, true}) {
          attempt.source = *net::IpAddress::Parse(source);
          attempt.port = port;
          attempt.via_bastion = via_bastion;
          Compare(attempt, now);
        }
      }
    }
  }
  EXPECT_GT(compared_, 1000);
}

TEST_F(NetworkReferenceTest, IgnoredGrantsOpenNothing) {
  Attempt attempt = scenario_->attempt();
  attempt.sign_in = nullptr;
  attempt.via_bastion = false;
  attempt.source = *net::IpAddress::Parse("10.0.1.4");
  struct Case {
    uint16_t port;
    const char* now;
  };
  for (const Case& c : {Case{22, "2026-03-02T12:10:00Z"}, Case{3389, "2026-03-02T13:30:00Z"}}) {
    SCOPED_TRACE(c.now);
    attempt.port = c.port;
    absl::Time now = *schedule::ParseRfc3339(c.now);
    Decision decision = Decide(*snapshot_, attempt, now);
    EXPECT_EQ(decision.layer(Layer::kJit).outcome, LayerOutcome::kDeny);
    EXPECT_EQ(decision.jit.state, JitDetail::State::kIgnored);
    Compare(attempt, now);
  }
}

// A grant recorded for ::ffff:10.0.1.6 opens the port for 10.0.1.6 in
// either form, as the NSG rule it adds does.
TEST_F(NetworkReferenceTest, MappedGrantOpensItsIpv4Source) {
  Attempt attempt = scenario_->attempt();
  attempt.sign_in = nullptr;
  attempt.via_bastion = false;
  attempt.port = 22;
  absl::Time now = *schedule::ParseRfc3339("2026-03-02T14:30:00Z");
  for (const char* source : {"10.0.1.6", "::ffff:10.0.1.6"}) {
    SCOPED_TRACE(source);
    attempt.source = *net::IpAddress::Parse(source);
    Decision decision = Decide(*snapshot_, attempt, now);
    EXPECT_EQ(decision.layer(Layer::kJit).outcome, LayerOutcome::kAllow);
    Compare(attempt, now);
  }
  attempt.source = *net::IpAddress::Parse("10.0.1.7");
  EXPECT_EQ(Decide(*snapshot_, attempt, now).layer(Layer::kJit).outcome,
            LayerOutcome::kDeny);
  Compare(attempt, now);
}

// At an infinite instant Decide() fails every layer, and both twins fail.
TEST_F(NetworkReferenceTest, NonFiniteInstantFailsInBoth) {
  Attempt attempt = scenario_->attempt();
  for (absl::Time now : {absl::InfiniteFuture(), absl::InfinitePast()}) {
    SCOPED_TRACE(schedule::FormatRfc3339(now));
    Decision decision = Decide(*snapshot_, attempt, now);
    EXPECT_EQ(decision.verdict, Verdict::kDeny);
    EXPECT_EQ(decision.layer(Layer::kPim).outcome, LayerOutcome::kError);
    EXPECT_EQ(decision.layer(Layer::kJit).outcome, LayerOutcome::kError);
    EXPECT_EQ(decision.layer(Layer::kNsg).outcome, LayerOutcome::kError);
    EXPECT_EQ(DecidePimReference(*snapshot_, *attempt.sign_in, attempt.vm_id, now).outcome,
              LayerOutcome::kError);
    EXPECT_EQ(DecideNetworkReference(*snapshot_, attempt, now).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST_F(NetworkReferenceTest, AgreesOnRandomAttempts) {
  std::mt19937 random(20260302);
  const absl::Time from = *schedule::ParseRfc3339("2026-03-02T08:00:00Z");
  Attempt attempt = scenario_->attempt();
  attempt.sign_in = nullptr;
  for (int i = 0; i < 300; ++i) {
    // Addresses near the bastion subnet, the VM subnet and elsewhere.
    const uint32_t bases[] = {0x0A000100, 0x0A000200, 0xC6336400, 0xCB007100};
    uint32_t address = bases[random() % 4] + random() % 80;
    attempt.source = net::IpAddress::V4(address);
    attempt.source_port = static_cast<uint16_t>(random());
    const uint16_t ports[] = {22, 3389, 443, 8080, 5701, 25, 0, 65535};
    attempt.port = random() % 3 == 0 ? static_cast<uint16_t>(random()) : ports[random() % 8];
    attempt.protocol = random() % 4 == 0 ? nsg::PROTOCOL_UDP : nsg::PROTOCOL_TCP;
    attempt.via_bastion = random() % 2 == 0;
    Compare(attempt, from + absl::Seconds(random() % (7 * 3600)));
  }
  EXPECT_EQ(compared_, 300);
}

// Random PIM histories for Alex. They contain activations with random creation
// times (on a five-minute grid, so some coincide), starts, durations and
// statuses. They also contain deactivations and removals with or without a
// time (some failed), requests of another role or user, and now and then an
// active instance. Each history is decided in several orders of
// `pim.requests`. Every order must give the same result, and each result
// must match DecidePimReference().
class PimReferenceTest : public ::testing::Test {
 protected:
  struct PimResult {
    LayerOutcome outcome = LayerOutcome::kError;
    PimDetail::Basis basis = PimDetail::Basis::kNone;
    int instance = -1;
    std::string request;       // id of the deciding request
    std::string deactivation;  // id of the deactivation that ended it
    std::string reasons;
    int granted_count = 0;
  };

  void SetUp() override {
    absl::StatusOr<Scenario> loaded = LoadScenario(kReferenceArchitecture);
    ASSERT_OK(loaded.status());
    scenario_ = std::make_unique<Scenario>(*std::move(loaded));
    ASSERT_EQ(scenario_->input.pim->requests.size(), 1u);
    activation_ = scenario_->input.pim->requests[0];
    eligibility_count_ = scenario_->input.pim->eligibilities.size();
    ASSERT_GT(eligibility_count_, 0u);
  }

  static void SetTime(absl::Time time, google::protobuf::Timestamp* out) {
    out->set_seconds(absl::ToUnixSeconds(time));
    out->set_nanos(0);
  }

  absl::Time RandomTime(std::mt19937& random) const {
    return day_ + absl::Minutes(5 * (random() % 36));  // 08:00 to 10:55
  }

  std::vector<pim::ScheduleRequest> RandomHistory(std::mt19937& random) const {
    static const char* const kStatuses[] = {"",         "",       "Provisioned",
                                            "Canceled", "Denied", "PendingApproval"};
    std::vector<pim::ScheduleRequest> requests;
    const int count = 1 + random() % 6;
    for (int i = 0; i < count; ++i) {
      pim::ScheduleRequest request = activation_;
      request.set_id(absl::StrCat("request-", i));
      request.set_status("");
      pim::ScheduleInfo& info = *request.mutable_schedule_info();
      const absl::Time created = RandomTime(random);
      const int kind = random() % 10;
      if (kind < 5) {
        // An activation, sometimes scheduled for later or without a start.
        SetTime(created, request.mutable_created_time());
        const int start = random() % 4;
        if (start == 0) {
          info.clear_start_time();
        } else {
          SetTime(created + absl::Minutes(start == 1 ? 30 : 0), info.mutable_start_time());
        }
        info.mutable_expiration()->mutable_duration()->set_seconds(3600 * (1 + random() % 4));
        request.set_status(kStatuses[random() % 6]);
      } else {
        // A deactivation or removal, one in five without a recorded time.
        request.set_action(random() % 2 == 0 ? pim::ACTION_SELF_DEACTIVATE
                                             : pim::ACTION_ADMIN_REMOVE);
        request.clear_schedule_info();
        if (random() % 5 != 0) SetTime(created, request.mutable_created_time());
        if (random() % 6 == 0) request.set_status("Failed");
      }
      if (random() % 8 == 0) request.set_principal_id("someone-else");
      if (random() % 4 == 0) {
        request.set_role_definition_id(kReaderRoleId);
        request.clear_linked_eligibility_schedule_id();
      }
      requests.push_back(std::move(request));
    }
    return requests;
  }

  // Decides the scenario with `requests` at `now` with Decide() and with
  // DecidePimReference(), compares them and returns Decide()'s result.
  PimResult DecideAndCompare(const std::vector<pim::ScheduleRequest>& requests,
                             absl::Time now) {
    PimResult result;
    scenario_->input.pim->requests = requests;
    absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
        Snapshot::Build(scenario_->input, BuildOptionsAround(now));
    EXPECT_OK(snapshot.status());
    if (!snapshot.ok()) return result;
    Attempt attempt = scenario_->attempt();
    Decision decision = Decide(**snapshot, attempt, now);
    const PimDetail& detail = decision.pim;
    result.outcome = decision.layer(Layer::kPim).outcome;
    result.basis = detail.basis;
    result.instance = detail.instance;
    if (detail.request >= 0) result.request = requests[detail.request].id();
    if (detail.deactivation >= 0) result.deactivation = requests[detail.deactivation].id();
    absl::StatusOr<std::vector<LayerReport>> reports =
        Explain(snapshot->get(), attempt, decision);
    EXPECT_OK(reports.status());
    if (reports.ok()) {
      result.reasons = absl::StrJoin((*reports)[static_cast<int>(Layer::kPim)].reasons, "\n");
    }

    ReferencePimDecision reference =
        DecidePimReference(**snapshot, *attempt.sign_in, attempt.vm_id, now);
    EXPECT_EQ(result.outcome, reference.outcome);
    EXPECT_EQ(detail.basis, reference.basis);
    EXPECT_EQ(detail.instance, reference.instance);
    EXPECT_EQ(detail.request, reference.request);
    EXPECT_EQ(detail.deactivation, reference.deactivation);
    result.granted_count = detail.granted_count;
    EXPECT_EQ(std::vector<int>(detail.granted.begin(),
                               detail.granted.begin() + detail.granted_count),
              reference.granted);
    // The rbac layer counts the roles of every granted activation, whichever
    // basis decided the PIM layer.
    std::vector<bool> rbac = CheckRbacReference(**snapshot, attempt, decision, now);
    EXPECT_EQ(rbac.size(), static_cast<size_t>(decision.rbac.check_count));
    for (size_t i = 0; i < rbac.size() && i < static_cast<size_t>(kMaxRbacChecks); ++i) {
      EXPECT_EQ(decision.rbac.checks[i].allowed, rbac[i]) << "rbac check " << i;
    }
    return result;
  }

  std::unique_ptr<Scenario> scenario_;
  pim::ScheduleRequest activation_;
  size_t eligibility_count_ = 0;
  const absl::Time day_ = *schedule::ParseRfc3339("2026-03-02T08:00:00Z");
};

TEST_F(PimReferenceTest, AgreesInEveryOrderOfRandomHistories) {
  std::mt19937 random(20260302);
  constexpr int kHistories = 100;
  // Histories where activations of two roles or scopes hold at once.
  int two_roles = 0;
  // Histories where an active instance decides while a request is granted,
  // and ones where an instance in its window does not count.
  int instance_ignored = 0;
  for (int round = 0; round < kHistories; ++round) {
    scenario_->input.pim->active_instances.clear();
    // Sometimes the user is eligible for Reader too, so that activations of
    // two roles can hold at once.
    scenario_->input.pim->eligibilities.resize(eligibility_count_);
    if (random() % 2 == 0) {
      pim::ScheduleInstance reader = scenario_->input.pim->eligibilities[0];
      reader.set_id("reader-eligibility");
      reader.set_role_definition_id(kReaderRoleId);
      scenario_->input.pim->eligibilities.push_back(std::move(reader));
    }
    // Sometimes an active instance, of the operator role or Reader, at the
    // activation's scope, a parent of it, the VM or another resource group,
    // so that some instances count and others do not.
    static const char* const kInstanceScopes[] = {
        "",
        "/subscriptions/00000000-0000-0000-0000-000000000000",
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-jit-demo/"
        "providers/Microsoft.Compute/virtualMachines/vm-app01",
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-other"};
    if (random() % 2 == 0) {
      pim::ScheduleInstance& instance = scenario_->input.pim->active_instances.emplace_back();
      instance.set_level(pim::LEVEL_ASSIGNMENT);
      instance.set_id("instance-1");
      instance.set_principal_id(activation_.principal_id());
      instance.set_role_definition_id(random() % 3 == 0 ? kReaderRoleId
                                                        : activation_.role_definition_id());
      const char* scope = kInstanceScopes[random() % 4];
      instance.set_directory_scope_id(*scope == '\0' ? activation_.directory_scope_id()
                                                      : std::string(scope));
      SetTime(day_ + absl::Hours(1), instance.mutable_start_time());
      SetTime(day_ + absl::Hours(5), instance.mutable_end_time());
    }
    std::vector<pim::ScheduleRequest> requests = RandomHistory(random);
    const absl::Time now = day_ + absl::Minutes(random() % (6 * 60));
    SCOPED_TRACE(absl::StrCat("history ", round, " at ", schedule::FormatRfc3339(now)));

    PimResult first = DecideAndCompare(requests, now);
    if (first.granted_count >= 2) ++two_roles;
    const bool instance_in_window = !scenario_->input.pim->active_instances.empty() &&
                                    now >= day_ + absl::Hours(1) && now < day_ + absl::Hours(5);
    if (instance_in_window && first.basis != PimDetail::Basis::kActiveInstance) {
      ++instance_ignored;
    }
    for (int order = 0; order < 3; ++order) {
      std::shuffle(requests.begin(), requests.end(), random);
      PimResult shuffled = DecideAndCompare(requests, now);
      EXPECT_EQ(shuffled.outcome, first.outcome);
      EXPECT_EQ(shuffled.basis, first.basis);
      EXPECT_EQ(shuffled.instance, first.instance);
      EXPECT_EQ(shuffled.request, first.request);
      EXPECT_EQ(shuffled.deactivation, first.deactivation);
      EXPECT_EQ(shuffled.reasons, first.reasons);
      EXPECT_EQ(shuffled.granted_count, first.granted_count);
    }
  }
  EXPECT_GT(two_roles, 0);
  EXPECT_GT(instance_ignored, 0);
}

}  // namespace
}  // namespace portcullis::decide::testing
