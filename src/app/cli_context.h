// What one-shot CLI commands share: the services over the configured database, acting as the
// CLI operator inside one org (audited as actor "cli").
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/config.h"
#include "common/random.h"
#include "services/audit/auditor.h"
#include "services/identity/identity_service.h"
#include "services/images/image_service.h"
#include "services/inventory/inventory_service.h"
#include "services/vulns/vuln_service.h"
#include "storage/database.h"

namespace qlrf::app {

// Not thread-safe; one per CLI invocation.
struct CliContext {
  SystemClock clock;
  SystemRandom random;
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<services::SessionTokens> sessions;
  std::unique_ptr<services::Authenticator> auth;
  std::unique_ptr<services::Auditor> auditor;
  std::unique_ptr<services::IdentityService> identity;
  std::unique_ptr<services::InventoryService> inventory;
  std::unique_ptr<services::ImageService> images;
  std::unique_ptr<services::VulnService> vulns;

  // Opens and migrates the database, builds the services, bootstraps an empty installation.
  // `bulk_load`: the command writes in bulk (qlrf demo; see OpenDatabase).
  Status Open(const Config& config, bool bulk_load = false);
  // A request context for the CLI operator in the org named by slug or id.
  Result<services::RequestContext> As(const std::string& org_ref);
};

// "qlrf: <message>" on stderr; returns exit code 1.
int Failure(const std::string& message);

// The bytes of `path`, or of stdin for "-". NotFound when it cannot be read.
Result<std::string> ReadInput(const std::string& path);

}  // namespace qlrf::app
