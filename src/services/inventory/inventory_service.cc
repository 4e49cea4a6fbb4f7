// InventoryService: validation, store calls and audit records.
#include "services/inventory/inventory_service.h"

#include <boost/json.hpp>

#include <algorithm>
#include <set>

#include "storage/identity_store.h"

namespace qlrf::services {

using storage::InventoryStore;
using storage::Transaction;
using storage::WithRead;
using storage::WithWrite;

namespace {

const std::vector<std::string_view> kPlatforms = {"aws", "azure",   "gcp",      "vsphere",
                                                  "k8s", "libvirt", "baremetal"};
const std::vector<std::string_view> kEnvironments = {"production", "staging", "development", "dr"};
const std::vector<std::string_view> kStates = {"running", "stopped", "terminated", "unknown"};

bool OneOf(const std::vector<std::string_view>& set, std::string_view v) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

std::string Join(const std::vector<std::string_view>& set) {
  std::string out;
  for (auto s : set) {
    out += (out.empty() ? "" : ", ") + std::string(s);
  }
  return out;
}

Status CheckEnum(std::string_view field, std::string_view value,
                 const std::vector<std::string_view>& set) {
  if (!OneOf(set, value)) {
    return Fail(FieldError(std::string(field),
                           "must be one of " + Join(set) + ", got '" + std::string(value) + "'"));
  }
  return Ok();
}

Status CheckText(std::string_view field, std::string_view value, size_t max, bool required) {
  if (required && value.empty()) {
    return Fail(FieldError(std::string(field), "is required"));
  }
  if (value.size() > max) {
    return Fail(
        FieldError(std::string(field), "must be at most " + std::to_string(max) + " characters"));
  }
  return Ok();
}

boost::json::object AssetSummary(const storage::Asset& a) {
  return {{"platform", a.platform},
          {"instance_id", a.instance_id},
          {"name", a.name},
          {"environment", a.environment},
          {"state", a.state},
          {"image_family", a.image_family},
          {"image_version", a.image_version}};
}

boost::json::object PairSummary(const storage::DrPair& p) {
  return {{"name", p.name},
          {"primary_site_id", p.primary_site_id},
          {"dr_site_id", p.dr_site_id},
          {"rpo_seconds", p.rpo_seconds},
          {"rto_seconds", p.rto_seconds},
          {"replication_mode", p.replication_mode},
          {"replication_status", p.replication_status}};
}

Result<std::string> StringMember(const boost::json::value& v, const std::string& field) {
  if (!v.is_string()) {
    return Fail(FieldError(field, "must be a string"));
  }
  return std::string(v.as_string());
}

// Applies one JSON member to an asset; InvalidArgument for unknown or mistyped members.
Status ApplyAssetMember(storage::Asset& a, std::string_view key, const boost::json::value& v,
                        const std::string& prefix) {
  std::string field = prefix + std::string(key);
  auto str = [&](std::string& out) -> Status {
    QLRF_ASSIGN_OR_RETURN(out, StringMember(v, field));
    return Ok();
  };
  if (key == "platform") return str(a.platform);
  if (key == "instance_id") return str(a.instance_id);
  if (key == "name") return str(a.name);
  if (key == "environment") return str(a.environment);
  if (key == "region") return str(a.region);
  if (key == "state") return str(a.state);
  if (key == "image_ref") return str(a.image_ref);
  if (key == "image_family") return str(a.image_family);
  if (key == "image_version") return str(a.image_version);
  if (key == "os") return str(a.os);
  if (key == "site_id") {
    if (v.is_null()) {
      a.site_id.reset();
      return Ok();
    }
    std::string s;
    QLRF_TRY(str(s));
    a.site_id = s;
    return Ok();
  }
  if (key == "ips") {
    if (!v.is_array()) {
      return Fail(FieldError(field, "must be an array of strings"));
    }
    a.ips.clear();
    for (const auto& ip : v.as_array()) {
      if (!ip.is_string()) {
        return Fail(FieldError(field, "must be an array of strings"));
      }
      a.ips.emplace_back(ip.as_string());
    }
    return Ok();
  }
  if (key == "tags") {
    if (!v.is_object()) {
      return Fail(FieldError(field, "must be an object of string values"));
    }
    a.tags.clear();
    for (const auto& [k, tv] : v.as_object()) {
      if (!tv.is_string()) {
        return Fail(FieldError(field + "." + std::string(k), "must be a string"));
      }
      a.tags[std::string(k)] = std::string(tv.as_string());
    }
    return Ok();
  }
  return Fail(FieldError(field, "unknown field '" + std::string(key) + "'"));
}

}  // namespace

Status ValidateAsset(const storage::Asset& a, std::string_view prefix) {
  std::string p(prefix);
  QLRF_TRY(CheckEnum(p + "platform", a.platform, kPlatforms));
  QLRF_TRY(CheckText(p + "instance_id", a.instance_id, 256, true));
  QLRF_TRY(CheckText(p + "name", a.name, 256, true));
  QLRF_TRY(CheckEnum(p + "environment", a.environment, kEnvironments));
  QLRF_TRY(CheckEnum(p + "state", a.state, kStates));
  QLRF_TRY(CheckText(p + "region", a.region, 64, false));
  QLRF_TRY(CheckText(p + "image_ref", a.image_ref, 512, false));
  QLRF_TRY(CheckText(p + "image_family", a.image_family, 128, false));
  QLRF_TRY(CheckText(p + "image_version", a.image_version, 128, false));
  QLRF_TRY(CheckText(p + "os", a.os, 128, false));
  if (a.site_id && !IsUuid(*a.site_id)) {
    return Fail(FieldError(p + "site_id", "must be a UUID"));
  }
  if (a.ips.size() > 64) {
    return Fail(FieldError(p + "ips", "at most 64 addresses"));
  }
  if (a.tags.size() > 64) {
    return Fail(FieldError(p + "tags", "at most 64 tags"));
  }
  for (const auto& [k, v] : a.tags) {
    if (k.empty() || k.size() > 128 || v.size() > 256) {
      return Fail(FieldError(p + "tags." + k, "keys are 1-128 and values up to 256 characters"));
    }
  }
  return Ok();
}

Result<storage::Asset> AssetFromJson(const boost::json::value& v, std::string_view prefix) {
  if (!v.is_object()) {
    return Fail(
        FieldError(std::string(prefix.empty() ? "body" : prefix.substr(0, prefix.size() - 1)),
                   "must be an object"));
  }
  storage::Asset a;
  a.state = "running";
  for (const auto& [k, member] : v.as_object()) {
    QLRF_TRY(ApplyAssetMember(a, k, member, std::string(prefix)));
  }
  if (a.name.empty()) {
    a.name = a.instance_id;
  }
  QLRF_TRY(ValidateAsset(a, prefix));
  return a;
}

// --- sites -----------------------------------------------------------------------------------

Result<storage::Site> InventoryService::CreateSite(const RequestContext& ctx, storage::Site s) {
  QLRF_TRY(CheckText("name", s.name, 200, true));
  QLRF_TRY(CheckEnum("platform", s.platform, kPlatforms));
  QLRF_TRY(CheckEnum("environment", s.environment, kEnvironments));
  QLRF_TRY(CheckText("region", s.region, 64, false));
  QLRF_TRY(CheckText("datacenter", s.datacenter, 128, false));
  s.id = NewUuid(random_);
  s.org_id = ctx.principal.org_id;
  s.created_at = s.updated_at = Now();
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Site> {
    auto st = InventoryStore::CreateSite(tx, s);
    if (!st && st.error().code == ErrorCode::kAlreadyExists) {
      return Fail(
          AlreadyExists("a site named '" + s.name + "' already exists").With("field", "name"));
    }
    QLRF_TRY(st);
    QLRF_TRY(auditor_.Record(tx, ctx, "site.create", "site", s.id, nullptr,
                             {{"name", s.name}, {"platform", s.platform}, {"region", s.region}}));
    return s;
  });
}

