#include "cli/nsg_command.h"

#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/flags.h"
#include "cli/nsg_jit.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "nsg/effective.h"
#include "nsg/evaluate_rules.h"
#include "nsg/import.h"
#include "nsg/jit_import.h"
#include "nsg/model.h"
#include "nsg/validate.h"

namespace portcullis::cli {
namespace {

constexpr char kUsage[] =
    "usage: portcullis nsg verify|validate|effective [FLAGS]\n"
    "\n"
    "  verify     decides one flow through the subnet's and the network\n"
    "             interface's NSG, naming the deciding rule of each\n"
    "  validate   lists every problem Azure would reject in NSG files\n"
    "             (exit status 1 when there are any)\n"
    "  effective  prints the effective security rules of the NSGs\n"
    "\n"
    "Run `portcullis nsg COMMAND --help` for the flags of a command.\n";

int Fail(const absl::Status& status) {
  std::cerr << "portcullis nsg: " << status.message() << "\n";
  return 2;
}

int Fail(absl::string_view message) {
  std::cerr << "portcullis nsg: " << message << "\n";
  return 2;
}

// Flags that select the NSGs and what their tags mean; shared by verify and
// effective.
void AddNsgFlags(FlagParser& parser) {
  parser.AddValue("nsg", "FILE", "NSG of the subnet (any supported format)");
  parser.AddValue("nic-nsg", "FILE", "NSG of the network interface");
  parser.AddValue("nsg-name", "NAME",
                  "which NSG of --nsg to use when the file contains several");
  parser.AddValue("nic-nsg-name", "NAME",
                  "which NSG of --nic-nsg to use when the file contains several");
  parser.AddValue("parameters", "FILE",
                  "ARM parameters file for template expressions");
  parser.AddValue("service-tags", "FILE",
                  "ServiceTags_Public download that defines service tags");
  parser.AddValue("vnet-prefixes", "CIDR,CIDR,...",
                  "address spaces of the VirtualNetwork tag (the VNet, its "
                  "peers, on-premises ranges and route prefixes)");
  parser.AddValue("nics", "FILE|DIR",
                  "network interfaces (Azure NIC JSON) whose IP "
                  "configurations name their application security groups; "
                  "a folder means every JSON file in it; repeatable",
                  /*repeatable=*/true);
  parser.AddSwitch("json", "print one JSON object");
  parser.AddSwitch("help", "print this help");
}

struct LoadedNsgs {
  std::optional<nsg::NetworkSecurityGroup> subnet;
  std::optional<nsg::NetworkSecurityGroup> network_interface;
};

absl::StatusOr<LoadedNsgs> LoadNsgs(const ParsedFlags& flags) {
  if (!flags.Has("nsg") && !flags.Has("nic-nsg")) {
    return absl::InvalidArgumentError(
        "missing NSG: give --nsg (the subnet's), --nic-nsg (the network "
        "interface's) or both");
  }
  if (flags.Has("nsg-name") && !flags.Has("nsg")) {
    return absl::InvalidArgumentError("--nsg-name needs --nsg");
  }
  if (flags.Has("nic-nsg-name") && !flags.Has("nic-nsg")) {
    return absl::InvalidArgumentError("--nic-nsg-name needs --nic-nsg");
  }

  LoadedNsgs loaded;
  if (flags.Has("nsg")) {
    absl::StatusOr<nsg::NetworkSecurityGroup> subnet = LoadNsgFile(
        flags.Value("nsg"), flags.Value("nsg-name"), flags.Value("parameters"));
    if (!subnet.ok()) return subnet.status();
    loaded.subnet = *std::move(subnet);
  }
  if (flags.Has("nic-nsg")) {
    absl::StatusOr<nsg::NetworkSecurityGroup> nic =
        LoadNsgFile(flags.Value("nic-nsg"), flags.Value("nic-nsg-name"),
                    flags.Value("parameters"));
    if (!nic.ok()) return nic.status();
    loaded.network_interface = *std::move(nic);
  }
  return loaded;
}

absl::StatusOr<nsg::Direction> ParseDirectionFlag(const std::string& text) {
  std::string lower = absl::AsciiStrToLower(text);
  if (lower == "inbound") return nsg::DIRECTION_INBOUND;
  if (lower == "outbound") return nsg::DIRECTION_OUTBOUND;
  return absl::InvalidArgumentError(absl::StrCat(
      "--direction: invalid value \"", text, "\"; expected inbound or outbound"));
}

absl::StatusOr<nsg::Protocol> ParseProtocolFlag(const std::string& text) {
  struct Name {
    const char* text;
    nsg::Protocol protocol;
  };
  static constexpr Name kNames[] = {
      {"tcp", nsg::PROTOCOL_TCP}, {"udp", nsg::PROTOCOL_UDP},
      {"icmp", nsg::PROTOCOL_ICMP}, {"esp", nsg::PROTOCOL_ESP},
      {"ah", nsg::PROTOCOL_AH},   {"any", nsg::PROTOCOL_ANY},
  };
  for (const Name& name : kNames) {
    if (absl::EqualsIgnoreCase(text, name.text)) return name.protocol;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--protocol: invalid value \"", text,
                   "\"; expected tcp, udp, icmp, esp, ah or any"));
}

// Fills one side of `flow` from a --local or --remote value, checking that
// TCP and UDP flows name a port and other protocols do not.
absl::Status SetEndpoint(const std::string& flag, const std::string& text,
                         nsg::Protocol protocol, std::string& address,
                         uint32_t& port) {
  absl::StatusOr<Endpoint> endpoint = ParseEndpoint(flag, text);
  if (!endpoint.ok()) return endpoint.status();
  if (nsg::HasPorts(protocol) && !endpoint->port.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": missing port in \"", text,
                     "\"; tcp and udp flows need IP:PORT ([IPv6]:PORT)"));
  }
  if (!nsg::HasPorts(protocol) && endpoint->port.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, ": unexpected port in \"", text,
        "\"; only tcp and udp flows have ports, so give the address alone"));
  }
  address = endpoint->address;
  port = endpoint->port.value_or(0);
  return absl::OkStatus();
}

