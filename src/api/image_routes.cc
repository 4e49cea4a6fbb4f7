// Routes for golden images: versions, promotions, lineage (seed §1), builds and deployments.
#include <boost/json.hpp>

#include <memory>
#include <mutex>
#include <unordered_map>

#include "api/handler_util.h"
#include "api/render.h"
#include "api/routes.h"
#include "common/crypto.h"
#include "common/gzip.h"
#include "common/json.h"

namespace qlrf::api {

using services::Permission;

namespace {

const char* const kImageCreate = R"({"type":"object","additionalProperties":false,
 "required":["family","version"],
 "properties":{"family":{"type":"string","minLength":1,"maxLength":128},
  "version":{"type":"string","minLength":1,"maxLength":128},
  "os":{"type":"string","maxLength":128},"description":{"type":"string","maxLength":2000},
  "signed":{"type":"boolean"},"sbom_ref":{"type":"string","maxLength":512},
  "artifacts":{"type":"array","maxItems":200,"items":{"type":"object","additionalProperties":false,
   "required":["platform","ref"],"properties":{"platform":{"type":"string"},
   "region":{"type":"string"},"ref":{"type":"string"}}}},
  "tags":{"type":"object","additionalProperties":{"type":"string"}}}})";

const char* const kImagePatch = R"({"type":"object","additionalProperties":false,"minProperties":1,
 "properties":{"os":{"type":"string","maxLength":128},
  "description":{"type":"string","maxLength":2000},"signed":{"type":"boolean"},
  "sbom_ref":{"type":"string","maxLength":512},
  "artifacts":{"type":"array","maxItems":200,"items":{"type":"object"}},
  "tags":{"type":"object","additionalProperties":{"type":"string"}}}})";

const char* const kPromote = R"({"type":"object","additionalProperties":false,"required":["status"],
 "properties":{"status":{"enum":["draft","testing","production","deprecated","revoked"]},
  "reason":{"type":"string","maxLength":2000}}})";

const char* const kAddParent = R"({"type":"object","additionalProperties":false,
 "required":["parent_id","relation"],
 "properties":{"parent_id":{"type":"string","format":"uuid"},
  "relation":{"enum":["derived_from","patched_from","rebuilt_from"]}}})";

const char* const kAddBuild = R"({"type":"object","additionalProperties":false,
 "required":["provenance"],
 "properties":{"provenance":{"type":"object"},"slsa_level":{"type":"integer","minimum":0,"maximum":4}}})";

const char* const kEdge =
    R"({"type":"object","required":["parent_id","child_id","relation","created_at"]})";

std::string ItemsOf(const std::string& item) {
  return R"({"type":"object","required":["items"],"properties":{"items":{"type":"array","items":)" +
         item + "}}}";
}

std::string LineageSchema() {
  std::string rel =
      R"({"type":"object","required":["relation","image"],"properties":{"relation":{"type":"string"},"image":)" +
      std::string(schemas::kImage) + "}}";
  return R"({"type":"object","additionalProperties":false,"required":["image","parents","children"],"properties":{"image":)" +
         std::string(schemas::kImage) + R"(,"parents":{"type":"array","items":)" + rel +
         R"(},"children":{"type":"array","items":)" + rel + "}}}";
}

const char* const kFamily =
    R"({"type":"object","required":["id","name","os","description","created_at"]})";

const char* const kDeployments = R"({"type":"object","required":["image_id","total","groups"],
 "properties":{"image_id":{"type":"string"},"total":{"type":"integer"},
  "groups":{"type":"array","items":{"type":"object","required":["site_id","site_name","environment","assets","running"]}}}})";

// Rendered lineage trees by (org, family), plain and gzipped, with their ETag; valid while the
// family's generation is unchanged. Thread-safe.
class TreeCache {
 public:
  struct Entry {
    int64_t generation = 0;
    std::string plain;
    std::string gzip;
    std::string etag;
  };
  std::shared_ptr<const Entry> Get(const std::string& key, int64_t generation) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second->generation != generation) {
      return nullptr;
    }
    return it->second;
  }
  // Held while a missing entry is built, so concurrent misses build it once (the others wait
  // and then find it).
  std::mutex& build_mutex() { return build_mu_; }

  void Put(const std::string& key, std::shared_ptr<const Entry> entry) {
    std::lock_guard lock(mu_);
    if (entries_.size() >= 512) {
      entries_.clear();  // bounded; a miss costs one rebuild
    }
    entries_[key] = std::move(entry);
  }

 private:
  std::mutex mu_;
  std::mutex build_mu_;
  std::unordered_map<std::string, std::shared_ptr<const Entry>> entries_;
};

