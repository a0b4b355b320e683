// Rule sets for the classifier benchmarks: ClassBench files found in a
// directory, and the built-in NSG-shaped set. Each set loads and compiles
// on first use, so a benchmark filter that skips a set also skips its cost.
#ifndef PORTCULLIS_BENCHMARKS_CLASSIFIER_BENCH_SETS_H_
#define PORTCULLIS_BENCHMARKS_CLASSIFIER_BENCH_SETS_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nsg/classifier.h"
#include "nsg/rule_table.h"

namespace portcullis::benchmarks {

// Flows cycled through by lookups of the NSG-shaped set.
inline constexpr size_t kGeneratedFlowCount = 100000;

class BenchSet {
 public:
  struct Data {
    std::shared_ptr<const nsg::RuleTable> table;
    // Set by loaders whose sets share one table, so it compiles once.
    std::shared_ptr<const nsg::Classifier> classifier;
    double build_seconds = 0;
    std::vector<nsg::FlowV4> flows_v4;
    std::vector<nsg::FlowV6> flows_v6;
  };
  using Loader = std::function<Data()>;

  BenchSet(std::string name, bool v6, Loader loader)
      : name_(std::move(name)), v6_(v6), loader_(std::move(loader)) {}

  const std::string& name() const { return name_; }
  // True when lookups use the IPv6 flows.
  bool is_v6() const { return v6_; }

  const nsg::RuleTable& table() { return *Load().table; }
  std::shared_ptr<const nsg::RuleTable> shared_table() { return Load().table; }
  const std::vector<nsg::FlowV4>& flows_v4() { return Load().flows_v4; }
  const std::vector<nsg::FlowV6>& flows_v6() { return Load().flows_v6; }
  const nsg::Classifier& classifier();
  std::shared_ptr<const nsg::Classifier> shared_classifier() {
    classifier();
    return classifier_;
  }
  // Seconds of the first compile.
  double build_seconds() {
    classifier();
    return build_seconds_;
  }

 private:
  const Data& Load();

  std::string name_;
  bool v6_;
  Loader loader_;
  std::unique_ptr<Data> data_;
  std::shared_ptr<const nsg::Classifier> classifier_;
  double build_seconds_ = 0;
};

// The options every set compiles with. Programs set them from flags before
// the first set loads; the defaults are ClassifierOptions' own.
nsg::ClassifierOptions& BenchClassifierOptions();

// Sets BenchClassifierOptions() from `--engine=auto|tuple_space|bit_vector`
// and `--bit_vector_max_bytes=N`, removing them from argv. Returns false,
// after printing why to standard error, on an invalid value.
bool TakeClassifierFlags(int* argc, char** argv);

// Removes `--NAME=VALUE` or `--NAME VALUE` from argv and returns VALUE, or
// "" when the flag is absent.
std::string TakeFlag(int* argc, char** argv, const std::string& name);

// The ClassBench sets in `dir`: every file NAME that has NAME_trace beside
// it, sorted by name. Prints to standard error, and returns nothing, when
// `dir` is empty or contains no set.
std::vector<std::unique_ptr<BenchSet>> ClassBenchSets(const std::string& dir);

// A generated set shaped like ClassBench's (`synthetic_1k`: 1,000 rules with
// one prefix, one port range per field and TCP, UDP, ICMP or any protocol,
// and 10,000 flows drawn inside the rules), for runs without ClassBench
// files.
std::unique_ptr<BenchSet> SyntheticClassBenchSet();

// The NSG-shaped set, as `nsg_shaped` (IPv4 flows) and `nsg_shaped_v6`
// (IPv6 flows) over one generated table.
std::vector<std::unique_ptr<BenchSet>> NsgShapedBenchSets();

}  // namespace portcullis::benchmarks

#endif  // PORTCULLIS_BENCHMARKS_CLASSIFIER_BENCH_SETS_H_
