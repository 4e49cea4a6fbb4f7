// The embedded Rego (OPA policy language, v1 syntax) engine: compile modules and data into an
// immutable PolicySet, then evaluate queries or documents against an input.
//
// Thread-safety: a Compiler is not thread-safe. A PolicySet is immutable once Compile returns;
// copies share it, and Query/Eval may run concurrently from any number of threads (each call
// keeps its own evaluation state).
//
// Failures: every Error from this module carries OPA's error code and location in its details
// ("rego_code", "file", "row", "col"); DescribeError returns them. Canonical codes:
// kInvalidArgument for rego_parse_error, rego_compile_error, rego_type_error,
// rego_unsafe_var_error, rego_recursion_error, eval_builtin_error and eval_type_error;
// kFailedPrecondition for eval_conflict_error; kResourceExhausted when the step limit is hit and
// kDeadlineExceeded past the deadline (both eval_cancel_error).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/result.h"

namespace qlrf::policy {

namespace internal {
struct CompiledPolicy;
struct Module;
struct Builtin;
}  // namespace internal

struct Location {
  std::string file;
  int row = 0;  // 1-based; 0 when unknown
  int col = 0;
};

// An error in OPA's terms: {"code": "rego_parse_error", "message": …, "location": …}.
struct RegoErrorInfo {
  std::string code;  // empty for errors that did not come from the policy engine
  std::string message;
  Location location;
};
RegoErrorInfo DescribeError(const Error& e);

struct CompilerOptions {
  // Accept OPA v0 syntax (`p { … }`, `p[x] { … }` partial sets) instead of v1.
  bool v0_compatible = false;
};

// A caller-supplied built-in (OPA's rego.Function). Must be deterministic and thread-safe.
// Returns nullopt for "undefined"; an error becomes eval_builtin_error.
using CustomBuiltin = std::function<Result<std::optional<boost::json::value>>(
    std::span<const boost::json::value> args)>;

class PolicySet;

// Collects modules, data and custom built-ins. Not thread-safe.
class Compiler {
 public:
  explicit Compiler(CompilerOptions options = {});
  ~Compiler();
  Compiler(Compiler&&) noexcept;
  Compiler& operator=(Compiler&&) noexcept;

  // Parses `text` now; rego_parse_error (row/col of the offending token) on bad syntax.
  Status AddModule(std::string_view filename, std::string_view text);
  // Merges `document` into the base data at `path` (empty: the root, which then must be an
  // object). Objects merge recursively; InvalidArgument when a non-object value would be
  // replaced by a different one.
  Status AddData(const boost::json::value& document, const std::vector<std::string>& path = {});
  // Registers a built-in callable as `name(args…)`; InvalidArgument if the name is taken.
  Status AddBuiltin(const std::string& name, int arity, CustomBuiltin fn);

  // Compiles everything added so far (the Compiler is left empty). Fails with
  // rego_compile_error, rego_type_error (unknown function, arity, conflicting rules),
  // rego_unsafe_var_error or rego_recursion_error.
  Result<PolicySet> Compile();

 private:
  CompilerOptions options_;
  std::vector<std::unique_ptr<internal::Module>> modules_;
  boost::json::value data_;
  std::map<std::string, std::unique_ptr<internal::Builtin>, std::less<>> builtins_;
};

struct EvalOptions {
  // time.now_ns and the deadline read this clock; without one time.now_ns is an error.
  const Clock* clock = nullptr;
  // uuid.rfc4122 draws from this; without one it is an error.
  Random* random = nullptr;
  // Wall-clock budget measured on clock->Monotonic(); zero means none.
  std::chrono::nanoseconds timeout{0};
  // Upper bound on expressions evaluated per call.
  uint64_t max_steps = 10'000'000;
  // Built-in errors (e.g. 1/0) raise eval_builtin_error instead of making the expression
  // undefined.
  bool strict_builtin_errors = false;
  // Where print() writes (one line per call); nullptr discards.
  std::ostream* print_output = nullptr;
};

// One expression of a query as `opa eval` reports it.
struct ExpressionResult {
  boost::json::value value;
  std::string text;
  Location location;
};

struct QueryRow {
  std::vector<ExpressionResult> expressions;
  boost::json::object bindings;  // user-named query variables
};

struct QueryResult {
  std::vector<QueryRow> rows;  // empty: the query is undefined
};

struct RuleInfo {
  std::string path;  // "data.qlrf.plan_safety.deny"
  Location location;
  bool is_function = false;
};

// Compiled policies and data. Immutable; cheap to copy; safe for concurrent use.
class PolicySet {
 public:
  // Evaluates an ad-hoc query (`data.x.p = y; y > 1`) against `input` (nullptr: no input).
  // Compile errors as for Compiler::Compile; evaluation errors eval_conflict_error,
  // eval_builtin_error (strict mode), eval_cancel_error (limits).
  Result<QueryResult> Query(std::string_view query, const boost::json::value* input,
                            const EvalOptions& options = {}) const;

  // The document at `path` ("data.qlrf.plan_safety.deny", "qlrf/plan_safety/deny"); nullopt
  // when undefined. Same evaluation errors as Query.
  Result<std::optional<boost::json::value>> Eval(std::string_view path,
                                                 const boost::json::value* input,
                                                 const EvalOptions& options = {}) const;

  // Every rule (functions included), sorted by path, for test runners and listings.
  std::vector<RuleInfo> Rules() const;

 private:
  friend class Compiler;
  explicit PolicySet(std::shared_ptr<const internal::CompiledPolicy> compiled)
      : compiled_(std::move(compiled)) {}
  std::shared_ptr<const internal::CompiledPolicy> compiled_;
};

}  // namespace qlrf::policy
