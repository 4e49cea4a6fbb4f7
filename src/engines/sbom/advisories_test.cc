// Feed parsers over ../shared/conformance/vulnfeeds (KEV, NVD pages, OSV records) and a small
// EPSS fixture, and OSV range evaluation (Affects) on real advisories and hand-written ranges.
#include "engines/sbom/advisories.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/cvss/cvss.h"
#include "common/json.h"
#include "testing/files.h"

namespace qlrf::sbom {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;

const fs::path& FeedsDir() {
  static const fs::path kDir = fs::path(QLRF_CONFORMANCE_DIR) / "vulnfeeds";
  return kDir;
}

using ::qlrf::testing::ReadFile;

std::vector<fs::path> JsonFiles(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".json" &&
        entry.path().filename().string().find("schema") == std::string::npos) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---- KEV ---------------------------------------------------------------------------------------

TEST(Kev, CatalogHas1404UniqueEntriesWithLog4Shell) {
  auto kev = ParseKev(ReadFile(FeedsDir() / "kev/known_exploited_vulnerabilities.json"));
  ASSERT_TRUE(kev.has_value()) << kev.error().ToString();
  EXPECT_EQ(kev->catalog_version, "2025.08.25");
  ASSERT_EQ(kev->entries.size(), 1404u);
  std::set<std::string> ids;
  for (const KevEntry& e : kev->entries) {
    EXPECT_TRUE(ids.insert(e.cve_id).second) << e.cve_id;
  }
  auto log4shell = std::find_if(kev->entries.begin(), kev->entries.end(),
                                [](const KevEntry& e) { return e.cve_id == "CVE-2021-44228"; });
  ASSERT_NE(log4shell, kev->entries.end());
  EXPECT_EQ(log4shell->vendor, "Apache");
  EXPECT_EQ(log4shell->product, "Log4j2");
  EXPECT_TRUE(log4shell->known_ransomware);
  EXPECT_EQ(log4shell->date_added, "2021-12-10");
  EXPECT_FALSE(log4shell->cwes.empty());
}

TEST(Kev, OtherDocumentsAreRejected) {
  auto wrong = ParseKev(R"({"title": "x"})");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidArgument);
  auto no_id = ParseKev(R"({"vulnerabilities": [{"product": "x"}]})");
  ASSERT_FALSE(no_id.has_value());
  EXPECT_EQ(no_id.error().Detail("field"), "/vulnerabilities/0");
  EXPECT_FALSE(ParseKev(R"([1,2])").has_value());
}

// ---- EPSS --------------------------------------------------------------------------------------

TEST(Epss, ParsesCommentHeaderAndRows) {
  constexpr std::string_view kCsv =
      "#model_version:v2023.03.01,score_date:2024-05-01T00:00:00+0000\n"
      "cve,epss,percentile\n"
      "CVE-2021-44228,0.97565,0.99996\r\n"
      "CVE-1999-0001,0.01,0.5\n"
      "\n";
  auto file = ParseEpssCsv(kCsv);
  ASSERT_TRUE(file.has_value()) << file.error().ToString();
  EXPECT_EQ(file->model_version, "v2023.03.01");
  EXPECT_EQ(file->score_date, "2024-05-01T00:00:00+0000");
  ASSERT_EQ(file->scores.size(), 2u);
  EXPECT_EQ(file->scores[0].cve_id, "CVE-2021-44228");
  EXPECT_DOUBLE_EQ(file->scores[0].epss, 0.97565);
  EXPECT_DOUBLE_EQ(file->scores[0].percentile, 0.99996);
  EXPECT_EQ(file->scores[1].cve_id, "CVE-1999-0001");
}

TEST(Epss, HeaderWithoutCommentIsEnough) {
  auto file = ParseEpssCsv("cve,epss,percentile\nCVE-1,0,1\n");
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->scores.size(), 1u);
}

