// InventoryStore: sites, assets and DR pairs over portable SQL.
#include "storage/inventory_store.h"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <utility>

#include "common/json.h"
#include "storage/bulk.h"
#include "storage/image_store.h"

namespace qlrf::storage {
namespace {

void RequireTenant(const Transaction& tx) {
  QLRF_CHECK(!tx.org_id().empty(), "tenant query run in a system transaction");
}

Status ExpectOne(Result<int64_t> changed, const std::string& what) {
  QLRF_TRY(changed);
  if (*changed == 0) {
    return Fail(NotFound(what + " not found"));
  }
  return Ok();
}

std::string P(const Params& p) { return "$" + std::to_string(p.size()); }

// --- sites

constexpr std::string_view kSiteCols =
    "id, org_id, name, platform, region, datacenter, environment, created_at, updated_at";

Site SiteAt(const RowSet& r, size_t i) {
  return Site{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
              r.Text(i, 5), r.Text(i, 6), r.Text(i, 7), r.Text(i, 8)};
}

// --- assets

constexpr std::string_view kAssetCols =
    "a.id, a.org_id, a.platform, a.instance_id, a.name, a.environment, a.site_id, a.region, "
    "a.state, a.image_ref, a.image_family, a.image_version, a.os, a.ips, a.tags, "
    "a.first_seen_at, a.last_seen_at, a.created_at, a.updated_at";

std::string IpsJson(const std::vector<std::string>& ips) {
  boost::json::array a;
  for (const auto& ip : ips) {
    a.emplace_back(ip);
  }
  return json::Serialize(a);
}

std::string TagsJson(const std::map<std::string, std::string>& tags) {
  boost::json::object o;
  for (const auto& [k, v] : tags) {
    o[k] = v;
  }
  return json::Serialize(o);
}

Asset AssetAt(const RowSet& r, size_t i) {
  Asset a;
  a.id = r.Text(i, 0);
  a.org_id = r.Text(i, 1);
  a.platform = r.Text(i, 2);
  a.instance_id = r.Text(i, 3);
  a.name = r.Text(i, 4);
  a.environment = r.Text(i, 5);
  a.site_id = r.OptText(i, 6);
  a.region = r.Text(i, 7);
  a.state = r.Text(i, 8);
  a.image_ref = r.Text(i, 9);
  a.image_family = r.Text(i, 10);
  a.image_version = r.Text(i, 11);
  a.os = r.Text(i, 12);
  if (auto ips = json::Parse(r.Text(i, 13)); ips && ips->is_array()) {
    for (const auto& v : ips->as_array()) {
      if (v.is_string()) {
        a.ips.emplace_back(v.as_string());
      }
    }
  }
  if (auto tags = json::Parse(r.Text(i, 14)); tags && tags->is_object()) {
    for (const auto& [k, v] : tags->as_object()) {
      if (v.is_string()) {
        a.tags.emplace(std::string(k), std::string(v.as_string()));
      }
    }
  }
  a.first_seen_at = r.Text(i, 15);
  a.last_seen_at = r.Text(i, 16);
  a.created_at = r.Text(i, 17);
  a.updated_at = r.Text(i, 18);
  return a;
}

// True when a filter names only columns the asset_rollup table keeps.
bool RollupCovers(const AssetFilter& f) { return f.tags.empty() && (!f.text || f.text->empty()); }

// " AND EXISTS (…)": the asset (org and id given as SQL expressions) carries the tag.
std::string TagExists(const std::pair<std::string, std::string>& tag, std::string_view org,
                      std::string_view id, Params& params) {
  params.Add(tag.first);
  std::string k = P(params);
  params.Add(tag.second);
  return " AND EXISTS (SELECT 1 FROM asset_tags t WHERE t.org_id = " + std::string(org) +
         " AND t.asset_id = " + std::string(id) + " AND t.key = " + k + " AND t.value = " +
         P(params) + ")";
}

// The WHERE clause (after "WHERE <t>.org_id = $1") for a filter over table alias `t` ("a" for
// assets, "r" for asset_rollup); appends its parameters.
std::string FilterSql(const AssetFilter& f, Params& params, const std::string& t = "a") {
  std::string w;
  auto eq = [&](std::string_view col, const std::optional<std::string>& v) {
    if (v) {
      params.Add(*v);
      w += " AND " + t + "." + std::string(col) + " = " + P(params);
    }
  };
  eq("platform", f.platform);
  eq("environment", f.environment);
  eq("site_id", f.site_id);
  eq("state", f.state);
  eq("region", f.region);
  eq("image_family", f.image_family);
  eq("image_version", f.image_version);
  for (const auto& tag : f.tags) {
    w += TagExists(tag, "a.org_id", "a.id", params);
  }
  if (f.drifted) {
    // The version the asset should run: the family's current production image for its target
    // (ImageStore::CurrentProduction). An asset with no such image is not drifted.
    const std::string sql =
        "COALESCE(" +
        ImageStore::CurrentAtTargetSql("version", t + ".org_id", t + ".image_family",
                                       t + ".platform", t + ".region") +
        ", " + t + ".image_version)";
    w += " AND " + sql + (*f.drifted ? " <> " : " = ") + t + ".image_version";
  }
  if (f.text && !f.text->empty()) {
    std::string pattern = "%";
    for (char c : *f.text) {
      if (c == '%' || c == '_' || c == '\\') {
        pattern += '\\';
      }
      pattern += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    pattern += '%';
    params.Add(pattern);
    w += " AND (lower(a.name) LIKE " + P(params) + " ESCAPE '\\' OR lower(a.instance_id) LIKE " +
         P(params) + " ESCAPE '\\')";
  }
  return w;
}

std::string SortKey(const AssetSort& s) {
  return std::string(AssetSortColumn(s.field)) + (s.descending ? ":desc" : ":asc");
}

std::string SortValue(const Asset& a, AssetSortField f) {
  switch (f) {
    case AssetSortField::kName:
      return a.name;
    case AssetSortField::kCreatedAt:
      return a.created_at;
    case AssetSortField::kLastSeenAt:
      return a.last_seen_at;
    case AssetSortField::kInstanceId:
      return a.instance_id;
  }
  return a.name;
}

Status WriteTags(Transaction& tx, const Asset& a) {
  QLRF_TRY(
      tx.Exec("DELETE FROM asset_tags WHERE org_id = $1 AND asset_id = $2", {tx.org_id(), a.id}));
  for (const auto& [k, v] : a.tags) {
    QLRF_TRY(
        tx.Exec("INSERT INTO asset_tags (org_id, asset_id, key, value) VALUES ($1, $2, $3, $4)",
                {tx.org_id(), a.id, k, v}));
  }
  return Ok();
}

// The 19 values of kInsertAsset, appended to `p` (bulk loads append many rows to one Params).
void AppendAssetParams(Params& p, const Transaction& tx, const Asset& a) {
  p.Add(a.id).Add(tx.org_id()).Add(a.platform).Add(a.instance_id).Add(a.name).Add(a.environment);
  p.AddOptional(a.site_id)
      .Add(a.region)
      .Add(a.state)
      .Add(a.image_ref)
      .Add(a.image_family)
      .Add(a.image_version)
      .Add(a.os)
      .Add(IpsJson(a.ips))
      .Add(TagsJson(a.tags))
      .Add(a.first_seen_at)
      .Add(a.last_seen_at)
      .Add(a.created_at)
      .Add(a.updated_at);
}

Params AssetParams(const Transaction& tx, const Asset& a) {
  Params p;
  AppendAssetParams(p, tx, a);
  return p;
}

// Bulk loads join the rollup key's columns with this (it cannot occur in them).
constexpr char kRollupKeySeparator = '\x1f';

// Re-creates the dropped indexes and triggers. Index builds sort: with a small sorter budget
// (the page cache size) and two sorter threads, SQLite sorts cache-sized runs in parallel and
// merges them — measured about 2× faster for 1M assets than one in-memory sort of everything,
// which chases pointers through a list of a gigabyte (threads need temp_store=FILE, which the
// bulk-load connection of SqliteOptions uses). The connection's settings are put back
// afterwards, also on failure.
Status RebuildSchemaObjects(Transaction& tx, const std::vector<std::string>& statements) {
  QLRF_ASSIGN_OR_RETURN(auto cache, tx.Query("PRAGMA cache_size", {}));
  std::string restore = "PRAGMA cache_size=" + std::to_string(cache.Int(0, 0)) + "; PRAGMA threads=0";
  QLRF_TRY(tx.ExecScript("PRAGMA cache_size=-8192; PRAGMA threads=2"));
  Status st = Ok();
  for (const auto& sql : statements) {
    if (st = tx.ExecScript(sql); !st) break;
  }
  Status restored = tx.ExecScript(restore);
  QLRF_TRY(st);
  return restored;
}

// FROM clause for reading the assets under a filter: with a tag filter the scan starts from the
// tag index and fetches each tagged asset by id (its WHERE still checks every tag, the first one
// included), instead of probing the tags of every asset of the org — at 1M assets 2.6 s → 0.4 s
// for a tag a fifth of the fleet carries. SQLite's CROSS JOIN keeps that join order.
std::string AssetsFrom(const Transaction& tx, const AssetFilter& f, Params& params) {
  if (f.tags.empty()) {
    return " FROM assets a";
  }
  params.Add(f.tags.front().first);
  std::string k = P(params);
  params.Add(f.tags.front().second);
  return std::string(" FROM asset_tags t0 ") +
         (tx.dialect() == Dialect::kSqlite ? "CROSS JOIN" : "JOIN") +
         " assets a ON a.id = t0.asset_id AND t0.org_id = $1 AND t0.key = " + k +
         " AND t0.value = " + P(params);
}

// No condition on the columns the rollup keeps (tags and text aside).
bool NoColumnConditions(const AssetFilter& f) {
  return !f.platform && !f.environment && !f.site_id && !f.state && !f.region &&
         !f.image_family && !f.image_version && !f.drifted;
}

// A filter made of tag conditions alone: its count needs no asset row.
bool OnlyTags(const AssetFilter& f) {
  return !f.tags.empty() && NoColumnConditions(f) && (!f.text || f.text->empty());
}

// Assets carrying a tag, counted in the tag index alone.
Result<int64_t> CountTagged(Transaction& tx, const std::pair<std::string, std::string>& tag) {
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT count(*) FROM asset_tags WHERE org_id = $1 AND "
                                         "key = $2 AND value = $3",
                                         {tx.org_id(), tag.first, tag.second}));
  return r.Int(0, 0);
}

// Assets matching a filter the rollup covers (RollupCovers), summed from the rollup.
Result<int64_t> RollupCount(Transaction& tx, const AssetFilter& f) {
  Params p{tx.org_id()};
  std::string where = " WHERE r.org_id = $1" + FilterSql(f, p, "r");
  QLRF_ASSIGN_OR_RETURN(auto r,
                        tx.Query("SELECT COALESCE(SUM(r.n), 0) FROM asset_rollup r" + where, p));
  return r.Int(0, 0);
}

// How the assets under a filter with tags are read. AssetsFrom starts from the first tag, and
// each later one costs a primary-key probe per asset the first one found (two tags at 1M: 1.4 s
// when the first was the common one), so the rarest tag goes first. It drives the scan unless
// the other conditions (counted in the rollup) leave fewer assets: a common tag with a small
// site reads the site's assets instead (0.44 → 0.05–0.11 s at 1M).
struct TagPlan {
  AssetFilter filter;       // the filter, its rarest tag first
  int64_t rarest = 0;       // assets carrying that tag
  int64_t all = 0;          // the org's assets (DecideDriver)
  bool tags_drive = false;  // read from the rarest tag's index entries (DecideDriver)
};
Result<TagPlan> PlanTags(Transaction& tx, AssetFilter f) {
  TagPlan plan;
  if (!f.tags.empty()) {
    QLRF_ASSIGN_OR_RETURN(plan.rarest, CountTagged(tx, f.tags.front()));
    for (size_t i = 1; i < f.tags.size(); ++i) {
      QLRF_ASSIGN_OR_RETURN(int64_t n, CountTagged(tx, f.tags[i]));
      if (n < plan.rarest) {
        plan.rarest = n;
        std::swap(f.tags.front(), f.tags[i]);
      }
    }
  }
  plan.filter = std::move(f);
  return plan;
}

// Fills the plan's `all` and `tags_drive` (two rollup sums) for a filter with tags.
Status DecideDriver(Transaction& tx, TagPlan& plan) {
  QLRF_ASSIGN_OR_RETURN(plan.all, RollupCount(tx, AssetFilter{}));
  int64_t rest = plan.all;  // what the other conditions leave
  if (!NoColumnConditions(plan.filter)) {
    AssetFilter others = plan.filter;
    others.tags.clear();
    others.text.reset();
    QLRF_ASSIGN_OR_RETURN(rest, RollupCount(tx, others));
  }
  plan.tags_drive = plan.rarest <= rest;
  return Ok();
}

Result<int64_t> CountOrgAssets(Transaction& tx) {
  QLRF_ASSIGN_OR_RETURN(auto r,
                        tx.Query("SELECT count(*) FROM assets WHERE org_id = $1", {tx.org_id()}));
  return r.Int(0, 0);
}

constexpr std::string_view kInsertAsset =
    "INSERT INTO assets (id, org_id, platform, instance_id, name, environment, site_id, region, "
    "state, image_ref, image_family, image_version, os, ips, tags, first_seen_at, last_seen_at, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
    "$14, $15, $16, $17, $18, $19)";

// Every parameter appears (PostgreSQL must infer each one's type); first_seen_at and
// created_at carry the stored values back unchanged.
constexpr std::string_view kUpdateAsset =
    "UPDATE assets SET platform = $3, instance_id = $4, name = $5, environment = $6, "
    "site_id = $7, region = $8, state = $9, image_ref = $10, image_family = $11, "
    "image_version = $12, os = $13, ips = $14, tags = $15, first_seen_at = $16, "
    "last_seen_at = $17, created_at = $18, updated_at = $19 WHERE id = $1 AND org_id = $2";

bool SameContent(const Asset& a, const Asset& b) {
  return a.name == b.name && a.environment == b.environment && a.site_id == b.site_id &&
         a.region == b.region && a.state == b.state && a.image_ref == b.image_ref &&
         a.image_family == b.image_family && a.image_version == b.image_version && a.os == b.os &&
         a.ips == b.ips && a.tags == b.tags;
}

// --- DR pairs

constexpr std::string_view kPairCols =
    "id, org_id, name, primary_site_id, dr_site_id, rpo_seconds, rto_seconds, replication_mode, "
    "replication_status, last_drill_at, created_at, updated_at";

DrPair PairAt(const RowSet& r, size_t i) {
  return DrPair{r.Text(i, 0), r.Text(i, 1),    r.Text(i, 2),  r.Text(i, 3),
                r.Text(i, 4), r.Int(i, 5),     r.Int(i, 6),   r.Text(i, 7),
                r.Text(i, 8), r.OptText(i, 9), r.Text(i, 10), r.Text(i, 11)};
}

std::string Keyset(const PageRequest& page, Params& params) {
  if (!page.after_key || !page.after_id) {
    return {};
  }
  params.Add(*page.after_key);
  std::string k = P(params);
  params.Add(*page.after_id);
  return " AND (created_at, id) > (" + k + ", " + P(params) + ")";
}

}  // namespace

