#include "decide/internal/compiled_nsg.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "nsg/compile.h"

namespace portcullis::decide::internal {
namespace {

// Resolves `group` and returns its rules for `direction` in evaluation order.
absl::StatusOr<std::vector<nsg::ResolvedRule>> RulesOf(
    const nsg::NetworkSecurityGroup& group, nsg::Direction direction,
    const nsg::AddressResolver& resolver) {
  absl::StatusOr<nsg::ResolvedNsg> resolved = nsg::ResolveNsg(group, resolver);
  if (!resolved.ok()) return resolved.status();
  return resolved->rules(direction);
}

// Resolves the timed rules, in order. ResolveRules() appends Azure's default
// rules after the user rules; they are dropped here.
absl::StatusOr<std::vector<nsg::ResolvedRule>> ResolveTimed(
    const std::vector<TimedRule>& timed, nsg::Direction direction,
    const nsg::AddressResolver& resolver) {
  nsg::NetworkSecurityGroup holder;
  holder.set_name("timed rules");
  for (const TimedRule& entry : timed) {
    if (entry.rule.direction() != direction) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rule ", entry.rule.name(), ": invalid direction; expected an ",
          direction == nsg::DIRECTION_OUTBOUND ? "outbound" : "inbound",
          " time-bound rule"));
    }
    *holder.add_security_rules() = entry.rule;
  }
  absl::StatusOr<std::vector<nsg::ResolvedRule>> resolved =
      nsg::ResolveRules(holder, resolver);
  if (!resolved.ok()) return resolved.status();
  resolved->resize(timed.size());
  return resolved;
}

}  // namespace

