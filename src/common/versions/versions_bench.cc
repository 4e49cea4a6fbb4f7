// Version comparison throughput over the generated conformance files (every adjacent pair of
// real OSV versions, per scheme), beside a byte-wise string compare of the same pairs.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/versions/versions.h"

namespace {

using qlrf::versions::Ecosystem;

std::vector<std::pair<std::string, std::string>> LoadPairs(const std::string& file) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::ifstream in(std::filesystem::path(QLRF_CONFORMANCE_DIR) / "versions" / file);
  std::string line;
  while (std::getline(in, line)) {
    size_t first = line.find(' ');
    if (line.empty() || line.starts_with("#") || line.starts_with("//") ||
        first == std::string::npos) {
      continue;
    }
    pairs.emplace_back(line.substr(0, first), line.substr(first + 3));
  }
  return pairs;
}

void RunCompare(benchmark::State& state, Ecosystem e, const std::string& file) {
  const auto pairs = LoadPairs(file);
  for (auto _ : state) {
    for (const auto& [a, b] : pairs) {
      auto c = qlrf::versions::CompareVersions(e, a, b);
      benchmark::DoNotOptimize(c);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(pairs.size()));
}

void RunStringBaseline(benchmark::State& state, const std::string& file) {
  const auto pairs = LoadPairs(file);
  for (auto _ : state) {
    for (const auto& [a, b] : pairs) {
      int c = a.compare(b);
      benchmark::DoNotOptimize(c);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(pairs.size()));
}

void Register() {
  constexpr std::pair<std::string_view, Ecosystem> kFiles[] = {
      {"debian", Ecosystem::kDebian},       {"alpine", Ecosystem::kAlpine},
      {"pypi", Ecosystem::kPyPI},           {"maven", Ecosystem::kMaven},
      {"packagist", Ecosystem::kPackagist}, {"rubygems", Ecosystem::kRubyGems},
  };
  for (const auto& [name, e] : kFiles) {
    std::string file = std::string(name) + "-versions-generated.txt";
    benchmark::RegisterBenchmark(("BM_Compare/" + std::string(name) + "/ours").c_str(),
                                 [e = e, file](benchmark::State& s) { RunCompare(s, e, file); });
    benchmark::RegisterBenchmark(("BM_Compare/" + std::string(name) + "/strcmp_baseline").c_str(),
                                 [file](benchmark::State& s) { RunStringBaseline(s, file); });
  }
  benchmark::RegisterBenchmark("BM_Compare/rpm/ours", [](benchmark::State& s) {
    RunCompare(s, Ecosystem::kRpm, "redhat-versions.txt");
  });
  benchmark::RegisterBenchmark("BM_Compare/semver/ours", [](benchmark::State& s) {
    RunCompare(s, Ecosystem::kSemVer, "semver-versions.txt");
  });
}

}  // namespace

int main(int argc, char** argv) {
  Register();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
