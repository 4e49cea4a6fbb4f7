// bench/import: end-to-end SBOM / scanner-report import into SQLite against simdjson's raw parse
// of the same bytes, measured in the same run; 10,000 components into SQLite; re-evaluation of
// 10,000 stored SBOMs against one new OSV advisory. Prints figures and ratios.
// Usage: import_bench CONFORMANCE_DIR [ROUNDS] [ONLY]; ONLY (trivy, grype, cyclonedx, xml, reeval)
// runs one part, e.g. under perf.
#include <expat.h>
#include <simdjson.h>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "common/clock.h"
#include "common/json.h"
#include "common/random.h"
#include "engines/sbom/cyclonedx_xml_writer.h"
#include "engines/sbom/sbom.h"
#include "services/audit/auditor.h"
#include "services/context.h"
#include "services/images/image_service.h"
#include "services/vulns/vuln_service.h"
#include "storage/identity_store.h"
#include "storage/migrations.h"
#include "storage/sqlite/sqlite_database.h"

namespace {

using namespace qlrf;
using Steady = std::chrono::steady_clock;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Best-of-`rounds` wall time of fn, in seconds.
double Best(int rounds, const std::function<void()>& fn) {
  double best = 1e9;
  for (int i = 0; i < rounds; ++i) {
    auto t0 = Steady::now();
    fn();
    best = std::min(best, std::chrono::duration<double>(Steady::now() - t0).count());
  }
  return best;
}

// simdjson On-Demand visiting every value: the floor any JSON importer is compared with.
size_t VisitAll(simdjson::ondemand::value v) {
  size_t n = 1;
  switch (v.type()) {
    case simdjson::ondemand::json_type::object:
      for (auto field : v.get_object()) {
        (void)field.unescaped_key();
        n += VisitAll(field.value());
      }
      break;
    case simdjson::ondemand::json_type::array:
      for (auto e : v.get_array()) n += VisitAll(e.value());
      break;
    case simdjson::ondemand::json_type::string:
      (void)v.get_string();
      break;
    case simdjson::ondemand::json_type::number:
      (void)v.get_double();
      break;
    case simdjson::ondemand::json_type::boolean:
      (void)v.get_bool();
      break;
    case simdjson::ondemand::json_type::null:
      (void)v.is_null();
      break;
  }
  return n;
}

double RawParseSeconds(const std::string& bytes, int rounds) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(bytes);
  size_t sink = 0;
  double t = Best(rounds, [&] {
    auto doc = parser.iterate(padded);
    sink += VisitAll(doc.get_value().value());
  });
  if (sink == 0) std::printf("(empty)\n");
  return t;
}

// expat over the same bytes with no handlers: the floor of any XML importer.
double RawXmlSeconds(const std::string& bytes, int rounds) {
  return Best(rounds, [&] {
    XML_Parser p = XML_ParserCreateNS(nullptr, ' ');
    if (XML_Parse(p, bytes.data(), static_cast<int>(bytes.size()), XML_TRUE) != XML_STATUS_OK) {
      std::printf("(raw XML parse failed)\n");
    }
    XML_ParserFree(p);
  });
}

// A CycloneDX BOM of `n` components made from a real one: its components repeated with
// distinct bom-refs, names and versions, and a dependency edge per component.
std::string SynthesizeBom(const std::string& real, size_t n) {
  auto doc = *json::Parse(real);
  const auto& src = doc.at("components").as_array();
  boost::json::array comps;
  boost::json::array deps;
  for (size_t i = 0; i < n; ++i) {
    boost::json::object c = src[i % src.size()].as_object();
    std::string suffix = "-" + std::to_string(i / src.size());
    std::string name(c.at("name").as_string());
    c["name"] = name + suffix;
    c["bom-ref"] = "ref-" + std::to_string(i);
    if (c.contains("purl")) {
      std::string version(c.contains("version") ? c.at("version").as_string() : "1.0.0");
      c["purl"] = "pkg:npm/" + name + suffix + "@" + version;
    }
    comps.push_back(std::move(c));
    if (i > 0) {
      deps.push_back({{"ref", "ref-" + std::to_string(i - 1)},
                      {"dependsOn", boost::json::array{"ref-" + std::to_string(i)}}});
    }
  }
  boost::json::object bom{{"bomFormat", "CycloneDX"},
                          {"specVersion", "1.4"},
                          {"version", 1},
                          {"components", std::move(comps)},
                          {"dependencies", std::move(deps)}};
  return json::Serialize(bom);
}

