// Inventory use cases: sites, assets (CRUD, filtered lists, grouped counts, bulk upsert with
// full-sync termination) and DR pairs; validation and audit live here.
#pragma once

#include <boost/json/fwd.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "services/audit/auditor.h"
#include "services/context.h"
#include "storage/database.h"
#include "storage/inventory_store.h"

namespace qlrf::services {

struct BulkUpsertRequest {
  std::vector<storage::Asset> assets;
  std::optional<std::string> full_sync_site;  // mark this site's unseen assets terminated
};

struct ResilienceSummary {
  int64_t pairs = 0;
  int64_t healthy = 0;
  int64_t lagging = 0;
  int64_t broken = 0;
  int64_t unknown = 0;
  int64_t never_drilled = 0;
  int64_t sites = 0;
  int64_t dr_sites = 0;
};

// Validates one asset's fields; InvalidArgument naming the field (prefix e.g. "assets[3].").
Status ValidateAsset(const storage::Asset& a, std::string_view prefix);
// Parses an asset from JSON (API body, NDJSON line, import file); unknown members rejected.
Result<storage::Asset> AssetFromJson(const boost::json::value& v, std::string_view prefix);

// Thread-safe.
class InventoryService {
 public:
  InventoryService(storage::Database& db, Auditor& auditor, const Clock& clock, Random& random)
      : db_(db), auditor_(auditor), clock_(clock), random_(random) {}

  // Sites.
  Result<storage::Site> CreateSite(const RequestContext& ctx, storage::Site site);
  Result<storage::Site> GetSite(const RequestContext& ctx, std::string_view id);
  Result<storage::Page<storage::Site>> ListSites(const RequestContext& ctx,
                                                 const storage::PageRequest& page);
  Status DeleteSite(const RequestContext& ctx, std::string_view id);

  // Assets.
  Result<storage::Asset> CreateAsset(const RequestContext& ctx, storage::Asset asset);
  Result<storage::Asset> GetAsset(const RequestContext& ctx, std::string_view id);
  // Applies the members present in `patch` (a JSON object) to the asset.
  Result<storage::Asset> PatchAsset(const RequestContext& ctx, std::string_view id,
                                    const boost::json::object& patch);
  Status DeleteAsset(const RequestContext& ctx, std::string_view id);
  Result<storage::AssetPage> ListAssets(const RequestContext& ctx,
                                        const storage::AssetFilter& filter,
                                        const storage::AssetSort& sort,
                                        const storage::PageRequest& page);
  Result<std::vector<std::pair<std::vector<std::string>, int64_t>>> CountAssets(
      const RequestContext& ctx, const storage::AssetFilter& filter,
      const std::vector<std::string>& group_by);
  // One transaction: every row valid or nothing is written (InvalidArgument naming the index).
  Result<storage::UpsertStats> BulkUpsert(const RequestContext& ctx, BulkUpsertRequest request);

  // DR pairs and the resilience summary.
  Result<storage::DrPair> CreateDrPair(const RequestContext& ctx, storage::DrPair pair);
  Result<storage::DrPair> GetDrPair(const RequestContext& ctx, std::string_view id);
  Result<storage::Page<storage::DrPair>> ListDrPairs(const RequestContext& ctx,
                                                     const storage::PageRequest& page);
  Result<storage::DrPair> PatchDrPair(const RequestContext& ctx, std::string_view id,
                                      const boost::json::object& patch);
  Status DeleteDrPair(const RequestContext& ctx, std::string_view id);
  Result<ResilienceSummary> Resilience(const RequestContext& ctx);

 private:
  std::string Now() const { return FormatTime(clock_.Now()); }

  storage::Database& db_;
  Auditor& auditor_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace qlrf::services
