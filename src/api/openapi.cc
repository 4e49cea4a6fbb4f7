// OpenAPI 3.1 generation from the route table: paths, parameters, bodies, responses, security.
#include <boost/json.hpp>

#include "api/routes.h"
#include "common/json.h"

namespace qlrf::api {
namespace {

boost::json::value SchemaOrAny(const std::string& text) {
  if (text.empty()) {
    return boost::json::object{};
  }
  auto v = json::Parse(text);
  return v ? *v : boost::json::value(boost::json::object{});
}

}  // namespace

std::string BuildOpenApi(const std::vector<Route>& routes, const BuildInfo& build) {
  boost::json::object paths;
  for (const auto& r : routes) {
    boost::json::object op;
    op["summary"] = r.summary;
    op["tags"] = boost::json::array{boost::json::value(r.tag)};
    op["operationId"] = r.method + " " + r.path;
    boost::json::array params;
    size_t pos = 0;
    while ((pos = r.path.find('{', pos)) != std::string::npos) {
      auto end = r.path.find('}', pos);
      params.push_back({{"name", r.path.substr(pos + 1, end - pos - 1)},
                        {"in", "path"},
                        {"required", true},
                        {"schema", {{"type", "string"}, {"format", "uuid"}}}});
      pos = end;
    }
    for (const auto& q : r.query) {
      boost::json::object schema{{"type", q.type}};
      if (!q.allowed.empty()) {
        boost::json::array e;
        for (const auto& a : q.allowed) {
          e.emplace_back(a);
        }
        schema["enum"] = std::move(e);
      }
      params.push_back({{"name", q.name},
                        {"in", "query"},
                        {"required", false},
                        {"description", q.description},
                        {"schema", schema}});
    }
    if (r.paginated) {
      params.push_back(
          {{"name", "limit"},
           {"in", "query"},
           {"schema", {{"type", "integer"}, {"minimum", 1}, {"maximum", 500}, {"default", 50}}}});
      params.push_back({{"name", "cursor"},
                        {"in", "query"},
                        {"description", "next_cursor of the previous page"},
                        {"schema", {{"type", "string"}}}});
    }
    if (!params.empty()) {
      op["parameters"] = std::move(params);
    }
    if (!r.request_schema.empty() || !r.raw_content_types.empty()) {
      boost::json::object content;
      if (!r.request_schema.empty()) {
        content["application/json"] = {{"schema", SchemaOrAny(r.request_schema)}};
      }
      // Bodies the handler reads itself (NDJSON streams, SBOM and scanner documents).
      for (const auto& t : r.raw_content_types) {
        if (!content.contains(t)) content[t] = {{"schema", boost::json::object{}}};
      }
      op["requestBody"] = {{"required", true}, {"content", std::move(content)}};
    }
    boost::json::object responses;
    boost::json::object ok{{"description", "success"}};
    if (!r.response_schema.empty()) {
      ok["content"] = {{"application/json", {{"schema", SchemaOrAny(r.response_schema)}}}};
    }
    responses[std::to_string(r.success_status)] = std::move(ok);
    boost::json::object err{
        {"description", "error"},
        {"content",
         {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
    for (const char* code : {"400", "404", "429", "500"}) {
      responses[code] = err;
    }
    if (r.authenticated) {
      responses["401"] = err;
      responses["403"] = err;
      op["security"] = boost::json::array{{{"bearer", boost::json::array{}}}};
      if (r.permission) {
        op["x-permission"] = services::PermissionName(*r.permission);
      }
    } else {
      op["security"] = boost::json::array{};
    }
    if (r.writes) {
      responses["409"] = err;
    }
    op["responses"] = std::move(responses);
    std::string method = r.method;
    for (auto& c : method) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    boost::json::value& entry = paths[r.path];
    if (!entry.is_object()) {
      entry.emplace_object();
    }
    entry.as_object()[method] = std::move(op);
  }
  boost::json::object doc{
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "QL-RF API"},
        {"version", build.version},
        {"description", "Infrastructure resilience and compliance platform (qlrf)."}}},
      {"jsonSchemaDialect", "https://json-schema.org/draft/2020-12/schema"},
      {"paths", std::move(paths)},
      {"components",
       {{"securitySchemes",
         {{"bearer",
           {{"type", "http"},
            {"scheme", "bearer"},
            {"description",
             "A qlrf_ API key, a session token from /api/v1/auth/login, or an "
             "OIDC JWT from the configured issuer"}}}}},
        {"schemas",
         {{"Error",
           {{"type", "object"},
            {"required", {"error"}},
            {"properties",
             {{"error",
               {{"type", "object"},
                {"required", {"code", "message"}},
                {"properties",
                 {{"code", {{"type", "string"}}},
                  {"message", {{"type", "string"}}},
                  {"details", {{"type", "object"}}},
                  {"request_id", {{"type", "string"}}}}}}}}}}}}}}}};
  return json::Serialize(doc);
}

}  // namespace qlrf::api
