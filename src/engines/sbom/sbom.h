// SBOM and scanner-report parsing: Trivy JSON (SchemaVersion 2 and `trivy k8s` cluster reports),
// Grype JSON, SPDX 2.2/2.3 JSON, CycloneDX 1.2-1.7 JSON and XML (BOMs and VEX) and OpenVEX,
// normalised into one Document. JSON is read in one pass with simdjson On-Demand (no DOM of the
// whole file); XML streams through expat one top-level component / dependency / vulnerability at
// a time. The cost is linear in the input and memory is the output plus the input.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace qlrf::sbom {

enum class Format { kTrivy, kGrype, kSpdx, kCycloneDx, kOpenVex };

// "trivy", "grype", "spdx", "cyclonedx", "openvex" — also the names FormatFromName accepts.
std::string_view FormatName(Format format);
Result<Format> FormatFromName(std::string_view name);

enum class Severity { kUnknown, kNone, kLow, kMedium, kHigh, kCritical };

// "unknown", "none", "low", "medium", "high", "critical".
std::string_view SeverityName(Severity severity);
// Case-insensitive; "negligible" and "info"/"informational" map to low, anything else unknown.
Severity SeverityFromName(std::string_view name);

struct Hash {
  std::string algorithm;  // as CycloneDX spells it: "SHA-256", "SHA-1", "MD5", ...
  std::string value;      // lowercase hex
  friend bool operator==(const Hash&, const Hash&) = default;
};

// One package / library / OS package of the scanned artifact.
struct Component {
  // Unique within the document: CycloneDX bom-ref, SPDX SPDXID, Trivy PkgIdentifier.UID or PkgID,
  // Grype artifact id; synthesised ("name@version", "#<n>") when the format has none.
  std::string ref;
  std::string name;
  std::string version;
  std::string purl;  // canonical (purl::CanonicalizePurl) or empty when absent/unparseable
  // CycloneDX component type ("library", "operating-system", "application", "framework",
  // "container", "file", ...); SPDX primaryPackagePurpose lowercased; Trivy/Grype "library" or
  // "operating-system".
  std::string type;
  std::string ecosystem;  // purl type, or the scanner's package type ("deb", "rpm", "npm", ...)
  std::vector<std::string> licenses;  // SPDX ids or expressions, or names
  std::vector<Hash> hashes;
  std::string supplier;
  friend bool operator==(const Component&, const Component&) = default;
};

// "from depends on to", both Component::ref values.
struct Dependency {
  std::string from;
  std::string to;
  friend bool operator==(const Dependency&, const Dependency&) = default;
};

// One vulnerability reported against one component (scanner reports, CycloneDX
// `vulnerabilities[].affects[]`). The same id on two components is two findings.
struct Finding {
  std::string id;                    // "CVE-2021-44228", "GHSA-…", "ALAS-…"
  std::vector<std::string> aliases;  // other ids of the same vulnerability (CVE for a GHSA, …)
  std::string component_ref;         // Component::ref of the affected component
  std::string package_name;
  std::string installed_version;
  std::string fixed_version;  // empty when no fix is known; several are joined with ", "
  Severity severity = Severity::kUnknown;
  std::optional<double> cvss_score;  // best available: v3.1/v3.0 from NVD, else the vendor's
  std::string cvss_vector;           // the vector the score came from ("" when none)
  std::optional<double> epss;        // probability 0..1 when the report carries it (Grype)
  // Trivy Status ("fixed", "affected", "will_not_fix", "fix_deferred", "end_of_life", …), Grype
  // fix.state ("fixed", "not-fixed", "wont-fix", "unknown"); empty when absent.
  std::string fix_state;
  std::string title;
  std::string description;  // at most 4 KiB, cut at a UTF-8 boundary
  std::string published;    // RFC 3339 as given, or ""
  std::vector<std::string> cwes;
  std::string data_source;  // Trivy SeveritySource / DataSource.ID, Grype namespace
  friend bool operator==(const Finding&, const Finding&) = default;
};

enum class VexStatus { kNotAffected, kAffected, kFixed, kUnderInvestigation };

// "not_affected", "affected", "fixed", "under_investigation" (OpenVEX spelling; CycloneDX
// analysis states map: not_affected/false_positive → not_affected, exploitable → affected,
// resolved/resolved_with_pedigree → fixed, in_triage → under_investigation).
std::string_view VexStatusName(VexStatus status);
Result<VexStatus> VexStatusFromName(std::string_view name);

// A VEX statement from CycloneDX `vulnerabilities[].analysis` or an OpenVEX document.
struct VexStatement {
  std::string vulnerability_id;
  // What the statement is about: a Component::ref in this document, or a purl / bom-ref URN of
  // a component in another document (CycloneDX "urn:cdx:serial/version#bom-ref"). One statement
  // per product.
  std::string component_ref;
  std::string purl;  // canonical purl of the product when known
  VexStatus status = VexStatus::kUnderInvestigation;
  std::string justification;  // OpenVEX/CycloneDX justification, e.g. "code_not_reachable"
  std::string detail;         // impact statement / analysis detail
  std::string action;         // action_statement / response ("update", "will_not_fix", …)
  std::string timestamp;
  friend bool operator==(const VexStatement&, const VexStatement&) = default;
};

struct Document {
  Format format = Format::kCycloneDx;
  std::string
      spec_version;  // "2" (Trivy SchemaVersion), "1.6", "SPDX-2.3", grype descriptor version
  std::string serial_number;  // CycloneDX serialNumber / SPDX documentNamespace / OpenVEX @id
  std::string tool;           // "trivy 0.50.1", "grype 0.74.0", first CycloneDX/SPDX creator tool
  std::string subject;        // ArtifactName, source.target, metadata.component name, SPDX name
  std::string os_family;      // Trivy Metadata.OS.Family, Grype distro.name
  std::string os_version;
  std::string created;                // RFC 3339 when the document says
  std::vector<Component> components;  // nested CycloneDX components flattened, order kept
  std::vector<Dependency> dependencies;
  std::vector<Finding> findings;
  std::vector<VexStatement> vex;
  // Things skipped without failing (misconfigurations, secrets, unknown fields of interest).
  std::vector<std::string> warnings;
};

struct ParseOptions {
  // Reject documents larger than this (bytes). 0 = no limit.
  size_t max_bytes = 512u << 20;
  // CycloneDX and SPDX: check the schema rules the spec's invalid examples exercise (enums,
  // required fields, serialNumber and hash patterns, licence choice). On by default.
  bool strict = true;
};

// Guesses the format from the first top-level keys (bomFormat, spdxVersion, SchemaVersion /
// ArtifactName / ClusterName, matches + source/descriptor, @context openvex); XML naming the
// CycloneDX namespace is CycloneDX. Fails with
// InvalidArgument {"field": "format"} when it is none of them or not a JSON object.
Result<Format> DetectFormat(std::string_view bytes);

// Parses a document of a known format (or auto-detects when `format` is empty). On any error
// nothing partial is returned: InvalidArgument with details {"format": name, "field": JSON
// pointer of the failing value, e.g. "/Results/0/Vulnerabilities/3/Severity" — for XML the
// element's location, e.g. "/bom/components[1]/component[3]/hashes[1]/hash[2]", with line and
// column in the message — "offset": byte offset when known} and a message saying what was expected.
// Truncated input, a wrong schema version ("SchemaVersion 1 is not supported"), or a document of
// another format named by `format` are errors.
Result<Document> Parse(std::string_view bytes, std::optional<Format> format = std::nullopt,
                       const ParseOptions& options = {});

}  // namespace qlrf::sbom
