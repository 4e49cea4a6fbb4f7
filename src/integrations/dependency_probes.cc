// Redis PING over hiredis and Kafka metadata over librdkafka.
#include "integrations/dependency_probes.h"

#include <hiredis/hiredis.h>
#include <librdkafka/rdkafka.h>

#include <charconv>

namespace qlrf::integrations {

Result<RedisEndpoint> ParseRedisUrl(std::string_view url) {
  auto bad = [&] {
    return Fail(FieldError("RF_REDIS_URL", "must be redis://[:password@]host[:port][/db], got '" +
                                               std::string(url) + "'"));
  };
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return bad();
  }
  std::string_view rest = url.substr(kScheme.size());
  RedisEndpoint e;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = rest.substr(0, at);
    auto colon = auth.find(':');
    e.password = std::string(colon == std::string_view::npos ? auth : auth.substr(colon + 1));
    rest = rest.substr(at + 1);
  }
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) {
      auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), e.db);
      if (ec != std::errc() || p != db.data() + db.size() || e.db < 0) {
        return bad();
      }
    }
    rest = rest.substr(0, slash);
  }
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = rest.substr(colon + 1);
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), e.port);
    if (ec != std::errc() || p != port.data() + port.size() || e.port <= 0 || e.port > 65535) {
      return bad();
    }
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) {
    return bad();
  }
  e.host = std::string(rest);
  return e;
}

Status PingRedis(const RedisEndpoint& e, std::chrono::milliseconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  std::unique_ptr<redisContext, decltype(&redisFree)> c(
      redisConnectWithTimeout(e.host.c_str(), e.port, tv), &redisFree);
  if (!c || c->err != 0) {
    return Fail(Unavailable("redis " + e.host + ":" + std::to_string(e.port) + ": " +
                            (c ? std::string(c->errstr) : std::string("cannot allocate"))));
  }
  redisSetTimeout(c.get(), tv);
  auto command = [&](const char* fmt, auto... args) -> Result<std::string> {
    auto* raw = static_cast<redisReply*>(redisCommand(c.get(), fmt, args...));
    if (raw == nullptr) {
      return Fail(Unavailable("redis: " + std::string(c->errstr)));
    }
    std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(raw, &freeReplyObject);
    if (reply->type == REDIS_REPLY_ERROR) {
      return Fail(Unavailable("redis: " + std::string(reply->str, reply->len)));
    }
    if (reply->type == REDIS_REPLY_STATUS || reply->type == REDIS_REPLY_STRING) {
      return std::string(reply->str, reply->len);
    }
    return std::string();
  };
  if (!e.password.empty()) {
    QLRF_TRY(command("AUTH %s", e.password.c_str()));
  }
  QLRF_ASSIGN_OR_RETURN(auto pong, command("PING"));
  if (pong != "PONG") {
    return Fail(Unavailable("redis answered '" + pong + "' to PING"));
  }
  return Ok();
}

struct KafkaProbe::State {
  rd_kafka_t* rk = nullptr;
  ~State() {
    if (rk != nullptr) {
      rd_kafka_destroy(rk);
    }
  }
};

KafkaProbe::KafkaProbe(std::unique_ptr<State> state) : state_(std::move(state)) {}
KafkaProbe::~KafkaProbe() = default;

Result<std::unique_ptr<KafkaProbe>> KafkaProbe::Create(const std::string& brokers) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const char* k, const char* v) -> Status {
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) {
      return Fail(FieldError("RF_KAFKA_BROKERS", std::string("kafka config: ") + err));
    }
    return Ok();
  };
  for (auto [k, v] : {std::pair{"bootstrap.servers", brokers.c_str()}, std::pair{"log_level", "0"},
                      std::pair{"socket.timeout.ms", "2000"}}) {
    if (auto st = set(k, v); !st) {
      rd_kafka_conf_destroy(conf);
      return Fail(st.error());
    }
  }
  auto state = std::make_unique<State>();
  state->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);  // takes conf on success
  if (state->rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Fail(FieldError("RF_KAFKA_BROKERS", std::string("kafka client: ") + err));
  }
  return std::unique_ptr<KafkaProbe>(new KafkaProbe(std::move(state)));
}

Status KafkaProbe::Ping(std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t e =
      rd_kafka_metadata(state_->rk, 0, nullptr, &md, static_cast<int>(timeout.count()));
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Fail(Unavailable(std::string("kafka metadata: ") + rd_kafka_err2str(e)));
  }
  int brokers = md->broker_cnt;
  rd_kafka_metadata_destroy(md);
  if (brokers == 0) {
    return Fail(Unavailable("kafka metadata lists no brokers"));
  }
  return Ok();
}

}  // namespace qlrf::integrations
