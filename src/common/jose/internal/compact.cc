// Compact JWS splitting and protected-header checks (RFC 7515 §4, §5.2, §7.1; RFC 7797 §6).
#include "common/jose/internal/compact.h"

#include <cctype>

#include <boost/json.hpp>

#include "common/json.h"

namespace qlrf::jose::internal {
namespace {

Error Malformed(std::string_view why) {
  return Unauthenticated("malformed token: " + std::string(why));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

Result<Algorithm> ReadAlg(const boost::json::object& header) {
  const boost::json::value* alg = header.if_contains("alg");
  if (alg == nullptr) {
    return Fail(Malformed("missing alg"));
  }
  if (!alg->is_string()) {
    return Fail(Malformed("alg is not a string"));
  }
  std::string_view name = alg->get_string();
  if (EqualsIgnoreCase(name, "none")) {
    return Fail(Unauthenticated("alg none is not accepted"));
  }
  std::optional<Algorithm> parsed = AlgorithmFromName(name);
  if (!parsed) {
    return Fail(Unauthenticated("unsupported alg '" + std::string(name) + "'"));
  }
  return *parsed;
}

// We implement no JWS extensions. "b64" is understood only to the point of rejecting false
// (unencoded payloads change what is signed, RFC 7797), so crit may name b64 and nothing else.
Status CheckExtensions(const boost::json::object& header) {
  if (const boost::json::value* b64 = header.if_contains("b64")) {
    if (!b64->is_bool()) {
      return Fail(Malformed("b64 is not a boolean"));
    }
    if (!b64->get_bool()) {
      return Fail(Unauthenticated("unencoded payload (b64:false) is not supported"));
    }
  }
  const boost::json::value* crit = header.if_contains("crit");
  if (crit == nullptr) {
    return Ok();
  }
  if (!crit->is_array() || crit->get_array().empty()) {
    return Fail(Malformed("crit is not a non-empty array"));
  }
  for (const boost::json::value& name : crit->get_array()) {
    if (!name.is_string()) {
      return Fail(Malformed("crit entry is not a string"));
    }
    if (name.get_string() != "b64" || !header.contains("b64")) {
      return Fail(
          Unauthenticated("unsupported critical header '" + std::string(name.get_string()) + "'"));
    }
  }
  return Ok();
}

}  // namespace

Result<CompactJws> ParseCompact(std::string_view token) {
  if (token.size() > kMaxTokenBytes) {
    return Fail(Malformed("larger than " + std::to_string(kMaxTokenBytes) + " bytes"));
  }
  if (!token.empty() && token.front() == '{') {
    return Fail(Unauthenticated("JWS JSON serialization is not supported"));
  }
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Fail(Malformed("expected three dot-separated parts"));
  }
  std::string_view header_b64 = token.substr(0, dot1);
  std::string_view signature_b64 = token.substr(dot2 + 1);
  if (header_b64.empty()) {
    return Fail(Malformed("empty header"));
  }
  if (signature_b64.empty()) {
    return Fail(Malformed("empty signature"));
  }

  CompactJws jws;
  jws.signing_input = token.substr(0, dot2);
  jws.payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  auto header_bytes = crypto::Base64UrlDecode(header_b64);
  if (!header_bytes) {
    return Fail(Malformed("header is not base64url"));
  }
  // Boost.JSON keeps the last of duplicate members, which RFC 7515 §4 permits.
  auto header = json::Parse(crypto::AsString(*header_bytes));
  if (!header || !header->is_object()) {
    return Fail(Malformed("header is not a JSON object"));
  }
  jws.header = std::move(header->get_object());
  QLRF_ASSIGN_OR_RETURN(jws.alg, ReadAlg(jws.header));
  if (const boost::json::value* kid = jws.header.if_contains("kid")) {
    if (!kid->is_string()) {
      return Fail(Malformed("kid is not a string"));
    }
    jws.kid = std::string(kid->get_string());
  }
  QLRF_TRY(CheckExtensions(jws.header));
  auto signature = crypto::Base64UrlDecode(signature_b64);
  if (!signature) {
    return Fail(Malformed("signature is not base64url"));
  }
  jws.signature = std::move(*signature);
  return jws;
}

std::optional<Algorithm> AlgorithmOfKey(const Jwk& key) {
  if (key.Alg() == "ES521") {
    return Algorithm::kEs512;
  }
  return AlgorithmFromName(key.Alg());
}

}  // namespace qlrf::jose::internal
