// Config loading precedence, type errors naming the setting, and production validation.
#include "common/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace qlrf {
namespace {

using Vars = std::map<std::string, std::string>;

bool Has(const std::vector<std::string>& problems, std::string_view needle) {
  for (const auto& p : problems) {
    if (p.find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(Config, DefaultsAreValidForDevelopment) {
  auto c = LoadConfig(MapEnv(Vars{}), std::nullopt);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->listen, "0.0.0.0:8080");
  EXPECT_EQ(c->ListenPort(), 8080);
  EXPECT_TRUE(ValidateConfig(*c).empty());
  EXPECT_EQ(EffectiveDatabaseUrl(*c).rfind("sqlite:///", 0), 0u);
}

TEST(Config, EnvironmentOverridesFile) {
  auto path = std::filesystem::temp_directory_path() / "qlrf-config-test.yaml";
  std::ofstream(path) << "listen: 127.0.0.1:9000\nlog_level: debug\nrate_limit_rps: 5\n";
  auto c = LoadConfig(MapEnv(Vars{{"RF_LISTEN", "127.0.0.1:9100"}}), path.string());
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->listen, "127.0.0.1:9100");
  EXPECT_EQ(c->log_level, "debug");
  EXPECT_DOUBLE_EQ(c->rate_limit_rps, 5);
  std::filesystem::remove(path);
}

TEST(Config, UnknownFileKeyIsNamed) {
  auto path = std::filesystem::temp_directory_path() / "qlrf-config-bad.yaml";
  std::ofstream(path) << "lisen: 1\n";
  auto c = LoadConfig(MapEnv(Vars{}), path.string());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().Detail("field"), "lisen");
  std::filesystem::remove(path);
}

TEST(Config, BadValuesNameTheVariable) {
  for (auto [k, v] : {std::pair{"RF_DB_POOL_SIZE", "many"}, std::pair{"RF_ENV", "prod"},
                      std::pair{"RF_RATE_LIMIT_RPS", "-1"}, std::pair{"RF_ACCESS_LOG", "maybe"}}) {
    auto c = LoadConfig(MapEnv(Vars{{k, v}}), std::nullopt);
    ASSERT_FALSE(c) << k;
    EXPECT_EQ(c.error().Detail("field"), k);
  }
}

TEST(Config, PolicySettingsHaveDefaultsAndBounds) {
  auto d = LoadConfig(MapEnv(Vars{}), std::nullopt);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->policy_timeout_ms, 100);
  EXPECT_EQ(d->opa_timeout_ms, 500);
  EXPECT_TRUE(d->opa_url.empty());
  auto c = LoadConfig(MapEnv(Vars{{"RF_OPA_URL", "http://opa:8181"},
                                  {"RF_OPA_TIMEOUT_MS", "250"},
                                  {"RF_POLICY_TIMEOUT_MS", "20"},
                                  {"RF_POLICY_MAX_STEPS", "50000"}}),
                      std::nullopt);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->opa_url, "http://opa:8181");
  EXPECT_EQ(c->opa_timeout_ms, 250);
  EXPECT_EQ(c->policy_timeout_ms, 20);
  EXPECT_EQ(c->policy_max_steps, 50000);
  EXPECT_TRUE(ValidateConfig(*c).empty());
  for (auto [k, v] : {std::pair{"RF_OPA_TIMEOUT_MS", "0"}, std::pair{"RF_POLICY_TIMEOUT_MS", "x"},
                      std::pair{"RF_POLICY_MAX_STEPS", "10"}}) {
    auto bad = LoadConfig(MapEnv(Vars{{k, v}}), std::nullopt);
    ASSERT_FALSE(bad) << k;
    EXPECT_EQ(bad.error().Detail("field"), k);
  }
  auto ftp = LoadConfig(MapEnv(Vars{{"RF_OPA_URL", "ftp://opa"}}), std::nullopt);
  ASSERT_TRUE(ftp);
  EXPECT_TRUE(Has(ValidateConfig(*ftp), "RF_OPA_URL must be an http(s) URL"));
}

TEST(Config, ProductionRefusesSqliteNoIdpAndDefaultSecrets) {
  auto c = LoadConfig(MapEnv(Vars{{"RF_ENV", "production"}, {"RF_SESSION_SECRET", "changeme"}}),
                      std::nullopt);
  ASSERT_TRUE(c);
  auto problems = ValidateConfig(*c);
  EXPECT_TRUE(Has(problems, "needs PostgreSQL"));
  EXPECT_TRUE(Has(problems, "no external identity provider"));
  EXPECT_TRUE(Has(problems, "RF_SESSION_SECRET is a known default"));
}

TEST(Config, ProductionRefusesLocalhostDatabase) {
  auto c = LoadConfig(MapEnv(Vars{{"RF_ENV", "production"},
                                  {"RF_DATABASE_URL", "postgres://app:pw@localhost:5432/qlrf"},
                                  {"RF_OIDC_ISSUER", "https://idp.example.com"}}),
                      std::nullopt);
  ASSERT_TRUE(c);
  auto problems = ValidateConfig(*c);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(Has(problems, "localhost"));
}

TEST(Config, ProductionAcceptsASafeSetup) {
  auto c = LoadConfig(MapEnv(Vars{{"RF_ENV", "production"},
                                  {"RF_DATABASE_URL", "postgres://app:pw@db.internal:5432/qlrf"},
                                  {"RF_OIDC_ISSUER", "https://idp.example.com"},
                                  {"RF_SESSION_SECRET", std::string(48, 'k')}}),
                      std::nullopt);
  ASSERT_TRUE(c);
  EXPECT_TRUE(ValidateConfig(*c).empty());
}

}  // namespace
}  // namespace qlrf
