#include "domain/access.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace civicloop::access {
namespace {

using P = Permission;
using R = Role;

std::set<Permission> perms(Role role) {
  const auto v = permissions_of(role);
  return {v.begin(), v.end()};
}

Actor actor_with(Role role, Scope scope) {
  Actor a;
  a.tenant_id = 1;
  a.user_id = 7;
  a.username = "tester";
  a.role = role;
  a.scope = std::move(scope);
  return a;
}

std::string detail(const Error& e, const std::string& key) {
  for (const auto& [k, v] : e.details) {
    if (k == key) return v;
  }
  return "";
}

TEST(AccessRole, EveryRoleRoundTripsThroughItsName) {
  const auto& roles = all_roles();
  ASSERT_EQ(roles.size(), 8u);
  std::set<std::string> names;
  for (const auto role : roles) {
    const auto name = std::string(to_string(role));
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(parse_role(name), role) << name;
  }
  EXPECT_EQ(parse_role(""), std::nullopt);
  EXPECT_EQ(parse_role("admin"), std::nullopt);
  EXPECT_EQ(parse_role("HQ_ADMIN"), std::nullopt);
}

TEST(AccessPermission, NamesAreStable) {
  EXPECT_EQ(to_string(P::kOrgRead), "org.read");
  EXPECT_EQ(to_string(P::kOrgWrite), "org.write");
  EXPECT_EQ(to_string(P::kUsersManage), "users.manage");
  EXPECT_EQ(to_string(P::kLedgerRead), "ledger.read");
  EXPECT_EQ(to_string(P::kCasesReport), "cases.report");
  EXPECT_EQ(to_string(P::kCasesRead), "cases.read");
  EXPECT_EQ(to_string(P::kCasesConfigure), "cases.configure");
  EXPECT_EQ(to_string(P::kCasesImport), "cases.import");
  EXPECT_EQ(to_string(P::kBulletinsDraft), "bulletins.draft");
  EXPECT_EQ(to_string(P::kBulletinsApprove), "bulletins.approve");
}

TEST(AccessPermission, EachRoleGrantsExactlyItsPermissions) {
  const std::set<Permission> all{
      P::kOrgRead,   P::kOrgWrite,       P::kUsersManage, P::kLedgerRead,     P::kCasesReport,
      P::kCasesRead, P::kCasesConfigure, P::kCasesImport, P::kBulletinsDraft, P::kBulletinsApprove};
  const std::set<Permission> field{P::kOrgRead, P::kCasesReport, P::kCasesRead};
  EXPECT_EQ(perms(R::kHqAdmin), all);
  EXPECT_EQ(perms(R::kHqStaff),
            (std::set<Permission>{P::kOrgRead, P::kLedgerRead, P::kCasesReport, P::kCasesRead,
                                  P::kCasesConfigure, P::kBulletinsDraft}));
  EXPECT_EQ(perms(R::kLeader),
            (std::set<Permission>{P::kOrgRead, P::kLedgerRead, P::kCasesReport, P::kCasesRead}));
  EXPECT_EQ(perms(R::kSupervisor), field);
  EXPECT_EQ(perms(R::kTaskForceMember), field);
  EXPECT_EQ(perms(R::kUnitOperator), field);
  EXPECT_EQ(perms(R::kGridWorker), field);
  EXPECT_EQ(perms(R::kCitizen), (std::set<Permission>{P::kCasesReport}));
}

TEST(AccessPermission, HasPermissionAgreesWithPermissionsOf) {
  for (const auto role : all_roles()) {
    const auto granted = perms(role);
    for (const auto p : {P::kOrgRead, P::kOrgWrite, P::kUsersManage, P::kLedgerRead,
                         P::kCasesReport, P::kCasesRead, P::kCasesConfigure, P::kCasesImport,
                         P::kBulletinsDraft, P::kBulletinsApprove}) {
      EXPECT_EQ(has_permission(role, p), granted.count(p) == 1)
          << to_string(role) << " / " << to_string(p);
    }
  }
}

TEST(AccessPermission, OnlyHqAdminWritesOrManagesUsers) {
  for (const auto role : all_roles()) {
    EXPECT_EQ(has_permission(role, P::kOrgWrite), role == R::kHqAdmin) << to_string(role);
    EXPECT_EQ(has_permission(role, P::kUsersManage), role == R::kHqAdmin) << to_string(role);
  }
}

TEST(AccessScope, TenantWideRolesAreTheDistrictLevelOnes) {
  EXPECT_TRUE(tenant_wide(R::kHqAdmin));
  EXPECT_TRUE(tenant_wide(R::kHqStaff));
  EXPECT_TRUE(tenant_wide(R::kLeader));
  EXPECT_TRUE(tenant_wide(R::kSupervisor));
  EXPECT_TRUE(tenant_wide(R::kTaskForceMember));
  EXPECT_FALSE(tenant_wide(R::kUnitOperator));
  EXPECT_FALSE(tenant_wide(R::kGridWorker));
  EXPECT_FALSE(tenant_wide(R::kCitizen));
}

TEST(AccessScope, OnlyUnitBoundRolesNeedAUnit) {
  for (const auto role : all_roles()) {
    EXPECT_EQ(needs_unit(role), role == R::kUnitOperator || role == R::kGridWorker)
        << to_string(role);
    // A role bound to a unit is never tenant-wide.
    if (needs_unit(role)) EXPECT_FALSE(tenant_wide(role)) << to_string(role);
  }
}

TEST(AccessScope, AllCoversEverything) {
  Scope s{.all = true, .roots = {}};
  EXPECT_FALSE(s.empty());
  EXPECT_TRUE(s.covers("/1/"));
  EXPECT_TRUE(s.covers("/99/3/"));
}

TEST(AccessScope, EmptyScopeCoversNothing) {
  Scope s;
  EXPECT_TRUE(s.empty());
  EXPECT_FALSE(s.covers("/1/"));
  EXPECT_FALSE(s.covers(""));
}

TEST(AccessScope, CoversTheSubtreesOfSeveralRoots) {
  Scope s{.all = false, .roots = {"/1/2/", "/1/7/30/"}};
  EXPECT_FALSE(s.empty());
  EXPECT_TRUE(s.covers("/1/2/"));
  EXPECT_TRUE(s.covers("/1/2/4/6/"));
  EXPECT_TRUE(s.covers("/1/7/30/"));
  EXPECT_TRUE(s.covers("/1/7/30/31/"));
  EXPECT_FALSE(s.covers("/1/"));  // the ancestor of a root
  EXPECT_FALSE(s.covers("/1/7/"));
  EXPECT_FALSE(s.covers("/1/3/"));  // a sibling
}

TEST(AccessScope, DigitPrefixIsNotASubtree) {
  Scope s{.all = false, .roots = {"/1/"}};
  EXPECT_TRUE(s.covers("/1/"));
  EXPECT_TRUE(s.covers("/1/12/"));
  EXPECT_FALSE(s.covers("/12/"));
  EXPECT_FALSE(s.covers("/12/1/"));
  EXPECT_FALSE(s.covers("/10/"));
  Scope deeper{.all = false, .roots = {"/1/2/"}};
  EXPECT_FALSE(deeper.covers("/1/23/"));
  EXPECT_FALSE(deeper.covers("/1/2"));  // not a well-formed path, and not in the subtree
}

TEST(AccessRequire, GrantsWhatTheRoleHas) {
  EXPECT_TRUE(require(actor_with(R::kUnitOperator, {}), P::kOrgRead).ok());
  EXPECT_TRUE(require(actor_with(R::kHqAdmin, {.all = true}), P::kUsersManage).ok());
}

TEST(AccessRequire, ForbiddenNamesThePermission) {
  const auto s = require(actor_with(R::kUnitOperator, {}), P::kOrgWrite);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "auth.forbidden");
  EXPECT_EQ(detail(s.error(), "permission"), "org.write");
  const auto c = require(actor_with(R::kCitizen, {}), P::kOrgRead);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "auth.forbidden");
  EXPECT_EQ(detail(c.error(), "permission"), "org.read");
}

