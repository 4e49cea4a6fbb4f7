// Dispatcher: the request pipeline (see dispatcher.h).
#include "api/dispatcher.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <unordered_map>

#include "api/error_mapping.h"
#include "common/crypto.h"
#include "common/json.h"
#include "common/json_schema/json_schema.h"
#include "common/log.h"
#include "common/mutex.h"

namespace qlrf::api {

// --- small pieces --------------------------------------------------------------------------

std::string_view ApiRequest::Param(std::string_view name) const {
  for (const auto& [k, v] : path_params) {
    if (k == name) {
      return v;
    }
  }
  return {};
}

std::optional<std::string> ApiRequest::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) {
      return v;
    }
  }
  return std::nullopt;
}

Result<storage::PageRequest> ApiRequest::Page() const {
  int limit = 50;
  if (auto l = Query("limit")) {
    auto [p, ec] = std::from_chars(l->data(), l->data() + l->size(), limit);
    if (ec != std::errc() || p != l->data() + l->size() || limit < 1 || limit > 500) {
      return Fail(FieldError("limit", "must be an integer between 1 and 500"));
    }
  }
  if (auto c = Query("cursor")) {
    return storage::DecodeCursor(*c, limit);
  }
  storage::PageRequest page;
  page.limit = limit;
  return page;
}

ApiResponse Json(boost::json::value body, int status) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

