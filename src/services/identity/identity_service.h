// Identity and tenancy use cases: bootstrap, login, organizations, members, API keys, projects,
// environments; every write is audited in the same transaction.
#pragma once

#include <optional>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "services/audit/auditor.h"
#include "services/context.h"
#include "services/identity/authenticator.h"
#include "services/identity/session_tokens.h"
#include "storage/audit_store.h"
#include "storage/database.h"
#include "storage/identity_store.h"

namespace qlrf::services {

struct BootstrapResult {
  bool created = false;
  std::string org_id;
  std::string admin_login;     // "admin"
  std::string admin_password;  // shown once; never stored or logged
};

struct LoginResult {
  std::string token;
  std::string expires_at;
  storage::User user;
  storage::Org org;
  std::string role;
};

struct NewApiKey {
  storage::ApiKeyRecord record;
  std::string plaintext;  // shown once
};

struct NewMember {
  std::string email;
  std::string display_name;
  std::optional<std::string> password;
  std::string role;
};

// Thread-safe.
class IdentityService {
 public:
  IdentityService(storage::Database& db, Auditor& auditor, Authenticator& auth,
                  const SessionTokens& sessions, const Clock& clock, Random& random)
      : db_(db),
        auditor_(auditor),
        auth_(auth),
        sessions_(sessions),
        clock_(clock),
        random_(random) {}

  // On an empty database creates org "default" and user "admin" with a random password.
  Result<BootstrapResult> Bootstrap();
  // Unauthenticated for an unknown login or wrong password (same message for both).
  Result<LoginResult> Login(std::string_view login, std::string_view password,
                            std::optional<std::string> org_slug);

  // Organizations.
  Result<std::vector<std::pair<storage::Org, std::string>>> MyOrgs(const RequestContext& ctx);
  Result<storage::Org> GetOrg(const RequestContext& ctx, std::string_view id);
  Result<storage::Org> UpdateOrg(const RequestContext& ctx, std::string_view id,
                                 std::optional<std::string> name,
                                 std::optional<std::string> autonomy_mode);
  // Creates an org and makes the caller (a user) its admin.
  Result<storage::Org> CreateOrg(const RequestContext& ctx, std::string name, std::string slug);
  // System: used by the CLI.
  Result<storage::Org> FindOrg(std::string_view slug_or_id);

  // Members.
  Result<storage::Page<storage::Membership>> ListMembers(const RequestContext& ctx,
                                                         const storage::PageRequest& page);
  Result<storage::Membership> GetMember(const RequestContext& ctx, std::string_view user_id);
  Result<storage::Membership> AddMember(const RequestContext& ctx, const NewMember& m);
  Result<storage::Membership> UpdateMemberRole(const RequestContext& ctx, std::string_view user_id,
                                               std::string_view role);
  Status RemoveMember(const RequestContext& ctx, std::string_view user_id);

  // API keys.
  Result<NewApiKey> CreateApiKey(const RequestContext& ctx, std::string name, std::string role,
                                 std::optional<std::string> expires_at);
  Result<storage::Page<storage::ApiKeyRecord>> ListApiKeys(const RequestContext& ctx,
                                                           const storage::PageRequest& page);
  Result<storage::ApiKeyRecord> GetApiKey(const RequestContext& ctx, std::string_view id);
  Status RevokeApiKey(const RequestContext& ctx, std::string_view id);

  // Projects and environments.
  Result<storage::Project> CreateProject(const RequestContext& ctx, std::string name,
                                         std::string description);
  Result<storage::Project> GetProject(const RequestContext& ctx, std::string_view id);
  Result<storage::Page<storage::Project>> ListProjects(const RequestContext& ctx,
                                                       const storage::PageRequest& page);
  Result<storage::Project> UpdateProject(const RequestContext& ctx, std::string_view id,
                                         std::optional<std::string> name,
                                         std::optional<std::string> description);
  Status DeleteProject(const RequestContext& ctx, std::string_view id);
  Result<storage::Environment> CreateEnvironment(const RequestContext& ctx, std::string project_id,
                                                 std::string name, std::string kind);
  Result<storage::Environment> GetEnvironment(const RequestContext& ctx, std::string_view id);
  Result<storage::Page<storage::Environment>> ListEnvironments(
      const RequestContext& ctx, const storage::PageRequest& page,
      std::optional<std::string> project_id);
  Status DeleteEnvironment(const RequestContext& ctx, std::string_view id);

  // Audit.
  Result<storage::Page<storage::AuditEvent>> ListAudit(const RequestContext& ctx,
                                                       const storage::AuditFilter& filter,
                                                       const storage::PageRequest& page);
  Result<storage::AuditVerifyReport> VerifyOwnAudit(const RequestContext& ctx);
  // System: every org's chain.
  Result<storage::AuditVerifyReport> VerifyAudit();

  // System (CLI): list users of an org.
  Result<std::vector<storage::Membership>> ListUsersOfOrg(std::string_view org_id);

 private:
  std::string Now() const { return FormatTime(clock_.Now()); }

  storage::Database& db_;
  Auditor& auditor_;
  Authenticator& auth_;
  const SessionTokens& sessions_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace qlrf::services
