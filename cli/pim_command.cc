#include "cli/pim_command.h"

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/flags.h"
#include "pim/activation.h"
#include "pim/decision.h"
#include "pim/import.h"
#include "pim/policy.h"
#include "schedule/interval.h"
#include "schedule/rfc3339.h"
#include "schedule/work_hours.h"

namespace portcullis::cli {
namespace {

constexpr char kUsage[] =
    "usage: portcullis pim activate --policy FILE --eligibility FILE "
    "[--active FILE] --request FILE --now RFC3339 [--mfa] "
    "[--auth-context ID]... [--work-hours FILE] [--json] [FLAGS]\n"
    "       portcullis pim windows --schedule FILE --from RFC3339 --to RFC3339\n";

// Work hours are expanded this far around the request, so the window that
// contains the start is complete unless it is open for longer than this.
constexpr absl::Duration kWorkHoursMargin = absl::Hours(24 * 31);

int Fail(const absl::Status& status) {
  std::cerr << "portcullis pim: " << status.message() << "\n";
  return 2;
}

absl::StatusOr<absl::Time> ParseTimeFlag(const ParsedFlags& flags,
                                         const std::string& name) {
  absl::StatusOr<absl::Time> time = schedule::ParseRfc3339(flags.Value(name));
  if (!time.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, ": ", time.status().message()));
  }
  return time;
}

// Reads a file and prefixes errors with the flag that named it.
template <typename T, typename Import>
absl::StatusOr<T> ImportFile(const ParsedFlags& flags, const std::string& name,
                             Import import) {
  absl::StatusOr<std::string> bytes = ReadUserFile(flags.Value(name));
  if (!bytes.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, ": ", bytes.status().message()));
  }
  absl::StatusOr<T> value = import(*bytes);
  if (!value.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", name, " ", flags.Value(name), ": ", value.status().message()));
  }
  return value;
}

absl::StatusOr<schedule::WorkHours> ReadWorkHours(const ParsedFlags& flags,
                                                  const std::string& name) {
  return ImportFile<schedule::WorkHours>(
      flags, name, [](const std::string& bytes) {
        return schedule::WorkHours::FromJson(bytes);
      });
}

absl::Status ParseOptions(const ParsedFlags& flags, pim::ActivationOptions& options) {
  auto choose = [&flags](const std::string& name, const std::string& first,
                         const std::string& second, bool& is_second) -> absl::Status {
    if (!flags.Has(name)) return absl::OkStatus();
    std::string value = flags.Value(name);
    if (value != first && value != second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", name, ": invalid value \"", value, "\"; expected ", first, " or ",
          second));
    }
    is_second = value == second;
    return absl::OkStatus();
  };
  bool reject_eligibility_end = false, clip_over_maximum = false,
       keep_past_start = false, policy_maximum = false;
  absl::Status status = choose("eligibility-end", "clip", "reject", reject_eligibility_end);
  if (status.ok()) status = choose("over-maximum", "reject", "clip", clip_over_maximum);
  if (status.ok()) status = choose("past-start", "now", "keep", keep_past_start);
  if (status.ok()) {
    status = choose("not-specified", "reject", "policy-maximum", policy_maximum);
  }
  if (!status.ok()) return status;
  if (reject_eligibility_end) {
    options.eligibility_end = pim::ActivationOptions::EligibilityEnd::kReject;
  }
  if (clip_over_maximum) options.over_maximum = pim::ActivationOptions::OverMaximum::kClip;
  if (keep_past_start) options.past_start = pim::ActivationOptions::PastStart::kKeep;
  if (policy_maximum) {
    options.not_specified = pim::ActivationOptions::NotSpecified::kPolicyMaximum;
  }
  return absl::OkStatus();
}

std::string TimeText(absl::Time time) {
  return time == absl::InfiniteFuture() ? "none" : schedule::FormatRfc3339(time);
}

std::string JsonTime(absl::Time time) {
  return time == absl::InfiniteFuture()
             ? "null"
             : absl::StrCat("\"", schedule::FormatRfc3339(time), "\"");
}

