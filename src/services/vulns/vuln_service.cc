// VulnService: imports, matching, urgency, suppressions, VEX, exposure, exports.
#include "services/vulns/vuln_service.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "common/crypto.h"
#include "common/json.h"
#include "common/purl/purl.h"
#include "engines/sbom/advisories.h"
#include "storage/inventory_store.h"

namespace qlrf::services {

using storage::CatalogEntry;
using storage::ComponentRow;
using storage::FindingRow;
using storage::ImageStore;
using storage::Transaction;
using storage::VulnStore;

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Key of a finding within an image.
std::string FindingKey(std::string_view vuln, std::string_view package, std::string_view version) {
  std::string k(vuln);
  k += '\x1f';
  k += package;
  k += '\x1f';
  k += version;
  return k;
}

int SeverityRank(std::string_view s) {
  if (s == "critical") return 5;
  if (s == "high") return 4;
  if (s == "medium") return 3;
  if (s == "low") return 2;
  if (s == "none") return 1;
  return 0;
}

std::string SeverityFromScore(std::optional<double> score) {
  if (!score) return "unknown";
  if (*score >= 9.0) return "critical";
  if (*score >= 7.0) return "high";
  if (*score >= 4.0) return "medium";
  if (*score > 0.0) return "low";
  return "none";
}

bool IsDismissedByVex(std::string_view vex_status) {
  return vex_status == "not_affected" || vex_status == "fixed";
}

// OSV ecosystem → purl type (and namespace for distributions).
std::pair<std::string, std::string> PurlTypeOf(std::string_view ecosystem) {
  std::string eco(ecosystem.substr(0, ecosystem.find(':')));
  static const std::map<std::string, std::pair<std::string, std::string>> kMap = {
      {"npm", {"npm", ""}},
      {"PyPI", {"pypi", ""}},
      {"Maven", {"maven", ""}},
      {"Go", {"golang", ""}},
      {"crates.io", {"cargo", ""}},
      {"RubyGems", {"gem", ""}},
      {"NuGet", {"nuget", ""}},
      {"Packagist", {"composer", ""}},
      {"Hex", {"hex", ""}},
      {"Pub", {"pub", ""}},
      {"SwiftURL", {"swift", ""}},
      {"Debian", {"deb", "debian"}},
      {"Ubuntu", {"deb", "ubuntu"}},
      {"Alpine", {"apk", "alpine"}},
      {"Wolfi", {"apk", "wolfi"}},
      {"Red Hat", {"rpm", "redhat"}},
      {"Rocky Linux", {"rpm", "rocky"}},
      {"AlmaLinux", {"rpm", "almalinux"}},
      {"SUSE", {"rpm", "suse"}},
      {"openSUSE", {"rpm", "opensuse"}},
      {"Photon OS", {"rpm", "photon"}},
      {"Mageia", {"rpm", "mageia"}},
      {"CRAN", {"cran", ""}},
      {"Hackage", {"hackage", ""}},
  };
  auto it = kMap.find(eco);
  return it == kMap.end() ? std::pair<std::string, std::string>{} : it->second;
}

// Parses the stored ranges/versions of an affected row back into an OsvAffected.
sbom::OsvAffected AffectedFromRow(const storage::AffectedRow& row) {
  sbom::OsvAffected a;
  a.ecosystem = row.ecosystem;
  auto ranges = json::Parse(row.ranges_json);
  if (ranges && ranges->is_array()) {
    for (const auto& rv : ranges->as_array()) {
      if (!rv.is_object()) continue;
      sbom::OsvRange r;
      if (auto* t = rv.as_object().if_contains("type"); t && t->is_string()) {
        r.type = std::string(t->as_string());
      }
      if (auto* ev = rv.as_object().if_contains("events"); ev && ev->is_array()) {
        for (const auto& e : ev->as_array()) {
          if (!e.is_object()) continue;
          sbom::OsvRange::Event event;
          for (const auto& [k, v] : e.as_object()) {
            if (!v.is_string()) continue;
            std::string s(v.as_string());
            if (k == "introduced") event.introduced = s;
            if (k == "fixed") event.fixed = s;
            if (k == "last_affected") event.last_affected = s;
            if (k == "limit") event.limit = s;
          }
          r.events.push_back(std::move(event));
        }
      }
      a.ranges.push_back(std::move(r));
    }
  }
  auto versions = json::Parse(row.versions_json);
  if (versions && versions->is_array()) {
    for (const auto& v : versions->as_array()) {
      if (v.is_string()) a.versions.emplace_back(v.as_string());
    }
  }
  return a;
}

std::string RangesJson(const std::vector<sbom::OsvRange>& ranges) {
  boost::json::array out;
  for (const auto& r : ranges) {
    boost::json::array events;
    for (const auto& e : r.events) {
      if (!e.introduced.empty())
        events.push_back(boost::json::object{{"introduced", e.introduced}});
      if (!e.fixed.empty()) events.push_back(boost::json::object{{"fixed", e.fixed}});
      if (!e.last_affected.empty())
        events.push_back(boost::json::object{{"last_affected", e.last_affected}});
      if (!e.limit.empty()) events.push_back(boost::json::object{{"limit", e.limit}});
    }
    out.push_back(boost::json::object{{"type", r.type}, {"events", std::move(events)}});
  }
  return json::Serialize(out);
}

// The fixed versions an affected entry names, for the finding's "fixed_version".
std::string FixedVersions(const sbom::OsvAffected& a) {
  std::string out;
  for (const auto& r : a.ranges) {
    for (const auto& e : r.events) {
      if (!e.fixed.empty() && out.find(e.fixed) == std::string::npos) {
        out += out.empty() ? e.fixed : ", " + e.fixed;
      }
    }
  }
  return out;
}

std::string Truncate(std::string s, size_t n) {
  if (s.size() > n) {
    size_t cut = n;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s.resize(cut);
  }
  return s;
}

// Merges the findings a source reports now into the stored ones of the image: inserts new ones,
// refreshes or reopens present ones, and fixes the source's open findings it no longer reports.
struct MergeCounts {
  int64_t inserted = 0;
  int64_t reopened = 0;
  int64_t fixed = 0;
  int64_t unchanged = 0;
};

bool SameContent(const FindingRow& a, const FindingRow& b) {
  return a.fixed_version == b.fixed_version && a.fix_state == b.fix_state &&
         a.severity == b.severity && a.cvss_score == b.cvss_score &&
         a.cvss_vector == b.cvss_vector && a.epss == b.epss && a.title == b.title &&
         a.source == b.source && a.status == b.status && a.component_ref == b.component_ref &&
         a.purl == b.purl;
}

// `reported` is read, not consumed: WithWrite may run the transaction again after a conflict.
Result<MergeCounts> MergeFindings(Transaction& tx, std::vector<FindingRow>& stored,
                                  const std::vector<FindingRow>& reported, std::string_view source,
                                  std::string_view now, UuidV7Sequence& ids) {
  MergeCounts c;
  std::unordered_map<std::string, FindingRow*> by_key;
  for (auto& f : stored) by_key[FindingKey(f.vuln_id, f.package_name, f.installed_version)] = &f;
  std::unordered_set<std::string> seen;
  std::vector<FindingRow> inserts;
  for (const auto& r : reported) {
    std::string key = FindingKey(r.vuln_id, r.package_name, r.installed_version);
    if (!seen.insert(key).second) continue;
    auto it = by_key.find(key);
    if (it == by_key.end()) {
      FindingRow& added = inserts.emplace_back(r);
      added.id = ids.Next();
      added.source = std::string(source);
      added.status = "open";
      added.first_seen_at = added.last_seen_at = std::string(now);
      ++c.inserted;
      continue;
    }
    FindingRow& s = *it->second;
    FindingRow updated = s;
    updated.component_ref = r.component_ref.empty() ? s.component_ref : r.component_ref;
    updated.purl = r.purl.empty() ? s.purl : r.purl;
    updated.fixed_version = r.fixed_version;
    updated.fix_state = r.fix_state;
    updated.severity = r.severity;
    updated.cvss_score = r.cvss_score ? r.cvss_score : s.cvss_score;
    updated.cvss_vector = r.cvss_vector.empty() ? s.cvss_vector : r.cvss_vector;
    updated.epss = r.epss ? r.epss : s.epss;
    updated.title = r.title.empty() ? s.title : r.title;
    updated.source = std::string(source);
    updated.status = "open";
    updated.fixed_at.reset();
    if (s.status == "fixed") {
      ++c.reopened;
    } else if (SameContent(s, updated)) {
      ++c.unchanged;
      continue;  // last_seen_at of unchanged findings is not rewritten: re-import is a no-op
    } else {
      ++c.unchanged;
    }
    updated.last_seen_at = std::string(now);
    QLRF_TRY(VulnStore::UpdateFinding(tx, updated));
    s = updated;
  }
  for (auto& s : stored) {
    if (s.source == source && s.status == "open" &&
        !seen.count(FindingKey(s.vuln_id, s.package_name, s.installed_version))) {
      s.status = "fixed";
      s.fixed_at = std::string(now);
      s.last_seen_at = std::string(now);
      QLRF_TRY(VulnStore::UpdateFinding(tx, s));
      ++c.fixed;
    }
  }
  QLRF_TRY(VulnStore::InsertFindings(tx, inserts));
  for (auto& f : inserts) stored.push_back(std::move(f));
  return c;
}

}  // namespace

