// PostgreSQL Database on libpq: a pool of PGconn grown on demand, broken connections replaced on
// acquire, statements prepared once per connection (text-format parameters) and reused.
#include "storage/postgres/postgres_database.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace qlrf::storage {
namespace {

// Type OIDs from pg_type.h (server header, not shipped with libpq): these are decoded into typed
// cells so that RowSet contents match SQLite's (count(*) is an integer on both backends).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

std::string Trimmed(const char* s) {
  std::string out = s != nullptr ? s : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

// Maps a failed result (or a failed call that returned no result) to our canonical codes.
Error MapError(const PGresult* res, PGconn* conn) {
  const char* sqlstate = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string msg = primary != nullptr ? primary : Trimmed(PQerrorMessage(conn));
  if (sqlstate == nullptr) {
    // Raised by libpq itself: the connection is gone, or the client ran out of memory.
    if (PQstatus(conn) != CONNECTION_OK) {
      return Unavailable("PostgreSQL connection lost: " + msg);
    }
    return Internal("PostgreSQL client error: " + msg);
  }
  const std::string_view code(sqlstate);
  if (code == "23505") {
    return AlreadyExists("duplicate: " + msg);
  }
  if (code == "23503") {
    return FailedPrecondition("referenced entity missing or still referenced: " + msg);
  }
  if (code == "23514" || code == "23502" || code.starts_with("22")) {
    return InvalidArgument("constraint violated: " + msg);
  }
  if (code == "40001" || code == "40P01" || code == "55P03") {
    return Aborted("concurrent update conflict (" + std::string(code) + "): " + msg);
  }
  if (code.starts_with("08") || code.starts_with("57P0")) {
    return Unavailable("PostgreSQL unavailable (" + std::string(code) + "): " + msg);
  }
  if (code == "42501") {
    // insufficient_privilege, which includes "new row violates row-level security policy".
    return PermissionDenied("PostgreSQL refused (42501): " + msg);
  }
  std::string text = "PostgreSQL error " + std::string(code) + ": " + msg;
  if (const char* detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL); detail != nullptr) {
    text += " (" + std::string(detail) + ")";
  }
  return Internal(std::move(text));
}

bool Succeeded(const PGresult* res) {
  if (res == nullptr) {
    return false;
  }
  ExecStatusType st = PQresultStatus(res);
  return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
}

std::string FormatDouble(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  QLRF_CHECK(ec == std::errc(), "64 bytes hold any shortest double");
  return std::string(buf, end);
}

// Decodes one non-NULL cell. Integers, reals and booleans become typed values; the rest text.
SqlValue DecodeCell(Oid type, const char* p, int len) {
  const char* end = p + len;
  switch (type) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: {
      int64_t v = 0;
      if (std::from_chars(p, end, v).ec == std::errc()) {
        return v;
      }
      break;
    }
    case kFloat4Oid:
    case kFloat8Oid:
      // strtod, unlike from_chars, reads "Infinity"/"-Infinity"; the text is NUL-terminated.
      return std::strtod(p, nullptr);
    case kBoolOid:
      return int64_t{len > 0 && p[0] == 't' ? 1 : 0};
    default:
      break;
  }
  return std::string(p, static_cast<size_t>(len));
}

// Connection keywords for PQconnectdbParams, parsed from the URL plus our additions.
struct ConnParams {
  std::vector<std::string> keys;
  std::vector<std::string> values;
};

// libpq splits `options` on spaces; a backslash escapes the next character.
std::string EscapeOption(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out;
}

