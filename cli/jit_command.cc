#include "cli/jit_command.h"

#include <algorithm>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/flags.h"
#include "cli/json_output.h"
#include "net/ip_address.h"
#include "nsg/import.h"
#include "nsg/jit.h"
#include "nsg/jit_import.h"
#include "nsg/model.h"
#include "schedule/duration.h"
#include "schedule/rfc3339.h"

namespace portcullis::cli {

namespace {

constexpr char kUsage[] =
    "usage: portcullis jit request --policy FILE --nsg FILE --nic FILE "
    "--vm ID --port N --source IP|CIDR --duration ISO8601 --now RFC3339 "
    "[--json]\n"
    "       portcullis jit status --policy FILE --nsg FILE --nic FILE "
    "--now RFC3339 [--port N --source IP] [--json]\n";

// The inputs both subcommands read.
struct JitInputs {
  jit::JitPolicy policy;
  nsg::NetworkSecurityGroup nsg;
  jit::VmTarget target;
  absl::Time now;
};

int Fail(const absl::Status& status) {
  std::cerr << "portcullis jit: " << status.message() << "\n";
  return 2;
}

absl::StatusOr<jit::JitPolicy> ReadPolicy(const std::string& path,
                                          absl::string_view vm_id) {
  absl::StatusOr<std::string> bytes = ReadUserFile(path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<std::vector<jit::JitPolicy>> policies =
      jit::ImportJitPolicies(*bytes);
  if (!policies.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", policies.status().message()));
  }
  for (const jit::JitPolicy& policy : *policies) {
    if (jit::FindVirtualMachine(policy, vm_id) != nullptr) return policy;
  }
  if (policies->size() == 1) return (*policies)[0];
  return absl::NotFoundError(absl::StrCat(
      path, ": no JIT policy in the file covers virtual machine ", vm_id));
}

absl::StatusOr<JitInputs> ReadInputs(const ParsedFlags& flags) {
  JitInputs inputs;
  absl::StatusOr<absl::Time> now = schedule::ParseRfc3339(flags.Value("now"));
  if (!now.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--now: ", now.status().message()));
  }
  inputs.now = *now;

  absl::StatusOr<std::string> nic_bytes = ReadUserFile(flags.Value("nic"));
  if (!nic_bytes.ok()) return nic_bytes.status();
  absl::StatusOr<jit::NetworkInterface> nic =
      jit::ImportNetworkInterface(*nic_bytes);
  if (!nic.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flags.Value("nic"), ": ", nic.status().message()));
  }

  absl::StatusOr<std::string> nsg_bytes = ReadUserFile(flags.Value("nsg"));
  if (!nsg_bytes.ok()) return nsg_bytes.status();
  nsg::ImportOptions options;
  options.nsg_name = flags.Value("nsg-name");
  absl::StatusOr<nsg::NetworkSecurityGroup> group =
      nsg::ImportValidNsg(*nsg_bytes, options);
  if (!group.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flags.Value("nsg"), ": ", group.status().message()));
  }
  inputs.nsg = *std::move(group);

  absl::StatusOr<jit::VmTarget> target = jit::TargetForNic(*nic, inputs.nsg);
  if (!target.ok()) return target.status();
  inputs.target = *std::move(target);
  if (flags.Has("vm") &&
      !jit::SameResourceId(flags.Value("vm"), inputs.target.vm_id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--vm ", flags.Value("vm"), " does not match the NIC's virtual "
        "machine ", inputs.target.vm_id));
  }

  absl::StatusOr<jit::JitPolicy> policy =
      ReadPolicy(flags.Value("policy"), inputs.target.vm_id);
  if (!policy.ok()) return policy.status();
  inputs.policy = *std::move(policy);
  return inputs;
}

