// CVSS vector parsing and scoring: v2 (NVD calculator), v3.0 and v3.1 (base, temporal,
// environmental) and v4.0 (macrovector lookup and interpolation, FIRST calculator). Pure
// functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace qlrf::cvss {

enum class CvssVersion { kV2, kV30, kV31, kV40 };

enum class Severity { kNone, kLow, kMedium, kHigh, kCritical };

struct CvssScores {
  CvssVersion version = CvssVersion::kV31;
  // v2/v3: the base score. v4: the single CVSS-BTE score of the whole vector (threat and
  // environmental metrics included; supplemental metrics never change it).
  double base = 0.0;
  // v2/v3 only: present when the vector defines a temporal metric (not X / ND).
  std::optional<double> temporal;
  // v2/v3 only: present when the vector defines an environmental metric (not X / ND).
  std::optional<double> environmental;
  // v4 only: the EQ1..EQ6 digits, e.g. "002201".
  std::string macrovector;

  // The most specific score: environmental, else temporal, else base.
  double Overall() const { return environmental.value_or(temporal.value_or(base)); }
};

// Parses and scores a vector: "CVSS:3.1/AV:N/...", "CVSS:3.0/...", "CVSS:4.0/...", or a bare
// (optionally parenthesised) v2 vector "AV:N/AC:L/Au:N/C:P/I:P/A:P". Parsing is strict: fails
// with InvalidArgument, details {"field": <metric>}, for an unknown metric, a duplicate metric, a
// value the metric does not define, or a missing mandatory (base) metric; {"field": "vector"} for
// an unknown prefix or an empty or malformed "metric:value" component. Metric order is not
// enforced. Scores have one decimal and match the reference calculators exactly.
Result<CvssScores> ScoreCvss(std::string_view vector);

// The qualitative rating of a score: None 0.0, Low 0.1-3.9, Medium 4.0-6.9, High 7.0-8.9,
// Critical 9.0-10.0 (CVSS v3.x and v4.0). For kV2 the NVD bands apply: Low 0.0-3.9,
// Medium 4.0-6.9, High 7.0-10.0.
Severity SeverityOf(double score, CvssVersion version = CvssVersion::kV31);

// "None", "Low", "Medium", "High", "Critical".
std::string_view SeverityName(Severity severity);

// "2.0", "3.0", "3.1", "4.0".
std::string_view VersionName(CvssVersion version);

}  // namespace qlrf::cvss