bool PurlCovers(std::string_view statement, std::string_view component) {
  if (statement == component) return true;
  auto s = purl::ParsePurl(statement);
  auto c = purl::ParsePurl(component);
  if (!s || !c) return false;
  if (s->type != c->type || s->namespace_ != c->namespace_ || s->name != c->name) return false;
  if (!s->version.empty() && s->version != c->version) return false;
  if (!s->subpath.empty() && s->subpath != c->subpath) return false;
  for (const auto& [key, value] : s->qualifiers) {
    auto it = c->qualifiers.find(key);
    if (it == c->qualifiers.end() || it->second != value) return false;
  }
  return true;
}

bool VexCovers(const storage::VexRow& v, const FindingRow& f,
               const std::vector<std::string>& other_ids) {
  if (v.vuln_id != f.vuln_id &&
      std::find(other_ids.begin(), other_ids.end(), v.vuln_id) == other_ids.end()) {
    return false;
  }
  return v.product.empty() || v.product == f.component_ref || v.product == f.package_name ||
         (!f.purl.empty() && PurlCovers(v.product, f.purl));
}

namespace {

// The statement that decides a finding: the latest of those covering it, or nullptr.
const storage::VexRow* DecidingVex(const std::vector<storage::VexRow>& vex, const FindingRow& f,
                                   const std::map<std::string, CatalogEntry>& catalog) {
  static const std::vector<std::string> kNone;
  auto entry = catalog.find(f.vuln_id);
  const std::vector<std::string>& aliases = entry == catalog.end() ? kNone : entry->second.aliases;
  const storage::VexRow* best = nullptr;
  for (const auto& v : vex) {
    if ((best == nullptr || v.created_at >= best->created_at) && VexCovers(v, f, aliases)) {
      best = &v;
    }
  }
  return best;
}

// Applies VEX statements to the image's findings (latest covering statement wins per finding;
// a statement names the vulnerability by any of its ids).
Result<int64_t> ApplyVex(Transaction& tx, std::vector<FindingRow>& findings,
                         const std::vector<storage::VexRow>& vex,
                         const std::map<std::string, CatalogEntry>& catalog) {
  int64_t changed = 0;
  for (auto& f : findings) {
    const storage::VexRow* best = DecidingVex(vex, f, catalog);
    std::string status = best ? best->status : "";
    std::string justification = best ? best->justification : "";
    if (status != f.vex_status || justification != f.vex_justification) {
      f.vex_status = status;
      f.vex_justification = justification;
      QLRF_TRY(VulnStore::UpdateFinding(tx, f));
      ++changed;
    }
  }
  return changed;
}

std::vector<FindingRow> FindingsOfDocument(
    const sbom::Document& doc, std::string_view image_id,
    const std::unordered_map<std::string_view, const sbom::Component*>& by_ref) {
  std::vector<FindingRow> out;
  out.reserve(doc.findings.size());
  for (const auto& f : doc.findings) {
    FindingRow r;
    r.image_id = std::string(image_id);
    r.vuln_id = f.id;
    r.package_name = f.package_name;
    r.installed_version = f.installed_version;
    r.component_ref = f.component_ref;
    if (auto it = by_ref.find(f.component_ref); it != by_ref.end()) {
      r.purl = it->second->purl;
      if (r.package_name.empty()) r.package_name = it->second->name;
      if (r.installed_version.empty()) r.installed_version = it->second->version;
    }
    r.fixed_version = f.fixed_version;
    r.fix_state = f.fix_state;
    r.severity = std::string(sbom::SeverityName(f.severity));
    if (r.severity == "unknown") r.severity = SeverityFromScore(f.cvss_score);
    r.cvss_score = f.cvss_score;
    r.cvss_vector = f.cvss_vector;
    r.epss = f.epss;
    r.title = Truncate(f.title.empty() ? f.description : f.title, 512);
    out.push_back(std::move(r));
  }
  return out;
}

// True when `s` serialises as itself between quotes (no escapes), as licence ids and hashes do.
bool PlainJsonText(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char ch) {
    return ch == '"' || ch == '\\' || static_cast<unsigned char>(ch) < 0x20;
  });
}

// The stored JSON of a component's licences: ["MIT","Apache-2.0"]. Built by hand, byte for byte
// what Boost.JSON writes, as every component of every import pays for it; text that would need
// escapes goes through Boost.JSON.
std::string LicensesJson(const std::vector<std::string>& licenses) {
  if (!std::all_of(licenses.begin(), licenses.end(), PlainJsonText)) {
    boost::json::array lic;
    for (const auto& l : licenses) lic.emplace_back(l);
    return json::Serialize(lic);
  }
  std::string out = "[";
  for (const auto& l : licenses) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += l;
    out += '"';
  }
  out += ']';
  return out;
}

// The stored JSON of a component's hashes: [{"alg":"SHA-256","content":"…"}] (as LicensesJson).
std::string HashesJson(const std::vector<sbom::Hash>& hashes) {
  if (!std::all_of(hashes.begin(), hashes.end(), [](const sbom::Hash& h) {
        return PlainJsonText(h.algorithm) && PlainJsonText(h.value);
      })) {
    boost::json::array out;
    for (const auto& h : hashes) out.push_back({{"alg", h.algorithm}, {"content", h.value}});
    return json::Serialize(out);
  }
  std::string out = "[";
  for (const auto& h : hashes) {
    if (out.size() > 1) out += ',';
    out += R"({"alg":")";
    out += h.algorithm;
    out += R"(","content":")";
    out += h.value;
    out += R"("})";
  }
  out += ']';
  return out;
}

ComponentRow ComponentRowOf(const sbom::Component& c, std::string_view image_id, std::string id,
                            std::string_view now) {
  ComponentRow r;
  r.id = std::move(id);
  r.image_id = std::string(image_id);
  r.ref = c.ref;
  r.name = c.name;
  r.version = c.version;
  r.purl = c.purl;
  r.package = PackageKeyOfCanonical(c.purl);
  r.type = c.type.empty() ? "library" : c.type;
  r.ecosystem = c.ecosystem;
  r.licenses_json = LicensesJson(c.licenses);
  r.hashes_json = HashesJson(c.hashes);
  r.supplier = c.supplier;
  r.created_at = std::string(now);
  return r;
}

// Severity, CVSS, EPSS and title of a matched finding, from the catalog.
void ApplyCatalog(FindingRow& f, const CatalogEntry& c) {
  f.cvss_score = c.cvss_score;
  f.cvss_vector = c.cvss_vector;
  f.severity = c.severity != "unknown" ? Lower(c.severity) : SeverityFromScore(f.cvss_score);
  f.epss = c.epss;
  f.title = Truncate(c.summary, 512);
}

// The finding of a component an advisory's affected entry covers.
template <class Component>
FindingRow MatchedFinding(const Component& c, const std::string& vuln_id,
                          const sbom::OsvAffected& affected) {
  FindingRow f;
  f.image_id = c.image_id;
  f.vuln_id = vuln_id;
  f.package_name = c.name;
  f.installed_version = c.version;
  f.component_ref = c.ref;
  f.purl = c.purl;
  f.fixed_version = FixedVersions(affected);
  f.fix_state = f.fixed_version.empty() ? "not-fixed" : "fixed";
  return f;
}

