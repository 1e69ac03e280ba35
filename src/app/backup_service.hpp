// Backups, restores and moving a district from SQLite to PostgreSQL (docs/operations.md,
// "Backups"). The backup directory's layout and manifest: app/backup_manifest.hpp.
//
// make_backup runs beside a serving server: SQLite is copied with the online backup API (one read
// transaction, the writers go on), PostgreSQL with pg_dump at a snapshot exported by the
// transaction that counts the rows, so the counts in the manifest are those of the dump. The
// anchor file is copied first (its complete lines): every anchor then names an event the
// database copy already holds. The media directory is copied after the database: a photo is
// written before the transaction that refers to it commits, so every photo the copy refers to is
// on disk by then (photos of later reports come along too; nothing refers to them).
//
// restore_backup checks every file's sha256 against the manifest before it writes anything, then
// fills an empty place (a SQLite file that does not exist, or a PostgreSQL database without
// tables; an empty or missing media directory and anchor file), compares the row counts with the
// manifest and verifies each tenant's ledger.
//
// migrate_database copies a SQLite district into an empty PostgreSQL database: the schema made by
// the PostgreSQL migrations up to the source's level, the rows table by table in the order the
// migrations create the tables, as they are (ids and counters included), in one transaction;
// then the row counts compared and the target's ledger verified and replayed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/backup_manifest.hpp"
#include "app/ledger_replay.hpp"
#include "domain/error.hpp"
#include "domain/ledger.hpp"

namespace civicloop::app {

struct BackupPlace {
  std::string db_url;       // sqlite:PATH or postgresql://...
  std::string media_dir;    // "" or missing: no media
  std::string anchor_file;  // "" : no anchors
  // The anchor signing key's file: only its public half (KEY.pub, from ledger keygen) goes into
  // a backup, never the key. "" : the public key is looked for beside the anchor file.
  std::string anchor_key_file;
};

using LedgerResults = std::vector<std::pair<std::string, ledger::VerifyResult>>;

// Errors: backup.target_not_empty (field = out_dir), backup.source_missing (field = the file).
// Storage failures (pg_dump failing, a full disk) are thrown.
Expected<BackupManifest> make_backup(const BackupPlace& from, const std::filesystem::path& out_dir,
                                     const std::string& civicloop_version, std::int64_t now_ms);

struct RestoreResult {
  BackupManifest manifest;
  bool anchors_restored = false;
  LedgerResults ledgers;  // ledger verify of each tenant of the restored database
};

// Errors: those of verify_backup, backup.dialect_mismatch, backup.schema_newer,
// backup.target_not_empty (field = the place), backup.count_mismatch (field = table).
Expected<RestoreResult> restore_backup(const std::filesystem::path& dir, const BackupPlace& to);

// Whether a place can be restored into: nothing there. Errors: backup.target_not_empty.
Status check_empty_target(const BackupPlace& to);

struct MigrateDbResult {
  int schema_migration = 0;
  std::vector<std::pair<std::string, std::int64_t>> tables;  // copied, in copy order, with rows
  LedgerResults ledgers;
  std::vector<std::pair<std::string, ReplayResult>> replays;
};

// Errors: migrate_db.source_not_sqlite, migrate_db.target_not_postgresql, backup.source_missing,
// backup.target_not_empty, backup.schema_newer, migrate_db.schema_mismatch (field = table or
// table.column), backup.count_mismatch (field = table). `progress` (may be empty) gets the table
// and its rows copied so far.
Expected<MigrateDbResult> migrate_database(
    const std::string& from_url, const std::string& to_url,
    const std::function<void(const std::string&, std::int64_t)>& progress);

}  // namespace civicloop::app
