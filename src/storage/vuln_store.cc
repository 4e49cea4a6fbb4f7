// VulnStore: catalog, SBOM imports, components, findings, VEX, suppressions, snapshots.
#include "storage/vuln_store.h"

#include <boost/json.hpp>

#include <algorithm>
#include <string_view>
#include <unordered_set>

#include "common/json.h"
#include "storage/bulk.h"

namespace qlrf::storage {
namespace {

void RequireTenant(const Transaction& tx) {
  QLRF_CHECK(!tx.org_id().empty(), "tenant query run in a system transaction");
}

SqlValue OptDouble(const std::optional<double>& d) { return d ? SqlValue(*d) : SqlValue(); }

std::optional<double> OptDoubleAt(const RowSet& r, size_t i, size_t c) {
  if (r.IsNull(i, c)) {
    return std::nullopt;
  }
  return r.Double(i, c);
}

std::string JsonList(const std::vector<std::string>& v) {
  boost::json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return json::Serialize(a);
}

std::vector<std::string> ListFromJson(const std::string& text) {
  std::vector<std::string> out;
  auto v = json::Parse(text);
  if (v && v->is_array()) {
    for (const auto& e : v->as_array()) {
      if (e.is_string()) out.emplace_back(e.as_string());
    }
  }
  return out;
}

// "$k, $k+1, …" for an IN list of n parameters starting after `p`'s current size.
std::string InList(Params& p, const std::vector<std::string>& values, size_t begin, size_t end) {
  std::string s;
  for (size_t i = begin; i < end; ++i) {
    p.Add(values[i]);
    s += (i == begin ? "$" : ", $") + std::to_string(p.size());
  }
  return s;
}

constexpr size_t kInChunk = 400;

// --- catalog

constexpr std::string_view kCatalogCols =
    "id, aliases, summary, description, published, modified, cvss_score, cvss_vector, severity, "
    "cwes, kev, kev_date_added, kev_due_date, kev_ransomware, epss, epss_percentile, "
    "exploit_known, updated_at";

// "p.a, p.b" from "a, b".
std::string Prefixed(std::string_view cols, std::string_view prefix) {
  std::string out(prefix);
  for (char c : cols) {
    out += c;
    if (c == ' ') out += prefix;
  }
  return out;
}

// The catalog columns starting at column `o`.
CatalogEntry CatalogAt(const RowSet& r, size_t i, size_t o) {
  CatalogEntry e;
  e.id = r.Text(i, o + 0);
  e.aliases = ListFromJson(r.Text(i, o + 1));
  e.summary = r.Text(i, o + 2);
  e.description = r.Text(i, o + 3);
  e.published = r.Text(i, o + 4);
  e.modified = r.Text(i, o + 5);
  e.cvss_score = OptDoubleAt(r, i, o + 6);
  e.cvss_vector = r.Text(i, o + 7);
  e.severity = r.Text(i, o + 8);
  e.cwes = ListFromJson(r.Text(i, o + 9));
  e.kev = r.Bool(i, o + 10);
  e.kev_date_added = r.Text(i, o + 11);
  e.kev_due_date = r.Text(i, o + 12);
  e.kev_ransomware = r.Bool(i, o + 13);
  e.epss = OptDoubleAt(r, i, o + 14);
  e.epss_percentile = OptDoubleAt(r, i, o + 15);
  e.exploit_known = r.Bool(i, o + 16);
  e.updated_at = r.Text(i, o + 17);
  return e;
}

// --- components

constexpr std::string_view kComponentCols =
    "id, image_id, ref, name, version, purl, package, type, ecosystem, licenses, hashes, "
    "supplier, created_at";

ComponentRow ComponentAt(const RowSet& r, size_t i) {
  return ComponentRow{r.Text(i, 0),  r.Text(i, 1),  r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                      r.Text(i, 5),  r.Text(i, 6),  r.Text(i, 7), r.Text(i, 8), r.Text(i, 9),
                      r.Text(i, 10), r.Text(i, 11), r.Text(i, 12)};
}

// --- findings

constexpr std::string_view kFindingCols =
    "id, image_id, vuln_id, package_name, installed_version, component_ref, purl, "
    "fixed_version, fix_state, severity, cvss_score, cvss_vector, epss, title, source, status, "
    "vex_status, vex_justification, first_seen_at, last_seen_at, fixed_at";

FindingRow FindingAt(const RowSet& r, size_t i) {
  FindingRow f;
  f.id = r.Text(i, 0);
  f.image_id = r.Text(i, 1);
  f.vuln_id = r.Text(i, 2);
  f.package_name = r.Text(i, 3);
  f.installed_version = r.Text(i, 4);
  f.component_ref = r.Text(i, 5);
  f.purl = r.Text(i, 6);
  f.fixed_version = r.Text(i, 7);
  f.fix_state = r.Text(i, 8);
  f.severity = r.Text(i, 9);
  f.cvss_score = OptDoubleAt(r, i, 10);
  f.cvss_vector = r.Text(i, 11);
  f.epss = OptDoubleAt(r, i, 12);
  f.title = r.Text(i, 13);
  f.source = r.Text(i, 14);
  f.status = r.Text(i, 15);
  f.vex_status = r.Text(i, 16);
  f.vex_justification = r.Text(i, 17);
  f.first_seen_at = r.Text(i, 18);
  f.last_seen_at = r.Text(i, 19);
  f.fixed_at = r.OptText(i, 20);
  return f;
}

// --- suppressions

constexpr std::string_view kSuppressionCols =
    "id, vuln_id, scope, scope_value, reason, author_id, expires_at, created_at, revoked_at";

Suppression SuppressionAt(const RowSet& r, size_t i) {
  return Suppression{r.Text(i, 0), r.Text(i, 1),    r.Text(i, 2), r.Text(i, 3),   r.Text(i, 4),
                     r.Text(i, 5), r.OptText(i, 6), r.Text(i, 7), r.OptText(i, 8)};
}

}  // namespace

// --- catalog ---------------------------------------------------------------------------------

Status VulnStore::UpsertCatalog(Transaction& tx, const std::vector<CatalogEntry>& entries) {
  // Advisory sources own the descriptive columns; KEV/EPSS marks are kept.
  QLRF_TRY(InsertMany(
      tx,
      "INSERT INTO vuln_catalog (id, aliases, summary, description, published, modified, "
      "cvss_score, cvss_vector, severity, cwes, updated_at) VALUES ",
      11, entries.size(),
      [&](size_t i, Params& p) {
        const auto& e = entries[i];
        p.Add(e.id)
            .Add(JsonList(e.aliases))
            .Add(e.summary)
            .Add(e.description)
            .Add(e.published)
            .Add(e.modified)
            .Add(OptDouble(e.cvss_score))
            .Add(e.cvss_vector)
            .Add(e.severity)
            .Add(JsonList(e.cwes))
            .Add(e.updated_at);
      },
      " ON CONFLICT (id) DO UPDATE SET aliases = excluded.aliases, summary = excluded.summary, "
      "description = excluded.description, published = excluded.published, "
      "modified = excluded.modified, "
      "cvss_score = COALESCE(excluded.cvss_score, vuln_catalog.cvss_score), "
      "cvss_vector = CASE WHEN excluded.cvss_vector <> '' THEN excluded.cvss_vector "
      "ELSE vuln_catalog.cvss_vector END, "
      "severity = CASE WHEN excluded.severity <> 'unknown' THEN excluded.severity "
      "ELSE vuln_catalog.severity END, "
      "cwes = excluded.cwes, updated_at = excluded.updated_at"));
  // Aliases both ways, so a finding reported under either id finds the entry.
  std::vector<std::pair<const std::string*, const std::string*>> pairs;
  for (const auto& e : entries) {
    pairs.push_back({&e.id, &e.id});
    for (const auto& a : e.aliases) pairs.push_back({&a, &e.id});
  }
  return InsertMany(
      tx, "INSERT INTO vuln_aliases (alias, vuln_id) VALUES ", 2, pairs.size(),
      [&](size_t i, Params& p) { p.Add(*pairs[i].first).Add(*pairs[i].second); },
      " ON CONFLICT DO NOTHING");
}

Status VulnStore::MarkKev(Transaction& tx, const std::vector<KevMark>& marks,
                          std::string_view now) {
  // Entries no longer listed lose the mark (CISA removes few, but it does).
  QLRF_TRY(tx.Exec("UPDATE vuln_catalog SET kev = 0 WHERE kev = 1", {}));
  return InsertMany(
      tx,
      "INSERT INTO vuln_catalog (id, kev, kev_date_added, kev_due_date, kev_ransomware, "
      "exploit_known, updated_at) VALUES ",
      7, marks.size(),
      [&](size_t i, Params& p) {
        const auto& m = marks[i];
        p.Add(m.id)
            .Add(int64_t{1})
            .Add(m.date_added)
            .Add(m.due_date)
            .Add(int64_t{m.ransomware ? 1 : 0})
            .Add(int64_t{1})
            .Add(std::string(now));
      },
      " ON CONFLICT (id) DO UPDATE SET kev = 1, kev_date_added = excluded.kev_date_added, "
      "kev_due_date = excluded.kev_due_date, kev_ransomware = excluded.kev_ransomware, "
      "exploit_known = 1, updated_at = excluded.updated_at");
}

Status VulnStore::MarkEpss(Transaction& tx, const std::vector<EpssMark>& marks,
                           std::string_view now) {
  return InsertMany(
      tx, "INSERT INTO vuln_catalog (id, epss, epss_percentile, updated_at) VALUES ", 4,
      marks.size(),
      [&](size_t i, Params& p) {
        p.Add(marks[i].id).Add(marks[i].epss).Add(marks[i].percentile).Add(std::string(now));
      },
      " ON CONFLICT (id) DO UPDATE SET epss = excluded.epss, "
      "epss_percentile = excluded.epss_percentile, updated_at = excluded.updated_at");
}

Status VulnStore::ReplaceAffected(Transaction& tx, std::string_view vuln_id,
                                  const std::vector<AffectedRow>& rows) {
  QLRF_TRY(tx.Exec("DELETE FROM vuln_affected WHERE vuln_id = $1", {std::string(vuln_id)}));
  return InsertMany(
      tx, "INSERT INTO vuln_affected (vuln_id, ecosystem, package, ranges, versions) VALUES ", 5,
      rows.size(),
      [&](size_t i, Params& p) {
        p.Add(std::string(vuln_id))
            .Add(rows[i].ecosystem)
            .Add(rows[i].package)
            .Add(rows[i].ranges_json)
            .Add(rows[i].versions_json);
      },
      " ON CONFLICT DO NOTHING");
}

Result<std::map<std::string, CatalogEntry>> VulnStore::CatalogFor(
    Transaction& tx, const std::vector<std::string>& ids) {
  // Per requested id: its own entry and the entries of its aliases in either direction (a GHSA
  // finding picks up its CVE's KEV and EPSS marks, a CVE finding its GHSA's description).
  std::map<std::string, std::vector<CatalogEntry>> found;
  static const std::string kCols = Prefixed(kCatalogCols, "c.");
  for (size_t b = 0; b < ids.size(); b += kInChunk) {
    Params p;
    std::string in = InList(p, ids, b, std::min(ids.size(), b + kInChunk));
    QLRF_ASSIGN_OR_RETURN(
        auto r, tx.Query("SELECT c.id, " + kCols + " FROM vuln_catalog c WHERE c.id IN (" + in +
                             ") UNION SELECT a.alias, " + kCols +
                             " FROM vuln_aliases a JOIN vuln_catalog c ON c.id = a.vuln_id "
                             "WHERE a.alias IN (" +
                             in + ") UNION SELECT a.vuln_id, " + kCols +
                             " FROM vuln_aliases a JOIN vuln_catalog c ON c.id = a.alias "
                             "WHERE a.vuln_id IN (" +
                             in + ")",
                         p));
    for (size_t i = 0; i < r.rows(); ++i) found[r.Text(i, 0)].push_back(CatalogAt(r, i, 1));
  }
  std::map<std::string, CatalogEntry> out;
  for (auto& [key, entries] : found) {
    // The entry of the id itself describes it; the others add their signals.
    auto base = std::find_if(entries.begin(), entries.end(),
                             [&](const CatalogEntry& e) { return e.id == key; });
    CatalogEntry m = base != entries.end() ? *base : entries.front();
    for (const auto& e : entries) {
      m.kev = m.kev || e.kev;
      m.kev_ransomware = m.kev_ransomware || e.kev_ransomware;
      m.exploit_known = m.exploit_known || e.exploit_known;
      if (m.kev_due_date.empty()) m.kev_due_date = e.kev_due_date;
      if (m.kev_date_added.empty()) m.kev_date_added = e.kev_date_added;
      if (!m.epss || (e.epss && *e.epss > *m.epss)) {
        m.epss = e.epss;
        m.epss_percentile = e.epss_percentile;
      }
      if (!m.cvss_score && e.cvss_score) {
        m.cvss_score = e.cvss_score;
        m.cvss_vector = e.cvss_vector;
      }
      if (m.severity == "unknown") m.severity = e.severity;
      if (m.summary.empty()) m.summary = e.summary;
      for (const auto& a : e.aliases) {
        if (a != m.id && std::find(m.aliases.begin(), m.aliases.end(), a) == m.aliases.end()) {
          m.aliases.push_back(a);
        }
      }
      if (e.id != m.id && std::find(m.aliases.begin(), m.aliases.end(), e.id) == m.aliases.end()) {
        m.aliases.push_back(e.id);
      }
    }
    out.emplace(key, std::move(m));
  }
  return out;
}

Result<std::vector<std::string>> VulnStore::ResolveAlias(Transaction& tx, std::string_view id) {
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("SELECT vuln_id FROM vuln_aliases WHERE alias = $1 UNION "
                       "SELECT alias FROM vuln_aliases WHERE vuln_id = $1 UNION SELECT $1",
                       {std::string(id)}));
  std::vector<std::string> out;
  for (size_t i = 0; i < r.rows(); ++i) out.push_back(r.Text(i, 0));
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<AffectedRow>> VulnStore::AffectedFor(Transaction& tx,
                                                        const std::vector<std::string>& packages) {
  std::vector<AffectedRow> out;
  for (size_t b = 0; b < packages.size(); b += kInChunk) {
    Params p;
    std::string in = InList(p, packages, b, std::min(packages.size(), b + kInChunk));
    QLRF_ASSIGN_OR_RETURN(
        auto r, tx.Query("SELECT vuln_id, ecosystem, package, ranges, versions FROM vuln_affected "
                         "WHERE package IN (" +
                             in + ")",
                         p));
    for (size_t i = 0; i < r.rows(); ++i) {
      out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4)});
    }
  }
  return out;
}

