// Demo fleet generator. Shapes are table-driven below; every choice comes from a SeededRandom.
#include "services/demo/demo_fleet.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <future>
#include <map>

#include "common/json.h"
#include "common/random.h"
#include "storage/audit_store.h"
#include "storage/identity_store.h"
#include "storage/image_store.h"
#include "storage/inventory_store.h"

namespace qlrf::services {
namespace {

using storage::Transaction;

struct SiteSpec {
  const char* name;
  const char* platform;
  const char* region;
  const char* datacenter;
  const char* environment;
  int weight;  // share of assets
};

constexpr std::array<SiteSpec, 16> kSites = {{
    {"aws-us-east-1-prod", "aws", "us-east-1", "", "production", 18},
    {"aws-us-west-2-dr", "aws", "us-west-2", "", "dr", 5},
    {"aws-eu-west-1-prod", "aws", "eu-west-1", "", "production", 10},
    {"aws-us-east-1-staging", "aws", "us-east-1", "", "staging", 6},
    {"azure-eastus-prod", "azure", "eastus", "", "production", 9},
    {"azure-westeurope-dr", "azure", "westeurope", "", "dr", 3},
    {"gcp-us-central1-prod", "gcp", "us-central1", "", "production", 8},
    {"gcp-europe-west1-dev", "gcp", "europe-west1", "", "development", 5},
    {"vsphere-london-prod", "vsphere", "uk-south", "dc-london-1", "production", 9},
    {"vsphere-frankfurt-dr", "vsphere", "eu-central", "dc-frankfurt-2", "dr", 3},
    {"k8s-prod-cluster-1", "k8s", "us-east-1", "", "production", 8},
    {"k8s-staging-cluster", "k8s", "us-east-1", "", "staging", 4},
    {"libvirt-lab-1", "libvirt", "lab", "lab-rack-3", "development", 3},
    {"baremetal-colo-1", "baremetal", "us-east", "colo-ny-1", "production", 4},
    {"aws-ap-south-1-dev", "aws", "ap-south-1", "", "development", 3},
    {"azure-eastus-staging", "azure", "eastus", "", "staging", 2},
}};

// DR pairs: primary site index → DR site index.
constexpr std::array<std::pair<int, int>, 4> kPairs = {{{0, 1}, {2, 1}, {4, 5}, {8, 9}}};

struct FamilySpec {
  const char* name;
  const char* os;
  const char* parent;  // CIS-hardened children derive from a base family
  int versions;
};

constexpr std::array<FamilySpec, 7> kFamilies = {{
    {"ubuntu-22.04", "ubuntu", nullptr, 12},
    {"ubuntu-24.04", "ubuntu", nullptr, 8},
    {"rhel-9", "rhel", nullptr, 10},
    {"amazon-linux-2023", "amazon-linux", nullptr, 12},
    {"windows-2022", "windows", nullptr, 9},
    {"ubuntu-22.04-cis", "ubuntu", "ubuntu-22.04", 12},
    {"rhel-9-cis", "rhel", "rhel-9", 10},
}};

// Which families run on a platform.
std::vector<int> FamiliesFor(std::string_view platform) {
  if (platform == "aws") return {0, 1, 3, 5, 4};
  if (platform == "azure") return {0, 4, 2, 5};
  if (platform == "gcp") return {0, 1, 2};
  if (platform == "vsphere") return {2, 6, 4, 0};
  if (platform == "k8s") return {1, 0};
  if (platform == "libvirt") return {0, 2};
  return {2, 6};
}

const std::array<const char*, 6> kTiers = {"web", "app", "db", "cache", "batch", "queue"};
const std::array<const char*, 5> kTeams = {"payments", "search", "platform", "identity",
                                           "analytics"};

std::string Iso(SystemTime t) { return FormatTime(t); }

struct FamilyVersions {
  std::string family;
  std::vector<std::string> ids;       // oldest first
  std::vector<std::string> versions;  // oldest first
  int production = 0;                 // index of the current production version
};

std::string VersionName(SystemTime release) {
  std::string d = FormatTime(release);  // 2026-11-23T…
  return d.substr(0, 4) + "." + d.substr(5, 2) + "." + d.substr(8, 2);
}

struct OrgResult {
  int64_t sites = 0;
  int64_t images = 0;
  int64_t assets = 0;
  int64_t drifted = 0;
  int64_t pairs = 0;
};

Result<OrgResult> FillOrg(Transaction& tx, SeededRandom& rnd, SystemTime now, int64_t count,
                          int64_t done_before, int64_t total, const DemoProgress& progress) {
  OrgResult out;
  std::string org = tx.org_id();
  // Sites.
  std::vector<storage::Site> sites;
  int weight_sum = 0;
  for (const auto& spec : kSites) {
    storage::Site s{NewUuid(rnd),
                    org,
                    spec.name,
                    spec.platform,
                    spec.region,
                    spec.datacenter,
                    spec.environment,
                    Iso(now - std::chrono::hours(24 * 400)),
                    Iso(now - std::chrono::hours(24 * 400))};
    QLRF_TRY(storage::InventoryStore::CreateSite(tx, s));
    sites.push_back(std::move(s));
    weight_sum += spec.weight;
  }
  out.sites = static_cast<int64_t>(sites.size());
  for (const auto& [p, d] : kPairs) {
    storage::DrPair pair{
        NewUuid(rnd),
        org,
        std::string(kSites[static_cast<size_t>(p)].name) + "-dr",
        sites[static_cast<size_t>(p)].id,
        sites[static_cast<size_t>(d)].id,
        static_cast<int64_t>(60 * (1 + rnd.Below(15))),
        static_cast<int64_t>(900 * (1 + rnd.Below(8))),
        rnd.Below(3) == 0 ? "sync" : "async",
        rnd.Below(6) == 0 ? "lagging" : "healthy",
        rnd.Below(3) == 0
            ? std::nullopt
            : std::optional<std::string>(Iso(now - std::chrono::hours(24 * (5 + rnd.Below(80))))),
        Iso(now - std::chrono::hours(24 * 300)),
        Iso(now - std::chrono::hours(24 * 300))};
    QLRF_TRY(storage::InventoryStore::CreateDrPair(tx, pair));
    ++out.pairs;
  }
  // Families, versions (one a month, newest last), lifecycle and lineage.
  std::vector<FamilyVersions> families;
  for (const auto& spec : kFamilies) {
    FamilyVersions fv;
    fv.family = spec.name;
    storage::ImageFamily f{NewUuid(rnd),
                           org,
                           spec.name,
                           spec.os,
                           std::string("Golden image family ") + spec.name,
                           Iso(now - std::chrono::hours(24 * 420)),
                           Iso(now - std::chrono::hours(24 * 420))};
    QLRF_TRY(storage::ImageStore::CreateFamily(tx, f));
    const FamilyVersions* parent = nullptr;
    for (const auto& other : families) {
      if (spec.parent != nullptr && other.family == spec.parent) parent = &other;
    }
    int n = spec.versions;
    fv.production = n - 2;  // the newest is still in testing
    for (int v = 0; v < n; ++v) {
      SystemTime release = now - std::chrono::hours(24 * 30 * (n - 1 - v) + 24 * 3);
      storage::Image m;
      m.id = NewUuid(rnd);
      m.family_id = f.id;
      m.family = spec.name;
      m.version = VersionName(release);
      m.os = spec.os;
      m.is_signed = v >= n - 6;
      m.sbom_ref = "sbom://" + m.family + "/" + m.version + ".cdx.json";
      m.description = std::string(spec.name) + " monthly rebuild";
      m.status = "draft";
      m.created_at = m.updated_at = Iso(release);
      m.artifacts.push_back({std::string(spec.os) == "windows" ? "azure" : "aws", "us-east-1",
                             "ami-" + RandomHex(rnd, 8)});
      m.artifacts.push_back(
          {"gcp", "us-central1", "projects/golden/global/images/" + m.family + "-" + m.version});
      m.tags["cis_level"] = spec.parent != nullptr ? "2" : "1";
      QLRF_TRY(storage::ImageStore::CreateImage(tx, m));
      // Lifecycle: testing → production for all but the newest; older than the current
      // production are deprecated, the four oldest revoked.
      std::vector<std::string> path = {"testing"};
      if (v <= fv.production) path.push_back("production");
      if (v < fv.production) path.push_back("deprecated");
      if (v < 4 && v < fv.production) path.push_back("revoked");
      std::string from = "draft";
      SystemTime t = release;
      for (const auto& to : path) {
        t += std::chrono::hours(24 * (to == "production" ? 2 : to == "deprecated" ? 30 : 1));
        storage::Promotion p{NewUuid(rnd), m.id, from, to, "demo", "demo lifecycle", Iso(t)};
        m.status = from;
        QLRF_TRY(storage::ImageStore::SetStatus(tx, m, p));
        from = to;
      }
      if (v > 0) {
        QLRF_TRY(storage::ImageStore::AddParent(
            tx, {fv.ids.back(), m.id, v % 4 == 0 ? "rebuilt_from" : "patched_from", Iso(release)}));
      }
      // A hardened version derives from the base version released the same month.
      int base = parent != nullptr ? static_cast<int>(parent->ids.size()) - n + v : -1;
      if (parent != nullptr && base >= 0) {
        QLRF_TRY(storage::ImageStore::AddParent(
            tx, {parent->ids[static_cast<size_t>(base)], m.id, "derived_from", Iso(release)}));
      }
      if (v >= n - 3) {
        storage::Build b{
            NewUuid(rnd),
            m.id,
            "https://github.com/acme/image-builder/.github/workflows/build.yml@refs/heads/main",
            "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
            "git+https://github.com/acme/golden-images",
            RandomHex(rnd, 20),
            Iso(release - std::chrono::minutes(40)),
            Iso(release - std::chrono::minutes(5)),
            v == n - 1 ? 3 : 2,
            R"({"_type":"https://in-toto.io/Statement/v1","predicateType":"https://slsa.dev/provenance/v1"})",
            Iso(release)};
        QLRF_TRY(storage::ImageStore::AddBuild(tx, b));
      }
      fv.ids.push_back(m.id);
      fv.versions.push_back(m.version);
      ++out.images;
    }
    families.push_back(std::move(fv));
  }
  // Assets, in batches so progress can be reported. The next batch is generated on a second
  // thread while the database takes the current one (only that thread draws from `rnd` and
  // counts drift meanwhile, so the fleet is the same for a seed).
  constexpr int64_t kBatch = 5000;
  QLRF_ASSIGN_OR_RETURN(auto load, storage::InventoryStore::BeginBulkLoad(tx, /*exclusive=*/true));
  auto generate = [&](int64_t from, int64_t n) {
    std::vector<storage::Asset> batch;
    batch.reserve(static_cast<size_t>(n));
    for (int64_t i = from; i < from + n; ++i) {
      int pick = static_cast<int>(rnd.Below(static_cast<uint64_t>(weight_sum)));
      size_t si = 0;
      while (pick >= kSites[si].weight) {
        pick -= kSites[si].weight;
        ++si;
      }
      const auto& site = sites[si];
      auto fams = FamiliesFor(site.platform);
      const auto& fam = families[static_cast<size_t>(fams[rnd.Below(fams.size())])];
      // 62% on the current production version, then older ones; a few on the testing one.
      double u = rnd.Unit();
      int back = u < 0.62   ? 0
                 : u < 0.84 ? 1
                 : u < 0.93 ? 2
                 : u < 0.97 ? 3 + static_cast<int>(rnd.Below(3))
                            : -1;
      int vi = std::clamp(fam.production - back, 0, static_cast<int>(fam.versions.size()) - 1);
      storage::Asset a;
      // Time-ordered ids keep the primary-key inserts of a large fleet at the end of the B-tree.
      int64_t seq = done_before + i;
      a.id = NewUuidV7(rnd, UnixSeconds(now) * 1000 - 86400000 + seq / 4096,
                       static_cast<uint16_t>(seq % 4096));
      a.org_id = org;
      a.platform = site.platform;
      const char* tier = kTiers[rnd.Below(kTiers.size())];
      char name[64];
      std::snprintf(name, sizeof name, "%s-%s-%06lld", tier, site.region.c_str(),
                    static_cast<long long>(done_before + i));
      a.name = name;
      if (a.platform == "aws")
        a.instance_id = "i-" + RandomHex(rnd, 8) + RandomHex(rnd, 1);
      else if (a.platform == "k8s")
        a.instance_id = std::string("pod/") + name;
      else
        a.instance_id = site.platform + "-" + RandomHex(rnd, 10);
      a.environment = site.environment;
      a.site_id = site.id;
      a.region = site.region;
      double s = rnd.Unit();
      a.state = s < 0.9 ? "running" : s < 0.97 ? "stopped" : s < 0.99 ? "terminated" : "unknown";
      a.image_family = fam.family;
      a.image_version = fam.versions[static_cast<size_t>(vi)];
      a.image_ref = "golden://" + a.image_family + "/" + a.image_version;
      a.os = std::string(kFamilies[0].os);
      for (const auto& spec : kFamilies) {
        if (fam.family == spec.name) a.os = spec.os;
      }
      a.ips = {"10." + std::to_string(si) + "." + std::to_string(rnd.Below(256)) + "." +
               std::to_string(1 + rnd.Below(254))};
      a.tags = {{"tier", tier},
                {"team", kTeams[rnd.Below(kTeams.size())]},
                {"cost-center", "cc-" + std::to_string(100 + rnd.Below(20))}};
      SystemTime first = now - std::chrono::hours(24 * static_cast<int64_t>(1 + rnd.Below(360)));
      a.first_seen_at = a.created_at = Iso(first);
      a.last_seen_at = a.updated_at = Iso(now - std::chrono::minutes(rnd.Below(600)));
      if (vi != fam.production) ++out.drifted;
      batch.push_back(std::move(a));
    }
    return batch;
  };
  auto next = std::async(std::launch::async, generate, 0, std::min(kBatch, count));
  for (int64_t from = 0; from < count; from += kBatch) {
    std::vector<storage::Asset> batch = next.get();
    int64_t after = from + kBatch;
    if (after < count) {
      next = std::async(std::launch::async, generate, after, std::min(kBatch, count - after));
    }
    QLRF_TRY(storage::InventoryStore::InsertAssetsBulk(tx, batch, &load));
    out.assets += static_cast<int64_t>(batch.size());
    if (progress) progress(done_before + out.assets, total);
  }
  QLRF_TRY(storage::InventoryStore::EndBulkLoad(tx, load));
  return out;
}

}  // namespace

Result<DemoSummary> GenerateDemo(storage::Database& db, const Clock& clock,
                                 const DemoOptions& options, const DemoProgress& progress) {
  if (options.assets < 0 || options.assets > 10000000) {
    return Fail(FieldError("assets", "must be between 0 and 10000000"));
  }
  if (options.orgs < 1 || options.orgs > 100) {
    return Fail(FieldError("orgs", "must be between 1 and 100"));
  }
  MonotonicTime start = clock.Monotonic();
  SystemTime now = clock.Now();
  SeededRandom rnd(options.seed);
  DemoSummary summary;
  int64_t done = 0;
  for (int k = 0; k < options.orgs; ++k) {
    std::string slug = k == 0 ? "default" : "demo-" + std::to_string(k + 1);
    // Find or create the org (system transaction), then fill it (tenant transaction).
    QLRF_ASSIGN_OR_RETURN(
        auto org, storage::WithWrite(db, "", [&](Transaction& tx) -> Result<storage::Org> {
          QLRF_ASSIGN_OR_RETURN(auto found, storage::IdentityStore::FindOrgBySlug(tx, slug));
          if (found) return std::move(*found);
          storage::Org o{NewUuid(rnd), k == 0 ? "Default" : "Demo " + std::to_string(k + 1),
                         slug,         std::nullopt,
                         "plan_only",  Iso(now),
                         Iso(now)};
          QLRF_TRY(storage::IdentityStore::CreateOrg(tx, o));
          return o;
        }));
    int64_t share = options.assets / options.orgs + (k < options.assets % options.orgs ? 1 : 0);
    auto filled = storage::WithWrite(db, org.id, [&](Transaction& tx) -> Result<OrgResult> {
      QLRF_ASSIGN_OR_RETURN(auto existing,
                            tx.Query("SELECT count(*) FROM sites WHERE org_id = $1", {org.id}));
      if (existing.Int(0, 0) > 0) {
        if (options.if_empty) {
          return OrgResult{};
        }
        return Fail(FailedPrecondition("organization '" + slug +
                                       "' already has inventory; use a fresh database or "
                                       "--if-empty"));
      }
      QLRF_ASSIGN_OR_RETURN(auto r, FillOrg(tx, rnd, now, share, done, options.assets, progress));
      storage::AuditEvent e;
      e.id = NewUuid(rnd);
      e.occurred_at = Iso(now);
      e.actor_type = "system";
      e.actor_id = "demo";
      e.action = "demo.generate";
      e.target_type = "organization";
      e.target_id = org.id;
      e.request_id = "demo";
      e.summary = R"({"after":{"assets":)" + std::to_string(r.assets) + R"(,"images":)" +
                  std::to_string(r.images) + "}}";
      QLRF_TRY(storage::AuditStore::Append(tx, std::move(e)));
      return r;
    });
    QLRF_TRY(filled);
    if (filled->sites == 0) {
      summary.skipped = true;
      continue;
    }
    done += filled->assets;
    ++summary.orgs;
    summary.sites += filled->sites;
    summary.families += static_cast<int64_t>(kFamilies.size());
    summary.images += filled->images;
    summary.assets += filled->assets;
    summary.drifted += filled->drifted;
    summary.dr_pairs += filled->pairs;
  }
  summary.seconds = std::chrono::duration<double>(clock.Monotonic() - start).count();
  return summary;
}

}  // namespace qlrf::services
