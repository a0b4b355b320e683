// The `portcullis nsg` command group: verify, validate and effective.
//
//   portcullis nsg verify [--nsg FILE] [--nic-nsg FILE] [--service-tags FILE]
//       [--vnet-prefixes CIDR,CIDR,...] --direction inbound|outbound
//       --protocol tcp|udp|icmp|esp|ah|any --local IP[:PORT]
//       --remote IP[:PORT] [--trace] [--json]
//   portcullis nsg validate FILE|DIR [--nsg-name NAME] [--json]
//   portcullis nsg effective [--nsg FILE] [--nic-nsg FILE] [...] [--json]
//
// The helpers below are shared with `portcullis demo`, which evaluates the
// examples through the same code.
#ifndef PORTCULLIS_CLI_NSG_COMMAND_H_
#define PORTCULLIS_CLI_NSG_COMMAND_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/json_output.h"
#include "nsg/evaluate.h"
#include "nsg/service_tags.h"
#include "proto/nsg.pb.h"

namespace portcullis::cli {

// Runs `portcullis nsg ARGS...` and returns the exit status: 0 when the
// command evaluated its input, 1 when `validate` found problems, 2 on bad
// flags or unreadable or invalid input (the reason on standard error).
int RunNsgCommand(const std::vector<std::string>& args);

// Reads the NSG document at `path` (through ResolveUserPath) and returns its
// one NSG, or the NSG named `nsg_name` when the document contains several.
// `parameters_path`, when not empty, names an ARM parameters file. Fails
// when the document has problems, listing each with its JSON path.
absl::StatusOr<nsg::NetworkSecurityGroup> LoadNsgFile(
    const std::string& path, const std::string& nsg_name,
    const std::string& parameters_path);

// Builds the address resolver from a service tags download (`service_tags_path`,
// may be empty), a comma-separated list of VirtualNetwork prefixes
// (`vnet_prefixes`, may be empty) and NIC files or folders (`nic_paths`)
// whose IP configurations give the members of application security groups.
absl::StatusOr<nsg::AddressResolver> MakeAddressResolver(
    const std::string& service_tags_path, const std::string& vnet_prefixes,
    const std::vector<std::string>& nic_paths = {});

// Parses `IP`, `IP:PORT`, `[IPv6]` or `[IPv6]:PORT` as given to `--local`
// and `--remote`. `flag` names the flag in messages.
struct Endpoint {
  std::string address;
  std::optional<uint16_t> port;
};
absl::StatusOr<Endpoint> ParseEndpoint(const std::string& flag,
                                       const std::string& text);

// Formats a verdict as text: the flow, one line per stage (with the trace
// when the stages carry one), a line for each NSG that was not reached, and
// the result.
std::string FormatVerdictText(const nsg::ResolvedFlow& flow,
                              const nsg::NsgAttachments& attachments,
                              const nsg::Verdict& verdict);

// Returns the verdict as the JSON object `nsg verify --json` prints:
// "access", "rule", "flow" and "stages" (each with "attachment", "nsg",
// "id" when the NSG has one, "access", "rule" and, when traced, "trace").
JsonValue VerdictToJson(const nsg::ResolvedFlow& flow,
                        const nsg::Verdict& verdict);

}  // namespace portcullis::cli

#endif  // PORTCULLIS_CLI_NSG_COMMAND_H_
