// Vulnerabilities and SBOMs: the global advisory catalog (system transactions), and per org the
// SBOM imports, components, dependency edges, findings, VEX statements, suppressions and trend
// snapshots of images. Stateless; per-org calls are scoped by tx.org_id().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/paging.h"

namespace qlrf::storage {

// --- catalog (public data shared by every org) ---

struct CatalogEntry {
  std::string id;
  std::vector<std::string> aliases;
  std::string summary;
  std::string description;
  std::string published;
  std::string modified;
  std::optional<double> cvss_score;
  std::string cvss_vector;
  std::string severity = "unknown";
  std::vector<std::string> cwes;
  bool kev = false;
  std::string kev_date_added;
  std::string kev_due_date;
  bool kev_ransomware = false;
  std::optional<double> epss;
  std::optional<double> epss_percentile;
  bool exploit_known = false;
  std::string updated_at;
};

struct KevMark {
  std::string id;
  std::string date_added;
  std::string due_date;
  bool ransomware = false;
};

struct EpssMark {
  std::string id;
  double epss = 0;
  double percentile = 0;
};

// An OSV affected package of an advisory, keyed for matching by `package` ("npm/lodash",
// "deb/openssl": purl type + '/' + namespace/name, lowercase).
struct AffectedRow {
  std::string vuln_id;
  std::string ecosystem;
  std::string package;
  std::string ranges_json;    // [{"type":…,"events":[{"introduced":…},…]}]
  std::string versions_json;  // ["1.0", …]
};

// --- per org ---

struct SbomImport {
  std::string id;
  std::string image_id;
  std::string kind;  // sbom | scan
  std::string format;
  std::string spec_version;
  std::string serial_number;
  std::string tool;
  std::string digest;
  int64_t components = 0;
  int64_t findings = 0;
  std::string summary_json = "{}";
  std::string actor_id;
  std::string imported_at;
};

struct ComponentRow {
  std::string id;
  std::string image_id;
  std::string ref;
  std::string name;
  std::string version;
  std::string purl;
  std::string package;  // match key, see AffectedRow
  std::string type = "library";
  std::string ecosystem;
  std::string licenses_json = "[]";
  std::string hashes_json = "[]";
  std::string supplier;
  std::string created_at;
};

struct ComponentDep {
  std::string from_ref;
  std::string to_ref;
};

struct ComponentFilter {
  std::optional<std::string> q;  // substring of name or purl
  std::optional<std::string> type;
  std::optional<std::string> ecosystem;
};

struct FindingRow {
  std::string id;
  std::string image_id;
  std::string vuln_id;
  std::string package_name;
  std::string installed_version;
  std::string component_ref;
  std::string purl;
  std::string fixed_version;
  std::string fix_state;
  std::string severity = "unknown";
  std::optional<double> cvss_score;
  std::string cvss_vector;
  std::optional<double> epss;
  std::string title;
  std::string source;           // scan | sbom | match | manual
  std::string status = "open";  // open | fixed
  std::string vex_status;
  std::string vex_justification;
  std::string first_seen_at;
  std::string last_seen_at;
  std::optional<std::string> fixed_at;
};

struct Suppression {
  std::string id;
  std::string vuln_id;
  std::string scope;  // org | family | image | component
  std::string scope_value;
  std::string reason;
  std::string author_id;
  std::optional<std::string> expires_at;
  std::string created_at;
  std::optional<std::string> revoked_at;
};

struct VexRow {
  std::string id;
  std::optional<std::string> image_id;  // nullopt: every image of the org
  std::string vuln_id;
  std::string product;  // purl or component ref; "" = any component
  std::string status;   // not_affected | affected | fixed | under_investigation
  std::string justification;
  std::string detail;
  std::string action;
  std::string source;
  std::string created_at;
};

struct VulnSnapshot {
  std::string image_id;
  std::string taken_at;
  int64_t critical = 0;
  int64_t high = 0;
  int64_t medium = 0;
  int64_t low = 0;
  int64_t unknown = 0;
  int64_t kev = 0;
  int64_t fixable = 0;
};

// An open finding of a vulnerability on one image, with the image's identity.
struct ExposedImage {
  std::string image_id;
  std::string family;
  std::string version;
  std::string image_status;
  std::string package_name;
  std::string installed_version;
  std::string fixed_version;
  std::string vex_status;
};

// A component stored for some org's image: what advisory re-evaluation walks (system tx).
struct StoredComponent {
  std::string org_id;
  std::string image_id;
  std::string ref;
  std::string name;
  std::string version;
  std::string purl;
  std::string package;
  std::string ecosystem;
};

class VulnStore {
 public:
  // Catalog (any transaction; the tables have no org).
  static Status UpsertCatalog(Transaction& tx, const std::vector<CatalogEntry>& entries);
  static Status MarkKev(Transaction& tx, const std::vector<KevMark>& marks, std::string_view now);
  static Status MarkEpss(Transaction& tx, const std::vector<EpssMark>& marks, std::string_view now);
  // Replaces the advisory's affected packages.
  static Status ReplaceAffected(Transaction& tx, std::string_view vuln_id,
                                const std::vector<AffectedRow>& rows);
  static Result<std::map<std::string, CatalogEntry>> CatalogFor(
      Transaction& tx, const std::vector<std::string>& ids);
  // Canonical ids an alias stands for (the id itself when it is one).
  static Result<std::vector<std::string>> ResolveAlias(Transaction& tx, std::string_view id);
  static Result<std::vector<AffectedRow>> AffectedFor(Transaction& tx,
                                                      const std::vector<std::string>& packages);
  static Result<std::vector<AffectedRow>> AffectedOf(Transaction& tx, std::string_view vuln_id);

