// Routes for sites, assets (list/filter/sort/count, CRUD, bulk upsert) and DR pairs.
#include <boost/json.hpp>

#include "api/handler_util.h"
#include "api/render.h"
#include "api/routes.h"
#include "common/json.h"

namespace qlrf::api {

using services::Permission;

const std::vector<std::string> kPlatforms = {"aws", "azure",   "gcp",      "vsphere",
                                             "k8s", "libvirt", "baremetal"};

namespace {

const std::vector<std::string> kEnvs = {"production", "staging", "development", "dr"};
const std::vector<std::string> kStates = {"running", "stopped", "terminated", "unknown"};

std::vector<QueryParam> AssetFilterParams() {
  return {{"platform", "string", "", kPlatforms},
          {"environment", "string", "", kEnvs},
          {"site_id", "string", "site UUID", {}},
          {"state", "string", "", kStates},
          {"region", "string", "", {}},
          {"tag", "string", "key=value; repeat for several (all must match)", {}},
          {"image_family", "string", "", {}},
          {"image_version", "string", "", {}},
          {"drifted",
           "string",
           "true: not on the family's current production version",
           {"true", "false", "yes", "no"}},
          {"q", "string", "substring of name or instance id (case-insensitive)", {}}};
}

Result<storage::AssetFilter> FilterFrom(const ApiRequest& r) {
  storage::AssetFilter f;
  f.platform = r.Query("platform");
  f.environment = r.Query("environment");
  f.site_id = r.Query("site_id");
  if (f.site_id && !IsUuid(*f.site_id)) {
    return Fail(FieldError("site_id", "must be a UUID"));
  }
  f.state = r.Query("state");
  f.region = r.Query("region");
  f.image_family = r.Query("image_family");
  f.image_version = r.Query("image_version");
  if (auto d = r.Query("drifted")) {
    f.drifted = *d == "true" || *d == "yes";
  }
  f.text = r.Query("q");
  if (f.text && f.text->size() > 200) {
    return Fail(FieldError("q", "must be at most 200 characters"));
  }
  for (const auto& [k, v] : r.query) {
    if (k != "tag") continue;
    auto eq = v.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Fail(FieldError("tag", "must be key=value, got '" + v + "'"));
    }
    f.tags.emplace_back(v.substr(0, eq), v.substr(eq + 1));
  }
  if (f.tags.size() > 8) {
    return Fail(FieldError("tag", "at most 8 tag filters"));
  }
  return f;
}

Result<storage::AssetSort> SortFrom(const ApiRequest& r) {
  storage::AssetSort s;
  auto v = r.Query("sort");
  if (!v) return s;
  std::string_view name = *v;
  if (!name.empty() && name.front() == '-') {
    s.descending = true;
    name.remove_prefix(1);
  }
  if (name == "name")
    s.field = storage::AssetSortField::kName;
  else if (name == "created_at")
    s.field = storage::AssetSortField::kCreatedAt;
  else if (name == "last_seen_at")
    s.field = storage::AssetSortField::kLastSeenAt;
  else if (name == "instance_id")
    s.field = storage::AssetSortField::kInstanceId;
  else {
    return Fail(FieldError("sort", "unknown sort field '" + std::string(name) +
                                       "'; one of name, created_at, last_seen_at, instance_id "
                                       "(prefix '-' for descending)"));
  }
  return s;
}

const char* const kSiteCreate = R"({"type":"object","additionalProperties":false,
 "required":["name","platform","environment"],
 "properties":{"name":{"type":"string","minLength":1,"maxLength":200},
  "platform":{"enum":["aws","azure","gcp","vsphere","k8s","libvirt","baremetal"]},
  "region":{"type":"string","maxLength":64},"datacenter":{"type":"string","maxLength":128},
  "environment":{"enum":["production","staging","development","dr"]}}})";

const char* const kAssetFields =
    R"("platform":{"enum":["aws","azure","gcp","vsphere","k8s","libvirt","baremetal"]},
  "instance_id":{"type":"string","minLength":1,"maxLength":256},
  "name":{"type":"string","minLength":1,"maxLength":256},
  "environment":{"enum":["production","staging","development","dr"]},
  "site_id":{"type":["string","null"]},"region":{"type":"string","maxLength":64},
  "state":{"enum":["running","stopped","terminated","unknown"]},
  "image_ref":{"type":"string","maxLength":512},"image_family":{"type":"string","maxLength":128},
  "image_version":{"type":"string","maxLength":128},"os":{"type":"string","maxLength":128},
  "ips":{"type":"array","maxItems":64,"items":{"type":"string"}},
  "tags":{"type":"object","maxProperties":64,"additionalProperties":{"type":"string"}})";