struct Env {
  SystemClock clock;
  SystemRandom random;
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<services::Auditor> auditor;
  std::unique_ptr<services::ImageService> images;
  std::unique_ptr<services::VulnService> vulns;
  services::RequestContext ctx;
  int next_version = 0;

  explicit Env(const std::string& dir) {
    storage::SqliteOptions o;
    o.path = dir + "/bench.db";
    db = std::move(*storage::SqliteDatabase::Open(o));
    (void)storage::Migrate(*db, clock.Now());
    auditor = std::make_unique<services::Auditor>(clock, random);
    images = std::make_unique<services::ImageService>(*db, *auditor, clock, random);
    vulns = std::make_unique<services::VulnService>(*db, *auditor, clock, random);
    std::string org = NewUuid(random);
    (void)storage::WithWrite(*db, "", [&](storage::Transaction& tx) {
      return storage::IdentityStore::CreateOrg(
          tx, storage::Org{org, "Bench", "bench", std::nullopt, "plan_only",
                           FormatTime(clock.Now()), FormatTime(clock.Now())});
    });
    ctx.request_id = "bench";
    ctx.principal = {services::PrincipalKind::kSystem, "bench", org, "bench", "admin", "", "cli"};
  }
  std::string NewImage() {
    services::NewImage m;
    m.family = "bench";
    m.version = "v" + std::to_string(++next_version);
    return images->CreateImage(ctx, m)->id;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(
        stderr,
        "usage: import_bench CONFORMANCE_DIR [ROUNDS] [trivy|grype|cyclonedx|xml|reeval]\n");
    return 2;
  }
  std::string conf = argv[1];
  int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  std::string only = argc > 3 ? argv[3] : "";
  auto selected = [&](std::string_view name) { return only.empty() || name.rfind(only, 0) == 0; };
  auto dir =
      std::filesystem::temp_directory_path() / ("qlrf-import-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Env env(dir.string());

  // The largest Trivy report of the conformance set, the largest Grype report, and a 10,000-
  // component CycloneDX BOM made from the real juice-shop BOM.
  std::string trivy_path, grype_path = conf + "/scanners/grype/defectdojo_many_vulns3.json";
  uintmax_t best_size = 0;
  for (const auto& e : std::filesystem::directory_iterator(conf + "/scanners/trivy")) {
    std::string name = e.path().filename().string();
    if (name.rfind("trivy-integration_", 0) != 0 && name.rfind("defectdojo_", 0) != 0) continue;
    auto text = Slurp(e.path().string());
    if (text.find("\"SchemaVersion\"") == std::string::npos ||
        text.find("\"VulnerabilityID\"") == std::string::npos) {
      continue;
    }
    if (e.file_size() > best_size) {
      best_size = e.file_size();
      trivy_path = e.path().string();
    }
  }
  std::string bom10k = SynthesizeBom(
      Slurp(conf + "/sbom/real-world/cyclonedx/bom-examples_juice-shop-npm-flat_cdx1.4.json"),
      10000);
  struct Case {
    std::string name;
    std::string bytes;
  };
  std::vector<Case> cases = {
      {"trivy " + std::filesystem::path(trivy_path).filename().string(), Slurp(trivy_path)},
      {"grype defectdojo_many_vulns3.json", Slurp(grype_path)},
      {"cyclonedx 10,000 components", bom10k}};
  std::printf("%-40s %10s %12s %12s %10s\n", "document", "bytes", "raw parse", "import", "ratio");
  bool ok = true;
  for (const auto& c : cases) {
    if (!selected(c.name)) {
      continue;
    }
    double raw = RawParseSeconds(c.bytes, rounds * 4);
    double parse = Best(rounds * 2, [&] {
      auto d = sbom::Parse(c.bytes);
      if (!d) std::exit(1);
    });
    int64_t components = 0;
    // Each round imports into an image of its own, created before the clock starts: creating an
    // image is a request of its own (POST /images), not part of the import.
    std::vector<std::string> images;
    for (int i = 0; i < rounds; ++i) {
      images.push_back(env.NewImage());
    }
    size_t next_image = 0;
    double imp = Best(rounds, [&] {
      auto s = env.vulns->Import(env.ctx, images[next_image++], c.bytes, std::nullopt);
      if (!s) {
        std::fprintf(stderr, "import failed: %s\n", s.error().ToString().c_str());
        std::exit(1);
      }
      components = s->components;
    });
    double ratio = raw / imp;
    std::printf(
        "%-40s %10zu %10.2f ms %10.2f ms %9.3fx  (%lld components, %.0f MB/s; "
        "qlrf parse alone %.2f ms = %.2fx raw)\n",
        c.name.c_str(), c.bytes.size(), raw * 1e3, imp * 1e3, ratio,
        static_cast<long long>(components), static_cast<double>(c.bytes.size()) / imp / 1e6, parse * 1e3,
        raw / parse);
    if (c.name.rfind("cyclonedx", 0) == 0) {
      std::printf("  10,000 components into SQLite: %.0f ms (target <= 1000 ms) %s\n", imp * 1e3,
                  imp <= 1.0 ? "ok" : "MISSED");
      ok = ok && imp <= 1.0;
    }
    std::printf("  import / raw simdjson parse throughput: %.3f (target >= 0.3) %s\n", ratio,
                ratio >= 0.3 ? "ok" : "MISSED");
  }

  // The same 10,000 components as CycloneDX XML: imported once as JSON, exported as XML (what
  // qlrf writes is what a user re-imports), then imported into fresh images. The floor here is
  // expat's parse of the same bytes with no handlers (simdjson does not read XML).
  if (selected("xml")) {
    std::string source = env.NewImage();
    auto first = env.vulns->Import(env.ctx, source, bom10k, std::nullopt);
    auto exported = first ? env.vulns->ExportCycloneDx(env.ctx, source)
                          : Result<boost::json::value>(Fail(first.error()));
    auto xml = exported ? sbom::CycloneDxJsonToXml(exported->as_object())
                        : Result<std::string>(Fail(exported.error()));
    if (!xml) {
      std::fprintf(stderr, "xml setup failed: %s\n", xml.error().ToString().c_str());
      return 1;
    }
    double raw = RawXmlSeconds(*xml, rounds * 2);
    double parse = Best(rounds * 2, [&] {
      if (!sbom::Parse(*xml)) std::exit(1);
    });
    std::vector<std::string> images;
    for (int i = 0; i < rounds; ++i) images.push_back(env.NewImage());
    size_t next_image = 0;
    double imp = Best(rounds, [&] {
      auto s = env.vulns->Import(env.ctx, images[next_image++], *xml, std::nullopt);
      if (!s) {
        std::fprintf(stderr, "xml import failed: %s\n", s.error().ToString().c_str());
        std::exit(1);
      }
    });
    std::printf(
        "%-40s %10zu %10.2f ms %10.2f ms %9.3fx  (%.0f MB/s; qlrf parse alone %.2f ms = %.2fx "
        "expat's bare parse; ratio column: import / expat)\n",
        "cyclonedx xml 10,000 components", xml->size(), raw * 1e3, imp * 1e3, raw / imp,
        static_cast<double>(xml->size()) / imp / 1e6, parse * 1e3, raw / parse);
  }

  if (!selected("reeval")) {
    std::filesystem::remove_all(dir);
    return ok ? 0 : 1;
  }
  // Re-evaluation, in a database of its own (so it does not pay for the imports above): 10,000
  // images whose SBOMs hold three packages a new advisory may name (plus an unrelated one); one
  // OSV advisory per package, each making 5,000 findings; the best and every run printed.
  const int kImages = 10000;
  const std::vector<std::string> kPackages = {"left-pad", "right-pad", "centre-pad"};
  auto rdir = dir / "reeval";
  std::filesystem::create_directories(rdir);
  Env renv(rdir.string());
  renv.NewImage();  // the family
  {
    std::string now = FormatTime(renv.clock.Now());
    auto st = storage::WithWrite(
        *renv.db, renv.ctx.principal.org_id, [&](storage::Transaction& tx) -> Status {
          QLRF_ASSIGN_OR_RETURN(auto fam,
                                tx.Query("SELECT id FROM golden_image_families LIMIT 1", {}));
          std::string family_id = fam.Text(0, 0);
          for (int i = 0; i < kImages; ++i) {
            std::string image = NewUuid(renv.random);
            QLRF_TRY(
                tx.Exec("INSERT INTO images (id, org_id, family_id, family, version, status, "
                        "created_at, updated_at) VALUES ($1, $2, $3, 'bench', $4, 'production', "
                        "$5, $5)",
                        {image, tx.org_id(), family_id, "r" + std::to_string(i), now}));
            for (size_t k = 0; k <= kPackages.size(); ++k) {
              std::string name = k < kPackages.size() ? kPackages[k] : "unrelated";
              std::string version = k < kPackages.size() ? "1.3." + std::to_string(i % 2) : "2.0.0";
              QLRF_TRY(tx.Exec(
                  "INSERT INTO image_components (id, org_id, image_id, ref, name, version, purl, "
                  "package, type, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'library', "
                  "$9)",
                  {NewUuid(renv.random), tx.org_id(), image, "c" + std::to_string(k), name, version,
                   "pkg:npm/" + name + "@" + version, "npm/" + name, now}));
            }
          }
          return Ok();
        });
    if (!st) {
      std::fprintf(stderr, "seeding failed: %s\n", st.error().ToString().c_str());
      return 1;
    }
  }
  double best = 1e9;
  std::string runs;
  for (size_t k = 0; k < kPackages.size(); ++k) {
    std::string advisory = R"({"id":"GHSA-bench-0000-000)" + std::to_string(k) +
                           R"(","modified":"2026-11-01T00:00:00Z","summary":"bench",
      "affected":[{"package":{"ecosystem":"npm","name":")" +
                           kPackages[k] + R"("},
      "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.3.1"}]}]}]})";
    auto t0 = Steady::now();
    auto feed = renv.vulns->ImportFeed("osv", advisory);
    double t = std::chrono::duration<double>(Steady::now() - t0).count();
    if (!feed) {
      std::fprintf(stderr, "advisory import failed: %s\n", feed.error().ToString().c_str());
      return 1;
    }
    ok = ok && feed->new_findings == kImages / 2 && feed->reevaluated_components == kImages;
    best = std::min(best, t);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%.1f", runs.empty() ? "" : ", ", t * 1e3);
    runs += buf;
  }
  std::printf(
      "re-evaluate %d stored SBOMs against one new OSV advisory (%d findings each): best %.1f ms "
      "(runs: %s ms; target <= 100 ms) %s\n",
      kImages, kImages / 2, best * 1e3, runs.c_str(), best <= 0.1 ? "ok" : "MISSED");
  ok = ok && best <= 0.1;
  std::filesystem::remove_all(dir);
  return ok ? 0 : 1;
}
