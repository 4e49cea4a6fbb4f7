// PolicyService and the deciders below the HTTP layer: the decision deadline on a real clock,
// fail-closed Decide, what counts as a denial, path normalisation, and the remote decider
// against scripted HTTP answers (results, undefined, 5xx, timeouts, refused connections).
#include "services/policy/policy_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>
#include <thread>

#include "common/json.h"
#include "storage/identity_store.h"
#include "storage/migrations.h"
#include "storage/sqlite/sqlite_database.h"
#include "testing/fake_http_client.h"
#include "testing/fakes.h"

namespace qlrf::services {
namespace {

namespace bj = boost::json;

// One org in an in-memory database, and a context acting for it.
class PolicyServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(storage::Migrate(*db_, clock_.Now()));
    ASSERT_TRUE(storage::WithWrite(*db_, "", [](storage::Transaction& tx) {
      return storage::IdentityStore::CreateOrg(
          tx, storage::Org{"org-1", "one", "one", std::nullopt, "plan_only", "t", "t"});
    }));
    ctx_.request_id = "req-1";
    ctx_.principal = Principal{PrincipalKind::kUser, "user-1", "org-1", "one", "admin", "", ""};
  }

  static BundleUpload Upload(const std::string& name, const std::string& text) {
    BundleUpload up;
    up.name = name;
    up.modules[name + ".rego"] = text;
    up.data = nullptr;
    return up;
  }

  std::unique_ptr<storage::Database> db_ =
      std::move(*storage::SqliteDatabase::Open(storage::SqliteOptions{":memory:"}));
  testing::FakeClock clock_;
  testing::FakeRandom random_{3};
  Auditor auditor_{clock_, random_};
  metrics::Registry metrics_;
  RequestContext ctx_;
};

constexpr const char* kSpin = R"(package qlrf.spin

deny contains "big" if count([1 |
  some a in input.xs
  some b in input.xs
  some c in input.xs
  a + b + c >= 0
]) > 0

test_empty_allowed if count(deny) == 0 with input as {"xs": []}
)";

bj::value SpinInput(int n) {
  bj::array xs;
  for (int i = 0; i < n; ++i) {
    xs.emplace_back(i);
  }
  return {{"xs", std::move(xs)}};
}

TEST_F(PolicyServiceTest, DeadlineStopsARunawayPolicyOnARealClock) {
  SystemClock real;
  PolicyService service(*db_, auditor_, real, random_, metrics_,
                        {.timeout = std::chrono::milliseconds(20), .max_steps = uint64_t{1} << 40});
  auto up = service.Upload(ctx_, Upload("spin", kSpin));
  ASSERT_TRUE(up) << up.error().ToString();
  ASSERT_EQ(up->verdict, UploadOutcome::Verdict::kAccepted);
  bj::value input = SpinInput(400);  // 64 M iterations: minutes without the deadline
  auto r = service.Evaluate(ctx_, "qlrf/spin/deny", &input);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(policy::DescribeError(r.error()).code, "eval_cancel_error");

  EmbeddedPolicyDecider decider(service);
  PolicyDecision d = decider.Decide(ctx_, "qlrf/spin/deny", input);
  EXPECT_TRUE(d.denied);
  ASSERT_EQ(d.reasons.size(), 1u);
  EXPECT_NE(d.reasons[0].find("deadline"), std::string::npos) << d.reasons[0];
}

TEST_F(PolicyServiceTest, StepLimitStopsARunawayPolicy) {
  PolicyService service(*db_, auditor_, clock_, random_, metrics_,
                        {.timeout = std::chrono::milliseconds(0), .max_steps = 100000});
  ASSERT_TRUE(service.Upload(ctx_, Upload("spin", kSpin)));
  bj::value input = SpinInput(100);
  auto r = service.Evaluate(ctx_, "qlrf/spin/deny", &input);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kResourceExhausted);
  // The failure is in the decision log, as a denial.
  auto log = service.Decisions(ctx_, {}, {});
  ASSERT_TRUE(log);
  ASSERT_EQ(log->items.size(), 1u);
  EXPECT_TRUE(log->items[0].denied);
  EXPECT_NE(log->items[0].error.find("step limit"), std::string::npos);
}