std::string AssetCreate() {
  return std::string(
             R"({"type":"object","additionalProperties":false,"required":["platform","instance_id","environment"],"properties":{)") +
         kAssetFields + "}}";
}
std::string AssetPatch() {
  return std::string(
             R"({"type":"object","additionalProperties":false,"minProperties":1,"properties":{)") +
         kAssetFields + "}}";
}
std::string BulkRequest() {
  return std::string(
      R"({"type":"object","additionalProperties":false,"required":["assets"],"properties":{"full_sync_site":{"type":"string","format":"uuid"},"assets":{"type":"array","maxItems":100000,"items":{"type":"object"}}}})");
}

const char* const kBulkResponse = R"({"type":"object","additionalProperties":false,
 "required":["created","updated","unchanged","terminated","total"],
 "properties":{"created":{"type":"integer"},"updated":{"type":"integer"},
  "unchanged":{"type":"integer"},"terminated":{"type":"integer"},"total":{"type":"integer"}}})";

const char* const kCountsResponse = R"({"type":"object","additionalProperties":false,
 "required":["group_by","groups","total"],
 "properties":{"group_by":{"type":"array","items":{"type":"string"}},
  "groups":{"type":"array","items":{"type":"object","required":["key","count"],
   "properties":{"key":{"type":"object"},"count":{"type":"integer"}}}},
  "total":{"type":"integer"}}})";

const char* const kPairCreate = R"({"type":"object","additionalProperties":false,
 "required":["name","primary_site_id","dr_site_id","rpo_seconds","rto_seconds","replication_mode"],
 "properties":{"name":{"type":"string","minLength":1,"maxLength":200},
  "primary_site_id":{"type":"string","format":"uuid"},"dr_site_id":{"type":"string","format":"uuid"},
  "rpo_seconds":{"type":"integer","minimum":0,"maximum":2592000},
  "rto_seconds":{"type":"integer","minimum":0,"maximum":2592000},
  "replication_mode":{"enum":["sync","async","snapshot","none"]},
  "replication_status":{"enum":["healthy","lagging","broken","unknown"]}}})";

const char* const kPairPatch = R"({"type":"object","additionalProperties":false,"minProperties":1,
 "properties":{"name":{"type":"string","minLength":1,"maxLength":200},
  "rpo_seconds":{"type":"integer","minimum":0,"maximum":2592000},
  "rto_seconds":{"type":"integer","minimum":0,"maximum":2592000},
  "replication_mode":{"enum":["sync","async","snapshot","none"]},
  "replication_status":{"enum":["healthy","lagging","broken","unknown"]}}})";

const char* const kResilience = R"({"type":"object","additionalProperties":false,
 "required":["dr_pairs","sites","dr_sites"],
 "properties":{"dr_pairs":{"type":"object","required":["total","healthy","lagging","broken","unknown","never_drilled"]},
  "sites":{"type":"integer"},"dr_sites":{"type":"integer"}}})";

