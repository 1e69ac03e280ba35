// The SQLite driver behind storage::Database::open("sqlite:PATH").
#pragma once

#include <memory>
#include <string_view>

#include "storage/db.hpp"

namespace civicloop::storage::sqlite {

// path: what follows "sqlite:" in the URL ("var/civicloop.db", "/srv/x.db", or "///srv/x.db").
// Creates the parent directory if missing. Refuses ":memory:": every pooled connection must see
// the same data. Each connection runs in WAL mode with synchronous=FULL, foreign_keys=ON and
// busy_timeout=10000.
std::unique_ptr<Database> open_database(std::string_view path, int pool_size);

}  // namespace civicloop::storage::sqlite