Result<std::vector<AffectedRow>> VulnStore::AffectedOf(Transaction& tx, std::string_view vuln_id) {
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("SELECT vuln_id, ecosystem, package, ranges, versions FROM vuln_affected "
                       "WHERE vuln_id = $1",
                       {std::string(vuln_id)}));
  std::vector<AffectedRow> out;
  for (size_t i = 0; i < r.rows(); ++i) {
    out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4)});
  }
  return out;
}

Result<std::vector<StoredComponent>> VulnStore::ComponentsOfPackages(
    Transaction& tx, const std::vector<std::string>& packages) {
  QLRF_CHECK(tx.org_id().empty(), "ComponentsOfPackages reads every org: system transaction");
  std::vector<StoredComponent> out;
  for (size_t b = 0; b < packages.size(); b += kInChunk) {
    Params p;
    std::string in = InList(p, packages, b, std::min(packages.size(), b + kInChunk));
    QLRF_ASSIGN_OR_RETURN(
        auto r, tx.Query("SELECT org_id, image_id, ref, name, version, purl, package, ecosystem "
                         "FROM image_components WHERE package IN (" +
                             in + ")",
                         p));
    out.reserve(out.size() + r.rows());
    for (size_t i = 0; i < r.rows(); ++i) {
      out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                     r.Text(i, 5), r.Text(i, 6), r.Text(i, 7)});
    }
  }
  return out;
}

