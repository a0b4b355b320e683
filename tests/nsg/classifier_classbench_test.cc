// The ClassBench loader, and the classifier against the reference evaluator
// on every ClassBench set and trace in the shared data folder.
//
// The regular target checks sets of up to 20,000 rules: the classifier's
// single and batch lookups, on both engines, agree on every flow of the
// trace, and the reference evaluator checks every flow of sets up to 2,000
// rules and every (rules / 300)th flow of larger ones. The large target
// (PORTCULLIS_CLASSBENCH_LARGE=1, tagged manual; run it with --config=opt)
// checks every set: every flow of sets up to 20,000 rules and every 10th
// flow of the 100k sets, whose reference scans take minutes even optimized.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nsg/classbench.h"
#include "nsg/classifier.h"
#include "tests/nsg/classifier_random_rules.h"
#include "tests/testing/shared_data.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::nsg {
namespace {

using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ClassBenchRulesTest, ParsesOneRule) {
  ASSERT_OK_AND_ASSIGN(
      RuleTable table,
      ParseClassBenchRules("@192.0.2.7/24\t198.51.100.9/32\t0 : 65535\t"
                           "1521 : 1521\t0x06/0xFF\t0x1000/0x1000\t\n"));
  ASSERT_EQ(table.size(), 1u);
  const TableRule& rule = table.rule(0);
  EXPECT_EQ(rule.priority, 0u);
  // Host bits below the length are cleared.
  EXPECT_EQ(rule.source_v4, (std::vector<Ipv4Cidr>{{0xC0000200, 24}}));
  EXPECT_EQ(rule.destination_v4, (std::vector<Ipv4Cidr>{{0xC6336409, 32}}));
  EXPECT_EQ(rule.source_ports, (std::vector<PortInterval>{{0, 65535}}));
  EXPECT_EQ(rule.destination_ports, (std::vector<PortInterval>{{1521, 1521}}));
  EXPECT_EQ(rule.protocol, std::optional<uint8_t>(6));
  EXPECT_TRUE(rule.source_v6.empty());
}

TEST(ClassBenchRulesTest, LineOrderIsPriority) {
  ASSERT_OK_AND_ASSIGN(RuleTable table,
                       ParseClassBenchRules("@0.0.0.0/0 0.0.0.0/0 0 : 65535 0 : 65535 0x00/0x00\n"
                                            "\n"
                                            "@0.0.0.0/0 0.0.0.0/0 0 : 65535 0 : 65535 0x2f/0xFF\n"));
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table.rule(0).protocol, std::nullopt);
  EXPECT_EQ(table.rule(1).priority, 1u);
  EXPECT_EQ(table.rule(1).protocol, std::optional<uint8_t>(47));
}

struct ErrorCase {
  std::string name;
  std::string text;
  std::string message;
};

class ClassBenchRulesErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ClassBenchRulesErrorTest, NamesLineAndValue) {
  EXPECT_THAT(ParseClassBenchRules(GetParam().text),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ClassBenchRulesErrorTest,
    ::testing::Values(
        ErrorCase{"MissingAt", "192.0.2.0/24 0.0.0.0/0 0 : 1 0 : 1 0x06/0xFF",
                  "line 1: invalid rule \"192.0.2.0/24\""},
        ErrorCase{"LengthTooLong",
                  "\n@192.0.2.0/33 0.0.0.0/0 0 : 1 0 : 1 0x06/0xFF",
                  "line 2: invalid source \"192.0.2.0/33\""},
        ErrorCase{"BadOctet", "@192.0.2.0/24 0.0.256.0/0 0 : 1 0 : 1 0x06/0xFF",
                  "invalid destination \"0.0.256.0/0\""},
        ErrorCase{"ReversedPorts",
                  "@192.0.2.0/24 0.0.0.0/0 9 : 1 0 : 1 0x06/0xFF",
                  "invalid source ports \"9 : 1\"; expected LO <= HI"},
        ErrorCase{"PortTooLarge",
                  "@192.0.2.0/24 0.0.0.0/0 0 : 1 0 : 65536 0x06/0xFF",
                  "invalid destination ports \"0 : 65536\""},
        ErrorCase{"PartialProtocolMask",
                  "@192.0.2.0/24 0.0.0.0/0 0 : 1 0 : 1 0x06/0x0F",
                  "invalid protocol \"0x06/0x0F\"; expected a mask of 0xFF or 0x00"},
        ErrorCase{"MissingField", "@192.0.2.0/24 0.0.0.0/0 0 : 1 0 : 1",
                  "line 1: invalid rule"},
        ErrorCase{"BadFlags", "@192.0.2.0/24 0.0.0.0/0 0 : 1 0 : 1 0x06/0xFF 0xZZ/0x1000",
                  "line 1: invalid flags \"0xZZ/0x1000\"; expected 0xVVVV/0xMMMM"},
        ErrorCase{"FlagsWithoutMask", "@192.0.2.0/24 0.0.0.0/0 0 : 1 0 : 1 0x06/0xFF 0x1000",
                  "line 1: invalid flags \"0x1000\""}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) { return info.param.name; });

TEST(ClassBenchTraceTest, ParsesHeaders) {
  ASSERT_OK_AND_ASSIGN(std::vector<FlowV4> flows,
                       ParseClassBenchTrace("3221225991\t3325256713\t0\t65535\t6\t512\t7\n"
                                            "0 4294967295 65535 0 255 3\n"));
  ASSERT_EQ(flows.size(), 2u);
  EXPECT_EQ(flows[0].source, 0xC0000207u);
  EXPECT_EQ(flows[0].destination, 0xC6336409u);
  EXPECT_EQ(flows[0].destination_port, 65535);
  EXPECT_EQ(flows[0].protocol, 6);
  EXPECT_EQ(flows[1].destination, 0xFFFFFFFFu);
  EXPECT_EQ(flows[1].protocol, 255);
}

TEST(ClassBenchTraceTest, RejectsOutOfRangeProtocol) {
  EXPECT_THAT(ParseClassBenchTrace("1 2 3 4 256 0 1\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 1: invalid protocol \"256\"")));
}