absl::StatusOr<nsg::ResolvedFlow> FlowFromFlags(const ParsedFlags& flags) {
  if (absl::Status status = FlagParser::Require(
          flags, {"direction", "protocol", "local", "remote"});
      !status.ok()) {
    return status;
  }
  absl::StatusOr<nsg::Direction> direction =
      ParseDirectionFlag(flags.Value("direction"));
  if (!direction.ok()) return direction.status();
  absl::StatusOr<nsg::Protocol> protocol =
      ParseProtocolFlag(flags.Value("protocol"));
  if (!protocol.ok()) return protocol.status();

  nsg::Flow flow;
  flow.set_direction(*direction);
  flow.set_protocol(*protocol);
  uint32_t local_port = 0;
  uint32_t remote_port = 0;
  if (absl::Status status =
          SetEndpoint("local", flags.Value("local"), *protocol,
                      *flow.mutable_local_address(), local_port);
      !status.ok()) {
    return status;
  }
  if (absl::Status status =
          SetEndpoint("remote", flags.Value("remote"), *protocol,
                      *flow.mutable_remote_address(), remote_port);
      !status.ok()) {
    return status;
  }
  flow.set_local_port(local_port);
  flow.set_remote_port(remote_port);
  return nsg::ResolvedFlow::FromProto(flow);
}

std::string AttachmentText(nsg::Attachment attachment) {
  return attachment == nsg::ATTACHMENT_SUBNET ? "subnet NSG"
                                              : "network interface NSG";
}

std::string AttachmentJson(nsg::Attachment attachment) {
  return attachment == nsg::ATTACHMENT_SUBNET ? "subnet" : "networkInterface";
}

std::string YesNo(bool value) { return value ? "yes" : "no"; }

void AppendTraceText(const nsg::Stage& stage, std::string& out) {
  for (const nsg::RuleTraceEntry& entry : stage.trace()) {
    absl::StrAppendFormat(
        &out,
        "      %-5d %-5s %s: protocol %s, source %s, source port %s, "
        "destination %s, destination port %s%s\n",
        entry.priority(), nsg::AccessName(entry.access()), entry.rule(),
        YesNo(entry.protocol_matched()), YesNo(entry.source_matched()),
        YesNo(entry.source_port_matched()), YesNo(entry.destination_matched()),
        YesNo(entry.destination_port_matched()),
        entry.decided() ? "  <- decides" : "");
  }
}