// Matches components against the catalog's affected packages: one finding per (advisory,
// component) whose version the advisory covers.
Result<std::vector<FindingRow>> MatchComponents(Transaction& tx,
                                                const std::vector<ComponentRow>& components) {
  std::vector<std::string_view> keys;
  keys.reserve(components.size());
  for (const auto& c : components) {
    if (!c.package.empty() && !c.version.empty()) keys.push_back(c.package);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::vector<std::string> packages(keys.begin(), keys.end());
  QLRF_ASSIGN_OR_RETURN(auto rows, VulnStore::AffectedFor(tx, packages));
  std::unordered_map<std::string,
                     std::vector<std::pair<const storage::AffectedRow*, sbom::OsvAffected>>>
      by_package;
  for (const auto& r : rows) by_package[r.package].push_back({&r, AffectedFromRow(r)});
  std::vector<FindingRow> out;
  for (const auto& c : components) {
    auto it = by_package.find(c.package);
    if (it == by_package.end()) continue;
    for (const auto& [row, affected] : it->second) {
      auto hit = sbom::Affects(affected, c.version);
      if (!hit || !*hit) continue;  // an unparseable version is not a match
      out.push_back(MatchedFinding(c, row->vuln_id, affected));
    }
  }
  // Severity/CVSS from the catalog.
  std::vector<std::string> ids;
  for (const auto& f : out) ids.push_back(f.vuln_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  QLRF_ASSIGN_OR_RETURN(auto catalog, VulnStore::CatalogFor(tx, ids));
  for (auto& f : out) {
    if (auto it = catalog.find(f.vuln_id); it != catalog.end()) ApplyCatalog(f, it->second);
  }
  return out;
}

storage::VulnSnapshot SnapshotOf(std::string_view image_id, std::string_view now,
                                 const std::vector<FindingRow>& findings,
                                 const std::map<std::string, CatalogEntry>& catalog) {
  storage::VulnSnapshot s;
  s.image_id = std::string(image_id);
  s.taken_at = std::string(now);
  for (const auto& f : findings) {
    if (f.status != "open" || IsDismissedByVex(f.vex_status)) continue;
    int rank = SeverityRank(f.severity);
    (rank == 5   ? s.critical
     : rank == 4 ? s.high
     : rank == 3 ? s.medium
     : rank == 2 ? s.low
                 : s.unknown)++;
    if (auto it = catalog.find(f.vuln_id); it != catalog.end() && it->second.kev) ++s.kev;
    if (!f.fixed_version.empty()) ++s.fixable;
  }
  return s;
}

Result<std::map<std::string, CatalogEntry>> CatalogOfFindings(
    Transaction& tx, const std::vector<FindingRow>& findings) {
  std::vector<std::string> ids;
  for (const auto& f : findings) ids.push_back(f.vuln_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return VulnStore::CatalogFor(tx, ids);
}

std::string AddHours(std::string_view rfc3339, int hours) {
  auto t = ParseTime(rfc3339);
  if (!t) return std::string(rfc3339);
  return FormatTime(*t + std::chrono::hours(hours));
}

bool SuppressionCovers(const storage::Suppression& s, const storage::Image& image,
                       const FindingRow& f, const std::vector<std::string>& ids_of_vuln) {
  if (std::find(ids_of_vuln.begin(), ids_of_vuln.end(), s.vuln_id) == ids_of_vuln.end() &&
      s.vuln_id != "*") {
    return false;
  }
  if (s.scope == "org") return true;
  if (s.scope == "family") return s.scope_value == image.family;
  if (s.scope == "image") return s.scope_value == image.id;
  if (s.scope == "component") {
    return s.scope_value == f.package_name || s.scope_value == f.purl ||
           (!f.purl.empty() && f.purl.rfind(s.scope_value + "@", 0) == 0);
  }
  return false;
}

// Assets per (family, version): total and in production, from the exact rollup.
struct AssetCounts {
  int64_t total = 0;
  int64_t production = 0;
  std::map<std::string, int64_t> by_environment;
};

Result<std::pair<int64_t, std::map<std::pair<std::string, std::string>, AssetCounts>>>
AssetsByImage(Transaction& tx) {
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("SELECT image_family, image_version, environment, SUM(n) FROM asset_rollup "
                       "WHERE org_id = $1 AND state <> 'terminated' "
                       "GROUP BY image_family, image_version, environment",
                       {tx.org_id()}));
  std::map<std::pair<std::string, std::string>, AssetCounts> out;
  int64_t fleet = 0;
  for (size_t i = 0; i < r.rows(); ++i) {
    int64_t n = r.Int(i, 3);
    fleet += n;
    auto& c = out[{r.Text(i, 0), r.Text(i, 1)}];
    c.total += n;
    c.by_environment[r.Text(i, 2)] += n;
    if (r.Text(i, 2) == "production") c.production += n;
  }
  return std::pair(fleet, std::move(out));
}

}  // namespace

std::string PackageKey(std::string_view canonical_purl) {
  if (canonical_purl.empty()) return "";
  auto p = purl::ParsePurl(canonical_purl);
  if (!p) return "";
  std::string key = p->type + "/";
  if (!p->namespace_.empty()) key += p->namespace_ + "/";
  key += p->name;
  return Lower(key);
}

std::string PackageKeyOfCanonical(std::string_view canonical_purl) {
  // Canonical form: "pkg:" type '/' [namespace '/'] name, each segment percent-encoded where
  // needed, then '@' version, '?' qualifiers, '#' subpath ('@' inside a segment is encoded).
  constexpr std::string_view kScheme = "pkg:";
  if (canonical_purl.substr(0, kScheme.size()) != kScheme) {
    return PackageKey(canonical_purl);
  }
  std::string_view path = canonical_purl.substr(kScheme.size());
  path = path.substr(0, path.find_first_of("@?#"));
  if (path.empty() || path.front() == '/' || path.back() == '/' ||
      path.find('/') == std::string_view::npos || path.find("//") != std::string_view::npos) {
    return PackageKey(canonical_purl);
  }
  std::string key;
  key.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    char ch = path[i];
    if (ch == '%') {
      int hi = i + 2 < path.size() ? crypto::HexDigitValue(path[i + 1]) : -1;
      int lo = hi >= 0 ? crypto::HexDigitValue(path[i + 2]) : -1;
      if (lo < 0) {
        return PackageKey(canonical_purl);
      }
      ch = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    key += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return key;
}

std::string PackageKeyOf(std::string_view ecosystem, std::string_view name,
                         std::string_view purl_text) {
  if (!purl_text.empty()) {
    std::string k = PackageKey(purl_text);
    if (!k.empty()) return k;
  }
  auto [type, ns] = PurlTypeOf(ecosystem);
  if (type.empty() || name.empty()) return "";
  purl::PackageUrl p;
  p.type = type;
  std::string n(name);
  if (type == "maven") {
    auto colon = n.find(':');
    if (colon != std::string::npos) {
      p.namespace_ = n.substr(0, colon);
      n = n.substr(colon + 1);
    }
  } else if (type == "golang" || type == "npm" || type == "composer" || type == "swift") {
    auto slash = n.rfind('/');
    if (slash != std::string::npos) {
      p.namespace_ = n.substr(0, slash);
      n = n.substr(slash + 1);
    }
  } else {
    p.namespace_ = ns;
  }
  p.name = n;
  auto built = purl::BuildPurl(p);
  if (!built) return "";
  return PackageKey(*built);
}

Urgency ScoreUrgency(const UrgencyFactors& f) {
  Urgency u;
  u.factors = f;
  double raw = 10.0 * f.cvss + (f.exploit_known ? 25.0 : 0.0) + (f.kev ? 20.0 : 0.0) +
               (f.production ? 15.0 : 0.0) + std::min(f.fleet_percent / 10.0, 10.0) + 20.0 * f.epss;
  u.score = std::min(100.0, std::round(raw / 2.0 * 100.0) / 100.0);
  if (u.score >= 80) {
    u.priority = "p1";
    u.sla_hours = 24;
  } else if (u.score >= 60) {
    u.priority = "p2";
    u.sla_hours = 72;
  } else if (u.score >= 40) {
    u.priority = "p3";
    u.sla_hours = 168;
  } else {
    u.priority = "p4";
    u.sla_hours = 720;
  }
  return u;
}

boost::json::value ToJson(const ImportSummary& s) {
  boost::json::object sev;
  for (const char* k : {"critical", "high", "medium", "low", "unknown"}) {
    auto it = s.by_severity.find(k);
    sev[k] = it == s.by_severity.end() ? 0 : it->second;
  }
  boost::json::array warnings;
  for (const auto& w : s.warnings) warnings.emplace_back(w);
  return {{"import_id",
           s.import_id.empty() ? boost::json::value(nullptr) : boost::json::value(s.import_id)},
          {"format", s.format},
          {"kind", s.kind},
          {"duplicate", s.duplicate},
          {"components", s.components},
          {"dependencies", s.dependencies},
          {"vulnerabilities", s.findings},
          {"by_severity", std::move(sev)},
          {"new", s.new_findings},
          {"reopened", s.reopened},
          {"fixed", s.fixed},
          {"unchanged", s.unchanged},
          {"matched", s.matched},
          {"vex_statements", s.vex_statements},
          {"warnings", std::move(warnings)}};
}

boost::json::value ToJson(const VulnSummary& s) {
  boost::json::object sev;
  for (const char* k : {"critical", "high", "medium", "low", "unknown"}) {
    auto it = s.by_severity.find(k);
    sev[k] = it == s.by_severity.end() ? 0 : it->second;
  }
  return {{"open", s.open},       {"by_severity", std::move(sev)}, {"kev", s.kev},
          {"fixable", s.fixable}, {"suppressed", s.suppressed},    {"overdue", s.overdue}};
}

// --- import ----------------------------------------------------------------------------------

Result<ImportSummary> VulnService::Import(const RequestContext& ctx, std::string_view image_id,
                                          std::string_view bytes,
                                          std::optional<sbom::Format> format) {
  // The image first: another org's id is 404 before any parsing.
  auto image_exists = [&](Transaction& tx) -> Status {
    QLRF_ASSIGN_OR_RETURN(bool exists, ImageStore::ImageExists(tx, image_id));
    if (!exists) {
      return Fail(NotFound("image not found"));
    }
    return Ok();
  };
  QLRF_TRY(WithRead(db_, ctx.principal.org_id, image_exists));
  QLRF_ASSIGN_OR_RETURN(sbom::Document doc, sbom::Parse(bytes, format));
  ImportSummary summary;
  summary.format = std::string(sbom::FormatName(doc.format));
  summary.kind = doc.format == sbom::Format::kTrivy || doc.format == sbom::Format::kGrype ? "scan"
                 : doc.format == sbom::Format::kOpenVex                                   ? "vex"
                                                                                          : "sbom";
  summary.warnings = doc.warnings;
  std::string digest = crypto::Sha256Hex(bytes);
  std::string now = Now();
  // Views into doc.components, which stays unchanged (and in place) from here on.
  std::unordered_map<std::string_view, const sbom::Component*> by_ref;
  by_ref.reserve(doc.components.size());
  for (const auto& c : doc.components) by_ref.emplace(c.ref, &c);
  std::vector<FindingRow> reported = FindingsOfDocument(doc, image_id, by_ref);
  {
    std::unordered_set<std::string> keys;
    for (const auto& f : reported) {
      if (keys.insert(FindingKey(f.vuln_id, f.package_name, f.installed_version)).second) {
        ++summary.by_severity[f.severity == "none" ? "unknown" : f.severity];
      }
    }
    summary.findings = static_cast<int64_t>(keys.size());
  }
  summary.components = static_cast<int64_t>(doc.components.size());
  summary.dependencies = static_cast<int64_t>(doc.dependencies.size());
  summary.vex_statements = static_cast<int64_t>(doc.vex.size());

  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<ImportSummary> {
    ImportSummary s = summary;
    QLRF_TRY(image_exists(tx));
    QLRF_ASSIGN_OR_RETURN(auto latest, VulnStore::LatestImport(tx, image_id, s.kind));
    if (latest && latest->digest == digest) {
      s.duplicate = true;
      s.unchanged = s.findings;
      return s;
    }
    QLRF_ASSIGN_OR_RETURN(auto stored, VulnStore::Findings(tx, image_id));
    UuidV7Sequence ids(random_, UnixMillis(clock_.Now()));
    bool replace_components =
        s.kind == "sbom" ||
        (s.kind == "scan" && !doc.components.empty() &&
         !VulnStore::LatestImport(tx, image_id, "sbom").value_or(std::nullopt).has_value());
    if (replace_components) {
      std::vector<ComponentRow> rows;
      rows.reserve(doc.components.size());
      for (const auto& c : doc.components) {
        rows.push_back(ComponentRowOf(c, image_id, ids.Next(), now));
      }
      std::vector<storage::ComponentDep> deps;
      deps.reserve(doc.dependencies.size());
      for (const auto& d : doc.dependencies) deps.push_back({d.from, d.to});
      QLRF_TRY(VulnStore::ReplaceComponents(tx, image_id, rows, deps));
      // Findings from the catalog for the new component set.
      QLRF_ASSIGN_OR_RETURN(auto matched, MatchComponents(tx, rows));
      s.matched = static_cast<int64_t>(matched.size());
      QLRF_ASSIGN_OR_RETURN(auto mc, MergeFindings(tx, stored, matched, "match", now, ids));
      s.fixed += mc.fixed;
      s.new_findings += mc.inserted;
      s.reopened += mc.reopened;
    }
    if (s.kind != "vex") {
      // A scan reports all of the image's findings from that scanner; an SBOM's embedded
      // vulnerabilities likewise replace the previous SBOM's.
      QLRF_ASSIGN_OR_RETURN(auto mc, MergeFindings(tx, stored, reported,
                                                   s.kind == "scan" ? "scan" : "sbom", now, ids));
      s.new_findings += mc.inserted;
      s.reopened += mc.reopened;
      s.fixed += mc.fixed;
      s.unchanged = mc.unchanged;
    }
    if (!doc.vex.empty()) {
      std::vector<storage::VexRow> rows;
      for (const auto& v : doc.vex) {
        storage::VexRow r;
        r.id = NewUuid(random_);
        r.image_id = std::string(image_id);
        r.vuln_id = v.vulnerability_id;
        r.product = !v.purl.empty() ? v.purl : v.component_ref;
        // A bom-ref of this document means the component's purl when it has one.
        if (auto it = by_ref.find(v.component_ref);
            it != by_ref.end() && !it->second->purl.empty()) {
          r.product = it->second->purl;
        }
        r.status = std::string(sbom::VexStatusName(v.status));
        r.justification = v.justification;
        r.detail = Truncate(v.detail, 2000);
        r.action = Truncate(v.action, 2000);
        r.source = summary.format + (doc.serial_number.empty() ? "" : " " + doc.serial_number);
        r.created_at = now;
        rows.push_back(std::move(r));
      }
      QLRF_TRY(VulnStore::InsertVex(tx, rows));
    }
    QLRF_ASSIGN_OR_RETURN(auto vex, VulnStore::VexFor(tx, image_id));
    QLRF_ASSIGN_OR_RETURN(auto catalog, CatalogOfFindings(tx, stored));
    QLRF_TRY(ApplyVex(tx, stored, vex, catalog));
    QLRF_TRY(VulnStore::InsertSnapshot(tx, SnapshotOf(image_id, now, stored, catalog)));
    storage::SbomImport imp;
    imp.id = NewUuid(random_);
    imp.image_id = std::string(image_id);
    imp.kind = s.kind;
    imp.format = s.format;
    imp.spec_version = doc.spec_version;
    imp.serial_number = doc.serial_number;
    imp.tool = doc.tool;
    imp.digest = digest;
    imp.components = s.components;
    imp.findings = s.findings;
    imp.actor_id = ctx.principal.id;
    imp.imported_at = now;
    s.import_id = imp.id;
    imp.summary_json = json::Serialize(ToJson(s));
    QLRF_TRY(VulnStore::InsertImport(tx, imp));
    QLRF_TRY(auditor_.Record(tx, ctx, "image.vulnerabilities.import", "image", image_id, nullptr,
                             {{"import_id", imp.id},
                              {"format", s.format},
                              {"kind", s.kind},
                              {"digest", digest},
                              {"components", s.components},
                              {"vulnerabilities", s.findings},
                              {"new", s.new_findings},
                              {"fixed", s.fixed}}));
    return s;
  });
}

// --- queries ---------------------------------------------------------------------------------

namespace {

// Builds the views of an image's findings: catalog signals, urgency, suppression, SLA.
Result<std::vector<FindingView>> ViewsOf(Transaction& tx, const storage::Image& image,
                                         const std::vector<FindingRow>& findings,
                                         std::string_view now) {
  QLRF_ASSIGN_OR_RETURN(auto catalog, CatalogOfFindings(tx, findings));
  QLRF_ASSIGN_OR_RETURN(auto suppressions, VulnStore::ActiveSuppressions(tx, now));
  // Reach of each vulnerability across the org's images → fleet share and production: every
  // image with the vulnerability open, and the assets running it (exact rollup).
  QLRF_ASSIGN_OR_RETURN(auto assets, AssetsByImage(tx));
  auto& [fleet, by_image] = assets;
  std::map<std::string, std::pair<int64_t, bool>> reach;  // vuln → (assets, in production)
  QLRF_ASSIGN_OR_RETURN(auto r,
                        tx.Query("SELECT DISTINCT v.vuln_id, i.family, i.version, i.id "
                                 "FROM image_vulnerabilities v JOIN images i ON i.id = v.image_id "
                                 "WHERE v.org_id = $1 AND v.status = 'open' AND v.vuln_id IN "
                                 "(SELECT vuln_id FROM image_vulnerabilities WHERE org_id = $1 AND "
                                 "image_id = $2)",
                                 {tx.org_id(), image.id}));
  for (size_t i = 0; i < r.rows(); ++i) {
    auto it = by_image.find({r.Text(i, 1), r.Text(i, 2)});
    auto& e = reach[r.Text(i, 0)];
    if (it != by_image.end()) {
      e.first += it->second.total;
      e.second = e.second || it->second.production > 0;
    }
  }
  std::vector<FindingView> out;
  out.reserve(findings.size());
  for (const auto& f : findings) {
    FindingView v;
    v.row = f;
    UrgencyFactors uf;
    uf.cvss = f.cvss_score.value_or(0);
    const CatalogEntry* c = nullptr;
    if (auto it = catalog.find(f.vuln_id); it != catalog.end()) {
      c = &it->second;
      if (!f.cvss_score && c->cvss_score) uf.cvss = *c->cvss_score;
      uf.kev = c->kev;
      uf.exploit_known = c->exploit_known || c->kev;
      uf.epss = c->epss.value_or(f.epss.value_or(0));
      v.kev = c->kev;
      v.kev_due_date = c->kev_due_date;
    } else {
      uf.epss = f.epss.value_or(0);
    }
    if (auto it = reach.find(f.vuln_id); it != reach.end()) {
      uf.production = it->second.second;
      uf.fleet_percent =
          fleet > 0 ? 100.0 * static_cast<double>(it->second.first) / static_cast<double>(fleet)
                    : 0;
      uf.fleet_percent = std::round(uf.fleet_percent * 100.0) / 100.0;
    }
    v.urgency = ScoreUrgency(uf);
    std::vector<std::string> ids_of{f.vuln_id};
    if (c != nullptr) {
      ids_of.push_back(c->id);
      ids_of.insert(ids_of.end(), c->aliases.begin(), c->aliases.end());
    }
    for (const auto& s : suppressions) {
      if (SuppressionCovers(s, image, f, ids_of)) {
        v.suppression_id = s.id;
        break;
      }
    }
    v.due_at = AddHours(f.first_seen_at, v.urgency.sla_hours);
    v.overdue = f.status == "open" && !IsDismissedByVex(f.vex_status) && !v.suppression_id &&
                v.due_at < now;
    out.push_back(std::move(v));
  }
  return out;
}

std::string ScoreKey(double score) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%09.4f", score);
  return buf;
}

}  // namespace

