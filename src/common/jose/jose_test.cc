// qlrf_jose tests: conformance vectors (RFC 7520 cookbook, RFC 8037, Wycheproof) and unit tests for
// JWK parsing, JWS policy, claims and JwtVerifier key rotation. Hermetic: fake clock, no network.
#include "common/jose/jose.h"

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "common/crypto.h"
#include "common/jose/internal/compact.h"
#include "common/jose/internal/signature.h"
#include "common/json.h"
#include "common/mutex.h"
#include "testing/files.h"

namespace qlrf::jose {
namespace {

using std::chrono::seconds;

constexpr std::string_view kJoseDir = QLRF_CONFORMANCE_DIR "/jose";

constexpr std::array<Algorithm, 13> kAllAlgorithms = {
    Algorithm::kHs256, Algorithm::kHs384, Algorithm::kHs512, Algorithm::kRs256, Algorithm::kRs384,
    Algorithm::kRs512, Algorithm::kPs256, Algorithm::kPs384, Algorithm::kPs512, Algorithm::kEs256,
    Algorithm::kEs384, Algorithm::kEs512, Algorithm::kEdDsa};

// Paths are relative to the jose conformance directory.
std::string JosePath(std::string_view rel) {
  return std::string(kJoseDir) + "/" + std::string(rel);
}

AlgorithmPolicy AllowAll() { return {{kAllAlgorithms.begin(), kAllAlgorithms.end()}}; }

boost::json::object LoadJson(std::string_view rel) {
  const std::string path = JosePath(rel);
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  auto v = json::Parse(buf.str());
  EXPECT_TRUE(v.has_value()) << path << ": " << (v ? "" : v.error().ToString());
  if (!v || !v->is_object()) {
    return {};
  }
  return std::move(v->get_object());
}

std::string Str(const boost::json::value& v) { return std::string(v.as_string()); }

crypto::Bytes Hex(const boost::json::value& v) {
  auto bytes = crypto::HexDecode(v.as_string());
  EXPECT_TRUE(bytes.has_value());
  return bytes.value_or(crypto::Bytes{});
}

std::string B64(std::string_view s) { return crypto::Base64UrlEncode(s); }
std::string B64(const crypto::Bytes& b) { return crypto::Base64UrlEncode(b); }

template <class T>
ErrorCode CodeOf(const Result<T>& r) {
  return r ? static_cast<ErrorCode>(-1) : r.error().code;
}

template <class T>
std::string MessageOf(const Result<T>& r) {
  return r ? "<ok>" : r.error().message;
}

Jwk MustParseJwk(std::string_view text) {
  auto key = Jwk::Parse(text);
  EXPECT_TRUE(key.has_value()) << MessageOf(key);
  return std::move(key).value();
}

Jwk Secret(std::string_view bytes, std::string kid = {}, std::string alg = {}) {
  auto key =
      Jwk::FromSecret(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
                      std::move(kid), std::move(alg));
  EXPECT_TRUE(key.has_value());
  return std::move(key).value();
}

constexpr std::string_view kSecret32 = "0123456789abcdef0123456789abcdef";
constexpr std::string_view kRsaPublicPath = "cookbook/jwk/3_3.rsa_public_key.json";
constexpr std::string_view kEcPublicPath = "cookbook/jwk/3_1.ec_public_key.json";

std::string ReadFile(std::string_view rel) { return ::qlrf::testing::ReadFile(JosePath(rel)); }

// Tallies one conformance file; prints a summary line and fails with the tcIds that went wrong.
struct Tally {
  explicit Tally(std::string f) : file(std::move(f)) {}

  std::string file;
  int valid_accepted = 0;
  int invalid_rejected = 0;
  int acceptable_accepted = 0;
  int acceptable_rejected = 0;
  int skipped = 0;
  int deviations = 0;  // vectors we reject on purpose although upstream calls them valid
  std::vector<std::string> failures;

  // `result` is Wycheproof's "valid" / "invalid" / "acceptable".
  void Record(int tc_id, const std::string& result, const std::string& comment, bool accepted,
              const std::string& why) {
    if (result == "acceptable") {
      ++(accepted ? acceptable_accepted : acceptable_rejected);
    } else if (result == "valid" && accepted) {
      ++valid_accepted;
    } else if (result == "invalid" && !accepted) {
      ++invalid_rejected;
    } else {
      failures.push_back("tcId " + std::to_string(tc_id) + " (" + comment + "): expected " +
                         result + ", got " + (accepted ? "accepted" : "rejected: " + why));
    }
  }

