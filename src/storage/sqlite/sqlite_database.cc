// SQLite Database: WAL mode, one writer (BEGIN IMMEDIATE, serialised by a mutex) plus a pool of
// reader connections; statements are prepared once per connection and reused. A background
// thread checkpoints the WAL so that commits never do.
#include "storage/sqlite/sqlite_database.h"

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/log.h"

namespace qlrf::storage {
namespace {

// One sqlite3 handle and its statement cache. Used by one transaction at a time.
class Connection {
 public:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    for (auto& [sql, prepared] : cache_) {
      sqlite3_finalize(prepared.stmt);
    }
    if (db_ != nullptr) {
      sqlite3_close_v2(db_);
    }
  }

  Status Open(const SqliteOptions& o, bool read_only) {
    int flags = SQLITE_OPEN_NOMUTEX |
                (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (o.path.rfind("file:", 0) == 0) {
      flags |= SQLITE_OPEN_URI;
    }
    int rc = sqlite3_open_v2(o.path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      return Fail(Unavailable("cannot open SQLite database '" + o.path + "': " + msg));
    }
    sqlite3_busy_timeout(db_, static_cast<int>(o.busy_timeout.count()));
    sqlite3_extended_result_codes(db_, 1);
    // A large page cache keeps bulk writes from spilling pages to the WAL again and again
    // (measured: 1M-asset loads spend most of their time in write syscalls at the 2 MB default);
    // readers map the file so page reads are memory reads.
    std::string pragmas =
        "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=4294967296;";
    if (read_only) {
      return ExecScript(pragmas + "PRAGMA cache_size=-65536;");
    }
    QLRF_TRY(ExecScript(pragmas + "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144;"));
    // Leaving WAL mode needs the only connection; when another process has the database open
    // the bulk writer keeps the WAL. Sorts for index builds spill runs to temporary files (in
    // the OS page cache), which lets SQLite's sorter use worker threads.
    if (o.bulk_load) {
      QLRF_TRY(ExecScript("PRAGMA temp_store=FILE"));
      if (ExecScript("PRAGMA journal_mode=DELETE")) return Ok();
    }
    return ExecScript("PRAGMA journal_mode=WAL");
  }

  sqlite3* handle() const { return db_; }

  // true if the database is in WAL mode ("PRAGMA journal_mode=WAL" leaves e.g. an in-memory
  // database in "memory" mode without an error).
  bool InWalMode() {
    RowSet rows;
    auto st = Run("PRAGMA journal_mode", {}, &rows);
    return st && rows.rows() == 1 && rows.Text(0, 0) == "wal";
  }

  Status ExecScript(std::string_view sql) {
    char* err = nullptr;
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return Fail(MapError(rc, msg));
    }
    return Ok();
  }

  // PRAGMA foreign_keys is a no-op inside a transaction; the connection flag behind it is not
  // (a change expires the prepared statements, which recompile with or without the checks).
  Status SetForeignKeys(bool on) {
    int now = -1;
    int rc = sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_FKEY, on ? 1 : 0, &now);
    if (rc != SQLITE_OK || now != (on ? 1 : 0)) {
      return Fail(Internal("cannot switch SQLite foreign-key checks " +
                           std::string(on ? "on" : "off")));
    }
    return Ok();
  }

  // A cached statement and, for each "$k" parameter, its SQLite index (0 = unused): SQLite
  // numbers named parameters by first appearance, so "$2 … $1" binds by this table.
  struct Prepared {
    sqlite3_stmt* stmt = nullptr;
    std::vector<int> index_of;  // index_of[k-1] for $k
  };

