// Files compiled into the http library by cmake/embed.cmake: the error catalogue (errors.json).
// The storage library has its own (migrations, OpenAPI); http may not depend on it.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace civicloop::embedded_http {
// name is "<parent dir>/<file>": "http/errors.json".
std::optional<std::string_view> find(std::string_view name);
std::size_t count();
std::string_view name_at(std::size_t i);
}  // namespace civicloop::embedded_http
