#include "nsg/publisher.h"

#include <memory>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nsg/rule_table.h"
#include "nsg/snapshot.h"
#include "tests/nsg/classifier_random_rules.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::nsg {
namespace {

using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

TableRule AllowAll(uint32_t priority) {
  TableRule rule;
  rule.priority = priority;
  rule.source_v4 = {Ipv4Cidr::Any()};
  rule.destination_v4 = {Ipv4Cidr::Any()};
  rule.source_ports = {PortInterval::Any()};
  rule.destination_ports = {PortInterval::Any()};
  rule.access = RuleAccess::kAllow;
  return rule;
}

TableRule DenySsh(uint32_t priority) {
  TableRule rule = AllowAll(priority);
  rule.destination_ports = {PortInterval::Single(22)};
  rule.protocol = 6;
  rule.access = RuleAccess::kDeny;
  return rule;
}

// The snapshot's rules as one table: base rules, then overlay rules.
RuleTable CombinedTable(const ClassifierSnapshot& snapshot) {
  std::vector<TableRule> rules;
  for (size_t i = 0; i < snapshot.rule_count(); ++i) rules.push_back(snapshot.rule(i));
  absl::StatusOr<RuleTable> table = RuleTable::Create(std::move(rules));
  return table.ok() ? std::move(*table) : RuleTable();
}

const FlowV4 kSsh{0xC0000207, 0xC6336409, 40000, 22, 6};

TEST(ClassifierPublisherTest, OverlayRuleWinsOnLowerPriority) {
  ASSERT_OK_AND_ASSIGN(RuleTable table, RuleTable::Create({DenySsh(200)}));
  ASSERT_OK_AND_ASSIGN(auto publisher, ClassifierPublisher::Create(
                                           std::make_shared<const RuleTable>(table)));
  ASSERT_OK_AND_ASSIGN(SnapshotReader reader, publisher->NewReader());
  EXPECT_EQ(reader.Lookup(kSsh).access, RuleAccess::kDeny);

  ASSERT_OK_AND_ASSIGN(uint64_t grant, publisher->AddRule(AllowAll(100)));
  RuleMatch match = reader.Lookup(kSsh);
  EXPECT_EQ(match.access, RuleAccess::kAllow);
  EXPECT_EQ(match.index, 1u);  // overlay rules follow the base rules
  EXPECT_EQ(publisher->current_for_writer().version(), 2u);

  ASSERT_OK(publisher->RemoveRule(grant));
  EXPECT_EQ(reader.Lookup(kSsh).access, RuleAccess::kDeny);
  EXPECT_EQ(publisher->current_for_writer().version(), 3u);
}

TEST(ClassifierPublisherTest, BaseRuleWinsPriorityTie) {
  ASSERT_OK_AND_ASSIGN(RuleTable table, RuleTable::Create({DenySsh(100)}));
  ASSERT_OK_AND_ASSIGN(auto publisher, ClassifierPublisher::Create(
                                           std::make_shared<const RuleTable>(table)));
  ASSERT_OK(publisher->AddRule(AllowAll(100)).status());
  ASSERT_OK_AND_ASSIGN(SnapshotReader reader, publisher->NewReader());
  EXPECT_EQ(reader.Lookup(kSsh).index, 0u);
}

TEST(ClassifierPublisherTest, RemoveUnknownRuleIsNotFound) {
  ASSERT_OK_AND_ASSIGN(auto publisher, ClassifierPublisher::Create(
                                           std::make_shared<const RuleTable>()));
  EXPECT_THAT(publisher->RemoveRule(7),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("overlay rule 7: not found")));
}

TEST(ClassifierPublisherTest, InvalidOverlayRuleIsRejected) {
  ASSERT_OK_AND_ASSIGN(auto publisher, ClassifierPublisher::Create(
                                           std::make_shared<const RuleTable>()));
  TableRule bad = AllowAll(100);
  bad.source_v4 = {Ipv4Cidr{0xC0000201, 24}};
  EXPECT_THAT(publisher->AddRule(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("host bits are set")));
  EXPECT_EQ(publisher->current_for_writer().version(), 1u);
}

