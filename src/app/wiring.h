// Builds every concrete object from the Config: the only place that does (STYLE.md §5).
#pragma once

#include <memory>
#include <string>

#include "common/config.h"
#include "common/result.h"
#include "storage/database.h"

namespace qlrf::app {

// RF_DB_POOL_SIZE, or 2 × cores (at least 4) when it is 0: PostgreSQL connections, SQLite
// reader connections.
int DatabasePoolSize(const Config& config);

// Opens the database named by the config (sqlite:///path or postgres://…) and migrates it.
// `bulk_load`: for a one-shot bulk writer (see SqliteOptions::bulk_load; no effect on PostgreSQL).
Result<std::unique_ptr<storage::Database>> OpenDatabase(const Config& config, bool migrate,
                                                        bool bulk_load = false);

struct ServeOptions {
  std::string role = "all";  // all | api | worker | orchestrator
};

// Runs the server until SIGTERM/SIGINT, then drains. Returns the process exit code.
int Serve(const Config& config, const ServeOptions& options);

}  // namespace qlrf::app
