// Parse throughput of the largest Trivy and Grype reports of ../shared/conformance/scanners (and
// the largest Trivy report with vulnerabilities), and
// of a 10,000-component CycloneDX BOM made here from the real juice-shop BOM (its components
// replicated with new bom-refs, versions and purls, and the dependency graph with them). The
// baseline, measured in the same run on the same bytes, is simdjson On-Demand iterating every
// value (every key and string unescaped, every number parsed), starting like Parse() from a
// string_view (padded copy and parser included). After the runs the ratios ours/raw are printed.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/json.h"
#include "engines/sbom/sbom.h"

namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;
namespace od = simdjson::ondemand;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The largest file of a folder; with `with_findings`, the largest that yields findings.
std::string Largest(const fs::path& dir, bool with_findings = false) {
  fs::path best;
  uintmax_t size = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (with_findings) {
      auto doc = qlrf::sbom::Parse(ReadFile(entry.path()));
      if (!doc || doc->findings.empty()) {
        continue;
      }
    }
    if (entry.path().extension() == ".json" && entry.file_size() > size) {
      size = entry.file_size();
      best = entry.path();
    }
  }
  return ReadFile(best);
}

std::string WithVersion(std::string_view purl, const std::string& version) {
  size_t at = purl.rfind('@');
  if (at == std::string_view::npos) {
    return std::string(purl);
  }
  size_t end = purl.find_first_of("?#", at);
  return std::string(purl.substr(0, at + 1)) + version +
         (end == std::string_view::npos ? std::string() : std::string(purl.substr(end)));
}

// 10,000 components: copies of juice-shop's, copy k with version "<v>-bench.<k>" (the purl
// following) and bom-ref "<ref>#bench.<k>", and the dependency entries of each copy renamed alike.
std::string SynthesiseCycloneDx() {
  fs::path path = fs::path(QLRF_CONFORMANCE_DIR) /
                  "sbom/real-world/cyclonedx/bom-examples_juice-shop-npm-flat_cdx1.4.json";
  auto parsed = qlrf::json::Parse(ReadFile(path));
  if (!parsed) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::abort();
  }
  bj::object root = parsed->as_object();
  const bj::array original = root.at("components").as_array();
  const bj::array original_deps = root.at("dependencies").as_array();
  constexpr size_t kTarget = 10000;
  bj::array components;
  bj::array dependencies;
  for (size_t copy = 0; components.size() < kTarget; ++copy) {
    std::map<std::string, std::string> renamed;
    for (const bj::value& v : original) {
      if (components.size() == kTarget) {
        break;
      }
      bj::object c = v.as_object();
      std::string version =
          (c.contains("version") ? std::string(c.at("version").as_string()) : std::string("0")) +
          "-bench." + std::to_string(copy);
      std::string old_ref = c.contains("bom-ref") ? std::string(c.at("bom-ref").as_string()) : "";
      std::string purl = c.contains("purl") ? WithVersion(c.at("purl").as_string(), version) : "";
      std::string ref = old_ref + "#bench." + std::to_string(copy);
      c["version"] = version;
      if (!purl.empty()) {
        c["purl"] = purl;
      }
      c["bom-ref"] = ref;
      renamed[old_ref] = ref;
      components.push_back(std::move(c));
    }
    for (const bj::value& d : original_deps) {
      auto from = renamed.find(std::string(d.at("ref").as_string()));
      if (from == renamed.end()) {
        continue;
      }
      bj::array on;
      const bj::value* depends_on = d.as_object().if_contains("dependsOn");
      for (const bj::value& to : depends_on != nullptr ? depends_on->as_array() : bj::array()) {
        auto it = renamed.find(std::string(to.as_string()));
        if (it != renamed.end()) {
          on.emplace_back(it->second);
        }
      }
      dependencies.push_back(bj::object{{"ref", from->second}, {"dependsOn", std::move(on)}});
    }
  }
  root["components"] = std::move(components);
  root["dependencies"] = std::move(dependencies);
  return bj::serialize(root);
}

