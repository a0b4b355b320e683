// Compiles a resolved network security group into the 5-tuple classifier.
//
// The reference evaluator (evaluate_rules.h) scans an NSG's rules in
// priority order. CompiledNsg turns the same resolved rules, service tags
// and application security groups already expanded, into one Classifier
// per direction, and returns the same deciding rule:
//
//   absl::StatusOr<ResolvedNsg> resolved = ResolveNsg(nsg, resolver);
//   absl::StatusOr<CompiledNsg> compiled = CompiledNsg::Compile(*resolved);
//   const ResolvedRule& rule = compiled->Evaluate(flow);  // == EvaluateNsg
//
// Rule sets keep their size: a rule whose source is a service tag of
// thousands of prefixes costs memory in proportion to those prefixes (see
// classifier.h).
//
// Thread safety: immutable after Compile; Evaluate is const, noexcept and
// allocates nothing, so any number of threads may share one CompiledNsg.
#ifndef PORTCULLIS_NSG_COMPILE_H_
#define PORTCULLIS_NSG_COMPILE_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "nsg/classifier.h"
#include "nsg/evaluate_rules.h"
#include "nsg/rule_table.h"
#include "proto/nsg.pb.h"

namespace portcullis::nsg {

// Returns the IP protocol number a resolved rule's protocol compiles to, or
// nullopt for PROTOCOL_ANY. TCP, UDP, ICMP, ESP and AH are 6, 17, 1, 50 and
// 51 for both address families, so the table's ICMP stands for ICMPv6 too,
// as Azure's `Icmp` does. Fails on PROTOCOL_UNSPECIFIED.
absl::StatusOr<std::optional<uint8_t>> CompiledProtocol(Protocol protocol);

// Converts one resolved rule to a table rule: its address sets split by
// family, its port ranges, protocol, priority and access.
absl::StatusOr<TableRule> ToTableRule(const ResolvedRule& rule);

class CompiledNsg {
 public:
  // Compiles the rules of both directions of `nsg`.
  static absl::StatusOr<CompiledNsg> Compile(ResolvedNsg nsg,
                                             const ClassifierOptions& options = {});

  // Returns the rule that decides `flow`: the rule EvaluateNsg returns.
  // A flow whose source and destination differ in address family cannot
  // occur on a network; it is decided by the reference scan.
  const ResolvedRule& Evaluate(const ResolvedFlow& flow) const noexcept;

  const ResolvedNsg& nsg() const { return *nsg_; }
  // The table of `direction`; rule i is nsg().rules(direction)[i].
  const RuleTable& table(Direction direction) const {
    return direction == DIRECTION_OUTBOUND ? outbound_table_ : inbound_table_;
  }
  const Classifier& classifier(Direction direction) const {
    return direction == DIRECTION_OUTBOUND ? outbound_ : inbound_;
  }
  size_t memory_bytes() const {
    return inbound_.memory_bytes() + outbound_.memory_bytes();
  }

 private:
  CompiledNsg() = default;

  // Always set; optional only because ResolvedNsg has no public default
  // constructor.
  std::optional<ResolvedNsg> nsg_;
  RuleTable inbound_table_;
  RuleTable outbound_table_;
  Classifier inbound_;
  Classifier outbound_;
};

}  // namespace portcullis::nsg

#endif  // PORTCULLIS_NSG_COMPILE_H_
