// VulnService against real documents: every real-world SBOM imports with its component count;
// exports validate against the CycloneDX 1.6 and SPDX 2.3 JSON schemas and re-import to the same
// components; scanner reports store the severity counts their files hold.
#include "services/vulns/vuln_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "common/json.h"
#include "common/json_schema/json_schema.h"
#include "common/purl/purl.h"
#include "services/images/image_service.h"
#include "storage/identity_store.h"
#include "storage/migrations.h"
#include "storage/sqlite/sqlite_database.h"
#include "testing/fakes.h"

namespace qlrf::services {
namespace {

const std::string kConf = QLRF_CONFORMANCE_DIR;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Delegates to a real database; once armed, every other write transaction (the 1st, 3rd, …)
// fails its commit with Aborted (rolled back), as a serialization conflict would: each
// WithWrite's first attempt conflicts and its second one commits.
class ConflictingDatabase final : public storage::Database {
 public:
  explicit ConflictingDatabase(storage::Database& db) : db_(db) {}
  void ArmConflicts() { armed_ = true; }
  int conflicts() const { return conflicts_; }

  Result<std::unique_ptr<storage::Transaction>> Begin(storage::TxMode mode,
                                                      std::string_view org_id) override {
    QLRF_ASSIGN_OR_RETURN(auto tx, db_.Begin(mode, org_id));
    return Wrap(mode, std::move(tx));
  }
  Result<std::unique_ptr<storage::Transaction>> BeginSystem(storage::TxMode mode) override {
    QLRF_ASSIGN_OR_RETURN(auto tx, db_.BeginSystem(mode));
    return Wrap(mode, std::move(tx));
  }
  Status Ping() override { return db_.Ping(); }
  storage::Dialect dialect() const override { return db_.dialect(); }
  std::string_view backend_name() const override { return db_.backend_name(); }
  storage::PoolStats Stats() const override { return db_.Stats(); }

 private:
  class Tx final : public storage::Transaction {
   public:
    Tx(std::unique_ptr<storage::Transaction> inner, ConflictingDatabase* conflict)
        : inner_(std::move(inner)), conflict_(conflict) {}
    Result<storage::RowSet> Query(std::string_view sql, const storage::Params& p) override {
      return inner_->Query(sql, p);
    }
    Result<int64_t> Exec(std::string_view sql, const storage::Params& p) override {
      return inner_->Exec(sql, p);
    }
    Status ExecScript(std::string_view sql) override { return inner_->ExecScript(sql); }
    Status Commit() override {
      if (conflict_ != nullptr) {
        ++conflict_->conflicts_;
        inner_.reset();  // rolls back
        return Fail(Aborted("serialization conflict (injected)"));
      }
      return inner_->Commit();
    }
    storage::Dialect dialect() const override { return inner_->dialect(); }
    const std::string& org_id() const override { return inner_->org_id(); }

   private:
    std::unique_ptr<storage::Transaction> inner_;
    ConflictingDatabase* conflict_;
  };

  std::unique_ptr<storage::Transaction> Wrap(storage::TxMode mode,
                                             std::unique_ptr<storage::Transaction> tx) {
    bool conflict = armed_ && mode == storage::TxMode::kWrite && writes_++ % 2 == 0;
    return std::make_unique<Tx>(std::move(tx), conflict ? this : nullptr);
  }

  storage::Database& db_;
  bool armed_ = false;
  int writes_ = 0;
  int conflicts_ = 0;
};

class VulnServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(storage::Migrate(*db_, clock_.Now()));
    ASSERT_TRUE(storage::WithWrite(*db_, "", [&](storage::Transaction& tx) {
      return storage::IdentityStore::CreateOrg(
          tx, storage::Org{"org-1", "Org", "org", std::nullopt, "plan_only",
                           FormatTime(clock_.Now()), FormatTime(clock_.Now())});
    }));
    ctx_.principal = {PrincipalKind::kSystem, "test", "org-1", "org", "admin", "", "cli"};
  }

  std::string Image() {
    services::NewImage m;
    m.family = "f";
    m.version = "v" + std::to_string(++versions_);
    auto created = images_.CreateImage(ctx_, m);
    EXPECT_TRUE(created) << created.error().ToString();
    return created->id;
  }

