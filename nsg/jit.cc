#include "nsg/jit.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "net/ip_prefix.h"
#include "net/mapped_prefix.h"
#include "net/port_range.h"
#include "nsg/model.h"
#include "schedule/duration.h"
#include "schedule/rfc3339.h"

namespace portcullis::jit {

namespace {

constexpr absl::string_view kJitRulePrefix = "SecurityCenter-JITRule";
constexpr int kMaxUserPriority = 4096;

// FNV-1a, 64 bits: stable across platforms and runs, so rule names are too.
uint64_t Fnv1a(absl::string_view text, uint64_t seed) {
  uint64_t hash = 14695981039346656037ULL ^ seed;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

// `SecurityCenter-JITRule<sep><int><sep><32 hex>`, from a hash of `key`.
std::string RuleName(absl::string_view key, char separator) {
  int32_t number = static_cast<int32_t>(Fnv1a(key, 1) >> 32);
  return absl::StrFormat("%s%c%d%c%016X%016X", kJitRulePrefix, separator,
                         number, separator, Fnv1a(key, 2), Fnv1a(key, 3));
}

std::string LastSegment(absl::string_view id) {
  size_t slash = id.rfind('/');
  return std::string(slash == absl::string_view::npos ? id
                                                      : id.substr(slash + 1));
}

absl::string_view TrimTrailingSlashes(absl::string_view id) {
  while (absl::ConsumeSuffix(&id, "/")) {
  }
  return id;
}

// Returns a key that two ids share exactly when SameResourceId() is true
// for them.
bool IsJitRule(const nsg::SecurityRule& rule) {
  return absl::StartsWith(rule.name(), kJitRulePrefix);
}

nsg::Protocol ToNsgProtocol(JitProtocol protocol) {
  switch (protocol) {
    case JIT_PROTOCOL_TCP:
      return nsg::PROTOCOL_TCP;
    case JIT_PROTOCOL_UDP:
      return nsg::PROTOCOL_UDP;
    default:
      return nsg::PROTOCOL_ANY;
  }
}

bool ProtocolsOverlap(nsg::Protocol a, nsg::Protocol b) {
  return a == nsg::PROTOCOL_ANY || b == nsg::PROTOCOL_ANY || a == b;
}

// True when the destination side of `rule` may cover `address`. Service
// tags and application security groups cannot be resolved here, so they
// count as covering: placing the deny rule after them keeps their
// precedence, which is the safe reading.
bool DestinationMayCover(const nsg::SecurityRule& rule,
                         const net::IpPrefix& address) {
  if (!nsg::ApplicationSecurityGroups(rule, nsg::Side::kDestination).empty()) {
    return true;
  }
  for (const std::string& entry :
       nsg::AddressEntries(rule, nsg::Side::kDestination)) {
    absl::StatusOr<net::IpPrefix> prefix = net::IpPrefix::ParseStrict(entry);
    if (!prefix.ok()) return true;  // "*" or a service tag
    if (prefix->Overlaps(address)) return true;
  }
  return false;
}

bool PortsMayOverlap(const nsg::SecurityRule& rule,
                     const std::vector<uint32_t>& ports) {
  absl::StatusOr<std::vector<net::PortRange>> ranges =
      nsg::ParsePorts(rule, nsg::Side::kDestination);
  if (!ranges.ok()) return true;
  for (const net::PortRange& range : *ranges) {
    for (uint32_t port : ports) {
      if (range.Contains(static_cast<uint16_t>(port))) return true;
    }
  }
  return false;
}

std::set<int> InboundPriorities(const nsg::NetworkSecurityGroup& nsg) {
  std::set<int> taken;
  for (const nsg::SecurityRule& rule : nsg.security_rules()) {
    if (rule.direction() == nsg::DIRECTION_INBOUND && rule.has_priority()) {
      taken.insert(rule.priority());
    }
  }
  return taken;
}

std::optional<int> FirstFree(const std::set<int>& taken, int from, int below) {
  for (int priority = from; priority < below; ++priority) {
    if (taken.count(priority) == 0) return priority;
  }
  return std::nullopt;
}

absl::StatusOr<net::IpPrefix> ParseSource(absl::string_view text,
                                          absl::string_view what) {
  absl::StatusOr<net::IpPrefix> prefix = net::IpPrefix::ParseStrict(text);
  if (prefix.ok()) return prefix;
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": invalid value \"", text,
                   "\"; expected an IP address or a CIDR prefix (",
                   prefix.status().message(), ")"));
}

std::vector<std::string> AllowedSources(const JitPolicyPort& port) {
  if (!port.allowed_source_address_prefix().empty()) {
    return {port.allowed_source_address_prefix()};
  }
  return {port.allowed_source_address_prefixes().begin(),
          port.allowed_source_address_prefixes().end()};
}

// True when `source` lies inside one of the port's allowed prefixes. A
// requested "*" fits only an allowed "*". IPv4-mapped prefixes on either
// side are compared as IPv4, as the NSG rule that a grant adds is read, so
// an allowed ::/0 admits no IPv4 host written as ::ffff:a.b.c.d.
bool SourceAllowed(const JitPolicyPort& port, const std::string& source) {
  std::optional<net::IpPrefix> requested;
  if (source != "*") {
    absl::StatusOr<net::IpPrefix> parsed = net::IpPrefix::ParseStrict(source);
    if (parsed.ok()) requested = net::UnmapPrefix(*parsed);
  }
  for (const std::string& allowed : AllowedSources(port)) {
    if (allowed == "*") return true;
    if (!requested.has_value()) continue;
    absl::StatusOr<net::IpPrefix> prefix = net::IpPrefix::ParseStrict(allowed);
    if (prefix.ok() && net::UnmapPrefix(*prefix).Contains(*requested)) {
      return true;
    }
  }
  return false;
}

const JitPolicyPort* FindPort(const JitPolicyVirtualMachine& vm,
                              uint32_t number) {
  for (const JitPolicyPort& port : vm.ports()) {
    if (port.number() == number) return &port;
  }
  return nullptr;
}

// Priorities of grants whose windows overlap `window`.
std::set<int> GrantPriorities(const std::vector<Grant>& grants,
                              const schedule::Window& window) {
  std::set<int> taken;
  for (const Grant& grant : grants) {
    bool overlaps =
        grant.window.start < window.end && window.start < grant.window.end;
    if (overlaps && grant.rule.has_priority()) {
      taken.insert(grant.rule.priority());
    }
  }
  return taken;
}

nsg::SecurityRule AllowRule(const JitPolicy& policy, const VmTarget& target,
                            const Grant& grant, int priority) {
  std::string key =
      absl::StrCat(policy.id(), "|", absl::AsciiStrToLower(target.vm_id), "|",
                   grant.port, "|", grant.source, "|",
                   absl::ToUnixNanos(grant.window.start));
  nsg::SecurityRule rule;
  rule.set_name(RuleName(key, '-'));
  rule.set_description(absl::StrCat(
      "ASC JIT Network Access rule created by an initiation request for "
      "policy '",
      policy.name(), "' of VM '", LastSegment(target.vm_id), "'."));
  rule.set_priority(priority);
  rule.set_direction(nsg::DIRECTION_INBOUND);
  rule.set_access(nsg::ACCESS_ALLOW);
  rule.set_protocol(ToNsgProtocol(grant.protocol));
  rule.set_source_address_prefix(grant.source);
  rule.set_source_port_range("*");
  rule.set_destination_address_prefix(target.private_address);
  rule.set_destination_port_range(absl::StrCat(grant.port));
  return rule;
}

}  // namespace

