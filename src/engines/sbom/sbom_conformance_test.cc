// SBOM conformance over ../shared/conformance/sbom: every CycloneDX spec example (valid parse,
// invalid rejected with a message), the SPDX examples, and the real-world SBOMs (component counts
// with nested components, dependency edges and purls computed independently from the file with
// Boost.JSON, VEX vulnerability -> bom-ref links).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/purl/purl.h"
#include "engines/sbom/sbom.h"
#include "testing/files.h"

namespace qlrf::sbom {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;

const fs::path& SbomDir() {
  static const fs::path kDir = fs::path(QLRF_CONFORMANCE_DIR) / "sbom";
  return kDir;
}

using ::qlrf::testing::ReadFile;

std::string Sanitize(std::string_view s) {
  std::string out;
  for (char c : s) {
    out += std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '_';
  }
  return out;
}

std::vector<fs::path> Files(const fs::path& dir, std::string_view prefix) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".json" && name.starts_with(prefix)) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Components of a CycloneDX list, nested ones included.
size_t CountComponents(const bj::value* list) {
  if (list == nullptr || !list->is_array()) {
    return 0;
  }
  size_t n = 0;
  for (const bj::value& c : list->get_array()) {
    n += 1 + CountComponents(c.as_object().if_contains("components"));
  }
  return n;
}

// ---- CycloneDX specification examples -----------------------------------------------------------

// Invalid examples whose rule this importer does not check, with the reason. Keep short.
const std::map<std::string, std::string>& OutOfScope() {
  static const std::map<std::string, std::string> kOut = {};
  return kOut;
}

struct CdxCase {
  fs::path path;
  bool valid;
};

std::vector<CdxCase> CdxCases() {
  std::vector<CdxCase> out;
  for (std::string version : {"1.4", "1.5", "1.6", "1.7"}) {
    fs::path dir = SbomDir() / "cyclonedx-spec-tests" / version;
    for (const fs::path& p : Files(dir, "valid-")) {
      out.push_back({p, true});
    }
    for (const fs::path& p : Files(dir, "invalid-")) {
      out.push_back({p, false});
    }
  }
  return out;
}

class CycloneDxSpec : public ::testing::TestWithParam<CdxCase> {};

