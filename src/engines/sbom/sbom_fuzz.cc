// Fuzz target: Parse() on arbitrary bytes never crashes; it either returns a document or an
// InvalidArgument that names the format and the failing field. The first byte picks the
// requested format (or auto-detection) and strict mode, so every walker is reached.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/result.h"
#include "engines/sbom/sbom.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  const uint8_t selector = data[0];
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  std::optional<qlrf::sbom::Format> format;
  switch (selector % 6) {
    case 1:
      format = qlrf::sbom::Format::kTrivy;
      break;
    case 2:
      format = qlrf::sbom::Format::kGrype;
      break;
    case 3:
      format = qlrf::sbom::Format::kSpdx;
      break;
    case 4:
      format = qlrf::sbom::Format::kCycloneDx;
      break;
    case 5:
      format = qlrf::sbom::Format::kOpenVex;
      break;
    default:
      break;
  }
  qlrf::sbom::ParseOptions options;
  options.strict = (selector & 0x80) == 0;
  auto doc = qlrf::sbom::Parse(input, format, options);
  if (!doc) {
    QLRF_CHECK(doc.error().code == qlrf::ErrorCode::kInvalidArgument, "parse errors are 400s");
    QLRF_CHECK(!doc.error().Detail("field").empty(), "parse errors name the field");
    QLRF_CHECK(!doc.error().message.empty(), "parse errors say what failed");
    return 0;
  }
  QLRF_CHECK(!format || doc->format == *format, "the requested format is the parsed one");
  for (const auto& f : doc->findings) {
    QLRF_CHECK(f.description.size() <= 4096, "descriptions are cut to 4 KiB");
  }
  auto detected = qlrf::sbom::DetectFormat(input);
  (void)detected;
  return 0;
}
