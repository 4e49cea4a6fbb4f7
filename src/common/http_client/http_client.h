// HttpClient: the project's seam for outgoing HTTP (cloud APIs, LLM providers, webhooks), and
// CurlHttpClient, its libcurl implementation. Tests substitute fakes for the interface.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "common/result.h"

namespace qlrf {

struct HttpClientRequest {
  std::string method = "GET";
  std::string url;  // http:// or https://
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};  // the whole exchange, connecting included
};

struct HttpClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // of the final response
  std::string body;

  // The first header named `name` (ASCII case-insensitive), or empty if absent.
  std::string_view Header(std::string_view name) const;
};

// Sends one request and waits for its response. Any HTTP status is a response, not an error.
// Errors: InvalidArgument (bad URL or method, unsupported scheme), Unavailable (DNS, connect,
// TLS or transfer failure; retry with backoff), DeadlineExceeded (request.timeout passed),
// ResourceExhausted (response body over the client's cap). Never throws. Thread-safe.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpClientResponse> Send(const HttpClientRequest& request) = 0;
};

struct CurlHttpClientOptions {
  size_t max_response_bytes = 64 << 20;
  size_t max_idle_handles = 8;  // easy handles (and their open connections) kept for reuse
};

// libcurl easy handles, one per call in flight, recycled through a small pool so keep-alive
// connections and DNS results are reused. Only http and https are allowed; redirects are not
// followed. Thread-safe.
class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient() : CurlHttpClient(CurlHttpClientOptions{}) {}
  explicit CurlHttpClient(CurlHttpClientOptions options);
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Result<HttpClientResponse> Send(const HttpClientRequest& request) override;

 private:
  struct EasyHandle;  // owns one CURL*
  std::unique_ptr<EasyHandle> Acquire();
  void Release(std::unique_ptr<EasyHandle> handle);

  const CurlHttpClientOptions options_;
  bool global_init_ok_ = false;
  Mutex mu_;
  std::vector<std::unique_ptr<EasyHandle>> idle_ QLRF_GUARDED_BY(mu_);
};

}  // namespace qlrf
