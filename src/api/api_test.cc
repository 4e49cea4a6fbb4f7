// The HTTP pipeline end to end through the Dispatcher (no sockets): error shapes, auth, RBAC,
// rate limits, the tenant-isolation walk over the whole route table, and response contracts.
#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/json.hpp>

#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "api/dispatcher.h"
#include "api/routes.h"
#include "common/json.h"
#include "common/json_schema/json_schema.h"
#include "engines/sbom/sbom.h"
#include "storage/migrations.h"
#include "storage/sqlite/sqlite_database.h"
#include "testing/fakes.h"

namespace qlrf::api {

// The backend under test: api_test.cc runs on SQLite (api_test_sqlite.cc) and on the throwaway
// PostgreSQL of the pg fixture (api_test_pg.cc). Returns nullptr when the backend is missing.
std::unique_ptr<storage::Database> MakeTestDatabase();

namespace {

// A database that always exists, so members can bind to it before SetUp decides to skip.
std::unique_ptr<storage::Database> DatabaseOrPlaceholder(bool& available) {
  auto db = MakeTestDatabase();
  available = db != nullptr;
  if (db) {
    return db;
  }
  return std::move(*storage::SqliteDatabase::Open(storage::SqliteOptions{":memory:"}));
}

struct Reply {
  int status = 0;
  std::string body;
  std::vector<http::Header> headers;
  std::string content_type;
  boost::json::value Json() const {
    auto v = json::Parse(body);
    return v ? *v : boost::json::value();
  }
  std::string Header(std::string_view name) const {
    for (const auto& h : headers) {
      if (h.name == name) {
        return h.value;
      }
    }
    return {};
  }
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!available_) {
      GTEST_SKIP() << "database backend unavailable";
    }
    ASSERT_TRUE(storage::Migrate(*db_, clock_.Now()));
    auto boot = identity_.Bootstrap();
    ASSERT_TRUE(boot);
    admin_password_ = boot->admin_password;
    admin_token_ = Login("admin", admin_password_);
    std::vector<Route> routes = IdentityRoutes(identity_);
    for (auto& r : InventoryRoutes(inventory_)) routes.push_back(std::move(r));
    for (auto& r : ImageRoutes(images_)) routes.push_back(std::move(r));
    for (auto& r : VulnRoutes(vulns_)) routes.push_back(std::move(r));
    for (auto& r : PolicyRoutes(policies_, decider_)) routes.push_back(std::move(r));
    OpsDeps ops;
    ops.metrics = &metrics_;
    ops.build = {"test", "abc", "now", "sqlite"};
    ops.checks.push_back({"database", true, [this] { return db_->Ping(); }});
    ops.openapi = [this]() -> const std::string& { return openapi_; };
    for (auto& r : OpsRoutes(ops)) {
      routes.push_back(std::move(r));
    }
    openapi_ = BuildOpenApi(routes, ops.build);
    DispatcherOptions opts;
    opts.access_log = false;
    opts.rate_limit_rps = 1000;
    opts.rate_limit_burst = 1000;
    opts.blocking_threads = 2;
    // The response contract: every 2xx JSON body any test provokes must match its route's
    // declared response schema (checked in TearDown).
    for (const auto& r : routes) {
      if (r.response_schema.empty()) continue;
      auto schema = json_schema::Schema::Compile(*json::Parse(r.response_schema));
      ASSERT_TRUE(schema) << r.method << " " << r.path << ": " << schema.error().ToString();
      response_schemas_.emplace(r.method + " " + r.path, std::move(*schema));
    }
    opts.response_observer = [this](const Route& route, const http::Response& resp) {
      auto it = response_schemas_.find(route.method + " " + route.path);
      bool encoded = false;  // compressed bodies: checked in their plain form
      for (const auto& h : resp.headers) encoded = encoded || h.name == "Content-Encoding";
      if (resp.status < 200 || resp.status >= 300 || it == response_schemas_.end() ||
          resp.content_type != "application/json" || encoded) {
        return;
      }
      auto body = json::Parse(resp.body);
      Status st = body ? it->second.Check(*body) : Status(Fail(body.error()));
      if (!st) {
        std::lock_guard lock(contract_mu_);
        contract_failures_.push_back(route.method + " " + route.path + ": " +
                                     st.error().ToString());
      }
      std::lock_guard lock(contract_mu_);
      ++contract_checked_;
    };
    auto d = Dispatcher::Create(std::move(routes), auth_, metrics_, clock_, random_, opts);
    ASSERT_TRUE(d) << d.error().ToString();
    dispatcher_ = std::move(*d);
  }

  void TearDown() override {
    std::lock_guard lock(contract_mu_);
    for (const auto& f : contract_failures_) {
      ADD_FAILURE() << "response does not match its declared schema: " << f;
    }
  }

  std::string Login(const std::string& login, const std::string& password) {
    auto r = identity_.Login(login, password, std::nullopt);
    EXPECT_TRUE(r) << r.error().ToString();
    return r ? r->token : "";
  }

  Reply Call(std::string method, std::string target, std::string token = "", std::string body = "",
             std::string content_type = "application/json", std::vector<http::Header> extra = {}) {
    http::Request req;
    req.method = std::move(method);
    req.target = std::move(target);
    if (!token.empty()) {
      req.headers.push_back({"Authorization", "Bearer " + token});
    }
    if (!body.empty()) {
      req.headers.push_back({"Content-Type", content_type});
    }
    for (auto& h : extra) {
      req.headers.push_back(std::move(h));
    }
    req.body = std::move(body);
    std::promise<http::Response> done;
    auto fut = done.get_future();
    dispatcher_->Handle(std::move(req),
                        [&done](http::Response r) { done.set_value(std::move(r)); });
    http::Response r = fut.get();
    return Reply{r.status, r.body, r.headers, r.content_type};
  }

  testing::FakeClock clock_;
  testing::FakeRandom random_{7};
  bool available_ = false;
  std::unique_ptr<storage::Database> db_ = DatabaseOrPlaceholder(available_);
  services::SessionTokens sessions_{"0123456789abcdef0123456789abcdef", 3600, clock_};
  services::Auditor auditor_{clock_, random_};
  services::Authenticator auth_{*db_, sessions_, nullptr, clock_, random_, {}};
  services::IdentityService identity_{*db_, auditor_, auth_, sessions_, clock_, random_};
  services::InventoryService inventory_{*db_, auditor_, clock_, random_};
  services::ImageService images_{*db_, auditor_, clock_, random_};
  services::VulnService vulns_{*db_, auditor_, clock_, random_};
  metrics::Registry metrics_;
  // A small step budget, so that the runaway-policy test is quick.
  services::PolicyService policies_{
      *db_,    auditor_, clock_,
      random_, metrics_, {.timeout = std::chrono::milliseconds(100), .max_steps = 200000}};
  services::EmbeddedPolicyDecider decider_{policies_};
  std::string openapi_;
  std::map<std::string, json_schema::Schema> response_schemas_;
  std::mutex contract_mu_;
  std::vector<std::string> contract_failures_;
  int contract_checked_ = 0;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::string admin_password_;
  std::string admin_token_;
};

TEST_F(ApiTest, MissingCredentialsAre401WithJsonError) {
  Reply r = Call("GET", "/api/v1/me");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Json().at("error").at("code"), "unauthenticated");
  EXPECT_FALSE(r.Header("X-Request-Id").empty());
}

