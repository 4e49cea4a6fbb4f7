// Version, git commit and build time of this binary (generated at build time into one small
// file, so a new commit recompiles only build_info.cc).
#pragma once

namespace qlrf::app {

extern const char* const kVersion;
extern const char* const kGitCommit;
extern const char* const kBuildTime;

}  // namespace qlrf::app
