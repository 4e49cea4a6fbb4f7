// Tests for qlrf::http::Server over loopback with a raw POSIX-socket client, so that malformed,
// pipelined and slow requests can be sent byte for byte.
#include "api/http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "api/http/termination_signal.h"

namespace qlrf::http {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;

struct RawResponse {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;

  std::string Header(std::string_view name) const {
    std::string lower_head;
    for (char c : head) {
      lower_head += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::string key = "\r\n";
    for (char c : name) {
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    key += ": ";
    const size_t at = lower_head.find(key);
    if (at == std::string::npos) {
      return "";
    }
    const size_t start = at + key.size();
    return head.substr(start, head.find("\r\n", start) - start);
  }
};

// A blocking loopback client. Every receive gives up after 5 s so a broken server fails the
// test instead of hanging it.
class RawClient {
 public:
  explicit RawClient(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    timeval tv{};
    tv.tv_sec = 5;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool IsConnected() const { return connected_; }

  // False once the peer has closed (EPIPE / ECONNRESET).
  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        return false;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // One response (a 100 Continue counts as one), or nullopt on EOF, error or timeout.
  std::optional<RawResponse> ReadResponse() {
    size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!Receive()) {
        return std::nullopt;
      }
    }
    RawResponse r;
    r.head = pending_.substr(0, end + 2);
    pending_.erase(0, end + 4);
    if (r.head.size() < 12) {
      return std::nullopt;
    }
    r.status = std::stoi(r.head.substr(9, 3));
    const std::string length = r.Header("Content-Length");
    const size_t n = length.empty() ? 0 : std::stoul(length);
    while (pending_.size() < n) {
      if (!Receive()) {
        return std::nullopt;
      }
    }
    r.body = pending_.substr(0, n);
    pending_.erase(0, n);
    return r;
  }

  // True if the server closes the connection (EOF or reset) within the receive timeout; data
  // received meanwhile is discarded.
  bool WaitClosed() {
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n == 0) {
        return true;
      }
      if (n < 0) {
        return errno == ECONNRESET;
      }
    }
  }

  // Non-blocking: true if the server has closed the connection by now.
  bool ClosedByPeer() {
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
      if (n == 0) {
        return true;
      }
      if (n < 0) {
        return errno == ECONNRESET || errno == EPIPE;
      }
    }
  }

 private:
  bool Receive() {
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      return false;
    }
    pending_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  bool connected_ = false;
  std::string pending_;
};

// Polls `done` for up to 5 s; for states reached through another thread or the network.
template <class Pred>
bool Eventually(Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

ServerOptions TestOptions() {
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.io_threads = 2;
  return o;
}

std::string Get(std::string_view target, std::string_view extra = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra) + "\r\n";
}

// Answers "<method> <target> <body>".
void Echo(Request&& request, const Responder& respond) {
  Response r;
  r.content_type = "text/plain";
  r.body = request.method + " " + request.target + " " + request.body;
  respond(std::move(r));
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(Handler handler, ServerOptions options = TestOptions()) {
    server_ = std::make_unique<Server>(std::move(options), std::move(handler));
    auto started = server_->Start();
    ASSERT_TRUE(started.has_value()) << started.error().ToString();
  }
  RawClient Connect() { return RawClient(server_->port()); }

  std::unique_ptr<Server> server_;
};

