#include "domain/org.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace civicloop::org {
namespace {

using K = UnitKind;

// The value of `key` in an error's details, "" when absent.
std::string detail(const Error& e, const std::string& key) {
  for (const auto& [k, v] : e.details) {
    if (k == key) return v;
  }
  return "";
}

// The error code of a status, "ok" when it succeeded.
std::string code_of(const Status& s) { return s.ok() ? "ok" : s.error().code; }

Unit make_unit(Id id, UnitKind kind, std::string path, std::optional<Id> parent_id) {
  Unit u;
  u.id = id;
  u.kind = kind;
  u.name = "单位" + std::to_string(id);
  u.path = std::move(path);
  u.parent_id = parent_id;
  return u;
}

// A small tree:      /1/ hq
//   /1/2/ subdistrict A      /1/2/4/ community under A     /1/2/4/6/ grid under that community
//   /1/3/ subdistrict B      /1/3/5/ community under B
//   /1/7/ task force         /1/8/ department
struct Tree {
  Unit hq = make_unit(1, K::kHq, "/1/", std::nullopt);
  Unit sub_a = make_unit(2, K::kSubdistrict, "/1/2/", 1);
  Unit sub_b = make_unit(3, K::kSubdistrict, "/1/3/", 1);
  Unit comm_a = make_unit(4, K::kCommunity, "/1/2/4/", 2);
  Unit comm_b = make_unit(5, K::kCommunity, "/1/3/5/", 3);
  Unit grid_a = make_unit(6, K::kGrid, "/1/2/4/6/", 4);
  Unit task_force = make_unit(7, K::kTaskForce, "/1/7/", 1);
  Unit department = make_unit(8, K::kDepartment, "/1/8/", 1);
};

// ---- kinds ----

TEST(OrgUnitKind, EveryKindRoundTripsThroughItsName) {
  const auto& kinds = all_unit_kinds();
  ASSERT_EQ(kinds.size(), 11u);
  std::set<std::string> names;
  for (const auto kind : kinds) {
    const auto name = std::string(to_string(kind));
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
    const auto parsed = parse_unit_kind(name);
    ASSERT_TRUE(parsed.has_value()) << name;
    EXPECT_EQ(*parsed, kind) << name;
  }
}

TEST(OrgUnitKind, UsesTheGlossaryNames) {
  EXPECT_EQ(to_string(K::kHq), "hq");
  EXPECT_EQ(to_string(K::kSupervisionGroup), "supervision_group");
  EXPECT_EQ(to_string(K::kTaskForce), "task_force");
  EXPECT_EQ(to_string(K::kSubdistrict), "subdistrict");
  EXPECT_EQ(to_string(K::kCommunity), "community");
  EXPECT_EQ(to_string(K::kGrid), "grid");
}

TEST(OrgUnitKind, RejectsUnknownNames) {
  EXPECT_EQ(parse_unit_kind(""), std::nullopt);
  EXPECT_EQ(parse_unit_kind("HQ"), std::nullopt);  // case matters
  EXPECT_EQ(parse_unit_kind("street"), std::nullopt);
  EXPECT_EQ(parse_unit_kind("grid "), std::nullopt);
  EXPECT_EQ(parse_unit_kind("unknown"), std::nullopt);
}

// ---- nesting ----

TEST(OrgMayContain, HqHoldsTheDistrictLevelUnits) {
  EXPECT_TRUE(may_contain(K::kHq, K::kHqOffice));
  EXPECT_TRUE(may_contain(K::kHq, K::kSupervisionGroup));
  EXPECT_TRUE(may_contain(K::kHq, K::kTaskForce));
  EXPECT_TRUE(may_contain(K::kHq, K::kDepartment));
  EXPECT_TRUE(may_contain(K::kHq, K::kSubdistrict));
  EXPECT_FALSE(may_contain(K::kHq, K::kHq));
  EXPECT_FALSE(may_contain(K::kHq, K::kCommunity));
  EXPECT_FALSE(may_contain(K::kHq, K::kVillage));
  EXPECT_FALSE(may_contain(K::kHq, K::kGrid));
}

TEST(OrgMayContain, PlacesNestSubdistrictCommunityGrid) {
  EXPECT_TRUE(may_contain(K::kSubdistrict, K::kCommunity));
  EXPECT_TRUE(may_contain(K::kSubdistrict, K::kVillage));
  EXPECT_FALSE(may_contain(K::kSubdistrict, K::kGrid));  // a grid sits in a community
  EXPECT_FALSE(may_contain(K::kSubdistrict, K::kSubdistrict));
  EXPECT_TRUE(may_contain(K::kCommunity, K::kGrid));
  EXPECT_TRUE(may_contain(K::kVillage, K::kGrid));
  EXPECT_FALSE(may_contain(K::kCommunity, K::kCommunity));
  EXPECT_FALSE(may_contain(K::kCommunity, K::kSubdistrict));
  EXPECT_FALSE(may_contain(K::kGrid, K::kCommunity));
  EXPECT_FALSE(may_contain(K::kGrid, K::kGrid));
}

TEST(OrgMayContain, LeafKindsContainNothing) {
  for (const auto parent :
       {K::kTaskForce, K::kSupervisionGroup, K::kHqOffice, K::kEnforcementTeam, K::kEnterprise}) {
    for (const auto child : all_unit_kinds()) {
      EXPECT_FALSE(may_contain(parent, child))
          << to_string(parent) << " must not contain " << to_string(child);
    }
  }
}

TEST(OrgMayContain, NothingContainsTheHq) {
  for (const auto parent : all_unit_kinds()) {
    EXPECT_FALSE(may_contain(parent, K::kHq)) << to_string(parent);
  }
}

TEST(OrgIsPlace, OnlySubdistrictsCommunitiesAndVillages) {
  std::set<UnitKind> places;
  for (const auto kind : all_unit_kinds()) {
    if (is_place(kind)) places.insert(kind);
  }
  EXPECT_EQ(places, (std::set<UnitKind>{K::kSubdistrict, K::kCommunity, K::kVillage}));
}

// ---- paths ----

TEST(OrgPath, ChildPathAppendsTheId) {
  EXPECT_EQ(child_path("", 1), "/1/");  // a root
  EXPECT_EQ(child_path("/1/", 5), "/1/5/");
  EXPECT_EQ(child_path("/1/5/", 23), "/1/5/23/");
  EXPECT_EQ(child_path("/1/", 1234567890123), "/1/1234567890123/");
}

TEST(OrgPath, PathWithinIncludesItselfAndDescendants) {
  EXPECT_TRUE(path_within("/1/", "/1/"));
  EXPECT_TRUE(path_within("/1/5/", "/1/"));
  EXPECT_TRUE(path_within("/1/5/23/", "/1/5/"));
  EXPECT_FALSE(path_within("/1/", "/1/5/"));  // an ancestor is not within its child
  EXPECT_FALSE(path_within("/1/6/", "/1/5/"));
  EXPECT_FALSE(path_within("/1/5/", ""));  // an empty ancestor covers nothing
}

TEST(OrgPath, PrefixOfDigitsIsNotAnAncestor) {
  // "/1/" is a string prefix of neither "/10/" nor "/12/5/"; a naive starts_with("/1") would be.
  EXPECT_FALSE(path_within("/10/", "/1/"));
  EXPECT_FALSE(path_within("/12/5/", "/1/"));
  EXPECT_FALSE(path_within("/1/50/", "/1/5/"));
  EXPECT_TRUE(path_within("/10/", "/10/"));
}

TEST(OrgPath, IdsOnPathFromRootDown) {
  EXPECT_EQ(ids_on_path("/1/5/23/"), (std::vector<Id>{1, 5, 23}));
  EXPECT_EQ(ids_on_path("/1/"), (std::vector<Id>{1}));
  EXPECT_EQ(ids_on_path("/10/1/"), (std::vector<Id>{10, 1}));
  EXPECT_TRUE(ids_on_path("").empty());
  EXPECT_TRUE(ids_on_path("/").empty());
}

TEST(OrgPath, IdsOnPathInvertsChildPath) {
  std::string path;
  std::vector<Id> ids{1, 12, 345, 6789};
  for (const auto id : ids) path = child_path(path, id);
  EXPECT_EQ(path, "/1/12/345/6789/");
  EXPECT_EQ(ids_on_path(path), ids);
}

// ---- moving ----

TEST(OrgCheckMove, MovesACommunityToAnotherSubdistrict) {
  Tree t;
  EXPECT_TRUE(check_move(t.comm_a, t.sub_b).ok());
}

TEST(OrgCheckMove, RefusesMovingUnderItself) {
  Tree t;
  const auto s = check_move(t.sub_a, t.sub_a);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "org.move_cycle");
  EXPECT_EQ(s.error().field, "parent_id");
}