absl::StatusOr<uint32_t> ParsePort(const std::string& text) {
  uint32_t port = 0;
  // SimpleAtoi also accepts a sign and spaces, but a port is only digits.
  bool digits = !text.empty() && text.size() <= 5 &&
                std::all_of(text.begin(), text.end(), [](char c) {
                  return c >= '0' && c <= '9';
                });
  if (!digits || !absl::SimpleAtoi(text, &port) || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--port: invalid value \"", text,
        "\"; expected a port number between 0 and 65535"));
  }
  return port;
}

std::string PortsOf(const nsg::SecurityRule& rule) {
  return absl::StrJoin(nsg::PortEntries(rule, nsg::Side::kDestination), ",");
}

JsonValue TimeOrNull(std::optional<absl::Time> time) {
  return time ? JsonValue::String(schedule::FormatRfc3339(*time)) : JsonValue();
}

JsonValue RuleJson(const nsg::SecurityRule& rule,
                   std::optional<absl::Time> start,
                   std::optional<absl::Time> end) {
  JsonValue value = JsonValue::Object();
  value.Set("name", JsonValue::String(rule.name()));
  value.Set("priority", JsonValue::Integer(rule.priority()));
  value.Set("access", JsonValue::String(nsg::AccessName(rule.access())));
  value.Set("direction",
            JsonValue::String(nsg::DirectionName(rule.direction())));
  value.Set("protocol", JsonValue::String(nsg::ProtocolName(rule.protocol())));
  value.Set("source", JsonValue::String(rule.source_address_prefix()));
  value.Set("destination",
            JsonValue::String(rule.destination_address_prefix()));
  value.Set("port", JsonValue::String(PortsOf(rule)));
  value.Set("notBefore", TimeOrNull(start));
  value.Set("notAfter", TimeOrNull(end));
  return value;
}

JsonValue RejectionsJson(const std::vector<jit::Rejection>& rejections) {
  JsonValue list = JsonValue::Array();
  for (const jit::Rejection& rejection : rejections) {
    JsonValue reason = JsonValue::Object();
    reason.Set("code", JsonValue::String(rejection.code));
    reason.Set("message", JsonValue::String(rejection.message));
    list.Append(std::move(reason));
  }
  return list;
}

std::string RuleLine(const nsg::SecurityRule& rule) {
  return absl::StrCat(rule.name(), "  priority ", rule.priority(), "  ",
                      nsg::AccessName(rule.access()), " ",
                      nsg::ProtocolName(rule.protocol()), " from ",
                      rule.source_address_prefix(), " to ",
                      rule.destination_address_prefix(), " port ",
                      PortsOf(rule));
}

