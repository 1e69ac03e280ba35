// The manifest of a backup directory (civicloop backup, docs/operations.md "Backups"):
//
//   BACKUP/manifest.json     written last: a directory without it is an unfinished backup
//   BACKUP/database.sqlite   SQLite: the online-backup copy (one file), or
//   BACKUP/database.pgdump   PostgreSQL: pg_dump --format=custom
//   BACKUP/media/...         the server's media directory (photos, bulletin PDFs, imports)
//   BACKUP/anchors.jsonl     the ledger anchor file, complete lines only (and .pub, its key)
//
// manifest.json: {"format":"civicloop-backup","version":1,"civicloop_version":"...",
// "created_at":MS,"dialect":"sqlite"|"postgresql","schema_migration":N,"database":"database.sqlite",
// "anchors":"anchors.jsonl"|null,"counts":{"tables":{"cases":N,...},"media_files":N,"anchors":N},
// "files":[{"path":"media/1/ab/ab...jpg","size":N,"sha256":"<64 hex>"},...]}.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/error.hpp"

namespace civicloop::app {

inline constexpr int kBackupFormatVersion = 1;
inline constexpr const char* kBackupFormat = "civicloop-backup";
inline constexpr const char* kManifestFile = "manifest.json";

struct BackupFile {
  std::string path;  // relative to the backup directory, '/'-separated
  std::int64_t size = 0;
  std::string sha256;  // 64 lowercase hex digits
};

struct BackupManifest {
  int version = kBackupFormatVersion;
  std::string civicloop_version;
  std::int64_t created_at = 0;
  std::string dialect;  // "sqlite" or "postgresql"
  int schema_migration = 0;
  std::string database;  // the database file's path in the backup
  std::optional<std::string> anchors;
  std::map<std::string, std::int64_t> tables;  // rows per table
  std::int64_t media_files = 0;
  std::int64_t anchor_lines = 0;
  std::vector<BackupFile> files;
};

std::string manifest_to_json(const BackupManifest& m);
// Errors: backup.manifest_malformed (reason), backup.unsupported_version (version).
Expected<BackupManifest> manifest_from_json(std::string_view text);

// The sha256 (hex) and size of a file, read in pieces. Throws std::runtime_error when unreadable.
BackupFile hash_file(const std::filesystem::path& file);
// Copies src to dst (created exclusively; fsynced unless `sync` is false, for a caller that syncs
// the whole filesystem once at the end, sync_filesystem) and returns dst's entry (path = rel) with
// the hash of the bytes copied. Throws std::runtime_error on failure.
BackupFile copy_and_hash(const std::filesystem::path& src, const std::filesystem::path& dst,
                         const std::string& rel, bool sync = true);
// Everything written to the filesystem that holds `path` on disk (syncfs(2)): one flush for
// thousands of copied files instead of one each. Throws std::runtime_error on failure.
void sync_filesystem(const std::filesystem::path& path);

// Reads DIR/manifest.json and checks every file it lists: present, of its size and its sha256.
// Errors: backup.manifest_missing, backup.manifest_malformed, backup.unsupported_version,
// backup.file_missing (field = the file), backup.file_corrupt (field = the file).
Expected<BackupManifest> verify_backup(const std::filesystem::path& dir);

}  // namespace civicloop::app
