#include "decide/scenario.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "access/ca_import.h"
#include "access/ca_sign_in_import.h"
#include "access/rbac_import.h"
#include "decide/json_files.h"
#include "json/json.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "nsg/import.h"
#include "nsg/jit_import.h"
#include "pim/import.h"
#include "pim/policy.h"
#include "schedule/rfc3339.h"

namespace portcullis::decide {
namespace {

constexpr int kMaxBaseDepth = 8;

// One field of a scenario section, with where it was read.
struct Entry {
  const google::protobuf::Value* value = nullptr;
  // The folder relative paths in `value` resolve from.
  std::string dir;
  // "<file>: <json path>" for messages.
  std::string where;
};

using Section = std::map<std::string, Entry>;

// The merged fields of a scenario and its bases.
struct Layered {
  std::vector<std::unique_ptr<google::protobuf::Value>> documents;
  std::map<std::string, Section> sections;
  std::map<std::string, Entry> top;
};

const std::vector<std::string>& SectionKeys(const std::string& section) {
  static const auto* keys = new std::map<std::string, std::vector<std::string>>{
      {"conditionalAccess", {"policies", "namedLocations", "directory", "mode"}},
      {"pim", {"policy", "eligibility", "active", "requests", "workHours"}},
      {"rbac", {"roleDefinitions", "roleAssignments", "denyAssignments", "managementGroups"}},
      {"network",
       {"serviceTags", "virtualNetworkPrefixes", "bastion", "vms", "jitPolicy"}},
      {"attempt",
       {"signIn", "satisfiedControls", "vm", "port", "protocol", "source", "sourcePort",
        "viaBastion", "login"}},
  };
  static const std::vector<std::string> none;
  auto found = keys->find(section);
  return found == keys->end() ? none : found->second;
}

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Removes `.` segments and folds `name/..` pairs, so messages show
// "examples/rbac/x.json" rather than "examples/scenarios/../rbac/x.json".
std::string Normalize(const std::string& path) {
  std::vector<std::string> kept;
  for (absl::string_view segment : absl::StrSplit(path, '/')) {
    if (segment == "." || (segment.empty() && !kept.empty())) continue;
    if (segment == ".." && !kept.empty() && kept.back() != ".." && !kept.back().empty()) {
      kept.pop_back();
      continue;
    }
    kept.emplace_back(segment);
  }
  std::string joined = absl::StrJoin(kept, "/");
  return joined.empty() ? "." : joined;
}

std::string Resolve(const std::string& dir, const std::string& path) {
  if (!path.empty() && path[0] == '/') return Normalize(path);
  return Normalize(absl::StrCat(dir, "/", path));
}

bool IsDirectory(const std::string& path);

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  // A folder opens as a stream and reads as an empty document, so name the
  // mistake instead.
  if (IsDirectory(path)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": is a folder; expected a file"));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat(path, ": failed to open the file"));
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

bool IsDirectory(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

// The JSON files of a folder (ListJsonFiles()), or {path} for a file.
absl::StatusOr<std::vector<std::string>> JsonFiles(const std::string& path) {
  if (!IsDirectory(path)) return std::vector<std::string>{path};
  return ListJsonFiles(path);
}

absl::Status Error(const Entry& entry, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(entry.where, ": ", message));
}

absl::Status InFile(const std::string& file, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(file, ": ", status.message()));
}

absl::StatusOr<std::string> StringOf(const Entry& entry) {
  if (entry.value->kind_case() != google::protobuf::Value::kStringValue) {
    return Error(entry, absl::StrCat("invalid value ", json::Describe(*entry.value),
                                     "; expected a string"));
  }
  return entry.value->string_value();
}

// A string or an array of strings, resolved as paths.
absl::StatusOr<std::vector<std::string>> PathsOf(const Entry& entry) {
  std::vector<std::string> paths;
  if (entry.value->kind_case() == google::protobuf::Value::kStringValue) {
    paths.push_back(Resolve(entry.dir, entry.value->string_value()));
    return paths;
  }
  if (entry.value->kind_case() != google::protobuf::Value::kListValue) {
    return Error(entry, absl::StrCat("invalid value ", json::Describe(*entry.value),
                                     "; expected a path or an array of paths"));
  }
  for (const google::protobuf::Value& item : entry.value->list_value().values()) {
    if (item.kind_case() != google::protobuf::Value::kStringValue) {
      return Error(entry, absl::StrCat("invalid item ", json::Describe(item),
                                       "; expected a path"));
    }
    paths.push_back(Resolve(entry.dir, item.string_value()));
  }
  return paths;
}

// A file named by a scenario field, read.
struct NamedFile {
  std::string path;
  std::string bytes;
};

