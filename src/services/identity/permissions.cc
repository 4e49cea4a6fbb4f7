// Role → permission table.
#include "services/identity/permissions.h"

#include <algorithm>
#include <array>

namespace qlrf::services {
namespace {

constexpr std::array<std::pair<Permission, std::string_view>, 9> kNames = {{
    {Permission::kRead, "READ"},
    {Permission::kManageAssets, "MANAGE_ASSETS"},
    {Permission::kManageImages, "MANAGE_IMAGES"},
    {Permission::kManagePolicies, "MANAGE_POLICIES"},
    {Permission::kTriggerDrill, "TRIGGER_DRILL"},
    {Permission::kExecuteAiTasks, "EXECUTE_AI_TASKS"},
    {Permission::kApproveAiTasks, "APPROVE_AI_TASKS"},
    {Permission::kViewAuditLogs, "VIEW_AUDIT_LOGS"},
    {Permission::kAdmin, "ADMIN"},
}};

// Each role includes the one before it.
const std::vector<Permission>& Viewer() {
  static const std::vector<Permission> k = {Permission::kRead};
  return k;
}
const std::vector<Permission>& Operator() {
  static const std::vector<Permission> k = {Permission::kRead, Permission::kManageAssets,
                                            Permission::kManageImages, Permission::kTriggerDrill,
                                            Permission::kExecuteAiTasks};
  return k;
}
const std::vector<Permission>& Approver() {
  static const std::vector<Permission> k = {
      Permission::kRead,         Permission::kManageAssets,   Permission::kManageImages,
      Permission::kTriggerDrill, Permission::kExecuteAiTasks, Permission::kApproveAiTasks,
      Permission::kViewAuditLogs};
  return k;
}
const std::vector<Permission>& Admin() {
  static const std::vector<Permission> k = [] {
    std::vector<Permission> all;
    for (const auto& [p, n] : kNames) {
      all.push_back(p);
    }
    return all;
  }();
  return k;
}

}  // namespace

std::string_view PermissionName(Permission p) {
  for (const auto& [perm, name] : kNames) {
    if (perm == p) {
      return name;
    }
  }
  return "READ";
}

std::optional<Permission> ParsePermission(std::string_view name) {
  for (const auto& [perm, n] : kNames) {
    if (n == name) {
      return perm;
    }
  }
  return std::nullopt;
}

const std::vector<std::string_view>& AllRoles() {
  static const std::vector<std::string_view> k = {"viewer", "operator", "approver", "admin"};
  return k;
}

bool IsValidRole(std::string_view role) {
  const auto& r = AllRoles();
  return std::find(r.begin(), r.end(), role) != r.end();
}

const std::vector<Permission>& PermissionsOf(std::string_view role) {
  static const std::vector<Permission> kNone;
  if (role == "admin") {
    return Admin();
  }
  if (role == "approver") {
    return Approver();
  }
  if (role == "operator") {
    return Operator();
  }
  if (role == "viewer") {
    return Viewer();
  }
  return kNone;
}

bool RoleHas(std::string_view role, Permission p) {
  const auto& perms = PermissionsOf(role);
  return std::find(perms.begin(), perms.end(), p) != perms.end();
}

}  // namespace qlrf::services
