// Scanner-report conformance over ../shared/conformance/scanners: for every Trivy and Grype report
// the finding counts by severity from Parse() equal those computed independently from the file
// with Boost.JSON (one finding per vulnerability id and package, as Finding documents), plus
// field-by-field checks of a few findings, the cluster reports and the skipped misconfigurations.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/json.h"
#include "engines/sbom/sbom.h"
#include "testing/files.h"

namespace qlrf::sbom {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;

const fs::path& ScannersDir() {
  static const fs::path kDir = fs::path(QLRF_CONFORMANCE_DIR) / "scanners";
  return kDir;
}

using ::qlrf::testing::ReadFile;

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) {
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Index in the array below: unknown, none, low, medium, high, critical.
size_t SeverityIndex(std::string_view name) {
  std::string s = Lower(name);
  if (s == "critical") {
    return 5;
  }
  if (s == "high") {
    return 4;
  }
  if (s == "medium") {
    return 3;
  }
  if (s == "low" || s == "negligible") {
    return 2;
  }
  if (s == "none") {
    return 1;
  }
  return 0;
}

using Counts = std::array<size_t, 6>;

std::string StringAt(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

void CountTrivyResults(const bj::value* results, std::set<std::string>& seen, Counts& counts) {
  if (results == nullptr || !results->is_array()) {
    return;
  }
  for (const bj::value& r : results->get_array()) {
    const bj::value* vulns = r.as_object().if_contains("Vulnerabilities");
    if (vulns == nullptr || !vulns->is_array()) {
      continue;
    }
    for (const bj::value& v : vulns->get_array()) {
      const bj::object& o = v.as_object();
      std::string package;
      if (const bj::value* id = o.if_contains("PkgIdentifier"); id != nullptr && id->is_object()) {
        package = StringAt(id->get_object(), "UID");
      }
      if (package.empty()) {
        package = StringAt(o, "PkgID");
      }
      if (package.empty()) {
        package = StringAt(o, "PkgName") + "@" + StringAt(o, "InstalledVersion");
      }
      if (seen.insert(StringAt(o, "VulnerabilityID") + '\0' + package).second) {
        ++counts[SeverityIndex(StringAt(o, "Severity"))];
      }
    }
  }
}

Counts IndependentTrivyCounts(const bj::object& root) {
  Counts counts{};
  std::set<std::string> seen;
  CountTrivyResults(root.if_contains("Results"), seen, counts);
  for (std::string_view list : {"Resources", "Vulnerabilities", "Misconfigurations"}) {
    if (const bj::value* resources = root.if_contains(list); resources && resources->is_array()) {
      for (const bj::value& resource : resources->get_array()) {
        CountTrivyResults(resource.as_object().if_contains("Results"), seen, counts);
      }
    }
  }
  return counts;
}

Counts IndependentGrypeCounts(const bj::object& root) {
  Counts counts{};
  std::set<std::string> seen;
  for (const bj::value& m : root.at("matches").as_array()) {
    const bj::object& vuln = m.at("vulnerability").as_object();
    const bj::object& artifact = m.at("artifact").as_object();
    std::string package = StringAt(artifact, "id");
    if (package.empty()) {
      package = StringAt(artifact, "purl");
    }
    if (package.empty()) {
      package = StringAt(artifact, "name") + "@" + StringAt(artifact, "version");
    }
    if (seen.insert(StringAt(vuln, "id") + '\0' + package).second) {
      ++counts[SeverityIndex(StringAt(vuln, "severity"))];
    }
  }
  return counts;
}

Counts ParsedCounts(const Document& doc) {
  Counts counts{};
  for (const Finding& f : doc.findings) {
    ++counts[static_cast<size_t>(f.severity)];
  }
  return counts;
}

std::vector<fs::path> Reports() {
  std::vector<fs::path> out;
  for (std::string_view dir : {"trivy", "grype"}) {
    for (const auto& entry : fs::directory_iterator(ScannersDir() / dir)) {
      if (entry.path().extension() == ".json") {
        out.push_back(entry.path());
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class ScannerReport : public ::testing::TestWithParam<fs::path> {};

TEST_P(ScannerReport, SeverityCountsMatchTheFile) {
  const fs::path& path = GetParam();
  std::string bytes = ReadFile(path);
  bool trivy = path.parent_path().filename() == "trivy";
  auto doc = Parse(bytes);
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->format, trivy ? Format::kTrivy : Format::kGrype);
  auto json = json::Parse(bytes);
  ASSERT_TRUE(json.has_value());
  Counts want =
      trivy ? IndependentTrivyCounts(json->as_object()) : IndependentGrypeCounts(json->as_object());
  EXPECT_EQ(ParsedCounts(*doc), want);
  // Every finding names a component of the document.
  std::set<std::string> refs;
  for (const Component& c : doc->components) {
    EXPECT_TRUE(refs.insert(c.ref).second) << "duplicate component ref " << c.ref;
  }
  for (const Finding& f : doc->findings) {
    EXPECT_TRUE(refs.contains(f.component_ref)) << f.id << " on " << f.component_ref;
    EXPECT_FALSE(f.id.empty());
  }
  // Asking for the other scanner's format is an error naming both.
  auto wrong = Parse(bytes, trivy ? Format::kGrype : Format::kTrivy);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_NE(wrong.error().message.find(trivy ? "Trivy" : "Grype"), std::string::npos);
  std::printf("%s: %zu findings (c/h/m/l/n/u %zu/%zu/%zu/%zu/%zu/%zu), %zu components\n",
              path.filename().c_str(), doc->findings.size(), want[5], want[4], want[3], want[2],
              want[1], want[0], doc->components.size());
}

INSTANTIATE_TEST_SUITE_P(Reports, ScannerReport, ::testing::ValuesIn(Reports()),
                         [](const ::testing::TestParamInfo<fs::path>& param) {
                           std::string out = param.param.parent_path().filename().string() + "_" +
                                             param.param.stem().string();
                           std::replace_if(
                               out.begin(), out.end(),
                               [](char c) {
                                 return std::isalnum(static_cast<unsigned char>(c)) == 0;
                               },
                               '_');
                           return out;
                         });

TEST(ScannerReports, AllTwentyEightArePresent) { EXPECT_EQ(Reports().size(), 28u); }

const Finding* FindFinding(const Document& doc, std::string_view id, std::string_view package) {
  for (const Finding& f : doc.findings) {
    if (f.id == id && f.package_name == package) {
      return &f;
    }
  }
  return nullptr;
}

TEST(TrivyReport, NpmFindingCarriesPackageVersionsAndNvdScore) {
  auto doc = Parse(ReadFile(ScannersDir() / "trivy/trivy-integration_npm.json"));
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->spec_version, "2");
  ASSERT_EQ(doc->findings.size(), 1u);
  const Finding& f = doc->findings[0];
  EXPECT_EQ(f.id, "CVE-2019-11358");
  EXPECT_EQ(f.package_name, "jquery");
  EXPECT_EQ(f.installed_version, "3.3.9");
  EXPECT_EQ(f.fixed_version, "3.4.0");
  EXPECT_EQ(f.severity, Severity::kMedium);
  EXPECT_EQ(f.fix_state, "fixed");
  EXPECT_EQ(f.cvss_vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N");
  ASSERT_TRUE(f.cvss_score.has_value());
  EXPECT_DOUBLE_EQ(*f.cvss_score, 6.1);
  EXPECT_EQ(f.cwes, std::vector<std::string>{"CWE-79"});
  // Packages list: 12 packages, with the vulnerable one among them (no synthesised extra).
  EXPECT_EQ(doc->components.size(), 12u);
  auto jquery = std::find_if(doc->components.begin(), doc->components.end(),
                             [&](const Component& c) { return c.ref == f.component_ref; });
  ASSERT_NE(jquery, doc->components.end());
  EXPECT_EQ(jquery->purl, "pkg:npm/jquery@3.3.9");
  EXPECT_EQ(jquery->ecosystem, "npm");
}

TEST(TrivyReport, OsPackagesKeepDistroAndVersions) {
  auto doc = Parse(ReadFile(ScannersDir() / "trivy/trivy-integration_alpine-39.json"));
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->os_family, "alpine");
  EXPECT_EQ(doc->os_version, "3.9.4");
  EXPECT_EQ(doc->findings.size(), 6u);
  for (const Finding& f : doc->findings) {
    EXPECT_FALSE(f.installed_version.empty()) << f.id;
    EXPECT_FALSE(f.package_name.empty()) << f.id;
  }
  auto centos = Parse(ReadFile(ScannersDir() / "trivy/trivy-integration_centos-7.json"));
  ASSERT_TRUE(centos.has_value());
  EXPECT_EQ(centos->findings.size(), 3u);
  EXPECT_EQ(centos->os_family, "centos");
}

TEST(TrivyReport, AllStatusesAreKept) {
  auto doc = Parse(ReadFile(ScannersDir() / "trivy/defectdojo_all_statuses.json"));
  ASSERT_TRUE(doc.has_value());
  std::set<std::string> states;
  for (const Finding& f : doc->findings) {
    states.insert(f.fix_state);
  }
  for (const char* s : {"fixed", "affected", "will_not_fix", "fix_deferred", "end_of_life"}) {
    EXPECT_TRUE(states.contains(s)) << s;
  }
}

TEST(TrivyReport, MisconfigurationsAndSecretsAreSkippedWithAWarning) {
  auto doc = Parse(ReadFile(ScannersDir() / "trivy/defectdojo_misconfigurations_and_secrets.json"));
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->findings.size(), 2u);
  bool misconf = false;
  bool secret = false;
  for (const std::string& w : doc->warnings) {
    misconf = misconf || w.find("misconfiguration") != std::string::npos;
    secret = secret || w.find("secret") != std::string::npos;
  }
  EXPECT_TRUE(misconf);
  EXPECT_TRUE(secret);
  auto helm = Parse(ReadFile(ScannersDir() / "trivy/trivy-integration_helm.json"));
  ASSERT_TRUE(helm.has_value());
  EXPECT_TRUE(helm->findings.empty());
  ASSERT_FALSE(helm->warnings.empty());
  EXPECT_NE(helm->warnings[0].find("18 misconfiguration"), std::string::npos) << helm->warnings[0];
}

TEST(TrivyReport, EmptyReportHasNoFindings) {
  auto doc = Parse(ReadFile(ScannersDir() / "trivy/defectdojo_scheme_2_no_vuln.json"));
  ASSERT_TRUE(doc.has_value());
  EXPECT_TRUE(doc->findings.empty());
}

TEST(TrivyReport, CvssV4OnlyVectorsAreUsed) {
  auto doc = Parse(ReadFile(ScannersDir() / "trivy/defectdojo_cvssv4_severity_source.json"));
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->findings.size(), 3u);
  for (const Finding& f : doc->findings) {
    EXPECT_FALSE(f.data_source.empty()) << f.id;
  }
}

TEST(TrivyClusterReport, LegacyShapeReadsEveryResource) {
  auto doc = Parse(ReadFile(ScannersDir() / "trivy/defectdojo_kubernetes.json"));
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->format, Format::kTrivy);
  EXPECT_EQ(doc->spec_version, "k8s");
  EXPECT_EQ(doc->subject, "arn:aws:eks:us-east-1:576036489467:cluster/monitoring-test-cluster");
  EXPECT_FALSE(doc->findings.empty());
  const Finding* apt = FindFinding(*doc, "CVE-2020-27350", "apt");
  ASSERT_NE(apt, nullptr);
  EXPECT_EQ(apt->installed_version, "1.8.2.1");
  EXPECT_EQ(apt->fixed_version, "1.8.2.2");
  EXPECT_EQ(apt->aliases, std::vector<std::string>{"DSA-4808-1"});
}

TEST(TrivyClusterReport, ResourcesShapeReadsEveryResource) {
  auto doc = Parse(ReadFile(ScannersDir() / "trivy/defectdojo_issue_10991.json"));
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->spec_version, "k8s");
  // 13 resources, all of class "config": 37 misconfigurations and no vulnerability.
  EXPECT_TRUE(doc->findings.empty());
  ASSERT_FALSE(doc->warnings.empty());
  EXPECT_NE(doc->warnings[0].find("37 misconfiguration"), std::string::npos) << doc->warnings[0];
}

