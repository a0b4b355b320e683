// `portcullis rbac`: Azure RBAC decisions.
//
//   portcullis rbac check --roles FILE|DIR [--roles ...]
//       --assignments FILE [--assignments ...] [--deny-assignments FILE ...]
//       [--management-groups FILE] --principal ID [--group ID ...]
//       --action OPERATION [--data-action] --scope SCOPE [--json]
//   portcullis rbac validate --roles FILE|DIR [--roles ...]
//       [--operations FILE|DIR ...]
//
// Role definitions, role assignments, deny assignments and the
// management-group tree are read in the JSON that the REST API, `az` and
// PowerShell print. The decision is printed with its explanation, a line per
// assignment that concerns the principal, and any problem found in the
// input (such as an assignment of a role that is not loaded).
//
// `validate` lists what Azure would reject in each role definition (see
// access/rbac_validate.h), and with --operations the entries that name no
// operation of their plane.
//
// Exit status: 0 when the request was decided (allowed or denied) or no role
// has a problem, 1 when `validate` found problems, 2 on bad flags,
// unreadable or invalid input, or a malformed --scope or --action.
#ifndef PORTCULLIS_CLI_RBAC_COMMAND_H_
#define PORTCULLIS_CLI_RBAC_COMMAND_H_

#include <string>
#include <vector>

namespace portcullis::cli {

int RunRbacCommand(const std::vector<std::string>& args);

}  // namespace portcullis::cli

#endif  // PORTCULLIS_CLI_RBAC_COMMAND_H_
