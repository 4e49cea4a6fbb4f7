// Fuzz target for qlrf_jose: each input is tried as a compact token (against fixed keys, directly
// and through JwtVerifier), as a JWK, a JWK Set, JWT claims and a header to sign.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "common/clock.h"
#include "common/jose/jose.h"
#include "common/json.h"

namespace {

namespace jose = qlrf::jose;

// RFC 7520 §3 keys (so the cookbook tokens in the corpus verify) and the RFC 8037 Ed25519 key.
constexpr std::string_view kRsaJwk =
    R"({"kty":"RSA","kid":"bilbo.baggins@hobbiton.example","use":"sig","n":"n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw","e":"AQAB"})";
constexpr std::string_view kEcJwk =
    R"({"kty":"EC","kid":"bilbo.baggins@hobbiton.example","use":"sig","crv":"P-521","x":"AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt","y":"AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1"})";
constexpr std::string_view kOkpJwk =
    R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
constexpr std::string_view kOctJwk =
    R"({"kty":"oct","kid":"018c0ae5-4d9b-471b-bfd6-eef314bc7037","use":"sig","alg":"HS256","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"})";

// A clock stopped at 2023-11-14T22:13:20Z. Thread-safe.
class StoppedClock final : public qlrf::Clock {
 public:
  qlrf::SystemTime Now() const override { return qlrf::FromUnixSeconds(1'700'000'000); }
  qlrf::MonotonicTime Monotonic() const override { return {}; }
};

// Keys and verifier built once: RSA key validation is too slow to repeat per input.
struct Fixture {
  std::vector<jose::Jwk> keys;
  jose::AlgorithmPolicy all{
      {jose::Algorithm::kHs256, jose::Algorithm::kHs384, jose::Algorithm::kHs512,
       jose::Algorithm::kRs256, jose::Algorithm::kRs384, jose::Algorithm::kRs512,
       jose::Algorithm::kPs256, jose::Algorithm::kPs384, jose::Algorithm::kPs512,
       jose::Algorithm::kEs256, jose::Algorithm::kEs384, jose::Algorithm::kEs512,
       jose::Algorithm::kEdDsa}};
  StoppedClock clock;

  Fixture() {
    for (std::string_view text : {kRsaJwk, kEcJwk, kOkpJwk, kOctJwk}) {
      auto key = jose::Jwk::Parse(text);
      QLRF_CHECK(key.has_value(), "the built-in fuzz keys are valid");
      keys.push_back(std::move(*key));
    }
  }
};

const Fixture& GetFixture() {
  static const Fixture fixture;
  return fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& f = GetFixture();
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  for (const jose::Jwk& key : f.keys) {
    (void)jose::VerifyCompact(input, key, f.all);
    (void)jose::VerifyCompactDetached(input, "detached", key, f.all);
  }
  // Through the verifier with a key set built from the fixed keys and claim rules.
  jose::StaticKeySource source(jose::JwkSet(std::vector<jose::Jwk>(f.keys)));
  jose::JwtVerifierOptions options;
  options.algorithms = f.all;
  options.claims.audience = "api";
  jose::JwtVerifier verifier(source, f.clock, options);
  (void)verifier.Verify(input);

  if (auto jwk = jose::Jwk::Parse(input)) {
    (void)jose::VerifyCompact(input, *jwk, f.all);
  }
  if (auto set = jose::JwkSet::Parse(input)) {
    for (const jose::Jwk& key : set->Keys()) {
      (void)set->Find(key.Kid());
    }
  }
  if (auto claims = qlrf::json::Parse(input); claims && claims->is_object()) {
    (void)jose::ValidateClaims(claims->get_object(), options.claims, f.clock.Now());
  }
  (void)jose::SignCompact(input, "payload", f.keys.back());
  return 0;
}
