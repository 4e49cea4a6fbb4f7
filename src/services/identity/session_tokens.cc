// HS256 session tokens.
#include "services/identity/session_tokens.h"

#include <boost/json.hpp>

#include "common/crypto.h"
#include "common/json.h"

namespace qlrf::services {
namespace {

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

Result<boost::json::object> PayloadOf(std::string_view token) {
  auto d1 = token.find('.');
  auto d2 = token.rfind('.');
  if (d1 == std::string_view::npos || d1 == d2) {
    return Fail(Unauthenticated("malformed token"));
  }
  auto raw = crypto::Base64UrlDecode(token.substr(d1 + 1, d2 - d1 - 1));
  if (!raw) {
    return Fail(Unauthenticated("malformed token"));
  }
  auto v = json::Parse(crypto::AsString(*raw));
  if (!v || !v->is_object()) {
    return Fail(Unauthenticated("malformed token"));
  }
  return std::move(v->as_object());
}

}  // namespace

std::string SessionTokens::Issue(std::string_view user_id, std::string_view org_id,
                                 std::string_view role) const {
  int64_t now = UnixSeconds(clock_.Now());
  boost::json::object claims{
      {"iss", "qlrf"}, {"typ", "session"}, {"sub", user_id},           {"org", org_id},
      {"role", role},  {"iat", now},       {"exp", now + ttl_seconds_}};
  std::string input =
      crypto::Base64UrlEncode(kHeader) + "." + crypto::Base64UrlEncode(json::Serialize(claims));
  std::string sig = crypto::Base64UrlEncode(crypto::HmacSha256(secret_, input));
  return input + "." + sig;
}

Result<SessionClaims> SessionTokens::Verify(std::string_view token) const {
  auto d2 = token.rfind('.');
  if (d2 == std::string_view::npos) {
    return Fail(Unauthenticated("malformed token"));
  }
  std::string_view input = token.substr(0, d2);
  if (input.substr(0, input.find('.')) != crypto::Base64UrlEncode(kHeader)) {
    return Fail(Unauthenticated("unsupported session token header"));
  }
  std::string expected = crypto::Base64UrlEncode(crypto::HmacSha256(secret_, input));
  if (!crypto::ConstantTimeEquals(expected, token.substr(d2 + 1))) {
    return Fail(Unauthenticated("invalid session token signature"));
  }
  QLRF_ASSIGN_OR_RETURN(auto payload, PayloadOf(token));
  auto str = [&](std::string_view k) -> std::string {
    const auto* v = payload.if_contains(k);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  auto num = [&](std::string_view k) -> int64_t {
    const auto* v = payload.if_contains(k);
    return v != nullptr && v->is_int64() ? v->get_int64() : 0;
  };
  if (str("iss") != "qlrf" || str("typ") != "session") {
    return Fail(Unauthenticated("not a session token"));
  }
  SessionClaims c{str("sub"), str("org"), str("role"), num("iat"), num("exp")};
  if (c.user_id.empty() || c.org_id.empty() || c.expires_at == 0) {
    return Fail(Unauthenticated("session token is missing claims"));
  }
  if (UnixSeconds(clock_.Now()) >= c.expires_at) {
    return Fail(Unauthenticated("session token expired"));
  }
  return c;
}

bool SessionTokens::LooksLikeSession(std::string_view token) {
  auto payload = PayloadOf(token);
  if (!payload) {
    return false;
  }
  const auto* iss = payload->if_contains("iss");
  return iss != nullptr && iss->is_string() && iss->get_string() == "qlrf";
}

}  // namespace qlrf::services
