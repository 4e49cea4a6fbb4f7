// IdentityService: validation, store calls and audit records in one transaction per write.
#include "services/identity/identity_service.h"

#include <boost/json.hpp>

#include <algorithm>

#include "services/identity/passwords.h"
#include "services/identity/permissions.h"

namespace qlrf::services {

using storage::IdentityStore;
using storage::Transaction;
using storage::WithRead;
using storage::WithWrite;

namespace {

constexpr size_t kMaxName = 200;

Status CheckName(std::string_view field, std::string_view value) {
  if (value.empty()) {
    return Fail(FieldError(std::string(field), "must not be empty"));
  }
  if (value.size() > kMaxName) {
    return Fail(FieldError(std::string(field), "must be at most 200 characters"));
  }
  return Ok();
}

Status CheckSlug(std::string_view slug) {
  bool ok = !slug.empty() && slug.size() <= 63 && std::all_of(slug.begin(), slug.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  }) && slug.front() != '-';
  if (!ok) {
    return Fail(FieldError("slug", "must be 1-63 characters of a-z, 0-9 and '-'"));
  }
  return Ok();
}

Status CheckRole(std::string_view role) {
  if (!IsValidRole(role)) {
    return Fail(FieldError("role", "must be one of viewer, operator, approver, admin"));
  }
  return Ok();
}

boost::json::value OrgSummary(const storage::Org& o) {
  return {{"name", o.name}, {"slug", o.slug}, {"autonomy_mode", o.autonomy_mode}};
}

}  // namespace

Result<BootstrapResult> IdentityService::Bootstrap() {
  BootstrapResult result;
  // Hashing costs ~50 ms by design; skip it on every start but the first.
  QLRF_ASSIGN_OR_RETURN(int64_t existing, WithRead(db_, "", [](Transaction& tx) {
                          return IdentityStore::CountOrgs(tx);
                        }));
  if (existing > 0) {
    return result;
  }
  std::string password = RandomBase62(random_, 20);
  QLRF_ASSIGN_OR_RETURN(std::string hash, HashPassword(password, random_));
  std::string now = Now();
  auto st = WithWrite(db_, "", [&](Transaction& tx) -> Status {
    QLRF_ASSIGN_OR_RETURN(int64_t orgs, IdentityStore::CountOrgs(tx));
    if (orgs > 0) {
      return Ok();
    }
    storage::Org org{NewUuid(random_), "Default", "default", std::nullopt, "plan_only", now, now};
    QLRF_TRY(IdentityStore::CreateOrg(tx, org));
    storage::User admin{
        NewUuid(random_), "admin", "Administrator", hash, std::nullopt, false, now, now};
    QLRF_TRY(IdentityStore::CreateUser(tx, admin));
    QLRF_TRY(IdentityStore::AddMember(
        tx, storage::Membership{org.id, admin.id, "admin", now, now, "", ""}));
    RequestContext ctx{"bootstrap", Principal{PrincipalKind::kSystem, "system", org.id, org.slug,
                                              "admin", "", "bootstrap"}};
    QLRF_TRY(auditor_.Record(tx, ctx, "org.bootstrap", "organization", org.id, nullptr,
                             {{"org", OrgSummary(org)}, {"admin_user_id", admin.id}}));
    result.created = true;
    result.org_id = org.id;
    result.admin_login = "admin";
    result.admin_password = password;
    return Ok();
  });
  QLRF_TRY(st);
  return result;
}

Result<LoginResult> IdentityService::Login(std::string_view login, std::string_view password,
                                           std::optional<std::string> org_slug) {
  auto denied = [] { return Fail(Unauthenticated("invalid login or password")); };
  if (login.empty() || password.empty() || login.size() > 320 || password.size() > 1024) {
    return denied();
  }
  return WithRead(db_, "", [&](Transaction& tx) -> Result<LoginResult> {
    QLRF_ASSIGN_OR_RETURN(auto user, IdentityStore::FindUserByEmail(tx, login));
    if (!user || user->disabled || !user->password_hash ||
        !VerifyPassword(password, *user->password_hash)) {
      return denied();
    }
    QLRF_ASSIGN_OR_RETURN(auto orgs, IdentityStore::OrgsOfUser(tx, user->id));
    for (const auto& [org, role] : orgs) {
      if (!org_slug || org.slug == *org_slug || org.id == *org_slug) {
        LoginResult r;
        r.token = sessions_.Issue(user->id, org.id, role);
        r.expires_at = FormatTime(clock_.Now() + std::chrono::seconds(sessions_.ttl_seconds()));
        r.user = *user;
        r.user.password_hash.reset();
        r.org = org;
        r.role = role;
        return r;
      }
    }
    if (org_slug) {
      return Fail(Unauthenticated("not a member of organization '" + *org_slug + "'"));
    }
    return Fail(Unauthenticated("user is not a member of any organization"));
  });
}

