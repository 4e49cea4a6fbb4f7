// Tests for error formatting, JSON parsing positions, encodings, time and ids.
#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/json.hpp>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/gzip.h"
#include "common/json.h"
#include "common/random.h"

namespace qlrf {
namespace {

TEST(Json, MalformedInputNamesLineAndColumn) {
  auto r = json::Parse("{\n  \"a\": 1,\n  \"b\": tru }");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().Detail("line"), "3");
  EXPECT_NE(r.error().message.find("line 3"), std::string::npos);
}

TEST(Json, TruncatedInputIsAnError) {
  auto r = json::Parse("{\"a\": [1, 2");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(Json, TrailingGarbageIsAnError) { EXPECT_FALSE(json::Parse("{} x")); }

TEST(Json, DeepNestingIsRejected) {
  std::string deep(1000, '[');
  EXPECT_FALSE(json::Parse(deep));
}

TEST(Json, TypedGetterNamesTheField) {
  auto v = json::Parse(R"({"name": 5})");
  ASSERT_TRUE(v);
  auto s = json::GetString(v->as_object(), "name", "spec");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().Detail("field"), "spec.name");
}

TEST(Crypto, Sha256OfEmptyString) {
  EXPECT_EQ(crypto::Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Crypto, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(crypto::HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, Base64UrlRoundTripAndRejectsPadding) {
  std::string s = "any carnal pleas";
  auto enc = crypto::Base64UrlEncode(s);
  EXPECT_EQ(enc, "YW55IGNhcm5hbCBwbGVhcw");
  auto dec = crypto::Base64UrlDecode(enc);
  ASSERT_TRUE(dec);
  EXPECT_EQ(crypto::AsString(*dec), s);
  EXPECT_FALSE(crypto::Base64UrlDecode("YW55IGNhcm5hbCBwbGVhcw=="));
  EXPECT_FALSE(crypto::Base64UrlDecode("YW5+"));
}

TEST(Time, FormatAndParseRoundTrip) {
  auto t = ParseTime("2026-11-23T10:36:19.123Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatTime(*t), "2026-11-23T10:36:19.123Z");
  auto off = ParseTime("2026-11-23T12:36:19+02:00");
  ASSERT_TRUE(off);
  EXPECT_EQ(FormatTime(*off), "2026-11-23T10:36:19.000Z");
  EXPECT_FALSE(ParseTime("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(ParseTime("yesterday"));
}

TEST(Ids, UuidShape) {
  SystemRandom r;
  auto id = NewUuid(r);
  EXPECT_TRUE(IsUuid(id));
  EXPECT_EQ(id[14], '4');
  EXPECT_FALSE(IsUuid("not-a-uuid"));
  EXPECT_EQ(RandomBase62(r, 40).size(), 40u);
}

TEST(Ids, UuidV7SortsByTimeThenSequence) {
  SeededRandom r(1);
  std::string a = NewUuidV7(r, 1767225600000, 1);
  std::string b = NewUuidV7(r, 1767225600000, 2);
  std::string c = NewUuidV7(r, 1767225600001, 0);
  EXPECT_TRUE(IsUuid(a));
  EXPECT_EQ(a[14], '7');
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(a.substr(0, 13), "019b76da-a800");  // 2026-01-01T00:00:00Z = 0x19b76daa800 ms
}

TEST(Ids, UuidV7SequenceStaysOrderedAndDistinctAcrossRandomBatches) {
  SeededRandom r(3);
  UuidV7Sequence ids(r, 1767225600000);
  std::vector<std::string> seen;
  for (int i = 0; i < 4100; ++i) {  // past the random batch and the 4096-id millisecond roll-over
    seen.push_back(ids.Next());
    ASSERT_TRUE(IsUuid(seen.back()));
    ASSERT_EQ(seen.back()[14], '7');
    ASSERT_TRUE(seen.back()[19] >= '8' && seen.back()[19] <= 'b') << seen.back();  // variant 10
    if (i > 0) {
      ASSERT_LT(seen[seen.size() - 2], seen.back());
    }
  }
  EXPECT_EQ(seen.front().substr(0, 13), "019b76da-a800");
  EXPECT_EQ(seen.back().substr(0, 13), "019b76da-a801");
  EXPECT_NE(seen[0].substr(19), seen[1].substr(19));  // each id has random bits of its own
}

TEST(Ids, SeededRandomIsReproducible) {
  SeededRandom a(7);
  SeededRandom b(7);
  EXPECT_EQ(NewUuid(a), NewUuid(b));
  EXPECT_LT(a.Below(10), 10u);
}

}  // namespace
TEST(Gzip, RoundTripsThroughZlib) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "{\"image_id\":\"" + std::to_string(i) + "\"},";
  std::string gz = Gzip(text, 1);
  ASSERT_GT(gz.size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  EXPECT_LT(gz.size(), text.size() / 4);
  z_stream zs{};
  ASSERT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  std::string out(text.size(), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(gz.data());
  zs.avail_in = static_cast<uInt>(gz.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  inflateEnd(&zs);
  EXPECT_EQ(out, text);
  EXPECT_EQ(Gzip("").size() > 0, true);
}

TEST(Gzip, AcceptEncodingNegotiation) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, gzip;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("br, GZIP"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0.000, *"));
  EXPECT_FALSE(AcceptsGzip("gzipx"));
  EXPECT_TRUE(AcceptsGzip("*;q=1, gzip;q=0.0001"));
}

}  // namespace qlrf