TEST_F(ApiTest, RequestIdIsEchoed) {
  Reply r = Call("GET", "/healthz", "", "", "", {{"X-Request-Id", "abc-123"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("X-Request-Id"), "abc-123");
}

TEST_F(ApiTest, MeShowsRoleAndPermissions) {
  Reply r = Call("GET", "/api/v1/me", admin_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = r.Json();
  EXPECT_EQ(v.at("role"), "admin");
  EXPECT_EQ(v.at("org").at("slug"), "default");
  auto perms = v.at("permissions").as_array();
  EXPECT_NE(std::find(perms.begin(), perms.end(), boost::json::value("APPROVE_AI_TASKS")),
            perms.end());
}

TEST_F(ApiTest, MalformedJsonNamesThePosition) {
  Reply r =
      Call("POST", "/api/v1/projects", admin_token_, "{\"name\": \"x\",\n \"description\": }");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json().at("error").at("details").at("line"), "2");
}

TEST_F(ApiTest, UnknownFieldIs400NamingIt) {
  Reply r = Call("POST", "/api/v1/projects", admin_token_, R"({"name":"x","colour":"red"})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("colour"), std::string::npos) << r.body;
}

TEST_F(ApiTest, WrongContentTypeIs415) {
  Reply r = Call("POST", "/api/v1/projects", admin_token_, R"({"name":"x"})", "text/plain");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(r.Json().at("error").at("code"), "unsupported_media_type");
}

TEST_F(ApiTest, BadIdIs400AndMissingIs404) {
  Reply bad = Call("GET", "/api/v1/projects/not-a-uuid", admin_token_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json().at("error").at("details").at("field"), "project_id");
  Reply missing =
      Call("GET", "/api/v1/projects/00000000-0000-4000-8000-000000000000", admin_token_);
  EXPECT_EQ(missing.status, 404);
}

TEST_F(ApiTest, UnknownRouteIs404AndWrongMethodIs405) {
  EXPECT_EQ(Call("GET", "/api/v1/nothing-here", admin_token_).status, 404);
  Reply r = Call("PUT", "/api/v1/projects", admin_token_);
  EXPECT_EQ(r.status, 405);
  EXPECT_NE(r.Header("Allow").find("GET"), std::string::npos);
}

TEST_F(ApiTest, UnknownQueryParameterIs400) {
  Reply r = Call("GET", "/api/v1/projects?colour=red", admin_token_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json().at("error").at("details").at("field"), "colour");
  EXPECT_EQ(Call("GET", "/api/v1/projects?cursor=%%%", admin_token_).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/projects?cursor=bm90LWEtY3Vyc29y", admin_token_).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/projects?limit=0", admin_token_).status, 400);
}

TEST_F(ApiTest, ViewerCannotWrite) {
  ASSERT_EQ(Call("POST", "/api/v1/users", admin_token_,
                 R"({"email":"v@example.com","role":"viewer","password":"viewer-password-1"})")
                .status,
            201);
  std::string viewer = Login("v@example.com", "viewer-password-1");
  Reply r = Call("POST", "/api/v1/projects", viewer, R"({"name":"x"})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.Json().at("error").at("details").at("permission"), "ADMIN");
  EXPECT_EQ(Call("GET", "/api/v1/audit", viewer).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/projects", viewer).status, 200);
}

TEST_F(ApiTest, RateLimitAnswers429WithRetryAfter) {
  // A fresh dispatcher with a tiny bucket.
  DispatcherOptions opts;
  opts.access_log = false;
  opts.rate_limit_rps = 1;
  opts.rate_limit_burst = 2;
  auto d = Dispatcher::Create(IdentityRoutes(identity_), auth_, metrics_, clock_, random_, opts);
  ASSERT_TRUE(d);
  dispatcher_ = std::move(*d);
  EXPECT_EQ(Call("GET", "/api/v1/me", admin_token_).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/me", admin_token_).status, 200);
  Reply r = Call("GET", "/api/v1/me", admin_token_);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("Retry-After"), "1");
  clock_.Advance(std::chrono::milliseconds(1000));
  EXPECT_EQ(Call("GET", "/api/v1/me", admin_token_).status, 200);
}

TEST_F(ApiTest, WritesLandInTheAuditTrail) {
  ASSERT_EQ(Call("POST", "/api/v1/projects", admin_token_, R"({"name":"web"})", "application/json",
                 {{"X-Request-Id", "req-audit-1"}})
                .status,
            201);
  Reply r = Call("GET", "/api/v1/audit?action=project.create", admin_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto items = r.Json().at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("request_id"), "req-audit-1");
  Reply v = Call("GET", "/api/v1/audit/verify", admin_token_);
  EXPECT_EQ(v.Json().at("ok"), true);
}

TEST_F(ApiTest, OpenApiListsEveryRoute) {
  Reply r = Call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  {
    std::lock_guard lock(contract_mu_);
    EXPECT_GT(contract_checked_, 0) << "the response-contract observer saw no response";
  }
  auto doc = r.Json();
  EXPECT_EQ(doc.at("openapi"), "3.1.0");
  for (const auto& route : dispatcher_->routes()) {
    std::string m = route.method;
    for (auto& c : m) {
      c = static_cast<char>(std::tolower(c));
    }
    EXPECT_TRUE(doc.at("paths").as_object().contains(route.path)) << route.path;
    EXPECT_TRUE(doc.at("paths").at(route.path).as_object().contains(m)) << m << " " << route.path;
  }
}

// --- The tenant-isolation walk --------------------------------------------------------------

class TenantIsolation : public ApiTest {
 protected:
  // Org A = "default" (bootstrap). Data in A for every path parameter a route can name.
  void SeedOrgA() {
    auto post = [&](std::string path, std::string body) {
      Reply r = Call("POST", path, admin_token_, body);
      EXPECT_EQ(r.status, 201) << path << " " << r.body;
      return r.Json();
    };
    auto me = Call("GET", "/api/v1/me", admin_token_).Json();
    fixtures_["org_id"] = std::string(me.at("org").at("id").as_string());
    auto project = post("/api/v1/projects", R"({"name":"a-secret-project"})");
    fixtures_["project_id"] = std::string(project.at("id").as_string());
    auto env = post("/api/v1/environments", R"({"project_id":")" + fixtures_["project_id"] +
                                                R"(","name":"a-prod","kind":"production"})");
    fixtures_["environment_id"] = std::string(env.at("id").as_string());
    auto key = post("/api/v1/api-keys", R"({"name":"a-key","role":"viewer"})");
    fixtures_["key_id"] = std::string(key.at("api_key").at("id").as_string());
    auto user = post("/api/v1/users", R"({"email":"only-in-a@example.com","role":"operator"})");
    fixtures_["user_id"] = std::string(user.at("user_id").as_string());
    auto site = post(
        "/api/v1/sites",
        R"({"name":"a-site","platform":"aws","region":"a-region-1","environment":"production"})");
    fixtures_["site_id"] = std::string(site.at("id").as_string());
    auto dr =
        post("/api/v1/sites",
             R"({"name":"a-dr-site","platform":"aws","region":"a-region-2","environment":"dr"})");
    auto asset = post(
        "/api/v1/assets",
        R"({"platform":"aws","instance_id":"i-a-only","name":"a-web-1","environment":"production","site_id":")" +
            fixtures_["site_id"] + R"(","image_family":"a-family","image_version":"1.0"})");
    fixtures_["asset_id"] = std::string(asset.at("id").as_string());
    auto image = post("/api/v1/images", R"({"family":"a-family","version":"1.0"})");
    fixtures_["image_id"] = std::string(image.at("id").as_string());
    fixtures_["family"] = "a-family";
    auto pair = post("/api/v1/resilience/dr-pairs",
                     R"({"name":"a-pair","primary_site_id":")" + fixtures_["site_id"] +
                         R"(","dr_site_id":")" + std::string(dr.at("id").as_string()) +
                         R"(","rpo_seconds":60,"rto_seconds":600,"replication_mode":"async"})");
    fixtures_["pair_id"] = std::string(pair.at("id").as_string());
    // A finding only org A has, and a suppression of it.
    {
      Reply r = Call("POST", "/api/v1/images/" + fixtures_["image_id"] + "/vulnerabilities/import",
                     admin_token_,
                     R"({"SchemaVersion":2,"ArtifactName":"a","ArtifactType":"container_image",
                         "Results":[{"Target":"a","Class":"os-pkgs","Type":"debian",
                         "Vulnerabilities":[{"VulnerabilityID":"CVE-2099-0001","PkgName":"a-pkg",
                         "InstalledVersion":"1.0","Severity":"HIGH"}]}]})");
      EXPECT_EQ(r.status, 201) << r.body;
      fixtures_["vuln_id"] = "CVE-2099-0001";
      auto s = post("/api/v1/vulnerabilities/suppressions",
                    R"({"vuln_id":"CVE-2099-0001","scope":"org","reason":"a-only triage"})");
      fixtures_["suppression_id"] = std::string(s.at("id").as_string());
    }
    // A policy only org A has (B may upload its own of that name: see kCallerNamed).
    {
      Reply r = Call("PUT", "/api/v1/policies/a_only_policy", admin_token_,
                     R"({"modules":{"a.rego":"package qlrf.a_only_policy\n\nallow := true\n"}})");
      EXPECT_EQ(r.status, 201) << r.body;
      fixtures_["policy"] = "a_only_policy";
      fixtures_["path"] = "qlrf/a_only_policy/allow";
    }
    for (const char* status : {"testing", "production"}) {
      Reply r = Call("POST", "/api/v1/images/" + fixtures_["image_id"] + "/promote", admin_token_,
                     std::string(R"({"status":")") + status + R"("})");
      EXPECT_EQ(r.status, 200) << r.body;
    }
  }

  // Org B with its own admin, who must never see A's data.
  std::string OrgBAdmin() {
    Reply u =
        Call("POST", "/api/v1/users", admin_token_,
             R"({"email":"b-admin@example.com","role":"viewer","password":"b-admin-password"})");
    EXPECT_EQ(u.status, 201);
    std::string b_in_a = Login("b-admin@example.com", "b-admin-password");
    Reply org = Call("POST", "/api/v1/organizations", b_in_a, R"({"name":"B","slug":"org-b"})");
    EXPECT_EQ(org.status, 201) << org.body;
    auto r = identity_.Login("b-admin@example.com", "b-admin-password", std::string("org-b"));
    EXPECT_TRUE(r);
    // Remove B's admin from A so the only way to A's data would be a leak.
    Reply del = Call("DELETE", "/api/v1/users/" + std::string(u.Json().at("user_id").as_string()),
                     admin_token_);
    EXPECT_EQ(del.status, 204);
    return r->token;
  }

  std::map<std::string, std::string> fixtures_;
};

// Routes whose path parameter is a name the caller chooses in its own org's namespace (not an
// id of an existing record): org B gets its own answer (an upload, an undefined document), and
// the name it sent itself is no leak.
const std::set<std::string> kCallerNamed = {"PUT /api/v1/policies/{policy}", "POST /v1/data/{path}",
                                            "GET /v1/data/{path}"};

TEST_F(TenantIsolation, EveryRouteHidesOrgAFromOrgB) {
  SeedOrgA();
  std::string b = OrgBAdmin();
  int checked = 0;
  for (const auto& route : dispatcher_->routes()) {
    if (!route.authenticated) {
      continue;
    }
    bool caller_named = kCallerNamed.count(route.method + " " + route.path) > 0;
    std::set<std::string> sent;
    std::string path = route.path;
    bool has_param = false;
    for (size_t pos; (pos = path.find('{')) != std::string::npos;) {
      size_t end = path.find('}', pos);
      std::string name = path.substr(pos + 1, end - pos - 1);
      ASSERT_TRUE(fixtures_.count(name))
          << route.method << " " << route.path << ": add a fixture for {" << name
          << "} to the tenant-isolation test";
      path.replace(pos, end - pos + 1, fixtures_[name]);
      has_param = true;
      sent.insert(name);
    }
    if (!route.request_schema.empty()) {
      ASSERT_FALSE(route.example.empty())
          << route.method << " " << route.path << " needs an example request body";
    }
    Reply r = Call(route.method, path, b, route.example);
    SCOPED_TRACE(route.method + " " + route.path + " -> " + std::to_string(r.status) + " " +
                 r.body.substr(0, 300));
    if (has_param && !caller_named) {
      EXPECT_EQ(r.status, 404);
    } else {
      EXPECT_NE(r.status, 403);
      EXPECT_LT(r.status, 500);
    }
    for (const auto& [name, id] : fixtures_) {
      if (caller_named && sent.count(name) > 0) {
        continue;
      }
      EXPECT_EQ(r.body.find(id), std::string::npos) << "leaked " << name;
    }
    EXPECT_EQ(r.body.find("a-secret-project"), std::string::npos);
    EXPECT_EQ(r.body.find("only-in-a@"), std::string::npos);
    ++checked;
  }
  EXPECT_GT(checked, 20);
  // Org A's data is intact after B's attempts.
  EXPECT_EQ(Call("GET", "/api/v1/projects/" + fixtures_["project_id"], admin_token_).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/users/" + fixtures_["user_id"], admin_token_).status, 200);
  auto key = Call("GET", "/api/v1/api-keys/" + fixtures_["key_id"], admin_token_).Json();
  EXPECT_TRUE(key.at("revoked_at").is_null());
}

TEST_F(TenantIsolation, EveryGetResponseMatchesItsDeclaredSchema) {
  SeedOrgA();
  int validated = 0;
  for (const auto& route : dispatcher_->routes()) {
    if (route.method != "GET" || route.response_schema.empty()) {
      continue;
    }
    std::string path = route.path;
    for (size_t pos; (pos = path.find('{')) != std::string::npos;) {
      size_t end = path.find('}', pos);
      path.replace(pos, end - pos + 1, fixtures_[path.substr(pos + 1, end - pos - 1)]);
    }
    Reply r = Call("GET", path, admin_token_);
    ASSERT_EQ(r.status, 200) << route.path << " " << r.body;
    auto schema = json_schema::Schema::Compile(*json::Parse(route.response_schema));
    ASSERT_TRUE(schema) << route.path;
    auto st = schema->Check(r.Json());
    EXPECT_TRUE(st) << route.path << ": " << st.error().ToString() << "\n" << r.body;
    ++validated;
  }
  EXPECT_GT(validated, 10);
}

// --- Inventory and images ----------------------------------------------------------------------

class InventoryApi : public ApiTest {
 protected:
  boost::json::value Post(const std::string& path, const std::string& body, int want = 201) {
    Reply r = Call("POST", path, admin_token_, body);
    EXPECT_EQ(r.status, want) << path << " " << r.body;
    return r.Json();
  }
  boost::json::value Get(const std::string& target, int want = 200) {
    Reply r = Call("GET", target, admin_token_);
    EXPECT_EQ(r.status, want) << target << " " << r.body;
    return r.Json();
  }
  std::string NewSite(const std::string& name, const std::string& env = "production") {
    auto s = Post("/api/v1/sites",
                  R"({"name":")" + name +
                      R"(","platform":"aws","region":"us-east-1","environment":")" + env + R"("})");
    return std::string(s.at("id").as_string());
  }
  std::string NewImage(const std::string& family, const std::string& version) {
    auto m =
        Post("/api/v1/images", R"({"family":")" + family + R"(","version":")" + version + R"("})");
    return std::string(m.at("id").as_string());
  }
  void Promote(const std::string& id, const std::string& status, int want = 200) {
    clock_.Advance(std::chrono::seconds(1));  // distinct promotion times
    Reply r = Call("POST", "/api/v1/images/" + id + "/promote", admin_token_,
                   R"({"status":")" + status + R"("})");
    EXPECT_EQ(r.status, want) << r.body;
  }
  int64_t CountAll() { return Get("/api/v1/assets?limit=1").at("total").as_int64(); }
};

