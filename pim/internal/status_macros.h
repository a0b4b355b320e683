// Early-return helpers for absl::Status and absl::StatusOr, which Debian's
// Abseil 20220623 does not provide.
#ifndef PORTCULLIS_PIM_INTERNAL_STATUS_MACROS_H_
#define PORTCULLIS_PIM_INTERNAL_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"

// Returns the status of `expr` (an absl::Status) when it is not OK.
#define PIM_RETURN_IF_ERROR(expr)                  \
  do {                                             \
    ::absl::Status pim_status_ = (expr);           \
    if (!pim_status_.ok()) return pim_status_;     \
  } while (false)

#define PIM_STATUS_CONCAT_INNER(a, b) a##b
#define PIM_STATUS_CONCAT(a, b) PIM_STATUS_CONCAT_INNER(a, b)

// Evaluates `expr` (an absl::StatusOr<T>); returns its status when not OK,
// else moves its value into `lhs`, which may be a declaration.
#define PIM_ASSIGN_OR_RETURN(lhs, expr) \
  PIM_ASSIGN_OR_RETURN_IMPL(PIM_STATUS_CONCAT(pim_status_or_, __LINE__), lhs, expr)

#define PIM_ASSIGN_OR_RETURN_IMPL(status_or, lhs, expr) \
  auto status_or = (expr);                              \
  if (!status_or.ok()) return status_or.status();       \
  lhs = *std::move(status_or)

#endif  // PORTCULLIS_PIM_INTERNAL_STATUS_MACROS_H_
