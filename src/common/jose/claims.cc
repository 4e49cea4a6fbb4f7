// JWT registered-claim validation (RFC 7519 §4.1) against an injected time.
#include "common/jose/jose.h"

#include <cmath>
#include <initializer_list>
#include <optional>

#include <boost/json.hpp>

namespace qlrf::jose {
namespace {

// A NumericDate (seconds since the epoch, possibly fractional), nullopt when absent.
Result<std::optional<double>> NumericDate(const boost::json::object& claims,
                                          std::string_view name) {
  const boost::json::value* v = claims.if_contains(name);
  if (v == nullptr) {
    return std::optional<double>();
  }
  double seconds = 0;
  if (v->is_int64()) {
    seconds = static_cast<double>(v->get_int64());
  } else if (v->is_uint64()) {
    seconds = static_cast<double>(v->get_uint64());
  } else if (v->is_double() && std::isfinite(v->get_double())) {
    seconds = v->get_double();
  } else {
    return Fail(Unauthenticated(std::string(name) + " is not a numeric date"));
  }
  return std::optional<double>(seconds);
}

Status CheckIssuer(const boost::json::object& claims, const std::string& expected) {
  const boost::json::value* iss = claims.if_contains("iss");
  if (iss == nullptr || !iss->is_string() || iss->get_string() != expected) {
    return Fail(Unauthenticated("issuer mismatch"));
  }
  return Ok();
}

Status CheckAudience(const boost::json::object& claims, const std::string& expected) {
  const boost::json::value* aud = claims.if_contains("aud");
  if (aud != nullptr && aud->is_string() && aud->get_string() == expected) {
    return Ok();
  }
  if (aud != nullptr && aud->is_array()) {
    for (const boost::json::value& entry : aud->get_array()) {
      if (entry.is_string() && entry.get_string() == expected) {
        return Ok();
      }
    }
  }
  return Fail(Unauthenticated("audience mismatch"));
}

}  // namespace

Status ValidateClaims(const boost::json::object& claims, const ClaimRules& rules, SystemTime now) {
  const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
  const auto leeway = static_cast<double>(rules.leeway.count());

  QLRF_ASSIGN_OR_RETURN(std::optional<double> exp, NumericDate(claims, "exp"));
  QLRF_ASSIGN_OR_RETURN(std::optional<double> nbf, NumericDate(claims, "nbf"));
  QLRF_ASSIGN_OR_RETURN(std::optional<double> iat, NumericDate(claims, "iat"));
  for (std::string_view name : {"sub", "iss"}) {
    const boost::json::value* v = claims.if_contains(name);
    if (v != nullptr && !v->is_string()) {
      return Fail(Unauthenticated(std::string(name) + " is not a string"));
    }
  }
  if (const boost::json::value* aud = claims.if_contains("aud"); aud != nullptr) {
    bool ok = aud->is_string() || aud->is_array();
    if (aud->is_array()) {
      for (const boost::json::value& entry : aud->get_array()) {
        ok = ok && entry.is_string();
      }
    }
    if (!ok) {
      return Fail(Unauthenticated("aud is not a string or array of strings"));
    }
  }
  if (!exp && rules.require_exp) {
    return Fail(Unauthenticated("missing exp"));
  }
  // RFC 7519 §4.1.4: the current time must be before exp; leeway stretches that.
  if (exp && now_s >= *exp + leeway) {
    return Fail(Unauthenticated("token expired"));
  }
  if (nbf && now_s < *nbf - leeway) {
    return Fail(Unauthenticated("token not yet valid"));
  }
  if (iat && *iat > now_s + leeway) {
    return Fail(Unauthenticated("token issued in the future"));
  }
  if (rules.issuer) {
    QLRF_TRY(CheckIssuer(claims, *rules.issuer));
  }
  if (rules.audience) {
    QLRF_TRY(CheckAudience(claims, *rules.audience));
  }
  return Ok();
}

}  // namespace qlrf::jose