TEST_F(PolicyServiceTest, BuiltinTestsPassUnderTheServerLimits) {
  // Every shipped policy must be accepted by its own upload gate (compile + test_ rules).
  PolicyService service(*db_, auditor_, clock_, random_, metrics_, {});
  auto list = service.List(ctx_, {.limit = 100});
  ASSERT_TRUE(list);
  EXPECT_GE(list->items.size(), 7u);
  for (const auto& p : list->items) {
    auto v = service.Versions(ctx_, p.name);
    ASSERT_TRUE(v);
    auto modules = json::Parse(v->versions.back().modules_json);
    ASSERT_TRUE(modules);
    BundleUpload up;
    up.name = p.name;
    up.modules = modules->as_object();
    up.data = nullptr;
    auto out = service.Upload(ctx_, up);
    ASSERT_TRUE(out) << out.error().ToString();
    EXPECT_EQ(out->verdict, UploadOutcome::Verdict::kAccepted)
        << p.name << ": " << (out->errors.empty() ? "" : out->errors[0].message);
    EXPECT_GT(out->tests.passed, 0) << p.name;
  }
}

TEST_F(PolicyServiceTest, ConcurrentDecisionsShareCommitsAndAreAllLogged) {
  PolicyService service(*db_, auditor_, clock_, random_, metrics_, {});
  bj::value input = {{"task", {{"environment", "staging"}}}};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto d = service.Evaluate(ctx_, "qlrf/plan_safety/deny", &input);
        EXPECT_TRUE(d) << d.error().ToString();
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  size_t total = 0;
  storage::PageRequest page{.limit = 500};
  auto rows = service.Decisions(ctx_, {}, page);
  ASSERT_TRUE(rows);
  total = rows->items.size();
  EXPECT_EQ(total, 200u);
  std::set<std::string> ids;
  for (const auto& r : rows->items) {
    ids.insert(r.id);
  }
  EXPECT_EQ(ids.size(), 200u);
}

TEST(DeniedBy, ReadsDenySetsBooleansAndObjects) {
  std::vector<std::string> reasons;
  EXPECT_TRUE(DeniedBy("qlrf/p/deny", bj::value(bj::array{"no canary"}), &reasons));
  EXPECT_EQ(reasons, std::vector<std::string>{"no canary"});
  EXPECT_FALSE(DeniedBy("qlrf/p/deny", bj::value(bj::array{}), nullptr));
  EXPECT_TRUE(DeniedBy("qlrf/p/allow", bj::value(false), nullptr));
  EXPECT_FALSE(DeniedBy("qlrf/p/allow", bj::value(true), nullptr));
  EXPECT_TRUE(DeniedBy("qlrf/p/allow", std::nullopt, nullptr));
  EXPECT_FALSE(DeniedBy("qlrf/p/deny", std::nullopt, nullptr));
  EXPECT_TRUE(
      DeniedBy("qlrf/p", bj::value({{"deny", bj::array{"x"}}, {"warn", bj::array{}}}), nullptr));
  EXPECT_TRUE(DeniedBy("qlrf/p", bj::value({{"allow", false}}), nullptr));
  EXPECT_FALSE(DeniedBy("qlrf/p", bj::value({{"deny", bj::array{}}, {"allow", true}}), nullptr));
  EXPECT_FALSE(DeniedBy("qlrf/p/warn", bj::value(bj::array{"careful"}), nullptr));
}

TEST(NormalizeDataPath, AcceptsSlashesDotsAndDataPrefix) {
  EXPECT_EQ(*NormalizeDataPath("qlrf/plan_safety/deny"), "qlrf/plan_safety/deny");
  EXPECT_EQ(*NormalizeDataPath("data.qlrf.plan_safety.deny"), "qlrf/plan_safety/deny");
  EXPECT_EQ(*NormalizeDataPath("qlrf/plan_safety/"), "qlrf/plan_safety");
  for (const char* bad : {"", "/", "qlrf//deny", "qlrf/p lan", "qlrf/$x", "a.b/c..d"}) {
    auto r = NormalizeDataPath(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().Detail("field"), "path") << bad;
  }
}

