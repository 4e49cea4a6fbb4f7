// OPA error codes on qlrf::Error.
#include "engines/policy/internal/errors.h"

namespace qlrf::policy::internal {

Error RegoError(std::string_view code, std::string message, std::string_view file, int row,
                int col) {
  ErrorCode canonical = ErrorCode::kInvalidArgument;
  if (code == kCancelError) {
    canonical = ErrorCode::kResourceExhausted;
  } else if (code == kConflictError) {
    canonical = ErrorCode::kFailedPrecondition;
  } else if (code == kInternalError) {
    canonical = ErrorCode::kInternal;
  }
  Error e(canonical, std::move(message));
  e.details.emplace_back("rego_code", std::string(code));
  if (!file.empty()) {
    e.details.emplace_back("file", std::string(file));
  }
  if (row > 0) {
    e.details.emplace_back("row", std::to_string(row));
    e.details.emplace_back("col", std::to_string(col));
  }
  return e;
}

}  // namespace qlrf::policy::internal
