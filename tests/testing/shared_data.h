// Locates the shared real-data folder that tests read when it is present.
//
// The folder is taken from the PORTCULLIS_SHARED_DIR environment variable
// (tools/test sets it to the `shared` folder beside the checkout). Tests call
// SharedDir() and skip, saying so, when it returns nullopt:
//
//   auto dir = portcullis::testing::SharedDir();
//   if (!dir) GTEST_SKIP() << portcullis::testing::kNoSharedDirMessage;
#ifndef PORTCULLIS_TESTS_TESTING_SHARED_DATA_H_
#define PORTCULLIS_TESTS_TESTING_SHARED_DATA_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace portcullis::testing {

inline constexpr char kNoSharedDirMessage[] =
    "shared data folder not found: set PORTCULLIS_SHARED_DIR to the folder "
    "holding realdata/ and classbench/ to run this test";

// Returns the shared folder, or nullopt when it is not configured or absent.
std::optional<std::string> SharedDir();

// Returns the whole content of the file at `path`.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

// Returns the names (not paths) of the regular files in `dir` whose names end
// in `suffix`, sorted.
std::vector<std::string> ListFiles(const std::string& dir,
                                   absl::string_view suffix);

}  // namespace portcullis::testing

#endif  // PORTCULLIS_TESTS_TESTING_SHARED_DATA_H_