Result<ConnParams> ParseUrl(const PostgresOptions& o) {
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(o.url.c_str(), &err);
  if (parsed == nullptr) {
    std::string msg = err != nullptr ? Trimmed(err) : "out of memory";
    PQfreemem(err);
    return Fail(InvalidArgument("invalid PostgreSQL URL: " + msg));
  }
  ConnParams p;
  std::string url_options;
  bool has_timeout = false;
  for (PQconninfoOption* opt = parsed; opt->keyword != nullptr; ++opt) {
    if (opt->val == nullptr) {
      continue;
    }
    std::string key = opt->keyword;
    if (key == "options") {
      url_options = opt->val;
      continue;
    }
    has_timeout = has_timeout || key == "connect_timeout";
    p.keys.push_back(std::move(key));
    p.values.emplace_back(opt->val);
  }
  PQconninfoFree(parsed);
  if (!has_timeout) {
    auto seconds = std::chrono::ceil<std::chrono::seconds>(o.acquire_timeout).count();
    p.keys.emplace_back("connect_timeout");
    p.values.push_back(std::to_string(std::max<int64_t>(2, seconds)));
  }
  p.keys.emplace_back("fallback_application_name");
  p.values.emplace_back("qlrf");
  if (!o.search_path.empty()) {
    std::string extra = "-csearch_path=" + EscapeOption(o.search_path);
    url_options = url_options.empty() ? extra : url_options + " " + extra;
  }
  if (!url_options.empty()) {
    p.keys.emplace_back("options");
    p.values.push_back(std::move(url_options));
  }
  return p;
}

// One PGconn and its prepared statements. Used by one transaction at a time.
class Connection {
 public:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { PQfinish(conn_); }

