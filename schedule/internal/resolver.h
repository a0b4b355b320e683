// A ResolveLocalTime() that remembers the UTC offset between transitions.
//
// Expanding a year of work hours turns about a thousand local times into
// instants. absl::TimeZone::At() searches the zone's transitions for each of
// them, although the offset changes only a few times a year. CachedResolver
// keeps the span between two transitions of the last lookup and, for a local
// time well inside that span, subtracts the span's offset directly.
//
// Why that is exact: RFC 8536 keeps TZif offsets under 26 hours from UTC, so
// every instant that shows local time L lies within 26 hours of L (read as if
// it were UTC). If L - offset lies at least kMarginSeconds (60 hours)
// inside the span, every such instant lies inside the span too, and the span
// has one offset, so L occurs exactly once, at L - offset. Other local times
// take the slow path, ResolveLocalTime(). Tests compare the two on random
// local times in zones with unusual transitions.
//
// Not thread-safe: one resolver per expansion.
#ifndef PORTCULLIS_SCHEDULE_INTERNAL_RESOLVER_H_
#define PORTCULLIS_SCHEDULE_INTERNAL_RESOLVER_H_

#include <cstdint>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "schedule/zone.h"

namespace portcullis::schedule::internal {

class CachedResolver {
 public:
  CachedResolver(const absl::TimeZone& zone, LocalTimePolicy policy)
      : zone_(zone), policy_(policy) {}

  ResolvedTime Resolve(absl::CivilSecond local) {
    if (fast_from_ <= local && local < fast_to_) {
      return {absl::FromUnixSeconds((local - kEpoch) - offset_),
              absl::TimeZone::TimeInfo::UNIQUE};
    }
    const ResolvedTime resolved = ResolveLocalTime(local, zone_, policy_);
    if (resolved.kind == absl::TimeZone::TimeInfo::UNIQUE) {
      Remember(*resolved.time);
    }
    return resolved;
  }

 private:
  static constexpr int64_t kMarginSeconds = 60 * 3600;
  static inline const absl::CivilSecond kEpoch{1970, 1, 1, 0, 0, 0};

  // Caches the span of constant offset around `instant`.
  void Remember(absl::Time instant) {
    const absl::TimeZone::CivilInfo info = zone_.At(instant);
    absl::TimeZone::CivilTransition transition;
    // The span starts at the last transition at or before `instant`.
    absl::CivilSecond span_start_local = absl::CivilSecond::min();
    if (zone_.PrevTransition(instant + absl::Seconds(1), &transition)) {
      span_start_local = transition.to;
    }
    absl::CivilSecond span_end_local = absl::CivilSecond::max();
    if (zone_.NextTransition(instant, &transition)) {
      span_end_local = transition.from;
    }
    offset_ = info.offset;
    // transition.to and transition.from are local times under this span's
    // offset, so the margins can be applied in local time.
    fast_from_ = span_start_local == absl::CivilSecond::min()
                     ? span_start_local
                     : span_start_local + kMarginSeconds;
    fast_to_ = span_end_local == absl::CivilSecond::max()
                   ? span_end_local
                   : span_end_local - kMarginSeconds;
  }

  absl::TimeZone zone_;
  LocalTimePolicy policy_;
  int64_t offset_ = 0;
  // Local times in [fast_from_, fast_to_) resolve to local - offset_.
  absl::CivilSecond fast_from_ = absl::CivilSecond::max();
  absl::CivilSecond fast_to_ = absl::CivilSecond::min();
};

}  // namespace portcullis::schedule::internal

#endif  // PORTCULLIS_SCHEDULE_INTERNAL_RESOLVER_H_