// --- imports ---------------------------------------------------------------------------------

constexpr std::string_view kImportCols =
    "id, org_id, image_id, kind, format, spec_version, serial_number, tool, digest, components, "
    "findings, summary, actor_id, imported_at";

namespace {
SbomImport ImportAt(const RowSet& r, size_t i) {
  SbomImport m;
  m.id = r.Text(i, 0);
  m.image_id = r.Text(i, 2);
  m.kind = r.Text(i, 3);
  m.format = r.Text(i, 4);
  m.spec_version = r.Text(i, 5);
  m.serial_number = r.Text(i, 6);
  m.tool = r.Text(i, 7);
  m.digest = r.Text(i, 8);
  m.components = r.Int(i, 9);
  m.findings = r.Int(i, 10);
  m.summary_json = r.Text(i, 11);
  m.actor_id = r.Text(i, 12);
  m.imported_at = r.Text(i, 13);
  return m;
}
}  // namespace

Status VulnStore::InsertImport(Transaction& tx, const SbomImport& m) {
  RequireTenant(tx);
  return tx
      .Exec("INSERT INTO sbom_imports (" + std::string(kImportCols) +
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            {m.id, tx.org_id(), m.image_id, m.kind, m.format, m.spec_version, m.serial_number,
             m.tool, m.digest, m.components, m.findings, m.summary_json, m.actor_id, m.imported_at})
      .map([](int64_t) {});
}

