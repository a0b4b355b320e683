#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "json/json.h"
#include "nsg/arm_template.h"
#include "nsg/import.h"
#include "proto/nsg.pb.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::nsg {
namespace {

using ::portcullis::testing::IsOk;
using ::portcullis::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kTemplate[] = R"({
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "prefix": {"type": "string", "defaultValue": "web"},
    "count": {"type": "int", "defaultValue": 3},
    "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
    "noDefault": {"type": "string"},
    "settings": {"type": "object", "defaultValue": {"name": "x", "list": [1, 2]}}
  },
  "variables": {
    "nsgName": "[concat(parameters('prefix'), '-nsg')]",
    "chain": "[variables('nsgName')]",
    "selfRef": "[variables('selfRef')]",
    "ports": ["22", "3389"]
  },
  "resources": []
})";

std::string Compact(const google::protobuf::Value& value) {
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(value, &out).ok());
  return out;
}

struct ExpressionCase {
  std::string name;
  std::string text;
  // Compact JSON of the value, or empty when an error is expected.
  std::string value;
  std::string error_part;
};

class ExpressionTest : public ::testing::TestWithParam<ExpressionCase> {};

TEST_P(ExpressionTest, Evaluates) {
  absl::StatusOr<google::protobuf::Value> root = json::ParseJson(kTemplate);
  ASSERT_THAT(root, IsOk());
  ASSERT_OK_AND_ASSIGN(
      TemplateEvaluator evaluator,
      TemplateEvaluator::Create(root->struct_value(), nullptr, {}));

  absl::StatusOr<google::protobuf::Value> value =
      evaluator.EvaluateString(GetParam().text);

  if (GetParam().value.empty()) {
    EXPECT_THAT(value.status().message(), HasSubstr(GetParam().error_part));
    EXPECT_FALSE(value.ok());
  } else {
    ASSERT_THAT(value, IsOk());
    EXPECT_EQ(Compact(*value), GetParam().value);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Expressions, ExpressionTest,
    ::testing::ValuesIn(std::vector<ExpressionCase>{
        {"PlainText", "plain", "\"plain\"", ""},
        {"EscapedBracket", "[[not an expression]", "\"[not an expression]\"",
         ""},
        {"Parameter", "[parameters('prefix')]", "\"web\"", ""},
        {"ParameterNameIgnoresCase", "[parameters('PREFIX')]", "\"web\"", ""},
        {"IntParameter", "[parameters('count')]", "3", ""},
        {"Variable", "[variables('nsgName')]", "\"web-nsg\"", ""},
        {"VariableChain", "[variables('chain')]", "\"web-nsg\"", ""},
        {"Concat", "[concat('a', 'b', 'c')]", "\"abc\"", ""},
        {"ConcatNumber", "[concat('rule', 7)]", "\"rule7\"", ""},
        {"ConcatArrays", "[concat(variables('ports'), createArray('443'))]",
         "[\"22\",\"3389\",\"443\"]", ""},
        {"QuoteEscape", "[concat('it''s', ' ok')]", "\"it's ok\"", ""},
        {"Spaces", "[ concat( 'a' , 'b' ) ]", "\"ab\"", ""},
        {"Format", "[format('{0}-{1}-{{x}}', 'a', 3)]", "\"a-3-{x}\"", ""},
        {"ResourceId",
         "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg1')]",
         "\"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
         "/providers/Microsoft.Network/networkSecurityGroups/nsg1\"",
         ""},
        {"ResourceIdTrailingSlash",
         "[resourceId('Microsoft.Network/networkSecurityGroups/', "
         "variables('nsgName'))]",
         "\"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
         "/providers/Microsoft.Network/networkSecurityGroups/web-nsg\"",
         ""},
        {"ResourceIdChildWithGroup",
         "[resourceId('rg2', 'Microsoft.Network/virtualNetworks/subnets', "
         "'vnet1', 'default')]",
         "\"/subscriptions/{subscriptionId}/resourceGroups/rg2/providers/"
         "Microsoft.Network/virtualNetworks/vnet1/subnets/default\"",
         ""},
        {"ResourceIdWithSubscription",
         "[resourceId('sub9', 'rg9', "
         "'Microsoft.Network/applicationSecurityGroups', 'asg1')]",
         "\"/subscriptions/sub9/resourceGroups/rg9/providers/"
         "Microsoft.Network/applicationSecurityGroups/asg1\"",
         ""},
        {"ToUpper", "[toUpper(parameters('prefix'))]", "\"WEB\"", ""},
        {"PropertyAndIndex", "[parameters('settings').list[1]]", "2", ""},
        {"VariableIndex", "[variables('ports')[0]]", "\"22\"", ""},
        {"IfEquals", "[if(equals(parameters('prefix'), 'web'), 'yes', 'no')]",
         "\"yes\"", ""},
        {"StringOfInt", "[string(parameters('count'))]", "\"3\"", ""},
        {"IntOfString", "[int('42')]", "42", ""},
        {"Length", "[length(variables('ports'))]", "2", ""},
        {"Replace", "[replace('a-b-c', '-', '.')]", "\"a.b.c\"", ""},
        {"AndOrNot", "[and(true(), or(false(), not(false())))]", "true", ""},
        {"NoValue", "[parameters('noDefault')]", "",
         "the value of template parameter \"noDefault\" is not provided"},
        {"Undeclared", "[parameters('missing')]", "", "is not declared"},
        {"SelfReference", "[variables('selfRef')]", "", "refers to itself"},
        {"NeedsDeployment", "[resourceGroup().location]", "",
         "resourceGroup() needs a live deployment"},
        {"DefaultNeedsDeployment", "[parameters('location')]", "",
         "default value of template parameter \"location\""},
        {"UniqueString", "[uniqueString('a')]", "", "needs a live deployment"},
        {"UnknownFunction", "[bogus(1)]", "", "\"bogus()\" is not supported"},
        {"Unterminated", "[concat('a']", "", "expected ',' or ')'"},
        {"NoClosingBracketIsText", "[concat('a'", "\"[concat('a'\"", ""},
        {"UnterminatedString", "[concat('a)]", "",
         "unterminated string literal"},
        {"TrailingText", "[parameters('prefix') x]", "",
         "unexpected text after the expression"},
        {"ResourceIdMissingName",
         "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet1')]",
         "", "needs 2 resource names, got 1"},
        {"FormatIndexOutOfRange", "[format('{1}', 'a')]", "",
         "invalid format item"},
        {"IndexOutOfRange", "[variables('ports')[5]]", "",
         "index 5 outside an array of 2 items"},
        {"MissingProperty", "[parameters('settings').nope]", "",
         "no property \"nope\""},
    }),
    [](const ::testing::TestParamInfo<ExpressionCase>& info) {
      return info.param.name;
    });

TEST(TemplateEvaluatorTest, DeploymentScopeFillsIds) {
  absl::StatusOr<google::protobuf::Value> root = json::ParseJson(kTemplate);
  ASSERT_THAT(root, IsOk());
  ASSERT_OK_AND_ASSIGN(TemplateEvaluator evaluator,
                       TemplateEvaluator::Create(root->struct_value(), nullptr,
                                                 {"sub1", "rg1"}));

  ASSERT_OK_AND_ASSIGN(
      google::protobuf::Value id,
      evaluator.EvaluateString(
          "[resourceId('Microsoft.Network/networkSecurityGroups', 'n')]"));
  EXPECT_EQ(id.string_value(),
            "/subscriptions/sub1/resourceGroups/rg1/providers/"
            "Microsoft.Network/networkSecurityGroups/n");
  ASSERT_OK_AND_ASSIGN(google::protobuf::Value group,
                       evaluator.EvaluateString("[resourceGroup().name]"));
  EXPECT_EQ(group.string_value(), "rg1");
  EXPECT_THAT(evaluator.EvaluateString("[resourceGroup().location]"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no property \"location\"")));
}

