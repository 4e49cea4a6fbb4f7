// Per-version CVSS scoring; cvss.cc picks the version from the vector's prefix.
#pragma once

#include <string_view>

#include "common/cvss/cvss.h"
#include "common/result.h"

namespace qlrf::cvss::internal {

// Each takes the vector without its "CVSS:x.y/" prefix and fails like ParseMetrics.
Result<CvssScores> ScoreV2(std::string_view body);
Result<CvssScores> ScoreV3(std::string_view body, CvssVersion version);
Result<CvssScores> ScoreV4(std::string_view body);

}  // namespace qlrf::cvss::internal
