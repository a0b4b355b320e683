#include "pim/request_status.h"

#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace portcullis::pim {
namespace {

struct StatusName {
  absl::string_view name;
  RequestStatus status;
};

constexpr StatusName kStatusNames[] = {
    {"Accepted", RequestStatus::kOpen},
    {"PendingEvaluation", RequestStatus::kOpen},
    {"Granted", RequestStatus::kOpen},
    {"PendingProvisioning", RequestStatus::kOpen},
    {"ProvisioningStarted", RequestStatus::kOpen},
    {"PendingScheduleCreation", RequestStatus::kOpen},
    {"ScheduleCreated", RequestStatus::kOpen},
    {"PendingExternalProvisioning", RequestStatus::kOpen},
    {"AdminApproved", RequestStatus::kOpen},
    {"Provisioned", RequestStatus::kOpen},
    {"PendingApproval", RequestStatus::kAwaitingApproval},
    {"PendingApprovalProvisioning", RequestStatus::kAwaitingApproval},
    {"PendingAdminDecision", RequestStatus::kAwaitingApproval},
    {"Denied", RequestStatus::kNoActivation},
    {"AdminDenied", RequestStatus::kNoActivation},
    {"Canceled", RequestStatus::kNoActivation},
    {"Failed", RequestStatus::kNoActivation},
    {"FailedAsResourceIsLocked", RequestStatus::kNoActivation},
    {"TimedOut", RequestStatus::kNoActivation},
    {"Invalid", RequestStatus::kNoActivation},
    {"Revoked", RequestStatus::kNoActivation},
    {"PendingRevocation", RequestStatus::kNoActivation},
};

}  // namespace

std::optional<RequestStatus> ParseRequestStatus(absl::string_view status) {
  if (status.empty()) return RequestStatus::kOpen;
  for (const StatusName& known : kStatusNames) {
    if (absl::EqualsIgnoreCase(status, known.name)) return known.status;
  }
  return std::nullopt;
}

absl::string_view KnownRequestStatuses() {
  return "\"Accepted\", \"PendingEvaluation\", \"Granted\", \"PendingProvisioning\", "
         "\"ProvisioningStarted\", \"PendingScheduleCreation\", \"ScheduleCreated\", "
         "\"PendingExternalProvisioning\", \"AdminApproved\", \"Provisioned\", "
         "\"PendingApproval\", \"PendingApprovalProvisioning\", \"PendingAdminDecision\", "
         "\"Denied\", \"AdminDenied\", \"Canceled\", \"Failed\", "
         "\"FailedAsResourceIsLocked\", \"TimedOut\", \"Invalid\", \"Revoked\" or "
         "\"PendingRevocation\"";
}

}  // namespace portcullis::pim
