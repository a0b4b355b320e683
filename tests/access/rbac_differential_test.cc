// Compares Policy::Check() with the slow reference evaluator on random
// inputs built from real built-in roles, real operation names and synthetic
// patterns, scopes in mixed case and time-bound assignments.
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "access/rbac.h"
#include "access/rbac_import.h"
#include "access/rbac_reference.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/shared_data.h"
#include "tests/testing/status_matchers.h"

namespace portcullis::rbac {
namespace {

using ::portcullis::testing::IsOk;
using ::portcullis::testing::ReadFileToString;
using ::portcullis::testing::SharedDir;

const absl::Time kBase = absl::FromUnixSeconds(1796400000);

class RandomInputs {
 public:
  explicit RandomInputs(uint32_t seed) : seed_(seed), random_(seed) { LoadRealData(); }

  RbacInput MakeInput() {
    RbacInput input;
    for (const RoleDefinition& role : real_roles_) {
      *input.add_role_definitions() = role;
    }
    int synthetic = Uniform(1, 6);
    for (int i = 0; i < synthetic; ++i) AddSyntheticRole(i, input);

    // s1 sits in management group "a", which sits in "b", the tenant root
    // group. One input in six has no tree, one in six places only "a", and
    // one in six leaves the parent of "b" unknown, so that deny assignments
    // at management groups meet scopes whose place is unknown or
    // incomplete. The choice takes no random numbers, so the rest of the
    // input stays as it was.
    const int tree = static_cast<int>(seed_ % 6);
    if (tree >= 2) AddParent("/subscriptions/s1", "a", input);
    if (tree >= 1) {
      AddParent("/providers/Microsoft.Management/managementGroups/a", "b",
                input);
    }
    if (tree >= 3) {
      ScopeParent* root = input.add_scope_parents();
      root->set_child("/providers/Microsoft.Management/managementGroups/b");
      root->set_parent("/");
    }

    int assignments = Uniform(0, 12);
    for (int i = 0; i < assignments; ++i) AddAssignment(i, input);
    int denies = Uniform(0, 3);
    for (int i = 0; i < denies; ++i) AddDeny(i, input);
    return input;
  }

  // The request's views point into `storage`.
  Request MakeRequest(std::vector<std::string>& storage) {
    storage.clear();
    storage.push_back(Pick(Principals()));
    storage.push_back(Pick(Actions()));
    storage.push_back(Vary(Pick(RequestScopes())));
    int groups = Uniform(0, 2);
    for (int i = 0; i < groups; ++i) groups_.push_back(Pick(Principals()));

    Request request;
    request.principal_id = storage[0];
    request.action = storage[1];
    request.scope = storage[2];
    request.plane = Uniform(0, 1) == 0 ? Plane::kControl : Plane::kData;
    request.group_ids = groups_;
    return request;
  }

  void ClearGroups() { groups_.clear(); }

  absl::Time MakeTime() { return kBase + absl::Hours(Uniform(-3, 12)); }

 private:
  void LoadRealData() {
    if (!SharedDir()) return;
    std::string folder = *SharedDir() + "/realdata/rbac/builtin-roles";
    for (const std::string& name :
         portcullis::testing::ListFiles(folder, ".json")) {
      absl::StatusOr<std::string> bytes =
          ReadFileToString(folder + "/" + name);
      EXPECT_THAT(bytes, IsOk());
      absl::StatusOr<std::vector<RoleDefinition>> roles =
          ParseRoleDefinitions(*bytes, name);
      EXPECT_THAT(roles, IsOk());
      for (const RoleDefinition& role : *roles) real_roles_.push_back(role);
    }
    std::string operations_folder =
        *SharedDir() + "/realdata/rbac/provider-operations";
    for (const std::string& name :
         portcullis::testing::ListFiles(operations_folder, ".json")) {
      absl::StatusOr<std::string> bytes =
          ReadFileToString(operations_folder + "/" + name);
      EXPECT_THAT(bytes, IsOk());
      absl::StatusOr<ProviderOperationSet> operations =
          ParseProviderOperations(*bytes);
      EXPECT_THAT(operations, IsOk());
      // A sample keeps the test fast while covering every provider.
      for (int i = 0; i < operations->operations_size(); i += 37) {
        real_actions_.push_back(operations->operations(i).name());
      }
    }
  }

  int Uniform(int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random_);
  }

  template <typename T>
  const T& Pick(const std::vector<T>& values) {
    return values[Uniform(0, static_cast<int>(values.size()) - 1)];
  }