  Result<Prepared*> Prepare(std::string_view sql) {
    auto it = cache_.find(std::string(sql));
    if (it != cache_.end()) {
      sqlite3_reset(it->second.stmt);
      sqlite3_clear_bindings(it->second.stmt);
      return &it->second;
    }
    Prepared p;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &p.stmt, nullptr);
    if (rc != SQLITE_OK) {
      return Fail(Internal("SQL prepare failed: " + std::string(sqlite3_errmsg(db_)) + " in: " +
                           std::string(sql.substr(0, 200))));
    }
    int count = sqlite3_bind_parameter_count(p.stmt);
    for (int i = 1; i <= count; ++i) {
      const char* name = sqlite3_bind_parameter_name(p.stmt, i);
      int k = 0;
      if (name != nullptr && name[0] == '$') {
        k = std::atoi(name + 1);
      }
      if (k <= 0) {
        sqlite3_finalize(p.stmt);
        return Fail(Internal("SQL parameters must be $1..$n: " + std::string(sql.substr(0, 200))));
      }
      if (static_cast<size_t>(k) > p.index_of.size()) {
        p.index_of.resize(static_cast<size_t>(k), 0);
      }
      p.index_of[static_cast<size_t>(k - 1)] = i;
    }
    return &cache_.emplace(std::string(sql), std::move(p)).first->second;
  }

  // Runs a prepared statement; collects rows if `rows` is non-null.
  Result<int64_t> Run(std::string_view sql, const Params& params, RowSet* rows) {
    QLRF_ASSIGN_OR_RETURN(Prepared * prepared, Prepare(sql));
    sqlite3_stmt* stmt = prepared->stmt;
    auto values = params.values();
    for (size_t i = 0; i < values.size(); ++i) {
      int idx = i < prepared->index_of.size() ? prepared->index_of[i] : 0;
      if (idx == 0) {
        continue;  // parameter not used by this statement
      }
      int rc = SQLITE_OK;
      const SqlValue& v = values[i];
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(stmt, idx);
      } else if (const auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, idx, *d);
      } else {
        const auto& s = std::get<std::string>(v);
        rc = sqlite3_bind_text(stmt, idx, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
      }
      if (rc != SQLITE_OK) {
        return Fail(Internal("SQL bind failed: " + std::string(sqlite3_errmsg(db_))));
      }
    }
    int ncols = sqlite3_column_count(stmt);
    std::vector<std::string> names;
    std::vector<SqlValue> cells;
    if (rows != nullptr) {
      names.reserve(static_cast<size_t>(ncols));
      for (int c = 0; c < ncols; ++c) {
        const char* n = sqlite3_column_name(stmt, c);
        names.emplace_back(n != nullptr ? n : "");
      }
    }
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) {
        break;
      }
      if (rc != SQLITE_ROW) {
        Error e = MapError(rc, sqlite3_errmsg(db_));
        sqlite3_reset(stmt);
        return Fail(std::move(e));
      }
      if (rows == nullptr) {
        continue;
      }
      for (int c = 0; c < ncols; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL:
            cells.emplace_back(std::monostate{});
            break;
          case SQLITE_INTEGER:
            cells.emplace_back(int64_t{sqlite3_column_int64(stmt, c)});
            break;
          case SQLITE_FLOAT:
            cells.emplace_back(sqlite3_column_double(stmt, c));
            break;
          default: {
            const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            int len = sqlite3_column_bytes(stmt, c);
            cells.emplace_back(std::string(p != nullptr ? p : "", static_cast<size_t>(len)));
          }
        }
      }
    }
    int64_t changed = sqlite3_changes64(db_);
    sqlite3_reset(stmt);
    if (rows != nullptr) {
      *rows = RowSet(std::move(names), std::move(cells));
    }
    return changed;
  }

  static Error MapError(int rc, std::string_view msg) {
    std::string m(msg);
    switch (rc) {
      case SQLITE_CONSTRAINT_UNIQUE:
      case SQLITE_CONSTRAINT_PRIMARYKEY:
        return AlreadyExists("duplicate: " + m);
      case SQLITE_CONSTRAINT_FOREIGNKEY:
        return FailedPrecondition("referenced entity missing or still referenced: " + m);
      case SQLITE_CONSTRAINT_CHECK:
      case SQLITE_CONSTRAINT_NOTNULL:
        return InvalidArgument("constraint violated: " + m);
      default:
        break;
    }
    int primary = rc & 0xFF;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      return Aborted("database is busy: " + m);
    }
    if (primary == SQLITE_CONSTRAINT) {
      return InvalidArgument("constraint violated: " + m);
    }
    return Internal("SQLite error " + std::to_string(rc) + ": " + m);
  }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, Prepared> cache_;
};

