#include "nsg/jit.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/ip_address.h"
#include "nsg/jit_import.h"
#include "schedule/rfc3339.h"
#include "tests/testing/shared_data.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::jit {
namespace {

using ::portcullis::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr char kVmId[] =
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/"
    "providers/Microsoft.Compute/virtualMachines/vm1";
constexpr char kNsgId[] =
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/"
    "providers/Microsoft.Network/networkSecurityGroups/vm1-nsg";

absl::Time At(absl::string_view text) {
  absl::StatusOr<absl::Time> time = schedule::ParseRfc3339(text);
  EXPECT_TRUE(time.ok()) << time.status();
  return time.ok() ? *time : absl::UnixEpoch();
}

std::string PolicyJson(absl::string_view ports) {
  return absl::StrCat(R"({
    "id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default",
    "name": "default",
    "kind": "Basic",
    "properties": {
      "virtualMachines": [{"id": ")",
                      kVmId, R"(", "ports": )", ports, R"(}]}})");
}

JitPolicy Policy(absl::string_view ports) {
  absl::StatusOr<std::vector<JitPolicy>> policies =
      ImportJitPolicies(PolicyJson(ports));
  EXPECT_TRUE(policies.ok()) << policies.status();
  if (!policies.ok() || policies->size() != 1) return JitPolicy();
  return (*policies)[0];
}

// The reference architecture's policy: 22 and 3389 from the bastion subnet.
JitPolicy BastionPolicy() {
  return Policy(R"([
      {"number": 22, "protocol": "TCP",
       "allowedSourceAddressPrefix": "198.51.100.0/26",
       "maxRequestAccessDuration": "PT3H"},
      {"number": 3389, "protocol": "*",
       "allowedSourceAddressPrefixes": ["198.51.100.0/26", "203.0.113.7"],
       "maxRequestAccessDuration": "PT1H"}])");
}

nsg::SecurityRule Rule(absl::string_view name, int priority,
                       nsg::Access access, absl::string_view ports,
                       absl::string_view destination = "*") {
  nsg::SecurityRule rule;
  rule.set_name(std::string(name));
  rule.set_priority(priority);
  rule.set_direction(nsg::DIRECTION_INBOUND);
  rule.set_access(access);
  rule.set_protocol(nsg::PROTOCOL_TCP);
  rule.set_source_address_prefix("*");
  rule.set_source_port_range("*");
  rule.set_destination_address_prefix(std::string(destination));
  rule.set_destination_port_range(std::string(ports));
  return rule;
}

nsg::NetworkSecurityGroup Nsg(std::vector<nsg::SecurityRule> rules) {
  nsg::NetworkSecurityGroup nsg;
  nsg.set_id(kNsgId);
  nsg.set_name("vm1-nsg");
  for (nsg::SecurityRule& rule : rules) *nsg.add_security_rules() = rule;
  return nsg;
}

VmTarget Target() {
  VmTarget target;
  target.vm_id = kVmId;
  target.private_address = "192.0.2.4";
  target.nsg_id = kNsgId;
  return target;
}

AccessRequest Request(uint32_t port, absl::string_view source,
                      absl::Duration duration) {
  AccessRequest request;
  request.vm_id = kVmId;
  request.port = port;
  request.source = std::string(source);
  request.start = At("2026-03-02T09:00:00Z");
  request.end = request.start + duration;
  request.requestor = "admin@contoso.example";
  return request;
}

std::vector<std::string> Codes(const RequestDecision& decision) {
  std::vector<std::string> codes;
  for (const Rejection& rejection : decision.rejections) {
    codes.push_back(rejection.code);
  }
  return codes;
}

TEST(ImportJitPolicies, ReadsPortsAndSources) {
  JitPolicy policy = BastionPolicy();
  ASSERT_EQ(policy.virtual_machines_size(), 1);
  const JitPolicyVirtualMachine& vm = policy.virtual_machines(0);
  ASSERT_EQ(vm.ports_size(), 2);
  EXPECT_EQ(vm.ports(0).number(), 22u);
  EXPECT_EQ(vm.ports(0).protocol(), JIT_PROTOCOL_TCP);
  EXPECT_EQ(vm.ports(0).allowed_source_address_prefix(), "198.51.100.0/26");
  EXPECT_EQ(vm.ports(1).protocol(), JIT_PROTOCOL_ANY);
  EXPECT_THAT(vm.ports(1).allowed_source_address_prefixes(),
              ElementsAre("198.51.100.0/26", "203.0.113.7"));
  EXPECT_EQ(policy.name(), "default");
}

TEST(ImportJitPolicies, ProtocolIgnoresCase) {
  JitPolicy policy = Policy(R"([{"number": 22, "protocol": "udp",
      "allowedSourceAddressPrefix": "*", "maxRequestAccessDuration": "PT3H"}])");
  ASSERT_EQ(policy.virtual_machines_size(), 1);
  EXPECT_EQ(policy.virtual_machines(0).ports(0).protocol(), JIT_PROTOCOL_UDP);
}

struct BadPolicyCase {
  std::string name;
  std::string ports;
  std::string message;
};

class ImportJitPoliciesRejects
    : public ::testing::TestWithParam<BadPolicyCase> {};

