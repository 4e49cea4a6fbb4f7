// IdentityStore: portable SQL over Transaction; org-scoped queries bind tx.org_id().
#include "storage/identity_store.h"

namespace qlrf::storage {
namespace {

void RequireSystem(const Transaction& tx) {
  QLRF_CHECK(tx.org_id().empty(), "system query run in a tenant transaction");
}
void RequireTenant(const Transaction& tx) {
  QLRF_CHECK(!tx.org_id().empty(), "tenant query run in a system transaction");
}

constexpr std::string_view kOrgCols =
    "id, name, slug, external_id, autonomy_mode, created_at, updated_at";

Org OrgAt(const RowSet& r, size_t i, size_t c = 0) {
  return Org{r.Text(i, c),     r.Text(i, c + 1), r.Text(i, c + 2), r.OptText(i, c + 3),
             r.Text(i, c + 4), r.Text(i, c + 5), r.Text(i, c + 6)};
}

Result<std::optional<Org>> OneOrg(Transaction& tx, std::string_view where, const Params& params) {
  std::string sql = "SELECT " + std::string(kOrgCols) + " FROM organizations " + std::string(where);
  QLRF_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  if (rows.empty()) {
    return std::optional<Org>();
  }
  return std::optional<Org>(OrgAt(rows, 0));
}

constexpr std::string_view kUserCols =
    "id, email, display_name, password_hash, external_id, disabled, created_at, updated_at";

Result<std::optional<User>> OneUser(Transaction& tx, std::string_view where, const Params& params) {
  std::string sql = "SELECT " + std::string(kUserCols) + " FROM users " + std::string(where);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query(sql, params));
  if (r.empty()) {
    return std::optional<User>();
  }
  return std::optional<User>(User{r.Text(0, 0), r.Text(0, 1), r.Text(0, 2), r.OptText(0, 3),
                                  r.OptText(0, 4), r.Bool(0, 5), r.Text(0, 6), r.Text(0, 7)});
}

constexpr std::string_view kKeyCols =
    "id, org_id, name, prefix, key_hash, role, created_by, created_at, last_used_at, expires_at, "
    "revoked_at";

ApiKeyRecord KeyAt(const RowSet& r, size_t i) {
  return ApiKeyRecord{r.Text(i, 0),    r.Text(i, 1),    r.Text(i, 2),    r.Text(i, 3),
                      r.Text(i, 4),    r.Text(i, 5),    r.OptText(i, 6), r.Text(i, 7),
                      r.OptText(i, 8), r.OptText(i, 9), r.OptText(i, 10)};
}

// Appends "AND (created_at, id) > (after)" for keyset pages; params $2,$3 after the org id.
std::string KeysetClause(const PageRequest& page, Params& params, std::string_view prefix = "",
                         std::string_view id_column = "id") {
  if (!page.after_key || !page.after_id) {
    return {};
  }
  params.Add(*page.after_key).Add(*page.after_id);
  std::string n1 = "$" + std::to_string(params.size() - 1);
  std::string n2 = "$" + std::to_string(params.size());
  std::string p(prefix);
  return " AND (" + p + "created_at > " + n1 + " OR (" + p + "created_at = " + n1 + " AND " + p +
         std::string(id_column) + " > " + n2 + "))";
}

Status ExpectOne(Result<int64_t> changed, std::string what) {
  QLRF_TRY(changed);
  if (*changed == 0) {
    return Fail(NotFound(std::move(what) + " not found"));
  }
  return Ok();
}

}  // namespace

// --- organizations -------------------------------------------------------------------------

Status IdentityStore::CreateOrg(Transaction& tx, const Org& o) {
  RequireSystem(tx);
  QLRF_TRY(
      tx.Exec("INSERT INTO organizations (id, name, slug, external_id, autonomy_mode, "
              "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
              Params{o.id, o.name, o.slug}
                  .AddOptional(o.external_id)
                  .Add(o.autonomy_mode)
                  .Add(o.created_at)
                  .Add(o.updated_at)));
  return Ok();
}