void PrintJson(const pim::ActivationDecision& decision) {
  std::vector<std::string> fields;
  fields.push_back(absl::StrCat("\"decision\": \"", pim::OutcomeName(decision.outcome), "\""));
  bool refused = decision.outcome == pim::Outcome::kRefused;
  if (!refused) {
    fields.push_back(absl::StrCat("\"start\": ", JsonTime(decision.window.start)));
    fields.push_back(absl::StrCat("\"end\": ", JsonTime(decision.window.end)));
  }
  std::vector<std::string> reasons;
  for (pim::Reason reason : decision.reasons) {
    reasons.push_back(absl::StrCat("\"", pim::ReasonName(reason), "\""));
  }
  fields.push_back(absl::StrCat("\"reasons\": [", absl::StrJoin(reasons, ", "), "]"));
  if (!refused) {
    fields.push_back(
        absl::StrCat("\"endBound\": \"", pim::EndBoundName(decision.end_bound), "\""));
  }
  if (decision.outcome == pim::Outcome::kPending) {
    fields.push_back(
        absl::StrCat("\"approvalDeadline\": ", JsonTime(decision.approval_deadline)));
  }
  fields.push_back(absl::StrCat("\"requestedEnd\": ", JsonTime(decision.requested_end)));
  fields.push_back(
      absl::StrCat("\"policyMaximumEnd\": ", JsonTime(decision.policy_maximum_end)));
  fields.push_back(absl::StrCat("\"eligibilityEnd\": ", JsonTime(decision.eligibility_end)));
  fields.push_back(
      absl::StrCat("\"workWindowClose\": ", JsonTime(decision.work_window_close)));
  if (decision.reasons.Contains(pim::Reason::kOutsideWorkWindow)) {
    fields.push_back(absl::StrCat("\"nextWorkWindowOpening\": ",
                                  JsonTime(decision.next_work_window_opening)));
  }
  if (!refused) {
    fields.push_back(
        absl::StrCat("\"deactivationOpens\": ", JsonTime(decision.deactivation_opens)));
    fields.push_back(
        absl::StrCat("\"tokensValidUntil\": ", JsonTime(decision.tokens_valid_until)));
  }
  std::cout << "{\n  " << absl::StrJoin(fields, ",\n  ") << "\n}\n";
}

void PrintText(const pim::ActivationDecision& decision) {
  std::cout << "decision: " << pim::OutcomeName(decision.outcome) << "\n";
  if (!decision.reasons.empty()) {
    std::cout << "reasons: " << decision.reasons.ToString() << "\n";
  }
  if (decision.outcome == pim::Outcome::kRefused) {
    if (decision.reasons.Contains(pim::Reason::kOutsideWorkWindow)) {
      std::cout << "next work window opens: "
                << TimeText(decision.next_work_window_opening) << "\n";
    }
    return;
  }
  std::cout << "window: [" << TimeText(decision.window.start) << ", "
            << TimeText(decision.window.end) << ")\n"
            << "end set by: " << pim::EndBoundName(decision.end_bound) << "\n";
  if (decision.outcome == pim::Outcome::kPending) {
    std::cout << "approval deadline: " << TimeText(decision.approval_deadline) << "\n";
  }
  std::cout << "policy maximum ends: " << TimeText(decision.policy_maximum_end) << "\n"
            << "eligibility ends: " << TimeText(decision.eligibility_end) << "\n"
            << "work window closes: " << TimeText(decision.work_window_close) << "\n"
            << "deactivation possible from: " << TimeText(decision.deactivation_opens)
            << "\n"
            << "tokens valid until at most: " << TimeText(decision.tokens_valid_until)
            << "\n";
}

// The request's scope as the file writes it, for messages.
std::string RequestScopeText(const pim::ScheduleRequest& request) {
  return request.directory_scope_id().empty()
             ? absl::StrCat("/app:", request.app_scope_id())
             : request.directory_scope_id();
}

