#include "nsg/jit_import.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "json/json.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "nsg/model.h"
#include "schedule/duration.h"
#include "schedule/rfc3339.h"

namespace portcullis::jit {

namespace {

using ::google::protobuf::ListValue;
using ::google::protobuf::Struct;
using ::google::protobuf::Value;
using ::portcullis::json::Path;

constexpr absl::Duration kMinAccessDuration = absl::Minutes(5);
constexpr absl::Duration kMaxAccessDuration = absl::Hours(24);

// Reads an optional string member; absent and null give "".
absl::StatusOr<std::string> OptionalString(const Struct& object,
                                           absl::string_view name,
                                           const Path& path) {
  const Value* value = json::FindField(object, name);
  if (json::IsNullOrAbsent(value)) return std::string();
  return json::GetString(*value, path.Field(name));
}

// Reads an optional array of strings; absent and null give an empty list.
absl::StatusOr<std::vector<std::string>> OptionalStrings(
    const Struct& object, absl::string_view name, const Path& path) {
  std::vector<std::string> out;
  const Value* value = json::FindField(object, name);
  if (json::IsNullOrAbsent(value)) return out;
  absl::StatusOr<const ListValue*> list =
      json::GetArray(*value, path.Field(name));
  if (!list.ok()) return list.status();
  for (int i = 0; i < (*list)->values_size(); ++i) {
    absl::StatusOr<std::string> item =
        json::GetString((*list)->values(i), path.Field(name).Index(i));
    if (!item.ok()) return item.status();
    out.push_back(*std::move(item));
  }
  return out;
}

// Checks a source entry: `*`, an address, or a CIDR prefix without host bits.
// In a list (allowedSourceAddressPrefixes) `*` is rejected: the NSG rule
// that JIT writes takes the list as sourceAddressPrefixes, where Azure
// accepts no `*`.
absl::Status CheckSource(const std::string& text, const Path& path,
                         bool in_list = false) {
  if (text == "*" && in_list) {
    return absl::InvalidArgumentError(absl::StrCat(
        path.ToString(), ": invalid value \"*\" in a list of prefixes; use "
        "allowedSourceAddressPrefix: \"*\" alone to allow any source"));
  }
  if (text == "*") return absl::OkStatus();
  absl::StatusOr<net::IpPrefix> prefix = net::IpPrefix::ParseStrict(text);
  if (prefix.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      path.ToString(), ": invalid value \"", text,
      "\"; expected \"*\", an IP address or a CIDR prefix (",
      prefix.status().message(), ")"));
}

absl::Status CheckTime(const std::string& text, const Path& path) {
  if (text.empty()) return absl::OkStatus();
  absl::StatusOr<absl::Time> time = schedule::ParseRfc3339(text);
  if (time.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(path.ToString(), ": ", time.status().message()));
}

absl::StatusOr<uint32_t> PortNumber(const Struct& object, const Path& path) {
  const Value* value = json::FindField(object, "number");
  if (json::IsNullOrAbsent(value)) {
    return json::MissingField(path.Field("number"),
                              "a port number between 0 and 65535");
  }
  absl::StatusOr<int64_t> number =
      json::GetInteger(*value, path.Field("number"), 0, 65535);
  if (!number.ok()) return number.status();
  return static_cast<uint32_t>(*number);
}

absl::StatusOr<JitPolicyPort> ReadPolicyPort(const Value& value,
                                             const Path& path) {
  absl::StatusOr<const Struct*> object = json::GetObject(value, path);
  if (!object.ok()) return object.status();
  JitPolicyPort port;
  port.set_json_path(path.ToString());

  absl::StatusOr<uint32_t> number = PortNumber(**object, path);
  if (!number.ok()) return number.status();
  port.set_number(*number);

  const Value* protocol = json::FindField(**object, "protocol");
  if (json::IsNullOrAbsent(protocol)) {
    return json::MissingField(path.Field("protocol"), "TCP, UDP or *");
  }
  absl::StatusOr<std::string> protocol_text =
      json::GetString(*protocol, path.Field("protocol"));
  if (!protocol_text.ok()) return protocol_text.status();
  absl::StatusOr<JitProtocol> parsed = ParseJitProtocol(*protocol_text);
  if (!parsed.ok()) {
    return json::InvalidField(path.Field("protocol"), *protocol,
                              "TCP, UDP or *");
  }
  port.set_protocol(*parsed);

  absl::StatusOr<std::string> single =
      OptionalString(**object, "allowedSourceAddressPrefix", path);
  if (!single.ok()) return single.status();
  absl::StatusOr<std::vector<std::string>> plural =
      OptionalStrings(**object, "allowedSourceAddressPrefixes", path);
  if (!plural.ok()) return plural.status();
  if (!single->empty() && !plural->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path.ToString(),
        ": both allowedSourceAddressPrefix and allowedSourceAddressPrefixes "
        "are set; expected exactly one"));
  }
  if (single->empty() && plural->empty()) {
    return json::MissingField(
        path.Field("allowedSourceAddressPrefix"),
        "allowedSourceAddressPrefix or allowedSourceAddressPrefixes");
  }
  if (!single->empty()) {
    absl::Status status =
        CheckSource(*single, path.Field("allowedSourceAddressPrefix"));
    if (!status.ok()) return status;
    port.set_allowed_source_address_prefix(*single);
  }
  for (size_t i = 0; i < plural->size(); ++i) {
    absl::Status status =
        CheckSource((*plural)[i],
                    path.Field("allowedSourceAddressPrefixes")
                        .Index(static_cast<int>(i)),
                    /*in_list=*/true);
    if (!status.ok()) return status;
    port.add_allowed_source_address_prefixes((*plural)[i]);
  }

  const Value* duration = json::FindField(**object, "maxRequestAccessDuration");
  Path duration_path = path.Field("maxRequestAccessDuration");
  if (json::IsNullOrAbsent(duration)) {
    return json::MissingField(duration_path,
                              "an ISO 8601 duration such as \"PT3H\"");
  }
  absl::StatusOr<std::string> duration_text =
      json::GetString(*duration, duration_path);
  if (!duration_text.ok()) return duration_text.status();
  absl::StatusOr<absl::Duration> parsed_duration =
      schedule::ParseIsoDuration(*duration_text);
  if (!parsed_duration.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        duration_path.ToString(), ": ", parsed_duration.status().message()));
  }
  if (*parsed_duration < kMinAccessDuration ||
      *parsed_duration > kMaxAccessDuration) {
    return json::InvalidField(duration_path, *duration,
                              "a duration between PT5M and P1D");
  }
  port.set_max_request_access_duration(*duration_text);
  return port;
}