  static Result<std::unique_ptr<Connection>> Open(const ConnParams& params) {
    std::vector<const char*> keys;
    std::vector<const char*> values;
    for (size_t i = 0; i < params.keys.size(); ++i) {
      keys.push_back(params.keys[i].c_str());
      values.push_back(params.values[i].c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    auto conn = std::make_unique<Connection>(PQconnectdbParams(keys.data(), values.data(), 0));
    if (conn->conn_ == nullptr) {
      return Fail(Unavailable("cannot connect to PostgreSQL: out of memory"));
    }
    if (PQstatus(conn->conn_) != CONNECTION_OK) {
      return Fail(
          Unavailable("cannot connect to PostgreSQL: " + Trimmed(PQerrorMessage(conn->conn_))));
    }
    // Notices ("relation already exists, skipping") would otherwise go to stderr.
    PQsetNoticeProcessor(conn->conn_, IgnoreNotice, nullptr);
    return conn;
  }

  // Open and idle (not inside a transaction), or only waiting for the answer to a read-only
  // transaction's COMMIT: fit to hand to the next transaction.
  bool Reusable() const {
    return PQstatus(conn_) == CONNECTION_OK &&
           (commit_pending_ || PQtransactionStatus(conn_) == PQTRANS_IDLE);
  }

  // Sends COMMIT without waiting for its answer; Settle() collects it. For read-only
  // transactions, whose COMMIT changes nothing: the request that ran it need not wait a round
  // trip, and by the time the connection is lent again the answer has usually arrived.
  Status SendCommit() {
    if (PQsendQuery(conn_, "COMMIT") != 1) {
      return Fail(Unavailable("PostgreSQL connection failed: " + Trimmed(PQerrorMessage(conn_))));
    }
    commit_pending_ = true;
    return Ok();
  }
  // Collects the answer to a COMMIT sent by SendCommit (nothing to do otherwise), waiting at
  // most `limit` for it. false: the connection is unfit for use (the caller replaces it).
  bool Settle(std::chrono::milliseconds limit) {
    if (!commit_pending_) {
      return true;
    }
    commit_pending_ = false;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    bool ok = false;
    for (;;) {
      while (PQisBusy(conn_) == 1) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        if (left <= 0) {
          return false;
        }
        pollfd p{PQsocket(conn_), POLLIN, 0};
        int n = ::poll(&p, 1, static_cast<int>(left));
        if ((n < 0 && errno != EINTR) || PQconsumeInput(conn_) != 1) {
          return false;
        }
      }
      PGresult* r = PQgetResult(conn_);
      if (r == nullptr) {
        break;
      }
      PgResult res(r);
      ok = PQresultStatus(r) == PGRES_COMMAND_OK && std::string_view(PQcmdStatus(r)) == "COMMIT";
    }
    return ok && PQtransactionStatus(conn_) == PQTRANS_IDLE;
  }
  bool Broken() const { return PQstatus(conn_) != CONNECTION_OK; }
  // Inside a transaction block (including a failed one).
  bool InTransaction() const {
    PGTransactionStatusType st = PQtransactionStatus(conn_);
    return st == PQTRANS_INTRANS || st == PQTRANS_INERROR;
  }
  // Inside a transaction block that has not failed.
  bool InGoodTransaction() const { return PQtransactionStatus(conn_) == PQTRANS_INTRANS; }

  Status ExecScript(std::string_view sql) {
    PgResult res(PQexec(conn_, std::string(sql).c_str()));
    if (!Succeeded(res.get())) {
      return Fail(MapError(res.get(), conn_));
    }
    return Ok();
  }

  // Like ExecScript, but returns the command tag ("COMMIT", or "ROLLBACK" for a failed tx).
  Result<std::string> Command(const char* sql) {
    PgResult res(PQexec(conn_, sql));
    if (!Succeeded(res.get())) {
      return Fail(MapError(res.get(), conn_));
    }
    return std::string(PQcmdStatus(res.get()));
  }

  // Runs `sql` as a prepared statement; collects rows if `rows` is non-null. Extra parameters
  // are ignored, as SQLite ignores parameters a statement does not use.
  Result<int64_t> Run(std::string_view sql, const Params& params, RowSet* rows) {
    QLRF_ASSIGN_OR_RETURN(const Statement* stmt, Prepare(sql));
    QLRF_ASSIGN_OR_RETURN(Bound bound, Bind(*stmt, sql, params));
    PgResult res(PQexecPrepared(conn_, stmt->name.c_str(), stmt->nparams, bound.ptrs.data(),
                                nullptr, nullptr, 0));
    return Outcome(res.get(), rows);
  }

  // Like Run, but first starts the transaction with `begin` and scopes it to `org_scope` (the
  // app.org_id setting, local to the transaction), all three in one round trip (libpq's
  // pipeline mode). If BEGIN fails nothing ran; if the statement fails the transaction is left
  // in the failed state, as after Run.
  Result<int64_t> RunFirst(const char* begin, const std::string& org_scope, std::string_view sql,
                           const Params& params, RowSet* rows) {
    QLRF_ASSIGN_OR_RETURN(const Statement* stmt, Prepare(sql));
    QLRF_ASSIGN_OR_RETURN(Bound bound, Bind(*stmt, sql, params));
    if (PQenterPipelineMode(conn_) != 1) {
      return Fail(Unavailable("PostgreSQL pipeline mode: " + Trimmed(PQerrorMessage(conn_))));
    }
    const char* scope[1] = {org_scope.c_str()};
    bool sent =
        PQsendQueryParams(conn_, begin, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
        PQsendQueryParams(conn_, "SELECT set_config('app.org_id', $1, true)", 1, nullptr,
                          scope, nullptr, nullptr, 0) == 1 &&
        PQsendQueryPrepared(conn_, stmt->name.c_str(), stmt->nparams, bound.ptrs.data(),
                            nullptr, nullptr, 0) == 1 &&
        PQpipelineSync(conn_) == 1;
    // One result (then NULL) per query, then the sync point; the first failure is reported.
    PgResult results[3];
    for (int q = 0; q < 3 && sent; ++q) {
      while (PGresult* r = PQgetResult(conn_)) {
        if (results[q] == nullptr) {
          results[q].reset(r);
        } else {
          PQclear(r);
        }
      }
    }
    bool synced = false;
    if (sent) {
      PgResult sync(PQgetResult(conn_));
      synced = sync != nullptr && PQresultStatus(sync.get()) == PGRES_PIPELINE_SYNC;
    }
    if (!synced || PQexitPipelineMode(conn_) != 1) {
      return Fail(Unavailable("PostgreSQL connection failed: " + Trimmed(PQerrorMessage(conn_))));
    }
    for (int q = 0; q < 2; ++q) {
      if (!Succeeded(results[q].get())) {
        return Fail(MapError(results[q].get(), conn_));
      }
    }
    return Outcome(results[2].get(), rows);
  }
  // COPY FROM STDIN (text format, ~1 MiB chunks) into a session-local staging table, then one
  // INSERT … SELECT into `table`: PostgreSQL refuses COPY into tables under row-level security,
  // and the single INSERT keeps RLS checks and fires statement triggers once.
  Status CopyIn(std::string_view table, std::string_view columns, size_t cols, size_t rows,
                const std::function<void(size_t, Params&)>& fill) {
    if (rows == 0) {
      return Ok();
    }
    const std::string stage = "qlrf_stage_" + std::string(table);
    QLRF_TRY(ExecScript("CREATE TEMP TABLE IF NOT EXISTS " + stage + " (LIKE " +
                        std::string(table) + ") ON COMMIT DELETE ROWS"));
    QLRF_TRY(CopyRaw(stage, columns, cols, rows, fill));
    QLRF_TRY(ExecScript("INSERT INTO " + std::string(table) + " (" + std::string(columns) +
                        ") SELECT " + std::string(columns) + " FROM " + stage + "; TRUNCATE " +
                        stage));
    return Ok();
  }

  Status CopyRaw(std::string_view table, std::string_view columns, size_t cols, size_t rows,
                 const std::function<void(size_t, Params&)>& fill) {
    std::string sql = "COPY " + std::string(table) + " (" + std::string(columns) + ") FROM STDIN";
    PgResult started(PQexec(conn_, sql.c_str()));
    if (PQresultStatus(started.get()) != PGRES_COPY_IN) {
      return Fail(MapError(started.get(), conn_));
    }
    std::string buf;
    buf.reserve(1 << 20);
    bool send_failed = false;
    auto flush = [&] {
      if (!buf.empty() && PQputCopyData(conn_, buf.data(), static_cast<int>(buf.size())) != 1) {
        send_failed = true;
      }
      buf.clear();
    };
    Params row;
    for (size_t i = 0; i < rows && !send_failed; ++i) {
      row = Params();
      fill(i, row);
      QLRF_CHECK(row.size() == cols, "CopyIn: fill added the wrong number of values");
      size_t c = 0;
      for (const auto& v : row.values()) {
        if (c++ > 0) buf += '\t';
        if (const auto* s = std::get_if<std::string>(&v)) {
          AppendCopyText(buf, *s);
        } else if (const auto* k = std::get_if<int64_t>(&v)) {
          buf += std::to_string(*k);
        } else if (const auto* d = std::get_if<double>(&v)) {
          buf += FormatDouble(*d);
        } else {
          buf += "\\N";
        }
      }
      buf += '\n';
      if (buf.size() >= (1u << 20)) {
        flush();
      }
    }
    flush();
    if (PQputCopyEnd(conn_, send_failed ? "client failed to send data" : nullptr) != 1) {
      return Fail(Unavailable("COPY failed: " + Trimmed(PQerrorMessage(conn_))));
    }
    Status status = Ok();
    while (PGresult* r = PQgetResult(conn_)) {
      PgResult res(r);
      if (!Succeeded(res.get()) && status) {
        status = Fail(MapError(res.get(), conn_));
      }
    }
    return status;
  }

 private:
  // COPY text format: backslash, tab, newline and carriage return are escaped.
  static void AppendCopyText(std::string& out, const std::string& s) {
    for (char ch : s) {
      switch (ch) {
        case '\\':
          out += "\\\\";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        default:
          out += ch;
      }
    }
  }

  struct Statement {
    std::string name;
    int nparams = 0;
  };
  bool commit_pending_ = false;  // SendCommit's answer not yet collected

  // A statement's parameters as libpq text (ptrs[i] null for SQL NULL).
  struct Bound {
    std::vector<std::string> text;
    std::vector<const char*> ptrs;
  };
  static Result<Bound> Bind(const Statement& stmt, std::string_view sql, const Params& params) {
    auto values = params.values();
    if (values.size() < static_cast<size_t>(stmt.nparams)) {
      return Fail(Internal("statement needs " + std::to_string(stmt.nparams) +
                           " parameters, got " + std::to_string(values.size()) + ": " +
                           std::string(sql.substr(0, 200))));
    }
    const size_t n = static_cast<size_t>(stmt.nparams);
    Bound b{std::vector<std::string>(n), std::vector<const char*>(n, nullptr)};
    for (size_t i = 0; i < n; ++i) {
      const SqlValue& v = values[i];
      if (const auto* s = std::get_if<std::string>(&v)) {
        b.ptrs[i] = s->c_str();
      } else if (const auto* k = std::get_if<int64_t>(&v)) {
        b.text[i] = std::to_string(*k);
        b.ptrs[i] = b.text[i].c_str();
      } else if (const auto* d = std::get_if<double>(&v)) {
        b.text[i] = FormatDouble(*d);
        b.ptrs[i] = b.text[i].c_str();
      }  // monostate stays nullptr: SQL NULL
    }
    return b;
  }

  // The affected-row count of a statement's result, and its rows if `rows` is non-null.
  Result<int64_t> Outcome(PGresult* res, RowSet* rows) {
    if (!Succeeded(res)) {
      return Fail(MapError(res, conn_));
    }
    if (rows != nullptr) {
      *rows = Collect(res);
    }
    const char* changed = PQcmdTuples(res);
    int64_t count = 0;
    std::from_chars(changed, changed + std::char_traits<char>::length(changed), count);
    return count;
  }

  Result<const Statement*> Prepare(std::string_view sql) {
    std::string key(sql);
    auto it = statements_.find(key);
    if (it != statements_.end()) {
      return &it->second;
    }
    Statement stmt{"qlrf_" + std::to_string(statements_.size() + 1), 0};
    PgResult prepared(PQprepare(conn_, stmt.name.c_str(), key.c_str(), 0, nullptr));
    if (!Succeeded(prepared.get())) {
      Error e = MapError(prepared.get(), conn_);
      e.message += " in: " + key.substr(0, 200);
      return Fail(std::move(e));
    }
    PgResult described(PQdescribePrepared(conn_, stmt.name.c_str()));
    if (!Succeeded(described.get())) {
      return Fail(MapError(described.get(), conn_));
    }
    stmt.nparams = PQnparams(described.get());
    return &statements_.emplace(std::move(key), std::move(stmt)).first->second;
  }

  static RowSet Collect(const PGresult* res) {
    const int nrows = PQntuples(res);
    const int ncols = PQnfields(res);
    std::vector<std::string> names;
    names.reserve(static_cast<size_t>(ncols));
    std::vector<Oid> types;
    for (int c = 0; c < ncols; ++c) {
      names.emplace_back(PQfname(res, c));
      types.push_back(PQftype(res, c));
    }
    std::vector<SqlValue> cells;
    cells.reserve(static_cast<size_t>(nrows) * static_cast<size_t>(ncols));
    for (int r = 0; r < nrows; ++r) {
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res, r, c) != 0) {
          cells.emplace_back(std::monostate{});
        } else {
          cells.push_back(DecodeCell(types[static_cast<size_t>(c)], PQgetvalue(res, r, c),
                                     PQgetlength(res, r, c)));
        }
      }
    }
    return RowSet(std::move(names), std::move(cells));
  }

  PGconn* conn_;
  // SQL text → server-side prepared statement. Bounded by the distinct statements in the code,
  // since values are always bound, never spliced into the text.
  std::unordered_map<std::string, Statement> statements_;
};

}  // namespace