  std::vector<storage::ComponentRow> Components(const std::string& image) {
    storage::PageRequest page;
    page.limit = 500;
    std::vector<storage::ComponentRow> all;
    for (;;) {
      auto p = vulns_.Components(ctx_, image, {}, page);
      EXPECT_TRUE(p);
      all.insert(all.end(), p->items.begin(), p->items.end());
      if (!p->next_cursor) break;
      page = *storage::DecodeCursor(*p->next_cursor, 500);
    }
    return all;
  }

  testing::FakeClock clock_;
  testing::FakeRandom random_{11};
  std::unique_ptr<storage::Database> db_ =
      std::move(*storage::SqliteDatabase::Open(storage::SqliteOptions{":memory:"}));
  Auditor auditor_{clock_, random_};
  ImageService images_{*db_, auditor_, clock_, random_};
  VulnService vulns_{*db_, auditor_, clock_, random_};
  RequestContext ctx_;
  int versions_ = 0;
};

// Components of a CycloneDX document, counted recursively.
size_t CountComponents(const boost::json::value& v) {
  size_t n = 0;
  if (const auto* comps = v.as_object().if_contains("components"); comps && comps->is_array()) {
    for (const auto& c : comps->as_array()) n += 1 + CountComponents(c);
  }
  return n;
}

TEST_F(VulnServiceTest, EveryRealWorldSbomImportsWithItsComponentCount) {
  int checked = 0;
  for (const char* sub : {"cyclonedx", "spdx"}) {
    for (const auto& e :
         std::filesystem::directory_iterator(kConf + "/sbom/real-world/" + std::string(sub))) {
      if (e.path().extension() != ".json") continue;
      std::string text = Slurp(e.path().string());
      auto doc = json::Parse(text);
      ASSERT_TRUE(doc);
      size_t want =
          std::string(sub) == "cyclonedx"
              ? CountComponents(*doc)
              : (doc->as_object().contains("packages") ? doc->at("packages").as_array().size() : 0);
      auto s = vulns_.Import(ctx_, Image(), text, std::nullopt);
      ASSERT_TRUE(s) << e.path() << ": " << s.error().ToString();
      EXPECT_EQ(static_cast<size_t>(s->components), want) << e.path();
      ++checked;
    }
  }
  EXPECT_GE(checked, 15);
}

