// Authenticator: API keys, session tokens and OIDC, with a short positive cache.
#include "services/identity/authenticator.h"

#include <unordered_map>

#include "common/crypto.h"
#include "common/mutex.h"
#include "services/identity/permissions.h"
#include "storage/identity_store.h"

namespace qlrf::services {

using storage::IdentityStore;
using storage::Transaction;

struct Authenticator::Cache {
  struct Entry {
    Principal principal;
    MonotonicTime expires;
  };
  Mutex mu;
  std::unordered_map<std::string, Entry> entries QLRF_GUARDED_BY(mu);
  std::unordered_map<std::string, MonotonicTime> touched QLRF_GUARDED_BY(mu);
};

Authenticator::Authenticator(storage::Database& db, const SessionTokens& sessions,
                             OidcVerifier* oidc, const Clock& clock, Random& random,
                             AuthenticatorOptions options)
    : db_(db),
      sessions_(sessions),
      oidc_(oidc),
      clock_(clock),
      random_(random),
      options_(options),
      cache_(std::make_unique<Cache>()) {}

Authenticator::~Authenticator() = default;

std::string Authenticator::HashApiKey(std::string_view key) { return crypto::Sha256Hex(key); }

void Authenticator::Invalidate() {
  MutexLock lock(&cache_->mu);
  cache_->entries.clear();
}

Result<Principal> Authenticator::Authenticate(std::string_view header) {
  if (header.empty()) {
    return Fail(Unauthenticated("missing Authorization header"));
  }
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() ||
      !std::equal(kBearer.begin(), kBearer.end(), header.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
      })) {
    return Fail(Unauthenticated("Authorization must be 'Bearer <token>'"));
  }
  std::string_view token = header.substr(kBearer.size());
  if (token.size() > 8192) {
    return Fail(Unauthenticated("token too long"));
  }
  std::string cache_key(token);
  MonotonicTime now = clock_.Monotonic();
  {
    MutexLock lock(&cache_->mu);
    auto it = cache_->entries.find(cache_key);
    if (it != cache_->entries.end() && it->second.expires > now) {
      return it->second.principal;
    }
  }
  Result<Principal> p = Fail(Unauthenticated("unrecognised credentials"));
  if (token.rfind("qlrf_", 0) == 0) {
    p = FromApiKey(token);
  } else if (SessionTokens::LooksLikeSession(token)) {
    p = FromSession(token);
  } else if (oidc_ != nullptr) {
    p = FromOidc(token);
  } else {
    p =
        Fail(Unauthenticated("token is neither an API key nor a qlrf session token, and no "
                             "OIDC issuer is configured"));
  }
  if (p) {
    MutexLock lock(&cache_->mu);
    if (cache_->entries.size() > 100000) {
      cache_->entries.clear();  // bound memory under credential-stuffing
    }
    cache_->entries[cache_key] = Cache::Entry{*p, now + options_.cache_ttl};
  }
  return p;
}

Result<Principal> Authenticator::FromApiKey(std::string_view key) {
  std::string hash = HashApiKey(key);
  SystemTime now = clock_.Now();
  std::string now_text = FormatTime(now);
  auto found = storage::WithRead(db_, "", [&](Transaction& tx) -> Result<Principal> {
    QLRF_ASSIGN_OR_RETURN(auto rec, IdentityStore::FindApiKeyByHash(tx, hash));
    if (!rec) {
      return Fail(Unauthenticated("unknown API key"));
    }
    if (rec->revoked_at) {
      return Fail(Unauthenticated("API key has been revoked"));
    }
    if (rec->expires_at && *rec->expires_at <= now_text) {
      return Fail(Unauthenticated("API key has expired"));
    }
    QLRF_ASSIGN_OR_RETURN(auto org, IdentityStore::FindOrgById(tx, rec->org_id));
    if (!org) {
      return Fail(Unauthenticated("API key's organization no longer exists"));
    }
    Principal p;
    p.kind = PrincipalKind::kApiKey;
    p.id = rec->id;
    p.org_id = rec->org_id;
    p.org_slug = org->slug;
    p.role = rec->role;
    p.auth_method = "api_key";
    return p;
  });
  if (!found) {
    return found;
  }
  bool touch = false;
  {
    MonotonicTime mono = clock_.Monotonic();
    MutexLock lock(&cache_->mu);
    auto& last = cache_->touched[found->id];
    if (last == MonotonicTime{} || mono - last >= options_.touch_interval) {
      last = mono;
      touch = true;
    }
  }
  if (touch) {
    // Best effort: a failed last-used write must not fail the request.
    (void)storage::WithWrite(db_, "", [&](Transaction& tx) {
      return IdentityStore::TouchApiKey(tx, found->id, now_text);
    });
  }
  return found;
}

