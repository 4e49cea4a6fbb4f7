// Time sources (envoy's TimeSource): system time to show/store, monotonic time for intervals.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace qlrf {

using SystemTime = std::chrono::system_clock::time_point;
using MonotonicTime = std::chrono::steady_clock::time_point;

// Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual SystemTime Now() const = 0;
  virtual MonotonicTime Monotonic() const = 0;
};

// The real clocks. Thread-safe; stateless.
class SystemClock final : public Clock {
 public:
  SystemTime Now() const override;
  MonotonicTime Monotonic() const override;
};

// "2026-11-23T10:36:19.123Z": fixed width, so text order is time order (stored form).
std::string FormatTime(SystemTime t);
// Accepts RFC 3339 with 'Z' or an offset, optional fraction. InvalidArgument otherwise.
Result<SystemTime> ParseTime(std::string_view text);
int64_t UnixSeconds(SystemTime t);
int64_t UnixMillis(SystemTime t);
SystemTime FromUnixSeconds(int64_t s);

}  // namespace qlrf
