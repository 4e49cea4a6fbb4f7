// Config loading (YAML file + RF_* environment) and validation.
#include "common/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <functional>
#include <map>

namespace qlrf {
namespace {

// One entry per setting: the env name, its config-file key, and how to set it from text.
struct Setting {
  std::string_view env;
  std::function<Status(Config&, const std::string&)> set;
};

Status SetInt(int64_t& out, const std::string& v, std::string_view name, int64_t lo, int64_t hi) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < lo || n > hi) {
    return Fail(FieldError(std::string(name), "must be an integer in [" + std::to_string(lo) +
                                                  ", " + std::to_string(hi) + "], got '" + v +
                                                  "'"));
  }
  out = n;
  return Ok();
}

template <class T>
std::function<Status(Config&, const std::string&)> IntSetter(T Config::*field, std::string_view n,
                                                             int64_t lo, int64_t hi) {
  return [field, n, lo, hi](Config& c, const std::string& v) -> Status {
    int64_t x = 0;
    QLRF_TRY(SetInt(x, v, n, lo, hi));
    c.*field = static_cast<T>(x);
    return Ok();
  };
}

std::function<Status(Config&, const std::string&)> StrSetter(std::string Config::*field) {
  return [field](Config& c, const std::string& v) -> Status {
    c.*field = v;
    return Ok();
  };
}

std::function<Status(Config&, const std::string&)> OneOf(std::string Config::*field,
                                                         std::string_view name,
                                                         std::vector<std::string> allowed) {
  return [=](Config& c, const std::string& v) -> Status {
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) {
        list += (list.empty() ? "" : ", ") + a;
      }
      return Fail(FieldError(std::string(name), "must be one of " + list + ", got '" + v + "'"));
    }
    c.*field = v;
    return Ok();
  };
}

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> kSettings = {
      {"RF_ENV", OneOf(&Config::env, "RF_ENV", {"development", "staging", "production"})},
      {"RF_LISTEN", StrSetter(&Config::listen)},
      {"RF_DATA_DIR", StrSetter(&Config::data_dir)},
      {"RF_DATABASE_URL", StrSetter(&Config::database_url)},
      {"RF_DB_POOL_SIZE", IntSetter(&Config::db_pool_size, "RF_DB_POOL_SIZE", 0, 1000)},
      {"RF_REDIS_URL", StrSetter(&Config::redis_url)},
      {"RF_KAFKA_BROKERS", StrSetter(&Config::kafka_brokers)},
      {"RF_CLERK_SECRET_KEY", StrSetter(&Config::clerk_secret_key)},
      {"RF_CLERK_PUBLISHABLE_KEY", StrSetter(&Config::clerk_publishable_key)},
      {"RF_OIDC_ISSUER", StrSetter(&Config::oidc_issuer)},
      {"RF_OIDC_AUDIENCE", StrSetter(&Config::oidc_audience)},
      {"RF_OIDC_JWKS_URL", StrSetter(&Config::oidc_jwks_url)},
      {"RF_OIDC_ORG_CLAIM", StrSetter(&Config::oidc_org_claim)},
      {"RF_OIDC_ROLE_CLAIM", StrSetter(&Config::oidc_role_claim)},
      {"RF_SESSION_SECRET", StrSetter(&Config::session_secret)},
      {"RF_SESSION_TTL_SECONDS",
       IntSetter(&Config::session_ttl_seconds, "RF_SESSION_TTL_SECONDS", 60, 86400)},
      {"RF_ANTHROPIC_API_KEY", StrSetter(&Config::anthropic_api_key)},
      {"RF_OPENAI_API_KEY", StrSetter(&Config::openai_api_key)},
      {"RF_WEBHOOK_SECRET", StrSetter(&Config::webhook_secret)},
      {"RF_RATE_LIMIT_RPS",
       [](Config& c, const std::string& v) -> Status {
         char* end = nullptr;
         double d = std::strtod(v.c_str(), &end);
         if (end == v.c_str() || *end != '\0' || d < 0) {
           return Fail(FieldError("RF_RATE_LIMIT_RPS", "must be a number >= 0, got '" + v + "'"));
         }
         c.rate_limit_rps = d;
         return Ok();
       }},
      {"RF_RATE_LIMIT_BURST",
       IntSetter(&Config::rate_limit_burst, "RF_RATE_LIMIT_BURST", 1, 1000000)},
      {"RF_MAX_BODY_BYTES",
       IntSetter(&Config::max_body_bytes, "RF_MAX_BODY_BYTES", 1024, int64_t{1} << 32)},
      {"RF_MAX_UPLOAD_BYTES",
       IntSetter(&Config::max_upload_bytes, "RF_MAX_UPLOAD_BYTES", 1024, int64_t{1} << 34)},
      {"RF_HTTP_THREADS", IntSetter(&Config::http_threads, "RF_HTTP_THREADS", 0, 256)},
      {"RF_LOG_LEVEL",
       OneOf(&Config::log_level, "RF_LOG_LEVEL", {"debug", "info", "warn", "error"})},
      {"RF_POLICY_TIMEOUT_MS",
       IntSetter(&Config::policy_timeout_ms, "RF_POLICY_TIMEOUT_MS", 1, 60000)},
      {"RF_POLICY_MAX_STEPS",
       IntSetter(&Config::policy_max_steps, "RF_POLICY_MAX_STEPS", 1000, int64_t{1} << 40)},
      {"RF_OPA_URL", StrSetter(&Config::opa_url)},
      {"RF_OPA_TOKEN", StrSetter(&Config::opa_token)},
      {"RF_OPA_TIMEOUT_MS", IntSetter(&Config::opa_timeout_ms, "RF_OPA_TIMEOUT_MS", 1, 60000)},
      {"RF_ACCESS_LOG",
       [](Config& c, const std::string& v) -> Status {
         if (v != "true" && v != "false" && v != "1" && v != "0") {
           return Fail(FieldError("RF_ACCESS_LOG", "must be true or false, got '" + v + "'"));
         }
         c.access_log = v == "true" || v == "1";
         return Ok();
       }},
  };
  return kSettings;
}

