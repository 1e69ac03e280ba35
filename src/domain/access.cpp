#include "domain/access.hpp"

#include <algorithm>
#include <array>

#include "domain/org.hpp"

namespace civicloop::access {

namespace {
struct RoleName {
  Role role;
  std::string_view name;
};
constexpr std::array<RoleName, 8> kRoleNames = {{
    {Role::kHqAdmin, "hq_admin"},
    {Role::kHqStaff, "hq_staff"},
    {Role::kLeader, "leader"},
    {Role::kSupervisor, "supervisor"},
    {Role::kTaskForceMember, "task_force_member"},
    {Role::kUnitOperator, "unit_operator"},
    {Role::kGridWorker, "grid_worker"},
    {Role::kCitizen, "citizen"},
}};
}  // namespace

std::string_view to_string(Role role) {
  for (const auto& r : kRoleNames) {
    if (r.role == role) return r.name;
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view text) {
  for (const auto& r : kRoleNames) {
    if (r.name == text) return r.role;
  }
  return std::nullopt;
}

const std::vector<Role>& all_roles() {
  static const std::vector<Role> roles = [] {
    std::vector<Role> v;
    for (const auto& r : kRoleNames) v.push_back(r.role);
    return v;
  }();
  return roles;
}

std::string_view to_string(Permission permission) {
  switch (permission) {
    case Permission::kOrgRead:
      return "org.read";
    case Permission::kOrgWrite:
      return "org.write";
    case Permission::kUsersManage:
      return "users.manage";
    case Permission::kLedgerRead:
      return "ledger.read";
    case Permission::kCasesReport:
      return "cases.report";
    case Permission::kCasesRead:
      return "cases.read";
    case Permission::kCasesConfigure:
      return "cases.configure";
    case Permission::kCasesImport:
      return "cases.import";
    case Permission::kBulletinsDraft:
      return "bulletins.draft";
    case Permission::kBulletinsApprove:
      return "bulletins.approve";
  }
  return "unknown";
}

std::vector<Permission> permissions_of(Role role) {
  using P = Permission;
  switch (role) {
    case Role::kHqAdmin:
      return {P::kOrgRead,        P::kOrgWrite,        P::kUsersManage,    P::kLedgerRead,
              P::kCasesReport,    P::kCasesRead,       P::kCasesConfigure, P::kCasesImport,
              P::kBulletinsDraft, P::kBulletinsApprove};
    case Role::kHqStaff:
      return {P::kOrgRead,   P::kLedgerRead,     P::kCasesReport,
              P::kCasesRead, P::kCasesConfigure, P::kBulletinsDraft};
    case Role::kLeader:
      return {P::kOrgRead, P::kLedgerRead, P::kCasesReport, P::kCasesRead};
    case Role::kSupervisor:
    case Role::kTaskForceMember:
    case Role::kUnitOperator:
    case Role::kGridWorker:
      return {P::kOrgRead, P::kCasesReport, P::kCasesRead};
    case Role::kCitizen:
      // A citizen reports and follows their own reports; nothing of the organisation.
      return {P::kCasesReport};
  }
  return {};
}

bool has_permission(Role role, Permission permission) {
  const auto ps = permissions_of(role);
  return std::find(ps.begin(), ps.end(), permission) != ps.end();
}

bool tenant_wide(Role role) {
  switch (role) {
    case Role::kHqAdmin:
    case Role::kHqStaff:
    case Role::kLeader:
    case Role::kSupervisor:
    case Role::kTaskForceMember:
      return true;
    case Role::kUnitOperator:
    case Role::kGridWorker:
    case Role::kCitizen:
      return false;
  }
  return false;
}

bool needs_unit(Role role) { return role == Role::kUnitOperator || role == Role::kGridWorker; }

bool may_use_totp(Role role) { return role == Role::kHqAdmin || role == Role::kHqStaff; }

bool Scope::covers(std::string_view unit_path) const {
  if (all) return true;
  return std::any_of(roots.begin(), roots.end(),
                     [&](const std::string& root) { return org::path_within(unit_path, root); });
}

Status require(const Actor& actor, Permission permission) {
  if (!actor.can(permission)) {
    return make_error("auth.forbidden").with("permission", std::string(to_string(permission)));
  }
  return Ok{};
}

Status require_scope(const Actor& actor, std::string_view unit_path) {
  if (!actor.scope.covers(unit_path)) return make_error("auth.out_of_scope");
  return Ok{};
}

}  // namespace civicloop::access
