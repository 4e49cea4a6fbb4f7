// Probes against real peers: a redis-server started on a free loopback port (label redis) and
// librdkafka's mock cluster (label kafka); plus the failure paths against closed ports.
#include "integrations/dependency_probes.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace qlrf::integrations {
namespace {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

TEST(RedisUrl, ParsesAllParts) {
  auto e = ParseRedisUrl("redis://:s3cret@cache.internal:6380/2");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "cache.internal");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->password, "s3cret");
  EXPECT_EQ(e->db, 2);
  auto d = ParseRedisUrl("redis://localhost");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->port, 6379);
}

TEST(RedisUrl, RejectsOtherSchemesAndBadPorts) {
  for (const char* bad :
       {"http://x", "redis://", "redis://h:0", "redis://h:99999", "redis://h:x", "redis://h/-1"}) {
    auto e = ParseRedisUrl(bad);
    ASSERT_FALSE(e) << bad;
    EXPECT_EQ(e.error().Detail("field"), "RF_REDIS_URL");
  }
}

TEST(Redis, ClosedPortIsUnavailable) {
  RedisEndpoint e;
  e.port = FreePort();
  auto st = PingRedis(e, std::chrono::milliseconds(500));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
}

TEST(Redis, RealServerAnswersPing) {
  if (std::system("command -v redis-server >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "redis-server not installed (scripts/install-deps.sh installs it)";
  }
  int port = FreePort();
  auto dir = std::filesystem::temp_directory_path() / ("qlrf-redis-" + std::to_string(port));
  std::filesystem::create_directories(dir);
  std::string pidfile = (dir / "redis.pid").string();
  std::string cmd = "redis-server --port " + std::to_string(port) +
                    " --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir " +
                    dir.string() + " --pidfile " + pidfile + " --requirepass pw >/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  RedisEndpoint e;
  e.port = port;
  e.password = "pw";
  Status st = Fail(Unavailable("not tried"));
  for (int i = 0; i < 50 && !st; ++i) {
    st = PingRedis(e, std::chrono::milliseconds(200));
    if (!st) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  EXPECT_TRUE(st) << st.error().ToString();
  e.password = "wrong";
  auto denied = PingRedis(e, std::chrono::milliseconds(500));
  EXPECT_FALSE(denied);
  std::system(("kill $(cat " + pidfile + ") 2>/dev/null").c_str());
  std::filesystem::remove_all(dir);
}

TEST(Kafka, MockClusterAnswersMetadata) {
  char err[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  ASSERT_NE(rk, nullptr) << err;
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, 1);
  ASSERT_NE(cluster, nullptr);
  auto probe = KafkaProbe::Create(rd_kafka_mock_cluster_bootstraps(cluster));
  ASSERT_TRUE(probe) << probe.error().ToString();
  auto st = (*probe)->Ping(std::chrono::milliseconds(5000));
  EXPECT_TRUE(st) << st.error().ToString();
  probe->reset();
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
}

TEST(Kafka, NoBrokerIsUnavailable) {
  auto probe = KafkaProbe::Create("127.0.0.1:" + std::to_string(FreePort()));
  ASSERT_TRUE(probe);
  auto st = (*probe)->Ping(std::chrono::milliseconds(300));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace qlrf::integrations
