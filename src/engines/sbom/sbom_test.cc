// Parse() unit tests: detection, names, the error contract (format, JSON pointer, offset), the
// per-format mapping on small hand-written documents, and bad input in the manner of leveldb's
// log_test: truncated at every offset, corrupted bytes, wrong types, wrong versions, another
// format than requested, oversized.
#include "engines/sbom/sbom.h"
#include "testing/files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace qlrf::sbom {
namespace {

namespace fs = std::filesystem;

using ::qlrf::testing::ReadFile;

const fs::path& Conformance() {
  static const fs::path kDir = fs::path(QLRF_CONFORMANCE_DIR);
  return kDir;
}

constexpr std::string_view kTrivy = R"({
  "SchemaVersion": 2, "ArtifactName": "alpine:3.9", "ArtifactType": "container_image",
  "Trivy": {"Version": "0.50.1"},
  "Metadata": {"OS": {"Family": "alpine", "Name": "3.9.4"}},
  "Results": [{
    "Target": "alpine:3.9 - alpine 3.9.4", "Class": "os-pkgs", "Type": "alpine",
    "Packages": [
      {"ID": "musl@1.1.20-r4", "Name": "musl", "Version": "1.1.20", "Release": "r4",
       "Identifier": {"PURL": "pkg:apk/alpine/musl@1.1.20-r4", "UID": "u1"},
       "Licenses": ["MIT"], "DependsOn": ["libc@1"]},
      {"ID": "libc@1", "Name": "libc", "Version": "1", "Identifier": {"UID": "u2"}}
    ],
    "Vulnerabilities": [
      {"VulnerabilityID": "CVE-2019-14697", "PkgID": "musl@1.1.20-r4", "PkgName": "musl",
       "PkgIdentifier": {"UID": "u1"}, "InstalledVersion": "1.1.20-r4",
       "FixedVersion": "1.1.20-r5", "Status": "fixed", "Severity": "CRITICAL",
       "SeveritySource": "nvd",
       "CVSS": {"nvd": {"V2Vector": "AV:N/AC:L/Au:N/C:P/I:P/A:P", "V2Score": 7.5,
                        "V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                        "V3Score": 9.8}},
       "CweIDs": ["CWE-787"], "PublishedDate": "2019-08-06T16:15:00Z"},
      {"VulnerabilityID": "CVE-2020-1", "PkgName": "busybox", "InstalledVersion": "1.29",
       "Severity": "LOW"}
    ]}]
})";

constexpr std::string_view kCycloneDx = R"({
  "bomFormat": "CycloneDX", "specVersion": "1.6",
  "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79", "version": 1,
  "metadata": {"timestamp": "2024-01-01T00:00:00Z",
               "tools": {"components": [{"type": "application", "name": "cdxgen", "version": "10"}]},
               "component": {"type": "application", "name": "app", "bom-ref": "root"}},
  "components": [
    {"type": "library", "name": "parent", "version": "1.0", "bom-ref": "p",
     "purl": "pkg:npm/parent@1.0",
     "hashes": [{"alg": "SHA-1", "content": "E6B1000B94E835FFD37F4C6DCBDAD43F4B48A02A"}],
     "licenses": [{"license": {"id": "MIT"}}],
     "components": [{"type": "library", "name": "child", "version": "2.0"}]},
    {"type": "library", "name": "other", "version": "3", "bom-ref": "o",
     "licenses": [{"expression": "MIT OR Apache-2.0"}], "supplier": {"name": "ACME"}}
  ],
  "dependencies": [{"ref": "root", "dependsOn": ["p", "o"]}, {"ref": "p", "dependsOn": []}],
  "vulnerabilities": [{"id": "CVE-2024-1", "ratings": [
      {"method": "CVSSv31", "score": 7.5, "severity": "high",
       "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"},
      {"method": "other", "severity": "critical"}],
    "cwes": [79], "analysis": {"state": "not_affected", "justification": "code_not_reachable",
                               "response": ["will_not_fix", "update"]},
    "affects": [{"ref": "p"}]}]
})";