Result<std::vector<std::pair<storage::Org, std::string>>> IdentityService::MyOrgs(
    const RequestContext& ctx) {
  if (ctx.principal.kind != PrincipalKind::kUser) {
    // An API key belongs to exactly one org.
    return WithRead(
        db_, ctx.principal.org_id,
        [&](Transaction& tx) -> Result<std::vector<std::pair<storage::Org, std::string>>> {
          QLRF_ASSIGN_OR_RETURN(auto org, IdentityStore::GetOwnOrg(tx));
          return std::vector<std::pair<storage::Org, std::string>>{{org, ctx.principal.role}};
        });
  }
  return WithRead(db_, "",
                  [&](Transaction& tx) { return IdentityStore::OrgsOfUser(tx, ctx.principal.id); });
}

Result<storage::Org> IdentityService::GetOrg(const RequestContext& ctx, std::string_view id) {
  if (id != ctx.principal.org_id) {
    return Fail(NotFound("organization not found"));
  }
  return WithRead(db_, ctx.principal.org_id,
                  [&](Transaction& tx) { return IdentityStore::GetOwnOrg(tx); });
}

Result<storage::Org> IdentityService::UpdateOrg(const RequestContext& ctx, std::string_view id,
                                                std::optional<std::string> name,
                                                std::optional<std::string> autonomy_mode) {
  if (id != ctx.principal.org_id) {
    return Fail(NotFound("organization not found"));
  }
  if (name) {
    QLRF_TRY(CheckName("name", *name));
  }
  if (autonomy_mode && *autonomy_mode != "plan_only" && *autonomy_mode != "canary_only" &&
      *autonomy_mode != "full_auto") {
    return Fail(FieldError("autonomy_mode", "must be one of plan_only, canary_only, full_auto"));
  }
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Org> {
    QLRF_ASSIGN_OR_RETURN(auto before, IdentityStore::GetOwnOrg(tx));
    storage::Org after = before;
    if (name) {
      after.name = *name;
    }
    if (autonomy_mode) {
      after.autonomy_mode = *autonomy_mode;
    }
    after.updated_at = Now();
    QLRF_TRY(IdentityStore::UpdateOwnOrg(tx, after));
    QLRF_TRY(auditor_.Record(tx, ctx, "org.update", "organization", after.id, OrgSummary(before),
                             OrgSummary(after)));
    return after;
  });
}

Result<storage::Org> IdentityService::CreateOrg(const RequestContext& ctx, std::string name,
                                                std::string slug) {
  QLRF_TRY(CheckName("name", name));
  QLRF_TRY(CheckSlug(slug));
  if (ctx.principal.kind != PrincipalKind::kUser) {
    return Fail(PermissionDenied("only users can create organizations"));
  }
  std::string now = Now();
  storage::Org org{
      NewUuid(random_), std::move(name), std::move(slug), std::nullopt, "plan_only", now, now};
  auto created = WithWrite(db_, "", [&](Transaction& tx) -> Result<storage::Org> {
    auto st = IdentityStore::CreateOrg(tx, org);
    if (!st && st.error().code == ErrorCode::kAlreadyExists) {
      return Fail(AlreadyExists("an organization with slug '" + org.slug + "' already exists")
                      .With("field", "slug"));
    }
    QLRF_TRY(st);
    QLRF_TRY(IdentityStore::AddMember(
        tx, storage::Membership{org.id, ctx.principal.id, "admin", now, now, "", ""}));
    RequestContext in_new{ctx.request_id, ctx.principal};
    in_new.principal.org_id = org.id;
    QLRF_TRY(auditor_.Record(tx, in_new, "org.create", "organization", org.id, nullptr,
                             OrgSummary(org)));
    return org;
  });
  auth_.Invalidate();
  return created;
}

Result<storage::Org> IdentityService::FindOrg(std::string_view slug_or_id) {
  return WithRead(db_, "", [&](Transaction& tx) -> Result<storage::Org> {
    QLRF_ASSIGN_OR_RETURN(auto org, IdentityStore::FindOrgBySlug(tx, slug_or_id));
    if (!org) {
      QLRF_ASSIGN_OR_RETURN(org, IdentityStore::FindOrgById(tx, slug_or_id));
    }
    if (!org) {
      return Fail(NotFound("organization '" + std::string(slug_or_id) + "' not found"));
    }
    return std::move(*org);
  });
}

