// Who is calling and on behalf of which org: the context every service method receives.
#pragma once

#include <string>

namespace qlrf::services {

enum class PrincipalKind { kUser, kApiKey, kSystem };

struct Principal {
  PrincipalKind kind = PrincipalKind::kSystem;
  std::string id;  // user id, API key id, or "system"/"cli"
  std::string org_id;
  std::string org_slug;
  std::string role;         // viewer | operator | approver | admin
  std::string email;        // users only
  std::string auth_method;  // "session" | "api_key" | "oidc" | "cli"

  std::string_view KindName() const {
    switch (kind) {
      case PrincipalKind::kUser:
        return "user";
      case PrincipalKind::kApiKey:
        return "api_key";
      case PrincipalKind::kSystem:
        return "system";
    }
    return "system";
  }
};

struct RequestContext {
  std::string request_id;
  Principal principal;
};

}  // namespace qlrf::services