TEST_P(CycloneDxSpec, ValidParsesInvalidIsRejected) {
  const CdxCase& c = GetParam();
  std::string name = c.path.filename().string();
  auto doc = Parse(ReadFile(c.path), Format::kCycloneDx);
  if (c.valid) {
    ASSERT_TRUE(doc.has_value()) << name << ": " << doc.error().ToString();
    EXPECT_EQ(doc->format, Format::kCycloneDx);
    // Independent counts: components (nested ones included), dependency edges, affects entries.
    auto json = json::Parse(ReadFile(c.path));
    ASSERT_TRUE(json.has_value());
    const bj::object& root = json->as_object();
    EXPECT_EQ(doc->components.size(), CountComponents(root.if_contains("components")));
    size_t edges = 0;
    if (const bj::value* deps = root.if_contains("dependencies")) {
      for (const bj::value& d : deps->as_array()) {
        if (const bj::value* on = d.as_object().if_contains("dependsOn")) {
          edges += on->as_array().size();
        }
      }
    }
    EXPECT_EQ(doc->dependencies.size(), edges);
    size_t affects = 0;
    if (const bj::value* vulns = root.if_contains("vulnerabilities")) {
      for (const bj::value& v : vulns->as_array()) {
        if (const bj::value* a = v.as_object().if_contains("affects")) {
          affects += a->as_array().size();
        }
      }
    }
    EXPECT_EQ(doc->findings.size(), affects);
    return;
  }
  if (auto it = OutOfScope().find(name); it != OutOfScope().end()) {
    GTEST_SKIP() << it->second;
  }
  ASSERT_FALSE(doc.has_value()) << name << " was accepted";
  EXPECT_EQ(doc.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(doc.error().message.empty());
  EXPECT_EQ(doc.error().Detail("format"), "cyclonedx");
  EXPECT_FALSE(doc.error().Detail("field").empty());
  // Non-strict mode accepts what only schema rules reject (but still not another format).
  if (name.find("bomformat") == std::string::npos) {
    ParseOptions lax;
    lax.strict = false;
    auto lenient = Parse(ReadFile(c.path), Format::kCycloneDx, lax);
    EXPECT_TRUE(lenient.has_value()) << name << ": " << lenient.error().ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, CycloneDxSpec, ::testing::ValuesIn(CdxCases()),
                         [](const ::testing::TestParamInfo<CdxCase>& param) {
                           return Sanitize(param.param.path.parent_path().filename().string() +
                                           "_" + param.param.path.stem().string());
                         });

TEST(CycloneDxSpecCounts, AllExamplesPresent) {
  size_t valid = 0;
  size_t invalid = 0;
  for (const CdxCase& c : CdxCases()) {
    (c.valid ? valid : invalid) += 1;
  }
  // MANIFEST.md: 29+36+45+61 valid, 22+22+25+29 invalid.
  EXPECT_EQ(valid, 171u);
  EXPECT_EQ(invalid, 98u);
  std::printf("CycloneDX spec examples: %zu valid, %zu invalid (%zu out of scope)\n", valid,
              invalid, OutOfScope().size());
}

// ---- SPDX examples
// -------------------------------------------------------------------------------

TEST(SpdxExamples, ValidFilesParse) {
  auto files = Files(SbomDir() / "spdx" / "valid", "");
  ASSERT_EQ(files.size(), 5u);
  for (const fs::path& p : files) {
    auto doc = Parse(ReadFile(p));
    ASSERT_TRUE(doc.has_value()) << p.filename() << ": " << doc.error().ToString();
    EXPECT_EQ(doc->format, Format::kSpdx);
    auto json = json::Parse(ReadFile(p));
    ASSERT_TRUE(json.has_value());
    EXPECT_EQ(doc->components.size(), json->at("packages").as_array().size()) << p.filename();
    EXPECT_EQ(doc->spec_version, std::string(json->at("spdxVersion").as_string()));
  }
}

TEST(SpdxExamples, InvalidFilesAreRejected) {
  auto files = Files(SbomDir() / "spdx" / "invalid", "");
  ASSERT_EQ(files.size(), 3u);
  for (const fs::path& p : files) {
    auto doc = Parse(ReadFile(p), Format::kSpdx);
    ASSERT_FALSE(doc.has_value()) << p.filename() << " was accepted";
    EXPECT_EQ(doc.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(doc.error().Detail("format"), "spdx");
    std::printf("%s: %s\n", p.filename().c_str(), doc.error().message.c_str());
  }
}

TEST(SpdxExamples, WrongVersionIsNamed) {
  auto doc = Parse(ReadFile(SbomDir() / "spdx/invalid/tools-java_SPDXWrongVersion.spdx.json"));
  ASSERT_FALSE(doc.has_value());
  EXPECT_NE(doc.error().message.find("SPDX-2.2.1 is not supported"), std::string::npos)
      << doc.error().message;
  EXPECT_EQ(doc.error().Detail("field"), "/spdxVersion");
}

TEST(SpdxExamples, V23FieldInA22DocumentIsNamed) {
  auto doc =
      Parse(ReadFile(SbomDir() / "spdx/invalid/tools-java_SPDXJSONExample-wrongversion.spdx.json"));
  ASSERT_FALSE(doc.has_value());
  EXPECT_NE(doc.error().message.find("SPDX 2.3 field"), std::string::npos) << doc.error().message;
  EXPECT_TRUE(doc.error().Detail("field").starts_with("/packages/")) << doc.error().ToString();
}

// ---- Real-world SBOMs
// ----------------------------------------------------------------------------

void CollectPurls(const bj::value* list, std::vector<std::pair<std::string, std::string>>& out) {
  if (list == nullptr || !list->is_array()) {
    return;
  }
  for (const bj::value& c : list->get_array()) {
    const bj::object& o = c.as_object();
    if (const bj::value* purl = o.if_contains("purl"); purl != nullptr && purl->is_string()) {
      const bj::value* ref = o.if_contains("bom-ref");
      out.emplace_back(ref != nullptr ? std::string(ref->as_string()) : std::string(),
                       std::string(purl->as_string()));
    }
    CollectPurls(o.if_contains("components"), out);
  }
}

struct RealWorld {
  std::string file;
  size_t components;
  size_t dependency_entries;  // MANIFEST "deps" column: dependencies[] / relationships[] entries
  size_t vulnerabilities;
};

class RealWorldSbom : public ::testing::TestWithParam<RealWorld> {};

TEST_P(RealWorldSbom, CountsEdgesAndPurlsMatchTheFile) {
  const RealWorld& want = GetParam();
  std::string bytes = ReadFile(SbomDir() / "real-world" / want.file);
  auto doc = Parse(bytes);
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  auto json = json::Parse(bytes);
  ASSERT_TRUE(json.has_value());
  const bj::object& root = json->as_object();
  EXPECT_EQ(doc->components.size(), want.components);
  if (doc->format == Format::kCycloneDx) {
    EXPECT_EQ(CountComponents(root.if_contains("components")), want.components);
    size_t entries = 0;
    std::vector<Dependency> edges;
    if (const bj::value* deps = root.if_contains("dependencies")) {
      for (const bj::value& d : deps->as_array()) {
        ++entries;
        std::string from(d.at("ref").as_string());
        if (const bj::value* on = d.as_object().if_contains("dependsOn")) {
          for (const bj::value& to : on->as_array()) {
            edges.push_back({from, std::string(to.as_string())});
          }
        }
      }
    }
    EXPECT_EQ(entries, want.dependency_entries);
    EXPECT_EQ(doc->dependencies, edges);
    size_t vulns = 0;
    if (const bj::value* v = root.if_contains("vulnerabilities")) {
      vulns = v->as_array().size();
    }
    EXPECT_EQ(vulns, want.vulnerabilities);
    std::vector<std::pair<std::string, std::string>> purls;
    CollectPurls(root.if_contains("components"), purls);
    std::map<std::string, const Component*> by_ref;
    for (const Component& c : doc->components) {
      by_ref[c.ref] = &c;
    }
    for (const auto& [ref, raw] : purls) {
      auto canonical = purl::CanonicalizePurl(raw);
      ASSERT_TRUE(by_ref.contains(ref)) << ref;
      // A purl the purl module rejects (e.g. pkg:golang without namespace) is dropped.
      EXPECT_EQ(by_ref[ref]->purl, canonical ? *canonical : std::string()) << ref;
    }
  } else {
    const bj::array& rels = root.at("relationships").as_array();
    EXPECT_EQ(rels.size(), want.dependency_entries);
    std::vector<Dependency> edges;
    for (const bj::value& r : rels) {
      std::string type(r.at("relationshipType").as_string());
      if (type == "DEPENDS_ON" || type == "CONTAINS" || type == "DESCRIBES") {
        edges.push_back({std::string(r.at("spdxElementId").as_string()),
                         std::string(r.at("relatedSpdxElement").as_string())});
      }
    }
    EXPECT_EQ(doc->dependencies, edges);
    for (const bj::value& p : root.at("packages").as_array()) {
      const bj::value* refs = p.as_object().if_contains("externalRefs");
      if (refs == nullptr) {
        continue;
      }
      for (const bj::value& r : refs->as_array()) {
        if (r.at("referenceType").as_string() != "purl") {
          continue;
        }
        auto canonical = purl::CanonicalizePurl(std::string(r.at("referenceLocator").as_string()));
        ASSERT_TRUE(canonical.has_value());
        auto it = std::find_if(
            doc->components.begin(), doc->components.end(),
            [&](const Component& c) { return c.ref == std::string(p.at("SPDXID").as_string()); });
        ASSERT_NE(it, doc->components.end());
        EXPECT_EQ(it->purl, *canonical);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Manifest, RealWorldSbom,
    ::testing::Values(
        RealWorld{"cyclonedx/bom-examples_cern-lhc-vdm-editor_cdx1.2.json", 43, 0, 0},
        RealWorld{"cyclonedx/bom-examples_laravel-7.12.0_cdx1.4.json", 62, 63, 0},
        RealWorld{"cyclonedx/bom-examples_proton-bridge-v1.8.0_cdx1.2.json", 201, 202, 0},
        RealWorld{"cyclonedx/bom-examples_keycloak-10.0.2_cdx1.2.json", 903, 899, 0},
        RealWorld{"cyclonedx/bom-examples_juice-shop-npm-flat_cdx1.4.json", 1115, 1116, 0},
        RealWorld{"cyclonedx/bom-examples_vex-bom_cdx1.3.json", 3, 0, 0},
        RealWorld{"cyclonedx/bom-examples_vex_cdx1.4.json", 0, 0, 1},
        RealWorld{"cyclonedx/bom-examples_cisa-vex-case2.json", 0, 0, 19},
        RealWorld{"cyclonedx/trivy_npm_cdx1.7.json", 13, 14, 1},
        RealWorld{"cyclonedx/trivy_pom_cdx1.7.json", 3, 4, 2},
        RealWorld{"cyclonedx/trivy_fluentd-multiple-lockfiles_cdx1.7.json", 161, 162, 0},
        RealWorld{"cyclonedx/trivy_centos-7_cdx1.5.json", 3, 2, 0},
        RealWorld{"cyclonedx/trivy_kbom-kubernetes_cdx1.5.json", 17, 18, 0},
        RealWorld{"spdx/trivy_conda-spdx.json", 3, 5, 0},
        RealWorld{"spdx/trivy_julia-spdx.json", 5, 5, 0},
        RealWorld{"spdx/trivy_centos-7-spdx.json", 4, 4, 0},
        RealWorld{"spdx/trivy_happy-bom-spdx-2.2.json", 12, 12, 0}),
    [](const ::testing::TestParamInfo<RealWorld>& param) {
      return Sanitize(fs::path(param.param.file).stem().string());
    });

// VEX: every vulnerabilities[].affects[].ref of a document with analysis is one statement.
void ExpectVexLinks(const std::string& file) {
  std::string bytes = ReadFile(SbomDir() / "real-world" / file);
  auto doc = Parse(bytes);
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  auto json = json::Parse(bytes);
  ASSERT_TRUE(json.has_value());
  std::vector<std::pair<std::string, std::string>> want;
  std::vector<std::pair<std::string, std::string>> want_findings;
  for (const bj::value& v : json->at("vulnerabilities").as_array()) {
    std::string id(v.at("id").as_string());
    bool analysis = v.as_object().contains("analysis");
    for (const bj::value& a : v.at("affects").as_array()) {
      std::string ref(a.at("ref").as_string());
      want_findings.emplace_back(id, ref);
      if (analysis) {
        want.emplace_back(id, ref);
      }
    }
  }
  std::vector<std::pair<std::string, std::string>> got;
  for (const VexStatement& s : doc->vex) {
    got.emplace_back(s.vulnerability_id, s.component_ref);
  }
  EXPECT_EQ(got, want);
  std::vector<std::pair<std::string, std::string>> got_findings;
  for (const Finding& f : doc->findings) {
    got_findings.emplace_back(f.id, f.component_ref);
  }
  EXPECT_EQ(got_findings, want_findings);
}

TEST(CycloneDxVex, SeparateVexLinksVulnerabilityToBomRefUrn) {
  ExpectVexLinks("cyclonedx/bom-examples_vex_cdx1.4.json");
  auto doc = Parse(ReadFile(SbomDir() / "real-world/cyclonedx/bom-examples_vex_cdx1.4.json"));
  ASSERT_TRUE(doc.has_value());
  ASSERT_EQ(doc->vex.size(), 1u);
  EXPECT_TRUE(doc->vex[0].component_ref.starts_with("urn:cdx:")) << doc->vex[0].component_ref;
}

TEST(CycloneDxVex, CisaCase2LinksEveryVulnerability) {
  ExpectVexLinks("cyclonedx/bom-examples_cisa-vex-case2.json");
}

TEST(CycloneDxVex, TrivyBomFindingsNameTheirComponent) {
  ExpectVexLinks("cyclonedx/trivy_pom_cdx1.7.json");
  auto doc = Parse(ReadFile(SbomDir() / "real-world/cyclonedx/trivy_npm_cdx1.7.json"));
  ASSERT_TRUE(doc.has_value());
  ASSERT_EQ(doc->findings.size(), 1u);
  EXPECT_FALSE(doc->findings[0].package_name.empty());
  EXPECT_FALSE(doc->findings[0].installed_version.empty());
}

}  // namespace
}  // namespace qlrf::sbom
