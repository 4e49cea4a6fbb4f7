// Runs the store contract suite on SQLite: in memory and on a WAL file with a reader pool.
#include <unistd.h>

#include <filesystem>

#include "common/clock.h"
#include "storage/migrations.h"
#include "storage/sqlite/sqlite_database.h"
#include "storage/testing/contract.h"

namespace qlrf::storage::testing {
namespace {

std::unique_ptr<Database> Migrated(std::unique_ptr<SqliteDatabase> db) {
  auto report = Migrate(*db, SystemClock().Now());
  if (!report) {
    ADD_FAILURE() << report.error().ToString();
    return nullptr;
  }
  return db;
}

std::unique_ptr<Database> MakeMemory() {
  auto db = SqliteDatabase::Open(SqliteOptions{":memory:"});
  if (!db) {
    ADD_FAILURE() << db.error().ToString();
    return nullptr;
  }
  return Migrated(std::move(*db));
}

std::unique_ptr<Database> MakeFile() {
  static int counter = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("qlrf-sqlite-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  SqliteOptions o;
  o.path = (dir / "test.db").string();
  o.readers = 2;
  auto db = SqliteDatabase::Open(o);
  if (!db) {
    ADD_FAILURE() << db.error().ToString();
    return nullptr;
  }
  return Migrated(std::move(*db));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract,
                         ::testing::Values(BackendFactory{"memory", MakeMemory},
                                           BackendFactory{"wal_file", MakeFile}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace qlrf::storage::testing