TEST(Epss, BadRowsNameTheirLine) {
  for (std::string_view csv :
       {"cve,epss,percentile\nCVE-1,x,0.1\n", "cve,epss,percentile\nCVE-1,1.5,0.1\n",
        "cve,epss,percentile\nCVE-1,0.1\n", "cve,epss,percentile\n,0.1,0.1\n",
        "cve,epss,percentile\nCVE-1,0.1,0.2,0.3\n"}) {
    auto file = ParseEpssCsv(csv);
    ASSERT_FALSE(file.has_value()) << csv;
    EXPECT_EQ(file.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(file.error().Detail("field"), "line 2") << csv;
  }
  EXPECT_FALSE(ParseEpssCsv("").has_value());
  EXPECT_FALSE(ParseEpssCsv("id,score\n").has_value());
}

// ---- NVD ---------------------------------------------------------------------------------------

// Every v3.x (vector, score) pair of an NVD response, read independently with Boost.JSON.
void CollectV3(const bj::value& v, std::vector<std::pair<std::string, double>>& out) {
  if (v.is_object()) {
    const bj::object& o = v.get_object();
    if (const bj::value* vector = o.if_contains("vectorString");
        vector != nullptr && vector->is_string() && o.contains("baseScore") &&
        vector->get_string().starts_with("CVSS:3.")) {
      out.emplace_back(std::string(vector->get_string()), o.at("baseScore").to_number<double>());
    }
    for (const auto& [key, value] : o) {
      CollectV3(value, out);
    }
  } else if (v.is_array()) {
    for (const bj::value& item : v.get_array()) {
      CollectV3(item, out);
    }
  }
}

TEST(Nvd, EveryPageParsesAndEveryV3ScoreMatchesTheCalculator) {
  size_t files = 0;
  size_t vectors = 0;
  size_t advisories = 0;
  for (const fs::path& p : JsonFiles(FeedsDir() / "nvd")) {
    std::string bytes = ReadFile(p);
    auto page = ParseNvd(bytes);
    ASSERT_TRUE(page.has_value()) << p.filename() << ": " << page.error().ToString();
    ++files;
    auto json = json::Parse(bytes);
    ASSERT_TRUE(json.has_value());
    EXPECT_EQ(page->advisories.size(), json->at("vulnerabilities").as_array().size());
    EXPECT_EQ(page->total_results, json->at("totalResults").to_number<int64_t>());
    advisories += page->advisories.size();
    std::vector<std::pair<std::string, double>> pairs;
    CollectV3(*json, pairs);
    for (const auto& [vector, score] : pairs) {
      auto scores = cvss::ScoreCvss(vector);
      ASSERT_TRUE(scores.has_value()) << vector;
      EXPECT_DOUBLE_EQ(scores->base, score) << p.filename() << " " << vector;
      ++vectors;
    }
    for (const Advisory& a : page->advisories) {
      EXPECT_TRUE(a.id.starts_with("CVE-")) << a.id;
      if (a.cvss_vector.starts_with("CVSS:3.")) {
        ASSERT_TRUE(a.cvss_score.has_value());
        EXPECT_DOUBLE_EQ(*a.cvss_score, cvss::ScoreCvss(a.cvss_vector)->base) << a.id;
      }
    }
  }
  EXPECT_EQ(files, 25u);
  std::printf("NVD: %zu files, %zu CVEs, %zu v3.x vectors scored\n", files, advisories, vectors);
}

TEST(Nvd, PageFieldsAndBestMetric) {
  auto page = ParseNvd(ReadFile(FeedsDir() / "nvd/nvd-go_nvd-api-2.0_cves-page-200.json"));
  ASSERT_TRUE(page.has_value()) << page.error().ToString();
  EXPECT_EQ(page->results_per_page, 200);
  EXPECT_EQ(page->total_results, 220499);
  EXPECT_EQ(page->advisories.size(), 200u);
  auto xz = ParseNvd(ReadFile(FeedsDir() / "nvd/osvdev_nvd-api-2.0_CVE-2024-3094.json"));
  ASSERT_TRUE(xz.has_value()) << xz.error().ToString();
  ASSERT_EQ(xz->advisories.size(), 1u);
  const Advisory& a = xz->advisories[0];
  EXPECT_EQ(a.id, "CVE-2024-3094");
  EXPECT_TRUE(a.cvss_vector.starts_with("CVSS:3.1/")) << a.cvss_vector;
  ASSERT_TRUE(a.cvss_score.has_value());
  EXPECT_DOUBLE_EQ(*a.cvss_score, 10.0);
  EXPECT_EQ(a.severity, "CRITICAL");
  EXPECT_FALSE(a.description.empty());
  EXPECT_FALSE(a.cpes.empty());
  EXPECT_FALSE(a.cwes.empty());
}

TEST(Nvd, OtherDocumentsAreRejected) {
  auto kev = ParseNvd(R"({"catalogVersion": "1", "count": 0})");
  ASSERT_FALSE(kev.has_value());
  EXPECT_EQ(kev.error().Detail("format"), "nvd");
  auto mistyped = ParseNvd(R"({"vulnerabilities": [{"cve": {"id": 5}}]})");
  ASSERT_FALSE(mistyped.has_value());
  EXPECT_EQ(mistyped.error().Detail("field"), "/vulnerabilities/0/cve/id");
}

// ---- OSV ---------------------------------------------------------------------------------------

TEST(Osv, EveryValidRecordParses) {
  size_t n = 0;
  for (const fs::path& p : JsonFiles(FeedsDir() / "osv/valid")) {
    std::string bytes = ReadFile(p);
    auto advisories = ParseOsv(bytes);
    ASSERT_TRUE(advisories.has_value()) << p.filename() << ": " << advisories.error().ToString();
    ASSERT_EQ(advisories->size(), 1u);
    auto json = json::Parse(bytes);
    ASSERT_TRUE(json.has_value());
    const Advisory& a = (*advisories)[0];
    EXPECT_EQ(a.id, std::string(json->at("id").as_string()));
    size_t affected = 0;
    if (const bj::value* list = json->as_object().if_contains("affected")) {
      affected = list->as_array().size();
    }
    EXPECT_EQ(a.affected.size(), affected) << p.filename();
    ++n;
  }
  EXPECT_EQ(n, 19u);
}

TEST(Osv, ArraysAndQueryResponsesCarrySeveralRecords) {
  std::string a = ReadFile(FeedsDir() / "osv/valid/GHSA-jfh8-c2jp-5v3q.json");
  std::string b = ReadFile(FeedsDir() / "osv/valid/GO-2020-0001.json");
  auto array = ParseOsv("[" + a + "," + b + "]");
  ASSERT_TRUE(array.has_value()) << array.error().ToString();
  ASSERT_EQ(array->size(), 2u);
  EXPECT_EQ((*array)[1].id, "GO-2020-0001");
  auto query = ParseOsv(R"({"vulns": [)" + a + "," + b + R"(], "next_page_token": "x"})");
  ASSERT_TRUE(query.has_value()) << query.error().ToString();
  ASSERT_EQ(query->size(), 2u);
  EXPECT_EQ((*query)[0].id, "GHSA-jfh8-c2jp-5v3q");
}

TEST(Osv, Log4ShellFieldsAreMapped) {
  auto advisories = ParseOsv(ReadFile(FeedsDir() / "osv/valid/GHSA-jfh8-c2jp-5v3q.json"));
  ASSERT_TRUE(advisories.has_value());
  const Advisory& a = (*advisories)[0];
  EXPECT_EQ(a.aliases, std::vector<std::string>{"CVE-2021-44228"});
  EXPECT_EQ(a.severity, "CRITICAL");
  ASSERT_TRUE(a.cvss_score.has_value());
  EXPECT_DOUBLE_EQ(*a.cvss_score, 10.0);
  ASSERT_EQ(a.affected.size(), 3u);
  EXPECT_EQ(a.affected[0].ecosystem, "Maven");
  EXPECT_EQ(a.affected[0].name, "org.apache.logging.log4j:log4j-core");
  EXPECT_FALSE(a.cwes.empty());
}

TEST(Osv, WithdrawnIsKept) {
  auto advisories = ParseOsv(ReadFile(FeedsDir() / "osv/valid/GHSA-35c4-f3rq-f9g3.json"));
  ASSERT_TRUE(advisories.has_value());
  EXPECT_FALSE((*advisories)[0].withdrawn.empty());
}

TEST(Osv, LintFindingsParseExceptTheSchemaViolation) {
  for (const fs::path& p : JsonFiles(FeedsDir() / "osv/lint-findings")) {
    auto advisories = ParseOsv(ReadFile(p));
    if (p.filename() == "nointroduced-CVE-2023-41045.json") {
      // A range without an "introduced" event also fails the OSV JSON schema.
      ASSERT_FALSE(advisories.has_value());
      EXPECT_NE(advisories.error().message.find("introduced"), std::string::npos);
      EXPECT_TRUE(advisories.error().Detail("field").starts_with("/affected/"));
    } else {
      // The others are lint findings (no/empty affected, duplicates, unknown package) that the
      // schema allows.
      EXPECT_TRUE(advisories.has_value()) << p.filename() << ": " << advisories.error().ToString();
    }
  }
}

TEST(Osv, StructuralViolationsAreRejected) {
  EXPECT_FALSE(ParseOsv(R"({"modified": "2024-01-01T00:00:00Z"})").has_value());  // no id
  EXPECT_FALSE(ParseOsv(R"({"id": "X-1"})").has_value());                         // no modified
  auto bad_event = ParseOsv(
      R"({"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},
          "ranges":[{"type":"SEMVER","events":[{"introduced":"0","fixed":"1.0.0"}]}]}]})");
  ASSERT_FALSE(bad_event.has_value());
  EXPECT_EQ(bad_event.error().Detail("field"), "/affected/0/ranges/0/events/0");
  auto bad_type = ParseOsv(
      R"({"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"ranges":[{"type":"SVN","events":[{"introduced":"0"}]}]}]})");
  EXPECT_FALSE(bad_type.has_value());
  EXPECT_FALSE(ParseOsv("42").has_value());
}

