// JWK and JWK Set parsing (RFC 7517, RFC 7518 §6, RFC 8037) into OpenSSL 3 EVP_PKEYs built with
// OSSL_PARAM_BLD + EVP_PKEY_fromdata.
#include "common/jose/jose.h"

#include <algorithm>
#include <set>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <boost/json.hpp>

#include "common/jose/internal/compact.h"
#include "common/jose/internal/openssl.h"
#include "common/jose/internal/signature.h"
#include "common/json.h"

namespace qlrf::jose {

// An oct key's bytes, wiped when the last Jwk sharing them goes away.
struct Jwk::SecretBytes {
  crypto::Bytes bytes;
  explicit SecretBytes(crypto::Bytes b) : bytes(std::move(b)) {}
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes() {
    if (!bytes.empty()) {
      OPENSSL_cleanse(bytes.data(), bytes.size());
    }
  }
};

std::span<const uint8_t> Jwk::Secret() const {
  if (secret_ == nullptr) {
    return {};
  }
  return secret_->bytes;
}

namespace {

using internal::BignumPtr;
using internal::EvpPkeyCtxPtr;
using internal::EvpPkeyPtr;
using internal::ParamBldPtr;
using internal::ParamPtr;

// Bounds the work a hostile key set can cause (RSA public checks cost a few Miller-Rabin rounds).
constexpr int kMaxRsaBits = 8192;
constexpr int kMinRsaParseBits = 512;
constexpr size_t kMaxKeysInSet = 100;

struct CurveInfo {
  std::string_view name;
  size_t coordinate_size;
  int bits;
};

constexpr CurveInfo kCurves[] = {{"P-256", 32, 256}, {"P-384", 48, 384}, {"P-521", 66, 521}};

Result<crypto::Bytes> RequireBase64Url(const boost::json::object& o, std::string_view member) {
  QLRF_ASSIGN_OR_RETURN(std::string text, json::RequireString(o, member));
  auto bytes = crypto::Base64UrlDecode(text);
  if (!bytes) {
    return Fail(FieldError(std::string(member), std::string(member) + ": not base64url"));
  }
  return std::move(*bytes);
}

// Base64urlUInt (RFC 7518 §2). Leading zero octets are tolerated and dropped: some libraries emit
// them (RFC 7518 §6.3.1.1 notes it) and they do not change the value.
Result<crypto::Bytes> RequireUInt(const boost::json::object& o, std::string_view member) {
  QLRF_ASSIGN_OR_RETURN(crypto::Bytes bytes, RequireBase64Url(o, member));
  auto first = std::find_if(bytes.begin(), bytes.end(), [](uint8_t b) { return b != 0; });
  bytes.erase(bytes.begin(), first);
  if (bytes.empty()) {
    return Fail(FieldError(std::string(member), std::string(member) + ": must not be zero"));
  }
  return bytes;
}

// Builds a public EVP_PKEY of `type` ("RSA", "EC", "ED25519") from params and runs OpenSSL's
// public-key validation (EC: point on the curve and in the group; RSA: odd composite n, sane e).
Result<EvpPkeyPtr> FromData(const char* type, OSSL_PARAM_BLD* bld, std::string_view field,
                            std::string_view what) {
  auto fail = [&] {
    ERR_clear_error();
    return Fail(FieldError(std::string(field), std::string(field) + ": " + std::string(what)));
  };
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  QLRF_CHECK(params != nullptr && ctx != nullptr, "OSSL_PARAM/EVP_PKEY_CTX out of memory");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return fail();
  }
  EvpPkeyPtr pkey(raw);
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  QLRF_CHECK(check != nullptr, "EVP_PKEY_CTX out of memory");
  if (EVP_PKEY_public_check(check.get()) != 1) {
    return fail();
  }
  return pkey;
}

Result<EvpPkeyPtr> ParseRsa(const boost::json::object& o, int& bits, bool& roca) {
  QLRF_ASSIGN_OR_RETURN(crypto::Bytes n, RequireUInt(o, "n"));
  QLRF_ASSIGN_OR_RETURN(crypto::Bytes e, RequireUInt(o, "e"));
  if (n.size() * 8 > kMaxRsaBits + 7 || (n.back() & 1) == 0) {
    return Fail(FieldError("n", "n: modulus must be odd and at most 8192 bits"));
  }
  if (e.size() > 8 || (e.back() & 1) == 0 || (e.size() == 1 && e[0] < 3)) {
    return Fail(FieldError("e", "e: public exponent must be odd, at least 3, at most 64 bits"));
  }
  BignumPtr bn_n(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
  BignumPtr bn_e(BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr));
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  QLRF_CHECK(bn_n != nullptr && bn_e != nullptr && bld != nullptr, "BIGNUM out of memory");
  bits = BN_num_bits(bn_n.get());
  if (bits < kMinRsaParseBits || bits > kMaxRsaBits) {
    return Fail(FieldError("n", "n: modulus must be between 512 and 8192 bits"));
  }
  QLRF_CHECK(OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) == 1 &&
                 OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) == 1,
             "OSSL_PARAM_BLD_push_BN out of memory");
  roca = internal::HasRocaFingerprint(n);
  return FromData("RSA", bld.get(), "n", "not a valid RSA public key");
}