Result<Org> IdentityStore::GetOwnOrg(Transaction& tx) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto org, OneOrg(tx, "WHERE id = $1", {tx.org_id()}));
  if (!org) {
    return Fail(NotFound("organization not found"));
  }
  return std::move(*org);
}

Status IdentityStore::UpdateOwnOrg(Transaction& tx, const Org& o) {
  RequireTenant(tx);
  return ExpectOne(tx.Exec("UPDATE organizations SET name = $2, autonomy_mode = $3, "
                           "updated_at = $4 WHERE id = $1",
                           {tx.org_id(), o.name, o.autonomy_mode, o.updated_at}),
                   "organization");
}

Result<std::optional<Org>> IdentityStore::FindOrgBySlug(Transaction& tx, std::string_view slug) {
  RequireSystem(tx);
  return OneOrg(tx, "WHERE slug = $1", {std::string(slug)});
}

Result<std::optional<Org>> IdentityStore::FindOrgById(Transaction& tx, std::string_view id) {
  RequireSystem(tx);
  return OneOrg(tx, "WHERE id = $1", {std::string(id)});
}

Result<std::optional<Org>> IdentityStore::FindOrgByExternalId(Transaction& tx,
                                                              std::string_view ext) {
  RequireSystem(tx);
  return OneOrg(tx, "WHERE external_id = $1", {std::string(ext)});
}

Result<std::optional<Org>> IdentityStore::FirstOrg(Transaction& tx) {
  RequireSystem(tx);
  return OneOrg(tx, "ORDER BY created_at, id LIMIT 1", {});
}

Result<int64_t> IdentityStore::CountOrgs(Transaction& tx) {
  RequireSystem(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT count(*) FROM organizations", {}));
  return r.Int(0, 0);
}

Result<std::vector<std::pair<Org, std::string>>> IdentityStore::OrgsOfUser(
    Transaction& tx, std::string_view user_id) {
  RequireSystem(tx);
  QLRF_ASSIGN_OR_RETURN(auto r,
                        tx.Query("SELECT o.id, o.name, o.slug, o.external_id, o.autonomy_mode, "
                                 "o.created_at, o.updated_at, m.role FROM org_memberships m "
                                 "JOIN organizations o ON o.id = m.org_id WHERE m.user_id = $1 "
                                 "ORDER BY o.created_at, o.id",
                                 {std::string(user_id)}));
  std::vector<std::pair<Org, std::string>> out;
  for (size_t i = 0; i < r.rows(); ++i) {
    out.emplace_back(OrgAt(r, i), r.Text(i, 7));
  }
  return out;
}

// --- users ---------------------------------------------------------------------------------

Status IdentityStore::CreateUser(Transaction& tx, const User& u) {
  QLRF_TRY(
      tx.Exec("INSERT INTO users (id, email, display_name, password_hash, external_id, "
              "disabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
              Params{u.id, u.email, u.display_name}
                  .AddOptional(u.password_hash)
                  .AddOptional(u.external_id)
                  .Add(int64_t{u.disabled ? 1 : 0})
                  .Add(u.created_at)
                  .Add(u.updated_at)));
  return Ok();
}

Result<std::optional<User>> IdentityStore::FindUserByEmail(Transaction& tx,
                                                           std::string_view email) {
  return OneUser(tx, "WHERE email = $1", {std::string(email)});
}

Result<std::optional<User>> IdentityStore::FindUserById(Transaction& tx, std::string_view id) {
  return OneUser(tx, "WHERE id = $1", {std::string(id)});
}

Result<std::optional<User>> IdentityStore::FindUserByExternalId(Transaction& tx,
                                                                std::string_view ext) {
  return OneUser(tx, "WHERE external_id = $1", {std::string(ext)});
}

Status IdentityStore::UpdateUserPassword(Transaction& tx, std::string_view user_id,
                                         std::string_view hash, std::string_view now) {
  return ExpectOne(tx.Exec("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",
                           {std::string(user_id), std::string(hash), std::string(now)}),
                   "user");
}

// --- memberships ---------------------------------------------------------------------------

Status IdentityStore::AddMember(Transaction& tx, const Membership& m) {
  QLRF_CHECK(tx.org_id().empty() || tx.org_id() == m.org_id, "membership for another org");
  QLRF_TRY(
      tx.Exec("INSERT INTO org_memberships (org_id, user_id, role, created_at, updated_at) "
              "VALUES ($1, $2, $3, $4, $5)",
              {m.org_id, m.user_id, m.role, m.created_at, m.updated_at}));
  return Ok();
}

Result<std::optional<Membership>> IdentityStore::GetMember(Transaction& tx,
                                                           std::string_view user_id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("SELECT m.org_id, m.user_id, m.role, m.created_at, m.updated_at, u.email, "
                       "u.display_name FROM org_memberships m JOIN users u ON u.id = m.user_id "
                       "WHERE m.org_id = $1 AND m.user_id = $2",
                       {tx.org_id(), std::string(user_id)}));
  if (r.empty()) {
    return std::optional<Membership>();
  }
  return std::optional<Membership>(Membership{r.Text(0, 0), r.Text(0, 1), r.Text(0, 2),
                                              r.Text(0, 3), r.Text(0, 4), r.Text(0, 5),
                                              r.Text(0, 6)});
}