TEST_F(InventoryApi, BulkUpsertIsAllOrNothingAndNamesTheBadRow) {
  std::string site = NewSite("use1");
  std::string body = R"({"assets":[
    {"platform":"aws","instance_id":"i-1","environment":"production","site_id":")" +
                     site + R"("},
    {"platform":"aws","instance_id":"i-2","environment":"moon","site_id":")" +
                     site + R"("}]})";
  Reply r = Call("POST", "/api/v1/assets/bulk", admin_token_, body);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.Json().at("error").at("details").at("field"), "assets[1].environment");
  EXPECT_EQ(CountAll(), 0);
}

TEST_F(InventoryApi, BulkUpsertIsIdempotentAndFullSyncTerminatesTheUnseen) {
  std::string site = NewSite("use1");
  std::string three = R"({"full_sync_site":")" + site + R"(","assets":[
    {"platform":"aws","instance_id":"i-1","environment":"production","tags":{"tier":"web"}},
    {"platform":"aws","instance_id":"i-2","environment":"production"},
    {"platform":"aws","instance_id":"i-3","environment":"production"}]})";
  auto first = Post("/api/v1/assets/bulk", three, 200);
  EXPECT_EQ(first.at("created"), 3);
  auto again = Post("/api/v1/assets/bulk", three, 200);
  EXPECT_EQ(again.at("unchanged"), 3);
  EXPECT_EQ(again.at("created"), 0);
  clock_.Advance(std::chrono::seconds(60));
  std::string two = R"({"full_sync_site":")" + site + R"(","assets":[
    {"platform":"aws","instance_id":"i-1","environment":"production","tags":{"tier":"web"}},
    {"platform":"aws","instance_id":"i-2","environment":"production","state":"stopped"}]})";
  auto sync = Post("/api/v1/assets/bulk", two, 200);
  EXPECT_EQ(sync.at("terminated"), 1);
  EXPECT_EQ(sync.at("updated"), 1);
  auto terminated = Get("/api/v1/assets?state=terminated");
  ASSERT_EQ(terminated.at("total"), 1);
  EXPECT_EQ(terminated.at("items").as_array()[0].at("instance_id"), "i-3");
  EXPECT_EQ(Get("/api/v1/assets?tag=tier%3Dweb").at("total"), 1);
}

TEST_F(InventoryApi, NdjsonBulkWithABadLineWritesNothing) {
  Reply ok = Call("POST", "/api/v1/assets/bulk", admin_token_,
                  "{\"platform\":\"gcp\",\"instance_id\":\"vm-1\",\"environment\":\"staging\"}\n"
                  "{\"platform\":\"gcp\",\"instance_id\":\"vm-2\",\"environment\":\"staging\"}\n",
                  "application/x-ndjson");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json().at("created"), 2);
  Reply bad = Call("POST", "/api/v1/assets/bulk", admin_token_,
                   "{\"platform\":\"gcp\",\"instance_id\":\"vm-3\",\"environment\":\"staging\"}\n"
                   "{\"platform\":\"gcp\",\"instance_id\":\n",
                   "application/x-ndjson");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json().at("error").at("details").at("index"), "1");
  EXPECT_EQ(CountAll(), 2);
}

TEST_F(InventoryApi, ListFiltersSortsAndWalksCursorPages) {
  std::string body = R"({"assets":[)";
  for (int i = 0; i < 25; ++i) {
    body += std::string(i ? "," : "") + R"({"platform":")" + (i % 2 ? "aws" : "azure") +
            R"(","instance_id":"i-)" + std::to_string(100 + i) + R"(","name":"web-)" +
            std::to_string(100 + i) + R"(","environment":")" + (i % 3 ? "production" : "staging") +
            R"("})";
  }
  body += "]}";
  Post("/api/v1/assets/bulk", body, 200);
  std::vector<std::string> names;
  std::string target = "/api/v1/assets?platform=aws&environment=production&sort=-name&limit=3";
  int64_t total = -1;
  for (int guard = 0; guard < 20; ++guard) {
    auto page = Get(target);
    total = page.at("total").as_int64();
    for (const auto& a : page.at("items").as_array()) {
      names.emplace_back(a.at("name").as_string());
      EXPECT_EQ(a.at("platform"), "aws");
    }
    if (page.at("next_cursor").is_null()) break;
    target = "/api/v1/assets?platform=aws&environment=production&sort=-name&limit=3&cursor=" +
             std::string(page.at("next_cursor").as_string());
  }
  EXPECT_EQ(static_cast<int64_t>(names.size()), total);
  EXPECT_EQ(total, 8);  // odd i (aws) not divisible by 3
  EXPECT_TRUE(std::is_sorted(names.rbegin(), names.rend()));
  EXPECT_EQ(Get("/api/v1/assets?q=WEB-10").at("total"), 10);
  Reply bad_sort = Call("GET", "/api/v1/assets?sort=colour", admin_token_);
  EXPECT_EQ(bad_sort.status, 400);
  EXPECT_EQ(bad_sort.Json().at("error").at("details").at("field"), "sort");
  auto page = Get("/api/v1/assets?limit=2&sort=name");
  Reply mixed = Call(
      "GET",
      "/api/v1/assets?sort=-created_at&cursor=" + std::string(page.at("next_cursor").as_string()),
      admin_token_);
  EXPECT_EQ(mixed.status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/assets?platform=moon", admin_token_).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/assets?tag=novalue", admin_token_).status, 400);
}

TEST_F(InventoryApi, TagFilterPagesAlikeWhetherTheTagIsRareOrCommon) {
  // 60 assets; "rare" on 2 of them (under 5%: the page starts from the tag index), "common" on
  // 40 (the page walks the name index). Names sort against the id order so both paths must
  // really sort.
  std::string body = R"({"assets":[)";
  for (int i = 0; i < 60; ++i) {
    body += std::string(i ? "," : "") + R"({"platform":"aws","environment":"production",)" +
            R"("instance_id":"i-)" + std::to_string(i) + R"(","name":"n-)" +
            std::to_string(1000 - i) + R"(","tags":{"common":")" + (i % 3 ? "yes" : "no") +
            R"(")" + (i == 7 || i == 50 ? R"(,"rare":"yes")" : "") + "}}";
  }
  Post("/api/v1/assets/bulk", body + "]}", 200);
  auto names = [&](const std::string& query) {
    std::vector<std::string> out;
    std::string cursor;
    for (int guard = 0; guard < 100; ++guard) {
      auto page = Get("/api/v1/assets?" + query + "&sort=name&limit=7" +
                      (cursor.empty() ? "" : "&cursor=" + cursor));
      for (const auto& a : page.at("items").as_array()) {
        out.emplace_back(a.at("name").as_string());
      }
      if (page.at("next_cursor").is_null()) break;
      cursor = std::string(page.at("next_cursor").as_string());
    }
    return out;
  };
  auto rare = names("tag=rare%3Dyes");
  EXPECT_EQ(rare, (std::vector<std::string>{"n-950", "n-993"}));
  auto common = names("tag=common%3Dyes");
  ASSERT_EQ(common.size(), 40u);
  EXPECT_TRUE(std::is_sorted(common.begin(), common.end()));
  EXPECT_EQ(Get("/api/v1/assets?tag=rare%3Dyes&tag=common%3Dyes").at("total"), 2);
  EXPECT_EQ(Get("/api/v1/assets?tag=rare%3Dyes&tag=common%3Dno").at("total"), 0);
  // Several tags: the rarest drives whatever order they come in; tags alone are counted from
  // the tag index, tags with other conditions through the assets.
  EXPECT_EQ(Get("/api/v1/assets?tag=common%3Dyes&tag=rare%3Dyes").at("total"), 2);
  EXPECT_EQ(names("tag=common%3Dyes&tag=rare%3Dyes"), rare);
  EXPECT_EQ(names("tag=rare%3Dyes&tag=common%3Dyes"), rare);
  EXPECT_EQ(Get("/api/v1/assets?tag=common%3Dno&environment=production").at("total"), 20);
  EXPECT_EQ(Get("/api/v1/assets?tag=common%3Dno&environment=staging").at("total"), 0);
  EXPECT_EQ(Get("/api/v1/assets?tag=common%3Dyes&tag=rare%3Dyes&environment=production")
                .at("total"),
            2);
  EXPECT_EQ(Get("/api/v1/assets?tag=common%3Dyes&tag=nosuch%3Dyes").at("total"), 0);
  EXPECT_EQ(Get("/api/v1/assets/counts?tag=common%3Dyes&tag=rare%3Dyes").at("total"), 2);
  EXPECT_EQ(Get("/api/v1/assets/counts?tag=rare%3Dyes&tag=common%3Dyes").at("total"), 2);
}

