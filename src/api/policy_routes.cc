// Routes for policies: bundle uploads with versions and shadow mode, promotion, the decision
// log, a fail-closed decision endpoint, and OPA's REST Data API (/v1/data/{path}) so that OPA
// clients can query qlrf.
#include <boost/json.hpp>

#include "api/handler_util.h"
#include "api/render.h"
#include "api/routes.h"
#include "common/json.h"

namespace qlrf::api {

using services::Permission;

namespace {

const char* const kRegoError = R"({"type":"object","required":["code","message","location"],
 "properties":{"code":{"type":"string"},"message":{"type":"string"},
  "location":{"type":"object","required":["file","row","col"],
   "properties":{"file":{"type":"string"},"row":{"type":"integer"},"col":{"type":"integer"}}}}})";

std::string BundleSchema() {
  // Appended piece by piece: GCC 12 reports a false -Warray-bounds for `std::string(…) + …`.
  std::string schema = R"({"type":"object","additionalProperties":false,
 "required":["id","name","version","status","sha256","packages","modules","data","tests_passed",
  "tests_failed","errors","author_id","created_at","updated_at"],
 "properties":{"id":{"type":"string"},"name":{"type":"string"},
  "version":{"type":"integer","minimum":0},
  "status":{"enum":["enforced","shadow","superseded","rejected"]},"sha256":{"type":"string"},
  "packages":{"type":"array","items":{"type":"string"}},
  "modules":{"type":"object","additionalProperties":{"type":"string"}},"data":{"type":"object"},
  "tests_passed":{"type":"integer"},"tests_failed":{"type":"integer"},
  "errors":{"type":"array","items":)";
  schema += kRegoError;
  schema += R"(},"author_id":{"type":"string"},"created_at":{"type":"string"},
  "updated_at":{"type":"string"}}})";
  return schema;
}

const char* const kSummary = R"({"type":"object","additionalProperties":false,
 "required":["name","builtin","enforced_version","shadow_version","sha256","packages"],
 "properties":{"name":{"type":"string"},"builtin":{"type":"boolean"},
  "enforced_version":{"type":["integer","null"]},"shadow_version":{"type":["integer","null"]},
  "sha256":{"type":"string"},"packages":{"type":"array","items":{"type":"string"}}}})";

const char* const kTests = R"({"type":"object","required":["passed","failed","cases"],
 "properties":{"passed":{"type":"integer"},"failed":{"type":"integer"},
  "cases":{"type":"array","items":{"type":"object","required":["name","passed","error"]}}}})";

const char* const kUpload = R"({"type":"object","additionalProperties":false,
 "required":["modules"],
 "properties":{"modules":{"type":"object","minProperties":1,"maxProperties":64,
   "additionalProperties":{"type":"string","maxLength":1048576},
   "description":"Rego files by name: {\"plan_safety.rego\": \"package qlrf.plan_safety …\"}"},
  "data":{"type":"object","description":"merged into data for this bundle"},
  "mode":{"enum":["enforce","shadow"],"description":"enforce (default) or shadow: evaluated beside the enforced version, logged, never enforced"}}})";

const char* const kDecision = R"({"type":"object","additionalProperties":false,
 "required":["id","policy","version","path","input_sha256","result","defined","denied",
  "duration_us","shadow","differs_from_enforced","source","error","created_at"],
 "properties":{"id":{"type":"string"},"policy":{"type":"string"},"version":{"type":"integer"},
  "path":{"type":"string"},"input_sha256":{"type":"string"},"result":{},
  "defined":{"type":"boolean"},"denied":{"type":"boolean"},"duration_us":{"type":"integer"},
  "shadow":{"type":"boolean"},"differs_from_enforced":{"type":"boolean"},
  "source":{"enum":["embedded","remote"]},"error":{"type":"string"},
  "created_at":{"type":"string"}}})";

const char* const kDecideRequest = R"({"type":"object","additionalProperties":false,
 "required":["path"],
 "properties":{"path":{"type":"string","minLength":1,"maxLength":512,
   "description":"document to decide on, e.g. qlrf/plan_safety/deny"},
  "input":{"description":"the input document"}}})";

