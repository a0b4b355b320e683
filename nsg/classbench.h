// Loads ClassBench filter sets and traces into the rule table.
//
// ClassBench (Taylor and Turner, "ClassBench: a packet classification
// benchmark", IEEE/ACM Transactions on Networking 15(3), 2007) is the
// standard input for packet classifiers. A filter set has one rule per line,
// fields separated by white space:
//
//   @192.0.2.0/24  198.51.100.7/32  0 : 65535  1521 : 1521  0x06/0xFF  0x1000/0x1000
//    source        destination      src ports  dst ports    protocol   flags (checked, ignored)
//
// Line order is priority: the first rule line gets priority 0, the highest.
// A protocol mask of 0xFF matches that protocol exactly (any number 0-255,
// GRE and the traces' 0 and 255 included); a mask of 0x00 matches any
// protocol. Addresses are IPv4. Host bits below the prefix length are
// cleared, since ClassBench compares under the mask. Every rule is an allow
// rule: the format has no access field.
//
// A trace has one header per line: source, destination (decimal 32-bit
// integers), source port, destination port, protocol, then optional columns
// of decimal integers that are ignored (flags, and the index of the rule the
// header was generated from, which is not necessarily the deciding rule).
#ifndef PORTCULLIS_NSG_CLASSBENCH_H_
#define PORTCULLIS_NSG_CLASSBENCH_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nsg/rule_table.h"

namespace portcullis::nsg {

// Parses a ClassBench filter set. Errors name the 1-based line and quote the
// offending field, such as `line 7: invalid protocol "0x06/0x0F"; expected a
// mask of 0xFF or 0x00`. Blank lines are skipped but still counted.
absl::StatusOr<RuleTable> ParseClassBenchRules(absl::string_view text);

// Parses a ClassBench trace into IPv4 flows, one per line. A blank line
// before the end is an error, since results are printed one per trace line.
absl::StatusOr<std::vector<FlowV4>> ParseClassBenchTrace(absl::string_view text);

}  // namespace portcullis::nsg

#endif  // PORTCULLIS_NSG_CLASSBENCH_H_
