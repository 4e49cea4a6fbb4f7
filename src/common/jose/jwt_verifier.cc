// JwtVerifier: key lookup by kid with rate-limited forced refresh (key rotation), JWS
// verification and claim validation.
#include "common/jose/jose.h"

#include <utility>

#include <boost/json.hpp>

#include "common/jose/internal/compact.h"
#include "common/jose/internal/signature.h"
#include "common/json.h"

namespace qlrf::jose {
namespace {

// With a kid, the key of that kid. Without one, the single key in the set that fits the
// algorithm; several candidates would mean guessing, so that is nullptr too.
const Jwk* SelectKey(const JwkSet& set, const internal::CompactJws& jws) {
  if (!jws.kid.empty()) {
    return set.Find(jws.kid);
  }
  const Jwk* found = nullptr;
  for (const Jwk& key : set.Keys()) {
    if (internal::KeyFitsAlgorithm(jws.alg, key)) {
      if (found != nullptr) {
        return nullptr;
      }
      found = &key;
    }
  }
  return found;
}

Result<std::shared_ptr<const JwkSet>> FetchKeys(KeySource& source, bool force_refresh) {
  QLRF_ASSIGN_OR_RETURN(std::shared_ptr<const JwkSet> keys, source.Keys(force_refresh));
  if (keys == nullptr) {
    return Fail(Internal("KeySource returned no key set"));
  }
  return keys;
}

}  // namespace

JwtVerifier::JwtVerifier(KeySource& keys, const Clock& clock, JwtVerifierOptions options)
    : keys_(keys), clock_(clock), options_(std::move(options)) {}

bool JwtVerifier::ClaimForcedRefresh() const {
  const MonotonicTime now = clock_.Monotonic();
  MutexLock lock(&mu_);
  if (last_forced_refresh_ && now - *last_forced_refresh_ < options_.min_forced_refresh_interval) {
    return false;
  }
  last_forced_refresh_ = now;
  return true;
}

Result<VerifiedJwt> JwtVerifier::Verify(std::string_view token) const {
  QLRF_ASSIGN_OR_RETURN(internal::CompactJws jws, internal::ParseCompact(token));
  // Refuse disallowed algorithms before touching the key source, so they cannot force refreshes.
  if (!options_.algorithms.Allows(jws.alg)) {
    return Fail(Unauthenticated("alg " + std::string(AlgorithmName(jws.alg)) + " is not allowed"));
  }
  QLRF_ASSIGN_OR_RETURN(std::shared_ptr<const JwkSet> keys, FetchKeys(keys_, false));
  const Jwk* key = SelectKey(*keys, jws);
  // An unknown kid usually means the issuer rotated keys: refresh once, but not more often than
  // the interval allows (the refresh runs outside the lock; a failed one still counts).
  if (key == nullptr && !jws.kid.empty() && ClaimForcedRefresh()) {
    QLRF_ASSIGN_OR_RETURN(keys, FetchKeys(keys_, true));
    key = SelectKey(*keys, jws);
  }
  if (key == nullptr) {
    return Fail(Unauthenticated(jws.kid.empty() ? "token has no kid and no single key fits"
                                                : "unknown kid '" + jws.kid + "'"));
  }
  QLRF_ASSIGN_OR_RETURN(VerifiedJws verified, VerifyCompact(token, *key, options_.algorithms));

  auto payload = json::Parse(verified.payload);
  if (!payload || !payload->is_object()) {
    return Fail(Unauthenticated("token payload is not a JSON object"));
  }
  VerifiedJwt jwt;
  jwt.claims = std::move(payload->get_object());
  QLRF_TRY(ValidateClaims(jwt.claims, options_.claims, clock_.Now()));
  jwt.alg = verified.alg;
  jwt.kid = std::move(verified.kid);
  jwt.header = std::move(verified.header);
  // ValidateClaims has checked the types of sub, iss and aud.
  if (const boost::json::value* sub = jwt.claims.if_contains("sub")) {
    jwt.subject = std::string(sub->get_string());
  }
  if (const boost::json::value* iss = jwt.claims.if_contains("iss")) {
    jwt.issuer = std::string(iss->get_string());
  }
  if (const boost::json::value* aud = jwt.claims.if_contains("aud")) {
    if (aud->is_string()) {
      jwt.audience.emplace_back(aud->get_string());
    } else {
      for (const boost::json::value& entry : aud->get_array()) {
        jwt.audience.emplace_back(entry.get_string());
      }
    }
  }
  return jwt;
}

}  // namespace qlrf::jose