std::string_view AssetSortColumn(AssetSortField f) {
  switch (f) {
    case AssetSortField::kName:
      return "name";
    case AssetSortField::kCreatedAt:
      return "created_at";
    case AssetSortField::kLastSeenAt:
      return "last_seen_at";
    case AssetSortField::kInstanceId:
      return "instance_id";
  }
  return "name";
}

// --- sites -----------------------------------------------------------------------------------

Status InventoryStore::CreateSite(Transaction& tx, const Site& s) {
  RequireTenant(tx);
  QLRF_TRY(tx.Exec("INSERT INTO sites (" + std::string(kSiteCols) +
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                   {s.id, tx.org_id(), s.name, s.platform, s.region, s.datacenter, s.environment,
                    s.created_at, s.updated_at}));
  return Ok();
}

Result<std::optional<Site>> InventoryStore::GetSite(Transaction& tx, std::string_view id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT " + std::string(kSiteCols) +
                                             " FROM sites WHERE org_id = $1 AND id = $2",
                                         {tx.org_id(), std::string(id)}));
  if (r.empty()) {
    return std::optional<Site>();
  }
  return std::optional<Site>(SiteAt(r, 0));
}

Result<Page<Site>> InventoryStore::ListSites(Transaction& tx, const PageRequest& page) {
  RequireTenant(tx);
  Params params{tx.org_id()};
  std::string keyset = Keyset(page, params);
  params.Add(int64_t{page.limit + 1});
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("SELECT " + std::string(kSiteCols) + " FROM sites WHERE org_id = $1" +
                           keyset + " ORDER BY created_at, id LIMIT " + P(params),
                       params));
  std::vector<Site> items;
  for (size_t i = 0; i < r.rows(); ++i) {
    items.push_back(SiteAt(r, i));
  }
  return MakePage(std::move(items), page.limit, [](const Site& s) {
    return std::pair<std::string, std::string>(s.created_at, s.id);
  });
}

