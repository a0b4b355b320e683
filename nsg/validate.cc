#include "nsg/validate.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "net/ip_prefix.h"
#include "net/port_range.h"
#include "nsg/model.h"

namespace portcullis::nsg {
namespace {

// Service tags that only deny rules may name. Azure rejects an Allow rule
// that names one with SecurityRuleInvalidAccessType.
constexpr absl::string_view kDenyOnlyTags[] = {
    "AzurePlatformDNS", "AzurePlatformIMDS", "AzurePlatformLKM"};

// Paths of one rule's name and of its fields.
struct RulePaths {
  std::string object;
  std::string properties;

  std::string Name() const { return absl::StrCat(object, ".name"); }
  std::string Field(absl::string_view field) const {
    return absl::StrCat(properties, ".", field);
  }
  std::string Item(absl::string_view field, int index) const {
    return absl::StrCat(properties, ".", field, "[", index, "]");
  }
};

RulePaths PathsOf(const SecurityRule& rule, absl::string_view list_name,
                  int index) {
  RulePaths paths;
  paths.object = rule.origin().object_path();
  if (paths.object.empty()) {
    paths.object = absl::StrCat(list_name, "[", index, "]");
  }
  paths.properties = rule.origin().properties_path();
  if (paths.properties.empty()) {
    paths.properties = absl::StrCat(paths.object, ".properties");
  }
  return paths;
}

// A word character as .NET regular expressions define `\w` for ASCII. Bytes
// of multi-byte UTF-8 characters count too, because Azure accepts letters of
// every script.
bool IsWordByte(char c) {
  unsigned char byte = static_cast<unsigned char>(c);
  return absl::ascii_isalnum(byte) || c == '_' || byte >= 0x80;
}

// True for 1 to 80 characters that start with a word character, end with a
// word character, and hold only word characters, '.', '-' and '_'.
bool IsValidRuleName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxRuleNameLength) return false;
  if (!IsWordByte(name.front()) || !IsWordByte(name.back())) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return IsWordByte(c) || c == '.' || c == '-';
  });
}

// True when `entry` spells a service tag: letters, digits, '.', '-' and '_',
// starting with a letter (`Storage.WestUS`, `AzureFrontDoor.Backend`).
bool LooksLikeTagName(absl::string_view entry) {
  if (entry.empty() || !absl::ascii_isalpha(entry.front())) return false;
  return std::all_of(entry.begin(), entry.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
           c == '-' || c == '_';
  });
}

// True when `entry` is meant as an address or prefix rather than a tag: it
// starts with a digit, or contains ':' or '/'.
bool LooksLikeAddress(absl::string_view entry) {
  return !entry.empty() &&
         (absl::ascii_isdigit(static_cast<unsigned char>(entry.front())) ||
          absl::StrContains(entry, ':') || absl::StrContains(entry, '/'));
}

class Validator {
 public:
  std::vector<Problem> Run(const NetworkSecurityGroup& nsg) {
    for (int i = 0; i < nsg.security_rules_size(); ++i) {
      const SecurityRule& rule = nsg.security_rules(i);
      CheckRule(rule, PathsOf(rule, "securityRules", i), /*is_default=*/false);
    }
    for (int i = 0; i < nsg.default_security_rules_size(); ++i) {
      const SecurityRule& rule = nsg.default_security_rules(i);
      CheckRule(rule, PathsOf(rule, "defaultSecurityRules", i),
                /*is_default=*/true);
    }
    CheckUniqueNames(nsg);
    CheckUniquePriorities(nsg);
    CheckLimits(nsg);
    return std::move(problems_);
  }

 private:
  void Add(std::string path, absl::string_view code, std::string message) {
    problems_.push_back(
        Problem{std::move(path), std::string(code), std::move(message)});
  }