TEST(OrgCheckMove, RefusesMovingUnderItsOwnDescendant) {
  Tree t;
  EXPECT_EQ(code_of(check_move(t.sub_a, t.comm_a)), "org.move_cycle");  // child
  EXPECT_EQ(code_of(check_move(t.sub_a, t.grid_a)), "org.move_cycle");  // grandchild
  EXPECT_EQ(code_of(check_move(t.comm_a, t.grid_a)), "org.move_cycle");
}

TEST(OrgCheckMove, SiblingWithLongerIdIsNotADescendant) {
  // Unit 1's subtree is "/1/..."; unit 10 at "/10/" is not in it. Kinds allow the move, so the only
  // possible refusal would be a wrong cycle verdict.
  Unit dept1 = make_unit(1, K::kDepartment, "/9/1/", 9);
  Unit dept10 = make_unit(10, K::kDepartment, "/9/10/", 9);
  EXPECT_TRUE(check_move(dept1, dept10).ok());
}

TEST(OrgCheckMove, RootCannotMove) {
  Tree t;
  EXPECT_EQ(code_of(check_move(t.hq, t.sub_a)), "org.cannot_move_root");
}

TEST(OrgCheckMove, RefusesKindsThatDoNotNest) {
  Tree t;
  const auto s = check_move(t.comm_a, t.task_force);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "org.kind_not_allowed");
  EXPECT_EQ(detail(s.error(), "parent_kind"), "task_force");
  EXPECT_EQ(detail(s.error(), "kind"), "community");
  EXPECT_EQ(code_of(check_move(t.grid_a, t.sub_b)), "org.kind_not_allowed");
  EXPECT_EQ(code_of(check_move(t.comm_a, t.hq)), "org.kind_not_allowed");
}

