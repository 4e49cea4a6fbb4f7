// Internal state of a Server shared with its connections: the io workers, the acceptor and the
// lifecycle flags. Connections keep it alive, so a late Responder never touches freed memory.
#pragma once

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "api/http/server.h"
#include "common/result.h"

namespace qlrf::http::internal {

namespace asio = boost::asio;
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<asio::ip::tcp, Executor>;
using Acceptor = asio::basic_socket_acceptor<asio::ip::tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Executor>;
using SteadyTime = std::chrono::steady_clock::time_point;

class Connection;

// A counter written by one thread (a worker's) and read by any: a relaxed load and store, no
// read-modify-write, so the hot path never bounces a cache line between cores.
class OwnedCounter {
 public:
  void Increment() { value_.store(value_.load(std::memory_order_relaxed) + 1, kOrder); }
  void Decrement() { value_.store(value_.load(std::memory_order_relaxed) - 1, kOrder); }
  size_t Get() const { return value_.load(std::memory_order_relaxed); }

 private:
  static constexpr std::memory_order kOrder = std::memory_order_relaxed;
  std::atomic<size_t> value_{0};
};

// One io thread: a single-threaded io_context, the connections pinned to it, and a sweep timer
// that closes connections past their deadline. Everything except the counters is used only on
// the worker's thread (or, once that thread is joined, by Server::Shutdown).
class Worker {
 public:
  explicit Worker(std::chrono::milliseconds sweep_period);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  asio::io_context& Context() { return context_; }
  bool Stopping() const { return stopping_; }

  void Add(std::shared_ptr<Connection> connection);
  void Remove(Connection* connection);
  void StartSweeping();
  // Closes connections waiting for a next request (Shutdown, first step).
  void CloseIdle();
  // Closes every connection and stops the sweep, so the io_context runs out of work.
  void Stop();

  OwnedCounter connections;
  OwnedCounter in_flight;  // handed to the handler, response not yet written
  OwnedCounter busy;       // first byte received, response not yet written

 private:
  void ArmSweep();
  void Sweep();

  asio::io_context context_{1};  // first member: destroyed last, after everything using it
  Timer sweep_timer_;
  std::chrono::milliseconds sweep_period_;
  bool stopping_ = false;
  std::vector<std::shared_ptr<Connection>> connections_;
  std::vector<std::shared_ptr<Connection>> expired_;  // reused by Sweep
};

// Shared by Server and its connections. Options and handler are immutable; the flags and
// `posting` are atomics; the acceptor is used on workers[0]'s thread only.
struct ServerState : std::enable_shared_from_this<ServerState> {
  ServerState(ServerOptions options_in, Handler handler_in);

  // Opens, binds and listens; see Server::Start for the errors.
  Status Listen();
  // Accepts connections, handing them round-robin to the workers, until the acceptor closes.
  void Accept();
  // Closes the acceptor (on its thread) so new connections are refused.
  void StopAccepting();

  size_t ActiveConnections() const;
  size_t InFlight() const;
  size_t Busy() const;

  const ServerOptions options;
  const Handler handler;
  std::vector<std::unique_ptr<Worker>> workers;
  Acceptor acceptor;       // on workers[0]
  Timer accept_retry;      // on workers[0]; backs off when out of descriptors
  size_t next_worker = 0;  // workers[0]'s thread only
  std::atomic<uint16_t> port{0};
  std::atomic<bool> draining{false};  // Shutdown began: no new requests on kept-alive conns
  std::atomic<bool> stopped{false};   // io threads joined: Responders drop their responses
  std::atomic<int> posting{0};        // Responders between checking `stopped` and posting

 private:
  void OnAccept(const boost::system::error_code& ec, Socket socket, Worker* target);
};

}  // namespace qlrf::http::internal