  void CheckRule(const SecurityRule& rule, const RulePaths& paths,
                 bool is_default) {
    if (!IsValidRuleName(rule.name())) {
      Add(paths.Name(), azure_error::kInvalidResourceName,
          absl::StrCat("invalid value ", QuoteForMessage(rule.name()),
                       "; expected 1 to 80 letters, digits, '_', '.' or '-', "
                       "starting with a letter, digit or '_' and ending with "
                       "a letter, digit or '_'"));
    }
    if (rule.description().size() > kMaxDescriptionLength) {
      Add(paths.Field("description"), azure_error::kInvalidDescription,
          absl::StrCat("invalid value of ", rule.description().size(),
                       " characters; expected at most ", kMaxDescriptionLength));
    }
    CheckPriority(rule, paths, is_default);
    CheckEnums(rule, paths);
    for (Side side : {Side::kSource, Side::kDestination}) {
      CheckPorts(rule, side, paths);
      CheckAddresses(rule, side, paths);
    }
    CheckDenyOnlyTags(rule, paths);
    CheckAddressFamilies(rule, paths);
  }

  // Reports the first address or prefix, on either side, whose family
  // differs from the rule's first one: Azure accepts only one family in a
  // rule. Tags and "*" cover both families and do not count.
  void CheckAddressFamilies(const SecurityRule& rule, const RulePaths& paths) {
    struct Entry {
      std::string path;
      std::string field;
      const std::string* text;
    };
    std::vector<Entry> entries;
    auto collect = [&](absl::string_view single_name,
                       const std::string& single, absl::string_view list_name,
                       const google::protobuf::RepeatedPtrField<std::string>&
                           list) {
      if (!single.empty()) {
        entries.push_back({paths.Field(single_name), std::string(single_name),
                           &single});
      }
      for (int i = 0; i < list.size(); ++i) {
        entries.push_back({paths.Item(list_name, i),
                           absl::StrCat(list_name, "[", i, "]"), &list[i]});
      }
    };
    collect("sourceAddressPrefix", rule.source_address_prefix(),
            "sourceAddressPrefixes", rule.source_address_prefixes());
    collect("destinationAddressPrefix", rule.destination_address_prefix(),
            "destinationAddressPrefixes", rule.destination_address_prefixes());

    const Entry* first = nullptr;
    bool first_is_v4 = false;
    for (const Entry& entry : entries) {
      if (!LooksLikeAddress(*entry.text)) continue;
      absl::StatusOr<net::IpPrefix> prefix =
          net::IpPrefix::ParseLenient(*entry.text);
      if (!prefix.ok()) continue;  // reported by CheckAddresses
      if (first == nullptr) {
        first = &entry;
        first_is_v4 = prefix->is_v4();
        continue;
      }
      if (prefix->is_v4() == first_is_v4) continue;
      Add(entry.path, azure_error::kMixedAddressFamilies,
          absl::StrCat("invalid value ", QuoteForMessage(*entry.text), ": an ",
                       first_is_v4 ? "IPv6" : "IPv4", " prefix in a rule whose ",
                       first->field, " ", QuoteForMessage(*first->text),
                       " is ", first_is_v4 ? "IPv4" : "IPv6",
                       "; expected addresses and prefixes of one address "
                       "family, or a separate rule per family"));
      return;
    }
  }

  void CheckPriority(const SecurityRule& rule, const RulePaths& paths,
                     bool is_default) {
    // Azure gives default rules priorities from 65000 to 65500 itself.
    int low = is_default ? 65000 : kMinUserPriority;
    int high = is_default ? 65500 : kMaxUserPriority;
    if (!rule.has_priority()) {
      Add(paths.Field("priority"), azure_error::kInvalidPriority,
          absl::StrCat("missing; expected an integer between ", low, " and ",
                       high));
      return;
    }
    if (rule.priority() < low || rule.priority() > high) {
      Add(paths.Field("priority"), azure_error::kInvalidPriority,
          absl::StrCat("invalid value ", rule.priority(),
                       "; expected an integer between ", low, " and ", high));
    }
  }

  void CheckEnums(const SecurityRule& rule, const RulePaths& paths) {
    if (rule.protocol() == PROTOCOL_UNSPECIFIED) {
      Add(paths.Field("protocol"), azure_error::kInvalidProtocol,
          "missing; expected Tcp, Udp, Icmp, Esp, Ah or *");
    }
    if (rule.direction() == DIRECTION_UNSPECIFIED) {
      Add(paths.Field("direction"), azure_error::kInvalidDirection,
          "missing; expected Inbound or Outbound");
    }
    if (rule.access() == ACCESS_UNSPECIFIED) {
      Add(paths.Field("access"), azure_error::kInvalidAccess,
          "missing; expected Allow or Deny");
    }
  }

