// `portcullis classbench`: one line per trace header with the 1-based
// deciding rule, 0 for none; exit status 2 on bad flags or input.
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "cli/classbench_command.h"
#include "gtest/gtest.h"

namespace portcullis::cli {
namespace {

std::string WriteTempFile(const std::string& name, const std::string& content) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
  std::ofstream(path) << content;
  return path;
}

const char kRules[] =
    "@192.0.2.7/32\t198.51.100.0/24\t0 : 65535\t22 : 22\t0x06/0xFF\t0x0000/0x0000\n"
    "@192.0.2.0/24\t0.0.0.0/0\t0 : 65535\t0 : 65535\t0x00/0x00\n";

TEST(ClassBenchCommandTest, PrintsOneBasedRulePerHeader) {
  const std::string rules = WriteTempFile("rules", kRules);
  // 192.0.2.7 -> 198.51.100.9:22/tcp, the same over UDP, and a header from
  // 203.0.113.1 that no rule matches.
  const std::string trace = WriteTempFile(
      "trace",
      "3221225991\t3325256713\t40000\t22\t6\t0\t0\n"
      "3221225991\t3325256713\t40000\t22\t17\t0\t0\n"
      "3405803777\t3325256713\t40000\t22\t6\t0\t1\n");
  ::testing::internal::CaptureStdout();
  const int status = RunClassBenchCommand({"--rules", rules, "--trace", trace});
  const std::string output = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(status, 0);
  EXPECT_EQ(output, "1\n2\n0\n");
}

TEST(ClassBenchCommandTest, MissingTraceFlagIsUsageError) {
  const std::string rules = WriteTempFile("rules_only", kRules);
  EXPECT_EQ(RunClassBenchCommand({"--rules", rules}), 2);
}

TEST(ClassBenchCommandTest, UnreadableFileIsError) {
  EXPECT_EQ(RunClassBenchCommand({"--rules", "/nonexistent/rules", "--trace", "/nonexistent/t"}),
            2);
}

TEST(ClassBenchCommandTest, InvalidRuleIsError) {
  const std::string rules = WriteTempFile("bad_rules", "@192.0.2.0/24 0.0.0.0/0 0 : 1 0 : 1 0x06/0x0F\n");
  const std::string trace = WriteTempFile("bad_rules_trace", "1 2 3 4 6 0 0\n");
  EXPECT_EQ(RunClassBenchCommand({"--rules", rules, "--trace", trace}), 2);
}

}  // namespace
}  // namespace portcullis::cli