TEST_P(ImportJitPoliciesRejects, WithPathAndValue) {
  EXPECT_THAT(ImportJitPolicies(PolicyJson(GetParam().ports)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ImportJitPoliciesRejects,
    ::testing::Values(
        BadPolicyCase{"BothSourceFields",
                      R"([{"number": 22, "protocol": "TCP",
                           "allowedSourceAddressPrefix": "*",
                           "allowedSourceAddressPrefixes": ["192.0.2.0/24"],
                           "maxRequestAccessDuration": "PT3H"}])",
                      "properties.virtualMachines[0].ports[0]: both "
                      "allowedSourceAddressPrefix and "
                      "allowedSourceAddressPrefixes are set"},
        BadPolicyCase{"NoSourceField",
                      R"([{"number": 22, "protocol": "TCP",
                           "maxRequestAccessDuration": "PT3H"}])",
                      "ports[0].allowedSourceAddressPrefix: missing"},
        BadPolicyCase{"BadProtocol",
                      R"([{"number": 22, "protocol": "Icmp",
                           "allowedSourceAddressPrefix": "*",
                           "maxRequestAccessDuration": "PT3H"}])",
                      "ports[0].protocol: invalid value \"Icmp\"; expected "
                      "TCP, UDP or *"},
        BadPolicyCase{"PortTooLarge",
                      R"([{"number": 65536, "protocol": "TCP",
                           "allowedSourceAddressPrefix": "*",
                           "maxRequestAccessDuration": "PT3H"}])",
                      "ports[0].number: invalid value 65536"},
        BadPolicyCase{"DurationUnderFiveMinutes",
                      R"([{"number": 22, "protocol": "TCP",
                           "allowedSourceAddressPrefix": "*",
                           "maxRequestAccessDuration": "PT4M"}])",
                      "maxRequestAccessDuration: invalid value \"PT4M\"; "
                      "expected a duration between PT5M and P1D"},
        BadPolicyCase{"DurationOverOneDay",
                      R"([{"number": 22, "protocol": "TCP",
                           "allowedSourceAddressPrefix": "*",
                           "maxRequestAccessDuration": "PT25H"}])",
                      "expected a duration between PT5M and P1D"},
        BadPolicyCase{"DurationWithDaysInTimePart",
                      R"([{"number": 22, "protocol": "TCP",
                           "allowedSourceAddressPrefix": "*",
                           "maxRequestAccessDuration": "PT1D"}])",
                      "maxRequestAccessDuration"},
        BadPolicyCase{"SourceWithHostBits",
                      R"([{"number": 22, "protocol": "TCP",
                           "allowedSourceAddressPrefix": "192.0.2.7/24",
                           "maxRequestAccessDuration": "PT3H"}])",
                      "allowedSourceAddressPrefix: invalid value "
                      "\"192.0.2.7/24\""},
        // Which entry a request for 22 takes would depend on their order.
        BadPolicyCase{"PortListedTwice",
                      R"([{"number": 22, "protocol": "UDP",
                           "allowedSourceAddressPrefix": "*",
                           "maxRequestAccessDuration": "PT3H"},
                          {"number": 3389, "protocol": "TCP",
                           "allowedSourceAddressPrefix": "*",
                           "maxRequestAccessDuration": "PT3H"},
                          {"number": 22, "protocol": "TCP",
                           "allowedSourceAddressPrefix": "192.0.2.0/24",
                           "maxRequestAccessDuration": "PT3H"}])",
                      "properties.virtualMachines[0].ports[2].number: invalid "
                      "value 22; expected each port once per virtual machine, "
                      "but properties.virtualMachines[0].ports[0] has it too"},
        BadPolicyCase{"AnySourceInList",
                      R"([{"number": 22, "protocol": "TCP",
                           "allowedSourceAddressPrefixes": ["192.0.2.0/24", "*"],
                           "maxRequestAccessDuration": "PT3H"}])",
                      "ports[0].allowedSourceAddressPrefixes[1]: invalid "
                      "value \"*\" in a list of prefixes"},
        // The same VM again, its id in upper case with a trailing slash:
        // which entry governs would depend on their order.
        BadPolicyCase{"VmListedTwice",
                      absl::StrCat(
                          R"([{"number": 22, "protocol": "TCP",
                               "allowedSourceAddressPrefix": "192.0.2.0/24",
                               "maxRequestAccessDuration": "PT3H"}]},
                             {"id": ")",
                          absl::AsciiStrToUpper(kVmId), R"(/", "ports":
                             [{"number": 22, "protocol": "TCP",
                               "allowedSourceAddressPrefix": "*",
                               "maxRequestAccessDuration": "PT24H"}])"),
                      "properties.virtualMachines[1].id: invalid value"}),
    [](const auto& info) { return info.param.name; });

TEST(ImportJitRequest, KeepsUnknownStatusStrings) {
  absl::StatusOr<JitRequest> request = ImportJitRequest(absl::StrCat(R"({
    "virtualMachines": [{"id": ")", kVmId, R"(",
      "ports": [{"number": 22, "endTimeUtc": "2026-03-02T10:00:00Z",
                 "allowedSourceAddressPrefix": "198.51.100.4",
                 "status": "Initiating", "statusReason": "UserRequested"}]}],
    "startTimeUtc": "2026-03-02T09:00:00Z",
    "justification": "patching"})"));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->virtual_machines(0).ports(0).status(), "Initiating");
  EXPECT_EQ(request->justification(), "patching");
}

