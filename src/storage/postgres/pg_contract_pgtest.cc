// Runs the store contract suite on the throwaway PostgreSQL of the `pg` CTest fixture, plus the
// PostgreSQL-only checks: row-level security, the pool, the superuser guard, error mapping.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/postgres/postgres_database.h"
#include "storage/postgres/pg_test_fixture.h"
#include "storage/testing/contract.h"

namespace qlrf::storage::testing {
namespace {

constexpr SystemTime kNow{std::chrono::seconds(1795000000)};  // 2026-11-18

INSTANTIATE_TEST_SUITE_P(Postgres, StoreContract,
                         ::testing::Values(BackendFactory{
                             "postgres", [] { return std::unique_ptr<Database>(OpenFresh()); }}),
                         [](const auto& p) { return p.param.name; });

template <class T>
std::string CodeOf(const Result<T>& r) {
  return r ? "ok" : std::string(ErrorCodeName(r.error().code));
}
template <class T>
std::string MessageOf(const Result<T>& r) {
  return r ? "" : r.error().message;
}

Result<int64_t> InsertOrg(Transaction& tx, const std::string& id) {
  return tx.Exec(
      "INSERT INTO organizations (id, name, slug, created_at, updated_at) "
      "VALUES ($1, $1, $1, $2, $2)",
      {id, FormatTime(kNow)});
}

Result<int64_t> InsertProject(Transaction& tx, const std::string& id, const std::string& org) {
  return tx.Exec(
      "INSERT INTO projects (id, org_id, name, created_at, updated_at) "
      "VALUES ($1, $2, $1, $3, $3)",
      {id, org, FormatTime(kNow)});
}

Result<int64_t> Count(Database& db, std::string_view org, std::string_view table) {
  return WithRead(db, org, [&](Transaction& tx) -> Result<int64_t> {
    // No org filter on purpose: only row-level security can hide other orgs' rows.
    QLRF_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT count(*) FROM " + std::string(table), {}));
    return rows.Int(0, 0);
  });
}

Result<int64_t> BackendPid(Database& db) {
  return WithRead(db, "", [](Transaction& tx) -> Result<int64_t> {
    QLRF_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT pg_backend_pid()", {}));
    return rows.Int(0, 0);
  });
}

class PostgresOnly : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenFresh();
    if (!db_) {
      GTEST_SKIP() << "no PostgreSQL fixture";
    }
  }
  // Orgs A and B; projects a1, a2 in A and b1 in B.
  void SeedTwoOrgs() {
    auto seeded = WithWrite(*db_, "", [](Transaction& tx) -> Status {
      QLRF_TRY(InsertOrg(tx, "A"));
      QLRF_TRY(InsertOrg(tx, "B"));
      QLRF_TRY(InsertProject(tx, "a1", "A"));
      QLRF_TRY(InsertProject(tx, "a2", "A"));
      QLRF_TRY(InsertProject(tx, "b1", "B"));
      return Ok();
    });
    ASSERT_TRUE(seeded) << MessageOf(seeded);
  }

  std::unique_ptr<PostgresDatabase> db_;
};

TEST_F(PostgresOnly, RowLevelSecurityShowsEachOrgOnlyItsRows) {
  SeedTwoOrgs();
  EXPECT_EQ(Count(*db_, "A", "projects"), 2);
  EXPECT_EQ(Count(*db_, "B", "projects"), 1);
  EXPECT_EQ(Count(*db_, "C", "projects"), 0);
  EXPECT_EQ(Count(*db_, "A", "organizations"), 1);
  EXPECT_EQ(Count(*db_, "", "projects"), 3);  // system transaction
}

TEST_F(PostgresOnly, RowLevelSecurityRejectsInsertIntoAnotherOrg) {
  SeedTwoOrgs();
  auto r = WithWrite(*db_, "A", [](Transaction& tx) { return InsertProject(tx, "x", "B"); });
  EXPECT_EQ(CodeOf(r), "permission_denied") << MessageOf(r);
  EXPECT_EQ(Count(*db_, "", "projects"), 3);
}