// Reads the file that a string field names.
absl::StatusOr<NamedFile> ReadNamedFile(const Entry& entry) {
  absl::StatusOr<std::string> path = StringOf(entry);
  if (!path.ok()) return path.status();
  NamedFile file;
  file.path = Resolve(entry.dir, *path);
  absl::StatusOr<std::string> bytes = ReadFile(file.path);
  if (!bytes.ok()) return bytes.status();
  file.bytes = *std::move(bytes);
  return file;
}

// Calls `read(path, bytes)` for each file a path-or-array field names; with
// `folders`, a folder stands for its `.json` files.
template <typename Read>
absl::Status ForEachNamedFile(const Entry& entry, bool folders, Read read) {
  absl::StatusOr<std::vector<std::string>> paths = PathsOf(entry);
  if (!paths.ok()) return paths.status();
  for (const std::string& path : *paths) {
    absl::StatusOr<std::vector<std::string>> files =
        folders ? JsonFiles(path) : std::vector<std::string>{path};
    if (!files.ok()) return Error(entry, files.status().message());
    for (const std::string& file : *files) {
      absl::StatusOr<std::string> bytes = ReadFile(file);
      if (!bytes.ok()) return Error(entry, bytes.status().message());
      absl::Status status = read(file, *bytes);
      if (!status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

// Adds the fields of the scenario file at `path` (and its bases) to `out`,
// the file's own fields winning over its bases'.
absl::Status LoadLayers(const std::string& path, int depth, bool is_root, Layered& out) {
  if (depth > kMaxBaseDepth) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": base: too many levels; expected at most ", kMaxBaseDepth,
        " bases (is there a cycle?)"));
  }
  absl::StatusOr<std::string> bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<google::protobuf::Value> parsed = json::ParseJson(*bytes);
  if (!parsed.ok()) return InFile(path, parsed.status());
  out.documents.push_back(
      std::make_unique<google::protobuf::Value>(*std::move(parsed)));
  const google::protobuf::Value& root = *out.documents.back();
  absl::StatusOr<const google::protobuf::Struct*> object = json::GetObject(root, json::Path());
  if (!object.ok()) return InFile(path, object.status());
  const std::string dir = DirName(path);

  if (const google::protobuf::Value* base = json::FindField(**object, "base");
      !json::IsNullOrAbsent(base)) {
    Entry entry{base, dir, absl::StrCat(path, ": base")};
    absl::StatusOr<std::string> base_path = StringOf(entry);
    if (!base_path.ok()) return base_path.status();
    const std::string resolved = Resolve(dir, *base_path);
    absl::Status status = LoadLayers(resolved, depth + 1, false, out);
    if (absl::IsNotFound(status) &&
        absl::StartsWith(status.message(), resolved + ": ")) {
      // Relative bases resolve from this file's folder, so a scenario copied
      // elsewhere loses its base. The message names both paths.
      return absl::NotFoundError(absl::StrCat(
          path, ": base: \"", *base_path, "\" resolves to ", resolved,
          " (relative to the folder of ", path, "), which cannot be read: ",
          status.message().substr(resolved.size() + 2)));
    }
    if (!status.ok()) return status;
  }

  for (const auto& [key, value] : (*object)->fields()) {
    std::string where = absl::StrCat(path, ": ", key);
    if (key == "base") continue;
    if (key == "description" || key == "now" || key == "expect") {
      if (key == "expect" && !is_root) continue;
      out.top[key] = Entry{&value, dir, where};
      continue;
    }
    const std::vector<std::string>& known = SectionKeys(key);
    if (known.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": unknown key; expected description, base, now, expect, "
                 "conditionalAccess, pim, rbac, network or attempt"));
    }
    if (value.kind_case() != google::protobuf::Value::kStructValue) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": invalid value ", json::Describe(value), "; expected an object"));
    }
    Section& section = out.sections[key];
    for (const auto& [field, field_value] : value.struct_value().fields()) {
      std::string field_where = absl::StrCat(where, ".", field);
      if (std::find(known.begin(), known.end(), field) == known.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(field_where, ": unknown key; expected one of ",
                         absl::StrJoin(known, ", ")));
      }
      section[field] = Entry{&field_value, dir, field_where};
    }
  }
  return absl::OkStatus();
}

const Entry* Find(const Section& section, const std::string& key) {
  auto found = section.find(key);
  if (found == section.end() || json::IsNullOrAbsent(found->second.value)) return nullptr;
  return &found->second;
}

// Conditional Access.

