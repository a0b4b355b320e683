// A connection table that makes NSG filtering stateful.
//
// Azure keeps a flow record for every connection an NSG allowed. Packets of
// a recorded connection pass in both directions whatever the rules of the
// reverse direction say, and a rule change affects only new connections:
// an SSH session that is open when its allow rule is removed stays open.
// The exception is an NSG whose `flushConnection` property is true, where a
// rule change re-evaluates the recorded flows.
//
// ConnectionTable models that record. The caller evaluates the rules for a
// packet that opens a connection and records it; later packets of either
// direction are looked up first:
//
//   ConnectionTableOptions options;
//   options.max_connections = 10000;
//   absl::StatusOr<std::unique_ptr<ConnectionTable>> table =
//       ConnectionTable::Create(options);
//   ...
//   StatefulDecision decision = (*table)->Admit(
//       packet, now, [&](const FiveTuple& flow) { return RulesAllow(flow); });
//   if (decision.allowed) Forward(packet);
//
// Time is passed in, never read from a clock. Memory is bounded by
// `max_connections`: when the table is full after idle entries are dropped,
// a new connection is rejected, never admitted without a record, and never
// allowed to push out an established one.
#ifndef PORTCULLIS_NSG_CONNECTION_TABLE_H_
#define PORTCULLIS_NSG_CONNECTION_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "net/ip_address.h"

namespace portcullis::nsg {

// IANA protocol numbers of the protocols an NSG rule can name.
inline constexpr uint8_t kProtocolIcmp = 1;
inline constexpr uint8_t kProtocolTcp = 6;
inline constexpr uint8_t kProtocolUdp = 17;
inline constexpr uint8_t kProtocolEsp = 50;
inline constexpr uint8_t kProtocolAh = 51;

// The source and destination address and port and the IANA protocol number
// of a packet, as the sender sent it. Protocols without ports (ICMP, ESP,
// AH) carry port 0 on both sides.
struct FiveTuple {
  uint8_t protocol = 0;
  net::IpAddress source;
  uint16_t source_port = 0;
  net::IpAddress destination;
  uint16_t destination_port = 0;

  // Returns the tuple of a reply: source and destination swapped.
  FiveTuple Reversed() const {
    return FiveTuple{protocol, destination, destination_port, source,
                     source_port};
  }

  // Formats as "tcp 192.0.2.1:50000 -> 198.51.100.7:22"; IPv6 addresses are
  // written in brackets when a port follows.
  std::string ToString() const;

  friend bool operator==(const FiveTuple& a, const FiveTuple& b) {
    return a.protocol == b.protocol && a.source == b.source &&
           a.source_port == b.source_port && a.destination == b.destination &&
           a.destination_port == b.destination_port;
  }
  friend bool operator!=(const FiveTuple& a, const FiveTuple& b) {
    return !(a == b);
  }

  template <typename H>
  friend H AbslHashValue(H state, const FiveTuple& tuple) {
    return H::combine(std::move(state), tuple.protocol, tuple.source,
                      tuple.source_port, tuple.destination,
                      tuple.destination_port);
  }
};

// How a packet relates to the recorded connections.
enum class ConnectionMatch {
  kNone,      // not part of a recorded connection
  kOriginal,  // sent the way the connection was opened
  kReply,     // sent the reverse way
};

// Limits of a ConnectionTable.
struct ConnectionTableOptions {
  // Maximum number of recorded connections. Each costs about 100 bytes
  // (an estimate: the tuple, a list node and a hash slot on x86-64).
  size_t max_connections = 65536;

