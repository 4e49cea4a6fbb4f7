// Shared helpers for the built-in implementations and the registration hooks of each group.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "engines/policy/internal/builtins.h"
#include "engines/policy/internal/errors.h"
#include "engines/policy/internal/value.h"

namespace qlrf::policy::internal::builtins {

using Args = std::span<const Value>;

// Argument checks: eval_type_error "name: operand N must be <type> but got <type>".
inline Status WantString(std::string_view fn, Args a, size_t i) {
  if (!a[i].IsString()) {
    return Fail(OperandError(fn, static_cast<int>(i) + 1, "string", a[i]));
  }
  return Ok();
}
inline Status WantNumber(std::string_view fn, Args a, size_t i) {
  if (!a[i].IsNumber()) {
    return Fail(OperandError(fn, static_cast<int>(i) + 1, "number", a[i]));
  }
  return Ok();
}
inline Status WantInt(std::string_view fn, Args a, size_t i) {
  if (a[i].IsNumber() && !a[i].IsInt()) {
    // OPA's wording for a number that is not an integer.
    return Fail(RegoError(kEvalTypeError, std::string(fn) + ": operand " + std::to_string(i + 1) +
                                              " must be integer number but got floating-point "
                                              "number"));
  }
  if (!a[i].IsInt()) {
    return Fail(OperandError(fn, static_cast<int>(i) + 1, "integer", a[i]));
  }
  return Ok();
}
inline Status WantObject(std::string_view fn, Args a, size_t i) {
  if (!a[i].IsObject()) {
    return Fail(OperandError(fn, static_cast<int>(i) + 1, "object", a[i]));
  }
  return Ok();
}
inline Status WantArray(std::string_view fn, Args a, size_t i) {
  if (!a[i].IsArray()) {
    return Fail(OperandError(fn, static_cast<int>(i) + 1, "array", a[i]));
  }
  return Ok();
}
inline Status WantSet(std::string_view fn, Args a, size_t i) {
  if (!a[i].IsSet()) {
    return Fail(OperandError(fn, static_cast<int>(i) + 1, "set", a[i]));
  }
  return Ok();
}
inline Status WantArrayOrSet(std::string_view fn, Args a, size_t i) {
  if (!a[i].IsArray() && !a[i].IsSet()) {
    return Fail(OperandError(fn, static_cast<int>(i) + 1, "one of {array, set}", a[i]));
  }
  return Ok();
}

// Strings of an array or set argument; eval_type_error if any element is not a string.
Result<std::vector<std::string>> StringItems(std::string_view fn, Args a, size_t i);

// Number helpers (overflow falls back to double).
Value AddNumbers(const Value& a, const Value& b);
Value SubNumbers(const Value& a, const Value& b);
Value MulNumbers(const Value& a, const Value& b);

// Go's %v for Rego values: strings unquoted, everything else in Rego notation.
std::string FormatValue(const Value& v);

// Parses an RFC 3339 timestamp into nanoseconds since the epoch (int64 range).
Result<int64_t> ParseRfc3339Ns(std::string_view fn, std::string_view text);

void AddCore(std::vector<Builtin>& out);
void AddStrings(std::vector<Builtin>& out);
void AddEncoding(std::vector<Builtin>& out);
void AddTime(std::vector<Builtin>& out);

}  // namespace qlrf::policy::internal::builtins