  void Report() const {
    std::printf(
        "[ counts   ] %s: %d valid accepted, %d invalid rejected, acceptable %d accepted / %d "
        "rejected, %d skipped, %d deliberate deviations, %zu failures\n",
        file.c_str(), valid_accepted, invalid_rejected, acceptable_accepted, acceptable_rejected,
        skipped, deviations, failures.size());
    for (const std::string& f : failures) {
      ADD_FAILURE() << file << ": " << f;
    }
  }
};

// ---------------------------------------------------------------------------------------------
// RFC 7520 cookbook (JWS) and RFC 8037 Ed25519.

class CookbookTest : public ::testing::TestWithParam<const char*> {};

TEST_P(CookbookTest, VerifiesCompactAndReproducesHmac) {
  boost::json::object doc = LoadJson(GetParam());
  ASSERT_FALSE(doc.empty());
  const boost::json::object& input = doc.at("input").as_object();
  const std::string payload = Str(input.at("payload"));
  const boost::json::object& signing =
      doc.at("signing").is_object() ? doc.at("signing").as_object() : boost::json::object();

  // (c) sig-input = protected_b64u "." base64url(payload), unless b64:false changes the rule.
  const bool unencoded =
      signing.contains("protected") && signing.at("protected").as_object().contains("b64");
  if (signing.contains("protected_b64u") && !unencoded) {
    EXPECT_EQ(Str(signing.at("sig-input")), Str(signing.at("protected_b64u")) + "." + B64(payload));
  }

  const boost::json::object& output = doc.at("output").as_object();
  if (!output.contains("compact") || output.at("compact").is_null()) {
    GTEST_SKIP() << GetParam() << ": JSON serialization only; we support compact JWS only";
  }
  const std::string compact = Str(output.at("compact"));
  auto key = Jwk::FromJson(input.at("key").as_object());
  ASSERT_TRUE(key.has_value()) << MessageOf(key);
  auto alg = AlgorithmFromName(Str(input.at("alg")));
  ASSERT_TRUE(alg.has_value());
  const AlgorithmPolicy policy{{*alg}};

  if (unencoded) {
    // RFC 7797 unencoded payloads are refused by design.
    auto verified = VerifyCompact(compact, *key, policy);
    EXPECT_EQ(CodeOf(verified), ErrorCode::kUnauthenticated);
    EXPECT_NE(MessageOf(verified).find("b64"), std::string::npos) << MessageOf(verified);
    return;
  }
  const bool detached = compact.find("..") != std::string::npos;
  auto verified = detached ? VerifyCompactDetached(compact, payload, *key, policy)
                           : VerifyCompact(compact, *key, policy);
  ASSERT_TRUE(verified.has_value()) << MessageOf(verified);
  EXPECT_EQ(verified->payload, payload);
  EXPECT_EQ(verified->alg, *alg);

  // (b) re-sign reproducible HMAC examples byte for byte with the exact protected header bytes.
  const bool reproducible = doc.contains("reproducible") && doc.at("reproducible").as_bool();
  if (reproducible && key->Type() == KeyType::kOct) {
    auto header = crypto::Base64UrlDecode(Str(signing.at("protected_b64u")));
    ASSERT_TRUE(header.has_value());
    auto token = SignCompact(crypto::AsString(*header), payload, *key);
    ASSERT_TRUE(token.has_value()) << MessageOf(token);
    if (detached) {
      const size_t dot1 = token->find('.');
      const size_t dot2 = token->find('.', dot1 + 1);
      token->erase(dot1 + 1, dot2 - dot1 - 1);
    }
    EXPECT_EQ(*token, compact);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7520, CookbookTest,
    ::testing::Values(
        "cookbook/jws/4_1.rsa_v15_signature.json", "cookbook/jws/4_2.rsa-pss_signature.json",
        "cookbook/jws/4_3.ecdsa_signature.json",
        "cookbook/jws/4_4.hmac-sha2_integrity_protection.json",
        "cookbook/jws/4_5.signature_with_detached_content.json",
        "cookbook/jws/4_6.protecting_specific_header_fields.json",
        "cookbook/jws/4_7.protecting_content_only.json",
        "cookbook/jws/4_8.multiple_signatures.json", "cookbook/rfc7797/hmac-sha2_b64_false.json",
        "cookbook/rfc7797/4.2.hmac-sha2_b64_false.json", "cookbook/curve25519/jws.json"),
    [](const ::testing::TestParamInfo<const char*>& param_info) {
      std::string name;
      for (const char* p = param_info.param; *p != '\0'; ++p) {
        name += std::isalnum(static_cast<unsigned char>(*p)) != 0 ? *p : '_';
      }
      return name;
    });

TEST(CookbookJwkTest, ParsesEveryCookbookKey) {
  for (const char* file :
       {"3_1.ec_public_key.json", "3_2.ec_private_key.json", "3_3.rsa_public_key.json",
        "3_4.rsa_private_key.json", "3_5.symmetric_key_mac_computation.json",
        "3_6.symmetric_key_encryption.json"}) {
    auto key = Jwk::Parse(ReadFile(std::string("cookbook/jwk/") + file));
    EXPECT_TRUE(key.has_value()) << file << ": " << MessageOf(key);
  }
}

// ---------------------------------------------------------------------------------------------
// Wycheproof primitive vectors through the raw signature layer.

// Left-pads (or strips leading zeros of) a hex integer to `size` bytes; empty when it won't fit.
std::string FixedSize(crypto::Bytes b, size_t size) {
  while (b.size() > size && b.front() == 0) {
    b.erase(b.begin());
  }
  if (b.size() > size) {
    return {};
  }
  b.insert(b.begin(), size - b.size(), 0);
  return B64(b);
}

Result<Jwk> GroupKey(const boost::json::object& group) {
  for (const char* member : {"keyJwk", "publicKeyJwk"}) {
    if (group.contains(member)) {
      return Jwk::FromJson(group.at(member).as_object());
    }
  }
  // Some ECDSA groups (edge cases from other sources) only give wx/wy.
  const boost::json::object& pk = group.at("publicKey").as_object();
  const std::string curve = Str(pk.at("curve"));
  const std::string crv = curve == "secp256r1" ? "P-256" : curve == "secp384r1" ? "P-384" : "P-521";
  const size_t size = crv == "P-256" ? 32 : crv == "P-384" ? 48 : 66;
  boost::json::object jwk{{"kty", "EC"},
                          {"crv", crv},
                          {"x", FixedSize(Hex(pk.at("wx")), size)},
                          {"y", FixedSize(Hex(pk.at("wy")), size)}};
  return Jwk::FromJson(jwk);
}

// The JWS algorithm a Wycheproof group exercises, or nullopt with `why` when none applies.
std::optional<Algorithm> GroupAlgorithm(const std::string& file, const boost::json::object& group,
                                        std::string& why) {
  const std::string type = Str(group.at("type"));
  const std::string sha = group.contains("sha") ? Str(group.at("sha")) : "";
  const int index = sha == "SHA-256" ? 0 : sha == "SHA-384" ? 1 : sha == "SHA-512" ? 2 : -1;
  if (type == "RsassaPkcs1Verify" && index >= 0) {
    return std::array{Algorithm::kRs256, Algorithm::kRs384, Algorithm::kRs512}[index];
  }
  if (type == "RsassaPssVerify" && index >= 0) {
    const size_t hash = 32 + 16 * static_cast<size_t>(index);
    if (Str(group.at("mgfSha")) != sha ||
        static_cast<size_t>(group.at("sLen").as_int64()) != hash) {
      why = "PSS parameters other than MGF1(same hash) with salt = hash length are not JWS";
      return std::nullopt;
    }
    return std::array{Algorithm::kPs256, Algorithm::kPs384, Algorithm::kPs512}[index];
  }
  if (type == "EcdsaP1363Verify" && index >= 0) {
    return std::array{Algorithm::kEs256, Algorithm::kEs384, Algorithm::kEs512}[index];
  }
  if (type == "EddsaVerify") {
    return Algorithm::kEdDsa;
  }
  if (type == "MacTest") {
    for (auto [name, alg] :
         {std::pair{"sha256", Algorithm::kHs256}, std::pair{"sha384", Algorithm::kHs384},
          std::pair{"sha512", Algorithm::kHs512}}) {
      if (file.find(name) != std::string::npos) {
        return alg;
      }
    }
  }
  why = "unsupported group type " + type;
  return std::nullopt;
}

class WycheproofSignatureTest : public ::testing::TestWithParam<const char*> {};

TEST_P(WycheproofSignatureTest, EveryVectorMatchesItsResult) {
  const std::string file = GetParam();
  boost::json::object doc = LoadJson("wycheproof/" + file);
  ASSERT_TRUE(doc.contains("testGroups"));
  Tally tally{file};
  int total = 0;
  for (const boost::json::value& gv : doc.at("testGroups").as_array()) {
    const boost::json::object& group = gv.as_object();
    std::string why;
    std::optional<Algorithm> alg = GroupAlgorithm(file, group, why);
    const boost::json::array& tests = group.at("tests").as_array();
    total += static_cast<int>(tests.size());
    if (!alg) {
      tally.skipped += static_cast<int>(tests.size());
      continue;
    }
    const bool is_mac = Str(group.at("type")) == "MacTest";
    // JWS HMAC tags are never truncated (RFC 7518 §3.2): truncated-tag "valid" vectors do not
    // apply, but every invalid one must still be rejected.
    const bool truncated = is_mac && static_cast<size_t>(group.at("tagSize").as_int64()) / 8 !=
                                         internal::HashSize(*alg);
    Result<Jwk> key = is_mac ? Result<Jwk>(Fail(Internal("per test"))) : GroupKey(group);
    for (const boost::json::value& tv : tests) {
      const boost::json::object& test = tv.as_object();
      const int tc_id = static_cast<int>(test.at("tcId").as_int64());
      const std::string result = Str(test.at("result"));
      const std::string comment = Str(test.at("comment"));
      if (truncated && result != "invalid") {
        ++tally.skipped;
        continue;
      }
      if (is_mac) {
        const crypto::Bytes k = Hex(test.at("key"));
        key = Jwk::FromSecret(k);
      }
      if (!key) {
        tally.Record(tc_id, result, comment, false, "key rejected: " + key.error().message);
        continue;
      }
      const crypto::Bytes msg = Hex(test.at("msg"));
      const crypto::Bytes sig = Hex(test.at(is_mac ? "tag" : "sig"));
      Status status = internal::VerifySignature(*alg, *key, crypto::AsString(msg), sig);
      tally.Record(tc_id, result, comment, status.has_value(),
                   status ? "" : status.error().message);
    }
  }
  EXPECT_EQ(total, doc.at("numberOfTests").as_int64());
  tally.Report();
}

INSTANTIATE_TEST_SUITE_P(
    Wycheproof, WycheproofSignatureTest,
    ::testing::Values("rsa_signature_2048_sha256_test.json", "rsa_signature_3072_sha256_test.json",
                      "rsa_signature_2048_sha384_test.json", "rsa_signature_2048_sha512_test.json",
                      "rsa_pss_2048_sha256_mgf1_32_test.json",
                      "rsa_pss_2048_sha384_mgf1_48_test.json",
                      "rsa_pss_4096_sha512_mgf1_64_test.json",
                      "ecdsa_secp256r1_sha256_p1363_test.json",
                      "ecdsa_secp384r1_sha384_p1363_test.json",
                      "ecdsa_secp521r1_sha512_p1363_test.json", "ed25519_test.json",
                      "hmac_sha256_test.json", "hmac_sha384_test.json", "hmac_sha512_test.json"),
    [](const ::testing::TestParamInfo<const char*>& param_info) {
      std::string name(param_info.param);
      name = name.substr(0, name.find("_test.json"));
      return name;
    });

// ---------------------------------------------------------------------------------------------
// Wycheproof JOSE vectors through the full verifier.

// Vectors where we knowingly differ from upstream's verdict, each with our outcome and reason.
struct Deviation {
  int tc_id;
  bool accepted;
  const char* reason;
};
constexpr Deviation kJwsDeviations[] = {
    {346, false, "key says alg PS256, token PS384: a key's own alg must match (RFC 8725 §3.1)"},
    {350, false, "key says alg PS256, token PS384: a key's own alg must match (RFC 8725 §3.1)"},
    {367, true, "byte-identical to valid tcId 357 (upstream lost the padding it meant to add)"},
    {370, true, "byte-identical to valid tcId 357 (upstream lost the padding it meant to add)"},
    {372, false, "'?' inside base64url: strict decoding per RFC 7515 §2"},
    {373, false, "'?' inside base64url: strict decoding per RFC 7515 §2"},
};

TEST(WycheproofJwsTest, JsonWebSignatureVectors) {
  const std::string file = "json_web_signature_test.json";
  boost::json::object doc = LoadJson("wycheproof/" + file);
  Tally tally{file};
  int json_serialization = 0;
  const AlgorithmPolicy policy = AllowAll();
  for (const boost::json::value& gv : doc.at("testGroups").as_array()) {
    const boost::json::object& group = gv.as_object();
    // Verification uses the public key; symmetric groups only have "private".
    const boost::json::object& jwk =
        (group.contains("public") ? group.at("public") : group.at("private")).as_object();
    Result<Jwk> key = Jwk::FromJson(jwk);
    for (const boost::json::value& tv : group.at("tests").as_array()) {
      const boost::json::object& test = tv.as_object();
      const int tc_id = static_cast<int>(test.at("tcId").as_int64());
      const std::string result = Str(test.at("result"));
      const std::string jws = Str(test.at("jws"));
      Result<VerifiedJws> verified =
          key ? VerifyCompact(jws, *key, policy) : Result<VerifiedJws>(Fail(key.error()));
      if (!jws.empty() && jws.front() == '{') {
        ++json_serialization;  // all upstream JSON-serialization vectors are "invalid"
      }
      const Deviation* deviation = nullptr;
      for (const Deviation& d : kJwsDeviations) {
        deviation = d.tc_id == tc_id ? &d : deviation;
      }
      if (deviation != nullptr) {
        EXPECT_EQ(verified.has_value(), deviation->accepted)
            << "tcId " << tc_id << ": " << deviation->reason;
        ++tally.deviations;
        std::printf("[ deviation] %s tcId %d (upstream: %s) %s: %s\n", file.c_str(), tc_id,
                    Str(test.at("result")).c_str(), deviation->accepted ? "accepted" : "rejected",
                    deviation->reason);
        continue;
      }
      if (!verified) {
        EXPECT_EQ(verified.error().code, key ? ErrorCode::kUnauthenticated : key.error().code)
            << "tcId " << tc_id;
      }
      tally.Record(tc_id, result, Str(test.at("comment")), verified.has_value(),
                   MessageOf(verified));
    }
  }
  std::printf("[ counts   ] %s: %d JSON-serialization vectors (rejected: compact only)\n",
              file.c_str(), json_serialization);
  tally.Report();
}

TEST(WycheproofJwkTest, JsonWebKeyVectors) {
  const std::string file = "json_web_key_test.json";
  boost::json::object doc = LoadJson("wycheproof/" + file);
  Tally tally{file};
  const AlgorithmPolicy policy = AllowAll();
  for (const boost::json::value& gv : doc.at("testGroups").as_array()) {
    const boost::json::object& group = gv.as_object();
    const boost::json::object& jwks =
        (group.contains("public") ? group.at("public") : group.at("private")).as_object();
    Result<JwkSet> set = JwkSet::FromJson(jwks);
    for (const boost::json::value& tv : group.at("tests").as_array()) {
      const boost::json::object& test = tv.as_object();
      const int tc_id = static_cast<int>(test.at("tcId").as_int64());
      const std::string jws = Str(test.at("jws"));
      std::string why;
      bool accepted = false;
      if (!set) {
        why = "key set rejected: " + set.error().message;
      } else if (auto parsed = internal::ParseCompact(jws); !parsed) {
        why = parsed.error().message;
      } else if (const Jwk* key = set->Find(parsed->kid); key == nullptr) {
        why = "unknown kid";
      } else {
        auto verified = VerifyCompact(jws, *key, policy);
        accepted = verified.has_value();
        why = MessageOf(verified);
      }
      tally.Record(tc_id, Str(test.at("result")), Str(test.at("comment")), accepted, why);
    }
  }
  tally.Report();
}

// ---------------------------------------------------------------------------------------------
// JWK and JWK Set parsing error paths.

TEST(JwkTest, RejectsRsaWithoutModulusNamingTheMember) {
  auto key = Jwk::Parse(R"({"kty":"RSA","e":"AQAB"})");
  ASSERT_EQ(CodeOf(key), ErrorCode::kInvalidArgument);
  EXPECT_EQ(key.error().Detail("field"), "n");
}

TEST(JwkTest, RejectsNonBase64UrlMember) {
  auto key = Jwk::Parse(R"({"kty":"oct","k":"ab+/"})");
  ASSERT_EQ(CodeOf(key), ErrorCode::kInvalidArgument);
  EXPECT_EQ(key.error().Detail("field"), "k");
}

TEST(JwkTest, RejectsEvenExponentAndExponentOne) {
  boost::json::object rsa = LoadJson(kRsaPublicPath);
  for (const char* e : {"AQ", "Ag", "AA"}) {
    rsa["e"] = e;
    auto key = Jwk::FromJson(rsa);
    ASSERT_EQ(CodeOf(key), ErrorCode::kInvalidArgument) << e;
    EXPECT_EQ(key.error().Detail("field"), "e");
  }
}

TEST(JwkTest, RejectsEcCoordinateOfWrongLength) {
  boost::json::object ec = LoadJson(kEcPublicPath);
  ec["x"] = B64(std::string(65, 'A'));
  auto key = Jwk::FromJson(ec);
  ASSERT_EQ(CodeOf(key), ErrorCode::kInvalidArgument);
  EXPECT_EQ(key.error().Detail("field"), "x");
}

TEST(JwkTest, RejectsEcPointNotOnCurve) {
  boost::json::object ec = LoadJson(kEcPublicPath);
  auto y = crypto::Base64UrlDecode(Str(ec.at("y")));
  ASSERT_TRUE(y.has_value());
  y->back() ^= 1;
  ec["y"] = B64(*y);
  auto key = Jwk::FromJson(ec);
  ASSERT_EQ(CodeOf(key), ErrorCode::kInvalidArgument);
  EXPECT_EQ(key.error().Detail("field"), "y");
}

TEST(JwkTest, RejectsDeclaredAlgThatDoesNotFitTheKey) {
  boost::json::object ec = LoadJson(kEcPublicPath);  // P-521
  ec["alg"] = "ES256";
  auto key = Jwk::FromJson(ec);
  ASSERT_EQ(CodeOf(key), ErrorCode::kInvalidArgument);
  EXPECT_EQ(key.error().Detail("field"), "alg");
}

TEST(JwkTest, UnsupportedKtyAndCurveAreUnimplemented) {
  EXPECT_EQ(CodeOf(Jwk::Parse(R"({"kty":"XYZ"})")), ErrorCode::kUnimplemented);
  EXPECT_EQ(CodeOf(Jwk::Parse(R"({"kty":"OKP","crv":"X25519","x":"AAAA"})")),
            ErrorCode::kUnimplemented);
  EXPECT_EQ(CodeOf(Jwk::Parse(R"({"kty":"EC","crv":"secp256k1","x":"AA","y":"AA"})")),
            ErrorCode::kUnimplemented);
}

TEST(JwkTest, RejectsTruncatedAndMistypedInput) {
  EXPECT_EQ(CodeOf(Jwk::Parse(R"({"kty":"oct","k":"AAAA")")), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Jwk::Parse(R"(["kty"])")), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Jwk::Parse(R"({"kty":1})")), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Jwk::Parse(R"({"kty":"oct","k":""})")), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Jwk::Parse(R"({"kty":"oct","k":"AAAA","key_ops":"sign"})")),
            ErrorCode::kInvalidArgument);
}

