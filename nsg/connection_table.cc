#include "nsg/connection_table.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace portcullis::nsg {

namespace {

std::string ProtocolText(uint8_t protocol) {
  switch (protocol) {
    case kProtocolTcp:
      return "tcp";
    case kProtocolUdp:
      return "udp";
    case kProtocolIcmp:
      return "icmp";
    case kProtocolEsp:
      return "esp";
    case kProtocolAh:
      return "ah";
    default:
      return absl::StrCat("protocol ", protocol);
  }
}

std::string Endpoint(const net::IpAddress& address, uint16_t port) {
  if (address.is_v6()) return absl::StrCat("[", address.ToString(), "]:", port);
  return absl::StrCat(address.ToString(), ":", port);
}

}  // namespace

std::string FiveTuple::ToString() const {
  return absl::StrCat(ProtocolText(protocol), " ",
                      Endpoint(source, source_port), " -> ",
                      Endpoint(destination, destination_port));
}

const char* StatefulReasonName(StatefulReason reason) {
  switch (reason) {
    case StatefulReason::kEstablished:
      return "established";
    case StatefulReason::kReply:
      return "reply";
    case StatefulReason::kRulesAllow:
      return "rules allow";
    case StatefulReason::kRulesDeny:
      return "rules deny";
    case StatefulReason::kTableFull:
      return "connection table full";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<ConnectionTable>> ConnectionTable::Create(
    const ConnectionTableOptions& options) {
  if (options.max_connections == 0) {
    return absl::InvalidArgumentError(
        "max_connections: invalid value 0; expected at least 1");
  }
  if (options.idle_timeout <= absl::ZeroDuration() ||
      options.idle_timeout == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("idle_timeout: invalid value ",
                     absl::FormatDuration(options.idle_timeout),
                     "; expected a positive finite duration"));
  }
  return std::unique_ptr<ConnectionTable>(new ConnectionTable(options));
}

StatefulDecision ConnectionTable::Admit(
    const FiveTuple& packet, absl::Time now,
    absl::FunctionRef<bool(const FiveTuple&)> rules_allow) {
  std::lock_guard<std::mutex> lock(mutex_);
  now = ClampLocked(now);

  switch (LookupLocked(packet, now)) {
    case ConnectionMatch::kOriginal:
      return {true, StatefulReason::kEstablished};
    case ConnectionMatch::kReply:
      return {true, StatefulReason::kReply};
    case ConnectionMatch::kNone:
      break;
  }

  if (!rules_allow(packet)) return {false, StatefulReason::kRulesDeny};
  if (!OpenLocked(packet, now).ok()) return {false, StatefulReason::kTableFull};
  return {true, StatefulReason::kRulesAllow};
}

absl::Status ConnectionTable::Open(const FiveTuple& opening, absl::Time now) {
  std::lock_guard<std::mutex> lock(mutex_);
  return OpenLocked(opening, ClampLocked(now));
}

ConnectionMatch ConnectionTable::Lookup(const FiveTuple& packet,
                                        absl::Time now) {
  std::lock_guard<std::mutex> lock(mutex_);
  return LookupLocked(packet, ClampLocked(now));
}

size_t ConnectionTable::ReevaluateAfterRuleChange(
    bool flush_connection,
    absl::FunctionRef<bool(const FiveTuple&)> still_allowed) {
  if (!flush_connection) return 0;

  std::lock_guard<std::mutex> lock(mutex_);
  size_t removed = 0;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (still_allowed(it->opening)) {
      ++it;
      continue;
    }
    index_.erase(it->opening);
    it = entries_.erase(it);
    ++removed;
  }
  return removed;
}

size_t ConnectionTable::ExpireIdle(absl::Time now) {
  std::lock_guard<std::mutex> lock(mutex_);
  return ExpireIdleLocked(ClampLocked(now));
}

size_t ConnectionTable::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

absl::Time ConnectionTable::ClampLocked(absl::Time now) {
  latest_ = std::max(latest_, now);
  return latest_;
}

size_t ConnectionTable::ExpireIdleLocked(absl::Time now) {
  size_t dropped = 0;
  while (!entries_.empty() &&
         now - entries_.front().last_seen >= options_.idle_timeout) {
    index_.erase(entries_.front().opening);
    entries_.pop_front();
    ++dropped;
  }
  return dropped;
}

ConnectionMatch ConnectionTable::LookupLocked(const FiveTuple& packet,
                                              absl::Time now) {
  ExpireIdleLocked(now);

  if (auto it = index_.find(packet); it != index_.end()) {
    TouchLocked(it->second, now);
    return ConnectionMatch::kOriginal;
  }
  if (auto it = index_.find(packet.Reversed()); it != index_.end()) {
    TouchLocked(it->second, now);
    return ConnectionMatch::kReply;
  }
  return ConnectionMatch::kNone;
}

absl::Status ConnectionTable::OpenLocked(const FiveTuple& opening,
                                         absl::Time now) {
  ExpireIdleLocked(now);

  if (auto it = index_.find(opening); it != index_.end()) {
    TouchLocked(it->second, now);
    return absl::OkStatus();
  }
  if (entries_.size() >= options_.max_connections) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "connection table full: ", entries_.size(),
        " live connections (max_connections); rejecting ",
        opening.ToString()));
  }
  entries_.push_back(Entry{opening, now});
  index_.emplace(opening, std::prev(entries_.end()));
  return absl::OkStatus();
}

void ConnectionTable::TouchLocked(EntryList::iterator entry, absl::Time now) {
  // `now` is the latest time seen, so moving the entry to the back keeps the
  // list ordered by last_seen.
  entry->last_seen = now;
  entries_.splice(entries_.end(), entries_, entry);
}

}  // namespace portcullis::nsg