Result<std::optional<SbomImport>> VulnStore::LatestImport(Transaction& tx,
                                                          std::string_view image_id,
                                                          std::string_view kind) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("SELECT " + std::string(kImportCols) +
                           " FROM sbom_imports WHERE org_id = $1 AND image_id = $2 AND kind = $3 "
                           "ORDER BY imported_at DESC, id DESC LIMIT 1",
                       {tx.org_id(), std::string(image_id), std::string(kind)}));
  if (r.empty()) {
    return std::optional<SbomImport>();
  }
  return std::optional<SbomImport>(ImportAt(r, 0));
}

// --- components ------------------------------------------------------------------------------

Status VulnStore::ReplaceComponents(Transaction& tx, std::string_view image_id,
                                    const std::vector<ComponentRow>& components,
                                    const std::vector<ComponentDep>& deps) {
  RequireTenant(tx);
  // Refs are unique per image (bom-refs, SPDXIDs, …); checked here rather than by an index that
  // no query reads (migration 0011).
  {
    std::unordered_set<std::string_view> refs;
    refs.reserve(components.size());
    for (const auto& c : components) {
      if (!refs.insert(c.ref).second) {
        return Fail(AlreadyExists("duplicate: component ref \"" + c.ref + "\" appears twice"));
      }
    }
  }
  Params key{tx.org_id(), std::string(image_id)};
  QLRF_TRY(tx.Exec("DELETE FROM image_component_deps WHERE org_id = $1 AND image_id = $2", key));
  QLRF_TRY(tx.Exec("DELETE FROM image_components WHERE org_id = $1 AND image_id = $2", key));
  const std::string image(image_id);
  QLRF_TRY(InsertMany(
      tx, "INSERT INTO image_components (org_id, " + std::string(kComponentCols) + ") VALUES ", 14,
      components.size(), [&](size_t i, Params& p) {
        const auto& c = components[i];
        p.Add(tx.org_id())
            .Add(c.id)
            .Add(image)
            .Add(c.ref)
            .Add(c.name)
            .Add(c.version)
            .Add(c.purl)
            .Add(c.package)
            .Add(c.type)
            .Add(c.ecosystem)
            .Add(c.licenses_json)
            .Add(c.hashes_json)
            .Add(c.supplier)
            .Add(c.created_at);
      }));
  return InsertMany(
      tx, "INSERT INTO image_component_deps (org_id, image_id, from_ref, to_ref) VALUES ", 4,
      deps.size(),
      [&](size_t i, Params& p) {
        p.Add(tx.org_id()).Add(image).Add(deps[i].from_ref).Add(deps[i].to_ref);
      },
      " ON CONFLICT DO NOTHING");
}

