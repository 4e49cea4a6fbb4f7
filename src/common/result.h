// Result<T>: a value or an Error (tl::expected until we build with C++23's std::expected).
#pragma once

#include <tl/expected.hpp>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace qlrf {

template <class T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

inline tl::unexpected<Error> Fail(Error e) { return tl::unexpected<Error>(std::move(e)); }
inline Status Ok() { return {}; }

// The value a lookup found, NotFound("<what> not found") when it found nothing, or its error.
template <class T>
Result<T> Required(Result<std::optional<T>> found, std::string_view what) {
  if (!found) {
    return Fail(std::move(found).error());
  }
  if (!*found) {
    return Fail(NotFound(std::string(what) + " not found"));
  }
  return std::move(**found);
}

}  // namespace qlrf

#define QLRF_CONCAT_INNER_(a, b) a##b
#define QLRF_CONCAT_(a, b) QLRF_CONCAT_INNER_(a, b)

// QLRF_TRY(expr): evaluates a Result/Status; on error returns it from the enclosing function.
#define QLRF_TRY(expr) QLRF_TRY_IMPL_(QLRF_CONCAT_(qlrf_try_, __COUNTER__), expr)
// NOLINTNEXTLINE(bugprone-macro-parentheses): `tmp` is an identifier
#define QLRF_TRY_IMPL_(tmp, expr)                                     \
  do {                                                                \
    auto&& tmp = (expr);                                              \
    if (!tmp) {                                                       \
      return ::tl::unexpected<::qlrf::Error>(std::move(tmp).error()); \
    }                                                                 \
  } while (false)

// QLRF_ASSIGN_OR_RETURN(auto x, expr): binds the value or returns the error.
#define QLRF_ASSIGN_OR_RETURN(lhs, expr) \
  QLRF_ASSIGN_OR_RETURN_IMPL_(QLRF_CONCAT_(qlrf_aor_, __COUNTER__), lhs, expr)
// NOLINTNEXTLINE(bugprone-macro-parentheses): `lhs` is a declaration, it cannot be parenthesised
#define QLRF_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)                 \
  auto tmp = (expr);                                                \
  if (!tmp) {                                                       \
    return ::tl::unexpected<::qlrf::Error>(std::move(tmp).error()); \
  }                                                                 \
  lhs = std::move(*tmp)

// QLRF_CHECK(cond, why): an invariant that user input can never break. Always on; aborts.
#define QLRF_CHECK(cond, why)                                                                  \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      std::fprintf(stderr, "QLRF_CHECK failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, #cond, \
                   why);                                                                       \
      std::abort();                                                                            \
    }                                                                                          \
  } while (false)
