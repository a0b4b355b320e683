#include "decide/json_files.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace portcullis::decide {

absl::StatusOr<std::vector<std::string>> ListJsonFiles(const std::string& folder) {
  DIR* dir = opendir(folder.c_str());
  if (dir == nullptr) {
    return absl::NotFoundError(absl::StrCat(folder, ": failed to read the folder"));
  }
  std::vector<std::string> files;
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (!absl::EndsWithIgnoreCase(name, ".json")) continue;
    std::string path = absl::StrCat(folder, "/", name);
    struct stat info;
    // A folder named like a file is not an input.
    if (stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) continue;
    files.push_back(std::move(path));
  }
  closedir(dir);
  if (files.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        folder, ": the folder contains no JSON file (a name ending in .json, in any case)"));
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace portcullis::decide
