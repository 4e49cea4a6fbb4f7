// Debian version ordering as dpkg implements it (deb-version(7)): epoch numerically, then upstream
// version and revision with verrevcmp, where '~' sorts before everything, even the end.
#include <string_view>

#include "common/versions/internal/common.h"
#include "common/versions/internal/schemes.h"

namespace qlrf::versions::internal {
namespace {

struct DebianVersion {
  std::string_view epoch;  // digits; empty means 0
  std::string_view upstream;
  std::string_view revision;  // empty when absent (dpkg treats "" and "0" alike)
};

Result<DebianVersion> ParseDebian(std::string_view field, std::string_view text) {
  DebianVersion v;
  if (text.empty()) {
    return Fail(BadVersion(field, "Debian", text, "empty"));
  }
  std::string_view rest = text;
  if (size_t colon = rest.find(':'); colon != std::string_view::npos) {
    v.epoch = rest.substr(0, colon);
    if (v.epoch.empty() || !AllDigits(v.epoch)) {
      return Fail(BadVersion(field, "Debian", text, "epoch is not a number"));
    }
    rest = rest.substr(colon + 1);
  }
  if (size_t dash = rest.rfind('-'); dash != std::string_view::npos) {
    v.revision = rest.substr(dash + 1);
    if (v.revision.empty()) {
      return Fail(BadVersion(field, "Debian", text, "empty revision"));
    }
    rest = rest.substr(0, dash);
  }
  v.upstream = rest;
  if (v.upstream.empty()) {
    return Fail(BadVersion(field, "Debian", text, "empty upstream version"));
  }
  for (char c : v.upstream) {
    bool colon_ok = c == ':' && !v.epoch.empty();
    if (!IsAlnum(c) && c != '.' && c != '+' && c != '~' && c != '-' && !colon_ok) {
      return Fail(BadVersion(field, "Debian", text, "invalid character in upstream version"));
    }
  }
  for (char c : v.revision) {
    if (!IsAlnum(c) && c != '.' && c != '+' && c != '~') {
      return Fail(BadVersion(field, "Debian", text, "invalid character in revision"));
    }
  }
  return v;
}

// dpkg's weight of a non-digit character: '~' < end/digit < letters < everything else.
int Order(char c) {
  if (IsDigit(c)) {
    return 0;
  }
  if (IsAlpha(c)) {
    return static_cast<unsigned char>(c);
  }
  if (c == '~') {
    return -1;
  }
  if (c != '\0') {
    return static_cast<unsigned char>(c) + 256;
  }
  return 0;
}

char At(std::string_view s, size_t i) { return i < s.size() ? s[i] : '\0'; }

int VerRevCmp(std::string_view a, std::string_view b) {
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() || j < b.size()) {
    // Non-digit prefixes, character by character.
    while ((i < a.size() && !IsDigit(a[i])) || (j < b.size() && !IsDigit(b[j]))) {
      int ac = Order(At(a, i));
      int bc = Order(At(b, j));
      if (ac != bc) {
        return ac < bc ? -1 : 1;
      }
      ++i;
      ++j;
    }
    i = i < a.size() ? i : a.size();
    j = j < b.size() ? j : b.size();
    // Digit runs, numerically.
    size_t ai = i;
    while (i < a.size() && IsDigit(a[i])) {
      ++i;
    }
    size_t bj = j;
    while (j < b.size() && IsDigit(b[j])) {
      ++j;
    }
    if (int c = CompareDigits(a.substr(ai, i - ai), b.substr(bj, j - bj)); c != 0) {
      return c;
    }
  }
  return 0;
}

}  // namespace

Result<int> CompareDebian(std::string_view a, std::string_view b) {
  QLRF_ASSIGN_OR_RETURN(DebianVersion va, ParseDebian("a", a));
  QLRF_ASSIGN_OR_RETURN(DebianVersion vb, ParseDebian("b", b));
  if (int c = CompareDigits(va.epoch, vb.epoch); c != 0) {
    return c;
  }
  if (int c = VerRevCmp(va.upstream, vb.upstream); c != 0) {
    return c;
  }
  return VerRevCmp(va.revision, vb.revision);
}

}  // namespace qlrf::versions::internal