TEST_F(InventoryApi, CountsGroupByEnvironmentAndPlatform) {
  Post("/api/v1/assets/bulk", R"({"assets":[
    {"platform":"aws","instance_id":"a","environment":"production"},
    {"platform":"aws","instance_id":"b","environment":"production"},
    {"platform":"gcp","instance_id":"c","environment":"dr"}]})",
       200);
  auto counts = Get("/api/v1/assets/counts?group_by=environment,platform");
  EXPECT_EQ(counts.at("total"), 3);
  auto groups = counts.at("groups").as_array();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].at("key").at("environment"), "dr");
  EXPECT_EQ(groups[1].at("count"), 2);
  EXPECT_EQ(Call("GET", "/api/v1/assets/counts?group_by=colour", admin_token_).status, 400);
}

TEST_F(InventoryApi, DriftedFilterFollowsTheCurrentProductionImage) {
  std::string v1 = NewImage("ubuntu-22.04", "1");
  std::string v2 = NewImage("ubuntu-22.04", "2");
  Post("/api/v1/assets/bulk", R"({"assets":[
    {"platform":"aws","instance_id":"a","environment":"production","image_family":"ubuntu-22.04","image_version":"1"},
    {"platform":"aws","instance_id":"b","environment":"production","image_family":"ubuntu-22.04","image_version":"2"}]})",
       200);
  EXPECT_EQ(Get("/api/v1/assets?drifted=true").at("total"), 0);  // no production image yet
  for (const auto& s : {"testing", "production"}) Promote(v1, s);
  EXPECT_EQ(Get("/api/v1/assets?drifted=true").at("items").as_array()[0].at("instance_id"), "b");
  for (const auto& s : {"testing", "production"}) Promote(v2, s);
  auto drifted = Get("/api/v1/assets?drifted=yes");
  ASSERT_EQ(drifted.at("total"), 1);
  EXPECT_EQ(drifted.at("items").as_array()[0].at("instance_id"), "a");
  EXPECT_EQ(Get("/api/v1/images/families/ubuntu-22.04/current").at("version"), "2");
  Promote(v2, "deprecated");
  EXPECT_EQ(Get("/api/v1/images/families/ubuntu-22.04/current").at("version"), "1");
}

TEST_F(InventoryApi, CurrentProductionImagePerPlatformAndRegion) {
  auto image = [&](const std::string& version, const std::string& artifacts) {
    auto m = Post("/api/v1/images", R"({"family":"al2023","version":")" + version +
                                         R"(","artifacts":)" + artifacts + "}");
    return std::string(m.at("id").as_string());
  };
  std::string v1 = image("1", R"([{"platform":"aws","region":"us-east-1","ref":"ami-1"},
                                  {"platform":"aws","region":"eu-west-1","ref":"ami-1e"}])");
  std::string v2 = image("2", R"([{"platform":"aws","region":"us-east-1","ref":"ami-2"},
                                  {"platform":"k8s","region":"","ref":"sha256:2"}])");
  for (const auto& s : {"testing", "production"}) Promote(v1, s);
  for (const auto& s : {"testing", "production"}) Promote(v2, s);
  auto current = [&](const std::string& query) {
    return std::string(
        Get("/api/v1/images/families/al2023/current" + query).at("version").as_string());
  };
  EXPECT_EQ(current(""), "2");
  EXPECT_EQ(current("?platform=aws&region=us-east-1"), "2");
  EXPECT_EQ(current("?platform=aws&region=eu-west-1"), "1");   // v2 is not published there
  EXPECT_EQ(current("?platform=aws&region=ap-south-1"), "2");  // no artifact: the family's
  EXPECT_EQ(current("?platform=k8s&region=anywhere"), "2");    // platform-wide artifact
  EXPECT_EQ(current("?platform=gcp"), "2");
  EXPECT_EQ(Call("GET", "/api/v1/images/families/al2023/current?region=eu-west-1", admin_token_)
                .status,
            400);
  EXPECT_EQ(Call("GET", "/api/v1/images/families/al2023/current?platform=moon", admin_token_)
                .status,
            400);
  auto targets = Get("/api/v1/images/families/al2023/current-targets").at("items").as_array();
  ASSERT_EQ(targets.size(), 3u);
  EXPECT_EQ(targets[0].at("region"), "eu-west-1");
  EXPECT_EQ(targets[0].at("version"), "1");
  EXPECT_EQ(targets[0].at("ref"), "ami-1e");
  EXPECT_EQ(targets[1].at("region"), "us-east-1");
  EXPECT_EQ(targets[1].at("version"), "2");
  EXPECT_EQ(targets[2].at("platform"), "k8s");
  EXPECT_EQ(Call("GET", "/api/v1/images/families/nope/current-targets", admin_token_).status, 404);

  // Drift compares each asset with its own target.
  Post("/api/v1/assets/bulk", R"({"assets":[
    {"platform":"aws","instance_id":"eu-old","environment":"production","region":"eu-west-1","image_family":"al2023","image_version":"1"},
    {"platform":"aws","instance_id":"us-old","environment":"production","region":"us-east-1","image_family":"al2023","image_version":"1"},
    {"platform":"aws","instance_id":"us-new","environment":"production","region":"us-east-1","image_family":"al2023","image_version":"2"},
    {"platform":"gcp","instance_id":"gcp-old","environment":"production","region":"us-central1","image_family":"al2023","image_version":"1"}]})",
       200);
  auto drifted = Get("/api/v1/assets?drifted=true&sort=name");
  ASSERT_EQ(drifted.at("total"), 2);  // the count comes from the rollup, the items from assets
  auto items = drifted.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("instance_id"), "gcp-old");
  EXPECT_EQ(items[1].at("instance_id"), "us-old");
  EXPECT_EQ(Get("/api/v1/assets?drifted=false").at("total"), 2);
  EXPECT_EQ(Get("/api/v1/assets/counts?drifted=true&group_by=region").at("total"), 2);

  // The current image of a target moves with the lifecycle.
  Promote(v2, "deprecated");
  targets = Get("/api/v1/images/families/al2023/current-targets").at("items").as_array();
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[1].at("version"), "1");
  EXPECT_EQ(current("?platform=k8s"), "1");
  EXPECT_EQ(Get("/api/v1/assets?drifted=true").at("total"), 1);  // us-new
}

TEST_F(InventoryApi, PromotionFollowsTheLifecycleAndIsRecorded) {
  std::string id = NewImage("rhel-9", "9.4.1");
  Promote(id, "production", 409);
  Promote(id, "testing");
  Promote(id, "production");
  Promote(id, "draft", 409);
  Promote(id, "revoked");
  Promote(id, "production", 409);
  auto history = Get("/api/v1/images/" + id + "/promotions").at("items").as_array();
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[2].at("to_status"), "revoked");
  Reply dup =
      Call("POST", "/api/v1/images", admin_token_, R"({"family":"rhel-9","version":"9.4.1"})");
  EXPECT_EQ(dup.status, 409);
}

TEST_F(InventoryApi, LineageRefusesCyclesAndBuildsATree) {
  std::string a = NewImage("amazon-linux-2023", "1");
  std::string b = NewImage("amazon-linux-2023", "2");
  std::string c = NewImage("amazon-linux-2023", "3");
  auto parent = [&](const std::string& child, const std::string& p, int want) {
    Reply r = Call("POST", "/api/v1/images/" + child + "/lineage/parents", admin_token_,
                   R"({"parent_id":")" + p + R"(","relation":"patched_from"})");
    EXPECT_EQ(r.status, want) << r.body;
  };
  parent(b, a, 201);
  parent(c, b, 201);
  parent(a, c, 409);  // a → c → b → a
  parent(a, a, 409);
  parent(c, b, 409);  // already recorded
  auto tree = Get("/api/v1/images/families/amazon-linux-2023/lineage-tree").at("nodes").as_array();
  ASSERT_EQ(tree.size(), 3u);
  EXPECT_EQ(std::string(tree[0].at("image_id").as_string()), a);
  EXPECT_EQ(tree[2].at("depth"), 2);
  auto lineage = Get("/api/v1/images/" + b + "/lineage");
  EXPECT_EQ(std::string(lineage.at("parents").as_array()[0].at("image").at("id").as_string()), a);
  EXPECT_EQ(std::string(lineage.at("children").as_array()[0].at("image").at("id").as_string()), c);
  EXPECT_EQ(Call("GET", "/api/v1/images/families/nope/lineage-tree", admin_token_).status, 404);
  // The cached tree follows changes: a new version and its parent appear at once.
  std::string d = NewImage("amazon-linux-2023", "4");
  EXPECT_EQ(
      Get("/api/v1/images/families/amazon-linux-2023/lineage-tree").at("nodes").as_array().size(),
      4u);
  parent(d, c, 201);
  auto again = Get("/api/v1/images/families/amazon-linux-2023/lineage-tree").at("nodes").as_array();
  ASSERT_EQ(again.size(), 4u);
  EXPECT_EQ(again[3].at("depth"), 3);
  Promote(a, "testing");
  auto promoted =
      Get("/api/v1/images/families/amazon-linux-2023/lineage-tree").at("nodes").as_array();
  EXPECT_EQ(promoted[0].at("status"), "testing");
}