  // A connection without packets for this long is forgotten, and its next
  // packet is evaluated against the rules as a new connection. The default
  // is Azure's default TCP idle timeout (4 minutes; Azure accepts 4 to 30).
  absl::Duration idle_timeout = absl::Minutes(4);
};

// Why Admit() allowed or denied a packet.
enum class StatefulReason {
  kEstablished,  // continues a recorded connection the way it was opened
  kReply,        // reply of a recorded connection
  kRulesAllow,   // new connection, allowed by the rules and now recorded
  kRulesDeny,    // new connection, denied by the rules
  kTableFull,    // new connection, allowed by the rules but the table is full
};

// The outcome of ConnectionTable::Admit().
struct StatefulDecision {
  bool allowed = false;
  StatefulReason reason = StatefulReason::kRulesDeny;
};

// Returns a short lower-case name of `reason`, such as "reply".
const char* StatefulReasonName(StatefulReason reason);

// A table of open connections keyed by the 5-tuple of the packet that opened
// them.
//
// Thread-safe: every method locks an internal mutex, so one table can be
// shared by threads that filter packets. The callbacks of Admit() and
// ReevaluateAfterRuleChange() run under that lock and must not call back into
// the table.
//
// Times passed to the methods should not decrease. A time earlier than the
// latest one seen is taken as the latest one, so idle timeouts never run
// backwards.
class ConnectionTable {
 public:
  // Returns InvalidArgument when max_connections is 0 or idle_timeout is not
  // positive and finite.
  static absl::StatusOr<std::unique_ptr<ConnectionTable>> Create(
      const ConnectionTableOptions& options);

  ConnectionTable(const ConnectionTable&) = delete;
  ConnectionTable& operator=(const ConnectionTable&) = delete;

  // Decides a packet statefully. A packet of a recorded connection, in
  // either direction, is allowed without consulting the rules and refreshes
  // the connection. Any other packet opens a new connection:
  // `rules_allow(packet)` decides it, and an allowed one is recorded, unless
  // the table is full, in which case it is denied (kTableFull).
  StatefulDecision Admit(const FiveTuple& packet, absl::Time now,
                         absl::FunctionRef<bool(const FiveTuple&)> rules_allow);

  // Records `opening` as an open connection at `now`, or refreshes it when
  // it is already recorded. Returns ResourceExhausted when the table holds
  // max_connections live connections.
  absl::Status Open(const FiveTuple& opening, absl::Time now);

  // Looks `packet` up among the live connections and refreshes the one it
  // belongs to. Connections idle for idle_timeout or longer at `now` are
  // dropped first and never match.
  ConnectionMatch Lookup(const FiveTuple& packet, absl::Time now);

  // Applies a change of the rules that decided the recorded connections.
  // When `flush_connection` is false (Azure's default), nothing changes:
  // established connections continue. When it is true, each connection's
  // opening tuple is evaluated again with `still_allowed` and the ones it
  // rejects are removed. Returns the number of removed connections.
  size_t ReevaluateAfterRuleChange(
      bool flush_connection,
      absl::FunctionRef<bool(const FiveTuple&)> still_allowed);

  // Drops every connection idle at `now` and returns how many it dropped.
  size_t ExpireIdle(absl::Time now);

  // The number of recorded connections, including idle ones not yet dropped.
  size_t size() const;

  const ConnectionTableOptions& options() const { return options_; }

 private:
  struct Entry {
    FiveTuple opening;
    absl::Time last_seen;
  };
  // Entries ordered by last_seen, oldest first, so expiry pops the front.
  using EntryList = std::list<Entry>;

  explicit ConnectionTable(const ConnectionTableOptions& options)
      : options_(options) {}

  // The methods below expect mutex_ to be held.
  absl::Time ClampLocked(absl::Time now);
  size_t ExpireIdleLocked(absl::Time now);
  ConnectionMatch LookupLocked(const FiveTuple& packet, absl::Time now);
  absl::Status OpenLocked(const FiveTuple& opening, absl::Time now);
  void TouchLocked(EntryList::iterator entry, absl::Time now);

  const ConnectionTableOptions options_;
  mutable std::mutex mutex_;
  absl::Time latest_ = absl::InfinitePast();
  EntryList entries_;
  absl::flat_hash_map<FiveTuple, EntryList::iterator> index_;
};

}  // namespace portcullis::nsg

#endif  // PORTCULLIS_NSG_CONNECTION_TABLE_H_