TEST(RequestTest, SplitsTargetAndFindsHeadersCaseInsensitively) {
  Request r;
  r.target = "/api/v1/assets?limit=5&q=a?b";
  r.headers = {{"Content-Type", "application/json"}, {"X-Request-Id", "abc"}};
  EXPECT_EQ(r.Path(), "/api/v1/assets");
  EXPECT_EQ(r.Query(), "limit=5&q=a?b");
  EXPECT_EQ(r.HeaderValue("x-request-id"), "abc");
  EXPECT_EQ(r.HeaderValue("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(r.HeaderValue("Accept"), "");
  r.target = "/health";
  EXPECT_EQ(r.Path(), "/health");
  EXPECT_EQ(r.Query(), "");
}

TEST_F(HttpServerTest, ServesSeveralRequestsOnOneKeepAliveConnection) {
  std::mutex mu;
  std::vector<std::string> remotes;
  StartServer([&](Request&& request, const Responder& respond) {
    {
      std::lock_guard<std::mutex> lock(mu);
      remotes.push_back(request.remote_address);
    }
    Echo(std::move(request), respond);
  });
  RawClient client = Connect();
  ASSERT_TRUE(client.IsConnected());
  for (int i = 0; i < 3; ++i) {
    const std::string target = "/item/" + std::to_string(i);
    ASSERT_TRUE(client.Send(Get(target)));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "GET " + target + " ");
    EXPECT_EQ(response->Header("Connection"), "keep-alive");
    EXPECT_EQ(response->Header("Content-Type"), "text/plain");
  }
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(remotes.size(), 3u);
  EXPECT_THAT(remotes[0], StartsWith("127.0.0.1:"));
  EXPECT_EQ(remotes[0], remotes[2]);  // same client port: one connection
}

TEST_F(HttpServerTest, PassesMethodTargetHeadersAndBodyAsReceived) {
  std::promise<Request> seen;
  StartServer([&](Request&& request, const Responder& respond) {
    seen.set_value(std::move(request));
    respond(Response{});
  });
  RawClient client = Connect();
  ASSERT_TRUE(
      client.Send("PATCH /a/b?x=1 HTTP/1.1\r\nHost: h\r\nX-Custom: v1\r\nx-custom: v2\r\n"
                  "Content-Length: 7\r\n\r\n{\"a\":1}"));
  ASSERT_TRUE(client.ReadResponse().has_value());
  Request r = seen.get_future().get();
  EXPECT_EQ(r.method, "PATCH");
  EXPECT_EQ(r.target, "/a/b?x=1");
  EXPECT_EQ(r.body, "{\"a\":1}");
  ASSERT_EQ(r.headers.size(), 4u);
  EXPECT_EQ(r.headers[1].name, "X-Custom");
  EXPECT_EQ(r.headers[2].name, "x-custom");
  EXPECT_EQ(r.headers[2].value, "v2");
  EXPECT_EQ(r.HeaderValue("X-CUSTOM"), "v1");
}

TEST_F(HttpServerTest, HandlerMayRespondFromAnotherThread) {
  std::mutex mu;
  std::vector<std::thread> workers;
  StartServer([&](Request&& request, Responder respond) {
    std::lock_guard<std::mutex> lock(mu);
    workers.emplace_back([request = std::move(request), respond = std::move(respond)]() mutable {
      Echo(std::move(request), respond);
    });
  });
  RawClient client = Connect();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client.Send(Get("/async/" + std::to_string(i))));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->body, "GET /async/" + std::to_string(i) + " ");
  }
  std::lock_guard<std::mutex> lock(mu);
  for (auto& t : workers) {
    t.join();
  }
}

TEST_F(HttpServerTest, AnswersPipelinedRequestsInOrder) {
  std::mutex mu;
  std::vector<std::thread> workers;
  std::atomic<int> delay_ms{30};
  StartServer([&](Request&& request, Responder respond) {
    // Earlier requests answer later: order must come from the connection, not the timing.
    const auto delay = std::chrono::milliseconds(delay_ms.fetch_sub(10));
    std::lock_guard<std::mutex> lock(mu);
    workers.emplace_back(
        [request = std::move(request), respond = std::move(respond), delay]() mutable {
          std::this_thread::sleep_for(delay);
          Echo(std::move(request), respond);
        });
  });
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(Get("/1") + Get("/2") +
                          "POST /3 HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"));
  for (const char* expected : {"GET /1 ", "GET /2 ", "POST /3 abc"}) {
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->body, expected);
  }
  std::lock_guard<std::mutex> lock(mu);
  for (auto& t : workers) {
    t.join();
  }
}

TEST_F(HttpServerTest, Http10ClosesAfterResponseUnlessKeepAliveIsAsked) {
  StartServer(Echo);
  RawClient keep = Connect();
  ASSERT_TRUE(keep.Send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto first = keep.ReadResponse();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->Header("Connection"), "keep-alive");
  ASSERT_TRUE(keep.Send("GET /b HTTP/1.0\r\n\r\n"));
  auto second = keep.ReadResponse();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->body, "GET /b ");
  EXPECT_EQ(second->Header("Connection"), "close");
  EXPECT_TRUE(keep.WaitClosed());
}