// Rejects an admin request (adminAssign, adminUpdate, ...): the command
// judges what a user requests for themselves, by the end-user rules, while
// admin requests follow the Admin rules and another caller.
absl::Status CheckSelfRequest(const pim::ScheduleRequest& request) {
  switch (request.action()) {
    case pim::ACTION_SELF_ACTIVATE:
    case pim::ACTION_SELF_DEACTIVATE:
    case pim::ACTION_SELF_EXTEND:
    case pim::ACTION_SELF_RENEW:
      return absl::OkStatus();
    default:
      break;
  }
  const bool arm = request.source_format() == pim::SOURCE_FORMAT_ARM;
  std::string name(pim::ActionName(request.action()));
  if (arm && !name.empty()) name[0] = absl::ascii_toupper(name[0]);
  return absl::InvalidArgumentError(absl::StrCat(
      arm ? "properties.requestType" : "action", ": invalid value \"", name,
      "\"; expected a request a user makes for themselves (",
      arm ? "SelfActivate, SelfDeactivate, SelfExtend or SelfRenew"
          : "selfActivate, selfDeactivate, selfExtend or selfRenew",
      "), because pim activate judges requests by the end-user rules"));
}

int RunActivate(const std::vector<std::string>& args) {
  FlagParser parser;
  parser.AddValue("policy", "FILE", "the role management policy (Graph or ARM JSON)");
  parser.AddValue("eligibility", "FILE",
                  "eligibility schedule instances, as Graph lists them ({\"value\": [...]})");
  parser.AddValue("active", "FILE", "active assignment schedule instances");
  parser.AddValue("request", "FILE", "the schedule request (Graph or ARM JSON)");
  parser.AddValue("now", "RFC3339", "the time the request is processed");
  parser.AddSwitch("mfa", "the requester's sign-in satisfied MFA");
  parser.AddValue("auth-context", "ID",
                  "an authentication context the sign-in satisfied, such as c1",
                  /*repeatable=*/true);
  parser.AddValue("work-hours", "FILE", "a work-hours schedule (JSON)");
  parser.AddValue("eligibility-end", "clip|reject",
                  "a request ending after its eligibility (default clip)");
  parser.AddValue("over-maximum", "reject|clip",
                  "a request longer than the policy maximum (default reject)");
  parser.AddValue("past-start", "now|keep", "a start before --now (default now)");
  parser.AddValue("not-specified", "reject|policy-maximum",
                  "an expiration of type notSpecified (default reject)");
  parser.AddSwitch("json", "print one JSON object");
  if (parser.PrintHelpIfRequested(args, kUsage)) return 0;
  absl::StatusOr<ParsedFlags> flags = parser.Parse(args);
  if (!flags.ok()) return Fail(flags.status());
  absl::Status required =
      FlagParser::Require(*flags, {"policy", "eligibility", "request", "now"});
  if (!required.ok()) {
    std::cerr << kUsage;
    return Fail(required);
  }

  absl::StatusOr<absl::Time> now = ParseTimeFlag(*flags, "now");
  if (!now.ok()) return Fail(now.status());
  pim::ActivationOptions options;
  absl::Status options_status = ParseOptions(*flags, options);
  if (!options_status.ok()) return Fail(options_status);

  auto policy = ImportFile<pim::RoleManagementPolicy>(
      *flags, "policy", [](const std::string& bytes) {
        return pim::ImportRoleManagementPolicy(bytes);
      });
  if (!policy.ok()) return Fail(policy.status());
  absl::StatusOr<pim::RolePolicy> compiled = pim::RolePolicy::Compile(*policy);
  if (!compiled.ok()) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "--policy ", flags->Value("policy"), ": ", compiled.status().message())));
  }
  auto read_instances = [](pim::Level level) {
    return [level](const std::string& bytes) {
      return pim::ImportScheduleInstances(bytes, level);
    };
  };
  auto eligibilities = ImportFile<std::vector<pim::ScheduleInstance>>(
      *flags, "eligibility", read_instances(pim::LEVEL_ELIGIBILITY));
  if (!eligibilities.ok()) return Fail(eligibilities.status());
  std::vector<pim::ScheduleInstance> active;
  if (flags->Has("active")) {
    auto imported = ImportFile<std::vector<pim::ScheduleInstance>>(
        *flags, "active", read_instances(pim::LEVEL_ASSIGNMENT));
    if (!imported.ok()) return Fail(imported.status());
    active = *std::move(imported);
  }
  auto request_proto = ImportFile<pim::ScheduleRequest>(
      *flags, "request",
      [](const std::string& bytes) { return pim::ImportScheduleRequest(bytes); });
  if (!request_proto.ok()) return Fail(request_proto.status());
  absl::StatusOr<pim::ActivationRequest> request =
      pim::ActivationRequest::Create(*request_proto);
  if (!request.ok()) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "--request ", flags->Value("request"), ": ", request.status().message())));
  }
  if (absl::Status self = CheckSelfRequest(*request_proto); !self.ok()) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "--request ", flags->Value("request"), ": ", self.message())));
  }
  if (absl::Status governs = compiled->CheckGoverns(
          request->role_definition_id, request->scope, RequestScopeText(*request_proto));
      !governs.ok()) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("--request ", flags->Value("request"), " and --policy ",
                     flags->Value("policy"), ": ", governs.message())));
  }

  std::optional<schedule::IntervalSet> work_windows;
  if (flags->Has("work-hours")) {
    absl::StatusOr<schedule::WorkHours> work_hours = ReadWorkHours(*flags, "work-hours");
    if (!work_hours.ok()) return Fail(work_hours.status());
    // The evaluator looks up the work window at the planned start: the
    // requested start, or now when there is none or it was moved to now.
    // Expanding around that instant alone keeps the range small even when
    // --now and the requested start lie centuries apart.
    absl::Time start = request->start.value_or(*now);
    if (start < *now &&
        options.past_start == pim::ActivationOptions::PastStart::kMoveToNow) {
      start = *now;
    }
    absl::StatusOr<schedule::IntervalSet> expanded = work_hours->Expand(
        start - kWorkHoursMargin, start + kWorkHoursMargin);
    if (!expanded.ok()) {
      return Fail(absl::InvalidArgumentError(absl::StrCat(
          "--work-hours ", flags->Value("work-hours"), ": ",
          expanded.status().message())));
    }
    work_windows = *std::move(expanded);
  }

  absl::StatusOr<pim::ActivationEvaluator> evaluator = pim::ActivationEvaluator::Create(
      *std::move(compiled), *eligibilities, active, options, std::move(work_windows));
  if (!evaluator.ok()) return Fail(evaluator.status());
  std::vector<std::string> contexts = flags->Values("auth-context");
  pim::RequestContext context{*now, flags->Switch("mfa"), contexts};
  pim::ActivationDecision decision = evaluator->Decide(*request, context);
  if (flags->Switch("json")) {
    PrintJson(decision);
  } else {
    PrintText(decision);
  }
  return 0;
}