TEST_F(VulnServiceTest, ExportsValidateAgainstTheirSchemasAndReimportToTheSameComponents) {
  std::string image = Image();
  std::string text =
      Slurp(kConf + "/sbom/real-world/cyclonedx/bom-examples_juice-shop-npm-flat_cdx1.4.json");
  auto s = vulns_.Import(ctx_, image, text, std::nullopt);
  ASSERT_TRUE(s) << s.error().ToString();
  ASSERT_EQ(s->components, 1115);
  auto original = Components(image);
  std::set<std::string> refs;
  for (const auto& c : original) refs.insert(c.ref);
  int64_t edges_between_components = 0;
  {
    auto doc = json::Parse(text);
    for (const auto& d : doc->at("dependencies").as_array()) {
      const auto* on = d.as_object().if_contains("dependsOn");
      if (!refs.count(std::string(d.at("ref").as_string())) || on == nullptr) continue;
      for (const auto& to : on->as_array()) {
        edges_between_components += refs.count(std::string(to.as_string())) ? 1 : 0;
      }
    }
  }

  const std::string schemas = kConf + "/sbom/cyclonedx-spec-tests/schema/";
  json_schema::SchemaRegistry registry;
  for (const char* f : {"spdx.schema.json", "jsf-0.82.schema.json"}) {
    registry.Add(std::string("http://cyclonedx.org/schema/") + f, *json::Parse(Slurp(schemas + f)));
  }
  json_schema::CompileOptions opts;
  opts.registry = &registry;
  auto cdx_schema =
      json_schema::Schema::Compile(*json::Parse(Slurp(schemas + "bom-1.6.schema.json")), opts);
  ASSERT_TRUE(cdx_schema) << cdx_schema.error().ToString();
  auto cdx = vulns_.ExportCycloneDx(ctx_, image);
  ASSERT_TRUE(cdx);
  auto result = cdx_schema->Validate(*cdx);
  EXPECT_TRUE(result.valid) << (result.errors.empty() ? ""
                                                      : result.errors[0].instance_location + ": " +
                                                            result.errors[0].message);

  auto spdx_schema =
      json_schema::Schema::Compile(*json::Parse(Slurp(kConf + "/sbom/spdx/spdx-2.3-schema.json")));
  ASSERT_TRUE(spdx_schema) << spdx_schema.error().ToString();
  auto spdx = vulns_.ExportSpdx(ctx_, image);
  ASSERT_TRUE(spdx);
  auto spdx_result = spdx_schema->Validate(*spdx);
  EXPECT_TRUE(spdx_result.valid) << (spdx_result.errors.empty()
                                         ? ""
                                         : spdx_result.errors[0].instance_location + ": " +
                                               spdx_result.errors[0].message);

  // Re-import both exports: the same (name, version, purl, licences, hashes) multiset.
  auto key = [](const storage::ComponentRow& c) {
    return c.name + "|" + c.version + "|" + c.purl + "|" + c.licenses_json + "|" + c.hashes_json;
  };
  // SPDX 2.3 has one licenseDeclared expression per package: several declared licences come
  // back as their conjunction.
  auto spdx_key = [&](storage::ComponentRow c) {
    auto list = json::Parse(c.licenses_json)->as_array();
    if (list.size() > 1) {
      std::string expr;
      for (const auto& l : list) {
        std::string one(l.as_string());
        if (one.find(' ') != std::string::npos) one = "(" + one + ")";
        expr += expr.empty() ? one : " AND " + one;
      }
      c.licenses_json = json::Serialize(boost::json::array{boost::json::string(expr)});
    }
    return key(c);
  };
  for (const auto* doc : {&*cdx, &*spdx}) {
    std::multiset<std::string> want;
    for (const auto& c : original) want.insert(doc == &*cdx ? key(c) : spdx_key(c));
    std::string copy = Image();
    auto again = vulns_.Import(ctx_, copy, json::Serialize(*doc), std::nullopt);
    ASSERT_TRUE(again) << again.error().ToString();
    std::multiset<std::string> got;
    for (const auto& c : Components(copy)) got.insert(key(c));
    const char* which = doc == &*cdx ? "cyclonedx" : "spdx";
    std::vector<std::string> missing, extra;
    std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                        std::back_inserter(missing));
    std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                        std::back_inserter(extra));
    EXPECT_TRUE(missing.empty() && extra.empty())
        << which << ": " << missing.size() << " missing, e.g. "
        << (missing.empty() ? "" : missing[0]) << "; " << extra.size() << " extra, e.g. "
        << (extra.empty() ? "" : extra[0]);
    // SPDX keeps the edges between packages; CycloneDX also those from the BOM's own
    // (metadata) component, which SPDX expresses as documentDescribes instead.
    EXPECT_EQ(again->dependencies, doc == &*cdx ? s->dependencies : edges_between_components)
        << which;
  }
}

// Severity counts of a Grype report computed from the file (the independent reference):
// one finding per (vulnerability, package, version).
std::map<std::string, int64_t> GrypeSeverities(const boost::json::value& doc) {
  std::map<std::string, int64_t> out;
  std::set<std::string> seen;
  for (const auto& m : doc.at("matches").as_array()) {
    const auto& v = m.at("vulnerability").as_object();
    const auto& a = m.at("artifact").as_object();
    auto str = [](const boost::json::object& o, const char* k) {
      const auto* x = o.if_contains(k);
      return x != nullptr && x->is_string() ? std::string(x->as_string()) : std::string();
    };
    std::string key = str(v, "id") + "|" + str(a, "name") + "|" + str(a, "version");
    if (!seen.insert(key).second) continue;
    std::string sev = str(v, "severity");
    // No rating of its own: the related record's (Grype matches a CPE, the GHSA rates it).
    if (const auto* rel = m.as_object().if_contains("relatedVulnerabilities");
        sev.empty() && rel != nullptr && rel->is_array()) {
      for (const auto& r : rel->as_array()) {
        if (sev.empty()) sev = str(r.as_object(), "severity");
      }
    }
    for (auto& c : sev) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (sev == "negligible") sev = "low";
    if (sev != "critical" && sev != "high" && sev != "medium" && sev != "low") sev = "unknown";
    ++out[sev];
  }
  return out;
}