TEST(JwkTest, KeepsKidAlgUseAndKeyOps) {
  Jwk key = MustParseJwk(
      R"({"kty":"oct","k":"AAAA","kid":"k1","alg":"HS256","use":"sig","key_ops":["sign"]})");
  EXPECT_EQ(key.Kid(), "k1");
  EXPECT_EQ(key.Alg(), "HS256");
  EXPECT_EQ(key.Use(), "sig");
  EXPECT_EQ(key.KeyOps(), std::vector<std::string>{"sign"});
  EXPECT_EQ(key.Bits(), 24);
}

TEST(JwkSetTest, SkipsUnsupportedKtyAndFindsByKid) {
  auto set = JwkSet::Parse(
      R"({"keys":[{"kty":"XYZ","kid":"a"},{"kty":"OKP","crv":"X25519","x":"AA"},
                  {"kty":"oct","kid":"b","k":"AAAA"}]})");
  ASSERT_TRUE(set.has_value()) << MessageOf(set);
  EXPECT_EQ(set->Skipped(), 2u);
  ASSERT_EQ(set->Keys().size(), 1u);
  EXPECT_NE(set->Find("b"), nullptr);
  EXPECT_EQ(set->Find("a"), nullptr);
  EXPECT_EQ(set->Find(""), nullptr);
}