TEST(TemplateEvaluatorTest, DeepNestingIsBounded) {
  absl::StatusOr<google::protobuf::Value> root = json::ParseJson(kTemplate);
  ASSERT_THAT(root, IsOk());
  ASSERT_OK_AND_ASSIGN(
      TemplateEvaluator evaluator,
      TemplateEvaluator::Create(root->struct_value(), nullptr, {}));
  std::string text = "[";
  for (int i = 0; i < 200; ++i) text += "concat(";
  text += "'a'";
  for (int i = 0; i < 200; ++i) text += ")";
  text += "]";

  EXPECT_THAT(evaluator.EvaluateString(text),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("nested more than")));
}

TEST(TemplateEvaluatorTest, ResultSizeIsBounded) {
  // Each variable doubles the previous one: 2^21 bytes in the last.
  std::string variables = R"("v0": "[concat('0123456789abcdef', '')]")";
  for (int i = 1; i <= 17; ++i) {
    absl::StrAppend(&variables, ", \"v", i, "\": \"[concat(variables('v",
                    i - 1, "'), variables('v", i - 1, "'))]\"");
  }
  absl::StatusOr<google::protobuf::Value> root = json::ParseJson(
      absl::StrCat(R"({"variables": {)", variables, "}}"));
  ASSERT_THAT(root, IsOk());
  ASSERT_OK_AND_ASSIGN(
      TemplateEvaluator evaluator,
      TemplateEvaluator::Create(root->struct_value(), nullptr, {}));

  EXPECT_THAT(evaluator.EvaluateString("[variables('v16')]"), IsOk());
  EXPECT_THAT(evaluator.EvaluateString("[variables('v17')]"),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("too large")));
}

