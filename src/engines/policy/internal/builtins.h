// The built-in function table. A built-in takes evaluated arguments and returns a value, an
// undefined Value (no result), or an error whose rego_code is eval_builtin_error or
// eval_type_error; the evaluator decides whether an error surfaces (strict mode) or makes the
// expression undefined.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/random.h"
#include "common/result.h"
#include "engines/policy/internal/value.h"

namespace qlrf::policy::internal {

// Per-query state the built-ins may use. Not thread-safe; one per query.
struct BuiltinContext {
  const Clock* clock = nullptr;              // time.now_ns; nullptr makes it an error
  Random* random = nullptr;                  // uuid.rfc4122; nullptr makes it an error
  std::ostream* print = nullptr;             // print(); nullptr discards
  std::optional<int64_t> now_ns;             // fixed for the whole query, as OPA does
  std::map<std::string, std::string> uuids;  // uuid.rfc4122 answers, stable within a query
};

using BuiltinFn = Result<Value> (*)(std::span<const Value> args, BuiltinContext& ctx);

struct Builtin {
  std::string name;
  int arity = 0;  // -1: any number of arguments (print)
  BuiltinFn fn = nullptr;
  // Set for caller-registered built-ins instead of `fn`.
  std::function<Result<Value>(std::span<const Value>)> custom;
};

// The built-in named `name` ("count", "time.now_ns", "internal.member_2"), or nullptr.
const Builtin* FindBuiltin(std::string_view name);

// Why an OPA built-in is deliberately left out ("policies may not make network requests" for
// http.send); empty for every other name. Calls to these are compile errors that say so.
std::string_view UnsupportedBuiltinReason(std::string_view name);

// Error helpers for built-in implementations: "name: message".
Error BuiltinError(std::string_view name, std::string_view message);
// "name: operand N must be <want> but got <type>" (eval_type_error).
Error OperandError(std::string_view name, int position, std::string_view want, const Value& got);

}  // namespace qlrf::policy::internal
