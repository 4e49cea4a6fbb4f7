// Fuzz target: ParsePurl on arbitrary bytes never crashes; a parsed purl's canonical string is a
// fixed point (Parse(ToString(p)) == p) and BuildPurl agrees; failures name their component.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/purl/purl.h"
#include "common/result.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = qlrf::purl::ParsePurl(input);
  if (!parsed) {
    QLRF_CHECK(parsed.error().code == qlrf::ErrorCode::kInvalidArgument, "parse errors are 400s");
    QLRF_CHECK(!parsed.error().Detail("field").empty(), "parse errors name the component");
    return 0;
  }
  std::string canonical = qlrf::purl::ToString(*parsed);
  auto reparsed = qlrf::purl::ParsePurl(canonical);
  QLRF_CHECK(reparsed.has_value(), "the canonical form parses");
  QLRF_CHECK(*reparsed == *parsed, "Parse(ToString(p)) == p");
  QLRF_CHECK(qlrf::purl::ToString(*reparsed) == canonical, "the canonical form is a fixed point");
  auto built = qlrf::purl::BuildPurl(*parsed);
  QLRF_CHECK(built.has_value() && *built == canonical, "BuildPurl agrees with ToString");
  return 0;
}