const char* const kDecideResponse = R"({"type":"object","additionalProperties":false,
 "required":["decision_id","path","policy","version","defined","allowed","denied","reasons",
  "source","error"],
 "properties":{"decision_id":{"type":"string"},"path":{"type":"string"},
  "policy":{"type":"string"},"version":{"type":"integer"},"result":{},
  "defined":{"type":"boolean"},"allowed":{"type":"boolean"},"denied":{"type":"boolean"},
  "reasons":{"type":"array","items":{"type":"string"}},"source":{"enum":["embedded","remote"]},
  "error":{"type":"string"}}})";

const char* const kDataResponse = R"({"type":"object","additionalProperties":false,
 "properties":{"result":{"description":"absent when the document is undefined"},
  "decision_id":{"type":"string"},
  "warning":{"type":"object","required":["code","message"]}}})";

constexpr std::string_view kExampleModule =
    "package qlrf.example\n\n"
    "deny contains \"batch over 20%\" if input.batch_pct > 20\n\n"
    "test_large_batch_denied if deny with input as {\"batch_pct\": 50}\n";

boost::json::value JsonOrEmpty(const std::string& text, boost::json::value fallback) {
  auto v = json::Parse(text);
  return v ? *v : fallback;
}

boost::json::value BundleJson(const storage::PolicyBundle& b) {
  return {{"id", b.id},
          {"name", b.name},
          {"version", b.version},
          {"status", b.status},
          {"sha256", b.sha256},
          {"packages", JsonOrEmpty(b.packages_json, boost::json::array())},
          {"modules", JsonOrEmpty(b.modules_json, boost::json::object())},
          {"data", JsonOrEmpty(b.data_json, boost::json::object())},
          {"tests_passed", b.tests_passed},
          {"tests_failed", b.tests_failed},
          {"errors", JsonOrEmpty(b.errors_json, boost::json::array())},
          {"author_id", b.author_id},
          {"created_at", b.created_at},
          {"updated_at", b.updated_at}};
}

boost::json::value SummaryJson(const services::PolicySummary& s) {
  boost::json::array packages;
  for (const auto& p : s.packages) {
    packages.emplace_back(p);
  }
  return {{"name", s.name},
          {"builtin", s.builtin},
          {"enforced_version", s.enforced_version ? boost::json::value(*s.enforced_version)
                                                  : boost::json::value(nullptr)},
          {"shadow_version",
           s.shadow_version ? boost::json::value(*s.shadow_version) : boost::json::value(nullptr)},
          {"sha256", s.sha256},
          {"packages", std::move(packages)}};
}

boost::json::value TestsJson(const services::PolicyTestReport& t) {
  boost::json::array cases;
  for (const auto& c : t.cases) {
    cases.push_back({{"name", c.name}, {"passed", c.passed}, {"error", c.error}});
  }
  return {{"passed", t.passed}, {"failed", t.failed}, {"cases", std::move(cases)}};
}

boost::json::value RegoErrorJson(const policy::RegoErrorInfo& e) {
  return {
      {"code", e.code},
      {"message", e.message},
      {"location", {{"file", e.location.file}, {"row", e.location.row}, {"col", e.location.col}}}};
}

boost::json::value DecisionJson(const storage::PolicyDecisionRow& d) {
  boost::json::value result = nullptr;
  if (d.result_json) {
    result = JsonOrEmpty(*d.result_json, nullptr);
  }
  return {{"id", d.id},
          {"policy", d.policy},
          {"version", d.version},
          {"path", d.path},
          {"input_sha256", d.input_sha256},
          {"result", result},
          {"defined", d.result_json.has_value()},
          {"denied", d.denied},
          {"duration_us", d.duration_us},
          {"shadow", d.shadow},
          {"differs_from_enforced", d.differs_from_enforced},
          {"source", d.source},
          {"error", d.error},
          {"created_at", d.created_at}};
}

std::optional<bool> BoolQuery(const ApiRequest& r, std::string_view name) {
  auto v = r.Query(name);
  if (!v) {
    return std::nullopt;
  }
  return *v == "true" || *v == "1";
}

