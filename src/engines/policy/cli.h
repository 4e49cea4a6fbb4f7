// `qlrf policy eval` and `qlrf policy test`: the command-line front ends of the Rego engine,
// flag- and output-compatible with `opa eval` and `opa test`. Plain functions over parsed
// options and output streams, so tests call them directly.
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"

namespace qlrf::policy {

struct PolicyEvalOptions {
  std::string query;                    // positional
  std::vector<std::string> data_paths;  // -d/--data: .rego, .json, .yaml files or directories
  std::string input_path;               // -i/--input: JSON or YAML file
  std::string format = "json";          // --format: json | values | bindings | raw
  bool strict_builtin_errors = false;   // --strict-builtin-errors
  bool v0_compatible = false;           // --v0-compatible
  bool fail = false;                    // --fail: exit 1 when the query is undefined
  bool fail_defined = false;            // --fail-defined: exit 1 when it is defined
  std::chrono::nanoseconds timeout{0};  // --timeout; 0: none
  const Clock* clock = nullptr;         // time.now_ns and --timeout
  Random* random = nullptr;             // uuid.rfc4122
};

// Loads the data, evaluates the query and writes OPA's JSON result shape to `out`
// ({"result": […]}, or {} when undefined). On a load, compile or evaluation error writes
// {"errors": […]} to `out` and returns 1; usage errors (bad --format) go to `err` with 2.
// Otherwise returns 0 (or 1 under --fail / --fail-defined).
int PolicyEval(const PolicyEvalOptions& options, std::ostream& out, std::ostream& err);

struct PolicyTestOptions {
  std::vector<std::string> paths;       // files or directories of .rego (and data) files
  bool verbose = false;                 // -v: list every test, not only failures
  std::string format = "pretty";        // --format: pretty | json
  std::string run;                      // --run: regex on "data.pkg.test_name"
  bool v0_compatible = false;           // --v0-compatible
  std::chrono::nanoseconds timeout{0};  // --timeout per test; 0: none
  const Clock* clock = nullptr;         // durations, time.now_ns, --timeout
  Random* random = nullptr;
};

// Runs every rule named test_* (todo_test_* are reported as skipped) like `opa test`: a test
// passes when its rule is defined and not false. Writes the report to `out` (PASS: n/m …).
// Returns 0 when all ran tests pass, 2 when any fails or errors, 1 when loading or compiling
// fails (the error goes to `err`).
int PolicyTest(const PolicyTestOptions& options, std::ostream& out, std::ostream& err);

}  // namespace qlrf::policy
