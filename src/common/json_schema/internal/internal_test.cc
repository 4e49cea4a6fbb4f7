// Unit tests of the validator's building blocks: URI resolution, number and equality semantics,
// format checkers and the ECMA-262 pattern translation.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "common/json_schema/internal/format.h"
#include "common/json_schema/internal/regex.h"
#include "common/json_schema/internal/uri.h"
#include "common/json_schema/internal/values.h"

namespace qlrf::json_schema::internal {
namespace {

namespace bj = boost::json;

TEST(ResolveUriTest, FollowsRfc3986NormalExamples) {
  const std::string base = "http://a/b/c/d;p?q";
  EXPECT_EQ(ResolveUri(base, "g"), "http://a/b/c/g");
  EXPECT_EQ(ResolveUri(base, "./g"), "http://a/b/c/g");
  EXPECT_EQ(ResolveUri(base, "g/"), "http://a/b/c/g/");
  EXPECT_EQ(ResolveUri(base, "/g"), "http://a/g");
  EXPECT_EQ(ResolveUri(base, "//g"), "http://g");
  EXPECT_EQ(ResolveUri(base, "?y"), "http://a/b/c/d;p?y");
  EXPECT_EQ(ResolveUri(base, "#s"), "http://a/b/c/d;p?q#s");
  EXPECT_EQ(ResolveUri(base, ""), "http://a/b/c/d;p?q");
  EXPECT_EQ(ResolveUri(base, ".."), "http://a/b/");
  EXPECT_EQ(ResolveUri(base, "../g"), "http://a/b/g");
  EXPECT_EQ(ResolveUri(base, "../../g"), "http://a/g");
  EXPECT_EQ(ResolveUri(base, "../../../g"), "http://a/g");
  EXPECT_EQ(ResolveUri(base, "g;x=1/../y"), "http://a/b/c/y");
}

TEST(ResolveUriTest, KeepsUrnBaseForFragmentOnlyReferences) {
  EXPECT_EQ(ResolveUri("urn:uuid:deadbeef", "#/$defs/a"), "urn:uuid:deadbeef#/$defs/a");
  EXPECT_EQ(ResolveUri("urn:example:weather?=op=map", "#x"), "urn:example:weather?=op=map#x");
  EXPECT_EQ(ResolveUri("urn:uuid:deadbeef", "http://x/y.json"), "http://x/y.json");
}

TEST(SplitFragmentTest, SplitsAtFirstHash) {
  auto [uri, fragment] = SplitFragment("http://x/y.json#/a/b");
  EXPECT_EQ(uri, "http://x/y.json");
  EXPECT_EQ(fragment, "/a/b");
  EXPECT_EQ(SplitFragment("http://x").second, "");
}

TEST(PercentDecodeTest, DecodesValidEscapesAndKeepsBrokenOnes) {
  EXPECT_EQ(PercentDecode("percent%25field"), "percent%field");
  EXPECT_EQ(PercentDecode("foo%22bar"), "foo\"bar");
  EXPECT_EQ(PercentDecode("bad%2"), "bad%2");
  EXPECT_EQ(PercentDecode("bad%zz"), "bad%zz");
}

TEST(ValuesTest, TreatsIntegralDoublesAsIntegers) {
  EXPECT_TRUE(IsInteger(bj::value(1.0)));
  EXPECT_TRUE(IsInteger(bj::value(int64_t{-5})));
  EXPECT_TRUE(IsInteger(bj::value(1e300)));
  EXPECT_FALSE(IsInteger(bj::value(1.5)));
  EXPECT_FALSE(IsInteger(bj::value("1")));
}

TEST(ValuesTest, ComparesNumbersAcrossRepresentations) {
  EXPECT_EQ(CompareNumbers(bj::value(int64_t{1}), bj::value(1.0)), 0);
  EXPECT_LT(CompareNumbers(bj::value(int64_t{-1}), bj::value(uint64_t{18446744073709551615u})), 0);
  EXPECT_GT(CompareNumbers(bj::value(uint64_t{9007199254740993u}), bj::value(9007199254740992.0)),
            0);
  EXPECT_LT(CompareNumbers(bj::value(INT64_MIN), bj::value(int64_t{0})), 0);
}

TEST(ValuesTest, JsonEqualIgnoresMemberOrderAndNumberRepresentation) {
  EXPECT_TRUE(
      JsonEqual(bj::parse(R"({"a":1,"b":[1.0,{}]})"), bj::parse(R"({"b":[1,{}],"a":1.0})")));
  EXPECT_FALSE(JsonEqual(bj::parse("[1]"), bj::parse("[true]")));
  EXPECT_FALSE(JsonEqual(bj::parse("0"), bj::parse("false")));
  EXPECT_FALSE(JsonEqual(bj::parse(R"({"a":1})"), bj::parse(R"({"a":1,"b":2})")));
  EXPECT_EQ(JsonHash(bj::parse(R"({"a":1,"b":2.0})")), JsonHash(bj::parse(R"({"b":2,"a":1.0})")));
}

TEST(ValuesTest, MultipleOfIsExactForIntegersAndTolerantForDecimals) {
  EXPECT_TRUE(IsMultipleOf(bj::value(int64_t{10}), bj::value(int64_t{5})));
  EXPECT_FALSE(IsMultipleOf(bj::value(int64_t{7}), bj::value(int64_t{2})));
  EXPECT_TRUE(IsMultipleOf(bj::value(INT64_MIN), bj::value(int64_t{2})));
  EXPECT_TRUE(IsMultipleOf(bj::value(0.0075), bj::value(0.0001)));
  EXPECT_FALSE(IsMultipleOf(bj::value(0.00751), bj::value(0.0001)));
  EXPECT_TRUE(IsMultipleOf(bj::value(19.99), bj::value(0.01)));
  EXPECT_TRUE(IsMultipleOf(bj::value(1e308), bj::value(0.5)));
}

TEST(ValuesTest, CountsCodePointsNotBytes) {
  EXPECT_EQ(CodePointCount("abc"), 3u);
  EXPECT_EQ(CodePointCount("\xc3\xa9"), 1u);          // é
  EXPECT_EQ(CodePointCount("\xf0\x9f\x92\xa9"), 1u);  // U+1F4A9
  EXPECT_EQ(Utf8ToWide("\xf0\x9f\x92\xa9"), std::wstring(1, static_cast<wchar_t>(0x1F4A9)));
}

TEST(FormatTest, ChecksDatesAndTimes) {
  EXPECT_TRUE(CheckFormat(Format::kDateTime, "1963-06-19T08:30:06.283185Z"));
  EXPECT_TRUE(CheckFormat(Format::kDateTime, "1998-12-31T23:59:60Z"));
  EXPECT_TRUE(CheckFormat(Format::kDateTime, "1998-12-31T15:59:60.123-08:00"));
  EXPECT_FALSE(CheckFormat(Format::kDateTime, "1998-12-31T22:59:60Z"));
  EXPECT_FALSE(CheckFormat(Format::kDateTime, "1990-02-31T15:59:59.123-08:00"));
  EXPECT_FALSE(CheckFormat(Format::kDateTime, "06/19/1963 08:30:06 PST"));
  EXPECT_TRUE(CheckFormat(Format::kDate, "2020-02-29"));
  EXPECT_FALSE(CheckFormat(Format::kDate, "2021-02-29"));
  EXPECT_FALSE(CheckFormat(Format::kDate, "2020-1-01"));
  EXPECT_TRUE(CheckFormat(Format::kTime, "08:30:06+01:00"));
  EXPECT_FALSE(CheckFormat(Format::kTime, "08:30:06"));
}

TEST(FormatTest, ChecksNetworkFormats) {
  EXPECT_TRUE(CheckFormat(Format::kIpv4, "192.168.0.1"));
  EXPECT_FALSE(CheckFormat(Format::kIpv4, "256.0.0.1"));
  EXPECT_FALSE(CheckFormat(Format::kIpv4, "087.10.0.1"));
  EXPECT_FALSE(CheckFormat(Format::kIpv4, "1.2.3"));
  EXPECT_TRUE(CheckFormat(Format::kIpv6, "::1"));
  EXPECT_TRUE(CheckFormat(Format::kIpv6, "::"));
  EXPECT_TRUE(CheckFormat(Format::kIpv6, "2001:db8::ff00:42:8329"));
  EXPECT_TRUE(CheckFormat(Format::kIpv6, "::ffff:192.168.0.1"));
  EXPECT_FALSE(CheckFormat(Format::kIpv6, "1:2:3:4:5:6:7:8:9"));
  EXPECT_FALSE(CheckFormat(Format::kIpv6, "1::2::3"));
  EXPECT_FALSE(CheckFormat(Format::kIpv6, "12345::"));
  EXPECT_TRUE(CheckFormat(Format::kHostname, "www.example.com"));
  EXPECT_FALSE(CheckFormat(Format::kHostname, "-a.example.com"));
  EXPECT_FALSE(CheckFormat(Format::kHostname, std::string(64, 'a') + ".com"));
  EXPECT_TRUE(CheckFormat(Format::kEmail, "joe.bloggs@example.com"));
  EXPECT_FALSE(CheckFormat(Format::kEmail, "2962"));
  EXPECT_FALSE(CheckFormat(Format::kEmail, "a..b@example.com"));
  EXPECT_TRUE(CheckFormat(Format::kUuid, "2eb8aa08-aa98-11ea-b4aa-73b441d16380"));
  EXPECT_FALSE(CheckFormat(Format::kUuid, "2eb8aa08aa9811eab4aa73b441d16380"));
  EXPECT_TRUE(CheckFormat(Format::kUri, "http://foo.bar/?baz=qux#quux"));
  EXPECT_TRUE(CheckFormat(Format::kUri, "urn:oasis:names:specification:docbook:dtd:xml:4.1.2"));
  EXPECT_FALSE(CheckFormat(Format::kUri, "//foo.bar/?baz=qux#quux"));
  EXPECT_FALSE(CheckFormat(Format::kUri, "http:// shouldfail.com"));
  EXPECT_TRUE(CheckFormat(Format::kUnknown, "anything"));
  EXPECT_EQ(ParseFormat("regex"), Format::kUnknown);
}

TEST(RegexTest, SearchesUnanchoredOverCodePoints) {
  auto re = Regex::Compile("^.$");
  ASSERT_TRUE(re.has_value()) << re.error().ToString();
  EXPECT_TRUE(re->Search("\xc3\xa9"));
  EXPECT_FALSE(re->Search("ab"));
  auto part = Regex::Compile("b+");
  ASSERT_TRUE(part.has_value());
  EXPECT_TRUE(part->Search("abbbc"));
}

TEST(RegexTest, UsesEcmaClassEscapesIndependentOfLocale) {
  auto digit = Regex::Compile("^\\d$");
  ASSERT_TRUE(digit.has_value());
  EXPECT_TRUE(digit->Search("7"));
  EXPECT_FALSE(digit->Search("\xdf\x80"));  // U+07C0 NKO DIGIT ZERO
  auto space = Regex::Compile("^\\s$");
  ASSERT_TRUE(space.has_value());
  EXPECT_TRUE(space->Search("\xc2\xa0"));  // U+00A0
  EXPECT_FALSE(space->Search("x"));
  auto word = Regex::Compile("^[\\w-]+$");
  ASSERT_TRUE(word.has_value());
  EXPECT_TRUE(word->Search("a_b-9"));
  EXPECT_FALSE(word->Search("a b"));
}

TEST(RegexTest, RejectsInvalidAndUnsupportedPatterns) {
  auto invalid = Regex::Compile("(");
  ASSERT_FALSE(invalid.has_value());
  EXPECT_EQ(invalid.error().code, ErrorCode::kInvalidArgument);
  auto property = Regex::Compile("\\p{Letter}");
  ASSERT_FALSE(property.has_value());
  EXPECT_EQ(property.error().code, ErrorCode::kUnimplemented);
  auto lookbehind = Regex::Compile("(?<=a)b");
  ASSERT_FALSE(lookbehind.has_value());
  EXPECT_EQ(lookbehind.error().code, ErrorCode::kUnimplemented);
  auto deep = Regex::Compile(std::string(200, '(') + std::string(200, ')'));
  ASSERT_FALSE(deep.has_value());
  EXPECT_EQ(deep.error().code, ErrorCode::kInvalidArgument);
}

TEST(RegexTest, BackReferencesStillWork) {
  auto re = Regex::Compile("^(a+)b\\1$");
  ASSERT_TRUE(re.has_value()) << re.error().ToString();
  EXPECT_TRUE(re->Search("aabaa"));
  EXPECT_FALSE(re->Search("aaba"));
}

TEST(RegexTest, LongSubjectsKeepUnanchoredSemantics) {
  const std::string long_a(1000, 'a');
  auto bs = Regex::Compile("b+");
  auto start = Regex::Compile("^a|x");
  auto end = Regex::Compile("b$");
  auto alternation = Regex::Compile("c|^b");
  ASSERT_TRUE(bs && start && end && alternation);
  EXPECT_TRUE(bs->Search(long_a + "bb"));
  EXPECT_FALSE(bs->Search(long_a));
  EXPECT_TRUE(start->Search(long_a));
  EXPECT_FALSE(start->Search("b" + long_a));
  EXPECT_TRUE(end->Search(long_a + "b"));
  EXPECT_FALSE(end->Search("b" + long_a));
  EXPECT_FALSE(alternation->Search(long_a + "b"));
  EXPECT_TRUE(alternation->Search(long_a + "c"));
}

TEST(RegexTest, RejectsUnbalancedGroupsThatWrappingWouldHide) {
  auto r = Regex::Compile("a)|(b");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(RegexTest, LongHostileSubjectIsSearchedInLinearPasses) {
  auto re = Regex::Compile("((a*)*)*b");
  ASSERT_TRUE(re.has_value());
  EXPECT_FALSE(re->Search(std::string(20000, 'a')));
}

TEST(RegexTest, DoesNotBacktrackExponentially) {
  auto re = Regex::Compile("^(a+)+$");
  ASSERT_TRUE(re.has_value());
  EXPECT_FALSE(re->Search(std::string(40, 'a') + "!"));
}

}  // namespace
}  // namespace qlrf::json_schema::internal
