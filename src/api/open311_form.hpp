// Reading an Open311 POST body (docs/open311.md): application/x-www-form-urlencoded, or
// multipart/form-data whose file parts are the photos of the GeoReport v2.1 "media" parameter.
// Pure: no service, no database, so a fuzz target can run exactly what the handler runs.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civicloop::api {

struct Open311Form {
  std::multimap<std::string, std::string> fields;  // name → value, in order
  std::vector<std::string> files;                  // the bytes of each file part, in order
};

// name=value&... with '+' as a space; nullopt on a malformed escape.
std::optional<Open311Form> parse_urlencoded(std::string_view body);
// RFC 7578 parts separated by the boundary; a part with a filename is a file. nullopt when the
// boundary is missing or a part is malformed.
std::optional<Open311Form> parse_multipart(std::string_view body, std::string_view content_type);

}  // namespace civicloop::api
