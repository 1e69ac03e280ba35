#include "domain/geo.hpp"

#include <algorithm>
#include <boost/geometry.hpp>
#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cmath>
#include <limits>

namespace civicloop::geo {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using BPoint = bg::model::d2::point_xy<double>;
using BBox = bg::model::box<BPoint>;
using BPolygon = bg::model::polygon<BPoint>;
using Entry = std::pair<BBox, std::size_t>;

struct AreaIndex::Impl {
  std::vector<Area> areas;
  std::vector<BPolygon> polygons;
  bgi::rtree<Entry, bgi::rstar<16>> tree;
};

AreaIndex::AreaIndex(std::vector<Area> areas) : impl_(std::make_unique<Impl>()) {
  impl_->areas = std::move(areas);
  std::vector<Entry> entries;
  for (std::size_t i = 0; i < impl_->areas.size(); ++i) {
    BPolygon p;
    for (const auto& pt : impl_->areas[i].polygon.ring) {
      bg::append(p.outer(), BPoint(pt.lng, pt.lat));
    }
    bg::correct(p);  // orientation and closure, whichever way the ring was drawn
    entries.emplace_back(bg::return_envelope<BBox>(p), i);
    impl_->polygons.push_back(std::move(p));
  }
  impl_->tree = bgi::rtree<Entry, bgi::rstar<16>>(entries.begin(), entries.end());
}

AreaIndex::~AreaIndex() = default;
AreaIndex::AreaIndex(AreaIndex&&) noexcept = default;
AreaIndex& AreaIndex::operator=(AreaIndex&&) noexcept = default;

std::vector<const Area*> AreaIndex::locate(double lat, double lng) const {
  const BPoint p(lng, lat);
  std::vector<Entry> hits;
  impl_->tree.query(bgi::intersects(p), std::back_inserter(hits));
  std::vector<const Area*> out;
  for (const auto& [box, i] : hits) {
    if (bg::covered_by(p, impl_->polygons[i])) out.push_back(&impl_->areas[i]);
  }
  // Deepest first; among equally deep areas (a point on the edge they share) the smaller id.
  std::sort(out.begin(), out.end(), [](const Area* a, const Area* b) {
    const auto da = depth_of(a->path);
    const auto db = depth_of(b->path);
    return da != db ? da > db : a->unit_id < b->unit_id;
  });
  return out;
}

const Area* AreaIndex::place(double lat, double lng) const {
  auto hits = locate(lat, lng);
  return hits.empty() ? nullptr : hits.front();
}

double AreaIndex::distance_m(double lat, double lng) const {
  if (!locate(lat, lng).empty()) return 0;
  double best = std::numeric_limits<double>::infinity();
  for (const auto& a : impl_->areas) best = std::min(best, distance_to_ring_m(a.polygon, lat, lng));
  return best;
}

std::size_t AreaIndex::size() const { return impl_->areas.size(); }

std::size_t depth_of(const std::string& path) {
  return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/')) -
         (path.empty() ? 0 : 1);
}

struct Region::Impl {
  org::Polygon polygon;
  BPolygon shape;
};

Region::Region(const org::Polygon& polygon) : impl_(std::make_unique<Impl>()) {
  impl_->polygon = polygon;
  for (const auto& pt : polygon.ring) bg::append(impl_->shape.outer(), BPoint(pt.lng, pt.lat));
  bg::correct(impl_->shape);
}

Region::~Region() = default;
Region::Region(Region&&) noexcept = default;
Region& Region::operator=(Region&&) noexcept = default;

bool Region::covers(double lat, double lng) const {
  return bg::covered_by(BPoint(lng, lat), impl_->shape);
}

double Region::boundary_distance_m(double lat, double lng) const {
  return distance_to_ring_m(impl_->polygon, lat, lng);
}

namespace {
constexpr double kEarthRadiusM = 6371008.8;  // mean radius (IUGG)
constexpr double kPi = 3.14159265358979323846;

double radians(double deg) { return deg * kPi / 180.0; }

double haversine_m(double lat1, double lng1, double lat2, double lng2) {
  const double dlat = radians(lat2 - lat1);
  const double dlng = radians(lng2 - lng1);
  const double a =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(radians(lat1)) * std::cos(radians(lat2)) * std::sin(dlng / 2) * std::sin(dlng / 2);
  return 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(a)));
}
}  // namespace

double distance_to_ring_m(const org::Polygon& polygon, double lat, double lng) {
  const auto& r = polygon.ring;
  if (r.empty()) return std::numeric_limits<double>::infinity();
  const double kx = std::cos(radians(lat));
  // Local coordinates in degrees of latitude, the point at the origin; longitudes wrapped.
  auto local = [&](const org::Point& p) {
    double dlng = p.lng - lng;
    if (dlng > 180) dlng -= 360;
    if (dlng < -180) dlng += 360;
    return std::pair{dlng * kx, p.lat - lat};
  };
  double best_d2 = std::numeric_limits<double>::infinity();
  org::Point best = r.front();
  for (std::size_t i = 0; i < r.size(); ++i) {
    const auto& a = r[i];
    const auto& b = r[(i + 1) % r.size()];
    const auto [ax, ay] = local(a);
    const auto [bx, by] = local(b);
    const double dx = bx - ax;
    const double dy = by - ay;
    const double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
    t = std::clamp(t, 0.0, 1.0);
    const double x = ax + t * dx;
    const double y = ay + t * dy;
    if (x * x + y * y < best_d2) {
      best_d2 = x * x + y * y;
      best = {a.lng + t * (b.lng - a.lng), a.lat + t * (b.lat - a.lat)};
    }
  }
  return haversine_m(lat, lng, best.lat, best.lng);
}

namespace {

constexpr double kDegToRad = 0.017453292519943295;
constexpr std::int64_t kRowStride = std::int64_t{1} << 22;
constexpr std::int64_t kColumnOffset = std::int64_t{1} << 21;

// Kept operation for operation with migration 0006's SQL (floor, cos, the same order), so that a
// back-filled key equals the one computed here.
double row_of(double lat) { return std::floor(lat * kMetresPerDegree / kCellMetres); }
double row_cos(double row) {
  return std::max(0.01, std::cos((row + 0.5) * kCellMetres / kMetresPerDegree * kDegToRad));
}
double column_of(double lng, double row) {
  return std::floor(lng * kMetresPerDegree * row_cos(row) / kCellMetres);
}
std::int64_t key_of(double row, double column) {
  return static_cast<std::int64_t>(row * static_cast<double>(kRowStride) + column +
                                   static_cast<double>(kColumnOffset));
}

}  // namespace

std::int64_t cell_of(double lat, double lng) {
  const double row = row_of(lat);
  return key_of(row, column_of(lng, row));
}

std::vector<std::int64_t> cells_near(double lat, double lng, double radius_m) {
  const double r = std::clamp(radius_m, 0.0, kMaxCellSearchMetres);
  const double dlat = r / kMetresPerDegree;
  // The box's half-width in degrees at its widest (the latitude furthest from the equator), so
  // that every point within r lies inside it.
  const double far_lat = std::min(89.0, std::max(std::abs(lat - dlat), std::abs(lat + dlat)));
  const double dlng = r / (kMetresPerDegree * std::max(0.01, std::cos(far_lat * kDegToRad)));
  std::vector<std::int64_t> out;
  for (double row = row_of(lat - dlat); row <= row_of(lat + dlat); row += 1) {
    for (double col = column_of(lng - dlng, row); col <= column_of(lng + dlng, row); col += 1) {
      out.push_back(key_of(row, col));
    }
  }
  return out;
}

}  // namespace civicloop::geo
