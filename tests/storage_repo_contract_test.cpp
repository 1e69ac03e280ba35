// The repositories' contract, run on every backend: the same calls must give the same answers on
// SQLite and PostgreSQL. Each test gets a fresh, migrated database with one tenant and a frozen
// time.
#include "storage/org_repo.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "domain/ledger.hpp"
#include "storage/account_repo.hpp"
#include "storage/db.hpp"
#include "storage/ledger_repo.hpp"
#include "support/test_db.hpp"

namespace civicloop::storage {
namespace {

using org::UnitKind;
using K = org::UnitKind;

constexpr Millis kNow = 1795813500000;  // 2026-11-27T21:05:00Z

// The kind of StorageError fn throws; nullopt (and a test failure) when it throws none.
std::optional<StorageError::Kind> storage_error_kind(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const StorageError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "expected a StorageError";
  return std::nullopt;
}

// Creates a unit under `parent` (nullptr: a root) with an id from next_id, as the use cases do.
org::Unit add_unit(Connection& c, std::int64_t tenant, UnitKind kind, const org::Unit* parent,
                   std::string name, std::optional<std::string> code = std::nullopt,
                   int sort_order = 0, std::optional<org::Id> id = std::nullopt) {
  org::Unit u;
  u.id = id ? *id : next_id(c, tenant, "org_units");
  u.parent_id = parent ? std::optional<org::Id>(parent->id) : std::nullopt;
  u.kind = kind;
  u.code = std::move(code);
  u.name = std::move(name);
  u.sort_order = sort_order;
  u.path = org::child_path(parent ? parent->path : "", u.id);
  u.created_at = kNow;
  u.updated_at = kNow;
  OrgRepo(c, tenant).insert_unit(u);
  return u;
}

// hq 1; subdistricts 2 (永泰街道) and 3 (古城街道); community 4 under 2, 5 under 3; grid 6 under 4;
// task force 7; department 8. Ids come from next_id, so they are exactly these in a fresh tenant.
struct Tree {
  org::Unit hq, sub_a, sub_b, comm_a, comm_b, grid_a, task_force, dept;
};

Tree make_tree(Connection& c, std::int64_t tenant) {
  Tree t;
  t.hq = add_unit(c, tenant, K::kHq, nullptr, "平城区创城指挥部", "hq");
  t.sub_a = add_unit(c, tenant, K::kSubdistrict, &t.hq, "永泰街道", "140213050", 1);
  t.sub_b = add_unit(c, tenant, K::kSubdistrict, &t.hq, "古城街道", "140213051", 2);
  t.comm_a = add_unit(c, tenant, K::kCommunity, &t.sub_a, "永泰南社区", "yt-s");
  t.comm_b = add_unit(c, tenant, K::kCommunity, &t.sub_b, "古城北社区", "gc-n");
  t.grid_a = add_unit(c, tenant, K::kGrid, &t.comm_a, "永泰南第一网格", "yt-s-1");
  t.task_force = add_unit(c, tenant, K::kTaskForce, &t.hq, "交通秩序专班", "tf-traffic", 3);
  t.dept = add_unit(c, tenant, K::kDepartment, &t.hq, "区城管局", "dept-cg", 4);
  return t;
}

org::Person add_person(Connection& c, std::int64_t tenant, std::string name,
                       std::optional<std::string> phone = std::nullopt) {
  org::Person p;
  p.id = next_id(c, tenant, "people");
  p.name = std::move(name);
  p.phone = std::move(phone);
  OrgRepo(c, tenant).insert_person(p, kNow);
  return p;
}

org::Membership add_member(Connection& c, std::int64_t tenant, const org::Person& p,
                           const org::Unit& u, std::string post = "member", bool head = false) {
  org::Membership m;
  m.id = next_id(c, tenant, "memberships");
  m.person_id = p.id;
  m.unit_id = u.id;
  m.post_code = std::move(post);
  m.is_head = head;
  OrgRepo(c, tenant).insert_membership(m, kNow);
  return m;
}

std::vector<org::Id> ids_of(const std::vector<org::Unit>& units) {
  std::vector<org::Id> ids;
  for (const auto& u : units) ids.push_back(u.id);
  return ids;
}

std::vector<org::Id> ids_of(const std::vector<org::Person>& people) {
  std::vector<org::Id> ids;
  for (const auto& p : people) ids.push_back(p.id);
  return ids;
}

std::set<org::Id> id_set(const std::vector<org::Unit>& units) {
  const auto v = ids_of(units);
  return {v.begin(), v.end()};
}

class RepoContract : public test::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    lease_.emplace(db().acquire());
    Tenant t;
    t.code = "pingcheng";
    t.name = "平城区";
    tenant_ = TenantRepo(conn()).upsert(t, kNow);
    OrgRepo(conn(), tenant_).upsert_post({"member", "成员", "Member", 20});
    OrgRepo(conn(), tenant_).upsert_post({"head", "负责人", "Head", 10});
  }
  void TearDown() override {
    lease_.reset();
    BackendTest::TearDown();
  }

  Connection& conn() { return **lease_; }
  OrgRepo org() { return OrgRepo(conn(), tenant_); }
  std::vector<org::Unit> list(const UnitQuery& q) { return org().list_units(q); }

  std::optional<Lease> lease_;
  std::int64_t tenant_ = 0;
};

// ---- next_id ----

TEST_P(RepoContract, NextIdIsPerTenantAndTableAndCountsByOne) {
  EXPECT_EQ(next_id(conn(), tenant_, "org_units"), 1);
  EXPECT_EQ(next_id(conn(), tenant_, "org_units"), 2);
  EXPECT_EQ(next_id(conn(), tenant_, "people"), 1);         // another table starts afresh
  EXPECT_EQ(next_id(conn(), tenant_ + 1, "org_units"), 1);  // so does another tenant
  EXPECT_EQ(next_id(conn(), tenant_, "org_units"), 3);
  EXPECT_EQ(next_id(conn(), tenant_ + 1, "org_units"), 2);
  EXPECT_EQ(next_id(conn(), tenant_, "people"), 2);
}

TEST_P(RepoContract, NextIdRollsBackWithItsTransaction) {
  EXPECT_EQ(next_id(conn(), tenant_, "org_units"), 1);
  conn().begin(true);
  EXPECT_EQ(next_id(conn(), tenant_, "org_units"), 2);
  conn().rollback();
  EXPECT_EQ(next_id(conn(), tenant_, "org_units"), 2);
}

// ---- units ----

