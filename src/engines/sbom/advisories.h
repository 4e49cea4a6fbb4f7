// Vulnerability-catalog feeds: CISA KEV JSON, FIRST EPSS CSV, NVD CVE API 2.0 JSON and OSV JSON
// (one advisory, an array of advisories, or a {"vulns": [...]} query response), parsed with
// simdjson On-Demand; and OSV affected-range evaluation with the per-ecosystem version
// comparators. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace qlrf::sbom {

struct KevEntry {
  std::string cve_id;
  std::string vendor;
  std::string product;
  std::string name;
  std::string date_added;  // YYYY-MM-DD
  std::string due_date;    // YYYY-MM-DD
  bool known_ransomware = false;
  std::vector<std::string> cwes;
};

struct KevCatalog {
  std::string catalog_version;
  std::string date_released;
  std::vector<KevEntry> entries;
};

Result<KevCatalog> ParseKev(std::string_view bytes);

struct EpssScore {
  std::string cve_id;
  double epss = 0;        // probability 0..1
  double percentile = 0;  // 0..1
};

struct EpssFile {
  std::string model_version;  // from the leading "#model_version:…,score_date:…" comment
  std::string score_date;
  std::vector<EpssScore> scores;
};

// The daily CSV (optionally with the leading comment line): header "cve,epss,percentile".
Result<EpssFile> ParseEpssCsv(std::string_view bytes);

// One version-range event list of an OSV "affected[].ranges[]" entry.
struct OsvRange {
  std::string type;  // "ECOSYSTEM", "SEMVER", "GIT"
  // Events in order; exactly one of the fields is set per event.
  struct Event {
    std::string introduced;
    std::string fixed;
    std::string last_affected;
    std::string limit;
    friend bool operator==(const Event&, const Event&) = default;
  };
  std::vector<Event> events;
  friend bool operator==(const OsvRange&, const OsvRange&) = default;
};

struct OsvAffected {
  std::string ecosystem;  // "Debian:12", "PyPI", "npm", "Maven", "Go", …
  std::string name;       // package name in the ecosystem ("org.apache.logging.log4j:log4j-core")
  std::string purl;       // canonical purl without version, when given
  std::vector<OsvRange> ranges;
  std::vector<std::string> versions;  // explicit affected versions
  friend bool operator==(const OsvAffected&, const OsvAffected&) = default;
};

// A catalog entry: from OSV or NVD.
struct Advisory {
  std::string id;  // "CVE-…", "GHSA-…", "OSV-…"
  std::vector<std::string> aliases;
  std::string summary;
  std::string description;  // at most 4 KiB
  std::string published;    // RFC 3339
  std::string modified;
  std::string withdrawn;             // OSV only
  std::optional<double> cvss_score;  // best of v3.1 > v3.0 > v4.0 > v2 (NVD Primary first)
  std::string cvss_vector;
  std::string severity;  // "LOW"…"CRITICAL" as the source rates it, or ""
  std::vector<std::string> cwes;
  std::vector<OsvAffected> affected;  // OSV only
  // NVD only: CPE 2.3 match criteria of vulnerable configurations (kept for display).
  std::vector<std::string> cpes;
};

// OSV: one advisory object, an array of them, or {"vulns": [...]}.
Result<std::vector<Advisory>> ParseOsv(std::string_view bytes);

struct NvdPage {
  int64_t start_index = 0;
  int64_t results_per_page = 0;
  int64_t total_results = 0;
  std::vector<Advisory> advisories;
};

// An NVD CVE API 2.0 response page.
Result<NvdPage> ParseNvd(std::string_view bytes);

// Does `affected` cover `version` of the package? Evaluates explicit versions and ECOSYSTEM /
// SEMVER ranges with versions::CompareVersions for the ecosystem (GIT ranges are ignored).
// Fails with InvalidArgument when the ecosystem is unknown or the version does not parse in it.
Result<bool> Affects(const OsvAffected& affected, std::string_view version);

}  // namespace qlrf::sbom