// The policy name in the path: the same rule as uploads, checked before any lookup.
Result<std::string> PolicyParam(const ApiRequest& r) {
  std::string_view v = r.Param("policy");
  bool ok = !v.empty() && v.size() <= 63 && v[0] >= 'a' && v[0] <= 'z';
  for (char c : v) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (!ok) {
    return Fail(FieldError("policy", "must match ^[a-z][a-z0-9_]{0,62}$"));
  }
  return std::string(v);
}

// OPA's error shape: {"code": "invalid_parameter" | "internal_error", "message": …,
// "errors": [{"code": "rego_…", "message": …, "location": …}]}.
ApiResponse OpaError(int status, std::string_view code, std::string message,
                     boost::json::array errors = {}) {
  boost::json::object body;
  body["code"] = code;
  body["message"] = std::move(message);
  if (!errors.empty()) {
    body["errors"] = std::move(errors);
  }
  return Json(std::move(body), status);
}

ApiResponse OpaErrorFor(const Error& e) {
  auto info = policy::DescribeError(e);
  boost::json::array errors;
  if (!info.code.empty()) {
    boost::json::object item{{"code", info.code}, {"message", info.message}};
    if (info.location.row > 0) {
      item["location"] = {
          {"file", info.location.file}, {"row", info.location.row}, {"col", info.location.col}};
    }
    errors.push_back(std::move(item));
  }
  if (info.code.empty() && e.code == ErrorCode::kInvalidArgument) {
    return OpaError(400, "invalid_parameter", e.message);
  }
  if (info.code.rfind("rego_", 0) == 0) {
    return OpaError(400, "invalid_parameter", "error(s) occurred while compiling the query",
                    std::move(errors));
  }
  return OpaError(500, "internal_error",
                  (info.code.empty() ? std::string() : info.code + ": ") + e.message,
                  std::move(errors));
}

Result<ApiResponse> DataAnswer(services::PolicyDecider& decider, ApiRequest& r,
                               const boost::json::value* input, bool input_key_missing) {
  auto d = decider.Evaluate(r.ctx, r.Param("path"), input);
  if (!d) {
    return OpaErrorFor(d.error());
  }
  boost::json::object body;
  if (d->result) {
    body["result"] = std::move(*d->result);
  }
  body["decision_id"] = d->decision_id;
  if (input_key_missing) {
    body["warning"] = {{"code", "api_usage_warning"},
                       {"message", "'input' key missing from the request"}};
  }
  return Json(std::move(body));
}

}  // namespace