absl::Status LoadConditionalAccess(const Section& section, Scenario& scenario,
                                   std::optional<access::Directory>& directory) {
  ConditionalAccessInput input;
  auto warn = [&](const std::string& file, const std::vector<access::ImportWarning>& warnings) {
    for (const access::ImportWarning& warning : warnings) {
      scenario.warnings.push_back(absl::StrCat(file, ": ", warning.ToString()));
    }
  };
  if (const Entry* entry = Find(section, "policies")) {
    absl::Status status = ForEachNamedFile(
        *entry, /*folders=*/true, [&](const std::string& file, const std::string& bytes) {
          absl::StatusOr<std::vector<access::ImportedPolicy>> policies =
              access::ImportPolicies(bytes, file);
          if (!policies.ok()) return InFile(file, policies.status());
          for (access::ImportedPolicy& policy : *policies) {
            warn(file, policy.warnings);
            input.policies.push_back(std::move(policy.policy));
          }
          return absl::OkStatus();
        });
    if (!status.ok()) return status;
  }
  if (const Entry* entry = Find(section, "namedLocations")) {
    absl::Status status = ForEachNamedFile(
        *entry, /*folders=*/true, [&](const std::string& file, const std::string& bytes) {
          absl::StatusOr<std::vector<access::ImportedNamedLocation>> locations =
              access::ImportNamedLocations(bytes, file);
          if (!locations.ok()) return InFile(file, locations.status());
          for (access::ImportedNamedLocation& location : *locations) {
            warn(file, location.warnings);
            input.named_locations.push_back(std::move(location.location));
          }
          return absl::OkStatus();
        });
    if (!status.ok()) return status;
  }
  if (const Entry* entry = Find(section, "directory")) {
    absl::StatusOr<NamedFile> file = ReadNamedFile(*entry);
    if (!file.ok()) return file.status();
    absl::StatusOr<access::Directory> parsed = access::ParseDirectory(file->bytes);
    if (!parsed.ok()) return InFile(file->path, parsed.status());
    directory = *std::move(parsed);
  }
  if (const Entry* entry = Find(section, "mode")) {
    absl::StatusOr<std::string> mode = StringOf(*entry);
    if (!mode.ok()) return mode.status();
    if (absl::EqualsIgnoreCase(*mode, "strict")) {
      input.mode = access::EvaluationMode::kStrict;
    } else if (!absl::EqualsIgnoreCase(*mode, "lenient")) {
      return Error(*entry, absl::StrCat("invalid value \"", *mode,
                                        "\"; expected \"lenient\" or \"strict\""));
    }
  }
  scenario.input.conditional_access = std::move(input);
  return absl::OkStatus();
}

// PIM.