// ---- Affects -----------------------------------------------------------------------------------

OsvAffected Load(const std::string& file, size_t index) {
  auto advisories = ParseOsv(ReadFile(FeedsDir() / "osv/valid" / file));
  QLRF_CHECK(advisories.has_value() && !advisories->empty(), "conformance OSV parses");
  QLRF_CHECK((*advisories)[0].affected.size() > index, "index in range");
  return (*advisories)[0].affected[index];
}

bool IsAffected(const OsvAffected& affected, std::string_view version) {
  auto result = Affects(affected, version);
  QLRF_CHECK(result.has_value(), "test versions parse");
  return *result;
}

TEST(Affects, Log4ShellMavenRanges) {
  auto advisories = ParseOsv(ReadFile(FeedsDir() / "osv/valid/GHSA-jfh8-c2jp-5v3q.json"));
  ASSERT_TRUE(advisories.has_value());
  auto any = [&](std::string_view version) {
    for (const OsvAffected& a : (*advisories)[0].affected) {
      if (IsAffected(a, version)) {
        return true;
      }
    }
    return false;
  };
  for (const char* v : {"2.0-beta9", "2.0", "2.3", "2.4", "2.12.1", "2.13.0", "2.14.1"}) {
    EXPECT_TRUE(any(v)) << v;
  }
  for (const char* v : {"2.3.1", "2.12.2", "2.15.0", "2.17.1", "3.0.0"}) {
    EXPECT_FALSE(any(v)) << v;
  }
}

