// `qlrf demo`: a realistic, deterministic fleet — sites on every platform, image families with
// version chains and lineage, assets across environments with a share on older versions (so
// drift exists, days to months old), tags and DR pairs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "services/audit/auditor.h"
#include "storage/database.h"

namespace qlrf::services {

struct DemoOptions {
  int64_t assets = 10000;  // total, spread over the orgs
  int orgs = 1;            // "default" plus demo-2 … demo-K
  uint64_t seed = 42;
  bool if_empty = false;  // do nothing when the first org already has assets
};

struct DemoSummary {
  bool skipped = false;
  int orgs = 0;
  int64_t sites = 0;
  int64_t families = 0;
  int64_t images = 0;
  int64_t assets = 0;
  int64_t drifted = 0;
  int64_t dr_pairs = 0;
  double seconds = 0;
};

using DemoProgress = std::function<void(int64_t assets_done, int64_t assets_total)>;

// Writes the fleet, one transaction per org. InvalidArgument for out-of-range options
// (assets 0..10,000,000; orgs 1..100).
Result<DemoSummary> GenerateDemo(storage::Database& db, const Clock& clock,
                                 const DemoOptions& options, const DemoProgress& progress);

}  // namespace qlrf::services