absl::StatusOr<std::vector<pim::ScheduleInstance>> LoadInstances(const Entry& entry,
                                                                 pim::Level level) {
  std::vector<pim::ScheduleInstance> all;
  absl::Status status = ForEachNamedFile(
      entry, /*folders=*/false, [&](const std::string& file, const std::string& bytes) {
        absl::StatusOr<std::vector<pim::ScheduleInstance>> instances =
            pim::ImportScheduleInstances(bytes, level);
        if (!instances.ok()) return InFile(file, instances.status());
        for (pim::ScheduleInstance& instance : *instances) all.push_back(std::move(instance));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return all;
}

absl::Status LoadPim(const Section& section, Scenario& scenario) {
  PimInput input;
  const Entry* policy = Find(section, "policy");
  if (policy == nullptr) {
    return absl::InvalidArgumentError(
        "pim.policy: missing; expected the role management policy file");
  }
  absl::StatusOr<NamedFile> policy_file = ReadNamedFile(*policy);
  if (!policy_file.ok()) return policy_file.status();
  absl::StatusOr<pim::RoleManagementPolicy> imported =
      pim::ImportRoleManagementPolicy(policy_file->bytes);
  if (!imported.ok()) return InFile(policy_file->path, imported.status());
  // Compiling here too lets a rule error name the file. Snapshot::Build()
  // compiles the policy again.
  if (absl::Status compiled = pim::RolePolicy::Compile(*imported).status(); !compiled.ok()) {
    return InFile(policy_file->path, compiled);
  }
  input.policy = *std::move(imported);

  if (const Entry* entry = Find(section, "eligibility")) {
    absl::StatusOr<std::vector<pim::ScheduleInstance>> instances =
        LoadInstances(*entry, pim::LEVEL_ELIGIBILITY);
    if (!instances.ok()) return instances.status();
    input.eligibilities = *std::move(instances);
  }
  if (const Entry* entry = Find(section, "active")) {
    absl::StatusOr<std::vector<pim::ScheduleInstance>> instances =
        LoadInstances(*entry, pim::LEVEL_ASSIGNMENT);
    if (!instances.ok()) return instances.status();
    input.active_instances = *std::move(instances);
  }
  if (const Entry* entry = Find(section, "requests")) {
    absl::Status status = ForEachNamedFile(
        *entry, /*folders=*/false, [&](const std::string& file, const std::string& bytes) {
          absl::StatusOr<pim::ScheduleRequest> request = pim::ImportScheduleRequest(bytes);
          if (!request.ok()) return InFile(file, request.status());
          input.requests.push_back(*std::move(request));
          return absl::OkStatus();
        });
    if (!status.ok()) return status;
  }
  if (const Entry* entry = Find(section, "workHours")) {
    absl::StatusOr<NamedFile> file = ReadNamedFile(*entry);
    if (!file.ok()) return file.status();
    absl::StatusOr<schedule::WorkHours> hours = schedule::WorkHours::FromJson(file->bytes);
    if (!hours.ok()) return InFile(file->path, hours.status());
    input.work_hours = *std::move(hours);
  }
  scenario.input.pim = std::move(input);
  return absl::OkStatus();
}

// RBAC.

// Reads the files (or folders of JSON files) that the field `key` names.
// Errors name the scenario field and the file.
template <typename T, typename Parse>
absl::Status LoadRbacList(const Section& section, const std::string& key, Parse parse,
                          google::protobuf::RepeatedPtrField<T>* out) {
  const Entry* entry = Find(section, key);
  if (entry == nullptr) return absl::OkStatus();
  return ForEachNamedFile(
      *entry, /*folders=*/true, [&](const std::string& file, const std::string& bytes) {
        absl::StatusOr<std::vector<T>> items = parse(bytes, file);
        if (!items.ok()) {
          return Error(*entry, absl::StrCat(file, ": ", items.status().message()));
        }
        for (T& item : *items) *out->Add() = std::move(item);
        return absl::OkStatus();
      });
}

absl::Status LoadRbac(const Section& section, Scenario& scenario) {
  rbac::RbacInput input;
  absl::Status status = LoadRbacList<rbac::RoleDefinition>(
      section, "roleDefinitions",
      [](absl::string_view bytes, absl::string_view file) {
        return rbac::ParseRoleDefinitions(bytes, file);
      },
      input.mutable_role_definitions());
  if (!status.ok()) return status;
  status = LoadRbacList<rbac::RoleAssignment>(
      section, "roleAssignments",
      [](absl::string_view bytes, absl::string_view file) {
        return rbac::ParseRoleAssignments(bytes, file);
      },
      input.mutable_role_assignments());
  if (!status.ok()) return status;
  status = LoadRbacList<rbac::DenyAssignment>(
      section, "denyAssignments",
      [](absl::string_view bytes, absl::string_view file) {
        return rbac::ParseDenyAssignments(bytes, file);
      },
      input.mutable_deny_assignments());
  if (!status.ok()) return status;
  status = LoadRbacList<rbac::ScopeParent>(
      section, "managementGroups",
      [](absl::string_view bytes, absl::string_view file) {
        return rbac::ParseManagementGroupEntities(bytes, file);
      },
      input.mutable_scope_parents());
  if (!status.ok()) return status;
  scenario.input.rbac = std::move(input);
  return absl::OkStatus();
}

// Network.

absl::StatusOr<const google::protobuf::Struct*> ObjectOf(const Entry& entry) {
  if (entry.value->kind_case() != google::protobuf::Value::kStructValue) {
    return Error(entry, absl::StrCat("invalid value ", json::Describe(*entry.value),
                                     "; expected an object"));
  }
  return &entry.value->struct_value();
}

// The member `key` of `object` as an entry of `parent`.
std::optional<Entry> Member(const google::protobuf::Struct& object, const Entry& parent,
                            const std::string& key) {
  const google::protobuf::Value* value = json::FindField(object, key);
  if (json::IsNullOrAbsent(value)) return std::nullopt;
  return Entry{value, parent.dir, absl::StrCat(parent.where, ".", key)};
}

absl::Status CheckKeys(const google::protobuf::Struct& object, const Entry& parent,
                       const std::vector<std::string>& known) {
  for (const auto& [key, value] : object.fields()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(parent.where, ".", key, ": unknown key; expected one of ",
                       absl::StrJoin(known, ", ")));
    }
  }
  return absl::OkStatus();
}

