// CVSS entry points: version detection from the vector prefix, severity bands, names.
#include "common/cvss/cvss.h"

#include <string>

#include "common/cvss/internal/scoring.h"

namespace qlrf::cvss {

Result<CvssScores> ScoreCvss(std::string_view vector) {
  if (vector.starts_with("CVSS:3.1/")) {
    return internal::ScoreV3(vector.substr(9), CvssVersion::kV31);
  }
  if (vector.starts_with("CVSS:3.0/")) {
    return internal::ScoreV3(vector.substr(9), CvssVersion::kV30);
  }
  if (vector.starts_with("CVSS:4.0/")) {
    return internal::ScoreV4(vector.substr(9));
  }
  if (vector.starts_with("CVSS:")) {
    return Fail(FieldError(
        "vector", "unsupported CVSS version prefix \"" + std::string(vector.substr(0, 12)) + "\""));
  }
  return internal::ScoreV2(vector);
}

Severity SeverityOf(double score, CvssVersion version) {
  if (version == CvssVersion::kV2) {
    return score < 4.0 ? Severity::kLow : (score < 7.0 ? Severity::kMedium : Severity::kHigh);
  }
  if (score < 0.1) {
    return Severity::kNone;
  }
  if (score < 4.0) {
    return Severity::kLow;
  }
  if (score < 7.0) {
    return Severity::kMedium;
  }
  return score < 9.0 ? Severity::kHigh : Severity::kCritical;
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kNone:
      return "None";
    case Severity::kLow:
      return "Low";
    case Severity::kMedium:
      return "Medium";
    case Severity::kHigh:
      return "High";
    case Severity::kCritical:
      return "Critical";
  }
  return "None";
}

std::string_view VersionName(CvssVersion version) {
  switch (version) {
    case CvssVersion::kV2:
      return "2.0";
    case CvssVersion::kV30:
      return "3.0";
    case CvssVersion::kV31:
      return "3.1";
    case CvssVersion::kV40:
      return "4.0";
  }
  return "";
}

}  // namespace qlrf::cvss
