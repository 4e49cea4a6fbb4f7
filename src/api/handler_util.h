// Small helpers shared by the route tables: path ids and typed body members.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/route.h"
#include "common/random.h"

namespace qlrf::api {

// Path ids are UUIDs; anything else is a 400 naming the parameter.
inline Result<std::string> IdParam(const ApiRequest& r, std::string_view name) {
  std::string_view v = r.Param(name);
  if (!IsUuid(v)) {
    return Fail(FieldError(std::string(name), "must be a UUID"));
  }
  return std::string(v);
}

// A string member of the (schema-validated) body, or nullopt.
inline std::optional<std::string> Str(const boost::json::value& body, std::string_view key) {
  if (!body.is_object()) return std::nullopt;
  const auto* v = body.as_object().if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

inline std::optional<int64_t> Int(const boost::json::value& body, std::string_view key) {
  if (!body.is_object()) return std::nullopt;
  const auto* v = body.as_object().if_contains(key);
  if (v == nullptr || !v->is_int64()) return std::nullopt;
  return v->get_int64();
}

inline const boost::json::object& Object(const boost::json::value& body) {
  static const boost::json::object kEmpty;
  return body.is_object() ? body.as_object() : kEmpty;
}

// The platforms sites, assets and image artifacts may name (the CHECK of migration 0003).
extern const std::vector<std::string> kPlatforms;

}  // namespace qlrf::api
