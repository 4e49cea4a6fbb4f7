// Fuzzes request parsing: Beast's request_parser with the server's limits, the server's own
// RequestParser (which must agree with it), and qlrf::json::Parse on every body that parses.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/http/internal/request_parser.h"
#include "api/http/server.h"
#include "common/json.h"

namespace {

namespace beast_http = boost::beast::http;

// Feeds `input` the way the server does: put() until done, an error, or no progress.
template <class Parser>
bool Feed(Parser& parser, std::string_view input) {
  boost::beast::error_code ec;
  while (!parser.is_done()) {
    const size_t used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
    input.remove_prefix(used);
    if (ec == beast_http::error::need_more) {
      return false;
    }
    if (ec || (used == 0 && !parser.is_done())) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const qlrf::http::ServerOptions limits;

  beast_http::request_parser<beast_http::string_body> beast_parser;
  beast_parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  beast_parser.body_limit(static_cast<std::uint64_t>(limits.max_body_bytes));
  beast_parser.eager(false);
  const bool beast_done = Feed(beast_parser, input);

  qlrf::http::Request request;
  qlrf::http::internal::RequestParser parser(&request, limits.max_header_bytes,
                                             limits.max_body_bytes);
  const bool ours_done = Feed(parser, input);

  if (beast_done != ours_done) {
    std::abort();  // both sit on basic_parser: they must accept the same messages
  }
  if (!beast_done) {
    return 0;
  }
  const auto& message = beast_parser.get();
  if (message.method_string() != request.method || message.target() != request.target ||
      message.body() != request.body || parser.keep_alive() != beast_parser.keep_alive()) {
    std::abort();
  }
  auto json = qlrf::json::Parse(message.body());
  if (json) {
    (void)qlrf::json::Serialize(*json);
  }
  return 0;
}