int RunWindows(const std::vector<std::string>& args) {
  FlagParser parser;
  parser.AddValue("schedule", "FILE", "a work-hours schedule (JSON)");
  parser.AddValue("from", "RFC3339", "the start of the range");
  parser.AddValue("to", "RFC3339", "the end of the range");
  if (parser.PrintHelpIfRequested(args, kUsage)) return 0;
  absl::StatusOr<ParsedFlags> flags = parser.Parse(args);
  if (!flags.ok()) return Fail(flags.status());
  absl::Status required = FlagParser::Require(*flags, {"schedule", "from", "to"});
  if (!required.ok()) {
    std::cerr << kUsage;
    return Fail(required);
  }
  absl::StatusOr<absl::Time> from = ParseTimeFlag(*flags, "from");
  if (!from.ok()) return Fail(from.status());
  absl::StatusOr<absl::Time> to = ParseTimeFlag(*flags, "to");
  if (!to.ok()) return Fail(to.status());
  if (*to < *from) {
    return Fail(absl::InvalidArgumentError("--to: must not be before --from"));
  }
  absl::StatusOr<schedule::WorkHours> work_hours = ReadWorkHours(*flags, "schedule");
  if (!work_hours.ok()) return Fail(work_hours.status());
  absl::StatusOr<schedule::IntervalSet> windows = work_hours->Expand(*from, *to);
  if (!windows.ok()) return Fail(windows.status());
  for (const schedule::Window& window : windows->windows()) {
    std::cout << schedule::FormatRfc3339(window.start) << " "
              << schedule::FormatRfc3339(window.end) << "\n";
  }
  return 0;
}

}  // namespace

int RunPimCommand(const std::vector<std::string>& args) {
  if (GroupHelpRequested(args)) {
    std::cout << kUsage;
    return 0;
  }
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "activate") return RunActivate(rest);
  if (args[0] == "windows") return RunWindows(rest);
  std::cerr << "portcullis pim: unknown subcommand '" << args[0] << "'\n" << kUsage;
  return 2;
}

}  // namespace portcullis::cli
