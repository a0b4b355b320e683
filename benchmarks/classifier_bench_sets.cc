#include "benchmarks/classifier_bench_sets.h"

#include <dirent.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "benchmarks/classifier_nsg_generator.h"
#include "nsg/classbench.h"

namespace portcullis::benchmarks {

namespace {

constexpr uint64_t kGeneratorSeed = 20190801;

std::string ReadFileOrExit(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "classifier benchmark: cannot read " << path << "\n";
    std::exit(2);
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

template <typename T>
T ValueOrExit(absl::StatusOr<T> value, const std::string& what) {
  if (!value.ok()) {
    std::cerr << "classifier benchmark: " << what << ": " << value.status().message()
              << "\n";
    std::exit(2);
  }
  return std::move(*value);
}

}  // namespace

const BenchSet::Data& BenchSet::Load() {
  if (data_ == nullptr) data_ = std::make_unique<Data>(loader_());
  return *data_;
}

const nsg::Classifier& BenchSet::classifier() {
  if (classifier_ == nullptr && Load().classifier != nullptr) {
    classifier_ = Load().classifier;
    build_seconds_ = Load().build_seconds;
  }
  if (classifier_ == nullptr) {
    const nsg::RuleTable& rules = table();
    const auto start = std::chrono::steady_clock::now();
    classifier_ = std::make_shared<const nsg::Classifier>(
        ValueOrExit(nsg::Classifier::Compile(rules, BenchClassifierOptions()), name_));
    build_seconds_ =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return *classifier_;
}

nsg::ClassifierOptions& BenchClassifierOptions() {
  static auto* options = new nsg::ClassifierOptions();
  return *options;
}

bool TakeClassifierFlags(int* argc, char** argv) {
  const std::string engine = TakeFlag(argc, argv, "engine");
  if (engine == "tuple_space") {
    BenchClassifierOptions().engine = nsg::ClassifierEngine::kTupleSpace;
  } else if (engine == "bit_vector") {
    BenchClassifierOptions().engine = nsg::ClassifierEngine::kBitVector;
  } else if (!engine.empty() && engine != "auto") {
    std::cerr << "--engine: invalid value \"" << engine
              << "\"; expected auto, tuple_space or bit_vector\n";
    return false;
  }
  const std::string max_bytes = TakeFlag(argc, argv, "bit_vector_max_bytes");
  if (!max_bytes.empty()) {
    size_t value = 0;
    if (!absl::SimpleAtoi(max_bytes, &value)) {
      std::cerr << "--bit_vector_max_bytes: invalid value \"" << max_bytes
                << "\"; expected a byte count\n";
      return false;
    }
    BenchClassifierOptions().bit_vector_max_bytes = value;
  }
  return true;
}

std::string TakeFlag(int* argc, char** argv, const std::string& name) {
  const std::string prefix = "--" + name;
  std::string value;
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    const char* arg = argv[i];
    if (absl::StartsWith(arg, prefix + "=")) {
      value = arg + prefix.size() + 1;
    } else if (arg == prefix && i + 1 < *argc) {
      value = argv[++i];
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  return value;
}

std::vector<std::unique_ptr<BenchSet>> ClassBenchSets(const std::string& dir) {
  std::vector<std::unique_ptr<BenchSet>> sets;
  if (dir.empty()) {
    std::cerr << "classifier benchmark: no --classbench_dir given; skipping the "
                 "ClassBench sets\n";
    return sets;
  }
  std::vector<std::string> names;
  if (DIR* handle = opendir(dir.c_str())) {
    while (dirent* entry = readdir(handle)) {
      const std::string file = entry->d_name;
      if (absl::EndsWith(file, "_trace")) names.push_back(file.substr(0, file.size() - 6));
    }
    closedir(handle);
  }
  std::sort(names.begin(), names.end());
  if (names.empty()) {
    std::cerr << "classifier benchmark: no ClassBench set with a trace in " << dir
              << "; skipping the ClassBench sets\n";
  }
  for (const std::string& name : names) {
    const std::string rules_path = dir + "/" + name;
    const std::string trace_path = rules_path + "_trace";
    sets.push_back(std::make_unique<BenchSet>(name, false, [=]() {
      BenchSet::Data data;
      data.table = std::make_shared<const nsg::RuleTable>(
          ValueOrExit(nsg::ParseClassBenchRules(ReadFileOrExit(rules_path)), rules_path));
      data.flows_v4 = ValueOrExit(nsg::ParseClassBenchTrace(ReadFileOrExit(trace_path)),
                                  trace_path);
      if (data.flows_v4.empty()) {
        std::cerr << "classifier benchmark: " << trace_path << " holds no header\n";
        std::exit(2);
      }
      return data;
    }));
  }
  return sets;
}

std::unique_ptr<BenchSet> SyntheticClassBenchSet() {
  return std::make_unique<BenchSet>("synthetic_1k", false, []() {
    std::mt19937_64 rng(kGeneratorSeed);
    const int lengths[] = {0, 8, 16, 24, 28, 32, 32, 32};
    auto cidr = [&]() {
      const uint8_t length = static_cast<uint8_t>(lengths[rng() % 8]);
      return nsg::Ipv4Cidr{static_cast<uint32_t>(rng()) & nsg::Ipv4Mask(length), length};
    };
    auto ports = [&]() {
      switch (rng() % 3) {
        case 0: return nsg::PortInterval::Any();
        case 1: return nsg::PortInterval::Single(static_cast<uint16_t>(rng() % 2048));
        default: return nsg::PortInterval{1024, 65535};
      }
    };
    std::vector<nsg::TableRule> rules;
    for (uint32_t i = 0; i < 1000; ++i) {
      nsg::TableRule rule;
      rule.priority = i;
      rule.source_v4 = {cidr()};
      rule.destination_v4 = {cidr()};
      rule.source_ports = {ports()};
      rule.destination_ports = {ports()};
      const uint8_t protocols[] = {6, 17, 1};
      if (rng() % 4 != 0) rule.protocol = protocols[rng() % 3];
      rule.access = nsg::RuleAccess::kAllow;
      rules.push_back(std::move(rule));
    }
    BenchSet::Data data;
    for (int i = 0; i < 10000; ++i) {
      const nsg::TableRule& rule = rules[rng() % rules.size()];
      auto inside = [&](const nsg::Ipv4Cidr& block) {
        return block.address | (static_cast<uint32_t>(rng()) & ~nsg::Ipv4Mask(block.length));
      };
      auto port_in = [&](const nsg::PortInterval& interval) {
        return static_cast<uint16_t>(interval.first +
                                     rng() % (uint32_t{interval.last} - interval.first + 1));
      };
      data.flows_v4.push_back(nsg::FlowV4{inside(rule.source_v4[0]),
                                          inside(rule.destination_v4[0]),
                                          port_in(rule.source_ports[0]),
                                          port_in(rule.destination_ports[0]),
                                          rule.protocol.value_or(6)});
    }
    data.table = std::make_shared<const nsg::RuleTable>(
        ValueOrExit(nsg::RuleTable::Create(std::move(rules)), "synthetic_1k"));
    return data;
  });
}

std::vector<std::unique_ptr<BenchSet>> NsgShapedBenchSets() {
  auto shared = std::make_shared<std::unique_ptr<BenchSet::Data>>();
  auto load = [shared]() {
    if (*shared == nullptr) {
      NsgShapedSet generated = GenerateNsgShapedSet(kGeneratorSeed, kGeneratedFlowCount);
      auto data = std::make_unique<BenchSet::Data>();
      data->table = std::make_shared<const nsg::RuleTable>(
          ValueOrExit(nsg::RuleTable::Create(std::move(generated.rules)), "nsg_shaped"));
      data->flows_v4 = std::move(generated.flows_v4);
      data->flows_v6 = std::move(generated.flows_v6);
      const auto start = std::chrono::steady_clock::now();
      data->classifier = std::make_shared<const nsg::Classifier>(
          ValueOrExit(nsg::Classifier::Compile(*data->table, BenchClassifierOptions()),
                      "nsg_shaped"));
      data->build_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      *shared = std::move(data);
    }
    return **shared;
  };
  std::vector<std::unique_ptr<BenchSet>> sets;
  sets.push_back(std::make_unique<BenchSet>("nsg_shaped", false, load));
  sets.push_back(std::make_unique<BenchSet>("nsg_shaped_v6", true, load));
  return sets;
}

}  // namespace portcullis::benchmarks
