// Unit boundaries as GeoJSON: what a client or an import file sends (checked and normalised here
// before it is stored) and what the stored text gives back to the area index. Pure: no database,
// so the fuzz target (fuzz/geojson_fuzz.cpp) runs exactly this code.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "domain/error.hpp"
#include "domain/org.hpp"

namespace civicloop::app {

// Parses and checks a GeoJSON Polygon (one closed ring, WGS84, org::check_polygon); returns its
// normalised text: {"type":"Polygon","coordinates":[[[lng,lat],...]]}, each coordinate rounded to
// 1e-7 degree (about 1 cm) so that the text reads back as the same numbers.
Expected<std::string> normalize_boundary(const boost::json::value& v);

// The ring of a stored boundary (the text normalize_boundary made); nullopt when the text is not
// such a polygon.
std::optional<org::Polygon> stored_boundary_polygon(std::string_view geojson);

}  // namespace civicloop::app
