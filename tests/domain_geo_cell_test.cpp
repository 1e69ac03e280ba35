// The cell key of the nearby-duplicate search: every point within the radius lies in one of the
// cells searched, across row and column edges, at any latitude; the search stays a few cells.
#include "domain/geo.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "domain/case.hpp"

namespace civicloop {
namespace {

constexpr double kDeg = 3.14159265358979323846 / 180;

// The point `north_m` north and `east_m` east of (lat, lng), on the local tangent plane.
std::pair<double, double> offset(double lat, double lng, double north_m, double east_m) {
  return {lat + north_m / geo::kMetresPerDegree,
          lng + east_m / (geo::kMetresPerDegree * std::cos(lat * kDeg))};
}

bool searched(const std::vector<std::int64_t>& cells, double lat, double lng) {
  return std::find(cells.begin(), cells.end(), geo::cell_of(lat, lng)) != cells.end();
}

TEST(GeoCell, NearbyPointsShareACellOrANeighbour) {
  const double lat = 40.0901;
  const double lng = 113.2902;
  EXPECT_EQ(geo::cell_of(lat, lng), geo::cell_of(lat, lng));
  const auto [n_lat, n_lng] = offset(lat, lng, 60, 0);
  EXPECT_NE(geo::cell_of(lat, lng), geo::cell_of(n_lat, n_lng));  // cells are 50 m
  const auto cells = geo::cells_near(lat, lng, 50);
  EXPECT_GE(cells.size(), 4U);
  EXPECT_LE(cells.size(), 12U);  // 3 x 3, a fourth column at most
  EXPECT_TRUE(searched(cells, lat, lng));
}

TEST(GeoCell, APointJustAcrossARowOrColumnEdgeIsSearched) {
  // The edge between two rows: 2 m south and 2 m north of it.
  const double row = std::floor(40.0901 * geo::kMetresPerDegree / geo::kCellMetres);
  const double edge_lat = (row + 1) * geo::kCellMetres / geo::kMetresPerDegree;
  const double south = edge_lat - 2 / geo::kMetresPerDegree;
  const double north = edge_lat + 2 / geo::kMetresPerDegree;
  ASSERT_NE(geo::cell_of(south, 113.29), geo::cell_of(north, 113.29));
  EXPECT_TRUE(searched(geo::cells_near(south, 113.29, 50), north, 113.29));
  EXPECT_TRUE(searched(geo::cells_near(north, 113.29, 50), south, 113.29));
  // The edge between two columns of one row.
  double lng = 113.29;
  const auto c0 = geo::cell_of(40.0901, lng);
  while (geo::cell_of(40.0901, lng) == c0) lng += 1e-6;
  const double west = lng - 3e-6;
  const double east = lng + 1e-6;
  ASSERT_NE(geo::cell_of(40.0901, west), geo::cell_of(40.0901, east));
  EXPECT_TRUE(searched(geo::cells_near(40.0901, west, 50), 40.0901, east));
  EXPECT_TRUE(searched(geo::cells_near(40.0901, east, 50), 40.0901, west));
}

TEST(GeoCell, EveryPointWithinTheRadiusIsInASearchedCellAnywhere) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> lat_d(-70, 70);
  std::uniform_real_distribution<double> lng_d(-179, 179);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int i = 0; i < 20000; ++i) {
    const double lat = i < 10000 ? 40.0 + unit(rng) * 0.2 : lat_d(rng);
    const double lng = i < 10000 ? 113.1 + unit(rng) * 0.3 : lng_d(rng);
    const double radius = i % 3 == 0 ? 50 : 10 + unit(rng) * 150;
    const double bearing = unit(rng) * 2 * 3.14159265358979;
    const double d = radius * std::sqrt(unit(rng)) * 0.999;
    const auto [olat, olng] = offset(lat, lng, d * std::cos(bearing), d * std::sin(bearing));
    if (cases::distance_m(lat, lng, olat, olng) > radius) continue;
    const auto cells = geo::cells_near(lat, lng, radius);
    ASSERT_TRUE(searched(cells, olat, olng))
        << lat << "," << lng << " r=" << radius << " other " << olat << "," << olng;
    ASSERT_LE(cells.size(), 9U * 9U + 9U);
  }
}

TEST(GeoCell, ARadiusBeyondTheCapSearchesAtMostNineByNineCells) {
  EXPECT_LE(geo::cells_near(40.09, 113.29, 5000).size(), 90U);
  EXPECT_EQ(geo::cells_near(40.09, 113.29, 5000), geo::cells_near(40.09, 113.29, 200));
}

}  // namespace
}  // namespace civicloop