TEST(ImportJitRequest, RejectsBadEndTime) {
  EXPECT_THAT(ImportJitRequest(absl::StrCat(R"({
    "virtualMachines": [{"id": ")", kVmId, R"(",
      "ports": [{"number": 22, "endTimeUtc": "tomorrow"}]}]})")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("virtualMachines[0].ports[0].endTimeUtc")));
}

TEST(ImportNetworkInterface, ReadsVmAddressAndNsg) {
  absl::StatusOr<NetworkInterface> nic = ImportNetworkInterface(absl::StrCat(R"({
    "name": "vm1-nic", "id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/vm1-nic",
    "properties": {
      "ipConfigurations": [
        {"name": "b", "properties": {"privateIPAddress": "192.0.2.9", "primary": false}},
        {"name": "a", "properties": {"privateIPAddress": "192.0.2.4", "primary": true,
          "subnet": {"id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/vms"}}}],
      "networkSecurityGroup": {"id": ")", kNsgId, R"("},
      "virtualMachine": {"id": ")", kVmId, R"("}}})"));
  ASSERT_TRUE(nic.ok()) << nic.status();
  EXPECT_EQ(nic->virtual_machine_id(), kVmId);
  EXPECT_EQ(nic->network_security_group_id(), kNsgId);
  EXPECT_THAT(nic->private_ip_addresses(), ElementsAre("192.0.2.4", "192.0.2.9"));
  EXPECT_THAT(nic->subnet_id(), HasSubstr("/subnets/vms"));
}

TEST(ImportNetworkInterface, ReadsFlatAzShowOutput) {
  absl::StatusOr<NetworkInterface> nic = ImportNetworkInterface(absl::StrCat(R"({
    "name": "vm1-nic",
    "ipConfigurations": [{"name": "ipconfig1", "primary": true,
                          "privateIPAddress": "192.0.2.4"}],
    "networkSecurityGroup": {"id": ")", kNsgId, R"("},
    "virtualMachine": {"id": ")", kVmId, R"("}})"));
  ASSERT_TRUE(nic.ok()) << nic.status();
  EXPECT_EQ(nic->virtual_machine_id(), kVmId);
  EXPECT_THAT(nic->private_ip_addresses(), ElementsAre("192.0.2.4"));
}

// The resource id of application security group `name` in resource group rg.
std::string AsgId(absl::string_view name) {
  return absl::StrCat(
      "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/"
      "providers/Microsoft.Network/applicationSecurityGroups/",
      name);
}

TEST(ImportNetworkInterface, ReadsApplicationSecurityGroups) {
  absl::StatusOr<NetworkInterface> nic = ImportNetworkInterface(absl::StrCat(R"({
    "name": "vm1-nic",
    "properties": {"ipConfigurations": [
      {"name": "a", "properties": {"privateIPAddress": "192.0.2.4", "primary": true,
        "applicationSecurityGroups": [{"id": ")", AsgId("web"), R"("},
                                      {"id": ")", AsgId("ssh"), R"("}]}},
      {"name": "b", "properties": {"privateIPAddress": "192.0.2.9",
        "applicationSecurityGroups": [{"id": ")", AsgId("web"), R"("}]}},
      {"name": "c", "properties": {"privateIPAddress": "192.0.2.10",
        "applicationSecurityGroups": null}}]}})"));
  ASSERT_TRUE(nic.ok()) << nic.status();
  ASSERT_EQ(nic->application_security_group_members_size(), 3);
  std::vector<std::string> members;
  for (const auto& member : nic->application_security_group_members()) {
    members.push_back(absl::StrCat(member.application_security_group_id(), " ",
                                   member.private_ip_address()));
  }
  EXPECT_THAT(members,
              ElementsAre(absl::StrCat(AsgId("web"), " 192.0.2.4"),
                          absl::StrCat(AsgId("ssh"), " 192.0.2.4"),
                          absl::StrCat(AsgId("web"), " 192.0.2.9")));
}

TEST(ImportNetworkInterface, RejectsApplicationSecurityGroupName) {
  for (const std::string& id :
       {std::string("asg-web"), absl::StrCat(AsgId("web"), " "),
        absl::StrCat(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/"
            "networkSecurityGroups/web")}) {
    SCOPED_TRACE(id);
    absl::StatusOr<NetworkInterface> nic = ImportNetworkInterface(absl::StrCat(R"({
      "name": "vm1-nic",
      "properties": {"ipConfigurations": [
        {"name": "a", "properties": {"privateIPAddress": "192.0.2.4",
          "applicationSecurityGroups": [{"id": ")", id, R"("}]}}]}})"));
    EXPECT_THAT(nic.status(),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("applicationSecurityGroups[0].id: invalid "
                                   "application security group id")));
  }
}

TEST(AddApplicationSecurityGroupMembers, KeysIgnoreCaseAndSlashes) {
  NetworkInterface nic;
  for (const auto& [group, address] :
       {std::pair{absl::AsciiStrToUpper(AsgId("web")), "192.0.2.4"},
        std::pair{absl::StrCat(AsgId("web"), "/"), "192.0.2.9"}}) {
    ApplicationSecurityGroupMember* member =
        nic.add_application_security_group_members();
    member->set_application_security_group_id(group);
    member->set_private_ip_address(address);
  }
  nsg::AddressContext context;
  ASSERT_TRUE(AddApplicationSecurityGroupMembers(nic, context).ok());
  ASSERT_EQ(context.application_security_groups.size(), 1u);
  EXPECT_EQ(context.application_security_groups
                .at(absl::AsciiStrToLower(AsgId("web")))
                .size(),
            2u);

  nic.mutable_application_security_group_members(0)->set_private_ip_address(
      "192.0.2.16/28");
  nsg::AddressContext other;
  EXPECT_THAT(AddApplicationSecurityGroupMembers(nic, other),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("\"192.0.2.16/28\" of a member of application "
                                 "security group")));
}

TEST(ImportNetworkInterface, RejectsApplicationSecurityGroupWithoutId) {
  EXPECT_THAT(
      ImportNetworkInterface(absl::StrCat(R"({"name": "vm1-nic", "properties": {
        "ipConfigurations": [{"name": "a", "properties": {
          "privateIPAddress": "192.0.2.4",
          "applicationSecurityGroups": [{"id": ")", AsgId("web"),
                                        R"("}, {"name": "x"}]}}]}})")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("properties.ipConfigurations[0].properties."
                         "applicationSecurityGroups[1].id: missing")));
  EXPECT_THAT(
      ImportNetworkInterface(R"({"name": "vm1-nic", "properties": {
        "ipConfigurations": [{"name": "a", "properties": {
          "privateIPAddress": "192.0.2.4",
          "applicationSecurityGroups": {"id": "/asg/web"}}}]}})"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("applicationSecurityGroups: invalid value")));
}

// ARM pages policy lists with nextLink. The VM's policy may be on a later
// page, so one page of a longer list is rejected.
TEST(ImportJitPolicies, RejectsPageOfPagedList) {
  const std::string policy = PolicyJson(R"([{"number": 22, "protocol": "TCP",
      "allowedSourceAddressPrefix": "*", "maxRequestAccessDuration": "PT3H"}])");
  EXPECT_THAT(
      ImportJitPolicies(absl::StrCat(
          R"({"value": [)", policy,
          R"(], "nextLink": "https://management.azure.com/p2"})")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("nextLink: the file is one page of a paged Azure "
                         "Resource Manager list, so the items on later pages "
                         "are missing; follow nextLink "
                         "(\"https://management.azure.com/p2\")")));
  absl::StatusOr<std::vector<JitPolicy>> last = ImportJitPolicies(
      absl::StrCat(R"({"value": [)", policy, R"(], "nextLink": null})"));
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(last->size(), 1u);
}