// Checkpoints the WAL on its own thread and read-write connection, so that no commit pays for a
// checkpoint's page copies and fsyncs. The writer's wal hook (which replaces SQLite's
// auto-checkpoint) only records the frame count and, past the threshold, wakes the thread.
// Thread-safe: OnCommit runs on the committing thread, Stats anywhere.
class WalCheckpointer {
 public:
  // Readers on old snapshots keep the WAL from starting over; past this many thresholds a
  // RESTART checkpoint waits for them, holding off the writer for at most about kRestartWait.
  static constexpr int kRestartFactor = 10;
  static constexpr std::chrono::milliseconds kRestartWait{20};

  // Opens the thread's connection and starts it. Errors: Unavailable if the database cannot be
  // opened.
  static Result<std::unique_ptr<WalCheckpointer>> Start(const SqliteOptions& options) {
    auto checkpointer = std::unique_ptr<WalCheckpointer>(new WalCheckpointer(options));
    QLRF_TRY(checkpointer->conn_.Open(options, false));
    sqlite3_busy_timeout(checkpointer->conn_.handle(), static_cast<int>(kRestartWait.count()));
    checkpointer->thread_ = std::thread([c = checkpointer.get()] { c->Run(); });
    return checkpointer;
  }

  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Stops and joins the thread; a checkpoint under way finishes first.
  ~WalCheckpointer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) {  // not if Start failed
      thread_.join();
    }
  }

  // The sqlite3_wal_hook callback, on the committing thread after each commit. Never blocks:
  // the mutex is only ever held to flip a flag.
  static int OnCommit(void* self, sqlite3* /*db*/, const char* /*schema*/, int frames) {
    auto* c = static_cast<WalCheckpointer*>(self);
    c->wal_frames_.store(frames, std::memory_order_relaxed);
    if (frames >= c->threshold_) {
      {
        std::lock_guard lock(c->mu_);
        c->wake_ = true;
      }
      c->cv_.notify_one();
    }
    return SQLITE_OK;
  }

  CheckpointStats Stats() const {
    CheckpointStats s;
    s.checkpoints = checkpoints_.load(std::memory_order_relaxed);
    s.restarts = restarts_.load(std::memory_order_relaxed);
    s.failures = failures_.load(std::memory_order_relaxed);
    s.wal_frames = wal_frames_.load(std::memory_order_relaxed);
    return s;
  }

 private:
  explicit WalCheckpointer(const SqliteOptions& options)
      : threshold_(options.wal_checkpoint_frames) {}

  void Run() {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return wake_ || stop_; });
      if (stop_) {
        return;
      }
      wake_ = false;  // commits while we checkpoint wake us once more
      lock.unlock();
      Checkpoint();
      lock.lock();
    }
  }

  void Checkpoint() {
    int log = 0;
    int done = 0;
    int rc =
        sqlite3_wal_checkpoint_v2(conn_.handle(), "main", SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    if (!Record(rc, "passive")) {
      return;
    }
    // Everything copied, or the WAL still small: the next commit starts the WAL over (when no
    // reader holds an old snapshot). A failed RESTART is retried only once the WAL has grown.
    if (done >= log || log <= kRestartFactor * threshold_ || log < next_restart_at_) {
      return;
    }
    rc = sqlite3_wal_checkpoint_v2(conn_.handle(), "main", SQLITE_CHECKPOINT_RESTART, &log, &done);
    if (Record(rc, "restart")) {
      restarts_.fetch_add(1, std::memory_order_relaxed);
      next_restart_at_ = 0;
    } else {
      next_restart_at_ = log + threshold_;
    }
  }

  // Counts the outcome; busy is expected under load (readers, another process's checkpoint),
  // other errors are logged.
  bool Record(int rc, std::string_view mode) {
    if (rc == SQLITE_OK) {
      checkpoints_.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
    failures_.fetch_add(1, std::memory_order_relaxed);
    if ((rc & 0xFF) != SQLITE_BUSY) {
      log::Warn("SQLite WAL checkpoint failed",
                {{"mode", mode}, {"error", sqlite3_errmsg(conn_.handle())}});
    }
    return false;
  }

  const int threshold_;
  Connection conn_;          // used by thread_ only
  int next_restart_at_ = 0;  // thread_ only

  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;  // guarded by mu_
  bool stop_ = false;  // guarded by mu_

  std::atomic<int64_t> checkpoints_{0};
  std::atomic<int64_t> restarts_{0};
  std::atomic<int64_t> failures_{0};
  std::atomic<int64_t> wal_frames_{0};

  std::thread thread_;  // started by Start once the connection is open
};

}  // namespace

