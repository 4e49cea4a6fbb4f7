// Splitting and header checks for compact JWS, shared by VerifyCompact and JwtVerifier. Private to
// qlrf_jose.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "common/crypto.h"
#include "common/jose/jose.h"
#include "common/result.h"

namespace qlrf::jose::internal {

// Larger tokens are refused before any decoding (bounds work per request).
inline constexpr size_t kMaxTokenBytes = size_t{64} * 1024;

// A compact JWS whose structure and protected header passed the checks, signature not verified.
struct CompactJws {
  std::string_view signing_input;  // "header.payload" as sent (a view into the token)
  std::string_view payload_b64;
  boost::json::object header;
  Algorithm alg = Algorithm::kHs256;
  std::string kid;
  crypto::Bytes signature;
};

// Unauthenticated for: oversize tokens, JSON serialization, anything but three dot-separated
// parts, an empty or non-base64url header/signature, a header that is not a JSON object, "alg"
// missing/none/unknown, a non-string "kid", "b64" other than true, "crit" naming anything but
// b64 (with b64 true) or not a non-empty array of strings.
Result<CompactJws> ParseCompact(std::string_view token);

// The JWS algorithm a key's own "alg" member names, or nullopt (absent, or not a JWS algorithm,
// e.g. "RSA-OAEP"). "ES521" is read as ES512: Wycheproof and early JOSE drafts spell it so, and
// the only algorithm a P-521 key can serve is ES512 anyway.
std::optional<Algorithm> AlgorithmOfKey(const Jwk& key);

}  // namespace qlrf::jose::internal