Result<Page<Membership>> IdentityStore::ListMembers(Transaction& tx, const PageRequest& page) {
  RequireTenant(tx);
  Params params{tx.org_id()};
  std::string keyset = KeysetClause(page, params, "m.", "user_id");
  params.Add(int64_t{page.limit + 1});
  std::string sql =
      "SELECT m.org_id, m.user_id, m.role, m.created_at, m.updated_at, u.email, u.display_name "
      "FROM org_memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1" +
      keyset + " ORDER BY m.created_at, m.user_id LIMIT $" + std::to_string(params.size());
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query(sql, params));
  std::vector<Membership> items;
  for (size_t i = 0; i < r.rows(); ++i) {
    items.push_back(Membership{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                               r.Text(i, 5), r.Text(i, 6)});
  }
  return MakePage(std::move(items), page.limit, [](const Membership& m) {
    return std::pair<std::string, std::string>(m.created_at, m.user_id);
  });
}

Status IdentityStore::UpdateMemberRole(Transaction& tx, std::string_view user_id,
                                       std::string_view role, std::string_view now) {
  RequireTenant(tx);
  return ExpectOne(
      tx.Exec("UPDATE org_memberships SET role = $3, updated_at = $4 "
              "WHERE org_id = $1 AND user_id = $2",
              {tx.org_id(), std::string(user_id), std::string(role), std::string(now)}),
      "member");
}

Status IdentityStore::RemoveMember(Transaction& tx, std::string_view user_id) {
  RequireTenant(tx);
  return ExpectOne(tx.Exec("DELETE FROM org_memberships WHERE org_id = $1 AND user_id = $2",
                           {tx.org_id(), std::string(user_id)}),
                   "member");
}

Result<int64_t> IdentityStore::CountAdmins(Transaction& tx) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT count(*) FROM org_memberships "
                                         "WHERE org_id = $1 AND role = 'admin'",
                                         {tx.org_id()}));
  return r.Int(0, 0);
}

// --- API keys ------------------------------------------------------------------------------

Status IdentityStore::CreateApiKey(Transaction& tx, const ApiKeyRecord& k) {
  QLRF_CHECK(tx.org_id().empty() || tx.org_id() == k.org_id, "API key for another org");
  QLRF_TRY(
      tx.Exec("INSERT INTO api_keys (id, org_id, name, prefix, key_hash, role, created_by, "
              "created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
              Params{k.id, k.org_id, k.name, k.prefix, k.key_hash, k.role}
                  .AddOptional(k.created_by)
                  .Add(k.created_at)
                  .AddOptional(k.expires_at)));
  return Ok();
}

