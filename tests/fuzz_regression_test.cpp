// One test per finding of the fuzz targets in fuzz/ (docs/PERFORMANCE.md, "Fuzzing"), named after
// it. The input that found it is in fuzz/corpus/<target>/, so the target replays it on every run.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <string>
#include <utility>

#include "api/body.hpp"
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

// json_body_fuzz: Boost.JSON 1.81 (pinned by CMake) reads a zero with a huge exponent as NaN and a
// huge number as infinity, where a model of Body compared values. Not a crash: every double read
// from a request is checked to be finite. A boundary with one is refused. Inputs:
// fuzz/corpus/json_body/found_zero_exponent_nan, fuzz/corpus/geojson/found_zero_exponent_nan.
TEST(FuzzRegression, ZeroExponentNaNCoordinateIsRefused) {
  EXPECT_TRUE(std::isnan(json::parse("0e400").as_double()));
  EXPECT_TRUE(std::isinf(json::parse("1e400").as_double()));
  for (const char* x : {"0e400", "-0.0e999", "1e400"}) {
    const auto v = json::parse(std::string(R"({"type":"Polygon","coordinates":[[[)") + x +
                               R"(,40],[113,40],[113,41],[)" + x + R"(,40]]]})");
    auto nb = app::normalize_boundary(v);
    ASSERT_FALSE(nb.ok()) << x;
    EXPECT_EQ(nb.error().code, "org.invalid_boundary");
    ASSERT_FALSE(nb.error().details.empty());
    EXPECT_EQ(nb.error().details[0].second, "range") << x;
  }
}

// geojson_fuzz: Boost.JSON 1.81 does not read every 16- or 17-digit number back as the double it
// wrote (113.00000000013605 is written 1.1300000000013605E2 and read as ...604), so a boundary at
// full precision changed by an ulp on each store, export and import: normalising was not
// idempotent and re-importing an export counted as a change. Coordinates are now kept to 1e-7
// degree. Inputs: fuzz/corpus/geojson/found_17_digit_drift_a and _b.
TEST(FuzzRegression, BoundaryCoordinatesDoNotDriftThroughText) {
  const auto in = json::parse(
      R"({"type":"Polygon","coordinates":[[[113.2601,40.0652],[162.3348,40.0631],)"
      R"([113.3412,40.1108],[113.0000000001360697554,40.123],[113.2035,45.1230000200004003],)"
      R"([113.2577,10.1014],[113.2601,40.0652]]]})");
  auto first = app::normalize_boundary(in);
  ASSERT_TRUE(first.ok());
  auto second = app::normalize_boundary(json::parse(*first));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, *first);
  auto ring = app::stored_boundary_polygon(*first);
  ASSERT_TRUE(ring.has_value());
  ASSERT_EQ(ring->ring.size(), 7U);
  EXPECT_EQ(ring->ring[3].lng, 113.0);
  EXPECT_EQ(ring->ring[4].lat, 45.123);
  EXPECT_EQ(ring->ring[1].lng, 162.3348);  // seven decimals or fewer are kept as they are
}

// json_body_fuzz (its check that the order stored is the order sent): the handlers cut integers
// to 32 bits with static_cast<int>, so "sort_order":4294967297 was stored as 1, and a case
// transition with "version":4294967297 passed the optimistic check of version 1. Body::int32 and
// req_int32 refuse what does not fit. Input: fuzz/corpus/json_body/found_sort_order_wraps.
TEST(FuzzRegression, IntegerBeyond32BitsIsOutOfRangeNotWrapped) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"sort_order":4294967297})", "field.out_of_range"},
      {R"({"sort_order":-2147483649})", "field.out_of_range"},
      {R"({"sort_order":18446744073709551615})", "request.invalid_type"},  // beyond int64 too
  };
  for (const auto& [text, code] : cases) {
    api::Body b(json::parse(text).as_object());
    EXPECT_FALSE(b.int32("sort_order").has_value()) << text;
    auto s = b.finish();
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_EQ(s.error().code, code) << text;
    EXPECT_EQ(s.error().field, "sort_order");
  }
  api::Body ok(json::parse(R"({"version":2147483647,"sort_order":-2147483648})").as_object());
  EXPECT_EQ(ok.req_int32("version"), 2147483647);
  EXPECT_EQ(ok.int32("sort_order"), -2147483648);
  EXPECT_TRUE(ok.finish().ok());
  api::Body missing(json::object{});
  EXPECT_EQ(missing.req_int32("version"), 0);
  EXPECT_EQ(missing.finish().error().code, "field.required");
}

}  // namespace
}  // namespace civicloop
