// Response head serialisation and the server's own error responses.
#include "api/http/internal/response_head.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>

#include <array>
#include <charconv>

#include "common/json.h"

namespace qlrf::http::internal {

namespace {

namespace beast = boost::beast;

bool IsSafeHeader(const Header& h) {
  if (h.name.empty()) {
    return false;
  }
  for (char c : h.name) {
    if (c == '\r' || c == '\n' || c == '\0' || c == ':' || c == ' ' || c == '\t') {
      return false;
    }
  }
  return h.value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos;
}

// Headers the server writes itself, from the body and the connection state.
bool IsServerOwned(std::string_view name) {
  return beast::iequals(name, "content-length") || beast::iequals(name, "connection") ||
         beast::iequals(name, "transfer-encoding");
}

void AppendNumber(std::string* out, size_t n) {
  std::array<char, 24> digits;
  auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), n);
  out->append(digits.data(), end);
}

}  // namespace

bool IsBodiless(int status) { return status < 200 || status == 204 || status == 304; }

bool AsksToClose(const Response& response) {
  for (const Header& h : response.headers) {
    if (beast::iequals(h.name, "connection") && beast::iequals(h.value, "close")) {
      return true;
    }
  }
  return false;
}

void SerializeHead(const Response& response, bool keep_alive, std::string* out) {
  out->clear();
  out->append("HTTP/1.1 ");
  AppendNumber(out, static_cast<size_t>(response.status));
  out->push_back(' ');
  auto status = beast::http::int_to_status(static_cast<unsigned>(response.status));
  if (status != beast::http::status::unknown) {
    beast::string_view reason = beast::http::obsolete_reason(status);
    out->append(reason.data(), reason.size());
  }
  out->append("\r\n");
  const bool bodiless = IsBodiless(response.status);
  if (!bodiless && !response.content_type.empty() &&
      response.content_type.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos) {
    out->append("Content-Type: ");
    out->append(response.content_type);
    out->append("\r\n");
  }
  for (const Header& h : response.headers) {
    if (IsSafeHeader(h) && !IsServerOwned(h.name)) {
      out->append(h.name);
      out->append(": ");
      out->append(h.value);
      out->append("\r\n");
    }
  }
  if (!bodiless) {
    out->append("Content-Length: ");
    AppendNumber(out, response.body.size());
    out->append("\r\n");
  }
  out->append(keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
}

Response ErrorResponse(int status, std::string_view code, std::string_view message) {
  Response r;
  r.status = status;
  r.body.reserve(48 + code.size() + message.size());
  r.body.append(R"({"error":{"code":)");
  json::AppendQuoted(r.body, code);
  r.body.append(R"(,"message":)");
  json::AppendQuoted(r.body, message);
  r.body.append("}}");
  return r;
}

}  // namespace qlrf::http::internal