  // Every org's stored components of the given packages (system transaction only).
  static Result<std::vector<StoredComponent>> ComponentsOfPackages(
      Transaction& tx, const std::vector<std::string>& packages);

  // Imports.
  static Status InsertImport(Transaction& tx, const SbomImport& imp);
  static Result<std::optional<SbomImport>> LatestImport(Transaction& tx, std::string_view image_id,
                                                        std::string_view kind);

  // Components: replaced as a whole by each SBOM import. AlreadyExists when two share a ref.
  static Status ReplaceComponents(Transaction& tx, std::string_view image_id,
                                  const std::vector<ComponentRow>& components,
                                  const std::vector<ComponentDep>& deps);
  static Result<Page<ComponentRow>> ListComponents(Transaction& tx, std::string_view image_id,
                                                   const ComponentFilter& filter,
                                                   const PageRequest& page);
  static Result<std::vector<ComponentRow>> AllComponents(Transaction& tx,
                                                         std::string_view image_id);
  static Result<std::vector<ComponentDep>> Dependencies(Transaction& tx, std::string_view image_id);

  // Findings.
  static Result<std::vector<FindingRow>> Findings(Transaction& tx, std::string_view image_id);
  static Status InsertFindings(Transaction& tx, std::span<const FindingRow> rows);
  // Writes every mutable column of the finding (by id).
  static Status UpdateFinding(Transaction& tx, const FindingRow& row);
  // Open findings of the vulnerability (or any of its ids) across the org's images.
  static Result<std::vector<ExposedImage>> Exposure(Transaction& tx,
                                                    const std::vector<std::string>& vuln_ids);

  // Suppressions.
  static Status CreateSuppression(Transaction& tx, const Suppression& s);
  static Result<std::optional<Suppression>> GetSuppression(Transaction& tx, std::string_view id);
  // Newest first; `active_at` set: only unrevoked ones not expired at that time.
  static Result<Page<Suppression>> ListSuppressions(Transaction& tx,
                                                    std::optional<std::string> vuln_id,
                                                    std::optional<std::string> active_at,
                                                    const PageRequest& page);
  static Result<std::vector<Suppression>> ActiveSuppressions(Transaction& tx, std::string_view now);
  static Status RevokeSuppression(Transaction& tx, std::string_view id, std::string_view at);

  // VEX.
  static Status InsertVex(Transaction& tx, const std::vector<VexRow>& rows);
  // Statements for the image and the org-wide ones.
  static Result<std::vector<VexRow>> VexFor(Transaction& tx, std::string_view image_id);
  // The org's statements naming any of `vuln_ids`, of every image (oldest first).
  static Result<std::vector<VexRow>> VexNaming(Transaction& tx,
                                               const std::vector<std::string>& vuln_ids);

  // Trend.
  static Status InsertSnapshot(Transaction& tx, const VulnSnapshot& s);
  static Result<std::vector<VulnSnapshot>> Snapshots(Transaction& tx, std::string_view image_id,
                                                     int limit);
};

}  // namespace qlrf::storage