Result<storage::Page<FindingView>> VulnService::Findings(const RequestContext& ctx,
                                                         std::string_view image_id,
                                                         const FindingFilter& filter,
                                                         const storage::PageRequest& page) {
  std::string now = Now();
  return WithRead(
      db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Page<FindingView>> {
        QLRF_ASSIGN_OR_RETURN(auto image, Required(ImageStore::GetImage(tx, image_id), "image"));
        QLRF_ASSIGN_OR_RETURN(auto rows, VulnStore::Findings(tx, image_id));
        QLRF_ASSIGN_OR_RETURN(auto views, ViewsOf(tx, image, rows, now));
        std::vector<FindingView> kept;
        for (auto& v : views) {
          const auto& f = v.row;
          if (filter.status != "all" && f.status != filter.status) continue;
          if (filter.severity && f.severity != *filter.severity) continue;
          if (filter.fixable && (*filter.fixable != !f.fixed_version.empty())) continue;
          if (filter.kev && *filter.kev != v.kev) continue;
          if (filter.suppressed && *filter.suppressed != (v.suppression_id.has_value() ||
                                                          IsDismissedByVex(f.vex_status))) {
            continue;
          }
          if (filter.priority && *filter.priority != v.urgency.priority) continue;
          if (filter.vuln_id && *filter.vuln_id != f.vuln_id) continue;
          kept.push_back(std::move(v));
        }
        // Most urgent first; keyset on (score text, id).
        std::sort(kept.begin(), kept.end(), [](const FindingView& a, const FindingView& b) {
          if (a.urgency.score != b.urgency.score) return a.urgency.score > b.urgency.score;
          return a.row.id < b.row.id;
        });
        size_t start = 0;
        if (page.after_key) {
          while (start < kept.size()) {
            std::string k = ScoreKey(kept[start].urgency.score);
            if (k < *page.after_key ||
                (k == *page.after_key && kept[start].row.id > page.after_id.value_or(""))) {
              break;
            }
            ++start;
          }
        }
        std::vector<FindingView> slice(kept.begin() + static_cast<std::ptrdiff_t>(start),
                                       kept.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                          kept.size(), start + page.limit + 1)));
        return storage::MakePage(std::move(slice), page.limit, [](const FindingView& v) {
          return std::pair(ScoreKey(v.urgency.score), v.row.id);
        });
      });
}

