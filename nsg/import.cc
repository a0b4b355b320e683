#include "nsg/import.h"

#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "json/json.h"
#include "nsg/arm_template.h"
#include "nsg/model.h"

namespace portcullis::nsg {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;
using json::Path;

constexpr absl::string_view kNsgType = "Microsoft.Network/networkSecurityGroups";
constexpr absl::string_view kRuleType =
    "Microsoft.Network/networkSecurityGroups/securityRules";

// Whether a field matters to evaluation. A needed field whose template
// expression cannot be evaluated is a problem; any other such field keeps
// the expression as text.
enum class Need { kEvaluation, kTextOnly };

const Struct* AsObject(const Value* value) {
  return value != nullptr && value->has_struct_value() ? &value->struct_value()
                                                       : nullptr;
}

const Value* Member(const Struct* object, absl::string_view name) {
  return object == nullptr ? nullptr : json::FindField(*object, name);
}

// The last segment of an Azure resource id, or the text after
// `/<collection>/` when it appears.
std::string IdSegmentAfter(absl::string_view id, absl::string_view collection) {
  std::vector<absl::string_view> parts = absl::StrSplit(id, '/');
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (absl::EqualsIgnoreCase(parts[i], collection)) {
      return std::string(parts[i + 1]);
    }
  }
  return "";
}

std::string CompactJson(const Value& value) {
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(value, &out).ok()) {
    return json::Describe(value);
  }
  return out;
}

// Abseil 20220623 has no StrContainsIgnoreCase.
bool ContainsIgnoreCase(absl::string_view text, absl::string_view part) {
  return absl::StrContains(absl::AsciiStrToLower(text),
                           absl::AsciiStrToLower(part));
}

bool TypeIs(const Struct& object, absl::string_view type) {
  const Value* value = json::FindField(object, "type");
  return value != nullptr && value->has_string_value() &&
         absl::EqualsIgnoreCase(absl::StripSuffix(value->string_value(), "/"),
                                type);
}

bool TypeEndsWith(const Struct& object, absl::string_view suffix) {
  const Value* value = json::FindField(object, "type");
  return value != nullptr && value->has_string_value() &&
         absl::EndsWithIgnoreCase(value->string_value(), suffix);
}

// The object holding a resource's fields: `properties` in REST and ARM
// shapes, the resource itself in the flattened output of the az CLI.
// A `properties` member that is not an object (a template expression, or a
// mistake) gives no fields here.
const Struct& FieldsOf(const Struct& resource, bool* wrapped) {
  static const Struct* const kNoFields = new Struct();
  const Value* properties = json::FindField(resource, "properties");
  *wrapped = !json::IsNullOrAbsent(properties);
  if (!*wrapped) return resource;
  return properties->has_struct_value() ? properties->struct_value()
                                        : *kNoFields;
}

bool LooksLikeNsg(const Struct& object) {
  if (TypeIs(object, kNsgType)) return true;
  bool wrapped = false;
  const Struct& fields = FieldsOf(object, &wrapped);
  return json::FindField(fields, "securityRules") != nullptr ||
         json::FindField(fields, "defaultSecurityRules") != nullptr;
}

bool LooksLikeRule(const Struct& object) {
  if (TypeEndsWith(object, "securityRules")) return true;
  bool wrapped = false;
  const Struct& fields = FieldsOf(object, &wrapped);
  return json::FindField(fields, "priority") != nullptr &&
         json::FindField(fields, "direction") != nullptr;
}

bool LooksLikeEffective(const Struct& object) {
  return json::FindField(object, "effectiveSecurityRules") != nullptr;
}

bool LooksLikeTemplate(const Struct& object) {
  const Value* schema = json::FindField(object, "$schema");
  if (schema != nullptr && schema->has_string_value() &&
      ContainsIgnoreCase(schema->string_value(), "deploymentTemplate")) {
    return true;
  }
  return json::FindField(object, "resources") != nullptr &&
         json::FindField(object, "contentVersion") != nullptr;
}

// One NSG being imported with the problems found in it.
struct Entry {
  NetworkSecurityGroup nsg;
  std::vector<Problem> problems;
  // False when the name is a template expression kept as text.
  bool name_known = true;
};

class Importer {
 public:
  explicit Importer(const ImportOptions& options) : options_(options) {}

