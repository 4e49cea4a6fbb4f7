// Version-ordering unit tests: the error path of each scheme that rejects input, the name
// mapping, and the edge cases the conformance files leave open.
#include "common/versions/versions.h"

#include <gtest/gtest.h>

#include <string>

namespace qlrf::versions {
namespace {

void ExpectInvalid(Ecosystem e, std::string_view a, std::string_view b, std::string_view field) {
  auto result = CompareVersions(e, a, b);
  ASSERT_FALSE(result.has_value()) << a << " vs " << b;
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(result.error().Detail("field"), field) << result.error().ToString();
}

int Cmp(Ecosystem e, std::string_view a, std::string_view b) {
  auto result = CompareVersions(e, a, b);
  EXPECT_TRUE(result.has_value()) << a << " vs " << b << ": " << result.error().ToString();
  return result.value_or(99);
}

TEST(CompareVersions, DebianRejectsWhatDpkgRejects) {
  ExpectInvalid(Ecosystem::kDebian, "", "1.0", "a");
  ExpectInvalid(Ecosystem::kDebian, "1.0", "x:1.0", "b");
  ExpectInvalid(Ecosystem::kDebian, ":1.0", "1.0", "a");
  ExpectInvalid(Ecosystem::kDebian, "1:", "1.0", "a");
  ExpectInvalid(Ecosystem::kDebian, "1.0-", "1.0", "a");
  ExpectInvalid(Ecosystem::kDebian, "1.0 beta", "1.0", "a");
  ExpectInvalid(Ecosystem::kDebian, "1.0", "1.0-a_b", "b");
}

TEST(CompareVersions, DebianTildeSortsBeforeTheEnd) {
  EXPECT_EQ(Cmp(Ecosystem::kDebian, "1.0~rc1", "1.0"), -1);
  EXPECT_EQ(Cmp(Ecosystem::kDebian, "1.0~~", "1.0~"), -1);
  EXPECT_EQ(Cmp(Ecosystem::kDebian, "1:0.1", "2.0"), 1);
  EXPECT_EQ(Cmp(Ecosystem::kDebian, "99999999999999999999:1", "99999999999999999998:2"), 1);
}

TEST(CompareVersions, SemVerRejectsNonNumericAndTrailingJunk) {
  ExpectInvalid(Ecosystem::kSemVer, "", "1.0.0", "a");
  ExpectInvalid(Ecosystem::kSemVer, "1.0.0", "latest", "b");
  ExpectInvalid(Ecosystem::kSemVer, "1.0.0abc", "1.0.0", "a");
  ExpectInvalid(Ecosystem::kSemVer, "1.0.0-", "1.0.0", "a");
  ExpectInvalid(Ecosystem::kSemVer, "1.0.0+", "1.0.0", "a");
  ExpectInvalid(Ecosystem::kGo, "1.", "1.0.0", "a");
}

TEST(CompareVersions, SemVerIgnoresBuildMetadataButPubDoesNot) {
  EXPECT_EQ(Cmp(Ecosystem::kSemVer, "1.0.0+a", "1.0.0+b"), 0);
  EXPECT_EQ(Cmp(Ecosystem::kPub, "1.0.0+a", "1.0.0+b"), -1);
  EXPECT_EQ(Cmp(Ecosystem::kGo, "v1.2.3", "1.2.3"), 0);
}

TEST(CompareVersions, NuGetRubyGemsCranHackageRejectMalformedVersions) {
  ExpectInvalid(Ecosystem::kNuGet, "1.2.3.4.5", "1.0", "a");
  ExpectInvalid(Ecosystem::kNuGet, "1.0", "v1.0", "b");
  ExpectInvalid(Ecosystem::kRubyGems, "beta1", "1.0", "a");
  ExpectInvalid(Ecosystem::kRubyGems, "1.0", "junk!", "b");
  ExpectInvalid(Ecosystem::kCran, "1.a", "1.0", "a");
  ExpectInvalid(Ecosystem::kCran, "1.0", "1..0", "b");
  ExpectInvalid(Ecosystem::kHackage, "1-0", "1.0", "a");
}

TEST(CompareVersions, SchemesWithoutInvalidInputOrderAnyString) {
  for (Ecosystem e : {Ecosystem::kRpm, Ecosystem::kAlpine, Ecosystem::kPyPI, Ecosystem::kMaven,
                      Ecosystem::kPackagist}) {
    for (std::string_view v : {"", "not a version", "\xff\xfe", "1.0"}) {
      auto forward = CompareVersions(e, v, "1.0");
      auto backward = CompareVersions(e, "1.0", v);
      ASSERT_TRUE(forward.has_value() && backward.has_value()) << EcosystemName(e) << " " << v;
      EXPECT_EQ(*forward, -*backward) << EcosystemName(e) << " " << v;
    }
  }
}

TEST(CompareVersions, HandlesNumbersBeyondSixtyFourBits) {
  std::string big = "184467440737095516161";  // > 2^64
  std::string bigger = "184467440737095516162";
  for (Ecosystem e :
       {Ecosystem::kDebian, Ecosystem::kRpm, Ecosystem::kAlpine, Ecosystem::kSemVer,
        Ecosystem::kPyPI, Ecosystem::kMaven, Ecosystem::kPackagist, Ecosystem::kRubyGems,
        Ecosystem::kNuGet, Ecosystem::kPub, Ecosystem::kCran, Ecosystem::kHackage}) {
    EXPECT_EQ(Cmp(e, big, bigger), -1) << EcosystemName(e);
  }
}

// Found by versions_fuzz: comparing a list with nothing looked only at its first item, so
// "01-0" == "1.0.0-0.0.90" while "1a" sorted between them.
TEST(CompareVersions, MavenCompareIsTransitiveForTrailingSubLists) {
  EXPECT_EQ(Cmp(Ecosystem::kMaven, "1.0.0-0.0.90", "1"), 1);
  EXPECT_EQ(Cmp(Ecosystem::kMaven, "01-0", "1a"), -1);
  EXPECT_EQ(Cmp(Ecosystem::kMaven, "1a", "1.0.0-0.0.90"), -1);
}

// Maven's own ordering has cycles; we reproduce Maven rather than impose a total order (found by
// versions_fuzz).
TEST(CompareVersions, MavenKeepsComparableVersionCycles) {
  EXPECT_EQ(Cmp(Ecosystem::kMaven, "1-0", "1a"), -1);
  EXPECT_EQ(Cmp(Ecosystem::kMaven, "1a", "1.0.0-0.0.rc0"), -1);
  EXPECT_EQ(Cmp(Ecosystem::kMaven, "1.0.0-0.0.rc0", "1-0"), -1);
}

TEST(CompareVersions, Pep440LegacyVersionsSortBelowValidOnes) {
  EXPECT_EQ(Cmp(Ecosystem::kPyPI, "2013-01-21T20:33:09+0100", "0.0.1"), -1);
  EXPECT_EQ(Cmp(Ecosystem::kPyPI, "1.0apost1", "1.0a0.post1"), 0);  // backtracking parse
  EXPECT_EQ(Cmp(Ecosystem::kPyPI, "1.0-preview2", "1.0rc2"), 0);
  EXPECT_EQ(Cmp(Ecosystem::kPyPI, "  V1.0  ", "1.0"), 0);
}

TEST(EcosystemFromName, MapsOsvNamesAndPurlTypes) {
  EXPECT_EQ(*EcosystemFromName("Debian:12"), Ecosystem::kDebian);
  EXPECT_EQ(*EcosystemFromName("deb"), Ecosystem::kDebian);
  EXPECT_EQ(*EcosystemFromName("Ubuntu:22.04:LTS"), Ecosystem::kDebian);
  EXPECT_EQ(*EcosystemFromName("Red Hat:enterprise_linux:9"), Ecosystem::kRpm);
  EXPECT_EQ(*EcosystemFromName("Alpine:v3.19"), Ecosystem::kAlpine);
  EXPECT_EQ(*EcosystemFromName("npm"), Ecosystem::kSemVer);
  EXPECT_EQ(*EcosystemFromName("crates.io"), Ecosystem::kSemVer);
  EXPECT_EQ(*EcosystemFromName("Go"), Ecosystem::kGo);
  EXPECT_EQ(*EcosystemFromName("golang"), Ecosystem::kGo);
  EXPECT_EQ(*EcosystemFromName("PyPI"), Ecosystem::kPyPI);
  EXPECT_EQ(*EcosystemFromName("composer"), Ecosystem::kPackagist);
  EXPECT_EQ(*EcosystemFromName("gem"), Ecosystem::kRubyGems);
  EXPECT_EQ(*EcosystemFromName("NuGet"), Ecosystem::kNuGet);
}

TEST(EcosystemFromName, RejectsEcosystemsWithoutOrdering) {
  for (std::string_view name : {"OSS-Fuzz", "GIT", "", "Linux"}) {
    auto result = EcosystemFromName(name);
    ASSERT_FALSE(result.has_value()) << name;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(result.error().Detail("field"), "ecosystem");
  }
}

TEST(EcosystemName, RoundTripsThroughEcosystemFromName) {
  for (Ecosystem e :
       {Ecosystem::kDebian, Ecosystem::kRpm, Ecosystem::kAlpine, Ecosystem::kSemVer, Ecosystem::kGo,
        Ecosystem::kPyPI, Ecosystem::kMaven, Ecosystem::kPackagist, Ecosystem::kRubyGems,
        Ecosystem::kNuGet, Ecosystem::kPub, Ecosystem::kCran, Ecosystem::kHackage}) {
    auto back = EcosystemFromName(EcosystemName(e));
    ASSERT_TRUE(back.has_value()) << EcosystemName(e);
    EXPECT_EQ(*back, e);
  }
}

}  // namespace
}  // namespace qlrf::versions
