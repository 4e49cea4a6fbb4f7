// Contract tests for policy bundles and the decision log: versions and statuses, tenant
// scoping, and decision filters with keyset pages.
#include "storage/policy_store.h"

#include "storage/identity_store.h"
#include "storage/testing/contract.h"

namespace qlrf::storage::testing {
namespace {

void TwoOrgs(Database& db) {
  ASSERT_TRUE(WithWrite(db, "", [](Transaction& tx) -> Status {
    QLRF_TRY(
        IdentityStore::CreateOrg(tx, Org{"org-a", "a", "a", std::nullopt, "plan_only", "t", "t"}));
    return IdentityStore::CreateOrg(tx,
                                    Org{"org-b", "b", "b", std::nullopt, "plan_only", "t", "t"});
  }));
}

PolicyBundle Bundle(const std::string& name, int64_t version, const std::string& status) {
  PolicyBundle b;
  b.id = name + "-" + std::to_string(version);
  b.name = name;
  b.version = version;
  b.modules_json = R"({"a.rego":"package qlrf.a"})";
  b.packages_json = R"(["qlrf.a"])";
  b.sha256 = "sha-" + std::to_string(version);
  b.status = status;
  b.author_id = "u1";
  b.created_at = b.updated_at = "2026-01-01T00:00:00.000Z";
  return b;
}

TEST_P(StoreContract, PolicyVersionsAndStatusesAreScopedToTheOrg) {
  TwoOrgs(db());
  ASSERT_TRUE(WithWrite(db(), "org-a", [](Transaction& tx) -> Status {
    QLRF_TRY(PolicyStore::InsertBundle(tx, Bundle("gate", 1, "enforced")));
    QLRF_TRY(PolicyStore::InsertBundle(tx, Bundle("gate", 2, "rejected")));
    QLRF_TRY(PolicyStore::InsertBundle(tx, Bundle("gate", 3, "shadow")));
    return PolicyStore::InsertBundle(tx, Bundle("other", 1, "enforced"));
  }));
  // The same (name, version) again is a conflict; another org may use the name.
  auto dup = WithWrite(db(), "org-a", [](Transaction& tx) {
    return PolicyStore::InsertBundle(tx, Bundle("gate", 3, "shadow"));
  });
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  auto b = Bundle("gate", 1, "enforced");
  b.id = "b-gate-1";
  ASSERT_TRUE(
      WithWrite(db(), "org-b", [&](Transaction& tx) { return PolicyStore::InsertBundle(tx, b); }));

  auto a = WithRead(db(), "org-a", [](Transaction& tx) -> Result<std::vector<PolicyHead>> {
    QLRF_ASSIGN_OR_RETURN(auto latest, PolicyStore::LatestVersion(tx, "gate"));
    EXPECT_EQ(latest, 3);
    QLRF_ASSIGN_OR_RETURN(auto versions, PolicyStore::Versions(tx, "gate"));
    EXPECT_EQ(versions.size(), 3u);
    EXPECT_EQ(versions.front().version, 3);
    QLRF_ASSIGN_OR_RETURN(auto names, PolicyStore::Names(tx));
    EXPECT_EQ(names, (std::vector<std::string>{"gate", "other"}));
    return PolicyStore::ActiveHeads(tx);
  });
  ASSERT_TRUE(a) << a.error().ToString();
  ASSERT_EQ(a->size(), 3u);  // gate enforced, gate shadow, other enforced
  EXPECT_EQ((*a)[0].name, "gate");
  EXPECT_EQ((*a)[0].status, "enforced");
  EXPECT_EQ((*a)[1].status, "shadow");

  // Promotion as the service does it: enforced → superseded, shadow version → enforced.
  ASSERT_TRUE(WithWrite(db(), "org-a", [](Transaction& tx) -> Status {
    QLRF_ASSIGN_OR_RETURN(auto n,
                          PolicyStore::SetStatus(tx, "gate", "enforced", "superseded", "t2"));
    EXPECT_EQ(n, 1);
    return PolicyStore::SetVersionStatus(tx, "gate", 3, "enforced", "t2");
  }));
  auto enforced = WithRead(db(), "org-a", [](Transaction& tx) {
    return PolicyStore::BundleInStatus(tx, "gate", "enforced");
  });
  ASSERT_TRUE(enforced && *enforced);
  EXPECT_EQ((*enforced)->version, 3);
  auto missing = WithWrite(db(), "org-a", [](Transaction& tx) {
    return PolicyStore::SetVersionStatus(tx, "gate", 9, "enforced", "t3");
  });
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  // Org B sees only its own version 1, still enforced.
  auto bv =
      WithRead(db(), "org-b", [](Transaction& tx) { return PolicyStore::Versions(tx, "gate"); });
  ASSERT_TRUE(bv);
  ASSERT_EQ(bv->size(), 1u);
  EXPECT_EQ((*bv)[0].status, "enforced");
}

TEST_P(StoreContract, DecisionLogFiltersAndPagesNewestFirst) {
  TwoOrgs(db());
  std::vector<PolicyDecisionRow> rows;
  for (int i = 0; i < 5; ++i) {
    PolicyDecisionRow d;
    d.id = "d" + std::to_string(i);
    d.policy = i < 3 ? "plan_safety" : "image_safety";
    d.path = "qlrf/" + d.policy + "/deny";
    d.input_sha256 = "h";
    d.result_json = i == 4 ? std::nullopt : std::optional<std::string>(R"(["x"])");
    d.denied = i % 2 == 0;
    d.shadow = i == 1;
    d.differs_from_enforced = i == 1;
    d.created_at = "2026-01-01T00:00:0" + std::to_string(i) + ".000Z";
    rows.push_back(d);
  }
  ASSERT_TRUE(WithWrite(db(), "org-a",
                        [&](Transaction& tx) { return PolicyStore::InsertDecisions(tx, rows); }));
  auto list = [&](const std::string& org, DecisionFilter f, PageRequest page = {}) {
    auto r = WithRead(db(), org,
                      [&](Transaction& tx) { return PolicyStore::ListDecisions(tx, f, page); });
    EXPECT_TRUE(r) << r.error().ToString();
    return r ? *r : Page<PolicyDecisionRow>{};
  };
  auto all = list("org-a", {});
  ASSERT_EQ(all.items.size(), 5u);
  EXPECT_EQ(all.items[0].id, "d4");
  EXPECT_FALSE(all.items[0].result_json.has_value());
  EXPECT_EQ(list("org-a", {.policy = "plan_safety"}).items.size(), 3u);
  EXPECT_EQ(list("org-a", {.denied = true}).items.size(), 3u);
  auto shadow = list("org-a", {.shadow = true}).items;
  ASSERT_EQ(shadow.size(), 1u);
  EXPECT_TRUE(shadow[0].differs_from_enforced);
  EXPECT_EQ(list("org-a", {.since = "2026-01-01T00:00:03.000Z"}).items.size(), 2u);
  EXPECT_TRUE(list("org-b", {}).items.empty());

  auto first = list("org-a", {}, PageRequest{2, std::nullopt, std::nullopt});
  ASSERT_EQ(first.items.size(), 2u);
  ASSERT_TRUE(first.next_cursor);
  auto req = DecodeCursor(*first.next_cursor, 2);
  ASSERT_TRUE(req);
  auto second = list("org-a", {}, *req);
  ASSERT_EQ(second.items.size(), 2u);
  EXPECT_EQ(second.items[0].id, "d2");
}

}  // namespace
}  // namespace qlrf::storage::testing