Status InventoryStore::UpdateSite(Transaction& tx, const Site& s) {
  RequireTenant(tx);
  return ExpectOne(
      tx.Exec("UPDATE sites SET name = $3, region = $4, datacenter = $5, "
              "environment = $6, updated_at = $7 WHERE org_id = $1 AND id = $2",
              {tx.org_id(), s.id, s.name, s.region, s.datacenter, s.environment, s.updated_at}),
      "site");
}

Status InventoryStore::DeleteSite(Transaction& tx, std::string_view id) {
  RequireTenant(tx);
  return ExpectOne(
      tx.Exec("DELETE FROM sites WHERE org_id = $1 AND id = $2", {tx.org_id(), std::string(id)}),
      "site");
}

// --- assets ----------------------------------------------------------------------------------

Status InventoryStore::CreateAsset(Transaction& tx, const Asset& a) {
  RequireTenant(tx);
  QLRF_TRY(tx.Exec(kInsertAsset, AssetParams(tx, a)));
  return WriteTags(tx, a);
}

Result<std::optional<Asset>> InventoryStore::GetAsset(Transaction& tx, std::string_view id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT " + std::string(kAssetCols) +
                                             " FROM assets a WHERE a.org_id = $1 AND a.id = $2",
                                         {tx.org_id(), std::string(id)}));
  if (r.empty()) {
    return std::optional<Asset>();
  }
  return std::optional<Asset>(AssetAt(r, 0));
}

