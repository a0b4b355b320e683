#include "nsg/service_tags.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "nsg/model.h"
#include "tests/testing/shared_data.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::nsg {
namespace {

using ::portcullis::testing::IsOk;
using ::portcullis::testing::StatusIs;
using ::testing::HasSubstr;

net::IpAddress Address(absl::string_view text) {
  absl::StatusOr<net::IpAddress> address = net::IpAddress::Parse(text);
  EXPECT_THAT(address, IsOk()) << text;
  return address.ok() ? *address : net::IpAddress();
}

net::IpPrefix Prefix(absl::string_view text) {
  absl::StatusOr<net::IpPrefix> prefix = net::IpPrefix::ParseStrict(text);
  EXPECT_THAT(prefix, IsOk()) << text;
  return prefix.ok() ? *prefix : net::IpPrefix();
}

constexpr char kSmallDownload[] = R"({
  "changeNumber": 7, "cloud": "Public",
  "values": [
    {"name": "Storage", "id": "Storage", "properties": {"changeNumber": 3,
      "region": "", "platform": "Azure", "systemService": "AzureStorage",
      "addressPrefixes": ["192.0.2.0/25", "2001:db8:1::/48"]}},
    {"name": "Storage.WestUS", "id": "Storage.WestUS", "properties": {
      "region": "westus", "addressPrefixes": ["192.0.2.0/26"]}}
  ]})";

AddressResolver MakeResolver(std::vector<net::IpPrefix> virtual_network) {
  absl::StatusOr<ServiceTags> tags = ServiceTags::Load(kSmallDownload);
  EXPECT_THAT(tags, IsOk());
  AddressContext context;
  context.virtual_network = std::move(virtual_network);
  context.application_security_groups["/subscriptions/s/resourceGroups/rg/"
                                      "providers/Microsoft.Network/"
                                      "applicationSecurityGroups/Web"] = {
      Address("10.0.1.4"), Address("10.0.1.5")};
  absl::StatusOr<AddressResolver> resolver =
      AddressResolver::Create(tags.ok() ? *tags : ServiceTags(), context);
  EXPECT_THAT(resolver, IsOk());
  return *std::move(resolver);
}

TEST(ServiceTagsTest, LoadsDownloadFormat) {
  ASSERT_OK_AND_ASSIGN(ServiceTags tags, ServiceTags::Load(kSmallDownload));

  EXPECT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags.change_number(), 7);
  EXPECT_EQ(tags.cloud(), "Public");
  const net::PrefixSet* storage = tags.Find("storage");
  ASSERT_NE(storage, nullptr);
  EXPECT_TRUE(storage->Contains(Address("192.0.2.100")));
  EXPECT_TRUE(storage->Contains(Address("2001:db8:1::9")));
  EXPECT_FALSE(storage->Contains(Address("192.0.2.200")));
  const net::PrefixSet* regional = tags.Find("STORAGE.westus");
  ASSERT_NE(regional, nullptr);
  EXPECT_FALSE(regional->Contains(Address("192.0.2.100")));
  EXPECT_EQ(tags.Find("Sql"), nullptr);
}

struct BadDownloadCase {
  std::string name;
  std::string json;
  std::string error;
};

class BadDownloadTest : public ::testing::TestWithParam<BadDownloadCase> {};

TEST_P(BadDownloadTest, RejectsWithPath) {
  EXPECT_THAT(ServiceTags::Load(GetParam().json),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().error)));
}

INSTANTIATE_TEST_SUITE_P(
    Downloads, BadDownloadTest,
    ::testing::ValuesIn(std::vector<BadDownloadCase>{
        {"NoValues", R"({"changeNumber": 1})", "values: missing"},
        {"HostBits",
         R"({"values": [{"name": "A", "properties": {"addressPrefixes": ["192.0.2.1/24"]}}]})",
         "values[0].properties.addressPrefixes[0]: invalid value "
         "\"192.0.2.1/24\""},
        {"BuiltInName",
         R"({"values": [{"name": "internet", "properties": {"addressPrefixes": []}}]})",
         "values[0].name: invalid value \"internet\""},
        {"DuplicateName",
         R"({"values": [{"name": "A", "properties": {"addressPrefixes": []}},
                        {"name": "a", "properties": {"addressPrefixes": []}}]})",
         "values[1].name"},
        {"NotAnArray", R"({"values": {}})", "values: invalid value {}"},
    }),
    [](const ::testing::TestParamInfo<BadDownloadCase>& info) {
      return info.param.name;
    });

struct EntryCase {
  std::string entry;
  std::string address;
  bool contained;
};