TEST(Affects, DebianRange) {
  OsvAffected nginx = Load("DSA-3029-1.json", 0);
  EXPECT_TRUE(IsAffected(nginx, "1.2.1-2.2+wheezy2"));
  EXPECT_TRUE(IsAffected(nginx, "1.2.1-2.2"));
  EXPECT_FALSE(IsAffected(nginx, "1.2.1-2.2+wheezy3"));
  EXPECT_FALSE(IsAffected(nginx, "1.2.1-2.2+wheezy4"));
  EXPECT_FALSE(IsAffected(nginx, "1:1.0"));  // epoch 1 sorts after every epoch-0 version
}

TEST(Affects, AlpineRange) {
  OsvAffected mariadb = Load("CVE-2022-27449.json", 0);
  EXPECT_EQ(mariadb.ecosystem, "Alpine:v3.12");
  EXPECT_TRUE(IsAffected(mariadb, "10.4.24-r0"));
  EXPECT_TRUE(IsAffected(mariadb, "10.4.25_rc1-r0"));
  EXPECT_FALSE(IsAffected(mariadb, "10.4.25-r0"));
  EXPECT_FALSE(IsAffected(mariadb, "10.4.25-r1"));
}

TEST(Affects, PyPIRangeAndExplicitVersions) {
  OsvAffected requests = Load("PYSEC-2023-74.json", 0);
  EXPECT_TRUE(IsAffected(requests, "2.30.0"));
  EXPECT_TRUE(IsAffected(requests, "2.3.0"));
  EXPECT_FALSE(IsAffected(requests, "2.31.0"));
  EXPECT_FALSE(IsAffected(requests, "2.2.1"));  // GIT range ignored; ECOSYSTEM starts at 2.3.0
  OsvAffected gradio = Load("GHSA-9v2f-6vcg-3hgv.json", 0);
  EXPECT_TRUE(IsAffected(gradio, "4.36.1"));
  EXPECT_FALSE(IsAffected(gradio, "4.36.2"));
  OsvAffected malicious = Load("MAL-2024-10238.json", 0);
  EXPECT_TRUE(IsAffected(malicious, "0.0.1"));
  EXPECT_FALSE(IsAffected(malicious, "0.0.2"));
}

