// The HTTP pipeline end to end through the Dispatcher (no sockets): error shapes, auth, RBAC,
// rate limits, the tenant-isolation walk over the whole route table, and response contracts.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <future>
#include <set>

#include "api/dispatcher.h"
#include "api/routes.h"
#include "common/json.h"
#include "common/json_schema/json_schema.h"
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
    auto d = Dispatcher::Create(std::move(routes), auth_, metrics_, clock_, random_, opts);
    ASSERT_TRUE(d) << d.error().ToString();
    dispatcher_ = std::move(*d);
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
    return Reply{r.status, r.body, r.headers};
  }

  testing::FakeClock clock_;
  testing::FakeRandom random_{7};
  bool available_ = false;
  std::unique_ptr<storage::Database> db_ = DatabaseOrPlaceholder(available_);
  services::SessionTokens sessions_{"0123456789abcdef0123456789abcdef", 3600, clock_};
  services::Auditor auditor_{clock_, random_};
  services::Authenticator auth_{*db_, sessions_, nullptr, clock_, random_, {}};
  services::IdentityService identity_{*db_, auditor_, auth_, sessions_, clock_, random_};
  metrics::Registry metrics_;
  std::string openapi_;
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

TEST_F(TenantIsolation, EveryRouteHidesOrgAFromOrgB) {
  SeedOrgA();
  std::string b = OrgBAdmin();
  int checked = 0;
  for (const auto& route : dispatcher_->routes()) {
    if (!route.authenticated) {
      continue;
    }
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
    }
    if (!route.request_schema.empty()) {
      ASSERT_FALSE(route.example.empty())
          << route.method << " " << route.path << " needs an example request body";
    }
    Reply r = Call(route.method, path, b, route.example);
    SCOPED_TRACE(route.method + " " + route.path + " -> " + std::to_string(r.status) + " " +
                 r.body.substr(0, 300));
    if (has_param) {
      EXPECT_EQ(r.status, 404);
    } else {
      EXPECT_NE(r.status, 403);
      EXPECT_LT(r.status, 500);
    }
    for (const auto& [name, id] : fixtures_) {
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

}  // namespace
}  // namespace qlrf::api
