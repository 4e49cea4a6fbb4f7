// HTTP/1.1 server: accepts connections, parses requests and hands each one to a single Handler.
// Routing and auth live in the layer above; Beast/Asio stay out of this header (pimpl).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "common/result.h"

namespace qlrf::http {

namespace internal {
struct ServerState;
}  // namespace internal

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method;           // "GET"
  std::string target;           // raw target "/api/v1/assets?limit=5"
  std::vector<Header> headers;  // as received
  std::string body;
  std::string remote_address;  // "127.0.0.1:5555", "[::1]:5555"

  // The target before '?'.
  std::string_view Path() const;
  // The target after the first '?', or empty.
  std::string_view Query() const;
  // The first header named `name` (ASCII case-insensitive), or empty if absent.
  std::string_view HeaderValue(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  // Extra headers. The server owns Content-Length, Transfer-Encoding and Connection and drops
  // them here ("Connection: close" still closes the connection); headers with CR, LF or NUL
  // are dropped too.
  std::vector<Header> headers;
  std::string body;
};

// Delivers the response to a request. Call it exactly once, from any thread; later calls are
// ignored. The Request stays valid until then; move from it to keep it longer.
using Responder = std::function<void(Response)>;
using Handler = std::function<void(Request&&, Responder)>;

struct ServerOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 8080;  // 0 = ephemeral; see Server::port()
  int io_threads = 0;    // 0 = std::thread::hardware_concurrency()
  size_t max_body_bytes = 10 << 20;
  // Targets for which `upload_predicate` holds (e.g. SBOM imports) may carry up to
  // max_upload_bytes instead. Called on an io thread with the request target; must not block.
  size_t max_upload_bytes = 256 << 20;
  std::function<bool(std::string_view target)> upload_predicate;
  size_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds header_timeout{10000};  // the whole request head, from its first byte
  std::chrono::milliseconds body_timeout{30000};    // the whole body, from the end of the head
  std::chrono::milliseconds idle_timeout{60000};    // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30000};   // each response write
  size_t max_connections = 10000;                   // beyond this, new connections are closed
};

// Serves HTTP/1.1 (and 1.0) on one listening socket with `io_threads` threads. Each connection
// is pinned to one single-threaded io_context, which serialises its work (an implicit strand);
// requests on a connection are handled one at a time, in order, pipelined or not. Errors the
// server answers itself use the project's JSON error body: 400 malformed request (then close),
// 413 body over max_body_bytes (decided from Content-Length before reading the body), 431 head
// over max_header_bytes. Slow or stalled clients are cut off by the timeouts.
//
// Thread-safe. The handler runs on an io thread and must not block; it may answer later from
// another thread. Responders called after Shutdown() returns are ignored.
class Server {
 public:
  Server(ServerOptions options, Handler handler);
  // Shutdown(0ms) if still running. A throw from it (joining from an io thread) is a bug.
  ~Server();  // NOLINT(bugprone-exception-escape)
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the io threads. Unavailable if the address is in use or cannot be
  // bound; InvalidArgument if the host is not an address or resolvable name; FailedPrecondition
  // if the server was started before.
  Status Start();

  // Accessors keep Google's lower_case spelling, as callers know them.
  // The bound port (after Start), or 0.
  uint16_t port() const;  // NOLINT(readability-identifier-naming)

  // Stops accepting and closes idle keep-alive connections. Requests already being received or
  // handled get their response (with "Connection: close") until `drain` has passed; then every
  // connection is closed. Returns after the io threads have been joined. Safe to call from any
  // thread but an io thread (e.g. from the thread that waited for SIGTERM); a no-op if not
  // running.
  void Shutdown(std::chrono::milliseconds drain);

  size_t active_connections() const;  // NOLINT(readability-identifier-naming)
  // Requests handed to the handler whose response has not been written yet.
  size_t in_flight() const;  // NOLINT(readability-identifier-naming)

 private:
  void ShutdownLocked(std::chrono::milliseconds drain);

  std::shared_ptr<internal::ServerState> state_;  // shared with connections that outlive us
  Mutex mu_;                                      // serialises Start and Shutdown
  bool started_ QLRF_GUARDED_BY(mu_) = false;
  bool running_ QLRF_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_ QLRF_GUARDED_BY(mu_);
};

}  // namespace qlrf::http
