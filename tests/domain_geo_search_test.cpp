// Where a point lies (R-tree + point in polygon; one area on a shared edge), how far a point is
// from the tenant's area, and the CJK search terms.
#include "domain/geo.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "domain/search.hpp"

namespace civicloop {
namespace {

org::Polygon rect(double lng0, double lat0, double lng1, double lat1) {
  return {{{lng0, lat0}, {lng1, lat0}, {lng1, lat1}, {lng0, lat1}, {lng0, lat0}}};
}

geo::AreaIndex district() {
  std::vector<geo::Area> areas;
  areas.push_back({5, org::UnitKind::kSubdistrict, "/1/5/", rect(113.0, 40.0, 113.2, 40.2)});
  areas.push_back({6, org::UnitKind::kSubdistrict, "/1/6/", rect(113.2, 40.0, 113.4, 40.2)});
  areas.push_back({50, org::UnitKind::kCommunity, "/1/5/50/", rect(113.0, 40.0, 113.1, 40.1)});
  areas.push_back({501, org::UnitKind::kGrid, "/1/5/50/501/", rect(113.0, 40.0, 113.05, 40.1)});
  // A ring drawn clockwise is accepted too.
  areas.push_back(
      {502,
       org::UnitKind::kGrid,
       "/1/5/50/502/",
       {{{113.05, 40.0}, {113.05, 40.1}, {113.1, 40.1}, {113.1, 40.0}, {113.05, 40.0}}}});
  return geo::AreaIndex(std::move(areas));
}

TEST(GeoAreaIndex, APointFindsItsGridCommunityAndSubdistrictDeepestFirst) {
  const auto idx = district();
  EXPECT_EQ(idx.size(), 5u);
  auto hits = idx.locate(40.05, 113.02);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0]->unit_id, 501);
  EXPECT_EQ(hits[1]->unit_id, 50);
  EXPECT_EQ(hits[2]->unit_id, 5);
  auto clockwise = idx.locate(40.05, 113.07);
  ASSERT_FALSE(clockwise.empty());
  EXPECT_EQ(clockwise[0]->unit_id, 502);
}

TEST(GeoAreaIndex, OutsideEverythingAndOnTheBoundary) {
  const auto idx = district();
  EXPECT_TRUE(idx.locate(39.0, 113.02).empty());
  auto edge = idx.locate(40.15, 113.2);  // the shared edge of two subdistricts
  EXPECT_EQ(edge.size(), 2u);
}

TEST(GeoAreaIndex, APointOnASharedEdgeIsPlacedOnOneSideTheSmallerId) {
  std::vector<geo::Area> areas;
  // Two subdistricts sharing the edge lng = 113.2, each with one grid along that edge; the grid
  // of the subdistrict with the larger id was created first (smaller id).
  areas.push_back({7, org::UnitKind::kSubdistrict, "/1/7/", rect(113.0, 40.0, 113.2, 40.2)});
  areas.push_back({6, org::UnitKind::kSubdistrict, "/1/6/", rect(113.2, 40.0, 113.4, 40.2)});
  areas.push_back({71, org::UnitKind::kCommunity, "/1/7/71/", rect(113.0, 40.0, 113.2, 40.2)});
  areas.push_back({61, org::UnitKind::kCommunity, "/1/6/61/", rect(113.2, 40.0, 113.4, 40.2)});
  areas.push_back({1002, org::UnitKind::kGrid, "/1/7/71/1002/", rect(113.1, 40.0, 113.2, 40.2)});
  areas.push_back({999, org::UnitKind::kGrid, "/1/6/61/999/", rect(113.2, 40.0, 113.3, 40.2)});
  const geo::AreaIndex idx(std::move(areas));
  auto hits = idx.locate(40.1, 113.2);
  ASSERT_EQ(hits.size(), 6u);
  // Deepest first by the number of ids on the path, not by the path's length in characters
  // ("/1/6/61/999/" is shorter than "/1/7/71/1002/" and as deep).
  EXPECT_EQ(hits[0]->unit_id, 999);
  EXPECT_EQ(hits[1]->unit_id, 1002);
  const auto* placed = idx.place(40.1, 113.2);
  ASSERT_NE(placed, nullptr);
  EXPECT_EQ(placed->unit_id, 999);
  EXPECT_EQ(placed->path, "/1/6/61/999/");  // its ancestors are 61 and 6: one branch
  // Off the edge, the side it is on.
  EXPECT_EQ(idx.place(40.1, 113.1999)->unit_id, 1002);
  EXPECT_EQ(idx.place(40.1, 113.15)->unit_id, 1002);
  EXPECT_EQ(idx.place(40.1, 113.0)->unit_id, 71);  // in the community, west of its grid
  EXPECT_EQ(idx.place(41.0, 113.2), nullptr);
  EXPECT_EQ(geo::depth_of("/1/6/61/999/"), 4u);
  EXPECT_EQ(geo::depth_of("/1/"), 1u);
  EXPECT_EQ(geo::depth_of(""), 0u);
}

