// Where a point lies (R-tree + point in polygon) and the CJK search terms.
#include "domain/geo.hpp"

#include <gtest/gtest.h>

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
