// OIDC verification on top of the JOSE module.
#include "services/identity/oidc.h"

#include <boost/json.hpp>

#include "common/crypto.h"
#include "common/mutex.h"

namespace qlrf::services {

Result<std::string> ClerkIssuerFromPublishableKey(std::string_view key) {
  auto bad = [] {
    return Fail(FieldError("RF_CLERK_PUBLISHABLE_KEY", "is not a Clerk publishable key"));
  };
  for (std::string_view prefix : {"pk_live_", "pk_test_"}) {
    if (key.substr(0, prefix.size()) == prefix) {
      std::string b64(key.substr(prefix.size()));
      while (b64.size() % 4 != 0) {
        b64 += '=';
      }
      auto host = crypto::Base64Decode(b64);
      if (!host) {
        return bad();
      }
      std::string h(crypto::AsString(*host));
      if (h.empty() || h.back() != '$') {
        return bad();
      }
      h.pop_back();
      return "https://" + h;
    }
  }
  return bad();
}

std::string DefaultJwksUrl(std::string_view issuer) {
  std::string url(issuer);
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  return url + "/.well-known/jwks.json";
}

struct HttpJwksKeySource::State {
  Mutex mu;
  std::shared_ptr<const jose::JwkSet> keys QLRF_GUARDED_BY(mu);
  MonotonicTime fetched_at QLRF_GUARDED_BY(mu){};
  int64_t fetches QLRF_GUARDED_BY(mu) = 0;
};

HttpJwksKeySource::HttpJwksKeySource(HttpClient& http, const Clock& clock, std::string url,
                                     std::chrono::seconds ttl)
    : http_(http),
      clock_(clock),
      url_(std::move(url)),
      ttl_(ttl),
      state_(std::make_unique<State>()) {}

HttpJwksKeySource::~HttpJwksKeySource() = default;

int64_t HttpJwksKeySource::fetches() const {
  MutexLock lock(&state_->mu);
  return state_->fetches;
}

Result<std::shared_ptr<const jose::JwkSet>> HttpJwksKeySource::Keys(bool force_refresh) {
  MonotonicTime now = clock_.Monotonic();
  std::shared_ptr<const jose::JwkSet> cached;
  {
    MutexLock lock(&state_->mu);
    cached = state_->keys;
    if (cached && !force_refresh && now - state_->fetched_at < ttl_) {
      return cached;
    }
  }
  // Fetch outside the lock; concurrent refreshes are harmless (the last one wins).
  HttpClientRequest req;
  req.url = url_;
  req.headers.emplace_back("Accept", "application/json");
  req.timeout = std::chrono::milliseconds(5000);
  auto resp = http_.Send(req);
  Result<jose::JwkSet> parsed = Fail(Unavailable("JWKS not fetched"));
  if (!resp) {
    parsed = Fail(Unavailable("JWKS fetch from " + url_ + " failed: " + resp.error().message));
  } else if (resp->status != 200) {
    parsed = Fail(
        Unavailable("JWKS fetch from " + url_ + " returned HTTP " + std::to_string(resp->status)));
  } else {
    parsed = jose::JwkSet::Parse(resp->body);
  }
  MutexLock lock(&state_->mu);
  ++state_->fetches;
  if (!parsed) {
    if (state_->keys) {
      return state_->keys;  // stale but usable
    }
    return Fail(Unavailable(parsed.error().message));
  }
  state_->keys = std::make_shared<const jose::JwkSet>(std::move(*parsed));
  state_->fetched_at = now;
  return state_->keys;
}

namespace {

jose::JwtVerifierOptions VerifierOptions(const OidcOptions& o) {
  jose::JwtVerifierOptions v;
  // Asymmetric algorithms only: an HMAC "signed" with the public key is the classic confusion.
  v.algorithms.allowed = {jose::Algorithm::kRs256, jose::Algorithm::kRs384, jose::Algorithm::kRs512,
                          jose::Algorithm::kPs256, jose::Algorithm::kPs384, jose::Algorithm::kPs512,
                          jose::Algorithm::kEs256, jose::Algorithm::kEs384, jose::Algorithm::kEs512,
                          jose::Algorithm::kEdDsa};
  v.claims.issuer = o.issuer;
  if (!o.audience.empty()) {
    v.claims.audience = o.audience;
  }
  v.claims.require_exp = true;
  v.claims.leeway = o.leeway;
  return v;
}

std::string StringClaim(const boost::json::object& claims, std::string_view name) {
  const auto* v = claims.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

JoseOidcVerifier::JoseOidcVerifier(jose::KeySource& keys, const Clock& clock, OidcOptions options)
    : options_(std::move(options)), verifier_(keys, clock, VerifierOptions(options_)) {}

Result<OidcIdentity> JoseOidcVerifier::Verify(std::string_view token) {
  QLRF_ASSIGN_OR_RETURN(auto jwt, verifier_.Verify(token));
  OidcIdentity id;
  id.subject = jwt.subject;
  id.email = StringClaim(jwt.claims, "email");
  id.org_claim = StringClaim(jwt.claims, options_.org_claim);
  id.role_claim = StringClaim(jwt.claims, options_.role_claim);
  // Clerk session tokens v2 carry the active organization as {"o":{"id":…,"rol":…}}.
  if (const auto* o = jwt.claims.if_contains("o"); o != nullptr && o->is_object()) {
    if (id.org_claim.empty()) {
      id.org_claim = StringClaim(o->as_object(), "id");
    }
    if (id.role_claim.empty()) {
      id.role_claim = StringClaim(o->as_object(), "rol");
    }
  }
  return id;
}

}  // namespace qlrf::services
