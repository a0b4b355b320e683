// Conversions between absl time types and the protobuf well-known types
// that the PIM messages use.
#ifndef PORTCULLIS_PIM_INTERNAL_PROTO_TIME_H_
#define PORTCULLIS_PIM_INTERNAL_PROTO_TIME_H_

#include <cstdint>

#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace portcullis::pim::internal {

inline google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  google::protobuf::Timestamp out;
  // ToUnixSeconds rounds down, so the nanoseconds are never negative.
  int64_t seconds = absl::ToUnixSeconds(time);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
  return out;
}

inline absl::Time FromTimestamp(const google::protobuf::Timestamp& time) {
  return absl::FromUnixSeconds(time.seconds()) +
         absl::Nanoseconds(time.nanos());
}

inline google::protobuf::Duration ToDurationProto(absl::Duration duration) {
  google::protobuf::Duration out;
  absl::Duration remainder;
  int64_t seconds = absl::IDivDuration(duration, absl::Seconds(1), &remainder);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(remainder)));
  return out;
}

inline absl::Duration FromDurationProto(
    const google::protobuf::Duration& duration) {
  return absl::Seconds(duration.seconds()) +
         absl::Nanoseconds(duration.nanos());
}

}  // namespace portcullis::pim::internal

#endif  // PORTCULLIS_PIM_INTERNAL_PROTO_TIME_H_