TEST_F(VulnServiceTest, GrypeReportsStoreTheirFilesSeverityCounts) {
  int checked = 0;
  for (const auto& e : std::filesystem::directory_iterator(kConf + "/scanners/grype")) {
    if (e.path().extension() != ".json") continue;
    std::string text = Slurp(e.path().string());
    auto want = GrypeSeverities(*json::Parse(text));
    std::string image = Image();
    auto s = vulns_.Import(ctx_, image, text, std::nullopt);
    ASSERT_TRUE(s) << e.path() << ": " << s.error().ToString();
    for (const char* sev : {"critical", "high", "medium", "low", "unknown"}) {
      int64_t got = s->by_severity.count(sev) ? s->by_severity.at(sev) : 0;
      int64_t exp = want.count(sev) ? want.at(sev) : 0;
      EXPECT_EQ(got, exp) << e.path().filename() << " " << sev;
    }
    auto summary = vulns_.Summary(ctx_, image);
    ASSERT_TRUE(summary);
    int64_t total = 0;
    for (const auto& [k, n] : want) total += n;
    EXPECT_EQ(summary->open, total) << e.path().filename();
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

TEST_F(VulnServiceTest, ImportRunAgainAfterAConflictStoresEveryReportedFinding) {
  std::string text = Slurp(kConf + "/scanners/trivy/defectdojo_all_statuses.json");
  std::string plain = Image();
  auto want = vulns_.Import(ctx_, plain, text, std::nullopt);
  ASSERT_TRUE(want) << want.error().ToString();
  ASSERT_GT(want->findings, 0);

  ConflictingDatabase db(*db_);
  VulnService vulns(db, auditor_, clock_, random_);
  std::string retried = Image();
  db.ArmConflicts();
  auto got = vulns.Import(ctx_, retried, text, std::nullopt);
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_EQ(db.conflicts(), 1);
  EXPECT_EQ(got->new_findings, want->new_findings);
  EXPECT_EQ(vulns_.Summary(ctx_, retried)->open, vulns_.Summary(ctx_, plain)->open);
  EXPECT_EQ(Components(retried).size(), Components(plain).size());
}

TEST_F(VulnServiceTest, ReevaluationRunAgainAfterAConflictStoresEachNewFindingOnce) {
  constexpr std::string_view kBom = R"({"bomFormat": "CycloneDX", "specVersion": "1.4",
    "version": 1, "components": [{"type": "library", "bom-ref": "lp", "name": "left-pad",
    "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0"}]})";
  auto advisory = [](std::string_view id) {
    return R"({"id":")" + std::string(id) + R"(","modified":"2026-11-01T00:00:00Z",
      "summary":"s","affected":[{"package":{"ecosystem":"npm","name":"left-pad"},
      "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.3.1"}]}]}]})";
  };
  std::string a = Image();
  std::string b = Image();
  ASSERT_TRUE(vulns_.Import(ctx_, a, kBom, std::nullopt));
  ASSERT_TRUE(vulns_.Import(ctx_, b, kBom, std::nullopt));
  auto plain = vulns_.ImportFeed("osv", advisory("GHSA-test-0000-0001"));
  ASSERT_TRUE(plain) << plain.error().ToString();
  EXPECT_EQ(plain->new_findings, 2);

  ConflictingDatabase db(*db_);
  VulnService vulns(db, auditor_, clock_, random_);
  db.ArmConflicts();
  auto retried = vulns.ImportFeed("osv", advisory("GHSA-test-0000-0002"));
  ASSERT_TRUE(retried) << retried.error().ToString();
  EXPECT_GE(db.conflicts(), 2);  // the catalog write and the org's findings
  EXPECT_EQ(retried->new_findings, 2);
  EXPECT_EQ(retried->affected_packages, plain->affected_packages);
  for (const auto& image : {a, b}) {
    EXPECT_EQ(vulns_.Summary(ctx_, image)->open, 2) << image;
  }
}