absl::string_view PlacementName(Placement placement) {
  return placement == Placement::kSubnet ? "subnet" : "networkInterface";
}

absl::StatusOr<VmTarget> TargetForNic(const NetworkInterface& nic,
                                      const nsg::NetworkSecurityGroup& nsg) {
  if (nic.virtual_machine_id().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "network interface \"", nic.name(),
        "\" is attached to no virtual machine (properties.virtualMachine.id "
        "is missing)"));
  }
  if (nic.private_ip_addresses().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "network interface \"", nic.name(), "\" has no private IP address"));
  }

  VmTarget target;
  target.vm_id = nic.virtual_machine_id();
  // ParseStrict takes a bare address as a /32 or /128 prefix.
  absl::StatusOr<net::IpPrefix> prefix =
      net::IpPrefix::ParseStrict(nic.private_ip_addresses(0));
  if (!prefix.ok()) return prefix.status();
  target.private_address = nic.private_ip_addresses(0);

  if (nic.network_security_group_id().empty()) {
    target.placement = Placement::kSubnet;
    target.nsg_id = nsg.id();
    return target;
  }
  target.placement = Placement::kNetworkInterface;
  target.nsg_id = nic.network_security_group_id();
  bool matches = nsg.id().empty()
                     ? absl::EqualsIgnoreCase(
                           nsg.name(), LastSegment(nic.network_security_group_id()))
                     : SameResourceId(nsg.id(), nic.network_security_group_id());
  if (!matches) {
    return absl::InvalidArgumentError(absl::StrCat(
        "network interface \"", nic.name(), "\" uses NSG ",
        nic.network_security_group_id(), ", but the NSG given is \"",
        nsg.id().empty() ? nsg.name() : nsg.id(),
        "\"; JIT rules go on the NIC's NSG, so pass that NSG"));
  }
  return target;
}