// An NSG reference: a file holding one NSG, or {"file", "name",
// "parameters"} to pick one NSG of a template.
absl::StatusOr<nsg::NetworkSecurityGroup> LoadNsg(const Entry& entry) {
  nsg::ImportOptions options;
  std::string file;
  if (entry.value->kind_case() == google::protobuf::Value::kStringValue) {
    file = Resolve(entry.dir, entry.value->string_value());
  } else {
    absl::StatusOr<const google::protobuf::Struct*> object = ObjectOf(entry);
    if (!object.ok()) return object.status();
    absl::Status keys = CheckKeys(**object, entry, {"file", "name", "parameters"});
    if (!keys.ok()) return keys;
    std::optional<Entry> file_entry = Member(**object, entry, "file");
    if (!file_entry.has_value()) {
      return Error(entry, "file: missing; expected the file holding the NSG");
    }
    absl::StatusOr<std::string> path = StringOf(*file_entry);
    if (!path.ok()) return path.status();
    file = Resolve(entry.dir, *path);
    if (std::optional<Entry> name = Member(**object, entry, "name")) {
      absl::StatusOr<std::string> text = StringOf(*name);
      if (!text.ok()) return text.status();
      options.nsg_name = *text;
    }
    if (std::optional<Entry> parameters = Member(**object, entry, "parameters")) {
      absl::StatusOr<std::string> path_text = StringOf(*parameters);
      if (!path_text.ok()) return path_text.status();
      absl::StatusOr<std::string> bytes = ReadFile(Resolve(entry.dir, *path_text));
      if (!bytes.ok()) return bytes.status();
      options.parameters_json = *bytes;
    }
  }
  absl::StatusOr<std::string> bytes = ReadFile(file);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<nsg::NetworkSecurityGroup> group = nsg::ImportValidNsg(*bytes, options);
  // The scenario field comes first, so that an NSG name that matches no
  // group of the template points back at the reference.
  if (!group.ok()) return Error(entry, InFile(file, group.status()).message());
  return group;
}

absl::StatusOr<BastionInput> LoadBastion(const Entry& entry) {
  absl::StatusOr<const google::protobuf::Struct*> object = ObjectOf(entry);
  if (!object.ok()) return object.status();
  absl::Status keys = CheckKeys(**object, entry, {"id", "address", "nsg"});
  if (!keys.ok()) return keys;
  BastionInput bastion;
  std::optional<Entry> id = Member(**object, entry, "id");
  std::optional<Entry> address = Member(**object, entry, "address");
  if (!id.has_value() || !address.has_value()) {
    return Error(entry, "missing id or address; expected the bastion host's resource "
                        "id and its address in AzureBastionSubnet");
  }
  absl::StatusOr<std::string> id_text = StringOf(*id);
  if (!id_text.ok()) return id_text.status();
  bastion.host_id = *id_text;
  absl::StatusOr<std::string> address_text = StringOf(*address);
  if (!address_text.ok()) return address_text.status();
  absl::StatusOr<net::IpAddress> parsed = net::IpAddress::Parse(*address_text);
  if (!parsed.ok()) return Error(*address, parsed.status().message());
  bastion.address = *parsed;
  if (std::optional<Entry> nsg = Member(**object, entry, "nsg")) {
    absl::StatusOr<nsg::NetworkSecurityGroup> group = LoadNsg(*nsg);
    if (!group.ok()) return group.status();
    bastion.subnet_nsg = *std::move(group);
  }
  return bastion;
}

absl::StatusOr<VmInput> LoadVm(const Entry& entry) {
  absl::StatusOr<const google::protobuf::Struct*> object = ObjectOf(entry);
  if (!object.ok()) return object.status();
  absl::Status keys = CheckKeys(**object, entry, {"nic", "subnetNsg", "nicNsg"});
  if (!keys.ok()) return keys;
  VmInput vm;
  std::optional<Entry> nic = Member(**object, entry, "nic");
  if (!nic.has_value()) return Error(entry, "nic: missing; expected the VM's NIC file");
  absl::StatusOr<NamedFile> nic_file = ReadNamedFile(*nic);
  if (!nic_file.ok()) return nic_file.status();
  absl::StatusOr<jit::NetworkInterface> parsed = jit::ImportNetworkInterface(nic_file->bytes);
  if (!parsed.ok()) return InFile(nic_file->path, parsed.status());
  vm.nic = *std::move(parsed);
  if (std::optional<Entry> subnet = Member(**object, entry, "subnetNsg")) {
    absl::StatusOr<nsg::NetworkSecurityGroup> group = LoadNsg(*subnet);
    if (!group.ok()) return group.status();
    vm.subnet_nsg = *std::move(group);
  }
  if (std::optional<Entry> nic_nsg = Member(**object, entry, "nicNsg")) {
    absl::StatusOr<nsg::NetworkSecurityGroup> group = LoadNsg(*nic_nsg);
    if (!group.ok()) return group.status();
    vm.nic_nsg = *std::move(group);
  }
  return vm;
}

