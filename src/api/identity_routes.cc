// Routes for auth, organizations, users, API keys, projects, environments and audit.
#include <boost/json.hpp>

#include "api/handler_util.h"
#include "api/render.h"
#include "api/routes.h"
#include "common/random.h"

namespace qlrf::api {

using services::Permission;
namespace {

const char* const kLoginRequest = R"({"type":"object","additionalProperties":false,
 "required":["login","password"],
 "properties":{"login":{"type":"string","minLength":1,"maxLength":320},
  "password":{"type":"string","minLength":1,"maxLength":1024},
  "org":{"type":"string","maxLength":100}}})";

const char* const kLoginResponse =
    R"({"type":"object","required":["token","token_type","expires_at","user","org","role"],
 "properties":{"token":{"type":"string"},"token_type":{"const":"Bearer"},
  "expires_at":{"type":"string"},"user":{"type":"object"},"org":{"type":"object"},
  "role":{"type":"string"}}})";

const char* const kMeResponse = R"({"type":"object","additionalProperties":false,
 "required":["principal","org","role","permissions","auth_method"],
 "properties":{"principal":{"type":"object","required":["type","id"],
   "properties":{"type":{"enum":["user","api_key","system"]},"id":{"type":"string"},
   "email":{"type":"string"}}},
  "org":{"type":"object","required":["id","slug"],
   "properties":{"id":{"type":"string"},"slug":{"type":"string"}}},
  "role":{"type":"string"},"permissions":{"type":"array","items":{"type":"string"}},
  "auth_method":{"type":"string"}}})";

const char* const kOrgCreate = R"({"type":"object","additionalProperties":false,
 "required":["name","slug"],
 "properties":{"name":{"type":"string","minLength":1,"maxLength":200},
  "slug":{"type":"string","pattern":"^[a-z0-9][a-z0-9-]{0,62}$"}}})";

const char* const kOrgPatch = R"({"type":"object","additionalProperties":false,"minProperties":1,
 "properties":{"name":{"type":"string","minLength":1,"maxLength":200},
  "autonomy_mode":{"enum":["plan_only","canary_only","full_auto"]}}})";

const char* const kUserCreate = R"({"type":"object","additionalProperties":false,
 "required":["email","role"],
 "properties":{"email":{"type":"string","minLength":3,"maxLength":320},
  "display_name":{"type":"string","maxLength":200},
  "password":{"type":"string","minLength":12,"maxLength":1024},
  "role":{"enum":["viewer","operator","approver","admin"]}}})";

const char* const kUserPatch = R"({"type":"object","additionalProperties":false,"required":["role"],
 "properties":{"role":{"enum":["viewer","operator","approver","admin"]}}})";

const char* const kKeyCreate = R"({"type":"object","additionalProperties":false,
 "required":["name","role"],
 "properties":{"name":{"type":"string","minLength":1,"maxLength":200},
  "role":{"enum":["viewer","operator","approver","admin"]},
  "expires_at":{"type":"string","format":"date-time"}}})";

const char* const kProjectCreate = R"({"type":"object","additionalProperties":false,
 "required":["name"],
 "properties":{"name":{"type":"string","minLength":1,"maxLength":200},
  "description":{"type":"string","maxLength":2000}}})";

const char* const kProjectPatch =
    R"({"type":"object","additionalProperties":false,"minProperties":1,
 "properties":{"name":{"type":"string","minLength":1,"maxLength":200},
  "description":{"type":"string","maxLength":2000}}})";

const char* const kEnvCreate = R"({"type":"object","additionalProperties":false,
 "required":["project_id","name","kind"],
 "properties":{"project_id":{"type":"string","format":"uuid"},
  "name":{"type":"string","minLength":1,"maxLength":200},
  "kind":{"enum":["production","staging","development","dr"]}}})";

const char* const kVerifyResponse = R"({"type":"object","additionalProperties":false,
 "required":["ok","events","first_break"],
 "properties":{"ok":{"type":"boolean"},"events":{"type":"integer"},
  "first_break":{"type":["object","null"]}}})";

