// One NSG's rules of one direction compiled into the classifier, with
// time-bound rules (just-in-time grants) laid over them.
//
// The base is the NSG's resolved rules of that direction, Azure's default
// rules included, compiled once. Rules valid only on a window [start, end) go to
// overlays: the instants where any such window opens or closes cut time into
// segments, and each segment gets a ClassifierSnapshot (nsg/snapshot.h) whose
// overlay contains the rules valid throughout it. A lookup at `now` picks the
// segment by binary search and classifies there, so it allocates nothing and
// gives the same answer as the reference evaluator over the NSG with the
// rules valid at `now` added:
//
//   time   ──┬──────────┬──────────────┬──────────▶
//   segment  │ 0: base  │ 1: base + g1 │ 2: base
//         -inf     g1.start        g1.end
//
// The decision chain compiles the inbound rules of every NSG, for flows that
// arrive at the bastion and at the VM, and the outbound rules of the bastion
// subnet's NSG, for the bastion's session that leaves AzureBastionSubnet for
// the VM. A lookup takes the flow as its packets travel (source first) in
// either direction, because an NSG rule's source is the sender in both.
//
// Thread safety: immutable after Compile(); lookups are const, noexcept and
// take no locks.
#ifndef PORTCULLIS_DECIDE_INTERNAL_COMPILED_NSG_H_
#define PORTCULLIS_DECIDE_INTERNAL_COMPILED_NSG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nsg/classifier.h"
#include "nsg/evaluate_rules.h"
#include "nsg/rule_table.h"
#include "nsg/service_tags.h"
#include "nsg/snapshot.h"
#include "proto/nsg.pb.h"
#include "schedule/interval.h"

namespace portcullis::decide::internal {

// A rule valid on a half-open window of time.
struct TimedRule {
  nsg::SecurityRule rule;
  schedule::Window window;
};

// The deciding rule of one lookup.
struct NsgMatch {
  nsg::RuleMatch match;
  // The segment the lookup used, to name overlay rules.
  int segment = 0;
};

class CompiledNsg {
 public:
  // Resolves `group` with `resolver` and compiles its rules of `direction`,
  // and `timed` rules (user rules of the same direction) into the overlays
  // of the segments their windows cover. Fails when the NSG or a timed rule
  // does not resolve, or a timed rule has another direction.
  static absl::StatusOr<CompiledNsg> Compile(
      const nsg::NetworkSecurityGroup& group, nsg::Direction direction,
      const nsg::AddressResolver& resolver, const std::vector<TimedRule>& timed,
      const nsg::ClassifierOptions& options);

  CompiledNsg(CompiledNsg&&) = default;
  CompiledNsg& operator=(CompiledNsg&&) = default;

  // Returns the rule that decides `flow` at `now`.
  NsgMatch Lookup(const nsg::FlowV4& flow, absl::Time now) const noexcept;
  NsgMatch Lookup(const nsg::FlowV6& flow, absl::Time now) const noexcept;

  // The rule of `match` as Azure's IP flow verify names it
  // (`securityRules/<name>` or `defaultSecurityRules/<name>`); empty when no
  // rule matched.
  absl::string_view RuleName(const NsgMatch& match) const;

  // The timed rule behind `match`, or -1 for a base rule.
  int TimedRuleIndex(const NsgMatch& match) const;

  const std::string& name() const { return name_; }
  const std::string& id() const { return id_; }
  // The direction of the compiled rules: DIRECTION_INBOUND or
  // DIRECTION_OUTBOUND.
  nsg::Direction direction() const { return direction_; }
  // The NSG as compiled, for the reference evaluator.
  const nsg::NetworkSecurityGroup& source() const { return source_; }
  const std::vector<TimedRule>& timed_rules() const { return timed_; }
  size_t base_rule_count() const { return table_->size(); }
  size_t segment_count() const { return segments_.size(); }
  size_t memory_bytes() const;

 private:
  CompiledNsg() = default;

  int SegmentAt(absl::Time now) const noexcept;

  std::string name_;
  std::string id_;
  nsg::Direction direction_ = nsg::DIRECTION_INBOUND;
  nsg::NetworkSecurityGroup source_;
  std::vector<TimedRule> timed_;
  std::shared_ptr<const nsg::RuleTable> table_;
  // Per base table index.
  std::vector<std::string> base_names_;
  // Per timed rule.
  std::vector<std::string> timed_names_;
  // Segment i covers [segment_starts_[i], segment_starts_[i + 1]); the first
  // starts at absl::InfinitePast().
  std::vector<absl::Time> segment_starts_;
  std::vector<std::unique_ptr<const nsg::ClassifierSnapshot>> segments_;
  // Per segment: the timed rule behind each overlay rule.
  std::vector<std::vector<int>> segment_rules_;
};

}  // namespace portcullis::decide::internal

#endif  // PORTCULLIS_DECIDE_INTERNAL_COMPILED_NSG_H_
