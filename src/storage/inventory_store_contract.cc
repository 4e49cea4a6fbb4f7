// Contract tests for InventoryStore on every backend: the asset rollup stays exact through
// inserts, bulk loads, updates, full-sync terminations, deletes and site deletion.
#include "storage/inventory_store.h"

#include "storage/identity_store.h"
#include "storage/testing/contract.h"

namespace qlrf::storage::testing {
namespace {

constexpr std::string_view kT = "2026-01-01T00:00:00.000Z";

Asset MakeAsset(int i, std::optional<std::string> site) {
  Asset a;
  a.id = "00000000-0000-4000-8000-" + std::string(12 - std::to_string(i).size(), '0') +
         std::to_string(i);
  a.platform = i % 2 ? "aws" : "gcp";
  a.instance_id = "i-" + std::to_string(i);
  a.name = "n" + std::to_string(i);
  a.environment = i % 3 ? "production" : "staging";
  a.site_id = std::move(site);
  a.state = "running";
  a.image_family = "f";
  a.image_version = std::to_string(i % 4);
  a.tags = {{"k", std::to_string(i % 2)}};
  a.first_seen_at = a.last_seen_at = a.created_at = a.updated_at = std::string(kT);
  return a;
}

// Rollup groups must equal a GROUP BY over the assets themselves.
void ExpectRollupExact(Database& db) {
  auto st = WithRead(db, "org-a", [](Transaction& tx) -> Status {
    QLRF_ASSIGN_OR_RETURN(
        auto want, tx.Query("SELECT environment, platform, state, COALESCE(site_id, ''), region, "
                            "image_family, image_version, count(*) FROM assets WHERE org_id = $1 "
                            "GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7",
                            {tx.org_id()}));
    QLRF_ASSIGN_OR_RETURN(
        auto got, tx.Query("SELECT environment, platform, state, site_id, region, image_family, "
                           "image_version, n FROM asset_rollup WHERE org_id = $1 AND n > 0 "
                           "ORDER BY 1, 2, 3, 4, 5, 6, 7",
                           {tx.org_id()}));
    EXPECT_EQ(want.rows(), got.rows());
    for (size_t i = 0; i < std::min(want.rows(), got.rows()); ++i) {
      for (size_t c = 0; c < 8; ++c) {
        EXPECT_EQ(want.Text(i, c), got.Text(i, c)) << "row " << i << " column " << c;
      }
    }
    return Ok();
  });
  ASSERT_TRUE(st) << st.error().ToString();
}

TEST_P(StoreContract, AssetRollupStaysExact) {
  ASSERT_TRUE(WithWrite(db(), "", [](Transaction& tx) {
    return IdentityStore::CreateOrg(
        tx, Org{"org-a", "a", "a", std::nullopt, "plan_only", std::string(kT), std::string(kT)});
  }));
  std::string site = "00000000-0000-4000-8000-00000000a001";
  auto loaded = WithWrite(db(), "org-a", [&](Transaction& tx) -> Status {
    QLRF_TRY(InventoryStore::CreateSite(
        tx, Site{site, "", "s", "aws", "r", "", "production", std::string(kT), std::string(kT)}));
    std::vector<Asset> bulk;
    // More than one multi-row statement on SQLite; one COPY on PostgreSQL.
    for (int i = 0; i < 650; ++i) {
      bulk.push_back(MakeAsset(i, i % 5 ? std::optional<std::string>(site) : std::nullopt));
    }
    QLRF_TRY(InventoryStore::InsertAssetsBulk(tx, bulk));
    return InventoryStore::CreateAsset(tx, MakeAsset(5000, site));
  });
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  ExpectRollupExact(db());
  ASSERT_TRUE(WithWrite(db(), "org-a", [&](Transaction& tx) -> Status {
    QLRF_ASSIGN_OR_RETURN(auto a, InventoryStore::GetAsset(tx, MakeAsset(7, {}).id));
    a->state = "stopped";
    a->image_version = "9";
    QLRF_TRY(InventoryStore::UpdateAsset(tx, *a));
    QLRF_TRY(InventoryStore::DeleteAsset(tx, MakeAsset(8, {}).id));
    std::vector<Asset> seen = {MakeAsset(1, site), MakeAsset(2, site)};
    QLRF_TRY(InventoryStore::UpsertAssets(tx, seen, site, "2026-02-01T00:00:00.000Z"));
    return Ok();
  }));
  ExpectRollupExact(db());
  ASSERT_TRUE(WithWrite(db(), "org-a", [&](Transaction& tx) {
    return InventoryStore::DeleteSite(tx, site);  // assets keep their rows, without a site
  }));
  ExpectRollupExact(db());
  auto counts = WithRead(db(), "org-a", [](Transaction& tx) {
    return InventoryStore::CountAssets(tx, AssetFilter{}, {"state"});
  });
  ASSERT_TRUE(counts);
  int64_t total = 0;
  for (const auto& [key, n] : *counts) total += n;
  EXPECT_EQ(total, 650);  // 651 created, one deleted
}

TEST_P(StoreContract, BulkLoadModeRestoresIndexesAndKeepsTheRollupExact) {
  ASSERT_TRUE(WithWrite(db(), "", [](Transaction& tx) {
    return IdentityStore::CreateOrg(
        tx, Org{"org-a", "a", "a", std::nullopt, "plan_only", std::string(kT), std::string(kT)});
  }));
  auto schema = [&] {
    return WithRead(db(), "", [](Transaction& tx) -> Result<std::string> {
      QLRF_ASSIGN_OR_RETURN(
          auto r, tx.Query(tx.dialect() == Dialect::kSqlite
                               ? "SELECT name, sql FROM sqlite_master WHERE tbl_name IN "
                                 "('assets', 'asset_tags') ORDER BY name"
                               : "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
                                 "('assets', 'asset_tags') AND schemaname = current_schema() "
                                 "UNION ALL SELECT tgname, pg_get_triggerdef(oid) FROM "
                                 "pg_trigger WHERE NOT tgisinternal AND tgrelid IN "
                                 "('assets'::regclass, 'asset_tags'::regclass) UNION ALL "
                                 "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                                 "WHERE conrelid IN ('assets'::regclass, 'asset_tags'::regclass) "
                                 "ORDER BY 1",
                           {}));
      std::string out;
      for (size_t i = 0; i < r.rows(); ++i) out += r.Text(i, 0) + ":" + r.Text(i, 1) + "\n";
      return out;
    });
  };
  auto before = schema();
  ASSERT_TRUE(before);
  EXPECT_NE(before->find("assets_by_name"), std::string::npos);
  EXPECT_NE(before->find("assets_identity"), std::string::npos);
  // Assets [from, to) in one bulk load; `other_write` also creates one asset the ordinary way
  // inside the load (triggers off, not tallied), which makes End recompute the org's rollup.
  auto load = [&](int from, int to, bool exclusive, bool other_write) {
    auto st = WithWrite(db(), "org-a", [&](Transaction& tx) -> Status {
      QLRF_ASSIGN_OR_RETURN(auto bulk_load, InventoryStore::BeginBulkLoad(tx, exclusive));
      std::vector<Asset> bulk;
      for (int i = from; i < to; ++i) bulk.push_back(MakeAsset(i, std::nullopt));
      QLRF_TRY(InventoryStore::InsertAssetsBulk(tx, bulk, &bulk_load));
      if (other_write) QLRF_TRY(InventoryStore::CreateAsset(tx, MakeAsset(8000, std::nullopt)));
      return InventoryStore::EndBulkLoad(tx, bulk_load);
    });
    ASSERT_TRUE(st) << st.error().ToString();
    ExpectRollupExact(db());
  };
  // An asset naming a site that does not exist fails the load (the foreign key is checked at
  // End: SQLite's foreign_key_check, PostgreSQL's re-added constraint) and nothing stays behind.
  auto dangling = WithWrite(db(), "org-a", [&](Transaction& tx) -> Status {
    QLRF_ASSIGN_OR_RETURN(auto bulk_load, InventoryStore::BeginBulkLoad(tx, true));
    std::vector<Asset> bulk{MakeAsset(1, std::nullopt), MakeAsset(2, std::string("no-such-site"))};
    QLRF_TRY(InventoryStore::InsertAssetsBulk(tx, bulk, &bulk_load));
    return InventoryStore::EndBulkLoad(tx, bulk_load);
  });
  ASSERT_FALSE(dangling);
  EXPECT_EQ(dangling.error().code, ErrorCode::kFailedPrecondition) << dangling.error().ToString();
  auto none = WithRead(db(), "org-a", [](Transaction& tx) {
    return tx.Query("SELECT count(*) FROM assets", {});
  });
  ASSERT_TRUE(none);
  EXPECT_EQ(none->Int(0, 0), 0);
  EXPECT_EQ(*schema(), *before);
  // Two assets with one identity (org, platform, instance id): the identity index is rebuilt at
  // End and refuses them; nothing stays.
  auto twice = WithWrite(db(), "org-a", [&](Transaction& tx) -> Status {
    QLRF_ASSIGN_OR_RETURN(auto bulk_load, InventoryStore::BeginBulkLoad(tx, true));
    std::vector<Asset> bulk{MakeAsset(1, std::nullopt), MakeAsset(3, std::nullopt)};
    bulk[1].instance_id = bulk[0].instance_id;
    QLRF_TRY(InventoryStore::InsertAssetsBulk(tx, bulk, &bulk_load));
    return InventoryStore::EndBulkLoad(tx, bulk_load);
  });
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kAlreadyExists) << twice.error().ToString();
  EXPECT_EQ(*schema(), *before);
  load(0, 400, /*exclusive=*/true, /*other_write=*/false);
  load(400, 700, false, true);  // a second load adds to the org's rollup
  load(700, 900, false, false);
  auto after = schema();
  ASSERT_TRUE(after);
  EXPECT_EQ(*before, *after);
  // Triggers are back: a later insert keeps the rollup exact.
  ASSERT_TRUE(WithWrite(db(), "org-a", [&](Transaction& tx) {
    return InventoryStore::CreateAsset(tx, MakeAsset(9000, std::nullopt));
  }));
  ExpectRollupExact(db());
}

}  // namespace
}  // namespace qlrf::storage::testing
