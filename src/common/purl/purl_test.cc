// purl unit tests: one test per error path (each names its component), the canonical encoding,
// and the per-type rules the conformance suite does not pin down.
#include "common/purl/purl.h"

#include <gtest/gtest.h>

#include <string>

namespace qlrf::purl {
namespace {

// Asserts `result` failed with InvalidArgument naming `field`.
template <class T>
void ExpectFieldError(const Result<T>& result, std::string_view field) {
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument) << result.error().ToString();
  EXPECT_EQ(result.error().Detail("field"), field) << result.error().ToString();
}

std::string Canonical(std::string_view text) {
  auto result = CanonicalizePurl(text);
  return result ? *result : "error: " + result.error().ToString();
}

// The spec requires a golang namespace (module path); the Go standard library ("stdlib" in every
// SBOM tool and in OSV) and single-element module paths (go.starlark.net) have none to give.
TEST(PurlGolang, TheStandardLibraryNeedsNoNamespace) {
  auto stdlib = ParsePurl("pkg:golang/stdlib@v1.21.0");
  ASSERT_TRUE(stdlib.has_value()) << stdlib.error().message;
  EXPECT_EQ(stdlib->name, "stdlib");
  EXPECT_TRUE(stdlib->namespace_.empty());
  EXPECT_EQ(ToString(*stdlib), "pkg:golang/stdlib@v1.21.0");
  auto module = ParsePurl("pkg:golang/go.starlark.net@v0.0.0-20230525235612-a134d8f9ddca");
  ASSERT_TRUE(module.has_value()) << module.error().message;  // a single-element module path
  EXPECT_EQ(module->name, "go.starlark.net");
  auto other = ParsePurl("pkg:golang/context@1.0.0");
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().Detail("field"), "namespace");
}

TEST(ParsePurl, ReturnsDecodedComponents) {
  auto p = ParsePurl("pkg:npm/%40angular/animation@12.3.1?vcs_url=git%2Bssh://h/x%40y#lib/a%20b");
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->type, "npm");
  EXPECT_EQ(p->namespace_, "@angular");
  EXPECT_EQ(p->name, "animation");
  EXPECT_EQ(p->version, "12.3.1");
  EXPECT_EQ(p->qualifiers.at("vcs_url"), "git+ssh://h/x@y");
  EXPECT_EQ(p->subpath, "lib/a b");
}

TEST(ParsePurl, RejectsMissingSchemeNamingScheme) {
  ExpectFieldError(ParsePurl("npm/foo@1.0"), "scheme");
  ExpectFieldError(ParsePurl("http:npm/foo@1.0"), "scheme");
  ExpectFieldError(ParsePurl(""), "scheme");
}

TEST(ParsePurl, RejectsBadTypesNamingType) {
  ExpectFieldError(ParsePurl("pkg:/"), "type");
  ExpectFieldError(ParsePurl("pkg:3d/foo"), "type");
  ExpectFieldError(ParsePurl("pkg:np%6D/foo"), "type");
  ExpectFieldError(ParsePurl("pkg:n_m/foo"), "type");
}

TEST(ParsePurl, RejectsMissingNameNamingName) {
  ExpectFieldError(ParsePurl("pkg:npm"), "name");
  ExpectFieldError(ParsePurl("pkg:npm/"), "name");
  ExpectFieldError(ParsePurl("pkg:npm/@1.0"), "name");
  ExpectFieldError(ParsePurl("pkg:git/host-only@1"), "name");
}

TEST(ParsePurl, RejectsEmptyVersionAfterAt) {
  ExpectFieldError(ParsePurl("pkg:npm/foo@"), "version");
}

TEST(ParsePurl, RejectsTruncatedPercentEscapesNamingTheComponent) {
  ExpectFieldError(ParsePurl("pkg:npm/fo%4"), "name");
  ExpectFieldError(ParsePurl("pkg:npm/%zzscope/foo"), "namespace");
  ExpectFieldError(ParsePurl("pkg:npm/foo@1%"), "version");
  ExpectFieldError(ParsePurl("pkg:npm/foo?a=%G1"), "qualifiers");
  ExpectFieldError(ParsePurl("pkg:npm/foo#a/%2"), "subpath");
}

TEST(ParsePurl, RejectsMalformedQualifiersNamingQualifiers) {
  ExpectFieldError(ParsePurl("pkg:npm/foo?novalue"), "qualifiers");
  ExpectFieldError(ParsePurl("pkg:npm/foo?1abc=x"), "qualifiers");
  ExpectFieldError(ParsePurl("pkg:npm/foo?a%20b=x"), "qualifiers");
  ExpectFieldError(ParsePurl("pkg:npm/foo?=x"), "qualifiers");
  ExpectFieldError(ParsePurl("pkg:npm/foo?a=1&A=2"), "qualifiers");
}

