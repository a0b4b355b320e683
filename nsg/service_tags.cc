#include "nsg/service_tags.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "json/json.h"
#include "net/mapped_prefix.h"

namespace portcullis::nsg {
namespace {

using google::protobuf::Value;

constexpr absl::string_view kVirtualNetwork = "VirtualNetwork";
constexpr absl::string_view kAzureLoadBalancer = "AzureLoadBalancer";
constexpr absl::string_view kInternet = "Internet";
// Tags for single platform addresses that the download does not list. Azure
// documents AzurePlatformDNS as the DNS service at 168.63.129.16 and
// AzurePlatformIMDS as the instance metadata service at 169.254.169.254.
constexpr absl::string_view kPlatformDns = "AzurePlatformDNS";
constexpr absl::string_view kPlatformImds = "AzurePlatformIMDS";

net::IpPrefix MustParse(absl::string_view text) {
  // Only called on the literals of this file, which all parse.
  absl::StatusOr<net::IpPrefix> prefix = net::IpPrefix::ParseStrict(text);
  return prefix.ok() ? *prefix : net::IpPrefix();
}

net::PrefixSet SingleAddress(net::IpAddress address) {
  return net::PrefixSet::FromPrefixes(
      {net::IpPrefix::Masked(address, address.bit_length())});
}

bool IsBuiltInName(absl::string_view name) {
  return name == "*" || absl::EqualsIgnoreCase(name, kVirtualNetwork) ||
         absl::EqualsIgnoreCase(name, kAzureLoadBalancer) ||
         absl::EqualsIgnoreCase(name, kInternet) ||
         absl::EqualsIgnoreCase(name, kPlatformDns) ||
         absl::EqualsIgnoreCase(name, kPlatformImds);
}

// An address or prefix rather than a tag: starts with a digit or contains ':'
// or '/'.
bool LooksLikeAddress(absl::string_view entry) {
  return !entry.empty() &&
         (absl::ascii_isdigit(static_cast<unsigned char>(entry.front())) ||
          absl::StrContains(entry, ':') || absl::StrContains(entry, '/'));
}

absl::StatusOr<net::PrefixSet> LoadPrefixes(const Value& list,
                                            const json::Path& path) {
  absl::StatusOr<const google::protobuf::ListValue*> items =
      json::GetArray(list, path);
  if (!items.ok()) return items.status();

  std::vector<net::IpPrefix> prefixes;
  prefixes.reserve((*items)->values_size());
  for (int i = 0; i < (*items)->values_size(); ++i) {
    json::Path item_path = path.Index(i);
    absl::StatusOr<std::string> text =
        json::GetString((*items)->values(i), item_path);
    if (!text.ok()) return text.status();
    absl::StatusOr<net::IpPrefix> prefix = net::IpPrefix::ParseStrict(*text);
    if (!prefix.ok()) {
      return json::InvalidField(item_path, (*items)->values(i),
                                "a CIDR prefix without host bits");
    }
    prefixes.push_back(*prefix);
  }
  return net::PrefixSet::FromPrefixes(std::move(prefixes));
}

}  // namespace

net::IpAddress AzureHostAddress() { return net::IpAddress::V4(0xA83F8110); }

const net::PrefixSet& NonInternetSpace() {
  static const net::PrefixSet* const kSpace =
      new net::PrefixSet(net::PrefixSet::FromPrefixes({
          // RFC 1122 "this network"; the Internet expansion Azure prints
          // in effective rules starts at 1.0.0.0/8.
          MustParse("0.0.0.0/8"),
          MustParse("10.0.0.0/8"),      // RFC 1918 private use
          MustParse("172.16.0.0/12"),   // RFC 1918
          MustParse("192.168.0.0/16"),  // RFC 1918
          MustParse("100.64.0.0/10"),   // RFC 6598 shared address space
          MustParse("127.0.0.0/8"),     // loopback
          MustParse("169.254.0.0/16"),  // link-local
          MustParse("224.0.0.0/4"),     // multicast
          MustParse("::1/128"),         // loopback
          MustParse("fc00::/7"),        // RFC 4193 unique local
          MustParse("fe80::/10"),       // link-local
          MustParse("ff00::/8"),        // multicast
      }));
  return *kSpace;
}

ServiceTags::ServiceTags() : tags_(std::make_shared<const TagMap>()) {}

absl::StatusOr<ServiceTags> ServiceTags::Load(absl::string_view json_bytes) {
  absl::StatusOr<Value> root = json::ParseJson(json_bytes);
  if (!root.ok()) return root.status();
  absl::StatusOr<const google::protobuf::Struct*> object =
      json::GetObject(*root, json::Path());
  if (!object.ok()) return object.status();

  ServiceTags tags;
  const Value* change = json::FindField(**object, "changeNumber");
  if (!json::IsNullOrAbsent(change)) {
    absl::StatusOr<int64_t> number = json::GetInteger(
        *change, json::Path("changeNumber"), 0, int64_t{1} << 53);
    if (!number.ok()) return number.status();
    tags.change_number_ = *number;
  }
  const Value* cloud = json::FindField(**object, "cloud");
  if (!json::IsNullOrAbsent(cloud)) {
    absl::StatusOr<std::string> text =
        json::GetString(*cloud, json::Path("cloud"));
    if (!text.ok()) return text.status();
    tags.cloud_ = *std::move(text);
  }

  const Value* values = json::FindField(**object, "values");
  json::Path values_path("values");
  if (values == nullptr) {
    return json::MissingField(values_path,
                              "the array of service tags of a "
                              "ServiceTags_Public download");
  }
  absl::StatusOr<const google::protobuf::ListValue*> entries =
      json::GetArray(*values, values_path);
  if (!entries.ok()) return entries.status();

  auto map = std::make_shared<TagMap>();
  for (int i = 0; i < (*entries)->values_size(); ++i) {
    json::Path entry_path = values_path.Index(i);
    absl::StatusOr<const google::protobuf::Struct*> entry =
        json::GetObject((*entries)->values(i), entry_path);
    if (!entry.ok()) return entry.status();

    const Value* name = json::FindField(**entry, "name");
    if (name == nullptr) {
      return json::MissingField(entry_path.Field("name"), "a tag name");
    }
    absl::StatusOr<std::string> name_text =
        json::GetString(*name, entry_path.Field("name"));
    if (!name_text.ok()) return name_text.status();
    if (name_text->empty() || IsBuiltInName(*name_text)) {
      return json::InvalidField(entry_path.Field("name"), *name,
                                "a downloadable tag name, not empty and not "
                                "one of the built-in tags");
    }

    const Value* properties = json::FindField(**entry, "properties");
    json::Path properties_path = entry_path.Field("properties");
    if (properties == nullptr) {
      return json::MissingField(properties_path, "an object");
    }
    absl::StatusOr<const google::protobuf::Struct*> properties_object =
        json::GetObject(*properties, properties_path);
    if (!properties_object.ok()) return properties_object.status();
    const Value* prefixes =
        json::FindField(**properties_object, "addressPrefixes");
    if (prefixes == nullptr) {
      return json::MissingField(properties_path.Field("addressPrefixes"),
                                "an array of CIDR prefixes");
    }
    absl::StatusOr<net::PrefixSet> set =
        LoadPrefixes(*prefixes, properties_path.Field("addressPrefixes"));
    if (!set.ok()) return set.status();

    auto [it, inserted] =
        map->emplace(absl::AsciiStrToLower(*name_text), *std::move(set));
    if (!inserted) {
      return json::InvalidField(entry_path.Field("name"), *name,
                                "a tag name that appears once");
    }
  }
  tags.tags_ = std::move(map);
  return tags;
}

const net::PrefixSet* ServiceTags::Find(absl::string_view name) const {
  auto it = tags_->find(absl::AsciiStrToLower(name));
  return it == tags_->end() ? nullptr : &it->second;
}

size_t ServiceTags::size() const { return tags_->size(); }

absl::StatusOr<AddressResolver> AddressResolver::Create(
    ServiceTags tags, AddressContext context) {
  AddressResolver resolver;
  resolver.tags_ = std::move(tags);

  net::PrefixSet host = SingleAddress(AzureHostAddress());
  resolver.azure_load_balancer_ = host;
  resolver.virtual_network_ = net::PrefixSet::Union(
      net::PrefixSet::FromPrefixes(std::move(context.virtual_network)), host);
  resolver.any_ = net::PrefixSet::FromPrefixes(
      {net::IpPrefix::AnyV4(), net::IpPrefix::AnyV6()});
  resolver.internet_ = resolver.any_.Minus(NonInternetSpace())
                           .Minus(resolver.virtual_network_);

  for (auto& [id, addresses] : context.application_security_groups) {
    std::vector<net::IpPrefix> members;
    members.reserve(addresses.size());
    for (const net::IpAddress& address : addresses) {
      members.push_back(net::IpPrefix::Masked(address, address.bit_length()));
    }
    auto [it, inserted] = resolver.groups_.emplace(
        ResourceIdKey(id),
        net::PrefixSet::FromPrefixes(std::move(members)));
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(
          "application security group ", QuoteForMessage(id),
          " is given twice (ids are compared without regard to case or trailing "
          "slashes)"));
    }
  }
  return resolver;
}

