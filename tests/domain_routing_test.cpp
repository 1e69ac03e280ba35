// Routing rules: first match wins, by category, prefix, area, place kind and time of day.
#include "domain/routing.hpp"

#include <gtest/gtest.h>

namespace civicloop::routing {
namespace {

using K = org::UnitKind;

Input place(std::string category, int minute = 10 * 60) {
  Input in;
  in.category = std::move(category);
  in.at_place = {
      {K::kGrid, 501}, {K::kCommunity, 50}, {K::kSubdistrict, 5}, {K::kEnforcementTeam, 55}};
  in.containing_areas = {501, 50, 5};
  in.local_minute = minute;
  return in;
}

Rule to_unit(std::int64_t id, std::string name, std::int64_t unit) {
  Rule r;
  r.id = id;
  r.name = std::move(name);
  r.unit_id = unit;
  return r;
}

Rule by_area(std::int64_t id, std::string name, K kind) {
  Rule r;
  r.id = id;
  r.name = std::move(name);
  r.unit_by_area = kind;
  return r;
}

TEST(Routing, TheFirstMatchingRuleWins) {
  auto site = to_unit(1, "建筑工地交住建局", 900);
  site.category_prefix = "03";
  site.supervising_group_id = 10;
  auto fallback = by_area(2, "其余交属地街道", K::kSubdistrict);
  const std::vector<Rule> rules = {site, fallback};
  auto a = route(rules, place("0302"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->unit_id, 900);
  EXPECT_EQ(a->supervising_group_id, 10);
  EXPECT_EQ(a->rule_name, "建筑工地交住建局");
  auto b = route(rules, place("0102"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->unit_id, 5);
  EXPECT_EQ(b->rule_id, 2);
}

TEST(Routing, ExactCategoryAndArea) {
  auto r = by_area(1, "水泊寺占道经营交执法队", K::kEnforcementTeam);
  r.category = "2101";
  r.area_unit_id = 5;
  EXPECT_TRUE(matches(r, place("2101")));
  EXPECT_FALSE(matches(r, place("2102")));
  auto elsewhere = place("2101");
  elsewhere.containing_areas = {601, 60, 6};
  EXPECT_FALSE(matches(r, elsewhere));
}

TEST(Routing, TimeWindowsMayWrapMidnight) {
  auto night = by_area(1, "夜间交执法队", K::kEnforcementTeam);
  night.from_minute = 18 * 60;
  night.to_minute = 8 * 60 + 30;
  EXPECT_TRUE(matches(night, place("0401", 23 * 60)));
  EXPECT_TRUE(matches(night, place("0401", 2 * 60)));
  EXPECT_TRUE(matches(night, place("0401", 18 * 60)));       // start included
  EXPECT_FALSE(matches(night, place("0401", 8 * 60 + 30)));  // end excluded
  EXPECT_FALSE(matches(night, place("0401", 12 * 60)));
  auto day = by_area(2, "白天", K::kSubdistrict);
  day.from_minute = 8 * 60;
  day.to_minute = 18 * 60;
  EXPECT_TRUE(matches(day, place("0401", 12 * 60)));
  EXPECT_FALSE(matches(day, place("0401", 20 * 60)));
}

TEST(Routing, ARuleWhoseUnitIsNotAtThePlaceGivesWayToTheNext) {
  auto property = by_area(1, "小区内交物业", K::kEnterprise);
  auto fallback = by_area(2, "交社区", K::kCommunity);
  auto d = route({property, fallback}, place("2105"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->unit_id, 50);
  auto kind_needed = to_unit(3, "村里的交村委", 77);
  kind_needed.area_kind = K::kVillage;
  EXPECT_FALSE(matches(kind_needed, place("2105")));
}

TEST(Routing, InactiveRulesAreSkippedAndNoMatchIsAnError) {
  auto off = to_unit(1, "停用", 900);
  off.active = false;
  auto d = route({off}, place("0102"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, "routing.no_match");
}

TEST(Routing, RulesAreCheckedForATargetAndASaneWindow) {
  Rule none;
  none.name = "无目标";
  EXPECT_EQ(check_rule(none).error().code, "routing.no_target");
  auto both = to_unit(1, "两个目标", 900);
  both.unit_by_area = K::kSubdistrict;
  EXPECT_EQ(check_rule(both).error().code, "routing.two_targets");
  auto half = to_unit(1, "半个时间段", 900);
  half.from_minute = 60;
  EXPECT_EQ(check_rule(half).error().code, "routing.bad_hours");
  auto empty = to_unit(1, "空时间段", 900);
  empty.from_minute = 60;
  empty.to_minute = 60;
  EXPECT_EQ(check_rule(empty).error().code, "routing.bad_hours");
  Rule unnamed = to_unit(1, "", 900);
  EXPECT_EQ(check_rule(unnamed).error().code, "field.required");
  EXPECT_TRUE(check_rule(to_unit(1, "好规则", 900)).ok());
}

}  // namespace
}  // namespace civicloop::routing
