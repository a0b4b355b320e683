// Publishes just-in-time grants to a running classifier without rebuilding
// it: each grant in force becomes one rule of the publisher's overlay, and
// leaves it when the grant ends or a newer request supersedes it.
//
//   // The inbound rules of the NSG that JIT manages, without grants.
//   std::shared_ptr<const RuleTable> base = ...;
//   auto publisher = ClassifierPublisher::Create(base);
//   JitGrantSync sync(publisher->get(), base, &resolver);
//   sync.Sync(grants, now);                        // at each change...
//   std::optional<absl::Time> next = JitGrantSync::NextChange(grants, now);
//
// A writer calls Sync() whenever the grants change and again at NextChange();
// readers keep classifying from whatever snapshot is published. Rules keep
// their NSG priorities, so the overlay merges with the base by priority
// exactly as the grant's allow rule would sit in the NSG.
//
// Thread safety: a JitGrantSync is used by one writer thread at a time.
// Readers never touch it; they read the publisher's snapshots.
#ifndef PORTCULLIS_NSG_JIT_PUBLISHER_H_
#define PORTCULLIS_NSG_JIT_PUBLISHER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nsg/jit.h"
#include "nsg/publisher.h"
#include "nsg/rule_table.h"
#include "nsg/service_tags.h"
#include "nsg/snapshot.h"

namespace portcullis::jit {

class JitGrantSync {
 public:
  // `publisher` publishes the inbound rules of the NSG that JIT manages, and
  // `base` is the table it was created from, without grants. `resolver`
  // resolves the grants' addresses. None is owned; all must outlive this.
  JitGrantSync(nsg::ClassifierPublisher* publisher,
               std::shared_ptr<const nsg::RuleTable> base,
               const nsg::AddressResolver* resolver)
      : publisher_(publisher), base_(std::move(base)), resolver_(resolver) {}

  // Publishes the allow rule of every grant active at `now` that is not yet
  // published, and withdraws published rules whose grants are no longer
  // active. Returns the number of rules added and withdrawn. A withdrawal
  // normally removes one overlay rule; when the publisher has already folded
  // the overlay into its base, the base is republished with the grants still
  // in force.
  absl::StatusOr<int> Sync(const std::vector<Grant>& grants, absl::Time now);

  // The first instant after `now` at which a grant starts or stops being
  // active, or nullopt when none will.
  static std::optional<absl::Time> NextChange(const std::vector<Grant>& grants,
                                              absl::Time now);

  // The grant rule's name behind `match` in `snapshot`, or "" when `match`
  // is a rule of the base table (or no rule).
  std::string GrantRuleName(const nsg::ClassifierSnapshot& snapshot,
                            const nsg::RuleMatch& match) const;

  // Names of the grant rules published now, in no particular order.
  std::vector<std::string> published_names() const;

 private:
  struct Published {
    std::string rule_name;
    nsg::TableRule rule;
    // The overlay id, or nullopt once the rule sits in a republished base.
    std::optional<uint64_t> overlay_id;
  };

  absl::StatusOr<nsg::TableRule> ToTableRule(const Grant& grant) const;
  absl::Status RepublishBase();

  nsg::ClassifierPublisher* publisher_;
  std::shared_ptr<const nsg::RuleTable> base_;
  const nsg::AddressResolver* resolver_;
  std::vector<Published> published_;
  // Rule names of grants appended to the base by RepublishBase, in table
  // order after base_'s own rules.
  std::vector<std::string> base_grants_;
};

}  // namespace portcullis::jit

#endif  // PORTCULLIS_NSG_JIT_PUBLISHER_H_
