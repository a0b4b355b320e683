// The `portcullis` command: dispatches to a command group.
//
// Exit status: 0 when a command evaluated its input, whatever the decision;
// 2 on bad flags or unreadable input, with the reason on standard error.
// Commands that name other codes (such as `nsg validate`) document them.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli/access_command.h"
#include "cli/classbench_command.h"
#include "cli/decide_command.h"
#include "cli/demo_command.h"
#include "cli/flags.h"
#include "cli/jit_command.h"
#include "cli/nsg_command.h"
#include "cli/pim_command.h"
#include "cli/rbac_command.h"

namespace {

struct CommandGroup {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& args);
};

// Command groups register here as they are built.
const CommandGroup kGroups[] = {
    {"jit", "just-in-time VM access requests and their state",
     portcullis::cli::RunJitCommand},
    {"nsg", "network security group flows, validation and effective rules",
     portcullis::cli::RunNsgCommand},
    {"demo", "walk through the reference architecture, from NSG flows to whole decisions",
     portcullis::cli::RunDemoCommand},
    {"classbench", "classify a ClassBench trace against a ClassBench rule set",
     portcullis::cli::RunClassBenchCommand},
    {"rbac", "Azure RBAC decisions: role and deny assignments at a scope",
     portcullis::cli::RunRbacCommand},
    {"access", "Conditional Access What-If for a sign-in",
     portcullis::cli::RunAccessCommand},
    {"decide", "one connection attempt through every layer, from a scenario file",
     portcullis::cli::RunDecideCommand},
    {"pim", "PIM role activation decisions and work-hour windows",
     portcullis::cli::RunPimCommand},
    {nullptr, nullptr, nullptr},
};

void PrintUsage(std::ostream& out) {
  out << "usage: portcullis COMMAND [ARGS...]\n\ncommands:\n";
  for (const CommandGroup& group : kGroups) {
    if (group.name == nullptr) continue;
    out << "  " << group.name << "  " << group.summary << "\n";
  }
  out << "\nRun `portcullis COMMAND --help` for the flags of a command.\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(std::cerr);
    return 2;
  }
  std::string command = argv[1];
  if (portcullis::cli::IsHelpFlag(command) || command == "help") {
    PrintUsage(std::cout);
    return 0;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const CommandGroup& group : kGroups) {
    if (group.name != nullptr && command == group.name) return group.run(args);
  }
  std::cerr << "unknown command '" << command << "'\n";
  PrintUsage(std::cerr);
  return 2;
}
