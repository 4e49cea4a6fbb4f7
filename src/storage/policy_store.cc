// PolicyStore: policy bundle versions and the decision log.
#include "storage/policy_store.h"

#include "storage/bulk.h"

namespace qlrf::storage {
namespace {

void RequireTenant(const Transaction& tx) {
  QLRF_CHECK(!tx.org_id().empty(), "tenant query run in a system transaction");
}

constexpr std::string_view kBundleCols =
    "id, name, version, modules, data, packages, sha256, status, tests_passed, tests_failed, "
    "errors, author_id, created_at, updated_at";

PolicyBundle BundleAt(const RowSet& r, size_t i) {
  PolicyBundle b;
  b.id = r.Text(i, 0);
  b.name = r.Text(i, 1);
  b.version = r.Int(i, 2);
  b.modules_json = r.Text(i, 3);
  b.data_json = r.Text(i, 4);
  b.packages_json = r.Text(i, 5);
  b.sha256 = r.Text(i, 6);
  b.status = r.Text(i, 7);
  b.tests_passed = r.Int(i, 8);
  b.tests_failed = r.Int(i, 9);
  b.errors_json = r.Text(i, 10);
  b.author_id = r.Text(i, 11);
  b.created_at = r.Text(i, 12);
  b.updated_at = r.Text(i, 13);
  return b;
}

constexpr std::string_view kDecisionCols =
    "id, policy, version, path, input_sha256, result, denied, duration_us, shadow, "
    "differs_from_enforced, source, error, created_at";

PolicyDecisionRow DecisionAt(const RowSet& r, size_t i) {
  PolicyDecisionRow d;
  d.id = r.Text(i, 0);
  d.policy = r.Text(i, 1);
  d.version = r.Int(i, 2);
  d.path = r.Text(i, 3);
  d.input_sha256 = r.Text(i, 4);
  d.result_json = r.OptText(i, 5);
  d.denied = r.Bool(i, 6);
  d.duration_us = r.Int(i, 7);
  d.shadow = r.Bool(i, 8);
  d.differs_from_enforced = r.Bool(i, 9);
  d.source = r.Text(i, 10);
  d.error = r.Text(i, 11);
  d.created_at = r.Text(i, 12);
  return d;
}

std::string Next(Params& p, SqlValue v) {
  p.Add(std::move(v));
  return "$" + std::to_string(p.size());
}

}  // namespace

Status PolicyStore::InsertBundle(Transaction& tx, const PolicyBundle& b) {
  RequireTenant(tx);
  QLRF_TRY(
      tx.Exec("INSERT INTO policy_bundles (id, org_id, name, version, modules, data, "
              "packages, sha256, status, tests_passed, tests_failed, errors, author_id, "
              "created_at, updated_at) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
              {b.id, tx.org_id(), b.name, b.version, b.modules_json, b.data_json, b.packages_json,
               b.sha256, b.status, b.tests_passed, b.tests_failed, b.errors_json, b.author_id,
               b.created_at, b.updated_at}));
  return Ok();
}

Result<int64_t> PolicyStore::SetStatus(Transaction& tx, std::string_view name,
                                       std::string_view from, std::string_view to,
                                       std::string_view now) {
  RequireTenant(tx);
  return tx.Exec(
      "UPDATE policy_bundles SET status = $4, updated_at = $5 "
      "WHERE org_id = $1 AND name = $2 AND status = $3",
      {tx.org_id(), std::string(name), std::string(from), std::string(to), std::string(now)});
}

Status PolicyStore::SetVersionStatus(Transaction& tx, std::string_view name, int64_t version,
                                     std::string_view status, std::string_view now) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto n, tx.Exec("UPDATE policy_bundles SET status = $4, updated_at = $5 "
                                        "WHERE org_id = $1 AND name = $2 AND version = $3",
                                        {tx.org_id(), std::string(name), version,
                                         std::string(status), std::string(now)}));
  if (n == 0) {
    return Fail(NotFound("policy " + std::string(name) + " version " + std::to_string(version) +
                         " not found"));
  }
  return Ok();
}

Result<int64_t> PolicyStore::LatestVersion(Transaction& tx, std::string_view name) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT MAX(version) FROM policy_bundles "
                                         "WHERE org_id = $1 AND name = $2",
                                         {tx.org_id(), std::string(name)}));
  return r.empty() ? 0 : r.Int(0, 0);
}

Result<std::optional<PolicyBundle>> PolicyStore::GetBundle(Transaction& tx, std::string_view name,
                                                           int64_t version) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT " + std::string(kBundleCols) +
                                             " FROM policy_bundles WHERE org_id = $1 AND "
                                             "name = $2 AND version = $3",
                                         {tx.org_id(), std::string(name), version}));
  if (r.empty()) {
    return std::optional<PolicyBundle>();
  }
  return std::optional<PolicyBundle>(BundleAt(r, 0));
}

