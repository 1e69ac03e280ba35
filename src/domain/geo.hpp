// Where a problem is: point → grid → community/village → subdistrict, through the boundary
// polygons of the organisation (Boost.Geometry R-tree over bounding boxes, then an exact
// point-in-polygon test). Built once from the units that have a boundary; immutable and safe to
// share between threads after construction. A Region is the tenant's own area (its outline), for
// telling a point outside it and how far.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "domain/org.hpp"

namespace civicloop::geo {

struct Area {
  org::Id unit_id = 0;
  org::UnitKind kind = org::UnitKind::kGrid;
  std::string path;  // materialised path: deeper areas have longer paths
  org::Polygon polygon;
};

class AreaIndex {
 public:
  explicit AreaIndex(std::vector<Area> areas);
  ~AreaIndex();
  AreaIndex(AreaIndex&&) noexcept;
  AreaIndex& operator=(AreaIndex&&) noexcept;

  // The areas that contain the point (on the boundary counts as inside), deepest first (most ids
  // on the path), then by smaller unit id.
  std::vector<const Area*> locate(double lat, double lng) const;
  // The one area the point is placed in: the deepest that covers it. A point exactly on an edge
  // shared by two equally deep areas (both cover it) goes to the one with the smaller unit id, so
  // that one side always wins. nullptr when no area covers the point.
  const Area* place(double lat, double lng) const;
  // Metres from the point to the nearest area (0 inside one); +inf when there are no areas.
  double distance_m(double lat, double lng) const;
  std::size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// How deep an area is in the organisation: the number of ids on its materialised path.
std::size_t depth_of(const std::string& path);

// A closed area of the map (the tenant's outline), one outer ring in either orientation.
class Region {
 public:
  explicit Region(const org::Polygon& polygon);
  ~Region();
  Region(Region&&) noexcept;
  Region& operator=(Region&&) noexcept;

  // Inside or on the boundary.
  bool covers(double lat, double lng) const;
  // Metres from the point to the nearest point of the boundary (whether inside or not).
  double boundary_distance_m(double lat, double lng) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Metres from a point to the nearest point of a ring: the nearest point is found in a local
// equirectangular projection around the point, and its distance measured on the sphere
// (haversine, mean Earth radius).
double distance_to_ring_m(const org::Polygon& polygon, double lat, double lng);

// Cells for the nearby-duplicate search: a fixed grid of kCellMetres x kCellMetres squares. A row
// is a band of latitude kCellMetres high; inside a row the columns are kCellMetres wide at the
// row's middle latitude (so a row's cos is a function of the row, and every point of the row uses
// the same one). A cell's key is row * 2^22 + column + 2^21: one integer, ordered by row then
// column. Migration 0006 computes the same key in SQL, with the same operations in the same order
// (docs/architecture.md, "The read path of cases"); changing the size or the formula needs a
// migration that recomputes the column.
inline constexpr double kCellMetres = 50.0;
inline constexpr double kMetresPerDegree = 111320.0;
std::int64_t cell_of(double lat, double lng);

// The keys of every cell that may hold a point within radius_m of (lat, lng): the cells the
// bounding box of the circle touches, row by row. With radius_m <= kCellMetres that is 3 x 3 (a
// fourth column where the box's cos is smaller than the row's). The radius is capped at
// kMaxCellSearchMetres (9 x 9 cells), so that a configured radius cannot make the search unbounded.
inline constexpr double kMaxCellSearchMetres = 4 * kCellMetres;
std::vector<std::int64_t> cells_near(double lat, double lng, double radius_m);

}  // namespace civicloop::geo
