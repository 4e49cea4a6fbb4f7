// Migration runner: picks the files for the dialect, applies the pending ones in order.
#include "storage/migrations.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/crypto.h"

namespace qlrf::storage {
namespace {

struct Step {
  std::string version;  // "0001_foundation"
  std::string sql;
};

// Files named NNNN_name.sql apply to both dialects; NNNN_name.pg.sql / .sqlite.sql to one.
std::vector<Step> StepsFor(Dialect dialect) {
  // Per version: the shared file first, then the dialect's own file (which may build on it).
  std::map<std::string, std::pair<std::string, std::string>> by_version;
  for (const auto& m : EmbeddedMigrations()) {
    std::string file(m.file);
    std::string stem = file.substr(0, file.size() - 4);  // drop ".sql"
    auto dot = stem.find('.');
    if (dot == std::string::npos) {
      by_version[stem].first += std::string(m.sql);
      continue;
    }
    std::string which = stem.substr(dot + 1);
    if ((which == "pg") != (dialect == Dialect::kPostgres)) {
      continue;
    }
    by_version[stem.substr(0, dot)].second += std::string(m.sql);
  }
  std::vector<Step> steps;
  for (auto& [v, parts] : by_version) {
    steps.push_back({v, parts.first + parts.second});
  }
  return steps;
}

// A SQLite migration containing this line runs with foreign-key checks off.
constexpr std::string_view kForeignKeysOff = "-- qlrf: foreign-keys off";

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)";

}  // namespace

Result<MigrationReport> Migrate(Database& db, SystemTime now, std::string_view up_to) {
  MigrationReport report;
  auto steps = StepsFor(db.dialect());
  report.total = static_cast<int>(steps.size());
  std::set<std::string> known;
  for (const auto& s : steps) {
    known.insert(s.version);
  }
  for (const auto& step : steps) {
    if (!up_to.empty() && step.version.substr(0, up_to.size()) > up_to) {
      break;
    }
    std::string checksum = crypto::Sha256Hex(step.sql);
    auto applied = WithWrite(db, "", [&](Transaction& tx) -> Result<bool> {
      if (tx.dialect() == Dialect::kPostgres) {
        // Serialises concurrent migrators across processes for this transaction.
        QLRF_TRY(tx.Query("SELECT pg_advisory_xact_lock(7240501)", {}));
      }
      QLRF_TRY(tx.Exec(kCreateTable, {}));
      QLRF_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT checksum FROM schema_migrations "
                                                "WHERE version = $1",
                                                {step.version}));
      if (!rows.empty()) {
        if (rows.Text(0, 0) != checksum) {
          return Fail(FailedPrecondition("migration " + step.version +
                                         " was changed after it was applied; never edit a "
                                         "landed migration, add a new one"));
        }
        return false;
      }
      // A SQLite migration that rebuilds a table runs with foreign-key checks off (otherwise
      // dropping the old table would cascade into its children); resuming them validates it.
      const bool fk_off = tx.dialect() == Dialect::kSqlite &&
                          step.sql.find(kForeignKeysOff) != std::string::npos;
      if (fk_off) {
        QLRF_TRY(tx.SetForeignKeyChecks(false));
      }
      Status ran = tx.ExecScript(step.sql);
      if (fk_off) {
        // A rebuild turns legacy_alter_table on around its rename; never leave it on for the
        // connection, whatever happened.
        (void)tx.ExecScript("PRAGMA legacy_alter_table = OFF");
      }
      QLRF_TRY(ran);
      if (fk_off) {
        QLRF_TRY(tx.SetForeignKeyChecks(true).map_error([&](Error e) {
          e.message = "migration " + step.version + ": " + e.message;
          return e;
        }));
      }
      QLRF_TRY(
          tx.Exec("INSERT INTO schema_migrations (version, checksum, applied_at) "
                  "VALUES ($1, $2, $3)",
                  {step.version, checksum, FormatTime(now)}));
      return true;
    });
    QLRF_TRY(applied);
    if (*applied) {
      report.applied.push_back(step.version);
    }
  }
  auto unknown = WithRead(db, "", [&](Transaction& tx) -> Result<std::vector<std::string>> {
    QLRF_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT version FROM schema_migrations", {}));
    std::vector<std::string> out;
    for (size_t i = 0; i < rows.rows(); ++i) {
      if (!known.count(rows.Text(i, 0))) {
        out.push_back(rows.Text(i, 0));
      }
    }
    return out;
  });
  QLRF_TRY(unknown);
  if (!unknown->empty()) {
    return Fail(FailedPrecondition("the database has migration " + unknown->front() +
                                   " that this qlrf binary does not know; upgrade qlrf"));
  }
  return report;
}

}  // namespace qlrf::storage
