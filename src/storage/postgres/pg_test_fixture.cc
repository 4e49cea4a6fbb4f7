// The `pg` fixture's server for tests: URL lookup and a fresh migrated schema per process.
#include "storage/postgres/pg_test_fixture.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>

#include "storage/migrations.h"

namespace qlrf::storage::testing {
namespace {
constexpr SystemTime kNow{std::chrono::seconds(1795000000)};  // 2026-11-18
}  // namespace

// DIR/name of the fixture started by scripts/pg-fixture.sh: $QLRF_PG_FIXTURE_DIR (set by CTest),
// else the build tree's fixture directory, so the binary also runs by hand after pg_fixture_start.
std::optional<std::string> FixtureFile(const std::string& name) {
  const char* dir = std::getenv("QLRF_PG_FIXTURE_DIR");  // NOLINT(concurrency-mt-unsafe)
  if (dir == nullptr || *dir == '\0') {
    dir = QLRF_PG_FIXTURE_DIR_DEFAULT;
  }
  std::ifstream in(std::string(dir) + "/" + name);
  std::string line;
  if (!in || !std::getline(in, line) || line.empty()) {
    return std::nullopt;
  }
  return line;
}

std::optional<std::string> FixtureUrl() {
  auto url = FixtureFile("url");
  if (!url) {
    static std::once_flag once;
    std::call_once(once, [] {
      std::cerr << "pg_contract_pgtest: no PostgreSQL URL in $QLRF_PG_FIXTURE_DIR/url (run via "
                   "ctest -L pg; is PostgreSQL installed?): skipping PostgreSQL tests\n";
    });
  }
  return url;
}

// One schema per test process, emptied before each test, so tests never see each other's rows.
std::string TestSchema() { return "qlrf_test_" + std::to_string(::getpid()); }

// A fresh, migrated database on an empty schema of its own; nullptr if there is no server.
std::unique_ptr<PostgresDatabase> OpenFresh(int pool_size,
                                            std::chrono::milliseconds acquire_timeout) {
  auto url = FixtureUrl();
  if (!url) {
    return nullptr;
  }
  const std::string schema = TestSchema();
  {
    auto admin = PostgresDatabase::Open({.url = *url, .pool_size = 1});
    if (!admin) {
      ADD_FAILURE() << admin.error().ToString();
      return nullptr;
    }
    auto reset = WithWrite(**admin, "", [&](Transaction& tx) {
      return tx.ExecScript("DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema);
    });
    if (!reset) {
      ADD_FAILURE() << reset.error().ToString();
      return nullptr;
    }
  }
  auto db = PostgresDatabase::Open({.url = *url,
                                    .pool_size = pool_size,
                                    .acquire_timeout = acquire_timeout,
                                    .search_path = schema});
  if (!db) {
    ADD_FAILURE() << db.error().ToString();
    return nullptr;
  }
  auto migrated = Migrate(**db, kNow);
  if (!migrated) {
    ADD_FAILURE() << migrated.error().ToString();
    return nullptr;
  }
  return std::move(*db);
}

}  // namespace qlrf::storage::testing