TEST(ImportJitPolicies, ReadsFlatAzShowOutput) {
  absl::StatusOr<std::vector<JitPolicy>> policies =
      ImportJitPolicies(absl::StrCat(R"({"name": "default", "kind": "Basic",
        "provisioningState": "Succeeded", "requests": [],
        "virtualMachines": [{"id": ")", kVmId, R"(", "ports": [
          {"number": 22, "protocol": "*", "allowedSourceAddressPrefix": "*",
           "maxRequestAccessDuration": "PT3H"}]}]})"));
  ASSERT_TRUE(policies.ok()) << policies.status();
  ASSERT_EQ(policies->size(), 1u);
  EXPECT_EQ((*policies)[0].virtual_machines(0).ports(0).number(), 22u);
}

TEST(ImportNetworkInterface, RejectsDocumentWithoutConfigurations) {
  EXPECT_THAT(ImportNetworkInterface(R"({"name": "x"})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("properties: missing")));
}

TEST(TargetForNic, UsesSubnetNsgWhenNicHasNone) {
  NetworkInterface nic;
  nic.set_name("vm1-nic");
  nic.set_virtual_machine_id(kVmId);
  nic.add_private_ip_addresses("192.0.2.4");
  absl::StatusOr<VmTarget> target = TargetForNic(nic, Nsg({}));
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->placement, Placement::kSubnet);
  EXPECT_EQ(target->private_address, "192.0.2.4");
}

TEST(TargetForNic, RejectsAnotherNsgThanTheNics) {
  NetworkInterface nic;
  nic.set_name("vm1-nic");
  nic.set_virtual_machine_id(kVmId);
  nic.add_private_ip_addresses("192.0.2.4");
  nic.set_network_security_group_id(
      "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/"
      "networkSecurityGroups/other");
  EXPECT_THAT(TargetForNic(nic, Nsg({})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("JIT rules go on the NIC's NSG")));
  nic.set_network_security_group_id(kNsgId);
  absl::StatusOr<VmTarget> target = TargetForNic(nic, Nsg({}));
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->placement, Placement::kNetworkInterface);
}

TEST(PlanDenyRule, TakesFloorWithoutCoveringRules) {
  nsg::NetworkSecurityGroup nsg =
      Nsg({Rule("allow-web", 300, nsg::ACCESS_ALLOW, "443")});
  absl::StatusOr<nsg::SecurityRule> deny =
      PlanDenyRule(nsg, BastionPolicy(), Target());
  ASSERT_TRUE(deny.ok()) << deny.status();
  EXPECT_EQ(deny->priority(), 1000);
  EXPECT_EQ(deny->access(), nsg::ACCESS_DENY);
  EXPECT_EQ(deny->destination_address_prefix(), "192.0.2.4");
  EXPECT_THAT(deny->destination_port_ranges(), ElementsAre("22", "3389"));
  EXPECT_THAT(deny->name(),
              MatchesRegex("SecurityCenter-JITRule_-?[0-9]+_[0-9A-F]{32}"));
}

TEST(PlanDenyRule, KeepsExistingCoveringRulesFirst) {
  nsg::NetworkSecurityGroup nsg =
      Nsg({Rule("allow-ssh-ops", 1200, nsg::ACCESS_ALLOW, "22"),
           Rule("allow-all-vnet", 1500, nsg::ACCESS_ALLOW, "*", "192.0.2.0/24"),
           Rule("allow-web", 3000, nsg::ACCESS_ALLOW, "443"),
           Rule("other-vm", 3500, nsg::ACCESS_ALLOW, "22", "192.0.2.128/25"),
           Rule("taken", 1501, nsg::ACCESS_DENY, "8080")});
  absl::StatusOr<nsg::SecurityRule> deny =
      PlanDenyRule(nsg, BastionPolicy(), Target());
  ASSERT_TRUE(deny.ok()) << deny.status();
  // 1500 is the last rule covering a policy port for 192.0.2.4; 1501 is
  // taken, so the deny rule lands on 1502.
  EXPECT_EQ(deny->priority(), 1502);
}

TEST(PlanDenyRule, IgnoresCoveringDenyRules) {
  // A catch-all deny at 4096 is common; placing the JIT rule after it would
  // leave no priority, and both deny the same flows anyway.
  nsg::NetworkSecurityGroup nsg =
      Nsg({Rule("allow-ssh-ops", 1200, nsg::ACCESS_ALLOW, "22"),
           Rule("deny-all", 4096, nsg::ACCESS_DENY, "*")});
  absl::StatusOr<nsg::SecurityRule> deny =
      PlanDenyRule(nsg, BastionPolicy(), Target());
  ASSERT_TRUE(deny.ok()) << deny.status();
  EXPECT_EQ(deny->priority(), 1201);

  absl::StatusOr<RequestDecision> decision = DecideRequest(
      BastionPolicy(), nsg, Target(),
      Request(22, "198.51.100.4", absl::Hours(1)), {});
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_TRUE(decision->granted);
}

TEST(PlanDenyRule, AllowRuleAtLastPriorityNamed) {
  nsg::NetworkSecurityGroup nsg =
      Nsg({Rule("allow-ssh-last", 4096, nsg::ACCESS_ALLOW, "22")});
  absl::StatusOr<nsg::SecurityRule> deny =
      PlanDenyRule(nsg, BastionPolicy(), Target());
  EXPECT_THAT(deny.status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("has an allow rule at priority 4096")));
  EXPECT_THAT(deny.status().message(), Not(HasSubstr("4097")));
}

TEST(PlanDenyRule, IsStableForTheSameInputs) {
  nsg::NetworkSecurityGroup nsg = Nsg({});
  absl::StatusOr<nsg::SecurityRule> first =
      PlanDenyRule(nsg, BastionPolicy(), Target());
  absl::StatusOr<nsg::SecurityRule> second =
      PlanDenyRule(nsg, BastionPolicy(), Target());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->name(), second->name());
  // Once on the NSG, the same rule is returned unchanged.
  nsg::NetworkSecurityGroup enabled = Nsg({*first});
  absl::StatusOr<nsg::SecurityRule> again =
      PlanDenyRule(enabled, BastionPolicy(), Target());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->priority(), first->priority());
}

