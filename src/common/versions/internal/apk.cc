// Alpine (apk-tools) version ordering: "digits{.digits}[letter[digits]]{_suffix[digits]}[~hash]
// [-rN]". Pre-release suffixes (alpha, beta, pre, rc) sort before the bare version, post-release
// ones (cvs, svn, git, hg, p) after it; trailing text apk cannot parse sorts the version lower.
#include <string_view>
#include <utility>
#include <vector>

#include "common/versions/internal/common.h"
#include "common/versions/internal/schemes.h"

namespace qlrf::versions::internal {
namespace {

struct Suffix {
  int weight;  // alpha -4 .. rc -1 (pre-release), cvs 1 .. p 5 (post-release)
  std::string_view number;
};

struct ApkVersion {
  std::vector<std::string_view> components;  // "1..2" has an empty middle component
  char letter = '\0';
  std::vector<std::string_view> letter_components;  // "2p1": the 1 after the letter
  std::vector<Suffix> suffixes;
  std::string_view hash;
  std::string_view build;  // the N of "-rN"; empty is 0
  bool has_remainder = false;
};

int SuffixWeight(std::string_view name) {
  constexpr std::pair<std::string_view, int> kSuffixes[] = {
      {"alpha", -4}, {"beta", -3}, {"pre", -2}, {"rc", -1}, {"cvs", 1},
      {"svn", 2},    {"git", 3},   {"hg", 4},   {"p", 5},
  };
  for (const auto& [suffix, weight] : kSuffixes) {
    if (suffix == name) {
      return weight;
    }
  }
  return 0;
}

ApkVersion ParseApk(std::string_view s) {
  ApkVersion v;
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) {
      ++i;
    }
    return s.substr(start, i - start);
  };
  auto dotted = [&](std::vector<std::string_view>& out) {
    out.push_back(digits());
    while (i < s.size() && s[i] == '.') {
      ++i;
      out.push_back(digits());
    }
  };
  if (i < s.size() && IsDigit(s[i])) {
    dotted(v.components);
  }
  if (i < s.size() && IsLower(s[i])) {
    v.letter = s[i++];
    if (i < s.size() && IsDigit(s[i])) {
      dotted(v.letter_components);
    }
  }
  while (i < s.size() && s[i] == '_') {
    size_t end = i + 1;
    while (end < s.size() && IsLower(s[end])) {
      ++end;
    }
    int weight = SuffixWeight(s.substr(i + 1, end - i - 1));
    if (weight == 0) {
      break;  // unknown suffix: the rest is unparsable
    }
    i = end;
    v.suffixes.push_back({weight, digits()});
  }
  if (i < s.size() && s[i] == '~') {
    size_t end = i + 1;
    while (end < s.size() && (IsDigit(s[end]) || (s[end] >= 'a' && s[end] <= 'f'))) {
      ++end;
    }
    if (end > i + 1) {
      v.hash = s.substr(i + 1, end - i - 1);
      i = end;
    }
  }
  if (s.substr(i).starts_with("-r")) {
    i += 2;
    v.build = digits();
  }
  v.has_remainder = i < s.size();
  return v;
}

// Leading zeros make apk compare a (non-first) component as a string, like Gentoo.
int CompareComponent(std::string_view x, std::string_view y, bool first) {
  if (x == y) {
    return 0;
  }
  if (x.empty() || y.empty()) {
    return x.empty() ? -1 : 1;
  }
  if (!first && (x.front() == '0' || y.front() == '0')) {
    return CompareBytes(x, y);
  }
  return CompareDigits(x, y);
}

// Component lists: a missing component sorts above an empty one and below a number.
int CompareComponents(const std::vector<std::string_view>& a,
                      const std::vector<std::string_view>& b, bool first_is_leading) {
  size_t n = a.size() > b.size() ? a.size() : b.size();
  for (size_t k = 0; k < n; ++k) {
    if (k >= a.size()) {
      return b[k].empty() ? 1 : -1;
    }
    if (k >= b.size()) {
      return a[k].empty() ? -1 : 1;
    }
    if (int c = CompareComponent(a[k], b[k], first_is_leading && k == 0); c != 0) {
      return c;
    }
  }
  return 0;
}

int CompareSuffixes(const std::vector<Suffix>& a, const std::vector<Suffix>& b) {
  size_t n = a.size() > b.size() ? a.size() : b.size();
  for (size_t k = 0; k < n; ++k) {
    if (k >= a.size()) {
      return b[k].weight < 0 ? 1 : -1;
    }
    if (k >= b.size()) {
      return a[k].weight < 0 ? -1 : 1;
    }
    if (a[k].weight != b[k].weight) {
      return Sign(a[k].weight, b[k].weight);
    }
    if (int c = CompareDigits(a[k].number, b[k].number); c != 0) {
      return c;
    }
  }
  return 0;
}

}  // namespace

int CompareAlpine(std::string_view a, std::string_view b) {
  ApkVersion va = ParseApk(a);
  ApkVersion vb = ParseApk(b);
  if (va.components.empty() && vb.components.empty()) {
    return CompareBytes(a, b);  // neither starts with a number: apk falls back to text order
  }
  if (int c = CompareComponents(va.components, vb.components, true); c != 0) {
    return c;
  }
  if (va.letter != vb.letter) {
    return Sign(va.letter, vb.letter);
  }
  if (int c = CompareComponents(va.letter_components, vb.letter_components, false); c != 0) {
    return c;
  }
  if (int c = CompareSuffixes(va.suffixes, vb.suffixes); c != 0) {
    return c;
  }
  if (int c = CompareBytes(va.hash, vb.hash); c != 0) {
    return c;
  }
  if (int c = CompareDigits(va.build, vb.build); c != 0) {
    return c;
  }
  if (va.has_remainder != vb.has_remainder) {
    return va.has_remainder ? -1 : 1;
  }
  return 0;
}

}  // namespace qlrf::versions::internal