// --- members -------------------------------------------------------------------------------

Result<storage::Page<storage::Membership>> IdentityService::ListMembers(
    const RequestContext& ctx, const storage::PageRequest& page) {
  return WithRead(db_, ctx.principal.org_id,
                  [&](Transaction& tx) { return IdentityStore::ListMembers(tx, page); });
}

Result<storage::Membership> IdentityService::GetMember(const RequestContext& ctx,
                                                       std::string_view user_id) {
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Membership> {
    QLRF_ASSIGN_OR_RETURN(auto m, Required(IdentityStore::GetMember(tx, user_id), "user"));
    return m;
  });
}

Result<storage::Membership> IdentityService::AddMember(const RequestContext& ctx,
                                                       const NewMember& in) {
  if (in.email.find('@') == std::string::npos || in.email.size() > 320) {
    return Fail(FieldError("email", "must be an e-mail address"));
  }
  QLRF_TRY(CheckRole(in.role));
  std::optional<std::string> hash;
  if (in.password) {
    QLRF_ASSIGN_OR_RETURN(hash, HashPassword(*in.password, random_));
  }
  std::string now = Now();
  std::string org_id = ctx.principal.org_id;
  // Users are global rows: find or create in a system transaction, then the membership.
  auto result = WithWrite(db_, "", [&](Transaction& tx) -> Result<storage::Membership> {
    QLRF_ASSIGN_OR_RETURN(auto user, IdentityStore::FindUserByEmail(tx, in.email));
    if (!user) {
      storage::User u{
          NewUuid(random_), in.email, in.display_name, hash, std::nullopt, false, now, now};
      QLRF_TRY(IdentityStore::CreateUser(tx, u));
      user = u;
    }
    storage::Membership m{org_id, user->id, in.role, now, now, user->email, user->display_name};
    auto st = IdentityStore::AddMember(tx, m);
    if (!st && st.error().code == ErrorCode::kAlreadyExists) {
      return Fail(AlreadyExists("'" + in.email + "' is already a member").With("field", "email"));
    }
    QLRF_TRY(st);
    QLRF_TRY(auditor_.Record(tx, ctx, "member.add", "user", user->id, nullptr,
                             {{"email", user->email}, {"role", in.role}}));
    return m;
  });
  auth_.Invalidate();
  return result;
}

Result<storage::Membership> IdentityService::UpdateMemberRole(const RequestContext& ctx,
                                                              std::string_view user_id,
                                                              std::string_view role) {
  QLRF_TRY(CheckRole(role));
  auto result =
      WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Membership> {
        QLRF_ASSIGN_OR_RETURN(auto m, Required(IdentityStore::GetMember(tx, user_id), "user"));
        if (m.role == "admin" && role != "admin") {
          QLRF_ASSIGN_OR_RETURN(int64_t admins, IdentityStore::CountAdmins(tx));
          if (admins <= 1) {
            return Fail(FailedPrecondition("cannot demote the organization's last admin"));
          }
        }
        QLRF_TRY(IdentityStore::UpdateMemberRole(tx, user_id, role, Now()));
        QLRF_TRY(auditor_.Record(tx, ctx, "member.update_role", "user", user_id, {{"role", m.role}},
                                 {{"role", role}}));
        m.role = std::string(role);
        return m;
      });
  auth_.Invalidate();
  return result;
}

Status IdentityService::RemoveMember(const RequestContext& ctx, std::string_view user_id) {
  auto st = WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Status {
    QLRF_ASSIGN_OR_RETURN(auto m, Required(IdentityStore::GetMember(tx, user_id), "user"));
    if (m.role == "admin") {
      QLRF_ASSIGN_OR_RETURN(int64_t admins, IdentityStore::CountAdmins(tx));
      if (admins <= 1) {
        return Fail(FailedPrecondition("cannot remove the organization's last admin"));
      }
    }
    QLRF_TRY(IdentityStore::RemoveMember(tx, user_id));
    return auditor_.Record(tx, ctx, "member.remove", "user", user_id,
                           {{"email", m.email}, {"role", m.role}}, nullptr);
  });
  auth_.Invalidate();
  return st;
}

// --- API keys ------------------------------------------------------------------------------