Result<Page<ComponentRow>> VulnStore::ListComponents(Transaction& tx, std::string_view image_id,
                                                     const ComponentFilter& f,
                                                     const PageRequest& page) {
  RequireTenant(tx);
  Params p{tx.org_id(), std::string(image_id)};
  std::string sql = "SELECT " + std::string(kComponentCols) +
                    " FROM image_components WHERE org_id = $1 AND image_id = $2";
  if (f.q) {
    p.Add("%" + *f.q + "%");
    std::string n = "$" + std::to_string(p.size());
    sql += " AND (name LIKE " + n + " OR purl LIKE " + n + ")";
  }
  if (f.type) {
    p.Add(*f.type);
    sql += " AND type = $" + std::to_string(p.size());
  }
  if (f.ecosystem) {
    p.Add(*f.ecosystem);
    sql += " AND ecosystem = $" + std::to_string(p.size());
  }
  if (page.after_key) {
    p.Add(*page.after_key);
    std::string k = "$" + std::to_string(p.size());
    p.Add(page.after_id.value_or(""));
    std::string id = "$" + std::to_string(p.size());
    sql += " AND (name > " + k + " OR (name = " + k + " AND id > " + id + "))";
  }
  sql += " ORDER BY name, id LIMIT " + std::to_string(page.limit + 1);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query(sql, p));
  std::vector<ComponentRow> rows;
  for (size_t i = 0; i < r.rows(); ++i) rows.push_back(ComponentAt(r, i));
  return MakePage(std::move(rows), page.limit,
                  [](const ComponentRow& c) { return std::pair(c.name, c.id); });
}