TEST_P(RepoContract, InsertsAndFindsAUnitWithAllFields) {
  const auto t = make_tree(conn(), tenant_);
  org::Unit u;
  u.id = 100;
  u.parent_id = t.sub_a.id;
  u.kind = K::kVillage;
  u.code = "v-100";
  u.name = "马家小村";
  u.name_en = "Majia Village";
  u.duties = "一、巡查\n二、上报";
  u.boundary_geojson =
      R"({"type":"Polygon","coordinates":[[[113.2,40.0],[113.3,40.0],[113.3,40.1],[113.2,40.0]]]})";
  u.sort_order = -7;
  u.is_demo = true;
  u.path = org::child_path(t.sub_a.path, 100);
  u.version = 3;
  u.created_at = kNow - 5;
  u.updated_at = kNow;
  org().insert_unit(u);

  const auto found = org().find_unit(100);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, 100);
  EXPECT_EQ(found->parent_id, t.sub_a.id);
  EXPECT_EQ(found->kind, K::kVillage);
  EXPECT_EQ(found->code, "v-100");
  EXPECT_EQ(found->name, "马家小村");
  EXPECT_EQ(found->name_en, "Majia Village");
  EXPECT_EQ(found->duties, u.duties);
  EXPECT_EQ(found->boundary_geojson, u.boundary_geojson);
  EXPECT_EQ(found->sort_order, -7);
  EXPECT_TRUE(found->is_demo);
  EXPECT_FALSE(found->retired);
  EXPECT_EQ(found->path, "/1/2/100/");
  EXPECT_EQ(found->version, 3);
  EXPECT_EQ(found->created_at, kNow - 5);
  EXPECT_EQ(found->updated_at, kNow);

  const auto hq = org().find_unit(t.hq.id);
  ASSERT_TRUE(hq.has_value());
  EXPECT_EQ(hq->parent_id, std::nullopt);
  EXPECT_EQ(hq->name_en, std::nullopt);
  EXPECT_EQ(hq->boundary_geojson, std::nullopt);
}

TEST_P(RepoContract, FindsByCodeAndRootAndNotOtherTenants) {
  const auto t = make_tree(conn(), tenant_);
  const auto by_code = org().find_unit_by_code("140213051");
  ASSERT_TRUE(by_code.has_value());
  EXPECT_EQ(by_code->id, t.sub_b.id);
  EXPECT_EQ(org().find_unit_by_code("nope"), std::nullopt);
  EXPECT_EQ(org().find_unit(999), std::nullopt);
  const auto root = org().root();
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->id, t.hq.id);

  OrgRepo other(conn(), tenant_ + 1);
  EXPECT_EQ(other.find_unit(t.sub_a.id), std::nullopt);
  EXPECT_EQ(other.find_unit_by_code("140213051"), std::nullopt);
  EXPECT_EQ(other.root(), std::nullopt);
  EXPECT_TRUE(other.list_units({}).empty());
}

TEST_P(RepoContract, AllUnitsPutParentsBeforeChildren) {
  make_tree(conn(), tenant_);
  const auto all = org().all_units();
  ASSERT_EQ(all.size(), 8u);
  std::set<org::Id> seen;
  for (const auto& u : all) {
    if (u.parent_id) EXPECT_TRUE(seen.count(*u.parent_id)) << u.name << " before its parent";
    seen.insert(u.id);
  }
}

TEST_P(RepoContract, CountsChildren) {
  const auto t = make_tree(conn(), tenant_);
  EXPECT_EQ(org().count_children(t.hq.id), 4);
  EXPECT_EQ(org().count_active_children(t.hq.id), 4);
  auto tf = t.task_force;
  tf.retired = true;
  ASSERT_TRUE(org().update_unit(tf, tf.version));
  EXPECT_EQ(org().count_children(t.hq.id), 4);
  EXPECT_EQ(org().count_active_children(t.hq.id), 3);
  EXPECT_EQ(org().count_children(t.grid_a.id), 0);
}

TEST_P(RepoContract, UnitsByIdsInPathOrder) {
  const auto t = make_tree(conn(), tenant_);
  const auto units = org().units_by_ids({t.grid_a.id, t.hq.id, 999, t.sub_a.id});
  EXPECT_EQ(ids_of(units), (std::vector<org::Id>{t.hq.id, t.sub_a.id, t.grid_a.id}));
  EXPECT_TRUE(org().units_by_ids({}).empty());
}

TEST_P(RepoContract, ListUnitsByKindAndParent) {
  const auto t = make_tree(conn(), tenant_);
  EXPECT_EQ(ids_of(list({.kind = K::kSubdistrict})),
            (std::vector<org::Id>{t.sub_a.id, t.sub_b.id}));
  EXPECT_EQ(ids_of(list({.kind = K::kCommunity})),
            (std::vector<org::Id>{t.comm_a.id, t.comm_b.id}));
  // Children of hq in (sort_order, id) order: sub_a 1, sub_b 2, task force 3, department 4.
  EXPECT_EQ(ids_of(list({.parent_id = t.hq.id})),
            (std::vector<org::Id>{t.sub_a.id, t.sub_b.id, t.task_force.id, t.dept.id}));
  EXPECT_EQ(ids_of(list({.kind = K::kCommunity, .parent_id = t.sub_b.id})),
            (std::vector<org::Id>{t.comm_b.id}));
  EXPECT_TRUE(list({.kind = K::kVillage}).empty());
}

TEST_P(RepoContract, ListUnitsSearchesChineseSubstrings) {
  const auto t = make_tree(conn(), tenant_);
  EXPECT_EQ(id_set(list({.q = "永泰"})), (std::set<org::Id>{t.sub_a.id, t.comm_a.id, t.grid_a.id}));
  EXPECT_EQ(ids_of(list({.q = "泰南第一"})), (std::vector<org::Id>{t.grid_a.id}));
  EXPECT_EQ(ids_of(list({.q = "城管"})), (std::vector<org::Id>{t.dept.id}));
  EXPECT_TRUE(list({.q = "御河"}).empty());
}

TEST_P(RepoContract, ListUnitsSearchesCodeAndEnglishNameIgnoringCase) {
  const auto t = make_tree(conn(), tenant_);
  auto sub = t.sub_b;
  sub.name_en = "Gucheng Subdistrict";
  ASSERT_TRUE(org().update_unit(sub, sub.version));
  EXPECT_EQ(ids_of(list({.q = "gucheng"})), (std::vector<org::Id>{t.sub_b.id}));
  EXPECT_EQ(ids_of(list({.q = "GUCHENG SUB"})), (std::vector<org::Id>{t.sub_b.id}));
  EXPECT_EQ(ids_of(list({.q = "213051"})), (std::vector<org::Id>{t.sub_b.id}));  // code
  EXPECT_EQ(ids_of(list({.q = "TF-TRAF"})), (std::vector<org::Id>{t.task_force.id}));
}

// Regression: the search text was lower-cased for ASCII only while PostgreSQL's lower(name) also
// folds other capitals, so on PostgreSQL a unit could not be found by its own exact name when that
// held full-width (ＡＢＣ, common in Chinese input) or accented capitals.
TEST_P(RepoContract, ListUnitsFindsANameWithNonAsciiCapitalsByItself) {
  const auto t = make_tree(conn(), tenant_);
  const auto full_width = add_unit(conn(), tenant_, K::kEnterprise, &t.hq, "ＡＢＣ物业公司");
  const auto accented = add_unit(conn(), tenant_, K::kEnterprise, &t.hq, "École Sino-Française");
  EXPECT_EQ(ids_of(list({.q = "ＡＢＣ物业"})), (std::vector<org::Id>{full_width.id}));
  EXPECT_EQ(ids_of(list({.q = "École"})), (std::vector<org::Id>{accented.id}));
  // ASCII capitals still fold while the accented one matches itself.
  EXPECT_EQ(ids_of(list({.q = "ÉCOLE SINO"})), (std::vector<org::Id>{accented.id}));
  const auto p = add_person(conn(), tenant_, "ＬＩ Wei");
  EXPECT_EQ(ids_of(org().list_people({.q = "ＬＩ"})), (std::vector<org::Id>{p.id}));
}

