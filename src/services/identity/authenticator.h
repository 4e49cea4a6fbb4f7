// Turns an Authorization header into a Principal: API keys ("Bearer qlrf_…"), our session
// tokens, or OIDC JWTs from the configured issuer; resolves the org (seed §7 order).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/random.h"
#include "common/result.h"
#include "services/context.h"
#include "services/identity/session_tokens.h"
#include "storage/database.h"

namespace qlrf::services {

// What an OIDC token says about its holder, after signature and claim checks.
struct OidcIdentity {
  std::string subject;
  std::string email;
  std::string org_claim;   // e.g. Clerk's "org_id"
  std::string role_claim;  // e.g. Clerk's "org_role" ("org:admin")
};

// Thread-safe.
class OidcVerifier {
 public:
  virtual ~OidcVerifier() = default;
  // Unauthenticated when the token is not valid for the configured issuer/audience.
  virtual Result<OidcIdentity> Verify(std::string_view token) = 0;
};

struct AuthenticatorOptions {
  bool dev_org_fallback = false;  // only with RF_ENV=development
  std::chrono::seconds cache_ttl{10};
  std::chrono::seconds touch_interval{60};  // api_keys.last_used_at write debounce
};

// Thread-safe. Caches positive lookups for cache_ttl; Invalidate() drops them after writes.
class Authenticator {
 public:
  Authenticator(storage::Database& db, const SessionTokens& sessions, OidcVerifier* oidc,
                const Clock& clock, Random& random, AuthenticatorOptions options);
  ~Authenticator();

  // Errors: Unauthenticated (missing, malformed, unknown, revoked, expired credentials, or no
  // org can be resolved); Unavailable when the database cannot be reached.
  Result<Principal> Authenticate(std::string_view authorization_header);
  void Invalidate();

  // The stored form of an API key.
  static std::string HashApiKey(std::string_view key);

 private:
  Result<Principal> FromApiKey(std::string_view key);
  Result<Principal> FromSession(std::string_view token);
  Result<Principal> FromOidc(std::string_view token);

  struct Cache;
  storage::Database& db_;
  const SessionTokens& sessions_;
  OidcVerifier* oidc_;
  const Clock& clock_;
  Random& random_;
  AuthenticatorOptions options_;
  std::unique_ptr<Cache> cache_;
};

// Maps an IdP role claim ("org:admin", "admin", "org:member") to one of our roles.
std::string MapOidcRole(std::string_view claim);

}  // namespace qlrf::services