const JitPolicyVirtualMachine* FindVirtualMachine(const JitPolicy& policy,
                                                  absl::string_view vm_id) {
  for (const JitPolicyVirtualMachine& vm : policy.virtual_machines()) {
    if (SameResourceId(vm.id(), vm_id)) return &vm;
  }
  return nullptr;
}

absl::StatusOr<nsg::SecurityRule> PlanDenyRule(
    const nsg::NetworkSecurityGroup& nsg, const JitPolicy& policy,
    const VmTarget& target, const JitOptions& options) {
  const JitPolicyVirtualMachine* vm = FindVirtualMachine(policy, target.vm_id);
  if (vm == nullptr) {
    return absl::NotFoundError(absl::StrCat("virtual machine ", target.vm_id,
                                            " is not in JIT policy \"",
                                            policy.name(), "\""));
  }
  std::string name = RuleName(
      absl::StrCat(policy.id(), "|", absl::AsciiStrToLower(target.vm_id)), '_');
  for (const nsg::SecurityRule& rule : nsg.security_rules()) {
    if (rule.name() == name) return rule;
  }

  std::vector<uint32_t> ports;
  for (const JitPolicyPort& port : vm->ports()) ports.push_back(port.number());
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());

  absl::StatusOr<net::IpPrefix> address =
      net::IpPrefix::ParseStrict(target.private_address);
  if (!address.ok()) return address.status();

  // Only allow rules need to stay ahead of the deny rule. A flow that an
  // existing deny rule and the JIT deny rule both match is denied in either
  // order, so counting deny rules would only push the JIT rule past a
  // catch-all deny at 4096, where no priority is left.
  int last_covering = 0;
  for (const nsg::SecurityRule& rule : nsg.security_rules()) {
    if (rule.direction() != nsg::DIRECTION_INBOUND || !rule.has_priority() ||
        rule.access() != nsg::ACCESS_ALLOW || IsJitRule(rule)) {
      continue;
    }
    if (!ProtocolsOverlap(rule.protocol(), nsg::PROTOCOL_ANY)) continue;
    if (!PortsMayOverlap(rule, ports)) continue;
    if (!DestinationMayCover(rule, *address)) continue;
    last_covering = std::max(last_covering, rule.priority());
  }

  int from = last_covering > 0 ? last_covering + 1 : options.deny_priority_floor;
  std::optional<int> priority =
      FirstFree(InboundPriorities(nsg), from, kMaxUserPriority + 1);
  if (!priority.has_value() && last_covering == 0) {
    priority = FirstFree(InboundPriorities(nsg), options.allow_priority_start + 1,
                         kMaxUserPriority + 1);
  }
  if (!priority.has_value() && from > kMaxUserPriority) {
    return absl::FailedPreconditionError(absl::StrCat(
        "NSG \"", nsg.name(), "\" has an allow rule at priority ",
        kMaxUserPriority, " that may cover the VM's JIT ports, and the JIT "
        "deny rule must come after every such rule; move that rule to a "
        "lower priority number"));
  }
  if (!priority.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "NSG \"", nsg.name(), "\" has no free inbound priority from ", from,
        " to ", kMaxUserPriority, " for the JIT deny rule"));
  }

  nsg::SecurityRule rule;
  rule.set_name(name);
  rule.set_description(absl::StrCat("ASC JIT Network Access rule for policy '",
                                    policy.name(), "' of VM '",
                                    LastSegment(target.vm_id), "'."));
  rule.set_priority(*priority);
  rule.set_direction(nsg::DIRECTION_INBOUND);
  rule.set_access(nsg::ACCESS_DENY);
  rule.set_protocol(nsg::PROTOCOL_ANY);
  rule.set_source_address_prefix("*");
  rule.set_source_port_range("*");
  rule.set_destination_address_prefix(target.private_address);
  if (ports.size() == 1) {
    rule.set_destination_port_range(absl::StrCat(ports[0]));
  } else {
    for (uint32_t port : ports) {
      rule.add_destination_port_ranges(absl::StrCat(port));
    }
  }
  return rule;
}

