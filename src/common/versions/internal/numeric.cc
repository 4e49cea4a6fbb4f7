// Orderings of plain numeric versions and of RubyGems: CRAN (R package_version, numbers split on
// '.' or '-'), Hackage (Data.Version, numbers split on '.') and Gem::Version (numbers and words,
// a word marks a pre-release, trailing zeros ignored).
#include <string_view>
#include <vector>

#include "common/versions/internal/common.h"
#include "common/versions/internal/schemes.h"

namespace qlrf::versions::internal {
namespace {

// Splits on any of `separators`; every part must be a non-empty run of digits.
Result<std::vector<std::string_view>> NumericParts(std::string_view field, std::string_view scheme,
                                                   std::string_view text,
                                                   std::string_view separators) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find_first_of(separators, start);
    std::string_view part = text.substr(start, end == std::string_view::npos ? end : end - start);
    if (part.empty() || !AllDigits(part)) {
      return Fail(BadVersion(field, scheme, text, "parts must be numbers"));
    }
    parts.push_back(part);
    if (end == std::string_view::npos) {
      return parts;
    }
    start = end + 1;
  }
}

// Lexicographic; a list that is a prefix of the other sorts first ("1.0" < "1.0.0").
int CompareNumberLists(const std::vector<std::string_view>& a,
                       const std::vector<std::string_view>& b) {
  for (size_t k = 0; k < a.size() && k < b.size(); ++k) {
    if (int c = CompareDigits(a[k], b[k]); c != 0) {
      return c;
    }
  }
  return Sign(a.size(), b.size());
}

Result<int> CompareNumeric(std::string_view scheme, std::string_view separators, std::string_view a,
                           std::string_view b) {
  QLRF_ASSIGN_OR_RETURN(auto va, NumericParts("a", scheme, a, separators));
  QLRF_ASSIGN_OR_RETURN(auto vb, NumericParts("b", scheme, b, separators));
  return CompareNumberLists(va, vb);
}

// A loose Gem::Version: letters, digits, '.' and '-' starting with a digit (or nothing, which is
// "0"), with optional surrounding whitespace. Looser than Gem::Version's own pattern on purpose:
// OSV advisories carry versions such as "1beta" that it refuses but that order fine.
bool IsGemVersion(std::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && space(s.back())) {
    s.remove_suffix(1);
  }
  if (s.empty()) {
    return true;
  }
  if (!IsDigit(s.front())) {
    return false;
  }
  for (char c : s) {
    if (!IsAlnum(c) && c != '.' && c != '-') {
      return false;
    }
  }
  return true;
}

struct GemSegment {
  bool word = false;  // a letter run; otherwise a digit run
  std::string_view text;
};

// Gem::Version#canonical_segments: the digit and letter runs (after '-' becomes ".pre."), with
// trailing zeros dropped from the numeric prefix and from the rest.
std::vector<GemSegment> GemSegments(std::string_view s) {
  std::vector<GemSegment> segments;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    if (IsDigit(s[i])) {
      while (i < s.size() && IsDigit(s[i])) {
        ++i;
      }
      segments.push_back({false, s.substr(start, i - start)});
    } else if (IsAlpha(s[i])) {
      while (i < s.size() && IsAlpha(s[i])) {
        ++i;
      }
      segments.push_back({true, s.substr(start, i - start)});
    } else {
      if (s[i] == '-') {  // "1.0-rc1" is "1.0.pre.rc1"
        segments.push_back({true, "pre"});
      }
      ++i;
    }
  }
  size_t first_word = 0;
  while (first_word < segments.size() && !segments[first_word].word) {
    ++first_word;
  }
  auto is_zero = [](const GemSegment& g) { return !g.word && CompareDigits(g.text, "") == 0; };
  std::vector<GemSegment> numbers(segments.begin(),
                                  segments.begin() + static_cast<std::ptrdiff_t>(first_word));
  std::vector<GemSegment> rest(segments.begin() + static_cast<std::ptrdiff_t>(first_word),
                               segments.end());
  while (!numbers.empty() && is_zero(numbers.back())) {
    numbers.pop_back();
  }
  while (!rest.empty() && is_zero(rest.back())) {
    rest.pop_back();
  }
  numbers.insert(numbers.end(), rest.begin(), rest.end());
  return numbers;
}

}  // namespace

Result<int> CompareCran(std::string_view a, std::string_view b) {
  return CompareNumeric("CRAN", ".-", a, b);
}

Result<int> CompareHackage(std::string_view a, std::string_view b) {
  return CompareNumeric("Hackage", ".", a, b);
}

Result<int> CompareRubyGems(std::string_view a, std::string_view b) {
  if (!IsGemVersion(a)) {
    return Fail(BadVersion("a", "RubyGems", a, "not a Gem::Version"));
  }
  if (!IsGemVersion(b)) {
    return Fail(BadVersion("b", "RubyGems", b, "not a Gem::Version"));
  }
  std::vector<GemSegment> sa = GemSegments(a);
  std::vector<GemSegment> sb = GemSegments(b);
  const GemSegment zero;
  for (size_t k = 0; k < sa.size() || k < sb.size(); ++k) {
    const GemSegment& x = k < sa.size() ? sa[k] : zero;
    const GemSegment& y = k < sb.size() ? sb[k] : zero;
    if (x.word != y.word) {
      return x.word ? -1 : 1;  // a word (pre-release) sorts below a number
    }
    int c = x.word ? CompareBytes(x.text, y.text) : CompareDigits(x.text, y.text);
    if (c != 0) {
      return c;
    }
  }
  return 0;
}

}  // namespace qlrf::versions::internal
