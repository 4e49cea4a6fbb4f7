// PEP 440 ordering as Python's `packaging` implements it (epoch, release without trailing zeros,
// pre, post, dev, local); strings that are not PEP 440 get packaging's LegacyVersion order, below
// every PEP 440 version, since OSV data still holds such versions.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/versions/internal/common.h"
#include "common/versions/internal/schemes.h"

namespace qlrf::versions::internal {
namespace {

struct Pep440 {
  std::string_view epoch;
  std::vector<std::string_view> release;
  int pre_label = -1;  // 0 = a, 1 = b, 2 = rc; -1 = none
  std::string_view pre_number;
  bool has_post = false;
  std::string_view post_number;
  bool has_dev = false;
  std::string_view dev_number;
  bool has_local = false;
  std::vector<std::string_view> local;
};

bool IsSeparator(char c) { return c == '-' || c == '_' || c == '.'; }

// A backtracking matcher for packaging's VERSION_PATTERN (after lower-casing and trimming),
// trying alternatives in the regex's order so that ambiguous strings split the same way.
class Pep440Matcher {
 public:
  explicit Pep440Matcher(std::string_view s) : s_(s) {}

  std::optional<Pep440> Match() {
    size_t i = 0;
    if (i < s_.size() && s_[i] == 'v') {
      ++i;
    }
    size_t digits_end = SkipDigits(i);
    if (digits_end > i && digits_end < s_.size() && s_[digits_end] == '!') {
      v_.epoch = s_.substr(i, digits_end - i);
      i = digits_end + 1;
    }
    size_t end = SkipDigits(i);
    if (end == i) {
      return std::nullopt;
    }
    v_.release.push_back(s_.substr(i, end - i));
    i = end;
    while (i + 1 < s_.size() && s_[i] == '.' && IsDigit(s_[i + 1])) {
      end = SkipDigits(i + 1);
      v_.release.push_back(s_.substr(i + 1, end - i - 1));
      i = end;
    }
    if (!MatchPre(i)) {
      return std::nullopt;
    }
    return v_;
  }

 private:
  size_t SkipDigits(size_t i) const {
    while (i < s_.size() && IsDigit(s_[i])) {
      ++i;
    }
    return i;
  }

  // Tries `[-_.]?label[-_.]?(digits)?` at `i` for each label in order; calls `next(end, label
  // index, digits)` on each way to match and stops at the first that succeeds.
  template <class Labels, class Next>
  bool MatchLabelled(size_t i, const Labels& labels, const Next& next) const {
    for (bool sep : {true, false}) {
      size_t j = i;
      if (sep) {
        if (j >= s_.size() || !IsSeparator(s_[j])) {
          continue;
        }
        ++j;
      }
      for (size_t label = 0; label < labels.size(); ++label) {
        if (!s_.substr(j).starts_with(labels[label])) {
          continue;
        }
        size_t k = j + labels[label].size();
        for (bool sep2 : {true, false}) {
          size_t m = k;
          if (sep2) {
            if (m >= s_.size() || !IsSeparator(s_[m])) {
              continue;
            }
            ++m;
          }
          size_t digits_end = SkipDigits(m);
          if (digits_end > m && next(digits_end, label, s_.substr(m, digits_end - m))) {
            return true;
          }
          if (next(m, label, std::string_view())) {
            return true;
          }
        }
      }
    }
    return false;
  }

  bool MatchPre(size_t i) {
    static constexpr std::array<std::string_view, 8> kLabels = {"a",     "b",    "c",   "rc",
                                                                "alpha", "beta", "pre", "preview"};
    static constexpr std::array<int, 8> kNormalised = {0, 1, 2, 2, 0, 1, 2, 2};
    bool matched = MatchLabelled(i, kLabels, [&](size_t end, size_t label, std::string_view n) {
      v_.pre_label = kNormalised[label];
      v_.pre_number = n;
      return MatchPost(end);
    });
    if (matched) {
      return true;
    }
    v_.pre_label = -1;
    v_.pre_number = {};
    return MatchPost(i);
  }

