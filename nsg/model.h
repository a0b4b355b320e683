// Helpers over the NSG messages of proto/nsg.proto: Azure's names for enum
// values, Azure's six default rules and the way verdicts name rules. The
// side accessors read one side of a rule, whether it uses the singular or
// the plural fields.
#ifndef PORTCULLIS_NSG_MODEL_H_
#define PORTCULLIS_NSG_MODEL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/port_range.h"
#include "proto/nsg.pb.h"

namespace portcullis::nsg {

// Returns `text` in double quotes for an error message, with control bytes
// and quotes escaped and anything past 256 bytes cut, so that one huge value
// cannot flood a message.
std::string QuoteForMessage(absl::string_view text);

// Parses a protocol as Azure accepts it, without regard to case: `Tcp`,
// `Udp`, `Icmp`, `Esp`, `Ah` and `*`, plus `Any` and `All`, which the portal
// and the effective rules view print for `*`.
absl::StatusOr<Protocol> ParseProtocol(absl::string_view text);
// Parses `Inbound` or `Outbound`, without regard to case.
absl::StatusOr<Direction> ParseDirection(absl::string_view text);
// Parses `Allow` or `Deny`, without regard to case.
absl::StatusOr<Access> ParseAccess(absl::string_view text);

// Azure's spelling of each value: "Tcp", "Udp", "Icmp", "Esp", "Ah", "*";
// "Inbound", "Outbound"; "Allow", "Deny". Unspecified values give "".
absl::string_view ProtocolName(Protocol protocol);
absl::string_view DirectionName(Direction direction);
absl::string_view AccessName(Access access);

// Azure's six default rules, in the order Azure lists them: AllowVnetInBound
// (65000), AllowAzureLoadBalancerInBound (65001), DenyAllInBound (65500),
// AllowVnetOutBound (65000), AllowInternetOutBound (65001) and
// DenyAllOutBound (65500).
std::vector<SecurityRule> DefaultSecurityRules();

// Adds to `nsg` each of Azure's default rules that it lacks, matching names
// without regard to case, and keeps the ones it has.
void AddMissingDefaultRules(NetworkSecurityGroup& nsg);

// Names a rule the way Azure's IP flow verify does:
// `securityRules/<name>`, or `defaultSecurityRules/<name>` when `is_default`.
std::string RuleReference(const SecurityRule& rule, bool is_default);

enum class Side { kSource, kDestination };

// "source" or "destination".
absl::string_view SideName(Side side);

// The address entries of one side: the singular prefix when set, else the
// plural list (which may be empty when the side uses application security
// groups).
std::vector<std::string> AddressEntries(const SecurityRule& rule, Side side);
// The port entries of one side: the singular range when set, else the
// plural list.
std::vector<std::string> PortEntries(const SecurityRule& rule, Side side);
// The application security group ids of one side.
std::vector<std::string> ApplicationSecurityGroups(const SecurityRule& rule,
                                                   Side side);

// Checks that `id` is the resource id of an application security group,
// /subscriptions/S/resourceGroups/G/providers/Microsoft.Network/
// applicationSecurityGroups/N, ignoring case and trailing slashes. Segments
// S, G and N may be template placeholders such as {subscriptionId}. Fails,
// naming the value, on a bare name, another resource type or whitespace.
absl::Status CheckApplicationSecurityGroupId(absl::string_view id);

// The form of an Azure resource id under which ids that Azure takes as one
// compare equal: lower case, without trailing slashes.
std::string ResourceIdKey(absl::string_view id);

// Parses the port entries of one side. Fails, naming the rule and the bad
// entry, on an entry Azure rejects or on a side with no entry at all.
absl::StatusOr<std::vector<net::PortRange>> ParsePorts(const SecurityRule& rule,
                                                       Side side);

}  // namespace portcullis::nsg

#endif  // PORTCULLIS_NSG_MODEL_H_