TEST_P(RepoContract, ListUnitsSearchTakesPercentAndUnderscoreLiterally) {
  const auto t = make_tree(conn(), tenant_);
  const auto pct = add_unit(conn(), tenant_, K::kEnterprise, &t.hq, "100%达标物业");
  const auto plain = add_unit(conn(), tenant_, K::kEnterprise, &t.hq, "100 达标物业");
  const auto under = add_unit(conn(), tenant_, K::kEnterprise, &t.hq, "A_B商铺");
  const auto axb = add_unit(conn(), tenant_, K::kEnterprise, &t.hq, "AxB商铺");
  const auto slash = add_unit(conn(), tenant_, K::kEnterprise, &t.hq, "C\\D商铺");
  EXPECT_EQ(ids_of(list({.q = "%"})), (std::vector<org::Id>{pct.id}));
  EXPECT_EQ(ids_of(list({.q = "100%"})), (std::vector<org::Id>{pct.id}));
  // No other name or code in the tree holds an underscore, so "_" as a wildcard would match all.
  EXPECT_EQ(ids_of(list({.q = "_"})), (std::vector<org::Id>{under.id}));
  EXPECT_EQ(ids_of(list({.q = "a_b"})), (std::vector<org::Id>{under.id}));
  EXPECT_EQ(ids_of(list({.q = "\\"})), (std::vector<org::Id>{slash.id}));
  EXPECT_EQ(ids_of(list({.q = "axb"})), (std::vector<org::Id>{axb.id}));
  EXPECT_EQ(id_set(list({.q = "达标"})), (std::set<org::Id>{pct.id, plain.id}));
}

TEST_P(RepoContract, ListUnitsHidesRetiredUnlessAsked) {
  const auto t = make_tree(conn(), tenant_);
  auto grid = t.grid_a;
  grid.retired = true;
  ASSERT_TRUE(org().update_unit(grid, grid.version));
  EXPECT_FALSE(id_set(list({})).count(t.grid_a.id));
  EXPECT_EQ(list({}).size(), 7u);
  EXPECT_TRUE(id_set(list({.include_retired = true})).count(t.grid_a.id));
  EXPECT_EQ(list({.include_retired = true}).size(), 8u);
  EXPECT_TRUE(list({.kind = K::kGrid}).empty());
}

TEST_P(RepoContract, ListUnitsWithinScopeRoots) {
  const auto t = make_tree(conn(), tenant_);
  access::Scope one{.all = false, .roots = {t.sub_a.path}};
  EXPECT_EQ(id_set(list({.scope = &one})),
            (std::set<org::Id>{t.sub_a.id, t.comm_a.id, t.grid_a.id}));
  access::Scope two{.all = false, .roots = {t.comm_a.path, t.sub_b.path}};
  EXPECT_EQ(id_set(list({.scope = &two})),
            (std::set<org::Id>{t.comm_a.id, t.grid_a.id, t.sub_b.id, t.comm_b.id}));
  access::Scope all{.all = true, .roots = {}};
  EXPECT_EQ(list({.scope = &all}).size(), 8u);
  // Filters combine with the scope.
  EXPECT_EQ(ids_of(list({.kind = K::kCommunity, .scope = &two})),
            (std::vector<org::Id>{t.comm_a.id, t.comm_b.id}));
  EXPECT_EQ(ids_of(list({.kind = K::kCommunity, .scope = &one})),
            (std::vector<org::Id>{t.comm_a.id}));
}

TEST_P(RepoContract, ListUnitsWithEmptyScopeFindsNothing) {
  make_tree(conn(), tenant_);
  access::Scope none;
  EXPECT_TRUE(list({.scope = &none}).empty());
  EXPECT_TRUE(list({.q = "永泰", .scope = &none}).empty());
}

TEST_P(RepoContract, ScopeRootIsNotADigitPrefix) {
  const auto t = make_tree(conn(), tenant_);
  // Subdistrict 20 at "/1/20/" shares the characters "/1/2" with subdistrict 2 at "/1/2/".
  const auto sub20 = add_unit(conn(), tenant_, K::kSubdistrict, &t.hq, "新旺街道", "s20", 9, 20);
  const auto comm21 = add_unit(conn(), tenant_, K::kCommunity, &sub20, "新旺社区", "c21", 0, 21);
  access::Scope sub_a{.all = false, .roots = {t.sub_a.path}};
  EXPECT_EQ(id_set(list({.scope = &sub_a})),
            (std::set<org::Id>{t.sub_a.id, t.comm_a.id, t.grid_a.id}));
  access::Scope s20{.all = false, .roots = {sub20.path}};
  EXPECT_EQ(id_set(list({.scope = &s20})), (std::set<org::Id>{sub20.id, comm21.id}));
}

TEST_P(RepoContract, KeysetPagesWalkEveryUnitOnceInOrder) {
  const auto t = make_tree(conn(), tenant_);
  // 23 enterprises whose sort orders repeat and go negative, so that ties are broken by id.
  for (int i = 0; i < 23; ++i) {
    add_unit(conn(), tenant_, K::kEnterprise, &t.hq, "商铺" + std::to_string(i), std::nullopt,
             (i * 7) % 5 - 2);
  }
  auto expected = list({});
  ASSERT_EQ(expected.size(), 31u);
  std::sort(expected.begin(), expected.end(), [](const org::Unit& a, const org::Unit& b) {
    return std::pair(a.sort_order, a.id) < std::pair(b.sort_order, b.id);
  });

  std::vector<org::Id> walked;
  std::optional<Cursor> after;
  int pages = 0;
  for (;;) {
    const auto page = org().list_units({.limit = 5, .after = after});
    ASSERT_LE(page.size(), 5u);
    if (page.empty()) break;
    ++pages;
    for (const auto& u : page) walked.push_back(u.id);
    // The cursor goes through its text form, as it does in the API.
    const auto text = encode_cursor({page.back().sort_order, page.back().id});
    after = decode_cursor(text);
    ASSERT_TRUE(after.has_value()) << text;
    ASSERT_LT(pages, 20) << "pagination does not end";
  }
  EXPECT_EQ(pages, 7);  // 31 units in pages of 5
  EXPECT_EQ(walked, ids_of(expected));
  EXPECT_EQ(std::set<org::Id>(walked.begin(), walked.end()).size(), walked.size());
}

TEST_P(RepoContract, KeysetPagesWithAFilter) {
  const auto t = make_tree(conn(), tenant_);
  std::vector<org::Id> shops;
  for (int i = 0; i < 7; ++i) {
    shops.push_back(
        add_unit(conn(), tenant_, K::kEnterprise, &t.hq, "店" + std::to_string(i), std::nullopt, 0)
            .id);
  }
  const auto first = org().list_units({.kind = K::kEnterprise, .limit = 4});
  ASSERT_EQ(first.size(), 4u);
  const auto second = org().list_units({.kind = K::kEnterprise,
                                        .limit = 4,
                                        .after = Cursor{first.back().sort_order, first.back().id}});
  ASSERT_EQ(second.size(), 3u);
  auto all = ids_of(first);
  for (auto id : ids_of(second)) all.push_back(id);
  EXPECT_EQ(all, shops);
}

