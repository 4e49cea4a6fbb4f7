// Exact integers beyond int64, as OPA keeps them: 18446744073709551617 + 1 is exact, and so is
// a comparison of two 23-digit literals. A Value holds one when an integer result or literal
// does not fit int64; arithmetic on integers stays exact, anything with a fraction is a double.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>

#include <optional>
#include <string_view>

#include "engines/policy/internal/value.h"

namespace qlrf::policy::internal {

using BigInt = boost::multiprecision::cpp_int;

// The payload of a big-integer Value.
struct BigNum {
  BigInt value;
};

// An int64 Value when `i` fits, else a big-integer Value.
Value FromBigInt(BigInt i);

// The exact integer a number holds (int64, big, or an integral double); nullopt for other
// values and for doubles with a fraction.
std::optional<BigInt> ExactInteger(const Value& v);

// Whether `v` is a number without a fractional part.
bool IsIntegral(const Value& v);

// A decimal literal ("123", "-1.5e30", "1e400") as an exact integer when it denotes one that
// does not fit a double exactly (beyond 2^53, at most kMaxLiteralDigits digits); nullopt
// otherwise (then parse it as a double).
std::optional<BigInt> ExactIntegerLiteral(std::string_view text);

constexpr int kMaxLiteralDigits = 400;

}  // namespace qlrf::policy::internal