  void CheckPorts(const SecurityRule& rule, Side side, const RulePaths& paths) {
    bool source = side == Side::kSource;
    absl::string_view single_name =
        source ? "sourcePortRange" : "destinationPortRange";
    absl::string_view list_name =
        source ? "sourcePortRanges" : "destinationPortRanges";
    const std::string& single =
        source ? rule.source_port_range() : rule.destination_port_range();
    const auto& list =
        source ? rule.source_port_ranges() : rule.destination_port_ranges();

    if (!single.empty() && !list.empty()) {
      Add(paths.Field(list_name), azure_error::kParametersConflict,
          absl::StrCat("both ", single_name, " and ", list_name,
                       " are set; expected exactly one of them"));
    } else if (single.empty() && list.empty()) {
      Add(paths.Field(single_name), azure_error::kParametersMissing,
          absl::StrCat("missing; expected ", single_name, " or a non-empty ",
                       list_name));
    }

    if (!single.empty()) CheckPortText(single, paths.Field(single_name));
    for (int i = 0; i < list.size(); ++i) {
      std::string path = paths.Item(list_name, i);
      if (list[i] == "*") {
        Add(path, azure_error::kInvalidPortRanges,
            absl::StrCat("invalid value \"*\" in ", list_name, "; expected ",
                         "a port or a range, or \"*\" in ", single_name));
        continue;
      }
      CheckPortText(list[i], std::move(path));
    }
  }

  void CheckPortText(const std::string& text, std::string path) {
    absl::StatusOr<net::PortRange> range = net::PortRange::Parse(text);
    if (range.ok()) return;
    std::string expected =
        "an integer or a range such as 80-90, between 0 and 65535, or \"*\"";
    if (absl::StrContains(text, ',')) {
      absl::StrAppend(&expected,
                      "; list several ports as separate items of the plural "
                      "field");
    }
    Add(std::move(path), azure_error::kInvalidPortRange,
        absl::StrCat("invalid value ", QuoteForMessage(text), "; expected ",
                     expected));
  }

  void CheckAddresses(const SecurityRule& rule, Side side,
                      const RulePaths& paths) {
    bool source = side == Side::kSource;
    absl::string_view single_name =
        source ? "sourceAddressPrefix" : "destinationAddressPrefix";
    absl::string_view list_name =
        source ? "sourceAddressPrefixes" : "destinationAddressPrefixes";
    absl::string_view groups_name = source
                                        ? "sourceApplicationSecurityGroups"
                                        : "destinationApplicationSecurityGroups";
    const std::string& single = source ? rule.source_address_prefix()
                                       : rule.destination_address_prefix();
    const auto& list = source ? rule.source_address_prefixes()
                              : rule.destination_address_prefixes();
    int group_count = source ? rule.source_application_security_groups_size()
                             : rule.destination_application_security_groups_size();

    int forms = (single.empty() ? 0 : 1) + (list.empty() ? 0 : 1) +
                (group_count == 0 ? 0 : 1);
    if (forms == 0) {
      Add(paths.Field(single_name), azure_error::kParametersMissing,
          absl::StrCat("missing; expected ", single_name, ", ", list_name,
                       " or ", groups_name));
    } else if (forms > 1) {
      Add(paths.Field(single_name), azure_error::kParametersConflict,
          absl::StrCat("more than one of ", single_name, ", ", list_name,
                       " and ", groups_name, " is set; expected exactly one"));
    }

    if (!single.empty()) CheckSingleAddress(single, paths.Field(single_name));
    std::vector<std::pair<net::IpPrefix, int>> prefixes;
    for (int i = 0; i < list.size(); ++i) {
      std::optional<net::IpPrefix> prefix =
          CheckListAddress(list[i], list_name, paths.Item(list_name, i));
      if (prefix.has_value()) prefixes.emplace_back(*prefix, i);
    }
    CheckOverlaps(std::move(prefixes), list_name, paths);
  }

