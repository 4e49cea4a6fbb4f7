// The audit trail: append-only events, one hash chain per org
// (hash = sha256(prev_hash || canonical event)), listing with filters, and chain verification.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/paging.h"

namespace qlrf::storage {

struct AuditEvent {
  std::string org_id;
  int64_t seq = 0;
  std::string id;
  std::string occurred_at;
  std::string actor_type;  // user | api_key | system
  std::string actor_id;
  std::string action;       // "project.create"
  std::string target_type;  // "project"
  std::string target_id;
  std::string request_id;
  std::string summary;  // JSON object text: {"before":…,"after":…}
  std::string prev_hash;
  std::string hash;
};

struct AuditFilter {
  std::optional<std::string> actor_id;
  std::optional<std::string> action;  // exact, or prefix ending in '.' ("project.")
  std::optional<std::string> target_type;
  std::optional<std::string> target_id;
  std::optional<std::string> since;  // occurred_at >= since
  std::optional<std::string> until;  // occurred_at < until
};

struct AuditBreak {
  std::string org_id;
  int64_t seq = 0;
  std::string reason;
};

struct AuditVerifyReport {
  int64_t orgs = 0;
  int64_t events = 0;
  std::optional<AuditBreak> first_break;
};

class AuditStore {
 public:
  static constexpr std::string_view kGenesisHash =
      "0000000000000000000000000000000000000000000000000000000000000000";

  // Appends `e` to its org's chain inside `tx` (org = tx.org_id(), or e.org_id in a system
  // transaction); fills seq, prev_hash and hash. Appends to one org serialise on its chain head.
  static Result<AuditEvent> Append(Transaction& tx, AuditEvent e);
  // Newest first; cursor pages by seq. Org-scoped.
  static Result<Page<AuditEvent>> List(Transaction& tx, const AuditFilter& filter,
                                       const PageRequest& page);
  // Walks every chain visible to `tx` (all orgs in a system transaction) and reports the first
  // event whose hash, link or sequence is wrong, or a head that does not match the last event.
  static Result<AuditVerifyReport> Verify(Transaction& tx);

  // Deterministic text hashed for an event (all columns but hash, fixed key order).
  static std::string Canonical(const AuditEvent& e);
  static std::string ChainHash(std::string_view prev_hash, const AuditEvent& e);
};

}  // namespace qlrf::storage