int RunVerify(const std::vector<std::string>& args) {
  FlagParser parser;
  AddNsgFlags(parser);
  parser.AddValue("direction", "inbound|outbound", "direction of the flow");
  parser.AddValue("protocol", "tcp|udp|icmp|esp|ah|any",
                  "protocol of the flow; any stands for a protocol no rule "
                  "names (such as GRE), which only rules with protocol * match");
  parser.AddValue("local", "IP[:PORT]",
                  "the VM's private address and port ([IPv6]:PORT)");
  parser.AddValue("remote", "IP[:PORT]", "the other end's address and port");
  parser.AddSwitch("trace",
                   "list each rule consulted and which of its fields matched");
  parser.AddSwitch("no-platform-exemption",
                   "filter outbound flows to 168.63.129.16 and "
                   "169.254.169.254 too, which Azure does not");
  parser.AddValue("jit-policy", "FILE",
                  "JIT policy whose deny rule and recorded grants apply");
  parser.AddValue("nic", "FILE",
                  "the VM's network interface, which places the JIT rules");
  parser.AddValue("now", "RFC3339", "the instant at which JIT grants count");

  absl::StatusOr<ParsedFlags> flags = parser.Parse(args);
  if (!flags.ok()) return Fail(flags.status());
  if (flags->Switch("help")) {
    std::cout << "usage: portcullis nsg verify [FLAGS]\n\n" << parser.Help();
    return 0;
  }
  if (!flags->positional().empty()) {
    return Fail(absl::StrCat("unexpected argument \"",
                             flags->positional().front(), "\""));
  }

  absl::StatusOr<nsg::ResolvedFlow> flow = FlowFromFlags(*flags);
  if (!flow.ok()) return Fail(flow.status());
  absl::StatusOr<LoadedNsgs> loaded = LoadNsgs(*flags);
  if (!loaded.ok()) return Fail(loaded.status());
  if (flags->Has("jit-policy")) {
    absl::Status jit = ApplyJitRules(
        {flags->Value("jit-policy"), flags->Value("nic"), flags->Value("now")},
        loaded->subnet, loaded->network_interface);
    if (!jit.ok()) return Fail(jit);
  } else if (flags->Has("nic") || flags->Has("now")) {
    return Fail("--nic and --now take effect only with --jit-policy");
  }
  absl::StatusOr<nsg::AddressResolver> resolver = MakeAddressResolver(
      flags->Value("service-tags"), flags->Value("vnet-prefixes"),
      flags->Values("nics"));
  if (!resolver.ok()) return Fail(resolver.status());

  std::optional<nsg::ResolvedNsg> subnet;
  std::optional<nsg::ResolvedNsg> nic;
  nsg::NsgAttachments attachments;
  if (loaded->subnet.has_value()) {
    absl::StatusOr<nsg::ResolvedNsg> resolved =
        nsg::ResolveNsg(*loaded->subnet, *resolver);
    if (!resolved.ok()) return Fail(resolved.status());
    subnet = *std::move(resolved);
    attachments.subnet = &*subnet;
  }
  if (loaded->network_interface.has_value()) {
    absl::StatusOr<nsg::ResolvedNsg> resolved =
        nsg::ResolveNsg(*loaded->network_interface, *resolver);
    if (!resolved.ok()) return Fail(resolved.status());
    nic = *std::move(resolved);
    attachments.network_interface = &*nic;
  }

  nsg::EvaluateOptions options;
  options.trace = flags->Switch("trace");
  options.platform_exemption = !flags->Switch("no-platform-exemption");
  absl::StatusOr<nsg::Verdict> verdict =
      nsg::EvaluateFlow(attachments, *flow, options);
  if (!verdict.ok()) return Fail(verdict.status());

  if (flags->Switch("json")) {
    std::cout << VerdictToJson(*flow, *verdict).Render() << "\n";
  } else {
    std::cout << FormatVerdictText(*flow, attachments, *verdict);
  }
  return 0;
}

JsonValue ProblemToJson(const std::string& file, const nsg::Problem& problem) {
  JsonValue out = JsonValue::Object();
  out.Set("file", JsonValue::String(file));
  out.Set("path", JsonValue::String(problem.path));
  out.Set("azureError", JsonValue::String(problem.azure_error));
  out.Set("message", JsonValue::String(problem.message));
  return out;
}