Result<storage::Site> InventoryService::GetSite(const RequestContext& ctx, std::string_view id) {
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Site> {
    QLRF_ASSIGN_OR_RETURN(auto s, Required(InventoryStore::GetSite(tx, id), "site"));
    return s;
  });
}

Result<storage::Page<storage::Site>> InventoryService::ListSites(const RequestContext& ctx,
                                                                 const storage::PageRequest& page) {
  return WithRead(db_, ctx.principal.org_id,
                  [&](Transaction& tx) { return InventoryStore::ListSites(tx, page); });
}

Status InventoryService::DeleteSite(const RequestContext& ctx, std::string_view id) {
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Status {
    QLRF_ASSIGN_OR_RETURN(auto s, Required(InventoryStore::GetSite(tx, id), "site"));
    QLRF_TRY(InventoryStore::DeleteSite(tx, id));
    return auditor_.Record(tx, ctx, "site.delete", "site", id, {{"name", s.name}}, nullptr);
  });
}

// --- assets ----------------------------------------------------------------------------------

namespace {

// The site must exist in the caller's org; its region fills an empty asset region.
Status ResolveSite(Transaction& tx, storage::Asset& a, const std::string& field) {
  if (!a.site_id) {
    return Ok();
  }
  QLRF_ASSIGN_OR_RETURN(auto site, InventoryStore::GetSite(tx, *a.site_id));
  if (!site) {
    return Fail(FieldError(field, "no such site"));
  }
  if (a.region.empty()) {
    a.region = site->region;
  }
  return Ok();
}

}  // namespace