TEST(JwkSetTest, MalformedKeyIsFatalAndNamesItsIndex) {
  auto set = JwkSet::Parse(R"({"keys":[{"kty":"oct","k":"AAAA"},{"kty":"RSA","e":"AQAB"}]})");
  ASSERT_EQ(CodeOf(set), ErrorCode::kInvalidArgument);
  EXPECT_EQ(set.error().Detail("field"), "keys[1].n");
}

TEST(JwkSetTest, RejectsDuplicateKidMixedKeysAndMissingKeys) {
  EXPECT_EQ(
      CodeOf(JwkSet::Parse(
          R"({"keys":[{"kty":"oct","kid":"a","k":"AAAA"},{"kty":"oct","kid":"a","k":"BBBB"}]})")),
      ErrorCode::kInvalidArgument);
  const std::string mixed =
      R"({"keys":[{"kty":"oct","k":"AAAA"},)" + ReadFile(kEcPublicPath) + "]}";
  EXPECT_EQ(CodeOf(JwkSet::Parse(mixed)), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(JwkSet::Parse(R"({"keys":{}})")), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(JwkSet::Parse(R"({})")), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(JwkSet::Parse(R"({"keys":[1]})")), ErrorCode::kInvalidArgument);
}

TEST(RocaTest, FlagsOnlyFingerprintedModuli) {
  // 3 * 5 * ... is divisible by the primes, so the residue 0 is outside every subgroup.
  EXPECT_FALSE(internal::HasRocaFingerprint(std::vector<uint8_t>{0x0f}));
  // n = 65537^2 is in every subgroup <65537 mod p>.
  const uint64_t n = 65537ULL * 65537ULL;
  std::vector<uint8_t> bytes;
  for (int shift = 56; shift >= 0; shift -= 8) {
    bytes.push_back(static_cast<uint8_t>(n >> shift));
  }
  EXPECT_TRUE(internal::HasRocaFingerprint(bytes));
}