int RunValidate(const std::vector<std::string>& args) {
  FlagParser parser;
  parser.AddValue("nsg-name", "NAME",
                  "check only the NSG with this name in each file");
  parser.AddValue("parameters", "FILE",
                  "ARM parameters file for template expressions");
  parser.AddSwitch("json", "print one JSON object");
  parser.AddSwitch("help", "print this help");

  absl::StatusOr<ParsedFlags> flags = parser.Parse(args);
  if (!flags.ok()) return Fail(flags.status());
  if (flags->Switch("help")) {
    std::cout << "usage: portcullis nsg validate FILE|DIR... [FLAGS]\n\n"
              << "Checks every file given, and every JSON file of each folder.\n"
                 "Exit status: 0 without problems, 1 with problems, 2 when a "
                 "file cannot be read or contains no NSG (the other files are "
                 "still checked).\n\n"
              << parser.Help();
    return 0;
  }
  if (flags->positional().empty()) {
    return Fail("validate: missing FILE; give NSG files or folders of them");
  }

  nsg::ImportOptions options;
  options.nsg_name = flags->Value("nsg-name");
  if (flags->Has("parameters")) {
    absl::StatusOr<std::string> parameters =
        ReadUserFile(flags->Value("parameters"));
    if (!parameters.ok()) return Fail(parameters.status());
    options.parameters_json = *std::move(parameters);
  }

  JsonValue json_problems = JsonValue::Array();
  JsonValue json_files = JsonValue::Array();
  JsonValue json_errors = JsonValue::Array();
  size_t problem_count = 0;
  size_t error_count = 0;
  // A file that cannot be read or contains no NSG is reported, and the
  // other files are still checked. The exit status is then 2.
  auto report_error = [&](const std::string& file, absl::string_view message,
                          bool message_names_file = false) {
    ++error_count;
    std::cerr << "portcullis nsg: " << (message_names_file ? "" : file + ": ")
              << message << "\n";
    JsonValue entry = JsonValue::Object();
    entry.Set("file", JsonValue::String(file));
    entry.Set("message", JsonValue::String(std::string(message)));
    json_errors.Append(std::move(entry));
  };
  std::vector<std::string> files;
  for (const std::string& argument : flags->positional()) {
    absl::StatusOr<std::vector<std::string>> expanded =
        ExpandJsonPaths(argument);
    if (!expanded.ok()) {
      // The message already names the path.
      report_error(argument, expanded.status().message(),
                   /*message_names_file=*/true);
    } else if (expanded->empty()) {
      report_error(argument, "the folder contains no JSON file");
    } else {
      files.insert(files.end(), expanded->begin(), expanded->end());
    }
  }

  for (const std::string& file : files) {
    absl::StatusOr<std::string> bytes = ReadUserFile(file);
    if (!bytes.ok()) {
      report_error(file, bytes.status().message());
      continue;
    }
    absl::StatusOr<nsg::ImportResult> result = nsg::ImportNsgs(*bytes, options);
    if (!result.ok()) {
      report_error(file, result.status().message());
      continue;
    }

    problem_count += result->problems.size();
    JsonValue names = JsonValue::Array();
    for (const nsg::NetworkSecurityGroup& group : result->nsgs) {
      names.Append(JsonValue::String(group.name()));
    }
    JsonValue entry = JsonValue::Object();
    entry.Set("file", JsonValue::String(file));
    entry.Set("format", JsonValue::String(result->format));
    entry.Set("nsgs", std::move(names));
    entry.Set("problems",
              JsonValue::Integer(static_cast<int64_t>(result->problems.size())));
    json_files.Append(std::move(entry));

    for (const nsg::Problem& problem : result->problems) {
      json_problems.Append(ProblemToJson(file, problem));
      if (!flags->Switch("json")) {
        std::cout << file << ": " << problem.ToString() << "\n";
      }
    }
    if (!flags->Switch("json") && result->problems.empty()) {
      std::cout << file << ": " << result->nsgs.size()
                << (result->nsgs.size() == 1 ? " NSG" : " NSGs")
                << ", no problems\n";
    }
  }

  if (flags->Switch("json")) {
    JsonValue out = JsonValue::Object();
    out.Set("valid", JsonValue::Bool(problem_count == 0 && error_count == 0));
    out.Set("files", std::move(json_files));
    out.Set("problems", std::move(json_problems));
    out.Set("errors", std::move(json_errors));
    std::cout << out.Render() << "\n";
  }
  if (error_count > 0) return 2;
  return problem_count == 0 ? 0 : 1;
}