// ---- names
// ---------------------------------------------------------------------------------------

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

TEST(SeverityNames, MapScannerSpellings) {
  EXPECT_EQ(SeverityFromName("CRITICAL"), Severity::kCritical);
  EXPECT_EQ(SeverityFromName("High"), Severity::kHigh);
  EXPECT_EQ(SeverityFromName("moderate"), Severity::kMedium);
  EXPECT_EQ(SeverityFromName("Negligible"), Severity::kLow);
  EXPECT_EQ(SeverityFromName("info"), Severity::kLow);
  EXPECT_EQ(SeverityFromName("None"), Severity::kNone);
  EXPECT_EQ(SeverityFromName("UNKNOWN"), Severity::kUnknown);
  EXPECT_EQ(SeverityFromName("whatever"), Severity::kUnknown);
  EXPECT_EQ(SeverityName(Severity::kMedium), "medium");
}

TEST(VexStatusNames, CycloneDxStatesMapToOpenVex) {
  EXPECT_EQ(VexStatusFromName("false_positive").value(), VexStatus::kNotAffected);
  EXPECT_EQ(VexStatusFromName("exploitable").value(), VexStatus::kAffected);
  EXPECT_EQ(VexStatusFromName("resolved_with_pedigree").value(), VexStatus::kFixed);
  EXPECT_EQ(VexStatusFromName("in_triage").value(), VexStatus::kUnderInvestigation);
  EXPECT_EQ(VexStatusName(VexStatus::kNotAffected), "not_affected");
  EXPECT_FALSE(VexStatusFromName("maybe").has_value());
}

// ---- detection
// -----------------------------------------------------------------------------------

