// A scripted HttpClient: answers by URL from a table tests can change, counts calls.
#pragma once

#include <map>
#include <string>

#include "common/http_client/http_client.h"
#include "common/mutex.h"

namespace qlrf::testing {

// Thread-safe.
class FakeHttpClient final : public HttpClient {
 public:
  void Set(const std::string& url, int status, std::string body) {
    MutexLock lock(&mu_);
    responses_[url] = {status, std::move(body)};
  }
  void Fail(const std::string& url) {
    MutexLock lock(&mu_);
    responses_.erase(url);
  }
  Result<HttpClientResponse> Send(const HttpClientRequest& request) override {
    MutexLock lock(&mu_);
    ++calls_;
    auto it = responses_.find(request.url);
    if (it == responses_.end()) {
      return qlrf::Fail(Unavailable("connection refused: " + request.url));
    }
    HttpClientResponse r;
    r.status = it->second.first;
    r.body = it->second.second;
    return r;
  }
  int calls() {
    MutexLock lock(&mu_);
    return calls_;
  }

 private:
  Mutex mu_;
  std::map<std::string, std::pair<int, std::string>> responses_ QLRF_GUARDED_BY(mu_);
  int calls_ QLRF_GUARDED_BY(mu_) = 0;
};

}  // namespace qlrf::testing
