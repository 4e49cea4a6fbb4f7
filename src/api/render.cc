// Rendering of identity records; keep the schemas below in step with the renderers (the API
// contract test validates every response against them).
#include "api/render.h"

#include <boost/json.hpp>

#include "common/json.h"

namespace qlrf::api {
namespace {

boost::json::value Opt(const std::optional<std::string>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

}  // namespace

boost::json::value OrgJson(const storage::Org& o) {
  return {{"id", o.id},
          {"name", o.name},
          {"slug", o.slug},
          {"external_id", Opt(o.external_id)},
          {"autonomy_mode", o.autonomy_mode},
          {"created_at", o.created_at},
          {"updated_at", o.updated_at}};
}

boost::json::value MemberJson(const storage::Membership& m) {
  return {{"user_id", m.user_id}, {"email", m.email},           {"display_name", m.display_name},
          {"role", m.role},       {"created_at", m.created_at}, {"updated_at", m.updated_at}};
}

boost::json::value ApiKeyJson(const storage::ApiKeyRecord& k) {
  return {{"id", k.id},
          {"name", k.name},
          {"prefix", k.prefix},
          {"role", k.role},
          {"created_by", Opt(k.created_by)},
          {"created_at", k.created_at},
          {"last_used_at", Opt(k.last_used_at)},
          {"expires_at", Opt(k.expires_at)},
          {"revoked_at", Opt(k.revoked_at)}};
}

boost::json::value ProjectJson(const storage::Project& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"description", p.description},
          {"created_at", p.created_at},
          {"updated_at", p.updated_at}};
}

boost::json::value EnvironmentJson(const storage::Environment& e) {
  return {{"id", e.id},     {"project_id", e.project_id}, {"name", e.name},
          {"kind", e.kind}, {"created_at", e.created_at}, {"updated_at", e.updated_at}};
}

boost::json::value AuditJson(const storage::AuditEvent& e) {
  boost::json::value summary = boost::json::parse(e.summary);
  return {{"id", e.id},
          {"seq", e.seq},
          {"occurred_at", e.occurred_at},
          {"actor_type", e.actor_type},
          {"actor_id", e.actor_id},
          {"action", e.action},
          {"target_type", e.target_type},
          {"target_id", e.target_id},
          {"request_id", e.request_id},
          {"summary", std::move(summary)},
          {"hash", e.hash},
          {"prev_hash", e.prev_hash}};
}

boost::json::value SiteJson(const storage::Site& s) {
  return {{"id", s.id},
          {"name", s.name},
          {"platform", s.platform},
          {"region", s.region},
          {"datacenter", s.datacenter},
          {"environment", s.environment},
          {"created_at", s.created_at},
          {"updated_at", s.updated_at}};
}

boost::json::value AssetJson(const storage::Asset& a) {
  boost::json::array ips;
  for (const auto& ip : a.ips) {
    ips.emplace_back(ip);
  }
  boost::json::object tags;
  for (const auto& [k, v] : a.tags) {
    tags[k] = v;
  }
  return {{"id", a.id},
          {"platform", a.platform},
          {"instance_id", a.instance_id},
          {"name", a.name},
          {"environment", a.environment},
          {"site_id", Opt(a.site_id)},
          {"region", a.region},
          {"state", a.state},
          {"image_ref", a.image_ref},
          {"image_family", a.image_family},
          {"image_version", a.image_version},
          {"os", a.os},
          {"ips", std::move(ips)},
          {"tags", std::move(tags)},
          {"first_seen_at", a.first_seen_at},
          {"last_seen_at", a.last_seen_at},
          {"created_at", a.created_at},
          {"updated_at", a.updated_at}};
}

boost::json::value DrPairJson(const storage::DrPair& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"primary_site_id", p.primary_site_id},
          {"dr_site_id", p.dr_site_id},
          {"rpo_seconds", p.rpo_seconds},
          {"rto_seconds", p.rto_seconds},
          {"replication_mode", p.replication_mode},
          {"replication_status", p.replication_status},
          {"last_drill_at", Opt(p.last_drill_at)},
          {"created_at", p.created_at},
          {"updated_at", p.updated_at}};
}

boost::json::value ImageJson(const storage::Image& m) {
  boost::json::array artifacts;
  for (const auto& a : m.artifacts) {
    artifacts.push_back({{"platform", a.platform}, {"region", a.region}, {"ref", a.ref}});
  }
  boost::json::object tags;
  for (const auto& [k, v] : m.tags) {
    tags[k] = v;
  }
  return {{"id", m.id},
          {"family", m.family},
          {"version", m.version},
          {"status", m.status},
          {"os", m.os},
          {"signed", m.is_signed},
          {"sbom_ref", m.sbom_ref},
          {"description", m.description},
          {"promoted_at", Opt(m.promoted_at)},
          {"artifacts", std::move(artifacts)},
          {"tags", std::move(tags)},
          {"created_at", m.created_at},
          {"updated_at", m.updated_at}};
}

