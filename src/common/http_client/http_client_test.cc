// Tests for CurlHttpClient against a qlrf::http::Server on loopback, port 0.
#include "common/http_client/http_client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "api/http/server.h"

namespace qlrf {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

class CurlHttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.io_threads = 1;
    server_ = std::make_unique<http::Server>(
        options, [this](http::Request&& request, http::Responder respond) {
          Handle(std::move(request), std::move(respond));
        });
    auto started = server_->Start();
    ASSERT_TRUE(started.has_value()) << started.error().ToString();
  }

  void TearDown() override {
    {
      // Answer what the "never answers" route kept, so that nothing waits on it.
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& respond : parked_) {
        respond(http::Response{});
      }
    }
    server_->Shutdown(0ms);
  }

  void Handle(http::Request&& request, http::Responder respond) {
    if (request.Path() == "/never") {
      std::lock_guard<std::mutex> lock(mu_);
      parked_.push_back(std::move(respond));
      return;
    }
    http::Response r;
    if (request.Path() == "/big") {
      r.body.assign(4096, 'x');
    } else {
      r.status = request.Path() == "/missing" ? 404 : 200;
      r.content_type = "text/plain";
      r.headers.push_back({"X-Method", request.method});
      r.headers.push_back({"X-Seen", std::string(request.HeaderValue("X-Token"))});
      r.headers.push_back({"X-Seen-Type", std::string(request.HeaderValue("Content-Type"))});
      r.body = request.target + "|" + request.body;
    }
    respond(std::move(r));
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }

  std::unique_ptr<http::Server> server_;
  std::mutex mu_;
  std::vector<http::Responder> parked_;
};

TEST_F(CurlHttpClientTest, GetsStatusHeadersAndBody) {
  CurlHttpClient client;
  HttpClientRequest request;
  request.url = Url("/hello?x=1");
  request.headers = {{"X-Token", "abc"}};
  auto response = client.Send(request);
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "/hello?x=1|");
  EXPECT_EQ(response->Header("x-seen"), "abc");
  EXPECT_EQ(response->Header("Content-Type"), "text/plain");
  EXPECT_EQ(response->Header("X-Seen-Type"), "");  // no form-urlencoded default
  EXPECT_EQ(response->Header("Absent"), "");
}

TEST_F(CurlHttpClientTest, SendsBodyWithAnyMethod) {
  CurlHttpClient client;
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    HttpClientRequest request;
    request.method = method;
    request.url = Url("/items");
    request.headers = {{"Content-Type", "application/json"}};
    request.body = R"({"k":"v"})";
    auto response = client.Send(request);
    ASSERT_TRUE(response.has_value()) << response.error().ToString();
    EXPECT_EQ(response->Header("X-Method"), method);
    EXPECT_EQ(response->Header("X-Seen-Type"), "application/json");
    EXPECT_EQ(response->body, R"(/items|{"k":"v"})");
  }
}

TEST_F(CurlHttpClientTest, ErrorStatusIsAResponseNotAnError) {
  CurlHttpClient client;
  HttpClientRequest request;
  request.url = Url("/missing");
  auto response = client.Send(request);
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->status, 404);
}

TEST_F(CurlHttpClientTest, ServesConcurrentCallers) {
  CurlHttpClient client;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        HttpClientRequest request;
        request.url = Url("/c/" + std::to_string(t) + "/" + std::to_string(i));
        auto response = client.Send(request);
        if (response &&
            response->body == "/c/" + std::to_string(t) + "/" + std::to_string(i) + "|") {
          ++ok;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), 40);
}

TEST_F(CurlHttpClientTest, TimeoutGivesDeadlineExceeded) {
  CurlHttpClient client;
  HttpClientRequest request;
  request.url = Url("/never");
  request.timeout = 200ms;
  auto response = client.Send(request);
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kDeadlineExceeded) << response.error().ToString();
}

TEST_F(CurlHttpClientTest, RefusedConnectionGivesUnavailable) {
  // A bound socket that never listens: connecting to its port is refused, and no other process
  // can take the port meanwhile.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);

  CurlHttpClient client;
  HttpClientRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/";
  auto response = client.Send(request);
  ::close(fd);
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable) << response.error().ToString();
}

TEST_F(CurlHttpClientTest, BodyOverTheCapGivesResourceExhausted) {
  CurlHttpClientOptions options;
  options.max_response_bytes = 1024;
  CurlHttpClient client(options);
  HttpClientRequest request;
  request.url = Url("/big");
  auto response = client.Send(request);
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kResourceExhausted);
}

TEST_F(CurlHttpClientTest, RejectsBadInputWithInvalidArgument) {
  CurlHttpClient client;
  HttpClientRequest no_url;
  EXPECT_EQ(client.Send(no_url).error().code, ErrorCode::kInvalidArgument);

  HttpClientRequest bad_method;
  bad_method.method = "GET /x HTTP/1.1\r\n";
  bad_method.url = Url("/");
  EXPECT_EQ(client.Send(bad_method).error().code, ErrorCode::kInvalidArgument);

  HttpClientRequest injected;
  injected.url = Url("/");
  injected.headers = {{"X-A", "b\r\nX-Injected: 1"}};
  EXPECT_EQ(client.Send(injected).error().code, ErrorCode::kInvalidArgument);

  HttpClientRequest file_scheme;
  file_scheme.url = "file:///etc/passwd";
  EXPECT_EQ(client.Send(file_scheme).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(CurlHttpClientTest, ErrorMessagesLeaveOutQueryAndCredentials) {
  CurlHttpClient client;
  HttpClientRequest request;
  request.url = "http://user:secret@127.0.0.1:1/path?api_key=secret";
  request.timeout = 2000ms;
  auto response = client.Send(request);
  ASSERT_FALSE(response.has_value());
  EXPECT_THAT(response.error().message, HasSubstr("http://127.0.0.1:1/path"));
  EXPECT_THAT(response.error().message, ::testing::Not(HasSubstr("secret")));
}

}  // namespace
}  // namespace qlrf