TEST(OrgCheckMove, RefusesARetiredParent) {
  Tree t;
  t.sub_b.retired = true;
  EXPECT_EQ(code_of(check_move(t.comm_a, t.sub_b)), "org.parent_retired");
}

// ---- creating ----

TEST(OrgCheckParent, FirstRootMustBeAnHq) {
  EXPECT_TRUE(check_parent(K::kHq, nullptr, false).ok());
  const auto s = check_parent(K::kSubdistrict, nullptr, false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "org.parent_required");
  EXPECT_EQ(s.error().field, "parent_id");
}

TEST(OrgCheckParent, RefusesASecondRoot) {
  EXPECT_EQ(code_of(check_parent(K::kHq, nullptr, true)), "org.root_exists");
}

TEST(OrgCheckParent, ChecksKindAndRetirementOfTheParent) {
  Tree t;
  EXPECT_TRUE(check_parent(K::kGrid, &t.comm_a, true).ok());
  EXPECT_EQ(code_of(check_parent(K::kHq, &t.hq, true)), "org.kind_not_allowed");
  EXPECT_EQ(code_of(check_parent(K::kCommunity, &t.task_force, true)), "org.kind_not_allowed");
  t.comm_a.retired = true;
  EXPECT_EQ(code_of(check_parent(K::kGrid, &t.comm_a, true)), "org.parent_retired");
}

// ---- retiring ----

TEST(OrgCheckRetire, LeafRetires) {
  Tree t;
  EXPECT_TRUE(check_retire(t.grid_a, 0).ok());
}

TEST(OrgCheckRetire, RefusesWhileActiveChildrenRemain) {
  Tree t;
  const auto s = check_retire(t.sub_a, 3);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "org.has_active_children");
  EXPECT_EQ(detail(s.error(), "count"), "3");
}

TEST(OrgCheckRetire, RefusesTheRootAndTwice) {
  Tree t;
  EXPECT_EQ(code_of(check_retire(t.hq, 0)), "org.cannot_retire_root");
  t.grid_a.retired = true;
  EXPECT_EQ(code_of(check_retire(t.grid_a, 0)), "org.already_retired");
}

// ---- fields ----

