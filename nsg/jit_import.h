// Importing Defender for Cloud just-in-time (JIT) policies, JIT requests and
// network interfaces from the JSON that Azure tools write.
//
// Each importer recognizes the real shapes by their members:
//
//   - a resource as the REST API or `az` returns it (`properties` holding
//     `virtualMachines`), and a PUT body without id;
//   - the REST API's example files, whose request sits in `parameters.body`
//     and whose response sits in `responses.<code>.body`;
//   - a list (`value[]`), for policies. A list whose `nextLink` names a
//     next page is an error, because the policies on the other pages would
//     be missing.
//
// Fields are checked as they are read, and the first problem is returned as
// an InvalidArgument status naming its JSON path and value:
//
//   absl::StatusOr<std::vector<JitPolicy>> policies = ImportJitPolicies(bytes);
//   absl::StatusOr<JitRequest> request = ImportJitRequest(bytes);
//   absl::StatusOr<NetworkInterface> nic = ImportNetworkInterface(bytes);
#ifndef PORTCULLIS_NSG_JIT_IMPORT_H_
#define PORTCULLIS_NSG_JIT_IMPORT_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nsg/service_tags.h"
#include "proto/jit.pb.h"

namespace portcullis::jit {

// Imports every JIT policy of a document: one resource, a list, or a REST
// example (the response body is preferred over the request body). Checks
// what the API checks: port numbers 0 to 65535, protocols `TCP`, `UDP` or
// `*` (any case), exactly one of `allowedSourceAddressPrefix` and
// `allowedSourceAddressPrefixes`, sources that are `*`, addresses or CIDR
// prefixes, and `maxRequestAccessDuration` between 5 minutes and 1 day.
// Request history entries are imported with ImportJitRequest's rules.
absl::StatusOr<std::vector<JitPolicy>> ImportJitPolicies(
    absl::string_view bytes);

// Imports one JIT request: an `initiate` body, a request as a policy's
// `requests[]` holds it, or a REST example of `initiate` (the request body
// `parameters.body` is preferred, since it is what a caller sends). Status
// strings are kept as given, including ones outside the API's enum such as
// `Initiating`.
absl::StatusOr<JitRequest> ImportJitRequest(absl::string_view bytes);

// Imports the facts of a network interface resource (`az network nic show`
// or the REST API's response, example envelopes included).
absl::StatusOr<NetworkInterface> ImportNetworkInterface(
    absl::string_view bytes);

// Adds the private address of each application security group membership
// of `nic` to `context`, keyed by the group id in lower case because the
// resolver compares ids without regard to case. Fails when an address is a
// prefix, since group members must be single addresses.
absl::Status AddApplicationSecurityGroupMembers(const NetworkInterface& nic,
                                                nsg::AddressContext& context);

// Parses `TCP`, `UDP` or `*`, without regard to case.
absl::StatusOr<JitProtocol> ParseJitProtocol(absl::string_view text);

}  // namespace portcullis::jit

#endif  // PORTCULLIS_NSG_JIT_IMPORT_H_
