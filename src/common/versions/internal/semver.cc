// SemVer-family orderings: SemVer 2.0 (npm, Go, crates.io), NuGet and Dart pub. They share the
// "major.minor.patch-pre.release+build" shape and differ in leniency and in what build metadata
// and pre-release case mean.
#include <string_view>
#include <vector>

#include "common/versions/internal/common.h"
#include "common/versions/internal/schemes.h"

namespace qlrf::versions::internal {
namespace {

struct SemVerParts {
  std::vector<std::string_view> numbers;  // major, minor, patch (NuGet: up to four)
  bool has_pre = false;
  std::string_view pre;
  bool has_build = false;
  std::string_view build;
};

std::vector<std::string_view> SplitDots(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    out.push_back(
        s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) {
      return out;
    }
    start = dot + 1;
  }
}

// Parses "[v]N[.N[.N]][-pre][+build]". With `lenient_dots`, a '.' after `max_numbers` numbers
// starts build metadata (OSV's reading of "1.1.3.4.5"). Fails when the version does not start
// with a number or has text after the numbers that is not a pre-release or build.
Result<SemVerParts> ParseSemVerLike(std::string_view field, std::string_view scheme,
                                    std::string_view text, size_t max_numbers, bool allow_v,
                                    bool lenient_dots) {
  std::string_view s = text;
  if (allow_v && !s.empty() && s.front() == 'v') {
    s.remove_prefix(1);
  }
  SemVerParts v;
  size_t i = 0;
  while (true) {
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) {
      ++i;
    }
    if (i == start) {
      return Fail(BadVersion(field, scheme, text, "expected a number"));
    }
    v.numbers.push_back(s.substr(start, i - start));
    if (i < s.size() && s[i] == '.' && v.numbers.size() < max_numbers) {
      ++i;
      continue;
    }
    break;
  }
  std::string_view rest = s.substr(i);
  if (!rest.empty() && rest.front() == '.' && lenient_dots) {
    v.has_build = true;
    v.build = rest.substr(1);
    rest = {};
  }
  if (!rest.empty() && rest.front() == '-') {
    size_t plus = rest.find('+');
    v.has_pre = true;
    v.pre = rest.substr(1, plus == std::string_view::npos ? std::string_view::npos : plus - 1);
    rest = plus == std::string_view::npos ? std::string_view() : rest.substr(plus);
    if (v.pre.empty()) {
      return Fail(BadVersion(field, scheme, text, "empty pre-release"));
    }
  }
  if (!rest.empty() && rest.front() == '+') {
    v.has_build = true;
    v.build = rest.substr(1);
    rest = {};
    if (v.build.empty()) {
      return Fail(BadVersion(field, scheme, text, "empty build metadata"));
    }
  }
  if (!rest.empty()) {
    return Fail(BadVersion(field, scheme, text, "unexpected text after the version numbers"));
  }
  return v;
}

int CompareNumbers(const SemVerParts& a, const SemVerParts& b, size_t count) {
  for (size_t k = 0; k < count; ++k) {
    std::string_view x = k < a.numbers.size() ? a.numbers[k] : std::string_view();
    std::string_view y = k < b.numbers.size() ? b.numbers[k] : std::string_view();
    if (int c = CompareDigits(x, y); c != 0) {
      return c;
    }
  }
  return 0;
}

// Dot-separated identifiers: numbers numerically and before text; text byte-wise (lowercased
// first when `fold_case`); a shorter list that is a prefix sorts first.
int CompareIdentifiers(std::string_view a, std::string_view b, bool fold_case) {
  std::vector<std::string_view> xs = SplitDots(a);
  std::vector<std::string_view> ys = SplitDots(b);
  for (size_t k = 0; k < xs.size() && k < ys.size(); ++k) {
    bool xn = !xs[k].empty() && AllDigits(xs[k]);
    bool yn = !ys[k].empty() && AllDigits(ys[k]);
    int c = 0;
    if (xn && yn) {
      c = CompareDigits(xs[k], ys[k]);
    } else if (xn != yn) {
      c = xn ? -1 : 1;
    } else {
      c = fold_case ? CompareBytes(AsciiLower(xs[k]), AsciiLower(ys[k]))
                    : CompareBytes(xs[k], ys[k]);
    }
    if (c != 0) {
      return c;
    }
  }
  return Sign(xs.size(), ys.size());
}

// A version without a pre-release sorts after one with.
int ComparePreRelease(const SemVerParts& a, const SemVerParts& b, bool fold_case) {
  if (a.has_pre != b.has_pre) {
    return a.has_pre ? -1 : 1;
  }
  return a.has_pre ? CompareIdentifiers(a.pre, b.pre, fold_case) : 0;
}

}  // namespace

Result<int> CompareSemVer(std::string_view a, std::string_view b) {
  QLRF_ASSIGN_OR_RETURN(SemVerParts va, ParseSemVerLike("a", "SemVer", a, 3, true, true));
  QLRF_ASSIGN_OR_RETURN(SemVerParts vb, ParseSemVerLike("b", "SemVer", b, 3, true, true));
  if (int c = CompareNumbers(va, vb, 3); c != 0) {
    return c;
  }
  return ComparePreRelease(va, vb, false);  // build metadata does not order
}

Result<int> CompareNuGet(std::string_view a, std::string_view b) {
  QLRF_ASSIGN_OR_RETURN(SemVerParts va, ParseSemVerLike("a", "NuGet", a, 4, false, false));
  QLRF_ASSIGN_OR_RETURN(SemVerParts vb, ParseSemVerLike("b", "NuGet", b, 4, false, false));
  if (int c = CompareNumbers(va, vb, 4); c != 0) {
    return c;
  }
  return ComparePreRelease(va, vb, true);  // NuGet labels are case-insensitive
}

Result<int> ComparePub(std::string_view a, std::string_view b) {
  QLRF_ASSIGN_OR_RETURN(SemVerParts va, ParseSemVerLike("a", "pub", a, 3, true, true));
  QLRF_ASSIGN_OR_RETURN(SemVerParts vb, ParseSemVerLike("b", "pub", b, 3, true, true));
  if (int c = CompareNumbers(va, vb, 3); c != 0) {
    return c;
  }
  if (int c = ComparePreRelease(va, vb, false); c != 0) {
    return c;
  }
  // pub_semver orders build metadata too, and a build sorts after none.
  if (va.has_build != vb.has_build) {
    return va.has_build ? 1 : -1;
  }
  return va.has_build ? CompareIdentifiers(va.build, vb.build, false) : 0;
}

}  // namespace qlrf::versions::internal