  bool MatchPost(size_t i) {
    v_.has_post = true;
    if (i < s_.size() && s_[i] == '-') {  // the implicit form "1.0-1"
      size_t end = SkipDigits(i + 1);
      if (end > i + 1) {
        v_.post_number = s_.substr(i + 1, end - i - 1);
        if (MatchDev(end)) {
          return true;
        }
      }
    }
    static constexpr std::array<std::string_view, 3> kLabels = {"post", "rev", "r"};
    if (MatchLabelled(i, kLabels, [&](size_t end, size_t, std::string_view n) {
          v_.post_number = n;
          return MatchDev(end);
        })) {
      return true;
    }
    v_.has_post = false;
    v_.post_number = {};
    return MatchDev(i);
  }

  bool MatchDev(size_t i) {
    static constexpr std::array<std::string_view, 1> kLabels = {"dev"};
    v_.has_dev = true;
    if (MatchLabelled(i, kLabels, [&](size_t end, size_t, std::string_view n) {
          v_.dev_number = n;
          return MatchLocal(end);
        })) {
      return true;
    }
    v_.has_dev = false;
    v_.dev_number = {};
    return MatchLocal(i);
  }

  // `(\+[a-z0-9]+([-_.][a-z0-9]+)*)?$`
  bool MatchLocal(size_t i) {
    v_.has_local = false;
    v_.local.clear();
    if (i == s_.size()) {
      return true;
    }
    if (s_[i] != '+') {
      return false;
    }
    size_t start = i + 1;
    for (size_t k = start; k <= s_.size(); ++k) {
      if (k == s_.size() || IsSeparator(s_[k])) {
        if (k == start) {
          return false;
        }
        v_.local.push_back(s_.substr(start, k - start));
        start = k + 1;
      } else if (!IsLower(s_[k]) && !IsDigit(s_[k])) {
        return false;
      }
    }
    v_.has_local = true;
    return true;
  }

