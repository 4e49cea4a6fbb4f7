// Error names and formatting.
#include "common/error.h"

namespace qlrf {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kPermissionDenied:
      return "permission_denied";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kAlreadyExists:
      return "already_exists";
    case ErrorCode::kAborted:
      return "aborted";
    case ErrorCode::kFailedPrecondition:
      return "failed_precondition";
    case ErrorCode::kResourceExhausted:
      return "resource_exhausted";
    case ErrorCode::kUnimplemented:
      return "unimplemented";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kDeadlineExceeded:
      return "deadline_exceeded";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

std::string_view Error::Detail(std::string_view key) const {
  for (const auto& [k, v] : details) {
    if (k == key) {
      return v;
    }
  }
  return {};
}

std::string Error::ToString() const {
  std::string out(ErrorCodeName(code));
  out += ": ";
  out += message;
  if (!details.empty()) {
    out += " (";
    bool first = true;
    for (const auto& [k, v] : details) {
      if (!first) {
        out += ", ";
      }
      first = false;
      out += k;
      out += '=';
      out += v;
    }
    out += ')';
  }
  return out;
}

}  // namespace qlrf