boost::json::value PromotionJson(const storage::Promotion& p) {
  return {{"id", p.id},
          {"from_status", p.from_status},
          {"to_status", p.to_status},
          {"actor_id", p.actor_id},
          {"reason", p.reason},
          {"occurred_at", p.occurred_at}};
}

boost::json::value BuildJson(const storage::Build& b) {
  auto prov = json::Parse(b.provenance);
  return {{"id", b.id},
          {"builder_id", b.builder_id},
          {"build_type", b.build_type},
          {"source_repo", b.source_repo},
          {"source_commit", b.source_commit},
          {"started_at", Opt(b.started_at)},
          {"finished_at", Opt(b.finished_at)},
          {"slsa_level", b.slsa_level},
          {"provenance", prov ? *prov : boost::json::value(nullptr)},
          {"created_at", b.created_at}};
}

boost::json::value TreeNodeJson(const storage::TreeNode& n) {
  return {{"image_id", n.image_id},        {"version", n.version},        {"status", n.status},
          {"parent_id", Opt(n.parent_id)}, {"relation", Opt(n.relation)}, {"depth", n.depth}};
}

namespace schemas {

#define QLRF_TS R"({"type":"string","format":"date-time"})"
#define QLRF_NTS R"({"type":["string","null"]})"

const char* const kOrg = R"({"type":"object","additionalProperties":false,
 "required":["id","name","slug","external_id","autonomy_mode","created_at","updated_at"],
 "properties":{"id":{"type":"string","format":"uuid"},"name":{"type":"string"},
  "slug":{"type":"string"},"external_id":)" QLRF_NTS R"(,
  "autonomy_mode":{"enum":["plan_only","canary_only","full_auto"]},
  "created_at":)" QLRF_TS R"(,"updated_at":)" QLRF_TS R"(}})";

const char* const kMember = R"({"type":"object","additionalProperties":false,
 "required":["user_id","email","display_name","role","created_at","updated_at"],
 "properties":{"user_id":{"type":"string"},"email":{"type":"string"},
  "display_name":{"type":"string"},"role":{"enum":["viewer","operator","approver","admin"]},
  "created_at":)" QLRF_TS R"(,"updated_at":)" QLRF_TS R"(}})";

const char* const kApiKey = R"({"type":"object","additionalProperties":false,
 "required":["id","name","prefix","role","created_by","created_at","last_used_at","expires_at","revoked_at"],
 "properties":{"id":{"type":"string","format":"uuid"},"name":{"type":"string"},
  "prefix":{"type":"string"},"role":{"enum":["viewer","operator","approver","admin"]},
  "created_by":)" QLRF_NTS R"(,"created_at":)" QLRF_TS R"(,"last_used_at":)" QLRF_NTS R"(,
  "expires_at":)" QLRF_NTS R"(,"revoked_at":)" QLRF_NTS R"(}})";

const char* const kProject = R"({"type":"object","additionalProperties":false,
 "required":["id","name","description","created_at","updated_at"],
 "properties":{"id":{"type":"string","format":"uuid"},"name":{"type":"string"},
  "description":{"type":"string"},"created_at":)" QLRF_TS R"(,"updated_at":)" QLRF_TS R"(}})";

const char* const kEnvironment = R"({"type":"object","additionalProperties":false,
 "required":["id","project_id","name","kind","created_at","updated_at"],
 "properties":{"id":{"type":"string","format":"uuid"},"project_id":{"type":"string"},
  "name":{"type":"string"},"kind":{"enum":["production","staging","development","dr"]},
  "created_at":)" QLRF_TS R"(,"updated_at":)" QLRF_TS R"(}})";

const char* const kAuditEvent = R"({"type":"object","additionalProperties":false,
 "required":["id","seq","occurred_at","actor_type","actor_id","action","target_type","target_id","request_id","summary","hash","prev_hash"],
 "properties":{"id":{"type":"string"},"seq":{"type":"integer","minimum":1},
  "occurred_at":)" QLRF_TS R"(,"actor_type":{"enum":["user","api_key","system"]},
  "actor_id":{"type":"string"},"action":{"type":"string"},"target_type":{"type":"string"},
  "target_id":{"type":"string"},"request_id":{"type":"string"},"summary":{"type":"object"},
  "hash":{"type":"string","pattern":"^[0-9a-f]{64}$"},
  "prev_hash":{"type":"string","pattern":"^[0-9a-f]{64}$"}}})";

#define QLRF_PLATFORM R"({"enum":["aws","azure","gcp","vsphere","k8s","libvirt","baremetal"]})"
#define QLRF_ENV R"({"enum":["production","staging","development","dr"]})"

const char* const kSite = R"({"type":"object","additionalProperties":false,
 "required":["id","name","platform","region","datacenter","environment","created_at","updated_at"],
 "properties":{"id":{"type":"string","format":"uuid"},"name":{"type":"string"},
  "platform":)" QLRF_PLATFORM R"(,"region":{"type":"string"},"datacenter":{"type":"string"},
  "environment":)" QLRF_ENV R"(,"created_at":)" QLRF_TS R"(,"updated_at":)" QLRF_TS R"(}})";

