// Beast request parser that writes straight into a qlrf::http::Request, reusing the capacity of
// its strings and header vector from the previous request on the connection.
#pragma once

#include <boost/beast/http/basic_parser.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "api/http/server.h"

namespace qlrf::http::internal {

// Parses one request (Beast parsers are single-use; emplace a new one per request). Limits as in
// ServerOptions: error::header_limit past max_header_bytes, error::body_limit past
// max_body_bytes (for a Content-Length, as soon as the head is parsed). Not thread-safe.
class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // `out` must outlive the parser; its previous contents are overwritten.
  // Targets matching `is_upload` (may be null; must outlive the parser) get max_upload_bytes.
  RequestParser(Request* out, size_t max_header_bytes, size_t max_body_bytes,
                size_t max_upload_bytes = 0,
                const std::function<bool(std::string_view)>* is_upload = nullptr);

  // Valid once is_header_done().
  int Version() const { return version_; }
  bool ExpectsContinue() const { return expects_continue_; }
  // The body limit that applies to this request (known once the request line is parsed).
  std::uint64_t BodyLimit() const { return limit_; }

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;

  void on_request_impl(boost::beast::http::verb method, string_view method_str, string_view target,
                       int version, error_code& ec) override;
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& ec) override;
  size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  Request* out_;
  size_t max_upload_bytes_ = 0;
  std::uint64_t limit_ = 0;
  const std::function<bool(std::string_view)>* is_upload_ = nullptr;
  size_t header_count_ = 0;
  int version_ = 11;
  bool expects_continue_ = false;
};

}  // namespace qlrf::http::internal