absl::StatusOr<RequestDecision> DecideRequest(
    const JitPolicy& policy, const nsg::NetworkSecurityGroup& nsg,
    const VmTarget& target, const AccessRequest& request,
    const std::vector<Grant>& existing, const JitOptions& options) {
  RequestDecision decision;
  auto reject = [&](std::string code, std::string message) {
    decision.rejections.push_back({std::move(code), std::move(message)});
  };

  const JitPolicyVirtualMachine* vm = FindVirtualMachine(policy, request.vm_id);
  if (vm == nullptr) {
    reject("VirtualMachineNotInPolicy",
           absl::StrCat("virtual machine ", request.vm_id,
                        " is not in JIT policy \"", policy.name(), "\""));
    return decision;
  }
  if (!SameResourceId(request.vm_id, target.vm_id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the request is for ", request.vm_id, " but the NIC belongs to ",
        target.vm_id));
  }

  const JitPolicyPort* port = FindPort(*vm, request.port);
  if (port == nullptr) {
    std::vector<std::string> allowed;
    for (const JitPolicyPort& p : vm->ports()) {
      allowed.push_back(absl::StrCat(p.number()));
    }
    reject("PortNotInPolicy",
           absl::StrCat("port ", request.port,
                        " is not in the policy for this VM; allowed ports: ",
                        absl::StrJoin(allowed, ", ")));
  }

  absl::Duration duration = request.end - request.start;
  if (duration < options.min_duration) {
    reject("DurationTooShort",
           absl::StrCat("the requested duration ",
                        schedule::FormatIsoDuration(duration),
                        " is shorter than the minimum ",
                        schedule::FormatIsoDuration(options.min_duration)));
  }
  if (port != nullptr) {
    absl::StatusOr<absl::Duration> maximum =
        schedule::ParseIsoDuration(port->max_request_access_duration());
    if (!maximum.ok()) return maximum.status();
    absl::Duration limit = std::min(*maximum, options.max_duration);
    if (duration > limit) {
      reject("DurationTooLong",
             absl::StrCat("the requested duration ",
                          schedule::FormatIsoDuration(duration),
                          " exceeds the maximum ",
                          schedule::FormatIsoDuration(limit), " for port ",
                          port->number()));
    }
  }

  std::string source =
      request.source.empty() ? request.requester_address : request.source;
  if (source.empty()) {
    return absl::InvalidArgumentError(
        "the request names no source address and no requester address");
  }
  if (source != "*") {
    absl::StatusOr<net::IpPrefix> parsed = ParseSource(source, "source");
    if (!parsed.ok()) return parsed.status();
    source = parsed->length() == parsed->address().bit_length()
                 ? parsed->address().ToString()
                 : parsed->ToString();
  }
  if (port != nullptr && !SourceAllowed(*port, source)) {
    reject("SourceNotAllowed",
           absl::StrCat("source ", source,
                        " is not inside the allowed source prefixes of port ",
                        port->number(), ": ",
                        absl::StrJoin(AllowedSources(*port), ", ")));
  }
  if (!decision.rejections.empty()) return decision;

  absl::StatusOr<nsg::SecurityRule> deny =
      PlanDenyRule(nsg, policy, target, options);
  if (!deny.ok()) return deny.status();

  Grant grant;
  grant.vm_id = target.vm_id;
  grant.port = request.port;
  grant.protocol = port->protocol();
  grant.source = source;
  grant.window = {request.start, request.end};
  grant.requestor = request.requestor;

  std::set<int> taken = InboundPriorities(nsg);
  taken.insert(deny->priority());
  for (int priority : GrantPriorities(existing, grant.window)) {
    taken.insert(priority);
  }
  std::optional<int> priority =
      FirstFree(taken, options.allow_priority_start, deny->priority());
  if (!priority.has_value()) {
    reject("NoFreePriority",
           absl::StrCat("no free inbound priority from ",
                        options.allow_priority_start, " to ",
                        deny->priority() - 1,
                        " for an allow rule ahead of the JIT deny rule"));
    return decision;
  }
  grant.rule = AllowRule(policy, target, grant, *priority);

  decision.granted = true;
  decision.deny_rule = *std::move(deny);
  decision.grants.push_back(std::move(grant));
  return decision;
}

bool SameResourceId(absl::string_view a, absl::string_view b) {
  return absl::EqualsIgnoreCase(TrimTrailingSlashes(a),
                                TrimTrailingSlashes(b));
}

bool Supersedes(const std::vector<Grant>& grants, size_t newer,
                size_t older) {
  const Grant& earlier = grants[older];
  const Grant& later = grants[newer];
  if (newer == older || earlier.port != later.port ||
      !SameResourceId(earlier.vm_id, later.vm_id)) {
    return false;
  }
  if (earlier.batch != 0 && earlier.batch == later.batch) return false;
  return later.window.start > earlier.window.start ||
         (later.window.start == earlier.window.start && newer > older);
}

