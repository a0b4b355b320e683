// A deterministic generator of NSG-shaped rule tables for benchmarks.
//
// ClassBench sets have one prefix per field; real NSGs do not. This table
// has the shape of a full Azure NSG: 1,000 rules at distinct priorities
// from 100 to 4096, augmented rules with several source and destination
// prefixes and port ranges, IPv4 and IPv6, and service-tag-like sets whose
// references add up to about 100,000 prefixes, then Azure's three default
// inbound rules. The same seed always gives the same table and flows, so
// figures can be compared across machines.
#ifndef PORTCULLIS_BENCHMARKS_CLASSIFIER_NSG_GENERATOR_H_
#define PORTCULLIS_BENCHMARKS_CLASSIFIER_NSG_GENERATOR_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "nsg/rule_table.h"

namespace portcullis::benchmarks {

struct NsgShapedSet {
  std::vector<nsg::TableRule> rules;
  // Flows for lookups: half inside a random rule, half arbitrary.
  std::vector<nsg::FlowV4> flows_v4;
  std::vector<nsg::FlowV6> flows_v6;
  // Prefixes referenced by all rules, counting each reference.
  size_t prefix_references = 0;
};

// Generates the set. `flow_count` flows are made per family.
NsgShapedSet GenerateNsgShapedSet(uint64_t seed, size_t flow_count);

}  // namespace portcullis::benchmarks

#endif  // PORTCULLIS_BENCHMARKS_CLASSIFIER_NSG_GENERATOR_H_
