// Worker (io thread, connection list, deadline sweep) and ServerState (acceptor, counters).
#include "api/http/internal/server_state.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <string>
#include <utility>

#include "api/http/internal/connection.h"

namespace qlrf::http::internal {

namespace {

using boost::system::error_code;
using tcp = asio::ip::tcp;

constexpr std::chrono::milliseconds kAcceptBackoff{50};

// Deadlines are checked by a periodic sweep instead of a timer per operation: arming and
// cancelling a timer on every read and write costs more than the request itself. The period
// is a quarter of the shortest timeout, so a timeout fires at most 25% late.
std::chrono::milliseconds SweepPeriod(const ServerOptions& o) {
  auto shortest = std::min({o.header_timeout, o.body_timeout, o.idle_timeout, o.write_timeout});
  return std::clamp(shortest / 4, std::chrono::milliseconds(5), std::chrono::milliseconds(250));
}

size_t WorkerCount(int io_threads) {
  if (io_threads > 0) {
    return static_cast<size_t>(io_threads);
  }
  return std::max(1U, std::thread::hardware_concurrency());
}

}  // namespace

Worker::Worker(std::chrono::milliseconds sweep_period)
    : sweep_timer_(context_.get_executor()), sweep_period_(sweep_period) {}

void Worker::Add(std::shared_ptr<Connection> connection) {
  connection->SetSlot(connections_.size());
  connections_.push_back(std::move(connection));
  connections.Increment();
}

void Worker::Remove(Connection* connection) {
  const size_t slot = connection->Slot();
  QLRF_CHECK(slot < connections_.size() && connections_[slot].get() == connection,
             "a connection leaves the list of the worker it joined, once");
  if (slot + 1 != connections_.size()) {
    connections_[slot] = std::move(connections_.back());
    connections_[slot]->SetSlot(slot);
  }
  connections_.pop_back();
  connections.Decrement();
}

void Worker::StartSweeping() { ArmSweep(); }

void Worker::ArmSweep() {
  sweep_timer_.expires_after(sweep_period_);
  sweep_timer_.async_wait([this](const error_code& ec) {
    if (ec || stopping_) {
      return;
    }
    Sweep();
    ArmSweep();
  });
}

void Worker::Sweep() {
  const auto now = std::chrono::steady_clock::now();
  for (const auto& c : connections_) {
    if (c->Deadline() <= now) {
      expired_.push_back(c);
    }
  }
  for (const auto& c : expired_) {
    c->Close();
  }
  expired_.clear();
}

void Worker::CloseIdle() {
  for (const auto& c : connections_) {
    if (c->IsIdle()) {
      expired_.push_back(c);
    }
  }
  for (const auto& c : expired_) {
    c->Close();
  }
  expired_.clear();
}

void Worker::Stop() {
  stopping_ = true;
  sweep_timer_.cancel();
  while (!connections_.empty()) {
    connections_.back()->Close();
  }
}

ServerState::ServerState(ServerOptions options_in, Handler handler_in)
    : options(std::move(options_in)),
      handler(std::move(handler_in)),
      workers([this] {
        std::vector<std::unique_ptr<Worker>> w;
        for (size_t i = 0; i < WorkerCount(options.io_threads); ++i) {
          w.push_back(std::make_unique<Worker>(SweepPeriod(options)));
        }
        return w;
      }()),
      acceptor(workers[0]->Context().get_executor()),
      accept_retry(workers[0]->Context().get_executor()) {}

Status ServerState::Listen() {
  error_code ec;
  tcp::endpoint endpoint;
  auto address = asio::ip::make_address(options.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options.port);
  } else {
    asio::ip::basic_resolver<tcp, Executor> resolver(workers[0]->Context().get_executor());
    auto results = resolver.resolve(options.host, std::to_string(options.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
      return Fail(InvalidArgument("cannot resolve listen host '" + options.host +
                                  "': " + (ec ? ec.message() : "no addresses")));
    }
    endpoint = results.begin()->endpoint();
  }
  const std::string where = options.host + ":" + std::to_string(options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
    return Fail(Unavailable("cannot listen on " + where + ": " + ec.message()));
  }
  port.store(acceptor.local_endpoint(ec).port());
  return Ok();
}

void ServerState::Accept() {
  Worker* target = workers[next_worker].get();
  next_worker = (next_worker + 1) % workers.size();
  acceptor.async_accept(target->Context(), [this, target](const error_code& ec, Socket socket) {
    OnAccept(ec, std::move(socket), target);
  });
}

void ServerState::OnAccept(const error_code& ec, Socket socket, Worker* target) {
  if (ec == asio::error::operation_aborted || draining.load()) {
    return;  // an accepted socket closes as it goes out of scope
  }
  if (ec == asio::error::no_descriptors || ec == asio::error::no_memory ||
      ec == asio::error::no_buffer_space) {
    // Out of resources: accepting again at once would spin. Back off; pending clients wait in
    // the listen queue.
    accept_retry.expires_after(kAcceptBackoff);
    accept_retry.async_wait([this](const error_code& wait_ec) {
      if (!wait_ec && !draining.load()) {
        Accept();
      }
    });
    return;
  }
  if (!ec && ActiveConnections() < options.max_connections) {
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto connection = std::make_shared<Connection>(shared_from_this(), target, std::move(socket));
    asio::post(target->Context(), [connection] { connection->Start(); });
  }
  Accept();
}

void ServerState::StopAccepting() {
  asio::post(workers[0]->Context(), [this] {
    error_code ignored;
    acceptor.close(ignored);
    accept_retry.cancel();
  });
}

size_t ServerState::ActiveConnections() const {
  size_t n = 0;
  for (const auto& w : workers) {
    n += w->connections.Get();
  }
  return n;
}

size_t ServerState::InFlight() const {
  size_t n = 0;
  for (const auto& w : workers) {
    n += w->in_flight.Get();
  }
  return n;
}

size_t ServerState::Busy() const {
  size_t n = 0;
  for (const auto& w : workers) {
    n += w->busy.Get();
  }
  return n;
}

}  // namespace qlrf::http::internal
