// Connection: the per-connection request loop of the HTTP server.
#include "api/http/internal/connection.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "api/http/internal/response_head.h"

namespace qlrf::http::internal {

namespace {

namespace beast_http = boost::beast::http;
using boost::system::error_code;

constexpr size_t kReadChunk = 8192;
// Buffers above this are released after a request instead of being kept for the next one.
constexpr size_t kKeepCapacity = 64 << 10;
// How long a closing connection keeps draining what the client still sends, so that the kernel
// does not answer unread data with a reset that destroys the response in flight.
constexpr std::chrono::milliseconds kLinger{1000};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

SteadyTime After(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }

std::string FormatEndpoint(const asio::ip::tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  std::string out;
  out.reserve(address.size() + 8);
  if (endpoint.address().is_v6()) {
    out.append("[").append(address).append("]");
  } else {
    out.append(address);
  }
  out.append(":").append(std::to_string(endpoint.port()));
  return out;
}

}  // namespace

Connection::Connection(std::shared_ptr<ServerState> server, Worker* worker, Socket socket)
    : server_(std::move(server)),
      worker_(worker),
      socket_(std::move(socket)),
      max_buffer_(server_->options.max_header_bytes + kReadChunk),
      buffer_(max_buffer_) {}

void Connection::Start() {
  if (worker_->Stopping() || server_->draining.load(std::memory_order_relaxed)) {
    error_code ignored;
    socket_.close(ignored);
    return;
  }
  worker_->Add(shared_from_this());
  error_code ec;
  auto endpoint = socket_.remote_endpoint(ec);
  if (ec) {
    Close();
    return;
  }
  remote_address_ = FormatEndpoint(endpoint);
  parser_.emplace(&request_, server_->options.max_header_bytes, server_->options.max_body_bytes,
                  server_->options.max_upload_bytes, &server_->options.upload_predicate);
  phase_ = Phase::kIdle;
  deadline_ = After(server_->options.header_timeout);  // a new client must speak promptly
  ReadMore();
}

void Connection::Close() {
  if (phase_ == Phase::kClosed) {
    return;
  }
  auto self = shared_from_this();  // the worker's list may hold the last reference
  FinishRequest();
  phase_ = Phase::kClosed;
  deadline_ = SteadyTime::max();
  error_code ignored;
  socket_.close(ignored);
  worker_->Remove(this);
}

void Connection::ReadMore() {
  const size_t room = max_buffer_ - buffer_.size();
  if (room == 0) {
    // Bodies are consumed as they arrive, so only an unfinished head or chunk header gets here.
    FailParse(parser_->is_header_done() ? beast_http::error::bad_chunk
                                        : beast_http::error::header_limit);
    return;
  }
  socket_.async_read_some(
      buffer_.prepare(std::min(room, kReadChunk)),
      [self = shared_from_this()](const error_code& ec, size_t n) { self->OnRead(ec, n); });
}

void Connection::OnRead(const error_code& ec, size_t n) {
  if (phase_ == Phase::kClosed) {
    return;
  }
  if (ec) {
    Close();  // EOF or reset; a partial request gets no answer
    return;
  }
  buffer_.commit(n);
  if (phase_ == Phase::kIdle) {
    BeginRequest();
  }
  Parse();
}

void Connection::BeginRequest() {
  phase_ = Phase::kReading;
  busy_ = true;
  worker_->busy.Increment();
  if (served_any_) {  // the first head has been due since the connection opened
    deadline_ = After(server_->options.header_timeout);
  }
}

void Connection::Parse() {
  while (buffer_.size() > 0) {
    error_code ec;
    const size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == beast_http::error::need_more) {
      break;
    }
    if (ec) {
      FailParse(ec);
      return;
    }
    if (!head_checked_ && parser_->is_header_done()) {
      head_checked_ = true;
      if (!OnHead()) {
        return;
      }
    }
    if (parser_->is_done()) {
      Dispatch();
      return;
    }
    if (used == 0) {
      break;
    }
  }
  ReadMore();
}

bool Connection::OnHead() {
  // An oversized Content-Length never gets here: the parser reports body_limit with the head.
  deadline_ = After(server_->options.body_timeout);
  if (parser_->ExpectsContinue() && parser_->Version() >= 11 && !parser_->is_done() &&
      buffer_.size() == 0) {
    SendContinue();
    return false;
  }
  return true;
}

void Connection::SendContinue() {
  asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()),
                    [self = shared_from_this()](const error_code& ec, size_t /*n*/) {
                      if (self->phase_ == Phase::kClosed) {
                        return;
                      }
                      if (ec) {
                        self->Close();
                        return;
                      }
                      self->ReadMore();
                    });
}