TEST(AccessRequire, ActorCanMatchesTheRole) {
  const auto leader = actor_with(R::kLeader, {.all = true});
  EXPECT_TRUE(leader.can(P::kLedgerRead));
  EXPECT_FALSE(leader.can(P::kOrgWrite));
}

TEST(AccessRequireScope, InsideAndOutsideTheScope) {
  const auto op = actor_with(R::kUnitOperator, {.all = false, .roots = {"/1/2/"}});
  EXPECT_TRUE(require_scope(op, "/1/2/").ok());
  EXPECT_TRUE(require_scope(op, "/1/2/4/").ok());
  const auto s = require_scope(op, "/1/3/");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "auth.out_of_scope");
  EXPECT_EQ(require_scope(op, "/1/20/").error().code, "auth.out_of_scope");
  EXPECT_EQ(require_scope(op, "/1/").error().code, "auth.out_of_scope");
}

TEST(AccessRequireScope, EmptyScopeIsOutOfScopeEverywhere) {
  const auto citizen = actor_with(R::kCitizen, {});
  const auto s = require_scope(citizen, "/1/");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "auth.out_of_scope");
}

TEST(AccessRequireScope, TenantWideScopeIsInScopeEverywhere) {
  const auto staff = actor_with(R::kHqStaff, {.all = true});
  EXPECT_TRUE(require_scope(staff, "/1/").ok());
  EXPECT_TRUE(require_scope(staff, "/1/2/4/6/").ok());
}

}  // namespace
}  // namespace civicloop::access
