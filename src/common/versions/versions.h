// Version ordering per ecosystem: dpkg, rpmvercmp, apk, SemVer 2.0 (npm, Go, crates.io), PEP 440,
// Maven ComparableVersion, Composer, RubyGems, NuGet, Dart pub, CRAN and Hackage, each as the
// ecosystem's reference tool orders versions. Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "common/result.h"

namespace qlrf::versions {

// A version-ordering scheme, named after the ecosystem that defines it.
enum class Ecosystem {
  kDebian,     // dpkg: Debian, Ubuntu ("epoch:upstream-revision", '~' sorts first)
  kRpm,        // rpmvercmp: Red Hat, Rocky, AlmaLinux, SUSE, Amazon, Oracle, Photon, Mariner
  kAlpine,     // apk-tools: Alpine, Wolfi, Chainguard ("1.2.3_rc1-r0")
  kSemVer,     // SemVer 2.0: npm, crates.io, Hex, SwiftURL, Bitnami
  kGo,         // Go modules: SemVer with an optional "v" prefix
  kPyPI,       // PEP 440, with `packaging`'s legacy ordering for non-PEP 440 strings
  kMaven,      // Maven ComparableVersion
  kPackagist,  // Composer (PHP version_compare on the normalised version)
  kRubyGems,   // Gem::Version
  kNuGet,      // NuGet SemVer (four numeric parts, case-insensitive pre-release)
  kPub,        // Dart pub_semver (build metadata orders too)
  kCran,       // R package_version
  kHackage,    // Haskell Data.Version
};

// Compares two versions: negative if a < b, 0 if they are equivalent, positive if a > b (always
// -1, 0 or 1). Fails with InvalidArgument (details {"field": "a"|"b"}) only where the scheme
// itself rejects input: Debian (bad epoch, empty upstream or revision, characters dpkg refuses),
// SemVer/Go/pub (no leading number, junk after the numbers), RubyGems (no leading digit, or
// characters other than letters, digits, '.' and '-'), NuGet, CRAN and Hackage (non-numeric
// parts). rpm, apk, PEP 440 (legacy fallback), Maven and Composer order every string, as their
// tools do. Like their tools, Maven and Composer are not transitive on some odd strings (Maven:
// "1-0" < "1a" < "1.0.0-0.0.rc0" < "1-0"), so do not std::sort unvetted versions of those
// schemes (it needs a strict weak order); pairwise range checks are unaffected.
Result<int> CompareVersions(Ecosystem ecosystem, std::string_view a, std::string_view b);

// Maps an OSV ecosystem name ("Debian:12", "Red Hat", "PyPI", "crates.io", "Go", ...) or a purl
// type ("deb", "rpm", "apk", "npm", "cargo", "golang", "pypi", "maven", "composer", "gem",
// "nuget", "pub", "cran", "hackage", ...) to its ordering scheme, case-insensitively; an OSV
// ":release" suffix is ignored. Fails with InvalidArgument (field=ecosystem) for names without a
// supported ordering (e.g. "OSS-Fuzz", "GIT").
Result<Ecosystem> EcosystemFromName(std::string_view name);

// The canonical name ("Debian", "RPM", "Alpine", "SemVer", "Go", "PyPI", "Maven", "Packagist",
// "RubyGems", "NuGet", "Pub", "CRAN", "Hackage").
std::string_view EcosystemName(Ecosystem ecosystem);

}  // namespace qlrf::versions