class ResolveEntryTest : public ::testing::TestWithParam<EntryCase> {};

TEST_P(ResolveEntryTest, ResolvesToAddressSet) {
  AddressResolver resolver = MakeResolver({Prefix("10.0.0.0/16")});

  ASSERT_OK_AND_ASSIGN(net::PrefixSet set,
                       resolver.ResolveEntry(GetParam().entry));

  EXPECT_EQ(set.Contains(Address(GetParam().address)), GetParam().contained)
      << GetParam().entry << " / " << GetParam().address;
}

INSTANTIATE_TEST_SUITE_P(
    Entries, ResolveEntryTest,
    ::testing::Values(
        EntryCase{"*", "198.51.100.1", true},
        EntryCase{"*", "2001:db8::1", true},
        EntryCase{"VirtualNetwork", "10.0.200.1", true},
        EntryCase{"virtualnetwork", "10.0.200.1", true},
        EntryCase{"VirtualNetwork", "10.1.0.1", false},
        // The host address is always part of VirtualNetwork, which is why a
        // deny on VirtualNetwork also blocks load balancer probes.
        EntryCase{"VirtualNetwork", "168.63.129.16", true},
        EntryCase{"AzureLoadBalancer", "168.63.129.16", true},
        EntryCase{"AzureLoadBalancer", "168.63.129.17", false},
        EntryCase{"Internet", "198.51.100.1", true},
        EntryCase{"INTERNET", "2001:db8::1", true},
        EntryCase{"Internet", "10.0.0.4", false},
        EntryCase{"Internet", "0.0.0.1", false},
        EntryCase{"::ffff:203.0.113.0/120", "203.0.113.50", true},
        EntryCase{"::ffff:203.0.113.0/120", "203.0.114.1", false},
        EntryCase{"::ffff:0:0/96", "198.51.100.1", true},
        EntryCase{"::ffff:c633:6401", "198.51.100.1", true},
        EntryCase{"Internet", "1.0.0.1", true},
        EntryCase{"Internet", "10.200.0.4", false},
        EntryCase{"Internet", "172.16.0.1", false},
        EntryCase{"Internet", "172.32.0.1", true},
        EntryCase{"Internet", "192.168.1.1", false},
        EntryCase{"Internet", "100.64.0.1", false},
        EntryCase{"Internet", "127.0.0.1", false},
        EntryCase{"Internet", "169.254.169.254", false},
        EntryCase{"Internet", "224.0.0.1", false},
        EntryCase{"Internet", "168.63.129.16", false},
        EntryCase{"Internet", "fd00::1", false},
        EntryCase{"Internet", "fe80::1", false},
        EntryCase{"Internet", "ff02::1", false},
        EntryCase{"Internet", "::1", false},
        EntryCase{"AzurePlatformDNS", "168.63.129.16", true},
        EntryCase{"AzurePlatformIMDS", "169.254.169.254", true},
        EntryCase{"Storage", "192.0.2.1", true},
        EntryCase{"storage.WESTUS", "192.0.2.1", true},
        EntryCase{"Storage.WestUS", "192.0.2.100", false},
        EntryCase{"192.0.2.7", "192.0.2.7", true},
        EntryCase{"192.0.2.7", "192.0.2.8", false},
        EntryCase{"203.0.113.0/24", "203.0.113.255", true},
        EntryCase{"0.0.0.0/0", "2001:db8::1", false},
        EntryCase{"2001:db8::/32", "2001:db8:ffff::1", true}));

TEST(AddressResolverTest, ForcedTunnellingMakesVirtualNetworkEverything) {
  // A user-defined route of 0.0.0.0/0 to an appliance puts 0.0.0.0/0 into
  // VirtualNetwork, and Internet loses every IPv4 address.
  AddressResolver resolver =
      MakeResolver({Prefix("10.0.0.0/16"), Prefix("0.0.0.0/0")});

  EXPECT_TRUE(resolver.virtual_network().Contains(Address("198.51.100.1")));
  EXPECT_FALSE(resolver.internet().Contains(Address("198.51.100.1")));
  EXPECT_TRUE(resolver.internet().Contains(Address("2001:db8::1")));
}

TEST(AddressResolverTest, WithoutVnetPrefixesOnlyHostAddress) {
  AddressResolver resolver = MakeResolver({});

  EXPECT_EQ(resolver.virtual_network().ToString(), "168.63.129.16/32");
  EXPECT_TRUE(resolver.internet().Contains(Address("198.51.100.1")));
}

