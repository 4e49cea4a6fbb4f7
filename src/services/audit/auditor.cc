// Auditor: builds and appends audit events.
#include "services/audit/auditor.h"

#include <boost/json.hpp>

#include "common/json.h"

namespace qlrf::services {

Status Auditor::Record(storage::Transaction& tx, const RequestContext& ctx, std::string_view action,
                       std::string_view target_type, std::string_view target_id,
                       const boost::json::value& before, const boost::json::value& after) {
  storage::AuditEvent e;
  e.org_id = tx.org_id().empty() ? ctx.principal.org_id : tx.org_id();
  e.id = NewUuid(random_);
  e.occurred_at = FormatTime(clock_.Now());
  e.actor_type = std::string(ctx.principal.KindName());
  e.actor_id = ctx.principal.id;
  e.action = std::string(action);
  e.target_type = std::string(target_type);
  e.target_id = std::string(target_id);
  e.request_id = ctx.request_id;
  boost::json::object summary;
  if (!before.is_null()) {
    summary["before"] = before;
  }
  if (!after.is_null()) {
    summary["after"] = after;
  }
  e.summary = json::Serialize(summary);
  QLRF_TRY(storage::AuditStore::Append(tx, std::move(e)));
  return Ok();
}

}  // namespace qlrf::services