TEST(Affects, NpmRangesEcosystemAndSemver) {
  OsvAffected lodash = Load("GHSA-35jh-r3h4-6jhm.json", 0);
  EXPECT_TRUE(IsAffected(lodash, "4.17.20"));
  EXPECT_FALSE(IsAffected(lodash, "4.17.21"));
  OsvAffected jquery = Load("GHSA-mhpp-875w-9cpv.json", 0);
  EXPECT_FALSE(IsAffected(jquery, "2.1.0"));
  EXPECT_TRUE(IsAffected(jquery, "2.1.1"));
  EXPECT_TRUE(IsAffected(jquery, "2.2.4"));
  EXPECT_FALSE(IsAffected(jquery, "3.0.0"));
}

TEST(Affects, GoRangesWithPrereleaseIntroduced) {
  OsvAffected stdlib = Load("GO-2022-1144.json", 0);
  EXPECT_TRUE(IsAffected(stdlib, "1.18.8"));
  EXPECT_FALSE(IsAffected(stdlib, "1.18.9"));
  EXPECT_TRUE(IsAffected(stdlib, "1.19.0"));
  EXPECT_TRUE(IsAffected(stdlib, "1.19.3"));
  EXPECT_FALSE(IsAffected(stdlib, "1.19.4"));
  OsvAffected gin = Load("GO-2020-0001.json", 0);
  EXPECT_TRUE(IsAffected(gin, "v1.5.0"));
  EXPECT_FALSE(IsAffected(gin, "v1.6.0"));
}

TEST(Affects, RedHatRpmRangeWithEpoch) {
  OsvAffected git_lfs = Load("RHSA-2024_4546.json", 0);
  EXPECT_TRUE(IsAffected(git_lfs, "2.13.3-3.el8_6"));
  EXPECT_FALSE(IsAffected(git_lfs, "0:2.13.3-3.el8_6.1"));
  EXPECT_FALSE(IsAffected(git_lfs, "2.13.3-3.el8_6.2"));
}

TEST(Affects, UnsortedEventsAreSortedFirst) {
  OsvAffected xwiki = Load("GHSA-76mp-659p-rw65.json", 0);  // ranges listed newest first
  EXPECT_TRUE(IsAffected(xwiki, "12.10.1"));
  EXPECT_FALSE(IsAffected(xwiki, "12.10.2"));
  EXPECT_FALSE(IsAffected(xwiki, "12.7"));
  EXPECT_TRUE(IsAffected(xwiki, "12.6.6"));
  EXPECT_TRUE(IsAffected(xwiki, "11.10.12"));
  EXPECT_FALSE(IsAffected(xwiki, "11.6"));
}

TEST(Affects, LastAffectedIncludesItsVersion) {
  OsvAffected a;
  a.ecosystem = "PyPI";
  a.name = "x";
  a.ranges.push_back({"ECOSYSTEM", {{.introduced = "1.0"}, {.last_affected = "1.4.2"}}});
  EXPECT_FALSE(IsAffected(a, "0.9"));
  EXPECT_TRUE(IsAffected(a, "1.0"));
  EXPECT_TRUE(IsAffected(a, "1.4.2"));
  EXPECT_FALSE(IsAffected(a, "1.4.3"));
}

TEST(Affects, LimitCapsTheRange) {
  OsvAffected a;
  a.ecosystem = "npm";
  a.ranges.push_back({"SEMVER", {{.introduced = "0"}, {.limit = "2.0.0"}}});
  EXPECT_TRUE(IsAffected(a, "1.9.9"));
  EXPECT_FALSE(IsAffected(a, "2.0.0"));
}

TEST(Affects, OpenEndedIntroducedAffectsEverythingAfter) {
  OsvAffected linux_kernel = Load("UBUNTU-CVE-2025-38094.json", 0);
  EXPECT_TRUE(IsAffected(linux_kernel, "3.13.0-170.220"));
}

TEST(Affects, GitRangesAloneAffectNothing) {
  OsvAffected a;
  a.ecosystem = "PyPI";
  a.ranges.push_back({"GIT", {{.introduced = "0"}, {.fixed = "abc"}}});
  EXPECT_FALSE(IsAffected(a, "1.0"));
}

TEST(Affects, UnknownEcosystemOrBadVersionIsAnError) {
  OsvAffected a;
  a.ecosystem = "OSS-Fuzz";
  auto unknown = Affects(a, "1.0");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  a.ecosystem = "npm";
  auto bad = Affects(a, "not a version");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().Detail("field"), "version");
  EXPECT_FALSE(Affects(a, "").has_value());
}

}  // namespace
}  // namespace qlrf::sbom