TEST(DetectFormat, ReadsTheFirstDecisiveKey) {
  EXPECT_EQ(DetectFormat(kTrivy).value(), Format::kTrivy);
  EXPECT_EQ(DetectFormat(kCycloneDx).value(), Format::kCycloneDx);
  EXPECT_EQ(DetectFormat(R"({"spdxVersion": "SPDX-2.3"})").value(), Format::kSpdx);
  EXPECT_EQ(DetectFormat(R"({"source": {}, "matches": []})").value(), Format::kGrype);
  EXPECT_EQ(DetectFormat(R"({"@context": "https://openvex.dev/ns/v0.2.0"})").value(),
            Format::kOpenVex);
  EXPECT_EQ(DetectFormat(R"({"ClusterName": "c", "Resources": []})").value(), Format::kTrivy);
}

TEST(DetectFormat, NonObjectsAndUnknownObjectsAreErrors) {
  for (std::string_view bytes : {"[]", "42", "\"x\"", "", "{\"a\": 1}", "{"}) {
    auto format = DetectFormat(bytes);
    ASSERT_FALSE(format.has_value()) << bytes;
    EXPECT_EQ(format.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(DetectFormat("{\"a\": 1}").error().Detail("field"), "format");
  EXPECT_EQ(DetectFormat("[1]").error().Detail("field"), "format");
}

// ---- mapping
// -------------------------------------------------------------------------------------

TEST(ParseTrivy, MapsPackagesVulnerabilitiesAndDependencies) {
  auto doc = Parse(kTrivy);
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->format, Format::kTrivy);
  EXPECT_EQ(doc->spec_version, "2");
  EXPECT_EQ(doc->tool, "trivy 0.50.1");
  EXPECT_EQ(doc->subject, "alpine:3.9");
  EXPECT_EQ(doc->os_family, "alpine");
  EXPECT_EQ(doc->os_version, "3.9.4");
  ASSERT_EQ(doc->components.size(), 3u);  // two packages + one named only by a finding
  const Component& musl = doc->components[0];
  EXPECT_EQ(musl.ref, "u1");
  EXPECT_EQ(musl.version, "1.1.20-r4");
  EXPECT_EQ(musl.purl, "pkg:apk/alpine/musl@1.1.20-r4");
  EXPECT_EQ(musl.ecosystem, "apk");
  EXPECT_EQ(musl.licenses, std::vector<std::string>{"MIT"});
  EXPECT_EQ(doc->components[1].ecosystem, "apk");  // from the Result Type: no purl
  EXPECT_EQ(doc->components[2].ref, "busybox@1.29");
  ASSERT_EQ(doc->dependencies.size(), 1u);
  EXPECT_EQ(doc->dependencies[0], (Dependency{"u1", "u2"}));
  ASSERT_EQ(doc->findings.size(), 2u);
  const Finding& f = doc->findings[0];
  EXPECT_EQ(f.id, "CVE-2019-14697");
  EXPECT_EQ(f.component_ref, "u1");
  EXPECT_EQ(f.fixed_version, "1.1.20-r5");
  EXPECT_EQ(f.severity, Severity::kCritical);
  EXPECT_EQ(f.cvss_vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
  EXPECT_DOUBLE_EQ(f.cvss_score.value(), 9.8);
  EXPECT_EQ(f.data_source, "nvd");
  EXPECT_EQ(f.published, "2019-08-06T16:15:00Z");
  EXPECT_EQ(doc->findings[1].component_ref, "busybox@1.29");
}

TEST(ParseCycloneDx, FlattensNestedComponentsInDocumentOrder) {
  auto doc = Parse(kCycloneDx);
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->spec_version, "1.6");
  EXPECT_EQ(doc->serial_number, "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79");
  EXPECT_EQ(doc->tool, "cdxgen 10");
  EXPECT_EQ(doc->subject, "app");
  EXPECT_EQ(doc->created, "2024-01-01T00:00:00Z");
  ASSERT_EQ(doc->components.size(), 3u);
  EXPECT_EQ(doc->components[0].name, "parent");
  EXPECT_EQ(doc->components[1].name, "child");
  EXPECT_EQ(doc->components[1].ref, "#1");  // synthesised: no bom-ref
  EXPECT_EQ(doc->components[2].name, "other");
  EXPECT_EQ(doc->components[0].hashes,
            (std::vector<Hash>{{"SHA-1", "e6b1000b94e835ffd37f4c6dcbdad43f4b48a02a"}}));
  EXPECT_EQ(doc->components[0].ecosystem, "npm");
  EXPECT_EQ(doc->components[2].licenses, std::vector<std::string>{"MIT OR Apache-2.0"});
  EXPECT_EQ(doc->components[2].supplier, "ACME");
  EXPECT_EQ(doc->dependencies, (std::vector<Dependency>{{"root", "p"}, {"root", "o"}}));
  ASSERT_EQ(doc->findings.size(), 1u);
  const Finding& f = doc->findings[0];
  EXPECT_EQ(f.component_ref, "p");
  EXPECT_EQ(f.package_name, "parent");
  EXPECT_EQ(f.installed_version, "1.0");
  EXPECT_EQ(f.severity, Severity::kHigh);  // the severity of the rating the score came from
  EXPECT_DOUBLE_EQ(f.cvss_score.value(), 7.5);
  EXPECT_EQ(f.cwes, std::vector<std::string>{"CWE-79"});
  ASSERT_EQ(doc->vex.size(), 1u);
  EXPECT_EQ(doc->vex[0].status, VexStatus::kNotAffected);
  EXPECT_EQ(doc->vex[0].justification, "code_not_reachable");
  EXPECT_EQ(doc->vex[0].action, "will_not_fix, update");
  EXPECT_EQ(doc->vex[0].purl, "pkg:npm/parent@1.0");
}

TEST(ParseCycloneDx, FieldsInAnyOrderVersionRulesDecidedAtTheEnd) {
  // A property without a name is invalid from 1.6 on; specVersion comes last.
  std::string body = R"({"bomFormat": "CycloneDX", "version": 1,
      "components": [{"type": "library", "name": "a", "properties": [{"value": "x"}]}],
      "specVersion": ")";
  auto v14 = Parse(body + "1.4\"}");
  EXPECT_TRUE(v14.has_value()) << v14.error().ToString();
  auto v16 = Parse(body + "1.6\"}");
  ASSERT_FALSE(v16.has_value());
  EXPECT_EQ(v16.error().Detail("field"), "/components/0/properties/0");
  EXPECT_NE(v16.error().message.find("CycloneDX 1.6"), std::string::npos);
}

TEST(ParseCycloneDx, StrictRulesAndLaxMode) {
  constexpr std::string_view kBadType =
      R"({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "foo", "name": "a"}]})";
  auto strict = Parse(kBadType);
  ASSERT_FALSE(strict.has_value());
  EXPECT_EQ(strict.error().Detail("field"), "/components/0/type");
  EXPECT_EQ(strict.error().Detail("format"), "cyclonedx");
  EXPECT_FALSE(strict.error().Detail("offset").empty());
  ParseOptions lax;
  lax.strict = false;
  auto relaxed = Parse(kBadType, std::nullopt, lax);
  ASSERT_TRUE(relaxed.has_value());
  EXPECT_EQ(relaxed->components[0].type, "foo");
}

TEST(ParseCycloneDx, UnsupportedSpecVersionAndMissingBomFormat) {
  auto v2 = Parse(R"({"bomFormat": "CycloneDX", "specVersion": "2.0"})");
  ASSERT_FALSE(v2.has_value());
  EXPECT_NE(v2.error().message.find("specVersion 2.0 is not supported"), std::string::npos);
  auto missing = Parse(R"({"specVersion": "1.5"})", Format::kCycloneDx);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("bomFormat"), std::string::npos);
}

TEST(ParseSpdx, ReversedRelationshipsAndPurpose) {
  constexpr std::string_view kSpdx = R"({
    "spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "doc",
    "dataLicense": "CC0-1.0", "documentNamespace": "https://example.com/doc",
    "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: trivy-0.50.1"]},
    "packages": [
      {"SPDXID": "SPDXRef-a", "name": "a", "versionInfo": "1.0", "primaryPackagePurpose": "OPERATING_SYSTEM",
       "licenseConcluded": "NOASSERTION", "licenseDeclared": "MIT",
       "checksums": [{"algorithm": "SHA256", "checksumValue": "abc"}],
       "supplier": "Organization: ACME",
       "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                         "referenceLocator": "pkg:pypi/A@1.0"}]},
      {"SPDXID": "SPDXRef-b", "name": "b"}],
    "relationships": [
      {"spdxElementId": "SPDXRef-b", "relationshipType": "DEPENDENCY_OF", "relatedSpdxElement": "SPDXRef-a"},
      {"spdxElementId": "SPDXRef-a", "relationshipType": "COPY_OF", "relatedSpdxElement": "SPDXRef-b"}]
  })";
  auto doc = Parse(kSpdx);
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->tool, "trivy-0.50.1");
  EXPECT_EQ(doc->serial_number, "https://example.com/doc");
  ASSERT_EQ(doc->components.size(), 2u);
  const Component& a = doc->components[0];
  EXPECT_EQ(a.type, "operating-system");
  EXPECT_EQ(a.purl, "pkg:pypi/a@1.0");
  EXPECT_EQ(a.licenses, std::vector<std::string>{"MIT"});
  EXPECT_EQ(a.hashes, (std::vector<Hash>{{"SHA-256", "abc"}}));
  EXPECT_EQ(a.supplier, "ACME");
  EXPECT_EQ(doc->dependencies, (std::vector<Dependency>{{"SPDXRef-a", "SPDXRef-b"}}));
}

