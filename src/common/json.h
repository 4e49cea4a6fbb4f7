// JSON helpers over Boost.JSON: parsing with positions, compact serialization, typed field access.
// Boost.JSON is the project's DOM; large imports use simdjson separately.
#pragma once

#include <boost/json/fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace qlrf::json {

// Parses `text` as one JSON document. On failure: InvalidArgument whose message names the
// line/column, with details {"offset","line","column"}. Depth is limited to 64 (400 on bodies
// nested deeper) so hostile input cannot exhaust the stack.
Result<boost::json::value> Parse(std::string_view text);

// Compact serialization.
std::string Serialize(const boost::json::value& v);

// Typed getters on objects: nullopt when absent; InvalidArgument (field=path) when mistyped.
Result<std::optional<std::string>> GetString(const boost::json::object& o, std::string_view key,
                                             std::string_view path = {});
Result<std::optional<int64_t>> GetInt(const boost::json::object& o, std::string_view key,
                                      std::string_view path = {});
Result<std::optional<bool>> GetBool(const boost::json::object& o, std::string_view key,
                                    std::string_view path = {});

// Required variants: InvalidArgument (field=key) when absent.
Result<std::string> RequireString(const boost::json::object& o, std::string_view key,
                                  std::string_view path = {});

// Escapes `s` as a JSON string literal including the quotes (for hand-built hot-path output).
void AppendQuoted(std::string& out, std::string_view s);

}  // namespace qlrf::json
