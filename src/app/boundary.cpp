#include "app/boundary.hpp"

#include <boost/json.hpp>
#include <cmath>

namespace civicloop::app {

namespace json = boost::json;

namespace {

// Coordinates are kept to 1e-7 degree (about 1 cm on the ground). Boost.JSON 1.81 does not read
// every 16- or 17-digit number back as the double it wrote (113.00000000013605 comes back as
// ...604), so at full precision a boundary drifted by an ulp each time it was stored, exported
// and imported, and "importing an export changes nothing" did not hold. Seven decimals are read
// back exactly.
double quantize(double x) {
  constexpr double kScale = 1e7;
  return std::round(x * kScale) / kScale;
}

}  // namespace

Expected<std::string> normalize_boundary(const json::value& v) {
  auto bad = [](const char* reason) {
    return make_error("org.invalid_boundary", "boundary").with("reason", reason);
  };
  if (!v.is_object()) return bad("not_object");
  const auto& o = v.as_object();
  const auto* type = o.if_contains("type");
  const auto* coords = o.if_contains("coordinates");
  if (type == nullptr || !type->is_string() || type->as_string() != "Polygon") {
    return bad("not_polygon");
  }
  if (coords == nullptr || !coords->is_array() || coords->as_array().size() != 1 ||
      !coords->as_array()[0].is_array()) {
    return bad("rings");
  }
  org::Polygon poly;
  json::array ring_out;
  for (const auto& pt : coords->as_array()[0].as_array()) {
    if (!pt.is_array() || pt.as_array().size() != 2) return bad("point");
    const auto& a = pt.as_array();
    auto num = [](const json::value& x) -> std::optional<double> {
      if (x.is_double()) return x.as_double();
      if (x.is_int64()) return static_cast<double>(x.as_int64());
      if (x.is_uint64()) return static_cast<double>(x.as_uint64());
      return std::nullopt;
    };
    auto lng = num(a[0]);
    auto lat = num(a[1]);
    if (!lng || !lat) return bad("point");
    *lng = quantize(*lng);
    *lat = quantize(*lat);
    poly.ring.push_back({*lng, *lat});
    ring_out.push_back(json::array{*lng, *lat});
  }
  if (auto s = org::check_polygon(poly); !s) return s.error();
  // Not json::array{ring_out}: a braced list of one array is a copy of it under clang (CWG 1467)
  // and a list holding it under gcc; the ring must be nested either way.
  json::array rings;
  rings.push_back(std::move(ring_out));
  json::object out;
  out["type"] = "Polygon";
  out["coordinates"] = std::move(rings);
  return json::serialize(out);
}

std::optional<org::Polygon> stored_boundary_polygon(std::string_view geojson) {
  boost::system::error_code ec;
  auto g = json::parse(geojson, ec);
  if (ec || !g.is_object()) return std::nullopt;
  const auto* coords = g.as_object().if_contains("coordinates");
  if (coords == nullptr || !coords->is_array() || coords->as_array().empty()) return std::nullopt;
  // Anything but a ring of [lng, lat] numbers (a hand-edited row, another geometry) is not read:
  // the unit is left out of the area index rather than failing the whole index.
  const auto& ring = coords->as_array()[0];
  if (!ring.is_array()) return std::nullopt;
  org::Polygon polygon;
  for (const auto& pt : ring.as_array()) {
    if (!pt.is_array() || pt.as_array().size() != 2 || !pt.as_array()[0].is_number() ||
        !pt.as_array()[1].is_number()) {
      return std::nullopt;
    }
    polygon.ring.push_back(
        {pt.as_array()[0].to_number<double>(), pt.as_array()[1].to_number<double>()});
  }
  return polygon;
}

}  // namespace civicloop::app