TEST(DecideRequest, GrantsAllowRuleAheadOfDeny) {
  nsg::NetworkSecurityGroup nsg =
      Nsg({Rule("reserved", 100, nsg::ACCESS_ALLOW, "443")});
  absl::StatusOr<RequestDecision> decision = DecideRequest(
      BastionPolicy(), nsg, Target(),
      Request(22, "198.51.100.4", absl::Hours(1)), {});
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_TRUE(decision->granted);
  ASSERT_EQ(decision->grants.size(), 1u);
  const Grant& grant = decision->grants[0];
  EXPECT_EQ(grant.rule.priority(), 101);
  EXPECT_LT(grant.rule.priority(), decision->deny_rule->priority());
  EXPECT_EQ(grant.rule.access(), nsg::ACCESS_ALLOW);
  EXPECT_EQ(grant.rule.protocol(), nsg::PROTOCOL_TCP);
  EXPECT_EQ(grant.rule.source_address_prefix(), "198.51.100.4");
  EXPECT_EQ(grant.rule.destination_address_prefix(), "192.0.2.4");
  EXPECT_EQ(grant.rule.destination_port_range(), "22");
  EXPECT_EQ(grant.window.start, At("2026-03-02T09:00:00Z"));
  EXPECT_EQ(grant.window.end, At("2026-03-02T10:00:00Z"));
  EXPECT_THAT(grant.rule.name(),
              MatchesRegex("SecurityCenter-JITRule--?[0-9]+-[0-9A-F]{32}"));
}

TEST(DecideRequest, GrantTakesPolicyPortProtocol) {
  absl::StatusOr<RequestDecision> decision = DecideRequest(
      BastionPolicy(), Nsg({}), Target(),
      Request(3389, "203.0.113.7", absl::Minutes(30)), {});
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_TRUE(decision->granted);
  EXPECT_EQ(decision->grants[0].rule.protocol(), nsg::PROTOCOL_ANY);
}

TEST(DecideRequest, AcceptsSingleAddressInsideAllowedCidr) {
  // One public report says the service rejected this case; Portcullis
  // accepts it on purpose, because the address is inside what the policy
  // allows.
  absl::StatusOr<RequestDecision> decision = DecideRequest(
      BastionPolicy(), Nsg({}), Target(),
      Request(22, "198.51.100.63", absl::Hours(1)), {});
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_TRUE(decision->granted);
}

TEST(DecideRequest, AcceptsNarrowerCidrInsideAllowedCidr) {
  absl::StatusOr<RequestDecision> decision = DecideRequest(
      BastionPolicy(), Nsg({}), Target(),
      Request(22, "198.51.100.0/28", absl::Hours(1)), {});
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_TRUE(decision->granted);
  EXPECT_EQ(decision->grants[0].source, "198.51.100.0/28");
}

TEST(DecideRequest, UsesRequesterAddressWithoutSource) {
  AccessRequest request = Request(22, "", absl::Hours(1));
  request.requester_address = "198.51.100.9";
  absl::StatusOr<RequestDecision> decision =
      DecideRequest(BastionPolicy(), Nsg({}), Target(), request, {});
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_TRUE(decision->granted);
  EXPECT_EQ(decision->grants[0].source, "198.51.100.9");
}

struct RejectCase {
  std::string name;
  uint32_t port;
  std::string source;
  absl::Duration duration;
  std::vector<std::string> codes;
};

class DecideRequestRejects : public ::testing::TestWithParam<RejectCase> {};

TEST_P(DecideRequestRejects, WithReasons) {
  const RejectCase& param = GetParam();
  absl::StatusOr<RequestDecision> decision =
      DecideRequest(BastionPolicy(), Nsg({}), Target(),
                    Request(param.port, param.source, param.duration), {});
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_FALSE(decision->granted);
  EXPECT_TRUE(decision->grants.empty());
  EXPECT_EQ(Codes(*decision), param.codes);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DecideRequestRejects,
    ::testing::Values(
        RejectCase{"PortNotInPolicy", 5985, "198.51.100.4", absl::Hours(1),
                   {"PortNotInPolicy"}},
        RejectCase{"UnderFiveMinutes", 22, "198.51.100.4",
                   absl::Minutes(5) - absl::Seconds(1), {"DurationTooShort"}},
        RejectCase{"OverPortMaximum", 3389, "203.0.113.7",
                   absl::Hours(1) + absl::Seconds(1), {"DurationTooLong"}},
        RejectCase{"SourceOutsideAllowed", 22, "203.0.113.7", absl::Hours(1),
                   {"SourceNotAllowed"}},
        RejectCase{"WiderCidrThanAllowed", 22, "198.51.100.0/25",
                   absl::Hours(1), {"SourceNotAllowed"}},
        RejectCase{"SeveralProblems", 22, "203.0.113.7", absl::Hours(4),
                   {"DurationTooLong", "SourceNotAllowed"}}),
    [](const auto& info) { return info.param.name; });

// An IPv4-mapped source or allowed prefix is read as the IPv4 address or
// prefix it maps, as the NSG rules that JIT writes are read.
TEST(DecideRequest, MappedSourceIsItsIpv4Address) {
  absl::StatusOr<RequestDecision> mapped_request = DecideRequest(
      BastionPolicy(), Nsg({}), Target(),
      Request(22, "::ffff:198.51.100.4", absl::Hours(1)), {});
  ASSERT_TRUE(mapped_request.ok()) << mapped_request.status();
  EXPECT_TRUE(mapped_request->granted);

  JitPolicy mapped_policy = Policy(R"([{"number": 22, "protocol": "TCP",
      "allowedSourceAddressPrefix": "::ffff:198.51.100.0/122",
      "maxRequestAccessDuration": "PT3H"}])");
  for (const char* source : {"198.51.100.4", "::ffff:198.51.100.4"}) {
    SCOPED_TRACE(source);
    absl::StatusOr<RequestDecision> decision =
        DecideRequest(mapped_policy, Nsg({}), Target(),
                      Request(22, source, absl::Hours(1)), {});
    ASSERT_TRUE(decision.ok()) << decision.status();
    EXPECT_TRUE(decision->granted);
  }
  absl::StatusOr<RequestDecision> outside =
      DecideRequest(mapped_policy, Nsg({}), Target(),
                    Request(22, "198.51.100.64", absl::Hours(1)), {});
  ASSERT_TRUE(outside.ok()) << outside.status();
  EXPECT_THAT(Codes(*outside), ElementsAre("SourceNotAllowed"));
}

