#include "cli/access_command.h"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "access/ca_controls.h"
#include "access/ca_import.h"
#include "access/ca_named_locations.h"
#include "access/ca_sign_in_import.h"
#include "access/conditional_access.h"
#include "cli/flags.h"
#include "cli/json_output.h"
#include "cli/text_output.h"
#include "schedule/rfc3339.h"

namespace portcullis::cli {
namespace {

using access::ConditionalAccessPolicySet;
using access::PolicyResult;
using access::WhatIfResult;

constexpr char kUsage[] =
    "usage: portcullis access what-if --policies FILE|DIR [--policies ...] "
    "[--named-locations FILE|DIR ...] --sign-in FILE --directory FILE "
    "[--satisfied-controls LIST] [--now RFC3339] [--strict] [--json]\n";

int Fail(const absl::Status& status) {
  std::cerr << "portcullis access: " << status.message() << "\n";
  return 2;
}

// Everything the command read, with the import warnings.
struct Inputs {
  std::vector<ca::Policy> policies;
  std::vector<ca::NamedLocation> locations;
  access::SignIn sign_in;
  std::vector<std::string> warnings;
};

absl::Status ReadPolicies(const std::vector<std::string>& paths,
                          Inputs& inputs) {
  for (const std::string& path : paths) {
    absl::StatusOr<std::vector<std::string>> files = ExpandJsonPaths(path);
    if (!files.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--policies: ", files.status().message()));
    }
    for (const std::string& file : *files) {
      absl::StatusOr<std::string> bytes = ReadUserFile(file);
      if (!bytes.ok()) return bytes.status();
      absl::StatusOr<std::vector<access::ImportedPolicy>> imported =
          access::ImportPolicies(*bytes, file);
      if (!imported.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(file, ": ", imported.status().message()));
      }
      for (access::ImportedPolicy& policy : *imported) {
        for (const access::ImportWarning& w : policy.warnings) {
          inputs.warnings.push_back(absl::StrCat(file, ": ", w.ToString()));
        }
        inputs.policies.push_back(std::move(policy.policy));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ReadLocations(const std::vector<std::string>& paths,
                           Inputs& inputs) {
  for (const std::string& path : paths) {
    absl::StatusOr<std::vector<std::string>> files = ExpandJsonPaths(path);
    if (!files.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--named-locations: ", files.status().message()));
    }
    for (const std::string& file : *files) {
      absl::StatusOr<std::string> bytes = ReadUserFile(file);
      if (!bytes.ok()) return bytes.status();
      absl::StatusOr<std::vector<access::ImportedNamedLocation>> imported =
          access::ImportNamedLocations(*bytes, file);
      if (!imported.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(file, ": ", imported.status().message()));
      }
      for (access::ImportedNamedLocation& location : *imported) {
        for (const access::ImportWarning& w : location.warnings) {
          inputs.warnings.push_back(absl::StrCat(file, ": ", w.ToString()));
        }
        inputs.locations.push_back(std::move(location.location));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ReadSignIn(const ParsedFlags& flags, Inputs& inputs) {
  std::string directory_path = flags.Value("directory");
  absl::StatusOr<std::string> directory_bytes = ReadUserFile(directory_path);
  if (!directory_bytes.ok()) return directory_bytes.status();
  absl::StatusOr<access::Directory> directory =
      access::ParseDirectory(*directory_bytes);
  if (!directory.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(directory_path, ": ", directory.status().message()));
  }

  std::string sign_in_path = flags.Value("sign-in");
  absl::StatusOr<std::string> sign_in_bytes = ReadUserFile(sign_in_path);
  if (!sign_in_bytes.ok()) return sign_in_bytes.status();
  absl::StatusOr<access::ParsedSignIn> parsed =
      access::ParseWhatIfRequest(*sign_in_bytes, &*directory);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(sign_in_path, ": ", parsed.status().message()));
  }
  for (const access::ImportWarning& w : parsed->warnings) {
    inputs.warnings.push_back(absl::StrCat(sign_in_path, ": ", w.ToString()));
  }
  inputs.sign_in = std::move(parsed->sign_in);

  absl::Status controls = access::ParseSatisfiedControls(
      flags.Value("satisfied-controls"), &inputs.sign_in.satisfied);
  if (!controls.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--satisfied-controls: ", controls.message()));
  }
  controls = access::CheckControlsAgainstDevice(inputs.sign_in);
  if (!controls.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--satisfied-controls: ", controls.message()));
  }
  return absl::OkStatus();
}

// The session controls as short phrases, such as "sign-in frequency 12h".
std::vector<std::string> SessionSummary(const ca::SessionControls& s) {
  std::vector<std::string> out;
  if (s.has_sign_in_frequency()) {
    out.push_back(s.sign_in_frequency().interval() ==
                          ca::SignInFrequency::INTERVAL_EVERY_TIME
                      ? "signInFrequency everyTime"
                      : absl::StrCat("signInFrequency ",
                                     s.sign_in_frequency().hours(), "h"));
  }
  if (s.has_persistent_browser()) {
    out.push_back(s.persistent_browser().mode() ==
                          ca::PersistentBrowser::MODE_NEVER
                      ? "persistentBrowser never"
                      : "persistentBrowser always");
  }
  if (s.has_cloud_app_security()) {
    switch (s.cloud_app_security().type()) {
      case ca::CloudAppSecurity::TYPE_BLOCK_DOWNLOADS:
        out.push_back("cloudAppSecurity blockDownloads");
        break;
      case ca::CloudAppSecurity::TYPE_MONITOR_ONLY:
        out.push_back("cloudAppSecurity monitorOnly");
        break;
      default:
        out.push_back("cloudAppSecurity mcasConfigured");
        break;
    }
  }
  if (s.has_continuous_access_evaluation()) {
    switch (s.continuous_access_evaluation().mode()) {
      case ca::ContinuousAccessEvaluation::MODE_STRICT_LOCATION:
        out.push_back("continuousAccessEvaluation strictLocation");
        break;
      case ca::ContinuousAccessEvaluation::MODE_STRICT_ENFORCEMENT:
        out.push_back("continuousAccessEvaluation strictEnforcement");
        break;
      default:
        out.push_back("continuousAccessEvaluation disabled");
        break;
    }
  }
  if (s.application_enforced_restrictions()) {
    out.push_back("applicationEnforcedRestrictions");
  }
  if (s.disable_resilience_defaults())
    out.push_back("disableResilienceDefaults");
  if (s.secure_sign_in_session()) out.push_back("secureSignInSession");
  return out;
}

std::vector<std::string> UnmetControls(const ConditionalAccessPolicySet& set,
                                       const PolicyResult& p) {
  if (!p.applies || p.grant.outcome != access::GrantResult::Outcome::kUnmet) {
    return {};
  }
  return access::UnmetControlNames(set.grant(p.policy), p.grant);
}

void PrintJson(const ConditionalAccessPolicySet& set, const WhatIfResult& r,
               const Inputs& inputs, bool strict) {
  JsonValue out = JsonValue::Object();
  out.Set("decision", JsonValue::String(access::OutcomeName(r.outcome)));
  out.Set("mode", JsonValue::String(strict ? "strict" : "lenient"));
  out.Set("requirements", JsonValue::Strings(r.requirements));
  if (r.blocking_policy >= 0) {
    out.Set("blockingPolicy",
            JsonValue::String(set.policies()[r.blocking_policy].id()));
  }
  out.Set("sessionControls",
          JsonValue::Strings(SessionSummary(r.session_controls)));
  JsonValue policies = JsonValue::Array();
  for (const PolicyResult& p : r.policies) {
    const ca::Policy& policy = set.policies()[p.policy];
    JsonValue entry = JsonValue::Object();
    entry.Set("id", JsonValue::String(policy.id()));
    entry.Set("displayName", JsonValue::String(policy.display_name()));
    entry.Set("applies", JsonValue::Bool(p.applies));
    entry.Set("reportOnly", JsonValue::Bool(p.report_only));
    entry.Set("reasons", JsonValue::Strings(p.ReasonNames()));
    entry.Set("firstReason",
              JsonValue::String(access::WhatIfReasonName(p.first_reason)));
    entry.Set("result", JsonValue::String(p.ResultName()));
    entry.Set("unmetControls", JsonValue::Strings(UnmetControls(set, p)));
    policies.Append(std::move(entry));
  }
  out.Set("policies", std::move(policies));
  std::vector<std::string> warnings = inputs.warnings;
  warnings.insert(warnings.end(), set.warnings().begin(), set.warnings().end());
  out.Set("warnings", JsonValue::Strings(warnings));
  std::cout << out.Render() << "\n";
}

void PrintText(const ConditionalAccessPolicySet& set, const WhatIfResult& r,
               const Inputs& inputs, bool strict) {
  for (const std::string& w : inputs.warnings) {
    std::cerr << "warning: " << OneLine(w) << "\n";
  }
  for (const std::string& w : set.warnings()) {
    std::cerr << "warning: " << OneLine(w) << "\n";
  }
  std::cout << "decision: " << access::OutcomeName(r.outcome) << " ("
            << (strict ? "strict" : "lenient") << " mode)\n";
  if (r.blocking_policy >= 0) {
    const ca::Policy& policy = set.policies()[r.blocking_policy];
    std::cout << "blocked by: " << OneLine(policy.display_name()) << " ("
              << OneLine(policy.id()) << ")\n";
  }
  if (!r.requirements.empty()) {
    std::cout << "requirements: " << absl::StrJoin(r.requirements, ", ")
              << "\n";
  }
  std::vector<std::string> session = SessionSummary(r.session_controls);
  if (!session.empty()) {
    std::cout << "session controls: " << absl::StrJoin(session, ", ") << "\n";
  }
  std::cout << "policies:\n";
  for (const PolicyResult& p : r.policies) {
    const ca::Policy& policy = set.policies()[p.policy];
    std::cout << "  " << (p.applies ? "applies    " : "not applied") << " "
              << p.ResultName() << "  " << OneLine(policy.display_name()) << " ("
              << OneLine(policy.id()) << ")";
    if (!p.applies) {
      std::cout << ": " << absl::StrJoin(p.ReasonNames(), ", ");
    }
    std::vector<std::string> unmet = UnmetControls(set, p);
    if (!unmet.empty()) {
      std::cout << "; needs "
                << absl::StrJoin(unmet, set.grant(p.policy).require_all
                                            ? " and "
                                            : " or ");
    }
    std::cout << "\n";
  }
}

int RunWhatIf(const std::vector<std::string>& args) {
  FlagParser parser;
  parser.AddValue("policies", "FILE|DIR",
                  "Conditional Access policies in Graph JSON; a directory "
                  "gives its .json files",
                  /*repeatable=*/true);
  parser.AddValue("named-locations", "FILE|DIR",
                  "named locations in Graph JSON", /*repeatable=*/true);
  parser.AddValue("sign-in", "FILE",
                  "the body of a Graph What-If request (signInIdentity, "
                  "signInContext, signInConditions)");
  parser.AddValue("directory", "FILE",
                  "users with userType, transitive groups and role template "
                  "ids: {\"users\": [{\"id\", \"userType\", \"groups\", "
                  "\"roles\"}]}");
  parser.AddValue("satisfied-controls", "LIST",
                  "controls already satisfied, comma separated: mfa, "
                  "compliantDevice, termsOfUse:<id>, "
                  "authenticationStrength:<id>, method:<name>, ...");
  parser.AddValue("now", "RFC3339",
                  "the time of the sign-in (default: the current time)");
  parser.AddSwitch("strict",
                   "evaluate as Graph's What-If API: a condition whose fact "
                   "is missing keeps the policy from applying");
  parser.AddSwitch("json", "print one JSON object");
  if (parser.PrintHelpIfRequested(args, kUsage)) return 0;
  absl::StatusOr<ParsedFlags> flags = parser.Parse(args);
  if (!flags.ok()) {
    std::cerr << kUsage;
    return Fail(flags.status());
  }
  absl::Status required =
      FlagParser::Require(*flags, {"policies", "sign-in", "directory"});
  if (!required.ok()) {
    std::cerr << kUsage << parser.Help();
    return Fail(required);
  }

  absl::Time now = absl::Now();
  if (flags->Has("now")) {
    absl::StatusOr<absl::Time> parsed =
        schedule::ParseRfc3339(flags->Value("now"));
    if (!parsed.ok()) {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat("--now: ", parsed.status().message())));
    }
    now = *parsed;
  }

  Inputs inputs;
  absl::Status status = ReadPolicies(flags->Values("policies"), inputs);
  if (!status.ok()) return Fail(status);
  status = ReadLocations(flags->Values("named-locations"), inputs);
  if (!status.ok()) return Fail(status);
  status = ReadSignIn(*flags, inputs);
  if (!status.ok()) return Fail(status);

  std::shared_ptr<const access::NamedLocationSet> locations;
  if (flags->Has("named-locations")) {
    absl::StatusOr<access::NamedLocationSet> set =
        access::NamedLocationSet::Create(inputs.locations);
    if (!set.ok()) return Fail(set.status());
    locations =
        std::make_shared<const access::NamedLocationSet>(*std::move(set));
  }
  absl::StatusOr<ConditionalAccessPolicySet> set =
      ConditionalAccessPolicySet::Compile(inputs.policies, locations);
  if (!set.ok()) return Fail(set.status());

  bool strict = flags->Switch("strict");
  absl::StatusOr<WhatIfResult> explained =
      set->Explain(inputs.sign_in, now,
                   strict ? access::EvaluationMode::kStrict
                          : access::EvaluationMode::kLenient);
  if (!explained.ok()) return Fail(explained.status());
  WhatIfResult& result = *explained;
  // With a device present, the device condition is unknown only when its
  // filter depends on a property that deviceInfo leaves out. Lenient mode
  // counts it as satisfied, so the request's author should hear of it.
  for (const PolicyResult& p : result.policies) {
    if (strict || !inputs.sign_in.device.has_value() ||
        p.conditions[static_cast<int>(access::Condition::kDevices)] != access::Tri::kUnknown) {
      continue;
    }
    inputs.warnings.push_back(absl::StrCat(
        "signInConditions.deviceInfo: the device filter of policy \"",
        set->policies()[p.policy].id(),
        "\" names a property that deviceInfo leaves out, so the device condition is unknown "
        "and counts as satisfied; give the property, or null when the device has none"));
  }
  if (flags->Switch("json")) {
    PrintJson(*set, result, inputs, strict);
  } else {
    PrintText(*set, result, inputs, strict);
  }
  return 0;
}

}  // namespace

int RunAccessCommand(const std::vector<std::string>& args) {
  if (GroupHelpRequested(args)) {
    std::cout << kUsage;
    return 0;
  }
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "what-if") return RunWhatIf(rest);
  std::cerr << "portcullis access: unknown subcommand '" << args[0] << "'\n"
            << kUsage;
  return 2;
}

}  // namespace portcullis::cli
