// The meaning of the read-only `status` of a PIM schedule request for the
// role that the request activates.
//
// Graph (unifiedRoleAssignmentScheduleRequest.status) and ARM
// (roleAssignmentScheduleRequests properties.status, the
// RoleManagementScheduleStatus values of api-version 2020-10-01) report the
// same set of values, Graph a subset of ARM's:
//
//   std::optional<RequestStatus> status = ParseRequestStatus("Canceled");
//   // *status == RequestStatus::kNoActivation
#ifndef PORTCULLIS_PIM_REQUEST_STATUS_H_
#define PORTCULLIS_PIM_REQUEST_STATUS_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace portcullis::pim {

enum class RequestStatus : uint8_t {
  // No status (a request as posted), or one on the way to the assignment or
  // at it: Accepted, PendingEvaluation, Granted, PendingProvisioning,
  // ProvisioningStarted, PendingScheduleCreation, ScheduleCreated,
  // PendingExternalProvisioning, AdminApproved, Provisioned. PIM's rules
  // judge such a request.
  kOpen,
  // Waiting for an approver: PendingApproval, PendingApprovalProvisioning,
  // PendingAdminDecision. The role is not active yet.
  kAwaitingApproval,
  // The request activates nothing: Denied, AdminDenied, Canceled, Failed,
  // FailedAsResourceIsLocked, TimedOut, Invalid, Revoked, PendingRevocation.
  kNoActivation,
};

// Returns the meaning of `status`, compared without regard to case;
// kOpen for an empty status; nullopt for a value neither API defines.
std::optional<RequestStatus> ParseRequestStatus(absl::string_view status);

// The status values ParseRequestStatus() accepts, for messages:
// "\"Accepted\", \"PendingEvaluation\", ...".
absl::string_view KnownRequestStatuses();

}  // namespace portcullis::pim

#endif  // PORTCULLIS_PIM_REQUEST_STATUS_H_
