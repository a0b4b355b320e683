// net/ parsing and PrefixSet membership. Lookups and builds are separate
// benchmarks, each swept over set sizes.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "net/internal/ip_parse.h"
#include "net/ip_address.h"
#include "net/ip_prefix.h"
#include "net/prefix_set.h"

namespace portcullis::net {
namespace {

// Returns `count` random prefixes of length 16 to 32 (IPv4) or 32 to 128
// (IPv6).
std::vector<IpPrefix> RandomPrefixes(int count, bool v6) {
  std::mt19937_64 random(count);
  std::vector<IpPrefix> prefixes;
  prefixes.reserve(count);
  for (int i = 0; i < count; ++i) {
    if (v6) {
      IpAddress address = IpAddress::V6(absl::MakeUint128(random(), random()));
      prefixes.push_back(
          IpPrefix::Masked(address, 32 + static_cast<int>(random() % 97)));
    } else {
      IpAddress address = IpAddress::V4(static_cast<uint32_t>(random()));
      prefixes.push_back(
          IpPrefix::Masked(address, 16 + static_cast<int>(random() % 17)));
    }
  }
  return prefixes;
}

// Half the probes fall inside the set (a prefix's first address), half are
// random.
std::vector<IpAddress> Probes(const std::vector<IpPrefix>& prefixes, bool v6) {
  std::mt19937_64 random(7);
  std::vector<IpAddress> probes;
  for (int i = 0; i < 4096; ++i) {
    if (i % 2 == 0 && !prefixes.empty()) {
      probes.push_back(prefixes[random() % prefixes.size()].first());
    } else if (v6) {
      probes.push_back(IpAddress::V6(absl::MakeUint128(random(), random())));
    } else {
      probes.push_back(IpAddress::V4(static_cast<uint32_t>(random())));
    }
  }
  return probes;
}

void ContainsBenchmark(benchmark::State& state, bool v6) {
  std::vector<IpPrefix> prefixes =
      RandomPrefixes(static_cast<int>(state.range(0)), v6);
  PrefixSet set = PrefixSet::FromPrefixes(prefixes);
  std::vector<IpAddress> probes = Probes(prefixes, v6);

  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(set.Contains(probes[i]));
    i = (i + 1) % probes.size();
  }
  state.counters["ranges"] = static_cast<double>(set.range_count());
}

void BM_PrefixSet_ContainsV4(benchmark::State& state) {
  ContainsBenchmark(state, /*v6=*/false);
}
BENCHMARK(BM_PrefixSet_ContainsV4)->RangeMultiplier(8)->Range(8, 1 << 18);

void BM_PrefixSet_ContainsV6(benchmark::State& state) {
  ContainsBenchmark(state, /*v6=*/true);
}
BENCHMARK(BM_PrefixSet_ContainsV6)->RangeMultiplier(8)->Range(8, 1 << 18);

void BM_PrefixSet_Build(benchmark::State& state) {
  std::vector<IpPrefix> prefixes =
      RandomPrefixes(static_cast<int>(state.range(0)), /*v6=*/false);
  for (auto _ : state) {
    PrefixSet set = PrefixSet::FromPrefixes(prefixes);
    benchmark::DoNotOptimize(set.range_count());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_PrefixSet_Build)->RangeMultiplier(8)->Range(8, 1 << 18);

// `count` prefix texts shaped like Conditional Access named-location ranges:
// random IPv4 /24 to /32 prefixes, host bits included, and every tenth an
// IPv6 /64.
std::vector<std::string> NamedLocationTexts(int count) {
  std::mt19937_64 random(count);
  std::vector<std::string> texts;
  texts.reserve(count);
  for (int i = 0; i < count; ++i) {
    if (i % 10 == 9) {
      texts.push_back(absl::StrCat("2001:db8:", absl::Hex(random() & 0xffff),
                                   ":", absl::Hex(random() & 0xffff), "::/64"));
    } else {
      texts.push_back(absl::StrCat(
          IpAddress::V4(static_cast<uint32_t>(random())).ToString(), "/",
          24 + random() % 9));
    }
  }
  return texts;
}

// Runs `parse` on each of 2,000 named-location texts per iteration.
template <typename Parse>
void ParseMixBenchmark(benchmark::State& state, Parse parse) {
  std::vector<std::string> texts = NamedLocationTexts(2000);
  for (auto _ : state) {
    for (const std::string& text : texts) {
      benchmark::DoNotOptimize(parse(text));
    }
  }
  state.SetItemsProcessed(state.iterations() * texts.size());
}

// IpPrefix::ParseLenient, which takes the fast parser on valid text.
void BM_IpPrefix_ParseLenientMix(benchmark::State& state) {
  ParseMixBenchmark(state, IpPrefix::ParseLenient);
}
BENCHMARK(BM_IpPrefix_ParseLenientMix);

// The fast parser alone, without masking or StatusOr.
void BM_IpPrefix_ParseFastMix(benchmark::State& state) {
  ParseMixBenchmark(state, internal::ParsePrefixFast);
}
BENCHMARK(BM_IpPrefix_ParseFastMix);

// The reference parser. Every parse ran it before the fast parser was
// added.
void BM_IpPrefix_ParseReferenceMix(benchmark::State& state) {
  ParseMixBenchmark(state, internal::ParsePrefixReference);
}
BENCHMARK(BM_IpPrefix_ParseReferenceMix);

// PrefixSet::FromPrefixes on the prefixes of `state.range(0)`
// named-location texts, mostly disjoint.
void BM_PrefixSet_BuildNamedLocation(benchmark::State& state) {
  std::vector<IpPrefix> prefixes;
  for (const std::string& text :
       NamedLocationTexts(static_cast<int>(state.range(0)))) {
    prefixes.push_back(*IpPrefix::ParseLenient(text));
  }
  for (auto _ : state) {
    PrefixSet set = PrefixSet::FromPrefixes(prefixes);
    benchmark::DoNotOptimize(set.range_count());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_PrefixSet_BuildNamedLocation)->Arg(100)->Arg(2000)->Arg(20000);

void ParseBenchmark(benchmark::State& state, const std::string& text) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(IpAddress::Parse(text));
  }
}

void BM_IpAddress_ParseV4(benchmark::State& state) {
  ParseBenchmark(state, "198.51.100.254");
}
BENCHMARK(BM_IpAddress_ParseV4);

void BM_IpAddress_ParseV6(benchmark::State& state) {
  ParseBenchmark(state, "2001:db8:a1e0:ab12:4843:cd96:626b:430b");
}
BENCHMARK(BM_IpAddress_ParseV6);

void BM_IpAddress_ParseV6Elided(benchmark::State& state) {
  ParseBenchmark(state, "2001:db8::626b:430b");
}
BENCHMARK(BM_IpAddress_ParseV6Elided);

void BM_IpPrefix_ParseStrict(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(IpPrefix::ParseStrict("203.0.113.0/24"));
  }
}
BENCHMARK(BM_IpPrefix_ParseStrict);

void BM_IpAddress_ToStringV6(benchmark::State& state) {
  IpAddress address =
      IpAddress::V6(absl::MakeUint128(0x20010db800000000, 0x626b430b));
  for (auto _ : state) {
    benchmark::DoNotOptimize(address.ToString());
  }
}
BENCHMARK(BM_IpAddress_ToStringV6);

}  // namespace
}  // namespace portcullis::net