absl::StatusOr<net::PrefixSet> AddressResolver::ResolveEntry(
    absl::string_view entry) const {
  if (entry == "*") return any_;
  if (absl::EqualsIgnoreCase(entry, kVirtualNetwork)) return virtual_network_;
  if (absl::EqualsIgnoreCase(entry, kAzureLoadBalancer)) {
    return azure_load_balancer_;
  }
  if (absl::EqualsIgnoreCase(entry, kInternet)) return internet_;
  if (absl::EqualsIgnoreCase(entry, kPlatformDns)) {
    return SingleAddress(AzureHostAddress());
  }
  if (absl::EqualsIgnoreCase(entry, kPlatformImds)) {
    return SingleAddress(net::IpAddress::V4(0xA9FEA9FE));  // 169.254.169.254
  }

  if (LooksLikeAddress(entry)) {
    absl::StatusOr<net::IpPrefix> prefix = net::IpPrefix::ParseStrict(entry);
    if (!prefix.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid address prefix ", QuoteForMessage(entry),
                       ": ", prefix.status().message()));
    }
    // Flows to and from IPv4-mapped addresses are evaluated as IPv4, so a
    // prefix inside ::ffff:0:0/96 is read as the IPv4 prefix it maps.
    // Otherwise a deny rule written that way would match nothing.
    return net::PrefixSet::FromPrefixes({net::UnmapPrefix(*prefix)});
  }

  const net::PrefixSet* tag = tags_.Find(entry);
  if (tag == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "unknown service tag ", QuoteForMessage(entry),
        tags_.size() == 0
            ? "; load a ServiceTags_Public file that defines it"
            : "; the loaded ServiceTags_Public file does not define it"));
  }
  return *tag;
}