TEST_F(InventoryApi, LineageTreeIsCachedConditionalAndGzipped) {
  std::string a = NewImage("tree-fam", "1");
  std::string b = NewImage("tree-fam", "2");
  std::string path = "/api/v1/images/families/tree-fam/lineage-tree";
  Reply plain = Call("GET", path, admin_token_);
  ASSERT_EQ(plain.status, 200);
  std::string etag = plain.Header("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(plain.Header("Content-Encoding"), "");
  Reply gz = Call("GET", path, admin_token_, "", "application/json",
                  {{"Accept-Encoding", "gzip, deflate"}});
  ASSERT_EQ(gz.status, 200);
  EXPECT_EQ(gz.Header("Content-Encoding"), "gzip");
  EXPECT_EQ(gz.Header("ETag"), etag);
  // The gzip body inflates to the plain one.
  z_stream zs{};
  ASSERT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  std::string out(plain.body.size() + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(gz.body.data());
  zs.avail_in = static_cast<uInt>(gz.body.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  EXPECT_EQ(out, plain.body);
  Reply same = Call("GET", path, admin_token_, "", "application/json", {{"If-None-Match", etag}});
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  // A lineage change makes a new version of the tree.
  Post("/api/v1/images/" + b + "/lineage/parents",
       R"({"parent_id":")" + a + R"(","relation":"patched_from"})");
  Reply changed = Call("GET", path, admin_token_, "", "application/json", {{"If-None-Match", etag}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_NE(changed.Header("ETag"), etag);
}

TEST_F(InventoryApi, BuildsKeepSlsaProvenanceAndRejectOtherDocuments) {
  std::string id = NewImage("windows-2022", "2026.11");
  std::string statement = R"({"provenance":{"_type":"https://in-toto.io/Statement/v1",
    "subject":[{"name":"img","digest":{"sha256":"ab"}}],
    "predicateType":"https://slsa.dev/provenance/v1",
    "predicate":{"buildDefinition":{"buildType":"https://example.com/packer@v1",
      "resolvedDependencies":[{"uri":"git+https://github.com/acme/images@refs/heads/main",
                               "digest":{"gitCommit":"0123abcd"}}]},
     "runDetails":{"builder":{"id":"https://github.com/acme/builder@v2"},
      "metadata":{"startedOn":"2026-11-01T10:00:00Z","finishedOn":"2026-11-01T10:30:00+00:00"}}}},
    "slsa_level":3})";
  auto b = Post("/api/v1/images/" + id + "/builds", statement);
  EXPECT_EQ(b.at("builder_id"), "https://github.com/acme/builder@v2");
  EXPECT_EQ(b.at("source_commit"), "0123abcd");
  EXPECT_EQ(b.at("finished_at"), "2026-11-01T10:30:00.000Z");
  EXPECT_EQ(b.at("slsa_level"), 3);
  Reply bad = Call(
      "POST", "/api/v1/images/" + id + "/builds", admin_token_,
      R"({"provenance":{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://spdx.dev/Document"}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json().at("error").at("details").at("field"), "provenance.predicateType");
  EXPECT_EQ(Get("/api/v1/images/" + id + "/builds").at("items").as_array().size(), 1u);
}

TEST_F(InventoryApi, DeploymentsGroupBySiteAndEnvironment) {
  std::string site = NewSite("use1");
  std::string id = NewImage("ubuntu-24.04", "1");
  Post("/api/v1/assets/bulk",
       R"({"assets":[
    {"platform":"aws","instance_id":"a","environment":"production","site_id":")" +
           site +
           R"(","image_family":"ubuntu-24.04","image_version":"1"},
    {"platform":"aws","instance_id":"b","environment":"production","site_id":")" +
           site +
           R"(","image_family":"ubuntu-24.04","image_version":"1","state":"stopped"},
    {"platform":"aws","instance_id":"c","environment":"staging","image_family":"ubuntu-24.04","image_version":"1"}]})",
       200);
  auto d = Get("/api/v1/images/" + id + "/deployments");
  EXPECT_EQ(d.at("total"), 3);
  auto groups = d.at("groups").as_array();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].at("environment"), "production");
  EXPECT_EQ(groups[0].at("running"), 1);
  EXPECT_EQ(groups[0].at("site_name"), "use1");
}

TEST_F(InventoryApi, DrPairsNeedTwoDistinctSitesOfTheOrg) {
  std::string p = NewSite("primary");
  std::string d = NewSite("secondary", "dr");
  Reply same = Call("POST", "/api/v1/resilience/dr-pairs", admin_token_,
                    R"({"name":"x","primary_site_id":")" + p + R"(","dr_site_id":")" + p +
                        R"(","rpo_seconds":60,"rto_seconds":600,"replication_mode":"async"})");
  EXPECT_EQ(same.status, 400);
  Post(
      "/api/v1/resilience/dr-pairs",
      R"({"name":"web","primary_site_id":")" + p + R"(","dr_site_id":")" + d +
          R"(","rpo_seconds":60,"rto_seconds":600,"replication_mode":"async","replication_status":"healthy"})");
  auto summary = Get("/api/v1/resilience");
  EXPECT_EQ(summary.at("dr_pairs").at("healthy"), 1);
  EXPECT_EQ(summary.at("dr_pairs").at("never_drilled"), 1);
  EXPECT_EQ(summary.at("dr_sites"), 1);
}

// --- Vulnerabilities and SBOMs ---------------------------------------------------------------

std::string ReadConformance(const std::string& relative) {
  std::ifstream in(std::string(QLRF_CONFORMANCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class VulnApi : public InventoryApi {
 protected:
  Reply Upload(const std::string& path, const std::string& body,
               const std::string& content_type = "application/json") {
    return Call("POST", path, admin_token_, body, content_type);
  }
  boost::json::array Findings(const std::string& image, const std::string& query = "") {
    return Get("/api/v1/images/" + image + "/vulnerabilities?limit=500" + query)
        .at("items")
        .as_array();
  }
};

// Counts by severity computed from the Trivy file itself (the independent reference).
std::map<std::string, int64_t> TrivySeverities(const boost::json::value& doc) {
  std::map<std::string, int64_t> out;
  std::set<std::string> seen;
  for (const auto& result : doc.at("Results").as_array()) {
    const auto* vulns = result.as_object().if_contains("Vulnerabilities");
    if (vulns == nullptr || !vulns->is_array()) continue;
    for (const auto& v : vulns->as_array()) {
      std::string key = std::string(v.at("VulnerabilityID").as_string()) + "|" +
                        std::string(v.at("PkgName").as_string()) + "|" +
                        std::string(v.at("InstalledVersion").as_string());
      if (!seen.insert(key).second) continue;
      std::string sev(v.at("Severity").as_string());
      for (auto& c : sev) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      ++out[sev == "negligible" ? "low" : sev];
    }
  }
  return out;
}

TEST_F(VulnApi, TrivyReportImportsWithTheFilesCountsAndReimportChangesNothing) {
  std::string image = NewImage("alpine", "3.9");
  std::string text = ReadConformance("scanners/trivy/trivy-integration_alpine-39.json");
  ASSERT_FALSE(text.empty());
  Reply r = Upload("/api/v1/images/" + image + "/vulnerabilities/import", text);
  ASSERT_EQ(r.status, 201) << r.body;
  auto s = r.Json();
  auto want = TrivySeverities(*json::Parse(text));
  int64_t total = 0;
  for (const auto& [sev, n] : want) {
    EXPECT_EQ(s.at("by_severity").at(sev), n) << sev;
    total += n;
  }
  EXPECT_EQ(s.at("vulnerabilities"), total);
  EXPECT_EQ(s.at("new"), total);
  EXPECT_EQ(s.at("format"), "trivy");
  EXPECT_EQ(static_cast<int64_t>(Findings(image).size()), total);

  Reply again = Upload("/api/v1/images/" + image + "/vulnerabilities/import", text);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json().at("duplicate"), true);
  EXPECT_EQ(again.Json().at("new"), 0);
  EXPECT_EQ(static_cast<int64_t>(Findings(image).size()), total);
  // Every finding carries its urgency with the factors it came from.
  for (const auto& f : Findings(image)) {
    const auto& u = f.at("urgency");
    EXPECT_GE(u.at("score").to_number<double>(), 0.0);
    EXPECT_TRUE(u.at("factors").as_object().contains("cvss"));
  }
}

TEST_F(VulnApi, ANewerReportFixesWhatItNoLongerLists) {
  std::string image = NewImage("debian", "12.1");
  auto doc = [](const std::string& vulns) {
    return R"({"SchemaVersion":2,"ArtifactName":"x","ArtifactType":"container_image","Results":[
      {"Target":"x","Class":"os-pkgs","Type":"debian","Vulnerabilities":[)" +
           vulns + "]}]}";
  };
  std::string a =
      R"({"VulnerabilityID":"CVE-2023-0001","PkgName":"openssl","InstalledVersion":"3.0.1","FixedVersion":"3.0.2","Severity":"HIGH"})";
  std::string b =
      R"({"VulnerabilityID":"CVE-2023-0002","PkgName":"zlib","InstalledVersion":"1.2","Severity":"LOW"})";
  ASSERT_EQ(Upload("/api/v1/images/" + image + "/vulnerabilities/import", doc(a + "," + b)).status,
            201);
  clock_.Advance(std::chrono::minutes(5));
  Reply r = Upload("/api/v1/images/" + image + "/vulnerabilities/import", doc(b));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json().at("fixed"), 1);
  EXPECT_EQ(r.Json().at("unchanged"), 1);
  auto fixed = Findings(image, "&status=fixed");
  ASSERT_EQ(fixed.size(), 1u);
  EXPECT_EQ(fixed[0].at("vuln_id"), "CVE-2023-0001");
  EXPECT_FALSE(fixed[0].at("fixed_at").is_null());
  EXPECT_EQ(Findings(image).size(), 1u);
  // The trend has one point per import.
  auto trend = Get("/api/v1/images/" + image + "/vulnerabilities/trend").at("items").as_array();
  ASSERT_EQ(trend.size(), 2u);
  EXPECT_EQ(trend[0].at("high"), 1);
  EXPECT_EQ(trend[1].at("high"), 0);
}

TEST_F(VulnApi, BadDocumentsAre400AndWriteNothing) {
  std::string image = NewImage("rhel-9", "9.4");
  std::string text = ReadConformance("scanners/trivy/trivy-integration_centos-7.json");
  Reply truncated = Upload("/api/v1/images/" + image + "/vulnerabilities/import",
                           text.substr(0, text.size() / 2));
  EXPECT_EQ(truncated.status, 400) << truncated.body;
  Reply not_json = Upload("/api/v1/images/" + image + "/vulnerabilities/import", "hello");
  EXPECT_EQ(not_json.status, 400);
  Reply wrong = Call("POST", "/api/v1/images/" + image + "/vulnerabilities/import?format=spdx",
                     admin_token_, text);
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  Reply scan_as_sbom = Upload("/api/v1/images/" + image + "/sbom", text);
  EXPECT_EQ(scan_as_sbom.status, 400);
  EXPECT_EQ(Findings(image).size(), 0u);
  EXPECT_EQ(Get("/api/v1/images/" + image + "/components").at("items").as_array().size(), 0u);
}

TEST_F(VulnApi, SbomComponentsMatchTheCatalogAndExposureFollowsLineage) {
  // The catalog: log4j's advisory (OSV, aliases CVE-2021-44228) and CISA KEV.
  auto osv =
      vulns_.ImportFeed("osv", ReadConformance("vulnfeeds/osv/valid/GHSA-jfh8-c2jp-5v3q.json"));
  ASSERT_TRUE(osv) << osv.error().ToString();
  EXPECT_GE(osv->affected_packages, 1);
  auto kev = vulns_.ImportFeed(
      "kev", ReadConformance("vulnfeeds/kev/known_exploited_vulnerabilities.json"));
  ASSERT_TRUE(kev) << kev.error().ToString();
  EXPECT_EQ(kev->records, 1404);

  std::string parent = NewImage("java-base", "1.0");
  std::string child = NewImage("java-app", "1.0");
  Post("/api/v1/images/" + child + "/lineage/parents",
       R"({"parent_id":")" + parent + R"(","relation":"derived_from"})");
  std::string site = NewSite("use1");
  Post("/api/v1/assets/bulk",
       R"({"assets":[
    {"platform":"aws","instance_id":"p1","environment":"production","site_id":")" +
           site +
           R"(","image_family":"java-app","image_version":"1.0"},
    {"platform":"aws","instance_id":"s1","environment":"staging","image_family":"java-base","image_version":"1.0"}]})",
       200);
  std::string bom = R"({"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
    {"type":"library","bom-ref":"log4j","name":"log4j-core","version":"2.14.1",
     "purl":"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
    {"type":"library","bom-ref":"safe","name":"log4j-core-new","version":"2.17.1",
     "purl":"pkg:maven/org.apache.logging.log4j/log4j-api@2.17.1"}],
    "dependencies":[{"ref":"log4j","dependsOn":["safe"]}]})";
  Reply r = Upload("/api/v1/images/" + parent + "/sbom", bom);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json().at("components"), 2);
  EXPECT_EQ(r.Json().at("matched"), 1);
  auto findings = Findings(parent);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].at("vuln_id"), "GHSA-jfh8-c2jp-5v3q");
  EXPECT_EQ(findings[0].at("severity"), "critical");
  EXPECT_EQ(findings[0].at("kev"), true);  // through the CVE alias
  EXPECT_EQ(findings[0].at("source"), "match");
  EXPECT_NE(std::string(findings[0].at("fixed_version").as_string()).find("2.15.0"),
            std::string::npos);
  // CVSS 10, exploit known and KEV, on 1 of the 2 assets (staging): (100 + 25 + 20 + 5) / 2.
  EXPECT_EQ(findings[0].at("urgency").at("score").to_number<double>(), 75.0);
  EXPECT_EQ(findings[0].at("urgency").at("priority"), "p2");

  auto exp = Get("/api/v1/vulnerabilities/CVE-2021-44228/exposure");
  auto images = exp.at("images").as_array();
  ASSERT_EQ(images.size(), 2u) << exp;
  EXPECT_EQ(images[0].at("inherited"), false);
  EXPECT_EQ(std::string(images[1].at("image_id").as_string()), child);
  EXPECT_EQ(images[1].at("inherited"), true);
  EXPECT_EQ(exp.at("assets"), 2);
  EXPECT_EQ(exp.at("by_environment").at("production"), 1);
  EXPECT_EQ(exp.at("by_environment").at("staging"), 1);
  Get("/api/v1/vulnerabilities/CVE-1999-0000/exposure", 404);

  // A new advisory re-evaluates the stored SBOM without a re-import.
  std::string advisory = R"({"id":"GHSA-test-0000-0001","modified":"2026-01-01T00:00:00Z",
    "aliases":["CVE-2099-1234"],"summary":"test advisory",
    "affected":[{"package":{"ecosystem":"Maven","name":"org.apache.logging.log4j:log4j-api"},
      "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"2.17.0"},{"fixed":"2.17.2"}]}]}]})";
  auto again = vulns_.ImportFeed("osv", advisory);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->new_findings, 1);
  EXPECT_EQ(Findings(parent).size(), 2u);

  // Components with the dependency graph, and an SBOM export that re-imports to the same content.
  auto comps = Get("/api/v1/images/" + parent + "/components").at("items").as_array();
  ASSERT_EQ(comps.size(), 2u);
  Reply cdx = Call("GET", "/api/v1/images/" + parent + "/sbom", admin_token_);
  ASSERT_EQ(cdx.status, 200);
  std::string copy = NewImage("java-base", "1.1");
  Reply re = Upload("/api/v1/images/" + copy + "/sbom", cdx.body);
  ASSERT_EQ(re.status, 201) << re.body;
  EXPECT_EQ(re.Json().at("components"), 2);
  EXPECT_EQ(re.Json().at("dependencies"), 1);
  auto copied = Get("/api/v1/images/" + copy + "/components").at("items").as_array();
  ASSERT_EQ(copied.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(copied[i].at("purl"), comps[i].at("purl"));
    EXPECT_EQ(copied[i].at("version"), comps[i].at("version"));
  }
  Reply spdx = Call("GET", "/api/v1/images/" + parent + "/sbom?format=spdx", admin_token_);
  ASSERT_EQ(spdx.status, 200);
  std::string copy2 = NewImage("java-base", "1.2");
  Reply re2 = Upload("/api/v1/images/" + copy2 + "/sbom", spdx.body);
  ASSERT_EQ(re2.status, 201) << re2.body;
  EXPECT_EQ(re2.Json().at("components"), 2);

  // CycloneDX XML: the same BOM as the JSON export, and it re-imports to the same components.
  Reply xml = Call("GET", "/api/v1/images/" + parent + "/sbom?format=cyclonedx-xml", admin_token_);
  ASSERT_EQ(xml.status, 200);
  EXPECT_EQ(xml.content_type, "application/vnd.cyclonedx+xml");
  auto from_xml = sbom::Parse(xml.body);
  auto from_json = sbom::Parse(cdx.body);
  ASSERT_TRUE(from_xml.has_value()) << from_xml.error().message << "\n" << xml.body;
  ASSERT_TRUE(from_json.has_value());
  EXPECT_EQ(from_xml->spec_version, "1.6");
  EXPECT_EQ(from_xml->components, from_json->components);
  EXPECT_EQ(from_xml->dependencies, from_json->dependencies);
  EXPECT_EQ(from_xml->subject, from_json->subject);
  std::string copy3 = NewImage("java-base", "1.3");
  Reply re3 =
      Upload("/api/v1/images/" + copy3 + "/sbom", xml.body, "application/vnd.cyclonedx+xml");
  ASSERT_EQ(re3.status, 201) << re3.body;
  EXPECT_EQ(re3.Json().at("components"), 2);
  EXPECT_EQ(re3.Json().at("dependencies"), 1);
  auto copied3 = Get("/api/v1/images/" + copy3 + "/components").at("items").as_array();
  ASSERT_EQ(copied3.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(copied3[i].at("purl"), comps[i].at("purl"));
  }
}

