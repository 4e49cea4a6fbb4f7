// Test files: reading a test-data or conformance file whole.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace qlrf::testing {

// The file's bytes, or "" when it cannot be read (the test's own checks then fail on it).
inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace qlrf::testing
