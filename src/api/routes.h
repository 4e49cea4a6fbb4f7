// Route tables per area, and the OpenAPI document generated from the full table.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "api/route.h"
#include "common/metrics.h"
#include "services/identity/identity_service.h"
#include "services/images/image_service.h"
#include "services/inventory/inventory_service.h"
#include "services/policy/policy_service.h"
#include "services/vulns/vuln_service.h"
#include "storage/database.h"

namespace qlrf::api {

std::vector<Route> IdentityRoutes(services::IdentityService& identity);
std::vector<Route> InventoryRoutes(services::InventoryService& inventory);
std::vector<Route> ImageRoutes(services::ImageService& images);
std::vector<Route> VulnRoutes(services::VulnService& vulns);
// /api/v1/policies… and OPA's REST Data API (/v1/data/{path}), answered by `decider`.
std::vector<Route> PolicyRoutes(services::PolicyService& policies,
                                services::PolicyDecider& decider);

// True for request targets that carry SBOM / scanner documents (allowed max_upload_bytes).
bool IsDocumentUpload(std::string_view target);

// A readiness probe of one dependency.
struct DependencyCheck {
  std::string name;
  bool critical = false;
  std::function<Status()> check;
};

struct BuildInfo {
  std::string version;
  std::string git_commit;
  std::string build_time;
  std::string backend;  // sqlite | postgres
};

struct OpsDeps {
  std::vector<DependencyCheck> checks;
  BuildInfo build;
  metrics::Registry* metrics = nullptr;
  // Returns the OpenAPI document text (computed once from the final route table).
  std::function<const std::string&()> openapi;
};

std::vector<Route> OpsRoutes(OpsDeps deps);

// OpenAPI 3.1 document for `routes`.
std::string BuildOpenApi(const std::vector<Route>& routes, const BuildInfo& build);

}  // namespace qlrf::api