Result<Page<ApiKeyRecord>> IdentityStore::ListApiKeys(Transaction& tx, const PageRequest& page) {
  RequireTenant(tx);
  Params params{tx.org_id()};
  std::string keyset = KeysetClause(page, params);
  params.Add(int64_t{page.limit + 1});
  QLRF_ASSIGN_OR_RETURN(
      auto r,
      tx.Query("SELECT " + std::string(kKeyCols) + " FROM api_keys WHERE org_id = $1" + keyset +
                   " ORDER BY created_at, id LIMIT $" + std::to_string(params.size()),
               params));
  std::vector<ApiKeyRecord> items;
  for (size_t i = 0; i < r.rows(); ++i) {
    items.push_back(KeyAt(r, i));
  }
  return MakePage(std::move(items), page.limit, [](const ApiKeyRecord& k) {
    return std::pair<std::string, std::string>(k.created_at, k.id);
  });
}

Result<std::optional<ApiKeyRecord>> IdentityStore::GetApiKey(Transaction& tx, std::string_view id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT " + std::string(kKeyCols) +
                                             " FROM api_keys WHERE org_id = $1 AND id = $2",
                                         {tx.org_id(), std::string(id)}));
  if (r.empty()) {
    return std::optional<ApiKeyRecord>();
  }
  return std::optional<ApiKeyRecord>(KeyAt(r, 0));
}

Status IdentityStore::RevokeApiKey(Transaction& tx, std::string_view id, std::string_view now) {
  QLRF_ASSIGN_OR_RETURN(auto key, GetApiKey(tx, id));
  if (!key) {
    return Fail(NotFound("API key not found"));
  }
  if (key->revoked_at) {
    return Fail(FailedPrecondition("API key is already revoked"));
  }
  QLRF_TRY(tx.Exec("UPDATE api_keys SET revoked_at = $3 WHERE org_id = $1 AND id = $2",
                   {tx.org_id(), std::string(id), std::string(now)}));
  return Ok();
}

Result<std::optional<ApiKeyRecord>> IdentityStore::FindApiKeyByHash(Transaction& tx,
                                                                    std::string_view hash) {
  RequireSystem(tx);
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("SELECT " + std::string(kKeyCols) + " FROM api_keys WHERE key_hash = $1",
                       {std::string(hash)}));
  if (r.empty()) {
    return std::optional<ApiKeyRecord>();
  }
  return std::optional<ApiKeyRecord>(KeyAt(r, 0));
}

Status IdentityStore::TouchApiKey(Transaction& tx, std::string_view id, std::string_view now) {
  RequireSystem(tx);
  QLRF_TRY(tx.Exec("UPDATE api_keys SET last_used_at = $2 WHERE id = $1",
                   {std::string(id), std::string(now)}));
  return Ok();
}

// --- projects and environments -------------------------------------------------------------

Status IdentityStore::CreateProject(Transaction& tx, const Project& p) {
  RequireTenant(tx);
  QLRF_TRY(
      tx.Exec("INSERT INTO projects (id, org_id, name, description, created_at, updated_at) "
              "VALUES ($1, $2, $3, $4, $5, $6)",
              {p.id, tx.org_id(), p.name, p.description, p.created_at, p.updated_at}));
  return Ok();
}

Result<std::optional<Project>> IdentityStore::GetProject(Transaction& tx, std::string_view id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT id, org_id, name, description, created_at, "
                                         "updated_at FROM projects WHERE org_id = $1 AND id = $2",
                                         {tx.org_id(), std::string(id)}));
  if (r.empty()) {
    return std::optional<Project>();
  }
  return std::optional<Project>(
      Project{r.Text(0, 0), r.Text(0, 1), r.Text(0, 2), r.Text(0, 3), r.Text(0, 4), r.Text(0, 5)});
}

Result<Page<Project>> IdentityStore::ListProjects(Transaction& tx, const PageRequest& page) {
  RequireTenant(tx);
  Params params{tx.org_id()};
  std::string keyset = KeysetClause(page, params);
  params.Add(int64_t{page.limit + 1});
  QLRF_ASSIGN_OR_RETURN(
      auto r,
      tx.Query("SELECT id, org_id, name, description, created_at, updated_at FROM "
               "projects WHERE org_id = $1" +
                   keyset + " ORDER BY created_at, id LIMIT $" + std::to_string(params.size()),
               params));
  std::vector<Project> items;
  for (size_t i = 0; i < r.rows(); ++i) {
    items.push_back(Project{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                            r.Text(i, 5)});
  }
  return MakePage(std::move(items), page.limit, [](const Project& p) {
    return std::pair<std::string, std::string>(p.created_at, p.id);
  });
}

