// The SQL seam: a Database hands out Transactions that run portable SQL with $1..$n parameters.
// SQLite (storage/sqlite) and PostgreSQL (storage/postgres) implement it; the stores above are
// written once against it (their SQL is portable; dialect-specific text is chosen by dialect()).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"

namespace qlrf::storage {

enum class Dialect { kSqlite, kPostgres };

// A bound parameter or a fetched cell. Text carries strings, timestamps and JSON.
using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;

// Parameters for one statement; $1 is params[0].
class Params {
 public:
  Params() = default;
  Params(std::initializer_list<SqlValue> values) : values_(values) {}
  Params& Add(SqlValue v) {
    values_.push_back(std::move(v));
    return *this;
  }
  Params& AddOptional(const std::optional<std::string>& v) {
    values_.push_back(v ? SqlValue(*v) : SqlValue());
    return *this;
  }
  std::span<const SqlValue> values() const { return values_; }
  size_t size() const { return values_.size(); }

 private:
  std::vector<SqlValue> values_;
};

// Fully materialised result of one query. Immutable; cheap to move.
class RowSet {
 public:
  RowSet() = default;
  RowSet(std::vector<std::string> columns, std::vector<SqlValue> cells)
      : columns_(std::move(columns)), cells_(std::move(cells)) {}

  size_t rows() const { return columns_.empty() ? 0 : cells_.size() / columns_.size(); }
  size_t columns() const { return columns_.size(); }
  bool empty() const { return rows() == 0; }
  const std::vector<std::string>& column_names() const { return columns_; }

  bool IsNull(size_t row, size_t col) const;
  // Text of a cell ("" for NULL; integers and reals are formatted).
  std::string Text(size_t row, size_t col) const;
  std::optional<std::string> OptText(size_t row, size_t col) const;
  // Integer value; text cells are parsed (PostgreSQL returns text); 0 for NULL or bad text.
  int64_t Int(size_t row, size_t col) const;
  double Double(size_t row, size_t col) const;
  // true for 1, "1", "t", "true".
  bool Bool(size_t row, size_t col) const;

 private:
  const SqlValue& Cell(size_t row, size_t col) const;
  std::vector<std::string> columns_;
  std::vector<SqlValue> cells_;
};

// One unit of work. Not thread-safe; one per request or job. Rolled back unless committed.
// Every tenant-owned query inside a transaction is scoped by org_id(); on PostgreSQL the same
// id is also set as `app.org_id` for row-level security.
class Transaction {
 public:
  virtual ~Transaction() = default;

  // Runs a statement that returns rows. Errors: AlreadyExists on a unique violation, Aborted on
  // a serialization/busy conflict, InvalidArgument on a constraint violation, Internal otherwise.
  virtual Result<RowSet> Query(std::string_view sql, const Params& params) = 0;
  // Runs a statement; returns the number of rows changed. Errors as Query.
  virtual Result<int64_t> Exec(std::string_view sql, const Params& params) = 0;
  // Runs several statements without parameters (migrations).
  virtual Status ExecScript(std::string_view sql) = 0;
  // Loads `rows` new rows into `table` (`columns`: "a, b, c", `cols` of them) as fast as the
  // backend can: PostgreSQL streams them with COPY FROM STDIN, the default batches multi-row
  // INSERTs. `fill(i, params)` appends row i's values. No conflict handling: a duplicate key
  // fails the load (and the transaction). Errors as Exec.
  virtual Status CopyIn(std::string_view table, std::string_view columns, size_t cols, size_t rows,
                        const std::function<void(size_t, Params&)>& fill);
  // SQLite: stops (false) or resumes (true) checking foreign keys row by row for the rest of
  // this transaction. Resuming first checks every table in one pass (`PRAGMA
  // foreign_key_check`, SQLite's documented table-rebuild recipe; bulk loads check 3M tag rows
  // at once instead of one index probe per insert): FailedPrecondition naming the first row
  // that points nowhere, checks still off. No cascades fire while checks are off. The
  // transaction ends with checks on whatever happens. PostgreSQL: Unimplemented (drop and
  // re-add the constraints instead).
  virtual Status SetForeignKeyChecks(bool on);
  virtual Status Commit() = 0;

  virtual Dialect dialect() const = 0;
  // The org this transaction is scoped to; empty for a system transaction.
  virtual const std::string& org_id() const = 0;
};

enum class TxMode { kRead, kWrite };

struct PoolStats {
  int64_t size = 0;         // connections open
  int64_t in_use = 0;       // connections lent out
  int64_t waits_total = 0;  // acquisitions that had to wait
};

// Thread-safe.
class Database {
 public:
  virtual ~Database() = default;

  // Begins a transaction scoped to `org_id`. Reads may run in parallel; writes are serialised
  // on SQLite. Errors: Unavailable when no connection can be had within the pool timeout.
  virtual Result<std::unique_ptr<Transaction>> Begin(TxMode mode, std::string_view org_id) = 0;
  // A transaction that may see every org (authentication lookups, migrations, audit verify).
  // Callers are few and named; tenant-facing code never uses it.
  virtual Result<std::unique_ptr<Transaction>> BeginSystem(TxMode mode) = 0;

  virtual Status Ping() = 0;
  virtual Dialect dialect() const = 0;
  virtual std::string_view backend_name() const = 0;  // "sqlite" | "postgres"
  virtual PoolStats Stats() const = 0;
};

// Runs `fn(tx)` in a write transaction and commits; retries up to 3 times on Aborted.
template <class Fn>
auto WithWrite(Database& db, std::string_view org_id, Fn&& fn)
    -> decltype(fn(std::declval<Transaction&>())) {
  for (int attempt = 0;; ++attempt) {
    auto tx = org_id.empty() ? db.BeginSystem(TxMode::kWrite) : db.Begin(TxMode::kWrite, org_id);
    if (!tx) {
      return tl::unexpected<Error>(tx.error());
    }
    auto result = fn(**tx);
    if (result) {
      auto committed = (*tx)->Commit();
      if (committed) {
        return result;
      }
      if (committed.error().code != ErrorCode::kAborted || attempt >= 2) {
        return tl::unexpected<Error>(committed.error());
      }
      continue;
    }
    if (result.error().code != ErrorCode::kAborted || attempt >= 2) {
      return result;
    }
  }
}

// Runs `fn(tx)` in a read transaction.
template <class Fn>
auto WithRead(Database& db, std::string_view org_id, Fn&& fn)
    -> decltype(fn(std::declval<Transaction&>())) {
  auto tx = org_id.empty() ? db.BeginSystem(TxMode::kRead) : db.Begin(TxMode::kRead, org_id);
  if (!tx) {
    return tl::unexpected<Error>(tx.error());
  }
  return fn(**tx);
}

}  // namespace qlrf::storage
