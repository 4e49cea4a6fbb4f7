// AuditStore: per-org hash chains with a head row that serialises appends.
#include "storage/audit_store.h"

#include <charconv>

#include "common/crypto.h"
#include "common/json.h"

namespace qlrf::storage {
namespace {

constexpr std::string_view kCols =
    "org_id, seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id, "
    "request_id, summary, prev_hash, hash";

AuditEvent EventAt(const RowSet& r, size_t i) {
  AuditEvent e;
  e.org_id = r.Text(i, 0);
  e.seq = r.Int(i, 1);
  e.id = r.Text(i, 2);
  e.occurred_at = r.Text(i, 3);
  e.actor_type = r.Text(i, 4);
  e.actor_id = r.Text(i, 5);
  e.action = r.Text(i, 6);
  e.target_type = r.Text(i, 7);
  e.target_id = r.Text(i, 8);
  e.request_id = r.Text(i, 9);
  e.summary = r.Text(i, 10);
  e.prev_hash = r.Text(i, 11);
  e.hash = r.Text(i, 12);
  return e;
}

void Field(std::string& out, std::string_view key, std::string_view value, bool last = false) {
  json::AppendQuoted(out, key);
  out += ':';
  json::AppendQuoted(out, value);
  if (!last) {
    out += ',';
  }
}

}  // namespace

std::string AuditStore::Canonical(const AuditEvent& e) {
  std::string out = "{";
  Field(out, "action", e.action);
  Field(out, "actor_id", e.actor_id);
  Field(out, "actor_type", e.actor_type);
  Field(out, "id", e.id);
  Field(out, "occurred_at", e.occurred_at);
  Field(out, "org_id", e.org_id);
  Field(out, "request_id", e.request_id);
  Field(out, "seq", std::to_string(e.seq));
  Field(out, "summary", e.summary);
  Field(out, "target_id", e.target_id);
  Field(out, "target_type", e.target_type, true);
  out += '}';
  return out;
}

std::string AuditStore::ChainHash(std::string_view prev_hash, const AuditEvent& e) {
  std::string input(prev_hash);
  input += Canonical(e);
  return crypto::Sha256Hex(input);
}

Result<AuditEvent> AuditStore::Append(Transaction& tx, AuditEvent e) {
  if (!tx.org_id().empty()) {
    e.org_id = tx.org_id();
  }
  QLRF_CHECK(!e.org_id.empty(), "audit event without an org");
  QLRF_TRY(
      tx.Exec("INSERT INTO audit_heads (org_id, seq, hash) VALUES ($1, 0, $2) "
              "ON CONFLICT (org_id) DO NOTHING",
              {e.org_id, std::string(kGenesisHash)}));
  // The UPDATE row-locks the head on PostgreSQL (SQLite has one writer), so concurrent appends
  // to one org queue here and each sees the previous one's hash.
  QLRF_ASSIGN_OR_RETURN(auto head,
                        tx.Query("UPDATE audit_heads SET seq = seq + 1 WHERE org_id = $1 "
                                 "RETURNING seq, hash",
                                 {e.org_id}));
  QLRF_CHECK(head.rows() == 1, "audit head row vanished inside the transaction");
  e.seq = head.Int(0, 0);
  e.prev_hash = head.Text(0, 1);
  e.hash = ChainHash(e.prev_hash, e);
  QLRF_TRY(tx.Exec("UPDATE audit_heads SET hash = $2 WHERE org_id = $1", {e.org_id, e.hash}));
  QLRF_TRY(tx.Exec("INSERT INTO audit_events (" + std::string(kCols) +
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                   {e.org_id, e.seq, e.id, e.occurred_at, e.actor_type, e.actor_id, e.action,
                    e.target_type, e.target_id, e.request_id, e.summary, e.prev_hash, e.hash}));
  return e;
}

Result<Page<AuditEvent>> AuditStore::List(Transaction& tx, const AuditFilter& f,
                                          const PageRequest& page) {
  QLRF_CHECK(!tx.org_id().empty(), "audit listing is org-scoped");
  Params params{tx.org_id()};
  std::string where = " WHERE org_id = $1";
  auto add = [&](std::string_view clause, SqlValue v) {
    params.Add(std::move(v));
    where += " AND ";
    where += clause;
    where += " $" + std::to_string(params.size());
  };
  if (f.actor_id) {
    add("actor_id =", *f.actor_id);
  }
  if (f.action) {
    if (!f.action->empty() && f.action->back() == '.') {
      add("substr(action, 1, " + std::to_string(f.action->size()) + ") =", *f.action);
    } else {
      add("action =", *f.action);
    }
  }
  if (f.target_type) {
    add("target_type =", *f.target_type);
  }
  if (f.target_id) {
    add("target_id =", *f.target_id);
  }
  if (f.since) {
    add("occurred_at >=", *f.since);
  }
  if (f.until) {
    add("occurred_at <", *f.until);
  }
  if (page.after_key) {
    int64_t before = 0;
    const std::string& k = *page.after_key;
    auto [ptr, ec] = std::from_chars(k.data(), k.data() + k.size(), before);
    if (ec != std::errc() || ptr != k.data() + k.size()) {
      return Fail(FieldError("cursor", "malformed cursor"));
    }
    add("seq <", before);
  }
  params.Add(int64_t{page.limit + 1});
  QLRF_ASSIGN_OR_RETURN(auto r,
                        tx.Query("SELECT " + std::string(kCols) + " FROM audit_events" + where +
                                     " ORDER BY seq DESC LIMIT $" + std::to_string(params.size()),
                                 params));
  std::vector<AuditEvent> items;
  for (size_t i = 0; i < r.rows(); ++i) {
    items.push_back(EventAt(r, i));
  }
  return MakePage(std::move(items), page.limit, [](const AuditEvent& e) {
    return std::pair<std::string, std::string>(std::to_string(e.seq), e.id);
  });
}

Result<AuditVerifyReport> AuditStore::Verify(Transaction& tx) {
  AuditVerifyReport report;
  Params scope;
  std::string where;
  if (!tx.org_id().empty()) {
    scope.Add(tx.org_id());
    where = " WHERE org_id = $1";
  }
  QLRF_ASSIGN_OR_RETURN(
      auto heads,
      tx.Query("SELECT org_id, seq, hash FROM audit_heads" + where + " ORDER BY org_id", scope));
  report.orgs = static_cast<int64_t>(heads.rows());
  constexpr int64_t kBatch = 5000;
  for (size_t h = 0; h < heads.rows() && !report.first_break; ++h) {
    std::string org = heads.Text(h, 0);
    int64_t expected_seq = 1;
    std::string prev(kGenesisHash);
    while (!report.first_break) {
      QLRF_ASSIGN_OR_RETURN(auto rows,
                            tx.Query("SELECT " + std::string(kCols) +
                                         " FROM audit_events WHERE org_id = $1 AND seq >= $2 "
                                         "ORDER BY seq LIMIT $3",
                                     {org, expected_seq, kBatch}));
      for (size_t i = 0; i < rows.rows(); ++i) {
        AuditEvent e = EventAt(rows, i);
        ++report.events;
        auto fail = [&](std::string why) {
          report.first_break = AuditBreak{org, e.seq, std::move(why)};
        };
        if (e.seq != expected_seq) {
          report.first_break = AuditBreak{org, expected_seq, "event missing from the chain"};
        } else if (e.prev_hash != prev) {
          fail("prev_hash does not match the previous event's hash");
        } else if (ChainHash(prev, e) != e.hash) {
          fail("hash does not match the event's contents (row altered)");
        }
        if (report.first_break) {
          break;
        }
        prev = e.hash;
        ++expected_seq;
      }
      if (static_cast<int64_t>(rows.rows()) < kBatch) {
        break;
      }
    }
    if (!report.first_break) {
      int64_t head_seq = heads.Int(h, 1);
      if (head_seq != expected_seq - 1 || heads.Text(h, 2) != prev) {
        report.first_break =
            AuditBreak{org, expected_seq, "chain ends before its recorded head (events deleted)"};
      }
    }
  }
  return report;
}

}  // namespace qlrf::storage