// An IPv6 prefix shorter than /96 contains no IPv4 source, also where it
// contains ::ffff:0:0/96, so it cannot admit an IPv4 host written in mapped
// form.
TEST(DecideRequest, Ipv6AllowedPrefixRejectsMappedSource) {
  JitPolicy v6_only = Policy(R"([{"number": 22, "protocol": "TCP",
      "allowedSourceAddressPrefix": "::/0",
      "maxRequestAccessDuration": "PT3H"}])");
  for (const char* source : {"198.51.100.4", "::ffff:198.51.100.4"}) {
    SCOPED_TRACE(source);
    absl::StatusOr<RequestDecision> decision =
        DecideRequest(v6_only, Nsg({}), Target(),
                      Request(22, source, absl::Hours(1)), {});
    ASSERT_TRUE(decision.ok()) << decision.status();
    EXPECT_THAT(Codes(*decision), ElementsAre("SourceNotAllowed"));
  }
  absl::StatusOr<RequestDecision> v6 =
      DecideRequest(v6_only, Nsg({}), Target(),
                    Request(22, "2001:db8::4", absl::Hours(1)), {});
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_TRUE(v6->granted);
}

TEST(DecideRequest, AcceptsExactDurationBounds) {
  for (absl::Duration duration : {absl::Minutes(5), absl::Hours(3)}) {
    absl::StatusOr<RequestDecision> decision =
        DecideRequest(BastionPolicy(), Nsg({}), Target(),
                      Request(22, "198.51.100.4", duration), {});
    ASSERT_TRUE(decision.ok()) << decision.status();
    EXPECT_TRUE(decision->granted) << duration;
  }
}

TEST(DecideRequest, NeverOverOneDay) {
  JitPolicy policy = Policy(R"([{"number": 22, "protocol": "TCP",
      "allowedSourceAddressPrefix": "*", "maxRequestAccessDuration": "P1D"}])");
  JitOptions options;
  options.max_duration = absl::Hours(12);
  absl::StatusOr<RequestDecision> decision =
      DecideRequest(policy, Nsg({}), Target(),
                    Request(22, "198.51.100.4", absl::Hours(13)), {}, options);
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_THAT(Codes(*decision), ElementsAre("DurationTooLong"));
}