TEST(TemplateEvaluatorTest, ParametersFileShapes) {
  absl::StatusOr<google::protobuf::Value> root = json::ParseJson(kTemplate);
  ASSERT_THAT(root, IsOk());
  for (absl::string_view file :
       {R"({"parameters": {"noDefault": {"value": "given"}}})",
        R"({"noDefault": {"value": "given"}})"}) {
    SCOPED_TRACE(file);
    absl::StatusOr<google::protobuf::Value> values = json::ParseJson(file);
    ASSERT_THAT(values, IsOk());
    ASSERT_OK_AND_ASSIGN(
        TemplateEvaluator evaluator,
        TemplateEvaluator::Create(root->struct_value(), &*values, {}));
    ASSERT_OK_AND_ASSIGN(google::protobuf::Value value,
                         evaluator.EvaluateString("[parameters('noDefault')]"));
    EXPECT_EQ(value.string_value(), "given");
  }

  absl::StatusOr<google::protobuf::Value> reference = json::ParseJson(
      R"({"parameters": {"noDefault": {"reference": {"keyVault": {}}}}})");
  ASSERT_THAT(reference, IsOk());
  EXPECT_THAT(TemplateEvaluator::Create(root->struct_value(), &*reference, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Key Vault references are not supported")));
}

// ---- Templates through the importer ----------------------------------------

std::string TemplateWith(absl::string_view parameters,
                         absl::string_view variables,
                         absl::string_view resources) {
  return absl::StrCat(
      R"({"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "contentVersion": "1.0.0.0", "parameters": {)",
      parameters, R"(}, "variables": {)", variables, R"(}, "resources": )",
      resources, "}");
}

constexpr char kRuleBody[] = R"("protocol": "Tcp", "sourcePortRange": "*",
    "destinationPortRange": "443", "sourceAddressPrefix": "*",
    "destinationAddressPrefix": "*", "access": "Allow", "direction": "Inbound")";

TEST(ImportTemplateTest, EvaluatesRuleFields) {
  std::string text = TemplateWith(
      R"("officePrefix": {"type": "string", "defaultValue": "203.0.113.0/24"},
         "priority": {"type": "int", "defaultValue": 310},
         "flush": {"type": "bool", "defaultValue": true})",
      R"("nsgName": "[concat('app', '-nsg')]", "ports": ["22", "3389"],
         "asg": "[resourceId('Microsoft.Network/applicationSecurityGroups', 'app-vms')]")",
      R"([{"type": "Microsoft.Network/networkSecurityGroups",
           "apiVersion": "2023-09-01", "name": "[variables('nsgName')]",
           "location": "[resourceGroup().location]",
           "tags": {"env": "[parameters('officePrefix')]"},
           "properties": {"flushConnection": "[parameters('flush')]",
             "securityRules": [{"name": "[concat('allow-', 'admin')]",
               "properties": {"protocol": "TCP",
                 "priority": "[parameters('priority')]",
                 "direction": "Inbound", "access": "Allow",
                 "sourceAddressPrefix": "[parameters('officePrefix')]",
                 "sourcePortRange": "*",
                 "destinationPortRanges": "[variables('ports')]",
                 "destinationApplicationSecurityGroups": [
                   {"id": "[variables('asg')]"}],
                 "description": "[reference('x').note]"}}]}}])");

  ASSERT_OK_AND_ASSIGN(ImportResult result, ImportNsgs(text));

  ASSERT_TRUE(result.ok()) << result.ToStatus();
  ASSERT_EQ(result.nsgs.size(), 1u);
  const NetworkSecurityGroup& nsg = result.nsgs[0];
  EXPECT_EQ(nsg.name(), "app-nsg");
  EXPECT_EQ(nsg.location(), "[resourceGroup().location]");
  EXPECT_EQ(nsg.tags_json(), R"({"env":"[parameters('officePrefix')]"})");
  EXPECT_TRUE(nsg.flush_connection());
  const SecurityRule& rule = nsg.security_rules(0);
  EXPECT_EQ(rule.name(), "allow-admin");
  EXPECT_EQ(rule.priority(), 310);
  EXPECT_EQ(rule.source_address_prefix(), "203.0.113.0/24");
  EXPECT_THAT(rule.destination_port_ranges(), ElementsAre("22", "3389"));
  EXPECT_THAT(rule.destination_application_security_groups(),
              ElementsAre("/subscriptions/{subscriptionId}/resourceGroups/"
                          "{resourceGroupName}/providers/Microsoft.Network/"
                          "applicationSecurityGroups/app-vms"));
  // The description is not needed to evaluate, so it stays text.
  EXPECT_EQ(rule.description(), "[reference('x').note]");
}

