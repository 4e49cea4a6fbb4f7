// ErrorCode → HTTP status and error rendering.
#include "api/error_mapping.h"

#include "common/json.h"

namespace qlrf::api {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kAborted:
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kUnimplemented:
      return 501;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kDeadlineExceeded:
      return 504;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

std::string ErrorBody(std::string_view code, std::string_view message,
                      std::string_view request_id) {
  std::string out = R"({"error":{"code":)";
  json::AppendQuoted(out, code);
  out += R"(,"message":)";
  json::AppendQuoted(out, message);
  out += R"(,"request_id":)";
  json::AppendQuoted(out, request_id);
  out += "}}";
  return out;
}

std::string ErrorBody(const Error& error, std::string_view request_id) {
  if (error.code == ErrorCode::kInternal) {
    return ErrorBody("internal", "internal error; see the server log for this request id",
                     request_id);
  }
  std::string out = R"({"error":{"code":)";
  json::AppendQuoted(out, ErrorCodeName(error.code));
  out += R"(,"message":)";
  json::AppendQuoted(out, error.message);
  if (!error.details.empty()) {
    out += R"(,"details":{)";
    bool first = true;
    for (const auto& [k, v] : error.details) {
      if (!first) {
        out += ',';
      }
      first = false;
      json::AppendQuoted(out, k);
      out += ':';
      json::AppendQuoted(out, v);
    }
    out += '}';
  }
  out += R"(,"request_id":)";
  json::AppendQuoted(out, request_id);
  out += "}}";
  return out;
}

}  // namespace qlrf::api
