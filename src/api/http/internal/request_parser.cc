// RequestParser: Beast callbacks that fill a reused Request.
#include "api/http/internal/request_parser.h"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <limits>

namespace qlrf::http::internal {

namespace http = boost::beast::http;

namespace {
constexpr std::uint64_t kMaxReserve = 1 << 20;
}  // namespace

RequestParser::RequestParser(Request* out, size_t max_header_bytes, size_t max_body_bytes,
                             size_t max_upload_bytes,
                             const std::function<bool(std::string_view)>* is_upload)
    : out_(out), max_upload_bytes_(max_upload_bytes), is_upload_(is_upload) {
  header_limit(static_cast<std::uint32_t>(
      std::min<size_t>(max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  limit_ = static_cast<std::uint64_t>(max_body_bytes);
  body_limit(limit_);
  // put() returns once the head is complete, so the caller can check it before the body.
  eager(false);
  out_->body.clear();  // stays empty when the request has no body
}

void RequestParser::on_request_impl(http::verb /*method*/, string_view method_str,
                                    string_view target, int version, error_code& /*ec*/) {
  out_->method.assign(method_str.data(), method_str.size());
  out_->target.assign(target.data(), target.size());
  version_ = version;
  // The head's fields (Content-Length) are checked against the limit after this callback.
  if (is_upload_ != nullptr && *is_upload_ && (*is_upload_)(out_->target)) {
    limit_ = static_cast<std::uint64_t>(max_upload_bytes_);
    body_limit(limit_);
  }
}

void RequestParser::on_response_impl(int /*code*/, string_view /*reason*/, int /*version*/,
                                     error_code& ec) {
  ec = http::error::bad_method;  // unreachable for a request parser
}

void RequestParser::on_field_impl(http::field name, string_view name_string, string_view value,
                                  error_code& /*ec*/) {
  if (header_count_ < out_->headers.size()) {
    Header& h = out_->headers[header_count_];
    h.name.assign(name_string.data(), name_string.size());
    h.value.assign(value.data(), value.size());
  } else {
    out_->headers.push_back(Header{std::string(name_string.data(), name_string.size()),
                                   std::string(value.data(), value.size())});
  }
  ++header_count_;
  if (name == http::field::expect && boost::beast::iequals(value, "100-continue")) {
    expects_continue_ = true;
  }
}

void RequestParser::on_header_impl(error_code& /*ec*/) { out_->headers.resize(header_count_); }

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      error_code& /*ec*/) {
  if (content_length) {
    // Checked against max_body_bytes already; capped so that an announced body that never
    // arrives does not pin memory.
    out_->body.reserve(static_cast<size_t>(std::min<std::uint64_t>(*content_length, kMaxReserve)));
  }
}

size_t RequestParser::on_body_impl(string_view body, error_code& /*ec*/) {
  out_->body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t /*size*/, string_view /*extensions*/,
                                         error_code& /*ec*/) {}

size_t RequestParser::on_chunk_body_impl(std::uint64_t /*remain*/, string_view body,
                                         error_code& /*ec*/) {
  out_->body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_finish_impl(error_code& /*ec*/) {}

}  // namespace qlrf::http::internal
