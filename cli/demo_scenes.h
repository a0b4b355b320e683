// The decision-chain part of `portcullis demo`: every scenario file of the
// examples' `scenarios` folder, decided through all five layers, with a
// readable trail per scene.
#ifndef PORTCULLIS_CLI_DEMO_SCENES_H_
#define PORTCULLIS_CLI_DEMO_SCENES_H_

#include <ostream>
#include <string>

namespace portcullis::cli {

// Decides each scenario of `examples_dir`/scenarios in file name order and
// prints its trail to `out`: the scene, the equivalent `portcullis decide`
// command, the decision and each layer's outcome with its reasons. Returns
// 0, or 2 after printing the reason to standard error when a scenario
// cannot be read or built.
int PrintDecisionScenes(const std::string& examples_dir, std::ostream& out);

}  // namespace portcullis::cli

#endif  // PORTCULLIS_CLI_DEMO_SCENES_H_