TEST_F(VulnApi, SuppressionsExpireAndVexDismisses) {
  std::string image = NewImage("ubuntu-22.04", "2026.01");
  std::string bom = R"({"bomFormat":"CycloneDX","specVersion":"1.5","version":1,
    "components":[{"type":"library","bom-ref":"c1","name":"openssl","version":"3.0.2",
      "purl":"pkg:deb/ubuntu/openssl@3.0.2"},
      {"type":"library","bom-ref":"c2","name":"zlib","version":"1.2.11","purl":"pkg:deb/ubuntu/zlib@1.2.11"}],
    "vulnerabilities":[
      {"id":"CVE-2023-1111","ratings":[{"severity":"high"}],"affects":[{"ref":"c1"}]},
      {"id":"CVE-2023-2222","ratings":[{"severity":"medium"}],"affects":[{"ref":"c2"}],
       "analysis":{"state":"not_affected","justification":"code_not_reachable"}}]})";
  Reply r = Upload("/api/v1/images/" + image + "/vulnerabilities/import", bom);
  ASSERT_EQ(r.status, 201) << r.body;
  auto summary = Get("/api/v1/images/" + image + "/vulnerabilities/summary");
  EXPECT_EQ(summary.at("open"), 1);
  EXPECT_EQ(summary.at("suppressed"), 1);  // VEX not_affected
  auto dismissed = Findings(image, "&suppressed=true");
  ASSERT_EQ(dismissed.size(), 1u);
  EXPECT_EQ(dismissed[0].at("vex_status"), "not_affected");

  auto sup = Post("/api/v1/vulnerabilities/suppressions",
                  R"({"vuln_id":"CVE-2023-1111","scope":"image","scope_value":")" + image +
                      R"(","reason":"mitigated by seccomp","expires_at":"2026-01-01T02:00:00Z"})");
  EXPECT_EQ(Get("/api/v1/images/" + image + "/vulnerabilities/summary").at("open"), 0);
  // Expired: the finding re-surfaces.
  clock_.Advance(std::chrono::hours(3));
  admin_token_ = Login("admin", admin_password_);  // the session expired meanwhile
  EXPECT_EQ(Get("/api/v1/images/" + image + "/vulnerabilities/summary").at("open"), 1);
  auto listed = Get("/api/v1/vulnerabilities/suppressions?active=true").at("items").as_array();
  EXPECT_EQ(listed.size(), 0u);
  // Past expiry and bad scopes are refused.
  Reply past = Call(
      "POST", "/api/v1/vulnerabilities/suppressions", admin_token_,
      R"({"vuln_id":"CVE-2023-1111","scope":"org","reason":"x","expires_at":"2020-01-01T00:00:00Z"})");
  EXPECT_EQ(past.status, 400);
  Reply no_value = Call("POST", "/api/v1/vulnerabilities/suppressions", admin_token_,
                        R"({"vuln_id":"CVE-2023-1111","scope":"family","reason":"x"})");
  EXPECT_EQ(no_value.status, 400);
  EXPECT_EQ(no_value.Json().at("error").at("details").at("field"), "scope_value");
  Reply del = Call("DELETE",
                   "/api/v1/vulnerabilities/suppressions/" + std::string(sup.at("id").as_string()),
                   admin_token_);
  EXPECT_EQ(del.status, 204);
  // The VEX export carries the statement.
  auto vex = Get("/api/v1/images/" + image + "/vex");
  ASSERT_GE(vex.at("statements").as_array().size(), 1u);
  EXPECT_EQ(vex.at("statements").as_array()[0].at("status"), "not_affected");
}