TEST_F(PostgresOnly, RowLevelSecurityRejectsMovingRowToAnotherOrg) {
  SeedTwoOrgs();
  auto r = WithWrite(*db_, "A", [](Transaction& tx) {
    return tx.Exec("UPDATE projects SET org_id = 'B' WHERE id = 'a1'", {});
  });
  EXPECT_EQ(CodeOf(r), "permission_denied") << MessageOf(r);
}

TEST_F(PostgresOnly, RowLevelSecurityHidesOtherOrgsRowsFromDelete) {
  SeedTwoOrgs();
  auto r = WithWrite(*db_, "A", [](Transaction& tx) {
    return tx.Exec("DELETE FROM projects WHERE org_id = 'B'", {});
  });
  ASSERT_TRUE(r) << MessageOf(r);
  EXPECT_EQ(*r, 0);
  EXPECT_EQ(Count(*db_, "B", "projects"), 1);
}

TEST_F(PostgresOnly, OrgIdStarIsReservedForSystemTransactions) {
  auto tx = db_->Begin(TxMode::kRead, "*");
  EXPECT_EQ(CodeOf(tx), "invalid_argument");
}

TEST_F(PostgresOnly, RefusesRoleThatBypassesRowLevelSecurity) {
  auto admin_url = FixtureFile("admin_url");
  ASSERT_TRUE(admin_url) << "fixture wrote no admin_url";
  auto refused = PostgresDatabase::Open({.url = *admin_url});
  EXPECT_EQ(CodeOf(refused), "failed_precondition") << MessageOf(refused);
  auto allowed = PostgresDatabase::Open({.url = *admin_url, .allow_rls_bypass = true});
  EXPECT_TRUE(allowed) << MessageOf(allowed);
}

TEST_F(PostgresOnly, MalformedUrlIsInvalidArgument) {
  auto r = PostgresDatabase::Open({.url = "postgres://localhost/qlrf?no_such_option=1"});
  EXPECT_EQ(CodeOf(r), "invalid_argument") << MessageOf(r);
}

TEST_F(PostgresOnly, UnreachableServerIsUnavailable) {
  auto r = PostgresDatabase::Open({.url = "postgres://qlrf_app:x@127.0.0.1:1/qlrf"});
  EXPECT_EQ(CodeOf(r), "unavailable") << MessageOf(r);
}

TEST_F(PostgresOnly, ReadTransactionsAreReadOnly) {
  auto tx = db_->Begin(TxMode::kRead, "A");
  ASSERT_TRUE(tx) << MessageOf(tx);
  auto r =
      (*tx)->Exec("INSERT INTO system_settings (key, value, updated_at) VALUES ('k', 'v', '')", {});
  EXPECT_EQ(CodeOf(r), "internal") << MessageOf(r);  // 25006: a bug in the caller
}

TEST_F(PostgresOnly, LockConflictIsAborted) {
  SeedTwoOrgs();
  auto holder = db_->BeginSystem(TxMode::kWrite);
  ASSERT_TRUE(holder) << MessageOf(holder);
  ASSERT_TRUE((*holder)->Exec("UPDATE organizations SET name = 'x' WHERE id = 'A'", {}));
  auto other = db_->BeginSystem(TxMode::kWrite);
  ASSERT_TRUE(other) << MessageOf(other);
  auto r = (*other)->Query("SELECT id FROM organizations WHERE id = 'A' FOR UPDATE NOWAIT", {});
  EXPECT_EQ(CodeOf(r), "aborted") << MessageOf(r);  // 55P03
}

TEST_F(PostgresOnly, CommitAfterIgnoredErrorReportsThatError) {
  SeedTwoOrgs();
  auto tx = db_->BeginSystem(TxMode::kWrite);
  ASSERT_TRUE(tx) << MessageOf(tx);
  EXPECT_EQ(CodeOf(InsertOrg(**tx, "A")), "already_exists");
  auto committed = (*tx)->Commit();
  EXPECT_EQ(CodeOf(committed), "already_exists") << MessageOf(committed);
}

