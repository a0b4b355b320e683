// Just-in-time (JIT) VM access on top of NSG rules, as Defender for Cloud
// applies it.
//
// Enabling a policy puts one deny rule per VM on the VM's NSG, covering the
// policy's ports for the VM's private address. An approved request adds an
// allow rule ahead of that deny rule, for one source and one port, valid on
// the half-open window [start, end). Grants live beside the base NSG rules,
// never inside them, so redeploying the base NSG keeps every active grant,
// and WithJitRules() merges both when a verdict is needed.
//
// Placement (documented by Defender for Cloud: "If other rules already exist
// for the selected ports, then those existing rules take priority over the
// new deny rules. If there are no existing rules on the selected ports, then
// the new rules take top priority"):
//
//   - The deny rule takes the first free priority after the highest
//     priority number among the NSG's inbound allow rules that cover any
//     policy port for the VM, so each such rule keeps its precedence. Deny
//     rules that cover those ports are not counted: a flow that both deny
//     rules match is denied in either order. With no covering allow rule,
//     the deny rule takes the first free priority from
//     JitOptions::deny_priority_floor (1000, the value seen in real
//     exports).
//   - Allow rules take the first free priority from
//     JitOptions::allow_priority_start (100) upward, below the deny rule's.
//
// Names are deterministic: `SecurityCenter-JITRule_<int>_<32 hex>` for the
// deny rule and `SecurityCenter-JITRule-<int>-<32 hex>` for an allow rule,
// the two shapes real exports show, with the numbers derived from a hash of
// the policy, VM, port, source and start time.
//
// Every function takes `now`; nothing here reads the clock. All functions
// are pure and thread-safe.
#ifndef PORTCULLIS_NSG_JIT_H_
#define PORTCULLIS_NSG_JIT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "net/ip_address.h"
#include "proto/jit.pb.h"
#include "proto/nsg.pb.h"
#include "schedule/interval.h"

