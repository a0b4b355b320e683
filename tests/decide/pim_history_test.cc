// The PIM layer reads recorded requests as history: each activation's
// window is fixed by the request itself, so a later `now` never grants it
// again, and a later deactivation ends it.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "decide/decide.h"
#include "decide/explain.h"
#include "decide/scenario.h"
#include "decide/snapshot.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/pim.pb.h"
#include "proto/rbac.pb.h"
#include "schedule/rfc3339.h"
#include "tests/decide/scenario_fixture.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::decide::testing {
namespace {

using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

absl::Time At(const std::string& text) { return *schedule::ParseRfc3339(text); }

void SetTime(absl::Time time, google::protobuf::Timestamp* out) {
  out->set_seconds(absl::ToUnixSeconds(time));
  out->set_nanos(0);
}

// A change to the reference architecture's PIM requests. Its one request is
// Alex's selfActivate starting 2026-03-02T08:55:00Z for PT4H, with no
// createdDateTime.
struct HistoryCase {
  std::string name;
  std::string now;
  // Empty: unchanged.
  std::string start;
  std::string created;
  bool clear_start = false;
  // When set, a selfDeactivate of the same role recorded after the request.
  std::string deactivated_at;
  std::string deactivation_role;  // empty: the activated role
  std::string deactivation_scope;  // empty: the activated scope
  std::string deactivation_status;
  // The request's recorded status; empty: none.
  std::string status;
  LayerOutcome expected;
  std::string reason;  // expected substring of the PIM layer's reasons
  std::string state;   // expected "activation" fact
};

void PrintTo(const HistoryCase& c, std::ostream* os) { *os << c.name; }

std::vector<HistoryCase> HistoryCases() {
  return {
      {.name = "InsideWindowAllows",
       .now = "2026-03-02T12:00:00Z",
       .expected = LayerOutcome::kAllow,
       .reason = "from 2026-03-02T08:55:00Z until 2026-03-02T12:55:00Z",
       .state = "granted"},
      {.name = "WindowEndDenies",
       .now = "2026-03-02T12:55:00Z",
       .expected = LayerOutcome::kDeny,
       .reason = "for [2026-03-02T08:55:00Z, 2026-03-02T12:55:00Z), which ended before "
                 "2026-03-02T12:55:00Z",
       .state = "ended"},
      {.name = "WeekLaterDenies",
       .now = "2026-03-10T09:30:00Z",
       .expected = LayerOutcome::kDeny,
       .reason = "for [2026-03-02T08:55:00Z, 2026-03-02T12:55:00Z), which ended before "
                 "2026-03-10T09:30:00Z",
       .state = "ended"},
      {.name = "CreatedAfterStartStartsWindow",
       .now = "2026-03-02T12:58:00Z",
       .created = "2026-03-02T09:00:00Z",
       .expected = LayerOutcome::kAllow,
       .reason = "from 2026-03-02T09:00:00Z until 2026-03-02T13:00:00Z",
       .state = "granted"},
      {.name = "CreatedAfterStartEndsWindow",
       .now = "2026-03-02T13:00:00Z",
       .created = "2026-03-02T09:00:00Z",
       .expected = LayerOutcome::kDeny,
       .reason = "for [2026-03-02T09:00:00Z, 2026-03-02T13:00:00Z)",
       .state = "ended"},
      {.name = "NoStartUsesCreated",
       .now = "2026-03-02T13:00:00Z",
       .created = "2026-03-02T09:20:00Z",
       .clear_start = true,
       .expected = LayerOutcome::kAllow,
       .reason = "from 2026-03-02T09:20:00Z until 2026-03-02T13:20:00Z",
       .state = "granted"},
      {.name = "ScheduledBeforeStartDenies",
       .now = "2026-03-02T17:00:00Z",
       .start = "2026-03-03T07:30:00Z",
       .created = "2026-03-02T16:00:00Z",
       .expected = LayerOutcome::kDeny,
       .reason = "is scheduled: role \"Secure VM Access Operator\" becomes active at "
                 "2026-03-03T07:30:00Z",
       .state = "scheduled"},
      {.name = "ScheduledInsideWindowAllows",
       .now = "2026-03-03T09:00:00Z",
       .start = "2026-03-03T07:30:00Z",
       .created = "2026-03-02T16:00:00Z",
       .expected = LayerOutcome::kAllow,
       .reason = "from 2026-03-03T07:30:00Z until 2026-03-03T11:30:00Z",
       .state = "granted"},
      {.name = "ScheduledAfterEndDenies",
       .now = "2026-03-03T11:30:00Z",
       .start = "2026-03-03T07:30:00Z",
       .created = "2026-03-02T16:00:00Z",
       .expected = LayerOutcome::kDeny,
       .reason = "for [2026-03-03T07:30:00Z, 2026-03-03T11:30:00Z), which ended",
       .state = "ended"},
      {.name = "DeactivationEndsActivation",
       .now = "2026-03-02T10:30:00Z",
       .deactivated_at = "2026-03-02T10:00:00Z",
       .expected = LayerOutcome::kDeny,
       .reason = "but deactivation request deactivate-1 ended it at 2026-03-02T10:00:00Z",
       .state = "ended"},
      {.name = "LaterDeactivationKeepsActivation",
       .now = "2026-03-02T09:30:00Z",
       .deactivated_at = "2026-03-02T10:00:00Z",
       .expected = LayerOutcome::kAllow,
       .reason = "from 2026-03-02T08:55:00Z until 2026-03-02T12:55:00Z",
       .state = "granted"},
      {.name = "DeactivationAtParentScopeIgnored",
       .now = "2026-03-02T10:30:00Z",
       .deactivated_at = "2026-03-02T10:00:00Z",
       .deactivation_scope = "/subscriptions/00000000-0000-0000-0000-000000000000",
       .expected = LayerOutcome::kAllow,
       .reason = "from 2026-03-02T08:55:00Z until 2026-03-02T12:55:00Z",
       .state = "granted"},
      {.name = "DeactivationOfOtherRoleIgnored",
       .now = "2026-03-02T10:30:00Z",
       .deactivated_at = "2026-03-02T10:00:00Z",
       .deactivation_role = "/subscriptions/00000000-0000-0000-0000-000000000000/providers/"
                            "Microsoft.Authorization/roleDefinitions/"
                            "acdd72a7-3385-48ef-bd42-f606fba81ae7",
       .expected = LayerOutcome::kAllow,
       .reason = "from 2026-03-02T08:55:00Z until 2026-03-02T12:55:00Z",
       .state = "granted"},
      {.name = "StatusDeniedDenies",
       .now = "2026-03-02T09:30:00Z",
       .status = "Denied",
       .expected = LayerOutcome::kDeny,
       .reason = "has status Denied, so it activates nothing",
       .state = "refused"},
      {.name = "StatusCanceledDenies",
       .now = "2026-03-02T09:30:00Z",
       .status = "Canceled",
       .expected = LayerOutcome::kDeny,
       .reason = "has status Canceled, so it activates nothing",
       .state = "refused"},
      {.name = "StatusRevokedDenies",
       .now = "2026-03-02T09:30:00Z",
       .status = "revoked",
       .expected = LayerOutcome::kDeny,
       .reason = "has status revoked",
       .state = "refused"},
      {.name = "StatusProvisionedAllows",
       .now = "2026-03-02T09:30:00Z",
       .status = "Provisioned",
       .expected = LayerOutcome::kAllow,
       .reason = "from 2026-03-02T08:55:00Z until 2026-03-02T12:55:00Z",
       .state = "granted"},
      {.name = "StatusPendingApprovalPends",
       .now = "2026-03-02T09:30:00Z",
       .status = "PendingApproval",
       .expected = LayerOutcome::kPending,
       .reason = "awaits approval until 2026-03-03T08:55:00Z",
       .state = "pending"},
      {.name = "PastRefusalNamesPassedOpening",
       .now = "2026-03-02T09:30:00Z",
       .start = "2026-02-28T12:00:00Z",
       .created = "2026-02-28T12:00:00Z",
       .expected = LayerOutcome::kDeny,
       .reason = "when PIM processed the request, the next work window was to open at "
                 "2026-03-02T07:00:00Z, which has passed",
       .state = "refused"},
      {.name = "FailedDeactivationEndsNothing",
       .now = "2026-03-02T10:30:00Z",
       .deactivated_at = "2026-03-02T10:00:00Z",
       .deactivation_status = "Failed",
       .expected = LayerOutcome::kAllow,
       .reason = "from 2026-03-02T08:55:00Z until 2026-03-02T12:55:00Z",
       .state = "granted"},
  };
}

class PimHistoryTest : public ::testing::TestWithParam<HistoryCase> {};

TEST_P(PimHistoryTest, DecidesRecordedRequest) {
  const HistoryCase& c = GetParam();
  absl::StatusOr<Scenario> scenario = LoadScenario(kReferenceArchitecture);
  ASSERT_OK(scenario.status());
  ASSERT_TRUE(scenario->input.pim.has_value());
  std::vector<pim::ScheduleRequest>& requests = scenario->input.pim->requests;
  ASSERT_EQ(requests.size(), 1u);
  pim::ScheduleRequest& request = requests[0];
  pim::ScheduleInfo& info = *request.mutable_schedule_info();
  if (!c.start.empty()) SetTime(At(c.start), info.mutable_start_time());
  if (c.clear_start) info.clear_start_time();
  if (!c.created.empty()) SetTime(At(c.created), request.mutable_created_time());
  request.set_status(c.status);
  if (!c.deactivated_at.empty()) {
    pim::ScheduleRequest deactivation = request;
    deactivation.set_id("deactivate-1");
    deactivation.set_action(pim::ACTION_SELF_DEACTIVATE);
    deactivation.clear_schedule_info();
    SetTime(At(c.deactivated_at), deactivation.mutable_created_time());
    if (!c.deactivation_role.empty()) {
      deactivation.set_role_definition_id(c.deactivation_role);
    }
    if (!c.deactivation_scope.empty()) {
      deactivation.set_directory_scope_id(c.deactivation_scope);
    }
    deactivation.set_status(c.deactivation_status);
    requests.push_back(deactivation);
  }

  absl::Time now = At(c.now);
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
      Snapshot::Build(scenario->input, BuildOptionsAround(now));
  ASSERT_OK(snapshot.status());
  Attempt attempt = scenario->attempt();
  Decision decision = Decide(**snapshot, attempt, now);
  EXPECT_EQ(decision.pim.basis, PimDetail::Basis::kRequest);
  EXPECT_EQ(decision.layer(Layer::kPim).outcome, c.expected)
      << LayerOutcomeName(decision.layer(Layer::kPim).outcome);

  absl::StatusOr<std::vector<LayerReport>> reports =
      Explain(snapshot->get(), attempt, decision);
  ASSERT_OK(reports.status());
  const LayerReport& pim = (*reports)[static_cast<int>(Layer::kPim)];
  EXPECT_THAT(absl::StrJoin(pim.reasons, "\n"), HasSubstr(c.reason));
  std::string state;
  for (const auto& [name, value] : pim.facts) {
    if (name == "activation") state = value;
  }
  EXPECT_EQ(state, c.state);
}

INSTANTIATE_TEST_SUITE_P(
    Requests, PimHistoryTest, ::testing::ValuesIn(HistoryCases()),
    [](const ::testing::TestParamInfo<HistoryCase>& info) { return info.param.name; });

// PIM keeps one activation per principal, role and scope, so a request for
// another role neither replaces nor ends the operator activation, and the
// rbac layer counts every role activated at `now`.
struct TwoRolesCase {
  std::string name;
  // The Reader request: created at 2026-03-02T09:10:00Z for PT4H.
  std::string reader_status;
  // The operator request's recorded status; empty: none.
  std::string operator_status;
  LayerOutcome pim;
  LayerOutcome rbac;
  int granted_count;
  std::string reason;  // expected substring of the PIM layer's reasons
};

void PrintTo(const TwoRolesCase& c, std::ostream* os) { *os << c.name; }

class PimTwoRolesTest : public ::testing::TestWithParam<TwoRolesCase> {};

TEST_P(PimTwoRolesTest, RolesDecideApart) {
  const TwoRolesCase& c = GetParam();
  absl::StatusOr<Scenario> scenario = LoadScenario(kReferenceArchitecture);
  ASSERT_OK(scenario.status());
  ASSERT_TRUE(scenario->input.pim.has_value());
  PimInput& pim_input = *scenario->input.pim;
  ASSERT_FALSE(pim_input.eligibilities.empty());
  pim::ScheduleInstance reader_eligibility = pim_input.eligibilities[0];
  reader_eligibility.set_id("reader-eligibility");
  reader_eligibility.set_role_definition_id(kReaderRoleId);
  pim_input.eligibilities.push_back(reader_eligibility);

  ASSERT_EQ(pim_input.requests.size(), 1u);
  pim_input.requests[0].set_status(c.operator_status);
  pim::ScheduleRequest reader = pim_input.requests[0];
  reader.set_id("reader-activation");
  reader.set_role_definition_id(kReaderRoleId);
  reader.clear_linked_eligibility_schedule_id();
  reader.set_status(c.reader_status);
  SetTime(At("2026-03-02T09:10:00Z"), reader.mutable_created_time());
  SetTime(At("2026-03-02T09:10:00Z"), reader.mutable_schedule_info()->mutable_start_time());
  pim_input.requests.push_back(reader);

  const absl::Time now = At("2026-03-02T09:30:00Z");
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
      Snapshot::Build(scenario->input, BuildOptionsAround(now));
  ASSERT_OK(snapshot.status());
  Attempt attempt = scenario->attempt();
  Decision decision = Decide(**snapshot, attempt, now);
  EXPECT_EQ(decision.layer(Layer::kPim).outcome, c.pim)
      << LayerOutcomeName(decision.layer(Layer::kPim).outcome);
  EXPECT_EQ(decision.layer(Layer::kRbac).outcome, c.rbac)
      << LayerOutcomeName(decision.layer(Layer::kRbac).outcome);
  EXPECT_EQ(decision.pim.granted_count, c.granted_count);

  absl::StatusOr<std::vector<LayerReport>> reports =
      Explain(snapshot->get(), attempt, decision);
  ASSERT_OK(reports.status());
  EXPECT_THAT(absl::StrJoin((*reports)[static_cast<int>(Layer::kPim)].reasons, "\n"),
              HasSubstr(c.reason));
}

INSTANTIATE_TEST_SUITE_P(
    Requests, PimTwoRolesTest,
    ::testing::ValuesIn(std::vector<TwoRolesCase>{
        {.name = "CanceledReaderKeepsOperator",
         .reader_status = "Canceled",
         .pim = LayerOutcome::kAllow,
         .rbac = LayerOutcome::kAllow,
         .granted_count = 1,
         .reason = "activates role \"Secure VM Access Operator\" from 2026-03-02T08:55:00Z"},
        {.name = "ReaderAndOperatorBothCount",
         .pim = LayerOutcome::kAllow,
         .rbac = LayerOutcome::kAllow,
         .granted_count = 2,
         .reason = "also activates role"},
        {.name = "ReaderAloneLacksBastionOperations",
         .operator_status = "Canceled",
         .pim = LayerOutcome::kAllow,
         .rbac = LayerOutcome::kDeny,
         .granted_count = 1,
         .reason = "activation request reader-activation activates role"},
        {.name = "BothRefusedDenies",
         .reader_status = "Denied",
         .operator_status = "Canceled",
         .pim = LayerOutcome::kDeny,
         .rbac = LayerOutcome::kDeny,
         .granted_count = 0,
         .reason = "has status"},
    }),
    [](const ::testing::TestParamInfo<TwoRolesCase>& info) { return info.param.name; });

TEST(PimHistoryBuildTest, TooManyRolesPerPrincipalIsError) {
  absl::StatusOr<Scenario> scenario = LoadScenario(kReferenceArchitecture);
  ASSERT_OK(scenario.status());
  std::vector<pim::ScheduleRequest>& requests = scenario->input.pim->requests;
  ASSERT_EQ(requests.size(), 1u);
  const pim::ScheduleRequest base = requests[0];
  for (int i = 1; i <= kMaxActivationGroupsPerPrincipal; ++i) {
    pim::ScheduleRequest request = base;
    request.set_role_definition_id(absl::StrCat("role-", i));
    requests.push_back(request);
  }
  const absl::Time now = At("2026-03-02T09:30:00Z");
  EXPECT_THAT(Snapshot::Build(scenario->input, BuildOptionsAround(now)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pairs of role and scope; at most 16 are supported")));
}

TEST(PimHistoryBuildTest, ActivationWithoutCreatedOrStartIsError) {
  absl::StatusOr<Scenario> scenario = LoadScenario(kReferenceArchitecture);
  ASSERT_OK(scenario.status());
  scenario->input.pim->requests[0].mutable_schedule_info()->clear_start_time();
  EXPECT_THAT(Snapshot::Build(scenario->input, BuildOptionsAround(At("2026-03-02T09:30:00Z")))
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pim: requests[0].createdDateTime: missing")));
}

// An ABAC condition on the role's assignment, however it was given: RBAC
// does not evaluate conditions, so none of them grants the role.
enum class ConditionOn { kNothing, kStandingAssignment, kActiveInstance, kRequest };

struct ConditionCase {
  std::string name;
  ConditionOn on;
  bool conditioned;
};

void PrintTo(const ConditionCase& c, std::ostream* os) { *os << c.name; }

class PimConditionTest : public ::testing::TestWithParam<ConditionCase> {};

constexpr char kCondition[] =
    "((!(ActionMatches{'Microsoft.Compute/virtualMachines/read'})) OR "
    "(@Resource[Microsoft.Compute/virtualMachines:name] StringEquals 'vm-other'))";

TEST_P(PimConditionTest, ConditionedRoleGrantsNothing) {
  const ConditionCase& c = GetParam();
  absl::StatusOr<Scenario> scenario = LoadScenario(kReferenceArchitecture);
  ASSERT_OK(scenario.status());
  PimInput& pim = *scenario->input.pim;
  const pim::ScheduleRequest activation = pim.requests[0];
  const std::string condition = c.conditioned ? kCondition : "";
  const std::string version = c.conditioned ? "2.0" : "";
  switch (c.on) {
    case ConditionOn::kNothing:
      break;
    case ConditionOn::kStandingAssignment: {
      pim.requests.clear();
      pim.eligibilities.clear();
      rbac::RoleAssignment* standing = scenario->input.rbac->add_role_assignments();
      standing->set_id("standing-1");
      standing->set_name("standing-1");
      standing->set_scope(activation.directory_scope_id());
      standing->set_role_definition_id(activation.role_definition_id());
      standing->set_principal_id(activation.principal_id());
      standing->set_principal_type("User");
      standing->set_condition(condition);
      standing->set_condition_version(version);
      break;
    }
    case ConditionOn::kActiveInstance: {
      pim.requests.clear();
      pim::ScheduleInstance& instance = pim.active_instances.emplace_back();
      instance.set_level(pim::LEVEL_ASSIGNMENT);
      instance.set_id("instance-1");
      instance.set_principal_id(activation.principal_id());
      instance.set_role_definition_id(activation.role_definition_id());
      instance.set_directory_scope_id(activation.directory_scope_id());
      SetTime(At("2026-03-02T09:00:00Z"), instance.mutable_start_time());
      SetTime(At("2026-03-02T12:00:00Z"), instance.mutable_end_time());
      instance.set_condition(condition);
      instance.set_condition_version(version);
      break;
    }
    case ConditionOn::kRequest:
      pim.requests[0].set_condition(condition);
      pim.requests[0].set_condition_version(version);
      break;
  }

  absl::Time now = At("2026-03-02T09:30:00Z");
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
      Snapshot::Build(scenario->input, BuildOptionsAround(now));
  ASSERT_OK(snapshot.status());
  Attempt attempt = scenario->attempt();
  Decision decision = Decide(**snapshot, attempt, now);
  absl::StatusOr<std::vector<LayerReport>> reports =
      Explain(snapshot->get(), attempt, decision);
  ASSERT_OK(reports.status());
  const LayerReport& rbac = (*reports)[static_cast<int>(Layer::kRbac)];
  if (!c.conditioned) {
    EXPECT_EQ(decision.layer(Layer::kRbac).outcome, LayerOutcome::kAllow);
    return;
  }
  EXPECT_EQ(decision.verdict, Verdict::kDeny);
  EXPECT_EQ(decision.denied_by, Layer::kRbac) << LayerName(decision.denied_by);
  EXPECT_EQ(decision.layer(Layer::kRbac).outcome, LayerOutcome::kDeny);
  EXPECT_THAT(absl::StrJoin(rbac.reasons, "\n"),
              HasSubstr("only a grant under an ABAC condition covers"));
  std::string reason;
  for (const auto& [name, value] : rbac.facts) {
    if (name == "reason") reason = value;
  }
  EXPECT_EQ(reason, "condition not evaluated");
}

INSTANTIATE_TEST_SUITE_P(
    Conditions, PimConditionTest,
    ::testing::ValuesIn(std::vector<ConditionCase>{
        {"StandingAssignmentWithout", ConditionOn::kStandingAssignment, false},
        {"StandingAssignmentWith", ConditionOn::kStandingAssignment, true},
        {"ActiveInstanceWithout", ConditionOn::kActiveInstance, false},
        {"ActiveInstanceWith", ConditionOn::kActiveInstance, true},
        {"RequestWithout", ConditionOn::kRequest, false},
        {"RequestWith", ConditionOn::kRequest, true},
    }),
    [](const ::testing::TestParamInfo<ConditionCase>& info) { return info.param.name; });

// An active assignment instance of the activated role, 09:00 to 12:00,
// instead of the activation request, with its recorded status and an
// optional selfDeactivate request.
struct InstanceCase {
  std::string name;
  std::string now;
  std::string status;
  // When set, a selfDeactivate of the role recorded at this time.
  std::string deactivated_at;
  std::string deactivation_status;
  LayerOutcome pim;
  LayerOutcome rbac;
  std::string reason;  // expected substring of the PIM layer's reasons
};

void PrintTo(const InstanceCase& c, std::ostream* os) { *os << c.name; }

class PimInstanceTest : public ::testing::TestWithParam<InstanceCase> {};

absl::StatusOr<Scenario> WithActiveInstance(const std::string& status) {
  absl::StatusOr<Scenario> scenario = LoadScenario(kReferenceArchitecture);
  if (!scenario.ok()) return scenario;
  PimInput& pim = *scenario->input.pim;
  const pim::ScheduleRequest activation = pim.requests[0];
  pim.requests.clear();
  pim::ScheduleInstance& instance = pim.active_instances.emplace_back();
  instance.set_level(pim::LEVEL_ASSIGNMENT);
  instance.set_id("instance-1");
  instance.set_principal_id(activation.principal_id());
  instance.set_role_definition_id(activation.role_definition_id());
  instance.set_directory_scope_id(activation.directory_scope_id());
  SetTime(At("2026-03-02T09:00:00Z"), instance.mutable_start_time());
  SetTime(At("2026-03-02T12:00:00Z"), instance.mutable_end_time());
  instance.set_status(status);
  return scenario;
}

TEST_P(PimInstanceTest, DecidesActiveInstance) {
  const InstanceCase& c = GetParam();
  absl::StatusOr<Scenario> scenario = WithActiveInstance(c.status);
  ASSERT_OK(scenario.status());
  if (!c.deactivated_at.empty()) {
    const pim::ScheduleInstance& instance = scenario->input.pim->active_instances[0];
    pim::ScheduleRequest& deactivation = scenario->input.pim->requests.emplace_back();
    deactivation.set_id("deactivate-1");
    deactivation.set_action(pim::ACTION_SELF_DEACTIVATE);
    deactivation.set_principal_id(instance.principal_id());
    deactivation.set_role_definition_id(instance.role_definition_id());
    deactivation.set_directory_scope_id(instance.directory_scope_id());
    SetTime(At(c.deactivated_at), deactivation.mutable_created_time());
    deactivation.set_status(c.deactivation_status);
  }
  absl::Time now = At(c.now);
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
      Snapshot::Build(scenario->input, BuildOptionsAround(now));
  ASSERT_OK(snapshot.status());

  Attempt attempt = scenario->attempt();
  Decision decision = Decide(**snapshot, attempt, now);
  EXPECT_EQ(decision.layer(Layer::kPim).outcome, c.pim)
      << LayerOutcomeName(decision.layer(Layer::kPim).outcome);
  EXPECT_EQ(decision.layer(Layer::kRbac).outcome, c.rbac)
      << LayerOutcomeName(decision.layer(Layer::kRbac).outcome);
  if (c.pim != LayerOutcome::kAllow) {
    EXPECT_EQ(decision.verdict, Verdict::kDeny);
  }

  absl::StatusOr<std::vector<LayerReport>> reports =
      Explain(snapshot->get(), attempt, decision);
  ASSERT_OK(reports.status());
  EXPECT_THAT(absl::StrJoin((*reports)[static_cast<int>(Layer::kPim)].reasons, "\n"),
              HasSubstr(c.reason));
}

TEST(PimInstanceMessageTest, GroupInstanceIsNamed) {
  absl::StatusOr<Scenario> scenario = WithActiveInstance("Provisioned");
  ASSERT_OK(scenario.status());
  // A group Alex belongs to in the example directory.
  scenario->input.pim->active_instances[0].set_principal_id(
      "4d9a6c2e-3b1f-4e8a-9c7d-5f2e1a0b3c64");
  const absl::Time now = At("2026-03-02T09:30:00Z");
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
      Snapshot::Build(scenario->input, BuildOptionsAround(now));
  ASSERT_OK(snapshot.status());

  Attempt attempt = scenario->attempt();
  Decision decision = Decide(**snapshot, attempt, now);
  EXPECT_EQ(decision.layer(Layer::kPim).outcome, LayerOutcome::kDeny);
  absl::StatusOr<std::vector<LayerReport>> reports =
      Explain(snapshot->get(), attempt, decision);
  ASSERT_OK(reports.status());
  EXPECT_THAT(absl::StrJoin((*reports)[static_cast<int>(Layer::kPim)].reasons, "\n"),
              HasSubstr("is assigned to group 4d9a6c2e-3b1f-4e8a-9c7d-5f2e1a0b3c64, which "
                        "the user belongs to"));
}

INSTANTIATE_TEST_SUITE_P(
    Instances, PimInstanceTest,
    ::testing::ValuesIn(std::vector<InstanceCase>{
        {.name = "NoStatusAllows",
         .now = "2026-03-02T09:30:00Z",
         .pim = LayerOutcome::kAllow,
         .rbac = LayerOutcome::kAllow,
         .reason = "holds from 2026-03-02T09:00:00Z until 2026-03-02T12:00:00Z"},
        {.name = "ProvisionedAllows",
         .now = "2026-03-02T09:30:00Z",
         .status = "Provisioned",
         .pim = LayerOutcome::kAllow,
         .rbac = LayerOutcome::kAllow,
         .reason = "until 2026-03-02T12:00:00Z"},
        {.name = "RevokedGivesNothing",
         .now = "2026-03-02T09:30:00Z",
         .status = "Revoked",
         .pim = LayerOutcome::kDeny,
         .rbac = LayerOutcome::kDeny,
         .reason = "but has no active assignment in force now and no activation request\n"
                   "active instance 'instance-1' of role"},
        {.name = "RevokedNamesStatus",
         .now = "2026-03-02T09:30:00Z",
         .status = "Revoked",
         .pim = LayerOutcome::kDeny,
         .rbac = LayerOutcome::kDeny,
         .reason = "has status Revoked, so it gives nothing"},
        {.name = "PendingApprovalGivesNothing",
         .now = "2026-03-02T09:30:00Z",
         .status = "pendingApproval",
         .pim = LayerOutcome::kDeny,
         .rbac = LayerOutcome::kDeny,
         .reason = "has status pendingApproval, so it gives nothing"},
        {.name = "EndedInstanceNamesEnd",
         .now = "2026-03-02T12:00:00Z",
         .pim = LayerOutcome::kDeny,
         .rbac = LayerOutcome::kDeny,
         .reason = "ended at 2026-03-02T12:00:00Z, which is not after now"},
        {.name = "DeactivationEndsInstance",
         .now = "2026-03-02T10:30:00Z",
         .deactivated_at = "2026-03-02T10:00:00Z",
         .pim = LayerOutcome::kDeny,
         .rbac = LayerOutcome::kDeny,
         .reason = "was ended at 2026-03-02T10:00:00Z by a deactivation request"},
        {.name = "LaterDeactivationShortensInstance",
         .now = "2026-03-02T09:30:00Z",
         .deactivated_at = "2026-03-02T10:00:00Z",
         .pim = LayerOutcome::kAllow,
         .rbac = LayerOutcome::kAllow,
         .reason = "holds from 2026-03-02T09:00:00Z until 2026-03-02T10:00:00Z"},
        {.name = "EarlierDeactivationBelongsToEarlierActivation",
         .now = "2026-03-02T10:30:00Z",
         .deactivated_at = "2026-03-02T08:00:00Z",
         .pim = LayerOutcome::kAllow,
         .rbac = LayerOutcome::kAllow,
         .reason = "until 2026-03-02T12:00:00Z"},
        {.name = "FailedDeactivationEndsNothing",
         .now = "2026-03-02T10:30:00Z",
         .deactivated_at = "2026-03-02T10:00:00Z",
         .deactivation_status = "Failed",
         .pim = LayerOutcome::kAllow,
         .rbac = LayerOutcome::kAllow,
         .reason = "until 2026-03-02T12:00:00Z"},
    }),
    [](const ::testing::TestParamInfo<InstanceCase>& info) { return info.param.name; });

TEST(PimHistoryBuildTest, UnknownInstanceStatusIsError) {
  absl::StatusOr<Scenario> scenario = WithActiveInstance("Revokd");
  ASSERT_OK(scenario.status());
  EXPECT_THAT(Snapshot::Build(scenario->input, BuildOptionsAround(At("2026-03-02T09:30:00Z")))
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("instance 0: status: invalid value \"Revokd\"")));
}

TEST(PimHistoryBuildTest, UnknownStatusIsError) {
  absl::StatusOr<Scenario> scenario = LoadScenario(kReferenceArchitecture);
  ASSERT_OK(scenario.status());
  scenario->input.pim->requests[0].set_status("Cancelled");
  EXPECT_THAT(Snapshot::Build(scenario->input, BuildOptionsAround(At("2026-03-02T09:30:00Z")))
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pim: requests[0]: status: invalid value \"Cancelled\"")));
}

TEST(PimHistoryBuildTest, ApprovalDeadlinePassedDenies) {
  absl::StatusOr<DecidedScenario> pending =
      DecideScenarioFile(std::string(kScenarioDir) + "/07-activation-awaits-approval.json");
  ASSERT_OK(pending.status());
  EXPECT_EQ(pending->decision.layer(Layer::kPim).outcome, LayerOutcome::kPending);

  // The same request a day later, when no approver approved it in time.
  absl::Time later = At("2026-03-03T09:10:00Z");
  absl::StatusOr<Scenario> scenario =
      LoadScenario(std::string(kScenarioDir) + "/07-activation-awaits-approval.json");
  ASSERT_OK(scenario.status());
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
      Snapshot::Build(scenario->input, BuildOptionsAround(later));
  ASSERT_OK(snapshot.status());
  Decision decision = Decide(**snapshot, scenario->attempt(), later);
  EXPECT_EQ(decision.layer(Layer::kPim).outcome, LayerOutcome::kDeny);
  absl::StatusOr<std::vector<LayerReport>> reports =
      Explain(snapshot->get(), scenario->attempt(), decision);
  ASSERT_OK(reports.status());
  EXPECT_THAT(absl::StrJoin((*reports)[static_cast<int>(Layer::kPim)].reasons, "\n"),
              HasSubstr("awaited approval until 2026-03-03T09:10:00Z"));
}

// One request of an order case, made from the reference architecture's
// activation request (Alex, the operator role, PT4H).
struct RequestSpec {
  std::string id;
  pim::Action action = pim::ACTION_SELF_ACTIVATE;
  // The creation time, which is also an activation's start. Empty: a
  // deactivation with no recorded time.
  std::string created;
  std::string status;
  // When set, an activation's start instead of `created`.
  std::string start;
  // When set, an activation's duration in seconds instead of PT4H.
  int duration_seconds = 0;
};

RequestSpec Activate(const std::string& id, const std::string& created,
                     const std::string& status = "") {
  return {.id = id, .created = created, .status = status};
}

RequestSpec End(pim::Action action, const std::string& id, const std::string& created) {
  return {.id = id, .action = action, .created = created};
}

struct OrderCase {
  std::string name;
  std::vector<RequestSpec> requests;
  LayerOutcome expected;
  // The id of the request that decided; empty: not checked.
  std::string request;
  // The id of the deactivation that ended the activation; empty: none.
  std::string deactivated_by;
  // Expected substring of the PIM layer's reasons.
  std::string reason;
  std::string now = "2026-03-02T09:30:00Z";
};

void PrintTo(const OrderCase& c, std::ostream* os) { *os << c.name; }

std::vector<OrderCase> OrderCases() {
  constexpr pim::Action kDeactivate = pim::ACTION_SELF_DEACTIVATE;
  constexpr pim::Action kRemove = pim::ACTION_ADMIN_REMOVE;
  const RequestSpec activation = Activate("activate-0855", "2026-03-02T08:55:00Z");
  const std::string window = "from 2026-03-02T08:55:00Z until 2026-03-02T12:55:00Z";
  RequestSpec shorter = Activate("activate-short", "2026-03-02T08:55:00Z");
  shorter.duration_seconds = 3600;
  RequestSpec scheduled = Activate("scheduled", "2026-03-02T16:00:00Z");
  scheduled.start = "2026-03-03T07:30:00Z";
  return {
      {"DeactivationListedFirstEndsActivation",
       {End(kDeactivate, "end-0910", "2026-03-02T09:10:00Z"), activation},
       LayerOutcome::kDeny, "", "end-0910", "end-0910 ended it at 2026-03-02T09:10:00Z"},
      {"RemovalListedFirstEndsActivation",
       {End(kRemove, "remove-0910", "2026-03-02T09:10:00Z"), activation},
       LayerOutcome::kDeny, "", "remove-0910", "remove-0910 ended it at 2026-03-02T09:10:00Z"},
      {"DeactivationBeforeActivationKeepsIt",
       {activation, End(kDeactivate, "end-0800", "2026-03-02T08:00:00Z")},
       LayerOutcome::kAllow, "", "", window},
      {"DeactivationAtActivationInstantEndsIt",
       {activation, End(kRemove, "remove-0855", "2026-03-02T08:55:00Z")},
       LayerOutcome::kDeny, "", "remove-0855", "remove-0855 ended it at 2026-03-02T08:55:00Z"},
      {"DeactivationAfterNowKeepsActivation",
       {End(kDeactivate, "end-0940", "2026-03-02T09:40:00Z"), activation},
       LayerOutcome::kAllow, "", "", window},
      {"UntimedDeactivationEndsActivation",
       {End(kDeactivate, "end-untimed", ""), activation},
       LayerOutcome::kDeny, "", "end-untimed", "end-untimed ended it"},
      {"EarliestOfTwoDeactivationsNamed",
       {End(kRemove, "remove-0920", "2026-03-02T09:20:00Z"), activation,
        End(kDeactivate, "end-0910", "2026-03-02T09:10:00Z")},
       LayerOutcome::kDeny, "", "end-0910", "end-0910 ended it at 2026-03-02T09:10:00Z"},
      {"LaterCanceledRequestDecides",
       {Activate("canceled-0910", "2026-03-02T09:10:00Z", "Canceled"), activation},
       LayerOutcome::kDeny, "canceled-0910", "", "has status Canceled"},
      {"EarlierCanceledRequestIsHistory",
       {activation, Activate("canceled-0800", "2026-03-02T08:00:00Z", "Canceled")},
       LayerOutcome::kAllow, "activate-0855", "", window},
      {"SameInstantCanceledWins",
       {activation, Activate("canceled-0855", "2026-03-02T08:55:00Z", "Canceled")},
       LayerOutcome::kDeny, "canceled-0855", "", "has status Canceled"},
      {"SameInstantPendingWins",
       {Activate("pending-0855", "2026-03-02T08:55:00Z", "PendingApproval"), activation},
       LayerOutcome::kPending, "pending-0855", "", "awaits approval"},
      {"SameInstantSameOutcome", {activation, shorter}, LayerOutcome::kAllow, "", "",
       "from 2026-03-02T08:55:00Z until"},
      {"ScheduledActivationRemovedBeforeStart",
       {End(kDeactivate, "end-1700", "2026-03-02T17:00:00Z"), scheduled},
       LayerOutcome::kDeny, "", "end-1700",
       "end-1700 removed it at 2026-03-02T17:00:00Z, before it started",
       "2026-03-03T09:00:00Z"},
  };
}

// The PIM layer's result for one list of requests.
struct PimResult {
  LayerOutcome outcome = LayerOutcome::kError;
  std::string reasons;
  std::string request;
  std::string deactivated_by;
};

pim::ScheduleRequest MakeRequest(const pim::ScheduleRequest& activation,
                                 const RequestSpec& spec) {
  pim::ScheduleRequest request = activation;
  request.set_id(spec.id);
  request.set_action(spec.action);
  request.set_status(spec.status);
  if (spec.action != pim::ACTION_SELF_ACTIVATE) {
    request.clear_schedule_info();
    if (!spec.created.empty()) SetTime(At(spec.created), request.mutable_created_time());
    return request;
  }
  pim::ScheduleInfo& info = *request.mutable_schedule_info();
  SetTime(At(spec.created), request.mutable_created_time());
  SetTime(At(spec.start.empty() ? spec.created : spec.start), info.mutable_start_time());
  if (spec.duration_seconds > 0) {
    info.mutable_expiration()->mutable_duration()->set_seconds(spec.duration_seconds);
  }
  return request;
}

PimResult DecideWithRequests(Scenario& scenario, std::vector<pim::ScheduleRequest> requests,
                             absl::Time now) {
  PimResult result;
  scenario.input.pim->requests = std::move(requests);
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
      Snapshot::Build(scenario.input, BuildOptionsAround(now));
  EXPECT_OK(snapshot.status());
  if (!snapshot.ok()) return result;
  Attempt attempt = scenario.attempt();
  Decision decision = Decide(**snapshot, attempt, now);
  result.outcome = decision.layer(Layer::kPim).outcome;
  absl::StatusOr<std::vector<LayerReport>> reports =
      Explain(snapshot->get(), attempt, decision);
  EXPECT_OK(reports.status());
  if (!reports.ok()) return result;
  const LayerReport& pim = (*reports)[static_cast<int>(Layer::kPim)];
  result.reasons = absl::StrJoin(pim.reasons, "\n");
  for (const auto& [name, value] : pim.facts) {
    if (name == "request") result.request = value;
    if (name == "deactivatedBy") result.deactivated_by = value;
  }
  return result;
}

// The order of events comes from each request's processing time, never
// from its place in `pim.requests`. Each case decides its requests in the
// listed order and reversed, and both must agree.
class PimOrderTest : public ::testing::TestWithParam<OrderCase> {};

TEST_P(PimOrderTest, BothOrdersAgree) {
  const OrderCase& c = GetParam();
  absl::StatusOr<Scenario> scenario = LoadScenario(kReferenceArchitecture);
  ASSERT_OK(scenario.status());
  ASSERT_EQ(scenario->input.pim->requests.size(), 1u);
  const pim::ScheduleRequest activation = scenario->input.pim->requests[0];
  std::vector<pim::ScheduleRequest> requests;
  for (const RequestSpec& spec : c.requests) requests.push_back(MakeRequest(activation, spec));
  std::vector<pim::ScheduleRequest> reversed(requests.rbegin(), requests.rend());

  PimResult forward = DecideWithRequests(*scenario, requests, At(c.now));
  PimResult backward = DecideWithRequests(*scenario, reversed, At(c.now));
  EXPECT_EQ(forward.outcome, c.expected) << LayerOutcomeName(forward.outcome);
  EXPECT_EQ(forward.deactivated_by, c.deactivated_by);
  if (!c.request.empty()) {
    EXPECT_EQ(forward.request, c.request);
  }
  EXPECT_THAT(forward.reasons, HasSubstr(c.reason));

  EXPECT_EQ(backward.outcome, forward.outcome) << LayerOutcomeName(backward.outcome);
  EXPECT_EQ(backward.reasons, forward.reasons);
  EXPECT_EQ(backward.request, forward.request);
  EXPECT_EQ(backward.deactivated_by, forward.deactivated_by);
}

INSTANTIATE_TEST_SUITE_P(
    Orders, PimOrderTest, ::testing::ValuesIn(OrderCases()),
    [](const ::testing::TestParamInfo<OrderCase>& info) { return info.param.name; });

// An active instance counts for the PIM layer only when the user is
// eligible for its role and its scope covers the VM. The reference
// architecture's user is eligible for the operator role only and has a
// standing operator assignment here, so an instance that does not count
// leaves the user eligible but not active.
struct InstanceTargetCase {
  std::string name;
  // Empty: the operator role.
  std::string role;
  std::string scope;
  LayerOutcome pim;
  std::string reason;  // expected substring of the PIM layer's reasons
};

void PrintTo(const InstanceTargetCase& c, std::ostream* os) { *os << c.name; }

class PimInstanceTargetTest : public ::testing::TestWithParam<InstanceTargetCase> {};

TEST_P(PimInstanceTargetTest, CountsOnlyEligibleRoleAtVm) {
  const InstanceTargetCase& c = GetParam();
  absl::StatusOr<Scenario> scenario = WithActiveInstance("Provisioned");
  ASSERT_OK(scenario.status());
  pim::ScheduleInstance& instance = scenario->input.pim->active_instances[0];
  rbac::RoleAssignment* standing = scenario->input.rbac->add_role_assignments();
  standing->set_id("standing-operator");
  standing->set_name("standing-operator");
  standing->set_scope(instance.directory_scope_id());
  standing->set_role_definition_id(instance.role_definition_id());
  standing->set_principal_id(instance.principal_id());
  standing->set_principal_type("User");
  if (!c.role.empty()) instance.set_role_definition_id(c.role);
  instance.set_directory_scope_id(c.scope);

  const absl::Time now = At("2026-03-02T09:30:00Z");
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
      Snapshot::Build(scenario->input, BuildOptionsAround(now));
  ASSERT_OK(snapshot.status());
  Attempt attempt = scenario->attempt();
  Decision decision = Decide(**snapshot, attempt, now);
  EXPECT_EQ(decision.layer(Layer::kPim).outcome, c.pim)
      << LayerOutcomeName(decision.layer(Layer::kPim).outcome);
  EXPECT_EQ(decision.layer(Layer::kRbac).outcome, LayerOutcome::kAllow);
  EXPECT_EQ(decision.verdict, c.pim == LayerOutcome::kAllow ? Verdict::kAllow : Verdict::kDeny);
  EXPECT_EQ(decision.pim.basis, c.pim == LayerOutcome::kAllow
                                    ? PimDetail::Basis::kActiveInstance
                                    : PimDetail::Basis::kEligibleOnly);

  absl::StatusOr<std::vector<LayerReport>> reports =
      Explain(snapshot->get(), attempt, decision);
  ASSERT_OK(reports.status());
  EXPECT_THAT(absl::StrJoin((*reports)[static_cast<int>(Layer::kPim)].reasons, "\n"),
              HasSubstr(c.reason));
}

INSTANTIATE_TEST_SUITE_P(
    Instances, PimInstanceTargetTest,
    ::testing::ValuesIn(std::vector<InstanceTargetCase>{
        {.name = "OperatorAtResourceGroupAllows",
         .scope = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
                  "rg-jit-demo",
         .pim = LayerOutcome::kAllow,
         .reason = "holds from 2026-03-02T09:00:00Z"},
        {.name = "OperatorAtSubscriptionAllows",
         .scope = "/subscriptions/00000000-0000-0000-0000-000000000000",
         .pim = LayerOutcome::kAllow,
         .reason = "holds from 2026-03-02T09:00:00Z"},
        {.name = "OperatorAtVmInOtherCaseAllows",
         .scope = "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/resourcegroups/"
                  "RG-JIT-DEMO/providers/Microsoft.Compute/virtualMachines/VM-APP01",
         .pim = LayerOutcome::kAllow,
         .reason = "holds from 2026-03-02T09:00:00Z"},
        {.name = "OperatorAtOtherResourceGroupDenies",
         .scope = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
                  "rg-other",
         .pim = LayerOutcome::kDeny,
         .reason = "does not cover VM /subscriptions/00000000-0000-0000-0000-000000000000/"
                   "resourceGroups/rg-jit-demo/providers/Microsoft.Compute/virtualMachines/"
                   "vm-app01"},
        {.name = "OperatorAtOtherVmDenies",
         .scope = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
                  "rg-jit-demo/providers/Microsoft.Compute/virtualMachines/vm-app012",
         .pim = LayerOutcome::kDeny,
         .reason = "which lies outside that scope"},
        {.name = "ReaderAtOtherSubscriptionDenies",
         .role = "/subscriptions/11111111-1111-1111-1111-111111111111/providers/"
                 "Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
         .scope = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/"
                  "rg-other",
         .pim = LayerOutcome::kDeny,
         .reason = "is not of a role the user is eligible for"},
        {.name = "ReaderAtResourceGroupDenies",
         .role = kReaderRoleId,
         .scope = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
                  "rg-jit-demo",
         .pim = LayerOutcome::kDeny,
         .reason = "is not of a role the user is eligible for"},
    }),
    [](const ::testing::TestParamInfo<InstanceTargetCase>& info) { return info.param.name; });

// An active instance that counts decides the PIM layer, but the rbac layer
// still counts the roles of the activation requests granted at `now`.
TEST(PimInstanceTargetTest, InstanceKeepsGrantedActivations) {
  absl::StatusOr<Scenario> scenario = LoadScenario(kReferenceArchitecture);
  ASSERT_OK(scenario.status());
  PimInput& pim_input = *scenario->input.pim;
  ASSERT_EQ(pim_input.requests.size(), 1u);
  const pim::ScheduleRequest operator_request = pim_input.requests[0];
  // Reader alone lacks the bastion operations, which the operator
  // activation gives.
  pim::ScheduleInstance reader_eligibility = pim_input.eligibilities[0];
  reader_eligibility.set_id("reader-eligibility");
  reader_eligibility.set_role_definition_id(kReaderRoleId);
  pim_input.eligibilities.push_back(reader_eligibility);
  pim::ScheduleInstance& reader = pim_input.active_instances.emplace_back();
  reader.set_level(pim::LEVEL_ASSIGNMENT);
  reader.set_id("reader-instance");
  reader.set_principal_id(operator_request.principal_id());
  reader.set_role_definition_id(kReaderRoleId);
  reader.set_directory_scope_id("/subscriptions/00000000-0000-0000-0000-000000000000");
  reader.set_status("Provisioned");
  SetTime(At("2026-03-01T00:00:00Z"), reader.mutable_start_time());
  SetTime(At("2026-03-03T00:00:00Z"), reader.mutable_end_time());

  const absl::Time now = At("2026-03-02T09:30:00Z");
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot =
      Snapshot::Build(scenario->input, BuildOptionsAround(now));
  ASSERT_OK(snapshot.status());
  Attempt attempt = scenario->attempt();
  Decision decision = Decide(**snapshot, attempt, now);
  EXPECT_EQ(decision.pim.basis, PimDetail::Basis::kActiveInstance);
  EXPECT_EQ(decision.layer(Layer::kPim).outcome, LayerOutcome::kAllow);
  EXPECT_EQ(decision.pim.granted_count, 1);
  EXPECT_EQ(decision.layer(Layer::kRbac).outcome, LayerOutcome::kAllow);
  EXPECT_EQ(decision.verdict, Verdict::kAllow);

  absl::StatusOr<std::vector<LayerReport>> reports =
      Explain(snapshot->get(), attempt, decision);
  ASSERT_OK(reports.status());
  EXPECT_THAT(absl::StrJoin((*reports)[static_cast<int>(Layer::kPim)].reasons, "\n"),
              HasSubstr("also activates role \"Secure VM Access Operator\""));
}

}  // namespace
}  // namespace portcullis::decide::testing
