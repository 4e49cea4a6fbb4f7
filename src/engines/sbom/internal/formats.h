// The per-format walkers behind Parse(): each reads the root object of one format into `doc`,
// failing through the Reader (ParseFailure) on anything it cannot accept.
#pragma once

#include "engines/sbom/internal/reader.h"
#include "engines/sbom/sbom.h"

namespace qlrf::sbom::internal {

void ReadTrivy(Reader& reader, od::object& root, Document& doc);
void ReadGrype(Reader& reader, od::object& root, Document& doc);
void ReadCycloneDx(Reader& reader, od::object& root, const ParseOptions& options, Document& doc);
void ReadSpdx(Reader& reader, od::object& root, const ParseOptions& options, Document& doc);
void ReadOpenVex(Reader& reader, od::object& root, Document& doc);
// CycloneDX XML: the whole document (it is not JSON, so there is no simdjson root to hand over).
void ReadCycloneDxXml(std::string_view bytes, const ParseOptions& options, Document& doc);

// Shared by the scanner walkers: drops repeated (id, component) findings, keeping the first,
// and fills the components named by findings that no package list declared.
void FinishFindings(Reader& reader, Document& doc);

// Purl type of a canonical purl ("pkg:npm/x@1" -> "npm"), or "".
std::string_view PurlType(std::string_view canonical_purl);

}  // namespace qlrf::sbom::internal