int RunRequest(const std::vector<std::string>& args) {
  FlagParser parser;
  parser.AddValue("policy", "FILE", "the JIT policy (resource, list or REST example)");
  parser.AddValue("nsg", "FILE", "the NSG that receives the rules");
  parser.AddValue("nsg-name", "NAME", "which NSG of a template to use");
  parser.AddValue("nic", "FILE", "the VM's network interface (az network nic show)");
  parser.AddValue("vm", "ID", "the virtual machine's resource id");
  parser.AddValue("port", "N", "the port to open");
  parser.AddValue("source", "IP|CIDR", "the source to admit");
  parser.AddValue("duration", "ISO8601", "how long, e.g. PT1H");
  parser.AddValue("now", "RFC3339", "the instant of the request");
  parser.AddValue("requestor", "NAME", "who asks, for the record");
  parser.AddValue("justification", "TEXT", "why, for the record");
  parser.AddSwitch("json", "print one JSON object");
  if (parser.PrintHelpIfRequested(args, kUsage)) return 0;
  absl::StatusOr<ParsedFlags> flags = parser.Parse(args);
  if (!flags.ok()) return Fail(flags.status());
  absl::Status required = FlagParser::Require(
      *flags, {"policy", "nsg", "nic", "vm", "port", "source", "duration",
               "now"});
  if (!required.ok()) return Fail(required);

  absl::StatusOr<JitInputs> inputs = ReadInputs(*flags);
  if (!inputs.ok()) return Fail(inputs.status());
  absl::StatusOr<uint32_t> port = ParsePort(flags->Value("port"));
  if (!port.ok()) return Fail(port.status());
  absl::StatusOr<absl::Duration> duration =
      schedule::ParseIsoDuration(flags->Value("duration"));
  if (!duration.ok()) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("--duration: ", duration.status().message())));
  }

  absl::StatusOr<std::vector<jit::Grant>> history = jit::GrantsFromHistory(
      inputs->policy, inputs->nsg, inputs->target);
  if (!history.ok()) return Fail(history.status());

  jit::AccessRequest request;
  request.vm_id = flags->Value("vm");
  request.port = *port;
  request.source = flags->Value("source");
  request.start = inputs->now;
  request.end = inputs->now + *duration;
  request.requestor = flags->Value("requestor");
  request.justification = flags->Value("justification");
  absl::StatusOr<jit::RequestDecision> decision = jit::DecideRequest(
      inputs->policy, inputs->nsg, inputs->target, request, *history);
  if (!decision.ok()) return Fail(decision.status());

  bool deny_present = false;
  if (decision->deny_rule.has_value()) {
    for (const nsg::SecurityRule& rule : inputs->nsg.security_rules()) {
      if (rule.name() == decision->deny_rule->name()) deny_present = true;
    }
  }

  if (flags->Switch("json")) {
    JsonValue out = JsonValue::Object();
    out.Set("granted", JsonValue::Bool(decision->granted));
    out.Set("reasons", RejectionsJson(decision->rejections));
    JsonValue rules = JsonValue::Array();
    if (decision->deny_rule.has_value() && !deny_present) {
      rules.Append(RuleJson(*decision->deny_rule, inputs->now, std::nullopt));
    }
    for (const jit::Grant& grant : decision->grants) {
      rules.Append(RuleJson(grant.rule, grant.window.start, grant.window.end));
    }
    out.Set("rules", std::move(rules));
    out.Set("placement",
            JsonValue::String(jit::PlacementName(inputs->target.placement)));
    out.Set("nsg", JsonValue::String(inputs->target.nsg_id.empty()
                                         ? inputs->nsg.name()
                                         : inputs->target.nsg_id));
    std::cout << out.Render() << "\n";
    return decision->granted ? 0 : 1;
  }

  if (!decision->granted) {
    std::cout << "rejected:\n";
    for (const jit::Rejection& rejection : decision->rejections) {
      std::cout << "  " << rejection.code << ": " << rejection.message << "\n";
    }
    return 1;
  }
  std::cout << "granted on the " << jit::PlacementName(inputs->target.placement)
            << " NSG " << inputs->nsg.name() << ":\n";
  if (decision->deny_rule.has_value() && !deny_present) {
    std::cout << "  add deny  " << RuleLine(*decision->deny_rule)
              << "  (enables the policy)\n";
  }
  for (const jit::Grant& grant : decision->grants) {
    std::cout << "  add allow " << RuleLine(grant.rule) << "  valid "
              << grant.window.ToString() << "\n";
  }
  return 0;
}