TEST_P(RepoContract, CursorTextRoundTrips) {
  for (const Cursor c : {Cursor{0, 1}, Cursor{-5, 12}, Cursor{1000000, 9223372036854775807}}) {
    const auto back = decode_cursor(encode_cursor(c));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->key, c.key);
    EXPECT_EQ(back->id, c.id);
  }
  for (const char* bad : {"", "12", ".", "1.", ".1", "a.1", "1.b", "1.2.3", "1.2 "}) {
    EXPECT_EQ(decode_cursor(bad), std::nullopt) << bad;
  }
}

TEST_P(RepoContract, MoveUnitRewritesTheWholeSubtree) {
  const auto t = make_tree(conn(), tenant_);
  // Community 40 at "/1/2/40/" starts with the characters of "/1/2/4": it must not move along.
  const auto comm40 =
      add_unit(conn(), tenant_, K::kCommunity, &t.sub_a, "永泰北社区", "c40", 0, 40);
  const auto grid41 = add_unit(conn(), tenant_, K::kGrid, &comm40, "永泰北网格", "g41", 0, 41);
  add_unit(conn(), tenant_, K::kEnterprise, &t.grid_a, "网格内物业", std::nullopt, 0, 50);

  const auto new_path = org::child_path(t.sub_b.path, t.comm_a.id);
  ASSERT_EQ(new_path, "/1/3/4/");
  ASSERT_TRUE(org().move_unit(t.comm_a, t.sub_b.id, new_path, t.comm_a.version, kNow + 60000));

  const auto moved = org().find_unit(t.comm_a.id);
  ASSERT_TRUE(moved.has_value());
  EXPECT_EQ(moved->parent_id, t.sub_b.id);
  EXPECT_EQ(moved->path, "/1/3/4/");
  EXPECT_EQ(moved->version, t.comm_a.version + 1);
  EXPECT_EQ(moved->updated_at, kNow + 60000);
  EXPECT_EQ(org().find_unit(t.grid_a.id)->path, "/1/3/4/6/");
  EXPECT_EQ(org().find_unit(50)->path, "/1/3/4/6/50/");
  // The child keeps its parent; only its path changed.
  EXPECT_EQ(org().find_unit(t.grid_a.id)->parent_id, t.comm_a.id);
  // Bystanders stay where they were.
  EXPECT_EQ(org().find_unit(comm40.id)->path, "/1/2/40/");
  EXPECT_EQ(org().find_unit(grid41.id)->path, "/1/2/40/41/");
  EXPECT_EQ(org().find_unit(t.sub_a.id)->path, "/1/2/");
  EXPECT_EQ(org().find_unit(t.comm_b.id)->path, "/1/3/5/");
  // And the scope follows the move.
  access::Scope sub_b{.all = false, .roots = {t.sub_b.path}};
  EXPECT_EQ(id_set(list({.scope = &sub_b})),
            (std::set<org::Id>{t.sub_b.id, t.comm_b.id, t.comm_a.id, t.grid_a.id, 50}));
}

TEST_P(RepoContract, MoveUnitWithAStaleVersionChangesNothing) {
  const auto t = make_tree(conn(), tenant_);
  auto edited = t.comm_a;
  edited.name = "永泰南社区（新）";
  ASSERT_TRUE(org().update_unit(edited, 1));  // now version 2
  EXPECT_FALSE(org().move_unit(t.comm_a, t.sub_b.id, "/1/3/4/", 1, kNow));
  const auto still = org().find_unit(t.comm_a.id);
  EXPECT_EQ(still->parent_id, t.sub_a.id);
  EXPECT_EQ(still->path, "/1/2/4/");
  EXPECT_EQ(org().find_unit(t.grid_a.id)->path, "/1/2/4/6/");
}

TEST_P(RepoContract, UpdateUnitChecksTheVersion) {
  const auto t = make_tree(conn(), tenant_);
  auto u = t.sub_a;
  u.name = "永泰街道办事处";
  u.name_en = "Yongtai";
  u.duties = "新职责";
  u.sort_order = 42;
  u.updated_at = kNow + 1000;
  ASSERT_TRUE(org().update_unit(u, 1));
  auto stored = org().find_unit(u.id);
  EXPECT_EQ(stored->name, "永泰街道办事处");
  EXPECT_EQ(stored->name_en, "Yongtai");
  EXPECT_EQ(stored->duties, "新职责");
  EXPECT_EQ(stored->sort_order, 42);
  EXPECT_EQ(stored->version, 2);
  EXPECT_EQ(stored->updated_at, kNow + 1000);
  EXPECT_EQ(stored->created_at, kNow);

  auto stale = t.sub_a;
  stale.name = "过时的写入";
  EXPECT_FALSE(org().update_unit(stale, 1));
  EXPECT_EQ(org().find_unit(u.id)->name, "永泰街道办事处");
  EXPECT_EQ(org().find_unit(u.id)->version, 2);
  EXPECT_FALSE(org().update_unit(stale, 3));  // from the future neither
  auto missing = stale;
  missing.id = 999;
  EXPECT_FALSE(org().update_unit(missing, 1));
}

TEST_P(RepoContract, DuplicateUnitCodeIsAUniqueViolation) {
  const auto t = make_tree(conn(), tenant_);
  EXPECT_EQ(storage_error_kind(
                [&] { add_unit(conn(), tenant_, K::kCommunity, &t.sub_b, "另一个社区", "yt-s"); }),
            StorageError::Kind::kUniqueViolation);
  // Units without a code do not collide, and another tenant may use the same code.
  add_unit(conn(), tenant_, K::kEnterprise, &t.hq, "无编码一");
  add_unit(conn(), tenant_, K::kEnterprise, &t.hq, "无编码二");
  add_unit(conn(), tenant_ + 1, K::kHq, nullptr, "别的城市", "yt-s");
  EXPECT_EQ(org().find_unit_by_code("yt-s")->id, t.comm_a.id);
  // Changing a code to one in use is refused too.
  auto u = t.comm_b;
  u.code = "yt-s";
  EXPECT_EQ(storage_error_kind([&] { org().update_unit(u, u.version); }),
            StorageError::Kind::kUniqueViolation);
}

TEST_P(RepoContract, DuplicateUnitIdIsAUniqueViolation) {
  const auto t = make_tree(conn(), tenant_);
  EXPECT_EQ(storage_error_kind([&] {
              add_unit(conn(), tenant_, K::kEnterprise, &t.hq, "重复", std::nullopt, 0, t.dept.id);
            }),
            StorageError::Kind::kUniqueViolation);
}

// ---- people ----

