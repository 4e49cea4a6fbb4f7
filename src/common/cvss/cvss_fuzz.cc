// Fuzz target: ScoreCvss on arbitrary bytes never crashes; failures name a field; scores lie in
// 0..10 with one decimal, temporal never exceeds base, and reversing the metric order of an
// accepted vector changes nothing.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/cvss/cvss.h"
#include "common/result.h"

namespace {

bool IsOneDecimalScore(double score) {
  double tenths = score * 10.0;
  return score >= 0.0 && score <= 10.0 && std::fabs(tenths - std::round(tenths)) < 1e-9;
}

// The same vector with its metrics in reverse order (the prefix, if any, stays first).
std::string Reversed(std::string_view vector) {
  std::string prefix;
  if (vector.starts_with("CVSS:")) {
    size_t slash = vector.find('/');
    prefix = std::string(vector.substr(0, slash + 1));
    vector = vector.substr(slash + 1);
  }
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = vector.find('/', start);
    parts.push_back(vector.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) {
      break;
    }
    start = end + 1;
  }
  std::string out = prefix;
  for (size_t i = parts.size(); i-- > 0;) {
    out += parts[i];
    out += i > 0 ? "/" : "";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto scores = qlrf::cvss::ScoreCvss(input);
  if (!scores) {
    QLRF_CHECK(scores.error().code == qlrf::ErrorCode::kInvalidArgument, "rejections are 400s");
    QLRF_CHECK(!scores.error().Detail("field").empty(), "rejections name a metric or the vector");
    return 0;
  }
  QLRF_CHECK(IsOneDecimalScore(scores->base), "base is 0..10 with one decimal");
  if (scores->temporal) {
    QLRF_CHECK(IsOneDecimalScore(*scores->temporal), "temporal is 0..10 with one decimal");
    QLRF_CHECK(*scores->temporal <= scores->base, "temporal metrics only lower the score");
  }
  if (scores->environmental) {
    QLRF_CHECK(IsOneDecimalScore(*scores->environmental), "environmental is 0..10");
  }
  bool parenthesised = !input.empty() && input.front() == '(';
  if (!parenthesised) {
    auto reordered = qlrf::cvss::ScoreCvss(Reversed(input));
    QLRF_CHECK(reordered.has_value(), "metric order does not matter");
    QLRF_CHECK(reordered->base == scores->base && reordered->temporal == scores->temporal &&
                   reordered->environmental == scores->environmental,
               "metric order does not change scores");
  }
  return 0;
}
