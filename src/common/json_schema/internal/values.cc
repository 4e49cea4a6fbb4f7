// JSON Schema value semantics over Boost.JSON values.
#include "common/json_schema/internal/values.h"

#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <boost/json/serialize.hpp>

namespace qlrf::json_schema::internal {
namespace {

bool IsIntegral(const boost::json::value& v) { return v.is_int64() || v.is_uint64(); }

// |v| of an int64 or uint64 value, with its sign.
struct Magnitude {
  bool negative;
  uint64_t abs;
};

Magnitude MagnitudeOf(const boost::json::value& v) {
  if (v.is_uint64()) {
    return {false, v.get_uint64()};
  }
  int64_t i = v.get_int64();
  if (i >= 0) {
    return {false, static_cast<uint64_t>(i)};
  }
  // Two's complement negation in unsigned arithmetic is exact even for INT64_MIN.
  return {true, ~static_cast<uint64_t>(i) + 1};
}

// A finite number as digits * 10^exponent, digits without trailing zeros.
struct Decimal {
  uint64_t digits = 0;
  int exponent = 0;
};

// The decimal a number was most likely written as: integers exactly, doubles by their shortest
// round-trip representation (what Boost.JSON serializes). nullopt if it needs over 19 digits.
std::optional<Decimal> ToDecimal(const boost::json::value& v) {
  Decimal d;
  if (IsIntegral(v)) {
    d.digits = MagnitudeOf(v).abs;
  } else {
    std::string text = boost::json::serialize(v);
    size_t i = text[0] == '-' ? 1 : 0;
    int digit_count = 0;
    bool after_point = false;
    for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
      if (text[i] == '.') {
        after_point = true;
        continue;
      }
      if (++digit_count > 19) {
        return std::nullopt;
      }
      d.digits = d.digits * 10 + static_cast<uint64_t>(text[i] - '0');
      d.exponent -= after_point ? 1 : 0;
    }
    if (i < text.size()) {
      d.exponent += std::stoi(text.substr(i + 1));
    }
  }
  while (d.digits != 0 && d.digits % 10 == 0) {
    d.digits /= 10;
    ++d.exponent;
  }
  return d;
}

size_t Mix(size_t seed, size_t h) {
  return seed ^ (h + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

}  // namespace

bool IsInteger(const boost::json::value& v) {
  if (IsIntegral(v)) {
    return true;
  }
  if (v.is_double()) {
    double d = v.get_double();
    return std::isfinite(d) && std::floor(d) == d;
  }
  return false;
}

long double ToLongDouble(const boost::json::value& v) {
  if (v.is_int64()) {
    return static_cast<long double>(v.get_int64());
  }
  if (v.is_uint64()) {
    return static_cast<long double>(v.get_uint64());
  }
  return static_cast<long double>(v.get_double());
}

int CompareNumbers(const boost::json::value& a, const boost::json::value& b) {
  if (IsIntegral(a) && IsIntegral(b)) {
    Magnitude x = MagnitudeOf(a);
    Magnitude y = MagnitudeOf(b);
    if (x.negative != y.negative) {
      return x.negative ? -1 : 1;
    }
    if (x.abs == y.abs) {
      return 0;
    }
    bool less = x.negative ? x.abs > y.abs : x.abs < y.abs;
    return less ? -1 : 1;
  }
  long double x = ToLongDouble(a);
  long double y = ToLongDouble(b);
  if (x < y) {
    return -1;
  }
  return x > y ? 1 : 0;
}

bool JsonEqual(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_number() && b.is_number()) {
    return CompareNumbers(a, b) == 0;
  }
  if (a.kind() != b.kind()) {
    return false;
  }
  switch (a.kind()) {
    case boost::json::kind::null:
      return true;
    case boost::json::kind::bool_:
      return a.get_bool() == b.get_bool();
    case boost::json::kind::string:
      return a.get_string() == b.get_string();
    case boost::json::kind::array: {
      const auto& x = a.get_array();
      const auto& y = b.get_array();
      if (x.size() != y.size()) {
        return false;
      }
      for (size_t i = 0; i < x.size(); ++i) {
        if (!JsonEqual(x[i], y[i])) {
          return false;
        }
      }
      return true;
    }
    case boost::json::kind::object: {
      const auto& x = a.get_object();
      const auto& y = b.get_object();
      if (x.size() != y.size()) {
        return false;
      }
      for (const auto& member : x) {
        const boost::json::value* other = y.if_contains(member.key());
        if (other == nullptr || !JsonEqual(member.value(), *other)) {
          return false;
        }
      }
      return true;
    }
    default:
      return false;  // numbers were handled above
  }
}

size_t JsonHash(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return 0x6e756c6c;
    case boost::json::kind::bool_:
      return v.get_bool() ? 0x74727565 : 0x66616c73;
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: {
      // Equal numbers must hash equally whatever their representation.
      long double x = ToLongDouble(v);
      if (x == 0) {
        return 0x30;
      }
      return std::hash<long double>()(x);
    }
    case boost::json::kind::string:
      return std::hash<std::string_view>()(v.get_string());
    case boost::json::kind::array: {
      size_t h = 0x61727261;
      for (const auto& e : v.get_array()) {
        h = Mix(h, JsonHash(e));
      }
      return h;
    }
    case boost::json::kind::object: {
      size_t h = 0x6f626a;
      for (const auto& member : v.get_object()) {
        // Order-independent: sum of member hashes.
        h += Mix(std::hash<std::string_view>()(member.key()), JsonHash(member.value()));
      }
      return h;
    }
  }
  return 0;
}