TEST(ParseOpenVex, OneStatementPerProduct) {
  constexpr std::string_view kVex = R"({
    "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1",
    "author": "Security Team", "timestamp": "2024-01-01T00:00:00Z", "version": 1,
    "statements": [
      {"vulnerability": {"name": "CVE-2021-44228"},
       "products": [{"@id": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
                    {"@id": "urn:x", "identifiers": {"purl": "pkg:npm/a@1"}}],
       "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
       "impact_statement": "not loaded"},
      {"vulnerability": "CVE-2020-1", "products": ["pkg:npm/x@1"], "status": "affected",
       "action_statement": "update", "timestamp": "2024-02-01T00:00:00Z"}]
  })";
  auto doc = Parse(kVex);
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->format, Format::kOpenVex);
  EXPECT_EQ(doc->spec_version, "v0.2.0");
  EXPECT_EQ(doc->serial_number, "https://example.com/vex/1");
  ASSERT_EQ(doc->vex.size(), 3u);
  EXPECT_EQ(doc->vex[0].vulnerability_id, "CVE-2021-44228");
  EXPECT_EQ(doc->vex[0].purl, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
  EXPECT_EQ(doc->vex[0].timestamp, "2024-01-01T00:00:00Z");  // inherited from the document
  EXPECT_EQ(doc->vex[0].detail, "not loaded");
  EXPECT_EQ(doc->vex[1].component_ref, "urn:x");
  EXPECT_EQ(doc->vex[1].purl, "pkg:npm/a@1");
  EXPECT_EQ(doc->vex[2].status, VexStatus::kAffected);
  EXPECT_EQ(doc->vex[2].action, "update");
  EXPECT_EQ(doc->vex[2].timestamp, "2024-02-01T00:00:00Z");
  auto bad = Parse(R"({"@context": "https://openvex.dev/ns/v0.2.0",
                      "statements": [{"vulnerability": "CVE-1", "status": "maybe"}]})");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().Detail("field"), "/statements/0/status");
}

