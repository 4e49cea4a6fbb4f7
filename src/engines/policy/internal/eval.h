// Top-down evaluation of compiled Rego: unification with backtracking in continuation-passing
// style, rule and function evaluation with per-query caches, `with` scopes, and the step, time
// and stack bounds that keep a hostile policy from running away.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/result.h"
#include "engines/policy/internal/ast.h"
#include "engines/policy/internal/compiler.h"
#include "engines/policy/internal/errors.h"

namespace qlrf::policy::internal {

struct EvalConfig {
  uint64_t max_steps = 10'000'000;        // expressions evaluated per query
  std::optional<MonotonicTime> deadline;  // checked against clock->Monotonic()
  const Clock* clock = nullptr;
  Random* random = nullptr;
  std::ostream* print = nullptr;
  bool strict_builtin_errors = false;
  // Native stack the evaluation may use; 0: all of the thread's stack but a margin.
  size_t max_stack_bytes = 0;
};

// One query's evaluation. Not thread-safe; create one per query (the CompiledPolicy it reads is
// shared and immutable).
class Evaluator {
 public:
  Evaluator(const CompiledPolicy& policy, const EvalConfig& config, Value input);
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // Runs a compiled query; `on_solution` sees the frame (values by slot) of every solution.
  // Errors carry an OPA code (eval_conflict_error, eval_builtin_error, eval_cancel_error …).
  Status RunQuery(const Query& query,
                  const std::function<void(const std::vector<Value>&)>& on_solution);

  // The first value of `term` in `frame` (undefined Value if none).
  Result<Value> FirstValue(const Term& term, std::vector<Value>& frame);

  // The value of a term expression, its `with` modifiers applied, in a solution's frame.
  Result<Value> ExprValue(const Expr& expr, std::vector<Value>& frame);

  // The document at data.<path>; an undefined Value when there is none.
  Result<Value> EvalDataPath(const std::vector<std::string>& path);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace qlrf::policy::internal