Result<VulnSummary> VulnService::Summary(const RequestContext& ctx, std::string_view image_id) {
  std::string now = Now();
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<VulnSummary> {
    QLRF_ASSIGN_OR_RETURN(auto image, Required(ImageStore::GetImage(tx, image_id), "image"));
    QLRF_ASSIGN_OR_RETURN(auto rows, VulnStore::Findings(tx, image_id));
    QLRF_ASSIGN_OR_RETURN(auto views, ViewsOf(tx, image, rows, now));
    VulnSummary s;
    for (const auto& v : views) {
      if (v.row.status != "open") continue;
      if (v.suppression_id || IsDismissedByVex(v.row.vex_status)) {
        ++s.suppressed;
        continue;
      }
      ++s.open;
      ++s.by_severity[v.row.severity == "none" ? "unknown" : v.row.severity];
      if (v.kev) ++s.kev;
      if (!v.row.fixed_version.empty()) ++s.fixable;
      if (v.overdue) ++s.overdue;
    }
    return s;
  });
}

Result<FindingView> VulnService::AddFinding(const RequestContext& ctx, std::string_view image_id,
                                            FindingRow row) {
  std::string now = Now();
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<FindingView> {
    QLRF_ASSIGN_OR_RETURN(auto image, Required(ImageStore::GetImage(tx, image_id), "image"));
    FindingRow f = row;
    f.id = NewUuid(random_);
    f.image_id = image.id;
    f.source = "manual";
    f.status = "open";
    if (f.severity == "unknown") f.severity = SeverityFromScore(f.cvss_score);
    f.first_seen_at = f.last_seen_at = now;
    QLRF_TRY(VulnStore::InsertFindings(tx, std::span<const FindingRow>(&f, 1)));
    QLRF_TRY(auditor_.Record(tx, ctx, "image.vulnerabilities.add", "image", image.id, nullptr,
                             {{"finding_id", f.id},
                              {"vuln_id", f.vuln_id},
                              {"package", f.package_name},
                              {"severity", f.severity}}));
    QLRF_ASSIGN_OR_RETURN(auto views, ViewsOf(tx, image, {f}, now));
    return views.front();
  });
}

Result<std::vector<storage::VulnSnapshot>> VulnService::Trend(const RequestContext& ctx,
                                                              std::string_view image_id,
                                                              int limit) {
  return WithRead(db_, ctx.principal.org_id,
                  [&](Transaction& tx) -> Result<std::vector<storage::VulnSnapshot>> {
                    QLRF_TRY(Required(ImageStore::GetImage(tx, image_id), "image"));
                    return VulnStore::Snapshots(tx, image_id, limit);
                  });
}

Result<std::vector<std::pair<storage::Image, std::vector<storage::VulnSnapshot>>>>
VulnService::FamilyTrend(const RequestContext& ctx, std::string_view family, int limit) {
  using Out = std::vector<std::pair<storage::Image, std::vector<storage::VulnSnapshot>>>;
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<Out> {
    QLRF_TRY(Required(ImageStore::FindFamily(tx, family), "image family"));
    Out out;
    storage::PageRequest page{.limit = 500};
    storage::ImageFilter f{std::string(family), std::nullopt};
    for (;;) {
      QLRF_ASSIGN_OR_RETURN(auto images, ImageStore::ListImages(tx, f, page));
      for (auto& m : images.items) {
        QLRF_ASSIGN_OR_RETURN(auto snaps, VulnStore::Snapshots(tx, m.id, limit));
        if (!snaps.empty()) out.emplace_back(std::move(m), std::move(snaps));
      }
      if (!images.next_cursor) break;
      QLRF_ASSIGN_OR_RETURN(page, storage::DecodeCursor(*images.next_cursor, 500));
    }
    return out;
  });
}

Result<storage::Page<ComponentRow>> VulnService::Components(const RequestContext& ctx,
                                                            std::string_view image_id,
                                                            const storage::ComponentFilter& filter,
                                                            const storage::PageRequest& page) {
  return WithRead(db_, ctx.principal.org_id,
                  [&](Transaction& tx) -> Result<storage::Page<ComponentRow>> {
                    QLRF_TRY(Required(ImageStore::GetImage(tx, image_id), "image"));
                    return VulnStore::ListComponents(tx, image_id, filter, page);
                  });
}

Result<storage::CatalogEntry> VulnService::CatalogEntry(const RequestContext& ctx,
                                                        std::string_view vuln_id) {
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::CatalogEntry> {
    QLRF_ASSIGN_OR_RETURN(auto map, VulnStore::CatalogFor(tx, {std::string(vuln_id)}));
    auto it = map.find(std::string(vuln_id));
    if (it != map.end()) {
      return it->second;
    }
    // Not in the catalog: what the org's own scanners reported, if anything.
    QLRF_ASSIGN_OR_RETURN(auto r,
                          tx.Query("SELECT severity, cvss_score, cvss_vector, title FROM "
                                   "image_vulnerabilities WHERE org_id = $1 AND vuln_id = $2 "
                                   "ORDER BY COALESCE(cvss_score, -1) DESC LIMIT 1",
                                   {tx.org_id(), std::string(vuln_id)}));
    if (r.empty()) {
      return Fail(NotFound("vulnerability is neither in the catalog nor found in any image"));
    }
    storage::CatalogEntry e;
    e.id = std::string(vuln_id);
    e.severity = r.Text(0, 0);
    if (!r.IsNull(0, 1)) e.cvss_score = r.Double(0, 1);
    e.cvss_vector = r.Text(0, 2);
    e.summary = r.Text(0, 3);
    return e;
  });
}