namespace portcullis::jit {

struct JitOptions {
  // First priority tried for a deny rule when no existing rule covers the
  // policy's ports.
  int deny_priority_floor = 1000;
  // First priority tried for allow rules.
  int allow_priority_start = 100;
  // Bounds on a request's duration. The API documents 5 minutes to 1 day.
  absl::Duration min_duration = absl::Minutes(5);
  absl::Duration max_duration = absl::Hours(24);
};

// The NSG that receives a VM's JIT rules.
enum class Placement { kNetworkInterface, kSubnet };

// "networkInterface" or "subnet".
absl::string_view PlacementName(Placement placement);

// The VM a policy protects, as its NIC describes it.
struct VmTarget {
  std::string vm_id;
  // The NIC's primary private address (or delegated prefix), which JIT rules
  // name as their destination.
  std::string private_address;
  // The NSG that receives the rules: the NIC's, or the subnet's when the NIC
  // has none.
  Placement placement = Placement::kNetworkInterface;
  std::string nsg_id;
};

// Works out where the rules of the NIC's VM go, given the NSG the caller
// supplies. When the NIC has an NSG, `nsg` must be that NSG, compared by id
// or, when `nsg` has no id, by name. Otherwise `nsg` is the subnet's NSG.
absl::StatusOr<VmTarget> TargetForNic(const NetworkInterface& nic,
                                      const nsg::NetworkSecurityGroup& nsg);

// Returns the policy's entry for `vm_id` (compared without regard to case),
// or nullptr.
const JitPolicyVirtualMachine* FindVirtualMachine(const JitPolicy& policy,
                                                  absl::string_view vm_id);

// Returns the deny rule that enabling `policy` puts on `nsg` for `target`,
// placed as described above. When `nsg` already contains a rule of that name,
// that rule is returned unchanged.
absl::StatusOr<nsg::SecurityRule> PlanDenyRule(
    const nsg::NetworkSecurityGroup& nsg, const JitPolicy& policy,
    const VmTarget& target, const JitOptions& options = {});

// A request for one port, as a caller makes it.
struct AccessRequest {
  std::string vm_id;
  uint32_t port = 0;
  // An address or CIDR prefix; empty means `requester_address`.
  std::string source;
  // The address the request came from.
  std::string requester_address;
  absl::Time start;
  absl::Time end;
  std::string requestor;
  std::string justification;
};

// A reason a request was rejected. Codes are stable strings for JSON output.
struct Rejection {
  std::string code;     // e.g. "PortNotInPolicy"
  std::string message;  // a sentence with the offending values
};

// One grant: an allow rule valid on [window.start, window.end).
struct Grant {
  std::string vm_id;
  uint32_t port = 0;
  JitProtocol protocol = JIT_PROTOCOL_UNSPECIFIED;
  std::string source;
  schedule::Window window;
  nsg::SecurityRule rule;
  std::string requestor;
  // Grants recorded for one port of one request, one per source prefix,
  // share a nonzero batch. They start together, and none supersedes
  // another. 0 for a grant of its own.
  uint64_t batch = 0;
  // Reasons a recorded grant opens nothing (see GrantsFromHistory()). A
  // grant with rejections never becomes active, but it keeps its priority
  // and still ends older grants for the same VM and port.
  std::vector<Rejection> rejections;
};

struct RequestDecision {
  bool granted = false;
  std::vector<Rejection> rejections;
  // The deny rule the policy needs on the NSG (present when granted).
  std::optional<nsg::SecurityRule> deny_rule;
  std::vector<Grant> grants;
};

// Validates `request` against `policy` and plans its allow rule on `nsg`,
// next to `existing` grants (whose priorities stay taken):
//   - the VM and the port are in the policy; the grant takes the policy
//     port's protocol, because requests carry none;
//   - min_duration <= end - start <= min(the port's maximum, max_duration);
//   - the source lies inside one of the allowed prefixes. A single address
//     inside an allowed CIDR is accepted on purpose, although one user
//     report says the service rejected that case. IPv4-mapped prefixes
//     compare as IPv4 (net::UnmapPrefix), so ::/0 allows no IPv4 source.
// Returns an error only for malformed input; a request that breaks a rule
// gives a decision with `granted` false and its rejections.
absl::StatusOr<RequestDecision> DecideRequest(
    const JitPolicy& policy, const nsg::NetworkSecurityGroup& nsg,
    const VmTarget& target, const AccessRequest& request,
    const std::vector<Grant>& existing, const JitOptions& options = {});

// True when two Azure resource ids name the same resource: ids compare
// without regard to ASCII case or trailing slashes.
bool SameResourceId(absl::string_view a, absl::string_view b);

// The state of a grant at an instant.
struct GrantState {
  // `Initiated` while active; `Revoked` once over; `Scheduled` before start;
  // `Ignored` at every instant for a grant with rejections.
  std::string status;
  // `UserRequested`, `Expired` or `NewerRequestInitiated`; for an ignored
  // grant, the code of its first rejection.
  std::string status_reason;
  bool active = false;
};

// True when `grants[newer]` ends `grants[older]` from its start: both are
// for the same VM and port, `newer` starts later or at the same instant
// and later in `grants`, and the two are not of one batch.
bool Supersedes(const std::vector<Grant>& grants, size_t newer, size_t older);

// The end of each grant's effective window: its own end, or the start of
// the first grant that supersedes it, whichever comes first. O(n log n) for
// n grants.
std::vector<absl::Time> EffectiveEnds(const std::vector<Grant>& grants);

// The state of `grants[index]` at `now`. A newer grant for the same VM and
// port supersedes it from the newer one's start (`NewerRequestInitiated`);
// at its end it is gone (`Expired`). O(n) for n grants: use StatesAt() for
// all of them.
GrantState StateAt(const std::vector<Grant>& grants, size_t index,
                   absl::Time now);

// The state of every grant at `now`, as StateAt() gives it.
std::vector<GrantState> StatesAt(const std::vector<Grant>& grants,
                                 absl::Time now);

// The grants recorded in a policy's request history for `target`'s VM, in
// the order they started (ties keep the history's order). A port whose
// status is `Revoked` gives an empty grant at its start with the rejection
// `StatusRevoked`: it opens nothing but ends older grants for the port.
//
// A recorded grant is judged by the rules DecideRequest() applies to a new
// request, against the policy as recorded. The port must be in the policy,
// the source inside one of the port's allowed prefixes, and the duration in
// [min_duration, min(maxRequestAccessDuration, max_duration)].
// Defender for Cloud could not have made a grant that breaks them. A port
// that is still `Initiating` may not have its NSG rule yet. Either kind of
// grant gets `rejections` that name the recorded field, and opens nothing.
//
// Priorities are assigned as DecideRequest would, in start order, skipping
// those of earlier grants whose windows overlap. Runs in O(n log n) for n
// recorded grants (plus the NSG's rules and the priority range): one sort,
// then one sweep in start order.
absl::StatusOr<std::vector<Grant>> GrantsFromHistory(
    const JitPolicy& policy, const nsg::NetworkSecurityGroup& nsg,
    const VmTarget& target, const JitOptions& options = {});

// Slow, obviously correct twins of GrantsFromHistory() and EffectiveEnds(),
// quadratic in the number of grants. They define the results that the
// sweeps must reproduce, and differential tests compare the two.
namespace reference {

absl::StatusOr<std::vector<Grant>> GrantsFromHistory(
    const JitPolicy& policy, const nsg::NetworkSecurityGroup& nsg,
    const VmTarget& target, const JitOptions& options = {});

std::vector<absl::Time> EffectiveEnds(const std::vector<Grant>& grants);

}  // namespace reference

// Returns `nsg` with the policy's deny rule for `target` and the allow rules
// of the grants active at `now` added to its security rules. Grants with
// rejections add no rule.
absl::StatusOr<nsg::NetworkSecurityGroup> WithJitRules(
    const nsg::NetworkSecurityGroup& nsg, const JitPolicy& policy,
    const VmTarget& target, const std::vector<Grant>& grants, absl::Time now,
    const JitOptions& options = {});

// When a port is open for a source: whether it is open at `now`, when it
// next closes, and the windows during which it is open (from `now` on).
struct OpenState {
  bool open = false;
  std::optional<absl::Time> closes_at;
  schedule::IntervalSet windows;
};

// Computes whether `port` on `vm_id` is open for `source` according to
// `grants`, taking supersession into account. Grants with rejections never
// open the port. An IPv4-mapped `source` or grant prefix is read as IPv4.
OpenState PortOpenState(const std::vector<Grant>& grants,
                        absl::string_view vm_id, uint32_t port,
                        const net::IpAddress& source, absl::Time now);

}  // namespace portcullis::jit

#endif  // PORTCULLIS_NSG_JIT_H_