TEST_F(VulnApi, OpenVexImportsDismissAndTheExportReimports) {
  std::string image = NewImage("alpine", "3.9");
  std::string scan =
      R"({"SchemaVersion":2,"ArtifactName":"alpine:3.9","ArtifactType":"container_image",
    "Results":[{"Target":"alpine 3.9","Class":"os-pkgs","Type":"alpine","Vulnerabilities":[
      {"VulnerabilityID":"CVE-2019-1549","PkgName":"openssl","InstalledVersion":"1.1.1c-r0",
       "PkgIdentifier":{"PURL":"pkg:apk/alpine/openssl@1.1.1c-r0"},"Severity":"MEDIUM"},
      {"VulnerabilityID":"CVE-2019-1563","PkgName":"openssl","InstalledVersion":"1.1.1c-r0",
       "PkgIdentifier":{"PURL":"pkg:apk/alpine/openssl@1.1.1c-r0"},"Severity":"LOW"}]}]})";
  ASSERT_EQ(Upload("/api/v1/images/" + image + "/vulnerabilities/import", scan).status, 201);
  EXPECT_EQ(Get("/api/v1/images/" + image + "/vulnerabilities/summary").at("open"), 2);

  std::string vex = R"({"@context":"https://openvex.dev/ns/v0.2.0",
    "@id":"https://example.com/vex/1","author":"sec@example.com",
    "timestamp":"2024-01-01T00:00:00Z","version":1,"statements":[
      {"vulnerability":{"name":"CVE-2019-1549"},
       "products":[{"@id":"pkg:apk/alpine/openssl@1.1.1c-r0"}],
       "status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]})";
  Reply r = Upload("/api/v1/images/" + image + "/vulnerabilities/import", vex,
                   "application/openvex+json");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json().at("kind"), "vex");
  EXPECT_EQ(r.Json().at("vex_statements"), 1);
  auto summary = Get("/api/v1/images/" + image + "/vulnerabilities/summary");
  EXPECT_EQ(summary.at("open"), 1);
  EXPECT_EQ(summary.at("suppressed"), 1);
  auto dismissed = Findings(image, "&suppressed=true");
  ASSERT_EQ(dismissed.size(), 1u);
  EXPECT_EQ(dismissed[0].at("vuln_id"), "CVE-2019-1549");
  EXPECT_EQ(dismissed[0].at("vex_status"), "not_affected");
  // The same document again changes nothing.
  Reply again = Upload("/api/v1/images/" + image + "/vulnerabilities/import", vex,
                       "application/openvex+json");
  ASSERT_EQ(again.status, 200) << again.body;  // a duplicate creates nothing
  EXPECT_EQ(again.Json().at("duplicate"), true);

  // The image's VEX export, imported into another image with the same findings, dismisses the
  // same finding there.
  Reply exported = Call("GET", "/api/v1/images/" + image + "/vex", admin_token_);
  ASSERT_EQ(exported.status, 200);
  std::string other = NewImage("alpine", "3.9.1");
  ASSERT_EQ(Upload("/api/v1/images/" + other + "/vulnerabilities/import", scan).status, 201);
  Reply re = Upload("/api/v1/images/" + other + "/vulnerabilities/import", exported.body,
                    "application/openvex+json");
  ASSERT_EQ(re.status, 201) << re.body;
  auto other_dismissed = Findings(other, "&suppressed=true");
  ASSERT_EQ(other_dismissed.size(), 1u);
  EXPECT_EQ(other_dismissed[0].at("vuln_id"), "CVE-2019-1549");
}

TEST_F(VulnApi, UrgencyFollowsTheFormula) {
  services::UrgencyFactors f;
  f.cvss = 9.8;
  f.exploit_known = true;
  f.kev = true;
  f.production = true;
  f.fleet_percent = 40;
  f.epss = 0.9;
  auto u = services::ScoreUrgency(f);
  // (98 + 25 + 20 + 15 + 4 + 18) / 2 = 90
  EXPECT_DOUBLE_EQ(u.score, 90.0);
  EXPECT_EQ(u.priority, "p1");
  EXPECT_EQ(u.sla_hours, 24);
  f = {};
  f.cvss = 7.5;
  f.fleet_percent = 250;  // capped at 10 points
  u = services::ScoreUrgency(f);
  EXPECT_DOUBLE_EQ(u.score, 42.5);
  EXPECT_EQ(u.priority, "p3");
  EXPECT_EQ(u.sla_hours, 168);
  f = {};
  f.cvss = 10;
  f.exploit_known = f.kev = f.production = true;
  f.fleet_percent = 100;
  f.epss = 1;
  EXPECT_DOUBLE_EQ(services::ScoreUrgency(f).score, 95.0);
  f.cvss = 5;
  EXPECT_EQ(services::ScoreUrgency(f).priority, "p2");  // (50+25+20+15+10+20)/2 = 70
}

// --- Policies and OPA's REST Data API --------------------------------------------------------

class PolicyApi : public InventoryApi {
 protected:
  Reply Put(const std::string& name, const std::string& body) {
    return Call("PUT", "/api/v1/policies/" + name, admin_token_, body);
  }
  // A bundle {"file.rego": text} as an upload body.
  static std::string Bundle(const std::string& file, const std::string& text,
                            const std::string& mode = "enforce") {
    boost::json::object modules;
    modules[file] = text;
    return json::Serialize(boost::json::object{{"modules", modules}, {"mode", mode}});
  }
  Reply Data(const std::string& path, const std::string& body) {
    return Call("POST", "/v1/data/" + path, admin_token_, body);
  }
  static std::string PlanInput(int batch_pct, bool canary) {
    boost::json::array phases;
    if (canary) {
      phases.push_back({{"name", "canary"},
                        {"canary", true},
                        {"targets", 5},
                        {"health_checks", {"http_200"}},
                        {"wait_minutes", 15}});
    }
    int left = canary ? 95 : 100;
    for (int i = 0; left > 0; ++i) {
      int n = std::min(left, batch_pct);
      phases.push_back(
          {{"name", "wave-" + std::to_string(i)}, {"targets", n}, {"health_checks", {"http_200"}}});
      left -= n;
    }
    boost::json::object plan{
        {"total_targets", 100},
        {"phases", std::move(phases)},
        {"rollback",
         {{"automatic", true}, {"criteria", {{{"metric", "error_rate"}, {"threshold", 0.05}}}}}}};
    return json::Serialize(
        boost::json::object{{"input",
                             {{"task", {{"environment", "production"}, {"risk_level", "high"}}},
                              {"plan", std::move(plan)}}}});
  }
  double Metric(const std::string& series) {
    std::string text = metrics_.Render();
    auto pos = text.find("\n" + series + " ");
    return pos == std::string::npos ? -1 : std::stod(text.substr(pos + series.size() + 2));
  }
};

const char* const kV1 = R"(package qlrf.gate

deny contains "too many" if input.n > 10

test_small_allowed if count(deny) == 0 with input as {"n": 1}
test_large_denied if deny with input as {"n": 11}
)";

const char* const kV2 = R"(package qlrf.gate

deny contains "too many" if input.n > 5

test_large_denied if deny with input as {"n": 6}
)";

TEST_F(PolicyApi, BuiltinPlanSafetyAnswersTheDataApiAndEveryDecisionIsLogged) {
  Reply ok = Data("qlrf/plan_safety/deny", PlanInput(20, true));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json().at("result"), boost::json::array());
  EXPECT_FALSE(ok.Json().as_object().contains("warning"));
  Reply bad = Data("qlrf/plan_safety/deny", PlanInput(50, false));
  ASSERT_EQ(bad.status, 200) << bad.body;
  EXPECT_GE(bad.Json().at("result").as_array().size(), 2u) << bad.body;  // batch and canary

  auto log = Get("/api/v1/policies/decisions").at("items").as_array();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].at("policy"), "plan_safety");
  EXPECT_EQ(log[0].at("version"), 0);
  EXPECT_EQ(log[0].at("path"), "qlrf/plan_safety/deny");
  EXPECT_EQ(log[0].at("input_sha256").as_string().size(), 64u);
  EXPECT_EQ(Get("/api/v1/policies/decisions?denied=true").at("items").as_array().size(), 1u);
  EXPECT_EQ(Get("/api/v1/policies/decisions?denied=false").at("items").as_array().size(), 1u);
  EXPECT_EQ(Get("/api/v1/policies/decisions?policy=sop_safety").at("items").as_array().size(), 0u);
  EXPECT_EQ(
      Get("/api/v1/policies/decisions?since=2030-01-01T00:00:00Z").at("items").as_array().size(),
      0u);
  // The clock stands at 2026-01-01T00:00:00Z: a bound without fractions still includes it.
  EXPECT_EQ(
      Get("/api/v1/policies/decisions?since=2026-01-01T00:00:00Z").at("items").as_array().size(),
      2u);
  EXPECT_EQ(Call("GET", "/api/v1/policies/decisions?since=yesterday", admin_token_).status, 400);
  auto page = Get("/api/v1/policies/decisions?limit=1");
  ASSERT_TRUE(page.at("next_cursor").is_string());
  auto next = Get("/api/v1/policies/decisions?limit=1&cursor=" +
                  std::string(page.at("next_cursor").as_string()));
  EXPECT_EQ(next.at("items").as_array().size(), 1u);
  EXPECT_NE(next.at("items").at(0).at("id"), page.at("items").at(0).at("id"));
}

TEST_F(PolicyApi, DataApiSpeaksOpasShapes) {
  // A whole package as an object; GET with ?input=; no input at all.
  Reply pkg = Data("qlrf/plan_safety", PlanInput(20, true));
  ASSERT_EQ(pkg.status, 200) << pkg.body;
  EXPECT_TRUE(pkg.Json().at("result").as_object().contains("deny"));
  Reply get = Call("GET", "/v1/data/qlrf/plan_safety/max_production_batch_pct", admin_token_);
  ASSERT_EQ(get.status, 200) << get.body;
  EXPECT_EQ(get.Json().at("result"), 20);
  Reply q =
      Call("GET", "/v1/data/qlrf/plan_safety/deny?input=%7B%22task%22%3A%7B%7D%7D", admin_token_);
  EXPECT_EQ(q.status, 200) << q.body;
  // Undefined: 200 without a result, like OPA.
  Reply undefined = Data("qlrf/no_such_policy/deny", R"({"input":{}})");
  ASSERT_EQ(undefined.status, 200) << undefined.body;
  EXPECT_FALSE(undefined.Json().as_object().contains("result"));
  EXPECT_FALSE(undefined.Json().at("decision_id").as_string().empty());
  // A body without the "input" key: answered, with OPA's usage warning.
  Reply warn = Data("qlrf/plan_safety/max_canary_pct", R"({"task":{}})");
  ASSERT_EQ(warn.status, 200) << warn.body;
  EXPECT_EQ(warn.Json().at("warning").at("code"), "api_usage_warning");
  // Not JSON: 400 in OPA's error shape.
  Reply notjson = Data("qlrf/plan_safety/deny", "{\"input\": ");
  EXPECT_EQ(notjson.status, 400);
  EXPECT_EQ(notjson.Json().at("code"), "invalid_parameter");
  EXPECT_FALSE(notjson.Json().at("message").as_string().empty());
  Reply badpath = Data("qlrf/plan$safety/deny", R"({"input":{}})");
  EXPECT_EQ(badpath.status, 400);
  EXPECT_EQ(badpath.Json().at("code"), "invalid_parameter");
  // Authenticated like the rest of the API.
  EXPECT_EQ(Call("POST", "/v1/data/qlrf/plan_safety/deny", "", R"({"input":{}})").status, 401);
}

