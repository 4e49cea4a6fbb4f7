// Numeric and byte comparison helpers for the version schemes.
#include "common/versions/internal/common.h"

#include <string>

namespace qlrf::versions::internal {

int CompareDigits(std::string_view a, std::string_view b) {
  while (!a.empty() && a.front() == '0') {
    a.remove_prefix(1);
  }
  while (!b.empty() && b.front() == '0') {
    b.remove_prefix(1);
  }
  if (a.size() != b.size()) {
    return a.size() < b.size() ? -1 : 1;
  }
  return CompareBytes(a, b);
}

int CompareBytes(std::string_view a, std::string_view b) {
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) {
      return false;
    }
  }
  return true;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = ToLower(c);
  }
  return out;
}

Error BadVersion(std::string_view field, std::string_view scheme, std::string_view version,
                 std::string_view why) {
  std::string shown(version.substr(0, 64));
  return FieldError(std::string(field), "invalid " + std::string(scheme) + " version \"" + shown +
                                            "\": " + std::string(why));
}

}  // namespace qlrf::versions::internal
