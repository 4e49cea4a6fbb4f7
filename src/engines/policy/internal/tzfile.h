// Time zones for the time built-ins' [ns, "America/New_York"] arguments, read from the system's
// TZif database (RFC 8536, /usr/share/zoneinfo) as Go's time.LoadLocation does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace qlrf::policy::internal {

struct ZoneOffset {
  int32_t seconds_east = 0;  // local time minus UTC
  std::string abbreviation = "UTC";
};

// The offset of zone `name` at `unix_seconds`; "" and "UTC" are UTC. Past the file's last
// transition the last rule in effect is used (the database's POSIX footer is not read).
// Fails with "unknown time zone NAME" for names that are malformed or not in the database.
Result<ZoneOffset> LookupZoneOffset(std::string_view name, int64_t unix_seconds);

// Parses TZif `data` and looks up `unix_seconds` in it (exposed for tests).
Result<ZoneOffset> ZoneOffsetFromTzif(std::string_view data, int64_t unix_seconds);

}  // namespace qlrf::policy::internal
