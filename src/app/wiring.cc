// Wiring: config → database → services → route table → dispatcher → HTTP server.
#include "app/wiring.h"

#include "app/build_info.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "api/dispatcher.h"
#include "api/http/server.h"
#include "api/http/termination_signal.h"
#include "api/routes.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/random.h"
#include "integrations/dependency_probes.h"
#include "services/audit/auditor.h"
#include "services/identity/authenticator.h"
#include "services/identity/identity_service.h"
#include "services/identity/oidc.h"
#include "services/identity/session_tokens.h"
#include "services/policy/policy_service.h"
#include "storage/identity_store.h"
#include "storage/migrations.h"
#include "storage/postgres/postgres_database.h"
#include "storage/sqlite/sqlite_database.h"

namespace qlrf::app {

int DatabasePoolSize(const Config& config) {
  if (config.db_pool_size > 0) {
    return config.db_pool_size;
  }
  // Database sessions beyond about two per core only queue on the CPU: measured on 2 cores
  // against PostgreSQL with 16 clients, 4 connections gave p99 11 ms for an asset list where
  // 8 gave 15 ms and 16 gave 23 ms (and grouped counts 21 / 51 / 211 ms).
  return std::max(4, 2 * static_cast<int>(std::thread::hardware_concurrency()));
}

Result<std::unique_ptr<storage::Database>> OpenDatabase(const Config& config, bool migrate,
                                                        bool bulk_load) {
  std::string url = EffectiveDatabaseUrl(config);
  std::unique_ptr<storage::Database> db;
  if (url.rfind("sqlite://", 0) == 0) {
    storage::SqliteOptions o;
    o.path = url.substr(9);
    if (o.path != ":memory:") {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(o.path).parent_path(), ec);
      if (ec) {
        return Fail(
            Unavailable("cannot create the directory for '" + o.path + "': " + ec.message()));
      }
    }
    o.readers = DatabasePoolSize(config);
    o.bulk_load = bulk_load;
    QLRF_ASSIGN_OR_RETURN(auto sqlite, storage::SqliteDatabase::Open(o));
    db = std::move(sqlite);
  } else if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0) {
    storage::PostgresOptions o;
    o.url = url;
    o.pool_size = DatabasePoolSize(config);
    QLRF_ASSIGN_OR_RETURN(auto pg, storage::PostgresDatabase::Open(o));
    db = std::move(pg);
  } else {
    return Fail(FieldError("RF_DATABASE_URL", "must start with sqlite:// or postgres://"));
  }
  if (migrate) {
    QLRF_ASSIGN_OR_RETURN(auto report, storage::Migrate(*db, SystemClock().Now()));
    for (const auto& v : report.applied) {
      log::Info("migration applied", {{"version", v}});
    }
  }
  return db;
}

