// OPA's error codes and the one constructor that attaches them (and a location) to an Error.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace qlrf::policy::internal {

inline constexpr std::string_view kParseError = "rego_parse_error";
inline constexpr std::string_view kCompileError = "rego_compile_error";
inline constexpr std::string_view kTypeError = "rego_type_error";
inline constexpr std::string_view kUnsafeVarError = "rego_unsafe_var_error";
inline constexpr std::string_view kRecursionError = "rego_recursion_error";
inline constexpr std::string_view kConflictError = "eval_conflict_error";
inline constexpr std::string_view kBuiltinError = "eval_builtin_error";
inline constexpr std::string_view kEvalTypeError = "eval_type_error";
inline constexpr std::string_view kCancelError = "eval_cancel_error";
inline constexpr std::string_view kInternalError = "eval_internal_error";

// An Error carrying details {"rego_code", "file", "row", "col"}. The canonical code follows from
// the OPA code: step or time limits give kResourceExhausted / kDeadlineExceeded, conflicts
// kFailedPrecondition, internal errors kInternal, everything else kInvalidArgument. `row` 0
// means "no location".
Error RegoError(std::string_view code, std::string message, std::string_view file = {}, int row = 0,
                int col = 0);

}  // namespace qlrf::policy::internal