TEST(ImportTemplateTest, UnresolvableNeededFieldIsProblemWithPath) {
  std::string text = TemplateWith(
      R"("officePrefix": {"type": "string"})", "",
      absl::StrCat(R"([{"type": "Microsoft.Network/networkSecurityGroups",
           "name": "nsg1", "properties": {"securityRules": [
             {"name": "r1", "properties": {"protocol": "Tcp",
               "priority": 100, "direction": "Inbound", "access": "Allow",
               "sourcePortRange": "*", "destinationPortRange": "22",
               "destinationAddressPrefix": "*",
               "sourceAddressPrefix": "[parameters('officePrefix')]"}}]}}])"));

  ASSERT_OK_AND_ASSIGN(ImportResult result, ImportNsgs(text));

  EXPECT_FALSE(result.ok());
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].path,
            "resources[0].properties.securityRules[0].properties."
            "sourceAddressPrefix");
  EXPECT_EQ(result.problems[0].azure_error, "InvalidTemplate");
  EXPECT_THAT(result.problems[0].message,
              HasSubstr("the value of template parameter \"officePrefix\" is "
                        "not provided"));
  EXPECT_THAT(ImportValidNsg(text),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sourceAddressPrefix: cannot evaluate")));
}

TEST(ImportTemplateTest, ParameterOutsideAllowedValuesIsProblem) {
  // Azure refuses such a deployment, so the rule must never evaluate.
  std::string text = TemplateWith(
      R"("access": {"type": "string", "defaultValue": "Allow",
                    "allowedValues": ["Deny"]})",
      "",
      R"([{"type": "Microsoft.Network/networkSecurityGroups",
           "name": "nsg1", "properties": {"securityRules": [
             {"name": "r1", "properties": {"protocol": "Tcp",
               "priority": 100, "direction": "Inbound",
               "access": "[parameters('access')]",
               "sourcePortRange": "*", "destinationPortRange": "22",
               "sourceAddressPrefix": "*",
               "destinationAddressPrefix": "*"}}]}}])");

  ASSERT_OK_AND_ASSIGN(ImportResult result, ImportNsgs(text));

  EXPECT_FALSE(result.ok());
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].path,
            "resources[0].properties.securityRules[0].properties.access");
  EXPECT_THAT(result.problems[0].message,
              HasSubstr("template parameter \"access\": invalid value "
                        "\"Allow\"; expected one of its allowedValues "
                        "[\"Deny\"]"));

  absl::StatusOr<google::protobuf::Value> root = json::ParseJson(text);
  ASSERT_THAT(root, IsOk());
  for (absl::string_view file :
       {R"({"parameters": {"access": {"value": "deny"}}})",
        R"({"parameters": {"access": {"value": "Allow"}}})"}) {
    SCOPED_TRACE(file);
    absl::StatusOr<google::protobuf::Value> values = json::ParseJson(file);
    ASSERT_THAT(values, IsOk());
    ASSERT_OK_AND_ASSIGN(
        TemplateEvaluator evaluator,
        TemplateEvaluator::Create(root->struct_value(), &*values, {}));
    absl::StatusOr<google::protobuf::Value> value =
        evaluator.EvaluateString("[parameters('access')]");
    if (absl::StrContains(file, "deny")) {
      ASSERT_THAT(value, IsOk());
      EXPECT_EQ(value->string_value(), "deny");
    } else {
      EXPECT_THAT(value, StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("allowedValues")));
    }
  }
}