Result<std::vector<ComponentRow>> VulnStore::AllComponents(Transaction& tx,
                                                           std::string_view image_id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT " + std::string(kComponentCols) +
                                             " FROM image_components WHERE org_id = $1 AND "
                                             "image_id = $2 ORDER BY name, id",
                                         {tx.org_id(), std::string(image_id)}));
  std::vector<ComponentRow> out;
  out.reserve(r.rows());
  for (size_t i = 0; i < r.rows(); ++i) out.push_back(ComponentAt(r, i));
  return out;
}

Result<std::vector<ComponentDep>> VulnStore::Dependencies(Transaction& tx,
                                                          std::string_view image_id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("SELECT from_ref, to_ref FROM image_component_deps WHERE org_id = $1 AND "
                       "image_id = $2 ORDER BY from_ref, to_ref",
                       {tx.org_id(), std::string(image_id)}));
  std::vector<ComponentDep> out;
  for (size_t i = 0; i < r.rows(); ++i) out.push_back({r.Text(i, 0), r.Text(i, 1)});
  return out;
}

// --- findings --------------------------------------------------------------------------------

Result<std::vector<FindingRow>> VulnStore::Findings(Transaction& tx, std::string_view image_id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT " + std::string(kFindingCols) +
                                             " FROM image_vulnerabilities WHERE org_id = $1 AND "
                                             "image_id = $2 ORDER BY vuln_id, package_name, id",
                                         {tx.org_id(), std::string(image_id)}));
  std::vector<FindingRow> out;
  out.reserve(r.rows());
  for (size_t i = 0; i < r.rows(); ++i) out.push_back(FindingAt(r, i));
  return out;
}

Status VulnStore::InsertFindings(Transaction& tx, std::span<const FindingRow> rows) {
  RequireTenant(tx);
  return InsertMany(
      tx, "INSERT INTO image_vulnerabilities (org_id, " + std::string(kFindingCols) + ") VALUES ",
      22, rows.size(), [&](size_t i, Params& p) {
        const auto& f = rows[i];
        p.Add(tx.org_id())
            .Add(f.id)
            .Add(f.image_id)
            .Add(f.vuln_id)
            .Add(f.package_name)
            .Add(f.installed_version)
            .Add(f.component_ref)
            .Add(f.purl)
            .Add(f.fixed_version)
            .Add(f.fix_state)
            .Add(f.severity)
            .Add(OptDouble(f.cvss_score))
            .Add(f.cvss_vector)
            .Add(OptDouble(f.epss))
            .Add(f.title)
            .Add(f.source)
            .Add(f.status)
            .Add(f.vex_status)
            .Add(f.vex_justification)
            .Add(f.first_seen_at)
            .Add(f.last_seen_at)
            .AddOptional(f.fixed_at);
      });
}

Status VulnStore::UpdateFinding(Transaction& tx, const FindingRow& f) {
  RequireTenant(tx);
  Params p{tx.org_id(),
           f.id,
           f.component_ref,
           f.purl,
           f.fixed_version,
           f.fix_state,
           f.severity,
           OptDouble(f.cvss_score),
           f.cvss_vector,
           OptDouble(f.epss),
           f.title,
           f.source,
           f.status,
           f.vex_status,
           f.vex_justification,
           f.last_seen_at};
  p.AddOptional(f.fixed_at);
  QLRF_ASSIGN_OR_RETURN(
      int64_t n,
      tx.Exec("UPDATE image_vulnerabilities SET component_ref = $3, purl = $4, "
              "fixed_version = $5, fix_state = $6, severity = $7, cvss_score = $8, "
              "cvss_vector = $9, epss = $10, title = $11, source = $12, status = $13, "
              "vex_status = $14, vex_justification = $15, last_seen_at = $16, fixed_at = $17 "
              "WHERE org_id = $1 AND id = $2",
              p));
  if (n == 0) {
    return Fail(NotFound("finding not found"));
  }
  return Ok();
}