TEST(ClassifierPublisherTest, OverlayFoldsIntoBaseWhenFull) {
  PublisherOptions options;
  options.max_overlay_rules = 3;
  ASSERT_OK_AND_ASSIGN(auto publisher,
                       ClassifierPublisher::Create(std::make_shared<const RuleTable>(),
                                                   options));
  for (uint32_t i = 0; i < 3; ++i) ASSERT_OK(publisher->AddRule(DenySsh(300 - i)).status());
  EXPECT_EQ(publisher->current_for_writer().overlay_table().size(), 3u);
  EXPECT_EQ(publisher->current_for_writer().base_size(), 0u);

  ASSERT_OK(publisher->AddRule(DenySsh(200)).status());
  EXPECT_EQ(publisher->current_for_writer().overlay_table().size(), 0u);
  EXPECT_EQ(publisher->current_for_writer().base_size(), 4u);

  ASSERT_OK_AND_ASSIGN(SnapshotReader reader, publisher->NewReader());
  RuleMatch match = reader.Lookup(kSsh);
  EXPECT_EQ(match.index, 3u);
  EXPECT_EQ(match.priority, 200u);
}

TEST(ClassifierPublisherTest, PrecompiledClassifierIsPublished) {
  auto table = std::make_shared<const RuleTable>(*RuleTable::Create({DenySsh(200)}));
  ASSERT_OK_AND_ASSIGN(Classifier compiled, Classifier::Compile(*table));
  ASSERT_OK_AND_ASSIGN(auto publisher,
                       ClassifierPublisher::Create(
                           table, std::make_shared<const Classifier>(std::move(compiled))));
  ASSERT_OK_AND_ASSIGN(SnapshotReader reader, publisher->NewReader());
  EXPECT_EQ(reader.Lookup(kSsh).access, RuleAccess::kDeny);

  ASSERT_OK_AND_ASSIGN(Classifier empty, Classifier::Compile(RuleTable()));
  EXPECT_THAT(ClassifierPublisher::Create(table,
                                          std::make_shared<const Classifier>(std::move(empty))),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("compiled from 0 rules, but the table has 1")));
}

TEST(ClassifierPublisherTest, ReaderSlotsRunOut) {
  ASSERT_OK_AND_ASSIGN(auto publisher, ClassifierPublisher::Create(
                                           std::make_shared<const RuleTable>()));
  std::vector<SnapshotReader> readers;
  for (size_t i = 0; i < ClassifierPublisher::kMaxReaders; ++i) {
    ASSERT_OK_AND_ASSIGN(SnapshotReader reader, publisher->NewReader());
    readers.push_back(std::move(reader));
  }
  EXPECT_THAT(publisher->NewReader(),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("reader slots")));
  readers.pop_back();
  EXPECT_OK(publisher->NewReader().status());
}

TEST(ClassifierPublisherTest, PinnedSnapshotOutlivesPublication) {
  ASSERT_OK_AND_ASSIGN(RuleTable table, RuleTable::Create({DenySsh(200)}));
  ASSERT_OK_AND_ASSIGN(auto publisher, ClassifierPublisher::Create(
                                           std::make_shared<const RuleTable>(table)));
  ASSERT_OK_AND_ASSIGN(SnapshotReader reader, publisher->NewReader());
  {
    SnapshotGuard pinned = reader.Pin();
    ASSERT_OK(publisher->AddRule(AllowAll(100)).status());
    ASSERT_OK(publisher->Consolidate());
    // The pinned version still decides by its own rules.
    EXPECT_EQ(pinned->version(), 1u);
    EXPECT_EQ(pinned->Lookup(kSsh).access, RuleAccess::kDeny);
    EXPECT_EQ(publisher->retired_count(), 1u);
  }
  ASSERT_OK(publisher->AddRule(AllowAll(50)).status());
  EXPECT_EQ(publisher->retired_count(), 0u);
  EXPECT_EQ(reader.Lookup(kSsh).priority, 50u);
}