  std::string_view s_;
  Pep440 v_;
};

std::string_view Trim(std::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// packaging's LegacyVersion key: the string split into digit runs, letter runs, '.', '-' and the
// text between them; numbers zero-padded to 8, words prefixed with '*', with its clean-up of
// "final-" markers and zero padding before each word.
std::vector<std::string> LegacyKey(std::string_view text) {
  std::string lower = AsciiLower(text);
  std::vector<std::string> pieces;
  size_t i = 0;
  std::string between;
  auto flush = [&] {
    if (!between.empty()) {
      pieces.push_back(between);
      between.clear();
    }
  };
  while (i < lower.size()) {
    char c = lower[i];
    size_t end = i + 1;
    if (IsDigit(c)) {
      while (end < lower.size() && IsDigit(lower[end])) {
        ++end;
      }
    } else if (IsLower(c)) {
      while (end < lower.size() && IsLower(lower[end])) {
        ++end;
      }
    } else if (c != '.' && c != '-') {
      between += c;
      ++i;
      continue;
    }
    flush();
    pieces.push_back(lower.substr(i, end - i));
    i = end;
  }
  flush();
  std::vector<std::string> parts;
  auto add = [&parts](std::string part) {
    if (part.front() == '*') {
      if (part < "*final") {
        while (!parts.empty() && parts.back() == "*final-") {
          parts.pop_back();
        }
      }
      while (!parts.empty() && parts.back() == "00000000") {
        parts.pop_back();
      }
    }
    parts.push_back(std::move(part));
  };
  for (const std::string& raw : pieces) {
    std::string_view piece = raw;
    if (piece == "pre" || piece == "preview" || piece == "rc") {
      piece = "c";
    } else if (piece == "-") {
      piece = "final-";
    } else if (piece == "dev") {
      piece = "@";
    }
    if (piece == ".") {
      continue;
    }
    // Built by appending: GCC 12 reports false -Wrestrict warnings for short literal strings.
    std::string part;
    if (IsDigit(piece.front())) {
      part.append(piece.size() < 8 ? 8 - piece.size() : 0, '0');  // zfill(8)
    } else {
      part.push_back('*');
    }
    part += piece;
    add(std::move(part));
  }
  add("*final");
  return parts;
}

int CompareRelease(std::vector<std::string_view> a, std::vector<std::string_view> b) {
  auto strip = [](std::vector<std::string_view>& r) {
    while (!r.empty() && CompareDigits(r.back(), "") == 0) {
      r.pop_back();
    }
  };
  strip(a);
  strip(b);
  for (size_t k = 0; k < a.size() && k < b.size(); ++k) {
    if (int c = CompareDigits(a[k], b[k]); c != 0) {
      return c;
    }
  }
  return Sign(a.size(), b.size());
}

// The pre-release slot: -inf for a dev-only release (1.0.dev0 < 1.0a0), +inf for none.
int PreRank(const Pep440& v) {
  if (v.pre_label < 0) {
    return !v.has_post && v.has_dev ? 0 : 2;
  }
  return 1;
}

int CompareLocal(const Pep440& a, const Pep440& b) {
  if (a.has_local != b.has_local) {
    return a.has_local ? 1 : -1;
  }
  for (size_t k = 0; k < a.local.size() && k < b.local.size(); ++k) {
    bool an = AllDigits(a.local[k]);
    bool bn = AllDigits(b.local[k]);
    int c = an && bn   ? CompareDigits(a.local[k], b.local[k])
            : an != bn ? (an ? 1 : -1)  // numeric segments sort above words
                       : CompareBytes(a.local[k], b.local[k]);
    if (c != 0) {
      return c;
    }
  }
  return Sign(a.local.size(), b.local.size());
}

int ComparePep440Versions(const Pep440& a, const Pep440& b) {
  if (int c = CompareDigits(a.epoch, b.epoch); c != 0) {
    return c;
  }
  if (int c = CompareRelease(a.release, b.release); c != 0) {
    return c;
  }
  if (int c = Sign(PreRank(a), PreRank(b)); c != 0) {
    return c;
  }
  if (PreRank(a) == 1) {
    if (int c = Sign(a.pre_label, b.pre_label); c != 0) {
      return c;
    }
    if (int c = CompareDigits(a.pre_number, b.pre_number); c != 0) {
      return c;
    }
  }
  if (a.has_post != b.has_post) {
    return a.has_post ? 1 : -1;
  }
  if (int c = CompareDigits(a.post_number, b.post_number); c != 0) {
    return c;
  }
  if (a.has_dev != b.has_dev) {
    return a.has_dev ? -1 : 1;
  }
  if (int c = CompareDigits(a.dev_number, b.dev_number); c != 0) {
    return c;
  }
  return CompareLocal(a, b);
}

}  // namespace

int ComparePep440(std::string_view a, std::string_view b) {
  std::string la = AsciiLower(Trim(a));
  std::string lb = AsciiLower(Trim(b));
  std::optional<Pep440> va = Pep440Matcher(la).Match();
  std::optional<Pep440> vb = Pep440Matcher(lb).Match();
  if (va && vb) {
    return ComparePep440Versions(*va, *vb);
  }
  if (va || vb) {
    return va ? 1 : -1;  // legacy versions sort below every PEP 440 version
  }
  std::vector<std::string> ka = LegacyKey(a);
  std::vector<std::string> kb = LegacyKey(b);
  for (size_t k = 0; k < ka.size() && k < kb.size(); ++k) {
    if (int c = CompareBytes(ka[k], kb[k]); c != 0) {
      return c;
    }
  }
  return Sign(ka.size(), kb.size());
}

}  // namespace qlrf::versions::internal