  // Checks a singular address entry: "*", an address, a prefix or a tag.
  void CheckSingleAddress(const std::string& entry, std::string path) {
    if (entry == "*") return;
    if (LooksLikeAddress(entry)) {
      CheckPrefixText(entry, std::move(path));
      return;
    }
    if (absl::EqualsIgnoreCase(entry, "Any")) {
      Add(std::move(path), azure_error::kInvalidAddressPrefix,
          absl::StrCat("invalid value ", QuoteForMessage(entry),
                       "; expected \"*\" for any address"));
      return;
    }
    if (!LooksLikeTagName(entry) || absl::StrContains(entry, '_')) {
      // Underscores only appear in classic names such as VIRTUAL_NETWORK,
      // which Resource Manager rejects.
      Add(std::move(path), azure_error::kInvalidAddressPrefix,
          absl::StrCat("invalid value ", QuoteForMessage(entry),
                       "; expected \"*\", an address, a CIDR prefix or a "
                       "service tag such as VirtualNetwork"));
    }
  }

  // Checks an entry of a plural list, which accepts addresses and prefixes
  // only. Returns the prefix when it is valid.
  std::optional<net::IpPrefix> CheckListAddress(const std::string& entry,
                                                 absl::string_view list_name,
                                                 std::string path) {
    if (entry == "*" || (!LooksLikeAddress(entry) && LooksLikeTagName(entry))) {
      Add(std::move(path), azure_error::kUnsupportedValue,
          absl::StrCat("invalid value ", QuoteForMessage(entry), " in ",
                       list_name,
                       "; expected addresses and CIDR prefixes only, because "
                       "service tags and \"*\" are only accepted in the "
                       "singular field"));
      return std::nullopt;
    }
    return CheckPrefixText(entry, std::move(path));
  }

  std::optional<net::IpPrefix> CheckPrefixText(const std::string& entry,
                                                std::string path) {
    absl::StatusOr<net::IpPrefix> strict = net::IpPrefix::ParseStrict(entry);
    if (strict.ok()) return *strict;

    absl::StatusOr<net::IpPrefix> lenient = net::IpPrefix::ParseLenient(entry);
    if (lenient.ok()) {
      Add(std::move(path), azure_error::kInvalidAddressPrefix,
          absl::StrCat("invalid value ", QuoteForMessage(entry),
                       ": host bits are set; expected ",
                       lenient->ToString()));
    } else {
      Add(std::move(path), azure_error::kInvalidAddressPrefix,
          absl::StrCat("invalid value ", QuoteForMessage(entry),
                       "; expected an IPv4 or IPv6 address or CIDR prefix "
                       "with a valid length"));
    }
    return std::nullopt;
  }

  // Reports each prefix that overlaps an earlier-sorted one of the same list.
  void CheckOverlaps(std::vector<std::pair<net::IpPrefix, int>> prefixes,
                     absl::string_view list_name, const RulePaths& paths) {
    std::sort(prefixes.begin(), prefixes.end());
    // Sorted by first address, a prefix overlaps some earlier one exactly
    // when it overlaps the earlier one that reaches furthest.
    const std::pair<net::IpPrefix, int>* widest = nullptr;
    for (const auto& entry : prefixes) {
      if (widest != nullptr && widest->first.Overlaps(entry.first)) {
        Add(paths.Item(list_name, entry.second), azure_error::kOverlappingPrefixes,
            absl::StrCat(entry.first.ToString(), " overlaps ",
                         widest->first.ToString(), " at ", list_name, "[",
                         widest->second,
                         "]; expected prefixes that share no address"));
        continue;
      }
      if (widest == nullptr || widest->first.is_v4() != entry.first.is_v4() ||
          widest->first.last() < entry.first.last()) {
        widest = &entry;
      }
    }
  }

  void CheckDenyOnlyTags(const SecurityRule& rule, const RulePaths& paths) {
    if (rule.access() != ACCESS_ALLOW) return;
    for (Side side : {Side::kSource, Side::kDestination}) {
      const std::string& single = side == Side::kSource
                                      ? rule.source_address_prefix()
                                      : rule.destination_address_prefix();
      for (absl::string_view tag : kDenyOnlyTags) {
        if (absl::EqualsIgnoreCase(single, tag)) {
          Add(paths.Field("access"), azure_error::kInvalidAccess,
              absl::StrCat("invalid value \"Allow\" for a rule that names ",
                           tag, "; expected Deny, the only access that tag "
                           "accepts"));
        }
      }
    }
  }