Result<ExposureReport> VulnService::Exposure(const RequestContext& ctx, std::string_view vuln_id) {
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<ExposureReport> {
    ExposureReport rep;
    rep.vuln_id = std::string(vuln_id);
    QLRF_ASSIGN_OR_RETURN(rep.ids, VulnStore::ResolveAlias(tx, vuln_id));
    QLRF_ASSIGN_OR_RETURN(auto catalog, VulnStore::CatalogFor(tx, {std::string(vuln_id)}));
    if (auto it = catalog.find(std::string(vuln_id)); it != catalog.end()) {
      rep.catalog = it->second;
    }
    QLRF_ASSIGN_OR_RETURN(auto exposed, VulnStore::Exposure(tx, rep.ids));
    if (!rep.catalog && exposed.empty()) {
      return Fail(NotFound("vulnerability is neither in the catalog nor found in any image"));
    }
    // Children through lineage that carry the same package without a finding of their own
    // (no SBOM/scan of their own yet) inherit the exposure.
    std::set<std::string> direct;
    for (const auto& e : exposed) direct.insert(e.image_id);
    std::vector<ExposureReport::ImageExposure> images;
    for (const auto& e : exposed) {
      images.push_back({e, false, 0, {}});
    }
    std::vector<storage::ExposedImage> frontier = exposed;
    std::set<std::string> visited = direct;
    while (!frontier.empty()) {
      std::vector<storage::ExposedImage> next;
      for (const auto& parent : frontier) {
        QLRF_ASSIGN_OR_RETURN(auto children, ImageStore::Children(tx, parent.image_id));
        for (const auto& edge : children) {
          if (!visited.insert(edge.child_id).second) continue;
          QLRF_ASSIGN_OR_RETURN(auto child, ImageStore::GetImage(tx, edge.child_id));
          if (!child) continue;
          // A child with its own findings data decides for itself.
          QLRF_ASSIGN_OR_RETURN(auto imports, VulnStore::LatestImport(tx, child->id, "scan"));
          QLRF_ASSIGN_OR_RETURN(auto sboms, VulnStore::LatestImport(tx, child->id, "sbom"));
          if (imports || sboms) continue;
          storage::ExposedImage inherited = parent;
          inherited.image_id = child->id;
          inherited.family = child->family;
          inherited.version = child->version;
          inherited.image_status = child->status;
          images.push_back({inherited, true, 0, {}});
          next.push_back(inherited);
        }
      }
      frontier = std::move(next);
    }
    QLRF_ASSIGN_OR_RETURN(auto assets, AssetsByImage(tx));
    std::set<std::string> counted;
    std::map<std::string, int64_t> by_site;
    for (auto& im : images) {
      if (IsDismissedByVex(im.image.vex_status)) continue;
      auto it = assets.second.find({im.image.family, im.image.version});
      if (it == assets.second.end()) continue;
      im.assets = it->second.total;
      im.by_environment = it->second.by_environment;
      if (!counted.insert(im.image.image_id).second) continue;  // one image, several packages
      rep.assets += im.assets;
      for (const auto& [env, n] : im.by_environment) rep.by_environment[env] += n;
      // By site: the rollup keeps site per (family, version).
      QLRF_ASSIGN_OR_RETURN(
          auto r, tx.Query("SELECT site_id, SUM(n) FROM asset_rollup WHERE org_id = $1 AND "
                           "image_family = $2 AND image_version = $3 AND state <> 'terminated' "
                           "GROUP BY site_id",
                           {tx.org_id(), im.image.family, im.image.version}));
      for (size_t i = 0; i < r.rows(); ++i) by_site[r.Text(i, 0)] += r.Int(i, 1);
    }
    rep.by_site.assign(by_site.begin(), by_site.end());
    rep.images = std::move(images);
    return rep;
  });
}

// --- suppressions ----------------------------------------------------------------------------

Result<storage::Suppression> VulnService::Suppress(const RequestContext& ctx, NewSuppression in) {
  static const std::set<std::string> kScopes = {"org", "family", "image", "component"};
  if (!kScopes.count(in.scope)) {
    return Fail(
        InvalidArgument("scope must be org, family, image or component").With("field", "scope"));
  }
  if (in.scope != "org" && in.scope_value.empty()) {
    return Fail(InvalidArgument("scope_value is required for scope " + in.scope)
                    .With("field", "scope_value"));
  }
  std::string now = Now();
  if (in.expires_at) {
    QLRF_ASSIGN_OR_RETURN(auto t, ParseTime(*in.expires_at));
    in.expires_at = FormatTime(t);
    if (*in.expires_at <= now) {
      return Fail(InvalidArgument("expires_at must be in the future").With("field", "expires_at"));
    }
  }
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Suppression> {
    if (in.scope == "image") {
      if (!IsUuid(in.scope_value)) {
        return Fail(
            InvalidArgument("scope_value must be an image id").With("field", "scope_value"));
      }
      QLRF_TRY(Required(ImageStore::GetImage(tx, in.scope_value), "image"));
    }
    if (in.scope == "family") {
      QLRF_TRY(Required(ImageStore::FindFamily(tx, in.scope_value), "image family"));
    }
    storage::Suppression s{NewUuid(random_), in.vuln_id,    in.scope, in.scope_value, in.reason,
                           ctx.principal.id, in.expires_at, now,      std::nullopt};
    QLRF_TRY(VulnStore::CreateSuppression(tx, s));
    QLRF_TRY(auditor_.Record(tx, ctx, "vulnerability.suppress", "suppression", s.id, nullptr,
                             {{"vuln_id", s.vuln_id},
                              {"scope", s.scope},
                              {"scope_value", s.scope_value},
                              {"reason", s.reason},
                              {"expires_at", s.expires_at ? boost::json::value(*s.expires_at)
                                                          : boost::json::value(nullptr)}}));
    return s;
  });
}

Result<storage::Page<storage::Suppression>> VulnService::Suppressions(
    const RequestContext& ctx, std::optional<std::string> vuln_id, bool active_only,
    const storage::PageRequest& page) {
  std::optional<std::string> at;
  if (active_only) at = Now();
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) {
    return VulnStore::ListSuppressions(tx, vuln_id, at, page);
  });
}

Status VulnService::RevokeSuppression(const RequestContext& ctx, std::string_view id) {
  std::string now = Now();
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Status {
    QLRF_ASSIGN_OR_RETURN(auto s, Required(VulnStore::GetSuppression(tx, id), "suppression"));
    QLRF_TRY(VulnStore::RevokeSuppression(tx, id, now));
    return auditor_.Record(tx, ctx, "vulnerability.unsuppress", "suppression", s.id,
                           {{"vuln_id", s.vuln_id}, {"scope", s.scope}}, nullptr);
  });
}

// --- exports ---------------------------------------------------------------------------------

namespace {

// What an SBOM export is made from: the image, its components and their dependency edges.
struct StoredSbom {
  storage::Image image;
  std::vector<ComponentRow> components;
  std::vector<storage::ComponentDep> deps;
};

Result<StoredSbom> LoadSbom(Transaction& tx, std::string_view image_id) {
  StoredSbom s;
  QLRF_ASSIGN_OR_RETURN(s.image, Required(ImageStore::GetImage(tx, image_id), "image"));
  QLRF_ASSIGN_OR_RETURN(s.components, VulnStore::AllComponents(tx, image_id));
  QLRF_ASSIGN_OR_RETURN(s.deps, VulnStore::Dependencies(tx, image_id));
  return s;
}

}  // namespace

Result<boost::json::value> VulnService::ExportCycloneDx(const RequestContext& ctx,
                                                        std::string_view image_id) {
  std::string now = Now();
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<boost::json::value> {
    QLRF_ASSIGN_OR_RETURN(auto sbom, LoadSbom(tx, image_id));
    const auto& [image, comps, deps] = sbom;
    boost::json::array components;
    for (const auto& c : comps) {
      boost::json::object o{
          {"type", c.type.empty() ? "library" : c.type}, {"bom-ref", c.ref}, {"name", c.name}};
      if (!c.version.empty()) o["version"] = c.version;
      if (!c.purl.empty()) o["purl"] = c.purl;
      if (!c.supplier.empty()) o["supplier"] = {{"name", c.supplier}};
      auto lic = json::Parse(c.licenses_json);
      if (lic && lic->is_array() && !lic->as_array().empty()) {
        // CycloneDX takes one expression or a list of named licences, not a mix: with any
        // compound expression among them, the first entry becomes the one expression.
        const auto& all = lic->as_array();
        bool any_expression = std::any_of(all.begin(), all.end(), [](const auto& l) {
          return l.as_string().find(' ') != boost::json::string::npos;
        });
        boost::json::array licenses;
        if (any_expression) {
          licenses.push_back(boost::json::object{{"expression", all.front()}});
        } else {
          for (const auto& l : all) {
            licenses.push_back(boost::json::object{{"license", {{"name", l}}}});
          }
        }
        o["licenses"] = std::move(licenses);
      }
      auto hashes = json::Parse(c.hashes_json);
      if (hashes && hashes->is_array() && !hashes->as_array().empty()) {
        o["hashes"] = hashes->as_array();
      }
      components.push_back(std::move(o));
    }
    std::map<std::string, boost::json::array> depends;
    for (const auto& c : comps) depends[c.ref];
    for (const auto& d : deps) depends[d.from_ref].emplace_back(d.to_ref);
    boost::json::array dependencies;
    for (auto& [ref, on] : depends) {
      if (on.empty()) continue;
      dependencies.push_back({{"ref", ref}, {"dependsOn", std::move(on)}});
    }
    std::string serial = "urn:uuid:" + NewUuid(random_);
    boost::json::object bom{
        {"bomFormat", "CycloneDX"},
        {"specVersion", "1.6"},
        {"serialNumber", serial},
        {"version", 1},
        {"metadata",
         {{"timestamp", now},
          {"tools",
           {{"components", boost::json::array{{{"type", "application"}, {"name", "qlrf"}}}}}},
          {"component",
           {{"type", "operating-system"},
            {"bom-ref", "image:" + image.id},
            {"name", image.family},
            {"version", image.version}}}}},
        {"components", std::move(components)}};
    if (!dependencies.empty()) bom["dependencies"] = std::move(dependencies);
    return boost::json::value(std::move(bom));
  });
}