TEST_P(RepoContract, InsertsFindsAndUpdatesPeople) {
  org::Person p;
  p.id = next_id(conn(), tenant_, "people");
  p.name = "张三";
  p.phone = "138-0000-0000";
  p.title = "主任";
  p.is_demo = true;
  org().insert_person(p, kNow);
  auto found = org().find_person(p.id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->name, "张三");
  EXPECT_EQ(found->phone, "138-0000-0000");
  EXPECT_EQ(found->title, "主任");
  EXPECT_TRUE(found->is_demo);
  EXPECT_EQ(found->version, 1);

  p.phone = std::nullopt;
  p.retired = true;
  ASSERT_TRUE(org().update_person(p, 1, kNow + 1));
  EXPECT_FALSE(org().update_person(p, 1, kNow + 2));
  found = org().find_person(p.id);
  EXPECT_EQ(found->phone, std::nullopt);
  EXPECT_TRUE(found->retired);
  EXPECT_EQ(found->version, 2);
  EXPECT_EQ(OrgRepo(conn(), tenant_ + 1).find_person(p.id), std::nullopt);
}

TEST_P(RepoContract, PeopleListedWithinScopeThroughMemberships) {
  const auto t = make_tree(conn(), tenant_);
  const auto in_grid = add_person(conn(), tenant_, "李网格", "13900000001");
  const auto in_sub_b = add_person(conn(), tenant_, "王街道");
  const auto unattached = add_person(conn(), tenant_, "赵无岗");
  const auto two_units = add_person(conn(), tenant_, "钱两岗");
  add_member(conn(), tenant_, in_grid, t.grid_a);
  add_member(conn(), tenant_, in_sub_b, t.sub_b);
  add_member(conn(), tenant_, two_units, t.dept);
  add_member(conn(), tenant_, two_units, t.comm_a);

  access::Scope sub_a{.all = false, .roots = {t.sub_a.path}};
  EXPECT_EQ(ids_of(org().list_people({.scope = &sub_a})),
            (std::vector<org::Id>{in_grid.id, two_units.id}));  // once each
  access::Scope sub_b{.all = false, .roots = {t.sub_b.path}};
  EXPECT_EQ(ids_of(org().list_people({.scope = &sub_b})), (std::vector<org::Id>{in_sub_b.id}));
  access::Scope all{.all = true, .roots = {}};
  EXPECT_EQ(ids_of(org().list_people({.scope = &all})),
            (std::vector<org::Id>{in_grid.id, in_sub_b.id, unattached.id, two_units.id}));
  EXPECT_EQ(org().list_people({}).size(), 4u);  // no scope filter
  access::Scope none;
  EXPECT_TRUE(org().list_people({.scope = &none}).empty());

  EXPECT_EQ(ids_of(org().list_people({.unit_id = t.comm_a.id})),
            (std::vector<org::Id>{two_units.id}));
  EXPECT_TRUE(org().list_people({.unit_id = t.comm_a.id, .scope = &sub_b}).empty());
  EXPECT_EQ(ids_of(org().list_people({.q = "网格"})), (std::vector<org::Id>{in_grid.id}));
  EXPECT_EQ(ids_of(org().list_people({.q = "0001"})), (std::vector<org::Id>{in_grid.id}));
}

TEST_P(RepoContract, PeopleScopeIsNotADigitPrefix) {
  const auto t = make_tree(conn(), tenant_);
  const auto sub20 = add_unit(conn(), tenant_, K::kSubdistrict, &t.hq, "新旺街道", "s20", 9, 20);
  const auto p = add_person(conn(), tenant_, "孙二十");
  add_member(conn(), tenant_, p, sub20);
  access::Scope sub_a{.all = false, .roots = {t.sub_a.path}};
  EXPECT_TRUE(org().list_people({.scope = &sub_a}).empty());
}

TEST_P(RepoContract, PeopleHideRetiredAndPageById) {
  std::vector<org::Id> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(add_person(conn(), tenant_, "人" + std::to_string(i)).id);
  auto gone = *org().find_person(ids[2]);
  gone.retired = true;
  ASSERT_TRUE(org().update_person(gone, gone.version, kNow));
  EXPECT_EQ(ids_of(org().list_people({})), (std::vector<org::Id>{ids[0], ids[1], ids[3], ids[4]}));
  EXPECT_EQ(org().list_people({.include_retired = true}).size(), 5u);
  const auto first = org().list_people({.limit = 2});
  ASSERT_EQ(ids_of(first), (std::vector<org::Id>{ids[0], ids[1]}));
  EXPECT_EQ(ids_of(org().list_people({.limit = 2, .after = Cursor{0, first.back().id}})),
            (std::vector<org::Id>{ids[3], ids[4]}));
}

// ---- posts and memberships ----

TEST_P(RepoContract, PostsUpsertAndListInOrder) {
  auto posts = org().posts();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].code, "head");  // sort order 10 before 20
  EXPECT_EQ(posts[1].code, "member");
  org().upsert_post({"member", "组员", "Team member", 5});
  posts = org().posts();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].code, "member");
  EXPECT_EQ(posts[0].name, "组员");
  EXPECT_EQ(posts[0].name_en, "Team member");
  EXPECT_EQ(org().find_post("head")->name, "负责人");
  EXPECT_EQ(org().find_post("nope"), std::nullopt);
}

TEST_P(RepoContract, MembershipsCarryTheJoinedNames) {
  const auto t = make_tree(conn(), tenant_);
  const auto zhang = add_person(conn(), tenant_, "张主任");
  const auto li = add_person(conn(), tenant_, "李干事");
  const auto m_li = add_member(conn(), tenant_, li, t.sub_a);
  const auto m_zhang = add_member(conn(), tenant_, zhang, t.sub_a, "head", true);

  const auto of_unit = org().memberships_of_unit(t.sub_a.id);
  ASSERT_EQ(of_unit.size(), 2u);
  EXPECT_EQ(of_unit[0].m.id, m_zhang.id);  // the head first
  EXPECT_TRUE(of_unit[0].m.is_head);
  EXPECT_EQ(of_unit[0].person_name, "张主任");
  EXPECT_EQ(of_unit[0].unit_name, "永泰街道");
  EXPECT_EQ(of_unit[0].unit_path, "/1/2/");
  EXPECT_EQ(of_unit[0].post_name, "负责人");
  EXPECT_EQ(of_unit[0].post_name_en, "Head");
  EXPECT_EQ(of_unit[1].m.id, m_li.id);
  EXPECT_FALSE(of_unit[1].m.is_head);
  EXPECT_EQ(of_unit[1].person_name, "李干事");
  EXPECT_EQ(of_unit[1].m.post_code, "member");

  const auto found = org().find_membership(m_li.id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->m.person_id, li.id);
  EXPECT_EQ(found->m.unit_id, t.sub_a.id);
  EXPECT_EQ(found->post_name, "成员");
  EXPECT_EQ(org().find_membership(999), std::nullopt);

  add_member(conn(), tenant_, li, t.task_force);
  const auto of_li = org().memberships_of_person(li.id);
  ASSERT_EQ(of_li.size(), 2u);
  EXPECT_EQ(of_li[0].unit_name, "永泰街道");
  EXPECT_EQ(of_li[1].unit_name, "交通秩序专班");
  EXPECT_EQ(org().memberships_of_units({t.sub_a.id, t.task_force.id}).size(), 3u);
  EXPECT_EQ(org().all_memberships().size(), 3u);
  EXPECT_EQ(org().head_membership(t.sub_a.id), m_zhang.id);
  EXPECT_EQ(org().head_membership(t.task_force.id), std::nullopt);
  EXPECT_TRUE(org().membership_exists(li.id, t.sub_a.id, "member"));
  EXPECT_FALSE(org().membership_exists(li.id, t.sub_a.id, "head"));

  const auto paths = org().person_unit_paths(li.id);
  EXPECT_EQ(std::set(paths.begin(), paths.end()),
            (std::set<std::pair<UnitKind, std::string>>{{K::kSubdistrict, "/1/2/"},
                                                        {K::kTaskForce, "/1/7/"}}));

  EXPECT_TRUE(org().delete_membership(m_li.id));
  EXPECT_FALSE(org().delete_membership(m_li.id));
  EXPECT_EQ(org().end_memberships_of_person(li.id), 1);
  EXPECT_TRUE(org().memberships_of_person(li.id).empty());
}