TEST(OrgCheckUnitFields, AcceptsAPlainUnit) {
  Unit u = make_unit(1, K::kSubdistrict, "/1/", std::nullopt);
  u.name = "永泰街道";
  u.code = "140213050";
  u.name_en = "Yongtai Subdistrict";
  u.duties = "负责辖区创城工作。\n第二行。";
  EXPECT_TRUE(check_unit_fields(u).ok());
}

TEST(OrgCheckUnitFields, EmptyNameIsRequired) {
  Unit u = make_unit(1, K::kHq, "/1/", std::nullopt);
  u.name = "";
  const auto s = check_unit_fields(u);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "field.required");
  EXPECT_EQ(s.error().field, "name");
}

TEST(OrgCheckUnitFields, NameOf101CharactersIsTooLong) {
  Unit u = make_unit(1, K::kHq, "/1/", std::nullopt);
  u.name = std::string(100, 'a');
  EXPECT_TRUE(check_unit_fields(u).ok());
  u.name = std::string(101, 'a');
  const auto s = check_unit_fields(u);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "field.too_long");
  EXPECT_EQ(s.error().field, "name");
  EXPECT_EQ(detail(s.error(), "max"), "100");
}

TEST(OrgCheckUnitFields, ChineseNameIsCountedInCharactersNotBytes) {
  Unit u = make_unit(1, K::kHq, "/1/", std::nullopt);
  std::string name;
  for (int i = 0; i < 100; ++i) name += "街";  // 300 bytes, 100 characters
  u.name = name;
  EXPECT_TRUE(check_unit_fields(u).ok());
  u.name = name + "道";
  EXPECT_EQ(code_of(check_unit_fields(u)), "field.too_long");
}

TEST(OrgCheckUnitFields, ControlCharacterInNameIsRefused) {
  Unit u = make_unit(1, K::kHq, "/1/", std::nullopt);
  for (const std::string bad : {std::string("a\nb"), std::string("a\tb"), std::string("a\x01"),
                                std::string("a\x7F"), std::string("a\0b", 3)}) {
    u.name = bad;
    const auto s = check_unit_fields(u);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, "field.invalid_text");
    EXPECT_EQ(s.error().field, "name");
  }
}

TEST(OrgCheckUnitFields, InvalidUtf8InNameIsRefused) {
  Unit u = make_unit(1, K::kHq, "/1/", std::nullopt);
  u.name = "\xE8\xA1";  // truncated 3-byte sequence
  EXPECT_EQ(code_of(check_unit_fields(u)), "field.invalid_text");
}

TEST(OrgCheckUnitFields, CodeAllowsOnlyLettersDigitsAndDotDashUnderscore) {
  Unit u = make_unit(1, K::kHq, "/1/", std::nullopt);
  for (const std::string good :
       {std::string("140213050"), std::string("PC-hq_01.a"), std::string(40, 'x')}) {
    u.code = good;
    EXPECT_TRUE(check_unit_fields(u).ok()) << good;
  }
  for (const std::string bad : {"a b", "a/b", "街道", "a%", "a'b"}) {
    u.code = bad;
    const auto s = check_unit_fields(u);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code, "field.invalid_code") << bad;
    EXPECT_EQ(s.error().field, "code");
  }
  u.code = std::string(41, 'x');
  EXPECT_EQ(code_of(check_unit_fields(u)), "field.too_long");
  u.code = "";  // present but empty: a code is optional, but not blank
  EXPECT_EQ(code_of(check_unit_fields(u)), "field.required");
}

TEST(OrgCheckUnitFields, DutiesMayBeMultilineButNotEndless) {
  Unit u = make_unit(1, K::kHq, "/1/", std::nullopt);
  u.duties = "一、巡查\n二、上报\t及时";
  EXPECT_TRUE(check_unit_fields(u).ok());
  u.duties = std::string(4001, 'd');
  const auto s = check_unit_fields(u);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "field.too_long");
  EXPECT_EQ(s.error().field, "duties");
  EXPECT_EQ(detail(s.error(), "max"), "4000");
}

TEST(OrgCheckUnitFields, SortOrderHasARange) {
  Unit u = make_unit(1, K::kHq, "/1/", std::nullopt);
  u.sort_order = 1000000;
  EXPECT_TRUE(check_unit_fields(u).ok());
  u.sort_order = 1000001;
  EXPECT_EQ(code_of(check_unit_fields(u)), "field.out_of_range");
  u.sort_order = -1000001;
  EXPECT_EQ(code_of(check_unit_fields(u)), "field.out_of_range");
}

