#include "cli/flags.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "decide/json_files.h"

namespace portcullis::cli {

bool ParsedFlags::Has(absl::string_view name) const {
  return values_.find(name) != values_.end();
}

std::string ParsedFlags::Value(absl::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return "";
  return it->second.front();
}

std::vector<std::string> ParsedFlags::Values(absl::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return {};
  return it->second;
}

void FlagParser::AddValue(std::string name, std::string value_name,
                          std::string help, bool repeatable) {
  specs_[std::move(name)] =
      Spec{std::move(value_name), std::move(help), repeatable};
}

void FlagParser::AddSwitch(std::string name, std::string help) {
  specs_[std::move(name)] = Spec{"", std::move(help), false};
}

absl::StatusOr<ParsedFlags> FlagParser::Parse(
    const std::vector<std::string>& args) const {
  ParsedFlags parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    // `-h` is the one short flag: the usual spelling of --help.
    if (arg == "-h" && specs_.find("help") != specs_.end()) {
      parsed.values_["help"].push_back("true");
      continue;
    }
    if (!absl::StartsWith(arg, "--") || arg == "--") {
      parsed.positional_.push_back(arg);
      continue;
    }

    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (size_t equals = name.find('='); equals != std::string::npos) {
      inline_value = name.substr(equals + 1);
      name = name.substr(0, equals);
    }
    auto spec = specs_.find(name);
    if (spec == specs_.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", name, "; known flags:\n", Help()));
    }

    std::vector<std::string>& values = parsed.values_[name];
    if (!values.empty() && !spec->second.repeatable) {
      return absl::InvalidArgumentError(
          absl::StrCat("flag --", name, " given more than once"));
    }
    if (spec->second.value_name.empty()) {
      if (inline_value.has_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat("flag --", name, " takes no value"));
      }
      values.push_back("true");
      continue;
    }
    if (inline_value.has_value()) {
      values.push_back(*inline_value);
      continue;
    }
    if (i + 1 >= args.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "flag --", name, " is missing its value ", spec->second.value_name));
    }
    values.push_back(args[++i]);
  }
  return parsed;
}

absl::Status FlagParser::Require(const ParsedFlags& flags,
                                 const std::vector<std::string>& names) {
  std::vector<std::string> missing;
  for (const std::string& name : names) {
    if (!flags.Has(name)) missing.push_back("--" + name);
  }
  if (missing.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("missing required flag ", absl::StrJoin(missing, ", ")));
}

std::string FlagParser::Help() const {
  std::string help;
  for (const auto& [name, spec] : specs_) {
    std::string left = absl::StrCat("  --", name);
    if (!spec.value_name.empty()) absl::StrAppend(&left, " ", spec.value_name);
    if (left.size() < 28) left.resize(28, ' ');
    absl::StrAppend(&help, left, " ", spec.help, "\n");
  }
  return help;
}

bool FlagParser::PrintHelpIfRequested(const std::vector<std::string>& args,
                                      absl::string_view usage) const {
  if (!HelpRequested(args)) return false;
  std::cout << usage << "\nflags:\n" << Help();
  return true;
}

bool IsHelpFlag(absl::string_view arg) { return arg == "--help" || arg == "-h"; }

bool GroupHelpRequested(const std::vector<std::string>& args) {
  return !args.empty() && IsHelpFlag(args[0]);
}

bool HelpRequested(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (IsHelpFlag(arg)) return true;
  }
  return false;
}

std::string ResolveUserPath(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  const char* base = std::getenv("BUILD_WORKING_DIRECTORY");
  if (base == nullptr || *base == '\0') return path;
  return absl::StrCat(base, "/", path);
}

absl::StatusOr<std::string> ReadUserFile(const std::string& path) {
  std::string resolved = ResolveUserPath(path);
  // A directory opens but fails on the first read, which the stream library
  // reports by throwing, so reject it before opening.
  struct stat info;
  if (stat(resolved.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot read file ", resolved, ": it is a directory; expected a file"));
  }
  std::FILE* file = std::fopen(resolved.c_str(), "rb");
  if (file == nullptr) {
    return absl::NotFoundError(absl::StrCat("cannot read file ", resolved, ": ",
                                            std::strerror(errno)));
  }
  std::string contents;
  char buffer[65536];
  size_t count = 0;
  while ((count = std::fread(buffer, 1, sizeof(buffer), file)) > 0) {
    contents.append(buffer, count);
  }
  bool failed = std::ferror(file) != 0;
  int error = errno;
  std::fclose(file);
  if (failed) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot read file ", resolved, ": ", std::strerror(error)));
  }
  return contents;
}

absl::StatusOr<std::vector<std::string>> ExpandJsonPaths(
    const std::string& path) {
  std::string resolved = ResolveUserPath(path);
  struct stat info;
  if (stat(resolved.c_str(), &info) != 0) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", resolved, ": ", std::strerror(errno)));
  }
  if (!S_ISDIR(info.st_mode)) return std::vector<std::string>{resolved};
  // The same rule as the folders that scenario files name.
  return decide::ListJsonFiles(resolved);
}

}  // namespace portcullis::cli
