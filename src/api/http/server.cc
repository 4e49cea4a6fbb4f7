// Server lifecycle (Start, Shutdown) and the Request accessors.
#include "api/http/server.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core/string.hpp>

#include <system_error>
#include <utility>

#include "api/http/internal/server_state.h"

namespace qlrf::http {

std::string_view Request::Path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view Request::Query() const {
  std::string_view t = target;
  const size_t q = t.find('?');
  return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}

std::string_view Request::HeaderValue(std::string_view name) const {
  for (const Header& h : headers) {
    if (boost::beast::iequals(h.name, name)) {
      return h.value;
    }
  }
  return {};
}

Server::Server(ServerOptions options, Handler handler)
    : state_(std::make_shared<internal::ServerState>(std::move(options), std::move(handler))) {}

// NOLINTNEXTLINE(bugprone-exception-escape): see the declaration.
Server::~Server() { Shutdown(std::chrono::milliseconds(0)); }

Status Server::Start() {
  MutexLock lock(&mu_);
  if (started_) {
    return Fail(FailedPrecondition("the server was started before"));
  }
  QLRF_TRY(state_->Listen());
  started_ = true;
  running_ = true;
  boost::asio::post(state_->workers[0]->Context(), [state = state_.get()] { state->Accept(); });
  try {
    for (auto& worker : state_->workers) {
      worker->StartSweeping();
      threads_.emplace_back([w = worker.get()] { w->Context().run(); });
    }
  } catch (const std::system_error& e) {
    ShutdownLocked(std::chrono::milliseconds(0));
    return Fail(Internal(std::string("cannot start io threads: ") + e.what()));
  }
  return Ok();
}

uint16_t Server::port() const { return state_->port.load(); }

size_t Server::active_connections() const { return state_->ActiveConnections(); }

size_t Server::in_flight() const { return state_->InFlight(); }

void Server::Shutdown(std::chrono::milliseconds drain) {
  MutexLock lock(&mu_);
  ShutdownLocked(drain);
}

void Server::ShutdownLocked(std::chrono::milliseconds drain) {
  if (!running_) {
    return;
  }
  running_ = false;
  internal::ServerState& s = *state_;
  s.draining.store(true);
  s.StopAccepting();
  for (auto& worker : s.workers) {
    boost::asio::post(worker->Context(), [w = worker.get()] { w->CloseIdle(); });
  }
  // Requests being received or handled finish on their own (each ends with Connection: close).
  // Polling keeps the hot path free of any notification; this runs once per process.
  const auto deadline = std::chrono::steady_clock::now() + drain;
  while (s.Busy() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (auto& worker : s.workers) {
    boost::asio::post(worker->Context(), [w = worker.get()] { w->Stop(); });
  }
  // With every socket closed and the sweeps stopped, each io_context runs out of work.
  for (auto& t : threads_) {
    t.join();
  }
  threads_.clear();
  s.stopped.store(true);
  while (s.posting.load() != 0) {
    std::this_thread::yield();
  }
  // Run what Responders posted after the threads left; their connections are closed, so this
  // only releases them.
  for (auto& worker : s.workers) {
    worker->Context().restart();
    worker->Context().run();
  }
}

}  // namespace qlrf::http
