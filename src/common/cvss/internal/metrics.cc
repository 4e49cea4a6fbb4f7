// Strict CVSS metric-list parsing.
#include "common/cvss/internal/metrics.h"

#include <string>

namespace qlrf::cvss::internal {
namespace {

// "<problem> CVSS <version> metric "<key>"", as InvalidArgument naming the metric.
Error MetricError(std::string_view problem, std::string_view version, std::string_view key) {
  std::string k(key.substr(0, 32));
  return FieldError(
      k, std::string(problem) + " CVSS " + std::string(version) + " metric \"" + k + "\"");
}

Error ComponentError(std::string_view version, std::string_view component) {
  return FieldError("vector", "malformed CVSS " + std::string(version) + " component \"" +
                                  std::string(component.substr(0, 32)) + "\" (want metric:value)");
}

Error ValueError(std::string_view version, std::string_view key, std::string_view value) {
  std::string k(key.substr(0, 32));
  return FieldError(k, "invalid value \"" + std::string(value.substr(0, 32)) + "\" for CVSS " +
                           std::string(version) + " metric \"" + k + "\"");
}

}  // namespace

Result<Metrics> ParseMetrics(std::string_view body, std::span<const MetricSpec> specs,
                             std::string_view version) {
  QLRF_CHECK(specs.size() <= kMaxMetrics, "metric tables fit Metrics");
  Metrics metrics;
  metrics.value.fill(-1);
  size_t start = 0;
  while (true) {
    size_t end = body.find('/', start);
    std::string_view component =
        body.substr(start, end == std::string_view::npos ? end : end - start);
    size_t colon = component.find(':');
    if (colon == std::string_view::npos || colon == 0) {  // also catches an empty component
      return Fail(ComponentError(version, component));
    }
    std::string_view key = component.substr(0, colon);
    std::string_view value = component.substr(colon + 1);
    size_t m = 0;
    while (m < specs.size() && specs[m].key != key) {
      ++m;
    }
    if (m == specs.size()) {
      return Fail(MetricError("unknown", version, key));
    }
    if (metrics.value[m] >= 0) {
      return Fail(MetricError("duplicate", version, key));
    }
    int index = -1;
    for (size_t i = 0; i < kMaxValues && !specs[m].values[i].empty(); ++i) {
      if (specs[m].values[i] == value) {
        index = static_cast<int>(i);
      }
    }
    if (index < 0) {
      return Fail(ValueError(version, key, value));
    }
    metrics.value[m] = static_cast<int8_t>(index);
    if (end == std::string_view::npos) {
      break;
    }
    start = end + 1;
  }
  for (size_t m = 0; m < specs.size(); ++m) {
    if (specs[m].mandatory && metrics.value[m] < 0) {
      return Fail(MetricError("missing mandatory", version, specs[m].key));
    }
  }
  return metrics;
}

}  // namespace qlrf::cvss::internal