TEST(ParseGrype, UnparseablePurlIsDroppedWithAWarning) {
  auto doc = Parse(R"({"matches": [{"vulnerability": {"id": "CVE-1", "severity": "High"},
      "artifact": {"name": "a", "version": "1", "type": "npm", "purl": "not-a-purl"}}]})");
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_TRUE(doc->components[0].purl.empty());
  EXPECT_EQ(doc->components[0].ecosystem, "npm");
  ASSERT_EQ(doc->warnings.size(), 1u);
  EXPECT_NE(doc->warnings[0].find("not-a-purl"), std::string::npos);
}

TEST(ParseFinding, DescriptionIsCutAtAUtf8Boundary) {
  std::string description(4095, 'a');
  description += "\xc3\xa9\xc3\xa9";  // "é" straddles byte 4096
  std::string report = R"({"SchemaVersion": 2, "Results": [{"Vulnerabilities": [
      {"VulnerabilityID": "CVE-1", "PkgName": "a", "InstalledVersion": "1", "Description": ")" +
                       description + "\"}]}]}";
  auto doc = Parse(report);
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->findings[0].description, std::string(4095, 'a'));
}

// ---- errors
// --------------------------------------------------------------------------------------

TEST(ParseErrors, WrongSchemaVersionIsNamed) {
  auto doc = Parse(R"({"ArtifactName": "x", "SchemaVersion": 1, "Results": []})");
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(doc.error().message.find("SchemaVersion 1 is not supported"), std::string::npos);
  EXPECT_EQ(doc.error().Detail("field"), "/SchemaVersion");
  EXPECT_EQ(doc.error().Detail("format"), "trivy");
  auto missing = Parse(R"({"ArtifactName": "x", "Results": []})");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("SchemaVersion"), std::string::npos);
}

TEST(ParseErrors, MistypedValueNamesItsPointerAndOffset) {
  std::string report = R"({"SchemaVersion": 2, "Results": [{"Vulnerabilities": [
      {"VulnerabilityID": "CVE-1"}, {"VulnerabilityID": "CVE-2", "Severity": 3}]}]})";
  auto doc = Parse(report);
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().Detail("field"), "/Results/0/Vulnerabilities/1/Severity");
  EXPECT_NE(doc.error().message.find("expected a string"), std::string::npos);
  std::string offset(doc.error().Detail("offset"));
  ASSERT_FALSE(offset.empty());
  size_t at = std::stoul(offset);
  EXPECT_GT(at, report.find("\"Severity\""));
  EXPECT_LE(at, report.size());
}