  // Changes the case of some characters.
  std::string VaryCase(std::string text) {
    for (char& c : text) {
      if (Uniform(0, 9) == 0) {
        c = absl::ascii_isupper(c) ? absl::ascii_tolower(c)
                                   : absl::ascii_toupper(c);
      }
    }
    return text;
  }

  // Changes the case of some characters and sometimes adds a trailing slash,
  // which a scope may have.
  std::string Vary(std::string text) {
    text = VaryCase(std::move(text));
    if (Uniform(0, 5) == 0) text += "/";
    return text;
  }

  static const std::vector<std::string>& Principals() {
    static const auto* values =
        new std::vector<std::string>{"u1", "u2", "U1", "g1", "g2"};
    return *values;
  }

  static const std::vector<std::string>& Segments() {
    static const auto* values = new std::vector<std::string>{
        "Microsoft.Compute", "Microsoft.Network", "virtualMachines",
        "extensions",        "read",              "write",
        "delete",            "login",             "action",
        "networkInterfaces"};
    return *values;
  }

  std::vector<std::string> Actions() {
    std::vector<std::string> actions = real_actions_;
    for (const char* action :
         {"Microsoft.Compute/virtualMachines/read",
          "Microsoft.Compute/virtualMachines/write",
          "Microsoft.Compute/virtualMachines/login/action",
          "Microsoft.Compute/virtualMachines/extensions/read",
          "Microsoft.Network/networkInterfaces/read",
          "Microsoft.Authorization/roleAssignments/write",
          "Microsoft.KeyVault/vaults/secrets/getSecret/action",
          "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
          "Microsoft.Compute/read"}) {
      actions.push_back(action);
    }
    return actions;
  }

  std::string SyntheticPattern() {
    int length = Uniform(1, 4);
    std::vector<std::string> parts;
    for (int i = 0; i < length; ++i) {
      parts.push_back(Uniform(0, 3) == 0 ? "*" : Pick(Segments()));
    }
    // An action pattern never ends in '/': that is an empty segment.
    return VaryCase(absl::StrJoin(parts, "/"));
  }

  static const std::vector<std::string>& AssignmentScopes() {
    static const auto* values = new std::vector<std::string>{
        "/",
        "/providers/Microsoft.Management/managementGroups/a",
        "/providers/Microsoft.Management/managementGroups/b",
        "/providers/Microsoft.Management/managementGroups/c",
        "/subscriptions/s1",
        "/subscriptions/s2",
        "/providers/Microsoft.Subscription/subscriptions/s1",
        "/subscriptions/s1/resourceGroups/rg1",
        "/subscriptions/s1/resourceGroups/rg2",
        "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/"
        "virtualMachines/vm1",
    };
    return *values;
  }

  static const std::vector<std::string>& RequestScopes() {
    static const auto* values = new std::vector<std::string>{
        "/",
        "/providers/Microsoft.Management/managementGroups/a",
        "/subscriptions/s1",
        "/subscriptions/s10",
        "/subscriptions/s2/resourceGroups/rg1",
        "/subscriptions/s1/resourceGroups/rg1",
        "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/"
        "virtualMachines/vm1",
        "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/"
        "virtualMachines/vm1/extensions/e1",
        "/subscriptions/s1/resourceGroups/rg2/providers/Microsoft.KeyVault/"
        "vaults/kv/secrets/pw",
        "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/"
        "virtualMachines/vm10",
    };
    return *values;
  }

  void AddSyntheticRole(int index, RbacInput& input) {
    RoleDefinition* role = input.add_role_definitions();
    role->set_name(absl::StrCat("synthetic-", index));
    role->set_role_name(absl::StrCat("Synthetic ", index));
    role->set_role_type(Uniform(0, 1) == 0 ? ROLE_TYPE_CUSTOM
                                           : ROLE_TYPE_BUILT_IN);
    int scopes = Uniform(0, 2);
    for (int i = 0; i < scopes; ++i) {
      role->add_assignable_scopes(Pick(AssignmentScopes()));
    }
    int blocks = Uniform(1, 2);
    for (int b = 0; b < blocks; ++b) {
      Permission* permission = role->add_permissions();
      for (int i = Uniform(0, 3); i > 0; --i) {
        permission->add_actions(SyntheticPattern());
      }
      for (int i = Uniform(0, 2); i > 0; --i) {
        permission->add_not_actions(SyntheticPattern());
      }
      for (int i = Uniform(0, 2); i > 0; --i) {
        permission->add_data_actions(SyntheticPattern());
      }
      for (int i = Uniform(0, 1); i > 0; --i) {
        permission->add_not_data_actions(SyntheticPattern());
      }
      if (Uniform(0, 5) == 0) permission->set_condition("@Resource[x] == 'y'");
    }
  }

