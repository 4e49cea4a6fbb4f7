// Policy bundles (an org's uploaded Rego policies, versioned) and the decision log. Stateless;
// every call is scoped by tx.org_id() and must run in a tenant transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/paging.h"

namespace qlrf::storage {

struct PolicyBundle {
  std::string id;
  std::string name;
  int64_t version = 0;
  std::string modules_json = "{}";  // {"file.rego": "package …"}
  std::string data_json = "{}";
  std::string packages_json = "[]";
  std::string sha256;
  std::string status;  // enforced | shadow | superseded | rejected
  int64_t tests_passed = 0;
  int64_t tests_failed = 0;
  std::string errors_json = "[]";
  std::string author_id;
  std::string created_at;
  std::string updated_at;
};

// A bundle without its modules and data: what routing a decision needs.
struct PolicyHead {
  std::string name;
  int64_t version = 0;
  std::string status;
  std::string packages_json = "[]";
  std::string sha256;
};

struct PolicyDecisionRow {
  std::string id;
  std::string policy;
  int64_t version = 0;
  std::string path;
  std::string input_sha256;
  std::optional<std::string> result_json;  // nullopt: undefined
  bool denied = false;
  int64_t duration_us = 0;
  bool shadow = false;
  bool differs_from_enforced = false;
  std::string source = "embedded";  // embedded | remote
  std::string error;
  std::string created_at;
};

struct DecisionFilter {
  std::optional<std::string> policy;
  std::optional<bool> denied;
  std::optional<bool> shadow;
  std::optional<std::string> since;  // RFC 3339; created_at >= since
};

class PolicyStore {
 public:
  // Inserts a new version. AlreadyExists when (name, version) is taken (a concurrent upload).
  static Status InsertBundle(Transaction& tx, const PolicyBundle& bundle);
  // Sets the status of every version of `name` now in `from` to `to`; returns how many changed.
  static Result<int64_t> SetStatus(Transaction& tx, std::string_view name, std::string_view from,
                                   std::string_view to, std::string_view now);
  static Status SetVersionStatus(Transaction& tx, std::string_view name, int64_t version,
                                 std::string_view status, std::string_view now);
  // The highest version number of `name` (0 when there is none).
  static Result<int64_t> LatestVersion(Transaction& tx, std::string_view name);
  static Result<std::optional<PolicyBundle>> GetBundle(Transaction& tx, std::string_view name,
                                                       int64_t version);
  // The version of `name` in `status` (enforced and shadow have at most one each).
  static Result<std::optional<PolicyBundle>> BundleInStatus(Transaction& tx, std::string_view name,
                                                            std::string_view status);
  // Every version of `name`, newest first.
  static Result<std::vector<PolicyBundle>> Versions(Transaction& tx, std::string_view name);
  // The enforced and shadow versions of every name, sorted by name then status.
  static Result<std::vector<PolicyHead>> ActiveHeads(Transaction& tx);
  // Every name with a stored version, sorted.
  static Result<std::vector<std::string>> Names(Transaction& tx);

  static Status InsertDecisions(Transaction& tx, const std::vector<PolicyDecisionRow>& rows);
  // Newest first.
  static Result<Page<PolicyDecisionRow>> ListDecisions(Transaction& tx,
                                                       const DecisionFilter& filter,
                                                       const PageRequest& page);
};

}  // namespace qlrf::storage
