// The route table: the single source for routing, authorization, validation and the OpenAPI
// document. Each Route names its method, path pattern, permission, schemas and handler.
#pragma once

#include <boost/json/value.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http/server.h"
#include "common/result.h"
#include "services/context.h"
#include "services/identity/permissions.h"
#include "storage/paging.h"

namespace qlrf::api {

struct QueryParam {
  std::string name;
  std::string type = "string";  // string | integer | boolean
  std::string description;
  std::vector<std::string> allowed;  // enum, if any
};

// One request as handlers see it. Not thread-safe; one per request.
struct ApiRequest {
  const http::Request* http = nullptr;
  std::vector<std::pair<std::string, std::string>> path_params;
  std::vector<std::pair<std::string, std::string>> query;
  boost::json::value body;  // null when the route takes no body
  services::RequestContext ctx;

  std::string_view Param(std::string_view name) const;
  std::optional<std::string> Query(std::string_view name) const;
  // The page request from ?limit=&cursor= (validated by the dispatcher).
  Result<storage::PageRequest> Page() const;
};

struct ApiResponse {
  int status = 200;
  boost::json::value body;  // rendered as JSON unless raw_body is set
  std::string raw_body;
  std::string content_type = "application/json";
  std::vector<http::Header> headers;
};

using HandlerFn = std::function<Result<ApiResponse>(ApiRequest&)>;

struct Route {
  std::string method;
  std::string path;  // "/api/v1/projects/{project_id}"
  bool authenticated = true;
  std::optional<services::Permission> permission;  // with authenticated: required permission
  std::string summary;
  std::string tag;
  std::string request_schema;   // JSON Schema (text); empty = no body
  std::string response_schema;  // JSON Schema (text) of the success body; empty = none
  std::string example;          // a valid request body (docs, and the route-walking tests)
  // Content types passed to the handler unparsed (e.g. application/x-ndjson); the handler reads
  // http->body and validates it itself.
  std::vector<std::string> raw_content_types;
  int success_status = 200;
  std::vector<QueryParam> query;
  bool paginated = false;    // adds ?limit=&cursor=
  bool writes = false;       // state-changing: audited by its service
  bool inline_exec = false;  // cheap and non-blocking: runs on the I/O thread
  // The last path parameter takes the rest of the path, slashes included ("/v1/data/{path}"
  // matches /v1/data/qlrf/plan_safety/deny with path = "qlrf/plan_safety/deny").
  bool rest_param = false;
  HandlerFn handler;
};

// Helpers to build responses.
ApiResponse Json(boost::json::value body, int status = 200);
ApiResponse NoContent();

}  // namespace qlrf::api