Status InventoryStore::UpdateAsset(Transaction& tx, const Asset& a) {
  RequireTenant(tx);
  QLRF_TRY(ExpectOne(tx.Exec(kUpdateAsset, AssetParams(tx, a)), "asset"));
  return WriteTags(tx, a);
}

Status InventoryStore::DeleteAsset(Transaction& tx, std::string_view id) {
  RequireTenant(tx);
  return ExpectOne(
      tx.Exec("DELETE FROM assets WHERE org_id = $1 AND id = $2", {tx.org_id(), std::string(id)}),
      "asset");
}

Result<AssetPage> InventoryStore::ListAssets(Transaction& tx, const AssetFilter& requested,
                                             const AssetSort& sort, const PageRequest& page) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(TagPlan plan, PlanTags(tx, requested));
  const AssetFilter& filter = plan.filter;
  Params params{tx.org_id()};
  std::string where = " WHERE a.org_id = $1" + FilterSql(filter, params);
  AssetPage out;
  std::string from = " FROM assets a";
  if (RollupCovers(filter)) {
    QLRF_ASSIGN_OR_RETURN(out.total, RollupCount(tx, filter));
  } else {
    if (!filter.tags.empty()) {
      QLRF_TRY(DecideDriver(tx, plan));
    }
    if (OnlyTags(filter) && filter.tags.size() == 1) {
      out.total = plan.rarest;
    } else if (OnlyTags(filter)) {
      // Tags alone: the rarest one's index entries, each checked against the others by primary
      // key, never touching an asset row.
      Params cp{tx.org_id(), filter.tags.front().first, filter.tags.front().second};
      std::string sql = "SELECT count(*) FROM asset_tags t0 WHERE t0.org_id = $1 AND t0.key = "
                        "$2 AND t0.value = $3";
      for (size_t i = 1; i < filter.tags.size(); ++i) {
        sql += TagExists(filter.tags[i], "t0.org_id", "t0.asset_id", cp);
      }
      QLRF_ASSIGN_OR_RETURN(auto c, tx.Query(sql, cp));
      out.total = c.Int(0, 0);
    } else {
      Params cp = params;
      std::string counted = plan.tags_drive ? AssetsFrom(tx, filter, cp) : from;
      QLRF_ASSIGN_OR_RETURN(auto c, tx.Query("SELECT count(*)" + counted + where, cp));
      out.total = c.Int(0, 0);
    }
    // Sorted by name, the page walks the name index and checks the filter on each asset, which
    // finds a page quickly when matches are common — and scans most of the org when they are
    // rare or sort last (a tier tag is also the prefix of the names it is sorted by), so a tag
    // under 5% of the org drives the page instead. The other sort columns have no index to
    // walk: every match is found and sorted either way, so the plan's choice drives (two tags,
    // sorted by creation, at 1M: 4.8 → 0.7–1.0 s).
    const bool rare = plan.rarest * 20 < plan.all;
    if (!filter.tags.empty() &&
        (rare || (sort.field != AssetSortField::kName && plan.tags_drive))) {
      from = AssetsFrom(tx, filter, params);
    }
  }
  std::string col = "a." + std::string(AssetSortColumn(sort.field));
  std::string dir = sort.descending ? "DESC" : "ASC";
  std::string keyset;
  if (page.after_key && page.after_id) {
    std::string_view key = *page.after_key;
    auto bar = key.find('|');
    if (bar == std::string_view::npos || key.substr(0, bar) != SortKey(sort)) {
      return Fail(FieldError("cursor", "cursor belongs to a different sort order"));
    }
    params.Add(std::string(key.substr(bar + 1)));
    std::string v = P(params);
    params.Add(*page.after_id);
    keyset = " AND (" + col + ", a.id) " + (sort.descending ? "<" : ">") + " (" + v + ", " +
             P(params) + ")";
  }
  params.Add(int64_t{page.limit + 1});
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("SELECT " + std::string(kAssetCols) + from + where + keyset +
                           " ORDER BY " + col + " " + dir + ", a.id " + dir + " LIMIT " + P(params),
                       params));
  std::vector<Asset> items;
  items.reserve(r.rows());
  for (size_t i = 0; i < r.rows(); ++i) {
    items.push_back(AssetAt(r, i));
  }
  std::string prefix = SortKey(sort) + "|";
  auto p = MakePage(std::move(items), page.limit, [&](const Asset& a) {
    return std::pair<std::string, std::string>(prefix + SortValue(a, sort.field), a.id);
  });
  out.items = std::move(p.items);
  out.next_cursor = std::move(p.next_cursor);
  return out;
}

