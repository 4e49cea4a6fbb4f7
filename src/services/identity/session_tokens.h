// Short-lived session tokens for local users: compact JWS (HS256) signed with the installation
// secret, claims {iss:"qlrf", typ:"session", sub, org, role, iat, exp}.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"

namespace qlrf::services {

struct SessionClaims {
  std::string user_id;
  std::string org_id;
  std::string role;
  int64_t issued_at = 0;
  int64_t expires_at = 0;
};

// Immutable after construction; thread-safe.
class SessionTokens {
 public:
  SessionTokens(std::string secret, int ttl_seconds, const Clock& clock)
      : secret_(std::move(secret)), ttl_seconds_(ttl_seconds), clock_(clock) {}

  std::string Issue(std::string_view user_id, std::string_view org_id, std::string_view role) const;
  // Unauthenticated on a bad signature, wrong type, or expiry (no leeway: we issued it).
  Result<SessionClaims> Verify(std::string_view token) const;
  int ttl_seconds() const { return ttl_seconds_; }

  // True when `token` looks like one of ours (its payload says iss "qlrf"), without verifying.
  static bool LooksLikeSession(std::string_view token);

 private:
  std::string secret_;
  int ttl_seconds_;
  const Clock& clock_;
};

}  // namespace qlrf::services
