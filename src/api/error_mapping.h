// The one table from ErrorCode to HTTP status, and the JSON error body.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace qlrf::api {

int HttpStatusFor(ErrorCode code);
// {"error":{"code":…,"message":…,"details":{…}}}. Internal errors show only the request id.
std::string ErrorBody(const Error& error, std::string_view request_id);
// For HTTP-level failures that have no ErrorCode (405, 415, 413): explicit code text.
std::string ErrorBody(std::string_view code, std::string_view message, std::string_view request_id);

}  // namespace qlrf::api
