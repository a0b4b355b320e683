#include "nsg/jit_publisher.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "nsg/compile.h"
#include "nsg/evaluate_rules.h"

namespace portcullis::jit {

absl::StatusOr<nsg::TableRule> JitGrantSync::ToTableRule(
    const Grant& grant) const {
  nsg::NetworkSecurityGroup holder;
  holder.set_name("jit-grant");
  *holder.add_security_rules() = grant.rule;
  absl::StatusOr<std::vector<nsg::ResolvedRule>> resolved =
      nsg::ResolveRules(holder, *resolver_);
  if (!resolved.ok()) return resolved.status();
  std::string reference = nsg::RuleReference(grant.rule, false);
  for (const nsg::ResolvedRule& rule : *resolved) {
    if (rule.reference == reference) return nsg::ToTableRule(rule);
  }
  return absl::InternalError(
      absl::StrCat("grant rule ", grant.rule.name(), " did not resolve"));
}

absl::Status JitGrantSync::RepublishBase() {
  std::vector<nsg::TableRule> rules;
  rules.reserve(base_->size() + published_.size());
  for (size_t i = 0; i < base_->size(); ++i) rules.push_back(base_->rule(i));
  base_grants_.clear();
  for (Published& entry : published_) {
    rules.push_back(entry.rule);
    base_grants_.push_back(entry.rule_name);
    entry.overlay_id.reset();
  }
  absl::StatusOr<nsg::RuleTable> table = nsg::RuleTable::Create(std::move(rules));
  if (!table.ok()) return table.status();
  return publisher_->Publish(
      std::make_shared<const nsg::RuleTable>(*std::move(table)));
}

absl::StatusOr<int> JitGrantSync::Sync(const std::vector<Grant>& grants,
                                       absl::Time now) {
  std::vector<const Grant*> active;
  std::vector<GrantState> states = StatesAt(grants, now);
  for (size_t i = 0; i < grants.size(); ++i) {
    if (states[i].active) active.push_back(&grants[i]);
  }
  auto is_active = [&](const std::string& name) {
    return std::any_of(active.begin(), active.end(), [&](const Grant* grant) {
      return grant->rule.name() == name;
    });
  };

  int changes = 0;
  bool republish = false;
  for (auto it = published_.begin(); it != published_.end();) {
    if (is_active(it->rule_name)) {
      ++it;
      continue;
    }
    if (it->overlay_id.has_value()) {
      absl::Status removed = publisher_->RemoveRule(*it->overlay_id);
      if (absl::IsNotFound(removed)) {
        republish = true;  // folded into the base by an overlay rebuild
      } else if (!removed.ok()) {
        return removed;
      }
    } else {
      republish = true;
    }
    it = published_.erase(it);
    ++changes;
  }
  if (republish) {
    absl::Status status = RepublishBase();
    if (!status.ok()) return status;
  }

  for (const Grant* grant : active) {
    bool known = std::any_of(
        published_.begin(), published_.end(),
        [&](const Published& entry) { return entry.rule_name == grant->rule.name(); });
    if (known) continue;
    absl::StatusOr<nsg::TableRule> rule = ToTableRule(*grant);
    if (!rule.ok()) return rule.status();
    absl::StatusOr<uint64_t> id = publisher_->AddRule(*rule);
    if (!id.ok()) return id.status();
    published_.push_back({grant->rule.name(), *std::move(rule), *id});
    ++changes;
  }

  // A rebuild may have folded earlier overlay rules into the base; the
  // publisher then no longer knows their ids.
  const nsg::ClassifierSnapshot& current = publisher_->current_for_writer();
  const std::vector<uint64_t>& ids = current.overlay_ids();
  bool folded = false;
  for (const Published& entry : published_) {
    if (entry.overlay_id.has_value() &&
        std::find(ids.begin(), ids.end(), *entry.overlay_id) == ids.end()) {
      folded = true;
    }
  }
  if (folded) {
    absl::Status status = RepublishBase();
    if (!status.ok()) return status;
  }
  return changes;
}

std::optional<absl::Time> JitGrantSync::NextChange(
    const std::vector<Grant>& grants, absl::Time now) {
  std::optional<absl::Time> next;
  auto consider = [&](absl::Time t) {
    if (t > now && (!next.has_value() || t < *next)) next = t;
  };
  for (const Grant& grant : grants) {
    consider(grant.window.start);
    consider(grant.window.end);
  }
  return next;
}

std::string JitGrantSync::GrantRuleName(const nsg::ClassifierSnapshot& snapshot,
                                        const nsg::RuleMatch& match) const {
  if (!match.found()) return "";
  size_t index = match.index;
  if (index >= snapshot.base_size()) {
    uint64_t id = snapshot.overlay_ids()[index - snapshot.base_size()];
    for (const Published& entry : published_) {
      if (entry.overlay_id == id) return entry.rule_name;
    }
    return "";
  }
  if (index >= base_->size() && index - base_->size() < base_grants_.size()) {
    return base_grants_[index - base_->size()];
  }
  return "";
}

std::vector<std::string> JitGrantSync::published_names() const {
  std::vector<std::string> names;
  for (const Published& entry : published_) names.push_back(entry.rule_name);
  return names;
}

}  // namespace portcullis::jit