TEST(GrypeReport, OldShapeFieldsAreRead) {
  auto doc = Parse(ReadFile(ScannersDir() / "grype/defectdojo_many_vulns3.json"));
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->tool, "grype 0.7.0");
  EXPECT_EQ(doc->os_family, "debian");
  EXPECT_EQ(doc->os_version, "10");
  const Finding* bash = FindFinding(*doc, "CVE-2019-18276", "bash");
  ASSERT_NE(bash, nullptr);
  EXPECT_EQ(bash->installed_version, "5.0-4");
  EXPECT_EQ(bash->severity, Severity::kLow);  // Negligible
  ASSERT_TRUE(bash->cvss_score.has_value());
  EXPECT_DOUBLE_EQ(*bash->cvss_score, 7.2);
  EXPECT_EQ(bash->cvss_vector, "AV:L/AC:L/Au:N/C:C/I:C/A:C");
  size_t fixed = 0;
  for (const Finding& f : doc->findings) {
    fixed += f.fixed_version.empty() ? 0 : 1;
  }
  EXPECT_EQ(fixed, 28u);  // fixedInVersion on 28 matches
}

TEST(GrypeReport, NewShapeFieldsAreRead) {
  auto doc = Parse(ReadFile(ScannersDir() / "grype/grype-snapshot_TestJsonImgsPresenter.json"));
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  const Finding* f = FindFinding(*doc, "CVE-1999-0001", "package-1");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->installed_version, "1.1.1");
  EXPECT_EQ(f->fixed_version, "1.2.1, 2.1.3, 3.4.0");
  EXPECT_EQ(f->fix_state, "fixed");
  EXPECT_EQ(f->severity, Severity::kLow);
  ASSERT_TRUE(f->epss.has_value());
  EXPECT_DOUBLE_EQ(*f->epss, 0.03);
  ASSERT_TRUE(f->cvss_score.has_value());
  EXPECT_DOUBLE_EQ(*f->cvss_score, 8.2);
  EXPECT_EQ(f->component_ref, "a246fd2054833c93");
}