const char* const kAsset = R"({"type":"object","additionalProperties":false,
 "required":["id","platform","instance_id","name","environment","site_id","region","state","image_ref","image_family","image_version","os","ips","tags","first_seen_at","last_seen_at","created_at","updated_at"],
 "properties":{"id":{"type":"string","format":"uuid"},"platform":)" QLRF_PLATFORM R"(,
  "instance_id":{"type":"string"},"name":{"type":"string"},"environment":)" QLRF_ENV R"(,
  "site_id":)" QLRF_NTS R"(,"region":{"type":"string"},
  "state":{"enum":["running","stopped","terminated","unknown"]},"image_ref":{"type":"string"},
  "image_family":{"type":"string"},"image_version":{"type":"string"},"os":{"type":"string"},
  "ips":{"type":"array","items":{"type":"string"}},
  "tags":{"type":"object","additionalProperties":{"type":"string"}},
  "first_seen_at":)" QLRF_TS R"(,"last_seen_at":)" QLRF_TS R"(,"created_at":)" QLRF_TS R"(,
  "updated_at":)" QLRF_TS R"(}})";

const char* const kDrPair = R"({"type":"object","additionalProperties":false,
 "required":["id","name","primary_site_id","dr_site_id","rpo_seconds","rto_seconds","replication_mode","replication_status","last_drill_at","created_at","updated_at"],
 "properties":{"id":{"type":"string","format":"uuid"},"name":{"type":"string"},
  "primary_site_id":{"type":"string"},"dr_site_id":{"type":"string"},
  "rpo_seconds":{"type":"integer","minimum":0},"rto_seconds":{"type":"integer","minimum":0},
  "replication_mode":{"enum":["sync","async","snapshot","none"]},
  "replication_status":{"enum":["healthy","lagging","broken","unknown"]},
  "last_drill_at":)" QLRF_NTS R"(,"created_at":)" QLRF_TS R"(,"updated_at":)" QLRF_TS R"(}})";

const char* const kImage = R"({"type":"object","additionalProperties":false,
 "required":["id","family","version","status","os","signed","sbom_ref","description","promoted_at","artifacts","tags","created_at","updated_at"],
 "properties":{"id":{"type":"string","format":"uuid"},"family":{"type":"string"},
  "version":{"type":"string"},
  "status":{"enum":["draft","testing","production","deprecated","revoked"]},
  "os":{"type":"string"},"signed":{"type":"boolean"},"sbom_ref":{"type":"string"},
  "description":{"type":"string"},"promoted_at":)" QLRF_NTS R"(,
  "artifacts":{"type":"array","items":{"type":"object","required":["platform","region","ref"]}},
  "tags":{"type":"object","additionalProperties":{"type":"string"}},
  "created_at":)" QLRF_TS R"(,"updated_at":)" QLRF_TS R"(}})";

const char* const kPromotion = R"({"type":"object","additionalProperties":false,
 "required":["id","from_status","to_status","actor_id","reason","occurred_at"],
 "properties":{"id":{"type":"string"},"from_status":{"type":"string"},
  "to_status":{"type":"string"},"actor_id":{"type":"string"},"reason":{"type":"string"},
  "occurred_at":)" QLRF_TS R"(}})";

const char* const kBuild = R"({"type":"object","additionalProperties":false,
 "required":["id","builder_id","build_type","source_repo","source_commit","started_at","finished_at","slsa_level","provenance","created_at"],
 "properties":{"id":{"type":"string"},"builder_id":{"type":"string"},
  "build_type":{"type":"string"},"source_repo":{"type":"string"},
  "source_commit":{"type":"string"},"started_at":)" QLRF_NTS R"(,"finished_at":)" QLRF_NTS R"(,
  "slsa_level":{"type":"integer","minimum":0,"maximum":4},"provenance":{"type":"object"},
  "created_at":)" QLRF_TS R"(}})";

const char* const kTreeNode = R"({"type":"object","additionalProperties":false,
 "required":["image_id","version","status","parent_id","relation","depth"],
 "properties":{"image_id":{"type":"string"},"version":{"type":"string"},
  "status":{"type":"string"},"parent_id":)" QLRF_NTS R"(,"relation":)" QLRF_NTS R"(,
  "depth":{"type":"integer","minimum":0}}})";

#undef QLRF_PLATFORM
#undef QLRF_ENV
#undef QLRF_TS
#undef QLRF_NTS

std::string PageOf(const std::string& item_schema) {
  return R"({"type":"object","additionalProperties":false,"required":["items","next_cursor"],)"
         R"("properties":{"items":{"type":"array","items":)" +
         item_schema + R"(},"next_cursor":{"type":["string","null"]}}})";
}

}  // namespace schemas
}  // namespace qlrf::api