// The pool. Connections are opened outside the lock (no I/O under it) after reserving a slot.
struct PostgresDatabase::State {
  PostgresOptions options;
  ConnParams params;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::vector<std::unique_ptr<Connection>> idle;  // guarded by mu
  int64_t open = 0;                               // guarded by mu: idle + lent + being opened
  int64_t in_use = 0;                             // guarded by mu
  int64_t waits = 0;                              // guarded by mu

  Result<std::unique_ptr<Connection>> Acquire() {
    std::unique_ptr<Connection> conn;
    {
      std::unique_lock lock(mu);
      const auto deadline = std::chrono::steady_clock::now() + options.acquire_timeout;
      auto available = [&] { return !idle.empty() || open < options.pool_size; };
      if (!available()) {
        ++waits;
        if (!cv.wait_until(lock, deadline, available)) {
          return Fail(Unavailable("timed out after " +
                                  std::to_string(options.acquire_timeout.count()) +
                                  " ms waiting for a PostgreSQL connection (pool size " +
                                  std::to_string(options.pool_size) + ")"));
        }
      }
      if (!idle.empty()) {
        conn = std::move(idle.back());
        idle.pop_back();
      } else {
        ++open;
      }
      ++in_use;
    }
    if (conn && (!conn->Settle(options.acquire_timeout) || conn->Broken())) {
      conn.reset();  // replaced below; its slot stays reserved
    }
    if (!conn) {
      auto fresh = Connection::Open(params);
      if (!fresh) {
        GiveBackSlot();
        return Fail(fresh.error());
      }
      conn = std::move(*fresh);
    }
    return conn;
  }

