// The one rule for reading a folder of JSON inputs, shared by `decide`
// scenarios and the command-line tools.
#ifndef PORTCULLIS_DECIDE_JSON_FILES_H_
#define PORTCULLIS_DECIDE_JSON_FILES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace portcullis::decide {

// Lists the files of `folder` whose names end in `.json` in any case
// (`a.json`, `b.JSON`), as `folder/name` paths sorted by name. Fails with
// NotFound when the folder cannot be read, and with InvalidArgument naming
// the folder when it contains no such file: an empty policy folder would
// otherwise silently mean "no policies". Thread-safe.
absl::StatusOr<std::vector<std::string>> ListJsonFiles(const std::string& folder);

}  // namespace portcullis::decide

#endif  // PORTCULLIS_DECIDE_JSON_FILES_H_