JsonValue EffectiveRuleToJson(const nsg::EffectiveRule& rule) {
  JsonValue out = JsonValue::Object();
  out.Set("name", JsonValue::String(rule.name));
  out.Set("protocol", JsonValue::String(rule.protocol));

  // One entry goes in Azure's singular field, several in its plural one.
  auto set_list = [&out](const char* singular, const char* plural,
                         const std::vector<std::string>& values) {
    if (values.size() == 1) {
      out.Set(singular, JsonValue::String(values.front()));
    } else if (!values.empty()) {
      out.Set(plural, JsonValue::Strings(values));
    }
  };
  set_list("sourcePortRange", "sourcePortRanges", rule.source_port_ranges);
  set_list("destinationPortRange", "destinationPortRanges",
           rule.destination_port_ranges);
  set_list("sourceAddressPrefix", "sourceAddressPrefixes",
           rule.source_address_prefixes);
  set_list("destinationAddressPrefix", "destinationAddressPrefixes",
           rule.destination_address_prefixes);
  if (!rule.source_application_security_groups.empty()) {
    out.Set("sourceApplicationSecurityGroups",
            JsonValue::Strings(rule.source_application_security_groups));
  }
  if (!rule.destination_application_security_groups.empty()) {
    out.Set("destinationApplicationSecurityGroups",
            JsonValue::Strings(rule.destination_application_security_groups));
  }
  if (!rule.expanded_source_address_prefix.empty()) {
    out.Set("expandedSourceAddressPrefix",
            JsonValue::Strings(rule.expanded_source_address_prefix));
  }
  if (!rule.expanded_destination_address_prefix.empty()) {
    out.Set("expandedDestinationAddressPrefix",
            JsonValue::Strings(rule.expanded_destination_address_prefix));
  }
  out.Set("access", JsonValue::String(nsg::AccessName(rule.access)));
  out.Set("priority", JsonValue::Integer(rule.priority));
  out.Set("direction", JsonValue::String(nsg::DirectionName(rule.direction)));
  return out;
}

JsonValue EffectiveNsgToJson(const nsg::EffectiveNsg& view) {
  JsonValue out = JsonValue::Object();
  JsonValue group = JsonValue::Object();
  group.Set("id", JsonValue::String(view.nsg_id.empty() ? view.nsg_name
                                                         : view.nsg_id));
  out.Set("networkSecurityGroup", std::move(group));
  JsonValue association = JsonValue::Object();
  association.Set(AttachmentJson(view.attachment), JsonValue::Object());
  out.Set("association", std::move(association));

  JsonValue rules = JsonValue::Array();
  for (const nsg::EffectiveRule& rule : view.rules) {
    rules.Append(EffectiveRuleToJson(rule));
  }
  out.Set("effectiveSecurityRules", std::move(rules));

  JsonValue tag_map = JsonValue::Object();
  for (const auto& [tag, prefixes] : view.tag_map) {
    tag_map.Set(tag, JsonValue::Strings(prefixes));
  }
  out.Set("tagMap", std::move(tag_map));
  return out;
}

std::string JoinOrDash(const std::vector<std::string>& values) {
  return values.empty() ? "-" : absl::StrJoin(values, ",");
}

std::string EffectiveNsgToText(const nsg::EffectiveNsg& view) {
  std::string out = absl::StrCat(AttachmentText(view.attachment), " ",
                                 view.nsg_name, "\n");
  absl::StrAppendFormat(&out, "  %-9s %-8s %-6s %-5s %-24s %-12s %-24s %-12s %s\n",
                        "DIRECTION", "PRIORITY", "ACCESS", "PROTO", "SOURCE",
                        "SOURCE PORT", "DESTINATION", "DEST PORT", "NAME");
  for (const nsg::EffectiveRule& rule : view.rules) {
    std::vector<std::string> sources = rule.source_address_prefixes;
    sources.insert(sources.end(), rule.source_application_security_groups.begin(),
                   rule.source_application_security_groups.end());
    std::vector<std::string> destinations = rule.destination_address_prefixes;
    destinations.insert(destinations.end(),
                        rule.destination_application_security_groups.begin(),
                        rule.destination_application_security_groups.end());
    absl::StrAppendFormat(
        &out, "  %-9s %-8d %-6s %-5s %-24s %-12s %-24s %-12s %s\n",
        nsg::DirectionName(rule.direction), rule.priority,
        nsg::AccessName(rule.access), rule.protocol, JoinOrDash(sources),
        JoinOrDash(rule.source_port_ranges), JoinOrDash(destinations),
        JoinOrDash(rule.destination_port_ranges), rule.name);
  }
  for (const auto& [tag, prefixes] : view.tag_map) {
    absl::StrAppend(&out, "  tag ", tag, ": ", prefixes.size(),
                    prefixes.size() == 1 ? " prefix" : " prefixes");
    constexpr size_t kShown = 4;
    for (size_t i = 0; i < prefixes.size() && i < kShown; ++i) {
      absl::StrAppend(&out, i == 0 ? " (" : ", ", prefixes[i]);
    }
    if (!prefixes.empty()) {
      absl::StrAppend(&out, prefixes.size() > kShown ? ", ...)" : ")");
    }
    out += "\n";
  }
  return out;
}