Result<EvpPkeyPtr> ParseEc(const boost::json::object& o, std::string& crv, int& bits) {
  QLRF_ASSIGN_OR_RETURN(crv, json::RequireString(o, "crv"));
  const CurveInfo* curve = nullptr;
  for (const CurveInfo& c : kCurves) {
    if (c.name == crv) {
      curve = &c;
    }
  }
  if (curve == nullptr) {
    return Fail(Unimplemented("unsupported EC curve '" + crv + "'").With("field", "crv"));
  }
  QLRF_ASSIGN_OR_RETURN(crypto::Bytes x, RequireBase64Url(o, "x"));
  QLRF_ASSIGN_OR_RETURN(crypto::Bytes y, RequireBase64Url(o, "y"));
  // Coordinates are full-size octet strings (RFC 7518 §6.2.1.2/3), not minimal integers.
  const std::string size = std::to_string(curve->coordinate_size);
  if (x.size() != curve->coordinate_size) {
    return Fail(FieldError("x", "x: must be " + size + " bytes for " + crv));
  }
  if (y.size() != curve->coordinate_size) {
    return Fail(FieldError("y", "y: must be " + size + " bytes for " + crv));
  }
  crypto::Bytes point;
  point.reserve(1 + 2 * curve->coordinate_size);
  point.push_back(0x04);  // uncompressed SEC1 point
  point.insert(point.end(), x.begin(), x.end());
  point.insert(point.end(), y.begin(), y.end());
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  QLRF_CHECK(bld != nullptr, "OSSL_PARAM_BLD out of memory");
  QLRF_CHECK(
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, crv.c_str(), 0) == 1 &&
          OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                           point.size()) == 1,
      "OSSL_PARAM_BLD push out of memory");
  bits = curve->bits;
  return FromData("EC", bld.get(), "y", "x, y: point is not on curve " + crv);
}

Result<EvpPkeyPtr> ParseOkp(const boost::json::object& o, std::string& crv, int& bits) {
  QLRF_ASSIGN_OR_RETURN(crv, json::RequireString(o, "crv"));
  if (crv != "Ed25519") {
    return Fail(Unimplemented("unsupported OKP curve '" + crv + "'").With("field", "crv"));
  }
  QLRF_ASSIGN_OR_RETURN(crypto::Bytes x, RequireBase64Url(o, "x"));
  if (x.size() != 32) {
    return Fail(FieldError("x", "x: must be 32 bytes for Ed25519"));
  }
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  QLRF_CHECK(bld != nullptr, "OSSL_PARAM_BLD out of memory");
  QLRF_CHECK(
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, x.data(), x.size()) == 1,
      "OSSL_PARAM_BLD push out of memory");
  bits = 256;
  return FromData("ED25519", bld.get(), "x", "not a valid Ed25519 public key");
}

Result<std::vector<std::string>> ParseKeyOps(const boost::json::object& o) {
  std::vector<std::string> ops;
  const boost::json::value* v = o.if_contains("key_ops");
  if (v == nullptr || v->is_null()) {
    return ops;
  }
  if (!v->is_array()) {
    return Fail(FieldError("key_ops", "key_ops: must be an array of strings"));
  }
  for (const boost::json::value& op : v->get_array()) {
    if (!op.is_string()) {
      return Fail(FieldError("key_ops", "key_ops: must be an array of strings"));
    }
    std::string s(op.get_string());
    if (std::find(ops.begin(), ops.end(), s) != ops.end()) {
      return Fail(FieldError("key_ops", "key_ops: duplicate '" + s + "'"));
    }
    ops.push_back(std::move(s));
  }
  return ops;
}

// A key whose "alg" names a JWS algorithm it cannot serve is malformed (e.g. ES512 on P-256).
Status CheckDeclaredAlg(const Jwk& key) {
  std::optional<Algorithm> alg = internal::AlgorithmOfKey(key);
  if (alg && !internal::KeyFitsAlgorithm(*alg, key)) {
    return Fail(FieldError("alg", "alg: " + key.Alg() + " does not fit this key"));
  }
  return Ok();
}

Error PrefixField(Error e, const std::string& prefix) {
  bool found = false;
  for (auto& [key, value] : e.details) {
    if (key == "field") {
      value.insert(0, prefix + ".");
      found = true;
    }
  }
  if (!found) {
    e.details.emplace_back("field", prefix);
  }
  e.message = prefix + ": " + e.message;
  return e;
}

}  // namespace

