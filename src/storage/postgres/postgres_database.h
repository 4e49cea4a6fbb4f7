// PostgreSQL implementation of storage::Database on libpq: a lazily grown connection pool,
// statements prepared once per connection, and `app.org_id` set in every transaction so the
// row-level security policies of migrations/0002_row_level_security.pg.sql apply.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "storage/database.h"

namespace qlrf::storage {

struct PostgresOptions {
  // postgres://user:pass@host:port/db?sslmode=... (or a libpq "key=value" string).
  std::string url{};
  int pool_size = 8;  // most connections open at once; opened on demand
  // How long Begin() waits for a free connection; also the connect timeout (at least 2 s).
  std::chrono::milliseconds acquire_timeout{5000};
  // If set, every connection runs with this search_path (appended to any `options` in the URL).
  std::string search_path{};
  // Open() refuses a role that is a superuser or has BYPASSRLS unless this is set (tools only).
  bool allow_rls_bypass = false;
};

// Thread-safe. Transactions are not (one per request) and must end before the database does.
//
// Row-level security: each transaction runs `set_config('app.org_id', org, true)` ('*' for
// BeginSystem), which the policies read. PostgreSQL skips every policy for superusers and roles
// with BYPASSRLS — even on tables with FORCE ROW LEVEL SECURITY — so the application must
// connect as an ordinary login role that owns the schema (FORCE makes the owner subject to the
// policies). Open() checks this.
//
// Unlike SQLite, a failed statement aborts the whole PostgreSQL transaction: later statements
// and Commit() fail, so stores must avoid expected errors inside a transaction (ON CONFLICT).
class PostgresDatabase final : public Database {
 public:
  // Connects once to check the URL, the credentials and the role. Errors: InvalidArgument for a
  // malformed URL or pool size; Unavailable if the server cannot be reached or refuses the login;
  // FailedPrecondition if the role bypasses row-level security (see above).
  static Result<std::unique_ptr<PostgresDatabase>> Open(const PostgresOptions& options);
  ~PostgresDatabase() override;

  // Read transactions are REPEATABLE READ READ ONLY; write transactions READ COMMITTED.
  // Errors: Unavailable when no connection is free within acquire_timeout or the server is
  // unreachable; InvalidArgument for the org id "*", which is reserved for BeginSystem.
  Result<std::unique_ptr<Transaction>> Begin(TxMode mode, std::string_view org_id) override;
  Result<std::unique_ptr<Transaction>> BeginSystem(TxMode mode) override;
  Status Ping() override;
  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string_view backend_name() const override { return "postgres"; }
  PoolStats Stats() const override;

  struct State;

 private:
  explicit PostgresDatabase(std::unique_ptr<State> state);
  Result<std::unique_ptr<Transaction>> BeginScoped(TxMode mode, std::string org_id);
  std::unique_ptr<State> state_;
};

}  // namespace qlrf::storage