int RunEffective(const std::vector<std::string>& args) {
  FlagParser parser;
  AddNsgFlags(parser);
  absl::StatusOr<ParsedFlags> flags = parser.Parse(args);
  if (!flags.ok()) return Fail(flags.status());
  if (flags->Switch("help")) {
    std::cout << "usage: portcullis nsg effective [FLAGS]\n\n" << parser.Help();
    return 0;
  }
  if (!flags->positional().empty()) {
    return Fail(absl::StrCat("unexpected argument \"",
                             flags->positional().front(), "\""));
  }

  absl::StatusOr<LoadedNsgs> loaded = LoadNsgs(*flags);
  if (!loaded.ok()) return Fail(loaded.status());
  absl::StatusOr<nsg::AddressResolver> resolver = MakeAddressResolver(
      flags->Value("service-tags"), flags->Value("vnet-prefixes"),
      flags->Values("nics"));
  if (!resolver.ok()) return Fail(resolver.status());

  struct Attached {
    const std::optional<nsg::NetworkSecurityGroup>& group;
    nsg::Attachment attachment;
  };
  const Attached order[] = {
      {loaded->network_interface, nsg::ATTACHMENT_NETWORK_INTERFACE},
      {loaded->subnet, nsg::ATTACHMENT_SUBNET},
  };
  std::vector<nsg::EffectiveNsg> views;
  for (const Attached& attached : order) {
    if (!attached.group.has_value()) continue;
    absl::StatusOr<nsg::EffectiveNsg> view =
        nsg::EffectiveRules(*attached.group, attached.attachment, *resolver);
    if (!view.ok()) return Fail(view.status());
    views.push_back(*std::move(view));
  }

  if (flags->Switch("json")) {
    JsonValue value = JsonValue::Array();
    for (const nsg::EffectiveNsg& view : views) {
      value.Append(EffectiveNsgToJson(view));
    }
    JsonValue out = JsonValue::Object();
    out.Set("value", std::move(value));
    std::cout << out.Render() << "\n";
    return 0;
  }
  for (size_t i = 0; i < views.size(); ++i) {
    if (i > 0) std::cout << "\n";
    std::cout << EffectiveNsgToText(views[i]);
  }
  return 0;
}

}  // namespace

absl::StatusOr<nsg::NetworkSecurityGroup> LoadNsgFile(
    const std::string& path, const std::string& nsg_name,
    const std::string& parameters_path) {
  absl::StatusOr<std::string> bytes = ReadUserFile(path);
  if (!bytes.ok()) return bytes.status();

  nsg::ImportOptions options;
  options.nsg_name = nsg_name;
  if (!parameters_path.empty()) {
    absl::StatusOr<std::string> parameters = ReadUserFile(parameters_path);
    if (!parameters.ok()) return parameters.status();
    options.parameters_json = *std::move(parameters);
  }

  absl::StatusOr<nsg::ImportResult> result = nsg::ImportNsgs(*bytes, options);
  if (!result.ok()) {
    return absl::Status(result.status().code(),
                        absl::StrCat(path, ": ", result.status().message()));
  }
  if (!result->ok()) {
    std::vector<std::string> lines;
    for (const nsg::Problem& problem : result->problems) {
      lines.push_back(absl::StrCat("  ", problem.ToString()));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": ", result->problems.size(),
        result->problems.size() == 1 ? " problem" : " problems",
        " that Azure would reject; fix them before evaluating:\n",
        absl::StrJoin(lines, "\n")));
  }
  if (result->nsgs.size() != 1) {
    std::vector<std::string> names;
    for (const nsg::NetworkSecurityGroup& group : result->nsgs) {
      names.push_back(group.name());
    }
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": contains ", result->nsgs.size(), " NSGs (",
        absl::StrJoin(names, ", "),
        "); choose one with --nsg-name or --nic-nsg-name"));
  }
  return std::move(result->nsgs.front());
}