boost::json::value Related(const storage::LineageEdge& e, const storage::Image& m) {
  return {{"relation", e.relation}, {"created_at", e.created_at}, {"image", ImageJson(m)}};
}

}  // namespace

std::vector<Route> ImageRoutes(services::ImageService& img) {
  std::vector<Route> routes;
  auto add = [&](Route r) { routes.push_back(std::move(r)); };

  add({.method = "GET",
       .path = "/api/v1/images",
       .permission = Permission::kRead,
       .summary = "Golden image versions",
       .tag = "images",
       .response_schema = schemas::PageOf(schemas::kImage),
       .query =
           {{"family", "string", "", {}},
            {"status", "string", "", {"draft", "testing", "production", "deprecated", "revoked"}}},
       .paginated = true,
       .handler = [&img](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto page, r.Page());
         storage::ImageFilter f{r.Query("family"), r.Query("status")};
         QLRF_ASSIGN_OR_RETURN(auto images, img.ListImages(r.ctx, f, page));
         return Json(PageJson(images, ImageJson));
       }});
  add({.method = "POST",
       .path = "/api/v1/images",
       .permission = Permission::kManageImages,
       .summary = "Register an image version (status draft); the family is created on first use",
       .tag = "images",
       .request_schema = kImageCreate,
       .response_schema = schemas::kImage,
       .example =
           R"({"family":"ubuntu-22.04","version":"2026.11.20","os":"ubuntu","artifacts":[{"platform":"aws","region":"us-east-1","ref":"ami-0abc"}]})",
       .success_status = 201,
       .writes = true,
       .handler = [&img](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto in, services::NewImageFromJson(Object(r.body)));
         QLRF_ASSIGN_OR_RETURN(auto m, img.CreateImage(r.ctx, std::move(in)));
         return Json(ImageJson(m), 201);
       }});
  add({.method = "GET",
       .path = "/api/v1/images/families",
       .permission = Permission::kRead,
       .summary = "Image families",
       .tag = "images",
       .response_schema = ItemsOf(kFamily),
       .handler = [&img](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto families, img.Families(r.ctx));
         boost::json::array items;
         for (const auto& f : families) {
           items.push_back({{"id", f.id},
                            {"name", f.name},
                            {"os", f.os},
                            {"description", f.description},
                            {"created_at", f.created_at}});
         }
         return Json({{"items", std::move(items)}});
       }});
  add({.method = "GET",
       .path = "/api/v1/images/families/{family}/lineage-tree",
       .permission = Permission::kRead,
       .summary = "The family's lineage forest: every version with its parent and depth",
       .tag = "images",
       .response_schema =
           R"({"type":"object","required":["family","nodes"],"properties":{"family":{"type":"string"},"nodes":{"type":"array","items":)" +
           std::string(schemas::kTreeNode) + "}}}",
       .handler = [&img,
                   cache = std::make_shared<TreeCache>()](ApiRequest& r) -> Result<ApiResponse> {
         std::string family(r.Param("family"));
         QLRF_ASSIGN_OR_RETURN(int64_t generation, img.FamilyGeneration(r.ctx, family));
         std::string key = r.ctx.principal.org_id + "/" + family;
         auto entry = cache->Get(key, generation);
         std::unique_lock<std::mutex> building;
         if (!entry) {
           building = std::unique_lock(cache->build_mutex());
           entry = cache->Get(key, generation);  // built while this request waited
         }
         if (!entry) {
           QLRF_ASSIGN_OR_RETURN(auto nodes, img.FamilyTree(r.ctx, family));
           boost::json::array out;
           out.reserve(nodes.size());
           for (const auto& n : nodes) out.push_back(TreeNodeJson(n));
           auto e = std::make_shared<TreeCache::Entry>();
           e->generation = generation;
           e->plain =
               json::Serialize(boost::json::object{{"family", family}, {"nodes", std::move(out)}});
           e->gzip = Gzip(e->plain, 6);  // once per generation; served to every gzip client
           e->etag = "\"" + crypto::Sha256Hex(key).substr(0, 16) + "-" +
                     std::to_string(generation) + "\"";
           cache->Put(key, e);
           entry = std::move(e);
         }
         // Conditional and compressed: a 10,000-image tree is ~2 MB of JSON, ~10% gzipped.
         ApiResponse resp;
         resp.headers.push_back({"ETag", entry->etag});
         resp.headers.push_back({"Vary", "Accept-Encoding"});
         resp.headers.push_back({"Cache-Control", "private, no-cache"});
         if (r.http->HeaderValue("If-None-Match") == entry->etag) {
           resp.status = 304;
           return resp;
         }
         if (AcceptsGzip(r.http->HeaderValue("Accept-Encoding"))) {
           resp.raw_body = entry->gzip;
           resp.headers.push_back({"Content-Encoding", "gzip"});
         } else {
           resp.raw_body = entry->plain;
         }
         return resp;
       }});
  add({.method = "GET",
       .path = "/api/v1/images/families/{family}/current",
       .permission = Permission::kRead,
       .summary = "The family's current production image (what drift compares against); with "
                  "platform (and region), the one for that deployment target: an artifact at "
                  "(platform, region), else at (platform, ''), else the family's",
       .tag = "images",
       .response_schema = schemas::kImage,
       .query = {{"platform", "string", "deployment target platform", kPlatforms},
                 {"region", "string", "deployment target region (with platform)", {}}},
       .handler = [&img](ApiRequest& r) -> Result<ApiResponse> {
         auto platform = r.Query("platform");
         auto region = r.Query("region");
         if (region && !platform) {
           return Fail(FieldError("region", "needs platform"));
         }
         QLRF_ASSIGN_OR_RETURN(auto m, img.CurrentProduction(r.ctx, r.Param("family"), platform,
                                                            region.value_or("")));
         return Json(ImageJson(m));
       }});
  add({.method = "GET",
       .path = "/api/v1/images/families/{family}/current-targets",
       .permission = Permission::kRead,
       .summary = "Deployment targets (platform, region) with a current production image of their "
                  "own: the most recently promoted production version with an artifact there",
       .tag = "images",
       .response_schema = std::string(R"({"type":"object","required":["family","items"],)") +
                          R"("properties":{"family":{"type":"string"},"items":{"type":"array",)" +
                          R"("items":{"type":"object","required":["platform","region","image_id",)" +
                          R"("version","ref","since"],"properties":{"platform":{"type":"string"},)" +
                          R"("region":{"type":"string"},"image_id":{"type":"string"},)" +
                          R"("version":{"type":"string"},"ref":{"type":"string"},)" +
                          R"("since":{"type":"string"}},"additionalProperties":false}}},)" +
                          R"("additionalProperties":false})",
       .handler = [&img](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto targets, img.CurrentTargets(r.ctx, r.Param("family")));
         boost::json::array items;
         for (const auto& t : targets) {
           items.push_back({{"platform", t.platform},
                            {"region", t.region},
                            {"image_id", t.image_id},
                            {"version", t.version},
                            {"ref", t.ref},
                            {"since", t.since}});
         }
         return Json({{"family", std::string(r.Param("family"))}, {"items", std::move(items)}});
       }});
  add({.method = "GET",
       .path = "/api/v1/images/{image_id}",
       .permission = Permission::kRead,
       .summary = "One image version",
       .tag = "images",
       .response_schema = schemas::kImage,
       .handler = [&img](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         QLRF_ASSIGN_OR_RETURN(auto m, img.GetImage(r.ctx, id));
         return Json(ImageJson(m));
       }});
  add({.method = "PATCH",
       .path = "/api/v1/images/{image_id}",
       .permission = Permission::kManageImages,
       .summary = "Change description, signature flag, SBOM reference, artifacts or tags",
       .tag = "images",
       .request_schema = kImagePatch,
       .response_schema = schemas::kImage,
       .example = R"({"signed":true})",
       .writes = true,
       .handler = [&img](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         QLRF_ASSIGN_OR_RETURN(auto m, img.PatchImage(r.ctx, id, Object(r.body)));
         return Json(ImageJson(m));
       }});
  add({.method = "POST",
       .path = "/api/v1/images/{image_id}/promote",
       .permission = Permission::kManageImages,
       .summary = "Move along draft → testing → production → deprecated (→ revoked); 409 if "
                  "the lifecycle does not allow it",
       .tag = "images",
       .request_schema = kPromote,
       .response_schema = schemas::kImage,
       .example = R"({"status":"testing","reason":"passed CIS scan"})",
       .writes = true,
       .handler = [&img](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         QLRF_ASSIGN_OR_RETURN(auto m, img.Promote(r.ctx, id, *Str(r.body, "status"),
                                                   Str(r.body, "reason").value_or("")));
         return Json(ImageJson(m));
       }});
  add({.method = "GET",
       .path = "/api/v1/images/{image_id}/promotions",
       .permission = Permission::kRead,
       .summary = "The image's status history (who, when, why)",
       .tag = "images",
       .response_schema = ItemsOf(schemas::kPromotion),
       .handler = [&img](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         QLRF_ASSIGN_OR_RETURN(auto list, img.Promotions(r.ctx, id));
         boost::json::array items;
         for (const auto& p : list) items.push_back(PromotionJson(p));
         return Json({{"items", std::move(items)}});
       }});
  add({.method = "GET",
       .path = "/api/v1/images/{image_id}/lineage",
       .permission = Permission::kRead,
       .summary = "The image with its parents and children",
       .tag = "images",
       .response_schema = LineageSchema(),
       .handler = [&img](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         QLRF_ASSIGN_OR_RETURN(auto l, img.Lineage(r.ctx, id));
         boost::json::array parents;
         boost::json::array children;
         for (const auto& [e, m] : l.parents) parents.push_back(Related(e, m));
         for (const auto& [e, m] : l.children) children.push_back(Related(e, m));
         return Json({{"image", ImageJson(l.image)},
                      {"parents", std::move(parents)},
                      {"children", std::move(children)}});
       }});
  add({.method = "POST",
       .path = "/api/v1/images/{image_id}/lineage/parents",
       .permission = Permission::kManageImages,
       .summary = "Record a parent (derived_from | patched_from | rebuilt_from); 409 for a "
                  "self-parent or a cycle",
       .tag = "images",
       .request_schema = kAddParent,
       .response_schema = kEdge,
       .example =
           R"({"parent_id":"00000000-0000-4000-8000-000000000000","relation":"patched_from"})",
       .success_status = 201,
       .writes = true,
       .handler = [&img](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         QLRF_ASSIGN_OR_RETURN(
             auto e, img.AddParent(r.ctx, id, *Str(r.body, "parent_id"), *Str(r.body, "relation")));
         return Json({{"parent_id", e.parent_id},
                      {"child_id", e.child_id},
                      {"relation", e.relation},
                      {"created_at", e.created_at}},
                     201);
       }});
  add({.method = "GET",
       .path = "/api/v1/images/{image_id}/builds",
       .permission = Permission::kRead,
       .summary = "Build provenance history, newest first",
       .tag = "images",
       .response_schema = ItemsOf(schemas::kBuild),
       .handler = [&img](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         QLRF_ASSIGN_OR_RETURN(auto builds, img.Builds(r.ctx, id));
         boost::json::array items;
         for (const auto& b : builds) items.push_back(BuildJson(b));
         return Json({{"items", std::move(items)}});
       }});
  add({.method = "POST",
       .path = "/api/v1/images/{image_id}/builds",
       .permission = Permission::kManageImages,
       .summary = "Record a build from an in-toto Statement with SLSA provenance (v1 or v0.2)",
       .tag = "images",
       .request_schema = kAddBuild,
       .response_schema = schemas::kBuild,
       .example =
           R"({"provenance":{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"https://example.com/packer@v1","resolvedDependencies":[{"uri":"git+https://github.com/acme/images","digest":{"gitCommit":"a1b2c3"}}]},"runDetails":{"builder":{"id":"https://github.com/acme/builder"},"metadata":{"startedOn":"2026-11-01T10:00:00Z","finishedOn":"2026-11-01T10:20:00Z"}}}},"slsa_level":2})",
       .success_status = 201,
       .writes = true,
       .handler = [&img](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         QLRF_ASSIGN_OR_RETURN(auto b, img.AddBuild(r.ctx, id, Object(r.body).at("provenance"),
                                                    Int(r.body, "slsa_level")));
         return Json(BuildJson(b), 201);
       }});
  add({.method = "GET",
       .path = "/api/v1/images/{image_id}/deployments",
       .permission = Permission::kRead,
       .summary = "Assets running this version, by site and environment",
       .tag = "images",
       .response_schema = kDeployments,
       .handler = [&img](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         QLRF_ASSIGN_OR_RETURN(auto groups, img.Deployments(r.ctx, id));
         boost::json::array out;
         int64_t total = 0;
         for (const auto& g : groups) {
           total += g.assets;
           out.push_back({{"site_id", g.site_id ? boost::json::value(*g.site_id)
                                                : boost::json::value(nullptr)},
                          {"site_name", g.site_name},
                          {"environment", g.environment},
                          {"assets", g.assets},
                          {"running", g.running}});
         }
         return Json({{"image_id", id}, {"total", total}, {"groups", std::move(out)}});
       }});
  return routes;
}

}  // namespace qlrf::api
