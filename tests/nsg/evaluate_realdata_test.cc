// Evaluates flows against every NSG file of the shared real-data folder.
// Each expected verdict was worked out by reading the file's rules.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/ip_prefix.h"
#include "nsg/evaluate.h"
#include "nsg/evaluate_rules.h"
#include "nsg/import.h"
#include "nsg/service_tags.h"
#include "tests/nsg/evaluate_test_util.h"
#include "tests/testing/shared_data.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::nsg {
namespace {

using ::portcullis::nsg::testing::MakeFlow;

constexpr char kBastion[] = "qs-azure-bastion-nsg.azuredeploy.json";
constexpr char kSecurityGroupCreate[] =
    "qs-security-group-create.azuredeploy.json";
constexpr char kEffectiveList[] =
    "specs-2022-01-01-NetworkInterfaceEffectiveNSGList.json";
constexpr char kCreateWithRule[] =
    "specs-2024-05-01-NetworkSecurityGroupCreateWithRule.json";
constexpr char kRuleCreate[] = "specs-2024-05-01-NetworkSecurityGroupRuleCreate.json";

// How one file is imported and what its tags mean.
struct FileSetup {
  std::string file;
  // ARM parameters for templates whose parameters have no default.
  std::optional<std::string> parameters_json;
  // The template's VNet address space, or none for REST examples.
  std::vector<std::string> vnet;
  bool needs_service_tags = false;
};

FileSetup SetupFor(const std::string& file) {
  if (file == kBastion) {
    // `bastion-host-name` has no default; the VNet is `vnet-ip-prefix`'s
    // default.
    return {file,
            R"({"parameters": {"bastion-host-name": {"value": "bastion1"}}})",
            {"10.1.0.0/16"},
            true};
  }
  if (file == kSecurityGroupCreate) return {file, std::nullopt, {"10.0.0.0/16"}};
  return {file, std::nullopt, {}};
}

struct RealCase {
  std::string name;
  std::string file;
  Flow flow;
  Access access;
  std::string rule;
};

Flow In(Protocol protocol, const std::string& local, uint32_t local_port,
        const std::string& remote, uint32_t remote_port) {
  return MakeFlow(DIRECTION_INBOUND, protocol, local, local_port, remote,
                  remote_port);
}

Flow Out(Protocol protocol, const std::string& local, uint32_t local_port,
         const std::string& remote, uint32_t remote_port) {
  return MakeFlow(DIRECTION_OUTBOUND, protocol, local, local_port, remote,
                  remote_port);
}

class RealDataTest : public ::testing::TestWithParam<RealCase> {
 protected:
  void SetUp() override {
    dir_ = portcullis::testing::SharedDir();
    if (!dir_) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  }