  // Returns a connection; one that is broken or stuck in a transaction is closed instead.
  void Release(std::unique_ptr<Connection> conn) {
    if (!conn->Reusable()) {
      conn.reset();
      GiveBackSlot();
      return;
    }
    {
      std::lock_guard lock(mu);
      idle.push_back(std::move(conn));
      --in_use;
    }
    cv.notify_one();
  }

  void GiveBackSlot() {
    {
      std::lock_guard lock(mu);
      --open;
      --in_use;
    }
    cv.notify_one();
  }
};

namespace {

// A transaction starts lazily: BEGIN and its org scope travel with its first statement (one
// round trip instead of two; a script or a COPY is preceded by a trivial one), and a transaction
// that ran nothing commits without a round trip.
class PostgresTransaction final : public Transaction {
 public:
  PostgresTransaction(PostgresDatabase::State* state, std::unique_ptr<Connection> conn,
                      TxMode mode, std::string org_id)
      : state_(state),
        conn_(std::move(conn)),
        read_only_(mode == TxMode::kRead),
        begin_(read_only_ ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN"),
        org_id_(std::move(org_id)) {}
  PostgresTransaction(const PostgresTransaction&) = delete;
  PostgresTransaction& operator=(const PostgresTransaction&) = delete;

  ~PostgresTransaction() override {
    if (conn_ == nullptr) {
      return;  // lost while retrying the start on a fresh connection
    }
    if (started_ && !done_ && !conn_->Broken()) {
      (void)conn_->Command("ROLLBACK");
    }
    state_->Release(std::move(conn_));
  }

  Result<RowSet> Query(std::string_view sql, const Params& params) override {
    RowSet rows;
    QLRF_TRY(Remember(Run(sql, params, &rows)));
    return rows;
  }
  Result<int64_t> Exec(std::string_view sql, const Params& params) override {
    return Remember(Run(sql, params, nullptr));
  }
  Status ExecScript(std::string_view sql) override {
    QLRF_TRY(Remember(Start()));
    return Remember(conn_->ExecScript(sql));
  }
  Status CopyIn(std::string_view table, std::string_view columns, size_t cols, size_t rows,
                const std::function<void(size_t, Params&)>& fill) override {
    QLRF_TRY(Remember(Start()));
    return Remember(conn_->CopyIn(table, columns, cols, rows, fill));
  }

  Status Commit() override {
    QLRF_CHECK(!done_, "transaction committed twice");
    if (!started_) {
      done_ = true;  // nothing ran (or the start itself failed): nothing to commit
      if (first_error_) {
        Error e = *first_error_;
        e.message = "transaction never started: " + e.message;
        return Fail(std::move(e));
      }
      return Ok();
    }
    if (read_only_ && !first_error_ && conn_->InGoodTransaction()) {
      done_ = true;  // nothing to lose: a failure only shows as an unfit connection later
      return conn_->SendCommit();
    }
    QLRF_ASSIGN_OR_RETURN(std::string tag, conn_->Command("COMMIT"));
    done_ = true;
    if (tag == "ROLLBACK") {
      // The server ends a transaction that saw an error with ROLLBACK, even when asked to
      // commit; report the error the caller ignored.
      Error e = first_error_.value_or(Internal("transaction failed earlier"));
      e.message = "transaction rolled back after an earlier error: " + e.message;
      return Fail(std::move(e));
    }
    return Ok();
  }

  Dialect dialect() const override { return Dialect::kPostgres; }
  const std::string& org_id() const override { return org_id_; }

 private:
  std::string Scope() const { return org_id_.empty() ? std::string("*") : org_id_; }

  // Before a script or a COPY: the start alone, as a trivial first statement.
  Status Start() {
    if (started_) {
      return Ok();
    }
    return Run("SELECT 1", {}, nullptr).map([](int64_t) {});
  }

  Result<int64_t> Run(std::string_view sql, const Params& params, RowSet* rows) {
    if (conn_ == nullptr) {
      return Fail(Unavailable("the transaction lost its PostgreSQL connection"));
    }
    if (started_) {
      return conn_->Run(sql, params, rows);
    }
    auto first = [&] { return conn_->RunFirst(begin_, Scope(), sql, params, rows); };
    auto r = first();
    // A pooled connection may have been closed by the server while idle (restart, idle timeout,
    // pg_terminate_backend); that only shows on first use, so the start is retried once on a
    // fresh connection (nothing has run in the transaction yet).
    if (!r && conn_->Broken()) {
      state_->Release(std::move(conn_));
      QLRF_ASSIGN_OR_RETURN(conn_, state_->Acquire());
      r = first();
    }
    // A failed first statement still leaves the transaction begun (and failed); only a failure
    // before BEGIN ran leaves it unstarted.
    started_ = r || (!conn_->Broken() && conn_->InTransaction());
    return r;
  }

  template <class T>
  Result<T> Remember(Result<T> r) {
    if (!r && !first_error_) {
      first_error_ = r.error();
    }
    return r;
  }

  PostgresDatabase::State* state_;
  std::unique_ptr<Connection> conn_;
  bool read_only_;
  const char* begin_;
  std::string org_id_;
  std::optional<Error> first_error_;
  bool started_ = false;
  bool done_ = false;
};

}  // namespace

PostgresDatabase::PostgresDatabase(std::unique_ptr<State> state) : state_(std::move(state)) {}
PostgresDatabase::~PostgresDatabase() = default;

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Open(const PostgresOptions& options) {
  if (options.pool_size < 1) {
    return Fail(InvalidArgument("PostgreSQL pool size must be at least 1"));
  }
  auto state = std::make_unique<State>();
  state->options = options;
  QLRF_ASSIGN_OR_RETURN(state->params, ParseUrl(options));
  QLRF_ASSIGN_OR_RETURN(auto conn, state->Acquire());
  RowSet rows;
  auto bypass = conn->Run(
      "SELECT current_user, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user",
      {}, &rows);
  if (!bypass) {
    state->Release(std::move(conn));
    return Fail(bypass.error());
  }
  state->Release(std::move(conn));
  if (!options.allow_rls_bypass && !rows.empty() && rows.Bool(0, 1)) {
    return Fail(FailedPrecondition("PostgreSQL role '" + rows.Text(0, 0) +
                                   "' is a superuser or has BYPASSRLS, so row-level security "
                                   "would not isolate orgs; connect as an ordinary role"));
  }
  return std::unique_ptr<PostgresDatabase>(new PostgresDatabase(std::move(state)));
}

Result<std::unique_ptr<Transaction>> PostgresDatabase::BeginScoped(TxMode mode,
                                                                   std::string org_id) {
  QLRF_ASSIGN_OR_RETURN(auto conn, state_->Acquire());
  return std::unique_ptr<Transaction>(
      std::make_unique<PostgresTransaction>(state_.get(), std::move(conn), mode, std::move(org_id)));
}

Result<std::unique_ptr<Transaction>> PostgresDatabase::Begin(TxMode mode, std::string_view org_id) {
  QLRF_CHECK(!org_id.empty(), "tenant transactions need an org id; use BeginSystem");
  if (org_id == "*") {
    return Fail(InvalidArgument("org id '*' is reserved for system transactions"));
  }
  return BeginScoped(mode, std::string(org_id));
}

Result<std::unique_ptr<Transaction>> PostgresDatabase::BeginSystem(TxMode mode) {
  return BeginScoped(mode, std::string());
}

Status PostgresDatabase::Ping() {
  QLRF_ASSIGN_OR_RETURN(auto tx, BeginSystem(TxMode::kRead));
  QLRF_TRY(tx->Query("SELECT 1", {}));
  return Ok();
}

PoolStats PostgresDatabase::Stats() const {
  std::lock_guard lock(state_->mu);
  PoolStats s;
  s.size = state_->open;
  s.in_use = state_->in_use;
  s.waits_total = state_->waits;
  return s;
}

}  // namespace qlrf::storage
