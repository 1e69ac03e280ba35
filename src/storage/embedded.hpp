// Files compiled into the binary by cmake/embed.cmake: SQL migrations and the OpenAPI description.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace civicloop::embedded {
// name is "<parent dir>/<file>", e.g. "sqlite/0001_init.up.sql" or "api/openapi.json".
std::optional<std::string_view> find(std::string_view name);
std::size_t count();
std::string_view name_at(std::size_t i);
}  // namespace civicloop::embedded