  absl::StatusOr<ImportResult> Run(absl::string_view json_bytes) {
    absl::StatusOr<Value> root = json::ParseJson(json_bytes);
    if (!root.ok()) return root.status();

    absl::Status status = ImportDocument(*root, Path());
    if (!status.ok()) return status;
    if (entries_.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "no network security group found in the ",
          format_.empty() ? "" : absl::StrCat(format_, " "),
          "document; expected an NSG resource, security rules, an ARM "
          "template with NSG resources or effective security rules"));
    }
    return Finish();
  }

 private:
  // ---- Shapes -------------------------------------------------------------

  absl::Status ImportDocument(const Value& root, const Path& path) {
    if (root.has_list_value()) return ImportList(root.list_value(), path);
    const Struct* object = AsObject(&root);
    if (object == nullptr) {
      return json::InvalidField(path, root,
                                "an object or an array holding NSGs or "
                                "security rules");
    }

    if (LooksLikeTemplate(*object)) return ImportTemplate(*object);
    if (json::FindField(*object, "responses") != nullptr &&
        json::FindField(*object, "parameters") != nullptr) {
      return ImportRestExample(*object);
    }
    const Value* value = json::FindField(*object, "value");
    if (value != nullptr && value->has_list_value() &&
        !LooksLikeNsg(*object) && !LooksLikeRule(*object)) {
      // A rule or NSG on a later page would be missing.
      absl::Status complete = json::RejectNextPageLink(*object, path);
      if (!complete.ok()) return complete;
      return ImportList(value->list_value(), path.Field("value"));
    }
    if (LooksLikeEffective(*object)) {
      format_ = "effective rules";
      ImportEffective(*object, path);
      return absl::OkStatus();
    }
    if (LooksLikeNsg(*object)) {
      if (format_.empty()) format_ = "resource";
      ImportNsg(*object, path);
      return absl::OkStatus();
    }
    if (LooksLikeRule(*object)) {
      if (format_.empty()) format_ = "rule";
      ImportRules({{object, path}}, "");
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError(absl::StrCat(
        path.ToString(),
        ": not a network security group, a security rule, an ARM template or "
        "effective security rules (no securityRules, priority, resources or "
        "effectiveSecurityRules member)"));
  }

  // An array of NSGs (`az network nsg list`), of rules (`az network nsg rule
  // list`) or of effective rule groups.
  absl::Status ImportList(const ListValue& list, const Path& path) {
    std::vector<std::pair<const Struct*, Path>> rules;
    for (int i = 0; i < list.values_size(); ++i) {
      Path item_path = path.Index(i);
      const Struct* item = AsObject(&list.values(i));
      if (item == nullptr) {
        return json::InvalidField(item_path, list.values(i),
                                  "an object: an NSG or a security rule");
      }
      if (LooksLikeEffective(*item)) {
        format_ = "effective rules";
        ImportEffective(*item, item_path);
      } else if (LooksLikeNsg(*item)) {
        if (format_.empty()) format_ = "resource list";
        ImportNsg(*item, item_path);
      } else if (LooksLikeRule(*item)) {
        rules.emplace_back(item, item_path);
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat(item_path.ToString(),
                         ": neither a network security group nor a security "
                         "rule"));
      }
    }
    if (!rules.empty()) {
      if (format_.empty()) format_ = "rule list";
      ImportRules(rules, "");
    }
    return absl::OkStatus();
  }

  // The REST API's example files: the response body when there is one,
  // since it is what Azure stored, else the request.
  absl::Status ImportRestExample(const Struct& root) {
    format_ = "rest example";
    const Struct* responses = AsObject(json::FindField(root, "responses"));
    for (absl::string_view code : {"200", "201"}) {
      const Struct* response = AsObject(Member(responses, code));
      const Value* body = Member(response, "body");
      if (body != nullptr) {
        return ImportDocument(*body, Path("responses").Field(code).Field("body"));
      }
    }

    const Struct* parameters = AsObject(json::FindField(root, "parameters"));
    Path parameters_path("parameters");
    if (const Struct* nsg = AsObject(Member(parameters, "parameters"))) {
      Entry& entry = ImportNsg(*nsg, parameters_path.Field("parameters"));
      const Value* name = Member(parameters, "networkSecurityGroupName");
      if (entry.nsg.name().empty() && name != nullptr && name->has_string_value()) {
        entry.nsg.set_name(name->string_value());
      }
      return absl::OkStatus();
    }
    if (const Struct* rule = AsObject(Member(parameters, "securityRuleParameters"))) {
      const Value* nsg_name = Member(parameters, "networkSecurityGroupName");
      const Value* rule_name = Member(parameters, "securityRuleName");
      ImportRules({{rule, parameters_path.Field("securityRuleParameters")}},
                  nsg_name != nullptr && nsg_name->has_string_value()
                      ? nsg_name->string_value()
                      : "",
                  rule_name != nullptr && rule_name->has_string_value()
                      ? rule_name->string_value()
                      : "");
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError(
        "REST example without a response body or an NSG or security rule "
        "request (parameters.parameters or "
        "parameters.securityRuleParameters)");
  }

  // ---- NSG and rule objects ----------------------------------------------

  Entry& NewEntry(const Path& path) {
    entries_.emplace_back();
    Entry& entry = entries_.back();
    entry.nsg.set_json_path(path.empty() ? "" : path.ToString());
    problems_ = &entry.problems;
    return entry;
  }

  Entry& ImportNsg(const Struct& object, const Path& path) {
    Entry& entry = NewEntry(path);
    NetworkSecurityGroup& nsg = entry.nsg;

    ReadResourceIdentity(object, path, entry);
    if (std::optional<std::string> location =
            ReadString(object, "location", path, Need::kTextOnly)) {
      nsg.set_location(*location);
    }
    if (const Value* tags = json::FindField(object, "tags")) {
      nsg.set_tags_json(CompactJson(*tags));
    }

    bool wrapped = false;
    const Struct* fields = &FieldsOf(object, &wrapped);
    Path fields_path = wrapped ? path.Field("properties") : path;
    std::optional<Value> resolved_fields;
    if (!ResolveWholeProperties(object, path, resolved_fields, &fields)) {
      return entry;
    }

    if (const Value* copy = json::FindField(*fields, "copy")) {
      // A property loop builds rules at deployment; skipping it silently
      // would drop rules, deny rules among them.
      problems_->push_back(
          {fields_path.Field("copy").ToString(), "",
           absl::StrCat("property copy loops are not supported; expand ",
                        json::Describe(*copy),
                        " into the securityRules array")});
    }
    if (std::optional<Value> flush =
            Read(*fields, "flushConnection", fields_path, Need::kEvaluation)) {
      absl::StatusOr<bool> flag =
          json::GetBool(*flush, fields_path.Field("flushConnection"));
      if (flag.ok()) {
        nsg.set_flush_connection(*flag);
      } else {
        AddProblem(fields_path.Field("flushConnection"),
                   azure_error::kInvalidRequestFormat, flag.status());
      }
    }

    ReadRuleList(*fields, "securityRules", fields_path,
                 nsg.mutable_security_rules());
    ReadRuleList(*fields, "defaultSecurityRules", fields_path,
                 nsg.mutable_default_security_rules());
    return entry;
  }

  // A template may write a whole `properties` object as one expression, such
  // as `[variables('rules')[0]]`. Evaluates it into `storage` and points
  // `fields` at the result. Returns false when it cannot be evaluated (a
  // problem is recorded) or does not give an object.
  bool ResolveWholeProperties(const Struct& object, const Path& path,
                              std::optional<Value>& storage,
                              const Struct** fields) {
    const Value* raw = json::FindField(object, "properties");
    if (!evaluator_.has_value() || raw == nullptr || !raw->has_string_value()) {
      return true;
    }
    storage = Read(object, "properties", path, Need::kEvaluation);
    if (!storage.has_value()) return false;
    *fields = AsObject(&*storage);
    if (*fields == nullptr) {
      Path properties_path = path.Field("properties");
      AddProblem(properties_path, azure_error::kInvalidTemplate,
                 json::InvalidField(properties_path, *storage, "an object"));
      return false;
    }
    return true;
  }

  void ReadResourceIdentity(const Struct& object, const Path& path,
                            Entry& entry) {
    if (std::optional<std::string> id =
            ReadString(object, "id", path, Need::kTextOnly)) {
      entry.nsg.set_id(*id);
    }
    const Value* raw_name = json::FindField(object, "name");
    if (std::optional<std::string> name =
            ReadString(object, "name", path, Need::kTextOnly)) {
      entry.nsg.set_name(*name);
      entry.name_known = !(raw_name != nullptr && raw_name->has_string_value() &&
                           evaluator_.has_value() &&
                           IsTemplateExpression(raw_name->string_value()) &&
                           *name == raw_name->string_value());
    }
    if (entry.nsg.name().empty() && !entry.nsg.id().empty()) {
      entry.nsg.set_name(IdSegmentAfter(entry.nsg.id(), "networkSecurityGroups"));
    }
  }

  void ReadRuleList(const Struct& fields, absl::string_view member,
                    const Path& fields_path,
                    google::protobuf::RepeatedPtrField<SecurityRule>* out) {
    Path list_path = fields_path.Field(member);
    std::optional<Value> list =
        ReadShallow(fields, member, fields_path, Need::kEvaluation);
    if (!list.has_value()) return;
    if (!list->has_list_value()) {
      AddProblem(list_path, azure_error::kInvalidRequestFormat,
                 json::InvalidField(list_path, *list, "an array of rules"));
      return;
    }
    for (int i = 0; i < list->list_value().values_size(); ++i) {
      Path rule_path = list_path.Index(i);
      std::optional<Value> item = ResolveShallow(
          list->list_value().values(i), rule_path, Need::kEvaluation);
      if (!item.has_value()) continue;
      const Struct* rule_object = AsObject(&*item);
      if (rule_object == nullptr) {
        AddProblem(rule_path, azure_error::kInvalidRequestFormat,
                   json::InvalidField(rule_path, *item,
                                      "a security rule object"));
        continue;
      }
      *out->Add() = ReadRule(*rule_object, rule_path);
    }
  }

  SecurityRule ReadRule(const Struct& object, const Path& path) {
    SecurityRule rule;
    rule.mutable_origin()->set_object_path(path.ToString());
    if (std::optional<std::string> name =
            ReadString(object, "name", path, Need::kEvaluation)) {
      rule.set_name(*name);
    }
    if (std::optional<std::string> id =
            ReadString(object, "id", path, Need::kTextOnly)) {
      rule.set_id(*id);
    }

    bool wrapped = false;
    const Struct* fields = &FieldsOf(object, &wrapped);
    Path fields_path = wrapped ? path.Field("properties") : path;
    rule.mutable_origin()->set_properties_path(fields_path.ToString());
    std::optional<Value> resolved_fields;
    if (!ResolveWholeProperties(object, path, resolved_fields, &fields)) {
      return rule;
    }
    ReadRuleFields(*fields, fields_path, rule);
    return rule;
  }

  void ReadRuleFields(const Struct& fields, const Path& path,
                      SecurityRule& rule) {
    if (std::optional<std::string> text =
            ReadString(fields, "description", path, Need::kTextOnly)) {
      rule.set_description(*text);
    }
    if (std::optional<Value> value =
            Read(fields, "priority", path, Need::kEvaluation)) {
      absl::StatusOr<int64_t> priority = json::GetInteger(
          *value, path.Field("priority"), std::numeric_limits<int32_t>::min(),
          std::numeric_limits<int32_t>::max());
      if (priority.ok()) {
        rule.set_priority(static_cast<int32_t>(*priority));
      } else {
        problems_->push_back(
            {path.Field("priority").ToString(), azure_error::kInvalidPriority,
             absl::StrCat("invalid value ", json::Describe(*value),
                          "; expected an integer between ", kMinUserPriority,
                          " and ", kMaxUserPriority)});
      }
    }
    ReadEnum(fields, "protocol", path, azure_error::kInvalidProtocol,
             [&](absl::string_view text) {
               absl::StatusOr<Protocol> value = ParseProtocol(text);
               if (value.ok()) rule.set_protocol(*value);
               return value.status();
             });
    ReadEnum(fields, "direction", path, azure_error::kInvalidDirection,
             [&](absl::string_view text) {
               absl::StatusOr<Direction> value = ParseDirection(text);
               if (value.ok()) rule.set_direction(*value);
               return value.status();
             });
    ReadEnum(fields, "access", path, azure_error::kInvalidAccess,
             [&](absl::string_view text) {
               absl::StatusOr<Access> value = ParseAccess(text);
               if (value.ok()) rule.set_access(*value);
               return value.status();
             });

    ReadSingle(fields, "sourceAddressPrefix", path,
               rule.mutable_source_address_prefix(), /*port=*/false);
    ReadSingle(fields, "destinationAddressPrefix", path,
               rule.mutable_destination_address_prefix(), /*port=*/false);
    ReadSingle(fields, "sourcePortRange", path, rule.mutable_source_port_range(),
               /*port=*/true);
    ReadSingle(fields, "destinationPortRange", path,
               rule.mutable_destination_port_range(), /*port=*/true);
    ReadStrings(fields, "sourceAddressPrefixes", path,
                rule.mutable_source_address_prefixes(), /*port=*/false);
    ReadStrings(fields, "destinationAddressPrefixes", path,
                rule.mutable_destination_address_prefixes(), /*port=*/false);
    ReadStrings(fields, "sourcePortRanges", path,
                rule.mutable_source_port_ranges(), /*port=*/true);
    ReadStrings(fields, "destinationPortRanges", path,
                rule.mutable_destination_port_ranges(), /*port=*/true);
    ReadGroups(fields, "sourceApplicationSecurityGroups", path,
               rule.mutable_source_application_security_groups());
    ReadGroups(fields, "destinationApplicationSecurityGroups", path,
               rule.mutable_destination_application_security_groups());
  }

  // Rules outside an NSG: a rule list, a single rule, or the child rule
  // resources of a template. The NSG name comes from `nsg_name`, else from
  // the rules' ids. Rules whose id or type names `defaultSecurityRules` go
  // to the default list.
  void ImportRules(const std::vector<std::pair<const Struct*, Path>>& rules,
                   std::string nsg_name, std::string rule_name = "") {
    Entry& entry = NewEntry(Path());
    for (const auto& [object, path] : rules) {
      SecurityRule rule = ReadRule(*object, path);
      if (rule.name().empty() && !rule_name.empty()) rule.set_name(rule_name);
      if (nsg_name.empty()) {
        nsg_name = IdSegmentAfter(rule.id(), "networkSecurityGroups");
      }
      bool is_default = TypeEndsWith(*object, "defaultSecurityRules") ||
                        ContainsIgnoreCase(rule.id(),
                                                    "/defaultSecurityRules/");
      *(is_default ? entry.nsg.add_default_security_rules()
                   : entry.nsg.add_security_rules()) = std::move(rule);
    }
    entry.nsg.set_name(nsg_name);
  }

  // One entry of the effective security rules view: the rules of one NSG,
  // named `securityRules/<name>` or `defaultSecurityRules/<name>`, with their
  // fields beside the name.
  void ImportEffective(const Struct& object, const Path& path) {
    Entry& entry = NewEntry(path);
    const Struct* nsg_ref = AsObject(json::FindField(object, "networkSecurityGroup"));
    const Value* id = Member(nsg_ref, "id");
    if (id != nullptr && id->has_string_value()) {
      entry.nsg.set_id(id->string_value());
      entry.nsg.set_name(IdSegmentAfter(id->string_value(), "networkSecurityGroups"));
    }

    Path list_path = path.Field("effectiveSecurityRules");
    const Value* list = json::FindField(object, "effectiveSecurityRules");
    if (list == nullptr || !list->has_list_value()) {
      AddProblem(list_path, azure_error::kInvalidRequestFormat,
                 json::InvalidField(list_path, list ? *list : Value(),
                                    "an array of effective rules"));
      return;
    }
    for (int i = 0; i < list->list_value().values_size(); ++i) {
      Path rule_path = list_path.Index(i);
      const Struct* rule_object = AsObject(&list->list_value().values(i));
      if (rule_object == nullptr) {
        AddProblem(rule_path, azure_error::kInvalidRequestFormat,
                   json::InvalidField(rule_path, list->list_value().values(i),
                                      "an effective rule object"));
        continue;
      }
      SecurityRule rule = ReadRule(*rule_object, rule_path);
      absl::string_view name = rule.name();
      bool is_default = absl::ConsumePrefix(&name, "defaultSecurityRules/");
      if (!is_default) absl::ConsumePrefix(&name, "securityRules/");
      rule.set_name(std::string(name));
      *(is_default ? entry.nsg.add_default_security_rules()
                   : entry.nsg.add_security_rules()) = std::move(rule);
    }
  }

  // ---- ARM templates -----------------------------------------------------

  absl::Status ImportTemplate(const Struct& root) {
    format_ = "template";
    std::optional<Value> parameters_file;
    if (options_.parameters_json.has_value()) {
      absl::StatusOr<Value> parsed = json::ParseJson(*options_.parameters_json);
      if (!parsed.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("parameters file: ", parsed.status().message()));
      }
      parameters_file = *std::move(parsed);
    }
    absl::StatusOr<TemplateEvaluator> evaluator = TemplateEvaluator::Create(
        root, parameters_file ? &*parameters_file : nullptr, options_.scope);
    if (!evaluator.ok()) return evaluator.status();
    evaluator_.emplace(*std::move(evaluator));

    const Value* resources = json::FindField(root, "resources");
    if (resources == nullptr) {
      return json::MissingField(Path("resources"), "an array of resources");
    }
    std::vector<std::pair<const Struct*, Path>> child_rules;
    CollectTemplateResources(*resources, Path("resources"), "", child_rules);
    AttachChildRules(child_rules);
    return absl::OkStatus();
  }

  // Walks `resources` (an array, or an object keyed by symbolic names) and
  // the nested `resources` of NSGs. Rule resources are collected with the
  // name of the NSG they are nested in, if any, to be attached afterwards.
  void CollectTemplateResources(
      const Value& resources, const Path& path, absl::string_view parent_nsg,
      std::vector<std::pair<const Struct*, Path>>& child_rules) {
    std::vector<std::pair<const Struct*, Path>> items;
    if (resources.has_list_value()) {
      for (int i = 0; i < resources.list_value().values_size(); ++i) {
        items.emplace_back(AsObject(&resources.list_value().values(i)),
                           path.Index(i));
      }
    } else if (resources.has_struct_value()) {
      for (const auto& [name, value] : resources.struct_value().fields()) {
        items.emplace_back(AsObject(&value), path.Field(name));
      }
    }

    for (const auto& [resource, resource_path] : items) {
      if (resource == nullptr) continue;
      bool is_nsg = TypeIs(*resource, kNsgType);
      bool is_rule = TypeIs(*resource, kRuleType) ||
                     (!parent_nsg.empty() && TypeIs(*resource, "securityRules"));
      if (!is_nsg && !is_rule) continue;
      if (!ResourceIsDeployed(*resource, resource_path)) continue;
      if (const Value* copy = json::FindField(*resource, "copy")) {
        AddDocumentProblem(resource_path.Field("copy"), "",
                           absl::StrCat("copy loops are not supported; expand ",
                                        json::Describe(*copy),
                                        " into separate resources"));
        continue;
      }

      if (is_rule) {
        rule_parents_.push_back(std::string(parent_nsg));
        child_rules.emplace_back(resource, resource_path);
        continue;
      }
      Entry& entry = ImportNsg(*resource, resource_path);
      std::string nsg_name = entry.nsg.name();
      if (const Value* nested = json::FindField(*resource, "resources")) {
        CollectTemplateResources(*nested, resource_path.Field("resources"),
                                 nsg_name, child_rules);
      }
    }
  }

  // False when the resource has a `condition` that evaluates to false. A
  // condition that cannot be evaluated is a problem, and the resource is
  // imported so that the problem is seen.
  bool ResourceIsDeployed(const Struct& resource, const Path& path) {
    if (json::FindField(resource, "condition") == nullptr) return true;
    std::optional<Value> condition =
        Read(resource, "condition", path, Need::kEvaluation, &document_problems_);
    if (!condition.has_value()) return true;
    if (!condition->has_bool_value()) {
      AddDocumentProblem(path.Field("condition"), azure_error::kInvalidTemplate,
                         absl::StrCat("invalid value ", json::Describe(*condition),
                                      "; expected true or false"));
      return true;
    }
    return condition->bool_value();
  }

  // Adds child rule resources to their NSGs. A top-level child is named
  // `<nsg>/<rule>`; a nested one is named `<rule>` and belongs to the NSG it
  // is nested in. Rules of an NSG the template does not declare form an NSG
  // of their own, as when a template adds rules to an existing NSG.
  void AttachChildRules(
      const std::vector<std::pair<const Struct*, Path>>& child_rules) {
    for (size_t i = 0; i < child_rules.size(); ++i) {
      const auto& [object, path] = child_rules[i];
      std::vector<Problem> problems;
      problems_ = &problems;
      SecurityRule rule = ReadRule(*object, path);
      std::string parent = rule_parents_[i];
      if (parent.empty()) {
        std::vector<std::string> parts = absl::StrSplit(rule.name(), '/');
        if (parts.size() == 2) {
          parent = parts[0];
          rule.set_name(parts[1]);
        } else if (!rule.name().empty()) {
          problems.push_back(
              {path.Field("name").ToString(), azure_error::kInvalidTemplate,
               absl::StrCat("invalid value ", QuoteForMessage(rule.name()),
                            "; expected <nsg name>/<rule name> for a rule "
                            "resource outside its NSG")});
        }
      }

      Entry* owner = nullptr;
      for (Entry& entry : entries_) {
        if (absl::EqualsIgnoreCase(entry.nsg.name(), parent)) owner = &entry;
      }
      if (owner == nullptr) {
        owner = &NewEntry(Path());
        owner->nsg.set_name(parent);
      }
      *owner->nsg.add_security_rules() = std::move(rule);
      for (Problem& problem : problems) owner->problems.push_back(std::move(problem));
    }
    problems_ = &document_problems_;
  }

  // ---- Field readers -----------------------------------------------------

  void AddProblem(const Path& path, absl::string_view code,
                  const absl::Status& status) {
    // json:: statuses start with the path; problems keep it separately.
    absl::string_view message = status.message();
    std::string prefix = absl::StrCat(path.ToString(), ": ");
    absl::ConsumePrefix(&message, prefix);
    problems_->push_back(
        {path.ToString(), std::string(code), std::string(message)});
  }

  void AddDocumentProblem(const Path& path, absl::string_view code,
                          std::string message) {
    document_problems_.push_back(
        {path.ToString(), std::string(code), std::move(message)});
  }

  // Returns member `name` of `object` with template expressions evaluated,
  // or nullopt when it is absent, null, or an expression that a needed field
  // cannot do without (reported as a problem).
  std::optional<Value> Read(const Struct& object, absl::string_view name,
                            const Path& object_path, Need need,
                            std::vector<Problem>* sink = nullptr) {
    const Value* raw = json::FindField(object, name);
    if (json::IsNullOrAbsent(raw)) return std::nullopt;
    if (!evaluator_.has_value() || !HasExpression(*raw)) return *raw;

    absl::StatusOr<Value> resolved = evaluator_->Resolve(*raw);
    if (resolved.ok()) return *std::move(resolved);
    if (need == Need::kTextOnly) return *raw;
    Path path = object_path.Field(name);
    (sink != nullptr ? *sink : *problems_)
        .push_back({path.ToString(), azure_error::kInvalidTemplate,
                    absl::StrCat("cannot evaluate ", json::Describe(*raw), ": ",
                                 resolved.status().message())});
    return std::nullopt;
  }

  // Like Read(), but evaluates the member only when it is itself an
  // expression, leaving expressions inside arrays and objects for the caller
  // to evaluate one by one with their own paths.
  std::optional<Value> ReadShallow(const Struct& object, absl::string_view name,
                                   const Path& object_path, Need need) {
    const Value* raw = json::FindField(object, name);
    if (json::IsNullOrAbsent(raw)) return std::nullopt;
    return ResolveShallow(*raw, object_path.Field(name), need);
  }

  std::optional<Value> ResolveShallow(const Value& raw, const Path& path,
                                      Need need) {
    if (!evaluator_.has_value() || !raw.has_string_value()) return raw;
    absl::StatusOr<Value> resolved = evaluator_->EvaluateString(raw.string_value());
    if (resolved.ok()) return *std::move(resolved);
    if (need == Need::kTextOnly) return raw;
    problems_->push_back({path.ToString(), azure_error::kInvalidTemplate,
                          absl::StrCat("cannot evaluate ", json::Describe(raw),
                                       ": ", resolved.status().message())});
    return std::nullopt;
  }

  static bool HasExpression(const Value& value) {
    switch (value.kind_case()) {
      case Value::kStringValue:
        return absl::StartsWith(value.string_value(), "[");
      case Value::kListValue:
        for (const Value& item : value.list_value().values()) {
          if (HasExpression(item)) return true;
        }
        return false;
      case Value::kStructValue:
        for (const auto& [key, item] : value.struct_value().fields()) {
          if (HasExpression(item)) return true;
        }
        return false;
      default:
        return false;
    }
  }

  std::optional<std::string> ReadString(const Struct& object,
                                        absl::string_view name,
                                        const Path& object_path, Need need) {
    std::optional<Value> value = Read(object, name, object_path, need);
    if (!value.has_value()) return std::nullopt;
    if (value->has_string_value()) return value->string_value();
    if (need == Need::kTextOnly) return CompactJson(*value);
    Path path = object_path.Field(name);
    AddProblem(path, azure_error::kInvalidRequestFormat,
               json::InvalidField(path, *value, "a string"));
    return std::nullopt;
  }

  template <typename Parse>
  void ReadEnum(const Struct& fields, absl::string_view name, const Path& path,
                absl::string_view code, Parse parse) {
    std::optional<std::string> text =
        ReadString(fields, name, path, Need::kEvaluation);
    if (!text.has_value()) return;
    absl::Status status = parse(*text);
    if (!status.ok()) {
      problems_->push_back({path.Field(name).ToString(), std::string(code),
                            std::string(status.message())});
    }
  }

  // A port range may be written as a JSON number in templates (`22`); it is
  // kept as its decimal text.
  std::optional<std::string> AsText(const Value& value, const Path& path,
                                    bool port) {
    if (value.has_string_value()) return value.string_value();
    if (port && value.has_number_value()) {
      absl::StatusOr<int64_t> number = json::GetInteger(value, path, 0, 65535);
      if (number.ok()) return absl::StrCat(*number);
    }
    AddProblem(path,
               port ? azure_error::kInvalidPortRange
                    : azure_error::kInvalidAddressPrefix,
               json::InvalidField(path, value, port ? "a port range string"
                                                    : "a string"));
    return std::nullopt;
  }

  void ReadSingle(const Struct& fields, absl::string_view name,
                  const Path& path, std::string* out, bool port) {
    std::optional<Value> value = Read(fields, name, path, Need::kEvaluation);
    if (!value.has_value()) return;
    if (std::optional<std::string> text = AsText(*value, path.Field(name), port)) {
      *out = *std::move(text);
    }
  }

  void ReadStrings(const Struct& fields, absl::string_view name,
                   const Path& path,
                   google::protobuf::RepeatedPtrField<std::string>* out,
                   bool port) {
    std::optional<Value> value = Read(fields, name, path, Need::kEvaluation);
    if (!value.has_value()) return;
    Path list_path = path.Field(name);
    if (!value->has_list_value()) {
      AddProblem(list_path, azure_error::kInvalidRequestFormat,
                 json::InvalidField(list_path, *value, "an array of strings"));
      return;
    }
    for (int i = 0; i < value->list_value().values_size(); ++i) {
      if (std::optional<std::string> text =
              AsText(value->list_value().values(i), list_path.Index(i), port)) {
        out->Add(*std::move(text));
      }
    }
  }

  // `[{"id": "<application security group id>"}]`.
  void ReadGroups(const Struct& fields, absl::string_view name, const Path& path,
                  google::protobuf::RepeatedPtrField<std::string>* out) {
    std::optional<Value> value = Read(fields, name, path, Need::kEvaluation);
    if (!value.has_value()) return;
    Path list_path = path.Field(name);
    if (!value->has_list_value()) {
      AddProblem(list_path, azure_error::kInvalidRequestFormat,
                 json::InvalidField(list_path, *value,
                                    "an array of {\"id\": ...} objects"));
      return;
    }
    for (int i = 0; i < value->list_value().values_size(); ++i) {
      Path item_path = list_path.Index(i);
      const Struct* item = AsObject(&value->list_value().values(i));
      const Value* id = Member(item, "id");
      if (id == nullptr || !id->has_string_value() || id->string_value().empty()) {
        AddProblem(item_path, azure_error::kInvalidRequestFormat,
                   json::InvalidField(item_path, value->list_value().values(i),
                                      "an object with the group's \"id\""));
        continue;
      }
      absl::Status id_status =
          CheckApplicationSecurityGroupId(id->string_value());
      if (!id_status.ok()) {
        AddProblem(item_path.Field("id"), azure_error::kInvalidRequestFormat,
                   absl::InvalidArgumentError(absl::StrCat(
                       item_path.Field("id").ToString(), ": ",
                       id_status.message())));
        continue;
      }
      out->Add(std::string(id->string_value()));
    }
  }

  // ---- Result ------------------------------------------------------------

  absl::StatusOr<ImportResult> Finish() {
    std::vector<Entry*> chosen;
    std::vector<std::string> names;
    bool unknown_names = false;
    for (Entry& entry : entries_) {
      names.push_back(entry.nsg.name());
      if (!entry.name_known) unknown_names = true;
      if (options_.nsg_name.empty() ||
          absl::EqualsIgnoreCase(entry.nsg.name(), options_.nsg_name)) {
        chosen.push_back(&entry);
      }
    }
    if (chosen.empty()) {
      return absl::NotFoundError(absl::StrCat(
          "no network security group named ",
          QuoteForMessage(options_.nsg_name), "; the document contains ",
          absl::StrJoin(names, ", ",
                        [](std::string* out, const std::string& name) {
                          absl::StrAppend(out, QuoteForMessage(name));
                        }),
          unknown_names ? " (some names are template expressions; give a "
                          "parameters file to evaluate them)"
                        : ""));
    }

    ImportResult result;
    result.format = format_;
    result.problems = document_problems_;
    for (Entry* entry : chosen) {
      AddMissingDefaultRules(entry->nsg);
      for (Problem& problem : entry->problems) {
        result.problems.push_back(problem);
      }
      if (options_.validate) {
        for (Problem& problem : Validate(entry->nsg)) {
          if (!Covered(problem, entry->problems)) {
            result.problems.push_back(std::move(problem));
          }
        }
      }
      result.nsgs.push_back(std::move(entry->nsg));
    }
    return result;
  }

  // True when an import problem already reports the field of `problem` (or
  // the object holding it), so validation would only repeat it.
  static bool Covered(const Problem& problem,
                      const std::vector<Problem>& import_problems) {
    for (const Problem& known : import_problems) {
      if (problem.path == known.path ||
          absl::StartsWith(problem.path, absl::StrCat(known.path, ".")) ||
          absl::StartsWith(problem.path, absl::StrCat(known.path, "["))) {
        return true;
      }
    }
    return false;
  }

  const ImportOptions& options_;
  std::string format_;
  std::optional<TemplateEvaluator> evaluator_;
  // Entries are never erased, so pointers into the deque stay valid.
  std::deque<Entry> entries_;
  std::vector<Problem> document_problems_;
  std::vector<Problem>* problems_ = &document_problems_;
  // The NSG each collected template rule is nested in ("" when top-level).
  std::vector<std::string> rule_parents_;
};

}  // namespace

absl::StatusOr<ImportResult> ImportNsgs(absl::string_view json_bytes,
                                        const ImportOptions& options) {
  return Importer(options).Run(json_bytes);
}

absl::StatusOr<NetworkSecurityGroup> ImportValidNsg(
    absl::string_view json_bytes, const ImportOptions& options) {
  absl::StatusOr<ImportResult> result = ImportNsgs(json_bytes, options);
  if (!result.ok()) return result.status();
  if (result->nsgs.size() != 1) {
    std::vector<std::string> names;
    for (const NetworkSecurityGroup& nsg : result->nsgs) {
      names.push_back(QuoteForMessage(nsg.name()));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "the document contains ", result->nsgs.size(),
        " network security groups (", absl::StrJoin(names, ", "),
        "); choose one by name"));
  }
  if (absl::Status status = result->ToStatus(); !status.ok()) return status;
  return std::move(result->nsgs.front());
}

}  // namespace portcullis::nsg