absl::StatusOr<jit::JitPolicy> LoadJitPolicy(const Entry& entry,
                                             const std::vector<VmInput>& vms) {
  absl::StatusOr<NamedFile> file = ReadNamedFile(entry);
  if (!file.ok()) return file.status();
  absl::StatusOr<std::vector<jit::JitPolicy>> policies = jit::ImportJitPolicies(file->bytes);
  if (!policies.ok()) return InFile(file->path, policies.status());
  for (const jit::JitPolicy& policy : *policies) {
    for (const VmInput& vm : vms) {
      if (jit::FindVirtualMachine(policy, vm.nic.virtual_machine_id()) != nullptr) {
        return policy;
      }
    }
  }
  if (policies->size() == 1) return (*policies)[0];
  return Error(entry, "no JIT policy in the file protects one of the scenario's VMs");
}

absl::Status LoadNetwork(const Section& section, Scenario& scenario) {
  NetworkInput& network = scenario.input.network;
  if (const Entry* entry = Find(section, "serviceTags")) {
    absl::StatusOr<NamedFile> file = ReadNamedFile(*entry);
    if (!file.ok()) return file.status();
    absl::StatusOr<nsg::ServiceTags> tags = nsg::ServiceTags::Load(file->bytes);
    if (!tags.ok()) return InFile(file->path, tags.status());
    network.service_tags = *std::move(tags);
  }
  if (const Entry* entry = Find(section, "virtualNetworkPrefixes")) {
    if (entry->value->kind_case() != google::protobuf::Value::kListValue) {
      return Error(*entry, absl::StrCat("invalid value ", json::Describe(*entry->value),
                                        "; expected an array of CIDR prefixes"));
    }
    for (const google::protobuf::Value& item : entry->value->list_value().values()) {
      if (item.kind_case() != google::protobuf::Value::kStringValue) {
        return Error(*entry, absl::StrCat("invalid item ", json::Describe(item),
                                          "; expected a CIDR prefix"));
      }
      absl::StatusOr<net::IpPrefix> prefix = net::IpPrefix::ParseStrict(item.string_value());
      if (!prefix.ok()) return Error(*entry, prefix.status().message());
      network.addresses.virtual_network.push_back(*prefix);
    }
  }
  if (const Entry* entry = Find(section, "bastion")) {
    absl::StatusOr<BastionInput> bastion = LoadBastion(*entry);
    if (!bastion.ok()) return bastion.status();
    network.bastion = *std::move(bastion);
  }
  if (const Entry* entry = Find(section, "vms")) {
    if (entry->value->kind_case() != google::protobuf::Value::kListValue) {
      return Error(*entry, absl::StrCat("invalid value ", json::Describe(*entry->value),
                                        "; expected an array of VMs"));
    }
    const auto& items = entry->value->list_value().values();
    for (int i = 0; i < items.size(); ++i) {
      Entry item{&items[i], entry->dir, absl::StrCat(entry->where, "[", i, "]")};
      absl::StatusOr<VmInput> vm = LoadVm(item);
      if (!vm.ok()) return vm.status();
      // NSG rules that name an application security group match the
      // private addresses of the NICs that belong to it.
      absl::Status members =
          jit::AddApplicationSecurityGroupMembers(vm->nic, network.addresses);
      if (!members.ok()) {
        return Error(item, absl::StrCat("nic: ", members.message()));
      }
      network.vms.push_back(*std::move(vm));
    }
  }
  if (const Entry* entry = Find(section, "jitPolicy")) {
    absl::StatusOr<jit::JitPolicy> policy = LoadJitPolicy(*entry, network.vms);
    if (!policy.ok()) return policy.status();
    network.jit_policy = *std::move(policy);
  }
  return absl::OkStatus();
}

// Attempt.

absl::StatusOr<int64_t> IntegerOf(const Entry& entry, int64_t min, int64_t max) {
  absl::StatusOr<int64_t> value = json::GetInteger(*entry.value, json::Path(), min, max);
  if (!value.ok()) {
    return Error(entry, absl::StrCat("invalid value ", json::Describe(*entry.value),
                                     "; expected an integer between ", min, " and ", max));
  }
  return value;
}

// Rejects an attempt on a VM that the scenario's network does not list, which
// would otherwise only show as an unknown-VM error in the decision. Ids match
// as Snapshot::FindVm() matches them: ignoring case and trailing slashes.
absl::Status CheckVmKnown(const Entry& entry, const std::string& vm_id,
                          const std::vector<VmInput>& vms) {
  auto trimmed = [](absl::string_view id) {
    while (absl::ConsumeSuffix(&id, "/")) {
    }
    return id;
  };
  std::vector<std::string> ids;
  for (const VmInput& vm : vms) {
    const std::string& id = vm.nic.virtual_machine_id();
    if (absl::EqualsIgnoreCase(trimmed(id), trimmed(vm_id))) return absl::OkStatus();
    ids.push_back(absl::StrCat("\"", id, "\""));
  }
  return Error(entry, absl::StrCat("invalid value \"", vm_id, "\"; expected the id of a VM in "
                                   "network.vms (",
                                   ids.empty() ? "none listed" : absl::StrJoin(ids, ", "), ")"));
}

