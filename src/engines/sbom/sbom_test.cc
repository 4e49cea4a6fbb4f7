// Parse() unit tests: detection, names, error contract (format, JSON pointer, offset), the
// per-format mapping on small hand-written documents, and bad input (truncation at every offset,
// wrong types, wrong versions, another format than requested).
#include "engines/sbom/sbom.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace qlrf::sbom {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

const fs::path& Conformance() {
  static const fs::path kDir = fs::path(QLRF_CONFORMANCE_DIR);
  return kDir;
}

TEST(FormatNames, RoundTrip) {
  for (Format f :
       {Format::kTrivy, Format::kGrype, Format::kSpdx, Format::kCycloneDx, Format::kOpenVex}) {
    auto parsed = FormatFromName(FormatName(f));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, f);
  }
  EXPECT_EQ(FormatFromName("CycloneDX").value(), Format::kCycloneDx);
  auto unknown = FormatFromName("syft");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace qlrf::sbom