absl::StatusOr<net::PrefixSet> AddressResolver::ResolveApplicationSecurityGroup(
    absl::string_view id) const {
  auto it = groups_.find(ResourceIdKey(id));
  if (it == groups_.end()) {
    return absl::NotFoundError(
        absl::StrCat("unknown application security group ",
                     QuoteForMessage(id), "; give its members' addresses"));
  }
  return it->second;
}

absl::StatusOr<net::PrefixSet> AddressResolver::ResolveSide(
    const SecurityRule& rule, Side side) const {
  std::vector<std::string> entries = AddressEntries(rule, side);
  std::vector<std::string> groups = ApplicationSecurityGroups(rule, side);
  if (entries.empty() && groups.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("rule ", QuoteForMessage(rule.name()), ": no ",
                     SideName(side),
                     " address prefix or application security group"));
  }

  net::PrefixSet result;
  for (const std::string& entry : entries) {
    absl::StatusOr<net::PrefixSet> set = ResolveEntry(entry);
    if (!set.ok()) {
      return absl::Status(set.status().code(),
                          absl::StrCat("rule ", QuoteForMessage(rule.name()),
                                       ": ", SideName(side), ": ",
                                       set.status().message()));
    }
    result = net::PrefixSet::Union(result, *set);
  }
  for (const std::string& group : groups) {
    absl::StatusOr<net::PrefixSet> set = ResolveApplicationSecurityGroup(group);
    if (!set.ok()) {
      return absl::Status(set.status().code(),
                          absl::StrCat("rule ", QuoteForMessage(rule.name()),
                                       ": ", SideName(side), ": ",
                                       set.status().message()));
    }
    result = net::PrefixSet::Union(result, *set);
  }
  return result;
}

}  // namespace portcullis::nsg