TEST_F(HttpServerTest, RejectsOversizedContentLengthWith413WithoutReadingTheBody) {
  std::atomic<int> calls{0};
  ServerOptions options = TestOptions();
  options.max_body_bytes = 1024;
  StartServer(
      [&](Request&&, const Responder& respond) {
        ++calls;
        respond(Response{});
      },
      options);
  RawClient client = Connect();
  // Only the head is sent: the answer must not wait for the announced body.
  ASSERT_TRUE(client.Send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->Header("Content-Type"), "application/json");
  EXPECT_THAT(response->body, StartsWith(R"({"error":{"code":"payload_too_large","message":")"));
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(HttpServerTest, RejectsChunkedBodyOverTheLimitWith413) {
  ServerOptions options = TestOptions();
  options.max_body_bytes = 16;
  StartServer(Echo, options);
  RawClient client = Connect();
  ASSERT_TRUE(
      client.Send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
}

TEST_F(HttpServerTest, DecodesChunkedBody) {
  StartServer(Echo);
  RawClient client = Connect();
  ASSERT_TRUE(
      client.Send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "POST /c abcde");
}

TEST_F(HttpServerTest, RejectsGarbageWith400AndCloses) {
  std::atomic<int> calls{0};
  StartServer([&](Request&&, const Responder& respond) {
    ++calls;
    respond(Response{});
  });
  RawClient client = Connect();
  ASSERT_TRUE(client.Send("HELLO\x01 there\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 400);
  EXPECT_THAT(
      response->body,
      StartsWith(R"({"error":{"code":"invalid_argument","message":"malformed HTTP request: )"));
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(HttpServerTest, RejectsOversizedHeadWith431) {
  ServerOptions options = TestOptions();
  options.max_header_bytes = 1024;
  StartServer(Echo, options);
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(Get("/", "X-Big: " + std::string(4000, 'a') + "\r\n")));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 431);
  EXPECT_THAT(response->body, HasSubstr("request_header_fields_too_large"));
  EXPECT_TRUE(client.WaitClosed());
}

TEST_F(HttpServerTest, HeaderTimeoutClosesSlowlorisConnection) {
  ServerOptions options = TestOptions();
  options.header_timeout = 200ms;
  std::atomic<int> calls{0};
  StartServer(
      [&](Request&&, const Responder& respond) {
        ++calls;
        respond(Response{});
      },
      options);
  RawClient client = Connect();
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nX-Slow: "));
  // Keep the head alive one byte at a time; the whole head is due within header_timeout.
  const bool closed = Eventually([&] {
    std::this_thread::sleep_for(10ms);
    return !client.Send("a") || client.ClosedByPeer();
  });
  EXPECT_TRUE(closed);
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(HttpServerTest, BodyTimeoutClosesConnectionWhoseBodyNeverFinishes) {
  ServerOptions options = TestOptions();
  options.body_timeout = 200ms;
  StartServer(Echo, options);
  RawClient client = Connect();
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc"));
  EXPECT_TRUE(client.WaitClosed());
}

TEST_F(HttpServerTest, IdleTimeoutClosesKeepAliveConnection) {
  ServerOptions options = TestOptions();
  options.idle_timeout = 200ms;
  StartServer(Echo, options);
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(Get("/")));
  ASSERT_TRUE(client.ReadResponse().has_value());
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_TRUE(Eventually([&] { return server_->active_connections() == 0; }));
}

TEST_F(HttpServerTest, SendsContinueBeforeTheBodyWhenExpected) {
  StartServer(Echo);
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(
      "PUT /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  auto interim = client.ReadResponse();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("data"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "PUT /e data");
}

TEST_F(HttpServerTest, HeadResponseHasContentLengthButNoBody) {
  StartServer(Echo);
  RawClient client = Connect();
  ASSERT_TRUE(client.Send("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n" + Get("/next")));
  auto head = client.ReadResponse();  // reads Content-Length bytes: they must be the next response
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->Header("Content-Length"), "8");
  EXPECT_THAT(head->body, StartsWith("HTTP/1.1"));
}

TEST_F(HttpServerTest, WritesServerHeadersAndDropsUnsafeOnes) {
  StartServer([](Request&&, const Responder& respond) {
    Response r;
    r.status = 201;
    r.headers = {{"X-Ok", "yes"},
                 {"X-Evil", "a\r\nSet-Cookie: b"},
                 {"Content-Length", "999"},
                 {"Connection", "close"}};
    r.body = "{}";
    respond(std::move(r));
  });
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(Get("/")));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->Header("X-Ok"), "yes");
  EXPECT_EQ(response->Header("X-Evil"), "");
  EXPECT_EQ(response->Header("Set-Cookie"), "");
  EXPECT_EQ(response->Header("Content-Length"), "2");
  EXPECT_EQ(response->Header("Connection"), "close");  // the handler asked to close
  EXPECT_TRUE(client.WaitClosed());
}

TEST_F(HttpServerTest, IgnoresSecondResponderCall) {
  StartServer([](Request&& request, const Responder& respond) {
    Response r;
    r.body = request.target;
    respond(r);
    r.body = "again";
    respond(r);
  });
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(Get("/1")));
  auto first = client.ReadResponse();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->body, "/1");
  ASSERT_TRUE(client.Send(Get("/2")));
  auto second = client.ReadResponse();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->body, "/2");
}