Result<Jwk> Jwk::FromJson(const boost::json::object& o) {
  Jwk jwk;
  QLRF_ASSIGN_OR_RETURN(std::string kty, json::RequireString(o, "kty"));
  QLRF_ASSIGN_OR_RETURN(auto kid, json::GetString(o, "kid"));
  QLRF_ASSIGN_OR_RETURN(auto alg, json::GetString(o, "alg"));
  QLRF_ASSIGN_OR_RETURN(auto use, json::GetString(o, "use"));
  QLRF_ASSIGN_OR_RETURN(jwk.key_ops_, ParseKeyOps(o));
  jwk.kid_ = kid.value_or("");
  jwk.alg_ = alg.value_or("");
  jwk.use_ = use.value_or("");

  EvpPkeyPtr pkey;
  if (kty == "RSA") {
    jwk.type_ = KeyType::kRsa;
    QLRF_ASSIGN_OR_RETURN(pkey, ParseRsa(o, jwk.bits_, jwk.roca_vulnerable_));
  } else if (kty == "EC") {
    jwk.type_ = KeyType::kEc;
    QLRF_ASSIGN_OR_RETURN(pkey, ParseEc(o, jwk.crv_, jwk.bits_));
  } else if (kty == "OKP") {
    jwk.type_ = KeyType::kOkp;
    QLRF_ASSIGN_OR_RETURN(pkey, ParseOkp(o, jwk.crv_, jwk.bits_));
  } else if (kty == "oct") {
    jwk.type_ = KeyType::kOct;
    QLRF_ASSIGN_OR_RETURN(crypto::Bytes k, RequireBase64Url(o, "k"));
    if (k.empty()) {
      return Fail(FieldError("k", "k: must not be empty"));
    }
    jwk.bits_ = static_cast<int>(std::min<size_t>(k.size(), 1 << 20) * 8);
    jwk.secret_ = std::make_shared<const SecretBytes>(std::move(k));
  } else {
    return Fail(Unimplemented("unsupported kty '" + kty + "'").With("field", "kty"));
  }
  jwk.pkey_ = std::shared_ptr<EVP_PKEY>(std::move(pkey));
  QLRF_TRY(CheckDeclaredAlg(jwk));
  return jwk;
}

Result<Jwk> Jwk::Parse(std::string_view json_text) {
  QLRF_ASSIGN_OR_RETURN(boost::json::value v, json::Parse(json_text));
  if (!v.is_object()) {
    return Fail(InvalidArgument("JWK is not a JSON object"));
  }
  return FromJson(v.get_object());
}

Result<Jwk> Jwk::FromSecret(std::span<const uint8_t> secret, std::string kid, std::string alg) {
  if (secret.empty()) {
    return Fail(InvalidArgument("secret must not be empty"));
  }
  Jwk jwk;
  jwk.type_ = KeyType::kOct;
  jwk.kid_ = std::move(kid);
  jwk.alg_ = std::move(alg);
  jwk.bits_ = static_cast<int>(std::min<size_t>(secret.size(), 1 << 20) * 8);
  jwk.secret_ = std::make_shared<const SecretBytes>(crypto::Bytes(secret.begin(), secret.end()));
  QLRF_TRY(CheckDeclaredAlg(jwk));
  return jwk;
}

Result<JwkSet> JwkSet::FromJson(const boost::json::object& o) {
  const boost::json::value* keys = o.if_contains("keys");
  if (keys == nullptr || !keys->is_array()) {
    return Fail(FieldError("keys", "keys: must be an array"));
  }
  if (keys->get_array().size() > kMaxKeysInSet) {
    return Fail(FieldError("keys", "keys: more than " + std::to_string(kMaxKeysInSet) + " keys"));
  }
  JwkSet set;
  std::set<std::string, std::less<>> kids;
  bool has_secret = false;
  bool has_public = false;
  size_t index = 0;
  for (const boost::json::value& entry : keys->get_array()) {
    const std::string where = "keys[" + std::to_string(index++) + "]";
    if (!entry.is_object()) {
      return Fail(FieldError(where, where + ": must be an object"));
    }
    Result<Jwk> key = Jwk::FromJson(entry.get_object());
    if (!key) {
      if (key.error().code == ErrorCode::kUnimplemented) {
        ++set.skipped_;
        continue;
      }
      return Fail(PrefixField(std::move(key).error(), where));
    }
    if (!key->Kid().empty() && !kids.insert(key->Kid()).second) {
      return Fail(FieldError(where + ".kid", "keys: duplicate kid '" + key->Kid() + "'"));
    }
    (key->Type() == KeyType::kOct ? has_secret : has_public) = true;
    set.keys_.push_back(std::move(*key));
  }
  if (has_secret && has_public) {
    return Fail(FieldError("keys", "keys: mixes oct secrets with public keys"));
  }
  return set;
}

Result<JwkSet> JwkSet::Parse(std::string_view json_text) {
  QLRF_ASSIGN_OR_RETURN(boost::json::value v, json::Parse(json_text));
  if (!v.is_object()) {
    return Fail(InvalidArgument("JWK Set is not a JSON object"));
  }
  return FromJson(v.get_object());
}

const Jwk* JwkSet::Find(std::string_view kid) const {
  if (kid.empty()) {
    return nullptr;
  }
  for (const Jwk& key : keys_) {
    if (key.Kid() == kid) {
      return &key;
    }
  }
  return nullptr;
}

}  // namespace qlrf::jose