TEST(ClassBenchTraceTest, RejectsBlankLineInside) {
  EXPECT_THAT(ParseClassBenchTrace("1 2 3 4 6 0 1\n\n1 2 3 4 6 0 1\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 2: invalid trace line \"\"")));
}

TEST(ClassBenchTraceTest, AcceptsTrailingBlankLines) {
  ASSERT_OK_AND_ASSIGN(std::vector<FlowV4> flows,
                       ParseClassBenchTrace("1 2 3 4 6 0 1\n2 3 4 5 17\n\n  \n"));
  EXPECT_EQ(flows.size(), 2u);
}

TEST(ClassBenchTraceTest, RejectsTextInOptionalColumns) {
  EXPECT_THAT(ParseClassBenchTrace("1 2 3 4 6 abc 1\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 1: invalid column 6 \"abc\"; expected an integer")));
}

bool LargeRun() {
  const char* large = std::getenv("PORTCULLIS_CLASSBENCH_LARGE");
  return large != nullptr && std::string(large) == "1";
}

// The sets in `dir` that have a trace: every file NAME with NAME_trace.
std::vector<std::string> SetNames(const std::string& dir) {
  std::vector<std::string> names;
  for (const std::string& trace : ::portcullis::testing::ListFiles(dir, "_trace")) {
    names.push_back(trace.substr(0, trace.size() - 6));
  }
  return names;
}

