// JSON rendering of domain records for API responses, and their JSON Schemas.
#pragma once

#include <boost/json/value.hpp>

#include <functional>
#include <string>

#include "storage/audit_store.h"
#include "storage/identity_store.h"

namespace qlrf::api {

boost::json::value OrgJson(const storage::Org& o);
boost::json::value MemberJson(const storage::Membership& m);
boost::json::value ApiKeyJson(const storage::ApiKeyRecord& k);
boost::json::value ProjectJson(const storage::Project& p);
boost::json::value EnvironmentJson(const storage::Environment& e);
boost::json::value AuditJson(const storage::AuditEvent& e);

template <class T, class Fn>
boost::json::value PageJson(const storage::Page<T>& page, Fn render) {
  boost::json::array items;
  for (const auto& item : page.items) {
    items.push_back(render(item));
  }
  boost::json::object out;
  out["items"] = std::move(items);
  out["next_cursor"] = page.next_cursor ? boost::json::value(*page.next_cursor) : nullptr;
  return out;
}

// Schemas (JSON Schema 2020-12 text) of the rendered shapes.
namespace schemas {
extern const char* const kOrg;
extern const char* const kMember;
extern const char* const kApiKey;
extern const char* const kProject;
extern const char* const kEnvironment;
extern const char* const kAuditEvent;
// {"items":[<item>],"next_cursor":string|null}
std::string PageOf(const std::string& item_schema);
}  // namespace schemas

}  // namespace qlrf::api