namespace {
std::string SpdxId(std::string_view ref, size_t index) {
  std::string id = "SPDXRef-";
  for (char c : ref) {
    id += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '-';
  }
  if (ref.empty()) id += "Package-" + std::to_string(index);
  return id;
}
}  // namespace

Result<boost::json::value> VulnService::ExportSpdx(const RequestContext& ctx,
                                                   std::string_view image_id) {
  std::string now = Now();
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<boost::json::value> {
    QLRF_ASSIGN_OR_RETURN(auto sbom, LoadSbom(tx, image_id));
    const auto& [image, comps, deps] = sbom;
    boost::json::array packages;
    std::map<std::string, std::string> ids;
    std::set<std::string> used;
    for (size_t i = 0; i < comps.size(); ++i) {
      const auto& c = comps[i];
      std::string id = SpdxId(c.ref, i);
      while (!used.insert(id).second) id += "-" + std::to_string(i);
      ids[c.ref] = id;
      boost::json::object p{{"SPDXID", id},
                            {"name", c.name},
                            {"downloadLocation", "NOASSERTION"},
                            {"filesAnalyzed", false}};
      if (!c.version.empty()) p["versionInfo"] = c.version;
      if (!c.supplier.empty()) p["supplier"] = "Organization: " + c.supplier;
      auto lic = json::Parse(c.licenses_json);
      if (lic && lic->is_array() && !lic->as_array().empty()) {
        // One licence (or expression) as it is; several are all declared: joined with AND,
        // compound ones parenthesised.
        std::string expr;
        const auto& all = lic->as_array();
        for (const auto& l : all) {
          std::string s(l.as_string());
          if (all.size() > 1 && s.find(' ') != std::string::npos) s = "(" + s + ")";
          expr += expr.empty() ? s : " AND " + s;
        }
        p["licenseDeclared"] = expr;
      }
      if (!c.purl.empty()) {
        p["externalRefs"] = boost::json::array{{{"referenceCategory", "PACKAGE-MANAGER"},
                                                {"referenceType", "purl"},
                                                {"referenceLocator", c.purl}}};
      }
      auto hashes = json::Parse(c.hashes_json);
      if (hashes && hashes->is_array() && !hashes->as_array().empty()) {
        boost::json::array checksums;
        for (const auto& h : hashes->as_array()) {
          std::string alg(h.at("alg").as_string());
          alg.erase(std::remove(alg.begin(), alg.end(), '-'), alg.end());
          if (alg.rfind("SHA3", 0) == 0) alg.insert(4, "-");  // SHA3-256
          checksums.push_back({{"algorithm", alg}, {"checksumValue", h.at("content")}});
        }
        p["checksums"] = std::move(checksums);
      }
      packages.push_back(std::move(p));
    }
    boost::json::array rels;
    for (const auto& d : deps) {
      auto a = ids.find(d.from_ref);
      auto b = ids.find(d.to_ref);
      if (a == ids.end() || b == ids.end()) continue;
      rels.push_back({{"spdxElementId", a->second},
                      {"relationshipType", "DEPENDS_ON"},
                      {"relatedSpdxElement", b->second}});
    }
    boost::json::array described;
    for (const auto& [ref, id] : ids) described.emplace_back(id);
    boost::json::object doc{
        {"spdxVersion", "SPDX-2.3"},
        {"dataLicense", "CC0-1.0"},
        {"SPDXID", "SPDXRef-DOCUMENT"},
        {"name", image.family + "-" + image.version},
        {"documentNamespace", "https://qlrf.dev/spdx/" + image.id + "/" + NewUuid(random_)},
        {"creationInfo", {{"created", now.substr(0, 19) + "Z"}, {"creators", {"Tool: qlrf"}}}},
        {"documentDescribes", std::move(described)},
        {"packages", std::move(packages)}};
    if (!rels.empty()) doc["relationships"] = std::move(rels);
    return boost::json::value(std::move(doc));
  });
}

Result<boost::json::value> VulnService::ExportOpenVex(const RequestContext& ctx,
                                                      std::string_view image_id) {
  std::string now = Now();
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<boost::json::value> {
    QLRF_ASSIGN_OR_RETURN(auto image, Required(ImageStore::GetImage(tx, image_id), "image"));
    QLRF_ASSIGN_OR_RETURN(auto vex, VulnStore::VexFor(tx, image_id));
    QLRF_ASSIGN_OR_RETURN(auto suppressions, VulnStore::ActiveSuppressions(tx, now));
    boost::json::array statements;
    std::string subject = "qlrf:image:" + image.family + "@" + image.version;
    for (const auto& v : vex) {
      boost::json::object s{
          {"vulnerability", {{"name", v.vuln_id}}},
          {"products", boost::json::array{{{"@id", v.product.empty() ? subject : v.product}}}},
          {"status", v.status},
          {"timestamp", v.created_at}};
      if (!v.justification.empty()) s["justification"] = v.justification;
      if (!v.detail.empty()) s["impact_statement"] = v.detail;
      if (!v.action.empty()) s["action_statement"] = v.action;
      if (v.status == "not_affected" && v.justification.empty() && v.detail.empty()) {
        s["impact_statement"] = "declared not affected";
      }
      if (v.status == "affected" && v.action.empty()) {
        s["action_statement"] = "no action statement given";
      }
      statements.push_back(std::move(s));
    }
    // Suppressions of this image are triage decisions too: exported as not_affected with the
    // reason as impact statement.
    QLRF_ASSIGN_OR_RETURN(auto rows, VulnStore::Findings(tx, image_id));
    for (const auto& sup : suppressions) {
      for (const auto& f : rows) {
        if (f.status != "open" || !SuppressionCovers(sup, image, f, {f.vuln_id})) continue;
        statements.push_back(
            {{"vulnerability", {{"name", f.vuln_id}}},
             {"products", boost::json::array{{{"@id", f.purl.empty() ? subject : f.purl}}}},
             {"status", "not_affected"},
             {"justification", "inline_mitigations_already_exist"},
             {"impact_statement", sup.reason},
             {"timestamp", sup.created_at}});
      }
    }
    return boost::json::value{{"@context", "https://openvex.dev/ns/v0.2.0"},
                              {"@id", "https://qlrf.dev/vex/" + image.id},
                              {"author", "qlrf"},
                              {"timestamp", now},
                              {"version", 1},
                              {"statements", std::move(statements)}};
  });
}

// --- feeds -----------------------------------------------------------------------------------

Result<FeedSummary> VulnService::ImportFeed(std::string_view feed, std::string_view bytes) {
  FeedSummary s;
  s.feed = std::string(feed);
  std::string now = Now();
  std::vector<std::string> reevaluate;
  if (feed == "kev") {
    QLRF_ASSIGN_OR_RETURN(auto kev, sbom::ParseKev(bytes));
    std::vector<storage::KevMark> marks;
    for (const auto& e : kev.entries) {
      marks.push_back({e.cve_id, e.date_added, e.due_date, e.known_ransomware});
    }
    s.records = static_cast<int64_t>(marks.size());
    QLRF_TRY(
        WithWrite(db_, "", [&](Transaction& tx) { return VulnStore::MarkKev(tx, marks, now); }));
    return s;
  }
  if (feed == "epss") {
    QLRF_ASSIGN_OR_RETURN(auto epss, sbom::ParseEpssCsv(bytes));
    std::vector<storage::EpssMark> marks;
    marks.reserve(epss.scores.size());
    for (const auto& e : epss.scores) marks.push_back({e.cve_id, e.epss, e.percentile});
    s.records = static_cast<int64_t>(marks.size());
    QLRF_TRY(
        WithWrite(db_, "", [&](Transaction& tx) { return VulnStore::MarkEpss(tx, marks, now); }));
    return s;
  }
  std::vector<sbom::Advisory> advisories;
  if (feed == "osv") {
    QLRF_ASSIGN_OR_RETURN(advisories, sbom::ParseOsv(bytes));
  } else if (feed == "nvd") {
    QLRF_ASSIGN_OR_RETURN(auto page, sbom::ParseNvd(bytes));
    advisories = std::move(page.advisories);
  } else {
    return Fail(InvalidArgument("feed must be kev, epss, osv or nvd").With("field", "feed"));
  }
  std::vector<storage::CatalogEntry> entries;
  for (const auto& a : advisories) {
    storage::CatalogEntry e;
    e.id = a.id;
    e.aliases = a.aliases;
    e.summary = Truncate(a.summary, 1000);
    e.description = a.description;
    e.published = a.published;
    e.modified = a.modified;
    e.cvss_score = a.cvss_score;
    e.cvss_vector = a.cvss_vector;
    e.severity = a.severity.empty() ? SeverityFromScore(a.cvss_score) : Lower(a.severity);
    if (e.severity == "moderate") e.severity = "medium";
    if (SeverityRank(e.severity) == 0 && e.severity != "unknown") e.severity = "unknown";
    e.cwes = a.cwes;
    e.updated_at = now;
    entries.push_back(std::move(e));
  }
  s.records = static_cast<int64_t>(entries.size());
  QLRF_TRY(WithWrite(db_, "", [&](Transaction& tx) -> Status {
    // Counted afresh on each attempt: WithWrite may run this again after a conflict.
    s.affected_packages = 0;
    reevaluate.clear();
    QLRF_TRY(VulnStore::UpsertCatalog(tx, entries));
    for (const auto& a : advisories) {
      if (feed != "osv") continue;
      // One row per (ecosystem, package): OSV may list a package several times (one entry per
      // release line); a version is affected when any of the ranges covers it.
      std::map<std::pair<std::string, std::string>, sbom::OsvAffected> merged;
      for (const auto& af : a.affected) {
        std::string key = PackageKeyOf(af.ecosystem, af.name, af.purl);
        if (key.empty()) continue;
        auto& m = merged[{af.ecosystem, key}];
        m.ranges.insert(m.ranges.end(), af.ranges.begin(), af.ranges.end());
        m.versions.insert(m.versions.end(), af.versions.begin(), af.versions.end());
      }
      std::vector<storage::AffectedRow> rows;
      for (const auto& [k, m] : merged) {
        boost::json::array versions;
        for (const auto& v : m.versions) versions.emplace_back(v);
        rows.push_back({a.id, k.first, k.second, RangesJson(m.ranges), json::Serialize(versions)});
      }
      s.affected_packages += static_cast<int64_t>(rows.size());
      QLRF_TRY(VulnStore::ReplaceAffected(tx, a.id, rows));
      if (!rows.empty()) reevaluate.push_back(a.id);
    }
    return Ok();
  }));
  if (!reevaluate.empty()) {
    QLRF_ASSIGN_OR_RETURN(auto r, Reevaluate(reevaluate));
    s.reevaluated_components = r.reevaluated_components;
    s.new_findings = r.new_findings;
  }
  return s;
}

