// Records audit events inside the caller's write transaction, so a change and its audit row
// commit or roll back together; and serves listing and verification.
#pragma once

#include <boost/json/fwd.hpp>

#include <string_view>

#include "common/clock.h"
#include "common/random.h"
#include "services/context.h"
#include "storage/audit_store.h"

namespace qlrf::services {

// Thread-safe (stateless apart from its clock and random source).
class Auditor {
 public:
  Auditor(const Clock& clock, Random& random) : clock_(clock), random_(random) {}

  // Appends an event for `ctx` to tx's org chain. `before`/`after` are summaries (no secrets).
  Status Record(storage::Transaction& tx, const RequestContext& ctx, std::string_view action,
                std::string_view target_type, std::string_view target_id,
                const boost::json::value& before, const boost::json::value& after);

  const Clock& clock() const { return clock_; }

 private:
  const Clock& clock_;
  Random& random_;
};

}  // namespace qlrf::services
