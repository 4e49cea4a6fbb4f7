// The one typed configuration object: defaults < config file (YAML) < RF_* environment < flags.
// Validated once at start-up; with RF_ENV=production unsafe settings stop the process.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/result.h"

namespace qlrf {

struct Config {
  std::string env = "development";      // RF_ENV: development | staging | production
  std::string listen = "0.0.0.0:8080";  // RF_LISTEN
  std::string data_dir = "./data";      // RF_DATA_DIR
  std::string database_url;             // RF_DATABASE_URL; default sqlite:///<data_dir>/qlrf.db
  int db_pool_size = 0;                 // RF_DB_POOL_SIZE; 0 = 2 × cores, at least 4
  std::string redis_url;                // RF_REDIS_URL (optional)
  std::string kafka_brokers;            // RF_KAFKA_BROKERS (optional)

  // Identity providers.
  std::string clerk_secret_key;       // RF_CLERK_SECRET_KEY
  std::string clerk_publishable_key;  // RF_CLERK_PUBLISHABLE_KEY
  std::string oidc_issuer;    // RF_OIDC_ISSUER (Clerk: https://<instance>.clerk.accounts.dev)
  std::string oidc_audience;  // RF_OIDC_AUDIENCE (optional)
  std::string oidc_jwks_url;  // RF_OIDC_JWKS_URL; default <issuer>/.well-known/jwks.json
  std::string oidc_org_claim = "org_id";     // RF_OIDC_ORG_CLAIM
  std::string oidc_role_claim = "org_role";  // RF_OIDC_ROLE_CLAIM

  std::string session_secret;  // RF_SESSION_SECRET; default: generated once, kept in the database
  int session_ttl_seconds = 3600;  // RF_SESSION_TTL_SECONDS

  std::string anthropic_api_key;  // RF_ANTHROPIC_API_KEY
  std::string openai_api_key;     // RF_OPENAI_API_KEY
  std::string webhook_secret;     // RF_WEBHOOK_SECRET

  double rate_limit_rps = 50;            // RF_RATE_LIMIT_RPS per principal; 0 disables
  int rate_limit_burst = 100;            // RF_RATE_LIMIT_BURST
  int64_t max_body_bytes = 10 << 20;     // RF_MAX_BODY_BYTES
  int64_t max_upload_bytes = 256 << 20;  // RF_MAX_UPLOAD_BYTES: SBOM/scanner document imports
  int http_threads = 0;                  // RF_HTTP_THREADS; 0 = cores
  std::string log_level = "info";        // RF_LOG_LEVEL: debug | info | warn | error
  bool access_log = true;                // RF_ACCESS_LOG

  // Policy decisions: embedded evaluation limits, or a remote OPA-compatible server.
  int policy_timeout_ms = 100;         // RF_POLICY_TIMEOUT_MS: deadline per decision
  int64_t policy_max_steps = 1000000;  // RF_POLICY_MAX_STEPS: expressions per decision
  std::string opa_url;                 // RF_OPA_URL: decisions go to {url}/v1/data/… when set
  std::string opa_token;               // RF_OPA_TOKEN: bearer token for that server
  int opa_timeout_ms = 500;            // RF_OPA_TIMEOUT_MS: then the decision fails closed

  std::string config_file;  // RF_CONFIG or --config

  std::string ListenHost() const;
  uint16_t ListenPort() const;
  bool production() const { return env == "production"; }
  bool development() const { return env == "development"; }
};

// Reads the config file named by `file` (or RF_CONFIG) and the environment. InvalidArgument
// naming the variable or key when a value has the wrong type or an unknown key is present.
Result<Config> LoadConfig(const Env& env, std::optional<std::string> file);

// Everything wrong with `config`, one line each; empty when it may start. In production this
// includes SQLite or localhost databases, no external identity provider and default secrets.
std::vector<std::string> ValidateConfig(const Config& config);

// Resolves the effective database URL (RF_DATABASE_URL or the SQLite default).
std::string EffectiveDatabaseUrl(const Config& config);

}  // namespace qlrf
