#include "tests/testing/shared_data.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace portcullis::testing {

namespace {

bool IsDirectory(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

}  // namespace

std::optional<std::string> SharedDir() {
  const char* configured = std::getenv("PORTCULLIS_SHARED_DIR");
  if (configured == nullptr || *configured == '\0') return std::nullopt;
  std::string dir = configured;
  if (!IsDirectory(dir + "/realdata")) return std::nullopt;
  return dir;
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

std::vector<std::string> ListFiles(const std::string& dir,
                                   absl::string_view suffix) {
  std::vector<std::string> names;
  DIR* handle = opendir(dir.c_str());
  if (handle == nullptr) return names;
  while (dirent* entry = readdir(handle)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (!absl::EndsWith(name, suffix)) continue;
    if (IsDirectory(dir + "/" + name)) continue;
    names.push_back(name);
  }
  closedir(handle);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace portcullis::testing
