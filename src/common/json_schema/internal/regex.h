// ECMA-262 "pattern" approximated with std::wregex (ECMAScript grammar) over code points.
#pragma once

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

  const std::string& source() const { return source_; }

 private:
  Regex(std::string source, std::wregex re) : source_(std::move(source)), re_(std::move(re)) {}

  std::string source_;
  std::wregex re_;
};

}  // namespace qlrf::json_schema::internal