std::vector<absl::Time> EffectiveEnds(const std::vector<Grant>& grants) {
  // Among the grants for one VM and port, ordered by (start, index), the
  // grant that supersedes another first is the next one in that order
  // outside the other's batch: every later grant in the order is newer, and
  // starts no earlier.
  std::vector<std::string> keys;
  keys.reserve(grants.size());
  for (const Grant& grant : grants) keys.push_back(nsg::ResourceIdKey(grant.vm_id));
  std::vector<size_t> order(grants.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(keys[a], grants[a].port, grants[a].window.start, a) <
           std::tie(keys[b], grants[b].port, grants[b].window.start, b);
  });

  auto same_port = [&](size_t a, size_t b) {
    return keys[a] == keys[b] && grants[a].port == grants[b].port;
  };
  // after_run[k]: the first position after k whose grant is not of
  // order[k]'s batch (k + 1 for a grant without a batch).
  std::vector<size_t> after_run(order.size());
  for (size_t k = order.size(); k-- > 0;) {
    size_t next = k + 1;
    if (next < order.size() && grants[order[k]].batch != 0 &&
        grants[order[k]].batch == grants[order[next]].batch &&
        same_port(order[k], order[next])) {
      next = after_run[next];
    }
    after_run[k] = next;
  }

  std::vector<absl::Time> ends;
  ends.reserve(grants.size());
  for (const Grant& grant : grants) ends.push_back(grant.window.end);
  for (size_t k = 0; k < order.size(); ++k) {
    size_t successor = after_run[k];
    if (successor >= order.size() || !same_port(order[k], order[successor])) {
      continue;
    }
    ends[order[k]] =
        std::min(ends[order[k]], grants[order[successor]].window.start);
  }
  return ends;
}