TEST_P(RepoContract, OneHeadPerUnit) {
  const auto t = make_tree(conn(), tenant_);
  const auto zhang = add_person(conn(), tenant_, "张主任");
  const auto wang = add_person(conn(), tenant_, "王副主任");
  add_member(conn(), tenant_, zhang, t.sub_a, "head", true);
  EXPECT_EQ(storage_error_kind([&] { add_member(conn(), tenant_, wang, t.sub_a, "member", true); }),
            StorageError::Kind::kUniqueViolation);
  // As a plain member, or as head of another unit, the second person is fine.
  add_member(conn(), tenant_, wang, t.sub_a, "member", false);
  add_member(conn(), tenant_, wang, t.sub_b, "head", true);
  EXPECT_EQ(org().memberships_of_unit(t.sub_a.id).size(), 2u);
}

TEST_P(RepoContract, SameMembershipTwiceIsAUniqueViolation) {
  const auto t = make_tree(conn(), tenant_);
  const auto zhang = add_person(conn(), tenant_, "张三");
  add_member(conn(), tenant_, zhang, t.sub_a);
  EXPECT_EQ(storage_error_kind([&] { add_member(conn(), tenant_, zhang, t.sub_a); }),
            StorageError::Kind::kUniqueViolation);
}

TEST_P(RepoContract, MembershipNeedsAnExistingPost) {
  const auto t = make_tree(conn(), tenant_);
  const auto zhang = add_person(conn(), tenant_, "张三");
  EXPECT_EQ(storage_error_kind([&] { add_member(conn(), tenant_, zhang, t.sub_a, "no_such"); }),
            StorageError::Kind::kConstraint);
}

// ---- liaisons ----

TEST_P(RepoContract, OneLiaisonPerPlace) {
  const auto t = make_tree(conn(), tenant_);
  const auto leader = add_person(conn(), tenant_, "刘区长");
  const auto other = add_person(conn(), tenant_, "陈副区长");
  org::Liaison l{next_id(conn(), tenant_, "liaisons"), t.sub_a.id, leader.id};
  org().insert_liaison(l, kNow);
  org::Liaison second{next_id(conn(), tenant_, "liaisons"), t.sub_a.id, other.id};
  EXPECT_EQ(storage_error_kind([&] { org().insert_liaison(second, kNow); }),
            StorageError::Kind::kUniqueViolation);
  // One leader may answer for several places.
  org::Liaison l2{next_id(conn(), tenant_, "liaisons"), t.sub_b.id, leader.id};
  org().insert_liaison(l2, kNow);

  const auto view = org().liaison_of_unit(t.sub_a.id);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->l.id, l.id);
  EXPECT_EQ(view->l.leader_id, leader.id);
  EXPECT_EQ(view->leader_name, "刘区长");
  EXPECT_EQ(view->unit_name, "永泰街道");
  EXPECT_EQ(view->unit_path, "/1/2/");
  EXPECT_EQ(org().liaison_of_unit(t.comm_a.id), std::nullopt);
  EXPECT_EQ(org().count_liaisons_of_leader(leader.id), 2);
  EXPECT_EQ(org().count_liaisons_of_leader(other.id), 0);
  EXPECT_EQ(org().list_liaisons(std::nullopt, leader.id).size(), 2u);
  EXPECT_EQ(org().list_liaisons(t.sub_b.id, std::nullopt).size(), 1u);
  EXPECT_EQ(org().find_liaison(l2.id)->unit_name, "古城街道");

  EXPECT_TRUE(org().delete_liaison(l.id));
  EXPECT_FALSE(org().delete_liaison(l.id));
  org().insert_liaison(second, kNow);  // the place is free again
  EXPECT_EQ(org().liaison_of_unit(t.sub_a.id)->leader_name, "陈副区长");
}

// ---- tenants ----

TEST_P(RepoContract, TenantUpsertCreatesTheLedgerHead) {
  TenantRepo tenants(conn());
  Tenant t;
  t.code = "yungang";
  t.name = "云冈区";
  t.name_en = "Yungang District";
  t.admin_code = "140214";
  t.center_lat = 40.05;
  t.center_lng = 113.15;
  const auto id = tenants.upsert(t, kNow);
  EXPECT_EQ(id, tenant_ + 1);
  const auto head = conn().query("SELECT seq, hash FROM ledger_heads WHERE tenant_id = ?", {id});
  ASSERT_EQ(head.size(), 1u);
  EXPECT_EQ(head[0].get_int(0), 0);
  EXPECT_EQ(head[0].get_text(1), ledger::kGenesisHash);
  const auto r = LedgerRepo(conn(), id).verify();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.events, 0);

  const auto found = tenants.find(id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->code, "yungang");
  EXPECT_EQ(found->name, "云冈区");
  EXPECT_EQ(found->name_en, "Yungang District");
  EXPECT_EQ(found->admin_code, "140214");
  EXPECT_EQ(found->timezone, "Asia/Shanghai");
  ASSERT_TRUE(found->center_lat.has_value());
  EXPECT_DOUBLE_EQ(*found->center_lat, 40.05);
  EXPECT_DOUBLE_EQ(*found->center_lng, 113.15);
}

TEST_P(RepoContract, TenantUpsertOfAKnownCodeUpdatesInPlace) {
  TenantRepo tenants(conn());
  ledger::Event e;
  e.at = kNow;
  e.actor_name = "system";
  e.entity_type = "tenant";
  e.entity_id = tenant_;
  e.action = "create";
  LedgerRepo(conn(), tenant_).append(e);

  Tenant t;
  t.code = "pingcheng";
  t.name = "平城区（新）";
  EXPECT_EQ(tenants.upsert(t, kNow + 1), tenant_);
  EXPECT_EQ(tenants.all().size(), 1u);
  EXPECT_EQ(tenants.find_by_code("pingcheng")->name, "平城区（新）");
  EXPECT_EQ(tenants.find_by_code("nope"), std::nullopt);
  // The head was not reset: the chain still verifies with its one event.
  const auto r = LedgerRepo(conn(), tenant_).verify();
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.events, 1);
}

// ---- users, sessions, tokens ----

User make_user(std::int64_t id, std::string username) {
  User u;
  u.id = id;
  u.username = std::move(username);
  u.password_hash = "$argon2id$v=19$stub";
  u.role = access::Role::kUnitOperator;
  u.display_name = "操作员" + std::to_string(id);
  return u;
}