TEST(OrgCheckPersonFields, AcceptsNamesAndPhones) {
  Person p;
  p.name = "张三";
  p.phone = "+86 138-0000-0000";
  p.title = "街道办主任";
  EXPECT_TRUE(check_person_fields(p).ok());
  p.phone = std::nullopt;
  EXPECT_TRUE(check_person_fields(p).ok());
}

TEST(OrgCheckPersonFields, PhoneAllowsDigitsPlusDashSpaceOnly) {
  Person p;
  p.name = "张三";
  for (const std::string bad : {"138x0000", "(0352) 123", "138.0000", "一三八", "138\n0"}) {
    p.phone = bad;
    const auto s = check_person_fields(p);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code, "field.invalid_phone") << bad;
    EXPECT_EQ(s.error().field, "phone");
  }
  p.phone = std::string(21, '1');
  const auto s = check_person_fields(p);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "field.too_long");
  EXPECT_EQ(detail(s.error(), "max"), "20");
}

TEST(OrgCheckPersonFields, NameRequiredAndAtMost50Characters) {
  Person p;
  p.name = "";
  EXPECT_EQ(code_of(check_person_fields(p)), "field.required");
  std::string name;
  for (int i = 0; i < 50; ++i) name += "张";
  p.name = name;
  EXPECT_TRUE(check_person_fields(p).ok());
  p.name = name + "三";
  EXPECT_EQ(code_of(check_person_fields(p)), "field.too_long");
}

// ---- boundaries ----

Polygon square() {
  return Polygon{
      {{113.28, 40.08}, {113.29, 40.08}, {113.29, 40.09}, {113.28, 40.09}, {113.28, 40.08}}};
}

std::string reason_of(const Status& s) {
  if (s.ok()) return "ok";
  EXPECT_EQ(s.error().code, "org.invalid_boundary");
  EXPECT_EQ(s.error().field, "boundary");
  return detail(s.error(), "reason");
}

TEST(OrgCheckPolygon, AcceptsAClosedRing) {
  EXPECT_TRUE(check_polygon(square()).ok());
  // The smallest closed ring: a triangle, four points with the first repeated.
  EXPECT_TRUE(check_polygon(Polygon{{{0, 0}, {1, 0}, {0, 1}, {0, 0}}}).ok());
}

TEST(OrgCheckPolygon, NeedsAtLeastFourPoints) {
  EXPECT_EQ(reason_of(check_polygon(Polygon{})), "points");
  EXPECT_EQ(reason_of(check_polygon(Polygon{{{0, 0}, {1, 0}, {0, 0}}})), "points");
}

TEST(OrgCheckPolygon, RingMustBeClosed) {
  auto p = square();
  p.ring.back() = {113.28, 40.0801};
  EXPECT_EQ(reason_of(check_polygon(p)), "not_closed");
}

TEST(OrgCheckPolygon, CoordinatesMustBeInRange) {
  auto p = square();
  p.ring[1].lng = 180.5;
  EXPECT_EQ(reason_of(check_polygon(p)), "range");
  p = square();
  p.ring[2].lat = -90.01;
  EXPECT_EQ(reason_of(check_polygon(p)), "range");
  p = square();  // the edges themselves are fine
  p.ring[1] = {180, 90};
  p.ring[2] = {-180, -90};
  EXPECT_TRUE(check_polygon(p).ok());
}

TEST(OrgCheckPolygon, NaNAndInfinityAreRefused) {
  auto p = square();
  p.ring[1].lat = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(reason_of(check_polygon(p)), "range");
  p = square();
  p.ring[2].lng = std::numeric_limits<double>::infinity();
  EXPECT_EQ(reason_of(check_polygon(p)), "range");
  p = square();  // NaN in the closing pair would also make == comparisons lie
  p.ring.front().lng = std::nan("");
  p.ring.back().lng = std::nan("");
  EXPECT_EQ(reason_of(check_polygon(p)), "range");
}

TEST(OrgCheckPolygon, RefusesHugeRings) {
  Polygon p;
  for (int i = 0; i < 10001; ++i) p.ring.push_back({0.0001 * i, 0});
  p.ring.back() = p.ring.front();
  EXPECT_EQ(reason_of(check_polygon(p)), "too_many_points");
}