// Adds the application security group memberships of the NICs in the
// files and folders `nic_paths` to `context`.
absl::Status AddApplicationSecurityGroups(
    const std::vector<std::string>& nic_paths, nsg::AddressContext& context) {
  for (const std::string& argument : nic_paths) {
    absl::StatusOr<std::vector<std::string>> files = ExpandJsonPaths(argument);
    if (!files.ok()) return files.status();
    for (const std::string& file : *files) {
      absl::StatusOr<std::string> bytes = ReadUserFile(file);
      if (!bytes.ok()) return bytes.status();
      absl::StatusOr<jit::NetworkInterface> nic =
          jit::ImportNetworkInterface(*bytes);
      absl::Status added =
          nic.ok() ? jit::AddApplicationSecurityGroupMembers(*nic, context)
                   : nic.status();
      if (!added.ok()) {
        return absl::Status(added.code(),
                            absl::StrCat(file, ": ", added.message()));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<nsg::AddressResolver> MakeAddressResolver(
    const std::string& service_tags_path, const std::string& vnet_prefixes,
    const std::vector<std::string>& nic_paths) {
  nsg::ServiceTags tags;
  if (!service_tags_path.empty()) {
    absl::StatusOr<std::string> bytes = ReadUserFile(service_tags_path);
    if (!bytes.ok()) return bytes.status();
    absl::StatusOr<nsg::ServiceTags> loaded = nsg::ServiceTags::Load(*bytes);
    if (!loaded.ok()) {
      return absl::Status(loaded.status().code(),
                          absl::StrCat(service_tags_path, ": ",
                                       loaded.status().message()));
    }
    tags = *std::move(loaded);
  }

  nsg::AddressContext context;
  if (!vnet_prefixes.empty()) {
    for (absl::string_view text : absl::StrSplit(vnet_prefixes, ',')) {
      absl::StatusOr<net::IpPrefix> prefix =
          net::IpPrefix::ParseStrict(absl::StripAsciiWhitespace(text));
      if (!prefix.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--vnet-prefixes: ", prefix.status().message()));
      }
      context.virtual_network.push_back(*prefix);
    }
  }
  absl::Status groups = AddApplicationSecurityGroups(nic_paths, context);
  if (!groups.ok()) return groups;
  return nsg::AddressResolver::Create(std::move(tags), std::move(context));
}

absl::StatusOr<Endpoint> ParseEndpoint(const std::string& flag,
                                       const std::string& text) {
  auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": invalid value \"", text, "\"; ", why));
  };

  std::string address_text;
  std::optional<std::string> port_text;
  if (absl::StartsWith(text, "[")) {
    size_t close = text.find(']');
    if (close == std::string::npos) {
      return invalid("expected [IPv6] or [IPv6]:PORT");
    }
    address_text = text.substr(1, close - 1);
    std::string rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return invalid("expected [IPv6] or [IPv6]:PORT");
      port_text = rest.substr(1);
    }
  } else if (size_t colon = text.find(':');
             colon != std::string::npos && text.find(':', colon + 1) ==
                                               std::string::npos) {
    address_text = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  } else {
    // No colon, or several: an IPv4 address or an IPv6 address alone.
    address_text = text;
  }

  absl::StatusOr<net::IpAddress> address = net::IpAddress::Parse(address_text);
  if (!address.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": ", address.status().message()));
  }
  if (address->is_v6() && !absl::StartsWith(text, "[") && port_text) {
    return invalid("write an IPv6 address with a port as [IPv6]:PORT");
  }

  Endpoint endpoint;
  endpoint.address = address->ToString();
  if (port_text.has_value()) {
    uint32_t port = 0;
    bool digits_only = !port_text->empty() &&
                       port_text->find_first_not_of("0123456789") ==
                           std::string::npos;
    if (!digits_only || port_text->size() > 5 ||
        !absl::SimpleAtoi(*port_text, &port) || port > 65535) {
      return invalid("expected a port from 0 to 65535 after the colon");
    }
    endpoint.port = static_cast<uint16_t>(port);
  }
  return endpoint;
}

