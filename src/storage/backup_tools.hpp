// The storage side of backups and of moving a district between databases (app/backup_service.hpp):
// SQLite's online backup API, PostgreSQL's pg_dump/pg_restore, and the catalogue queries and the
// table-by-table copy behind `civicloop migrate-db`. Failures are StorageError.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "storage/db.hpp"

namespace civicloop::storage {

// The file of a "sqlite:PATH" URL ("sqlite:///srv/x.db" included); "" for any other URL.
std::string sqlite_path_of(const std::string& url);
// True for "postgresql://..." and "postgres://...".
bool is_postgres_url(const std::string& url);

// Copies the live SQLite database at src_path into a new file dst_path with sqlite3_backup_*, in
// one step, so the copy is one consistent snapshot: in WAL mode the server's writers go on while
// it runs (the backup only holds a read transaction). The copy is left in rollback-journal mode,
// one self-contained file; the server switches it back to WAL when it opens it.
void sqlite_online_backup(const std::string& src_path, const std::string& dst_path);

// pg_dump --format=custom of the database at url into file, as of `snapshot` (from
// pg_export_snapshot(), "" for none). pg_dump and pg_restore come from PATH (Debian's
// postgresql-client); CIVICLOOP_PG_BINDIR names another directory.
void pg_dump_to(const std::string& url, const std::string& snapshot, const std::string& file);
// pg_restore of such a file into the (empty) database at url, in one transaction.
void pg_restore_from(const std::string& url, const std::string& file);

// The connection's own tables, sorted by name: SQLite's ordinary tables (no virtual table, no
// FTS5 shadow table, no sqlite_* table); PostgreSQL's base tables of the current schema.
std::vector<std::string> user_tables(Connection& conn);
// The rows of each of those tables.
std::map<std::string, std::int64_t> table_counts(Connection& conn);
// The columns a copy writes, in table order: SQLite's declared columns; PostgreSQL's columns
// that are not generated.
std::vector<std::string> table_columns(Connection& conn, const std::string& table);

// The tables in the order the migrations create them ("CREATE TABLE name" in each up_sql, in
// version order): parents before the tables that refer to them.
std::vector<std::string> tables_in_migration_order(Dialect dialect);

// Copies every row of `table` from a SQLite connection into the same table on `to` (inside the
// caller's transactions), the columns named, in rowid order (a row's parent is older than it), in
// multi-row INSERTs. Rows the target already holds (filled by a migration or a trigger from an
// earlier table) are deleted first, so the table ends as the source has it. Returns the rows
// copied; `progress` (may be empty) is called after each batch with the rows so far.
std::int64_t copy_table_rows(Connection& from, Connection& to, const std::string& table,
                             const std::vector<std::string>& columns,
                             const std::function<void(std::int64_t)>& progress);

// PostgreSQL: every serial or identity column's sequence set past the column's highest value, so
// that ids copied as they are do not collide with new ones. No-op elsewhere.
void reset_sequences(Connection& conn);

}  // namespace civicloop::storage