TEST(GrypeReport, RelatedVulnerabilitiesBecomeAliasesAndFillTheScore) {
  auto doc = Parse(ReadFile(ScannersDir() / "grype/defectdojo_issue_9618.json"));
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->os_family, "redhat");
  size_t with_score = 0;
  for (const Finding& f : doc->findings) {
    with_score += f.cvss_score ? 1 : 0;
    for (const std::string& alias : f.aliases) {
      EXPECT_NE(alias, f.id);
    }
  }
  EXPECT_GT(with_score, 0u);
  auto avahi = std::find_if(doc->components.begin(), doc->components.end(),
                            [](const Component& c) { return c.name == "avahi-libs"; });
  ASSERT_NE(avahi, doc->components.end());
  EXPECT_EQ(avahi->ecosystem, "rpm");
  EXPECT_EQ(avahi->licenses, std::vector<std::string>{"LGPLv2+"});
}

TEST(GrypeReport, SameCveOnTheSamePackageAtTwoPathsIsOneFinding) {
  auto doc = Parse(ReadFile(ScannersDir() / "grype/defectdojo_same_cve_different_paths.json"));
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->findings.size(), 1u);
  EXPECT_FALSE(doc->warnings.empty());
}

TEST(GrypeReport, EmptyReportHasNoFindings) {
  for (const char* file :
       {"grype/grype-snapshot_TestEmptyJsonPresenter.json", "grype/defectdojo_no_vuln.json"}) {
    auto doc = Parse(ReadFile(ScannersDir() / file));
    ASSERT_TRUE(doc.has_value()) << file;
    EXPECT_TRUE(doc->findings.empty()) << file;
  }
}

}  // namespace
}  // namespace qlrf::sbom
