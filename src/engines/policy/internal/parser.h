// Rego parser: modules (package, imports, rules) and ad-hoc queries, v1 syntax by default and v0
// (OPA's older syntax: `p { … }`, `p[x] { … }`) on request. Errors are rego_parse_error with
// the row and column of the offending token.
#pragma once

#include <string_view>

#include "common/result.h"
#include "engines/policy/internal/ast.h"

namespace qlrf::policy::internal {

struct ParseOptions {
  bool v0 = false;  // accept OPA v0 syntax (rule bodies without `if`, `p[x] { … }` sets)
};

Result<Module> ParseModule(std::string_view file, std::string_view text,
                           const ParseOptions& options = {});

// A query: literals separated by `;` or newlines. `file` names it in error locations.
Result<Query> ParseQuery(std::string_view text, std::string_view file = {});

}  // namespace qlrf::policy::internal