Result<storage::Asset> InventoryService::CreateAsset(const RequestContext& ctx, storage::Asset a) {
  QLRF_TRY(ValidateAsset(a, ""));
  a.id = NewUuid(random_);
  a.org_id = ctx.principal.org_id;
  a.first_seen_at = a.last_seen_at = a.created_at = a.updated_at = Now();
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Asset> {
    QLRF_TRY(ResolveSite(tx, a, "site_id"));
    auto st = InventoryStore::CreateAsset(tx, a);
    if (!st && st.error().code == ErrorCode::kAlreadyExists) {
      return Fail(AlreadyExists("an asset with platform '" + a.platform + "' and instance id '" +
                                a.instance_id + "' already exists")
                      .With("field", "instance_id"));
    }
    QLRF_TRY(st);
    QLRF_TRY(auditor_.Record(tx, ctx, "asset.create", "asset", a.id, nullptr, AssetSummary(a)));
    return a;
  });
}

Result<storage::Asset> InventoryService::GetAsset(const RequestContext& ctx, std::string_view id) {
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Asset> {
    QLRF_ASSIGN_OR_RETURN(auto a, Required(InventoryStore::GetAsset(tx, id), "asset"));
    return a;
  });
}

Result<storage::Asset> InventoryService::PatchAsset(const RequestContext& ctx, std::string_view id,
                                                    const boost::json::object& patch) {
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Asset> {
    QLRF_ASSIGN_OR_RETURN(auto current, Required(InventoryStore::GetAsset(tx, id), "asset"));
    storage::Asset a = current;
    for (const auto& [k, v] : patch) {
      if (k == "platform" || k == "instance_id") {
        return Fail(FieldError(std::string(k), "is the asset's identity and cannot change"));
      }
      QLRF_TRY(ApplyAssetMember(a, k, v, ""));
    }
    QLRF_TRY(ValidateAsset(a, ""));
    QLRF_TRY(ResolveSite(tx, a, "site_id"));
    a.updated_at = Now();
    QLRF_TRY(InventoryStore::UpdateAsset(tx, a));
    QLRF_TRY(auditor_.Record(tx, ctx, "asset.update", "asset", a.id, AssetSummary(current),
                             AssetSummary(a)));
    return a;
  });
}

Status InventoryService::DeleteAsset(const RequestContext& ctx, std::string_view id) {
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Status {
    QLRF_ASSIGN_OR_RETURN(auto a, Required(InventoryStore::GetAsset(tx, id), "asset"));
    QLRF_TRY(InventoryStore::DeleteAsset(tx, id));
    return auditor_.Record(tx, ctx, "asset.delete", "asset", id, AssetSummary(a), nullptr);
  });
}

Result<storage::AssetPage> InventoryService::ListAssets(const RequestContext& ctx,
                                                        const storage::AssetFilter& filter,
                                                        const storage::AssetSort& sort,
                                                        const storage::PageRequest& page) {
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) {
    return InventoryStore::ListAssets(tx, filter, sort, page);
  });
}

Result<std::vector<std::pair<std::vector<std::string>, int64_t>>> InventoryService::CountAssets(
    const RequestContext& ctx, const storage::AssetFilter& filter,
    const std::vector<std::string>& group_by) {
  static const std::vector<std::string_view> kGroups = {"environment", "platform", "state",
                                                        "site_id",     "region",   "image_family"};
  if (group_by.size() > 3) {
    return Fail(FieldError("group_by", "at most 3 columns"));
  }
  std::set<std::string> seen;
  for (const auto& g : group_by) {
    if (!OneOf(kGroups, g)) {
      return Fail(FieldError("group_by", "unknown group '" + g + "'; one of " + Join(kGroups)));
    }
    if (!seen.insert(g).second) {
      return Fail(FieldError("group_by", "'" + g + "' named twice"));
    }
  }
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) {
    return InventoryStore::CountAssets(tx, filter, group_by);
  });
}

