// A main() for fuzz targets built without libFuzzer: feeds each file named on
// the command line to LLVMFuzzerTestOneInput once. Directories are walked one
// level deep. Exits non-zero when a file cannot be read.
#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

bool RunFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return false;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()),
                         bytes.size());
  return true;
}

bool RunPath(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return false;
  }
  if (!S_ISDIR(info.st_mode)) return RunFile(path);

  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return false;
  bool ok = true;
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    ok = RunFile(path + "/" + name) && ok;
  }
  closedir(dir);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  bool ok = true;
  int count = 0;
  for (int i = 1; i < argc; ++i) {
    ok = RunPath(argv[i]) && ok;
    ++count;
  }
  std::fprintf(stderr, "replayed %d inputs\n", count);
  return ok ? 0 : 1;
}
