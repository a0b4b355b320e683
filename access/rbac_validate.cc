#include "access/rbac_validate.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "access/rbac_pattern.h"
#include "access/rbac_scope.h"

namespace portcullis::rbac {

namespace {

// The planes in which each operation of the lists exists, by lower-case
// name; one name can exist in both.
struct Catalog {
  absl::flat_hash_set<std::string> namespaces;
  absl::flat_hash_map<std::string, std::pair<bool, bool>> planes;  // control, data
  std::vector<std::pair<std::string, bool>> operations;  // name, is data

  explicit Catalog(const ProviderOperationSet& set) {
    for (const std::string& name : set.namespaces()) {
      namespaces.insert(absl::AsciiStrToLower(name));
    }
    for (const ProviderOperation& operation : set.operations()) {
      std::string name = absl::AsciiStrToLower(operation.name());
      std::pair<bool, bool>& plane = planes[name];
      (operation.is_data_action() ? plane.second : plane.first) = true;
      operations.emplace_back(operation.name(), operation.is_data_action());
    }
  }

  // True when the lists cover the provider of `action`.
  bool Covers(absl::string_view action) const {
    absl::string_view provider = action.substr(0, action.find('/'));
    if (HasWildcard(provider)) return false;
    return namespaces.contains(absl::AsciiStrToLower(provider));
  }
};

class Validator {
 public:
  Validator(const RoleDefinition& role, const ProviderOperationSet* operations)
      : role_(role) {
    if (operations != nullptr) {
      catalog_ = std::make_unique<const Catalog>(*operations);
    }
  }

  std::vector<Problem> Run() {
    bool custom = role_.role_type() != ROLE_TYPE_BUILT_IN;
    if (custom) CheckCustomRoleFields();
    for (int b = 0; b < role_.permissions_size(); ++b) {
      const Permission& permission = role_.permissions(b);
      std::string block = absl::StrCat("permissions[", b, "]");
      CheckList(permission.actions(), absl::StrCat(block, ".actions"), false);
      CheckList(permission.not_actions(), absl::StrCat(block, ".notActions"),
                false);
      CheckList(permission.data_actions(), absl::StrCat(block, ".dataActions"),
                true);
      CheckList(permission.not_data_actions(),
                absl::StrCat(block, ".notDataActions"), true);
    }
    return std::move(problems_);
  }

 private:
  void Report(absl::string_view field, std::string message) {
    std::string source = role_.source().empty()
                             ? std::string(field)
                             : absl::StrCat(role_.source(), ".", field);
    problems_.push_back(Problem{std::move(source), std::move(message)});
  }

  bool HasDataActions() const {
    for (const Permission& permission : role_.permissions()) {
      if (!permission.data_actions().empty()) return true;
    }
    return false;
  }

  void CheckCustomRoleFields() {
    if (role_.role_name().empty()) {
      Report("roleName", "missing; expected the role's display name");
    } else if (role_.role_name().size() > kMaxRoleNameLength) {
      Report("roleName",
             absl::StrCat("invalid value of ", role_.role_name().size(),
                          " characters; expected at most ",
                          kMaxRoleNameLength));
    }
    if (role_.description().size() > kMaxRoleDescriptionLength) {
      Report("description",
             absl::StrCat("invalid value of ", role_.description().size(),
                          " characters; expected at most ",
                          kMaxRoleDescriptionLength));
    }
    if (role_.assignable_scopes().empty()) {
      Report("assignableScopes",
             "missing; expected at least one subscription, resource group or "
             "management group");
    }
    if (role_.assignable_scopes_size() > kMaxAssignableScopes) {
      Report("assignableScopes",
             absl::StrCat("invalid count ", role_.assignable_scopes_size(),
                          "; expected at most ", kMaxAssignableScopes));
    }
    int groups = 0;
    for (int i = 0; i < role_.assignable_scopes_size(); ++i) {
      const std::string& text = role_.assignable_scopes(i);
      std::string field = absl::StrCat("assignableScopes[", i, "]");
      absl::StatusOr<ScopePath> scope = ScopePath::Parse(text);
      if (!scope.ok()) {
        Report(field, std::string(scope.status().message()));
        continue;
      }
      if (scope->level() == ScopeLevel::kRoot) {
        Report(field, "invalid value '/'; custom roles cannot be assignable "
                      "at the root scope");
      }
      if (scope->level() == ScopeLevel::kManagementGroup) {
        ++groups;
        if (groups > 1) {
          Report(field, absl::StrCat("invalid value '", text,
                                     "'; a custom role may name at most one "
                                     "management group"));
        }
        if (HasDataActions()) {
          Report(field, absl::StrCat("invalid value '", text,
                                     "'; a custom role with dataActions "
                                     "cannot be assignable at a management "
                                     "group"));
        }
      }
    }
  }

  void CheckList(const google::protobuf::RepeatedPtrField<std::string>& list,
                 const std::string& field, bool data) {
    for (int i = 0; i < list.size(); ++i) {
      std::string entry_field = absl::StrCat(field, "[", i, "]");
      CheckEntry(list[i], entry_field, data);
    }
  }

  void CheckEntry(const std::string& entry, const std::string& field,
                  bool data) {
    int wildcards = 0;
    for (char c : entry) wildcards += c == '*';
    if (wildcards > 1) {
      Report(field, absl::StrCat("invalid value '", entry, "' with ", wildcards,
                                 " wildcards; Azure accepts one"));
    }
    if (catalog_ == nullptr || !catalog_->Covers(entry)) return;

    absl::string_view plane_name = data ? "data action" : "control action";
    if (wildcards == 0) {
      auto found = catalog_->planes.find(absl::AsciiStrToLower(entry));
      if (found == catalog_->planes.end()) {
        Report(field, absl::StrCat("invalid value '", entry,
                                   "'; no such operation in the provider "
                                   "operation list"));
        return;
      }
      bool in_plane = data ? found->second.second : found->second.first;
      if (!in_plane) {
        Report(field,
               absl::StrCat("invalid value '", entry, "'; it is not a ",
                            plane_name, ", so this list can never grant it; "
                            "expected it under ",
                            data ? "actions" : "dataActions"));
      }
      return;
    }

    absl::StatusOr<ActionPattern> pattern = ActionPattern::Compile(entry);
    if (!pattern.ok()) {
      Report(field, std::string(pattern.status().message()));
      return;
    }
    for (const auto& [name, is_data] : catalog_->operations) {
      if (is_data == data && pattern->Matches(name)) return;
    }
    Report(field, absl::StrCat("invalid value '", entry, "'; it matches no ",
                               plane_name, " in the provider operation list"));
  }

  const RoleDefinition& role_;
  // A pointer rather than std::optional: GCC 12 at -O2 warns that the
  // optional's hash sets may be destroyed uninitialized.
  std::unique_ptr<const Catalog> catalog_;
  std::vector<Problem> problems_;
};

}  // namespace

std::vector<Problem> ValidateRoleDefinition(
    const RoleDefinition& role, const ProviderOperationSet* operations) {
  return Validator(role, operations).Run();
}

}  // namespace portcullis::rbac