TEST_F(PolicyApi, UploadWithAParseErrorIsRefusedWithRowAndColumn) {
  ASSERT_EQ(Put("gate", Bundle("gate.rego", kV1)).status, 201);
  Reply r = Put("gate", Bundle("gate.rego",
                               "package qlrf.gate\n\ndeny contains \"x\" if {\n  input.n >\n}\n"));
  ASSERT_EQ(r.status, 400) << r.body;
  auto e = r.Json().at("errors").at(0);
  EXPECT_EQ(e.at("code"), "rego_parse_error");
  EXPECT_EQ(e.at("location").at("file"), "gate.rego");
  EXPECT_GE(e.at("location").at("row").as_int64(), 4);
  EXPECT_GE(e.at("location").at("col").as_int64(), 1);
  EXPECT_EQ(r.Json().at("error").at("details").at("row"), e.at("location").at("row"));
  // The enforced version stays; the rejected one is on record.
  auto v = Get("/api/v1/policies/gate");
  EXPECT_EQ(v.at("policy").at("enforced_version"), 1);
  EXPECT_EQ(v.at("versions").at(0).at("status"), "rejected");
  EXPECT_EQ(v.at("versions").at(0).at("version"), 2);
  Reply d = Data("qlrf/gate/deny", R"({"input":{"n":11}})");
  EXPECT_EQ(d.Json().at("result").as_array().size(), 1u);
  // An unknown function is a compile error, also 400.
  Reply c = Put(
      "gate", Bundle("gate.rego", "package qlrf.gate\n\ndeny contains x if x := no_such_fn(1)\n"));
  ASSERT_EQ(c.status, 400) << c.body;
  EXPECT_EQ(std::string(c.Json().at("errors").at(0).at("code").as_string()).rfind("rego_", 0), 0u);
}

TEST_F(PolicyApi, UploadWhoseTestsFailIsRefusedAndTheEnforcedVersionStays) {
  ASSERT_EQ(Put("gate", Bundle("gate.rego", kV1)).status, 201);
  std::string failing =
      std::string(kV2) + "\ntest_six_allowed if count(deny) == 0 with input as {\"n\": 6}\n";
  Reply r = Put("gate", Bundle("gate.rego", failing));
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.Json().at("tests").at("failed"), 1);
  EXPECT_EQ(r.Json().at("tests").at("passed"), 1);
  EXPECT_EQ(r.Json().at("errors").at(0).at("code"), "test_failed");
  EXPECT_NE(r.Json().at("errors").at(0).at("message").as_string().find("test_six_allowed"),
            std::string::npos);
  Reply d = Data("qlrf/gate/deny", R"({"input":{"n":6}})");
  EXPECT_EQ(d.Json().at("result"), boost::json::array()) << "version 1 (n > 10) still enforced";
  // Both attempts are audited.
  auto audit = Get("/api/v1/audit?limit=10").at("items").as_array();
  int uploads = 0;
  int rejects = 0;
  for (const auto& e : audit) {
    uploads += e.at("action") == "policy.upload";
    rejects += e.at("action") == "policy.reject";
  }
  EXPECT_EQ(uploads, 1);
  EXPECT_EQ(rejects, 1);
}

TEST_F(PolicyApi, ShadowVersionIsLoggedAndCountedButNeverEnforcedUntilPromoted) {
  ASSERT_EQ(Put("gate", Bundle("gate.rego", kV1)).status, 201);
  Reply up = Put("gate", Bundle("gate.rego", kV2, "shadow"));
  ASSERT_EQ(up.status, 201) << up.body;
  EXPECT_EQ(up.Json().at("bundle").at("status"), "shadow");
  // n = 7: v1 allows, the shadow v2 would deny.
  Reply d = Data("qlrf/gate/deny", R"({"input":{"n":7}})");
  EXPECT_EQ(d.Json().at("result"), boost::json::array());
  Reply same = Data("qlrf/gate/deny", R"({"input":{"n":1}})");
  EXPECT_EQ(same.Json().at("result"), boost::json::array());
  auto shadow = Get("/api/v1/policies/decisions?shadow=true").at("items").as_array();
  ASSERT_EQ(shadow.size(), 2u);
  int differing = 0;
  for (const auto& row : shadow) {
    EXPECT_EQ(row.at("version"), 2);
    differing += row.at("differs_from_enforced").as_bool();
  }
  EXPECT_EQ(differing, 1);
  EXPECT_EQ(Metric("qlrf_policy_shadow_differences_total"), 1);
  EXPECT_EQ(Metric("qlrf_policy_shadow_evaluations_total"), 2);
  auto list = Get("/api/v1/policies").at("items").as_array();
  bool found = false;
  for (const auto& p : list) {
    if (p.at("name") == "gate") {
      found = true;
      EXPECT_EQ(p.at("enforced_version"), 1);
      EXPECT_EQ(p.at("shadow_version"), 2);
      EXPECT_FALSE(p.at("builtin").as_bool());
    }
  }
  EXPECT_TRUE(found);

  Reply promoted = Call("POST", "/api/v1/policies/gate/promote", admin_token_);
  ASSERT_EQ(promoted.status, 200) << promoted.body;
  EXPECT_EQ(promoted.Json().at("status"), "enforced");
  EXPECT_EQ(Data("qlrf/gate/deny", R"({"input":{"n":7}})").Json().at("result").as_array().size(),
            1u);
  EXPECT_EQ(Call("POST", "/api/v1/policies/gate/promote", admin_token_).status, 404);
  auto versions = Get("/api/v1/policies/gate").at("versions").as_array();
  EXPECT_EQ(versions.at(0).at("status"), "enforced");
  EXPECT_EQ(versions.at(1).at("status"), "superseded");
}

TEST_F(PolicyApi, UploadedVersionReplacesTheBuiltinOfItsName) {
  auto builtin = Get("/api/v1/policies/plan_safety");
  EXPECT_TRUE(builtin.at("policy").at("builtin").as_bool());
  EXPECT_EQ(builtin.at("policy").at("enforced_version"), 0);
  EXPECT_FALSE(builtin.at("versions").at(0).at("modules").as_object().empty());
  Reply r = Put("plan_safety", Bundle("plan.rego", R"(package qlrf.plan_safety

deny contains "no plans today" if true

test_denies if count(deny) == 1
)"));
  ASSERT_EQ(r.status, 201) << r.body;
  Reply d = Data("qlrf/plan_safety/deny", PlanInput(20, true));
  EXPECT_EQ(d.Json().at("result"), boost::json::array({"no plans today"}));
  auto v = Get("/api/v1/policies/plan_safety");
  EXPECT_EQ(v.at("policy").at("enforced_version"), 1);
  EXPECT_EQ(v.at("versions").as_array().back().at("status"), "superseded");
  // Fail-closed decide endpoint: the reason comes from the policy.
  Reply dec = Call("POST", "/api/v1/policies/decide", admin_token_,
                   R"({"path":"qlrf/plan_safety/deny","input":{}})");
  ASSERT_EQ(dec.status, 200) << dec.body;
  EXPECT_TRUE(dec.Json().at("denied").as_bool());
  EXPECT_EQ(dec.Json().at("reasons").at(0), "no plans today");
}

TEST_F(PolicyApi, BundleDataIsVisibleToItsRulesAndListsPageByName) {
  boost::json::object modules;
  modules["limits.rego"] = R"(package qlrf.limits

deny contains "over the limit" if input.n > data.qlrf.limits.max

test_limit_from_data if deny with input as {"n": 4}
)";
  Reply r =
      Put("limits", json::Serialize(boost::json::object{
                        {"modules", modules}, {"data", {{"qlrf", {{"limits", {{"max", 3}}}}}}}}));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json().at("bundle").at("data").at("qlrf").at("limits").at("max"), 3);
  EXPECT_EQ(Data("qlrf/limits/deny", R"({"input":{"n":4}})").Json().at("result").as_array().size(),
            1u);
  EXPECT_EQ(Data("qlrf/limits/max", R"({"input":{}})").Json().at("result"), 3);
  // Built-ins and uploads, by name, one page at a time.
  std::vector<std::string> names;
  std::string cursor;
  for (int i = 0; i < 20; ++i) {
    auto page = Get("/api/v1/policies?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const auto& p : page.at("items").as_array()) {
      names.emplace_back(p.at("name").as_string());
    }
    if (page.at("next_cursor").is_null()) break;
    cursor = std::string(page.at("next_cursor").as_string());
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  EXPECT_NE(std::find(names.begin(), names.end(), "limits"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "plan_safety"), names.end());
  EXPECT_GE(names.size(), 8u);  // seven shipped policies and this one
}

TEST_F(PolicyApi, RunawayPolicyReturnsAnErrorInsteadOfHanging) {
  ASSERT_EQ(Put("spin", Bundle("spin.rego", R"(package qlrf.spin

deny contains "big" if count([1 |
  some a in input.xs
  some b in input.xs
  some c in input.xs
  a + b + c >= 0
]) > 0

test_empty_allowed if count(deny) == 0 with input as {"xs": []}
)"))
                .status,
            201);
  boost::json::array xs;
  for (int i = 0; i < 300; ++i) xs.emplace_back(i);
  Reply r = Data("qlrf/spin/deny", json::Serialize(boost::json::object{{"input", {{"xs", xs}}}}));
  ASSERT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(r.Json().at("code"), "internal_error");
  EXPECT_EQ(r.Json().at("errors").at(0).at("code"), "eval_cancel_error");
  // Through the fail-closed decider it is a denial naming the failure; both are logged.
  Reply dec = Call(
      "POST", "/api/v1/policies/decide", admin_token_,
      json::Serialize(boost::json::object{{"path", "qlrf/spin/deny"}, {"input", {{"xs", xs}}}}));
  ASSERT_EQ(dec.status, 200) << dec.body;
  EXPECT_TRUE(dec.Json().at("denied").as_bool());
  EXPECT_FALSE(dec.Json().at("error").as_string().empty());
  auto log = Get("/api/v1/policies/decisions?policy=spin").at("items").as_array();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_FALSE(log[0].at("error").as_string().empty());
  EXPECT_TRUE(log[0].at("denied").as_bool());
}

TEST_F(PolicyApi, BadUploadsAre400AndViewersCannotUpload) {
  EXPECT_EQ(Put("Bad-Name", Bundle("a.rego", kV1)).status, 400);
  EXPECT_EQ(Put("gate", R"({"modules":{}})").status, 400);
  EXPECT_EQ(Put("gate", R"({"modules":{"a.txt":"package x"}})").status, 400);
  EXPECT_EQ(Put("gate", R"({"modules":{"a.rego":"package qlrf.gate"},"mode":"maybe"})").status,
            400);
  EXPECT_EQ(Call("GET", "/api/v1/policies/no_such_policy", admin_token_).status, 404);
  Reply key = Call("POST", "/api/v1/api-keys", admin_token_, R"({"name":"v","role":"viewer"})");
  ASSERT_EQ(key.status, 201) << key.body;
  std::string viewer(key.Json().at("key").as_string());
  EXPECT_EQ(Call("PUT", "/api/v1/policies/gate", viewer, Bundle("a.rego", kV1)).status, 403);
  // …but may ask for decisions with its API key, like an OPA client.
  EXPECT_EQ(Call("POST", "/v1/data/qlrf/plan_safety/deny", viewer, PlanInput(20, true)).status,
            200);
}
}  // namespace
}  // namespace qlrf::api