Result<FeedSummary> VulnService::Reevaluate(const std::vector<std::string>& vuln_ids) {
  FeedSummary s;
  s.feed = "reevaluate";
  std::string now = Now();
  // 1. The advisories' affected packages, and every org's components of those packages.
  std::vector<storage::AffectedRow> rows;
  std::vector<storage::StoredComponent> components;
  QLRF_TRY(WithRead(db_, "", [&](Transaction& tx) -> Status {
    for (const auto& id : vuln_ids) {
      QLRF_ASSIGN_OR_RETURN(auto r, VulnStore::AffectedOf(tx, id));
      rows.insert(rows.end(), r.begin(), r.end());
    }
    std::vector<std::string> packages;
    for (const auto& r : rows) packages.push_back(r.package);
    std::sort(packages.begin(), packages.end());
    packages.erase(std::unique(packages.begin(), packages.end()), packages.end());
    QLRF_ASSIGN_OR_RETURN(components, VulnStore::ComponentsOfPackages(tx, packages));
    return Ok();
  }));
  s.affected_packages = static_cast<int64_t>(rows.size());
  s.reevaluated_components = static_cast<int64_t>(components.size());
  // 2. Evaluate each (advisory package, component) once, grouped by org.
  std::unordered_map<std::string,
                     std::vector<std::pair<const storage::AffectedRow*, sbom::OsvAffected>>>
      by_package;
  for (const auto& r : rows) by_package[r.package].push_back({&r, AffectedFromRow(r)});
  std::map<std::string, std::vector<FindingRow>> per_org;
  // Version verdicts repeat across SBOMs (the same package version in many images).
  std::unordered_map<std::string, bool> verdicts;
  for (const auto& c : components) {
    auto it = by_package.find(c.package);
    if (it == by_package.end() || c.version.empty()) continue;
    for (const auto& [row, affected] : it->second) {
      std::string vkey = row->vuln_id + '\x1f' + row->ecosystem + '\x1f' + c.version;
      auto v = verdicts.find(vkey);
      if (v == verdicts.end()) {
        auto hit = sbom::Affects(affected, c.version);
        v = verdicts.emplace(vkey, hit && *hit).first;
      }
      if (!v->second) continue;
      per_org[c.org_id].push_back(MatchedFinding(c, row->vuln_id, affected));
    }
  }
  // 3. Per org: insert the findings not yet stored (reopen fixed ones).
  for (auto& [org, found] : per_org) {
    // WithWrite may run the transaction again after a conflict: `found` keeps every row (the new
    // ones moved to its front, completed for insertion), so a second attempt sees them all.
    int64_t added = 0;
    QLRF_TRY(WithWrite(db_, org, [&](Transaction& tx) -> Status {
      std::vector<std::string> ids = vuln_ids;
      QLRF_ASSIGN_OR_RETURN(auto catalog, VulnStore::CatalogFor(tx, ids));
      storage::Params p{tx.org_id()};
      std::string in;
      for (const auto& id : ids) {
        p.Add(id);
        in += (in.empty() ? "$" : ", $") + std::to_string(p.size());
      }
      QLRF_ASSIGN_OR_RETURN(auto existing,
                            tx.Query("SELECT image_id, vuln_id, package_name, installed_version, "
                                     "status, id FROM image_vulnerabilities WHERE org_id = $1 "
                                     "AND vuln_id IN (" +
                                         in + ")",
                                     p));
      std::unordered_map<std::string, std::pair<std::string, std::string>> have;
      for (size_t i = 0; i < existing.rows(); ++i) {
        have[existing.Text(i, 0) + '\x1e' +
             FindingKey(existing.Text(i, 1), existing.Text(i, 2), existing.Text(i, 3))] = {
            existing.Text(i, 4), existing.Text(i, 5)};
      }
      // Decide first (fallible statements run while `found` is intact), then reorder.
      std::vector<char> is_new(found.size(), 0);
      std::vector<std::string> reopen;
      std::unordered_set<std::string> seen;
      for (size_t i = 0; i < found.size(); ++i) {
        const FindingRow& f = found[i];
        std::string key =
            f.image_id + '\x1e' + FindingKey(f.vuln_id, f.package_name, f.installed_version);
        if (!seen.insert(key).second) continue;
        auto h = have.find(key);
        if (h == have.end()) {
          is_new[i] = 1;
        } else if (h->second.first == "fixed") {
          reopen.push_back(h->second.second);
        }
      }
      for (const auto& id : reopen) {
        QLRF_TRY(
            tx.Exec("UPDATE image_vulnerabilities SET status = 'open', fixed_at = NULL, "
                    "last_seen_at = $3 WHERE org_id = $1 AND id = $2",
                    {tx.org_id(), id, now}));
      }
      // Statements already made about these vulnerabilities (under any of their ids) decide
      // the new findings' VEX status, as they do at import.
      std::vector<std::string> named = ids;
      for (const auto& [id, entry] : catalog) {
        named.insert(named.end(), entry.aliases.begin(), entry.aliases.end());
      }
      std::sort(named.begin(), named.end());
      named.erase(std::unique(named.begin(), named.end()), named.end());
      QLRF_ASSIGN_OR_RETURN(auto statements, VulnStore::VexNaming(tx, named));
      std::map<std::string, std::vector<storage::VexRow>> vex_of_image;  // "" = every image
      for (auto& v : statements) vex_of_image[v.image_id.value_or("")].push_back(std::move(v));
      auto vex_for = [&](const std::string& image) {
        std::vector<storage::VexRow> out;
        for (const std::string& key : {std::string(), image}) {
          if (auto it = vex_of_image.find(key); it != vex_of_image.end()) {
            out.insert(out.end(), it->second.begin(), it->second.end());
          }
        }
        return out;
      };
      std::vector<FindingRow> ordered;  // the new findings, then the rest
      std::vector<FindingRow> rest;
      ordered.reserve(found.size());
      UuidV7Sequence new_ids(random_, UnixMillis(clock_.Now()));
      for (size_t i = 0; i < found.size(); ++i) {
        FindingRow& f = found[i];
        if (is_new[i] == 0) {
          rest.push_back(std::move(f));
          continue;
        }
        if (auto c = catalog.find(f.vuln_id); c != catalog.end()) ApplyCatalog(f, c->second);
        f.id = new_ids.Next();
        f.source = "match";
        f.status = "open";
        f.first_seen_at = f.last_seen_at = now;
        if (!vex_of_image.empty()) {
          if (const storage::VexRow* v = DecidingVex(vex_for(f.image_id), f, catalog)) {
            f.vex_status = v->status;
            f.vex_justification = v->justification;
          }
        }
        ordered.push_back(std::move(f));
      }
      size_t n = ordered.size();
      for (auto& f : rest) ordered.push_back(std::move(f));
      found = std::move(ordered);
      added = static_cast<int64_t>(n);
      return VulnStore::InsertFindings(tx, std::span<const FindingRow>(found).first(n));
    }));
    s.new_findings += added;
  }
  return s;
}

}  // namespace qlrf::services
