// The shipped policies (policies/*.rego and their tests), compiled into the binary at build time
// by cmake/EmbedPolicies.cmake so that a server needs no policy files on disk.
#pragma once

#include <string_view>
#include <vector>

namespace qlrf::services {

struct BuiltinPolicyFile {
  std::string_view file;  // "plan_safety.rego", "plan_safety_test.rego"
  std::string_view text;
};

// Sorted by file name. Immutable.
const std::vector<BuiltinPolicyFile>& BuiltinPolicyFiles();

}  // namespace qlrf::services
