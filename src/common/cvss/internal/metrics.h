// Table-driven, strict parsing of "K:V/K:V/..." metric lists, shared by every CVSS version.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/result.h"

namespace qlrf::cvss::internal {

inline constexpr size_t kMaxMetrics = 32;
inline constexpr size_t kMaxValues = 6;

struct MetricSpec {
  std::string_view key;
  std::array<std::string_view, kMaxValues> values;  // allowed values; unused slots are empty
  bool mandatory = false;
};

// Value index per metric, in the order of the version's spec table; -1 when absent.
struct Metrics {
  std::array<int8_t, kMaxMetrics> value{};

  // The value index of metric `m`, or `fallback` when the vector leaves it out.
  int Get(size_t m, int fallback = -1) const { return value[m] < 0 ? fallback : value[m]; }
};

// Parses `body` (the vector without its "CVSS:x.y/" prefix) against `specs`. Fails with
// InvalidArgument naming the metric (unknown, duplicate, bad value, missing mandatory) or
// "vector" (an empty or colon-less component). `version` appears in messages.
Result<Metrics> ParseMetrics(std::string_view body, std::span<const MetricSpec> specs,
                             std::string_view version);

}  // namespace qlrf::cvss::internal