absl::StatusOr<JitRequestPort> ReadRequestPort(const Value& value,
                                               const Path& path) {
  absl::StatusOr<const Struct*> object = json::GetObject(value, path);
  if (!object.ok()) return object.status();
  JitRequestPort port;
  port.set_json_path(path.ToString());

  absl::StatusOr<uint32_t> number = PortNumber(**object, path);
  if (!number.ok()) return number.status();
  port.set_number(*number);

  absl::StatusOr<std::string> single =
      OptionalString(**object, "allowedSourceAddressPrefix", path);
  if (!single.ok()) return single.status();
  if (!single->empty()) {
    absl::Status status =
        CheckSource(*single, path.Field("allowedSourceAddressPrefix"));
    if (!status.ok()) return status;
    port.set_allowed_source_address_prefix(*single);
  }
  absl::StatusOr<std::vector<std::string>> plural =
      OptionalStrings(**object, "allowedSourceAddressPrefixes", path);
  if (!plural.ok()) return plural.status();
  for (size_t i = 0; i < plural->size(); ++i) {
    absl::Status status =
        CheckSource((*plural)[i],
                    path.Field("allowedSourceAddressPrefixes")
                        .Index(static_cast<int>(i)),
                    /*in_list=*/true);
    if (!status.ok()) return status;
    port.add_allowed_source_address_prefixes((*plural)[i]);
  }

  absl::StatusOr<std::string> end = OptionalString(**object, "endTimeUtc", path);
  if (!end.ok()) return end.status();
  if (end->empty()) {
    return json::MissingField(path.Field("endTimeUtc"),
                              "an RFC 3339 time such as "
                              "\"2026-01-01T10:00:00Z\"");
  }
  absl::Status end_status = CheckTime(*end, path.Field("endTimeUtc"));
  if (!end_status.ok()) return end_status;
  port.set_end_time_utc(*end);

  absl::StatusOr<std::string> status = OptionalString(**object, "status", path);
  if (!status.ok()) return status.status();
  // The API documents Initiated and Revoked, and the live service returns
  // Initiating for a new initiation. Any other value could hide a revocation,
  // so it is rejected rather than read as a live grant.
  if (!status->empty() && !absl::EqualsIgnoreCase(*status, "Initiated") &&
      !absl::EqualsIgnoreCase(*status, "Initiating") &&
      !absl::EqualsIgnoreCase(*status, "Revoked")) {
    return json::InvalidField(path.Field("status"),
                              *json::FindField(**object, "status"),
                              "Initiated, Initiating or Revoked");
  }
  port.set_status(*status);
  absl::StatusOr<std::string> reason =
      OptionalString(**object, "statusReason", path);
  if (!reason.ok()) return reason.status();
  port.set_status_reason(*reason);

  const Value* mapped = json::FindField(**object, "mappedPort");
  if (!json::IsNullOrAbsent(mapped)) {
    absl::StatusOr<int64_t> mapped_port =
        json::GetInteger(*mapped, path.Field("mappedPort"), 0, 65535);
    if (!mapped_port.ok()) return mapped_port.status();
    port.set_mapped_port(static_cast<uint32_t>(*mapped_port));
  }
  return port;
}

