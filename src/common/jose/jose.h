// JOSE for QL-RF: JWK/JWKS parsing, JWS compact verification and HMAC signing, JWT claim
// validation, and a key-rotating JwtVerifier (RFC 7515, 7517, 7518, 7519, 8037).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/result.h"

typedef struct evp_pkey_st EVP_PKEY;  // NOLINT: OpenSSL's own spelling; keeps OpenSSL out.

namespace qlrf::jose {

// JWS algorithms we implement ("none" is deliberately absent).
enum class Algorithm {
  kHs256,
  kHs384,
  kHs512,
  kRs256,
  kRs384,
  kRs512,
  kPs256,
  kPs384,
  kPs512,
  kEs256,
  kEs384,
  kEs512,
  kEdDsa,
};

// "HS256", "EdDSA", ... as spelled in the "alg" header.
std::string_view AlgorithmName(Algorithm alg);
// nullopt for unknown names and for "none" in any spelling.
std::optional<Algorithm> AlgorithmFromName(std::string_view name);

// The algorithms a caller accepts; a token whose "alg" is not listed is rejected before any key
// is touched. There is no default: callers say what they expect.
struct AlgorithmPolicy {
  std::vector<Algorithm> allowed;
  bool Allows(Algorithm alg) const;
};

enum class KeyType { kRsa, kEc, kOkp, kOct };

// One JSON Web Key: public material for RSA, EC (P-256/384/521) and OKP (Ed25519), or an oct
// secret. Private members ("d", ...) are ignored: we only verify with asymmetric keys.
// Immutable after construction; copies share the OpenSSL key; thread-safe.
class Jwk {
 public:
  // Parses a JWK object. Unimplemented for an unsupported kty or crv (JwkSet skips those);
  // InvalidArgument with details {"field": member} for a malformed or inconsistent key (bad
  // base64url, wrong coordinate length, point not on the curve, even modulus, bad exponent, ...).
  static Result<Jwk> FromJson(const boost::json::object& jwk);
  // Same, from JSON text; InvalidArgument for malformed JSON or a non-object.
  static Result<Jwk> Parse(std::string_view json_text);
  // An oct key from raw bytes, for our own session tokens. InvalidArgument when `secret` is empty.
  static Result<Jwk> FromSecret(std::span<const uint8_t> secret, std::string kid = {},
                                std::string alg = {});

  KeyType Type() const { return type_; }
  const std::string& Kid() const { return kid_; }
  const std::string& Alg() const { return alg_; }  // empty when absent
  const std::string& Use() const { return use_; }  // empty when absent
  const std::vector<std::string>& KeyOps() const { return key_ops_; }
  const std::string& Crv() const { return crv_; }  // EC and OKP only
  // RSA modulus bits, EC field bits, 256 for Ed25519, 8 * length of an oct secret.
  int Bits() const { return bits_; }
  // RSA moduli carrying the ROCA fingerprint (CVE-2017-15361) are refused for verification.
  bool RocaVulnerable() const { return roca_vulnerable_; }
  // The OpenSSL key for RSA/EC/OKP (owned by this Jwk; valid while it lives); null for oct.
  EVP_PKEY* EvpPkey() const { return pkey_.get(); }
  // The secret of an oct key; empty for the others.
  std::span<const uint8_t> Secret() const;

 private:
  struct SecretBytes;
  Jwk() = default;

  KeyType type_ = KeyType::kOct;
  std::string kid_;
  std::string alg_;
  std::string use_;
  std::vector<std::string> key_ops_;
  std::string crv_;
  int bits_ = 0;
  bool roca_vulnerable_ = false;
  std::shared_ptr<EVP_PKEY> pkey_;
  std::shared_ptr<const SecretBytes> secret_;
};

// A JWK Set ({"keys":[...]}). Immutable after construction; thread-safe.
class JwkSet {
 public:
  JwkSet() = default;
  // Takes the keys as given (no duplicate-kid or mixing checks): for keys the caller built.
  explicit JwkSet(std::vector<Jwk> keys) : keys_(std::move(keys)) {}

  // Keys of unsupported kty/crv are skipped (counted in Skipped()). InvalidArgument (field
  // "keys[i].member") for a malformed key, a missing "keys" array, a duplicate kid, or a set that
  // mixes oct secrets with public keys (an invitation to algorithm confusion).
  static Result<JwkSet> FromJson(const boost::json::object& jwks);
  static Result<JwkSet> Parse(std::string_view json_text);

  // The key with this kid, or nullptr (always for an empty kid).
  const Jwk* Find(std::string_view kid) const;
  const std::vector<Jwk>& Keys() const { return keys_; }
  size_t Skipped() const { return skipped_; }