std::vector<Route> PolicyRoutes(services::PolicyService& policies,
                                services::PolicyDecider& decider) {
  std::vector<Route> routes;
  auto add = [&](Route r) { routes.push_back(std::move(r)); };
  add({.method = "GET",
       .path = "/api/v1/policies",
       .permission = Permission::kRead,
       .summary = "Policies of the org by name: the built-in (shipped) ones and uploaded ones, "
                  "with the enforced and shadow versions",
       .tag = "policies",
       .response_schema = schemas::PageOf(kSummary),
       .paginated = true,
       .handler = [&policies](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto page, r.Page());
         QLRF_ASSIGN_OR_RETURN(auto list, policies.List(r.ctx, page));
         return Json(PageJson(list, SummaryJson));
       }});
  add({.method = "GET",
       .path = "/api/v1/policies/decisions",
       .permission = Permission::kRead,
       .summary = "The decision log, newest first: policy, version, path, input hash, result, "
                  "outcome and duration of every decision (shadow evaluations included)",
       .tag = "policies",
       .response_schema = schemas::PageOf(kDecision),
       .query = {{"policy", "string", "policy (bundle) name", {}},
                 {"denied", "boolean", "only denials (true) or only allows (false)", {}},
                 {"shadow", "boolean", "only shadow evaluations (true) or only decisions", {}},
                 {"since", "string", "RFC 3339 time; decisions at or after it", {}}},
       .paginated = true,
       .handler = [&policies](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto page, r.Page());
         storage::DecisionFilter f;
         f.policy = r.Query("policy");
         f.denied = BoolQuery(r, "denied");
         f.shadow = BoolQuery(r, "shadow");
         f.since = r.Query("since");
         QLRF_ASSIGN_OR_RETURN(auto list, policies.Decisions(r.ctx, f, page));
         return Json(PageJson(list, DecisionJson));
       }});
  add({.method = "POST",
       .path = "/api/v1/policies/decide",
       .permission = Permission::kRead,
       .summary = "Ask for a decision as the platform does (embedded, or the remote OPA server "
                  "when RF_OPA_URL is set): fail closed, so any failure is a denial naming it",
       .tag = "policies",
       .request_schema = kDecideRequest,
       .response_schema = kDecideResponse,
       .example =
           R"({"path":"qlrf/plan_safety","input":{"task":{"environment":"production"},"plan":{"total_targets":10,"phases":[{"name":"all","targets":10}]}}})",
       .handler = [&decider](ApiRequest& r) -> Result<ApiResponse> {
         const auto& body = Object(r.body);
         boost::json::value input = body.contains("input") ? body.at("input") : nullptr;
         auto d = decider.Decide(r.ctx, *Str(r.body, "path"), input);
         boost::json::array reasons;
         for (const auto& s : d.reasons) {
           reasons.emplace_back(s);
         }
         boost::json::object out{{"decision_id", d.decision_id},
                                 {"path", d.path},
                                 {"policy", d.policy},
                                 {"version", d.version},
                                 {"defined", d.result.has_value()},
                                 {"allowed", !d.denied},
                                 {"denied", d.denied},
                                 {"reasons", std::move(reasons)},
                                 {"source", d.source},
                                 {"error", d.error}};
         if (d.result) {
           out["result"] = std::move(*d.result);
         }
         return Json(std::move(out));
       }});
  add({.method = "GET",
       .path = "/api/v1/policies/{policy}",
       .permission = Permission::kRead,
       .summary = "A policy with every version (newest first; the built-in is version 0)",
       .tag = "policies",
       .response_schema = std::string(R"({"type":"object","required":["policy","versions"],
 "properties":{"policy":)") +
                          kSummary + R"(,"versions":{"type":"array","items":)" + BundleSchema() +
                          "}}}",
       .handler = [&policies](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto name, PolicyParam(r));
         QLRF_ASSIGN_OR_RETURN(auto v, policies.Versions(r.ctx, name));
         boost::json::array versions;
         for (const auto& b : v.versions) {
           versions.push_back(BundleJson(b));
         }
         return Json({{"policy", SummaryJson(v.summary)}, {"versions", std::move(versions)}});
       }});
  add({.method = "PUT",
       .path = "/api/v1/policies/{policy}",
       .permission = Permission::kManagePolicies,
       .summary = "Upload a new version of a policy: compiled and its test_ rules run first; a "
                  "parse or compile error (400) or a failing test (422) rejects it and the "
                  "enforced version stays. mode=shadow evaluates it beside the enforced one",
       .tag = "policies",
       .request_schema = kUpload,
       .response_schema = std::string(R"({"type":"object","required":["bundle","tests"],
 "properties":{"bundle":)") +
                          BundleSchema() + R"(,"tests":)" + kTests + "}}",
       .example = R"({"modules":{"example.rego":)" +
                  json::Serialize(boost::json::value(kExampleModule)) + R"(},"mode":"enforce"})",
       .success_status = 201,
       .writes = true,
       .handler = [&policies](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto name, PolicyParam(r));
         services::BundleUpload up;
         up.name = name;
         const auto& body = Object(r.body);
         up.modules = body.at("modules").as_object();
         up.data = body.contains("data") ? body.at("data") : nullptr;
         up.mode = Str(r.body, "mode").value_or("enforce");
         QLRF_ASSIGN_OR_RETURN(auto out, policies.Upload(r.ctx, std::move(up)));
         if (out.verdict == services::UploadOutcome::Verdict::kAccepted) {
           return Json({{"bundle", BundleJson(out.bundle)}, {"tests", TestsJson(out.tests)}}, 201);
         }
         bool compile = out.verdict == services::UploadOutcome::Verdict::kCompileFailed;
         boost::json::array errors;
         for (const auto& e : out.errors) {
           errors.push_back(RegoErrorJson(e));
         }
         const auto& first = out.errors.front();
         boost::json::object details{{"version", out.bundle.version}};
         if (!first.location.file.empty()) {
           details["file"] = first.location.file;
           details["row"] = first.location.row;
           details["col"] = first.location.col;
         }
         boost::json::object error{
             {"code", "invalid_argument"},
             {"message", compile ? "policy rejected: " + first.message
                                 : "policy rejected: " + std::to_string(out.tests.failed) + " of " +
                                       std::to_string(out.tests.passed + out.tests.failed) +
                                       " tests failed"},
             {"details", std::move(details)}};
         return Json({{"error", std::move(error)},
                      {"errors", std::move(errors)},
                      {"tests", TestsJson(out.tests)}},
                     compile ? 400 : 422);
       }});
  add({.method = "POST",
       .path = "/api/v1/policies/{policy}/promote",
       .permission = Permission::kManagePolicies,
       .summary = "Enforce the shadow version of a policy (the enforced one is superseded)",
       .tag = "policies",
       .response_schema = BundleSchema(),
       .writes = true,
       .handler = [&policies](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto name, PolicyParam(r));
         QLRF_ASSIGN_OR_RETURN(auto b, policies.Promote(r.ctx, name));
         return Json(BundleJson(b));
       }});

  // OPA's REST Data API. The handler reads the body itself so that every error, a body that is
  // not JSON included, has OPA's shape.
  add({.method = "POST",
       .path = "/v1/data/{path}",
       .permission = Permission::kRead,
       .summary = "OPA REST Data API: the document at {path} (e.g. qlrf/plan_safety/deny) for "
                  "the input {\"input\": …}, as {\"result\": …} (no result when undefined); "
                  "errors as {\"code\", \"message\"}",
       .tag = "opa",
       .response_schema = kDataResponse,
       .example =
           R"({"input":{"task":{"environment":"production"},"plan":{"total_targets":10,"phases":[{"name":"all","targets":10}]}}})",
       // Documents the body; the handler parses it (any content type, empty = no input), so
       // that a body that is not JSON gets OPA's error shape.
       .raw_content_types = {"application/json"},
       .query = {{"pretty", "boolean", "accepted for OPA compatibility", {}},
                 {"metrics", "boolean", "accepted for OPA compatibility", {}}},
       .rest_param = true,
       .handler = [&decider](ApiRequest& r) -> Result<ApiResponse> {
         const std::string& raw = r.http->body;
         if (raw.find_first_not_of(" \t\r\n") == std::string::npos) {
           return DataAnswer(decider, r, nullptr, false);
         }
         auto body = json::Parse(raw);
         if (!body) {
           return OpaError(400, "invalid_parameter", "body is not JSON: " + body.error().message);
         }
         if (!body->is_object()) {
           return OpaError(400, "invalid_parameter", "body must be an object {\"input\": …}");
         }
         const auto* input = body->as_object().if_contains("input");
         return DataAnswer(decider, r, input, input == nullptr);
       }});
  add({.method = "GET",
       .path = "/v1/data/{path}",
       .permission = Permission::kRead,
       .summary = "OPA REST Data API: the document at {path}, with ?input= (URL-encoded JSON)",
       .tag = "opa",
       .response_schema = kDataResponse,
       .query = {{"input", "string", "the input document as URL-encoded JSON", {}},
                 {"pretty", "boolean", "accepted for OPA compatibility", {}},
                 {"metrics", "boolean", "accepted for OPA compatibility", {}}},
       .rest_param = true,
       .handler = [&decider](ApiRequest& r) -> Result<ApiResponse> {
         auto text = r.Query("input");
         if (!text) {
           return DataAnswer(decider, r, nullptr, false);
         }
         auto input = json::Parse(*text);
         if (!input) {
           return OpaError(400, "invalid_parameter", "input is not JSON: " + input.error().message);
         }
         return DataAnswer(decider, r, &*input, false);
       }});
  return routes;
}

}  // namespace qlrf::api