// Reads `virtualMachines[]` with `read_port` for each port.
template <typename VirtualMachine, typename ReadPort>
absl::Status ReadVirtualMachines(
    const Struct& object, const Path& path, ReadPort read_port,
    google::protobuf::RepeatedPtrField<VirtualMachine>* out) {
  const Value* machines = json::FindField(object, "virtualMachines");
  Path machines_path = path.Field("virtualMachines");
  if (json::IsNullOrAbsent(machines)) {
    return json::MissingField(machines_path, "an array of virtual machines");
  }
  absl::StatusOr<const ListValue*> list =
      json::GetArray(*machines, machines_path);
  if (!list.ok()) return list.status();

  for (int i = 0; i < (*list)->values_size(); ++i) {
    Path machine_path = machines_path.Index(i);
    absl::StatusOr<const Struct*> machine =
        json::GetObject((*list)->values(i), machine_path);
    if (!machine.ok()) return machine.status();
    VirtualMachine* vm = out->Add();
    vm->set_json_path(machine_path.ToString());

    absl::StatusOr<std::string> id = OptionalString(**machine, "id", machine_path);
    if (!id.ok()) return id.status();
    if (id->empty()) {
      return json::MissingField(machine_path.Field("id"),
                                "the virtual machine's resource id");
    }
    vm->set_id(*id);
    // A policy names each VM once: with two entries, which ports and
    // sources apply would depend on the entries' order.
    if constexpr (std::is_same_v<VirtualMachine, JitPolicyVirtualMachine>) {
      for (int k = 0; k + 1 < out->size(); ++k) {
        if (nsg::ResourceIdKey(out->Get(k).id()) != nsg::ResourceIdKey(*id)) {
          continue;
        }
        return absl::InvalidArgumentError(absl::StrCat(
            machine_path.Field("id").ToString(), ": invalid value \"", *id,
            "\"; expected each virtual machine once per policy, but ",
            machines_path.Index(k).ToString(),
            " names it too (ids compare without regard to case or "
            "trailing slashes)"));
      }
    }

    const Value* ports = json::FindField(**machine, "ports");
    Path ports_path = machine_path.Field("ports");
    if (json::IsNullOrAbsent(ports)) {
      return json::MissingField(ports_path, "an array of ports");
    }
    absl::StatusOr<const ListValue*> port_list =
        json::GetArray(*ports, ports_path);
    if (!port_list.ok()) return port_list.status();
    for (int j = 0; j < (*port_list)->values_size(); ++j) {
      auto port = read_port((*port_list)->values(j), ports_path.Index(j));
      if (!port.ok()) return port.status();
      // A policy names each port once: a second entry would make the
      // protocol and allowed sources of a request ambiguous.
      if constexpr (std::is_same_v<VirtualMachine, JitPolicyVirtualMachine>) {
        for (int k = 0; k < vm->ports_size(); ++k) {
          if (vm->ports(k).number() != port->number()) continue;
          return absl::InvalidArgumentError(absl::StrCat(
              ports_path.Index(j).Field("number").ToString(),
              ": invalid value ", port->number(), "; expected each port once "
              "per virtual machine, but ", ports_path.Index(k).ToString(),
              " has it too"));
        }
      }
      *vm->add_ports() = *std::move(port);
    }

    if constexpr (std::is_same_v<VirtualMachine, JitPolicyVirtualMachine>) {
      absl::StatusOr<std::string> public_ip =
          OptionalString(**machine, "publicIpAddress", machine_path);
      if (!public_ip.ok()) return public_ip.status();
      vm->set_public_ip_address(*public_ip);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<JitRequest> ReadRequest(const Struct& object, const Path& path) {
  JitRequest request;
  request.set_json_path(path.ToString());
  absl::Status status = ReadVirtualMachines<JitRequestVirtualMachine>(
      object, path, ReadRequestPort, request.mutable_virtual_machines());
  if (!status.ok()) return status;

  absl::StatusOr<std::string> start =
      OptionalString(object, "startTimeUtc", path);
  if (!start.ok()) return start.status();
  status = CheckTime(*start, path.Field("startTimeUtc"));
  if (!status.ok()) return status;
  request.set_start_time_utc(*start);

  absl::StatusOr<std::string> requestor =
      OptionalString(object, "requestor", path);
  if (!requestor.ok()) return requestor.status();
  request.set_requestor(*requestor);
  absl::StatusOr<std::string> justification =
      OptionalString(object, "justification", path);
  if (!justification.ok()) return justification.status();
  request.set_justification(*justification);
  return request;
}

// Reads a policy resource, whose fields sit in `properties`.
absl::StatusOr<JitPolicy> ReadPolicy(const Struct& object, const Path& path) {
  JitPolicy policy;
  policy.set_json_path(path.ToString());
  for (auto [name, setter] :
       {std::pair<absl::string_view, void (JitPolicy::*)(const std::string&)>{
            "id", &JitPolicy::set_id},
        {"name", &JitPolicy::set_name},
        {"kind", &JitPolicy::set_kind},
        {"location", &JitPolicy::set_location}}) {
    absl::StatusOr<std::string> text = OptionalString(object, name, path);
    if (!text.ok()) return text.status();
    (policy.*setter)(*text);
  }

  // The REST API nests the fields in `properties`; `az security jit-policy
  // show` prints them flat, beside `id` and `name`.
  const Value* properties = json::FindField(object, "properties");
  Path properties_path = path.Field("properties");
  absl::StatusOr<const Struct*> fields = &object;
  if (json::IsNullOrAbsent(properties)) {
    if (json::FindField(object, "virtualMachines") == nullptr) {
      return json::MissingField(properties_path,
                                "an object with virtualMachines");
    }
    properties_path = path;
  } else {
    fields = json::GetObject(*properties, properties_path);
    if (!fields.ok()) return fields.status();
  }

  absl::Status status = ReadVirtualMachines<JitPolicyVirtualMachine>(
      **fields, properties_path, ReadPolicyPort,
      policy.mutable_virtual_machines());
  if (!status.ok()) return status;

  const Value* requests = json::FindField(**fields, "requests");
  Path requests_path = properties_path.Field("requests");
  if (!json::IsNullOrAbsent(requests)) {
    absl::StatusOr<const ListValue*> list =
        json::GetArray(*requests, requests_path);
    if (!list.ok()) return list.status();
    for (int i = 0; i < (*list)->values_size(); ++i) {
      absl::StatusOr<const Struct*> entry =
          json::GetObject((*list)->values(i), requests_path.Index(i));
      if (!entry.ok()) return entry.status();
      absl::StatusOr<JitRequest> request =
          ReadRequest(**entry, requests_path.Index(i));
      if (!request.ok()) return request.status();
      *policy.add_requests() = *std::move(request);
    }
  }

  absl::StatusOr<std::string> state =
      OptionalString(**fields, "provisioningState", properties_path);
  if (!state.ok()) return state.status();
  policy.set_provisioning_state(*state);
  return policy;
}

// Finds the body of a REST example file: the first of `responses.<code>.body`
// for the given codes, else `parameters.body`. Returns nullptr when the
// document is not an example.
const Value* ExampleBody(const Struct& root, Path& path, bool prefer_request,
                         std::initializer_list<absl::string_view> codes) {
  const Value* parameters = json::FindField(root, "parameters");
  const Value* responses = json::FindField(root, "responses");
  if (parameters == nullptr || responses == nullptr) return nullptr;

  const Value* request_body = nullptr;
  if (parameters->has_struct_value()) {
    request_body = json::FindField(parameters->struct_value(), "body");
  }
  if (prefer_request && request_body != nullptr) {
    path = Path("parameters").Field("body");
    return request_body;
  }
  if (responses->has_struct_value()) {
    for (absl::string_view code : codes) {
      const Value* response = json::FindField(responses->struct_value(), code);
      if (response == nullptr || !response->has_struct_value()) continue;
      const Value* body = json::FindField(response->struct_value(), "body");
      if (body != nullptr) {
        path = Path("responses").Field(code).Field("body");
        return body;
      }
    }
  }
  if (request_body != nullptr) {
    path = Path("parameters").Field("body");
    return request_body;
  }
  return nullptr;
}

// Returns the object to import from `root`: the body of a REST example file
// (see ExampleBody), or `root` itself. Sets `path` to the object's path.
absl::StatusOr<const Struct*> DocumentOf(
    const Value& root, bool prefer_request,
    std::initializer_list<absl::string_view> codes, Path& path) {
  if (!root.has_struct_value()) {
    return json::InvalidField(Path(), root, "a JSON object");
  }
  const Value* body =
      ExampleBody(root.struct_value(), path, prefer_request, codes);
  if (body == nullptr) return &root.struct_value();
  return json::GetObject(*body, path);
}

}  // namespace

absl::StatusOr<JitProtocol> ParseJitProtocol(absl::string_view text) {
  if (absl::EqualsIgnoreCase(text, "TCP")) return JIT_PROTOCOL_TCP;
  if (absl::EqualsIgnoreCase(text, "UDP")) return JIT_PROTOCOL_UDP;
  if (text == "*") return JIT_PROTOCOL_ANY;
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid JIT protocol \"", text, "\"; expected TCP, UDP or *"));
}