TEST_F(HttpServerTest, HandlerExceptionBecomes500) {
  StartServer([](Request&&, const Responder&) { throw std::runtime_error("boom"); });
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(Get("/")));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 500);
  EXPECT_THAT(response->body, HasSubstr(R"("code":"internal")"));
  EXPECT_THAT(response->body, ::testing::Not(HasSubstr("boom")));
}

TEST_F(HttpServerTest, ClosesConnectionsBeyondMaxConnections) {
  ServerOptions options = TestOptions();
  options.max_connections = 1;
  StartServer(Echo, options);
  RawClient first = Connect();
  ASSERT_TRUE(Eventually([&] { return server_->active_connections() == 1; }));
  RawClient second = Connect();  // the kernel completes the handshake; the server hangs up
  EXPECT_TRUE(second.WaitClosed());
  ASSERT_TRUE(first.Send(Get("/still-served")));
  auto response = first.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpServerTest, StartFailsWithUnavailableWhenAddressIsInUse) {
  StartServer(Echo);
  ServerOptions options = TestOptions();
  options.port = server_->port();
  Server second(options, Echo);
  auto started = second.Start();
  ASSERT_FALSE(started.has_value());
  EXPECT_EQ(started.error().code, ErrorCode::kUnavailable);
}

TEST_F(HttpServerTest, StartTwiceFailsWithFailedPrecondition) {
  StartServer(Echo);
  auto again = server_->Start();
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(HttpServerTest, CountsActiveConnectionsAndInFlightRequests) {
  std::promise<Responder> pending;
  StartServer([&](Request&&, Responder respond) { pending.set_value(std::move(respond)); });
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(Get("/")));
  Responder respond = pending.get_future().get();
  EXPECT_TRUE(Eventually([&] { return server_->active_connections() == 1; }));
  EXPECT_EQ(server_->in_flight(), 1u);
  respond(Response{});
  ASSERT_TRUE(client.ReadResponse().has_value());
  EXPECT_TRUE(Eventually([&] { return server_->in_flight() == 0; }));
}

TEST_F(HttpServerTest, ShutdownLetsInFlightRequestFinishAndRefusesNewConnections) {
  std::promise<Responder> pending;
  StartServer([&](Request&& request, Responder respond) {
    if (request.target == "/slow") {
      pending.set_value(std::move(respond));
    } else {
      Echo(std::move(request), respond);
    }
  });
  const uint16_t port = server_->port();
  RawClient idle = Connect();
  ASSERT_TRUE(idle.Send(Get("/fast")));
  ASSERT_TRUE(idle.ReadResponse().has_value());
  RawClient busy = Connect();
  ASSERT_TRUE(busy.Send(Get("/slow")));
  Responder respond = pending.get_future().get();

  std::thread shutdown([&] { server_->Shutdown(10s); });
  EXPECT_TRUE(Eventually([&] { return !RawClient(port).IsConnected(); }));
  EXPECT_TRUE(idle.WaitClosed());  // idle keep-alive connections go at once

  respond(Response{200, "text/plain", {}, "done"});
  auto response = busy.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "done");
  EXPECT_EQ(response->Header("Connection"), "close");
  shutdown.join();
  EXPECT_EQ(server_->active_connections(), 0u);
}

TEST_F(HttpServerTest, ShutdownClosesUnansweredRequestsAfterDrainAndLateResponderIsHarmless) {
  std::promise<Responder> pending;
  StartServer([&](Request&&, Responder respond) { pending.set_value(std::move(respond)); });
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(Get("/never")));
  Responder respond = pending.get_future().get();
  server_->Shutdown(50ms);
  EXPECT_TRUE(client.WaitClosed());
  respond(Response{});  // after Shutdown: ignored
  server_.reset();
  respond(Response{});  // after destruction: still ignored, nothing freed under it
}

TEST(TerminationSignalTest, ReturnsTheSignalThatArrived) {
  TerminationSignal signal;
  ASSERT_EQ(std::raise(SIGTERM), 0);  // handled by the set: the process survives
  auto received = signal.Wait();
  ASSERT_TRUE(received.has_value()) << received.error().ToString();
  EXPECT_EQ(*received, SIGTERM);
}

}  // namespace
}  // namespace qlrf::http
