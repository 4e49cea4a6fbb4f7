// Identity and tenancy records: organizations, users, memberships, API keys, projects and
// environments. Stateless; every method runs inside the caller's Transaction. Org-scoped methods
// use tx.org_id(), so a caller cannot read or change another org's rows by passing an id.
// "System" methods need a system transaction (org_id() empty) and are for auth and bootstrap.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/paging.h"

namespace qlrf::storage {

struct Org {
  std::string id;
  std::string name;
  std::string slug;
  std::optional<std::string> external_id;
  std::string autonomy_mode = "plan_only";
  std::string created_at;
  std::string updated_at;
};

struct User {
  std::string id;
  std::string email;
  std::string display_name;
  std::optional<std::string> password_hash;
  std::optional<std::string> external_id;
  bool disabled = false;
  std::string created_at;
  std::string updated_at;
};

struct Membership {
  std::string org_id;
  std::string user_id;
  std::string role;
  std::string created_at;
  std::string updated_at;
  // Joined from users for listings.
  std::string email;
  std::string display_name;
};

struct ApiKeyRecord {
  std::string id;
  std::string org_id;
  std::string name;
  std::string prefix;
  std::string key_hash;
  std::string role;
  std::optional<std::string> created_by;
  std::string created_at;
  std::optional<std::string> last_used_at;
  std::optional<std::string> expires_at;
  std::optional<std::string> revoked_at;
};

struct Project {
  std::string id;
  std::string org_id;
  std::string name;
  std::string description;
  std::string created_at;
  std::string updated_at;
};

struct Environment {
  std::string id;
  std::string org_id;
  std::string project_id;
  std::string name;
  std::string kind;  // production | staging | development | dr
  std::string created_at;
  std::string updated_at;
};

class IdentityStore {
 public:
  // --- organizations
  // System. AlreadyExists when the slug or external id is taken.
  static Status CreateOrg(Transaction& tx, const Org& org);
  // The transaction's own org. NotFound if absent.
  static Result<Org> GetOwnOrg(Transaction& tx);
  static Status UpdateOwnOrg(Transaction& tx, const Org& org);
  // System lookups.
  static Result<std::optional<Org>> FindOrgBySlug(Transaction& tx, std::string_view slug);
  static Result<std::optional<Org>> FindOrgById(Transaction& tx, std::string_view id);
  static Result<std::optional<Org>> FindOrgByExternalId(Transaction& tx, std::string_view ext);
  static Result<std::optional<Org>> FirstOrg(Transaction& tx);
  static Result<int64_t> CountOrgs(Transaction& tx);
  // System: the orgs `user_id` belongs to, with the role in each.
  static Result<std::vector<std::pair<Org, std::string>>> OrgsOfUser(Transaction& tx,
                                                                     std::string_view user_id);

  // --- users (global rows; reached through memberships)
  static Status CreateUser(Transaction& tx, const User& user);  // System
  static Result<std::optional<User>> FindUserByEmail(Transaction& tx, std::string_view email);
  static Result<std::optional<User>> FindUserById(Transaction& tx, std::string_view id);
  static Result<std::optional<User>> FindUserByExternalId(Transaction& tx, std::string_view ext);
  static Status UpdateUserPassword(Transaction& tx, std::string_view user_id, std::string_view hash,
                                   std::string_view now);

  // --- memberships (org-scoped)
  static Status AddMember(Transaction& tx, const Membership& m);
  static Result<std::optional<Membership>> GetMember(Transaction& tx, std::string_view user_id);
  static Result<Page<Membership>> ListMembers(Transaction& tx, const PageRequest& page);
  // NotFound when the user is not a member.
  static Status UpdateMemberRole(Transaction& tx, std::string_view user_id, std::string_view role,
                                 std::string_view now);
  static Status RemoveMember(Transaction& tx, std::string_view user_id);
  static Result<int64_t> CountAdmins(Transaction& tx);

  // --- API keys
  static Status CreateApiKey(Transaction& tx, const ApiKeyRecord& key);  // org-scoped
  static Result<Page<ApiKeyRecord>> ListApiKeys(Transaction& tx, const PageRequest& page);
  static Result<std::optional<ApiKeyRecord>> GetApiKey(Transaction& tx, std::string_view id);
  // NotFound when absent (or another org's); FailedPrecondition when already revoked.
  static Status RevokeApiKey(Transaction& tx, std::string_view id, std::string_view now);
  // System: authentication lookup by sha256 hex of the presented key.
  static Result<std::optional<ApiKeyRecord>> FindApiKeyByHash(Transaction& tx,
                                                              std::string_view hash);
  static Status TouchApiKey(Transaction& tx, std::string_view id, std::string_view now);  // System

  // --- projects and environments (org-scoped)
  static Status CreateProject(Transaction& tx, const Project& p);
  static Result<std::optional<Project>> GetProject(Transaction& tx, std::string_view id);
  static Result<Page<Project>> ListProjects(Transaction& tx, const PageRequest& page);
  static Status UpdateProject(Transaction& tx, const Project& p);
  static Status DeleteProject(Transaction& tx, std::string_view id);
  static Status CreateEnvironment(Transaction& tx, const Environment& e);
  static Result<std::optional<Environment>> GetEnvironment(Transaction& tx, std::string_view id);
  static Result<Page<Environment>> ListEnvironments(Transaction& tx, const PageRequest& page,
                                                    std::optional<std::string> project_id);
  static Status DeleteEnvironment(Transaction& tx, std::string_view id);

  // --- installation settings (System)
  static Result<std::optional<std::string>> GetSetting(Transaction& tx, std::string_view key);
  static Status PutSetting(Transaction& tx, std::string_view key, std::string_view value,
                           std::string_view now);
};

}  // namespace qlrf::storage