absl::StatusOr<std::vector<JitPolicy>> ImportJitPolicies(
    absl::string_view bytes) {
  absl::StatusOr<Value> root = json::ParseJson(bytes);
  if (!root.ok()) return root.status();
  Path path;
  absl::StatusOr<const Struct*> object =
      DocumentOf(*root, /*prefer_request=*/false, {"200", "201"}, path);
  if (!object.ok()) return object.status();
  const Struct* document = *object;

  std::vector<JitPolicy> policies;
  const Value* list = json::FindField(*document, "value");
  if (list != nullptr) {
    // A policy on a later page would be missing, and a VM without a policy
    // is not protected by JIT at all.
    absl::Status complete = json::RejectNextPageLink(*document, path);
    if (!complete.ok()) return complete;
    Path list_path = path.Field("value");
    absl::StatusOr<const ListValue*> items = json::GetArray(*list, list_path);
    if (!items.ok()) return items.status();
    for (int i = 0; i < (*items)->values_size(); ++i) {
      absl::StatusOr<const Struct*> item =
          json::GetObject((*items)->values(i), list_path.Index(i));
      if (!item.ok()) return item.status();
      absl::StatusOr<JitPolicy> policy = ReadPolicy(**item, list_path.Index(i));
      if (!policy.ok()) return policy.status();
      policies.push_back(*std::move(policy));
    }
    return policies;
  }

  absl::StatusOr<JitPolicy> policy = ReadPolicy(*document, path);
  if (!policy.ok()) return policy.status();
  policies.push_back(*std::move(policy));
  return policies;
}