Result<storage::UpsertStats> InventoryService::BulkUpsert(const RequestContext& ctx,
                                                          BulkUpsertRequest req) {
  if (req.assets.size() > 100000) {
    return Fail(FieldError("assets", "at most 100000 assets per batch"));
  }
  std::set<std::pair<std::string, std::string>> keys;
  for (size_t i = 0; i < req.assets.size(); ++i) {
    auto& a = req.assets[i];
    std::string prefix = "assets[" + std::to_string(i) + "].";
    QLRF_TRY(ValidateAsset(a, prefix));
    if (!keys.emplace(a.platform, a.instance_id).second) {
      return Fail(FieldError(prefix + "instance_id", "duplicate of an earlier row in the batch")
                      .With("index", std::to_string(i)));
    }
    a.id = NewUuid(random_);
    a.org_id = ctx.principal.org_id;
    if (req.full_sync_site && !a.site_id) {
      a.site_id = req.full_sync_site;
    }
  }
  if (req.full_sync_site && !IsUuid(*req.full_sync_site)) {
    return Fail(FieldError("full_sync_site", "must be a UUID"));
  }
  std::string now = Now();
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::UpsertStats> {
    if (req.full_sync_site) {
      QLRF_ASSIGN_OR_RETURN(auto site, InventoryStore::GetSite(tx, *req.full_sync_site));
      if (!site) {
        return Fail(FieldError("full_sync_site", "no such site"));
      }
    }
    std::map<std::string, std::optional<storage::Site>> sites;
    for (size_t i = 0; i < req.assets.size(); ++i) {
      auto& a = req.assets[i];
      if (!a.site_id) {
        continue;
      }
      auto it = sites.find(*a.site_id);
      if (it == sites.end()) {
        QLRF_ASSIGN_OR_RETURN(auto s, InventoryStore::GetSite(tx, *a.site_id));
        it = sites.emplace(*a.site_id, std::move(s)).first;
      }
      if (!it->second) {
        return Fail(FieldError("assets[" + std::to_string(i) + "].site_id", "no such site")
                        .With("index", std::to_string(i)));
      }
      if (a.region.empty()) {
        a.region = it->second->region;
      }
    }
    QLRF_ASSIGN_OR_RETURN(auto stats,
                          InventoryStore::UpsertAssets(tx, req.assets, req.full_sync_site, now));
    boost::json::object summary{{"created", stats.created},
                                {"updated", stats.updated},
                                {"unchanged", stats.unchanged},
                                {"terminated", stats.terminated}};
    if (req.full_sync_site) {
      summary["full_sync_site"] = *req.full_sync_site;
    }
    QLRF_TRY(auditor_.Record(tx, ctx, "asset.bulk_upsert", "asset", "*", nullptr, summary));
    return stats;
  });
}

// --- DR pairs --------------------------------------------------------------------------------

namespace {

Status ValidatePair(const storage::DrPair& p) {
  QLRF_TRY(CheckText("name", p.name, 200, true));
  if (!IsUuid(p.primary_site_id)) {
    return Fail(FieldError("primary_site_id", "must be a UUID"));
  }
  if (!IsUuid(p.dr_site_id)) {
    return Fail(FieldError("dr_site_id", "must be a UUID"));
  }
  if (p.primary_site_id == p.dr_site_id) {
    return Fail(FieldError("dr_site_id", "must differ from primary_site_id"));
  }
  if (p.rpo_seconds < 0 || p.rpo_seconds > 30LL * 86400) {
    return Fail(FieldError("rpo_seconds", "must be between 0 and 2592000"));
  }
  if (p.rto_seconds < 0 || p.rto_seconds > 30LL * 86400) {
    return Fail(FieldError("rto_seconds", "must be between 0 and 2592000"));
  }
  QLRF_TRY(
      CheckEnum("replication_mode", p.replication_mode, {"sync", "async", "snapshot", "none"}));
  return CheckEnum("replication_status", p.replication_status,
                   {"healthy", "lagging", "broken", "unknown"});
}

Status CheckPairSites(Transaction& tx, const storage::DrPair& p) {
  for (auto [field, id] :
       {std::pair{"primary_site_id", &p.primary_site_id}, std::pair{"dr_site_id", &p.dr_site_id}}) {
    QLRF_ASSIGN_OR_RETURN(auto s, InventoryStore::GetSite(tx, *id));
    if (!s) {
      return Fail(FieldError(field, "no such site"));
    }
  }
  return Ok();
}

}  // namespace

