// JSON value semantics that JSON Schema defines differently from Boost.JSON: numeric equality
// across int/double (1 == 1.0), integer-valued doubles, code-point string length.
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace qlrf::json_schema::internal {

// True for every integer-valued number, including 1.0 and integral doubles beyond int64.
bool IsInteger(const boost::json::value& v);

// Exact for int64, uint64 and double (long double has a 64-bit mantissa on x86-64).
long double ToLongDouble(const boost::json::value& v);

// <0, 0, >0 as a is less than, equal to or greater than b; both must be numbers.
int CompareNumbers(const boost::json::value& a, const boost::json::value& b);

// JSON Schema equality: numbers by value, objects ignoring member order.
bool JsonEqual(const boost::json::value& a, const boost::json::value& b);

// A hash consistent with JsonEqual (equal values hash equally).
size_t JsonHash(const boost::json::value& v);

// Whether `x` is a multiple of `divisor` (> 0); exact for integers, tolerant for decimals.
bool IsMultipleOf(const boost::json::value& x, const boost::json::value& divisor);

// Number of Unicode code points in valid UTF-8.
size_t CodePointCount(std::string_view utf8);

// Decodes UTF-8 into code points (invalid bytes become U+FFFD).
std::wstring Utf8ToWide(std::string_view utf8);

// Escapes one JSON Pointer token ("~" -> "~0", "/" -> "~1").
std::string EscapePointerToken(std::string_view token);

// The JSON type name used in messages: "null", "boolean", "object", "array", "integer",
// "number", "string".
std::string_view TypeName(const boost::json::value& v);

}  // namespace qlrf::json_schema::internal