Status IdentityStore::UpdateProject(Transaction& tx, const Project& p) {
  RequireTenant(tx);
  return ExpectOne(tx.Exec("UPDATE projects SET name = $3, description = $4, updated_at = $5 "
                           "WHERE org_id = $1 AND id = $2",
                           {tx.org_id(), p.id, p.name, p.description, p.updated_at}),
                   "project");
}

Status IdentityStore::DeleteProject(Transaction& tx, std::string_view id) {
  RequireTenant(tx);
  return ExpectOne(
      tx.Exec("DELETE FROM projects WHERE org_id = $1 AND id = $2", {tx.org_id(), std::string(id)}),
      "project");
}

Status IdentityStore::CreateEnvironment(Transaction& tx, const Environment& e) {
  RequireTenant(tx);
  QLRF_TRY(
      tx.Exec("INSERT INTO environments (id, org_id, project_id, name, kind, created_at, "
              "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
              {e.id, tx.org_id(), e.project_id, e.name, e.kind, e.created_at, e.updated_at}));
  return Ok();
}

Result<std::optional<Environment>> IdentityStore::GetEnvironment(Transaction& tx,
                                                                 std::string_view id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r,
                        tx.Query("SELECT id, org_id, project_id, name, kind, created_at, "
                                 "updated_at FROM environments WHERE org_id = $1 AND id = $2",
                                 {tx.org_id(), std::string(id)}));
  if (r.empty()) {
    return std::optional<Environment>();
  }
  return std::optional<Environment>(Environment{r.Text(0, 0), r.Text(0, 1), r.Text(0, 2),
                                                r.Text(0, 3), r.Text(0, 4), r.Text(0, 5),
                                                r.Text(0, 6)});
}

Result<Page<Environment>> IdentityStore::ListEnvironments(Transaction& tx, const PageRequest& page,
                                                          std::optional<std::string> project_id) {
  RequireTenant(tx);
  Params params{tx.org_id()};
  std::string filter;
  if (project_id) {
    params.Add(*project_id);
    filter = " AND project_id = $2";
  }
  std::string keyset = KeysetClause(page, params);
  params.Add(int64_t{page.limit + 1});
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("SELECT id, org_id, project_id, name, kind, created_at, updated_at FROM "
                       "environments WHERE org_id = $1" +
                           filter + keyset + " ORDER BY created_at, id LIMIT $" +
                           std::to_string(params.size()),
                       params));
  std::vector<Environment> items;
  for (size_t i = 0; i < r.rows(); ++i) {
    items.push_back(Environment{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3),
                                r.Text(i, 4), r.Text(i, 5), r.Text(i, 6)});
  }
  return MakePage(std::move(items), page.limit, [](const Environment& e) {
    return std::pair<std::string, std::string>(e.created_at, e.id);
  });
}

Status IdentityStore::DeleteEnvironment(Transaction& tx, std::string_view id) {
  RequireTenant(tx);
  return ExpectOne(tx.Exec("DELETE FROM environments WHERE org_id = $1 AND id = $2",
                           {tx.org_id(), std::string(id)}),
                   "environment");
}

// --- settings ------------------------------------------------------------------------------

Result<std::optional<std::string>> IdentityStore::GetSetting(Transaction& tx,
                                                             std::string_view key) {
  RequireSystem(tx);
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("SELECT value FROM system_settings WHERE key = $1", {std::string(key)}));
  if (r.empty()) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(r.Text(0, 0));
}

Status IdentityStore::PutSetting(Transaction& tx, std::string_view key, std::string_view value,
                                 std::string_view now) {
  RequireSystem(tx);
  QLRF_TRY(
      tx.Exec("INSERT INTO system_settings (key, value, updated_at) VALUES ($1, $2, $3) "
              "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
              "updated_at = excluded.updated_at",
              {std::string(key), std::string(value), std::string(now)}));
  return Ok();
}

}  // namespace qlrf::storage