Result<storage::DrPair> InventoryService::CreateDrPair(const RequestContext& ctx,
                                                       storage::DrPair p) {
  QLRF_TRY(ValidatePair(p));
  p.id = NewUuid(random_);
  p.org_id = ctx.principal.org_id;
  p.created_at = p.updated_at = Now();
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::DrPair> {
    QLRF_TRY(CheckPairSites(tx, p));
    auto st = InventoryStore::CreateDrPair(tx, p);
    if (!st && st.error().code == ErrorCode::kAlreadyExists) {
      return Fail(
          AlreadyExists("a DR pair named '" + p.name + "' already exists").With("field", "name"));
    }
    QLRF_TRY(st);
    QLRF_TRY(auditor_.Record(tx, ctx, "dr_pair.create", "dr_pair", p.id, nullptr, PairSummary(p)));
    return p;
  });
}

Result<storage::DrPair> InventoryService::GetDrPair(const RequestContext& ctx,
                                                    std::string_view id) {
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::DrPair> {
    QLRF_ASSIGN_OR_RETURN(auto p, Required(InventoryStore::GetDrPair(tx, id), "DR pair"));
    return p;
  });
}

Result<storage::Page<storage::DrPair>> InventoryService::ListDrPairs(
    const RequestContext& ctx, const storage::PageRequest& page) {
  return WithRead(db_, ctx.principal.org_id,
                  [&](Transaction& tx) { return InventoryStore::ListDrPairs(tx, page); });
}

Result<storage::DrPair> InventoryService::PatchDrPair(const RequestContext& ctx,
                                                      std::string_view id,
                                                      const boost::json::object& patch) {
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::DrPair> {
    QLRF_ASSIGN_OR_RETURN(auto current, Required(InventoryStore::GetDrPair(tx, id), "DR pair"));
    storage::DrPair p = current;
    for (const auto& [k, v] : patch) {
      std::string key(k);
      if (key == "name" && v.is_string()) {
        p.name = std::string(v.as_string());
      } else if (key == "rpo_seconds" && v.is_int64()) {
        p.rpo_seconds = v.as_int64();
      } else if (key == "rto_seconds" && v.is_int64()) {
        p.rto_seconds = v.as_int64();
      } else if (key == "replication_mode" && v.is_string()) {
        p.replication_mode = std::string(v.as_string());
      } else if (key == "replication_status" && v.is_string()) {
        p.replication_status = std::string(v.as_string());
      } else {
        return Fail(FieldError(key, "unknown or mistyped field"));
      }
    }
    QLRF_TRY(ValidatePair(p));
    p.updated_at = Now();
    QLRF_TRY(InventoryStore::UpdateDrPair(tx, p));
    QLRF_TRY(auditor_.Record(tx, ctx, "dr_pair.update", "dr_pair", p.id, PairSummary(current),
                             PairSummary(p)));
    return p;
  });
}

Status InventoryService::DeleteDrPair(const RequestContext& ctx, std::string_view id) {
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Status {
    QLRF_ASSIGN_OR_RETURN(auto p, Required(InventoryStore::GetDrPair(tx, id), "DR pair"));
    QLRF_TRY(InventoryStore::DeleteDrPair(tx, id));
    return auditor_.Record(tx, ctx, "dr_pair.delete", "dr_pair", id, PairSummary(p), nullptr);
  });
}

Result<ResilienceSummary> InventoryService::Resilience(const RequestContext& ctx) {
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<ResilienceSummary> {
    ResilienceSummary s;
    QLRF_ASSIGN_OR_RETURN(
        auto r, tx.Query("SELECT replication_status, count(*), SUM(CASE WHEN last_drill_at IS "
                         "NULL THEN 1 ELSE 0 END) FROM dr_pairs WHERE org_id = $1 GROUP BY "
                         "replication_status",
                         {tx.org_id()}));
    for (size_t i = 0; i < r.rows(); ++i) {
      int64_t n = r.Int(i, 1);
      s.pairs += n;
      s.never_drilled += r.Int(i, 2);
      std::string st = r.Text(i, 0);
      if (st == "healthy") s.healthy = n;
      if (st == "lagging") s.lagging = n;
      if (st == "broken") s.broken = n;
      if (st == "unknown") s.unknown = n;
    }
    QLRF_ASSIGN_OR_RETURN(auto sites, tx.Query("SELECT count(*), SUM(CASE WHEN environment = 'dr' "
                                               "THEN 1 ELSE 0 END) FROM sites WHERE org_id = $1",
                                               {tx.org_id()}));
    s.sites = sites.Int(0, 0);
    s.dr_sites = sites.Int(0, 1);
    return s;
  });
}

}  // namespace qlrf::services
