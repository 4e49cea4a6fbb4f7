// Exact integers beyond int64, as OPA keeps them: 18446744073709551617 + 1 is exact, and so is
// a comparison of two 23-digit literals. A Value holds one when an integer result or literal
// does not fit int64; arithmetic on integers stays exact, anything with a fraction is a double.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

#include "engines/policy/internal/value.h"

namespace qlrf::policy::internal {

using BigInt = boost::multiprecision::cpp_int;

// The payload of a big-integer Value (exp10 == 0), or of an exact decimal literal: value ×
// 10^exp10 with exp10 < 0, kept so comparisons see every digit OPA sees.
struct BigNum {
  BigInt value;
  int64_t exp10 = 0;
};

// A decimal literal that a double cannot hold faithfully (more than 15 significant digits, or
// beyond the double's range: 0.1234567890123456789, 1e-400) as an exact decimal Value; nullopt
// when a double is exact enough or the text is not a decimal number.
std::optional<Value> ExactDecimalLiteral(std::string_view text);

// Exact comparison of two numbers when either is a big integer or an exact decimal (doubles
// compare as their shortest decimal form, which is how OPA reads them).
int CompareExactNumbers(const Value& a, const Value& b);

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

constexpr int kMaxLiteralDigits = 1000;

}  // namespace qlrf::policy::internal