// "RF_DATABASE_URL" -> "database_url"
std::string FileKey(std::string_view env) {
  std::string k(env.substr(3));
  std::transform(k.begin(), k.end(), k.begin(), [](char ch) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  });
  return k;
}

Status ApplyFile(Config& c, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const std::exception& e) {
    return Fail(InvalidArgument("cannot read config file '" + path + "': " + e.what())
                    .With("field", "config"));
  }
  if (!root || root.IsNull()) {
    return Ok();
  }
  if (!root.IsMap()) {
    return Fail(InvalidArgument("config file '" + path + "' must be a mapping of settings"));
  }
  std::map<std::string, const Setting*> by_key;
  for (const auto& s : Settings()) {
    by_key[FileKey(s.env)] = &s;
  }
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>();
    auto it = by_key.find(key);
    if (it == by_key.end()) {
      return Fail(FieldError(key, "unknown setting '" + key + "' in config file '" + path + "'"));
    }
    if (!kv.second.IsScalar()) {
      return Fail(FieldError(key, "setting '" + key + "' must be a scalar"));
    }
    QLRF_TRY(it->second->set(c, kv.second.as<std::string>()));
  }
  return Ok();
}

bool IsLocalHost(std::string_view url) {
  for (std::string_view h : {"localhost", "127.0.0.1", "[::1]", "@::1", "host=/"}) {
    if (url.find(h) != std::string_view::npos) {
      return true;
    }
  }
  // A postgres URL without a host part ("postgres:///db") uses the local socket.
  return url.find(":///") != std::string_view::npos;
}

bool IsKnownDefaultSecret(std::string_view s) {
  static const std::vector<std::string_view> kDefaults = {
      "changeme",         "change-me",   "secret", "password", "admin",       "default",
      "your-hmac-secret", "your-secret", "test",   "qlrf",     "sk_test_xxx", "xxx"};
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char ch) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  });
  return std::find(kDefaults.begin(), kDefaults.end(), lower) != kDefaults.end();
}

}  // namespace

std::string Config::ListenHost() const {
  auto colon = listen.rfind(':');
  return colon == std::string::npos ? listen : listen.substr(0, colon);
}