  void AddParent(const std::string& child, const std::string& group,
                 RbacInput& input) {
    ScopeParent* link = input.add_scope_parents();
    link->set_child(child);
    link->set_parent(
        absl::StrCat("/providers/Microsoft.Management/managementGroups/", group));
  }

  void AddAssignment(int index, RbacInput& input) {
    RoleAssignment* assignment = input.add_role_assignments();
    assignment->set_name(absl::StrCat("assignment-", index));
    assignment->set_principal_id(Pick(Principals()));
    assignment->set_principal_type(TypeOf(assignment->principal_id(), index));
    assignment->set_scope(Vary(Pick(AssignmentScopes())));
    int role = Uniform(0, input.role_definitions_size());
    assignment->set_role_definition_id(
        role == input.role_definitions_size()
            ? "/providers/Microsoft.Authorization/roleDefinitions/missing"
            : absl::StrCat("/providers/Microsoft.Authorization/roleDefinitions/",
                           input.role_definitions(role).name()));
    if (Uniform(0, 6) == 0) assignment->set_condition("@Request[x] == 'y'");
    if (Uniform(0, 3) == 0) {
      absl::Time start = kBase + absl::Hours(Uniform(-2, 4));
      assignment->mutable_start_time()->set_seconds(absl::ToUnixSeconds(start));
      assignment->mutable_end_time()->set_seconds(
          absl::ToUnixSeconds(start + absl::Hours(Uniform(0, 8))));
    }
  }

  void AddDeny(int index, RbacInput& input) {
    DenyAssignment* deny = input.add_deny_assignments();
    deny->set_name(absl::StrCat("deny-", index));
    deny->set_scope(Vary(Pick(AssignmentScopes())));
    deny->set_do_not_apply_to_child_scopes(Uniform(0, 2) == 0);
    Permission* permission = deny->add_permissions();
    for (int i = Uniform(0, 2); i > 0; --i) {
      permission->add_actions(SyntheticPattern());
    }
    for (int i = Uniform(0, 1); i > 0; --i) {
      permission->add_not_actions(SyntheticPattern());
    }
    for (int i = Uniform(0, 1); i > 0; --i) {
      permission->add_data_actions(SyntheticPattern());
    }
    if (Uniform(0, 2) == 0) {
      deny->add_principals()->set_id(std::string(kAllPrincipalsId));
    } else {
      Principal* principal = deny->add_principals();
      principal->set_id(Pick(Principals()));
      principal->set_type(TypeOf(principal->id(), index));
    }
    if (Uniform(0, 2) == 0) {
      Principal* excluded = deny->add_exclude_principals();
      excluded->set_id("g2");
      excluded->set_type(TypeOf("g2", index));
    }
  }

  // A principalType for `id`, which matters when the requester's groups are
  // unknown: groups are "Group" or untyped, users "User" or untyped. It
  // draws no random numbers, so the rest of the input stays as it was.
  static std::string TypeOf(absl::string_view id, int index) {
    if (index % 2 == 0) return "";
    return absl::StartsWithIgnoreCase(id, "g") ? "Group" : "User";
  }

