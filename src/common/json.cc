// JSON helpers over Boost.JSON.
#include "common/json.h"

#include <boost/json.hpp>

#include <algorithm>

namespace qlrf::json {
namespace {

std::string FieldPath(std::string_view path, std::string_view key) {
  if (path.empty()) {
    return std::string(key);
  }
  std::string out(path);
  out += '.';
  out += key;
  return out;
}

}  // namespace

Result<boost::json::value> Parse(std::string_view text) {
  boost::json::parse_options opts;
  opts.max_depth = 64;
  boost::json::stream_parser parser({}, opts);
  boost::system::error_code ec;
  size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec) {
    parser.finish(ec);
    consumed = text.size();
  }
  if (ec || !parser.done()) {
    size_t offset = std::min(consumed, text.size());
    size_t line = 1 + static_cast<size_t>(std::count(
                          text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
    size_t last_nl = text.rfind('\n', offset == 0 ? 0 : offset - 1);
    size_t column =
        last_nl == std::string_view::npos || offset == 0 ? offset + 1 : offset - last_nl;
    std::string reason = ec ? ec.message() : "incomplete JSON";
    return Fail(InvalidArgument("malformed JSON at line " + std::to_string(line) + ", column " +
                                std::to_string(column) + ": " + reason)
                    .With("offset", std::to_string(offset))
                    .With("line", std::to_string(line))
                    .With("column", std::to_string(column)));
  }
  return parser.release();
}

std::string Serialize(const boost::json::value& v) { return boost::json::serialize(v); }

Result<std::optional<std::string>> GetString(const boost::json::object& o, std::string_view key,
                                             std::string_view path) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    return std::optional<std::string>();
  }
  if (!v->is_string()) {
    return Fail(FieldError(FieldPath(path, key), "must be a string"));
  }
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::optional<int64_t>> GetInt(const boost::json::object& o, std::string_view key,
                                      std::string_view path) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    return std::optional<int64_t>();
  }
  if (v->is_int64()) {
    return std::optional<int64_t>(v->get_int64());
  }
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return std::optional<int64_t>(static_cast<int64_t>(v->get_uint64()));
  }
  return Fail(FieldError(FieldPath(path, key), "must be an integer"));
}

Result<std::optional<bool>> GetBool(const boost::json::object& o, std::string_view key,
                                    std::string_view path) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    return std::optional<bool>();
  }
  if (!v->is_bool()) {
    return Fail(FieldError(FieldPath(path, key), "must be a boolean"));
  }
  return std::optional<bool>(v->get_bool());
}

Result<std::string> RequireString(const boost::json::object& o, std::string_view key,
                                  std::string_view path) {
  QLRF_ASSIGN_OR_RETURN(auto s, GetString(o, key, path));
  if (!s) {
    return Fail(FieldError(FieldPath(path, key), "is required"));
  }
  return std::move(*s);
}

void AppendQuoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace qlrf::json