std::string KeyCreated() {
  return std::string(
             R"({"type":"object","additionalProperties":false,"required":["key","api_key"],)"
             R"("properties":{"key":{"type":"string","pattern":"^qlrf_"},"api_key":)") +
         schemas::kApiKey + "}}";
}

std::string OrgList() {
  return std::string(
             R"({"type":"object","required":["items"],"properties":{"items":{"type":"array","items":{"type":"object","required":["org","role"],"properties":{"org":)") +
         schemas::kOrg + R"(,"role":{"type":"string"}}}},"next_cursor":{"type":"null"}}})";
}

}  // namespace

std::vector<Route> IdentityRoutes(services::IdentityService& id) {
  std::vector<Route> routes;
  auto add = [&](Route r) { routes.push_back(std::move(r)); };

  add({.method = "POST",
       .path = "/api/v1/auth/login",
       .authenticated = false,
       .summary = "Log in with a local user; returns a short-lived session token",
       .tag = "auth",
       .request_schema = kLoginRequest,
       .response_schema = kLoginResponse,
       .example = R"({"login":"admin","password":"correct horse battery"})",
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto res, id.Login(*Str(r.body, "login"), *Str(r.body, "password"),
                                                  Str(r.body, "org")));
         boost::json::object user{{"id", res.user.id},
                                  {"email", res.user.email},
                                  {"display_name", res.user.display_name}};
         return Json({{"token", res.token},
                      {"token_type", "Bearer"},
                      {"expires_at", res.expires_at},
                      {"user", user},
                      {"org", OrgJson(res.org)},
                      {"role", res.role}});
       }});

  add({.method = "GET",
       .path = "/api/v1/me",
       .permission = Permission::kRead,
       .summary = "The caller: principal, organization, role and permissions",
       .tag = "auth",
       .response_schema = kMeResponse,
       .inline_exec = true,
       .handler = [](ApiRequest& r) -> Result<ApiResponse> {
         const auto& p = r.ctx.principal;
         boost::json::array perms;
         for (auto perm : services::PermissionsOf(p.role)) {
           perms.emplace_back(services::PermissionName(perm));
         }
         boost::json::object principal{{"type", p.KindName()}, {"id", p.id}};
         if (!p.email.empty()) {
           principal["email"] = p.email;
         }
         return Json({{"principal", principal},
                      {"org", {{"id", p.org_id}, {"slug", p.org_slug}}},
                      {"role", p.role},
                      {"permissions", perms},
                      {"auth_method", p.auth_method}});
       }});

  // --- organizations
  add({.method = "GET",
       .path = "/api/v1/organizations",
       .permission = Permission::kRead,
       .summary = "Organizations the caller belongs to (a user may have several)",
       .tag = "organizations",
       .response_schema = OrgList(),
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto orgs, id.MyOrgs(r.ctx));
         boost::json::array items;
         for (const auto& [org, role] : orgs) {
           items.push_back({{"org", OrgJson(org)}, {"role", role}});
         }
         return Json({{"items", items}, {"next_cursor", nullptr}});
       }});
  add({.method = "POST",
       .path = "/api/v1/organizations",
       .permission = Permission::kRead,
       .summary = "Create an organization; the calling user becomes its admin",
       .tag = "organizations",
       .request_schema = kOrgCreate,
       .response_schema = schemas::kOrg,
       .example = R"({"name":"Acme","slug":"acme"})",
       .success_status = 201,
       .writes = true,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto org,
                               id.CreateOrg(r.ctx, *Str(r.body, "name"), *Str(r.body, "slug")));
         return Json(OrgJson(org), 201);
       }});
  add({.method = "GET",
       .path = "/api/v1/organizations/{org_id}",
       .permission = Permission::kRead,
       .summary = "The caller's organization",
       .tag = "organizations",
       .response_schema = schemas::kOrg,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto oid, IdParam(r, "org_id"));
         QLRF_ASSIGN_OR_RETURN(auto org, id.GetOrg(r.ctx, oid));
         return Json(OrgJson(org));
       }});
  add({.method = "PATCH",
       .path = "/api/v1/organizations/{org_id}",
       .permission = Permission::kAdmin,
       .summary = "Rename or change the autonomy mode",
       .tag = "organizations",
       .request_schema = kOrgPatch,
       .response_schema = schemas::kOrg,
       .example = R"({"autonomy_mode":"canary_only"})",
       .writes = true,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto oid, IdParam(r, "org_id"));
         QLRF_ASSIGN_OR_RETURN(
             auto org, id.UpdateOrg(r.ctx, oid, Str(r.body, "name"), Str(r.body, "autonomy_mode")));
         return Json(OrgJson(org));
       }});

  // --- users (memberships of the caller's org)
  add({.method = "GET",
       .path = "/api/v1/users",
       .permission = Permission::kRead,
       .summary = "Members of the organization",
       .tag = "users",
       .response_schema = schemas::PageOf(schemas::kMember),
       .paginated = true,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto page, r.Page());
         QLRF_ASSIGN_OR_RETURN(auto members, id.ListMembers(r.ctx, page));
         return Json(PageJson(members, MemberJson));
       }});
  add({.method = "POST",
       .path = "/api/v1/users",
       .permission = Permission::kAdmin,
       .summary = "Add a user (created if new) to the organization with a role",
       .tag = "users",
       .request_schema = kUserCreate,
       .response_schema = schemas::kMember,
       .example = R"({"email":"ops@example.com","role":"operator"})",
       .success_status = 201,
       .writes = true,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         services::NewMember m{*Str(r.body, "email"), Str(r.body, "display_name").value_or(""),
                               Str(r.body, "password"), *Str(r.body, "role")};
         QLRF_ASSIGN_OR_RETURN(auto member, id.AddMember(r.ctx, m));
         return Json(MemberJson(member), 201);
       }});
  add({.method = "GET",
       .path = "/api/v1/users/{user_id}",
       .permission = Permission::kRead,
       .summary = "One member",
       .tag = "users",
       .response_schema = schemas::kMember,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto uid, IdParam(r, "user_id"));
         QLRF_ASSIGN_OR_RETURN(auto m, id.GetMember(r.ctx, uid));
         return Json(MemberJson(m));
       }});
  add({.method = "PATCH",
       .path = "/api/v1/users/{user_id}",
       .permission = Permission::kAdmin,
       .summary = "Change a member's role (the last admin cannot be demoted)",
       .tag = "users",
       .request_schema = kUserPatch,
       .response_schema = schemas::kMember,
       .example = R"({"role":"approver"})",
       .writes = true,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto uid, IdParam(r, "user_id"));
         QLRF_ASSIGN_OR_RETURN(auto m, id.UpdateMemberRole(r.ctx, uid, *Str(r.body, "role")));
         return Json(MemberJson(m));
       }});
  add({.method = "DELETE",
       .path = "/api/v1/users/{user_id}",
       .permission = Permission::kAdmin,
       .summary = "Remove a member from the organization",
       .tag = "users",
       .success_status = 204,
       .writes = true,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto uid, IdParam(r, "user_id"));
         QLRF_TRY(id.RemoveMember(r.ctx, uid));
         return NoContent();
       }});

  // --- API keys
  add({.method = "GET",
       .path = "/api/v1/api-keys",
       .permission = Permission::kAdmin,
       .summary = "API keys of the organization (never the secret)",
       .tag = "api-keys",
       .response_schema = schemas::PageOf(schemas::kApiKey),
       .paginated = true,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto page, r.Page());
         QLRF_ASSIGN_OR_RETURN(auto keys, id.ListApiKeys(r.ctx, page));
         return Json(PageJson(keys, ApiKeyJson));
       }});
  add({.method = "POST",
       .path = "/api/v1/api-keys",
       .permission = Permission::kAdmin,
       .summary = "Create an API key; the secret is returned once",
       .tag = "api-keys",
       .request_schema = kKeyCreate,
       .response_schema = KeyCreated(),
       .example = R"({"name":"ci","role":"operator"})",
       .success_status = 201,
       .writes = true,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto key,
                               id.CreateApiKey(r.ctx, *Str(r.body, "name"), *Str(r.body, "role"),
                                               Str(r.body, "expires_at")));
         return Json({{"key", key.plaintext}, {"api_key", ApiKeyJson(key.record)}}, 201);
       }});
  add({.method = "GET",
       .path = "/api/v1/api-keys/{key_id}",
       .permission = Permission::kAdmin,
       .summary = "One API key",
       .tag = "api-keys",
       .response_schema = schemas::kApiKey,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto kid, IdParam(r, "key_id"));
         QLRF_ASSIGN_OR_RETURN(auto k, id.GetApiKey(r.ctx, kid));
         return Json(ApiKeyJson(k));
       }});
  add({.method = "DELETE",
       .path = "/api/v1/api-keys/{key_id}",
       .permission = Permission::kAdmin,
       .summary = "Revoke an API key",
       .tag = "api-keys",
       .success_status = 204,
       .writes = true,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto kid, IdParam(r, "key_id"));
         QLRF_TRY(id.RevokeApiKey(r.ctx, kid));
         return NoContent();
       }});

  // --- projects
  add({.method = "GET",
       .path = "/api/v1/projects",
       .permission = Permission::kRead,
       .summary = "Projects",
       .tag = "projects",
       .response_schema = schemas::PageOf(schemas::kProject),
       .paginated = true,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto page, r.Page());
         QLRF_ASSIGN_OR_RETURN(auto projects, id.ListProjects(r.ctx, page));
         return Json(PageJson(projects, ProjectJson));
       }});
  add({.method = "POST",
       .path = "/api/v1/projects",
       .permission = Permission::kAdmin,
       .summary = "Create a project",
       .tag = "projects",
       .request_schema = kProjectCreate,
       .response_schema = schemas::kProject,
       .example = R"({"name":"web","description":"front end"})",
       .success_status = 201,
       .writes = true,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto p, id.CreateProject(r.ctx, *Str(r.body, "name"),
                                                        Str(r.body, "description").value_or("")));
         return Json(ProjectJson(p), 201);
       }});
  add({.method = "GET",
       .path = "/api/v1/projects/{project_id}",
       .permission = Permission::kRead,
       .summary = "One project",
       .tag = "projects",
       .response_schema = schemas::kProject,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto pid, IdParam(r, "project_id"));
         QLRF_ASSIGN_OR_RETURN(auto p, id.GetProject(r.ctx, pid));
         return Json(ProjectJson(p));
       }});
  add({.method = "PATCH",
       .path = "/api/v1/projects/{project_id}",
       .permission = Permission::kAdmin,
       .summary = "Update a project",
       .tag = "projects",
       .request_schema = kProjectPatch,
       .response_schema = schemas::kProject,
       .example = R"({"description":"renamed"})",
       .writes = true,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto pid, IdParam(r, "project_id"));
         QLRF_ASSIGN_OR_RETURN(
             auto p, id.UpdateProject(r.ctx, pid, Str(r.body, "name"), Str(r.body, "description")));
         return Json(ProjectJson(p));
       }});
  add({.method = "DELETE",
       .path = "/api/v1/projects/{project_id}",
       .permission = Permission::kAdmin,
       .summary = "Delete a project and its environments",
       .tag = "projects",
       .success_status = 204,
       .writes = true,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto pid, IdParam(r, "project_id"));
         QLRF_TRY(id.DeleteProject(r.ctx, pid));
         return NoContent();
       }});

  // --- environments
  add({.method = "GET",
       .path = "/api/v1/environments",
       .permission = Permission::kRead,
       .summary = "Environments, optionally of one project",
       .tag = "environments",
       .response_schema = schemas::PageOf(schemas::kEnvironment),
       .query = {{"project_id", "string", "only this project's environments", {}}},
       .paginated = true,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto page, r.Page());
         auto project = r.Query("project_id");
         if (project && !IsUuid(*project)) {
           return Fail(FieldError("project_id", "must be a UUID"));
         }
         QLRF_ASSIGN_OR_RETURN(auto envs, id.ListEnvironments(r.ctx, page, project));
         return Json(PageJson(envs, EnvironmentJson));
       }});
  add({.method = "POST",
       .path = "/api/v1/environments",
       .permission = Permission::kAdmin,
       .summary = "Create an environment in a project",
       .tag = "environments",
       .request_schema = kEnvCreate,
       .response_schema = schemas::kEnvironment,
       .example =
           R"({"project_id":"00000000-0000-4000-8000-000000000000","name":"prod","kind":"production"})",
       .success_status = 201,
       .writes = true,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(
             auto e, id.CreateEnvironment(r.ctx, *Str(r.body, "project_id"), *Str(r.body, "name"),
                                          *Str(r.body, "kind")));
         return Json(EnvironmentJson(e), 201);
       }});
  add({.method = "GET",
       .path = "/api/v1/environments/{environment_id}",
       .permission = Permission::kRead,
       .summary = "One environment",
       .tag = "environments",
       .response_schema = schemas::kEnvironment,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto eid, IdParam(r, "environment_id"));
         QLRF_ASSIGN_OR_RETURN(auto e, id.GetEnvironment(r.ctx, eid));
         return Json(EnvironmentJson(e));
       }});
  add({.method = "DELETE",
       .path = "/api/v1/environments/{environment_id}",
       .permission = Permission::kAdmin,
       .summary = "Delete an environment",
       .tag = "environments",
       .success_status = 204,
       .writes = true,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto eid, IdParam(r, "environment_id"));
         QLRF_TRY(id.DeleteEnvironment(r.ctx, eid));
         return NoContent();
       }});

  // --- audit
  add({.method = "GET",
       .path = "/api/v1/audit",
       .permission = Permission::kViewAuditLogs,
       .summary = "Audit events, newest first",
       .tag = "audit",
       .response_schema = schemas::PageOf(schemas::kAuditEvent),
       .query = {{"actor_id", "string", "events by this actor", {}},
                 {"action", "string", "exact action, or a prefix ending in '.'", {}},
                 {"target_type", "string", "", {}},
                 {"target_id", "string", "", {}},
                 {"since", "string", "RFC 3339; occurred_at >= since", {}},
                 {"until", "string", "RFC 3339; occurred_at < until", {}}},
       .paginated = true,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto page, r.Page());
         storage::AuditFilter f;
         f.actor_id = r.Query("actor_id");
         f.action = r.Query("action");
         f.target_type = r.Query("target_type");
         f.target_id = r.Query("target_id");
         for (auto [name, slot] : {std::pair{"since", &f.since}, std::pair{"until", &f.until}}) {
           if (auto v = r.Query(name)) {
             auto t = ParseTime(*v);
             if (!t) {
               return Fail(FieldError(name, "must be an RFC 3339 timestamp"));
             }
             *slot = FormatTime(*t);
           }
         }
         QLRF_ASSIGN_OR_RETURN(auto events, id.ListAudit(r.ctx, f, page));
         return Json(PageJson(events, AuditJson));
       }});
  add({.method = "GET",
       .path = "/api/v1/audit/verify",
       .permission = Permission::kViewAuditLogs,
       .summary = "Verify the organization's audit hash chain",
       .tag = "audit",
       .response_schema = kVerifyResponse,
       .handler = [&id](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto report, id.VerifyOwnAudit(r.ctx));
         boost::json::value brk = nullptr;
         if (report.first_break) {
           brk = {{"seq", report.first_break->seq}, {"reason", report.first_break->reason}};
         }
         return Json({{"ok", !report.first_break.has_value()},
                      {"events", report.events},
                      {"first_break", brk}});
       }});
  return routes;
}

}  // namespace qlrf::api
