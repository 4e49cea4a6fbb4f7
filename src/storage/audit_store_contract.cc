// Contract tests for the audit chain: append, filter, verify, and tamper detection.
#include "storage/audit_store.h"

#include "storage/identity_store.h"
#include "storage/testing/contract.h"

namespace qlrf::storage::testing {
namespace {

AuditEvent Event(const std::string& org, int i, std::string action) {
  AuditEvent e;
  e.id = org + "-ev-" + std::to_string(i);
  e.occurred_at = "2026-01-01T00:00:0" + std::to_string(i % 10) + ".000Z";
  e.actor_type = "user";
  e.actor_id = "u1";
  e.action = std::move(action);
  e.target_type = "project";
  e.target_id = "p" + std::to_string(i);
  e.request_id = "req-" + std::to_string(i);
  e.summary = R"({"after":{"name":"x"}})";
  return e;
}

void AppendEvents(Database& db, std::string org, int n) {
  for (int i = 0; i < n; ++i) {
    auto r = WithWrite(db, org, [&](Transaction& tx) {
      return AuditStore::Append(tx,
                                Event(org, i, i % 2 == 0 ? "project.create" : "project.delete"));
    });
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(r->seq, i + 1);
  }
}

TEST_P(StoreContract, AuditChainVerifiesAndDetectsTampering) {
  ASSERT_TRUE(WithWrite(db(), "", [](Transaction& tx) -> Status {
    QLRF_TRY(
        IdentityStore::CreateOrg(tx, Org{"org-a", "a", "a", std::nullopt, "plan_only", "t", "t"}));
    return IdentityStore::CreateOrg(tx,
                                    Org{"org-b", "b", "b", std::nullopt, "plan_only", "t", "t"});
  }));
  AppendEvents(db(), "org-a", 6);
  AppendEvents(db(), "org-b", 3);
  auto ok = WithRead(db(), "", [](Transaction& tx) { return AuditStore::Verify(tx); });
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->orgs, 2);
  EXPECT_EQ(ok->events, 9);
  EXPECT_FALSE(ok->first_break.has_value());

  // Someone with database access rewrites history.
  ASSERT_TRUE(WithWrite(db(), "", [](Transaction& tx) -> Status {
    QLRF_TRY(
        tx.Exec("UPDATE audit_events SET action = 'project.read' "
                "WHERE org_id = 'org-a' AND seq = 4",
                {}));
    return Ok();
  }));
  auto bad = WithRead(db(), "", [](Transaction& tx) { return AuditStore::Verify(tx); });
  ASSERT_TRUE(bad);
  ASSERT_TRUE(bad->first_break.has_value());
  EXPECT_EQ(bad->first_break->org_id, "org-a");
  EXPECT_EQ(bad->first_break->seq, 4);
}

TEST_P(StoreContract, AuditDetectsDeletedTail) {
  ASSERT_TRUE(WithWrite(db(), "", [](Transaction& tx) {
    return IdentityStore::CreateOrg(tx,
                                    Org{"org-a", "a", "a", std::nullopt, "plan_only", "t", "t"});
  }));
  AppendEvents(db(), "org-a", 5);
  ASSERT_TRUE(WithWrite(db(), "", [](Transaction& tx) -> Status {
    QLRF_TRY(tx.Exec("DELETE FROM audit_events WHERE seq = 5", {}));
    return Ok();
  }));
  auto bad = WithRead(db(), "", [](Transaction& tx) { return AuditStore::Verify(tx); });
  ASSERT_TRUE(bad);
  ASSERT_TRUE(bad->first_break.has_value());
  EXPECT_EQ(bad->first_break->seq, 5);
}

TEST_P(StoreContract, AuditListFiltersAndPagesNewestFirst) {
  ASSERT_TRUE(WithWrite(db(), "", [](Transaction& tx) {
    return IdentityStore::CreateOrg(tx,
                                    Org{"org-a", "a", "a", std::nullopt, "plan_only", "t", "t"});
  }));
  AppendEvents(db(), "org-a", 7);
  PageRequest req;
  req.limit = 2;
  AuditFilter f;
  f.action = "project.create";  // seq 1,3,5,7
  std::vector<int64_t> seqs;
  for (int guard = 0; guard < 5; ++guard) {
    auto page =
        WithRead(db(), "org-a", [&](Transaction& tx) { return AuditStore::List(tx, f, req); });
    ASSERT_TRUE(page) << page.error().ToString();
    for (const auto& e : page->items) {
      seqs.push_back(e.seq);
    }
    if (!page->next_cursor) {
      break;
    }
    req = *DecodeCursor(*page->next_cursor, 2);
  }
  EXPECT_EQ(seqs, (std::vector<int64_t>{7, 5, 3, 1}));
  AuditFilter prefix;
  prefix.action = "project.";
  auto all = WithRead(db(), "org-a",
                      [&](Transaction& tx) { return AuditStore::List(tx, prefix, PageRequest{}); });
  ASSERT_TRUE(all);
  EXPECT_EQ(all->items.size(), 7u);
}

}  // namespace
}  // namespace qlrf::storage::testing
