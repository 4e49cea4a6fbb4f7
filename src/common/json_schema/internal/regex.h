// ECMA-262 "pattern" approximated with std::wregex (ECMAScript grammar) over code points.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>

#include "common/result.h"

namespace qlrf::json_schema::internal {

// A compiled pattern. Matching is unanchored, as ECMA-262 RegExp.prototype.test is.
// Immutable after construction; Search is thread-safe.
class Regex {
 public:
  // InvalidArgument when std::regex rejects the pattern; Unimplemented for ECMA-262 features it
  // would silently misread (\p{...} property escapes, named groups, lookbehind).
  static Result<Regex> Compile(std::string_view pattern);

  // Whether the pattern matches anywhere in `utf8`. A match the engine gives up on (complexity
  // limit) counts as no match.
  bool Search(std::string_view utf8) const;

  const std::string& Source() const { return source_; }

 private:
  Regex(std::string source, std::wregex re, std::optional<std::wregex> scan)
      : source_(std::move(source)), re_(std::move(re)), scan_(std::move(scan)) {}

  std::string source_;
  std::wregex re_;
  // "[\s\S]*?(?:pattern)" matched from position 0 only: one pass over a long subject instead of
  // one pass per start position (quadratic). Slower on short subjects, so used on long ones.
  std::optional<std::wregex> scan_;
};

}  // namespace qlrf::json_schema::internal