TEST(DecideRequest, RejectsMalformedSource) {
  EXPECT_THAT(DecideRequest(BastionPolicy(), Nsg({}), Target(),
                            Request(22, "198.51.100.300", absl::Hours(1)), {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("\"198.51.100.300\"")));
}

TEST(DecideRequest, ConcurrentGrantsTakeDistinctPriorities) {
  absl::StatusOr<RequestDecision> first = DecideRequest(
      BastionPolicy(), Nsg({}), Target(),
      Request(22, "198.51.100.4", absl::Hours(1)), {});
  ASSERT_TRUE(first.ok() && first->granted);
  absl::StatusOr<RequestDecision> second = DecideRequest(
      BastionPolicy(), Nsg({}), Target(),
      Request(3389, "198.51.100.4", absl::Hours(1)), first->grants);
  ASSERT_TRUE(second.ok() && second->granted);
  EXPECT_EQ(first->grants[0].rule.priority(), 100);
  EXPECT_EQ(second->grants[0].rule.priority(), 101);
}

TEST(StateAt, WindowIsHalfOpen) {
  absl::StatusOr<RequestDecision> decision = DecideRequest(
      BastionPolicy(), Nsg({}), Target(),
      Request(22, "198.51.100.4", absl::Hours(1)), {});
  ASSERT_TRUE(decision.ok() && decision->granted);
  const std::vector<Grant>& grants = decision->grants;
  absl::Time start = At("2026-03-02T09:00:00Z");
  absl::Time end = At("2026-03-02T10:00:00Z");

  EXPECT_FALSE(StateAt(grants, 0, start - absl::Nanoseconds(1)).active);
  EXPECT_TRUE(StateAt(grants, 0, start).active);
  EXPECT_TRUE(StateAt(grants, 0, end - absl::Seconds(1)).active);
  EXPECT_TRUE(StateAt(grants, 0, end - absl::Nanoseconds(1)).active);
  GrantState after = StateAt(grants, 0, end);
  EXPECT_FALSE(after.active);
  EXPECT_EQ(after.status, "Revoked");
  EXPECT_EQ(after.status_reason, "Expired");
}

TEST(StateAt, NewerRequestSupersedesOlder) {
  absl::StatusOr<RequestDecision> first = DecideRequest(
      BastionPolicy(), Nsg({}), Target(),
      Request(22, "198.51.100.4", absl::Hours(2)), {});
  ASSERT_TRUE(first.ok() && first->granted);
  AccessRequest later = Request(22, "198.51.100.5", absl::Hours(1));
  later.start += absl::Minutes(30);
  later.end += absl::Minutes(30);
  absl::StatusOr<RequestDecision> second = DecideRequest(
      BastionPolicy(), Nsg({}), Target(), later, first->grants);
  ASSERT_TRUE(second.ok() && second->granted);

  std::vector<Grant> grants = {first->grants[0], second->grants[0]};
  absl::Time switch_time = later.start;
  EXPECT_TRUE(StateAt(grants, 0, switch_time - absl::Seconds(1)).active);
  GrantState old_state = StateAt(grants, 0, switch_time);
  EXPECT_FALSE(old_state.active);
  EXPECT_EQ(old_state.status_reason, "NewerRequestInitiated");
  EXPECT_TRUE(StateAt(grants, 1, switch_time).active);

  absl::StatusOr<net::IpAddress> old_source =
      net::IpAddress::Parse("198.51.100.4");
  ASSERT_TRUE(old_source.ok());
  OpenState open = PortOpenState(grants, kVmId, 22, *old_source,
                                 switch_time - absl::Minutes(1));
  EXPECT_TRUE(open.open);
  ASSERT_TRUE(open.closes_at.has_value());
  EXPECT_EQ(*open.closes_at, switch_time);
}

TEST(PortOpenState, ReportsWhenPortCloses) {
  absl::StatusOr<RequestDecision> decision = DecideRequest(
      BastionPolicy(), Nsg({}), Target(),
      Request(22, "198.51.100.0/28", absl::Hours(1)), {});
  ASSERT_TRUE(decision.ok() && decision->granted);
  absl::StatusOr<net::IpAddress> inside = net::IpAddress::Parse("198.51.100.9");
  absl::StatusOr<net::IpAddress> outside =
      net::IpAddress::Parse("198.51.100.20");
  ASSERT_TRUE(inside.ok() && outside.ok());
  absl::Time now = At("2026-03-02T09:10:00Z");

  OpenState open = PortOpenState(decision->grants, kVmId, 22, *inside, now);
  EXPECT_TRUE(open.open);
  ASSERT_TRUE(open.closes_at.has_value());
  EXPECT_EQ(*open.closes_at, At("2026-03-02T10:00:00Z"));

  EXPECT_FALSE(PortOpenState(decision->grants, kVmId, 22, *outside, now).open);
  EXPECT_FALSE(PortOpenState(decision->grants, kVmId, 3389, *inside, now).open);
  OpenState before = PortOpenState(decision->grants, kVmId, 22, *inside,
                                   At("2026-03-02T08:00:00Z"));
  EXPECT_FALSE(before.open);
  ASSERT_FALSE(before.windows.empty());
  EXPECT_EQ(before.windows.windows()[0].start, At("2026-03-02T09:00:00Z"));
}

TEST(PortOpenState, MappedFormsMatchTheirIpv4Address) {
  absl::Time now = At("2026-03-02T09:10:00Z");
  net::IpAddress v4 = *net::IpAddress::Parse("198.51.100.4");
  net::IpAddress mapped = *net::IpAddress::Parse("::ffff:198.51.100.4");
  for (const char* source : {"198.51.100.4", "::ffff:198.51.100.4"}) {
    SCOPED_TRACE(source);
    absl::StatusOr<RequestDecision> decision = DecideRequest(
        BastionPolicy(), Nsg({}), Target(),
        Request(22, source, absl::Hours(1)), {});
    ASSERT_TRUE(decision.ok());
    ASSERT_TRUE(decision->granted);
    EXPECT_TRUE(PortOpenState(decision->grants, kVmId, 22, v4, now).open);
    EXPECT_TRUE(PortOpenState(decision->grants, kVmId, 22, mapped, now).open);
  }
}

TEST(WithJitRules, RedeployedBaseKeepsActiveGrants) {
  absl::StatusOr<RequestDecision> decision = DecideRequest(
      BastionPolicy(), Nsg({}), Target(),
      Request(22, "198.51.100.4", absl::Hours(1)), {});
  ASSERT_TRUE(decision.ok() && decision->granted);

  // The base NSG is redeployed from a template with a new rule; the grant
  // lives beside it and still applies.
  nsg::NetworkSecurityGroup redeployed =
      Nsg({Rule("allow-web", 300, nsg::ACCESS_ALLOW, "443")});
  absl::StatusOr<nsg::NetworkSecurityGroup> merged =
      WithJitRules(redeployed, BastionPolicy(), Target(), decision->grants,
                   At("2026-03-02T09:30:00Z"));
  ASSERT_TRUE(merged.ok()) << merged.status();
  std::vector<std::string> names;
  for (const nsg::SecurityRule& rule : merged->security_rules()) {
    names.push_back(rule.name());
  }
  EXPECT_THAT(names, ElementsAre("allow-web", decision->deny_rule->name(),
                                 decision->grants[0].rule.name()));

  absl::StatusOr<nsg::NetworkSecurityGroup> later =
      WithJitRules(redeployed, BastionPolicy(), Target(), decision->grants,
                   At("2026-03-02T10:00:00Z"));
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->security_rules_size(), 2);
}

TEST(GrantsFromHistory, RevokedPortOpensNothing) {
  JitPolicy policy = BastionPolicy();
  absl::StatusOr<JitRequest> active = ImportJitRequest(absl::StrCat(R"({
    "virtualMachines": [{"id": ")", kVmId, R"(",
      "ports": [{"number": 22, "endTimeUtc": "2026-03-02T10:00:00Z",
                 "allowedSourceAddressPrefix": "198.51.100.4",
                 "status": "Initiated", "statusReason": "UserRequested"},
                {"number": 3389, "endTimeUtc": "2026-03-02T10:00:00Z",
                 "allowedSourceAddressPrefix": "198.51.100.4",
                 "status": "Revoked", "statusReason": "UserRequested"}]}],
    "startTimeUtc": "2026-03-02T09:00:00Z"})"));
  ASSERT_TRUE(active.ok()) << active.status();
  *policy.add_requests() = *active;

  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg({}), Target());
  ASSERT_TRUE(grants.ok()) << grants.status();
  ASSERT_EQ(grants->size(), 2u);
  EXPECT_EQ((*grants)[0].port, 22u);
  EXPECT_EQ((*grants)[0].protocol, JIT_PROTOCOL_TCP);
  EXPECT_EQ((*grants)[0].window.end, At("2026-03-02T10:00:00Z"));
  EXPECT_THAT((*grants)[0].rejections, IsEmpty());
  EXPECT_EQ((*grants)[1].port, 3389u);
  ASSERT_EQ((*grants)[1].rejections.size(), 1u);
  EXPECT_EQ((*grants)[1].rejections[0].code, "StatusRevoked");
  EXPECT_FALSE(StateAt(*grants, 1, At("2026-03-02T09:30:00Z")).active);
}

