#include "cli/demo_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/demo_jit.h"
#include "cli/demo_scenes.h"
#include "cli/flags.h"
#include "cli/nsg_command.h"
#include "json/json.h"
#include "nsg/evaluate.h"
#include "nsg/evaluate_rules.h"
#include "proto/nsg.pb.h"

namespace portcullis::cli {
namespace {

constexpr char kTemplateFile[] = "azuredeploy.json";
constexpr char kNicFile[] = "nic-vm-app01.json";
constexpr char kServiceTagsFile[] = "ServiceTags_Public_20251028.subset.json";
// The template's default address space, which is what VirtualNetwork holds.
constexpr char kVnetPrefixes[] = "10.0.0.0/16";
// Subnet NSG names as the template declares them.
constexpr char kBastionNsg[] = "nsg-bastion";
constexpr char kWorkloadNsg[] = "nsg-workload";
// The Bastion host's address: the first one Azure hands out in
// AzureBastionSubnet (10.0.1.0/26), whose .0 to .3 are reserved.
constexpr char kBastionAddress[] = "10.0.1.4";

bool IsFile(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

std::string ExecutablePath() {
  char buffer[4096];
  ssize_t length = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  if (length <= 0) return "";
  return std::string(buffer, static_cast<size_t>(length));
}

// The facts the demo reads from the NIC file (`az network nic show` output).
struct NicFacts {
  std::string private_address;
  std::string nsg_name;
};

absl::StatusOr<NicFacts> ReadNic(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadUserFile(path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<google::protobuf::Value> root = json::ParseJson(*bytes);
  if (!root.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", root.status().message()));
  }
  json::Path root_path;
  absl::StatusOr<const google::protobuf::Struct*> nic =
      json::GetObject(*root, root_path);
  if (!nic.ok()) return nic.status();

  NicFacts facts;
  const google::protobuf::Value* configurations =
      json::FindField(**nic, "ipConfigurations");
  if (json::IsNullOrAbsent(configurations)) {
    return json::MissingField(root_path.Field("ipConfigurations"),
                              "the NIC's IP configurations");
  }
  absl::StatusOr<const google::protobuf::ListValue*> list =
      json::GetArray(*configurations, root_path.Field("ipConfigurations"));
  if (!list.ok()) return list.status();
  if ((*list)->values_size() == 0) {
    return json::MissingField(root_path.Field("ipConfigurations").Index(0),
                              "an IP configuration");
  }
  json::Path first = root_path.Field("ipConfigurations").Index(0);
  absl::StatusOr<const google::protobuf::Struct*> configuration =
      json::GetObject((*list)->values(0), first);
  if (!configuration.ok()) return configuration.status();
  const google::protobuf::Value* address =
      json::FindField(**configuration, "privateIPAddress");
  if (json::IsNullOrAbsent(address)) {
    return json::MissingField(first.Field("privateIPAddress"),
                              "the VM's private address");
  }
  absl::StatusOr<std::string> address_text =
      json::GetString(*address, first.Field("privateIPAddress"));
  if (!address_text.ok()) return address_text.status();
  facts.private_address = *address_text;

  const google::protobuf::Value* group =
      json::FindField(**nic, "networkSecurityGroup");
  if (json::IsNullOrAbsent(group)) {
    return json::MissingField(root_path.Field("networkSecurityGroup"),
                              "the NIC's NSG");
  }
  absl::StatusOr<const google::protobuf::Struct*> group_object =
      json::GetObject(*group, root_path.Field("networkSecurityGroup"));
  if (!group_object.ok()) return group_object.status();
  const google::protobuf::Value* id = json::FindField(**group_object, "id");
  json::Path id_path = root_path.Field("networkSecurityGroup").Field("id");
  if (json::IsNullOrAbsent(id)) {
    return json::MissingField(id_path, "the NSG's resource id");
  }
  absl::StatusOr<std::string> id_text = json::GetString(*id, id_path);
  if (!id_text.ok()) return id_text.status();
  // The NSG's name is the last segment of its resource id.
  std::vector<std::string> segments = absl::StrSplit(*id_text, '/');
  facts.nsg_name = segments.back();
  return facts;
}

// One step of the walkthrough.
struct Step {
  std::string title;
  std::string story;
  const nsg::ResolvedNsg* subnet;
  const nsg::ResolvedNsg* network_interface;
  nsg::Flow flow;
};

nsg::Flow MakeFlow(nsg::Direction direction, nsg::Protocol protocol,
                   const std::string& local, uint32_t local_port,
                   const std::string& remote, uint32_t remote_port) {
  nsg::Flow flow;
  flow.set_direction(direction);
  flow.set_protocol(protocol);
  flow.set_local_address(local);
  flow.set_local_port(local_port);
  flow.set_remote_address(remote);
  flow.set_remote_port(remote_port);
  return flow;
}

std::string Endpoint(const std::string& address, uint32_t port) {
  return absl::StrCat(address, ":", port);
}

// The `portcullis nsg verify` command line that decides the same flow.
std::string EquivalentCommand(const Step& step, const std::string& nic_nsg) {
  std::vector<std::string> parts = {"portcullis nsg verify"};
  if (step.subnet != nullptr) {
    parts.push_back(absl::StrCat("--nsg examples/", kTemplateFile,
                                 " --nsg-name ", step.subnet->name()));
  }
  if (step.network_interface != nullptr) {
    parts.push_back(absl::StrCat("--nic-nsg examples/", kTemplateFile,
                                 " --nic-nsg-name ", nic_nsg));
  }
  parts.push_back(absl::StrCat("--service-tags examples/", kServiceTagsFile));
  parts.push_back(absl::StrCat("--vnet-prefixes ", kVnetPrefixes));
  parts.push_back(absl::StrCat(
      "--direction ",
      step.flow.direction() == nsg::DIRECTION_INBOUND ? "inbound"
                                                      : "outbound"));
  parts.push_back(absl::StrCat(
      "--protocol ", step.flow.protocol() == nsg::PROTOCOL_TCP ? "tcp" : "udp"));
  parts.push_back(absl::StrCat(
      "--local ", Endpoint(step.flow.local_address(), step.flow.local_port())));
  parts.push_back(absl::StrCat("--remote ", Endpoint(step.flow.remote_address(),
                                                     step.flow.remote_port())));
  return absl::StrJoin(parts, " ");
}

absl::StatusOr<nsg::ResolvedNsg> LoadExampleNsg(
    const std::string& dir, const std::string& name,
    const nsg::AddressResolver& resolver) {
  absl::StatusOr<nsg::NetworkSecurityGroup> group =
      LoadNsgFile(absl::StrCat(dir, "/", kTemplateFile), name, "");
  if (!group.ok()) return group.status();
  return nsg::ResolveNsg(*group, resolver);
}

int Fail(const absl::Status& status) {
  std::cerr << "portcullis demo: " << status.message() << "\n";
  return 2;
}

}  // namespace

absl::StatusOr<std::string> FindExamplesDir(const std::string& override_dir) {
  if (!override_dir.empty()) {
    std::string dir = ResolveUserPath(override_dir);
    if (IsFile(absl::StrCat(dir, "/", kTemplateFile))) return dir;
    return absl::NotFoundError(absl::StrCat(
        "--examples: ", dir, " does not contain ", kTemplateFile));
  }

  std::vector<std::string> candidates;
  if (const char* runfiles = std::getenv("RUNFILES_DIR");
      runfiles != nullptr && *runfiles != '\0') {
    candidates.push_back(absl::StrCat(runfiles, "/portcullis/examples"));
  }
  if (std::string binary = ExecutablePath(); !binary.empty()) {
    candidates.push_back(absl::StrCat(binary, ".runfiles/portcullis/examples"));
  }
  if (const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
      workspace != nullptr && *workspace != '\0') {
    candidates.push_back(absl::StrCat(workspace, "/examples"));
  }
  candidates.push_back("examples");

  for (const std::string& dir : candidates) {
    if (IsFile(absl::StrCat(dir, "/", kTemplateFile))) return dir;
  }
  return absl::NotFoundError(absl::StrCat(
      "cannot find the examples folder (looked in ",
      absl::StrJoin(candidates, ", "),
      "); run through `bazel run //cli:portcullis -- demo` or pass "
      "--examples DIR"));
}

int RunDemoCommand(const std::vector<std::string>& args) {
  FlagParser parser;
  parser.AddValue("examples", "DIR",
                  "folder with the reference architecture's files");
  parser.AddSwitch("help", "print this help");
  absl::StatusOr<ParsedFlags> flags = parser.Parse(args);
  if (!flags.ok()) return Fail(flags.status());
  if (flags->Switch("help")) {
    std::cout << "usage: portcullis demo [FLAGS]\n\n" << parser.Help();
    return 0;
  }
  if (!flags->positional().empty()) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "unexpected argument \"", flags->positional().front(), "\"")));
  }

  absl::StatusOr<std::string> dir = FindExamplesDir(flags->Value("examples"));
  if (!dir.ok()) return Fail(dir.status());
  absl::StatusOr<NicFacts> nic = ReadNic(absl::StrCat(*dir, "/", kNicFile));
  if (!nic.ok()) return Fail(nic.status());
  absl::StatusOr<nsg::AddressResolver> resolver = MakeAddressResolver(
      absl::StrCat(*dir, "/", kServiceTagsFile), kVnetPrefixes);
  if (!resolver.ok()) return Fail(resolver.status());

  absl::StatusOr<nsg::ResolvedNsg> bastion =
      LoadExampleNsg(*dir, kBastionNsg, *resolver);
  if (!bastion.ok()) return Fail(bastion.status());
  absl::StatusOr<nsg::ResolvedNsg> workload =
      LoadExampleNsg(*dir, kWorkloadNsg, *resolver);
  if (!workload.ok()) return Fail(workload.status());
  absl::StatusOr<nsg::ResolvedNsg> nic_nsg =
      LoadExampleNsg(*dir, nic->nsg_name, *resolver);
  if (!nic_nsg.ok()) return Fail(nic_nsg.status());

  const std::string& vm = nic->private_address;
  using nsg::DIRECTION_INBOUND;
  using nsg::DIRECTION_OUTBOUND;
  using nsg::PROTOCOL_TCP;
  using nsg::PROTOCOL_UDP;
  const std::vector<Step> steps = {
      {"Brute force on SSH from the Internet",
       "A scanner on the Internet tries the VM's SSH port.", &*workload,
       &*nic_nsg,
       MakeFlow(DIRECTION_INBOUND, PROTOCOL_TCP, vm, 22, "203.0.113.50",
                50022)},
      {"Brute force on RDP from the Internet",
       "The same scanner tries RDP.", &*workload, &*nic_nsg,
       MakeFlow(DIRECTION_INBOUND, PROTOCOL_TCP, vm, 3389, "203.0.113.50",
                50023)},
      {"An administrator on premises opens Azure Bastion",
       "Bastion's HTTPS endpoint accepts sessions from the on-premises range "
       "198.51.100.0/24 only.",
       &*bastion, nullptr,
       MakeFlow(DIRECTION_INBOUND, PROTOCOL_TCP, kBastionAddress, 443,
                "198.51.100.25", 52000)},
      {"Someone on the Internet tries Azure Bastion",
       "The same endpoint, from an address outside the on-premises range.",
       &*bastion, nullptr,
       MakeFlow(DIRECTION_INBOUND, PROTOCOL_TCP, kBastionAddress, 443,
                "203.0.113.50", 52001)},
      {"Bastion opens SSH to the VM: leaving AzureBastionSubnet",
       "Outbound through the Bastion subnet's NSG.", &*bastion, nullptr,
       MakeFlow(DIRECTION_OUTBOUND, PROTOCOL_TCP, kBastionAddress, 50100, vm,
                22)},
      {"Bastion opens SSH to the VM: arriving at the VM",
       "Inbound through the VM subnet's NSG, then the NIC's NSG, whose JIT "
       "deny rule closes 22 until a request is granted (steps 12 to 16).",
       &*workload,
       &*nic_nsg,
       MakeFlow(DIRECTION_INBOUND, PROTOCOL_TCP, vm, 22, kBastionAddress,
                50100)},
      {"Bastion opens RDP to the VM",
       "The subnet lets Bastion through on 3389; the NIC of this Linux VM has "
       "its own say.",
       &*workload, &*nic_nsg,
       MakeFlow(DIRECTION_INBOUND, PROTOCOL_TCP, vm, 3389, kBastionAddress,
                50101)},
      {"The VM calls an HTTPS service on the Internet",
       "No user rule covers it, so the outbound default rules decide.",
       &*workload, &*nic_nsg,
       MakeFlow(DIRECTION_OUTBOUND, PROTOCOL_TCP, vm, 50200, "203.0.113.80",
                443)},
      {"The VM connects to a database in the same VNet",
       "Again the outbound defaults decide.", &*workload, &*nic_nsg,
       MakeFlow(DIRECTION_OUTBOUND, PROTOCOL_TCP, vm, 50201, "10.0.2.5", 5432)},
      {"The VM sends mail straight to the Internet",
       "The NIC's NSG is evaluated first on the way out.", &*workload,
       &*nic_nsg,
       MakeFlow(DIRECTION_OUTBOUND, PROTOCOL_TCP, vm, 50202, "203.0.113.25",
                25)},
      {"The VM asks Azure's DNS",
       "168.63.129.16 is Azure's platform address for DNS, DHCP and health "
       "probes.",
       &*workload, &*nic_nsg,
       MakeFlow(DIRECTION_OUTBOUND, PROTOCOL_UDP, vm, 50300, "168.63.129.16",
                53)},
  };

  // Under `bazel run` the folder is inside Bazel's runfiles tree, a path
  // that means nothing to the reader; name the repository's folder then.
  const bool in_runfiles = absl::StrContains(*dir, ".runfiles/");
  std::cout << "Portcullis demo: Azure NSGs of the reference architecture in "
            << (in_runfiles ? std::string("examples/") : *dir) << "\n"
            << "VM " << vm << " (NIC NSG " << nic->nsg_name << ") in subnet "
            << "snet-workload (NSG " << kWorkloadNsg << "); Azure Bastion "
            << kBastionAddress << " in AzureBastionSubnet (NSG " << kBastionNsg
            << "); VirtualNetwork = " << kVnetPrefixes << "\n";

  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    absl::StatusOr<nsg::ResolvedFlow> flow =
        nsg::ResolvedFlow::FromProto(step.flow);
    if (!flow.ok()) return Fail(flow.status());
    nsg::NsgAttachments attachments{step.subnet, step.network_interface};
    absl::StatusOr<nsg::Verdict> verdict =
        nsg::EvaluateFlow(attachments, *flow);
    if (!verdict.ok()) return Fail(verdict.status());

    std::cout << "\n[" << i + 1 << "] " << step.title << "\n"
              << "    " << step.story << "\n"
              << "    $ " << EquivalentCommand(step, nic->nsg_name) << "\n"
              << FormatVerdictText(*flow, attachments, *verdict);
  }

  absl::Status jit = PrintJitDemo(*dir, *resolver, *workload,
                                  static_cast<int>(steps.size()) + 1,
                                  std::cout);
  if (!jit.ok()) return Fail(jit);
  return PrintDecisionScenes(*dir, std::cout);
}

}  // namespace portcullis::cli