struct SqliteDatabase::State {
  SqliteOptions options;
  bool single = false;  // :memory: — the writer serves reads too

  std::mutex writer_mu;
  std::condition_variable writer_cv;
  bool writer_busy = false;
  std::unique_ptr<Connection> writer;

  std::mutex readers_mu;
  std::condition_variable readers_cv;
  std::vector<std::unique_ptr<Connection>> idle_readers;
  int64_t readers_total = 0;

  std::atomic<int64_t> in_use{0};
  std::atomic<int64_t> waits{0};

  // File databases in WAL mode; hooked into `writer`. Stopped before the connections close.
  std::unique_ptr<WalCheckpointer> checkpointer;

  Result<Connection*> AcquireWriter() {
    std::unique_lock lock(writer_mu);
    if (writer_busy) {
      waits.fetch_add(1, std::memory_order_relaxed);
      if (!writer_cv.wait_for(lock, options.acquire_timeout, [&] { return !writer_busy; })) {
        return Fail(Unavailable("timed out waiting for the SQLite writer"));
      }
    }
    writer_busy = true;
    in_use.fetch_add(1, std::memory_order_relaxed);
    return writer.get();
  }
  void ReleaseWriter() {
    {
      std::lock_guard lock(writer_mu);
      writer_busy = false;
    }
    in_use.fetch_sub(1, std::memory_order_relaxed);
    writer_cv.notify_one();
  }
  Result<std::unique_ptr<Connection>> AcquireReader() {
    std::unique_lock lock(readers_mu);
    if (idle_readers.empty()) {
      waits.fetch_add(1, std::memory_order_relaxed);
      if (!readers_cv.wait_for(lock, options.acquire_timeout,
                               [&] { return !idle_readers.empty(); })) {
        return Fail(Unavailable("timed out waiting for a SQLite reader connection"));
      }
    }
    auto conn = std::move(idle_readers.back());
    idle_readers.pop_back();
    in_use.fetch_add(1, std::memory_order_relaxed);
    return conn;
  }
  void ReleaseReader(std::unique_ptr<Connection> conn) {
    {
      std::lock_guard lock(readers_mu);
      idle_readers.push_back(std::move(conn));
    }
    in_use.fetch_sub(1, std::memory_order_relaxed);
    readers_cv.notify_one();
  }
};

namespace {

class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(SqliteDatabase::State* state, Connection* conn,
                    std::unique_ptr<Connection> reader, std::string org_id)
      : state_(state), conn_(conn), reader_(std::move(reader)), org_id_(std::move(org_id)) {}

  ~SqliteTransaction() override {
    if (!done_) {
      (void)conn_->ExecScript("ROLLBACK");
    }
    if (fk_off_) {
      (void)conn_->SetForeignKeys(true);
    }
    if (reader_) {
      state_->ReleaseReader(std::move(reader_));
    } else {
      state_->ReleaseWriter();
    }
  }

  Result<RowSet> Query(std::string_view sql, const Params& params) override {
    RowSet rows;
    QLRF_TRY(conn_->Run(sql, params, &rows));
    return rows;
  }
  Result<int64_t> Exec(std::string_view sql, const Params& params) override {
    return conn_->Run(sql, params, nullptr);
  }
  Status ExecScript(std::string_view sql) override { return conn_->ExecScript(sql); }
  Status SetForeignKeyChecks(bool on) override {
    QLRF_CHECK(!done_, "transaction already ended");
    if (on && fk_off_) {
      // Resuming validates what was written meanwhile, every table (the checks left off stay
      // off on failure; the transaction is expected to roll back).
      RowSet broken;
      QLRF_TRY(conn_->Run("PRAGMA foreign_key_check", {}, &broken));
      if (!broken.empty()) {
        return Fail(FailedPrecondition(std::to_string(broken.rows()) +
                                       " rows refer to missing rows (first: a " +
                                       broken.Text(0, 0) + " row, rowid " + broken.Text(0, 1) +
                                       ", refers to a missing " + broken.Text(0, 2) + " row)"));
      }
    }
    QLRF_TRY(conn_->SetForeignKeys(on));
    fk_off_ = !on;
    return Ok();
  }
  Status Commit() override {
    QLRF_CHECK(!done_, "transaction committed twice");
    auto st = conn_->ExecScript("COMMIT");
    if (st) {
      done_ = true;
    }
    return st;
  }
  Dialect dialect() const override { return Dialect::kSqlite; }
  const std::string& org_id() const override { return org_id_; }