Result<Principal> Authenticator::FromSession(std::string_view token) {
  QLRF_ASSIGN_OR_RETURN(auto claims, sessions_.Verify(token));
  return storage::WithRead(db_, "", [&](Transaction& tx) -> Result<Principal> {
    QLRF_ASSIGN_OR_RETURN(auto user, IdentityStore::FindUserById(tx, claims.user_id));
    if (!user || user->disabled) {
      return Fail(Unauthenticated("user no longer exists or is disabled"));
    }
    QLRF_ASSIGN_OR_RETURN(auto orgs, IdentityStore::OrgsOfUser(tx, claims.user_id));
    for (const auto& [org, role] : orgs) {
      if (org.id == claims.org_id) {
        Principal p;
        p.kind = PrincipalKind::kUser;
        p.id = user->id;
        p.org_id = org.id;
        p.org_slug = org.slug;
        p.role = role;  // the current role, not the one at login
        p.email = user->email;
        p.auth_method = "session";
        return p;
      }
    }
    return Fail(Unauthenticated("user is no longer a member of the session's organization"));
  });
}

std::string MapOidcRole(std::string_view claim) {
  std::string_view r = claim;
  if (r.rfind("org:", 0) == 0) {
    r.remove_prefix(4);
  }
  if (IsValidRole(r)) {
    return std::string(r);
  }
  return "viewer";  // "member", "basic_member" and unknown roles get least privilege
}

Result<Principal> Authenticator::FromOidc(std::string_view token) {
  QLRF_ASSIGN_OR_RETURN(auto id, oidc_->Verify(token));
  if (id.subject.empty()) {
    return Fail(Unauthenticated("OIDC token has no subject"));
  }
  std::string now = FormatTime(clock_.Now());
  return storage::WithWrite(db_, "", [&](Transaction& tx) -> Result<Principal> {
    QLRF_ASSIGN_OR_RETURN(auto user, IdentityStore::FindUserByExternalId(tx, id.subject));
    std::optional<storage::Org> org;
    std::string role;
    // 1. The user's organization (from an existing membership; the org claim picks among them).
    if (user) {
      QLRF_ASSIGN_OR_RETURN(auto orgs, IdentityStore::OrgsOfUser(tx, user->id));
      for (const auto& [o, r] : orgs) {
        if (id.org_claim.empty() || o.id == id.org_claim ||
            (o.external_id && *o.external_id == id.org_claim)) {
          org = o;
          role = r;
          break;
        }
      }
    }
    // 2. The claim names one of our org ids; 3. the claim is an org's external id.
    if (!org && !id.org_claim.empty()) {
      QLRF_ASSIGN_OR_RETURN(org, IdentityStore::FindOrgById(tx, id.org_claim));
      if (!org) {
        QLRF_ASSIGN_OR_RETURN(org, IdentityStore::FindOrgByExternalId(tx, id.org_claim));
      }
    }
    // 4. Development only: the first org.
    if (!org && options_.dev_org_fallback) {
      QLRF_ASSIGN_OR_RETURN(org, IdentityStore::FirstOrg(tx));
    }
    if (!org) {
      return Fail(Unauthenticated("no organization could be resolved for this identity"));
    }
    if (!user) {
      storage::User u;
      u.id = NewUuid(random_);
      u.email = id.email.empty() ? id.subject + "@oidc.invalid" : id.email;
      u.external_id = id.subject;
      u.created_at = u.updated_at = now;
      QLRF_TRY(IdentityStore::CreateUser(tx, u));
      user = u;
    }
    if (role.empty()) {
      role = MapOidcRole(id.role_claim);
      QLRF_TRY(IdentityStore::AddMember(
          tx, storage::Membership{org->id, user->id, role, now, now, "", ""}));
    }
    Principal p;
    p.kind = PrincipalKind::kUser;
    p.id = user->id;
    p.org_id = org->id;
    p.org_slug = org->slug;
    p.role = role;
    p.email = user->email;
    p.auth_method = "oidc";
    return p;
  });
}

}  // namespace qlrf::services