Result<std::vector<ExposedImage>> VulnStore::Exposure(Transaction& tx,
                                                      const std::vector<std::string>& vuln_ids) {
  RequireTenant(tx);
  std::vector<ExposedImage> out;
  for (size_t b = 0; b < vuln_ids.size(); b += kInChunk) {
    Params p{tx.org_id()};
    std::string in = InList(p, vuln_ids, b, std::min(vuln_ids.size(), b + kInChunk));
    QLRF_ASSIGN_OR_RETURN(
        auto r, tx.Query("SELECT v.image_id, i.family, i.version, i.status, v.package_name, "
                         "v.installed_version, v.fixed_version, v.vex_status "
                         "FROM image_vulnerabilities v JOIN images i ON i.id = v.image_id "
                         "WHERE v.org_id = $1 AND v.status = 'open' AND v.vuln_id IN (" +
                             in + ") ORDER BY i.family, i.version, v.package_name",
                         p));
    for (size_t i = 0; i < r.rows(); ++i) {
      out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                     r.Text(i, 5), r.Text(i, 6), r.Text(i, 7)});
    }
  }
  return out;
}

// --- suppressions ----------------------------------------------------------------------------

Status VulnStore::CreateSuppression(Transaction& tx, const Suppression& s) {
  RequireTenant(tx);
  Params p{s.id, tx.org_id(), s.vuln_id, s.scope, s.scope_value, s.reason, s.author_id};
  p.AddOptional(s.expires_at).Add(s.created_at);
  return tx
      .Exec(
          "INSERT INTO vuln_suppressions (id, org_id, vuln_id, scope, scope_value, reason, "
          "author_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
          p)
      .map([](int64_t) {});
}

Result<std::optional<Suppression>> VulnStore::GetSuppression(Transaction& tx, std::string_view id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r,
                        tx.Query("SELECT " + std::string(kSuppressionCols) +
                                     " FROM vuln_suppressions WHERE org_id = $1 AND id = $2",
                                 {tx.org_id(), std::string(id)}));
  if (r.empty()) {
    return std::optional<Suppression>();
  }
  return std::optional<Suppression>(SuppressionAt(r, 0));
}

Result<Page<Suppression>> VulnStore::ListSuppressions(Transaction& tx,
                                                      std::optional<std::string> vuln_id,
                                                      std::optional<std::string> active_at,
                                                      const PageRequest& page) {
  RequireTenant(tx);
  Params p{tx.org_id()};
  std::string sql =
      "SELECT " + std::string(kSuppressionCols) + " FROM vuln_suppressions WHERE org_id = $1";
  if (vuln_id) {
    p.Add(*vuln_id);
    sql += " AND vuln_id = $" + std::to_string(p.size());
  }
  if (active_at) {
    p.Add(*active_at);
    sql += " AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $" +
           std::to_string(p.size()) + ")";
  }
  if (page.after_key) {
    p.Add(*page.after_key);
    std::string k = "$" + std::to_string(p.size());
    p.Add(page.after_id.value_or(""));
    std::string id = "$" + std::to_string(p.size());
    sql += " AND (created_at < " + k + " OR (created_at = " + k + " AND id < " + id + "))";
  }
  sql += " ORDER BY created_at DESC, id DESC LIMIT " + std::to_string(page.limit + 1);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query(sql, p));
  std::vector<Suppression> rows;
  for (size_t i = 0; i < r.rows(); ++i) rows.push_back(SuppressionAt(r, i));
  return MakePage(std::move(rows), page.limit,
                  [](const Suppression& s) { return std::pair(s.created_at, s.id); });
}

Result<std::vector<Suppression>> VulnStore::ActiveSuppressions(Transaction& tx,
                                                               std::string_view now) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("SELECT " + std::string(kSuppressionCols) +
                           " FROM vuln_suppressions WHERE org_id = $1 AND revoked_at IS NULL AND "
                           "(expires_at IS NULL OR expires_at > $2)",
                       {tx.org_id(), std::string(now)}));
  std::vector<Suppression> out;
  for (size_t i = 0; i < r.rows(); ++i) out.push_back(SuppressionAt(r, i));
  return out;
}

Status VulnStore::RevokeSuppression(Transaction& tx, std::string_view id, std::string_view at) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(int64_t n,
                        tx.Exec("UPDATE vuln_suppressions SET revoked_at = $3 WHERE org_id = $1 "
                                "AND id = $2 AND revoked_at IS NULL",
                                {tx.org_id(), std::string(id), std::string(at)}));
  if (n == 0) {
    return Fail(NotFound("suppression not found or already revoked"));
  }
  return Ok();
}