int RunStatus(const std::vector<std::string>& args) {
  FlagParser parser;
  parser.AddValue("policy", "FILE", "the JIT policy with its request history");
  parser.AddValue("nsg", "FILE", "the NSG that receives the rules");
  parser.AddValue("nsg-name", "NAME", "which NSG of a template to use");
  parser.AddValue("nic", "FILE", "the VM's network interface");
  parser.AddValue("vm", "ID", "the virtual machine's resource id (optional)");
  parser.AddValue("now", "RFC3339", "the instant to report on");
  parser.AddValue("port", "N", "a port to query");
  parser.AddValue("source", "IP", "the source address to query with --port");
  parser.AddSwitch("json", "print one JSON object");
  if (parser.PrintHelpIfRequested(args, kUsage)) return 0;
  absl::StatusOr<ParsedFlags> flags = parser.Parse(args);
  if (!flags.ok()) return Fail(flags.status());
  absl::Status required =
      FlagParser::Require(*flags, {"policy", "nsg", "nic", "now"});
  if (!required.ok()) return Fail(required);
  if (flags->Has("port") != flags->Has("source")) {
    return Fail(absl::InvalidArgumentError(
        "--port and --source go together: give both or neither"));
  }

  absl::StatusOr<JitInputs> inputs = ReadInputs(*flags);
  if (!inputs.ok()) return Fail(inputs.status());
  absl::StatusOr<std::vector<jit::Grant>> grants = jit::GrantsFromHistory(
      inputs->policy, inputs->nsg, inputs->target);
  if (!grants.ok()) return Fail(grants.status());
  absl::StatusOr<nsg::SecurityRule> deny =
      jit::PlanDenyRule(inputs->nsg, inputs->policy, inputs->target);
  if (!deny.ok()) return Fail(deny.status());

  std::vector<jit::GrantState> states = jit::StatesAt(*grants, inputs->now);

  std::optional<jit::OpenState> open;
  if (flags->Has("port")) {
    absl::StatusOr<uint32_t> port = ParsePort(flags->Value("port"));
    if (!port.ok()) return Fail(port.status());
    absl::StatusOr<net::IpAddress> source =
        net::IpAddress::Parse(flags->Value("source"));
    if (!source.ok()) {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat("--source: ", source.status().message())));
    }
    open = jit::PortOpenState(*grants, inputs->target.vm_id, *port, *source,
                              inputs->now);
  }

  if (flags->Switch("json")) {
    JsonValue out = JsonValue::Object();
    out.Set("denyRule", RuleJson(*deny, std::nullopt, std::nullopt));
    JsonValue list = JsonValue::Array();
    for (size_t i = 0; i < grants->size(); ++i) {
      const jit::Grant& grant = (*grants)[i];
      const jit::GrantState& state = states[i];
      JsonValue entry =
          RuleJson(grant.rule, grant.window.start, grant.window.end);
      entry.Set("status", JsonValue::String(state.status));
      entry.Set("statusReason", JsonValue::String(state.status_reason));
      entry.Set("active", JsonValue::Bool(state.active));
      entry.Set("reasons", RejectionsJson(grant.rejections));
      list.Append(std::move(entry));
    }
    out.Set("grants", std::move(list));
    if (open.has_value()) {
      out.Set("open", JsonValue::Bool(open->open));
      out.Set("closesAt", TimeOrNull(open->closes_at));
      out.Set("nextOpening", TimeOrNull(open->windows.NextOpening(inputs->now)));
    }
    std::cout << out.Render() << "\n";
    return 0;
  }

  std::cout << "deny rule: " << RuleLine(*deny) << "\n";
  if (grants->empty()) std::cout << "no grants recorded\n";
  for (size_t i = 0; i < grants->size(); ++i) {
    const jit::Grant& grant = (*grants)[i];
    const jit::GrantState& state = states[i];
    std::cout << "grant: port " << grant.port << " from " << grant.source
              << " " << grant.window.ToString() << "  " << state.status
              << " (" << state.status_reason << ")\n";
    for (const jit::Rejection& rejection : grant.rejections) {
      std::cout << "  ignored, " << rejection.code << ": " << rejection.message
                << "\n";
    }
  }
  if (open.has_value()) {
    std::cout << "port " << flags->Value("port") << " for "
              << flags->Value("source") << ": "
              << (open->open ? "open" : "closed");
    if (open->closes_at) {
      std::cout << ", closes at " << schedule::FormatRfc3339(*open->closes_at);
    }
    std::cout << "\n";
  }
  return 0;
}

}  // namespace

int RunJitCommand(const std::vector<std::string>& args) {
  if (GroupHelpRequested(args)) {
    std::cout << kUsage;
    return 0;
  }
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "request") return RunRequest(rest);
  if (args[0] == "status") return RunStatus(rest);
  std::cerr << "portcullis jit: unknown subcommand '" << args[0] << "'\n"
            << kUsage;
  return 2;
}

}  // namespace portcullis::cli
