// The just-in-time part of `portcullis demo`: the bastion's SSH connection
// to the VM before, during and after a JIT grant.
#ifndef PORTCULLIS_CLI_DEMO_JIT_H_
#define PORTCULLIS_CLI_DEMO_JIT_H_

#include <iostream>
#include <string>

#include "absl/status/status.h"
#include "nsg/evaluate_rules.h"
#include "nsg/service_tags.h"

namespace portcullis::cli {

// Prints the JIT steps, numbered from `first_step`, for the examples in
// `dir`: the VM subnet's NSG is `workload`, the NIC's NSG and JIT policy are
// read from `dir`.
absl::Status PrintJitDemo(const std::string& dir,
                          const nsg::AddressResolver& resolver,
                          const nsg::ResolvedNsg& workload, int first_step,
                          std::ostream& out);

}  // namespace portcullis::cli

#endif  // PORTCULLIS_CLI_DEMO_JIT_H_