 private:
  std::vector<Jwk> keys_;
  size_t skipped_ = 0;
};

// A JWS whose signature checked out.
struct VerifiedJws {
  Algorithm alg = Algorithm::kHs256;
  boost::json::object header;
  std::string payload;  // decoded bytes
  std::string kid;      // empty when the header has none
};

// Verifies a compact JWS (header.payload.signature) with `key`. Every failure is Unauthenticated
// with the reason in the message: malformed token, JSON serialization, "alg" none/unknown/not in
// `policy`, b64:false, an unknown "crit" entry, a key of the wrong type or curve for "alg" (alg
// confusion), a key whose own "alg"/"use"/"key_ops"/"kid" contradicts the token, an RSA key below
// 2048 bits or with the ROCA fingerprint, an HMAC key shorter than the hash, a bad signature.
// Header members that point at keys (jwk, jku, x5u, x5c) are ignored: the caller picks the key.
Result<VerifiedJws> VerifyCompact(std::string_view token, const Jwk& key,
                                  const AlgorithmPolicy& policy);
// The same for detached content (RFC 7515 appendix F): the token's payload part must be empty and
// `payload` is what was signed.
Result<VerifiedJws> VerifyCompactDetached(std::string_view token, std::string_view payload,
                                          const Jwk& key, const AlgorithmPolicy& policy);

// Signs `payload` with an oct key; `header_json` is used byte for byte as the protected header and
// must be a JSON object whose "alg" is HS256/384/512. InvalidArgument for a malformed header, a
// non-HMAC alg, "crit"/"b64" members, a key that is not oct, shorter than the hash, or whose own
// alg/use/key_ops forbid it.
Result<std::string> SignCompact(std::string_view header_json, std::string_view payload,
                                const Jwk& key);
// SignCompact that additionally requires "alg":"HS256".
Result<std::string> SignCompactHs256(std::string_view header_json, std::string_view payload,
                                     const Jwk& key);

// What a JWT's registered claims must satisfy.
struct ClaimRules {
  std::optional<std::string> issuer;    // "iss" must equal it exactly
  std::optional<std::string> audience;  // "aud" (string or array) must contain it
  bool require_exp = true;
  std::chrono::seconds leeway{60};  // clock skew tolerated on exp, nbf and iat
};

// Checks iss, aud, exp, nbf and iat against `rules` at `now`. Unauthenticated with "token
// expired", "token not yet valid", "token issued in the future", "issuer mismatch", "audience
// mismatch", "missing exp", or "<claim> is not a ..." for mistyped claims. Time claims may be
// fractional NumericDates; a token is expired once now >= exp + leeway.
Status ValidateClaims(const boost::json::object& claims, const ClaimRules& rules, SystemTime now);

// Where a JwtVerifier gets keys (the HTTP JWKS fetcher lives elsewhere). Implementations must be
// thread-safe. Keys(false) may serve a cache; Keys(true) asks for fresh keys (rotation).
class KeySource {
 public:
  virtual ~KeySource() = default;
  // Fails as the implementation says (typically Unavailable when the keys cannot be fetched).
  virtual Result<std::shared_ptr<const JwkSet>> Keys(bool force_refresh) = 0;
};

// A fixed key set. Immutable; thread-safe.
class StaticKeySource final : public KeySource {
 public:
  explicit StaticKeySource(JwkSet keys) : keys_(std::make_shared<const JwkSet>(std::move(keys))) {}
  Result<std::shared_ptr<const JwkSet>> Keys(bool /*force_refresh*/) override { return keys_; }

 private:
  std::shared_ptr<const JwkSet> keys_;
};

struct JwtVerifierOptions {
  AlgorithmPolicy algorithms;
  ClaimRules claims;
  // Unknown kids trigger at most one forced refresh per interval, so forged kids cannot make us
  // hammer the key endpoint.
  std::chrono::seconds min_forced_refresh_interval{30};
};

struct VerifiedJwt {
  Algorithm alg = Algorithm::kHs256;
  std::string kid;
  boost::json::object header;
  boost::json::object claims;
  std::string subject;                // "sub", empty when absent
  std::string issuer;                 // "iss", empty when absent
  std::vector<std::string> audience;  // "aud" as a list
};

// Verifies JWTs against keys from a KeySource: finds the key by kid (refreshing once, rate
// limited, when the kid is unknown), checks the signature, then the claims at clock.Now().
// Thread-safe. `keys` and `clock` must outlive the verifier.
class JwtVerifier {
 public:
  JwtVerifier(KeySource& keys, const Clock& clock, JwtVerifierOptions options);
  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;

  // Unauthenticated for any token problem (see VerifyCompact, ValidateClaims; also "unknown kid",
  // a payload that is not a JSON object). Errors of the KeySource are passed on unchanged.
  Result<VerifiedJwt> Verify(std::string_view token) const;

 private:
  // True when a forced refresh may run now; records the attempt.
  bool ClaimForcedRefresh() const;

  KeySource& keys_;
  const Clock& clock_;
  const JwtVerifierOptions options_;
  mutable Mutex mu_;
  mutable std::optional<MonotonicTime> last_forced_refresh_ QLRF_GUARDED_BY(mu_);
};

}  // namespace qlrf::jose