TEST(ParseErrors, AnotherFormatThanRequested) {
  auto doc = Parse(kTrivy, Format::kCycloneDx);
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().Detail("format"), "cyclonedx");
  EXPECT_NE(doc.error().message.find("expected a CycloneDX BOM but this is a Trivy report"),
            std::string::npos)
      << doc.error().message;
}

TEST(ParseErrors, TopLevelMustBeAnObject) {
  for (std::string_view bytes : {"[]", "[{\"bomFormat\": \"CycloneDX\"}]", "null", "1", "\"s\""}) {
    auto doc = Parse(bytes, Format::kCycloneDx);
    ASSERT_FALSE(doc.has_value()) << bytes;
    EXPECT_EQ(doc.error().code, ErrorCode::kInvalidArgument);
  }
  auto unknown = Parse(R"({"hello": "world"})");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().Detail("field"), "format");
}

TEST(ParseErrors, TrailingContentAndOversizedInput) {
  EXPECT_FALSE(Parse(R"({"matches": []} {"matches": []})").has_value());
  EXPECT_FALSE(Parse(R"({"matches": []} x)").has_value());
  EXPECT_TRUE(Parse("{\"matches\": []}\n\n").has_value());
  ParseOptions small;
  small.max_bytes = 8;
  auto big = Parse(R"({"matches": []})", std::nullopt, small);
  ASSERT_FALSE(big.has_value());
  EXPECT_NE(big.error().message.find("limit"), std::string::npos);
}

TEST(ParseErrors, TruncationAndTrailingContentSayWhatIsWrong) {
  for (std::string_view bytes : {R"({"SchemaVersion": 2, "Results": [)",
                                 R"({"SchemaVersion": 2, "Results": [{"Target":"x"},)",
                                 R"({"SchemaVersion": 2, "Results": [])"}) {
    auto doc = Parse(bytes);
    ASSERT_FALSE(doc.has_value()) << bytes;
    EXPECT_NE(doc.error().message.find("truncated"), std::string::npos) << doc.error().message;
  }
  auto trailing = Parse(R"({"SchemaVersion": 2, "Results": []} trailing)");
  ASSERT_FALSE(trailing.has_value());
  EXPECT_NE(trailing.error().message.find("unexpected content after the top-level value"),
            std::string::npos)
      << trailing.error().message;
  EXPECT_EQ(trailing.error().Detail("offset"), "36");
  auto second = Parse(R"({"matches": []} {"matches": []})");
  ASSERT_FALSE(second.has_value());
  EXPECT_NE(second.error().message.find("after the top-level value"), std::string::npos)
      << second.error().message;
}

TEST(ParseErrors, OldTrivyArraysAndSyftJsonAreNamed) {
  auto old = Parse(R"J([{"Target":"alpine:3.9 (alpine 3.9.4)","Vulnerabilities":null}])J");
  ASSERT_FALSE(old.has_value());
  EXPECT_NE(old.error().message.find("Trivy before v0.20"), std::string::npos)
      << old.error().message;
  auto syft = Parse(R"({"artifacts":[],"artifactRelationships":[],"source":{},"distro":{},
    "descriptor":{"name":"syft","version":"1.0.0"}})");
  ASSERT_FALSE(syft.has_value());
  EXPECT_NE(syft.error().message.find("Syft JSON"), std::string::npos) << syft.error().message;
  EXPECT_FALSE(DetectFormat(R"({"artifacts":[]})").has_value());
}

TEST(ParseJson, AUtf8ByteOrderMarkIsSkipped) {
  std::string with_bom = "\xEF\xBB\xBF" + std::string(kTrivy);
  auto doc = Parse(with_bom);
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  EXPECT_EQ(doc->format, Format::kTrivy);
  EXPECT_EQ(DetectFormat(with_bom).value(), Format::kTrivy);
  EXPECT_EQ(doc->findings, Parse(kTrivy)->findings);
}

