// Vulnerability and SBOM use cases: import scanner reports and SBOMs into an image (idempotent;
// a newer report fixes what it no longer lists), match stored components against the advisory
// catalog (and re-evaluate incrementally when advisories arrive), score urgency with its factors,
// apply suppressions and VEX, answer fleet exposure, and export SBOM / VEX documents.
#pragma once

#include <boost/json/value.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "engines/sbom/sbom.h"
#include "services/audit/auditor.h"
#include "services/context.h"
#include "storage/database.h"
#include "storage/image_store.h"
#include "storage/vuln_store.h"

namespace qlrf::services {

struct ImportSummary {
  std::string import_id;  // empty when the document was already imported (duplicate)
  std::string format;
  std::string kind;  // sbom | scan | vex
  bool duplicate = false;
  int64_t components = 0;
  int64_t dependencies = 0;
  int64_t findings = 0;  // findings the document reports (after de-duplication)
  std::map<std::string, int64_t> by_severity;  // of those findings
  int64_t new_findings = 0;
  int64_t reopened = 0;
  int64_t fixed = 0;
  int64_t unchanged = 0;
  int64_t matched = 0;  // findings derived from the catalog for the SBOM's components
  int64_t vex_statements = 0;
  std::vector<std::string> warnings;
};
boost::json::value ToJson(const ImportSummary& s);

// CVE urgency (issue formula): (10·CVSS + 25·exploit known + 20·in KEV + 15·on a production asset
// + min(fleet%/10, 10) + 20·EPSS) / 2, capped at 100; p1 ≥ 80, p2 ≥ 60, p3 ≥ 40, else p4, with
// SLAs of 24, 72, 168 and 720 hours.
struct UrgencyFactors {
  double cvss = 0;
  bool exploit_known = false;
  bool kev = false;
  bool production = false;
  double fleet_percent = 0;
  double epss = 0;
};
struct Urgency {
  double score = 0;
  std::string priority;
  int sla_hours = 0;
  UrgencyFactors factors;
};
Urgency ScoreUrgency(const UrgencyFactors& f);

// A finding as the API shows it: stored row + catalog signals + urgency + suppression.
struct FindingView {
  storage::FindingRow row;
  Urgency urgency;
  bool kev = false;
  std::string kev_due_date;
  std::optional<std::string> suppression_id;
  std::string due_at;  // first_seen + SLA
  bool overdue = false;
};

struct FindingFilter {
  std::optional<std::string> severity;
  std::optional<bool> fixable;
  std::optional<bool> kev;
  std::optional<bool> suppressed;
  std::optional<std::string> priority;  // p1..p4
  std::string status = "open";          // open | fixed | all
  std::optional<std::string> vuln_id;
};

struct VulnSummary {
  int64_t open = 0;
  std::map<std::string, int64_t> by_severity;
  int64_t kev = 0;
  int64_t fixable = 0;
  int64_t suppressed = 0;
  int64_t overdue = 0;
};
boost::json::value ToJson(const VulnSummary& s);

struct ExposureReport {
  std::string vuln_id;
  std::vector<std::string> ids;  // the id and its aliases
  std::optional<storage::CatalogEntry> catalog;
  struct ImageExposure {
    storage::ExposedImage image;
    bool inherited = false;  // a descendant through lineage holding the same component
    int64_t assets = 0;
    std::map<std::string, int64_t> by_environment;
  };
  std::vector<ImageExposure> images;
  int64_t assets = 0;
  std::map<std::string, int64_t> by_environment;
  std::vector<std::pair<std::string, int64_t>> by_site;  // site id ("" none) → assets
};

struct NewSuppression {
  std::string vuln_id;
  std::string scope;  // org | family | image | component
  std::string scope_value;
  std::string reason;
  std::optional<std::string> expires_at;
};

// Counts of catalog imports.
struct FeedSummary {
  std::string feed;
  int64_t records = 0;
  int64_t affected_packages = 0;
  int64_t reevaluated_components = 0;
  int64_t new_findings = 0;
};

// Thread-safe.
class VulnService {
 public:
  VulnService(storage::Database& db, Auditor& auditor, const Clock& clock, Random& random)
      : db_(db), auditor_(auditor), clock_(clock), random_(random) {}