absl::Status LoadAttempt(const Section& section,
                         const std::optional<access::Directory>& directory,
                         Scenario& scenario) {
  if (const Entry* entry = Find(section, "signIn")) {
    absl::StatusOr<NamedFile> file = ReadNamedFile(*entry);
    if (!file.ok()) return file.status();
    absl::StatusOr<access::ParsedSignIn> parsed = access::ParseWhatIfRequest(
        file->bytes, directory.has_value() ? &*directory : nullptr);
    if (!parsed.ok()) return InFile(file->path, parsed.status());
    for (const access::ImportWarning& warning : parsed->warnings) {
      scenario.warnings.push_back(absl::StrCat(file->path, ": ", warning.ToString()));
    }
    scenario.sign_in = std::move(parsed->sign_in);
  }
  if (const Entry* entry = Find(section, "satisfiedControls")) {
    if (!scenario.sign_in.has_value()) {
      return Error(*entry, absl::StrCat("invalid without signIn; a raw flow satisfies no "
                                        "control, so set \"satisfiedControls\": null in ",
                                        scenario.path, " as well"));
    }
    absl::StatusOr<std::string> list = StringOf(*entry);
    if (!list.ok()) return list.status();
    absl::Status status = access::ParseSatisfiedControls(*list, &scenario.sign_in->satisfied);
    if (status.ok()) status = access::CheckControlsAgainstDevice(*scenario.sign_in);
    if (!status.ok()) return Error(*entry, status.message());
  }

  if (const Entry* entry = Find(section, "vm")) {
    absl::StatusOr<std::string> vm = StringOf(*entry);
    if (!vm.ok()) return vm.status();
    absl::Status known = CheckVmKnown(*entry, *vm, scenario.input.network.vms);
    if (!known.ok()) return known;
    scenario.vm_id = *vm;
  } else if (scenario.input.network.vms.size() == 1) {
    scenario.vm_id = scenario.input.network.vms[0].nic.virtual_machine_id();
  } else {
    return absl::InvalidArgumentError(
        "attempt.vm: missing; expected the target VM's resource id");
  }

  const Entry* port = Find(section, "port");
  if (port == nullptr) {
    return absl::InvalidArgumentError("attempt.port: missing; expected the target port");
  }
  absl::StatusOr<int64_t> port_value = IntegerOf(*port, 0, 65535);
  if (!port_value.ok()) return port_value.status();
  scenario.fields.port = static_cast<uint16_t>(*port_value);

  if (const Entry* entry = Find(section, "sourcePort")) {
    absl::StatusOr<int64_t> value = IntegerOf(*entry, 0, 65535);
    if (!value.ok()) return value.status();
    scenario.fields.source_port = static_cast<uint16_t>(*value);
  }
  if (const Entry* entry = Find(section, "protocol")) {
    absl::StatusOr<std::string> text = StringOf(*entry);
    if (!text.ok()) return text.status();
    if (absl::EqualsIgnoreCase(*text, "tcp")) {
      scenario.fields.protocol = nsg::PROTOCOL_TCP;
    } else if (absl::EqualsIgnoreCase(*text, "udp")) {
      scenario.fields.protocol = nsg::PROTOCOL_UDP;
    } else {
      return Error(*entry, absl::StrCat("invalid value \"", *text,
                                        "\"; expected \"tcp\" or \"udp\""));
    }
  }
  if (const Entry* entry = Find(section, "source")) {
    absl::StatusOr<std::string> text = StringOf(*entry);
    if (!text.ok()) return text.status();
    absl::StatusOr<net::IpAddress> address = net::IpAddress::Parse(*text);
    if (!address.ok()) return Error(*entry, address.status().message());
    scenario.fields.source = *address;
  } else if (scenario.sign_in.has_value() && scenario.sign_in->ip_address.has_value()) {
    scenario.fields.source = *scenario.sign_in->ip_address;
  } else {
    return absl::InvalidArgumentError(
        "attempt.source: missing; expected the address the NSGs see the connection "
        "come from");
  }
  if (const Entry* entry = Find(section, "viaBastion")) {
    if (entry->value->kind_case() != google::protobuf::Value::kBoolValue) {
      return Error(*entry, absl::StrCat("invalid value ", json::Describe(*entry->value),
                                        "; expected true or false"));
    }
    scenario.fields.via_bastion = entry->value->bool_value();
  }
  if (const Entry* entry = Find(section, "login")) {
    absl::StatusOr<std::string> text = StringOf(*entry);
    if (!text.ok()) return text.status();
    if (*text == "none") {
      scenario.fields.login = VmLogin::kNone;
    } else if (*text == "user") {
      scenario.fields.login = VmLogin::kUser;
    } else if (*text == "administrator") {
      scenario.fields.login = VmLogin::kAdministrator;
    } else {
      return Error(*entry, absl::StrCat("invalid value \"", *text,
                                        "\"; expected \"none\", \"user\" or "
                                        "\"administrator\""));
    }
  }
  return absl::OkStatus();
}

