// Error: a canonical code, a message and optional details; the one error type of the project.
// Codes follow absl::StatusCode; api/error_mapping.cc is the one table that maps them to HTTP.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qlrf {

enum class ErrorCode {
  kInvalidArgument,     // the caller sent something wrong; retrying the same call fails again
  kUnauthenticated,     // no or bad credentials
  kPermissionDenied,    // authenticated, but not allowed
  kNotFound,            // the named entity does not exist (or belongs to another org)
  kAlreadyExists,       // a create collided with an existing entity
  kAborted,             // concurrency conflict; the caller may retry the whole operation
  kFailedPrecondition,  // the system is not in the state the operation needs
  kResourceExhausted,   // quota or rate limit
  kUnimplemented,
  kUnavailable,  // transient; retry with backoff
  kDeadlineExceeded,
  kInternal,  // a bug or broken invariant; message goes to the log only
};

// Stable snake_case name used on the wire ("invalid_argument").
std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // Machine-readable context, e.g. {"field", "scope.environment"}; rendered as a JSON object.
  std::vector<std::pair<std::string, std::string>> details;

  Error() = default;
  Error(ErrorCode c, std::string msg) : code(c), message(std::move(msg)) {}

  Error&& With(std::string key, std::string value) && {
    details.emplace_back(std::move(key), std::move(value));
    return std::move(*this);
  }
  // Returns the detail value for `key`, or empty.
  std::string_view Detail(std::string_view key) const;
  // "invalid_argument: message (field=x)" for logs and CLI output.
  std::string ToString() const;
};

inline Error InvalidArgument(std::string msg) {
  return {ErrorCode::kInvalidArgument, std::move(msg)};
}
inline Error NotFound(std::string msg) { return {ErrorCode::kNotFound, std::move(msg)}; }
inline Error AlreadyExists(std::string msg) { return {ErrorCode::kAlreadyExists, std::move(msg)}; }
inline Error PermissionDenied(std::string msg) {
  return {ErrorCode::kPermissionDenied, std::move(msg)};
}
inline Error Unauthenticated(std::string msg) {
  return {ErrorCode::kUnauthenticated, std::move(msg)};
}
inline Error FailedPrecondition(std::string msg) {
  return {ErrorCode::kFailedPrecondition, std::move(msg)};
}
inline Error Unavailable(std::string msg) { return {ErrorCode::kUnavailable, std::move(msg)}; }
inline Error Internal(std::string msg) { return {ErrorCode::kInternal, std::move(msg)}; }
inline Error Unimplemented(std::string msg) { return {ErrorCode::kUnimplemented, std::move(msg)}; }
inline Error ResourceExhausted(std::string msg) {
  return {ErrorCode::kResourceExhausted, std::move(msg)};
}
inline Error Aborted(std::string msg) { return {ErrorCode::kAborted, std::move(msg)}; }

// Field-level validation error: InvalidArgument with details {"field": field}.
inline Error FieldError(std::string field, std::string msg) {
  return InvalidArgument(std::move(msg)).With("field", std::move(field));
}

}  // namespace qlrf