TEST(GeoRegion, CoversInsideAndOnTheBoundaryEitherOrientation) {
  const geo::Region ccw(rect(113.0, 40.0, 113.2, 40.2));
  org::Polygon cw = rect(113.0, 40.0, 113.2, 40.2);
  std::reverse(cw.ring.begin(), cw.ring.end());
  const geo::Region clockwise(cw);
  for (const auto* r : {&ccw, &clockwise}) {
    EXPECT_TRUE(r->covers(40.1, 113.1));
    EXPECT_TRUE(r->covers(40.0, 113.1));  // on the edge
    EXPECT_TRUE(r->covers(40.2, 113.2));  // a corner
    EXPECT_FALSE(r->covers(40.2000001, 113.1));
    EXPECT_FALSE(r->covers(39.9, 116.4));
  }
}

TEST(GeoRegion, DistanceToTheBoundaryInMetres) {
  const geo::Region r(rect(113.0, 40.0, 113.2, 40.2));
  // Along a meridian, one degree is pi/180 of the mean Earth radius: 111195.08 m.
  EXPECT_NEAR(r.boundary_distance_m(40.2 + 10000.0 / 111195.08, 113.1), 10000.0, 1.0);
  EXPECT_NEAR(r.boundary_distance_m(40.2, 113.1), 0.0, 1e-6);
  // Inside, the distance to the nearest edge (0.05 degrees of latitude south of the north one).
  EXPECT_NEAR(r.boundary_distance_m(40.15, 113.1), 0.05 * 111195.08, 2.0);
  // East of the east edge at 40.1 N: along the parallel, cos(40.1 deg) of a meridian degree.
  EXPECT_NEAR(r.boundary_distance_m(40.1, 113.25), 0.05 * 111195.08 * std::cos(40.1 * M_PI / 180),
              5.0);
  // Diagonally off a corner: the corner is the nearest point.
  const double d = r.boundary_distance_m(39.99, 112.99);
  EXPECT_GT(d, 1100.0);
  EXPECT_LT(d, 1500.0);
  // Beijing is about 270 km from the rectangle.
  const double beijing = r.boundary_distance_m(39.9, 116.4);
  EXPECT_GT(beijing, 250000.0);
  EXPECT_LT(beijing, 300000.0);
}

TEST(GeoAreaIndex, DistanceToTheNearestArea) {
  const auto idx = district();
  EXPECT_EQ(idx.distance_m(40.05, 113.02), 0.0);
  EXPECT_NEAR(idx.distance_m(40.2 + 10000.0 / 111195.08, 113.3), 10000.0, 1.0);
  EXPECT_TRUE(std::isinf(geo::AreaIndex({}).distance_m(40.0, 113.0)));
}

TEST(SearchTerms, ChineseRunsBecomeCharactersAndPairs) {
  const auto doc = search::document_terms("路边垃圾满溢");
  for (const char* t : {"路", "边", "垃圾", "圾满", "满溢", "路边"}) {
    EXPECT_NE((" " + doc + " ").find(std::string(" ") + t + " "), std::string::npos) << t;
  }
  EXPECT_EQ(search::query_terms("垃圾满溢"), (std::vector<std::string>{"圾满", "垃圾", "满溢"}));
  EXPECT_EQ(search::query_terms("垃"), (std::vector<std::string>{"垃"}));
}

TEST(SearchTerms, LatinWordsAreLowerCasedAndFullWidthFolds) {
  EXPECT_EQ(search::query_terms("ABC 12345"), (std::vector<std::string>{"12345", "abc"}));
  EXPECT_EQ(search::query_terms("ＡＢＣ"), (std::vector<std::string>{"abc"}));
  EXPECT_EQ(search::document_terms("Wi-Fi"), "fi wi");
}

TEST(SearchTerms, PunctuationAndEmptyQueriesGiveNoTerms) {
  EXPECT_TRUE(search::query_terms("，。！？ ---").empty());
  EXPECT_TRUE(search::query_terms("").empty());
  // A query matches when every term of it is in the document.
  const auto doc = " " + search::document_terms("小区车棚飞线充电存在安全隐患") + " ";
  for (const auto& t : search::query_terms("飞线充电")) {
    EXPECT_NE(doc.find(" " + t + " "), std::string::npos) << t;
  }
}

}  // namespace
}  // namespace civicloop
