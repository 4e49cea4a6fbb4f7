// Inventory records: sites, assets (with tags) and DR pairs. Stateless; every method runs in the
// caller's Transaction and is scoped by tx.org_id().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/database.h"
#include "storage/paging.h"

namespace qlrf::storage {

struct Site {
  std::string id;
  std::string org_id;
  std::string name;
  std::string platform;  // aws | azure | gcp | vsphere | k8s | libvirt | baremetal
  std::string region;
  std::string datacenter;
  std::string environment;  // production | staging | development | dr
  std::string created_at;
  std::string updated_at;
};

struct Asset {
  std::string id;
  std::string org_id;
  std::string platform;
  std::string instance_id;
  std::string name;
  std::string environment;
  std::optional<std::string> site_id;
  std::string region;
  std::string state;  // running | stopped | terminated | unknown
  std::string image_ref;
  std::string image_family;
  std::string image_version;
  std::string os;
  std::vector<std::string> ips;
  std::map<std::string, std::string> tags;
  std::string first_seen_at;
  std::string last_seen_at;
  std::string created_at;
  std::string updated_at;
};

struct AssetFilter {
  std::optional<std::string> platform;
  std::optional<std::string> environment;
  std::optional<std::string> site_id;
  std::optional<std::string> state;
  std::optional<std::string> region;
  std::vector<std::pair<std::string, std::string>> tags;  // all must match
  std::optional<std::string> image_family;
  std::optional<std::string> image_version;
  std::optional<bool> drifted;      // against image_family_current
  std::optional<std::string> text;  // substring of name or instance_id
};

// Sortable columns; the id breaks ties so pages are stable.
enum class AssetSortField { kName, kCreatedAt, kLastSeenAt, kInstanceId };
struct AssetSort {
  AssetSortField field = AssetSortField::kName;
  bool descending = false;
};

struct AssetPage {
  std::vector<Asset> items;
  std::optional<std::string> next_cursor;
  int64_t total = 0;  // rows matching the filter
};

struct UpsertStats {
  int64_t created = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t terminated = 0;
};

struct DrPair {
  std::string id;
  std::string org_id;
  std::string name;
  std::string primary_site_id;
  std::string dr_site_id;
  int64_t rpo_seconds = 0;
  int64_t rto_seconds = 0;
  std::string replication_mode;    // sync | async | snapshot | none
  std::string replication_status;  // healthy | lagging | broken | unknown
  std::optional<std::string> last_drill_at;
  std::string created_at;
  std::string updated_at;
};

class InventoryStore {
 public:
  // --- sites
  static Status CreateSite(Transaction& tx, const Site& s);
  static Result<std::optional<Site>> GetSite(Transaction& tx, std::string_view id);
  static Result<Page<Site>> ListSites(Transaction& tx, const PageRequest& page);
  static Status UpdateSite(Transaction& tx, const Site& s);
  static Status DeleteSite(Transaction& tx, std::string_view id);

  // --- assets
  static Status CreateAsset(Transaction& tx, const Asset& a);
  static Result<std::optional<Asset>> GetAsset(Transaction& tx, std::string_view id);
  static Status UpdateAsset(Transaction& tx, const Asset& a);
  static Status DeleteAsset(Transaction& tx, std::string_view id);
  // Filtered, sorted keyset page plus the total count. InvalidArgument (field=cursor) when the
  // cursor was made for another sort.
  static Result<AssetPage> ListAssets(Transaction& tx, const AssetFilter& filter,
                                      const AssetSort& sort, const PageRequest& page);
  // Counts grouped by the named columns (environment, platform, state, site_id, region,
  // image_family); each row is the group's values followed by its count.
  static Result<std::vector<std::pair<std::vector<std::string>, int64_t>>> CountAssets(
      Transaction& tx, const AssetFilter& filter, const std::vector<std::string>& group_by);
  // Upserts by (org, platform, instance_id); new rows take `ids` in order. With
  // `full_sync_site`, running assets of that site absent from the batch become terminated.
  static Result<UpsertStats> UpsertAssets(Transaction& tx, std::vector<Asset>& assets,
                                          const std::optional<std::string>& full_sync_site,
                                          std::string_view now);

  // Inserts new assets (and their tag rows): PostgreSQL COPY, SQLite multi-row statements; for
  // bulk loads of assets known to be new (demo fleets, first imports). AlreadyExists on a
  // duplicate (inside a bulk load: at EndBulkLoad, when the identity index is rebuilt).
  struct BulkLoad;
  static Status InsertAssetsBulk(Transaction& tx, const std::vector<Asset>& assets,
                                 BulkLoad* load = nullptr);

  // Bulk-load mode for filling an org (demo, first import). On SQLite the indexes (all but the
  // primary keys) and rollup triggers of assets and asset_tags are dropped for the load and
  // rebuilt at the end (a sorted index build is several times cheaper than maintaining the
  // indexes row by row), and foreign keys are checked once, over the whole database, at the
  // end; on PostgreSQL the rollup's insert trigger stands aside for the transaction (COPY and
  // the other statement-level triggers are already bulk paths) and End refreshes the planner
  // statistics.
  // On both, the rollup rows of the inserted assets are counted in memory and added at the end;
  // if the org's asset count shows other changes meanwhile, End recomputes the org's rollup
  // with one GROUP BY. Call Begin, then InsertAssetsBulk(…, &load) any number of times, then
  // End, all in one write transaction; nothing else should write assets in between, nor (on
  // SQLite, where foreign keys are unchecked and cascades do not fire until End) any other
  // table. The schema is unchanged if the transaction rolls back (DDL is transactional on both).
  struct BulkLoad {
    // Statements End runs again in order: SQLite's CREATE INDEX/TRIGGER; PostgreSQL's CREATE
    // INDEX and ADD CONSTRAINT (exclusive loads).
    std::vector<std::string> restore;
    int64_t assets_before = 0;         // the org's assets when the load began
    // Rollup rows of the assets inserted through InsertAssetsBulk(…, this): key columns joined
    // by '\x1f' → count.
    std::unordered_map<std::string, int64_t> tally;
    int64_t tallied = 0;
  };
  // `exclusive`: on PostgreSQL also drop the secondary indexes and foreign keys of assets and
  // asset_tags for the load and restore them at End (re-adding a foreign key validates every
  // row), which locks the two tables for every org until the transaction ends — for
  // loads nothing else waits on (qlrf demo). SQLite always does (it has one writer anyway).
  static Result<BulkLoad> BeginBulkLoad(Transaction& tx, bool exclusive = false);
  static Status EndBulkLoad(Transaction& tx, const BulkLoad& load);

  // --- DR pairs
  static Status CreateDrPair(Transaction& tx, const DrPair& p);
  static Result<std::optional<DrPair>> GetDrPair(Transaction& tx, std::string_view id);
  static Result<Page<DrPair>> ListDrPairs(Transaction& tx, const PageRequest& page);
  static Status UpdateDrPair(Transaction& tx, const DrPair& p);
  static Status DeleteDrPair(Transaction& tx, std::string_view id);
};

std::string_view AssetSortColumn(AssetSortField f);

}  // namespace qlrf::storage
