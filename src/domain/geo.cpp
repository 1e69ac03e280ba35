#include "domain/geo.hpp"

#include <algorithm>
#include <boost/geometry.hpp>
#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>
#include <boost/geometry/index/rtree.hpp>

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
  std::sort(out.begin(), out.end(), [](const Area* a, const Area* b) {
    return a->path.size() != b->path.size() ? a->path.size() > b->path.size()
                                            : a->unit_id < b->unit_id;
  });
  return out;
}

std::size_t AreaIndex::size() const { return impl_->areas.size(); }

}  // namespace civicloop::geo
