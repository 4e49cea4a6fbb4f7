// api_test on SQLite (in memory).
#include "storage/sqlite/sqlite_database.h"

namespace qlrf::api {

std::unique_ptr<storage::Database> MakeTestDatabase() {
  auto db = storage::SqliteDatabase::Open(storage::SqliteOptions{":memory:"});
  return db ? std::move(*db) : nullptr;
}

}  // namespace qlrf::api
