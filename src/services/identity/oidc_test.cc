// OIDC sign-in through the Authenticator: Ed25519-signed JWTs from a test issuer whose JWKS is
// served by a scripted HTTP client; org resolution order, JIT membership, rotation, failures.
#include "services/identity/oidc.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <boost/json.hpp>

#include "common/crypto.h"
#include "common/json.h"
#include "services/identity/identity_service.h"
#include "storage/migrations.h"
#include "storage/sqlite/sqlite_database.h"
#include "testing/fake_http_client.h"
#include "testing/fakes.h"

namespace qlrf::services {
namespace {

constexpr const char* kIssuer = "https://clerk.example.test";
constexpr const char* kJwks = "https://clerk.example.test/.well-known/jwks.json";

// An Ed25519 signing key and its public JWK.
class TestKey {
 public:
  explicit TestKey(std::string kid) : kid_(std::move(kid)) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
    EVP_PKEY_keygen_init(ctx);
    EVP_PKEY_keygen(ctx, &key_);
    EVP_PKEY_CTX_free(ctx);
  }
  ~TestKey() { EVP_PKEY_free(key_); }
  TestKey(const TestKey&) = delete;
  TestKey& operator=(const TestKey&) = delete;

  boost::json::object Jwk() const {
    uint8_t pub[32];
    size_t len = sizeof pub;
    EVP_PKEY_get_raw_public_key(key_, pub, &len);
    return {{"kty", "OKP"},
            {"crv", "Ed25519"},
            {"kid", kid_},
            {"use", "sig"},
            {"x", crypto::Base64UrlEncode(std::span<const uint8_t>(pub, len))}};
  }
  std::string Sign(const boost::json::object& claims) const {
    boost::json::object header{{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", kid_}};
    std::string input = crypto::Base64UrlEncode(json::Serialize(header)) + "." +
                        crypto::Base64UrlEncode(json::Serialize(claims));
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    EVP_DigestSignInit(md, nullptr, nullptr, nullptr, key_);
    uint8_t sig[64];
    size_t sig_len = sizeof sig;
    EVP_DigestSign(md, sig, &sig_len, reinterpret_cast<const uint8_t*>(input.data()), input.size());
    EVP_MD_CTX_free(md);
    return input + "." + crypto::Base64UrlEncode(std::span<const uint8_t>(sig, sig_len));
  }

 private:
  std::string kid_;
  EVP_PKEY* key_ = nullptr;
};

class OidcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(storage::Migrate(*db_, clock_.Now()));
    ASSERT_TRUE(identity_.Bootstrap());
    // An org linked to the IdP's organization id.
    ASSERT_TRUE(storage::WithWrite(*db_, "", [&](storage::Transaction& tx) {
      return storage::IdentityStore::CreateOrg(
          tx, storage::Org{"11111111-1111-4111-8111-111111111111", "Acme", "acme",
                           std::string("org_clerk_acme"), "plan_only", "t", "t"});
    }));
    PublishKeys({&key1_});
  }
  void PublishKeys(std::vector<const TestKey*> keys) {
    boost::json::array arr;
    for (const auto* k : keys) {
      arr.push_back(k->Jwk());
    }
    http_.Set(kJwks, 200, json::Serialize(boost::json::object{{"keys", arr}}));
  }
  boost::json::object Claims(std::string sub, std::string org, std::string role) {
    int64_t now = UnixSeconds(clock_.Now());
    boost::json::object c{{"iss", kIssuer}, {"sub", sub},       {"aud", "qlrf"},
                          {"iat", now},     {"exp", now + 300}, {"email", sub + "@acme.test"}};
    if (!org.empty()) {
      c["org_id"] = org;
    }
    if (!role.empty()) {
      c["org_role"] = role;
    }
    return c;
  }
  Authenticator MakeAuth(bool dev_fallback) {
    AuthenticatorOptions o;
    o.dev_org_fallback = dev_fallback;
    return Authenticator(*db_, sessions_, &verifier_, clock_, random_, o);
  }

  testing::FakeClock clock_;
  testing::FakeRandom random_{3};
  testing::FakeHttpClient http_;
  std::unique_ptr<storage::SqliteDatabase> db_ =
      std::move(*storage::SqliteDatabase::Open(storage::SqliteOptions{":memory:"}));
  SessionTokens sessions_{"0123456789abcdef0123456789abcdef", 3600, clock_};
  Auditor auditor_{clock_, random_};
  Authenticator plain_auth_{*db_, sessions_, nullptr, clock_, random_, {}};
  IdentityService identity_{*db_, auditor_, plain_auth_, sessions_, clock_, random_};
  HttpJwksKeySource keys_{http_, clock_, kJwks, std::chrono::seconds(600)};
  JoseOidcVerifier verifier_{keys_, clock_, OidcOptions{kIssuer, "qlrf", kJwks}};
  TestKey key1_{"k1"};
  TestKey key2_{"k2"};
};

TEST_F(OidcTest, OrgClaimMatchingExternalIdProvisionsMemberWithMappedRole) {
  auto auth = MakeAuth(false);
  auto p =
      auth.Authenticate("Bearer " + key1_.Sign(Claims("user_1", "org_clerk_acme", "org:admin")));
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_EQ(p->org_slug, "acme");
  EXPECT_EQ(p->role, "admin");
  EXPECT_EQ(p->auth_method, "oidc");
  // The second sign-in finds the membership (step 1) and keeps its role.
  auth.Invalidate();
  auto again =
      auth.Authenticate("Bearer " + key1_.Sign(Claims("user_1", "org_clerk_acme", "org:member")));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, p->id);
  EXPECT_EQ(again->role, "admin");
}