TEST(ImportJitRequest, RejectsUnknownPortStatus) {
  // A status outside the documented ones could be a revocation spelled
  // another way, so it is an error and never a live grant.
  for (const char* status : {"Cancelled", "Revoked ", "", "Expired"}) {
    absl::StatusOr<JitRequest> request = ImportJitRequest(absl::StrCat(R"({
      "virtualMachines": [{"id": ")", kVmId, R"(",
        "ports": [{"number": 22, "endTimeUtc": "2026-03-02T10:00:00Z",
                   "status": ")", status, R"("}]}]})"));
    if (std::string(status).empty()) {
      EXPECT_TRUE(request.ok()) << request.status();
      continue;
    }
    EXPECT_THAT(request,
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(absl::StrCat(
                             "virtualMachines[0].ports[0].status: invalid "
                             "value \"", status, "\""))))
        << status;
  }
  for (const char* status : {"Initiated", "initiating", "REVOKED"}) {
    absl::StatusOr<JitRequest> request = ImportJitRequest(absl::StrCat(R"({
      "virtualMachines": [{"id": ")", kVmId, R"(",
        "ports": [{"number": 22, "endTimeUtc": "2026-03-02T10:00:00Z",
                   "status": ")", status, R"("}]}]})"));
    EXPECT_TRUE(request.ok()) << status << ": " << request.status();
  }
}

TEST(GrantsFromHistory, RejectsRecordedPortWithoutStatus) {
  JitPolicy policy = BastionPolicy();
  absl::StatusOr<JitRequest> recorded = ImportJitRequest(absl::StrCat(R"({
    "virtualMachines": [{"id": ")", kVmId, R"(",
      "ports": [{"number": 22, "endTimeUtc": "2026-03-02T10:00:00Z",
                 "allowedSourceAddressPrefix": "198.51.100.4"}]}],
    "startTimeUtc": "2026-03-02T09:00:00Z"})"));
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  *policy.add_requests() = *recorded;

  EXPECT_THAT(GrantsFromHistory(policy, Nsg({}), Target()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("ports[0].status: missing")));
}

TEST(RealData, EveryJitFileImports) {
  std::optional<std::string> shared = portcullis::testing::SharedDir();
  if (!shared) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  std::string dir = *shared + "/realdata/jit";
  std::vector<std::string> files =
      portcullis::testing::ListFiles(dir, ".json");
  ASSERT_FALSE(files.empty());
  for (const std::string& file : files) {
    absl::StatusOr<std::string> bytes =
        portcullis::testing::ReadFileToString(dir + "/" + file);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    if (file.find("Initiate") != std::string::npos) {
      absl::StatusOr<JitRequest> request = ImportJitRequest(*bytes);
      ASSERT_TRUE(request.ok()) << file << ": " << request.status();
      EXPECT_EQ(request->virtual_machines(0).ports(0).number(), 3389u) << file;
      EXPECT_EQ(request->justification(),
                "testing a new version of the product");
      continue;
    }
    absl::StatusOr<std::vector<JitPolicy>> policies = ImportJitPolicies(*bytes);
    ASSERT_TRUE(policies.ok()) << file << ": " << policies.status();
    ASSERT_FALSE(policies->empty()) << file;
    EXPECT_FALSE((*policies)[0].virtual_machines().empty()) << file;
  }
}

TEST(RealData, PowershellResponseKeepsUpdatingState) {
  std::optional<std::string> shared = portcullis::testing::SharedDir();
  if (!shared) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  absl::StatusOr<std::string> bytes = portcullis::testing::ReadFileToString(
      *shared +
      "/realdata/jit/azure-powershell-StartResourceGroupLevelResource.put-"
      "response.json");
  ASSERT_TRUE(bytes.ok());
  absl::StatusOr<std::vector<JitPolicy>> policies = ImportJitPolicies(*bytes);
  ASSERT_TRUE(policies.ok()) << policies.status();
  const JitPolicy& policy = (*policies)[0];
  EXPECT_EQ(policy.provisioning_state(), "Updating");
  EXPECT_EQ(policy.location(), "centralus");
  const JitPolicyPort& port = policy.virtual_machines(0).ports(0);
  EXPECT_EQ(port.number(), 22u);
  EXPECT_EQ(port.protocol(), JIT_PROTOCOL_TCP);
  EXPECT_EQ(port.allowed_source_address_prefix(), "127.0.0.1");
}

TEST(RealData, RestExampleHistoryGivesGrant) {
  std::optional<std::string> shared = portcullis::testing::SharedDir();
  if (!shared) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  absl::StatusOr<std::string> bytes = portcullis::testing::ReadFileToString(
      *shared +
      "/realdata/jit/specs-2020-01-01-GetJitNetworkAccessPolicy_example.json");
  ASSERT_TRUE(bytes.ok());
  absl::StatusOr<std::vector<JitPolicy>> policies = ImportJitPolicies(*bytes);
  ASSERT_TRUE(policies.ok()) << policies.status();
  const JitPolicy& policy = (*policies)[0];
  ASSERT_EQ(policy.requests_size(), 1);

  VmTarget target;
  target.vm_id = policy.virtual_machines(0).id();
  target.private_address = "10.0.0.4";
  absl::StatusOr<std::vector<Grant>> grants =
      GrantsFromHistory(policy, Nsg({}), target);
  ASSERT_TRUE(grants.ok()) << grants.status();
  ASSERT_EQ(grants->size(), 1u);
  EXPECT_EQ((*grants)[0].port, 3389u);
  EXPECT_EQ((*grants)[0].source, "192.127.0.2");
  EXPECT_EQ((*grants)[0].window.end, At("2018-05-17T09:06:45.5691611Z"));
}

TEST(RealData, NicExampleGivesTarget) {
  std::optional<std::string> shared = portcullis::testing::SharedDir();
  if (!shared) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
  absl::StatusOr<std::string> bytes = portcullis::testing::ReadFileToString(
      *shared +
      "/realdata/rbac/rest-examples/"
      "network-2024-05-01.NetworkInterfaceGet.json");
  ASSERT_TRUE(bytes.ok());
  absl::StatusOr<NetworkInterface> nic = ImportNetworkInterface(*bytes);
  ASSERT_TRUE(nic.ok()) << nic.status();
  EXPECT_EQ(nic->private_ip_addresses(0), "172.20.2.4");
  EXPECT_EQ(nic->virtual_machine_id(),
            "/subscriptions/subid/resourceGroups/rg1/providers/"
            "Microsoft.Compute/virtualMachines/vm1");
  EXPECT_EQ(nic->network_security_group_id(),
            "/subscriptions/subid/resourceGroups/rg1/providers/"
            "Microsoft.Network/networkSecurityGroups/nsg");
}

}  // namespace
}  // namespace portcullis::jit
