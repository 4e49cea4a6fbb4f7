// CVSS v2 scoring (FIRST CVSS v2 guide, section 3.2) as NVD's calculator computes it: the
// environmental equation uses the exploitability subscore rounded to one decimal and keeps the
// adjusted base and temporal scores unrounded until the final rounding.
#include <algorithm>
#include <array>
#include <cmath>

#include "common/cvss/internal/metrics.h"
#include "common/cvss/internal/scoring.h"

namespace qlrf::cvss::internal {
namespace {

enum V2Metric : size_t {
  // Base.
  kAV,
  kAC,
  kAu,
  kC,
  kI,
  kA,
  // Temporal.
  kE,
  kRL,
  kRC,
  // Environmental.
  kCDP,
  kTD,
  kCR,
  kIR,
  kAR,
  kV2MetricCount,
};

constexpr std::array<MetricSpec, kV2MetricCount> kSpecs = {{
    {"AV", {"L", "A", "N"}, true},
    {"AC", {"H", "M", "L"}, true},
    {"Au", {"M", "S", "N"}, true},
    {"C", {"N", "P", "C"}, true},
    {"I", {"N", "P", "C"}, true},
    {"A", {"N", "P", "C"}, true},
    {"E", {"U", "POC", "F", "H", "ND"}},
    {"RL", {"OF", "TF", "W", "U", "ND"}},
    {"RC", {"UC", "UR", "C", "ND"}},
    {"CDP", {"N", "L", "LM", "MH", "H", "ND"}},
    {"TD", {"N", "L", "M", "H", "ND"}},
    {"CR", {"L", "M", "H", "ND"}},
    {"IR", {"L", "M", "H", "ND"}},
    {"AR", {"L", "M", "H", "ND"}},
}};

constexpr std::array kAccessVector = {0.395, 0.646, 1.0};
constexpr std::array kAccessComplexity = {0.35, 0.61, 0.71};
constexpr std::array kAuthentication = {0.45, 0.56, 0.704};
constexpr std::array kImpact = {0.0, 0.275, 0.660};
constexpr std::array kExploitability = {0.85, 0.9, 0.95, 1.0, 1.0};
constexpr std::array kRemediationLevel = {0.87, 0.90, 0.95, 1.0, 1.0};
constexpr std::array kReportConfidence = {0.90, 0.95, 1.0, 1.0};
constexpr std::array kCollateralDamage = {0.0, 0.1, 0.3, 0.4, 0.5, 0.0};
constexpr std::array kTargetDistribution = {0.0, 0.25, 0.75, 1.0, 1.0};
constexpr std::array kRequirement = {0.5, 1.0, 1.51, 1.0};

// The index of "ND" (not defined) in each optional metric's values; an absent metric means ND.
constexpr std::array<int, kV2MetricCount> kNotDefined = {-1, -1, -1, -1, -1, -1, 4,
                                                         4,  3,  5,  4,  3,  3,  3};

double Round1(double x) { return std::floor(x * 10.0 + 0.5) / 10.0; }

}  // namespace

Result<CvssScores> ScoreV2(std::string_view body) {
  if (body.size() >= 2 && body.front() == '(' && body.back() == ')') {
    body = body.substr(1, body.size() - 2);  // NVD's old "(AV:N/...)" form
  }
  QLRF_ASSIGN_OR_RETURN(Metrics m, ParseMetrics(body, kSpecs, "2.0"));
  auto at = [&m](const auto& weights, size_t metric) {
    return weights[static_cast<size_t>(m.Get(metric, kNotDefined[metric]))];
  };
  auto defined = [&m](size_t metric) {
    return m.Get(metric, kNotDefined[metric]) != kNotDefined[metric];
  };
  double c = at(kImpact, kC);
  double i = at(kImpact, kI);
  double a = at(kImpact, kA);
  double impact = 10.41 * (1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a));
  double exploitability =
      20.0 * at(kAccessVector, kAV) * at(kAccessComplexity, kAC) * at(kAuthentication, kAu);
  auto base_of = [](double impact_score, double exploitability_score) {
    double f = impact_score == 0.0 ? 0.0 : 1.176;
    return ((0.6 * impact_score) + (0.4 * exploitability_score) - 1.5) * f;
  };
  auto temporal_of = [&](double base) {
    return base * at(kExploitability, kE) * at(kRemediationLevel, kRL) * at(kReportConfidence, kRC);
  };
  CvssScores scores;
  scores.version = CvssVersion::kV2;
  scores.base = Round1(base_of(impact, exploitability));
  if (defined(kE) || defined(kRL) || defined(kRC)) {
    scores.temporal = Round1(temporal_of(scores.base));
  }
  if (defined(kCDP) || defined(kTD) || defined(kCR) || defined(kIR) || defined(kAR)) {
    double adjusted_impact = std::min(
        10.0, 10.41 * (1.0 - (1.0 - c * at(kRequirement, kCR)) * (1.0 - i * at(kRequirement, kIR)) *
                                 (1.0 - a * at(kRequirement, kAR))));
    double adjusted_temporal = temporal_of(base_of(adjusted_impact, Round1(exploitability)));
    scores.environmental =
        Round1((adjusted_temporal + (10.0 - adjusted_temporal) * at(kCollateralDamage, kCDP)) *
               at(kTargetDistribution, kTD));
  }
  return scores;
}

}  // namespace qlrf::cvss::internal