Result<std::vector<std::pair<std::vector<std::string>, int64_t>>> InventoryStore::CountAssets(
    Transaction& tx, const AssetFilter& requested, const std::vector<std::string>& group_by) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(TagPlan plan, PlanTags(tx, requested));
  const AssetFilter& filter = plan.filter;
  static const std::vector<std::string> kAllowed = {"environment", "platform", "state",
                                                    "site_id",     "region",   "image_family"};
  // From the rollup when the filter allows (site_id '' there stands for no site), else a scan.
  const bool rollup = RollupCovers(filter);
  const std::string t = rollup ? "r" : "a";
  std::string cols;
  for (const auto& g : group_by) {
    QLRF_CHECK(std::find(kAllowed.begin(), kAllowed.end(), g) != kAllowed.end(),
               "group-by column validated by the caller");
    cols += (cols.empty() ? "" : ", ") + t + "." + g;
  }
  Params params{tx.org_id()};
  // With tags the rarest one always drives here: reading through the other conditions instead,
  // SQLite prefers an index that yields the groups in order over the narrower one (a common tag
  // and a small site grouped by environment at 1M: 1.4 s, against 0.3 s from the tag).
  std::string from = rollup ? " FROM asset_rollup r" : AssetsFrom(tx, filter, params);
  std::string where = " WHERE " + t + ".org_id = $1" + FilterSql(filter, params, t);
  std::string count = rollup ? "COALESCE(SUM(r.n), 0)" : "count(*)";
  if (rollup) {
    where += " AND r.n > 0";
  }
  std::string sql = group_by.empty() ? "SELECT " + count + from + where
                                     : "SELECT " + cols + ", " + count + from + where +
                                           " GROUP BY " + cols + " ORDER BY " + cols;
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query(sql, params));
  std::vector<std::pair<std::vector<std::string>, int64_t>> out;
  for (size_t i = 0; i < r.rows(); ++i) {
    std::vector<std::string> key;
    for (size_t c = 0; c < group_by.size(); ++c) {
      key.push_back(r.Text(i, c));
    }
    out.emplace_back(std::move(key), r.Int(i, group_by.size()));
  }
  return out;
}