  void CheckUniqueNames(const NetworkSecurityGroup& nsg) {
    absl::flat_hash_map<std::string, int> first_index;
    for (int i = 0; i < nsg.security_rules_size(); ++i) {
      const SecurityRule& rule = nsg.security_rules(i);
      if (rule.name().empty()) continue;
      auto [it, inserted] =
          first_index.emplace(absl::AsciiStrToLower(rule.name()), i);
      if (inserted) continue;
      Add(PathsOf(rule, "securityRules", i).Name(), azure_error::kDuplicateResourceName,
          absl::StrCat("invalid value ", QuoteForMessage(rule.name()),
                       ": rule ",
                       PathsOf(nsg.security_rules(it->second), "securityRules",
                               it->second)
                           .object,
                       " has the same name; expected unique rule names"));
    }
  }

  void CheckUniquePriorities(const NetworkSecurityGroup& nsg) {
    absl::flat_hash_map<std::pair<int, int>, int> first_index;
    for (int i = 0; i < nsg.security_rules_size(); ++i) {
      const SecurityRule& rule = nsg.security_rules(i);
      if (!rule.has_priority() || rule.direction() == DIRECTION_UNSPECIFIED) {
        continue;
      }
      auto [it, inserted] = first_index.emplace(
          std::make_pair(rule.priority(), static_cast<int>(rule.direction())),
          i);
      if (inserted) continue;
      const SecurityRule& earlier = nsg.security_rules(it->second);
      Add(PathsOf(rule, "securityRules", i).Field("priority"), azure_error::kConflict,
          absl::StrCat("security rule ", QuoteForMessage(rule.name()),
                       " conflicts with rule ", QuoteForMessage(earlier.name()),
                       ": both have priority ", rule.priority(),
                       " and direction ", DirectionName(rule.direction()),
                       "; expected a unique priority per direction"));
    }
  }

  void CheckLimits(const NetworkSecurityGroup& nsg) {
    std::string nsg_path = nsg.json_path().empty() ? "(root)" : nsg.json_path();
    if (nsg.security_rules_size() > kMaxRulesPerNsg) {
      Add(absl::StrCat(nsg_path, ".properties.securityRules"), azure_error::kRuleCountLimit,
          absl::StrCat(nsg.security_rules_size(),
                       " security rules; expected at most ", kMaxRulesPerNsg));
    }
    for (Side side : {Side::kSource, Side::kDestination}) {
      int count = 0;
      for (const SecurityRule& rule : nsg.security_rules()) {
        count += static_cast<int>(AddressEntries(rule, side).size());
      }
      if (count > kMaxPrefixesPerSide) {
        Add(absl::StrCat(nsg_path, ".properties.securityRules"),
            azure_error::kPrefixCountLimit,
            absl::StrCat(count, " ", SideName(side),
                         " addresses and ranges; expected at most ",
                         kMaxPrefixesPerSide, " per side"));
      }
    }
  }

  std::vector<Problem> problems_;
};

}  // namespace

std::string Problem::ToString() const {
  if (azure_error.empty()) return absl::StrCat(path, ": ", message);
  return absl::StrCat(path, ": ", message, " (", azure_error, ")");
}

std::vector<Problem> Validate(const NetworkSecurityGroup& nsg) {
  return Validator().Run(nsg);
}

absl::Status ProblemsToStatus(const std::vector<Problem>& problems) {
  if (problems.empty()) return absl::OkStatus();
  std::vector<std::string> lines;
  lines.reserve(problems.size());
  for (const Problem& problem : problems) lines.push_back(problem.ToString());
  return absl::InvalidArgumentError(
      absl::StrCat(problems.size(), problems.size() == 1 ? " problem" : " problems",
                   ":\n", absl::StrJoin(lines, "\n")));
}

}  // namespace portcullis::nsg
