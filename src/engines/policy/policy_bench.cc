// plan_safety decisions over a 1,000-target production plan (issue 6: p50 <= 50 us, >= 20,000
// decisions/s on one thread). Each benchmark records every decision's latency and reports p50,
// p99, decisions/s and the p50 as a fraction of OPA's 1 ms decision budget. Baselines in the
// same run: converting the input alone (every decision pays it) and a trivial rule.
#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engines/policy/internal/value.h"
#include "engines/policy/policy.h"

namespace {

namespace bj = boost::json;
using qlrf::policy::PolicySet;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const PolicySet& PlanSafety() {
  static const PolicySet kSet = [] {
    qlrf::policy::Compiler compiler;
    std::string file = std::string(QLRF_SOURCE_DIR) + "/policies/plan_safety.rego";
    auto st = compiler.AddModule(file, ReadFile(file));
    if (!st) {
      std::fprintf(stderr, "plan_safety.rego: %s\n", st.error().message.c_str());
      std::abort();
    }
    st = compiler.AddModule("trivial.rego", "package bench\nallow if input.task.environment\n");
    auto set = compiler.Compile();
    if (!st || !set) {
      std::fprintf(stderr, "compile failed\n");
      std::abort();
    }
    return *set;
  }();
  return kSet;
}

// A production plan over 1,000 assets, listed by id: a 10-asset canary, then five waves of 198.
bj::value ThousandTargetPlan() {
  auto ids = [](int from, int n) {
    bj::array out;
    for (int i = from; i < from + n; ++i) {
      out.emplace_back("i-" + std::to_string(100000 + i));
    }
    return out;
  };
  bj::array phases;
  phases.push_back({{"name", "canary"},
                    {"canary", true},
                    {"targets", ids(0, 10)},
                    {"health_checks", {"http_200", "error_rate"}},
                    {"wait_minutes", 30}});
  for (int w = 0; w < 5; ++w) {
    phases.push_back({{"name", "wave-" + std::to_string(w + 1)},
                      {"targets", ids(10 + w * 198, 198)},
                      {"health_checks", {"http_200"}},
                      {"wait_minutes", 10}});
  }
  return {
      {"task", {{"environment", "production"}, {"risk_level", "high"}}},
      {"plan",
       {{"total_targets", 1000},
        {"phases", std::move(phases)},
        {"rollback",
         {{"automatic", true}, {"criteria", {{{"metric", "error_rate"}, {"threshold", 0.05}}}}}}}}};
}

// Runs `decide` once per iteration, timing each call; reports latency percentiles and rate.
template <class F>
void Measure(benchmark::State& state, F decide) {
  std::vector<double> ns;
  ns.reserve(1 << 16);
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    decide();
    auto end = std::chrono::steady_clock::now();
    ns.push_back(std::chrono::duration<double, std::nano>(end - start).count());
  }
  std::sort(ns.begin(), ns.end());
  double p50 = ns.empty() ? 0 : ns[ns.size() / 2];
  double p99 = ns.empty() ? 0 : ns[std::min(ns.size() - 1, ns.size() * 99 / 100)];
  state.counters["p50_us"] = p50 / 1e3;
  state.counters["p99_us"] = p99 / 1e3;
  state.counters["decisions_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["p50_vs_opa_1ms_budget"] = p50 / 1e6;
}

void BM_PlanSafety_Deny(benchmark::State& state) {
  const PolicySet& set = PlanSafety();
  const bj::value input = ThousandTargetPlan();
  auto check = set.Eval("data.qlrf.plan_safety.deny", &input);
  if (!check || !*check || !(*check)->is_array() || !(*check)->get_array().empty()) {
    state.SkipWithError("the 1,000-target plan is not allowed");
    return;
  }
  Measure(state, [&] {
    auto r = set.Eval("data.qlrf.plan_safety.deny", &input);
    benchmark::DoNotOptimize(r);
  });
}
BENCHMARK(BM_PlanSafety_Deny)->Name("BM_PlanSafety/deny");

// The whole decision document (deny, warn, allow and the helpers) in one evaluation.
void BM_PlanSafety_Document(benchmark::State& state) {
  const PolicySet& set = PlanSafety();
  const bj::value input = ThousandTargetPlan();
  Measure(state, [&] {
    auto r = set.Eval("data.qlrf.plan_safety", &input);
    benchmark::DoNotOptimize(r);
  });
}
BENCHMARK(BM_PlanSafety_Document)->Name("BM_PlanSafety/document");

// Baseline: the JSON-to-Rego conversion of the same input, which every decision includes.
void BM_PlanSafety_InputOnly(benchmark::State& state) {
  const bj::value input = ThousandTargetPlan();
  Measure(state, [&] {
    auto v = qlrf::policy::internal::FromJson(input);
    benchmark::DoNotOptimize(v);
  });
}
BENCHMARK(BM_PlanSafety_InputOnly)->Name("BM_PlanSafety/input_only");

// Baseline: a one-expression rule over the same input.
void BM_PlanSafety_Trivial(benchmark::State& state) {
  const PolicySet& set = PlanSafety();
  const bj::value input = ThousandTargetPlan();
  Measure(state, [&] {
    auto r = set.Eval("data.bench.allow", &input);
    benchmark::DoNotOptimize(r);
  });
}
BENCHMARK(BM_PlanSafety_Trivial)->Name("BM_PlanSafety/trivial_rule");

}  // namespace

BENCHMARK_MAIN();
