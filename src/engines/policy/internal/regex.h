// A regular-expression engine for Rego's regex.* and glob.* built-ins: the RE2 syntax OPA
// accepts (classes, Perl and POSIX classes, groups, alternation, counted repetition, flags i, m,
// s, U), matched by a Pike VM over code points, so matching time is linear in the input and no
// pattern can make it backtrack exponentially.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace qlrf::policy::internal {

// A compiled pattern. Immutable; copies share the program; Search and FindAll are thread-safe.
class Regex {
 public:
  // Fails with InvalidArgument "error parsing regexp: <reason>: `<fragment>`" (RE2's wording).
  static Result<Regex> Compile(std::string_view pattern);

  // Whether the pattern matches anywhere in `text`.
  bool Search(std::string_view text) const;

  // Up to `n` (all when n < 0) leftmost non-overlapping matches, as Go's FindAllStringSubmatch
  // finds them. Each match lists [begin, end) byte offsets for the whole match and every group;
  // {-1, -1} for a group that did not participate.
  std::vector<std::vector<std::pair<int, int>>> FindAll(std::string_view text, int n) const;

  int NumGroups() const;

  // The compiled instruction list; defined in regex.cc.
  struct Program;

 private:
  explicit Regex(std::shared_ptr<const Program> program) : program_(std::move(program)) {}
  std::shared_ptr<const Program> program_;
};

// Decodes one UTF-8 code point at `i` (invalid bytes decode as U+FFFD of length 1).
uint32_t DecodeUtf8(std::string_view s, size_t i, size_t& len);
void AppendUtf8(std::string& out, uint32_t cp);
// Number of code points.
size_t CountRunes(std::string_view s);

}  // namespace qlrf::policy::internal