TEST(ParsePurl, RejectsTypeRuleViolationsNamingTheComponent) {
  ExpectFieldError(ParsePurl("pkg:maven/io@1"), "namespace");           // required
  ExpectFieldError(ParsePurl("pkg:cargo/serde/serde@1"), "namespace");  // prohibited
  ExpectFieldError(ParsePurl("pkg:julia/Dates@1.9.0"), "qualifiers");   // uuid required
  ExpectFieldError(ParsePurl("pkg:cpan/URI::PackageURL@2"), "name");
  ExpectFieldError(ParsePurl("pkg:chrome-extension/abcd"), "name");
  ExpectFieldError(ParsePurl("pkg:chrome-extension/" + std::string(32, 'a') + "@1.2.3.4.5"),
                   "version");
  ExpectFieldError(ParsePurl("pkg:cocoapods/.Hidden@1"), "name");
  ExpectFieldError(ParsePurl("pkg:swid/a/b/c/Name@1?tag_id=x"), "namespace");
}

TEST(ParsePurl, AcceptsSlashesAfterSchemeAndTrailingSlash) {
  EXPECT_EQ(Canonical("PKG://maven/org.apache/io/"), "pkg:maven/org.apache/io");
  EXPECT_EQ(Canonical("pkg:///maven//org.apache//io"), "pkg:maven/org.apache/io");
}

TEST(ParsePurl, TakesTheVersionFromTheLastSegmentOnly) {
  EXPECT_EQ(Canonical("pkg:npm/@babel/core"), "pkg:npm/%40babel/core");
  EXPECT_EQ(Canonical("pkg:brew/node@20@20.10.0"), "pkg:brew/node%4020@20.10.0");
}

TEST(ParsePurl, DropsEmptyQualifierValuesAndSortsKeys) {
  EXPECT_EQ(Canonical("pkg:npm/foo?b=2&empty=&A=1&&"), "pkg:npm/foo?a=1&b=2");
}

TEST(ParsePurl, CleansSubpathSegments) {
  EXPECT_EQ(Canonical("pkg:npm/foo#/./a//../b/"), "pkg:npm/foo#a/b");
  EXPECT_EQ(Canonical("pkg:npm/foo#/"), "pkg:npm/foo");
}

TEST(ToString, EncodesEverythingButUnreservedAndColon) {
  PackageUrl p{.type = "generic",
               .name = "a b+c@d/e?f#g%h~i:j",
               .version = "1:2+3",
               .qualifiers = {{"k", "x/y,z&=w"}},
               .subpath = "s t/u"};
  EXPECT_EQ(ToString(p),
            "pkg:generic/a%20b%2Bc%40d%2Fe%3Ff%23g%25h~i:j@1:2%2B3?k=x%2Fy%2Cz%26%3Dw#s%20t/u");
  auto back = ParsePurl(ToString(p));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, p);
}

TEST(ToString, EncodesNonAsciiBytes) {
  EXPECT_EQ(Canonical("pkg:generic/caf\xc3\xa9"), "pkg:generic/caf%C3%A9");
}

TEST(BuildPurl, AppliesTypeNormalisation) {
  EXPECT_EQ(*BuildPurl({.type = "PyPI", .name = "Django_Rest"}), "pkg:pypi/django-rest");
  EXPECT_EQ(*BuildPurl({.type = "pub", .name = "Flutter-Lints"}), "pkg:pub/flutter_lints");
  EXPECT_EQ(*BuildPurl({.type = "cpan", .namespace_ = "drolsky", .name = "DateTime"}),
            "pkg:cpan/DROLSKY/DateTime");
  EXPECT_EQ(*BuildPurl({.type = "oci", .name = "Debian", .version = "SHA256:AB"}),
            "pkg:oci/debian@sha256:ab");
  EXPECT_EQ(*BuildPurl({.type = "git", .namespace_ = "github.com", .name = "a//b"}),
            "pkg:git/github.com/a/b");
}

TEST(BuildPurl, RejectsWhatParseRejects) {
  ExpectFieldError(BuildPurl({.name = "x"}), "type");
  ExpectFieldError(BuildPurl({.type = "npm"}), "name");
  ExpectFieldError(BuildPurl({.type = "npm", .name = "x", .qualifiers = {{"in production", "1"}}}),
                   "qualifiers");
  ExpectFieldError(BuildPurl({.type = "npm", .name = "x", .qualifiers = {{"A", "1"}, {"a", "2"}}}),
                   "qualifiers");
  ExpectFieldError(BuildPurl({.type = "git", .namespace_ = "a/b", .name = "c"}), "namespace");
}

TEST(BuildPurl, KeepsUnregisteredTypesCaseAndNamespace) {
  EXPECT_EQ(*BuildPurl({.type = "bintray", .namespace_ = "Apache/CouchDB", .name = "Mac"}),
            "pkg:bintray/Apache/CouchDB/Mac");
}

TEST(Canonicalize, IsIdempotent) {
  auto once = Canonicalize({.type = "MLflow",
                            .name = "CreditFraud",
                            .qualifiers = {{"repository_url", "https://x.azuredatabricks.net/y"}}});
  ASSERT_TRUE(once.has_value());
  EXPECT_EQ(once->name, "creditfraud");
  auto twice = Canonicalize(*once);
  ASSERT_TRUE(twice.has_value());
  EXPECT_EQ(*twice, *once);
}

}  // namespace
}  // namespace qlrf::purl