TEST_F(VulnServiceTest, ReevaluationReopensAFixedFindingOfAComponentStillPresent) {
  auto bom = [](bool with_vulnerability) {
    std::string v = with_vulnerability ? R"(, "vulnerabilities": [{"id": "GHSA-test-0000-0003",
                              "affects": [{"ref": "lp"}]}])"
                                       : "";
    return R"({"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1,
      "components": [{"type": "library", "bom-ref": "lp", "name": "left-pad",
      "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0"}])" +
           v + "}";
  };
  std::string image = Image();
  ASSERT_TRUE(vulns_.Import(ctx_, image, bom(true), std::nullopt));
  auto fixed = vulns_.Import(ctx_, image, bom(false), std::nullopt);
  ASSERT_TRUE(fixed) << fixed.error().ToString();
  ASSERT_EQ(fixed->fixed, 1);
  ASSERT_EQ(vulns_.Summary(ctx_, image)->open, 0);

  ConflictingDatabase db(*db_);
  VulnService vulns(db, auditor_, clock_, random_);
  db.ArmConflicts();
  auto feed = vulns.ImportFeed("osv", R"({"id":"GHSA-test-0000-0003",
    "modified":"2026-11-01T00:00:00Z","summary":"s","affected":[{"package":{"ecosystem":"npm",
    "name":"left-pad"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},
    {"fixed":"1.3.1"}]}]}]})");
  ASSERT_TRUE(feed) << feed.error().ToString();
  EXPECT_EQ(feed->new_findings, 0);  // reopened, not new
  EXPECT_EQ(vulns_.Summary(ctx_, image)->open, 1);
}

// VEX that applies where users expect it to: a statement naming the CVE covers the finding a
// scanner or advisory reported under its GHSA alias; a purl without qualifiers covers Trivy's
// purl with them; statements made before an advisory arrives decide the findings it creates.
TEST(VexMatching, PurlCoversTheSamePackageWithFewerDetails) {
  const std::string trivy = "pkg:apk/alpine/openssl@1.1.1c-r0?arch=x86_64&distro=3.9.4";
  EXPECT_TRUE(PurlCovers(trivy, trivy));
  EXPECT_TRUE(PurlCovers("pkg:apk/alpine/openssl@1.1.1c-r0", trivy));
  EXPECT_TRUE(PurlCovers("pkg:apk/alpine/openssl", trivy));  // every version
  EXPECT_TRUE(PurlCovers("pkg:apk/alpine/openssl@1.1.1c-r0?arch=x86_64", trivy));
  EXPECT_TRUE(PurlCovers("pkg:APK/alpine/openssl@1.1.1c-r0", trivy));  // canonical forms compared
  EXPECT_FALSE(PurlCovers("pkg:apk/alpine/openssl@1.1.1d-r0", trivy));
  EXPECT_FALSE(PurlCovers("pkg:apk/alpine/openssl@1.1.1c-r0?arch=aarch64", trivy));
  EXPECT_FALSE(PurlCovers("pkg:apk/alpine/libssl@1.1.1c-r0", trivy));
  EXPECT_FALSE(PurlCovers("pkg:deb/alpine/openssl@1.1.1c-r0", trivy));
  EXPECT_FALSE(PurlCovers("pkg:apk/alpine/openssl@1.1.1c-r0", "pkg:apk/alpine/openssl"));
  EXPECT_FALSE(PurlCovers("not a purl", trivy));
  EXPECT_FALSE(PurlCovers("pkg:apk/alpine/openssl@1.1.1c-r0", "not a purl"));
}