void Connection::FailParse(const error_code& ec) {
  const ServerOptions& o = server_->options;
  if (ec == beast_http::error::header_limit) {
    response_ =
        ErrorResponse(431, "request_header_fields_too_large",
                      "request head exceeds " + std::to_string(o.max_header_bytes) + " bytes");
  } else if (ec == beast_http::error::body_limit) {
    response_ =
        ErrorResponse(413, "payload_too_large",
                      "request body exceeds " + std::to_string(parser_->BodyLimit()) + " bytes");
  } else {
    response_ = ErrorResponse(400, "invalid_argument", "malformed HTTP request: " + ec.message());
  }
  keep_alive_ = false;
  head_request_ = false;
  StartWrite();
}

void Connection::Dispatch() {
  keep_alive_ = parser_->keep_alive();
  head_request_ = request_.method == "HEAD";
  request_.remote_address.assign(remote_address_);
  phase_ = Phase::kHandling;
  deadline_ = SteadyTime::max();  // the handler's time is not the client's fault
  dispatched_ = true;
  worker_->in_flight.Increment();
  awaiting_.store(true, std::memory_order_release);
  try {
    server_->handler(std::move(request_), [self = shared_from_this()](Response response) {
      self->Respond(std::move(response));
    });
  } catch (...) {
    // The handler is another module's code; a throw must not unwind through Asio.
    Respond(ErrorResponse(500, "internal", "internal error"));
  }
}

void Connection::Respond(Response response) {
  if (!awaiting_.exchange(false, std::memory_order_acq_rel)) {
    return;  // second call
  }
  response_ = std::move(response);
  if (worker_->Context().get_executor().running_in_this_thread()) {
    WriteResponse();
    return;
  }
  // Dekker-style handshake with Shutdown: either we see `stopped` and drop the response, or
  // Shutdown sees `posting` and waits for our post, then runs it.
  ServerState& server = *server_;
  server.posting.fetch_add(1);
  if (!server.stopped.load()) {
    asio::post(worker_->Context(), [self = shared_from_this()] { self->WriteResponse(); });
  }
  server.posting.fetch_sub(1);
}

void Connection::WriteResponse() {
  if (phase_ == Phase::kClosed) {
    return;
  }
  if (response_.status < 200 || response_.status > 599) {
    response_ = ErrorResponse(500, "internal", "internal error");
  }
  if (server_->draining.load(std::memory_order_relaxed) || AsksToClose(response_)) {
    keep_alive_ = false;
  }
  StartWrite();
}

void Connection::StartWrite() {
  SerializeHead(response_, keep_alive_, &head_);
  phase_ = Phase::kWriting;
  deadline_ = After(server_->options.write_timeout);
  const bool with_body = !head_request_ && !IsBodiless(response_.status);
  std::array<asio::const_buffer, 2> buffers{
      asio::buffer(head_), with_body ? asio::buffer(response_.body) : asio::const_buffer()};
  asio::async_write(
      socket_, buffers,
      [self = shared_from_this()](const error_code& ec, size_t /*n*/) { self->OnWritten(ec); });
}

void Connection::OnWritten(const error_code& ec) {
  if (phase_ == Phase::kClosed) {
    return;
  }
  FinishRequest();
  if (ec) {
    Close();
    return;
  }
  if (!keep_alive_) {
    Linger();
    return;
  }
  NextRequest();
}

void Connection::FinishRequest() {
  if (dispatched_) {
    dispatched_ = false;
    worker_->in_flight.Decrement();
  }
  if (busy_) {
    busy_ = false;
    worker_->busy.Decrement();
  }
}

void Connection::NextRequest() {
  if (response_.body.capacity() > kKeepCapacity) {
    std::string().swap(response_.body);
  }
  if (request_.body.capacity() > kKeepCapacity) {
    std::string().swap(request_.body);
  }
  parser_.emplace(&request_, server_->options.max_header_bytes, server_->options.max_body_bytes,
                  server_->options.max_upload_bytes, &server_->options.upload_predicate);
  head_checked_ = false;
  served_any_ = true;
  if (buffer_.size() > 0) {  // pipelined
    BeginRequest();
    Parse();
    return;
  }
  if (server_->draining.load(std::memory_order_relaxed)) {
    Close();
    return;
  }
  phase_ = Phase::kIdle;
  deadline_ = After(server_->options.idle_timeout);
  ReadMore();
}

void Connection::Linger() {
  error_code ec;
  socket_.shutdown(asio::socket_base::shutdown_send, ec);
  if (ec) {
    Close();
    return;
  }
  phase_ = Phase::kLingering;
  deadline_ = After(std::min(kLinger, server_->options.idle_timeout));
  LingerRead();
}

void Connection::LingerRead() {
  buffer_.clear();
  socket_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](const error_code& ec, size_t /*n*/) {
                            if (self->phase_ == Phase::kClosed) {
                              return;
                            }
                            if (ec) {
                              self->Close();  // the client has read our FIN and closed
                              return;
                            }
                            self->LingerRead();
                          });
}

}  // namespace qlrf::http::internal
