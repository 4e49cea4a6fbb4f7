// Schema migrations embedded in the binary (src/storage/migrations/NNNN_name[.pg|.sqlite].sql)
// and the runner that applies them once each, recorded in schema_migrations.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "storage/database.h"

namespace qlrf::storage {

struct EmbeddedMigration {
  std::string_view file;  // "0001_foundation.sql", "0002_rls.pg.sql"
  std::string_view sql;
};
const std::vector<EmbeddedMigration>& EmbeddedMigrations();

struct MigrationReport {
  std::vector<std::string> applied;  // versions applied by this call, in order
  int total = 0;                     // migrations known for this dialect
};

// Applies every pending migration for db.dialect(), each in its own transaction. Idempotent:
// safe to run on every start and from several processes at once. Errors: FailedPrecondition
// when an applied migration's checksum no longer matches the embedded file (a landed migration
// was edited), or the database has migrations this binary does not know (it is older).
// `up_to` ("0014"): stop after that version (tests of upgrades from an older schema).
Result<MigrationReport> Migrate(Database& db, SystemTime now, std::string_view up_to = {});

}  // namespace qlrf::storage