  std::optional<std::string> dir_;
};

TEST_P(RealDataTest, DecidesAsWorkedOut) {
  const RealCase& c = GetParam();
  FileSetup setup = SetupFor(c.file);

  ASSERT_OK_AND_ASSIGN(
      std::string bytes,
      portcullis::testing::ReadFileToString(
          absl::StrCat(*dir_, "/realdata/nsg/", setup.file)));
  ImportOptions options;
  options.parameters_json = setup.parameters_json;
  ASSERT_OK_AND_ASSIGN(ImportResult imported, ImportNsgs(bytes, options));
  ASSERT_TRUE(imported.ok()) << imported.ToStatus();
  ASSERT_FALSE(imported.nsgs.empty());

  ServiceTags tags;
  if (setup.needs_service_tags) {
    // Loading the 4 MB download once keeps the suite fast.
    static const absl::StatusOr<ServiceTags>* const kDownload = [&] {
      absl::StatusOr<std::string> tag_bytes =
          portcullis::testing::ReadFileToString(absl::StrCat(
              *dir_, "/realdata/servicetags/ServiceTags_Public_20251028.json"));
      if (!tag_bytes.ok()) {
        return new absl::StatusOr<ServiceTags>(tag_bytes.status());
      }
      return new absl::StatusOr<ServiceTags>(ServiceTags::Load(*tag_bytes));
    }();
    ASSERT_TRUE(kDownload->ok()) << kDownload->status();
    tags = **kDownload;
  }
  AddressContext context;
  for (const std::string& prefix : setup.vnet) {
    ASSERT_OK_AND_ASSIGN(net::IpPrefix parsed,
                         net::IpPrefix::ParseStrict(prefix));
    context.virtual_network.push_back(parsed);
  }
  ASSERT_OK_AND_ASSIGN(AddressResolver resolver,
                       AddressResolver::Create(tags, context));
  ASSERT_OK_AND_ASSIGN(ResolvedFlow flow, ResolvedFlow::FromProto(c.flow));

  // A document may list the same NSG more than once (a request and its
  // responses); every copy must decide alike.
  for (const NetworkSecurityGroup& group : imported.nsgs) {
    ASSERT_OK_AND_ASSIGN(ResolvedNsg nsg, ResolveNsg(group, resolver));
    ASSERT_OK_AND_ASSIGN(Verdict verdict,
                         EvaluateFlow({&nsg, nullptr}, flow));
    EXPECT_EQ(verdict.access(), c.access) << group.json_path();
    EXPECT_EQ(verdict.rule(), c.rule) << group.json_path();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Files, RealDataTest,
    ::testing::Values(
        // Azure Bastion quickstart: HTTPS from the Internet, Bastion's own
        // ports inside the VNet, and a user rule named DenyAllInBound.
        RealCase{"BastionHttpsFromInternet", kBastion,
                 In(PROTOCOL_TCP, "10.1.1.4", 443, "203.0.113.7", 40000),
                 ACCESS_ALLOW, "securityRules/AllowHttpsInBound"},
        RealCase{"BastionSshFromInternet", kBastion,
                 In(PROTOCOL_TCP, "10.1.1.4", 22, "203.0.113.7", 40000),
                 ACCESS_DENY, "securityRules/DenyAllInBound"},
        RealCase{"BastionHostCommunication", kBastion,
                 In(PROTOCOL_UDP, "10.1.1.4", 5701, "10.1.2.5", 40000),
                 ACCESS_ALLOW,
                 "securityRules/AllowBastionHostCommunicationInBound"},
        // 168.63.129.16 is in VirtualNetwork, so not in Internet: the
        // load balancer rule, not the Internet one, admits probes.
        RealCase{"BastionLoadBalancerProbe", kBastion,
                 In(PROTOCOL_TCP, "10.1.1.4", 443, "168.63.129.16", 40000),
                 ACCESS_ALLOW, "securityRules/AllowLoadBalancerInBound"},
        RealCase{"BastionRdpToVnet", kBastion,
                 Out(PROTOCOL_TCP, "10.1.1.4", 40000, "10.1.2.5", 3389),
                 ACCESS_ALLOW, "securityRules/AllowSshRdpOutBound"},
        // 4.144.0.0/17 is in AzureCloud in the 2025-10-28 download.
        RealCase{"BastionToAzureCloud", kBastion,
                 Out(PROTOCOL_TCP, "10.1.1.4", 40000, "4.144.0.10", 443),
                 ACCESS_ALLOW,
                 "securityRules/AllowAzureCloudCommunicationOutBound"},
        RealCase{"BastionSessionInformation", kBastion,
                 Out(PROTOCOL_TCP, "10.1.1.4", 40000, "203.0.113.9", 443),
                 ACCESS_ALLOW,
                 "securityRules/AllowGetSessionInformationOutBound"},
        RealCase{"BastionOtherOutbound", kBastion,
                 Out(PROTOCOL_UDP, "10.1.1.4", 40000, "203.0.113.9", 53),
                 ACCESS_DENY, "securityRules/DenyAllOutBound"},
        RealCase{"BastionPlatformDns", kBastion,
                 Out(PROTOCOL_UDP, "10.1.1.4", 40000, "168.63.129.16", 53),
                 ACCESS_ALLOW, "platformExemption"},

        // security-group-create: Tcp from source ports 23-45 to 46-56.
        RealCase{"CreateInsideBothRanges", kSecurityGroupCreate,
                 In(PROTOCOL_TCP, "10.0.0.4", 50, "203.0.113.7", 30),
                 ACCESS_ALLOW, "securityRules/first_rule"},
        RealCase{"CreateRangeEdges", kSecurityGroupCreate,
                 In(PROTOCOL_TCP, "10.0.0.4", 56, "203.0.113.7", 23),
                 ACCESS_ALLOW, "securityRules/first_rule"},
        RealCase{"CreateSourcePortPastRange", kSecurityGroupCreate,
                 In(PROTOCOL_TCP, "10.0.0.4", 50, "203.0.113.7", 46),
                 ACCESS_DENY, "defaultSecurityRules/DenyAllInBound"},
        RealCase{"CreateDestinationPortPastRange", kSecurityGroupCreate,
                 In(PROTOCOL_TCP, "10.0.0.4", 57, "203.0.113.7", 45),
                 ACCESS_DENY, "defaultSecurityRules/DenyAllInBound"},
        RealCase{"CreateUdpNotMatched", kSecurityGroupCreate,
                 In(PROTOCOL_UDP, "10.0.0.4", 50, "203.0.113.7", 30),
                 ACCESS_DENY, "defaultSecurityRules/DenyAllInBound"},
        RealCase{"CreateVnetPeer", kSecurityGroupCreate,
                 In(PROTOCOL_TCP, "10.0.0.4", 57, "10.0.1.9", 1000),
                 ACCESS_ALLOW, "defaultSecurityRules/AllowVnetInBound"},

        // The effective rules view: RDP from 1.1.1.1/32 and rule1 between
        // 0.0.0.0/32 addresses.
        RealCase{"EffectiveRdpFromAllowedHost", kEffectiveList,
                 In(PROTOCOL_TCP, "10.0.0.4", 3389, "1.1.1.1", 50000),
                 ACCESS_ALLOW, "securityRules/default-allow-rdp"},
        RealCase{"EffectiveRdpFromOtherHost", kEffectiveList,
                 In(PROTOCOL_TCP, "10.0.0.4", 3389, "1.1.1.2", 50000),
                 ACCESS_DENY, "defaultSecurityRules/DenyAllInBound"},
        RealCase{"EffectiveRdpOverUdp", kEffectiveList,
                 In(PROTOCOL_UDP, "10.0.0.4", 3389, "1.1.1.1", 50000),
                 ACCESS_DENY, "defaultSecurityRules/DenyAllInBound"},
        RealCase{"EffectiveRule1", kEffectiveList,
                 In(PROTOCOL_TCP, "0.0.0.0", 6579, "0.0.0.0", 456),
                 ACCESS_ALLOW, "securityRules/rule1"},
        RealCase{"EffectiveInternetOutbound", kEffectiveList,
                 Out(PROTOCOL_TCP, "10.0.0.4", 50000, "32.0.0.1", 443),
                 ACCESS_ALLOW, "defaultSecurityRules/AllowInternetOutBound"},

        // NetworkSecurityGroupCreateWithRule: any protocol to port 80.
        RealCase{"CreateWithRuleTcp80", kCreateWithRule,
                 In(PROTOCOL_TCP, "10.0.0.4", 80, "203.0.113.1", 40000),
                 ACCESS_ALLOW, "securityRules/rule1"},
        RealCase{"CreateWithRuleUdp80", kCreateWithRule,
                 In(PROTOCOL_UDP, "10.0.0.4", 80, "203.0.113.1", 40000),
                 ACCESS_ALLOW, "securityRules/rule1"},
        RealCase{"CreateWithRulePort81", kCreateWithRule,
                 In(PROTOCOL_TCP, "10.0.0.4", 81, "203.0.113.1", 40000),
                 ACCESS_DENY, "defaultSecurityRules/DenyAllInBound"},
        RealCase{"CreateWithRuleOutbound", kCreateWithRule,
                 Out(PROTOCOL_TCP, "10.0.0.4", 40000, "203.0.113.1", 443),
                 ACCESS_ALLOW, "defaultSecurityRules/AllowInternetOutBound"},

        // NetworkSecurityGroupRuleCreate: deny 10.0.0.0/8 -> 11.0.0.0/8
        // port 8080 outbound.
        RealCase{"RuleCreateDenied", kRuleCreate,
                 Out(PROTOCOL_TCP, "10.0.0.4", 50000, "11.1.2.3", 8080),
                 ACCESS_DENY, "securityRules/rule1"},
        RealCase{"RuleCreateOtherPort", kRuleCreate,
                 Out(PROTOCOL_TCP, "10.0.0.4", 50000, "11.1.2.3", 8081),
                 ACCESS_ALLOW, "defaultSecurityRules/AllowInternetOutBound"},
        RealCase{"RuleCreateOtherSource", kRuleCreate,
                 Out(PROTOCOL_TCP, "192.0.2.10", 50000, "11.1.2.3", 8080),
                 ACCESS_ALLOW, "defaultSecurityRules/AllowInternetOutBound"},
        RealCase{"RuleCreateInboundUnaffected", kRuleCreate,
                 In(PROTOCOL_TCP, "10.0.0.4", 50000, "11.1.2.3", 8080),
                 ACCESS_DENY, "defaultSecurityRules/DenyAllInBound"}),
    [](const ::testing::TestParamInfo<RealCase>& info) {
      return info.param.name;
    });

TEST(RealDataCoverageTest, EveryFileHasCases) {
  std::optional<std::string> dir = portcullis::testing::SharedDir();
  if (!dir) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  const std::vector<std::string> covered = {
      kBastion, kSecurityGroupCreate, kEffectiveList, kCreateWithRule,
      kRuleCreate};
  for (const std::string& file :
       portcullis::testing::ListFiles(*dir + "/realdata/nsg", ".json")) {
    EXPECT_THAT(covered, ::testing::Contains(file))
        << file << " has no worked-out flows";
  }
}

}  // namespace
}  // namespace portcullis::nsg
