// Readiness probes of the optional scale-out dependencies: Redis (PING) and Kafka (metadata).
// Each probe is bounded by its timeout and never throws.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace qlrf::integrations {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;
  int db = 0;
};

// Parses redis://[:password@]host[:port][/db]. InvalidArgument (field RF_REDIS_URL) otherwise.
Result<RedisEndpoint> ParseRedisUrl(std::string_view url);

// Connects, AUTHs if needed and sends PING. Unavailable when Redis does not answer PONG.
Status PingRedis(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout);

// Asks the Kafka cluster for metadata through one long-lived client. Thread-safe.
class KafkaProbe {
 public:
  // InvalidArgument when the brokers string cannot configure a client.
  static Result<std::unique_ptr<KafkaProbe>> Create(const std::string& brokers);
  ~KafkaProbe();
  // Unavailable when no broker answers within `timeout`.
  Status Ping(std::chrono::milliseconds timeout);

  struct State;

 private:
  explicit KafkaProbe(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace qlrf::integrations
