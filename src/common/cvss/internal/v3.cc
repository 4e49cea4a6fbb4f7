// CVSS v3.0 and v3.1 scoring (FIRST specification, section 7): base, temporal and environmental
// equations. v3.0 rounds up with ceil(x * 10) / 10 and uses the older scope-changed modified
// impact; v3.1 uses the integer-based Roundup.
#include <algorithm>
#include <array>
#include <cmath>

#include "common/cvss/internal/metrics.h"
#include "common/cvss/internal/scoring.h"

namespace qlrf::cvss::internal {
namespace {

enum V3Metric : size_t {
  // Base.
  kAV,
  kAC,
  kPR,
  kUI,
  kS,
  kC,
  kI,
  kA,
  // Temporal.
  kE,
  kRL,
  kRC,
  // Environmental.
  kCR,
  kIR,
  kAR,
  kMAV,
  kMAC,
  kMPR,
  kMUI,
  kMS,
  kMC,
  kMI,
  kMA,
  kV3MetricCount,
};

constexpr std::array<MetricSpec, kV3MetricCount> kSpecs = {{
    {"AV", {"N", "A", "L", "P"}, true},
    {"AC", {"L", "H"}, true},
    {"PR", {"N", "L", "H"}, true},
    {"UI", {"N", "R"}, true},
    {"S", {"U", "C"}, true},
    {"C", {"H", "L", "N"}, true},
    {"I", {"H", "L", "N"}, true},
    {"A", {"H", "L", "N"}, true},
    {"E", {"X", "U", "P", "F", "H"}},
    {"RL", {"X", "O", "T", "W", "U"}},
    {"RC", {"X", "U", "R", "C"}},
    {"CR", {"X", "L", "M", "H"}},
    {"IR", {"X", "L", "M", "H"}},
    {"AR", {"X", "L", "M", "H"}},
    {"MAV", {"X", "N", "A", "L", "P"}},
    {"MAC", {"X", "L", "H"}},
    {"MPR", {"X", "N", "L", "H"}},
    {"MUI", {"X", "N", "R"}},
    {"MS", {"X", "U", "C"}},
    {"MC", {"X", "H", "L", "N"}},
    {"MI", {"X", "H", "L", "N"}},
    {"MA", {"X", "H", "L", "N"}},
}};

// Weights, indexed like the value lists above.
constexpr std::array kAttackVector = {0.85, 0.62, 0.55, 0.2};
constexpr std::array kAttackComplexity = {0.77, 0.44};
constexpr std::array kPrivilegesUnchanged = {0.85, 0.62, 0.27};
constexpr std::array kPrivilegesChanged = {0.85, 0.68, 0.5};
constexpr std::array kUserInteraction = {0.85, 0.62};
constexpr std::array kImpact = {0.56, 0.22, 0.0};
constexpr std::array kExploitMaturity = {1.0, 0.91, 0.94, 0.97, 1.0};
constexpr std::array kRemediationLevel = {1.0, 0.95, 0.96, 0.97, 1.0};
constexpr std::array kReportConfidence = {1.0, 0.92, 0.96, 1.0};
constexpr std::array kRequirement = {1.0, 0.5, 1.0, 1.5};

// v3.1 Roundup: the smallest one-decimal number >= x, computed on integers so that
// floating-point noise (e.g. 4.000000000000001) does not round up.
double RoundUp31(double x) {
  long long scaled = std::llround(x * 100000.0);
  if (scaled % 10000 == 0) {
    return static_cast<double>(scaled) / 100000.0;
  }
  long long tenths = scaled / 10000 + 1;  // integer division: floor to tenths, then up one
  return static_cast<double>(tenths) / 10.0;
}

double RoundUp30(double x) { return std::ceil(x * 10.0) / 10.0; }

}  // namespace

Result<CvssScores> ScoreV3(std::string_view body, CvssVersion version) {
  const bool v31 = version == CvssVersion::kV31;
  QLRF_ASSIGN_OR_RETURN(Metrics m, ParseMetrics(body, kSpecs, v31 ? "3.1" : "3.0"));
  auto round_up = v31 ? RoundUp31 : RoundUp30;
  auto impact_of = [](int v) { return kImpact[static_cast<size_t>(v)]; };

  const bool changed = m.Get(kS) == 1;
  double iss = 1.0 - (1.0 - impact_of(m.Get(kC))) * (1.0 - impact_of(m.Get(kI))) *
                         (1.0 - impact_of(m.Get(kA)));
  double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
  const auto& privileges = changed ? kPrivilegesChanged : kPrivilegesUnchanged;
  double exploitability = 8.22 * kAttackVector[static_cast<size_t>(m.Get(kAV))] *
                          kAttackComplexity[static_cast<size_t>(m.Get(kAC))] *
                          privileges[static_cast<size_t>(m.Get(kPR))] *
                          kUserInteraction[static_cast<size_t>(m.Get(kUI))];
  CvssScores scores;
  scores.version = version;
  if (impact <= 0) {
    scores.base = 0.0;
  } else if (changed) {
    scores.base = round_up(std::min(1.08 * (impact + exploitability), 10.0));
  } else {
    scores.base = round_up(std::min(impact + exploitability, 10.0));
  }

  // x * E * RL * RC, multiplied left to right as the reference calculators do.
  auto temporal_of = [&m](double x) {
    return x * kExploitMaturity[static_cast<size_t>(m.Get(kE, 0))] *
           kRemediationLevel[static_cast<size_t>(m.Get(kRL, 0))] *
           kReportConfidence[static_cast<size_t>(m.Get(kRC, 0))];
  };
  if (m.Get(kE, 0) > 0 || m.Get(kRL, 0) > 0 || m.Get(kRC, 0) > 0) {
    scores.temporal = round_up(temporal_of(scores.base));
  }

  bool environmental = false;
  for (size_t k = kCR; k <= kMA; ++k) {
    environmental = environmental || m.Get(k, 0) > 0;
  }
  if (!environmental) {
    return scores;
  }
  // A modified metric left at X takes the base value (modified index = base index + 1).
  auto effective = [&m](size_t modified, size_t base) {
    int v = m.Get(modified, 0);
    return static_cast<size_t>(v == 0 ? m.Get(base) : v - 1);
  };
  const bool m_changed = effective(kMS, kS) == 1;
  auto requirement = [&m](size_t k) { return kRequirement[static_cast<size_t>(m.Get(k, 0))]; };
  double miss = std::min(1.0 - (1.0 - requirement(kCR) * kImpact[effective(kMC, kC)]) *
                                   (1.0 - requirement(kIR) * kImpact[effective(kMI, kI)]) *
                                   (1.0 - requirement(kAR) * kImpact[effective(kMA, kA)]),
                         0.915);
  double m_impact = 0;
  if (!m_changed) {
    m_impact = 6.42 * miss;
  } else if (v31) {
    m_impact = 7.52 * (miss - 0.029) - 3.25 * std::pow(miss * 0.9731 - 0.02, 13);
  } else {
    m_impact = 7.52 * (miss - 0.029) - 3.25 * std::pow(miss - 0.02, 15);
  }
  const auto& m_privileges = m_changed ? kPrivilegesChanged : kPrivilegesUnchanged;
  double m_exploitability =
      8.22 * kAttackVector[effective(kMAV, kAV)] * kAttackComplexity[effective(kMAC, kAC)] *
      m_privileges[effective(kMPR, kPR)] * kUserInteraction[effective(kMUI, kUI)];
  if (m_impact <= 0) {
    scores.environmental = 0.0;
  } else if (m_changed) {
    scores.environmental =
        round_up(temporal_of(round_up(std::min(1.08 * (m_impact + m_exploitability), 10.0))));
  } else {
    scores.environmental =
        round_up(temporal_of(round_up(std::min(m_impact + m_exploitability, 10.0))));
  }
  return scores;
}

}  // namespace qlrf::cvss::internal
