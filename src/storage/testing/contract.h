// The store contract suite: every *_contract.cc under src/storage adds TEST_P(StoreContract, ...)
// cases; sqlite/sqlite_contract_test.cc and postgres/pg_contract_pgtest.cc instantiate them on
// their backend, so both run exactly the same tests.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace qlrf::storage::testing {

struct BackendFactory {
  std::string name;
  // Returns a fresh, empty, migrated database (or skips the test with a reason).
  std::function<std::unique_ptr<Database>()> make;
};

inline void PrintTo(const BackendFactory& f, std::ostream* os) { *os << f.name; }

class StoreContract : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override {
    db_ = GetParam().make();
    if (!db_) {
      GTEST_SKIP() << "backend " << GetParam().name << " unavailable";
    }
  }
  Database& db() { return *db_; }

  std::unique_ptr<Database> db_;
};

}  // namespace qlrf::storage::testing
