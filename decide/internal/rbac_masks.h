// The RBAC layer's fast path: for the operations a connection to one VM
// needs, which of them each principal's role assignments grant, as bit
// masks computed at build time.
//
// Grants add up across assignments, so what a user with groups is granted
// is the OR of what the user and each group are granted on their own. The
// build calls rbac::Policy::Check() (the slow twin) once per principal and
// operation, on a policy without deny assignments. A decision then ORs a
// few masks instead of checking a dozen operations:
//
//   operation           0 vm/read  1 nic/read  2 bastionHosts/read ...
//   user 8f14e45f...       1           1          0
//   group 4d9a6c2e...      0           0          1
//
// Deny assignments are left to the slow path: an operation that some deny
// assignment can block (for some principal) is marked in deny_relevant(),
// and a decision that needs such an operation runs rbac::Policy::Check().
//
// Immutable after Compile(); Granted() is thread-safe and allocates nothing.
#ifndef PORTCULLIS_DECIDE_INTERNAL_RBAC_MASKS_H_
#define PORTCULLIS_DECIDE_INTERNAL_RBAC_MASKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "access/rbac.h"
#include "access/rbac_operations.h"
#include "proto/rbac.pb.h"
#include "schedule/interval.h"

namespace portcullis::decide::internal {

// At most this many distinct operations per VM.
inline constexpr int kMaxRbacOperations = 32;

// Principal ids longer than this are looked up by the slow path.
inline constexpr size_t kMaxPrincipalIdLength = 96;

class RbacMasks {
 public:
  // Computes the masks of `input`'s role assignments for `operations`. Fails
  // on more than kMaxRbacOperations operations or an input that does not
  // compile.
  static absl::StatusOr<RbacMasks> Compile(const rbac::RbacInput& input,
                                           absl::Span<const rbac::Operation> operations);

  RbacMasks() = default;

  // The operations that standing assignments of `principal` or of one of
  // `groups`, and time-bound ones active at `now`, grant. Returns false
  // (leaving *granted unspecified) when an id is too long for the lookup
  // buffer, so the caller must take the slow path.
  bool Granted(absl::string_view principal, absl::Span<const std::string> groups,
               absl::Time now, uint32_t* granted) const;

  // Operations that some deny assignment may block.
  uint32_t deny_relevant() const { return deny_relevant_; }

  // The operations `principal` is granted by `policy` at `now`, one
  // rbac::Policy::Check() per operation.
  static uint32_t CheckEach(const rbac::Policy& policy, absl::string_view principal,
                            absl::Span<const rbac::Operation> operations, absl::Time now);

 private:
  struct TimedGrant {
    std::string principal;  // lower case
    schedule::Window window;
    uint32_t mask = 0;
  };

  // Lower-case principal id to the operations its standing assignments
  // grant.
  absl::flat_hash_map<std::string, uint32_t> standing_;
  std::vector<TimedGrant> timed_;
  uint32_t deny_relevant_ = 0;
};

}  // namespace portcullis::decide::internal

#endif  // PORTCULLIS_DECIDE_INTERNAL_RBAC_MASKS_H_
