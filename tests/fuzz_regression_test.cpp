// One test per finding of the fuzz targets in fuzz/ (docs/PERFORMANCE.md, "Fuzzing"), named after
// it. The input that found it is in fuzz/corpus/<target>/, so the target replays it on every run.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "app/boundary.hpp"

namespace civicloop {
namespace {

namespace json = boost::json;

// geojson_fuzz and json_body_fuzz, built by clang: normalize_boundary wrote the coordinates one
// level too flat ({"coordinates":[[lng,lat],...]}), because json::array{ring} is a copy of ring
// under clang and a list holding it under gcc. The stored text was then no Polygon, and reading
// it back for the area index threw. Seeds: fuzz/corpus/geojson/square, json_body/unit_create.
TEST(FuzzRegression, BoundaryNormalisedKeepsRingNesting) {
  const auto in = json::parse(
      R"({"type":"Polygon","coordinates":[[[113.29,40.08],[113.31,40.08],[113.31,40.1],)"
      R"([113.29,40.1],[113.29,40.08]]]})");
  auto normal = app::normalize_boundary(in);
  ASSERT_TRUE(normal.ok());
  const auto out = json::parse(*normal);
  const auto& coords = out.at("coordinates").as_array();
  ASSERT_EQ(coords.size(), 1U);
  ASSERT_TRUE(coords[0].is_array());
  ASSERT_EQ(coords[0].as_array().size(), 5U);
  EXPECT_TRUE(coords[0].as_array()[0].is_array());
  EXPECT_EQ(out, in);
  auto ring = app::stored_boundary_polygon(*normal);
  ASSERT_TRUE(ring.has_value());
  ASSERT_EQ(ring->ring.size(), 5U);
  EXPECT_DOUBLE_EQ(ring->ring[1].lng, 113.31);
  EXPECT_DOUBLE_EQ(ring->ring[1].lat, 40.08);
}

// geojson_fuzz: stored text that is not a ring of [lng, lat] (a hand-edited row, a Point, the
// flat text above) made stored_boundary_polygon throw std::invalid_argument, or read past the end
// of an empty point; the case configuration of the whole tenant then failed to load. Such a
// boundary is now left out of the area index. Seed: fuzz/corpus/geojson/point.
TEST(FuzzRegression, StoredBoundaryNotARingIsSkipped) {
  for (const char* text : {
           R"({"type":"Point","coordinates":[113.3,40.09]})",
           R"({"type":"Polygon","coordinates":[[113.29,40.08],[113.31,40.08],[113.29,40.08]]})",
           R"({"coordinates":[[[]]]})",
           R"({"coordinates":[[[113.3]]]})",
           R"({"coordinates":[[["113.3","40.1"]]]})",
           R"({"coordinates":[[[1,2,3]]]})",
           R"({"coordinates":[5]})",
       }) {
    EXPECT_FALSE(app::stored_boundary_polygon(text).has_value()) << text;
  }
  EXPECT_TRUE(app::stored_boundary_polygon(R"({"coordinates":[[[1,2],[3,4]]]})").has_value());
}

}  // namespace
}  // namespace civicloop
