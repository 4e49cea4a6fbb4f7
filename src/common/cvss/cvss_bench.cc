// CVSS scoring throughput over every vector of ../shared/conformance/cvss, per version, beside a
// '/'-split of the same strings as the baseline for ratios.
#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/cvss/cvss.h"
#include "common/json.h"

namespace {

std::vector<std::string> LoadVectors(const std::string& file) {
  std::ifstream in(std::filesystem::path(QLRF_CONFORMANCE_DIR) / "cvss" / file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::vector<std::string> out;
  if (auto doc = qlrf::json::Parse(buffer.str())) {
    for (const boost::json::value& c : doc->at("cases").as_array()) {
      out.emplace_back(c.at("vector").as_string());
    }
  }
  return out;
}

void Score(benchmark::State& state, const std::string& file) {
  const auto vectors = LoadVectors(file);
  for (auto _ : state) {
    for (const std::string& v : vectors) {
      auto scores = qlrf::cvss::ScoreCvss(v);
      benchmark::DoNotOptimize(scores);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(vectors.size()));
}

void SplitBaseline(benchmark::State& state, const std::string& file) {
  const auto vectors = LoadVectors(file);
  for (auto _ : state) {
    for (const std::string& v : vectors) {
      auto parts = std::count(v.begin(), v.end(), '/');
      benchmark::DoNotOptimize(parts);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(vectors.size()));
}

BENCHMARK_CAPTURE(Score, v2, std::string("cvss-v2-vectors.json"))->Name("BM_Cvss/v2/score");
BENCHMARK_CAPTURE(Score, v3, std::string("cvss-v3-vectors.json"))->Name("BM_Cvss/v3/score");
BENCHMARK_CAPTURE(Score, v4, std::string("cvss-v4-vectors.json"))->Name("BM_Cvss/v4/score");
BENCHMARK_CAPTURE(SplitBaseline, v4, std::string("cvss-v4-vectors.json"))
    ->Name("BM_Cvss/v4/split_baseline");

}  // namespace

BENCHMARK_MAIN();
