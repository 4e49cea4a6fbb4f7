// Dispatch from Ecosystem to its comparison, and the OSV-name / purl-type mapping.
#include "common/versions/versions.h"

#include <string>
#include <utility>

#include "common/versions/internal/common.h"
#include "common/versions/internal/schemes.h"

namespace qlrf::versions {
namespace {

// Lowercased OSV ecosystem names (before any ":release" suffix) and purl types.
constexpr std::pair<std::string_view, Ecosystem> kNames[] = {
    {"debian", Ecosystem::kDebian},
    {"ubuntu", Ecosystem::kDebian},
    {"deb", Ecosystem::kDebian},
    {"red hat", Ecosystem::kRpm},
    {"redhat", Ecosystem::kRpm},
    {"rpm", Ecosystem::kRpm},
    {"rocky linux", Ecosystem::kRpm},
    {"almalinux", Ecosystem::kRpm},
    {"suse", Ecosystem::kRpm},
    {"opensuse", Ecosystem::kRpm},
    {"mageia", Ecosystem::kRpm},
    {"openeuler", Ecosystem::kRpm},
    {"azure linux", Ecosystem::kRpm},
    {"mariner", Ecosystem::kRpm},
    {"photon os", Ecosystem::kRpm},
    {"amazon linux", Ecosystem::kRpm},
    {"oracle linux", Ecosystem::kRpm},
    {"centos", Ecosystem::kRpm},
    {"fedora", Ecosystem::kRpm},
    {"alpine", Ecosystem::kAlpine},
    {"apk", Ecosystem::kAlpine},
    {"wolfi", Ecosystem::kAlpine},
    {"chainguard", Ecosystem::kAlpine},
    {"semver", Ecosystem::kSemVer},
    {"npm", Ecosystem::kSemVer},
    {"crates.io", Ecosystem::kSemVer},
    {"cargo", Ecosystem::kSemVer},
    {"hex", Ecosystem::kSemVer},
    {"swifturl", Ecosystem::kSemVer},
    {"swift", Ecosystem::kSemVer},
    {"bitnami", Ecosystem::kSemVer},
    {"go", Ecosystem::kGo},
    {"golang", Ecosystem::kGo},
    {"pypi", Ecosystem::kPyPI},
    {"maven", Ecosystem::kMaven},
    {"packagist", Ecosystem::kPackagist},
    {"composer", Ecosystem::kPackagist},
    {"rubygems", Ecosystem::kRubyGems},
    {"gem", Ecosystem::kRubyGems},
    {"nuget", Ecosystem::kNuGet},
    {"pub", Ecosystem::kPub},
    {"cran", Ecosystem::kCran},
    {"hackage", Ecosystem::kHackage},
};

}  // namespace

Result<int> CompareVersions(Ecosystem ecosystem, std::string_view a, std::string_view b) {
  switch (ecosystem) {
    case Ecosystem::kDebian:
      return internal::CompareDebian(a, b);
    case Ecosystem::kRpm:
      return internal::CompareRpm(a, b);
    case Ecosystem::kAlpine:
      return internal::CompareAlpine(a, b);
    case Ecosystem::kSemVer:
    case Ecosystem::kGo:
      return internal::CompareSemVer(a, b);
    case Ecosystem::kPyPI:
      return internal::ComparePep440(a, b);
    case Ecosystem::kMaven:
      return internal::CompareMaven(a, b);
    case Ecosystem::kPackagist:
      return internal::ComparePackagist(a, b);
    case Ecosystem::kRubyGems:
      return internal::CompareRubyGems(a, b);
    case Ecosystem::kNuGet:
      return internal::CompareNuGet(a, b);
    case Ecosystem::kPub:
      return internal::ComparePub(a, b);
    case Ecosystem::kCran:
      return internal::CompareCran(a, b);
    case Ecosystem::kHackage:
      return internal::CompareHackage(a, b);
  }
  QLRF_CHECK(false, "every Ecosystem enumerator is handled above");
  return 0;
}

Result<Ecosystem> EcosystemFromName(std::string_view name) {
  std::string key = internal::AsciiLower(name.substr(0, name.find(':')));
  for (const auto& [known, ecosystem] : kNames) {
    if (known == key) {
      return ecosystem;
    }
  }
  return Fail(FieldError("ecosystem", "no version ordering for ecosystem \"" +
                                          std::string(name.substr(0, 64)) + "\""));
}

std::string_view EcosystemName(Ecosystem ecosystem) {
  switch (ecosystem) {
    case Ecosystem::kDebian:
      return "Debian";
    case Ecosystem::kRpm:
      return "RPM";
    case Ecosystem::kAlpine:
      return "Alpine";
    case Ecosystem::kSemVer:
      return "SemVer";
    case Ecosystem::kGo:
      return "Go";
    case Ecosystem::kPyPI:
      return "PyPI";
    case Ecosystem::kMaven:
      return "Maven";
    case Ecosystem::kPackagist:
      return "Packagist";
    case Ecosystem::kRubyGems:
      return "RubyGems";
    case Ecosystem::kNuGet:
      return "NuGet";
    case Ecosystem::kPub:
      return "Pub";
    case Ecosystem::kCran:
      return "CRAN";
    case Ecosystem::kHackage:
      return "Hackage";
  }
  return "unknown";
}

}  // namespace qlrf::versions
