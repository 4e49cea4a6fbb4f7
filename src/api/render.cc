// Rendering of identity records; keep the schemas below in step with the renderers (the API
// contract test validates every response against them).
#include "api/render.h"

#include <boost/json.hpp>

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

#undef QLRF_TS
#undef QLRF_NTS

std::string PageOf(const std::string& item_schema) {
  return R"({"type":"object","additionalProperties":false,"required":["items","next_cursor"],)"
         R"("properties":{"items":{"type":"array","items":)" +
         item_schema + R"(},"next_cursor":{"type":["string","null"]}}})";
}

}  // namespace schemas
}  // namespace qlrf::api
