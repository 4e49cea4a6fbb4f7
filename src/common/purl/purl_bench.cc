// purl throughput over every purl string of ../shared/conformance/purl: parse, parse + print, and
// a separator scan over the same bytes as the baseline for ratios.
#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/purl/purl.h"

namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;

void Collect(const bj::value& v, std::vector<std::string>& out) {
  if (v.is_string() && v.get_string().starts_with("pkg:")) {
    out.emplace_back(v.get_string());
  } else if (v.is_object()) {
    for (const auto& [key, value] : v.get_object()) {
      Collect(value, out);
    }
  } else if (v.is_array()) {
    for (const bj::value& item : v.get_array()) {
      Collect(item, out);
    }
  }
}

const std::vector<std::string>& Purls() {
  static const std::vector<std::string> kPurls = [] {
    std::vector<std::string> out;
    const fs::path root = fs::path(QLRF_CONFORMANCE_DIR) / "purl";
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(root, ec)) {
      if (entry.path().extension() != ".json" ||
          entry.path().string().find("schema") != std::string::npos) {
        continue;
      }
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream buffer;
      buffer << in.rdbuf();
      if (auto doc = qlrf::json::Parse(buffer.str())) {
        Collect(*doc, out);
      }
    }
    return out;
  }();
  return kPurls;
}

int64_t TotalBytes() {
  int64_t bytes = 0;
  for (const std::string& p : Purls()) {
    bytes += static_cast<int64_t>(p.size());
  }
  return bytes;
}

void Finish(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(Purls().size()));
  state.SetBytesProcessed(state.iterations() * TotalBytes());
}

void ScanBaseline(benchmark::State& state) {
  for (auto _ : state) {
    size_t separators = 0;
    for (const std::string& p : Purls()) {
      separators += static_cast<size_t>(std::count_if(p.begin(), p.end(), [](char c) {
        return c == '/' || c == '@' || c == '?' || c == '#' || c == '%';
      }));
    }
    benchmark::DoNotOptimize(separators);
  }
  Finish(state);
}
BENCHMARK(ScanBaseline)->Name("BM_Purl/scan_baseline");

void Parse(benchmark::State& state) {
  for (auto _ : state) {
    for (const std::string& p : Purls()) {
      auto parsed = qlrf::purl::ParsePurl(p);
      benchmark::DoNotOptimize(parsed);
    }
  }
  Finish(state);
}
BENCHMARK(Parse)->Name("BM_Purl/parse");

void Canonicalize(benchmark::State& state) {
  for (auto _ : state) {
    for (const std::string& p : Purls()) {
      auto canonical = qlrf::purl::CanonicalizePurl(p);
      benchmark::DoNotOptimize(canonical);
    }
  }
  Finish(state);
}
BENCHMARK(Canonicalize)->Name("BM_Purl/canonicalize");

}  // namespace

BENCHMARK_MAIN();
