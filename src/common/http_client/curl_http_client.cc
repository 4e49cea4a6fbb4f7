// CurlHttpClient: one libcurl easy handle per call in flight, taken from a small pool.
#include "common/http_client/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <exception>
#include <new>
#include <string>
#include <utility>

namespace qlrf {

namespace {

bool AsciiIEquals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool IsToken(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

bool HasLineBreak(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// The URL for messages: no query (it may carry keys) and no user:password.
std::string ForMessage(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  std::string out(url);
  const size_t scheme_end = out.find("://");
  const size_t host_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const size_t at = out.find('@', host_start);
  if (at != std::string::npos && out.find('/', host_start) > at) {
    out.erase(host_start, at + 1 - host_start);
  }
  return out;
}

// State the libcurl callbacks write into during one call.
struct Transfer {
  HttpClientResponse* response;
  size_t max_body_bytes;
  bool too_large = false;
  bool out_of_memory = false;
};

// Returning less than offered makes libcurl stop with CURLE_WRITE_ERROR. Exceptions must not
// cross libcurl's C frames, hence the catch.
size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (n > t->max_body_bytes - t->response->body.size()) {
    t->too_large = true;
    return 0;
  }
  try {
    t->response->body.append(data, n);
  } catch (const std::bad_alloc&) {
    t->out_of_memory = true;
    return 0;
  }
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  const std::string_view line(data, n);
  try {
    if (line.starts_with("HTTP/")) {
      t->response->headers.clear();  // a new response (after 100 Continue or an auth round)
    } else if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
      t->response->headers.emplace_back(std::string(Trim(line.substr(0, colon))),
                                        std::string(Trim(line.substr(colon + 1))));
    }
  } catch (const std::bad_alloc&) {
    t->out_of_memory = true;
    return 0;
  }
  return n;
}

Error DeadlineExceeded(std::string message) {
  return Error(ErrorCode::kDeadlineExceeded, std::move(message));
}

Error MapCurlError(CURLcode code, const Transfer& transfer, const std::string& what,
                   const char* detail) {
  const std::string message = what + ": " + (detail[0] != '\0' ? detail : curl_easy_strerror(code));
  if (transfer.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return ResourceExhausted(what + ": response body exceeds " +
                             std::to_string(transfer.max_body_bytes) + " bytes");
  }
  if (transfer.out_of_memory || code == CURLE_OUT_OF_MEMORY) {
    return ResourceExhausted(what + ": out of memory");
  }
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return DeadlineExceeded(message);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return InvalidArgument(message);
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_PARTIAL_FILE:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_QUIC_CONNECT_ERROR:
    case CURLE_PROXY:
    case CURLE_AGAIN:
      return Unavailable(message);
    default:
      return Internal(message);
  }
}

// Frees a curl_slist on scope exit.
class HeaderList {
 public:
  HeaderList() = default;
  ~HeaderList() { curl_slist_free_all(list_); }
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;

  bool Append(const std::string& line) {
    curl_slist* next = curl_slist_append(list_, line.c_str());
    if (next == nullptr) {
      return false;
    }
    list_ = next;
    return true;
  }
  curl_slist* Get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

bool NeedsBody(std::string_view method) {
  return !(method == "GET" || method == "HEAD" || method == "DELETE" || method == "OPTIONS");
}

}  // namespace

std::string_view HttpClientResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (AsciiIEquals(key, name)) {
      return value;
    }
  }
  return {};
}

struct CurlHttpClient::EasyHandle {
  EasyHandle() : curl(curl_easy_init()) {}
  ~EasyHandle() {
    if (curl != nullptr) {
      curl_easy_cleanup(curl);
    }
  }
  EasyHandle(const EasyHandle&) = delete;
  EasyHandle& operator=(const EasyHandle&) = delete;

  CURL* curl;
};

// curl_global_init is reference-counted and thread-safe since libcurl 7.84 (Debian 12: 7.88).
CurlHttpClient::CurlHttpClient(CurlHttpClientOptions options)
    : options_(options), global_init_ok_(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK) {}

CurlHttpClient::~CurlHttpClient() {
  {
    MutexLock lock(&mu_);
    idle_.clear();
  }
  if (global_init_ok_) {
    curl_global_cleanup();
  }
}

std::unique_ptr<CurlHttpClient::EasyHandle> CurlHttpClient::Acquire() {
  {
    MutexLock lock(&mu_);
    if (!idle_.empty()) {
      auto handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  auto handle = std::make_unique<EasyHandle>();
  if (handle->curl == nullptr) {
    return nullptr;
  }
  return handle;
}

void CurlHttpClient::Release(std::unique_ptr<EasyHandle> handle) {
  curl_easy_reset(handle->curl);  // options only; open connections and DNS cache stay
  MutexLock lock(&mu_);
  if (idle_.size() < options_.max_idle_handles) {
    idle_.push_back(std::move(handle));
  }
}

Result<HttpClientResponse> CurlHttpClient::Send(const HttpClientRequest& request) try {
  const std::string what = request.method + " " + ForMessage(request.url);
  if (!global_init_ok_) {
    return Fail(Internal(what + ": libcurl failed to initialise"));
  }
  if (request.url.empty()) {
    return Fail(InvalidArgument("HTTP request without a URL"));
  }
  if (!IsToken(request.method)) {
    return Fail(InvalidArgument("invalid HTTP method '" + request.method + "'"));
  }
  HeaderList headers;
  bool has_content_type = false;
  bool has_expect = false;
  for (const auto& [name, value] : request.headers) {
    if (!IsToken(name) || HasLineBreak(value)) {
      return Fail(
          InvalidArgument(std::string(what).append(": invalid header '").append(name) + "'"));
    }
    has_content_type = has_content_type || AsciiIEquals(name, "content-type");
    has_expect = has_expect || AsciiIEquals(name, "expect");
    // "Name;" is libcurl's spelling of a header with an empty value.
    std::string line = name;
    line.append(value.empty() ? ";" : ": ").append(value);
    if (!headers.Append(line)) {
      return Fail(ResourceExhausted(what + ": out of memory"));
    }
  }
  // No form-urlencoded default, and no 100-continue round trip unless the caller asks for it.
  if ((!has_content_type && !headers.Append("Content-Type:")) ||
      (!has_expect && !headers.Append("Expect:"))) {
    return Fail(ResourceExhausted(what + ": out of memory"));
  }

  auto handle = Acquire();
  if (handle == nullptr) {
    return Fail(ResourceExhausted(what + ": cannot create a libcurl handle"));
  }
  CURL* curl = handle->curl;
  HttpClientResponse response;
  Transfer transfer{&response, options_.max_response_bytes};
  std::array<char, CURL_ERROR_SIZE> error_text{};
  const long timeout_ms = std::max<long>(1, static_cast<long>(request.timeout.count()));

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options_.max_response_bytes));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text.data());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.Get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "GET" && request.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    if (request.method != "POST") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    if (!request.body.empty() || NeedsBody(request.method)) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    }
  }

  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  }
  Release(std::move(handle));
  if (code != CURLE_OK) {
    return Fail(MapCurlError(code, transfer, what, error_text.data()));
  }
  response.status = static_cast<int>(status);
  return response;
} catch (const std::bad_alloc&) {
  return Fail(ResourceExhausted("HTTP request: out of memory"));
} catch (const std::exception& e) {
  return Fail(Internal(std::string("HTTP request: ") + e.what()));
}

}  // namespace qlrf
