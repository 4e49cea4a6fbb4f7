// `qlrf policy eval|test`: flag parsing only; the work is in engines/policy/cli.cc.
#include "app/policy_cli.h"

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "engines/policy/cli.h"

namespace qlrf::app {
namespace {

// A Go-style duration ("500ms", "2s", "1m") for --timeout; false if malformed.
bool ParseTimeout(const std::string& text, std::chrono::nanoseconds& out) {
  if (text.empty()) {
    return true;
  }
  size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(text, &pos);
  } catch (const std::exception&) {
    return false;
  }
  std::string unit = text.substr(pos);
  double scale = 0;
  if (unit == "ns") {
    scale = 1;
  } else if (unit == "us" || unit == "µs") {
    scale = 1e3;
  } else if (unit == "ms") {
    scale = 1e6;
  } else if (unit == "s" || unit.empty()) {
    scale = 1e9;
  } else if (unit == "m") {
    scale = 60e9;
  } else if (unit == "h") {
    scale = 3600e9;
  } else {
    return false;
  }
  out = std::chrono::nanoseconds(static_cast<int64_t>(v * scale));
  return v >= 0;
}

struct Sources {
  SystemClock clock;
  SystemRandom random;
};

}  // namespace

void AddPolicyCommands(CLI::App& app, int& exit_code_out) {
  auto* policy = app.add_subcommand("policy", "Evaluate and test Rego policies (opa-compatible)");
  policy->require_subcommand(1);

  auto eval_opts = std::make_shared<policy::PolicyEvalOptions>();
  auto eval_timeout = std::make_shared<std::string>();
  auto* eval = policy->add_subcommand("eval", "Evaluate a Rego query (like `opa eval`)");
  eval->add_option("query", eval_opts->query, "Rego query, e.g. data.qlrf.plan_safety.deny")
      ->required();
  // One path per -d, so `-d dir query` leaves the query positional (as opa does).
  eval->add_option("-d,--data", eval_opts->data_paths,
                   "Policy or data file or directory (.rego, .json, .yaml); repeatable")
      ->allow_extra_args(false);
  eval->add_option("-i,--input", eval_opts->input_path, "Input document (JSON or YAML)");
  eval->add_option("-f,--format", eval_opts->format,
                   "Output: json (default), values, bindings, raw");
  eval->add_flag("--strict-builtin-errors", eval_opts->strict_builtin_errors,
                 "Treat built-in function errors as fatal");
  eval->add_flag("--v0-compatible", eval_opts->v0_compatible, "Parse policies as Rego v0");
  eval->add_flag("--fail", eval_opts->fail, "Exit 1 if the query is undefined");
  eval->add_flag("--fail-defined", eval_opts->fail_defined, "Exit 1 if the query is defined");
  eval->add_option("--timeout", *eval_timeout, "Evaluation time limit (e.g. 5s, 500ms)");
  eval->callback([eval_opts, eval_timeout, &exit_code_out] {
    Sources sources;
    policy::PolicyEvalOptions options = *eval_opts;
    if (!ParseTimeout(*eval_timeout, options.timeout)) {
      std::cerr << "qlrf policy eval: bad --timeout " << *eval_timeout << "\n";
      exit_code_out = 2;
      return;
    }
    options.clock = &sources.clock;
    options.random = &sources.random;
    exit_code_out = policy::PolicyEval(options, std::cout, std::cerr);
  });

  auto test_opts = std::make_shared<policy::PolicyTestOptions>();
  auto test_timeout = std::make_shared<std::string>();
  auto* test =
      policy->add_subcommand("test", "Run Rego tests (rules named test_*), like `opa test`");
  test->add_option("paths", test_opts->paths, "Policy files or directories")->required();
  test->add_flag("-v,--verbose", test_opts->verbose, "List every test, not only failures");
  test->add_option("-f,--format", test_opts->format, "Output: pretty (default) or json");
  test->add_option("-r,--run", test_opts->run, "Only tests whose data path matches this regex");
  test->add_flag("--v0-compatible", test_opts->v0_compatible, "Parse policies as Rego v0");
  test->add_option("-t,--timeout", *test_timeout, "Time limit per test (e.g. 5s)");
  test->callback([test_opts, test_timeout, &exit_code_out] {
    Sources sources;
    policy::PolicyTestOptions options = *test_opts;
    if (!ParseTimeout(*test_timeout, options.timeout)) {
      std::cerr << "qlrf policy test: bad --timeout " << *test_timeout << "\n";
      exit_code_out = 2;
      return;
    }
    options.clock = &sources.clock;
    options.random = &sources.random;
    exit_code_out = policy::PolicyTest(options, std::cout, std::cerr);
  });
}

}  // namespace qlrf::app