namespace {

GrantState StateWithEnd(const Grant& grant, absl::Time end, absl::Time now) {
  GrantState state;
  if (!grant.rejections.empty()) {
    state.status = "Ignored";
    state.status_reason = grant.rejections.front().code;
    return state;
  }
  if (now < grant.window.start) {
    state.status = "Scheduled";
    state.status_reason = "UserRequested";
    return state;
  }
  if (now < end) {
    state.status = "Initiated";
    state.status_reason = "UserRequested";
    state.active = true;
    return state;
  }
  state.status = "Revoked";
  state.status_reason =
      end < grant.window.end ? "NewerRequestInitiated" : "Expired";
  return state;
}

// The rejections of one recorded grant: the rules DecideRequest() applies to
// a new request, judged against the policy as recorded, and the port's
// status. `source_field` is the member of the recorded port that names
// `grant.source`.
absl::StatusOr<std::vector<Rejection>> JudgeRecordedGrant(
    const JitPolicyVirtualMachine& vm, const JitRequestPort& recorded,
    absl::string_view source_field, const Grant& grant,
    const JitOptions& options) {
  std::vector<Rejection> rejections;
  const std::string& path = recorded.json_path();
  if (absl::EqualsIgnoreCase(recorded.status(), "Initiating")) {
    rejections.push_back(
        {"StatusInitiating",
         absl::StrCat(path, ".status: \"", recorded.status(),
                      "\"; the NSG rule is not known to be in place until "
                      "the port reaches Initiated, so the grant opens "
                      "nothing")});
  }

  const JitPolicyPort* port = FindPort(vm, recorded.number());
  if (port == nullptr) {
    std::vector<std::string> allowed;
    for (const JitPolicyPort& p : vm.ports()) {
      allowed.push_back(absl::StrCat(p.number()));
    }
    rejections.push_back(
        {"PortNotInPolicy",
         absl::StrCat(path, ".number: port ", recorded.number(),
                      " is not in the policy for this VM; allowed ports: ",
                      absl::StrJoin(allowed, ", "))});
    return rejections;
  }

  absl::Duration duration = grant.window.end - grant.window.start;
  absl::StatusOr<absl::Duration> maximum =
      schedule::ParseIsoDuration(port->max_request_access_duration());
  if (!maximum.ok()) return maximum.status();
  absl::Duration limit = std::min(*maximum, options.max_duration);
  if (duration < options.min_duration) {
    rejections.push_back(
        {"DurationTooShort",
         absl::StrCat(path, ".endTimeUtc: the recorded window ",
                      grant.window.ToString(), " lasts ",
                      schedule::FormatIsoDuration(duration),
                      ", shorter than the minimum ",
                      schedule::FormatIsoDuration(options.min_duration))});
  }
  if (duration > limit) {
    rejections.push_back(
        {"DurationTooLong",
         absl::StrCat(path, ".endTimeUtc: the recorded window ",
                      grant.window.ToString(), " lasts ",
                      schedule::FormatIsoDuration(duration),
                      ", longer than the maximum ",
                      schedule::FormatIsoDuration(limit), " for port ",
                      port->number())});
  }
  if (!SourceAllowed(*port, grant.source)) {
    rejections.push_back(
        {"SourceNotAllowed",
         absl::StrCat(path, ".", source_field, ": source ", grant.source,
                      " is not inside the allowed source prefixes of port ",
                      port->number(), ": ",
                      absl::StrJoin(AllowedSources(*port), ", "))});
  }
  return rejections;
}

// The grants one recorded request gives `target`'s VM, without priorities.
absl::Status AddRecordedGrants(const JitRequest& request,
                               const JitPolicyVirtualMachine& vm,
                               const VmTarget& target,
                               const JitOptions& options,
                               std::vector<Grant>& grants) {
  if (request.start_time_utc().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        request.json_path(), ".startTimeUtc: missing; expected the RFC 3339 "
                             "start of a recorded request"));
  }
  absl::StatusOr<absl::Time> start =
      schedule::ParseRfc3339(request.start_time_utc());
  if (!start.ok()) return start.status();

  for (const JitRequestVirtualMachine& request_vm : request.virtual_machines()) {
    if (!SameResourceId(request_vm.id(), target.vm_id)) continue;
    for (const JitRequestPort& port : request_vm.ports()) {
      // A recorded grant without a status cannot be distinguished from a
      // revoked one.
      if (port.status().empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            port.json_path(), ".status: missing; expected Initiated, "
                              "Initiating or Revoked"));
      }
      // A revoked port opens nothing, but it did start: when it initiated,
      // the service ended the older grants for the port. It becomes an
      // empty grant at its start that supersedes them.
      const bool revoked = absl::EqualsIgnoreCase(port.status(), "Revoked");
      absl::StatusOr<absl::Time> end =
          revoked ? absl::StatusOr<absl::Time>(*start)
                  : schedule::ParseRfc3339(port.end_time_utc());
      if (!end.ok()) return end.status();

      std::vector<std::pair<std::string, std::string>> sources;  // field, value
      if (!port.allowed_source_address_prefix().empty()) {
        sources.emplace_back("allowedSourceAddressPrefix",
                             port.allowed_source_address_prefix());
      }
      for (int i = 0; i < port.allowed_source_address_prefixes_size(); ++i) {
        sources.emplace_back(
            absl::StrCat("allowedSourceAddressPrefixes[", i, "]"),
            port.allowed_source_address_prefixes(i));
      }
      if (sources.empty() && revoked) {
        sources.emplace_back("allowedSourceAddressPrefix", "");
      }
      if (sources.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            port.json_path(), ".allowedSourceAddressPrefix: missing; a "
                              "recorded port needs allowedSourceAddressPrefix "
                              "or allowedSourceAddressPrefixes"));
      }
      const JitPolicyPort* policy_port = FindPort(vm, port.number());
      // Unique per recorded port: the position its first grant takes.
      const uint64_t batch = grants.size() + 1;
      for (const auto& [field, source] : sources) {
        Grant grant;
        grant.vm_id = target.vm_id;
        grant.port = port.number();
        grant.protocol = policy_port != nullptr ? policy_port->protocol()
                                                : JIT_PROTOCOL_ANY;
        grant.source = source;
        grant.window = {*start, *end};
        grant.requestor = request.requestor();
        grant.batch = batch;
        if (revoked) {
          grant.rejections.push_back(
              {"StatusRevoked",
               absl::StrCat(port.json_path(), ".status: \"", port.status(),
                            "\"; a revoked port opens nothing, but it "
                            "still ends older grants for the port from its "
                            "start")});
        } else {
          absl::StatusOr<std::vector<Rejection>> rejections =
              JudgeRecordedGrant(vm, port, field, grant, options);
          if (!rejections.ok()) return rejections.status();
          grant.rejections = *std::move(rejections);
        }
        grants.push_back(std::move(grant));
      }
    }
  }
  return absl::OkStatus();
}

// The recorded grants for `target`'s VM, in start order with ties in
// history order, and the deny rule that bounds their priorities. Both
// versions of GrantsFromHistory() start here.
struct RecordedHistory {
  std::vector<Grant> grants;
  nsg::SecurityRule deny;
  // Inbound priorities no allow rule may take: the NSG's rules and the deny
  // rule.
  std::set<int> taken;
};

