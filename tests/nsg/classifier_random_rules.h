// Random rule tables and flows for differential tests of the classifier.
//
// Rules draw their prefixes from a small pool of documentation-range
// networks so that they overlap, nest and tie; flows are drawn either inside
// a random rule (so that rules match) or around the pool's edges.
#ifndef PORTCULLIS_TESTS_NSG_CLASSIFIER_RANDOM_RULES_H_
#define PORTCULLIS_TESTS_NSG_CLASSIFIER_RANDOM_RULES_H_

#include <random>
#include <vector>

#include "nsg/rule_table.h"

namespace portcullis::nsg::testing {

struct RandomRuleOptions {
  int rule_count = 100;
  // Share of rules with IPv6 sets (some of them get IPv4 sets too).
  double v6_share = 0.3;
  // Largest number of prefixes in one address set. Sets above the
  // classifier's cross-product limit exercise the range-list path.
  int max_set_size = 4;
  // Share of rules that draw a large set (up to max_set_size).
  double large_set_share = 0.1;
  // Priorities are drawn from [0, priority_span), so small spans give ties.
  uint32_t priority_span = 1000;
  // Share of rules whose source ports are `*` beyond those that draw it.
  // At 1, every rule has them, as in ClassBench's acl1 sets.
  double any_source_port_share = 0;
};

// Returns how much to divide iteration counts by: 10 under sanitizers, whose
// builds run the same loops several times slower, and 1 otherwise.
int SanitizerSlowdown();

std::vector<TableRule> RandomRules(std::mt19937_64& rng,
                                   const RandomRuleOptions& options);

// A flow inside a random rule of `rules` half of the time, and a flow near
// the pool's networks otherwise.
FlowV4 RandomFlowV4(std::mt19937_64& rng, const std::vector<TableRule>& rules);
FlowV6 RandomFlowV6(std::mt19937_64& rng, const std::vector<TableRule>& rules);

}  // namespace portcullis::nsg::testing

#endif  // PORTCULLIS_TESTS_NSG_CLASSIFIER_RANDOM_RULES_H_