namespace {

// The session signing secret: RF_SESSION_SECRET, or one generated on first start and kept in
// the database so that every replica and restart agrees.
Result<std::string> SessionSecret(const Config& config, storage::Database& db, Random& random) {
  if (!config.session_secret.empty()) {
    return config.session_secret;
  }
  return storage::WithWrite(db, "", [&](storage::Transaction& tx) -> Result<std::string> {
    QLRF_ASSIGN_OR_RETURN(auto existing, storage::IdentityStore::GetSetting(tx, "session_secret"));
    if (existing) {
      return *existing;
    }
    std::string secret = RandomHex(random, 32);
    QLRF_TRY(storage::IdentityStore::PutSetting(tx, "session_secret", secret,
                                                FormatTime(SystemClock().Now())));
    return secret;
  });
}

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double ProcessRssBytes() {
  std::ifstream in("/proc/self/statm");
  long pages = 0;
  long rss = 0;
  in >> pages >> rss;
  return static_cast<double>(rss) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

}  // namespace

int Serve(const Config& config, const ServeOptions& options) {
  auto started = std::chrono::steady_clock::now();
  SystemClock clock;
  SystemRandom random;
  http::TerminationSignal signals;

  auto db = OpenDatabase(config, true);
  if (!db) {
    log::Error("cannot open the database", {{"error", db.error().ToString()}});
    std::fprintf(stderr, "qlrf: %s\n", db.error().ToString().c_str());
    return 1;
  }
  storage::Database& database = **db;
  auto secret = SessionSecret(config, database, random);
  if (!secret) {
    std::fprintf(stderr, "qlrf: %s\n", secret.error().ToString().c_str());
    return 1;
  }
  services::SessionTokens sessions(*secret, config.session_ttl_seconds, clock);
  services::AuthenticatorOptions auth_options;
  auth_options.dev_org_fallback = config.development();
  // External identity provider: RF_OIDC_ISSUER, or the issuer a Clerk publishable key names.
  std::unique_ptr<CurlHttpClient> http_client;
  std::unique_ptr<services::HttpJwksKeySource> jwks;
  std::unique_ptr<services::JoseOidcVerifier> oidc;
  std::string issuer = config.oidc_issuer;
  if (issuer.empty() && !config.clerk_publishable_key.empty()) {
    auto derived = services::ClerkIssuerFromPublishableKey(config.clerk_publishable_key);
    if (!derived) {
      std::fprintf(stderr, "qlrf: %s\n", derived.error().ToString().c_str());
      return 1;
    }
    issuer = *derived;
  }
  if (!issuer.empty()) {
    services::OidcOptions o;
    o.issuer = issuer;
    o.audience = config.oidc_audience;
    o.jwks_url =
        config.oidc_jwks_url.empty() ? services::DefaultJwksUrl(issuer) : config.oidc_jwks_url;
    o.org_claim = config.oidc_org_claim;
    o.role_claim = config.oidc_role_claim;
    http_client = std::make_unique<CurlHttpClient>();
    jwks =
        std::make_unique<services::HttpJwksKeySource>(*http_client, clock, o.jwks_url, o.cache_ttl);
    oidc = std::make_unique<services::JoseOidcVerifier>(*jwks, clock, o);
    log::Info("OIDC enabled", {{"issuer", o.issuer}, {"jwks_url", o.jwks_url}});
  }
  services::Authenticator auth(database, sessions, oidc.get(), clock, random, auth_options);
  services::Auditor auditor(clock, random);
  services::IdentityService identity(database, auditor, auth, sessions, clock, random);
  services::InventoryService inventory(database, auditor, clock, random);
  services::ImageService images(database, auditor, clock, random);
  services::VulnService vulns(database, auditor, clock, random);

  auto boot = identity.Bootstrap();
  if (!boot) {
    std::fprintf(stderr, "qlrf: bootstrap failed: %s\n", boot.error().ToString().c_str());
    return 1;
  }
  if (boot->created) {
    // Printed once to the console, never logged.
    std::printf(
        "\n  First start: created organization 'default' and user 'admin'.\n"
        "  Admin password (shown only now): %s\n"
        "  Log in:  curl -s -X POST localhost:%u/api/v1/auth/login -H 'Content-Type: "
        "application/json' -d '{\"login\":\"admin\",\"password\":\"%s\"}'\n\n",
        boot->admin_password.c_str(), config.ListenPort(), boot->admin_password.c_str());
    std::fflush(stdout);
  }

  metrics::Registry metrics;
  metrics.AddGauge("qlrf_db_pool_connections", "Database connections open",
                   [&database] { return static_cast<double>(database.Stats().size); });
  metrics.AddGauge("qlrf_db_pool_in_use", "Database connections in use",
                   [&database] { return static_cast<double>(database.Stats().in_use); });
  metrics.AddGauge("qlrf_db_pool_waits_total", "Connection acquisitions that waited",
                   [&database] { return static_cast<double>(database.Stats().waits_total); });
  if (const auto* sqlite = dynamic_cast<const storage::SqliteDatabase*>(&database)) {
    metrics.AddGauge("qlrf_db_sqlite_checkpoints_total", "WAL checkpoints run off the writer",
                     [sqlite] { return static_cast<double>(sqlite->Checkpoints().checkpoints); });
    metrics.AddGauge("qlrf_db_sqlite_checkpoint_failures_total",
                     "WAL checkpoints that failed or found it busy",
                     [sqlite] { return static_cast<double>(sqlite->Checkpoints().failures); });
  }
  metrics.AddGauge("process_cpu_seconds_total", "User and system CPU time", ProcessCpuSeconds);
  metrics.AddGauge("process_resident_memory_bytes", "Resident memory", ProcessRssBytes);
  double start_time = static_cast<double>(UnixSeconds(clock.Now()));
  metrics.AddGauge("process_start_time_seconds", "Start time (Unix)",
                   [start_time] { return start_time; });

  api::OpsDeps ops;
  ops.metrics = &metrics;
  ops.build = {kVersion, kGitCommit, kBuildTime, std::string(database.backend_name())};
  ops.checks.push_back({"database", true, [&database] { return database.Ping(); }});
  if (!config.redis_url.empty()) {
    auto endpoint = integrations::ParseRedisUrl(config.redis_url);
    if (!endpoint) {
      std::fprintf(stderr, "qlrf: %s\n", endpoint.error().ToString().c_str());
      return 1;
    }
    ops.checks.push_back({"redis", false, [e = *endpoint] {
                            return integrations::PingRedis(e, std::chrono::milliseconds(1000));
                          }});
  }
  std::shared_ptr<integrations::KafkaProbe> kafka;
  if (!config.kafka_brokers.empty()) {
    auto probe = integrations::KafkaProbe::Create(config.kafka_brokers);
    if (!probe) {
      std::fprintf(stderr, "qlrf: %s\n", probe.error().ToString().c_str());
      return 1;
    }
    kafka = std::move(*probe);
    ops.checks.push_back(
        {"kafka", false, [kafka] { return kafka->Ping(std::chrono::milliseconds(1000)); }});
  }
  std::string openapi;
  ops.openapi = [&openapi]() -> const std::string& { return openapi; };

  // Policy decisions: the embedded engine, or a remote OPA-compatible server (fail closed).
  services::PolicyServiceOptions policy_options;
  policy_options.timeout = std::chrono::milliseconds(config.policy_timeout_ms);
  policy_options.max_steps = static_cast<uint64_t>(config.policy_max_steps);
  services::PolicyService policies(database, auditor, clock, random, metrics, policy_options);
  std::unique_ptr<CurlHttpClient> opa_http;
  std::unique_ptr<services::PolicyDecider> decider;
  if (!config.opa_url.empty()) {
    opa_http = std::make_unique<CurlHttpClient>();
    decider = std::make_unique<services::RemotePolicyDecider>(
        *opa_http, policies, clock, random,
        services::RemotePolicyOptions{config.opa_url, config.opa_token,
                                      std::chrono::milliseconds(config.opa_timeout_ms)});
    log::Info("remote policy decisions", {{"opa_url", config.opa_url}});
  } else {
    decider = std::make_unique<services::EmbeddedPolicyDecider>(policies);
  }

  std::vector<api::Route> routes = api::IdentityRoutes(identity);
  for (auto& r : api::InventoryRoutes(inventory)) routes.push_back(std::move(r));
  for (auto& r : api::ImageRoutes(images)) routes.push_back(std::move(r));
  for (auto& r : api::VulnRoutes(vulns)) routes.push_back(std::move(r));
  for (auto& r : api::PolicyRoutes(policies, *decider)) routes.push_back(std::move(r));
  for (auto& r : api::OpsRoutes(ops)) {
    routes.push_back(std::move(r));
  }
  openapi = api::BuildOpenApi(routes, ops.build);

  api::DispatcherOptions dopts;
  dopts.access_log = config.access_log;
  dopts.rate_limit_rps = config.rate_limit_rps;
  dopts.rate_limit_burst = config.rate_limit_burst;
  // One more than the pool, so a write can start while every reader is busy.
  dopts.blocking_threads = DatabasePoolSize(config) + 1;
  auto dispatcher = api::Dispatcher::Create(std::move(routes), auth, metrics, clock, random, dopts);
  if (!dispatcher) {
    std::fprintf(stderr, "qlrf: %s\n", dispatcher.error().ToString().c_str());
    return 1;
  }

  http::ServerOptions sopts;
  sopts.host = config.ListenHost();
  sopts.port = config.ListenPort();
  sopts.io_threads = config.http_threads;
  sopts.max_body_bytes = static_cast<size_t>(config.max_body_bytes);
  sopts.max_upload_bytes = static_cast<size_t>(config.max_upload_bytes);
  sopts.upload_predicate = api::IsDocumentUpload;
  api::Dispatcher* d = dispatcher->get();
  http::Server server(sopts, [d](http::Request&& req, http::Responder respond) {
    d->Handle(std::move(req), std::move(respond));
  });
  auto st = server.Start();
  if (!st) {
    std::fprintf(stderr, "qlrf: cannot listen on %s: %s\n", config.listen.c_str(),
                 st.error().ToString().c_str());
    return 1;
  }
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  char startup[32];
  std::snprintf(startup, sizeof startup, "%.1f", ms);
  log::Info("qlrf ready", {{"listen", config.ListenHost() + ":" + std::to_string(server.port())},
                           {"backend", std::string(database.backend_name())},
                           {"env", config.env},
                           {"role", options.role},
                           {"startup_ms", startup}});
  auto sig = signals.Wait();
  log::Info("shutting down", {{"signal", sig ? std::to_string(*sig) : "?"}});
  server.Shutdown(std::chrono::seconds(20));
  (*dispatcher)->Drain();
  log::Info("stopped");
  return 0;
}

}  // namespace qlrf::app
