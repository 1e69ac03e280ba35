// Schema migrations: the pieces behind storage::migrate(), exposed for `civicloop migrate` and
// tests.
//
// Migrations are embedded files named "<dialect>/NNNN_name.up.sql" (and optionally
// "<dialect>/NNNN_name.down.sql"), dialect being "sqlite" or "postgres". Each one runs in its own
// transaction and records itself in schema_migrations(version, name, applied_at). Concurrent
// starters serialise on a lock (PostgreSQL: pg_advisory_xact_lock(7428001); SQLite: BEGIN
// IMMEDIATE) and re-check, so no migration is applied twice. A migration file must not contain
// BEGIN/COMMIT of its own.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/db.hpp"

namespace civicloop::storage {

struct Migration {
  int version = 0;
  std::string name;      // "init" for 0001_init.up.sql
  std::string up_sql;    // applied by migrate()
  std::string down_sql;  // empty when there is no .down.sql
};

struct MigrationFileName {
  int version = 0;
  std::string name;
  bool up = true;  // false for .down.sql
};

// "0001_init.up.sql" -> {1, "init", true}; nullopt for anything not named NNNN_name.(up|down).sql.
std::optional<MigrationFileName> parse_migration_file_name(std::string_view file);

// The embedded migrations of one dialect, sorted by version. Throws StorageError (kOther) on a
// misnamed file, a duplicate version or a .down.sql without its .up.sql.
std::vector<Migration> embedded_migrations(Dialect dialect);

// Applies those of `migrations` (sorted by version) that are not yet recorded; returns the versions
// it applied. Throws StorageError (kOther) when the database records a version newer than the
// newest one given: an older binary must not run against a newer schema.
std::vector<int> migrate_with(Connection& conn, const std::vector<Migration>& migrations);

// Reverts the newest applied migration with its down_sql, in one transaction. Returns its version,
// or nullopt when none is applied. Throws StorageError (kOther) when it has no down_sql.
std::optional<int> revert_last_migration(Connection& conn,
                                         const std::vector<Migration>& migrations);

// The versions recorded in schema_migrations (creating the table if missing), ascending.
std::vector<int> applied_migrations(Connection& conn);

}  // namespace civicloop::storage
