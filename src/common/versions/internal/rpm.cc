// RPM version ordering (rpmvercmp on epoch, version and release): alternating digit and letter
// segments, digits newer than letters, '~' before everything and '^' after the base version.
#include <optional>
#include <string_view>

#include "common/versions/internal/common.h"
#include "common/versions/internal/schemes.h"

namespace qlrf::versions::internal {
namespace {

struct RpmVersion {
  std::string_view epoch = "0";
  std::string_view version;
  std::optional<std::string_view> release;  // absent sorts before any release, even ""
};

// "[epoch:]version[-release]"; the epoch is only a run of digits before the first ':'.
RpmVersion ParseRpm(std::string_view text) {
  RpmVersion v;
  size_t digits = 0;
  while (digits < text.size() && IsDigit(text[digits])) {
    ++digits;
  }
  if (digits < text.size() && text[digits] == ':') {
    if (digits > 0) {
      v.epoch = text.substr(0, digits);
    }
    text = text.substr(digits + 1);
  }
  if (size_t dash = text.rfind('-'); dash != std::string_view::npos) {
    v.release = text.substr(dash + 1);
    text = text.substr(0, dash);
  }
  v.version = text;
  return v;
}

int RpmVerCmp(std::string_view a, std::string_view b) {
  if (a == b) {
    return 0;
  }
  size_t i = 0;
  size_t j = 0;
  auto separator = [](char c) { return !IsAlnum(c) && c != '~' && c != '^'; };
  while (i < a.size() || j < b.size()) {
    while (i < a.size() && separator(a[i])) {
      ++i;
    }
    while (j < b.size() && separator(b[j])) {
      ++j;
    }
    bool a_end = i >= a.size();
    bool b_end = j >= b.size();
    if ((!a_end && a[i] == '~') || (!b_end && b[j] == '~')) {
      if (a_end || a[i] != '~') {
        return 1;
      }
      if (b_end || b[j] != '~') {
        return -1;
      }
      ++i;
      ++j;
      continue;
    }
    // '^' is like '~' except that a version that ends sorts before one that continues with '^'.
    if ((!a_end && a[i] == '^') || (!b_end && b[j] == '^')) {
      if (a_end) {
        return -1;
      }
      if (b_end) {
        return 1;
      }
      if (a[i] != '^') {
        return 1;
      }
      if (b[j] != '^') {
        return -1;
      }
      ++i;
      ++j;
      continue;
    }
    if (a_end || b_end) {
      break;
    }
    bool numeric = IsDigit(a[i]);
    auto same_kind = [numeric](char c) { return numeric ? IsDigit(c) : IsAlpha(c); };
    size_t ai = i;
    while (i < a.size() && same_kind(a[i])) {
      ++i;
    }
    size_t bj = j;
    while (j < b.size() && same_kind(b[j])) {
      ++j;
    }
    if (bj == j) {  // segments of different kinds: numbers are newer than letters
      return numeric ? 1 : -1;
    }
    std::string_view sa = a.substr(ai, i - ai);
    std::string_view sb = b.substr(bj, j - bj);
    if (int c = numeric ? CompareDigits(sa, sb) : CompareBytes(sa, sb); c != 0) {
      return c;
    }
  }
  bool a_end = i >= a.size();
  bool b_end = j >= b.size();
  if (a_end && b_end) {
    return 0;
  }
  return a_end ? -1 : 1;
}

}  // namespace

int CompareRpm(std::string_view a, std::string_view b) {
  RpmVersion va = ParseRpm(a);
  RpmVersion vb = ParseRpm(b);
  if (int c = RpmVerCmp(va.epoch, vb.epoch); c != 0) {
    return c;
  }
  if (int c = RpmVerCmp(va.version, vb.version); c != 0) {
    return c;
  }
  if (!va.release || !vb.release) {
    return va.release ? 1 : (vb.release ? -1 : 0);
  }
  return RpmVerCmp(*va.release, *vb.release);
}

}  // namespace qlrf::versions::internal