Result<UpsertStats> InventoryStore::UpsertAssets(Transaction& tx, std::vector<Asset>& assets,
                                                 const std::optional<std::string>& full_sync_site,
                                                 std::string_view now) {
  RequireTenant(tx);
  UpsertStats stats;
  for (auto& a : assets) {
    QLRF_ASSIGN_OR_RETURN(auto r,
                          tx.Query("SELECT " + std::string(kAssetCols) +
                                       " FROM assets a WHERE a.org_id = $1 AND a.platform = $2 AND "
                                       "a.instance_id = $3",
                                   {tx.org_id(), a.platform, a.instance_id}));
    a.last_seen_at = std::string(now);
    a.updated_at = std::string(now);
    if (r.empty()) {
      a.first_seen_at = a.created_at = std::string(now);
      QLRF_TRY(tx.Exec(kInsertAsset, AssetParams(tx, a)));
      QLRF_TRY(WriteTags(tx, a));
      ++stats.created;
      continue;
    }
    Asset existing = AssetAt(r, 0);
    a.id = existing.id;
    a.first_seen_at = existing.first_seen_at;
    a.created_at = existing.created_at;
    bool same = SameContent(existing, a);
    if (same) {
      a.updated_at = existing.updated_at;
    }
    QLRF_TRY(tx.Exec(kUpdateAsset, AssetParams(tx, a)));
    if (!same) {
      if (existing.tags != a.tags) {
        QLRF_TRY(WriteTags(tx, a));
      }
      ++stats.updated;
    } else {
      ++stats.unchanged;
    }
  }
  if (full_sync_site) {
    QLRF_ASSIGN_OR_RETURN(
        stats.terminated,
        tx.Exec("UPDATE assets SET state = 'terminated', updated_at = $3 WHERE org_id = $1 AND "
                "site_id = $2 AND state <> 'terminated' AND last_seen_at < $3",
                {tx.org_id(), *full_sync_site, std::string(now)}));
  }
  return stats;
}

Status InventoryStore::InsertAssetsBulk(Transaction& tx, const std::vector<Asset>& assets,
                                        BulkLoad* load) {
  RequireTenant(tx);
  // COPY on PostgreSQL, batched INSERTs on SQLite (Transaction::CopyIn).
  static const std::string kColumns = [] {
    std::string_view sql = kInsertAsset;
    auto open = sql.find('(') + 1;
    return std::string(sql.substr(open, sql.find(')') - open));
  }();
  QLRF_TRY(tx.CopyIn("assets", kColumns, 19, assets.size(),
                     [&](size_t i, Params& p) { AppendAssetParams(p, tx, assets[i]); }));
  std::vector<std::array<const std::string*, 3>> tags;
  for (const auto& a : assets) {
    for (const auto& [k, v] : a.tags) tags.push_back({&a.id, &k, &v});
  }
  QLRF_TRY(tx.CopyIn("asset_tags", "org_id, asset_id, key, value", 4, tags.size(),
                     [&](size_t j, Params& p) {
                       p.Add(tx.org_id()).Add(*tags[j][0]).Add(*tags[j][1]).Add(*tags[j][2]);
                     }));
  if (load != nullptr) {
    std::string key;
    for (const auto& a : assets) {
      key.clear();
      for (const std::string* part : {&a.environment, &a.platform, &a.state, &a.region,
                                      &a.image_family, &a.image_version}) {
        key += *part;
        key += kRollupKeySeparator;
      }
      key += a.site_id.value_or("");
      ++load->tally[key];
    }
    load->tallied += static_cast<int64_t>(assets.size());
  }
  return Ok();
}

