// Runs the store contract suite on SQLite: in memory and on a WAL file with a reader pool.
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "common/clock.h"
#include "storage/identity_store.h"
#include "storage/inventory_store.h"
#include "storage/migrations.h"
#include "storage/sqlite/sqlite_database.h"
#include "storage/testing/contract.h"

namespace qlrf::storage::testing {
namespace {

std::unique_ptr<Database> Migrated(std::unique_ptr<SqliteDatabase> db) {
  auto report = Migrate(*db, SystemClock().Now());
  if (!report) {
    ADD_FAILURE() << report.error().ToString();
    return nullptr;
  }
  return db;
}

std::unique_ptr<Database> MakeMemory() {
  auto db = SqliteDatabase::Open(SqliteOptions{":memory:"});
  if (!db) {
    ADD_FAILURE() << db.error().ToString();
    return nullptr;
  }
  return Migrated(std::move(*db));
}

std::unique_ptr<Database> MakeFile() {
  static int counter = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("qlrf-sqlite-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  SqliteOptions o;
  o.path = (dir / "test.db").string();
  o.readers = 2;
  auto db = SqliteDatabase::Open(o);
  if (!db) {
    ADD_FAILURE() << db.error().ToString();
    return nullptr;
  }
  return Migrated(std::move(*db));
}

constexpr std::string_view kT = "2026-01-01T00:00:00.000Z";

Asset TaggedAsset(int i, std::string site) {
  Asset a;
  a.id = "00000000-0000-4000-8000-00000000000" + std::to_string(i);
  a.platform = "aws";
  a.instance_id = "i-" + std::to_string(i);
  a.name = "n" + std::to_string(i);
  a.environment = "production";
  a.site_id = std::move(site);
  a.state = "running";
  a.image_family = "f";
  a.image_version = "1";
  a.tags = {{"team", "t" + std::to_string(i)}, {"tier", "web"}};
  a.first_seen_at = a.last_seen_at = a.created_at = a.updated_at = std::string(kT);
  return a;
}

Status CreateOrgA(Database& db) {
  return WithWrite(db, "", [](Transaction& tx) {
    return IdentityStore::CreateOrg(
        tx, Org{"org-a", "a", "a", std::nullopt, "plan_only", std::string(kT), std::string(kT)});
  });
}

Result<int64_t> Count(Database& db, const std::string& sql) {
  return WithRead(db, "", [&](Transaction& tx) -> Result<int64_t> {
    QLRF_ASSIGN_OR_RETURN(auto r, tx.Query(sql, {}));
    return r.Int(0, 0);
  });
}

// Migration 0015 rebuilds the assets table (its identity constraint becomes a named unique
// index) with foreign-key checks off: the children and the rollup of existing assets survive,
// and the rebuilt table behaves as before (upserts, uniqueness, cascades).
TEST(SqliteMigration, AssetIdentityIndexKeepsExistingAssetsAndTheirTags) {
  auto opened = SqliteDatabase::Open(SqliteOptions{":memory:"});
  ASSERT_TRUE(opened);
  Database& db = **opened;
  ASSERT_TRUE(Migrate(db, SystemClock().Now(), "0014"));
  ASSERT_TRUE(CreateOrgA(db));
  const std::string site = "00000000-0000-4000-8000-00000000a001";
  auto seeded = WithWrite(db, "org-a", [&](Transaction& tx) -> Status {
    QLRF_TRY(InventoryStore::CreateSite(
        tx, Site{site, "", "s", "aws", "r", "", "production", std::string(kT), std::string(kT)}));
    for (int i = 1; i <= 3; ++i) QLRF_TRY(InventoryStore::CreateAsset(tx, TaggedAsset(i, site)));
    return Ok();
  });
  ASSERT_TRUE(seeded) << seeded.error().ToString();

  auto report = Migrate(db, SystemClock().Now());
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_NE(std::find(report->applied.begin(), report->applied.end(),
                      "0015_asset_identity_index"),
            report->applied.end());
  EXPECT_EQ(*Count(db, "SELECT count(*) FROM assets"), 3);
  EXPECT_EQ(*Count(db, "SELECT count(*) FROM asset_tags"), 6);
  EXPECT_EQ(*Count(db, "SELECT sum(n) FROM asset_rollup"), 3);
  EXPECT_EQ(*Count(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
  EXPECT_EQ(*Count(db, "SELECT count(*) FROM sqlite_master WHERE name = 'assets_identity'"), 1);
  EXPECT_EQ(*Count(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_assets%'"),
            1);  // the primary key's
  EXPECT_EQ(*Count(db, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
                       "'assets'"),
            3);
  auto view = Count(db, "SELECT count(*) FROM v_image_deployment_summary");  // still resolves
  EXPECT_TRUE(view) << view.error().ToString();

  auto st = WithWrite(db, "org-a", [&](Transaction& tx) -> Status {
    // Upsert by identity still finds the existing row.
    std::vector<Asset> again{TaggedAsset(1, site)};
    again[0].id = "00000000-0000-4000-8000-000000000099";
    again[0].state = "stopped";
    QLRF_ASSIGN_OR_RETURN(auto stats, InventoryStore::UpsertAssets(tx, again, std::nullopt, kT));
    EXPECT_EQ(stats.updated, 1);
    EXPECT_EQ(stats.created, 0);
    // A second asset with the same identity is refused.
    Asset dup = TaggedAsset(4, site);
    dup.instance_id = "i-2";
    auto created = InventoryStore::CreateAsset(tx, dup);
    EXPECT_FALSE(created);
    if (!created) {
      EXPECT_EQ(created.error().code, ErrorCode::kAlreadyExists);
    }
    return Ok();
  });
  ASSERT_TRUE(st) << st.error().ToString();
  // Foreign keys are enforced again: deleting an asset cascades to its tags, an orphan tag fails.
  ASSERT_TRUE(WithWrite(db, "org-a", [&](Transaction& tx) -> Status {
    return InventoryStore::DeleteAsset(tx, "00000000-0000-4000-8000-000000000003");
  }));
  EXPECT_EQ(*Count(db, "SELECT count(*) FROM asset_tags"), 4);
  EXPECT_EQ(*Count(db, "SELECT sum(n) FROM asset_rollup"), 2);
  auto orphan = WithWrite(db, "org-a", [](Transaction& tx) {
    return tx.Exec("INSERT INTO asset_tags (org_id, asset_id, key, value) VALUES ('org-a', "
                   "'no-such-asset', 'k', 'v')",
                   {});
  });
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().code, ErrorCode::kFailedPrecondition);
}

// Migration 0016 rebuilds sbom_imports so its kind may be 'vex': earlier imports stay, with their
// index, an OpenVEX import can be recorded, a kind outside the three is still refused, and
// deleting the image still cascades.
TEST(SqliteMigration, VexImportKindKeepsEarlierImports) {
  auto opened = SqliteDatabase::Open(SqliteOptions{":memory:"});
  ASSERT_TRUE(opened);
  Database& db = **opened;
  ASSERT_TRUE(Migrate(db, SystemClock().Now(), "0015"));
  ASSERT_TRUE(CreateOrgA(db));
  auto import_of_kind = [&](std::string id, std::string kind) {
    return WithWrite(db, "org-a", [&](Transaction& tx) {
      return tx.Exec(
          "INSERT INTO sbom_imports (id, org_id, image_id, kind, format, digest, actor_id, "
          "imported_at) VALUES ($1, 'org-a', 'img', $2, 'trivy', 'd', 'a', $3)",
          {id, kind, std::string(kT)});
    });
  };
  ASSERT_TRUE(WithWrite(db, "org-a", [&](Transaction& tx) -> Status {
    QLRF_TRY(
        tx.Exec("INSERT INTO golden_image_families (id, org_id, name, created_at, "
                "updated_at) VALUES ('fam', 'org-a', 'f', $1, $1)",
                {std::string(kT)}));
    QLRF_TRY(
        tx.Exec("INSERT INTO images (id, org_id, family_id, family, version, status, "
                "created_at, updated_at) VALUES ('img', 'org-a', 'fam', 'f', '1', 'draft', "
                "$1, $1)",
                {std::string(kT)}));
    return Ok();
  }));
  ASSERT_TRUE(import_of_kind("scan-1", "scan"));
  ASSERT_FALSE(import_of_kind("vex-0", "vex"));  // the bug 0016 mends

  auto report = Migrate(db, SystemClock().Now());
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_NE(std::find(report->applied.begin(), report->applied.end(), "0016_vex_imports"),
            report->applied.end());
  EXPECT_EQ(*Count(db, "SELECT count(*) FROM sbom_imports WHERE id = 'scan-1'"), 1);
  EXPECT_EQ(*Count(db, "SELECT count(*) FROM sqlite_master WHERE name = 'sbom_imports_image'"), 1);
  EXPECT_TRUE(import_of_kind("vex-1", "vex"));
  auto bogus = import_of_kind("x-1", "report");
  ASSERT_FALSE(bogus);
  EXPECT_EQ(*Count(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
  ASSERT_TRUE(WithWrite(db, "org-a", [](Transaction& tx) {
    return tx.Exec("DELETE FROM images WHERE id = 'img'", {});
  }));
  EXPECT_EQ(*Count(db, "SELECT count(*) FROM sbom_imports"), 0);
}

// A bulk load leaves foreign keys unchecked until End for every table, so End checks every
// table: a row written elsewhere in the meantime that points nowhere fails the load.
TEST(SqliteBulkLoad, EndChecksForeignKeysOfEveryTable) {
  auto db = MakeMemory();
  ASSERT_TRUE(db);
  ASSERT_TRUE(CreateOrgA(*db));
  auto load = WithWrite(*db, "org-a", [&](Transaction& tx) -> Status {
    QLRF_ASSIGN_OR_RETURN(auto bulk, InventoryStore::BeginBulkLoad(tx, true));
    Asset a = TaggedAsset(1, "");
    a.site_id.reset();
    QLRF_TRY(InventoryStore::InsertAssetsBulk(tx, {a}, &bulk));
    QLRF_TRY(tx.Exec("INSERT INTO dr_pairs (id, org_id, name, primary_site_id, dr_site_id, "
                     "rpo_seconds, rto_seconds, replication_mode, created_at, updated_at) VALUES "
                     "('p', 'org-a', 'p', 'nowhere', 'nowhere', 60, 60, 'async', 'x', 'x')",
                     {}));
    return InventoryStore::EndBulkLoad(tx, bulk);
  });
  ASSERT_FALSE(load);
  EXPECT_EQ(load.error().code, ErrorCode::kFailedPrecondition) << load.error().ToString();
  EXPECT_NE(load.error().message.find("dr_pairs"), std::string::npos) << load.error().message;
  EXPECT_EQ(*Count(*db, "SELECT count(*) FROM assets"), 0);
  EXPECT_EQ(*Count(*db, "SELECT count(*) FROM dr_pairs"), 0);
}

// Foreign-key checks switched off inside a transaction come back on when it ends, committed or
// not.
TEST(SqliteTransaction, ForeignKeyChecksComeBackOnWhenTheTransactionEnds) {
  auto db = MakeMemory();
  ASSERT_TRUE(db);
  ASSERT_TRUE(CreateOrgA(*db));
  const char* orphan =
      "INSERT INTO asset_tags (org_id, asset_id, key, value) VALUES ('org-a', 'nope', 'k', 'v')";
  {
    auto tx = db->Begin(TxMode::kWrite, "org-a");
    ASSERT_TRUE(tx);
    ASSERT_TRUE((*tx)->SetForeignKeyChecks(false));
    ASSERT_TRUE((*tx)->Exec(orphan, {}));
    auto broken = (*tx)->Query("PRAGMA foreign_key_check(asset_tags)", {});
    ASSERT_TRUE(broken);
    EXPECT_EQ(broken->rows(), 1u);
    auto resumed = (*tx)->SetForeignKeyChecks(true);  // validates first: refused
    ASSERT_FALSE(resumed);
    EXPECT_EQ(resumed.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(resumed.error().message.find("asset_tags"), std::string::npos);
  }  // rolled back
  auto after_rollback = WithWrite(*db, "org-a", [&](Transaction& tx) { return tx.Exec(orphan, {}); });
  ASSERT_FALSE(after_rollback);
  EXPECT_EQ(after_rollback.error().code, ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(WithWrite(*db, "org-a", [&](Transaction& tx) -> Status {
    QLRF_TRY(tx.SetForeignKeyChecks(false));
    return Ok();  // committed with checks off
  }));
  auto after_commit = WithWrite(*db, "org-a", [&](Transaction& tx) { return tx.Exec(orphan, {}); });
  ASSERT_FALSE(after_commit);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract,
                         ::testing::Values(BackendFactory{"memory", MakeMemory},
                                           BackendFactory{"wal_file", MakeFile}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace qlrf::storage::testing