// ---- liaison ----

using LeaderUnits = std::vector<std::pair<UnitKind, std::string>>;

TEST(OrgCheckLiaison, SubdistrictNeedsADistrictLevelLeader) {
  Tree t;
  for (const auto kind :
       {K::kHq, K::kHqOffice, K::kDepartment, K::kSupervisionGroup, K::kTaskForce}) {
    EXPECT_TRUE(check_liaison(t.sub_a, t.sub_a.path, LeaderUnits{{kind, "/1/9/"}}).ok())
        << to_string(kind);
  }
}

TEST(OrgCheckLiaison, SubdistrictRefusesALeaderFromASubdistrictOrBelow) {
  Tree t;
  for (const auto& units :
       {LeaderUnits{}, LeaderUnits{{K::kSubdistrict, "/1/3/"}},
        LeaderUnits{{K::kCommunity, "/1/3/5/"}}, LeaderUnits{{K::kSubdistrict, "/1/2/"}},
        LeaderUnits{{K::kGrid, "/1/2/4/6/"}}}) {
    const auto s = check_liaison(t.sub_a, t.sub_a.path, units);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, "org.liaison_needs_district_leader");
    EXPECT_EQ(s.error().field, "leader_id");
  }
}

TEST(OrgCheckLiaison, CommunityNeedsAMemberOfItsOwnSubdistrict) {
  Tree t;
  EXPECT_TRUE(check_liaison(t.comm_a, t.sub_a.path, LeaderUnits{{K::kSubdistrict, "/1/2/"}}).ok());
  // One qualifying membership among others is enough.
  EXPECT_TRUE(check_liaison(t.comm_a, t.sub_a.path,
                            LeaderUnits{{K::kDepartment, "/1/8/"}, {K::kSubdistrict, "/1/2/"}})
                  .ok());
}

TEST(OrgCheckLiaison, CommunityRefusesAMemberOfAnotherSubdistrict) {
  Tree t;
  const auto s = check_liaison(t.comm_a, t.sub_a.path, LeaderUnits{{K::kSubdistrict, "/1/3/"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "org.liaison_needs_subdistrict_leader");
  EXPECT_EQ(s.error().field, "leader_id");
  // A district-level leader is not a subdistrict leader either.
  EXPECT_EQ(code_of(check_liaison(t.comm_a, t.sub_a.path, LeaderUnits{{K::kHq, "/1/"}})),
            "org.liaison_needs_subdistrict_leader");
  // Path "/1/2/" must match exactly, "/1/20/" is another subdistrict.
  EXPECT_EQ(
      code_of(check_liaison(t.comm_a, t.sub_a.path, LeaderUnits{{K::kSubdistrict, "/1/20/"}})),
      "org.liaison_needs_subdistrict_leader");
}

TEST(OrgCheckLiaison, VillageFollowsTheCommunityRule) {
  Tree t;
  Unit village = make_unit(9, K::kVillage, "/1/3/9/", 3);
  EXPECT_TRUE(check_liaison(village, t.sub_b.path, LeaderUnits{{K::kSubdistrict, "/1/3/"}}).ok());
  EXPECT_EQ(code_of(check_liaison(village, t.sub_b.path, LeaderUnits{{K::kSubdistrict, "/1/2/"}})),
            "org.liaison_needs_subdistrict_leader");
}

TEST(OrgCheckLiaison, OnlyPlacesHaveLiaisons) {
  Tree t;
  for (const Unit* u : {&t.hq, &t.grid_a, &t.task_force, &t.department}) {
    const auto s = check_liaison(*u, "", LeaderUnits{{K::kHq, "/1/"}});
    ASSERT_FALSE(s.ok()) << to_string(u->kind);
    EXPECT_EQ(s.error().code, "org.liaison_not_place");
    EXPECT_EQ(s.error().field, "unit_id");
  }
}

TEST(OrgCheckLiaison, RetiredPlaceHasNoLiaison) {
  Tree t;
  t.sub_a.retired = true;
  EXPECT_EQ(code_of(check_liaison(t.sub_a, t.sub_a.path, LeaderUnits{{K::kHq, "/1/"}})),
            "org.unit_retired");
}

}  // namespace
}  // namespace civicloop::org
