// SQLite implementation of storage::Database: WAL, one writer connection, a reader pool, a
// prepared-statement cache per connection and a background thread that checkpoints the WAL.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "storage/database.h"

namespace qlrf::storage {

struct SqliteOptions {
  std::string path;  // file path, or ":memory:" (one shared connection, tests)
  int readers = 4;   // reader connections (ignored for :memory:)
  std::chrono::milliseconds busy_timeout{5000};
  std::chrono::milliseconds acquire_timeout{5000};
  // A one-shot bulk writer (`qlrf demo`): the rollback journal instead of the WAL, so a large
  // load into a new database writes each page once instead of into the WAL and again at the
  // checkpoint (measured: 1M-asset demo commit 4× faster), and temporary files for sorts (SQLite
  // only uses sorter threads with those). If another process holds the database in WAL mode it
  // stays in WAL mode. Every other open switches it back to WAL.
  bool bulk_load = false;
  // WAL frames after which a background thread checkpoints the WAL (SQLite's auto-checkpoint
  // default). The writer's commits only count frames; the checkpoint, with its fsyncs, runs on
  // the thread's own connection. Ignored for :memory: and bulk_load, which keep SQLite's own
  // auto-checkpoint on the committing thread, as does 0.
  int wal_checkpoint_frames = 1000;
};

// What the background WAL checkpointer has done since Open. All zero without one.
struct CheckpointStats {
  int64_t checkpoints = 0;  // checkpoints that ran (PASSIVE or RESTART) without an error
  int64_t restarts = 0;     // of those, RESTART checkpoints (the WAL had grown past 10x)
  int64_t failures = 0;     // checkpoints that returned an error or found the database busy
  int64_t wal_frames = 0;   // frames in the WAL after the last commit
};

// Thread-safe.
class SqliteDatabase final : public Database {
 public:
  // Opens (creating if needed) the database. Errors: Unavailable if it cannot be opened.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const SqliteOptions& options);
  ~SqliteDatabase() override;

  Result<std::unique_ptr<Transaction>> Begin(TxMode mode, std::string_view org_id) override;
  Result<std::unique_ptr<Transaction>> BeginSystem(TxMode mode) override;
  Status Ping() override;
  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string_view backend_name() const override { return "sqlite"; }
  PoolStats Stats() const override;
  CheckpointStats Checkpoints() const;

  struct State;

 private:
  explicit SqliteDatabase(std::unique_ptr<State> state);
  Result<std::unique_ptr<Transaction>> BeginScoped(TxMode mode, std::string org_id);
  std::unique_ptr<State> state_;
};

}  // namespace qlrf::storage
