// Reads the prefixes of real Azure and Graph exports from the shared data
// folder: Azure service tag files (Microsoft's "Azure IP Ranges and Service
// Tags" download) and a Graph named-location list.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "gtest/gtest.h"
#include "json/json.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "net/prefix_set.h"
#include "tests/net/test_values.h"
#include "tests/testing/shared_data.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::net {
namespace {

using ::portcullis::net::testing::LinearContains;
using ::testing::HasSubstr;

absl::StatusOr<google::protobuf::Value> ReadJson(const std::string& relative) {
  std::optional<std::string> dir = portcullis::testing::SharedDir();
  if (!dir) return absl::NotFoundError("no shared folder");
  absl::StatusOr<std::string> bytes =
      portcullis::testing::ReadFileToString(*dir + "/realdata/" + relative);
  if (!bytes.ok()) return bytes.status();
  return json::ParseJson(*bytes);
}

// A service tag and the prefix texts listed for it.
struct ServiceTag {
  std::string name;
  std::vector<std::string> prefixes;
};

std::vector<ServiceTag> ServiceTags(const google::protobuf::Value& root) {
  std::vector<ServiceTag> tags;
  const google::protobuf::Value* values =
      json::FindField(root.struct_value(), "values");
  if (values == nullptr) return tags;
  for (const google::protobuf::Value& value : values->list_value().values()) {
    ServiceTag tag;
    const google::protobuf::Value* name =
        json::FindField(value.struct_value(), "name");
    if (name != nullptr) tag.name = name->string_value();
    const google::protobuf::Value* properties =
        json::FindField(value.struct_value(), "properties");
    if (properties == nullptr) continue;
    const google::protobuf::Value* prefixes =
        json::FindField(properties->struct_value(), "addressPrefixes");
    if (prefixes == nullptr) continue;
    for (const google::protobuf::Value& prefix :
         prefixes->list_value().values()) {
      tag.prefixes.push_back(prefix.string_value());
    }
    tags.push_back(std::move(tag));
  }
  return tags;
}

IpAddress Neighbour(const IpAddress& address, bool next) {
  if (address.is_v4()) {
    return IpAddress::V4(next ? address.v4() + 1 : address.v4() - 1);
  }
  return IpAddress::V6(next ? address.v6() + 1 : address.v6() - 1);
}

class ServiceTagFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ServiceTagFileTest, EveryPrefixParsesStrictlyAndCanonically) {
  if (!portcullis::testing::SharedDir()) {
    GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  }
  ASSERT_OK_AND_ASSIGN(google::protobuf::Value root,
                       ReadJson("servicetags/" + GetParam()));
  std::vector<ServiceTag> tags = ServiceTags(root);
  ASSERT_GT(tags.size(), 100u);

  size_t count = 0;
  size_t v6_count = 0;
  for (const ServiceTag& tag : tags) {
    for (const std::string& text : tag.prefixes) {
      absl::StatusOr<IpPrefix> prefix = IpPrefix::ParseStrict(text);
      ASSERT_TRUE(prefix.ok()) << tag.name << ": " << prefix.status();
      EXPECT_EQ(prefix->ToString(), text) << tag.name;
      ++count;
      if (prefix->is_v6()) ++v6_count;
    }
  }
  EXPECT_GT(count, 1000u);
  RecordProperty("prefixes", static_cast<int>(count));
  RecordProperty("ipv6_prefixes", static_cast<int>(v6_count));
}

TEST_P(ServiceTagFileTest, PrefixSetMatchesLinearScanPerTag) {
  if (!portcullis::testing::SharedDir()) {
    GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  }
  ASSERT_OK_AND_ASSIGN(google::protobuf::Value root,
                       ReadJson("servicetags/" + GetParam()));
  std::mt19937_64 random(1);

  for (const ServiceTag& tag : ServiceTags(root)) {
    std::vector<IpPrefix> prefixes;
    for (const std::string& text : tag.prefixes) {
      ASSERT_OK_AND_ASSIGN(IpPrefix prefix, IpPrefix::ParseStrict(text));
      prefixes.push_back(prefix);
    }
    PrefixSet set = PrefixSet::FromPrefixes(prefixes);
    ASSERT_EQ(PrefixSet::FromPrefixes(set.prefixes()), set) << tag.name;
    ASSERT_LE(set.prefixes().size(), prefixes.size()) << tag.name;

    // Probe the bounds of at most 64 prefixes per tag, so that the
    // quadratic linear scan stays fast on tags with thousands of prefixes.
    for (int probe = 0; probe < 64 && !prefixes.empty(); ++probe) {
      const IpPrefix& prefix = prefixes[random() % prefixes.size()];
      for (IpAddress address :
           {prefix.first(), prefix.last(), Neighbour(prefix.first(), false),
            Neighbour(prefix.last(), true)}) {
        ASSERT_EQ(set.Contains(address), LinearContains(prefixes, address))
            << tag.name << ": " << address;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Files, ServiceTagFileTest,
                         ::testing::Values("ServiceTags_Public_20190722.json",
                                           "ServiceTags_Public_20251028.json"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param.substr(19, 8);
                         });

// Graph's documented named-location list includes IPv6 ranges written with
// host bits set; Conditional Access matches them as their /48 networks.
TEST(NamedLocationFile, CidrAddressesParseLeniently) {
  if (!portcullis::testing::SharedDir()) {
    GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  }
  ASSERT_OK_AND_ASSIGN(
      google::protobuf::Value root,
      ReadJson("ca/graph-v1.0-namedLocations-list-example1.response.json"));

  std::vector<std::string> lenient;
  std::vector<std::string> strict_errors;
  const google::protobuf::Value* values =
      json::FindField(root.struct_value(), "value");
  ASSERT_NE(values, nullptr);
  for (const google::protobuf::Value& location :
       values->list_value().values()) {
    const google::protobuf::Value* ranges =
        json::FindField(location.struct_value(), "ipRanges");
    if (ranges == nullptr) continue;
    for (const google::protobuf::Value& range : ranges->list_value().values()) {
      const google::protobuf::Value* cidr =
          json::FindField(range.struct_value(), "cidrAddress");
      ASSERT_NE(cidr, nullptr);
      ASSERT_OK_AND_ASSIGN(IpPrefix prefix,
                           IpPrefix::ParseLenient(cidr->string_value()));
      lenient.push_back(prefix.ToString());
      absl::StatusOr<IpPrefix> strict =
          IpPrefix::ParseStrict(cidr->string_value());
      if (!strict.ok()) strict_errors.push_back(strict.status().ToString());
    }
  }

  EXPECT_THAT(lenient, ::testing::ElementsAre("6.5.4.3/32", "127.126.125.0/24",
                                              "2001:4898:80e8::/48",
                                              "2001:4898:80d8::/48"));
  ASSERT_EQ(strict_errors.size(), 2u);
  EXPECT_THAT(strict_errors[0],
              HasSubstr("invalid IP prefix "
                        "\"2001:4898:80e8:7:d92a:7695:fda1:9d62/48\": host "
                        "bits are set; expected the network address "
                        "2001:4898:80e8::/48"));
}

}  // namespace
}  // namespace portcullis::net