absl::StatusOr<JitRequest> ImportJitRequest(absl::string_view bytes) {
  absl::StatusOr<Value> root = json::ParseJson(bytes);
  if (!root.ok()) return root.status();
  Path path;
  absl::StatusOr<const Struct*> object =
      DocumentOf(*root, /*prefer_request=*/true, {"202", "200"}, path);
  if (!object.ok()) return object.status();
  const Struct* document = *object;
  return ReadRequest(*document, path);
}

absl::StatusOr<NetworkInterface> ImportNetworkInterface(
    absl::string_view bytes) {
  absl::StatusOr<Value> root = json::ParseJson(bytes);
  if (!root.ok()) return root.status();
  Path path;
  absl::StatusOr<const Struct*> object =
      DocumentOf(*root, /*prefer_request=*/false, {"200", "201"}, path);
  if (!object.ok()) return object.status();
  const Struct* document = *object;

  NetworkInterface nic;
  absl::StatusOr<std::string> id = OptionalString(*document, "id", path);
  if (!id.ok()) return id.status();
  nic.set_id(*id);
  absl::StatusOr<std::string> name = OptionalString(*document, "name", path);
  if (!name.ok()) return name.status();
  nic.set_name(*name);

  // The REST API nests the fields in `properties`; `az network nic show`
  // prints them flat.
  const Value* properties = json::FindField(*document, "properties");
  Path properties_path = path.Field("properties");
  absl::StatusOr<const Struct*> fields = document;
  if (json::IsNullOrAbsent(properties)) {
    if (json::FindField(*document, "ipConfigurations") == nullptr) {
      return json::MissingField(properties_path,
                                "the network interface's properties");
    }
    properties_path = path;
  } else {
    fields = json::GetObject(*properties, properties_path);
    if (!fields.ok()) return fields.status();
  }

  // `virtualMachine` and `networkSecurityGroup` are sub-resources: {"id": ...}.
  auto read_reference = [&](absl::string_view member)
      -> absl::StatusOr<std::string> {
    const Value* reference = json::FindField(**fields, member);
    if (json::IsNullOrAbsent(reference)) return std::string();
    Path reference_path = properties_path.Field(member);
    absl::StatusOr<const Struct*> reference_object =
        json::GetObject(*reference, reference_path);
    if (!reference_object.ok()) return reference_object.status();
    return OptionalString(**reference_object, "id", reference_path);
  };
  absl::StatusOr<std::string> vm = read_reference("virtualMachine");
  if (!vm.ok()) return vm.status();
  nic.set_virtual_machine_id(*vm);
  absl::StatusOr<std::string> nsg = read_reference("networkSecurityGroup");
  if (!nsg.ok()) return nsg.status();
  nic.set_network_security_group_id(*nsg);

  const Value* configurations = json::FindField(**fields, "ipConfigurations");
  Path configurations_path = properties_path.Field("ipConfigurations");
  if (json::IsNullOrAbsent(configurations)) {
    return json::MissingField(configurations_path,
                              "an array of IP configurations");
  }
  absl::StatusOr<const ListValue*> list =
      json::GetArray(*configurations, configurations_path);
  if (!list.ok()) return list.status();

  std::vector<std::pair<bool, std::string>> addresses;  // (primary, address)
  std::string primary_subnet;
  for (int i = 0; i < (*list)->values_size(); ++i) {
    Path item_path = configurations_path.Index(i);
    absl::StatusOr<const Struct*> item =
        json::GetObject((*list)->values(i), item_path);
    if (!item.ok()) return item.status();
    const Value* item_properties = json::FindField(**item, "properties");
    const Struct* item_fields = *item;
    Path fields_path = item_path;
    if (!json::IsNullOrAbsent(item_properties)) {
      fields_path = item_path.Field("properties");
      absl::StatusOr<const Struct*> inner =
          json::GetObject(*item_properties, fields_path);
      if (!inner.ok()) return inner.status();
      item_fields = *inner;
    }

    absl::StatusOr<std::string> address =
        OptionalString(*item_fields, "privateIPAddress", fields_path);
    if (!address.ok()) return address.status();
    if (address->empty()) continue;
    absl::StatusOr<net::IpPrefix> parsed = net::IpPrefix::ParseStrict(*address);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          fields_path.Field("privateIPAddress").ToString(),
          ": invalid value \"", *address,
          "\"; expected an IP address (", parsed.status().message(), ")"));
    }

    bool primary = false;
    const Value* primary_value = json::FindField(*item_fields, "primary");
    if (!json::IsNullOrAbsent(primary_value)) {
      absl::StatusOr<bool> flag =
          json::GetBool(*primary_value, fields_path.Field("primary"));
      if (!flag.ok()) return flag.status();
      primary = *flag;
    }
    // Membership in application security groups: `[{"id": ...}]`.
    const Value* groups =
        json::FindField(*item_fields, "applicationSecurityGroups");
    if (!json::IsNullOrAbsent(groups)) {
      Path groups_path = fields_path.Field("applicationSecurityGroups");
      absl::StatusOr<const ListValue*> group_list =
          json::GetArray(*groups, groups_path);
      if (!group_list.ok()) return group_list.status();
      for (int g = 0; g < (*group_list)->values_size(); ++g) {
        Path group_path = groups_path.Index(g);
        absl::StatusOr<const Struct*> group =
            json::GetObject((*group_list)->values(g), group_path);
        if (!group.ok()) return group.status();
        const Value* group_id = json::FindField(**group, "id");
        if (json::IsNullOrAbsent(group_id)) {
          return json::MissingField(group_path.Field("id"),
                                    "the application security group's id");
        }
        absl::StatusOr<std::string> id_text =
            json::GetString(*group_id, group_path.Field("id"));
        if (!id_text.ok()) return id_text.status();
        if (id_text->empty()) {
          return json::InvalidField(group_path.Field("id"), *group_id,
                                    "an application security group id");
        }
        absl::Status id_status = nsg::CheckApplicationSecurityGroupId(*id_text);
        if (!id_status.ok()) {
          return absl::InvalidArgumentError(absl::StrCat(
              group_path.Field("id").ToString(), ": ", id_status.message()));
        }
        ApplicationSecurityGroupMember* member =
            nic.add_application_security_group_members();
        member->set_application_security_group_id(*id_text);
        member->set_private_ip_address(*address);
      }
    }

    const Value* subnet = json::FindField(*item_fields, "subnet");
    if (!json::IsNullOrAbsent(subnet) && subnet->has_struct_value() &&
        (primary || primary_subnet.empty())) {
      absl::StatusOr<std::string> subnet_id = OptionalString(
          subnet->struct_value(), "id", fields_path.Field("subnet"));
      if (!subnet_id.ok()) return subnet_id.status();
      primary_subnet = *subnet_id;
    }
    addresses.emplace_back(primary, *address);
  }
  if (addresses.empty()) {
    return json::MissingField(
        configurations_path.Index(0).Field("properties").Field(
            "privateIPAddress"),
        "at least one private IP address");
  }

  std::stable_sort(addresses.begin(), addresses.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [primary, address] : addresses) {
    nic.add_private_ip_addresses(address);
  }
  nic.set_subnet_id(primary_subnet);
  return nic;
}

absl::Status AddApplicationSecurityGroupMembers(const NetworkInterface& nic,
                                                nsg::AddressContext& context) {
  for (const ApplicationSecurityGroupMember& member :
       nic.application_security_group_members()) {
    absl::StatusOr<net::IpAddress> address =
        net::IpAddress::Parse(member.private_ip_address());
    if (!address.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "private address \"", member.private_ip_address(),
          "\" of a member of application security group \"",
          member.application_security_group_id(),
          "\" is not a single address; members must be addresses"));
    }
    context
        .application_security_groups[nsg::ResourceIdKey(
            member.application_security_group_id())]
        .push_back(*address);
  }
  return absl::OkStatus();
}

}  // namespace portcullis::jit