TEST(AddressResolverTest, UnknownTagAndBadPrefix) {
  AddressResolver resolver = MakeResolver({});

  EXPECT_THAT(resolver.ResolveEntry("AzureCloud"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("unknown service tag \"AzureCloud\"")));
  EXPECT_THAT(resolver.ResolveEntry("192.0.2.1/24"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid address prefix \"192.0.2.1/24\"")));
}

TEST(AddressResolverTest, ResolvesRuleSidesWithGroups) {
  AddressResolver resolver = MakeResolver({Prefix("10.0.0.0/16")});
  SecurityRule rule;
  rule.set_name("web-in");
  rule.add_source_address_prefixes("192.0.2.0/26");
  rule.add_source_address_prefixes("198.51.100.0/24");
  rule.add_destination_application_security_groups(
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/"
      "applicationSecurityGroups/WEB");

  ASSERT_OK_AND_ASSIGN(net::PrefixSet sources,
                       resolver.ResolveSide(rule, Side::kSource));
  EXPECT_EQ(sources.ToString(), "192.0.2.0/26, 198.51.100.0/24");
  ASSERT_OK_AND_ASSIGN(net::PrefixSet destinations,
                       resolver.ResolveSide(rule, Side::kDestination));
  EXPECT_EQ(destinations.ToString(), "10.0.1.4/31");

  rule.add_destination_application_security_groups("/asg/missing");
  EXPECT_THAT(resolver.ResolveSide(rule, Side::kDestination),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("rule \"web-in\": destination: unknown "
                                 "application security group \"/asg/missing\"")));
}

TEST(AddressResolverTest, RejectsGroupGivenTwice) {
  AddressContext context;
  context.application_security_groups["/asg/A"] = {};
  context.application_security_groups["/asg/a"] = {};
  EXPECT_THAT(AddressResolver::Create(ServiceTags(), context),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("is given twice")));
}

// ---- Real downloads ---------------------------------------------------------

class RealServiceTagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> dir = ::portcullis::testing::SharedDir();
    if (!dir) GTEST_SKIP() << ::portcullis::testing::kNoSharedDirMessage;
    dir_ = *dir + "/realdata/servicetags/";
  }

  ServiceTags Load(absl::string_view name) {
    absl::StatusOr<std::string> bytes =
        ::portcullis::testing::ReadFileToString(absl::StrCat(dir_, name));
    EXPECT_THAT(bytes, IsOk());
    absl::StatusOr<ServiceTags> tags =
        ServiceTags::Load(bytes.ok() ? *bytes : "");
    EXPECT_THAT(tags, IsOk());
    return tags.ok() ? *tags : ServiceTags();
  }

  std::string dir_;
};

TEST_F(RealServiceTagsTest, Download2025) {
  ServiceTags tags = Load("ServiceTags_Public_20251028.json");

  EXPECT_EQ(tags.size(), 3039u);
  EXPECT_EQ(tags.change_number(), 375);
  EXPECT_EQ(tags.cloud(), "Public");
  const net::PrefixSet* regional = tags.Find("storage.westus");
  ASSERT_NE(regional, nullptr);
  // Listed first for Storage.WestUS in that file.
  EXPECT_TRUE(regional->Contains(Address("13.83.72.20")));
  const net::PrefixSet* storage = tags.Find("Storage");
  ASSERT_NE(storage, nullptr);
  EXPECT_TRUE(storage->Contains(Address("13.83.72.20")));
  const net::PrefixSet* gateway = tags.Find("GatewayManager");
  ASSERT_NE(gateway, nullptr);
  EXPECT_TRUE(gateway->Contains(Address("4.199.82.200")));
  EXPECT_FALSE(gateway->Contains(Address("10.0.0.1")));
  EXPECT_EQ(tags.Find("AzureLoadBalancer"), nullptr);
}

TEST_F(RealServiceTagsTest, Download2019) {
  ServiceTags tags = Load("ServiceTags_Public_20190722.json");

  EXPECT_EQ(tags.size(), 756u);
  EXPECT_EQ(tags.change_number(), 82);
  const net::PrefixSet* cloud = tags.Find("AzureCloud");
  ASSERT_NE(cloud, nullptr);
  EXPECT_TRUE(cloud->Contains(Address("13.64.0.1")));
}

TEST_F(RealServiceTagsTest, ResolverUsesDownloadedTags) {
  ASSERT_OK_AND_ASSIGN(
      AddressResolver resolver,
      AddressResolver::Create(Load("ServiceTags_Public_20251028.json"), {}));

  ASSERT_OK_AND_ASSIGN(net::PrefixSet gateway,
                       resolver.ResolveEntry("gatewaymanager"));
  EXPECT_TRUE(gateway.Contains(Address("4.232.24.70")));
}

}  // namespace
}  // namespace portcullis::nsg
