#include "app/backup_service.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include "app/context.hpp"
#include "app/ledger_service.hpp"
#include "domain/clock.hpp"
#include "storage/backup_tools.hpp"
#include "storage/db.hpp"
#include "storage/migrate.hpp"

namespace civicloop::app {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSqliteFile = "database.sqlite";
constexpr const char* kPgFile = "database.pgdump";
constexpr const char* kAnchorsFile = "anchors.jsonl";
constexpr const char* kMediaDir = "media";
// A photo being written (app/evidence_service.cpp): not a file yet.
constexpr const char* kTempMarker = ".tmp.";

void fsync_path(const fs::path& p) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

bool dir_has_entries(const fs::path& p) {
  std::error_code ec;
  if (!fs::exists(p, ec)) return false;
  if (!fs::is_directory(p, ec)) return true;
  return fs::directory_iterator(p, ec) != fs::directory_iterator();
}

bool file_has_bytes(const fs::path& p) {
  std::error_code ec;
  if (!fs::exists(p, ec)) return false;
  return !fs::is_regular_file(p, ec) || fs::file_size(p, ec) > 0;
}

int schema_level(storage::Connection& conn) {
  return static_cast<int>(
      conn.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").at(0).get_int(0));
}

// The complete lines of the anchor file (a torn last line is left out), copied; returns the lines.
std::int64_t copy_anchor_lines(const fs::path& src, const fs::path& dst) {
  std::ifstream in(src, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the anchor file " + src.string());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto end = text.rfind('\n');
  text.resize(end == std::string::npos ? 0 : end + 1);
  const int fd = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) throw std::runtime_error("cannot create " + dst.string());
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t w = ::write(fd, text.data() + done, text.size() - done);
    if (w < 0) {
      ::close(fd);
      throw std::runtime_error("cannot write " + dst.string());
    }
    done += static_cast<std::size_t>(w);
  }
  ::fsync(fd);
  ::close(fd);
  return static_cast<std::int64_t>(std::count(text.begin(), text.end(), '\n'));
}

// Every regular file under root (photos being written left out), relative, '/'-separated, sorted.
std::vector<std::string> files_under(const fs::path& root) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(
           root, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file(ec)) continue;
    const auto name = it->path().filename().string();
    if (name.find(kTempMarker) != std::string::npos) continue;
    out.push_back(fs::relative(it->path(), root, ec).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status check_counts(const std::map<std::string, std::int64_t>& expected,
                    const std::map<std::string, std::int64_t>& found) {
  for (const auto& [table, n] : expected) {
    auto it = found.find(table);
    const std::int64_t got = it == found.end() ? -1 : it->second;
    if (got != n) {
      return make_error("backup.count_mismatch", table)
          .with("expected", std::to_string(n))
          .with("found", std::to_string(got));
    }
  }
  return Ok{};
}

LedgerResults verify_ledgers(storage::Database& db) {
  SystemClock clock;
  Context ctx{db, clock, Settings{}};
  return verify_all_ledgers(ctx);
}

}  // namespace

Status check_empty_target(const BackupPlace& to) {
  if (const auto path = storage::sqlite_path_of(to.db_url); !path.empty()) {
    if (file_has_bytes(path) || file_has_bytes(path + "-wal")) {
      return make_error("backup.target_not_empty", path);
    }
  } else if (storage::is_postgres_url(to.db_url)) {
    auto db = storage::Database::open(to.db_url, 1);
    auto lease = db->acquire();
    if (!storage::user_tables(*lease).empty()) {
      return make_error("backup.target_not_empty", "--db");
    }
  }
  if (!to.media_dir.empty() && dir_has_entries(to.media_dir)) {
    return make_error("backup.target_not_empty", to.media_dir);
  }
  if (!to.anchor_file.empty() && file_has_bytes(to.anchor_file)) {
    return make_error("backup.target_not_empty", to.anchor_file);
  }
  return Ok{};
}

Expected<BackupManifest> make_backup(const BackupPlace& from, const fs::path& out_dir,
                                     const std::string& civicloop_version, std::int64_t now_ms) {
  if (dir_has_entries(out_dir)) return make_error("backup.target_not_empty", out_dir.string());
  const auto sqlite_path = storage::sqlite_path_of(from.db_url);
  if (!sqlite_path.empty() && !fs::is_regular_file(sqlite_path)) {
    return make_error("backup.source_missing", sqlite_path);
  }
  fs::create_directories(out_dir);
  BackupManifest m;
  m.civicloop_version = civicloop_version;
  m.created_at = now_ms;

  // 1. The anchors, before the database: each names an event the copy will hold.
  if (!from.anchor_file.empty() && fs::exists(from.anchor_file)) {
    m.anchor_lines = copy_anchor_lines(from.anchor_file, out_dir / kAnchorsFile);
    m.anchors = kAnchorsFile;
    auto f = hash_file(out_dir / kAnchorsFile);
    f.path = kAnchorsFile;
    m.files.push_back(f);
    fs::path pub = from.anchor_file + ".pub";
    if (!from.anchor_key_file.empty() && fs::is_regular_file(from.anchor_key_file + ".pub")) {
      pub = from.anchor_key_file + ".pub";
    }
    if (fs::is_regular_file(pub)) {
      const std::string rel = std::string(kAnchorsFile) + ".pub";
      m.files.push_back(copy_and_hash(pub, out_dir / rel, rel));
    }
  }

  // 2. The database, one consistent snapshot, and its counts from that snapshot.
  if (!sqlite_path.empty()) {
    m.dialect = "sqlite";
    m.database = kSqliteFile;
    const auto copy = out_dir / kSqliteFile;
    storage::sqlite_online_backup(sqlite_path, copy.string());
    {
      auto db = storage::Database::open("sqlite:" + copy.string(), 1);
      auto lease = db->acquire();
      m.tables = storage::table_counts(*lease);
      m.schema_migration = schema_level(*lease);
    }
    // Closed: the copy is one file again (the last connection checkpointed and removed the WAL).
    std::error_code ec;
    const fs::path wal = copy.string() + "-wal";
    if (fs::exists(wal, ec) && fs::file_size(wal, ec) > 0) {
      throw std::runtime_error("the database copy kept a write-ahead log: " + wal.string());
    }
    fs::remove(wal, ec);
    fs::remove(fs::path(copy.string() + "-shm"), ec);
  } else {
    m.dialect = "postgresql";
    m.database = kPgFile;
    auto db = storage::Database::open(from.db_url, 1);
    auto lease = db->acquire();
    lease->begin(false);
    lease->exec_script("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    const auto snapshot = lease->query("SELECT pg_export_snapshot()").at(0).get_text(0);
    m.tables = storage::table_counts(*lease);
    m.schema_migration = schema_level(*lease);
    // The snapshot lives as long as this transaction: pg_dump runs inside it.
    storage::pg_dump_to(from.db_url, snapshot, (out_dir / kPgFile).string());
    lease->commit();
  }
  {
    auto f = hash_file(out_dir / m.database);
    f.path = m.database;
    m.files.push_back(f);
  }

  // 3. The media directory, after the database (see the header).
  if (!from.media_dir.empty()) {
    const fs::path root(from.media_dir);
    for (const auto& rel : files_under(root)) {
      const auto dst = out_dir / kMediaDir / rel;
      fs::create_directories(dst.parent_path());
      try {
        m.files.push_back(
            copy_and_hash(root / rel, dst, std::string(kMediaDir) + "/" + rel, false));
        ++m.media_files;
      } catch (const std::exception&) {
        // Gone since the listing (the server removed an orphan): nothing refers to it.
        std::error_code ec;
        if (fs::exists(root / rel, ec)) throw;
        fs::remove(dst, ec);
      }
    }
  }

  // The media on disk (one flush, not one a file) before the manifest says the backup is whole.
  sync_filesystem(out_dir);

  // 4. The manifest, last, in one rename.
  const auto tmp = out_dir / (std::string(kManifestFile) + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << manifest_to_json(m);
    if (!out.flush()) throw std::runtime_error("cannot write " + tmp.string());
  }
  fsync_path(tmp);
  fs::rename(tmp, out_dir / kManifestFile);
  fsync_path(out_dir);
  return m;
}

Expected<RestoreResult> restore_backup(const fs::path& dir, const BackupPlace& to) {
  auto m = verify_backup(dir);
  if (!m) return m.error();
  const auto sqlite_path = storage::sqlite_path_of(to.db_url);
  const bool to_sqlite = !sqlite_path.empty();
  if ((m->dialect == "sqlite") != to_sqlite ||
      (!to_sqlite && !storage::is_postgres_url(to.db_url))) {
    return make_error("backup.dialect_mismatch", "--db").with("dialect", m->dialect);
  }
  const auto dialect = to_sqlite ? storage::Dialect::kSqlite : storage::Dialect::kPostgres;
  if (m->schema_migration > storage::latest_migration(dialect)) {
    return make_error("backup.schema_newer")
        .with("version", std::to_string(m->schema_migration))
        .with("latest", std::to_string(storage::latest_migration(dialect)));
  }
  if (auto s = check_empty_target(to); !s) return s.error();

  RestoreResult r;
  std::map<std::string, std::string> sha_of;
  for (const auto& f : m->files) sha_of[f.path] = f.sha256;
  auto copy_checked = [&](const std::string& rel, const fs::path& dst, bool sync = true) -> Status {
    if (dst.has_parent_path()) fs::create_directories(dst.parent_path());
    const auto got = copy_and_hash(dir / rel, dst, rel, sync);
    if (got.sha256 != sha_of[rel]) return make_error("backup.file_corrupt", rel);
    return Ok{};
  };

  // The database.
  if (to_sqlite) {
    std::error_code ec;
    fs::remove(sqlite_path, ec);  // empty, or check_empty_target would have refused it
    if (auto s = copy_checked(m->database, sqlite_path); !s) return s.error();
  } else {
    storage::pg_restore_from(to.db_url, (dir / m->database).string());
  }
  // The media.
  const std::string media_prefix = std::string(kMediaDir) + "/";
  if (!to.media_dir.empty()) {
    fs::create_directories(to.media_dir);
    for (const auto& f : m->files) {
      if (!f.path.starts_with(media_prefix)) continue;
      if (auto s = copy_checked(f.path, fs::path(to.media_dir) / f.path.substr(media_prefix.size()),
                                false);
          !s) {
        return s.error();
      }
    }
    sync_filesystem(to.media_dir);
  }
  // The anchors and their public key.
  if (m->anchors && !to.anchor_file.empty()) {
    if (auto s = copy_checked(*m->anchors, to.anchor_file); !s) return s.error();
    const std::string pub = *m->anchors + ".pub";
    if (sha_of.contains(pub)) {
      if (auto s = copy_checked(pub, to.anchor_file + ".pub"); !s) return s.error();
    }
    r.anchors_restored = true;
  }

  // What came back: the counts of the manifest, and a ledger that verifies.
  auto db = storage::Database::open(to.db_url, 1);
  {
    auto lease = db->acquire();
    if (auto s = check_counts(m->tables, storage::table_counts(*lease)); !s) return s.error();
  }
  r.ledgers = verify_ledgers(*db);
  r.manifest = std::move(*m);
  return r;
}

Expected<MigrateDbResult> migrate_database(
    const std::string& from_url, const std::string& to_url,
    const std::function<void(const std::string&, std::int64_t)>& progress) {
  const auto sqlite_path = storage::sqlite_path_of(from_url);
  if (sqlite_path.empty()) return make_error("migrate_db.source_not_sqlite", "--from");
  if (!storage::is_postgres_url(to_url)) {
    return make_error("migrate_db.target_not_postgresql", "--to");
  }
  if (!fs::is_regular_file(sqlite_path)) return make_error("backup.source_missing", sqlite_path);
  BackupPlace target{to_url, "", "", ""};
  if (auto s = check_empty_target(target); !s) return s.error();

  auto src_db = storage::Database::open(from_url, 1);
  auto dst_db = storage::Database::open(to_url, 1);
  MigrateDbResult r;
  {
    auto src = src_db->acquire();
    auto dst = dst_db->acquire();
    r.schema_migration = schema_level(*src);
    const int latest = storage::latest_migration(storage::Dialect::kPostgres);
    if (r.schema_migration > latest) {
      return make_error("backup.schema_newer")
          .with("version", std::to_string(r.schema_migration))
          .with("latest", std::to_string(latest));
    }
    // The target's schema: the PostgreSQL migrations, up to the source's level.
    auto migrations = storage::embedded_migrations(storage::Dialect::kPostgres);
    std::erase_if(migrations, [&](const auto& mg) { return mg.version > r.schema_migration; });
    storage::migrate_with(*dst, migrations);

    // One snapshot of the source; one transaction on the target.
    src->begin(false);
    const auto source_tables = storage::user_tables(*src);
    const std::set<std::string> in_source(source_tables.begin(), source_tables.end());
    const auto target_tables = storage::user_tables(*dst);
    const std::set<std::string> in_target(target_tables.begin(), target_tables.end());
    std::vector<std::string> order;
    for (const auto& t : storage::tables_in_migration_order(storage::Dialect::kPostgres)) {
      if (in_target.contains(t)) order.push_back(t);
    }
    for (const auto& t : target_tables) {
      if (std::find(order.begin(), order.end(), t) == order.end()) order.push_back(t);
    }
    for (const auto& t : source_tables) {
      if (!in_target.contains(t)) return make_error("migrate_db.schema_mismatch", t);
    }
    dst->begin(true);
    std::map<std::string, std::int64_t> expected;
    for (const auto& t : order) {
      if (t == "schema_migrations") continue;  // the target's own, from its migrations
      if (!in_source.contains(t)) {
        dst->rollback();
        return make_error("migrate_db.schema_mismatch", t);
      }
      const auto columns = storage::table_columns(*dst, t);
      const auto source_columns = storage::table_columns(*src, t);
      const std::set<std::string> have(source_columns.begin(), source_columns.end());
      for (const auto& c : columns) {
        if (!have.contains(c)) {
          dst->rollback();
          return make_error("migrate_db.schema_mismatch", t + "." + c);
        }
      }
      const auto n = storage::copy_table_rows(*src, *dst, t, columns, [&](std::int64_t so_far) {
        if (progress) progress(t, so_far);
      });
      r.tables.emplace_back(t, n);
      expected[t] = n;
    }
    storage::reset_sequences(*dst);
    dst->commit();
    // The counts of the source's snapshot against the target's.
    std::map<std::string, std::int64_t> source_counts;
    for (const auto& [t, n] : expected) {
      source_counts[t] = src->query("SELECT COUNT(*) FROM \"" + t + "\"").at(0).get_int(0);
    }
    src->commit();
    if (auto s = check_counts(source_counts, storage::table_counts(*dst)); !s) return s.error();
  }
  SystemClock clock;
  Context ctx{*dst_db, clock, Settings{}};
  r.ledgers = verify_all_ledgers(ctx);
  r.replays = replay_all(ctx);
  return r;
}

}  // namespace civicloop::app