const std::string& Input(int which) {
  static const std::string kTrivy = Largest(fs::path(QLRF_CONFORMANCE_DIR) / "scanners/trivy");
  static const std::string kGrype = Largest(fs::path(QLRF_CONFORMANCE_DIR) / "scanners/grype");
  static const std::string kCycloneDx = SynthesiseCycloneDx();
  static const std::string kTrivyFindings =
      Largest(fs::path(QLRF_CONFORMANCE_DIR) / "scanners/trivy", true);
  switch (which) {
    case 0:
      return kTrivy;
    case 1:
      return kGrype;
    case 2:
      return kCycloneDx;
    default:
      return kTrivyFindings;
  }
}

// Visits every value of the document, as a consumer that reads everything would.
size_t Visit(od::value v) {
  size_t n = 1;
  switch (v.type().value()) {
    case od::json_type::object:
      for (auto field : v.get_object()) {
        n += field.unescaped_key().value().size();
        n += Visit(field.value());
      }
      break;
    case od::json_type::array:
      for (auto element : v.get_array()) {
        n += Visit(element.value());
      }
      break;
    case od::json_type::string:
      n += v.get_string().value().size();
      break;
    case od::json_type::number:
      n += static_cast<size_t>(v.get_double().value() != 0);
      break;
    case od::json_type::boolean:
      n += static_cast<size_t>(v.get_bool().value());
      break;
    case od::json_type::null:
      n += static_cast<size_t>(v.is_null().value());
      break;
  }
  return n;
}

void RawOnDemand(benchmark::State& state, int which) {
  const std::string& bytes = Input(which);
  for (auto _ : state) {
    simdjson::padded_string padded{std::string_view(bytes)};
    od::parser parser;
    od::document doc = parser.iterate(padded);
    od::object root = doc.get_object();
    size_t n = 0;
    for (auto field : root) {
      n += field.unescaped_key().value().size();
      n += Visit(field.value());
    }
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}

void ParseDocument(benchmark::State& state, int which) {
  const std::string& bytes = Input(which);
  for (auto _ : state) {
    auto doc = qlrf::sbom::Parse(bytes);
    if (!doc) {
      state.SkipWithError(doc.error().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}

// trivy_largest is a misconfiguration-only cluster report (skipped, so faster than iterating it
// all); trivy_findings is the largest Trivy report with vulnerabilities.
const char* const kNames[] = {"trivy_largest", "grype_largest", "cyclonedx_10k", "trivy_findings"};
constexpr int kInputs = 4;

// Console output plus the bytes/s of every run, for the ratios.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      auto it = run.counters.find("bytes_per_second");
      if (it != run.counters.end()) {
        rates_[run.benchmark_name()] = it->second.value;
      }
    }
  }
  void PrintRatios() const {
    for (int i = 0; i < kInputs; ++i) {
      auto ours = rates_.find(std::string("BM_Ours/") + kNames[i]);
      auto raw = rates_.find(std::string("BM_Raw/") + kNames[i]);
      if (ours == rates_.end() || raw == rates_.end()) {
        continue;
      }
      auto doc = qlrf::sbom::Parse(Input(i));
      std::printf(
          "%-14s %8.1f MB/s ours, %8.1f MB/s simdjson raw, ratio %.2f (%zu bytes, %zu components, "
          "%zu findings)\n",
          kNames[i], ours->second / 1e6, raw->second / 1e6, ours->second / raw->second,
          Input(i).size(), doc ? doc->components.size() : 0, doc ? doc->findings.size() : 0);
    }
  }

 private:
  std::map<std::string, double> rates_;
};

}  // namespace

int main(int argc, char** argv) {
  for (int i = 0; i < kInputs; ++i) {
    benchmark::RegisterBenchmark((std::string("BM_Raw/") + kNames[i]).c_str(), RawOnDemand, i);
    benchmark::RegisterBenchmark((std::string("BM_Ours/") + kNames[i]).c_str(), ParseDocument, i);
  }
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios();
  benchmark::Shutdown();
  return 0;
}
