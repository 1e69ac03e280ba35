// Fuzzes unit boundaries: the GeoJSON a client or an import file sends (app::normalize_boundary,
// which runs org::check_polygon), the stored text read back for the area index
// (app::stored_boundary_polygon, as CaseConfigCache does), and the index itself (geo::AreaIndex:
// Boost.Geometry R-tree and point-in-polygon). The input is JSON text.
// Besides "no crash, no sanitizer report", it checks that what is stored reads back as the ring
// sent (to 1e-7 degree) and as exactly the numbers written, that normalising is idempotent, and
// that every corner of a boundary is located in it.
#include <boost/json.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "app/boundary.hpp"
#include "domain/geo.hpp"
#include "domain/org.hpp"

namespace {

namespace app = civicloop::app;
namespace geo = civicloop::geo;
namespace json = boost::json;
namespace org = civicloop::org;

void check(bool ok) {
  if (!ok) std::abort();
}

bool has(const std::vector<const geo::Area*>& hits, org::Id id) {
  for (const auto* a : hits) {
    if (a->unit_id == id) return true;
  }
  return false;
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  // Stored text is written by normalize_boundary only, but a database can be edited by hand or
  // restored from an older version: reading it back must not fail on anything.
  auto raw = app::stored_boundary_polygon(input);

  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 64;  // as the handlers parse bodies
  auto v = json::parse(input, ec, {}, opts);
  if (ec) return 0;
  auto normal = app::normalize_boundary(v);
  if (!normal) {
    check(normal.error().code == "org.invalid_boundary" && normal.error().field == "boundary");
    return 0;
  }
  // The normalised text reads back as the ring that was sent, and normalises to itself.
  auto ring = app::stored_boundary_polygon(*normal);
  check(ring.has_value());
  check(org::check_polygon(*ring).ok());
  const auto& points = v.as_object().at("coordinates").as_array()[0].as_array();
  check(ring->ring.size() == points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    // Rounded to 1e-7 degree, and read back as exactly the rounded numbers.
    const auto& p = points[i].as_array();
    const double lng = p[0].to_number<double>(), lat = p[1].to_number<double>();
    check(ring->ring[i].lng == std::round(lng * 1e7) / 1e7);
    check(ring->ring[i].lat == std::round(lat * 1e7) / 1e7);
    check(std::abs(ring->ring[i].lng - lng) <= 0.51e-7 &&
          std::abs(ring->ring[i].lat - lat) <= 0.51e-7);
  }
  auto again = app::normalize_boundary(json::parse(*normal));
  check(again && *again == *normal);
  if (raw) check(raw->ring.size() == ring->ring.size());

  // In the area index, alone and beside a fixed square: each corner is inside its own area.
  std::vector<geo::Area> areas;
  areas.push_back({1, org::UnitKind::kGrid, "/1/2/3/", *ring});
  org::Polygon square;
  square.ring = {{113.0, 40.0}, {113.5, 40.0}, {113.5, 40.5}, {113.0, 40.5}, {113.0, 40.0}};
  areas.push_back({2, org::UnitKind::kSubdistrict, "/1/2/", square});
  geo::AreaIndex index(std::move(areas));
  check(index.size() == 2);
  for (const auto& p : ring->ring) {
    auto hits = index.locate(p.lat, p.lng);
    check(has(hits, 1));
    for (std::size_t i = 1; i < hits.size(); ++i) {
      check(hits[i - 1]->path.size() >= hits[i]->path.size());
    }
  }
  return 0;
}
