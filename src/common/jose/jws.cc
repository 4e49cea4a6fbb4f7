// Compact JWS verification with key/algorithm policy (RFC 7515 §5.2, RFC 8725 §3.1) and HMAC
// signing.
#include "common/jose/jose.h"

#include <algorithm>
#include <array>
#include <utility>

#include <boost/json.hpp>

#include "common/jose/internal/compact.h"
#include "common/jose/internal/signature.h"
#include "common/json.h"

namespace qlrf::jose {
namespace {

constexpr std::array<std::pair<Algorithm, std::string_view>, 13> kNames = {{
    {Algorithm::kHs256, "HS256"},
    {Algorithm::kHs384, "HS384"},
    {Algorithm::kHs512, "HS512"},
    {Algorithm::kRs256, "RS256"},
    {Algorithm::kRs384, "RS384"},
    {Algorithm::kRs512, "RS512"},
    {Algorithm::kPs256, "PS256"},
    {Algorithm::kPs384, "PS384"},
    {Algorithm::kPs512, "PS512"},
    {Algorithm::kEs256, "ES256"},
    {Algorithm::kEs384, "ES384"},
    {Algorithm::kEs512, "ES512"},
    {Algorithm::kEdDsa, "EdDSA"},
}};

bool IsHmac(Algorithm alg) {
  return alg == Algorithm::kHs256 || alg == Algorithm::kHs384 || alg == Algorithm::kHs512;
}

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// RFC 8725 §3.1: the key decides what it may be used for, never the token alone.
Status CheckVerificationKey(const Jwk& key, Algorithm alg, std::string_view token_kid) {
  const std::string name(AlgorithmName(alg));
  if (!internal::KeyFitsAlgorithm(alg, key)) {
    return Fail(Unauthenticated("key type does not match algorithm " + name));
  }
  if (!key.Alg().empty() && internal::AlgorithmOfKey(key) != alg) {
    return Fail(Unauthenticated("key is for alg " + key.Alg() + ", token uses " + name));
  }
  if (!key.Use().empty() && key.Use() != "sig") {
    return Fail(Unauthenticated("key use '" + key.Use() + "' is not sig"));
  }
  if (!key.KeyOps().empty() && !Contains(key.KeyOps(), "verify")) {
    return Fail(Unauthenticated("key_ops does not allow verify"));
  }
  if (!token_kid.empty() && !key.Kid().empty() && token_kid != key.Kid()) {
    return Fail(Unauthenticated("token kid does not match the key"));
  }
  if (key.Type() == KeyType::kRsa && key.RocaVulnerable()) {
    return Fail(Unauthenticated("RSA key has the ROCA fingerprint (CVE-2017-15361)"));
  }
  // RFC 7518 §3.2: the HMAC key must be at least as long as the hash output.
  if (IsHmac(alg) && key.Secret().size() < internal::HashSize(alg)) {
    return Fail(Unauthenticated("HMAC key shorter than the " + name + " hash"));
  }
  return Ok();
}

Result<VerifiedJws> Verify(internal::CompactJws jws, std::string_view signing_input,
                           std::string payload, const Jwk& key, const AlgorithmPolicy& policy) {
  if (!policy.Allows(jws.alg)) {
    return Fail(Unauthenticated("alg " + std::string(AlgorithmName(jws.alg)) + " is not allowed"));
  }
  QLRF_TRY(CheckVerificationKey(key, jws.alg, jws.kid));
  QLRF_TRY(internal::VerifySignature(jws.alg, key, signing_input, jws.signature));
  VerifiedJws out;
  out.alg = jws.alg;
  out.header = std::move(jws.header);
  out.payload = std::move(payload);
  out.kid = std::move(jws.kid);
  return out;
}

}  // namespace

std::string_view AlgorithmName(Algorithm alg) {
  for (const auto& [a, name] : kNames) {
    if (a == alg) {
      return name;
    }
  }
  QLRF_CHECK(false, "Algorithm enumerator without a name");
  return {};
}

std::optional<Algorithm> AlgorithmFromName(std::string_view name) {
  for (const auto& [a, n] : kNames) {
    if (n == name) {
      return a;
    }
  }
  return std::nullopt;
}

bool AlgorithmPolicy::Allows(Algorithm alg) const {
  return std::find(allowed.begin(), allowed.end(), alg) != allowed.end();
}

Result<VerifiedJws> VerifyCompact(std::string_view token, const Jwk& key,
                                  const AlgorithmPolicy& policy) {
  QLRF_ASSIGN_OR_RETURN(internal::CompactJws jws, internal::ParseCompact(token));
  auto payload = crypto::Base64UrlDecode(jws.payload_b64);
  if (!payload) {
    return Fail(Unauthenticated("malformed token: payload is not base64url"));
  }
  std::string_view signing_input = jws.signing_input;
  return Verify(std::move(jws), signing_input, std::string(crypto::AsString(*payload)), key,
                policy);
}

Result<VerifiedJws> VerifyCompactDetached(std::string_view token, std::string_view payload,
                                          const Jwk& key, const AlgorithmPolicy& policy) {
  QLRF_ASSIGN_OR_RETURN(internal::CompactJws jws, internal::ParseCompact(token));
  if (!jws.payload_b64.empty()) {
    return Fail(Unauthenticated("malformed token: detached JWS carries a payload"));
  }
  // header_b64 "." is the signing input so far; the payload part is re-encoded from `payload`.
  std::string signing_input(jws.signing_input);
  signing_input += crypto::Base64UrlEncode(payload);
  return Verify(std::move(jws), signing_input, std::string(payload), key, policy);
}

Result<std::string> SignCompact(std::string_view header_json, std::string_view payload,
                                const Jwk& key) {
  auto header = json::Parse(header_json);
  if (!header || !header->is_object()) {
    return Fail(FieldError("header", "header: must be a JSON object"));
  }
  const boost::json::object& h = header->get_object();
  QLRF_ASSIGN_OR_RETURN(std::string alg_name, json::RequireString(h, "alg", "header"));
  std::optional<Algorithm> alg = AlgorithmFromName(alg_name);
  if (!alg || !IsHmac(*alg)) {
    return Fail(FieldError("header.alg", "header.alg: only HS256/HS384/HS512 can be signed"));
  }
  if (h.contains("crit") || h.contains("b64")) {
    return Fail(FieldError("header", "header: crit and b64 are not supported"));
  }
  if (key.Type() != KeyType::kOct) {
    return Fail(InvalidArgument("signing key is not an oct key"));
  }
  if (!key.Alg().empty() && internal::AlgorithmOfKey(key) != alg) {
    return Fail(InvalidArgument("signing key is for alg " + key.Alg()));
  }
  if ((!key.Use().empty() && key.Use() != "sig") ||
      (!key.KeyOps().empty() && !Contains(key.KeyOps(), "sign"))) {
    return Fail(InvalidArgument("signing key's use/key_ops do not allow signing"));
  }
  if (key.Secret().size() < internal::HashSize(*alg)) {
    return Fail(InvalidArgument("signing key shorter than the " + alg_name + " hash"));
  }
  std::string token = crypto::Base64UrlEncode(header_json);
  token += '.';
  token += crypto::Base64UrlEncode(payload);
  crypto::Bytes mac = internal::HmacSign(*alg, key.Secret(), token);
  token += '.';
  token += crypto::Base64UrlEncode(mac);
  return token;
}

Result<std::string> SignCompactHs256(std::string_view header_json, std::string_view payload,
                                     const Jwk& key) {
  auto header = json::Parse(header_json);
  if (!header || !header->is_object()) {
    return Fail(FieldError("header", "header: must be a JSON object"));
  }
  const boost::json::value* alg = header->get_object().if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->get_string() != "HS256") {
    return Fail(FieldError("header.alg", "header.alg: must be HS256"));
  }
  return SignCompact(header_json, payload, key);
}

}  // namespace qlrf::jose
