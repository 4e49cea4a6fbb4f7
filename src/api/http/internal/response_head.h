// Response serialisation for the server: status line and headers, and the JSON error bodies the
// server sends on its own.
#pragma once

#include <string>
#include <string_view>

#include "api/http/server.h"

namespace qlrf::http::internal {

// True for statuses that never carry a body (1xx, 204, 304).
bool IsBodiless(int status);

// True if the extra headers hold "Connection: close".
bool AsksToClose(const Response& response);

// Replaces *out with the response head: status line, Content-Type, the extra headers (minus the
// ones the server owns or that would break framing), Content-Length, Connection. `out` is an
// output parameter so a connection reuses one buffer for every response. `status` must be in
// [100, 999].
void SerializeHead(const Response& response, bool keep_alive, std::string* out);

// {"error":{"code":"<code>","message":"<message>"}} with `status`.
Response ErrorResponse(int status, std::string_view code, std::string_view message);

}  // namespace qlrf::http::internal
