// One accepted HTTP connection: reads and parses requests, hands them to the handler one at a
// time, writes the responses in order, and enforces the timeouts and limits.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/http/internal/request_parser.h"
#include "api/http/internal/server_state.h"
#include "api/http/server.h"

namespace qlrf::http::internal {

// Lives on its worker's thread: every method except Respond runs there. Respond may be called
// from any thread and posts the write back to the worker. Owned by the worker's list until
// Close, and by pending operations and Responders.
class Connection final : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<ServerState> server, Worker* worker, Socket socket);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Start();
  // Closes the socket and leaves the worker's list. Idempotent.
  void Close();
  // Delivers the handler's response; any thread, first call only.
  void Respond(Response response);

  // Waiting for the first byte of a next request.
  bool IsIdle() const { return phase_ == Phase::kIdle; }
  SteadyTime Deadline() const { return deadline_; }
  size_t Slot() const { return slot_; }
  void SetSlot(size_t slot) { slot_ = slot; }

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting, kLingering, kClosed };

  void ReadMore();
  void OnRead(const boost::system::error_code& ec, size_t n);
  void BeginRequest();
  void Parse();
  bool OnHead();
  void SendContinue();
  void FailParse(const boost::system::error_code& ec);
  void Dispatch();
  void WriteResponse();
  void StartWrite();
  void OnWritten(const boost::system::error_code& ec);
  void FinishRequest();
  void NextRequest();
  void Linger();
  void LingerRead();

  // Declared first so it is released last: it owns the io_context the socket belongs to.
  std::shared_ptr<ServerState> server_;
  Worker* worker_;
  Socket socket_;
  size_t slot_ = 0;
  Phase phase_ = Phase::kIdle;
  SteadyTime deadline_ = SteadyTime::max();
  const size_t max_buffer_;
  boost::beast::flat_buffer buffer_;
  Request request_;  // reused: its strings keep their capacity between requests
  std::optional<RequestParser> parser_;
  bool head_checked_ = false;
  bool served_any_ = false;  // a response was written; later requests are keep-alive ones
  bool keep_alive_ = true;
  bool head_request_ = false;
  bool busy_ = false;                  // counted in worker_->busy
  bool dispatched_ = false;            // counted in worker_->in_flight
  std::atomic<bool> awaiting_{false};  // the handler owes a response
  Response response_;  // written by Respond before it hands over to the worker thread
  std::string head_;   // serialised response head, reused
  std::string remote_address_;
};

}  // namespace qlrf::http::internal
