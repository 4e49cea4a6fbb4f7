// CVSS v4.0 scoring (FIRST specification, section 8): the macrovector's table score, lowered by
// interpolating toward each EQ's next lower macrovector in proportion to the vector's distance
// from that EQ's most severe vectors.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "common/cvss/internal/metrics.h"
#include "common/cvss/internal/scoring.h"
#include "common/cvss/internal/v4_table.h"

namespace qlrf::cvss::internal {
namespace {

enum V4Metric : size_t {
  // Base.
  kAV,
  kAC,
  kAT,
  kPR,
  kUI,
  kVC,
  kVI,
  kVA,
  kSC,
  kSI,
  kSA,
  // Threat.
  kE,
  // Environmental.
  kCR,
  kIR,
  kAR,
  kMAV,
  kMAC,
  kMAT,
  kMPR,
  kMUI,
  kMVC,
  kMVI,
  kMVA,
  kMSC,
  kMSI,
  kMSA,
  // Supplemental: parsed and validated, never scored.
  kS,
  kAU,
  kR,
  kV,
  kRE,
  kU,
  kV4MetricCount,
};

constexpr std::array<MetricSpec, kV4MetricCount> kSpecs = {{
    {"AV", {"N", "A", "L", "P"}, true},
    {"AC", {"L", "H"}, true},
    {"AT", {"N", "P"}, true},
    {"PR", {"N", "L", "H"}, true},
    {"UI", {"N", "P", "A"}, true},
    {"VC", {"H", "L", "N"}, true},
    {"VI", {"H", "L", "N"}, true},
    {"VA", {"H", "L", "N"}, true},
    {"SC", {"H", "L", "N"}, true},
    {"SI", {"H", "L", "N"}, true},
    {"SA", {"H", "L", "N"}, true},
    {"E", {"X", "A", "P", "U"}},
    {"CR", {"X", "H", "M", "L"}},
    {"IR", {"X", "H", "M", "L"}},
    {"AR", {"X", "H", "M", "L"}},
    {"MAV", {"X", "N", "A", "L", "P"}},
    {"MAC", {"X", "L", "H"}},
    {"MAT", {"X", "N", "P"}},
    {"MPR", {"X", "N", "L", "H"}},
    {"MUI", {"X", "N", "P", "A"}},
    {"MVC", {"X", "H", "L", "N"}},
    {"MVI", {"X", "H", "L", "N"}},
    {"MVA", {"X", "H", "L", "N"}},
    {"MSC", {"X", "H", "L", "N"}},
    {"MSI", {"X", "S", "H", "L", "N"}},
    {"MSA", {"X", "S", "H", "L", "N"}},
    {"S", {"X", "N", "P"}},
    {"AU", {"X", "N", "Y"}},
    {"R", {"X", "A", "U", "I"}},
    {"V", {"X", "D", "C"}},
    {"RE", {"X", "L", "M", "H"}},
    {"U", {"X", "Clear", "Green", "Amber", "Red"}},
}};

// The effective value (one letter) of the metrics that score: a modified metric other than X
// replaces the base one; E defaults to A and CR/IR/AR to H (the worst case).
struct Effective {
  char av, ac, at, pr, ui, vc, vi, va, sc, si, sa, cr, ir, ar, e;
};

char Letter(size_t metric, int index) {
  return kSpecs[metric].values[static_cast<size_t>(index)][0];
}

Effective EffectiveValues(const Metrics& m) {
  auto pick = [&m](size_t base, size_t modified) {
    int v = m.Get(modified, 0);
    return v > 0 ? Letter(modified, v) : Letter(base, m.Get(base));
  };
  auto with_default = [&m](size_t metric, char fallback) {
    int v = m.Get(metric, 0);
    return v > 0 ? Letter(metric, v) : fallback;
  };
  return {pick(kAV, kMAV),        pick(kAC, kMAC),        pick(kAT, kMAT),
          pick(kPR, kMPR),        pick(kUI, kMUI),        pick(kVC, kMVC),
          pick(kVI, kMVI),        pick(kVA, kMVA),        pick(kSC, kMSC),
          pick(kSI, kMSI),        pick(kSA, kMSA),        with_default(kCR, 'H'),
          with_default(kIR, 'H'), with_default(kAR, 'H'), with_default(kE, 'A')};
}

struct MacroVector {
  int eq1, eq2, eq3, eq4, eq5, eq6;
};

MacroVector MacroVectorOf(const Effective& v) {
  MacroVector mv{};
  if (v.av == 'N' && v.pr == 'N' && v.ui == 'N') {
    mv.eq1 = 0;
  } else if ((v.av == 'N' || v.pr == 'N' || v.ui == 'N') && v.av != 'P') {
    mv.eq1 = 1;
  } else {
    mv.eq1 = 2;
  }
  mv.eq2 = v.ac == 'L' && v.at == 'N' ? 0 : 1;
  if (v.vc == 'H' && v.vi == 'H') {
    mv.eq3 = 0;
  } else if (v.vc == 'H' || v.vi == 'H' || v.va == 'H') {
    mv.eq3 = 1;
  } else {
    mv.eq3 = 2;
  }
  if (v.si == 'S' || v.sa == 'S') {
    mv.eq4 = 0;
  } else if (v.sc == 'H' || v.si == 'H' || v.sa == 'H') {
    mv.eq4 = 1;
  } else {
    mv.eq4 = 2;
  }
  mv.eq5 = v.e == 'A' ? 0 : (v.e == 'P' ? 1 : 2);
  mv.eq6 =
      (v.cr == 'H' && v.vc == 'H') || (v.ir == 'H' && v.vi == 'H') || (v.ar == 'H' && v.va == 'H')
          ? 0
          : 1;
  return mv;
}

// Severity levels per value (0.0 = most severe), as the specification's distance tables give.
double Level(char metric_kind, char value) {
  switch (metric_kind) {
    case 'V':  // AV
      return value == 'N' ? 0.0 : value == 'A' ? 0.1 : value == 'L' ? 0.2 : 0.3;
    case 'P':  // PR
      return value == 'N' ? 0.0 : value == 'L' ? 0.1 : 0.2;
    case 'U':  // UI
      return value == 'N' ? 0.0 : value == 'P' ? 0.1 : 0.2;
    case 'C':  // AC
      return value == 'L' ? 0.0 : 0.1;
    case 'T':  // AT
      return value == 'N' ? 0.0 : 0.1;
    case 'I':  // VC, VI, VA
      return value == 'H' ? 0.0 : value == 'L' ? 0.1 : 0.2;
    case 'S':  // SC, SI, SA
      return value == 'S' ? 0.0 : value == 'H' ? 0.1 : value == 'L' ? 0.2 : 0.3;
    case 'R':  // CR, IR, AR
      return value == 'H' ? 0.0 : value == 'M' ? 0.1 : 0.2;
    default:
      break;
  }
  QLRF_CHECK(false, "Level() is only called with the kinds above");
  return 0.0;
}

// The most severe vectors of each EQ level (specification table "highest severity vectors"),
// as effective values in the order the comment of each table gives.
struct Eq1Max {
  char av, pr, ui;
};
struct Eq2Max {
  char ac, at;
};
struct Eq36Max {
  char vc, vi, va, cr, ir, ar;
};
struct Eq4Max {
  char sc, si, sa;
};

constexpr Eq1Max kEq1Max0[] = {{'N', 'N', 'N'}};
constexpr Eq1Max kEq1Max1[] = {{'A', 'N', 'N'}, {'N', 'L', 'N'}, {'N', 'N', 'P'}};
constexpr Eq1Max kEq1Max2[] = {{'P', 'N', 'N'}, {'A', 'L', 'P'}};
constexpr Eq2Max kEq2Max0[] = {{'L', 'N'}};
constexpr Eq2Max kEq2Max1[] = {{'H', 'N'}, {'L', 'P'}};
constexpr Eq36Max kEq36Max00[] = {{'H', 'H', 'H', 'H', 'H', 'H'}};
constexpr Eq36Max kEq36Max01[] = {{'H', 'H', 'L', 'M', 'M', 'H'}, {'H', 'H', 'H', 'M', 'M', 'M'}};
constexpr Eq36Max kEq36Max10[] = {{'L', 'H', 'H', 'H', 'H', 'H'}, {'H', 'L', 'H', 'H', 'H', 'H'}};
constexpr Eq36Max kEq36Max11[] = {{'L', 'H', 'L', 'H', 'M', 'H'},
                                  {'L', 'H', 'H', 'H', 'M', 'M'},
                                  {'H', 'L', 'H', 'M', 'H', 'M'},
                                  {'H', 'L', 'L', 'M', 'H', 'H'},
                                  {'L', 'L', 'H', 'H', 'H', 'M'}};
constexpr Eq36Max kEq36Max21[] = {{'L', 'L', 'L', 'H', 'H', 'H'}};
constexpr Eq4Max kEq4Max[3][1] = {{{'H', 'S', 'S'}}, {{'H', 'H', 'H'}}, {{'L', 'L', 'L'}}};

// The number of 0.1 steps from an EQ level's most severe vectors to its least severe one.
constexpr int kEq1Depth[] = {1, 4, 5};
constexpr int kEq2Depth[] = {1, 2};
constexpr int kEq36Depth[3][2] = {{7, 6}, {8, 8}, {0, 10}};
constexpr int kEq4Depth[] = {6, 5, 4};
constexpr int kEq5Depth[] = {1, 1, 1};

// Distances of the vector from the first most-severe vector of each EQ that it does not exceed
// in any metric (the spec picks the first such vector; the EQs are independent).
struct Distances {
  double eq1 = 0.0, eq2 = 0.0, eq36 = 0.0, eq4 = 0.0;
};

template <class Max, size_t N, class Distance>
double FirstReachable(const Max (&candidates)[N], const Distance& distance) {
  for (const Max& candidate : candidates) {
    double d = 0.0;
    if (distance(candidate, d)) {
      return d;
    }
  }
  QLRF_CHECK(false, "every vector lies below one of its EQ's most severe vectors (tested)");
  return 0.0;
}

Distances DistancesOf(const Effective& v, const MacroVector& mv) {
  Distances d;
  auto eq1 = [&v](const Eq1Max& m, double& out) {
    double av = Level('V', v.av) - Level('V', m.av);
    double pr = Level('P', v.pr) - Level('P', m.pr);
    double ui = Level('U', v.ui) - Level('U', m.ui);
    out = av + pr + ui;
    return av >= 0 && pr >= 0 && ui >= 0;
  };
  auto eq2 = [&v](const Eq2Max& m, double& out) {
    double ac = Level('C', v.ac) - Level('C', m.ac);
    double at = Level('T', v.at) - Level('T', m.at);
    out = ac + at;
    return ac >= 0 && at >= 0;
  };
  auto eq36 = [&v](const Eq36Max& m, double& out) {
    std::array<double, 6> parts = {
        Level('I', v.vc) - Level('I', m.vc), Level('I', v.vi) - Level('I', m.vi),
        Level('I', v.va) - Level('I', m.va), Level('R', v.cr) - Level('R', m.cr),
        Level('R', v.ir) - Level('R', m.ir), Level('R', v.ar) - Level('R', m.ar)};
    out = parts[0] + parts[1] + parts[2] + parts[3] + parts[4] + parts[5];
    for (double p : parts) {
      if (p < 0) {
        return false;
      }
    }
    return true;
  };
  auto eq4 = [&v](const Eq4Max& m, double& out) {
    double sc = Level('S', v.sc) - Level('S', m.sc);
    double si = Level('S', v.si) - Level('S', m.si);
    double sa = Level('S', v.sa) - Level('S', m.sa);
    out = sc + si + sa;
    return sc >= 0 && si >= 0 && sa >= 0;
  };
  d.eq1 = mv.eq1 == 0   ? FirstReachable(kEq1Max0, eq1)
          : mv.eq1 == 1 ? FirstReachable(kEq1Max1, eq1)
                        : FirstReachable(kEq1Max2, eq1);
  d.eq2 = mv.eq2 == 0 ? FirstReachable(kEq2Max0, eq2) : FirstReachable(kEq2Max1, eq2);
  if (mv.eq3 == 0) {
    d.eq36 = mv.eq6 == 0 ? FirstReachable(kEq36Max00, eq36) : FirstReachable(kEq36Max01, eq36);
  } else if (mv.eq3 == 1) {
    d.eq36 = mv.eq6 == 0 ? FirstReachable(kEq36Max10, eq36) : FirstReachable(kEq36Max11, eq36);
  } else {
    d.eq36 = FirstReachable(kEq36Max21, eq36);
  }
  d.eq4 = FirstReachable(kEq4Max[mv.eq4], eq4);
  return d;
}

int Lookup(const MacroVector& mv) {
  return MacroVectorScoreTenths(mv.eq1, mv.eq2, mv.eq3, mv.eq4, mv.eq5, mv.eq6);
}

std::string Digits(const MacroVector& mv) {
  std::string out;
  for (int eq : {mv.eq1, mv.eq2, mv.eq3, mv.eq4, mv.eq5, mv.eq6}) {
    out += static_cast<char>('0' + eq);
  }
  return out;
}

double Score(const Effective& v, const MacroVector& mv) {
  if (v.vc == 'N' && v.vi == 'N' && v.va == 'N' && v.sc == 'N' && v.si == 'N' && v.sa == 'N') {
    return 0.0;  // no impact at all
  }
  const int value = Lookup(mv);
  QLRF_CHECK(value >= 0, "every reachable macrovector is in the table");
  // Score of the next lower macrovector per EQ, -1 when there is none. EQ3 and EQ6 move
  // together: from (0|1, 0) both (eq3, 1) and (eq3 + 1, 0) are lower; the higher one counts.
  auto lower = [&mv](int MacroVector::*eq) {
    MacroVector next = mv;
    ++(next.*eq);
    return Lookup(next);
  };
  int lower_eq36 = lower(&MacroVector::eq3);
  if (mv.eq6 == 0 && mv.eq3 <= 1) {
    lower_eq36 = std::max(lower_eq36, lower(&MacroVector::eq6));
  }

  Distances d = DistancesOf(v, mv);
  constexpr double kStep = 0.1;
  struct Term {
    int lower_tenths;  // next lower macrovector's score in tenths, -1 if none
    double distance;   // how far below the EQ's most severe vectors this vector is
    int depth;         // steps from the EQ's most severe to its least severe vector
  };
  const Term terms[] = {
      {lower(&MacroVector::eq1), d.eq1, kEq1Depth[mv.eq1]},
      {lower(&MacroVector::eq2), d.eq2, kEq2Depth[mv.eq2]},
      {lower_eq36, d.eq36, kEq36Depth[mv.eq3][mv.eq6]},
      {lower(&MacroVector::eq4), d.eq4, kEq4Depth[mv.eq4]},
      {lower(&MacroVector::eq5), 0.0, kEq5Depth[mv.eq5]},  // EQ5 has one step: no distance
  };
  int existing = 0;
  double total = 0.0;
  for (const Term& t : terms) {
    if (t.lower_tenths < 0) {
      continue;
    }
    ++existing;
    // The table holds one-decimal scores, so their difference is exact in tenths.
    double available = static_cast<double>(value - t.lower_tenths) / 10.0;
    total += available * (t.distance / (t.depth * kStep));
  }
  double score = static_cast<double>(value) / 10.0;
  if (existing > 0) {
    score -= total / existing;
  }
  score = std::min(std::max(score, 0.0), 10.0);
  return std::floor(score * 10.0 + 0.5) / 10.0;  // half up, as the FIRST calculator rounds
}

}  // namespace

Result<CvssScores> ScoreV4(std::string_view body) {
  QLRF_ASSIGN_OR_RETURN(Metrics m, ParseMetrics(body, kSpecs, "4.0"));
  Effective v = EffectiveValues(m);
  MacroVector mv = MacroVectorOf(v);
  CvssScores scores;
  scores.version = CvssVersion::kV40;
  scores.base = Score(v, mv);
  scores.macrovector = Digits(mv);
  return scores;
}

}  // namespace qlrf::cvss::internal