TEST_P(RepoContract, UsersFoundByUsernameWithinTheirTenant) {
  const auto t = make_tree(conn(), tenant_);
  const auto person = add_person(conn(), tenant_, "李操作");
  UserRepo users(conn(), tenant_);
  auto u = make_user(1, "yt-operator");
  u.unit_id = t.sub_a.id;
  u.person_id = person.id;
  u.is_demo = true;
  users.insert(u, kNow);

  const auto found = users.find_by_username("yt-operator");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, 1);
  EXPECT_EQ(found->role, access::Role::kUnitOperator);
  EXPECT_EQ(found->display_name, "操作员1");
  EXPECT_EQ(found->password_hash, "$argon2id$v=19$stub");
  EXPECT_EQ(found->unit_id, t.sub_a.id);
  EXPECT_EQ(found->person_id, person.id);
  EXPECT_FALSE(found->disabled);
  EXPECT_TRUE(found->is_demo);
  EXPECT_EQ(found->version, 1);
  EXPECT_EQ(users.find_by_username("YT-OPERATOR"), std::nullopt);  // exact match
  EXPECT_EQ(users.find_by_username("yt-operato"), std::nullopt);
  EXPECT_EQ(users.find(1)->username, "yt-operator");
  EXPECT_EQ(UserRepo(conn(), tenant_ + 1).find_by_username("yt-operator"), std::nullopt);

  EXPECT_EQ(storage_error_kind([&] { users.insert(make_user(2, "yt-operator"), kNow); }),
            StorageError::Kind::kUniqueViolation);
  UserRepo(conn(), tenant_ + 1).insert(make_user(1, "yt-operator"), kNow);  // another tenant
}

TEST_P(RepoContract, UserUpdateChecksTheVersion) {
  UserRepo users(conn(), tenant_);
  users.insert(make_user(1, "a"), kNow);
  auto u = *users.find(1);
  u.role = access::Role::kHqStaff;
  u.disabled = true;
  ASSERT_TRUE(users.update(u, 1, kNow));
  EXPECT_FALSE(users.update(u, 1, kNow));
  const auto stored = users.find(1);
  EXPECT_EQ(stored->role, access::Role::kHqStaff);
  EXPECT_TRUE(stored->disabled);
  EXPECT_EQ(stored->version, 2);
}

TEST_P(RepoContract, UserListSearchesAndFiltersAlikeOnBothBackends) {
  UserRepo users(conn(), tenant_);
  auto admin = make_user(1, "admin");
  admin.role = access::Role::kHqAdmin;
  admin.display_name = "系统管理员";
  users.insert(admin, kNow);
  users.insert(make_user(2, "yt_op"), kNow);
  users.insert(make_user(3, "ytxop"), kNow);
  EXPECT_EQ(users.list({.q = "管理"}).size(), 1u);
  const auto underscore = users.list({.q = "_"});
  ASSERT_EQ(underscore.size(), 1u);  // '_' literally, not "any character"
  EXPECT_EQ(underscore[0].username, "yt_op");
  EXPECT_EQ(users.list({.role = access::Role::kHqAdmin}).size(), 1u);
  EXPECT_EQ(users.list({.role = access::Role::kUnitOperator}).size(), 2u);
  // The same search must find the same users on SQLite and PostgreSQL, as unit search does.
  const auto upper = users.list({.q = "ADMIN"});
  ASSERT_EQ(upper.size(), 1u);
  EXPECT_EQ(upper[0].username, "admin");
}

// Regression, as for units: the pattern was folded for ASCII only, the column by the database.
TEST_P(RepoContract, UserListFindsADisplayNameWithNonAsciiCapitalsByItself) {
  UserRepo users(conn(), tenant_);
  auto u = make_user(1, "li");
  u.display_name = "ＬＩ Ｗei（网格员）";
  users.insert(u, kNow);
  EXPECT_EQ(users.list({.q = "ＬＩ Ｗei"}).size(), 1u);
  EXPECT_EQ(users.list({.q = "Ｗ"}).size(), 1u);
}

TEST_P(RepoContract, SessionsExpire) {
  UserRepo users(conn(), tenant_);
  users.insert(make_user(1, "a"), kNow);
  const Millis expires = kNow + 3600000;
  users.insert_session({"hash-1", 1, "csrf-1", kNow, expires});
  users.insert_session({"hash-old", 1, "csrf-2", kNow - 7200000, kNow - 3600000});

  const auto s = users.find_session("hash-1", kNow);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->user_id, 1);
  EXPECT_EQ(s->csrf_token, "csrf-1");
  EXPECT_EQ(s->created_at, kNow);
  EXPECT_EQ(s->expires_at, expires);
  EXPECT_TRUE(users.find_session("hash-1", expires - 1).has_value());
  EXPECT_EQ(users.find_session("hash-1", expires), std::nullopt);  // expired at the instant
  EXPECT_EQ(users.find_session("hash-1", expires + 1), std::nullopt);
  EXPECT_EQ(users.find_session("hash-old", kNow), std::nullopt);
  EXPECT_EQ(users.find_session("hash-nope", kNow), std::nullopt);
  EXPECT_EQ(UserRepo(conn(), tenant_ + 1).find_session("hash-1", kNow), std::nullopt);

  EXPECT_EQ(users.delete_expired_sessions(kNow), 1);
  EXPECT_TRUE(users.find_session("hash-1", kNow).has_value());
  users.delete_session("hash-1");
  EXPECT_EQ(users.find_session("hash-1", kNow), std::nullopt);
  users.insert_session({"hash-2", 1, "c", kNow, expires});
  users.insert_session({"hash-3", 1, "c", kNow, expires});
  EXPECT_EQ(users.delete_sessions_of_user(1), 2);
}

TEST_P(RepoContract, TokensAreRevoked) {
  UserRepo users(conn(), tenant_);
  users.insert(make_user(1, "a"), kNow);
  users.insert_token({1, 1, "巡查App", "tok-hash-1", false, kNow});
  users.insert_token({2, 1, "报表", "tok-hash-2", false, kNow});
  auto t = users.find_token_by_hash("tok-hash-1");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->id, 1);
  EXPECT_EQ(t->name, "巡查App");
  EXPECT_FALSE(t->revoked);

  EXPECT_TRUE(users.revoke_token(1));
  EXPECT_TRUE(users.find_token_by_hash("tok-hash-1")->revoked);
  EXPECT_TRUE(users.find_token(1)->revoked);
  EXPECT_FALSE(users.find_token(2)->revoked);  // only that one
  EXPECT_FALSE(users.revoke_token(99));
  EXPECT_EQ(users.tokens_of_user(1).size(), 2u);
  EXPECT_EQ(users.find_token_by_hash("nope"), std::nullopt);
  EXPECT_EQ(storage_error_kind([&] {
              users.insert_token({3, 1, "dup", "tok-hash-2", false, kNow});
            }),
            StorageError::Kind::kUniqueViolation);
}

// ---- ledger ----