Result<NewApiKey> IdentityService::CreateApiKey(const RequestContext& ctx, std::string name,
                                                std::string role,
                                                std::optional<std::string> expires_at) {
  QLRF_TRY(CheckName("name", name));
  QLRF_TRY(CheckRole(role));
  if (expires_at) {
    auto t = ParseTime(*expires_at);
    if (!t) {
      return Fail(FieldError("expires_at", "must be an RFC 3339 timestamp"));
    }
    if (*t <= clock_.Now()) {
      return Fail(FieldError("expires_at", "must be in the future"));
    }
    expires_at = FormatTime(*t);
  }
  NewApiKey out;
  std::string secret = RandomBase62(random_, 40);
  out.plaintext = "qlrf_" + secret;
  auto& r = out.record;
  r.id = NewUuid(random_);
  r.org_id = ctx.principal.org_id;
  r.name = std::move(name);
  r.prefix = out.plaintext.substr(0, 12);
  r.key_hash = Authenticator::HashApiKey(out.plaintext);
  r.role = std::move(role);
  r.created_by = ctx.principal.id;
  r.created_at = Now();
  r.expires_at = expires_at;
  QLRF_TRY(WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Status {
    QLRF_TRY(IdentityStore::CreateApiKey(tx, r));
    return auditor_.Record(tx, ctx, "api_key.create", "api_key", r.id, nullptr,
                           {{"name", r.name}, {"role", r.role}, {"prefix", r.prefix}});
  }));
  return out;
}

Result<storage::Page<storage::ApiKeyRecord>> IdentityService::ListApiKeys(
    const RequestContext& ctx, const storage::PageRequest& page) {
  return WithRead(db_, ctx.principal.org_id,
                  [&](Transaction& tx) { return IdentityStore::ListApiKeys(tx, page); });
}

Result<storage::ApiKeyRecord> IdentityService::GetApiKey(const RequestContext& ctx,
                                                         std::string_view id) {
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::ApiKeyRecord> {
    QLRF_ASSIGN_OR_RETURN(auto k, Required(IdentityStore::GetApiKey(tx, id), "API key"));
    return k;
  });
}

Status IdentityService::RevokeApiKey(const RequestContext& ctx, std::string_view id) {
  auto st = WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Status {
    QLRF_TRY(IdentityStore::RevokeApiKey(tx, id, Now()));
    return auditor_.Record(tx, ctx, "api_key.revoke", "api_key", id, nullptr, {{"revoked", true}});
  });
  auth_.Invalidate();
  return st;
}

// --- projects and environments -------------------------------------------------------------

Result<storage::Project> IdentityService::CreateProject(const RequestContext& ctx, std::string name,
                                                        std::string description) {
  QLRF_TRY(CheckName("name", name));
  if (description.size() > 2000) {
    return Fail(FieldError("description", "must be at most 2000 characters"));
  }
  std::string now = Now();
  storage::Project p{
      NewUuid(random_), ctx.principal.org_id, std::move(name), std::move(description), now, now};
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Project> {
    auto st = IdentityStore::CreateProject(tx, p);
    if (!st && st.error().code == ErrorCode::kAlreadyExists) {
      return Fail(
          AlreadyExists("a project named '" + p.name + "' already exists").With("field", "name"));
    }
    QLRF_TRY(st);
    QLRF_TRY(
        auditor_.Record(tx, ctx, "project.create", "project", p.id, nullptr, {{"name", p.name}}));
    return p;
  });
}

Result<storage::Project> IdentityService::GetProject(const RequestContext& ctx,
                                                     std::string_view id) {
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Project> {
    QLRF_ASSIGN_OR_RETURN(auto p, Required(IdentityStore::GetProject(tx, id), "project"));
    return p;
  });
}

Result<storage::Page<storage::Project>> IdentityService::ListProjects(
    const RequestContext& ctx, const storage::PageRequest& page) {
  return WithRead(db_, ctx.principal.org_id,
                  [&](Transaction& tx) { return IdentityStore::ListProjects(tx, page); });
}

Result<storage::Project> IdentityService::UpdateProject(const RequestContext& ctx,
                                                        std::string_view id,
                                                        std::optional<std::string> name,
                                                        std::optional<std::string> description) {
  if (name) {
    QLRF_TRY(CheckName("name", *name));
  }
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Project> {
    QLRF_ASSIGN_OR_RETURN(auto p, Required(IdentityStore::GetProject(tx, id), "project"));
    storage::Project after = p;
    if (name) {
      after.name = *name;
    }
    if (description) {
      after.description = *description;
    }
    after.updated_at = Now();
    auto st = IdentityStore::UpdateProject(tx, after);
    if (!st && st.error().code == ErrorCode::kAlreadyExists) {
      return Fail(AlreadyExists("a project named '" + after.name + "' already exists")
                      .With("field", "name"));
    }
    QLRF_TRY(st);
    QLRF_TRY(auditor_.Record(tx, ctx, "project.update", "project", after.id,
                             {{"name", p.name}, {"description", p.description}},
                             {{"name", after.name}, {"description", after.description}}));
    return after;
  });
}