absl::StatusOr<CompiledNsg> CompiledNsg::Compile(
    const nsg::NetworkSecurityGroup& group, nsg::Direction direction,
    const nsg::AddressResolver& resolver, const std::vector<TimedRule>& timed,
    const nsg::ClassifierOptions& options) {
  if (direction != nsg::DIRECTION_INBOUND && direction != nsg::DIRECTION_OUTBOUND) {
    return absl::InvalidArgumentError(
        absl::StrCat("direction: invalid value ", static_cast<int>(direction),
                     "; expected inbound or outbound"));
  }
  absl::StatusOr<std::vector<nsg::ResolvedRule>> base = RulesOf(group, direction, resolver);
  if (!base.ok()) return base.status();
  absl::StatusOr<std::vector<nsg::ResolvedRule>> overlay =
      ResolveTimed(timed, direction, resolver);
  if (!overlay.ok()) return overlay.status();

  CompiledNsg compiled;
  compiled.name_ = group.name();
  compiled.id_ = group.id();
  compiled.direction_ = direction;
  compiled.source_ = group;
  compiled.timed_ = timed;

  std::vector<nsg::TableRule> rules;
  rules.reserve(base->size());
  for (const nsg::ResolvedRule& rule : *base) {
    absl::StatusOr<nsg::TableRule> table_rule = nsg::ToTableRule(rule);
    if (!table_rule.ok()) return table_rule.status();
    rules.push_back(*std::move(table_rule));
    compiled.base_names_.push_back(rule.reference);
  }
  absl::StatusOr<nsg::RuleTable> table = nsg::RuleTable::Create(std::move(rules));
  if (!table.ok()) return table.status();
  compiled.table_ = std::make_shared<const nsg::RuleTable>(*std::move(table));
  absl::StatusOr<nsg::Classifier> classifier =
      nsg::Classifier::Compile(*compiled.table_, options);
  if (!classifier.ok()) return classifier.status();
  auto shared = std::make_shared<const nsg::Classifier>(*std::move(classifier));

  std::vector<nsg::TableRule> timed_rules;
  for (const nsg::ResolvedRule& rule : *overlay) {
    absl::StatusOr<nsg::TableRule> table_rule = nsg::ToTableRule(rule);
    if (!table_rule.ok()) return table_rule.status();
    timed_rules.push_back(*std::move(table_rule));
    compiled.timed_names_.push_back(rule.reference);
  }

  // Every instant where a window opens or closes starts a segment.
  std::vector<absl::Time> starts = {absl::InfinitePast()};
  for (const TimedRule& entry : timed) {
    if (entry.window.empty()) continue;
    starts.push_back(entry.window.start);
    starts.push_back(entry.window.end);
  }
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  if (starts.back() == absl::InfiniteFuture()) starts.pop_back();

  // Sweep the segment starts in order: a rule is live from its window's
  // start until its end, and each segment lists its live rules in index
  // order. Empty windows contain no instant and never go live.
  std::vector<size_t> by_start;
  for (size_t i = 0; i < timed.size(); ++i) {
    if (!timed[i].window.empty()) by_start.push_back(i);
  }
  std::vector<size_t> by_end = by_start;
  std::stable_sort(by_start.begin(), by_start.end(), [&](size_t a, size_t b) {
    return timed[a].window.start < timed[b].window.start;
  });
  std::stable_sort(by_end.begin(), by_end.end(), [&](size_t a, size_t b) {
    return timed[a].window.end < timed[b].window.end;
  });
  std::set<size_t> live;
  size_t next_start = 0;
  size_t next_end = 0;

  for (size_t s = 0; s < starts.size(); ++s) {
    for (; next_start < by_start.size() &&
           timed[by_start[next_start]].window.start <= starts[s];
         ++next_start) {
      live.insert(by_start[next_start]);
    }
    for (; next_end < by_end.size() &&
           timed[by_end[next_end]].window.end <= starts[s];
         ++next_end) {
      live.erase(by_end[next_end]);
    }
    std::vector<nsg::TableRule> active;
    std::vector<uint64_t> ids;
    std::vector<int> behind;
    for (size_t i : live) {
      active.push_back(timed_rules[i]);
      ids.push_back(i);
      behind.push_back(static_cast<int>(i));
    }
    absl::StatusOr<std::unique_ptr<const nsg::ClassifierSnapshot>> segment =
        nsg::ClassifierSnapshot::Create(s + 1, compiled.table_, shared,
                                        std::move(active), std::move(ids),
                                        options);
    if (!segment.ok()) return segment.status();
    compiled.segments_.push_back(*std::move(segment));
    compiled.segment_rules_.push_back(std::move(behind));
  }
  compiled.segment_starts_ = std::move(starts);
  return compiled;
}

int CompiledNsg::SegmentAt(absl::Time now) const noexcept {
  auto after = std::upper_bound(segment_starts_.begin(), segment_starts_.end(), now);
  return static_cast<int>(after - segment_starts_.begin()) - 1;
}

NsgMatch CompiledNsg::Lookup(const nsg::FlowV4& flow, absl::Time now) const noexcept {
  int segment = SegmentAt(now);
  return {segments_[segment]->Lookup(flow), segment};
}

NsgMatch CompiledNsg::Lookup(const nsg::FlowV6& flow, absl::Time now) const noexcept {
  int segment = SegmentAt(now);
  return {segments_[segment]->Lookup(flow), segment};
}

int CompiledNsg::TimedRuleIndex(const NsgMatch& match) const {
  if (!match.match.found() || match.match.index < table_->size()) return -1;
  return segment_rules_[match.segment][match.match.index - table_->size()];
}

absl::string_view CompiledNsg::RuleName(const NsgMatch& match) const {
  if (!match.match.found()) return "";
  int timed = TimedRuleIndex(match);
  if (timed >= 0) return timed_names_[timed];
  return base_names_[match.match.index];
}

size_t CompiledNsg::memory_bytes() const {
  size_t bytes = segments_.front()->base()->memory_bytes();
  for (const auto& segment : segments_) {
    bytes += segment->memory_bytes() - segment->base()->memory_bytes();
  }
  return bytes;
}

}  // namespace portcullis::decide::internal