uint16_t Config::ListenPort() const {
  auto colon = listen.rfind(':');
  int64_t port = 0;
  if (colon == std::string::npos ||
      !SetInt(port, listen.substr(colon + 1), "RF_LISTEN", 0, 65535)) {
    return 0;
  }
  return static_cast<uint16_t>(port);
}

Result<Config> LoadConfig(const Env& env, std::optional<std::string> file) {
  Config c;
  if (!file) {
    file = env.Get("RF_CONFIG");
  }
  if (file && !file->empty()) {
    c.config_file = *file;
    QLRF_TRY(ApplyFile(c, *file));
  }
  for (const auto& s : Settings()) {
    if (auto v = env.Get(s.env)) {
      QLRF_TRY(s.set(c, *v));
    }
  }
  return c;
}

std::string EffectiveDatabaseUrl(const Config& c) {
  if (!c.database_url.empty()) {
    return c.database_url;
  }
  std::filesystem::path p =
      std::filesystem::absolute(std::filesystem::path(c.data_dir) / "qlrf.db");
  return "sqlite://" + p.lexically_normal().string();
}

std::vector<std::string> ValidateConfig(const Config& c) {
  std::vector<std::string> problems;
  auto colon = c.listen.rfind(':');
  int64_t port = 0;
  if (colon == std::string::npos ||
      !SetInt(port, c.listen.substr(colon + 1), "RF_LISTEN", 0, 65535)) {
    problems.push_back("RF_LISTEN must be HOST:PORT, got '" + c.listen + "'");
  }
  std::string url = EffectiveDatabaseUrl(c);
  bool sqlite = url.rfind("sqlite://", 0) == 0;
  bool postgres = url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
  if (!sqlite && !postgres) {
    problems.push_back("RF_DATABASE_URL must start with sqlite:// or postgres://, got '" + url +
                       "'");
  }
  if (!c.oidc_issuer.empty() && c.oidc_issuer.rfind("https://", 0) != 0 &&
      c.oidc_issuer.rfind("http://", 0) != 0) {
    problems.push_back("RF_OIDC_ISSUER must be an http(s) URL");
  }
  if (!c.opa_url.empty() && c.opa_url.rfind("https://", 0) != 0 &&
      c.opa_url.rfind("http://", 0) != 0) {
    problems.push_back("RF_OPA_URL must be an http(s) URL");
  }
  if (c.production()) {
    if (sqlite) {
      problems.push_back(
          "RF_DATABASE_URL: production needs PostgreSQL, not the embedded SQLite database");
    } else if (IsLocalHost(url)) {
      problems.push_back("RF_DATABASE_URL: production must not use a localhost database");
    }
    if (c.oidc_issuer.empty() && c.clerk_secret_key.empty()) {
      problems.push_back(
          "no external identity provider: set RF_OIDC_ISSUER (or RF_CLERK_SECRET_KEY and "
          "RF_CLERK_PUBLISHABLE_KEY)");
    }
    if (!c.clerk_secret_key.empty() && c.clerk_publishable_key.empty()) {
      problems.push_back("RF_CLERK_PUBLISHABLE_KEY must be set with RF_CLERK_SECRET_KEY");
    }
    struct Named {
      std::string_view name;
      const std::string* value;
    };
    for (const Named& s : {Named{"RF_SESSION_SECRET", &c.session_secret},
                           Named{"RF_CLERK_SECRET_KEY", &c.clerk_secret_key},
                           Named{"RF_WEBHOOK_SECRET", &c.webhook_secret},
                           Named{"RF_ANTHROPIC_API_KEY", &c.anthropic_api_key}}) {
      if (!s.value->empty() && IsKnownDefaultSecret(*s.value)) {
        problems.push_back(std::string(s.name) + " is a known default value; set a real secret");
      }
    }
    if (!c.session_secret.empty() && c.session_secret.size() < 32 &&
        !IsKnownDefaultSecret(c.session_secret)) {
      problems.push_back("RF_SESSION_SECRET must be at least 32 characters");
    }
    if (postgres && url.find("password=postgres") != std::string::npos) {
      problems.push_back("RF_DATABASE_URL uses a default password");
    }
  }
  return problems;
}

}  // namespace qlrf