// ---------------------------------------------------------------------------------------------
// JWS policy.

std::string Token(std::string_view header_json, std::string_view payload, std::string_view sig) {
  return B64(header_json) + "." + B64(payload) + "." + B64(sig);
}

TEST(JwsTest, SignsAndVerifiesEveryHmacAlgorithm) {
  const Jwk key = Secret(std::string(64, 'k'));
  for (auto [name, alg] :
       {std::pair{"HS256", Algorithm::kHs256}, std::pair{"HS384", Algorithm::kHs384},
        std::pair{"HS512", Algorithm::kHs512}}) {
    auto token = SignCompact(std::string(R"({"alg":")") + name + R"("})", "hello", key);
    ASSERT_TRUE(token.has_value()) << MessageOf(token);
    auto verified = VerifyCompact(*token, key, AlgorithmPolicy{{alg}});
    ASSERT_TRUE(verified.has_value()) << MessageOf(verified);
    EXPECT_EQ(verified->payload, "hello");
  }
}

TEST(JwsTest, RejectsAlgNoneInAnySpelling) {
  const Jwk key = Secret(kSecret32);
  for (const char* alg : {"none", "None", "NONE"}) {
    const std::string header = std::string(R"({"alg":")") + alg + R"("})";
    for (const std::string& token :
         {B64(header) + "." + B64("{}") + ".", Token(header, "{}", "x")}) {
      auto verified = VerifyCompact(token, key, AllowAll());
      EXPECT_EQ(CodeOf(verified), ErrorCode::kUnauthenticated) << token;
    }
  }
}

TEST(JwsTest, RejectsHs256SignedWithTheRsaPublicKey) {
  // Classic alg confusion: the attacker MACs with the public modulus as the HMAC secret.
  const Jwk rsa = MustParseJwk(ReadFile(kRsaPublicPath));
  boost::json::object rsa_json = LoadJson(kRsaPublicPath);
  auto n = crypto::Base64UrlDecode(Str(rsa_json.at("n")));
  ASSERT_TRUE(n.has_value());
  const std::string input = B64(R"({"alg":"HS256"})") + "." + B64("{}");
  const crypto::Bytes mac = internal::HmacSign(Algorithm::kHs256, *n, input);
  auto verified = VerifyCompact(input + "." + B64(mac), rsa, AllowAll());
  ASSERT_EQ(CodeOf(verified), ErrorCode::kUnauthenticated);
  EXPECT_NE(MessageOf(verified).find("key type does not match"), std::string::npos);
  // The raw layer refuses it too.
  EXPECT_EQ(CodeOf(internal::VerifySignature(Algorithm::kHs256, rsa, input, mac)),
            ErrorCode::kUnauthenticated);
}

TEST(JwsTest, RejectsAlgorithmOutsideThePolicy) {
  const Jwk key = Secret(kSecret32);
  auto token = SignCompact(R"({"alg":"HS256"})", "p", key);
  ASSERT_TRUE(token.has_value());
  auto verified = VerifyCompact(*token, key, AlgorithmPolicy{{Algorithm::kRs256}});
  EXPECT_EQ(CodeOf(verified), ErrorCode::kUnauthenticated);
  EXPECT_EQ(MessageOf(verified), "alg HS256 is not allowed");
}

TEST(JwsTest, RejectsKeyWhoseOwnAlgDiffers) {
  const Jwk signer = Secret(std::string(64, 'k'));
  const Jwk verifier = Secret(std::string(64, 'k'), "", "HS512");
  auto token = SignCompact(R"({"alg":"HS256"})", "p", signer);
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(CodeOf(VerifyCompact(*token, verifier, AllowAll())), ErrorCode::kUnauthenticated);
}

TEST(JwsTest, RejectsKeyForEncryptionAndKidMismatch) {
  const std::string token =
      SignCompact(R"({"alg":"HS256","kid":"a"})", "p", Secret(kSecret32)).value();
  const AlgorithmPolicy policy = AllowAll();
  EXPECT_EQ(CodeOf(VerifyCompact(
                token, MustParseJwk(R"({"kty":"oct","use":"enc","k":")" + B64(kSecret32) + R"("})"),
                policy)),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(CodeOf(VerifyCompact(
                token,
                MustParseJwk(R"({"kty":"oct","key_ops":["sign"],"k":")" + B64(kSecret32) + R"("})"),
                policy)),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(CodeOf(VerifyCompact(token, Secret(kSecret32, "b"), policy)),
            ErrorCode::kUnauthenticated);
  EXPECT_TRUE(VerifyCompact(token, Secret(kSecret32, "a"), policy).has_value());
}

TEST(JwsTest, RejectsUnknownCritAndUnencodedPayload) {
  const Jwk key = Secret(kSecret32);
  const AlgorithmPolicy policy = AllowAll();
  auto sign = [&](std::string_view header) {
    const std::string input = B64(header) + "." + B64("p");
    return input + "." + B64(internal::HmacSign(Algorithm::kHs256, key.Secret(), input));
  };
  auto crit = VerifyCompact(sign(R"({"alg":"HS256","crit":["exp"],"exp":1})"), key, policy);
  EXPECT_EQ(CodeOf(crit), ErrorCode::kUnauthenticated);
  EXPECT_EQ(MessageOf(crit), "unsupported critical header 'exp'");
  EXPECT_EQ(CodeOf(VerifyCompact(sign(R"({"alg":"HS256","crit":[]})"), key, policy)),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(
      CodeOf(VerifyCompact(sign(R"({"alg":"HS256","b64":false,"crit":["b64"]})"), key, policy)),
      ErrorCode::kUnauthenticated);
  // b64:true is the default encoding, so understanding it is trivial.
  EXPECT_TRUE(
      VerifyCompact(sign(R"({"alg":"HS256","b64":true,"crit":["b64"]})"), key, policy).has_value());
}

TEST(JwsTest, RejectsMalformedStructure) {
  const Jwk key = Secret(kSecret32);
  const AlgorithmPolicy policy = AllowAll();
  const std::string good = SignCompact(R"({"alg":"HS256"})", "p", key).value();
  ASSERT_TRUE(VerifyCompact(good, key, policy).has_value());
  for (const std::string& bad :
       {std::string(), std::string("."), std::string(".."), good + ".", "x" + good,
        good.substr(0, good.size() - 1), good.substr(0, good.rfind('.')),
        std::string(R"({"payload":"cA","signatures":[]})"),
        std::string(internal::kMaxTokenBytes + 1, 'a'), Token("[]", "p", "s"), Token("{", "p", "s"),
        Token(R"({"alg":1})", "p", "s"), Token(R"({"alg":"HS256","kid":1})", "p", "s"),
        Token(R"({"alg":"XX1"})", "p", "s")}) {
    EXPECT_EQ(CodeOf(VerifyCompact(bad, key, policy)), ErrorCode::kUnauthenticated)
        << bad.substr(0, 80);
  }
}

TEST(JwsTest, RejectsTruncatedHmacAndShortHmacKey) {
  const Jwk key = Secret(kSecret32);
  const std::string token = SignCompact(R"({"alg":"HS256"})", "p", key).value();
  auto sig = crypto::Base64UrlDecode(token.substr(token.rfind('.') + 1));
  sig->resize(16);
  const std::string truncated = token.substr(0, token.rfind('.') + 1) + B64(*sig);
  EXPECT_EQ(CodeOf(VerifyCompact(truncated, key, AllowAll())), ErrorCode::kUnauthenticated);
  // A 31-byte key is below the SHA-256 output size.
  const Jwk short_key = Secret(kSecret32.substr(1));
  const std::string input = B64(R"({"alg":"HS256"})") + "." + B64("p");
  const std::string short_token =
      input + "." + B64(internal::HmacSign(Algorithm::kHs256, short_key.Secret(), input));
  EXPECT_EQ(CodeOf(VerifyCompact(short_token, short_key, AllowAll())), ErrorCode::kUnauthenticated);
  EXPECT_EQ(CodeOf(SignCompact(R"({"alg":"HS256"})", "p", short_key)), ErrorCode::kInvalidArgument);
}

TEST(JwsTest, SigningRefusesNonHmacHeadersAndKeys) {
  const Jwk key = Secret(kSecret32);
  EXPECT_EQ(CodeOf(SignCompact(R"({"alg":"RS256"})", "p", key)), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(SignCompact(R"({"alg":"HS256","crit":["b64"],"b64":false})", "p", key)),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(SignCompact("not json", "p", key)), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(SignCompact(R"({"alg":"HS256"})", "p", MustParseJwk(ReadFile(kRsaPublicPath)))),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(SignCompactHs256(R"({"alg":"HS384"})", "p", key)), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(SignCompactHs256(R"({"alg":"HS256","typ":"JWT"})", "p", key).has_value());
}

TEST(JwsTest, RejectsRsaKeyBelow2048Bits) {
  boost::json::object doc = LoadJson("wycheproof/json_web_key_test.json");
  for (const boost::json::value& gv : doc.at("testGroups").as_array()) {
    if (Str(gv.at("comment")) != "keysize_too_small") {
      continue;
    }
    auto set = JwkSet::FromJson(gv.at("public").as_object());
    ASSERT_TRUE(set.has_value());
    const Jwk& key = set->Keys().front();
    EXPECT_EQ(key.Bits(), 1024);
    const std::string input = "a.b";
    const crypto::Bytes sig(128, 1);
    auto status = internal::VerifySignature(Algorithm::kRs256, key, input, sig);
    ASSERT_EQ(CodeOf(status), ErrorCode::kUnauthenticated);
    EXPECT_EQ(status.error().message, "RSA key smaller than 2048 bits");
  }
}

TEST(JwsTest, RejectsEcdsaSignatureOfWrongLength) {
  const Jwk ec = MustParseJwk(ReadFile(kEcPublicPath));  // P-521: 132-byte r||s
  for (size_t size : {0u, 64u, 131u, 133u, 139u}) {
    const crypto::Bytes sig(size, 1);
    EXPECT_EQ(CodeOf(internal::VerifySignature(Algorithm::kEs512, ec, "a.b", sig)),
              ErrorCode::kUnauthenticated)
        << size;
  }
  // ES256 with a P-521 key is a curve mismatch.
  EXPECT_EQ(CodeOf(internal::VerifySignature(Algorithm::kEs256, ec, "a.b", crypto::Bytes(64, 1))),
            ErrorCode::kUnauthenticated);
}

// ---------------------------------------------------------------------------------------------
// Claims.

constexpr SystemTime kNow{std::chrono::seconds(1'700'000'000)};

boost::json::object Claims(std::string_view json_text) {
  auto v = json::Parse(json_text);
  EXPECT_TRUE(v && v->is_object());
  return v ? std::move(v->get_object()) : boost::json::object();
}

boost::json::object WithExp(int64_t exp) {
  return boost::json::object{{"exp", exp}, {"iss", "https://issuer"}, {"aud", "api"}};
}

ClaimRules Rules() {
  ClaimRules rules;
  rules.issuer = "https://issuer";
  rules.audience = "api";
  return rules;
}

TEST(ClaimsTest, AcceptsValidClaims) {
  EXPECT_TRUE(ValidateClaims(WithExp(1'700'000'100), Rules(), kNow).has_value());
}

TEST(ClaimsTest, RejectsExpiredToken) {
  auto status = ValidateClaims(WithExp(1'699'990'000), Rules(), kNow);
  ASSERT_EQ(CodeOf(status), ErrorCode::kUnauthenticated);
  EXPECT_EQ(status.error().message, "token expired");
}

TEST(ClaimsTest, ExpiresExactlyAtExpPlusLeeway) {
  // exp + 60 s leeway = now: expired. One second (or one millisecond) earlier: still valid.
  EXPECT_EQ(CodeOf(ValidateClaims(WithExp(1'699'999'940), Rules(), kNow)),
            ErrorCode::kUnauthenticated);
  EXPECT_TRUE(ValidateClaims(WithExp(1'699'999'941), Rules(), kNow).has_value());
  EXPECT_TRUE(ValidateClaims(WithExp(1'699'999'940), Rules(), kNow - std::chrono::milliseconds(1))
                  .has_value());
  ClaimRules strict = Rules();
  strict.leeway = seconds(0);
  EXPECT_EQ(CodeOf(ValidateClaims(WithExp(1'700'000'000), strict, kNow)),
            ErrorCode::kUnauthenticated);
  EXPECT_TRUE(ValidateClaims(WithExp(1'700'000'001), strict, kNow).has_value());
}

TEST(ClaimsTest, RejectsNbfInTheFutureBeyondLeeway) {
  boost::json::object claims = WithExp(1'700'001'000);
  claims["nbf"] = 1'700'000'061;
  auto status = ValidateClaims(claims, Rules(), kNow);
  ASSERT_EQ(CodeOf(status), ErrorCode::kUnauthenticated);
  EXPECT_EQ(status.error().message, "token not yet valid");
  claims["nbf"] = 1'700'000'060;  // exactly at the leeway: accepted
  EXPECT_TRUE(ValidateClaims(claims, Rules(), kNow).has_value());
}

TEST(ClaimsTest, RejectsIatInTheFuture) {
  boost::json::object claims = WithExp(1'700'001'000);
  claims["iat"] = 1'700'000'061;
  auto status = ValidateClaims(claims, Rules(), kNow);
  ASSERT_EQ(CodeOf(status), ErrorCode::kUnauthenticated);
  EXPECT_EQ(status.error().message, "token issued in the future");
}

TEST(ClaimsTest, RejectsWrongAudience) {
  for (const char* aud : {R"("other")", R"(["a","b"])", "[]"}) {
    auto claims =
        Claims(std::string(R"({"exp":1700000100,"iss":"https://issuer","aud":)") + aud + "}");
    auto status = ValidateClaims(claims, Rules(), kNow);
    ASSERT_EQ(CodeOf(status), ErrorCode::kUnauthenticated) << aud;
    EXPECT_EQ(status.error().message, "audience mismatch");
  }
  auto missing =
      ValidateClaims(Claims(R"({"exp":1700000100,"iss":"https://issuer"})"), Rules(), kNow);
  EXPECT_EQ(MessageOf(missing), "audience mismatch");
  EXPECT_TRUE(
      ValidateClaims(Claims(R"({"exp":1700000100,"iss":"https://issuer","aud":["x","api"]})"),
                     Rules(), kNow)
          .has_value());
}

TEST(ClaimsTest, RejectsWrongOrMissingIssuer) {
  for (const char* claims : {R"({"exp":1700000100,"aud":"api","iss":"https://issuer/"})",
                             R"({"exp":1700000100,"aud":"api"})"}) {
    auto status = ValidateClaims(Claims(claims), Rules(), kNow);
    ASSERT_EQ(CodeOf(status), ErrorCode::kUnauthenticated);
    EXPECT_EQ(status.error().message, "issuer mismatch");
  }
}

TEST(ClaimsTest, RequiresExpOnlyWhenTheRulesSaySo) {
  auto claims = Claims(R"({"iss":"https://issuer","aud":"api"})");
  EXPECT_EQ(MessageOf(ValidateClaims(claims, Rules(), kNow)), "missing exp");
  ClaimRules lax = Rules();
  lax.require_exp = false;
  EXPECT_TRUE(ValidateClaims(claims, lax, kNow).has_value());
}

TEST(ClaimsTest, RejectsMistypedClaimsAndAcceptsFractionalDates) {
  for (const char* claims : {R"({"exp":"1700000100"})", R"({"exp":true})", R"({"nbf":null})",
                             R"({"exp":1700000100,"sub":5})", R"({"exp":1700000100,"aud":[1]})",
                             R"({"exp":1700000100,"iss":{}})"}) {
    EXPECT_EQ(CodeOf(ValidateClaims(Claims(claims), ClaimRules{}, kNow)),
              ErrorCode::kUnauthenticated)
        << claims;
  }
  EXPECT_TRUE(ValidateClaims(Claims(R"({"exp":1699999940.5})"), ClaimRules{}, kNow).has_value());
  EXPECT_FALSE(ValidateClaims(Claims(R"({"exp":1699999939.5})"), ClaimRules{}, kNow).has_value());
}

// ---------------------------------------------------------------------------------------------
// JwtVerifier.

// A settable clock; both time lines move together. Thread-safe.
class FakeClock final : public Clock {
 public:
  SystemTime Now() const override {
    return SystemTime(std::chrono::nanoseconds(kNow.time_since_epoch().count() + offset_ns_));
  }
  MonotonicTime Monotonic() const override {
    return MonotonicTime(std::chrono::nanoseconds(offset_ns_.load()));
  }
  void Advance(std::chrono::nanoseconds d) { offset_ns_ += d.count(); }

 private:
  std::atomic<int64_t> offset_ns_{0};
};

// Serves `before` until the first forced refresh, `after` from then on. Thread-safe.
class RotatingKeySource final : public KeySource {
 public:
  RotatingKeySource(JwkSet before, JwkSet after)
      : current_(std::make_shared<const JwkSet>(std::move(before))),
        after_(std::make_shared<const JwkSet>(std::move(after))) {}

  Result<std::shared_ptr<const JwkSet>> Keys(bool force_refresh) override {
    MutexLock lock(&mu_);
    if (force_refresh) {
      ++forced_;
      current_ = after_;
    }
    return current_;
  }
  int Forced() {
    MutexLock lock(&mu_);
    return forced_;
  }

 private:
  Mutex mu_;
  std::shared_ptr<const JwkSet> current_ QLRF_GUARDED_BY(mu_);
  const std::shared_ptr<const JwkSet> after_;
  int forced_ QLRF_GUARDED_BY(mu_) = 0;
};

constexpr std::string_view kSecretA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr std::string_view kSecretB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

std::string SignJwt(std::string_view kid, std::string_view secret, std::string_view claims) {
  const std::string header = R"({"alg":"HS256","typ":"JWT","kid":")" + std::string(kid) + R"("})";
  return SignCompact(header, claims, Secret(secret)).value();
}

JwtVerifierOptions Options() {
  JwtVerifierOptions options;
  options.algorithms = AlgorithmPolicy{{Algorithm::kHs256}};
  options.claims = Rules();
  return options;
}

constexpr std::string_view kGoodClaims =
    R"({"sub":"user-1","iss":"https://issuer","aud":["api","web"],"exp":1700000300})";

TEST(JwtVerifierTest, ReturnsClaimsAndTypedFields) {
  StaticKeySource keys(JwkSet({Secret(kSecretA, "a")}));
  FakeClock clock;
  JwtVerifier verifier(keys, clock, Options());
  auto jwt = verifier.Verify(SignJwt("a", kSecretA, kGoodClaims));
  ASSERT_TRUE(jwt.has_value()) << MessageOf(jwt);
  EXPECT_EQ(jwt->subject, "user-1");
  EXPECT_EQ(jwt->issuer, "https://issuer");
  EXPECT_EQ(jwt->audience, (std::vector<std::string>{"api", "web"}));
  EXPECT_EQ(jwt->kid, "a");
  EXPECT_EQ(jwt->alg, Algorithm::kHs256);
  EXPECT_EQ(jwt->claims.at("exp").as_int64(), 1'700'000'300);
}

TEST(JwtVerifierTest, RejectsExpiredTokenAtTheInjectedTime) {
  StaticKeySource keys(JwkSet({Secret(kSecretA, "a")}));
  FakeClock clock;
  JwtVerifier verifier(keys, clock, Options());
  const std::string token = SignJwt("a", kSecretA, kGoodClaims);
  clock.Advance(seconds(359));
  EXPECT_TRUE(verifier.Verify(token).has_value());
  clock.Advance(seconds(1));
  EXPECT_EQ(MessageOf(verifier.Verify(token)), "token expired");
}

TEST(JwtVerifierTest, RejectsNonObjectPayloadAndBadSignature) {
  StaticKeySource keys(JwkSet({Secret(kSecretA, "a")}));
  FakeClock clock;
  JwtVerifier verifier(keys, clock, Options());
  EXPECT_EQ(MessageOf(verifier.Verify(SignJwt("a", kSecretA, "[1]"))),
            "token payload is not a JSON object");
  EXPECT_EQ(MessageOf(verifier.Verify(SignJwt("a", kSecretB, kGoodClaims))),
            "invalid token signature");
}

TEST(JwtVerifierTest, UnknownKidTriggersExactlyOneRefresh) {
  RotatingKeySource keys(JwkSet({Secret(kSecretA, "a")}),
                         JwkSet({Secret(kSecretA, "a"), Secret(kSecretB, "b")}));
  FakeClock clock;
  JwtVerifier verifier(keys, clock, Options());
  ASSERT_TRUE(verifier.Verify(SignJwt("a", kSecretA, kGoodClaims)).has_value());
  EXPECT_EQ(keys.Forced(), 0);
  auto rotated = verifier.Verify(SignJwt("b", kSecretB, kGoodClaims));
  ASSERT_TRUE(rotated.has_value()) << MessageOf(rotated);
  EXPECT_EQ(keys.Forced(), 1);
  // Known kids never force a refresh.
  ASSERT_TRUE(verifier.Verify(SignJwt("b", kSecretB, kGoodClaims)).has_value());
  EXPECT_EQ(keys.Forced(), 1);
}

TEST(JwtVerifierTest, RateLimitsForcedRefreshesTo30Seconds) {
  RotatingKeySource keys(JwkSet({Secret(kSecretA, "a")}), JwkSet({Secret(kSecretA, "a")}));
  FakeClock clock;
  JwtVerifier verifier(keys, clock, Options());
  const std::string forged = SignJwt("nope", kSecretA, kGoodClaims);
  EXPECT_EQ(MessageOf(verifier.Verify(forged)), "unknown kid 'nope'");
  EXPECT_EQ(keys.Forced(), 1);
  clock.Advance(seconds(29) + std::chrono::milliseconds(999));
  EXPECT_EQ(CodeOf(verifier.Verify(forged)), ErrorCode::kUnauthenticated);
  EXPECT_EQ(keys.Forced(), 1);
  clock.Advance(std::chrono::milliseconds(1));
  EXPECT_EQ(CodeOf(verifier.Verify(forged)), ErrorCode::kUnauthenticated);
  EXPECT_EQ(keys.Forced(), 2);
}

TEST(JwtVerifierTest, DisallowedAlgorithmNeverForcesRefresh) {
  RotatingKeySource keys(JwkSet({Secret(kSecretA, "a")}), JwkSet({Secret(kSecretA, "a")}));
  FakeClock clock;
  JwtVerifierOptions options = Options();
  options.algorithms = AlgorithmPolicy{{Algorithm::kRs256}};
  JwtVerifier verifier(keys, clock, options);
  EXPECT_EQ(MessageOf(verifier.Verify(SignJwt("nope", kSecretA, kGoodClaims))),
            "alg HS256 is not allowed");
  EXPECT_EQ(keys.Forced(), 0);
}

TEST(JwtVerifierTest, TokenWithoutKidUsesTheOnlyFittingKey) {
  FakeClock clock;
  const std::string token =
      SignCompact(R"({"alg":"HS256"})", kGoodClaims, Secret(kSecretA)).value();
  StaticKeySource one(JwkSet({Secret(kSecretA, "a")}));
  EXPECT_TRUE(JwtVerifier(one, clock, Options()).Verify(token).has_value());
  StaticKeySource two(JwkSet({Secret(kSecretA, "a"), Secret(kSecretB, "b")}));
  EXPECT_EQ(MessageOf(JwtVerifier(two, clock, Options()).Verify(token)),
            "token has no kid and no single key fits");
}

TEST(JwtVerifierTest, PassesKeySourceErrorsThrough) {
  class DownKeySource final : public KeySource {
   public:
    Result<std::shared_ptr<const JwkSet>> Keys(bool) override {
      return Fail(Unavailable("jwks endpoint down"));
    }
  } keys;
  FakeClock clock;
  JwtVerifier verifier(keys, clock, Options());
  EXPECT_EQ(CodeOf(verifier.Verify(SignJwt("a", kSecretA, kGoodClaims))), ErrorCode::kUnavailable);
}

TEST(JwtVerifierTest, VerifiesConcurrently) {
  RotatingKeySource keys(JwkSet({Secret(kSecretA, "a")}),
                         JwkSet({Secret(kSecretA, "a"), Secret(kSecretB, "b")}));
  FakeClock clock;
  JwtVerifier verifier(keys, clock, Options());
  const std::string token_a = SignJwt("a", kSecretA, kGoodClaims);
  const std::string token_b = SignJwt("b", kSecretB, kGoodClaims);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        ok += verifier.Verify(i % 2 == 0 ? token_a : token_b).has_value() ? 1 : 0;
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_EQ(keys.Forced(), 1);
  EXPECT_GE(ok.load(), 100);  // every token_a; token_b once the single refresh has landed
}

}  // namespace
}  // namespace qlrf::jose