// Returns nullopt when the policy does not cover `target`'s VM.
absl::StatusOr<std::optional<RecordedHistory>> ReadHistory(
    const JitPolicy& policy, const nsg::NetworkSecurityGroup& nsg,
    const VmTarget& target, const JitOptions& options) {
  const JitPolicyVirtualMachine* vm = FindVirtualMachine(policy, target.vm_id);
  if (vm == nullptr) return std::nullopt;
  RecordedHistory history;
  for (const JitRequest& request : policy.requests()) {
    absl::Status status =
        AddRecordedGrants(request, *vm, target, options, history.grants);
    if (!status.ok()) return status;
  }
  std::stable_sort(history.grants.begin(), history.grants.end(),
                   [](const Grant& a, const Grant& b) {
                     return a.window.start < b.window.start;
                   });

  absl::StatusOr<nsg::SecurityRule> deny =
      PlanDenyRule(nsg, policy, target, options);
  if (!deny.ok()) return deny.status();
  history.deny = *std::move(deny);
  history.taken = InboundPriorities(nsg);
  history.taken.insert(history.deny.priority());
  return history;
}

absl::Status NoFreePriority(const Grant& grant) {
  return absl::FailedPreconditionError(absl::StrCat(
      "no free inbound priority ahead of the JIT deny rule for the "
      "recorded grant of port ",
      grant.port));
}

// Gives each grant of `history` (in start order) the first priority from
// options.allow_priority_start below the deny rule that neither the NSG nor
// an earlier grant whose window overlaps its own already uses.
//
// An earlier grant g starts no later than the grant w being placed, so they
// overlap exactly when g.end > w.start and g.start < w.end. The sweep keeps
// `live`, the earlier grants with g.end > w.start, by end: a grant leaves it
// for good once a start reaches its end. For a non-empty w every live grant
// also has g.start <= w.start < w.end, so the live grants are exactly the
// overlapping ones, and any two live non-empty grants overlap each other,
// so they hold distinct priorities. `free` contains the priorities in range
// that neither the NSG nor a live grant takes, and its smallest is the
// result. An empty or inverted w (end <= start) overlaps only the live
// grants with g.start < w.end, so the priorities of the other live grants
// are free for it too; such a w leaves `live` at the next start.
absl::Status PlaceSweep(const JitPolicy& policy, const VmTarget& target,
                        const JitOptions& options, RecordedHistory& history) {
  const int below = history.deny.priority();
  std::set<int> free;
  for (int priority = options.allow_priority_start; priority < below;
       ++priority) {
    if (history.taken.count(priority) == 0) free.insert(priority);
  }
  // Live grants by end: (end, index into history.grants).
  using Entry = std::pair<absl::Time, size_t>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> live;
  // How many live grants hold each priority; an empty grant may share one.
  std::map<int, int> holders;

  for (size_t i = 0; i < history.grants.size(); ++i) {
    Grant& grant = history.grants[i];
    while (!live.empty() && live.top().first <= grant.window.start) {
      int priority = history.grants[live.top().second].rule.priority();
      live.pop();
      if (--holders[priority] == 0) {
        holders.erase(priority);
        free.insert(priority);
      }
    }

    std::optional<int> priority;
    if (!free.empty()) priority = *free.begin();
    if (grant.window.end <= grant.window.start) {
      // Rare: scan the live grants for priorities this grant may share.
      std::vector<Entry> entries;
      while (!live.empty()) {
        entries.push_back(live.top());
        live.pop();
      }
      for (const Entry& entry : entries) {
        const Grant& other = history.grants[entry.second];
        if (other.window.start >= grant.window.end &&
            (!priority.has_value() || other.rule.priority() < *priority)) {
          priority = other.rule.priority();
        }
        live.push(entry);
      }
    }
    if (!priority.has_value()) return NoFreePriority(grant);

    free.erase(*priority);
    ++holders[*priority];
    grant.rule = AllowRule(policy, target, grant, *priority);
    live.push({grant.window.end, i});
  }
  return absl::OkStatus();
}

}  // namespace

GrantState StateAt(const std::vector<Grant>& grants, size_t index,
                   absl::Time now) {
  const Grant& grant = grants[index];
  absl::Time end = grant.window.end;
  for (size_t j = 0; j < grants.size(); ++j) {
    if (Supersedes(grants, j, index)) {
      end = std::min(end, grants[j].window.start);
    }
  }
  return StateWithEnd(grant, end, now);
}