// SnapshotReader::Lookup() inside a Pin() on the same reader leaves the pin
// in place, so publications cannot free the pinned snapshot.
TEST(ClassifierPublisherTest, LookupKeepsReaderPin) {
  ASSERT_OK_AND_ASSIGN(RuleTable table, RuleTable::Create({DenySsh(200)}));
  ASSERT_OK_AND_ASSIGN(auto publisher, ClassifierPublisher::Create(
                                           std::make_shared<const RuleTable>(table)));
  ASSERT_OK_AND_ASSIGN(SnapshotReader reader, publisher->NewReader());
  {
    SnapshotGuard pinned = reader.Pin();
    EXPECT_EQ(reader.Lookup(kSsh).access, RuleAccess::kDeny);
    ASSERT_OK(publisher->AddRule(AllowAll(100)).status());
    EXPECT_EQ(publisher->retired_count(), 1u);

    // While the guard lives, the reader keeps classifying from version 1.
    EXPECT_EQ(reader.Lookup(kSsh).access, RuleAccess::kDeny);
    EXPECT_EQ(pinned->version(), 1u);
    EXPECT_EQ(pinned->Lookup(kSsh).access, RuleAccess::kDeny);
    {
      SnapshotGuard inner = reader.Pin();
      EXPECT_EQ(inner->version(), 1u);
    }
    publisher->CollectRetired();
    EXPECT_EQ(publisher->retired_count(), 1u);
    EXPECT_EQ(pinned->Lookup(kSsh).access, RuleAccess::kDeny);
  }
  publisher->CollectRetired();
  EXPECT_EQ(publisher->retired_count(), 0u);
  EXPECT_EQ(reader.Lookup(kSsh).access, RuleAccess::kAllow);
}

TEST(ClassifierPublisherTest, SnapshotsAgreeWithCombinedReference) {
  std::mt19937_64 rng(11);
  testing::RandomRuleOptions options;
  options.rule_count = 150;
  ASSERT_OK_AND_ASSIGN(RuleTable table,
                       RuleTable::Create(testing::RandomRules(rng, options)));
  ASSERT_OK_AND_ASSIGN(auto publisher, ClassifierPublisher::Create(
                                           std::make_shared<const RuleTable>(table)));
  ASSERT_OK_AND_ASSIGN(SnapshotReader reader, publisher->NewReader());

  options.rule_count = 20;
  std::vector<uint64_t> ids;
  for (const TableRule& rule : testing::RandomRules(rng, options)) {
    ASSERT_OK_AND_ASSIGN(uint64_t id, publisher->AddRule(rule));
    ids.push_back(id);
  }
  ASSERT_OK(publisher->RemoveRule(ids[3]));
  ASSERT_OK(publisher->RemoveRule(ids[11]));

  SnapshotGuard snapshot = reader.Pin();
  EXPECT_EQ(snapshot->overlay_table().size(), 18u);
  const RuleTable combined = CombinedTable(*snapshot);
  ASSERT_EQ(combined.size(), 168u);
  const int flows = 20000 / testing::SanitizerSlowdown();
  std::vector<FlowV4> v4;
  for (int i = 0; i < flows; ++i) {
    v4.push_back(testing::RandomFlowV4(rng, combined.rules()));
    ASSERT_EQ(snapshot->Lookup(v4.back()), combined.ReferenceLookup(v4.back())) << i;
    FlowV6 v6 = testing::RandomFlowV6(rng, combined.rules());
    ASSERT_EQ(snapshot->Lookup(v6), combined.ReferenceLookup(v6)) << i;
  }
  std::vector<RuleMatch> batch(v4.size());
  snapshot->LookupBatch(v4, absl::MakeSpan(batch));
  for (size_t i = 0; i < v4.size(); ++i) {
    ASSERT_EQ(batch[i], combined.ReferenceLookup(v4[i])) << i;
  }
}

}  // namespace
}  // namespace portcullis::nsg
