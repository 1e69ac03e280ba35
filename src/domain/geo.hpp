// Where a problem is: point → grid → community/village → subdistrict, through the boundary
// polygons of the organisation (Boost.Geometry R-tree over bounding boxes, then an exact
// point-in-polygon test). Built once from the units that have a boundary; immutable and safe to
// share between threads after construction.
#pragma once

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

  // The areas that contain the point (on the boundary counts as inside), deepest first.
  std::vector<const Area*> locate(double lat, double lng) const;
  std::size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace civicloop::geo