// NDJSON: one asset object per line; blank lines ignored.
Result<std::vector<storage::Asset>> ParseNdjson(std::string_view body) {
  std::vector<storage::Asset> out;
  size_t line_no = 0;
  while (!body.empty()) {
    auto nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;
    size_t index = out.size();
    auto v = json::Parse(line);
    if (!v) {
      return Fail(FieldError("assets[" + std::to_string(index) + "]",
                             "line " + std::to_string(line_no) + ": " + v.error().message)
                      .With("index", std::to_string(index)));
    }
    QLRF_ASSIGN_OR_RETURN(auto a,
                          services::AssetFromJson(*v, "assets[" + std::to_string(index) + "]."));
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

std::vector<Route> InventoryRoutes(services::InventoryService& inv) {
  std::vector<Route> routes;
  auto add = [&](Route r) { routes.push_back(std::move(r)); };

  // --- sites
  add({.method = "GET",
       .path = "/api/v1/sites",
       .permission = Permission::kRead,
       .summary = "Sites (platform, region, datacenter, environment)",
       .tag = "inventory",
       .response_schema = schemas::PageOf(schemas::kSite),
       .paginated = true,
       .handler = [&inv](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto page, r.Page());
         QLRF_ASSIGN_OR_RETURN(auto sites, inv.ListSites(r.ctx, page));
         return Json(PageJson(sites, SiteJson));
       }});
  add({.method = "POST",
       .path = "/api/v1/sites",
       .permission = Permission::kManageAssets,
       .summary = "Create a site",
       .tag = "inventory",
       .request_schema = kSiteCreate,
       .response_schema = schemas::kSite,
       .example =
           R"({"name":"aws-use1","platform":"aws","region":"us-east-1","environment":"production"})",
       .success_status = 201,
       .writes = true,
       .handler = [&inv](ApiRequest& r) -> Result<ApiResponse> {
         storage::Site s;
         s.name = *Str(r.body, "name");
         s.platform = *Str(r.body, "platform");
         s.region = Str(r.body, "region").value_or("");
         s.datacenter = Str(r.body, "datacenter").value_or("");
         s.environment = *Str(r.body, "environment");
         QLRF_ASSIGN_OR_RETURN(auto site, inv.CreateSite(r.ctx, std::move(s)));
         return Json(SiteJson(site), 201);
       }});
  add({.method = "GET",
       .path = "/api/v1/sites/{site_id}",
       .permission = Permission::kRead,
       .summary = "One site",
       .tag = "inventory",
       .response_schema = schemas::kSite,
       .handler = [&inv](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "site_id"));
         QLRF_ASSIGN_OR_RETURN(auto s, inv.GetSite(r.ctx, id));
         return Json(SiteJson(s));
       }});
  add({.method = "DELETE",
       .path = "/api/v1/sites/{site_id}",
       .permission = Permission::kManageAssets,
       .summary = "Delete a site (its assets keep their rows, without a site)",
       .tag = "inventory",
       .success_status = 204,
       .writes = true,
       .handler = [&inv](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "site_id"));
         QLRF_TRY(inv.DeleteSite(r.ctx, id));
         return NoContent();
       }});

  // --- assets
  std::vector<QueryParam> list_params = AssetFilterParams();
  list_params.push_back(
      {"sort", "string", "name | created_at | last_seen_at | instance_id; '-' for descending", {}});
  add({.method = "GET",
       .path = "/api/v1/assets",
       .permission = Permission::kRead,
       .summary = "Assets with filters, sort, keyset pages and the total count",
       .tag = "inventory",
       .response_schema =
           R"({"type":"object","additionalProperties":false,"required":["items","next_cursor","total"],"properties":{"items":{"type":"array","items":)" +
           std::string(schemas::kAsset) +
           R"(},"next_cursor":{"type":["string","null"]},"total":{"type":"integer"}}})",
       .query = list_params,
       .paginated = true,
       .handler = [&inv](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto page, r.Page());
         QLRF_ASSIGN_OR_RETURN(auto filter, FilterFrom(r));
         QLRF_ASSIGN_OR_RETURN(auto sort, SortFrom(r));
         QLRF_ASSIGN_OR_RETURN(auto assets, inv.ListAssets(r.ctx, filter, sort, page));
         boost::json::array items;
         items.reserve(assets.items.size());
         for (const auto& a : assets.items) items.push_back(AssetJson(a));
         return Json({{"items", std::move(items)},
                      {"next_cursor", assets.next_cursor ? boost::json::value(*assets.next_cursor)
                                                         : boost::json::value(nullptr)},
                      {"total", assets.total}});
       }});
  std::vector<QueryParam> count_params = AssetFilterParams();
  count_params.push_back({"group_by",
                          "string",
                          "comma-separated: environment, platform, state, site_id, region, "
                          "image_family (at most 3)",
                          {}});
  add({.method = "GET",
       .path = "/api/v1/assets/counts",
       .permission = Permission::kRead,
       .summary = "Asset counts grouped by up to three columns, with the same filters",
       .tag = "inventory",
       .response_schema = kCountsResponse,
       .query = count_params,
       .handler = [&inv](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto filter, FilterFrom(r));
         std::vector<std::string> group_by;
         std::string spec = r.Query("group_by").value_or("environment,platform");
         size_t pos = 0;
         while (pos <= spec.size()) {
           auto comma = spec.find(',', pos);
           std::string g =
               spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
           if (!g.empty()) group_by.push_back(g);
           if (comma == std::string::npos) break;
           pos = comma + 1;
         }
         QLRF_ASSIGN_OR_RETURN(auto rows, inv.CountAssets(r.ctx, filter, group_by));
         boost::json::array groups;
         boost::json::array names;
         for (const auto& g : group_by) names.emplace_back(g);
         int64_t total = 0;
         for (const auto& [key, count] : rows) {
           boost::json::object k;
           for (size_t i = 0; i < group_by.size(); ++i) k[group_by[i]] = key[i];
           groups.push_back({{"key", std::move(k)}, {"count", count}});
           total += count;
         }
         return Json(
             {{"group_by", std::move(names)}, {"groups", std::move(groups)}, {"total", total}});
       }});
  add({.method = "POST",
       .path = "/api/v1/assets",
       .permission = Permission::kManageAssets,
       .summary = "Create an asset",
       .tag = "inventory",
       .request_schema = AssetCreate(),
       .response_schema = schemas::kAsset,
       .example =
           R"({"platform":"aws","instance_id":"i-0abc","name":"web-1","environment":"production","image_family":"ubuntu-22.04","image_version":"2026.11.01","tags":{"tier":"web"}})",
       .success_status = 201,
       .writes = true,
       .handler = [&inv](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto a, services::AssetFromJson(r.body, ""));
         QLRF_ASSIGN_OR_RETURN(auto created, inv.CreateAsset(r.ctx, std::move(a)));
         return Json(AssetJson(created), 201);
       }});
  add({.method = "POST",
       .path = "/api/v1/assets/bulk",
       .permission = Permission::kManageAssets,
       .summary = "Upsert many assets in one transaction (JSON {assets:[…]} or NDJSON); a bad "
                  "row rejects the batch; full_sync_site terminates that site's unseen assets",
       .tag = "inventory",
       .request_schema = BulkRequest(),
       .response_schema = kBulkResponse,
       .example = R"({"assets":[{"platform":"aws","instance_id":"i-1","environment":"staging"}]})",
       .raw_content_types = {"application/x-ndjson"},
       .query = {{"full_sync_site", "string", "NDJSON bodies: the site of a full sync", {}}},
       .writes = true,
       .handler = [&inv](ApiRequest& r) -> Result<ApiResponse> {
         services::BulkUpsertRequest req;
         if (r.body.is_null()) {  // NDJSON
           QLRF_ASSIGN_OR_RETURN(req.assets, ParseNdjson(r.http->body));
           req.full_sync_site = r.Query("full_sync_site");
         } else {
           const auto& arr = r.body.as_object().at("assets").as_array();
           for (size_t i = 0; i < arr.size(); ++i) {
             QLRF_ASSIGN_OR_RETURN(
                 auto a, services::AssetFromJson(arr[i], "assets[" + std::to_string(i) + "]."));
             req.assets.push_back(std::move(a));
           }
           req.full_sync_site = Str(r.body, "full_sync_site");
         }
         int64_t total = static_cast<int64_t>(req.assets.size());
         QLRF_ASSIGN_OR_RETURN(auto stats, inv.BulkUpsert(r.ctx, std::move(req)));
         return Json({{"created", stats.created},
                      {"updated", stats.updated},
                      {"unchanged", stats.unchanged},
                      {"terminated", stats.terminated},
                      {"total", total}});
       }});
  add({.method = "GET",
       .path = "/api/v1/assets/{asset_id}",
       .permission = Permission::kRead,
       .summary = "One asset",
       .tag = "inventory",
       .response_schema = schemas::kAsset,
       .handler = [&inv](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "asset_id"));
         QLRF_ASSIGN_OR_RETURN(auto a, inv.GetAsset(r.ctx, id));
         return Json(AssetJson(a));
       }});
  add({.method = "PATCH",
       .path = "/api/v1/assets/{asset_id}",
       .permission = Permission::kManageAssets,
       .summary = "Change an asset (platform and instance_id are its identity)",
       .tag = "inventory",
       .request_schema = AssetPatch(),
       .response_schema = schemas::kAsset,
       .example = R"({"state":"stopped"})",
       .writes = true,
       .handler = [&inv](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "asset_id"));
         QLRF_ASSIGN_OR_RETURN(auto a, inv.PatchAsset(r.ctx, id, Object(r.body)));
         return Json(AssetJson(a));
       }});
  add({.method = "DELETE",
       .path = "/api/v1/assets/{asset_id}",
       .permission = Permission::kManageAssets,
       .summary = "Delete an asset",
       .tag = "inventory",
       .success_status = 204,
       .writes = true,
       .handler = [&inv](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "asset_id"));
         QLRF_TRY(inv.DeleteAsset(r.ctx, id));
         return NoContent();
       }});

  // --- resilience
  add({.method = "GET",
       .path = "/api/v1/resilience",
       .permission = Permission::kRead,
       .summary = "DR posture summary: pairs by replication status, never-drilled pairs, sites",
       .tag = "resilience",
       .response_schema = kResilience,
       .handler = [&inv](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto s, inv.Resilience(r.ctx));
         return Json({{"dr_pairs",
                       {{"total", s.pairs},
                        {"healthy", s.healthy},
                        {"lagging", s.lagging},
                        {"broken", s.broken},
                        {"unknown", s.unknown},
                        {"never_drilled", s.never_drilled}}},
                      {"sites", s.sites},
                      {"dr_sites", s.dr_sites}});
       }});
  add({.method = "GET",
       .path = "/api/v1/resilience/dr-pairs",
       .permission = Permission::kRead,
       .summary = "DR pairs",
       .tag = "resilience",
       .response_schema = schemas::PageOf(schemas::kDrPair),
       .paginated = true,
       .handler = [&inv](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto page, r.Page());
         QLRF_ASSIGN_OR_RETURN(auto pairs, inv.ListDrPairs(r.ctx, page));
         return Json(PageJson(pairs, DrPairJson));
       }});
  add({.method = "POST",
       .path = "/api/v1/resilience/dr-pairs",
       .permission = Permission::kManageAssets,
       .summary = "Create a DR pair (primary and DR site, RPO/RTO targets in seconds)",
       .tag = "resilience",
       .request_schema = kPairCreate,
       .response_schema = schemas::kDrPair,
       .example =
           R"({"name":"web","primary_site_id":"00000000-0000-4000-8000-000000000001","dr_site_id":"00000000-0000-4000-8000-000000000002","rpo_seconds":300,"rto_seconds":3600,"replication_mode":"async"})",
       .success_status = 201,
       .writes = true,
       .handler = [&inv](ApiRequest& r) -> Result<ApiResponse> {
         storage::DrPair p;
         p.name = *Str(r.body, "name");
         p.primary_site_id = *Str(r.body, "primary_site_id");
         p.dr_site_id = *Str(r.body, "dr_site_id");
         p.rpo_seconds = *Int(r.body, "rpo_seconds");
         p.rto_seconds = *Int(r.body, "rto_seconds");
         p.replication_mode = *Str(r.body, "replication_mode");
         p.replication_status = Str(r.body, "replication_status").value_or("unknown");
         QLRF_ASSIGN_OR_RETURN(auto created, inv.CreateDrPair(r.ctx, std::move(p)));
         return Json(DrPairJson(created), 201);
       }});
  add({.method = "GET",
       .path = "/api/v1/resilience/dr-pairs/{pair_id}",
       .permission = Permission::kRead,
       .summary = "One DR pair",
       .tag = "resilience",
       .response_schema = schemas::kDrPair,
       .handler = [&inv](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "pair_id"));
         QLRF_ASSIGN_OR_RETURN(auto p, inv.GetDrPair(r.ctx, id));
         return Json(DrPairJson(p));
       }});
  add({.method = "PATCH",
       .path = "/api/v1/resilience/dr-pairs/{pair_id}",
       .permission = Permission::kManageAssets,
       .summary = "Change a DR pair",
       .tag = "resilience",
       .request_schema = kPairPatch,
       .response_schema = schemas::kDrPair,
       .example = R"({"replication_status":"healthy"})",
       .writes = true,
       .handler = [&inv](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "pair_id"));
         QLRF_ASSIGN_OR_RETURN(auto p, inv.PatchDrPair(r.ctx, id, Object(r.body)));
         return Json(DrPairJson(p));
       }});
  add({.method = "DELETE",
       .path = "/api/v1/resilience/dr-pairs/{pair_id}",
       .permission = Permission::kManageAssets,
       .summary = "Delete a DR pair",
       .tag = "resilience",
       .success_status = 204,
       .writes = true,
       .handler = [&inv](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "pair_id"));
         QLRF_TRY(inv.DeleteDrPair(r.ctx, id));
         return NoContent();
       }});
  return routes;
}

}  // namespace qlrf::api