Result<InventoryStore::BulkLoad> InventoryStore::BeginBulkLoad(Transaction& tx, bool exclusive) {
  RequireTenant(tx);
  BulkLoad load;
  QLRF_ASSIGN_OR_RETURN(load.assets_before, CountOrgAssets(tx));
  if (tx.dialect() == Dialect::kPostgres) {
    // The statement-level insert trigger skips its rollup upsert for this transaction (migration
    // 0014): 200 upserts of every rollup row would leave the small rollup table hundreds of
    // times its size in dead row versions, and every count would scan them.
    QLRF_TRY(tx.Query("SELECT set_config('qlrf.bulk_load', 'on', true)", {}));
    if (!exclusive) {
      return load;
    }
    // Secondary indexes (not those behind a primary key or unique constraint) are dropped and
    // rebuilt at End; DROP INDEX locks the tables until the transaction ends. Indexes first:
    // End re-runs `restore` in order, so the foreign keys are validated with the indexes back.
    QLRF_ASSIGN_OR_RETURN(
        auto r, tx.Query("SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class "
                         "i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid WHERE "
                         "t.relname IN ('assets', 'asset_tags') AND t.relnamespace = "
                         "current_schema()::regnamespace AND NOT EXISTS (SELECT 1 FROM "
                         "pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY 1",
                         {}));
    for (size_t i = 0; i < r.rows(); ++i) {
      load.restore.push_back(r.Text(i, 1));
      QLRF_TRY(tx.ExecScript("DROP INDEX " + r.Text(i, 0)));
    }
    // So are the foreign keys of the two tables: PostgreSQL checks them row by row (4M index
    // probes for 1M assets with 3 tags each); re-adding one at End validates every row with one
    // join.
    QLRF_ASSIGN_OR_RETURN(
        auto fks, tx.Query("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                           "FROM pg_constraint WHERE contype = 'f' AND conrelid IN "
                           "('assets'::regclass, 'asset_tags'::regclass) ORDER BY 1, 2",
                           {}));
    for (size_t i = 0; i < fks.rows(); ++i) {
      const std::string alter = "ALTER TABLE " + fks.Text(i, 0) + " ";
      load.restore.push_back(alter + "ADD CONSTRAINT " + fks.Text(i, 1) + " " + fks.Text(i, 2));
      QLRF_TRY(tx.ExecScript(alter + "DROP CONSTRAINT " + fks.Text(i, 1)));
    }
    return load;
  }
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ('assets', "
                       "'asset_tags') AND type IN ('index', 'trigger') AND sql IS NOT NULL "
                       "ORDER BY type, name",
                       {}));
  for (size_t i = 0; i < r.rows(); ++i) {
    load.restore.push_back(r.Text(i, 2));
    QLRF_TRY(tx.ExecScript("DROP " + std::string(r.Text(i, 0) == "index" ? "INDEX " : "TRIGGER ") +
                           r.Text(i, 1)));
  }
  // Foreign keys are checked once at End instead of one index probe per row (3M tag rows:
  // 8.2 → 4.6 s of inserts, the check of the whole database 1.3 s).
  QLRF_TRY(tx.SetForeignKeyChecks(false));
  return load;
}

