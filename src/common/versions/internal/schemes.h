// One comparison function per version scheme; versions.cc dispatches on Ecosystem. Each returns
// -1, 0 or 1; the Result ones fail with InvalidArgument (field "a" or "b") on input the scheme
// rejects.
#pragma once

#include <string_view>

#include "common/result.h"

namespace qlrf::versions::internal {

Result<int> CompareDebian(std::string_view a, std::string_view b);
int CompareRpm(std::string_view a, std::string_view b);
int CompareAlpine(std::string_view a, std::string_view b);
Result<int> CompareSemVer(std::string_view a, std::string_view b);
int ComparePep440(std::string_view a, std::string_view b);
int CompareMaven(std::string_view a, std::string_view b);
int ComparePackagist(std::string_view a, std::string_view b);
Result<int> CompareRubyGems(std::string_view a, std::string_view b);
Result<int> CompareNuGet(std::string_view a, std::string_view b);
Result<int> ComparePub(std::string_view a, std::string_view b);
Result<int> CompareCran(std::string_view a, std::string_view b);
Result<int> CompareHackage(std::string_view a, std::string_view b);

}  // namespace qlrf::versions::internal
