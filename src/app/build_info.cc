// Build metadata, from build_info_values.inc (cmake/BuildInfo.cmake writes it at build time).
#include "app/build_info.h"

#include "build_info_values.inc"

namespace qlrf::app {

const char* const kVersion = QLRF_VERSION;
const char* const kGitCommit = QLRF_GIT_COMMIT;
const char* const kBuildTime = QLRF_BUILD_TIME;

}  // namespace qlrf::app