TEST(ImportTemplateTest, SeveralNsgsChosenByName) {
  std::string text = TemplateWith(
      "", R"("front": "front-nsg")",
      absl::StrCat(
          R"([{"type": "Microsoft.Network/virtualNetworks", "name": "vnet1"},
              {"type": "Microsoft.Network/networkSecurityGroups",
               "name": "[variables('front')]", "properties": {"securityRules": [
                 {"name": "front-https", "properties": {"priority": 100, )",
          kRuleBody, R"(}}]}},
              {"type": "Microsoft.Network/networkSecurityGroups",
               "name": "back-nsg", "properties": {"securityRules": [
                 {"name": "back-https", "properties": {"priority": 100, )",
          kRuleBody, "}}]}}]"));

  ASSERT_OK_AND_ASSIGN(ImportResult all, ImportNsgs(text));
  ASSERT_EQ(all.nsgs.size(), 2u);
  EXPECT_EQ(all.nsgs[0].name(), "front-nsg");
  EXPECT_EQ(all.nsgs[1].name(), "back-nsg");

  ImportOptions options;
  options.nsg_name = "back-nsg";
  ASSERT_OK_AND_ASSIGN(NetworkSecurityGroup back, ImportValidNsg(text, options));
  EXPECT_EQ(back.security_rules(0).name(), "back-https");
  EXPECT_EQ(back.json_path(), "resources[2]");
}

TEST(ImportTemplateTest, ChildRuleResources) {
  std::string text = TemplateWith(
      "", R"("nsgName": "nsg1")",
      absl::StrCat(
          R"([{"type": "Microsoft.Network/networkSecurityGroups",
               "name": "[variables('nsgName')]", "properties": {},
               "resources": [{"type": "securityRules", "name": "nested",
                 "dependsOn": ["[variables('nsgName')]"],
                 "properties": {"priority": 110, )",
          kRuleBody, R"(}}]},
              {"type": "Microsoft.Network/networkSecurityGroups/securityRules",
               "name": "[concat(variables('nsgName'), '/top')]",
               "properties": {"priority": 120, )",
          kRuleBody, R"(}},
              {"type": "Microsoft.Network/networkSecurityGroups/securityRules",
               "name": "existing-nsg/added",
               "properties": {"priority": 130, )",
          kRuleBody, "}}]"));

  ASSERT_OK_AND_ASSIGN(ImportResult result, ImportNsgs(text));

  ASSERT_TRUE(result.ok()) << result.ToStatus();
  ASSERT_EQ(result.nsgs.size(), 2u);
  EXPECT_EQ(result.nsgs[0].name(), "nsg1");
  ASSERT_EQ(result.nsgs[0].security_rules_size(), 2);
  EXPECT_EQ(result.nsgs[0].security_rules(0).name(), "nested");
  EXPECT_EQ(result.nsgs[0].security_rules(0).origin().properties_path(),
            "resources[0].resources[0].properties");
  EXPECT_EQ(result.nsgs[0].security_rules(1).name(), "top");
  EXPECT_EQ(result.nsgs[1].name(), "existing-nsg");
  EXPECT_EQ(result.nsgs[1].security_rules(0).name(), "added");
}

TEST(ImportTemplateTest, ConditionAndCopy) {
  std::string text = TemplateWith(
      R"("deployOld": {"type": "bool", "defaultValue": false},
         "unknown": {"type": "bool"})",
      "",
      R"([{"type": "Microsoft.Network/networkSecurityGroups", "name": "old",
           "condition": "[parameters('deployOld')]", "properties": {}},
          {"type": "Microsoft.Network/networkSecurityGroups", "name": "maybe",
           "condition": "[parameters('unknown')]", "properties": {}},
          {"type": "Microsoft.Network/networkSecurityGroups", "name": "many",
           "copy": {"name": "nsgLoop", "count": 3}, "properties": {}}])");

  ASSERT_OK_AND_ASSIGN(ImportResult result, ImportNsgs(text));

  ASSERT_EQ(result.nsgs.size(), 1u);
  EXPECT_EQ(result.nsgs[0].name(), "maybe");
  ASSERT_EQ(result.problems.size(), 2u);
  EXPECT_EQ(result.problems[0].path, "resources[1].condition");
  EXPECT_EQ(result.problems[0].azure_error, "InvalidTemplate");
  EXPECT_EQ(result.problems[1].path, "resources[2].copy");
  EXPECT_THAT(result.problems[1].message,
              HasSubstr("copy loops are not supported"));
}

TEST(ImportTemplateTest, PropertyCopyLoopIsProblem) {
  std::string text = TemplateWith(
      "", "",
      R"([{"type": "Microsoft.Network/networkSecurityGroups", "name": "n",
           "properties": {"copy": [{"name": "securityRules", "count": 2,
             "input": {"name": "[concat('rule', copyIndex('securityRules'))]"}}]}}])");

  ASSERT_OK_AND_ASSIGN(ImportResult result, ImportNsgs(text));

  EXPECT_FALSE(result.ok());
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].path, "resources[0].properties.copy");
  EXPECT_THAT(result.problems[0].message,
              HasSubstr("property copy loops are not supported"));
  EXPECT_THAT(result.problems[0].ToString(),
              ::testing::StartsWith("resources[0].properties.copy: property "
                                    "copy loops are not supported; expand "));
  EXPECT_THAT(result.problems[0].ToString(), ::testing::EndsWith("array"));
}

TEST(ImportTemplateTest, PropertiesAsOneExpression) {
  std::string text = TemplateWith(
      "",
      absl::StrCat(R"("props": {"securityRules": [{"name": "r",
          "properties": {"priority": 200, )",
                   kRuleBody, "}}]}"),
      R"([{"type": "Microsoft.Network/networkSecurityGroups", "name": "n",
           "properties": "[variables('props')]"}])");

  ASSERT_OK_AND_ASSIGN(ImportResult result, ImportNsgs(text));

  ASSERT_TRUE(result.ok()) << result.ToStatus();
  EXPECT_EQ(result.nsgs[0].security_rules(0).priority(), 200);
}

TEST(ImportTemplateTest, SymbolicResourceNames) {
  std::string text = absl::StrCat(
      R"({"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "languageVersion": "2.0", "contentVersion": "1.0.0.0",
          "resources": {"appNsg": {
            "type": "Microsoft.Network/networkSecurityGroups",
            "name": "app-nsg", "properties": {"securityRules": [
              {"name": "r", "properties": {"priority": 200, )",
      kRuleBody, "}}]}}}}");

  ASSERT_OK_AND_ASSIGN(ImportResult result, ImportNsgs(text));

  ASSERT_TRUE(result.ok()) << result.ToStatus();
  EXPECT_EQ(result.nsgs[0].name(), "app-nsg");
  EXPECT_EQ(result.nsgs[0].json_path(), "resources.appNsg");
}

TEST(ImportTemplateTest, EmptyArrayIsRejected) {
  EXPECT_THAT(ImportNsgs("[]"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no network security group found in the document; ")));
}

TEST(ImportTemplateTest, TemplateWithoutNsgIsRejected) {
  EXPECT_THAT(ImportNsgs(TemplateWith("", "", R"([{"type": "Microsoft.Network/virtualNetworks", "name": "v"}])")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no network security group found in the "
                                 "template document")));
}

}  // namespace
}  // namespace portcullis::nsg
