// SystemEnv: reads the process environment.
#include "common/env.h"

#include <cstdlib>

namespace qlrf {

std::optional<std::string> SystemEnv::Get(std::string_view name) const {
  const char* v = std::getenv(std::string(name).c_str());  // NOLINT(concurrency-mt-unsafe)
  if (v == nullptr) {
    return std::nullopt;
  }
  return std::string(v);
}

}  // namespace qlrf
