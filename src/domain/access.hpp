// Who may do what, and on which part of the organisation.
//
// A role grants permissions (what); a data scope limits them to org subtrees (where). Roles whose
// remit is the whole district (HQ office, HQ leaders, supervision groups, task forces) see the
// whole tenant; unit-bound roles (unit operators, grid workers) see the subtrees of the units they
// belong to; citizens see no part of the organisation. docs/security.md explains the choice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/error.hpp"

namespace civicloop::access {

enum class Role {
  kHqAdmin,
  kHqStaff,
  kLeader,
  kSupervisor,
  kTaskForceMember,
  kUnitOperator,
  kGridWorker,
  kCitizen,
};

std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);
const std::vector<Role>& all_roles();

enum class Permission {
  kOrgRead,         // read units, people, memberships, liaisons
  kOrgWrite,        // create, edit, move, retire; import
  kUsersManage,     // accounts of others
  kLedgerRead,      // read and verify the ledger
  kCasesReport,     // report a problem (随手拍 included)
  kCasesRead,       // read the cases in one's scope and the lists
  kCasesConfigure,  // categories, routing rules, the calendar, robots
  kCasesImport,     // bring in past work orders of an earlier system (the history import)
  kBulletinsDraft,  // draft, edit, submit and publish bulletins (通报): the HQ office
  // approve or reject them: the office head, whom the HQ administrator stands for until the
  // organisation names one (docs/security.md)
  kBulletinsApprove,
};
std::string_view to_string(Permission permission);
std::vector<Permission> permissions_of(Role role);
bool has_permission(Role role, Permission permission);
// True when the role's data scope is the whole tenant regardless of memberships.
bool tenant_wide(Role role);
// Unit-bound roles must be tied to a unit.
bool needs_unit(Role role);
// The roles that may turn on the TOTP second factor: the HQ administrator and the office, who
// hold the keys to the organisation, the accounts and the configuration.
bool may_use_totp(Role role);

// The subtrees (materialised paths, "/1/5/") a user may see, or all of the tenant.
struct Scope {
  bool all = false;
  std::vector<std::string> roots;

  bool covers(std::string_view unit_path) const;
  bool empty() const { return !all && roots.empty(); }
};

// The signed-in user on whose behalf a use case runs.
struct Actor {
  std::int64_t tenant_id = 0;
  std::int64_t user_id = 0;
  std::string username;
  std::string display_name;
  Role role = Role::kCitizen;
  Scope scope;

  bool can(Permission p) const { return has_permission(role, p); }
};

// "auth.forbidden" when the actor lacks the permission.
Status require(const Actor& actor, Permission permission);
// "auth.out_of_scope" when the unit at unit_path lies outside the actor's scope.
Status require_scope(const Actor& actor, std::string_view unit_path);

}  // namespace civicloop::access