// An HttpClient that never answers in time.
class TimingOutHttpClient final : public HttpClient {
 public:
  Result<HttpClientResponse> Send(const HttpClientRequest& request) override {
    last_timeout = request.timeout;
    return Fail(Error(ErrorCode::kDeadlineExceeded, "operation timed out"));
  }
  std::chrono::milliseconds last_timeout{0};
};

TEST_F(PolicyServiceTest, RemoteDeciderReadsOpaAnswersAndFailsClosed) {
  PolicyService log(*db_, auditor_, clock_, random_, metrics_, {});
  testing::FakeHttpClient http;
  RemotePolicyDecider remote(http, log, clock_, random_,
                             {"http://opa:8181/", "secret", std::chrono::milliseconds(250)});
  const std::string url = "http://opa:8181/v1/data/qlrf/plan_safety/deny";
  bj::value input = {{"plan", {}}};

  http.Set(url, 200, R"({"result":["no canary"],"decision_id":"x"})");
  PolicyDecision denied = remote.Decide(ctx_, "qlrf/plan_safety/deny", input);
  EXPECT_TRUE(denied.denied);
  EXPECT_EQ(denied.source, "remote");
  EXPECT_EQ(denied.reasons, std::vector<std::string>{"no canary"});

  http.Set(url, 200, R"({"result":[]})");
  EXPECT_FALSE(remote.Decide(ctx_, "qlrf/plan_safety/deny", input).denied);

  http.Set(url, 200, R"({})");  // undefined
  auto undefined = remote.Evaluate(ctx_, "qlrf/plan_safety/deny", &input);
  ASSERT_TRUE(undefined);
  EXPECT_FALSE(undefined->result.has_value());

  http.Set(url, 503, R"({"code":"internal_error","message":"overloaded"})");
  auto unavailable = remote.Evaluate(ctx_, "qlrf/plan_safety/deny", &input);
  ASSERT_FALSE(unavailable);
  EXPECT_EQ(unavailable.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(unavailable.error().message.find("HTTP 503: overloaded"), std::string::npos);
  PolicyDecision d5 = remote.Decide(ctx_, "qlrf/plan_safety/deny", input);
  EXPECT_TRUE(d5.denied);
  EXPECT_NE(d5.reasons[0].find("503"), std::string::npos);

  http.Set(url, 200, "<html>not opa</html>");
  EXPECT_TRUE(remote.Decide(ctx_, "qlrf/plan_safety/deny", input).denied);

  http.Fail(url);
  PolicyDecision refused = remote.Decide(ctx_, "qlrf/plan_safety/deny", input);
  EXPECT_TRUE(refused.denied);
  EXPECT_NE(refused.reasons[0].find("unreachable"), std::string::npos);

  TimingOutHttpClient slow;
  RemotePolicyDecider timing_out(slow, log, clock_, random_,
                                 {"http://opa:8181", "", std::chrono::milliseconds(250)});
  PolicyDecision late = timing_out.Decide(ctx_, "qlrf/plan_safety/deny", input);
  EXPECT_TRUE(late.denied);
  EXPECT_EQ(slow.last_timeout, std::chrono::milliseconds(250));
  EXPECT_NE(late.reasons[0].find("did not answer within 250 ms"), std::string::npos);

  // Every remote decision, failures included, is in the decision log.
  auto rows = log.Decisions(ctx_, {}, {.limit = 50});
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->items.size(), 8u);
  for (const auto& r : rows->items) {
    EXPECT_EQ(r.source, "remote");
    EXPECT_EQ(r.policy, "qlrf/plan_safety/deny");
  }
}

}  // namespace
}  // namespace qlrf::services