TEST(ClassBenchSetsTest, ClassifierAgreesWithReference) {
  std::optional<std::string> shared = ::portcullis::testing::SharedDir();
  if (!shared) GTEST_SKIP() << ::portcullis::testing::kNoSharedDirMessage;
  const std::string dir = *shared + "/classbench";
  std::vector<std::string> names = SetNames(dir);
  if (names.empty()) GTEST_SKIP() << "no ClassBench sets with traces in " << dir;

  const bool large = LargeRun();
  int checked_sets = 0;
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    ASSERT_OK_AND_ASSIGN(std::string rules_text,
                         ::portcullis::testing::ReadFileToString(dir + "/" + name));
    const size_t lines = std::count(rules_text.begin(), rules_text.end(), '\n');
    if (!large && lines > 20000) continue;
    ASSERT_OK_AND_ASSIGN(RuleTable table, ParseClassBenchRules(rules_text));
    ASSERT_OK_AND_ASSIGN(
        std::string trace_text,
        ::portcullis::testing::ReadFileToString(dir + "/" + name + "_trace"));
    ASSERT_OK_AND_ASSIGN(std::vector<FlowV4> flows, ParseClassBenchTrace(trace_text));
    ASSERT_OK_AND_ASSIGN(Classifier classifier, Classifier::Compile(table));
    // The interleaved batch path, and the portable single lookup.
    ClassifierOptions interleaved_options;
    interleaved_options.interleave_min_bytes = 0;
    interleaved_options.allow_avx512 = false;
    ASSERT_OK_AND_ASSIGN(Classifier interleaved,
                         Classifier::Compile(table, interleaved_options));
    // TupleMerge with the dense tables of large rule sets, interleaved.
    ClassifierOptions dense_options;
    dense_options.engine = ClassifierEngine::kTupleSpace;
    dense_options.dense_slots_min_bytes = 0;
    dense_options.interleave_min_bytes = 0;
    ASSERT_OK_AND_ASSIGN(Classifier dense, Classifier::Compile(table, dense_options));
    // The bit-vector engine, with a budget that fits every set of up to
    // 20,000 rules, with each of its ANDs. Larger sets keep the default
    // budget, so they fall back to TupleMerge instead of building rows of
    // hundreds of megabytes.
    ClassifierOptions bit_options;
    bit_options.engine = ClassifierEngine::kBitVector;
    if (table.size() <= 20000) bit_options.bit_vector_max_bytes = size_t{512} << 20;
    ASSERT_OK_AND_ASSIGN(Classifier bits, Classifier::Compile(table, bit_options));
    // Its AVX2 AND where the CPU has AVX2 (on CPUs with AVX-512 too).
    bit_options.allow_avx512 = false;
    ASSERT_OK_AND_ASSIGN(Classifier avx2_bits, Classifier::Compile(table, bit_options));
    bit_options.allow_avx2 = false;
    ASSERT_OK_AND_ASSIGN(Classifier portable_bits, Classifier::Compile(table, bit_options));
    if (table.size() <= 20000) {
      ASSERT_EQ(bits.engine_v4(), ClassifierEngine::kBitVector);
      ASSERT_EQ(avx2_bits.engine_v4(), ClassifierEngine::kBitVector);
      ASSERT_EQ(portable_bits.engine_v4(), ClassifierEngine::kBitVector);
    }

    std::vector<RuleMatch> batch(flows.size());
    classifier.LookupBatch(flows, absl::MakeSpan(batch));
    std::vector<RuleMatch> interleaved_batch(flows.size());
    interleaved.LookupBatch(flows, absl::MakeSpan(interleaved_batch));
    std::vector<RuleMatch> dense_batch(flows.size());
    dense.LookupBatch(flows, absl::MakeSpan(dense_batch));
    std::vector<RuleMatch> bits_batch(flows.size());
    bits.LookupBatch(flows, absl::MakeSpan(bits_batch));
    std::vector<RuleMatch> avx2_bits_batch(flows.size());
    avx2_bits.LookupBatch(flows, absl::MakeSpan(avx2_bits_batch));
    std::vector<RuleMatch> portable_bits_batch(flows.size());
    portable_bits.LookupBatch(flows, absl::MakeSpan(portable_bits_batch));
    size_t stride = 1;
    if (large && table.size() > 20000) {
      stride = 10;
    } else if (!large && table.size() > 2000) {
      stride = table.size() / 300;
    }
    stride *= testing::SanitizerSlowdown();
    size_t matched = 0;
    for (size_t i = 0; i < flows.size(); ++i) {
      const RuleMatch single = classifier.Lookup(flows[i]);
      ASSERT_EQ(batch[i], single) << "trace line " << i + 1;
      ASSERT_EQ(interleaved_batch[i], single) << "trace line " << i + 1;
      ASSERT_EQ(interleaved.Lookup(flows[i]), single) << "trace line " << i + 1;
      ASSERT_EQ(dense.Lookup(flows[i]), single) << "trace line " << i + 1;
      ASSERT_EQ(dense_batch[i], single) << "trace line " << i + 1;
      ASSERT_EQ(bits.Lookup(flows[i]), single) << "trace line " << i + 1;
      ASSERT_EQ(bits_batch[i], single) << "trace line " << i + 1;
      ASSERT_EQ(avx2_bits.Lookup(flows[i]), single) << "trace line " << i + 1;
      ASSERT_EQ(avx2_bits_batch[i], single) << "trace line " << i + 1;
      ASSERT_EQ(portable_bits.Lookup(flows[i]), single) << "trace line " << i + 1;
      ASSERT_EQ(portable_bits_batch[i], single) << "trace line " << i + 1;
      if (i % stride != 0) continue;
      const RuleMatch expected = table.ReferenceLookup(flows[i]);
      ASSERT_EQ(single, expected)
          << "trace line " << i + 1 << ": expected rule " << expected.index + 1
          << ", got " << single.index + 1;
      matched += expected.found();
    }
    EXPECT_GT(matched, 0u);
    ++checked_sets;
  }
  EXPECT_GT(checked_sets, 0);
}

}  // namespace
}  // namespace portcullis::nsg