TEST_F(PostgresOnly, GrowsPoolOnDemand) {
  EXPECT_EQ(db_->Stats().size, 1);  // the connection Open() checked the role on
  {
    auto t1 = db_->Begin(TxMode::kRead, "A");
    auto t2 = db_->Begin(TxMode::kRead, "A");
    auto t3 = db_->Begin(TxMode::kWrite, "A");
    ASSERT_TRUE(t1 && t2 && t3);
    PoolStats busy = db_->Stats();
    EXPECT_EQ(busy.size, 3);
    EXPECT_EQ(busy.in_use, 3);
  }
  PoolStats idle = db_->Stats();
  EXPECT_EQ(idle.size, 3);
  EXPECT_EQ(idle.in_use, 0);
  EXPECT_EQ(idle.waits_total, 0);
}

TEST_F(PostgresOnly, TimesOutWhenPoolIsExhausted) {
  auto db = OpenFresh(1, std::chrono::milliseconds(50));
  ASSERT_TRUE(db);
  auto held = db->Begin(TxMode::kRead, "A");
  ASSERT_TRUE(held) << MessageOf(held);
  auto starved = db->Begin(TxMode::kRead, "A");
  EXPECT_EQ(CodeOf(starved), "unavailable") << MessageOf(starved);
  EXPECT_EQ(db->Stats().waits_total, 1);
  EXPECT_EQ(db->Stats().size, 1);
}

TEST_F(PostgresOnly, PreparesEachStatementOncePerConnection) {
  auto db = OpenFresh(1);
  ASSERT_TRUE(db);
  constexpr std::string_view kSql = "SELECT $1::text AS v";
  for (int i = 0; i < 3; ++i) {
    auto r = WithRead(*db, "A", [&](Transaction& tx) {
      return tx.Query(kSql, {std::string("x") + std::to_string(i)});
    });
    ASSERT_TRUE(r) << MessageOf(r);
    EXPECT_EQ(r->Text(0, 0), "x" + std::to_string(i));
  }
  auto prepared = WithRead(*db, "A", [&](Transaction& tx) {
    return tx.Query("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1",
                    {std::string(kSql)});
  });
  ASSERT_TRUE(prepared) << MessageOf(prepared);
  EXPECT_EQ(prepared->Int(0, 0), 1);
}

TEST_F(PostgresOnly, TransactionsStartWithTheirFirstStatement) {
  auto db = OpenFresh(1);
  ASSERT_TRUE(db);
  // Nothing ran: the commit needs no round trip and the connection is reusable.
  ASSERT_TRUE(WithWrite(*db, "A", [](Transaction&) -> Status { return Ok(); }));
  // The first statement carries BEGIN and the org scope: it sees both.
  auto seen = WithRead(*db, "A", [](Transaction& tx) {
    return tx.Query("SELECT current_setting('app.org_id'), current_setting('transaction_read_only')",
                    {});
  });
  ASSERT_TRUE(seen) << MessageOf(seen);
  EXPECT_EQ(seen->Text(0, 0), "A");
  EXPECT_EQ(seen->Text(0, 1), "on");
  // A first statement that fails still began the transaction: the commit reports the failure.
  auto failed = db->Begin(TxMode::kWrite, "A");
  ASSERT_TRUE(failed);
  EXPECT_FALSE((*failed)->Exec("SELECT 1/0", {}));
  auto committed = (*failed)->Commit();
  ASSERT_FALSE(committed);
  EXPECT_NE(committed.error().message.find("rolled back"), std::string::npos);
  failed->reset();
  // A statement that does not even prepare: nothing began, and the commit says so too.
  auto unprepared = db->Begin(TxMode::kWrite, "A");
  ASSERT_TRUE(unprepared);
  EXPECT_FALSE((*unprepared)->Exec("SELEC 1", {}));
  EXPECT_FALSE((*unprepared)->Commit());
  unprepared->reset();
  // The single pooled connection is clean afterwards: a new transaction scopes itself.
  auto again = WithRead(*db, "B", [](Transaction& tx) {
    return tx.Query("SELECT current_setting('app.org_id')", {});
  });
  ASSERT_TRUE(again) << MessageOf(again);
  EXPECT_EQ(again->Text(0, 0), "B");
}

