// Small helpers for building the SQL both dialects share: LIKE patterns with the user's wildcards
// escaped (always used with ESCAPE '\'), subtree filters over materialised paths, IN lists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/access.hpp"
#include "storage/db.hpp"

namespace civicloop::storage::sql {

// "%text%" for a substring search, ASCII lower-cased (the column side uses lower()).
std::string contains_pattern(std::string_view text);
// "prefix%" for a subtree: every path under `path` starts with it.
std::string prefix_pattern(std::string_view path);
// "(?, ?, ?)" for n parameters.
std::string in_list(std::size_t n);
// Appends " AND (col LIKE ? OR col LIKE ? ...)" over the scope's roots for each column given
// (a row matches when any column lies in any root); nothing for a whole-tenant scope; a clause that
// matches nothing for an empty scope.
void scope_filter(std::string& sql, std::vector<Value>& params, const access::Scope* scope,
                  const std::vector<std::string_view>& path_columns);

}  // namespace civicloop::storage::sql
