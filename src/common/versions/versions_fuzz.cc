// Fuzz target: input is one byte choosing the ecosystem, then up to three versions separated by
// '\n'. Comparisons never crash; results are -1/0/1, reflexive and antisymmetric, failures name
// the offending argument, and (for the schemes that define a total order) transitive.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/versions/versions.h"

namespace {

using qlrf::versions::CompareVersions;
using qlrf::versions::Ecosystem;

constexpr std::array kEcosystems = {
    Ecosystem::kDebian,   Ecosystem::kRpm,   Ecosystem::kAlpine, Ecosystem::kSemVer,
    Ecosystem::kGo,       Ecosystem::kPyPI,  Ecosystem::kMaven,  Ecosystem::kPackagist,
    Ecosystem::kRubyGems, Ecosystem::kNuGet, Ecosystem::kPub,    Ecosystem::kCran,
    Ecosystem::kHackage,
};

// Two reference orderings are not transitive, and we match them rather than fix them:
// PHP's version_compare (Composer) ranks a number equal to '#' yet numbers against each other;
// Maven ComparableVersion puts "1-0" < "1a" < "1.0.0-0.0.rc0" < "1-0" (a sub-list that starts
// with zeros and then "rc" sorts below "nothing" but above any word).
bool IsTotalOrder(Ecosystem e) { return e != Ecosystem::kPackagist && e != Ecosystem::kMaven; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  Ecosystem e = kEcosystems[data[0] % kEcosystems.size()];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string_view> versions;
  while (versions.size() < 3) {
    size_t nl = rest.find('\n');
    versions.push_back(rest.substr(0, nl));
    if (nl == std::string_view::npos) {
      break;
    }
    rest = rest.substr(nl + 1);
  }
  std::vector<bool> valid;
  for (std::string_view v : versions) {
    auto self = CompareVersions(e, v, v);
    QLRF_CHECK(!self || *self == 0, "compare(a, a) == 0");
    QLRF_CHECK(self || self.error().Detail("field") == "a", "errors name the argument");
    valid.push_back(self.has_value());
  }
  int c[3][3] = {};
  for (size_t i = 0; i < versions.size(); ++i) {
    for (size_t j = 0; j < versions.size(); ++j) {
      auto r = CompareVersions(e, versions[i], versions[j]);
      QLRF_CHECK(r.has_value() == (valid[i] && valid[j]), "only invalid versions fail");
      if (r) {
        QLRF_CHECK(*r >= -1 && *r <= 1, "results are -1, 0 or 1");
        c[i][j] = *r;
      }
    }
  }
  for (size_t i = 0; i < versions.size(); ++i) {
    for (size_t j = 0; j < versions.size(); ++j) {
      if (valid[i] && valid[j]) {
        QLRF_CHECK(c[i][j] == -c[j][i], "compare(a, b) == -compare(b, a)");
      }
    }
  }
  if (versions.size() == 3 && valid[0] && valid[1] && valid[2] && IsTotalOrder(e)) {
    for (size_t i = 0; i < 3; ++i) {
      for (size_t j = 0; j < 3; ++j) {
        for (size_t k = 0; k < 3; ++k) {
          if (c[i][j] <= 0 && c[j][k] <= 0) {
            QLRF_CHECK(c[i][k] <= 0, "a <= b and b <= c imply a <= c");
          }
        }
      }
    }
  }
  return 0;
}