// Appends n events in one write transaction, as the use cases do; returns them as stored.
std::vector<ledger::Event> append_events(Connection& c, std::int64_t tenant, int n,
                                         int first_entity = 1) {
  std::vector<ledger::Event> out;
  c.begin(true);
  LedgerRepo repo(c, tenant);
  for (int i = 0; i < n; ++i) {
    ledger::Event e;
    e.at = kNow + i;
    e.actor_user_id = i % 2 == 0 ? std::optional<std::int64_t>(7) : std::nullopt;
    e.actor_name = i % 2 == 0 ? "管理员" : "system";
    e.entity_type = "org_unit";
    e.entity_id = first_entity + i;
    e.action = i == 0 ? "create" : "update";
    if (i > 0) e.before = R"({"name":"旧"})";
    e.after = R"({"name":"新)" + std::to_string(i) + R"("})";
    if (i == 2) e.note = "";
    repo.append(e);
    out.push_back(e);
  }
  c.commit();
  return out;
}

TEST_P(RepoContract, LedgerAppendLinksSeqOneToN) {
  const auto events = append_events(conn(), tenant_, 5);
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(events[i].tenant_id, tenant_);
    EXPECT_EQ(events[i].prev_hash, i == 0 ? ledger::kGenesisHash : events[i - 1].hash);
    EXPECT_EQ(events[i].hash, ledger::compute_hash(events[i]));
  }
  const auto r = LedgerRepo(conn(), tenant_).verify();
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.events, 5);
  const auto head =
      conn().query("SELECT seq, hash FROM ledger_heads WHERE tenant_id = ?", {tenant_});
  EXPECT_EQ(head.at(0).get_int(0), 5);
  EXPECT_EQ(head.at(0).get_text(1), events.back().hash);
}

TEST_P(RepoContract, LedgerStoresEventsExactly) {
  const auto events = append_events(conn(), tenant_, 3);
  const auto listed = LedgerRepo(conn(), tenant_).list({});
  ASSERT_EQ(listed.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& got = listed[2 - i];  // newest first
    const auto& want = events[i];
    EXPECT_EQ(got.seq, want.seq);
    EXPECT_EQ(got.at, want.at);
    EXPECT_EQ(got.actor_user_id, want.actor_user_id);
    EXPECT_EQ(got.actor_name, want.actor_name);
    EXPECT_EQ(got.entity_type, want.entity_type);
    EXPECT_EQ(got.entity_id, want.entity_id);
    EXPECT_EQ(got.action, want.action);
    EXPECT_EQ(got.before, want.before);
    EXPECT_EQ(got.after, want.after);
    EXPECT_EQ(got.note, want.note);  // "" stays "", absent stays absent
    EXPECT_EQ(got.prev_hash, want.prev_hash);
    EXPECT_EQ(got.hash, want.hash);
  }
  EXPECT_EQ(listed[0].note, "");
  EXPECT_EQ(listed[1].note, std::nullopt);
  EXPECT_EQ(listed[0].before, R"({"name":"旧"})");
  EXPECT_EQ(listed[2].before, std::nullopt);
  EXPECT_EQ(listed[0].actor_user_id, 7);
  EXPECT_EQ(listed[1].actor_user_id, std::nullopt);
}

TEST_P(RepoContract, LedgerListFiltersAndPages) {
  append_events(conn(), tenant_, 5, 10);  // entities 10..14
  LedgerRepo repo(conn(), tenant_);
  const auto page = repo.list({.limit = 2});
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].seq, 5);
  EXPECT_EQ(page[1].seq, 4);
  const auto next = repo.list({.limit = 2, .before_seq = page.back().seq});
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].seq, 3);
  EXPECT_EQ(next[1].seq, 2);
  const auto one = repo.list({.entity_type = "org_unit", .entity_id = 12});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].seq, 3);
  EXPECT_TRUE(repo.list({.entity_type = "person"}).empty());
}

TEST_P(RepoContract, LedgerChainsArePerTenant) {
  Tenant t;
  t.code = "yungang";
  t.name = "云冈区";
  const auto other = TenantRepo(conn()).upsert(t, kNow);
  append_events(conn(), tenant_, 3);
  const auto theirs = append_events(conn(), other, 2);
  EXPECT_EQ(theirs[0].seq, 1);
  EXPECT_EQ(theirs[0].prev_hash, ledger::kGenesisHash);
  EXPECT_EQ(LedgerRepo(conn(), tenant_).verify().events, 3);
  EXPECT_EQ(LedgerRepo(conn(), other).verify().events, 2);
  EXPECT_TRUE(LedgerRepo(conn(), other).verify().ok);
}

TEST_P(RepoContract, LedgerAppendRolledBackLeavesNoTrace) {
  append_events(conn(), tenant_, 2);
  conn().begin(true);
  ledger::Event e;
  e.actor_name = "x";
  e.entity_type = "org_unit";
  e.action = "create";
  LedgerRepo(conn(), tenant_).append(e);
  conn().rollback();
  const auto r = LedgerRepo(conn(), tenant_).verify();
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.events, 2);
  EXPECT_EQ(append_events(conn(), tenant_, 1)[0].seq, 3);
}

TEST_P(RepoContract, LedgerAppendWithoutAHeadThrows) {
  ledger::Event e;
  e.actor_name = "x";
  e.entity_type = "org_unit";
  e.action = "create";
  EXPECT_EQ(storage_error_kind([&] { LedgerRepo(conn(), tenant_ + 5).append(e); }),
            StorageError::Kind::kConstraint);
}

TEST_P(RepoContract, LedgerVerifyNamesAnAlteredNote) {
  append_events(conn(), tenant_, 5);
  ASSERT_EQ(conn().execute("UPDATE ledger_events SET note = ? WHERE tenant_id = ? AND seq = ?",
                           {std::string("事后补记"), tenant_, std::int64_t{3}}),
            1);
  const auto r = LedgerRepo(conn(), tenant_).verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_seq, 3);
  EXPECT_EQ(r.reason, "altered");
  EXPECT_EQ(r.events, 2);
}

TEST_P(RepoContract, LedgerVerifyNamesANoteThatWentFromEmptyToAbsent) {
  append_events(conn(), tenant_, 5);  // event 3 has note ""
  ASSERT_EQ(conn().execute("UPDATE ledger_events SET note = NULL WHERE tenant_id = ? AND seq = ?",
                           {tenant_, std::int64_t{3}}),
            1);
  const auto r = LedgerRepo(conn(), tenant_).verify();
  EXPECT_EQ(r.bad_seq, 3);
  EXPECT_EQ(r.reason, "altered");
}

TEST_P(RepoContract, LedgerVerifyNamesADeletedMiddleEvent) {
  append_events(conn(), tenant_, 5);
  ASSERT_EQ(conn().execute("DELETE FROM ledger_events WHERE tenant_id = ? AND seq = ?",
                           {tenant_, std::int64_t{3}}),
            1);
  const auto r = LedgerRepo(conn(), tenant_).verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_seq, 3);
  EXPECT_EQ(r.reason, "missing");
}

TEST_P(RepoContract, LedgerVerifyNamesADeletedLastEvent) {
  append_events(conn(), tenant_, 5);
  ASSERT_EQ(conn().execute("DELETE FROM ledger_events WHERE tenant_id = ? AND seq = ?",
                           {tenant_, std::int64_t{5}}),
            1);
  const auto r = LedgerRepo(conn(), tenant_).verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_seq, 5);
  EXPECT_EQ(r.reason, "missing");
  EXPECT_EQ(r.events, 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, RepoContract, ::testing::ValuesIn(test::test_backends()),
                         test::backend_name);

}  // namespace
}  // namespace civicloop::storage