std::vector<GrantState> StatesAt(const std::vector<Grant>& grants,
                                 absl::Time now) {
  std::vector<absl::Time> ends = EffectiveEnds(grants);
  std::vector<GrantState> states;
  states.reserve(grants.size());
  for (size_t i = 0; i < grants.size(); ++i) {
    states.push_back(StateWithEnd(grants[i], ends[i], now));
  }
  return states;
}

absl::StatusOr<std::vector<Grant>> GrantsFromHistory(
    const JitPolicy& policy, const nsg::NetworkSecurityGroup& nsg,
    const VmTarget& target, const JitOptions& options) {
  absl::StatusOr<std::optional<RecordedHistory>> history =
      ReadHistory(policy, nsg, target, options);
  if (!history.ok()) return history.status();
  if (!history->has_value()) return std::vector<Grant>();
  absl::Status placed = PlaceSweep(policy, target, options, **history);
  if (!placed.ok()) return placed;
  return std::move((*history)->grants);
}

namespace reference {

absl::StatusOr<std::vector<Grant>> GrantsFromHistory(
    const JitPolicy& policy, const nsg::NetworkSecurityGroup& nsg,
    const VmTarget& target, const JitOptions& options) {
  absl::StatusOr<std::optional<RecordedHistory>> read =
      ReadHistory(policy, nsg, target, options);
  if (!read.ok()) return read.status();
  if (!read->has_value()) return std::vector<Grant>();
  RecordedHistory& history = **read;

  std::vector<Grant> placed;
  for (Grant& grant : history.grants) {
    std::set<int> taken = history.taken;
    for (int priority : GrantPriorities(placed, grant.window)) {
      taken.insert(priority);
    }
    std::optional<int> priority = FirstFree(
        taken, options.allow_priority_start, history.deny.priority());
    if (!priority.has_value()) return NoFreePriority(grant);
    grant.rule = AllowRule(policy, target, grant, *priority);
    placed.push_back(std::move(grant));
  }
  return placed;
}

std::vector<absl::Time> EffectiveEnds(const std::vector<Grant>& grants) {
  std::vector<absl::Time> ends;
  ends.reserve(grants.size());
  for (size_t i = 0; i < grants.size(); ++i) {
    absl::Time end = grants[i].window.end;
    for (size_t j = 0; j < grants.size(); ++j) {
      if (Supersedes(grants, j, i)) end = std::min(end, grants[j].window.start);
    }
    ends.push_back(end);
  }
  return ends;
}

}  // namespace reference

absl::StatusOr<nsg::NetworkSecurityGroup> WithJitRules(
    const nsg::NetworkSecurityGroup& nsg, const JitPolicy& policy,
    const VmTarget& target, const std::vector<Grant>& grants, absl::Time now,
    const JitOptions& options) {
  absl::StatusOr<nsg::SecurityRule> deny =
      PlanDenyRule(nsg, policy, target, options);
  if (!deny.ok()) return deny.status();

  nsg::NetworkSecurityGroup merged = nsg;
  bool present = false;
  for (const nsg::SecurityRule& rule : nsg.security_rules()) {
    if (rule.name() == deny->name()) present = true;
  }
  if (!present) *merged.add_security_rules() = *deny;
  std::vector<GrantState> states = StatesAt(grants, now);
  for (size_t i = 0; i < grants.size(); ++i) {
    if (states[i].active) *merged.add_security_rules() = grants[i].rule;
  }
  return merged;
}

OpenState PortOpenState(const std::vector<Grant>& grants,
                        absl::string_view vm_id, uint32_t port,
                        const net::IpAddress& source, absl::Time now) {
  std::vector<absl::Time> ends = EffectiveEnds(grants);
  std::vector<schedule::Window> windows;
  const net::IpAddress address = source.Unmap();
  for (size_t i = 0; i < grants.size(); ++i) {
    const Grant& grant = grants[i];
    if (grant.port != port || !grant.rejections.empty() ||
        !SameResourceId(grant.vm_id, vm_id)) {
      continue;
    }
    bool covers = grant.source == "*";
    if (!covers) {
      absl::StatusOr<net::IpPrefix> prefix =
          net::IpPrefix::ParseStrict(grant.source);
      covers = prefix.ok() && net::UnmapPrefix(*prefix).Contains(address);
    }
    if (!covers) continue;
    windows.push_back({grant.window.start, ends[i]});
  }

  OpenState state;
  state.windows = schedule::IntervalSet::FromWindows(std::move(windows))
                      .Intersect(schedule::IntervalSet::Of(
                          {now, absl::InfiniteFuture()}));
  state.open = state.windows.Contains(now);
  state.closes_at = state.windows.NextClosing(now);
  return state;
}

}  // namespace portcullis::jit
