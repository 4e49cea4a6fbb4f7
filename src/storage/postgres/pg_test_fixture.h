// Tests' access to the throwaway PostgreSQL of the `pg` CTest fixture (scripts/pg-fixture.sh).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "storage/postgres/postgres_database.h"

namespace qlrf::storage::testing {

// A line of $QLRF_PG_FIXTURE_DIR/<name> (the build tree's fixture dir when unset).
std::optional<std::string> FixtureFile(const std::string& name);
// The application URL, or nullopt (printing once why PostgreSQL tests are skipped).
std::optional<std::string> FixtureUrl();
// A fresh, migrated database on an emptied schema of this process; nullptr without a server.
std::unique_ptr<PostgresDatabase> OpenFresh(
    int pool_size = 8,
    std::chrono::milliseconds acquire_timeout = std::chrono::milliseconds(5000));
std::string TestSchema();

}  // namespace qlrf::storage::testing
