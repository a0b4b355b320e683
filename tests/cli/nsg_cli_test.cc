// Runs the `portcullis` binary on the examples and compares its output with
// golden files. To refresh the goldens after a deliberate change, run the
// test binary with PORTCULLIS_UPDATE_GOLDENS set to the testdata folder of
// the source tree, then review the diff.
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace portcullis::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::string Runfile(const std::string& path) {
  const char* root = std::getenv("TEST_SRCDIR");
  return absl::StrCat(root == nullptr ? "." : root, "/portcullis/", path);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

struct ToolRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

ToolRun RunTool(const std::vector<std::string>& args) {
  std::string err_path =
      absl::StrCat(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR")
                                               : "/tmp",
                   "/stderr.", getpid());
  std::vector<std::string> quoted = {ShellQuote(Runfile("cli/portcullis"))};
  for (const std::string& arg : args) quoted.push_back(ShellQuote(arg));
  std::string command =
      absl::StrCat(absl::StrJoin(quoted, " "), " 2>", ShellQuote(err_path));

  ToolRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t read = 0;
  while ((read = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    run.out.append(buffer, read);
  }
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = ReadFile(err_path);
  return run;
}

// Compares `actual` with testdata/<name>, or rewrites the golden when
// PORTCULLIS_UPDATE_GOLDENS names the testdata folder.
void ExpectGolden(const std::string& actual, const std::string& name) {
  if (const char* update = std::getenv("PORTCULLIS_UPDATE_GOLDENS")) {
    std::ofstream(absl::StrCat(update, "/", name), std::ios::binary) << actual;
    return;
  }
  EXPECT_EQ(actual, ReadFile(Runfile("tests/cli/testdata/" + name)))
      << "golden " << name << " differs";
}

std::string Example(const std::string& file) {
  return Runfile("examples/" + file);
}

// Flags that load the example network: the workload subnet's NSG, the VM
// NIC's NSG, the service tags and the VNet's address space.
std::vector<std::string> VmFlags() {
  return {"--nsg",           Example("azuredeploy.json"),
          "--nsg-name",      "nsg-workload",
          "--nic-nsg",       Example("azuredeploy.json"),
          "--nic-nsg-name",  "nsg-vm-app01-nic",
          "--service-tags",  Example("ServiceTags_Public_20251028.subset.json"),
          "--vnet-prefixes", "10.0.0.0/16"};
}

std::vector<std::string> Verify(std::vector<std::string> flow) {
  std::vector<std::string> args = {"nsg", "verify"};
  for (const std::string& flag : VmFlags()) args.push_back(flag);
  for (const std::string& flag : flow) args.push_back(flag);
  return args;
}

struct GoldenCase {
  std::string name;
  std::vector<std::string> flow;
  std::string golden;
};

class VerifyGoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(VerifyGoldenTest, MatchesGolden) {
  ToolRun run = RunTool(Verify(GetParam().flow));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, IsEmpty());
  ExpectGolden(run.out, GetParam().golden);
}

INSTANTIATE_TEST_SUITE_P(
    Examples, VerifyGoldenTest,
    ::testing::Values(
        GoldenCase{"InternetSshDeniedBySubnet",
                   {"--direction", "inbound", "--protocol", "tcp", "--local",
                    "10.0.2.4:22", "--remote", "203.0.113.50:50022", "--json"},
                   "verify_internet_ssh.json"},
        GoldenCase{"BastionSshAllowedByBothTraced",
                   {"--direction", "inbound", "--protocol", "tcp", "--local",
                    "10.0.2.4:22", "--remote", "10.0.1.4:50100", "--json",
                    "--trace"},
                   "verify_bastion_ssh_trace.json"},
        GoldenCase{"BastionRdpDeniedByNic",
                   {"--direction", "inbound", "--protocol", "tcp", "--local",
                    "10.0.2.4:3389", "--remote", "10.0.1.4:50101", "--json"},
                   "verify_bastion_rdp.json"},
        GoldenCase{"SmtpDeniedByNicOutbound",
                   {"--direction", "outbound", "--protocol", "tcp", "--local",
                    "10.0.2.4:50202", "--remote", "203.0.113.25:25", "--json"},
                   "verify_outbound_smtp.json"},
        GoldenCase{"PlatformDnsExempt",
                   {"--direction", "outbound", "--protocol", "udp", "--local",
                    "10.0.2.4:50300", "--remote", "168.63.129.16:53", "--json"},
                   "verify_platform_dns.json"},
        GoldenCase{"InternetSshText",
                   {"--direction", "inbound", "--protocol", "tcp", "--local",
                    "10.0.2.4:22", "--remote", "203.0.113.50:50022"},
                   "verify_internet_ssh.txt"},
        GoldenCase{"BastionRdpTracedText",
                   {"--direction", "inbound", "--protocol", "tcp", "--local",
                    "10.0.2.4:3389", "--remote", "10.0.1.4:50101", "--trace"},
                   "verify_bastion_rdp_trace.txt"}),
    [](const ::testing::TestParamInfo<GoldenCase>& info) {
      return info.param.name;
    });

TEST(NsgVerifyTest, PlatformExemptionCanBeTurnedOff) {
  // The NIC NSG has no rule for DNS, so the outbound defaults decide:
  // VirtualNetwork holds 168.63.129.16.
  ToolRun run = RunTool(Verify({"--direction", "outbound", "--protocol", "udp",
                            "--local", "10.0.2.4:50300", "--remote",
                            "168.63.129.16:53", "--no-platform-exemption"}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out,
              HasSubstr("result: Allow (defaultSecurityRules/AllowVnetOutBound)"));
}

TEST(NsgVerifyTest, Ipv6EndpointsInBrackets) {
  ToolRun run = RunTool(Verify({"--direction", "inbound", "--protocol", "tcp",
                            "--local", "[2001:db8::4]:22", "--remote",
                            "[2001:db8:1::9]:50000"}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("flow: inbound tcp [2001:db8:1::9]:50000 -> "
                                 "[2001:db8::4]:22"));
  EXPECT_THAT(run.out,
              HasSubstr("result: Deny (securityRules/DenySshInBound)"));
}

TEST(NsgVerifyTest, IcmpTakesAddressesWithoutPorts) {
  ToolRun run = RunTool(Verify({"--direction", "inbound", "--protocol", "icmp",
                            "--local", "10.0.2.4", "--remote",
                            "203.0.113.50"}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out,
              HasSubstr("result: Deny (defaultSecurityRules/DenyAllInBound)"));
}

TEST(NsgVerifyTest, OnlyNicNsgGiven) {
  ToolRun run = RunTool({"nsg", "verify", "--nic-nsg", Example("azuredeploy.json"),
                     "--nic-nsg-name", "nsg-vm-app01-nic", "--vnet-prefixes",
                     "10.0.0.0/16", "--direction", "inbound", "--protocol",
                     "tcp", "--local", "10.0.2.4:22", "--remote",
                     "203.0.113.50:50022", "--json"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("\"attachment\": \"networkInterface\""));
  EXPECT_THAT(run.out, Not(HasSubstr("\"attachment\": \"subnet\"")));
}

// `az network nsg show` prints rules flattened, and the portal stores
// protocols in upper case; both evaluate like the REST form.
TEST(NsgVerifyTest, ReadsAzShowOutputWithUpperCaseProtocol) {
  const std::string file = Runfile("tests/cli/testdata/az_nsg_show.json");
  ToolRun allowed = RunTool({"nsg", "verify", "--nsg", file, "--direction",
                             "Inbound", "--protocol", "TCP", "--local",
                             "10.0.0.4:22", "--remote", "198.51.100.9:40000"});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_THAT(allowed.out, HasSubstr("result: Allow (securityRules/AllowSsh)"));

  ToolRun denied = RunTool({"nsg", "verify", "--nsg", file, "--direction",
                            "inbound", "--protocol", "udp", "--local",
                            "10.0.0.4:22", "--remote", "198.51.100.9:40000"});
  EXPECT_EQ(denied.exit_code, 0) << denied.err;
  EXPECT_THAT(denied.out,
              HasSubstr("result: Deny (defaultSecurityRules/DenyAllInBound)"));
}

struct BadFlagsCase {
  std::string name;
  std::vector<std::string> args;
  std::string message;
};

class NsgBadInputTest : public ::testing::TestWithParam<BadFlagsCase> {};

TEST_P(NsgBadInputTest, ExitsTwoWithReason) {
  ToolRun run = RunTool(GetParam().args);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_THAT(run.err, HasSubstr(GetParam().message));
}

std::vector<std::string> WithVm(std::vector<std::string> flow) {
  return Verify(std::move(flow));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, NsgBadInputTest,
    ::testing::Values(
        BadFlagsCase{"NoNsg",
                     {"nsg", "verify", "--direction", "inbound", "--protocol",
                      "tcp", "--local", "10.0.2.4:22", "--remote",
                      "203.0.113.50:1"},
                     "missing NSG"},
        BadFlagsCase{"NoSubcommand", {"nsg"}, "usage: portcullis nsg"},
        BadFlagsCase{"UnknownSubcommand", {"nsg", "check"}, "unknown command"},
        BadFlagsCase{"UnknownFlag",
                     WithVm({"--direction", "inbound", "--protocol", "tcp",
                             "--local", "10.0.2.4:22", "--remote",
                             "203.0.113.50:1", "--port", "22"}),
                     "unknown flag --port"},
        BadFlagsCase{"MissingDirection",
                     WithVm({"--protocol", "tcp", "--local", "10.0.2.4:22",
                             "--remote", "203.0.113.50:1"}),
                     "missing required flag --direction"},
        BadFlagsCase{"BadDirection",
                     WithVm({"--direction", "sideways", "--protocol", "tcp",
                             "--local", "10.0.2.4:22", "--remote",
                             "203.0.113.50:1"}),
                     "--direction: invalid value \"sideways\""},
        BadFlagsCase{"BadProtocol",
                     WithVm({"--direction", "inbound", "--protocol", "gre",
                             "--local", "10.0.2.4:22", "--remote",
                             "203.0.113.50:1"}),
                     "--protocol: invalid value \"gre\""},
        BadFlagsCase{"TcpWithoutPort",
                     WithVm({"--direction", "inbound", "--protocol", "tcp",
                             "--local", "10.0.2.4", "--remote",
                             "203.0.113.50:1"}),
                     "--local: missing port"},
        BadFlagsCase{"IcmpWithPort",
                     WithVm({"--direction", "inbound", "--protocol", "icmp",
                             "--local", "10.0.2.4:22", "--remote",
                             "203.0.113.50"}),
                     "--local: unexpected port"},
        BadFlagsCase{"PortTooLarge",
                     WithVm({"--direction", "inbound", "--protocol", "tcp",
                             "--local", "10.0.2.4:65536", "--remote",
                             "203.0.113.50:1"}),
                     "expected a port from 0 to 65535"},
        BadFlagsCase{"SignedPort",
                     WithVm({"--direction", "inbound", "--protocol", "tcp",
                             "--local", "10.0.2.4:+22", "--remote",
                             "203.0.113.50:1"}),
                     "expected a port from 0 to 65535"},
        BadFlagsCase{"BadAddress",
                     WithVm({"--direction", "inbound", "--protocol", "tcp",
                             "--local", "10.0.2:22", "--remote",
                             "203.0.113.50:1"}),
                     "--local:"},
        BadFlagsCase{"UnbracketedIpv6WithPort",
                     WithVm({"--direction", "inbound", "--protocol", "udp",
                             "--local", "2001:db8::1:53", "--remote",
                             "[2001:db8::2]:1"}),
                     "--local: missing port"},
        BadFlagsCase{"UnclosedBracket",
                     WithVm({"--direction", "inbound", "--protocol", "tcp",
                             "--local", "[2001:db8::1:22", "--remote",
                             "203.0.113.50:1"}),
                     "expected [IPv6] or [IPv6]:PORT"},
        BadFlagsCase{"BadVnetPrefix",
                     {"nsg", "verify", "--nsg", Example("azuredeploy.json"),
                      "--nsg-name", "nsg-workload", "--vnet-prefixes",
                      "10.0.0.1/16", "--direction", "inbound", "--protocol",
                      "tcp", "--local", "10.0.2.4:22", "--remote",
                      "203.0.113.50:1"},
                     "--vnet-prefixes:"},
        BadFlagsCase{"UnreadableNsg",
                     {"nsg", "verify", "--nsg", "/nonexistent/nsg.json",
                      "--direction", "inbound", "--protocol", "tcp", "--local",
                      "10.0.2.4:22", "--remote", "203.0.113.50:1"},
                     "cannot read file /nonexistent/nsg.json"},
        BadFlagsCase{"SeveralNsgsWithoutName",
                     {"nsg", "verify", "--nsg", Example("azuredeploy.json"),
                      "--direction", "inbound", "--protocol", "tcp", "--local",
                      "10.0.2.4:22", "--remote", "203.0.113.50:1"},
                     "contains 3 NSGs"},
        BadFlagsCase{"NsgFileWithProblems",
                     {"nsg", "verify", "--nsg",
                      Runfile("tests/cli/testdata/invalid_nsg.json"),
                      "--direction", "inbound", "--protocol", "tcp", "--local",
                      "10.0.2.4:22", "--remote", "203.0.113.50:1"},
                     "4 problems that Azure would reject"},
        BadFlagsCase{"UnknownServiceTagWithoutDownload",
                     {"nsg", "verify", "--nsg", Example("azuredeploy.json"),
                      "--nsg-name", "nsg-bastion", "--direction", "inbound",
                      "--protocol", "tcp", "--local", "10.0.1.4:443",
                      "--remote", "203.0.113.50:1"},
                     "GatewayManager"},
        BadFlagsCase{"ValidateWithoutFile", {"nsg", "validate"},
                     "missing FILE"},
        BadFlagsCase{"ValidateNotAnNsg",
                     {"nsg", "validate",
                      Example("nic-vm-app01.json")},
                     "nic-vm-app01.json"}),
    [](const ::testing::TestParamInfo<BadFlagsCase>& info) {
      return info.param.name;
    });

TEST(NsgValidateTest, ListsEveryProblemAndExitsOne) {
  ToolRun run = RunTool(
      {"nsg", "validate", Runfile("tests/cli/testdata/invalid_nsg.json")});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_THAT(run.out,
              HasSubstr("properties.securityRules[0].properties.priority: "
                        "invalid value 5000"));
  EXPECT_THAT(run.out, HasSubstr("SecurityRuleInvalidPortRange"));
  EXPECT_THAT(run.out, HasSubstr("SecurityRuleInvalidAddressPrefix"));
  EXPECT_THAT(run.out, HasSubstr("SecurityRuleConflict"));
  std::vector<std::string> lines =
      absl::StrSplit(run.out, '\n', absl::SkipEmpty());
  EXPECT_EQ(lines.size(), 4u);
}

TEST(NsgValidateTest, JsonListsProblems) {
  ToolRun run = RunTool({"nsg", "validate", "--json",
                     Runfile("tests/cli/testdata/invalid_nsg.json")});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_THAT(run.out, HasSubstr("\"valid\": false"));
  EXPECT_THAT(run.out, HasSubstr("\"azureError\": \"SecurityRuleConflict\""));
  EXPECT_THAT(run.out,
              HasSubstr("\"path\": \"properties.securityRules[1].properties."
                        "sourceAddressPrefix\""));
}

TEST(NsgValidateTest, ExamplesAreValid) {
  ToolRun run = RunTool({"nsg", "validate", Example("azuredeploy.json")});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("3 NSGs, no problems"));
}

// Copies `from` into `folder` under `name`.
void CopyInto(const std::string& from, const std::string& folder,
              const std::string& name) {
  std::ofstream(folder + "/" + name) << ReadFile(from);
}

TEST(NsgValidateTest, FolderChecksEveryFileDespiteErrors) {
  std::string folder = absl::StrCat(std::getenv("TEST_TMPDIR"), "/mixed");
  ASSERT_EQ(system(("mkdir -p " + folder).c_str()), 0);
  // Sorted by name: the file without an NSG comes between the other two.
  CopyInto(Example("azuredeploy.json"), folder, "a-valid.json");
  CopyInto(Example("nic-vm-app01.json"), folder, "b-not-an-nsg.json");
  CopyInto(Runfile("tests/cli/testdata/invalid_nsg.json"), folder,
           "c-invalid.json");

  ToolRun run = RunTool({"nsg", "validate", folder});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("a-valid.json: 3 NSGs, no problems"));
  EXPECT_THAT(run.err, HasSubstr("b-not-an-nsg.json"));
  EXPECT_THAT(run.out, HasSubstr("c-invalid.json: "));
  EXPECT_THAT(run.out, HasSubstr("SecurityRuleConflict"));

  // A missing path and an empty folder are reported, and the files after
  // them are still checked.
  std::string empty = absl::StrCat(std::getenv("TEST_TMPDIR"), "/empty");
  ASSERT_EQ(system(("mkdir -p " + empty).c_str()), 0);
  ToolRun missing = RunTool({"nsg", "validate", folder + "/no-such.json", empty,
                             folder + "/a-valid.json"});
  EXPECT_EQ(missing.exit_code, 2) << missing.out << missing.err;
  EXPECT_THAT(missing.err, HasSubstr("no-such.json"));
  EXPECT_THAT(missing.err, HasSubstr("contains no JSON file"));
  EXPECT_THAT(missing.out, HasSubstr("a-valid.json: 3 NSGs, no problems"));

  ToolRun json = RunTool({"nsg", "validate", "--json", folder});
  EXPECT_EQ(json.exit_code, 2) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"valid\": false"));
  EXPECT_THAT(json.out, HasSubstr("\"errors\": ["));
  EXPECT_THAT(json.out, HasSubstr("b-not-an-nsg.json"));
}

TEST(NsgVerifyTest, ApplicationSecurityGroupsComeFromNics) {
  std::vector<std::string> flow = {
      "nsg", "verify", "--nsg", Runfile("tests/cli/testdata/asg_nsg.json"),
      "--direction", "inbound", "--protocol", "tcp", "--remote",
      "203.0.113.7:50000", "--vnet-prefixes", "10.0.0.0/16"};
  auto with = [&flow](std::vector<std::string> more) {
    std::vector<std::string> args = flow;
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  std::string nic = Runfile("tests/cli/testdata/asg_nic_web01.json");

  // The NIC names the group in upper case; ids compare without case.
  ToolRun member = RunTool(with({"--nics", nic, "--local", "10.0.3.4:443"}));
  EXPECT_EQ(member.exit_code, 0) << member.err;
  EXPECT_THAT(member.out,
              HasSubstr("result: Allow (securityRules/AllowHttpsToWebServers)"));

  ToolRun other = RunTool(with({"--nics", nic, "--local", "10.0.3.5:443"}));
  EXPECT_EQ(other.exit_code, 0) << other.err;
  EXPECT_THAT(other.out,
              HasSubstr("result: Deny (defaultSecurityRules/DenyAllInBound)"));

  ToolRun unknown = RunTool(with({"--local", "10.0.3.4:443"}));
  EXPECT_EQ(unknown.exit_code, 2) << unknown.out;
  EXPECT_THAT(unknown.err, HasSubstr("unknown application security group"));
}

TEST(NsgEffectiveTest, WorkloadNsgMatchesGolden) {
  ToolRun run = RunTool({"nsg", "effective", "--nsg", Example("azuredeploy.json"),
                     "--nsg-name", "nsg-workload", "--vnet-prefixes",
                     "10.0.0.0/16", "--json"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  ExpectGolden(run.out, "effective_workload.json");
}

TEST(NsgEffectiveTest, TextListsRulesInEvaluationOrder) {
  ToolRun run = RunTool({"nsg", "effective", "--nic-nsg", Example("azuredeploy.json"),
                     "--nic-nsg-name", "nsg-vm-app01-nic", "--vnet-prefixes",
                     "10.0.0.0/16"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  ExpectGolden(run.out, "effective_nic.txt");
}

TEST(DemoTest, WalksThroughEveryLayer) {
  ToolRun run = RunTool({"demo", "--examples", Runfile("examples")});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  // The first line names the examples folder, which depends on the machine.
  std::string body = run.out.substr(run.out.find('\n') + 1);
  ExpectGolden(body, "demo.txt");
}

TEST(DemoTest, FindsExamplesInRunfiles) {
  ToolRun run = RunTool({"demo"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("result: Deny (securityRules/DenySshInBound)"));
}

TEST(DemoTest, MissingExamplesFolderExitsTwo) {
  ToolRun run = RunTool({"demo", "--examples", "/nonexistent"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("/nonexistent does not contain azuredeploy.json"));
}

}  // namespace
}  // namespace portcullis::cli