  // Imports a scanner report (Trivy, Grype), an SBOM (SPDX, CycloneDX, with or without
  // vulnerabilities/VEX) or an OpenVEX document into the image. `format` nullopt: detected.
  // Parse errors → InvalidArgument naming where (nothing is written). Re-importing the same bytes
  // changes nothing.
  Result<ImportSummary> Import(const RequestContext& ctx, std::string_view image_id,
                               std::string_view bytes, std::optional<sbom::Format> format);

  Result<storage::Page<FindingView>> Findings(const RequestContext& ctx, std::string_view image_id,
                                              const FindingFilter& filter,
                                              const storage::PageRequest& page);
  Result<VulnSummary> Summary(const RequestContext& ctx, std::string_view image_id);
  // A manual finding (e.g. from a pen test).
  Result<FindingView> AddFinding(const RequestContext& ctx, std::string_view image_id,
                                 storage::FindingRow row);
  Result<std::vector<storage::VulnSnapshot>> Trend(const RequestContext& ctx,
                                                   std::string_view image_id, int limit);
  // Per image of the family: its snapshots.
  Result<std::vector<std::pair<storage::Image, std::vector<storage::VulnSnapshot>>>> FamilyTrend(
      const RequestContext& ctx, std::string_view family, int limit);

  Result<storage::Page<storage::ComponentRow>> Components(const RequestContext& ctx,
                                                          std::string_view image_id,
                                                          const storage::ComponentFilter& filter,
                                                          const storage::PageRequest& page);

  Result<ExposureReport> Exposure(const RequestContext& ctx, std::string_view vuln_id);
  Result<storage::CatalogEntry> CatalogEntry(const RequestContext& ctx, std::string_view vuln_id);

  Result<storage::Suppression> Suppress(const RequestContext& ctx, NewSuppression s);
  Result<storage::Page<storage::Suppression>> Suppressions(const RequestContext& ctx,
                                                           std::optional<std::string> vuln_id,
                                                           bool active_only,
                                                           const storage::PageRequest& page);
  Status RevokeSuppression(const RequestContext& ctx, std::string_view id);

  // Exports: CycloneDX 1.6 JSON, SPDX 2.3 JSON, OpenVEX 0.2.0 JSON.
  Result<boost::json::value> ExportCycloneDx(const RequestContext& ctx, std::string_view image_id);
  Result<boost::json::value> ExportSpdx(const RequestContext& ctx, std::string_view image_id);
  Result<boost::json::value> ExportOpenVex(const RequestContext& ctx, std::string_view image_id);

  // Catalog feeds (deployment operators: the CLI). Advisory feeds re-evaluate the stored SBOMs of
  // every org, only components of the packages the advisories name.
  Result<FeedSummary> ImportFeed(std::string_view feed, std::string_view bytes);
  // Matches every org's stored components of the advisories' packages; returns new findings.
  Result<FeedSummary> Reevaluate(const std::vector<std::string>& vuln_ids);

 private:
  std::string Now() const { return FormatTime(clock_.Now()); }
  storage::Database& db_;
  Auditor& auditor_;
  const Clock& clock_;
  Random& random_;
};

// The match key of a package: purl type + '/' + namespace/name, lowercase ("npm/lodash",
// "deb/debian/openssl", "maven/org.apache.logging.log4j/log4j-core"); "" when there is no purl.
std::string PackageKey(std::string_view canonical_purl);
// PackageKey of a purl already in canonical form (sbom::Component::purl), read from its text
// instead of parsing it again; the same key.
std::string PackageKeyOfCanonical(std::string_view canonical_purl);
// The key of an OSV affected package (from its purl, or its ecosystem and name).
std::string PackageKeyOf(std::string_view ecosystem, std::string_view name, std::string_view purl);

// Whether a VEX statement's product purl covers a component's purl: the same package (type,
// namespace, name); the same version when the statement names one; every qualifier (and the
// subpath) the statement gives, with the same value — so "pkg:apk/alpine/openssl@1.1.1c-r0"
// covers Trivy's "pkg:apk/alpine/openssl@1.1.1c-r0?arch=x86_64&distro=3.9.4", and a purl
// without a version covers every version.
bool PurlCovers(std::string_view statement, std::string_view component);

// Whether a VEX statement applies to a finding: it names the finding's vulnerability (its id, or
// one of `other_ids`, the vulnerability's aliases) and its product is empty (every component),
// the component's ref, its package name, or a purl covering the component's (PurlCovers).
bool VexCovers(const storage::VexRow& statement, const storage::FindingRow& finding,
               const std::vector<std::string>& other_ids);

}  // namespace qlrf::services
