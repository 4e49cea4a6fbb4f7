// Checkers for the "format" values we can assert: date-time, date, time (RFC 3339), email,
// uuid, ipv4, ipv6, uri (RFC 3986, absolute), hostname (RFC 1123).
#pragma once

#include <string_view>

namespace qlrf::json_schema::internal {

enum class Format {
  kUnknown,
  kDateTime,
  kDate,
  kTime,
  kEmail,
  kUuid,
  kIpv4,
  kIpv6,
  kUri,
  kHostname
};

// kUnknown for formats we do not check (they stay annotations).
Format ParseFormat(std::string_view name);

// Whether `s` is valid for `format`; kUnknown accepts everything.
bool CheckFormat(Format format, std::string_view s);

}  // namespace qlrf::json_schema::internal