TEST_F(VulnServiceTest, VexAppliesUnderAliasesQualifiersAndToLaterAdvisories) {
  std::string vex = R"({"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://x/vex/1",
    "author":"sec","timestamp":"2026-01-01T00:00:00Z","version":1,"statements":[
    {"vulnerability":{"name":"CVE-2099-0001"},"products":[{"@id":"pkg:npm/left-pad"}],
     "status":"not_affected","justification":"vulnerable_code_not_in_execute_path"},
    {"vulnerability":{"name":"CVE-2019-1549"},
     "products":[{"@id":"pkg:apk/alpine/openssl@1.1.1c-r0"}],
     "status":"not_affected","justification":"component_not_present"}]})";
  // 1. Trivy reports the openssl finding with a qualified purl; the VEX names it without.
  std::string scanned = Image();
  ASSERT_TRUE(vulns_.Import(ctx_, scanned, R"({"SchemaVersion":2,"ArtifactName":"a",
    "Results":[{"Target":"alpine 3.9","Class":"os-pkgs","Type":"alpine","Vulnerabilities":[
    {"VulnerabilityID":"CVE-2019-1549","PkgName":"openssl","InstalledVersion":"1.1.1c-r0",
     "PkgIdentifier":{"PURL":"pkg:apk/alpine/openssl@1.1.1c-r0?arch=x86_64&distro=3.9.4"},
     "Severity":"MEDIUM"}]}]})",
                            std::nullopt));
  ASSERT_EQ(vulns_.Summary(ctx_, scanned)->open, 1);
  auto applied = vulns_.Import(ctx_, scanned, vex, std::nullopt);
  ASSERT_TRUE(applied) << applied.error().ToString();
  EXPECT_EQ(vulns_.Summary(ctx_, scanned)->open, 0);
  EXPECT_EQ(vulns_.Summary(ctx_, scanned)->suppressed, 1);

  // 2. The VEX comes first, then the SBOM, then the advisory (a GHSA whose alias is the CVE the
  //    VEX names): the finding the advisory creates is born dismissed.
  std::string image = Image();
  ASSERT_TRUE(vulns_.Import(ctx_, image, vex, std::nullopt));
  ASSERT_TRUE(vulns_.Import(ctx_, image, R"({"bomFormat":"CycloneDX","specVersion":"1.5",
    "version":1,"components":[{"type":"library","bom-ref":"lp","name":"left-pad",
    "version":"1.3.0","purl":"pkg:npm/left-pad@1.3.0"}]})",
                            std::nullopt));
  auto feed = vulns_.ImportFeed("osv", R"({"id":"GHSA-test-0000-0099","aliases":["CVE-2099-0001"],
    "modified":"2026-11-01T00:00:00Z","summary":"s","affected":[{"package":{"ecosystem":"npm",
    "name":"left-pad"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},
    {"fixed":"1.3.1"}]}]}]})");
  ASSERT_TRUE(feed) << feed.error().ToString();
  EXPECT_EQ(feed->new_findings, 1);
  auto summary = vulns_.Summary(ctx_, image);
  EXPECT_EQ(summary->open, 0);
  EXPECT_EQ(summary->suppressed, 1);

  // 3. The same SBOM imported into an image without the VEX: the advisory's finding is open.
  std::string plain = Image();
  ASSERT_TRUE(vulns_.Import(ctx_, plain, R"({"bomFormat":"CycloneDX","specVersion":"1.5",
    "version":1,"components":[{"type":"library","bom-ref":"lp","name":"left-pad",
    "version":"1.3.0","purl":"pkg:npm/left-pad@1.3.0"}]})",
                            std::nullopt));
  EXPECT_EQ(vulns_.Summary(ctx_, plain)->open, 1);  // matched at import from the catalog
  EXPECT_EQ(vulns_.Summary(ctx_, plain)->suppressed, 0);
}

// The Go standard library as SBOM tools write it (pkg:golang/stdlib, no module path) matches
// OSV's Go advisories for "stdlib", whichever arrives first.
TEST_F(VulnServiceTest, GoStandardLibraryComponentsMatchStdlibAdvisories) {
  std::string advisory = R"({"id":"GO-2099-0001","modified":"2026-11-01T00:00:00Z",
    "summary":"net/http","affected":[{"package":{"ecosystem":"Go","name":"stdlib"},
    "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.21.5"}]}]}]})";
  auto bom = [](std::string_view version) {
    return std::string(R"({"bomFormat":"CycloneDX","specVersion":"1.5","version":1,
      "components":[{"type":"library","bom-ref":"go","name":"stdlib","version":")") +
           std::string(version) + R"(","purl":"pkg:golang/stdlib@)" + std::string(version) +
           R"("}]})";
  };
  std::string before = Image();
  auto imported = vulns_.Import(ctx_, before, bom("v1.21.0"), std::nullopt);
  ASSERT_TRUE(imported) << imported.error().ToString();
  EXPECT_TRUE(imported->warnings.empty());  // the purl is read, not dropped with a warning
  auto feed = vulns_.ImportFeed("osv", advisory);
  ASSERT_TRUE(feed) << feed.error().ToString();
  EXPECT_EQ(feed->new_findings, 1);  // re-evaluation found the stored component
  EXPECT_EQ(vulns_.Summary(ctx_, before)->open, 1);
  std::string after = Image();
  auto matched = vulns_.Import(ctx_, after, bom("1.21.0"), std::nullopt);
  ASSERT_TRUE(matched) << matched.error().ToString();
  EXPECT_EQ(matched->matched, 1);  // matched from the catalog at import
  std::string fixed = Image();
  auto clean = vulns_.Import(ctx_, fixed, bom("v1.21.5"), std::nullopt);
  ASSERT_TRUE(clean) << clean.error().ToString();
  EXPECT_EQ(clean->matched, 0);
}

