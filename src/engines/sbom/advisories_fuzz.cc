// Fuzz target: the feed parsers (KEV, EPSS CSV, NVD, OSV) on arbitrary bytes never crash and
// fail only with InvalidArgument; every parsed OSV range is evaluated with Affects() against a
// few versions without crashing. The first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/result.h"
#include "engines/sbom/advisories.h"

namespace {

template <class T>
void CheckError(const qlrf::Result<T>& r) {
  if (!r) {
    QLRF_CHECK(r.error().code == qlrf::ErrorCode::kInvalidArgument, "feed errors are 400s");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0:
      CheckError(qlrf::sbom::ParseKev(input));
      break;
    case 1:
      CheckError(qlrf::sbom::ParseEpssCsv(input));
      break;
    case 2:
      CheckError(qlrf::sbom::ParseNvd(input));
      break;
    default: {
      auto advisories = qlrf::sbom::ParseOsv(input);
      CheckError(advisories);
      if (advisories) {
        for (const auto& advisory : *advisories) {
          for (const auto& affected : advisory.affected) {
            for (std::string_view version : {"0", "1.0.0", "2.14.1", "1:2.3-4", "v0.1.0"}) {
              CheckError(qlrf::sbom::Affects(affected, version));
            }
            for (const auto& listed : affected.versions) {
              CheckError(qlrf::sbom::Affects(affected, listed));
            }
          }
        }
      }
      break;
    }
  }
  return 0;
}
