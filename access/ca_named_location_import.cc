#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "access/ca_import.h"
#include "access/internal/ca_json_reader.h"
#include "json/json.h"
#include "net/ip_prefix.h"
#include "net/mapped_prefix.h"

namespace portcullis::access {
namespace {

using internal::Items;
using internal::ListValue;
using internal::Member;
using internal::Reader;
using internal::Struct;
using internal::Value;

constexpr absl::string_view kMfaTrustedIpsId =
    "00000000-0000-0000-0000-000000000000";

// Microsoft's service accepts IP ranges with a mask longer than /8 only,
// for IPv4 and IPv6 alike ("Only CIDR masks greater than /8 are allowed
// when defining an IP range", Microsoft Entra documentation, "Using the
// location condition in a Conditional Access policy"). A wider range, up to
// 0.0.0.0/0, cannot come from a tenant, and trusted it would exempt every
// sign-in from a block on untrusted locations.
constexpr int kMinPrefixLength = 9;

// Fails on a member of `members` that `object` sets to anything but null.
// Graph's named location holds IP ranges or countries, never both, so the
// members of the other kind would be dropped without a word, and a dropped
// country in a block policy lets a sign-in through. `kind` names the kind
// the location was read as.
absl::Status RejectOtherKindMembers(
    const Struct& object, const json::Path& path, absl::string_view kind,
    std::initializer_list<absl::string_view> members) {
  for (absl::string_view member : members) {
    const Value* value = Member(object, member);
    if (json::IsNullOrAbsent(value)) continue;
    return json::InvalidField(
        path.Field(member), *value,
        absl::StrCat("no ", member, " in ", kind,
                     ", because a named location holds IP ranges or "
                     "countries, never both; split it into two locations"));
  }
  return absl::OkStatus();
}

// Warns that an IPv4-mapped range is read as the IPv4 range it maps, and
// that a range around the whole mapped range stays IPv6. Both follow the NSG
// rule reader (nsg/service_tags.cc). Fails on a mapped range whose IPv4 form
// is wider than kMinPrefixLength allows, since ::ffff:0:0/96 would be read
// as 0.0.0.0/0.
absl::Status CheckMappedRange(const net::IpPrefix& prefix, const Value& cidr,
                              const json::Path& path, Reader& reader) {
  const std::string written = cidr.string_value();
  const net::IpPrefix ipv4 = net::UnmapPrefix(prefix);
  if (ipv4 != prefix) {
    if (ipv4.length() < kMinPrefixLength) {
      return json::InvalidField(
          path, cidr,
          absl::StrCat("an IPv4-mapped range with a mask from /",
                       96 + kMinPrefixLength,
                       " to /128, because it is read as the IPv4 range ",
                       ipv4.ToString(), " and an IPv4 range needs a mask of /",
                       kMinPrefixLength, " or longer"));
    }
    reader.Warn(path,
                absl::StrCat("\"", written,
                             "\" is an IPv4-mapped IPv6 range, read as the "
                             "IPv4 range ",
                             ipv4.ToString(),
                             ", which contains IPv4 sign-in addresses "
                             "written either way (192.0.2.1 or "
                             "::ffff:192.0.2.1)"));
    return absl::OkStatus();
  }
  if (net::ContainsMappedRange(prefix)) {
    reader.Warn(path,
                absl::StrCat("\"", written,
                             "\" contains the IPv4-mapped range "
                             "::ffff:0.0.0.0/96 but is read as an IPv6 range "
                             "only, so it contains no IPv4 sign-in address, "
                             "also when written as ::ffff:192.0.2.1; add IPv4 "
                             "ranges to the location to cover IPv4 sign-ins"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ImportedNamedLocation> ImportNamedLocationValue(
    const Value& value, const json::Path& path, absl::string_view fallback_id) {
  ImportedNamedLocation result;
  Reader reader(result.warnings);
  absl::StatusOr<const Struct*> object = json::GetObject(value, path);
  if (!object.ok()) return object.status();
  ca::NamedLocation& location = result.location;

  absl::StatusOr<std::string> id =
      reader.IdOrFileName(**object, path, fallback_id);
  if (!id.ok()) return id.status();
  location.set_id(*id);
  absl::StatusOr<std::string> name = reader.OptionalString(
      Member(**object, "displayName"), path.Field("displayName"));
  if (!name.ok()) return name.status();
  location.set_display_name(*name);

  std::string type;
  auto type_it = (*object)->fields().find("@odata.type");
  if (type_it != (*object)->fields().end() &&
      type_it->second.has_string_value()) {
    type = type_it->second.string_value();
  } else if (!json::IsNullOrAbsent(Member(**object, "ipRanges"))) {
    // A member with a value decides before a null one, since scripts that
    // select the members of both kinds write null for those a location
    // lacks.
    type = "#microsoft.graph.ipNamedLocation";
  } else if (!json::IsNullOrAbsent(Member(**object, "countriesAndRegions"))) {
    type = "#microsoft.graph.countryNamedLocation";
  } else if (Member(**object, "ipRanges") != nullptr) {
    type = "#microsoft.graph.ipNamedLocation";
  } else if (Member(**object, "countriesAndRegions") != nullptr) {
    type = "#microsoft.graph.countryNamedLocation";
  } else {
    return json::MissingField(path.Field("@odata.type"),
                              "#microsoft.graph.ipNamedLocation or "
                              "#microsoft.graph.countryNamedLocation");
  }

  absl::StatusOr<bool> trusted = reader.OptionalBool(
      Member(**object, "isTrusted"), path.Field("isTrusted"), false);
  if (!trusted.ok()) return trusted.status();

  if (absl::EqualsIgnoreCase(type, "#microsoft.graph.ipNamedLocation")) {
    absl::Status other = RejectOtherKindMembers(
        **object, path, "an IP location",
        {"countriesAndRegions", "includeUnknownCountriesAndRegions",
         "countryLookupMethod"});
    if (!other.ok()) return other;
    ca::IpNamedLocation* ip = location.mutable_ip();
    ip->set_is_trusted(*trusted);
    json::Path ranges_path = path.Field("ipRanges");
    const Value* ranges = Member(**object, "ipRanges");
    if (json::IsNullOrAbsent(ranges)) {
      reader.Warn(ranges_path, "missing; the location holds no address");
      return result;
    }
    absl::StatusOr<const ListValue*> list =
        json::GetArray(*ranges, ranges_path);
    if (!list.ok()) return list.status();
    for (int i = 0; i < (*list)->values_size(); ++i) {
      json::Path item_path = ranges_path.Index(i);
      const Value& item = (*list)->values(i);
      const Value* cidr = &item;
      json::Path cidr_path = item_path;
      if (item.has_struct_value()) {
        cidr = Member(item.struct_value(), "cidrAddress");
        cidr_path = item_path.Field("cidrAddress");
        if (json::IsNullOrAbsent(cidr)) {
          return json::MissingField(cidr_path, "a CIDR range");
        }
      }
      absl::StatusOr<std::string> text = json::GetString(*cidr, cidr_path);
      if (!text.ok()) return text.status();
      absl::StatusOr<net::IpPrefix> prefix = net::IpPrefix::ParseLenient(*text);
      if (!prefix.ok()) {
        return json::InvalidField(cidr_path, *cidr,
                                  "a CIDR range such as "
                                  "\"192.0.2.0/24\"");
      }
      // NOTE: the MFA trusted IPs are no named location in Graph, so this
      // documented limit may not be theirs. It is applied to them too,
      // because a wider trusted range would trust more, not less.
      if (prefix->length() < kMinPrefixLength) {
        return json::InvalidField(
            cidr_path, *cidr,
            absl::StrCat("a range with a mask from /", kMinPrefixLength,
                         " to /", prefix->is_v4() ? 32 : 128,
                         ", because Microsoft's service accepts no wider "
                         "range in a named location"));
      }
      absl::Status mapped = CheckMappedRange(*prefix, *cidr, cidr_path, reader);
      if (!mapped.ok()) return mapped;
      if (*id == kMfaTrustedIpsId && !net::UnmapPrefix(*prefix).is_v4()) {
        reader.Warn(cidr_path,
                    "MFA trusted IPs hold IPv4 ranges only in "
                    "Microsoft's service; this range is used as "
                    "given");
      }
      ip->add_cidr_ranges(*std::move(text));
    }
    return result;
  }

  if (absl::EqualsIgnoreCase(type, "#microsoft.graph.countryNamedLocation")) {
    absl::Status other = RejectOtherKindMembers(**object, path,
                                                "a country location",
                                                {"ipRanges"});
    if (!other.ok()) return other;
    ca::CountryNamedLocation* country = location.mutable_country();
    json::Path codes_path = path.Field("countriesAndRegions");
    absl::StatusOr<std::vector<std::string>> codes = reader.StringList(
        Member(**object, "countriesAndRegions"), codes_path, true);
    if (!codes.ok()) return codes.status();
    for (size_t i = 0; i < codes->size(); ++i) {
      std::string code = absl::AsciiStrToUpper((*codes)[i]);
      if (code.size() != 2 || !absl::ascii_isalpha(code[0]) ||
          !absl::ascii_isalpha(code[1])) {
        Value shown;
        shown.set_string_value((*codes)[i]);
        return json::InvalidField(codes_path.Index(static_cast<int>(i)), shown,
                                  "a two-letter ISO 3166 country code");
      }
      country->add_countries_and_regions(std::move(code));
    }
    absl::StatusOr<bool> unknown = reader.OptionalBool(
        Member(**object, "includeUnknownCountriesAndRegions"),
        path.Field("includeUnknownCountriesAndRegions"), false);
    if (!unknown.ok()) return unknown.status();
    country->set_include_unknown_countries_and_regions(*unknown);
    absl::StatusOr<std::string> method =
        reader.OptionalString(Member(**object, "countryLookupMethod"),
                              path.Field("countryLookupMethod"));
    if (!method.ok()) return method.status();
    if (absl::EqualsIgnoreCase(*method, "authenticatorAppGps")) {
      country->set_lookup_method(
          ca::CountryNamedLocation::LOOKUP_METHOD_AUTHENTICATOR_APP_GPS);
      reader.Warn(path.Field("countryLookupMethod"),
                  "GPS lookups are evaluated with the sign-in's country, as "
                  "for lookups by address");
    } else if (method->empty() ||
               absl::EqualsIgnoreCase(*method, "clientIpAddress")) {
      country->set_lookup_method(
          ca::CountryNamedLocation::LOOKUP_METHOD_CLIENT_IP_ADDRESS);
    } else {
      return json::InvalidField(path.Field("countryLookupMethod"),
                                *Member(**object, "countryLookupMethod"),
                                "clientIpAddress or authenticatorAppGps");
    }
    if (*trusted) {
      reader.Warn(path.Field("isTrusted"),
                  "country locations cannot be trusted; the flag is ignored");
    }
    return result;
  }

  ca::UnsupportedNamedLocation* unsupported = location.mutable_unsupported();
  unsupported->set_odata_type(type);
  unsupported->set_is_trusted(*trusted);
  reader.Warn(path.Field("@odata.type"),
              absl::StrCat("named location type ", type,
                           " is not evaluated; no sign-in is ever shown to be "
                           "in this location"));
  return result;
}

}  // namespace

absl::StatusOr<std::vector<ImportedNamedLocation>> ImportNamedLocations(
    absl::string_view bytes, absl::string_view file_name) {
  absl::StatusOr<Value> root = json::ParseJson(bytes);
  if (!root.ok()) return root.status();
  absl::StatusOr<std::vector<std::pair<const Value*, json::Path>>> items =
      Items(*root);
  if (!items.ok()) return items.status();

  std::string stem = FileStem(file_name);
  std::vector<ImportedNamedLocation> locations;
  for (size_t i = 0; i < items->size(); ++i) {
    std::string fallback =
        (*items)[i].first == &*root ? stem : absl::StrCat(stem, "[", i, "]");
    absl::StatusOr<ImportedNamedLocation> location = ImportNamedLocationValue(
        *(*items)[i].first, (*items)[i].second, fallback);
    if (!location.ok()) return location.status();
    locations.push_back(*std::move(location));
  }
  return locations;
}

}  // namespace portcullis::access
