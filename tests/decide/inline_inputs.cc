#include "tests/decide/inline_inputs.h"

#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "proto/ca.pb.h"
#include "proto/nsg.pb.h"
#include "proto/pim.pb.h"
#include "proto/rbac.pb.h"

namespace portcullis::decide::testing {
namespace {

constexpr char kUser[] = "8f14e45f-ceea-4167-a5a7-1d3b6c8e9f02";
constexpr char kAzureManagement[] = "797f4846-ba00-4fd7-ba43-dac1f8f63013";
constexpr char kGroup[] =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-jit-demo";
constexpr char kRoleGuid[] = "3c6e2f8a-5d1b-4e7a-9f02-6b8d4c1a7e55";

std::string Resource(const std::string& type_and_name) {
  return std::string(kGroup) + "/providers/" + type_and_name;
}

ca::Policy MfaPolicy() {
  ca::Policy policy;
  policy.set_id("7c1e4b2a-9f3d-4e6a-8b5c-2d7f1a9e3c40");
  policy.set_display_name("Require MFA for Azure management");
  policy.set_state(ca::POLICY_STATE_ENABLED);
  policy.mutable_conditions()->mutable_users()->add_include_users("All");
  policy.mutable_conditions()->mutable_applications()->add_include_applications(
      kAzureManagement);
  policy.mutable_grant_controls()->set_operator_(ca::GRANT_OPERATOR_AND);
  policy.mutable_grant_controls()->add_built_in_controls(ca::BUILT_IN_CONTROL_MFA);
  return policy;
}

pim::PolicyRule Rule(const std::string& id) {
  pim::PolicyRule rule;
  rule.set_id(id);
  rule.mutable_target()->set_caller(pim::CALLER_END_USER);
  rule.mutable_target()->set_level(pim::LEVEL_ASSIGNMENT);
  rule.mutable_target()->add_operations(pim::OPERATION_ALL);
  return rule;
}

google::protobuf::Timestamp Timestamp(absl::Time time) {
  google::protobuf::Timestamp out;
  out.set_seconds(absl::ToUnixSeconds(time));
  return out;
}

PimInput MakePim() {
  const std::string role = "/subscriptions/00000000-0000-0000-0000-000000000000/providers/"
                           "Microsoft.Authorization/roleDefinitions/" +
                           std::string(kRoleGuid);
  PimInput pim;
  pim.policy.set_id("b7d2e9a4-6c1f-4a3e-8d5b-2f9c7e1a4d63");
  pim.policy.set_scope_id(kGroup);
  pim::PolicyRule expiration = Rule("Expiration_EndUser_Assignment");
  expiration.mutable_expiration()->set_is_expiration_required(true);
  expiration.mutable_expiration()->mutable_maximum_duration()->set_seconds(4 * 3600);
  *pim.policy.add_rules() = expiration;
  pim::PolicyRule enablement = Rule("Enablement_EndUser_Assignment");
  enablement.mutable_enablement()->add_enabled_rules(
      pim::ENABLED_RULE_MULTI_FACTOR_AUTHENTICATION);
  *pim.policy.add_rules() = enablement;
  pim::PolicyRule approval = Rule("Approval_EndUser_Assignment");
  approval.mutable_approval()->set_is_approval_required(false);
  *pim.policy.add_rules() = approval;

  pim::ScheduleInstance& eligibility = pim.eligibilities.emplace_back();
  eligibility.set_level(pim::LEVEL_ELIGIBILITY);
  eligibility.set_id("e2c4a6f8-1b3d-4e5f-9a7c-8d6b4f2e0a13");
  eligibility.set_principal_id(kUser);
  eligibility.set_role_definition_id(role);
  eligibility.set_directory_scope_id(kGroup);
  *eligibility.mutable_start_time() = Timestamp(absl::FromCivil(
      absl::CivilSecond(2026, 1, 15, 9, 0, 0), absl::UTCTimeZone()));

  pim::ScheduleRequest& request = pim.requests.emplace_back();
  request.set_level(pim::LEVEL_ASSIGNMENT);
  request.set_id("6f8a0c2e-4b6d-4f8a-a2c4-e6f8a0b2c4d7");
  request.set_action(pim::ACTION_SELF_ACTIVATE);
  request.set_principal_id(kUser);
  request.set_role_definition_id(role);
  request.set_directory_scope_id(kGroup);
  request.set_justification("Patch the kernel on vm-app01");
  // Recorded requests are judged when PIM processed them; this one has no
  // start, so it starts then.
  *request.mutable_created_time() = Timestamp(absl::FromCivil(
      absl::CivilSecond(2026, 3, 2, 9, 0, 0), absl::UTCTimeZone()));
  pim::Expiration* request_expiration = request.mutable_schedule_info()->mutable_expiration();
  request_expiration->set_type(pim::EXPIRATION_TYPE_AFTER_DURATION);
  request_expiration->mutable_duration()->set_seconds(2 * 3600);
  return pim;
}

rbac::RbacInput MakeRbac() {
  rbac::RbacInput input;
  rbac::RoleDefinition* role = input.add_role_definitions();
  role->set_name(kRoleGuid);
  role->set_role_name("Secure VM Access Operator");
  role->set_role_type(rbac::ROLE_TYPE_CUSTOM);
  role->add_assignable_scopes(kGroup);
  rbac::Permission* permission = role->add_permissions();
  for (const char* action : {
           "Microsoft.Compute/virtualMachines/read",
           "Microsoft.Network/networkInterfaces/read",
           "Microsoft.Network/networkInterfaces/ipconfigurations/read",
           "Microsoft.Network/bastionHosts/read",
           "Microsoft.Network/virtualNetworks/read",
           "Microsoft.Network/virtualNetworks/BastionHosts/action",
           "Microsoft.Network/virtualNetworks/bastionHosts/default/action",
           "Microsoft.Network/virtualNetworks/subnets/virtualMachines/read",
           "Microsoft.Network/virtualNetworks/virtualMachines/read",
           "Microsoft.Security/locations/jitNetworkAccessPolicies/read",
           "Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action"}) {
    permission->add_actions(action);
  }
  return input;
}

nsg::SecurityRule InboundRule(const std::string& name, int priority, nsg::Access access,
                              const std::string& source, const std::string& destination,
                              std::vector<std::string> ports) {
  nsg::SecurityRule rule;
  rule.set_name(name);
  rule.set_priority(priority);
  rule.set_direction(nsg::DIRECTION_INBOUND);
  rule.set_access(access);
  rule.set_protocol(nsg::PROTOCOL_TCP);
  rule.set_source_address_prefix(source);
  rule.set_source_port_range("*");
  rule.set_destination_address_prefix(destination);
  if (ports.size() == 1) {
    rule.set_destination_port_range(ports[0]);
  } else {
    for (const std::string& port : ports) rule.add_destination_port_ranges(port);
  }
  return rule;
}

NetworkInput MakeNetwork(bool with_jit_grant) {
  NetworkInput network;
  network.addresses.virtual_network = {*net::IpPrefix::ParseStrict("10.0.0.0/16")};

  BastionInput& bastion = network.bastion.emplace();
  bastion.host_id = Resource("Microsoft.Network/bastionHosts/bas-jit-demo");
  bastion.address = *net::IpAddress::Parse("10.0.1.4");
  nsg::NetworkSecurityGroup& bastion_nsg = bastion.subnet_nsg.emplace();
  bastion_nsg.set_name("nsg-bastion");
  *bastion_nsg.add_security_rules() = InboundRule(
      "AllowHttpsFromOnPremisesInBound", 100, nsg::ACCESS_ALLOW, "198.51.100.0/24", "*", {"443"});

  VmInput& vm = network.vms.emplace_back();
  vm.nic.set_id(Resource("Microsoft.Network/networkInterfaces/nic-vm-app01"));
  vm.nic.set_virtual_machine_id(Resource("Microsoft.Compute/virtualMachines/vm-app01"));
  vm.nic.set_network_security_group_id(
      Resource("Microsoft.Network/networkSecurityGroups/nsg-vm-app01-nic"));
  vm.nic.add_private_ip_addresses("10.0.2.4");
  vm.nic.set_subnet_id(
      Resource("Microsoft.Network/virtualNetworks/vnet-jit-demo/subnets/snet-workload"));
  nsg::NetworkSecurityGroup& subnet = vm.subnet_nsg.emplace();
  subnet.set_name("nsg-workload");
  *subnet.add_security_rules() = InboundRule("AllowSshRdpFromBastionInBound", 100,
                                             nsg::ACCESS_ALLOW, "10.0.1.0/26",
                                             "10.0.2.0/24", {"22", "3389"});
  *subnet.add_security_rules() =
      InboundRule("DenySshInBound", 4000, nsg::ACCESS_DENY, "*", "*", {"22"});
  nsg::NetworkSecurityGroup& nic_nsg = vm.nic_nsg.emplace();
  nic_nsg.set_name("nsg-vm-app01-nic");
  *nic_nsg.add_security_rules() =
      InboundRule("DenyRdpInBound", 200, nsg::ACCESS_DENY, "*", "*", {"3389"});

  jit::JitPolicy& policy = network.jit_policy.emplace();
  policy.set_id(Resource("Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default"));
  policy.set_name("default");
  jit::JitPolicyVirtualMachine* protected_vm = policy.add_virtual_machines();
  protected_vm->set_id(vm.nic.virtual_machine_id());
  jit::JitPolicyPort* port = protected_vm->add_ports();
  port->set_number(22);
  port->set_protocol(jit::JIT_PROTOCOL_TCP);
  port->set_allowed_source_address_prefix("10.0.1.0/26");
  port->set_max_request_access_duration("PT3H");
  if (with_jit_grant) {
    jit::JitRequest* request = policy.add_requests();
    request->set_start_time_utc("2026-03-02T09:00:00Z");
    request->set_requestor("alex@contoso.example");
    jit::JitRequestVirtualMachine* request_vm = request->add_virtual_machines();
    request_vm->set_id(vm.nic.virtual_machine_id());
    jit::JitRequestPort* request_port = request_vm->add_ports();
    request_port->set_number(22);
    request_port->set_allowed_source_address_prefix("10.0.1.0/26");
    request_port->set_end_time_utc("2026-03-02T10:00:00Z");
    request_port->set_status("Initiated");
  }
  return network;
}

}  // namespace

Attempt InlineInputs::attempt() const {
  Attempt attempt;
  attempt.sign_in = &sign_in;
  attempt.vm_id = vm_id;
  attempt.port = 22;
  attempt.source = *net::IpAddress::Parse("198.51.100.25");
  attempt.via_bastion = true;
  return attempt;
}

InlineInputs MakeInlineInputs(bool with_jit_grant) {
  InlineInputs inputs;
  ConditionalAccessInput& ca = inputs.input.conditional_access.emplace();
  ca.policies.push_back(MfaPolicy());
  inputs.input.pim = MakePim();
  inputs.input.rbac = MakeRbac();
  inputs.input.network = MakeNetwork(with_jit_grant);
  inputs.vm_id = inputs.input.network.vms[0].nic.virtual_machine_id();

  access::SignIn& sign_in = inputs.sign_in;
  sign_in.user_id = kUser;
  sign_in.directory_known = true;
  sign_in.user_type = access::SignIn::UserType::kMember;
  sign_in.target = access::SignIn::Target::kApplications;
  sign_in.application_ids = {kAzureManagement};
  sign_in.ip_address = *net::IpAddress::Parse("198.51.100.25");
  sign_in.satisfied.built_in |= access::ControlBit(ca::BUILT_IN_CONTROL_MFA);
  return inputs;
}

}  // namespace portcullis::decide::testing