absl::Status LoadTop(const Layered& layered, Scenario& scenario) {
  if (auto found = layered.top.find("description"); found != layered.top.end()) {
    absl::StatusOr<std::string> text = StringOf(found->second);
    if (!text.ok()) return text.status();
    scenario.description = *text;
  }
  if (auto found = layered.top.find("now"); found != layered.top.end()) {
    absl::StatusOr<std::string> text = StringOf(found->second);
    if (!text.ok()) return text.status();
    absl::StatusOr<absl::Time> now = schedule::ParseRfc3339(*text);
    if (!now.ok()) return Error(found->second, now.status().message());
    scenario.now = *now;
  }
  if (auto found = layered.top.find("expect"); found != layered.top.end()) {
    absl::StatusOr<std::string> text = StringOf(found->second);
    if (!text.ok()) return text.status();
    absl::StatusOr<Verdict> verdict = ParseVerdict(*text);
    if (!verdict.ok()) return Error(found->second, verdict.status().message());
    scenario.expect = *verdict;
  }
  return absl::OkStatus();
}

// Names the scenario file in messages about fields that may come from any
// of its layers, such as a missing `attempt.port`.
absl::Status WithPath(const std::string& path, const absl::Status& status) {
  absl::string_view message = status.message();
  if (absl::StartsWith(message, "attempt.") || absl::StartsWith(message, "pim.")) {
    return InFile(path, status);
  }
  return status;
}

}  // namespace

Attempt Scenario::attempt() const {
  Attempt attempt = fields;
  attempt.sign_in = sign_in.has_value() ? &*sign_in : nullptr;
  attempt.vm_id = vm_id;
  return attempt;
}

absl::StatusOr<Verdict> ParseVerdict(absl::string_view text) {
  if (text == "allow") return Verdict::kAllow;
  if (text == "deny") return Verdict::kDeny;
  if (text == "pending") return Verdict::kPending;
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid value \"", text, "\"; expected \"allow\", \"deny\" or \"pending\""));
}

absl::StatusOr<std::vector<std::string>> ScenarioFilesIn(const std::string& folder) {
  if (!IsDirectory(folder)) {
    return absl::NotFoundError(absl::StrCat(folder, ": not a folder"));
  }
  return JsonFiles(folder);
}

BuildOptions BuildOptionsAround(absl::Time now) {
  BuildOptions options;
  options.valid_from = now - absl::Hours(24);
  options.valid_until = now + absl::Hours(24 * 7);
  return options;
}

absl::StatusOr<Scenario> LoadScenario(const std::string& path) {
  Layered layered;
  absl::Status status = LoadLayers(path, 0, /*is_root=*/true, layered);
  if (!status.ok()) return status;

  Scenario scenario;
  scenario.path = path;
  status = LoadTop(layered, scenario);
  if (!status.ok()) return status;

  std::optional<access::Directory> directory;
  if (auto found = layered.sections.find("conditionalAccess");
      found != layered.sections.end()) {
    // Without its policies the layer would allow every sign-in, so a
    // section that lost them (a typo, or a null in a derived scenario) is
    // an error. A tenant without policies is a file of {"value": []}.
    if (Find(found->second, "policies") == nullptr) {
      return InFile(path, absl::InvalidArgumentError(
                              "conditionalAccess.policies: missing; expected the policy "
                              "files or folders (a tenant without policies is a file of "
                              "{\"value\": []})"));
    }
    status = LoadConditionalAccess(found->second, scenario, directory);
    if (!status.ok()) return status;
  }
  if (auto found = layered.sections.find("pim"); found != layered.sections.end()) {
    status = LoadPim(found->second, scenario);
    if (!status.ok()) return WithPath(path, status);
  }
  if (auto found = layered.sections.find("rbac"); found != layered.sections.end()) {
    status = LoadRbac(found->second, scenario);
    if (!status.ok()) return status;
  }
  if (auto found = layered.sections.find("network"); found != layered.sections.end()) {
    status = LoadNetwork(found->second, scenario);
    if (!status.ok()) return status;
  }
  auto attempt = layered.sections.find("attempt");
  if (attempt == layered.sections.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": attempt: missing; expected the connection attempt"));
  }
  status = LoadAttempt(attempt->second, directory, scenario);
  if (!status.ok()) return WithPath(path, status);
  return scenario;
}

}  // namespace portcullis::decide