  uint32_t seed_;
  std::mt19937 random_;
  std::vector<RoleDefinition> real_roles_;
  std::vector<std::string> real_actions_;
  std::vector<std::string> groups_;
};

std::string Describe(const Decision& decision) {
  return absl::StrCat(
      decision.allowed ? "allow" : "deny", " ", ReasonName(decision.reason),
      " grant=", decision.assignment, "/", decision.role_block, "/",
      decision.grant_pattern, " deny=", decision.deny_assignment, "/",
      decision.deny_block, "/", decision.deny_pattern);
}

TEST(RbacDifferential, CompiledMatchesReference) {
  int compared = 0;
  int allowed = 0;
  int denied_by_deny = 0;
  int conditional = 0;
  int unknown_deny = 0;
  int unknown_grant = 0;
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    RandomInputs inputs(seed);
    RbacInput input = inputs.MakeInput();
    absl::StatusOr<Policy> policy = Policy::Compile(input);
    ASSERT_THAT(policy, IsOk()) << "seed " << seed;
    for (int i = 0; i < 100; ++i) {
      std::vector<std::string> storage;
      inputs.ClearGroups();
      Request request = inputs.MakeRequest(storage);
      // Every fourth request has unknown groups.
      request.groups_known = i % 4 != 0;
      absl::Time now = inputs.MakeTime();
      Decision fast = policy->Check(request, now);
      Decision slow = ReferenceCheck(input, request, now);
      ASSERT_EQ(Describe(fast), Describe(slow))
          << "seed " << seed << " request " << i << ": principal '"
          << request.principal_id << "' action '" << request.action
          << "' scope '" << request.scope << "' plane "
          << (request.plane == Plane::kData ? "data" : "control")
          << (request.groups_known ? "" : " groups unknown") << "\n"
          << input.DebugString();
      ++compared;
      if (fast.allowed) ++allowed;
      if (fast.reason == Reason::kDenyAssignment) ++denied_by_deny;
      if (fast.reason == Reason::kConditionNotEvaluated) ++conditional;
      if (fast.reason == Reason::kGroupMembershipUnknown) {
        ++(fast.deny_assignment >= 0 ? unknown_deny : unknown_grant);
      }
    }
  }
  EXPECT_EQ(compared, 4000);
  // The inputs must exercise every outcome, or the comparison proves little.
  EXPECT_GT(allowed, 100);
  EXPECT_GT(denied_by_deny, 25);
  EXPECT_GT(conditional, 5);
  EXPECT_GT(unknown_deny, 5) << "deny assignments that may apply through a group";
  EXPECT_GT(unknown_grant, 5) << "grants only through a possible group";
}

// Every shape of a small management-group tree, from none to one that
// reaches the root scope, against deny assignments at each group: where
// the tree stops below the root, a group it does not list may be above.
TEST(RbacDifferential, TreeShapesMatchReference) {
  const std::string groups = "/providers/Microsoft.Management/managementGroups/";
  struct Link {
    const char* child;
    const char* parent;
  };
  const std::vector<std::vector<Link>> trees = {
      {},
      {{"a", "b"}},
      {{"s1", "a"}},
      {{"s1", "a"}, {"a", "b"}},
      {{"s1", "a"}, {"a", "b"}, {"b", "/"}},
      {{"s1", "a"}, {"a", "/"}},
      {{"a", "b"}, {"b", "/"}},
  };
  const std::vector<std::string> request_scopes = {
      "/",
      groups + "a",
      groups + "b",
      "/subscriptions/s1",
      "/subscriptions/s1/resourceGroups/rg1",
      "/subscriptions/s2",
  };
  int compared = 0;
  int denied = 0;
  int allowed = 0;
  for (const std::vector<Link>& tree : trees) {
    for (const char* deny_group : {"a", "b", "c"}) {
      for (bool exact : {false, true}) {
        RbacInput input;
        RoleDefinition* role = input.add_role_definitions();
        role->set_name("role-everything");
        role->set_role_type(ROLE_TYPE_BUILT_IN);
        role->add_assignable_scopes("/");
        role->add_permissions()->add_actions("*");
        RoleAssignment* assignment = input.add_role_assignments();
        assignment->set_principal_id("u1");
        assignment->set_role_definition_id("role-everything");
        assignment->set_scope("/");
        DenyAssignment* deny = input.add_deny_assignments();
        deny->set_scope(groups + deny_group);
        deny->set_do_not_apply_to_child_scopes(exact);
        deny->add_principals()->set_id(std::string(kAllPrincipalsId));
        deny->add_permissions()->add_actions("*/delete");
        for (const Link& link : tree) {
          ScopeParent* parent = input.add_scope_parents();
          parent->set_child(link.child[0] == 's'
                                ? absl::StrCat("/subscriptions/", link.child)
                                : groups + link.child);
          parent->set_parent(link.parent[0] == '/' ? std::string("/")
                                                   : groups + link.parent);
        }
        absl::StatusOr<Policy> policy = Policy::Compile(input);
        ASSERT_THAT(policy, IsOk()) << input.DebugString();
        for (const std::string& scope : request_scopes) {
          Request request;
          request.principal_id = "u1";
          request.action = "Microsoft.Compute/virtualMachines/delete";
          request.scope = scope;
          Decision fast = policy->Check(request, kBase);
          Decision slow = ReferenceCheck(input, request, kBase);
          ASSERT_EQ(Describe(fast), Describe(slow))
              << "scope '" << scope << "'\n" << input.DebugString();
          ++compared;
          ++(fast.allowed ? allowed : denied);
        }
      }
    }
  }
  EXPECT_EQ(compared, 7 * 3 * 2 * 6);
  EXPECT_GT(allowed, 50);
  EXPECT_GT(denied, 50);
}

}  // namespace
}  // namespace portcullis::rbac