// A read-only transaction's COMMIT is sent without waiting; the next user of the connection
// collects the answer before its own BEGIN. Reads and writes alternate on one connection.
TEST_F(PostgresOnly, ReadOnlyCommitIsCollectedByTheNextUser) {
  auto db = OpenFresh(1);
  ASSERT_TRUE(db);
  for (int i = 0; i < 50; ++i) {
    auto n = WithRead(*db, "", [](Transaction& tx) {
      return tx.Query("SELECT count(*) FROM organizations", {});
    });
    ASSERT_TRUE(n) << MessageOf(n);
    EXPECT_EQ(n->Int(0, 0), i);
    EXPECT_EQ(db->Stats().in_use, 0);
    ASSERT_TRUE(WithWrite(*db, "", [&](Transaction& tx) -> Status {
      QLRF_TRY(InsertOrg(tx, "org-" + std::to_string(i)));
      return Ok();
    }));
  }
  EXPECT_EQ(db->Stats().size, 1);
  // A read that failed still commits the slow way and reports the failure.
  auto failed = db->Begin(TxMode::kRead, "A");
  ASSERT_TRUE(failed);
  EXPECT_TRUE((*failed)->Query("SELECT 1", {}));
  EXPECT_FALSE((*failed)->Query("SELECT 1/0", {}));
  auto committed = (*failed)->Commit();
  ASSERT_FALSE(committed);
  EXPECT_NE(committed.error().message.find("rolled back"), std::string::npos);
  failed->reset();
  auto after = WithRead(*db, "B", [](Transaction& tx) {
    return tx.Query("SELECT current_setting('app.org_id'), count(*) FROM organizations", {});
  });
  ASSERT_TRUE(after) << MessageOf(after);
  EXPECT_EQ(after->Text(0, 0), "B");
}

// The answer to a read-only COMMIT is waited for at most the pool's acquire timeout by the next
// user; a server that stopped answering costs that user a fresh connection, not a hang.
TEST_F(PostgresOnly, StalledReadOnlyCommitIsReplacedNotWaitedFor) {
  auto db = OpenFresh(1, std::chrono::milliseconds(300));
  ASSERT_TRUE(db);
  auto tx = db->Begin(TxMode::kRead, "A");
  ASSERT_TRUE(tx);
  auto pid = (*tx)->Query("SELECT pg_backend_pid()", {});
  ASSERT_TRUE(pid) << MessageOf(pid);
  const pid_t backend = static_cast<pid_t>(pid->Int(0, 0));
  if (::kill(backend, SIGSTOP) != 0) {
    GTEST_SKIP() << "cannot signal the PostgreSQL backend (not root?)";
  }
  EXPECT_TRUE((*tx)->Commit());  // sent, not waited for: the backend is stopped
  tx->reset();
  auto after = BackendPid(*db);  // gives up on the old connection after the acquire timeout
  ::kill(backend, SIGCONT);
  ASSERT_TRUE(after) << MessageOf(after);
  EXPECT_NE(*after, pid->Int(0, 0));  // a fresh connection
  EXPECT_EQ(db->Stats().size, 1);
}

TEST_F(PostgresOnly, ReplacesConnectionClosedByServer) {
  auto db = OpenFresh(1);
  ASSERT_TRUE(db);
  auto before = BackendPid(*db);
  ASSERT_TRUE(before) << MessageOf(before);
  // Another session ends the idle pooled connection, as a server restart or idle timeout would.
  auto killed = WithRead(*db_, "", [&](Transaction& tx) {
    return tx.Query("SELECT pg_terminate_backend($1::int, 5000)", {*before});
  });
  ASSERT_TRUE(killed) << MessageOf(killed);
  ASSERT_TRUE(killed->Bool(0, 0));

  auto after = BackendPid(*db);
  ASSERT_TRUE(after) << MessageOf(after);
  EXPECT_NE(*after, *before);
  EXPECT_EQ(db->Stats().size, 1);
  EXPECT_TRUE(db->Ping());
}

}  // namespace
}  // namespace qlrf::storage::testing
