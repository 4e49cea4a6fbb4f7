// Composer (Packagist) ordering: PHP's version_compare() without a leading "v" ('-', '_', '+'
// become '.'; digit/non-digit boundaries split; words rank dev < alpha = a < beta = b < RC = rc
// < # < pl = p, a number counting as '#', unknown words below dev).
#include <string>
#include <string_view>
#include <vector>

#include "common/versions/internal/common.h"
#include "common/versions/internal/schemes.h"

namespace qlrf::versions::internal {
namespace {

std::vector<std::string> CanonicalParts(std::string_view v) {
  if (!v.empty() && (v.front() == 'v' || v.front() == 'V')) {
    v.remove_prefix(1);
  }
  std::string canonical;
  char previous = '\0';
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (i == 0) {
      canonical += c;
    } else if (c == '-' || c == '_' || c == '+') {
      if (canonical.back() != '.') {
        canonical += '.';
      }
    } else {
      bool digit = IsDigit(c);
      bool prev_digit = IsDigit(previous);
      bool boundary =
          (digit && !prev_digit && previous != '.') || (!digit && c != '.' && prev_digit);
      if (boundary && canonical.back() != '.') {
        canonical += '.';
      }
      canonical += c;
    }
    previous = c;
  }
  std::vector<std::string> parts;  // split on '.', skipping empty parts (PHP uses strtok)
  size_t start = 0;
  while (start <= canonical.size()) {
    size_t dot = canonical.find('.', start);
    if (dot == std::string::npos) {
      dot = canonical.size();
    }
    if (dot > start) {
      parts.push_back(canonical.substr(start, dot - start));
    }
    start = dot + 1;
  }
  return parts;
}

int SpecialForm(std::string_view form) {
  constexpr std::pair<std::string_view, int> kForms[] = {
      {"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2},
      {"RC", 3},  {"rc", 3},    {"#", 4}, {"pl", 5},   {"p", 5},
  };
  for (const auto& [name, order] : kForms) {
    if (form.starts_with(name)) {
      return order;
    }
  }
  return -1;
}

constexpr std::string_view kNumber = "#N#";  // what PHP compares a number against a word as

int CompareParts(const std::vector<std::string>& a, size_t i, const std::vector<std::string>& b,
                 size_t j) {
  for (; i < a.size() && j < b.size(); ++i, ++j) {
    bool an = IsDigit(a[i].front());
    bool bn = IsDigit(b[j].front());
    int c = 0;
    if (an && bn) {
      c = CompareDigits(a[i], b[j]);
    } else if (!an && !bn) {
      c = Sign(SpecialForm(a[i]), SpecialForm(b[j]));
    } else {
      c = an ? Sign(SpecialForm(kNumber), SpecialForm(b[j]))
             : Sign(SpecialForm(a[i]), SpecialForm(kNumber));
    }
    if (c != 0) {
      return c;
    }
  }
  const std::vector<std::string> number = {std::string(kNumber)};
  if (i < a.size()) {
    return IsDigit(a[i].front()) ? 1 : CompareParts(a, i, number, 0);
  }
  if (j < b.size()) {
    return IsDigit(b[j].front()) ? -1 : CompareParts(number, 0, b, j);
  }
  return 0;
}

}  // namespace

int ComparePackagist(std::string_view a, std::string_view b) {
  return CompareParts(CanonicalParts(a), 0, CanonicalParts(b), 0);
}

}  // namespace qlrf::versions::internal
