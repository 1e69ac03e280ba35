// The PostgreSQL driver behind storage::Database::open("postgresql://...").
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "storage/db.hpp"

namespace civicloop::storage::postgres {

// url: a libpq connection URI. connect_timeout=10 applies unless the URL sets one; every session
// runs with client_encoding=UTF8, TimeZone=UTC and standard_conforming_strings=on.
std::unique_ptr<Database> open_database(const std::string& url, int pool_size);

// Rewrites each `?` placeholder to $1, $2, ... and stores their number in `count`. A `?` inside a
// string literal ('...', E'...', $tag$...$tag$), a quoted identifier or a comment is left alone.
std::string rewrite_placeholders(std::string_view sql, std::size_t& count);

}  // namespace civicloop::storage::postgres
