// JSON rendering of domain records for API responses, and their JSON Schemas.
#pragma once

#include <boost/json/value.hpp>

#include <functional>
#include <string>

#include "storage/audit_store.h"
#include "storage/identity_store.h"
#include "storage/image_store.h"
#include "storage/inventory_store.h"

namespace qlrf::api {

boost::json::value OrgJson(const storage::Org& o);
boost::json::value MemberJson(const storage::Membership& m);
boost::json::value ApiKeyJson(const storage::ApiKeyRecord& k);
boost::json::value ProjectJson(const storage::Project& p);
boost::json::value EnvironmentJson(const storage::Environment& e);
boost::json::value AuditJson(const storage::AuditEvent& e);
boost::json::value SiteJson(const storage::Site& s);
boost::json::value AssetJson(const storage::Asset& a);
boost::json::value DrPairJson(const storage::DrPair& p);
boost::json::value ImageJson(const storage::Image& m);
boost::json::value PromotionJson(const storage::Promotion& p);
boost::json::value BuildJson(const storage::Build& b);
boost::json::value TreeNodeJson(const storage::TreeNode& n);

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
extern const char* const kSite;
extern const char* const kAsset;
extern const char* const kDrPair;
extern const char* const kImage;
extern const char* const kPromotion;
extern const char* const kBuild;
extern const char* const kTreeNode;
// {"items":[<item>],"next_cursor":string|null}
std::string PageOf(const std::string& item_schema);
}  // namespace schemas

}  // namespace qlrf::api
