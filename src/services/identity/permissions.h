// Roles and permissions (seed §RBAC). One table maps each role to its permissions.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace qlrf::services {

enum class Permission {
  kRead,  // any member: read the org's inventory and reports
  kManageAssets,
  kManageImages,
  kManagePolicies,
  kTriggerDrill,
  kExecuteAiTasks,
  kApproveAiTasks,
  kViewAuditLogs,
  kAdmin,  // users, API keys, projects, environments, org settings
};

// "APPROVE_AI_TASKS" etc. as the seed spells them.
std::string_view PermissionName(Permission p);
std::optional<Permission> ParsePermission(std::string_view name);
bool IsValidRole(std::string_view role);
bool RoleHas(std::string_view role, Permission p);
const std::vector<Permission>& PermissionsOf(std::string_view role);
const std::vector<std::string_view>& AllRoles();

}  // namespace qlrf::services