// --- VEX -------------------------------------------------------------------------------------

Status VulnStore::InsertVex(Transaction& tx, const std::vector<VexRow>& rows) {
  RequireTenant(tx);
  return InsertMany(
      tx,
      "INSERT INTO vex_statements (id, org_id, image_id, vuln_id, product, status, "
      "justification, detail, action, source, created_at) VALUES ",
      11, rows.size(), [&](size_t i, Params& p) {
        const auto& v = rows[i];
        p.Add(v.id).Add(tx.org_id()).AddOptional(v.image_id).Add(v.vuln_id).Add(v.product);
        p.Add(v.status).Add(v.justification).Add(v.detail).Add(v.action).Add(v.source);
        p.Add(v.created_at);
      });
}

namespace {

constexpr std::string_view kVexCols =
    "id, image_id, vuln_id, product, status, justification, detail, action, source, created_at";

void AppendVexRows(const RowSet& r, std::vector<VexRow>& out) {
  for (size_t i = 0; i < r.rows(); ++i) {
    out.push_back({r.Text(i, 0), r.OptText(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                   r.Text(i, 5), r.Text(i, 6), r.Text(i, 7), r.Text(i, 8), r.Text(i, 9)});
  }
}

}  // namespace

Result<std::vector<VexRow>> VulnStore::VexFor(Transaction& tx, std::string_view image_id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r,
                        tx.Query("SELECT " + std::string(kVexCols) +
                                     " FROM vex_statements WHERE org_id = $1 AND "
                                     "(image_id = $2 OR image_id IS NULL) ORDER BY created_at, id",
                                 {tx.org_id(), std::string(image_id)}));
  std::vector<VexRow> out;
  AppendVexRows(r, out);
  return out;
}

Result<std::vector<VexRow>> VulnStore::VexNaming(Transaction& tx,
                                                 const std::vector<std::string>& vuln_ids) {
  RequireTenant(tx);
  std::vector<VexRow> out;
  for (size_t b = 0; b < vuln_ids.size(); b += kInChunk) {
    Params p{tx.org_id()};
    std::string in = InList(p, vuln_ids, b, std::min(vuln_ids.size(), b + kInChunk));
    QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT " + std::string(kVexCols) +
                                               " FROM vex_statements WHERE org_id = $1 AND "
                                               "vuln_id IN (" +
                                               in + ")",
                                           p));
    AppendVexRows(r, out);
  }
  std::sort(out.begin(), out.end(), [](const VexRow& a, const VexRow& b) {
    return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
  });
  return out;
}

// --- snapshots -------------------------------------------------------------------------------

Status VulnStore::InsertSnapshot(Transaction& tx, const VulnSnapshot& s) {
  RequireTenant(tx);
  return tx
      .Exec(
          "INSERT INTO image_vuln_snapshots (org_id, image_id, taken_at, critical, high, "
          "medium, low, unknown, kev, fixable) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
          "ON CONFLICT (image_id, taken_at) DO UPDATE SET critical = excluded.critical, "
          "high = excluded.high, medium = excluded.medium, low = excluded.low, "
          "unknown = excluded.unknown, kev = excluded.kev, fixable = excluded.fixable",
          {tx.org_id(), s.image_id, s.taken_at, s.critical, s.high, s.medium, s.low, s.unknown,
           s.kev, s.fixable})
      .map([](int64_t) {});
}

Result<std::vector<VulnSnapshot>> VulnStore::Snapshots(Transaction& tx, std::string_view image_id,
                                                       int limit) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("SELECT image_id, taken_at, critical, high, medium, low, unknown, kev, "
                       "fixable FROM image_vuln_snapshots WHERE org_id = $1 AND image_id = $2 "
                       "ORDER BY taken_at DESC LIMIT " +
                           std::to_string(limit),
                       {tx.org_id(), std::string(image_id)}));
  std::vector<VulnSnapshot> out;
  for (size_t i = r.rows(); i-- > 0;) {
    out.push_back({r.Text(i, 0), r.Text(i, 1), r.Int(i, 2), r.Int(i, 3), r.Int(i, 4), r.Int(i, 5),
                   r.Int(i, 6), r.Int(i, 7), r.Int(i, 8)});
  }
  return out;
}

}  // namespace qlrf::storage