TEST_F(OidcTest, OrgClaimMayNameOurOrgIdDirectly) {
  auto auth = MakeAuth(false);
  auto p = auth.Authenticate(
      "Bearer " + key1_.Sign(Claims("user_2", "11111111-1111-4111-8111-111111111111", "")));
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_EQ(p->org_slug, "acme");
  EXPECT_EQ(p->role, "viewer");
}

TEST_F(OidcTest, UnknownOrgIsRejectedOutsideDevelopment) {
  auto auth = MakeAuth(false);
  auto p = auth.Authenticate("Bearer " + key1_.Sign(Claims("user_3", "", "")));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::kUnauthenticated);
  auto dev = MakeAuth(true);
  auto d = dev.Authenticate("Bearer " + key1_.Sign(Claims("user_3", "", "")));
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->org_slug, "default");
}

TEST_F(OidcTest, WrongAudienceIssuerOrExpiryIsRejected) {
  auto auth = MakeAuth(true);
  auto c = Claims("u", "org_clerk_acme", "");
  c["aud"] = "someone-else";
  EXPECT_FALSE(auth.Authenticate("Bearer " + key1_.Sign(c)));
  c = Claims("u", "org_clerk_acme", "");
  c["iss"] = "https://evil.test";
  EXPECT_FALSE(auth.Authenticate("Bearer " + key1_.Sign(c)));
  std::string token = key1_.Sign(Claims("u", "org_clerk_acme", ""));
  clock_.Advance(std::chrono::seconds(300 + 61));
  auto expired = auth.Authenticate("Bearer " + token);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(OidcTest, KeyRotationRefreshesTheJwksOnce) {
  auto auth = MakeAuth(false);
  ASSERT_TRUE(auth.Authenticate("Bearer " + key1_.Sign(Claims("u", "org_clerk_acme", ""))));
  int before = http_.calls();
  PublishKeys({&key1_, &key2_});
  auto p = auth.Authenticate("Bearer " + key2_.Sign(Claims("u", "org_clerk_acme", "")));
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_EQ(http_.calls(), before + 1);
}

TEST_F(OidcTest, IdpOutageKeepsServingCachedKeys) {
  auto auth = MakeAuth(false);
  ASSERT_TRUE(auth.Authenticate("Bearer " + key1_.Sign(Claims("u", "org_clerk_acme", ""))));
  http_.Fail(kJwks);
  clock_.Advance(std::chrono::seconds(700));  // cache TTL passed
  auth.Invalidate();
  auto p = auth.Authenticate("Bearer " + key1_.Sign(Claims("u", "org_clerk_acme", "")));
  EXPECT_TRUE(p) << p.error().ToString();
}

TEST_F(OidcTest, HmacTokenSignedWithPublicKeyIsRejected) {
  auto auth = MakeAuth(true);
  // alg confusion: HS256 "signed" with the public JWK's bytes.
  boost::json::object header{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", "k1"}};
  std::string input = crypto::Base64UrlEncode(json::Serialize(header)) + "." +
                      crypto::Base64UrlEncode(json::Serialize(Claims("u", "org_clerk_acme", "")));
  std::string pub(key1_.Jwk().at("x").as_string());
  std::string token = input + "." + crypto::Base64UrlEncode(crypto::HmacSha256(pub, input));
  auto p = auth.Authenticate("Bearer " + token);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace qlrf::services

namespace qlrf::services {
namespace {

TEST(Clerk, IssuerFromPublishableKey) {
  auto key = "pk_test_" + crypto::Base64UrlEncode(std::string_view("clerk.example.com$"));
  auto issuer = ClerkIssuerFromPublishableKey(key);
  ASSERT_TRUE(issuer) << issuer.error().ToString();
  EXPECT_EQ(*issuer, "https://clerk.example.com");
  EXPECT_FALSE(ClerkIssuerFromPublishableKey("sk_test_abc"));
  EXPECT_FALSE(ClerkIssuerFromPublishableKey("pk_test_!!!"));
}

}  // namespace
}  // namespace qlrf::services
