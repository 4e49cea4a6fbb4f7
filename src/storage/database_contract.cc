// Database-level contract every backend must pass: parameter binding, RowSet accessors,
// transaction boundaries, constraint errors mapped to exact codes, migrations, concurrent writers.
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/testing/contract.h"

namespace qlrf::storage::testing {
namespace {

constexpr SystemTime kNow{std::chrono::seconds(1795000000)};  // 2026-11-18

// "ok" or the error code's wire name, so a failed expectation prints something readable.
template <class T>
std::string CodeOf(const Result<T>& r) {
  return r ? "ok" : std::string(ErrorCodeName(r.error().code));
}
template <class T>
std::string MessageOf(const Result<T>& r) {
  return r ? "" : r.error().message;
}

constexpr std::string_view kCreateScratch =
    "CREATE TABLE contract_values ("
    " id BIGINT PRIMARY KEY, n BIGINT, m BIGINT, d DOUBLE PRECISION, t TEXT)";

void CreateScratch(Database& db) {
  auto st = WithWrite(db, "", [](Transaction& tx) { return tx.ExecScript(kCreateScratch); });
  ASSERT_TRUE(st) << MessageOf(st);
}

Result<int64_t> InsertOrg(Transaction& tx, const std::string& id, const std::string& slug,
                          const SqlValue& name, const std::string& mode = "plan_only") {
  return tx.Exec(
      "INSERT INTO organizations (id, name, slug, autonomy_mode, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $5, $5)",
      {id, name, slug, mode, FormatTime(kNow)});
}

Result<int64_t> CountValues(Database& db) {
  return WithRead(db, "", [](Transaction& tx) -> Result<int64_t> {
    QLRF_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT count(*) FROM contract_values", {}));
    return rows.Int(0, 0);
  });
}

TEST_P(StoreContract, BindsNullIntegerRealAndText) {
  CreateScratch(db());
  const int64_t big = std::numeric_limits<int64_t>::max();
  const double real = 0.1 + 0.2;  // needs all 17 significant digits to round-trip
  const std::string text = "it's \"quoted\", $1 and ünïcode";
  auto inserted = WithWrite(db(), "", [&](Transaction& tx) -> Result<int64_t> {
    QLRF_TRY(tx.Exec("INSERT INTO contract_values (id, n, m, d, t) VALUES ($1, $2, $3, $4, $5)",
                     {int64_t{1}, std::monostate{}, big, real, text}));
    return tx.Exec("INSERT INTO contract_values (id, n, m, d, t) VALUES ($1, $2, $3, $4, $5)",
                   {int64_t{2}, int64_t{-5}, std::monostate{}, -2.5, std::monostate{}});
  });
  ASSERT_TRUE(inserted) << MessageOf(inserted);
  EXPECT_EQ(*inserted, 1);

  auto tx = db().BeginSystem(TxMode::kRead);
  ASSERT_TRUE(tx) << MessageOf(tx);
  auto rows = (*tx)->Query("SELECT n, m, d, t FROM contract_values ORDER BY id", {});
  ASSERT_TRUE(rows) << MessageOf(rows);
  ASSERT_EQ(rows->rows(), 2u);
  EXPECT_TRUE(rows->IsNull(0, 0));
  EXPECT_EQ(rows->Int(0, 1), big);
  EXPECT_EQ(rows->Double(0, 2), real);
  EXPECT_EQ(rows->Text(0, 3), text);
  EXPECT_EQ(rows->Int(1, 0), -5);
  EXPECT_TRUE(rows->IsNull(1, 1));
  EXPECT_EQ(rows->Double(1, 2), -2.5);
  EXPECT_EQ(rows->OptText(1, 3), std::nullopt);
}

TEST_P(StoreContract, BindsParametersOutOfOrderAndRepeated) {
  CreateScratch(db());
  auto inserted = WithWrite(db(), "", [](Transaction& tx) {
    // $2 comes first and is used twice; $1 is used once.
    return tx.Exec("INSERT INTO contract_values (id, t, m) VALUES ($2, $1, $2)",
                   {std::string("seven"), int64_t{7}});
  });
  ASSERT_TRUE(inserted) << MessageOf(inserted);

  auto tx = db().BeginSystem(TxMode::kRead);
  ASSERT_TRUE(tx) << MessageOf(tx);
  auto rows =
      (*tx)->Query("SELECT id, m, t FROM contract_values WHERE m = $2 AND t = $1 AND id = $2",
                   {std::string("seven"), int64_t{7}});
  ASSERT_TRUE(rows) << MessageOf(rows);
  ASSERT_EQ(rows->rows(), 1u);
  EXPECT_EQ(rows->Int(0, 0), 7);
  EXPECT_EQ(rows->Int(0, 1), 7);
  EXPECT_EQ(rows->Text(0, 2), "seven");
}

TEST_P(StoreContract, RowSetAccessorsConvertBetweenCellTypes) {
  auto tx = db().BeginSystem(TxMode::kRead);
  ASSERT_TRUE(tx) << MessageOf(tx);
  auto rows = (*tx)->Query(
      "SELECT '42' AS text_int, 7 AS int_val, 2.5 AS real_val, 'abc' AS word, NULL AS null_val, "
      "'true' AS text_bool",
      {});
  ASSERT_TRUE(rows) << MessageOf(rows);
  ASSERT_EQ(rows->rows(), 1u);
  ASSERT_EQ(rows->columns(), 6u);
  EXPECT_EQ(rows->column_names(), (std::vector<std::string>{"text_int", "int_val", "real_val",
                                                            "word", "null_val", "text_bool"}));
  EXPECT_EQ(rows->Int(0, 0), 42);  // integer parsed from a text cell
  EXPECT_EQ(rows->Double(0, 0), 42.0);
  EXPECT_EQ(rows->Text(0, 1), "7");  // text formatted from an integer cell
  EXPECT_EQ(rows->Int(0, 1), 7);
  EXPECT_TRUE(rows->Bool(0, 1));
  EXPECT_EQ(rows->Double(0, 2), 2.5);
  EXPECT_EQ(rows->Text(0, 2), "2.5");
  EXPECT_EQ(rows->Int(0, 3), 0);  // not a number
  EXPECT_FALSE(rows->Bool(0, 3));
  EXPECT_TRUE(rows->IsNull(0, 4));
  EXPECT_EQ(rows->Text(0, 4), "");
  EXPECT_EQ(rows->OptText(0, 4), std::nullopt);
  EXPECT_EQ(rows->Int(0, 4), 0);
  EXPECT_TRUE(rows->Bool(0, 5));
  EXPECT_EQ(rows->OptText(0, 3), std::optional<std::string>("abc"));
}

TEST_P(StoreContract, EmptyResultKeepsColumnNames) {
  CreateScratch(db());
  auto tx = db().BeginSystem(TxMode::kRead);
  ASSERT_TRUE(tx) << MessageOf(tx);
  auto rows = (*tx)->Query("SELECT id, t FROM contract_values WHERE id < $1", {int64_t{0}});
  ASSERT_TRUE(rows) << MessageOf(rows);
  EXPECT_TRUE(rows->empty());
  EXPECT_EQ(rows->rows(), 0u);
  EXPECT_EQ(rows->column_names(), (std::vector<std::string>{"id", "t"}));
}

TEST_P(StoreContract, RollsBackWhenNotCommitted) {
  CreateScratch(db());
  {
    auto tx = db().BeginSystem(TxMode::kWrite);
    ASSERT_TRUE(tx) << MessageOf(tx);
    auto n = (*tx)->Exec("INSERT INTO contract_values (id) VALUES ($1)", {int64_t{1}});
    ASSERT_TRUE(n) << MessageOf(n);
  }  // destroyed without Commit
  auto count = CountValues(db());
  ASSERT_TRUE(count) << MessageOf(count);
  EXPECT_EQ(*count, 0);
}

TEST_P(StoreContract, CommitIsVisibleToLaterReadTransaction) {
  CreateScratch(db());
  auto tx = db().BeginSystem(TxMode::kWrite);
  ASSERT_TRUE(tx) << MessageOf(tx);
  for (int64_t id = 1; id <= 3; ++id) {
    ASSERT_TRUE((*tx)->Exec("INSERT INTO contract_values (id, t) VALUES ($1, 'a')", {id}));
  }
  auto changed = (*tx)->Exec("UPDATE contract_values SET t = $1 WHERE id >= $2",
                             {std::string("b"), int64_t{2}});
  ASSERT_TRUE(changed) << MessageOf(changed);
  EXPECT_EQ(*changed, 2);
  auto committed = (*tx)->Commit();
  ASSERT_TRUE(committed) << MessageOf(committed);
  tx->reset();

  auto rows = WithRead(db(), "", [](Transaction& read) {
    return read.Query("SELECT t, count(*) AS n FROM contract_values GROUP BY t ORDER BY t", {});
  });
  ASSERT_TRUE(rows) << MessageOf(rows);
  ASSERT_EQ(rows->rows(), 2u);
  EXPECT_EQ(rows->Text(0, 0), "a");
  EXPECT_EQ(rows->Int(0, 1), 1);
  EXPECT_EQ(rows->Text(1, 0), "b");
  EXPECT_EQ(rows->Int(1, 1), 2);
}

TEST_P(StoreContract, UniqueViolationIsAlreadyExists) {
  auto first = WithWrite(db(), "", [](Transaction& tx) {
    return InsertOrg(tx, "org-1", "acme", std::string("Acme"));
  });
  ASSERT_TRUE(first) << MessageOf(first);
  auto again = WithWrite(db(), "", [](Transaction& tx) {
    return InsertOrg(tx, "org-2", "acme", std::string("Acme again"));
  });
  EXPECT_EQ(CodeOf(again), "already_exists") << MessageOf(again);
}

TEST_P(StoreContract, ForeignKeyViolationIsFailedPrecondition) {
  auto r = WithWrite(db(), "", [](Transaction& tx) {
    return tx.Exec(
        "INSERT INTO projects (id, org_id, name, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $4)",
        {std::string("p-1"), std::string("no-such-org"), std::string("web"), FormatTime(kNow)});
  });
  EXPECT_EQ(CodeOf(r), "failed_precondition") << MessageOf(r);
}

TEST_P(StoreContract, CheckViolationIsInvalidArgument) {
  auto r = WithWrite(db(), "", [](Transaction& tx) {
    return InsertOrg(tx, "org-1", "acme", std::string("Acme"), "reckless");
  });
  EXPECT_EQ(CodeOf(r), "invalid_argument") << MessageOf(r);
}

TEST_P(StoreContract, NotNullViolationIsInvalidArgument) {
  auto r = WithWrite(
      db(), "", [](Transaction& tx) { return InsertOrg(tx, "org-1", "acme", std::monostate{}); });
  EXPECT_EQ(CodeOf(r), "invalid_argument") << MessageOf(r);
}

TEST_P(StoreContract, MigrateIsIdempotent) {
  auto again = Migrate(db(), kNow);  // the factory migrated already
  ASSERT_TRUE(again) << MessageOf(again);
  EXPECT_TRUE(again->applied.empty());
  EXPECT_GT(again->total, 0);
}

TEST_P(StoreContract, EditedMigrationIsDetected) {
  auto tampered = WithWrite(db(), "", [](Transaction& tx) {
    return tx.Exec("UPDATE schema_migrations SET checksum = $1 WHERE version = $2",
                   {std::string("0000"), std::string("0001_foundation")});
  });
  ASSERT_TRUE(tampered) << MessageOf(tampered);
  ASSERT_EQ(*tampered, 1);
  auto r = Migrate(db(), kNow);
  EXPECT_EQ(CodeOf(r), "failed_precondition") << MessageOf(r);
}

TEST_P(StoreContract, ConcurrentWritersAllLand) {
  CreateScratch(db());
  constexpr int kThreads = 4;
  constexpr int kRowsEach = 200;
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRowsEach; ++i) {
        const int64_t id = int64_t{t} * kRowsEach + i;
        auto r = WithWrite(db(), "", [&](Transaction& tx) {
          return tx.Exec("INSERT INTO contract_values (id, n) VALUES ($1, $2)", {id, int64_t{t}});
        });
        if (!r) {
          failures[static_cast<size_t>(t)] = r.error().ToString();
          return;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  for (const auto& f : failures) {
    EXPECT_EQ(f, "");
  }
  auto count = CountValues(db());
  ASSERT_TRUE(count) << MessageOf(count);
  EXPECT_EQ(*count, kThreads * kRowsEach);
}

}  // namespace
}  // namespace qlrf::storage::testing
