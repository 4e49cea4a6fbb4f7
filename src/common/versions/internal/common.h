// Helpers shared by the version schemes: arbitrary-length numeric comparison, character classes
// and the error every scheme returns for input it rejects.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace qlrf::versions::internal {

// Sign of a - b as -1, 0 or 1.
template <class T>
int Sign(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Compares two runs of ASCII digits as unbounded non-negative integers; an empty run is 0.
int CompareDigits(std::string_view a, std::string_view b);

// Byte-wise three-way comparison (unsigned, like memcmp).
int CompareBytes(std::string_view a, std::string_view b);

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
inline bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool IsAlpha(char c) { return IsLower(c) || IsUpper(c); }
inline bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
inline char ToLower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

bool AllDigits(std::string_view s);
std::string AsciiLower(std::string_view s);

// InvalidArgument naming the argument ("a" or "b") and the scheme.
Error BadVersion(std::string_view field, std::string_view scheme, std::string_view version,
                 std::string_view why);

}  // namespace qlrf::versions::internal