Status InventoryStore::EndBulkLoad(Transaction& tx, const BulkLoad& load) {
  RequireTenant(tx);
  if (tx.dialect() == Dialect::kSqlite) {
    QLRF_TRY(RebuildSchemaObjects(tx, load.restore));
    // Checks every table, not only the two loaded: whatever else the transaction wrote since
    // Begin went unchecked too.
    QLRF_TRY(tx.SetForeignKeyChecks(true).map_error([](Error e) {
      e.message = "bulk load: " + e.message;
      return e;
    }));
  } else {
    QLRF_TRY(tx.Query("SELECT set_config('qlrf.bulk_load', 'off', true)", {}));
    if (!load.restore.empty()) {
      QLRF_TRY(tx.ExecScript("SET LOCAL maintenance_work_mem = '256MB'"));
    }
    for (const auto& sql : load.restore) {
      QLRF_TRY(tx.ExecScript(sql));
    }
  }
  // The rollup missed the inserts: add what was tallied, unless the org's assets changed in
  // other ways meanwhile (then one GROUP BY over all of them).
  QLRF_ASSIGN_OR_RETURN(int64_t now, CountOrgAssets(tx));
  if (now == load.assets_before + load.tallied) {
    for (const auto& [key, n] : load.tally) {
      Params p{tx.org_id()};
      for (size_t from = 0;;) {
        size_t to = key.find(kRollupKeySeparator, from);
        p.Add(key.substr(from, to == std::string::npos ? to : to - from));
        if (to == std::string::npos) break;
        from = to + 1;
      }
      p.Add(n);
      QLRF_TRY(tx.Exec(
          "INSERT INTO asset_rollup (org_id, environment, platform, state, region, "
          "image_family, image_version, site_id, n) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
          "$9) ON CONFLICT (org_id, environment, platform, state, site_id, region, "
          "image_family, image_version) DO UPDATE SET n = asset_rollup.n + excluded.n",
          p));
    }
  } else {
    QLRF_TRY(tx.Exec("DELETE FROM asset_rollup WHERE org_id = $1", {tx.org_id()}));
    QLRF_TRY(tx.Exec(
        "INSERT INTO asset_rollup (org_id, environment, platform, state, site_id, region, "
        "image_family, image_version, n) SELECT org_id, environment, platform, state, "
        "COALESCE(site_id, ''), region, image_family, image_version, count(*) FROM assets "
        "WHERE org_id = $1 GROUP BY org_id, environment, platform, state, "
        "COALESCE(site_id, ''), region, image_family, image_version",
        {tx.org_id()}));
  }
  if (tx.dialect() == Dialect::kPostgres) {
    // Fresh statistics, so the planner sees the new size right away (ANALYZE may run inside a
    // transaction).
    QLRF_TRY(tx.ExecScript("ANALYZE assets; ANALYZE asset_tags; ANALYZE asset_rollup"));
  }
  return Ok();
}

// --- DR pairs --------------------------------------------------------------------------------

Status InventoryStore::CreateDrPair(Transaction& tx, const DrPair& p) {
  RequireTenant(tx);
  QLRF_TRY(tx.Exec("INSERT INTO dr_pairs (" + std::string(kPairCols) +
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                   Params{p.id, tx.org_id(), p.name, p.primary_site_id, p.dr_site_id, p.rpo_seconds,
                          p.rto_seconds, p.replication_mode, p.replication_status}
                       .AddOptional(p.last_drill_at)
                       .Add(p.created_at)
                       .Add(p.updated_at)));
  return Ok();
}

Result<std::optional<DrPair>> InventoryStore::GetDrPair(Transaction& tx, std::string_view id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT " + std::string(kPairCols) +
                                             " FROM dr_pairs WHERE org_id = $1 AND id = $2",
                                         {tx.org_id(), std::string(id)}));
  if (r.empty()) {
    return std::optional<DrPair>();
  }
  return std::optional<DrPair>(PairAt(r, 0));
}

Result<Page<DrPair>> InventoryStore::ListDrPairs(Transaction& tx, const PageRequest& page) {
  RequireTenant(tx);
  Params params{tx.org_id()};
  std::string keyset = Keyset(page, params);
  params.Add(int64_t{page.limit + 1});
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("SELECT " + std::string(kPairCols) + " FROM dr_pairs WHERE org_id = $1" +
                           keyset + " ORDER BY created_at, id LIMIT " + P(params),
                       params));
  std::vector<DrPair> items;
  for (size_t i = 0; i < r.rows(); ++i) {
    items.push_back(PairAt(r, i));
  }
  return MakePage(std::move(items), page.limit, [](const DrPair& p) {
    return std::pair<std::string, std::string>(p.created_at, p.id);
  });
}

Status InventoryStore::UpdateDrPair(Transaction& tx, const DrPair& p) {
  RequireTenant(tx);
  return ExpectOne(tx.Exec("UPDATE dr_pairs SET name = $3, rpo_seconds = $4, rto_seconds = $5, "
                           "replication_mode = $6, replication_status = $7, last_drill_at = $8, "
                           "updated_at = $9 WHERE org_id = $1 AND id = $2",
                           Params{tx.org_id(), p.id, p.name, p.rpo_seconds, p.rto_seconds,
                                  p.replication_mode, p.replication_status}
                               .AddOptional(p.last_drill_at)
                               .Add(p.updated_at)),
                   "DR pair");
}

Status InventoryStore::DeleteDrPair(Transaction& tx, std::string_view id) {
  RequireTenant(tx);
  return ExpectOne(
      tx.Exec("DELETE FROM dr_pairs WHERE org_id = $1 AND id = $2", {tx.org_id(), std::string(id)}),
      "DR pair");
}

}  // namespace qlrf::storage