TEST_F(VulnServiceTest, StoredLicencesAndHashesAreTheJsonBoostWrites) {
  // One component with plain text (the hand-built path), one whose licence needs escapes.
  constexpr std::string_view kBom =
      R"({"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1,
    "components": [
      {"type": "library", "bom-ref": "a", "name": "a", "version": "1.0.0",
       "purl": "pkg:npm/a@1.0.0", "licenses": [{"license": {"id": "MIT"}},
                                             {"license": {"name": "Apache 2"}}],
       "hashes": [{"alg": "SHA-256", "content":
                   "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"},
                  {"alg": "SHA-1", "content": "0BEEC7B5EA3F0FDBC95D0DD47F3C5BC275DA8A33"}]},
      {"type": "library", "bom-ref": "b", "name": "b", "version": "2.0.0",
       "licenses": [{"license": {"name": "say \"hi\" \\ \b\u0001 caf\u00e9"}}]}]})";
  std::string image = Image();
  auto s = vulns_.Import(ctx_, image, kBom, std::nullopt);
  ASSERT_TRUE(s) << s.error().ToString();
  auto components = Components(image);
  ASSERT_EQ(components.size(), 2u);
  boost::json::array a_licences{"MIT", "Apache 2"};
  boost::json::array a_hashes{
      {{"alg", "SHA-256"},
       {"content", "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"}},
      {{"alg", "SHA-1"}, {"content", "0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33"}}};
  EXPECT_EQ(components[0].licenses_json, json::Serialize(a_licences));
  EXPECT_EQ(components[0].hashes_json, json::Serialize(a_hashes));
  EXPECT_EQ(components[0].package, "npm/a");
  boost::json::array b_licences{"say \"hi\" \\ \b\x01 caf\xc3\xa9"};
  EXPECT_EQ(components[1].licenses_json, json::Serialize(b_licences));
  EXPECT_EQ(components[1].hashes_json, "[]");
  EXPECT_EQ(components[1].package, "");
}

TEST_F(VulnServiceTest, SbomRepeatingAComponentRefIsRejectedWithNothingStored) {
  constexpr std::string_view kSpdx = R"({
    "spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "doc",
    "dataLicense": "CC0-1.0", "documentNamespace": "https://example.com/doc",
    "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: x"]},
    "packages": [{"SPDXID": "SPDXRef-a", "name": "a", "versionInfo": "1.0"},
                 {"SPDXID": "SPDXRef-a", "name": "b", "versionInfo": "2.0"}]})";
  std::string image = Image();
  auto s = vulns_.Import(ctx_, image, kSpdx, std::nullopt);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kAlreadyExists) << s.error().ToString();
  EXPECT_TRUE(Components(image).empty());
  auto trend = vulns_.Trend(ctx_, image, 10);
  ASSERT_TRUE(trend);
  EXPECT_TRUE(trend->empty());
}

TEST(PackageKeyOfCanonical, AgreesWithParsingOnEveryCanonicalPurlOfTheSuite) {
  int checked = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(kConf + "/purl/tests")) {
    if (e.path().extension() != ".json") continue;
    auto doc = json::Parse(Slurp(e.path().string()));
    ASSERT_TRUE(doc) << e.path();
    const auto* tests = doc->as_object().if_contains("tests");
    if (tests == nullptr || !tests->is_array()) continue;
    for (const auto& t : tests->as_array()) {
      for (const char* field : {"input", "expected_output"}) {
        const auto* v = t.as_object().if_contains(field);
        if (v == nullptr || !v->is_string()) continue;
        auto canonical = purl::CanonicalizePurl(v->as_string());
        if (!canonical) continue;
        EXPECT_EQ(PackageKeyOfCanonical(*canonical), PackageKey(*canonical)) << *canonical;
        ++checked;
      }
    }
  }
  for (std::string_view p : {"pkg:npm/%40babel/core@7.0.0", "pkg:generic/a%2Fb@1#x/y",
                             "pkg:maven/org.Apache/Log4J@2?type=jar", "pkg:golang/github.com/A/b",
                             "pkg:npm/a%zz@1", "pkg:npm/", "notapurl", ""}) {
    EXPECT_EQ(PackageKeyOfCanonical(p), PackageKey(p)) << p;
  }
  std::printf("PackageKeyOfCanonical: %d canonical purls checked\n", checked);
  EXPECT_GE(checked, 100);
}

}  // namespace
}  // namespace qlrf::services