Result<std::optional<PolicyBundle>> PolicyStore::BundleInStatus(Transaction& tx,
                                                                std::string_view name,
                                                                std::string_view status) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT " + std::string(kBundleCols) +
                                             " FROM policy_bundles WHERE org_id = $1 AND "
                                             "name = $2 AND status = $3 "
                                             "ORDER BY version DESC LIMIT 1",
                                         {tx.org_id(), std::string(name), std::string(status)}));
  if (r.empty()) {
    return std::optional<PolicyBundle>();
  }
  return std::optional<PolicyBundle>(BundleAt(r, 0));
}

Result<std::vector<PolicyBundle>> PolicyStore::Versions(Transaction& tx, std::string_view name) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT " + std::string(kBundleCols) +
                                             " FROM policy_bundles WHERE org_id = $1 AND "
                                             "name = $2 ORDER BY version DESC",
                                         {tx.org_id(), std::string(name)}));
  std::vector<PolicyBundle> out;
  for (size_t i = 0; i < r.rows(); ++i) {
    out.push_back(BundleAt(r, i));
  }
  return out;
}

Result<std::vector<PolicyHead>> PolicyStore::ActiveHeads(Transaction& tx) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT name, version, status, packages, sha256 "
                                         "FROM policy_bundles WHERE org_id = $1 AND "
                                         "status IN ('enforced', 'shadow') ORDER BY name, status",
                                         {tx.org_id()}));
  std::vector<PolicyHead> out;
  for (size_t i = 0; i < r.rows(); ++i) {
    out.push_back(PolicyHead{r.Text(i, 0), r.Int(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4)});
  }
  return out;
}

Result<std::vector<std::string>> PolicyStore::Names(Transaction& tx) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT DISTINCT name FROM policy_bundles "
                                         "WHERE org_id = $1 ORDER BY name",
                                         {tx.org_id()}));
  std::vector<std::string> out;
  for (size_t i = 0; i < r.rows(); ++i) {
    out.push_back(r.Text(i, 0));
  }
  return out;
}

Status PolicyStore::InsertDecisions(Transaction& tx, const std::vector<PolicyDecisionRow>& rows) {
  RequireTenant(tx);
  return InsertMany(
      tx,
      "INSERT INTO policy_decisions (id, org_id, policy, version, path, input_sha256, result, "
      "denied, duration_us, shadow, differs_from_enforced, source, error, created_at) VALUES ",
      14, rows.size(), [&](size_t i, Params& p) {
        const auto& d = rows[i];
        p.Add(d.id)
            .Add(tx.org_id())
            .Add(d.policy)
            .Add(d.version)
            .Add(d.path)
            .Add(d.input_sha256)
            .AddOptional(d.result_json)
            .Add(int64_t{d.denied ? 1 : 0})
            .Add(d.duration_us)
            .Add(int64_t{d.shadow ? 1 : 0})
            .Add(int64_t{d.differs_from_enforced ? 1 : 0})
            .Add(d.source)
            .Add(d.error)
            .Add(d.created_at);
      });
}

Result<Page<PolicyDecisionRow>> PolicyStore::ListDecisions(Transaction& tx,
                                                           const DecisionFilter& filter,
                                                           const PageRequest& page) {
  RequireTenant(tx);
  Params p{tx.org_id()};
  std::string sql =
      "SELECT " + std::string(kDecisionCols) + " FROM policy_decisions WHERE org_id = $1";
  if (filter.policy) {
    sql += " AND policy = " + Next(p, *filter.policy);
  }
  if (filter.denied) {
    sql += " AND denied = " + Next(p, int64_t{*filter.denied ? 1 : 0});
  }
  if (filter.shadow) {
    sql += " AND shadow = " + Next(p, int64_t{*filter.shadow ? 1 : 0});
  }
  if (filter.since) {
    sql += " AND created_at >= " + Next(p, *filter.since);
  }
  if (page.after_key) {
    std::string k = Next(p, *page.after_key);
    std::string id = Next(p, page.after_id.value_or(""));
    sql += " AND (created_at < " + k + " OR (created_at = " + k + " AND id < " + id + "))";
  }
  sql += " ORDER BY created_at DESC, id DESC LIMIT " + std::to_string(page.limit + 1);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query(sql, p));
  std::vector<PolicyDecisionRow> rows;
  for (size_t i = 0; i < r.rows(); ++i) {
    rows.push_back(DecisionAt(r, i));
  }
  return MakePage(std::move(rows), page.limit,
                  [](const PolicyDecisionRow& d) { return std::pair(d.created_at, d.id); });
}

}  // namespace qlrf::storage