TEST(ParseCycloneDx, MissingVersionBefore15IsAWarningAndBareVulnerabilitiesAreReported) {
  auto doc = Parse(R"({"bomFormat":"CycloneDX","specVersion":"1.4","components":[],
    "vulnerabilities":[{"id":"CVE-2011-3374","ratings":[{"severity":"low"}]}]})");
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  EXPECT_TRUE(doc->findings.empty());
  ASSERT_EQ(doc->warnings.size(), 2u);
  EXPECT_NE(doc->warnings[0].find("CVE-2011-3374 names no affected component"), std::string::npos);
  EXPECT_NE(doc->warnings[1].find("missing version"), std::string::npos);
}

// Every proper prefix of a document is an error (never a crash, never a partial document).
void ExpectEveryTruncationFails(const std::string& bytes, size_t stride) {
  size_t end = bytes.find_last_not_of(" \n\r\t");
  ASSERT_NE(end, std::string::npos);
  for (size_t n = 0; n <= end; n += stride) {
    auto doc = Parse(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(doc.has_value()) << "prefix of " << n << " bytes parsed";
    EXPECT_EQ(doc.error().code, ErrorCode::kInvalidArgument);
    EXPECT_FALSE(doc.error().Detail("field").empty());
  }
  EXPECT_TRUE(Parse(bytes).has_value());
}

TEST(BadInput, TruncatedAtEveryOffset) {
  ExpectEveryTruncationFails(std::string(kTrivy), 1);
  ExpectEveryTruncationFails(std::string(kCycloneDx), 1);
  const fs::path& root = Conformance();
  for (const char* file :
       {"scanners/trivy/trivy-integration_npm.json", "scanners/grype/defectdojo_fix_available.json",
        "sbom/real-world/cyclonedx/trivy_pom_cdx1.7.json",
        "sbom/real-world/spdx/trivy_conda-spdx.json",
        "sbom/real-world/cyclonedx/bom-examples_vex_cdx1.4.json"}) {
    SCOPED_TRACE(file);
    ExpectEveryTruncationFails(ReadFile(root / file), 7);
  }
}

TEST(BadInput, CorruptedBytesNeverCrash) {
  std::string original = ReadFile(Conformance() / "scanners/trivy/trivy-integration_npm.json");
  size_t failures = 0;
  for (size_t pos = 0; pos < original.size(); pos += 13) {
    for (char c : {'\0', '"', '}', ']', ',', '\\', 'x', '\xff'}) {
      std::string corrupted = original;
      corrupted[pos] = c;
      auto doc = Parse(corrupted);
      if (!doc) {
        ++failures;
        EXPECT_EQ(doc.error().code, ErrorCode::kInvalidArgument);
      }
    }
  }
  EXPECT_GT(failures, 0u);
}

TEST(BadInput, DeepNestingIsAnError) {
  std::string deep =
      R"({"SchemaVersion": 2, "Results": )" + std::string(5000, '[') + std::string(5000, ']') + "}";
  auto doc = Parse(deep);
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code, ErrorCode::kInvalidArgument);
}

TEST(BadInput, DeeplyNestedComponentsAreAnErrorNotAStackOverflow) {
  std::string bom = R"({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [)";
  constexpr int kLevels = 200;
  for (int i = 0; i < kLevels; ++i) {
    bom += R"({"type": "library", "name": "c", "components": [)";
  }
  for (int i = 0; i < kLevels; ++i) {
    bom += "]}";
  }
  bom += "]}";
  auto doc = Parse(bom);
  ASSERT_FALSE(doc.has_value());
  EXPECT_NE(doc.error().message.find("nested too deeply"), std::string::npos)
      << doc.error().message;
}

}  // namespace
}  // namespace qlrf::sbom