bool IsMultipleOf(const boost::json::value& x, const boost::json::value& divisor) {
  if (IsIntegral(x) && IsIntegral(divisor)) {
    uint64_t d = MagnitudeOf(divisor).abs;
    return d != 0 && MagnitudeOf(x).abs % d == 0;
  }
  std::optional<Decimal> a = ToDecimal(x);
  std::optional<Decimal> b = ToDecimal(divisor);
  if (!a || !b || b->digits == 0) {
    // Not representable in 19 digits (or not finite): fall back to binary arithmetic.
    long double q = ToLongDouble(x) / ToLongDouble(divisor);
    return std::isfinite(q) && std::floor(q) == q;
  }
  if (a->digits == 0) {
    return true;
  }
  // x / d = (A / B) * 10^(ea - eb), decided exactly in decimal, as JSON numbers are written.
  int shift = a->exponent - b->exponent;
  const uint64_t m = b->digits;
  if (shift >= 0) {
    uint64_t rest = a->digits % m;
    for (int i = 0; i < shift && rest != 0; ++i) {
      uint64_t times10 = 0;  // rest * 10 mod m without overflowing 64 bits
      for (int k = 0; k < 10; ++k) {
        times10 = times10 >= m - rest ? times10 - (m - rest) : times10 + rest;
      }
      rest = times10;
    }
    return rest == 0;
  }
  uint64_t scaled = m;
  for (int i = 0; i < -shift; ++i) {
    if (scaled > a->digits / 10) {
      return false;  // the divisor outgrows the dividend
    }
    scaled *= 10;
  }
  return a->digits % scaled == 0;
}

size_t CodePointCount(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) {
    // Count every byte that is not a continuation byte (10xxxxxx).
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++n;
    }
  }
  return n;
}

std::wstring Utf8ToWide(std::string_view utf8) {
  std::wstring out;
  out.reserve(utf8.size());
  size_t i = 0;
  while (i < utf8.size()) {
    auto b0 = static_cast<unsigned char>(utf8[i]);
    uint32_t cp = 0xFFFD;
    size_t len = 1;
    if (b0 < 0x80) {
      cp = b0;
    } else if ((b0 & 0xE0) == 0xC0) {
      len = 2;
      cp = b0 & 0x1Fu;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3;
      cp = b0 & 0x0Fu;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4;
      cp = b0 & 0x07u;
    }
    if (len > 1) {
      if (i + len > utf8.size()) {
        cp = 0xFFFD;
        len = 1;
      } else {
        for (size_t k = 1; k < len; ++k) {
          auto b = static_cast<unsigned char>(utf8[i + k]);
          if ((b & 0xC0) != 0x80) {
            cp = 0xFFFD;
            len = k;
            break;
          }
          cp = (cp << 6) | (b & 0x3Fu);
        }
      }
    } else if (b0 >= 0x80) {
      cp = 0xFFFD;
    }
    out.push_back(static_cast<wchar_t>(cp));
    i += len;
  }
  return out;
}

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view TypeName(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "boolean";
    case boost::json::kind::object:
      return "object";
    case boost::json::kind::array:
      return "array";
    case boost::json::kind::string:
      return "string";
    default:
      return IsInteger(v) ? "integer" : "number";
  }
}

}  // namespace qlrf::json_schema::internal