ApiResponse NoContent() {
  ApiResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

namespace {

Result<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      int hi = i + 1 < s.size() ? crypto::HexDigitValue(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? crypto::HexDigitValue(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return Fail(InvalidArgument("malformed percent-encoding in the URL"));
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (part.empty()) {
      continue;
    }
    auto eq = part.find('=');
    QLRF_ASSIGN_OR_RETURN(auto k, PercentDecode(part.substr(0, eq)));
    std::string v;
    if (eq != std::string_view::npos) {
      QLRF_ASSIGN_OR_RETURN(v, PercentDecode(part.substr(eq + 1)));
    }
    out.emplace_back(std::move(k), std::move(v));
  }
  return out;
}

// --- state ---------------------------------------------------------------------------------

namespace {

struct Segment {
  std::string text;
  bool param = false;
};

struct CompiledRoute {
  Route route;
  std::vector<Segment> segments;
  std::optional<json_schema::Schema> request_schema;
  std::string metric_label;
  metrics::Histogram* latency = nullptr;
  std::unique_ptr<std::atomic<metrics::Counter*>[]> by_status;  // index status-100
};

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) {
      j = path.size();
    }
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

struct Bucket {
  double tokens = 0;
  MonotonicTime last{};
};

}  // namespace

struct Dispatcher::State {
  std::vector<Route> routes;  // as given, for OpenAPI
  std::vector<CompiledRoute> compiled;
  services::Authenticator* auth = nullptr;
  metrics::Registry* metrics = nullptr;
  const Clock* clock = nullptr;
  Random* random = nullptr;
  DispatcherOptions options;
  std::unique_ptr<boost::asio::thread_pool> pool;
  std::string id_prefix;
  std::atomic<uint64_t> id_counter{0};
  metrics::Counter* unmatched = nullptr;
  metrics::Counter* rate_limited = nullptr;

  Mutex buckets_mu;
  std::unordered_map<std::string, Bucket> buckets QLRF_GUARDED_BY(buckets_mu);

  std::string NewRequestId() {
    char buf[24];
    auto n = id_counter.fetch_add(1, std::memory_order_relaxed);
    std::snprintf(buf, sizeof buf, "%012llx", static_cast<unsigned long long>(n));
    return id_prefix + buf;
  }

  // Token bucket per principal. Returns seconds to wait (0 = allowed).
  double Take(const std::string& key) {
    if (options.rate_limit_rps <= 0) {
      return 0;
    }
    MonotonicTime now = clock->Monotonic();
    MutexLock lock(&buckets_mu);
    auto [it, inserted] = buckets.try_emplace(key);
    Bucket& b = it->second;
    if (inserted) {
      b.tokens = options.rate_limit_burst;
      b.last = now;
    } else {
      double elapsed = std::chrono::duration<double>(now - b.last).count();
      b.tokens =
          std::min<double>(options.rate_limit_burst, b.tokens + elapsed * options.rate_limit_rps);
      b.last = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return (1 - b.tokens) / options.rate_limit_rps;
  }

  metrics::Counter& StatusCounter(CompiledRoute& r, int status) {
    int idx = std::clamp(status, 100, 599) - 100;
    metrics::Counter* c = r.by_status[idx].load(std::memory_order_acquire);
    if (c == nullptr) {
      c = &metrics->GetCounter("qlrf_http_requests_total", "HTTP requests by route and status",
                               {{"route", r.metric_label},
                                {"method", r.route.method},
                                {"status", std::to_string(status)}});
      r.by_status[idx].store(c, std::memory_order_release);
    }
    return *c;
  }
};

Dispatcher::Dispatcher(std::unique_ptr<State> state) : state_(std::move(state)) {}

Dispatcher::~Dispatcher() { Drain(); }

void Dispatcher::Drain() {
  if (state_->pool) {
    state_->pool->join();
  }
}

const std::vector<Route>& Dispatcher::routes() const { return state_->routes; }

Result<std::unique_ptr<Dispatcher>> Dispatcher::Create(std::vector<Route> routes,
                                                       services::Authenticator& auth,
                                                       metrics::Registry& metrics,
                                                       const Clock& clock, Random& random,
                                                       DispatcherOptions options) {
  auto s = std::make_unique<State>();
  s->routes = routes;
  s->auth = &auth;
  s->metrics = &metrics;
  s->clock = &clock;
  s->random = &random;
  s->options = options;
  s->id_prefix = RandomHex(random, 6) + "-";
  s->unmatched = &metrics.GetCounter("qlrf_http_unmatched_requests_total",
                                     "Requests that matched no route (404/405)");
  s->rate_limited = &metrics.GetCounter("qlrf_http_rate_limited_total",
                                        "Requests refused by the rate limiter (429)");
  for (auto& r : routes) {
    CompiledRoute c;
    for (auto seg : SplitPath(r.path)) {
      bool param = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
      c.segments.push_back(
          Segment{std::string(param ? seg.substr(1, seg.size() - 2) : seg), param});
    }
    if (!r.request_schema.empty()) {
      auto doc = json::Parse(r.request_schema);
      if (!doc) {
        return Fail(InvalidArgument("route " + r.method + " " + r.path +
                                    ": request schema is not JSON: " + doc.error().message));
      }
      auto schema = json_schema::Schema::Compile(*doc);
      if (!schema) {
        return Fail(
            InvalidArgument("route " + r.method + " " + r.path +
                            ": request schema does not compile: " + schema.error().ToString()));
      }
      c.request_schema = std::move(*schema);
    }
    c.metric_label = r.path;
    c.latency =
        &metrics.GetHistogram("qlrf_http_request_duration_seconds", "HTTP request latency by route",
                              {{"route", r.path}, {"method", r.method}});
    c.by_status.reset(new std::atomic<metrics::Counter*>[500]);
    for (int i = 0; i < 500; ++i) {
      c.by_status[i].store(nullptr);
    }
    for (const auto& other : s->compiled) {
      if (other.route.method == r.method && other.route.path == r.path) {
        return Fail(InvalidArgument("duplicate route " + r.method + " " + r.path));
      }
    }
    c.route = std::move(r);
    s->compiled.push_back(std::move(c));
  }
  // A literal segment wins over a parameter at the same place ("/vulnerabilities/suppressions"
  // before "/vulnerabilities/{vuln_id}"), whatever the order of the route table.
  std::stable_sort(s->compiled.begin(), s->compiled.end(),
                   [](const CompiledRoute& a, const CompiledRoute& b) {
                     size_t n = std::min(a.segments.size(), b.segments.size());
                     for (size_t i = 0; i < n; ++i) {
                       if (a.segments[i].param != b.segments[i].param) {
                         return !a.segments[i].param;
                       }
                     }
                     return false;
                   });
  s->pool = std::make_unique<boost::asio::thread_pool>(
      static_cast<size_t>(std::max(1, options.blocking_threads)));
  return std::unique_ptr<Dispatcher>(new Dispatcher(std::move(s)));
}

namespace {

http::Response ErrorResponse(int status, std::string body, const std::string& request_id) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers.push_back({"X-Request-Id", request_id});
  return r;
}

bool SaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) {
    return false;
  }
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

bool IsJsonContentType(std::string_view ct) {
  auto semi = ct.find(';');
  std::string_view media = ct.substr(0, semi);
  while (!media.empty() && media.back() == ' ') {
    media.remove_suffix(1);
  }
  std::string lower(media);
  for (auto& ch : lower) {
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return lower == "application/json" || (lower.size() > 5 && lower.ends_with("+json"));
}

}  // namespace

void Dispatcher::Handle(http::Request&& request, http::Responder respond) {
  State& s = *state_;
  MonotonicTime start = s.clock->Monotonic();
  std::string request_id(request.HeaderValue("X-Request-Id"));
  if (!SaneRequestId(request_id)) {
    request_id = s.NewRequestId();
  }

  // 1. Route match.
  auto parts = SplitPath(request.Path());
  CompiledRoute* match = nullptr;
  std::vector<std::pair<std::string, std::string>> params;
  std::string allow;
  const CompiledRoute* path_match = nullptr;  // the most specific pattern matching the path
  for (auto& c : s.compiled) {
    if (c.route.rest_param ? parts.size() < c.segments.size() : c.segments.size() != parts.size()) {
      continue;
    }
    bool ok = true;
    for (size_t i = 0; i < c.segments.size() && ok; ++i) {
      ok = c.segments[i].param ? !parts[i].empty() : c.segments[i].text == parts[i];
      // Less specific patterns than the first match do not apply (nor count for Allow).
      if (ok && path_match != nullptr && i < path_match->segments.size() &&
          path_match->segments[i].param != c.segments[i].param) {
        ok = false;
      }
    }
    if (!ok) {
      continue;
    }
    path_match = &c;
    if (c.route.method == request.method || (request.method == "HEAD" && c.route.method == "GET")) {
      match = &c;
      break;
    }
    allow += (allow.empty() ? "" : ", ") + c.route.method;
  }
  if (match == nullptr) {
    s.unmatched->Inc();
    if (!allow.empty()) {
      auto r = ErrorResponse(405,
                             ErrorBody("method_not_allowed",
                                       "method " + request.method + " is not allowed on " +
                                           std::string(request.Path()) + "; allowed: " + allow,
                                       request_id),
                             request_id);
      r.headers.push_back({"Allow", allow});
      respond(std::move(r));
      return;
    }
    respond(ErrorResponse(
        404, ErrorBody("not_found", "no route for " + std::string(request.Path()), request_id),
        request_id));
    return;
  }
  CompiledRoute& route = *match;
  for (size_t i = 0; i < route.segments.size(); ++i) {
    if (route.segments[i].param) {
      bool rest = route.route.rest_param && i + 1 == route.segments.size();
      std::string value;
      for (size_t j = i; j < (rest ? parts.size() : i + 1); ++j) {
        auto decoded = PercentDecode(parts[j]);
        value += (j == i ? "" : "/") + (decoded ? *decoded : std::string(parts[j]));
      }
      params.emplace_back(route.segments[i].text, std::move(value));
    }
  }

  auto finish = [&s, &route, start, request_id, respond, method = request.method,
                 path = std::string(request.Path())](ApiRequest* api, Result<ApiResponse> result) {
    http::Response out;
    std::string org = api != nullptr ? api->ctx.principal.org_id : std::string();
    if (result) {
      out.status = result->status;
      out.content_type = result->content_type;
      out.headers = std::move(result->headers);
      if (!result->raw_body.empty()) {
        out.body = std::move(result->raw_body);
      } else if (out.status != 204 && out.status != 304) {
        out.body = json::Serialize(result->body);
      }
    } else {
      const Error& e = result.error();
      out.status = HttpStatusFor(e.code);
      out.body = ErrorBody(e, request_id);
      out.content_type = "application/json";
      if (e.code == ErrorCode::kInternal) {
        log::Error("internal error",
                   {{"request_id", request_id}, {"route", route.route.path}, {"error", e.message}});
      }
      if (e.code == ErrorCode::kResourceExhausted) {
        auto retry = e.Detail("retry_after");
        if (!retry.empty()) {
          out.headers.push_back({"Retry-After", std::string(retry)});
        }
      }
    }
    out.headers.push_back({"X-Request-Id", request_id});
    double seconds = std::chrono::duration<double>(s.clock->Monotonic() - start).count();
    route.latency->Observe(seconds);
    s.StatusCounter(route, out.status).Inc();
    if (s.options.access_log && route.route.tag != "ops") {
      std::string m = ",\"request_id\":";
      json::AppendQuoted(m, request_id);
      m += ",\"method\":";
      json::AppendQuoted(m, method);
      m += ",\"route\":";
      json::AppendQuoted(m, route.route.path);
      m += ",\"path\":";
      json::AppendQuoted(m, path);
      m += ",\"status\":" + std::to_string(out.status);
      char dur[32];
      std::snprintf(dur, sizeof dur, "%.3f", seconds * 1000);
      m += ",\"duration_ms\":";
      m += dur;
      m += ",\"org_id\":";
      json::AppendQuoted(m, org);
      log::WriteRaw(out.status >= 500 ? log::Level::kError : log::Level::kInfo, "request", m);
    }
    if (s.options.response_observer) {
      s.options.response_observer(route.route, out);
    }
    respond(std::move(out));
  };

  auto api = std::make_shared<ApiRequest>();
  api->path_params = std::move(params);
  api->ctx.request_id = request_id;

  // 2. Query parameters: decode and reject unknown names.
  auto query = ParseQuery(request.Query());
  if (!query) {
    finish(api.get(), Fail(Error(query.error()).With("field", "query")));
    return;
  }
  for (const auto& [k, v] : *query) {
    bool known = route.route.paginated && (k == "limit" || k == "cursor");
    for (const auto& q : route.route.query) {
      if (q.name == k) {
        known = true;
        if (!q.allowed.empty() &&
            std::find(q.allowed.begin(), q.allowed.end(), v) == q.allowed.end()) {
          std::string list;
          for (const auto& a : q.allowed) {
            list += (list.empty() ? "" : ", ") + a;
          }
          finish(api.get(), Fail(FieldError(k, "must be one of " + list)));
          return;
        }
      }
    }
    if (!known) {
      finish(api.get(), Fail(FieldError(k, "unknown query parameter '" + k + "'")));
      return;
    }
  }
  api->query = std::move(*query);

  // 3. Authentication, rate limit, permission.
  if (route.route.authenticated) {
    auto principal = s.auth->Authenticate(request.HeaderValue("Authorization"));
    if (!principal) {
      finish(api.get(), Fail(principal.error()));
      return;
    }
    api->ctx.principal = std::move(*principal);
    double wait = s.Take(api->ctx.principal.id);
    if (wait > 0) {
      s.rate_limited->Inc();
      finish(api.get(),
             Fail(ResourceExhausted("rate limit exceeded; retry later")
                      .With("retry_after", std::to_string(static_cast<int>(std::ceil(wait))))));
      return;
    }
    if (route.route.permission &&
        !services::RoleHas(api->ctx.principal.role, *route.route.permission)) {
      finish(api.get(),
             Fail(PermissionDenied("role '" + api->ctx.principal.role + "' lacks permission " +
                                   std::string(services::PermissionName(*route.route.permission)))
                      .With("permission",
                            std::string(services::PermissionName(*route.route.permission)))));
      return;
    }
  }

  // 4. Body: content type, JSON, schema (raw content types go to the handler as they are).
  std::string_view content_type = request.HeaderValue("Content-Type");
  bool raw = false;
  for (const auto& t : route.route.raw_content_types) {
    if (content_type.substr(0, t.size()) == t) {
      raw = true;
    }
  }
  if (route.request_schema && !raw) {
    if (request.body.empty()) {
      finish(api.get(), Fail(InvalidArgument("request body is required").With("field", "body")));
      return;
    }
    if (!IsJsonContentType(content_type)) {
      http::Response r =
          ErrorResponse(415,
                        ErrorBody("unsupported_media_type",
                                  route.route.raw_content_types.empty()
                                      ? std::string("Content-Type must be application/json")
                                      : "Content-Type must be application/json or " +
                                            route.route.raw_content_types.front(),
                                  request_id),
                        request_id);
      route.latency->Observe(0);
      s.StatusCounter(route, 415).Inc();
      respond(std::move(r));
      return;
    }
    auto body = json::Parse(request.body);
    if (!body) {
      finish(api.get(), Fail(body.error()));
      return;
    }
    auto checked = route.request_schema->Check(*body);
    if (!checked) {
      Error e = checked.error();
      e.message =
          (e.Detail("field").empty() ? std::string("body") : std::string(e.Detail("field"))) +
          ": " + e.message;
      finish(api.get(), Fail(std::move(e)));
      return;
    }
    api->body = std::move(*body);
  }

  // 5. Handler: inline for cheap routes, else on the blocking pool.
  auto req = std::make_shared<http::Request>(std::move(request));
  api->http = req.get();
  if (route.route.inline_exec) {
    finish(api.get(), route.route.handler(*api));
    return;
  }
  boost::asio::post(*s.pool, [finish, api, req, &route]() mutable {
    Result<ApiResponse> result = Fail(Internal("handler did not run"));
    try {
      result = route.route.handler(*api);
    } catch (const std::exception& e) {
      // Handlers do not throw by contract; a library exception here is a bug we report as 500.
      result = Fail(Internal(std::string("unhandled exception: ") + e.what()));
    }
    finish(api.get(), std::move(result));
  });
}

}  // namespace qlrf::api
