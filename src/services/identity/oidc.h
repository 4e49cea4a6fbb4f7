// OIDC for the Authenticator: JWTs from an external issuer (Clerk, Keycloak, Auth0, Entra…)
// verified against the issuer's JWKS fetched over HTTP, with a key cache and rotation.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/http_client/http_client.h"
#include "common/jose/jose.h"
#include "services/identity/authenticator.h"

namespace qlrf::services {

struct OidcOptions {
  std::string issuer;                   // required; "iss" must equal it
  std::string audience;                 // optional; "aud" must contain it when set
  std::string jwks_url;                 // default: <issuer>/.well-known/jwks.json
  std::string org_claim = "org_id";     // Clerk v1; Clerk v2's {"o":{"id"}} is also read
  std::string role_claim = "org_role";  // Clerk v1; Clerk v2's {"o":{"rol"}} is also read
  std::chrono::seconds cache_ttl{600};
  std::chrono::seconds leeway{60};
};

// JWKS over HTTP with a TTL cache. On a failed refresh it keeps serving the cached keys (an IdP
// outage must not log everybody out) and reports Unavailable only when it has none. Thread-safe.
class HttpJwksKeySource final : public jose::KeySource {
 public:
  HttpJwksKeySource(HttpClient& http, const Clock& clock, std::string url,
                    std::chrono::seconds ttl);
  ~HttpJwksKeySource() override;
  Result<std::shared_ptr<const jose::JwkSet>> Keys(bool force_refresh) override;
  int64_t fetches() const;

 private:
  struct State;
  HttpClient& http_;
  const Clock& clock_;
  std::string url_;
  std::chrono::seconds ttl_;
  std::unique_ptr<State> state_;
};

// Thread-safe.
class JoseOidcVerifier final : public OidcVerifier {
 public:
  JoseOidcVerifier(jose::KeySource& keys, const Clock& clock, OidcOptions options);
  Result<OidcIdentity> Verify(std::string_view token) override;

 private:
  OidcOptions options_;
  jose::JwtVerifier verifier_;
};

// Clerk publishable keys ("pk_live_<base64 of 'clerk.example.com$'>") encode the Frontend API
// host, which is the issuer of Clerk's session tokens. InvalidArgument otherwise.
Result<std::string> ClerkIssuerFromPublishableKey(std::string_view key);

// Default JWKS location for an issuer.
std::string DefaultJwksUrl(std::string_view issuer);

}  // namespace qlrf::services