std::string FormatVerdictText(const nsg::ResolvedFlow& flow,
                              const nsg::NsgAttachments& attachments,
                              const nsg::Verdict& verdict) {
  std::string out = absl::StrCat("flow: ", flow.ToString(), "\n");
  if (verdict.rule() == nsg::kPlatformExemptionRule) {
    absl::StrAppend(&out, "  not filtered: outbound traffic to ",
                    flow.remote.ToString(),
                    " is Azure platform traffic, which NSGs do not filter\n");
  }

  for (const nsg::Stage& stage : verdict.stages()) {
    absl::StrAppend(&out, "  ", AttachmentText(stage.attachment()), " ",
                    stage.nsg_name(), ": ", nsg::AccessName(stage.access()),
                    " by ", stage.rule(), "\n");
    AppendTraceText(stage, out);
  }

  // Name the NSGs that exist but were not reached after a deny.
  const bool platform = verdict.rule() == nsg::kPlatformExemptionRule;
  struct Present {
    const nsg::ResolvedNsg* nsg;
    nsg::Attachment attachment;
  };
  const Present present[] = {
      {attachments.subnet, nsg::ATTACHMENT_SUBNET},
      {attachments.network_interface, nsg::ATTACHMENT_NETWORK_INTERFACE},
  };
  for (const Present& candidate : present) {
    if (candidate.nsg == nullptr || platform) continue;
    bool evaluated = false;
    for (const nsg::Stage& stage : verdict.stages()) {
      if (stage.attachment() == candidate.attachment) evaluated = true;
    }
    if (!evaluated) {
      absl::StrAppend(&out, "  ", AttachmentText(candidate.attachment), " ",
                      candidate.nsg->name(),
                      ": not evaluated, because an earlier NSG denied the flow\n");
    }
  }

  absl::StrAppend(&out, "result: ", nsg::AccessName(verdict.access()), " (",
                  verdict.rule(), ")\n");
  return out;
}

JsonValue VerdictToJson(const nsg::ResolvedFlow& flow,
                        const nsg::Verdict& verdict) {
  JsonValue out = JsonValue::Object();
  out.Set("access", JsonValue::String(nsg::AccessName(verdict.access())));
  out.Set("rule", JsonValue::String(verdict.rule()));

  JsonValue flow_json = JsonValue::Object();
  flow_json.Set("direction",
                JsonValue::String(nsg::DirectionName(flow.direction)));
  flow_json.Set("protocol",
                JsonValue::String(flow.protocol == nsg::PROTOCOL_ANY
                                      ? "Any"
                                      : nsg::ProtocolName(flow.protocol)));
  flow_json.Set("localAddress", JsonValue::String(flow.local.ToString()));
  flow_json.Set("localPort", JsonValue::Integer(flow.local_port));
  flow_json.Set("remoteAddress", JsonValue::String(flow.remote.ToString()));
  flow_json.Set("remotePort", JsonValue::Integer(flow.remote_port));
  out.Set("flow", std::move(flow_json));

  JsonValue stages = JsonValue::Array();
  for (const nsg::Stage& stage : verdict.stages()) {
    JsonValue stage_json = JsonValue::Object();
    stage_json.Set("attachment",
                   JsonValue::String(AttachmentJson(stage.attachment())));
    stage_json.Set("nsg", JsonValue::String(stage.nsg_name()));
    if (!stage.nsg_id().empty()) {
      stage_json.Set("id", JsonValue::String(stage.nsg_id()));
    }
    stage_json.Set("access", JsonValue::String(nsg::AccessName(stage.access())));
    stage_json.Set("rule", JsonValue::String(stage.rule()));
    if (stage.trace_size() > 0) {
      JsonValue trace = JsonValue::Array();
      for (const nsg::RuleTraceEntry& entry : stage.trace()) {
        JsonValue entry_json = JsonValue::Object();
        entry_json.Set("rule", JsonValue::String(entry.rule()));
        entry_json.Set("priority", JsonValue::Integer(entry.priority()));
        entry_json.Set("access",
                       JsonValue::String(nsg::AccessName(entry.access())));
        entry_json.Set("protocolMatched",
                       JsonValue::Bool(entry.protocol_matched()));
        entry_json.Set("sourceMatched", JsonValue::Bool(entry.source_matched()));
        entry_json.Set("sourcePortMatched",
                       JsonValue::Bool(entry.source_port_matched()));
        entry_json.Set("destinationMatched",
                       JsonValue::Bool(entry.destination_matched()));
        entry_json.Set("destinationPortMatched",
                       JsonValue::Bool(entry.destination_port_matched()));
        entry_json.Set("decided", JsonValue::Bool(entry.decided()));
        trace.Append(std::move(entry_json));
      }
      stage_json.Set("trace", std::move(trace));
    }
    stages.Append(std::move(stage_json));
  }
  out.Set("stages", std::move(stages));
  return out;
}

int RunNsgCommand(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  if (IsHelpFlag(args[0]) || args[0] == "help") {
    std::cout << kUsage;
    return 0;
  }
  const std::string& command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "verify") return RunVerify(rest);
  if (command == "validate") return RunValidate(rest);
  if (command == "effective") return RunEffective(rest);
  std::cerr << "portcullis nsg: unknown command \"" << command << "\"\n"
            << kUsage;
  return 2;
}

}  // namespace portcullis::cli