 private:
  SqliteDatabase::State* state_;
  Connection* conn_;
  std::unique_ptr<Connection> reader_;
  std::string org_id_;
  bool done_ = false;
  bool fk_off_ = false;
};

}  // namespace

SqliteDatabase::SqliteDatabase(std::unique_ptr<State> state) : state_(std::move(state)) {}
SqliteDatabase::~SqliteDatabase() {
  if (state_->checkpointer) {
    sqlite3_wal_hook(state_->writer->handle(), nullptr, nullptr);
    state_->checkpointer.reset();
  }
}

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const SqliteOptions& options) {
  auto state = std::make_unique<State>();
  state->options = options;
  state->single = options.path == ":memory:" || options.path.empty();
  if (state->single) {
    state->options.path = ":memory:";
  }
  state->writer = std::make_unique<Connection>();
  QLRF_TRY(state->writer->Open(state->options, false));
  if (!state->single) {
    for (int i = 0; i < options.readers; ++i) {
      auto reader = std::make_unique<Connection>();
      QLRF_TRY(reader->Open(state->options, true));
      state->idle_readers.push_back(std::move(reader));
    }
    state->readers_total = options.readers;
    if (!options.bulk_load && options.wal_checkpoint_frames > 0 && state->writer->InWalMode()) {
      QLRF_ASSIGN_OR_RETURN(state->checkpointer, WalCheckpointer::Start(state->options));
      sqlite3_wal_hook(state->writer->handle(), &WalCheckpointer::OnCommit,
                       state->checkpointer.get());
    }
  }
  return std::unique_ptr<SqliteDatabase>(new SqliteDatabase(std::move(state)));
}

Result<std::unique_ptr<Transaction>> SqliteDatabase::BeginScoped(TxMode mode, std::string org_id) {
  State& s = *state_;
  if (mode == TxMode::kWrite || s.single) {
    QLRF_ASSIGN_OR_RETURN(Connection * conn, s.AcquireWriter());
    auto st = conn->ExecScript(mode == TxMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
    if (!st) {
      s.ReleaseWriter();
      return Fail(st.error());
    }
    return std::unique_ptr<Transaction>(
        std::make_unique<SqliteTransaction>(&s, conn, nullptr, std::move(org_id)));
  }
  QLRF_ASSIGN_OR_RETURN(auto reader, s.AcquireReader());
  auto st = reader->ExecScript("BEGIN");
  if (!st) {
    s.ReleaseReader(std::move(reader));
    return Fail(st.error());
  }
  Connection* raw = reader.get();
  return std::unique_ptr<Transaction>(
      std::make_unique<SqliteTransaction>(&s, raw, std::move(reader), std::move(org_id)));
}

Result<std::unique_ptr<Transaction>> SqliteDatabase::Begin(TxMode mode, std::string_view org_id) {
  QLRF_CHECK(!org_id.empty(), "tenant transactions need an org id; use BeginSystem");
  return BeginScoped(mode, std::string(org_id));
}

Result<std::unique_ptr<Transaction>> SqliteDatabase::BeginSystem(TxMode mode) {
  return BeginScoped(mode, std::string());
}

Status SqliteDatabase::Ping() {
  QLRF_ASSIGN_OR_RETURN(auto tx, BeginSystem(TxMode::kRead));
  QLRF_TRY(tx->Query("SELECT 1", {}));
  return Ok();
}

PoolStats SqliteDatabase::Stats() const {
  PoolStats s;
  s.size = 1 + state_->readers_total;
  s.in_use = state_->in_use.load(std::memory_order_relaxed);
  s.waits_total = state_->waits.load(std::memory_order_relaxed);
  return s;
}

CheckpointStats SqliteDatabase::Checkpoints() const {
  return state_->checkpointer ? state_->checkpointer->Stats() : CheckpointStats{};
}

}  // namespace qlrf::storage
