// SPDX License List identifiers, for CycloneDX `license.id` validation.
#pragma once

#include <string_view>

namespace qlrf::sbom::internal {

// True when `id` is an SPDX licence or exception identifier (exact, case-sensitive, as the
// CycloneDX schema's enum requires).
bool IsSpdxLicenseId(std::string_view id);

}  // namespace qlrf::sbom::internal
