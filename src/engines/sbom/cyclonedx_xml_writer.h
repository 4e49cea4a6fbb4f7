// CycloneDX XML output: the XML form of a CycloneDX JSON BOM of the shape qlrf exports
// (VulnService::ExportCycloneDx): bom attributes, metadata (timestamp, tools, component),
// components (type, bom-ref, supplier, name, version, hashes, licences, purl, nested components)
// and dependencies, in the element order of the XML schema of the BOM's specVersion.
#pragma once

#include <boost/json.hpp>

#include <string>

#include "common/result.h"

namespace qlrf::sbom {

// Fails with InvalidArgument naming the first member it has no XML form for, so nothing is
// dropped silently.
Result<std::string> CycloneDxJsonToXml(const boost::json::object& bom);

}  // namespace qlrf::sbom