Status IdentityService::DeleteProject(const RequestContext& ctx, std::string_view id) {
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Status {
    QLRF_ASSIGN_OR_RETURN(auto p, Required(IdentityStore::GetProject(tx, id), "project"));
    QLRF_TRY(IdentityStore::DeleteProject(tx, id));
    return auditor_.Record(tx, ctx, "project.delete", "project", id, {{"name", p.name}}, nullptr);
  });
}

Result<storage::Environment> IdentityService::CreateEnvironment(const RequestContext& ctx,
                                                                std::string project_id,
                                                                std::string name,
                                                                std::string kind) {
  QLRF_TRY(CheckName("name", name));
  if (kind != "production" && kind != "staging" && kind != "development" && kind != "dr") {
    return Fail(FieldError("kind", "must be one of production, staging, development, dr"));
  }
  std::string now = Now();
  storage::Environment e{NewUuid(random_),
                         ctx.principal.org_id,
                         std::move(project_id),
                         std::move(name),
                         std::move(kind),
                         now,
                         now};
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Environment> {
    QLRF_ASSIGN_OR_RETURN(auto p, IdentityStore::GetProject(tx, e.project_id));
    if (!p) {
      return Fail(FieldError("project_id", "no such project").With("reason", "not_found"));
    }
    auto st = IdentityStore::CreateEnvironment(tx, e);
    if (!st && st.error().code == ErrorCode::kAlreadyExists) {
      return Fail(AlreadyExists("environment '" + e.name + "' already exists in this project")
                      .With("field", "name"));
    }
    QLRF_TRY(st);
    QLRF_TRY(auditor_.Record(tx, ctx, "environment.create", "environment", e.id, nullptr,
                             {{"name", e.name}, {"kind", e.kind}, {"project_id", e.project_id}}));
    return e;
  });
}

Result<storage::Environment> IdentityService::GetEnvironment(const RequestContext& ctx,
                                                             std::string_view id) {
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Environment> {
    QLRF_ASSIGN_OR_RETURN(auto e, Required(IdentityStore::GetEnvironment(tx, id), "environment"));
    return e;
  });
}

Result<storage::Page<storage::Environment>> IdentityService::ListEnvironments(
    const RequestContext& ctx, const storage::PageRequest& page,
    std::optional<std::string> project_id) {
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) {
    return IdentityStore::ListEnvironments(tx, page, project_id);
  });
}

Status IdentityService::DeleteEnvironment(const RequestContext& ctx, std::string_view id) {
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Status {
    QLRF_ASSIGN_OR_RETURN(auto e, Required(IdentityStore::GetEnvironment(tx, id), "environment"));
    QLRF_TRY(IdentityStore::DeleteEnvironment(tx, id));
    return auditor_.Record(tx, ctx, "environment.delete", "environment", id,
                           {{"name", e.name}, {"kind", e.kind}}, nullptr);
  });
}

// --- audit ---------------------------------------------------------------------------------

Result<storage::Page<storage::AuditEvent>> IdentityService::ListAudit(
    const RequestContext& ctx, const storage::AuditFilter& filter,
    const storage::PageRequest& page) {
  return WithRead(db_, ctx.principal.org_id,
                  [&](Transaction& tx) { return storage::AuditStore::List(tx, filter, page); });
}

Result<storage::AuditVerifyReport> IdentityService::VerifyOwnAudit(const RequestContext& ctx) {
  return WithRead(db_, ctx.principal.org_id,
                  [](Transaction& tx) { return storage::AuditStore::Verify(tx); });
}

Result<storage::AuditVerifyReport> IdentityService::VerifyAudit() {
  return WithRead(db_, "", [](Transaction& tx) { return storage::AuditStore::Verify(tx); });
}

Result<std::vector<storage::Membership>> IdentityService::ListUsersOfOrg(std::string_view org_id) {
  std::vector<storage::Membership> all;
  storage::PageRequest page;
  page.limit = 500;
  while (true) {
    QLRF_ASSIGN_OR_RETURN(auto p, WithRead(db_, org_id, [&](Transaction& tx) {
                            return IdentityStore::ListMembers(tx, page);
                          }));
    for (auto& m : p.items) {
      all.push_back(std::move(m));
    }
    if (!p.next_cursor) {
      break;
    }
    QLRF_ASSIGN_OR_RETURN(page, storage::DecodeCursor(*p.next_cursor, 500));
  }
  return all;
}

}  // namespace qlrf::services
